/* test_kv_prefix.c - the prefixing kv adapter: keys land under the prefix in the wrapped store,
 * two prefixes never see each other's keys, and the length bound counts the prefix. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/kv.h"

START_TEST(test_keys_are_stored_under_the_prefix) {
  mc_kv *inner, *a;
  char *v = NULL;
  ck_assert_int_eq(mc_kv_memory_open(&inner), MC_OK);
  ck_assert_int_eq(mc_kv_prefixed(inner, "shop1:", &a), MC_OK);
  ck_assert_int_eq(mc_kv_set(a, "catalog:gen", "7", 1, 0), MC_OK);
  ck_assert_int_eq(mc_kv_get(inner, "shop1:catalog:gen", &v, NULL), MC_OK);
  ck_assert_str_eq(v, "7");
  free(v);
  ck_assert_int_eq(mc_kv_get(inner, "catalog:gen", &v, NULL), MC_ERR_NOT_FOUND);
  mc_kv_close(a); /* closes inner too */
}
END_TEST

START_TEST(test_two_prefixes_share_nothing) {
  mc_kv *inner, *a;
  int64_t n = 0, ttl = 0;
  char *v = NULL;
  ck_assert_int_eq(mc_kv_memory_open(&inner), MC_OK);
  ck_assert_int_eq(mc_kv_prefixed(inner, "a:", &a), MC_OK);
  ck_assert_int_eq(mc_kv_incr(a, "n", 5, 1000, &n), MC_OK);
  ck_assert_int_eq(mc_kv_set_nx(a, "lock", "x", 1, 0), MC_OK);
  /* Another shop on the same store, reached through the inner adapter with its own prefix. */
  ck_assert_int_eq(mc_kv_get(inner, "b:n", &v, NULL), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_kv_set(inner, "b:n", "1", 1, 0), MC_OK);
  ck_assert_int_eq(mc_kv_get(a, "n", &v, NULL), MC_OK);
  ck_assert_str_eq(v, "5");
  free(v);
  ck_assert_int_eq(mc_kv_pttl(a, "n", &ttl), MC_OK);
  ck_assert_int_gt(ttl, 0);
  ck_assert_int_eq(mc_kv_cas(a, "lock", "x", 1, NULL, 0, 0), MC_OK);
  ck_assert_int_eq(mc_kv_del(a, "lock"), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_kv_ping(a), MC_OK);
  mc_kv_close(a);
}
END_TEST

START_TEST(test_the_key_bound_counts_the_prefix_and_bad_prefixes_are_refused) {
  mc_kv *inner, *a;
  char key[MC_KV_KEY_MAX + 1];
  char long_prefix[MC_KV_PREFIX_MAX + 2];
  memset(long_prefix, 'p', sizeof long_prefix - 1);
  long_prefix[sizeof long_prefix - 1] = '\0';
  ck_assert_int_eq(mc_kv_memory_open(&inner), MC_OK);
  ck_assert_int_eq(mc_kv_prefixed(inner, "", &a), MC_ERR_INVALID);
  ck_assert_int_eq(mc_kv_prefixed(inner, long_prefix, &a), MC_ERR_INVALID);
  ck_assert_int_eq(mc_kv_prefixed(inner, "pp:", &a), MC_OK);
  memset(key, 'k', MC_KV_KEY_MAX - 3);
  key[MC_KV_KEY_MAX - 3] = '\0';
  ck_assert_int_eq(mc_kv_set(a, key, "v", 1, 0), MC_OK);
  memset(key, 'k', MC_KV_KEY_MAX - 2);
  key[MC_KV_KEY_MAX - 2] = '\0';
  ck_assert_int_eq(mc_kv_set(a, key, "v", 1, 0), MC_ERR_INVALID);
  ck_assert_int_eq(mc_kv_set(a, "", "v", 1, 0), MC_ERR_INVALID);
  mc_kv_close(a);
}
END_TEST

int main(void) {
  Suite *s = suite_create("kv_prefix");
  TCase *tc = tcase_create("prefix");
  tcase_add_test(tc, test_keys_are_stored_under_the_prefix);
  tcase_add_test(tc, test_two_prefixes_share_nothing);
  tcase_add_test(tc, test_the_key_bound_counts_the_prefix_and_bad_prefixes_are_refused);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
