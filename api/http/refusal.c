/* refusal.c - the one table from a refusal's code (mercato/refusal.h) to an HTTP status and a
 * problem type, and the answer written from it. A new failure is a row here. */
#include <stdio.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/http.h"
#include "mercato/log.h"
#include "mercato/refusal.h"

/* code: the refusal's; status; problem: the problem's code when it is not the refusal's own
 * (a refusal about one field answered as validation_failed, say); NULL for the same. */
typedef struct refusal_row {
  const char *code;
  int status;
  const char *problem;
} refusal_row;

static const refusal_row refusal_table[] = {
  /* validation: errors[] names every field */
  {"validation_failed", 422, NULL},
  {"unknown_product", 422, "validation_failed"},
  {"line_limit", 422, "validation_failed"},
  {"total_limit", 422, "validation_failed"},
  {"too_many_images", 422, NULL},
  /* absent things */
  {"not_found", 404, NULL},
  {"not_in_cart", 404, NULL},
  /* conflicts with what is stored */
  {"conflict", 409, NULL},
  {"insufficient_stock", 409, NULL},
  {"cart_full", 409, NULL},
  {"slug_taken", 409, NULL},
  {"sku_taken", 409, NULL},
  {"email_taken", 409, NULL},
  {"product_archived", 409, NULL},
  {"category_in_use", 409, NULL},
  {"coupon_code_taken", 409, NULL},
  {"coupon_redeemed", 409, NULL},
  /* coupons that do not apply to a cart */
  {"coupon_unknown", 422, NULL},
  {"coupon_inactive", 422, NULL},
  {"coupon_not_started", 422, NULL},
  {"coupon_expired", 422, NULL},
  {"coupon_sign_in_required", 422, NULL},
  {"coupon_below_minimum", 422, NULL},
  {"coupon_exhausted", 422, NULL},
  {"coupon_already_used_by_you", 422, NULL},
  /* the caller */
  {"forbidden", 403, NULL},
  {"invalid_credentials", 401, NULL},
  {"rate_limited", 429, NULL},
  /* us or what we depend on */
  {"unavailable", 503, NULL},
  {"internal", 500, NULL},
};

/* A 429 says when to come back: the refusal's number retry_after, in seconds (at least 1). */
static void retry_after(struct _u_response *resp, const mc_refusal *r) {
  char value[24];
  int64_t s = mc_refusal_number_get(r, "retry_after", 1);
  snprintf(value, sizeof value, "%lld", (long long)(s < 1 ? 1 : s));
  u_map_put(resp->map_header, "Retry-After", value);
}

static const refusal_row *row_of(const char *code) {
  for (size_t i = 0; i < sizeof refusal_table / sizeof refusal_table[0]; i++)
    if (strcmp(refusal_table[i].code, code) == 0) return &refusal_table[i];
  return NULL;
}

int mc_http_refusal_status(const char *code) {
  const refusal_row *row = code ? row_of(code) : NULL;
  return row ? row->status : 0;
}

void mc_http_refusal(mc_http_ctx *ctx, struct _u_response *resp, int err, mc_refusal *r) {
  const refusal_row *row = r && r->code ? row_of(r->code) : NULL;
  json_t *extra, *errors;

  if (row == NULL || row->status >= 500) {
    if (r && r->code && row == NULL) mc_error("http", "request %s: refusal code %s has no row", ctx->request_id, r->code);
    mc_http_error(ctx, resp, err, r && r->detail[0] && err != MC_ERR_INTERNAL ? r->detail : NULL);
    mc_refusal_clear(r);
    return;
  }
  extra = json_object();
  errors = r->errors;
  r->errors = NULL;
  if (errors == NULL && r->field[0]) mc_http_add_error(&errors, r->field, r->code, r->detail);
  /* A wait goes in the header a client already understands (retry_after, below), not the body. */
  for (int i = 0; extra && i < r->nnumbers; i++)
    if (strcmp(r->numbers[i].name, "retry_after") != 0)
      json_object_set_new(extra, r->numbers[i].name, json_integer(r->numbers[i].value));
  if (extra && errors) json_object_set_new(extra, "errors", errors);
  else json_decref(errors);
  if (row->status == 503) u_map_put(resp->map_header, "Retry-After", "1");
  if (row->status == 429) retry_after(resp, r);
  /* Validation errors without a sentence of their own get the one every 422 of fields has. */
  mc_http_problem_with(ctx, resp, row->status, row->problem ? row->problem : r->code,
                       r->detail[0] ? r->detail : errors ? "The request has invalid fields; see errors." : NULL, extra);
  mc_refusal_clear(r);
}
