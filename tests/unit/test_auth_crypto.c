/* test_auth_crypto.c - unit tests for the password hashing and access-token building blocks.
 * Each test states one behaviour; Argon2 runs at the real policy, so hashes are kept few. */
#include <argon2.h>
#include <check.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <jwt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/jwt.h"
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

/* ---- jwt fixture and helpers ---- */

#define NOW 1700000000
#define ISS "https://shop.example"
#define AUD "mercato-api"

static const unsigned char secret_a[32] = "0123456789abcdef0123456789abcde";
static const unsigned char secret_b[32] = "fedcba9876543210fedcba987654321";

/* Fresh for every test: an HS256 set (secret_a, no kid) and an ES256 set (es_pem, kid "k1"). */
static mc_jwt_keys *hs, *es;
static char *es_pem;

static mc_jwt_keys *hs_keys(const unsigned char *secret) {
  mc_jwt_key_spec spec = {.alg = MC_JWT_HS256, .secret = secret, .secret_len = 32};
  mc_jwt_keys *keys = NULL;
  ck_assert_int_eq(mc_jwt_keys_new(&spec, 1, &keys), MC_OK);
  return keys;
}

static char *new_es_pem(void) {
  char *pem = NULL;
  ck_assert_int_eq(mc_jwt_generate_es256_pem(&pem), MC_OK);
  ck_assert(strstr(pem, "-----BEGIN PRIVATE KEY-----") != NULL);
  return pem;
}

static mc_jwt_keys *es_keys(const char *pem, const char *kid) {
  mc_jwt_key_spec spec = {.alg = MC_JWT_ES256, .kid = kid, .pem = pem};
  mc_jwt_keys *keys = NULL;
  ck_assert_int_eq(mc_jwt_keys_new(&spec, 1, &keys), MC_OK);
  return keys;
}

static void jwt_setup(void) {
  hs = hs_keys(secret_a);
  es_pem = new_es_pem();
  es = es_keys(es_pem, "k1");
}

static void jwt_teardown(void) {
  mc_jwt_keys_free(hs);
  mc_jwt_keys_free(es);
  free(es_pem);
}

/* A customer token from keys, issued at now for ttl seconds; the caller frees it. */
static char *issue(const mc_jwt_keys *keys, int64_t now, int64_t ttl) {
  mc_jwt_issue_params p = {.sub = "usr_01hx", .role = "customer", .iss = ISS, .aud = AUD,
                           .ttl_s = ttl};
  char *token = NULL, jti[MC_JWT_JTI_LEN + 1];
  int64_t exp = 0;
  ck_assert_int_eq(mc_jwt_issue(keys, &p, now, &token, jti, &exp), MC_OK);
  return token;
}

/* Runs verify for iss and aud with 30 s leeway; returns the reason (NULL when accepted). */
static const char *verify_for(const mc_jwt_keys *keys, const char *token, const char *iss,
                              const char *aud, int64_t now) {
  mc_jwt_claims c;
  const char *reason = "unset";
  int rc = mc_jwt_verify(keys, token, iss, aud, 30, now, &c, &reason);
  ck_assert_int_eq(rc, reason == NULL ? MC_OK : MC_ERR_FORBIDDEN);
  return reason;
}

static const char *verify_reason(const mc_jwt_keys *keys, const char *token, int64_t now) {
  return verify_for(keys, token, ISS, AUD, now);
}

static const char b64url_digits[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64url(const char *text) {
  size_t len = strlen(text), o = 0;
  char *out = malloc(len * 4 / 3 + 4);
  uint32_t acc = 0;
  unsigned bits = 0;
  for (size_t i = 0; i < len; i++) {
    acc = (acc << 8) | (unsigned char)text[i];
    for (bits += 8; bits >= 6; bits -= 6) out[o++] = b64url_digits[(acc >> (bits - 6)) & 63];
  }
  if (bits > 0) out[o++] = b64url_digits[(acc << (6 - bits)) & 63];
  out[o] = '\0';
  return out;
}

static size_t unb64url(const char *in, size_t len, unsigned char *out) {
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    const char *p = strchr(b64url_digits, in[i]);
    ck_assert(p != NULL && *p != '\0');
    acc = (acc << 6) | (uint32_t)(p - b64url_digits);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (unsigned char)(acc >> bits);
    }
  }
  return n;
}

/* Builds header.payload.sig from JSON texts, unsigned: sig is pasted as given. */
static char *raw_token(const char *header, const char *payload, const char *sig) {
  char *h = b64url(header), *p = b64url(payload), *t = NULL;
  ck_assert_int_gt(asprintf(&t, "%s.%s.%s", h, p, sig), 0);
  free(h);
  free(p);
  return t;
}

/* Signs claims (a JSON object text) with libjwt directly, bypassing mc_jwt_issue's rules. */
static char *craft(jwt_alg_t alg, const void *key, size_t key_len, const char *kid,
                   const char *claims) {
  jwt_t *jwt = NULL;
  char *token;
  ck_assert_int_eq(jwt_new(&jwt), 0);
  ck_assert_int_eq(jwt_add_grants_json(jwt, claims), 0);
  if (kid != NULL) ck_assert_int_eq(jwt_add_header(jwt, "kid", kid), 0);
  ck_assert_int_eq(jwt_set_alg(jwt, alg, key, (int)key_len), 0);
  token = jwt_encode_str(jwt);
  ck_assert_ptr_nonnull(token);
  jwt_free(jwt);
  return token;
}

/* The claims mc_jwt_issue writes at NOW, with one member replaced or added (value stolen). */
static char *claims_with(const char *name, json_t *value) {
  json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s}", "iss", ISS, "aud", AUD,
                        "sub", "usr_01hx", "iat", (json_int_t)NOW, "nbf", (json_int_t)NOW,
                        "exp", (json_int_t)NOW + 900, "jti", "0123456789abcdef0123456789abcdef",
                        "role", "customer", "token_use", "access");
  char *text;
  if (name != NULL) json_object_set_new(c, name, value);
  text = json_dumps(c, JSON_COMPACT);
  json_decref(c);
  return text;
}

/* Verifies, against hs at NOW, a token signed with secret_a whose claims differ in one member. */
static const char *verify_crafted_hs(const char *name, json_t *value) {
  char *claims = claims_with(name, value);
  char *token = craft(JWT_ALG_HS256, secret_a, 32, NULL, claims);
  const char *reason = verify_reason(hs, token, NOW);
  free(token);
  free(claims);
  return reason;
}

/* The SPKI PEM of a private PEM: what anyone can derive from the JWKS. */
static char *public_pem_of(const char *private_pem) {
  gnutls_datum_t in = {(unsigned char *)private_pem, (unsigned)strlen(private_pem)}, out;
  gnutls_privkey_t priv;
  gnutls_pubkey_t pub;
  char *s;
  ck_assert_int_ge(gnutls_privkey_init(&priv), 0);
  ck_assert_int_ge(gnutls_pubkey_init(&pub), 0);
  ck_assert_int_ge(gnutls_privkey_import_x509_raw(priv, &in, GNUTLS_X509_FMT_PEM, NULL, 0), 0);
  ck_assert_int_ge(gnutls_pubkey_import_privkey(pub, priv, 0, 0), 0);
  ck_assert_int_ge(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_PEM, &out), 0);
  s = strndup((const char *)out.data, out.size);
  gnutls_free(out.data);
  gnutls_pubkey_deinit(pub);
  gnutls_privkey_deinit(priv);
  return s;
}

static json_t *header_of(const char *token) {
  unsigned char buf[512];
  size_t n = unb64url(token, (size_t)(strchr(token, '.') - token), buf);
  json_t *h = json_loadb((const char *)buf, n, 0, NULL);
  ck_assert_ptr_nonnull(h);
  return h;
}

/* ---- jwt: round trips ---- */

START_TEST(jwt_hs256_issue_then_verify_round_trips) {
  mc_jwt_issue_params p = {.sub = "usr_01hx", .role = "admin", .iss = ISS, .aud = AUD,
                           .ttl_s = 900};
  char *token = NULL, jti[MC_JWT_JTI_LEN + 1];
  int64_t exp = 0;
  mc_jwt_claims c;
  const char *reason = "unset";
  json_t *h;

  ck_assert_int_eq(mc_jwt_issue(hs, &p, NOW, &token, jti, &exp), MC_OK);
  ck_assert_int_eq(exp, NOW + 900);
  ck_assert_uint_eq(strlen(jti), 32);
  ck_assert_uint_eq(strspn(jti, "0123456789abcdef"), 32);
  h = header_of(token);
  ck_assert_str_eq(json_string_value(json_object_get(h, "alg")), "HS256");
  ck_assert_ptr_null(json_object_get(h, "kid"));
  json_decref(h);

  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 0, NOW + 10, &c, &reason), MC_OK);
  ck_assert_ptr_null(reason);
  ck_assert_str_eq(c.sub, "usr_01hx");
  ck_assert_str_eq(c.role, "admin");
  ck_assert_str_eq(c.jti, jti);
  ck_assert_int_eq(c.iat, NOW);
  ck_assert_int_eq(c.exp, NOW + 900);
  free(token);
}
END_TEST

START_TEST(jwt_es256_issue_then_verify_round_trips) {
  char *token = issue(es, NOW, 900);
  const char *sig = strrchr(token, '.') + 1;
  unsigned char raw[128];
  json_t *h = header_of(token);

  ck_assert_str_eq(json_string_value(json_object_get(h, "alg")), "ES256");
  ck_assert_str_eq(json_string_value(json_object_get(h, "kid")), "k1");
  ck_assert_int_eq(mc_jwt_keys_signing_alg(es), MC_JWT_ES256);
  /* JWS wants R||S (64 bytes), not DER. */
  ck_assert_uint_eq(unb64url(sig, strlen(sig), raw), 64);
  ck_assert_ptr_null(verify_reason(es, token, NOW + 10));
  json_decref(h);
  free(token);
}
END_TEST

START_TEST(jwt_es256_signature_verifies_against_the_jwks_coordinates) {
  char *token = issue(es, NOW, 900);
  json_t *jwks = NULL, *jwk;
  unsigned char xb[40], yb[40], sig[64];
  const char *x, *y, *dot = strrchr(token, '.');
  gnutls_datum_t xd, yd, r, s, der = {NULL, 0};
  gnutls_datum_t data = {(unsigned char *)token, (unsigned)(dot - token)};
  gnutls_pubkey_t pub;

  ck_assert_int_eq(mc_jwt_jwks(es, &jwks), MC_OK);
  jwk = json_array_get(json_object_get(jwks, "keys"), 0);
  x = json_string_value(json_object_get(jwk, "x"));
  y = json_string_value(json_object_get(jwk, "y"));
  xd = (gnutls_datum_t){xb, (unsigned)unb64url(x, strlen(x), xb)};
  yd = (gnutls_datum_t){yb, (unsigned)unb64url(y, strlen(y), yb)};
  ck_assert_uint_eq(unb64url(dot + 1, strlen(dot + 1), sig), 64);
  r = (gnutls_datum_t){sig, 32};
  s = (gnutls_datum_t){sig + 32, 32};

  /* An outside verifier holding nothing but the JWK accepts the signature. */
  ck_assert_int_ge(gnutls_pubkey_init(&pub), 0);
  ck_assert_int_ge(gnutls_pubkey_import_ecc_raw(pub, GNUTLS_ECC_CURVE_SECP256R1, &xd, &yd), 0);
  ck_assert_int_ge(gnutls_encode_rs_value(&der, &r, &s), 0);
  ck_assert_int_ge(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &der), 0);
  gnutls_free(der.data);
  gnutls_pubkey_deinit(pub);
  json_decref(jwks);
  free(token);
}
END_TEST

/* ---- jwt: algorithm and signature attacks ---- */

START_TEST(jwt_alg_none_in_any_case_is_bad_alg) {
  static const char *headers[] = {
    "{\"alg\":\"none\"}", "{\"alg\":\"None\"}", "{\"alg\":\"NONE\"}",
    "{\"alg\":\"nOnE\",\"typ\":\"JWT\"}", "{\"alg\":\"hs256\"}", "{\"alg\":\"\"}", "{}",
    "{\"alg\":null}", "{\"alg\":[\"HS256\"]}",
  };
  char *claims = claims_with(NULL, NULL);
  for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
    char *t = raw_token(headers[i], claims, "");
    const char *reason = verify_reason(hs, t, NOW);
    ck_assert_msg(reason != NULL && strcmp(reason, "bad_alg") == 0, "%s: %s", headers[i],
                  reason == NULL ? "accepted" : reason);
    ck_assert_str_eq(verify_reason(es, t, NOW), "bad_alg");
    free(t);
  }
  free(claims);
}
END_TEST

START_TEST(jwt_hs256_signed_with_another_secret_is_bad_signature) {
  mc_jwt_keys *other = hs_keys(secret_b);
  char *token = issue(other, NOW, 900);
  ck_assert_str_eq(verify_reason(hs, token, NOW), "bad_signature");
  free(token);
  mc_jwt_keys_free(other);
}
END_TEST

START_TEST(jwt_hs256_and_es256_are_never_accepted_for_each_others_keys) {
  char *pub = public_pem_of(es_pem);
  char *claims = claims_with(NULL, NULL);
  char *with_kid = craft(JWT_ALG_HS256, pub, strlen(pub), "k1", claims);
  char *without_kid = craft(JWT_ALG_HS256, pub, strlen(pub), NULL, claims);
  char *es_header = raw_token("{\"alg\":\"ES256\"}", claims, "c2lnbmF0dXJl");
  ck_assert_str_eq(verify_reason(es, with_kid, NOW), "bad_alg");
  ck_assert_str_eq(verify_reason(es, without_kid, NOW), "bad_alg");
  /* And the other way round: an ES256 header never reaches an HS256 key. */
  ck_assert_str_eq(verify_reason(hs, es_header, NOW), "bad_alg");
  free(es_header);
  free(with_kid);
  free(without_kid);
  free(claims);
  free(pub);
}
END_TEST

START_TEST(jwt_tampered_payload_is_bad_signature) {
  char *token = issue(hs, NOW, 900);
  char *admin = claims_with("role", json_string("admin"));
  char *forged = raw_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", admin, strrchr(token, '.') + 1);
  ck_assert_str_eq(verify_reason(hs, forged, NOW), "bad_signature");
  /* One changed character of the signature, too. */
  token[strlen(token) - 2] = token[strlen(token) - 2] == 'A' ? 'B' : 'A';
  ck_assert_str_eq(verify_reason(hs, token, NOW), "bad_signature");
  free(forged);
  free(admin);
  free(token);
}
END_TEST

/* ---- jwt: shape ---- */

START_TEST(jwt_oversize_token_is_malformed) {
  char pad[MC_JWT_TOKEN_MAX];
  char *claims, *token;
  memset(pad, 'p', sizeof pad - 1);
  pad[sizeof pad - 1] = '\0';
  /* Correctly signed, but longer than anything we issue. */
  claims = claims_with("pad", json_string(pad));
  token = craft(JWT_ALG_HS256, secret_a, 32, NULL, claims);
  ck_assert_uint_gt(strlen(token), MC_JWT_TOKEN_MAX);
  ck_assert_str_eq(verify_reason(hs, token, NOW), "malformed");
  free(token);
  free(claims);
}
END_TEST

START_TEST(jwt_garbage_strings_are_malformed) {
  static const char *garbage[] = {
    "", "abc", "a.b", "a.b.c.d", "..", "...", "!!.!!.!!", "Bearer x.y.z",
    "eyJhbGciOiJIUzI1NiJ9.e30.c2ln====", "eyJhbGciOiJIUzI1NiJ9..c2ln",
    "bm90IGpzb24.e30.c2ln",                            /* header is not JSON */
    "WyJIUzI1NiJd.e30.c2ln",                           /* header is an array */
    "eyJhbGciOiJIUzI1NiIsImFsZyI6Im5vbmUifQ.e30.c2ln", /* alg given twice */
    "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiYiJdfQ.e30.c2ln", /* crit */
    "fam_01hx.5f2b8c0d9e1a4b3c6d7e8f9a0b1c2d3e",       /* a refresh token */
  };
  for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
    const char *reason = verify_reason(hs, garbage[i], NOW);
    ck_assert_msg(reason != NULL && strcmp(reason, "malformed") == 0, "#%zu: %s", i,
                  reason == NULL ? "accepted" : reason);
  }
}
END_TEST

/* ---- jwt: claims ---- */

START_TEST(jwt_expired_beyond_the_leeway_is_expired) {
  char *token = issue(hs, NOW, 900);
  ck_assert_str_eq(verify_reason(hs, token, NOW + 900 + 30), "expired");
  ck_assert_str_eq(verify_reason(hs, token, NOW + 86400), "expired");
  free(token);
}
END_TEST

START_TEST(jwt_expired_within_the_leeway_is_accepted) {
  char *token = issue(hs, NOW, 900);
  ck_assert_ptr_null(verify_reason(hs, token, NOW + 900 + 29));
  free(token);
}
END_TEST

START_TEST(jwt_nbf_or_iat_in_the_future_is_not_yet_valid) {
  ck_assert_str_eq(verify_crafted_hs("nbf", json_integer(NOW + 31)), "not_yet_valid");
  ck_assert_str_eq(verify_crafted_hs("iat", json_integer(NOW + 31)), "not_yet_valid");
  ck_assert_ptr_null(verify_crafted_hs("nbf", json_integer(NOW + 30)));
}
END_TEST

START_TEST(jwt_wrong_audience_is_bad_audience) {
  char *token = issue(hs, NOW, 900);
  ck_assert_str_eq(verify_for(hs, token, ISS, "other-api", NOW), "bad_audience");
  ck_assert_str_eq(verify_crafted_hs("aud", json_pack("[s,s]", "x", "y")), "bad_audience");
  ck_assert_str_eq(verify_crafted_hs("aud", json_integer(1)), "bad_audience");
  /* An array that holds our audience is fine. */
  ck_assert_ptr_null(verify_crafted_hs("aud", json_pack("[s,s]", "x", AUD)));
  free(token);
}
END_TEST

START_TEST(jwt_wrong_issuer_is_bad_issuer) {
  char *token = issue(hs, NOW, 900);
  ck_assert_str_eq(verify_for(hs, token, "https://evil.example", AUD, NOW), "bad_issuer");
  ck_assert_str_eq(verify_crafted_hs("iss", json_null()), "bad_issuer");
  free(token);
}
END_TEST

START_TEST(jwt_token_use_other_than_access_is_bad_use) {
  ck_assert_str_eq(verify_crafted_hs("token_use", json_string("refresh")), "bad_use");
  ck_assert_str_eq(verify_crafted_hs("token_use", json_string("Access")), "bad_use");
  ck_assert_str_eq(verify_crafted_hs("token_use", json_null()), "bad_use");
}
END_TEST

START_TEST(jwt_bad_sub_role_jti_or_times_are_bad_claims) {
  ck_assert_str_eq(verify_crafted_hs("role", json_string("superuser")), "bad_claims");
  ck_assert_str_eq(verify_crafted_hs("sub", json_string("")), "bad_claims");
  ck_assert_str_eq(verify_crafted_hs("jti", json_integer(7)), "bad_claims");
  ck_assert_str_eq(verify_crafted_hs("exp", json_string("never")), "bad_claims");
  ck_assert_str_eq(verify_crafted_hs("exp", json_real(NOW + 900.0)), "bad_claims");
}
END_TEST

START_TEST(jwt_verify_refuses_a_leeway_over_60_seconds) {
  char *token = issue(hs, NOW, 900);
  mc_jwt_claims c;
  const char *reason = NULL;
  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 61, NOW, &c, &reason), MC_ERR_INVALID);
  ck_assert_int_eq(mc_jwt_verify(hs, token, ISS, AUD, 60, NOW, &c, &reason), MC_OK);
  free(token);
}
END_TEST

START_TEST(jwt_issue_refuses_bad_params) {
  const mc_jwt_issue_params ok = {.sub = "usr_1", .role = "customer", .iss = ISS, .aud = AUD,
                                  .ttl_s = 900};
  mc_jwt_issue_params bad[4] = {ok, ok, ok, ok};
  char *token = NULL, jti[MC_JWT_JTI_LEN + 1];
  int64_t exp;
  bad[0].role = "root";
  bad[1].sub = "";
  bad[2].ttl_s = 0;
  bad[3].ttl_s = MC_JWT_TTL_MAX + 1;
  for (size_t i = 0; i < 4; i++) {
    ck_assert_int_eq(mc_jwt_issue(hs, &bad[i], NOW, &token, jti, &exp), MC_ERR_INVALID);
    ck_assert_ptr_null(token);
  }
}
END_TEST

/* ---- jwt: keys, rotation and publication ---- */

static char *p384_pem(void) {
  gnutls_x509_privkey_t key;
  gnutls_datum_t d;
  char *s;
  ck_assert_int_ge(gnutls_x509_privkey_init(&key), 0);
  ck_assert_int_ge(gnutls_x509_privkey_generate2(
                     key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), 0,
                     NULL, 0),
                   0);
  ck_assert_int_ge(
    gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
  s = strndup((const char *)d.data, d.size);
  gnutls_free(d.data);
  gnutls_x509_privkey_deinit(key);
  return s;
}

START_TEST(jwt_keys_refuse_short_secrets_bad_pems_and_ambiguous_kids) {
  unsigned char secret[64];
  char *pub = public_pem_of(es_pem), *p384 = p384_pem();
  mc_jwt_keys *keys = (mc_jwt_keys *)1;
  const mc_jwt_key_spec refused[][2] = {
    {{.alg = MC_JWT_HS256, .secret = secret, .secret_len = 31}},
    {{.alg = MC_JWT_ES256, .kid = "k1", .pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n"}},
    {{.alg = MC_JWT_ES256, .kid = "k1", .pem = p384}},
    {{.alg = MC_JWT_ES256, .pem = es_pem}},
    {{.alg = MC_JWT_ES256, .kid = "bad kid", .pem = es_pem}},
    {{.alg = MC_JWT_ES256, .kid = "k1", .pem = pub}}, /* a signer needs its private part */
    {{.alg = MC_JWT_ES256, .kid = "k1", .pem = es_pem},
     {.alg = MC_JWT_ES256, .kid = "k1", .pem = es_pem}},
    {{.alg = MC_JWT_HS256, .secret = secret, .secret_len = 32},
     {.alg = MC_JWT_HS256, .secret = secret, .secret_len = 40}},
  };

  ck_assert_int_eq(mc_jwt_generate_hs256_secret(secret, sizeof secret), MC_OK);
  ck_assert_int_eq(mc_jwt_generate_hs256_secret(secret, 31), MC_ERR_INVALID);
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    size_t n = refused[i][1].alg != 0 ? 2 : 1;
    ck_assert_msg(mc_jwt_keys_new(refused[i], n, &keys) == MC_ERR_INVALID, "accepted #%zu", i);
    ck_assert_ptr_null(keys);
  }
  free(p384);
  free(pub);
}
END_TEST

START_TEST(jwt_rotation_keeps_old_tokens_valid_while_the_old_key_is_listed) {
  char *new_pem = new_es_pem(), *old_pub = public_pem_of(es_pem);
  char *old_token = issue(es, NOW, 900), *new_token;
  /* The new key signs; the old one stays (here by its public half) until its tokens expire. */
  const mc_jwt_key_spec during_spec[2] = {{.alg = MC_JWT_ES256, .kid = "k2", .pem = new_pem},
                                          {.alg = MC_JWT_ES256, .kid = "k1", .pem = old_pub}};
  mc_jwt_keys *during = NULL, *after = es_keys(new_pem, "k2");
  json_t *h;

  ck_assert_int_eq(mc_jwt_keys_new(during_spec, 2, &during), MC_OK);
  new_token = issue(during, NOW, 900);
  h = header_of(new_token);
  ck_assert_str_eq(json_string_value(json_object_get(h, "kid")), "k2");
  ck_assert_ptr_null(verify_reason(during, old_token, NOW + 60));
  ck_assert_ptr_null(verify_reason(during, new_token, NOW + 60));
  ck_assert_str_eq(verify_reason(after, old_token, NOW + 60), "unknown_kid");
  ck_assert_ptr_null(verify_reason(after, new_token, NOW + 60));
  json_decref(h);
  free(new_token);
  free(old_token);
  free(old_pub);
  free(new_pem);
  mc_jwt_keys_free(during);
  mc_jwt_keys_free(after);
}
END_TEST

START_TEST(jwt_jwks_lists_public_keys_only) {
  char *pem2 = new_es_pem();
  const mc_jwt_key_spec specs[3] = {{.alg = MC_JWT_ES256, .kid = "k2", .pem = pem2},
                                    {.alg = MC_JWT_ES256, .kid = "k1", .pem = es_pem},
                                    {.alg = MC_JWT_HS256, .secret = secret_a, .secret_len = 32}};
  mc_jwt_keys *keys = NULL;
  json_t *jwks = NULL, *list, *jwk;
  size_t i;

  ck_assert_int_eq(mc_jwt_keys_new(specs, 3, &keys), MC_OK);
  ck_assert_int_eq(mc_jwt_jwks(keys, &jwks), MC_OK);
  list = json_object_get(jwks, "keys");
  ck_assert_uint_eq(json_array_size(list), 2);
  json_array_foreach(list, i, jwk) {
    json_t *expected = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256",
                                 "use", "sig", "alg", "ES256", "kid", i == 0 ? "k2" : "k1");
    ck_assert_uint_eq(strlen(json_string_value(json_object_get(jwk, "x"))), 43);
    ck_assert_uint_eq(strlen(json_string_value(json_object_get(jwk, "y"))), 43);
    /* Nothing else, in particular no private "d". */
    json_object_del(jwk, "x");
    json_object_del(jwk, "y");
    ck_assert(json_equal(jwk, expected));
    json_decref(expected);
  }
  json_decref(jwks);
  ck_assert_int_eq(mc_jwt_jwks(hs, &jwks), MC_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(jwks, "keys")), 0);
  json_decref(jwks);
  free(pem2);
  mc_jwt_keys_free(keys);
}
END_TEST

START_TEST(jwt_unknown_kid_is_unknown_kid) {
  mc_jwt_keys *other = es_keys(es_pem, "k9");
  char *token = issue(es, NOW, 900);
  ck_assert_str_eq(verify_reason(other, token, NOW), "unknown_kid");
  free(token);
  mc_jwt_keys_free(other);
}
END_TEST

static Suite *auth_crypto_suite(void) {
  Suite *s = suite_create("auth_crypto");
  TCase *pw = tcase_create("password");
  TCase *rules = tcase_create("password_rules");
  TCase *jwt = tcase_create("jwt");

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

  tcase_add_checked_fixture(jwt, jwt_setup, jwt_teardown);
  tcase_add_test(jwt, jwt_hs256_issue_then_verify_round_trips);
  tcase_add_test(jwt, jwt_es256_issue_then_verify_round_trips);
  tcase_add_test(jwt, jwt_es256_signature_verifies_against_the_jwks_coordinates);
  tcase_add_test(jwt, jwt_alg_none_in_any_case_is_bad_alg);
  tcase_add_test(jwt, jwt_hs256_signed_with_another_secret_is_bad_signature);
  tcase_add_test(jwt, jwt_hs256_and_es256_are_never_accepted_for_each_others_keys);
  tcase_add_test(jwt, jwt_tampered_payload_is_bad_signature);
  tcase_add_test(jwt, jwt_oversize_token_is_malformed);
  tcase_add_test(jwt, jwt_garbage_strings_are_malformed);
  tcase_add_test(jwt, jwt_expired_beyond_the_leeway_is_expired);
  tcase_add_test(jwt, jwt_expired_within_the_leeway_is_accepted);
  tcase_add_test(jwt, jwt_nbf_or_iat_in_the_future_is_not_yet_valid);
  tcase_add_test(jwt, jwt_wrong_audience_is_bad_audience);
  tcase_add_test(jwt, jwt_wrong_issuer_is_bad_issuer);
  tcase_add_test(jwt, jwt_token_use_other_than_access_is_bad_use);
  tcase_add_test(jwt, jwt_bad_sub_role_jti_or_times_are_bad_claims);
  tcase_add_test(jwt, jwt_verify_refuses_a_leeway_over_60_seconds);
  tcase_add_test(jwt, jwt_issue_refuses_bad_params);
  tcase_add_test(jwt, jwt_keys_refuse_short_secrets_bad_pems_and_ambiguous_kids);
  tcase_add_test(jwt, jwt_rotation_keeps_old_tokens_valid_while_the_old_key_is_listed);
  tcase_add_test(jwt, jwt_jwks_lists_public_keys_only);
  tcase_add_test(jwt, jwt_unknown_kid_is_unknown_kid);
  suite_add_tcase(s, jwt);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(auth_crypto_suite());
  int failed;

  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
