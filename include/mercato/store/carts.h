/* store/carts.h - the carts aggregate of the storage port. Callers use the mc_store_cart_*
 * wrappers (api/store/store_carts.c), which check the owner and the limits before dispatching;
 * an adapter fills mc_store_cart_ops and implements storage and atomicity only: each write reads
 * what it decides on inside one transaction and lets the rules decide (mc_cart_plan_add,
 * mc_cart_plan_set, mc_cart_plan_merge, mc_cart_guest_expiry in rules/carts.h).
 *
 * One cart per customer (kept until the account goes) and any number of guest carts, each
 * alive until expires_at; an expired guest cart is treated as absent and purged. A new guest
 * cart lives limits->guest_first_ttl_ms, and from its second write on guest_ttl_ms after each
 * write. Carts come back as mc_cart: the lines joined to their products as they are now.
 * Deleting a product removes its lines from every cart; deleting a coupon takes it off every
 * cart. Every write is one transaction that checks the limits against the rows it changes, so
 * concurrent writers (threads or processes) never take a line past stock or the limits, and a
 * refused write changes nothing (not even a cart it would have created). Every write that
 * succeeds sets updated_at and writes the cart as it committed to *out (the caller's,
 * mc_cart_free; out may be NULL). owner and limits are borrowed; MC_ERR_INVALID for a
 * malformed owner or limits. Refusals fill why (may be NULL) with the rules' codes. */
#ifndef MERCATO_STORE_CARTS_H
#define MERCATO_STORE_CARTS_H

#include <stddef.h>
#include <stdint.h>

#include "mercato/id.h"
#include "mercato/refusal.h"
#include "mercato/rules/carts.h"
#include "mercato/store.h"

/* A guest cart is named by the SHA-256 of its token, in lower-case hex; the token itself is
 * never stored. */
#define MC_CART_TOKEN_HASH_LEN 64

/* Whose cart an operation is on: exactly one of user_id and token_hash (writes that may create
 * a guest cart have new_token_hash, and token_hash may then be NULL too). */
typedef struct mc_cart_owner {
  const char *user_id;        /* a customer's cart ("usr_..."), or NULL for a guest */
  const char *token_hash;     /* a guest: the hash of the token presented, or NULL for none */
  const char *new_token_hash; /* a guest write that may create: when no live cart has
                               * token_hash, a new cart is made under this hash (the caller's
                               * fresh token); NULL: never create */
} mc_cart_owner;

/* A cart as the carts operations return it: the cart, then its lines joined to their products
 * as they are now, in the order added (added_at, then product id). One shape for every adapter,
 * typed rather than a JSON document because GET /cart reads it on every request. The strings
 * belong to the cart: free the whole with mc_cart_free. */
typedef struct mc_cart_line {
  const char *product_id;
  const char *name;
  const char *slug;
  const char *currency;
  int64_t quantity;
  int64_t unit_price;   /* the price the customer last saw: set when the line was added or its
                         * quantity last changed */
  int64_t price;        /* the product's price now */
  int64_t stock;
  int active;
  int64_t added_at;     /* ms since the epoch */
  const char *image_url; /* the product's first image, or NULL when it has none */
  int64_t image_width, image_height;
} mc_cart_line;

typedef struct mc_cart {
  char id[MC_ID_MAX];                         /* "crt_..." */
  char user_id[MC_ID_MAX];                    /* "" for a guest's cart */
  char token_hash[MC_CART_TOKEN_HASH_LEN + 1]; /* "" for a customer's cart */
  char coupon_id[MC_ID_MAX];                  /* "" without a coupon */
  int64_t created_at, updated_at;             /* ms since the epoch */
  int64_t expires_at;                         /* ms since the epoch; 0 for a customer's cart */
  size_t count;                               /* lines */
  mc_cart_line *lines;                        /* owned */
  char *text;                                 /* owned: the lines' strings */
} mc_cart;

/* Frees cart and its lines (NULL is fine). */
void mc_cart_free(mc_cart *cart);

/* 1 when o names a customer ("usr_..."), or a guest with at least one well-formed hash, never
 * both. */
int mc_cart_owner_valid(const mc_cart_owner *o);

/* What an adapter implements; the wrappers below have checked owner and limits. */
struct mc_store_cart_ops {
  int (*get)(mc_store *st, const mc_cart_owner *owner, mc_cart **out);
  int (*item_add)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits, const char *product_id,
                  int64_t quantity, mc_cart **out, mc_refusal *why);
  int (*item_set)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits, const char *product_id,
                  int64_t quantity, mc_cart **out, mc_refusal *why);
  int (*item_remove)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                     const char *product_id, mc_cart **out, mc_refusal *why);
  int (*clear)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits, mc_cart **out);
  int (*coupon_set)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits, const char *coupon_id,
                    mc_cart **out, mc_refusal *why);
  int (*merge)(mc_store *st, const char *token_hash, const char *user_id, const mc_cart_limits *limits,
               mc_cart **out);
  int (*purge_expired)(mc_store *st, int64_t max, int64_t *out_count);
};

/* Writes owner's cart to *out (the caller's) in one query: MC_ERR_NOT_FOUND when there is
 * none (or it expired). */
int mc_store_cart_get(mc_store *st, const mc_cart_owner *owner, mc_cart **out);

/* Adds quantity (1..limits->max_quantity) of product_id to the cart, creating the cart if
 * needed (a customer's always; a guest's with owner->new_token_hash) and the line at the
 * current price, or adding to the line's quantity and recording the current price as seen;
 * mc_cart_plan_add decides (its refusals). MC_ERR_NOT_FOUND "no_cart" when there is no cart
 * and none may be created. */
int mc_store_cart_item_add(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                           const char *product_id, int64_t quantity, mc_cart **out, mc_refusal *why);

/* Sets the line's quantity (1..limits->max_quantity) and records the current price as seen;
 * mc_cart_plan_set decides ("not_in_cart" also when there is no cart). Never creates a cart. */
int mc_store_cart_item_set(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                           const char *product_id, int64_t quantity, mc_cart **out, mc_refusal *why);

/* Removes the line; MC_ERR_NOT_FOUND "not_in_cart" when there is no such line (or no cart). */
int mc_store_cart_item_remove(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                              const char *product_id, mc_cart **out, mc_refusal *why);

/* Removes every line and the coupon; MC_ERR_NOT_FOUND when there is no cart. */
int mc_store_cart_clear(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits, mc_cart **out);

/* Puts coupon_id on the cart, replacing any other, creating the cart as item_add does;
 * MC_ERR_NOT_FOUND "coupon_unknown" when there is no such coupon, "no_cart" when there is no
 * cart and none may be created. coupon_id NULL takes the coupon off instead (MC_ERR_NOT_FOUND
 * "no_cart" when there is no cart; a cart without a coupon is fine). Whether the coupon applies
 * is the caller's to decide. */
int mc_store_cart_coupon_set(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                             const char *coupon_id, mc_cart **out, mc_refusal *why);

/* Moves the live guest cart token_hash into the customer user_id's cart (created if needed)
 * and deletes the guest cart, as mc_cart_plan_merge plans it from the two carts and the
 * products as read. The guest's coupon carries over when the customer's cart has none.
 * MC_ERR_NOT_FOUND when there is no live guest cart with token_hash (nothing changes). */
int mc_store_cart_merge(mc_store *st, const char *token_hash, const char *user_id, const mc_cart_limits *limits,
                        mc_cart **out);

/* Deletes up to max (1..10000) guest carts that expired, oldest first; *out_count (may be
 * NULL) gets how many. Cheap when there are none (an index range). Creating a guest cart
 * also purges a few, so that a shop without a scheduler does not accumulate them. */
int mc_store_cart_purge_expired(mc_store *st, int64_t max, int64_t *out_count);

#endif
