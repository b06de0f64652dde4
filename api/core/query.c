/* query.c - query-string walking shared by every listing (products, admin products, coupons):
 * decoding, unknown and repeated parameters, integers and booleans, with errors naming fields. */
#include <stdio.h>
#include <string.h>

#include "mercato/codec.h"
#include "mercato/query.h"

void mc_errors_add(json_t **errors, const char *field, const char *code, const char *message) {
  if (!*errors) *errors = json_array();
  if (*errors)
    json_array_append_new(*errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message));
}

const char *mc_query_field(const char *name) {
  size_t n = 0;
  for (; name[n]; n++)
    if (n == MC_QUERY_NAME_MAX || name[n] <= 0x20 || name[n] >= 0x7f || name[n] == '"') return "query";
  return n ? name : "query";
}

int mc_query_each(const char *query, const char *const *names, int n, mc_query_fn fn, void *arg, json_t **errors) {
  char name[MC_QUERY_NAME_MAX * 3 + 1], value[MC_QUERY_VALUE_MAX + 1];
  unsigned seen = 0;
  int added = 0;

  for (const char *p = query; p && *p;) {
    const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p)), *name_end = eq ? eq : end;
    if (end > p) {
      long nl = mc_percent_decode(p, (size_t)(name_end - p), name, sizeof name, MC_PERCENT_FORM);
      long vl = eq ? mc_percent_decode(eq + 1, (size_t)(end - eq - 1), value, sizeof value, MC_PERCENT_FORM)
                   : (value[0] = '\0', 0);
      int which = -1;
      if (nl >= 0)
        for (int i = 0; i < n && which < 0; i++)
          if (strcmp(name, names[i]) == 0) which = i;
      added++;
      if (nl < 0) mc_errors_add(errors, "query", "malformed", "The query string has a malformed parameter name.");
      else if (vl == MC_PERCENT_MALFORMED) mc_errors_add(errors, mc_query_field(name), "malformed", "This parameter has a malformed %-escape.");
      else if (vl == MC_PERCENT_TOO_LONG) mc_errors_add(errors, mc_query_field(name), "too_long", "This parameter's value is too long.");
      else if (which < 0) mc_errors_add(errors, mc_query_field(name), "unknown_parameter", "This parameter is not accepted here.");
      else if (seen & (1u << which)) mc_errors_add(errors, names[which], "repeated", "This parameter is given more than once.");
      else {
        added--;
        seen |= 1u << which;
        fn(which, value, arg, errors);
      }
    }
    p = amp ? amp + 1 : end;
  }
  return added;
}

int mc_query_int(const char *field, const char *v, int64_t min, int64_t max, int64_t *out, json_t **errors) {
  char msg[160];
  int negative = *v == '-';
  const char *d = v + negative;
  int64_t n = 0;
  int big = 0;

  if (!*d) goto not_int;
  for (; *d; d++) {
    if (*d < '0' || *d > '9') goto not_int;
    if (n > (INT64_MAX - 9) / 10) big = 1;
    else n = n * 10 + (*d - '0');
  }
  if (negative && n != 0) n = -n;
  if (big || n < min || n > max) {
    snprintf(msg, sizeof msg, "%.64s must be a whole number from %lld to %lld.", field, (long long)min, (long long)max);
    mc_errors_add(errors, field, "out_of_range", msg);
    return -1;
  }
  *out = n;
  return 0;
not_int:
  snprintf(msg, sizeof msg, "%.64s must be a whole number.", field);
  mc_errors_add(errors, field, "not_an_integer", msg);
  return -1;
}

int mc_query_bool(const char *field, const char *v, int *out, json_t **errors) {
  if (strcmp(v, "true") == 0) *out = 1;
  else if (strcmp(v, "false") == 0) *out = 0;
  else {
    mc_errors_add(errors, field, "invalid", "Use true or false.");
    return -1;
  }
  return 0;
}

const char *mc_field_string(const json_t *v, const char *field, size_t max, json_t **errors) {
  char msg[80];
  if (!json_is_string(v)) {
    mc_errors_add(errors, field, "not_a_string", "This field must be a string.");
    return NULL;
  }
  if (strlen(json_string_value(v)) != json_string_length(v)) {
    mc_errors_add(errors, field, "contains_nul", "This field must not contain NUL characters.");
    return NULL;
  }
  if (json_string_length(v) > max) {
    snprintf(msg, sizeof msg, "This field is longer than %zu bytes.", max);
    mc_errors_add(errors, field, "too_long", msg);
    return NULL;
  }
  return json_string_value(v);
}

const char *mc_field_string_member(const json_t *obj, const char *field, int required, size_t max, json_t **errors) {
  json_t *v = json_object_get(obj, field);
  if (!v || json_is_null(v)) {
    if (required) mc_errors_add(errors, field, "required", "This field is required.");
    return NULL;
  }
  return mc_field_string(v, field, max, errors);
}
