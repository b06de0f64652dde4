/* percent.c - the one percent-decoder: route parameters, static paths, query strings (form
 * encoded) and the credentials of a Redis URL all decode escapes by the same rules. */
#include "mercato/codec.h"

long mc_percent_decode(const char *src, size_t len, char *dst, size_t cap, unsigned flags) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    char c = src[i];
    if (c == '%') {
      int hi = i + 2 < len ? mc_hex_value(src[i + 1]) : -1;
      int lo = i + 2 < len ? mc_hex_value(src[i + 2]) : -1;
      if (hi < 0 || lo < 0 || hi + lo == 0) return MC_PERCENT_MALFORMED; /* %00 too */
      c = (char)(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && (flags & MC_PERCENT_FORM)) {
      c = ' ';
    } else if (c == '\0') {
      return MC_PERCENT_MALFORMED;
    }
    if (o + 1 >= cap) return MC_PERCENT_TOO_LONG;
    dst[o++] = c;
  }
  if (cap == 0) return MC_PERCENT_TOO_LONG;
  dst[o] = '\0';
  return (long)o;
}
