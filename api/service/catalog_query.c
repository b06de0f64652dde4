/* catalog_query.c - product listing query strings: split, form-decoded, every parameter checked
 * and normalised (so equal queries share one cache entry), every problem named. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mercato/catalog.h"
#include "mercato/err.h"
#include "mercato/money.h"

#define PARAM_NAME_MAX 64
#define PARAM_VALUE_MAX (MC_CATALOG_Q_MAX * 4)

/* Appends {field, code, message} to *errors (created on first use). */
static void add_error(json_t **errors, const char *field, const char *code, const char *message) {
  if (!*errors) *errors = json_array();
  if (*errors)
    json_array_append_new(*errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message));
}

/* Decodes application/x-www-form-urlencoded src[0..len) ('+' is a space) into dst. Returns the
 * length, -1 for a bad escape or an encoded NUL, -2 when it does not fit. */
static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static long form_decode(const char *src, size_t len, char *dst, size_t dstlen) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    char c = src[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= len || hexval(src[i + 1]) < 0 || hexval(src[i + 2]) < 0) return -1;
      c = (char)(hexval(src[i + 1]) * 16 + hexval(src[i + 2]));
      if (c == '\0') return -1;
      i += 2;
    }
    if (o + 1 >= dstlen) return -2;
    dst[o++] = c;
  }
  dst[o] = '\0';
  return (long)o;
}

/* The field name to report for a parameter: itself when short printable ASCII, else "query". */
static const char *param_field(const char *name) {
  size_t n = 0;
  for (; name[n]; n++)
    if (n == PARAM_NAME_MAX || name[n] <= 0x20 || name[n] >= 0x7f) return "query";
  return n ? name : "query";
}

/* Parses a non-negative decimal integer of at most max. Adds errors naming field. */
static int parse_count(const char *field, const char *v, int64_t min, int64_t max, int64_t *out, json_t **errors) {
  char msg[120];
  int negative = *v == '-';
  const char *d = v + negative;
  int64_t n = 0;
  int big = 0;
  if (!*d) goto not_int;
  for (; *d; d++) {
    if (*d < '0' || *d > '9') goto not_int;
    if (n > (INT64_MAX - 9) / 10) big = 1;
    else n = n * 10 + (*d - '0');
  }
  if (negative && n != 0) n = -n;
  if (big || n < min || n > max) {
    snprintf(msg, sizeof msg, "%s must be a whole number from %lld to %lld.", field, (long long)min, (long long)max);
    add_error(errors, field, "out_of_range", msg);
    return -1;
  }
  *out = n;
  return 0;
not_int:
  snprintf(msg, sizeof msg, "%s must be a whole number (prices in minor units).", field);
  add_error(errors, field, "not_an_integer", msg);
  return -1;
}

static int parse_bool(const char *field, const char *v, int *out, json_t **errors) {
  if (strcmp(v, "true") == 0) *out = 1;
  else if (strcmp(v, "false") == 0) *out = 0;
  else {
    add_error(errors, field, "invalid", "Use true or false.");
    return -1;
  }
  return 0;
}

/* Returns 1 when s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_valid(const unsigned char *s) {
  while (*s) {
    unsigned c = *s, need, cp;
    if (c < 0x80) {
      s++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) need = 1, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) need = 2, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) need = 3, cp = c & 0x07;
    else return 0;
    for (unsigned i = 1; i <= need; i++) {
      if ((s[i] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
      return 0;
    s += need + 1;
  }
  return 1;
}

/* Search text: valid UTF-8 without control characters, whitespace runs folded to one space and
 * trimmed into out. */
static int parse_q(const char *v, char out[MC_CATALOG_Q_MAX + 1], json_t **errors) {
  size_t n = 0;
  int space = 0;
  if (strlen(v) > MC_CATALOG_Q_MAX) {
    add_error(errors, "q", "too_long", "Search text is at most 200 bytes.");
    return -1;
  }
  if (!utf8_valid((const unsigned char *)v)) {
    add_error(errors, "q", "invalid", "Search text must be UTF-8.");
    return -1;
  }
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
      space = n > 0;
      continue;
    }
    if (*p < 0x20 || *p == 0x7f) {
      add_error(errors, "q", "invalid", "Search text must not contain control characters.");
      return -1;
    }
    if (space) out[n++] = ' ';
    space = 0;
    out[n++] = (char)*p;
  }
  out[n] = '\0';
  return 0;
}

enum { P_Q, P_CATEGORY, P_MIN, P_MAX, P_IN_STOCK, P_SORT, P_LIMIT, P_OFFSET, P_INACTIVE, P_LOW, P_COUNT };
static const char *const param_names[P_COUNT] = {"q",    "category", "min_price", "max_price",        "in_stock",
                                                 "sort", "limit",    "offset",    "include_inactive", "low_stock"};

static void parse_value(int which, const char *v, mc_catalog_listing *l, int *explicit_sort, json_t **errors) {
  int64_t n;
  switch (which) {
  case P_Q: parse_q(v, l->q, errors); break;
  case P_CATEGORY:
    if (mc_catalog_slug_valid(v)) strcpy(l->category, v);
    else add_error(errors, "category", "invalid", "category takes a category slug (a-z, 0-9 and hyphens).");
    break;
  case P_MIN: parse_count("min_price", v, 0, MC_MONEY_MAX, &l->min_price, errors); break;
  case P_MAX: parse_count("max_price", v, 0, MC_MONEY_MAX, &l->max_price, errors); break;
  case P_IN_STOCK: parse_bool("in_stock", v, &l->in_stock, errors); break;
  case P_INACTIVE: parse_bool("include_inactive", v, &l->include_inactive, errors); break;
  case P_LOW: parse_count("low_stock", v, 0, MC_CATALOG_STOCK_MAX, &l->low_stock, errors); break;
  case P_LIMIT:
    if (parse_count("limit", v, 1, MC_PRODUCT_LIST_MAX, &n, errors) == 0) l->limit = (int)n;
    break;
  case P_OFFSET: parse_count("offset", v, 0, MC_CATALOG_OFFSET_MAX, &l->offset, errors); break;
  case P_SORT:
    *explicit_sort = 1;
    if (strcmp(v, "-created_at") == 0) l->sort = MC_SORT_NEWEST;
    else if (strcmp(v, "price") == 0) l->sort = MC_SORT_PRICE_ASC;
    else if (strcmp(v, "-price") == 0) l->sort = MC_SORT_PRICE_DESC;
    else if (strcmp(v, "name") == 0) l->sort = MC_SORT_NAME_ASC;
    else if (strcmp(v, "relevance") == 0) l->sort = MC_SORT_RELEVANCE;
    else add_error(errors, "sort", "invalid", "sort is one of price, -price, name, -created_at, relevance (with q).");
    break;
  }
}

/* Calls fn for each name=value pair of query, decoded. Adds malformed errors itself. */
static void each_param(const char *query, json_t **errors, void (*fn)(const char *name, const char *value, void *arg),
                       void *arg) {
  char name[PARAM_NAME_MAX * 3 + 1], value[PARAM_VALUE_MAX + 1];
  for (const char *p = query; p && *p;) {
    const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p)), *name_end = eq ? eq : end;
    if (end > p) {
      long nl = form_decode(p, (size_t)(name_end - p), name, sizeof name);
      long vl = eq ? form_decode(eq + 1, (size_t)(end - eq - 1), value, sizeof value) : (value[0] = '\0', 0);
      if (nl < 0) add_error(errors, "query", "malformed", "The query string has a malformed parameter name.");
      else if (vl == -1) add_error(errors, param_field(name), "malformed", "This parameter has a malformed %-escape.");
      else if (vl == -2) add_error(errors, param_field(name), "too_long", "This parameter's value is too long.");
      else fn(name, value, arg);
    }
    p = amp ? amp + 1 : end;
  }
}

typedef struct listing_state {
  mc_catalog_listing *l;
  int admin, explicit_sort;
  unsigned seen;
  json_t **errors;
} listing_state;

static void listing_param(const char *name, const char *value, void *arg) {
  listing_state *st = arg;
  int known = st->admin ? P_COUNT : P_INACTIVE;
  for (int i = 0; i < known; i++) {
    if (strcmp(name, param_names[i]) != 0) continue;
    if (st->seen & (1u << i)) {
      add_error(st->errors, param_names[i], "repeated", "This parameter is given more than once.");
    } else {
      st->seen |= 1u << i;
      parse_value(i, value, st->l, &st->explicit_sort, st->errors);
    }
    return;
  }
  add_error(st->errors, param_field(name), "unknown_parameter", "This parameter is not accepted here.");
}

int mc_catalog_parse_listing(const char *query, int admin, mc_catalog_listing *out, json_t **errors) {
  listing_state st = {.l = out, .admin = admin, .errors = errors};
  size_t before = *errors ? json_array_size(*errors) : 0;
  memset(out, 0, sizeof *out);
  out->min_price = out->max_price = out->low_stock = -1;
  out->limit = MC_CATALOG_LIMIT_DEFAULT;
  out->sort = MC_SORT_NEWEST;
  each_param(query, errors, listing_param, &st);
  if (out->min_price >= 0 && out->max_price >= 0 && out->min_price > out->max_price)
    add_error(errors, "min_price", "greater_than_max_price", "min_price must not be above max_price.");
  if (!st.explicit_sort && out->q[0]) out->sort = MC_SORT_RELEVANCE;
  if (st.explicit_sort && out->sort == MC_SORT_RELEVANCE && !out->q[0])
    add_error(errors, "sort", "requires_q", "sort=relevance needs a search text in q.");
  return (*errors ? json_array_size(*errors) : 0) > before ? MC_ERR_INVALID : MC_OK;
}

static void no_param(const char *name, const char *value, void *arg) {
  (void)value;
  add_error(arg, param_field(name), "unknown_parameter", "This route takes no query parameters.");
}

int mc_catalog_no_parameters(const char *query, json_t **errors) {
  size_t before = *errors ? json_array_size(*errors) : 0;
  each_param(query, errors, no_param, errors);
  return (*errors ? json_array_size(*errors) : 0) > before ? MC_ERR_INVALID : MC_OK;
}

