/* rules/carts.h - the cart's rules, stated once: its limits, and the add, set and merge
 * policies as pure functions that a store adapter calls inside its own write transaction with
 * the rows it read (the product's price, stock and flag; the cart's line and size), then writes
 * what they decided. No I/O; openapi.yaml states the same numbers. */
#ifndef MERCATO_RULES_CARTS_H
#define MERCATO_RULES_CARTS_H

#include <stddef.h>
#include <stdint.h>

#include "mercato/id.h"
#include "mercato/money.h"
#include "mercato/pricing.h"
#include "mercato/refusal.h"

#define MC_CART_QUANTITY_MAX 10000 /* the schema's bound on a line's quantity */
#define MC_CART_LINES_MAX 1000     /* the largest max_lines a caller may ask for */
/* Ten years: keeps now + ttl far from overflowing and still means "practically forever". */
#define MC_CART_GUEST_TTL_MS_MAX (INT64_C(10) * 366 * 24 * 3600 * 1000)
/* How long a new guest cart lives until its second write: most carts made by a visitor who
 * never comes back (or by a script) go within a day instead of the full guest lifetime. */
#define MC_CART_GUEST_FIRST_TTL_MS (INT64_C(24) * 3600 * 1000)

/* The limits every cart write enforces, inside its transaction. */
typedef struct mc_cart_limits {
  int64_t max_quantity;  /* 1..MC_CART_QUANTITY_MAX: the most one line may hold */
  int64_t max_lines;     /* 1..MC_CART_LINES_MAX: the most distinct products in a cart */
  int64_t guest_ttl_ms;  /* 1..MC_CART_GUEST_TTL_MS_MAX: a guest cart lives this long after
                          * its last write, from its second write on */
  int64_t guest_first_ttl_ms; /* 0..guest_ttl_ms: a new guest cart lives this long until its
                               * second write; 0: guest_ttl_ms */
  int64_t max_subtotal;  /* 0..MC_MONEY_MAX: the most the cart's lines may add up to at current
                          * prices (so its totals can always be computed: mc_cart_subtotal_max);
                          * 0: MC_MONEY_MAX */
} mc_cart_limits;

/* 1 when l is within the ranges above. */
int mc_cart_limits_valid(const mc_cart_limits *l);

/* The largest subtotal whose totals (shipping and tax added per pricing) stay within
 * MC_MONEY_MAX, so no cart the rules let through ever fails to price. */
int64_t mc_cart_subtotal_max(const mc_pricing_config *pricing);

/* When a guest cart expires after a write at now_ms: created is 1 when this write made it. */
int64_t mc_cart_guest_expiry(const mc_cart_limits *l, int created, int64_t now_ms);

/* What a line write decides on, as the adapter read it in its transaction. */
typedef struct mc_cart_line_state {
  int found;          /* the product exists */
  int active;
  int64_t price, stock;
  int64_t quantity;   /* the cart's line for it; 0: no line */
  int64_t lines;      /* lines in the cart */
  int64_t others;     /* what the cart's other lines come to at current prices (saturating at
                       * MC_MONEY_MAX + 1) */
} mc_cart_line_state;

/* Adding quantity (1..l->max_quantity) of the product to the cart: MC_OK with *out_quantity
 * the line's new quantity, or a refusal in why (may be NULL): MC_ERR_NOT_FOUND
 * "unknown_product" (no such product, or inactive); MC_ERR_CONFLICT "cart_full" (a new line
 * past max_lines; number limit), "insufficient_stock" (number available: the stock);
 * MC_ERR_INVALID "line_limit" (past max_quantity; number available: what the line may still
 * take), "total_limit" (the cart would pass max_subtotal; number limit). In that order. */
int mc_cart_plan_add(const mc_cart_limits *l, const mc_cart_line_state *s, int64_t quantity, int64_t *out_quantity,
                     mc_refusal *why);

/* Setting the line's quantity (1..l->max_quantity): MC_OK, or MC_ERR_NOT_FOUND "not_in_cart"
 * (no such line), MC_ERR_CONFLICT "insufficient_stock" (an inactive product has none: number
 * available 0), MC_ERR_INVALID "total_limit". */
int mc_cart_plan_set(const mc_cart_limits *l, const mc_cart_line_state *s, int64_t quantity, mc_refusal *why);

/* A guest line beside the customer's line for the same product, as a merge reads them. */
typedef struct mc_cart_merge_line {
  char product_id[MC_ID_MAX];
  int64_t quantity, unit_price, added_at; /* the guest's line */
  int64_t price, stock;                   /* the product now */
  int active;
  int64_t have, have_price;               /* the customer's line; have 0: none */
  int64_t put;                            /* out: the quantity to write; 0: leave the line */
  int64_t put_price;                      /* out: the price the customer saw, kept */
} mc_cart_merge_line;

/* Plans moving a guest's lines (in the order they were added) into a customer's cart that
 * has customer_lines lines coming to customer_subtotal at current prices: each guest line adds
 * its quantity to the customer's line, capped by the stock and max_quantity (never lowering
 * it), or becomes a new line while the cart has fewer than max_lines; lines of inactive or
 * sold-out products are dropped, and a line that would take the cart past max_subtotal is
 * left out. Fills each line's put and put_price. */
void mc_cart_plan_merge(const mc_cart_limits *l, mc_cart_merge_line *lines, size_t n, int64_t customer_lines,
                        int64_t customer_subtotal);

/* The refusals the cart's other writes fill: no line for the product (MC_ERR_NOT_FOUND
 * "not_in_cart"). */
int mc_cart_refuse_not_in_cart(mc_refusal *why);

#endif
