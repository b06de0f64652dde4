/* json_read.c - request bodies as JSON (json_read.h): jansson's parser, and a second pass over
 * a copy with out-of-range numbers replaced by the nearest value that fits. */
#include "mercato/json_read.h"

#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out_buf {
  char *p;
  size_t len, cap;
} out_buf;

static int out_put(out_buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) return -1;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
  return 0;
}

/* The length of the number token at s (of at most n bytes): '-', digits, '.', exponent. */
static size_t number_len(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && s[i] != '\0' && strchr("0123456789+-.eE", s[i]) != NULL) i++;
  return i;
}

/* The text to write for the number token s[0..n): NULL when it is in range (copy it as is). */
static const char *clamped(const char *s, size_t n) {
  char *copy = malloc(n + 1);
  const char *out = NULL;

  if (copy == NULL) return NULL;
  memcpy(copy, s, n);
  copy[n] = '\0';
  errno = 0;
  if (strpbrk(copy, ".eE") == NULL) {
    (void)strtoll(copy, NULL, 10);
    if (errno == ERANGE) out = copy[0] == '-' ? "-9223372036854775808" : "9223372036854775807";
  } else {
    double d = strtod(copy, NULL);
    /* Underflow reads as 0 (jansson accepts it too); only overflow is out of range. */
    if (errno == ERANGE && (d > 1.0 || d < -1.0)) out = d < 0 ? "-1.7976931348623157e308" : "1.7976931348623157e308";
  }
  free(copy);
  return out;
}

/* Copies text with every out-of-range number replaced (see clamped) into a new buffer; numbers
 * are only looked for outside strings. Returns it (the caller frees), or NULL without memory. */
static char *clamp_numbers(const char *text, size_t len, size_t *out_len) {
  out_buf b = {0};
  size_t i = 0, run = 0;
  int in_string = 0;

  while (i < len) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') i++;
      else if (c == '"') in_string = 0;
      i++;
      continue;
    }
    if (c == '"') {
      in_string = 1;
      i++;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      i++;
      continue;
    }
    size_t n = number_len(text + i, len - i);
    const char *with = clamped(text + i, n);
    if (with != NULL) {
      if (out_put(&b, text + run, i - run) != 0 || out_put(&b, with, strlen(with)) != 0) goto fail;
      run = i + n;
    }
    i += n;
  }
  if (out_put(&b, text + run, len - run) != 0) goto fail;
  *out_len = b.len;
  return b.p;
fail:
  free(b.p);
  return NULL;
}

json_t *mc_json_read(const char *text, size_t len, size_t flags, json_error_t *err) {
  json_error_t first;
  json_t *v = json_loadb(text, len, flags, &first);
  char *copy;
  size_t copy_len = 0;

  if (v != NULL || json_error_code(&first) != json_error_numeric_overflow) {
    if (err) *err = first;
    return v;
  }
  copy = clamp_numbers(text, len, &copy_len);
  if (copy == NULL) {
    if (err) *err = first;
    return NULL;
  }
  v = json_loadb(copy, copy_len, flags, err);
  free(copy);
  return v;
}
