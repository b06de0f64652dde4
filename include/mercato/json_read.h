/* json_read.h - reading a request body as JSON, with numbers out of range kept readable: an
 * integer beyond int64 or a real beyond a double is an out-of-range value of its member (a 422
 * naming the field), not a body that cannot be read (a 400 without one). */
#ifndef MERCATO_JSON_READ_H
#define MERCATO_JSON_READ_H

#include <jansson.h>
#include <stddef.h>

/* Parses text[0..len) as json_loadb does with flags. When only numbers out of range stop it, each
 * such number is read as the nearest value that fits (INT64_MAX or INT64_MIN for an integer, the
 * largest double of its sign for a real), which every bounded member then refuses as out of
 * range. Returns a new reference, or NULL with *err filled (err may be NULL) for anything else
 * json_loadb refuses. */
json_t *mc_json_read(const char *text, size_t len, size_t flags, json_error_t *err);

#endif
