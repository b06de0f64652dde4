/* categories.c - the categories aggregate of the sqlite adapter: strict checks of the documents
 * the port accepts, one-level nesting (kept by the schema's triggers), and guarded deletes. */
#include <string.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/store.h"

#define CATEGORY_ID_MAX (MC_ID_MAX - 1)

/* The columns of the canonical document, in the order of category_columns below. */
#define CATEGORY_COLUMNS \
  "id, name, slug, description, parent_id, position, created_at, updated_at"

static const char *const sql_text[MC_SQL_COUNT] = {
  [MC_SQL_CATEGORY_INSERT] =
    "INSERT INTO categories (id, name, slug, description, parent_id, position, created_at, "
    "updated_at) VALUES (?1, ?2, ?3, coalesce(?4, ''), ?5, coalesce(?6, 0), ?8, ?8) "
    "RETURNING " CATEGORY_COLUMNS,
  [MC_SQL_CATEGORY_GET] = "SELECT " CATEGORY_COLUMNS " FROM categories WHERE id = ?1",
  [MC_SQL_CATEGORY_GET_BY_SLUG] = "SELECT " CATEGORY_COLUMNS " FROM categories WHERE slug = ?1",
  [MC_SQL_CATEGORY_LIST] =
    "SELECT " CATEGORY_COLUMNS " FROM categories ORDER BY position, name, id",
  /* Unbound parameters are NULL: coalesce keeps the column, and parent_id (which may be set
   * to null) changes only when its flag ?7 is bound. */
  [MC_SQL_CATEGORY_UPDATE] =
    "UPDATE categories SET name = coalesce(?2, name), slug = coalesce(?3, slug), "
    "description = coalesce(?4, description), "
    "parent_id = CASE WHEN ?7 THEN ?5 ELSE parent_id END, "
    "position = coalesce(?6, position), updated_at = max(?8, updated_at) "
    "WHERE id = ?1 RETURNING " CATEGORY_COLUMNS,
  [MC_SQL_CATEGORY_USAGE] =
    "SELECT (SELECT count(*) FROM product_categories WHERE category_id = ?1), "
    "(SELECT count(*) FROM categories WHERE parent_id = ?1) FROM categories WHERE id = ?1",
  [MC_SQL_CATEGORY_DELETE] = "DELETE FROM categories WHERE id = ?1",
};

static int category_id_valid(const char *s, size_t len) {
  (void)len;
  return mc_id_valid(s, "cat");
}

/* The members of a category document: insert parameters ?1..?6, update ?2..?6 (?1 the id,
 * ?7 the parent flag), ?8 the time. */
enum { CAT_F_ID, CAT_F_NAME, CAT_F_SLUG, CAT_F_DESCRIPTION, CAT_F_PARENT, CAT_F_POSITION,
       CAT_F_COUNT };

static const mc_sqlite_field category_fields[CAT_F_COUNT] = {
  [CAT_F_ID] = {.name = "id", .kind = MC_SQLITE_TEXT, .flags = MC_SQLITE_REQUIRED, .min = 1,
                .max = CATEGORY_ID_MAX, .valid = category_id_valid, .insert_param = 1},
  [CAT_F_NAME] = {.name = "name", .kind = MC_SQLITE_TEXT,
                  .flags = MC_SQLITE_REQUIRED | MC_SQLITE_UPDATABLE | MC_SQLITE_SINGLE_LINE,
                  .min = 1, .max = 800, .max_chars = 200, .insert_param = 2, .update_param = 2},
  [CAT_F_SLUG] = {.name = "slug", .kind = MC_SQLITE_TEXT,
                  .flags = MC_SQLITE_REQUIRED | MC_SQLITE_UPDATABLE, .min = 1, .max = 100,
                  .valid = mc_sqlite_slug_valid, .insert_param = 3, .update_param = 3},
  [CAT_F_DESCRIPTION] = {.name = "description", .kind = MC_SQLITE_TEXT,
                         .flags = MC_SQLITE_UPDATABLE, .min = 0, .max = 10000,
                         .insert_param = 4, .update_param = 4},
  [CAT_F_PARENT] = {.name = "parent_id", .kind = MC_SQLITE_TEXT,
                    .flags = MC_SQLITE_UPDATABLE | MC_SQLITE_NULLABLE, .min = 1,
                    .max = CATEGORY_ID_MAX, .valid = category_id_valid, .insert_param = 5,
                    .update_param = 5, .update_flag = 7},
  [CAT_F_POSITION] = {.name = "position", .kind = MC_SQLITE_INT, .flags = MC_SQLITE_UPDATABLE,
                      .min = 0, .max = 1000000000, .insert_param = 6, .update_param = 6},
};

static const mc_sqlite_column category_columns[] = {
  {"id", MC_SQLITE_COL_TEXT},          {"name", MC_SQLITE_COL_TEXT},
  {"slug", MC_SQLITE_COL_TEXT},        {"description", MC_SQLITE_COL_TEXT},
  {"parent_id", MC_SQLITE_COL_TEXT},   {"position", MC_SQLITE_COL_INT},
  {"created_at", MC_SQLITE_COL_TIME},  {"updated_at", MC_SQLITE_COL_TIME},
};
#define CATEGORY_COLUMN_COUNT ((int)(sizeof category_columns / sizeof category_columns[0]))

static int category_from_row(sqlite3_stmt *stmt, json_t **out) {
  return mc_sqlite_row_doc(stmt, 0, category_columns, CATEGORY_COLUMN_COUNT, "read category",
                           out);
}

static int stmt_get(mc_store *st, mc_sqlite_sql id, sqlite3 **db, sqlite3_stmt **out) {
  return mc_sqlite_stmt_get(st, id, sql_text[id], db, out);
}

/* The parent rules (it exists, has no parent, is not the category itself; a category with
 * children gets no parent) are the schema's: a foreign key, a CHECK and two triggers, so one
 * statement applies them atomically and they hold for every writer. Their failures are
 * constraint errors, hence MC_ERR_INVALID. */
int mc_sqlite_category_create(mc_store *st, const json_t *category, json_t **out) {
  mc_sqlite_value v[CAT_F_COUNT];
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  err = mc_sqlite_doc_read(category, category_fields, CAT_F_COUNT, 0, "category create", v);
  if (err != MC_OK) return err;
  err = stmt_get(st, MC_SQL_CATEGORY_INSERT, &db, &stmt);
  if (err != MC_OK) return err;
  rc = mc_sqlite_doc_bind(stmt, category_fields, CAT_F_COUNT, v, 0);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 8, mc_now_ms());
  if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, "category create: bind");
  else err = mc_sqlite_write_returning(db, stmt, category_from_row, "category create", out);
  if (err == MC_ERR_NOT_FOUND) err = MC_ERR_INTERNAL; /* an insert returns its row */
  mc_sqlite_stmt_done(stmt);
  return err;
}

int mc_sqlite_category_get(mc_store *st, const char *id, json_t **out) {
  return mc_sqlite_get_one(st, MC_SQL_CATEGORY_GET, sql_text[MC_SQL_CATEGORY_GET], id, CATEGORY_ID_MAX,
                           category_from_row, "category get", out);
}

int mc_sqlite_category_get_by_slug(mc_store *st, const char *slug, json_t **out) {
  return mc_sqlite_get_one(st, MC_SQL_CATEGORY_GET_BY_SLUG, sql_text[MC_SQL_CATEGORY_GET_BY_SLUG], slug, 100,
                           category_from_row, "category get", out);
}

int mc_sqlite_category_list(mc_store *st, json_t **out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  json_t *list = NULL;
  int err;
  int rc;

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  err = stmt_get(st, MC_SQL_CATEGORY_LIST, &db, &stmt);
  if (err != MC_OK) return err;
  list = json_array();
  if (list == NULL) {
    err = MC_ERR_INTERNAL;
    goto done;
  }
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    json_t *doc;
    err = category_from_row(stmt, &doc);
    if (err != MC_OK) goto done;
    if (json_array_append_new(list, doc) != 0) {
      err = MC_ERR_INTERNAL;
      goto done;
    }
  }
  if (rc != SQLITE_DONE) err = mc_sqlite_status(db, rc, "category list");
done:
  mc_sqlite_stmt_done(stmt);
  if (err == MC_OK) *out = list;
  else json_decref(list);
  return err;
}

int mc_sqlite_category_update(mc_store *st, const char *id, const json_t *changes,
                              json_t **out) {
  mc_sqlite_value v[CAT_F_COUNT];
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  size_t id_len;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  if (id == NULL) return MC_ERR_INVALID;
  err = mc_sqlite_doc_read(changes, category_fields, CAT_F_COUNT, 1, "category update", v);
  if (err != MC_OK) return err;
  if (!mc_sqlite_key_ok(id, CATEGORY_ID_MAX, &id_len)) return MC_ERR_NOT_FOUND;
  err = stmt_get(st, MC_SQL_CATEGORY_UPDATE, &db, &stmt);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = mc_sqlite_doc_bind(stmt, category_fields, CAT_F_COUNT, v, 1);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 8, mc_now_ms());
  if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, "category update: bind");
  else err = mc_sqlite_write_returning(db, stmt, category_from_row, "category update", out);
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Counts and deletes in one write transaction, so no product or child can arrive between
 * the check and the delete. */
int mc_sqlite_category_delete(mc_store *st, const char *id, int64_t *out_products,
                              int64_t *out_children) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int64_t products = 0, children = 0;
  size_t id_len;
  int err;
  int rc;

  if (out_products != NULL) *out_products = 0;
  if (out_children != NULL) *out_children = 0;
  if (id == NULL) return MC_ERR_INVALID;
  if (!mc_sqlite_key_ok(id, CATEGORY_ID_MAX, &id_len)) return MC_ERR_NOT_FOUND;
  err = mc_sqlite_tx_begin_write(st, &db);
  if (err != MC_OK) return err;
  err = stmt_get(st, MC_SQL_CATEGORY_USAGE, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    products = sqlite3_column_int64(stmt, 0);
    children = sqlite3_column_int64(stmt, 1);
  } else {
    err = rc == SQLITE_DONE ? MC_ERR_NOT_FOUND : mc_sqlite_status(db, rc, "category usage");
    goto done;
  }
  mc_sqlite_stmt_done(stmt);
  stmt = NULL;
  if (products > 0 || children > 0) {
    mc_debug("store.sqlite", "category delete: %s is in use (%lld products, %lld children)", id,
             (long long)products, (long long)children);
    err = MC_ERR_CONFLICT;
    goto done;
  }
  err = stmt_get(st, MC_SQL_CATEGORY_DELETE, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  err = rc == SQLITE_OK ? mc_sqlite_exec_stmt(db, stmt, "category delete")
                        : mc_sqlite_status(db, rc, "category delete: bind");
done:
  mc_sqlite_stmt_done(stmt);
  err = mc_sqlite_tx_end(st, err);
  if (err == MC_ERR_CONFLICT) {
    if (out_products != NULL) *out_products = products;
    if (out_children != NULL) *out_children = children;
  }
  return err;
}
