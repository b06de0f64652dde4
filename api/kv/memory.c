/* memory.c - the in-process kv adapter (the embedded default): 64 independently locked hash
 * tables, keyed hashing, lazy TTL expiry and an amortised sweep. State dies with the process. */
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

/* A power of two, so the top bits of a hash pick the stripe and the low bits the bucket. */
#define MEM_STRIPE_BITS 6
#define MEM_STRIPES (1u << MEM_STRIPE_BITS)
#define MEM_INITIAL_BUCKETS 16
/* Buckets examined for expired entries on each write: enough to keep up with a steady stream
 * of short-lived keys, cheap enough not to show on the write path. */
#define MEM_SWEEP_BUCKETS 2

typedef struct mem_entry {
  struct mem_entry *next;
  uint64_t hash;
  int64_t expires_at_ms; /* CLOCK_MONOTONIC milliseconds; 0 = never */
  char *value;           /* owned; value_len bytes, not terminated */
  size_t value_len;
  size_t key_len;
  char key[]; /* NUL-terminated */
} mem_entry;

typedef struct mem_stripe {
  /* Aligned to a cache line so two workers on neighbouring stripes do not contend on one. */
  _Alignas(64) pthread_mutex_t lock;
  mem_entry **buckets; /* mask + 1 chains */
  size_t mask;
  size_t count;    /* entries, expired ones included until they are reclaimed */
  size_t sweep_at; /* next bucket the amortised sweep examines */
} mem_stripe;

typedef struct mem_impl {
  mc_kv kv; /* first, so one allocation holds the handle and the tables */
  uint64_t seed[2];
  mem_stripe stripes[MEM_STRIPES];
} mem_impl;

static int64_t mem_now_ms(void) {
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

static void mem_entry_free(mem_entry *e) {
  if (e == NULL) return;
  free(e->value);
  free(e);
}

/* Returns a new copy of value (at least one byte allocated so an empty value is not NULL), or
 * NULL when out of memory. */
static char *mem_dup(const void *value, size_t len) {
  char *copy = malloc(len > 0 ? len : 1);
  if (copy != NULL && len > 0) memcpy(copy, value, len);
  return copy;
}

/* Unlinks and frees every expired entry of bucket b. Caller holds s->lock. */
static void mem_sweep_bucket(mem_stripe *s, size_t b, int64_t now) {
  mem_entry **link = &s->buckets[b];
  while (*link != NULL) {
    mem_entry *e = *link;
    if (mem_expired(e, now)) {
      *link = e->next;
      mem_entry_free(e);
      s->count--;
    } else {
      link = &e->next;
    }
  }
}

/* Reclaims a few buckets' worth of expired entries; called on writes so memory held by dead
 * keys is returned without a background thread. Caller holds s->lock. */
static void mem_sweep_some(mem_stripe *s, int64_t now) {
  for (int i = 0; i < MEM_SWEEP_BUCKETS; i++) {
    mem_sweep_bucket(s, s->sweep_at, now);
    s->sweep_at = (s->sweep_at + 1) & s->mask;
  }
}

/* Finds the live entry for key and sets *link_out (may be NULL) to the pointer that links it,
 * for unlinking. Expired entries met on the way are reclaimed. Returns NULL when absent.
 * Caller holds s->lock. */
static mem_entry *mem_find(mem_stripe *s, const char *key, size_t key_len, uint64_t hash,
                           int64_t now, mem_entry ***link_out) {
  mem_entry **link = &s->buckets[hash & s->mask];
  while (*link != NULL) {
    mem_entry *e = *link;
    if (mem_expired(e, now)) {
      *link = e->next;
      mem_entry_free(e);
      s->count--;
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

/* Keeps chains short: once entries outnumber buckets, first reclaim the whole stripe's expired
 * entries (they may be most of it) and double the table only if it is still full. A failed
 * allocation keeps the old table, which stays correct, only slower. Caller holds s->lock. */
static void mem_maybe_grow(mem_stripe *s, int64_t now) {
  size_t old_n = s->mask + 1;
  size_t new_n;
  mem_entry **fresh;

  if (s->count < old_n) return;
  for (size_t b = 0; b < old_n; b++) mem_sweep_bucket(s, b, now);
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
  s->sweep_at = 0;
}

/* Adds a new entry for a key known to be absent, taking a copy of key and value.
 * MC_OK or MC_ERR_INTERNAL (out of memory). Caller holds s->lock. */
static int mem_insert(mem_stripe *s, const char *key, size_t key_len, uint64_t hash,
                      const void *value, size_t len, int64_t expires_at_ms, int64_t now) {
  mem_entry *e;
  size_t b;

  mem_maybe_grow(s, now);
  e = malloc(sizeof *e + key_len + 1);
  if (e == NULL) return MC_ERR_INTERNAL;
  e->value = mem_dup(value, len);
  if (e->value == NULL) {
    free(e);
    return MC_ERR_INTERNAL;
  }
  memcpy(e->key, key, key_len + 1);
  e->key_len = key_len;
  e->value_len = len;
  e->hash = hash;
  e->expires_at_ms = expires_at_ms;
  b = hash & s->mask;
  e->next = s->buckets[b];
  s->buckets[b] = e;
  s->count++;
  return MC_OK;
}

/* Replaces e's value with a copy of value; on allocation failure e is unchanged.
 * MC_OK or MC_ERR_INTERNAL. Caller holds the stripe's lock. */
static int mem_replace(mem_entry *e, const void *value, size_t len, int64_t expires_at_ms) {
  char *copy = mem_dup(value, len);
  if (copy == NULL) return MC_ERR_INTERNAL;
  free(e->value);
  e->value = copy;
  e->value_len = len;
  e->expires_at_ms = expires_at_ms;
  return MC_OK;
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
  e = mem_find(s, key, key_len, hash, mem_now_ms(), NULL);
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
done:
  pthread_mutex_unlock(&s->lock);
  return rc;
}

/* set and set_nx in one: only_if_absent makes a live key a conflict. */
static int mem_store(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms,
                     int only_if_absent) {
  mem_stripe *s = NULL;
  mem_entry *e;
  size_t key_len;
  uint64_t hash;
  int64_t now = mem_now_ms();
  int rc = mem_begin(kv, key, value, len, ttl_ms, &key_len, &hash, &s);
  if (rc != MC_OK) return rc;
  mem_sweep_some(s, now);
  e = mem_find(s, key, key_len, hash, now, NULL);
  if (e != NULL)
    rc = only_if_absent ? MC_ERR_CONFLICT : mem_replace(e, value, len, mem_deadline(now, ttl_ms));
  else
    rc = mem_insert(s, key, key_len, hash, value, len, mem_deadline(now, ttl_ms), now);
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static int mem_set(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms) {
  return mem_store(kv, key, value, len, ttl_ms, 0);
}

static int mem_set_nx(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms) {
  return mem_store(kv, key, value, len, ttl_ms, 1);
}

static int mem_del(mc_kv *kv, const char *key) {
  mem_stripe *s = NULL;
  mem_entry *e;
  mem_entry **link = NULL;
  size_t key_len;
  uint64_t hash;
  int64_t now = mem_now_ms();
  int rc = mem_begin(kv, key, NULL, 0, 0, &key_len, &hash, &s);
  if (rc != MC_OK) return rc;
  mem_sweep_some(s, now);
  e = mem_find(s, key, key_len, hash, now, &link);
  if (e == NULL) {
    rc = MC_ERR_NOT_FOUND;
  } else {
    *link = e->next;
    mem_entry_free(e);
    s->count--;
  }
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static int mem_incr(mc_kv *kv, const char *key, int64_t delta, int64_t ttl_ms, int64_t *out) {
  mem_stripe *s = NULL;
  mem_entry *e;
  size_t key_len;
  uint64_t hash;
  int64_t now = mem_now_ms();
  int64_t current = 0, next;
  char digits[24];
  int n;
  int rc = mem_begin(kv, key, NULL, 0, ttl_ms, &key_len, &hash, &s);
  if (rc != MC_OK) return rc;
  mem_sweep_some(s, now);
  e = mem_find(s, key, key_len, hash, now, NULL);
  if (e != NULL) {
    rc = mc_kv_parse_int(e->value, e->value_len, &current);
    if (rc != MC_OK) goto done;
  }
  if (__builtin_add_overflow(current, delta, &next)) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  n = snprintf(digits, sizeof digits, "%" PRId64, next);
  /* An existing key keeps its deadline: the window was fixed by the call that created it. */
  if (e != NULL)
    rc = mem_replace(e, digits, (size_t)n, e->expires_at_ms);
  else
    rc = mem_insert(s, key, key_len, hash, digits, (size_t)n, mem_deadline(now, ttl_ms), now);
  if (rc == MC_OK && out != NULL) *out = next;
done:
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static int mem_cas(mc_kv *kv, const char *key, const void *expected, size_t expected_len,
                   const void *new_value, size_t new_len, int64_t ttl_ms) {
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
  mem_sweep_some(s, now);
  e = mem_find(s, key, key_len, hash, now, &link);
  if (e == NULL) {
    rc = MC_ERR_NOT_FOUND;
  } else if (e->value_len != expected_len ||
             (expected_len > 0 && memcmp(e->value, expected, expected_len) != 0)) {
    rc = MC_ERR_CONFLICT;
  } else if (new_value == NULL) {
    *link = e->next;
    mem_entry_free(e);
    s->count--;
  } else {
    rc = mem_replace(e, new_value, new_len, mem_deadline(now, ttl_ms));
  }
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
  e = mem_find(s, key, key_len, hash, now, NULL);
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
          mem_entry_free(e);
          e = next;
        }
      }
      free(s->buckets);
      pthread_mutex_destroy(&s->lock);
    }
  }
  free(m);
}

static const mc_kv_ops mem_ops = {
  .get = mem_get,
  .set = mem_set,
  .set_nx = mem_set_nx,
  .del = mem_del,
  .incr = mem_incr,
  .cas = mem_cas,
  .pttl = mem_pttl,
  .ping = mem_ping,
  .close = mem_close,
};

int mc_kv_memory_open(mc_kv **out) {
  mem_impl *m = NULL;
  int rc = MC_OK;

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
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
  rc = mc_rand_bytes(m->seed, sizeof m->seed);
  if (rc != MC_OK) goto done;
  for (unsigned i = 0; i < MEM_STRIPES; i++) {
    mem_stripe *s = &m->stripes[i];
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
