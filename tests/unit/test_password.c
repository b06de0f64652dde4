/* test_password.c - unit tests for password hashing, verifying, re-hashing and the password
 * rules. Each test states one behaviour; Argon2 runs at the real policy, so hashes are kept few. */
#include <argon2.h>
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/password.h"

static const char good_pw[] = "correct horse battery staple";

/* ---- password helpers ---- */

static char *hash_default(const void *pw, size_t len) {
  mc_password_policy policy;
  char *encoded = NULL;
  mc_password_policy_default(&policy);
  ck_assert_int_eq(mc_password_hash(&policy, pw, len, &encoded), MC_OK);
  ck_assert_ptr_nonnull(encoded);
  return encoded;
}

/* A cheap, weak argon2 string made straight with libargon2, as an older release might have. */
static void legacy_hash(argon2_type type, uint32_t m, uint32_t t, size_t salt_len, char *out,
                        size_t cap) {
  const unsigned char salt[32] = "0123456789abcdef0123456789abcde";
  ck_assert_int_eq(argon2_hash(t, m, 1, good_pw, strlen(good_pw), salt, salt_len, NULL, 32, out,
                               cap, type, ARGON2_VERSION_13),
                   ARGON2_OK);
}

/* ---- password: hashing and verifying ---- */

START_TEST(password_hash_then_verify_round_trips) {
  char *encoded = hash_default(good_pw, strlen(good_pw));
  ck_assert_int_eq(mc_password_verify(encoded, good_pw, strlen(good_pw)), MC_OK);
  free(encoded);
}
END_TEST

START_TEST(password_wrong_password_is_forbidden) {
  char *encoded = hash_default(good_pw, strlen(good_pw));
  ck_assert_int_eq(mc_password_verify(encoded, "correct horse battery stapl", 27),
                   MC_ERR_FORBIDDEN);
  /* Never truncated: a longer password that starts with the right one does not match. */
  ck_assert_int_eq(mc_password_verify(encoded, "correct horse battery staple!", 29),
                   MC_ERR_FORBIDDEN);
  free(encoded);
}
END_TEST

START_TEST(password_stored_string_is_argon2id_at_the_policy_or_above) {
  char *encoded = hash_default(good_pw, strlen(good_pw));
  unsigned m = 0, t = 0, p = 0;
  char salt[64], hash[64];
  ck_assert_int_eq(sscanf(encoded, "$argon2id$v=19$m=%u,t=%u,p=%u$%63[^$]$%63s", &m, &t, &p, salt,
                          hash),
                   5);
  ck_assert_uint_ge(m, 19456);
  ck_assert_uint_ge(t, 2);
  ck_assert_uint_eq(p, 1);
  ck_assert_uint_eq(strlen(salt), 22); /* 16 bytes, unpadded base64 */
  ck_assert_uint_eq(strlen(hash), 43); /* 32 bytes */
  free(encoded);
}
END_TEST

START_TEST(password_salts_differ_for_the_same_password) {
  char *a = hash_default(good_pw, strlen(good_pw));
  char *b = hash_default(good_pw, strlen(good_pw));
  ck_assert_str_ne(a, b);
  ck_assert_int_ne(strncmp(strrchr(a, '$') - 22, strrchr(b, '$') - 22, 22), 0);
  free(a);
  free(b);
}
END_TEST

START_TEST(password_unicode_passwords_round_trip) {
  const char pw[] = "pässwörd-пароль-密码-🔐";
  char *encoded;
  ck_assert_int_eq(mc_password_check(pw, strlen(pw), NULL), MC_OK);
  encoded = hash_default(pw, strlen(pw));
  ck_assert_int_eq(mc_password_verify(encoded, pw, strlen(pw)), MC_OK);
  free(encoded);
}
END_TEST

START_TEST(password_hash_refuses_over_1024_bytes_and_weak_policies) {
  char big[MC_PASSWORD_MAX_LEN + 1];
  mc_password_policy policy, weak = {4096, 1, 1};
  char *encoded = (char *)1;
  memset(big, 'a', sizeof big);
  mc_password_policy_default(&policy);
  ck_assert_int_eq(mc_password_hash(&policy, big, sizeof big, &encoded), MC_ERR_INVALID);
  ck_assert_ptr_null(encoded);
  ck_assert_int_eq(mc_password_hash(&weak, good_pw, strlen(good_pw), &encoded), MC_ERR_INVALID);
  ck_assert_ptr_null(encoded);
}
END_TEST

START_TEST(password_verify_over_1024_bytes_is_forbidden) {
  char big[MC_PASSWORD_MAX_LEN + 1];
  char weak[MC_PASSWORD_ENCODED_MAX];
  memset(big, 'a', sizeof big);
  legacy_hash(Argon2_id, 4096, 1, 16, weak, sizeof weak);
  ck_assert_int_eq(mc_password_verify(weak, big, sizeof big), MC_ERR_FORBIDDEN);
}
END_TEST

/* ---- password: policy and re-hashing ---- */

START_TEST(password_policy_defaults_to_the_minimum_and_refuses_weaker) {
  mc_password_policy p, q = {1, 1, 1};
  mc_password_policy_default(&p);
  ck_assert_uint_eq(p.m_cost_kib, 19456);
  ck_assert_uint_eq(p.t_cost, 2);
  ck_assert_uint_eq(p.parallelism, 1);
  ck_assert_int_eq(mc_password_policy_init(&q, 19456, 2, 1), MC_OK);
  ck_assert_uint_eq(q.m_cost_kib, 19456);
  ck_assert_int_eq(mc_password_policy_init(&q, 65536, 3, 4), MC_OK);
  ck_assert_int_eq(mc_password_policy_init(&q, 19455, 2, 1), MC_ERR_INVALID);
  ck_assert_int_eq(mc_password_policy_init(&q, 19456, 1, 1), MC_ERR_INVALID);
  ck_assert_int_eq(mc_password_policy_init(&q, 19456, 2, 0), MC_ERR_INVALID);
  ck_assert_int_eq(mc_password_policy_init(&q, MC_PASSWORD_MAX_M_COST_KIB + 1, 2, 1),
                   MC_ERR_INVALID);
  ck_assert_uint_eq(q.m_cost_kib, 65536); /* left alone on refusal */
}
END_TEST

START_TEST(password_needs_rehash_for_a_weaker_stored_hash_which_still_verifies) {
  char weak[MC_PASSWORD_ENCODED_MAX];
  mc_password_policy policy;
  mc_password_policy_default(&policy);
  legacy_hash(Argon2_id, 4096, 1, 16, weak, sizeof weak);
  ck_assert_int_eq(mc_password_needs_rehash(&policy, weak), 1);
  /* The login that re-hashes must first succeed with the old string. */
  ck_assert_int_eq(mc_password_verify(weak, good_pw, strlen(good_pw)), MC_OK);
}
END_TEST

START_TEST(password_needs_rehash_is_false_at_the_current_policy) {
  char *encoded = hash_default(good_pw, strlen(good_pw));
  mc_password_policy policy, stronger;
  mc_password_policy_default(&policy);
  ck_assert_int_eq(mc_password_needs_rehash(&policy, encoded), 0);
  ck_assert_int_eq(mc_password_policy_init(&stronger, 19456, 3, 1), MC_OK);
  ck_assert_int_eq(mc_password_needs_rehash(&stronger, encoded), 1);
  ck_assert_int_eq(mc_password_policy_init(&stronger, 65536, 2, 1), MC_OK);
  ck_assert_int_eq(mc_password_needs_rehash(&stronger, encoded), 1);
  free(encoded);
}
END_TEST

START_TEST(password_needs_rehash_for_another_salt_length_or_a_malformed_string) {
  char short_salt[MC_PASSWORD_ENCODED_MAX];
  mc_password_policy policy;
  mc_password_policy_default(&policy);
  legacy_hash(Argon2_id, 19456, 2, 8, short_salt, sizeof short_salt);
  ck_assert_int_eq(mc_password_needs_rehash(&policy, short_salt), 1);
  ck_assert_int_eq(mc_password_needs_rehash(&policy, "not a hash"), 1);
  ck_assert_int_eq(mc_password_needs_rehash(&policy, NULL), 1);
}
END_TEST

START_TEST(password_verify_malformed_encoded_is_invalid) {
#define SALT_HASH "$c2FsdHNhbHRzYWx0c2FsdA$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU"
  static const char *bad[] = {
    "", "plaintext", "$argon2id$", "$argon2id$v=19$m=19456,t=2,p=1",
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$",
    "$argon2id$v=16$m=19456,t=2,p=1" SALT_HASH,    /* Argon2 1.0 */
    "$argon2id$m=19456,t=2,p=1" SALT_HASH,         /* no version */
    "$argon2id$v=19$m=019456,t=2,p=1" SALT_HASH,   /* leading zero */
    "$argon2id$v=19$m=19456,t=0,p=1" SALT_HASH,    /* no pass */
    "$argon2id$v=19$m=99999999,t=2,p=1" SALT_HASH, /* over the memory ceiling */
    "$argon2id$v=19$m=19456,t=2,p=1,keyid=x" SALT_HASH,
    " $argon2id$v=19$m=19456,t=2,p=1" SALT_HASH,
    "$ARGON2ID$v=19$m=19456,t=2,p=1" SALT_HASH,
    "$argon2id$v=19$m=19456,t=2,p=1" SALT_HASH "$",
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA==$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU",
    "$argon2id$v=19$m=19456,t=2,p=1$c2Fs$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU", /* short salt */
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$YWJj",                     /* short hash */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(mc_password_verify(bad[i], good_pw, strlen(good_pw)) == MC_ERR_INVALID,
                  "accepted #%zu: %s", i, bad[i]);
  ck_assert_int_eq(mc_password_verify(NULL, good_pw, strlen(good_pw)), MC_ERR_INVALID);
}
END_TEST

START_TEST(password_argon2i_and_argon2d_encodings_are_refused) {
  char enc[MC_PASSWORD_ENCODED_MAX];
  mc_password_policy policy;
  mc_password_policy_default(&policy);
  legacy_hash(Argon2_i, 19456, 2, 16, enc, sizeof enc);
  ck_assert(strncmp(enc, "$argon2i$", 9) == 0);
  ck_assert_int_eq(mc_password_verify(enc, good_pw, strlen(good_pw)), MC_ERR_INVALID);
  ck_assert_int_eq(mc_password_needs_rehash(&policy, enc), 1);
  legacy_hash(Argon2_d, 19456, 2, 16, enc, sizeof enc);
  ck_assert(strncmp(enc, "$argon2d$", 9) == 0);
  ck_assert_int_eq(mc_password_verify(enc, good_pw, strlen(good_pw)), MC_ERR_INVALID);
}
END_TEST

START_TEST(password_dummy_verify_is_forbidden_at_the_current_policy) {
  mc_password_dummy dummy, blank;
  mc_password_policy policy;
  mc_password_policy_default(&policy);
  ck_assert_int_eq(mc_password_dummy_init(&dummy, &policy), MC_OK);
  ck_assert(strncmp(dummy.encoded, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
  ck_assert_int_eq(mc_password_needs_rehash(&policy, dummy.encoded), 0);
  ck_assert_int_eq(mc_password_dummy_verify(&dummy, good_pw, strlen(good_pw)), MC_ERR_FORBIDDEN);
  memset(&blank, 0, sizeof blank);
  ck_assert_int_eq(mc_password_dummy_verify(&blank, good_pw, strlen(good_pw)), MC_ERR_INTERNAL);
}
END_TEST

/* ---- password: libargon2's encoding and memory ---- */

static const char b64_digits[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decodes the salt field (between the 4th and 5th '$') of an encoded string into out. */
static size_t salt_of(const char *encoded, uint8_t *out) {
  const char *p = encoded;
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t n = 0;
  for (int i = 0; i < 4; i++) p = strchr(p, '$') + 1;
  for (; *p != '$'; p++) {
    const char *d = strchr(b64_digits, *p);
    ck_assert(d != NULL && *d != '\0');
    acc = (acc << 6) | (uint32_t)(d - b64_digits);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (uint8_t)(acc >> bits);
    }
  }
  return n;
}

START_TEST(password_our_encoding_is_libargon2s_and_verifies_there) {
  char *encoded = hash_default(good_pw, strlen(good_pw));
  char theirs[MC_PASSWORD_ENCODED_MAX];
  uint8_t salt[64];
  size_t salt_len = salt_of(encoded, salt);
  ck_assert_uint_eq(salt_len, MC_PASSWORD_SALT_LEN);
  ck_assert_int_eq(argon2id_verify(encoded, good_pw, strlen(good_pw)), ARGON2_OK);
  ck_assert_int_eq(argon2id_verify(encoded, "correct horse battery stapler", 29),
                   ARGON2_VERIFY_MISMATCH);
  /* Same password, salt and costs: libargon2 writes the very same string. */
  ck_assert_int_eq(argon2id_hash_encoded(2, 19456, 1, good_pw, strlen(good_pw), salt, salt_len,
                                         MC_PASSWORD_HASH_LEN, theirs, sizeof theirs),
                   ARGON2_OK);
  ck_assert_str_eq(encoded, theirs);
  free(encoded);
}
END_TEST

START_TEST(password_libargon2s_encoding_verifies_here) {
  char theirs[MC_PASSWORD_ENCODED_MAX];
  const uint8_t salt[MC_PASSWORD_SALT_LEN] = {0xfb, 0xff, 0x3e, 0x00, 1, 2, 3, 4,
                                              5,    6,    7,    8,    9, 10, 11, 0xfe};
  mc_password_policy policy;
  mc_password_policy_default(&policy);
  ck_assert_int_eq(argon2id_hash_encoded(2, 19456, 1, good_pw, strlen(good_pw), salt, sizeof salt,
                                         MC_PASSWORD_HASH_LEN, theirs, sizeof theirs),
                   ARGON2_OK);
  ck_assert_int_eq(mc_password_verify(theirs, good_pw, strlen(good_pw)), MC_OK);
  ck_assert_int_eq(mc_password_verify(theirs, "correct horse battery stapler", 29),
                   MC_ERR_FORBIDDEN);
  ck_assert_int_eq(mc_password_needs_rehash(&policy, theirs), 0);
}
END_TEST

/* Test allocator: hands out blocks full of garbage and, on free, counts the bytes not zero. */
static size_t cbk_alloc_size, cbk_free_size, cbk_nonzero_at_free;

static int garbage_alloc(uint8_t **memory, size_t size) {
  *memory = malloc(size);
  if (*memory == NULL) return ARGON2_MEMORY_ALLOCATION_ERROR;
  for (size_t i = 0; i < size; i++) (*memory)[i] = (uint8_t)(i * 131 + 7);
  cbk_alloc_size = size;
  return ARGON2_OK;
}

static void counting_free(uint8_t *memory, size_t size) {
  cbk_free_size = size;
  cbk_nonzero_at_free = 0;
  for (size_t i = 0; i < size; i++) cbk_nonzero_at_free += memory[i] != 0;
  free(memory);
}

/* The pool hands out used blocks without zeroing them and keeps them without wiping them: both
 * rest on this behaviour of libargon2. */
START_TEST(password_libargon2_writes_every_block_before_reading_and_wipes_before_free) {
  const uint8_t salt[16] = "0123456789abcdef";
  uint8_t expected[32], out[32];
  argon2_context ctx = {.out = out, .outlen = sizeof out, .pwd = (uint8_t *)good_pw,
                        .pwdlen = strlen(good_pw), .salt = (uint8_t *)salt, .saltlen = 16,
                        .t_cost = 2, .m_cost = 19456, .lanes = 1, .threads = 1,
                        .version = ARGON2_VERSION_13, .allocate_cbk = garbage_alloc,
                        .free_cbk = counting_free, .flags = ARGON2_DEFAULT_FLAGS};
  ck_assert_int_eq(argon2id_hash_raw(2, 19456, 1, good_pw, strlen(good_pw), salt, 16, expected,
                                     sizeof expected),
                   ARGON2_OK);
  ck_assert_int_eq(argon2_ctx(&ctx, Argon2_id), ARGON2_OK);
  ck_assert_mem_eq(out, expected, sizeof out);
  ck_assert_uint_eq(cbk_alloc_size, 19456u * 1024u);
  ck_assert_uint_eq(cbk_free_size, cbk_alloc_size);
  ck_assert_uint_eq(cbk_nonzero_at_free, 0);
}
END_TEST

#define POOL_THREADS 4

static void *hash_and_verify(void *arg) {
  const char *pw = arg;
  for (int i = 0; i < 2; i++) {
    char *encoded = hash_default(pw, strlen(pw));
    ck_assert_int_eq(mc_password_verify(encoded, pw, strlen(pw)), MC_OK);
    ck_assert_int_eq(mc_password_verify(encoded, good_pw, strlen(good_pw)), MC_ERR_FORBIDDEN);
    free(encoded);
  }
  return NULL;
}

START_TEST(password_concurrent_hashes_share_the_pool_and_survive_its_release) {
  static const char *pws[POOL_THREADS] = {"first password here", "second password here",
                                          "third password here", "fourth password here"};
  pthread_t t[POOL_THREADS];
  char *encoded;
  for (int i = 0; i < POOL_THREADS; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, hash_and_verify, (void *)pws[i]), 0);
  for (int i = 0; i < POOL_THREADS; i++) ck_assert_int_eq(pthread_join(t[i], NULL), 0);
  /* A weaker legacy string takes a block of another size from the same pool. */
  ck_assert_int_eq(mc_password_verify("$argon2id$v=19$m=4096,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$"
                                      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                      good_pw, strlen(good_pw)),
                   MC_ERR_FORBIDDEN);
  mc_password_pool_release();
  encoded = hash_default(good_pw, strlen(good_pw));
  ck_assert_int_eq(mc_password_verify(encoded, good_pw, strlen(good_pw)), MC_OK);
  free(encoded);
}
END_TEST

/* ---- password: rules ---- */

START_TEST(password_check_length_boundaries_are_12_and_1024_bytes) {
  char buf[MC_PASSWORD_MAX_LEN + 1];
  const char *reason = "unset";
  memset(buf, 'x', sizeof buf);
  ck_assert_int_eq(mc_password_check(buf, 11, &reason), MC_ERR_INVALID);
  ck_assert_str_eq(reason, "too_short");
  ck_assert_int_eq(mc_password_check(buf, 12, &reason), MC_OK);
  ck_assert_ptr_null(reason);
  ck_assert_int_eq(mc_password_check(buf, 1024, &reason), MC_OK);
  ck_assert_int_eq(mc_password_check(buf, 1025, &reason), MC_ERR_INVALID);
  ck_assert_str_eq(reason, "too_long");
  ck_assert_int_eq(mc_password_check("", 0, &reason), MC_ERR_INVALID);
  ck_assert_str_eq(reason, "too_short");
  /* Bytes, not characters: four 3-byte characters are 12 bytes. */
  ck_assert_int_eq(mc_password_check("密码密码", strlen("密码密码"), &reason), MC_OK);
}
END_TEST

START_TEST(password_check_refuses_invalid_utf8) {
  static const char *bad[] = {
    "abcdefghijk\xff",           /* never valid */
    "abcdefghijk\x80",           /* lone continuation */
    "abcdefghijk\xc3",           /* truncated sequence */
    "abcdefghij\xc0\xaf",        /* overlong '/' */
    "abcdefghi\xe0\x80\xaf",     /* overlong, 3 bytes */
    "abcdefghi\xed\xa0\x80",     /* UTF-16 surrogate */
    "abcdefgh\xf4\x90\x80\x80",  /* above U+10FFFF */
    "abcdefgh\xf0\x82\x82\xac",  /* overlong, 4 bytes */
    "abcdefghij\xc3\x28",        /* bad continuation */
  };
  const char *reason = NULL;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_msg(mc_password_check(bad[i], strlen(bad[i]), &reason) == MC_ERR_INVALID,
                  "accepted #%zu", i);
    ck_assert_str_eq(reason, "not_utf8");
  }
  /* The edges of the valid range pass. */
  ck_assert_int_eq(mc_password_check("abcdefgh\xf4\x8f\xbf\xbf", 12, &reason), MC_OK);
  ck_assert_int_eq(mc_password_check("abcdefghi\xef\xbf\xbd", 12, &reason), MC_OK);
}
END_TEST

START_TEST(password_check_refuses_nul_bytes) {
  const char pw[] = "abcdef\0ghijklm";
  const char *reason = NULL;
  ck_assert_int_eq(mc_password_check(pw, sizeof pw - 1, &reason), MC_ERR_INVALID);
  ck_assert_str_eq(reason, "contains_nul");
}
END_TEST

static Suite *password_suite(void) {
  Suite *s = suite_create("password");
  TCase *pw = tcase_create("password");
  TCase *rules = tcase_create("password_rules");

  tcase_add_test(pw, password_hash_then_verify_round_trips);
  tcase_add_test(pw, password_wrong_password_is_forbidden);
  tcase_add_test(pw, password_stored_string_is_argon2id_at_the_policy_or_above);
  tcase_add_test(pw, password_salts_differ_for_the_same_password);
  tcase_add_test(pw, password_unicode_passwords_round_trip);
  tcase_add_test(pw, password_hash_refuses_over_1024_bytes_and_weak_policies);
  tcase_add_test(pw, password_verify_over_1024_bytes_is_forbidden);
  tcase_add_test(pw, password_policy_defaults_to_the_minimum_and_refuses_weaker);
  tcase_add_test(pw, password_needs_rehash_for_a_weaker_stored_hash_which_still_verifies);
  tcase_add_test(pw, password_needs_rehash_is_false_at_the_current_policy);
  tcase_add_test(pw, password_needs_rehash_for_another_salt_length_or_a_malformed_string);
  tcase_add_test(pw, password_verify_malformed_encoded_is_invalid);
  tcase_add_test(pw, password_argon2i_and_argon2d_encodings_are_refused);
  tcase_add_test(pw, password_dummy_verify_is_forbidden_at_the_current_policy);
  tcase_add_test(pw, password_our_encoding_is_libargon2s_and_verifies_there);
  tcase_add_test(pw, password_libargon2s_encoding_verifies_here);
  tcase_add_test(pw, password_libargon2_writes_every_block_before_reading_and_wipes_before_free);
  tcase_add_test(pw, password_concurrent_hashes_share_the_pool_and_survive_its_release);
  suite_add_tcase(s, pw);

  tcase_add_test(rules, password_check_length_boundaries_are_12_and_1024_bytes);
  tcase_add_test(rules, password_check_refuses_invalid_utf8);
  tcase_add_test(rules, password_check_refuses_nul_bytes);
  suite_add_tcase(s, rules);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(password_suite());
  int failed;

  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
