/* shop.h - the shop's public description (GET /api/v1/shop): what a storefront needs before its
 * first request - name, currency, limits, tax, shipping, payment methods and countries. */
#ifndef MERCATO_SHOP_H
#define MERCATO_SHOP_H

#include <jansson.h>
#include <stddef.h>

#include "mercato/config.h"

#define MC_SHOP_NAME_MAX 100 /* bytes of MERCATO_SHOP_NAME */
#define MC_SHOP_ETAG_LEN 18  /* '"' + 16 hex digits + '"' */

/* The serialised description and its strong ETag. It depends on the configuration alone, so it
 * is built once at start-up and every request is answered with the same bytes. */
typedef struct mc_shop_answer {
  char *body; /* owned; NUL-terminated JSON {"shop": {...}} */
  size_t len;
  char etag[MC_SHOP_ETAG_LEN + 1];
} mc_shop_answer;

/* Returns a new reference to {"shop": {...}} describing cfg (borrowed), or NULL when the shop
 * name is not UTF-8 text without control characters, or without memory. */
json_t *mc_shop_describe(const mc_config *cfg);

/* Fills out with the serialised description of cfg and its ETag (free with mc_shop_answer_free).
 * MC_ERR_INVALID when MERCATO_SHOP_NAME is not UTF-8 text without control characters (logged),
 * MC_ERR_INTERNAL without memory. */
int mc_shop_answer_build(const mc_config *cfg, mc_shop_answer *out);

/* Frees what a holds and empties it; a zeroed or already freed answer is fine. */
void mc_shop_answer_free(mc_shop_answer *a);

#endif
