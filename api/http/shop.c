/* shop.c - GET /api/v1/shop: the shop's name, currency, limits, tax, shipping, payment methods
 * and countries, public and cacheable. The body was serialised at start-up (app->shop). */
#include "mercato/err.h"
#include "mercato/http.h"

static void get_shop(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_shop_answer *a = &ctx->app->shop;
  if (!mc_http_no_query(ctx, req, resp)) return;
  if (mc_http_public_not_modified(ctx, req, resp, a->etag)) return;
  if (ulfius_set_binary_body_response(resp, 200, a->body, a->len) != U_OK) {
    /* A failure must not be kept by shared caches as the shop's description. */
    u_map_remove_from_key(resp->map_header, "ETag");
    u_map_remove_from_key(resp->map_header, "Cache-Control");
    mc_http_error(ctx, resp, MC_ERR_INTERNAL, NULL);
    return;
  }
  u_map_put(resp->map_header, "Content-Type", "application/json");
}

const mc_route mc_shop_routes[] = {
  {"GET", "/api/v1/shop", get_shop, MC_ROUTE_PUBLIC, 0},
};
const int mc_shop_routes_count = sizeof mc_shop_routes / sizeof mc_shop_routes[0];
