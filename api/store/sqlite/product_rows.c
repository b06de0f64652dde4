/* product_rows.c - typed product reads of the sqlite adapter (mc_product_row): a row's columns
 * (MC_SQLITE_PRODUCT_ROW_COLUMNS) copied into one allocation, its categories and images split
 * out of the text the query joins them into. Listings (product_list.c) and single reads both
 * read rows here. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/store.h"

#define ROW_COLUMN_COUNT 15
#define IMAGE_FIELDS 6
#define UNIT_SEP '\x1f'
#define RECORD_SEP '\x1e'

static const char *const sql_text[MC_SQL_COUNT] = {
  [MC_SQL_PRODUCT_ROW_GET] = "SELECT " MC_SQLITE_PRODUCT_ROW_COLUMNS " FROM products p WHERE p.id = ?1",
  [MC_SQL_PRODUCT_ROW_GET_BY_SLUG] =
    "SELECT " MC_SQLITE_PRODUCT_ROW_COLUMNS " FROM products p WHERE p.slug = ?1",
};

/* The text columns copied as strings, in column order. */
enum { C_ID, C_NAME, C_SLUG, C_DESCRIPTION, C_PRICE, C_CURRENCY, C_COMPARE_AT, C_SKU, C_STOCK,
       C_ACTIVE, C_CATEGORIES, C_IMAGES, C_CREATED, C_UPDATED, C_ARCHIVED };
static const int text_columns[] = {C_ID, C_NAME, C_SLUG, C_DESCRIPTION, C_CURRENCY, C_SKU, C_CATEGORIES, C_IMAGES};
#define TEXT_COLUMN_COUNT ((int)(sizeof text_columns / sizeof text_columns[0]))

mc_product_page *mc_sqlite_product_page_new(void) {
  return calloc(1, sizeof(mc_product_page));
}

/* The number of pieces sep cuts s (len bytes, NULL for none) into: 0 for none. */
static size_t pieces(const char *s, size_t len, char sep) {
  size_t n = 1;
  if (s == NULL) return 0;
  for (size_t i = 0; i < len; i++) n += s[i] == sep;
  return n;
}

/* Cuts s in place at every sep, writing the start of each piece to out (n of them; pieces past
 * the last are the empty string at its end). */
static void split(char *s, char sep, char **out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char *next = strchr(s, sep);
    out[i] = s;
    if (next != NULL) *next++ = '\0';
    else next = s + strlen(s);
    s = next;
  }
}

/* A non-negative decimal integer written by SQLite, or -1. */
static int64_t number(const char *s) {
  char *end;
  long long v;
  if (*s < '0' || *s > '9') return -1;
  v = strtoll(s, &end, 10);
  return *end == '\0' ? v : -1;
}

/* Splits the images text into images (n records, as pieces() counted them). 0 when a record
 * is malformed. */
static int images_split(char *text, mc_product_image_ref *images, size_t n) {
  char *record = text;

  for (size_t i = 0; i < n; i++) {
    char *next = strchr(record, RECORD_SEP), *f[IMAGE_FIELDS] = {0};
    if (next != NULL) *next++ = '\0';
    if (pieces(record, strlen(record), UNIT_SEP) != IMAGE_FIELDS) return 0;
    split(record, UNIT_SEP, f, IMAGE_FIELDS);
    images[i] = (mc_product_image_ref){f[0], f[1], f[2], number(f[3]), number(f[4]), number(f[5])};
    if (images[i].width <= 0 || images[i].height <= 0 || images[i].bytes < 0) return 0;
    record = next != NULL ? next : record + strlen(record);
  }
  return 1;
}

int mc_sqlite_product_row_read(sqlite3_stmt *stmt, mc_product_page *page) {
  const char *text[ROW_COLUMN_COUNT] = {0};
  size_t len[ROW_COLUMN_COUNT] = {0};
  size_t size, categories, images, used;
  mc_product_row *r;
  char *s[ROW_COLUMN_COUNT] = {0};

  if (page->count == page->cap) {
    size_t cap = page->cap ? page->cap * 2 : 20; /* a listing's default page */
    mc_product_row *rows = realloc(page->rows, cap * sizeof *rows);
    if (rows == NULL) return MC_ERR_INTERNAL;
    page->rows = rows;
    page->cap = cap;
  }
  for (int i = 0; i < TEXT_COLUMN_COUNT; i++) {
    int c = text_columns[i];
    text[c] = (const char *)sqlite3_column_text(stmt, c);
    len[c] = (size_t)sqlite3_column_bytes(stmt, c);
  }
  if (text[C_ID] == NULL || text[C_NAME] == NULL || text[C_SLUG] == NULL || text[C_DESCRIPTION] == NULL ||
      text[C_CURRENCY] == NULL) {
    mc_error("store.sqlite", "read product row: a required column is null");
    return MC_ERR_INTERNAL;
  }
  categories = pieces(text[C_CATEGORIES], len[C_CATEGORIES], ' ');
  images = pieces(text[C_IMAGES], len[C_IMAGES], RECORD_SEP);
  /* The arrays first (aligned by malloc), then every string with its NUL. */
  size = images * sizeof(mc_product_image_ref) + categories * sizeof(char *);
  for (int i = 0; i < TEXT_COLUMN_COUNT; i++) size += len[text_columns[i]] + 1;
  r = &page->rows[page->count];
  memset(r, 0, sizeof *r);
  r->mem = malloc(size);
  if (r->mem == NULL) return MC_ERR_INTERNAL;
  r->images = (mc_product_image_ref *)(void *)r->mem;
  r->category_ids = (const char **)(void *)(r->mem + images * sizeof(mc_product_image_ref));
  used = images * sizeof(mc_product_image_ref) + categories * sizeof(char *);
  for (int i = 0; i < TEXT_COLUMN_COUNT; i++) {
    int c = text_columns[i];
    if (text[c] == NULL) continue;
    s[c] = r->mem + used;
    memcpy(s[c], text[c], len[c]);
    s[c][len[c]] = '\0';
    used += len[c] + 1;
  }
  r->id = s[C_ID], r->name = s[C_NAME], r->slug = s[C_SLUG], r->description = s[C_DESCRIPTION];
  r->currency = s[C_CURRENCY], r->sku = s[C_SKU];
  r->price = sqlite3_column_int64(stmt, C_PRICE);
  r->compare_at_price =
    sqlite3_column_type(stmt, C_COMPARE_AT) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, C_COMPARE_AT);
  r->stock = sqlite3_column_int64(stmt, C_STOCK);
  r->active = sqlite3_column_int(stmt, C_ACTIVE) != 0;
  r->created_at = sqlite3_column_int64(stmt, C_CREATED);
  r->updated_at = sqlite3_column_int64(stmt, C_UPDATED);
  r->archived_at = sqlite3_column_int64(stmt, C_ARCHIVED); /* NULL reads as 0 */
  r->category_count = categories;
  if (categories > 0) split(s[C_CATEGORIES], ' ', (char **)r->category_ids, categories);
  r->image_count = images;
  if (images > 0 && !images_split(s[C_IMAGES], r->images, images)) {
    mc_error("store.sqlite", "read product row: product %s has an image record that does not split", r->id);
    free(r->mem);
    return MC_ERR_INTERNAL;
  }
  page->count++;
  return MC_OK;
}

static int read_row(sqlite3_stmt *stmt, void *page) {
  return mc_sqlite_product_row_read(stmt, page);
}

int mc_sqlite_product_page_get(mc_store *st, const char *key, int by_slug, mc_product_page **out) {
  mc_sqlite_sql id = by_slug ? MC_SQL_PRODUCT_ROW_GET_BY_SLUG : MC_SQL_PRODUCT_ROW_GET;
  mc_product_page *page;
  int err;

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if ((page = mc_sqlite_product_page_new()) == NULL) return MC_ERR_INTERNAL;
  err = mc_sqlite_read_one(st, id, sql_text[id], key, by_slug ? MC_CATALOG_SLUG_MAX : MC_ID_MAX - 1, read_row, page,
                           "product row get");
  if (err == MC_OK) *out = page;
  else mc_product_page_free(page);
  return err;
}
