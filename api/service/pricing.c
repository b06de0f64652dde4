/* pricing.c - a cart's or an order's money from its lines, coupon and the shop's shipping and
 * tax settings: integer minor units throughout, every sum range-checked, rounding in one place. */
#include "mercato/pricing.h"

#include "mercato/err.h"
#include "mercato/money.h"

#define PRICING_QUANTITY_MAX 10000
#define PRICING_PERCENT_MAX 100
#define PRICING_BP_ONE 10000 /* basis points in 100% */

int mc_pricing_config_check(const mc_pricing_config *cfg) {
  if (cfg == NULL) return MC_ERR_INVALID;
  if (cfg->shipping_flat < 0 || cfg->shipping_flat > MC_MONEY_MAX) return MC_ERR_INVALID;
  if (cfg->free_shipping_threshold < 0 || cfg->free_shipping_threshold > MC_MONEY_MAX)
    return MC_ERR_INVALID;
  if (cfg->tax_rate_bp < 0 || cfg->tax_rate_bp > MC_PRICING_TAX_RATE_MAX) return MC_ERR_INVALID;
  if (cfg->tax_inclusive != 0 && cfg->tax_inclusive != 1) return MC_ERR_INVALID;
  return MC_OK;
}

/* MC_OK when coupon (borrowed, may be NULL) is none or a kind with a value in its range. The
 * value of MC_COUPON_NONE is not looked at. */
static int coupon_check(const mc_pricing_coupon *coupon) {
  if (coupon == NULL) return MC_OK;
  switch (coupon->kind) {
  case MC_COUPON_NONE: return MC_OK;
  case MC_COUPON_PERCENT:
    return coupon->value >= 1 && coupon->value <= PRICING_PERCENT_MAX ? MC_OK : MC_ERR_INVALID;
  case MC_COUPON_FIXED:
    return coupon->value >= 1 && coupon->value <= MC_MONEY_MAX ? MC_OK : MC_ERR_INVALID;
  }
  return MC_ERR_INVALID; /* a value outside the enum */
}

/* The order discount for subtotal (>= 0) under coupon (borrowed, checked), at most subtotal. */
static int discount_of(const mc_pricing_coupon *coupon, int64_t subtotal, int64_t *out) {
  *out = 0;
  if (coupon == NULL || coupon->kind == MC_COUPON_NONE) return MC_OK;
  if (coupon->kind == MC_COUPON_PERCENT) return mc_money_ratio(subtotal, coupon->value, 100, out);
  *out = coupon->value < subtotal ? coupon->value : subtotal;
  return MC_OK;
}

/* A line's exact share of the discount is discount x line_total / subtotal; *whole gets its
 * whole part and the return value the remainder of that division (0..subtotal-1). discount
 * and line_total are both at most MC_MONEY_MAX, so the product fits in 128 bits. */
static int64_t share_of(int64_t discount, int64_t line_total, int64_t subtotal, int64_t *whole) {
  __int128 p = (__int128)discount * line_total;
  *whole = (int64_t)(p / subtotal);
  return (int64_t)(p % subtotal);
}

/* How many lines have a remainder of at least r. */
static size_t count_remainders_at_least(const mc_pricing_line *lines, size_t n, int64_t discount,
                                        int64_t subtotal, int64_t r) {
  size_t c = 0;
  int64_t whole;
  for (size_t i = 0; i < n; i++)
    if (share_of(discount, lines[i].line_total, subtotal, &whole) >= r) c++;
  return c;
}

/* Shares discount (0..subtotal, subtotal > 0 the sum of the lines' totals) out over lines in
 * proportion to their totals: each line gets the whole part of its share, then the `left`
 * units still unassigned (fewer than the lines with a fractional share) go one each to the
 * largest remainders, ties to the earlier line. Instead of sorting, which would need memory,
 * it finds by bisection the smallest remainder that still gets a unit. A line gets an extra
 * unit only when its share has a fraction, so no line's discount exceeds its total. */
static void allocate_discount(mc_pricing_line *lines, size_t n, int64_t discount,
                              int64_t subtotal) {
  int64_t left = discount;
  int64_t lo, hi, cut, whole;
  size_t above, ties_taken = 0;

  for (size_t i = 0; i < n; i++) {
    share_of(discount, lines[i].line_total, subtotal, &lines[i].discount);
    left -= lines[i].discount;
  }
  if (left == 0) return;
  /* The cut is the largest r with at least `left` remainders >= r: r = 1 qualifies (more than
   * `left` lines have a non-zero remainder) and r = subtotal does not (remainders are smaller). */
  lo = 1;
  hi = subtotal;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    if (count_remainders_at_least(lines, n, discount, subtotal, mid) >= (size_t)left)
      lo = mid;
    else
      hi = mid;
  }
  cut = lo;
  above = count_remainders_at_least(lines, n, discount, subtotal, cut + 1); /* < left */
  for (size_t i = 0; i < n; i++) {
    int64_t r = share_of(discount, lines[i].line_total, subtotal, &whole);
    if (r > cut) {
      lines[i].discount++;
    } else if (r == cut && ties_taken < (size_t)left - above) {
      lines[i].discount++;
      ties_taken++;
    }
  }
}

/* The tax in goods (>= 0) at rate_bp: on top for exclusive prices, inside for inclusive ones. */
static int tax_of(const mc_pricing_config *cfg, int64_t goods, int64_t *out) {
  if (cfg->tax_inclusive)
    return mc_money_ratio(goods, cfg->tax_rate_bp, PRICING_BP_ONE + cfg->tax_rate_bp, out);
  return mc_money_ratio(goods, cfg->tax_rate_bp, PRICING_BP_ONE, out);
}

/* Zeroes *out (may be NULL) and the outputs of lines[0..n) (lines may be NULL). */
static void clear_outputs(mc_pricing_line *lines, size_t n, mc_pricing_totals *out) {
  if (out != NULL) *out = (mc_pricing_totals){0};
  if (lines == NULL) return;
  for (size_t i = 0; i < n; i++) lines[i].line_total = lines[i].discount = 0;
}

int mc_pricing_compute(const mc_pricing_config *cfg, mc_pricing_line *lines, size_t n,
                       const mc_pricing_coupon *coupon, mc_pricing_totals *out) {
  mc_pricing_totals t = {0};
  int64_t goods, with_shipping;
  int rc = MC_ERR_INVALID;

  clear_outputs(lines, n, out);
  if (out == NULL || (lines == NULL && n > 0)) goto done;
  if (mc_pricing_config_check(cfg) != MC_OK || coupon_check(coupon) != MC_OK) goto done;

  for (size_t i = 0; i < n; i++) {
    mc_pricing_line *l = &lines[i];
    if (l->unit_price < 0 || l->unit_price > MC_MONEY_MAX) goto done;
    if (l->quantity < 1 || l->quantity > PRICING_QUANTITY_MAX) goto done;
    if (mc_money_mul(l->unit_price, l->quantity, &l->line_total) != MC_OK) goto done;
    if (mc_money_add(t.subtotal, l->line_total, &t.subtotal) != MC_OK) goto done;
  }

  if (discount_of(coupon, t.subtotal, &t.discount) != MC_OK) goto done;
  if (t.discount > 0) allocate_discount(lines, n, t.discount, t.subtotal);
  goods = t.subtotal - t.discount;

  if (n > 0 && !(cfg->free_shipping_threshold > 0 && goods >= cfg->free_shipping_threshold))
    t.shipping = cfg->shipping_flat;

  if (tax_of(cfg, goods, &t.tax) != MC_OK) goto done;
  if (mc_money_add(goods, t.shipping, &with_shipping) != MC_OK) goto done;
  if (cfg->tax_inclusive) {
    t.total = with_shipping;
  } else if (mc_money_add(with_shipping, t.tax, &t.total) != MC_OK) {
    goto done;
  }
  *out = t;
  rc = MC_OK;

done:
  if (rc != MC_OK) clear_outputs(lines, n, out);
  return rc;
}
