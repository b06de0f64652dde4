/* test_pricing.c - unit tests of cart and order pricing: line totals, coupon discounts and their
 * share per line, shipping, tax, the money range, bad input, and invariants over random carts. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "mercato/err.h"
#include "mercato/money.h"
#include "mercato/pricing.h"

/* ---- helpers ----------------------------------------------------------------------------- */

#define GARBAGE INT64_C(777)

static mc_pricing_config config(int64_t shipping, int64_t threshold, int rate_bp, int inclusive) {
  return (mc_pricing_config){.shipping_flat = shipping,
                             .free_shipping_threshold = threshold,
                             .tax_rate_bp = rate_bp,
                             .tax_inclusive = inclusive};
}

/* No shipping, no tax: the goods alone. */
static const mc_pricing_config plain = {0, 0, 0, 0};

static mc_pricing_line line(int64_t unit_price, int64_t quantity) {
  /* Outputs start as garbage so that a test fails if the computation leaves one unwritten. */
  return (mc_pricing_line){unit_price, quantity, GARBAGE, GARBAGE};
}

static mc_pricing_coupon percent(int64_t v) {
  return (mc_pricing_coupon){MC_COUPON_PERCENT, v};
}
static mc_pricing_coupon fixed(int64_t v) {
  return (mc_pricing_coupon){MC_COUPON_FIXED, v};
}

static void assert_totals(const mc_pricing_totals *t, int64_t subtotal, int64_t discount,
                          int64_t shipping, int64_t tax, int64_t total) {
  ck_assert_int_eq(t->subtotal, subtotal);
  ck_assert_int_eq(t->discount, discount);
  ck_assert_int_eq(t->shipping, shipping);
  ck_assert_int_eq(t->tax, tax);
  ck_assert_int_eq(t->total, total);
}

/* Computes lines[0..n) with coupon (may be NULL) under cfg and expects these totals. */
static void expect_priced(const mc_pricing_config *cfg, mc_pricing_line *lines, size_t n,
                          const mc_pricing_coupon *coupon, int64_t subtotal, int64_t discount,
                          int64_t shipping, int64_t tax, int64_t total) {
  mc_pricing_totals t = {GARBAGE, GARBAGE, GARBAGE, GARBAGE, GARBAGE};
  ck_assert_int_eq(mc_pricing_compute(cfg, lines, n, coupon, &t), MC_OK);
  assert_totals(&t, subtotal, discount, shipping, tax, total);
}

/* Computes with the cfg given and expects MC_ERR_INVALID with every output zeroed. */
static void assert_invalid(const mc_pricing_config *cfg, mc_pricing_line *lines, size_t n,
                           const mc_pricing_coupon *coupon) {
  mc_pricing_totals t = {GARBAGE, GARBAGE, GARBAGE, GARBAGE, GARBAGE};
  for (size_t i = 0; lines != NULL && i < n; i++) lines[i].line_total = lines[i].discount = GARBAGE;
  ck_assert_int_eq(mc_pricing_compute(cfg, lines, n, coupon, &t), MC_ERR_INVALID);
  assert_totals(&t, 0, 0, 0, 0, 0);
  for (size_t i = 0; lines != NULL && i < n; i++) {
    ck_assert_int_eq(lines[i].line_total, 0);
    ck_assert_int_eq(lines[i].discount, 0);
  }
}

/* Computes lines[0..n) with coupon (may be NULL) under plain config and checks each line's
 * discount against want[0..n). Returns the order discount. */
static int64_t discounts_are(mc_pricing_line *lines, size_t n, mc_pricing_coupon c,
                             const int64_t *want) {
  mc_pricing_totals t;
  ck_assert_int_eq(mc_pricing_compute(&plain, lines, n, &c, &t), MC_OK);
  for (size_t i = 0; i < n; i++) ck_assert_int_eq(lines[i].discount, want[i]);
  return t.discount;
}

/* ---- lines and subtotal ------------------------------------------------------------------ */

START_TEST(empty_cart_is_all_zero_and_ships_nothing) {
  mc_pricing_config cfg = config(499, 5000, 2000, 0);
  mc_pricing_coupon c = fixed(500);
  expect_priced(&cfg, NULL, 0, NULL, 0, 0, 0, 0, 0);
  /* A coupon on an empty cart discounts nothing, and is not an error. */
  expect_priced(&cfg, NULL, 0, &c, 0, 0, 0, 0, 0);
  c = percent(100);
  expect_priced(&cfg, NULL, 0, &c, 0, 0, 0, 0, 0);
}
END_TEST

START_TEST(single_line_total_is_unit_price_times_quantity) {
  mc_pricing_line l[] = {line(1999, 3)};
  mc_pricing_totals t;
  ck_assert_int_eq(mc_pricing_compute(&plain, l, 1, NULL, &t), MC_OK);
  ck_assert_int_eq(l[0].line_total, 5997);
  ck_assert_int_eq(l[0].discount, 0);
  assert_totals(&t, 5997, 0, 0, 0, 5997);
}
END_TEST

START_TEST(lines_add_up_to_the_subtotal) {
  mc_pricing_line l[] = {line(250, 4), line(1999, 1), line(1, 10000), line(0, 2)};
  mc_pricing_config cfg = config(399, 0, 0, 0);
  mc_pricing_totals t;
  ck_assert_int_eq(mc_pricing_compute(&cfg, l, 4, NULL, &t), MC_OK);
  ck_assert_int_eq(l[0].line_total, 1000);
  ck_assert_int_eq(l[1].line_total, 1999);
  ck_assert_int_eq(l[2].line_total, 10000);
  ck_assert_int_eq(l[3].line_total, 0);
  for (int i = 0; i < 4; i++) ck_assert_int_eq(l[i].discount, 0);
  assert_totals(&t, 12999, 0, 399, 0, 13398);
}
END_TEST

START_TEST(quantity_is_1_to_10000) {
  mc_pricing_line l[] = {line(3, 1), line(3, 10000)};
  expect_priced(&plain, l, 2, NULL, 30003, 0, 0, 0, 30003);
  l[1] = line(3, 10001);
  assert_invalid(&plain, l, 2, NULL);
  l[1] = line(3, 0);
  assert_invalid(&plain, l, 2, NULL);
  l[1] = line(3, -1);
  assert_invalid(&plain, l, 2, NULL);
}
END_TEST

START_TEST(a_free_line_costs_nothing_but_the_cart_still_ships) {
  mc_pricing_line l[] = {line(0, 5)};
  mc_pricing_config cfg = config(499, 1000, 2000, 0);
  mc_pricing_totals t;
  ck_assert_int_eq(mc_pricing_compute(&cfg, l, 1, NULL, &t), MC_OK);
  ck_assert_int_eq(l[0].line_total, 0);
  assert_totals(&t, 0, 0, 499, 0, 499);
}
END_TEST

START_TEST(outputs_given_by_the_caller_are_ignored_and_overwritten) {
  mc_pricing_line l[] = {line(100, 2)};
  mc_pricing_totals t;
  l[0].line_total = -5, l[0].discount = 99999;
  ck_assert_int_eq(mc_pricing_compute(&plain, l, 1, NULL, &t), MC_OK);
  ck_assert_int_eq(l[0].line_total, 200);
  ck_assert_int_eq(l[0].discount, 0);
}
END_TEST

/* ---- coupons ----------------------------------------------------------------------------- */

START_TEST(no_coupon_null_and_kind_none_are_the_same) {
  mc_pricing_line l[] = {line(1000, 1)};
  mc_pricing_coupon none = {MC_COUPON_NONE, 0}, none_with_value = {MC_COUPON_NONE, 12345};
  expect_priced(&plain, l, 1, NULL, 1000, 0, 0, 0, 1000);
  expect_priced(&plain, l, 1, &none, 1000, 0, 0, 0, 1000);
  /* The value of a none coupon means nothing and is not checked. */
  expect_priced(&plain, l, 1, &none_with_value, 1000, 0, 0, 0, 1000);
  ck_assert_int_eq(l[0].discount, 0);
}
END_TEST

START_TEST(percent_discount_rounds_half_away_from_zero) {
  static const struct {
    int64_t subtotal, pct, want;
  } cases[] = {
      {1010, 15, 152}, /* 151.5 */
      {1, 33, 0},      /* 0.33 */
      {1, 50, 1},      /* 0.5 */
      {3, 50, 2},      /* 1.5 */
      {1005, 10, 101}, /* 100.5 */
      {1004, 10, 100}, /* 100.4 */
      {1006, 10, 101}, /* 100.6 */
      {999, 1, 10},    /* 9.99 */
      {150, 1, 2},     /* 1.5 */
      {149, 1, 1},     /* 1.49 */
      {2000, 25, 500}, /* exact */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mc_pricing_line l[] = {line(cases[i].subtotal, 1)};
    mc_pricing_coupon c = percent(cases[i].pct);
    mc_pricing_totals t;
    ck_assert_int_eq(mc_pricing_compute(&plain, l, 1, &c, &t), MC_OK);
    ck_assert_int_eq(t.discount, cases[i].want);
    ck_assert_int_eq(l[0].discount, cases[i].want);
    ck_assert_int_eq(t.total, cases[i].subtotal - cases[i].want);
  }
}
END_TEST

START_TEST(percent_discount_is_taken_from_the_subtotal_not_per_line) {
  /* Per line, 10% of 5 would round to 1 three times (3); on the subtotal it is 1.5 -> 2. */
  mc_pricing_line l[] = {line(5, 1), line(5, 1), line(5, 1)};
  static const int64_t want[] = {1, 1, 0};
  ck_assert_int_eq(discounts_are(l, 3, percent(10), want), 2);
}
END_TEST

START_TEST(percent_100_makes_the_goods_free_but_not_the_shipping) {
  mc_pricing_line l[] = {line(1234, 2), line(1, 1)};
  mc_pricing_config cfg = config(499, 10000, 2000, 0);
  mc_pricing_coupon c = percent(100);
  mc_pricing_totals t;
  ck_assert_int_eq(mc_pricing_compute(&cfg, l, 2, &c, &t), MC_OK);
  ck_assert_int_eq(l[0].discount, 2468);
  ck_assert_int_eq(l[1].discount, 1);
  assert_totals(&t, 2469, 2469, 499, 0, 499);
}
END_TEST

START_TEST(fixed_discount_below_the_subtotal_is_taken_in_full) {
  mc_pricing_line l[] = {line(2500, 2)};
  mc_pricing_coupon c = fixed(750);
  expect_priced(&plain, l, 1, &c, 5000, 750, 0, 0, 4250);
  ck_assert_int_eq(l[0].discount, 750);
}
END_TEST

START_TEST(fixed_discount_above_the_subtotal_is_capped_and_shipping_still_applies) {
  mc_pricing_line l[] = {line(300, 1), line(200, 1)};
  mc_pricing_config cfg = config(499, 2000, 2000, 0);
  mc_pricing_coupon c = fixed(10000);
  mc_pricing_totals t;
  ck_assert_int_eq(mc_pricing_compute(&cfg, l, 2, &c, &t), MC_OK);
  /* Goods are 0, below the free-shipping threshold: shipping is charged, and not taxed. */
  assert_totals(&t, 500, 500, 499, 0, 499);
  ck_assert_int_eq(l[0].discount, 300);
  ck_assert_int_eq(l[1].discount, 200);
  c = fixed(MC_MONEY_MAX);
  expect_priced(&cfg, l, 2, &c, 500, 500, 499, 0, 499);
}
END_TEST

START_TEST(fixed_discount_equal_to_the_subtotal_leaves_zero_goods) {
  mc_pricing_line l[] = {line(500, 1)};
  mc_pricing_config cfg = config(0, 0, 2000, 0);
  mc_pricing_coupon c = fixed(500);
  expect_priced(&cfg, l, 1, &c, 500, 500, 0, 0, 0);
}
END_TEST

/* ---- sharing the discount out over the lines --------------------------------------------- */

START_TEST(discount_is_shared_in_proportion_to_line_totals) {
  mc_pricing_line l[] = {line(100, 1), line(100, 2), line(300, 1)};
  static const int64_t want[] = {10, 20, 30};
  ck_assert_int_eq(discounts_are(l, 3, percent(10), want), 60);
}
END_TEST

START_TEST(leftover_cents_go_to_the_largest_remainders) {
  /* Shares 0.7, 2.1, 4.2: whole parts 0 + 2 + 4 = 6, the seventh cent goes to the 0.7. */
  mc_pricing_line a[] = {line(100, 1), line(300, 1), line(600, 1)};
  static const int64_t want_a[] = {1, 2, 4};
  ck_assert_int_eq(discounts_are(a, 3, fixed(7), want_a), 7);
  /* The same lines reversed: the cent follows the remainder, not the position. */
  mc_pricing_line b[] = {line(600, 1), line(300, 1), line(100, 1)};
  static const int64_t want_b[] = {4, 2, 1};
  ck_assert_int_eq(discounts_are(b, 3, fixed(7), want_b), 7);
}
END_TEST

START_TEST(equal_remainders_favour_the_earlier_line) {
  /* 100 over three equal lines: 33.33 each; the spare cent goes to the first. */
  mc_pricing_line a[] = {line(1000, 1), line(1000, 1), line(1000, 1)};
  static const int64_t want_a[] = {34, 33, 33};
  ck_assert_int_eq(discounts_are(a, 3, fixed(100), want_a), 100);
  /* 2 over four equal lines: 0.5 each; the first two get a cent. */
  mc_pricing_line b[] = {line(10, 1), line(10, 1), line(10, 1), line(10, 1)};
  static const int64_t want_b[] = {1, 1, 0, 0};
  ck_assert_int_eq(discounts_are(b, 4, fixed(2), want_b), 2);
  /* Shares 0.75, 1.5, 1.5, 2.25: the 0.75 first, then the earlier of the two 0.5 remainders. */
  mc_pricing_line c[] = {line(5, 1), line(10, 1), line(10, 1), line(15, 1)};
  static const int64_t want_c[] = {1, 2, 1, 2};
  ck_assert_int_eq(discounts_are(c, 4, fixed(6), want_c), 6);
}
END_TEST

START_TEST(zero_price_lines_get_no_discount) {
  mc_pricing_line a[] = {line(0, 3), line(1000, 1), line(0, 1), line(1000, 1)};
  static const int64_t want_a[] = {0, 1, 0, 0};
  ck_assert_int_eq(discounts_are(a, 4, fixed(1), want_a), 1);
  static const int64_t want_full[] = {0, 1000, 0, 1000};
  ck_assert_int_eq(discounts_are(a, 4, percent(100), want_full), 2000);
  /* Only free lines: nothing to discount, whatever the coupon. */
  mc_pricing_line b[] = {line(0, 1), line(0, 7)};
  static const int64_t want_b[] = {0, 0};
  ck_assert_int_eq(discounts_are(b, 2, fixed(500), want_b), 0);
  ck_assert_int_eq(discounts_are(b, 2, percent(50), want_b), 0);
}
END_TEST

START_TEST(no_line_is_discounted_beyond_its_total) {
  /* A one-cent line beside a big one under a 99% coupon: its share is 0.99, at most 1. */
  mc_pricing_line l[] = {line(1, 1), line(99999, 1)};
  mc_pricing_coupon c = percent(99);
  mc_pricing_totals t;
  ck_assert_int_eq(mc_pricing_compute(&plain, l, 2, &c, &t), MC_OK);
  ck_assert_int_eq(t.discount, 99000);
  ck_assert_int_eq(l[0].discount, 1);     /* 0.99 -> its whole part 0, plus the spare cent */
  ck_assert_int_eq(l[1].discount, 98999); /* 98999.01 */
  /* Capped fixed coupon: every line is free, exactly. */
  mc_pricing_line m[] = {line(1, 1), line(3, 3), line(7, 1)};
  static const int64_t want[] = {1, 9, 7};
  ck_assert_int_eq(discounts_are(m, 3, fixed(1000), want), 17);
}
END_TEST

START_TEST(shares_stay_exact_at_the_top_of_the_money_range) {
  /* discount x line_total is far beyond int64 here: 10^15 x 10^15 / 2. */
  mc_pricing_line l[] = {line(MC_MONEY_MAX / 2, 1), line(MC_MONEY_MAX / 2 - 1, 1), line(1, 1)};
  mc_pricing_coupon c = fixed(MC_MONEY_MAX - 1);
  mc_pricing_totals t;
  ck_assert_int_eq(mc_pricing_compute(&plain, l, 3, &c, &t), MC_OK);
  ck_assert_int_eq(t.subtotal, MC_MONEY_MAX);
  ck_assert_int_eq(t.discount, MC_MONEY_MAX - 1);
  /* Each share is its line less 10^-15 of it: whole parts 5x10^14 - 1, 5x10^14 - 2 and 0
   * (fractions 0.5, 0.5 + 10^-15 and 1 - 10^-15), leaving two cents for the last two lines:
   * remainders that differ only in the 15th decimal place must still be told apart. */
  ck_assert_int_eq(l[0].discount, MC_MONEY_MAX / 2 - 1);
  ck_assert_int_eq(l[1].discount, MC_MONEY_MAX / 2 - 1);
  ck_assert_int_eq(l[2].discount, 1);
  ck_assert_int_eq(l[0].discount + l[1].discount + l[2].discount, t.discount);
}
END_TEST

/* ---- shipping ---------------------------------------------------------------------------- */

START_TEST(shipping_is_free_exactly_at_the_threshold) {
  mc_pricing_line l[] = {line(2500, 2)};
  mc_pricing_config cfg = config(499, 5000, 0, 0);
  expect_priced(&cfg, l, 1, NULL, 5000, 0, 0, 0, 5000);
  l[0] = line(2500, 3);
  expect_priced(&cfg, l, 1, NULL, 7500, 0, 0, 0, 7500);
}
END_TEST

START_TEST(shipping_is_charged_one_cent_below_the_threshold) {
  mc_pricing_line l[] = {line(4999, 1)};
  mc_pricing_config cfg = config(499, 5000, 0, 0);
  expect_priced(&cfg, l, 1, NULL, 4999, 0, 499, 0, 5498);
}
END_TEST

START_TEST(free_shipping_threshold_compares_the_goods_after_discount) {
  mc_pricing_line l[] = {line(6000, 1)};
  mc_pricing_config cfg = config(499, 5000, 0, 0);
  mc_pricing_coupon c = fixed(1001);
  expect_priced(&cfg, l, 1, &c, 6000, 1001, 499, 0, 5498);
  c = fixed(1000);
  expect_priced(&cfg, l, 1, &c, 6000, 1000, 0, 0, 5000);
}
END_TEST

START_TEST(free_shipping_threshold_compares_goods_without_tax) {
  /* Exclusive tax would lift 4900 to 5880, over the threshold; the goods alone are below it. */
  mc_pricing_line l[] = {line(4900, 1)};
  mc_pricing_config cfg = config(499, 5000, 2000, 0);
  expect_priced(&cfg, l, 1, NULL, 4900, 0, 499, 980, 6379);
}
END_TEST

START_TEST(threshold_zero_means_shipping_is_never_free) {
  mc_pricing_line l[] = {line(MC_MONEY_MAX / 10, 1)};
  mc_pricing_config cfg = config(499, 0, 0, 0);
  mc_pricing_totals t;
  ck_assert_int_eq(mc_pricing_compute(&cfg, l, 1, NULL, &t), MC_OK);
  ck_assert_int_eq(t.shipping, 499);
  ck_assert_int_eq(t.total, MC_MONEY_MAX / 10 + 499);
}
END_TEST

START_TEST(zero_flat_rate_ships_free_always) {
  mc_pricing_line l[] = {line(10, 1)};
  mc_pricing_config cfg = config(0, 5000, 0, 0);
  expect_priced(&cfg, l, 1, NULL, 10, 0, 0, 0, 10);
}
END_TEST

/* ---- tax --------------------------------------------------------------------------------- */

START_TEST(exclusive_tax_is_added_on_the_goods_after_discount) {
  mc_pricing_line l[] = {line(1000, 1)};
  mc_pricing_config cfg = config(0, 0, 2000, 0);
  mc_pricing_coupon c = fixed(100);
  expect_priced(&cfg, l, 1, NULL, 1000, 0, 0, 200, 1200);
  expect_priced(&cfg, l, 1, &c, 1000, 100, 0, 180, 1080);
}
END_TEST

START_TEST(exclusive_tax_is_rounded_once_on_the_goods) {
  /* 10% per line of 5 would be 0.5 -> 1 three times (3); once on 15 it is 1.5 -> 2. */
  mc_pricing_line l[] = {line(5, 1), line(5, 1), line(5, 1)};
  mc_pricing_config cfg = config(0, 0, 1000, 0);
  expect_priced(&cfg, l, 3, NULL, 15, 0, 0, 2, 17);
  /* 19% of 1234 = 234.46 -> 234; 7.5% (750 bp) of 1234 = 92.55 -> 93; 5% of 10 = 0.5 -> 1. */
  mc_pricing_line m[] = {line(1234, 1)};
  cfg.tax_rate_bp = 1900;
  expect_priced(&cfg, m, 1, NULL, 1234, 0, 0, 234, 1468);
  cfg.tax_rate_bp = 750;
  expect_priced(&cfg, m, 1, NULL, 1234, 0, 0, 93, 1327);
  mc_pricing_line s[] = {line(10, 1)};
  cfg.tax_rate_bp = 500;
  expect_priced(&cfg, s, 1, NULL, 10, 0, 0, 1, 11);
}
END_TEST

START_TEST(inclusive_tax_is_extracted_and_not_added) {
  mc_pricing_line l[] = {line(1200, 1)};
  mc_pricing_config cfg = config(0, 0, 2000, 1);
  expect_priced(&cfg, l, 1, NULL, 1200, 0, 0, 200, 1200);
  /* 19% inside 100: 100 x 19 / 119 = 15.97 -> 16. */
  l[0] = line(100, 1);
  cfg.tax_rate_bp = 1900;
  expect_priced(&cfg, l, 1, NULL, 100, 0, 0, 16, 100);
  /* 10% inside 33: exactly 3; inside 38: 3.45 -> 3; inside 39: 3.55 -> 4. */
  l[0] = line(11, 3);
  cfg.tax_rate_bp = 1000;
  expect_priced(&cfg, l, 1, NULL, 33, 0, 0, 3, 33);
  l[0] = line(38, 1);
  expect_priced(&cfg, l, 1, NULL, 38, 0, 0, 3, 38);
  l[0] = line(39, 1);
  expect_priced(&cfg, l, 1, NULL, 39, 0, 0, 4, 39);
}
END_TEST

START_TEST(inclusive_tax_is_taken_from_the_goods_after_discount) {
  mc_pricing_line l[] = {line(1500, 1)};
  mc_pricing_config cfg = config(0, 0, 2000, 1);
  mc_pricing_coupon c = fixed(300);
  expect_priced(&cfg, l, 1, &c, 1500, 300, 0, 200, 1200);
}
END_TEST

START_TEST(tax_is_not_applied_to_shipping) {
  mc_pricing_line l[] = {line(1000, 1)};
  mc_pricing_config ex = config(500, 0, 2000, 0), in = config(500, 0, 2000, 1);
  expect_priced(&ex, l, 1, NULL, 1000, 0, 500, 200, 1700);
  l[0] = line(1200, 1);
  expect_priced(&in, l, 1, NULL, 1200, 0, 500, 200, 1700);
}
END_TEST

START_TEST(tax_rate_zero_is_no_tax) {
  mc_pricing_line l[] = {line(999, 7)};
  mc_pricing_config ex = config(0, 0, 0, 0), in = config(0, 0, 0, 1);
  expect_priced(&ex, l, 1, NULL, 6993, 0, 0, 0, 6993);
  expect_priced(&in, l, 1, NULL, 6993, 0, 0, 0, 6993);
}
END_TEST

START_TEST(tax_rate_100_percent_doubles_or_halves) {
  mc_pricing_line l[] = {line(1001, 1)};
  mc_pricing_config ex = config(0, 0, MC_PRICING_TAX_RATE_MAX, 0);
  mc_pricing_config in = config(0, 0, MC_PRICING_TAX_RATE_MAX, 1);
  expect_priced(&ex, l, 1, NULL, 1001, 0, 0, 1001, 2002);
  /* Half of an inclusive price is tax: 500.5 -> 501. */
  expect_priced(&in, l, 1, NULL, 1001, 0, 0, 501, 1001);
}
END_TEST

/* ---- the money range --------------------------------------------------------------------- */

START_TEST(amounts_up_to_the_money_maximum_are_priced) {
  mc_pricing_line l[] = {line(MC_MONEY_MAX, 1)};
  mc_pricing_config in = config(0, 0, 2000, 1);
  mc_pricing_totals t;
  expect_priced(&plain, l, 1, NULL, MC_MONEY_MAX, 0, 0, 0, MC_MONEY_MAX);
  /* Inclusive tax is not added, so it cannot push the total over. */
  ck_assert_int_eq(mc_pricing_compute(&in, l, 1, NULL, &t), MC_OK);
  ck_assert_int_eq(t.tax, INT64_C(166666666666667)); /* 10^15 / 6 = ...666.67 */
  ck_assert_int_eq(t.total, MC_MONEY_MAX);
  /* 10^14 x 10000 is the largest line the quantity limit allows at this price. */
  l[0] = line(MC_MONEY_MAX / 10000, 10000);
  ck_assert_int_eq(mc_pricing_compute(&plain, l, 1, NULL, &t), MC_OK);
  ck_assert_int_eq(t.total, MC_MONEY_MAX);
}
END_TEST

START_TEST(leaving_the_money_range_is_invalid_with_outputs_zeroed) {
  mc_pricing_line one[] = {line(MC_MONEY_MAX, 2)};
  assert_invalid(&plain, one, 1, NULL); /* a line */
  mc_pricing_line big = line(MC_MONEY_MAX / 10000 + 1, 10000);
  assert_invalid(&plain, &big, 1, NULL);
  mc_pricing_line two[] = {line(MC_MONEY_MAX, 1), line(1, 1)};
  assert_invalid(&plain, two, 2, NULL); /* the subtotal */
  mc_pricing_line top[] = {line(MC_MONEY_MAX, 1)};
  mc_pricing_config ship = config(1, 0, 0, 0);
  assert_invalid(&ship, top, 1, NULL); /* goods + shipping */
  mc_pricing_config tax = config(0, 0, 1, 0);
  assert_invalid(&tax, top, 1, NULL); /* goods + exclusive tax: 0.01% of 10^15 is 10^11 */
  /* A discount brings it back in range. */
  mc_pricing_coupon c = fixed(1);
  expect_priced(&ship, top, 1, &c, MC_MONEY_MAX, 1, 1, 0, MC_MONEY_MAX);
}
END_TEST

/* ---- bad input --------------------------------------------------------------------------- */

START_TEST(bad_lines_are_invalid_with_outputs_zeroed) {
  /* Good lines before the bad one are zeroed too. */
  mc_pricing_line l[] = {line(100, 1), line(-1, 1)};
  assert_invalid(&plain, l, 2, NULL);
  l[1] = line(MC_MONEY_MAX + 1, 1);
  assert_invalid(&plain, l, 2, NULL);
  l[1] = line(INT64_MIN, 1);
  assert_invalid(&plain, l, 2, NULL);
  l[1] = line(100, INT64_MAX);
  assert_invalid(&plain, l, 2, NULL);
  /* NULL lines are only fine for an empty cart. */
  assert_invalid(&plain, NULL, 1, NULL);
}
END_TEST

START_TEST(bad_coupons_are_invalid_with_outputs_zeroed) {
  mc_pricing_line l[] = {line(1000, 1)};
  static const mc_pricing_coupon bad[] = {
      {MC_COUPON_PERCENT, 0},  {MC_COUPON_PERCENT, 101},          {MC_COUPON_PERCENT, -10},
      {MC_COUPON_FIXED, 0},    {MC_COUPON_FIXED, -1},             {MC_COUPON_FIXED, MC_MONEY_MAX + 1},
      {(mc_coupon_kind)3, 10}, {(mc_coupon_kind)-1, 10},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_invalid(&plain, l, 1, &bad[i]);
  /* Also for an empty cart, where the coupon would discount nothing anyway. */
  assert_invalid(&plain, NULL, 0, &bad[0]);
}
END_TEST

/* One value out of range each: shipping, threshold, tax rate, inclusive flag. */
static const mc_pricing_config bad_configs[] = {
    {-1, 0, 0, 0}, {MC_MONEY_MAX + 1, 0, 0, 0}, {INT64_MIN, 0, 0, 0},
    {0, -1, 0, 0}, {0, MC_MONEY_MAX + 1, 0, 0}, {0, 0, -1, 0},
    {0, 0, MC_PRICING_TAX_RATE_MAX + 1, 0},      {0, 0, 0, 2},
    {0, 0, 0, -1},
};

START_TEST(bad_config_is_invalid_with_outputs_zeroed) {
  mc_pricing_line l[] = {line(1000, 1)};
  for (size_t i = 0; i < sizeof bad_configs / sizeof bad_configs[0]; i++)
    assert_invalid(&bad_configs[i], l, 1, NULL);
  assert_invalid(NULL, l, 1, NULL);
}
END_TEST

START_TEST(missing_out_is_invalid_and_leaves_lines_zeroed) {
  mc_pricing_line l[] = {line(1000, 1)};
  ck_assert_int_eq(mc_pricing_compute(&plain, l, 1, NULL, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(l[0].line_total, 0);
  ck_assert_int_eq(l[0].discount, 0);
}
END_TEST

START_TEST(config_check_accepts_exactly_the_documented_ranges) {
  mc_pricing_config ok[] = {
      config(0, 0, 0, 0),
      config(MC_MONEY_MAX, MC_MONEY_MAX, MC_PRICING_TAX_RATE_MAX, 1),
      config(499, 5000, 2000, 0),
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    ck_assert_int_eq(mc_pricing_config_check(&ok[i]), MC_OK);
  for (size_t i = 0; i < sizeof bad_configs / sizeof bad_configs[0]; i++)
    ck_assert_int_eq(mc_pricing_config_check(&bad_configs[i]), MC_ERR_INVALID);
  ck_assert_int_eq(mc_pricing_config_check(NULL), MC_ERR_INVALID);
}
END_TEST

/* ---- invariants over random carts -------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void) { /* xorshift64*: fixed seed, same carts on every run */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * UINT64_C(2685821657736338717);
}
static int64_t rng_in(int64_t lo, int64_t hi) { /* lo..hi inclusive */
  return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* a x b / c rounded half away from zero for a, b >= 0, c > 0, written out independently. */
static int64_t ref_ratio(int64_t a, int64_t b, int64_t c) {
  return (int64_t)(((__int128)a * b * 2 + c) / ((__int128)c * 2));
}

/* Largest remainder the slow, obvious way: whole parts, then one unit at a time to the line
 * with the largest remainder not yet served, the earlier line on a tie. */
static void ref_allocate(const mc_pricing_line *l, size_t n, int64_t d, int64_t s, int64_t *out) {
  int served[64] = {0};
  int64_t left = d;
  for (size_t i = 0; i < n; i++) {
    out[i] = s == 0 ? 0 : (int64_t)((__int128)d * l[i].line_total / s);
    left -= out[i];
  }
  for (; left > 0; left--) {
    size_t best = n;
    int64_t best_r = -1;
    for (size_t i = 0; i < n; i++) {
      int64_t r = (int64_t)((__int128)d * l[i].line_total % s);
      if (!served[i] && r > best_r) best = i, best_r = r;
    }
    ck_assert_uint_lt(best, n);
    ck_assert_int_gt(best_r, 0);
    served[best] = 1;
    out[best]++;
  }
}

/* Prices of every size: free, cents, typical, and near the top so that sums overflow. */
static int64_t random_price(void) {
  switch (rng() % 6) {
  case 0: return 0;
  case 1: return rng_in(1, 9);
  case 2: return rng_in(1, 10000);
  case 3: return rng_in(1, 1000000);
  case 4: return rng_in(1, MC_MONEY_MAX / 10000);
  default: return rng_in(MC_MONEY_MAX / 4, MC_MONEY_MAX);
  }
}

START_TEST(random_carts_keep_every_invariant) {
  int priced = 0, out_of_range = 0;
  rng_state = UINT64_C(0x9e3779b97f4a7c15);
  for (int iter = 0; iter < 50000; iter++) {
    mc_pricing_line l[64];
    int64_t want_share[64];
    size_t n = (size_t)rng_in(0, iter % 10 == 0 ? 64 : 6);
    mc_pricing_config cfg = config(rng() % 3 ? rng_in(0, 1000) : 0,
                                   rng() % 2 ? rng_in(0, 20000) : 0,
                                   (int)rng_in(0, MC_PRICING_TAX_RATE_MAX), (int)(rng() % 2));
    mc_pricing_coupon c = {MC_COUPON_NONE, 0};
    mc_pricing_totals t;
    __int128 subtotal = 0;
    int wide = rng() % 8 == 0;

    for (size_t i = 0; i < n; i++) {
      l[i] = line(wide ? random_price() : rng_in(0, 5000), rng() % 4 ? rng_in(1, 5) : rng_in(1, 10000));
      subtotal += (__int128)l[i].unit_price * l[i].quantity;
    }
    switch (rng() % 3) {
    case 1: c = percent(rng_in(1, 100)); break;
    case 2: c = fixed(rng() % 2 ? rng_in(1, 20000) : rng_in(1, MC_MONEY_MAX)); break;
    default: break;
    }

    /* What the rules say, worked out here without the code under test. */
    int64_t want_d = 0, goods = 0, want_ship = 0, want_tax = 0;
    __int128 want_total = 0;
    int in_range = subtotal <= MC_MONEY_MAX;
    if (in_range) {
      int64_t sub = (int64_t)subtotal;
      if (c.kind == MC_COUPON_PERCENT) want_d = ref_ratio(sub, c.value, 100);
      if (c.kind == MC_COUPON_FIXED) want_d = c.value < sub ? c.value : sub;
      goods = sub - want_d;
      if (n > 0 && !(cfg.free_shipping_threshold > 0 && goods >= cfg.free_shipping_threshold))
        want_ship = cfg.shipping_flat;
      want_tax = cfg.tax_inclusive ? ref_ratio(goods, cfg.tax_rate_bp, 10000 + cfg.tax_rate_bp)
                                   : ref_ratio(goods, cfg.tax_rate_bp, 10000);
      want_total = (__int128)goods + want_ship + (cfg.tax_inclusive ? 0 : want_tax);
      in_range = want_total <= MC_MONEY_MAX;
    }

    int rc = mc_pricing_compute(&cfg, l, n, &c, &t);
    if (!in_range) {
      ck_assert_int_eq(rc, MC_ERR_INVALID);
      assert_totals(&t, 0, 0, 0, 0, 0);
      for (size_t i = 0; i < n; i++) ck_assert(l[i].line_total == 0 && l[i].discount == 0);
      out_of_range++;
      continue;
    }
    ck_assert_int_eq(rc, MC_OK);
    priced++;
    assert_totals(&t, (int64_t)subtotal, want_d, want_ship, want_tax, (int64_t)want_total);

    /* The invariants, stated directly. */
    ck_assert_int_ge(t.discount, 0);
    ck_assert_int_le(t.discount, t.subtotal);
    ck_assert_int_le(t.tax, t.subtotal - t.discount);
    ck_assert_int_eq(t.total,
                     t.subtotal - t.discount + t.shipping + (cfg.tax_inclusive ? 0 : t.tax));
    ck_assert_int_ge(t.total, 0);

    /* The lines: totals right, shares sum to the discount, none beyond its line, each one what
     * the obvious largest-remainder method gives. */
    int64_t sum_totals = 0, sum_shares = 0;
    ref_allocate(l, n, t.discount, t.subtotal, want_share);
    for (size_t i = 0; i < n; i++) {
      ck_assert_int_eq(l[i].line_total, l[i].unit_price * l[i].quantity);
      ck_assert_int_ge(l[i].discount, 0);
      ck_assert_int_le(l[i].discount, l[i].line_total);
      ck_assert_int_eq(l[i].discount, want_share[i]);
      sum_totals += l[i].line_total;
      sum_shares += l[i].discount;
    }
    ck_assert_int_eq(sum_totals, t.subtotal);
    ck_assert_int_eq(sum_shares, t.discount);
  }
  /* The generator reaches both outcomes often enough for the checks above to mean something. */
  ck_assert_int_gt(priced, 40000);
  ck_assert_int_gt(out_of_range, 200);
}
END_TEST

START_TEST(a_long_cart_shares_its_discount_like_the_obvious_method) {
  /* 64 lines whose shares all have fractions, so dozens of leftover cents are handed out. */
  mc_pricing_line l[64];
  int64_t want[64];
  mc_pricing_totals t;
  for (size_t i = 0; i < 64; i++) l[i] = line((int64_t)(i * 37 % 101) + 1, (int64_t)(i % 3) + 1);
  for (int64_t d = 1; d <= 500; d += 7) {
    mc_pricing_coupon c = fixed(d);
    ck_assert_int_eq(mc_pricing_compute(&plain, l, 64, &c, &t), MC_OK);
    ref_allocate(l, 64, t.discount, t.subtotal, want);
    for (size_t i = 0; i < 64; i++) ck_assert_int_eq(l[i].discount, want[i]);
  }
}
END_TEST

/* A test case named name, already added to s. */
static TCase *section(Suite *s, const char *name) {
  TCase *tc = tcase_create(name);
  suite_add_tcase(s, tc);
  return tc;
}

static Suite *pricing_suite(void) {
  Suite *s = suite_create("pricing");
  TCase *tc;

  tc = section(s, "lines");
  tcase_add_test(tc, empty_cart_is_all_zero_and_ships_nothing);
  tcase_add_test(tc, single_line_total_is_unit_price_times_quantity);
  tcase_add_test(tc, lines_add_up_to_the_subtotal);
  tcase_add_test(tc, quantity_is_1_to_10000);
  tcase_add_test(tc, a_free_line_costs_nothing_but_the_cart_still_ships);
  tcase_add_test(tc, outputs_given_by_the_caller_are_ignored_and_overwritten);

  tc = section(s, "coupons");
  tcase_add_test(tc, no_coupon_null_and_kind_none_are_the_same);
  tcase_add_test(tc, percent_discount_rounds_half_away_from_zero);
  tcase_add_test(tc, percent_discount_is_taken_from_the_subtotal_not_per_line);
  tcase_add_test(tc, percent_100_makes_the_goods_free_but_not_the_shipping);
  tcase_add_test(tc, fixed_discount_below_the_subtotal_is_taken_in_full);
  tcase_add_test(tc, fixed_discount_above_the_subtotal_is_capped_and_shipping_still_applies);
  tcase_add_test(tc, fixed_discount_equal_to_the_subtotal_leaves_zero_goods);

  tc = section(s, "shares");
  tcase_add_test(tc, discount_is_shared_in_proportion_to_line_totals);
  tcase_add_test(tc, leftover_cents_go_to_the_largest_remainders);
  tcase_add_test(tc, equal_remainders_favour_the_earlier_line);
  tcase_add_test(tc, zero_price_lines_get_no_discount);
  tcase_add_test(tc, no_line_is_discounted_beyond_its_total);
  tcase_add_test(tc, shares_stay_exact_at_the_top_of_the_money_range);

  tc = section(s, "shipping");
  tcase_add_test(tc, shipping_is_free_exactly_at_the_threshold);
  tcase_add_test(tc, shipping_is_charged_one_cent_below_the_threshold);
  tcase_add_test(tc, free_shipping_threshold_compares_the_goods_after_discount);
  tcase_add_test(tc, free_shipping_threshold_compares_goods_without_tax);
  tcase_add_test(tc, threshold_zero_means_shipping_is_never_free);
  tcase_add_test(tc, zero_flat_rate_ships_free_always);

  tc = section(s, "tax");
  tcase_add_test(tc, exclusive_tax_is_added_on_the_goods_after_discount);
  tcase_add_test(tc, exclusive_tax_is_rounded_once_on_the_goods);
  tcase_add_test(tc, inclusive_tax_is_extracted_and_not_added);
  tcase_add_test(tc, inclusive_tax_is_taken_from_the_goods_after_discount);
  tcase_add_test(tc, tax_is_not_applied_to_shipping);
  tcase_add_test(tc, tax_rate_zero_is_no_tax);
  tcase_add_test(tc, tax_rate_100_percent_doubles_or_halves);

  tc = section(s, "range");
  tcase_add_test(tc, amounts_up_to_the_money_maximum_are_priced);
  tcase_add_test(tc, leaving_the_money_range_is_invalid_with_outputs_zeroed);

  tc = section(s, "bad_input");
  tcase_add_test(tc, bad_lines_are_invalid_with_outputs_zeroed);
  tcase_add_test(tc, bad_coupons_are_invalid_with_outputs_zeroed);
  tcase_add_test(tc, bad_config_is_invalid_with_outputs_zeroed);
  tcase_add_test(tc, missing_out_is_invalid_and_leaves_lines_zeroed);
  tcase_add_test(tc, config_check_accepts_exactly_the_documented_ranges);

  tc = section(s, "invariants");
  tcase_add_test(tc, random_carts_keep_every_invariant);
  tcase_add_test(tc, a_long_cart_shares_its_discount_like_the_obvious_method);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(pricing_suite());
  int failed;

  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
