/* test_jwt.c - unit tests for access tokens: issuing, verifying, algorithm and claim attacks,
 * key sets, rotation and the published JWKS. Each test states one behaviour. */
#include <check.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/jwt.h"

/* ---- jwt fixture and helpers ---- */

#define NOW 1700000000
/* The access-token lifetime verify is told the server issues (MERCATO_ACCESS_TTL). */
#define LIFETIME 900
#define ISS "https://shop.example"
#define AUD "mercato-api"

static const unsigned char secret_a[32] = "0123456789abcdef0123456789abcde";
static const unsigned char secret_b[32] = "fedcba9876543210fedcba987654321";

/* Fresh for every test: an HS256 set (secret_a, no kid) and an ES256 set (es_pem, kid "k1"). */
static mc_jwt_keys *hs, *es;
static char *es_pem;

static mc_jwt_keys *hs_keys(const unsigned char *secret) {
  mc_jwt_key_spec spec = {.alg = MC_JWT_HS256, .secret = secret, .secret_len = 32};
  mc_jwt_keys *keys = NULL;
  ck_assert_int_eq(mc_jwt_keys_new(&spec, 1, &keys), MC_OK);
  return keys;
}

static char *new_es_pem(void) {
  char *pem = NULL;
  ck_assert_int_eq(mc_jwt_generate_es256_pem(&pem), MC_OK);
  ck_assert(strstr(pem, "-----BEGIN PRIVATE KEY-----") != NULL);
  return pem;
}

static mc_jwt_keys *es_keys(const char *pem, const char *kid) {
  mc_jwt_key_spec spec = {.alg = MC_JWT_ES256, .kid = kid, .pem = pem};
  mc_jwt_keys *keys = NULL;
  ck_assert_int_eq(mc_jwt_keys_new(&spec, 1, &keys), MC_OK);
  return keys;
}

static void jwt_setup(void) {
  hs = hs_keys(secret_a);
  es_pem = new_es_pem();
  es = es_keys(es_pem, "k1");
}

static void jwt_teardown(void) {
  mc_jwt_keys_free(hs);
  mc_jwt_keys_free(es);
  free(es_pem);
}

/* A customer token from keys, issued at now for ttl seconds; the caller frees it. */
static char *issue(const mc_jwt_keys *keys, int64_t now, int64_t ttl) {
  mc_jwt_issue_params p = {.sub = "usr_01hx", .role = "customer", .iss = ISS, .aud = AUD,
                           .ttl_s = ttl};
  char *token = NULL, jti[MC_JWT_JTI_LEN + 1];
  int64_t exp = 0;
  ck_assert_int_eq(mc_jwt_issue(keys, &p, now, &token, jti, &exp), MC_OK);
  return token;
}

/* Runs verify for iss and aud with 30 s leeway; returns the reason (NULL when accepted). */
static const char *verify_for(const mc_jwt_keys *keys, const char *token, const char *iss,
                              const char *aud, int64_t now) {
  mc_jwt_claims c;
  const char *reason = "unset";
  int rc = mc_jwt_verify(keys, token, iss, aud, 30, LIFETIME, now, &c, &reason);
  ck_assert_int_eq(rc, reason == NULL ? MC_OK : MC_ERR_FORBIDDEN);
  return reason;
}

static const char *verify_reason(const mc_jwt_keys *keys, const char *token, int64_t now) {
  return verify_for(keys, token, ISS, AUD, now);
}

static const char b64url_digits[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64url(const char *text) {
  size_t len = strlen(text), o = 0;
  char *out = malloc(len * 4 / 3 + 4);
  uint32_t acc = 0;
  unsigned bits = 0;
  for (size_t i = 0; i < len; i++) {
    acc = (acc << 8) | (unsigned char)text[i];
    for (bits += 8; bits >= 6; bits -= 6) out[o++] = b64url_digits[(acc >> (bits - 6)) & 63];
  }
  if (bits > 0) out[o++] = b64url_digits[(acc << (6 - bits)) & 63];
  out[o] = '\0';
  return out;
}

static size_t unb64url(const char *in, size_t len, unsigned char *out) {
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    const char *p = strchr(b64url_digits, in[i]);
    ck_assert(p != NULL && *p != '\0');
    acc = (acc << 6) | (uint32_t)(p - b64url_digits);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (unsigned char)(acc >> bits);
    }
  }
  return n;
}

/* Builds header.payload.sig from JSON texts, unsigned: sig is pasted as given. */
static char *raw_token(const char *header, const char *payload, const char *sig) {
  char *h = b64url(header), *p = b64url(payload), *t = NULL;
  ck_assert_int_gt(asprintf(&t, "%s.%s.%s", h, p, sig), 0);
  free(h);
  free(p);
  return t;
}

/* Signs claims (a JSON object text) with libjwt directly, bypassing mc_jwt_issue's rules. */
static char *craft(jwt_alg_t alg, const void *key, size_t key_len, const char *kid,
                   const char *claims) {
  jwt_t *jwt = NULL;
  char *token;
  ck_assert_int_eq(jwt_new(&jwt), 0);
  ck_assert_int_eq(jwt_add_grants_json(jwt, claims), 0);
  if (kid != NULL) ck_assert_int_eq(jwt_add_header(jwt, "kid", kid), 0);
  ck_assert_int_eq(jwt_set_alg(jwt, alg, key, (int)key_len), 0);
  token = jwt_encode_str(jwt);
  ck_assert_ptr_nonnull(token);
  jwt_free(jwt);
  return token;
}

/* The claims mc_jwt_issue writes at NOW, with one member replaced or added (value stolen). */
static char *claims_with(const char *name, json_t *value) {
  json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s}", "iss", ISS, "aud", AUD,
                        "sub", "usr_01hx", "iat", (json_int_t)NOW, "nbf", (json_int_t)NOW,
                        "exp", (json_int_t)NOW + 900, "jti", "0123456789abcdef0123456789abcdef",
                        "role", "customer", "token_use", "access");
  char *text;
  if (name != NULL) json_object_set_new(c, name, value);
  text = json_dumps(c, JSON_COMPACT);
  json_decref(c);
  return text;
}

/* Verifies, against hs at NOW, a token signed with secret_a whose claims differ in one member. */
static const char *verify_crafted_hs(const char *name, json_t *value) {
  char *claims = claims_with(name, value);
  char *token = craft(JWT_ALG_HS256, secret_a, 32, NULL, claims);
  const char *reason = verify_reason(hs, token, NOW);
  free(token);
  free(claims);
  return reason;
}

/* The SPKI PEM of a private PEM: what anyone can derive from the JWKS. */
static char *public_pem_of(const char *private_pem) {
  gnutls_datum_t in = {(unsigned char *)private_pem, (unsigned)strlen(private_pem)}, out;
  gnutls_privkey_t priv;
  gnutls_pubkey_t pub;
  char *s;
  ck_assert_int_ge(gnutls_privkey_init(&priv), 0);
  ck_assert_int_ge(gnutls_pubkey_init(&pub), 0);
  ck_assert_int_ge(gnutls_privkey_import_x509_raw(priv, &in, GNUTLS_X509_FMT_PEM, NULL, 0), 0);
  ck_assert_int_ge(gnutls_pubkey_import_privkey(pub, priv, 0, 0), 0);
  ck_assert_int_ge(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_PEM, &out), 0);
  s = strndup((const char *)out.data, out.size);
  gnutls_free(out.data);
  gnutls_pubkey_deinit(pub);
  gnutls_privkey_deinit(priv);
  return s;
}

static json_t *header_of(const char *token) {
  unsigned char buf[512];
  size_t n = unb64url(token, (size_t)(strchr(token, '.') - token), buf);
  json_t *h = json_loadb((const char *)buf, n, 0, NULL);
  ck_assert_ptr_nonnull(h);
  return h;
}

/* ---- jwt: round trips ---- */

START_TEST(jwt_hs256_issue_then_verify_round_trips) {
  mc_jwt_issue_params p = {.sub = "usr_01hx", .role = "admin", .iss = ISS, .aud = AUD,
                           .ttl_s = 900};
  char *token = NULL, jti[MC_JWT_JTI_LEN + 1];
  int64_t exp = 0;
  mc_jwt_claims c;
  const char *reason = "unset";
  json_t *h;

  ck_assert_int_eq(mc_jwt_issue(hs, &p, NOW, &token, jti, &exp), MC_OK);
  ck_assert_int_eq(exp, NOW + 900);
  ck_assert_uint_eq(strlen(jti), 32);
  ck_assert_uint_eq(strspn(jti, "0123456789abcdef"), 32);
  h = header_of(token);
  ck_assert_str_eq(json_string_value(json_object_get(h, "alg")), "HS256");
  ck_assert_ptr_null(json_object_get(h, "kid"));
  json_decref(h);

  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 0, LIFETIME, NOW + 10, &c, &reason), MC_OK);
  ck_assert_ptr_null(reason);
  ck_assert_str_eq(c.sub, "usr_01hx");
  ck_assert_str_eq(c.role, "admin");
  ck_assert_str_eq(c.jti, jti);
  ck_assert_int_eq(c.iat, NOW);
  ck_assert_int_eq(c.exp, NOW + 900);
  free(token);
}
END_TEST

START_TEST(jwt_es256_issue_then_verify_round_trips) {
  char *token = issue(es, NOW, 900);
  const char *sig = strrchr(token, '.') + 1;
  unsigned char raw[128];
  json_t *h = header_of(token);

  ck_assert_str_eq(json_string_value(json_object_get(h, "alg")), "ES256");
  ck_assert_str_eq(json_string_value(json_object_get(h, "kid")), "k1");
  ck_assert_int_eq(mc_jwt_keys_signing_alg(es), MC_JWT_ES256);
  /* JWS wants R||S (64 bytes), not DER. */
  ck_assert_uint_eq(unb64url(sig, strlen(sig), raw), 64);
  ck_assert_ptr_null(verify_reason(es, token, NOW + 10));
  json_decref(h);
  free(token);
}
END_TEST

START_TEST(jwt_es256_signature_verifies_against_the_jwks_coordinates) {
  char *token = issue(es, NOW, 900);
  json_t *jwks = NULL, *jwk;
  unsigned char xb[40], yb[40], sig[64];
  const char *x, *y, *dot = strrchr(token, '.');
  gnutls_datum_t xd, yd, r, s, der = {NULL, 0};
  gnutls_datum_t data = {(unsigned char *)token, (unsigned)(dot - token)};
  gnutls_pubkey_t pub;

  ck_assert_int_eq(mc_jwt_jwks(es, &jwks), MC_OK);
  jwk = json_array_get(json_object_get(jwks, "keys"), 0);
  x = json_string_value(json_object_get(jwk, "x"));
  y = json_string_value(json_object_get(jwk, "y"));
  xd = (gnutls_datum_t){xb, (unsigned)unb64url(x, strlen(x), xb)};
  yd = (gnutls_datum_t){yb, (unsigned)unb64url(y, strlen(y), yb)};
  ck_assert_uint_eq(unb64url(dot + 1, strlen(dot + 1), sig), 64);
  r = (gnutls_datum_t){sig, 32};
  s = (gnutls_datum_t){sig + 32, 32};

  /* An outside verifier holding nothing but the JWK accepts the signature. */
  ck_assert_int_ge(gnutls_pubkey_init(&pub), 0);
  ck_assert_int_ge(gnutls_pubkey_import_ecc_raw(pub, GNUTLS_ECC_CURVE_SECP256R1, &xd, &yd), 0);
  ck_assert_int_ge(gnutls_encode_rs_value(&der, &r, &s), 0);
  ck_assert_int_ge(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &der), 0);
  gnutls_free(der.data);
  gnutls_pubkey_deinit(pub);
  json_decref(jwks);
  free(token);
}
END_TEST

/* ---- jwt: algorithm and signature attacks ---- */

START_TEST(jwt_alg_none_in_any_case_is_bad_alg) {
  static const char *headers[] = {
    "{\"alg\":\"none\"}", "{\"alg\":\"None\"}", "{\"alg\":\"NONE\"}",
    "{\"alg\":\"nOnE\",\"typ\":\"JWT\"}", "{\"alg\":\"hs256\"}", "{\"alg\":\"\"}", "{}",
    "{\"alg\":null}", "{\"alg\":[\"HS256\"]}",
  };
  char *claims = claims_with(NULL, NULL);
  for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
    char *t = raw_token(headers[i], claims, "");
    const char *reason = verify_reason(hs, t, NOW);
    ck_assert_msg(reason != NULL && strcmp(reason, "bad_alg") == 0, "%s: %s", headers[i],
                  reason == NULL ? "accepted" : reason);
    ck_assert_str_eq(verify_reason(es, t, NOW), "bad_alg");
    free(t);
  }
  free(claims);
}
END_TEST

START_TEST(jwt_hs256_signed_with_another_secret_is_bad_signature) {
  mc_jwt_keys *other = hs_keys(secret_b);
  char *token = issue(other, NOW, 900);
  ck_assert_str_eq(verify_reason(hs, token, NOW), "bad_signature");
  free(token);
  mc_jwt_keys_free(other);
}
END_TEST

START_TEST(jwt_hs256_and_es256_are_never_accepted_for_each_others_keys) {
  char *pub = public_pem_of(es_pem);
  char *claims = claims_with(NULL, NULL);
  char *with_kid = craft(JWT_ALG_HS256, pub, strlen(pub), "k1", claims);
  char *without_kid = craft(JWT_ALG_HS256, pub, strlen(pub), NULL, claims);
  char *es_header = raw_token("{\"alg\":\"ES256\"}", claims, "c2lnbmF0dXJl");
  ck_assert_str_eq(verify_reason(es, with_kid, NOW), "bad_alg");
  ck_assert_str_eq(verify_reason(es, without_kid, NOW), "bad_alg");
  /* And the other way round: an ES256 header never reaches an HS256 key. */
  ck_assert_str_eq(verify_reason(hs, es_header, NOW), "bad_alg");
  free(es_header);
  free(with_kid);
  free(without_kid);
  free(claims);
  free(pub);
}
END_TEST

START_TEST(jwt_tampered_payload_is_bad_signature) {
  char *token = issue(hs, NOW, 900);
  char *admin = claims_with("role", json_string("admin"));
  char *forged = raw_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", admin, strrchr(token, '.') + 1);
  ck_assert_str_eq(verify_reason(hs, forged, NOW), "bad_signature");
  /* One changed character of the signature, too. */
  token[strlen(token) - 2] = token[strlen(token) - 2] == 'A' ? 'B' : 'A';
  ck_assert_str_eq(verify_reason(hs, token, NOW), "bad_signature");
  free(forged);
  free(admin);
  free(token);
}
END_TEST

/* ---- jwt: shape ---- */

START_TEST(jwt_oversize_token_is_malformed) {
  char pad[MC_JWT_TOKEN_MAX];
  char *claims, *token;
  memset(pad, 'p', sizeof pad - 1);
  pad[sizeof pad - 1] = '\0';
  /* Correctly signed, but longer than anything we issue. */
  claims = claims_with("pad", json_string(pad));
  token = craft(JWT_ALG_HS256, secret_a, 32, NULL, claims);
  ck_assert_uint_gt(strlen(token), MC_JWT_TOKEN_MAX);
  ck_assert_str_eq(verify_reason(hs, token, NOW), "malformed");
  free(token);
  free(claims);
}
END_TEST

START_TEST(jwt_garbage_strings_are_malformed) {
  static const char *garbage[] = {
    "", "abc", "a.b", "a.b.c.d", "..", "...", "!!.!!.!!", "Bearer x.y.z",
    "eyJhbGciOiJIUzI1NiJ9.e30.c2ln====", "eyJhbGciOiJIUzI1NiJ9..c2ln",
    "bm90IGpzb24.e30.c2ln",                            /* header is not JSON */
    "WyJIUzI1NiJd.e30.c2ln",                           /* header is an array */
    "eyJhbGciOiJIUzI1NiIsImFsZyI6Im5vbmUifQ.e30.c2ln", /* alg given twice */
    "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiYiJdfQ.e30.c2ln", /* crit */
    "fam_01hx.5f2b8c0d9e1a4b3c6d7e8f9a0b1c2d3e",       /* a refresh token */
    /* A header member name that is not UTF-8: the flat parser once released its value twice
     * (found by tests/fuzz/fuzz_jwt_verify.c), before any signature check. */
    "eyLIIjoieCIsImFsZyI6IkhTMjU2In0.e30.c2ln",
    /* A 19-digit number in the header: the flat parser once overflowed an int64 on it (UB). */
    "eyJhbGciOiJIUzI1NiIsIngiOjk5OTk5OTk5OTk5OTk5OTk5OTl9.e30.c2ln",
  };
  for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
    const char *reason = verify_reason(hs, garbage[i], NOW);
    ck_assert_msg(reason != NULL && strcmp(reason, "malformed") == 0, "#%zu: %s", i,
                  reason == NULL ? "accepted" : reason);
  }
}
END_TEST

/* ---- jwt: claims ---- */

START_TEST(jwt_expired_beyond_the_leeway_is_expired) {
  char *token = issue(hs, NOW, 900);
  ck_assert_str_eq(verify_reason(hs, token, NOW + 900 + 30), "expired");
  ck_assert_str_eq(verify_reason(hs, token, NOW + 86400), "expired");
  free(token);
}
END_TEST

START_TEST(jwt_expired_within_the_leeway_is_accepted) {
  char *token = issue(hs, NOW, 900);
  ck_assert_ptr_null(verify_reason(hs, token, NOW + 900 + 29));
  free(token);
}
END_TEST

START_TEST(jwt_nbf_or_iat_in_the_future_is_not_yet_valid) {
  ck_assert_str_eq(verify_crafted_hs("nbf", json_integer(NOW + 31)), "not_yet_valid");
  ck_assert_str_eq(verify_crafted_hs("iat", json_integer(NOW + 31)), "not_yet_valid");
  ck_assert_ptr_null(verify_crafted_hs("nbf", json_integer(NOW + 30)));
}
END_TEST

START_TEST(jwt_wrong_audience_is_bad_audience) {
  char *token = issue(hs, NOW, 900);
  ck_assert_str_eq(verify_for(hs, token, ISS, "other-api", NOW), "bad_audience");
  ck_assert_str_eq(verify_crafted_hs("aud", json_pack("[s,s]", "x", "y")), "bad_audience");
  ck_assert_str_eq(verify_crafted_hs("aud", json_integer(1)), "bad_audience");
  /* An array that holds our audience is fine. */
  ck_assert_ptr_null(verify_crafted_hs("aud", json_pack("[s,s]", "x", AUD)));
  free(token);
}
END_TEST

START_TEST(jwt_wrong_issuer_is_bad_issuer) {
  char *token = issue(hs, NOW, 900);
  ck_assert_str_eq(verify_for(hs, token, "https://evil.example", AUD, NOW), "bad_issuer");
  ck_assert_str_eq(verify_crafted_hs("iss", json_null()), "bad_issuer");
  free(token);
}
END_TEST

START_TEST(jwt_token_use_other_than_access_is_bad_use) {
  ck_assert_str_eq(verify_crafted_hs("token_use", json_string("refresh")), "bad_use");
  ck_assert_str_eq(verify_crafted_hs("token_use", json_string("Access")), "bad_use");
  ck_assert_str_eq(verify_crafted_hs("token_use", json_null()), "bad_use");
}
END_TEST

START_TEST(jwt_bad_sub_role_jti_or_times_are_bad_claims) {
  ck_assert_str_eq(verify_crafted_hs("role", json_string("superuser")), "bad_claims");
  ck_assert_str_eq(verify_crafted_hs("sub", json_string("")), "bad_claims");
  ck_assert_str_eq(verify_crafted_hs("jti", json_integer(7)), "bad_claims");
  ck_assert_str_eq(verify_crafted_hs("exp", json_string("never")), "bad_claims");
  ck_assert_str_eq(verify_crafted_hs("exp", json_real(NOW + 900.0)), "bad_claims");
}
END_TEST

START_TEST(jwt_verify_refuses_a_leeway_over_60_seconds) {
  char *token = issue(hs, NOW, 900);
  mc_jwt_claims c;
  const char *reason = NULL;
  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 61, LIFETIME, NOW, &c, &reason), MC_ERR_INVALID);
  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 60, LIFETIME, NOW, &c, &reason), MC_OK);
  free(token);
}
END_TEST

START_TEST(jwt_issue_refuses_bad_params) {
  const mc_jwt_issue_params ok = {.sub = "usr_1", .role = "customer", .iss = ISS, .aud = AUD,
                                  .ttl_s = 900};
  mc_jwt_issue_params bad[4] = {ok, ok, ok, ok};
  char *token = NULL, jti[MC_JWT_JTI_LEN + 1];
  int64_t exp;
  bad[0].role = "root";
  bad[1].sub = "";
  bad[2].ttl_s = 0;
  bad[3].ttl_s = MC_JWT_TTL_MAX + 1;
  for (size_t i = 0; i < 4; i++) {
    ck_assert_int_eq(mc_jwt_issue(hs, &bad[i], NOW, &token, jti, &exp), MC_ERR_INVALID);
    ck_assert_ptr_null(token);
  }
}
END_TEST

/* ---- jwt: keys, rotation and publication ---- */

static char *p384_pem(void) {
  gnutls_x509_privkey_t key;
  gnutls_datum_t d;
  char *s;
  ck_assert_int_ge(gnutls_x509_privkey_init(&key), 0);
  ck_assert_int_ge(gnutls_x509_privkey_generate2(
                     key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), 0,
                     NULL, 0),
                   0);
  ck_assert_int_ge(
    gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
  s = strndup((const char *)d.data, d.size);
  gnutls_free(d.data);
  gnutls_x509_privkey_deinit(key);
  return s;
}

START_TEST(jwt_keys_refuse_short_secrets_bad_pems_and_ambiguous_kids) {
  unsigned char secret[64];
  char *pub = public_pem_of(es_pem), *p384 = p384_pem();
  mc_jwt_keys *keys = (mc_jwt_keys *)1;
  const mc_jwt_key_spec refused[][2] = {
    {{.alg = MC_JWT_HS256, .secret = secret, .secret_len = 31}},
    {{.alg = MC_JWT_ES256, .kid = "k1", .pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n"}},
    {{.alg = MC_JWT_ES256, .kid = "k1", .pem = p384}},
    {{.alg = MC_JWT_ES256, .pem = es_pem}},
    {{.alg = MC_JWT_ES256, .kid = "bad kid", .pem = es_pem}},
    {{.alg = MC_JWT_ES256, .kid = "k1", .pem = pub}}, /* a signer needs its private part */
    {{.alg = MC_JWT_ES256, .kid = "k1", .pem = es_pem},
     {.alg = MC_JWT_ES256, .kid = "k1", .pem = es_pem}},
    {{.alg = MC_JWT_HS256, .secret = secret, .secret_len = 32},
     {.alg = MC_JWT_HS256, .secret = secret, .secret_len = 40}},
  };

  ck_assert_int_eq(mc_jwt_generate_hs256_secret(secret, sizeof secret), MC_OK);
  ck_assert_int_eq(mc_jwt_generate_hs256_secret(secret, 31), MC_ERR_INVALID);
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    size_t n = refused[i][1].alg != 0 ? 2 : 1;
    ck_assert_msg(mc_jwt_keys_new(refused[i], n, &keys) == MC_ERR_INVALID, "accepted #%zu", i);
    ck_assert_ptr_null(keys);
  }
  free(p384);
  free(pub);
}
END_TEST

START_TEST(jwt_rotation_keeps_old_tokens_valid_while_the_old_key_is_listed) {
  char *new_pem = new_es_pem(), *old_pub = public_pem_of(es_pem);
  char *old_token = issue(es, NOW, 900), *new_token;
  /* The new key signs; the old one stays (here by its public half) until its tokens expire. */
  const mc_jwt_key_spec during_spec[2] = {{.alg = MC_JWT_ES256, .kid = "k2", .pem = new_pem},
                                          {.alg = MC_JWT_ES256, .kid = "k1", .pem = old_pub}};
  mc_jwt_keys *during = NULL, *after = es_keys(new_pem, "k2");
  json_t *h;

  ck_assert_int_eq(mc_jwt_keys_new(during_spec, 2, &during), MC_OK);
  new_token = issue(during, NOW, 900);
  h = header_of(new_token);
  ck_assert_str_eq(json_string_value(json_object_get(h, "kid")), "k2");
  ck_assert_ptr_null(verify_reason(during, old_token, NOW + 60));
  ck_assert_ptr_null(verify_reason(during, new_token, NOW + 60));
  ck_assert_str_eq(verify_reason(after, old_token, NOW + 60), "unknown_kid");
  ck_assert_ptr_null(verify_reason(after, new_token, NOW + 60));
  json_decref(h);
  free(new_token);
  free(old_token);
  free(old_pub);
  free(new_pem);
  mc_jwt_keys_free(during);
  mc_jwt_keys_free(after);
}
END_TEST

START_TEST(jwt_jwks_lists_public_keys_only) {
  char *pem2 = new_es_pem();
  const mc_jwt_key_spec specs[3] = {{.alg = MC_JWT_ES256, .kid = "k2", .pem = pem2},
                                    {.alg = MC_JWT_ES256, .kid = "k1", .pem = es_pem},
                                    {.alg = MC_JWT_HS256, .secret = secret_a, .secret_len = 32}};
  mc_jwt_keys *keys = NULL;
  json_t *jwks = NULL, *list, *jwk;
  size_t i;

  ck_assert_int_eq(mc_jwt_keys_new(specs, 3, &keys), MC_OK);
  ck_assert_int_eq(mc_jwt_jwks(keys, &jwks), MC_OK);
  list = json_object_get(jwks, "keys");
  ck_assert_uint_eq(json_array_size(list), 2);
  json_array_foreach(list, i, jwk) {
    json_t *expected = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256",
                                 "use", "sig", "alg", "ES256", "kid", i == 0 ? "k2" : "k1");
    ck_assert_uint_eq(strlen(json_string_value(json_object_get(jwk, "x"))), 43);
    ck_assert_uint_eq(strlen(json_string_value(json_object_get(jwk, "y"))), 43);
    /* Nothing else, in particular no private "d". */
    json_object_del(jwk, "x");
    json_object_del(jwk, "y");
    ck_assert(json_equal(jwk, expected));
    json_decref(expected);
  }
  json_decref(jwks);
  ck_assert_int_eq(mc_jwt_jwks(hs, &jwks), MC_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(jwks, "keys")), 0);
  json_decref(jwks);
  free(pem2);
  mc_jwt_keys_free(keys);
}
END_TEST

START_TEST(jwt_unknown_kid_is_unknown_kid) {
  mc_jwt_keys *other = es_keys(es_pem, "k9");
  char *token = issue(es, NOW, 900);
  ck_assert_str_eq(verify_reason(other, token, NOW), "unknown_kid");
  free(token);
  mc_jwt_keys_free(other);
}
END_TEST

START_TEST(jwt_a_lifetime_beyond_the_configured_one_is_bad_lifetime) {
  mc_jwt_claims c;
  const char *reason = NULL;
  char *token = issue(hs, NOW, 3600);
  ck_assert_str_eq(verify_reason(hs, token, NOW), "bad_lifetime");
  free(token);
  ck_assert_str_eq(verify_crafted_hs("exp", json_integer(NOW + 365 * 86400)), "bad_lifetime");
  ck_assert_str_eq(verify_crafted_hs("iat", json_integer(NOW - 31)), "bad_lifetime");
  /* The lifetime plus the clock skew passes; a second more does not. */
  ck_assert_ptr_null(verify_crafted_hs("exp", json_integer(NOW + LIFETIME + 30)));
  ck_assert_str_eq(verify_crafted_hs("exp", json_integer(NOW + LIFETIME + 31)), "bad_lifetime");
  /* A token this thread remembers is held to the lifetime of each call too. */
  token = issue(hs, NOW, 900);
  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 30, 900, NOW, &c, &reason), MC_OK);
  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 30, 600, NOW, &c, &reason), MC_ERR_FORBIDDEN);
  ck_assert_str_eq(reason, "bad_lifetime");
  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 30, 0, NOW, &c, &reason), MC_ERR_INVALID);
  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 30, MC_JWT_TTL_MAX + 1, NOW, &c, &reason), MC_ERR_INVALID);
  free(token);
}
END_TEST

static Suite *jwt_suite(void) {
  Suite *s = suite_create("jwt");
  TCase *jwt = tcase_create("jwt");

  tcase_add_checked_fixture(jwt, jwt_setup, jwt_teardown);
  tcase_add_test(jwt, jwt_hs256_issue_then_verify_round_trips);
  tcase_add_test(jwt, jwt_es256_issue_then_verify_round_trips);
  tcase_add_test(jwt, jwt_es256_signature_verifies_against_the_jwks_coordinates);
  tcase_add_test(jwt, jwt_alg_none_in_any_case_is_bad_alg);
  tcase_add_test(jwt, jwt_hs256_signed_with_another_secret_is_bad_signature);
  tcase_add_test(jwt, jwt_hs256_and_es256_are_never_accepted_for_each_others_keys);
  tcase_add_test(jwt, jwt_tampered_payload_is_bad_signature);
  tcase_add_test(jwt, jwt_oversize_token_is_malformed);
  tcase_add_test(jwt, jwt_garbage_strings_are_malformed);
  tcase_add_test(jwt, jwt_expired_beyond_the_leeway_is_expired);
  tcase_add_test(jwt, jwt_expired_within_the_leeway_is_accepted);
  tcase_add_test(jwt, jwt_nbf_or_iat_in_the_future_is_not_yet_valid);
  tcase_add_test(jwt, jwt_wrong_audience_is_bad_audience);
  tcase_add_test(jwt, jwt_wrong_issuer_is_bad_issuer);
  tcase_add_test(jwt, jwt_token_use_other_than_access_is_bad_use);
  tcase_add_test(jwt, jwt_bad_sub_role_jti_or_times_are_bad_claims);
  tcase_add_test(jwt, jwt_verify_refuses_a_leeway_over_60_seconds);
  tcase_add_test(jwt, jwt_issue_refuses_bad_params);
  tcase_add_test(jwt, jwt_keys_refuse_short_secrets_bad_pems_and_ambiguous_kids);
  tcase_add_test(jwt, jwt_rotation_keeps_old_tokens_valid_while_the_old_key_is_listed);
  tcase_add_test(jwt, jwt_jwks_lists_public_keys_only);
  tcase_add_test(jwt, jwt_unknown_kid_is_unknown_kid);
  tcase_add_test(jwt, jwt_a_lifetime_beyond_the_configured_one_is_bad_lifetime);
  suite_add_tcase(s, jwt);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(jwt_suite());
  int failed;

  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
