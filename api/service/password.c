/* password.c - password rules and Argon2id hashing, verification and re-hash decisions.
 * Stored strings are parsed and written here, strictly; Argon2's memory comes from a block pool. */
#include "mercato/password.h"

#include <argon2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/rand.h"

/* Bounds for salts and hashes found in stored strings: libargon2's own minimum salt, and no
 * hash shorter than 128 bits, which we never wrote and would not want to trust. */
#define SALT_MIN 8u
#define SALT_MAX 64u
#define HASH_MIN 16u
#define HASH_MAX 64u

/* The one prefix accepted and written: Argon2id, version 1.3 (0x13 = 19). */
static const char encoded_prefix[] = "$argon2id$v=19$";

/* Idle memory blocks kept for reuse: one per online CPU, within these bounds. A block that
 * stays idle while this many blocks are returned is unmapped: its size (an old policy's, a
 * legacy hash's) or the concurrency that needed it has gone. */
#define POOL_MIN_IDLE 1u
#define POOL_MAX_IDLE 16u
#define POOL_STALE_AFTER 64u

typedef struct parsed_hash {
  uint32_t m_cost_kib;
  uint32_t t_cost;
  uint32_t parallelism;
  uint8_t salt[SALT_MAX];
  size_t salt_len;
  uint8_t hash[HASH_MAX];
  size_t hash_len;
} parsed_hash;

void mc_password_policy_default(mc_password_policy *out) {
  out->m_cost_kib = MC_PASSWORD_MIN_M_COST_KIB;
  out->t_cost = MC_PASSWORD_MIN_T_COST;
  out->parallelism = MC_PASSWORD_MIN_PARALLELISM;
}

static int policy_valid(const mc_password_policy *p) {
  return p != NULL && p->m_cost_kib >= MC_PASSWORD_MIN_M_COST_KIB &&
         p->m_cost_kib <= MC_PASSWORD_MAX_M_COST_KIB && p->t_cost >= MC_PASSWORD_MIN_T_COST &&
         p->t_cost <= MC_PASSWORD_MAX_T_COST && p->parallelism >= MC_PASSWORD_MIN_PARALLELISM &&
         p->parallelism <= MC_PASSWORD_MAX_PARALLELISM;
}

int mc_password_policy_init(mc_password_policy *out, uint32_t m_cost_kib, uint32_t t_cost,
                            uint32_t parallelism) {
  mc_password_policy p = {m_cost_kib, t_cost, parallelism};
  if (out == NULL || !policy_valid(&p)) return MC_ERR_INVALID;
  *out = p;
  return MC_OK;
}

/* ---- memory for libargon2 ----
 *
 * Each hash needs m_cost KiB (19 MiB by default), written from the first byte on. Fresh pages
 * for every hash cost page faults and kernel zeroing; glibc's malloc, left to itself, parks
 * such blocks in per-thread arenas that never shrink. So libargon2 gets its memory through
 * argon2_context's callbacks from this pool: blocks mapped by us, reused whole (exact size),
 * at most pool.cap of them idle. Its callbacks take no user data, hence one pool per process.
 * Blocks are taken last in, first out, so the ones beyond the current concurrency age out.
 *
 * What the pool relies on from libargon2 (20171227; checked in its sources and by the unit test
 * password_libargon2_writes_every_block_before_reading_and_wipes_before_free):
 * - no zeroing on reuse: fill_first_blocks writes blocks 0 and 1 of each lane, pass 0 then
 *   overwrites (no XOR) every later block from blocks already written, and later passes XOR
 *   into blocks pass 0 wrote, so a block's old contents are never read;
 * - no wiping by us: free_memory runs clear_internal_memory over the whole block before
 *   calling free_cbk; its switch, FLAG_clear_internal_memory, defaults to 1 and is not even
 *   exported by Debian's library. Idle blocks therefore hold zeros, never a hash's blocks
 *   (block 0 is H'(H0), which would let a guess be tested at BLAKE2b speed, without the memory
 *   cost). */

typedef struct pool_block {
  uint8_t *mem;
  size_t size;
  uint64_t returned_at; /* pool.returns when it came back */
} pool_block;

static struct {
  pthread_mutex_t lock;
  size_t cap;                     /* set on first use */
  size_t n;                       /* idle blocks, least recently returned first */
  uint64_t returns;               /* blocks returned so far */
  pool_block idle[POOL_MAX_IDLE];
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

static size_t pool_capacity(void) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < (long)POOL_MIN_IDLE) return POOL_MIN_IDLE;
  if (cpus > (long)POOL_MAX_IDLE) return POOL_MAX_IDLE;
  return (size_t)cpus;
}

/* Maps a new block of size bytes, or returns NULL. mmap rather than malloc: freeing a large
 * mmapped chunk raises glibc's dynamic mmap threshold for the whole process, which is how
 * these blocks ended up in arenas; our own mappings leave malloc's tuning alone and give the
 * pages back exactly when the pool drops a block. */
static uint8_t *block_map(size_t size) {
  void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return NULL;
  /* A core dump has no use for a hash's working memory; best effort. */
  (void)madvise(mem, size, MADV_DONTDUMP);
  return mem;
}

/* allocate_cbk: an idle block of exactly size bytes (the most recently returned one), else a
 * new one. libargon2 ignores the return value and tests *memory, so NULL on failure matters. */
static int pool_take(uint8_t **memory, size_t size) {
  uint8_t *mem = NULL;
  pthread_mutex_lock(&pool.lock);
  for (size_t i = pool.n; i-- > 0;) {
    if (pool.idle[i].size == size) {
      mem = pool.idle[i].mem;
      memmove(&pool.idle[i], &pool.idle[i + 1], (pool.n - i - 1) * sizeof pool.idle[0]);
      pool.n--;
      break;
    }
  }
  pthread_mutex_unlock(&pool.lock);
  if (mem == NULL) mem = block_map(size);
  *memory = mem;
  return mem != NULL ? ARGON2_OK : ARGON2_MEMORY_ALLOCATION_ERROR;
}

/* free_cbk: keeps the block (already wiped by libargon2, see above) as the most recent idle
 * one. Unmaps first the stale idle blocks, and the least recently returned one if the pool is
 * still full. */
static void pool_give(uint8_t *memory, size_t size) {
  pool_block dropped[POOL_MAX_IDLE];
  size_t n_dropped = 0;
  pthread_mutex_lock(&pool.lock);
  if (pool.cap == 0) pool.cap = pool_capacity();
  pool.returns++;
  while (n_dropped < pool.n &&
         (pool.returns - pool.idle[n_dropped].returned_at > POOL_STALE_AFTER ||
          pool.n - n_dropped == pool.cap))
    n_dropped++;
  memcpy(dropped, pool.idle, n_dropped * sizeof dropped[0]);
  memmove(&pool.idle[0], &pool.idle[n_dropped], (pool.n - n_dropped) * sizeof pool.idle[0]);
  pool.n -= n_dropped;
  pool.idle[pool.n++] = (pool_block){memory, size, pool.returns};
  pthread_mutex_unlock(&pool.lock);
  for (size_t i = 0; i < n_dropped; i++) munmap(dropped[i].mem, dropped[i].size);
}

void mc_password_pool_release(void) {
  pool_block taken[POOL_MAX_IDLE];
  size_t n;
  pthread_mutex_lock(&pool.lock);
  n = pool.n;
  memcpy(taken, pool.idle, n * sizeof taken[0]);
  pool.n = 0;
  pthread_mutex_unlock(&pool.lock);
  for (size_t i = 0; i < n; i++) munmap(taken[i].mem, taken[i].size);
}

/* Gives the idle blocks back at exit, so that no checker sees them outstanding. */
__attribute__((destructor)) static void pool_release_at_exit(void) {
  mc_password_pool_release();
}

/* Computes Argon2id v1.3 of password (len bytes, borrowed) and salt into out (out_len bytes),
 * with memory from the pool. Returns libargon2's status. threads = lanes, as libargon2's own
 * high-level functions do. flags stay 0: ARGON2_FLAG_CLEAR_PASSWORD would wipe the caller's
 * buffer, which is only borrowed (and const); the cast below is safe because of that. */
static int argon2id_pooled(uint32_t m_cost_kib, uint32_t t_cost, uint32_t parallelism,
                           const void *password, size_t len, const uint8_t *salt,
                           size_t salt_len, uint8_t *out, size_t out_len) {
  argon2_context ctx = {
    .out = out,
    .outlen = (uint32_t)out_len,
    .pwd = (uint8_t *)password,
    .pwdlen = (uint32_t)len,
    .salt = (uint8_t *)salt,
    .saltlen = (uint32_t)salt_len,
    .t_cost = t_cost,
    .m_cost = m_cost_kib,
    .lanes = parallelism,
    .threads = parallelism,
    .version = ARGON2_VERSION_13,
    .allocate_cbk = pool_take,
    .free_cbk = pool_give,
    .flags = ARGON2_DEFAULT_FLAGS,
  };
  return argon2_ctx(&ctx, Argon2_id);
}

/* ---- rules ---- */

int mc_password_check(const void *password, size_t len, const char **out_reason) {
  const char *reason = NULL;
  if (len < MC_PASSWORD_MIN_LEN) {
    reason = "too_short";
  } else if (len > MC_PASSWORD_MAX_LEN) {
    reason = "too_long";
  } else if (password == NULL || !mc_utf8_valid(password, len)) { /* one byte form per password */
    reason = "not_utf8";
  } else if (memchr(password, '\0', len) != NULL) {
    reason = "contains_nul";
  }
  if (out_reason != NULL) *out_reason = reason;
  return reason == NULL ? MC_OK : MC_ERR_INVALID;
}

/* ---- the encoded form ---- */

/* Reads a u32 in canonical decimal (no sign, no leading zero) and advances *s past it. */
static int parse_u32(const char **s, uint32_t *out) {
  const char *p = *s;
  uint64_t v = 0;
  size_t digits = 0;
  while (p[digits] >= '0' && p[digits] <= '9') {
    if (digits == 10) return 0;
    v = v * 10 + (uint64_t)(p[digits] - '0');
    digits++;
  }
  if (digits == 0 || (digits > 1 && p[0] == '0') || v > UINT32_MAX) return 0;
  *out = (uint32_t)v;
  *s = p + digits;
  return 1;
}

/* Decodes unpadded standard base64 from s up to stop (a '$' or NUL) into out (cap bytes) and
 * advances *s to stop. Leftover bits must be zero, so each value has a single spelling. */
static int parse_b64(const char **s, uint8_t *out, size_t cap, size_t *out_len) {
  size_t len = strcspn(*s, "$");
  if (!mc_base64_decode(MC_BASE64_STD, *s, len, out, cap, out_len)) return 0;
  *s += len;
  return 1;
}

/* Parses $argon2id$v=19$m=M,t=T,p=P$SALT$HASH exactly and checks every field's bounds.
 * Returns 1 with *out filled, or 0. */
static int parse_encoded(const char *s, parsed_hash *out) {
  if (s == NULL || strncmp(s, encoded_prefix, sizeof encoded_prefix - 1) != 0) return 0;
  s += sizeof encoded_prefix - 1;
  if (strncmp(s, "m=", 2) != 0) return 0;
  s += 2;
  if (!parse_u32(&s, &out->m_cost_kib) || strncmp(s, ",t=", 3) != 0) return 0;
  s += 3;
  if (!parse_u32(&s, &out->t_cost) || strncmp(s, ",p=", 3) != 0) return 0;
  s += 3;
  if (!parse_u32(&s, &out->parallelism) || *s != '$') return 0;
  s++;
  if (!parse_b64(&s, out->salt, sizeof out->salt, &out->salt_len) || *s != '$') return 0;
  s++;
  if (!parse_b64(&s, out->hash, sizeof out->hash, &out->hash_len) || *s != '\0') return 0;

  if (out->parallelism < 1 || out->parallelism > MC_PASSWORD_MAX_PARALLELISM) return 0;
  if (out->t_cost < 1 || out->t_cost > MC_PASSWORD_MAX_T_COST) return 0;
  /* Argon2 needs 8 blocks (KiB) per lane. */
  if (out->m_cost_kib < 8 * out->parallelism || out->m_cost_kib > MC_PASSWORD_MAX_M_COST_KIB)
    return 0;
  if (out->salt_len < SALT_MIN || out->hash_len < HASH_MIN) return 0;
  return 1;
}

/* Writes $argon2id$v=19$m=M,t=T,p=P$SALT$HASH (libargon2's encoding, which parse_encoded
 * reads back) into out, NUL-terminated, within cap bytes. Returns 1, or 0 if it does not fit. */
static int encode(char *out, size_t cap, const mc_password_policy *p, const uint8_t *salt,
                  size_t salt_len, const uint8_t *hash, size_t hash_len) {
  int head = snprintf(out, cap, "%sm=%u,t=%u,p=%u$", encoded_prefix, (unsigned)p->m_cost_kib,
                      (unsigned)p->t_cost, (unsigned)p->parallelism);
  size_t o;
  if (head < 0 || (size_t)head >= cap) return 0;
  o = (size_t)head;
  if (cap - o < (4 * salt_len + 2) / 3 + 1 + (4 * hash_len + 2) / 3 + 1) return 0;
  o += mc_base64_encode(MC_BASE64_STD, salt, salt_len, out + o);
  out[o++] = '$';
  o += mc_base64_encode(MC_BASE64_STD, hash, hash_len, out + o);
  return 1; /* mc_base64_encode wrote the NUL */
}

/* ---- hashing ---- */

int mc_password_hash(const mc_password_policy *policy, const void *password, size_t len,
                     char **out_encoded) {
  uint8_t salt[MC_PASSWORD_SALT_LEN], hash[MC_PASSWORD_HASH_LEN];
  char *encoded = NULL;
  int rc, arc;

  if (out_encoded == NULL) return MC_ERR_INVALID;
  *out_encoded = NULL;
  if (!policy_valid(policy) || (password == NULL && len > 0) || len > MC_PASSWORD_MAX_LEN)
    return MC_ERR_INVALID;

  rc = mc_rand_bytes(salt, sizeof salt);
  if (rc != MC_OK) goto done;
  arc = argon2id_pooled(policy->m_cost_kib, policy->t_cost, policy->parallelism, password, len,
                        salt, sizeof salt, hash, sizeof hash);
  if (arc != ARGON2_OK) {
    mc_warn("auth", "argon2id hashing failed: %s", argon2_error_message(arc));
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  encoded = malloc(MC_PASSWORD_ENCODED_MAX);
  if (encoded == NULL || !encode(encoded, MC_PASSWORD_ENCODED_MAX, policy, salt, sizeof salt,
                                 hash, sizeof hash)) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  *out_encoded = encoded;
  encoded = NULL;
  rc = MC_OK;

done:
  if (encoded != NULL) {
    explicit_bzero(encoded, MC_PASSWORD_ENCODED_MAX);
    free(encoded);
  }
  explicit_bzero(hash, sizeof hash);
  explicit_bzero(salt, sizeof salt);
  return rc;
}

/* Constant-time comparison: the loop never exits early, so the time does not depend on where
 * the first differing byte is. */
static int equal_ct(const uint8_t *a, const uint8_t *b, size_t n) {
  volatile uint8_t diff = 0;
  for (size_t i = 0; i < n; i++) diff |= (uint8_t)(a[i] ^ b[i]);
  return diff == 0;
}

int mc_password_verify(const char *encoded, const void *password, size_t len) {
  parsed_hash stored;
  uint8_t computed[HASH_MAX];
  int rc, arc;

  if (encoded == NULL || (password == NULL && len > 0)) return MC_ERR_INVALID;
  if (!parse_encoded(encoded, &stored)) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  /* No stored hash came from a longer password; refusing early only tells the caller what it
   * already knows (the length of what it sent). */
  if (len > MC_PASSWORD_MAX_LEN) {
    rc = MC_ERR_FORBIDDEN;
    goto done;
  }
  /* Hashing ourselves (rather than argon2id_verify) keeps the strict parse above as the only
   * decoder, lets us wipe the computed hash and takes the memory from the pool. */
  arc = argon2id_pooled(stored.m_cost_kib, stored.t_cost, stored.parallelism, password, len,
                        stored.salt, stored.salt_len, computed, stored.hash_len);
  if (arc != ARGON2_OK) {
    mc_warn("auth", "argon2id verification failed: %s", argon2_error_message(arc));
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  rc = equal_ct(computed, stored.hash, stored.hash_len) ? MC_OK : MC_ERR_FORBIDDEN;

done:
  explicit_bzero(computed, sizeof computed);
  explicit_bzero(&stored, sizeof stored);
  return rc;
}

int mc_password_needs_rehash(const mc_password_policy *policy, const char *encoded) {
  parsed_hash stored;
  int needs = 1;

  if (policy == NULL || !parse_encoded(encoded, &stored)) goto done;
  needs = stored.m_cost_kib < policy->m_cost_kib || stored.t_cost < policy->t_cost ||
          stored.parallelism < policy->parallelism || stored.salt_len != MC_PASSWORD_SALT_LEN ||
          stored.hash_len != MC_PASSWORD_HASH_LEN;

done:
  explicit_bzero(&stored, sizeof stored);
  return needs;
}

/* ---- timing cover for unknown accounts ---- */

int mc_password_dummy_init(mc_password_dummy *out, const mc_password_policy *policy) {
  uint8_t secret[32];
  char *encoded = NULL;
  int rc;

  if (out == NULL) return MC_ERR_INVALID;
  memset(out, 0, sizeof *out);
  rc = mc_rand_bytes(secret, sizeof secret);
  if (rc != MC_OK) goto done;
  rc = mc_password_hash(policy, secret, sizeof secret, &encoded);
  if (rc != MC_OK) goto done;
  /* mc_password_hash writes at most MC_PASSWORD_ENCODED_MAX bytes, so this fits. */
  memcpy(out->encoded, encoded, strlen(encoded) + 1);

done:
  explicit_bzero(secret, sizeof secret);
  if (encoded != NULL) {
    explicit_bzero(encoded, strlen(encoded));
    free(encoded);
  }
  return rc;
}

int mc_password_dummy_verify(const mc_password_dummy *dummy, const void *password, size_t len) {
  int rc;
  if (dummy == NULL || dummy->encoded[0] == '\0') return MC_ERR_INTERNAL;
  rc = mc_password_verify(dummy->encoded, password, len);
  /* A match is impossible (the secret was wiped), but the answer must never be "yes". */
  if (rc == MC_OK || rc == MC_ERR_INVALID) rc = MC_ERR_FORBIDDEN;
  return rc;
}
