/* store/coupons.h - the coupons aggregate of the storage port: coupon documents and their
 * redemptions, counted atomically within the coupon's limits. Callers use the mc_store_coupon_*
 * wrappers (api/store/store_coupons.c), which check the spec of rules/coupons.h before
 * dispatching; an adapter fills mc_store_coupon_ops and implements storage and atomicity only:
 * the checks across members and the redemption decision are the rules' functions, which it
 * calls inside its transaction with the rows it read.
 *
 * A coupon document: {"id": "cpn_...", "code", "kind": "percent"|"fixed", "value": integer,
 *  "min_subtotal": integer | null, "starts_at": RFC 3339 | null, "expires_at": RFC 3339 | null,
 *  "usage_limit": integer | null, "per_customer_limit": integer | null, "times_used": integer,
 *  "active": boolean, "created_at", "updated_at"}. The rules are mc_coupon_check's. Codes are
 * stored upper-case (the store upper-cases every code it is given, in writes and lookups alike,
 * so codes compare case-insensitively and are unique that way); times are kept to the
 * millisecond and returned in UTC like every time. times_used counts redemptions and changes only
 * through coupon_redeem (which leaves updated_at alone: that is the time of the last admin
 * change). A write that fails changes nothing. */
#ifndef MERCATO_STORE_COUPONS_H
#define MERCATO_STORE_COUPONS_H

#include <jansson.h>
#include <stdint.h>

#include "mercato/refusal.h"
#include "mercato/rules/coupons.h"
#include "mercato/store.h"

/* A coupon listing query, newest first; the filters are optional. */
typedef struct mc_coupon_query {
  const char *code_part; /* only codes containing it (compared upper-case); NULL or "" for all */
  int active;            /* 1: active only, 0: inactive only, -1: both */
  int limit;             /* 1..MC_COUPON_LIST_MAX */
  int64_t offset;        /* >= 0 */
} mc_coupon_query;

/* What an adapter implements. The wrappers below have checked the arguments as they say. */
struct mc_store_coupon_ops {
  int (*create)(mc_store *st, const json_t *coupon, json_t **out, mc_refusal *why);
  int (*get)(mc_store *st, const char *id, json_t **out);
  int (*get_by_code)(mc_store *st, const char *code, json_t **out);
  int (*list)(mc_store *st, const mc_coupon_query *query, json_t **out_items, int64_t *out_count);
  /* Must call mc_coupon_check(changes, 1, <the row it read>, why) inside its transaction. */
  int (*update)(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why);
  int (*remove)(mc_store *st, const char *id, mc_refusal *why);
  int (*redemption_count)(mc_store *st, const char *coupon_id, const char *user_id, int64_t *out);
  /* Must decide with mc_coupon_decide inside its transaction. */
  int (*redeem)(mc_store *st, const char *coupon_id, const char *order_id, const char *user_id, int64_t now_ms,
                mc_coupon_refusal *out_refusal, mc_refusal *why);
};

/* Inserts coupon (borrowed: id, code, kind, value required; min_subtotal, starts_at,
 * expires_at, usage_limit, per_customer_limit (all default null) and active (true) optional;
 * anything else, times_used included, is MC_ERR_INVALID with why's errors naming each member)
 * with times_used 0, and writes the stored document to *out (new reference, may be NULL).
 * MC_ERR_CONFLICT "coupon_code_taken" when the code (in any case) or the id is taken. why
 * may be NULL. */
int mc_store_coupon_create(mc_store *st, const json_t *coupon, json_t **out, mc_refusal *why);

/* Writes the coupon with this id / code (any case) to *out (new reference).
 * MC_ERR_NOT_FOUND if none (a text that cannot be an id or a code matches none). */
int mc_store_coupon_get(mc_store *st, const char *id, json_t **out);
int mc_store_coupon_get_by_code(mc_store *st, const char *code, json_t **out);

/* Lists coupons matching query, newest first (by id, which sorts by creation time, then
 * descending): *out_items (new array of documents) and *out_count (may be NULL), the number of
 * matches without limit/offset, both read from one snapshot. MC_ERR_INVALID for a query out
 * of range. */
int mc_store_coupon_list(mc_store *st, const mc_coupon_query *query, json_t **out_items, int64_t *out_count);

/* Applies changes (borrowed, a non-empty subset of code, kind, value, min_subtotal,
 * starts_at, expires_at, usage_limit, per_customer_limit, active; null sets a nullable one
 * back to none) atomically, with the rules checked against the document that results (a
 * usage_limit below times_used, expires_at not after starts_at: MC_ERR_INVALID with why's
 * errors), sets updated_at, and writes the new document to *out (new reference, may be NULL).
 * MC_ERR_NOT_FOUND if there is no such coupon, MC_ERR_CONFLICT "coupon_code_taken". */
int mc_store_coupon_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why);

/* Deletes a coupon that was never redeemed (carts holding it lose it). MC_ERR_CONFLICT
 * "coupon_redeemed" (number times_used) when it has redemptions (admins deactivate it instead),
 * MC_ERR_NOT_FOUND if there is none. */
int mc_store_coupon_delete(mc_store *st, const char *id, mc_refusal *why);

/* Writes to *out how many times the coupon was redeemed by the customer user_id, or in all
 * when user_id is NULL (guests included). 0 for a coupon that does not exist. */
int mc_store_coupon_redemption_count(mc_store *st, const char *coupon_id, const char *user_id, int64_t *out);

/* Redeems the coupon for the order order_id ("ord_...") of the customer user_id ("usr_...",
 * or NULL for a guest's order) at now_ms, in one transaction that decides with
 * mc_coupon_decide (no subtotal: that is the caller's to check with the order's) on the
 * coupon's state and the customer's redemptions as it read them. MC_OK when it recorded the
 * redemption and incremented times_used (*out_refusal MC_COUPON_APPLIES); otherwise nothing
 * changes and *out_refusal (may be NULL) gets why, also filled into why (mc_coupon_refuse):
 * MC_ERR_NOT_FOUND with MC_COUPON_UNKNOWN without such a coupon, MC_ERR_CONFLICT for the
 * others. An order already redeemed for this coupon is MC_OK again and counted once, whatever
 * the coupon's state now, so checkout can retry. MC_ERR_INVALID for a malformed id. Limits hold
 * under any concurrency (threads and processes). */
int mc_store_coupon_redeem(mc_store *st, const char *coupon_id, const char *order_id, const char *user_id,
                           int64_t now_ms, mc_coupon_refusal *out_refusal, mc_refusal *why);

#endif
