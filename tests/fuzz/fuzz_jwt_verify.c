/* fuzz_jwt_verify.c - access-token verification on arbitrary input, in two modes chosen by the
 * first byte:
 *   even: the rest is a token as a client would send it. Nothing but a token signed with the
 *         secret (which the fuzzer does not know) may verify, so MC_OK is a forgery: abort.
 *   odd:  the rest is "<header JSON>\n<payload JSON>", encoded and signed here with the real
 *         secret, so the header checks and the claim parser are reached. When verify accepts,
 *         the claims it returns must be the ones jansson reads from the same payload. */
#include <gnutls/crypto.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/jwt.h"

#define FUZZ_ISS "mercato-fuzz"
#define FUZZ_AUD "mercato-fuzz-api"
#define FUZZ_NOW INT64_C(1800000000)

static const unsigned char secret[] = "fuzz-secret-fuzz-secret-fuzz-secret-0123";
static mc_jwt_keys *keys;

static size_t b64url(const unsigned char *in, size_t len, char *out) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t o = 0, i = 0;
  for (; i + 2 < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = abc[v >> 18 & 63], out[o++] = abc[v >> 12 & 63];
    out[o++] = abc[v >> 6 & 63], out[o++] = abc[v & 63];
  }
  if (len - i == 1) {
    uint32_t v = (uint32_t)in[i] << 16;
    out[o++] = abc[v >> 18 & 63], out[o++] = abc[v >> 12 & 63];
  } else if (len - i == 2) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
    out[o++] = abc[v >> 18 & 63], out[o++] = abc[v >> 12 & 63], out[o++] = abc[v >> 6 & 63];
  }
  out[o] = '\0';
  return o;
}

static void init_keys(void) {
  mc_jwt_key_spec spec = {.alg = MC_JWT_HS256, .kid = NULL, .secret = secret, .secret_len = sizeof secret - 1};
  if (!keys && mc_jwt_keys_new(&spec, 1, &keys) != MC_OK) abort();
}

/* The claims verify returned must be what the payload says. */
static void claims_match_payload(const char *payload, size_t len, const mc_jwt_claims *c) {
  json_t *p = json_loadb(payload, len, JSON_REJECT_DUPLICATES, NULL);
  if (!p) abort(); /* verify accepted a payload that is not JSON */
  if (strcmp(json_string_value(json_object_get(p, "sub")) ?: "", c->sub) != 0) abort();
  if (strcmp(json_string_value(json_object_get(p, "role")) ?: "", c->role) != 0) abort();
  if (strcmp(json_string_value(json_object_get(p, "jti")) ?: "", c->jti) != 0) abort();
  if (json_integer_value(json_object_get(p, "exp")) != c->exp) abort();
  if (json_integer_value(json_object_get(p, "iat")) != c->iat) abort();
  json_decref(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char token[2 * MC_JWT_TOKEN_MAX];
  mc_jwt_claims claims;
  const char *reason = NULL;

  if (size < 1 || size > MC_JWT_TOKEN_MAX) return 0;
  init_keys();
  if (!(data[0] & 1)) {
    memcpy(token, data + 1, size - 1);
    token[size - 1] = '\0';
    if (mc_jwt_verify(keys, token, FUZZ_ISS, FUZZ_AUD, 0, MC_JWT_TTL_MAX, FUZZ_NOW, &claims, &reason) == MC_OK) abort();
    return 0;
  }
  const uint8_t *rest = data + 1, *nl = memchr(rest, '\n', size - 1);
  if (!nl) return 0;
  size_t hlen = (size_t)(nl - rest), plen = size - 2 - hlen, o;
  o = b64url(rest, hlen, token);
  token[o++] = '.';
  o += b64url(nl + 1, plen, token + o);
  unsigned char mac[32];
  if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, secret, sizeof secret - 1, token, o, mac) != 0) abort();
  token[o++] = '.';
  b64url(mac, sizeof mac, token + o);
  if (mc_jwt_verify(keys, token, FUZZ_ISS, FUZZ_AUD, 0, MC_JWT_TTL_MAX, FUZZ_NOW, &claims, &reason) == MC_OK)
    claims_match_payload((const char *)nl + 1, plen, &claims);
  else if (!reason)
    abort();
  return 0;
}
