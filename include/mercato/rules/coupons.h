/* rules/coupons.h - the coupon's rules, stated once: the field spec (the code's alphabet and
 * normal form, kinds, value ranges, dates, limits) and the decision whether a coupon may be used.
 * Pure code (no I/O): the coupon service, the store's wrappers and every store adapter call it,
 * an adapter inside its own transaction with the rows it read. openapi.yaml states the same
 * numbers. */
#ifndef MERCATO_RULES_COUPONS_H
#define MERCATO_RULES_COUPONS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/money.h"
#include "mercato/pricing.h"
#include "mercato/refusal.h"

#define MC_COUPON_CODE_MAX 32                   /* bytes of [A-Za-z0-9_-], kept upper-case */
#define MC_COUPON_CODE_INPUT_MAX 64             /* bytes of a code as typed, spaces included */
#define MC_COUPON_PERCENT_MAX 100               /* a percent coupon's value: 1..100 */
#define MC_COUPON_FIXED_MAX MC_MONEY_MAX        /* a fixed coupon's value: 1..this, minor units */
#define MC_COUPON_MIN_SUBTOTAL_MAX MC_MONEY_MAX /* min_subtotal: 0..this */
#define MC_COUPON_LIMIT_MAX INT64_C(1000000000) /* usage_limit and per_customer_limit: 1..this */
#define MC_COUPON_TIME_TEXT_MAX 64              /* bytes of an RFC 3339 starts_at/expires_at */
#define MC_COUPON_LIST_MAX 100

/* Why a coupon does not apply, in the order mc_coupon_decide checks them. Each has a stable
 * code (mc_coupon_refusal_code) that the API returns as "coupon_<code>". */
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

/* The refusal's stable code ("unknown", "inactive", ...; "applies" for MC_COUPON_APPLIES), and
 * the API's problem code ("coupon_unknown", ...). Static storage. */
const char *mc_coupon_refusal_code(mc_coupon_refusal r);
const char *mc_coupon_problem_code(mc_coupon_refusal r);

/* ---- the field spec ------------------------------------------------------------------------- */

/* 1 when s[0..len) is 1..MC_COUPON_CODE_MAX bytes of [A-Za-z0-9_-] (the store's form, any case). */
int mc_coupon_code_valid(const char *s, size_t len);

/* Normalises a code as typed by a customer or an admin: trims ASCII spaces, upper-cases, and
 * checks mc_coupon_code_valid. Writes the result (NUL-terminated) to out (at least
 * MC_COUPON_CODE_MAX + 1 bytes). MC_ERR_INVALID when it cannot be a code. */
int mc_coupon_normalise_code(const char *code, char *out);

/* The kind named s ("percent", "fixed"), or MC_COUPON_NONE. */
mc_coupon_kind mc_coupon_kind_of(const char *s);

/* Checks a coupon document in the store's form (code any case, times any RFC 3339 text) against
 * the spec, adding every problem to why as a validation error {field, code, message} (codes:
 * required, unknown_field, invalid_code, invalid_kind, not_a_string, not_an_integer,
 * not_a_boolean, out_of_range, invalid_time, not_after_start, below_times_used). for_update 0:
 * a new coupon (id, code, kind, value required; min_subtotal, starts_at, expires_at,
 * usage_limit, per_customer_limit nullable; active; nothing else, times_used included).
 * for_update 1: a non-empty set of changes (no id), judged with stored (the current document,
 * borrowed; NULL when unknown: the rules across members that need it then wait for the adapter,
 * which calls this again inside its transaction with the row it read). A member that why
 * already names (the caller reported it) is not judged again. Returns MC_ERR_INVALID when why
 * holds any error, else MC_OK; why may be NULL. */
int mc_coupon_check(const json_t *doc, int for_update, const json_t *stored, mc_refusal *why);

/* ---- the decision --------------------------------------------------------------------------- */

/* A coupon's terms and state as a decision reads them. */
typedef struct mc_coupon_terms {
  mc_coupon_kind kind;
  int64_t value;
  int active;
  int has_starts, has_expires, has_min_subtotal, has_usage_limit, has_per_customer;
  int64_t starts_at, expires_at; /* ms since the epoch */
  int64_t min_subtotal, usage_limit, per_customer_limit, times_used;
} mc_coupon_terms;

/* Reads a stored coupon document (borrowed) into *out; MC_ERR_INVALID for one no store writes. */
int mc_coupon_terms_of(const json_t *coupon, mc_coupon_terms *out);

/* What a use of the coupon is judged on. */
typedef struct mc_coupon_use {
  int64_t now_ms;
  int signed_in;       /* a customer is named */
  int64_t redemptions; /* that customer's redemptions of the coupon so far (0 for a guest); read
                        * only when mc_coupon_needs_redemptions says so */
  int has_subtotal;    /* 0 at redemption: the order's subtotal is the caller's to check */
  int64_t subtotal;
} mc_coupon_use;

/* 1 when the decision reads use->redemptions: the coupon has a per-customer limit and a
 * customer is named. Callers read the count (from their own transaction) only then. */
int mc_coupon_needs_redemptions(const mc_coupon_terms *t, int signed_in);

/* The one refusal order: the first refusal that holds for t and use, or MC_COUPON_APPLIES.
 * Never MC_COUPON_UNKNOWN (the caller found the coupon) nor, without a subtotal,
 * MC_COUPON_BELOW_MINIMUM. */
mc_coupon_refusal mc_coupon_decide(const mc_coupon_terms *t, const mc_coupon_use *use);

/* ---- refusals the store fills --------------------------------------------------------------- */

/* Fills why (may be NULL) for a code another coupon has: "coupon_code_taken" with the
 * validation error {code, taken}. Returns MC_ERR_CONFLICT. */
int mc_coupon_refuse_code_taken(mc_refusal *why);

/* Fills why (may be NULL) for a coupon that cannot be deleted because it was redeemed
 * times_used times: "coupon_redeemed" with the number times_used. Returns MC_ERR_CONFLICT. */
int mc_coupon_refuse_redeemed(mc_refusal *why, int64_t times_used);

/* Fills why (may be NULL) with the coupon refusal r ("coupon_<code>" on the field "code") and
 * its sentence for people; min_subtotal and currency (may be NULL) name the minimum of
 * MC_COUPON_BELOW_MINIMUM, also set as the number "minimum". Returns MC_ERR_INVALID. */
int mc_coupon_refuse(mc_refusal *why, mc_coupon_refusal r, int64_t min_subtotal, const char *currency);

/* The sentence for people saying why a coupon does not apply, into buf (len bytes, cut to fit). */
void mc_coupon_refusal_sentence(mc_coupon_refusal r, int64_t min_subtotal, const char *currency, char *buf,
                                size_t len);

#endif
