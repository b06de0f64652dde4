/* auth.c - /auth routes: signup, login, refresh, logout, logout-all, and the JWKS document.
 * Browsers get the refresh token in an HttpOnly cookie scoped to /api/v1/auth; clients that ask
 * for "token_delivery": "body" (mobile apps, integrations) get it in the body instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/http.h"
#include "mercato/log.h"

#define REFRESH_COOKIE "mercato_refresh"
#define COOKIE_PATH "/api/v1/auth"

static const char *const credential_fields[] = {"email", "password", "name", "token_delivery", NULL};
static const char *const login_fields[] = {"email", "password", "token_delivery", NULL};
static const char *const refresh_fields[] = {"refresh_token", "token_delivery", NULL};

int mc_http_token_delivery(const json_t *body, json_t **errors) {
  const char *d = mc_body_string(body, "token_delivery", 0, 16, errors);
  if (!d) return json_object_get(body, "token_delivery") && !json_is_null(json_object_get(body, "token_delivery")) ? -1 : 0;
  if (strcmp(d, "body") == 0) return 1;
  if (strcmp(d, "cookie") == 0) return 0;
  mc_http_add_error(errors, "token_delivery", "invalid", "token_delivery must be \"body\" or \"cookie\".");
  return -1;
}

static void set_refresh_cookie(mc_http_ctx *ctx, struct _u_response *resp, const char *token) {
  const mc_config *cfg = ctx->app->cfg;
  ulfius_add_same_site_cookie_to_response(resp, REFRESH_COOKIE, token, NULL, (unsigned)cfg->refresh_idle_ttl,
                                          NULL, COOKIE_PATH, cfg->cookie_secure, 1, U_COOKIE_SAME_SITE_STRICT);
}

static void clear_refresh_cookie(mc_http_ctx *ctx, struct _u_response *resp) {
  ulfius_add_same_site_cookie_to_response(resp, REFRESH_COOKIE, "", "Thu, 01 Jan 1970 00:00:00 GMT", 0, NULL,
                                          COOKIE_PATH, ctx->app->cfg->cookie_secure, 1, U_COOKIE_SAME_SITE_STRICT);
}

void mc_http_send_tokens(mc_http_ctx *ctx, struct _u_response *resp, int status, const json_t *user,
                        mc_token_pair *pair, int in_body) {
  json_t *out = json_pack("{s:o, s:s, s:s, s:I}", "user", mc_auth_public_user(user), "access_token",
                          pair->access_token, "token_type", "Bearer", "expires_in", (json_int_t)pair->expires_in);
  if (out && in_body) json_object_set_new(out, "refresh_token", json_string(pair->refresh_token));
  if (!in_body) set_refresh_cookie(ctx, resp, pair->refresh_token);
  mc_http_json(ctx, resp, status, out);
}

/* Counts a hit against key; answers 429 with Retry-After and returns 0 when over the limit. */
static int within_limit(mc_http_ctx *ctx, struct _u_response *resp, const char *key, int64_t limit, int64_t window_s) {
  int64_t retry = 0;
  char value[24];
  if (mc_rate_hit(ctx->app->kv, key, limit, window_s, &retry) == MC_OK) return 1;
  snprintf(value, sizeof value, "%lld", (long long)retry);
  u_map_put(resp->map_header, "Retry-After", value);
  mc_http_problem(ctx, resp, 429, "rate_limited", "Too many attempts; wait before trying again.", NULL);
  return 0;
}

static int ip_limit(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp, const char *what,
                    int64_t limit, int64_t window_s) {
  char ip[64], key[128];
  mc_http_client_ip(req, ip, sizeof ip);
  snprintf(key, sizeof key, "rl:%s:ip:%s", what, ip);
  return within_limit(ctx, resp, key, limit, window_s);
}

static int account_limit(mc_http_ctx *ctx, struct _u_response *resp, const char *email) {
  char key[MC_EMAIL_MAX + 32];
  snprintf(key, sizeof key, "rl:acct:%s", email);
  return within_limit(ctx, resp, key, ctx->app->cfg->rate_login_account, 900);
}

static void signup(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *errors = NULL, *user = NULL;
  char email[MC_EMAIL_MAX + 1], name[MC_NAME_MAX + 1];
  const char *reason, *raw_email, *password, *raw_name;
  mc_token_pair pair = {0};
  int in_body, rc;

  if (!ip_limit(ctx, req, resp, "signup", ctx->app->cfg->rate_signup_ip, 3600)) return;
  const json_t *body = mc_body_object(ctx, credential_fields, &errors);
  raw_email = mc_body_string(body, "email", 1, 1024, &errors);
  password = mc_body_string(body, "password", 1, 4096, &errors);
  raw_name = mc_body_string(body, "name", 1, 1024, &errors);
  in_body = mc_http_token_delivery(body, &errors);
  if (raw_email && mc_user_email_normalize(raw_email, email) != MC_OK)
    mc_http_add_error(&errors, "email", "invalid_email", "This is not a valid email address.");
  if (password && mc_password_check(password, json_string_length(json_object_get(body, "password")), &reason) != MC_OK)
    mc_http_password_error(&errors, "password", reason);
  if (raw_name && mc_user_name_normalize(raw_name, name) != MC_OK)
    mc_http_add_error(&errors, "name", "invalid_name", "Give a name of 1 to 200 characters without control characters.");
  if (errors) {
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  if (!account_limit(ctx, resp, email)) return;
  mc_refusal why = {0};
  rc = mc_auth_create_user(&ctx->app->auth, email, password, json_string_length(json_object_get(body, "password")),
                           name, "customer", &user, &why);
  if (rc == MC_ERR_CONFLICT) {
    mc_http_refusal(ctx, resp, rc, &why);
    return;
  }
  mc_refusal_clear(&why);
  if (rc == MC_OK) rc = mc_auth_issue_pair(&ctx->app->auth, user, &pair);
  if (rc != MC_OK) mc_http_error(ctx, resp, rc, NULL);
  else {
    mc_http_cart_merge(ctx, req, resp, user);
    mc_http_send_tokens(ctx, resp, 201, user, &pair, in_body);
  }
  mc_token_pair_clear(&pair);
  json_decref(user);
}

static void login(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *errors = NULL, *user = NULL;
  char email[MC_EMAIL_MAX + 1];
  mc_token_pair pair = {0};
  int in_body, rc;

  if (!ip_limit(ctx, req, resp, "login", ctx->app->cfg->rate_login_ip, 60)) return;
  const json_t *body = mc_body_object(ctx, login_fields, &errors);
  const char *raw_email = mc_body_string(body, "email", 1, 1024, &errors);
  const char *password = mc_body_string(body, "password", 1, 4096, &errors);
  in_body = mc_http_token_delivery(body, &errors);
  if (errors) {
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  /* A malformed email cannot name an account: it is checked like an unknown one. */
  if (mc_user_email_normalize(raw_email, email) != MC_OK) email[0] = '\0';
  if (email[0] && !account_limit(ctx, resp, email)) return;
  rc = mc_auth_login(&ctx->app->auth, email, password, json_string_length(json_object_get(body, "password")), &user);
  if (rc == MC_ERR_FORBIDDEN) {
    mc_info("auth", "failed login (request %s)", ctx->request_id);
    mc_http_problem(ctx, resp, 401, "invalid_credentials", "The email address or password is wrong.", NULL);
    return;
  }
  if (rc == MC_OK) rc = mc_auth_issue_pair(&ctx->app->auth, user, &pair);
  if (rc != MC_OK) mc_http_error(ctx, resp, rc, NULL);
  else {
    mc_info("auth", "login of %s", json_string_value(json_object_get(user, "id")));
    mc_http_cart_merge(ctx, req, resp, user);
    mc_http_send_tokens(ctx, resp, 200, user, &pair, in_body);
  }
  mc_token_pair_clear(&pair);
  json_decref(user);
}

/* The cookie is only honoured from our own pages or an allowed origin: a browser always sends
 * Origin on POST, so its absence or a foreign one means a cross-site request. Our own origin is
 * this server's scheme and the Host header; behind a TLS-terminating proxy, list the public
 * origin in MERCATO_CORS_ORIGINS. */
static int origin_ok(mc_http_ctx *ctx, const struct _u_request *req) {
  const char *origin = u_map_get_case(req->map_header, "Origin");
  const char *host = u_map_get_case(req->map_header, "Host");
  const char *scheme = ctx->app->tls ? "https://" : "http://";
  size_t n = strlen(scheme);
  if (!origin) return 0;
  for (char **o = ctx->app->cors_origins; o && *o; o++)
    if (strcmp(*o, origin) == 0) return 1;
  return host && strncmp(origin, scheme, n) == 0 && strcmp(origin + n, host) == 0;
}

/* Finds the refresh token in the body (mobile) or the cookie (browser). Writes a problem and
 * returns NULL when there is none or the request may not use the cookie. *from_body is set. */
static const char *refresh_token_of(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp,
                                    int *from_body, int *in_body) {
  json_t *errors = NULL;
  const char *token = NULL;
  *from_body = *in_body = 0;
  if (ctx->body) {
    const json_t *body = mc_body_object(ctx, refresh_fields, &errors);
    token = mc_body_string(body, "refresh_token", 0, 256, &errors);
    *in_body = mc_http_token_delivery(body, &errors);
    if (errors) {
      mc_http_invalid(ctx, resp, errors);
      return NULL;
    }
    if (token) *from_body = *in_body = 1;
  }
  if (!token) {
    token = u_map_get(req->map_cookie, REFRESH_COOKIE);
    if (token && !origin_ok(ctx, req)) {
      mc_http_problem(ctx, resp, 403, "origin_denied", "The refresh cookie is only accepted from this shop's pages.", NULL);
      return NULL;
    }
  }
  if (!token || !*token) {
    mc_http_problem(ctx, resp, 401, "invalid_refresh_token", "No refresh token was sent.", NULL);
    return NULL;
  }
  return token;
}

static void refresh(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  int from_body, in_body, rc;
  const char *reason = NULL;
  json_t *user = NULL;
  mc_token_pair pair = {0};
  const char *token = refresh_token_of(ctx, req, resp, &from_body, &in_body);
  if (!token) return;
  rc = mc_auth_refresh(&ctx->app->auth, token, &pair, &user, &reason);
  if (rc == MC_ERR_FORBIDDEN) {
    mc_info("auth", "refresh refused: %s (request %s)", reason, ctx->request_id);
    if (!from_body) clear_refresh_cookie(ctx, resp);
    mc_http_problem(ctx, resp, 401, "invalid_refresh_token", "The refresh token is not valid; sign in again.", NULL);
  } else if (rc != MC_OK) {
    mc_http_error(ctx, resp, rc, NULL);
  } else {
    mc_http_send_tokens(ctx, resp, 200, user, &pair, in_body);
  }
  mc_token_pair_clear(&pair);
  json_decref(user);
}

static void logout(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  int from_body, in_body, rc;
  const char *token = refresh_token_of(ctx, req, resp, &from_body, &in_body);
  if (!token) return;
  rc = mc_auth_revoke_family(&ctx->app->auth, token);
  if (rc != MC_OK && rc != MC_ERR_INVALID) {
    mc_http_error(ctx, resp, rc, NULL);
    return;
  }
  if (!from_body) clear_refresh_cookie(ctx, resp);
  resp->status = 204;
  ctx->done = 1;
}

static void logout_all(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const char *uid = json_string_value(json_object_get(ctx->user, "id"));
  int rc = mc_auth_revoke_all(&ctx->app->auth, uid);
  (void)req;
  if (rc != MC_OK) {
    mc_http_error(ctx, resp, rc, NULL);
    return;
  }
  mc_info("auth", "%s signed out everywhere", uid);
  clear_refresh_cookie(ctx, resp);
  resp->status = 204;
  ctx->done = 1;
}

static void jwks(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *doc = NULL;
  (void)req;
  if (mc_jwt_jwks(ctx->app->auth.keys, &doc) != MC_OK) {
    mc_http_error(ctx, resp, MC_ERR_INTERNAL, NULL);
    return;
  }
  u_map_put(resp->map_header, "Cache-Control", "public, max-age=300");
  mc_http_json(ctx, resp, 200, doc);
}

const mc_route mc_auth_routes[] = {
  {"POST", "/api/v1/auth/signup", signup, 0, 0},
  {"POST", "/api/v1/auth/login", login, 0, 0},
  {"POST", "/api/v1/auth/refresh", refresh, 0, 0},
  {"POST", "/api/v1/auth/logout", logout, 0, 0},
  {"POST", "/api/v1/auth/logout-all", logout_all, MC_ROUTE_AUTH, 0},
  {"GET", "/.well-known/jwks.json", jwks, 0, 0},
};
const int mc_auth_routes_count = sizeof mc_auth_routes / sizeof mc_auth_routes[0];

