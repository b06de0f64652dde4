/* store_users.h - user documents for the suites that need users (test_store_users.c, the
 * users cases of test_store_sqlite.c). */
#ifndef MERCATO_TEST_STORE_USERS_H
#define MERCATO_TEST_STORE_USERS_H

#include <check.h>
#include <jansson.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"

#define TEST_HASH "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

/* A complete new-user document with a fresh id; a new reference. */
static inline json_t *user_doc(const char *email, const char *role) {
  char id[MC_ID_MAX];
  json_t *doc;
  ck_assert_int_eq(mc_id_new("usr", id), MC_OK);
  doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "email", email, "name",
                  "Ada Lovelace", "role", role, "status", "active", "password_hash", TEST_HASH);
  ck_assert_ptr_nonnull(doc);
  return doc;
}

/* Creates doc (borrowed) and returns the stored document (a new reference). */
static inline json_t *user_create_ok(mc_store *st, const json_t *doc) {
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_user_create(st, doc, &out, NULL), MC_OK);
  ck_assert_ptr_nonnull(out);
  return out;
}

static inline json_t *user_get_ok(mc_store *st, const char *id) {
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_user_get(st, id, &out), MC_OK);
  ck_assert_ptr_nonnull(out);
  return out;
}

#endif
