/* test_kv.c - the kv port's contract, run on the memory adapter and, when MERCATO_TEST_REDIS_URL
 * is set, on Redis too; plus mc_kv_open's URL handling. Keys carry a random prefix per test. */
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "mercato/err.h"
#include "mercato/kv.h"
#include "mercato/log.h"
#include "mercato/rand.h"

#define TIMEOUT_MS 2000

static char g_redis_url[512];   /* "": the Redis cases are not added */
static mc_kv *g_kv;             /* the adapter under test, opened by the fixture */
static char g_prefix[48];       /* "mercato-test:<random>:": runs sharing a Redis never collide */

/* Like ck_assert_int_eq, but a failure names the statuses instead of their numbers. */
#define ck_assert_err(expr, want)                                                          \
  do {                                                                                     \
    int got_ = (expr), want_ = (want);                                                     \
    ck_assert_msg(got_ == want_, "%s -> %s, want %s", #expr, mc_err_name(got_),          \
                  mc_err_name(want_));                                                     \
  } while (0)

/* Writes g_prefix + name into buf; buf must hold 128 bytes. */
static char *key_of(char *buf, const char *name) {
  snprintf(buf, 128, "%s%s", g_prefix, name);
  return buf;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {}
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void new_prefix(void) {
  char hex[17];
  ck_assert_err(mc_rand_hex(hex, 8), MC_OK);
  snprintf(g_prefix, sizeof g_prefix, "mercato-test:%s:", hex);
}

static void open_memory(void) {
  ck_assert_err(mc_kv_open(NULL, TIMEOUT_MS, &g_kv), MC_OK);
  new_prefix();
}

static void open_redis(void) {
  ck_assert_err(mc_kv_open(g_redis_url, TIMEOUT_MS, &g_kv), MC_OK);
  new_prefix();
}

static void close_kv(void) {
  mc_kv_close(g_kv);
  g_kv = NULL;
}

/* Asserts key holds exactly want[0..want_len). */
static void assert_value(const char *key, const void *want, size_t want_len) {
  char *got = NULL;
  size_t got_len = 0;
  ck_assert_err(mc_kv_get(g_kv, key, &got, &got_len), MC_OK);
  ck_assert_uint_eq(got_len, want_len);
  ck_assert(memcmp(got, want, want_len) == 0);
  ck_assert_int_eq(got[got_len], '\0');
  free(got);
}

/* ---- the contract ---- */

START_TEST(test_get_missing_is_not_found) {
  char k[128];
  char *v = (char *)"untouched";
  size_t n = 99;
  ck_assert_err(mc_kv_get(g_kv, key_of(k, "missing"), &v, &n), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(v);
  ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_set_get_binary_value_with_nul_bytes) {
  char k[128];
  const char value[] = {'a', '\0', 'b', '\0', '\xff', '\r', '\n'};
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "bin"), value, sizeof value, 0), MC_OK);
  assert_value(k, value, sizeof value);
}
END_TEST

START_TEST(test_set_get_empty_value) {
  char k[128];
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "empty"), NULL, 0, 0), MC_OK);
  assert_value(k, "", 0);
}
END_TEST

START_TEST(test_get_out_len_may_be_null) {
  char k[128];
  char *v = NULL;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "s"), "hello", 5, 0), MC_OK);
  ck_assert_err(mc_kv_get(g_kv, k, &v, NULL), MC_OK);
  ck_assert_str_eq(v, "hello");
  free(v);
}
END_TEST

START_TEST(test_set_overwrites_value_and_ttl) {
  char k[128];
  int64_t ttl = 0;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "ow"), "first-long-value", 16, 10000), MC_OK);
  ck_assert_err(mc_kv_set(g_kv, k, "2nd", 3, 0), MC_OK);
  assert_value(k, "2nd", 3);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert_int_eq(ttl, -1);
}
END_TEST

START_TEST(test_ttl_expiry_hides_key) {
  char k[128];
  int64_t ttl;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "ttl"), "v", 1, 80), MC_OK);
  assert_value(k, "v", 1);
  sleep_ms(150);
  char *v = NULL;
  ck_assert_err(mc_kv_get(g_kv, k, &v, NULL), MC_ERR_NOT_FOUND);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_ERR_NOT_FOUND);
  ck_assert_err(mc_kv_del(g_kv, k), MC_ERR_NOT_FOUND);
  ck_assert_err(mc_kv_set_nx(g_kv, k, "new", 3, 0), MC_OK);
  assert_value(k, "new", 3);
}
END_TEST

START_TEST(test_set_nx_conflicts_when_present) {
  char k[128];
  int64_t ttl = 0;
  ck_assert_err(mc_kv_set_nx(g_kv, key_of(k, "nx"), "one", 3, 5000), MC_OK);
  ck_assert_err(mc_kv_set_nx(g_kv, k, "two", 3, 0), MC_ERR_CONFLICT);
  assert_value(k, "one", 3);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert(ttl > 0 && ttl <= 5000);
}
END_TEST

START_TEST(test_set_cache_stores_with_its_ttl) {
  char k[128];
  int64_t ttl = 0;
  char *v = NULL;
  ck_assert_err(mc_kv_set_cache(g_kv, key_of(k, "page"), "body\0etag", 9, 5000), MC_OK);
  assert_value(k, "body\0etag", 9);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert(ttl > 0 && ttl <= 5000);
  ck_assert_err(mc_kv_set_cache(g_kv, k, "v2", 2, 80), MC_OK);
  assert_value(k, "v2", 2);
  sleep_ms(150);
  ck_assert_err(mc_kv_get(g_kv, k, &v, NULL), MC_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_set_cache_needs_a_positive_ttl) {
  char k[128];
  char *v = NULL;
  ck_assert_err(mc_kv_set_cache(g_kv, key_of(k, "nottl"), "v", 1, 0), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set_cache(g_kv, k, "v", 1, -1), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set_cache(g_kv, k, "v", 1, MC_KV_TTL_MAX + 1), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set_cache(g_kv, k, NULL, 1, 1000), MC_ERR_INVALID);
  ck_assert_err(mc_kv_get(g_kv, k, &v, NULL), MC_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_set_over_a_cache_entry_replaces_it) {
  char k[128];
  int64_t ttl = 0;
  ck_assert_err(mc_kv_set_cache(g_kv, key_of(k, "promoted"), "cached", 6, 5000), MC_OK);
  ck_assert_err(mc_kv_set(g_kv, k, "record", 6, 0), MC_OK);
  assert_value(k, "record", 6);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert_int_eq(ttl, -1);
}
END_TEST

START_TEST(test_del_found_then_not_found) {
  char k[128];
  char *v = NULL;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "del"), "v", 1, 0), MC_OK);
  ck_assert_err(mc_kv_del(g_kv, k), MC_OK);
  ck_assert_err(mc_kv_get(g_kv, k, &v, NULL), MC_ERR_NOT_FOUND);
  ck_assert_err(mc_kv_del(g_kv, k), MC_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_incr_creates_and_adds) {
  char k[128];
  int64_t out = 0;
  ck_assert_err(mc_kv_incr(g_kv, key_of(k, "ctr"), 5, 0, &out), MC_OK);
  ck_assert_int_eq(out, 5);
  ck_assert_err(mc_kv_incr(g_kv, k, -7, 0, &out), MC_OK);
  ck_assert_int_eq(out, -2);
  assert_value(k, "-2", 2);
  ck_assert_err(mc_kv_incr(g_kv, k, 2, 0, NULL), MC_OK);
  assert_value(k, "0", 1);
}
END_TEST

START_TEST(test_incr_ttl_applies_only_on_create) {
  char k[128];
  int64_t out = 0, ttl = 0;
  char *v = NULL;
  ck_assert_err(mc_kv_incr(g_kv, key_of(k, "win"), 1, 400, &out), MC_OK);
  ck_assert_int_eq(out, 1);
  sleep_ms(150);
  ck_assert_err(mc_kv_incr(g_kv, k, 1, 400, &out), MC_OK);
  ck_assert_int_eq(out, 2);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert_msg(ttl > 0 && ttl <= 300, "the second incr extended the window: %lld", (long long)ttl);
  sleep_ms(ttl + 60);
  ck_assert_err(mc_kv_get(g_kv, k, &v, NULL), MC_ERR_NOT_FOUND);
  ck_assert_err(mc_kv_incr(g_kv, k, 1, 400, &out), MC_OK);
  ck_assert_int_eq(out, 1);
}
END_TEST

START_TEST(test_incr_without_ttl_never_expires) {
  char k[128];
  int64_t ttl = 0;
  ck_assert_err(mc_kv_incr(g_kv, key_of(k, "forever"), 1, 0, NULL), MC_OK);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert_int_eq(ttl, -1);
}
END_TEST

START_TEST(test_incr_keeps_existing_ttl) {
  char k[128];
  int64_t out = 0, ttl = 0;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "kept"), "10", 2, 5000), MC_OK);
  ck_assert_err(mc_kv_incr(g_kv, k, 1, 0, &out), MC_OK);
  ck_assert_int_eq(out, 11);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert(ttl > 0 && ttl <= 5000);
}
END_TEST

START_TEST(test_incr_non_integer_is_invalid_and_unchanged) {
  static const char *const bad[] = {"abc", "12 ", " 12", "01", "1.5", "", "-", "+1", "-0", "1e3"};
  char k[128];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_err(mc_kv_set(g_kv, key_of(k, "nonint"), bad[i], strlen(bad[i]), 0), MC_OK);
    ck_assert_msg(mc_kv_incr(g_kv, k, 1, 0, NULL) == MC_ERR_INVALID, "accepted \"%s\"", bad[i]);
    assert_value(k, bad[i], strlen(bad[i]));
  }
  ck_assert_err(mc_kv_set(g_kv, k, "1\0002", 3, 0), MC_OK);
  ck_assert_err(mc_kv_incr(g_kv, k, 1, 0, NULL), MC_ERR_INVALID);
}
END_TEST

START_TEST(test_incr_overflow_is_invalid) {
  char k[128];
  int64_t out = 0;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "big"), "9223372036854775806", 19, 0), MC_OK);
  ck_assert_err(mc_kv_incr(g_kv, k, 1, 0, &out), MC_OK);
  ck_assert(out == INT64_MAX);
  ck_assert_err(mc_kv_incr(g_kv, k, 1, 0, &out), MC_ERR_INVALID);
  assert_value(k, "9223372036854775807", 19);
  ck_assert_err(mc_kv_set(g_kv, k, "-9223372036854775808", 20, 0), MC_OK);
  ck_assert_err(mc_kv_incr(g_kv, k, -1, 0, &out), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set(g_kv, k, "9223372036854775808", 19, 0), MC_OK);
  ck_assert_err(mc_kv_incr(g_kv, k, 0, 0, &out), MC_ERR_INVALID);
}
END_TEST

START_TEST(test_incr_is_exact_above_2_pow_53) {
  char k[128];
  int64_t out = 0;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "exact"), "9007199254740993", 16, 0), MC_OK);
  ck_assert_err(mc_kv_incr(g_kv, k, 2, 0, &out), MC_OK);
  ck_assert(out == INT64_C(9007199254740995));
}
END_TEST

START_TEST(test_cas_swaps_on_match) {
  char k[128];
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "cas"), "v1", 2, 0), MC_OK);
  ck_assert_err(mc_kv_cas(g_kv, k, "v1", 2, "v2", 2, 0), MC_OK);
  assert_value(k, "v2", 2);
}
END_TEST

START_TEST(test_cas_conflicts_on_mismatch) {
  char k[128];
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "cas"), "a\0b", 3, 0), MC_OK);
  ck_assert_err(mc_kv_cas(g_kv, k, "a\0c", 3, "x", 1, 0), MC_ERR_CONFLICT);
  ck_assert_err(mc_kv_cas(g_kv, k, "a", 1, "x", 1, 0), MC_ERR_CONFLICT);
  ck_assert_err(mc_kv_cas(g_kv, k, "a\0b\0", 4, "x", 1, 0), MC_ERR_CONFLICT);
  ck_assert_err(mc_kv_cas(g_kv, k, NULL, 0, NULL, 0, 0), MC_ERR_CONFLICT);
  assert_value(k, "a\0b", 3);
  ck_assert_err(mc_kv_cas(g_kv, k, "a\0b", 3, "x", 1, 0), MC_OK);
}
END_TEST

START_TEST(test_cas_missing_is_not_found) {
  char k[128];
  char *v = NULL;
  ck_assert_err(mc_kv_cas(g_kv, key_of(k, "nokey"), "v", 1, "w", 1, 0), MC_ERR_NOT_FOUND);
  ck_assert_err(mc_kv_cas(g_kv, k, "v", 1, NULL, 0, 0), MC_ERR_NOT_FOUND);
  ck_assert_err(mc_kv_get(g_kv, k, &v, NULL), MC_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_cas_null_new_value_deletes_on_match) {
  char k[128];
  char *v = NULL;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "lock"), "owner-1", 7, 10000), MC_OK);
  ck_assert_err(mc_kv_cas(g_kv, k, "owner-2", 7, NULL, 0, 0), MC_ERR_CONFLICT);
  assert_value(k, "owner-1", 7);
  ck_assert_err(mc_kv_cas(g_kv, k, "owner-1", 7, NULL, 0, 0), MC_OK);
  ck_assert_err(mc_kv_get(g_kv, k, &v, NULL), MC_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_cas_sets_new_ttl) {
  char k[128];
  int64_t ttl = 0;
  char *v = NULL;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "casttl"), "a", 1, 10000), MC_OK);
  ck_assert_err(mc_kv_cas(g_kv, k, "a", 1, "b", 1, 0), MC_OK);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert_int_eq(ttl, -1);
  ck_assert_err(mc_kv_cas(g_kv, k, "b", 1, "c", 1, 80), MC_OK);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert(ttl > 0 && ttl <= 80);
  sleep_ms(150);
  ck_assert_err(mc_kv_get(g_kv, k, &v, NULL), MC_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_pttl_reports_remaining_or_minus_one) {
  char k[128], k2[128];
  int64_t ttl = 0;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "p1"), "v", 1, 0), MC_OK);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert_int_eq(ttl, -1);
  ck_assert_err(mc_kv_set(g_kv, k, "v", 1, 10000), MC_OK);
  ck_assert_err(mc_kv_pttl(g_kv, k, &ttl), MC_OK);
  ck_assert(ttl > 9000 && ttl <= 10000);
  ck_assert_err(mc_kv_pttl(g_kv, key_of(k2, "p2"), &ttl), MC_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_key_bounds) {
  char key[MC_KV_KEY_MAX + 2];
  char *v = NULL;
  int64_t n;
  size_t plen = strlen(g_prefix);
  memcpy(key, g_prefix, plen);
  memset(key + plen, 'k', sizeof key - plen);
  key[MC_KV_KEY_MAX] = '\0';
  ck_assert_err(mc_kv_set(g_kv, key, "v", 1, 0), MC_OK);
  assert_value(key, "v", 1);
  ck_assert_err(mc_kv_del(g_kv, key), MC_OK);
  key[MC_KV_KEY_MAX] = 'k';
  key[MC_KV_KEY_MAX + 1] = '\0';
  ck_assert_err(mc_kv_set(g_kv, key, "v", 1, 0), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set_nx(g_kv, key, "v", 1, 0), MC_ERR_INVALID);
  ck_assert_err(mc_kv_get(g_kv, key, &v, NULL), MC_ERR_INVALID);
  ck_assert_err(mc_kv_del(g_kv, key), MC_ERR_INVALID);
  ck_assert_err(mc_kv_incr(g_kv, key, 1, 0, &n), MC_ERR_INVALID);
  ck_assert_err(mc_kv_cas(g_kv, key, "v", 1, "w", 1, 0), MC_ERR_INVALID);
  ck_assert_err(mc_kv_pttl(g_kv, key, &n), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set(g_kv, "", "v", 1, 0), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set(g_kv, NULL, "v", 1, 0), MC_ERR_INVALID);
}
END_TEST

START_TEST(test_value_and_ttl_bounds) {
  char k[128];
  char *big = malloc(MC_KV_VALUE_MAX + 1);
  ck_assert_ptr_nonnull(big);
  for (size_t i = 0; i < MC_KV_VALUE_MAX + 1; i++) big[i] = (char)(i * 31);
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "big"), big, MC_KV_VALUE_MAX, 0), MC_OK);
  assert_value(k, big, MC_KV_VALUE_MAX);
  ck_assert_err(mc_kv_set(g_kv, k, big, MC_KV_VALUE_MAX + 1, 0), MC_ERR_INVALID);
  ck_assert_err(mc_kv_cas(g_kv, k, big, MC_KV_VALUE_MAX + 1, "x", 1, 0), MC_ERR_INVALID);
  ck_assert_err(mc_kv_cas(g_kv, k, big, MC_KV_VALUE_MAX, big, MC_KV_VALUE_MAX + 1, 0),
                MC_ERR_INVALID);
  free(big);
  ck_assert_err(mc_kv_set(g_kv, k, NULL, 3, 0), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set(g_kv, k, "v", 1, -1), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set(g_kv, k, "v", 1, MC_KV_TTL_MAX + 1), MC_ERR_INVALID);
  ck_assert_err(mc_kv_incr(g_kv, k, 1, -5, NULL), MC_ERR_INVALID);
  ck_assert_err(mc_kv_set(g_kv, k, "v", 1, MC_KV_TTL_MAX), MC_OK);
}
END_TEST

START_TEST(test_ping_answers) {
  ck_assert_err(mc_kv_ping(g_kv), MC_OK);
}
END_TEST

/* ---- concurrency ---- */

/* One racing thread: all share start and key; each reports its own status. */
typedef struct racer {
  pthread_barrier_t *start;
  const char *key;
  int index;
  int result;
} racer;

static void *incr_worker(void *arg) {
  racer *r = arg;
  pthread_barrier_wait(r->start);
  r->result = MC_OK;
  for (int i = 0; i < 1000 && r->result == MC_OK; i++)
    r->result = mc_kv_incr(g_kv, r->key, 1, 0, NULL);
  return NULL;
}

static void *set_nx_worker(void *arg) {
  racer *r = arg;
  char value[16];
  int n = snprintf(value, sizeof value, "w%d", r->index);
  pthread_barrier_wait(r->start);
  r->result = mc_kv_set_nx(g_kv, r->key, value, (size_t)n, 10000);
  return NULL;
}

static void *cas_worker(void *arg) {
  racer *r = arg;
  char value[16];
  int n = snprintf(value, sizeof value, "w%d", r->index);
  pthread_barrier_wait(r->start);
  r->result = mc_kv_cas(g_kv, r->key, "v0", 2, value, (size_t)n, 0);
  return NULL;
}

/* Runs n (<= 16) threads of fn on key, released together by a barrier. */
static void run_race(const char *key, racer *racers, int n, void *(*fn)(void *)) {
  pthread_t threads[16];
  pthread_barrier_t start;
  ck_assert_int_eq(pthread_barrier_init(&start, NULL, (unsigned)n), 0);
  for (int i = 0; i < n; i++) {
    racers[i] = (racer){.start = &start, .key = key, .index = i, .result = -1};
    ck_assert_int_eq(pthread_create(&threads[i], NULL, fn, &racers[i]), 0);
  }
  for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&start);
}

/* Asserts exactly one racer got MC_OK, the others MC_ERR_CONFLICT, and key holds its value. */
static void assert_one_winner(const char *key, const racer *racers, int n) {
  int winner = -1;
  char want[16];
  for (int i = 0; i < n; i++) {
    if (racers[i].result == MC_OK) {
      ck_assert_msg(winner < 0, "threads %d and %d both won", winner, i);
      winner = i;
    } else {
      ck_assert_err(racers[i].result, MC_ERR_CONFLICT);
    }
  }
  ck_assert_int_ge(winner, 0);
  int len = snprintf(want, sizeof want, "w%d", winner);
  assert_value(key, want, (size_t)len);
}

START_TEST(test_concurrent_incr_loses_no_update) {
  char k[128];
  racer racers[8];
  int64_t out = 0;
  run_race(key_of(k, "hot"), racers, 8, incr_worker);
  for (int i = 0; i < 8; i++) ck_assert_err(racers[i].result, MC_OK);
  ck_assert_err(mc_kv_incr(g_kv, k, 0, 0, &out), MC_OK);
  ck_assert_int_eq(out, 8000);
}
END_TEST

START_TEST(test_concurrent_set_nx_has_one_winner) {
  char k[128];
  racer racers[16];
  run_race(key_of(k, "nxrace"), racers, 16, set_nx_worker);
  assert_one_winner(k, racers, 16);
}
END_TEST

START_TEST(test_concurrent_cas_has_one_winner) {
  char k[128];
  racer racers[16];
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "casrace"), "v0", 2, 0), MC_OK);
  run_race(k, racers, 16, cas_worker);
  assert_one_winner(k, racers, 16);
}
END_TEST

/* ---- memory only ---- */

START_TEST(test_memory_holds_100k_keys) {
  char k[128], name[32];
  char *v = NULL;
  size_t n;
  for (int i = 0; i < 100000; i++) {
    snprintf(name, sizeof name, "k%d", i);
    ck_assert_err(mc_kv_set(g_kv, key_of(k, name), name, strlen(name), i % 2 ? 60000 : 0), MC_OK);
  }
  for (int i = 0; i < 100000; i += 7) {
    snprintf(name, sizeof name, "k%d", i);
    ck_assert_err(mc_kv_get(g_kv, key_of(k, name), &v, &n), MC_OK);
    ck_assert_str_eq(v, name);
    free(v);
  }
}
END_TEST

START_TEST(test_memory_reuses_expired_keys_under_churn) {
  char k[128], name[32];
  int64_t ttl;
  /* Many short-lived keys: each write also sweeps, so this exercises reclaim and regrowth. */
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 20000; i++) {
      snprintf(name, sizeof name, "r%d-%d", round, i);
      ck_assert_err(mc_kv_set(g_kv, key_of(k, name), "x", 1, 20), MC_OK);
    }
    sleep_ms(30);
  }
  ck_assert_err(mc_kv_pttl(g_kv, key_of(k, "r0-0"), &ttl), MC_ERR_NOT_FOUND);
}
END_TEST

/* ---- redis only ---- */

/* Opens a plain hiredis connection to the test server for out-of-band commands, or returns
 * NULL when the URL has a form this helper does not handle (credentials, unix query). */
static redisContext *admin_connect(void) {
  struct timeval tv = {2, 0};
  char host[256];
  int port = 6379;
  const char *u = g_redis_url;
  if (strchr(u, '@') != NULL) return NULL;
  if (strncmp(u, "unix://", 7) == 0 && strcspn(u + 7, "?") < sizeof host) {
    snprintf(host, sizeof host, "%.*s", (int)strcspn(u + 7, "?"), u + 7);
    return strstr(u, "password=") == NULL ? redisConnectUnixWithTimeout(host, tv) : NULL;
  }
  if (strncmp(u, "redis://", 8) != 0) return NULL;
  u += 8;
  size_t n = strcspn(u, ":/");
  if (n == 0 || n >= sizeof host) return NULL;
  memcpy(host, u, n);
  host[n] = '\0';
  if (u[n] == ':') port = atoi(u + n + 1);
  return redisConnectWithTimeout(host, port, tv);
}

/* Kills this process's adapter connections (named mercato-<pid> by the adapter) from the
 * server side, as a Redis restart or an idle timeout would. Returns how many, or -1. */
static int kill_own_connections(void) {
  redisContext *c = admin_connect();
  redisReply *list;
  char want[48], *save = NULL;
  int killed = 0;
  if (c == NULL || c->err) {
    if (c != NULL) redisFree(c);
    return -1;
  }
  snprintf(want, sizeof want, " name=mercato-%ld ", (long)getpid());
  list = redisCommand(c, "CLIENT LIST");
  if (list == NULL || list->type != REDIS_REPLY_STRING) killed = -1;
  for (char *line = killed == 0 ? strtok_r(list->str, "\n", &save) : NULL; line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    if (strncmp(line, "id=", 3) != 0 || strstr(line, want) == NULL) continue;
    redisReply *r = redisCommand(c, "CLIENT KILL ID %lld", strtoll(line + 3, NULL, 10));
    if (r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == 1) killed++;
    if (r != NULL) freeReplyObject(r);
  }
  if (list != NULL) freeReplyObject(list);
  redisFree(c);
  return killed;
}

START_TEST(test_redis_reconnects_after_connection_loss) {
  char k[128];
  int killed;
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "rc"), "v1", 2, 0), MC_OK);
  killed = kill_own_connections();
  if (killed < 0) return; /* a URL with credentials admin_connect does not handle */
  ck_assert_int_ge(killed, 1);
  /* A read is retried once on a fresh connection, so the caller never notices. */
  assert_value(k, "v1", 2);
  ck_assert_int_ge(kill_own_connections(), 1);
  /* A write is not repeated (it might have been applied); the next call reconnects. */
  ck_assert_err(mc_kv_set(g_kv, k, "v2", 2, 0), MC_ERR_UNAVAILABLE);
  ck_assert_err(mc_kv_set(g_kv, k, "v2", 2, 0), MC_OK);
  assert_value(k, "v2", 2);
}
END_TEST

START_TEST(test_redis_wrong_password_fails_at_open) {
  char url[sizeof g_redis_url + 64];
  mc_kv *kv = NULL;
  if (strncmp(g_redis_url, "redis://", 8) != 0 || strchr(g_redis_url, '@') != NULL) return;
  snprintf(url, sizeof url, "redis://:not-the-password-%d@%s", (int)getpid(), g_redis_url + 8);
  ck_assert_err(mc_kv_open(url, TIMEOUT_MS, &kv), MC_ERR_UNAVAILABLE);
  ck_assert_ptr_null(kv);
}
END_TEST

START_TEST(test_redis_databases_are_separate) {
  char url[sizeof g_redis_url + 64], k[128];
  char *v = NULL;
  mc_kv *other = NULL;
  const char *u = g_redis_url;
  const char *slash = strncmp(u, "redis://", 8) == 0 ? strchr(u + 8, '/') : NULL;
  int db = slash != NULL ? atoi(slash + 1) : 0;
  if (strncmp(u, "redis://", 8) != 0 || strchr(u, '?') != NULL) return;
  snprintf(url, sizeof url, "%.*s/%d", (int)(slash != NULL ? slash - u : (long)strlen(u)), u,
           db == 0 ? 1 : 0);
  ck_assert_err(mc_kv_open(url, TIMEOUT_MS, &other), MC_OK);
  ck_assert_str_eq(other->name, "redis");
  ck_assert_err(mc_kv_set(g_kv, key_of(k, "db"), "v", 1, 0), MC_OK);
  ck_assert_err(mc_kv_get(other, k, &v, NULL), MC_ERR_NOT_FOUND);
  ck_assert_err(mc_kv_set(other, k, "w", 1, 0), MC_OK);
  assert_value(k, "v", 1);
  ck_assert_err(mc_kv_del(other, k), MC_OK);
  mc_kv_close(other);
}
END_TEST

/* ---- opening ---- */

/* A loopback port nothing listens on: bound and released, so connecting is refused. */
static int closed_port(void) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

START_TEST(test_open_empty_url_is_memory) {
  mc_kv *kv = NULL;
  ck_assert_err(mc_kv_open(NULL, 0, &kv), MC_OK);
  ck_assert_str_eq(kv->name, "memory");
  mc_kv_close(kv);
  ck_assert_err(mc_kv_open("", 0, &kv), MC_OK);
  ck_assert_str_eq(kv->name, "memory");
  mc_kv_close(kv);
  mc_kv_close(NULL);
}
END_TEST

START_TEST(test_open_malformed_urls_are_invalid) {
  static const char *const bad[] = {
    "redis://", "redis://:6379", "redis://host:", "redis://host:0", "redis://host:65536",
    "redis://host:12a", "redis://host:123456", "redis://host/abc", "redis://host/1/2",
    "redis://host/-1", "redis://host?db=1", "redis://host#x", "redis://user@host",
    "redis://user:@host", "redis://[::1", "redis://[::1]x", "redis://[zz]:1", "redis://ho st",
    "redis://ho%20st", "redis://:p%zz@host", "redis://:p%0@host", "redis://:p%00x@host",
    "redis://h:1:2", "redis://:pw@", "rediss://host", "http://host", "redis:/host", "memory",
    "unix://", "unix://relative.sock", "unix:///", "unix:///tmp/x.sock?", "unix:///tmp/x.sock?db=",
    "unix:///tmp/x.sock?db=x", "unix:///tmp/x.sock?foo=1", "unix:///tmp/x.sock?db=1&db=2",
    "unix:///tmp/x.sock?db=1&", "unix:///tmp/x.sock?user=u", "unix:///tmp/x.sock?db",
    "unix:///tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    mc_kv *kv = NULL;
    int rc = mc_kv_open(bad[i], TIMEOUT_MS, &kv);
    ck_assert_msg(rc == MC_ERR_INVALID, "%s -> %s", bad[i], mc_err_name(rc));
    ck_assert_ptr_null(kv);
  }
}
END_TEST

START_TEST(test_open_needs_a_positive_timeout_for_redis) {
  mc_kv *kv = NULL;
  ck_assert_err(mc_kv_open("redis://127.0.0.1:6379", 0, &kv), MC_ERR_INVALID);
  ck_assert_err(mc_kv_open("unix:///tmp/x.sock", -5, &kv), MC_ERR_INVALID);
  ck_assert_ptr_null(kv);
}
END_TEST

START_TEST(test_open_unreachable_redis_is_unavailable_quickly) {
  /* {text before the port, text after it}; unix forms have no port (NULL after). */
  static const char *const forms[][2] = {
    {"redis://127.0.0.1:", ""}, {"redis://127.0.0.1:", "/"}, {"redis://127.0.0.1:", "/3"},
    {"REDIS://localhost:", ""}, {"redis://:pw@127.0.0.1:", "/0"},
    {"redis://user:p%40ss:w@127.0.0.1:", ""}, {"redis://u:p@x@127.0.0.1:", ""},
    {"redis://[::1]:", "/1"}, {"unix:///nonexistent-mercato/redis.sock", NULL},
    {"unix:///nonexistent-mercato/redis.sock?db=2&user=u&password=p%20w", NULL},
    {"unix:///nonexistent-mercato/redis.sock?password=p", NULL},
  };
  int port = closed_port();
  char url[256];
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    mc_kv *kv = NULL;
    int64_t started = now_ms();
    if (forms[i][1] != NULL)
      snprintf(url, sizeof url, "%s%d%s", forms[i][0], port, forms[i][1]);
    else
      snprintf(url, sizeof url, "%s", forms[i][0]);
    int rc = mc_kv_open(url, TIMEOUT_MS, &kv);
    ck_assert_msg(rc == MC_ERR_UNAVAILABLE, "%s -> %s", url, mc_err_name(rc));
    ck_assert_ptr_null(kv);
    ck_assert_msg(now_ms() - started < 1000, "%s took %lld ms", url,
                  (long long)(now_ms() - started));
  }
}
END_TEST

START_TEST(test_open_silent_server_times_out) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  char url[64];
  mc_kv *kv = NULL;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  /* Listening but never accepting: the kernel completes the handshake, nobody answers. */
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  ck_assert_int_eq(listen(fd, 8), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
  snprintf(url, sizeof url, "redis://127.0.0.1:%d", ntohs(addr.sin_port));
  int64_t started = now_ms();
  ck_assert_err(mc_kv_open(url, 150, &kv), MC_ERR_UNAVAILABLE);
  /* The first command of the connect waits 150 ms; nothing is retried on a failed connect. */
  ck_assert_int_lt(now_ms() - started, 1000);
  close(fd);
}
END_TEST

START_TEST(test_parse_int_accepts_only_canonical_int64) {
  static const char *const good[] = {"0", "7", "-7", "9223372036854775807", "-9223372036854775808"};
  static const int64_t want[] = {0, 7, -7, INT64_MAX, INT64_MIN};
  static const char *const bad[] = {"", "-", "-0", "00", "07", "+7", " 7", "7 ", "7a", "1.0",
                                    "9223372036854775808", "-9223372036854775809",
                                    "99999999999999999999", "123456789012345678901"};
  int64_t v;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    ck_assert_err(mc_kv_parse_int(good[i], strlen(good[i]), &v), MC_OK);
    ck_assert(v == want[i]);
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(mc_kv_parse_int(bad[i], strlen(bad[i]), &v) == MC_ERR_INVALID, "accepted \"%s\"",
                  bad[i]);
}
END_TEST

/* ---- suites ---- */

/* The contract, once per adapter: fixture opens the adapter before each test. */
static Suite *contract_suite(const char *name, void (*fixture)(void)) {
  Suite *s = suite_create(name);
  TCase *tc = tcase_create("contract");
  tcase_add_checked_fixture(tc, fixture, close_kv);
  /* Check names each test as a variable, so the list cannot be a static initializer. */
  const TTest *const tests[] = {
    test_get_missing_is_not_found, test_set_get_binary_value_with_nul_bytes,
    test_set_get_empty_value, test_get_out_len_may_be_null, test_set_overwrites_value_and_ttl,
    test_ttl_expiry_hides_key, test_set_nx_conflicts_when_present, test_set_cache_stores_with_its_ttl,
    test_set_cache_needs_a_positive_ttl, test_set_over_a_cache_entry_replaces_it, test_del_found_then_not_found,
    test_incr_creates_and_adds, test_incr_ttl_applies_only_on_create,
    test_incr_without_ttl_never_expires, test_incr_keeps_existing_ttl,
    test_incr_non_integer_is_invalid_and_unchanged, test_incr_overflow_is_invalid,
    test_incr_is_exact_above_2_pow_53, test_cas_swaps_on_match, test_cas_conflicts_on_mismatch,
    test_cas_missing_is_not_found, test_cas_null_new_value_deletes_on_match, test_cas_sets_new_ttl,
    test_pttl_reports_remaining_or_minus_one, test_key_bounds, test_value_and_ttl_bounds,
    test_ping_answers, test_concurrent_incr_loses_no_update, test_concurrent_set_nx_has_one_winner,
    test_concurrent_cas_has_one_winner,
  };
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) tcase_add_test(tc, tests[i]);
  suite_add_tcase(s, tc);
  return s;
}

static Suite *memory_suite(void) {
  Suite *s = contract_suite("memory", open_memory);
  TCase *tc = tcase_create("memory");
  tcase_add_checked_fixture(tc, open_memory, close_kv);
  tcase_add_test(tc, test_memory_holds_100k_keys);
  tcase_add_test(tc, test_memory_reuses_expired_keys_under_churn);
  suite_add_tcase(s, tc);
  return s;
}

static Suite *redis_suite(void) {
  Suite *s = contract_suite("redis", open_redis);
  TCase *tc = tcase_create("redis");
  tcase_add_checked_fixture(tc, open_redis, close_kv);
  tcase_add_test(tc, test_redis_reconnects_after_connection_loss);
  tcase_add_test(tc, test_redis_wrong_password_fails_at_open);
  tcase_add_test(tc, test_redis_databases_are_separate);
  suite_add_tcase(s, tc);
  return s;
}

static Suite *open_suite(void) {
  Suite *s = suite_create("open");
  TCase *tc = tcase_create("open");
  tcase_add_test(tc, test_open_empty_url_is_memory);
  tcase_add_test(tc, test_open_malformed_urls_are_invalid);
  tcase_add_test(tc, test_open_needs_a_positive_timeout_for_redis);
  tcase_add_test(tc, test_open_unreachable_redis_is_unavailable_quickly);
  tcase_add_test(tc, test_open_silent_server_times_out);
  tcase_add_test(tc, test_parse_int_accepts_only_canonical_int64);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr;
  int failed;
  /* The failure paths under test log warnings by design; keep the output to real errors. */
  mc_log_set_level(MC_LOG_ERROR);
  if (getenv("MERCATO_TEST_REDIS_URL") != NULL &&
      snprintf(g_redis_url, sizeof g_redis_url, "%s", getenv("MERCATO_TEST_REDIS_URL")) >=
        (int)sizeof g_redis_url) {
    fprintf(stderr, "MERCATO_TEST_REDIS_URL is too long\n");
    return EXIT_FAILURE;
  }
  sr = srunner_create(open_suite());
  srunner_add_suite(sr, memory_suite());
  if (g_redis_url[0] != '\0')
    srunner_add_suite(sr, redis_suite());
  else
    printf("MERCATO_TEST_REDIS_URL is not set: the Redis cases are not run\n");
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
