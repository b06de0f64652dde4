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

/* --- the recency lists of cache entries and counters ------------------------------------------- */

static void lru_unlink(mem_stripe *s, mem_entry *e, int list) {
  if (e->lru_prev) e->lru_prev->lru_next = e->lru_next;
  else s->lru_head[list] = e->lru_next;
  if (e->lru_next) e->lru_next->lru_prev = e->lru_prev;
  else s->lru_tail[list] = e->lru_prev;
  e->lru_prev = e->lru_next = NULL;
}

static void lru_push_head(mem_stripe *s, mem_entry *e, int list) {
  e->lru_prev = NULL;
  e->lru_next = s->lru_head[list];
  if (s->lru_head[list]) s->lru_head[list]->lru_prev = e;
  else s->lru_tail[list] = e;
  s->lru_head[list] = e;
}

void mem_lru_set(mem_stripe *s, mem_entry *e, int kind) {
  if (e->kind != MEM_DURABLE) {
    lru_unlink(s, e, e->kind - 1);
    s->list_count[e->kind - 1]--;
  }
  e->kind = (unsigned char)kind;
  e->referenced = 0;
  if (kind != MEM_DURABLE) {
    lru_push_head(s, e, kind - 1);
    s->list_count[kind - 1]++;
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
  int kind = e->kind;
  *link = e->next;
  mem_heap_set(s, e, 0);
  mem_lru_set(s, e, MEM_DURABLE);
  s->count--;
  mem_release(m, mem_cost(e->key_len, e->value_len), kind);
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

/* Which count a reservation draws on: the whole budget or one kind's share of it. */
enum { SHARE_BUDGET, SHARE_DURABLE, SHARE_COUNTER };

static _Atomic size_t *share_used(mem_impl *m, int share) {
  return share == SHARE_DURABLE ? &m->used_durable : share == SHARE_COUNTER ? &m->used_counter : &m->used;
}

static size_t share_max(const mem_impl *m, int share) {
  return share == SHARE_DURABLE ? m->durable_max : share == SHARE_COUNTER ? m->counter_max : m->max_bytes;
}

void mem_release(mem_impl *m, size_t bytes, int kind) {
  atomic_fetch_sub_explicit(&m->used, bytes, memory_order_relaxed);
  if (kind == MEM_DURABLE) atomic_fetch_sub_explicit(&m->used_durable, bytes, memory_order_relaxed);
  if (kind == MEM_COUNTER) atomic_fetch_sub_explicit(&m->used_counter, bytes, memory_order_relaxed);
}

/* Takes bytes from share if they fit: 1, or 0 with nothing taken. */
static int take(mem_impl *m, int share, size_t bytes) {
  _Atomic size_t *used_p = share_used(m, share);
  size_t max = share_max(m, share), used = atomic_load_explicit(used_p, memory_order_relaxed);
  do {
    if (bytes > max - used) return 0;
  } while (!atomic_compare_exchange_weak_explicit(used_p, &used, used + bytes, memory_order_relaxed,
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

/* Evicts the least recently written entry of t's recency list other than keep, giving entries
 * read since the hand last passed them a second chance (back to the head, flag cleared). 1
 * when one went. Each entry is looked at once per call, so one given its second chance now is
 * not evicted by the same call (a stripe holding only recently read entries frees nothing this
 * time, and its oldest goes next time if it is not read again). */
static int evict_one(mem_impl *m, mem_stripe *t, const mem_entry *keep, int list) {
  for (size_t step = 0, n = t->list_count[list]; step < n && t->lru_tail[list] != NULL; step++) {
    mem_entry *e = t->lru_tail[list];
    if (e == keep || e->referenced) {
      e->referenced = 0;
      lru_unlink(t, e, list);
      lru_push_head(t, e, list);
      continue;
    }
    mem_remove(m, t, mem_link_of(t, e));
    atomic_fetch_add_explicit(list == MEM_CACHE - 1 ? &m->evicted : &m->counters_evicted, 1, memory_order_relaxed);
    return 1;
  }
  return 0;
}

/* Logs at most once a minute that when_ms (full_logged_ms or near_logged_ms) says to. */
static int log_due(_Atomic int64_t *when_ms, int64_t now) {
  int64_t last = atomic_load_explicit(when_ms, memory_order_relaxed);
  if (last != 0 && now - last < MEM_FULL_LOG_EVERY_MS) return 0;
  return atomic_compare_exchange_strong(when_ms, &last, now);
}

static void log_full(mem_impl *m, int share, size_t bytes, int64_t now) {
  if (!log_due(&m->full_logged_ms, now)) return;
  if (share == SHARE_DURABLE)
    mc_warn("kv.memory",
            "durable share full: %zu of %zu bytes held by entries that cannot be evicted (refresh families, "
            "records); a write of %zu bytes failed and sign-ins answer 503 (raise MERCATO_MEMORY_KV_MAX_BYTES, "
            "or use Redis)",
            atomic_load_explicit(&m->used_durable, memory_order_relaxed), m->durable_max, bytes);
  else
    mc_warn("kv.memory", "byte budget full: %zu of %zu bytes in use; a write of %zu bytes failed",
            atomic_load_explicit(&m->used, memory_order_relaxed), m->max_bytes, bytes);
}

/* Warns, before it happens, that durable entries are about to fill their share. */
static void warn_if_nearly_full(mem_impl *m, int64_t now) {
  size_t used = atomic_load_explicit(&m->used_durable, memory_order_relaxed);
  if (used / MEM_DURABLE_WARN_PCT < m->durable_max / 100 || !log_due(&m->near_logged_ms, now)) return;
  mc_warn("kv.memory",
          "durable entries hold %zu of their %zu bytes (over %d%%): once full, sign-ins answer 503 "
          "(raise MERCATO_MEMORY_KV_MAX_BYTES, lower MERCATO_REFRESH_FAMILIES_MAX, or use Redis)",
          used, m->durable_max, MEM_DURABLE_WARN_PCT);
}

/* Takes bytes from share, reclaiming expired entries of every stripe first and then evicting
 * entries of recency list evict (-1: none), one stripe after another from a shared hand, so
 * that every stripe gives up its oldest in turn: together an approximation of least recently
 * used overall. Two idle rounds before giving up: the first may only have used up second
 * chances. 1 when taken. */
static int make_room(mem_impl *m, mem_stripe *own, size_t bytes, const mem_entry *keep, int64_t now, int share,
                     int evict) {
  unsigned idle = 0;
  if (take(m, share, bytes)) return 1;
  if (bytes > share_max(m, share)) return 0;
  for (unsigned i = 0; i < MEM_STRIPES; i++) {
    mem_stripe *t = &m->stripes[i];
    if (atomic_load_explicit(&t->next_expiry, memory_order_relaxed) > now || !enter(t, own)) continue;
    mem_expire(m, t, now, SIZE_MAX);
    leave(t, own);
    if (take(m, share, bytes)) return 1;
  }
  while (evict >= 0 && idle < 2 * MEM_STRIPES) {
    unsigned at = atomic_fetch_add_explicit(&m->hand, 1, memory_order_relaxed) % MEM_STRIPES;
    mem_stripe *t = &m->stripes[at];
    int freed = 0;
    if (enter(t, own)) {
      freed = evict_one(m, t, keep, evict);
      leave(t, own);
    }
    if (!freed) {
      idle++;
      continue;
    }
    idle = 0;
    if (take(m, share, bytes)) return 1;
  }
  return 0;
}

int mem_reserve(mem_impl *m, mem_stripe *own, size_t bytes, const mem_entry *keep, int64_t now, int kind) {
  int share = kind == MEM_DURABLE ? SHARE_DURABLE : kind == MEM_COUNTER ? SHARE_COUNTER : SHARE_BUDGET;
  if (share != SHARE_BUDGET && !make_room(m, own, bytes, keep, now, share, kind == MEM_COUNTER ? MEM_COUNTER - 1 : -1)) {
    log_full(m, share, bytes, now);
    return MC_ERR_UNAVAILABLE;
  }
  /* The shares add up to the budget, so evicting cache entries always makes room for them
   * (short of stripes too busy to lock). */
  if (!make_room(m, own, bytes, keep, now, SHARE_BUDGET, MEM_CACHE - 1)) {
    if (share != SHARE_BUDGET) atomic_fetch_sub_explicit(share_used(m, share), bytes, memory_order_relaxed);
    log_full(m, SHARE_BUDGET, bytes, now);
    return MC_ERR_UNAVAILABLE;
  }
  if (share == SHARE_DURABLE) warn_if_nearly_full(m, now);
  return MC_OK;
}
