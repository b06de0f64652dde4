/* rand.c - random bytes from the kernel's CSPRNG; the only source of randomness in Mercato. */
#include "mercato/rand.h"

#include <errno.h>
#include <sys/random.h>

#include "mercato/err.h"

int mc_rand_bytes(void *buf, size_t len) {
  unsigned char *p = buf;
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MC_ERR_INTERNAL;
    }
    p += n;
    len -= (size_t)n;
  }
  return MC_OK;
}

int mc_rand_hex(char *out, size_t len) {
  static const char digits[] = "0123456789abcdef";
  unsigned char bytes[64];
  size_t done = 0;
  while (done < len) {
    size_t chunk = len - done < sizeof bytes ? len - done : sizeof bytes;
    if (mc_rand_bytes(bytes, chunk) != MC_OK) return MC_ERR_INTERNAL;
    for (size_t i = 0; i < chunk; i++) {
      out[2 * (done + i)] = digits[bytes[i] >> 4];
      out[2 * (done + i) + 1] = digits[bytes[i] & 0xf];
    }
    done += chunk;
  }
  out[2 * len] = '\0';
  return MC_OK;
}
