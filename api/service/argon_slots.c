/* argon_slots.c - Argon2 work under the auth context's slots: one per core, so hashes queue
 * rather than run more at once than the machine has cores; and at most one verification per
 * account at a time, so guesses at one account cannot hold every slot and starve the others. */
#include <stdlib.h>
#include <string.h>

#include "mercato/auth.h"
#include "mercato/digest.h"
#include "mercato/err.h"

/* Each Argon2 call holds one of the auth's slots (one per core) while it runs. */
static void argon_enter(mc_auth *auth) {
  while (sem_wait(&auth->argon_slots) != 0) continue; /* EINTR */
}

static void argon_leave(mc_auth *auth) {
  sem_post(&auth->argon_slots);
}

/* A nonzero 64-bit name for account: the head of its SHA-256, so no client can pick an email
 * that shares another account's name. */
static uint64_t account_id(const char *account) {
  char hex[17];
  mc_sha256_hex(account, strlen(account), hex, 16);
  uint64_t id = strtoull(hex, NULL, 16);
  return id ? id : 1;
}

/* Marks account as verifying: its index in argon_accounts, or -1 when a verification for it
 * runs already (or, far beyond the worker threads, every entry is taken). */
static int account_enter(mc_auth *auth, uint64_t id) {
  int at = -1;
  pthread_mutex_lock(&auth->argon_lock);
  for (int i = 0; i < MC_ARGON_ACCOUNTS_MAX; i++) {
    if (auth->argon_accounts[i] == id) {
      at = -1;
      break;
    }
    if (auth->argon_accounts[i] == 0 && at < 0) at = i;
  }
  if (at >= 0) auth->argon_accounts[at] = id;
  pthread_mutex_unlock(&auth->argon_lock);
  return at;
}

static void account_leave(mc_auth *auth, int at) {
  pthread_mutex_lock(&auth->argon_lock);
  auth->argon_accounts[at] = 0;
  pthread_mutex_unlock(&auth->argon_lock);
}

int mc_auth_hash_password(mc_auth *auth, const char *password, size_t len, char **out) {
  argon_enter(auth);
  int rc = mc_password_hash(&auth->policy, password, len, out);
  argon_leave(auth);
  return rc;
}

int mc_auth_verify_password(mc_auth *auth, const char *account, const char *encoded, const char *password,
                            size_t len) {
  int at = account ? account_enter(auth, account_id(account)) : -1;
  if (account && at < 0) return MC_ERR_CONFLICT;
  argon_enter(auth);
  int rc = encoded ? mc_password_verify(encoded, password, len)
                   : mc_password_dummy_verify(&auth->dummy, password, len);
  argon_leave(auth);
  if (at >= 0) account_leave(auth, at);
  return rc;
}
