/* accounts.c - creating accounts, checking passwords at login (same work whether or not the
 * account exists), re-hashing old hashes, and password changes. */
#include <stdlib.h>
#include <string.h>

#include "mercato/auth.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"

/* Each Argon2 call holds one of the auth's slots (one per core) while it runs. */
static void argon_enter(mc_auth *auth) {
  while (sem_wait(&auth->argon_slots) != 0) continue; /* EINTR */
}

static void argon_leave(mc_auth *auth) {
  sem_post(&auth->argon_slots);
}

static int hash_password(mc_auth *auth, const char *password, size_t len, char **out) {
  argon_enter(auth);
  int rc = mc_password_hash(&auth->policy, password, len, out);
  argon_leave(auth);
  return rc;
}

static int verify_password(mc_auth *auth, const char *encoded, const char *password, size_t len) {
  argon_enter(auth);
  int rc = encoded ? mc_password_verify(encoded, password, len)
                   : mc_password_dummy_verify(&auth->dummy, password, len);
  argon_leave(auth);
  return rc;
}

int mc_auth_create_user(mc_auth *auth, const char *email, const char *password, size_t password_len,
                        const char *name, const char *role, json_t **out_user, mc_refusal *why) {
  char id[MC_ID_MAX];
  char *hash = NULL;
  json_t *doc = NULL;
  int rc;

  if ((rc = mc_id_new("usr", id)) != MC_OK) goto done;
  if ((rc = hash_password(auth, password, password_len, &hash)) != MC_OK) goto done;
  doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "email", email, "name", name, "role", role,
                  "status", "active", "password_hash", hash);
  if (!doc) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  rc = mc_store_user_create(auth->store, doc, out_user, why);
  if (rc == MC_OK) mc_info("auth", "created %s account %s", role, id);
done:
  json_decref(doc);
  free(hash);
  return rc;
}

/* Replaces a hash made under a weaker policy; a failure only delays it to the next login. */
static void rehash_if_needed(mc_auth *auth, json_t *user, const char *password, size_t len) {
  const char *stored = json_string_value(json_object_get(user, "password_hash"));
  char *hash = NULL;
  if (!stored || !mc_password_needs_rehash(&auth->policy, stored)) return;
  if (hash_password(auth, password, len, &hash) == MC_OK) {
    json_t *changes = json_pack("{s:s}", "password_hash", hash);
    if (changes && mc_store_user_update(auth->store, json_string_value(json_object_get(user, "id")),
                                        changes, NULL, NULL) == MC_OK)
      mc_info("auth", "re-hashed the password of %s under the current policy",
              json_string_value(json_object_get(user, "id")));
    json_decref(changes);
  }
  free(hash);
}

int mc_auth_login(mc_auth *auth, const char *email, const char *password, size_t password_len,
                  json_t **out_user) {
  json_t *user = NULL;
  int rc = mc_store_user_get_by_email(auth->store, email, &user);
  const char *hash, *status;

  *out_user = NULL;
  if (rc == MC_ERR_NOT_FOUND) {
    verify_password(auth, NULL, password, password_len);
    return MC_ERR_FORBIDDEN;
  }
  if (rc != MC_OK) return rc;
  hash = json_string_value(json_object_get(user, "password_hash"));
  status = json_string_value(json_object_get(user, "status"));
  rc = hash ? verify_password(auth, hash, password, password_len) : MC_ERR_FORBIDDEN;
  if (rc == MC_ERR_INVALID) rc = MC_ERR_FORBIDDEN; /* a corrupt hash never lets anyone in */
  if (rc == MC_OK && (!status || strcmp(status, "active") != 0)) rc = MC_ERR_FORBIDDEN;
  if (rc != MC_OK) {
    json_decref(user);
    return rc;
  }
  rehash_if_needed(auth, user, password, password_len);
  *out_user = user;
  return MC_OK;
}

int mc_auth_change_password(mc_auth *auth, const char *user_id, const char *current, size_t current_len,
                            const char *next, size_t next_len) {
  json_t *user = NULL, *changes = NULL;
  char *hash = NULL;
  const char *stored;
  int rc;

  if ((rc = mc_store_user_get(auth->store, user_id, &user)) != MC_OK) goto done;
  stored = json_string_value(json_object_get(user, "password_hash"));
  rc = stored ? verify_password(auth, stored, current, current_len) : MC_ERR_FORBIDDEN;
  if (rc == MC_ERR_INVALID) rc = MC_ERR_FORBIDDEN;
  if (rc != MC_OK) goto done;
  if ((rc = hash_password(auth, next, next_len, &hash)) != MC_OK) goto done;
  if (!(changes = json_pack("{s:s}", "password_hash", hash))) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  if ((rc = mc_store_user_update(auth->store, user_id, changes, NULL, NULL)) != MC_OK) goto done;
  rc = mc_auth_revoke_all(auth, user_id);
  mc_info("auth", "password changed for %s; every session revoked", user_id);
done:
  json_decref(user);
  json_decref(changes);
  free(hash);
  return rc;
}
