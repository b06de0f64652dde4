/* jtext.c - the JSON text writer (jtext.h): one buffer grown by doubling, strings checked for
 * UTF-8 and escaped as jansson escapes them, so a view written here reads the same as one
 * serialised by mc_json_dump. */
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/jtext.h"

static int reserve(mc_jtext *b, size_t more) {
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

void mc_jt_raw(mc_jtext *b, const char *s, size_t n) {
  if (reserve(b, n) != 0) return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

/* A constant piece of JSON (keys, punctuation). */
void mc_jt_lit(mc_jtext *b, const char *s) {
  mc_jt_raw(b, s, strlen(s));
}

/* Decimal digits by hand: snprintf was a tenth of the view's time. */
void mc_jt_int(mc_jtext *b, int64_t v) {
  char n[24];
  size_t i = sizeof n;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    n[--i] = (char)('0' + u % 10);
    u /= 10;
  } while (u > 0);
  if (v < 0) n[--i] = '-';
  mc_jt_raw(b, n + i, sizeof n - i);
}

void mc_jt_bool(mc_jtext *b, int v) {
  mc_jt_lit(b, v ? "true" : "false");
}

/* s as a JSON string (NULL as null). Text that is not UTF-8 (which no writer of ours stores)
 * fails the view rather than the client's parser. */
void mc_jt_str(mc_jtext *b, const char *s) {
  /* The controls with a two-character escape, written that way as jansson does. */
  static const char short_escapes[] = "\b\f\n\r\t", short_letters[] = "bfnrt";
  const unsigned char *u = (const unsigned char *)s;
  size_t n, run = 0, i = 0;

  if (s == NULL) {
    mc_jt_lit(b, "null");
    return;
  }
  n = strlen(s);
  mc_jt_raw(b, "\"", 1);
  while (i < n) {
    unsigned char c = u[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      i++;
      continue;
    }
    if (c >= 0x80) {
      size_t len = mc_utf8_decode(u + i, n - i, NULL);
      if (len == 0) {
        b->failed = 1;
        return;
      }
      i += len;
      continue;
    }
    mc_jt_raw(b, s + run, i - run);
    char esc[7] = {'\\', (char)c, 0, 0, 0, 0, 0};
    const char *brief = c < 0x20 ? strchr(short_escapes, c) : NULL;
    if (brief != NULL && c != 0) {
      esc[1] = short_letters[brief - short_escapes];
      mc_jt_raw(b, esc, 2);
    } else if (c < 0x20) {
      esc[1] = 'u', esc[2] = '0', esc[3] = '0';
      mc_hex_encode(&c, 1, esc + 4, MC_HEX_UPPER); /* upper case, as jansson writes */
      mc_jt_raw(b, esc, 6);
    } else {
      mc_jt_raw(b, esc, 2);
    }
    run = ++i;
  }
  mc_jt_raw(b, s + run, n - run);
  mc_jt_raw(b, "\"", 1);
}

void mc_jt_time(mc_jtext *b, int64_t ms) {
  char t[MC_TIME_STR_MAX];
  if (mc_time_format_ms(ms, t) != MC_OK) b->failed = 1;
  else mc_jt_str(b, t);
}
