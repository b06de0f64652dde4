/* test_store_coupons.c - the storage port's coupon contract, run once per adapter factory:
 * documents and their rules, codes that ignore case, listings, guarded deletes, and
 * redemptions that stay within their limits however many threads race for them. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/money.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"

/* 2026-12-01T00:00:00.000Z and an hour later, in ms: fixed instants for the date rules. */
#define DEC_1 INT64_C(1796083200000)
#define HOUR INT64_C(3600000)

/* ---- helpers ---- */

/* A coupon document with a fresh id; a new reference. */
static json_t *coupon_doc(const char *code, const char *kind, int64_t value) {
  return DOC("cpn", "s:s, s:s, s:I", "code", code, "kind", kind, "value", (json_int_t)value);
}

/* Creates doc (consumed) and returns the stored document (a new reference). */
static json_t *coupon_create_ok(mc_store *st, json_t *doc) {
  json_t *out = NULL;
  ck_assert_int_eq(st->ops->coupon_create(st, doc, &out), MC_OK);
  ck_assert_ptr_nonnull(out);
  json_decref(doc);
  return out;
}

static json_t *coupon_get_ok(mc_store *st, const char *id) {
  json_t *out = NULL;
  ck_assert_int_eq(st->ops->coupon_get(st, id, &out), MC_OK);
  return out;
}

static int64_t int_of(const json_t *doc, const char *key) {
  json_t *v = json_object_get(doc, key);
  ck_assert_msg(json_is_integer(v), "member %s is missing or not an integer", key);
  return json_integer_value(v);
}

static int64_t times_used(mc_store *st, const char *id) {
  json_t *doc = coupon_get_ok(st, id);
  int64_t n = int_of(doc, "times_used");
  json_decref(doc);
  return n;
}

static void new_id(const char *prefix, char out[MC_ID_MAX]) {
  ck_assert_int_eq(mc_id_new(prefix, out), MC_OK);
}

/* Redeems for a fresh order and returns the refusal (MC_COUPON_APPLIES when counted). */
static mc_coupon_refusal redeem_at(mc_store *st, const char *id, const char *user, int64_t now) {
  mc_coupon_refusal r = (mc_coupon_refusal)-1;
  char order[MC_ID_MAX];
  new_id("ord", order);
  ck_assert_int_eq(st->ops->coupon_redeem(st, id, order, user, now, &r), MC_OK);
  return r;
}

static mc_coupon_refusal redeem(mc_store *st, const char *id, const char *user) {
  return redeem_at(st, id, user, mc_now_ms());
}

/* Applies changes (consumed) expecting err, and checks that the coupon did not change. */
static void coupon_update_fails(mc_store *st, const json_t *before, json_t *changes, int err) {
  json_t *out = (json_t *)st, *after;
  ck_assert_int_eq(st->ops->coupon_update(st, str_of(before, "id"), changes, &out), err);
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

  ck_assert_int_eq(st->ops->coupon_list(st, q, &items, &n), MC_OK);
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
    ck_assert_int_eq(st->ops->coupon_get_by_code(st, *code, &got), MC_OK);
    ck_assert(json_equal(got, created));
    json_decref(got);
  }
  got = (json_t *)st;
  ck_assert_int_eq(st->ops->coupon_get_by_code(st, "SPRING", &got), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(got);
  ck_assert_int_eq(st->ops->coupon_get_by_code(st, "spring sale", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(st->ops->coupon_get_by_code(st, "", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(st->ops->coupon_get_by_code(st, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(st->ops->coupon_get_by_code(st, NULL, &got), MC_ERR_INVALID);
  ck_assert_int_eq(st->ops->coupon_get(st, "cpn_nope", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(st->ops->coupon_get(st, NULL, &got), MC_ERR_INVALID);
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
  ck_assert_int_eq(st->ops->coupon_create(st, same_code, &out), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(st->ops->coupon_create(st, same_id, &out), MC_ERR_CONFLICT);
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
    ck_assert_msg(st->ops->coupon_create(st, bad[i], &out) == MC_ERR_INVALID, "bad document %d was accepted", i);
    ck_assert_ptr_null(out);
    json_decref(bad[i]);
  }
  ck_assert_int_eq(st->ops->coupon_create(st, NULL, NULL), MC_ERR_INVALID);
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
  ck_assert_int_eq(st->ops->coupon_update(st, str_of(before, "id"), changes, &after), MC_OK);
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
  ck_assert_int_eq(st->ops->coupon_update(st, str_of(before, "id"), changes, &after), MC_OK);
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
  ck_assert_int_eq(st->ops->coupon_update(st, missing, changes, &out), MC_ERR_NOT_FOUND);
  json_decref(changes);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(st->ops->coupon_update(st, NULL, NULL, &out), MC_ERR_INVALID);
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
  ck_assert_int_eq(st->ops->coupon_update(st, str_of(before, "id"), changes, &after), MC_OK);
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
    ck_assert_msg(st->ops->coupon_list(st, &q, &items, &count) == MC_ERR_INVALID, "query %d was accepted", i);
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
  ck_assert_int_eq(st->ops->coupon_delete(st, str_of(used, "id")), MC_ERR_CONFLICT);
  got = coupon_get_ok(st, str_of(used, "id"));
  ck_assert_int_eq(int_of(got, "times_used"), 1);
  json_decref(got);
  ck_assert_int_eq(st->ops->coupon_delete(st, str_of(unused, "id")), MC_OK);
  ck_assert_int_eq(st->ops->coupon_get(st, str_of(unused, "id"), &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(st->ops->coupon_get_by_code(st, "UNUSED", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(st->ops->coupon_delete(st, str_of(unused, "id")), MC_ERR_NOT_FOUND);
  new_id("cpn", missing);
  ck_assert_int_eq(st->ops->coupon_delete(st, missing), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(st->ops->coupon_delete(st, NULL), MC_ERR_INVALID);
  assert_coupons(st, &q, 1, "USED");
  /* Its code is free again. */
  json_decref(coupon_create_ok(st, coupon_doc("unused", "percent", 1)));
  json_decref(unused);
  json_decref(used);
  close_and_drop(st, &env);
}
END_TEST

/* ---- contract: redemptions ---- */

START_TEST(contract_coupon_redeem_counts_an_order_once) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = coupon_doc("ONCE", "fixed", 100);
  json_t *c;
  char order[MC_ID_MAX], ada[MC_ID_MAX], bob[MC_ID_MAX];
  mc_coupon_refusal r = (mc_coupon_refusal)-1;
  int64_t n = -1;

  set(doc, "usage_limit", json_integer(1));
  c = coupon_create_ok(st, doc);
  new_id("ord", order);
  new_id("usr", ada);
  new_id("usr", bob);
  ck_assert_int_eq(st->ops->coupon_redeem(st, str_of(c, "id"), order, ada, mc_now_ms(), &r), MC_OK);
  ck_assert_int_eq(r, MC_COUPON_APPLIES);
  /* A retry of the same order applies again and is not counted, although the coupon is now
   * used up; another order is refused. */
  r = (mc_coupon_refusal)-1;
  ck_assert_int_eq(st->ops->coupon_redeem(st, str_of(c, "id"), order, ada, mc_now_ms(), &r), MC_OK);
  ck_assert_int_eq(r, MC_COUPON_APPLIES);
  ck_assert_int_eq(times_used(st, str_of(c, "id")), 1);
  ck_assert_int_eq(redeem(st, str_of(c, "id"), bob), MC_COUPON_EXHAUSTED);
  ck_assert_int_eq(st->ops->coupon_redemption_count(st, str_of(c, "id"), ada, &n), MC_OK);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(st->ops->coupon_redemption_count(st, str_of(c, "id"), bob, &n), MC_OK);
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(st->ops->coupon_redemption_count(st, str_of(c, "id"), NULL, &n), MC_OK);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(st->ops->coupon_redemption_count(st, "cpn_nope", NULL, &n), MC_OK);
  ck_assert_int_eq(n, 0);
  json_decref(c);
  close_and_drop(st, &env);
}
END_TEST

/* Creates a coupon with the members of fmt (a json_pack object body) and returns its id in out. */
#define COUPON_WITH(out, fmt, ...)                                                                              \
  do {                                                                                                          \
    json_t *d_ = coupon_doc("C" #out, "fixed", 100), *m_ = json_pack("{" fmt "}", ##__VA_ARGS__);             \
    ck_assert_ptr_nonnull(m_);                                                                                  \
    ck_assert_int_eq(json_object_update(d_, m_), 0);                                                            \
    json_decref(m_);                                                                                            \
    snprintf(out, sizeof out, "%s", str_of(d_, "id"));                                                          \
    json_decref(coupon_create_ok(st, d_));                                                                      \
  } while (0)

START_TEST(contract_coupon_redeem_refuses_in_order_and_changes_nothing) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char unknown[MC_ID_MAX], user[MC_ID_MAX], other[MC_ID_MAX];
  char off[MC_ID_MAX], later[MC_ID_MAX], past[MC_ID_MAX], personal[MC_ID_MAX], tiny[MC_ID_MAX];
  char everything[MC_ID_MAX];

  new_id("cpn", unknown);
  new_id("usr", user);
  new_id("usr", other);
  COUPON_WITH(off, "s:b", "active", 0);
  COUPON_WITH(later, "s:s", "starts_at", "2026-12-01T00:00:00Z");
  COUPON_WITH(past, "s:s", "expires_at", "2026-12-01T01:00:00Z");
  COUPON_WITH(personal, "s:i", "per_customer_limit", 1);
  COUPON_WITH(tiny, "s:i", "usage_limit", 1);
  /* Every refusal at once: the first in order wins. */
  COUPON_WITH(everything, "s:b, s:s, s:s, s:i, s:i", "active", 0, "starts_at", "2026-12-01T00:00:00Z", "expires_at",
              "2026-12-01T01:00:00Z", "per_customer_limit", 1, "usage_limit", 1);

  ck_assert_int_eq(redeem(st, unknown, user), MC_COUPON_UNKNOWN);
  ck_assert_int_eq(redeem(st, off, user), MC_COUPON_INACTIVE);
  ck_assert_int_eq(redeem_at(st, later, user, DEC_1 - 1), MC_COUPON_NOT_STARTED);
  ck_assert_int_eq(redeem_at(st, past, user, DEC_1 + HOUR), MC_COUPON_EXPIRED);
  ck_assert_int_eq(redeem(st, personal, NULL), MC_COUPON_SIGN_IN_REQUIRED);
  ck_assert_int_eq(redeem(st, tiny, NULL), MC_COUPON_APPLIES);
  ck_assert_int_eq(redeem(st, tiny, user), MC_COUPON_EXHAUSTED);
  ck_assert_int_eq(redeem(st, personal, user), MC_COUPON_APPLIES);
  ck_assert_int_eq(redeem(st, personal, user), MC_COUPON_ALREADY_USED);
  ck_assert_int_eq(redeem(st, personal, other), MC_COUPON_APPLIES);
  ck_assert_int_eq(times_used(st, off), 0);
  ck_assert_int_eq(times_used(st, later), 0);
  ck_assert_int_eq(times_used(st, past), 0);
  ck_assert_int_eq(times_used(st, tiny), 1);
  ck_assert_int_eq(times_used(st, personal), 2);
  /* The boundaries: starts_at is inside, expires_at is outside. */
  ck_assert_int_eq(redeem_at(st, later, user, DEC_1), MC_COUPON_APPLIES);
  ck_assert_int_eq(redeem_at(st, past, user, DEC_1 + HOUR - 1), MC_COUPON_APPLIES);
  /* The order of the checks. */
  ck_assert_int_eq(redeem_at(st, everything, NULL, DEC_1 - 1), MC_COUPON_INACTIVE);
  json_t *changes = json_pack("{s:b}", "active", 1), *out = NULL;
  ck_assert_int_eq(st->ops->coupon_update(st, everything, changes, &out), MC_OK);
  json_decref(out);
  ck_assert_int_eq(redeem_at(st, everything, NULL, DEC_1 - 1), MC_COUPON_NOT_STARTED);
  ck_assert_int_eq(redeem_at(st, everything, NULL, DEC_1 + HOUR), MC_COUPON_EXPIRED);
  ck_assert_int_eq(redeem_at(st, everything, NULL, DEC_1), MC_COUPON_SIGN_IN_REQUIRED);
  ck_assert_int_eq(redeem_at(st, everything, user, DEC_1), MC_COUPON_APPLIES);
  ck_assert_int_eq(redeem_at(st, everything, user, DEC_1), MC_COUPON_EXHAUSTED);
  json_decref(changes);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_redeem_rejects_malformed_ids) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char cpn[MC_ID_MAX], ord[MC_ID_MAX], usr[MC_ID_MAX];
  mc_coupon_refusal r;
  int64_t now = mc_now_ms();

  new_id("ord", ord);
  new_id("usr", usr);
  COUPON_WITH(cpn, "s:b", "active", 1);
  ck_assert_int_eq(st->ops->coupon_redeem(st, NULL, ord, usr, now, &r), MC_ERR_INVALID);
  ck_assert_int_eq(st->ops->coupon_redeem(st, "cpn_1", ord, usr, now, &r), MC_ERR_INVALID);
  ck_assert_int_eq(st->ops->coupon_redeem(st, cpn, NULL, usr, now, &r), MC_ERR_INVALID);
  ck_assert_int_eq(st->ops->coupon_redeem(st, cpn, usr, usr, now, &r), MC_ERR_INVALID);
  ck_assert_int_eq(st->ops->coupon_redeem(st, cpn, ord, ord, now, &r), MC_ERR_INVALID);
  ck_assert_int_eq(st->ops->coupon_redeem(st, cpn, ord, usr, now, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(times_used(st, cpn), 0);
  close_and_drop(st, &env);
}
END_TEST

/* ---- contract: racing redemptions ---- */

#define RACERS 16
#define TRIES 4

typedef struct redeemer {
  mc_store *st;
  pthread_barrier_t *start;
  const char *coupon_id;
  const char *user_id;  /* NULL: a guest */
  const char *order_id; /* NULL: a fresh order per try */
  int applied, refused, failed;
  mc_coupon_refusal last_refusal;
} redeemer;

static void *race_redeem(void *p) {
  redeemer *r = p;
  pthread_barrier_wait(r->start);
  for (int i = 0; i < TRIES; i++) {
    char order[MC_ID_MAX];
    mc_coupon_refusal refusal = MC_COUPON_UNKNOWN;
    if (mc_id_new("ord", order) != MC_OK ||
        r->st->ops->coupon_redeem(r->st, r->coupon_id, r->order_id ? r->order_id : order, r->user_id, mc_now_ms(),
                                  &refusal) != MC_OK) {
      r->failed++;
    } else if (refusal == MC_COUPON_APPLIES) {
      r->applied++;
    } else {
      r->refused++;
      r->last_refusal = refusal;
    }
  }
  return NULL;
}

/* Runs RACERS threads of TRIES redemptions each and returns how many were counted; every
 * refusal must be expect. */
static int race(mc_store *st, const char *coupon_id, const char *const users[RACERS], const char *order_id,
                mc_coupon_refusal expect) {
  redeemer r[RACERS];
  pthread_t th[RACERS];
  pthread_barrier_t start;
  int applied = 0;

  pthread_barrier_init(&start, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    r[i] = (redeemer){.st = st, .start = &start, .coupon_id = coupon_id, .user_id = users ? users[i] : NULL,
                      .order_id = order_id, .last_refusal = expect};
    ck_assert_int_eq(pthread_create(&th[i], NULL, race_redeem, &r[i]), 0);
  }
  for (int i = 0; i < RACERS; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < RACERS; i++) {
    ck_assert_msg(r[i].failed == 0, "racer %d: %d redemption(s) failed", i, r[i].failed);
    ck_assert_msg(r[i].last_refusal == expect, "racer %d was refused with %d", i, (int)r[i].last_refusal);
    applied += r[i].applied;
  }
  return applied;
}

START_TEST(contract_racing_redemptions_stay_within_the_usage_limit) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char id[MC_ID_MAX];
  int64_t n = -1;

  COUPON_WITH(id, "s:i", "usage_limit", 10);
  ck_assert_int_eq(race(st, id, NULL, NULL, MC_COUPON_EXHAUSTED), 10);
  ck_assert_int_eq(times_used(st, id), 10);
  ck_assert_int_eq(st->ops->coupon_redemption_count(st, id, NULL, &n), MC_OK);
  ck_assert_int_eq(n, 10);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_racing_redemptions_stay_within_the_per_customer_limit) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char id[MC_ID_MAX], ada[MC_ID_MAX], bob[MC_ID_MAX];
  const char *users[RACERS];
  int64_t n = -1;

  new_id("usr", ada);
  new_id("usr", bob);
  for (int i = 0; i < RACERS; i++) users[i] = i % 2 ? ada : bob;
  COUPON_WITH(id, "s:i", "per_customer_limit", 3);
  ck_assert_int_eq(race(st, id, users, NULL, MC_COUPON_ALREADY_USED), 6);
  ck_assert_int_eq(st->ops->coupon_redemption_count(st, id, ada, &n), MC_OK);
  ck_assert_int_eq(n, 3);
  ck_assert_int_eq(st->ops->coupon_redemption_count(st, id, bob, &n), MC_OK);
  ck_assert_int_eq(n, 3);
  ck_assert_int_eq(times_used(st, id), 6);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_racing_retries_of_one_order_count_once) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char id[MC_ID_MAX], order[MC_ID_MAX];

  new_id("ord", order);
  COUPON_WITH(id, "s:i", "usage_limit", 5);
  ck_assert_int_eq(race(st, id, NULL, order, MC_COUPON_APPLIES), RACERS * TRIES);
  ck_assert_int_eq(times_used(st, id), 1);
  close_and_drop(st, &env);
}
END_TEST

/* ---- sqlite: the schema's part ---- */

/* Runs a one-integer query on a second handle. */
static int64_t raw_int(const store_env *env, const char *sql, const char *param) {
  sqlite3 *db = raw_open(env);
  sqlite3_stmt *stmt = NULL;
  int64_t v;
  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_bind_text(stmt, 1, param, -1, SQLITE_TRANSIENT), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
  v = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  return v;
}

START_TEST(sqlite_deleting_a_coupon_takes_it_off_carts) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  char id[MC_ID_MAX], sql[512];

  COUPON_WITH(id, "s:b", "active", 1);
  snprintf(sql, sizeof sql,
           "INSERT INTO carts (id, token_hash, coupon_id, created_at, updated_at, expires_at) VALUES "
           "('cart_1', '%064d', '%s', 0, 0, 1)",
           0, id);
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  ck_assert_int_eq(st->ops->coupon_delete(st, id), MC_OK);
  ck_assert_int_eq(raw_int(&env, "SELECT coupon_id IS NULL FROM carts WHERE id = ?1", "cart_1"), 1);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_times_used_cannot_pass_the_usage_limit_for_any_writer) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  char id[MC_ID_MAX], sql[256];

  COUPON_WITH(id, "s:i", "usage_limit", 1);
  ck_assert_int_eq(redeem(st, id, NULL), MC_COUPON_APPLIES);
  snprintf(sql, sizeof sql, "UPDATE coupons SET times_used = times_used + 1 WHERE id = '%s'", id);
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_CONSTRAINT);
  ck_assert_int_eq(raw_int(&env, "SELECT times_used FROM coupons WHERE id = ?1", id), 1);
  ck_assert_int_eq(raw_int(&env, "SELECT code = upper(code) FROM coupons WHERE id = ?1", id), 1);
  close_and_drop(st, &env);
}
END_TEST

/* ---- runner ---- */

static Suite *coupons_suite(void) {
  Suite *s = suite_create("store_coupons");
  TCase *contract = tcase_create("contract");
  TCase *sqlite = tcase_create("sqlite");

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
  tcase_add_loop_test(contract, contract_coupon_redeem_counts_an_order_once, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_redeem_refuses_in_order_and_changes_nothing, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_redeem_rejects_malformed_ids, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_racing_redemptions_stay_within_the_usage_limit, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_racing_redemptions_stay_within_the_per_customer_limit, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_racing_retries_of_one_order_count_once, 0, FACTORY_COUNT);
  suite_add_tcase(s, contract);
  tcase_add_test(sqlite, sqlite_deleting_a_coupon_takes_it_off_carts);
  tcase_add_test(sqlite, sqlite_times_used_cannot_pass_the_usage_limit_for_any_writer);
  suite_add_tcase(s, sqlite);
  return s;
}

int main(void) {
  return store_contract_main(coupons_suite(), "mercato-coupons");
}
