/* password.h - password rules and Argon2id hashing in libargon2's encoded form.
 * No storage and no HTTP here: the accounts service calls these with bytes it already holds. */
#ifndef MERCATO_PASSWORD_H
#define MERCATO_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#include "mercato/rules/users.h"

/* The weakest policy accepted (OWASP's Argon2id baseline), also the default. */
#define MC_PASSWORD_MIN_M_COST_KIB 19456u
#define MC_PASSWORD_MIN_T_COST 2u
#define MC_PASSWORD_MIN_PARALLELISM 1u
/* Ceilings for a policy and for any stored string we agree to verify, so that a corrupt or
 * hostile row cannot make one login allocate gigabytes or spin for minutes. */
#define MC_PASSWORD_MAX_M_COST_KIB (1024u * 1024u) /* 1 GiB */
#define MC_PASSWORD_MAX_T_COST 64u
#define MC_PASSWORD_MAX_PARALLELISM 16u

#define MC_PASSWORD_SALT_LEN 16u
#define MC_PASSWORD_HASH_LEN 32u

/* Password length rules, in bytes of UTF-8 (stated in mercato/rules/users.h). */
#define MC_PASSWORD_MIN_LEN ((size_t)MC_USER_PASSWORD_MIN)
#define MC_PASSWORD_MAX_LEN ((size_t)MC_USER_PASSWORD_MAX)

/* Room for any encoded string this module writes or accepts, NUL included. */
#define MC_PASSWORD_ENCODED_MAX 256u

typedef struct mc_password_policy {
  uint32_t m_cost_kib;  /* memory per hash, KiB */
  uint32_t t_cost;      /* passes over memory */
  uint32_t parallelism; /* lanes (and threads) */
} mc_password_policy;

/* A hash of a secret nobody knows, made once with a policy, for mc_password_dummy_verify. */
typedef struct mc_password_dummy {
  char encoded[MC_PASSWORD_ENCODED_MAX];
} mc_password_dummy;

/* Writes the default policy (m=19456 KiB, t=2, p=1) into *out. */
void mc_password_policy_default(mc_password_policy *out);

/* Fills *out with the given costs. Returns MC_OK, or MC_ERR_INVALID (and leaves *out alone)
 * when any cost is below the minimum above or above its ceiling. */
int mc_password_policy_init(mc_password_policy *out, uint32_t m_cost_kib, uint32_t t_cost,
                            uint32_t parallelism);

/* Checks the password rules: 12 to 1024 bytes, valid UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF), no NUL byte. Returns MC_OK, or MC_ERR_INVALID with *out_reason
 * set to a static code: "too_short", "too_long", "not_utf8" or "contains_nul". A NUL is
 * refused because C strings elsewhere (stdin for `mercato admin create`, a future hasher) would
 * silently cut the password there; nobody types one. The length is never truncated. out_reason
 * may be NULL; on MC_OK it is set to NULL. */
int mc_password_check(const void *password, size_t len, const char **out_reason);

/* Hashes len bytes of password with Argon2id under policy, with a fresh 16-byte salt, and
 * returns a new NUL-terminated string in *out_encoded ($argon2id$v=19$m=..,t=..,p=..$salt$hash)
 * that the caller frees with free(). Does not apply mc_password_check (the caller does, so it
 * can name the field); refuses more than MC_PASSWORD_MAX_LEN bytes with MC_ERR_INVALID.
 * Returns MC_OK, MC_ERR_INVALID for a bad policy or input, or MC_ERR_INTERNAL. */
int mc_password_hash(const mc_password_policy *policy, const void *password, size_t len,
                     char **out_encoded);

/* Verifies len bytes of password against encoded (borrowed). Returns MC_OK on a match,
 * MC_ERR_FORBIDDEN on a mismatch (also for a password over MC_PASSWORD_MAX_LEN bytes, which no
 * stored hash can match), MC_ERR_INVALID when encoded is not a well-formed argon2id v=19 string
 * within the ceilings above (argon2i and argon2d are refused), MC_ERR_INTERNAL when hashing
 * failed (out of memory). The hash is compared in constant time. */
int mc_password_verify(const char *encoded, const void *password, size_t len);

/* Returns 1 when encoded should be replaced by a fresh hash under policy: a cost below the
 * policy's, a salt or hash length other than 16/32 bytes, or a string that is not a
 * well-formed argon2id v=19 encoding. Returns 0 otherwise. Call it after a successful verify. */
int mc_password_needs_rehash(const mc_password_policy *policy, const char *encoded);

/* Builds *out: a hash under policy of 32 random bytes that are then wiped, so that nothing can
 * match it. Call once at start-up; afterwards *out is read-only and may be shared by threads.
 * Returns MC_OK, MC_ERR_INVALID for a bad policy, or MC_ERR_INTERNAL. */
int mc_password_dummy_init(mc_password_dummy *out, const mc_password_policy *policy);

/* Does the same work as mc_password_verify against dummy, for a login whose email is unknown
 * (or whose account cannot log in), so that the answer takes as long as a real mismatch.
 * Returns MC_ERR_FORBIDDEN, or MC_ERR_INTERNAL if dummy was never initialised or hashing
 * failed. */
int mc_password_dummy_verify(const mc_password_dummy *dummy, const void *password, size_t len);

/* Hashing and verifying take Argon2's memory (m_cost KiB per call) from a process-wide pool
 * that keeps up to one idle block per online CPU (1 to 16), wiped, for the next call. This
 * unmaps the idle ones now; later calls map blocks again as needed. Thread-safe; optional, as
 * it also runs at exit. */
void mc_password_pool_release(void);

#endif
