/* store_carts.c - the carts aggregate's wrappers (mercato/store/carts.h): the owner and the
 * limits checked once here, for every adapter, before the adapter is called. */
#include "mercato/store/carts.h"

#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/rules/coupons.h"

#define PURGE_MAX 10000

void mc_cart_free(mc_cart *cart) {
  if (cart == NULL) return;
  free(cart->lines);
  free(cart->text);
  free(cart);
}

static int hash_ok(const char *h) {
  size_t n = 0;
  if (h == NULL) return 0;
  for (; h[n] != '\0' && n <= MC_CART_TOKEN_HASH_LEN; n++)
    if (!((h[n] >= '0' && h[n] <= '9') || (h[n] >= 'a' && h[n] <= 'f'))) return 0;
  return n == MC_CART_TOKEN_HASH_LEN;
}

int mc_cart_owner_valid(const mc_cart_owner *o) {
  if (o == NULL) return 0;
  if (o->user_id != NULL)
    return o->token_hash == NULL && o->new_token_hash == NULL && o->user_id[0] != '\0' &&
           strnlen(o->user_id, MC_ID_MAX) < MC_ID_MAX;
  if (o->token_hash == NULL && o->new_token_hash == NULL) return 0;
  return (o->token_hash == NULL || hash_ok(o->token_hash)) && (o->new_token_hash == NULL || hash_ok(o->new_token_hash));
}

/* Clears a write's outputs and checks what every write takes. */
static int write_ok(const mc_cart_owner *owner, const mc_cart_limits *limits, mc_cart **out) {
  if (out != NULL) *out = NULL;
  return mc_cart_owner_valid(owner) && mc_cart_limits_valid(limits);
}

/* A line write's product and quantity: MC_ERR_INVALID, MC_ERR_NOT_FOUND (no product has
 * such an id), or MC_OK. quantity < 0: none is given. */
static int line_ok(const mc_cart_limits *limits, const char *product_id, int64_t quantity) {
  if (product_id == NULL || (quantity >= 0 && (quantity < 1 || quantity > limits->max_quantity))) return MC_ERR_INVALID;
  return mc_id_valid(product_id, "prod") ? MC_OK : MC_ERR_NOT_FOUND;
}

int mc_store_cart_get(mc_store *st, const mc_cart_owner *owner, mc_cart **out) {
  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (!mc_cart_owner_valid(owner)) return MC_ERR_INVALID;
  if (owner->user_id == NULL && owner->token_hash == NULL) return MC_ERR_NOT_FOUND;
  return st->carts->get(st, owner, out);
}

int mc_store_cart_item_add(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                           const char *product_id, int64_t quantity, mc_cart **out, mc_refusal *why) {
  int err;
  if (!write_ok(owner, limits, out)) return MC_ERR_INVALID;
  if ((err = line_ok(limits, product_id, quantity)) == MC_ERR_NOT_FOUND)
    return mc_refuse(why, err, "unknown_product", "product_id", "There is no such product for sale.");
  if (err != MC_OK) return err;
  return st->carts->item_add(st, owner, limits, product_id, quantity, out, why);
}

int mc_store_cart_item_set(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                           const char *product_id, int64_t quantity, mc_cart **out, mc_refusal *why) {
  int err;
  if (!write_ok(owner, limits, out)) return MC_ERR_INVALID;
  if ((err = line_ok(limits, product_id, quantity)) == MC_ERR_NOT_FOUND) return mc_cart_refuse_not_in_cart(why);
  if (err != MC_OK) return err;
  return st->carts->item_set(st, owner, limits, product_id, quantity, out, why);
}

int mc_store_cart_item_remove(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                              const char *product_id, mc_cart **out, mc_refusal *why) {
  int err;
  if (!write_ok(owner, limits, out)) return MC_ERR_INVALID;
  if ((err = line_ok(limits, product_id, -1)) == MC_ERR_NOT_FOUND) return mc_cart_refuse_not_in_cart(why);
  if (err != MC_OK) return err;
  return st->carts->item_remove(st, owner, limits, product_id, out, why);
}

int mc_store_cart_clear(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits, mc_cart **out) {
  if (!write_ok(owner, limits, out)) return MC_ERR_INVALID;
  return st->carts->clear(st, owner, limits, out);
}

int mc_store_cart_coupon_set(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                             const char *coupon_id, mc_cart **out, mc_refusal *why) {
  if (!write_ok(owner, limits, out)) return MC_ERR_INVALID;
  if (coupon_id != NULL && !mc_id_valid(coupon_id, "cpn")) {
    mc_coupon_refuse(why, MC_COUPON_UNKNOWN, 0, NULL);
    return MC_ERR_NOT_FOUND;
  }
  return st->carts->coupon_set(st, owner, limits, coupon_id, out, why);
}

int mc_store_cart_merge(mc_store *st, const char *token_hash, const char *user_id, const mc_cart_limits *limits,
                        mc_cart **out) {
  mc_cart_owner guest = {.token_hash = token_hash}, customer = {.user_id = user_id};
  if (out != NULL) *out = NULL;
  if (token_hash == NULL || !mc_cart_owner_valid(&guest) || !mc_cart_owner_valid(&customer) ||
      !mc_cart_limits_valid(limits))
    return MC_ERR_INVALID;
  return st->carts->merge(st, token_hash, user_id, limits, out);
}

int mc_store_cart_purge_expired(mc_store *st, int64_t max, int64_t *out_count) {
  if (out_count != NULL) *out_count = 0;
  if (max < 1 || max > PURGE_MAX) return MC_ERR_INVALID;
  return st->carts->purge_expired(st, max, out_count);
}
