/* fuzz_coupon_input.c - what coupons read from outside, on arbitrary bytes: the admin listing's
 * query string, codes as customers type them, and RFC 3339 times. Accepted input must come out
 * in range and canonical (a normalised code normalises to itself; a parsed time formats and
 * parses back to the same instant); refused listings must name a parameter. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/coupons.h"
#include "mercato/err.h"

#define FUZZ_INPUT_MAX 8192

static void check_listing(const char *query) {
  mc_coupon_listing l;
  json_t *errors = NULL;
  int rc = mc_coupon_parse_listing(query, &l, &errors);
  char again[MC_COUPON_CODE_MAX + 1];

  if (rc == MC_OK) {
    if (errors || l.query.limit < 1 || l.query.limit > MC_COUPON_LIST_MAX || l.query.offset < 0 ||
        l.query.offset > MC_COUPON_OFFSET_MAX || l.query.active < -1 || l.query.active > 1 || l.query.code_part != l.q)
      abort();
    if (l.q[0] && (mc_coupon_normalise_code(l.q, again) != MC_OK || strcmp(again, l.q) != 0)) abort();
  } else {
    size_t i;
    json_t *e;
    if (rc != MC_ERR_INVALID || !json_is_array(errors) || json_array_size(errors) == 0) abort();
    json_array_foreach(errors, i, e) {
      if (!json_is_string(json_object_get(e, "field")) || !json_is_string(json_object_get(e, "code"))) abort();
    }
  }
  json_decref(errors);
}

static void check_code(const char *text) {
  char code[MC_COUPON_CODE_MAX + 1], again[MC_COUPON_CODE_MAX + 1];
  if (mc_coupon_normalise_code(text, code) != MC_OK) {
    if (code[0] != '\0') abort();
    return;
  }
  if (code[0] == '\0' || strlen(code) > MC_COUPON_CODE_MAX) abort();
  if (mc_coupon_normalise_code(code, again) != MC_OK || strcmp(code, again) != 0) abort();
}

static void check_time(const char *text, size_t len) {
  char canonical[MC_TIME_STR_MAX];
  int64_t ms, back;
  if (mc_time_parse_ms(text, len, &ms) != MC_OK) return;
  if (ms < MC_TIME_MS_MIN || ms > MC_TIME_MS_MAX) abort();
  if (mc_time_format_ms(ms, canonical) != MC_OK) abort();
  if (mc_time_parse_ms(canonical, strlen(canonical), &back) != MC_OK || back != ms) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[FUZZ_INPUT_MAX + 1];

  if (size > FUZZ_INPUT_MAX) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  check_time(text, size); /* the length counts, NUL bytes included */
  if (memchr(data, '\0', size)) return 0; /* a URL or a JSON string read for a code holds none */
  check_listing(text);
  check_code(text);
  return 0;
}
