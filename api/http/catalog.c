/* catalog.c - the public catalog: GET /categories (the tree), /categories/{slug}, /products
 * (search, filters, sorting, pages) and /products/{id or slug}. Answers come from the catalog
 * service's kv cache when it has them, carry a strong ETag (304 on If-None-Match) and may be
 * kept by shared caches for a minute. */
#include <stdlib.h>
#include <string.h>

#include "mercato/catalog.h"
#include "mercato/err.h"
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

/* Writes a ready answer: 304 without a body when the client holds it, else 200 with the body
 * (stolen from a). */
static void send_answer(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp,
                        mc_catalog_answer *a) {
  u_map_put(resp->map_header, "ETag", a->etag);
  u_map_put(resp->map_header, "Cache-Control", PUBLIC_CACHE_CONTROL);
  ctx->done = 1;
  if (etag_matches(u_map_get_case(req->map_header, "If-None-Match"), a->etag)) {
    resp->status = 304;
    return;
  }
  free(resp->binary_body);
  resp->binary_body = a->body;
  resp->binary_body_length = a->len;
  a->body = NULL;
  resp->status = 200;
  u_map_put(resp->map_header, "Content-Type", "application/json");
}

static mc_catalog catalog_of(const mc_http_ctx *ctx) {
  return (mc_catalog){ctx->app->cfg, ctx->app->store, ctx->app->kv};
}

/* Writes the answer, the validation errors (stolen) or the problem rc stands for; frees a. */
static void finish(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp, int rc,
                   mc_catalog_answer *a, json_t *errors, const char *missing) {
  if (rc == MC_OK) {
    send_answer(ctx, req, resp, a);
  } else if (rc == MC_ERR_INVALID && errors) {
    mc_http_invalid(ctx, resp, errors);
    errors = NULL;
  } else {
    mc_http_error(ctx, resp, rc, rc == MC_ERR_NOT_FOUND ? missing : NULL);
  }
  json_decref(errors);
  mc_catalog_answer_free(a);
}

static void list_categories(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  mc_catalog_answer a = {0};
  if (!mc_http_no_query(ctx, req, resp)) return;
  finish(ctx, req, resp, mc_catalog_tree_public(&cat, &a), &a, NULL, NULL);
}

static void get_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  mc_catalog_answer a = {0};
  if (!mc_http_no_query(ctx, req, resp)) return;
  finish(ctx, req, resp, mc_catalog_category_public(&cat, mc_http_param(ctx, "slug"), &a), &a, NULL,
         "There is no category with this slug.");
}

static void list_products(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  mc_catalog_listing listing;
  mc_catalog_answer a = {0};
  json_t *errors = NULL;
  int rc = mc_catalog_parse_listing(mc_http_query(req), 0, &listing, &errors);
  if (rc == MC_OK) rc = mc_catalog_list_public(&cat, &listing, &a, &errors);
  finish(ctx, req, resp, rc, &a, errors, NULL);
}

static void get_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  mc_catalog_answer a = {0};
  if (!mc_http_no_query(ctx, req, resp)) return;
  finish(ctx, req, resp, mc_catalog_product_public(&cat, mc_http_param(ctx, "key"), &a), &a, NULL,
         "There is no product with this id or slug.");
}

const mc_route mc_catalog_routes[] = {
  {"GET", "/api/v1/categories", list_categories, MC_ROUTE_PUBLIC, 0},
  {"GET", "/api/v1/categories/:slug", get_category, MC_ROUTE_PUBLIC, 0},
  {"GET", "/api/v1/products", list_products, MC_ROUTE_PUBLIC, 0},
  {"GET", "/api/v1/products/:key", get_product, MC_ROUTE_PUBLIC, 0},
};
const int mc_catalog_routes_count = sizeof mc_catalog_routes / sizeof mc_catalog_routes[0];
