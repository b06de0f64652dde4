/* coupon_listing.c - the admin coupon listing's query string: split, form-decoded, each of
 * limit, offset, q and active checked, every problem named by its parameter. */
#include <stdio.h>
#include <string.h>

#include "mercato/coupons.h"
#include "mercato/err.h"

#define PARAM_NAME_MAX 64
#define PARAM_VALUE_MAX 256 /* decoded bytes; longer values are too_long */

enum { L_LIMIT, L_OFFSET, L_Q, L_ACTIVE, L_COUNT };
static const char *const names[L_COUNT] = {"limit", "offset", "q", "active"};

static void add_error(json_t **errors, const char *field, const char *code, const char *message) {
  if (!*errors) *errors = json_array();
  if (*errors)
    json_array_append_new(*errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message));
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes application/x-www-form-urlencoded src[0..len) ('+' is a space) into dst (cap bytes
 * with the NUL). Returns the length, -1 for a bad escape or an encoded NUL, -2 when too long. */
static long form_decode(const char *src, size_t len, char *dst, size_t cap) {
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
    if (o + 1 >= cap) return -2;
    dst[o++] = c;
  }
  dst[o] = '\0';
  return (long)o;
}

/* The field to report for an unknown parameter: its name when short printable ASCII. */
static const char *param_field(const char *name) {
  size_t n = 0;
  for (; name[n]; n++)
    if (n == PARAM_NAME_MAX || name[n] <= 0x20 || name[n] >= 0x7f || name[n] == '"') return "query";
  return n ? name : "query";
}

/* A decimal integer in [min, max]; adds the error naming field. */
static int parse_int(const char *field, const char *v, int64_t min, int64_t max, int64_t *out, json_t **errors) {
  char msg[96];
  int64_t n = 0;
  int big = 0;
  const char *d = v;

  if (*d == '\0') goto not_int;
  for (; *d; d++) {
    if (*d < '0' || *d > '9') goto not_int;
    if (n > (INT64_MAX - 9) / 10) big = 1;
    else n = n * 10 + (*d - '0');
  }
  if (big || n < min || n > max) {
    snprintf(msg, sizeof msg, "%s must be a whole number from %lld to %lld.", field, (long long)min, (long long)max);
    add_error(errors, field, "out_of_range", msg);
    return -1;
  }
  *out = n;
  return 0;
not_int:
  snprintf(msg, sizeof msg, "%s must be a whole number.", field);
  add_error(errors, field, "not_an_integer", msg);
  return -1;
}

/* Checks one known parameter's decoded value into *out. */
static void parse_value(int which, const char *v, mc_coupon_listing *out, json_t **errors) {
  int64_t n;
  switch (which) {
  case L_LIMIT:
    if (parse_int("limit", v, 1, MC_COUPON_LIST_MAX, &n, errors) == 0) out->query.limit = (int)n;
    break;
  case L_OFFSET:
    if (parse_int("offset", v, 0, MC_COUPON_OFFSET_MAX, &n, errors) == 0) out->query.offset = n;
    break;
  case L_Q:
    /* Part of a code, compared as codes are; an empty or all-space q lists everything. */
    if (strspn(v, " \t") == strlen(v)) break;
    if (mc_coupon_normalise_code(v, out->q) != MC_OK)
      add_error(errors, "q", "invalid", "q is part of a code: up to 32 of A-Z, 0-9, _ and -.");
    break;
  case L_ACTIVE:
    if (strcmp(v, "true") == 0) out->query.active = 1;
    else if (strcmp(v, "false") == 0) out->query.active = 0;
    else add_error(errors, "active", "invalid", "Use true or false.");
    break;
  }
}

int mc_coupon_parse_listing(const char *query, mc_coupon_listing *out, json_t **errors) {
  int seen[L_COUNT] = {0};
  const char *p = query ? query : "";

  memset(out, 0, sizeof *out);
  out->query = (mc_coupon_query){.code_part = out->q, .active = -1, .limit = MC_COUPON_LIST_DEFAULT, .offset = 0};
  while (*p) {
    const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p));
    const char *vstart = eq ? eq + 1 : end;
    char name[PARAM_NAME_MAX + 2], value[PARAM_VALUE_MAX + 1];
    long nlen = form_decode(p, (size_t)((eq ? eq : end) - p), name, sizeof name);
    long vlen = form_decode(vstart, (size_t)(end - vstart), value, sizeof value);
    int which = -1;

    if (end > p) {
      if (nlen == -2) {
        add_error(errors, "query", "unknown_parameter", "This parameter is not accepted here.");
      } else if (nlen < 0) {
        add_error(errors, "query", "malformed", "A parameter name has a bad %-escape.");
      } else {
        for (int i = 0; i < L_COUNT && which < 0; i++)
          if (strcmp(names[i], name) == 0) which = i;
        if (which < 0) {
          add_error(errors, param_field(name), "unknown_parameter", "This parameter is not accepted here.");
        } else if (seen[which]++) {
          add_error(errors, names[which], "repeated", "Give this parameter once.");
        } else if (vlen == -1) {
          add_error(errors, names[which], "malformed", "The value has a bad %-escape.");
        } else if (vlen == -2) {
          add_error(errors, names[which], "too_long", "The value is too long.");
        } else {
          parse_value(which, value, out, errors);
        }
      }
    }
    p = amp ? amp + 1 : end;
  }
  return *errors ? MC_ERR_INVALID : MC_OK;
}
