/* catalog.c - the public catalog: GET /categories (the tree), /categories/{slug}, /products
 * (search, filters, sorting, pages) and /products/{id or slug}. Answers come from the catalog
 * service's kv cache when it has them, carry a strong ETag (304 on If-None-Match) and may be
 * kept by shared caches for a minute. */
#include <stdlib.h>
#include <string.h>

#include "mercato/catalog.h"
#include "mercato/err.h"
#include "mercato/http.h"

/* Writes a ready answer: 304 without a body when the client holds it, else 200 with the body
 * (stolen from a). */
static void send_answer(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp,
                        mc_catalog_answer *a) {
  if (mc_http_public_not_modified(ctx, req, resp, a->etag)) return;
  free(resp->binary_body);
  resp->binary_body = a->body;
  resp->binary_body_length = a->len;
  a->body = NULL;
  resp->status = 200;
  u_map_put(resp->map_header, "Content-Type", "application/json");
}

/* Writes the answer, or the refusal (why, may be NULL; emptied) or the problem rc stands for
 * (missing: the detail of a 404); frees a. */
static void finish(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp, int rc,
                   mc_catalog_answer *a, mc_refusal *why, const char *missing) {
  mc_refusal none = {0};
  if (why == NULL) why = &none;
  if (rc == MC_OK) {
    send_answer(ctx, req, resp, a);
  } else {
    if (rc == MC_ERR_NOT_FOUND && missing && why->code == NULL) mc_refuse(why, rc, "not_found", NULL, "%s", missing);
    mc_http_refusal(ctx, resp, rc, why);
  }
  mc_refusal_clear(why);
  mc_catalog_answer_free(a);
}

static void list_categories(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  mc_catalog_answer a = {0};
  if (!mc_http_no_query(ctx, req, resp)) return;
  finish(ctx, req, resp, mc_catalog_tree_public(cat, &a), &a, NULL, NULL);
}

static void get_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  mc_catalog_answer a = {0};
  if (!mc_http_no_query(ctx, req, resp)) return;
  finish(ctx, req, resp, mc_catalog_category_public(cat, mc_http_param(ctx, "slug"), &a), &a, NULL,
         "There is no category with this slug.");
}

static void list_products(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  mc_catalog_listing listing;
  mc_catalog_answer a = {0};
  mc_refusal why = {0};
  int rc = mc_catalog_parse_listing(mc_http_query(req), 0, &listing, &why);
  if (rc == MC_OK) rc = mc_catalog_list_public(cat, &listing, &a, &why);
  finish(ctx, req, resp, rc, &a, &why, NULL);
}

static void get_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  mc_catalog_answer a = {0};
  if (!mc_http_no_query(ctx, req, resp)) return;
  finish(ctx, req, resp, mc_catalog_product_public(cat, mc_http_param(ctx, "key"), &a), &a, NULL,
         "There is no product with this id or slug.");
}

const mc_route mc_catalog_routes[] = {
  {"GET", "/api/v1/categories", list_categories, MC_ROUTE_PUBLIC, 0},
  {"GET", "/api/v1/categories/:slug", get_category, MC_ROUTE_PUBLIC, 0},
  {"GET", "/api/v1/products", list_products, MC_ROUTE_PUBLIC, 0},
  {"GET", "/api/v1/products/:key", get_product, MC_ROUTE_PUBLIC, 0},
};
const int mc_catalog_routes_count = sizeof mc_catalog_routes / sizeof mc_catalog_routes[0];
