/* refusal.c - filling and freeing the one refusal type (mercato/refusal.h). */
#include "mercato/refusal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mercato/query.h"

int mc_refuse(mc_refusal *r, int err, const char *code, const char *field, const char *fmt, ...) {
  va_list ap;
  if (r == NULL) return err;
  r->code = code;
  snprintf(r->field, sizeof r->field, "%s", field ? field : "");
  va_start(ap, fmt);
  vsnprintf(r->detail, sizeof r->detail, fmt, ap);
  va_end(ap);
  return err;
}

void mc_refusal_number_set(mc_refusal *r, const char *name, int64_t value) {
  if (r == NULL) return;
  for (int i = 0; i < r->nnumbers; i++)
    if (strcmp(r->numbers[i].name, name) == 0) {
      r->numbers[i].value = value;
      return;
    }
  if (r->nnumbers < MC_REFUSAL_NUMBERS_MAX) r->numbers[r->nnumbers++] = (mc_refusal_number){name, value};
}

int64_t mc_refusal_number_get(const mc_refusal *r, const char *name, int64_t def) {
  for (int i = 0; r && i < r->nnumbers; i++)
    if (strcmp(r->numbers[i].name, name) == 0) return r->numbers[i].value;
  return def;
}

void mc_refusal_add_error(mc_refusal *r, const char *field, const char *code, const char *message) {
  if (r == NULL) return;
  mc_errors_add(&r->errors, field, code, message);
  if (r->code == NULL) r->code = "validation_failed";
}

void mc_refusal_take_errors(mc_refusal *r, json_t *errors) {
  if (r == NULL || errors == NULL) {
    json_decref(errors);
    return;
  }
  if (r->errors == NULL) r->errors = errors;
  else {
    json_array_extend(r->errors, errors);
    json_decref(errors);
  }
  if (r->code == NULL) r->code = "validation_failed";
}

void mc_refusal_clear(mc_refusal *r) {
  if (r == NULL) return;
  json_decref(r->errors);
  memset(r, 0, sizeof *r);
}
