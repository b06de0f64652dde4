/* store_contract.h - what the storage port's contract suites share (test_store.c,
 * test_store_users.c, the catalog suites): the adapter factories, per-test stores, assertions.
 * A contract test reaches its store only through its factory row, which opens it with
 * mc_store_open, and the port's own calls; the SQLite back doors below (raw_open, raw_exec) are
 * for the factory row and for SQLite-only tests (test_store_sqlite.c and the "sqlite" cases). */
#ifndef MERCATO_TEST_STORE_CONTRACT_H
#define MERCATO_TEST_STORE_CONTRACT_H

#include <check.h>
#include <ftw.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/store.h"
/* Only for the sqlite factory row's latest_version: the adapter's own header. */
#include "../../api/store/sqlite/sqlite.h"

/* Helpers are static inline so that a suite using only some of them compiles without
 * warnings about the others. */

/* Every test works in its own directory under this one, which main removes at the end, so a
 * failing test (whose process Check ends mid-way) still leaves nothing behind. */
static char run_dir[256];

/* One fresh place to keep a store: a data directory (for sqlite, its database file), and for
 * mongo a database name. */
typedef struct store_env {
  char dir[sizeof run_dir + 16];
  char path[sizeof run_dir + 64]; /* sqlite: the embedded database file in dir */
} store_env;

/* How the contract tests reach an adapter. Adding an adapter means adding a row to factories[]
 * whose open calls mc_store_open with that adapter's URL (Mongo: present only when
 * MERCATO_TEST_MONGODB_URI is set, each env a fresh database name, dropped at the end). */
typedef struct store_factory {
  const char *name;
  /* Opens (or reopens) the store kept in env through mc_store_open; *out is the caller's. */
  int (*open)(const store_env *env, int busy_timeout_ms, mc_store **out);
  int (*latest_version)(void);
  /* Test back door: records in env's storage that its schema is at version, as a newer build
   * would have done. */
  void (*force_version)(const store_env *env, int version);
} store_factory;

/* ---- sqlite factory: the embedded default, the server's own options ---- */

static inline int sqlite_factory_open(const store_env *env, int busy_timeout_ms,
                                      mc_store **out) {
  mc_store_options opts = {.data_dir = env->dir, .url = "", .busy_timeout_ms = busy_timeout_ms};
  return mc_store_open(&opts, out);
}

/* A second handle onto the test's database file, as another program would open it. */
static inline sqlite3 *raw_open(const store_env *env) {
  sqlite3 *db = NULL;
  ck_assert_int_eq(sqlite3_open_v2(env->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  return db;
}

static inline void sqlite_factory_force_version(const store_env *env, int version) {
  sqlite3 *db = raw_open(env);
  sqlite3_stmt *stmt = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(db,
                                      "INSERT INTO schema_migrations (version, name, applied_at) "
                                      "VALUES (?1, 'from a newer build', 0)",
                                      -1, &stmt, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_bind_int(stmt, 1, version), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

static const store_factory factories[] = {
  {"sqlite", sqlite_factory_open, mc_store_sqlite_latest_version, sqlite_factory_force_version},
};
#define FACTORY_COUNT ((int)(sizeof factories / sizeof factories[0]))

/* ---- helpers ---- */

static mc_log_level saved_log_level;

/* For tests whose expected failure is logged as a warning or an error on purpose. */
static inline void logs_off(void) {
  saved_log_level = mc_log_get_level();
  mc_log_set_level((mc_log_level)(MC_LOG_ERROR + 1));
}

static inline void logs_on(void) {
  mc_log_set_level(saved_log_level);
}

static inline void env_init(store_env *env) {
  snprintf(env->dir, sizeof env->dir, "%s/t-XXXXXX", run_dir);
  ck_assert_ptr_nonnull(mkdtemp(env->dir));
  snprintf(env->path, sizeof env->path, "%s/mercato.db", env->dir);
}

static inline int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static inline void rm_tree(const char *dir) {
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline mc_store *open_fresh(const store_factory *f, store_env *env) {
  mc_store *st = NULL;
  env_init(env);
  ck_assert_int_eq(f->open(env, 5000, &st), MC_OK);
  ck_assert_ptr_nonnull(st);
  return st;
}

static inline void close_and_drop(mc_store *st, store_env *env) {
  mc_store_close(st);
  rm_tree(env->dir);
}

static inline const char *str_of(const json_t *doc, const char *key) {
  const char *s = json_string_value(json_object_get(doc, key));
  ck_assert_msg(s != NULL, "member %s is missing or not a string", key);
  return s;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ": RFC 3339, UTC, milliseconds. */
static inline void assert_rfc3339_ms(const char *s) {
  static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
  ck_assert_uint_eq(strlen(s), sizeof shape - 1);
  for (size_t i = 0; i < sizeof shape - 1; i++) {
    if (shape[i] == 'd') ck_assert_msg(s[i] >= '0' && s[i] <= '9', "%s is not RFC 3339", s);
    else ck_assert_msg(s[i] == shape[i], "%s is not RFC 3339", s);
  }
}

static inline void now_str(char out[MC_TIME_STR_MAX]) {
  ck_assert_int_eq(mc_time_format_ms(mc_now_ms(), out), MC_OK);
}

/* Lets the millisecond clock move on, so a later write's time differs from an earlier one's. */
static inline void tick(void) {
  struct timespec ts = {.tv_sec = 0, .tv_nsec = 3 * 1000 * 1000};
  nanosleep(&ts, NULL);
}

/* Returns a new string of n copies of c. */
static inline char *repeat(char c, size_t n) {
  char *s = malloc(n + 1);
  ck_assert_ptr_nonnull(s);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

/* Runs sql (constant) on a second handle; returns SQLite's result code. */
static inline int raw_exec(const store_env *env, const char *sql) {
  sqlite3 *db = raw_open(env);
  int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  return rc;
}

/* Runs suite (consumed) in a fresh run directory named after prefix, then removes it; returns
 * the process's exit status. */
static inline int store_contract_main(Suite *suite, const char *prefix) {
  const char *tmp = getenv("TMPDIR");
  SRunner *sr;
  int failed;

  if ((size_t)snprintf(run_dir, sizeof run_dir, "%s/%s-XXXXXX",
                       tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", prefix) >= sizeof run_dir ||
      mkdtemp(run_dir) == NULL) {
    perror("mkdtemp");
    return EXIT_FAILURE;
  }
  /* Store open logs one INFO line per migration; keep the test output readable. */
  mc_log_set_level(MC_LOG_WARN);
  sr = srunner_create(suite);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  rm_tree(run_dir);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
