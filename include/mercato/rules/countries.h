/* countries.h - the ISO 3166-1 alpha-2 country codes with their English names: the list the shop
 * publishes (GET /api/v1/shop) and the one addresses are checked against. Pure code, no I/O. */
#ifndef MERCATO_RULES_COUNTRIES_H
#define MERCATO_RULES_COUNTRIES_H

#include <stddef.h>

#define MC_COUNTRY_CODE_LEN 2  /* two upper-case ASCII letters */
#define MC_COUNTRY_NAME_MAX 64 /* bytes of UTF-8 in the longest name, with room to spare */

typedef struct mc_country {
  const char *code; /* "DE" */
  const char *name; /* "Germany": the short English name, UTF-8 ("Côte d'Ivoire") */
} mc_country;

/* Returns the number of countries in the table (249 today). */
size_t mc_country_count(void);

/* Returns the i-th country (0 <= i < mc_country_count()) in the order of their English names,
 * accents aside ("Åland Islands" after "Afghanistan"), or NULL past the end. The entry is static:
 * borrowed for the life of the process. */
const mc_country *mc_country_at(size_t i);

/* Returns the country whose alpha-2 code is code, or NULL when code is not exactly two
 * upper-case letters naming one (NULL, "de", "DEU", "XX"). Case-sensitive on purpose: callers
 * normalise what people type before they ask. Borrowed static entry. */
const mc_country *mc_country_find(const char *code);

#endif
