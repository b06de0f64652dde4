/* store_sql.h - the sqlite database seen past the adapter, for its own suites of typed reads
 * (test_sqlite_rows.c, test_sqlite_search.c): the reference product document, read from the
 * tables with SQL of its own so that it shares nothing with the adapter's readers. */
#ifndef MERCATO_TEST_STORE_SQL_H
#define MERCATO_TEST_STORE_SQL_H

#include <check.h>
#include <jansson.h>
#include <sqlite3.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_contract.h"

/* The one integer that sql (constant; a count, say) answers, read on a second handle. */
static inline int64_t rows_in(const store_env *env, const char *sql) {
  sqlite3 *db = raw_open(env);
  sqlite3_stmt *stmt = NULL;
  int64_t n;
  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
  n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  return n;
}

/* A time column (ms since the epoch) as the documents write it, or null for NULL. */
static inline json_t *reference_time(sqlite3_stmt *stmt, int col) {
  char t[MC_TIME_STR_MAX];
  if (sqlite3_column_type(stmt, col) == SQLITE_NULL) return json_null();
  ck_assert_int_eq(mc_time_format_ms(sqlite3_column_int64(stmt, col), t), MC_OK);
  return json_string(t);
}

/* A text column as a JSON string, or null for NULL. */
static inline json_t *reference_text(sqlite3_stmt *stmt, int col) {
  const char *s = (const char *)sqlite3_column_text(stmt, col);
  return s == NULL ? json_null() : json_stringn(s, (size_t)sqlite3_column_bytes(stmt, col));
}

/* An integer column, or null for NULL. */
static inline json_t *reference_int(sqlite3_stmt *stmt, int col) {
  return sqlite3_column_type(stmt, col) == SQLITE_NULL ? json_null() : json_integer(sqlite3_column_int64(stmt, col));
}

/* The product document of product id as the port defines it, read from products,
 * product_categories (ids in id order) and product_images (by position); a new reference. */
static inline json_t *reference_product(const store_env *env, const char *id) {
  static const char sql[] =
    "SELECT p.id, p.name, p.slug, p.description, p.price, p.currency, p.compare_at_price, p.sku, p.stock, "
    "p.active, (SELECT json_group_array(category_id) FROM (SELECT category_id FROM product_categories "
    "WHERE product_seq = p.seq ORDER BY category_id)), (SELECT json_group_array(json_object('id', id, "
    "'url', url, 'content_type', content_type, 'width', width, 'height', height, 'bytes', bytes)) FROM "
    "(SELECT * FROM product_images WHERE product_id = p.id ORDER BY position)), p.created_at, "
    "p.updated_at, p.archived_at FROM products p WHERE p.id = ?1";
  static const char *const names[] = {"id", "name", "slug", "description", "price", "currency",
                                      "compare_at_price", "sku", "stock", "active", "category_ids",
                                      "images", "created_at", "updated_at", "archived_at"};
  sqlite3 *db = raw_open(env);
  sqlite3_stmt *stmt = NULL;
  json_t *doc = json_object();

  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC), SQLITE_OK);
  ck_assert_msg(sqlite3_step(stmt) == SQLITE_ROW, "no product %s in the database", id);
  for (int c = 0; c < (int)(sizeof names / sizeof names[0]); c++) {
    json_t *v;
    if (c == 4 || c == 6 || c == 8) v = reference_int(stmt, c);
    else if (c == 9) v = json_boolean(sqlite3_column_int(stmt, c) != 0);
    else if (c == 10 || c == 11) v = json_loads((const char *)sqlite3_column_text(stmt, c), 0, NULL);
    else if (c >= 12) v = reference_time(stmt, c);
    else v = reference_text(stmt, c);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(json_object_set_new(doc, names[c], v), 0);
  }
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  return doc;
}

#endif
