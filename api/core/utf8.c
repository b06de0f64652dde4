/* utf8.c - the one UTF-8 decoder: well-formed sequences only (RFC 3629), so that names, search
 * text, passwords and JSON views all accept and refuse the same bytes. */
#include "mercato/codec.h"

size_t mc_utf8_decode(const void *s, size_t n, uint32_t *cp) {
  const unsigned char *u = s;
  unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range: narrower after E0 ED F0 F4 */
  size_t len;
  uint32_t c;

  if (u[0] < 0x80) {
    if (cp) *cp = u[0];
    return 1;
  }
  if (u[0] < 0xc2 || u[0] > 0xf4) return 0; /* a continuation byte, an overlong lead, past U+10FFFF */
  len = u[0] < 0xe0 ? 2 : u[0] < 0xf0 ? 3 : 4;
  if (u[0] == 0xe0) lo = 0xa0;      /* below: overlong */
  else if (u[0] == 0xed) hi = 0x9f; /* above: surrogates */
  else if (u[0] == 0xf0) lo = 0x90; /* below: overlong */
  else if (u[0] == 0xf4) hi = 0x8f; /* above: past U+10FFFF */
  if (len > n || u[1] < lo || u[1] > hi) return 0;
  c = u[0] & (0x7f >> len);
  for (size_t i = 1; i < len; i++) {
    if ((u[i] & 0xc0) != 0x80) return 0;
    c = c << 6 | (u[i] & 0x3f);
  }
  if (cp) *cp = c;
  return len;
}

int mc_utf8_valid(const void *s, size_t n) {
  const unsigned char *u = s;
  size_t i = 0, len = 1;
  while (i < n && len > 0) {
    len = u[i] < 0x80 ? 1 : mc_utf8_decode(u + i, n - i, NULL);
    i += len;
  }
  return i == n && len > 0;
}

size_t mc_utf8_count(const void *s, size_t n) {
  const unsigned char *u = s;
  size_t chars = 0;
  for (size_t i = 0; i < n; i++) chars += (u[i] & 0xc0) != 0x80;
  return chars;
}
