/* fuzz_json_dump.c - Mercato's JSON writers against jansson: whatever jansson parses,
 * mc_json_dump must write as JSON that parses back to an equal value, and (reals aside, which it
 * writes in shortest form) byte for byte what json_dumps(JSON_COMPACT) writes. And the input's
 * bytes as a string: the text writer's mc_jt_str writes what jansson writes for it, or fails
 * exactly when jansson refuses it as not UTF-8. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/jtext.h"
#include "mercato/json.h"

static int has_real(const json_t *v) {
  size_t i;
  const char *k;
  json_t *e;
  if (json_is_real(v)) return 1;
  if (json_is_array(v)) json_array_foreach(v, i, e) if (has_real(e)) return 1;
  if (json_is_object(v)) json_object_foreach((json_t *)v, k, e) if (has_real(e)) return 1;
  return 0;
}

/* The input up to its first NUL as a string, through both writers. */
static void string_writers_agree(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  mc_jtext b = {0};
  json_t *ref;
  if (!s) abort();
  memcpy(s, data, size);
  s[size] = '\0';
  mc_jt_str(&b, s);
  ref = json_string(s);
  if (!ref != !!b.failed) abort();
  if (ref) {
    char *want = json_dumps(ref, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!want || strlen(want) != b.len || memcmp(want, b.p, b.len) != 0) abort();
    free(want);
  }
  json_decref(ref);
  free(b.p);
  free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  string_writers_agree(data, size);
  json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
  char *out = NULL;
  size_t len = 0;

  if (!in) return 0;
  int rc = mc_json_dump(in, &out, &len);
  if (rc == MC_OK) {
    json_t *back = json_loadb(out, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!back || strlen(out) > len) abort();
    if (!has_real(in)) {
      if (!json_equal(in, back)) abort();
      char *ref = json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
      if (!ref || strlen(ref) != len || memcmp(ref, out, len) != 0) abort();
      free(ref);
    }
    json_decref(back);
  } else if (rc != MC_ERR_INVALID) {
    abort();
  }
  free(out);
  json_decref(in);
  return 0;
}
