/* fuzz_listing_query.c - the product listing's query-string parser (q, category, prices, sort,
 * limit, offset, admin filters) on arbitrary bytes. Accepted queries must hold values inside the
 * documented ranges (and a customer's never the admin filters); refused ones must name at least
 * one parameter. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/catalog.h"
#include "mercato/err.h"
#include "mercato/refusal.h"
#include "mercato/store.h"

#define FUZZ_QUERY_MAX 8192

static void check_one(const char *query, int admin) {
  mc_catalog_listing listing;
  mc_refusal why = {0};
  int rc = mc_catalog_parse_listing(query, admin, &listing, &why);
  json_t *errors = why.errors;

  if (rc == MC_OK) {
    if (errors || why.code) abort();
    if (listing.limit < 1 || listing.limit > MC_PRODUCT_LIST_MAX || listing.offset < 0) abort();
    if (listing.min_price < -1 || listing.max_price < -1) abort();
    if (listing.min_price >= 0 && listing.max_price >= 0 && listing.min_price > listing.max_price) abort();
    if (strlen(listing.q) > MC_CATALOG_Q_MAX) abort();
    if (listing.category[0] && !mc_catalog_slug_valid(listing.category)) abort();
    if (!admin && (listing.include_inactive || listing.archived || listing.low_stock != -1)) abort();
  } else {
    size_t i;
    json_t *e;
    if (rc != MC_ERR_INVALID || !why.code || strcmp(why.code, "validation_failed") != 0 || !json_is_array(errors) ||
        json_array_size(errors) == 0)
      abort();
    json_array_foreach(errors, i, e) {
      if (!json_is_string(json_object_get(e, "field")) || !json_is_string(json_object_get(e, "code"))) abort();
    }
  }
  mc_refusal_clear(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char query[FUZZ_QUERY_MAX + 1];

  if (size > FUZZ_QUERY_MAX || memchr(data, '\0', size)) return 0; /* a URL holds no NUL */
  memcpy(query, data, size);
  query[size] = '\0';
  check_one(query, 0);
  check_one(query, 1);
  return 0;
}
