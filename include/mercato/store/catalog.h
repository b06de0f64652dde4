/* store/catalog.h - the catalog aggregate of the storage port: categories, products and their
 * images. Adapters fill an mc_store_catalog_ops table (st->catalog); callers use the mc_store_*
 * wrappers below (api/store/store_catalog.c), which check documents against the catalog's specs
 * (mercato/rules/catalog.h) before dispatching, so an adapter implements storage and atomicity
 * only and applies the rules' decisions inside its transactions with the rows it read.
 *
 * Write operations that can refuse take a trailing mc_refusal *why (may be NULL): it names the
 * field and the reason (slug_taken on slug, sku_taken on sku, parent problems on parent_id, a
 * value out of range on its field, product_archived, category_in_use, too_many_images). Every
 * operation returns an mc_err as the port does (store.h). */
#ifndef MERCATO_STORE_CATALOG_H
#define MERCATO_STORE_CATALOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/refusal.h"
#include "mercato/rules/catalog.h"
#include "mercato/store.h"

/* Orders of a product listing. Ties are broken by id in the key's direction (ascending for
 * relevance), so pages never overlap. RELEVANCE needs a full-text query (without one it is
 * NEWEST): best bm25 match first (a match in the name weighs ten in the description) when
 * there are at most a few hundred matches (250 in the sqlite adapter); past that, scoring
 * every match costs too much, and the products whose name holds every word come first, then
 * the others, each group most recently added first. */
typedef enum mc_product_sort {
  MC_SORT_NEWEST = 0, /* -created_at (then -id) */
  MC_SORT_PRICE_ASC,  /* price (then id) */
  MC_SORT_PRICE_DESC, /* -price (then -id) */
  MC_SORT_NAME_ASC,   /* name, compared as bytes (then id) */
  MC_SORT_RELEVANCE
} mc_product_sort;

/* A product listing query; every filter is optional. Out-of-range values are MC_ERR_INVALID.
 * q is split into words (runs of letters and digits; any non-ASCII byte counts as a letter);
 * a product matches when its name or description holds every word (case and accents
 * ignored), the last word as a prefix ("cha" finds "chair"). Only the first 8 words count,
 * each cut to 64 bytes; a q with no word matches nothing. */
typedef struct mc_product_query {
  const char *q;                    /* plain text (never query syntax), NULL or "" for none */
  const char *const *category_ids;  /* NULL-terminated: products in any of them (an empty list
                                     * matches nothing); NULL for all */
  int64_t min_price, max_price;     /* inclusive bounds in minor units; -1 for none */
  int in_stock;                     /* 1: only stock > 0 */
  int include_inactive;             /* 1: inactive products too (admin listings) */
  int archived;                     /* 1: archived products only (all inactive, so
                                     * include_inactive is implied); 0: never archived ones */
  int64_t low_stock;                /* >= 0: only stock <= low_stock; -1 for none */
  mc_product_sort sort;
  int limit;                        /* 1..MC_PRODUCT_LIST_MAX */
  int64_t offset;                   /* >= 0 */
} mc_product_query;

/* A product as the typed reads return it (product_page, product_page_get): the members of the
 * product document, typed, for the storefront's hot reads, which write their JSON views
 * straight from it instead of building and copying jansson values (twenty products a page).
 * One shape for every adapter. The strings belong to the page: free it with
 * mc_product_page_free. */
typedef struct mc_product_image_ref {
  const char *id, *url, *content_type;
  int64_t width, height, bytes;
} mc_product_image_ref;

typedef struct mc_product_row {
  const char *id, *name, *slug, *description, *currency;
  const char *sku;                    /* NULL when it has none */
  int64_t price;
  int64_t compare_at_price;           /* -1 when it has none */
  int64_t stock;
  int active;
  int64_t created_at, updated_at;     /* ms since the epoch */
  int64_t archived_at;                /* ms since the epoch; 0 when not archived */
  size_t category_count;
  const char **category_ids;          /* in id order */
  size_t image_count;
  mc_product_image_ref *images;       /* in display order */
  char *mem;                          /* owned: the row's strings and arrays */
} mc_product_row;

typedef struct mc_product_page {
  size_t count, cap;
  mc_product_row *rows; /* owned */
} mc_product_page;

/* Frees page and its rows (NULL is fine). */
void mc_product_page_free(mc_product_page *page);
/* Writes the product document of row (the shape product_get returns) to *out (new reference).
 * MC_ERR_INTERNAL without memory or for a time that cannot be written. */
int mc_product_row_doc(const mc_product_row *row, json_t **out);
/* Writes the documents of page's rows, in order, to *out (a new array). MC_ERR_INTERNAL as
 * mc_product_row_doc. */
int mc_product_page_docs(const mc_product_page *page, json_t **out);


typedef struct mc_store_catalog_ops {
  /* --- categories ------------------------------------------------------------------------------
   * {"id": "cat_...", "name", "slug", "description", "parent_id": null | "cat_...",
   *  "position": integer, "created_at", "updated_at"}, members as mc_category_spec states
   * (position -MC_CATALOG_POSITION_MAX..MC_CATALOG_POSITION_MAX). One level of nesting: a parent
   * has no parent itself (mc_rules_category_parent decides, inside the write). Slugs are
   * unique. */

  /* Inserts category (borrowed: id, name, slug required; description (default ""), parent_id
   * (default null), position (default 0) optional) and writes the stored document to *out (new
   * reference, may be NULL). MC_ERR_INVALID for a parent refused (why on parent_id);
   * MC_ERR_CONFLICT slug_taken when the slug is taken (conflict when the id is). */
  int (*category_create)(mc_store *st, const json_t *category, json_t **out, mc_refusal *why);
  /* Writes the category with this id / slug to *out (new reference). MC_ERR_NOT_FOUND if none. */
  int (*category_get)(mc_store *st, const char *id, json_t **out);
  int (*category_get_by_slug)(mc_store *st, const char *slug, json_t **out);
  /* Writes every category to *out (new array) ordered by position, then name, then id. */
  int (*category_list)(mc_store *st, json_t **out);
  /* Applies changes (borrowed, a non-empty subset of name, slug, description, parent_id,
   * position), same rules as create (a category with children cannot get a parent), sets
   * updated_at, and writes the new document to *out (new reference, may be NULL).
   * MC_ERR_NOT_FOUND if there is no such category; nothing changes on any error. */
  int (*category_update)(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why);
  /* Deletes an unused category (mc_rules_category_deletable decides, inside the write):
   * MC_ERR_CONFLICT category_in_use with the numbers of its products (inactive ones included)
   * and children; nothing is deleted then. MC_ERR_NOT_FOUND if there is no such category. */
  int (*category_delete)(mc_store *st, const char *id, mc_refusal *why);

  /* --- products --------------------------------------------------------------------------------
   * {"id": "prod_...", "name", "slug", "description", "price": integer (minor units),
   *  "currency", "compare_at_price": integer | null, "sku": string | null, "stock": integer,
   *  "active": boolean, "category_ids": [...] (in id order), "images": [{"id": "img_...",
   *  "url", "content_type", "width", "height", "bytes"}] (in display order), "created_at",
   *  "updated_at", "archived_at": null | RFC 3339}, members as mc_product_spec and
   * mc_image_spec state; category_ids name existing categories (else MC_ERR_INVALID, why on
   * category_ids). Writes that fail change nothing (a product is never left half-written).
   * A product that orders name is never deleted: product_delete archives it (archived_at set;
   * mc_rules_product_removal decides). An archived product stays readable by id for its
   * orders' sake, but it is inactive for good, and product_update, product_image_add and
   * product_image_remove refuse it with MC_ERR_CONFLICT product_archived. */

  /* Inserts product (borrowed: id, name, slug, price, currency required; description (""),
   * compare_at_price (null), sku (null), stock (0), active (true), category_ids ([]) optional;
   * images are added with product_image_add) and writes the stored document to *out (new
   * reference, may be NULL). MC_ERR_CONFLICT slug_taken or sku_taken (conflict for the id). */
  int (*product_create)(mc_store *st, const json_t *product, json_t **out, mc_refusal *why);
  /* Writes the product with this id / slug to *out (new reference). MC_ERR_NOT_FOUND if none. */
  int (*product_get)(mc_store *st, const char *id, json_t **out);
  int (*product_get_by_slug)(mc_store *st, const char *slug, json_t **out);
  /* Applies changes (borrowed, a non-empty subset of name, slug, description, price,
   * compare_at_price, sku, stock, active, category_ids (replaces the set); null sets
   * compare_at_price or sku back to none) atomically, sets updated_at, and writes the new
   * document to *out (new reference, may be NULL). MC_ERR_NOT_FOUND if there is no such
   * product; MC_ERR_CONFLICT slug_taken, sku_taken or product_archived. */
  int (*product_update)(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why);
  /* Deletes the product, or archives it when an order line names it, deciding and writing in
   * one transaction. Deleted: its category links, image records and cart lines go with it;
   * *out_images (may be NULL) gets a new array of the deleted image documents (display order)
   * so the caller can remove their files, and *out_archived (may be NULL) is NULL. Archived:
   * archived_at and updated_at are set, active becomes false, the slug becomes
   * mc_rules_archived_slug's and the sku null (both free for a new product; the order lines
   * keep their own name and sku), its category links and cart lines are removed, its images
   * are kept (orders may show them: remove no file); *out_images is NULL and *out_archived
   * gets the archived document (new reference). A product already archived is left as it is
   * and answered the same way. MC_ERR_NOT_FOUND if there is no such product. */
  int (*product_delete)(mc_store *st, const char *id, json_t **out_images, json_t **out_archived);
  /* Lists products matching query (archived ones only with query->archived): *out_items (new
   * array of complete product documents) and *out_count (may be NULL), the number of matches
   * without limit/offset, both read from one snapshot. */
  int (*product_list)(mc_store *st, const mc_product_query *query, json_t **out_items, int64_t *out_count);
  /* product_list's typed twin for the storefront: the same matches in the same order as rows
   * of *out (a new page, the caller's). */
  int (*product_page)(mc_store *st, const mc_product_query *query, mc_product_page **out, int64_t *out_count);
  /* The product with this id (by_slug 0) or slug (by_slug 1) as the one row of *out (a new
   * page, the caller's); MC_ERR_NOT_FOUND if none. */
  int (*product_page_get)(mc_store *st, const char *key, int by_slug, mc_product_page **out);
  /* Appends image (borrowed: id, url, content_type, width, height, bytes) to the product's
   * images and sets its updated_at; MC_ERR_INVALID too_many_images past MC_PRODUCT_IMAGES_MAX
   * (mc_rules_image_room), MC_ERR_CONFLICT product_archived (or conflict when the image id is
   * taken, which fresh ids never are), MC_ERR_NOT_FOUND without such a product.
   * *out (may be NULL): the new product document (new reference). */
  int (*product_image_add)(mc_store *st, const char *product_id, const json_t *image, json_t **out,
                           mc_refusal *why);
  /* Removes an image and sets the product's updated_at; *out_image (may be NULL) gets its
   * document (new reference). MC_ERR_NOT_FOUND if the product has no such image,
   * MC_ERR_CONFLICT product_archived. */
  int (*product_image_remove)(mc_store *st, const char *product_id, const char *image_id, json_t **out_image,
                              mc_refusal *why);
} mc_store_catalog_ops;

/* --- the wrappers: the one way callers reach the ops above -------------------------------------
 * Same contracts as the ops of the same names. Writes check their document against the spec
 * first (MC_ERR_INVALID with every problem in why, nothing dispatched); listings check the
 * query's ranges (mc_rules_product_query_ok: MC_ERR_INVALID). */
int mc_store_category_create(mc_store *st, const json_t *category, json_t **out, mc_refusal *why);
int mc_store_category_get(mc_store *st, const char *id, json_t **out);
int mc_store_category_get_by_slug(mc_store *st, const char *slug, json_t **out);
int mc_store_category_list(mc_store *st, json_t **out);
int mc_store_category_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why);
int mc_store_category_delete(mc_store *st, const char *id, mc_refusal *why);
int mc_store_product_create(mc_store *st, const json_t *product, json_t **out, mc_refusal *why);
int mc_store_product_get(mc_store *st, const char *id, json_t **out);
int mc_store_product_get_by_slug(mc_store *st, const char *slug, json_t **out);
int mc_store_product_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why);
int mc_store_product_delete(mc_store *st, const char *id, json_t **out_images, json_t **out_archived);
int mc_store_product_list(mc_store *st, const mc_product_query *query, json_t **out_items, int64_t *out_count);
int mc_store_product_page(mc_store *st, const mc_product_query *query, mc_product_page **out, int64_t *out_count);
int mc_store_product_page_get(mc_store *st, const char *key, int by_slug, mc_product_page **out);
int mc_store_product_image_add(mc_store *st, const char *product_id, const json_t *image, json_t **out,
                               mc_refusal *why);
int mc_store_product_image_remove(mc_store *st, const char *product_id, const char *image_id, json_t **out_image,
                                  mc_refusal *why);

#endif
