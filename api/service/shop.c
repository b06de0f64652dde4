/* shop.c - the shop's public description: settings and limits a storefront would otherwise have
 * to hard-code, serialised once with its ETag since only a restart can change them. */
#include "mercato/shop.h"

#include <stdlib.h>
#include <string.h>

#include "mercato/catalog.h"
#include "mercato/digest.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/money.h"
#include "mercato/rules/countries.h"
#include "mercato/rules/coupons.h"
#include "mercato/store.h"

/* The name is shown in page titles and headers: control characters have no place there, and
 * json_string refuses what is not UTF-8. Returns a new string, or NULL for either. */
static json_t *name_text(const char *name) {
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return NULL;
  return json_string(name);
}

/* Every limit a client checks before it asks, from the constants and settings the server
 * enforces, so that the two cannot disagree. */
static json_t *limits(const mc_config *cfg) {
  return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "cart_max_quantity", cfg->cart_max_quantity,
                   "cart_max_lines", cfg->cart_max_lines, "guest_cart_ttl", cfg->guest_cart_ttl,
                   "list_limit_default", MC_CATALOG_LIMIT_DEFAULT,
                   "list_limit_max", MC_PRODUCT_LIST_MAX, "list_offset_max", MC_CATALOG_OFFSET_MAX,
                   "search_q_max", MC_CATALOG_Q_MAX, "coupon_code_max", MC_COUPON_CODE_MAX);
}

/* [{code, name}, ...] in the order of the English names. */
static json_t *countries(void) {
  json_t *out = json_array();
  for (size_t i = 0; out && i < mc_country_count(); i++) {
    const mc_country *c = mc_country_at(i);
    if (json_array_append_new(out, json_pack("{s:s, s:s}", "code", c->code, "name", c->name)) != 0) {
      json_decref(out);
      out = NULL;
    }
  }
  return out;
}

json_t *mc_shop_describe(const mc_config *cfg) {
  json_t *name = name_text(cfg->shop_name), *free_threshold;
  if (!name) return NULL;
  /* 0 means "never free": null says so without a client having to know the convention. */
  free_threshold = cfg->free_shipping_threshold > 0 ? json_integer(cfg->free_shipping_threshold) : json_null();
  /* Stripe is not wired yet: the pay port's factory will say when it is configured. */
  return json_pack("{s:{s:o, s:s, s:i, s:o, s:{s:i, s:b}, s:{s:I, s:o}, s:{s:b, s:b}, s:o}}", "shop",
                   "name", name, "currency", cfg->currency, "currency_exponent",
                   mc_money_exponent(cfg->currency), "limits", limits(cfg), "tax", "rate_bp",
                   cfg->tax_rate_bp, "inclusive", cfg->tax_inclusive, "shipping", "flat",
                   (json_int_t)cfg->shipping_flat, "free_threshold", free_threshold, "payments",
                   "stripe", 0, "manual", 1, "countries", countries());
}

int mc_shop_answer_build(const mc_config *cfg, mc_shop_answer *out) {
  char hex[17];
  json_t *doc = mc_shop_describe(cfg);
  memset(out, 0, sizeof *out);
  if (!doc) {
    json_t *name = name_text(cfg->shop_name);
    json_decref(name);
    if (name) return MC_ERR_INTERNAL;
    mc_error("shop", "MERCATO_SHOP_NAME must be UTF-8 text without control characters");
    return MC_ERR_INVALID;
  }
  out->body = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  if (!out->body) return MC_ERR_INTERNAL;
  out->len = strlen(out->body);
  mc_sha256_hex(out->body, out->len, hex, 16);
  snprintf(out->etag, sizeof out->etag, "\"%s\"", hex);
  return MC_OK;
}

void mc_shop_answer_free(mc_shop_answer *a) {
  free(a->body);
  memset(a, 0, sizeof *a);
}
