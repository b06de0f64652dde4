/* conns.c - connection records, request deadlines and the watchdog (conns.h). MHD's own timeout
 * is an idle one that every byte resets; this one counts from the start of the request. */
#include "conns.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "mercato/log.h"

struct mc_conn {
  mc_conn *prev, *next;
  int fd;
  int busy;            /* a request in flight, counted in cs->in_flight */
  int shut;            /* the watchdog has shut the socket down already */
  double started;      /* when the current request began (monotonic seconds) */
  double deadline;     /* when it must be received by; 0 while its response goes out */
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mc_conns_init(mc_conns *cs, int idle_timeout, int header_timeout, int request_timeout, atomic_int *in_flight) {
  pthread_mutex_init(&cs->mu, NULL);
  pthread_cond_init(&cs->wake, NULL);
  cs->running = cs->stop = 0;
  cs->head = NULL;
  cs->idle_timeout = idle_timeout;
  cs->header_timeout = header_timeout;
  cs->request_timeout = request_timeout;
  cs->in_flight = in_flight;
  atomic_store(&cs->closed_late, 0);
}

/* Shuts down the sockets of requests past their deadline. shutdown(2) rather than close: MHD
 * owns the descriptor, sees the end of the stream and closes the connection on its own thread;
 * a record leaves the list (mc_conns_closed, under mu) before MHD closes its descriptor. */
static void sweep(mc_conns *cs) {
  double now = now_s();
  for (mc_conn *c = cs->head; c; c = c->next) {
    if (c->shut || c->deadline == 0 || now < c->deadline) continue;
    c->shut = 1;
    if (shutdown(c->fd, SHUT_RDWR) == 0 || errno == ENOTCONN) atomic_fetch_add(&cs->closed_late, 1);
    mc_debug("http.conns", "closed a connection whose request took over its deadline");
  }
}

static void *watchdog(void *arg) {
  mc_conns *cs = arg;
  pthread_mutex_lock(&cs->mu);
  while (!cs->stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 250 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&cs->wake, &cs->mu, &until);
    if (!cs->stop) sweep(cs);
  }
  pthread_mutex_unlock(&cs->mu);
  return NULL;
}

int mc_conns_start(mc_conns *cs) {
  if (pthread_create(&cs->thread, NULL, watchdog, cs) != 0) return -1;
  cs->running = 1;
  return 0;
}

void mc_conns_stop(mc_conns *cs) {
  if (cs->running) {
    pthread_mutex_lock(&cs->mu);
    cs->stop = 1;
    pthread_cond_signal(&cs->wake);
    pthread_mutex_unlock(&cs->mu);
    pthread_join(cs->thread, NULL);
    cs->running = 0;
  }
  while (cs->head) {
    mc_conn *c = cs->head;
    cs->head = c->next;
    free(c);
  }
  pthread_cond_destroy(&cs->wake);
  pthread_mutex_destroy(&cs->mu);
}

/* Under mu: c waits for a request, whose line and headers are due within the header timeout
 * plus idle seconds (the keep-alive wait MHD's idle timeout already bounds). */
static void head_due(mc_conns *cs, mc_conn *c, int idle) {
  c->started = now_s();
  c->deadline = c->started + idle + cs->header_timeout;
}

mc_conn *mc_conns_opened(mc_conns *cs, int fd) {
  mc_conn *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->fd = fd;
  pthread_mutex_lock(&cs->mu);
  head_due(cs, c, 0);
  c->next = cs->head;
  if (cs->head) cs->head->prev = c;
  cs->head = c;
  pthread_mutex_unlock(&cs->mu);
  return c;
}

void mc_conns_request_started(mc_conns *cs, mc_conn *c) {
  if (!c) {
    atomic_fetch_add(cs->in_flight, 1);
    return;
  }
  pthread_mutex_lock(&cs->mu);
  if (!c->busy) atomic_fetch_add(cs->in_flight, 1);
  c->busy = 1;
  c->started = now_s();
  if (c->deadline == 0 || c->deadline > c->started + cs->header_timeout) c->deadline = c->started + cs->header_timeout;
  pthread_mutex_unlock(&cs->mu);
}

void mc_conns_headers_done(mc_conns *cs, mc_conn *c) {
  if (!c) return;
  pthread_mutex_lock(&cs->mu);
  c->deadline = c->started + cs->request_timeout;
  pthread_mutex_unlock(&cs->mu);
}

void mc_conns_body_done(mc_conns *cs, mc_conn *c) {
  if (!c) return;
  pthread_mutex_lock(&cs->mu);
  c->deadline = 0;
  pthread_mutex_unlock(&cs->mu);
}

int mc_conns_late(mc_conns *cs, mc_conn *c) {
  int late;
  if (!c) return 0;
  pthread_mutex_lock(&cs->mu);
  late = c->deadline != 0 && now_s() >= c->deadline;
  pthread_mutex_unlock(&cs->mu);
  return late;
}

void mc_conns_request_done(mc_conns *cs, mc_conn *c) {
  if (!c) {
    atomic_fetch_sub(cs->in_flight, 1);
    return;
  }
  pthread_mutex_lock(&cs->mu);
  if (c->busy) atomic_fetch_sub(cs->in_flight, 1);
  c->busy = 0;
  head_due(cs, c, cs->idle_timeout);
  pthread_mutex_unlock(&cs->mu);
}

void mc_conns_closed(mc_conns *cs, mc_conn *c) {
  if (!c) return;
  pthread_mutex_lock(&cs->mu);
  if (c->busy) atomic_fetch_sub(cs->in_flight, 1);
  if (c->prev) c->prev->next = c->next;
  else cs->head = c->next;
  if (c->next) c->next->prev = c->prev;
  pthread_mutex_unlock(&cs->mu);
  free(c);
}
