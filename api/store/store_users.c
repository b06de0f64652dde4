/* store_users.c - the users aggregate's wrappers (mercato/store/users.h): the user rules and
 * the argument checks every adapter would otherwise repeat, then one dispatch to the adapter. */
#include <string.h>

#include "mercato/err.h"
#include "mercato/rules/users.h"
#include "mercato/store.h"

/* A key longer than any stored value cannot match, so it is not looked up. */
static int key_check(const char *key, size_t max, json_t **out) {
  size_t len;
  if (out != NULL) *out = NULL;
  if (key == NULL || out == NULL) return MC_ERR_INVALID;
  len = strnlen(key, max + 1);
  return len == 0 || len > max ? MC_ERR_NOT_FOUND : MC_OK;
}

/* Reads doc against the user rules; why (may be NULL) names the member at fault. */
static int doc_check(const json_t *doc, mc_user_doc_kind kind, json_t **out, mc_refusal *why) {
  mc_user_values v;
  if (out != NULL) *out = NULL;
  return mc_user_doc_read(doc, kind, &v, why);
}

int mc_store_user_create(mc_store *st, const json_t *user, json_t **out, mc_refusal *why) {
  int err = doc_check(user, MC_USER_DOC_CREATE, out, why);
  return err != MC_OK ? err : st->users->create(st, user, out, why);
}

int mc_store_user_get(mc_store *st, const char *id, json_t **out) {
  int err = key_check(id, MC_ID_MAX - 1, out);
  return err != MC_OK ? err : st->users->get(st, id, out);
}

int mc_store_user_get_by_email(mc_store *st, const char *email, json_t **out) {
  int err = key_check(email, MC_USER_EMAIL_MAX, out);
  return err != MC_OK ? err : st->users->get_by_email(st, email, out);
}

int mc_store_user_get_account(mc_store *st, const char *id, json_t **out) {
  int err = key_check(id, MC_ID_MAX - 1, out);
  return err != MC_OK ? err : st->users->get_account(st, id, out);
}

int mc_store_user_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why) {
  int err = doc_check(changes, MC_USER_DOC_UPDATE, out, why);
  if (err != MC_OK) return err;
  if (id == NULL) return MC_ERR_INVALID;
  size_t len = strnlen(id, MC_ID_MAX);
  if (len == 0 || len >= MC_ID_MAX) return MC_ERR_NOT_FOUND;
  return st->users->update(st, id, changes, out, why);
}

int mc_store_user_count_by_role(mc_store *st, const char *role, int64_t *out) {
  if (out != NULL) *out = 0;
  if (out == NULL || role == NULL || !mc_user_role_valid(role, strlen(role))) return MC_ERR_INVALID;
  return st->users->count_by_role(st, role, out);
}
