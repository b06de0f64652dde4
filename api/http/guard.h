/* guard.h - the first layer's pure checks on a request head, made before any body is read:
 * RFC 9112 framing (Content-Length, Transfer-Encoding, Host), the query's size, and cookies. */
#ifndef MERCATO_HTTP_GUARD_H
#define MERCATO_HTTP_GUARD_H

#include <stddef.h>

/* The most query parameters a request may carry; more answer 414 before any handler runs. */
#define MC_GUARD_QUERY_PARAMS_MAX 64

/* What the framing checks need to know of a head, gathered header by header. */
typedef struct mc_head {
  int http11;                 /* the request line said HTTP/1.1 (or later 1.x) */
  int hosts;                  /* Host fields seen */
  int lengths;                /* Content-Length fields seen */
  int length_bad;             /* a Content-Length that is not digits, too long, or differs */
  unsigned long long length;  /* the declared body length when lengths > 0 and !length_bad */
  int codings;                /* transfer codings seen, across every Transfer-Encoding field */
  int chunked_at;             /* 1-based position of the last "chunked" coding, 0 for none */
  int chunked_twice;          /* "chunked" appeared more than once */
} mc_head;

/* Starts gathering for a request whose request line said version ("HTTP/1.1"; borrowed). */
void mc_head_init(mc_head *h, const char *version);

/* Adds one header field (name and value borrowed for the call only). */
void mc_head_add(mc_head *h, const char *name, const char *value);

/* Returns 0 when the framing is sound; otherwise the status to answer (400, or 501 for a
 * transfer coding we do not implement) with *code and *detail set to static strings. The
 * connection must be closed after such an answer: its body's length cannot be trusted. */
int mc_head_check(const mc_head *h, const char **code, const char **detail);

/* The number of parameters in a raw query string (the text after '?'; NULL counts 0):
 * '&'-separated, empty members not counted. */
int mc_guard_query_params(const char *query);

/* Calls put(cls, name, nlen, value, vlen) for every well-formed name=value pair of a Cookie
 * header (RFC 6265 cookie-name and cookie-value, the value's quotes removed), in order; a
 * malformed pair is skipped, never an error. header and the slices are borrowed. */
void mc_guard_cookies(const char *header, void (*put)(void *cls, const char *name, size_t nlen,
                                                      const char *value, size_t vlen),
                      void *cls);

#endif
