/* ratelimit.c - fixed-window counters in the kv port (the first hit on a key fixes its window),
 * and the guessing limits on an account's password that sign-in and password changes share. */
#include "mercato/ratelimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/log.h"

/* The seconds left in key's window (window_s when the kv cannot say), at least 1. */
static int64_t seconds_left(mc_kv *kv, const char *key, int64_t window_s) {
  int64_t left = 0;
  if (mc_kv_pttl(kv, key, &left) != MC_OK || left < 0) left = window_s * 1000;
  left = (left + 999) / 1000;
  return left < 1 ? 1 : left;
}

int mc_rate_hit_closed(mc_kv *kv, const char *key, int64_t limit, int64_t window_s, int64_t *retry_after_s) {
  int64_t count = 0;
  int rc = mc_kv_incr(kv, key, 1, window_s * 1000, &count);
  *retry_after_s = 0;
  if (rc != MC_OK) {
    mc_warn("auth", "rate limit counter unavailable (%s)", mc_err_name(rc));
    return MC_ERR_UNAVAILABLE;
  }
  if (count <= limit) return MC_OK;
  *retry_after_s = seconds_left(kv, key, window_s);
  return MC_ERR_FORBIDDEN;
}

int mc_rate_hit(mc_kv *kv, const char *key, int64_t limit, int64_t window_s, int64_t *retry_after_s) {
  int rc = mc_rate_hit_closed(kv, key, limit, window_s, retry_after_s);
  if (rc == MC_ERR_UNAVAILABLE) {
    mc_warn("auth", "allowing the request without its rate limit");
    return MC_OK;
  }
  return rc;
}

/* ---- guessing limits ---- */

/* The failed attempts on account from every network in this window (0 when none). */
static int account_failures(mc_kv *kv, const mc_guess *g, int64_t *out) {
  char *val = NULL;
  size_t len = 0;
  int rc = mc_kv_get(kv, g->account_key, &val, &len);
  *out = 0;
  if (rc == MC_ERR_NOT_FOUND) return MC_OK;
  if (rc == MC_OK && mc_kv_parse_int(val, len, out) != MC_OK) *out = 0;
  free(val);
  return rc;
}

/* For a network that has failed on an account under attack: one attempt per delay. */
static int paced(mc_kv *kv, const mc_guess_limits *lim, const mc_guess *g, int64_t *retry_after_s) {
  int64_t failures = 0, turn = 0;
  int rc = account_failures(kv, g, &failures);
  if (rc != MC_OK) return MC_ERR_UNAVAILABLE;
  if (failures < lim->slowdown_after) return MC_OK;
  if (mc_kv_incr(kv, g->pace_key, 1, lim->slowdown_delay_s * 1000, &turn) != MC_OK) return MC_ERR_UNAVAILABLE;
  if (turn <= 1) return MC_OK;
  *retry_after_s = seconds_left(kv, g->pace_key, lim->slowdown_delay_s);
  return MC_ERR_FORBIDDEN;
}

int mc_rate_guess_begin(mc_kv *kv, const mc_guess_limits *lim, const char *account, const char *network,
                        mc_guess *g, int64_t *retry_after_s) {
  int64_t count = 0;
  const char *net = network && *network ? network : "unknown";

  *retry_after_s = 0;
  memset(g, 0, sizeof *g);
  snprintf(g->pair_key, sizeof g->pair_key, "rl:g:n:%s:%s", net, account);
  snprintf(g->account_key, sizeof g->account_key, "rl:g:a:%s", account);
  snprintf(g->pace_key, sizeof g->pace_key, "rl:g:p:%s:%s", net, account);
  g->window_s = lim->window_s;
  /* Counted before the password is checked, so concurrent guesses cannot slip past the limit;
   * a success wipes the count (mc_rate_guess_end), so it is failures in effect. */
  if (mc_kv_incr(kv, g->pair_key, 1, lim->window_s * 1000, &count) != MC_OK) {
    mc_warn("auth", "guessing limits unavailable; refusing the attempt");
    return MC_ERR_UNAVAILABLE;
  }
  if (count > lim->per_network) {
    *retry_after_s = seconds_left(kv, g->pair_key, lim->window_s);
    return MC_ERR_FORBIDDEN;
  }
  /* A network with no failure on the account (a clean one) is never slowed down. */
  if (count == 1) return MC_OK;
  return paced(kv, lim, g, retry_after_s);
}

void mc_rate_guess_end(mc_kv *kv, const mc_guess *g, int success) {
  int64_t n = 0;
  int rc = success ? mc_kv_del(kv, g->pair_key) : mc_kv_incr(kv, g->account_key, 1, g->window_s * 1000, &n);
  if (rc != MC_OK && rc != MC_ERR_NOT_FOUND)
    mc_warn("auth", "guessing limits: the attempt was not recorded (%s)", mc_err_name(rc));
}
