/* cart.c - /cart routes: the cart of the signed-in customer, or of a guest named by the
 * X-Cart-Token header or the mercato_cart cookie; lines, the coupon, and the merge of a guest
 * cart at sign-in. A signed-in request never reads a guest token (only the merge does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/carts.h"
#include "mercato/err.h"
#include "mercato/http.h"
#include "mercato/id.h"
#include "mercato/log.h"

#define CART_COOKIE "mercato_cart"
#define CART_COOKIE_PATH "/api/v1"
#define CART_TOKEN_HEADER "X-Cart-Token"
#define CART_BODY_MAX 4096
#define PRODUCT_ID_FIELD_MAX 64
#define COUPON_CODE_FIELD_MAX 64

static const char *const item_fields[] = {"product_id", "quantity", NULL};
static const char *const quantity_fields[] = {"quantity", NULL};
static const char *const coupon_fields[] = {"code", NULL};

/* The guest token the request sends: the header, or failing that the cookie. Borrowed. */
static const char *header_token(const struct _u_request *req) {
  const char *t = u_map_get_case(req->map_header, CART_TOKEN_HEADER);
  return t && *t ? t : NULL;
}

static const char *cookie_token(const struct _u_request *req) {
  const char *t = u_map_get(req->map_cookie, CART_COOKIE);
  return t && *t ? t : NULL;
}

/* Who a request is from; client (CLIENT_MAX bytes) receives its address, which who borrows. */
#define CLIENT_MAX 64
static mc_cart_who who_of(const mc_http_ctx *ctx, const struct _u_request *req, char client[CLIENT_MAX]) {
  const char *token = header_token(req);
  mc_http_client_ip(req, client, CLIENT_MAX);
  if (ctx->user) return (mc_cart_who){json_string_value(json_object_get(ctx->user, "id")), NULL, client};
  return (mc_cart_who){NULL, token ? token : cookie_token(req), client};
}

static void set_cart_cookie(mc_http_ctx *ctx, struct _u_response *resp, const char *token) {
  const mc_config *cfg = ctx->app->cfg;
  ulfius_add_same_site_cookie_to_response(resp, CART_COOKIE, token, NULL, (unsigned)cfg->guest_cart_ttl, NULL,
                                          CART_COOKIE_PATH, cfg->cookie_secure, 1, U_COOKIE_SAME_SITE_LAX);
}

static void expire_cart_cookie(mc_http_ctx *ctx, struct _u_response *resp) {
  ulfius_add_same_site_cookie_to_response(resp, CART_COOKIE, "", "Thu, 01 Jan 1970 00:00:00 GMT", 0, NULL,
                                          CART_COOKIE_PATH, ctx->app->cfg->cookie_secure, 1, U_COOKIE_SAME_SITE_LAX);
}

/* 200 {"cart": ...}; a guest's answer also (re)sets the cookie, whose life follows the cart's. */
static void send_cart(mc_http_ctx *ctx, struct _u_response *resp, mc_cart_outcome *o) {
  if (o->token[0]) {
    set_cart_cookie(ctx, resp, o->token);
    u_map_put(resp->map_header, CART_TOKEN_HEADER, o->token);
  }
  /* The body is handed over as it is (as the catalog's answers are): no copy. */
  free(resp->binary_body);
  resp->binary_body = o->body;
  resp->binary_body_length = o->len;
  o->body = NULL;
  resp->status = 200;
  u_map_put(resp->map_header, "Content-Type", "application/json");
  ctx->done = 1;
}

/* Writes the answer for rc: the cart, or the refusal the service explained (http/refusal.c's
 * table), or the error. */
static void finish(mc_http_ctx *ctx, struct _u_response *resp, int rc, mc_cart_outcome *o) {
  if (rc == MC_OK) send_cart(ctx, resp, o);
  else mc_http_refusal(ctx, resp, rc, &o->why);
  mc_cart_outcome_clear(o);
}

/* The quantity member: an integer 1..MERCATO_CART_MAX_QUANTITY, else an error on quantity. */
static int64_t quantity_of(const mc_http_ctx *ctx, const json_t *body, json_t **errors) {
  const json_t *q = json_object_get(body, "quantity");
  int max = ctx->app->cfg->cart_max_quantity;
  char msg[96];
  if (!body) return 0;
  if (!q || json_is_null(q)) {
    mc_http_add_error(errors, "quantity", "required", "This field is required.");
    return 0;
  }
  if (!json_is_integer(q)) {
    mc_http_add_error(errors, "quantity", "not_an_integer", "The quantity must be a whole number.");
    return 0;
  }
  if (json_integer_value(q) < 1 || json_integer_value(q) > max) {
    snprintf(msg, sizeof msg, "The quantity must be from 1 to %d.", max);
    mc_http_add_error(errors, "quantity", "out_of_range", msg);
    return 0;
  }
  return json_integer_value(q);
}

static void get_cart(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_carts *c = &ctx->app->carts;
  char client[CLIENT_MAX];
  mc_cart_who who = who_of(ctx, req, client);
  mc_cart_outcome o;
  finish(ctx, resp, mc_cart_get(c, &who, &o), &o);
}

static void add_item(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_carts *c = &ctx->app->carts;
  char client[CLIENT_MAX];
  mc_cart_who who = who_of(ctx, req, client);
  mc_cart_outcome o;
  json_t *errors = NULL;
  const json_t *body = mc_body_object(ctx, item_fields, &errors);
  const char *pid = body ? mc_body_string(body, "product_id", 1, PRODUCT_ID_FIELD_MAX, &errors) : NULL;
  int64_t quantity = quantity_of(ctx, body, &errors);

  if (pid && !mc_id_valid(pid, "prod"))
    mc_http_add_error(&errors, "product_id", "unknown_product", "There is no product with this id.");
  if (errors) {
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  finish(ctx, resp, mc_cart_add(c, &who, pid, quantity, &o), &o);
}

static void set_item(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_carts *c = &ctx->app->carts;
  char client[CLIENT_MAX];
  mc_cart_who who = who_of(ctx, req, client);
  mc_cart_outcome o;
  json_t *errors = NULL;
  const json_t *body = mc_body_object(ctx, quantity_fields, &errors);
  int64_t quantity = quantity_of(ctx, body, &errors);

  if (errors) {
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  finish(ctx, resp, mc_cart_set(c, &who, mc_http_param(ctx, "product_id"), quantity, &o), &o);
}

static void remove_item(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_carts *c = &ctx->app->carts;
  char client[CLIENT_MAX];
  mc_cart_who who = who_of(ctx, req, client);
  mc_cart_outcome o;
  finish(ctx, resp, mc_cart_remove(c, &who, mc_http_param(ctx, "product_id"), &o), &o);
}

static void clear_cart(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_carts *c = &ctx->app->carts;
  char client[CLIENT_MAX];
  mc_cart_who who = who_of(ctx, req, client);
  mc_cart_outcome o;
  finish(ctx, resp, mc_cart_clear(c, &who, &o), &o);
}

static void apply_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_carts *c = &ctx->app->carts;
  char client[CLIENT_MAX];
  mc_cart_who who = who_of(ctx, req, client);
  mc_cart_outcome o;
  json_t *errors = NULL;
  const json_t *body = mc_body_object(ctx, coupon_fields, &errors);
  const char *code = body ? mc_body_string(body, "code", 1, COUPON_CODE_FIELD_MAX, &errors) : NULL;

  if (errors) {
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  finish(ctx, resp, mc_cart_apply_coupon(c, &who, code, &o), &o);
}

static void remove_coupon(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const mc_carts *c = &ctx->app->carts;
  char client[CLIENT_MAX];
  mc_cart_who who = who_of(ctx, req, client);
  mc_cart_outcome o;
  finish(ctx, resp, mc_cart_remove_coupon(c, &who, &o), &o);
}

int mc_http_cart_tokens(const struct _u_request *req, const char *tokens[2]) {
  tokens[0] = header_token(req);
  tokens[1] = cookie_token(req);
  return tokens[1] != NULL;
}

void mc_http_cart_cookie_expire(mc_http_ctx *ctx, struct _u_response *resp) {
  expire_cart_cookie(ctx, resp);
}

const mc_route mc_cart_routes[] = {
  {"GET", "/api/v1/cart", get_cart, 0, 0},
  {"DELETE", "/api/v1/cart", clear_cart, 0, 0},
  {"POST", "/api/v1/cart/items", add_item, 0, CART_BODY_MAX},
  {"PATCH", "/api/v1/cart/items/:product_id", set_item, 0, CART_BODY_MAX},
  {"DELETE", "/api/v1/cart/items/:product_id", remove_item, 0, 0},
  {"POST", "/api/v1/cart/coupon", apply_coupon, 0, CART_BODY_MAX},
  {"DELETE", "/api/v1/cart/coupon", remove_coupon, 0, 0},
};
const int mc_cart_routes_count = sizeof mc_cart_routes / sizeof mc_cart_routes[0];
