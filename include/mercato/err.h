/* err.h - the status codes every Mercato function returns.
 * The HTTP layer maps them to status codes in one place (http/problem.c). */
#ifndef MERCATO_ERR_H
#define MERCATO_ERR_H

typedef enum mc_err {
  MC_OK = 0,
  MC_ERR_NOT_FOUND,   /* the thing asked for does not exist */
  MC_ERR_CONFLICT,    /* a uniqueness rule or an expected state did not hold */
  MC_ERR_INVALID,     /* the input breaks a rule */
  MC_ERR_FORBIDDEN,   /* the caller may not do this */
  MC_ERR_UNAVAILABLE, /* an outside service (database, Redis, ...) did not answer */
  MC_ERR_INTERNAL     /* a bug or an allocation failure */
} mc_err;

/* Returns a static lower-case name for err ("ok", "not_found", ...). */
const char *mc_err_name(int err);

#endif
