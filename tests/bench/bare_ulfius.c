/* bare_ulfius.c - bench-only baseline: a bare Ulfius server with one endpoint, GET /healthz
 * returning a constant, started with the same MHD setup as mercato so scripts/bench can compare. */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>
#include <ulfius.h>

static const char HEALTH_BODY[] = "{\"status\":\"ok\"}";

/* GET /healthz: the constant body, application/json. */
static int on_healthz(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  (void)req;
  (void)user_data;
  ulfius_set_string_body_response(resp, 200, HEALTH_BODY);
  u_map_put(resp->map_header, "Content-Type", "application/json");
  return U_CALLBACK_COMPLETE;
}

/* Parses argv[i] as an int in [lo, hi]; exits 2 with a message naming the flag otherwise. */
static long parse_range(const char *flag, const char *value, long lo, long hi) {
  char *end = NULL;
  errno = 0;
  long v = value ? strtol(value, &end, 10) : 0;
  if (!value || errno || !end || *end || v < lo || v > hi) {
    fprintf(stderr, "bare-ulfius: %s expects an integer in %ld..%ld\n", flag, lo, hi);
    exit(2);
  }
  return v;
}

int main(int argc, char **argv) {
  long port = 8081;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  long threads = 4 * (cores > 0 ? cores : 1);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--port") == 0) {
      port = parse_range("--port", i + 1 < argc ? argv[++i] : NULL, 1, 65535);
    } else if (strcmp(argv[i], "--threads") == 0) {
      threads = parse_range("--threads", i + 1 < argc ? argv[++i] : NULL, 1, 1024);
    } else {
      fprintf(stderr, "usage: bare-ulfius [--port N] [--threads N]\n");
      return strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
  }

  /* Block the stop signals before MHD starts its threads, so only sigwait below sees them. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  struct _u_instance inst;
  if (ulfius_init_instance(&inst, (unsigned)port, &addr, NULL) != U_OK) {
    fprintf(stderr, "bare-ulfius: ulfius_init_instance failed\n");
    return 1;
  }
  ulfius_add_endpoint_by_val(&inst, "GET", NULL, "/healthz", 0, on_healthz, NULL);

  struct MHD_OptionItem opts[] = {
    {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
    {MHD_OPTION_CONNECTION_LIMIT, 1024, NULL},
    {MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL},
    {MHD_OPTION_SOCK_ADDR, 0, &addr},
    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
    {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
    {MHD_OPTION_END, 0, NULL},
  };
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (ulfius_start_framework_with_mhd_options(&inst, flags, opts) != U_OK) {
    fprintf(stderr, "bare-ulfius: could not start on 127.0.0.1:%ld\n", port);
    ulfius_clean_instance(&inst);
    return 1;
  }
  fprintf(stderr, "bare-ulfius: listening on http://127.0.0.1:%ld with %ld threads\n", port, threads);

  int sig = 0;
  sigwait(&stop, &sig);
  ulfius_stop_framework(&inst);
  ulfius_clean_instance(&inst);
  return 0;
}
