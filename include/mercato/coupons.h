/* coupons.h - coupon codes: admin management and the rules that decide whether a code applies
 * to a cart. No HTTP or SQL here; the store keeps the documents and counts redemptions.
 *
 * A coupon document (the store's canonical shape, also what the admin API returns):
 *   {"id": "cpn_...", "code": "SAVE10" (stored upper-case; codes compare case-insensitively),
 *    "kind": "percent" | "fixed", "value": integer (percent 1..100, fixed minor units),
 *    "min_subtotal": integer | null, "starts_at": RFC 3339 | null, "expires_at": RFC 3339 | null,
 *    "usage_limit": integer | null (total redemptions), "per_customer_limit": integer | null,
 *    "times_used": integer, "active": boolean, "created_at", "updated_at"}
 * Redemptions are counted at checkout (mc_store_coupon_redeem), atomically within the limits;
 * applying a coupon to a cart only previews it. */
#ifndef MERCATO_COUPONS_H
#define MERCATO_COUPONS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/pricing.h"
#include "mercato/refusal.h"
#include "mercato/rules/coupons.h"
#include "mercato/store/coupons.h"

/* The spec (MC_COUPON_CODE_MAX, mc_coupon_normalise_code, mc_coupon_check), the refusals and
 * their order (mc_coupon_refusal, mc_coupon_decide) and their codes and sentences are
 * rules/coupons.h's. */

/* Decides whether coupon (borrowed store document) applies at now_ms to a cart whose subtotal
 * is subtotal, for the customer user_id (NULL for a guest), reading the customer's redemption
 * count from st only when the coupon has a per-customer limit. *out_refusal gets the first
 * refusal that holds (or MC_COUPON_APPLIES); *out_pricing (may be NULL) the coupon's kind and
 * value for mc_pricing_compute when it applies (kind MC_COUPON_NONE otherwise). Returns MC_OK
 * when it could decide, or the store's error. */
int mc_coupon_evaluate(mc_store *st, const json_t *coupon, int64_t subtotal, const char *user_id,
                       int64_t now_ms, mc_coupon_refusal *out_refusal, mc_pricing_coupon *out_pricing);

/* Admin management. body is the request's JSON object (borrowed); every problem is collected
 * into why's errors (validation_failed) and answered with MC_ERR_INVALID before anything is
 * written. Fields: code, kind, value, min_subtotal, starts_at, expires_at, usage_limit,
 * per_customer_limit, active; on create code, kind and value are required; anything else
 * (times_used, id, ...) is an unknown field. The rules are mc_coupon_check's; the store judges
 * an update against the coupon as it stands inside its transaction (a usage_limit below
 * times_used). MC_ERR_CONFLICT "coupon_code_taken" when the code is taken. *out gets the
 * stored document (new reference). */
int mc_coupon_create(mc_store *st, const json_t *body, json_t **out, mc_refusal *why);
int mc_coupon_update(mc_store *st, const char *id, const json_t *body, json_t **out, mc_refusal *why);

/* *out: the coupon with this id (new reference). MC_ERR_NOT_FOUND when there is none or id is
 * not a coupon id. */
int mc_coupon_get(mc_store *st, const char *id, json_t **out);

/* Deletes a coupon that was never redeemed. MC_ERR_CONFLICT "coupon_redeemed" when it was
 * (why's number times_used says how often; the admin should deactivate it instead).
 * MC_ERR_NOT_FOUND "not_found" as mc_coupon_get. */
int mc_coupon_delete(mc_store *st, const char *id, mc_refusal *why);

#define MC_COUPON_LIST_DEFAULT 20
#define MC_COUPON_OFFSET_MAX 10000 /* deeper pages are refused: filter instead */

/* A parsed admin listing; query.code_part points into q. */
typedef struct mc_coupon_listing {
  char q[MC_COUPON_CODE_MAX + 1];
  mc_coupon_query query;
} mc_coupon_listing;

/* Parses the admin listing's raw query string (after '?', not decoded; NULL or "" for none)
 * into *out: limit (1..MC_COUPON_LIST_MAX, default MC_COUPON_LIST_DEFAULT), offset
 * (0..MC_COUPON_OFFSET_MAX, default 0), q (part of a code, any case; "" for all) and active
 * (true or false; both when absent). Every problem is collected into *errors naming its
 * parameter: unknown_parameter, repeated, malformed (a bad escape), not_an_integer,
 * out_of_range, too_long, invalid. MC_OK or MC_ERR_INVALID. */
int mc_coupon_parse_listing(const char *query, mc_coupon_listing *out, json_t **errors);

/* *out: a new {"coupons": [documents, newest first], "count", "limit", "offset"}; count is the
 * number of matches without limit and offset. listing is borrowed. */
int mc_coupon_list(mc_store *st, const mc_coupon_listing *listing, json_t **out);

#endif
