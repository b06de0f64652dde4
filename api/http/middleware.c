/* middleware.c - the layers around every handler: request id and routing, CORS, body checks,
 * dispatch, and the finishing touches (security headers, access log, streaming). */
#include "middleware.h"

#include <orcania.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/images.h"
#include "mercato/json_read.h"
#include "mercato/log.h"
#include "mercato/rand.h"
#include "router.h"

static void ctx_free(void *p) {
  mc_http_ctx *ctx = p;
  if (!ctx) return;
  json_decref(ctx->body);
  json_decref(ctx->user);
  if (ctx->file_fd >= 0) close(ctx->file_fd);
  free(ctx);
}

/* A client's X-Request-Id is kept when it is 1..128 characters of [A-Za-z0-9._-]. */
static int valid_request_id(const char *id) {
  size_t n = 0;
  if (!id) return 0;
  for (; id[n]; n++) {
    unsigned char c = (unsigned char)id[n];
    if (n == MC_REQUEST_ID_MAX || !(isalnum(c) || c == '.' || c == '_' || c == '-')) return 0;
  }
  return n > 0;
}

/* Request ids only need to be unique, not secret: a per-thread splitmix64 stream seeded once
 * from the kernel avoids a getrandom(2) call on every request. */
static void new_request_id(char out[33]) {
  static _Thread_local uint64_t state;
  static _Thread_local int seeded;
  if (!seeded) {
    if (mc_rand_bytes(&state, sizeof state) != MC_OK) state = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&state;
    seeded = 1;
  }
  for (int half = 0; half < 2; half++) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    mc_hex_u64(z, out + half * 16);
  }
  out[32] = '\0';
}

static int is_api_path(const char *path) {
  return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
         strncmp(path, "/.well-known/", 13) == 0 ||
         strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0;
}

int mc_mw_request(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  mc_app *app = user_data;
  mc_http_ctx *ctx = calloc(1, sizeof *ctx);
  const char *rid = u_map_get_case(req->map_header, "X-Request-Id");
  if (!ctx) return U_CALLBACK_ERROR;
  ctx->app = app;
  ctx->file_fd = -1;
  clock_gettime(CLOCK_MONOTONIC, &ctx->started);
  if (valid_request_id(rid)) strcpy(ctx->request_id, rid);
  else new_request_id(ctx->request_id);
  if (ulfius_set_response_shared_data(resp, ctx, ctx_free) != U_OK) {
    ctx_free(ctx);
    return U_CALLBACK_ERROR;
  }
  ctx->api = is_api_path(req->url_path);
  ctx->route = mc_router_match(app->router, req->http_verb, req->url_path, ctx->params,
                               &ctx->nparams, ctx->allow, sizeof ctx->allow);
  return U_CALLBACK_CONTINUE;
}

static int origin_allowed(const mc_app *app, const char *origin) {
  for (char **o = app->cors_origins; o && *o; o++)
    if (strcmp(*o, origin) == 0) return 1;
  return 0;
}

int mc_mw_cors(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  mc_http_ctx *ctx = resp->shared_data;
  const char *origin = u_map_get_case(req->map_header, "Origin");
  int preflight = strcmp(req->http_verb, "OPTIONS") == 0 &&
                  u_map_get_case(req->map_header, "Access-Control-Request-Method") != NULL;
  (void)user_data;
  if (ctx->done) return U_CALLBACK_CONTINUE;
  /* Only an allow-list makes responses differ by Origin. */
  if (ctx->api && ctx->app->cors_origins && ctx->app->cors_origins[0]) u_map_put(resp->map_header, "Vary", "Origin");
  if (!origin) return U_CALLBACK_CONTINUE;
  if (!origin_allowed(ctx->app, origin)) {
    if (preflight)
      mc_http_problem(ctx, resp, 403, "cors_origin_denied",
                      "This origin is not allowed to call the API (MERCATO_CORS_ORIGINS).", NULL);
    return U_CALLBACK_CONTINUE;
  }
  u_map_put(resp->map_header, "Access-Control-Allow-Origin", origin);
  u_map_put(resp->map_header, "Access-Control-Allow-Credentials", "true");
  if (preflight) {
    u_map_put(resp->map_header, "Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE");
    u_map_put(resp->map_header, "Access-Control-Allow-Headers",
              "Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Cart-Token, X-Request-Id");
    u_map_put(resp->map_header, "Access-Control-Max-Age", "600");
    resp->status = 204;
    ctx->done = 1;
  } else {
    u_map_put(resp->map_header, "Access-Control-Expose-Headers",
              "ETag, Location, Retry-After, X-Cart-Token, X-Request-Id");
  }
  return U_CALLBACK_CONTINUE;
}

/* application/json, with optional parameters ("; charset=utf-8"), any letter case. */
static int is_json_type(const char *ct) {
  size_t n = strlen("application/json");
  if (!ct || strncasecmp(ct, "application/json", n) != 0) return 0;
  ct += n;
  while (*ct == ' ') ct++;
  return *ct == '\0' || *ct == ';';
}

long mc_http_body_limit(const mc_route *route, const char *content_type, const mc_config *cfg) {
  if (route && (route->flags & MC_ROUTE_IMAGE_BODY))
    return cfg->max_image_bytes + (mc_multipart_is(content_type) ? MC_HTTP_MULTIPART_SLACK : 0);
  return route && route->max_body ? route->max_body : cfg->max_body;
}

int mc_mw_body(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  mc_http_ctx *ctx = resp->shared_data;
  const mc_app *app = user_data;
  long limit = mc_http_body_limit(ctx->route, u_map_get_case(req->map_header, "Content-Type"), app->cfg);
  const char *cl = u_map_get_case(req->map_header, "Content-Length");
  char detail[160];
  json_error_t jerr;

  if (ctx->done) return U_CALLBACK_CONTINUE;
  if ((cl && strtoll(cl, NULL, 10) > limit) || req->binary_body_length > (size_t)limit) {
    snprintf(detail, sizeof detail, "The request body is larger than the %ld bytes allowed here.", limit);
    mc_http_problem(ctx, resp, 413, "payload_too_large", detail, NULL);
    return U_CALLBACK_CONTINUE;
  }
  if (req->binary_body_length == 0 || !ctx->api) return U_CALLBACK_CONTINUE;
  if (ctx->route && (ctx->route->flags & (MC_ROUTE_RAW_BODY | MC_ROUTE_IMAGE_BODY))) return U_CALLBACK_CONTINUE;
  if (!is_json_type(u_map_get_case(req->map_header, "Content-Type"))) {
    mc_http_problem(ctx, resp, 415, "unsupported_media_type",
                    "Request bodies must be sent as Content-Type: application/json.", NULL);
    return U_CALLBACK_CONTINUE;
  }
  /* NUL inside strings is let through here so mc_body_string can name the field it is in; so
   * is a number out of range, so the member's own check names it. */
  ctx->body = mc_json_read(req->binary_body, req->binary_body_length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
  if (!ctx->body) {
    snprintf(detail, sizeof detail, "The body is not valid JSON: %.80s (line %d, column %d).",
             jerr.text, jerr.line, jerr.column);
    mc_http_problem(ctx, resp, 400, "malformed_json", detail, NULL);
  }
  return U_CALLBACK_CONTINUE;
}

static void unauthorized(mc_http_ctx *ctx, struct _u_response *resp, const char *code, const char *detail) {
  u_map_put(resp->map_header, "WWW-Authenticate",
            strcmp(code, "invalid_token") == 0 ? "Bearer error=\"invalid_token\"" : "Bearer");
  mc_http_problem(ctx, resp, 401, code, detail, NULL);
}

int mc_mw_auth(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  mc_http_ctx *ctx = resp->shared_data;
  mc_app *app = user_data;
  const char *authz = u_map_get_case(req->map_header, "Authorization"), *reason = NULL;
  unsigned need = ctx->route ? ctx->route->flags & (MC_ROUTE_AUTH | MC_ROUTE_ADMIN) : 0;

  if (ctx->done) return U_CALLBACK_CONTINUE;
  /* Deny by default: everything under /api/v1/admin needs an admin, routed or not. */
  if (strncmp(req->url_path, "/api/v1/admin", 13) == 0 && (req->url_path[13] == '/' || req->url_path[13] == '\0'))
    need |= MC_ROUTE_ADMIN;
  /* Public routes, and paths no route serves (404, 405, static files), never read the caller:
   * the header is ignored there unless the path needs an admin. */
  if (!need && (!ctx->route || (ctx->route->flags & MC_ROUTE_PUBLIC))) authz = NULL;
  if (authz) {
    if (strncasecmp(authz, "Bearer ", 7) != 0 || strlen(authz + 7) > MC_JWT_TOKEN_MAX) {
      unauthorized(ctx, resp, "invalid_token", "The Authorization header must be \"Bearer <access token>\".");
      return U_CALLBACK_CONTINUE;
    }
    int rc = mc_auth_authenticate(&app->auth, authz + 7, &ctx->user, &reason);
    if (rc == MC_ERR_FORBIDDEN) {
      mc_debug("http.auth", "request %s: access token refused (%s)", ctx->request_id, reason);
      unauthorized(ctx, resp, "invalid_token", "The access token is invalid or expired; refresh it or sign in again.");
      return U_CALLBACK_CONTINUE;
    }
    if (rc != MC_OK) {
      mc_http_error(ctx, resp, rc, NULL);
      return U_CALLBACK_CONTINUE;
    }
  }
  if (need && !ctx->user) {
    unauthorized(ctx, resp, "unauthenticated", "Sign in: this needs an access token.");
  } else if ((need & MC_ROUTE_ADMIN) &&
             strcmp(json_string_value(json_object_get(ctx->user, "role")) ?: "", "admin") != 0) {
    mc_http_problem(ctx, resp, 403, "forbidden", "This needs an administrator.", NULL);
  }
  return U_CALLBACK_CONTINUE;
}

int mc_mw_app(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  mc_http_ctx *ctx = resp->shared_data;
  (void)user_data;
  if (ctx->done) return U_CALLBACK_CONTINUE;
  if (ctx->route) {
    ctx->route->handler(ctx, req, resp);
    if (!ctx->done) {
      mc_error("http", "request %s: handler for %s %s wrote no response", ctx->request_id,
               ctx->route->method, ctx->route->path);
      mc_http_problem(ctx, resp, 500, "internal", "Something went wrong on our side.", NULL);
    }
  } else if (ctx->allow[0] && strcmp(req->http_verb, "OPTIONS") == 0) {
    char allow[80];
    snprintf(allow, sizeof allow, "%s, OPTIONS", ctx->allow);
    u_map_put(resp->map_header, "Allow", allow);
    resp->status = 204;
    ctx->done = 1;
  } else if (ctx->allow[0]) {
    u_map_put(resp->map_header, "Allow", ctx->allow);
    mc_http_problem(ctx, resp, 405, "method_not_allowed",
                    "This path exists but does not answer this method; see the Allow header.", NULL);
  } else if (ctx->api) {
    mc_http_problem(ctx, resp, 404, "not_found", "No API route matches this path.", NULL);
  } else {
    mc_static_serve(ctx, req, resp);
  }
  return U_CALLBACK_CONTINUE;
}

typedef struct file_stream {
  int fd;
} file_stream;

static ssize_t file_read(void *cls, uint64_t offset, char *buf, size_t max) {
  file_stream *fs = cls;
  ssize_t n = pread(fs->fd, buf, max, (off_t)offset);
  return n > 0 ? n : -1; /* -1 ends the stream (MHD_CONTENT_READER_END_OF_STREAM) */
}

static void file_free(void *cls) {
  file_stream *fs = cls;
  if (fs) close(fs->fd);
  free(fs);
}

/* Copies path into out for the log: at most len-1 bytes, anything unprintable as '?'. */
static void loggable_path(const char *path, char *out, size_t len) {
  size_t i = 0;
  for (; path[i] && i + 1 < len; i++) {
    unsigned char c = (unsigned char)path[i];
    out[i] = (c < 0x21 || c > 0x7e || c == '"') ? '?' : (char)c;
  }
  out[i] = '\0';
}

/* Adds n headers to map in one go: Ulfius' u_map_put grows three arrays per call, which made
 * the fixed response headers a visible share of a small request. A header the handler set
 * already is its word and is kept (an image's sandboxing Content-Security-Policy), except
 * X-Request-Id, which is always this request's. Returns 0, or -1 without memory (map left
 * valid). */
static int add_headers(struct _u_map *map, const char *const (*pairs)[2], size_t n) {
  size_t fresh = 0, at = (size_t)map->nb_values;
  for (size_t i = 0; i < n; i++) {
    if (u_map_has_key(map, pairs[i][0])) {
      if (strcmp(pairs[i][0], "X-Request-Id") == 0 && u_map_put(map, pairs[i][0], pairs[i][1]) != U_OK) return -1;
    } else {
      fresh++;
    }
  }
  if (fresh == 0) return 0;
  char **keys = o_realloc(map->keys, (at + fresh + 1) * sizeof *keys);
  if (!keys) return -1;
  map->keys = keys;
  char **values = o_realloc(map->values, (at + fresh + 1) * sizeof *values);
  if (!values) return -1;
  map->values = values;
  size_t *lengths = o_realloc(map->lengths, (at + fresh + 1) * sizeof *lengths);
  if (!lengths) return -1;
  map->lengths = lengths;
  for (size_t i = 0; i < n; i++) {
    if (u_map_has_key(map, pairs[i][0])) continue;
    char *k = o_strdup(pairs[i][0]), *v = o_strdup(pairs[i][1]);
    if (!k || !v) {
      o_free(k);
      o_free(v);
      return -1;
    }
    keys[at] = k;
    values[at] = v;
    lengths[at] = strlen(v) + 1; /* u_map_put counts the NUL */
    keys[++at] = NULL;
    values[at] = NULL;
    lengths[at] = 0;
    map->nb_values++;
  }
  return 0;
}

int mc_mw_finish(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  mc_http_ctx *ctx = resp->shared_data;
  mc_app *app = user_data;
  struct timespec now;
  uint64_t bytes = resp->binary_body_length;

  const char *const api_headers[][2] = {
    {"X-Request-Id", ctx->request_id},
    {"X-Content-Type-Options", "nosniff"},
    {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
    {"Referrer-Policy", "no-referrer"},
  };
  const char *const page_headers[][2] = {
    {"X-Request-Id", ctx->request_id},
    {"X-Content-Type-Options", "nosniff"},
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
     "form-action 'self'; frame-ancestors 'none'"},
    {"Referrer-Policy", "strict-origin-when-cross-origin"},
    /* For browsers that predate CSP frame-ancestors; JSON is never framed, so API answers
     * go without it. */
    {"X-Frame-Options", "DENY"},
  };
  if (ctx->api) {
    if (!u_map_has_key_case(resp->map_header, "Cache-Control"))
      u_map_put(resp->map_header, "Cache-Control", "no-store");
    if (add_headers(resp->map_header, api_headers, sizeof api_headers / sizeof api_headers[0]) != 0)
      mc_error("http", "request %s: out of memory for headers", ctx->request_id);
  } else if (add_headers(resp->map_header, page_headers, sizeof page_headers / sizeof page_headers[0]) != 0) {
    mc_error("http", "request %s: out of memory for headers", ctx->request_id);
  }
  if (app->tls)
    u_map_put(resp->map_header, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  if (atomic_load(&app->stopping)) u_map_put(resp->map_header, "Connection", "close");
  if (ctx->file_fd >= 0) {
    file_stream *fs = malloc(sizeof *fs);
    if (fs) {
      fs->fd = ctx->file_fd;
      ctx->file_fd = -1;
      bytes = ctx->file_size;
      ulfius_set_stream_response(resp, 200, file_read, file_free, ctx->file_size, 64 * 1024, fs);
    } else {
      mc_http_problem(ctx, resp, 500, "internal", "Out of memory.", NULL);
      bytes = resp->binary_body_length;
    }
  }
  if (app->cfg->access_log) {
    char path[257];
    clock_gettime(CLOCK_MONOTONIC, &now);
    long us = (now.tv_sec - ctx->started.tv_sec) * 1000000L + (now.tv_nsec - ctx->started.tv_nsec) / 1000;
    loggable_path(req->url_path, path, sizeof path);
    mc_info("http.access", "id=%s method=%s path=%s status=%ld bytes=%llu us=%ld", ctx->request_id,
            req->http_verb, path, resp->status, (unsigned long long)bytes, us);
  }
  return U_CALLBACK_CONTINUE;
}

/* The layers in priority order, run by mc_http_pipeline once the access handler (access.c) has
 * the whole request. */
static const struct {
  enum mc_layer priority;
  const char *name;
  int (*fn)(const struct _u_request *, struct _u_response *, void *);
} layers[] = {
  {MC_LAYER_REQUEST, "request", mc_mw_request}, {MC_LAYER_CORS, "cors", mc_mw_cors},
  {MC_LAYER_BODY, "body", mc_mw_body},          {MC_LAYER_AUTH, "auth", mc_mw_auth},
  {MC_LAYER_APP, "app", mc_mw_app},             {MC_LAYER_FINISH, "finish", mc_mw_finish},
};

int mc_http_pipeline(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
    int rc = layers[i].fn(req, resp, user_data);
    if (rc != U_CALLBACK_CONTINUE) {
      mc_error("http", "layer %s failed (out of memory?)", layers[i].name);
      return rc;
    }
  }
  return U_CALLBACK_COMPLETE;
}
