/* accounts.c - the account itself: emails and display names normalised the same way at every
 * entry point, the public view of a user, and password changes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/auth.h"
#include "mercato/err.h"
#include "mercato/log.h"

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
  int rc = changes ? mc_store_user_update(auth->store, user_id, changes, out_user, NULL) : MC_ERR_INTERNAL;
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
  if ((rc = mc_store_user_update(auth->store, user_id, changes, NULL, NULL)) != MC_OK) goto done;
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
