/* test_coupons.c - the coupon service: codes, the refusals and their order, the admin bodies'
 * rules (every problem named), the listing's query string, and the RFC 3339 times they read. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/coupons.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/money.h"
#include "store_contract.h"

#define DEC_1 INT64_C(1796083200000) /* 2026-12-01T00:00:00.000Z */
#define HOUR INT64_C(3600000)

/* ---- a store that only counts redemptions ---- */

static int64_t fake_count;
static int fake_status;
static int fake_calls;
static char fake_coupon[MC_ID_MAX], fake_user[MC_ID_MAX];

static int fake_redemption_count(mc_store *st, const char *coupon_id, const char *user_id, int64_t *out) {
  (void)st;
  fake_calls++;
  snprintf(fake_coupon, sizeof fake_coupon, "%s", coupon_id ? coupon_id : "(null)");
  snprintf(fake_user, sizeof fake_user, "%s", user_id ? user_id : "(null)");
  *out = fake_count;
  return fake_status;
}

static const mc_store_coupon_ops fake_ops = {.redemption_count = fake_redemption_count};
static mc_store fake_store = {.coupons = &fake_ops, .name = "fake", .impl = NULL};

static void fake_reset(int64_t count, int status) {
  fake_count = count;
  fake_status = status;
  fake_calls = 0;
  fake_coupon[0] = fake_user[0] = '\0';
}

/* A stored coupon document, percent 10 with no limits, to which each test adds members. */
static json_t *stored(void) {
  json_t *c = json_pack("{s:s, s:s, s:s, s:i, s:n, s:n, s:n, s:n, s:n, s:i, s:b, s:s, s:s}", "id",
                        "cpn_01jd3k0000000000000000000a", "code", "SAVE10", "kind", "percent", "value", 10,
                        "min_subtotal", "starts_at", "expires_at", "usage_limit", "per_customer_limit", "times_used",
                        0, "active", 1, "created_at", "2026-11-01T00:00:00.000Z", "updated_at",
                        "2026-11-01T00:00:00.000Z");
  ck_assert_ptr_nonnull(c);
  return c;
}

static void put(json_t *doc, const char *key, json_t *value) {
  ck_assert_ptr_nonnull(value);
  ck_assert_int_eq(json_object_set_new(doc, key, value), 0);
}

/* Evaluates and returns the refusal, checking that the evaluation itself succeeded. */
static mc_coupon_refusal judge(const json_t *coupon, int64_t subtotal, const char *user, int64_t now) {
  mc_coupon_refusal r = (mc_coupon_refusal)-1;
  ck_assert_int_eq(mc_coupon_evaluate(&fake_store, coupon, subtotal, user, now, &r, NULL), MC_OK);
  return r;
}

#define USER "usr_01jd3k0000000000000000000b"

/* ---- codes ---- */

START_TEST(normalise_code_trims_and_upper_cases) {
  char out[MC_COUPON_CODE_MAX + 1];
  ck_assert_int_eq(mc_coupon_normalise_code("  save10 \t", out), MC_OK);
  ck_assert_str_eq(out, "SAVE10");
  ck_assert_int_eq(mc_coupon_normalise_code("Black-Friday_2026", out), MC_OK);
  ck_assert_str_eq(out, "BLACK-FRIDAY_2026");
  ck_assert_int_eq(mc_coupon_normalise_code("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", out), MC_OK);
  ck_assert_str_eq(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345");
}
END_TEST

START_TEST(normalise_code_refuses_what_cannot_be_a_code) {
  static const char *const bad[] = {"", "   ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "TWO WORDS", "CAFÉ", "50%",
                                    "A.B", "a/b", "tab\tinside"};
  char out[MC_COUPON_CODE_MAX + 1];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    strcpy(out, "junk");
    ck_assert_msg(mc_coupon_normalise_code(bad[i], out) == MC_ERR_INVALID, "\"%s\" was accepted", bad[i]);
    ck_assert_str_eq(out, "");
  }
  ck_assert_int_eq(mc_coupon_normalise_code(NULL, out), MC_ERR_INVALID);
}
END_TEST

START_TEST(refusal_codes_are_stable) {
  ck_assert_str_eq(mc_coupon_refusal_code(MC_COUPON_APPLIES), "applies");
  ck_assert_str_eq(mc_coupon_refusal_code(MC_COUPON_UNKNOWN), "unknown");
  ck_assert_str_eq(mc_coupon_refusal_code(MC_COUPON_INACTIVE), "inactive");
  ck_assert_str_eq(mc_coupon_refusal_code(MC_COUPON_NOT_STARTED), "not_started");
  ck_assert_str_eq(mc_coupon_refusal_code(MC_COUPON_EXPIRED), "expired");
  ck_assert_str_eq(mc_coupon_refusal_code(MC_COUPON_SIGN_IN_REQUIRED), "sign_in_required");
  ck_assert_str_eq(mc_coupon_refusal_code(MC_COUPON_BELOW_MINIMUM), "below_minimum");
  ck_assert_str_eq(mc_coupon_refusal_code(MC_COUPON_EXHAUSTED), "exhausted");
  ck_assert_str_eq(mc_coupon_refusal_code(MC_COUPON_ALREADY_USED), "already_used_by_you");
}
END_TEST

START_TEST(refusal_sentences_name_the_minimum) {
  char msg[160];
  mc_coupon_refusal_sentence(MC_COUPON_BELOW_MINIMUM, 5000, "EUR", msg, sizeof msg);
  ck_assert_str_eq(msg, "This coupon needs a subtotal of at least 50.00 EUR.");
  mc_coupon_refusal_sentence(MC_COUPON_UNKNOWN, 0, "EUR", msg, sizeof msg);
  ck_assert_str_eq(msg, "There is no coupon with this code.");
  for (int r = MC_COUPON_APPLIES; r <= MC_COUPON_ALREADY_USED; r++) {
    mc_coupon_refusal_sentence((mc_coupon_refusal)r, 5000, "EUR", msg, sizeof msg);
    ck_assert_msg(strlen(msg) > 10, "refusal %d has no sentence", r);
  }
}
END_TEST

/* ---- evaluation ---- */

START_TEST(evaluate_applies_and_hands_over_kind_and_value) {
  json_t *c = stored();
  mc_pricing_coupon p = {MC_COUPON_NONE, 0};
  mc_coupon_refusal r;

  fake_reset(0, MC_OK);
  ck_assert_int_eq(mc_coupon_evaluate(&fake_store, c, 1000, NULL, DEC_1, &r, &p), MC_OK);
  ck_assert_int_eq(r, MC_COUPON_APPLIES);
  ck_assert_int_eq(p.kind, MC_COUPON_PERCENT);
  ck_assert_int_eq(p.value, 10);
  put(c, "kind", json_string("fixed"));
  put(c, "value", json_integer(1500));
  ck_assert_int_eq(mc_coupon_evaluate(&fake_store, c, 1000, USER, DEC_1, &r, &p), MC_OK);
  ck_assert_int_eq(p.kind, MC_COUPON_FIXED);
  ck_assert_int_eq(p.value, 1500);
  ck_assert_int_eq(fake_calls, 0); /* no per-customer limit: no need to count */
  json_decref(c);
}
END_TEST

START_TEST(evaluate_without_a_coupon_is_unknown) {
  mc_pricing_coupon p = {MC_COUPON_PERCENT, 5};
  mc_coupon_refusal r;
  ck_assert_int_eq(mc_coupon_evaluate(&fake_store, NULL, 1000, USER, DEC_1, &r, &p), MC_OK);
  ck_assert_int_eq(r, MC_COUPON_UNKNOWN);
  ck_assert_int_eq(p.kind, MC_COUPON_NONE);
}
END_TEST

START_TEST(evaluate_refuses_an_inactive_coupon) {
  json_t *c = stored();
  mc_pricing_coupon p = {MC_COUPON_PERCENT, 5};
  mc_coupon_refusal r;
  put(c, "active", json_false());
  ck_assert_int_eq(mc_coupon_evaluate(&fake_store, c, 1000, USER, DEC_1, &r, &p), MC_OK);
  ck_assert_int_eq(r, MC_COUPON_INACTIVE);
  ck_assert_int_eq(p.kind, MC_COUPON_NONE); /* nothing to price with a refused coupon */
  json_decref(c);
}
END_TEST

START_TEST(evaluate_applies_from_starts_at_on) {
  json_t *c = stored();
  put(c, "starts_at", json_string("2026-12-01T00:00:00.000Z"));
  ck_assert_int_eq(judge(c, 1000, USER, DEC_1 - 1), MC_COUPON_NOT_STARTED);
  ck_assert_int_eq(judge(c, 1000, USER, DEC_1), MC_COUPON_APPLIES);
  json_decref(c);
}
END_TEST

START_TEST(evaluate_is_expired_from_expires_at_on) {
  json_t *c = stored();
  put(c, "expires_at", json_string("2026-12-01T01:00:00.000Z"));
  ck_assert_int_eq(judge(c, 1000, USER, DEC_1 + HOUR - 1), MC_COUPON_APPLIES);
  ck_assert_int_eq(judge(c, 1000, USER, DEC_1 + HOUR), MC_COUPON_EXPIRED);
  json_decref(c);
}
END_TEST

START_TEST(evaluate_asks_guests_to_sign_in_for_a_per_customer_coupon) {
  json_t *c = stored();
  fake_reset(0, MC_OK);
  ck_assert_int_eq(judge(c, 1000, NULL, DEC_1), MC_COUPON_APPLIES); /* guests may use the others */
  put(c, "per_customer_limit", json_integer(1));
  ck_assert_int_eq(judge(c, 1000, NULL, DEC_1), MC_COUPON_SIGN_IN_REQUIRED);
  ck_assert_int_eq(fake_calls, 0);
  json_decref(c);
}
END_TEST

START_TEST(evaluate_refuses_a_subtotal_below_the_minimum) {
  json_t *c = stored();
  put(c, "min_subtotal", json_integer(5000));
  ck_assert_int_eq(judge(c, 4999, USER, DEC_1), MC_COUPON_BELOW_MINIMUM);
  ck_assert_int_eq(judge(c, 5000, USER, DEC_1), MC_COUPON_APPLIES);
  json_decref(c);
}
END_TEST

START_TEST(evaluate_refuses_a_used_up_coupon) {
  json_t *c = stored();
  put(c, "usage_limit", json_integer(3));
  put(c, "times_used", json_integer(2));
  ck_assert_int_eq(judge(c, 1000, NULL, DEC_1), MC_COUPON_APPLIES);
  put(c, "times_used", json_integer(3));
  ck_assert_int_eq(judge(c, 1000, NULL, DEC_1), MC_COUPON_EXHAUSTED);
  json_decref(c);
}
END_TEST

START_TEST(evaluate_counts_the_customers_own_redemptions) {
  json_t *c = stored();
  put(c, "per_customer_limit", json_integer(2));
  fake_reset(1, MC_OK);
  ck_assert_int_eq(judge(c, 1000, USER, DEC_1), MC_COUPON_APPLIES);
  ck_assert_int_eq(fake_calls, 1);
  ck_assert_str_eq(fake_coupon, "cpn_01jd3k0000000000000000000a");
  ck_assert_str_eq(fake_user, USER);
  fake_reset(2, MC_OK);
  ck_assert_int_eq(judge(c, 1000, USER, DEC_1), MC_COUPON_ALREADY_USED);
  json_decref(c);
}
END_TEST

START_TEST(evaluate_passes_on_a_store_failure) {
  json_t *c = stored();
  mc_coupon_refusal r;
  put(c, "per_customer_limit", json_integer(2));
  fake_reset(0, MC_ERR_UNAVAILABLE);
  ck_assert_int_eq(mc_coupon_evaluate(&fake_store, c, 1000, USER, DEC_1, &r, NULL), MC_ERR_UNAVAILABLE);
  json_decref(c);
}
END_TEST

START_TEST(evaluate_refuses_in_the_documented_order) {
  json_t *c = stored();
  /* Every refusal holds at once; lifting them one by one shows the next in line. */
  put(c, "active", json_false());
  put(c, "starts_at", json_string("2026-12-01T00:00:00.000Z"));
  put(c, "expires_at", json_string("2026-12-01T00:00:00.001Z"));
  put(c, "per_customer_limit", json_integer(1));
  put(c, "min_subtotal", json_integer(5000));
  put(c, "usage_limit", json_integer(1));
  put(c, "times_used", json_integer(1));
  fake_reset(1, MC_OK);
  ck_assert_int_eq(judge(c, 100, NULL, DEC_1 - 1), MC_COUPON_INACTIVE);
  put(c, "active", json_true());
  ck_assert_int_eq(judge(c, 100, NULL, DEC_1 - 1), MC_COUPON_NOT_STARTED);
  ck_assert_int_eq(judge(c, 100, NULL, DEC_1 + 1), MC_COUPON_EXPIRED);
  put(c, "expires_at", json_null());
  ck_assert_int_eq(judge(c, 100, NULL, DEC_1), MC_COUPON_SIGN_IN_REQUIRED);
  ck_assert_int_eq(judge(c, 100, USER, DEC_1), MC_COUPON_BELOW_MINIMUM);
  ck_assert_int_eq(judge(c, 5000, USER, DEC_1), MC_COUPON_EXHAUSTED);
  put(c, "usage_limit", json_null());
  ck_assert_int_eq(judge(c, 5000, USER, DEC_1), MC_COUPON_ALREADY_USED);
  fake_reset(0, MC_OK);
  ck_assert_int_eq(judge(c, 5000, USER, DEC_1), MC_COUPON_APPLIES);
  json_decref(c);
}
END_TEST

START_TEST(evaluate_refuses_a_malformed_document) {
  json_t *c = stored();
  mc_coupon_refusal r;
  logs_off();
  put(c, "starts_at", json_string("soon"));
  ck_assert_int_eq(mc_coupon_evaluate(&fake_store, c, 1000, USER, DEC_1, &r, NULL), MC_ERR_INVALID);
  put(c, "starts_at", json_null());
  put(c, "kind", json_string("half"));
  ck_assert_int_eq(mc_coupon_evaluate(&fake_store, c, 1000, USER, DEC_1, &r, NULL), MC_ERR_INVALID);
  logs_on();
  json_decref(c);
}
END_TEST

/* ---- RFC 3339 times ---- */

static int64_t parsed(const char *s) {
  int64_t ms = -1;
  ck_assert_msg(mc_time_parse_ms(s, strlen(s), &ms) == MC_OK, "%s was refused", s);
  return ms;
}

START_TEST(times_parse_offsets_and_fractions) {
  ck_assert_int_eq(parsed("2026-12-01T00:00:00Z"), DEC_1);
  ck_assert_int_eq(parsed("2026-12-01t00:00:00z"), DEC_1);
  ck_assert_int_eq(parsed("2026-12-01T01:00:00+01:00"), DEC_1);
  ck_assert_int_eq(parsed("2026-11-30T19:30:00-04:30"), DEC_1);
  ck_assert_int_eq(parsed("2026-12-01T00:00:00.5Z"), DEC_1 + 500);
  ck_assert_int_eq(parsed("2026-12-01T00:00:00.123999Z"), DEC_1 + 123);
  ck_assert_int_eq(parsed("1970-01-01T00:00:00.000Z"), 0);
  ck_assert_int_eq(parsed("1969-12-31T23:59:59.999Z"), -1);
  ck_assert_int_eq(parsed("2024-02-29T00:00:00Z"), INT64_C(1709164800000));
  ck_assert_int_eq(parsed("2000-02-29T00:00:00Z"), INT64_C(951782400000));
  ck_assert_int_eq(parsed("0000-01-01T00:00:00Z"), MC_TIME_MS_MIN);
  ck_assert_int_eq(parsed("9999-12-31T23:59:59.999Z"), MC_TIME_MS_MAX);
}
END_TEST

START_TEST(times_that_are_not_rfc_3339_are_refused) {
  static const char *const bad[] = {"",
                                    "2026-12-01",
                                    "2026-12-01T00:00:00",
                                    "2026-12-01 00:00:00Z",
                                    "2026-12-01T00:00Z",
                                    "2026-13-01T00:00:00Z",
                                    "2026-02-29T00:00:00Z",
                                    "1900-02-29T00:00:00Z",
                                    "2026-04-31T00:00:00Z",
                                    "2026-12-01T24:00:00Z",
                                    "2026-12-01T00:60:00Z",
                                    "2026-12-31T23:59:60Z",
                                    "2026-12-01T00:00:00.Z",
                                    "2026-12-01T00:00:00+0100",
                                    "2026-12-01T00:00:00+24:00",
                                    "2026-12-01T00:00:00Z ",
                                    "+2026-12-01T00:00:00Z",
                                    "0000-01-01T00:00:00+00:01",
                                    "9999-12-31T23:59:59-00:01",
                                    "２026-12-01T00:00:00Z"};
  int64_t ms = 5;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(mc_time_parse_ms(bad[i], strlen(bad[i]), &ms) == MC_ERR_INVALID, "\"%s\" was accepted", bad[i]);
  ck_assert_int_eq(mc_time_parse_ms(NULL, 0, &ms), MC_ERR_INVALID);
  /* The length counts, not a NUL. */
  ck_assert_int_eq(mc_time_parse_ms("2026-12-01T00:00:00Zjunk", 20, &ms), MC_OK);
  ck_assert_int_eq(ms, DEC_1);
}
END_TEST

/* ---- admin bodies, against a real store ---- */

static mc_store *open_store(store_env *env) {
  return open_fresh(&factories[0], env);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(a, b);
}

/* "field:code" of each error, sorted, comma-joined. */
static const char *fields_of(const json_t *errors, char *buf, size_t len) {
  char items[32][96];
  size_t n = 0, i;
  json_t *e;
  buf[0] = '\0';
  json_array_foreach(errors, i, e) {
    ck_assert_msg(json_string_length(json_object_get(e, "message")) > 0, "an error has no message");
    if (n < 32)
      snprintf(items[n++], sizeof items[0], "%s:%s", json_string_value(json_object_get(e, "field")),
               json_string_value(json_object_get(e, "code")));
  }
  qsort(items, n, sizeof items[0], cmp_str);
  for (i = 0; i < n; i++) {
    if (i) strncat(buf, ",", len - strlen(buf) - 1);
    strncat(buf, items[i], len - strlen(buf) - 1);
  }
  return buf;
}

/* Creates from a JSON text and expects MC_ERR_INVALID with exactly these errors. */
static void create_fails(mc_store *st, const char *body_text, const char *expected) {
  json_t *body = json_loads(body_text, JSON_ALLOW_NUL, NULL), *out = NULL;
  mc_refusal why = {0};
  char got[1024];
  ck_assert_msg(body != NULL, "bad test JSON %s", body_text);
  ck_assert_int_eq(mc_coupon_create(st, body, &out, &why), MC_ERR_INVALID);
  ck_assert_ptr_null(out);
  ck_assert_str_eq(why.code, "validation_failed");
  ck_assert_str_eq(fields_of(why.errors, got, sizeof got), expected);
  mc_refusal_clear(&why);
  json_decref(body);
}

static json_t *create_ok(mc_store *st, const char *body_text) {
  json_t *body = json_loads(body_text, 0, NULL), *out = NULL;
  mc_refusal why = {0};
  ck_assert_ptr_nonnull(body);
  ck_assert_int_eq(mc_coupon_create(st, body, &out, &why), MC_OK);
  ck_assert_ptr_null(why.code);
  json_decref(body);
  return out;
}

static int update(mc_store *st, const char *id, const char *body_text, json_t **out, char *fields, size_t len) {
  json_t *body = json_loads(body_text, 0, NULL);
  mc_refusal why = {0};
  int rc;
  ck_assert_ptr_nonnull(body);
  rc = mc_coupon_update(st, id, body, out, &why);
  fields_of(why.errors, fields, len);
  mc_refusal_clear(&why);
  json_decref(body);
  return rc;
}

START_TEST(create_stores_a_normalised_coupon) {
  store_env env;
  mc_store *st = open_store(&env);
  json_t *c = create_ok(st, "{\"code\": \" welcome-5 \", \"kind\": \"fixed\", \"value\": 500, \"min_subtotal\": 2000,"
                            " \"starts_at\": \"2026-12-01T01:00:00+01:00\", \"expires_at\": null, \"usage_limit\": 100,"
                            " \"per_customer_limit\": 1, \"active\": false}");
  ck_assert(mc_id_valid(json_string_value(json_object_get(c, "id")), "cpn"));
  ck_assert_str_eq(json_string_value(json_object_get(c, "code")), "WELCOME-5");
  ck_assert_str_eq(json_string_value(json_object_get(c, "starts_at")), "2026-12-01T00:00:00.000Z");
  ck_assert(json_is_null(json_object_get(c, "expires_at")));
  ck_assert(json_is_false(json_object_get(c, "active")));
  ck_assert_int_eq(json_integer_value(json_object_get(c, "times_used")), 0);
  json_decref(c);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(create_names_every_problem_at_once) {
  store_env env;
  mc_store *st = open_store(&env);
  create_fails(st, "{}", "code:required,kind:required,value:required");
  create_fails(st,
               "{\"code\": \"two words\", \"kind\": \"half\", \"value\": 0, \"min_subtotal\": -1,"
               " \"starts_at\": \"soon\", \"expires_at\": 5, \"usage_limit\": 0, \"per_customer_limit\": 1.5,"
               " \"active\": \"yes\", \"times_used\": 3, \"id\": \"cpn_x\"}",
               "active:not_a_boolean,code:invalid_code,expires_at:not_a_string,id:unknown_field,"
               "kind:invalid_kind,min_subtotal:out_of_range,per_customer_limit:not_an_integer,"
               "starts_at:invalid_time,times_used:unknown_field,usage_limit:out_of_range,value:out_of_range");
  create_fails(st, "{\"code\": \"P\", \"kind\": \"percent\", \"value\": 101}", "value:out_of_range");
  create_fails(st,
               "{\"code\": \"P\", \"kind\": \"fixed\", \"value\": 1, \"starts_at\": \"2026-12-02T00:00:00Z\","
               " \"expires_at\": \"2026-12-01T00:00:00Z\"}",
               "expires_at:not_after_start");
  create_fails(st,
               "{\"code\": \"P\", \"kind\": \"fixed\", \"value\": 1, \"starts_at\": \"2026-12-01T00:00:00Z\","
               " \"expires_at\": \"2026-12-01T01:00:00+01:00\"}",
               "expires_at:not_after_start");
  create_fails(st, "{\"code\": \"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\", \"kind\": \"fixed\", \"value\": 1}",
               "code:invalid_code");
  create_fails(st, "{\"code\": \"A\\u0000B\", \"kind\": \"fixed\", \"value\": 1}", "code:contains_nul");
  create_fails(st, "{\"code\": null, \"kind\": null, \"value\": null}", "code:required,kind:required,value:required");
  create_fails(st, "{\"code\": \"P\", \"kind\": \"fixed\", \"value\": 1000000000000001}", "value:out_of_range");
  create_fails(st, "[1]", "body:not_an_object");
  close_and_drop(st, &env);
}
END_TEST

START_TEST(create_refuses_a_code_taken_in_any_case) {
  store_env env;
  mc_store *st = open_store(&env);
  json_t *first = create_ok(st, "{\"code\": \"SUMMER\", \"kind\": \"percent\", \"value\": 5}");
  json_t *body = json_pack("{s:s, s:s, s:i}", "code", "summer", "kind", "fixed", "value", 1), *out = NULL;
  mc_refusal why = {0};
  char got[256];
  ck_assert_int_eq(mc_coupon_create(st, body, &out, &why), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "coupon_code_taken");
  ck_assert_str_eq(why.field, "code");
  ck_assert_str_eq(fields_of(why.errors, got, sizeof got), "code:taken");
  ck_assert_ptr_null(out);
  mc_refusal_clear(&why);
  json_decref(body);
  json_decref(first);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(update_judges_the_body_against_the_stored_coupon) {
  store_env env;
  mc_store *st = open_store(&env);
  json_t *c = create_ok(st, "{\"code\": \"BIG\", \"kind\": \"fixed\", \"value\": 500, \"starts_at\": "
                            "\"2026-12-01T00:00:00Z\", \"usage_limit\": 5}");
  const char *id = json_string_value(json_object_get(c, "id"));
  json_t *out = NULL;
  char got[512], missing[MC_ID_MAX];
  mc_coupon_refusal r;

  ck_assert_int_eq(update(st, id, "{\"kind\": \"percent\"}", &out, got, sizeof got), MC_ERR_INVALID);
  ck_assert_str_eq(got, "value:out_of_range");
  ck_assert_int_eq(update(st, id, "{\"expires_at\": \"2026-11-30T00:00:00Z\"}", &out, got, sizeof got), MC_ERR_INVALID);
  ck_assert_str_eq(got, "expires_at:not_after_start");
  ck_assert_int_eq(update(st, id, "{\"code\": null, \"times_used\": 0}", &out, got, sizeof got), MC_ERR_INVALID);
  ck_assert_str_eq(got, "code:required,times_used:unknown_field");
  /* Two redemptions: the limit cannot go below them. */
  ck_assert_int_eq(mc_store_coupon_redeem(st, id, "ord_01jd3k0000000000000000000c", NULL, DEC_1, &r, NULL), MC_OK);
  ck_assert_int_eq(mc_store_coupon_redeem(st, id, "ord_01jd3k0000000000000000000d", NULL, DEC_1, &r, NULL), MC_OK);
  ck_assert_int_eq(update(st, id, "{\"usage_limit\": 1}", &out, got, sizeof got), MC_ERR_INVALID);
  ck_assert_str_eq(got, "usage_limit:below_times_used");
  ck_assert_ptr_null(out);
  /* Changing kind and value together, and clearing the start, works. */
  ck_assert_int_eq(update(st, id, "{\"kind\": \"percent\", \"value\": 15, \"starts_at\": null, \"usage_limit\": 2}",
                          &out, got, sizeof got),
                   MC_OK);
  ck_assert_str_eq(json_string_value(json_object_get(out, "kind")), "percent");
  ck_assert_int_eq(json_integer_value(json_object_get(out, "value")), 15);
  ck_assert(json_is_null(json_object_get(out, "starts_at")));
  json_decref(out);
  /* Nothing to change answers the coupon as it is. */
  ck_assert_int_eq(update(st, id, "{}", &out, got, sizeof got), MC_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(out, "times_used")), 2);
  json_decref(out);
  ck_assert_int_eq(update(st, "cpn_nope", "{}", &out, got, sizeof got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_id_new("cpn", missing), MC_OK);
  ck_assert_int_eq(update(st, missing, "{\"active\": true}", &out, got, sizeof got), MC_ERR_NOT_FOUND);
  json_decref(c);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(delete_says_how_often_a_coupon_was_redeemed) {
  store_env env;
  mc_store *st = open_store(&env);
  json_t *c = create_ok(st, "{\"code\": \"GONE\", \"kind\": \"fixed\", \"value\": 1}");
  const char *id = json_string_value(json_object_get(c, "id"));
  mc_coupon_refusal r;
  mc_refusal why = {0};

  ck_assert_int_eq(mc_store_coupon_redeem(st, id, "ord_01jd3k0000000000000000000c", NULL, DEC_1, &r, NULL), MC_OK);
  ck_assert_int_eq(mc_coupon_delete(st, id, &why), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "coupon_redeemed");
  ck_assert_int_eq(mc_refusal_number_get(&why, "times_used", -1), 1);
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_coupon_delete(st, "not-an-id", &why), MC_ERR_NOT_FOUND);
  ck_assert_str_eq(why.code, "not_found");
  mc_refusal_clear(&why);
  json_decref(c);
  close_and_drop(st, &env);
}
END_TEST

/* ---- the listing's query string ---- */

static const char *listing_errors(const char *query, mc_coupon_listing *l, char *buf, size_t len) {
  json_t *errors = NULL;
  int rc = mc_coupon_parse_listing(query, l, &errors);
  fields_of(errors, buf, len);
  ck_assert_int_eq(rc, errors ? MC_ERR_INVALID : MC_OK);
  json_decref(errors);
  return buf;
}

START_TEST(listing_defaults_and_values) {
  mc_coupon_listing l;
  char got[256];
  ck_assert_str_eq(listing_errors(NULL, &l, got, sizeof got), "");
  ck_assert_int_eq(l.query.limit, 20);
  ck_assert_int_eq(l.query.offset, 0);
  ck_assert_int_eq(l.query.active, -1);
  ck_assert_str_eq(l.query.code_part, "");
  ck_assert_str_eq(listing_errors("limit=5&offset=10&q=%20sum+&active=false", &l, got, sizeof got), "");
  ck_assert_int_eq(l.query.limit, 5);
  ck_assert_int_eq(l.query.offset, 10);
  ck_assert_int_eq(l.query.active, 0);
  ck_assert_str_eq(l.query.code_part, "SUM");
  ck_assert_ptr_eq(l.query.code_part, l.q);
  ck_assert_str_eq(listing_errors("active=true&q=", &l, got, sizeof got), "");
  ck_assert_int_eq(l.query.active, 1);
  ck_assert_str_eq(l.query.code_part, "");
}
END_TEST

START_TEST(listing_names_every_bad_parameter) {
  mc_coupon_listing l;
  char got[512];
  ck_assert_str_eq(listing_errors("limit=0&offset=10001&q=a%20b&active=yes&sort=code", &l, got, sizeof got),
                   "active:invalid,limit:out_of_range,offset:out_of_range,q:invalid,sort:unknown_parameter");
  ck_assert_str_eq(listing_errors("limit=ten&offset=-1", &l, got, sizeof got),
                   "limit:not_an_integer,offset:out_of_range");
  ck_assert_str_eq(listing_errors("limit=1&limit=2", &l, got, sizeof got), "limit:repeated");
  ck_assert_str_eq(listing_errors("q=%zz&active=%00", &l, got, sizeof got), "active:malformed,q:malformed");
  ck_assert_str_eq(listing_errors("limit=101", &l, got, sizeof got), "limit:out_of_range");
  ck_assert_str_eq(listing_errors("limit=99999999999999999999999", &l, got, sizeof got), "limit:out_of_range");
}
END_TEST

static Suite *coupons_suite(void) {
  Suite *s = suite_create("coupons");
  TCase *codes = tcase_create("codes");
  TCase *evaluate = tcase_create("evaluate");
  TCase *times = tcase_create("times");
  TCase *admin = tcase_create("admin");

  tcase_add_test(codes, normalise_code_trims_and_upper_cases);
  tcase_add_test(codes, normalise_code_refuses_what_cannot_be_a_code);
  tcase_add_test(codes, refusal_codes_are_stable);
  tcase_add_test(codes, refusal_sentences_name_the_minimum);
  suite_add_tcase(s, codes);
  tcase_add_test(evaluate, evaluate_applies_and_hands_over_kind_and_value);
  tcase_add_test(evaluate, evaluate_without_a_coupon_is_unknown);
  tcase_add_test(evaluate, evaluate_refuses_an_inactive_coupon);
  tcase_add_test(evaluate, evaluate_applies_from_starts_at_on);
  tcase_add_test(evaluate, evaluate_is_expired_from_expires_at_on);
  tcase_add_test(evaluate, evaluate_asks_guests_to_sign_in_for_a_per_customer_coupon);
  tcase_add_test(evaluate, evaluate_refuses_a_subtotal_below_the_minimum);
  tcase_add_test(evaluate, evaluate_refuses_a_used_up_coupon);
  tcase_add_test(evaluate, evaluate_counts_the_customers_own_redemptions);
  tcase_add_test(evaluate, evaluate_passes_on_a_store_failure);
  tcase_add_test(evaluate, evaluate_refuses_in_the_documented_order);
  tcase_add_test(evaluate, evaluate_refuses_a_malformed_document);
  suite_add_tcase(s, evaluate);
  tcase_add_test(times, times_parse_offsets_and_fractions);
  tcase_add_test(times, times_that_are_not_rfc_3339_are_refused);
  suite_add_tcase(s, times);
  tcase_add_test(admin, create_stores_a_normalised_coupon);
  tcase_add_test(admin, create_names_every_problem_at_once);
  tcase_add_test(admin, create_refuses_a_code_taken_in_any_case);
  tcase_add_test(admin, update_judges_the_body_against_the_stored_coupon);
  tcase_add_test(admin, delete_says_how_often_a_coupon_was_redeemed);
  tcase_add_test(admin, listing_defaults_and_values);
  tcase_add_test(admin, listing_names_every_bad_parameter);
  suite_add_tcase(s, admin);
  return s;
}

int main(void) {
  return store_contract_main(coupons_suite(), "mercato-coupons-svc");
}
