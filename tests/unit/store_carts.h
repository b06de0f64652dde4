/* store_carts.h - what the carts suites share (test_store_carts.c, test_carts.c): limits, guest
 * token hashes, customers, stocked products, coupons, and assertions on mc_cart. */
#ifndef MERCATO_TEST_STORE_CARTS_H
#define MERCATO_TEST_STORE_CARTS_H

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"

static const mc_cart_limits LIMITS = {.max_quantity = 99, .max_lines = 100,
                                      .guest_ttl_ms = INT64_C(30) * 24 * 3600 * 1000};

/* A guest token hash: 64 copies of the hex digit c. */
typedef struct hash_buf {
  char s[MC_CART_TOKEN_HASH_LEN + 1];
} hash_buf;

static inline hash_buf hash_of(char c) {
  hash_buf h;
  memset(h.s, c, MC_CART_TOKEN_HASH_LEN);
  h.s[MC_CART_TOKEN_HASH_LEN] = '\0';
  return h;
}

/* Creates a customer and returns the stored document (a new reference). */
static inline json_t *user_create_ok(mc_store *st, const char *email) {
  json_t *doc = DOC("usr", "s:s, s:s, s:s, s:s, s:s", "email", email, "name", "Shopper", "role",
                    "customer", "status", "active", "password_hash", "$argon2id$test");
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_user_create(st, doc, &out, NULL), MC_OK);
  json_decref(doc);
  return out;
}

/* A product with this slug, price and stock (named after the slug); a new reference. */
static inline json_t *stocked(mc_store *st, const char *slug, int64_t price, int64_t stock) {
  json_t *doc = product_doc(slug, slug, price);
  set(doc, "stock", json_integer(stock));
  return product_create_ok(st, doc);
}

static inline json_t *cart_coupon_create_ok(mc_store *st, const char *code) {
  json_t *doc = DOC("cpn", "s:s, s:s, s:i", "code", code, "kind", "percent", "value", 10);
  json_t *out = NULL;
  ck_assert_int_eq(st->ops->coupon_create(st, doc, &out), MC_OK);
  json_decref(doc);
  return out;
}

/* "slug:quantity,..." of the cart's lines, in order, into buf. */
static inline const char *lines_of(const mc_cart *cart, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < cart->count; i++) {
    used += (size_t)snprintf(buf + used, len - used, "%s%s:%lld", i > 0 ? "," : "", cart->lines[i].slug,
                             (long long)cart->lines[i].quantity);
    ck_assert_uint_lt(used, len);
  }
  return buf;
}

static inline void assert_lines(const mc_cart *cart, const char *want) {
  char buf[1024];
  ck_assert_str_eq(lines_of(cart, buf, sizeof buf), want);
}

/* The line for product_id in cart (borrowed), or NULL. */
static inline const mc_cart_line *line_of(const mc_cart *cart, const char *product_id) {
  for (size_t i = 0; i < cart->count; i++)
    if (strcmp(cart->lines[i].product_id, product_id) == 0) return &cart->lines[i];
  return NULL;
}

/* 1 when a and b hold the same cart and lines. */
static inline int carts_equal(const mc_cart *a, const mc_cart *b) {
  if (strcmp(a->id, b->id) != 0 || strcmp(a->user_id, b->user_id) != 0 || strcmp(a->token_hash, b->token_hash) != 0 ||
      strcmp(a->coupon_id, b->coupon_id) != 0 || a->created_at != b->created_at || a->updated_at != b->updated_at ||
      a->expires_at != b->expires_at || a->count != b->count)
    return 0;
  for (size_t i = 0; i < a->count; i++) {
    const mc_cart_line *x = &a->lines[i], *y = &b->lines[i];
    if (strcmp(x->product_id, y->product_id) != 0 || strcmp(x->name, y->name) != 0 || strcmp(x->slug, y->slug) != 0 ||
        strcmp(x->currency, y->currency) != 0 || x->quantity != y->quantity || x->unit_price != y->unit_price ||
        x->price != y->price || x->stock != y->stock || x->active != y->active || x->added_at != y->added_at ||
        (x->image_url == NULL) != (y->image_url == NULL) ||
        (x->image_url != NULL && strcmp(x->image_url, y->image_url) != 0) || x->image_width != y->image_width ||
        x->image_height != y->image_height)
      return 0;
  }
  return 1;
}

static inline mc_cart *add_ok(mc_store *st, const mc_cart_owner *o, const json_t *product, int64_t q) {
  mc_cart *cart = NULL;
  ck_assert_int_eq(st->ops->cart_item_add(st, o, &LIMITS, str_of(product, "id"), q, NULL, NULL, &cart), MC_OK);
  ck_assert_ptr_nonnull(cart);
  return cart;
}

static inline mc_cart *get_ok(mc_store *st, const mc_cart_owner *o) {
  mc_cart *cart = NULL;
  ck_assert_int_eq(st->ops->cart_get(st, o, &cart), MC_OK);
  return cart;
}

static inline void assert_no_cart(mc_store *st, const mc_cart_owner *o) {
  mc_cart *cart = (mc_cart *)st;
  ck_assert_int_eq(st->ops->cart_get(st, o, &cart), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(cart);
}

/* The number of rows in table (constant), read on a second handle. */
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

#endif
