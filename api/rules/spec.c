/* spec.c - applying a field spec table (mercato/rules/spec.h) to a document: the one place that
 * decides whether a member's value has the right kind, limits and format. */
#include "mercato/rules/spec.h"

#include <stdio.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/query.h"

const mc_spec_field *mc_spec_find(const mc_spec_field *fields, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(fields[i].name, name) == 0) return &fields[i];
  return NULL;
}

/* Adds {f->name, code, message} to why and returns 0, so a check can end with it. */
static int bad(const mc_spec_field *f, mc_refusal *why, const char *code, const char *message) {
  mc_refusal_add_error(why, f->name, code, message);
  return 0;
}

static int text_ok(const mc_spec_field *f, const json_t *v, mc_refusal *why) {
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  char msg[80];
  if (s == NULL) return bad(f, why, "not_a_string", "This field must be a string.");
  if (strlen(s) != len) return bad(f, why, "contains_nul", "This field must not contain NUL characters.");
  if ((int64_t)len < f->min || (f->valid != NULL && !f->valid(s, len))) return bad(f, why, f->code, f->message);
  if ((int64_t)len > f->max) {
    snprintf(msg, sizeof msg, "This field is at most %lld bytes long.", (long long)f->max);
    return bad(f, why, "too_long", msg);
  }
  return 1;
}

static int int_ok(const mc_spec_field *f, const json_t *v, mc_refusal *why) {
  char msg[96];
  if (!json_is_integer(v))
    return bad(f, why, "not_an_integer",
               f->flags & MC_SPEC_NULLABLE ? "This field must be a whole number (minor units for money) or null."
                                           : "This field must be a whole number (minor units for money).");
  json_int_t i = json_integer_value(v);
  if (i < f->min || i > f->max) {
    snprintf(msg, sizeof msg, "This field must be between %lld and %lld.", (long long)f->min, (long long)f->max);
    return bad(f, why, "out_of_range", msg);
  }
  return 1;
}

/* Each member an id with f->prefix, none twice, at most f->max of them. */
static int id_set_ok(const mc_spec_field *f, const json_t *v, mc_refusal *why) {
  char msg[96];
  size_t i, j;
  json_t *m;
  if (!json_is_array(v)) return bad(f, why, "not_an_array", "This field must be an array of ids.");
  if ((int64_t)json_array_size(v) > f->max) {
    snprintf(msg, sizeof msg, "This field holds at most %lld ids.", (long long)f->max);
    return bad(f, why, "too_many", msg);
  }
  json_array_foreach(v, i, m) {
    const char *id = json_string_value(m);
    if (id == NULL || !mc_id_valid(id, f->prefix)) {
      snprintf(msg, sizeof msg, "Every member must be an id (%s_...).", f->prefix);
      return bad(f, why, "invalid_id", msg);
    }
    for (j = 0; j < i; j++)
      if (strcmp(id, json_string_value(json_array_get(v, j))) == 0)
        return bad(f, why, "duplicate", "An id is listed twice.");
  }
  return 1;
}

int mc_spec_value_ok(const mc_spec_field *f, const json_t *v, mc_refusal *why) {
  if (json_is_null(v) && (f->flags & MC_SPEC_NULLABLE)) return 1;
  switch (f->kind) {
  case MC_SPEC_TEXT:
    return text_ok(f, v, why);
  case MC_SPEC_ID:
    return mc_id_valid(json_string_value(v), f->prefix) ? 1 : bad(f, why, f->code, f->message);
  case MC_SPEC_INT:
    return int_ok(f, v, why);
  case MC_SPEC_BOOL:
    return json_is_boolean(v) ? 1 : bad(f, why, "not_a_boolean", "This field must be true or false.");
  case MC_SPEC_ID_SET:
    return id_set_ok(f, v, why);
  }
  return 0;
}

int mc_spec_check(const json_t *doc, const mc_spec_field *fields, int n, mc_spec_mode mode, mc_refusal *why) {
  const char *key;
  json_t *value;
  int ok = 1;
  if (!json_is_object(doc)) {
    mc_refuse(why, MC_ERR_INVALID, "validation_failed", NULL, "The document is not an object.");
    return MC_ERR_INVALID;
  }
  if (mode == MC_SPEC_UPDATE && json_object_size(doc) == 0) {
    mc_refuse(why, MC_ERR_INVALID, "validation_failed", NULL, "There is nothing to change.");
    return MC_ERR_INVALID;
  }
  /* jansson's iteration only reads; the cast is for its non-const API. */
  json_object_foreach((json_t *)doc, key, value) {
    const mc_spec_field *f = mc_spec_find(fields, n, key);
    if (f == NULL) ok = bad(&(mc_spec_field){.name = mc_query_field(key)}, why, "unknown_field", "This field is not accepted here.");
    else if (mode == MC_SPEC_UPDATE && !(f->flags & MC_SPEC_UPDATABLE))
      ok = bad(f, why, "read_only", "This field cannot be changed.");
    else if (!mc_spec_value_ok(f, value, why)) ok = 0;
  }
  for (int i = 0; i < n && mode == MC_SPEC_CREATE; i++)
    if ((fields[i].flags & MC_SPEC_REQUIRED) && json_object_get(doc, fields[i].name) == NULL)
      ok = bad(&fields[i], why, "required", "This field is required.");
  return ok ? MC_OK : MC_ERR_INVALID;
}
