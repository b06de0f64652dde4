/* accounts.c - the account itself: emails and display names normalised the same way at every
 * entry point, the public view of a user, and password changes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/auth.h"
#include "mercato/err.h"
#include "mercato/log.h"

int mc_auth_normalize_email(const char *email, char out[MC_EMAIL_MAX + 1]) {
  const char *start = email, *end;
  size_t len, at = 0, ats = 0;
  if (!email) return MC_ERR_INVALID;
  while (*start == ' ' || *start == '\t') start++;
  end = start + strlen(start);
  while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
  len = (size_t)(end - start);
  if (len < 3 || len > MC_EMAIL_MAX) return MC_ERR_INVALID;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)start[i];
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '(' || c == ')' ||
        c == ',' || c == ';' || c == ':' || c == '\\' || c == '[' || c == ']')
      return MC_ERR_INVALID;
    if (c == '@') at = i, ats++;
    out[i] = (char)tolower(c);
  }
  out[len] = '\0';
  if (ats != 1 || at == 0 || at > 64 || at + 1 >= len) return MC_ERR_INVALID;
  const char *domain = out + at + 1, *dot = strrchr(domain, '.');
  if (!dot || dot == domain || dot[1] == '\0' || domain[0] == '.' || strstr(domain, "..") ||
      out[at - 1] == '.' || out[0] == '.')
    return MC_ERR_INVALID;
  return MC_OK;
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 when it is malformed. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  size_t len;
  unsigned cp;
  if (s[0] < 0x80) return 1;
  if ((s[0] & 0xe0) == 0xc0) len = 2, cp = s[0] & 0x1f;
  else if ((s[0] & 0xf0) == 0xe0) len = 3, cp = s[0] & 0x0f;
  else if ((s[0] & 0xf8) == 0xf0) len = 4, cp = s[0] & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

int mc_auth_normalize_name(const char *name, char out[MC_NAME_MAX + 1]) {
  const char *start = name, *end;
  size_t len;
  if (!name) return MC_ERR_INVALID;
  while (*start == ' ' || *start == '\t') start++;
  end = start + strlen(start);
  while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
  len = (size_t)(end - start);
  size_t chars = 0;
  if (len == 0 || len > MC_NAME_MAX) return MC_ERR_INVALID;
  for (size_t i = 0; i < len; chars++) {
    const unsigned char *c = (const unsigned char *)start + i;
    size_t s = utf8_seq(c, len - i);
    if (s == 0 || (s == 1 && (c[0] < 0x20 || c[0] == 0x7f))) return MC_ERR_INVALID;
    if (s == 2 && c[0] == 0xc2 && c[1] < 0xa0) return MC_ERR_INVALID; /* C1 controls */
    i += s;
  }
  if (chars > MC_NAME_MAX_CHARS) return MC_ERR_INVALID;
  memcpy(out, start, len);
  out[len] = '\0';
  return MC_OK;
}

json_t *mc_auth_public_user(const json_t *user) {
  json_t *pub = json_object();
  static const char *keys[] = {"id", "email", "name", "role", "status", "created_at", "updated_at"};
  for (size_t i = 0; pub && i < sizeof keys / sizeof keys[0]; i++) {
    json_t *v = json_object_get(user, keys[i]);
    if (v) json_object_set(pub, keys[i], v);
  }
  return pub;
}

int mc_auth_update_profile(mc_auth *auth, const char *user_id, const char *name, json_t **out_user) {
  json_t *changes = json_pack("{s:s}", "name", name);
  int rc = changes ? mc_store_user_update(auth->store, user_id, changes, out_user) : MC_ERR_INTERNAL;
  json_decref(changes);
  return rc;
}

/* Stores a hash of next as user_id's password and revokes every refresh family of the user. */
static int replace_password(mc_auth *auth, const char *user_id, const char *next, size_t next_len) {
  json_t *changes = NULL;
  char *hash = NULL;
  int rc;

  if ((rc = mc_auth_hash_password(auth, next, next_len, &hash)) != MC_OK) goto done;
  if (!(changes = json_pack("{s:s}", "password_hash", hash))) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  if ((rc = mc_store_user_update(auth->store, user_id, changes, NULL)) != MC_OK) goto done;
  rc = mc_auth_revoke_all(auth, user_id);
  mc_info("auth", "password changed for %s; every session revoked", user_id);
done:
  json_decref(changes);
  free(hash);
  return rc;
}

/* Checks current as user's password under the guessing limits shared with sign-in (the account
 * is the email). MC_OK on a match; refusals as mc_auth_change_password's. */
static int check_current(mc_auth *auth, const json_t *user, const char *network, const char *current,
                         size_t current_len, mc_refusal *why) {
  const char *stored = json_string_value(json_object_get(user, "password_hash"));
  const char *email = json_string_value(json_object_get(user, "email"));
  mc_guess guess;
  int rc;

  if (!email) return MC_ERR_INTERNAL;
  if ((rc = mc_auth_guess_begin(auth, email, network, &guess, why)) != MC_OK) return rc;
  rc = stored ? mc_auth_verify_password(auth, email, stored, current, current_len) : MC_ERR_FORBIDDEN;
  if (rc == MC_ERR_INVALID) rc = MC_ERR_FORBIDDEN;
  if (rc == MC_OK || rc == MC_ERR_FORBIDDEN) mc_rate_guess_end(auth->kv, &guess, rc == MC_OK);
  if (rc == MC_ERR_CONFLICT) return mc_auth_limited(1, why);
  return rc;
}

int mc_auth_change_password(mc_auth *auth, const char *user_id, const char *network, const char *current,
                            size_t current_len, const char *next, size_t next_len, json_t **out_user,
                            mc_token_pair *pair, mc_refusal *why) {
  json_t *user = NULL;
  int rc;

  *out_user = NULL;
  memset(pair, 0, sizeof *pair);
  if ((rc = mc_store_user_get(auth->store, user_id, &user)) != MC_OK) goto done;
  rc = check_current(auth, user, network, current, current_len, why);
  if (rc == MC_ERR_FORBIDDEN && !why->code)
    mc_refusal_add_error(why, "current_password", "incorrect", "The current password is wrong.");
  if (rc != MC_OK) goto done;
  if ((rc = replace_password(auth, user_id, next, next_len)) != MC_OK) goto done;
  /* Every family is revoked; this client continues with a fresh one. */
  json_decref(user);
  user = NULL;
  if ((rc = mc_store_user_get(auth->store, user_id, &user)) != MC_OK) goto done;
  if ((rc = mc_auth_issue_pair(auth, user, pair)) != MC_OK) goto done;
  *out_user = user;
  user = NULL;
done:
  json_decref(user);
  return rc;
}
