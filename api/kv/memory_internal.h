/* memory_internal.h - the memory kv adapter's tables, shared by memory.c (hashing and the
 * operations) and memory_budget.c (expiry, the byte budget and eviction). Not a public header. */
#ifndef MERCATO_KV_MEMORY_INTERNAL_H
#define MERCATO_KV_MEMORY_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/kv.h"

/* A power of two, so the top bits of a hash pick the stripe and the low bits the bucket. */
#define MEM_STRIPE_BITS 6
#define MEM_STRIPES (1u << MEM_STRIPE_BITS)

/* An entry's kind, set by the operation that last wrote it (kv.h, Eviction): durable entries
 * are never evicted and hold at most durable_max bytes; cache entries fill what is free and go
 * first; counters (incr on a key with a TTL: rate-limit windows) hold at most counter_max bytes
 * and, past it, make room by evicting the least recently written counters. */
enum { MEM_DURABLE = 0, MEM_CACHE = 1, MEM_COUNTER = 2 };
#define MEM_LISTS 2 /* recency lists per stripe, of cache entries and counters: kind - 1 */
/* The share of the budget counters may hold, in percent; durable entries get the rest. */
#define MEM_COUNTER_SHARE_PCT 25
/* A warning is logged once durable entries hold this much of their share, in percent. */
#define MEM_DURABLE_WARN_PCT 80

typedef struct mem_entry {
  struct mem_entry *next;     /* the bucket's chain */
  struct mem_entry *lru_prev; /* cache entries and counters: their recency list (NULL at the head) */
  struct mem_entry *lru_next; /* (NULL at the tail) */
  uint64_t hash;
  int64_t expires_at_ms;      /* CLOCK_MONOTONIC milliseconds; 0 = never */
  size_t heap_at;             /* its slot in the stripe's expiry heap, when expires_at_ms != 0 */
  char *value;                /* owned; value_len bytes, not terminated */
  size_t value_len;
  size_t key_len;
  unsigned char kind;         /* MEM_DURABLE, MEM_CACHE or MEM_COUNTER */
  unsigned char referenced;   /* read since the eviction hand last passed it: a second chance */
  char key[];                 /* NUL-terminated */
} mem_entry;

typedef struct mem_stripe {
  /* Aligned to a cache line so two workers on neighbouring stripes do not contend on one. */
  _Alignas(64) pthread_mutex_t lock;
  mem_entry **buckets; /* mask + 1 chains */
  size_t mask;
  size_t count;        /* entries, expired ones included until they are reclaimed */
  mem_entry **heap;    /* the entries with a deadline, a binary min-heap on it */
  size_t heap_len, heap_cap;
  mem_entry *lru_head[MEM_LISTS]; /* cache entries and counters, most recently written first */
  mem_entry *lru_tail[MEM_LISTS];
  size_t list_count[MEM_LISTS];
  /* The heap top's deadline (INT64_MAX when empty), written under the lock and read without
   * it, so a writer short of room skips stripes with nothing expired without locking them. */
  _Atomic int64_t next_expiry;
} mem_stripe;

typedef struct mem_impl {
  mc_kv kv; /* first, so one allocation holds the handle and the tables */
  uint64_t seed[2];
  size_t max_bytes;
  size_t durable_max, counter_max; /* the shares of max_bytes durable entries and counters hold */
  /* Written by every write that changes a size: a line of its own, away from the read-mostly
   * fields above and the stripes' locks. */
  _Alignas(64) _Atomic size_t used;
  _Atomic size_t used_durable, used_counter; /* of used */
  _Atomic unsigned hand;          /* the stripe the next eviction starts from */
  _Atomic uint64_t evicted;          /* cache entries */
  _Atomic uint64_t counters_evicted;
  _Atomic int64_t full_logged_ms; /* when "budget full" was last logged (rate-limited) */
  _Atomic int64_t near_logged_ms; /* when "durable share nearly full" was last logged */
  mem_stripe stripes[MEM_STRIPES];
} mem_impl;

/* What an entry costs against the budget: its key and value and a fixed overhead for the
 * entry itself, two allocator headers, and its share of the bucket and heap arrays (each up
 * to twice the entries after a doubling). */
static inline size_t mem_cost(size_t key_len, size_t value_len) {
  return sizeof(mem_entry) + 2 * 16 + 2 * 2 * sizeof(void *) + key_len + 1 + value_len;
}

int64_t mem_now_ms(void);

/* The pointer that links e into its bucket (e must be in s). Caller holds s->lock. */
mem_entry **mem_link_of(mem_stripe *s, const mem_entry *e);

/* Unlinks *link's entry from its chain, heap and recency list, returns its bytes to the
 * budget and frees it. Caller holds s->lock. */
void mem_remove(mem_impl *m, mem_stripe *s, mem_entry **link);

/* Makes room in s->heap for one more entry: MC_OK or MC_ERR_INTERNAL (out of memory, nothing
 * changed). Caller holds s->lock. */
int mem_heap_reserve(mem_stripe *s);

/* Sets e's deadline to expires_at_ms (0 = never), moving it into, within or out of the heap.
 * Entering the heap needs a slot mem_heap_reserve made. Caller holds s->lock. */
void mem_heap_set(mem_stripe *s, mem_entry *e, int64_t expires_at_ms);

/* Makes e an entry of kind, at the head of its recency list (cache entries and counters) or on
 * none (durable ones). Caller holds s->lock. */
void mem_lru_set(mem_stripe *s, mem_entry *e, int kind);

/* Reclaims up to limit entries of s whose deadline is at or before now, soonest first.
 * Caller holds s->lock. */
void mem_expire(mem_impl *m, mem_stripe *s, int64_t now, size_t limit);

/* Takes bytes for an entry of kind from its share (durable or counter) and from the budget, for
 * a write under own's lock: first from what is free, then by reclaiming expired entries of
 * every stripe, then (a counter's share) by evicting counters and (the budget) cache entries,
 * the least recently used of one stripe after another; keep (may be NULL) is the entry being
 * written, never evicted. Other stripes are only try-locked (a thread holds at most two locks
 * and never waits for the second), so a busy stripe is skipped. MC_OK, or MC_ERR_UNAVAILABLE
 * when what is left cannot be evicted (nothing taken). */
int mem_reserve(mem_impl *m, mem_stripe *own, size_t bytes, const mem_entry *keep, int64_t now, int kind);

/* Gives bytes of an entry of kind back to the budget and its share. */
void mem_release(mem_impl *m, size_t bytes, int kind);

#endif
