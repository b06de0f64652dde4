/* fuzz_router.c - the API router on arbitrary methods and raw paths, over the real route tables:
 * matching never reads past its input, decoded parameters are terminated and short enough, a miss
 * writes a terminated Allow value, and the percent-decoder keeps to its buffer. Input:
 * "<method> <path>". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/http/router.h"
#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/http.h"

#define FUZZ_PATH_MAX 4096

static mc_router *router;

static void init_router(void) {
  if (router) return;
  router = mc_router_new();
  if (!router ||
      mc_router_add(router, mc_health_routes, mc_health_routes_count) != MC_OK ||
      mc_router_add(router, mc_auth_routes, mc_auth_routes_count) != MC_OK ||
      mc_router_add(router, mc_account_routes, mc_account_routes_count) != MC_OK ||
      mc_router_add(router, mc_catalog_routes, mc_catalog_routes_count) != MC_OK ||
      mc_router_add(router, mc_admin_catalog_routes, mc_admin_catalog_routes_count) != MC_OK ||
      mc_router_add(router, mc_image_routes, mc_image_routes_count) != MC_OK)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char input[FUZZ_PATH_MAX + 1], allow[128], decoded[FUZZ_PATH_MAX + 1];
  mc_route_param params[MC_ROUTE_PARAMS_MAX];
  int nparams = 0;

  if (size > FUZZ_PATH_MAX || memchr(data, '\0', size)) return 0;
  init_router();
  memcpy(input, data, size);
  input[size] = '\0';
  char *sp = strchr(input, ' ');
  if (!sp) return 0;
  *sp = '\0';
  const char *method = input, *path = sp + 1;

  const mc_route *r = mc_router_match(router, method, path, params, &nparams, allow, sizeof allow);
  if (r) {
    if (nparams < 0 || nparams > MC_ROUTE_PARAMS_MAX) abort();
    for (int i = 0; i < nparams; i++)
      if (!memchr(params[i].value, '\0', sizeof params[i].value)) abort();
  } else if (!memchr(allow, '\0', sizeof allow)) {
    abort();
  }
  long n = mc_percent_decode(path, strlen(path), decoded, sizeof decoded, 0);
  if (n >= 0 && ((size_t)n >= sizeof decoded || decoded[n] != '\0' || memchr(decoded, '\0', (size_t)n))) abort();
  return 0;
}
