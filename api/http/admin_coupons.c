/* admin_coupons.c - /admin/coupons: create, list (with usage counts), read, change and delete
 * coupon codes. The body rules live in service/coupons.c; this file maps their results to
 * statuses: 422 naming each field, 409 for a code taken or a coupon already redeemed. */
#include <stdio.h>
#include <string.h>

#include "mercato/coupons.h"
#include "mercato/err.h"
#include "mercato/http.h"

#define MISSING "There is no coupon with this id."

/* Answers a failed read or write: 422 with the errors, 409 for a code taken (errors name it)
 * or a coupon that changed under an update, or the status of rc. Steals errors. */
static void failed(mc_http_ctx *ctx, struct _u_response *resp, int rc, json_t *errors) {
  if (rc == MC_ERR_INVALID && errors) {
    mc_http_invalid(ctx, resp, errors);
  } else if (rc == MC_ERR_CONFLICT && errors) {
    mc_http_problem(ctx, resp, 409, "coupon_code_taken", "Another coupon has this code (codes ignore case).",
                    errors);
  } else if (rc == MC_ERR_CONFLICT) {
    mc_http_problem(ctx, resp, 409, "coupon_changed",
                    "The coupon changed while this change was being made; read it again and retry.", NULL);
  } else {
    json_decref(errors);
    mc_http_error(ctx, resp, rc, rc == MC_ERR_NOT_FOUND ? MISSING : NULL);
  }
}

static void list_coupons(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_coupon_listing listing;
  json_t *errors = NULL, *out = NULL;
  int rc = mc_coupon_parse_listing(mc_http_query(req), &listing, &errors);
  if (rc == MC_OK) rc = mc_coupon_list(ctx->app->store, &listing, &out);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, out);
  else failed(ctx, resp, rc, errors);
}

static void get_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *doc = NULL;
  if (!mc_http_no_query(ctx, req, resp)) return;
  int rc = mc_coupon_get(ctx->app->store, mc_http_param(ctx, "id"), &doc);
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, json_pack("{s:o}", "coupon", doc));
  else failed(ctx, resp, rc, NULL);
}

static void create_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *errors = NULL, *doc = NULL;
  char location[96];
  (void)req;
  int rc = mc_coupon_create(ctx->app->store, ctx->body, &errors, &doc);
  if (rc != MC_OK) {
    failed(ctx, resp, rc, errors);
    return;
  }
  json_decref(errors);
  snprintf(location, sizeof location, "/api/v1/admin/coupons/%s", json_string_value(json_object_get(doc, "id")) ?: "");
  u_map_put(resp->map_header, "Location", location);
  mc_http_json(ctx, resp, 201, json_pack("{s:o}", "coupon", doc));
}

static void update_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *errors = NULL, *doc = NULL;
  (void)req;
  int rc = mc_coupon_update(ctx->app->store, mc_http_param(ctx, "id"), ctx->body, &errors, &doc);
  if (rc == MC_OK) {
    json_decref(errors);
    mc_http_json(ctx, resp, 200, json_pack("{s:o}", "coupon", doc));
  } else {
    failed(ctx, resp, rc, errors);
  }
}

static void delete_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  int64_t times_used = 0;
  char detail[200];
  (void)req;
  int rc = mc_coupon_delete(ctx->app->store, mc_http_param(ctx, "id"), &times_used);
  if (rc == MC_OK) {
    resp->status = 204;
    ctx->done = 1;
  } else if (rc == MC_ERR_CONFLICT) {
    snprintf(detail, sizeof detail,
             "The coupon was redeemed %lld time(s) and orders refer to it, so it cannot be deleted; "
             "deactivate it instead (PATCH with \"active\": false).",
             (long long)times_used);
    mc_http_problem_with(ctx, resp, 409, "coupon_redeemed", detail,
                         json_pack("{s:I}", "times_used", (json_int_t)times_used));
  } else {
    failed(ctx, resp, rc, NULL);
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
