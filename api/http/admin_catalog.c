/* admin_catalog.c - /admin/categories and /admin/products: the catalog's writes, each with its
 * own allow-list of writable fields (anything else is an unknown_field, so price, stock or a
 * role can never ride along), and the admin listing with inactive products and stock levels.
 * Deleting a product that orders name archives it (200 with the product, not 204). */
#include <stdio.h>
#include <string.h>

#include "mercato/catalog.h"
#include "mercato/err.h"
#include "mercato/http.h"

static const char *const category_fields[] = {"name", "slug", "description", "parent_id", "position", NULL};
static const char *const product_create_fields[] = {"name",  "slug",   "description", "price",        "currency",
                                                    "compare_at_price", "sku", "stock", "active", "category_ids",
                                                    NULL};
/* The currency is the shop's: it is set at creation and never changed per product. */
static const char *const product_update_fields[] = {"name",  "slug",  "description", "price",        "compare_at_price",
                                                    "sku",   "stock", "active",      "category_ids", NULL};

static mc_catalog catalog_of(const mc_http_ctx *ctx) {
  return (mc_catalog){ctx->app->cfg, ctx->app->store, ctx->app->kv};
}

/* Answers a failed read or write: 422 with the errors, 409 naming the taken slug or sku, 409
 * product_archived for a product write the service refused without errors, or the status of
 * rc. Steals errors. */
static void failed(mc_http_ctx *ctx, struct _u_response *resp, int rc, json_t *errors, const char *missing) {
  if (rc == MC_ERR_INVALID && errors) {
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  if (rc == MC_ERR_CONFLICT && errors) {
    const char *field = json_string_value(json_object_get(json_array_get(errors, 0), "field")) ?: "";
    int sku = strcmp(field, "sku") == 0;
    mc_http_problem(ctx, resp, 409, sku ? "sku_taken" : "slug_taken",
                    sku ? "Another product already has this SKU." : "This slug is taken; choose another.", errors);
    return;
  }
  if (rc == MC_ERR_CONFLICT) {
    mc_http_problem(ctx, resp, 409, "product_archived", MC_CATALOG_ARCHIVED_DETAIL, NULL);
    return;
  }
  json_decref(errors);
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

/* --- categories -------------------------------------------------------------------------------- */

static void list_categories(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  json_t *out = NULL;
  if (!mc_http_no_query(ctx, req, resp)) return;
  int rc = mc_catalog_categories_admin(&cat, &out);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, out);
  else failed(ctx, resp, rc, NULL, NULL);
}

static void get_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  json_t *doc = NULL;
  if (!mc_http_no_query(ctx, req, resp)) return;
  int rc = mc_catalog_category_get(&cat, mc_http_param(ctx, "id"), &doc);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, json_pack("{s:o}", "category", doc));
  else failed(ctx, resp, rc, NULL, "There is no category with this id.");
}

static void create_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  json_t *errors = NULL, *doc = NULL;
  (void)req;
  const json_t *body = mc_body_object(ctx, category_fields, &errors);
  int rc = body ? mc_catalog_category_create(&cat, body, &doc, &errors) : MC_ERR_INVALID;
  if (rc == MC_OK) {
    json_decref(errors);
    created(ctx, resp, "/api/v1/admin/categories", "category", doc);
  } else {
    failed(ctx, resp, rc, errors, NULL);
  }
}

static void update_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  json_t *errors = NULL, *doc = NULL;
  (void)req;
  const json_t *body = mc_body_object(ctx, category_fields, &errors);
  int rc = body ? mc_catalog_category_update(&cat, mc_http_param(ctx, "id"), body, &doc, &errors) : MC_ERR_INVALID;
  if (rc == MC_OK) {
    json_decref(errors);
    mc_http_json(ctx, resp, 200, json_pack("{s:o}", "category", doc));
  } else {
    failed(ctx, resp, rc, errors, "There is no category with this id.");
  }
}

static void delete_category(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  int64_t products = 0, children = 0;
  char detail[160];
  (void)req;
  int rc = mc_catalog_category_delete(&cat, mc_http_param(ctx, "id"), &products, &children);
  if (rc == MC_OK) {
    deleted(ctx, resp);
  } else if (rc == MC_ERR_CONFLICT) {
    snprintf(detail, sizeof detail,
             "The category still has %lld product(s) and %lld subcategory(ies); move or delete them first.",
             (long long)products, (long long)children);
    mc_http_problem_with(ctx, resp, 409, "category_in_use", detail,
                         json_pack("{s:I, s:I}", "products", (json_int_t)products, "children", (json_int_t)children));
  } else {
    failed(ctx, resp, rc, NULL, "There is no category with this id.");
  }
}

/* --- products ---------------------------------------------------------------------------------- */

static void list_products(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  mc_catalog_listing listing;
  json_t *errors = NULL, *out = NULL;
  int rc = mc_catalog_parse_listing(mc_http_query(req), 1, &listing, &errors);
  if (rc == MC_OK) rc = mc_catalog_list_admin(&cat, &listing, &out, &errors);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, out);
  else failed(ctx, resp, rc, errors, NULL);
}

static void get_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  json_t *doc = NULL;
  if (!mc_http_no_query(ctx, req, resp)) return;
  int rc = mc_catalog_product_get(&cat, mc_http_param(ctx, "id"), &doc);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, json_pack("{s:o}", "product", doc));
  else failed(ctx, resp, rc, NULL, "There is no product with this id.");
}

static void create_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  json_t *errors = NULL, *doc = NULL;
  (void)req;
  const json_t *body = mc_body_object(ctx, product_create_fields, &errors);
  int rc = body ? mc_catalog_product_create(&cat, body, &doc, &errors) : MC_ERR_INVALID;
  if (rc == MC_OK) {
    json_decref(errors);
    created(ctx, resp, "/api/v1/admin/products", "product", doc);
  } else {
    failed(ctx, resp, rc, errors, NULL);
  }
}

static void update_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  json_t *errors = NULL, *doc = NULL;
  (void)req;
  const json_t *body = mc_body_object(ctx, product_update_fields, &errors);
  int rc = body ? mc_catalog_product_update(&cat, mc_http_param(ctx, "id"), body, &doc, &errors) : MC_ERR_INVALID;
  if (rc == MC_OK) {
    json_decref(errors);
    mc_http_json(ctx, resp, 200, json_pack("{s:o}", "product", doc));
  } else {
    failed(ctx, resp, rc, errors, "There is no product with this id.");
  }
}

/* 204 when the product is gone; 200 with the archived product when orders name it. */
static void delete_product(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_catalog cat = catalog_of(ctx);
  json_t *archived = NULL;
  (void)req;
  int rc = mc_catalog_product_delete(&cat, mc_http_param(ctx, "id"), &archived);
  if (rc == MC_OK && archived) mc_http_json(ctx, resp, 200, json_pack("{s:o}", "product", archived));
  else if (rc == MC_OK) deleted(ctx, resp);
  else if (rc == MC_ERR_CONFLICT) mc_http_error(ctx, resp, rc, NULL); /* not an archived product's refusal */
  else failed(ctx, resp, rc, NULL, "There is no product with this id.");
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
