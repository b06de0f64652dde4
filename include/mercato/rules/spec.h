/* spec.h - field specs: one table per aggregate says which members a document has, their kind,
 * limits and format, and which may be written when; one checker applies a table for services
 * (collecting every problem of a request body) and for store adapters alike. Pure: no I/O. */
#ifndef MERCATO_RULES_SPEC_H
#define MERCATO_RULES_SPEC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/refusal.h"

typedef enum mc_spec_kind {
  MC_SPEC_TEXT,   /* a string: format (min bytes, valid) -> code, then max bytes -> too_long */
  MC_SPEC_ID,     /* an id with prefix; anything else -> code */
  MC_SPEC_INT,    /* an integer in min..max: not_an_integer, out_of_range */
  MC_SPEC_BOOL,   /* true or false: not_a_boolean */
  MC_SPEC_ID_SET  /* an array of at most max distinct ids with prefix: not_an_array, too_many,
                   * invalid_id, duplicate */
} mc_spec_kind;

enum {
  MC_SPEC_REQUIRED = 1,  /* a new document needs it */
  MC_SPEC_UPDATABLE = 2, /* a change may name it */
  MC_SPEC_NULLABLE = 4   /* null is a value (none) */
};

typedef struct mc_spec_field {
  const char *name;
  mc_spec_kind kind;
  unsigned flags;
  int64_t min, max;                        /* TEXT: bytes; INT: value; ID_SET: members (max) */
  int (*valid)(const char *s, size_t len); /* TEXT: the format beyond its length; NULL: none */
  const char *prefix;                      /* ID, ID_SET: the id prefix ("cat") */
  const char *code;                        /* TEXT, ID: the code of a value in a wrong format */
  const char *message;                     /* and its message */
} mc_spec_field;

typedef enum mc_spec_mode {
  MC_SPEC_CREATE, /* a whole new document: required members, no unknown ones */
  MC_SPEC_UPDATE, /* a non-empty change: only updatable members */
  MC_SPEC_VALUES  /* the values only (a service checking what a body gave, before it decides
                   * what is required) */
} mc_spec_mode;

/* The field named name in fields[0..n), or NULL. */
const mc_spec_field *mc_spec_find(const mc_spec_field *fields, int n, const char *name);

/* 1 when v (borrowed) is a valid value of f, else 0 after adding {f->name, code, message} to
 * why (may be NULL). null is valid only for a NULLABLE field. */
int mc_spec_value_ok(const mc_spec_field *f, const json_t *v, mc_refusal *why);

/* Checks doc (borrowed) against fields[0..n) in mode, collecting every problem into why (may be
 * NULL) as validation errors naming the member: a member not in the table is unknown_field, one
 * an update may not change read_only, a missing required one required, an empty update
 * validation_failed without a field. MC_OK or MC_ERR_INVALID. */
int mc_spec_check(const json_t *doc, const mc_spec_field *fields, int n, mc_spec_mode mode, mc_refusal *why);

#endif
