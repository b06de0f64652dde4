/* catalog_query.c - product listing query strings: split, form-decoded, every parameter checked
 * and normalised (so equal queries share one cache entry), every problem named. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mercato/catalog.h"
#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/money.h"
#include "mercato/query.h"

/* Search text: valid UTF-8 without control characters, whitespace runs folded to one space and
 * trimmed into out. */
static int parse_q(const char *v, char out[MC_CATALOG_Q_MAX + 1], json_t **errors) {
  size_t n = 0;
  int space = 0;
  if (strlen(v) > MC_CATALOG_Q_MAX) {
    mc_errors_add(errors, "q", "too_long", "Search text is at most 200 bytes.");
    return -1;
  }
  if (!mc_utf8_valid(v, strlen(v))) {
    mc_errors_add(errors, "q", "invalid", "Search text must be UTF-8.");
    return -1;
  }
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
      space = n > 0;
      continue;
    }
    if (*p < 0x20 || *p == 0x7f) {
      mc_errors_add(errors, "q", "invalid", "Search text must not contain control characters.");
      return -1;
    }
    if (space) out[n++] = ' ';
    space = 0;
    out[n++] = (char)*p;
  }
  out[n] = '\0';
  return 0;
}

/* The admin-only parameters come last, from P_INACTIVE. */
enum { P_Q, P_CATEGORY, P_MIN, P_MAX, P_IN_STOCK, P_SORT, P_LIMIT, P_OFFSET, P_INACTIVE, P_LOW, P_ARCHIVED, P_COUNT };
static const char *const param_names[P_COUNT] = {"q",    "category", "min_price", "max_price",        "in_stock",
                                                 "sort", "limit",    "offset",    "include_inactive", "low_stock",
                                                 "archived"};

typedef struct listing_state {
  mc_catalog_listing *l;
  int explicit_sort;
} listing_state;

static void parse_value(int which, const char *v, void *arg, json_t **errors) {
  listing_state *st = arg;
  mc_catalog_listing *l = st->l;
  int64_t n;
  switch (which) {
  case P_Q: parse_q(v, l->q, errors); break;
  case P_CATEGORY:
    if (mc_catalog_slug_valid(v)) strcpy(l->category, v);
    else mc_errors_add(errors, "category", "invalid", "category takes a category slug (a-z, 0-9 and hyphens).");
    break;
  case P_MIN: mc_query_int("min_price", v, 0, MC_MONEY_MAX, &l->min_price, errors); break;
  case P_MAX: mc_query_int("max_price", v, 0, MC_MONEY_MAX, &l->max_price, errors); break;
  case P_IN_STOCK: mc_query_bool("in_stock", v, &l->in_stock, errors); break;
  case P_INACTIVE: mc_query_bool("include_inactive", v, &l->include_inactive, errors); break;
  case P_LOW: mc_query_int("low_stock", v, 0, MC_CATALOG_STOCK_MAX, &l->low_stock, errors); break;
  case P_ARCHIVED: mc_query_bool("archived", v, &l->archived, errors); break;
  case P_LIMIT:
    if (mc_query_int("limit", v, 1, MC_PRODUCT_LIST_MAX, &n, errors) == 0) l->limit = (int)n;
    break;
  case P_OFFSET: mc_query_int("offset", v, 0, MC_CATALOG_OFFSET_MAX, &l->offset, errors); break;
  case P_SORT:
    st->explicit_sort = 1;
    if (strcmp(v, "-created_at") == 0) l->sort = MC_SORT_NEWEST;
    else if (strcmp(v, "price") == 0) l->sort = MC_SORT_PRICE_ASC;
    else if (strcmp(v, "-price") == 0) l->sort = MC_SORT_PRICE_DESC;
    else if (strcmp(v, "name") == 0) l->sort = MC_SORT_NAME_ASC;
    else if (strcmp(v, "relevance") == 0) l->sort = MC_SORT_RELEVANCE;
    else mc_errors_add(errors, "sort", "invalid", "sort is one of price, -price, name, -created_at, relevance (with q).");
    break;
  }
}

int mc_catalog_parse_listing(const char *query, int admin, mc_catalog_listing *out, json_t **errors) {
  listing_state st = {.l = out};
  size_t before = *errors ? json_array_size(*errors) : 0;
  memset(out, 0, sizeof *out);
  out->min_price = out->max_price = out->low_stock = -1;
  out->limit = MC_CATALOG_LIMIT_DEFAULT;
  out->sort = MC_SORT_NEWEST;
  mc_query_each(query, param_names, admin ? P_COUNT : P_INACTIVE, parse_value, &st, errors);
  if (out->min_price >= 0 && out->max_price >= 0 && out->min_price > out->max_price)
    mc_errors_add(errors, "min_price", "greater_than_max_price", "min_price must not be above max_price.");
  if (!st.explicit_sort && out->q[0]) out->sort = MC_SORT_RELEVANCE;
  if (st.explicit_sort && out->sort == MC_SORT_RELEVANCE && !out->q[0])
    mc_errors_add(errors, "sort", "requires_q", "sort=relevance needs a search text in q.");
  return (*errors ? json_array_size(*errors) : 0) > before ? MC_ERR_INVALID : MC_OK;
}


