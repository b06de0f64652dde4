/* coupon_listing.c - the admin coupon listing's query string: split, form-decoded, each of
 * limit, offset, q and active checked, every problem named by its parameter. */
#include <string.h>

#include "mercato/coupons.h"
#include "mercato/err.h"
#include "mercato/query.h"

enum { L_LIMIT, L_OFFSET, L_Q, L_ACTIVE, L_COUNT };
static const char *const names[L_COUNT] = {"limit", "offset", "q", "active"};

/* Checks one known parameter's decoded value into *out. */
static void parse_value(int which, const char *v, void *arg, json_t **errors) {
  mc_coupon_listing *out = arg;
  int64_t n;
  switch (which) {
  case L_LIMIT:
    if (mc_query_int("limit", v, 1, MC_COUPON_LIST_MAX, &n, errors) == 0) out->query.limit = (int)n;
    break;
  case L_OFFSET:
    if (mc_query_int("offset", v, 0, MC_COUPON_OFFSET_MAX, &n, errors) == 0) out->query.offset = n;
    break;
  case L_Q:
    /* Part of a code, compared as codes are; an empty or all-space q lists everything. */
    if (strspn(v, " \t") == strlen(v)) break;
    if (mc_coupon_normalise_code(v, out->q) != MC_OK)
      mc_errors_add(errors, "q", "invalid", "q is part of a code: up to 32 of A-Z, 0-9, _ and -.");
    break;
  case L_ACTIVE:
    mc_query_bool("active", v, &out->query.active, errors);
    break;
  }
}

int mc_coupon_parse_listing(const char *query, mc_coupon_listing *out, json_t **errors) {
  memset(out, 0, sizeof *out);
  out->query = (mc_coupon_query){.code_part = out->q, .active = -1, .limit = MC_COUPON_LIST_DEFAULT, .offset = 0};
  mc_query_each(query, names, L_COUNT, parse_value, out, errors);
  return *errors ? MC_ERR_INVALID : MC_OK;
}
