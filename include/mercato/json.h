/* json.h - compact JSON serialisation of jansson values, several times faster than
 * json_dumps(JSON_COMPACT) (which writes through a callback a few bytes at a time). The output
 * is byte-for-byte json_dumps' except for reals, written in their shortest round-trip form
 * (0.1, not 0.10000000000000001); Mercato's own documents hold no reals (money is integers). */
#ifndef MERCATO_JSON_H
#define MERCATO_JSON_H

#include <jansson.h>
#include <stddef.h>

/* Serialises value (borrowed) compactly, members in insertion order, into a new NUL-terminated
 * buffer the caller frees; *out_len (may be NULL) gets its length. Returns MC_OK,
 * MC_ERR_INVALID for a non-finite real or nesting deeper than 512, MC_ERR_INTERNAL without
 * memory. */
int mc_json_dump(const json_t *value, char **out, size_t *out_len);

#endif
