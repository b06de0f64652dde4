/* fuzz_http_head.c - the first layer's head checks (api/http/guard.c) on arbitrary heads: the
 * framing verdict is one of 0/400/501 with a code and detail, the query count is bounded by the
 * text, and every cookie handed out is a non-empty token name and a value of cookie-octets
 * inside the header. Input: a version line, then "Name: value" lines; a "?" line is a query. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/http/guard.h"

#define FUZZ_HEAD_MAX 8192

typedef struct span {
  const char *base;
  size_t len;
} span;

static void check_cookie(void *cls, const char *name, size_t nlen, const char *value, size_t vlen) {
  const span *h = cls;
  if (nlen == 0 || name < h->base || name + nlen > h->base + h->len || value < h->base ||
      value + vlen > h->base + h->len)
    abort();
  for (size_t i = 0; i < nlen; i++)
    if (name[i] == '=' || name[i] == ';' || name[i] == ' ') abort();
  for (size_t i = 0; i < vlen; i++)
    if (value[i] == ';' || value[i] == '"' || (unsigned char)value[i] <= 0x20) abort();
}

/* One "Name: value" line (NUL-terminated, modified in place). */
static void add_line(mc_head *h, char *line) {
  char *colon = strchr(line, ':');
  if (line[0] == '?') {
    if (mc_guard_query_params(line + 1) > (int)strlen(line)) abort();
    return;
  }
  if (!colon) return;
  *colon = '\0';
  const char *value = colon + 1;
  while (*value == ' ') value++;
  mc_head_add(h, line, value);
  if (strcmp(line, "Cookie") == 0) {
    span s = {value, strlen(value)};
    mc_guard_cookies(value, check_cookie, &s);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[FUZZ_HEAD_MAX + 1], *line, *next;
  const char *code = NULL, *detail = NULL;
  mc_head h;

  if (size > FUZZ_HEAD_MAX || memchr(data, '\0', size)) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  next = strchr(text, '\n');
  if (next) *next++ = '\0';
  mc_head_init(&h, text);
  for (line = next; line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    add_line(&h, line);
  }
  int status = mc_head_check(&h, &code, &detail);
  if (status != 0 && status != 400 && status != 501) abort();
  if (status && (!code || !detail)) abort();
  return 0;
}
