/* auth.h - the auth context that accounts, sign-in, tokens and the guessing limits share: the
 * ports, the signing keys, the password policy and the Argon2 slots. Built once at start-up.
 * No HTTP types. What each part does is in its own header, included here for callers:
 *   accounts.h   emails, names, the public user, password changes         (service/accounts.c)
 *   login.h      sign-up and sign-in                                      (service/login.c)
 *   tokens.h     access tokens and rotating refresh-token families       (service/tokens.c)
 *   ratelimit.h  fixed-window counters                                    (service/ratelimit.c)
 * The context itself is set up in service/keys.c (mostly loading the signing keys) and its
 * Argon2 slots are service/argon_slots.c's. */
#ifndef MERCATO_AUTH_H
#define MERCATO_AUTH_H

#include <jansson.h>
#include <pthread.h>
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

/* Verifications running at once, all accounts together: far more than the worker threads. */
#define MC_ARGON_ACCOUNTS_MAX 256

typedef struct mc_auth {
  const mc_config *cfg;          /* borrowed: the limits */
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
  /* The accounts with a verification running (argon_slots.c), 0 for a free entry: one at a
   * time per account, so a flood of guesses at one account cannot hold every slot. */
  pthread_mutex_t argon_lock;
  uint64_t argon_accounts[MC_ARGON_ACCOUNTS_MAX];
} mc_auth;

/* ---- the context (service/keys.c) ---- */

/* Loads or creates the signing keys (HS256 secret file or ES256 PEM under the data directory,
 * 0600), builds the password policy and the dummy hash. store and kv are borrowed. Logs why and
 * returns an mc_err on failure. */
int mc_auth_init(mc_auth *auth, const mc_config *cfg, mc_store *store, mc_kv *kv);
void mc_auth_free(mc_auth *auth);

/* ---- Argon2 work under the context's slots (service/argon_slots.c) ---- */

/* Hashes len bytes of password under the policy into *out (new string, free()). */
int mc_auth_hash_password(mc_auth *auth, const char *password, size_t len, char **out);

/* Verifies password against encoded, or against the dummy hash when encoded is NULL (the same
 * work for an account that does not exist). MC_OK on a match, else mc_password_verify's codes.
 * account (an email; may be NULL) runs one verification at a time: MC_ERR_CONFLICT, at once
 * and without Argon2 work, while another for the same account runs. */
int mc_auth_verify_password(mc_auth *auth, const char *account, const char *encoded, const char *password,
                            size_t len);

#include "mercato/accounts.h"
#include "mercato/login.h"
#include "mercato/ratelimit.h"
#include "mercato/tokens.h"

#endif
