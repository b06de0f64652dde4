/* test_rules_carts.c - the cart's pure rules (rules/carts.h): the add, set and merge plans an
 * adapter applies inside its transaction, guest cart lifetimes, and the subtotal cap that keeps
 * every cart priceable. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/rules/carts.h"

static const mc_cart_limits LIMITS = {.max_quantity = 10, .max_lines = 2, .guest_ttl_ms = 30000,
                                      .guest_first_ttl_ms = 1000, .max_subtotal = 100000};

/* Plans an add and checks the refusal (code NULL: it applies, to want). */
static void add_is(const mc_cart_line_state *s, int64_t q, int err, const char *code, const char *number,
                   int64_t value) {
  mc_refusal why = {0};
  int64_t want = -1;
  ck_assert_int_eq(mc_cart_plan_add(&LIMITS, s, q, &want, &why), err);
  if (code == NULL) {
    ck_assert_ptr_null(why.code);
    ck_assert_int_eq(want, value);
  } else {
    ck_assert_str_eq(why.code, code);
    ck_assert_msg(why.detail[0] != '\0', "no detail");
    if (number) ck_assert_int_eq(mc_refusal_number_get(&why, number, -1), value);
  }
  mc_refusal_clear(&why);
}

START_TEST(add_adds_to_the_line_within_every_limit) {
  mc_cart_line_state s = {.found = 1, .active = 1, .price = 100, .stock = 8, .quantity = 3, .lines = 2, .others = 500};
  add_is(&s, 4, MC_OK, NULL, NULL, 7);
}
END_TEST

START_TEST(add_refuses_in_order_unknown_full_line_limit_stock_total) {
  mc_cart_line_state s = {.found = 0};
  add_is(&s, 1, MC_ERR_NOT_FOUND, "unknown_product", NULL, 0);
  s = (mc_cart_line_state){.found = 1, .active = 0, .stock = 5};
  add_is(&s, 1, MC_ERR_NOT_FOUND, "unknown_product", NULL, 0);
  s = (mc_cart_line_state){.found = 1, .active = 1, .price = 100, .stock = 5, .lines = 2};
  add_is(&s, 20, MC_ERR_CONFLICT, "cart_full", "limit", 2);
  s.quantity = 8;
  add_is(&s, 3, MC_ERR_INVALID, "line_limit", "available", 2);
  add_is(&s, 2, MC_ERR_CONFLICT, "insufficient_stock", "available", 5);
  s = (mc_cart_line_state){.found = 1, .active = 1, .price = 10000, .stock = 50, .lines = 1, .others = 95000};
  add_is(&s, 1, MC_ERR_INVALID, "total_limit", "limit", 100000);
}
END_TEST

START_TEST(add_refuses_an_overflowing_line_however_large) {
  mc_cart_line_state s = {.found = 1, .active = 1, .price = MC_MONEY_MAX, .stock = 10, .others = MC_MONEY_MAX + 1};
  add_is(&s, 10, MC_ERR_INVALID, "total_limit", NULL, 0);
}
END_TEST

START_TEST(set_refuses_a_missing_line_the_stock_and_the_total) {
  mc_cart_line_state s = {.found = 1, .active = 1, .price = 100, .stock = 4, .quantity = 0};
  mc_refusal why = {0};
  ck_assert_int_eq(mc_cart_plan_set(&LIMITS, &s, 1, &why), MC_ERR_NOT_FOUND);
  ck_assert_str_eq(why.code, "not_in_cart");
  mc_refusal_clear(&why);
  s.quantity = 1;
  ck_assert_int_eq(mc_cart_plan_set(&LIMITS, &s, 5, &why), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_refusal_number_get(&why, "available", -1), 4);
  mc_refusal_clear(&why);
  s.active = 0; /* an inactive product has none */
  ck_assert_int_eq(mc_cart_plan_set(&LIMITS, &s, 1, &why), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_refusal_number_get(&why, "available", -1), 0);
  mc_refusal_clear(&why);
  s = (mc_cart_line_state){.found = 1, .active = 1, .price = 50000, .stock = 10, .quantity = 1};
  ck_assert_int_eq(mc_cart_plan_set(&LIMITS, &s, 2, &why), MC_OK);
  ck_assert_int_eq(mc_cart_plan_set(&LIMITS, &s, 3, &why), MC_ERR_INVALID);
  ck_assert_str_eq(why.code, "total_limit");
  mc_refusal_clear(&why);
}
END_TEST

START_TEST(merge_caps_adds_drops_and_keeps_the_customers_lines) {
  mc_cart_merge_line m[5] = {
    /* the customer has 4 of "both": 4 + 5 capped at the stock of 6, the customer's price kept */
    {.product_id = "both", .quantity = 5, .unit_price = 90, .price = 100, .stock = 6, .active = 1, .have = 4,
     .have_price = 95},
    /* sold out and inactive lines are dropped */
    {.product_id = "sold", .quantity = 1, .price = 100, .stock = 0, .active = 1},
    {.product_id = "gone", .quantity = 1, .price = 100, .stock = 9, .active = 0},
    /* a new line, capped by max_quantity, the guest's price kept */
    {.product_id = "new", .quantity = 50, .unit_price = 80, .price = 100, .stock = 99, .active = 1},
    /* no room for a third line (max_lines 2) */
    {.product_id = "late", .quantity = 1, .price = 100, .stock = 9, .active = 1},
  };
  mc_cart_plan_merge(&LIMITS, m, 5, 1, 400);
  ck_assert_int_eq(m[0].put, 6);
  ck_assert_int_eq(m[0].put_price, 95);
  ck_assert_int_eq(m[1].put, 0);
  ck_assert_int_eq(m[2].put, 0);
  ck_assert_int_eq(m[3].put, 10);
  ck_assert_int_eq(m[3].put_price, 80);
  ck_assert_int_eq(m[4].put, 0);
}
END_TEST

START_TEST(merge_never_lowers_a_line_nor_passes_the_total) {
  mc_cart_merge_line m[2] = {
    {.product_id = "low", .quantity = 2, .price = 100, .stock = 3, .active = 1, .have = 5, .have_price = 100},
    {.product_id = "dear", .quantity = 1, .price = 99000, .stock = 3, .active = 1},
  };
  mc_cart_plan_merge(&LIMITS, m, 2, 1, 5000);
  ck_assert_int_eq(m[0].put, 0); /* capped at 3 < the 5 the customer has: left alone */
  ck_assert_int_eq(m[1].put, 0); /* 5000 + 99000 passes 100000 */
}
END_TEST

START_TEST(guest_carts_live_briefly_until_their_second_write) {
  mc_cart_limits no_first = LIMITS;
  ck_assert_int_eq(mc_cart_guest_expiry(&LIMITS, 1, 1000), 2000);
  ck_assert_int_eq(mc_cart_guest_expiry(&LIMITS, 0, 1000), 31000);
  no_first.guest_first_ttl_ms = 0;
  ck_assert_int_eq(mc_cart_guest_expiry(&no_first, 1, 1000), 31000);
}
END_TEST

START_TEST(limits_are_checked_and_the_subtotal_cap_keeps_totals_priceable) {
  mc_cart_limits l = LIMITS;
  mc_pricing_config exclusive = {.shipping_flat = 499, .tax_rate_bp = 2000};
  mc_pricing_config inclusive = {.shipping_flat = 499, .tax_rate_bp = 2000, .tax_inclusive = 1};
  int64_t max = mc_cart_subtotal_max(&exclusive);
  ck_assert_int_eq(mc_cart_limits_valid(&l), 1);
  l.guest_first_ttl_ms = l.guest_ttl_ms + 1;
  ck_assert_int_eq(mc_cart_limits_valid(&l), 0);
  l = LIMITS;
  l.max_subtotal = MC_MONEY_MAX + 1;
  ck_assert_int_eq(mc_cart_limits_valid(&l), 0);
  /* The largest subtotal plus 20% tax and shipping stays within MC_MONEY_MAX. */
  ck_assert(max + (max * 2000 + 5000) / 10000 + 499 <= MC_MONEY_MAX);
  ck_assert(max > MC_MONEY_MAX / 2);
  ck_assert_int_eq(mc_cart_subtotal_max(&inclusive), MC_MONEY_MAX - 499);
}
END_TEST

int main(void) {
  Suite *s = suite_create("rules_carts");
  TCase *t = tcase_create("rules");
  SRunner *sr;
  int failed;

  tcase_add_test(t, add_adds_to_the_line_within_every_limit);
  tcase_add_test(t, add_refuses_in_order_unknown_full_line_limit_stock_total);
  tcase_add_test(t, add_refuses_an_overflowing_line_however_large);
  tcase_add_test(t, set_refuses_a_missing_line_the_stock_and_the_total);
  tcase_add_test(t, merge_caps_adds_drops_and_keeps_the_customers_lines);
  tcase_add_test(t, merge_never_lowers_a_line_nor_passes_the_total);
  tcase_add_test(t, guest_carts_live_briefly_until_their_second_write);
  tcase_add_test(t, limits_are_checked_and_the_subtotal_cap_keeps_totals_priceable);
  suite_add_tcase(s, t);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
