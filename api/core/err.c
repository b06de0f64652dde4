/* err.c - names of the mc_err status codes, for logs and tests. */
#include "mercato/err.h"

const char *mc_err_name(int err) {
  switch (err) {
  case MC_OK: return "ok";
  case MC_ERR_NOT_FOUND: return "not_found";
  case MC_ERR_CONFLICT: return "conflict";
  case MC_ERR_INVALID: return "invalid";
  case MC_ERR_FORBIDDEN: return "forbidden";
  case MC_ERR_UNAVAILABLE: return "unavailable";
  case MC_ERR_INTERNAL: return "internal";
  default: return "unknown";
  }
}
