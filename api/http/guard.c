/* guard.c - framing, query and cookie checks on a request head (guard.h). Pure: no I/O, no
 * allocation, so the fuzzer drives it as the server does. */
#include "guard.h"

#include <string.h>
#include <strings.h>

#define LENGTH_DIGITS_MAX 18 /* fits unsigned long long with room; bodies are far smaller */

void mc_head_init(mc_head *h, const char *version) {
  memset(h, 0, sizeof *h);
  h->http11 = version && strncmp(version, "HTTP/1.", 7) == 0 && version[7] >= '1' && version[7] <= '9';
}

static int is_ows(char c) {
  return c == ' ' || c == '\t';
}

/* Trims optional whitespace around [*s, *e). */
static void trim(const char **s, const char **e) {
  while (*s < *e && is_ows(**s)) (*s)++;
  while (*e > *s && is_ows((*e)[-1])) (*e)--;
}

/* A Content-Length field: 1..18 digits and nothing else, the same as any before it. A list
 * ("5, 5"), which RFC 9112 lets a recipient refuse, is refused: libmicrohttpd would not read
 * its body (mhd_shim.c hides from it whatever this refuses, so the two never disagree). */
static void add_length(mc_head *h, const char *value) {
  unsigned long long v = 0;
  size_t n = strlen(value);
  h->lengths++;
  if (n == 0 || n > LENGTH_DIGITS_MAX) {
    h->length_bad = 1;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (value[i] < '0' || value[i] > '9') {
      h->length_bad = 1;
      return;
    }
    v = v * 10 + (unsigned long long)(value[i] - '0');
  }
  if (h->lengths > 1 && v != h->length) h->length_bad = 1;
  h->length = v;
}

/* One transfer coding ("chunked", "gzip;q=1"): only its name matters here. */
static void add_coding(mc_head *h, const char *s, const char *e) {
  const char *semi = memchr(s, ';', (size_t)(e - s));
  if (semi) e = semi;
  trim(&s, &e);
  if (s == e) return; /* empty list members are allowed and ignored */
  h->codings++;
  if ((size_t)(e - s) == 7 && strncasecmp(s, "chunked", 7) == 0) {
    if (h->chunked_at) h->chunked_twice = 1;
    h->chunked_at = h->codings;
  }
}

/* Adds each comma-separated transfer coding of value. */
static void add_codings(mc_head *h, const char *value) {
  const char *p = value;
  for (;;) {
    const char *comma = strchr(p, ',');
    const char *end = comma ? comma : p + strlen(p);
    add_coding(h, p, end);
    if (!comma) return;
    p = comma + 1;
  }
}

void mc_head_add(mc_head *h, const char *name, const char *value) {
  if (!name || !value) return;
  if (strcasecmp(name, "Host") == 0) h->hosts++;
  else if (strcasecmp(name, "Content-Length") == 0) add_length(h, value);
  else if (strcasecmp(name, "Transfer-Encoding") == 0) {
    int before = h->codings;
    add_codings(h, value);
    if (h->codings == before) h->codings++; /* an empty Transfer-Encoding is no framing either */
  }
}

int mc_head_check(const mc_head *h, const char **code, const char **detail) {
  *code = "malformed_request";
  if (h->http11 && h->hosts != 1) {
    *detail = "An HTTP/1.1 request needs exactly one Host header.";
    return 400;
  }
  if (!h->http11 && h->hosts > 1) {
    *detail = "A request may carry one Host header at most.";
    return 400;
  }
  if (h->codings) {
    if (h->lengths) *detail = "Content-Length and Transfer-Encoding must not both frame a request.";
    else if (!h->http11) *detail = "Transfer-Encoding needs HTTP/1.1.";
    else if (h->chunked_at != h->codings || h->chunked_twice)
      *detail = "The request body's length cannot be determined: chunked must be the final coding, once.";
    else if (h->codings > 1) {
      *code = "not_implemented";
      *detail = "Transfer codings other than chunked are not supported.";
      return 501;
    } else return 0;
    return 400;
  }
  if (h->length_bad) {
    *detail = "Content-Length must be one decimal number (repeated values must agree).";
    return 400;
  }
  return 0;
}

int mc_guard_query_params(const char *query) {
  int n = 0, member = 0;
  if (!query) return 0;
  for (const char *p = query;; p++) {
    if (*p == '&' || *p == '\0') {
      n += member;
      member = 0;
      if (*p == '\0') return n;
    } else {
      member = 1;
    }
  }
}

/* RFC 6265 cookie-octet: visible ASCII except DQUOTE, comma, semicolon and backslash. */
static int cookie_octet(unsigned char c) {
  return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\';
}

/* RFC 9110 tchar, the characters of a token (a cookie's name). */
static int tchar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Checks the pair [s, e) and hands it to put when well-formed. */
static void cookie_pair(const char *s, const char *e,
                        void (*put)(void *, const char *, size_t, const char *, size_t), void *cls) {
  const char *eq, *v;
  trim(&s, &e);
  eq = memchr(s, '=', (size_t)(e - s));
  if (!eq || eq == s) return;
  for (const char *p = s; p < eq; p++)
    if (!tchar((unsigned char)*p)) return;
  v = eq + 1;
  if (e - v >= 2 && *v == '"' && e[-1] == '"') {
    v++;
    e--;
  }
  for (const char *p = v; p < e; p++)
    if (!cookie_octet((unsigned char)*p)) return;
  put(cls, s, (size_t)(eq - s), v, (size_t)(e - v));
}

void mc_guard_cookies(const char *header, void (*put)(void *cls, const char *name, size_t nlen,
                                                      const char *value, size_t vlen),
                      void *cls) {
  const char *p = header;
  if (!p) return;
  for (;;) {
    const char *semi = strchr(p, ';');
    const char *end = semi ? semi : p + strlen(p);
    cookie_pair(p, end, put, cls);
    if (!semi) return;
    p = semi + 1;
  }
}
