/* fuzz_multipart.c - the multipart/form-data reader on an arbitrary Content-Type and body. The
 * input's first line is the Content-Type value, the rest the body. A part it returns must lie
 * inside the body, and its declared type must be a terminated string that fits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/images.h"

#define FUZZ_CONTENT_TYPE_MAX 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nl = memchr(data, '\n', size < FUZZ_CONTENT_TYPE_MAX ? size : FUZZ_CONTENT_TYPE_MAX);
  char content_type[FUZZ_CONTENT_TYPE_MAX + 1];
  const unsigned char *part = NULL, *body;
  size_t part_len = 0, ct_len, body_len;
  char part_type[128];
  const char *reason = NULL;

  if (!nl) return 0;
  ct_len = (size_t)(nl - data);
  memcpy(content_type, data, ct_len);
  content_type[ct_len] = '\0';
  body_len = size - ct_len - 1;
  /* Its own allocation, so a read past the body is a sanitizer report, not a read of the rest. */
  unsigned char *copy = malloc(body_len ? body_len : 1);
  if (!copy) return 0;
  memcpy(copy, nl + 1, body_len);
  body = copy;

  (void)mc_multipart_is(content_type);
  int rc = mc_multipart_single(content_type, body, body_len, &part, &part_len, part_type, sizeof part_type, &reason);
  if (rc == MC_OK) {
    if (!part || part < body || part_len > body_len || (size_t)(part - body) > body_len - part_len) abort();
    if (memchr(part_type, '\0', sizeof part_type) == NULL) abort();
  } else if (!reason || !*reason) {
    abort();
  }
  free(copy);
  return 0;
}
