/* carts.c - the cart service: guest cart tokens, whose cart a request is on, and the operations
 * behind the /cart routes (the view they answer with is cart_view.c's). */
#include "mercato/carts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/codec.h"
#include "mercato/coupons.h"
#include "mercato/digest.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/rand.h"

#define TOKEN_BYTES 32

/* ---- tokens --------------------------------------------------------------------------------- */

int mc_cart_token_valid(const char *token) {
  unsigned char b[TOKEN_BYTES];
  size_t n = 0;
  /* 32 bytes fill 43 characters but for 2 bits, which the decoder wants zero as we make them. */
  return token != NULL && strnlen(token, MC_CART_TOKEN_LEN + 1) == MC_CART_TOKEN_LEN &&
         mc_base64_decode(MC_BASE64_URL, token, MC_CART_TOKEN_LEN, b, sizeof b, &n) && n == TOKEN_BYTES;
}

/* A new token: 32 random bytes, base64url without padding. */
static int token_new(char out[MC_CART_TOKEN_LEN + 1]) {
  unsigned char b[TOKEN_BYTES];

  if (mc_rand_bytes(b, TOKEN_BYTES) != MC_OK) return MC_ERR_INTERNAL;
  mc_base64_encode(MC_BASE64_URL, b, TOKEN_BYTES, out);
  return MC_OK;
}

/* The SHA-256 of token in lower-case hex: the only form of it the store keeps. */
static void token_hash(const char *token, char out[MC_CART_TOKEN_HASH_LEN + 1]) {
  mc_sha256_hex(token, strlen(token), out, MC_CART_TOKEN_HASH_LEN);
}

/* The store's owner for who. A guest's token counts only when well-formed; creating writes also
 * get a fresh token (into fresh) whose hash names the cart if one has to be made. */
typedef struct owner_buf {
  mc_cart_owner owner;
  char hash[MC_CART_TOKEN_HASH_LEN + 1];
  char new_hash[MC_CART_TOKEN_HASH_LEN + 1];
  char fresh[MC_CART_TOKEN_LEN + 1];
} owner_buf;

static int owner_of(const mc_cart_who *who, int creating, owner_buf *b) {
  memset(b, 0, sizeof *b);
  if (who->user_id != NULL) {
    b->owner.user_id = who->user_id;
    return MC_OK;
  }
  if (mc_cart_token_valid(who->token)) {
    token_hash(who->token, b->hash);
    b->owner.token_hash = b->hash;
  }
  if (creating) {
    if (token_new(b->fresh) != MC_OK) return MC_ERR_INTERNAL;
    token_hash(b->fresh, b->new_hash);
    b->owner.new_token_hash = b->new_hash;
  }
  return b->owner.token_hash != NULL || b->owner.new_token_hash != NULL ? MC_OK : MC_ERR_NOT_FOUND;
}

mc_cart_limits mc_cart_limits_of(const mc_config *cfg) {
  return (mc_cart_limits){.max_quantity = cfg->cart_max_quantity,
                          .max_lines = cfg->cart_max_lines,
                          .guest_ttl_ms = (int64_t)cfg->guest_cart_ttl * 1000};
}

void mc_cart_outcome_clear(mc_cart_outcome *o) {
  free(o->body);
  memset(o, 0, sizeof *o);
}

/* Sets a refusal on out and returns err. */
static int refuse(mc_cart_outcome *out, int err, const char *problem, int64_t available, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));
static int refuse(mc_cart_outcome *out, int err, const char *problem, int64_t available, const char *fmt, ...) {
  va_list ap;
  out->problem = problem;
  out->available = available;
  va_start(ap, fmt);
  vsnprintf(out->detail, sizeof out->detail, fmt, ap);
  va_end(ap);
  return err;
}

/* Fills out from the stored cart (borrowed; NULL for none) of who. A guest's token is the one
 * presented, or the fresh one when the cart was made under it. */
static int answer(const mc_carts *c, const mc_cart_who *who, const owner_buf *b, const mc_cart *cart,
                  mc_cart_outcome *out) {
  const char *token = NULL;
  if (who->user_id == NULL && cart != NULL) {
    out->new_token = b->owner.new_token_hash != NULL && strcmp(cart->token_hash, b->new_hash) == 0;
    token = out->new_token ? b->fresh : who->token;
    snprintf(out->token, sizeof out->token, "%s", token);
  }
  return mc_cart_view(c, cart, who->user_id, token, &out->body, &out->len);
}

/* ---- operations ------------------------------------------------------------------------------- */

int mc_cart_get(const mc_carts *c, const mc_cart_who *who, mc_cart_outcome *out) {
  owner_buf b;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  err = owner_of(who, 0, &b);
  if (err == MC_OK) err = c->store->ops->cart_get(c->store, &b.owner, &cart);
  if (err == MC_ERR_NOT_FOUND) err = MC_OK;
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  mc_cart_free(cart);
  return err;
}

/* Maps a refused line write of the store to the outcome. */
static int line_refusal(const mc_carts *c, int err, mc_cart_refusal why, int64_t available, int adding,
                        mc_cart_outcome *out) {
  if (err == MC_ERR_NOT_FOUND && adding)
    return refuse(out, err, "unknown_product", 0, "There is no such product for sale.");
  if (err == MC_ERR_NOT_FOUND) return refuse(out, err, "not_in_cart", 0, "The cart has no line for this product.");
  if (err != MC_ERR_CONFLICT) return err;
  switch (why) {
  case MC_CART_REFUSAL_STOCK:
    return refuse(out, err, "insufficient_stock", available,
                  available > 0 ? "Only %lld of this product are in stock." : "None of this product is in stock.",
                  (long long)available);
  case MC_CART_REFUSAL_QUANTITY:
    return refuse(out, MC_ERR_INVALID, "line_limit", available,
                  "A line holds at most %d; this one can take %lld more.", c->cfg->cart_max_quantity,
                  (long long)available);
  case MC_CART_REFUSAL_LINES:
    return refuse(out, err, "cart_full", available, "A cart holds at most %lld different products.",
                  (long long)available);
  default: return MC_ERR_INTERNAL;
  }
}

int mc_cart_add(const mc_carts *c, const mc_cart_who *who, const char *product_id, int64_t quantity,
                mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg);
  mc_cart_refusal why = MC_CART_REFUSAL_NONE;
  int64_t available = 0;
  owner_buf b;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  if ((err = owner_of(who, 1, &b)) != MC_OK) return err;
  err = c->store->ops->cart_item_add(c->store, &b.owner, &limits, product_id, quantity, &why, &available, &cart);
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  else err = line_refusal(c, err, why, available, 1, out);
  mc_cart_free(cart);
  return err;
}

int mc_cart_set(const mc_carts *c, const mc_cart_who *who, const char *product_id, int64_t quantity,
                mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg);
  mc_cart_refusal why = MC_CART_REFUSAL_NONE;
  int64_t available = 0;
  owner_buf b;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  err = owner_of(who, 0, &b);
  if (err == MC_OK)
    err = c->store->ops->cart_item_set(c->store, &b.owner, &limits, product_id, quantity, &why, &available, &cart);
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  else err = line_refusal(c, err, why, available, 0, out);
  mc_cart_free(cart);
  return err;
}

int mc_cart_remove(const mc_carts *c, const mc_cart_who *who, const char *product_id, mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg);
  owner_buf b;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  err = owner_of(who, 0, &b);
  if (err == MC_OK) err = c->store->ops->cart_item_remove(c->store, &b.owner, &limits, product_id, &cart);
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  else err = line_refusal(c, err, MC_CART_REFUSAL_NONE, 0, 0, out);
  mc_cart_free(cart);
  return err;
}

/* Clear and remove-coupon: a write that needs a cart, answering the empty view without one. */
static int cart_reset(const mc_carts *c, const mc_cart_who *who, int coupon_only, mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg);
  owner_buf b;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  err = owner_of(who, 0, &b);
  if (err == MC_OK)
    err = coupon_only ? c->store->ops->cart_coupon_set(c->store, &b.owner, &limits, NULL, &cart)
                      : c->store->ops->cart_clear(c->store, &b.owner, &limits, &cart);
  if (err == MC_ERR_NOT_FOUND) err = MC_OK;
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  mc_cart_free(cart);
  return err;
}

int mc_cart_clear(const mc_carts *c, const mc_cart_who *who, mc_cart_outcome *out) {
  return cart_reset(c, who, 0, out);
}

int mc_cart_remove_coupon(const mc_carts *c, const mc_cart_who *who, mc_cart_outcome *out) {
  return cart_reset(c, who, 1, out);
}

/* Decides whether coupon applies to who's cart as it is now; MC_ERR_INVALID with the refusal
 * on out when it does not. */
static int coupon_check(const mc_carts *c, const mc_cart_who *who, const owner_buf *b, const json_t *coupon,
                        mc_cart_outcome *out) {
  mc_coupon_refusal r = MC_COUPON_APPLIES;
  mc_cart *cart = NULL;
  int err = MC_OK;

  if (b->owner.user_id != NULL || b->owner.token_hash != NULL) err = c->store->ops->cart_get(c->store, &b->owner, &cart);
  if (err == MC_ERR_NOT_FOUND) err = MC_OK;
  if (err == MC_OK)
    err = mc_coupon_evaluate(c->store, coupon, mc_cart_subtotal(cart), who->user_id, mc_now_ms(), &r, NULL);
  mc_cart_free(cart);
  if (err != MC_OK || r == MC_COUPON_APPLIES) return err;
  mc_cart_coupon_message(r, json_integer_value(json_object_get(coupon, "min_subtotal")), c->cfg->currency,
                         out->detail, sizeof out->detail);
  out->problem = mc_cart_coupon_problem(r);
  if (r == MC_COUPON_BELOW_MINIMUM) out->minimum = json_integer_value(json_object_get(coupon, "min_subtotal"));
  return MC_ERR_INVALID;
}

int mc_cart_apply_coupon(const mc_carts *c, const mc_cart_who *who, const char *code, mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg);
  char normal[MC_COUPON_CODE_MAX + 1];
  owner_buf b;
  json_t *coupon = NULL;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  /* A code that cannot be one is simply not a coupon we have. */
  if (code == NULL || mc_coupon_normalise_code(code, normal) != MC_OK)
    return refuse(out, MC_ERR_INVALID, "coupon_unknown", 0, "There is no coupon with this code.");
  if ((err = owner_of(who, 1, &b)) != MC_OK) return err;
  err = c->store->ops->coupon_get_by_code(c->store, normal, &coupon);
  if (err == MC_ERR_NOT_FOUND)
    return refuse(out, MC_ERR_INVALID, "coupon_unknown", 0, "There is no coupon with this code.");
  if (err == MC_OK) err = coupon_check(c, who, &b, coupon, out);
  if (err == MC_OK)
    err = c->store->ops->cart_coupon_set(c->store, &b.owner, &limits,
                                         json_string_value(json_object_get(coupon, "id")), &cart);
  /* Deleted between the lookup and the write. */
  if (err == MC_ERR_NOT_FOUND && out->problem == NULL)
    err = refuse(out, MC_ERR_INVALID, "coupon_unknown", 0, "There is no coupon with this code.");
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  json_decref(coupon);
  mc_cart_free(cart);
  return err;
}

int mc_cart_merge(const mc_carts *c, const char *user_id, const char *token, int *merged) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg);
  char hash[MC_CART_TOKEN_HASH_LEN + 1];
  int err;

  if (merged != NULL) *merged = 0;
  if (user_id == NULL) return MC_ERR_INVALID;
  if (!mc_cart_token_valid(token)) return MC_OK;
  token_hash(token, hash);
  err = c->store->ops->cart_merge(c->store, hash, user_id, &limits, NULL);
  if (err == MC_ERR_NOT_FOUND) return MC_OK;
  if (err == MC_OK) {
    if (merged != NULL) *merged = 1;
    mc_info("carts", "merged a guest cart into the cart of %s", user_id);
  }
  return err;
}
