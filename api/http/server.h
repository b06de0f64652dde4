/* server.h - the HTTP server: Ulfius on MHD's epoll thread pool with the middleware layers,
 * started with the app's settings and stopped gracefully. */
#ifndef MERCATO_HTTP_SERVER_H
#define MERCATO_HTTP_SERVER_H

#include <netinet/in.h>
#include <ulfius.h>

#include "mercato/app.h"

typedef struct mc_server {
  struct _u_instance inst;
  mc_app *app;
  struct sockaddr_storage addr;
  char *tls_key_pem, *tls_cert_pem;
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
