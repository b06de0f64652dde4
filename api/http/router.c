/* router.c - compiles the route table into segment lists and matches request paths against it.
 * Linear over routes with the same segment count; no allocation per request. */
#include "router.h"

#include <stdlib.h>
#include <string.h>

#include "mercato/codec.h"
#include "mercato/err.h"

#define MAX_SEGMENTS 12

typedef struct compiled {
  const mc_route *route;
  int nseg;
  const char *seg[MAX_SEGMENTS]; /* into the route's path; a leading ':' marks a parameter */
  size_t seglen[MAX_SEGMENTS];
  char names[MC_ROUTE_PARAMS_MAX][32]; /* parameter names, NUL-terminated */
} compiled;

struct mc_router {
  compiled *items;
  int count, cap;
};

mc_router *mc_router_new(void) {
  return calloc(1, sizeof(mc_router));
}

void mc_router_free(mc_router *r) {
  if (!r) return;
  free(r->items);
  free(r);
}

/* Splits path ("/a/b/c") into at most MAX_SEGMENTS segments. Returns the count or -1. */
static int split(const char *path, const char **seg, size_t *seglen) {
  int n = 0;
  const char *p = path;
  if (*p != '/') return -1;
  if (p[1] == '\0') return 0;
  while (*p == '/') {
    const char *start = ++p;
    while (*p && *p != '/') p++;
    if (p == start || n == MAX_SEGMENTS) return -1; /* empty segment ("//", trailing '/') */
    seg[n] = start;
    seglen[n++] = (size_t)(p - start);
  }
  return *p == '\0' ? n : -1;
}

static int same_shape(const compiled *a, const compiled *b) {
  if (a->nseg != b->nseg) return 0;
  for (int i = 0; i < a->nseg; i++) {
    int pa = a->seg[i][0] == ':', pb = b->seg[i][0] == ':';
    if (pa != pb) return 0;
    if (!pa && (a->seglen[i] != b->seglen[i] || memcmp(a->seg[i], b->seg[i], a->seglen[i]) != 0))
      return 0;
  }
  return 1;
}

int mc_router_add(mc_router *r, const mc_route *routes, int n) {
  for (int i = 0; i < n; i++) {
    compiled c = {.route = &routes[i]};
    int params = 0;
    c.nseg = split(routes[i].path, c.seg, c.seglen);
    if (c.nseg < 0 || !routes[i].handler || !routes[i].method) return MC_ERR_INVALID;
    for (int s = 0; s < c.nseg; s++) {
      if (c.seg[s][0] != ':') continue;
      if (params == MC_ROUTE_PARAMS_MAX || c.seglen[s] < 2 || c.seglen[s] > sizeof c.names[0])
        return MC_ERR_INVALID;
      memcpy(c.names[params], c.seg[s] + 1, c.seglen[s] - 1);
      c.names[params++][c.seglen[s] - 1] = '\0';
    }
    for (int j = 0; j < r->count; j++)
      if (strcmp(r->items[j].route->method, routes[i].method) == 0 && same_shape(&r->items[j], &c))
        return MC_ERR_INVALID;
    if (r->count == r->cap) {
      int cap = r->cap ? r->cap * 2 : 32;
      compiled *items = realloc(r->items, (size_t)cap * sizeof *items);
      if (!items) return MC_ERR_INTERNAL;
      r->items = items;
      r->cap = cap;
    }
    r->items[r->count++] = c;
  }
  return MC_OK;
}

static int method_matches(const char *route_method, const char *method) {
  if (strcmp(route_method, method) == 0) return 1;
  return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

static void allow_add(char *allow, size_t len, const char *method) {
  size_t used = strlen(allow);
  if (strstr(allow, method)) return;
  snprintf(allow + used, len - used, "%s%s", used ? ", " : "", method);
}

const mc_route *mc_router_match(const mc_router *r, const char *method, const char *path,
                                mc_route_param params[MC_ROUTE_PARAMS_MAX], int *nparams,
                                char *allow, size_t allow_len) {
  const char *seg[MAX_SEGMENTS];
  size_t seglen[MAX_SEGMENTS];
  int nseg = split(path, seg, seglen);
  if (allow_len) allow[0] = '\0';
  *nparams = 0;
  if (nseg < 0) return NULL;
  for (int i = 0; i < r->count; i++) {
    const compiled *c = &r->items[i];
    int ok = c->nseg == nseg, np = 0;
    for (int s = 0; ok && s < nseg; s++) {
      if (c->seg[s][0] == ':') {
        if (mc_percent_decode(seg[s], seglen[s], params[np].value, MC_ROUTE_PARAM_LEN, 0) <= 0) ok = 0;
        else {
          params[np].name = c->names[np];
          np++;
        }
      } else if (c->seglen[s] != seglen[s] || memcmp(c->seg[s], seg[s], seglen[s]) != 0) {
        ok = 0;
      }
    }
    if (!ok) continue;
    if (method_matches(c->route->method, method)) {
      *nparams = np;
      return c->route;
    }
    if (allow_len) {
      allow_add(allow, allow_len, c->route->method);
      if (strcmp(c->route->method, "GET") == 0) allow_add(allow, allow_len, "HEAD");
    }
  }
  return NULL;
}
