/* catalog.h - the catalog service: request bodies and listing queries made into documents and
 * queries, slugs derived from names, the category tree, the public view of a product, and the
 * storefront cache in the kv. The field rules themselves are the rules' (mercato/rules/catalog.h).
 * No HTTP types here: handlers parse, call these, and answer their mc_refusal.
 *
 * Refusals fill an mc_refusal (the caller's, zeroed; mc_refusal_clear frees it): validation
 * collects every {field, code, message} before returning MC_ERR_INVALID. */
#ifndef MERCATO_CATALOG_H
#define MERCATO_CATALOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/config.h"
#include "mercato/kv.h"
#include "mercato/refusal.h"
#include "mercato/store.h"

/* The field limits (MC_CATALOG_SLUG_MAX, MC_CATALOG_POSITION_MAX, ...) are the rules':
 * mercato/rules/catalog.h, which store.h brings in. */
#define MC_CATALOG_LOW_STOCK 5           /* at or below this, customers see "only N left" */
#define MC_CATALOG_ETAG_LEN 18           /* '"' + 16 hex digits + '"' */
#define MC_CATALOG_GEN_KEY "catalog:gen"
/* Larger answers (long pages of long descriptions) are not cached: they are rare, and this bounds
 * what one request can make the kv hold. */
#define MC_CATALOG_CACHE_ENTRY_MAX (256 * 1024)

/* The ports and settings the service works with; a handler builds one per request on its stack
 * ({cfg, store, kv}), borrowing all three. */
typedef struct mc_catalog {
  const mc_config *cfg;
  mc_store *store;
  mc_kv *kv;
} mc_catalog;

/* A parsed, validated and normalised product listing query. */
typedef struct mc_catalog_listing {
  char q[MC_CATALOG_Q_MAX + 1];           /* "" for none; trimmed, whitespace runs as one space */
  char category[MC_CATALOG_SLUG_MAX + 1]; /* a slug, "" for none */
  int64_t min_price, max_price;           /* -1 for none */
  int in_stock;                           /* 1: only products in stock */
  int include_inactive;                   /* admin listings only */
  int archived;                           /* admin listings only: 1 lists archived products
                                           * alone, 0 leaves them out */
  int64_t low_stock;                      /* admin listings only; -1 for none */
  mc_product_sort sort;
  int limit;
  int64_t offset;
} mc_catalog_listing;

/* A ready public answer: the serialised JSON body and its strong ETag (quoted). */
typedef struct mc_catalog_answer {
  char *body;  /* owned; NUL-terminated */
  size_t len;
  char etag[MC_CATALOG_ETAG_LEN + 1];
} mc_catalog_answer;

/* Call once at start-up (reads call it again should the counter vanish from the kv). Seeds the
 * generation counter when the kv has none with the current time in milliseconds rather than 0,
 * so that answers cached before a kv flush or eviction can never be served again, then bumps it:
 * the database may have changed while the process was down. A kv failure is logged, not
 * returned: the cache only ever falls back to the store. */
void mc_catalog_prepare(mc_kv *kv);

/* Tells the cache that the catalog changed: increments the generation, so no cached answer from
 * before survives. Call it after every write that changes what a customer sees (product and
 * category writes, image add/remove, stock changes). Returns the kv's status (logged on
 * failure; cached answers then live at most catalog_cache_ttl seconds). */
int mc_catalog_changed(mc_kv *kv);

/* --- input rules ------------------------------------------------------------------------------ */

/* Returns 1 when s is a slug: 1..MC_CATALOG_SLUG_MAX bytes of [a-z0-9] runs joined by single
 * '-' (no leading or trailing '-'), else 0. */
int mc_catalog_slug_valid(const char *s);

/* Derives a slug from name into out (MC_CATALOG_SLUG_MAX + 1 bytes): ASCII letters lower-cased,
 * Latin-1 letters transliterated (é -> e, ß -> ss), every other run of bytes one '-', trimmed
 * and cut at a '-' boundary when too long. MC_ERR_INVALID when nothing is left ("!!!", "日本"). */
int mc_catalog_slugify(const char *name, char out[MC_CATALOG_SLUG_MAX + 1]);

/* Parses a raw query string (the part after '?', not decoded; NULL or "" for none) into *out.
 * Known parameters: q, category, min_price, max_price, in_stock, sort, limit, offset, and when
 * admin also include_inactive, low_stock and archived. Every problem is collected into why
 * (validation_failed; may be NULL),
 * each naming its parameter: unknown_parameter, repeated, malformed (bad escape), and per value
 * invalid, not_an_integer, out_of_range, too_long; min_price above max_price is
 * min_price/greater_than_max_price. MC_OK or MC_ERR_INVALID. */
int mc_catalog_parse_listing(const char *query, int admin, mc_catalog_listing *out, mc_refusal *why);


/* --- public reads (cached) --------------------------------------------------------------------
 * Each fills *out (free with mc_catalog_answer_free) from the cache when catalog_cache is on and
 * the kv has it, else from the store, caching the answer under the current generation. A kv
 * failure never fails a read. */

/* {"products": [public products], "count", "limit", "offset"}; inactive products never appear.
 * MC_ERR_INVALID with a category/unknown_category error in why when the category slug names
 * none. */
int mc_catalog_list_public(const mc_catalog *cat, const mc_catalog_listing *listing, mc_catalog_answer *out,
                           mc_refusal *why);

/* {"product": public product} for a product id or slug. MC_ERR_NOT_FOUND when there is none,
 * the product is inactive, or the text is neither a product id nor a slug. */
int mc_catalog_product_public(const mc_catalog *cat, const char *id_or_slug, mc_catalog_answer *out);

/* {"categories": [top-level categories by position then name, each with "children": [...]]}. */
int mc_catalog_tree_public(const mc_catalog *cat, mc_catalog_answer *out);

/* {"category": {..., "children": [...]}} by slug; MC_ERR_NOT_FOUND when there is none. */
int mc_catalog_category_public(const mc_catalog *cat, const char *slug, mc_catalog_answer *out);

/* Frees what *a holds and clears it. */
void mc_catalog_answer_free(mc_catalog_answer *a);

/* Writes the strong ETag of body[0..len) into out: a 64-bit hash of it in 16 hex digits,
 * quoted. */
void mc_catalog_etag(const char *body, size_t len, char out[MC_CATALOG_ETAG_LEN + 1]);

/* --- admin reads ------------------------------------------------------------------------------- */

/* *out: a new {"products": [product documents], "count", "limit", "offset"}: archived products
 * alone with listing->archived, else none of them. MC_ERR_INVALID with an error in why when the
 * category slug names none. Never cached. */
int mc_catalog_list_admin(const mc_catalog *cat, const mc_catalog_listing *listing, json_t **out, mc_refusal *why);

/* *out: the product document with this id, inactive or not (new reference). MC_ERR_NOT_FOUND
 * when there is none or id is not a product id. */
int mc_catalog_product_get(const mc_catalog *cat, const char *id, json_t **out);

/* *out: the category document with this id (new reference). MC_ERR_NOT_FOUND as above. */
int mc_catalog_category_get(const mc_catalog *cat, const char *id, json_t **out);

/* *out: a new {"categories": [every category, by position then name]}. */
int mc_catalog_categories_admin(const mc_catalog *cat, json_t **out);

/* --- admin writes -----------------------------------------------------------------------------
 * body is borrowed and only the members documented below are read: the caller checks it holds
 * nothing else (an allow-list per endpoint). *out gets the stored document (new reference).
 * Refusals fill why (the caller's, zeroed; mc_refusal_clear): MC_ERR_INVALID validation_failed
 * with errors naming every field (the rules' specs; a parent refused names parent_id);
 * MC_ERR_CONFLICT slug_taken or sku_taken (naming slug or sku), product_archived,
 * category_in_use; MC_ERR_NOT_FOUND not_found for an unknown id. Every successful write calls
 * mc_catalog_changed. */

/* name (required), slug (derived from name when absent), description, parent_id (a top-level
 * category or null), position. */
int mc_catalog_category_create(const mc_catalog *cat, const json_t *body, json_t **out, mc_refusal *why);
/* The same members, all optional; a category with children cannot get a parent. */
int mc_catalog_category_update(const mc_catalog *cat, const char *id, const json_t *body, json_t **out,
                               mc_refusal *why);
/* Deletes an unused category: MC_ERR_CONFLICT category_in_use with the numbers of its products
 * and children (MC_CATALOG_N_PRODUCTS, MC_CATALOG_N_CHILDREN) when it is in use. */
int mc_catalog_category_delete(const mc_catalog *cat, const char *id, mc_refusal *why);

/* name, description and price (required), slug (derived from name when absent), currency (must
 * be the shop's), compare_at_price, sku, stock, active, category_ids. */
int mc_catalog_product_create(const mc_catalog *cat, const json_t *body, json_t **out, mc_refusal *why);
/* The same members except currency, all optional; category_ids replaces the set. An archived
 * product takes no change, not even an empty one: product_archived. A slug of the form archived
 * products get (mc_rules_slug_reserved) is refused on create and update: slug/reserved. */
int mc_catalog_product_update(const mc_catalog *cat, const char *id, const json_t *body, json_t **out,
                              mc_refusal *why);
/* Deletes the product and removes the files of its images (mc_images_remove_files); or, when
 * orders name it, archives it (see product_delete in store/catalog.h), keeping its image files,
 * and *out_archived (may be NULL; NULL after a deletion) gets the archived document (new
 * reference). Either way the catalog changed (mc_catalog_changed). */
int mc_catalog_product_delete(const mc_catalog *cat, const char *id, json_t **out_archived, mc_refusal *why);

#endif
