/* main.c - mercato: config -> open ports -> build routes -> start -> wait for a signal ->
 * drain -> stop. Also the operational subcommands (migrate). */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http/server.h"
#include "mercato/app.h"
#include "mercato/config.h"
#include "mercato/err.h"
#include "mercato/fsutil.h"
#include "mercato/log.h"

static int is_loopback(const char *bind) {
  return strcmp(bind, "127.0.0.1") == 0 || strcmp(bind, "::1") == 0;
}

static int serve(const mc_config *cfg) {
  mc_app app;
  mc_server srv;
  sigset_t set;
  int sig = 0;

  /* Block the stop signals before any thread starts, so every thread inherits the mask and
   * only sigwait() below sees them. */
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  mc_server_capture_library_logs();
  if (mc_app_open(&app, cfg) != MC_OK) return 1;
  if (mc_server_start(&srv, &app) != MC_OK) {
    mc_app_close(&app);
    return 1;
  }
  printf("Mercato is running at %s://%s%s%s:%d/ (Ctrl+C to stop)\n", app.tls ? "https" : "http",
         strchr(cfg->bind, ':') && !is_loopback(cfg->bind) ? "[" : "",
         is_loopback(cfg->bind) ? "localhost" : cfg->bind,
         strchr(cfg->bind, ':') && !is_loopback(cfg->bind) ? "]" : "", cfg->port);
  fflush(stdout);
  sigwait(&set, &sig);
  mc_info("main", "received %s; stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
  mc_server_stop(&srv);
  mc_app_close(&app);
  mc_info("main", "stopped");
  return 0;
}

/* mercato admin create --email E: the password comes from stdin (one line), never argv. */
static int admin_create(const mc_config *cfg, const char *email) {
  char password[1100];
  mc_app app;
  size_t len;
  int rc;
  if (isatty(STDIN_FILENO)) fprintf(stderr, "Password for %s (12 to 1024 bytes): ", email);
  if (!fgets(password, sizeof password, stdin)) {
    fprintf(stderr, "mercato: no password on stdin\n");
    return 2;
  }
  len = strcspn(password, "\r\n");
  password[len] = '\0';
  if (mc_app_open(&app, cfg) != MC_OK) {
    explicit_bzero(password, sizeof password);
    return 1;
  }
  rc = mc_app_create_admin(&app, email, password, len);
  explicit_bzero(password, sizeof password);
  mc_app_close(&app);
  if (rc == MC_OK) printf("created admin %s\n", email);
  return rc == MC_OK ? 0 : rc == MC_ERR_INTERNAL || rc == MC_ERR_UNAVAILABLE ? 1 : 2;
}

static int migrate(const mc_config *cfg) {
  char path[4096];
  mc_store *store = NULL;
  int version = 0;
  if (mc_mkdirs(cfg->data_dir, 0700) != MC_OK) {
    fprintf(stderr, "mercato: cannot create the data directory %s\n", cfg->data_dir);
    return 1;
  }
  snprintf(path, sizeof path, "%s/mercato.db", cfg->data_dir);
  mc_store_options so = {.path = path, .busy_timeout_ms = cfg->db_busy_timeout_ms};
  if (mc_store_sqlite_open(&so, &store) != MC_OK || mc_store_schema_version(store, &version) != MC_OK) {
    fprintf(stderr, "mercato: cannot migrate %s (see the log above)\n", path);
    mc_store_close(store);
    return 1;
  }
  printf("%s is at schema version %d\n", path, version);
  mc_store_close(store);
  return 0;
}

int main(int argc, char **argv) {
  const char *cmd = "serve", *email = NULL;
  int first = 1, rc;
  mc_config cfg;

  /* Argon2 allocates its 19 MiB per hash with malloc. glibc's dynamic mmap threshold would
   * soon serve such blocks from per-thread arenas that never shrink, so each worker thread
   * would keep one: a fixed threshold keeps large blocks in mmap, returned when freed. */
  mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  if (argc > 1 && argv[1][0] != '-') {
    cmd = argv[1];
    first = 2;
  }
  if (strcmp(cmd, "admin") == 0) {
    if (argc < 5 || strcmp(argv[2], "create") != 0 || strcmp(argv[3], "--email") != 0) {
      fprintf(stderr, "usage: mercato admin create --email EMAIL [--setting value ...] < password\n");
      return 2;
    }
    email = argv[4];
    first = 5;
  }
  if (strcmp(cmd, "help") == 0) {
    mc_config_print_help(stdout);
    return 0;
  }
  if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0 && strcmp(cmd, "admin") != 0) {
    fprintf(stderr, "mercato: unknown command \"%s\" (see mercato --help)\n", cmd);
    return 2;
  }
  rc = mc_config_load(&cfg, argc, argv, first, stdout, stderr);
  if (rc == MC_ERR_NOT_FOUND) {
    mc_config_free(&cfg);
    return 0;
  }
  if (rc != MC_OK) {
    mc_config_free(&cfg);
    return 2;
  }
  mc_log_set_level((mc_log_level)cfg.log_level);
  if (strcmp(cmd, "migrate") == 0) rc = migrate(&cfg);
  else if (email) rc = admin_create(&cfg, email);
  else rc = serve(&cfg);
  mc_config_free(&cfg);
  return rc;
}
