/* argon_slots.c - Argon2 work under the auth context's slots: one per core, so hashes queue
 * rather than run more at once than the machine has cores. */
#include "mercato/auth.h"

/* Each Argon2 call holds one of the auth's slots (one per core) while it runs. */
static void argon_enter(mc_auth *auth) {
  while (sem_wait(&auth->argon_slots) != 0) continue; /* EINTR */
}

static void argon_leave(mc_auth *auth) {
  sem_post(&auth->argon_slots);
}

int mc_auth_hash_password(mc_auth *auth, const char *password, size_t len, char **out) {
  argon_enter(auth);
  int rc = mc_password_hash(&auth->policy, password, len, out);
  argon_leave(auth);
  return rc;
}

int mc_auth_verify_password(mc_auth *auth, const char *encoded, const char *password, size_t len) {
  argon_enter(auth);
  int rc = encoded ? mc_password_verify(encoded, password, len)
                   : mc_password_dummy_verify(&auth->dummy, password, len);
  argon_leave(auth);
  return rc;
}
