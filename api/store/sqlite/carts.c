/* carts.c - the carts aggregate of the sqlite adapter: a cart read with its lines joined to the
 * products in one query, and writes that read what they decide on inside one BEGIN IMMEDIATE
 * transaction and let the rules decide (rules/carts.h), so no caller ever reads, decides and
 * writes back. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/rules/carts.h"
#include "mercato/rules/coupons.h"
#include "mercato/store/carts.h"

/* Guest carts purged by each guest cart creation: more than expire between two creations in
 * any shop that gets visitors, and a bounded cost for the request that pays it. */
#define PURGE_ON_CREATE 20

/* The cart, then one row per line with its product and the product's first image (its cover
 * columns, kept by triggers: migration 6); an empty cart is one row of NULL line columns. Every
 * join is a lookup by a key (cart_items' primary key, products' id). The lines are put in order
 * in C: a handful of rows sort faster there than through SQLite's sorter. */
#define CART_SELECT                                                                               \
  "SELECT c.id, c.user_id, c.token_hash, c.coupon_id, c.created_at, c.updated_at, c.expires_at, " \
  "i.product_id, i.quantity, i.unit_price, i.added_at, p.name, p.slug, p.price, p.currency, "     \
  "p.stock, p.active, p.cover_url, p.cover_width, p.cover_height FROM carts c "                   \
  "LEFT JOIN cart_items i ON i.cart_id = c.id LEFT JOIN products p ON p.id = i.product_id "

/* Columns of CART_SELECT. */
enum { C_ID, C_USER, C_TOKEN, C_COUPON, C_CREATED, C_UPDATED, C_EXPIRES, L_PRODUCT, L_QUANTITY,
       L_UNIT_PRICE, L_ADDED, L_NAME, L_SLUG, L_PRICE, L_CURRENCY, L_STOCK, L_ACTIVE, L_IMAGE_URL,
       L_IMAGE_WIDTH, L_IMAGE_HEIGHT };

static const char *const sql_text[MC_SQL_COUNT] = {
  [MC_SQL_CART_GET_BY_USER] = CART_SELECT "WHERE c.user_id = ?1",
  [MC_SQL_CART_GET_BY_TOKEN] = CART_SELECT "WHERE c.token_hash = ?1 AND c.expires_at > ?2",
  [MC_SQL_CART_GET_BY_ID] = CART_SELECT "WHERE c.id = ?1",
  [MC_SQL_CART_FIND_BY_USER] = "SELECT id FROM carts WHERE user_id = ?1",
  [MC_SQL_CART_FIND_BY_TOKEN] = "SELECT id FROM carts WHERE token_hash = ?1 AND expires_at > ?2",
  /* ?5 (expires_at) is NULL for a customer's cart, as the table's CHECK wants. */
  [MC_SQL_CART_INSERT] = "INSERT INTO carts (id, user_id, token_hash, created_at, updated_at, "
                         "expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
  /* Every write ends here: updated_at moves (never back), a guest cart's life starts again, and
   * ?4 says what happens to the coupon: 0 kept, 1 set to ?5 (NULL: removed), 2 set to ?5 only
   * when the cart has none (a merge). */
  [MC_SQL_CART_TOUCH] =
    "UPDATE carts SET updated_at = max(?2, updated_at), "
    "expires_at = CASE WHEN expires_at IS NULL THEN NULL ELSE ?3 END, "
    "coupon_id = CASE ?4 WHEN 1 THEN ?5 WHEN 2 THEN coalesce(coupon_id, ?5) ELSE coupon_id END "
    "WHERE id = ?1",
  /* What a line write decides on, in one lookup: the product, the line, the cart's size and
   * what its other lines come to (total() is a float, so it cannot overflow; it is exact up
   * to 2^53, far past the largest subtotal a cart may reach). */
  [MC_SQL_CART_LINE_STATE] =
    "SELECT p.price, p.stock, p.active, "
    "(SELECT quantity FROM cart_items WHERE cart_id = ?2 AND product_id = p.id), "
    "(SELECT count(*) FROM cart_items WHERE cart_id = ?2), "
    "(SELECT total(i.quantity * o.price) FROM cart_items i JOIN products o ON o.id = i.product_id "
    "WHERE i.cart_id = ?2 AND i.product_id <> p.id) FROM products p WHERE p.id = ?1",
  /* A new line, or a new quantity and seen price for an existing one (added_at stays). */
  [MC_SQL_CART_LINE_PUT] =
    "INSERT INTO cart_items (cart_id, product_id, quantity, unit_price, added_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (cart_id, product_id) DO UPDATE SET "
    "quantity = excluded.quantity, unit_price = excluded.unit_price, "
    "updated_at = excluded.updated_at",
  [MC_SQL_CART_LINE_DELETE] = "DELETE FROM cart_items WHERE cart_id = ?1 AND product_id = ?2",
  [MC_SQL_CART_LINES_CLEAR] = "DELETE FROM cart_items WHERE cart_id = ?1",
  /* The guest cart ?1's lines beside the customer cart ?2's line for the same product. */
  [MC_SQL_CART_MERGE_LINES] =
    "SELECT g.product_id, g.quantity, g.unit_price, g.added_at, p.stock, p.active, u.quantity, "
    "u.unit_price, (SELECT count(*) FROM cart_items WHERE cart_id = ?2), p.price, "
    "(SELECT total(i.quantity * o.price) FROM cart_items i JOIN products o ON o.id = i.product_id "
    "WHERE i.cart_id = ?2) "
    "FROM cart_items g JOIN products p ON p.id = g.product_id "
    "LEFT JOIN cart_items u ON u.cart_id = ?2 AND u.product_id = g.product_id "
    "WHERE g.cart_id = ?1 ORDER BY g.added_at, g.product_id",
  /* Its lines go with it (ON DELETE CASCADE). */
  [MC_SQL_CART_DELETE] = "DELETE FROM carts WHERE id = ?1 RETURNING coupon_id",
  [MC_SQL_CART_PURGE] =
    "DELETE FROM carts WHERE id IN (SELECT id FROM carts WHERE expires_at IS NOT NULL "
    "AND expires_at <= ?1 ORDER BY expires_at LIMIT ?2)",
};

static int stmt_get(mc_store *st, mc_sqlite_sql id, sqlite3 **db, sqlite3_stmt **out) {
  return mc_sqlite_stmt_get(st, id, sql_text[id], db, out);
}

/* A total() read back: exact below 2^53, and anything past MC_MONEY_MAX is past every limit. */
static int64_t column_total(sqlite3_stmt *stmt, int col) {
  double d = sqlite3_column_double(stmt, col);
  return d > (double)MC_MONEY_MAX ? MC_MONEY_MAX + 1 : (int64_t)d;
}

/* ---- reading a cart ----------------------------------------------------------------------- */

/* The strings of one line, kept as offsets into the text while it grows. */
enum { S_PRODUCT, S_NAME, S_SLUG, S_CURRENCY, S_IMAGE, S_COUNT };
#define NO_TEXT SIZE_MAX

typedef struct cart_build {
  mc_cart *cart;
  size_t cap;                  /* lines allocated */
  size_t (*offsets)[S_COUNT];  /* per line, where each string starts in text (NO_TEXT: NULL) */
  size_t text_len, text_cap;
} cart_build;

/* Copies column col (text, at most cap - 1 bytes, or NULL for "") into dst. */
static int key_copy(sqlite3_stmt *stmt, int col, char *dst, size_t cap) {
  const unsigned char *t = sqlite3_column_text(stmt, col);
  size_t n = (size_t)sqlite3_column_bytes(stmt, col);
  if (t == NULL) n = 0;
  if (n >= cap) return MC_ERR_INTERNAL;
  if (n > 0) memcpy(dst, t, n);
  dst[n] = '\0';
  return MC_OK;
}

/* Appends column col's text (and a NUL) to the cart's text; *off gets where (NO_TEXT for NULL). */
static int text_put(cart_build *b, sqlite3_stmt *stmt, int col, size_t *off) {
  const unsigned char *t = sqlite3_column_text(stmt, col);
  size_t n = (size_t)sqlite3_column_bytes(stmt, col);

  *off = NO_TEXT;
  if (t == NULL) return sqlite3_column_type(stmt, col) == SQLITE_NULL ? MC_OK : MC_ERR_INTERNAL;
  if (b->text_len + n + 1 > b->text_cap) {
    size_t cap = b->text_cap ? b->text_cap : 1024;
    while (cap < b->text_len + n + 1) cap *= 2;
    char *text = realloc(b->cart->text, cap);
    if (text == NULL) return MC_ERR_INTERNAL;
    b->cart->text = text;
    b->text_cap = cap;
  }
  memcpy(b->cart->text + b->text_len, t, n + 1);
  *off = b->text_len;
  b->text_len += n + 1;
  return MC_OK;
}

/* The cart of the current row (its first). */
static int cart_head(cart_build *b, sqlite3_stmt *stmt) {
  mc_cart *c = b->cart;
  if (key_copy(stmt, C_ID, c->id, sizeof c->id) != MC_OK ||
      key_copy(stmt, C_USER, c->user_id, sizeof c->user_id) != MC_OK ||
      key_copy(stmt, C_TOKEN, c->token_hash, sizeof c->token_hash) != MC_OK ||
      key_copy(stmt, C_COUPON, c->coupon_id, sizeof c->coupon_id) != MC_OK) {
    mc_error("store.sqlite", "read cart: a key is longer than any this store writes");
    return MC_ERR_INTERNAL;
  }
  c->created_at = sqlite3_column_int64(stmt, C_CREATED);
  c->updated_at = sqlite3_column_int64(stmt, C_UPDATED);
  c->expires_at = sqlite3_column_int64(stmt, C_EXPIRES); /* NULL reads as 0 */
  return MC_OK;
}

/* The line of the current row, appended. */
static int line_add(cart_build *b, sqlite3_stmt *stmt) {
  static const int text_cols[S_COUNT] = {L_PRODUCT, L_NAME, L_SLUG, L_CURRENCY, L_IMAGE_URL};
  mc_cart *c = b->cart;
  mc_cart_line *l;

  if (c->count == b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 8;
    mc_cart_line *lines = realloc(c->lines, cap * sizeof *lines);
    if (lines == NULL) return MC_ERR_INTERNAL;
    c->lines = lines;
    size_t(*offsets)[S_COUNT] = realloc(b->offsets, cap * sizeof *offsets);
    if (offsets == NULL) return MC_ERR_INTERNAL;
    b->offsets = offsets;
    b->cap = cap;
  }
  for (int k = 0; k < S_COUNT; k++)
    if (text_put(b, stmt, text_cols[k], &b->offsets[c->count][k]) != MC_OK) return MC_ERR_INTERNAL;
  l = &c->lines[c->count++];
  memset(l, 0, sizeof *l);
  l->quantity = sqlite3_column_int64(stmt, L_QUANTITY);
  l->unit_price = sqlite3_column_int64(stmt, L_UNIT_PRICE);
  l->added_at = sqlite3_column_int64(stmt, L_ADDED);
  l->price = sqlite3_column_int64(stmt, L_PRICE);
  l->stock = sqlite3_column_int64(stmt, L_STOCK);
  l->active = sqlite3_column_int(stmt, L_ACTIVE) != 0;
  l->image_width = sqlite3_column_int64(stmt, L_IMAGE_WIDTH);
  l->image_height = sqlite3_column_int64(stmt, L_IMAGE_HEIGHT);
  return MC_OK;
}

static int line_order(const void *a, const void *b) {
  const mc_cart_line *x = a, *y = b;
  if (x->added_at != y->added_at) return x->added_at < y->added_at ? -1 : 1;
  return strcmp(x->product_id, y->product_id);
}

/* Points the lines at their strings (now that the text has stopped moving) and sorts them. */
static int lines_finish(cart_build *b) {
  mc_cart *c = b->cart;
  for (size_t i = 0; i < c->count; i++) {
    const char **fields[S_COUNT] = {&c->lines[i].product_id, &c->lines[i].name, &c->lines[i].slug,
                                    &c->lines[i].currency, &c->lines[i].image_url};
    for (int k = 0; k < S_COUNT; k++)
      *fields[k] = b->offsets[i][k] == NO_TEXT ? NULL : c->text + b->offsets[i][k];
    if (c->lines[i].product_id == NULL || c->lines[i].name == NULL || c->lines[i].slug == NULL ||
        c->lines[i].currency == NULL) {
      mc_error("store.sqlite", "read cart: a line without its product");
      return MC_ERR_INTERNAL;
    }
  }
  if (c->count > 1) qsort(c->lines, c->count, sizeof *c->lines, line_order);
  return MC_OK;
}

/* Runs one of the CART_SELECT statements (bound) and builds the cart; MC_ERR_NOT_FOUND when it
 * has no row. *out is the caller's. */
static int cart_from_rows(sqlite3 *db, sqlite3_stmt *stmt, mc_cart **out) {
  cart_build b = {0};
  int err = MC_OK;
  int rc;

  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (b.cart == NULL) {
      if ((b.cart = calloc(1, sizeof *b.cart)) == NULL) err = MC_ERR_INTERNAL;
      else err = cart_head(&b, stmt);
      if (err != MC_OK) break;
    }
    if (sqlite3_column_type(stmt, L_PRODUCT) != SQLITE_NULL && (err = line_add(&b, stmt)) != MC_OK) break;
  }
  if (err == MC_OK && rc != SQLITE_DONE) err = mc_sqlite_status(db, rc, "cart get");
  if (err == MC_OK && b.cart == NULL) err = MC_ERR_NOT_FOUND;
  if (err == MC_OK) err = lines_finish(&b);
  free(b.offsets);
  if (err == MC_OK) *out = b.cart;
  else mc_cart_free(b.cart);
  return err;
}

/* Reads the cart with id (inside the caller's transaction), or does nothing when out is NULL. */
static int cart_read_id(mc_store *st, const char *id, mc_cart **out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err;
  int rc;

  if (out == NULL) return MC_OK;
  if ((err = stmt_get(st, MC_SQL_CART_GET_BY_ID, &db, &stmt)) != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
  err = rc == SQLITE_OK ? cart_from_rows(db, stmt, out) : mc_sqlite_status(db, rc, "cart get: bind");
  mc_sqlite_stmt_done(stmt);
  return err;
}

int mc_sqlite_cart_get(mc_store *st, const mc_cart_owner *owner, mc_cart **out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int by_user;
  int err;
  int rc;

  by_user = owner->user_id != NULL;
  err = stmt_get(st, by_user ? MC_SQL_CART_GET_BY_USER : MC_SQL_CART_GET_BY_TOKEN, &db, &stmt);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, by_user ? owner->user_id : owner->token_hash, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && !by_user) rc = sqlite3_bind_int64(stmt, 2, mc_now_ms());
  err = rc == SQLITE_OK ? cart_from_rows(db, stmt, out) : mc_sqlite_status(db, rc, "cart get: bind");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* ---- inside a write transaction --------------------------------------------------------------- */

/* Runs stmt (bound but for nothing else) to its end. */
static int run(sqlite3 *db, sqlite3_stmt *stmt, int rc, const char *what) {
  return rc == SQLITE_OK ? mc_sqlite_exec_stmt(db, stmt, what) : mc_sqlite_status(db, rc, what);
}

/* Copies the id of owner's live cart into id, or MC_ERR_NOT_FOUND. */
static int cart_find(mc_store *st, const mc_cart_owner *owner, int64_t now, char id[MC_ID_MAX]) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int by_user = owner->user_id != NULL;
  int err;
  int rc;

  if (!by_user && owner->token_hash == NULL) return MC_ERR_NOT_FOUND;
  err = stmt_get(st, by_user ? MC_SQL_CART_FIND_BY_USER : MC_SQL_CART_FIND_BY_TOKEN, &db, &stmt);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, by_user ? owner->user_id : owner->token_hash, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && !by_user) rc = sqlite3_bind_int64(stmt, 2, now);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) < MC_ID_MAX) {
    memcpy(id, sqlite3_column_text(stmt, 0), (size_t)sqlite3_column_bytes(stmt, 0) + 1);
  } else if (rc == SQLITE_ROW) {
    err = MC_ERR_INTERNAL;
  } else {
    err = rc == SQLITE_DONE ? MC_ERR_NOT_FOUND : mc_sqlite_status(db, rc, "cart find");
  }
  mc_sqlite_stmt_done(stmt);
  return err;
}

static int purge(mc_store *st, int64_t now, int64_t max, int64_t *count) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_CART_PURGE, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_int64(stmt, 1, now);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, max);
  err = run(db, stmt, rc, "cart purge");
  if (err == MC_OK && count != NULL) *count = sqlite3_changes(db);
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Creates owner's cart (a customer's, or a guest's under new_token_hash) with a new id. */
static int cart_create(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                       int64_t now, char id[MC_ID_MAX]) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int guest = owner->user_id == NULL;
  int err;
  int rc;

  if (guest && (err = purge(st, now, PURGE_ON_CREATE, NULL)) != MC_OK) return err;
  if ((err = mc_id_new("crt", id)) != MC_OK) return err;
  if ((err = stmt_get(st, MC_SQL_CART_INSERT, &db, &stmt)) != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && !guest) rc = sqlite3_bind_text(stmt, 2, owner->user_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && guest) rc = sqlite3_bind_text(stmt, 3, owner->new_token_hash, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, now);
  if (rc == SQLITE_OK && guest) rc = sqlite3_bind_int64(stmt, 5, mc_cart_guest_expiry(limits, 1, now));
  err = run(db, stmt, rc, "cart create");
  mc_sqlite_stmt_done(stmt);
  /* The customer's id breaks the users foreign key only when there is no such user. */
  if (err == MC_ERR_INVALID && !guest) err = MC_ERR_NOT_FOUND;
  /* A token hash that is taken belongs to an expired cart not yet purged, or to a token the
   * caller did not make fresh: either way not one to adopt. */
  return err;
}

/* owner's live cart, created when may_create (and owner allows it); *created (may be NULL)
 * says whether this call made it. */
static int cart_resolve(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                        int64_t now, int may_create, char id[MC_ID_MAX], int *created) {
  int err = cart_find(st, owner, now, id);
  if (created != NULL) *created = 0;
  if (err != MC_ERR_NOT_FOUND || !may_create) return err;
  if (owner->user_id == NULL && owner->new_token_hash == NULL) return err;
  err = cart_create(st, owner, limits, now, id);
  if (err == MC_OK && created != NULL) *created = 1;
  return err;
}

/* A creating write found no cart and may not make one. */
static int refuse_no_cart(mc_refusal *why) {
  return mc_refuse(why, MC_ERR_NOT_FOUND, "no_cart", NULL, "There is no cart, and none may be made now.");
}

enum { COUPON_KEEP = 0, COUPON_SET = 1, COUPON_IF_NONE = 2 };

/* Moves updated_at (and a guest cart's expiry: mc_cart_guest_expiry, created saying whether
 * this write made the cart), and changes the coupon as mode says. A coupon that does not exist
 * (any more) is MC_ERR_NOT_FOUND. */
static int cart_touch(mc_store *st, const char *id, const mc_cart_limits *limits, int64_t now, int created,
                      int mode, const char *coupon_id) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_CART_TOUCH, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, now);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, mc_cart_guest_expiry(limits, created, now));
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(stmt, 4, mode);
  if (rc == SQLITE_OK && coupon_id != NULL) rc = sqlite3_bind_text(stmt, 5, coupon_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) err = MC_ERR_NOT_FOUND;
  else if (rc != SQLITE_DONE) err = mc_sqlite_write_status(db, rc, "cart touch");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* The product's price, stock and flag with the cart's line for it, the cart's size and what
 * its other lines come to; s->found 0 when there is no such product. */
static int line_state_read(mc_store *st, const char *cart_id, const char *product_id, mc_cart_line_state *s) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_CART_LINE_STATE, &db, &stmt);
  int rc;

  memset(s, 0, sizeof *s);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, product_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(stmt, 2, cart_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    s->found = 1;
    s->price = sqlite3_column_int64(stmt, 0);
    s->stock = sqlite3_column_int64(stmt, 1);
    s->active = sqlite3_column_int(stmt, 2) != 0;
    s->quantity = sqlite3_column_int64(stmt, 3); /* NULL reads as 0 */
    s->lines = sqlite3_column_int64(stmt, 4);
    s->others = column_total(stmt, 5);
  } else if (rc != SQLITE_DONE) {
    err = mc_sqlite_status(db, rc, "cart line state");
  }
  mc_sqlite_stmt_done(stmt);
  return err;
}

static int line_put(mc_store *st, const char *cart_id, const char *product_id, int64_t quantity,
                    int64_t unit_price, int64_t added_at, int64_t now) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_CART_LINE_PUT, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, cart_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(stmt, 2, product_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, quantity);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, unit_price);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 5, added_at);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 6, now);
  err = run(db, stmt, rc, "cart line put");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Runs one of the statements keyed by cart id (?1) and maybe product id (?2); *changes gets
 * the rows it deleted. */
static int cart_delete_rows(mc_store *st, mc_sqlite_sql which, const char *cart_id,
                            const char *product_id, int *changes) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, which, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, cart_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && product_id != NULL) rc = sqlite3_bind_text(stmt, 2, product_id, -1, SQLITE_STATIC);
  err = run(db, stmt, rc, "cart delete lines");
  if (err == MC_OK) *changes = sqlite3_changes(db);
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Ends the transaction; *out (may be NULL) keeps the cart only if it committed. */
static int cart_tx_end(mc_store *st, int err, mc_cart **out) {
  err = mc_sqlite_tx_end(st, err);
  if (err != MC_OK && out != NULL) {
    mc_cart_free(*out);
    *out = NULL;
  }
  return err;
}

/* ---- writes ----------------------------------------------------------------------------------- */

int mc_sqlite_cart_item_add(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                            const char *product_id, int64_t quantity, mc_cart **out, mc_refusal *why) {
  char id[MC_ID_MAX];
  mc_cart_line_state s;
  sqlite3 *db = NULL;
  int64_t now = mc_now_ms(), want = 0;
  int created = 0;
  int err;

  if ((err = mc_sqlite_tx_begin_write(st, &db)) != MC_OK) return err;
  if ((err = cart_resolve(st, owner, limits, now, 1, id, &created)) != MC_OK) {
    if (err == MC_ERR_NOT_FOUND) refuse_no_cart(why);
    goto done;
  }
  if ((err = line_state_read(st, id, product_id, &s)) != MC_OK) goto done;
  if ((err = mc_cart_plan_add(limits, &s, quantity, &want, why)) != MC_OK) goto done;
  if ((err = line_put(st, id, product_id, want, s.price, now, now)) != MC_OK) goto done;
  if ((err = cart_touch(st, id, limits, now, created, COUPON_KEEP, NULL)) != MC_OK) goto done;
  err = cart_read_id(st, id, out);
done:
  return cart_tx_end(st, err, out);
}

int mc_sqlite_cart_item_set(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                            const char *product_id, int64_t quantity, mc_cart **out, mc_refusal *why) {
  char id[MC_ID_MAX];
  mc_cart_line_state s;
  sqlite3 *db = NULL;
  int64_t now = mc_now_ms();
  int err;

  if ((err = mc_sqlite_tx_begin_write(st, &db)) != MC_OK) return err;
  if ((err = cart_resolve(st, owner, limits, now, 0, id, NULL)) != MC_OK) {
    if (err == MC_ERR_NOT_FOUND) mc_cart_refuse_not_in_cart(why);
    goto done;
  }
  if ((err = line_state_read(st, id, product_id, &s)) != MC_OK) goto done;
  if ((err = mc_cart_plan_set(limits, &s, quantity, why)) != MC_OK) goto done;
  if ((err = line_put(st, id, product_id, quantity, s.price, now, now)) != MC_OK) goto done;
  if ((err = cart_touch(st, id, limits, now, 0, COUPON_KEEP, NULL)) != MC_OK) goto done;
  err = cart_read_id(st, id, out);
done:
  return cart_tx_end(st, err, out);
}

int mc_sqlite_cart_item_remove(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                               const char *product_id, mc_cart **out, mc_refusal *why) {
  char id[MC_ID_MAX];
  sqlite3 *db = NULL;
  int64_t now = mc_now_ms();
  int changes = 0;
  int err;

  if ((err = mc_sqlite_tx_begin_write(st, &db)) != MC_OK) return err;
  err = cart_resolve(st, owner, limits, now, 0, id, NULL);
  if (err == MC_OK) err = cart_delete_rows(st, MC_SQL_CART_LINE_DELETE, id, product_id, &changes);
  if (err == MC_ERR_NOT_FOUND || (err == MC_OK && changes == 0)) err = mc_cart_refuse_not_in_cart(why);
  if (err != MC_OK) goto done;
  if ((err = cart_touch(st, id, limits, now, 0, COUPON_KEEP, NULL)) != MC_OK) goto done;
  err = cart_read_id(st, id, out);
done:
  return cart_tx_end(st, err, out);
}

int mc_sqlite_cart_clear(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits, mc_cart **out) {
  char id[MC_ID_MAX];
  sqlite3 *db = NULL;
  int64_t now = mc_now_ms();
  int changes = 0;
  int err;

  if ((err = mc_sqlite_tx_begin_write(st, &db)) != MC_OK) return err;
  if ((err = cart_resolve(st, owner, limits, now, 0, id, NULL)) != MC_OK) goto done;
  if ((err = cart_delete_rows(st, MC_SQL_CART_LINES_CLEAR, id, NULL, &changes)) != MC_OK) goto done;
  if ((err = cart_touch(st, id, limits, now, 0, COUPON_SET, NULL)) != MC_OK) goto done;
  err = cart_read_id(st, id, out);
done:
  return cart_tx_end(st, err, out);
}

int mc_sqlite_cart_coupon_set(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                              const char *coupon_id, mc_cart **out, mc_refusal *why) {
  char id[MC_ID_MAX];
  sqlite3 *db = NULL;
  int64_t now = mc_now_ms();
  int created = 0;
  int err;

  if ((err = mc_sqlite_tx_begin_write(st, &db)) != MC_OK) return err;
  if ((err = cart_resolve(st, owner, limits, now, coupon_id != NULL, id, &created)) != MC_OK) {
    if (err == MC_ERR_NOT_FOUND) refuse_no_cart(why);
    goto done;
  }
  err = cart_touch(st, id, limits, now, created, COUPON_SET, coupon_id);
  /* The coupon's foreign key: no such coupon (deleted since the caller read it). */
  if (err == MC_ERR_NOT_FOUND) mc_coupon_refuse(why, MC_COUPON_UNKNOWN, 0, NULL);
  if (err == MC_OK) err = cart_read_id(st, id, out);
done:
  return cart_tx_end(st, err, out);
}

/* ---- merge -------------------------------------------------------------------------------- */

typedef struct merge_state {
  mc_cart_merge_line lines[MC_CART_LINES_MAX];
  size_t n;
  int64_t count;    /* lines in the customer's cart */
  int64_t subtotal; /* what they come to at current prices */
} merge_state;

/* Reads the guest cart's lines beside the customer's (at most MC_CART_LINES_MAX are kept:
 * no write lets a cart grow past the largest max_lines) into m. */
static int merge_lines_read(mc_store *st, const char *guest_id, const char *user_cart_id,
                            merge_state *m) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_CART_MERGE_LINES, &db, &stmt);
  int rc;

  m->n = 0;
  m->count = m->subtotal = 0;
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, guest_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(stmt, 2, user_cart_id, -1, SQLITE_STATIC);
  while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    mc_cart_merge_line *l = &m->lines[m->n];
    int id_len = sqlite3_column_bytes(stmt, 0);
    rc = SQLITE_OK;
    m->count = sqlite3_column_int64(stmt, 8);
    m->subtotal = column_total(stmt, 10);
    if (m->n >= MC_CART_LINES_MAX || id_len >= MC_ID_MAX) continue;
    memset(l, 0, sizeof *l);
    memcpy(l->product_id, sqlite3_column_text(stmt, 0), (size_t)id_len + 1);
    l->quantity = sqlite3_column_int64(stmt, 1);
    l->unit_price = sqlite3_column_int64(stmt, 2);
    l->added_at = sqlite3_column_int64(stmt, 3);
    l->stock = sqlite3_column_int64(stmt, 4);
    l->active = sqlite3_column_int(stmt, 5) != 0;
    l->have = sqlite3_column_int64(stmt, 6);
    l->have_price = sqlite3_column_int64(stmt, 7);
    l->price = sqlite3_column_int64(stmt, 9);
    m->n++;
  }
  if (rc != SQLITE_DONE) err = mc_sqlite_status(db, rc, "cart merge: read lines");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Deletes the cart id; coupon_id (MC_ID_MAX bytes) gets its coupon, "" for none. */
static int cart_delete(mc_store *st, const char *id, char *coupon_id) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_CART_DELETE, &db, &stmt);
  int rc;

  coupon_id[0] = '\0';
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    if (sqlite3_column_type(stmt, 0) == SQLITE_TEXT && sqlite3_column_bytes(stmt, 0) < MC_ID_MAX)
      memcpy(coupon_id, sqlite3_column_text(stmt, 0), (size_t)sqlite3_column_bytes(stmt, 0) + 1);
    rc = sqlite3_step(stmt);
  }
  if (rc != SQLITE_DONE) err = mc_sqlite_write_status(db, rc, "cart delete");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Writes the lines mc_cart_plan_merge planned into the customer's cart id. */
static int merge_apply(mc_store *st, const char *id, const merge_state *m, int64_t now) {
  int err = MC_OK;
  for (size_t i = 0; i < m->n && err == MC_OK; i++) {
    const mc_cart_merge_line *l = &m->lines[i];
    if (l->put > 0) err = line_put(st, id, l->product_id, l->put, l->put_price, l->added_at, now);
  }
  return err;
}

int mc_sqlite_cart_merge(mc_store *st, const char *token_hash, const char *user_id,
                         const mc_cart_limits *limits, mc_cart **out) {
  mc_cart_owner guest = {.token_hash = token_hash}, customer = {.user_id = user_id};
  char guest_id[MC_ID_MAX], id[MC_ID_MAX], coupon_id[MC_ID_MAX];
  merge_state *m = NULL;
  sqlite3 *db = NULL;
  int64_t now = mc_now_ms();
  int err;

  m = malloc(sizeof *m);
  if (m == NULL) return MC_ERR_INTERNAL;
  if ((err = mc_sqlite_tx_begin_write(st, &db)) != MC_OK) goto out;
  if ((err = cart_find(st, &guest, now, guest_id)) != MC_OK) goto done;
  if ((err = cart_resolve(st, &customer, limits, now, 1, id, NULL)) != MC_OK) goto done;
  if ((err = merge_lines_read(st, guest_id, id, m)) != MC_OK) goto done;
  if ((err = cart_delete(st, guest_id, coupon_id)) != MC_OK) goto done;
  mc_cart_plan_merge(limits, m->lines, m->n, m->count, m->subtotal);
  if ((err = merge_apply(st, id, m, now)) != MC_OK) goto done;
  err = cart_touch(st, id, limits, now, 0, COUPON_IF_NONE, coupon_id[0] ? coupon_id : NULL);
  if (err == MC_OK) err = cart_read_id(st, id, out);
done:
  err = cart_tx_end(st, err, out);
out:
  free(m);
  return err;
}

int mc_sqlite_cart_purge_expired(mc_store *st, int64_t max, int64_t *out_count) {
  sqlite3 *db = NULL;
  int64_t count = 0;
  int err;

  if ((err = mc_sqlite_tx_begin_write(st, &db)) != MC_OK) return err;
  err = mc_sqlite_tx_end(st, purge(st, mc_now_ms(), max, &count));
  if (err == MC_OK && out_count != NULL) *out_count = count;
  return err;
}
