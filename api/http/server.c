/* server.c - starts libmicrohttpd with our access handler (access.c), the thread pool, the
 * connection limits, timeouts, bind address and TLS floor, and drains it on shutdown. */
#include "server.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yder.h>

#include "mercato/err.h"
#include "mercato/fsutil.h"
#include "mercato/log.h"
#include "access.h"

static void yder_to_log(void *cls, const char *app_name, const time_t date, const unsigned long level,
                        const char *message) {
  (void)cls, (void)app_name, (void)date;
  mc_log(level == Y_LOG_LEVEL_ERROR ? MC_LOG_ERROR : level == Y_LOG_LEVEL_WARNING ? MC_LOG_WARN : MC_LOG_DEBUG,
         "ulfius", "%s", message);
}

void mc_server_capture_library_logs(void) {
  y_init_logs("mercato", Y_LOG_MODE_CALLBACK, Y_LOG_LEVEL_WARNING, NULL, "library logs captured");
  y_set_logs_callback(yder_to_log, NULL, "library logs captured");
}

#define MC_MHD_LOG_BURST 20

/* 1 when a libmicrohttpd message may be logged now: it writes one line per connection it
 * refuses or loses, so a client opening thousands would flood the log. At most
 * MC_MHD_LOG_BURST lines a minute; how many were left out is logged when the next minute
 * starts. */
static int mhd_log_allowed(mc_server *srv) {
  long long now = (long long)time(NULL), start = atomic_load(&srv->log_window);
  if (now - start >= 60 && atomic_compare_exchange_strong(&srv->log_window, &start, now)) {
    int dropped = atomic_exchange(&srv->log_dropped, 0);
    atomic_store(&srv->log_used, 0);
    if (dropped) mc_warn("http.mhd", "%d more libmicrohttpd messages in the last minute were not logged", dropped);
  }
  if (atomic_fetch_add(&srv->log_used, 1) < MC_MHD_LOG_BURST) return 1;
  atomic_fetch_add(&srv->log_dropped, 1);
  return 0;
}

/* MHD hands over its own format strings; the attribute tells the compiler so. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap) {
  char msg[512];
  if (!mhd_log_allowed(cls)) return;
  vsnprintf(msg, sizeof msg, fmt, ap);
  msg[strcspn(msg, "\n")] = '\0';
  mc_warn("http.mhd", "%s", msg);
}

static int set_bind(mc_server *srv, const char *bind, int port, unsigned *flags) {
  struct sockaddr_in *v4 = (struct sockaddr_in *)&srv->addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&srv->addr;
  memset(&srv->addr, 0, sizeof srv->addr);
  if (inet_pton(AF_INET, bind, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    return MC_OK;
  }
  if (inet_pton(AF_INET6, bind, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *flags |= MHD_USE_IPv6;
    return MC_OK;
  }
  return MC_ERR_INVALID;
}

/* TLS 1.2 and 1.3 only, GnuTLS' NORMAL choice of ciphers within them. */
#define MC_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

int mc_server_start(mc_server *srv, mc_app *app) {
  const mc_config *cfg = app->cfg;
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  struct MHD_OptionItem opts[16];
  int n = 0;

  memset(srv, 0, sizeof *srv);
  srv->app = app;
  if (set_bind(srv, cfg->bind, cfg->port, &flags) != MC_OK) return MC_ERR_INVALID;
  if (app->tls) {
    if (mc_read_file(cfg->tls_key, 1 << 20, &srv->tls_key_pem, NULL) != MC_OK ||
        mc_read_file(cfg->tls_cert, 1 << 20, &srv->tls_cert_pem, NULL) != MC_OK) {
      mc_error("http", "cannot read MERCATO_TLS_KEY %s or MERCATO_TLS_CERT %s", cfg->tls_key, cfg->tls_cert);
      goto fail;
    }
    flags |= MHD_USE_TLS;
  }
  mc_conns_init(&srv->conns, cfg->connection_timeout, cfg->header_timeout, cfg->request_timeout, &app->in_flight);
  if (mc_conns_start(&srv->conns) != 0) {
    mc_error("http", "cannot start the request deadline watchdog");
    goto fail;
  }

  /* The logger first, so MHD reports problems with the options that follow through it. */
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, srv};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, mc_config_threads(cfg), NULL};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL};
  if (cfg->max_connections_per_ip > 0)
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip, NULL};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout, NULL};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &srv->addr};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)mc_access_notify, srv};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mc_access_completed, srv};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)mc_access_uri, srv};
  if (app->tls) {
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key_pem};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert_pem};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)MC_TLS_PRIORITIES};
  }
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

  srv->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, mc_access_handle, srv,
                                 MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
  if (!srv->daemon) {
    mc_error("http", "cannot listen on %s port %d (in use, or not an address of this machine?)",
             cfg->bind, cfg->port);
    mc_conns_stop(&srv->conns);
    goto fail;
  }
  mc_info("http", "listening on %s port %d with %d threads%s", cfg->bind, cfg->port,
          mc_config_threads(cfg), app->tls ? " (TLS 1.2/1.3)" : "");
  return MC_OK;
fail:
  free(srv->tls_key_pem);
  free(srv->tls_cert_pem);
  srv->tls_key_pem = srv->tls_cert_pem = NULL;
  return MC_ERR_UNAVAILABLE;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mc_server_stop(mc_server *srv) {
  mc_app *app = srv->app;
  double deadline = now_s() + app->cfg->shutdown_timeout;
  atomic_store(&app->stopping, 1);
  MHD_socket listen_fd = MHD_quiesce_daemon(srv->daemon);
  while (atomic_load(&app->in_flight) > 0 && now_s() < deadline) {
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  int left = atomic_load(&app->in_flight);
  if (left > 0) mc_warn("http", "%d requests still in flight after %d s; closing them", left,
                        app->cfg->shutdown_timeout);
  MHD_stop_daemon(srv->daemon);
  srv->daemon = NULL;
  if (listen_fd != MHD_INVALID_SOCKET) close(listen_fd);
  mc_conns_stop(&srv->conns);
  free(srv->tls_key_pem);
  free(srv->tls_cert_pem);
  srv->tls_key_pem = srv->tls_cert_pem = NULL;
}
