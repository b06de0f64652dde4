/* ratelimit.h - fixed-window counters in the kv port, and the guessing limits on an account's
 * password that sign-in and password changes share (service/ratelimit.c). */
#ifndef MERCATO_RATELIMIT_H
#define MERCATO_RATELIMIT_H

#include <stdint.h>

#include "mercato/kv.h"

/* Counts one hit on the fixed window key (window_s long) and refuses past limit:
 * MC_ERR_FORBIDDEN with *retry_after_s set when over. Fails open (MC_OK) when the kv does not
 * answer, logging it, for limits whose outage must not stop the shop (never for guessing). */
int mc_rate_hit(mc_kv *kv, const char *key, int64_t limit, int64_t window_s, int64_t *retry_after_s);

/* Like mc_rate_hit, but fails closed: MC_ERR_UNAVAILABLE when the kv does not answer. */
int mc_rate_hit_closed(mc_kv *kv, const char *key, int64_t limit, int64_t window_s, int64_t *retry_after_s);

/* Guessing limits: they stop guessing without handing anyone a lock on someone else's account.
 * - per account and client network (the hard limit): past per_network failed attempts in
 *   window_s, that network is refused on that account, even with the right password, until the
 *   window ends; a success from the network wipes its count;
 * - per account alone (a slowdown, never a wall): once the account has slowdown_after failed
 *   attempts in window_s from all networks, a network that has failed on it may try once per
 *   slowdown_delay_s; a network with no failure on it (a clean one) is not slowed, so the owner
 *   signing in from elsewhere gets in at once. Each network waits its own turn, so an attacker
 *   cannot use up the owner's. */
typedef struct mc_guess_limits {
  int64_t per_network;      /* failed attempts per account and network per window */
  int64_t window_s;
  int64_t slowdown_after;   /* failed attempts on the account from anywhere */
  int64_t slowdown_delay_s;
} mc_guess_limits;

/* One attempt in progress: the keys it counts on. */
typedef struct mc_guess {
  char pair_key[MC_KV_KEY_MAX + 1];
  char account_key[MC_KV_KEY_MAX + 1];
  char pace_key[MC_KV_KEY_MAX + 1];
  int64_t window_s;
} mc_guess;

/* Before checking a password for account (an email, at most 254 bytes) from network (the
 * client's address or /64): MC_OK to go ahead (then call mc_rate_guess_end with the outcome),
 * MC_ERR_FORBIDDEN with *retry_after_s when limited, MC_ERR_UNAVAILABLE when the kv does not
 * answer (fails closed: no guess goes unlimited). Fills *g. */
int mc_rate_guess_begin(mc_kv *kv, const mc_guess_limits *lim, const char *account, const char *network,
                        mc_guess *g, int64_t *retry_after_s);

/* Records the outcome of the attempt g began: success wipes the network's count on the
 * account; a failure counts towards the account's slowdown. Failures to record are logged. */
void mc_rate_guess_end(mc_kv *kv, const mc_guess *g, int success);

#endif
