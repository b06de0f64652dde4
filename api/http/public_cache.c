/* public_cache.c - conditional answers for public, cacheable resources (the catalog, the shop's
 * description): a strong ETag, 304 on a matching If-None-Match, and a minute in shared caches. */
#include <string.h>

#include "mercato/http.h"

#define PUBLIC_CACHE_CONTROL "public, max-age=60"

/* If-None-Match is "*" or a list of entity tags; W/ tags compare weakly, as RFC 9110 says for
 * this header. Anything malformed never matches. */
static int etag_matches(const char *header, const char *etag) {
  size_t elen = strlen(etag);
  for (const char *p = header; p && *p;) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    if (*p == '*') return 1;
    if (strncmp(p, "W/", 2) == 0) p += 2;
    if (*p != '"') {
      p = strchr(p, ',');
      continue;
    }
    const char *end = strchr(p + 1, '"');
    if (!end) return 0;
    if ((size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0) return 1;
    p = end + 1;
  }
  return 0;
}

int mc_http_public_not_modified(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp,
                                const char *etag) {
  u_map_put(resp->map_header, "ETag", etag);
  u_map_put(resp->map_header, "Cache-Control", PUBLIC_CACHE_CONTROL);
  ctx->done = 1;
  if (!etag_matches(u_map_get_case(req->map_header, "If-None-Match"), etag)) return 0;
  resp->status = 304;
  return 1;
}
