/* products.c - the products aggregate of the sqlite adapter: writes that touch several tables
 * inside one BEGIN IMMEDIATE transaction, applying the catalog rules' checks and decisions
 * (archived products take no change, room for images, deleting or archiving) there. */
#include <string.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/store.h"

#define PRODUCT_ID_MAX (MC_ID_MAX - 1)
#define IMAGE_COLUMNS "id, url, content_type, width, height, bytes"

static const char *const sql_text[MC_SQL_COUNT] = {
  [MC_SQL_PRODUCT_INSERT] =
    "INSERT INTO products (id, name, slug, description, price, currency, compare_at_price, sku, "
    "stock, active, created_at, updated_at) VALUES (?1, ?2, ?3, coalesce(?4, ''), ?5, ?6, ?7, "
    "?8, coalesce(?9, 0), coalesce(?10, 1), ?13, ?13)",
  /* Unbound parameters are NULL: coalesce keeps the column; the members that may be set to
   * null change only when their flag (?11, ?12) is bound. max() keeps updated_at from going
   * back when the wall clock does. */
  [MC_SQL_PRODUCT_UPDATE] =
    "UPDATE products SET name = coalesce(?2, name), slug = coalesce(?3, slug), "
    "description = coalesce(?4, description), price = coalesce(?5, price), "
    "compare_at_price = CASE WHEN ?11 THEN ?7 ELSE compare_at_price END, "
    "sku = CASE WHEN ?12 THEN ?8 ELSE sku END, stock = coalesce(?9, stock), "
    "active = coalesce(?10, active), updated_at = max(?13, updated_at) WHERE id = ?1",
  [MC_SQL_PRODUCT_TOUCH] = "UPDATE products SET updated_at = max(?2, updated_at) WHERE id = ?1",
  /* Its category links, image records and cart lines go with it (ON DELETE CASCADE); an
   * order line naming it stops it (ON DELETE RESTRICT). */
  [MC_SQL_PRODUCT_DELETE] = "DELETE FROM products WHERE id = ?1",
  /* Whether the product is archived, and whether an order line names it. */
  [MC_SQL_PRODUCT_STATE] =
    "SELECT archived_at IS NOT NULL, EXISTS (SELECT 1 FROM order_lines WHERE product_id = ?1) "
    "FROM products WHERE id = ?1",
  /* The slug and sku are freed for new products. The new slug (mc_rules_archived_slug) is one
   * no other product holds: ids are unique, and the rules refuse new slugs of this form. */
  [MC_SQL_PRODUCT_ARCHIVE] =
    "UPDATE products SET archived_at = ?2, active = 0, slug = ?3, sku = NULL, "
    "updated_at = max(?2, updated_at) WHERE id = ?1 AND archived_at IS NULL",
  [MC_SQL_PRODUCT_UNCART] = "DELETE FROM cart_items WHERE product_id = ?1",
  [MC_SQL_PRODUCT_LINK] = "INSERT INTO product_categories (product_seq, category_id) "
                          "SELECT seq, ?2 FROM products WHERE id = ?1",
  [MC_SQL_PRODUCT_UNLINK_ALL] = "DELETE FROM product_categories "
                                "WHERE product_seq = (SELECT seq FROM products WHERE id = ?1)",
  [MC_SQL_PRODUCT_IMAGES] =
    "SELECT " IMAGE_COLUMNS " FROM product_images WHERE product_id = ?1 ORDER BY position",
  [MC_SQL_PRODUCT_IMAGE_SLOT] =
    "SELECT count(*), coalesce(max(position) + 1, 0) FROM product_images WHERE product_id = ?1",
  [MC_SQL_PRODUCT_IMAGE_INSERT] =
    "INSERT INTO product_images (id, product_id, position, url, content_type, width, height, "
    "bytes) VALUES (?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8)",
  [MC_SQL_PRODUCT_IMAGE_DELETE] =
    "DELETE FROM product_images WHERE product_id = ?1 AND id = ?2 RETURNING " IMAGE_COLUMNS,
};

static int stmt_get(mc_store *st, mc_sqlite_sql id, sqlite3 **db, sqlite3_stmt **out) {
  return mc_sqlite_stmt_get(st, id, sql_text[id], db, out);
}

/* The members of a product document (mc_product_spec's order). Insert parameters ?1..?10; the
 * update binds the id as ?1, the same numbers for the members, the null flags ?11 and ?12; both
 * take the time as ?13. category_ids is linked apart. */
#define P_COUNT MC_PRODUCT_F_COUNT
#define P_ID MC_PRODUCT_F_ID
#define P_CATEGORY_IDS MC_PRODUCT_F_CATEGORY_IDS
#define FIELD(f, ins, upd) [MC_PRODUCT_F_##f] = {.spec = &mc_product_spec[MC_PRODUCT_F_##f], .insert_param = ins, .update_param = upd}
static const mc_sqlite_field product_fields[P_COUNT] = {
  FIELD(ID, 1, 0),
  FIELD(NAME, 2, 2),
  FIELD(SLUG, 3, 3),
  FIELD(DESCRIPTION, 4, 4),
  FIELD(PRICE, 5, 5),
  FIELD(CURRENCY, 6, 0),
  [MC_PRODUCT_F_COMPARE_AT] = {.spec = &mc_product_spec[MC_PRODUCT_F_COMPARE_AT], .insert_param = 7,
                               .update_param = 7, .update_flag = 11},
  [MC_PRODUCT_F_SKU] = {.spec = &mc_product_spec[MC_PRODUCT_F_SKU], .insert_param = 8, .update_param = 8,
                        .update_flag = 12},
  FIELD(STOCK, 9, 9),
  FIELD(ACTIVE, 10, 10),
  FIELD(CATEGORY_IDS, 0, 0),
};
#undef FIELD

/* The members of an image document (mc_image_spec's order), all required; insert parameters
 * ?2, ?4..?8 (?1 is the product, ?3 the position). */
#define I_COUNT MC_IMAGE_F_COUNT
#define FIELD(f, ins) [MC_IMAGE_F_##f] = {.spec = &mc_image_spec[MC_IMAGE_F_##f], .insert_param = ins}
static const mc_sqlite_field image_fields[I_COUNT] = {
  FIELD(ID, 2), FIELD(URL, 4), FIELD(CONTENT_TYPE, 5), FIELD(WIDTH, 6), FIELD(HEIGHT, 7), FIELD(BYTES, 8),
};
#undef FIELD

static const mc_sqlite_column image_columns[] = {
  {"id", MC_SQLITE_COL_TEXT},   {"url", MC_SQLITE_COL_TEXT},
  {"content_type", MC_SQLITE_COL_TEXT}, {"width", MC_SQLITE_COL_INT},
  {"height", MC_SQLITE_COL_INT}, {"bytes", MC_SQLITE_COL_INT},
};
#define IMAGE_COLUMN_COUNT ((int)(sizeof image_columns / sizeof image_columns[0]))

/* Inside a write transaction: links product id to each category of ids (replace: after
 * removing its current links). An unknown category fails the foreign key: MC_ERR_INVALID, why
 * on category_ids. */
static int product_link(mc_store *st, const char *id, const json_t *ids, int replace, mc_refusal *why) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  size_t i;
  json_t *cat;
  int err = MC_OK;
  int rc;

  if (replace) {
    err = stmt_get(st, MC_SQL_PRODUCT_UNLINK_ALL, &db, &stmt);
    if (err != MC_OK) return err;
    rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    err = rc == SQLITE_OK ? mc_sqlite_exec_stmt(db, stmt, "product unlink categories")
                          : mc_sqlite_status(db, rc, "product unlink: bind");
    mc_sqlite_stmt_done(stmt);
    if (err != MC_OK) return err;
  }
  if (json_array_size(ids) == 0) return MC_OK;
  err = stmt_get(st, MC_SQL_PRODUCT_LINK, &db, &stmt);
  if (err != MC_OK) return err;
  json_array_foreach(ids, i, cat) {
    rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = sqlite3_bind_text(stmt, 2, json_string_value(cat), -1, SQLITE_STATIC);
    err = rc == SQLITE_OK ? mc_sqlite_exec_stmt(db, stmt, "product link category")
                          : mc_sqlite_status(db, rc, "product link: bind");
    mc_sqlite_stmt_done(stmt);
    if (err != MC_OK) break;
  }
  if (err == MC_ERR_INVALID) mc_refusal_add_error(why, "category_ids", "not_found", "A category in the list does not exist.");
  return err;
}

/* The document of the product whose id (by_slug 0) or slug (1) is key, read as a row
 * (product_rows.c): MC_ERR_INVALID for a NULL key, MC_ERR_NOT_FOUND for a key that is not one
 * or names no product; *out is a new reference. */
static int product_read(mc_store *st, int by_slug, const char *key, json_t **out) {
  mc_product_page *page = NULL;
  int err = mc_sqlite_product_page_get(st, key, by_slug, &page);

  *out = NULL;
  if (err == MC_OK) err = mc_product_row_doc(&page->rows[0], out);
  mc_product_page_free(page);
  return err;
}

/* Inside a write transaction: the product's document for *out (when wanted), read before the
 * commit so it is exactly what the transaction wrote. */
static int product_result(mc_store *st, const char *id, json_t **out) {
  if (out == NULL) return MC_OK;
  return product_read(st, 0, id, out);
}

int mc_sqlite_product_create(mc_store *st, const json_t *product, json_t **out, mc_refusal *why) {
  mc_sqlite_value v[P_COUNT];
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  err = mc_rules_product_check(product, MC_SPEC_CREATE, why);
  if (err != MC_OK) return err;
  mc_sqlite_doc_values(product, product_fields, P_COUNT, v);
  err = mc_sqlite_tx_begin_write(st, &db);
  if (err != MC_OK) return err;
  err = stmt_get(st, MC_SQL_PRODUCT_INSERT, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = mc_sqlite_doc_bind(stmt, product_fields, P_COUNT, v, 0);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 13, mc_now_ms());
  err = rc == SQLITE_OK ? mc_sqlite_taken(db, mc_sqlite_exec_stmt(db, stmt, "product create"), "products", why)
                        : mc_sqlite_status(db, rc, "product create: bind");
  mc_sqlite_stmt_done(stmt);
  if (err != MC_OK) goto done;
  err = product_link(st, v[P_ID].s, v[P_CATEGORY_IDS].json, 0, why);
  if (err != MC_OK) goto done;
  err = product_result(st, v[P_ID].s, out);
done:
  return mc_sqlite_tx_end_doc(st, err, out);
}

int mc_sqlite_product_get(mc_store *st, const char *id, json_t **out) {
  if (out == NULL) return MC_ERR_INVALID;
  return product_read(st, 0, id, out);
}

int mc_sqlite_product_get_by_slug(mc_store *st, const char *slug, json_t **out) {
  if (out == NULL) return MC_ERR_INVALID;
  return product_read(st, 1, slug, out);
}

/* Runs the one-row write stmt (bound but for the time, ?time) and reports MC_ERR_NOT_FOUND
 * when it matched no product. */
static int product_write_one(sqlite3 *db, sqlite3_stmt *stmt, int time_param, const char *what) {
  int rc = sqlite3_bind_int64(stmt, time_param, mc_now_ms());
  int err = rc == SQLITE_OK ? mc_sqlite_exec_stmt(db, stmt, what) : mc_sqlite_status(db, rc, what);
  if (err == MC_OK && sqlite3_changes(db) == 0) err = MC_ERR_NOT_FOUND;
  return err;
}

/* Inside a write transaction: whether product id is archived (*archived) and whether an
 * order line names it (*ordered; may be NULL when not wanted), or MC_ERR_NOT_FOUND. */
static int product_state(mc_store *st, const char *id, size_t id_len, int *archived, int *ordered) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_PRODUCT_STATE, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *archived = sqlite3_column_int(stmt, 0);
    if (ordered != NULL) *ordered = sqlite3_column_int(stmt, 1);
  } else {
    err = rc == SQLITE_DONE ? MC_ERR_NOT_FOUND : mc_sqlite_status(db, rc, "product state");
  }
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Inside a write transaction: MC_OK when product id exists and may change (the rules'
 * decision: MC_ERR_CONFLICT product_archived), MC_ERR_NOT_FOUND when there is none. */
static int product_writable(mc_store *st, const char *id, size_t id_len, mc_refusal *why) {
  int archived = 0;
  int err = product_state(st, id, id_len, &archived, NULL);
  return err == MC_OK ? mc_rules_product_writable(archived, why) : err;
}

int mc_sqlite_product_update(mc_store *st, const char *id, const json_t *changes, json_t **out,
                             mc_refusal *why) {
  mc_sqlite_value v[P_COUNT];
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  size_t id_len;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  if (id == NULL) return MC_ERR_INVALID;
  err = mc_rules_product_check(changes, MC_SPEC_UPDATE, why);
  if (err != MC_OK) return err;
  if (!mc_sqlite_key_ok(id, PRODUCT_ID_MAX, &id_len)) return MC_ERR_NOT_FOUND;
  mc_sqlite_doc_values(changes, product_fields, P_COUNT, v);
  err = mc_sqlite_tx_begin_write(st, &db);
  if (err != MC_OK) return err;
  err = product_writable(st, id, id_len, why);
  if (err != MC_OK) goto done;
  /* Always run, even for category_ids alone: it moves updated_at. */
  err = stmt_get(st, MC_SQL_PRODUCT_UPDATE, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = mc_sqlite_doc_bind(stmt, product_fields, P_COUNT, v, 1);
  err = rc == SQLITE_OK ? mc_sqlite_taken(db, product_write_one(db, stmt, 13, "product update"), "products", why)
                        : mc_sqlite_status(db, rc, "product update: bind");
  mc_sqlite_stmt_done(stmt);
  if (err != MC_OK) goto done;
  if (v[P_CATEGORY_IDS].json != NULL) {
    err = product_link(st, id, v[P_CATEGORY_IDS].json, 1, why);
    if (err != MC_OK) goto done;
  }
  err = product_result(st, id, out);
done:
  return mc_sqlite_tx_end_doc(st, err, out);
}

/* The product's image documents in display order; *out is a new array. */
static int product_images(mc_store *st, const char *id, json_t **out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  json_t *list = json_array();
  int err = list != NULL ? stmt_get(st, MC_SQL_PRODUCT_IMAGES, &db, &stmt) : MC_ERR_INTERNAL;
  int rc;

  if (err != MC_OK) goto done;
  rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
  while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    json_t *image;
    err = mc_sqlite_row_doc(stmt, 0, image_columns, IMAGE_COLUMN_COUNT, "read image", &image);
    if (err != MC_OK) goto done;
    if (json_array_append_new(list, image) != 0) {
      err = MC_ERR_INTERNAL;
      goto done;
    }
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_DONE) err = mc_sqlite_status(db, rc, "product images");
done:
  mc_sqlite_stmt_done(stmt);
  if (err == MC_OK) *out = list;
  else json_decref(list);
  return err;
}

/* Inside a write transaction: runs the statement id (bound to product id alone), a write. */
static int product_exec(mc_store *st, mc_sqlite_sql id, const char *product_id, size_t id_len,
                        const char *what) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, id, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, product_id, (int)id_len, SQLITE_STATIC);
  err = rc == SQLITE_OK ? mc_sqlite_exec_stmt(db, stmt, what) : mc_sqlite_status(db, rc, what);
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Inside a write transaction: archives product id (not yet archived): see product_delete. */
static int product_archive(mc_store *st, const char *id, size_t id_len) {
  char slug[MC_CATALOG_ARCHIVED_SLUG_LEN + 1];
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = mc_rules_archived_slug(id, slug);
  int rc;

  if (err == MC_OK) err = stmt_get(st, MC_SQL_PRODUCT_ARCHIVE, &db, &stmt);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(stmt, 3, slug, -1, SQLITE_STATIC);
  err = rc == SQLITE_OK ? product_write_one(db, stmt, 2, "product archive")
                        : mc_sqlite_status(db, rc, "product archive: bind");
  mc_sqlite_stmt_done(stmt);
  if (err == MC_OK) err = product_exec(st, MC_SQL_PRODUCT_UNLINK_ALL, id, id_len, "product archive: categories");
  if (err == MC_OK) err = product_exec(st, MC_SQL_PRODUCT_UNCART, id, id_len, "product archive: carts");
  return err;
}

int mc_sqlite_product_delete(mc_store *st, const char *id, json_t **out_images,
                             json_t **out_archived) {
  sqlite3 *db = NULL;
  json_t *images = NULL, *archived_doc = NULL;
  size_t id_len;
  int archived = 0, ordered = 0;
  mc_product_removal removal;
  int err;

  if (out_images != NULL) *out_images = NULL;
  if (out_archived != NULL) *out_archived = NULL;
  if (id == NULL) return MC_ERR_INVALID;
  if (!mc_sqlite_key_ok(id, PRODUCT_ID_MAX, &id_len)) return MC_ERR_NOT_FOUND;
  err = mc_sqlite_tx_begin_write(st, &db);
  if (err != MC_OK) return err;
  err = product_state(st, id, id_len, &archived, &ordered);
  if (err != MC_OK) goto done;
  removal = mc_rules_product_removal(archived, ordered);
  if (removal != MC_PRODUCT_DELETE) {
    if (removal == MC_PRODUCT_ARCHIVE) err = product_archive(st, id, id_len);
    if (err == MC_OK) err = product_result(st, id, out_archived != NULL ? &archived_doc : NULL);
    goto done;
  }
  if (out_images != NULL) {
    err = product_images(st, id, &images);
    if (err != MC_OK) goto done;
  }
  err = product_exec(st, MC_SQL_PRODUCT_DELETE, id, id_len, "product delete");
  if (err == MC_OK && sqlite3_changes(db) == 0) err = MC_ERR_NOT_FOUND;
done:
  err = mc_sqlite_tx_end(st, err);
  if (err != MC_OK) {
    json_decref(images);
    json_decref(archived_doc);
    return err;
  }
  if (out_images != NULL) *out_images = images;
  if (out_archived != NULL) *out_archived = archived_doc;
  return MC_OK;
}

/* Inside a write transaction: moves the product's updated_at, or MC_ERR_NOT_FOUND. */
static int product_touch(mc_store *st, const char *id, size_t id_len) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_PRODUCT_TOUCH, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  err = rc == SQLITE_OK ? product_write_one(db, stmt, 2, "product touch")
                        : mc_sqlite_status(db, rc, "product touch: bind");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Inside a write transaction: the number of images of product id and the next position. */
static int image_slot(mc_store *st, const char *id, size_t id_len, int64_t *count,
                      int64_t *position) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_PRODUCT_IMAGE_SLOT, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *count = sqlite3_column_int64(stmt, 0);
    *position = sqlite3_column_int64(stmt, 1);
  } else {
    err = mc_sqlite_status(db, rc, "product image slot");
  }
  mc_sqlite_stmt_done(stmt);
  return err;
}

int mc_sqlite_product_image_add(mc_store *st, const char *product_id, const json_t *image,
                                json_t **out, mc_refusal *why) {
  mc_sqlite_value v[I_COUNT];
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int64_t count = 0, position = 0;
  size_t id_len;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  if (product_id == NULL) return MC_ERR_INVALID;
  err = mc_rules_image_check(image, why);
  if (err != MC_OK) return err;
  if (!mc_sqlite_key_ok(product_id, PRODUCT_ID_MAX, &id_len)) return MC_ERR_NOT_FOUND;
  mc_sqlite_doc_values(image, image_fields, I_COUNT, v);
  err = mc_sqlite_tx_begin_write(st, &db);
  if (err != MC_OK) return err;
  err = product_writable(st, product_id, id_len, why);
  if (err == MC_OK) err = product_touch(st, product_id, id_len);
  if (err == MC_OK) err = image_slot(st, product_id, id_len, &count, &position);
  if (err == MC_OK) err = mc_rules_image_room(count, why);
  if (err != MC_OK) goto done;
  err = stmt_get(st, MC_SQL_PRODUCT_IMAGE_INSERT, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = sqlite3_bind_text(stmt, 1, product_id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, position);
  if (rc == SQLITE_OK) rc = mc_sqlite_doc_bind(stmt, image_fields, I_COUNT, v, 0);
  err = rc == SQLITE_OK ? mc_sqlite_taken(db, mc_sqlite_exec_stmt(db, stmt, "product image add"), "product_images", why)
                        : mc_sqlite_status(db, rc, "product image add: bind");
  mc_sqlite_stmt_done(stmt);
  if (err != MC_OK) goto done;
  err = product_result(st, product_id, out);
done:
  return mc_sqlite_tx_end_doc(st, err, out);
}

int mc_sqlite_product_image_remove(mc_store *st, const char *product_id, const char *image_id,
                                   json_t **out_image, mc_refusal *why) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  json_t *doc = NULL;
  size_t id_len, image_len;
  int err;
  int rc;

  if (out_image != NULL) *out_image = NULL;
  if (product_id == NULL || image_id == NULL) return MC_ERR_INVALID;
  if (!mc_sqlite_key_ok(product_id, PRODUCT_ID_MAX, &id_len) ||
      !mc_sqlite_key_ok(image_id, MC_ID_MAX - 1, &image_len))
    return MC_ERR_NOT_FOUND;
  err = mc_sqlite_tx_begin_write(st, &db);
  if (err != MC_OK) return err;
  /* A missing product is the missing image's MC_ERR_NOT_FOUND, found below. */
  err = product_writable(st, product_id, id_len, why);
  if (err == MC_ERR_NOT_FOUND) err = MC_OK;
  if (err != MC_OK) goto done;
  err = stmt_get(st, MC_SQL_PRODUCT_IMAGE_DELETE, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = sqlite3_bind_text(stmt, 1, product_id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(stmt, 2, image_id, (int)image_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) {
    err = MC_ERR_NOT_FOUND;
    goto done;
  }
  if (rc != SQLITE_ROW) {
    err = mc_sqlite_write_status(db, rc, "product image remove");
    goto done;
  }
  err = mc_sqlite_row_doc(stmt, 0, image_columns, IMAGE_COLUMN_COUNT, "read image", &doc);
  if (err != MC_OK) goto done;
  rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    err = mc_sqlite_write_status(db, rc, "product image remove");
    goto done;
  }
  mc_sqlite_stmt_done(stmt);
  stmt = NULL;
  err = product_touch(st, product_id, id_len);
done:
  mc_sqlite_stmt_done(stmt);
  err = mc_sqlite_tx_end_doc(st, err, &doc);
  if (out_image != NULL) *out_image = doc;
  else json_decref(doc);
  return err;
}
