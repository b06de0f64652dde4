/* carts.h - the cart service: a customer's or a guest's cart as the API shows it (lines with
 * warnings, server-side totals from mc_pricing_compute, the coupon checked by
 * mc_coupon_evaluate) and the operations on it. No HTTP types here; the store does every change
 * atomically (mercato/store.h, carts section), so nothing here reads, decides and writes back.
 *
 * Guest carts are named by a token: 32 random bytes in unpadded base64url, given to the guest
 * once and stored only as its SHA-256. Only a token this service made can name a cart: one
 * that names no live cart is ignored, and a write then makes a new cart with a new token. */
#ifndef MERCATO_CARTS_H
#define MERCATO_CARTS_H

#include <stddef.h>
#include <stdint.h>

#include "mercato/config.h"
#include "mercato/kv.h"
#include "mercato/pricing.h"
#include "mercato/refusal.h"
#include "mercato/rules/coupons.h"
#include "mercato/store/carts.h"

#define MC_CART_TOKEN_LEN 43 /* 32 bytes of base64url without padding */

/* The settings and ports the service works with; a handler builds one per request on its stack,
 * borrowing all four. */
typedef struct mc_carts {
  const mc_config *cfg;              /* cart limits, guest lifetime, currency, rate limits */
  const mc_pricing_config *pricing;  /* shipping and tax, checked at start-up */
  mc_store *store;
  mc_kv *kv;                         /* rate-limit counters; NULL: no limits (unit tests) */
} mc_carts;

/* Who is asking: a signed-in customer, or a guest with the token they sent (NULL for none). A
 * customer's request never looks at a token (merging at sign-in is mc_cart_merge's). client is
 * the address the request came from (as the HTTP layer tells it), which the abuse limits count
 * by; NULL counts as one shared client. */
typedef struct mc_cart_who {
  const char *user_id;
  const char *token;
  const char *client;
} mc_cart_who;

/* What an operation answers. On MC_OK, body is the answer {"cart": Cart} (see below) as
 * compact JSON text, and, for a guest who has a cart, token its token (new_token 1 when this
 * call made the cart). The view is written as text straight from the store's mc_cart, not
 * through JSON values: GET /cart is the cart's hot path. A refusal returns its mc_err with why
 * filled (the store's and the rules' codes, rules/carts.h and rules/coupons.h):
 *   MC_ERR_NOT_FOUND  "not_in_cart" (set/remove), "unknown_product" (add: unknown or inactive)
 *   MC_ERR_CONFLICT   "insufficient_stock" (available), "cart_full" (limit)
 *   MC_ERR_INVALID    "line_limit" (available), "total_limit" (limit), "coupon_<refusal>"
 *                     (apply; minimum for coupon_below_minimum)
 *   MC_ERR_FORBIDDEN  "rate_limited" (retry_after, seconds): too many new guest carts or
 *                     coupon attempts from one client or on one cart
 * Other errors (MC_ERR_UNAVAILABLE, MC_ERR_INTERNAL) leave why's code NULL. */
typedef struct mc_cart_outcome {
  char *body;                         /* owned: mc_cart_outcome_clear; NUL-terminated */
  size_t len;
  char token[MC_CART_TOKEN_LEN + 1];  /* "" for a customer or a guest without a cart */
  int new_token;
  mc_refusal why;                     /* owned: mc_cart_outcome_clear */
} mc_cart_outcome;

/* The Cart view:
 *   {"id": "crt_..." | null, "token": string | null (guests only), "items": [Line],
 *    "item_count", "coupon": {"code", "kind", "value", "discount"} | null,
 *    "coupon_problem": {"code": "coupon_<refusal>", "message"} | null,
 *    "totals": {"subtotal", "discount", "shipping", "tax", "total", "currency", "tax_inclusive"},
 *    "checkout_ready": bool, "updated_at": RFC 3339 | null}
 *   Line: {"product_id", "name", "slug", "image": {"url", "width", "height", "alt"} | null,
 *          "unit_price" (current), "quantity", "line_total", "discount", "currency",
 *          "available" (stock; 0 when inactive), "warnings": [...]}
 * Warnings: price_changed (previous_price: what the customer saw), insufficient_stock
 * (available), out_of_stock, unavailable (deactivated). Every warning blocks checkout; a line
 * with out_of_stock or unavailable is not counted in the totals. */

/* Writes the answer {"cart": Cart} for the stored cart (borrowed; NULL: the empty cart) of the
 * customer user_id (NULL for a guest, whose token, or NULL, goes in "token") into *out_body (a
 * new NUL-terminated buffer the caller frees) and *out_len (cart_view.c). Prices it with
 * c->pricing and reads and checks its coupon (mc_coupon_evaluate). */
int mc_cart_view(const mc_carts *c, const mc_cart *cart, const char *user_id, const char *token, char **out_body,
                 size_t *out_len);

/* The subtotal of the lines that count in the totals (active and in stock) at current prices. */
int64_t mc_cart_subtotal(const mc_cart *cart);

/* Frees what o holds and empties it (safe on an empty or cleared outcome). */
void mc_cart_outcome_clear(mc_cart_outcome *o);

/* 1 when token has the shape of a cart token (43 base64url characters), else 0. */
int mc_cart_token_valid(const char *token);

/* The cart limits the configuration and the pricing set (the store enforces them): a new
 * guest cart lives MC_CART_GUEST_FIRST_TTL_MS (or the whole guest lifetime when that is
 * shorter) until its second write; no cart may come to more than mc_cart_subtotal_max. */
mc_cart_limits mc_cart_limits_of(const mc_config *cfg, const mc_pricing_config *pricing);

/* GET /cart: the cart of who, or an empty view (id and token null) when there is none. */
int mc_cart_get(const mc_carts *c, const mc_cart_who *who, mc_cart_outcome *out);

/* Adds quantity (1..max quantity, checked by the caller) of product_id, making the cart on a
 * first write. A client makes at most cfg->rate_guest_cart_ip guest carts an hour: past that,
 * a write that would make one is "rate_limited". */
int mc_cart_add(const mc_carts *c, const mc_cart_who *who, const char *product_id, int64_t quantity,
                mc_cart_outcome *out);

/* Sets the line's quantity (1..max quantity), accepting the current price. */
int mc_cart_set(const mc_carts *c, const mc_cart_who *who, const char *product_id, int64_t quantity,
                mc_cart_outcome *out);

/* Removes the line. */
int mc_cart_remove(const mc_carts *c, const mc_cart_who *who, const char *product_id, mc_cart_outcome *out);

/* Empties the cart (lines and coupon); with no cart, answers the empty view. */
int mc_cart_clear(const mc_carts *c, const mc_cart_who *who, mc_cart_outcome *out);

/* Applies the coupon code (as typed) when it applies to the cart as it is now, replacing any
 * other; a refused code changes nothing. Makes the cart on a first write. Customers are told
 * coupon_unknown for a code that is inactive or not started yet too, so guessing codes does
 * not reveal promotions to come (admins see the coupon's state); attempts are limited per
 * client and per cart (cfg->rate_coupon_ip, rate_coupon_cart per 10 minutes). */
int mc_cart_apply_coupon(const mc_carts *c, const mc_cart_who *who, const char *code, mc_cart_outcome *out);

/* Takes the coupon off; with no cart, answers the empty view. */
int mc_cart_remove_coupon(const mc_carts *c, const mc_cart_who *who, mc_cart_outcome *out);

/* At sign-in: moves the guest cart named by token into user_id's cart (mc_store cart_merge) and
 * deletes it. MC_OK also when token is NULL, malformed or names no live cart (nothing to
 * merge); *merged (may be NULL) says whether a cart was merged. */
int mc_cart_merge(const mc_carts *c, const char *user_id, const char *token, int *merged);

#endif
