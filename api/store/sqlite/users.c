/* users.c - the users aggregate of the sqlite adapter: strict checks of the documents the port
 * accepts, and one statement per operation, so that each is atomic without a transaction. */
#include <string.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/store.h"

/* Longest accepted values, in bytes. 254 is the longest address SMTP can deliver to. */
#define USER_EMAIL_MAX 254
#define USER_NAME_MAX 800 /* 200 characters of up to 4 bytes each */
#define USER_PASSWORD_HASH_MAX 512
#define USER_ID_MAX (MC_ID_MAX - 1)

/* The columns of the canonical document, in the order user_from_row reads them. */
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

static int role_valid(const char *s) {
  return strcmp(s, "customer") == 0 || strcmp(s, "admin") == 0;
}

static int status_valid(const char *s) {
  return strcmp(s, "active") == 0 || strcmp(s, "disabled") == 0;
}

static int id_valid(const char *s) {
  return mc_id_valid(s, "usr");
}

/* The members of a user document. Their order is the insert's parameter order (?1..?6). */
enum {
  USER_F_ID,
  USER_F_EMAIL,
  USER_F_NAME,
  USER_F_ROLE,
  USER_F_STATUS,
  USER_F_HASH,
  USER_F_COUNT
};

typedef struct user_field {
  const char *name;
  size_t max_len;              /* values are 1..max_len bytes */
  int (*valid)(const char *s); /* a further rule, or NULL */
  int update_param;            /* its parameter in MC_SQL_USER_UPDATE; 0: it cannot change */
} user_field;

static const user_field user_fields[USER_F_COUNT] = {
  [USER_F_ID] = {"id", USER_ID_MAX, id_valid, 0},
  [USER_F_EMAIL] = {"email", USER_EMAIL_MAX, NULL, 0},
  [USER_F_NAME] = {"name", USER_NAME_MAX, NULL, 2},
  [USER_F_ROLE] = {"role", sizeof "customer" - 1, role_valid, 4},
  [USER_F_STATUS] = {"status", sizeof "disabled" - 1, status_valid, 5},
  [USER_F_HASH] = {"password_hash", USER_PASSWORD_HASH_MAX, NULL, 3},
};

/* The members of one document, borrowed from it; NULL where absent. */
typedef struct user_values {
  const char *s[USER_F_COUNT];
  size_t len[USER_F_COUNT];
  int count;
} user_values;

static int field_index(const char *name) {
  for (int i = 0; i < USER_F_COUNT; i++)
    if (strcmp(user_fields[i].name, name) == 0) return i;
  return -1;
}

/* Reads doc's members into v (borrowing doc's strings), or returns MC_ERR_INVALID: doc must be
 * an object whose every member is a field allowed here (for_update: one that can change) with a
 * string value of 1..max_len bytes, no NUL inside, that passes the field's rule. what names the
 * operation in the debug line, which names the field but never echoes a value or an unknown
 * member's name (both come from outside). */
static int user_values_read(const json_t *doc, int for_update, const char *what, user_values *v) {
  const char *key;
  json_t *value;

  memset(v, 0, sizeof *v);
  if (!json_is_object(doc)) {
    mc_debug("store.sqlite", "%s: the document is not an object", what);
    return MC_ERR_INVALID;
  }
  /* jansson's iteration reads only; the cast is for its non-const API. */
  json_object_foreach((json_t *)doc, key, value) {
    int i = field_index(key);
    const user_field *f = i >= 0 ? &user_fields[i] : NULL;
    const char *s;
    size_t len;

    if (f == NULL || (for_update && f->update_param == 0)) {
      mc_debug("store.sqlite", "%s: a member that is not allowed (%s)", what,
               f != NULL ? f->name : "unknown");
      return MC_ERR_INVALID;
    }
    s = json_string_value(value);
    len = json_string_length(value);
    if (s == NULL || len == 0 || len > f->max_len || strlen(s) != len ||
        (f->valid != NULL && !f->valid(s))) {
      mc_debug("store.sqlite", "%s: %s is not a valid value", what, f->name);
      return MC_ERR_INVALID;
    }
    v->s[i] = s;
    v->len[i] = len;
    v->count++;
  }
  return MC_OK;
}

/* Builds the canonical document from a row of USER_COLUMNS (without password_hash when
 * with_hash is 0, its column then NULL); *out is a new reference. */
static int user_row(sqlite3_stmt *stmt, int with_hash, json_t **out) {
  static const char *const times[] = {"created_at", "updated_at"};
  json_t *doc = json_object();
  char when[MC_TIME_STR_MAX];
  int err = MC_ERR_INTERNAL;

  *out = NULL;
  if (doc == NULL) goto done;
  for (int i = 0; i < USER_F_COUNT; i++) {
    if (i == USER_F_HASH && !with_hash) continue;
    const unsigned char *text = sqlite3_column_text(stmt, i);
    int len = sqlite3_column_bytes(stmt, i); /* after column_text, so it counts the text form */

    if (text == NULL) { /* NULL (the schema forbids it) or out of memory */
      mc_error("store.sqlite", "read user: column %s could not be read", user_fields[i].name);
      goto done;
    }
    /* json_stringn refuses bytes that are not UTF-8, which only another writer could store. */
    if (json_object_set_new(doc, user_fields[i].name,
                            json_stringn((const char *)text, (size_t)len)) != 0) {
      mc_error("store.sqlite", "read user: column %s is not UTF-8 text", user_fields[i].name);
      goto done;
    }
  }
  for (int i = 0; i < 2; i++) {
    if (mc_time_format_ms(sqlite3_column_int64(stmt, USER_F_COUNT + i), when) != MC_OK ||
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
static int user_bind(sqlite3_stmt *stmt, const user_values *v, int for_update) {
  int rc = SQLITE_OK;

  for (int i = 0; i < USER_F_COUNT && rc == SQLITE_OK; i++) {
    int param = for_update ? user_fields[i].update_param : i + 1;
    if (v->s[i] != NULL && param > 0)
      rc = sqlite3_bind_text(stmt, param, v->s[i], (int)v->len[i], SQLITE_STATIC);
  }
  return rc;
}

int mc_sqlite_user_create(mc_store *st, const json_t *user, json_t **out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  user_values v;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  err = user_values_read(user, 0, "user create", &v);
  if (err != MC_OK) return err;
  if (v.count != USER_F_COUNT) {
    mc_debug("store.sqlite", "user create: a required member is missing");
    return MC_ERR_INVALID;
  }
  err = mc_sqlite_stmt_get(st, MC_SQL_USER_INSERT, sql_text[MC_SQL_USER_INSERT], &db, &stmt);
  if (err != MC_OK) return err;
  rc = user_bind(stmt, &v, 0);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 7, mc_now_ms());
  if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, "user create: bind");
  else err = mc_sqlite_write_returning(db, stmt, user_from_row, "user create", out);
  /* An insert that finished always returns its row. */
  if (err == MC_ERR_NOT_FOUND) err = MC_ERR_INTERNAL;
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* A key longer than any stored one cannot match, so it is not looked up. */
static int user_get_by(mc_store *st, mc_sqlite_sql id, const char *key, size_t key_max, json_t **out) {
  return mc_sqlite_get_one(st, id, sql_text[id], key, key_max, user_from_row, "user get", out);
}

int mc_sqlite_user_get(mc_store *st, const char *id, json_t **out) {
  return user_get_by(st, MC_SQL_USER_GET, id, USER_ID_MAX, out);
}

int mc_sqlite_user_get_account(mc_store *st, const char *id, json_t **out) {
  return mc_sqlite_get_one(st, MC_SQL_USER_GET_ACCOUNT, sql_text[MC_SQL_USER_GET_ACCOUNT], id, USER_ID_MAX,
                           user_account_from_row, "user get", out);
}

int mc_sqlite_user_get_by_email(mc_store *st, const char *email, json_t **out) {
  return user_get_by(st, MC_SQL_USER_GET_BY_EMAIL, email, USER_EMAIL_MAX, out);
}

int mc_sqlite_user_update(mc_store *st, const char *id, const json_t *changes, json_t **out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  user_values v;
  size_t id_len;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  if (id == NULL) return MC_ERR_INVALID;
  err = user_values_read(changes, 1, "user update", &v);
  if (err != MC_OK) return err;
  if (v.count == 0) {
    mc_debug("store.sqlite", "user update: no changes");
    return MC_ERR_INVALID;
  }
  id_len = strnlen(id, USER_ID_MAX + 1);
  if (id_len == 0 || id_len > USER_ID_MAX) return MC_ERR_NOT_FOUND;
  err = mc_sqlite_stmt_get(st, MC_SQL_USER_UPDATE, sql_text[MC_SQL_USER_UPDATE], &db, &stmt);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = user_bind(stmt, &v, 1);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 6, mc_now_ms());
  if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, "user update: bind");
  else err = mc_sqlite_write_returning(db, stmt, user_from_row, "user update", out);
  mc_sqlite_stmt_done(stmt);
  return err;
}

int mc_sqlite_user_count_by_role(mc_store *st, const char *role, int64_t *out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err;
  int rc;

  if (out == NULL) return MC_ERR_INVALID;
  *out = 0;
  if (role == NULL || !role_valid(role)) return MC_ERR_INVALID;
  err = mc_sqlite_stmt_get(st, MC_SQL_USER_COUNT_BY_ROLE, sql_text[MC_SQL_USER_COUNT_BY_ROLE],
                           &db, &stmt);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, role, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 0);
  else err = mc_sqlite_status(db, rc, "user count by role");
  mc_sqlite_stmt_done(stmt);
  return err;
}
