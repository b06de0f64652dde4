/* coupons.c - the coupon's rules (rules/coupons.h): the field spec that services, the store's
 * wrappers and adapters all check, and the one refusal order of a coupon's use. */
#include "mercato/rules/coupons.h"

#include <stdio.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/query.h"

/* ---- refusal codes and sentences ------------------------------------------------------------ */

static const char *const refusal_codes[] = {
  [MC_COUPON_APPLIES] = "applies",
  [MC_COUPON_UNKNOWN] = "unknown",
  [MC_COUPON_INACTIVE] = "inactive",
  [MC_COUPON_NOT_STARTED] = "not_started",
  [MC_COUPON_EXPIRED] = "expired",
  [MC_COUPON_SIGN_IN_REQUIRED] = "sign_in_required",
  [MC_COUPON_BELOW_MINIMUM] = "below_minimum",
  [MC_COUPON_EXHAUSTED] = "exhausted",
  [MC_COUPON_ALREADY_USED] = "already_used_by_you",
};

static const char *const problem_codes[] = {
  [MC_COUPON_APPLIES] = "coupon_applies",
  [MC_COUPON_UNKNOWN] = "coupon_unknown",
  [MC_COUPON_INACTIVE] = "coupon_inactive",
  [MC_COUPON_NOT_STARTED] = "coupon_not_started",
  [MC_COUPON_EXPIRED] = "coupon_expired",
  [MC_COUPON_SIGN_IN_REQUIRED] = "coupon_sign_in_required",
  [MC_COUPON_BELOW_MINIMUM] = "coupon_below_minimum",
  [MC_COUPON_EXHAUSTED] = "coupon_exhausted",
  [MC_COUPON_ALREADY_USED] = "coupon_already_used_by_you",
};

#define REFUSALS (sizeof refusal_codes / sizeof refusal_codes[0])

const char *mc_coupon_refusal_code(mc_coupon_refusal r) {
  return (size_t)r < REFUSALS ? refusal_codes[r] : "unknown";
}

const char *mc_coupon_problem_code(mc_coupon_refusal r) {
  return (size_t)r < REFUSALS ? problem_codes[r] : "coupon_unknown";
}

void mc_coupon_refusal_sentence(mc_coupon_refusal r, int64_t min_subtotal, const char *currency, char *buf,
                                size_t len) {
  char n[32];
  if (len == 0) return;
  switch (r) {
  case MC_COUPON_APPLIES: snprintf(buf, len, "The coupon applies."); break;
  case MC_COUPON_INACTIVE: snprintf(buf, len, "This coupon is not active."); break;
  case MC_COUPON_NOT_STARTED: snprintf(buf, len, "This coupon cannot be used yet."); break;
  case MC_COUPON_EXPIRED: snprintf(buf, len, "This coupon has expired."); break;
  case MC_COUPON_SIGN_IN_REQUIRED: snprintf(buf, len, "Sign in to use this coupon."); break;
  case MC_COUPON_BELOW_MINIMUM:
    if (currency != NULL && mc_money_format(min_subtotal, currency, n, sizeof n) == MC_OK)
      snprintf(buf, len, "This coupon needs a subtotal of at least %s %s.", n, currency);
    else snprintf(buf, len, "This coupon needs a subtotal of at least %lld.", (long long)min_subtotal);
    break;
  case MC_COUPON_EXHAUSTED: snprintf(buf, len, "This coupon has been used up."); break;
  case MC_COUPON_ALREADY_USED: snprintf(buf, len, "You have already used this coupon."); break;
  default: snprintf(buf, len, "There is no coupon with this code."); break;
  }
}

int mc_coupon_refuse(mc_refusal *why, mc_coupon_refusal r, int64_t min_subtotal, const char *currency) {
  char sentence[MC_REFUSAL_DETAIL_MAX];
  if (why == NULL) return MC_ERR_INVALID;
  mc_coupon_refusal_sentence(r, min_subtotal, currency, sentence, sizeof sentence);
  mc_refuse(why, MC_ERR_INVALID, mc_coupon_problem_code(r), "code", "%s", sentence);
  if (r == MC_COUPON_BELOW_MINIMUM) mc_refusal_number_set(why, "minimum", min_subtotal);
  return MC_ERR_INVALID;
}

int mc_coupon_refuse_code_taken(mc_refusal *why) {
  static const char sentence[] = "Another coupon has this code (codes ignore case).";
  mc_refuse(why, MC_ERR_CONFLICT, "coupon_code_taken", "code", sentence);
  mc_refusal_add_error(why, "code", "taken", sentence);
  return MC_ERR_CONFLICT;
}

int mc_coupon_refuse_redeemed(mc_refusal *why, int64_t times_used) {
  mc_refuse(why, MC_ERR_CONFLICT, "coupon_redeemed", NULL,
            "The coupon was redeemed %lld time(s) and orders refer to it, so it cannot be deleted; "
            "deactivate it instead (PATCH with \"active\": false).",
            (long long)times_used);
  mc_refusal_number_set(why, "times_used", times_used);
  return MC_ERR_CONFLICT;
}

/* ---- codes and kinds ------------------------------------------------------------------------- */

static int code_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int mc_coupon_code_valid(const char *s, size_t len) {
  if (s == NULL || len == 0 || len > MC_COUPON_CODE_MAX) return 0;
  for (size_t i = 0; i < len; i++)
    if (!code_char(s[i])) return 0;
  return 1;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int mc_coupon_normalise_code(const char *code, char *out) {
  const char *end;
  size_t n;

  if (out != NULL) out[0] = '\0';
  if (code == NULL || out == NULL) return MC_ERR_INVALID;
  while (is_space(*code)) code++;
  end = code + strlen(code);
  while (end > code && is_space(end[-1])) end--;
  n = (size_t)(end - code);
  if (!mc_coupon_code_valid(code, n)) return MC_ERR_INVALID;
  for (size_t i = 0; i < n; i++) out[i] = code[i] >= 'a' && code[i] <= 'z' ? (char)(code[i] - 'a' + 'A') : code[i];
  out[n] = '\0';
  return MC_OK;
}

mc_coupon_kind mc_coupon_kind_of(const char *s) {
  if (s != NULL && strcmp(s, "percent") == 0) return MC_COUPON_PERCENT;
  if (s != NULL && strcmp(s, "fixed") == 0) return MC_COUPON_FIXED;
  return MC_COUPON_NONE;
}

/* ---- the spec -------------------------------------------------------------------------------- */

/* The members a coupon document may hold; id only on create. */
static const char *const members[] = {"id",         "code",        "kind",
                                      "value",      "min_subtotal", "starts_at",
                                      "expires_at", "usage_limit", "per_customer_limit",
                                      "active",     NULL};

/* What a check learns of the coupon as it will be (its members after the change). */
typedef struct coupon_view {
  mc_coupon_kind kind;
  int has_value, has_starts, has_expires, times_ok;
  int64_t value, starts, expires, times_used;
} coupon_view;

/* 1 when why already holds a validation error on field. */
static int reported(const mc_refusal *why, const char *field) {
  size_t i;
  json_t *e;
  if (why == NULL) return 0;
  json_array_foreach(why->errors, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "field")) ?: "", field) == 0) return 1;
  }
  return 0;
}

static int known(const char *key, int for_update) {
  for (const char *const *m = members; *m != NULL; m++)
    if (strcmp(*m, key) == 0) return !(for_update && m == members);
  return 0;
}

/* Reports the members that are not part of a coupon; returns how many. */
static int unknown_members(const json_t *doc, int for_update, mc_refusal *why) {
  const char *key;
  json_t *v;
  int n = 0;
  json_object_foreach((json_t *)doc, key, v) {
    char field[MC_REFUSAL_FIELD_MAX];
    if (known(key, for_update)) continue;
    snprintf(field, sizeof field, "%s", key);
    mc_refusal_add_error(why, field, "unknown_field", "This field is not accepted here.");
    n++;
  }
  return n;
}

/* The member name of doc to judge: NULL when absent or already reported. A null for a member
 * that cannot be null, or a required member missing, is reported here. */
static json_t *member(const json_t *doc, const char *name, int required, int nullable, mc_refusal *why,
                      int *bad) {
  json_t *v = json_object_get(doc, name);
  if (reported(why, name)) return NULL;
  if ((v == NULL && required) || (json_is_null(v) && !nullable)) {
    mc_refusal_add_error(why, name, "required", "This field is required.");
    (*bad)++;
    return NULL;
  }
  return v;
}

/* An integer in [min, max] (null allowed when nullable); 1 with *out when it is one. */
static int int_member(json_t *v, const char *name, int64_t min, int64_t max, int64_t *out, mc_refusal *why,
                      int *bad) {
  char msg[96];
  if (v == NULL || json_is_null(v)) return 0;
  if (!json_is_integer(v)) {
    mc_refusal_add_error(why, name, "not_an_integer", "This field must be a whole number.");
  } else if (json_integer_value(v) < min || json_integer_value(v) > max) {
    snprintf(msg, sizeof msg, "This field must be between %lld and %lld.", (long long)min, (long long)max);
    mc_refusal_add_error(why, name, "out_of_range", msg);
  } else {
    *out = json_integer_value(v);
    return 1;
  }
  (*bad)++;
  return 0;
}

/* A time member: 1 with *ms when it is one, 0 when absent or null, -1 when bad (reported). */
static int time_member(json_t *v, const char *name, int64_t *ms, mc_refusal *why, int *bad) {
  json_t *errors = NULL;
  const char *s;
  if (v == NULL || json_is_null(v)) return 0;
  s = mc_field_string(v, name, MC_COUPON_TIME_TEXT_MAX, &errors);
  mc_refusal_take_errors(why, errors);
  if (s != NULL && mc_time_parse_ms(s, strlen(s), ms) == MC_OK) return 1;
  if (s != NULL) mc_refusal_add_error(why, name, "invalid_time", "Give an RFC 3339 time such as 2026-12-01T00:00:00Z, or null.");
  (*bad)++;
  return -1;
}

/* Reads the stored document's members that rules across members need. */
static void view_of(const json_t *stored, coupon_view *c) {
  json_t *v;
  memset(c, 0, sizeof *c);
  c->times_ok = 1;
  if (stored == NULL) return;
  c->kind = mc_coupon_kind_of(json_string_value(json_object_get(stored, "kind")));
  if ((v = json_object_get(stored, "value")) && json_is_integer(v)) c->has_value = 1, c->value = json_integer_value(v);
  if ((v = json_object_get(stored, "starts_at")) && json_is_string(v))
    c->has_starts = mc_time_parse_ms(json_string_value(v), json_string_length(v), &c->starts) == MC_OK;
  if ((v = json_object_get(stored, "expires_at")) && json_is_string(v))
    c->has_expires = mc_time_parse_ms(json_string_value(v), json_string_length(v), &c->expires) == MC_OK;
  c->times_used = json_integer_value(json_object_get(stored, "times_used"));
}

/* id, code and kind. */
static void check_names(const json_t *doc, int creating, coupon_view *c, mc_refusal *why, int *bad) {
  json_t *v;
  if (creating && (v = member(doc, "id", 1, 0, why, bad)) != NULL && !mc_id_valid(json_string_value(v), "cpn")) {
    mc_refusal_add_error(why, "id", "invalid_id", "A coupon id is cpn_ and 26 characters.");
    (*bad)++;
  }
  if ((v = member(doc, "code", creating, 0, why, bad)) != NULL && !json_is_string(v)) {
    mc_refusal_add_error(why, "code", "not_a_string", "This field must be a string.");
    (*bad)++;
  } else if (v != NULL && !mc_coupon_code_valid(json_string_value(v), json_string_length(v))) {
    mc_refusal_add_error(why, "code", "invalid_code", "A code is 1 to 32 of A-Z, 0-9, _ and - (case does not matter).");
    (*bad)++;
  }
  if ((v = member(doc, "kind", creating, 0, why, bad)) != NULL) {
    c->kind = mc_coupon_kind_of(json_string_value(v));
    if (c->kind == MC_COUPON_NONE) {
      mc_refusal_add_error(why, "kind", "invalid_kind", "The kind is percent or fixed.");
      (*bad)++;
    }
  } else if (json_object_get(doc, "kind") != NULL || reported(why, "kind")) {
    c->kind = MC_COUPON_NONE; /* reported: judge no value against it */
  }
}

/* value, min_subtotal, the limits and active. */
static void check_numbers(const json_t *doc, int creating, coupon_view *c, mc_refusal *why, int *bad) {
  json_t *v = member(doc, "value", creating, 0, why, bad);
  int64_t n;

  if (v != NULL) c->has_value = int_member(v, "value", 1, MC_COUPON_FIXED_MAX, &c->value, why, bad);
  if (c->kind == MC_COUPON_PERCENT && c->has_value && c->value > MC_COUPON_PERCENT_MAX && !reported(why, "value")) {
    mc_refusal_add_error(why, "value", "out_of_range", "A percent coupon takes 1 to 100 (percent off the subtotal).");
    (*bad)++;
  }
  int_member(member(doc, "min_subtotal", 0, 1, why, bad), "min_subtotal", 0, MC_COUPON_MIN_SUBTOTAL_MAX, &n, why, bad);
  if (int_member(member(doc, "usage_limit", 0, 1, why, bad), "usage_limit", 1, MC_COUPON_LIMIT_MAX, &n, why, bad) &&
      n < c->times_used) {
    char msg[120];
    snprintf(msg, sizeof msg, "The coupon was already used %lld times; the limit cannot be lower.",
             (long long)c->times_used);
    mc_refusal_add_error(why, "usage_limit", "below_times_used", msg);
    (*bad)++;
  }
  int_member(member(doc, "per_customer_limit", 0, 1, why, bad), "per_customer_limit", 1, MC_COUPON_LIMIT_MAX, &n,
             why, bad);
  if ((v = member(doc, "active", 0, 0, why, bad)) != NULL && !json_is_boolean(v)) {
    mc_refusal_add_error(why, "active", "not_a_boolean", "This field must be true or false.");
    (*bad)++;
  }
}

/* starts_at and expires_at, and their order. */
static void check_times(const json_t *doc, coupon_view *c, mc_refusal *why, int *bad) {
  static const char *const names[2] = {"starts_at", "expires_at"};
  int *has[2] = {&c->has_starts, &c->has_expires};
  int64_t *ms[2] = {&c->starts, &c->expires};

  for (int i = 0; i < 2; i++) {
    json_t *v = member(doc, names[i], 0, 1, why, bad);
    int got;
    if (reported(why, names[i])) c->times_ok = 0;
    if (v == NULL) continue;
    got = time_member(v, names[i], ms[i], why, bad);
    if (got < 0) c->times_ok = 0;
    else *has[i] = got;
  }
  if (c->times_ok && c->has_starts && c->has_expires && c->expires <= c->starts) {
    mc_refusal_add_error(why, "expires_at", "not_after_start", "expires_at must be later than starts_at.");
    (*bad)++;
  }
}

int mc_coupon_check(const json_t *doc, int for_update, const json_t *stored, mc_refusal *why) {
  int bad = 0;
  coupon_view c;

  if (!json_is_object(doc) || (for_update && json_object_size(doc) == 0)) {
    mc_refusal_add_error(why, "body", for_update ? "empty" : "not_an_object",
                         for_update ? "Give at least one member to change." : "A coupon is a JSON object.");
    return MC_ERR_INVALID;
  }
  view_of(stored, &c);
  bad += unknown_members(doc, for_update, why);
  check_names(doc, !for_update, &c, why, &bad);
  check_numbers(doc, !for_update, &c, why, &bad);
  check_times(doc, &c, why, &bad);
  return bad > 0 || (why != NULL && why->errors != NULL) ? MC_ERR_INVALID : MC_OK;
}

/* ---- the decision ---------------------------------------------------------------------------- */

/* An optional integer member: 0 when absent or null, 1 with *out, -1 when not an integer. */
static int opt_int(const json_t *doc, const char *name, int64_t *out) {
  json_t *v = json_object_get(doc, name);
  if (v == NULL || json_is_null(v)) return 0;
  if (!json_is_integer(v)) return -1;
  *out = json_integer_value(v);
  return 1;
}

/* An optional time member, likewise. */
static int opt_time(const json_t *doc, const char *name, int64_t *out) {
  json_t *v = json_object_get(doc, name);
  if (v == NULL || json_is_null(v)) return 0;
  if (!json_is_string(v) || mc_time_parse_ms(json_string_value(v), json_string_length(v), out) != MC_OK) return -1;
  return 1;
}

int mc_coupon_terms_of(const json_t *coupon, mc_coupon_terms *out) {
  json_t *active = json_object_get(coupon, "active");
  int value, used;

  memset(out, 0, sizeof *out);
  out->kind = mc_coupon_kind_of(json_string_value(json_object_get(coupon, "kind")));
  out->active = json_is_true(active);
  value = opt_int(coupon, "value", &out->value);
  used = opt_int(coupon, "times_used", &out->times_used);
  out->has_starts = opt_time(coupon, "starts_at", &out->starts_at);
  out->has_expires = opt_time(coupon, "expires_at", &out->expires_at);
  out->has_min_subtotal = opt_int(coupon, "min_subtotal", &out->min_subtotal);
  out->has_usage_limit = opt_int(coupon, "usage_limit", &out->usage_limit);
  out->has_per_customer = opt_int(coupon, "per_customer_limit", &out->per_customer_limit);
  if (out->kind == MC_COUPON_NONE || !json_is_boolean(active) || value != 1 || used != 1 || out->has_starts < 0 ||
      out->has_expires < 0 || out->has_min_subtotal < 0 || out->has_usage_limit < 0 || out->has_per_customer < 0)
    return MC_ERR_INVALID;
  return MC_OK;
}

int mc_coupon_needs_redemptions(const mc_coupon_terms *t, int signed_in) {
  return t->has_per_customer && signed_in;
}

mc_coupon_refusal mc_coupon_decide(const mc_coupon_terms *t, const mc_coupon_use *u) {
  if (!t->active) return MC_COUPON_INACTIVE;
  if (t->has_starts && u->now_ms < t->starts_at) return MC_COUPON_NOT_STARTED;
  if (t->has_expires && u->now_ms >= t->expires_at) return MC_COUPON_EXPIRED;
  if (t->has_per_customer && !u->signed_in) return MC_COUPON_SIGN_IN_REQUIRED;
  if (u->has_subtotal && t->has_min_subtotal && u->subtotal < t->min_subtotal) return MC_COUPON_BELOW_MINIMUM;
  if (t->has_usage_limit && t->times_used >= t->usage_limit) return MC_COUPON_EXHAUSTED;
  if (t->has_per_customer && u->redemptions >= t->per_customer_limit) return MC_COUPON_ALREADY_USED;
  return MC_COUPON_APPLIES;
}
