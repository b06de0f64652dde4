/* test_json.c - the compact JSON writers: mc_json_dump writes the same text as jansson's
 * json_dumps for every kind of value Mercato writes, escapes, embedded NUL, and its refusals;
 * the text writer (jtext.h) writes strings and integers as mc_json_dump does, and fails on
 * text that is not UTF-8; the body reader (json_read.h) reads numbers out of range as the
 * nearest value that fits. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/jtext.h"
#include "mercato/json.h"
#include "mercato/json_read.h"

/* Asserts that mc_json_dump(v) equals json_dumps(v, JSON_COMPACT); steals v. */
static void same_as_jansson(json_t *v) {
  char *ours = NULL, *theirs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  size_t len = 0;
  ck_assert_int_eq(mc_json_dump(v, &ours, &len), MC_OK);
  ck_assert_str_eq(ours, theirs);
  ck_assert_uint_eq(len, strlen(theirs));
  free(ours);
  free(theirs);
  json_decref(v);
}

START_TEST(test_objects_arrays_and_scalars_match_json_dumps) {
  same_as_jansson(json_pack("{s:s, s:i, s:b, s:b, s:n, s:[i, s, {}], s:{}}", "name", "Ann", "stock", -42, "active", 1,
                            "archived", 0, "sku", "tags", 1, "x", "images", "empty"));
  same_as_jansson(json_object());
  same_as_jansson(json_array());
  same_as_jansson(json_integer(9007199254740993LL));
  same_as_jansson(json_pack("{s:{s:{s:[[],[{}]]}}}", "a", "b", "c"));
}
END_TEST

START_TEST(test_strings_are_escaped_like_json_dumps) {
  same_as_jansson(json_pack("{s:s}", "q", "say \"hi\" \\ back\\slash"));
  same_as_jansson(json_pack("{s:s}", "ctl", "tab\there\nnew\rret\bbs\fff\x01\x1f end"));
  same_as_jansson(json_pack("{s:s}", "utf8", "Crème brûlée – 東京 🛒"));
  same_as_jansson(json_pack("{s:s}", "slash", "a/b </script>"));
  same_as_jansson(json_pack("{s:s}", "key with \"quote\"", "v"));
}
END_TEST

START_TEST(test_embedded_nul_is_written_as_an_escape) {
  json_t *v = json_stringn("a\0b", 3);
  char *out = NULL;
  ck_assert_int_eq(mc_json_dump(v, &out, NULL), MC_OK);
  ck_assert_str_eq(out, "\"a\\u0000b\"");
  free(out);
  json_decref(v);
}
END_TEST

START_TEST(test_reals_use_the_shortest_round_trip_form) {
  json_t *v = json_pack("[f, f, f]", 0.1, 2.0, 1e300);
  char *out = NULL;
  ck_assert_int_eq(mc_json_dump(v, &out, NULL), MC_OK);
  ck_assert_str_eq(out, "[0.1,2.0,1e+300]");
  free(out);
  json_decref(v);
}
END_TEST

START_TEST(test_refuses_null_and_over_deep_values) {
  char *out = (char *)1;
  ck_assert_int_eq(mc_json_dump(NULL, &out, NULL), MC_ERR_INVALID);
  ck_assert_ptr_null(out);
  json_t *root = json_array(), *cur = root;
  for (int i = 0; i < 600; i++) {
    json_t *next = json_array();
    json_array_append_new(cur, next);
    cur = next;
  }
  ck_assert_int_eq(mc_json_dump(root, &out, NULL), MC_ERR_INVALID);
  json_decref(root);
}
END_TEST

START_TEST(test_large_documents_grow_the_buffer) {
  json_t *list = json_array();
  for (int i = 0; i < 5000; i++) json_array_append_new(list, json_pack("{s:i, s:s}", "id", i, "name", "product name"));
  same_as_jansson(list);
}
END_TEST

/* ---- the text writer ---- */

/* mc_json_dump of v (stolen), as a new string. */
static char *dumped(json_t *v) {
  char *out = NULL;
  ck_assert_ptr_nonnull(v);
  ck_assert_int_eq(mc_json_dump(v, &out, NULL), MC_OK);
  json_decref(v);
  return out;
}

/* Asserts that mc_jt_str writes s as mc_json_dump writes json_string(s). */
static void jt_str_same(const char *s) {
  mc_jtext b = {0};
  char *want = dumped(json_string(s));
  mc_jt_str(&b, s);
  ck_assert_msg(!b.failed, "the writer failed on %s", want);
  ck_assert_str_eq(b.p, want);
  ck_assert_uint_eq(b.len, strlen(want));
  free(want);
  free(b.p);
}

START_TEST(test_jt_str_escapes_every_control_character_as_jansson) {
  for (int c = 1; c < 0x20; c++) {
    char s[8] = {'a', (char)c, 'b', 0}, end[2] = {(char)c, 0}, twice[4] = {(char)c, (char)c, 'x', 0};
    jt_str_same(s);
    jt_str_same(end);
    jt_str_same(twice);
  }
  jt_str_same("\b\f\n\r\t");
  jt_str_same("\x01\x02\x1e\x1f");
}
END_TEST

START_TEST(test_jt_str_writes_quotes_slashes_and_utf8_as_jansson) {
  static const char *const table[] = {
    "",         "plain",          "\"",           "\\",           "\"\\\"",     "a/b </script>",
    "\x7f",     "del\x7f end",    "\xc2\x80",     "\xdf\xbf",     "é",          "Crème brûlée",
    "\xe0\xa0\x80", "€",          "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "東京",
    "\xf0\x90\x80\x80", "🛒",     "\xf4\x8f\xbf\xbf", "a\"é\\🛒\n\t\x01/\x7fz", "\xe2\x80\xa8 \xe2\x80\xa9",
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) jt_str_same(table[i]);
  char *big = malloc(20001);
  ck_assert_ptr_nonnull(big);
  for (int i = 0; i < 20000; i++) big[i] = "ab\"\\\n\x01\xc3\xa9"[i % 8]; /* grows the buffer */
  big[20000] = '\0';
  jt_str_same(big);
  free(big);
}
END_TEST

START_TEST(test_jt_str_fails_on_text_that_is_not_utf8) {
  static const char *const table[] = {
    "\x80",          "a\xbf" "b",      "\xc0\xaf",       "\xc1\xbf",         /* continuation, overlong */
    "\xe0\x80\xaf",  "\xe0\x9f\xbf",   "\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf", /* overlong */
    "\xed\xa0\x80",  "\xed\xbf\xbf",   "x\xed\xb0\x80y",                      /* surrogates */
    "\xe2\x82",      "\xe2\x82x",      "\xf0\x9f\x9b",   "\xc3",   "\xc3 ",  /* truncated */
    "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xfe", "\xff", "ok \xe9 latin-1",
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    mc_jtext b = {0};
    size_t len;
    json_t *j = json_string(table[i]);
    ck_assert_msg(j == NULL, "jansson takes case %zu", i); /* both agree it is not UTF-8 */
    mc_jt_lit(&b, "[");
    mc_jt_str(&b, table[i]);
    ck_assert_msg(b.failed, "case %zu was written: %s", i, b.p);
    len = b.len;
    mc_jt_lit(&b, "]"); /* a failed writer stays failed and writes nothing more */
    mc_jt_int(&b, 1);
    ck_assert(b.failed);
    ck_assert_uint_eq(b.len, len);
    free(b.p);
  }
}
END_TEST

START_TEST(test_jt_int_writes_every_int64_as_jansson) {
  static const int64_t table[] = {0, -1, 1, 9, 10, -10, 99, 100, 1234567890, -987654321, INT32_MAX, INT32_MIN,
                                  (int64_t)INT32_MAX + 1, INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    mc_jtext b = {0};
    char *want = dumped(json_integer(table[i]));
    mc_jt_int(&b, table[i]);
    ck_assert(!b.failed);
    ck_assert_str_eq(b.p, want);
    ck_assert_uint_eq(b.len, strlen(want));
    free(want);
    free(b.p);
  }
  mc_jtext b = {0};
  mc_jt_int(&b, INT64_MIN);
  mc_jt_lit(&b, ",");
  mc_jt_int(&b, INT64_MAX);
  ck_assert_str_eq(b.p, "-9223372036854775808,9223372036854775807");
  free(b.p);
}
END_TEST

START_TEST(test_jt_writes_a_document_as_mc_json_dump) {
  mc_jtext b = {0};
  char t[MC_TIME_STR_MAX];
  ck_assert_int_eq(mc_time_format_ms(INT64_C(1795292963000), t), MC_OK);
  char *want = dumped(json_pack("{s:s, s:n, s:b, s:b, s:[I, s], s:s}", "name", "Café \"A\"", "sku", "on", 1, "off", 0,
                                "n", (json_int_t)-42, "x\ty", "t", t));
  mc_jt_lit(&b, "{\"name\":");
  mc_jt_str(&b, "Café \"A\"");
  mc_jt_lit(&b, ",\"sku\":");
  mc_jt_str(&b, NULL);
  mc_jt_lit(&b, ",\"on\":");
  mc_jt_bool(&b, 1);
  mc_jt_lit(&b, ",\"off\":");
  mc_jt_bool(&b, 0);
  mc_jt_lit(&b, ",\"n\":[");
  mc_jt_int(&b, -42);
  mc_jt_lit(&b, ",");
  mc_jt_str(&b, "x\ty");
  mc_jt_lit(&b, "],\"t\":");
  mc_jt_time(&b, INT64_C(1795292963000));
  mc_jt_lit(&b, "}");
  ck_assert(!b.failed);
  ck_assert_str_eq(b.p, want);
  free(want);
  free(b.p);
}
END_TEST

/* Parses text with the flags the HTTP layer uses; a new reference or NULL. */
static json_t *read_body(const char *text, json_error_t *err) {
  return mc_json_read(text, strlen(text), JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, err);
}

START_TEST(test_read_integers_beyond_int64_as_the_nearest_int64) {
  json_t *v = read_body("{\"a\": 123456789012345678901234567890, \"b\": -99999999999999999999, \"c\": 7}", NULL);
  ck_assert_ptr_nonnull(v);
  ck_assert_int_eq(json_integer_value(json_object_get(v, "a")), INT64_MAX);
  ck_assert_int_eq(json_integer_value(json_object_get(v, "b")), INT64_MIN);
  ck_assert_int_eq(json_integer_value(json_object_get(v, "c")), 7);
  json_decref(v);
}
END_TEST

START_TEST(test_read_reals_beyond_a_double_as_the_largest_double) {
  json_t *v = read_body("[1e999, -2.5e400, 1e-999]", NULL);
  ck_assert_ptr_nonnull(v);
  ck_assert(json_real_value(json_array_get(v, 0)) == DBL_MAX);
  ck_assert(json_real_value(json_array_get(v, 1)) == -DBL_MAX);
  ck_assert(json_real_value(json_array_get(v, 2)) == 0.0);
  json_decref(v);
}
END_TEST

START_TEST(test_read_leaves_digits_inside_strings_alone) {
  json_t *v = read_body("{\"s\": \"99999999999999999999 \\\" 1e999\", \"n\": 99999999999999999999}", NULL);
  ck_assert_ptr_nonnull(v);
  ck_assert_str_eq(json_string_value(json_object_get(v, "s")), "99999999999999999999 \" 1e999");
  ck_assert_int_eq(json_integer_value(json_object_get(v, "n")), INT64_MAX);
  json_decref(v);
}
END_TEST

START_TEST(test_read_still_refuses_what_is_not_json) {
  json_error_t err;
  ck_assert_ptr_null(read_body("{\"a\": 99999999999999999999,}", &err));
  ck_assert_ptr_null(read_body("{\"a\": 1, \"a\": 2}", &err));
  ck_assert_ptr_null(read_body("null", &err));
  ck_assert_ptr_null(read_body("{\"a\": 0x10}", &err));
}
END_TEST

int main(void) {
  Suite *s = suite_create("json");
  TCase *tc = tcase_create("dump");
  tcase_add_test(tc, test_objects_arrays_and_scalars_match_json_dumps);
  tcase_add_test(tc, test_strings_are_escaped_like_json_dumps);
  tcase_add_test(tc, test_embedded_nul_is_written_as_an_escape);
  tcase_add_test(tc, test_reals_use_the_shortest_round_trip_form);
  tcase_add_test(tc, test_refuses_null_and_over_deep_values);
  tcase_add_test(tc, test_large_documents_grow_the_buffer);
  suite_add_tcase(s, tc);
  TCase *jt = tcase_create("jtext");
  tcase_add_test(jt, test_jt_str_escapes_every_control_character_as_jansson);
  tcase_add_test(jt, test_jt_str_writes_quotes_slashes_and_utf8_as_jansson);
  tcase_add_test(jt, test_jt_str_fails_on_text_that_is_not_utf8);
  tcase_add_test(jt, test_jt_int_writes_every_int64_as_jansson);
  tcase_add_test(jt, test_jt_writes_a_document_as_mc_json_dump);
  suite_add_tcase(s, jt);
  TCase *rd = tcase_create("read");
  tcase_add_test(rd, test_read_integers_beyond_int64_as_the_nearest_int64);
  tcase_add_test(rd, test_read_reals_beyond_a_double_as_the_largest_double);
  tcase_add_test(rd, test_read_leaves_digits_inside_strings_alone);
  tcase_add_test(rd, test_read_still_refuses_what_is_not_json);
  suite_add_tcase(s, rd);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
