/* query.h - request input checks shared by every layer: URL query strings
 * (application/x-www-form-urlencoded) for listings and filters, split on '&', form-decoded and
 * checked against a route's known parameters; and string members of JSON bodies. Every problem
 * is collected as {field, code, message}, so a 422 names each parameter or field at fault. */
#ifndef MERCATO_QUERY_H
#define MERCATO_QUERY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define MC_QUERY_NAME_MAX 64   /* longer names are reported as the field "query" */
#define MC_QUERY_VALUE_MAX 800 /* decoded bytes; longer values are too_long */

/* Appends {field, code, message} (strings copied) to *errors, creating the array on first use.
 * Out of memory drops the entry; the caller's MC_ERR_INVALID still stands on what was added. */
void mc_errors_add(json_t **errors, const char *field, const char *code, const char *message);

/* The field to report for a parameter: its name when 1..MC_QUERY_NAME_MAX bytes of printable
 * ASCII without '"', else "query" (so no client bytes of any kind reach an error). Borrows name. */
const char *mc_query_field(const char *name);

/* Called for each known parameter, once, with its index in names and its decoded value. */
typedef void (*mc_query_fn)(int which, const char *value, void *arg, json_t **errors);

/* Walks query (the raw text after '?'; NULL or "" for none). Each parameter's name and value are
 * decoded; a bad escape is "malformed", a value over MC_QUERY_VALUE_MAX "too_long", a name not in
 * names[0..n) "unknown_parameter", a second occurrence "repeated"; the rest go to fn. n <= 32.
 * Returns the number of errors this call added (0: every parameter was known and reached fn,
 * though fn may have added errors of its own). */
int mc_query_each(const char *query, const char *const *names, int n, mc_query_fn fn, void *arg, json_t **errors);

/* A decimal integer within [min, max] into *out: returns 0, or -1 after adding "not_an_integer"
 * or "out_of_range" (negative numbers too, so "-5" is out of range, not malformed) for field. */
int mc_query_int(const char *field, const char *v, int64_t min, int64_t max, int64_t *out, json_t **errors);

/* "true" or "false" into *out (1 or 0): returns 0, or -1 after adding "invalid" for field. */
int mc_query_bool(const char *field, const char *v, int *out, json_t **errors);

/* v (borrowed, not NULL) as a string of at most max bytes without NUL: returns its text
 * (borrowed from v), or NULL after adding "not_a_string", "contains_nul" or "too_long" for field. */
const char *mc_field_string(const json_t *v, const char *field, size_t max, json_t **errors);

/* obj's member field through mc_field_string. Absent or null: NULL, after adding "required"
 * when required. */
const char *mc_field_string_member(const json_t *obj, const char *field, int required, size_t max, json_t **errors);

#endif
