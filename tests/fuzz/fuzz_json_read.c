/* fuzz_json_read.c - the request body reader against jansson: whatever jansson parses,
 * mc_json_read parses to an equal value; what jansson refuses for anything but a number out of
 * range, mc_json_read refuses too; and it never reads past the input. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/json_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const size_t flags = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL;
  /* An exact-size copy, so reading past the end is caught by AddressSanitizer. */
  char *text = malloc(size ? size : 1);
  json_error_t err;
  json_t *ref, *ours;

  if (!text) abort();
  memcpy(text, data, size);
  ref = json_loadb(text, size, flags, &err);
  ours = mc_json_read(text, size, flags, NULL);
  if (ref && (!ours || !json_equal(ref, ours))) abort();
  if (!ref && json_error_code(&err) != json_error_numeric_overflow && ours) abort();
  json_decref(ref);
  json_decref(ours);
  free(text);
  return 0;
}
