/* login.c - signing up and signing in: accounts created, passwords checked (the same work
 * whether or not the account exists) under the guessing limits, tokens, the guest-cart merge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/auth.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"

int mc_auth_create_user(mc_auth *auth, const char *email, const char *password, size_t password_len,
                        const char *name, const char *role, json_t **out_user, mc_refusal *why) {
  char id[MC_ID_MAX];
  char *hash = NULL;
  json_t *doc = NULL;
  int rc;

  if ((rc = mc_id_new("usr", id)) != MC_OK) goto done;
  if ((rc = mc_auth_hash_password(auth, password, password_len, &hash)) != MC_OK) goto done;
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
  if (mc_auth_hash_password(auth, password, len, &hash) == MC_OK) {
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
  const char *account = email[0] ? email : NULL;

  *out_user = NULL;
  if (rc == MC_ERR_NOT_FOUND) {
    rc = mc_auth_verify_password(auth, account, NULL, password, password_len);
    return rc == MC_ERR_CONFLICT ? rc : MC_ERR_FORBIDDEN;
  }
  if (rc != MC_OK) return rc;
  hash = json_string_value(json_object_get(user, "password_hash"));
  status = json_string_value(json_object_get(user, "status"));
  rc = hash ? mc_auth_verify_password(auth, account, hash, password, password_len) : MC_ERR_FORBIDDEN;
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

void mc_signin_clear(mc_signin *s) {
  json_decref(s->user);
  mc_token_pair_clear(&s->pair);
  memset(s, 0, sizeof *s);
}

/* Over a limit: the rate_limited refusal with its retry_after. */
int mc_auth_limited(int64_t retry, mc_refusal *why) {
  mc_refusal_number_set(why, "retry_after", retry);
  return mc_refuse(why, MC_ERR_FORBIDDEN, "rate_limited", NULL, "Too many attempts; wait before trying again.");
}

/* Counts a hit on the client network's limit for what ("login", "signup"); fails closed. */
static int network_limit(mc_auth *auth, const char *what, const char *network, int64_t limit, int64_t window_s,
                         mc_refusal *why) {
  char key[128];
  int64_t retry = 0;
  snprintf(key, sizeof key, "rl:%s:ip:%s", what, network && *network ? network : "unknown");
  int rc = mc_rate_hit_closed(auth->kv, key, limit, window_s, &retry);
  return rc == MC_ERR_FORBIDDEN ? mc_auth_limited(retry, why) : rc;
}

mc_guess_limits mc_auth_guess_limits(const mc_auth *auth) {
  const mc_config *cfg = auth->cfg;
  return (mc_guess_limits){cfg->rate_login_account, 900, cfg->login_slowdown_after, cfg->login_slowdown_delay};
}

int mc_auth_guess_begin(mc_auth *auth, const char *account, const char *network, mc_guess *g, mc_refusal *why) {
  mc_guess_limits lim = mc_auth_guess_limits(auth);
  int64_t retry = 0;
  int rc = network_limit(auth, "login", network, auth->cfg->rate_login_ip, 60, why);
  if (rc != MC_OK) return rc;
  rc = mc_rate_guess_begin(auth->kv, &lim, account, network, g, &retry);
  return rc == MC_ERR_FORBIDDEN ? mc_auth_limited(retry, why) : rc;
}

/* Merges the guest carts client names into user's cart; never fails the sign-in. */
static void merge_guest_carts(const mc_carts *carts, const json_t *user, const mc_signin_client *client,
                              mc_signin *out) {
  const char *uid = json_string_value(json_object_get(user, "id"));
  const char *tokens[2] = {client->guest_tokens[0], client->guest_tokens[1]};
  int failed = 0;

  if (tokens[1] && tokens[0] && strcmp(tokens[0], tokens[1]) == 0) tokens[1] = NULL;
  for (int i = 0; i < 2; i++) {
    int rc = tokens[i] ? mc_cart_merge(carts, uid, tokens[i], NULL) : MC_OK;
    if (rc != MC_OK) {
      failed = 1;
      mc_warn("auth", "the guest cart was not merged at the sign-in of %s: %s", uid, mc_err_name(rc));
    }
  }
  out->guest_carts_merged = !failed;
}

/* After the password or the new account: the token pair, then the guest carts. */
static int finish_signin(mc_auth *auth, const mc_carts *carts, json_t *user, const mc_signin_client *client,
                         mc_signin *out) {
  int rc = mc_auth_issue_pair(auth, user, &out->pair);
  if (rc != MC_OK) {
    json_decref(user);
    return rc;
  }
  out->user = user;
  merge_guest_carts(carts, user, client, out);
  return MC_OK;
}

int mc_auth_signin(mc_auth *auth, const mc_carts *carts, const char *email, const char *password, size_t len,
                   const mc_signin_client *client, mc_signin *out, mc_refusal *why) {
  json_t *user = NULL;
  mc_guess guess;
  int rc;

  memset(out, 0, sizeof *out);
  /* An email that cannot name an account only counts against the network. */
  if (!email[0]) rc = network_limit(auth, "login", client->network, auth->cfg->rate_login_ip, 60, why);
  else rc = mc_auth_guess_begin(auth, email, client->network, &guess, why);
  if (rc != MC_OK) return rc;
  rc = mc_auth_login(auth, email, password, len, &user);
  if (email[0] && (rc == MC_OK || rc == MC_ERR_FORBIDDEN)) mc_rate_guess_end(auth->kv, &guess, rc == MC_OK);
  if (rc == MC_ERR_CONFLICT) return mc_auth_limited(1, why); /* another check of this account runs */
  if (rc == MC_ERR_FORBIDDEN) {
    mc_info("auth", "failed login");
    return mc_refuse(why, rc, "invalid_credentials", NULL, "The email address or password is wrong.");
  }
  if (rc != MC_OK) return rc;
  mc_info("auth", "login of %s", json_string_value(json_object_get(user, "id")));
  return finish_signin(auth, carts, user, client, out);
}

int mc_auth_signup(mc_auth *auth, const mc_carts *carts, const char *email, const char *password, size_t len,
                   const char *name, const mc_signin_client *client, mc_signin *out, mc_refusal *why) {
  json_t *user = NULL;
  int rc;

  memset(out, 0, sizeof *out);
  if ((rc = network_limit(auth, "signup", client->network, auth->cfg->rate_signup_ip, 3600, why)) != MC_OK) return rc;
  /* No account limit: signing up with someone's email is no guess at their password, and
   * must not count against their sign-ins. */
  /* A taken email comes back from the store as email_taken on email. */
  if ((rc = mc_auth_create_user(auth, email, password, len, name, "customer", &user, why)) != MC_OK) return rc;
  return finish_signin(auth, carts, user, client, out);
}
