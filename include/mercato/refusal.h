/* refusal.h - the one refusal type: why a service, a rule or a store operation said no, in terms
 * a client can act on. Services fill it; the HTTP layer maps its code to a status and a problem
 * type in one table (http/refusal.c). A new kind of refusal is a new code and a new row there,
 * never a string compared in a handler. No HTTP here. */
#ifndef MERCATO_REFUSAL_H
#define MERCATO_REFUSAL_H

#include <jansson.h>
#include <stdint.h>

#define MC_REFUSAL_FIELD_MAX 64
#define MC_REFUSAL_DETAIL_MAX 256
#define MC_REFUSAL_NUMBERS_MAX 3

/* A number the client may need (the quantity available, a limit, a minimum): a problem
 * extension member named name. */
typedef struct mc_refusal_number {
  const char *name; /* static */
  int64_t value;
} mc_refusal_number;

/* Zero-initialise ({0}) before use; mc_refusal_clear frees what it holds. */
typedef struct mc_refusal {
  const char *code;                     /* stable code, static ("insufficient_stock"); NULL: none
                                         * was given (the mc_err alone answers) */
  char field[MC_REFUSAL_FIELD_MAX];     /* the request field it is about, "" for none */
  char detail[MC_REFUSAL_DETAIL_MAX];   /* a sentence for people */
  json_t *errors;                       /* owned: [{field, code, message}] for validation
                                         * (code "validation_failed"), or NULL */
  int nnumbers;
  mc_refusal_number numbers[MC_REFUSAL_NUMBERS_MAX];
} mc_refusal;

/* Sets code (static), field (may be NULL) and the detail (printf format) of r (NULL is fine:
 * then nothing happens). Keeps any errors already collected. Returns err, so a caller can write
 * `return mc_refuse(why, MC_ERR_CONFLICT, "slug_taken", "slug", "...")`. */
int mc_refuse(mc_refusal *r, int err, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Adds the number name (static) = value to r (NULL is fine); past MC_REFUSAL_NUMBERS_MAX it is
 * dropped. */
void mc_refusal_number_set(mc_refusal *r, const char *name, int64_t value);

/* Appends the validation error {field, code, message} to r->errors (created on first use) and
 * sets r->code to "validation_failed" when it has none yet. NULL r is fine. */
void mc_refusal_add_error(mc_refusal *r, const char *field, const char *code, const char *message);

/* Moves the errors array (stolen; NULL is fine) into r, as mc_refusal_add_error would add each. */
void mc_refusal_take_errors(mc_refusal *r, json_t *errors);

/* The number named name, or def when r holds none. */
int64_t mc_refusal_number_get(const mc_refusal *r, const char *name, int64_t def);

/* Frees what r holds and zeroes it (NULL is fine). */
void mc_refusal_clear(mc_refusal *r);

#endif
