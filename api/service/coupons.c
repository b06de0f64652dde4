/* coupons.c - coupon codes: whether a code applies to a cart (the rules' one refusal order,
 * with the customer's redemptions read from the store), and admin management: a body's input
 * read into the store's form and judged by the rules, every problem collected before the store
 * is asked. The admin listing's query string is parsed in coupon_listing.c. */
#include "mercato/coupons.h"

#include <stdio.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/query.h"

#define MISSING "There is no coupon with this id."

/* --- evaluation ------------------------------------------------------------------------------- */

int mc_coupon_evaluate(mc_store *st, const json_t *coupon, int64_t subtotal, const char *user_id,
                       int64_t now_ms, mc_coupon_refusal *out_refusal, mc_pricing_coupon *out_pricing) {
  mc_coupon_use use = {.now_ms = now_ms, .signed_in = user_id != NULL, .has_subtotal = 1, .subtotal = subtotal};
  const char *id = json_string_value(json_object_get(coupon, "id"));
  mc_coupon_terms t;
  int rc;

  if (out_pricing) *out_pricing = (mc_pricing_coupon){MC_COUPON_NONE, 0};
  if (!out_refusal) return MC_ERR_INVALID;
  *out_refusal = MC_COUPON_UNKNOWN;
  if (!coupon) return MC_OK;
  if (id == NULL || mc_coupon_terms_of(coupon, &t) != MC_OK) {
    mc_error("coupons", "evaluate: the coupon document is malformed");
    return MC_ERR_INVALID;
  }
  if (mc_coupon_needs_redemptions(&t, use.signed_in) &&
      (rc = mc_store_coupon_redemption_count(st, id, user_id, &use.redemptions)) != MC_OK)
    return rc;
  *out_refusal = mc_coupon_decide(&t, &use);
  if (*out_refusal == MC_COUPON_APPLIES && out_pricing) *out_pricing = (mc_pricing_coupon){t.kind, t.value};
  return MC_OK;
}

/* --- admin bodies ------------------------------------------------------------------------------ */

/* The members a client may send; id and times_used are the store's. */
static const char *const writable[] = {"code",       "kind",        "value",       "min_subtotal",       "starts_at",
                                       "expires_at", "usage_limit", "per_customer_limit", "active", NULL};

static void unknown_fields(const json_t *body, mc_refusal *why) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)body, key, v) {
    int known = 0;
    for (const char *const *w = writable; *w && !known; w++) known = strcmp(*w, key) == 0;
    if (!known) {
      char field[MC_REFUSAL_FIELD_MAX];
      snprintf(field, sizeof field, "%s", key);
      mc_refusal_add_error(why, field, "unknown_field", "This field is not accepted here.");
    }
  }
}

/* The code as typed (spaces around it, any case) into the store's form; a code that cannot be
 * one is reported and left out. */
static void code_member(const json_t *body, json_t *changes, mc_refusal *why) {
  char code[MC_COUPON_CODE_MAX + 1];
  json_t *v = json_object_get(body, "code"), *errors = NULL;
  const char *raw;

  if (v == NULL || json_is_null(v)) {
    if (v != NULL) json_object_set(changes, "code", v); /* the rules say it is required */
    return;
  }
  raw = mc_field_string(v, "code", MC_COUPON_CODE_INPUT_MAX, &errors);
  mc_refusal_take_errors(why, errors);
  if (raw && mc_coupon_normalise_code(raw, code) != MC_OK)
    mc_refusal_add_error(why, "code", "invalid_code", "A code is 1 to 32 of A-Z, 0-9, _ and - (case does not matter).");
  else if (raw) json_object_set_new(changes, "code", json_string(code));
}

/* A time as given (any RFC 3339 offset) into the canonical UTC text, so the answer shows what
 * is stored; one that is not a time is left for the rules to report. */
static void time_member(const json_t *body, const char *name, json_t *changes) {
  json_t *v = json_object_get(body, name);
  char canonical[MC_TIME_STR_MAX];
  int64_t ms;

  if (v == NULL) return;
  if (json_is_string(v) && json_string_length(v) <= MC_COUPON_TIME_TEXT_MAX &&
      mc_time_parse_ms(json_string_value(v), json_string_length(v), &ms) == MC_OK &&
      mc_time_format_ms(ms, canonical) == MC_OK)
    json_object_set_new(changes, name, json_string(canonical));
  else json_object_set(changes, name, v);
}

/* Reads body into changes (the store's form) and judges it; MC_ERR_INVALID with why's errors. */
static int coupon_changes(const json_t *body, int creating, json_t *changes, mc_refusal *why) {
  static const char *const plain[] = {"kind", "value", "min_subtotal", "usage_limit", "per_customer_limit", "active",
                                      NULL};
  int bad;

  if (!json_is_object(body)) {
    mc_refusal_add_error(why, "body", body ? "not_an_object" : "required",
                         body ? "The body must be a JSON object." : "A JSON body is required.");
    return MC_ERR_INVALID;
  }
  unknown_fields(body, why);
  code_member(body, changes, why);
  for (const char *const *p = plain; *p; p++)
    if (json_object_get(body, *p)) json_object_set(changes, *p, json_object_get(body, *p));
  time_member(body, "starts_at", changes);
  time_member(body, "expires_at", changes);
  bad = why->errors != NULL;
  if (creating || json_object_size(changes) > 0) bad |= mc_coupon_check(changes, !creating, NULL, why) != MC_OK;
  return bad ? MC_ERR_INVALID : MC_OK;
}

/* --- admin writes and reads -------------------------------------------------------------------- */

int mc_coupon_create(mc_store *st, const json_t *body, json_t **out, mc_refusal *why) {
  char id[MC_ID_MAX];
  json_t *doc = json_object();
  int rc;

  *out = NULL;
  if (!doc) return MC_ERR_INTERNAL;
  if ((rc = mc_id_new("cpn", id)) != MC_OK) goto done;
  json_object_set_new(doc, "id", json_string(id));
  if ((rc = coupon_changes(body, 1, doc, why)) != MC_OK) goto done;
  rc = mc_store_coupon_create(st, doc, out, why);
  if (rc == MC_OK) mc_info("coupons", "coupon %s created", id);
done:
  json_decref(doc);
  return rc;
}

int mc_coupon_update(mc_store *st, const char *id, const json_t *body, json_t **out, mc_refusal *why) {
  json_t *changes = json_object();
  int rc;

  *out = NULL;
  if (!changes) return MC_ERR_INTERNAL;
  if (!mc_id_valid(id, "cpn")) rc = mc_refuse(why, MC_ERR_NOT_FOUND, "not_found", NULL, MISSING);
  else rc = coupon_changes(body, 0, changes, why);
  if (rc == MC_OK && json_object_size(changes) == 0) rc = mc_coupon_get(st, id, out);
  else if (rc == MC_OK) rc = mc_store_coupon_update(st, id, changes, out, why);
  if (rc == MC_ERR_NOT_FOUND) mc_refuse(why, rc, "not_found", NULL, MISSING);
  if (rc == MC_OK) mc_info("coupons", "coupon %s updated", id);
  json_decref(changes);
  return rc;
}

int mc_coupon_get(mc_store *st, const char *id, json_t **out) {
  *out = NULL;
  if (!mc_id_valid(id, "cpn")) return MC_ERR_NOT_FOUND;
  return mc_store_coupon_get(st, id, out);
}

int mc_coupon_delete(mc_store *st, const char *id, mc_refusal *why) {
  int rc = mc_id_valid(id, "cpn") ? mc_store_coupon_delete(st, id, why) : MC_ERR_NOT_FOUND;
  if (rc == MC_OK) mc_info("coupons", "coupon %s deleted", id);
  if (rc == MC_ERR_NOT_FOUND) mc_refuse(why, rc, "not_found", NULL, MISSING);
  return rc;
}

int mc_coupon_list(mc_store *st, const mc_coupon_listing *listing, json_t **out) {
  json_t *items = NULL;
  int64_t count = 0;
  int rc = mc_store_coupon_list(st, &listing->query, &items, &count);

  *out = NULL;
  if (rc != MC_OK) return rc;
  *out = json_pack("{s:o, s:I, s:i, s:I}", "coupons", items, "count", (json_int_t)count, "limit", listing->query.limit,
                   "offset", (json_int_t)listing->query.offset);
  return *out ? MC_OK : MC_ERR_INTERNAL;
}
