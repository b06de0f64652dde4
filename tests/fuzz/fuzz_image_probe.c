/* fuzz_image_probe.c - the upload type sniffer (JPEG/PNG/WebP headers) on arbitrary bytes: it
 * must never read outside the buffer, and what it accepts must be self-consistent. */
#include <stdint.h>
#include <stdlib.h>

#include "mercato/err.h"
#include "mercato/images.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mc_image_info info;
  int rc = mc_image_probe(data, size, &info);

  if (rc == MC_OK) {
    /* An accepted image has a type with a name, and a second look agrees with the first. */
    mc_image_info again;
    if (!mc_image_mime(info.type) || !mc_image_ext(info.type)) abort();
    if (mc_image_probe(data, size, &again) != MC_OK || again.type != info.type ||
        again.width != info.width || again.height != info.height)
      abort();
    (void)mc_image_dimensions_ok(&info);
    if (mc_image_declared_matches(mc_image_mime(info.type), info.type) != MC_OK) abort();
  } else if (info.type != MC_IMAGE_NONE) {
    abort();
  }
  return 0;
}
