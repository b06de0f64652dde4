/* rand.h - cryptographically secure random bytes from the kernel (getrandom). */
#ifndef MERCATO_RAND_H
#define MERCATO_RAND_H

#include <stddef.h>

/* Fills buf with len random bytes. Returns MC_OK, or MC_ERR_INTERNAL if the kernel refused. */
int mc_rand_bytes(void *buf, size_t len);

/* Writes 2*len lower-case hex digits of len random bytes plus a NUL into out
 * (out must hold 2*len+1 bytes). Returns MC_OK or MC_ERR_INTERNAL. */
int mc_rand_hex(char *out, size_t len);

#endif
