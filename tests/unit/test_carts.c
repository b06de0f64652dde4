/* test_carts.c - the cart service over a real store: guest tokens, the Cart view (warnings,
 * totals, the coupon as it stands now), and the coupon refusals that need redemptions, which
 * only checkout makes (here through the store's coupon_redeem). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/carts.h"
#include "mercato/config.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_carts.h"
#include "store_catalog.h"
#include "store_contract.h"

/* One service over a fresh store, with the default settings. */
typedef struct fixture {
  store_env env;
  mc_store *st;
  mc_config cfg;
  mc_pricing_config pricing;
  mc_carts c;
  json_t *parsed; /* every answer parsed by cart_of, freed at teardown */
} fixture;

/* The "cart" of an outcome's answer, parsed (borrowed from f until teardown). */
static json_t *cart_of(fixture *f, const mc_cart_outcome *o) {
  json_t *doc;
  ck_assert_ptr_nonnull(o->body);
  ck_assert_uint_eq(strlen(o->body), o->len);
  doc = json_loads(o->body, JSON_REJECT_DUPLICATES, NULL);
  ck_assert_msg(doc != NULL, "the answer is not JSON: %s", o->body);
  ck_assert_int_eq(json_array_append_new(f->parsed, doc), 0);
  ck_assert_uint_eq(json_object_size(doc), 1);
  return json_object_get(doc, "cart");
}

static void setup(fixture *f, const store_factory *factory) {
  char *argv[] = {"mercato", NULL};
  FILE *null = fopen("/dev/null", "w");
  memset(f, 0, sizeof *f);
  ck_assert_int_eq(mc_config_load(&f->cfg, 1, argv, 1, null, null), MC_OK);
  fclose(null);
  f->pricing = (mc_pricing_config){.shipping_flat = f->cfg.shipping_flat,
                                   .free_shipping_threshold = f->cfg.free_shipping_threshold,
                                   .tax_rate_bp = f->cfg.tax_rate_bp, .tax_inclusive = f->cfg.tax_inclusive};
  f->st = open_fresh(factory, &f->env);
  f->c = (mc_carts){&f->cfg, &f->pricing, f->st, NULL};
  f->parsed = json_array();
}

static void teardown(fixture *f) {
  json_decref(f->parsed);
  close_and_drop(f->st, &f->env);
  mc_config_free(&f->cfg);
}

/* Creates a coupon from members (consumed, code and kind/value among them). */
static json_t *coupon_ok(mc_store *st, json_t *members) {
  json_t *doc = new_doc_pack("cpn", members), *out = NULL;
  ck_assert_int_eq(mc_store_coupon_create(st, doc, &out, NULL), MC_OK);
  json_decref(doc);
  return out;
}

static void redeem(mc_store *st, const json_t *coupon, const char *user_id) {
  char order[MC_ID_MAX];
  mc_coupon_refusal r = MC_COUPON_UNKNOWN;
  ck_assert_int_eq(mc_id_new("ord", order), MC_OK);
  ck_assert_int_eq(mc_store_coupon_redeem(st, str_of(coupon, "id"), order, user_id, mc_now_ms(), &r, NULL), MC_OK);
  ck_assert_int_eq(r, MC_COUPON_APPLIES);
}

static int64_t total_of(const json_t *cart, const char *key) {
  return json_integer_value(json_object_get(json_object_get(cart, "totals"), key));
}

/* ---- tokens ----------------------------------------------------------------------------------- */

START_TEST(service_cart_guest_first_write_makes_a_token_later_writes_keep_it) {
  fixture f;
  setup(&f, &factories[_i]);
  json_t *mug = stocked(f.st, "mug", 1000, 10);
  mc_cart_outcome first, again, other;
  mc_cart_who nobody = {0};

  ck_assert_int_eq(mc_cart_add(&f.c, &nobody, str_of(mug, "id"), 1, &first), MC_OK);
  ck_assert_int_eq(first.new_token, 1);
  ck_assert(mc_cart_token_valid(first.token));
  ck_assert_str_eq(str_of(cart_of(&f, &first), "token"), first.token);
  mc_cart_who guest = {.token = first.token};
  ck_assert_int_eq(mc_cart_add(&f.c, &guest, str_of(mug, "id"), 2, &again), MC_OK);
  ck_assert_int_eq(again.new_token, 0);
  ck_assert_str_eq(again.token, first.token);
  ck_assert_str_eq(str_of(cart_of(&f, &again), "id"), str_of(cart_of(&f, &first), "id"));
  ck_assert_int_eq(json_integer_value(json_object_get(cart_of(&f, &again), "item_count")), 3);
  /* A well-formed token that names no cart is not adopted: the write makes its own. */
  mc_cart_who stranger = {.token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
  ck_assert(mc_cart_token_valid(stranger.token));
  ck_assert_int_eq(mc_cart_add(&f.c, &stranger, str_of(mug, "id"), 1, &other), MC_OK);
  ck_assert_int_eq(other.new_token, 1);
  ck_assert_str_ne(other.token, stranger.token);
  ck_assert_str_ne(other.token, first.token);
  mc_cart_outcome_clear(&first);
  mc_cart_outcome_clear(&again);
  mc_cart_outcome_clear(&other);
  json_decref(mug);
  teardown(&f);
}
END_TEST

START_TEST(service_cart_token_shape_is_checked) {
  ck_assert(!mc_cart_token_valid(NULL));
  ck_assert(!mc_cart_token_valid(""));
  ck_assert(!mc_cart_token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));   /* 42 */
  ck_assert(!mc_cart_token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")); /* 44 */
  ck_assert(!mc_cart_token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+"));  /* not base64url */
  ck_assert(!mc_cart_token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"));  /* stray low bits */
  ck_assert(mc_cart_token_valid("Az09-_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAw"));
}
END_TEST

START_TEST(service_cart_a_guest_without_a_cart_sees_an_empty_one) {
  fixture f;
  setup(&f, &factories[_i]);
  mc_cart_outcome o;
  mc_cart_who guest = {.token = "not a token"};

  ck_assert_int_eq(mc_cart_get(&f.c, &guest, &o), MC_OK);
  ck_assert(json_is_null(json_object_get(cart_of(&f, &o), "id")));
  ck_assert(json_is_null(json_object_get(cart_of(&f, &o), "token")));
  ck_assert_str_eq(o.token, "");
  ck_assert_int_eq(total_of(cart_of(&f, &o), "shipping"), 0);
  ck_assert(json_is_false(json_object_get(cart_of(&f, &o), "checkout_ready")));
  mc_cart_outcome_clear(&o);
  /* Removing what is not there: not_in_cart; clearing nothing: the empty cart. */
  ck_assert_int_eq(mc_cart_remove(&f.c, &guest, "prod_00000000000000000000000000", &o), MC_ERR_NOT_FOUND);
  ck_assert_str_eq(o.why.code, "not_in_cart");
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_clear(&f.c, &guest, &o), MC_OK);
  ck_assert(json_is_null(json_object_get(cart_of(&f, &o), "id")));
  mc_cart_outcome_clear(&o);
  teardown(&f);
}
END_TEST

/* ---- the view --------------------------------------------------------------------------------- */

START_TEST(service_cart_view_warns_per_line_and_prices_only_purchasable_lines) {
  fixture f;
  setup(&f, &factories[_i]);
  json_t *user = user_create_ok(f.st, "a@example.com");
  mc_cart_who me = {.user_id = str_of(user, "id")};
  json_t *a = stocked(f.st, "a", 1000, 10), *b = stocked(f.st, "b", 500, 10), *cc = stocked(f.st, "c", 300, 10);
  json_t *d = stocked(f.st, "d", 200, 10), *lines, *w;
  mc_cart_outcome o;

  ck_assert_int_eq(mc_cart_add(&f.c, &me, str_of(a, "id"), 2, &o), MC_OK);
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_add(&f.c, &me, str_of(b, "id"), 3, &o), MC_OK);
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_add(&f.c, &me, str_of(cc, "id"), 1, &o), MC_OK);
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_add(&f.c, &me, str_of(d, "id"), 1, &o), MC_OK);
  mc_cart_outcome_clear(&o);
  json_decref(product_update_ok(f.st, str_of(a, "id"), json_pack("{s:i}", "price", 1100)));
  json_decref(product_update_ok(f.st, str_of(b, "id"), json_pack("{s:i}", "stock", 2)));
  json_decref(product_update_ok(f.st, str_of(cc, "id"), json_pack("{s:i}", "stock", 0)));
  json_decref(product_update_ok(f.st, str_of(d, "id"), json_pack("{s:b}", "active", 0)));
  ck_assert_int_eq(mc_cart_get(&f.c, &me, &o), MC_OK);
  lines = json_object_get(cart_of(&f, &o), "items");
  ck_assert_uint_eq(json_array_size(lines), 4);
  w = json_array_get(json_object_get(json_array_get(lines, 0), "warnings"), 0);
  ck_assert_str_eq(str_of(w, "code"), "price_changed");
  ck_assert_int_eq(json_integer_value(json_object_get(w, "previous_price")), 1000);
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(lines, 0), "unit_price")), 1100);
  w = json_array_get(json_object_get(json_array_get(lines, 1), "warnings"), 0);
  ck_assert_str_eq(str_of(w, "code"), "insufficient_stock");
  ck_assert_int_eq(json_integer_value(json_object_get(w, "available")), 2);
  w = json_array_get(json_object_get(json_array_get(lines, 2), "warnings"), 0);
  ck_assert_str_eq(str_of(w, "code"), "out_of_stock");
  w = json_array_get(json_object_get(json_array_get(lines, 3), "warnings"), 0);
  ck_assert_str_eq(str_of(w, "code"), "unavailable");
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(lines, 3), "available")), 0);
  /* 2 x 11.00 + 3 x 5.00 at current prices; the sold-out and the withdrawn lines do not count. */
  ck_assert_int_eq(total_of(cart_of(&f, &o), "subtotal"), 3700);
  ck_assert_int_eq(total_of(cart_of(&f, &o), "shipping"), 499);
  ck_assert_int_eq(total_of(cart_of(&f, &o), "total"), 4199);
  ck_assert_int_eq(json_integer_value(json_object_get(cart_of(&f, &o), "item_count")), 7);
  ck_assert(json_is_false(json_object_get(cart_of(&f, &o), "checkout_ready")));
  mc_cart_outcome_clear(&o);
  /* Acting on each line clears its warning. */
  ck_assert_int_eq(mc_cart_set(&f.c, &me, str_of(a, "id"), 2, &o), MC_OK);
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_set(&f.c, &me, str_of(b, "id"), 2, &o), MC_OK);
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_remove(&f.c, &me, str_of(cc, "id"), &o), MC_OK);
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_remove(&f.c, &me, str_of(d, "id"), &o), MC_OK);
  ck_assert(json_is_true(json_object_get(cart_of(&f, &o), "checkout_ready")));
  mc_cart_outcome_clear(&o);
  json_decref(a);
  json_decref(b);
  json_decref(cc);
  json_decref(d);
  json_decref(user);
  teardown(&f);
}
END_TEST

START_TEST(service_cart_totals_follow_the_pricing_settings) {
  fixture f;
  setup(&f, &factories[_i]);
  json_t *user = user_create_ok(f.st, "a@example.com");
  mc_cart_who me = {.user_id = str_of(user, "id")};
  json_t *a = stocked(f.st, "a", 2500, 10);
  mc_cart_outcome o;

  f.pricing.tax_rate_bp = 2000;
  ck_assert_int_eq(mc_cart_add(&f.c, &me, str_of(a, "id"), 2, &o), MC_OK);
  /* 50.00 reaches the free-shipping threshold; 20% tax on top. */
  ck_assert_int_eq(total_of(cart_of(&f, &o), "shipping"), 0);
  ck_assert_int_eq(total_of(cart_of(&f, &o), "tax"), 1000);
  ck_assert_int_eq(total_of(cart_of(&f, &o), "total"), 6000);
  mc_cart_outcome_clear(&o);
  f.pricing.tax_inclusive = 1;
  ck_assert_int_eq(mc_cart_get(&f.c, &me, &o), MC_OK);
  ck_assert_int_eq(total_of(cart_of(&f, &o), "tax"), 833);
  ck_assert_int_eq(total_of(cart_of(&f, &o), "total"), 5000);
  ck_assert(json_is_true(json_object_get(json_object_get(cart_of(&f, &o), "totals"), "tax_inclusive")));
  mc_cart_outcome_clear(&o);
  json_decref(a);
  json_decref(user);
  teardown(&f);
}
END_TEST

/* ---- coupons ---------------------------------------------------------------------------------- */

START_TEST(service_cart_coupon_exhausted_by_redemptions_is_refused_and_flagged) {
  fixture f;
  setup(&f, &factories[_i]);
  json_t *user = user_create_ok(f.st, "a@example.com");
  mc_cart_who me = {.user_id = str_of(user, "id")};
  json_t *a = stocked(f.st, "a", 2000, 10);
  json_t *limited = coupon_ok(f.st, json_pack("{s:s, s:s, s:i, s:i}", "code", "TWICE", "kind", "percent",
                                              "value", 10, "usage_limit", 2));
  json_t *problem;
  mc_cart_outcome o;

  ck_assert_int_eq(mc_cart_add(&f.c, &me, str_of(a, "id"), 1, &o), MC_OK);
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_apply_coupon(&f.c, &me, " twice ", &o), MC_OK);
  ck_assert_int_eq(total_of(cart_of(&f, &o), "discount"), 200);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(cart_of(&f, &o), "coupon"), "discount")), 200);
  mc_cart_outcome_clear(&o);
  redeem(f.st, limited, NULL);
  redeem(f.st, limited, NULL);
  /* On the cart: it stays, says why, and takes nothing off. */
  ck_assert_int_eq(mc_cart_get(&f.c, &me, &o), MC_OK);
  problem = json_object_get(cart_of(&f, &o), "coupon_problem");
  ck_assert_str_eq(str_of(problem, "code"), "coupon_exhausted");
  ck_assert_int_eq(total_of(cart_of(&f, &o), "discount"), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(cart_of(&f, &o), "coupon"), "discount")), 0);
  mc_cart_outcome_clear(&o);
  /* Applied again: refused, with nothing changed. */
  ck_assert_int_eq(mc_cart_apply_coupon(&f.c, &me, "TWICE", &o), MC_ERR_INVALID);
  ck_assert_str_eq(o.why.code, "coupon_exhausted");
  ck_assert_ptr_null(o.body);
  mc_cart_outcome_clear(&o);
  json_decref(limited);
  json_decref(a);
  json_decref(user);
  teardown(&f);
}
END_TEST

START_TEST(service_cart_coupon_already_used_by_this_customer_is_refused_to_them_only) {
  fixture f;
  setup(&f, &factories[_i]);
  json_t *ann = user_create_ok(f.st, "ann@example.com"), *bob = user_create_ok(f.st, "bob@example.com");
  mc_cart_who as_ann = {.user_id = str_of(ann, "id")}, as_bob = {.user_id = str_of(bob, "id")};
  mc_cart_who guest = {0};
  json_t *once = coupon_ok(f.st, json_pack("{s:s, s:s, s:i, s:i}", "code", "ONCE", "kind", "fixed", "value", 300,
                                           "per_customer_limit", 1));
  mc_cart_outcome o;

  redeem(f.st, once, str_of(ann, "id"));
  ck_assert_int_eq(mc_cart_apply_coupon(&f.c, &as_ann, "once", &o), MC_ERR_INVALID);
  ck_assert_str_eq(o.why.code, "coupon_already_used_by_you");
  ck_assert_str_eq(o.why.detail, "You have already used this coupon.");
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_apply_coupon(&f.c, &as_bob, "once", &o), MC_OK);
  ck_assert_str_eq(str_of(json_object_get(cart_of(&f, &o), "coupon"), "code"), "ONCE");
  mc_cart_outcome_clear(&o);
  /* A coupon with a per-customer limit needs a customer. */
  ck_assert_int_eq(mc_cart_apply_coupon(&f.c, &guest, "once", &o), MC_ERR_INVALID);
  ck_assert_str_eq(o.why.code, "coupon_sign_in_required");
  mc_cart_outcome_clear(&o);
  json_decref(once);
  json_decref(ann);
  json_decref(bob);
  teardown(&f);
}
END_TEST

START_TEST(service_cart_coupon_below_minimum_reports_the_minimum) {
  fixture f;
  setup(&f, &factories[_i]);
  json_t *min = coupon_ok(f.st, json_pack("{s:s, s:s, s:i, s:i}", "code", "BIG", "kind", "percent", "value", 5,
                                          "min_subtotal", 5000));
  mc_cart_outcome o;
  mc_cart_who guest = {0};

  ck_assert_int_eq(mc_cart_apply_coupon(&f.c, &guest, "big", &o), MC_ERR_INVALID);
  ck_assert_str_eq(o.why.code, "coupon_below_minimum");
  ck_assert_int_eq(mc_refusal_number_get(&o.why, "minimum", -1), 5000);
  ck_assert_str_eq(o.why.detail, "This coupon needs a subtotal of at least 50.00 EUR.");
  mc_cart_outcome_clear(&o);
  ck_assert_int_eq(mc_cart_apply_coupon(&f.c, &guest, "no such code!", &o), MC_ERR_INVALID);
  ck_assert_str_eq(o.why.code, "coupon_unknown");
  mc_cart_outcome_clear(&o);
  json_decref(min);
  teardown(&f);
}
END_TEST

static Suite *carts_suite(void) {
  Suite *s = suite_create("carts");
  TCase *t = tcase_create("service");

  tcase_add_loop_test(t, service_cart_guest_first_write_makes_a_token_later_writes_keep_it, 0, FACTORY_COUNT);
  tcase_add_test(t, service_cart_token_shape_is_checked);
  tcase_add_loop_test(t, service_cart_a_guest_without_a_cart_sees_an_empty_one, 0, FACTORY_COUNT);
  tcase_add_loop_test(t, service_cart_view_warns_per_line_and_prices_only_purchasable_lines, 0, FACTORY_COUNT);
  tcase_add_loop_test(t, service_cart_totals_follow_the_pricing_settings, 0, FACTORY_COUNT);
  tcase_add_loop_test(t, service_cart_coupon_exhausted_by_redemptions_is_refused_and_flagged, 0, FACTORY_COUNT);
  tcase_add_loop_test(t, service_cart_coupon_already_used_by_this_customer_is_refused_to_them_only, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(t, service_cart_coupon_below_minimum_reports_the_minimum, 0, FACTORY_COUNT);
  suite_add_tcase(s, t);
  return s;
}

int main(void) {
  return store_contract_main(carts_suite(), "mercato-cart-service");
}
