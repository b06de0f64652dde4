/* login.h - signing up and signing in: accounts created with a hashed password, and passwords
 * checked with the same work whether or not the account exists. No HTTP types
 * (service/login.c). */
#ifndef MERCATO_LOGIN_H
#define MERCATO_LOGIN_H

#include <jansson.h>
#include <stddef.h>

#include "mercato/carts.h"
#include "mercato/ratelimit.h"
#include "mercato/refusal.h"
#include "mercato/tokens.h"

typedef struct mc_auth mc_auth;

/* Who is signing in, besides the credentials: where from (for the guessing limits) and the
 * guest carts they bring along. Everything is borrowed. */
typedef struct mc_signin_client {
  const char *network;         /* the client's IPv4 address or IPv6 /64 (mc_http_client_ip) */
  const char *guest_tokens[2]; /* guest cart tokens to merge into the customer's cart, or NULL */
} mc_signin_client;

/* What a sign-in or sign-up hands back on MC_OK; mc_signin_clear frees it. */
typedef struct mc_signin {
  json_t *user;           /* owned: the stored user */
  mc_token_pair pair;     /* owned: a new refresh family and its access token */
  int guest_carts_merged; /* 1 when no guest cart named was left unmerged (the cookie may go) */
} mc_signin;

/* Frees what s holds and empties it (safe on an empty one). */
void mc_signin_clear(mc_signin *s);

/* The guessing limits the configuration sets (MERCATO_RATE_LOGIN_ACCOUNT per account and
 * network per 15 minutes, MERCATO_LOGIN_SLOWDOWN_AFTER and _DELAY; see ratelimit.h). */
mc_guess_limits mc_auth_guess_limits(const mc_auth *auth);

/* Before checking a password of account (an email) from network: counts the attempt against
 * the network (MERCATO_RATE_LOGIN_IP a minute) and the guessing limits. MC_OK to go ahead
 * (then mc_rate_guess_end(auth->kv, g, success)); "rate_limited" (MC_ERR_FORBIDDEN, with
 * retry_after) in why; MC_ERR_UNAVAILABLE when the kv does not answer (fails closed). */
int mc_auth_guess_begin(mc_auth *auth, const char *account, const char *network, mc_guess *g, mc_refusal *why);

/* Writes the "rate_limited" refusal with retry_after (seconds) into why; MC_ERR_FORBIDDEN. */
int mc_auth_limited(int64_t retry_after_s, mc_refusal *why);

/* Signs in: the login limits for client->network and email, the password check
 * (mc_auth_login), a new token pair, then the guest carts merged into the customer's cart
 * (mc_cart_merge with carts; a merge that fails is logged and never fails the sign-in).
 * email is normalised, or "" for one that cannot name an account (checked like an unknown one).
 * Refusals (why may be NULL): "invalid_credentials" (MC_ERR_FORBIDDEN) for a wrong password,
 * an unknown email or a disabled account alike; "rate_limited" (MC_ERR_FORBIDDEN) with the
 * number retry_after (seconds). Other errors (MC_ERR_UNAVAILABLE, ...) leave why alone. */
int mc_auth_signin(mc_auth *auth, const mc_carts *carts, const char *email, const char *password, size_t len,
                   const mc_signin_client *client, mc_signin *out, mc_refusal *why);

/* Signs up a customer from validated fields (email normalised, password checked, name
 * normalised), then signs them in as mc_auth_signin does, guest carts included. Refusals:
 * "email_taken" (MC_ERR_CONFLICT), "rate_limited" (MC_ERR_FORBIDDEN, retry_after). */
int mc_auth_signup(mc_auth *auth, const mc_carts *carts, const char *email, const char *password, size_t len,
                   const char *name, const mc_signin_client *client, mc_signin *out, mc_refusal *why);

/* Creates an account with role (customer or admin) from already validated fields.
 * *out_user (new reference) is the stored user. MC_ERR_CONFLICT when the email is taken, with
 * the store's refusal ("email_taken" on email) in why (may be NULL). */
int mc_auth_create_user(mc_auth *auth, const char *email, const char *password, size_t password_len,
                        const char *name, const char *role, json_t **out_user, mc_refusal *why);

/* Checks email and password. MC_OK with *out_user (new reference) for an active account whose
 * password matches (re-hashing a hash below the current policy); MC_ERR_FORBIDDEN for a wrong
 * password, an unknown email or a disabled account alike, after the same Argon2 work;
 * MC_ERR_CONFLICT, with no work, while another check of the same email runs. */
int mc_auth_login(mc_auth *auth, const char *email, const char *password, size_t password_len,
                  json_t **out_user);

#endif
