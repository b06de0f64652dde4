/* server.h - the HTTP server: libmicrohttpd's epoll thread pool with our access handler and the
 * middleware layers (Ulfius' request and response types), started with the app's settings. */
#ifndef MERCATO_HTTP_SERVER_H
#define MERCATO_HTTP_SERVER_H

#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <ulfius.h>

#include "conns.h"
#include "mercato/app.h"

typedef struct mc_server {
  struct MHD_Daemon *daemon;
  mc_app *app;
  mc_conns conns;             /* open connections, request deadlines, requests in flight */
  struct sockaddr_storage addr;
  char *tls_key_pem, *tls_cert_pem;
  atomic_llong log_window;    /* when the current minute of libmicrohttpd messages began */
  atomic_int log_used, log_dropped;
} mc_server;

/* Registers the layers and starts listening. app is borrowed and must outlive the server.
 * Returns MC_OK, or logs why and returns MC_ERR_UNAVAILABLE (port in use, TLS files unreadable). */
int mc_server_start(mc_server *srv, mc_app *app);

/* Stops accepting, lets in-flight requests finish for at most the shutdown timeout, then closes
 * every connection and the listening socket. */
void mc_server_stop(mc_server *srv);

/* Routes Ulfius' and yder's own messages into mc_log (area "ulfius"). */
void mc_server_capture_library_logs(void);

#endif
