/* gate.c - a first-come, first-served admission gate: at most cap holders at once, the others
 * wait their turn in arrival order. It lets heavy queries (catalog searches) run one per core
 * instead of time-slicing every worker thread across the cores. */
#include <pthread.h>

#include "internal.h"
#include "mercato/err.h"

int mc_sqlite_gate_init(mc_sqlite_gate *g, unsigned cap) {
  if (cap == 0) return MC_ERR_INVALID;
  g->next = 0;
  g->admitted = cap;
  if (pthread_mutex_init(&g->mu, NULL) != 0) return MC_ERR_INTERNAL;
  if (pthread_cond_init(&g->turn, NULL) != 0) {
    pthread_mutex_destroy(&g->mu);
    return MC_ERR_INTERNAL;
  }
  return MC_OK;
}

void mc_sqlite_gate_destroy(mc_sqlite_gate *g) {
  pthread_cond_destroy(&g->turn);
  pthread_mutex_destroy(&g->mu);
}

/* Tickets are handed out in arrival order; ticket t may enter once t < admitted, and every
 * leave admits one more, so holders never exceed cap and waiters enter in ticket order. */
void mc_sqlite_gate_enter(mc_sqlite_gate *g) {
  pthread_mutex_lock(&g->mu);
  uint64_t ticket = g->next++;
  while (ticket >= g->admitted) pthread_cond_wait(&g->turn, &g->mu);
  pthread_mutex_unlock(&g->mu);
}

void mc_sqlite_gate_leave(mc_sqlite_gate *g) {
  pthread_mutex_lock(&g->mu);
  g->admitted++;
  /* Only the next ticket can enter, but a condition variable cannot wake one chosen waiter:
   * every waiter rechecks its ticket. Waiters are at most the worker threads. */
  if (g->next >= g->admitted) pthread_cond_broadcast(&g->turn);
  pthread_mutex_unlock(&g->mu);
}
