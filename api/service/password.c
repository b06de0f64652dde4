/* password.c - password rules and Argon2id hashing, verification and re-hash decisions.
 * Stored strings are parsed here, strictly, rather than trusted to libargon2's lenient decoder. */
#include "mercato/password.h"

#include <argon2.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/rand.h"

/* Bounds for salts and hashes found in stored strings: libargon2's own minimum salt, and no
 * hash shorter than 128 bits, which we never wrote and would not want to trust. */
#define SALT_MIN 8u
#define SALT_MAX 64u
#define HASH_MIN 16u
#define HASH_MAX 64u

/* The one prefix accepted: Argon2id, version 1.3 (0x13 = 19). */
static const char encoded_prefix[] = "$argon2id$v=19$";

typedef struct parsed_hash {
  uint32_t m_cost_kib;
  uint32_t t_cost;
  uint32_t parallelism;
  uint8_t salt[SALT_MAX];
  size_t salt_len;
  uint8_t hash[HASH_MAX];
  size_t hash_len;
} parsed_hash;

void mc_password_policy_default(mc_password_policy *out) {
  out->m_cost_kib = MC_PASSWORD_MIN_M_COST_KIB;
  out->t_cost = MC_PASSWORD_MIN_T_COST;
  out->parallelism = MC_PASSWORD_MIN_PARALLELISM;
}

static int policy_valid(const mc_password_policy *p) {
  return p != NULL && p->m_cost_kib >= MC_PASSWORD_MIN_M_COST_KIB &&
         p->m_cost_kib <= MC_PASSWORD_MAX_M_COST_KIB && p->t_cost >= MC_PASSWORD_MIN_T_COST &&
         p->t_cost <= MC_PASSWORD_MAX_T_COST && p->parallelism >= MC_PASSWORD_MIN_PARALLELISM &&
         p->parallelism <= MC_PASSWORD_MAX_PARALLELISM;
}

int mc_password_policy_init(mc_password_policy *out, uint32_t m_cost_kib, uint32_t t_cost,
                            uint32_t parallelism) {
  mc_password_policy p = {m_cost_kib, t_cost, parallelism};
  if (out == NULL || !policy_valid(&p)) return MC_ERR_INVALID;
  *out = p;
  return MC_OK;
}

/* ---- rules ---- */

/* Strict UTF-8 (RFC 3629): the bounds on the second byte exclude overlong forms, UTF-16
 * surrogates and code points above U+10FFFF, so one password has exactly one byte form. */
static int utf8_valid(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t extra;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c < 0xC2) return 0;
    if (c < 0xE0) {
      extra = 1;
    } else if (c < 0xF0) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c < 0xF5) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return 0;
    }
    if (n - i - 1 < extra) return 0;
    if (s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (size_t k = 2; k <= extra; k++)
      if ((s[i + k] & 0xC0) != 0x80) return 0;
    i += extra + 1;
  }
  return 1;
}

int mc_password_check(const void *password, size_t len, const char **out_reason) {
  const char *reason = NULL;
  if (len < MC_PASSWORD_MIN_LEN) {
    reason = "too_short";
  } else if (len > MC_PASSWORD_MAX_LEN) {
    reason = "too_long";
  } else if (password == NULL || !utf8_valid(password, len)) {
    reason = "not_utf8";
  } else if (memchr(password, '\0', len) != NULL) {
    reason = "contains_nul";
  }
  if (out_reason != NULL) *out_reason = reason;
  return reason == NULL ? MC_OK : MC_ERR_INVALID;
}

/* ---- the encoded form ---- */

/* Reads a u32 in canonical decimal (no sign, no leading zero) and advances *s past it. */
static int parse_u32(const char **s, uint32_t *out) {
  const char *p = *s;
  uint64_t v = 0;
  size_t digits = 0;
  while (p[digits] >= '0' && p[digits] <= '9') {
    if (digits == 10) return 0;
    v = v * 10 + (uint64_t)(p[digits] - '0');
    digits++;
  }
  if (digits == 0 || (digits > 1 && p[0] == '0') || v > UINT32_MAX) return 0;
  *out = (uint32_t)v;
  *s = p + digits;
  return 1;
}

static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Decodes unpadded standard base64 from s up to stop (a '$' or NUL) into out (cap bytes) and
 * advances *s to stop. Leftover bits must be zero, so each value has a single spelling. */
static int parse_b64(const char **s, uint8_t *out, size_t cap, size_t *out_len) {
  const char *p = *s;
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t n = 0, chars = 0;
  for (; *p != '\0' && *p != '$'; p++, chars++) {
    int v = b64_value(*p);
    if (v < 0) return 0;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n == cap) return 0;
      out[n++] = (uint8_t)(acc >> bits);
    }
  }
  if (chars % 4 == 1 || (acc & ((1u << bits) - 1)) != 0) return 0;
  *out_len = n;
  *s = p;
  return 1;
}

/* Parses $argon2id$v=19$m=M,t=T,p=P$SALT$HASH exactly and checks every field's bounds.
 * Returns 1 with *out filled, or 0. */
static int parse_encoded(const char *s, parsed_hash *out) {
  if (s == NULL || strncmp(s, encoded_prefix, sizeof encoded_prefix - 1) != 0) return 0;
  s += sizeof encoded_prefix - 1;
  if (strncmp(s, "m=", 2) != 0) return 0;
  s += 2;
  if (!parse_u32(&s, &out->m_cost_kib) || strncmp(s, ",t=", 3) != 0) return 0;
  s += 3;
  if (!parse_u32(&s, &out->t_cost) || strncmp(s, ",p=", 3) != 0) return 0;
  s += 3;
  if (!parse_u32(&s, &out->parallelism) || *s != '$') return 0;
  s++;
  if (!parse_b64(&s, out->salt, sizeof out->salt, &out->salt_len) || *s != '$') return 0;
  s++;
  if (!parse_b64(&s, out->hash, sizeof out->hash, &out->hash_len) || *s != '\0') return 0;

  if (out->parallelism < 1 || out->parallelism > MC_PASSWORD_MAX_PARALLELISM) return 0;
  if (out->t_cost < 1 || out->t_cost > MC_PASSWORD_MAX_T_COST) return 0;
  /* Argon2 needs 8 blocks (KiB) per lane. */
  if (out->m_cost_kib < 8 * out->parallelism || out->m_cost_kib > MC_PASSWORD_MAX_M_COST_KIB)
    return 0;
  if (out->salt_len < SALT_MIN || out->hash_len < HASH_MIN) return 0;
  return 1;
}

/* ---- hashing ---- */

int mc_password_hash(const mc_password_policy *policy, const void *password, size_t len,
                     char **out_encoded) {
  uint8_t salt[MC_PASSWORD_SALT_LEN];
  char *encoded = NULL;
  int rc, arc;

  if (out_encoded == NULL) return MC_ERR_INVALID;
  *out_encoded = NULL;
  if (!policy_valid(policy) || (password == NULL && len > 0) || len > MC_PASSWORD_MAX_LEN)
    return MC_ERR_INVALID;

  rc = mc_rand_bytes(salt, sizeof salt);
  if (rc != MC_OK) goto done;
  encoded = malloc(MC_PASSWORD_ENCODED_MAX);
  if (encoded == NULL) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  arc = argon2id_hash_encoded(policy->t_cost, policy->m_cost_kib, policy->parallelism, password,
                              len, salt, sizeof salt, MC_PASSWORD_HASH_LEN, encoded,
                              MC_PASSWORD_ENCODED_MAX);
  if (arc != ARGON2_OK) {
    mc_warn("auth", "argon2id hashing failed: %s", argon2_error_message(arc));
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  *out_encoded = encoded;
  encoded = NULL;
  rc = MC_OK;

done:
  if (encoded != NULL) {
    explicit_bzero(encoded, MC_PASSWORD_ENCODED_MAX);
    free(encoded);
  }
  explicit_bzero(salt, sizeof salt);
  return rc;
}

/* Constant-time comparison: the loop never exits early, so the time does not depend on where
 * the first differing byte is. */
static int equal_ct(const uint8_t *a, const uint8_t *b, size_t n) {
  volatile uint8_t diff = 0;
  for (size_t i = 0; i < n; i++) diff |= (uint8_t)(a[i] ^ b[i]);
  return diff == 0;
}

int mc_password_verify(const char *encoded, const void *password, size_t len) {
  parsed_hash stored;
  uint8_t computed[HASH_MAX];
  int rc, arc;

  if (encoded == NULL || (password == NULL && len > 0)) return MC_ERR_INVALID;
  if (!parse_encoded(encoded, &stored)) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  /* No stored hash came from a longer password; refusing early only tells the caller what it
   * already knows (the length of what it sent). */
  if (len > MC_PASSWORD_MAX_LEN) {
    rc = MC_ERR_FORBIDDEN;
    goto done;
  }
  /* Hashing ourselves (rather than argon2id_verify) keeps the strict parse above as the only
   * decoder and lets us wipe the computed hash. */
  arc = argon2id_hash_raw(stored.t_cost, stored.m_cost_kib, stored.parallelism, password, len,
                          stored.salt, stored.salt_len, computed, stored.hash_len);
  if (arc != ARGON2_OK) {
    mc_warn("auth", "argon2id verification failed: %s", argon2_error_message(arc));
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  rc = equal_ct(computed, stored.hash, stored.hash_len) ? MC_OK : MC_ERR_FORBIDDEN;

done:
  explicit_bzero(computed, sizeof computed);
  explicit_bzero(&stored, sizeof stored);
  return rc;
}

int mc_password_needs_rehash(const mc_password_policy *policy, const char *encoded) {
  parsed_hash stored;
  int needs = 1;

  if (policy == NULL || !parse_encoded(encoded, &stored)) goto done;
  needs = stored.m_cost_kib < policy->m_cost_kib || stored.t_cost < policy->t_cost ||
          stored.parallelism < policy->parallelism || stored.salt_len != MC_PASSWORD_SALT_LEN ||
          stored.hash_len != MC_PASSWORD_HASH_LEN;

done:
  explicit_bzero(&stored, sizeof stored);
  return needs;
}

/* ---- timing cover for unknown accounts ---- */

int mc_password_dummy_init(mc_password_dummy *out, const mc_password_policy *policy) {
  uint8_t secret[32];
  char *encoded = NULL;
  int rc;

  if (out == NULL) return MC_ERR_INVALID;
  memset(out, 0, sizeof *out);
  rc = mc_rand_bytes(secret, sizeof secret);
  if (rc != MC_OK) goto done;
  rc = mc_password_hash(policy, secret, sizeof secret, &encoded);
  if (rc != MC_OK) goto done;
  /* MC_PASSWORD_ENCODED_MAX bounds what argon2id_hash_encoded may write, so this fits. */
  memcpy(out->encoded, encoded, strlen(encoded) + 1);

done:
  explicit_bzero(secret, sizeof secret);
  if (encoded != NULL) {
    explicit_bzero(encoded, strlen(encoded));
    free(encoded);
  }
  return rc;
}

int mc_password_dummy_verify(const mc_password_dummy *dummy, const void *password, size_t len) {
  int rc;
  if (dummy == NULL || dummy->encoded[0] == '\0') return MC_ERR_INTERNAL;
  rc = mc_password_verify(dummy->encoded, password, len);
  /* A match is impossible (the secret was wiped), but the answer must never be "yes". */
  if (rc == MC_OK || rc == MC_ERR_INVALID) rc = MC_ERR_FORBIDDEN;
  return rc;
}
