/* hex.c - the one hex codec: digests, random tokens, request ids, ETags and cache keys are
 * written by it, refresh tokens checked by it, percent-escapes read by it. */
#include "mercato/codec.h"

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

void mc_hex_encode(const void *in, size_t n, char *out, unsigned flags) {
  const unsigned char *b = in;
  const char *digits = (flags & MC_HEX_UPPER) ? hex_upper : hex_lower;
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  out[2 * n] = '\0';
}

void mc_hex_u64(uint64_t v, char out[17]) {
  for (int i = 0; i < 16; i++) out[i] = hex_lower[(v >> (60 - 4 * i)) & 15];
  out[16] = '\0';
}

int mc_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int mc_hex_valid(const char *s, size_t n, unsigned flags) {
  for (size_t i = 0; i < n; i++)
    if (mc_hex_value(s[i]) < 0 || ((flags & MC_HEX_LOWER) && s[i] >= 'A' && s[i] <= 'F')) return 0;
  return 1;
}

int mc_hex_decode(const char *in, size_t len, void *out, size_t cap, size_t *out_len, unsigned flags) {
  unsigned char *b = out;
  if (len % 2 != 0 || len / 2 > cap || !mc_hex_valid(in, len, flags)) return 0;
  for (size_t i = 0; i < len / 2; i++) b[i] = (unsigned char)(mc_hex_value(in[2 * i]) << 4 | mc_hex_value(in[2 * i + 1]));
  *out_len = len / 2;
  return 1;
}
