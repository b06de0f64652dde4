/* test_ratelimit.c - the rate limiter when the kv fails: the guessing limits fail closed (no
 * guess goes unlimited), plain counters fail open; and the guessing limits' keys per account
 * and network on a working kv. */
#include <check.h>
#include <stdlib.h>

#include "mercato/err.h"
#include "mercato/kv.h"
#include "mercato/log.h"
#include "mercato/ratelimit.h"

/* A kv whose every operation answers MC_ERR_UNAVAILABLE: Redis down, or a full memory kv. */
static int down_get(mc_kv *kv, const char *key, char **out, size_t *out_len) {
  (void)kv, (void)key, (void)out_len;
  *out = NULL;
  return MC_ERR_UNAVAILABLE;
}
static int down_incr(mc_kv *kv, const char *key, int64_t delta, int64_t ttl_ms, int64_t *out) {
  (void)kv, (void)key, (void)delta, (void)ttl_ms, (void)out;
  return MC_ERR_UNAVAILABLE;
}
static int down_del(mc_kv *kv, const char *key) {
  (void)kv, (void)key;
  return MC_ERR_UNAVAILABLE;
}
static int down_pttl(mc_kv *kv, const char *key, int64_t *out_ms) {
  (void)kv, (void)key, (void)out_ms;
  return MC_ERR_UNAVAILABLE;
}
static const mc_kv_ops down_ops = {.get = down_get, .incr = down_incr, .del = down_del, .pttl = down_pttl};
static mc_kv down = {.ops = &down_ops, .name = "down"};

static const mc_guess_limits limits = {.per_network = 3, .window_s = 900, .slowdown_after = 3, .slowdown_delay_s = 30};

START_TEST(test_guessing_limits_fail_closed_when_the_kv_does_not_answer) {
  mc_guess g;
  int64_t retry = -1;
  ck_assert_int_eq(mc_rate_guess_begin(&down, &limits, "ann@example.com", "10.0.0.1", &g, &retry), MC_ERR_UNAVAILABLE);
  ck_assert_int_eq(mc_rate_hit_closed(&down, "rl:login:ip:10.0.0.1", 30, 60, &retry), MC_ERR_UNAVAILABLE);
}
END_TEST

START_TEST(test_plain_counters_fail_open_when_the_kv_does_not_answer) {
  int64_t retry = -1;
  ck_assert_int_eq(mc_rate_hit(&down, "rl:coupon:10.0.0.1", 1, 60, &retry), MC_OK);
  ck_assert_int_eq(retry, 0);
}
END_TEST

START_TEST(test_a_network_past_its_limit_is_refused_while_a_clean_one_goes_ahead) {
  mc_kv *kv = NULL;
  mc_guess g;
  int64_t retry = 0;
  ck_assert_int_eq(mc_kv_memory_open(&kv), MC_OK);
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(mc_rate_guess_begin(kv, &limits, "ann@example.com", "10.0.0.1", &g, &retry), MC_OK);
    mc_rate_guess_end(kv, &g, 0);
  }
  ck_assert_int_eq(mc_rate_guess_begin(kv, &limits, "ann@example.com", "10.0.0.1", &g, &retry), MC_ERR_FORBIDDEN);
  ck_assert_int_gt(retry, 0);
  ck_assert_int_le(retry, 900);
  /* The account has three failures: a clean network is not slowed, a failing one is paced. */
  ck_assert_int_eq(mc_rate_guess_begin(kv, &limits, "ann@example.com", "10.0.0.2", &g, &retry), MC_OK);
  mc_rate_guess_end(kv, &g, 0);
  ck_assert_int_eq(mc_rate_guess_begin(kv, &limits, "ann@example.com", "10.0.0.2", &g, &retry), MC_OK);
  mc_rate_guess_end(kv, &g, 0);
  ck_assert_int_eq(mc_rate_guess_begin(kv, &limits, "ann@example.com", "10.0.0.2", &g, &retry), MC_ERR_FORBIDDEN);
  ck_assert_int_le(retry, 30);
  /* A success wipes a network's count on the account. */
  ck_assert_int_eq(mc_rate_guess_begin(kv, &limits, "ann@example.com", "10.0.0.3", &g, &retry), MC_OK);
  mc_rate_guess_end(kv, &g, 1);
  ck_assert_int_eq(mc_rate_guess_begin(kv, &limits, "ann@example.com", "10.0.0.3", &g, &retry), MC_OK);
  mc_kv_close(kv);
}
END_TEST

int main(void) {
  Suite *s = suite_create("ratelimit");
  TCase *tc = tcase_create("ratelimit");
  SRunner *sr;
  int failed;
  mc_log_set_level(MC_LOG_ERROR);
  tcase_add_test(tc, test_guessing_limits_fail_closed_when_the_kv_does_not_answer);
  tcase_add_test(tc, test_plain_counters_fail_open_when_the_kv_does_not_answer);
  tcase_add_test(tc, test_a_network_past_its_limit_is_refused_while_a_clean_one_goes_ahead);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
