/* jwt.c - access tokens over libjwt 1.10, which checks signatures only and believes the token's
 * own alg: the header, key choice and every claim are therefore checked here, before and after. */
#include "mercato/jwt.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/rand.h"

/* P-256 coordinates are 32 bytes: 43 characters of unpadded base64url. */
#define COORD_LEN 32u
#define COORD_B64_LEN 43u

typedef struct jwt_key {
  mc_jwt_alg alg;
  char *kid; /* NULL for the one HS256 key allowed without a kid */
  /* What libjwt is handed: the HS256 secret, or for ES256 the private key as PKCS#8 PEM
   * (NULL for a verify-only key) and the public key as SPKI PEM. Lengths without a NUL. */
  unsigned char *secret;
  size_t secret_len;
  char *private_pem;
  size_t private_pem_len;
  char *public_pem;
  size_t public_pem_len;
  char x[COORD_B64_LEN + 1];
  char y[COORD_B64_LEN + 1];
} jwt_key;

struct mc_jwt_keys {
  jwt_key *keys; /* keys[0] signs */
  size_t n;
  /* The header segment of the tokens keys[0] issues. A token whose header is exactly this needs
   * no JSON parsing to pick its key: it says what keys[0] would, and nothing else. */
  char *sign_header;
  size_t sign_header_len;
  uint64_t id; /* unique per set in this process: names the set in the verify memo */
};

static _Atomic uint64_t key_set_ids;

static const char *skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

/* Reads a string without escapes or control characters at p (on its opening quote); returns
 * the position after the closing quote, or NULL for anything else. */
static const char *flat_string(const char *p, const char *end, const char **start, size_t *len) {
  const char *q = ++p;
  while (q < end && *q != '"') {
    if (*q == '\\' || (unsigned char)*q < 0x20) return NULL;
    q++;
  }
  if (q == end) return NULL;
  *start = p;
  *len = (size_t)(q - p);
  return q + 1;
}

/* Parses the common shape of a payload: one flat object of escape-free strings and integers of
 * up to 18 digits, no duplicate names. Anything else returns NULL and is left to jansson's full
 * parser, so this only saves time (jansson needs several microseconds for a 250-byte payload,
 * on every authenticated request); it never accepts what jansson would refuse. */
static json_t *flat_object(const char *p, const char *end) {
  json_t *obj = json_object(), *v;
  const char *k, *sv;
  size_t klen, svlen;
  char key[64];
  p = skip_ws(p, end);
  if (obj == NULL || p == end || *p++ != '{') goto fail;
  p = skip_ws(p, end);
  if (p < end && *p == '}') goto close;
  for (;;) {
    if (p == end || *p != '"' || (p = flat_string(p, end, &k, &klen)) == NULL || klen >= sizeof key) goto fail;
    memcpy(key, k, klen);
    key[klen] = '\0';
    p = skip_ws(p, end);
    if (p == end || *p++ != ':') goto fail;
    p = skip_ws(p, end);
    if (p < end && *p == '"') {
      if ((p = flat_string(p, end, &sv, &svlen)) == NULL || (v = json_stringn(sv, svlen)) == NULL) goto fail;
    } else {
      const char *d = p + (p < end && *p == '-');
      int64_t n = 0;
      int digits = 0;
      /* At most 18 digits are read, so n cannot overflow; a 19th digit fails below and the
       * number is left to jansson. */
      while (d < end && *d >= '0' && *d <= '9' && digits < 18) n = n * 10 + (*d++ - '0'), digits++;
      if (digits == 0 || (digits > 1 && d[-digits] == '0') ||
          (d < end && (*d == '.' || *d == 'e' || *d == 'E' || (*d >= '0' && *d <= '9'))))
        goto fail;
      v = json_integer(*p == '-' ? -n : n);
      p = d;
    }
    if (v == NULL) goto fail;
    if (json_object_get(obj, key) != NULL) {
      json_decref(v);
      goto fail;
    }
    /* set_new releases v even when it fails (a name that is not UTF-8, which jansson's full
     * parser refuses too), so it must not be released again here. */
    if (json_object_set_new(obj, key, v) != 0) goto fail;
    p = skip_ws(p, end);
    if (p < end && *p == ',') {
      p = skip_ws(p + 1, end);
      continue;
    }
    if (p < end && *p == '}') break;
    goto fail;
  }
close:
  if (skip_ws(p + 1, end) != end) goto fail;
  return obj;
fail:
  json_decref(obj);
  return NULL;
}

/* Decodes one segment as a JSON object, refusing duplicate names so that no member can mean
 * one thing to us and another to libjwt. Returns a new reference or NULL. */
static json_t *segment_json(const char *seg, size_t len) {
  unsigned char buf[MC_JWT_TOKEN_MAX];
  size_t n;
  json_t *obj;
  if (len == 0 || len > sizeof buf || !mc_base64_decode(MC_BASE64_URL, seg, len, buf, sizeof buf, &n)) return NULL;
  if ((obj = flat_object((const char *)buf, (const char *)buf + n)) != NULL) return obj;
  obj = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
  if (obj != NULL && !json_is_object(obj)) {
    json_decref(obj);
    obj = NULL;
  }
  return obj;
}

/* ---- key set ---- */

static int kid_valid(const char *kid) {
  size_t len = strlen(kid);
  if (len == 0 || len > MC_JWT_KID_MAX) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = kid[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

static void key_clear(jwt_key *k) {
  if (k->secret != NULL) explicit_bzero(k->secret, k->secret_len);
  if (k->private_pem != NULL) explicit_bzero(k->private_pem, k->private_pem_len);
  free(k->secret);
  free(k->private_pem);
  free(k->public_pem);
  free(k->kid);
  memset(k, 0, sizeof *k);
}

/* Copies a gnutls datum into a new NUL-terminated string; wipes and frees the datum. */
static char *datum_take(gnutls_datum_t *d, size_t *out_len) {
  char *s = malloc((size_t)d->size + 1);
  if (s != NULL) {
    memcpy(s, d->data, d->size);
    s[d->size] = '\0';
    *out_len = d->size;
  }
  explicit_bzero(d->data, d->size);
  gnutls_free(d->data);
  d->data = NULL;
  d->size = 0;
  return s;
}

/* Writes a coordinate as 32 bytes, left-padded with zeros, in base64url. GnuTLS exports the
 * integer's minimal form, which may be shorter (or carry a sign byte). */
static int coord_b64(const gnutls_datum_t *d, char out[COORD_B64_LEN + 1]) {
  unsigned char buf[COORD_LEN] = {0};
  const unsigned char *p = d->data;
  size_t len = d->size;
  while (len > COORD_LEN && *p == 0) {
    p++;
    len--;
  }
  if (len > COORD_LEN) return 0;
  memcpy(buf + COORD_LEN - len, p, len);
  mc_base64_encode(MC_BASE64_URL, buf, COORD_LEN, out);
  return 1;
}

/* Loads an ES256 PEM into k: a normalised PKCS#8 private PEM (if private), the SPKI public PEM
 * and the JWK coordinates. Returns MC_OK, MC_ERR_INVALID (not a P-256 key) or MC_ERR_INTERNAL. */
static int load_es256(jwt_key *k, const char *pem) {
  gnutls_datum_t in = {(unsigned char *)pem, (unsigned)strlen(pem)};
  gnutls_datum_t out = {NULL, 0}, x = {NULL, 0}, y = {NULL, 0};
  gnutls_privkey_t priv = NULL;
  gnutls_pubkey_t pub = NULL;
  gnutls_x509_privkey_t x509 = NULL;
  gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
  int rc = MC_ERR_INTERNAL, is_private;

  if (gnutls_privkey_init(&priv) < 0 || gnutls_pubkey_init(&pub) < 0) goto done;
  is_private = gnutls_privkey_import_x509_raw(priv, &in, GNUTLS_X509_FMT_PEM, NULL, 0) >= 0;
  if (is_private ? gnutls_pubkey_import_privkey(pub, priv, 0, 0) < 0
                 : gnutls_pubkey_import(pub, &in, GNUTLS_X509_FMT_PEM) < 0) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  if (gnutls_pubkey_get_pk_algorithm(pub, NULL) != GNUTLS_PK_ECDSA ||
      gnutls_pubkey_export_ecc_raw2(pub, &curve, &x, &y, GNUTLS_EXPORT_FLAG_NO_LZ) < 0 ||
      curve != GNUTLS_ECC_CURVE_SECP256R1 || !coord_b64(&x, k->x) || !coord_b64(&y, k->y)) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  if (gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_PEM, &out) < 0) goto done;
  k->public_pem = datum_take(&out, &k->public_pem_len);
  if (k->public_pem == NULL) goto done;
  if (is_private) {
    /* Re-exported as plain PKCS#8 so that libjwt's OpenSSL reads exactly what GnuTLS checked. */
    if (gnutls_privkey_export_x509(priv, &x509) < 0 ||
        gnutls_x509_privkey_export2_pkcs8(x509, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                          &out) < 0)
      goto done;
    k->private_pem = datum_take(&out, &k->private_pem_len);
    if (k->private_pem == NULL) goto done;
  }
  rc = MC_OK;

done:
  if (out.data != NULL) {
    explicit_bzero(out.data, out.size);
    gnutls_free(out.data);
  }
  gnutls_free(x.data);
  gnutls_free(y.data);
  gnutls_x509_privkey_deinit(x509);
  gnutls_pubkey_deinit(pub);
  gnutls_privkey_deinit(priv);
  return rc;
}

static int key_load(jwt_key *k, const mc_jwt_key_spec *spec) {
  if (spec->kid != NULL) {
    if (!kid_valid(spec->kid)) return MC_ERR_INVALID;
    k->kid = strdup(spec->kid);
    if (k->kid == NULL) return MC_ERR_INTERNAL;
  }
  k->alg = spec->alg;
  if (spec->alg == MC_JWT_HS256) {
    /* libjwt takes the key length as an int. */
    if (spec->secret == NULL || spec->secret_len < MC_JWT_HS256_SECRET_MIN ||
        spec->secret_len > 4096)
      return MC_ERR_INVALID;
    k->secret = malloc(spec->secret_len);
    if (k->secret == NULL) return MC_ERR_INTERNAL;
    memcpy(k->secret, spec->secret, spec->secret_len);
    k->secret_len = spec->secret_len;
    return MC_OK;
  }
  if (spec->alg == MC_JWT_ES256) {
    if (spec->kid == NULL || spec->pem == NULL) return MC_ERR_INVALID;
    return load_es256(k, spec->pem);
  }
  return MC_ERR_INVALID;
}

int mc_jwt_keys_new(const mc_jwt_key_spec *specs, size_t n, mc_jwt_keys **out) {
  mc_jwt_keys *set = NULL;
  size_t without_kid = 0;
  int rc;

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (specs == NULL || n == 0 || n > 64) return MC_ERR_INVALID;
  set = calloc(1, sizeof *set);
  if (set == NULL || (set->keys = calloc(n, sizeof *set->keys)) == NULL) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    set->n = i + 1;
    rc = key_load(&set->keys[i], &specs[i]);
    if (rc != MC_OK) {
      mc_warn("auth", "jwt key %zu (kid %s) refused", i,
              specs[i].kid != NULL && kid_valid(specs[i].kid) ? specs[i].kid : "-");
      goto done;
    }
    if (set->keys[i].kid == NULL) without_kid++;
    for (size_t j = 0; j < i && set->keys[i].kid != NULL; j++) {
      if (set->keys[j].kid != NULL && strcmp(set->keys[j].kid, set->keys[i].kid) == 0) {
        mc_warn("auth", "jwt key id %s is listed twice", set->keys[i].kid);
        rc = MC_ERR_INVALID;
        goto done;
      }
    }
  }
  if (without_kid > 1 || (set->keys[0].alg == MC_JWT_ES256 && set->keys[0].private_pem == NULL)) {
    mc_warn("auth", "jwt key set refused: %s",
            without_kid > 1 ? "several keys lack a kid" : "the signing key has no private part");
    rc = MC_ERR_INVALID;
    goto done;
  }
  {
    mc_jwt_issue_params probe = {.sub = "probe", .role = "customer", .iss = "probe", .aud = "probe", .ttl_s = 60};
    char *token = NULL, jti[MC_JWT_JTI_LEN + 1];
    int64_t exp;
    if ((rc = mc_jwt_issue(set, &probe, 1000000000, &token, jti, &exp)) != MC_OK) goto done;
    set->sign_header_len = strcspn(token, ".");
    set->sign_header = strndup(token, set->sign_header_len);
    free(token);
    if (set->sign_header == NULL) {
      rc = MC_ERR_INTERNAL;
      goto done;
    }
  }
  set->id = ++key_set_ids;
  *out = set;
  set = NULL;
  rc = MC_OK;

done:
  mc_jwt_keys_free(set);
  return rc;
}

void mc_jwt_keys_free(mc_jwt_keys *keys) {
  if (keys == NULL) return;
  for (size_t i = 0; i < keys->n; i++) key_clear(&keys->keys[i]);
  free(keys->sign_header);
  free(keys->keys);
  free(keys);
}

mc_jwt_alg mc_jwt_keys_signing_alg(const mc_jwt_keys *keys) {
  return keys->keys[0].alg;
}

/* ---- issuing ---- */

/* libjwt stores integer claims as long; times past 2038 need it to be 64 bits. */
_Static_assert(sizeof(long) >= 8, "libjwt's long claims must hold 64-bit times");

static int role_valid(const char *role) {
  return role != NULL && (strcmp(role, "customer") == 0 || strcmp(role, "admin") == 0);
}

static int text_valid(const char *s, size_t max) {
  return s != NULL && s[0] != '\0' && strlen(s) <= max;
}

int mc_jwt_issue(const mc_jwt_keys *keys, const mc_jwt_issue_params *params, int64_t now,
                 char **out_token, char out_jti[MC_JWT_JTI_LEN + 1], int64_t *out_exp) {
  const jwt_key *k;
  jwt_t *jwt = NULL;
  char jti[MC_JWT_JTI_LEN + 1];
  char *token = NULL;
  int64_t exp;
  int rc = MC_ERR_INTERNAL;

  if (out_token == NULL) return MC_ERR_INVALID;
  *out_token = NULL;
  if (keys == NULL || params == NULL || out_jti == NULL || out_exp == NULL || now < 0 ||
      now > INT64_MAX / 2 || !text_valid(params->sub, MC_JWT_SUB_MAX) ||
      !role_valid(params->role) || !text_valid(params->iss, 1024) ||
      !text_valid(params->aud, 1024) || params->ttl_s < 1 || params->ttl_s > MC_JWT_TTL_MAX)
    return MC_ERR_INVALID;
  k = &keys->keys[0];
  exp = now + params->ttl_s;
  if (mc_rand_hex(jti, MC_JWT_JTI_LEN / 2) != MC_OK) goto done;

  if (jwt_new(&jwt) != 0) goto done;
  if (jwt_add_grant(jwt, "iss", params->iss) != 0 || jwt_add_grant(jwt, "aud", params->aud) != 0 ||
      jwt_add_grant(jwt, "sub", params->sub) != 0 ||
      jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
      jwt_add_grant_int(jwt, "nbf", (long)now) != 0 ||
      jwt_add_grant_int(jwt, "exp", (long)exp) != 0 || jwt_add_grant(jwt, "jti", jti) != 0 ||
      jwt_add_grant(jwt, "role", params->role) != 0 ||
      jwt_add_grant(jwt, "token_use", "access") != 0)
    goto done;
  if (k->kid != NULL && jwt_add_header(jwt, "kid", k->kid) != 0) goto done;
  if (k->alg == MC_JWT_HS256) {
    if (jwt_set_alg(jwt, JWT_ALG_HS256, k->secret, (int)k->secret_len) != 0) goto done;
  } else if (jwt_set_alg(jwt, JWT_ALG_ES256, (const unsigned char *)k->private_pem,
                         (int)k->private_pem_len) != 0) {
    goto done;
  }
  /* libjwt 1.10 allocates with malloc, so the caller's free() matches. */
  token = jwt_encode_str(jwt);
  if (token == NULL) goto done;

  *out_token = token;
  memcpy(out_jti, jti, sizeof jti);
  *out_exp = exp;
  rc = MC_OK;

done:
  if (rc != MC_OK) mc_warn("auth", "could not sign an access token for %s", params->sub);
  jwt_free(jwt); /* libjwt wipes its copy of the key */
  return rc;
}

/* ---- verification ---- */

/* Checks the token's shape and header and picks the key, before any signature work.
 * Returns NULL with *out_key set, or a reason code. */
static const char *select_key(const mc_jwt_keys *keys, const char *token, size_t len,
                              const jwt_key **out_key) {
  const char *dot1, *dot2;
  const char *alg_name, *kid = NULL, *reason = NULL;
  json_t *header = NULL, *alg, *kid_json;
  const jwt_key *k = NULL;
  mc_jwt_alg want;
  int alg_used = 0;

  for (size_t i = 0; i < len; i++)
    if (mc_base64_value(MC_BASE64_URL, token[i]) < 0 && token[i] != '.') return "malformed";
  dot1 = memchr(token, '.', len);
  dot2 = dot1 == NULL ? NULL : memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
  if (dot2 == NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL ||
      dot2 == dot1 + 1)
    return "malformed";
  if (keys->sign_header != NULL && (size_t)(dot1 - token) == keys->sign_header_len &&
      memcmp(token, keys->sign_header, keys->sign_header_len) == 0) {
    *out_key = &keys->keys[0];
    return NULL;
  }
  header = segment_json(token, (size_t)(dot1 - token));
  if (header == NULL) return "malformed";

  alg = json_object_get(header, "alg");
  kid_json = json_object_get(header, "kid");
  /* An extension we would be obliged to understand (RFC 7515 section 4.1.11): we understand
   * none, so a token that lists any is refused. */
  if (json_object_get(header, "crit") != NULL || (kid_json != NULL && !json_is_string(kid_json))) {
    reason = "malformed";
    goto done;
  }
  /* Exact, case-sensitive names: libjwt would read "None" or "hs256" too. */
  alg_name = json_string_value(alg);
  if (alg_name == NULL || (strcmp(alg_name, "HS256") != 0 && strcmp(alg_name, "ES256") != 0)) {
    reason = "bad_alg";
    goto done;
  }
  want = strcmp(alg_name, "HS256") == 0 ? MC_JWT_HS256 : MC_JWT_ES256;
  for (size_t i = 0; i < keys->n && !alg_used; i++) alg_used = keys->keys[i].alg == want;
  if (!alg_used) {
    reason = "bad_alg";
    goto done;
  }
  if (kid_json != NULL) kid = json_string_value(kid_json);
  for (size_t i = 0; i < keys->n && k == NULL; i++) {
    const jwt_key *c = &keys->keys[i];
    if (kid == NULL ? c->kid == NULL : c->kid != NULL && strcmp(c->kid, kid) == 0) k = c;
  }
  if (k == NULL) {
    reason = "unknown_kid";
    goto done;
  }
  /* The key decides the algorithm, never the token: this stops HS256 keyed with a public key. */
  if (k->alg != want) {
    reason = "bad_alg";
    goto done;
  }
  *out_key = k;

done:
  json_decref(header);
  return reason;
}

/* Reads an integer claim; 0 when it is missing or not a JSON integer. */
static int claim_int(json_t *claims, const char *name, int64_t *out) {
  json_t *v = json_object_get(claims, name);
  if (!json_is_integer(v)) return 0;
  *out = (int64_t)json_integer_value(v);
  return 1;
}

static int audience_holds(json_t *aud, const char *expected) {
  size_t i;
  json_t *v;
  if (json_is_string(aud)) return strcmp(json_string_value(aud), expected) == 0;
  if (!json_is_array(aud)) return 0;
  json_array_foreach(aud, i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), expected) == 0) return 1;
  }
  return 0;
}

/* Applies every claim rule to a signature-checked payload and fills *out.
 * Returns NULL, or a reason code. */
static const char *check_claims(json_t *claims, const char *iss, const char *aud,
                                int64_t leeway_s, int64_t now, mc_jwt_claims *out) {
  int64_t exp, nbf, iat;
  const char *sub = json_string_value(json_object_get(claims, "sub"));
  const char *role = json_string_value(json_object_get(claims, "role"));
  const char *jti = json_string_value(json_object_get(claims, "jti"));
  const char *claim_iss = json_string_value(json_object_get(claims, "iss"));
  const char *use = json_string_value(json_object_get(claims, "token_use"));

  if (!claim_int(claims, "exp", &exp) || !claim_int(claims, "nbf", &nbf) ||
      !claim_int(claims, "iat", &iat))
    return "bad_claims";
  /* Written so nothing overflows: now and leeway are bounded, the claims are not. */
  if (exp <= now - leeway_s) return "expired";
  if (nbf > now + leeway_s || iat > now + leeway_s) return "not_yet_valid";
  if (claim_iss == NULL || strcmp(claim_iss, iss) != 0) return "bad_issuer";
  if (!audience_holds(json_object_get(claims, "aud"), aud)) return "bad_audience";
  if (use == NULL || strcmp(use, "access") != 0) return "bad_use";
  if (!text_valid(sub, MC_JWT_SUB_MAX) || !role_valid(role) || !text_valid(jti, MC_JWT_JTI_MAX))
    return "bad_claims";

  memcpy(out->sub, sub, strlen(sub) + 1);
  memcpy(out->role, role, strlen(role) + 1);
  memcpy(out->jti, jti, strlen(jti) + 1);
  out->iat = iat;
  out->exp = exp;
  return NULL;
}

/* Checks an HS256 signature with GnuTLS' HMAC instead of libjwt's: libjwt goes through
 * OpenSSL 3, whose per-call algorithm lookups take global locks that serialise the server's
 * threads, and HS256 verification runs on every authenticated request. The signature segment
 * must be exactly 43 base64url characters (32 bytes, no padding). Returns 1 when it matches. */
static int hs256_signature_ok(const jwt_key *k, const char *token) {
  const char *dot2 = strrchr(token, '.');
  unsigned char want[32], got[33];
  unsigned char diff = 0;
  size_t n = 0;
  if (dot2 == NULL || strlen(dot2 + 1) != 43 || !mc_base64_decode(MC_BASE64_URL, dot2 + 1, 43, got, sizeof got, &n) ||
      n != 32)
    return 0;
  if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, k->secret, k->secret_len, token, (size_t)(dot2 - token), want) != 0)
    return 0;
  for (size_t i = 0; i < 32; i++) diff |= (unsigned char)(want[i] ^ got[i]);
  return diff == 0;
}

/* A per-thread memo of tokens that verified: clients send the same access token with every
 * request for its whole lifetime, and a hit needs only a compare of the exact token bytes and
 * a fresh look at exp instead of the signature and JSON work. Entries are keyed by the key set,
 * issuer and audience too, so a token is never reused under other checks. */
#define MEMO_SLOTS 64
#define MEMO_TOKEN_MAX 512
typedef struct memo_entry {
  uint64_t keys_id; /* 0: empty */
  char iss[64], aud[64];
  size_t len;
  char token[MEMO_TOKEN_MAX];
  mc_jwt_claims claims;
} memo_entry;
static _Thread_local memo_entry memo[MEMO_SLOTS];

static size_t memo_slot(const char *token, size_t len) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)token[i]) * 1099511628211ULL;
  return (size_t)(h % MEMO_SLOTS);
}

static int memo_usable(const char *iss, const char *aud, size_t len) {
  return len <= MEMO_TOKEN_MAX && strlen(iss) < 64 && strlen(aud) < 64;
}

int mc_jwt_verify(const mc_jwt_keys *keys, const char *token, const char *iss, const char *aud,
                  int64_t leeway_s, int64_t now, mc_jwt_claims *out, const char **out_reason) {
  const char *reason = NULL;
  const jwt_key *k = NULL;
  jwt_t *jwt = NULL;
  json_t *claims = NULL;
  const char *dot1, *dot2;
  size_t len;
  int dec;

  if (keys == NULL || token == NULL || !text_valid(iss, 1024) || !text_valid(aud, 1024) ||
      out == NULL || leeway_s < 0 || leeway_s > MC_JWT_LEEWAY_MAX || now < 0 ||
      now > INT64_MAX / 2) {
    reason = "invalid_argument";
    goto done;
  }
  len = strnlen(token, MC_JWT_TOKEN_MAX + 1);
  if (len == 0 || len > MC_JWT_TOKEN_MAX) {
    reason = "malformed";
    goto done;
  }
  if (memo_usable(iss, aud, len)) {
    const memo_entry *m = &memo[memo_slot(token, len)];
    if (m->keys_id == keys->id && m->len == len && memcmp(m->token, token, len) == 0 && strcmp(m->iss, iss) == 0 &&
        strcmp(m->aud, aud) == 0) {
      if (now - leeway_s >= m->claims.exp) {
        reason = "expired";
        goto done;
      }
      *out = m->claims;
      goto done;
    }
  }
  reason = select_key(keys, token, len, &k);
  if (reason != NULL) goto done;

  if (k->alg == MC_JWT_HS256) {
    if (!hs256_signature_ok(k, token)) {
      reason = "bad_signature";
      goto done;
    }
  } else {
    dec = jwt_decode(&jwt, token, (const unsigned char *)k->public_pem, (int)k->public_pem_len);
    if (dec != 0 || jwt == NULL) {
      reason = "bad_signature";
      goto done;
    }
    if (jwt_get_alg(jwt) != JWT_ALG_ES256) {
      reason = "bad_alg";
      goto done;
    }
  }
  /* The payload is read from the signed text itself, with our strict decoder. */
  dot1 = strchr(token, '.');
  dot2 = strchr(dot1 + 1, '.');
  claims = segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
  if (claims == NULL) {
    reason = "malformed";
    goto done;
  }
  memset(out, 0, sizeof *out);
  reason = check_claims(claims, iss, aud, leeway_s, now, out);
  if (reason == NULL && memo_usable(iss, aud, len)) {
    memo_entry *m = &memo[memo_slot(token, len)];
    m->keys_id = keys->id;
    strcpy(m->iss, iss);
    strcpy(m->aud, aud);
    m->len = len;
    memcpy(m->token, token, len);
    m->claims = *out;
  }

done:
  json_decref(claims);
  jwt_free(jwt);
  if (out_reason != NULL) *out_reason = reason;
  if (reason == NULL) return MC_OK;
  if (strcmp(reason, "invalid_argument") == 0) return MC_ERR_INVALID;
  if (out != NULL) memset(out, 0, sizeof *out);
  return MC_ERR_FORBIDDEN;
}

/* ---- publishing and generating keys ---- */

int mc_jwt_jwks(const mc_jwt_keys *keys, json_t **out) {
  json_t *doc = NULL, *list;
  int rc = MC_ERR_INTERNAL;

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (keys == NULL) return MC_ERR_INVALID;
  doc = json_pack("{s:[]}", "keys");
  if (doc == NULL) goto done;
  list = json_object_get(doc, "keys");
  for (size_t i = 0; i < keys->n; i++) {
    const jwt_key *k = &keys->keys[i];
    if (k->alg != MC_JWT_ES256) continue;
    if (json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC",
                                              "crv", "P-256", "x", k->x, "y", k->y, "kid",
                                              k->kid, "use", "sig", "alg", "ES256")) != 0)
      goto done;
  }
  *out = doc;
  doc = NULL;
  rc = MC_OK;

done:
  json_decref(doc);
  return rc;
}

int mc_jwt_generate_es256_pem(char **out_pem) {
  gnutls_x509_privkey_t key = NULL;
  gnutls_datum_t pem = {NULL, 0};
  size_t len;
  int rc = MC_ERR_INTERNAL;

  if (out_pem == NULL) return MC_ERR_INVALID;
  *out_pem = NULL;
  if (gnutls_x509_privkey_init(&key) < 0 ||
      gnutls_x509_privkey_generate2(key, GNUTLS_PK_ECDSA,
                                    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL,
                                    0) < 0 ||
      gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                        &pem) < 0) {
    mc_warn("auth", "could not generate an ES256 key");
    goto done;
  }
  *out_pem = datum_take(&pem, &len);
  if (*out_pem != NULL) rc = MC_OK;

done:
  if (pem.data != NULL) {
    explicit_bzero(pem.data, pem.size);
    gnutls_free(pem.data);
  }
  gnutls_x509_privkey_deinit(key);
  return rc;
}

int mc_jwt_generate_hs256_secret(unsigned char *secret, size_t len) {
  if (secret == NULL || len < MC_JWT_HS256_SECRET_MIN) return MC_ERR_INVALID;
  return mc_rand_bytes(secret, len);
}
