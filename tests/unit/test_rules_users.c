/* test_rules_users.c - the user field rules (rules/users.c): emails and names as they are
 * normalised and stored, roles, statuses, password hashes, the password limits, and the reading
 * of user documents with the refusal naming the member at fault. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/refusal.h"
#include "mercato/rules/users.h"

static int email_ok(const char *s) {
  return mc_user_email_valid(s, strlen(s));
}

static int name_ok(const char *s) {
  return mc_user_name_valid(s, strlen(s));
}

START_TEST(an_email_is_normalised_by_trimming_and_lower_casing) {
  char out[MC_USER_EMAIL_MAX + 1];
  ck_assert_int_eq(mc_user_email_normalize("  Ada.Lovelace+shop@Example.COM\t", out), MC_OK);
  ck_assert_str_eq(out, "ada.lovelace+shop@example.com");
  ck_assert(email_ok(out));
  ck_assert_int_eq(mc_user_email_normalize(NULL, out), MC_ERR_INVALID);
}
END_TEST

START_TEST(an_email_needs_one_at_a_local_part_and_a_dotted_domain) {
  static const char *const bad[] = {"", "a@", "@b.c", "ab", "ada", "ada@example", "ada@@example.com",
                                    "a@b@example.com", "ada@.example.com", "ada@example.com.",
                                    "ada@example..com", ".ada@example.com", "ada.@example.com",
                                    "ada lovelace@example.com", "ada@exa mple.com", "<ada>@example.com",
                                    "ada@example.com;", "ada\"@example.com", "ada@[127.0.0.1]",
                                    "ada\x01@example.com", "Ada@example.com"};
  char out[MC_USER_EMAIL_MAX + 1];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_msg(!email_ok(bad[i]), "%s was accepted", bad[i]);
    /* Lower-casing is all normalising does; it mends no other flaw. */
    if (strcmp(bad[i], "Ada@example.com") != 0)
      ck_assert_msg(mc_user_email_normalize(bad[i], out) == MC_ERR_INVALID, "%s was normalised", bad[i]);
  }
  ck_assert(email_ok("a@b.c"));
  ck_assert(email_ok("o'brien%_-*?=!#@x.io"));
}
END_TEST

START_TEST(an_email_is_at_most_254_bytes_with_a_local_part_of_64) {
  char s[MC_USER_EMAIL_MAX + 2], out[MC_USER_EMAIL_MAX + 1];
  memset(s, 'b', sizeof s - 1);
  s[sizeof s - 1] = '\0';
  memset(s, 'a', MC_USER_EMAIL_LOCAL_MAX);
  s[MC_USER_EMAIL_LOCAL_MAX] = '@';
  memcpy(s + MC_USER_EMAIL_MAX - 4, ".com", 5); /* 254 bytes */
  ck_assert(email_ok(s));
  ck_assert_int_eq(mc_user_email_normalize(s, out), MC_OK);
  memcpy(s + MC_USER_EMAIL_MAX - 3, ".com", 5); /* 255 */
  ck_assert(!email_ok(s));
  ck_assert_int_eq(mc_user_email_normalize(s, out), MC_ERR_INVALID);
  /* A local part of 65 bytes. */
  ck_assert(email_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.io"));
  ck_assert(!email_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.io"));
}
END_TEST

START_TEST(a_name_is_trimmed_and_counted_in_characters) {
  char out[MC_USER_NAME_MAX + 1], wide[4 * (MC_USER_NAME_MAX_CHARS + 1) + 1];
  ck_assert_int_eq(mc_user_name_normalize("\t Zoë 李 O'Brien  ", out), MC_OK);
  ck_assert_str_eq(out, "Zoë 李 O'Brien");
  for (int i = 0; i <= MC_USER_NAME_MAX_CHARS; i++) memcpy(wide + 4 * i, "\xF0\x9F\x98\x80", 4);
  wide[4 * MC_USER_NAME_MAX_CHARS] = '\0'; /* 200 characters, 800 bytes */
  ck_assert(name_ok(wide));
  ck_assert_int_eq(mc_user_name_normalize(wide, out), MC_OK);
  wide[4 * MC_USER_NAME_MAX_CHARS] = '\xF0'; /* 201 characters */
  wide[4 * (MC_USER_NAME_MAX_CHARS + 1)] = '\0';
  ck_assert(!name_ok(wide));
  ck_assert_int_eq(mc_user_name_normalize(wide, out), MC_ERR_INVALID);
}
END_TEST

START_TEST(a_name_has_no_control_character_or_broken_utf8) {
  static const char *const bad[] = {"", "   ", " Ada", "Ada ", "Ada\tKing", "Ada\nKing", "Ada\x7f",
                                    "Ada\xc2\x85", "Ada\xc3", "Ada\xc0\xaf", "Ada\xed\xa0\x80", "\xff"};
  char out[MC_USER_NAME_MAX + 1];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) ck_assert_msg(!name_ok(bad[i]), "name %zu was accepted", i);
  ck_assert_int_eq(mc_user_name_normalize("   ", out), MC_ERR_INVALID);
  ck_assert_int_eq(mc_user_name_normalize("Ada\x01", out), MC_ERR_INVALID);
  ck_assert_int_eq(mc_user_name_normalize(NULL, out), MC_ERR_INVALID);
  ck_assert(name_ok("Ada\xc2\xa0King")); /* a no-break space is a character like any other */
}
END_TEST

START_TEST(roles_statuses_and_hashes_are_their_known_values) {
  ck_assert(mc_user_role_valid("customer", 8) && mc_user_role_valid("admin", 5));
  ck_assert(!mc_user_role_valid("Admin", 5) && !mc_user_role_valid("root", 4) && !mc_user_role_valid("admin", 4));
  ck_assert(mc_user_status_valid("active", 6) && mc_user_status_valid("disabled", 8));
  ck_assert(!mc_user_status_valid("banned", 6) && !mc_user_status_valid("", 0));
  ck_assert(mc_user_password_hash_valid("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", 43));
  ck_assert(!mc_user_password_hash_valid("", 0));
  ck_assert(!mc_user_password_hash_valid("$argon2id$\n", 11));
  ck_assert(!mc_user_password_hash_valid("h\xc3\xa9", 3));
  /* The password limits are the ones the API states: 12 to 1,024 bytes. */
  ck_assert_int_eq(MC_USER_PASSWORD_MIN, 12);
  ck_assert_int_eq(MC_USER_PASSWORD_MAX, 1024);
}
END_TEST

/* A complete create document; a new reference. */
static json_t *create_doc(void) {
  char id[MC_ID_MAX];
  ck_assert_int_eq(mc_id_new("usr", id), MC_OK);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "email", "ada@example.com", "name", "Ada",
                   "role", "customer", "status", "active", "password_hash", "$argon2id$x");
}

/* The field of why's first validation error. */
static const char *first_field(const mc_refusal *why) {
  return json_string_value(json_object_get(json_array_get(why->errors, 0), "field"));
}

START_TEST(a_create_document_is_read_member_by_member) {
  json_t *doc = create_doc();
  mc_user_values v;
  mc_refusal why = {0};
  ck_assert_int_eq(mc_user_doc_read(doc, MC_USER_DOC_CREATE, &v, &why), MC_OK);
  ck_assert_int_eq(v.count, MC_USER_F_COUNT);
  ck_assert_str_eq(v.s[MC_USER_F_EMAIL], "ada@example.com");
  ck_assert_uint_eq(v.len[MC_USER_F_NAME], 3);
  ck_assert_ptr_null(why.code);
  /* One member missing, one too many, one wrong: each names what it can. */
  json_object_del(doc, "status");
  ck_assert_int_eq(mc_user_doc_read(doc, MC_USER_DOC_CREATE, &v, &why), MC_ERR_INVALID);
  ck_assert_str_eq(first_field(&why), "user");
  mc_refusal_clear(&why);
  json_object_set_new(doc, "status", json_string("active"));
  json_object_set_new(doc, "is_admin", json_true());
  ck_assert_int_eq(mc_user_doc_read(doc, MC_USER_DOC_CREATE, &v, &why), MC_ERR_INVALID);
  ck_assert_str_eq(first_field(&why), "user"); /* the unknown name is never echoed */
  mc_refusal_clear(&why);
  json_object_del(doc, "is_admin");
  json_object_set_new(doc, "role", json_string("root"));
  ck_assert_int_eq(mc_user_doc_read(doc, MC_USER_DOC_CREATE, &v, &why), MC_ERR_INVALID);
  ck_assert_str_eq(why.code, "validation_failed");
  ck_assert_str_eq(first_field(&why), "role");
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_user_doc_read(NULL, MC_USER_DOC_CREATE, &v, NULL), MC_ERR_INVALID);
  json_decref(doc);
}
END_TEST

START_TEST(update_changes_are_a_non_empty_subset_of_the_updatable_members) {
  json_t *changes = json_pack("{s:s, s:s}", "name", "Ada King", "role", "admin");
  mc_user_values v;
  mc_refusal why = {0};
  ck_assert_int_eq(mc_user_doc_read(changes, MC_USER_DOC_UPDATE, &v, &why), MC_OK);
  ck_assert_int_eq(v.count, 2);
  ck_assert_ptr_null(v.s[MC_USER_F_EMAIL]);
  json_decref(changes);
  changes = json_pack("{s:s}", "id", "usr_x");
  ck_assert_int_eq(mc_user_doc_read(changes, MC_USER_DOC_UPDATE, &v, &why), MC_ERR_INVALID);
  ck_assert_str_eq(first_field(&why), "id");
  mc_refusal_clear(&why);
  json_decref(changes);
  changes = json_object();
  ck_assert_int_eq(mc_user_doc_read(changes, MC_USER_DOC_UPDATE, &v, &why), MC_ERR_INVALID);
  mc_refusal_clear(&why);
  json_decref(changes);
}
END_TEST

static Suite *rules_users_suite(void) {
  Suite *s = suite_create("rules_users");
  TCase *tc = tcase_create("users");
  tcase_add_test(tc, an_email_is_normalised_by_trimming_and_lower_casing);
  tcase_add_test(tc, an_email_needs_one_at_a_local_part_and_a_dotted_domain);
  tcase_add_test(tc, an_email_is_at_most_254_bytes_with_a_local_part_of_64);
  tcase_add_test(tc, a_name_is_trimmed_and_counted_in_characters);
  tcase_add_test(tc, a_name_has_no_control_character_or_broken_utf8);
  tcase_add_test(tc, roles_statuses_and_hashes_are_their_known_values);
  tcase_add_test(tc, a_create_document_is_read_member_by_member);
  tcase_add_test(tc, update_changes_are_a_non_empty_subset_of_the_updatable_members);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(rules_users_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
