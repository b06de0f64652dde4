/* cart_view.c - the Cart view: a stored cart (mc_cart) priced by the pricing service, its coupon
 * checked as it stands now, and the lines' warnings, written as compact JSON text in one buffer.
 * Text rather than JSON values because GET /cart writes it on every request: a view of a few
 * lines is one growing buffer instead of hundreds of small allocations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/carts.h"
#include "mercato/clock.h"
#include "mercato/coupons.h"
#include "mercato/err.h"
#include "mercato/jtext.h"
#include "mercato/money.h"

#define MONEY_STR_MAX 48

/* ---- money --------------------------------------------------------------- */

/* "12.50 EUR" (or the bare number for a currency we cannot format). */
static const char *money(int64_t amount, const char *currency, char buf[MONEY_STR_MAX]) {
  char n[32];
  if (currency == NULL || mc_money_format(amount, currency, n, sizeof n) != MC_OK)
    snprintf(buf, MONEY_STR_MAX, "%lld", (long long)amount);
  else snprintf(buf, MONEY_STR_MAX, "%s %s", n, currency);
  return buf;
}

/* ---- pricing ----------------------------------------------------------------------------------- */

/* A line counts in the totals while it can be bought: active and in stock. */
static int purchasable(const mc_cart_line *l) {
  return l->active && l->stock > 0;
}

int64_t mc_cart_subtotal(const mc_cart *cart) {
  int64_t sum = 0, line;
  for (size_t i = 0; cart != NULL && i < cart->count; i++) {
    const mc_cart_line *l = &cart->lines[i];
    if (purchasable(l) && mc_money_mul(l->price, l->quantity, &line) == MC_OK) mc_money_add(sum, line, &sum);
  }
  return sum;
}

/* The priced cart: pl[i] is line i's (zero for a line not counted), t the totals. */
typedef struct priced {
  mc_pricing_line *pl;
  mc_pricing_totals t;
  json_t *coupon;              /* the coupon document on the cart, or NULL */
  mc_coupon_refusal refusal;   /* MC_COUPON_APPLIES, or why the coupon gives nothing */
} priced;

/* Carts up to this many lines are priced in arrays on the stack. */
#define LINES_ON_STACK 32

/* Prices the purchasable lines with coupon (NULL for none) into p. */
static int price_lines(const mc_carts *c, const mc_cart *cart, const mc_pricing_coupon *coupon, priced *p) {
  size_t n = cart != NULL ? cart->count : 0, k = 0;
  mc_pricing_line stack[LINES_ON_STACK];
  mc_pricing_line *tmp = n <= LINES_ON_STACK ? stack : malloc(n * sizeof *tmp);
  int err = MC_OK;

  if (tmp == NULL) return MC_ERR_INTERNAL;
  for (size_t i = 0; i < n; i++)
    if (purchasable(&cart->lines[i]))
      tmp[k++] = (mc_pricing_line){.unit_price = cart->lines[i].price, .quantity = cart->lines[i].quantity};
  if (mc_pricing_compute(c->pricing, tmp, k, coupon, &p->t) != MC_OK) err = MC_ERR_INTERNAL;
  k = 0;
  for (size_t i = 0; i < n && err == MC_OK; i++)
    p->pl[i] = purchasable(&cart->lines[i]) ? tmp[k++] : (mc_pricing_line){0};
  if (tmp != stack) free(tmp);
  return err;
}

/* Prices cart for user_id, with its coupon when it applies now. */
static int price_cart(const mc_carts *c, const mc_cart *cart, const char *user_id, priced *p) {
  mc_pricing_coupon pc = {0};
  int err;

  if ((err = price_lines(c, cart, NULL, p)) != MC_OK) return err;
  if (cart == NULL || cart->coupon_id[0] == '\0') return MC_OK;
  err = mc_store_coupon_get(c->store, cart->coupon_id, &p->coupon);
  if (err == MC_ERR_NOT_FOUND) return MC_OK; /* deleted since: the cart has lost it */
  if (err == MC_OK) err = mc_coupon_evaluate(c->store, p->coupon, p->t.subtotal, user_id, mc_now_ms(), &p->refusal, &pc);
  if (err == MC_OK && p->refusal == MC_COUPON_APPLIES) err = price_lines(c, cart, &pc, p);
  return err;
}

/* ---- writing ------------------------------------------------------------------------------------- */

static void w_warning(mc_jtext *b, int *first, const char *code, const char *message) {
  mc_jt_lit(b, *first ? "{\"code\":" : ",{\"code\":");
  *first = 0;
  mc_jt_str(b, code);
  mc_jt_lit(b, ",\"message\":");
  mc_jt_str(b, message);
}

/* The line's warnings (an array); *blocking is set when there is one. */
static void w_warnings(mc_jtext *b, const mc_cart_line *l, int *blocking) {
  char msg[160], was[MONEY_STR_MAX], now[MONEY_STR_MAX];
  int first = 1;

  mc_jt_lit(b, "[");
  if (!l->active) {
    w_warning(b, &first, "unavailable", "This product is no longer available; remove it.");
    mc_jt_lit(b, "}");
  } else {
    if (l->price != l->unit_price) {
      snprintf(msg, sizeof msg, "The price changed from %s to %s.", money(l->unit_price, l->currency, was),
               money(l->price, l->currency, now));
      w_warning(b, &first, "price_changed", msg);
      mc_jt_lit(b, ",\"previous_price\":");
      mc_jt_int(b, l->unit_price);
      mc_jt_lit(b, "}");
    }
    if (l->stock <= 0) {
      w_warning(b, &first, "out_of_stock", "This product is out of stock; remove it.");
      mc_jt_lit(b, "}");
    } else if (l->quantity > l->stock) {
      snprintf(msg, sizeof msg, "Only %lld left in stock; lower the quantity.", (long long)l->stock);
      w_warning(b, &first, "insufficient_stock", msg);
      mc_jt_lit(b, ",\"available\":");
      mc_jt_int(b, l->stock);
      mc_jt_lit(b, "}");
    }
  }
  mc_jt_lit(b, "]");
  if (!first) *blocking = 1;
}

static void w_line(mc_jtext *b, const mc_cart_line *l, const mc_pricing_line *pl, int *blocking) {
  int64_t line_total = pl->line_total;
  if (!purchasable(l) && mc_money_mul(l->price, l->quantity, &line_total) != MC_OK) b->failed = 1;
  mc_jt_lit(b, "{\"product_id\":");
  mc_jt_str(b, l->product_id);
  mc_jt_lit(b, ",\"name\":");
  mc_jt_str(b, l->name);
  mc_jt_lit(b, ",\"slug\":");
  mc_jt_str(b, l->slug);
  if (l->image_url != NULL) {
    mc_jt_lit(b, ",\"image\":{\"url\":");
    mc_jt_str(b, l->image_url);
    mc_jt_lit(b, ",\"width\":");
    mc_jt_int(b, l->image_width);
    mc_jt_lit(b, ",\"height\":");
    mc_jt_int(b, l->image_height);
    mc_jt_lit(b, ",\"alt\":");
    mc_jt_str(b, l->name);
    mc_jt_lit(b, "}");
  } else {
    mc_jt_lit(b, ",\"image\":null");
  }
  mc_jt_lit(b, ",\"unit_price\":");
  mc_jt_int(b, l->price);
  mc_jt_lit(b, ",\"quantity\":");
  mc_jt_int(b, l->quantity);
  mc_jt_lit(b, ",\"line_total\":");
  mc_jt_int(b, line_total);
  mc_jt_lit(b, ",\"discount\":");
  mc_jt_int(b, pl->discount);
  mc_jt_lit(b, ",\"currency\":");
  mc_jt_str(b, l->currency);
  mc_jt_lit(b, ",\"available\":");
  mc_jt_int(b, l->active ? l->stock : 0);
  mc_jt_lit(b, ",\"warnings\":");
  w_warnings(b, l, blocking);
  mc_jt_lit(b, "}");
}

/* "coupon" and "coupon_problem". */
static void w_coupon(mc_jtext *b, const mc_carts *c, const priced *p) {
  char msg[160];
  const json_t *doc = p->coupon;

  if (doc == NULL) {
    mc_jt_lit(b, ",\"coupon\":null,\"coupon_problem\":null");
    return;
  }
  mc_jt_lit(b, ",\"coupon\":{\"code\":");
  mc_jt_str(b, json_string_value(json_object_get(doc, "code")));
  mc_jt_lit(b, ",\"kind\":");
  mc_jt_str(b, json_string_value(json_object_get(doc, "kind")));
  mc_jt_lit(b, ",\"value\":");
  mc_jt_int(b, json_integer_value(json_object_get(doc, "value")));
  mc_jt_lit(b, ",\"discount\":");
  mc_jt_int(b, p->refusal == MC_COUPON_APPLIES ? p->t.discount : 0);
  mc_jt_lit(b, "},\"coupon_problem\":");
  if (p->refusal == MC_COUPON_APPLIES) {
    mc_jt_lit(b, "null");
    return;
  }
  mc_coupon_refusal_sentence(p->refusal, json_integer_value(json_object_get(doc, "min_subtotal")), c->cfg->currency,
                             msg, sizeof msg);
  mc_jt_lit(b, "{\"code\":");
  mc_jt_str(b, mc_coupon_problem_code(p->refusal));
  mc_jt_lit(b, ",\"message\":");
  mc_jt_str(b, msg);
  mc_jt_lit(b, "}");
}

int mc_cart_view(const mc_carts *c, const mc_cart *cart, const char *user_id, const char *token, char **out_body,
                 size_t *out_len) {
  size_t n = cart != NULL ? cart->count : 0;
  mc_pricing_line stack[LINES_ON_STACK];
  priced p = {.refusal = MC_COUPON_APPLIES};
  mc_jtext b = {0};
  int64_t count = 0;
  int blocking = 0;
  int err;

  *out_body = NULL;
  *out_len = 0;
  p.pl = n <= LINES_ON_STACK ? stack : malloc(n * sizeof *p.pl);
  if (p.pl == NULL) return MC_ERR_INTERNAL;
  if ((err = price_cart(c, cart, user_id, &p)) != MC_OK) goto done;
  mc_jt_lit(&b, "{\"cart\":{\"id\":");
  mc_jt_str(&b, cart != NULL ? cart->id : NULL);
  mc_jt_lit(&b, ",\"token\":");
  mc_jt_str(&b, token);
  mc_jt_lit(&b, ",\"items\":[");
  for (size_t i = 0; i < n; i++) {
    if (i > 0) mc_jt_lit(&b, ",");
    w_line(&b, &cart->lines[i], &p.pl[i], &blocking);
    count += cart->lines[i].quantity;
  }
  mc_jt_lit(&b, "],\"item_count\":");
  mc_jt_int(&b, count);
  w_coupon(&b, c, &p);
  mc_jt_lit(&b, ",\"totals\":{\"subtotal\":");
  mc_jt_int(&b, p.t.subtotal);
  mc_jt_lit(&b, ",\"discount\":");
  mc_jt_int(&b, p.t.discount);
  mc_jt_lit(&b, ",\"shipping\":");
  mc_jt_int(&b, p.t.shipping);
  mc_jt_lit(&b, ",\"tax\":");
  mc_jt_int(&b, p.t.tax);
  mc_jt_lit(&b, ",\"total\":");
  mc_jt_int(&b, p.t.total);
  mc_jt_lit(&b, ",\"currency\":");
  mc_jt_str(&b, c->cfg->currency);
  mc_jt_lit(&b, ",\"tax_inclusive\":");
  mc_jt_bool(&b, c->pricing->tax_inclusive);
  mc_jt_lit(&b, "},\"checkout_ready\":");
  mc_jt_bool(&b, n > 0 && !blocking);
  mc_jt_lit(&b, ",\"updated_at\":");
  if (cart != NULL) mc_jt_time(&b, cart->updated_at);
  else mc_jt_lit(&b, "null");
  mc_jt_lit(&b, "}}");
  err = b.failed ? MC_ERR_INTERNAL : MC_OK;
done:
  if (p.pl != stack) free(p.pl);
  json_decref(p.coupon);
  if (err == MC_OK) {
    *out_body = b.p;
    *out_len = b.len;
  } else {
    free(b.p);
  }
  return err;
}
