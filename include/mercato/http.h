/* http.h - what resource handlers see of the HTTP layer: the per-request context, the route
 * table entry, and the helpers that write JSON and problem+json responses. */
#ifndef MERCATO_HTTP_H
#define MERCATO_HTTP_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>
#include <ulfius.h>

#include "mercato/app.h"
#include "mercato/refusal.h"

#define MC_ROUTE_PARAMS_MAX 4
#define MC_ROUTE_PARAM_LEN 256
#define MC_REQUEST_ID_MAX 128

typedef struct mc_http_ctx mc_http_ctx;

/* A handler writes the response (mc_http_json, mc_http_problem, mc_http_error) and returns.
 * It never builds queries: it parses, validates, authorises, calls a service, maps the result. */
typedef void (*mc_handler)(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp);

enum {
  MC_ROUTE_RAW_BODY = 1u << 0, /* the body is not JSON (uploads): skip the 415/400 checks */
  MC_ROUTE_AUTH = 1u << 1,     /* needs a valid access token (401 without) */
  MC_ROUTE_ADMIN = 1u << 2,    /* needs an admin's access token (401 without, 403 for others) */
  MC_ROUTE_IMAGE_BODY = 1u << 3, /* a raw upload of up to MERCATO_MAX_IMAGE_BYTES (implies RAW_BODY;
                                  * max_body is ignored), plus MC_HTTP_MULTIPART_SLACK when the
                                  * body is multipart/form-data */
  MC_ROUTE_PUBLIC = 1u << 4      /* never reads the caller: an Authorization header is not looked
                                  * at, so a stale token cannot break a public page (routes without
                                  * this flag answer 401 for an invalid token even when optional) */
};

/* What a multipart/form-data upload may add around its file: delimiters and part headers. */
#define MC_HTTP_MULTIPART_SLACK (16L * 1024)

typedef struct mc_route {
  const char *method;  /* "GET", "POST", "PATCH", "PUT" or "DELETE"; GET also answers HEAD */
  const char *path;    /* "/api/v1/products/:id": ':name' segments are parameters */
  mc_handler handler;
  unsigned flags;      /* MC_ROUTE_* */
  long max_body;       /* largest body this route takes, in bytes; 0 = MERCATO_MAX_BODY */
} mc_route;

typedef struct mc_route_param {
  const char *name;                 /* borrowed from the route table */
  char value[MC_ROUTE_PARAM_LEN];   /* percent-decoded */
} mc_route_param;

/* Per-request state, created by the first middleware layer and freed with the response. */
struct mc_http_ctx {
  mc_app *app;
  char request_id[MC_REQUEST_ID_MAX + 1];
  struct timespec started;
  const mc_route *route;            /* the matched route, or NULL */
  char allow[64];                   /* methods the path answers when the method did not match */
  mc_route_param params[MC_ROUTE_PARAMS_MAX];
  int nparams;
  int api;                          /* 1 for /api/, /healthz and /readyz: no-store, API headers */
  int done;                         /* a response is written; later layers only decorate it */
  json_t *body;                     /* the parsed JSON body, or NULL (owned) */
  json_t *user;                     /* the authenticated user's stored document, or NULL (owned) */
  int file_fd;                      /* static file to stream, or -1 (owned) */
  uint64_t file_size;
};

/* Returns the value of route parameter name (percent-decoded), or NULL. Borrowed from ctx. */
const char *mc_http_param(const mc_http_ctx *ctx, const char *name);

/* The raw query string of req (after '?', not decoded), or NULL. Borrowed from req. */
const char *mc_http_query(const struct _u_request *req);

/* For routes that take no query parameters: 1 when req has none; otherwise answers 422 with an
 * unknown_parameter error naming each one and returns 0. */
int mc_http_no_query(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp);

/* Writes status and body as application/json. Steals body (a NULL body writes none). */
void mc_http_json(mc_http_ctx *ctx, struct _u_response *resp, int status, json_t *body);

/* Writes status and a constant JSON text (copied) as application/json. */
void mc_http_json_text(mc_http_ctx *ctx, struct _u_response *resp, int status, const char *json);

/* Writes an RFC 9457 problem: type urn:mercato:problem:<code>, title from the status, detail,
 * code, request_id and, when errors is not NULL, the validation errors[] (stolen). */
void mc_http_problem(mc_http_ctx *ctx, struct _u_response *resp, int status, const char *code,
                     const char *detail, json_t *errors);

/* Like mc_http_problem, with the members of the object extra (stolen, may be NULL) added as
 * problem extensions ({"checks": ...}); the standard members cannot be overridden. */
void mc_http_problem_with(mc_http_ctx *ctx, struct _u_response *resp, int status, const char *code,
                          const char *detail, json_t *extra);

/* Maps an mc_err to its HTTP status and stable code in the one place that does so, and writes
 * the problem with detail. */
void mc_http_error(mc_http_ctx *ctx, struct _u_response *resp, int err, const char *detail);

/* Answers the refusal r (emptied: mc_refusal_clear) through the one table of refusal codes
 * (http/refusal.c): its status and problem code, detail, errors[] (r's, or one naming r->field
 * with r->code), and r's numbers as extension members. A refusal without a code, or with a code
 * the table lacks (logged), answers as mc_http_error(err). */
void mc_http_refusal(mc_http_ctx *ctx, struct _u_response *resp, int err, mc_refusal *r);

/* The HTTP status the table gives code, or 0 when it has no row (for tests). */
int mc_http_refusal_status(const char *code);

/* For a public answer whose strong ETag is etag (quoted): sets ETag and Cache-Control (shared
 * caches may keep it a minute) and marks the response written. When If-None-Match holds etag,
 * answers 304 without a body and returns 1; else returns 0 and the caller writes the 200 body. */
int mc_http_public_not_modified(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp,
                                const char *etag);

/* Appends {field, code, message} to the array *errors (created on first use). */
void mc_http_add_error(json_t **errors, const char *field, const char *code, const char *message);

/* Writes a 422 problem (code validation_failed) listing errors (stolen). */
void mc_http_invalid(mc_http_ctx *ctx, struct _u_response *resp, json_t *errors);

/* Checks that the request body is a JSON object whose members are all named in allowed
 * (NULL-terminated), adding an unknown_field error for each other member, or a body error when
 * it is missing or not an object. Returns the body (borrowed from ctx) or NULL. */
json_t *mc_body_object(mc_http_ctx *ctx, const char *const *allowed, json_t **errors);

/* Returns the string member field of obj (borrowed), or NULL after adding an error: required
 * (missing and required), not_a_string, contains_nul, or too_long (over max bytes). Bodies are
 * parsed with JSON_ALLOW_NUL, so read body strings through this, never json_string_value. */
const char *mc_body_string(const json_t *obj, const char *field, int required, size_t max, json_t **errors);

/* Adds the error for a password refused by mc_password_check with reason (its code). */
void mc_http_password_error(json_t **errors, const char *field, const char *reason);

/* Writes the client's address for rate-limit keys into out: IPv4 dotted, IPv6 its /64 prefix. */
void mc_http_client_ip(const struct _u_request *req, char *out, size_t len);

/* Reads the optional token_delivery member: 1 for "body", 0 for "cookie" or absent, -1 after
 * adding an error. */
int mc_http_token_delivery(const json_t *body, json_t **errors);

/* Answers status with {user, access_token, token_type, expires_in[, refresh_token]}, setting the
 * refresh cookie unless in_body. user and pair are borrowed. */
void mc_http_send_tokens(mc_http_ctx *ctx, struct _u_response *resp, int status, const json_t *user,
                         mc_token_pair *pair, int in_body);

/* The routes of each resource file, registered all at once before start-up. */
extern const mc_route mc_health_routes[];
extern const int mc_health_routes_count;
extern const mc_route mc_auth_routes[];
extern const int mc_auth_routes_count;
extern const mc_route mc_account_routes[];
extern const int mc_account_routes_count;
extern const mc_route mc_image_routes[];
extern const int mc_image_routes_count;
extern const mc_route mc_catalog_routes[];
extern const int mc_catalog_routes_count;
extern const mc_route mc_admin_catalog_routes[];
extern const int mc_admin_catalog_routes_count;
extern const mc_route mc_admin_coupon_routes[];
extern const int mc_admin_coupon_routes_count;
extern const mc_route mc_cart_routes[];
extern const int mc_cart_routes_count;
extern const mc_route mc_shop_routes[];
extern const int mc_shop_routes_count;

/* The guest cart tokens req names, for a sign-in to merge (borrowed from req): tokens[0] from
 * X-Cart-Token, tokens[1] from the mercato_cart cookie, NULL when absent. Returns 1 when the
 * request carries the cookie (cart.c). */
int mc_http_cart_tokens(const struct _u_request *req, const char *tokens[2]);

/* Expires the mercato_cart cookie, once a sign-in merged its cart (cart.c). */
void mc_http_cart_cookie_expire(mc_http_ctx *ctx, struct _u_response *resp);

#endif
