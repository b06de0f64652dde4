/* jwt.h - access tokens: a key set (HS256 and/or ES256 with kids), issuing, strict verification
 * and the JWKS document. libjwt signs and checks signatures; every other rule is enforced here. */
#ifndef MERCATO_JWT_H
#define MERCATO_JWT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Longest token verify will look at; ours are about 400 bytes. */
#define MC_JWT_TOKEN_MAX 4096u
/* Shortest HS256 secret accepted (256 bits). */
#define MC_JWT_HS256_SECRET_MIN 32u
/* A kid is 1 to 64 characters of [A-Za-z0-9._-]. */
#define MC_JWT_KID_MAX 64u
/* jti: 128 random bits as 32 lower-case hex digits. */
#define MC_JWT_JTI_LEN 32u
/* Upper bounds of the claims handed back by verify (bytes, without the NUL). */
#define MC_JWT_SUB_MAX 128u
#define MC_JWT_ROLE_MAX 16u
#define MC_JWT_JTI_MAX 64u
/* Largest leeway verify accepts for exp, nbf and iat, in seconds. */
#define MC_JWT_LEEWAY_MAX 60
/* Longest lifetime issue accepts: access tokens are meant to be short-lived. */
#define MC_JWT_TTL_MAX (24 * 3600)

typedef enum mc_jwt_alg {
  MC_JWT_HS256 = 1,
  MC_JWT_ES256
} mc_jwt_alg;

/* One key handed to mc_jwt_keys_new; everything is copied, so the caller may wipe it after. */
typedef struct mc_jwt_key_spec {
  mc_jwt_alg alg;
  /* Required for ES256; optional for HS256 (NULL: tokens carry no kid, and at most one key of
   * the set may lack one). Unique within a set. */
  const char *kid;
  /* HS256: the secret, at least MC_JWT_HS256_SECRET_MIN bytes. */
  const unsigned char *secret;
  size_t secret_len;
  /* ES256: a P-256 private key in PEM (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY"), or, for
   * a key kept only to verify older tokens, a "PUBLIC KEY" PEM. NUL-terminated. */
  const char *pem;
} mc_jwt_key_spec;

/* An immutable key set: built once, then shared by any number of threads without locks. */
typedef struct mc_jwt_keys mc_jwt_keys;

/* What issue puts in a token besides the times and the jti (all borrowed). */
typedef struct mc_jwt_issue_params {
  const char *sub;  /* user id, 1..MC_JWT_SUB_MAX bytes */
  const char *role; /* "customer" or "admin" */
  const char *iss;
  const char *aud;
  int64_t ttl_s; /* 1..MC_JWT_TTL_MAX */
} mc_jwt_issue_params;

/* The claims verify hands back; plain arrays, so there is nothing to free. */
typedef struct mc_jwt_claims {
  char sub[MC_JWT_SUB_MAX + 1];
  char role[MC_JWT_ROLE_MAX + 1];
  char jti[MC_JWT_JTI_MAX + 1];
  int64_t iat;
  int64_t exp;
} mc_jwt_claims;

/* Builds a key set from n specs; specs[0] signs new tokens, the others only verify (older keys
 * kept until their tokens expire). Copies every secret and PEM. Refuses (MC_ERR_INVALID) an
 * HS256 secret under 32 bytes, a PEM that is not a P-256 key, a public-only signing key, a
 * missing, malformed or duplicate kid, or more than one key without a kid. On MC_OK *out is a
 * new set the caller releases with mc_jwt_keys_free. Also MC_ERR_INTERNAL. */
int mc_jwt_keys_new(const mc_jwt_key_spec *specs, size_t n, mc_jwt_keys **out);

/* Wipes the secrets and frees keys. NULL is fine. */
void mc_jwt_keys_free(mc_jwt_keys *keys);

/* Returns the algorithm of keys' signing key; keys must not be NULL. */
mc_jwt_alg mc_jwt_keys_signing_alg(const mc_jwt_keys *keys);

/* Issues an access token signed by keys' signing key, valid from now to now + ttl_s. On MC_OK
 * *out_token is a new compact JWS the caller frees with free(), out_jti (MC_JWT_JTI_LEN + 1
 * bytes) holds its jti and *out_exp its expiry. Header: alg, typ and, when the key has one,
 * kid. Claims: iss, aud, sub, iat, nbf, exp, jti, role, token_use = "access".
 * Returns MC_OK, MC_ERR_INVALID for bad params, or MC_ERR_INTERNAL. */
int mc_jwt_issue(const mc_jwt_keys *keys, const mc_jwt_issue_params *params, int64_t now,
                 char **out_token, char out_jti[MC_JWT_JTI_LEN + 1], int64_t *out_exp);

/* Verifies token (borrowed) as an access token for iss and aud at time now, allowing leeway_s
 * (0..MC_JWT_LEEWAY_MAX) of clock skew on exp, nbf and iat. The header is checked before any
 * signature work: alg must be exactly (case-sensitively) the algorithm of the key chosen by kid,
 * so "none" and HS256-with-a-public-key never reach libjwt. Then the signature, exp, nbf, iat,
 * the lifetime (exp - iat at most max_lifetime_s, 1..MC_JWT_TTL_MAX, plus leeway_s: a token
 * minted by a leaked key or an old configuration with a far exp is not honoured for longer than
 * the tokens we issue), iss, aud (a string, or an array holding it), token_use == "access", a
 * non-empty sub, a jti and role customer or admin. Whether sub is an active user is the
 * caller's check.
 * Returns MC_OK with *out filled, MC_ERR_FORBIDDEN for any token that fails, or MC_ERR_INVALID
 * for bad arguments. *out_reason (may be NULL) is set to NULL on MC_OK, otherwise to a static
 * code for logs and tests: "malformed" (shape, size, base64url, header JSON, crit), "bad_alg"
 * (not exactly HS256/ES256, no key of that algorithm, or not the algorithm of the key its kid
 * names), "unknown_kid", "bad_signature", "expired", "not_yet_valid", "bad_lifetime",
 * "bad_issuer", "bad_audience", "bad_use", "bad_claims" (exp, nbf, iat, sub, role or jti
 * missing, mistyped or out of range), or "invalid_argument". Never log the token itself. */
int mc_jwt_verify(const mc_jwt_keys *keys, const char *token, const char *iss, const char *aud,
                  int64_t leeway_s, int64_t max_lifetime_s, int64_t now, mc_jwt_claims *out,
                  const char **out_reason);

/* Builds the JWKS document for the ES256 keys of the set, public parts only:
 * {"keys":[{"kty":"EC","crv":"P-256","x":..,"y":..,"kid":..,"use":"sig","alg":"ES256"},..]}
 * (an empty list when the set holds only HS256 keys). On MC_OK *out is a new reference.
 * Returns MC_OK or MC_ERR_INTERNAL. */
int mc_jwt_jwks(const mc_jwt_keys *keys, json_t **out);

/* Generates a new P-256 private key. On MC_OK *out_pem is a new NUL-terminated PKCS#8 PEM the
 * caller wipes (explicit_bzero) and frees with free(). Returns MC_OK or MC_ERR_INTERNAL. */
int mc_jwt_generate_es256_pem(char **out_pem);

/* Fills secret with len random bytes for HS256; len must be at least MC_JWT_HS256_SECRET_MIN.
 * Returns MC_OK, MC_ERR_INVALID for a short len, or MC_ERR_INTERNAL. */
int mc_jwt_generate_hs256_secret(unsigned char *secret, size_t len);

#endif
