/* ratelimit.h - fixed-window counters in the kv port (service/ratelimit.c). */
#ifndef MERCATO_RATELIMIT_H
#define MERCATO_RATELIMIT_H

#include <stdint.h>

#include "mercato/kv.h"

/* Counts one hit on the fixed window key (window_s long) and refuses past limit:
 * MC_ERR_FORBIDDEN with *retry_after_s set when over. Fails open (MC_OK) when the kv does not
 * answer, logging it, so an outage of Redis does not lock every customer out. */
int mc_rate_hit(mc_kv *kv, const char *key, int64_t limit, int64_t window_s, int64_t *retry_after_s);

#endif
