/* codec.h - the one copy of each text codec Mercato needs: UTF-8 (utf8.c), percent-decoding
 * (percent.c), unpadded base64 in both alphabets (base64.c) and hex (hex.c). */
#ifndef MERCATO_CODEC_H
#define MERCATO_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* ---- UTF-8 (RFC 3629, Unicode's table of well-formed byte sequences) ----
 * Well-formed means: U+0000..U+007F in one byte (NUL included: callers that refuse NUL check it
 * themselves), then the shortest form only (no overlong sequences: C0, C1 never lead), no
 * UTF-16 surrogates (U+D800..U+DFFF), nothing past U+10FFFF (F5..FF never lead), no sequence cut
 * short by the end of the input, no continuation byte (80..BF) where a sequence must start. So
 * one text has exactly one byte form. */

/* Decodes the sequence at the start of s[0..n) (borrowed; n >= 1). Returns its length in bytes
 * (1..4) and stores its code point in *cp (when cp is not NULL), or returns 0 when it is not
 * well-formed (then *cp is untouched). Reads no byte at or past s + n. */
size_t mc_utf8_decode(const void *s, size_t n, uint32_t *cp);

/* 1 when the whole of s[0..n) (borrowed) is well-formed UTF-8, else 0. n == 0 is valid. */
int mc_utf8_valid(const void *s, size_t n);

/* The number of characters in s[0..n) (borrowed), which the caller knows to be well-formed
 * (as every jansson string is): the bytes that do not continue a sequence (not 80..BF). On text
 * that is not UTF-8 that count means nothing; validate first. */
size_t mc_utf8_count(const void *s, size_t n);

/* ---- percent-decoding (RFC 3986 section 2.1; with MC_PERCENT_FORM, the WHATWG form encoding) ---- */

#define MC_PERCENT_FORM 1u /* '+' decodes to a space (application/x-www-form-urlencoded) */

#define MC_PERCENT_MALFORMED (-1L) /* a bad escape, %00, or a NUL byte in the input */
#define MC_PERCENT_TOO_LONG (-2L)  /* the decoded text and its NUL do not fit in cap */

/* Decodes src[0..len) (borrowed) into dst (cap bytes, the terminating NUL included), which the
 * caller owns. "%XX" with two hex digits of either case is the byte XX; every other byte is
 * itself (with MC_PERCENT_FORM, '+' is a space). Returns the decoded length (dst is then
 * NUL-terminated), MC_PERCENT_MALFORMED for a '%' without two hex digits after it ("%zz", "%4",
 * a trailing '%'), for "%00" (a NUL would cut a C string short) or for a NUL byte in src, or
 * MC_PERCENT_TOO_LONG when the result does not fit. The input is read in order and the first
 * problem met decides the answer. The result may be any bytes: checking it (UTF-8, '/') is the
 * caller's. On failure dst holds a partial, unterminated decoding the caller may wipe. */
long mc_percent_decode(const char *src, size_t len, char *dst, size_t cap, unsigned flags);

/* ---- base64 without padding (RFC 4648 sections 4 and 5) ---- */

typedef enum {
  MC_BASE64_URL, /* "-_" for 62 and 63: JWT segments, guest cart tokens */
  MC_BASE64_STD  /* "+/" for 62 and 63: the PHC form of password hashes */
} mc_base64_alphabet;

/* Characters of the unpadded encoding of n bytes (without the NUL). */
#define MC_BASE64_LEN(n) (((n) * 4 + 2) / 3)

/* Writes the unpadded encoding of in[0..n) (borrowed) in alphabet a to out (caller's, at least
 * MC_BASE64_LEN(n) + 1 bytes), then a NUL. The unused low bits of the last character are zero,
 * as mc_base64_decode demands. Returns MC_BASE64_LEN(n). */
size_t mc_base64_encode(mc_base64_alphabet a, const void *in, size_t n, char *out);

/* The value (0..63) of character c in alphabet a, or -1 when c is not one of its 64 ('=' never is). */
int mc_base64_value(mc_base64_alphabet a, char c);

/* Decodes in[0..len) (borrowed) in alphabet a into out (caller's, cap bytes) and sets *out_len.
 * Strict, so that each byte string has exactly one spelling: no padding ('='), no whitespace, no
 * character of the other alphabet, no length of 4k+1 characters, and the unused low bits of the
 * last character must be zero. Returns 1, or 0 for any of those or when more than cap bytes
 * would come out (out may then hold a partial result; *out_len is untouched). */
int mc_base64_decode(mc_base64_alphabet a, const char *in, size_t len, void *out, size_t cap, size_t *out_len);

/* ---- hex ---- */

#define MC_HEX_UPPER 1u /* encoding: digits A-F rather than a-f */
#define MC_HEX_LOWER 2u /* decoding and checking: refuse A-F (a canonical lower-case form) */

/* Writes 2n hex digits of in[0..n) (borrowed), high nibble first, lower case unless
 * MC_HEX_UPPER, to out (caller's, 2n + 1 bytes), then a NUL. */
void mc_hex_encode(const void *in, size_t n, char *out, unsigned flags);

/* Writes v as 16 lower-case hex digits, most significant first, and a NUL into out. */
void mc_hex_u64(uint64_t v, char out[17]);

/* The value (0..15) of hex digit c, either case, or -1. */
int mc_hex_value(char c);

/* 1 when s[0..n) (borrowed) is all hex digits (only a-f with MC_HEX_LOWER), else 0. Any n,
 * odd included: this checks digits, not bytes; n == 0 is 1. */
int mc_hex_valid(const char *s, size_t n, unsigned flags);

/* Decodes in[0..len) (borrowed) into out (caller's, cap bytes), high nibble first, and sets
 * *out_len to len / 2. Returns 1, or 0 for an odd len, a character that is not a hex digit (or
 * an upper-case one with MC_HEX_LOWER) or len / 2 > cap; out is then untouched. */
int mc_hex_decode(const char *in, size_t len, void *out, size_t cap, size_t *out_len, unsigned flags);

#endif
