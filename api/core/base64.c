/* base64.c - the one base64 codec, unpadded and strict, in the URL alphabet (JWTs, guest cart
 * tokens) and the standard one (the PHC form of password hashes). */
#include "mercato/codec.h"

static const char *const digits[] = {
  [MC_BASE64_URL] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
  [MC_BASE64_STD] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
};

size_t mc_base64_encode(mc_base64_alphabet a, const void *in, size_t n, char *out) {
  const unsigned char *b = in;
  const char *d = digits[a];
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 8) | b[i];
    for (bits += 8; bits >= 6; bits -= 6) out[o++] = d[(acc >> (bits - 6)) & 63];
  }
  if (bits > 0) out[o++] = d[(acc << (6 - bits)) & 63];
  out[o] = '\0';
  return o;
}

int mc_base64_value(mc_base64_alphabet a, char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == digits[a][62]) return 62;
  if (c == digits[a][63]) return 63;
  return -1;
}

int mc_base64_decode(mc_base64_alphabet a, const char *in, size_t len, void *out, size_t cap, size_t *out_len) {
  unsigned char *b = out;
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t n = 0;
  if (len % 4 == 1) return 0; /* 6 bits cannot end a byte */
  for (size_t i = 0; i < len; i++) {
    int v = mc_base64_value(a, in[i]);
    if (v < 0) return 0;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n == cap) return 0;
      b[n++] = (unsigned char)(acc >> bits);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return 0; /* the unused bits: one spelling per value */
  *out_len = n;
  return 1;
}
