/* conns.h - every open connection with the deadline of the request it is receiving, the
 * requests in flight, and a watchdog thread that closes connections past their deadline. */
#ifndef MERCATO_HTTP_CONNS_H
#define MERCATO_HTTP_CONNS_H

#include <pthread.h>
#include <stdatomic.h>

typedef struct mc_conn mc_conn;

typedef struct mc_conns {
  pthread_mutex_t mu;          /* guards the list and each connection's fields */
  pthread_cond_t wake;         /* signalled to stop the watchdog */
  pthread_t thread;
  int running, stop;
  mc_conn *head;
  int idle_timeout;            /* seconds a keep-alive connection may wait for its next request */
  int header_timeout;          /* seconds for a request line and headers */
  int request_timeout;         /* seconds for a whole request, body included */
  atomic_int *in_flight;       /* the app's counter of requests in flight (borrowed) */
  atomic_long closed_late;     /* connections the watchdog closed (for tests and logs) */
} mc_conns;

/* Prepares cs; in_flight is borrowed. Starts no thread yet. */
void mc_conns_init(mc_conns *cs, int idle_timeout, int header_timeout, int request_timeout, atomic_int *in_flight);

/* Starts the watchdog. Returns 0, or -1 when the thread cannot be started. */
int mc_conns_start(mc_conns *cs);

/* Stops the watchdog and frees what is left (after the HTTP daemon has stopped). */
void mc_conns_stop(mc_conns *cs);

/* A connection opened on socket fd: returns its record (owned by cs until mc_conns_closed),
 * or NULL without memory (the connection is then not watched). Its first request's line and
 * headers are due within the header timeout. */
mc_conn *mc_conns_opened(mc_conns *cs, int fd);

/* The connection c (NULL is fine) received a request line: counted in flight; the headers are
 * due within the header timeout (sooner when the connection's own deadline is sooner). */
void mc_conns_request_started(mc_conns *cs, mc_conn *c);

/* c's headers are in: its body is due within the request timeout of the request's start. */
void mc_conns_headers_done(mc_conns *cs, mc_conn *c);

/* c's request is received whole: no deadline while its response goes out. */
void mc_conns_body_done(mc_conns *cs, mc_conn *c);

/* 1 when c's request is past its deadline (checked as body data arrives), else 0. */
int mc_conns_late(mc_conns *cs, mc_conn *c);

/* c's request completed (answered or broken off): no longer in flight; the next request is
 * due within the idle and header timeouts. */
void mc_conns_request_done(mc_conns *cs, mc_conn *c);

/* c is closed: a request it still had in flight stops counting; c is freed. */
void mc_conns_closed(mc_conns *cs, mc_conn *c);

#endif
