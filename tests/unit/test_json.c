/* test_json.c - the compact JSON writer: the same text as jansson's json_dumps for every kind
 * of value Mercato writes, escapes, embedded NUL, and its refusals. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/json.h"

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
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
