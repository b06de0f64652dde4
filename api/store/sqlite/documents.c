/* documents.c - catalog documents in the sqlite adapter: strict reading of the members an
 * aggregate accepts (from its table of fields), binding them, and building documents from rows. */
#include <string.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/log.h"

int mc_sqlite_slug_valid(const char *s, size_t len) {
  if (len == 0 || len > 100) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return 0;
  }
  return 1;
}

int mc_sqlite_key_ok(const char *key, size_t max, size_t *len) {
  *len = key != NULL ? strnlen(key, max + 1) : 0;
  return *len >= 1 && *len <= max;
}

int mc_sqlite_read_one(mc_store *st, mc_sqlite_sql id, const char *sql, const char *key, size_t key_max,
                       int (*read)(sqlite3_stmt *stmt, void *arg), void *arg, const char *what) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  size_t len;
  int err, rc;

  if (key == NULL) return MC_ERR_INVALID;
  if (!mc_sqlite_key_ok(key, key_max, &len)) return MC_ERR_NOT_FOUND;
  if ((err = mc_sqlite_stmt_get(st, id, sql, &db, &stmt)) != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, key, (int)len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) err = read(stmt, arg);
  else if (rc == SQLITE_DONE) err = MC_ERR_NOT_FOUND;
  else err = mc_sqlite_status(db, rc, what);
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* mc_sqlite_get_one's reader: from_row into out. */
typedef struct doc_reader {
  int (*from_row)(sqlite3_stmt *stmt, json_t **out);
  json_t **out;
} doc_reader;

static int read_doc(sqlite3_stmt *stmt, void *arg) {
  const doc_reader *r = arg;
  return r->from_row(stmt, r->out);
}

int mc_sqlite_get_one(mc_store *st, mc_sqlite_sql id, const char *sql, const char *key, size_t key_max,
                      int (*from_row)(sqlite3_stmt *stmt, json_t **out), const char *what, json_t **out) {
  doc_reader r = {from_row, out};

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  return mc_sqlite_read_one(st, id, sql, key, key_max, read_doc, &r, what);
}

int mc_sqlite_write_returning(sqlite3 *db, sqlite3_stmt *stmt, int (*from_row)(sqlite3_stmt *stmt, json_t **out),
                              const char *what, json_t **out) {
  json_t *doc = NULL;
  int rc = sqlite3_step(stmt);
  int err = MC_OK;

  if (rc == SQLITE_DONE) return MC_ERR_NOT_FOUND;
  if (rc != SQLITE_ROW) return mc_sqlite_write_status(db, rc, what);
  if (out != NULL) err = from_row(stmt, &doc);
  rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    json_decref(doc);
    return mc_sqlite_write_status(db, rc, what);
  }
  if (out != NULL) *out = doc;
  return err;
}

static int has_control(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f) return 1;
  }
  return 0;
}

/* Checks one member's value against its field and fills *v. */
static int value_read(const mc_sqlite_field *f, const json_t *value, mc_sqlite_value *v) {
  v->json = value;
  if (json_is_null(value)) return (f->flags & MC_SQLITE_NULLABLE) != 0;
  switch (f->kind) {
  case MC_SQLITE_TEXT:
    v->s = json_string_value(value);
    v->len = json_string_length(value);
    if (v->s == NULL || (int64_t)v->len < f->min || (int64_t)v->len > f->max) return 0;
    if (strlen(v->s) != v->len) return 0; /* a NUL inside */
    if ((f->flags & MC_SQLITE_SINGLE_LINE) && has_control(v->s, v->len)) return 0;
    if (f->max_chars > 0 && mc_utf8_count(v->s, v->len) > (size_t)f->max_chars) return 0; /* jansson: UTF-8 */
    return f->valid == NULL || f->valid(v->s, v->len);
  case MC_SQLITE_INT:
    if (!json_is_integer(value)) return 0;
    v->i = json_integer_value(value);
    return v->i >= f->min && v->i <= f->max;
  case MC_SQLITE_BOOL:
    if (!json_is_boolean(value)) return 0;
    v->i = json_is_true(value);
    return 1;
  case MC_SQLITE_ANY:
    return 1;
  }
  return 0;
}

int mc_sqlite_doc_read(const json_t *doc, const mc_sqlite_field *fields, int n, int for_update,
                       const char *what, mc_sqlite_value *v) {
  const char *key;
  json_t *value;

  if (n > MC_SQLITE_FIELDS_MAX) return MC_ERR_INTERNAL;
  memset(v, 0, sizeof *v * (size_t)n);
  if (!json_is_object(doc)) {
    mc_debug("store.sqlite", "%s: the document is not an object", what);
    return MC_ERR_INVALID;
  }
  if (for_update && json_object_size(doc) == 0) {
    mc_debug("store.sqlite", "%s: no changes", what);
    return MC_ERR_INVALID;
  }
  /* jansson's iteration reads only; the cast is for its non-const API. */
  json_object_foreach((json_t *)doc, key, value) {
    const mc_sqlite_field *f;
    int i = 0;

    while (i < n && strcmp(fields[i].name, key) != 0) i++;
    f = i < n ? &fields[i] : NULL;
    if (f == NULL || (for_update && !(f->flags & MC_SQLITE_UPDATABLE))) {
      mc_debug("store.sqlite", "%s: a member that is not allowed (%s)", what,
               f != NULL ? f->name : "unknown");
      return MC_ERR_INVALID;
    }
    if (!value_read(f, value, &v[i])) {
      mc_debug("store.sqlite", "%s: %s is not a valid value", what, f->name);
      return MC_ERR_INVALID;
    }
  }
  for (int i = 0; i < n && !for_update; i++) {
    if ((fields[i].flags & MC_SQLITE_REQUIRED) && v[i].json == NULL) {
      mc_debug("store.sqlite", "%s: %s is missing", what, fields[i].name);
      return MC_ERR_INVALID;
    }
  }
  return MC_OK;
}

int mc_sqlite_doc_bind(sqlite3_stmt *stmt, const mc_sqlite_field *fields, int n,
                       const mc_sqlite_value *v, int for_update) {
  int rc = SQLITE_OK;

  for (int i = 0; i < n && rc == SQLITE_OK; i++) {
    const mc_sqlite_field *f = &fields[i];
    int param = for_update ? f->update_param : f->insert_param;

    if (v[i].json == NULL || param == 0 || f->kind == MC_SQLITE_ANY) continue;
    if (for_update && f->update_flag > 0) rc = sqlite3_bind_int(stmt, f->update_flag, 1);
    if (rc != SQLITE_OK) break;
    if (json_is_null(v[i].json)) rc = sqlite3_bind_null(stmt, param);
    else if (f->kind == MC_SQLITE_TEXT)
      rc = sqlite3_bind_text(stmt, param, v[i].s, (int)v[i].len, SQLITE_STATIC);
    else rc = sqlite3_bind_int64(stmt, param, v[i].i);
  }
  return rc;
}

/* Column col of the current row as a new value (*out); 0 when no document can hold it. */
static int column_value(sqlite3_stmt *stmt, int col, mc_sqlite_col_kind kind, json_t **out) {
  char when[MC_TIME_STR_MAX];
  const char *text;
  int len;

  *out = NULL;
  if (sqlite3_column_type(stmt, col) == SQLITE_NULL && kind != MC_SQLITE_COL_TIME) {
    *out = json_null();
    return 1;
  }
  switch (kind) {
  case MC_SQLITE_COL_TEXT:
  case MC_SQLITE_COL_JSON:
    text = (const char *)sqlite3_column_text(stmt, col);
    len = sqlite3_column_bytes(stmt, col); /* after column_text, so it counts the text form */
    if (text == NULL) return 0;
    /* json_stringn refuses bytes that are not UTF-8, which only another writer could store. */
    if (kind == MC_SQLITE_COL_TEXT) *out = json_stringn(text, (size_t)len);
    else *out = json_loadb(text, (size_t)len, 0, NULL);
    break;
  case MC_SQLITE_COL_INT:
    *out = json_integer(sqlite3_column_int64(stmt, col));
    break;
  case MC_SQLITE_COL_BOOL:
    *out = json_boolean(sqlite3_column_int64(stmt, col) != 0);
    break;
  case MC_SQLITE_COL_TIME:
    if (sqlite3_column_type(stmt, col) != SQLITE_INTEGER ||
        mc_time_format_ms(sqlite3_column_int64(stmt, col), when) != MC_OK)
      return 0;
    *out = json_string(when);
    break;
  }
  return *out != NULL;
}

int mc_sqlite_row_doc(sqlite3_stmt *stmt, int first, const mc_sqlite_column *cols, int n,
                      const char *what, json_t **out) {
  json_t *doc = json_object();
  int err = MC_ERR_INTERNAL;

  *out = NULL;
  if (doc == NULL) goto done;
  for (int i = 0; i < n; i++) {
    json_t *value;
    if (!column_value(stmt, first + i, cols[i].kind, &value) ||
        json_object_set_new(doc, cols[i].name, value) != 0) {
      mc_error("store.sqlite", "%s: column %s could not be read", what, cols[i].name);
      goto done;
    }
  }
  err = MC_OK;
done:
  if (err == MC_OK) *out = doc;
  else json_decref(doc);
  return err;
}
