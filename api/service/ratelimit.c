/* ratelimit.c - fixed-window counters in the kv port: the first hit on a key fixes its window. */
#include "mercato/ratelimit.h"

#include "mercato/err.h"
#include "mercato/log.h"

int mc_rate_hit(mc_kv *kv, const char *key, int64_t limit, int64_t window_s, int64_t *retry_after_s) {
  int64_t count = 0, left = 0;
  int rc = mc_kv_incr(kv, key, 1, window_s * 1000, &count);
  *retry_after_s = 0;
  if (rc != MC_OK) {
    mc_warn("auth", "rate limit counter unavailable (%s); allowing the request", mc_err_name(rc));
    return MC_OK;
  }
  if (count <= limit) return MC_OK;
  if (mc_kv_pttl(kv, key, &left) != MC_OK || left < 0) left = window_s * 1000;
  *retry_after_s = (left + 999) / 1000;
  return MC_ERR_FORBIDDEN;
}
