/* test_store_sqlite.c - the sqlite adapter past the port: the store factory's choice of
 * adapter and file, and what only SQLite has (WAL, the file's mode, migrations, locks, the
 * tables' own rules, times as stored). The port's contract is in the other test_store files. */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/store.h"
#include "store_contract.h"
#include "store_users.h"

/* ---- the factory ---- */

/* Opens a store with the options given; asserts the result, and that *out is set exactly when
 * it is MC_OK. */
static mc_store *open_with(const char *data_dir, const char *url, int timeout_ms, int expected) {
  mc_store_options opts = {.data_dir = data_dir, .url = url, .busy_timeout_ms = timeout_ms};
  mc_store *st = (mc_store *)&opts; /* must be reset */
  if (expected != MC_OK) logs_off();
  ck_assert_int_eq(mc_store_open(&opts, &st), expected);
  if (expected != MC_OK) logs_on();
  if (expected == MC_OK) ck_assert_ptr_nonnull(st);
  else ck_assert_ptr_null(st);
  return expected == MC_OK ? st : NULL;
}

static int file_exists(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

START_TEST(factory_without_a_url_opens_the_embedded_file_in_the_data_dir) {
  store_env env;
  mc_store *st;
  int version = 0;
  env_init(&env);
  st = open_with(env.dir, "", 1000, MC_OK);
  ck_assert_str_eq(st->name, "sqlite");
  ck_assert(file_exists(env.path)); /* <data_dir>/mercato.db */
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_default"), MC_OK);
  mc_store_close(st);
  /* NULL is the same as "": the same file, its data kept. */
  st = open_with(env.dir, NULL, 1000, MC_OK);
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_default"), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_store_schema_version(st, &version), MC_OK);
  ck_assert_int_eq(version, mc_store_sqlite_latest_version());
  close_and_drop(st, &env);
}
END_TEST

START_TEST(factory_sqlite_url_names_the_file_absolute_or_relative) {
  store_env env;
  char url[sizeof env.dir + 96], file[sizeof env.dir + 64];
  mc_store *st;
  env_init(&env);
  /* sqlite:///abs/path: that file, whatever the data directory. */
  snprintf(file, sizeof file, "%s/elsewhere.db", env.dir);
  snprintf(url, sizeof url, "sqlite://%s", file);
  ck_assert_int_eq(env.dir[0], '/');
  st = open_with(NULL, url, 1000, MC_OK);
  ck_assert_str_eq(st->name, "sqlite");
  mc_store_close(st);
  ck_assert(file_exists(file));
  ck_assert(!file_exists(env.path));
  /* sqlite:rel/path: from the working directory. */
  ck_assert_int_eq(chdir(env.dir), 0);
  st = open_with("/nonexistent", "sqlite:relative.db", 1000, MC_OK);
  mc_store_close(st);
  snprintf(file, sizeof file, "%s/relative.db", env.dir);
  ck_assert(file_exists(file));
  rm_tree(env.dir);
}
END_TEST

START_TEST(factory_refuses_an_unsupported_url_without_logging_it) {
  static const char *const urls[] = {"mongodb://shop:s3cret-pw@db.example/mercato", "postgres://u:s3cret-pw@h/db",
                                     "sqlite://s3cret-pw@host/x.db", "sqlite:", "SQLITE:x.db",
                                     "file:x.db", "x.db"};
  char log_path[sizeof run_dir + 32], text[4096];
  FILE *fp;
  size_t n;
  int saved = dup(STDERR_FILENO);

  /* The log goes to stderr: catch it in a file. */
  snprintf(log_path, sizeof log_path, "%s/log-XXXXXX", run_dir);
  int fd = mkstemp(log_path);
  ck_assert_int_ge(fd, 0);
  fflush(stderr);
  ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
  for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
    mc_store_options opts = {.data_dir = run_dir, .url = urls[i], .busy_timeout_ms = 1000};
    mc_store *st = (mc_store *)&opts;
    ck_assert_msg(mc_store_open(&opts, &st) == MC_ERR_INVALID, "%s was accepted", urls[i]);
    ck_assert_ptr_null(st);
  }
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  fp = fopen(log_path, "r");
  ck_assert_ptr_nonnull(fp);
  n = fread(text, 1, sizeof text - 1, fp);
  text[n] = '\0';
  fclose(fp);
  /* Each refusal says what is supported, and no URL (nor its password) is ever written. */
  ck_assert_msg(strstr(text, "sqlite:///absolute/path") != NULL, "the log does not list the schemes: %s", text);
  ck_assert_msg(strstr(text, "s3cret") == NULL, "a URL was logged: %s", text);
  ck_assert_msg(strstr(text, "x.db") == NULL, "a URL was logged: %s", text);
}
END_TEST

START_TEST(factory_needs_a_data_dir_that_exists) {
  store_env env;
  char missing[sizeof env.dir + 32];
  env_init(&env);
  open_with(NULL, "", 1000, MC_ERR_INVALID);
  open_with("", NULL, 1000, MC_ERR_INVALID);
  /* The caller creates the directory (the server and mercato migrate do); the store does not. */
  snprintf(missing, sizeof missing, "%s/no/such/dir", env.dir);
  open_with(missing, "", 1000, MC_ERR_UNAVAILABLE);
  ck_assert(!file_exists(missing));
  rm_tree(env.dir);
}
END_TEST

START_TEST(factory_refuses_a_private_database_and_bad_options) {
  store_env env;
  mc_store *st = NULL;
  env_init(&env);
  /* ":memory:" would give each thread's connection its own empty database. */
  open_with(env.dir, "sqlite::memory:", 1000, MC_ERR_INVALID);
  open_with(env.dir, "", -1, MC_ERR_INVALID);
  logs_off();
  ck_assert_int_eq(mc_store_open(NULL, &st), MC_ERR_INVALID);
  ck_assert_ptr_null(st);
  ck_assert_int_eq(mc_store_open(&(mc_store_options){.data_dir = env.dir}, NULL), MC_ERR_INVALID);
  logs_on();
  ck_assert(!file_exists(env.path));
  rm_tree(env.dir);
}
END_TEST

/* ---- the database ---- */

START_TEST(sqlite_database_is_in_wal_mode) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  sqlite3 *db = raw_open(&env);
  sqlite3_stmt *stmt = NULL;
  ck_assert_str_eq(st->name, "sqlite");
  ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 0), "wal");
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_database_file_is_owner_only) {
  store_env env;
  struct stat sb;
  mode_t old = umask(0); /* the mode must not depend on the operator's umask */
  mc_store *st = open_fresh(&factories[0], &env);
  umask(old);
  ck_assert_int_eq(stat(env.path, &sb), 0);
  ck_assert_int_eq(sb.st_mode & 0777, 0600);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_migrations_are_recorded_with_their_time) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  sqlite3 *db = raw_open(&env);
  sqlite3_stmt *stmt = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(db,
                                      "SELECT count(*), min(version), max(version), "
                                      "min(applied_at) FROM schema_migrations",
                                      -1, &stmt, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(stmt, 0), mc_store_sqlite_latest_version());
  ck_assert_int_eq(sqlite3_column_int(stmt, 1), 1);
  ck_assert_int_eq(sqlite3_column_int(stmt, 2), mc_store_sqlite_latest_version());
  ck_assert_int_gt(sqlite3_column_int64(stmt, 3), INT64_C(1600000000000)); /* ms, not s */
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_writer_blocked_past_the_timeout_is_unavailable) {
  store_env env;
  mc_store *st = NULL;
  sqlite3 *db;
  env_init(&env);
  ck_assert_int_eq(factories[0].open(&env, 100, &st), MC_OK);
  /* Another program holds the write lock for longer than the store's busy timeout. */
  db = raw_open(&env);
  ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
  logs_off();
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_blocked"), MC_ERR_UNAVAILABLE);
  logs_on();
  ck_assert_int_eq(mc_store_ping(st), MC_OK); /* WAL: readers are not blocked by the writer */
  ck_assert_int_eq(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  /* Once the lock is gone the same call goes through: nothing was half-recorded. */
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_blocked"), MC_OK);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_file_that_is_not_a_database_is_refused) {
  store_env env;
  mc_store *st = NULL;
  FILE *fp;
  env_init(&env);
  fp = fopen(env.path, "wb");
  ck_assert_ptr_nonnull(fp);
  for (int i = 0; i < 64; i++) fputs("this is not an sqlite database file. ", fp);
  fclose(fp);
  logs_off();
  ck_assert_int_eq(factories[0].open(&env, 100, &st), MC_ERR_INTERNAL);
  logs_on();
  ck_assert_ptr_null(st);
  rm_tree(env.dir);
}
END_TEST

/* ---- the users table ---- */

START_TEST(sqlite_users_table_refuses_unknown_roles_and_loose_types) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  json_t *doc = user_doc("raw@example.com", "customer");
  char sql[256];
  json_t *created = user_create_ok(st, doc);
  static const char *const sets[] = {"role = 'root'", "status = 'banned'", "created_at = 'soon'",
                                     "name = NULL", "updated_at = 1.5"};

  /* Another writer (an operator's shell) meets the same rules as the adapter. */
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
    snprintf(sql, sizeof sql, "UPDATE users SET %s WHERE id = '%s'", sets[i], str_of(doc, "id"));
    ck_assert_msg((raw_exec(&env, sql) & 0xff) == SQLITE_CONSTRAINT, "%s was accepted", sets[i]);
  }
  {
    json_t *got = user_get_ok(st, str_of(doc, "id"));
    ck_assert(json_equal(got, created));
    json_decref(got);
  }
  json_decref(created);
  json_decref(doc);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_user_times_are_stored_in_ms_and_read_as_rfc3339) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  json_t *doc = user_doc("times@example.com", "customer");
  json_t *got;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  char sql[256];
  int64_t before = mc_now_ms();

  ck_assert_int_eq(mc_store_user_create(st, doc, NULL, NULL), MC_OK);
  db = raw_open(&env);
  ck_assert_int_eq(sqlite3_prepare_v2(db,
                                      "SELECT typeof(created_at), created_at, updated_at "
                                      "FROM users WHERE id = ?1",
                                      -1, &stmt, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_bind_text(stmt, 1, str_of(doc, "id"), -1, SQLITE_STATIC), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 0), "integer");
  ck_assert_int_ge(sqlite3_column_int64(stmt, 1), before);
  ck_assert_int_le(sqlite3_column_int64(stmt, 1), mc_now_ms());
  ck_assert_int_eq(sqlite3_column_int64(stmt, 2), sqlite3_column_int64(stmt, 1));
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);

  /* Known instants, including one before the epoch and a leap day. */
  snprintf(sql, sizeof sql,
           "UPDATE users SET created_at = 1795275046233, updated_at = -1 WHERE id = '%s'",
           str_of(doc, "id"));
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  got = user_get_ok(st, str_of(doc, "id"));
  ck_assert_str_eq(str_of(got, "created_at"), "2026-11-21T15:30:46.233Z");
  ck_assert_str_eq(str_of(got, "updated_at"), "1969-12-31T23:59:59.999Z");
  json_decref(got);
  snprintf(sql, sizeof sql, "UPDATE users SET created_at = 0, updated_at = 951825600007 "
           "WHERE id = '%s'", str_of(doc, "id"));
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  got = user_get_ok(st, str_of(doc, "id"));
  ck_assert_str_eq(str_of(got, "created_at"), "1970-01-01T00:00:00.000Z");
  ck_assert_str_eq(str_of(got, "updated_at"), "2000-02-29T12:00:00.007Z");
  json_decref(got);
  /* A time no RFC 3339 year can spell is a broken row, not a document. */
  snprintf(sql, sizeof sql, "UPDATE users SET created_at = 253402300800000 WHERE id = '%s'",
           str_of(doc, "id"));
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  got = (json_t *)st;
  logs_off();
  ck_assert_int_eq(mc_store_user_get(st, str_of(doc, "id"), &got), MC_ERR_INTERNAL);
  logs_on();
  ck_assert_ptr_null(got);
  json_decref(doc);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_updated_at_never_goes_back_when_the_clock_does) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  json_t *doc = user_doc("future@example.com", "customer");
  json_t *changes = json_pack("{s:s}", "name", "Later");
  json_t *after = NULL;
  char sql[256];

  ck_assert_int_eq(mc_store_user_create(st, doc, NULL, NULL), MC_OK);
  /* As if the last write happened on a clock that ran ahead and was then set back. */
  snprintf(sql, sizeof sql, "UPDATE users SET updated_at = 4102444800000 WHERE id = '%s'",
           str_of(doc, "id"));
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  ck_assert_int_eq(mc_store_user_update(st, str_of(doc, "id"), changes, &after, NULL), MC_OK);
  ck_assert_str_eq(str_of(after, "updated_at"), "2100-01-01T00:00:00.000Z");
  ck_assert_str_eq(str_of(after, "name"), "Later");
  json_decref(after);
  json_decref(changes);
  json_decref(doc);
  close_and_drop(st, &env);
}
END_TEST

static Suite *store_sqlite_suite(void) {
  Suite *s = suite_create("store_sqlite");
  TCase *factory = tcase_create("factory");
  TCase *sqlite = tcase_create("sqlite");

  tcase_add_test(factory, factory_without_a_url_opens_the_embedded_file_in_the_data_dir);
  tcase_add_test(factory, factory_sqlite_url_names_the_file_absolute_or_relative);
  tcase_add_test(factory, factory_refuses_an_unsupported_url_without_logging_it);
  tcase_add_test(factory, factory_needs_a_data_dir_that_exists);
  tcase_add_test(factory, factory_refuses_a_private_database_and_bad_options);
  suite_add_tcase(s, factory);

  tcase_add_test(sqlite, sqlite_database_is_in_wal_mode);
  tcase_add_test(sqlite, sqlite_database_file_is_owner_only);
  tcase_add_test(sqlite, sqlite_migrations_are_recorded_with_their_time);
  tcase_add_test(sqlite, sqlite_writer_blocked_past_the_timeout_is_unavailable);
  tcase_add_test(sqlite, sqlite_file_that_is_not_a_database_is_refused);
  tcase_add_test(sqlite, sqlite_users_table_refuses_unknown_roles_and_loose_types);
  tcase_add_test(sqlite, sqlite_user_times_are_stored_in_ms_and_read_as_rfc3339);
  tcase_add_test(sqlite, sqlite_updated_at_never_goes_back_when_the_clock_does);
  suite_add_tcase(s, sqlite);
  return s;
}

int main(void) {
  return store_contract_main(store_sqlite_suite(), "mercato-store-sqlite");
}
