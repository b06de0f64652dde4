/* prefix.c - a kv adapter that puts a fixed prefix in front of every key of another one, so
 * several shops (or test servers) can share one Redis database without seeing each other. */
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/kv.h"

typedef struct prefixed {
  mc_kv base; /* first: the port's mc_kv * is this struct */
  mc_kv *inner;
  size_t len;
  char prefix[MC_KV_PREFIX_MAX + 1];
} prefixed;

/* Writes prefix + key into out (MC_KV_KEY_MAX + 1 bytes); 0, or -1 when it does not fit. */
static int full_key(const prefixed *p, const char *key, char out[MC_KV_KEY_MAX + 1]) {
  size_t n = key ? strnlen(key, MC_KV_KEY_MAX + 1) : MC_KV_KEY_MAX + 1;
  if (n == 0 || p->len + n > MC_KV_KEY_MAX) return -1;
  memcpy(out, p->prefix, p->len);
  memcpy(out + p->len, key, n + 1);
  return 0;
}

#define WITH_KEY(kv, key, call)                                  \
  do {                                                           \
    prefixed *p = (prefixed *)(kv);                              \
    char k[MC_KV_KEY_MAX + 1];                                   \
    if (full_key(p, (key), k) != 0) return MC_ERR_INVALID;       \
    return (call);                                               \
  } while (0)

static int pf_get(mc_kv *kv, const char *key, char **out, size_t *out_len) {
  WITH_KEY(kv, key, p->inner->ops->get(p->inner, k, out, out_len));
}
static int pf_set(mc_kv *kv, const char *key, const void *v, size_t n, int64_t ttl_ms) {
  WITH_KEY(kv, key, p->inner->ops->set(p->inner, k, v, n, ttl_ms));
}
static int pf_set_cache(mc_kv *kv, const char *key, const void *v, size_t n, int64_t ttl_ms) {
  WITH_KEY(kv, key, p->inner->ops->set_cache(p->inner, k, v, n, ttl_ms));
}
static int pf_set_nx(mc_kv *kv, const char *key, const void *v, size_t n, int64_t ttl_ms) {
  WITH_KEY(kv, key, p->inner->ops->set_nx(p->inner, k, v, n, ttl_ms));
}
static int pf_del(mc_kv *kv, const char *key) {
  WITH_KEY(kv, key, p->inner->ops->del(p->inner, k));
}
static int pf_incr(mc_kv *kv, const char *key, int64_t delta, int64_t ttl_ms, int64_t *out) {
  WITH_KEY(kv, key, p->inner->ops->incr(p->inner, k, delta, ttl_ms, out));
}
static int pf_cas(mc_kv *kv, const char *key, const void *expected, size_t elen, const void *nv, size_t nlen,
                  int64_t ttl_ms) {
  WITH_KEY(kv, key, p->inner->ops->cas(p->inner, k, expected, elen, nv, nlen, ttl_ms));
}
static int pf_pttl(mc_kv *kv, const char *key, int64_t *out_ms) {
  WITH_KEY(kv, key, p->inner->ops->pttl(p->inner, k, out_ms));
}
static int pf_ping(mc_kv *kv) {
  prefixed *p = (prefixed *)kv;
  return p->inner->ops->ping(p->inner);
}
static void pf_close(mc_kv *kv) {
  prefixed *p = (prefixed *)kv;
  mc_kv_close(p->inner);
  free(p);
}

static const mc_kv_ops prefixed_ops = {
  .get = pf_get, .set = pf_set, .set_cache = pf_set_cache, .set_nx = pf_set_nx, .del = pf_del,
  .incr = pf_incr, .cas = pf_cas, .pttl = pf_pttl, .ping = pf_ping, .close = pf_close,
};

int mc_kv_prefixed(mc_kv *inner, const char *prefix, mc_kv **out) {
  size_t n = prefix ? strlen(prefix) : 0;
  prefixed *p;
  *out = NULL;
  if (!inner || n == 0 || n > MC_KV_PREFIX_MAX) return MC_ERR_INVALID;
  if (!(p = calloc(1, sizeof *p))) return MC_ERR_INTERNAL;
  p->base.ops = &prefixed_ops;
  p->base.name = inner->name;
  p->inner = inner;
  p->len = n;
  memcpy(p->prefix, prefix, n + 1);
  *out = &p->base;
  return MC_OK;
}
