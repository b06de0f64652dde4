/* users.c - the users aggregate of the sqlite adapter: one statement per operation, so that each
 * is atomic without a transaction. The user rules are rules/users.c's; the wrappers
 * (store_users.c) have checked every argument before a call gets here. */
#include <string.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/rules/users.h"
#include "mercato/store.h"

/* The columns of the canonical document, in the order user_from_row reads them: the members
 * of mc_user_fields in their order, then the times. */
#define USER_COLUMNS "id, email, name, role, status, password_hash, created_at, updated_at"

static const char *const sql_text[MC_SQL_COUNT] = {
  [MC_SQL_USER_INSERT] =
    "INSERT INTO users (id, email, name, role, status, password_hash, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING " USER_COLUMNS,
  [MC_SQL_USER_GET] = "SELECT " USER_COLUMNS " FROM users WHERE id = ?1",
  /* USER_COLUMNS with the hash left out (NULL in its place). */
  [MC_SQL_USER_GET_ACCOUNT] =
    "SELECT id, email, name, role, status, NULL, created_at, updated_at FROM users WHERE id = ?1",
  [MC_SQL_USER_GET_BY_EMAIL] = "SELECT " USER_COLUMNS " FROM users WHERE email = ?1",
  /* A parameter left unbound is NULL, so coalesce keeps that column: one statement applies any
   * subset of changes with no read-modify-write. max() keeps updated_at from going back when
   * the wall clock steps back. */
  [MC_SQL_USER_UPDATE] =
    "UPDATE users SET name = coalesce(?2, name), password_hash = coalesce(?3, password_hash), "
    "role = coalesce(?4, role), status = coalesce(?5, status), "
    "updated_at = max(?6, updated_at) WHERE id = ?1 RETURNING " USER_COLUMNS,
  [MC_SQL_USER_COUNT_BY_ROLE] = "SELECT count(*) FROM users WHERE role = ?1",
};

/* Each member's parameter in MC_SQL_USER_UPDATE (0: it cannot change); in the insert, a
 * member's parameter is its index + 1. */
static const int update_param[MC_USER_F_COUNT] = {
  [MC_USER_F_NAME] = 2, [MC_USER_F_PASSWORD_HASH] = 3, [MC_USER_F_ROLE] = 4, [MC_USER_F_STATUS] = 5,
};

/* Builds the canonical document from a row of USER_COLUMNS (without password_hash when
 * with_hash is 0, its column then NULL); *out is a new reference. */
static int user_row(sqlite3_stmt *stmt, int with_hash, json_t **out) {
  static const char *const times[] = {"created_at", "updated_at"};
  json_t *doc = json_object();
  char when[MC_TIME_STR_MAX];
  int err = MC_ERR_INTERNAL;

  *out = NULL;
  if (doc == NULL) goto done;
  for (int i = 0; i < MC_USER_F_COUNT; i++) {
    if (i == MC_USER_F_PASSWORD_HASH && !with_hash) continue;
    const unsigned char *text = sqlite3_column_text(stmt, i);
    int len = sqlite3_column_bytes(stmt, i); /* after column_text, so it counts the text form */

    if (text == NULL) { /* NULL (the schema forbids it) or out of memory */
      mc_error("store.sqlite", "read user: column %s could not be read", mc_user_fields[i].name);
      goto done;
    }
    /* json_stringn refuses bytes that are not UTF-8, which only another writer could store. */
    if (json_object_set_new(doc, mc_user_fields[i].name,
                            json_stringn((const char *)text, (size_t)len)) != 0) {
      mc_error("store.sqlite", "read user: column %s is not UTF-8 text", mc_user_fields[i].name);
      goto done;
    }
  }
  for (int i = 0; i < 2; i++) {
    if (mc_time_format_ms(sqlite3_column_int64(stmt, MC_USER_F_COUNT + i), when) != MC_OK ||
        json_object_set_new(doc, times[i], json_string(when)) != 0) {
      mc_error("store.sqlite", "read user: %s is out of range", times[i]);
      goto done;
    }
  }
  err = MC_OK;
done:
  if (err == MC_OK) *out = doc;
  else json_decref(doc);
  return err;
}

static int user_from_row(sqlite3_stmt *stmt, json_t **out) {
  return user_row(stmt, 1, out);
}

static int user_account_from_row(sqlite3_stmt *stmt, json_t **out) {
  return user_row(stmt, 0, out);
}

/* Binds each present value to its parameter in the insert (?1..?6, the fields' order) or the
 * update. SQLITE_STATIC: the values are the caller's document, which outlives the step, and
 * mc_sqlite_stmt_done unbinds them. */
static int user_bind(sqlite3_stmt *stmt, const mc_user_values *v, int for_update) {
  int rc = SQLITE_OK;

  for (int i = 0; i < MC_USER_F_COUNT && rc == SQLITE_OK; i++) {
    int param = for_update ? update_param[i] : i + 1;
    if (v->s[i] != NULL && param > 0)
      rc = sqlite3_bind_text(stmt, param, v->s[i], (int)v->len[i], SQLITE_STATIC);
  }
  return rc;
}

/* Says which key an insert found taken, from the constraint SQLite reported (the id is the
 * primary key, the email a unique column). Reads db's error state: call it right after. */
static int user_conflict(sqlite3 *db, mc_refusal *why) {
  if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY)
    return mc_refuse(why, MC_ERR_CONFLICT, "conflict", "id", "A user with this id already exists.");
  return mc_refuse(why, MC_ERR_CONFLICT, "email_taken", "email", "An account with this email address already exists.");
}

static int user_create(mc_store *st, const json_t *user, json_t **out, mc_refusal *why) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  mc_user_values v;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  if ((err = mc_user_doc_read(user, MC_USER_DOC_CREATE, &v, why)) != MC_OK) return err;
  err = mc_sqlite_stmt_get(st, MC_SQL_USER_INSERT, sql_text[MC_SQL_USER_INSERT], &db, &stmt);
  if (err != MC_OK) return err;
  rc = user_bind(stmt, &v, 0);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 7, mc_now_ms());
  if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, "user create: bind");
  else err = mc_sqlite_write_returning(db, stmt, user_from_row, "user create", out);
  if (err == MC_ERR_CONFLICT) user_conflict(db, why);
  /* An insert that finished always returns its row. */
  if (err == MC_ERR_NOT_FOUND) err = MC_ERR_INTERNAL;
  mc_sqlite_stmt_done(stmt);
  return err;
}

static int user_get(mc_store *st, const char *id, json_t **out) {
  return mc_sqlite_get_one(st, MC_SQL_USER_GET, sql_text[MC_SQL_USER_GET], id, MC_ID_MAX - 1, user_from_row,
                           "user get", out);
}

static int user_get_account(mc_store *st, const char *id, json_t **out) {
  return mc_sqlite_get_one(st, MC_SQL_USER_GET_ACCOUNT, sql_text[MC_SQL_USER_GET_ACCOUNT], id, MC_ID_MAX - 1,
                           user_account_from_row, "user get", out);
}

static int user_get_by_email(mc_store *st, const char *email, json_t **out) {
  return mc_sqlite_get_one(st, MC_SQL_USER_GET_BY_EMAIL, sql_text[MC_SQL_USER_GET_BY_EMAIL], email,
                           MC_USER_EMAIL_MAX, user_from_row, "user get", out);
}

static int user_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  mc_user_values v;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  if ((err = mc_user_doc_read(changes, MC_USER_DOC_UPDATE, &v, why)) != MC_OK) return err;
  err = mc_sqlite_stmt_get(st, MC_SQL_USER_UPDATE, sql_text[MC_SQL_USER_UPDATE], &db, &stmt);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = user_bind(stmt, &v, 1);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 6, mc_now_ms());
  if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, "user update: bind");
  else err = mc_sqlite_write_returning(db, stmt, user_from_row, "user update", out);
  mc_sqlite_stmt_done(stmt);
  return err;
}

static int user_count_by_role(mc_store *st, const char *role, int64_t *out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err;
  int rc;

  *out = 0;
  err = mc_sqlite_stmt_get(st, MC_SQL_USER_COUNT_BY_ROLE, sql_text[MC_SQL_USER_COUNT_BY_ROLE], &db, &stmt);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, role, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 0);
  else err = mc_sqlite_status(db, rc, "user count by role");
  mc_sqlite_stmt_done(stmt);
  return err;
}

const mc_store_user_ops mc_sqlite_user_ops = {
  .create = user_create,
  .get = user_get,
  .get_by_email = user_get_by_email,
  .get_account = user_get_account,
  .update = user_update,
  .count_by_role = user_count_by_role,
};
