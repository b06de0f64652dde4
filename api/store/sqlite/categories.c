/* categories.c - the categories aggregate of the sqlite adapter: writes that apply the catalog
 * rules' checks and decisions (the parent, whether a category may go) inside one transaction
 * with the rows they read. */
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

/* The members of a category document (mc_category_spec's order): insert parameters ?1..?6,
 * update ?2..?6 (?1 the id, ?7 the parent flag), ?8 the time. */
#define CAT_F_COUNT MC_CATEGORY_F_COUNT
static const mc_sqlite_field category_fields[CAT_F_COUNT] = {
  [MC_CATEGORY_F_ID] = {.spec = &mc_category_spec[MC_CATEGORY_F_ID], .insert_param = 1},
  [MC_CATEGORY_F_NAME] = {.spec = &mc_category_spec[MC_CATEGORY_F_NAME], .insert_param = 2, .update_param = 2},
  [MC_CATEGORY_F_SLUG] = {.spec = &mc_category_spec[MC_CATEGORY_F_SLUG], .insert_param = 3, .update_param = 3},
  [MC_CATEGORY_F_DESCRIPTION] = {.spec = &mc_category_spec[MC_CATEGORY_F_DESCRIPTION], .insert_param = 4,
                                 .update_param = 4},
  [MC_CATEGORY_F_PARENT] = {.spec = &mc_category_spec[MC_CATEGORY_F_PARENT], .insert_param = 5, .update_param = 5,
                            .update_flag = 7},
  [MC_CATEGORY_F_POSITION] = {.spec = &mc_category_spec[MC_CATEGORY_F_POSITION], .insert_param = 6,
                              .update_param = 6},
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

/* The number of categories whose parent is id (0 when there is no such category: the write
 * that follows finds that out). */
static int children_count(mc_store *st, const char *id, int64_t *out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_CATEGORY_USAGE, &db, &stmt);
  int rc;

  *out = 0;
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 1);
  else if (rc != SQLITE_DONE) err = mc_sqlite_status(db, rc, "category children");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Inside a write transaction: reads what mc_rules_category_parent needs when the write names a
 * parent (parent, borrowed, NULL or null when it does not) and applies its decision. self_id
 * is NULL for a new category. The schema's foreign key, CHECK and triggers stay as a net for
 * other writers. */
static int parent_decide(mc_store *st, const char *self_id, const json_t *parent, mc_refusal *why) {
  const char *parent_id = json_string_value(parent);
  json_t *doc = NULL;
  int64_t children = 0;
  int err;

  if (parent_id == NULL) return MC_OK;
  err = mc_sqlite_category_get(st, parent_id, &doc);
  if (err == MC_ERR_NOT_FOUND) err = MC_OK;
  if (err == MC_OK && self_id != NULL) err = children_count(st, self_id, &children);
  if (err == MC_OK)
    err = mc_rules_category_parent(self_id, parent_id, doc != NULL,
                                   json_string_value(json_object_get(doc, "parent_id")), children, why);
  json_decref(doc);
  return err;
}

/* One write transaction: the parent decision, then the insert (self_id NULL) or the update of
 * self_id with the values v; *out (may be NULL) gets the document written. */
static int category_write(mc_store *st, mc_sqlite_sql id, const char *self_id, const mc_sqlite_value *v,
                          json_t **out, mc_refusal *why, const char *what) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = mc_sqlite_tx_begin_write(st, &db);
  int rc;

  if (err != MC_OK) return err;
  err = parent_decide(st, self_id, v[MC_CATEGORY_F_PARENT].json, why);
  if (err == MC_OK) err = stmt_get(st, id, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = self_id != NULL ? sqlite3_bind_text(stmt, 1, self_id, -1, SQLITE_STATIC) : SQLITE_OK;
  if (rc == SQLITE_OK) rc = mc_sqlite_doc_bind(stmt, category_fields, CAT_F_COUNT, v, self_id != NULL);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 8, mc_now_ms());
  if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, what);
  else err = mc_sqlite_taken(db, mc_sqlite_write_returning(db, stmt, category_from_row, what, out), "categories", why);
  if (err == MC_ERR_NOT_FOUND && self_id == NULL) err = MC_ERR_INTERNAL; /* an insert returns its row */
done:
  mc_sqlite_stmt_done(stmt);
  return mc_sqlite_tx_end_doc(st, err, out);
}

int mc_sqlite_category_create(mc_store *st, const json_t *category, json_t **out, mc_refusal *why) {
  mc_sqlite_value v[CAT_F_COUNT];
  int err = mc_rules_category_check(category, MC_SPEC_CREATE, why);

  if (out != NULL) *out = NULL;
  if (err != MC_OK) return err;
  mc_sqlite_doc_values(category, category_fields, CAT_F_COUNT, v);
  return category_write(st, MC_SQL_CATEGORY_INSERT, NULL, v, out, why, "category create");
}

int mc_sqlite_category_get(mc_store *st, const char *id, json_t **out) {
  return mc_sqlite_get_one(st, MC_SQL_CATEGORY_GET, sql_text[MC_SQL_CATEGORY_GET], id, CATEGORY_ID_MAX,
                           category_from_row, "category get", out);
}

int mc_sqlite_category_get_by_slug(mc_store *st, const char *slug, json_t **out) {
  return mc_sqlite_get_one(st, MC_SQL_CATEGORY_GET_BY_SLUG, sql_text[MC_SQL_CATEGORY_GET_BY_SLUG], slug,
                           MC_CATALOG_SLUG_MAX, category_from_row, "category get", out);
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

int mc_sqlite_category_update(mc_store *st, const char *id, const json_t *changes, json_t **out,
                              mc_refusal *why) {
  mc_sqlite_value v[CAT_F_COUNT];
  size_t id_len;
  int err;

  if (out != NULL) *out = NULL;
  if (id == NULL) return MC_ERR_INVALID;
  if ((err = mc_rules_category_check(changes, MC_SPEC_UPDATE, why)) != MC_OK) return err;
  if (!mc_sqlite_key_ok(id, CATEGORY_ID_MAX, &id_len)) return MC_ERR_NOT_FOUND;
  mc_sqlite_doc_values(changes, category_fields, CAT_F_COUNT, v);
  return category_write(st, MC_SQL_CATEGORY_UPDATE, id, v, out, why, "category update");
}

/* Counts and deletes in one write transaction, so no product or child can arrive between
 * the check and the delete. */
int mc_sqlite_category_delete(mc_store *st, const char *id, mc_refusal *why) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int64_t products = 0, children = 0;
  size_t id_len;
  int err;
  int rc;

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
  if ((err = mc_rules_category_deletable(products, children, why)) != MC_OK) goto done;
  err = stmt_get(st, MC_SQL_CATEGORY_DELETE, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  err = rc == SQLITE_OK ? mc_sqlite_exec_stmt(db, stmt, "category delete")
                        : mc_sqlite_status(db, rc, "category delete: bind");
done:
  mc_sqlite_stmt_done(stmt);
  return mc_sqlite_tx_end(st, err);
}
