/* problem.c - JSON and RFC 9457 problem+json responses, and the one mapping from mc_err to an
 * HTTP status and a stable machine code. */
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/http.h"
#include "mercato/json.h"
#include "mercato/log.h"
#include "mercato/query.h"

/* Replaces the response body with buf (stolen) and sets its content type. */
static void set_body(struct _u_response *resp, int status, char *buf, const char *type) {
  free(resp->binary_body);
  resp->binary_body = buf;
  resp->binary_body_length = buf ? strlen(buf) : 0;
  resp->status = status;
  u_map_put(resp->map_header, "Content-Type", type);
}

void mc_http_json(mc_http_ctx *ctx, struct _u_response *resp, int status, json_t *body) {
  char *buf = NULL;
  if (body) {
    if (mc_json_dump(body, &buf, NULL) != MC_OK) buf = NULL;
    json_decref(body);
    if (!buf) {
      mc_error("http", "request %s: could not serialise the response", ctx->request_id);
      mc_http_problem(ctx, resp, 500, "internal", "The response could not be built.", NULL);
      return;
    }
  }
  set_body(resp, status, buf, "application/json");
  ctx->done = 1;
}

void mc_http_json_text(mc_http_ctx *ctx, struct _u_response *resp, int status, const char *json) {
  char *buf = strdup(json);
  if (!buf) {
    mc_http_problem(ctx, resp, 500, "internal", "Out of memory.", NULL);
    return;
  }
  set_body(resp, status, buf, "application/json");
  ctx->done = 1;
}

static const char *status_title(int status) {
  switch (status) {
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 409: return "Conflict";
  case 410: return "Gone";
  case 412: return "Precondition Failed";
  case 413: return "Content Too Large";
  case 414: return "URI Too Long";
  case 415: return "Unsupported Media Type";
  case 422: return "Unprocessable Content";
  case 428: return "Precondition Required";
  case 429: return "Too Many Requests";
  case 500: return "Internal Server Error";
  case 501: return "Not Implemented";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  default: return status >= 500 ? "Server Error" : "Client Error";
  }
}

void mc_http_problem(mc_http_ctx *ctx, struct _u_response *resp, int status, const char *code,
                     const char *detail, json_t *errors) {
  json_t *extra = errors ? json_pack("{s:o}", "errors", errors) : NULL;
  mc_http_problem_with(ctx, resp, status, code, detail, extra);
}

void mc_http_problem_with(mc_http_ctx *ctx, struct _u_response *resp, int status, const char *code,
                          const char *detail, json_t *extra) {
  char type[96];
  char *buf;
  snprintf(type, sizeof type, "urn:mercato:problem:%s", code);
  json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", type, "title", status_title(status),
                        "status", status, "detail", detail ? detail : status_title(status), "code",
                        code, "request_id", ctx->request_id);
  if (p && extra) json_object_update_missing(p, extra);
  json_decref(extra);
  if (!p || mc_json_dump(p, &buf, NULL) != MC_OK) buf = NULL;
  json_decref(p);
  if (!buf) { /* out of memory: still answer with a valid problem */
    buf = strdup("{\"type\":\"urn:mercato:problem:internal\",\"title\":\"Internal Server Error\","
                 "\"status\":500,\"detail\":\"Out of memory.\",\"code\":\"internal\"}");
    status = 500;
  }
  set_body(resp, status, buf, "application/problem+json");
  ctx->done = 1;
}

void mc_http_error(mc_http_ctx *ctx, struct _u_response *resp, int err, const char *detail) {
  switch (err) {
  case MC_ERR_NOT_FOUND: mc_http_problem(ctx, resp, 404, "not_found", detail, NULL); break;
  case MC_ERR_CONFLICT: mc_http_problem(ctx, resp, 409, "conflict", detail, NULL); break;
  case MC_ERR_INVALID: mc_http_problem(ctx, resp, 422, "invalid", detail, NULL); break;
  case MC_ERR_FORBIDDEN: mc_http_problem(ctx, resp, 403, "forbidden", detail, NULL); break;
  case MC_ERR_UNAVAILABLE:
    u_map_put(resp->map_header, "Retry-After", "1");
    mc_http_problem(ctx, resp, 503, "unavailable",
                    detail ? detail : "A backing service did not answer in time; try again.", NULL);
    break;
  default:
    mc_error("http", "request %s failed: %s", ctx->request_id, mc_err_name(err));
    mc_http_problem(ctx, resp, 500, "internal", "Something went wrong on our side.", NULL);
  }
}

void mc_http_add_error(json_t **errors, const char *field, const char *code, const char *message) {
  mc_errors_add(errors, field, code, message);
}

const char *mc_http_query(const struct _u_request *req) {
  const char *q = req->http_url ? strchr(req->http_url, '?') : NULL;
  return q ? q + 1 : NULL;
}

int mc_http_no_query(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  json_t *errors = NULL;
  if (mc_query_each(mc_http_query(req), NULL, 0, NULL, NULL, &errors) == 0) return 1;
  mc_http_invalid(ctx, resp, errors);
  return 0;
}

const char *mc_http_param(const mc_http_ctx *ctx, const char *name) {
  for (int i = 0; i < ctx->nparams; i++)
    if (strcmp(ctx->params[i].name, name) == 0) return ctx->params[i].value;
  return NULL;
}
