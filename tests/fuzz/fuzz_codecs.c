/* fuzz_codecs.c - core's codecs on arbitrary bytes: UTF-8 that validates re-encodes to the same
 * bytes from its code points, percent-decoding keeps to its buffer and never yields a NUL, and
 * base64 and hex round-trip both ways (bytes -> text -> bytes, and accepted text -> bytes -> the
 * same text). Input: the first byte picks the alphabet and flags, the rest is the data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/codec.h"

#define FUZZ_MAX 512

/* The reference encoder the decoder must agree with: the shortest form of cp. */
static size_t utf8_put(uint32_t cp, unsigned char *out) {
  if (cp < 0x80) return out[0] = (unsigned char)cp, 1;
  if (cp < 0x800) return out[0] = (unsigned char)(0xc0 | cp >> 6), out[1] = (unsigned char)(0x80 | (cp & 63)), 2;
  if (cp < 0x10000) {
    out[0] = (unsigned char)(0xe0 | cp >> 12);
    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 63));
    out[2] = (unsigned char)(0x80 | (cp & 63));
    return 3;
  }
  out[0] = (unsigned char)(0xf0 | cp >> 18);
  out[1] = (unsigned char)(0x80 | ((cp >> 12) & 63));
  out[2] = (unsigned char)(0x80 | ((cp >> 6) & 63));
  out[3] = (unsigned char)(0x80 | (cp & 63));
  return 4;
}

/* Every sequence decoded is a scalar value whose shortest form is exactly its bytes, and
 * mc_utf8_valid agrees with walking the input sequence by sequence. */
static void check_utf8(const unsigned char *d, size_t n) {
  unsigned char again[4];
  size_t i = 0, len = 1;
  while (i < n && len > 0) {
    uint32_t cp = 0xffffffffu;
    len = mc_utf8_decode(d + i, n - i, &cp);
    if (len == 0) break;
    if (len > 4 || len > n - i || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) abort();
    if (utf8_put(cp, again) != len || memcmp(again, d + i, len) != 0) abort();
    i += len;
  }
  if (mc_utf8_valid(d, n) != (i == n)) abort();
  if (i == n && mc_utf8_count(d, n) > n) abort();
}

static void check_percent(const char *s, size_t n, unsigned flags) {
  char out[FUZZ_MAX + 1];
  size_t cap = n % 2 ? sizeof out : n / 2 + 1; /* half the time too small for most inputs */
  long got = mc_percent_decode(s, n, out, cap, flags);
  if (got == MC_PERCENT_MALFORMED || got == MC_PERCENT_TOO_LONG) return;
  if (got < 0 || (size_t)got >= cap || (size_t)got > n || out[got] != '\0' || memchr(out, '\0', (size_t)got)) abort();
}

static void check_base64(mc_base64_alphabet a, const unsigned char *d, size_t n) {
  char text[MC_BASE64_LEN(FUZZ_MAX) + 1], again[MC_BASE64_LEN(FUZZ_MAX) + 1];
  unsigned char bytes[FUZZ_MAX];
  size_t len, got;

  len = mc_base64_encode(a, d, n, text);
  if (len != MC_BASE64_LEN(n) || text[len] != '\0') abort();
  if (!mc_base64_decode(a, text, len, bytes, sizeof bytes, &got) || got != n || memcmp(bytes, d, n) != 0) abort();
  /* The input read as text: accepted means one spelling, the one the encoder writes. */
  if (mc_base64_decode(a, (const char *)d, n, bytes, sizeof bytes, &got)) {
    if (mc_base64_encode(a, bytes, got, again) != n || memcmp(again, d, n) != 0) abort();
  }
}

static void check_hex(const unsigned char *d, size_t n, unsigned flags) {
  char text[2 * FUZZ_MAX + 1], again[2 * FUZZ_MAX + 1];
  unsigned char bytes[FUZZ_MAX];
  size_t got;

  mc_hex_encode(d, n, text, flags & MC_HEX_UPPER);
  if (strlen(text) != 2 * n) abort();
  if (!mc_hex_decode(text, 2 * n, bytes, sizeof bytes, &got, 0) || got != n || memcmp(bytes, d, n) != 0) abort();
  if (mc_hex_decode((const char *)d, n, bytes, sizeof bytes, &got, flags & MC_HEX_LOWER)) {
    if (n % 2 != 0 || got != n / 2) abort();
    mc_hex_encode(bytes, got, again, 0);
    for (size_t i = 0; i < n; i++) /* the same digits, up to case */
      if (mc_hex_value(again[i]) != mc_hex_value((char)d[i])) abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > FUZZ_MAX + 1) return 0;
  unsigned sel = data[0];
  const unsigned char *d = data + 1;
  size_t n = size - 1;

  check_utf8(d, n);
  check_percent((const char *)d, n, sel & 1 ? MC_PERCENT_FORM : 0);
  check_base64(sel & 2 ? MC_BASE64_STD : MC_BASE64_URL, d, n);
  check_hex(d, n, (sel & 4 ? MC_HEX_UPPER : 0) | (sel & 8 ? MC_HEX_LOWER : 0));
  return 0;
}
