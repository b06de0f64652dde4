/* test_store_users.c - the storage port's contract for users (create, get, update, count by
 * role), run once per adapter factory through the port alone (the SQLite-only user checks are
 * in test_store_sqlite.c). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_contract.h"
#include "store_users.h"

/* ---- contract: users ---- */

static void user_set(json_t *doc, const char *key, const char *value) {
  ck_assert_int_eq(json_object_set_new(doc, key, json_string(value)), 0);
}

/* The stored document is exactly the canonical shape and holds what was given. */
static void assert_user_shape(const json_t *got, const json_t *given) {
  static const char *const given_keys[] = {"id", "email", "name", "role", "status",
                                           "password_hash"};
  ck_assert_uint_eq(json_object_size(got), 8);
  for (size_t i = 0; i < sizeof given_keys / sizeof given_keys[0]; i++)
    ck_assert_str_eq(str_of(got, given_keys[i]), str_of(given, given_keys[i]));
  assert_rfc3339_ms(str_of(got, "created_at"));
  assert_rfc3339_ms(str_of(got, "updated_at"));
}

static void assert_user_counts(mc_store *st, int64_t customers, int64_t admins) {
  int64_t n = -1;
  ck_assert_int_eq(mc_store_user_count_by_role(st, "customer", &n), MC_OK);
  ck_assert_int_eq(n, customers);
  ck_assert_int_eq(mc_store_user_count_by_role(st, "admin", &n), MC_OK);
  ck_assert_int_eq(n, admins);
}

START_TEST(contract_user_round_trips_in_the_canonical_shape) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = user_doc("ada@example.com", "customer");
  json_t *created, *got = NULL;
  char before[MC_TIME_STR_MAX], after[MC_TIME_STR_MAX];

  now_str(before);
  created = user_create_ok(st, doc);
  now_str(after);
  assert_user_shape(created, doc);
  /* Same-format UTC strings sort as the times they spell. */
  ck_assert_str_eq(str_of(created, "created_at"), str_of(created, "updated_at"));
  ck_assert_int_ge(strcmp(str_of(created, "created_at"), before), 0);
  ck_assert_int_le(strcmp(str_of(created, "created_at"), after), 0);

  got = user_get_ok(st, str_of(doc, "id"));
  ck_assert(json_equal(got, created));
  json_decref(got);
  got = NULL;
  ck_assert_int_eq(mc_store_user_get_by_email(st, "ada@example.com", &got), MC_OK);
  ck_assert(json_equal(got, created));
  json_decref(got);
  /* The account view is the same document without the hash. */
  got = NULL;
  ck_assert_int_eq(mc_store_user_get_account(st, str_of(doc, "id"), &got), MC_OK);
  ck_assert_ptr_null(json_object_get(got, "password_hash"));
  ck_assert_int_eq(json_object_del(created, "password_hash"), 0);
  ck_assert(json_equal(got, created));
  json_decref(got);
  /* The stored document may be left unread. */
  json_decref(doc);
  doc = user_doc("grace@example.com", "admin");
  ck_assert_int_eq(mc_store_user_create(st, doc, NULL, NULL), MC_OK);
  assert_user_counts(st, 1, 1);
  json_decref(doc);
  json_decref(created);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_user_duplicate_email_or_id_is_a_conflict) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *first = user_doc("taken@example.com", "customer");
  json_t *created = user_create_ok(st, first);
  json_t *same_email = user_doc("taken@example.com", "admin");
  json_t *same_id = json_deep_copy(first);
  json_t *out = (json_t *)first; /* must be reset to NULL */
  json_t *got = NULL;
  mc_refusal why = {0};

  /* The refusal names the key that was taken. */
  user_set(same_email, "name", "Someone Else");
  ck_assert_int_eq(mc_store_user_create(st, same_email, &out, &why), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);
  ck_assert_str_eq(why.code, "email_taken");
  ck_assert_str_eq(why.field, "email");
  mc_refusal_clear(&why);
  user_set(same_id, "email", "other@example.com");
  ck_assert_int_eq(mc_store_user_create(st, same_id, &out, &why), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);
  ck_assert_str_eq(why.code, "conflict");
  ck_assert_str_eq(why.field, "id");
  mc_refusal_clear(&why);

  /* The first user is untouched and neither loser was stored. */
  got = user_get_ok(st, str_of(first, "id"));
  ck_assert(json_equal(got, created));
  json_decref(got);
  ck_assert_int_eq(mc_store_user_get(st, str_of(same_email, "id"), &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get_by_email(st, "other@example.com", &got), MC_ERR_NOT_FOUND);
  assert_user_counts(st, 1, 0);
  /* Emails arrive normalised (the rules refuse another spelling) and compare exactly. */
  json_decref(same_email);
  same_email = user_doc("Taken@example.com", "customer");
  ck_assert_int_eq(mc_store_user_create(st, same_email, NULL, &why), MC_ERR_INVALID);
  ck_assert_str_eq(why.code, "validation_failed");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(why.errors, 0), "field")), "email");
  mc_refusal_clear(&why);
  json_decref(same_email);
  same_email = user_doc("taken@example.org", "customer");
  ck_assert_int_eq(mc_store_user_create(st, same_email, NULL, NULL), MC_OK);
  json_decref(first);
  json_decref(created);
  json_decref(same_email);
  json_decref(same_id);
  close_and_drop(st, &env);
}
END_TEST

/* A well-formed email of exactly n (>= 70) bytes: the longest local part, a long domain. */
static char *email_of_len(size_t n) {
  char *s = repeat('b', n);
  memset(s, 'a', MC_USER_EMAIL_LOCAL_MAX);
  s[MC_USER_EMAIL_LOCAL_MAX] = '@';
  memcpy(s + n - 4, ".com", 4);
  return s;
}

/* A name of n characters of 4 bytes each (U+1F600); a new string. */
static char *name_of_wide_chars(size_t n) {
  char *s = malloc(4 * n + 1);
  ck_assert_ptr_nonnull(s);
  for (size_t i = 0; i < n; i++) memcpy(s + 4 * i, "\xF0\x9F\x98\x80", 4);
  s[4 * n] = '\0';
  return s;
}

START_TEST(contract_user_create_rejects_bad_documents) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  static const char *const required[] = {"id", "email", "name", "role", "status",
                                         "password_hash"};
  char *long_email = email_of_len(MC_USER_EMAIL_MAX + 1);
  char *long_name = name_of_wide_chars(MC_USER_NAME_MAX_CHARS + 1);
  char *many_chars = repeat('n', MC_USER_NAME_MAX_CHARS + 1); /* few bytes, too many characters */
  char *long_hash = repeat('h', 513);
  char other_id[MC_ID_MAX];
  json_t *bad[40];
  int n = 0;

  ck_assert_int_eq(mc_id_new("prod", other_id), MC_OK);
#define BAD_WITH(key, value)                                                                     \
  do {                                                                                           \
    bad[n] = user_doc("victim@example.com", "customer");                                        \
    ck_assert_int_eq(json_object_set_new(bad[n], key, value), 0);                               \
    n++;                                                                                         \
  } while (0)
  BAD_WITH("role_override", json_string("admin")); /* an unknown member */
  BAD_WITH("created_at", json_string("2020-01-01T00:00:00.000Z")); /* set by the store only */
  BAD_WITH("role", json_string("root"));
  BAD_WITH("role", json_string("Admin"));
  BAD_WITH("status", json_string("banned"));
  BAD_WITH("id", json_string("usr_123"));
  BAD_WITH("id", json_string(other_id)); /* well-formed, but not a user id */
  BAD_WITH("id", json_string(""));
  BAD_WITH("email", json_string(long_email));
  BAD_WITH("email", json_string(""));
  BAD_WITH("email", json_string("no-at-sign.example.com"));
  BAD_WITH("email", json_string(" padded@example.com")); /* not normalised */
  BAD_WITH("email", json_string("two@at@example.com"));
  BAD_WITH("name", json_string(long_name));
  BAD_WITH("name", json_string(many_chars));
  BAD_WITH("name", json_string(" Ada")); /* not normalised */
  BAD_WITH("name", json_string("Ada\x01Lovelace"));
  BAD_WITH("password_hash", json_string("$argon2id$\nnew line"));
  BAD_WITH("name", json_string(""));
  BAD_WITH("name", json_integer(42));
  BAD_WITH("name", json_stringn("Ada\0Lovelace", 12)); /* a NUL inside */
  BAD_WITH("password_hash", json_string(long_hash));
  BAD_WITH("password_hash", json_null());
  BAD_WITH("role", json_true());
#undef BAD_WITH
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
    bad[n] = user_doc("victim@example.com", "customer");
    ck_assert_int_eq(json_object_del(bad[n], required[i]), 0);
    n++;
  }
  bad[n++] = json_array();
  ck_assert_int_le(n, (int)(sizeof bad / sizeof bad[0]));

  for (int i = 0; i < n; i++) {
    json_t *out = (json_t *)st;
    ck_assert_msg(mc_store_user_create(st, bad[i], &out, NULL) == MC_ERR_INVALID, "document %d", i);
    ck_assert_ptr_null(out);
  }
  ck_assert_int_eq(mc_store_user_create(st, NULL, NULL, NULL), MC_ERR_INVALID);
  /* Nothing was written. */
  assert_user_counts(st, 0, 0);
  {
    json_t *got = NULL;
    ck_assert_int_eq(mc_store_user_get_by_email(st, "victim@example.com", &got),
                     MC_ERR_NOT_FOUND);
  }
  for (int i = 0; i < n; i++) json_decref(bad[i]);

  /* The limits themselves are allowed. */
  {
    json_t *doc = user_doc("x", "admin");
    json_t *created;
    free(long_email);
    long_email = email_of_len(MC_USER_EMAIL_MAX);
    long_name[MC_USER_NAME_MAX] = '\0';
    long_hash[512] = '\0';
    user_set(doc, "email", long_email);
    user_set(doc, "name", long_name);
    user_set(doc, "password_hash", long_hash);
    user_set(doc, "status", "disabled");
    created = user_create_ok(st, doc);
    assert_user_shape(created, doc);
    json_decref(created);
    json_decref(doc);
  }
  free(long_email);
  free(long_name);
  free(many_chars);
  free(long_hash);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_user_refusals_name_the_member_at_fault) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = user_doc("named@example.com", "customer");
  json_t *created = user_create_ok(st, doc);
  json_t *bad = user_doc("Named@Example.com", "customer");
  json_t *changes = json_pack("{s:s}", "status", "banned");
  mc_refusal why = {0};

  ck_assert_int_eq(mc_store_user_create(st, bad, NULL, &why), MC_ERR_INVALID);
  ck_assert_str_eq(why.code, "validation_failed");
  ck_assert_int_eq(json_array_size(why.errors), 1);
  ck_assert_str_eq(str_of(json_array_get(why.errors, 0), "field"), "email");
  ck_assert_str_eq(str_of(json_array_get(why.errors, 0), "code"), "invalid_email");
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_store_user_update(st, str_of(doc, "id"), changes, NULL, &why), MC_ERR_INVALID);
  ck_assert_str_eq(str_of(json_array_get(why.errors, 0), "field"), "status");
  ck_assert_str_eq(str_of(json_array_get(why.errors, 0), "code"), "invalid_status");
  mc_refusal_clear(&why);
  json_decref(changes);
  changes = json_pack("{s:s}", "email", "new@example.com");
  ck_assert_int_eq(mc_store_user_update(st, str_of(doc, "id"), changes, NULL, &why), MC_ERR_INVALID);
  ck_assert_str_eq(str_of(json_array_get(why.errors, 0), "field"), "email");
  ck_assert_str_eq(str_of(json_array_get(why.errors, 0), "code"), "not_updatable");
  mc_refusal_clear(&why);
  assert_user_counts(st, 1, 0);
  json_decref(changes);
  json_decref(bad);
  json_decref(created);
  json_decref(doc);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_user_get_missing_is_not_found) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = user_doc("here@example.com", "customer");
  json_t *created = user_create_ok(st, doc);
  char unused[MC_ID_MAX];
  char *huge = repeat('a', 4096);
  json_t *out = (json_t *)st;

  ck_assert_int_eq(mc_id_new("usr", unused), MC_OK);
  ck_assert_int_eq(mc_store_user_get(st, unused, &out), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_store_user_get(st, "usr_nope", &out), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get(st, "", &out), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get(st, huge, &out), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get_account(st, unused, &out), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get_account(st, huge, &out), MC_ERR_NOT_FOUND);
  out = (json_t *)st;
  ck_assert_int_eq(mc_store_user_get_by_email(st, "gone@example.com", &out), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_store_user_get_by_email(st, "", &out), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get_by_email(st, huge, &out), MC_ERR_NOT_FOUND);
  /* An id is not an email, nor an email an id. */
  ck_assert_int_eq(mc_store_user_get_by_email(st, str_of(doc, "id"), &out), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get(st, "here@example.com", &out), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get(st, NULL, &out), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_user_get_by_email(st, NULL, &out), MC_ERR_INVALID);
  free(huge);
  json_decref(doc);
  json_decref(created);
  close_and_drop(st, &env);
}
END_TEST

/* Applies changes (a new reference, consumed) to user id and checks that the result holds
 * them, keeps everything else from before (borrowed), and moved updated_at forward but not
 * created_at. Returns the new document (a new reference), which get also returns. */
static json_t *update_and_check(mc_store *st, const json_t *before, json_t *changes) {
  const char *id = str_of(before, "id");
  json_t *after = NULL;
  json_t *got;
  json_t *expected = json_deep_copy(before);

  tick();
  ck_assert_int_eq(mc_store_user_update(st, id, changes, &after, NULL), MC_OK);
  ck_assert_ptr_nonnull(after);
  ck_assert_int_eq(json_object_update(expected, changes), 0);
  ck_assert_int_eq(json_object_set(expected, "updated_at", json_object_get(after, "updated_at")),
                   0);
  ck_assert(json_equal(after, expected));
  assert_rfc3339_ms(str_of(after, "updated_at"));
  ck_assert_int_gt(strcmp(str_of(after, "updated_at"), str_of(before, "updated_at")), 0);
  ck_assert_str_eq(str_of(after, "created_at"), str_of(before, "created_at"));
  got = user_get_ok(st, id);
  ck_assert(json_equal(got, after));
  json_decref(got);
  json_decref(expected);
  json_decref(changes);
  return after;
}

START_TEST(contract_user_update_changes_each_allowed_member) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = user_doc("change@example.com", "customer");
  json_t *v0 = user_create_ok(st, doc);
  json_t *v1, *v2, *v3, *v4, *v5;

  v1 = update_and_check(st, v0, json_pack("{s:s}", "name", "Ada King"));
  v2 = update_and_check(st, v1, json_pack("{s:s}", "password_hash", "$argon2id$new"));
  v3 = update_and_check(st, v2, json_pack("{s:s}", "role", "admin"));
  assert_user_counts(st, 0, 1);
  v4 = update_and_check(st, v3, json_pack("{s:s}", "status", "disabled"));
  v5 = update_and_check(st, v4,
                        json_pack("{s:s, s:s, s:s, s:s}", "name", "Countess of Lovelace",
                                  "password_hash", TEST_HASH, "role", "customer", "status",
                                  "active"));
  assert_user_counts(st, 1, 0);
  /* Setting a member to the value it has is a change like any other. */
  json_decref(update_and_check(st, v5, json_pack("{s:s}", "role", "customer")));
  /* The new document may be left unread. */
  {
    json_t *changes = json_pack("{s:s}", "name", "Ada");
    json_t *got;
    ck_assert_int_eq(mc_store_user_update(st, str_of(doc, "id"), changes, NULL, NULL), MC_OK);
    got = user_get_ok(st, str_of(doc, "id"));
    ck_assert_str_eq(str_of(got, "name"), "Ada");
    json_decref(got);
    json_decref(changes);
  }
  json_decref(doc);
  json_decref(v0);
  json_decref(v1);
  json_decref(v2);
  json_decref(v3);
  json_decref(v4);
  json_decref(v5);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_user_update_rejects_other_members_and_changes_nothing) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = user_doc("fixed@example.com", "customer");
  json_t *created = user_create_ok(st, doc);
  const char *id = str_of(doc, "id");
  char *long_name = repeat('n', 801);
  char other_id[MC_ID_MAX];
  json_t *bad[24];
  int n = 0;

  ck_assert_int_eq(mc_id_new("usr", other_id), MC_OK);
  bad[n++] = json_pack("{s:s}", "email", "new@example.com");
  bad[n++] = json_pack("{s:s}", "id", other_id);
  bad[n++] = json_pack("{s:s}", "created_at", "2020-01-01T00:00:00.000Z");
  bad[n++] = json_pack("{s:s}", "updated_at", "2020-01-01T00:00:00.000Z");
  bad[n++] = json_pack("{s:s}", "is_admin", "true");
  /* One bad member spoils the whole change: the good one is not applied either. */
  bad[n++] = json_pack("{s:s, s:s}", "name", "Mallory", "email", "mallory@example.com");
  bad[n++] = json_pack("{s:s, s:s}", "name", "Mallory", "role", "root");
  bad[n++] = json_pack("{s:s}", "status", "banned");
  bad[n++] = json_pack("{s:s}", "name", "");
  bad[n++] = json_pack("{s:s}", "name", long_name);
  bad[n++] = json_pack("{s:i}", "name", 7);
  bad[n++] = json_pack("{s:n}", "password_hash");
  bad[n++] = json_object(); /* no changes */
  bad[n++] = json_pack("[s]", "name");
  tick();
  for (int i = 0; i < n; i++) {
    json_t *out = (json_t *)st;
    ck_assert_ptr_nonnull(bad[i]);
    ck_assert_msg(mc_store_user_update(st, id, bad[i], &out, NULL) == MC_ERR_INVALID, "change %d", i);
    ck_assert_ptr_null(out);
    json_decref(bad[i]);
  }
  ck_assert_int_eq(mc_store_user_update(st, id, NULL, NULL, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_user_update(st, NULL, doc, NULL, NULL), MC_ERR_INVALID);
  {
    json_t *got = user_get_ok(st, id);
    ck_assert(json_equal(got, created)); /* updated_at included */
    json_decref(got);
    ck_assert_int_eq(mc_store_user_get_by_email(st, "new@example.com", &got), MC_ERR_NOT_FOUND);
    ck_assert_int_eq(mc_store_user_get(st, other_id, &got), MC_ERR_NOT_FOUND);
  }
  assert_user_counts(st, 1, 0);
  free(long_name);
  json_decref(doc);
  json_decref(created);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_user_update_of_a_missing_user_is_not_found) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *changes = json_pack("{s:s}", "role", "admin");
  char unused[MC_ID_MAX];
  json_t *out = (json_t *)st;

  ck_assert_int_eq(mc_id_new("usr", unused), MC_OK);
  ck_assert_int_eq(mc_store_user_update(st, unused, changes, &out, NULL), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_store_user_update(st, "usr_nope", changes, &out, NULL), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_update(st, "", changes, NULL, NULL), MC_ERR_NOT_FOUND);
  assert_user_counts(st, 0, 0);
  json_decref(changes);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_user_count_by_role_counts_each_role) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  static const char *const roles[] = {"customer", "admin", "customer", "customer", "admin"};
  char first_id[MC_ID_MAX] = "";
  int64_t n = -1;

  assert_user_counts(st, 0, 0);
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
    char email[64];
    json_t *doc;
    snprintf(email, sizeof email, "user%zu@example.com", i);
    doc = user_doc(email, roles[i]);
    if (i == 0) snprintf(first_id, sizeof first_id, "%s", str_of(doc, "id"));
    ck_assert_int_eq(mc_store_user_create(st, doc, NULL, NULL), MC_OK);
    json_decref(doc);
  }
  assert_user_counts(st, 3, 2);
  {
    json_t *changes = json_pack("{s:s}", "role", "admin");
    ck_assert_int_eq(mc_store_user_update(st, first_id, changes, NULL, NULL), MC_OK);
    json_decref(changes);
  }
  assert_user_counts(st, 2, 3);
  ck_assert_int_eq(mc_store_user_count_by_role(st, "root", &n), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_user_count_by_role(st, "Admin", &n), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_user_count_by_role(st, NULL, &n), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_user_count_by_role(st, "admin", NULL), MC_ERR_INVALID);
  close_and_drop(st, &env);
}
END_TEST

/* As many as test_store.c's event racers (test_store_products.c keeps its own count). */
enum { RACERS = 16 };

typedef struct user_racer_arg {
  mc_store *st;
  pthread_barrier_t *start;
  json_t *doc; /* the racer's own id, the shared email */
  int result;
} user_racer_arg;

static void *race_user(void *p) {
  user_racer_arg *a = p;
  pthread_barrier_wait(a->start);
  a->result = mc_store_user_create(a->st, a->doc, NULL, NULL);
  return NULL;
}

START_TEST(contract_racing_threads_create_one_user_per_email) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  pthread_t th[RACERS];
  user_racer_arg args[RACERS];
  pthread_barrier_t start;
  int ok = 0, conflict = 0;
  json_t *winner = NULL;

  /* Each document is made before the start, as jansson objects are not for sharing. */
  pthread_barrier_init(&start, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    args[i] = (user_racer_arg){.st = st, .start = &start,
                               .doc = user_doc("race@example.com", "customer"), .result = -1};
    ck_assert_int_eq(pthread_create(&th[i], NULL, race_user, &args[i]), 0);
  }
  for (int i = 0; i < RACERS; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&start);
  ck_assert_int_eq(mc_store_user_get_by_email(st, "race@example.com", &winner), MC_OK);
  for (int i = 0; i < RACERS; i++) {
    ck_assert_msg(args[i].result == MC_OK || args[i].result == MC_ERR_CONFLICT,
                  "racer %d got %s", i, mc_err_name(args[i].result));
    if (args[i].result == MC_OK) {
      ok++;
      ck_assert_str_eq(str_of(winner, "id"), str_of(args[i].doc, "id"));
    } else {
      conflict++;
    }
    json_decref(args[i].doc);
  }
  ck_assert_int_eq(ok, 1);
  ck_assert_int_eq(conflict, RACERS - 1);
  assert_user_counts(st, 1, 0);
  json_decref(winner);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_user_values_that_look_like_sql_are_stored_verbatim) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  /* Quotes, comment dashes and LIKE wildcards, in the form an address may have. */
  static const char email[] = "a'--%_or'1'='1@x.io";
  static const char name[] =
    "O'Brien \"Bobby\" Tables'; DELETE FROM users WHERE '1'='1 -- Zoë 李";
  static const char hash[] = "$2b$' OR 1=1 --\\%_*?";
  json_t *doc = user_doc(email, "customer");
  json_t *created, *got = NULL;

  user_set(doc, "name", name);
  user_set(doc, "password_hash", hash);
  created = user_create_ok(st, doc);
  assert_user_shape(created, doc);
  ck_assert_int_eq(mc_store_user_get_by_email(st, email, &got), MC_OK);
  ck_assert(json_equal(got, created));
  ck_assert_str_eq(str_of(got, "name"), name);
  json_decref(got);
  /* No pattern matching: a LIKE wildcard or a prefix finds nothing. */
  ck_assert_int_eq(mc_store_user_get_by_email(st, "a'--%_or'1'='1@x.i%", &got),
                   MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get_by_email(st, "%", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get_by_email(st, "' OR '1'='1", &got), MC_ERR_NOT_FOUND);
  {
    json_t *changes = json_pack("{s:s}", "name", "x'), role = ('admin");
    json_t *after = NULL;
    ck_assert_int_eq(mc_store_user_update(st, str_of(doc, "id"), changes, &after, NULL), MC_OK);
    ck_assert_str_eq(str_of(after, "name"), "x'), role = ('admin");
    ck_assert_str_eq(str_of(after, "role"), "customer");
    json_decref(after);
    json_decref(changes);
  }
  /* The table is still there and still takes users. */
  json_decref(doc);
  doc = user_doc("next@example.com", "customer");
  ck_assert_int_eq(mc_store_user_create(st, doc, NULL, NULL), MC_OK);
  assert_user_counts(st, 2, 0);
  json_decref(doc);
  json_decref(created);
  close_and_drop(st, &env);
}
END_TEST

static Suite *store_users_suite(void) {
  Suite *s = suite_create("store_users");
  TCase *contract = tcase_create("contract");

  /* Loop tests: _i is the index of the factory the test runs against. */
  tcase_add_loop_test(contract, contract_user_round_trips_in_the_canonical_shape, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_duplicate_email_or_id_is_a_conflict, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_create_rejects_bad_documents, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_refusals_name_the_member_at_fault, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_get_missing_is_not_found, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_update_changes_each_allowed_member, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_update_rejects_other_members_and_changes_nothing, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_update_of_a_missing_user_is_not_found, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_count_by_role_counts_each_role, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_racing_threads_create_one_user_per_email, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_values_that_look_like_sql_are_stored_verbatim, 0,
                      FACTORY_COUNT);
  suite_add_tcase(s, contract);
  return s;
}

int main(void) {
  return store_contract_main(store_users_suite(), "mercato-store-users");
}
