/* tokens.h - access JWTs and rotating refresh-token families kept in the kv port: issuing,
 * rotating, revoking, and authenticating a request's access token. No HTTP types
 * (service/tokens.c). */
#ifndef MERCATO_TOKENS_H
#define MERCATO_TOKENS_H

#include <jansson.h>
#include <stdint.h>

typedef struct mc_auth mc_auth;

/* A refresh token: 32 hex digits of family id, '.', 64 hex digits of secret (256 bits). */
#define MC_REFRESH_FAMILY_HEX 32
#define MC_REFRESH_SECRET_HEX 64
#define MC_REFRESH_TOKEN_LEN (MC_REFRESH_FAMILY_HEX + 1 + MC_REFRESH_SECRET_HEX)

typedef struct mc_token_pair {
  char *access_token;                          /* owned: free with mc_token_pair_clear */
  int64_t expires_in;                          /* seconds */
  char refresh_token[MC_REFRESH_TOKEN_LEN + 1];
} mc_token_pair;

/* Frees the access token of pair and wipes the refresh token. */
void mc_token_pair_clear(mc_token_pair *pair);

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

#endif
