/* kv.c - the key-value port's entry points: choose an adapter from a URL, close it, and the
 * bound checks and counter parsing every adapter shares so they agree on what is valid. */
#include "mercato/kv.h"

#include <string.h>
#include <strings.h>

#include "mercato/err.h"
#include "mercato/log.h"

static int has_scheme(const char *url, const char *scheme) {
  return strncasecmp(url, scheme, strlen(scheme)) == 0;
}

int mc_kv_open_options(const mc_kv_options *opts, mc_kv **out) {
  const char *url;
  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (opts == NULL) return MC_ERR_INVALID;
  url = opts->url;
  if (url == NULL || url[0] == '\0')
    return mc_kv_memory_open_budget(opts->memory_max_bytes ? opts->memory_max_bytes : MC_KV_MEMORY_MAX_BYTES_DEFAULT,
                                    out);
  if (has_scheme(url, "redis://") || has_scheme(url, "unix://"))
    return mc_kv_redis_open(url, opts->timeout_ms, out);
  /* The URL may hold a password, so only say what was expected. */
  mc_warn("kv", "unsupported kv URL: expected redis:// or unix://");
  return MC_ERR_INVALID;
}

int mc_kv_open(const char *url, int timeout_ms, mc_kv **out) {
  mc_kv_options opts = {.url = url, .timeout_ms = timeout_ms};
  return mc_kv_open_options(&opts, out);
}

void mc_kv_close(mc_kv *kv) {
  if (kv != NULL) kv->ops->close(kv);
}

int mc_kv_check(const char *key, size_t *key_len, const void *value, size_t len, int64_t ttl_ms) {
  size_t n;
  if (key == NULL) return MC_ERR_INVALID;
  /* strnlen stops early so an unterminated or huge key costs at most MAX+1 bytes of reading. */
  n = strnlen(key, MC_KV_KEY_MAX + 1);
  if (n == 0 || n > MC_KV_KEY_MAX) return MC_ERR_INVALID;
  if (value == NULL && len != 0) return MC_ERR_INVALID;
  if (len > MC_KV_VALUE_MAX) return MC_ERR_INVALID;
  if (ttl_ms < 0 || ttl_ms > MC_KV_TTL_MAX) return MC_ERR_INVALID;
  if (key_len != NULL) *key_len = n;
  return MC_OK;
}

int mc_kv_parse_int(const char *s, size_t len, int64_t *out) {
  size_t i = 0;
  int negative = 0;
  /* Accumulate as a negative number: its range includes INT64_MIN, the positive one does not. */
  int64_t acc = 0;

  if (s == NULL || len == 0 || len > 20) return MC_ERR_INVALID;
  if (s[0] == '-') {
    negative = 1;
    i = 1;
    if (len == 1) return MC_ERR_INVALID;
  }
  /* One canonical spelling per number, as Redis's INCR demands: "0" but not "00" or "-0". */
  if (s[i] == '0' && (len - i > 1 || negative)) return MC_ERR_INVALID;
  for (; i < len; i++) {
    int d;
    if (s[i] < '0' || s[i] > '9') return MC_ERR_INVALID;
    d = s[i] - '0';
    if (acc < (INT64_MIN + d) / 10) return MC_ERR_INVALID;
    acc = acc * 10 - d;
  }
  if (!negative) {
    if (acc == INT64_MIN) return MC_ERR_INVALID;
    acc = -acc;
  }
  if (out != NULL) *out = acc;
  return MC_OK;
}
