/* login.h - signing up and signing in: accounts created with a hashed password, and passwords
 * checked with the same work whether or not the account exists. No HTTP types
 * (service/login.c). */
#ifndef MERCATO_LOGIN_H
#define MERCATO_LOGIN_H

#include <jansson.h>
#include <stddef.h>

typedef struct mc_auth mc_auth;

/* Creates an account with role (customer or admin) from already validated fields.
 * *out_user (new reference) is the stored user. MC_ERR_CONFLICT when the email is taken. */
int mc_auth_create_user(mc_auth *auth, const char *email, const char *password, size_t password_len,
                        const char *name, const char *role, json_t **out_user);

/* Checks email and password. MC_OK with *out_user (new reference) for an active account whose
 * password matches (re-hashing a hash below the current policy); MC_ERR_FORBIDDEN for a wrong
 * password, an unknown email or a disabled account alike, after the same Argon2 work. */
int mc_auth_login(mc_auth *auth, const char *email, const char *password, size_t password_len,
                  json_t **out_user);

#endif
