/* kv.h - the key-value port: TTLs, atomic counters, compare-and-set, set-if-absent.
 * Used for refresh-token families, rate limits, cache generations, idempotency records and
 * short locks. Adapters: memory (one process, the embedded default) and redis (hiredis).
 *
 * Keys are NUL-terminated strings of 1 to MC_KV_KEY_MAX bytes; values are binary-safe byte
 * strings of at most MC_KV_VALUE_MAX bytes (a NULL value is allowed only with length 0). A ttl_ms
 * of 0 means "no expiry"; a negative one or one above MC_KV_TTL_MAX is MC_ERR_INVALID. Every
 * function is thread-safe and returns an mc_err: MC_ERR_UNAVAILABLE when the backing service did
 * not answer in time (or, for the memory adapter, when its byte budget is full of entries it
 * may not evict), MC_ERR_INVALID for a key, value or ttl out of bounds.
 *
 * Eviction. Entries are of three kinds, set by the operation that last wrote them:
 * - cache entries, written by set_cache: copies of data that lives elsewhere (the catalog's
 *   answers). They may disappear at any time before their TTL; a reader treats a missing one
 *   as a miss and rebuilds it.
 * - counters with a window, written by incr on a key with a TTL: rate-limit counters, whose
 *   keys clients choose (addresses, emails). Losing one restarts its window; the memory
 *   adapter keeps them in a share of their own and evicts the least recently written ones to
 *   stay within it, so they can neither fill the kv nor be refused.
 * - every other entry (set, set_nx, cas, incr without a TTL): refresh-token families,
 *   generation counters, idempotency records, locks. Losing one would be a correctness bug
 *   (a revoked token accepted again), so an adapter never evicts them; they leave only by
 *   del, cas or their TTL.
 * The memory adapter holds a byte budget (MC_KV_MEMORY_MAX_BYTES_DEFAULT unless opened with
 * another): counters may hold a quarter of it and durable entries the rest; cache entries use
 * whatever is free. When a write would exceed its share or the budget, the adapter first
 * reclaims expired entries, then evicts counters (for a counter's share) or cache entries (for
 * the budget), least recently used first, approximately, and fails the write with
 * MC_ERR_UNAVAILABLE when what is left cannot be evicted (durable entries filling their
 * share). It logs a warning once durable entries hold 80% of their share. Redis is bounded by
 * its own maxmemory and policy instead; set_cache entries and rate-limit counters always carry
 * a TTL, so a volatile-* policy can evict them (see the README). */
#ifndef MERCATO_KV_H
#define MERCATO_KV_H

#include <stddef.h>
#include <stdint.h>

#define MC_KV_KEY_MAX 512
#define MC_KV_VALUE_MAX (1024 * 1024)
/* About 100 years: far beyond any real use, and small enough that a TTL added to a clock cannot
 * overflow and Redis accepts it in every version. */
#define MC_KV_TTL_MAX ((int64_t)100 * 365 * 24 * 3600 * 1000)

typedef struct mc_kv mc_kv;

typedef struct mc_kv_ops {
  /* *out is a new NUL-terminated copy the caller frees (out_len may be NULL). MC_ERR_NOT_FOUND
   * when missing or expired. */
  int (*get)(mc_kv *kv, const char *key, char **out, size_t *out_len);
  /* Stores value, replacing any previous value and TTL. */
  int (*set)(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms);
  /* Stores value as a cache entry (see Eviction above): like set, but the adapter may drop it
   * at any time to stay within its memory, before any other kind of entry. ttl_ms must be
   * positive (MC_ERR_INVALID otherwise): a cache entry always expires. */
  int (*set_cache)(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms);
  /* Stores value only when key is absent: MC_OK if stored, MC_ERR_CONFLICT if it was present. */
  int (*set_nx)(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms);
  /* Removes key: MC_OK if it was there, MC_ERR_NOT_FOUND if not. */
  int (*del)(mc_kv *kv, const char *key);
  /* Adds delta to the integer at key (absent counts as 0) and writes the new value to *out
   * (out may be NULL). ttl_ms applies only when this call creates the key, so a rate-limit
   * window is fixed at its first hit. MC_ERR_INVALID when the stored value is not a base-10
   * int64 (see mc_kv_parse_int) or the sum would overflow; the value is then left unchanged. */
  int (*incr)(mc_kv *kv, const char *key, int64_t delta, int64_t ttl_ms, int64_t *out);
  /* Replaces the value at key with new_value (and ttl_ms) only if it currently equals expected.
   * new_value NULL deletes the key on a match. Bytes are compared exactly. MC_OK on a swap,
   * MC_ERR_CONFLICT when the value differs, MC_ERR_NOT_FOUND when the key is absent. */
  int (*cas)(mc_kv *kv, const char *key, const void *expected, size_t expected_len,
             const void *new_value, size_t new_len, int64_t ttl_ms);
  /* Writes the milliseconds left before key expires to *out_ms, or -1 when it has no expiry.
   * MC_ERR_NOT_FOUND when missing. */
  int (*pttl)(mc_kv *kv, const char *key, int64_t *out_ms);
  /* MC_OK when the backing service answers. */
  int (*ping)(mc_kv *kv);
  /* Frees the adapter and everything it holds (connections of every thread). Call it only
   * once no other thread uses kv any more (after the server's workers have stopped). */
  void (*close)(mc_kv *kv);
} mc_kv_ops;

struct mc_kv {
  const mc_kv_ops *ops;
  const char *name; /* "memory" or "redis": static */
  void *impl;
};

/* Opens the adapter url asks for: NULL or "" -> memory (with the default byte budget);
 * "redis://[[user]:password@]host[:port][/db]" or
 * "unix:///path/to/redis.sock[?db=N][&user=U][&password=P]" -> redis with timeout_ms (> 0)
 * for connect and each command. user and password are percent-decoded; a user means Redis 6
 * ACL AUTH user password. host may be a name, an IPv4 or a bracketed IPv6 literal. The redis
 * adapter keeps one connection per thread, opened on the thread's first call, but pings once
 * here so a wrong URL fails at start-up. *out is owned by the caller (mc_kv_close).
 * MC_ERR_INVALID for a malformed URL, MC_ERR_UNAVAILABLE when Redis does not answer or refuses
 * the credentials. */
int mc_kv_open(const char *url, int timeout_ms, mc_kv **out);

/* The memory adapter's byte budget when none is given: keys, values and per-entry overhead. */
#define MC_KV_MEMORY_MAX_BYTES_DEFAULT ((size_t)64 * 1024 * 1024)

/* What mc_kv_open_options needs; fields left 0 take their defaults. */
typedef struct mc_kv_options {
  const char *url;         /* NULL or "": memory; otherwise a Redis URL as for mc_kv_open */
  int timeout_ms;          /* redis: connect and command timeout (> 0) */
  size_t memory_max_bytes; /* memory: byte budget; 0 means MC_KV_MEMORY_MAX_BYTES_DEFAULT */
} mc_kv_options;

/* Opens the adapter opts asks for, as mc_kv_open does. *out is owned by the caller. */
int mc_kv_open_options(const mc_kv_options *opts, mc_kv **out);

/* Opens the memory adapter with the default byte budget. */
int mc_kv_memory_open(mc_kv **out);

/* Opens the memory adapter with a budget of max_bytes (at least MC_KV_MEMORY_MAX_BYTES_MIN)
 * for its entries: each costs its key, its value and a fixed overhead (the entry, allocator
 * headers, its share of the hash and expiry tables). MC_ERR_INVALID below the minimum. */
#define MC_KV_MEMORY_MAX_BYTES_MIN ((size_t)64 * 1024)
int mc_kv_memory_open_budget(size_t max_bytes, mc_kv **out);

/* A snapshot of the memory adapter's budget, for tests and diagnostics. */
typedef struct mc_kv_memory_stats {
  size_t max_bytes;     /* the budget */
  size_t used_bytes;    /* what the entries held at the time cost, expired ones not yet reclaimed included */
  size_t entries;       /* entries held, of every kind */
  size_t cache_entries; /* of which cache entries (set_cache) */
  size_t counter_entries; /* of which counters with a window (incr with a TTL) */
  uint64_t evicted;     /* cache entries evicted to make room since the adapter was opened */
  uint64_t counters_evicted; /* counters evicted to stay within their share */
  size_t durable_max, durable_bytes; /* the share of entries never evicted, and what they hold */
  size_t counter_max, counter_bytes; /* the share of counters, and what they hold */
} mc_kv_memory_stats;

/* Fills *out for the memory adapter kv (not a prefixed wrapper of it). Locks each stripe in
 * turn, so the figures are consistent per stripe, not across them while writers run.
 * MC_ERR_INVALID when kv is not the memory adapter. */
int mc_kv_memory_stats_get(mc_kv *kv, mc_kv_memory_stats *out);

/* Opens the redis adapter for an already parsed URL (see mc_kv_open). */
int mc_kv_redis_open(const char *url, int timeout_ms, mc_kv **out);

#define MC_KV_PREFIX_MAX 64

/* Wraps inner so that every key gets prefix (1..MC_KV_PREFIX_MAX bytes) in front: shops or test servers sharing one Redis
 * database then never see each other's keys. On MC_OK *out owns inner. */
int mc_kv_prefixed(mc_kv *inner, const char *prefix, mc_kv **out);

/* Closes kv (NULL is fine). */
void mc_kv_close(mc_kv *kv);

/* Checks the bounds above for adapters: key (required) and its length written to *key_len,
 * value/len (NULL with 0 for operations without a value) and ttl_ms. MC_OK or MC_ERR_INVALID. */
int mc_kv_check(const char *key, size_t *key_len, const void *value, size_t len, int64_t ttl_ms);

/* Parses s[0..len) as incr stores counters: an optional '-' and base-10 digits with no leading
 * zero, sign, space or other byte, within int64. For callers reading a counter with get.
 * MC_OK or MC_ERR_INVALID. */
int mc_kv_parse_int(const char *s, size_t len, int64_t *out);

/* Thin wrappers so callers read naturally: mc_kv_get(kv, "k", &v, &n). */
static inline int mc_kv_get(mc_kv *kv, const char *key, char **out, size_t *out_len) {
  return kv->ops->get(kv, key, out, out_len);
}
static inline int mc_kv_set(mc_kv *kv, const char *key, const void *v, size_t n, int64_t ttl_ms) {
  return kv->ops->set(kv, key, v, n, ttl_ms);
}
static inline int mc_kv_set_cache(mc_kv *kv, const char *key, const void *v, size_t n, int64_t ttl_ms) {
  return kv->ops->set_cache(kv, key, v, n, ttl_ms);
}
static inline int mc_kv_set_nx(mc_kv *kv, const char *key, const void *v, size_t n, int64_t ttl_ms) {
  return kv->ops->set_nx(kv, key, v, n, ttl_ms);
}
static inline int mc_kv_del(mc_kv *kv, const char *key) {
  return kv->ops->del(kv, key);
}
static inline int mc_kv_incr(mc_kv *kv, const char *key, int64_t delta, int64_t ttl_ms, int64_t *out) {
  return kv->ops->incr(kv, key, delta, ttl_ms, out);
}
static inline int mc_kv_cas(mc_kv *kv, const char *key, const void *expected, size_t elen,
                            const void *new_value, size_t nlen, int64_t ttl_ms) {
  return kv->ops->cas(kv, key, expected, elen, new_value, nlen, ttl_ms);
}
static inline int mc_kv_pttl(mc_kv *kv, const char *key, int64_t *out_ms) {
  return kv->ops->pttl(kv, key, out_ms);
}
static inline int mc_kv_ping(mc_kv *kv) {
  return kv->ops->ping(kv);
}

#endif
