/* admin_catalog.c - /admin/categories and /admin/products: the catalog's writes, each with its
 * own allow-list of writable fields (anything else is an unknown_field, so price, stock or a
 * role can never ride along), and the admin listing with inactive products and stock levels.
 * Deleting a product that orders name archives it (200 with the product, not 204). The
 * service's refusals are answered through the one refusal table (mc_http_refusal). */
#include <stdio.h>

#include "mercato/catalog.h"
#include "mercato/err.h"
#include "mercato/http.h"
#include "mercato/refusal.h"

static const char *const category_fields[] = {"name", "slug", "description", "parent_id", "position", NULL};
static const char *const product_create_fields[] = {"name",  "slug",   "description", "price",        "currency",
                                                    "compare_at_price", "sku", "stock", "active", "category_ids",
                                                    NULL};
/* The currency is the shop's: it is set at creation and never changed per product. */
static const char *const product_update_fields[] = {"name",  "slug",  "description", "price",        "compare_at_price",
                                                    "sku",   "stock", "active",      "category_ids", NULL};

/* Answers a failed read with the status of rc (missing: the detail of a 404). */
static void failed(mc_http_ctx *ctx, struct _u_response *resp, int rc, const char *missing) {
  mc_http_error(ctx, resp, rc, rc == MC_ERR_NOT_FOUND ? missing : NULL);
}

/* Answers 201 with {name: doc} (stolen) and a Location under base. */
static void created(mc_http_ctx *ctx, struct _u_response *resp, const char *base, const char *name, json_t *doc) {
  char location[160];
  snprintf(location, sizeof location, "%s/%s", base, json_string_value(json_object_get(doc, "id")) ?: "");
  u_map_put(resp->map_header, "Location", location);
  mc_http_json(ctx, resp, 201, json_pack("{s:o}", name, doc));
}

static void deleted(mc_http_ctx *ctx, struct _u_response *resp) {
  resp->status = 204;
  ctx->done = 1;
}

/* One admin write: the service's create (id NULL) or update of the document named id. */
typedef int (*write_fn)(const mc_catalog *cat, const char *id, const json_t *body, json_t **out, mc_refusal *why);

static int category_create(const mc_catalog *cat, const char *id, const json_t *body, json_t **out, mc_refusal *why) {
  (void)id;
  return mc_catalog_category_create(cat, body, out, why);
}

static int product_create(const mc_catalog *cat, const char *id, const json_t *body, json_t **out, mc_refusal *why) {
  (void)id;
  return mc_catalog_product_create(cat, body, out, why);
}

/* Reads the body against its allow-list (fields), runs write and answers: 201 with {name: doc}
 * and a Location under base when base is given (a create), else 200 with {name: doc}, or the
 * refusal, unknown fields included. */
static void write_doc(mc_http_ctx *ctx, struct _u_response *resp, const char *const *fields, write_fn write,
                      const char *name, const char *base) {
  const mc_catalog *cat = &ctx->app->catalog;
  mc_refusal why = {0};
  json_t *errors = NULL, *doc = NULL;
  const json_t *body = mc_body_object(ctx, fields, &errors);
  mc_refusal_take_errors(&why, errors);
  int rc = body ? write(cat, base ? NULL : mc_http_param(ctx, "id"), body, &doc, &why) : MC_ERR_INVALID;
  if (rc != MC_OK) {
    mc_http_refusal(ctx, resp, rc, &why);
    return;
  }
  mc_refusal_clear(&why);
  if (base) created(ctx, resp, base, name, doc);
  else mc_http_json(ctx, resp, 200, json_pack("{s:o}", name, doc));
}

/* --- categories -------------------------------------------------------------------------------- */

static void list_categories(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  json_t *out = NULL;
  if (!mc_http_no_query(ctx, req, resp)) return;
  int rc = mc_catalog_categories_admin(cat, &out);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, out);
  else failed(ctx, resp, rc, NULL);
}

static void get_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  json_t *doc = NULL;
  if (!mc_http_no_query(ctx, req, resp)) return;
  int rc = mc_catalog_category_get(cat, mc_http_param(ctx, "id"), &doc);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, json_pack("{s:o}", "category", doc));
  else failed(ctx, resp, rc, "There is no category with this id.");
}

static void create_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  (void)req;
  write_doc(ctx, resp, category_fields, category_create, "category", "/api/v1/admin/categories");
}

static void update_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  (void)req;
  write_doc(ctx, resp, category_fields, mc_catalog_category_update, "category", NULL);
}

static void delete_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  mc_refusal why = {0};
  (void)req;
  int rc = mc_catalog_category_delete(cat, mc_http_param(ctx, "id"), &why);
  if (rc == MC_OK) deleted(ctx, resp);
  else mc_http_refusal(ctx, resp, rc, &why);
}

/* --- products ---------------------------------------------------------------------------------- */

static void list_products(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  mc_catalog_listing listing;
  mc_refusal why = {0};
  json_t *out = NULL;
  int rc = mc_catalog_parse_listing(mc_http_query(req), 1, &listing, &why);
  if (rc == MC_OK) rc = mc_catalog_list_admin(cat, &listing, &out, &why);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, out);
  else mc_http_refusal(ctx, resp, rc, &why);
}

static void get_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  json_t *doc = NULL;
  if (!mc_http_no_query(ctx, req, resp)) return;
  int rc = mc_catalog_product_get(cat, mc_http_param(ctx, "id"), &doc);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, json_pack("{s:o}", "product", doc));
  else failed(ctx, resp, rc, "There is no product with this id.");
}

static void create_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  (void)req;
  write_doc(ctx, resp, product_create_fields, product_create, "product", "/api/v1/admin/products");
}

static void update_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  (void)req;
  write_doc(ctx, resp, product_update_fields, mc_catalog_product_update, "product", NULL);
}

/* 204 when the product is gone; 200 with the archived product when orders name it. */
static void delete_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_catalog *cat = &ctx->app->catalog;
  mc_refusal why = {0};
  json_t *archived = NULL;
  (void)req;
  int rc = mc_catalog_product_delete(cat, mc_http_param(ctx, "id"), &archived, &why);
  if (rc == MC_OK && archived) mc_http_json(ctx, resp, 200, json_pack("{s:o}", "product", archived));
  else if (rc == MC_OK) deleted(ctx, resp);
  else mc_http_refusal(ctx, resp, rc, &why);
  if (rc == MC_OK) mc_refusal_clear(&why);
}

const mc_route mc_admin_catalog_routes[] = {
  {"GET", "/api/v1/admin/categories", list_categories, MC_ROUTE_ADMIN, 0},
  {"POST", "/api/v1/admin/categories", create_category, MC_ROUTE_ADMIN, 0},
  {"GET", "/api/v1/admin/categories/:id", get_category, MC_ROUTE_ADMIN, 0},
  {"PATCH", "/api/v1/admin/categories/:id", update_category, MC_ROUTE_ADMIN, 0},
  {"DELETE", "/api/v1/admin/categories/:id", delete_category, MC_ROUTE_ADMIN, 0},
  {"GET", "/api/v1/admin/products", list_products, MC_ROUTE_ADMIN, 0},
  {"POST", "/api/v1/admin/products", create_product, MC_ROUTE_ADMIN, 0},
  {"GET", "/api/v1/admin/products/:id", get_product, MC_ROUTE_ADMIN, 0},
  {"PATCH", "/api/v1/admin/products/:id", update_product, MC_ROUTE_ADMIN, 0},
  {"DELETE", "/api/v1/admin/products/:id", delete_product, MC_ROUTE_ADMIN, 0},
};
const int mc_admin_catalog_routes_count = sizeof mc_admin_catalog_routes / sizeof mc_admin_catalog_routes[0];
