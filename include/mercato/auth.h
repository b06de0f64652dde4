/* auth.h - accounts and tokens: signup, login, profile and password changes; access JWTs and
 * rotating refresh-token families kept in the kv port. No HTTP types: handlers call these. */
#ifndef MERCATO_AUTH_H
#define MERCATO_AUTH_H

#include <jansson.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/config.h"
#include "mercato/jwt.h"
#include "mercato/kv.h"
#include "mercato/password.h"
#include "mercato/refusal.h"
#include "mercato/rules/users.h"
#include "mercato/store.h"

/* Buffer sizes of a normalised email and name (the rules are mercato/rules/users.h's). */
#define MC_EMAIL_MAX MC_USER_EMAIL_MAX
#define MC_NAME_MAX MC_USER_NAME_MAX
/* A refresh token: 32 hex digits of family id, '.', 64 hex digits of secret (256 bits). */
#define MC_REFRESH_FAMILY_HEX 32
#define MC_REFRESH_SECRET_HEX 64
#define MC_REFRESH_TOKEN_LEN (MC_REFRESH_FAMILY_HEX + 1 + MC_REFRESH_SECRET_HEX)

typedef struct mc_auth {
  mc_store *store;               /* borrowed */
  mc_kv *kv;                     /* borrowed */
  mc_jwt_keys *keys;             /* owned */
  mc_password_policy policy;
  mc_password_dummy dummy;
  char *issuer, *audience;       /* owned copies */
  int64_t access_ttl_s, refresh_idle_s, refresh_max_s;
  /* Argon2 work is CPU-bound and takes m KiB each: running more hashes at once than there are
   * cores adds memory (19 MiB a hash by default) and no throughput, so they queue here. */
  sem_t argon_slots;
  int argon_slots_ready;
} mc_auth;

typedef struct mc_token_pair {
  char *access_token;                          /* owned: free with mc_token_pair_clear */
  int64_t expires_in;                          /* seconds */
  char refresh_token[MC_REFRESH_TOKEN_LEN + 1];
} mc_token_pair;

/* Loads or creates the signing keys (HS256 secret file or ES256 PEM under the data directory,
 * 0600), builds the password policy and the dummy hash. store and kv are borrowed. Logs why and
 * returns an mc_err on failure. */
int mc_auth_init(mc_auth *auth, const mc_config *cfg, mc_store *store, mc_kv *kv);
void mc_auth_free(mc_auth *auth);

/* Frees the access token of pair and wipes the refresh token. */
void mc_token_pair_clear(mc_token_pair *pair);

/* Returns a new object with the public members of a stored user (no password_hash). */
json_t *mc_auth_public_user(const json_t *user);

/* Creates an account with role (customer or admin) from already validated fields.
 * *out_user (new reference) is the stored user. MC_ERR_CONFLICT when the email is taken, with
 * the store's refusal ("email_taken" on email) in why (may be NULL). */
int mc_auth_create_user(mc_auth *auth, const char *email, const char *password, size_t password_len,
                        const char *name, const char *role, json_t **out_user, mc_refusal *why);

/* Checks email and password. MC_OK with *out_user (new reference) for an active account whose
 * password matches (re-hashing a hash below the current policy); MC_ERR_FORBIDDEN for a wrong
 * password, an unknown email or a disabled account alike, after the same Argon2 work. */
int mc_auth_login(mc_auth *auth, const char *email, const char *password, size_t password_len,
                  json_t **out_user);

/* Changes user_id's password after verifying current (MC_ERR_FORBIDDEN when it does not match)
 * and revokes every refresh family of the user. */
int mc_auth_change_password(mc_auth *auth, const char *user_id, const char *current, size_t current_len,
                            const char *next, size_t next_len);

/* Starts a new refresh family for user (borrowed) and issues an access token: *pair filled. */
int mc_auth_issue_pair(mc_auth *auth, const json_t *user, mc_token_pair *pair);

/* Rotates refresh_token: on MC_OK *pair holds the new pair and *out_user (new reference) the
 * user. MC_ERR_FORBIDDEN for an unknown, expired or revoked token, a user who is gone or
 * disabled, or a token that was already rotated, in which case the whole family is revoked so
 * the current token stops working too. *out_reason (may be NULL) gets a static code for logs. */
int mc_auth_refresh(mc_auth *auth, const char *refresh_token, mc_token_pair *pair, json_t **out_user,
                    const char **out_reason);

/* Revokes the family of refresh_token (MC_OK also when it was already gone). MC_ERR_INVALID
 * when the string is not shaped like a refresh token. */
int mc_auth_revoke_family(mc_auth *auth, const char *refresh_token);

/* Revokes every refresh family of user_id. */
int mc_auth_revoke_all(mc_auth *auth, const char *user_id);

/* Verifies an access token and that its subject is an active user: *out_user (new reference,
 * the user document without password_hash).
 * MC_ERR_FORBIDDEN otherwise, with *out_reason set to a static code. */
int mc_auth_authenticate(mc_auth *auth, const char *token, json_t **out_user, const char **out_reason);

/* Counts one hit on the fixed window key (window_s long) and refuses past limit:
 * MC_ERR_FORBIDDEN with *retry_after_s set when over. Fails open (MC_OK) when the kv does not
 * answer, logging it, so an outage of Redis does not lock every customer out. */
int mc_rate_hit(mc_kv *kv, const char *key, int64_t limit, int64_t window_s, int64_t *retry_after_s);

#endif
