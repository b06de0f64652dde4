/* rand.c - random bytes from the kernel's CSPRNG; the only source of randomness in Mercato. */
#include "mercato/rand.h"

#include <errno.h>
#include <sys/random.h>

#include "mercato/codec.h"
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
  unsigned char bytes[64];
  size_t done = 0;
  while (done < len) {
    size_t chunk = len - done < sizeof bytes ? len - done : sizeof bytes;
    if (mc_rand_bytes(bytes, chunk) != MC_OK) return MC_ERR_INTERNAL;
    mc_hex_encode(bytes, chunk, out + 2 * done, 0);
    done += chunk;
  }
  out[2 * len] = '\0'; /* also when len == 0 and no chunk ran */
  return MC_OK;
}
