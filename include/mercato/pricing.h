/* pricing.h - the one place where a cart's or an order's money is computed: line totals,
 * subtotal, coupon discount, shipping, tax and total, all in int64 minor units of the shop's
 * currency. Pure functions with no I/O, so carts, checkout and order records agree to the cent.
 *
 * The rules, in order:
 *   line_total   = unit_price x quantity
 *   subtotal     = sum of line totals
 *   discount     = percent: subtotal x percent / 100, rounded half away from zero;
 *                  fixed: the coupon's amount; either way at most the subtotal, so the goods
 *                  never cost less than zero. It is shared out over the lines in proportion to
 *                  their totals (largest remainder, ties to the earlier line), so the lines'
 *                  discounts add up to the discount exactly and none exceeds its line.
 *   goods        = subtotal - discount
 *   shipping     = 0 for an empty cart, or when free_shipping_threshold > 0 and
 *                  goods >= free_shipping_threshold; shipping_flat otherwise. Not taxed.
 *   tax          = exclusive prices: goods x rate, rounded half away from zero, added on top;
 *                  inclusive prices: the tax already inside goods, goods x rate / (1 + rate),
 *                  rounded half away from zero, reported and not added.
 *   total        = goods + shipping (+ tax when exclusive)
 * The rate is in basis points (2000 = 20%). Tax is computed once on the goods total, not per
 * line, so rounding happens once. */
#ifndef MERCATO_PRICING_H
#define MERCATO_PRICING_H

#include <stddef.h>
#include <stdint.h>

#define MC_PRICING_TAX_RATE_MAX 10000 /* basis points: 100% */

typedef struct mc_pricing_config {
  int64_t shipping_flat;           /* 0..MC_MONEY_MAX: charged unless shipping is free */
  int64_t free_shipping_threshold; /* 0..MC_MONEY_MAX: goods at or above it ship free; 0: never */
  int tax_rate_bp;                 /* 0..MC_PRICING_TAX_RATE_MAX basis points */
  int tax_inclusive;               /* 1: prices include tax; 0: tax is added on top */
} mc_pricing_config;

typedef enum mc_coupon_kind {
  MC_COUPON_NONE = 0,
  MC_COUPON_PERCENT, /* value 1..100 */
  MC_COUPON_FIXED    /* value 1..MC_MONEY_MAX minor units */
} mc_coupon_kind;

typedef struct mc_pricing_coupon {
  mc_coupon_kind kind;
  int64_t value;
} mc_pricing_coupon;

/* One line: the caller fills unit_price (0..MC_MONEY_MAX) and quantity (1..10000); the
 * computation fills line_total and discount (this line's share of the order discount). */
typedef struct mc_pricing_line {
  int64_t unit_price;
  int64_t quantity;
  int64_t line_total; /* out */
  int64_t discount;   /* out */
} mc_pricing_line;

typedef struct mc_pricing_totals {
  int64_t subtotal;
  int64_t discount;
  int64_t shipping;
  int64_t tax;   /* included in total only when prices are tax-exclusive */
  int64_t total;
} mc_pricing_totals;

/* Returns MC_OK when cfg holds values in the ranges above, MC_ERR_INVALID otherwise. */
int mc_pricing_config_check(const mc_pricing_config *cfg);

/* Computes lines[0..n) (n may be 0; lines borrowed and filled in place) with coupon (borrowed,
 * NULL or kind MC_COUPON_NONE for none) under cfg, writing the totals to *out. MC_ERR_INVALID
 * for a bad cfg, line or coupon, or when a sum leaves the money range; *out and the lines'
 * outputs are all zero then. */
int mc_pricing_compute(const mc_pricing_config *cfg, mc_pricing_line *lines, size_t n,
                       const mc_pricing_coupon *coupon, mc_pricing_totals *out);

#endif
