/* test_store_coupons.c - the storage port's coupon documents, run once per adapter factory: their
 * rules, codes that ignore case, updates, listings and guarded deletes. Redemptions and their
 * limits are in test_store_coupon_redemptions.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/money.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"
#include "store_coupons.h"

/* ---- helpers ---- */

/* Applies changes (consumed) expecting err, and checks that the coupon did not change. */
static void coupon_update_fails(mc_store *st, const json_t *before, json_t *changes, int err) {
  json_t *out = (json_t *)st, *after;
  ck_assert_int_eq(mc_store_coupon_update(st, str_of(before, "id"), changes, &out, NULL), err);
  ck_assert_ptr_null(out);
  after = coupon_get_ok(st, str_of(before, "id"));
  ck_assert_msg(json_equal(after, before), "a failed update changed the coupon");
  json_decref(after);
  json_decref(changes);
}

static mc_coupon_query all_coupons(void) {
  return (mc_coupon_query){.code_part = NULL, .active = -1, .limit = 100, .offset = 0};
}

/* Lists q and checks the count and the codes of the page, in order ("A,B"). */
static void assert_coupons(mc_store *st, const mc_coupon_query *q, int64_t count, const char *codes) {
  json_t *items = NULL, *c;
  int64_t n = -1;
  char got[512] = "";
  size_t i;

  ck_assert_int_eq(mc_store_coupon_list(st, q, &items, &n), MC_OK);
  json_array_foreach(items, i, c) {
    if (i > 0) strcat(got, ",");
    strcat(got, str_of(c, "code"));
  }
  ck_assert_str_eq(got, codes);
  ck_assert_int_eq(n, count);
  json_decref(items);
}

/* ---- contract: documents ---- */

START_TEST(contract_coupon_round_trips_with_defaults) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = coupon_doc("save10", "percent", 10);
  json_t *created, *got = NULL;
  char id[MC_ID_MAX];

  snprintf(id, sizeof id, "%s", str_of(doc, "id"));
  created = coupon_create_ok(st, doc);
  ck_assert_uint_eq(json_object_size(created), 13);
  ck_assert_str_eq(str_of(created, "id"), id);
  ck_assert_str_eq(str_of(created, "code"), "SAVE10");
  ck_assert_str_eq(str_of(created, "kind"), "percent");
  ck_assert_int_eq(int_of(created, "value"), 10);
  ck_assert_int_eq(int_of(created, "times_used"), 0);
  ck_assert(json_is_true(json_object_get(created, "active")));
  for (const char *const *k = (const char *const[]){"min_subtotal", "starts_at", "expires_at", "usage_limit",
                                                    "per_customer_limit", NULL};
       *k; k++)
    ck_assert_msg(json_is_null(json_object_get(created, *k)), "%s is not null", *k);
  assert_rfc3339_ms(str_of(created, "created_at"));
  ck_assert_str_eq(str_of(created, "updated_at"), str_of(created, "created_at"));
  got = coupon_get_ok(st, id);
  ck_assert(json_equal(got, created));
  json_decref(got);
  json_decref(created);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_codes_are_found_in_any_case) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *created = coupon_create_ok(st, coupon_doc("Spring-Sale_2", "fixed", 500));
  json_t *got = (json_t *)st;

  ck_assert_str_eq(str_of(created, "code"), "SPRING-SALE_2");
  for (const char *const *code = (const char *const[]){"SPRING-SALE_2", "spring-sale_2", "Spring-Sale_2", NULL};
       *code; code++) {
    ck_assert_int_eq(mc_store_coupon_get_by_code(st, *code, &got), MC_OK);
    ck_assert(json_equal(got, created));
    json_decref(got);
  }
  got = (json_t *)st;
  ck_assert_int_eq(mc_store_coupon_get_by_code(st, "SPRING", &got), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(got);
  ck_assert_int_eq(mc_store_coupon_get_by_code(st, "spring sale", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_coupon_get_by_code(st, "", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_coupon_get_by_code(st, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_coupon_get_by_code(st, NULL, &got), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_coupon_get(st, "cpn_nope", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_coupon_get(st, NULL, &got), MC_ERR_INVALID);
  json_decref(created);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_keeps_every_member_given) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = coupon_doc("WELCOME", "fixed", 1500);
  json_t *expected, *got;

  set(doc, "min_subtotal", json_integer(5000));
  set(doc, "starts_at", json_string("2026-12-01T01:00:00+01:00")); /* kept as the instant, in UTC */
  set(doc, "expires_at", json_string("2027-01-01T00:00:00.1234Z")); /* cut to the millisecond */
  set(doc, "usage_limit", json_integer(100));
  set(doc, "per_customer_limit", json_integer(1));
  set(doc, "active", json_false());
  expected = json_deep_copy(doc);
  got = coupon_create_ok(st, doc);
  set(expected, "starts_at", json_string("2026-12-01T00:00:00.000Z"));
  set(expected, "expires_at", json_string("2027-01-01T00:00:00.123Z"));
  set(expected, "times_used", json_integer(0));
  set(expected, "created_at", json_string(str_of(got, "created_at")));
  set(expected, "updated_at", json_string(str_of(got, "updated_at")));
  ck_assert_msg(json_equal(got, expected), "stored document differs");
  json_decref(got);
  json_decref(expected);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_duplicate_code_in_any_case_or_id_is_a_conflict) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *first = coupon_create_ok(st, coupon_doc("SUMMER", "percent", 5));
  json_t *same_code = coupon_doc("summer", "fixed", 100);
  json_t *same_id = coupon_doc("WINTER", "fixed", 100);
  json_t *out = (json_t *)st;
  mc_coupon_query q = all_coupons();

  set(same_id, "id", json_string(str_of(first, "id")));
  ck_assert_int_eq(mc_store_coupon_create(st, same_code, &out, NULL), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_store_coupon_create(st, same_id, &out, NULL), MC_ERR_CONFLICT);
  assert_coupons(st, &q, 1, "SUMMER");
  json_decref(first);
  json_decref(same_code);
  json_decref(same_id);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_create_rejects_bad_documents) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char product_id[MC_ID_MAX];
  json_t *bad[48];
  json_t *out;
  mc_coupon_query q = all_coupons();
  int n = 0;

  new_id("prod", product_id);
#define BAD_WITH(key, value)                                                                                    \
  do {                                                                                                          \
    bad[n] = coupon_doc("VICTIM", "fixed", 100);                                                                \
    set(bad[n], key, value);                                                                                    \
    n++;                                                                                                        \
  } while (0)
#define BAD_WITHOUT(key)                                                                                        \
  do {                                                                                                          \
    bad[n] = coupon_doc("VICTIM", "fixed", 100);                                                                \
    ck_assert_int_eq(json_object_del(bad[n], key), 0);                                                          \
    n++;                                                                                                        \
  } while (0)
  BAD_WITH("colour", json_string("red"));
  BAD_WITH("times_used", json_integer(0));
  BAD_WITH("created_at", json_string("2026-01-01T00:00:00.000Z"));
  BAD_WITH("id", json_string(product_id));
  BAD_WITH("id", json_string("cpn_123"));
  BAD_WITH("code", json_string(""));
  BAD_WITH("code", json_string("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")); /* 33 */
  BAD_WITH("code", json_string("TWO WORDS"));
  BAD_WITH("code", json_string("CAFÉ"));
  BAD_WITH("code", json_string("50%OFF"));
  BAD_WITH("code", json_null());
  BAD_WITH("code", json_integer(10));
  BAD_WITH("kind", json_string("half"));
  BAD_WITH("kind", json_string("Percent"));
  BAD_WITH("kind", json_null());
  BAD_WITH("value", json_integer(0));
  BAD_WITH("value", json_integer(-5));
  BAD_WITH("value", json_integer(MC_MONEY_MAX + 1));
  BAD_WITH("value", json_real(1.5));
  BAD_WITH("value", json_string("10"));
  BAD_WITH("min_subtotal", json_integer(-1));
  BAD_WITH("min_subtotal", json_integer(MC_MONEY_MAX + 1));
  BAD_WITH("starts_at", json_string("yesterday"));
  BAD_WITH("starts_at", json_string("2026-02-30T00:00:00Z"));
  BAD_WITH("starts_at", json_string("2026-12-01 00:00:00"));
  BAD_WITH("starts_at", json_integer(DEC_1));
  BAD_WITH("expires_at", json_string("2026-12-01T00:00:00"));
  BAD_WITH("usage_limit", json_integer(0));
  BAD_WITH("usage_limit", json_integer(MC_COUPON_LIMIT_MAX + 1));
  BAD_WITH("per_customer_limit", json_integer(0));
  BAD_WITH("per_customer_limit", json_string("1"));
  BAD_WITH("active", json_string("yes"));
  BAD_WITH("active", json_null());
  BAD_WITHOUT("id");
  BAD_WITHOUT("code");
  BAD_WITHOUT("kind");
  BAD_WITHOUT("value");
  /* The rules between members. */
  bad[n] = coupon_doc("VICTIM", "percent", 101);
  n++;
  bad[n] = coupon_doc("VICTIM", "fixed", 100);
  set(bad[n], "starts_at", json_string("2026-12-01T00:00:00Z"));
  set(bad[n], "expires_at", json_string("2026-12-01T00:00:00Z"));
  n++;
  bad[n] = coupon_doc("VICTIM", "fixed", 100);
  set(bad[n], "starts_at", json_string("2026-12-02T00:00:00Z"));
  set(bad[n], "expires_at", json_string("2026-12-01T00:00:00Z"));
  n++;
#undef BAD_WITH
#undef BAD_WITHOUT
  logs_off();
  for (int i = 0; i < n; i++) {
    out = (json_t *)st;
    ck_assert_msg(mc_store_coupon_create(st, bad[i], &out, NULL) == MC_ERR_INVALID, "bad document %d was accepted", i);
    ck_assert_ptr_null(out);
    json_decref(bad[i]);
  }
  ck_assert_int_eq(mc_store_coupon_create(st, NULL, NULL, NULL), MC_ERR_INVALID);
  logs_on();
  assert_coupons(st, &q, 0, "");
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_update_changes_each_member) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *before = coupon_create_ok(st, coupon_doc("OLD", "percent", 10));
  json_t *after, *expected;
  json_t *changes = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:I, s:I, s:b}", "code", "new-code", "kind", "fixed",
                              "value", (json_int_t)2500, "min_subtotal", (json_int_t)10000, "starts_at",
                              "2026-12-01T00:00:00Z", "expires_at", "2026-12-24T23:59:59.999Z", "usage_limit",
                              (json_int_t)50, "per_customer_limit", (json_int_t)2, "active", 0);

  tick();
  ck_assert_ptr_nonnull(changes);
  ck_assert_int_eq(mc_store_coupon_update(st, str_of(before, "id"), changes, &after, NULL), MC_OK);
  expected = json_deep_copy(before);
  ck_assert_int_eq(json_object_update(expected, changes), 0);
  set(expected, "code", json_string("NEW-CODE"));
  set(expected, "starts_at", json_string("2026-12-01T00:00:00.000Z"));
  set(expected, "updated_at", json_string(str_of(after, "updated_at")));
  ck_assert_msg(json_equal(after, expected), "updated document differs");
  ck_assert_str_ne(str_of(after, "updated_at"), str_of(before, "updated_at"));
  ck_assert_str_eq(str_of(after, "created_at"), str_of(before, "created_at"));
  json_decref(changes);
  json_decref(expected);
  json_decref(before);
  /* null takes each optional member back to none; other members stay. */
  before = after;
  changes = json_pack("{s:n, s:n, s:n, s:n, s:n}", "min_subtotal", "starts_at", "expires_at", "usage_limit",
                      "per_customer_limit");
  ck_assert_int_eq(mc_store_coupon_update(st, str_of(before, "id"), changes, &after, NULL), MC_OK);
  for (const char *const *k = (const char *const[]){"min_subtotal", "starts_at", "expires_at", "usage_limit",
                                                    "per_customer_limit", NULL};
       *k; k++)
    ck_assert_msg(json_is_null(json_object_get(after, *k)), "%s is not null", *k);
  ck_assert_str_eq(str_of(after, "code"), "NEW-CODE");
  ck_assert_int_eq(int_of(after, "value"), 2500);
  ck_assert(json_is_false(json_object_get(after, "active")));
  json_decref(changes);
  json_decref(before);
  json_decref(after);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_update_failures_change_nothing) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *other = coupon_create_ok(st, coupon_doc("TAKEN", "fixed", 100));
  json_t *doc = coupon_doc("MINE", "fixed", 500);
  json_t *before, *changes, *out = (json_t *)st;
  char missing[MC_ID_MAX];

  set(doc, "starts_at", json_string("2026-12-01T00:00:00Z"));
  before = coupon_create_ok(st, doc);
  logs_off();
  coupon_update_fails(st, before, json_pack("{s:s}", "code", "taken"), MC_ERR_CONFLICT);
  coupon_update_fails(st, before, json_pack("{s:s}", "colour", "red"), MC_ERR_INVALID);
  coupon_update_fails(st, before, json_pack("{s:i}", "times_used", 3), MC_ERR_INVALID);
  coupon_update_fails(st, before, json_pack("{s:s}", "id", str_of(other, "id")), MC_ERR_INVALID);
  coupon_update_fails(st, before, json_pack("{s:n}", "code"), MC_ERR_INVALID);
  coupon_update_fails(st, before, json_pack("{s:n}", "value"), MC_ERR_INVALID);
  coupon_update_fails(st, before, json_pack("{s:s}", "kind", "half"), MC_ERR_INVALID);
  coupon_update_fails(st, before, json_object(), MC_ERR_INVALID);
  /* The rules are judged on the coupon that would result: a percent of 500, an expiry before
   * the stored start. A valid member beside a bad one is not applied either. */
  coupon_update_fails(st, before, json_pack("{s:s}", "kind", "percent"), MC_ERR_INVALID);
  coupon_update_fails(st, before, json_pack("{s:s, s:s}", "expires_at", "2026-11-30T00:00:00Z", "code", "FRESH"),
                      MC_ERR_INVALID);
  coupon_update_fails(st, before, json_pack("{s:s, s:i}", "code", "FRESH", "usage_limit", 0), MC_ERR_INVALID);
  logs_on();
  new_id("cpn", missing);
  changes = json_pack("{s:b}", "active", 0);
  ck_assert_int_eq(mc_store_coupon_update(st, missing, changes, &out, NULL), MC_ERR_NOT_FOUND);
  json_decref(changes);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_store_coupon_update(st, NULL, NULL, &out, NULL), MC_ERR_INVALID);
  json_decref(other);
  json_decref(before);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_usage_limit_never_goes_below_times_used) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *created = coupon_create_ok(st, coupon_doc("TWICE", "fixed", 100));
  json_t *before, *after = NULL, *changes;

  ck_assert_int_eq(redeem(st, str_of(created, "id"), NULL), MC_COUPON_APPLIES);
  ck_assert_int_eq(redeem(st, str_of(created, "id"), NULL), MC_COUPON_APPLIES);
  before = coupon_get_ok(st, str_of(created, "id"));
  ck_assert_int_eq(int_of(before, "times_used"), 2);
  /* times_used moves with redemptions only; updated_at stays the last admin change. */
  ck_assert_str_eq(str_of(before, "updated_at"), str_of(created, "updated_at"));
  logs_off();
  coupon_update_fails(st, before, json_pack("{s:i}", "usage_limit", 1), MC_ERR_INVALID);
  logs_on();
  changes = json_pack("{s:i}", "usage_limit", 2);
  ck_assert_int_eq(mc_store_coupon_update(st, str_of(before, "id"), changes, &after, NULL), MC_OK);
  json_decref(changes);
  ck_assert_int_eq(int_of(after, "usage_limit"), 2);
  ck_assert_int_eq(redeem(st, str_of(before, "id"), NULL), MC_COUPON_EXHAUSTED);
  json_decref(after);
  json_decref(before);
  json_decref(created);
  close_and_drop(st, &env);
}
END_TEST

/* ---- contract: listing and deleting ---- */

START_TEST(contract_coupon_list_is_newest_first_with_filters) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  static const char *const codes[] = {"SUMMER5", "WINTER", "summer10", "AUTUMN", "BIGSUMMER"};
  mc_coupon_query q = all_coupons();
  json_t *items = (json_t *)st;
  int64_t count = -1;

  for (int i = 0; i < 5; i++) {
    json_t *doc = coupon_doc(codes[i], "fixed", 100);
    if (i == 1 || i == 4) set(doc, "active", json_false());
    json_decref(coupon_create_ok(st, doc));
    tick();
  }
  assert_coupons(st, &q, 5, "BIGSUMMER,AUTUMN,SUMMER10,WINTER,SUMMER5");
  q.limit = 2;
  assert_coupons(st, &q, 5, "BIGSUMMER,AUTUMN");
  q.offset = 2;
  assert_coupons(st, &q, 5, "SUMMER10,WINTER");
  q.offset = 4;
  assert_coupons(st, &q, 5, "SUMMER5");
  q.offset = 50;
  assert_coupons(st, &q, 5, "");
  q = all_coupons();
  q.code_part = "summer";
  assert_coupons(st, &q, 3, "BIGSUMMER,SUMMER10,SUMMER5");
  q.active = 1;
  assert_coupons(st, &q, 2, "SUMMER10,SUMMER5");
  q.code_part = "";
  q.active = 0;
  assert_coupons(st, &q, 2, "BIGSUMMER,WINTER");
  q.code_part = "SPRING";
  q.active = -1;
  assert_coupons(st, &q, 0, "");
  /* Out of range. */
  logs_off();
  for (int i = 0; i < 6; i++) {
    q = all_coupons();
    if (i == 0) q.limit = 0;
    if (i == 1) q.limit = MC_COUPON_LIST_MAX + 1;
    if (i == 2) q.offset = -1;
    if (i == 3) q.active = 2;
    if (i == 4) q.code_part = "SUM MER";
    if (i == 5) q.code_part = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456";
    items = (json_t *)st;
    ck_assert_msg(mc_store_coupon_list(st, &q, &items, &count) == MC_ERR_INVALID, "query %d was accepted", i);
    ck_assert_ptr_null(items);
  }
  logs_on();
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_delete_refuses_a_redeemed_coupon) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *unused = coupon_create_ok(st, coupon_doc("UNUSED", "fixed", 100));
  json_t *used = coupon_create_ok(st, coupon_doc("USED", "fixed", 100));
  json_t *got = NULL;
  mc_coupon_query q = all_coupons();
  char missing[MC_ID_MAX];

  ck_assert_int_eq(redeem(st, str_of(used, "id"), NULL), MC_COUPON_APPLIES);
  ck_assert_int_eq(mc_store_coupon_delete(st, str_of(used, "id"), NULL), MC_ERR_CONFLICT);
  got = coupon_get_ok(st, str_of(used, "id"));
  ck_assert_int_eq(int_of(got, "times_used"), 1);
  json_decref(got);
  ck_assert_int_eq(mc_store_coupon_delete(st, str_of(unused, "id"), NULL), MC_OK);
  ck_assert_int_eq(mc_store_coupon_get(st, str_of(unused, "id"), &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_coupon_get_by_code(st, "UNUSED", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_coupon_delete(st, str_of(unused, "id"), NULL), MC_ERR_NOT_FOUND);
  new_id("cpn", missing);
  ck_assert_int_eq(mc_store_coupon_delete(st, missing, NULL), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_coupon_delete(st, NULL, NULL), MC_ERR_INVALID);
  assert_coupons(st, &q, 1, "USED");
  /* Its code is free again. */
  json_decref(coupon_create_ok(st, coupon_doc("unused", "percent", 1)));
  json_decref(unused);
  json_decref(used);
  close_and_drop(st, &env);
}
END_TEST

/* ---- runner ---- */

static Suite *coupons_suite(void) {
  Suite *s = suite_create("store_coupons");
  TCase *contract = tcase_create("contract");

  tcase_add_loop_test(contract, contract_coupon_round_trips_with_defaults, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_codes_are_found_in_any_case, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_keeps_every_member_given, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_duplicate_code_in_any_case_or_id_is_a_conflict, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_create_rejects_bad_documents, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_update_changes_each_member, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_update_failures_change_nothing, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_usage_limit_never_goes_below_times_used, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_list_is_newest_first_with_filters, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_delete_refuses_a_redeemed_coupon, 0, FACTORY_COUNT);
  suite_add_tcase(s, contract);
  return s;
}

int main(void) {
  return store_contract_main(coupons_suite(), "mercato-coupons");
}
