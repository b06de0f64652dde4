/* test_rules_coupons.c - the coupon's pure rules (rules/coupons.h): the field spec, with every
 * problem named, and the one refusal order that the service and every store adapter apply. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/rules/coupons.h"

#define DEC_1 INT64_C(1796083200000) /* 2026-12-01T00:00:00.000Z */
#define HOUR INT64_C(3600000)

static int cmp_str(const void *a, const void *b) {
  return strcmp(a, b);
}

/* Checks the JSON text doc and returns "field:code,..." of why's errors, sorted. */
static const char *check(const char *doc_text, int for_update, const char *stored_text, char *buf, size_t len) {
  json_t *doc = json_loads(doc_text, 0, NULL), *stored = stored_text ? json_loads(stored_text, 0, NULL) : NULL, *e;
  mc_refusal why = {0};
  char items[32][96];
  size_t n = 0, i;
  int rc;

  ck_assert_msg(doc != NULL, "bad test JSON %s", doc_text);
  rc = mc_coupon_check(doc, for_update, stored, &why);
  buf[0] = '\0';
  json_array_foreach(why.errors, i, e) {
    ck_assert(json_string_length(json_object_get(e, "message")) > 0);
    snprintf(items[n++], sizeof items[0], "%s:%s", json_string_value(json_object_get(e, "field")),
             json_string_value(json_object_get(e, "code")));
  }
  qsort(items, n, sizeof items[0], cmp_str);
  for (i = 0; i < n; i++) {
    if (i) strncat(buf, ",", len - strlen(buf) - 1);
    strncat(buf, items[i], len - strlen(buf) - 1);
  }
  ck_assert_int_eq(rc, n > 0 ? MC_ERR_INVALID : MC_OK);
  mc_refusal_clear(&why);
  json_decref(doc);
  json_decref(stored);
  return buf;
}

#define ID "\"id\": \"cpn_01jd3k0000000000000000000a\""
#define STORED                                                                                                   \
  "{" ID ", \"code\": \"BIG\", \"kind\": \"fixed\", \"value\": 500, \"min_subtotal\": null, \"starts_at\": "    \
  "\"2026-12-01T00:00:00.000Z\", \"expires_at\": null, \"usage_limit\": 5, \"per_customer_limit\": null, "       \
  "\"times_used\": 2, \"active\": true}"

START_TEST(spec_accepts_a_whole_coupon) {
  char got[512];
  ck_assert_str_eq(check("{" ID ", \"code\": \"save-10\", \"kind\": \"percent\", \"value\": 100, \"min_subtotal\": 0,"
                         " \"starts_at\": \"2026-12-01T01:00:00+01:00\", \"expires_at\": null, \"usage_limit\": 1,"
                         " \"per_customer_limit\": 1000000000, \"active\": false}",
                         0, NULL, got, sizeof got),
                   "");
}
END_TEST

START_TEST(spec_names_every_problem_at_once) {
  char got[1024];
  ck_assert_str_eq(check("{}", 0, NULL, got, sizeof got), "code:required,id:required,kind:required,value:required");
  ck_assert_str_eq(check("{" ID ", \"code\": \"two words\", \"kind\": \"half\", \"value\": 0, \"min_subtotal\": -1,"
                         " \"starts_at\": \"soon\", \"expires_at\": 5, \"usage_limit\": 0, \"per_customer_limit\": 1.5,"
                         " \"active\": \"yes\", \"times_used\": 3}",
                         0, NULL, got, sizeof got),
                   "active:not_a_boolean,code:invalid_code,expires_at:not_a_string,kind:invalid_kind,"
                   "min_subtotal:out_of_range,per_customer_limit:not_an_integer,starts_at:invalid_time,"
                   "times_used:unknown_field,usage_limit:out_of_range,value:out_of_range");
  ck_assert_str_eq(check("{" ID ", \"code\": \"P\", \"kind\": \"percent\", \"value\": 101}", 0, NULL, got, sizeof got),
                   "value:out_of_range");
  ck_assert_str_eq(check("{" ID ", \"code\": \"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\", \"kind\": \"fixed\", \"value\": 1}",
                         0, NULL, got, sizeof got),
                   "code:invalid_code");
  ck_assert_str_eq(check("{\"id\": \"cpn_x\", \"code\": \"P\", \"kind\": \"fixed\", \"value\": 1000000000000001}", 0,
                         NULL, got, sizeof got),
                   "id:invalid_id,value:out_of_range");
}
END_TEST

START_TEST(spec_wants_expires_after_starts) {
  char got[256];
  ck_assert_str_eq(check("{" ID ", \"code\": \"P\", \"kind\": \"fixed\", \"value\": 1, \"starts_at\": "
                         "\"2026-12-01T00:00:00Z\", \"expires_at\": \"2026-12-01T01:00:00+01:00\"}",
                         0, NULL, got, sizeof got),
                   "expires_at:not_after_start");
  /* On an update, judged with the stored start. */
  ck_assert_str_eq(check("{\"expires_at\": \"2026-11-30T00:00:00Z\"}", 1, STORED, got, sizeof got),
                   "expires_at:not_after_start");
  ck_assert_str_eq(check("{\"expires_at\": \"2026-11-30T00:00:00Z\", \"starts_at\": null}", 1, STORED, got, sizeof got),
                   "");
}
END_TEST

START_TEST(spec_judges_an_update_against_the_stored_coupon) {
  char got[256];
  ck_assert_str_eq(check("{\"kind\": \"percent\"}", 1, STORED, got, sizeof got), "value:out_of_range");
  ck_assert_str_eq(check("{\"kind\": \"percent\", \"value\": 15}", 1, STORED, got, sizeof got), "");
  ck_assert_str_eq(check("{\"usage_limit\": 1}", 1, STORED, got, sizeof got), "usage_limit:below_times_used");
  ck_assert_str_eq(check("{\"usage_limit\": 2}", 1, STORED, got, sizeof got), "");
  ck_assert_str_eq(check("{\"code\": null, \"id\": \"cpn_01jd3k0000000000000000000a\"}", 1, STORED, got, sizeof got),
                   "code:required,id:unknown_field");
  ck_assert_str_eq(check("{}", 1, STORED, got, sizeof got), "body:empty");
  /* Without the stored coupon (the store's wrapper), the rules across members wait. */
  ck_assert_str_eq(check("{\"usage_limit\": 1, \"kind\": \"percent\"}", 1, NULL, got, sizeof got), "");
}
END_TEST

START_TEST(spec_leaves_alone_what_the_caller_reported) {
  json_t *doc = json_pack("{s:s, s:s, s:i}", "id", "cpn_01jd3k0000000000000000000a", "kind", "fixed", "value", 1);
  mc_refusal why = {0};
  mc_refusal_add_error(&why, "code", "too_long", "This field is too long.");
  ck_assert_int_eq(mc_coupon_check(doc, 0, NULL, &why), MC_ERR_INVALID);
  ck_assert_int_eq(json_array_size(why.errors), 1); /* no second "code:required" */
  mc_refusal_clear(&why);
  json_decref(doc);
}
END_TEST

START_TEST(codes_normalise_and_kinds_parse) {
  char out[MC_COUPON_CODE_MAX + 1];
  ck_assert_int_eq(mc_coupon_normalise_code("  save10 \t", out), MC_OK);
  ck_assert_str_eq(out, "SAVE10");
  ck_assert_int_eq(mc_coupon_normalise_code("a b", out), MC_ERR_INVALID);
  ck_assert_int_eq(mc_coupon_code_valid("Black-Friday_2026", 17), 1);
  ck_assert_int_eq(mc_coupon_code_valid("", 0), 0);
  ck_assert_int_eq(mc_coupon_kind_of("percent"), MC_COUPON_PERCENT);
  ck_assert_int_eq(mc_coupon_kind_of("fixed"), MC_COUPON_FIXED);
  ck_assert_int_eq(mc_coupon_kind_of("Fixed"), MC_COUPON_NONE);
}
END_TEST

/* ---- the decision ---- */

static mc_coupon_terms open_terms(void) {
  return (mc_coupon_terms){.kind = MC_COUPON_PERCENT, .value = 10, .active = 1};
}

START_TEST(decide_applies_without_limits) {
  mc_coupon_terms t = open_terms();
  mc_coupon_use u = {.now_ms = DEC_1};
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_APPLIES);
  ck_assert_int_eq(mc_coupon_needs_redemptions(&t, 1), 0);
}
END_TEST

START_TEST(decide_refuses_in_the_documented_order) {
  /* Every refusal holds at once: each is reported only when those before it are lifted. */
  mc_coupon_terms t = {.kind = MC_COUPON_FIXED, .value = 100, .active = 0, .has_starts = 1, .starts_at = DEC_1 + HOUR,
                       .has_expires = 1, .expires_at = DEC_1 - HOUR, .has_per_customer = 1, .per_customer_limit = 1,
                       .has_min_subtotal = 1, .min_subtotal = 5000, .has_usage_limit = 1, .usage_limit = 3,
                       .times_used = 3};
  mc_coupon_use u = {.now_ms = DEC_1, .has_subtotal = 1, .subtotal = 100, .redemptions = 1};
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_INACTIVE);
  t.active = 1;
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_NOT_STARTED);
  t.has_starts = 0;
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_EXPIRED);
  t.has_expires = 0;
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_SIGN_IN_REQUIRED);
  u.signed_in = 1;
  ck_assert_int_eq(mc_coupon_needs_redemptions(&t, 1), 1);
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_BELOW_MINIMUM);
  u.has_subtotal = 0; /* at redemption the minimum is the caller's */
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_EXHAUSTED);
  t.usage_limit = 4;
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_ALREADY_USED);
  u.redemptions = 0;
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_APPLIES);
}
END_TEST

START_TEST(decide_counts_time_from_starts_at_to_expires_at) {
  mc_coupon_terms t = open_terms();
  mc_coupon_use u = {.now_ms = DEC_1};
  t.has_starts = t.has_expires = 1;
  t.starts_at = DEC_1;
  t.expires_at = DEC_1 + HOUR;
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_APPLIES);
  u.now_ms = DEC_1 - 1;
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_NOT_STARTED);
  u.now_ms = DEC_1 + HOUR;
  ck_assert_int_eq(mc_coupon_decide(&t, &u), MC_COUPON_EXPIRED);
}
END_TEST

START_TEST(terms_read_a_stored_document_and_refuse_a_malformed_one) {
  json_t *doc = json_loads(STORED, 0, NULL);
  mc_coupon_terms t;
  ck_assert_int_eq(mc_coupon_terms_of(doc, &t), MC_OK);
  ck_assert_int_eq(t.kind, MC_COUPON_FIXED);
  ck_assert_int_eq(t.value, 500);
  ck_assert_int_eq(t.has_starts, 1);
  ck_assert_int_eq(t.starts_at, DEC_1);
  ck_assert_int_eq(t.usage_limit, 5);
  ck_assert_int_eq(t.times_used, 2);
  ck_assert_int_eq(t.has_per_customer, 0);
  json_object_set_new(doc, "starts_at", json_string("soon"));
  ck_assert_int_eq(mc_coupon_terms_of(doc, &t), MC_ERR_INVALID);
  json_decref(doc);
}
END_TEST

START_TEST(refusals_carry_code_field_sentence_and_minimum) {
  mc_refusal why = {0};
  ck_assert_int_eq(mc_coupon_refuse(&why, MC_COUPON_BELOW_MINIMUM, 5000, "EUR"), MC_ERR_INVALID);
  ck_assert_str_eq(why.code, "coupon_below_minimum");
  ck_assert_str_eq(why.field, "code");
  ck_assert_str_eq(why.detail, "This coupon needs a subtotal of at least 50.00 EUR.");
  ck_assert_int_eq(mc_refusal_number_get(&why, "minimum", -1), 5000);
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_coupon_refuse_redeemed(&why, 3), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "coupon_redeemed");
  ck_assert_int_eq(mc_refusal_number_get(&why, "times_used", -1), 3);
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_coupon_refuse_code_taken(&why), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "coupon_code_taken");
  ck_assert_int_eq(json_array_size(why.errors), 1);
  mc_refusal_clear(&why);
  for (int r = MC_COUPON_APPLIES; r <= MC_COUPON_ALREADY_USED; r++)
    ck_assert_int_eq(strncmp(mc_coupon_problem_code((mc_coupon_refusal)r), "coupon_", 7), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("rules_coupons");
  TCase *t = tcase_create("rules");
  SRunner *sr;
  int failed;

  tcase_add_test(t, spec_accepts_a_whole_coupon);
  tcase_add_test(t, spec_names_every_problem_at_once);
  tcase_add_test(t, spec_wants_expires_after_starts);
  tcase_add_test(t, spec_judges_an_update_against_the_stored_coupon);
  tcase_add_test(t, spec_leaves_alone_what_the_caller_reported);
  tcase_add_test(t, codes_normalise_and_kinds_parse);
  tcase_add_test(t, decide_applies_without_limits);
  tcase_add_test(t, decide_refuses_in_the_documented_order);
  tcase_add_test(t, decide_counts_time_from_starts_at_to_expires_at);
  tcase_add_test(t, terms_read_a_stored_document_and_refuse_a_malformed_one);
  tcase_add_test(t, refusals_carry_code_field_sentence_and_minimum);
  suite_add_tcase(s, t);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
