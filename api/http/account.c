/* account.c - the signed-in customer's own account: GET/PATCH /me (only the name is writable)
 * and POST /me/password (revokes every other session). */
#include <string.h>

#include "mercato/err.h"
#include "mercato/http.h"
#include "mercato/log.h"

static const char *const patch_fields[] = {"name", NULL};
static const char *const password_fields[] = {"current_password", "new_password", "token_delivery", NULL};

static void me(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  (void)req;
  mc_http_json(ctx, resp, 200, json_pack("{s:O}", "user", ctx->user));
}

static void patch_me(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *errors = NULL, *changes = NULL, *user = NULL;
  char name[MC_NAME_MAX + 1];
  (void)req;
  const json_t *body = mc_body_object(ctx, patch_fields, &errors);
  const char *raw = mc_body_string(body, "name", 1, 1024, &errors);
  if (raw && mc_user_name_normalize(raw, name) != MC_OK)
    mc_http_add_error(&errors, "name", "invalid_name", "Give a name of 1 to 200 characters without control characters.");
  if (errors) {
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  changes = json_pack("{s:s}", "name", name);
  int rc = changes ? mc_store_user_update(ctx->app->store, json_string_value(json_object_get(ctx->user, "id")),
                                          changes, &user, NULL)
                   : MC_ERR_INTERNAL;
  if (rc == MC_OK) mc_http_json(ctx, resp, 200, json_pack("{s:o}", "user", mc_auth_public_user(user)));
  else mc_http_error(ctx, resp, rc, NULL);
  json_decref(changes);
  json_decref(user);
}

static void change_password(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *errors = NULL;
  const char *reason;
  const char *uid = json_string_value(json_object_get(ctx->user, "id"));
  mc_token_pair pair = {0};
  (void)req;
  const json_t *body = mc_body_object(ctx, password_fields, &errors);
  const char *current = mc_body_string(body, "current_password", 1, 4096, &errors);
  const char *next = mc_body_string(body, "new_password", 1, 4096, &errors);
  int in_body = mc_http_token_delivery(body, &errors);
  size_t next_len = next ? json_string_length(json_object_get(body, "new_password")) : 0;
  if (next && mc_password_check(next, next_len, &reason) != MC_OK)
    mc_http_password_error(&errors, "new_password", reason);
  if (errors) {
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  int rc = mc_auth_change_password(&ctx->app->auth, uid, current,
                                   json_string_length(json_object_get(body, "current_password")), next, next_len);
  if (rc == MC_ERR_FORBIDDEN) {
    mc_http_add_error(&errors, "current_password", "incorrect", "The current password is wrong.");
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  /* Every family is revoked; this client continues with a fresh one. */
  json_t *user = NULL;
  if (rc == MC_OK) rc = mc_store_user_get(ctx->app->store, uid, &user);
  if (rc == MC_OK) rc = mc_auth_issue_pair(&ctx->app->auth, user, &pair);
  if (rc == MC_OK) mc_http_send_tokens(ctx, resp, 200, user, &pair, in_body);
  else mc_http_error(ctx, resp, rc, NULL);
  mc_token_pair_clear(&pair);
  json_decref(user);
}

const mc_route mc_account_routes[] = {
  {"GET", "/api/v1/me", me, MC_ROUTE_AUTH, 0},
  {"PATCH", "/api/v1/me", patch_me, MC_ROUTE_AUTH, 0},
  {"POST", "/api/v1/me/password", change_password, MC_ROUTE_AUTH, 0},
};
const int mc_account_routes_count = sizeof mc_account_routes / sizeof mc_account_routes[0];
