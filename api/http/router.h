/* router.h - the API route table: routes compiled into segments once at start-up, matched per
 * request without allocating, and able to tell "no such path" (404) from "wrong method" (405). */
#ifndef MERCATO_HTTP_ROUTER_H
#define MERCATO_HTTP_ROUTER_H

#include <stddef.h>

#include "mercato/http.h"

#define MC_ROUTER_PATH_MAX 2048

/* Returns a new empty router the caller frees with mc_router_free, or NULL without memory. */
mc_router *mc_router_new(void);

/* Adds n routes (borrowed: the table must outlive the router). Must happen before start-up.
 * MC_ERR_INVALID for a malformed path or a method/path pair registered twice. */
int mc_router_add(mc_router *r, const mc_route *routes, int n);

/* Matches method and the raw (still percent-encoded) path. On a match returns the route and fills
 * params/nparams with decoded values. Otherwise returns NULL; when the path exists under other
 * methods, writes them as an Allow header value ("GET, HEAD") into allow, else allow[0] = 0.
 * A parameter that decodes to something unusable (NUL, over MC_ROUTE_PARAM_LEN) does not match. */
const mc_route *mc_router_match(const mc_router *r, const char *method, const char *path,
                                mc_route_param params[MC_ROUTE_PARAMS_MAX], int *nparams,
                                char *allow, size_t allow_len);

/* Frees r (NULL is fine). */
void mc_router_free(mc_router *r);

#endif
