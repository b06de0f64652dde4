/* memory.c - the in-process kv adapter (the embedded default): 64 independently locked hash
 * tables with keyed hashing, and the operations on them. Deadlines and the byte budget are in
 * memory_budget.c. State dies with the process. */
#include "mercato/kv.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/rand.h"
#include "memory_internal.h"

#define MEM_INITIAL_BUCKETS 16
/* Expired entries reclaimed on each write, soonest first: enough to keep up with a steady
 * stream of short-lived keys, few enough not to show on the write path. */
#define MEM_EXPIRE_PER_WRITE 16

int64_t mem_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rotl(uint64_t x, int b) {
  return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4]) {
  v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
  v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
  v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
  v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
}

/* SipHash-1-3 keyed with a per-instance random seed: keys can come from clients (rate-limit
 * keys hold addresses and e-mails), and an unkeyed hash would let them pile entries into one
 * chain and turn every lookup into a scan. */
static uint64_t mem_hash(const mem_impl *m, const char *key, size_t len) {
  const unsigned char *p = (const unsigned char *)key;
  uint64_t v[4] = {
    m->seed[0] ^ UINT64_C(0x736f6d6570736575), m->seed[1] ^ UINT64_C(0x646f72616e646f6d),
    m->seed[0] ^ UINT64_C(0x6c7967656e657261), m->seed[1] ^ UINT64_C(0x7465646279746573)};
  size_t i = 0;
  uint64_t last;

  for (; i + 8 <= len; i += 8) {
    uint64_t w = 0;
    for (int b = 0; b < 8; b++) w |= (uint64_t)p[i + (size_t)b] << (8 * b);
    v[3] ^= w;
    sip_round(v);
    v[0] ^= w;
  }
  last = (uint64_t)(len & 0xff) << 56;
  for (int b = 0; i + (size_t)b < len; b++) last |= (uint64_t)p[i + (size_t)b] << (8 * b);
  v[3] ^= last;
  sip_round(v);
  v[0] ^= last;
  v[2] ^= 0xff;
  for (int r = 0; r < 3; r++) sip_round(v);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}


static mem_stripe *mem_stripe_of(mem_impl *m, uint64_t hash) {
  return &m->stripes[hash >> (64 - MEM_STRIPE_BITS)];
}

static int mem_expired(const mem_entry *e, int64_t now) {
  return e->expires_at_ms != 0 && e->expires_at_ms <= now;
}

/* Returns a new copy of value (at least one byte allocated so an empty value is not NULL), or
 * NULL when out of memory. */
static char *mem_dup(const void *value, size_t len) {
  char *copy = malloc(len > 0 ? len : 1);
  if (copy != NULL && len > 0) memcpy(copy, value, len);
  return copy;
}

/* Finds the live entry for key and sets *link_out (may be NULL) to the pointer that links it,
 * for unlinking. Expired entries met on the way are reclaimed. Returns NULL when absent.
 * Caller holds s->lock. */
static mem_entry *mem_find(mem_impl *m, mem_stripe *s, const char *key, size_t key_len, uint64_t hash,
                           int64_t now, mem_entry ***link_out) {
  mem_entry **link = &s->buckets[hash & s->mask];
  while (*link != NULL) {
    mem_entry *e = *link;
    if (mem_expired(e, now)) {
      mem_remove(m, s, link);
      continue;
    }
    if (e->hash == hash && e->key_len == key_len && memcmp(e->key, key, key_len) == 0) {
      if (link_out != NULL) *link_out = link;
      return e;
    }
    link = &e->next;
  }
  return NULL;
}

/* Keeps chains short: once entries outnumber buckets, first reclaim the stripe's expired
 * entries (they may be most of it) and double the table only if it is still full. A failed
 * allocation keeps the old table, which stays correct, only slower. Caller holds s->lock. */
static void mem_maybe_grow(mem_impl *m, mem_stripe *s, int64_t now) {
  size_t old_n = s->mask + 1;
  size_t new_n;
  mem_entry **fresh;

  if (s->count < old_n) return;
  mem_expire(m, s, now, SIZE_MAX);
  if (s->count < old_n / 2 + old_n / 4) return;
  new_n = old_n * 2;
  fresh = calloc(new_n, sizeof *fresh);
  if (fresh == NULL) return;
  for (size_t b = 0; b < old_n; b++) {
    mem_entry *e = s->buckets[b];
    while (e != NULL) {
      mem_entry *next = e->next;
      size_t nb = e->hash & (new_n - 1);
      e->next = fresh[nb];
      fresh[nb] = e;
      e = next;
    }
  }
  free(s->buckets);
  s->buckets = fresh;
  s->mask = new_n - 1;
}

/* Adds a new entry of kind (MEM_*) for a key known to be absent, taking a copy of key and
 * value. MC_OK, MC_ERR_UNAVAILABLE (no room in the budget) or MC_ERR_INTERNAL (out of memory);
 * nothing changes on failure. Caller holds s->lock. */
static int mem_insert(mem_impl *m, mem_stripe *s, const char *key, size_t key_len, uint64_t hash,
                      const void *value, size_t len, int64_t expires_at_ms, int kind, int64_t now) {
  size_t cost = mem_cost(key_len, len);
  mem_entry *e = NULL;
  size_t b;
  int rc = mem_reserve(m, s, cost, NULL, now, kind);

  if (rc != MC_OK) return rc;
  mem_maybe_grow(m, s, now);
  rc = MC_ERR_INTERNAL;
  if (expires_at_ms != 0 && mem_heap_reserve(s) != MC_OK) goto fail;
  e = malloc(sizeof *e + key_len + 1);
  if (e == NULL) goto fail;
  memset(e, 0, sizeof *e);
  e->value = mem_dup(value, len);
  if (e->value == NULL) goto fail;
  memcpy(e->key, key, key_len + 1);
  e->key_len = key_len;
  e->value_len = len;
  e->hash = hash;
  b = hash & s->mask;
  e->next = s->buckets[b];
  s->buckets[b] = e;
  s->count++;
  mem_heap_set(s, e, expires_at_ms);
  mem_lru_set(s, e, kind);
  return MC_OK;
fail:
  free(e);
  mem_release(m, cost, kind);
  return rc;
}

/* Replaces e's value with a copy of value, its deadline and its kind (MEM_*); on failure e is
 * unchanged. MC_OK, MC_ERR_UNAVAILABLE or MC_ERR_INTERNAL. Caller holds s->lock. */
static int mem_replace(mem_impl *m, mem_stripe *s, mem_entry *e, const void *value, size_t len,
                       int64_t expires_at_ms, int kind, int64_t now) {
  size_t old_cost = mem_cost(e->key_len, e->value_len), new_cost = mem_cost(e->key_len, len);
  int same = kind == e->kind;
  /* Within its kind an entry takes only what it grows by; a new kind takes its whole cost from
   * that kind's share and gives the old one back. */
  size_t grow = same ? (new_cost > old_cost ? new_cost - old_cost : 0) : new_cost;
  char *copy;
  int rc = grow > 0 ? mem_reserve(m, s, grow, e, now, kind) : MC_OK;

  if (rc != MC_OK) return rc;
  rc = MC_ERR_INTERNAL;
  if (expires_at_ms != 0 && e->expires_at_ms == 0 && mem_heap_reserve(s) != MC_OK) goto fail;
  copy = mem_dup(value, len);
  if (copy == NULL) goto fail;
  free(e->value);
  e->value = copy;
  e->value_len = len;
  if (!same) mem_release(m, old_cost, e->kind);
  else if (new_cost < old_cost) mem_release(m, old_cost - new_cost, kind);
  mem_heap_set(s, e, expires_at_ms);
  mem_lru_set(s, e, kind);
  return MC_OK;
fail:
  mem_release(m, grow, kind);
  return rc;
}

static int64_t mem_deadline(int64_t now, int64_t ttl_ms) {
  /* ttl_ms <= MC_KV_TTL_MAX (checked), so this cannot overflow a monotonic clock. */
  return ttl_ms > 0 ? now + ttl_ms : 0;
}

/* Validates the arguments, hashes key and locks its stripe: the start of every operation.
 * On MC_OK the caller must unlock *stripe_out. */
static int mem_begin(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms,
                     size_t *key_len, uint64_t *hash, mem_stripe **stripe_out) {
  mem_impl *m = kv->impl;
  int rc = mc_kv_check(key, key_len, value, len, ttl_ms);
  if (rc != MC_OK) return rc;
  *hash = mem_hash(m, key, *key_len);
  *stripe_out = mem_stripe_of(m, *hash);
  pthread_mutex_lock(&(*stripe_out)->lock);
  return MC_OK;
}

static int mem_get(mc_kv *kv, const char *key, char **out, size_t *out_len) {
  mem_stripe *s = NULL;
  mem_entry *e;
  size_t key_len;
  uint64_t hash;
  int rc;

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (out_len != NULL) *out_len = 0;
  rc = mem_begin(kv, key, NULL, 0, 0, &key_len, &hash, &s);
  if (rc != MC_OK) return rc;
  e = mem_find(kv->impl, s, key, key_len, hash, mem_now_ms(), NULL);
  if (e == NULL) {
    rc = MC_ERR_NOT_FOUND;
    goto done;
  }
  *out = malloc(e->value_len + 1);
  if (*out == NULL) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  memcpy(*out, e->value, e->value_len);
  (*out)[e->value_len] = '\0';
  if (out_len != NULL) *out_len = e->value_len;
  /* A plain store, under the lock already held: the hot path of a cache hit stays a read. */
  if (e->kind != MEM_DURABLE) e->referenced = 1;
done:
  pthread_mutex_unlock(&s->lock);
  return rc;
}

typedef enum { MEM_SET, MEM_SET_NX, MEM_SET_CACHE } mem_store_mode;

/* set, set_nx and set_cache in one: MEM_SET_NX makes a live key a conflict, MEM_SET_CACHE
 * makes the entry evictable. */
static int mem_store(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms,
                     mem_store_mode mode) {
  mem_impl *m = kv->impl;
  mem_stripe *s = NULL;
  mem_entry *e;
  size_t key_len;
  uint64_t hash;
  int64_t now = mem_now_ms();
  int kind = mode == MEM_SET_CACHE ? MEM_CACHE : MEM_DURABLE;
  int rc = mem_begin(kv, key, value, len, ttl_ms, &key_len, &hash, &s);
  if (rc != MC_OK) return rc;
  mem_expire(m, s, now, MEM_EXPIRE_PER_WRITE);
  e = mem_find(m, s, key, key_len, hash, now, NULL);
  if (e != NULL && mode == MEM_SET_NX)
    rc = MC_ERR_CONFLICT;
  else if (e != NULL)
    rc = mem_replace(m, s, e, value, len, mem_deadline(now, ttl_ms), kind, now);
  else
    rc = mem_insert(m, s, key, key_len, hash, value, len, mem_deadline(now, ttl_ms), kind, now);
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static int mem_set(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms) {
  return mem_store(kv, key, value, len, ttl_ms, MEM_SET);
}

static int mem_set_cache(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms) {
  if (ttl_ms <= 0) return MC_ERR_INVALID;
  return mem_store(kv, key, value, len, ttl_ms, MEM_SET_CACHE);
}

static int mem_set_nx(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms) {
  return mem_store(kv, key, value, len, ttl_ms, MEM_SET_NX);
}

static int mem_del(mc_kv *kv, const char *key) {
  mem_impl *m = kv->impl;
  mem_stripe *s = NULL;
  mem_entry *e;
  mem_entry **link = NULL;
  size_t key_len;
  uint64_t hash;
  int64_t now = mem_now_ms();
  int rc = mem_begin(kv, key, NULL, 0, 0, &key_len, &hash, &s);
  if (rc != MC_OK) return rc;
  mem_expire(m, s, now, MEM_EXPIRE_PER_WRITE);
  e = mem_find(m, s, key, key_len, hash, now, &link);
  if (e == NULL)
    rc = MC_ERR_NOT_FOUND;
  else
    mem_remove(m, s, link);
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static int mem_incr(mc_kv *kv, const char *key, int64_t delta, int64_t ttl_ms, int64_t *out) {
  mem_impl *m = kv->impl;
  mem_stripe *s = NULL;
  mem_entry *e;
  size_t key_len;
  uint64_t hash;
  int64_t now = mem_now_ms();
  int64_t current = 0, next, deadline;
  char digits[24];
  int n, kind;
  int rc = mem_begin(kv, key, NULL, 0, ttl_ms, &key_len, &hash, &s);
  if (rc != MC_OK) return rc;
  mem_expire(m, s, now, MEM_EXPIRE_PER_WRITE);
  e = mem_find(m, s, key, key_len, hash, now, NULL);
  if (e != NULL) {
    rc = mc_kv_parse_int(e->value, e->value_len, &current);
    if (rc != MC_OK) goto done;
  }
  if (__builtin_add_overflow(current, delta, &next)) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  n = snprintf(digits, sizeof digits, "%" PRId64, next);
  /* An existing key keeps its deadline: the window was fixed by the call that created it. A
   * counter with a deadline (a rate-limit window) is a counter entry, one without (a
   * generation) a durable one; never a cache entry, whatever wrote the key before. */
  deadline = e != NULL ? e->expires_at_ms : mem_deadline(now, ttl_ms);
  kind = deadline != 0 ? MEM_COUNTER : MEM_DURABLE;
  if (e != NULL) {
    rc = mem_replace(m, s, e, digits, (size_t)n, deadline, kind, now);
    /* A window still being counted (an attacker's own, say) is in use: a second chance, so a
     * flood of fresh keys evicts idle windows first. */
    if (rc == MC_OK && kind == MEM_COUNTER) e->referenced = 1;
  } else
    rc = mem_insert(m, s, key, key_len, hash, digits, (size_t)n, deadline, kind, now);
  if (rc == MC_OK && out != NULL) *out = next;
done:
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static int mem_cas(mc_kv *kv, const char *key, const void *expected, size_t expected_len,
                   const void *new_value, size_t new_len, int64_t ttl_ms) {
  mem_impl *m = kv->impl;
  mem_stripe *s = NULL;
  mem_entry *e;
  mem_entry **link = NULL;
  size_t key_len;
  uint64_t hash;
  int64_t now = mem_now_ms();
  int rc;

  /* Checked here as well because mem_begin only sees the new value. */
  rc = mc_kv_check(key, NULL, expected, expected_len, 0);
  if (rc != MC_OK) return rc;
  rc = mem_begin(kv, key, new_value, new_value != NULL ? new_len : 0, ttl_ms, &key_len, &hash, &s);
  if (rc != MC_OK) return rc;
  mem_expire(m, s, now, MEM_EXPIRE_PER_WRITE);
  e = mem_find(m, s, key, key_len, hash, now, &link);
  if (e == NULL)
    rc = MC_ERR_NOT_FOUND;
  else if (e->value_len != expected_len || (expected_len > 0 && memcmp(e->value, expected, expected_len) != 0))
    rc = MC_ERR_CONFLICT;
  else if (new_value == NULL)
    mem_remove(m, s, link);
  else
    rc = mem_replace(m, s, e, new_value, new_len, mem_deadline(now, ttl_ms), MEM_DURABLE, now);
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static int mem_pttl(mc_kv *kv, const char *key, int64_t *out_ms) {
  mem_stripe *s = NULL;
  mem_entry *e;
  size_t key_len;
  uint64_t hash;
  int64_t now = mem_now_ms();
  int rc;

  if (out_ms == NULL) return MC_ERR_INVALID;
  rc = mem_begin(kv, key, NULL, 0, 0, &key_len, &hash, &s);
  if (rc != MC_OK) return rc;
  e = mem_find(kv->impl, s, key, key_len, hash, now, NULL);
  if (e == NULL)
    rc = MC_ERR_NOT_FOUND;
  else
    *out_ms = e->expires_at_ms == 0 ? -1 : e->expires_at_ms - now;
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static int mem_ping(mc_kv *kv) {
  (void)kv;
  return MC_OK;
}

/* Frees every stripe's entries and the adapter; the caller guarantees no thread still uses it. */
static void mem_close(mc_kv *kv) {
  mem_impl *m;
  if (kv == NULL) return;
  m = kv->impl;
  for (unsigned i = 0; i < MEM_STRIPES; i++) {
    mem_stripe *s = &m->stripes[i];
    if (s->buckets != NULL) {
      for (size_t b = 0; b <= s->mask; b++) {
        mem_entry *e = s->buckets[b];
        while (e != NULL) {
          mem_entry *next = e->next;
          free(e->value);
          free(e);
          e = next;
        }
      }
      free(s->buckets);
      free(s->heap);
      pthread_mutex_destroy(&s->lock);
    }
  }
  free(m);
}

static const mc_kv_ops mem_ops = {
  .get = mem_get,
  .set = mem_set,
  .set_cache = mem_set_cache,
  .set_nx = mem_set_nx,
  .del = mem_del,
  .incr = mem_incr,
  .cas = mem_cas,
  .pttl = mem_pttl,
  .ping = mem_ping,
  .close = mem_close,
};

int mc_kv_memory_open_budget(size_t max_bytes, mc_kv **out) {
  mem_impl *m = NULL;
  int rc = MC_OK;

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (max_bytes < MC_KV_MEMORY_MAX_BYTES_MIN) return MC_ERR_INVALID;
  /* aligned_alloc so the cache-line alignment of the stripes is real, not just declared. */
  m = aligned_alloc(_Alignof(mem_impl), sizeof *m);
  if (m == NULL) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  memset(m, 0, sizeof *m);
  m->kv.ops = &mem_ops;
  m->kv.name = "memory";
  m->kv.impl = m;
  m->max_bytes = max_bytes;
  m->counter_max = max_bytes / 100 * MEM_COUNTER_SHARE_PCT;
  m->durable_max = max_bytes - m->counter_max;
  atomic_init(&m->used, 0);
  rc = mc_rand_bytes(m->seed, sizeof m->seed);
  if (rc != MC_OK) goto done;
  for (unsigned i = 0; i < MEM_STRIPES; i++) {
    mem_stripe *s = &m->stripes[i];
    atomic_init(&s->next_expiry, INT64_MAX);
    s->buckets = calloc(MEM_INITIAL_BUCKETS, sizeof *s->buckets);
    if (s->buckets == NULL) {
      rc = MC_ERR_INTERNAL;
      goto done;
    }
    s->mask = MEM_INITIAL_BUCKETS - 1;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
      free(s->buckets);
      s->buckets = NULL;
      rc = MC_ERR_INTERNAL;
      goto done;
    }
  }
  *out = &m->kv;
  m = NULL;
done:
  if (m != NULL) {
    mc_error("kv.memory", "cannot open the memory kv: %s", mc_err_name(rc));
    mem_close(&m->kv);
  }
  return rc;
}

int mc_kv_memory_open(mc_kv **out) {
  return mc_kv_memory_open_budget(MC_KV_MEMORY_MAX_BYTES_DEFAULT, out);
}

int mc_kv_memory_stats_get(mc_kv *kv, mc_kv_memory_stats *out) {
  mem_impl *m;
  if (kv == NULL || out == NULL || kv->ops != &mem_ops) return MC_ERR_INVALID;
  m = kv->impl;
  memset(out, 0, sizeof *out);
  for (unsigned i = 0; i < MEM_STRIPES; i++) {
    mem_stripe *s = &m->stripes[i];
    pthread_mutex_lock(&s->lock);
    out->entries += s->count;
    out->cache_entries += s->list_count[MEM_CACHE - 1];
    out->counter_entries += s->list_count[MEM_COUNTER - 1];
    pthread_mutex_unlock(&s->lock);
  }
  out->max_bytes = m->max_bytes;
  out->used_bytes = atomic_load(&m->used);
  out->evicted = atomic_load(&m->evicted);
  out->counters_evicted = atomic_load(&m->counters_evicted);
  out->durable_max = m->durable_max;
  out->durable_bytes = atomic_load(&m->used_durable);
  out->counter_max = m->counter_max;
  out->counter_bytes = atomic_load(&m->used_counter);
  return MC_OK;
}
