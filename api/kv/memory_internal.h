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

typedef struct mem_entry {
  struct mem_entry *next;     /* the bucket's chain */
  struct mem_entry *lru_prev; /* cache entries: the stripe's recency list (NULL at the head) */
  struct mem_entry *lru_next; /* (NULL at the tail) */
  uint64_t hash;
  int64_t expires_at_ms;      /* CLOCK_MONOTONIC milliseconds; 0 = never */
  size_t heap_at;             /* its slot in the stripe's expiry heap, when expires_at_ms != 0 */
  char *value;                /* owned; value_len bytes, not terminated */
  size_t value_len;
  size_t key_len;
  unsigned char cache;        /* last written by set_cache: may be evicted */
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
  mem_entry *lru_head; /* cache entries, most recently written first */
  mem_entry *lru_tail;
  size_t cache_count;
  /* The heap top's deadline (INT64_MAX when empty), written under the lock and read without
   * it, so a writer short of room skips stripes with nothing expired without locking them. */
  _Atomic int64_t next_expiry;
} mem_stripe;

typedef struct mem_impl {
  mc_kv kv; /* first, so one allocation holds the handle and the tables */
  uint64_t seed[2];
  size_t max_bytes;
  /* Written by every write that changes a size: a line of its own, away from the read-mostly
   * fields above and the stripes' locks. */
  _Alignas(64) _Atomic size_t used;
  _Atomic unsigned hand;          /* the stripe the next eviction starts from */
  _Atomic uint64_t evicted;
  _Atomic int64_t full_logged_ms; /* when "budget full" was last logged (rate-limited) */
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

/* Makes e a cache entry at the head of the recency list (cache != 0) or takes it off the
 * list (cache == 0). Caller holds s->lock. */
void mem_lru_set(mem_stripe *s, mem_entry *e, int cache);

/* Reclaims up to limit entries of s whose deadline is at or before now, soonest first.
 * Caller holds s->lock. */
void mem_expire(mem_impl *m, mem_stripe *s, int64_t now, size_t limit);

/* Takes bytes from the budget for a write under own's lock: first from what is free, then
 * by reclaiming expired entries of every stripe, then by evicting cache entries, the least
 * recently used of one stripe after another; keep (may be NULL) is the entry being written,
 * never evicted. Other stripes are only try-locked (a thread holds at most two locks and
 * never waits for the second), so a busy stripe is skipped. MC_OK, or MC_ERR_UNAVAILABLE
 * when what is left cannot be evicted (nothing taken). */
int mem_reserve(mem_impl *m, mem_stripe *own, size_t bytes, const mem_entry *keep, int64_t now);

/* Gives bytes back to the budget. */
void mem_release(mem_impl *m, size_t bytes);

#endif
