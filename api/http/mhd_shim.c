/* mhd_shim.c - hides from libmicrohttpd 0.9.75 the header values it would refuse while parsing
 * a request's head, so our first layer (access.c) refuses them with a well-formed answer. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <strings.h>

#include <microhttpd.h>

/* Why: 0.9.75 reports an error found in its parse_connection_headers() (a Cookie value of a
 * lone '"', a Content-Length that is not a plain number) and then carries on, so the client
 * gets the status line and headers twice and the request never reaches us (issue 12, finding
 * 10; libmicrohttpd 1.0 rewrote this parsing). That code reads those two headers through
 * MHD_lookup_connection_value_n, which the library calls through its PLT, so this definition
 * in the executable is the one it uses:
 *  - "Cookie" is never found: MHD builds no cookie table (we parse cookies ourselves,
 *    guard.c) and cannot fail on one;
 *  - a Content-Length that is not 1..18 digits is not found: MHD reads no body, and the
 *    framing check answers 400 and closes the connection.
 * Every other lookup goes to the library's own function unchanged. Delete this file when the
 * build moves to libmicrohttpd >= 1.0. Only the mercato executable links it. */

typedef enum MHD_Result (*lookup_fn)(struct MHD_Connection *, enum MHD_ValueKind, const char *, size_t,
                                     const char **, size_t *);

static lookup_fn real_lookup;
static pthread_once_t resolved = PTHREAD_ONCE_INIT;

static void resolve(void) {
  real_lookup = (lookup_fn)dlsym(RTLD_NEXT, "MHD_lookup_connection_value_n");
  if (!real_lookup) abort(); /* the library must define it: it is public API */
}

static int named(const char *key, size_t key_size, const char *name, size_t len) {
  return key && key_size == len && strncasecmp(key, name, len) == 0;
}

static int plain_length(const char *v, size_t n) {
  if (n == 0 || n > 18) return 0;
  for (size_t i = 0; i < n; i++)
    if (v[i] < '0' || v[i] > '9') return 0;
  return 1;
}

enum MHD_Result MHD_lookup_connection_value_n(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                              const char *key, size_t key_size, const char **value_ptr,
                                              size_t *value_size_ptr) {
  const char *v = NULL;
  size_t n = 0;
  pthread_once(&resolved, resolve);
  if ((kind & MHD_HEADER_KIND) && named(key, key_size, "Cookie", 6)) return MHD_NO;
  if (real_lookup(connection, kind, key, key_size, &v, &n) != MHD_YES) return MHD_NO;
  if ((kind & MHD_HEADER_KIND) && named(key, key_size, "Content-Length", 14) && !plain_length(v, n))
    return MHD_NO;
  if (value_ptr) *value_ptr = v;
  if (value_size_ptr) *value_size_ptr = n;
  return MHD_YES;
}
