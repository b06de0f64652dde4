/* jtext.h - a JSON text writer: compact JSON written straight into one growing buffer, for the
 * hot reads (GET /cart, product listings) where building jansson values first cost hundreds of
 * small allocations per response. The writer only escapes; the caller writes the punctuation
 * and keys (as literals) in the order the view defines. */
#ifndef MERCATO_JTEXT_H
#define MERCATO_JTEXT_H

#include <stddef.h>
#include <stdint.h>

/* Zero-initialise ({0}) to start. After any failure (no memory, or a string that is not
 * UTF-8) every further call is a no-op and failed stays set; p is then still the caller's to
 * free. On success p is NUL-terminated text of len bytes, owned by the caller. */
typedef struct mc_jtext {
  char *p;
  size_t len, cap;
  int failed;
} mc_jtext;

/* n bytes of s as they are (s is already JSON). */
void mc_jt_raw(mc_jtext *b, const char *s, size_t n);
/* A constant piece of JSON: keys, punctuation, true, null. */
void mc_jt_lit(mc_jtext *b, const char *s);
void mc_jt_int(mc_jtext *b, int64_t v);
void mc_jt_bool(mc_jtext *b, int v);
/* s as a JSON string, NULL as null; s must be UTF-8 (else the writer fails rather than the
 * client's parser). */
void mc_jt_str(mc_jtext *b, const char *s);
/* A time (ms since the epoch) as an RFC 3339 string, as the stores write them. */
void mc_jt_time(mc_jtext *b, int64_t ms);

#endif
