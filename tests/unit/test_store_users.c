/* test_store_users.c - the storage port's contract for users (create, get, update, count by
 * role), run once per adapter factory; sqlite-only user checks in their own test case. */
#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_contract.h"

/* ---- contract: users ---- */

#define TEST_HASH "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

/* A complete new-user document with a fresh id; a new reference. */
static json_t *user_doc(const char *email, const char *role) {
  char id[MC_ID_MAX];
  json_t *doc;
  ck_assert_int_eq(mc_id_new("usr", id), MC_OK);
  doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "email", email, "name",
                  "Ada Lovelace", "role", role, "status", "active", "password_hash", TEST_HASH);
  ck_assert_ptr_nonnull(doc);
  return doc;
}

/* Creates doc (borrowed) and returns the stored document (a new reference). */
static json_t *user_create_ok(mc_store *st, const json_t *doc) {
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_user_create(st, doc, &out), MC_OK);
  ck_assert_ptr_nonnull(out);
  return out;
}

static json_t *user_get_ok(mc_store *st, const char *id) {
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_user_get(st, id, &out), MC_OK);
  ck_assert_ptr_nonnull(out);
  return out;
}

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
  ck_assert_int_eq(mc_store_user_create(st, doc, NULL), MC_OK);
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

  user_set(same_email, "name", "Someone Else");
  ck_assert_int_eq(mc_store_user_create(st, same_email, &out), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);
  user_set(same_id, "email", "other@example.com");
  ck_assert_int_eq(mc_store_user_create(st, same_id, &out), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);

  /* The first user is untouched and neither loser was stored. */
  got = user_get_ok(st, str_of(first, "id"));
  ck_assert(json_equal(got, created));
  json_decref(got);
  ck_assert_int_eq(mc_store_user_get(st, str_of(same_email, "id"), &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get_by_email(st, "other@example.com", &got), MC_ERR_NOT_FOUND);
  assert_user_counts(st, 1, 0);
  /* Emails arrive normalised and compare exactly, so another spelling is another user. */
  json_decref(same_email);
  same_email = user_doc("Taken@example.com", "customer");
  ck_assert_int_eq(mc_store_user_create(st, same_email, NULL), MC_OK);
  json_decref(first);
  json_decref(created);
  json_decref(same_email);
  json_decref(same_id);
  close_and_drop(st, &env);
}
END_TEST

/* An email of exactly n bytes. */
static char *email_of_len(size_t n) {
  char *s = repeat('a', n);
  memcpy(s + n - 6, "@x.com", 6);
  return s;
}

START_TEST(contract_user_create_rejects_bad_documents) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  static const char *const required[] = {"id", "email", "name", "role", "status",
                                         "password_hash"};
  char *long_email = email_of_len(255);
  char *long_name = repeat('n', 801);
  char *long_hash = repeat('h', 513);
  char other_id[MC_ID_MAX];
  json_t *bad[32];
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
  BAD_WITH("name", json_string(long_name));
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
    ck_assert_msg(mc_store_user_create(st, bad[i], &out) == MC_ERR_INVALID, "document %d", i);
    ck_assert_ptr_null(out);
  }
  ck_assert_int_eq(mc_store_user_create(st, NULL, NULL), MC_ERR_INVALID);
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
    long_email[254] = '\0';
    memcpy(long_email + 248, "@x.com", 6);
    long_name[800] = '\0';
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
  free(long_hash);
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
  ck_assert_int_eq(mc_store_user_update(st, id, changes, &after), MC_OK);
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
    ck_assert_int_eq(mc_store_user_update(st, str_of(doc, "id"), changes, NULL), MC_OK);
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
    ck_assert_msg(mc_store_user_update(st, id, bad[i], &out) == MC_ERR_INVALID, "change %d", i);
    ck_assert_ptr_null(out);
    json_decref(bad[i]);
  }
  ck_assert_int_eq(mc_store_user_update(st, id, NULL, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_user_update(st, NULL, doc, NULL), MC_ERR_INVALID);
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
  ck_assert_int_eq(mc_store_user_update(st, unused, changes, &out), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_store_user_update(st, "usr_nope", changes, &out), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_update(st, "", changes, NULL), MC_ERR_NOT_FOUND);
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
    ck_assert_int_eq(mc_store_user_create(st, doc, NULL), MC_OK);
    json_decref(doc);
  }
  assert_user_counts(st, 3, 2);
  {
    json_t *changes = json_pack("{s:s}", "role", "admin");
    ck_assert_int_eq(mc_store_user_update(st, first_id, changes, NULL), MC_OK);
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
  a->result = mc_store_user_create(a->st, a->doc, NULL);
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
  static const char email[] = "a'); DROP TABLE users;--@x.io";
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
  ck_assert_int_eq(mc_store_user_get_by_email(st, "a'); DROP TABLE users;--@x.i%", &got),
                   MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get_by_email(st, "%", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_user_get_by_email(st, "' OR '1'='1", &got), MC_ERR_NOT_FOUND);
  {
    json_t *changes = json_pack("{s:s}", "name", "x'), role = ('admin");
    json_t *after = NULL;
    ck_assert_int_eq(mc_store_user_update(st, str_of(doc, "id"), changes, &after), MC_OK);
    ck_assert_str_eq(str_of(after, "name"), "x'), role = ('admin");
    ck_assert_str_eq(str_of(after, "role"), "customer");
    json_decref(after);
    json_decref(changes);
  }
  /* The table is still there and still takes users. */
  json_decref(doc);
  doc = user_doc("next@example.com", "customer");
  ck_assert_int_eq(mc_store_user_create(st, doc, NULL), MC_OK);
  assert_user_counts(st, 2, 0);
  json_decref(doc);
  json_decref(created);
  close_and_drop(st, &env);
}
END_TEST

/* ---- sqlite only ---- */

START_TEST(sqlite_users_table_refuses_unknown_roles_and_loose_types) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  json_t *doc = user_doc("raw@example.com", "customer");
  char sql[256];
  json_t *created = user_create_ok(st, doc);
  static const char *const sets[] = {"role = 'root'", "status = 'banned'", "created_at = 'soon'",
                                     "name = NULL", "updated_at = 1.5"};

  /* Another writer (an operator's shell) meets the same rules as the adapter. */
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
    snprintf(sql, sizeof sql, "UPDATE users SET %s WHERE id = '%s'", sets[i], str_of(doc, "id"));
    ck_assert_msg((raw_exec(&env, sql) & 0xff) == SQLITE_CONSTRAINT, "%s was accepted", sets[i]);
  }
  {
    json_t *got = user_get_ok(st, str_of(doc, "id"));
    ck_assert(json_equal(got, created));
    json_decref(got);
  }
  json_decref(created);
  json_decref(doc);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_user_times_are_stored_in_ms_and_read_as_rfc3339) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  json_t *doc = user_doc("times@example.com", "customer");
  json_t *got;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  char sql[256];
  int64_t before = mc_now_ms();

  ck_assert_int_eq(mc_store_user_create(st, doc, NULL), MC_OK);
  db = raw_open(&env);
  ck_assert_int_eq(sqlite3_prepare_v2(db,
                                      "SELECT typeof(created_at), created_at, updated_at "
                                      "FROM users WHERE id = ?1",
                                      -1, &stmt, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_bind_text(stmt, 1, str_of(doc, "id"), -1, SQLITE_STATIC), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 0), "integer");
  ck_assert_int_ge(sqlite3_column_int64(stmt, 1), before);
  ck_assert_int_le(sqlite3_column_int64(stmt, 1), mc_now_ms());
  ck_assert_int_eq(sqlite3_column_int64(stmt, 2), sqlite3_column_int64(stmt, 1));
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);

  /* Known instants, including one before the epoch and a leap day. */
  snprintf(sql, sizeof sql,
           "UPDATE users SET created_at = 1795275046233, updated_at = -1 WHERE id = '%s'",
           str_of(doc, "id"));
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  got = user_get_ok(st, str_of(doc, "id"));
  ck_assert_str_eq(str_of(got, "created_at"), "2026-11-21T15:30:46.233Z");
  ck_assert_str_eq(str_of(got, "updated_at"), "1969-12-31T23:59:59.999Z");
  json_decref(got);
  snprintf(sql, sizeof sql, "UPDATE users SET created_at = 0, updated_at = 951825600007 "
           "WHERE id = '%s'", str_of(doc, "id"));
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  got = user_get_ok(st, str_of(doc, "id"));
  ck_assert_str_eq(str_of(got, "created_at"), "1970-01-01T00:00:00.000Z");
  ck_assert_str_eq(str_of(got, "updated_at"), "2000-02-29T12:00:00.007Z");
  json_decref(got);
  /* A time no RFC 3339 year can spell is a broken row, not a document. */
  snprintf(sql, sizeof sql, "UPDATE users SET created_at = 253402300800000 WHERE id = '%s'",
           str_of(doc, "id"));
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  got = (json_t *)st;
  logs_off();
  ck_assert_int_eq(mc_store_user_get(st, str_of(doc, "id"), &got), MC_ERR_INTERNAL);
  logs_on();
  ck_assert_ptr_null(got);
  json_decref(doc);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_updated_at_never_goes_back_when_the_clock_does) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  json_t *doc = user_doc("future@example.com", "customer");
  json_t *changes = json_pack("{s:s}", "name", "Later");
  json_t *after = NULL;
  char sql[256];

  ck_assert_int_eq(mc_store_user_create(st, doc, NULL), MC_OK);
  /* As if the last write happened on a clock that ran ahead and was then set back. */
  snprintf(sql, sizeof sql, "UPDATE users SET updated_at = 4102444800000 WHERE id = '%s'",
           str_of(doc, "id"));
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  ck_assert_int_eq(mc_store_user_update(st, str_of(doc, "id"), changes, &after), MC_OK);
  ck_assert_str_eq(str_of(after, "updated_at"), "2100-01-01T00:00:00.000Z");
  ck_assert_str_eq(str_of(after, "name"), "Later");
  json_decref(after);
  json_decref(changes);
  json_decref(doc);
  close_and_drop(st, &env);
}
END_TEST

static Suite *store_users_suite(void) {
  Suite *s = suite_create("store_users");
  TCase *contract = tcase_create("contract");
  TCase *sqlite = tcase_create("sqlite");

  /* Loop tests: _i is the index of the factory the test runs against. */
  tcase_add_loop_test(contract, contract_user_round_trips_in_the_canonical_shape, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_duplicate_email_or_id_is_a_conflict, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_user_create_rejects_bad_documents, 0, FACTORY_COUNT);
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

  tcase_add_test(sqlite, sqlite_users_table_refuses_unknown_roles_and_loose_types);
  tcase_add_test(sqlite, sqlite_user_times_are_stored_in_ms_and_read_as_rfc3339);
  tcase_add_test(sqlite, sqlite_updated_at_never_goes_back_when_the_clock_does);
  suite_add_tcase(s, sqlite);
  return s;
}

int main(void) {
  return store_contract_main(store_users_suite(), "mercato-store-users");
}
