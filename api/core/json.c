/* json.c - a compact JSON writer over jansson values: one growing buffer, strings copied in
 * runs between the characters that need escaping. */
#include "mercato/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/codec.h"
#include "mercato/err.h"

#define MAX_DEPTH 512

typedef struct buf {
  char *data;
  size_t len, cap;
} buf;

static int reserve(buf *b, size_t more) {
  if (b->len + more + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + more + 1) cap *= 2;
  char *data = realloc(b->data, cap);
  if (!data) return -1;
  b->data = data;
  b->cap = cap;
  return 0;
}

static int put(buf *b, const char *s, size_t n) {
  if (reserve(b, n) != 0) return -1;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  return 0;
}

static int put_string(buf *b, const char *s, size_t n) {
  size_t run = 0;
  if (reserve(b, n + 2) != 0) return -1;
  b->data[b->len++] = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    if (put(b, s + run, i - run) != 0) return -1;
    run = i + 1;
    char esc[7] = {'\\', 0};
    size_t elen = 2;
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    default:
      esc[1] = 'u', esc[2] = '0', esc[3] = '0';
      mc_hex_encode(&c, 1, esc + 4, MC_HEX_UPPER); /* upper case, as jansson writes them */
      elen = 6;
    }
    if (put(b, esc, elen) != 0) return -1;
  }
  if (put(b, s + run, n - run) != 0) return -1;
  return put(b, "\"", 1);
}

static int put_value(buf *b, const json_t *v, int depth) {
  char num[40];
  int n;
  if (depth > MAX_DEPTH) return MC_ERR_INVALID;
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    const char *key;
    json_t *member;
    int first = 1, rc;
    if (put(b, "{", 1) != 0) return MC_ERR_INTERNAL;
    json_object_foreach((json_t *)v, key, member) {
      if (!first && put(b, ",", 1) != 0) return MC_ERR_INTERNAL;
      first = 0;
      if (put_string(b, key, strlen(key)) != 0 || put(b, ":", 1) != 0) return MC_ERR_INTERNAL;
      if ((rc = put_value(b, member, depth + 1)) != MC_OK) return rc;
    }
    return put(b, "}", 1) == 0 ? MC_OK : MC_ERR_INTERNAL;
  }
  case JSON_ARRAY: {
    int rc;
    if (put(b, "[", 1) != 0) return MC_ERR_INTERNAL;
    for (size_t i = 0; i < json_array_size(v); i++) {
      if (i && put(b, ",", 1) != 0) return MC_ERR_INTERNAL;
      if ((rc = put_value(b, json_array_get(v, i), depth + 1)) != MC_OK) return rc;
    }
    return put(b, "]", 1) == 0 ? MC_OK : MC_ERR_INTERNAL;
  }
  case JSON_STRING:
    return put_string(b, json_string_value(v), json_string_length(v)) == 0 ? MC_OK : MC_ERR_INTERNAL;
  case JSON_INTEGER:
    n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return put(b, num, (size_t)n) == 0 ? MC_OK : MC_ERR_INTERNAL;
  case JSON_REAL: {
    double d = json_real_value(v);
    if (!isfinite(d)) return MC_ERR_INVALID;
    /* The shortest of %.1g..%.17g that reads back as d, with ".0" when it looks integral:
     * the same text jansson writes. */
    for (int prec = 1; prec <= 17; prec++) {
      n = snprintf(num, sizeof num, "%.*g", prec, d);
      if (strtod(num, NULL) == d) break;
    }
    if (!strpbrk(num, ".eE")) strcat(num, ".0");
    return put(b, num, strlen(num)) == 0 ? MC_OK : MC_ERR_INTERNAL;
  }
  case JSON_TRUE:
    return put(b, "true", 4) == 0 ? MC_OK : MC_ERR_INTERNAL;
  case JSON_FALSE:
    return put(b, "false", 5) == 0 ? MC_OK : MC_ERR_INTERNAL;
  case JSON_NULL:
    return put(b, "null", 4) == 0 ? MC_OK : MC_ERR_INTERNAL;
  }
  return MC_ERR_INVALID;
}

int mc_json_dump(const json_t *value, char **out, size_t *out_len) {
  buf b = {0};
  int rc = value ? put_value(&b, value, 0) : MC_ERR_INVALID;
  if (rc == MC_OK && reserve(&b, 0) != 0) rc = MC_ERR_INTERNAL;
  if (rc != MC_OK) {
    free(b.data);
    *out = NULL;
    return rc;
  }
  b.data[b.len] = '\0';
  *out = b.data;
  if (out_len) *out_len = b.len;
  return MC_OK;
}
