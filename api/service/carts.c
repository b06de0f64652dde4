/* carts.c - the cart service: guest cart tokens, whose cart a request is on, and the operations
 * behind the /cart routes (the view they answer with is cart_view.c's). */
#include "mercato/carts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/codec.h"
#include "mercato/auth.h"
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

mc_cart_limits mc_cart_limits_of(const mc_config *cfg, const mc_pricing_config *pricing) {
  int64_t ttl = (int64_t)cfg->guest_cart_ttl * 1000;
  return (mc_cart_limits){.max_quantity = cfg->cart_max_quantity,
                          .max_lines = cfg->cart_max_lines,
                          .guest_ttl_ms = ttl,
                          .guest_first_ttl_ms = ttl < MC_CART_GUEST_FIRST_TTL_MS ? ttl : MC_CART_GUEST_FIRST_TTL_MS,
                          .max_subtotal = mc_cart_subtotal_max(pricing)};
}

void mc_cart_outcome_clear(mc_cart_outcome *o) {
  free(o->body);
  mc_refusal_clear(&o->why);
  memset(o, 0, sizeof *o);
}

/* ---- abuse limits ----------------------------------------------------------------------------- */

#define GUEST_CART_WINDOW_S 3600
#define COUPON_WINDOW_S 600

/* The counter key for what, of the client (or of a cart): "rl:<what>:<client>". */
static void limit_key(char *key, size_t len, const char *what, const char *who) {
  snprintf(key, len, "rl:%s:%.80s", what, who != NULL && who[0] != '\0' ? who : "-");
}

static int rate_limited(mc_refusal *why, int64_t retry_after_s, const char *detail) {
  mc_refuse(why, MC_ERR_FORBIDDEN, "rate_limited", NULL, "%s", detail);
  mc_refusal_number_set(why, "retry_after", retry_after_s > 0 ? retry_after_s : 1);
  return MC_ERR_FORBIDDEN;
}

/* 1 while the client may make another guest cart now; else 0 with *retry_after_s. Read without
 * counting: only a write that does make a cart counts (guest_cart_made). Like every rate limit,
 * it lets the request through when the kv cannot answer. */
static int guest_cart_allowed(const mc_carts *c, const mc_cart_who *who, int64_t *retry_after_s) {
  char key[128];
  int64_t made = 0, left = 0;
  *retry_after_s = 0;
  if (c->kv == NULL) return 1;
  limit_key(key, sizeof key, "cart:new:ip", who->client);
  if (mc_kv_incr(c->kv, key, 0, GUEST_CART_WINDOW_S * 1000, &made) != MC_OK || made < c->cfg->rate_guest_cart_ip)
    return 1;
  if (mc_kv_pttl(c->kv, key, &left) != MC_OK || left < 0) left = GUEST_CART_WINDOW_S * 1000;
  *retry_after_s = (left + 999) / 1000;
  return 0;
}

static void guest_cart_made(const mc_carts *c, const mc_cart_who *who) {
  char key[128];
  int64_t retry = 0;
  if (c->kv == NULL) return;
  limit_key(key, sizeof key, "cart:new:ip", who->client);
  mc_rate_hit(c->kv, key, c->cfg->rate_guest_cart_ip, GUEST_CART_WINDOW_S, &retry);
}

/* Counts a coupon attempt against the client and against the cart (b's owner, when it names
 * one); MC_ERR_FORBIDDEN "rate_limited" past either limit. */
static int coupon_attempt(const mc_carts *c, const mc_cart_who *who, const owner_buf *b, mc_refusal *why) {
  const char *cart = b->owner.user_id != NULL ? b->owner.user_id : b->owner.token_hash;
  char key[128];
  int64_t retry = 0;
  if (c->kv == NULL) return MC_OK;
  limit_key(key, sizeof key, "coupon:ip", who->client);
  if (mc_rate_hit(c->kv, key, c->cfg->rate_coupon_ip, COUPON_WINDOW_S, &retry) != MC_OK)
    return rate_limited(why, retry, "Too many coupon codes tried from here; wait before trying again.");
  if (cart == NULL) return MC_OK;
  limit_key(key, sizeof key, "coupon:cart", cart);
  if (mc_rate_hit(c->kv, key, c->cfg->rate_coupon_cart, COUPON_WINDOW_S, &retry) != MC_OK)
    return rate_limited(why, retry, "Too many coupon codes tried on this cart; wait before trying again.");
  return MC_OK;
}

/* The owner for a write that may make a guest cart: without budget left, none may be made. A
 * write that then finds no cart ("no_cart") was stopped by the limit. */
static int creating_owner(const mc_carts *c, const mc_cart_who *who, owner_buf *b, int64_t *retry_after_s) {
  int err = owner_of(who, 1, b);
  *retry_after_s = 0;
  if (err == MC_OK && b->owner.user_id == NULL && !guest_cart_allowed(c, who, retry_after_s)) {
    b->owner.new_token_hash = NULL;
    if (b->owner.token_hash == NULL) err = MC_ERR_NOT_FOUND;
  }
  return err;
}

/* After a creating write: counts a cart it made, and turns "no cart may be made" into the rate
 * limit's refusal. */
static int creating_done(const mc_carts *c, const mc_cart_who *who, int err, int64_t retry_after_s,
                         mc_cart_outcome *out) {
  if (err == MC_OK && out->new_token) guest_cart_made(c, who);
  if ((err == MC_ERR_NOT_FOUND && retry_after_s > 0 &&
       (out->why.code == NULL || strcmp(out->why.code, "no_cart") == 0))) {
    mc_refusal_clear(&out->why);
    return rate_limited(&out->why, retry_after_s, "Too many new carts from here; wait before trying again.");
  }
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
  if (err == MC_OK) err = mc_store_cart_get(c->store, &b.owner, &cart);
  if (err == MC_ERR_NOT_FOUND) err = MC_OK;
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  mc_cart_free(cart);
  return err;
}

int mc_cart_add(const mc_carts *c, const mc_cart_who *who, const char *product_id, int64_t quantity,
                mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg, c->pricing);
  int64_t retry = 0;
  owner_buf b;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  err = creating_owner(c, who, &b, &retry);
  if (err == MC_OK) err = mc_store_cart_item_add(c->store, &b.owner, &limits, product_id, quantity, &cart, &out->why);
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  err = creating_done(c, who, err, retry, out);
  mc_cart_free(cart);
  return err;
}

/* A guest without a token has no line to change. */
static int no_line(int err, mc_cart_outcome *out) {
  if (err == MC_ERR_NOT_FOUND && out->why.code == NULL) return mc_cart_refuse_not_in_cart(&out->why);
  return err;
}

int mc_cart_set(const mc_carts *c, const mc_cart_who *who, const char *product_id, int64_t quantity,
                mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg, c->pricing);
  owner_buf b;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  err = owner_of(who, 0, &b);
  if (err == MC_OK) err = mc_store_cart_item_set(c->store, &b.owner, &limits, product_id, quantity, &cart, &out->why);
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  mc_cart_free(cart);
  return no_line(err, out);
}

int mc_cart_remove(const mc_carts *c, const mc_cart_who *who, const char *product_id, mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg, c->pricing);
  owner_buf b;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  err = owner_of(who, 0, &b);
  if (err == MC_OK) err = mc_store_cart_item_remove(c->store, &b.owner, &limits, product_id, &cart, &out->why);
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  mc_cart_free(cart);
  return no_line(err, out);
}

/* Clear and remove-coupon: a write that needs a cart, answering the empty view without one. */
static int cart_reset(const mc_carts *c, const mc_cart_who *who, int coupon_only, mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg, c->pricing);
  owner_buf b;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  err = owner_of(who, 0, &b);
  if (err == MC_OK)
    err = coupon_only ? mc_store_cart_coupon_set(c->store, &b.owner, &limits, NULL, &cart, NULL)
                      : mc_store_cart_clear(c->store, &b.owner, &limits, &cart);
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
 * in why when it does not. Customers learn no more of a code they may not use yet than of one
 * that does not exist. */
static int coupon_check(const mc_carts *c, const mc_cart_who *who, const owner_buf *b, const json_t *coupon,
                        mc_refusal *why) {
  mc_coupon_refusal r = MC_COUPON_APPLIES;
  mc_cart *cart = NULL;
  int err = MC_OK;

  if (b->owner.user_id != NULL || b->owner.token_hash != NULL) err = mc_store_cart_get(c->store, &b->owner, &cart);
  if (err == MC_ERR_NOT_FOUND) err = MC_OK;
  if (err == MC_OK)
    err = mc_coupon_evaluate(c->store, coupon, mc_cart_subtotal(cart), who->user_id, mc_now_ms(), &r, NULL);
  mc_cart_free(cart);
  if (err != MC_OK || r == MC_COUPON_APPLIES) return err;
  if (r == MC_COUPON_INACTIVE || r == MC_COUPON_NOT_STARTED) r = MC_COUPON_UNKNOWN;
  return mc_coupon_refuse(why, r, json_integer_value(json_object_get(coupon, "min_subtotal")), c->cfg->currency);
}

int mc_cart_apply_coupon(const mc_carts *c, const mc_cart_who *who, const char *code, mc_cart_outcome *out) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg, c->pricing);
  char normal[MC_COUPON_CODE_MAX + 1];
  int64_t retry = 0;
  owner_buf b;
  json_t *coupon = NULL;
  mc_cart *cart = NULL;
  int err;

  memset(out, 0, sizeof *out);
  err = creating_owner(c, who, &b, &retry);
  if (err == MC_ERR_NOT_FOUND) return creating_done(c, who, err, retry, out);
  if (err == MC_OK) err = coupon_attempt(c, who, &b, &out->why);
  if (err != MC_OK) return err;
  /* A code that cannot be one is simply not a coupon we have. */
  if (code == NULL || mc_coupon_normalise_code(code, normal) != MC_OK) err = MC_ERR_NOT_FOUND;
  else err = mc_store_coupon_get_by_code(c->store, normal, &coupon);
  if (err == MC_ERR_NOT_FOUND) return mc_coupon_refuse(&out->why, MC_COUPON_UNKNOWN, 0, NULL);
  if (err == MC_OK) err = coupon_check(c, who, &b, coupon, &out->why);
  if (err == MC_OK)
    err = mc_store_cart_coupon_set(c->store, &b.owner, &limits, json_string_value(json_object_get(coupon, "id")),
                                   &cart, &out->why);
  if (err == MC_OK) err = answer(c, who, &b, cart, out);
  err = creating_done(c, who, err, retry, out);
  /* Deleted between the lookup and the write: unknown, as the store said. */
  if (err == MC_ERR_NOT_FOUND) err = MC_ERR_INVALID;
  json_decref(coupon);
  mc_cart_free(cart);
  return err;
}

int mc_cart_merge(const mc_carts *c, const char *user_id, const char *token, int *merged) {
  mc_cart_limits limits = mc_cart_limits_of(c->cfg, c->pricing);
  char hash[MC_CART_TOKEN_HASH_LEN + 1];
  int err;

  if (merged != NULL) *merged = 0;
  if (user_id == NULL) return MC_ERR_INVALID;
  if (!mc_cart_token_valid(token)) return MC_OK;
  token_hash(token, hash);
  err = mc_store_cart_merge(c->store, hash, user_id, &limits, NULL);
  if (err == MC_ERR_NOT_FOUND) return MC_OK;
  if (err == MC_OK) {
    if (merged != NULL) *merged = 1;
    mc_info("carts", "merged a guest cart into the cart of %s", user_id);
  }
  return err;
}
