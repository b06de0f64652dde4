/* id.h - prefixed, time-sortable, unguessable identifiers ("prod_01jd3k...").
 * The same format in every adapter: prefix, '_', then 26 lower-case Crockford base32 digits
 * holding a 48-bit millisecond timestamp followed by 80 random bits. */
#ifndef MERCATO_ID_H
#define MERCATO_ID_H

#include <stddef.h>
#include <stdint.h>

#define MC_ID_PREFIX_MAX 8
#define MC_ID_BODY_LEN 26
/* Room for the longest id and its NUL. */
#define MC_ID_MAX (MC_ID_PREFIX_MAX + 1 + MC_ID_BODY_LEN + 1)

/* Writes a new id for prefix (1..8 lower-case letters) into out (MC_ID_MAX bytes).
 * Ids made by one process in one millisecond still sort in creation order.
 * Returns MC_OK, MC_ERR_INVALID for a bad prefix, MC_ERR_INTERNAL if no randomness. */
int mc_id_new(const char *prefix, char out[MC_ID_MAX]);

/* Returns 1 when s is a well-formed id with exactly this prefix, else 0. Only the canonical
 * lower-case form is well-formed, so one id never has two spellings. */
int mc_id_valid(const char *s, const char *prefix);

/* Reads the creation time (ms since the epoch) out of a well-formed id; MC_ERR_INVALID if not one. */
int mc_id_time_ms(const char *s, int64_t *out_ms);

#endif
