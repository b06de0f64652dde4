/* digest.h - SHA-256 written as lower-case hex: how secrets are kept (refresh tokens, guest cart
 * tokens: only their digest is stored) and how stable names are derived (key ids, cache keys). */
#ifndef MERCATO_DIGEST_H
#define MERCATO_DIGEST_H

#include <stddef.h>

#define MC_SHA256_HEX_LEN 64

/* Hashes data[0..len) with SHA-256 and writes the first hex_len (1..MC_SHA256_HEX_LEN, clamped)
 * lower-case hex digits of the digest to out, then a NUL: out holds hex_len + 1 bytes. */
void mc_sha256_hex(const void *data, size_t len, char *out, size_t hex_len);

#endif
