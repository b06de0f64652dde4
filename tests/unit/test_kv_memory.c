/* test_kv_memory.c - the memory kv's byte budget: cache entries are evicted to stay under it,
 * expired entries go first, counters stay within their share, durable entries are never
 * evicted (a warning comes before their share fills), and the accounting stays exact
 * through deletes, expiry and concurrent writers. The port's contract is in test_kv.c. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mercato/err.h"
#include "mercato/kv.h"
#include "mercato/log.h"

#define BUDGET (256 * 1024)

#define ck_assert_err(expr, want)                                                          \
  do {                                                                                     \
    int got_ = (expr), want_ = (want);                                                     \
    ck_assert_msg(got_ == want_, "%s -> %s, want %s", #expr, mc_err_name(got_),          \
                  mc_err_name(want_));                                                     \
  } while (0)

static mc_kv *g_kv;

static void open_budget(void) {
  ck_assert_err(mc_kv_memory_open_budget(BUDGET, &g_kv), MC_OK);
}

static void close_kv(void) {
  mc_kv_close(g_kv);
  g_kv = NULL;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {}
}

static mc_kv_memory_stats stats(void) {
  mc_kv_memory_stats st;
  ck_assert_err(mc_kv_memory_stats_get(g_kv, &st), MC_OK);
  return st;
}

/* A value of n bytes, all c. */
static char *filler(size_t n, char c) {
  char *v = malloc(n);
  ck_assert_ptr_nonnull(v);
  memset(v, c, n);
  return v;
}

static int present(const char *key) {
  char *v = NULL;
  int rc = mc_kv_get(g_kv, key, &v, NULL);
  free(v);
  ck_assert_msg(rc == MC_OK || rc == MC_ERR_NOT_FOUND, "get %s -> %s", key, mc_err_name(rc));
  return rc == MC_OK;
}

/* Writes n cache entries "<tag><i>" of size bytes with ttl_ms, asserting each write succeeds
 * and the budget holds after it. */
static void fill_cache(const char *tag, int n, size_t size, int64_t ttl_ms) {
  char key[64];
  char *v = filler(size, 'c');
  for (int i = 0; i < n; i++) {
    snprintf(key, sizeof key, "%s%d", tag, i);
    ck_assert_err(mc_kv_set_cache(g_kv, key, v, size, ttl_ms), MC_OK);
    ck_assert_uint_le(stats().used_bytes, BUDGET);
  }
  free(v);
}

START_TEST(test_cache_fill_past_the_budget_stays_under_it) {
  mc_kv_memory_stats st;
  fill_cache("page:", 2000, 1000, 60000); /* about eight times the budget */
  st = stats();
  ck_assert_uint_le(st.used_bytes, BUDGET);
  ck_assert_uint_ge(st.used_bytes, BUDGET / 2); /* evicting makes room, it does not empty */
  ck_assert_uint_gt(st.evicted, 0);
  ck_assert_uint_eq(st.entries, st.cache_entries);
  ck_assert_uint_eq(st.entries + st.evicted, 2000);
  ck_assert(present("page:1999")); /* the newest stays */
  ck_assert(!present("page:0"));   /* the oldest went */
}
END_TEST

START_TEST(test_expired_entries_go_before_live_ones) {
  char key[64];
  fill_cache("short:", 100, 1000, 30); /* about 45% of the budget, soon expired */
  fill_cache("long:", 100, 1000, 60000);
  sleep_ms(60);
  fill_cache("new:", 120, 1000, 60000); /* fits only once nearly every expired one is reclaimed */
  ck_assert_uint_eq(stats().evicted, 0);
  for (int i = 0; i < 100; i++) {
    snprintf(key, sizeof key, "long:%d", i);
    ck_assert_msg(present(key), "%s was evicted while expired entries were left", key);
  }
}
END_TEST

START_TEST(test_other_entries_survive_while_cache_entries_are_evicted) {
  char key[64], *v = filler(400, 'd'), *got = NULL;
  int64_t n = 0;
  /* About half the budget of the kinds services write: records with and without a TTL,
   * set_nx records, counters, and a cache entry taken over by a plain set. */
  for (int i = 0; i < 100; i++) {
    snprintf(key, sizeof key, "family:%d", i);
    ck_assert_err(mc_kv_set(g_kv, key, v, 400, i % 2 ? 600000 : 0), MC_OK);
    snprintf(key, sizeof key, "idem:%d", i);
    ck_assert_err(mc_kv_set_nx(g_kv, key, v, 300, 600000), MC_OK);
    snprintf(key, sizeof key, "rate:%d", i);
    ck_assert_err(mc_kv_incr(g_kv, key, 1, 60000, NULL), MC_OK);
  }
  ck_assert_err(mc_kv_set_cache(g_kv, "taken-over", "c", 1, 60000), MC_OK);
  ck_assert_err(mc_kv_set(g_kv, "taken-over", "kept", 4, 0), MC_OK);
  ck_assert_err(mc_kv_incr(g_kv, "catalog:gen", 7, 0, NULL), MC_OK);
  fill_cache("page:", 1000, 1000, 60000);
  ck_assert_uint_gt(stats().evicted, 0);
  for (int i = 0; i < 100; i++) {
    snprintf(key, sizeof key, "family:%d", i);
    ck_assert_msg(present(key), "%s was evicted", key);
    snprintf(key, sizeof key, "idem:%d", i);
    ck_assert_msg(present(key), "%s was evicted", key);
    snprintf(key, sizeof key, "rate:%d", i);
    ck_assert_err(mc_kv_incr(g_kv, key, 0, 0, &n), MC_OK);
    ck_assert_int_eq(n, 1);
  }
  ck_assert_err(mc_kv_get(g_kv, "taken-over", &got, NULL), MC_OK);
  ck_assert_str_eq(got, "kept");
  free(got);
  ck_assert_err(mc_kv_incr(g_kv, "catalog:gen", 0, 0, &n), MC_OK);
  ck_assert_int_eq(n, 7);
  free(v);
}
END_TEST

START_TEST(test_recently_read_cache_entries_outlive_unread_ones) {
  char *v = filler(1000, 'h');
  char key[64];
  ck_assert_err(mc_kv_set_cache(g_kv, "hot", v, 1000, 60000), MC_OK);
  for (int i = 0; i < 1000; i++) {
    snprintf(key, sizeof key, "cold:%d", i);
    ck_assert_err(mc_kv_set_cache(g_kv, key, v, 1000, 60000), MC_OK);
    ck_assert(present("hot"));
  }
  ck_assert_uint_gt(stats().evicted, 0);
  free(v);
}
END_TEST

START_TEST(test_durable_entries_filling_their_share_refuse_durable_writes_only) {
  char key[64], *v = filler(1000, 'x');
  int i, rc = MC_OK;
  mc_kv_memory_stats st;
  for (i = 0; i < 1000 && rc == MC_OK; i++) {
    snprintf(key, sizeof key, "family:%d", i);
    rc = mc_kv_set(g_kv, key, v, 1000, 600000);
  }
  ck_assert_err(rc, MC_ERR_UNAVAILABLE);
  st = stats();
  ck_assert_uint_le(st.used_bytes, BUDGET);
  ck_assert_uint_le(st.durable_bytes, st.durable_max);
  ck_assert_uint_gt(st.durable_bytes, st.durable_max - 2000);
  ck_assert_uint_eq(st.entries, (size_t)i - 1);
  ck_assert(!present(key)); /* the refused write left nothing */
  ck_assert_err(mc_kv_set_nx(g_kv, "idem:new", v, 1000, 600000), MC_ERR_UNAVAILABLE);
  /* Counters and cache entries have room of their own: a full durable share does not stop
   * the rate limits, nor the catalog's cache. */
  ck_assert_err(mc_kv_incr(g_kv, "rate:new", 1, 60000, NULL), MC_OK);
  ck_assert_err(mc_kv_set_cache(g_kv, "page", v, 1000, 60000), MC_OK);
  ck_assert(present("family:0"));
  /* Room made by a delete is usable again. */
  ck_assert_err(mc_kv_del(g_kv, "family:0"), MC_OK);
  ck_assert_err(mc_kv_set(g_kv, key, v, 1000, 600000), MC_OK);
  free(v);
}
END_TEST

START_TEST(test_a_flood_of_counters_stays_in_its_share_and_starves_nothing) {
  char key[64], *v = filler(400, 'f');
  mc_kv_memory_stats st;
  int64_t n = 0;
  for (int i = 0; i < 100; i++) {
    snprintf(key, sizeof key, "family:%d", i);
    ck_assert_err(mc_kv_set(g_kv, key, v, 400, 600000), MC_OK);
  }
  /* Clients choose rate-limit keys (addresses, emails): ten times the budget of distinct ones. */
  for (int i = 0; i < 20000; i++) {
    snprintf(key, sizeof key, "rl:login:ip:10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
    ck_assert_err(mc_kv_incr(g_kv, key, 1, 900000, &n), MC_OK);
    ck_assert_int_eq(n, 1);
  }
  st = stats();
  ck_assert_uint_le(st.counter_bytes, st.counter_max);
  ck_assert_uint_gt(st.counters_evicted, 0);
  ck_assert_uint_eq(st.counter_entries, 20000 - (size_t)st.counters_evicted);
  ck_assert_uint_le(st.used_bytes, BUDGET);
  for (int i = 0; i < 100; i++) {
    snprintf(key, sizeof key, "family:%d", i);
    ck_assert_msg(present(key), "%s was evicted", key);
  }
  /* Durable writes still find their whole share. */
  for (int i = 100; i < 250; i++) {
    snprintf(key, sizeof key, "family:%d", i);
    ck_assert_err(mc_kv_set(g_kv, key, v, 400, 600000), MC_OK);
  }
  free(v);
}
END_TEST

START_TEST(test_a_counter_written_lately_outlives_older_ones) {
  char key[64];
  int64_t n = 0;
  ck_assert_err(mc_kv_incr(g_kv, "rl:g:n:10.0.0.1:victim@example.com", 1, 900000, NULL), MC_OK);
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof key, "rl:flood:%d", i);
    ck_assert_err(mc_kv_incr(g_kv, key, 1, 900000, NULL), MC_OK);
    /* The attacker's own counter is written with every guess: it stays. */
    if (i % 50 == 0) ck_assert_err(mc_kv_incr(g_kv, "rl:g:n:10.0.0.1:victim@example.com", 1, 900000, NULL), MC_OK);
  }
  ck_assert_uint_gt(stats().counters_evicted, 0);
  ck_assert_err(mc_kv_incr(g_kv, "rl:g:n:10.0.0.1:victim@example.com", 0, 0, &n), MC_OK);
  ck_assert_int_eq(n, 101);
  ck_assert(!present("rl:flood:0"));
}
END_TEST

START_TEST(test_a_counter_without_a_window_is_durable) {
  mc_kv_memory_stats st;
  ck_assert_err(mc_kv_incr(g_kv, "rt:g:usr_1", 1, 0, NULL), MC_OK);
  ck_assert_err(mc_kv_incr(g_kv, "rl:x", 1, 60000, NULL), MC_OK);
  st = stats();
  ck_assert_uint_eq(st.counter_entries, 1);
  ck_assert_uint_gt(st.durable_bytes, 0);
  ck_assert_uint_eq(st.durable_bytes + st.counter_bytes, st.used_bytes);
  /* A plain set over a counter makes it durable; a counter over a record keeps its deadline. */
  ck_assert_err(mc_kv_set(g_kv, "rl:x", "7", 1, 0), MC_OK);
  st = stats();
  ck_assert_uint_eq(st.counter_entries, 0);
  ck_assert_uint_eq(st.counter_bytes, 0);
  ck_assert_uint_eq(st.durable_bytes, st.used_bytes);
}
END_TEST

/* Runs fill with stderr going to a file; returns what was logged (caller frees). */
static char *logged_while(void (*fill)(void)) {
  FILE *f = tmpfile();
  int saved = dup(2);
  long len;
  char *text;
  ck_assert_ptr_nonnull(f);
  fflush(stderr);
  dup2(fileno(f), 2);
  fill();
  dup2(saved, 2);
  close(saved);
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  text = calloc(1, (size_t)len + 1);
  rewind(f);
  ck_assert_uint_eq(fread(text, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  return text;
}

/* Durable entries up to pct percent of their share. */
static int g_fill_pct;
static void fill_durable(void) {
  char key[64], *v = filler(1000, 'w');
  mc_kv_memory_stats st = stats();
  for (int i = 0; stats().durable_bytes < st.durable_max / 100 * (size_t)g_fill_pct; i++) {
    snprintf(key, sizeof key, "family:%d", i);
    ck_assert_err(mc_kv_set(g_kv, key, v, 1000, 600000), MC_OK);
  }
  free(v);
}

START_TEST(test_a_warning_is_logged_before_the_durable_share_fills) {
  char *text;
  mc_log_set_level(MC_LOG_WARN);
  g_fill_pct = 70;
  text = logged_while(fill_durable);
  ck_assert_msg(strstr(text, "durable entries hold") == NULL, "warned early: %s", text);
  free(text);
  g_fill_pct = 85;
  text = logged_while(fill_durable);
  ck_assert_msg(strstr(text, "durable entries hold") != NULL, "no warning at 85%%: %s", text);
  ck_assert_msg(strstr(text, "share full") == NULL, "the share is not full yet: %s", text);
  free(text);
  mc_log_set_level(MC_LOG_ERROR);
}
END_TEST

START_TEST(test_growing_an_entry_past_the_budget_keeps_the_old_value) {
  char *v = filler(BUDGET / 2, 'g'), *got = NULL;
  size_t n = 0;
  ck_assert_err(mc_kv_set(g_kv, "a", v, BUDGET / 2, 0), MC_OK);
  ck_assert_err(mc_kv_set(g_kv, "b", "small", 5, 0), MC_OK);
  ck_assert_err(mc_kv_set(g_kv, "b", v, BUDGET / 2, 0), MC_ERR_UNAVAILABLE);
  ck_assert_err(mc_kv_get(g_kv, "b", &got, &n), MC_OK);
  ck_assert_str_eq(got, "small");
  free(got);
  free(v);
}
END_TEST

START_TEST(test_an_entry_larger_than_the_budget_is_refused) {
  char *v = filler(MC_KV_VALUE_MAX, 'l');
  ck_assert_err(mc_kv_set_cache(g_kv, "huge", v, BUDGET, 60000), MC_ERR_UNAVAILABLE);
  ck_assert_err(mc_kv_set(g_kv, "huge", v, BUDGET, 0), MC_ERR_UNAVAILABLE);
  ck_assert_uint_eq(stats().used_bytes, 0);
  free(v);
}
END_TEST

START_TEST(test_accounting_returns_to_zero_after_deletes_and_expiry) {
  char key[64], *v = filler(3000, 'z');
  mc_kv_memory_stats st;
  for (int i = 0; i < 60; i++) {
    snprintf(key, sizeof key, "k%d", i);
    ck_assert_err(mc_kv_set_cache(g_kv, key, v, 100 + (size_t)i, i % 2 ? 40 : 60000), MC_OK);
    ck_assert_err(mc_kv_set(g_kv, key, v, 3000 - (size_t)i, i % 2 ? 40 : 0), MC_OK); /* larger */
    ck_assert_err(mc_kv_set_cache(g_kv, key, v, 10, i % 2 ? 40 : 60000), MC_OK);     /* smaller */
    snprintf(key, sizeof key, "n%d", i);
    ck_assert_err(mc_kv_incr(g_kv, key, 99999, i % 2 ? 40 : 0, NULL), MC_OK);
    ck_assert_err(mc_kv_incr(g_kv, key, 1, 0, NULL), MC_OK); /* one digit longer */
    snprintf(key, sizeof key, "c%d", i);
    ck_assert_err(mc_kv_set(g_kv, key, "v0", 2, 0), MC_OK);
    ck_assert_err(mc_kv_cas(g_kv, key, "v0", 2, v, 500, i % 2 ? 40 : 0), MC_OK);
  }
  ck_assert_uint_gt(stats().used_bytes, 0);
  /* The even keys are deleted; the odd ones expire and are reclaimed by reads and writes. */
  for (int i = 0; i < 60; i += 2) {
    snprintf(key, sizeof key, "k%d", i);
    ck_assert_err(mc_kv_del(g_kv, key), MC_OK);
    snprintf(key, sizeof key, "n%d", i);
    ck_assert_err(mc_kv_del(g_kv, key), MC_OK);
    snprintf(key, sizeof key, "c%d", i);
    ck_assert_err(mc_kv_cas(g_kv, key, v, 500, NULL, 0, 0), MC_OK);
  }
  sleep_ms(60);
  for (int i = 1; i < 60; i += 2) {
    snprintf(key, sizeof key, "k%d", i);
    ck_assert(!present(key));
    snprintf(key, sizeof key, "n%d", i);
    ck_assert_err(mc_kv_del(g_kv, key), MC_ERR_NOT_FOUND);
    snprintf(key, sizeof key, "c%d", i);
    ck_assert(!present(key));
  }
  st = stats();
  ck_assert_uint_eq(st.entries, 0);
  ck_assert_uint_eq(st.cache_entries, 0);
  ck_assert_uint_eq(st.counter_entries, 0);
  ck_assert_uint_eq(st.used_bytes, 0);
  ck_assert_uint_eq(st.durable_bytes, 0);
  ck_assert_uint_eq(st.counter_bytes, 0);
  free(v);
}
END_TEST

/* ---- concurrency ---- */

typedef struct writer {
  pthread_barrier_t *start;
  unsigned seed;
  int over_budget; /* times the budget was seen exceeded */
  int failures;    /* statuses other than those the operation may answer */
} writer;

/* Mixed operations on 200 shared keys: cache pages of random sizes, records, counters,
 * deletes and reads; sizes and kinds change under the same key. */
static void *writer_main(void *arg) {
  writer *w = arg;
  char key[32], *v = filler(4000, 'w');
  pthread_barrier_wait(w->start);
  for (int i = 0; i < 20000; i++) {
    unsigned r = (unsigned)rand_r(&w->seed);
    int rc;
    char *got = NULL;
    snprintf(key, sizeof key, "key%u", r % 200);
    switch ((r >> 8) % 6) {
    case 0:
    case 1:
      rc = mc_kv_set_cache(g_kv, key, v, (r >> 12) % 4000, 1 + (r >> 16) % 50);
      break;
    case 2:
      rc = mc_kv_set(g_kv, key, v, (r >> 12) % 300, (r >> 16) % 2 ? 20 : 0);
      if (rc == MC_ERR_UNAVAILABLE) rc = MC_OK; /* a full budget may refuse records */
      break;
    case 3:
      rc = mc_kv_incr(g_kv, key, 1, 30, NULL);
      if (rc == MC_ERR_INVALID || rc == MC_ERR_UNAVAILABLE) rc = MC_OK; /* not a number, or full */
      break;
    case 4:
      rc = mc_kv_del(g_kv, key);
      if (rc == MC_ERR_NOT_FOUND) rc = MC_OK;
      break;
    default:
      rc = mc_kv_get(g_kv, key, &got, NULL);
      if (rc == MC_ERR_NOT_FOUND) rc = MC_OK;
      free(got);
    }
    if (rc != MC_OK) w->failures++;
    if (i % 512 == 0) {
      mc_kv_memory_stats st;
      mc_kv_memory_stats_get(g_kv, &st);
      if (st.used_bytes > st.max_bytes) w->over_budget++;
    }
  }
  free(v);
  return NULL;
}

START_TEST(test_concurrent_writers_keep_the_accounting_exact) {
  enum { N = 8 };
  pthread_t threads[N];
  writer writers[N];
  pthread_barrier_t start;
  char key[32];
  mc_kv_memory_stats st;
  ck_assert_int_eq(pthread_barrier_init(&start, NULL, N), 0);
  for (int i = 0; i < N; i++) {
    writers[i] = (writer){.start = &start, .seed = 7919u * (unsigned)(i + 1)};
    ck_assert_int_eq(pthread_create(&threads[i], NULL, writer_main, &writers[i]), 0);
  }
  for (int i = 0; i < N; i++) pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(writers[i].failures, 0);
    ck_assert_int_eq(writers[i].over_budget, 0);
  }
  st = stats();
  ck_assert_uint_le(st.used_bytes, BUDGET);
  ck_assert_uint_gt(st.evicted, 0);
  for (int i = 0; i < 200; i++) {
    snprintf(key, sizeof key, "key%d", i);
    int rc = mc_kv_del(g_kv, key);
    ck_assert(rc == MC_OK || rc == MC_ERR_NOT_FOUND);
  }
  st = stats();
  ck_assert_uint_eq(st.entries, 0);
  ck_assert_uint_eq(st.used_bytes, 0);
}
END_TEST

/* ---- opening ---- */

START_TEST(test_budget_below_the_minimum_is_invalid) {
  mc_kv *kv = NULL;
  ck_assert_err(mc_kv_memory_open_budget(MC_KV_MEMORY_MAX_BYTES_MIN - 1, &kv), MC_ERR_INVALID);
  ck_assert_ptr_null(kv);
}
END_TEST

START_TEST(test_options_pass_the_budget_and_default_it) {
  mc_kv *kv = NULL;
  mc_kv_memory_stats st;
  mc_kv_options o = {.memory_max_bytes = 1 << 20};
  ck_assert_err(mc_kv_open_options(&o, &kv), MC_OK);
  ck_assert_err(mc_kv_memory_stats_get(kv, &st), MC_OK);
  ck_assert_uint_eq(st.max_bytes, 1 << 20);
  mc_kv_close(kv);
  ck_assert_err(mc_kv_open(NULL, 0, &kv), MC_OK);
  ck_assert_err(mc_kv_memory_stats_get(kv, &st), MC_OK);
  ck_assert_uint_eq(st.max_bytes, MC_KV_MEMORY_MAX_BYTES_DEFAULT);
  mc_kv_close(kv);
}
END_TEST

START_TEST(test_stats_of_another_adapter_are_invalid) {
  mc_kv *inner = NULL, *wrapped = NULL;
  mc_kv_memory_stats st;
  ck_assert_err(mc_kv_memory_open(&inner), MC_OK);
  ck_assert_err(mc_kv_prefixed(inner, "shop1:", &wrapped), MC_OK);
  ck_assert_err(mc_kv_memory_stats_get(wrapped, &st), MC_ERR_INVALID);
  mc_kv_close(wrapped);
}
END_TEST

START_TEST(test_cache_writes_through_a_prefix_stay_cache_entries) {
  mc_kv *inner = NULL, *wrapped = NULL;
  mc_kv_memory_stats st;
  char *v = NULL;
  ck_assert_err(mc_kv_memory_open_budget(BUDGET, &inner), MC_OK);
  ck_assert_err(mc_kv_prefixed(inner, "shop1:", &wrapped), MC_OK);
  ck_assert_err(mc_kv_set_cache(wrapped, "catalog:1:list:x", "page", 4, 60000), MC_OK);
  ck_assert_err(mc_kv_set(wrapped, "catalog:gen", "1", 1, 0), MC_OK);
  ck_assert_err(mc_kv_memory_stats_get(inner, &st), MC_OK);
  ck_assert_uint_eq(st.entries, 2);
  ck_assert_uint_eq(st.cache_entries, 1);
  ck_assert_err(mc_kv_get(inner, "shop1:catalog:1:list:x", &v, NULL), MC_OK);
  ck_assert_str_eq(v, "page");
  free(v);
  ck_assert_err(mc_kv_set_cache(wrapped, "k", "v", 1, 0), MC_ERR_INVALID);
  mc_kv_close(wrapped);
}
END_TEST

int main(void) {
  Suite *s = suite_create("kv_memory");
  TCase *tc = tcase_create("budget");
  SRunner *sr;
  int failed;

  /* "Budget full" warnings are expected here. */
  mc_log_set_level(MC_LOG_ERROR);
  tcase_add_checked_fixture(tc, open_budget, close_kv);
  tcase_add_test(tc, test_cache_fill_past_the_budget_stays_under_it);
  tcase_add_test(tc, test_expired_entries_go_before_live_ones);
  tcase_add_test(tc, test_other_entries_survive_while_cache_entries_are_evicted);
  tcase_add_test(tc, test_recently_read_cache_entries_outlive_unread_ones);
  tcase_add_test(tc, test_durable_entries_filling_their_share_refuse_durable_writes_only);
  tcase_add_test(tc, test_a_flood_of_counters_stays_in_its_share_and_starves_nothing);
  tcase_add_test(tc, test_a_counter_written_lately_outlives_older_ones);
  tcase_add_test(tc, test_a_counter_without_a_window_is_durable);
  tcase_add_test(tc, test_a_warning_is_logged_before_the_durable_share_fills);
  tcase_add_test(tc, test_growing_an_entry_past_the_budget_keeps_the_old_value);
  tcase_add_test(tc, test_an_entry_larger_than_the_budget_is_refused);
  tcase_add_test(tc, test_accounting_returns_to_zero_after_deletes_and_expiry);
  tcase_add_test(tc, test_concurrent_writers_keep_the_accounting_exact);
  tcase_add_test(tc, test_budget_below_the_minimum_is_invalid);
  tcase_add_test(tc, test_options_pass_the_budget_and_default_it);
  tcase_add_test(tc, test_stats_of_another_adapter_are_invalid);
  tcase_add_test(tc, test_cache_writes_through_a_prefix_stay_cache_entries);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
