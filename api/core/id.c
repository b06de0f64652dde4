/* id.c - prefixed, time-sortable, unguessable ids: prefix '_' then 26 Crockford base32 digits
 * (lower case) of a 128-bit number whose top 48 bits are a millisecond timestamp, rest random. */
#include "mercato/id.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "mercato/err.h"
#include "mercato/rand.h"

/* Crockford's alphabet without I, L, O, U, in lower case: the canonical form we write and the
 * only one we accept, so one id never has two spellings that a store would treat as two keys. */
static const char id_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

#define ID_TIME_MAX ((INT64_C(1) << 48) - 1)

/* The last id handed out by this process, so ids from one millisecond still sort in order. */
static pthread_mutex_t id_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t id_last_ms = -1;
static uint16_t id_last_hi; /* top 16 of the 80 random bits */
static uint64_t id_last_lo; /* low 64 of the 80 random bits */

static int id_prefix_valid(const char *prefix, size_t len) {
  if (len < 1 || len > MC_ID_PREFIX_MAX) return 0;
  for (size_t i = 0; i < len; i++)
    if (prefix[i] < 'a' || prefix[i] > 'z') return 0;
  return 1;
}

static int id_digit_value(char c) {
  const char *p = c != '\0' ? strchr(id_alphabet, c) : NULL;
  return p != NULL ? (int)(p - id_alphabet) : -1;
}

/* Writes the 26 digits of the 128-bit number (ms << 80 | hi << 64 | lo) to out, most
 * significant first. 26 * 5 = 130 bits, so the first digit only ever holds 3 bits (0..7). */
static void id_encode(int64_t ms, uint16_t hi, uint64_t lo, char *out) {
  uint64_t top = ((uint64_t)ms << 16) | hi; /* the upper 64 bits */
  for (int i = MC_ID_BODY_LEN - 1; i >= 0; i--) {
    out[i] = id_alphabet[lo & 31];
    lo = (lo >> 5) | (top << 59);
    top >>= 5;
  }
}

static int64_t id_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Picks (ms, hi, lo) for the next id. A later millisecond takes fresh random bits; the same
 * millisecond (or a clock that stepped back) reuses the last time and adds a random step of
 * 1..2^32 to the random part, so the order holds and the next id still cannot be guessed from
 * this one. If the 80 bits would wrap, we borrow the next millisecond instead. */
static int id_next(const unsigned char fresh[10], uint32_t step, int64_t *ms, uint16_t *hi,
                   uint64_t *lo) {
  int64_t now = id_now_ms();
  int rc = MC_OK;

  pthread_mutex_lock(&id_mu);
  if (now <= id_last_ms) {
    uint64_t add = (uint64_t)step + 1;
    uint64_t nlo = id_last_lo + add;
    uint16_t nhi = id_last_hi;
    if (nlo < id_last_lo && ++nhi == 0) {
      now = id_last_ms + 1; /* 2^80 wrapped: move on to the next millisecond */
    } else {
      now = id_last_ms;
      id_last_lo = nlo;
      id_last_hi = nhi;
    }
  }
  if (now > id_last_ms) {
    id_last_hi = (uint16_t)((fresh[0] << 8) | fresh[1]);
    id_last_lo = 0;
    for (int i = 2; i < 10; i++) id_last_lo = (id_last_lo << 8) | fresh[i];
    id_last_ms = now;
  }
  if (id_last_ms < 0 || id_last_ms > ID_TIME_MAX) {
    rc = MC_ERR_INTERNAL; /* a clock before 1970 or past the year 10889 */
    goto done;
  }
  *ms = id_last_ms;
  *hi = id_last_hi;
  *lo = id_last_lo;
done:
  pthread_mutex_unlock(&id_mu);
  return rc;
}

int mc_id_new(const char *prefix, char out[MC_ID_MAX]) {
  /* Drawn before taking the lock so the getrandom call never runs inside it. */
  unsigned char fresh[14];
  uint32_t step;
  int64_t ms;
  uint16_t hi;
  uint64_t lo;
  size_t plen;
  int rc;

  if (prefix == NULL || out == NULL) return MC_ERR_INVALID;
  plen = strnlen(prefix, MC_ID_PREFIX_MAX + 1);
  if (!id_prefix_valid(prefix, plen)) return MC_ERR_INVALID;
  if (mc_rand_bytes(fresh, sizeof fresh) != MC_OK) return MC_ERR_INTERNAL;
  step = (uint32_t)fresh[10] << 24 | (uint32_t)fresh[11] << 16 | (uint32_t)fresh[12] << 8 |
         fresh[13];
  rc = id_next(fresh, step, &ms, &hi, &lo);
  if (rc != MC_OK) return rc;
  memcpy(out, prefix, plen);
  out[plen] = '_';
  id_encode(ms, hi, lo, out + plen + 1);
  out[plen + 1 + MC_ID_BODY_LEN] = '\0';
  return MC_OK;
}

/* Checks the shape "<prefix>_<26 digits>" and returns the body, or NULL. */
static const char *id_body(const char *s) {
  const char *sep;
  const char *body;

  if (s == NULL) return NULL;
  sep = memchr(s, '_', strnlen(s, MC_ID_PREFIX_MAX + 1));
  if (sep == NULL || !id_prefix_valid(s, (size_t)(sep - s))) return NULL;
  body = sep + 1;
  if (strnlen(body, MC_ID_BODY_LEN + 1) != MC_ID_BODY_LEN) return NULL;
  /* 26 digits hold 130 bits but ids are 128: a first digit above 7 was never written by us. */
  if (id_digit_value(body[0]) < 0 || id_digit_value(body[0]) > 7) return NULL;
  for (int i = 1; i < MC_ID_BODY_LEN; i++)
    if (id_digit_value(body[i]) < 0) return NULL;
  return body;
}

int mc_id_valid(const char *s, const char *prefix) {
  const char *body = id_body(s);
  size_t plen;

  if (body == NULL || prefix == NULL) return 0;
  plen = strnlen(prefix, MC_ID_PREFIX_MAX + 1);
  return (size_t)(body - 1 - s) == plen && memcmp(s, prefix, plen) == 0;
}

int mc_id_time_ms(const char *s, int64_t *out_ms) {
  const char *body = id_body(s);
  uint64_t v = 0;

  if (body == NULL || out_ms == NULL) return MC_ERR_INVALID;
  /* The first 10 digits are 50 bits: 2 always-zero bits and the 48-bit timestamp. */
  for (int i = 0; i < 10; i++) v = (v << 5) | (uint64_t)id_digit_value(body[i]);
  *out_ms = (int64_t)v;
  return MC_OK;
}
