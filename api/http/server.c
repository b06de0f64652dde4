/* server.c - starts Ulfius through ulfius_start_framework_with_mhd_options so the thread pool,
 * connection limit, timeout and bind address are really applied, and drains it on shutdown. */
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
#include "middleware.h"
#include "router.h"

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

/* MHD hands over its own format strings; the attribute tells the compiler so. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap) {
  char msg[512];
  (void)cls;
  vsnprintf(msg, sizeof msg, fmt, ap);
  msg[strcspn(msg, "\n")] = '\0';
  mc_warn("http.mhd", "%s", msg);
}

/* The two callbacks Ulfius requires, wrapped to count requests in flight for the drain. MHD
 * calls the URI logger when a request line arrives and the completion callback exactly once
 * for every request the URI logger saw, whether it was answered or its connection broke. */
static void *on_uri(void *cls, const char *uri) {
  mc_app *app = cls;
  atomic_fetch_add(&app->in_flight, 1);
  return ulfius_uri_logger(NULL, uri);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  mc_app *app = cls;
  mhd_request_completed(NULL, conn, con_cls, toe);
  atomic_fetch_sub(&app->in_flight, 1);
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

int mc_server_start(mc_server *srv, mc_app *app) {
  const mc_config *cfg = app->cfg;
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  struct MHD_OptionItem opts[12];
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
  if (ulfius_init_instance(&srv->inst, (unsigned)cfg->port, NULL, NULL) != U_OK) goto fail;
  /* One byte over the largest accepted body, so Ulfius' silent truncation is detectable. Image
   * uploads (MC_ROUTE_IMAGE_BODY) take their limit from the configuration, not the table. */
  long max_body = mc_router_max_body(app->router, cfg->max_body);
  long max_upload = cfg->max_image_bytes + MC_HTTP_MULTIPART_SLACK;
  if (max_upload > max_body) max_body = max_upload;
  srv->inst.max_post_body_size = (size_t)max_body + 1;
  srv->inst.allowed_post_processor = U_POST_PROCESS_NONE;
  srv->inst.timeout = (unsigned)cfg->connection_timeout;
  if (ulfius_add_endpoint_by_val(&srv->inst, "*", NULL, "*", 0, mc_http_pipeline, app) != U_OK) goto fail;

  /* The logger first, so MHD reports problems with the options that follow through it. */
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, mc_config_threads(cfg), NULL};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout, NULL};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &srv->addr};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, app};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, app};
  if (app->tls) {
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key_pem};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert_pem};
  }
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

  if (ulfius_start_framework_with_mhd_options(&srv->inst, flags, opts) != U_OK) {
    mc_error("http", "cannot listen on %s port %d (in use, or not an address of this machine?)",
             cfg->bind, cfg->port);
    ulfius_clean_instance(&srv->inst);
    goto fail;
  }
  mc_info("http", "listening on %s port %d with %d threads%s", cfg->bind, cfg->port,
          mc_config_threads(cfg), app->tls ? " (TLS)" : "");
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
  MHD_socket listen_fd = MHD_quiesce_daemon(srv->inst.mhd_daemon);
  while (atomic_load(&app->in_flight) > 0 && now_s() < deadline) {
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  int left = atomic_load(&app->in_flight);
  if (left > 0) mc_warn("http", "%d requests still in flight after %d s; closing them", left,
                        app->cfg->shutdown_timeout);
  ulfius_stop_framework(&srv->inst);
  if (listen_fd != MHD_INVALID_SOCKET) close(listen_fd);
  ulfius_clean_instance(&srv->inst);
  free(srv->tls_key_pem);
  free(srv->tls_cert_pem);
  srv->tls_key_pem = srv->tls_cert_pem = NULL;
}
