/* digest.c - SHA-256 as hex (GnuTLS), the one copy of what tokens, carts, key ids and cache keys
 * each need. */
#include <gnutls/crypto.h>
#include <string.h>

#include "mercato/codec.h"
#include "mercato/digest.h"

void mc_sha256_hex(const void *data, size_t len, char *out, size_t hex_len) {
  unsigned char digest[32];
  char hex[MC_SHA256_HEX_LEN + 1];

  if (hex_len < 1) hex_len = 1;
  if (hex_len > MC_SHA256_HEX_LEN) hex_len = MC_SHA256_HEX_LEN;
  gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, digest);
  mc_hex_encode(digest, sizeof digest, hex, 0);
  memcpy(out, hex, hex_len); /* hex_len may be odd: a cut between the two digits of a byte */
  out[hex_len] = '\0';
}
