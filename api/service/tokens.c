/* tokens.c - access tokens and refresh-token families in the kv port. A family record holds the
 * SHA-256 of the current secret; every refresh swaps it with compare-and-set, so of any number
 * of concurrent refreshes with one token exactly one wins, and presenting a rotated token
 * revokes the family. A per-user generation counter revokes every family at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mercato/auth.h"
#include "mercato/clock.h"
#include "mercato/codec.h"
#include "mercato/digest.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/rand.h"

typedef struct family {
  char user[MC_JWT_SUB_MAX + 1];
  char hash[65];
  int64_t generation, created_ms, expires_ms;
} family;

static int equal_ct(const char *a, const char *b, size_t n) {
  unsigned char diff = 0;
  for (size_t i = 0; i < n; i++) diff |= (unsigned char)(a[i] ^ b[i]);
  return diff == 0;
}

/* Splits "family.secret" into its parts; MC_ERR_INVALID unless both are lower-case hex of the
 * exact lengths. */
static int parse_token(const char *token, char fam[MC_REFRESH_FAMILY_HEX + 1], const char **secret) {
  if (!token || strlen(token) != MC_REFRESH_TOKEN_LEN || token[MC_REFRESH_FAMILY_HEX] != '.' ||
      !mc_hex_valid(token, MC_REFRESH_FAMILY_HEX, MC_HEX_LOWER) ||
      !mc_hex_valid(token + MC_REFRESH_FAMILY_HEX + 1, MC_REFRESH_SECRET_HEX, MC_HEX_LOWER))
    return MC_ERR_INVALID;
  memcpy(fam, token, MC_REFRESH_FAMILY_HEX);
  fam[MC_REFRESH_FAMILY_HEX] = '\0';
  *secret = token + MC_REFRESH_FAMILY_HEX + 1;
  return MC_OK;
}

static void family_key(const char *fam, char key[48]) {
  snprintf(key, 48, "rt:f:%s", fam);
}

static void generation_key(const char *user_id, char key[160]) {
  snprintf(key, 160, "rt:g:%s", user_id);
}

static int current_generation(mc_kv *kv, const char *user_id, int64_t *out) {
  char key[160], *val = NULL;
  generation_key(user_id, key);
  int rc = mc_kv_get(kv, key, &val, NULL);
  *out = 0;
  if (rc == MC_ERR_NOT_FOUND) return MC_OK;
  if (rc == MC_OK) *out = strtoll(val, NULL, 10);
  free(val);
  return rc;
}

static char *family_encode(const family *f) {
  json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I}", "u", f->user, "h", f->hash, "g", (json_int_t)f->generation,
                        "c", (json_int_t)f->created_ms, "e", (json_int_t)f->expires_ms);
  char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  return s;
}

static int family_decode(const char *text, size_t len, family *f) {
  json_t *j = json_loadb(text, len, 0, NULL);
  const char *u = json_string_value(json_object_get(j, "u")), *h = json_string_value(json_object_get(j, "h"));
  int rc = MC_ERR_INVALID;
  if (u && h && strlen(u) <= MC_JWT_SUB_MAX && strlen(h) == 64) {
    strcpy(f->user, u);
    strcpy(f->hash, h);
    f->generation = json_integer_value(json_object_get(j, "g"));
    f->created_ms = json_integer_value(json_object_get(j, "c"));
    f->expires_ms = json_integer_value(json_object_get(j, "e"));
    rc = MC_OK;
  }
  json_decref(j);
  return rc;
}

/* The kv TTL of a family: the idle lifetime, cut short by its absolute expiry. */
static int64_t family_ttl_ms(const mc_auth *auth, const family *f, int64_t now) {
  int64_t idle = auth->refresh_idle_s * 1000, left = f->expires_ms - now;
  return left < idle ? left : idle;
}

static int issue_access(mc_auth *auth, const json_t *user, mc_token_pair *pair) {
  char jti[MC_JWT_JTI_LEN + 1];
  int64_t exp, now = time(NULL);
  mc_jwt_issue_params p = {
    .sub = json_string_value(json_object_get(user, "id")),
    .role = json_string_value(json_object_get(user, "role")),
    .iss = auth->issuer,
    .aud = auth->audience,
    .ttl_s = auth->access_ttl_s,
  };
  int rc = mc_jwt_issue(auth->keys, &p, now, &pair->access_token, jti, &exp);
  pair->expires_in = auth->access_ttl_s;
  return rc;
}

/* Fills pair->refresh_token with "fam.secret" and f->hash with the secret's digest. */
static int new_secret(mc_token_pair *pair, const char *fam, family *f) {
  char secret[MC_REFRESH_SECRET_HEX + 1];
  if (mc_rand_hex(secret, MC_REFRESH_SECRET_HEX / 2) != MC_OK) return MC_ERR_INTERNAL;
  snprintf(pair->refresh_token, sizeof pair->refresh_token, "%s.%s", fam, secret);
  mc_sha256_hex(secret, MC_REFRESH_SECRET_HEX, f->hash, MC_SHA256_HEX_LEN);
  explicit_bzero(secret, sizeof secret);
  return MC_OK;
}

int mc_auth_issue_pair(mc_auth *auth, const json_t *user, mc_token_pair *pair) {
  char fam[MC_REFRESH_FAMILY_HEX + 1], key[48], *rec = NULL;
  family f = {0};
  int64_t now = mc_now_ms();
  const char *uid = json_string_value(json_object_get(user, "id"));
  int rc;

  memset(pair, 0, sizeof *pair);
  if (!uid || strlen(uid) > MC_JWT_SUB_MAX) return MC_ERR_INVALID;
  strcpy(f.user, uid);
  if ((rc = current_generation(auth->kv, uid, &f.generation)) != MC_OK) goto done;
  f.created_ms = now;
  f.expires_ms = now + auth->refresh_max_s * 1000;
  if ((rc = mc_rand_hex(fam, MC_REFRESH_FAMILY_HEX / 2)) != MC_OK) goto done;
  if ((rc = new_secret(pair, fam, &f)) != MC_OK) goto done;
  family_key(fam, key);
  rc = MC_ERR_INTERNAL;
  if (!(rec = family_encode(&f))) goto done;
  if ((rc = mc_kv_set_nx(auth->kv, key, rec, strlen(rec), family_ttl_ms(auth, &f, now))) != MC_OK) goto done;
  rc = issue_access(auth, user, pair);
done:
  free(rec);
  if (rc != MC_OK) mc_token_pair_clear(pair);
  return rc;
}

int mc_auth_refresh(mc_auth *auth, const char *refresh_token, mc_token_pair *pair, json_t **out_user,
                    const char **out_reason) {
  char fam[MC_REFRESH_FAMILY_HEX + 1], key[48], presented[65], *old = NULL, *rec = NULL;
  const char *secret, *reason = NULL, *status;
  size_t old_len = 0;
  family f;
  json_t *user = NULL;
  int64_t now = mc_now_ms(), generation;
  int rc;

  memset(pair, 0, sizeof *pair);
  *out_user = NULL;
  if (parse_token(refresh_token, fam, &secret) != MC_OK) {
    reason = "malformed";
    rc = MC_ERR_FORBIDDEN;
    goto done;
  }
  family_key(fam, key);
  rc = mc_kv_get(auth->kv, key, &old, &old_len);
  if (rc == MC_ERR_NOT_FOUND || (rc == MC_OK && family_decode(old, old_len, &f) != MC_OK)) {
    reason = "unknown_family";
    rc = MC_ERR_FORBIDDEN;
    goto done;
  }
  if (rc != MC_OK) goto done;
  mc_sha256_hex(secret, MC_REFRESH_SECRET_HEX, presented, MC_SHA256_HEX_LEN);
  if (!equal_ct(presented, f.hash, 64)) {
    reason = "reused";
    goto revoke;
  }
  if (f.expires_ms <= now) {
    reason = "expired";
    goto revoke;
  }
  if ((rc = current_generation(auth->kv, f.user, &generation)) != MC_OK) goto done;
  if (generation != f.generation) {
    reason = "revoked";
    goto revoke;
  }
  rc = mc_store_user_get(auth->store, f.user, &user);
  status = json_string_value(json_object_get(user, "status"));
  if (rc == MC_ERR_NOT_FOUND || (rc == MC_OK && (!status || strcmp(status, "active") != 0))) {
    reason = "inactive_user";
    goto revoke;
  }
  if (rc != MC_OK) goto done;
  if ((rc = new_secret(pair, fam, &f)) != MC_OK) goto done;
  rc = MC_ERR_INTERNAL;
  if (!(rec = family_encode(&f))) goto done;
  rc = mc_kv_cas(auth->kv, key, old, old_len, rec, strlen(rec), family_ttl_ms(auth, &f, now));
  if (rc == MC_ERR_CONFLICT || rc == MC_ERR_NOT_FOUND) {
    reason = "reused"; /* another refresh with the same token won the swap */
    goto revoke;
  }
  if (rc != MC_OK) goto done;
  if ((rc = issue_access(auth, user, pair)) != MC_OK) goto done;
  *out_user = user;
  user = NULL;
  goto done;
revoke:
  mc_kv_del(auth->kv, key);
  if (strcmp(reason, "reused") == 0)
    mc_warn("auth", "a rotated refresh token was presented; family %.8s... of %s revoked", fam, f.user);
  rc = MC_ERR_FORBIDDEN;
done:
  if (rc != MC_OK) mc_token_pair_clear(pair);
  if (out_reason) *out_reason = rc == MC_OK ? NULL : reason ? reason : "unavailable";
  json_decref(user);
  free(old);
  free(rec);
  return rc;
}

int mc_auth_revoke_family(mc_auth *auth, const char *refresh_token) {
  char fam[MC_REFRESH_FAMILY_HEX + 1], key[48];
  const char *secret;
  if (parse_token(refresh_token, fam, &secret) != MC_OK) return MC_ERR_INVALID;
  family_key(fam, key);
  int rc = mc_kv_del(auth->kv, key);
  return rc == MC_ERR_NOT_FOUND ? MC_OK : rc;
}

int mc_auth_revoke_all(mc_auth *auth, const char *user_id) {
  char key[160];
  int64_t value;
  generation_key(user_id, key);
  return mc_kv_incr(auth->kv, key, 1, 0, &value);
}

int mc_auth_authenticate(mc_auth *auth, const char *token, json_t **out_user, const char **out_reason) {
  mc_jwt_claims claims;
  json_t *user = NULL;
  const char *status;
  int rc = mc_jwt_verify(auth->keys, token, auth->issuer, auth->audience, 30, time(NULL), &claims, out_reason);
  *out_user = NULL;
  if (rc != MC_OK) return MC_ERR_FORBIDDEN;
  rc = mc_store_user_get_account(auth->store, claims.sub, &user);
  if (rc == MC_ERR_NOT_FOUND) {
    if (out_reason) *out_reason = "unknown_user";
    return MC_ERR_FORBIDDEN;
  }
  if (rc != MC_OK) return rc;
  status = json_string_value(json_object_get(user, "status"));
  if (!status || strcmp(status, "active") != 0) {
    if (out_reason) *out_reason = "inactive_user";
    json_decref(user);
    return MC_ERR_FORBIDDEN;
  }
  *out_user = user;
  return MC_OK;
}

int mc_rate_hit(mc_kv *kv, const char *key, int64_t limit, int64_t window_s, int64_t *retry_after_s) {
  int64_t count = 0, left = 0;
  int rc = mc_kv_incr(kv, key, 1, window_s * 1000, &count);
  *retry_after_s = 0;
  if (rc != MC_OK) {
    mc_warn("auth", "rate limit counter unavailable (%s); allowing the request", mc_err_name(rc));
    return MC_OK;
  }
  if (count <= limit) return MC_OK;
  if (mc_kv_pttl(kv, key, &left) != MC_OK || left < 0) left = window_s * 1000;
  *retry_after_s = (left + 999) / 1000;
  return MC_ERR_FORBIDDEN;
}
