/* health.c - liveness (/healthz: the process answers) and readiness (/readyz: every port
 * answers), for load balancers and orchestrators. */
#include "mercato/err.h"
#include "mercato/http.h"
#include "mercato/log.h"

static void healthz(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  (void)req;
  mc_http_json_text(ctx, resp, 200, "{\"status\":\"ok\"}");
}

static json_t *check(const char *adapter, int err) {
  return json_pack("{s:s, s:s}", "status", err == MC_OK ? "ok" : "unavailable", "adapter", adapter);
}

static void readyz(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  mc_app *app = ctx->app;
  int store_err = mc_store_ping(app->store), kv_err = mc_kv_ping(app->kv);
  json_t *checks = json_pack("{s:o, s:o}", "store", check(app->store->name, store_err), "kv",
                             check(app->kv->name, kv_err));
  (void)req;
  if (store_err == MC_OK && kv_err == MC_OK) {
    mc_http_json(ctx, resp, 200, json_pack("{s:s, s:o}", "status", "ready", "checks", checks));
    return;
  }
  const char *detail = store_err != MC_OK && kv_err != MC_OK ? "The store and the kv did not answer."
                       : store_err != MC_OK                  ? "The store did not answer."
                                                             : "The kv did not answer.";
  mc_warn("http.health", "not ready: store %s, kv %s", mc_err_name(store_err), mc_err_name(kv_err));
  mc_http_problem_with(ctx, resp, 503, "not_ready", detail, json_pack("{s:o}", "checks", checks));
}

const mc_route mc_health_routes[] = {
  {"GET", "/healthz", healthz, MC_ROUTE_PUBLIC, 0},
  {"GET", "/readyz", readyz, MC_ROUTE_PUBLIC, 0},
};
const int mc_health_routes_count = sizeof mc_health_routes / sizeof mc_health_routes[0];
