/* coupons.h - coupon codes: admin management and the rules that decide whether a code applies
 * to a cart. No HTTP or SQL here; the store keeps the documents and counts redemptions.
 *
 * A coupon document (the store's canonical shape, also what the admin API returns):
 *   {"id": "cpn_...", "code": "SAVE10" (stored upper-case; codes compare case-insensitively),
 *    "kind": "percent" | "fixed", "value": integer (percent 1..100, fixed minor units),
 *    "min_subtotal": integer | null, "starts_at": RFC 3339 | null, "expires_at": RFC 3339 | null,
 *    "usage_limit": integer | null (total redemptions), "per_customer_limit": integer | null,
 *    "times_used": integer, "active": boolean, "created_at", "updated_at"}
 * Redemptions are counted at checkout (mc_store coupon_redeem), atomically within the limits;
 * applying a coupon to a cart only previews it. */
#ifndef MERCATO_COUPONS_H
#define MERCATO_COUPONS_H

#include <jansson.h>
#include <stdint.h>

#include "mercato/pricing.h"
#include "mercato/store.h"

#define MC_COUPON_CODE_MAX 32

/* Why a coupon does not apply, in the order they are checked. Each has a stable code
 * (mc_coupon_refusal_code) that the API returns as "coupon_<code>". */
typedef enum mc_coupon_refusal {
  MC_COUPON_APPLIES = 0,
  MC_COUPON_UNKNOWN,           /* "unknown": no coupon has this code */
  MC_COUPON_INACTIVE,          /* "inactive": switched off by an admin */
  MC_COUPON_NOT_STARTED,       /* "not_started": now < starts_at */
  MC_COUPON_EXPIRED,           /* "expired": now >= expires_at */
  MC_COUPON_SIGN_IN_REQUIRED,  /* "sign_in_required": per_customer_limit set and no customer */
  MC_COUPON_BELOW_MINIMUM,     /* "below_minimum": subtotal < min_subtotal */
  MC_COUPON_EXHAUSTED,         /* "exhausted": times_used >= usage_limit */
  MC_COUPON_ALREADY_USED       /* "already_used_by_you": the customer's redemptions >= per_customer_limit */
} mc_coupon_refusal;

/* The refusal's stable code ("unknown", "inactive", ...; "applies" for MC_COUPON_APPLIES).
 * Static storage. */
const char *mc_coupon_refusal_code(mc_coupon_refusal r);

/* Normalises a code typed by a customer or an admin: trims ASCII spaces, upper-cases, and
 * checks 1..MC_COUPON_CODE_MAX characters of [A-Z0-9_-]. Writes the result (NUL-terminated) to
 * out (at least MC_COUPON_CODE_MAX + 1 bytes). MC_ERR_INVALID when it cannot be a code. */
int mc_coupon_normalise_code(const char *code, char *out);

/* Decides whether coupon (borrowed store document) applies at now_ms to a cart whose subtotal
 * is subtotal, for the customer user_id (NULL for a guest), reading the customer's redemption
 * count from st only when the coupon has a per-customer limit. *out_refusal gets the first
 * refusal that holds (or MC_COUPON_APPLIES); *out_pricing (may be NULL) the coupon's kind and
 * value for mc_pricing_compute when it applies (kind MC_COUPON_NONE otherwise). Returns MC_OK
 * when it could decide, or the store's error. */
int mc_coupon_evaluate(mc_store *st, const json_t *coupon, int64_t subtotal, const char *user_id,
                       int64_t now_ms, mc_coupon_refusal *out_refusal, mc_pricing_coupon *out_pricing);

/* Admin management. body is the request's JSON object (borrowed); every problem is collected
 * into *errors (a new array of {field, code, message}, NULL when there is none) and answered
 * with MC_ERR_INVALID before anything is written. Fields: code, kind, value, min_subtotal,
 * starts_at, expires_at, usage_limit, per_customer_limit, active; on create code, kind and
 * value are required; anything else (times_used, id, ...) is an unknown field. A percent
 * value must be 1..100. expires_at must be after starts_at. MC_ERR_CONFLICT when the code is
 * taken. *out gets the stored document (new reference). */
int mc_coupon_create(mc_store *st, const json_t *body, json_t **errors, json_t **out);
int mc_coupon_update(mc_store *st, const char *id, const json_t *body, json_t **errors, json_t **out);

#endif
