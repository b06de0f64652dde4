/* accounts.h - the account itself: the rules for emails and display names, the public view of a
 * user, and password changes. No HTTP types (service/accounts.c). */
#ifndef MERCATO_ACCOUNTS_H
#define MERCATO_ACCOUNTS_H

#include <jansson.h>
#include <stddef.h>

#include "mercato/refusal.h"
#include "mercato/rules/users.h"
#include "mercato/tokens.h"

typedef struct mc_auth mc_auth;

/* Buffer sizes of a normalised email and name: the user rules' (mercato/rules/users.h, which
 * also normalises them: mc_user_email_normalize, mc_user_name_normalize). */
#define MC_EMAIL_MAX MC_USER_EMAIL_MAX
#define MC_NAME_MAX_CHARS MC_USER_NAME_MAX_CHARS
#define MC_NAME_MAX MC_USER_NAME_MAX

/* Returns a new object with the public members of a stored user (no password_hash). */
json_t *mc_auth_public_user(const json_t *user);

/* Sets user_id's display name (normalised by the caller). *out_user (new reference) is the
 * stored user. */
int mc_auth_update_profile(mc_auth *auth, const char *user_id, const char *name, json_t **out_user);

/* Changes user_id's password after verifying current and revokes every refresh family of the
 * user; the caller continues with a fresh pair (*pair, and *out_user a new reference to the
 * stored user). The check of current is a guess like a sign-in's: it counts in the account's
 * guessing limits from network (mc_auth_guess_begin; the account is the user's email).
 * Refusals in why: a wrong current password is MC_ERR_FORBIDDEN with the validation refusal
 * naming current_password "incorrect"; "rate_limited" (MC_ERR_FORBIDDEN, retry_after) past the
 * limits or while another check of the account runs; MC_ERR_UNAVAILABLE when the limits
 * cannot be checked. why must not be NULL. */
int mc_auth_change_password(mc_auth *auth, const char *user_id, const char *network, const char *current,
                            size_t current_len, const char *next, size_t next_len, json_t **out_user,
                            mc_token_pair *pair, mc_refusal *why);

#endif
