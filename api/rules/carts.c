/* carts.c - the cart's rules (rules/carts.h): limits, guest cart lifetimes, and the add, set
 * and merge policies that store adapters apply inside their transactions. */
#include "mercato/rules/carts.h"

#include <string.h>

#include "mercato/err.h"

#define PRICING_BP_ONE 10000

int mc_cart_limits_valid(const mc_cart_limits *l) {
  return l != NULL && l->max_quantity >= 1 && l->max_quantity <= MC_CART_QUANTITY_MAX && l->max_lines >= 1 &&
         l->max_lines <= MC_CART_LINES_MAX && l->guest_ttl_ms >= 1 && l->guest_ttl_ms <= MC_CART_GUEST_TTL_MS_MAX &&
         l->guest_first_ttl_ms >= 0 && l->guest_first_ttl_ms <= l->guest_ttl_ms && l->max_subtotal >= 0 &&
         l->max_subtotal <= MC_MONEY_MAX;
}

/* Exclusive tax is added on top of the goods, so the goods may be at most
 * (MC_MONEY_MAX - shipping) / (1 + rate); inclusive tax is inside them. */
int64_t mc_cart_subtotal_max(const mc_pricing_config *p) {
  int64_t room = MC_MONEY_MAX - (p->shipping_flat > 0 && p->shipping_flat <= MC_MONEY_MAX ? p->shipping_flat : 0);
  int64_t rate = p->tax_inclusive || p->tax_rate_bp < 0 ? 0 : p->tax_rate_bp, den = PRICING_BP_ONE + rate;
  /* room * 10000 / den in two parts, since room * 10000 would pass INT64_MAX. Rounding the tax
   * half up can add one unit. */
  int64_t max = room / den * PRICING_BP_ONE + room % den * PRICING_BP_ONE / den - (rate > 0 ? 1 : 0);
  return max > 0 ? max : 0;
}

int64_t mc_cart_guest_expiry(const mc_cart_limits *l, int created, int64_t now_ms) {
  int64_t ttl = created && l->guest_first_ttl_ms > 0 ? l->guest_first_ttl_ms : l->guest_ttl_ms;
  return now_ms + ttl;
}

/* price * quantity + others, saturating at MC_MONEY_MAX + 1. */
static int64_t total_with(int64_t others, int64_t price, int64_t quantity) {
  int64_t line, sum;
  if (mc_money_mul(price, quantity, &line) != MC_OK || mc_money_add(others, line, &sum) != MC_OK)
    return MC_MONEY_MAX + 1;
  return sum;
}

static int64_t subtotal_cap(const mc_cart_limits *l) {
  return l->max_subtotal > 0 ? l->max_subtotal : MC_MONEY_MAX;
}

static int refuse_stock(mc_refusal *why, int64_t available) {
  if (available < 0) available = 0;
  if (available > 0)
    mc_refuse(why, MC_ERR_CONFLICT, "insufficient_stock", "quantity", "Only %lld of this product are in stock.",
              (long long)available);
  else mc_refuse(why, MC_ERR_CONFLICT, "insufficient_stock", "quantity", "None of this product is in stock.");
  mc_refusal_number_set(why, "available", available);
  return MC_ERR_CONFLICT;
}

static int refuse_total(const mc_cart_limits *l, mc_refusal *why) {
  mc_refuse(why, MC_ERR_INVALID, "total_limit", "quantity",
            "The cart would come to more than the shop can take in one order (%lld in minor units); "
            "lower the quantity.",
            (long long)subtotal_cap(l));
  mc_refusal_number_set(why, "limit", subtotal_cap(l));
  return MC_ERR_INVALID;
}

int mc_cart_refuse_not_in_cart(mc_refusal *why) {
  return mc_refuse(why, MC_ERR_NOT_FOUND, "not_in_cart", NULL, "The cart has no line for this product.");
}

int mc_cart_plan_add(const mc_cart_limits *l, const mc_cart_line_state *s, int64_t quantity, int64_t *out_quantity,
                     mc_refusal *why) {
  int64_t want = s->quantity + quantity;

  *out_quantity = 0;
  if (!s->found || !s->active)
    return mc_refuse(why, MC_ERR_NOT_FOUND, "unknown_product", "product_id", "There is no such product for sale.");
  if (s->quantity == 0 && s->lines >= l->max_lines) {
    mc_refuse(why, MC_ERR_CONFLICT, "cart_full", "product_id", "A cart holds at most %lld different products.",
              (long long)l->max_lines);
    mc_refusal_number_set(why, "limit", l->max_lines);
    return MC_ERR_CONFLICT;
  }
  if (want > l->max_quantity) {
    mc_refuse(why, MC_ERR_INVALID, "line_limit", "quantity", "A line holds at most %lld; this one can take %lld more.",
              (long long)l->max_quantity, (long long)(l->max_quantity - s->quantity));
    mc_refusal_number_set(why, "available", l->max_quantity - s->quantity);
    return MC_ERR_INVALID;
  }
  if (want > s->stock) return refuse_stock(why, s->stock);
  if (total_with(s->others, s->price, want) > subtotal_cap(l)) return refuse_total(l, why);
  *out_quantity = want;
  return MC_OK;
}

int mc_cart_plan_set(const mc_cart_limits *l, const mc_cart_line_state *s, int64_t quantity, mc_refusal *why) {
  int64_t stock = s->found && s->active ? s->stock : 0;
  if (!s->found || s->quantity == 0) return mc_cart_refuse_not_in_cart(why);
  if (quantity > stock) return refuse_stock(why, stock);
  if (total_with(s->others, s->price, quantity) > subtotal_cap(l)) return refuse_total(l, why);
  return MC_OK;
}

static int64_t min3(int64_t a, int64_t b, int64_t c) {
  int64_t m = a < b ? a : b;
  return m < c ? m : c;
}

void mc_cart_plan_merge(const mc_cart_limits *l, mc_cart_merge_line *lines, size_t n, int64_t customer_lines,
                        int64_t customer_subtotal) {
  int64_t count = customer_lines, subtotal = customer_subtotal;

  for (size_t i = 0; i < n; i++) {
    mc_cart_merge_line *m = &lines[i];
    int64_t q = 0, before = m->have, after;
    m->put = 0;
    if (!m->active || m->stock <= 0) continue;
    if (m->have > 0) q = min3(m->have + m->quantity, m->stock, l->max_quantity);
    else if (count < l->max_lines) q = min3(m->quantity, m->stock, l->max_quantity);
    if (q <= before) continue;
    /* What the cart comes to with this line raised from before to q. */
    after = total_with(subtotal, m->price, q - before);
    if (after > subtotal_cap(l)) continue;
    subtotal = after;
    m->put = q;
    m->put_price = m->have > 0 ? m->have_price : m->unit_price;
    if (m->have == 0) count++;
  }
}
