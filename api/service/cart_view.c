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
#include "mercato/money.h"

#define MONEY_STR_MAX 48

/* ---- a JSON text writer ---------------------------------------------------------------------- */

typedef struct wbuf {
  char *p;
  size_t len, cap;
  int failed; /* out of memory, or text that is not UTF-8 */
} wbuf;

static int w_reserve(wbuf *b, size_t more) {
  if (b->failed) return -1;
  if (b->len + more + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 4096; /* a few lines fit: one allocation */
  while (cap < b->len + more + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (p == NULL) {
    b->failed = 1;
    return -1;
  }
  b->p = p;
  b->cap = cap;
  return 0;
}

static void w_raw(wbuf *b, const char *s, size_t n) {
  if (w_reserve(b, n) != 0) return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

/* A constant piece of JSON (keys, punctuation). */
static void w_lit(wbuf *b, const char *s) {
  w_raw(b, s, strlen(s));
}

/* Decimal digits by hand: snprintf was a tenth of the view's time. */
static void w_int(wbuf *b, int64_t v) {
  char n[24];
  size_t i = sizeof n;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    n[--i] = (char)('0' + u % 10);
    u /= 10;
  } while (u > 0);
  if (v < 0) n[--i] = '-';
  w_raw(b, n + i, sizeof n - i);
}

static void w_bool(wbuf *b, int v) {
  w_lit(b, v ? "true" : "false");
}

/* The length of the UTF-8 sequence at s (of at most n bytes), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
  if (s[0] < 0xc2 || s[0] > 0xf4 || len > n) return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xc0) != 0x80) return 0;
  if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) || (s[0] == 0xf0 && s[1] < 0x90) ||
      (s[0] == 0xf4 && s[1] > 0x8f))
    return 0; /* overlong, a surrogate, or past U+10FFFF */
  return len;
}

/* s as a JSON string (NULL as null). Text that is not UTF-8 (which no writer of ours stores)
 * fails the view rather than the client's parser. */
static void w_str(wbuf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)s;
  size_t n, run = 0, i = 0;

  if (s == NULL) {
    w_lit(b, "null");
    return;
  }
  n = strlen(s);
  w_raw(b, "\"", 1);
  while (i < n) {
    unsigned char c = u[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      i++;
      continue;
    }
    if (c >= 0x80) {
      size_t len = utf8_seq(u + i, n - i);
      if (len == 0) {
        b->failed = 1;
        return;
      }
      i += len;
      continue;
    }
    w_raw(b, s + run, i - run);
    char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
    if (c < 0x20) {
      esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
      w_raw(b, esc, 6);
    } else {
      w_raw(b, esc, 2);
    }
    run = ++i;
  }
  w_raw(b, s + run, n - run);
  w_raw(b, "\"", 1);
}

static void w_time(wbuf *b, int64_t ms) {
  char t[MC_TIME_STR_MAX];
  if (mc_time_format_ms(ms, t) != MC_OK) b->failed = 1;
  else w_str(b, t);
}

/* ---- money and coupon messages --------------------------------------------------------------- */

/* "12.50 EUR" (or the bare number for a currency we cannot format). */
static const char *money(int64_t amount, const char *currency, char buf[MONEY_STR_MAX]) {
  char n[32];
  if (currency == NULL || mc_money_format(amount, currency, n, sizeof n) != MC_OK)
    snprintf(buf, MONEY_STR_MAX, "%lld", (long long)amount);
  else snprintf(buf, MONEY_STR_MAX, "%s %s", n, currency);
  return buf;
}

const char *mc_cart_coupon_problem(mc_coupon_refusal r) {
  static const char *const codes[] = {
    [MC_COUPON_UNKNOWN] = "coupon_unknown",
    [MC_COUPON_INACTIVE] = "coupon_inactive",
    [MC_COUPON_NOT_STARTED] = "coupon_not_started",
    [MC_COUPON_EXPIRED] = "coupon_expired",
    [MC_COUPON_SIGN_IN_REQUIRED] = "coupon_sign_in_required",
    [MC_COUPON_BELOW_MINIMUM] = "coupon_below_minimum",
    [MC_COUPON_EXHAUSTED] = "coupon_exhausted",
    [MC_COUPON_ALREADY_USED] = "coupon_already_used_by_you",
  };
  if ((size_t)r >= sizeof codes / sizeof codes[0] || codes[r] == NULL) return "coupon_unknown";
  return codes[r];
}

void mc_cart_coupon_message(mc_coupon_refusal r, int64_t min_subtotal, const char *currency, char *buf,
                            size_t len) {
  char m[MONEY_STR_MAX];
  switch (r) {
  case MC_COUPON_UNKNOWN: snprintf(buf, len, "There is no coupon with this code."); break;
  case MC_COUPON_INACTIVE: snprintf(buf, len, "This coupon is not active."); break;
  case MC_COUPON_NOT_STARTED: snprintf(buf, len, "This coupon cannot be used yet."); break;
  case MC_COUPON_EXPIRED: snprintf(buf, len, "This coupon has expired."); break;
  case MC_COUPON_SIGN_IN_REQUIRED: snprintf(buf, len, "Sign in to use this coupon."); break;
  case MC_COUPON_BELOW_MINIMUM:
    snprintf(buf, len, "This coupon needs a subtotal of at least %s.", money(min_subtotal, currency, m));
    break;
  case MC_COUPON_EXHAUSTED: snprintf(buf, len, "This coupon has been used up."); break;
  case MC_COUPON_ALREADY_USED: snprintf(buf, len, "You have already used this coupon."); break;
  default: snprintf(buf, len, "This coupon does not apply."); break;
  }
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
  err = c->store->ops->coupon_get(c->store, cart->coupon_id, &p->coupon);
  if (err == MC_ERR_NOT_FOUND) return MC_OK; /* deleted since: the cart has lost it */
  if (err == MC_OK) err = mc_coupon_evaluate(c->store, p->coupon, p->t.subtotal, user_id, mc_now_ms(), &p->refusal, &pc);
  if (err == MC_OK && p->refusal == MC_COUPON_APPLIES) err = price_lines(c, cart, &pc, p);
  return err;
}

/* ---- writing ------------------------------------------------------------------------------------- */

static void w_warning(wbuf *b, int *first, const char *code, const char *message) {
  w_lit(b, *first ? "{\"code\":" : ",{\"code\":");
  *first = 0;
  w_str(b, code);
  w_lit(b, ",\"message\":");
  w_str(b, message);
}

/* The line's warnings (an array); *blocking is set when there is one. */
static void w_warnings(wbuf *b, const mc_cart_line *l, int *blocking) {
  char msg[160], was[MONEY_STR_MAX], now[MONEY_STR_MAX];
  int first = 1;

  w_lit(b, "[");
  if (!l->active) {
    w_warning(b, &first, "unavailable", "This product is no longer available; remove it.");
    w_lit(b, "}");
  } else {
    if (l->price != l->unit_price) {
      snprintf(msg, sizeof msg, "The price changed from %s to %s.", money(l->unit_price, l->currency, was),
               money(l->price, l->currency, now));
      w_warning(b, &first, "price_changed", msg);
      w_lit(b, ",\"previous_price\":");
      w_int(b, l->unit_price);
      w_lit(b, "}");
    }
    if (l->stock <= 0) {
      w_warning(b, &first, "out_of_stock", "This product is out of stock; remove it.");
      w_lit(b, "}");
    } else if (l->quantity > l->stock) {
      snprintf(msg, sizeof msg, "Only %lld left in stock; lower the quantity.", (long long)l->stock);
      w_warning(b, &first, "insufficient_stock", msg);
      w_lit(b, ",\"available\":");
      w_int(b, l->stock);
      w_lit(b, "}");
    }
  }
  w_lit(b, "]");
  if (!first) *blocking = 1;
}

static void w_line(wbuf *b, const mc_cart_line *l, const mc_pricing_line *pl, int *blocking) {
  int64_t line_total = pl->line_total;
  if (!purchasable(l) && mc_money_mul(l->price, l->quantity, &line_total) != MC_OK) b->failed = 1;
  w_lit(b, "{\"product_id\":");
  w_str(b, l->product_id);
  w_lit(b, ",\"name\":");
  w_str(b, l->name);
  w_lit(b, ",\"slug\":");
  w_str(b, l->slug);
  if (l->image_url != NULL) {
    w_lit(b, ",\"image\":{\"url\":");
    w_str(b, l->image_url);
    w_lit(b, ",\"width\":");
    w_int(b, l->image_width);
    w_lit(b, ",\"height\":");
    w_int(b, l->image_height);
    w_lit(b, ",\"alt\":");
    w_str(b, l->name);
    w_lit(b, "}");
  } else {
    w_lit(b, ",\"image\":null");
  }
  w_lit(b, ",\"unit_price\":");
  w_int(b, l->price);
  w_lit(b, ",\"quantity\":");
  w_int(b, l->quantity);
  w_lit(b, ",\"line_total\":");
  w_int(b, line_total);
  w_lit(b, ",\"discount\":");
  w_int(b, pl->discount);
  w_lit(b, ",\"currency\":");
  w_str(b, l->currency);
  w_lit(b, ",\"available\":");
  w_int(b, l->active ? l->stock : 0);
  w_lit(b, ",\"warnings\":");
  w_warnings(b, l, blocking);
  w_lit(b, "}");
}

/* "coupon" and "coupon_problem". */
static void w_coupon(wbuf *b, const mc_carts *c, const priced *p) {
  char msg[160];
  const json_t *doc = p->coupon;

  if (doc == NULL) {
    w_lit(b, ",\"coupon\":null,\"coupon_problem\":null");
    return;
  }
  w_lit(b, ",\"coupon\":{\"code\":");
  w_str(b, json_string_value(json_object_get(doc, "code")));
  w_lit(b, ",\"kind\":");
  w_str(b, json_string_value(json_object_get(doc, "kind")));
  w_lit(b, ",\"value\":");
  w_int(b, json_integer_value(json_object_get(doc, "value")));
  w_lit(b, ",\"discount\":");
  w_int(b, p->refusal == MC_COUPON_APPLIES ? p->t.discount : 0);
  w_lit(b, "},\"coupon_problem\":");
  if (p->refusal == MC_COUPON_APPLIES) {
    w_lit(b, "null");
    return;
  }
  mc_cart_coupon_message(p->refusal, json_integer_value(json_object_get(doc, "min_subtotal")), c->cfg->currency,
                         msg, sizeof msg);
  w_lit(b, "{\"code\":");
  w_str(b, mc_cart_coupon_problem(p->refusal));
  w_lit(b, ",\"message\":");
  w_str(b, msg);
  w_lit(b, "}");
}

int mc_cart_view(const mc_carts *c, const mc_cart *cart, const char *user_id, const char *token, char **out_body,
                 size_t *out_len) {
  size_t n = cart != NULL ? cart->count : 0;
  mc_pricing_line stack[LINES_ON_STACK];
  priced p = {.refusal = MC_COUPON_APPLIES};
  wbuf b = {0};
  int64_t count = 0;
  int blocking = 0;
  int err;

  *out_body = NULL;
  *out_len = 0;
  p.pl = n <= LINES_ON_STACK ? stack : malloc(n * sizeof *p.pl);
  if (p.pl == NULL) return MC_ERR_INTERNAL;
  if ((err = price_cart(c, cart, user_id, &p)) != MC_OK) goto done;
  w_lit(&b, "{\"cart\":{\"id\":");
  w_str(&b, cart != NULL ? cart->id : NULL);
  w_lit(&b, ",\"token\":");
  w_str(&b, token);
  w_lit(&b, ",\"items\":[");
  for (size_t i = 0; i < n; i++) {
    if (i > 0) w_lit(&b, ",");
    w_line(&b, &cart->lines[i], &p.pl[i], &blocking);
    count += cart->lines[i].quantity;
  }
  w_lit(&b, "],\"item_count\":");
  w_int(&b, count);
  w_coupon(&b, c, &p);
  w_lit(&b, ",\"totals\":{\"subtotal\":");
  w_int(&b, p.t.subtotal);
  w_lit(&b, ",\"discount\":");
  w_int(&b, p.t.discount);
  w_lit(&b, ",\"shipping\":");
  w_int(&b, p.t.shipping);
  w_lit(&b, ",\"tax\":");
  w_int(&b, p.t.tax);
  w_lit(&b, ",\"total\":");
  w_int(&b, p.t.total);
  w_lit(&b, ",\"currency\":");
  w_str(&b, c->cfg->currency);
  w_lit(&b, ",\"tax_inclusive\":");
  w_bool(&b, c->pricing->tax_inclusive);
  w_lit(&b, "},\"checkout_ready\":");
  w_bool(&b, n > 0 && !blocking);
  w_lit(&b, ",\"updated_at\":");
  if (cart != NULL) w_time(&b, cart->updated_at);
  else w_lit(&b, "null");
  w_lit(&b, "}}");
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
