/* digest.c - SHA-256 as hex (GnuTLS), the one copy of what tokens, carts, key ids and cache keys
 * each need. */
#include <gnutls/crypto.h>

#include "mercato/digest.h"

void mc_sha256_hex(const void *data, size_t len, char *out, size_t hex_len) {
  static const char hex[] = "0123456789abcdef";
  unsigned char digest[32];

  if (hex_len < 1) hex_len = 1;
  if (hex_len > MC_SHA256_HEX_LEN) hex_len = MC_SHA256_HEX_LEN;
  gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, digest);
  for (size_t i = 0; i < hex_len; i++) out[i] = hex[i % 2 ? digest[i / 2] & 15 : digest[i / 2] >> 4];
  out[hex_len] = '\0';
}
