/* coupons.c - coupon codes: the rules that decide whether a code applies to a cart (refusals in
 * a fixed order), and admin management with every problem of a body collected before the store
 * is asked. The admin listing's query string is parsed in coupon_listing.c. */
#include "mercato/coupons.h"

#include <stdio.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/money.h"
#include "mercato/query.h"

#define RAW_CODE_MAX 64 /* bytes of a code as typed, spaces included, before normalising */
#define TIME_TEXT_MAX 64

/* --- refusals ------------------------------------------------------------------------------- */

const char *mc_coupon_refusal_code(mc_coupon_refusal r) {
  switch (r) {
  case MC_COUPON_APPLIES: return "applies";
  case MC_COUPON_UNKNOWN: return "unknown";
  case MC_COUPON_INACTIVE: return "inactive";
  case MC_COUPON_NOT_STARTED: return "not_started";
  case MC_COUPON_EXPIRED: return "expired";
  case MC_COUPON_SIGN_IN_REQUIRED: return "sign_in_required";
  case MC_COUPON_BELOW_MINIMUM: return "below_minimum";
  case MC_COUPON_EXHAUSTED: return "exhausted";
  case MC_COUPON_ALREADY_USED: return "already_used_by_you";
  }
  return "unknown";
}

void mc_coupon_refusal_message(mc_coupon_refusal r, const json_t *coupon, const char *currency, char *buf,
                               size_t len) {
  const char *starts = json_string_value(json_object_get(coupon, "starts_at"));
  json_t *min = json_object_get(coupon, "min_subtotal");
  char amount[48];

  if (len == 0) return;
  switch (r) {
  case MC_COUPON_APPLIES: snprintf(buf, len, "The coupon applies."); return;
  case MC_COUPON_INACTIVE: snprintf(buf, len, "This coupon is not active."); return;
  case MC_COUPON_NOT_STARTED:
    if (starts) snprintf(buf, len, "This coupon can be used from %s.", starts);
    else snprintf(buf, len, "This coupon cannot be used yet.");
    return;
  case MC_COUPON_EXPIRED: snprintf(buf, len, "This coupon has expired."); return;
  case MC_COUPON_SIGN_IN_REQUIRED: snprintf(buf, len, "Sign in to use this coupon."); return;
  case MC_COUPON_BELOW_MINIMUM:
    if (json_is_integer(min) && currency &&
        mc_money_format(json_integer_value(min), currency, amount, sizeof amount) == MC_OK)
      snprintf(buf, len, "This coupon needs a subtotal of at least %s %s.", amount, currency);
    else snprintf(buf, len, "The subtotal is below this coupon's minimum.");
    return;
  case MC_COUPON_EXHAUSTED: snprintf(buf, len, "This coupon has been used up."); return;
  case MC_COUPON_ALREADY_USED:
    snprintf(buf, len, "You have already used this coupon as often as it allows.");
    return;
  case MC_COUPON_UNKNOWN: break;
  }
  snprintf(buf, len, "There is no coupon with this code.");
}

/* --- codes and evaluation ------------------------------------------------------------------- */

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int mc_coupon_normalise_code(const char *code, char *out) {
  const char *end;
  size_t n = 0;

  if (out) out[0] = '\0';
  if (!code || !out) return MC_ERR_INVALID;
  while (is_space(*code)) code++;
  end = code + strlen(code);
  while (end > code && is_space(end[-1])) end--;
  if (end == code || (size_t)(end - code) > MC_COUPON_CODE_MAX) return MC_ERR_INVALID;
  for (const char *p = code; p < end; p++) {
    char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      out[0] = '\0';
      return MC_ERR_INVALID;
    }
    out[n++] = c;
  }
  out[n] = '\0';
  return MC_OK;
}

/* Reads an optional time member of a stored document: 0 when absent or null, 1 with *out set,
 * -1 when it is not a time (a document no store writes). */
static int doc_time(const json_t *doc, const char *name, int64_t *out) {
  json_t *v = json_object_get(doc, name);
  if (!v || json_is_null(v)) return 0;
  if (!json_is_string(v) || mc_time_parse_ms(json_string_value(v), json_string_length(v), out) != MC_OK) return -1;
  return 1;
}

/* Reads an optional integer member: 0 when absent or null, 1 with *out set, -1 otherwise. */
static int doc_int(const json_t *doc, const char *name, int64_t *out) {
  json_t *v = json_object_get(doc, name);
  if (!v || json_is_null(v)) return 0;
  if (!json_is_integer(v)) return -1;
  *out = json_integer_value(v);
  return 1;
}

int mc_coupon_evaluate(mc_store *st, const json_t *coupon, int64_t subtotal, const char *user_id,
                       int64_t now_ms, mc_coupon_refusal *out_refusal, mc_pricing_coupon *out_pricing) {
  const char *kind = json_string_value(json_object_get(coupon, "kind"));
  const char *id = json_string_value(json_object_get(coupon, "id"));
  json_t *active = json_object_get(coupon, "active");
  int64_t starts = 0, expires = 0, min = 0, limit = 0, per_customer = 0, used = 0, value = 0, mine = 0;
  int has_starts, has_expires, has_min, has_limit, has_per_customer, has_used, has_value;
  mc_coupon_kind k;

  if (out_pricing) *out_pricing = (mc_pricing_coupon){MC_COUPON_NONE, 0};
  if (!out_refusal) return MC_ERR_INVALID;
  *out_refusal = MC_COUPON_UNKNOWN;
  if (!coupon) return MC_OK;
  has_starts = doc_time(coupon, "starts_at", &starts);
  has_expires = doc_time(coupon, "expires_at", &expires);
  has_min = doc_int(coupon, "min_subtotal", &min);
  has_limit = doc_int(coupon, "usage_limit", &limit);
  has_per_customer = doc_int(coupon, "per_customer_limit", &per_customer);
  has_used = doc_int(coupon, "times_used", &used);
  has_value = doc_int(coupon, "value", &value);
  k = kind && strcmp(kind, "percent") == 0 ? MC_COUPON_PERCENT : kind && strcmp(kind, "fixed") == 0 ? MC_COUPON_FIXED
                                                                                                   : MC_COUPON_NONE;
  if (!id || !json_is_boolean(active) || k == MC_COUPON_NONE || has_value != 1 || has_used != 1 || has_starts < 0 ||
      has_expires < 0 || has_min < 0 || has_limit < 0 || has_per_customer < 0) {
    mc_error("coupons", "evaluate: the coupon document is malformed");
    return MC_ERR_INVALID;
  }
  if (!json_is_true(active)) *out_refusal = MC_COUPON_INACTIVE;
  else if (has_starts && now_ms < starts) *out_refusal = MC_COUPON_NOT_STARTED;
  else if (has_expires && now_ms >= expires) *out_refusal = MC_COUPON_EXPIRED;
  else if (has_per_customer && !user_id) *out_refusal = MC_COUPON_SIGN_IN_REQUIRED;
  else if (has_min && subtotal < min) *out_refusal = MC_COUPON_BELOW_MINIMUM;
  else if (has_limit && used >= limit) *out_refusal = MC_COUPON_EXHAUSTED;
  else if (has_per_customer) {
    int rc = st->ops->coupon_redemption_count(st, id, user_id, &mine);
    if (rc != MC_OK) return rc;
    *out_refusal = mine >= per_customer ? MC_COUPON_ALREADY_USED : MC_COUPON_APPLIES;
  } else {
    *out_refusal = MC_COUPON_APPLIES;
  }
  if (*out_refusal == MC_COUPON_APPLIES && out_pricing) *out_pricing = (mc_pricing_coupon){k, value};
  return MC_OK;
}

/* --- admin bodies --------------------------------------------------------------------------- */

static const char *const writable[] = {"code",       "kind",        "value",       "min_subtotal",       "starts_at",
                                       "expires_at", "usage_limit", "per_customer_limit", "active", NULL};

/* The member's value, or NULL when absent. *is_null says whether it is JSON null. */
static json_t *member(const json_t *body, const char *name, int *is_null) {
  json_t *v = json_object_get(body, name);
  *is_null = json_is_null(v);
  return v;
}

/* An integer in [min, max] into *out: 1, or 0 after adding an error. */
static int integer_value(json_t *v, const char *field, int64_t min, int64_t max, int nullable, int64_t *out,
                         json_t **errors) {
  char msg[96];
  if (!json_is_integer(v)) {
    mc_errors_add(errors, field, "not_an_integer",
              nullable ? "This field must be a whole number or null." : "This field must be a whole number.");
    return 0;
  }
  if (json_integer_value(v) < min || json_integer_value(v) > max) {
    snprintf(msg, sizeof msg, "This field must be between %lld and %lld.", (long long)min, (long long)max);
    mc_errors_add(errors, field, "out_of_range", msg);
    return 0;
  }
  *out = json_integer_value(v);
  return 1;
}

/* The state a body's checks see: each member as it will be once the change is made (from the
 * body, else from the stored coupon on an update). ok_* say whether the body's value was
 * valid, so that one bad member does not also make its neighbours look wrong. */
typedef struct coupon_state {
  const char *kind;
  int64_t value;
  int has_value;
  int64_t starts, expires;
  int has_starts, has_expires, ok_kind, ok_times;
  int64_t usage_limit, times_used;
  int has_usage_limit;
} coupon_state;

static void state_from(const json_t *stored, coupon_state *s) {
  memset(s, 0, sizeof *s);
  s->ok_kind = s->ok_times = 1;
  if (!stored) return;
  s->kind = json_string_value(json_object_get(stored, "kind"));
  s->has_value = doc_int(stored, "value", &s->value) == 1;
  s->has_starts = doc_time(stored, "starts_at", &s->starts) == 1;
  s->has_expires = doc_time(stored, "expires_at", &s->expires) == 1;
  s->has_usage_limit = doc_int(stored, "usage_limit", &s->usage_limit) == 1;
  doc_int(stored, "times_used", &s->times_used);
}

/* A nullable RFC 3339 member into changes (in the store's form) and the state. */
static void time_member(const json_t *body, const char *name, json_t *changes, int64_t *ms, int *has, int *ok,
                        json_t **errors) {
  char canonical[MC_TIME_STR_MAX];
  int is_null;
  json_t *v = member(body, name, &is_null);
  const char *s;
  if (!v) return;
  if (is_null) {
    *has = 0;
    json_object_set_new(changes, name, json_null());
    return;
  }
  s = mc_field_string(v, name, TIME_TEXT_MAX, errors);
  if (s && (mc_time_parse_ms(s, strlen(s), ms) != MC_OK || mc_time_format_ms(*ms, canonical) != MC_OK)) {
    mc_errors_add(errors, name, "invalid_time", "Give an RFC 3339 time such as 2026-12-01T00:00:00Z, or null.");
    s = NULL;
  }
  if (!s) {
    *ok = 0;
    return;
  }
  *has = 1;
  json_object_set_new(changes, name, json_string(canonical));
}

/* A nullable integer member of [min, max] into changes; 1 when it gave a number (*out). */
static int limit_member(const json_t *body, const char *name, int64_t min, int64_t max, json_t *changes,
                        int64_t *out, json_t **errors) {
  int is_null;
  json_t *v = member(body, name, &is_null);
  if (!v) return 0;
  if (is_null) {
    json_object_set_new(changes, name, json_null());
    return 0;
  }
  if (!integer_value(v, name, min, max, 1, out, errors)) return 0;
  json_object_set_new(changes, name, json_integer(*out));
  return 1;
}

/* Checks body (for an update, against stored) and puts the store's form of each member into
 * changes. Adds every problem to *errors. */
static void coupon_fields(const json_t *body, const json_t *stored, json_t *changes, json_t **errors) {
  int creating = stored == NULL, is_null;
  char code[MC_COUPON_CODE_MAX + 1];
  coupon_state s;
  const char *key;
  json_t *v;
  int64_t n;

  state_from(stored, &s);
  json_object_foreach((json_t *)body, key, v) {
    int known = 0;
    for (const char *const *w = writable; *w && !known; w++) known = strcmp(*w, key) == 0;
    if (!known) {
      char field[80];
      snprintf(field, sizeof field, "%.64s", key);
      mc_errors_add(errors, field, "unknown_field", "This field is not accepted here.");
    }
  }

  v = member(body, "code", &is_null);
  if ((!v && creating) || is_null) {
    mc_errors_add(errors, "code", "required", creating ? "This field is required." : "A coupon always has a code.");
  } else if (v) {
    const char *raw = mc_field_string(v, "code", RAW_CODE_MAX, errors);
    if (raw && mc_coupon_normalise_code(raw, code) != MC_OK)
      mc_errors_add(errors, "code", "invalid_code", "A code is 1 to 32 of A-Z, 0-9, _ and - (case does not matter).");
    else if (raw) json_object_set_new(changes, "code", json_string(code));
  }

  v = member(body, "kind", &is_null);
  if ((!v && creating) || is_null) {
    mc_errors_add(errors, "kind", "required", "This field is required: percent or fixed.");
    s.ok_kind = 0;
  } else if (v) {
    const char *kind = json_string_value(v);
    if (!kind || (strcmp(kind, "percent") != 0 && strcmp(kind, "fixed") != 0)) {
      mc_errors_add(errors, "kind", "invalid_kind", "The kind is percent or fixed.");
      s.ok_kind = 0;
    } else {
      s.kind = kind;
      json_object_set_new(changes, "kind", json_string(kind));
    }
  }

  v = member(body, "value", &is_null);
  if ((!v && creating) || is_null) {
    mc_errors_add(errors, "value", "required", "This field is required.");
  } else if (v && integer_value(v, "value", 1, MC_MONEY_MAX, 0, &n, errors)) {
    s.value = n;
    s.has_value = 1;
    json_object_set_new(changes, "value", json_integer(n));
  } else if (v) {
    s.has_value = 0; /* already reported */
  }
  if (s.ok_kind && s.kind && strcmp(s.kind, "percent") == 0 && s.has_value && s.value > 100)
    mc_errors_add(errors, "value", "out_of_range", "A percent coupon takes 1 to 100 (percent off the subtotal).");

  limit_member(body, "min_subtotal", 0, MC_MONEY_MAX, changes, &n, errors);
  time_member(body, "starts_at", changes, &s.starts, &s.has_starts, &s.ok_times, errors);
  time_member(body, "expires_at", changes, &s.expires, &s.has_expires, &s.ok_times, errors);
  if (s.ok_times && s.has_starts && s.has_expires && s.expires <= s.starts)
    mc_errors_add(errors, "expires_at", "not_after_start", "expires_at must be later than starts_at.");

  if (limit_member(body, "usage_limit", 1, MC_COUPON_LIMIT_MAX, changes, &s.usage_limit, errors) &&
      s.usage_limit < s.times_used) {
    char msg[120];
    snprintf(msg, sizeof msg, "The coupon was already used %lld times; the limit cannot be lower.",
             (long long)s.times_used);
    mc_errors_add(errors, "usage_limit", "below_times_used", msg);
  }
  limit_member(body, "per_customer_limit", 1, MC_COUPON_LIMIT_MAX, changes, &n, errors);

  v = member(body, "active", &is_null);
  if (v && !json_is_boolean(v)) mc_errors_add(errors, "active", "not_a_boolean", "This field must be true or false.");
  else if (v) json_object_set(changes, "active", v);
}

/* --- admin writes and reads ----------------------------------------------------------------- */

static int body_object(const json_t *body, json_t **errors) {
  if (json_is_object(body)) return 1;
  mc_errors_add(errors, "body", body ? "not_an_object" : "required",
            body ? "The body must be a JSON object." : "A JSON body is required.");
  return 0;
}

static void code_taken(json_t **errors) {
  mc_errors_add(errors, "code", "taken", "Another coupon has this code (codes ignore case).");
}

int mc_coupon_create(mc_store *st, const json_t *body, json_t **errors, json_t **out) {
  char id[MC_ID_MAX];
  json_t *doc = json_object();
  int rc;

  *out = NULL;
  *errors = NULL;
  if (!doc) return MC_ERR_INTERNAL;
  if (body_object(body, errors)) coupon_fields(body, NULL, doc, errors);
  if (*errors) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  if ((rc = mc_id_new("cpn", id)) != MC_OK) goto done;
  json_object_set_new(doc, "id", json_string(id));
  rc = st->ops->coupon_create(st, doc, out);
  if (rc == MC_ERR_CONFLICT) code_taken(errors);
  if (rc == MC_OK) mc_info("coupons", "coupon %s created", id);
  if (rc == MC_ERR_INVALID) {
    mc_error("coupons", "create: the store refused a checked coupon");
    rc = MC_ERR_INTERNAL;
  }
done:
  json_decref(doc);
  return rc;
}

/* Reads the coupon and checks body against it into changes (replaced); MC_ERR_INVALID with
 * errors. *stored is a new reference. */
static int update_check(mc_store *st, const char *id, const json_t *body, json_t **stored, json_t **changes,
                        json_t **errors) {
  int rc = st->ops->coupon_get(st, id, stored);
  if (rc != MC_OK) return rc;
  json_decref(*changes);
  if (!(*changes = json_object())) return MC_ERR_INTERNAL;
  coupon_fields(body, *stored, *changes, errors);
  return *errors ? MC_ERR_INVALID : MC_OK;
}

int mc_coupon_update(mc_store *st, const char *id, const json_t *body, json_t **errors, json_t **out) {
  json_t *stored = NULL, *changes = NULL;
  int rc;

  *out = NULL;
  *errors = NULL;
  if (!mc_id_valid(id, "cpn")) return MC_ERR_NOT_FOUND;
  if (!body_object(body, errors)) return MC_ERR_INVALID;
  if ((rc = update_check(st, id, body, &stored, &changes, errors)) != MC_OK) goto done;
  if (json_object_size(changes) == 0) {
    *out = json_incref(stored);
    goto done;
  }
  rc = st->ops->coupon_update(st, id, changes, out);
  if (rc == MC_ERR_CONFLICT) code_taken(errors);
  if (rc == MC_ERR_INVALID) {
    /* The stored coupon changed between the check and the write (a redemption passed the new
     * usage_limit, another admin moved a date): judge the body again against what is there. */
    json_decref(stored);
    stored = NULL;
    rc = update_check(st, id, body, &stored, &changes, errors);
    if (rc == MC_OK) rc = MC_ERR_CONFLICT;
  }
  if (rc == MC_OK) mc_info("coupons", "coupon %s updated", id);
done:
  json_decref(stored);
  json_decref(changes);
  return rc;
}

int mc_coupon_get(mc_store *st, const char *id, json_t **out) {
  *out = NULL;
  if (!mc_id_valid(id, "cpn")) return MC_ERR_NOT_FOUND;
  return st->ops->coupon_get(st, id, out);
}

int mc_coupon_delete(mc_store *st, const char *id, int64_t *out_times_used) {
  json_t *doc = NULL;
  int rc;

  if (out_times_used) *out_times_used = 0;
  if (!mc_id_valid(id, "cpn")) return MC_ERR_NOT_FOUND;
  rc = st->ops->coupon_delete(st, id);
  if (rc == MC_OK) mc_info("coupons", "coupon %s deleted", id);
  if (rc == MC_ERR_CONFLICT && out_times_used && st->ops->coupon_get(st, id, &doc) == MC_OK)
    *out_times_used = json_integer_value(json_object_get(doc, "times_used"));
  json_decref(doc);
  return rc;
}

int mc_coupon_list(mc_store *st, const mc_coupon_listing *listing, json_t **out) {
  json_t *items = NULL;
  int64_t count = 0;
  int rc = st->ops->coupon_list(st, &listing->query, &items, &count);

  *out = NULL;
  if (rc != MC_OK) return rc;
  *out = json_pack("{s:o, s:I, s:i, s:I}", "coupons", items, "count", (json_int_t)count, "limit", listing->query.limit,
                   "offset", (json_int_t)listing->query.offset);
  return *out ? MC_OK : MC_ERR_INTERNAL;
}
