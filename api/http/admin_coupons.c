/* admin_coupons.c - /admin/coupons: create, list (with usage counts), read, change and delete
 * coupon codes. The body rules live in rules/coupons.c and service/coupons.c; the refusals they
 * fill map to statuses in http/refusal.c (422 naming each field, 409 for a code taken or a
 * coupon already redeemed). */
#include <stdio.h>
#include <string.h>

#include "mercato/coupons.h"
#include "mercato/err.h"
#include "mercato/http.h"

#define MISSING "There is no coupon with this id."

static void list_coupons(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_coupon_listing listing;
  json_t *errors = NULL, *out = NULL;
  int rc = mc_coupon_parse_listing(mc_http_query(req), &listing, &errors);
  if (rc == MC_OK) rc = mc_coupon_list(ctx->app->store, &listing, &out);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, out);
  else if (errors) mc_http_invalid(ctx, resp, errors);
  else mc_http_error(ctx, resp, rc, NULL);
}

static void get_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *doc = NULL;
  if (!mc_http_no_query(ctx, req, resp)) return;
  int rc = mc_coupon_get(ctx->app->store, mc_http_param(ctx, "id"), &doc);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, json_pack("{s:o}", "coupon", doc));
  else mc_http_error(ctx, resp, rc, rc == MC_ERR_NOT_FOUND ? MISSING : NULL);
}

static void create_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_refusal why = {0};
  json_t *doc = NULL;
  char location[96];
  (void)req;
  int rc = mc_coupon_create(ctx->app->store, ctx->body, &doc, &why);
  if (rc != MC_OK) {
    mc_http_refusal(ctx, resp, rc, &why);
    return;
  }
  mc_refusal_clear(&why);
  snprintf(location, sizeof location, "/api/v1/admin/coupons/%s", json_string_value(json_object_get(doc, "id")) ?: "");
  u_map_put(resp->map_header, "Location", location);
  mc_http_json(ctx, resp, 201, json_pack("{s:o}", "coupon", doc));
}

static void update_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_refusal why = {0};
  json_t *doc = NULL;
  (void)req;
  int rc = mc_coupon_update(ctx->app->store, mc_http_param(ctx, "id"), ctx->body, &doc, &why);
  if (rc == MC_OK) {
    mc_refusal_clear(&why);
    mc_http_json(ctx, resp, 200, json_pack("{s:o}", "coupon", doc));
  } else {
    mc_http_refusal(ctx, resp, rc, &why);
  }
}

static void delete_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_refusal why = {0};
  (void)req;
  int rc = mc_coupon_delete(ctx->app->store, mc_http_param(ctx, "id"), &why);
  if (rc == MC_OK) {
    mc_refusal_clear(&why);
    resp->status = 204;
    ctx->done = 1;
  } else {
    mc_http_refusal(ctx, resp, rc, &why);
  }
}

const mc_route mc_admin_coupon_routes[] = {
  {"GET", "/api/v1/admin/coupons", list_coupons, MC_ROUTE_ADMIN, 0},
  {"POST", "/api/v1/admin/coupons", create_coupon, MC_ROUTE_ADMIN, 0},
  {"GET", "/api/v1/admin/coupons/:id", get_coupon, MC_ROUTE_ADMIN, 0},
  {"PATCH", "/api/v1/admin/coupons/:id", update_coupon, MC_ROUTE_ADMIN, 0},
  {"DELETE", "/api/v1/admin/coupons/:id", delete_coupon, MC_ROUTE_ADMIN, 0},
};
const int mc_admin_coupon_routes_count = sizeof mc_admin_coupon_routes / sizeof mc_admin_coupon_routes[0];
