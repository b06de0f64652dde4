/* memory_budget.c - the memory kv's deadlines and byte budget: a min-heap of deadlines per
 * stripe (exact, soonest-first expiry), a recency list of cache entries per stripe (CLOCK, a
 * second chance for entries read since), and the budget every write draws from. */
#include <inttypes.h>
#include <stdlib.h>

#include "memory_internal.h"
#include "mercato/err.h"
#include "mercato/log.h"

/* "Budget full" is logged at most this often: a flood of failing writes must not flood the log. */
#define MEM_FULL_LOG_EVERY_MS 60000

/* --- the expiry heap --------------------------------------------------------------------------- */

static void heap_place(mem_stripe *s, size_t i, mem_entry *e) {
  s->heap[i] = e;
  e->heap_at = i;
}

static void heap_publish(mem_stripe *s) {
  atomic_store_explicit(&s->next_expiry, s->heap_len > 0 ? s->heap[0]->expires_at_ms : INT64_MAX,
                        memory_order_relaxed);
}

/* Moves the entry at i towards the root while it is due sooner than its parent. */
static void heap_up(mem_stripe *s, size_t i) {
  mem_entry *e = s->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (s->heap[parent]->expires_at_ms <= e->expires_at_ms) break;
    heap_place(s, i, s->heap[parent]);
    i = parent;
  }
  heap_place(s, i, e);
}

/* Moves the entry at i towards the leaves while a child is due sooner. */
static void heap_down(mem_stripe *s, size_t i) {
  mem_entry *e = s->heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= s->heap_len) break;
    if (child + 1 < s->heap_len && s->heap[child + 1]->expires_at_ms < s->heap[child]->expires_at_ms)
      child++;
    if (s->heap[child]->expires_at_ms >= e->expires_at_ms) break;
    heap_place(s, i, s->heap[child]);
    i = child;
  }
  heap_place(s, i, e);
}

static void heap_remove(mem_stripe *s, mem_entry *e) {
  size_t i = e->heap_at;
  mem_entry *last = s->heap[--s->heap_len];
  if (last != e) {
    heap_place(s, i, last);
    heap_up(s, i);
    heap_down(s, last->heap_at);
  }
}

int mem_heap_reserve(mem_stripe *s) {
  size_t cap;
  mem_entry **grown;
  if (s->heap_len < s->heap_cap) return MC_OK;
  cap = s->heap_cap ? s->heap_cap * 2 : 16;
  grown = realloc(s->heap, cap * sizeof *grown);
  if (grown == NULL) return MC_ERR_INTERNAL;
  s->heap = grown;
  s->heap_cap = cap;
  return MC_OK;
}

void mem_heap_set(mem_stripe *s, mem_entry *e, int64_t expires_at_ms) {
  int64_t old = e->expires_at_ms;
  e->expires_at_ms = expires_at_ms;
  if (old == 0 && expires_at_ms == 0) return;
  if (old == 0) {
    heap_place(s, s->heap_len++, e);
    heap_up(s, e->heap_at);
  } else if (expires_at_ms == 0) {
    heap_remove(s, e);
  } else if (expires_at_ms < old) {
    heap_up(s, e->heap_at);
  } else {
    heap_down(s, e->heap_at);
  }
  heap_publish(s);
}

/* --- the recency list of cache entries ----------------------------------------------------------- */

static void lru_unlink(mem_stripe *s, mem_entry *e) {
  if (e->lru_prev) e->lru_prev->lru_next = e->lru_next;
  else s->lru_head = e->lru_next;
  if (e->lru_next) e->lru_next->lru_prev = e->lru_prev;
  else s->lru_tail = e->lru_prev;
  e->lru_prev = e->lru_next = NULL;
}

static void lru_push_head(mem_stripe *s, mem_entry *e) {
  e->lru_prev = NULL;
  e->lru_next = s->lru_head;
  if (s->lru_head) s->lru_head->lru_prev = e;
  else s->lru_tail = e;
  s->lru_head = e;
}

void mem_lru_set(mem_stripe *s, mem_entry *e, int cache) {
  if (e->cache) {
    lru_unlink(s, e);
    s->cache_count--;
  }
  e->cache = cache != 0;
  e->referenced = 0;
  if (e->cache) {
    lru_push_head(s, e);
    s->cache_count++;
  }
}

/* --- removal and expiry ------------------------------------------------------------------------ */

mem_entry **mem_link_of(mem_stripe *s, const mem_entry *e) {
  mem_entry **link = &s->buckets[e->hash & s->mask];
  while (*link != e) link = &(*link)->next;
  return link;
}

void mem_remove(mem_impl *m, mem_stripe *s, mem_entry **link) {
  mem_entry *e = *link;
  *link = e->next;
  mem_heap_set(s, e, 0);
  mem_lru_set(s, e, 0);
  s->count--;
  mem_release(m, mem_cost(e->key_len, e->value_len));
  free(e->value);
  free(e);
}

void mem_expire(mem_impl *m, mem_stripe *s, int64_t now, size_t limit) {
  while (limit > 0 && s->heap_len > 0 && s->heap[0]->expires_at_ms <= now) {
    mem_remove(m, s, mem_link_of(s, s->heap[0]));
    limit--;
  }
}

/* --- the budget -------------------------------------------------------------------------------- */

void mem_release(mem_impl *m, size_t bytes) {
  atomic_fetch_sub_explicit(&m->used, bytes, memory_order_relaxed);
}

/* Takes bytes if they fit: 1, or 0 with nothing taken. */
static int take(mem_impl *m, size_t bytes) {
  size_t used = atomic_load_explicit(&m->used, memory_order_relaxed);
  do {
    if (bytes > m->max_bytes - used) return 0;
  } while (!atomic_compare_exchange_weak_explicit(&m->used, &used, used + bytes, memory_order_relaxed,
                                                  memory_order_relaxed));
  return 1;
}

/* Locks t unless it is own (already held): 1 when the caller may work on t. */
static int enter(mem_stripe *t, const mem_stripe *own) {
  return t == own || pthread_mutex_trylock(&t->lock) == 0;
}

static void leave(mem_stripe *t, const mem_stripe *own) {
  if (t != own) pthread_mutex_unlock(&t->lock);
}

/* Evicts t's least recently used cache entry other than keep, giving entries read since the
 * hand last passed them a second chance (back to the head, flag cleared). 1 when one went.
 * Each entry is looked at once per call, so one given its second chance now is not evicted
 * by the same call (a stripe holding only recently read entries frees nothing this time, and
 * its oldest goes next time if it is not read again). */
static int evict_one(mem_impl *m, mem_stripe *t, const mem_entry *keep) {
  for (size_t step = 0, n = t->cache_count; step < n && t->lru_tail != NULL; step++) {
    mem_entry *e = t->lru_tail;
    if (e == keep || e->referenced) {
      e->referenced = 0;
      lru_unlink(t, e);
      lru_push_head(t, e);
      continue;
    }
    mem_remove(m, t, mem_link_of(t, e));
    atomic_fetch_add_explicit(&m->evicted, 1, memory_order_relaxed);
    return 1;
  }
  return 0;
}

static void log_full(mem_impl *m, size_t bytes, int64_t now) {
  int64_t last = atomic_load_explicit(&m->full_logged_ms, memory_order_relaxed);
  if (last != 0 && now - last < MEM_FULL_LOG_EVERY_MS) return;
  if (!atomic_compare_exchange_strong(&m->full_logged_ms, &last, now)) return;
  mc_warn("kv.memory",
          "byte budget full: %zu of %zu bytes held by entries that cannot be evicted; a write of %zu bytes "
          "failed (raise MERCATO_MEMORY_KV_MAX_BYTES, or use Redis)",
          atomic_load_explicit(&m->used, memory_order_relaxed), m->max_bytes, bytes);
}

int mem_reserve(mem_impl *m, mem_stripe *own, size_t bytes, const mem_entry *keep, int64_t now) {
  unsigned idle = 0;

  if (take(m, bytes)) return MC_OK;
  if (bytes > m->max_bytes) goto full;
  /* Expired entries first, wherever they are: they are dead already. */
  for (unsigned i = 0; i < MEM_STRIPES; i++) {
    mem_stripe *t = &m->stripes[i];
    if (atomic_load_explicit(&t->next_expiry, memory_order_relaxed) > now || !enter(t, own)) continue;
    mem_expire(m, t, now, SIZE_MAX);
    leave(t, own);
    if (take(m, bytes)) return MC_OK;
  }
  /* Then cache entries, one stripe after another from a shared hand, so that every stripe
   * gives up its oldest in turn: together an approximation of least recently used overall.
   * Two idle rounds before giving up: the first may only have used up second chances. */
  while (idle < 2 * MEM_STRIPES) {
    unsigned at = atomic_fetch_add_explicit(&m->hand, 1, memory_order_relaxed) % MEM_STRIPES;
    mem_stripe *t = &m->stripes[at];
    int freed = 0;
    if (enter(t, own)) {
      freed = evict_one(m, t, keep);
      leave(t, own);
    }
    if (!freed) {
      idle++;
      continue;
    }
    idle = 0;
    if (take(m, bytes)) return MC_OK;
  }
full:
  log_full(m, bytes, now);
  return MC_ERR_UNAVAILABLE;
}
