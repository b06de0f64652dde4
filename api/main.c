/* main.c - mercato: config -> open ports -> build routes -> start -> wait for a signal ->
 * drain -> stop. Also the operational subcommands (migrate, admin create, seed). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/server.h"
#include "mercato/app.h"
#include "mercato/catalog.h"
#include "mercato/config.h"
#include "mercato/err.h"
#include "mercato/fsutil.h"
#include "mercato/log.h"
#include "mercato/seed.h"

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
  mc_store *store = NULL;
  int version = 0;
  if (mc_mkdirs(cfg->data_dir, 0700) != MC_OK) {
    fprintf(stderr, "mercato: cannot create the data directory %s\n", cfg->data_dir);
    return 1;
  }
  mc_store_options so = mc_app_store_options(cfg);
  if (mc_store_open(&so, &store) != MC_OK || mc_store_schema_version(store, &version) != MC_OK) {
    fprintf(stderr, "mercato: cannot migrate the store in %s (see the log above)\n", cfg->data_dir);
    mc_store_close(store);
    return 1;
  }
  printf("the %s store in %s is at schema version %d\n", store->name, cfg->data_dir, version);
  mc_store_close(store);
  return 0;
}

/* mercato seed --demo [--if-empty] | --bench N: fills the catalog (seed.c, seed_bench.c). */
static int seed(const mc_config *cfg, int demo, int if_empty, long long bench) {
  mc_app app;
  mc_seed_report r;
  int rc;
  /* The server's own ports, opened as the server opens them (kv prefix included), so the
   * catalog cache of servers sharing the kv hears of the change. */
  if (mc_app_open(&app, cfg) != MC_OK) return 1;
  mc_catalog cat = {.cfg = cfg, .store = app.store, .kv = app.kv};
  /* The summary below says what was made; the catalog's INFO line per write would bury it. */
  mc_log_level level = mc_log_get_level();
  if (level == MC_LOG_INFO) mc_log_set_level(MC_LOG_WARN);
  rc = demo ? mc_seed_demo(&cat, &r) : mc_seed_bench(&cat, bench, isatty(STDERR_FILENO), &r);
  mc_log_set_level(level);
  mc_app_close(&app);
  if (demo && rc == MC_ERR_CONFLICT) {
    if (if_empty) {
      printf("seed: the catalog already has %lld products; nothing seeded\n", (long long)r.existing);
      return 0;
    }
    fprintf(stderr,
            "mercato: the catalog already has %lld products; not seeding the demo shop over them "
            "(use --if-empty to skip quietly, or a fresh --data-dir)\n",
            (long long)r.existing);
    return 1;
  }
  if (rc != MC_OK) {
    fprintf(stderr, "mercato: seeding failed: %s (see the log above)%s\n", mc_err_name(rc),
            demo ? "; what it had created was removed" : "");
    if (!demo) fprintf(stderr, "mercato: %lld benchmark products were created before the failure\n", (long long)r.products);
    return 1;
  }
  if (demo)
    printf("seed: demo shop created in %s: %lld categories, %lld products (%lld inactive), %lld images, %.2f s\n",
           cfg->data_dir, (long long)r.categories, (long long)r.products, (long long)r.inactive,
           (long long)r.images, r.seconds);
  else
    printf("seed: %lld benchmark products (%lld inactive) in %lld categories, %.2f s (%.0f products/s), "
           "catalog now %lld products\n",
           (long long)r.products, (long long)r.inactive, (long long)r.categories, r.seconds,
           r.seconds > 0 ? (double)r.products / r.seconds : 0.0, (long long)(r.existing + r.products));
  return 0;
}

/* Reads the N of --bench N: a whole number within 1..MC_SEED_BENCH_MAX, else -1. */
static long long bench_count(const char *text) {
  char *end;
  errno = 0;
  long long n = strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || text[0] == '+' || n < 1 || n > MC_SEED_BENCH_MAX)
    return -1;
  return n;
}

int main(int argc, char **argv) {
  const char *cmd = "serve", *email = NULL;
  int first = 1, rc, demo = 0, if_empty = 0;
  long long bench = 0;
  mc_config cfg;

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
  if (strcmp(cmd, "seed") == 0) {
    if (argc > 2 && strcmp(argv[2], "--demo") == 0) {
      demo = 1;
      first = 3;
      if (argc > 3 && strcmp(argv[3], "--if-empty") == 0) {
        if_empty = 1;
        first = 4;
      }
    } else if (argc > 3 && strcmp(argv[2], "--bench") == 0 && (bench = bench_count(argv[3])) > 0) {
      first = 4;
    } else {
      fprintf(stderr, "usage: mercato seed --demo [--if-empty] [--setting value ...]\n"
                      "       mercato seed --bench N [--setting value ...]   (N in 1..%d)\n",
              MC_SEED_BENCH_MAX);
      return 2;
    }
  }
  if (strcmp(cmd, "help") == 0) {
    mc_config_print_help(stdout);
    return 0;
  }
  if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0 && strcmp(cmd, "admin") != 0 &&
      strcmp(cmd, "seed") != 0) {
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
  else if (strcmp(cmd, "seed") == 0) rc = seed(&cfg, demo, if_empty, bench);
  else rc = serve(&cfg);
  mc_config_free(&cfg);
  return rc;
}
