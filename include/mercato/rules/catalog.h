/* rules/catalog.h - the catalog's rules, stated once: the limits (openapi.yaml states the same
 * numbers), the field specs of categories, products and product images, and the decisions a
 * store adapter applies inside its own transaction with the rows it read (may this category get
 * this parent, may this product change, is there room for one more image, may this category go,
 * is this product deleted or archived). The catalog service and every store adapter call these;
 * none keeps a copy. Pure: no I/O. Decisions fill the refusal (may be NULL) naming the field. */
#ifndef MERCATO_RULES_CATALOG_H
#define MERCATO_RULES_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "mercato/id.h"
#include "mercato/money.h"
#include "mercato/refusal.h"
#include "mercato/rules/spec.h"

/* --- limits ----------------------------------------------------------------------------------- */
#define MC_CATALOG_NAME_MAX_CHARS 200            /* characters, no control character */
#define MC_CATALOG_NAME_MAX (4 * MC_CATALOG_NAME_MAX_CHARS) /* bytes */
#define MC_CATALOG_SLUG_MAX 100                  /* bytes of [a-z0-9] words joined by '-' */
#define MC_CATALOG_DESCRIPTION_MAX 10000         /* bytes of plain text */
#define MC_CATALOG_SKU_MAX 64                    /* bytes of printable ASCII without spaces */
#define MC_CATALOG_PRICE_MAX MC_MONEY_MAX        /* price and compare_at_price, minor units */
#define MC_CATALOG_STOCK_MAX INT64_C(1000000000)
#define MC_CATALOG_POSITION_MAX 1000000          /* category positions are -MAX..MAX */
#define MC_PRODUCT_CATEGORIES_MAX 20             /* category_ids of one product */
#define MC_PRODUCT_IMAGES_MAX 20                 /* images of one product */
#define MC_IMAGE_DIM_MAX 20000                   /* image width and height are 1..MAX */
#define MC_IMAGE_URL_MAX 512                     /* bytes, no control character */
#define MC_PRODUCT_LIST_MAX 100                  /* a listing page's limit */
#define MC_CATALOG_LIMIT_DEFAULT 20
#define MC_CATALOG_OFFSET_MAX 10000              /* deeper pages are refused: use filters */
#define MC_CATALOG_Q_MAX 200                     /* bytes of search text */
/* An archived product's slug: this prefix and its id after "prod_" (MC_ID_BODY_LEN
 * characters). New slugs of that form are refused, so archiving never finds its slug taken. */
#define MC_CATALOG_ARCHIVED_PREFIX "archived-"
#define MC_CATALOG_ARCHIVED_SLUG_LEN (sizeof MC_CATALOG_ARCHIVED_PREFIX - 1 + MC_ID_BODY_LEN)
/* The named numbers of a category_in_use refusal. */
#define MC_CATALOG_N_PRODUCTS "products"
#define MC_CATALOG_N_CHILDREN "children"
/* The detail of a product_archived refusal. */
#define MC_CATALOG_ARCHIVED_DETAIL                                                               \
  "This product is archived (orders name it, so it was kept when deleted) and cannot be "      \
  "changed; create a new product instead."

/* --- field specs -------------------------------------------------------------------------------
 * Indexed by the enums; each table has MC_*_F_COUNT rows. Stored documents hold exactly these
 * members (and the times the store sets). */
enum { MC_CATEGORY_F_ID, MC_CATEGORY_F_NAME, MC_CATEGORY_F_SLUG, MC_CATEGORY_F_DESCRIPTION, MC_CATEGORY_F_PARENT,
       MC_CATEGORY_F_POSITION, MC_CATEGORY_F_COUNT };
enum { MC_PRODUCT_F_ID, MC_PRODUCT_F_NAME, MC_PRODUCT_F_SLUG, MC_PRODUCT_F_DESCRIPTION, MC_PRODUCT_F_PRICE,
       MC_PRODUCT_F_CURRENCY, MC_PRODUCT_F_COMPARE_AT, MC_PRODUCT_F_SKU, MC_PRODUCT_F_STOCK, MC_PRODUCT_F_ACTIVE,
       MC_PRODUCT_F_CATEGORY_IDS, MC_PRODUCT_F_COUNT };
enum { MC_IMAGE_F_ID, MC_IMAGE_F_URL, MC_IMAGE_F_CONTENT_TYPE, MC_IMAGE_F_WIDTH, MC_IMAGE_F_HEIGHT,
       MC_IMAGE_F_BYTES, MC_IMAGE_F_COUNT };

extern const mc_spec_field mc_category_spec[MC_CATEGORY_F_COUNT];
extern const mc_spec_field mc_product_spec[MC_PRODUCT_F_COUNT];
extern const mc_spec_field mc_image_spec[MC_IMAGE_F_COUNT];

/* --- formats ---------------------------------------------------------------------------------- */

/* 1 when s (len bytes) is a slug: 1..MC_CATALOG_SLUG_MAX bytes of [a-z0-9] runs joined by single
 * '-' (no leading or trailing '-'), else 0. */
int mc_rules_slug_valid(const char *s, size_t len);
/* 1 when slug (NUL-terminated) has the form archived products get (see above), else 0. */
int mc_rules_slug_reserved(const char *slug);
/* Writes the slug product_id ("prod_...", valid) takes when archived into out. MC_ERR_INVALID
 * for an id that is not a product id. */
int mc_rules_archived_slug(const char *product_id, char out[MC_CATALOG_ARCHIVED_SLUG_LEN + 1]);

/* --- documents -------------------------------------------------------------------------------
 * Each checks a document (borrowed) against its spec in mode (mc_spec_check) and the rules that
 * span members: a product's slug is not reserved. MC_OK or MC_ERR_INVALID with every problem in
 * why (may be NULL). */
int mc_rules_category_check(const json_t *doc, mc_spec_mode mode, mc_refusal *why);
int mc_rules_product_check(const json_t *doc, mc_spec_mode mode, mc_refusal *why);
int mc_rules_image_check(const json_t *image, mc_refusal *why);

/* --- decisions ---------------------------------------------------------------------------------
 * Pure functions of what the adapter read inside the transaction that then writes. */

/* What a category's parent must be, read where the write happens: self_id (NULL for a new
 * category) may take parent_id when the parent exists (parent_found), is not self_id, is
 * top-level (parent_parent_id NULL) and self has no children (self_children 0). MC_OK, or
 * MC_ERR_INVALID with a validation error on parent_id: invalid_parent, not_found, not_top_level
 * or has_children, in that order. */
int mc_rules_category_parent(const char *self_id, const char *parent_id, int parent_found,
                             const char *parent_parent_id, int64_t self_children, mc_refusal *why);

/* A category may be deleted only when no product (inactive ones included) is in it and it has
 * no children: MC_OK, or MC_ERR_CONFLICT category_in_use with both numbers
 * (MC_CATALOG_N_PRODUCTS, MC_CATALOG_N_CHILDREN). */
int mc_rules_category_deletable(int64_t products, int64_t children, mc_refusal *why);

/* An archived product takes no change (update, image add or remove): MC_OK, or
 * MC_ERR_CONFLICT product_archived. */
int mc_rules_product_writable(int archived, mc_refusal *why);

/* One more image fits when the product has fewer than MC_PRODUCT_IMAGES_MAX: MC_OK, or
 * MC_ERR_INVALID too_many_images. */
int mc_rules_image_room(int64_t images, mc_refusal *why);

/* What deleting a product does: a product that orders name is archived (kept readable for
 * them), one already archived stays as it is, any other is deleted. */
typedef enum mc_product_removal {
  MC_PRODUCT_DELETE,
  MC_PRODUCT_ARCHIVE,
  MC_PRODUCT_KEEP_ARCHIVED
} mc_product_removal;
mc_product_removal mc_rules_product_removal(int archived, int ordered);

/* A unique member another document holds: MC_ERR_CONFLICT "<field>_taken" (slug_taken,
 * sku_taken) naming field ("slug" or "sku"), with the validation error {field, taken}. */
int mc_rules_refuse_taken(mc_refusal *why, const char *field);

/* A product listing query (store/catalog.h) within the port's ranges: limit
 * 1..MC_PRODUCT_LIST_MAX, offset >= 0, a known sort, prices -1 or 0..MC_CATALOG_PRICE_MAX,
 * low_stock >= -1. 1 when it is, else 0. */
struct mc_product_query;
int mc_rules_product_query_ok(const struct mc_product_query *q);

#endif
