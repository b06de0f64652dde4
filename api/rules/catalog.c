/* catalog.c - the catalog's rules (mercato/rules/catalog.h): field specs of categories, products
 * and images, their formats, and the decisions adapters apply inside their transactions. */
/* The spec tables name only the members each field uses; clang warns on the rest, gcc does not. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "mercato/rules/catalog.h"

#include <stdio.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/store/catalog.h"

/* --- formats ---------------------------------------------------------------------------------- */

int mc_rules_slug_valid(const char *s, size_t len) {
  if (s == NULL || len == 0 || len > MC_CATALOG_SLUG_MAX || s[0] == '-' || s[len - 1] == '-') return 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) continue;
    if (c != '-' || s[i - 1] == '-') return 0;
  }
  return 1;
}

int mc_rules_slug_reserved(const char *slug) {
  static const char prefix[] = MC_CATALOG_ARCHIVED_PREFIX;
  char id[MC_ID_MAX];
  if (slug == NULL || strncmp(slug, prefix, sizeof prefix - 1) != 0) return 0;
  snprintf(id, sizeof id, "prod_%.*s", MC_ID_BODY_LEN + 1, slug + sizeof prefix - 1);
  return mc_id_valid(id, "prod");
}

int mc_rules_archived_slug(const char *product_id, char out[MC_CATALOG_ARCHIVED_SLUG_LEN + 1]) {
  if (!mc_id_valid(product_id, "prod")) return MC_ERR_INVALID;
  /* Ids are lower-case after their prefix, so the slug is a valid one. */
  snprintf(out, MC_CATALOG_ARCHIVED_SLUG_LEN + 1, "%s%s", MC_CATALOG_ARCHIVED_PREFIX, product_id + 5);
  return MC_OK;
}

/* A display name: 1..MC_CATALOG_NAME_MAX_CHARS characters, none a control character (C0, DEL,
 * C1). jansson holds strings as valid UTF-8, so characters are the bytes that do not continue
 * one. */
static int name_valid(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  size_t chars = 0;
  for (size_t i = 0; i < len; i++) {
    if (u[i] < 0x20 || u[i] == 0x7f) return 0;
    if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] < 0xa0) return 0;
    chars += (u[i] & 0xc0) != 0x80;
  }
  return chars >= 1 && chars <= MC_CATALOG_NAME_MAX_CHARS;
}

/* Plain text: any character but controls other than tab, line feed and carriage return. It is
 * stored and returned as is, never interpreted as markup. */
static int plain_text_valid(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return 0;
  }
  return 1;
}

static int sku_valid(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] <= 0x20 || s[i] >= 0x7f) return 0;
  return len > 0;
}

static int currency_valid(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] < 'A' || s[i] > 'Z') return 0;
  return len == 3;
}

static int single_line_valid(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return 0;
  return 1;
}

static int content_type_valid(const char *s, size_t len) {
  static const char *const types[] = {"image/jpeg", "image/png", "image/webp", "image/svg+xml"};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strlen(types[i]) == len && memcmp(types[i], s, len) == 0) return 1;
  return 0;
}

/* --- field specs ------------------------------------------------------------------------------ */

#define REQ MC_SPEC_REQUIRED
#define UPD MC_SPEC_UPDATABLE
#define NUL MC_SPEC_NULLABLE
#define NAME_SPEC                                                                                  \
  {"name", MC_SPEC_TEXT, REQ | UPD, 1, MC_CATALOG_NAME_MAX, name_valid, NULL, "invalid_name",           \
   "Give a name of 1 to 200 characters without control characters."}
#define SLUG_SPEC                                                                                  \
  {"slug", MC_SPEC_TEXT, REQ | UPD, 1, MC_CATALOG_SLUG_MAX, mc_rules_slug_valid, NULL, "invalid_slug",  \
   "A slug is 1 to 100 of a-z and 0-9, words joined by single hyphens (\"blue-mug-2\")."}
#define DESCRIPTION_SPEC                                                                           \
  {"description", MC_SPEC_TEXT, UPD, 0, MC_CATALOG_DESCRIPTION_MAX, plain_text_valid, NULL,             \
   "invalid_character", "Descriptions are plain text: no control characters other than tab and line breaks."}

const mc_spec_field mc_category_spec[MC_CATEGORY_F_COUNT] = {
  [MC_CATEGORY_F_ID] = {"id", MC_SPEC_ID, REQ, 0, 0, NULL, "cat", "invalid_id", "A category id is cat_..."},
  [MC_CATEGORY_F_NAME] = NAME_SPEC,
  [MC_CATEGORY_F_SLUG] = SLUG_SPEC,
  [MC_CATEGORY_F_DESCRIPTION] = DESCRIPTION_SPEC,
  [MC_CATEGORY_F_PARENT] = {"parent_id", MC_SPEC_ID, UPD | NUL, 0, 0, NULL, "cat", "invalid_id",
                            "parent_id is a category id (cat_...) or null."},
  [MC_CATEGORY_F_POSITION] = {"position", MC_SPEC_INT, UPD, -MC_CATALOG_POSITION_MAX, MC_CATALOG_POSITION_MAX},
};

const mc_spec_field mc_product_spec[MC_PRODUCT_F_COUNT] = {
  [MC_PRODUCT_F_ID] = {"id", MC_SPEC_ID, REQ, 0, 0, NULL, "prod", "invalid_id", "A product id is prod_..."},
  [MC_PRODUCT_F_NAME] = NAME_SPEC,
  [MC_PRODUCT_F_SLUG] = SLUG_SPEC,
  [MC_PRODUCT_F_DESCRIPTION] = DESCRIPTION_SPEC,
  [MC_PRODUCT_F_PRICE] = {"price", MC_SPEC_INT, REQ | UPD, 0, MC_CATALOG_PRICE_MAX},
  [MC_PRODUCT_F_CURRENCY] = {"currency", MC_SPEC_TEXT, REQ, 3, 3, currency_valid, NULL, "invalid_currency",
                             "A currency is three upper-case letters (ISO 4217)."},
  [MC_PRODUCT_F_COMPARE_AT] = {"compare_at_price", MC_SPEC_INT, UPD | NUL, 0, MC_CATALOG_PRICE_MAX},
  [MC_PRODUCT_F_SKU] = {"sku", MC_SPEC_TEXT, UPD | NUL, 1, MC_CATALOG_SKU_MAX, sku_valid, NULL, "invalid_sku",
                        "A SKU is 1 to 64 printable ASCII characters without spaces."},
  [MC_PRODUCT_F_STOCK] = {"stock", MC_SPEC_INT, UPD, 0, MC_CATALOG_STOCK_MAX},
  [MC_PRODUCT_F_ACTIVE] = {"active", MC_SPEC_BOOL, UPD},
  [MC_PRODUCT_F_CATEGORY_IDS] = {"category_ids", MC_SPEC_ID_SET, UPD, 0, MC_PRODUCT_CATEGORIES_MAX, NULL, "cat"},
};

const mc_spec_field mc_image_spec[MC_IMAGE_F_COUNT] = {
  [MC_IMAGE_F_ID] = {"id", MC_SPEC_ID, REQ, 0, 0, NULL, "img", "invalid_id", "An image id is img_..."},
  [MC_IMAGE_F_URL] = {"url", MC_SPEC_TEXT, REQ, 1, MC_IMAGE_URL_MAX, single_line_valid, NULL, "invalid_url",
                      "An image url has no control characters."},
  [MC_IMAGE_F_CONTENT_TYPE] = {"content_type", MC_SPEC_TEXT, REQ, 1, 32, content_type_valid, NULL,
                               "invalid_content_type", "Images are image/jpeg, image/png, image/webp or image/svg+xml."},
  [MC_IMAGE_F_WIDTH] = {"width", MC_SPEC_INT, REQ, 1, MC_IMAGE_DIM_MAX},
  [MC_IMAGE_F_HEIGHT] = {"height", MC_SPEC_INT, REQ, 1, MC_IMAGE_DIM_MAX},
  [MC_IMAGE_F_BYTES] = {"bytes", MC_SPEC_INT, REQ, 0, INT64_MAX},
};

#undef REQ
#undef UPD
#undef NUL

/* --- documents -------------------------------------------------------------------------------- */

int mc_rules_category_check(const json_t *doc, mc_spec_mode mode, mc_refusal *why) {
  return mc_spec_check(doc, mc_category_spec, MC_CATEGORY_F_COUNT, mode, why);
}

int mc_rules_product_check(const json_t *doc, mc_spec_mode mode, mc_refusal *why) {
  int err = mc_spec_check(doc, mc_product_spec, MC_PRODUCT_F_COUNT, mode, why);
  if (mc_rules_slug_reserved(json_string_value(json_object_get(doc, "slug")))) {
    mc_refusal_add_error(why, "slug", "reserved", "Slugs of the form archived-<product id> are kept for archived products.");
    err = MC_ERR_INVALID;
  }
  return err;
}

int mc_rules_image_check(const json_t *image, mc_refusal *why) {
  return mc_spec_check(image, mc_image_spec, MC_IMAGE_F_COUNT, MC_SPEC_CREATE, why);
}

/* --- decisions -------------------------------------------------------------------------------- */

/* A validation refusal about one field. */
static int invalid(mc_refusal *why, const char *field, const char *code, const char *message) {
  mc_refusal_add_error(why, field, code, message);
  return MC_ERR_INVALID;
}

int mc_rules_category_parent(const char *self_id, const char *parent_id, int parent_found,
                             const char *parent_parent_id, int64_t self_children, mc_refusal *why) {
  if (self_id != NULL && strcmp(self_id, parent_id) == 0)
    return invalid(why, "parent_id", "invalid_parent", "A category cannot be its own parent.");
  if (!parent_found) return invalid(why, "parent_id", "not_found", "There is no category with this id.");
  if (parent_parent_id != NULL)
    return invalid(why, "parent_id", "not_top_level", "Categories nest one level deep: the parent must be top-level.");
  if (self_children > 0)
    return invalid(why, "parent_id", "has_children", "A category with subcategories cannot get a parent.");
  return MC_OK;
}

int mc_rules_category_deletable(int64_t products, int64_t children, mc_refusal *why) {
  if (products == 0 && children == 0) return MC_OK;
  mc_refusal_number_set(why, MC_CATALOG_N_PRODUCTS, products);
  mc_refusal_number_set(why, MC_CATALOG_N_CHILDREN, children);
  return mc_refuse(why, MC_ERR_CONFLICT, "category_in_use", NULL,
                   "The category still has %lld product(s) and %lld subcategory(ies); move or delete them first.",
                   (long long)products, (long long)children);
}

int mc_rules_product_writable(int archived, mc_refusal *why) {
  return archived ? mc_refuse(why, MC_ERR_CONFLICT, "product_archived", NULL, "%s", MC_CATALOG_ARCHIVED_DETAIL) : MC_OK;
}

int mc_rules_image_room(int64_t images, mc_refusal *why) {
  if (images < MC_PRODUCT_IMAGES_MAX) return MC_OK;
  return mc_refuse(why, MC_ERR_INVALID, "too_many_images", NULL, "A product has at most %d images; delete one first.",
                   MC_PRODUCT_IMAGES_MAX);
}

mc_product_removal mc_rules_product_removal(int archived, int ordered) {
  if (archived) return MC_PRODUCT_KEEP_ARCHIVED;
  return ordered ? MC_PRODUCT_ARCHIVE : MC_PRODUCT_DELETE;
}

int mc_rules_refuse_taken(mc_refusal *why, const char *field) {
  int sku = strcmp(field, "sku") == 0;
  const char *message = sku ? "Another product already has this SKU." : "This slug is taken; choose another.";
  mc_refuse(why, MC_ERR_CONFLICT, sku ? "sku_taken" : "slug_taken", field, "%s", message);
  mc_refusal_add_error(why, field, "taken", message);
  return MC_ERR_CONFLICT;
}

int mc_rules_product_query_ok(const mc_product_query *q) {
  return q->limit >= 1 && q->limit <= MC_PRODUCT_LIST_MAX && q->offset >= 0 && (unsigned)q->sort <= MC_SORT_RELEVANCE &&
         q->min_price >= -1 && q->min_price <= MC_CATALOG_PRICE_MAX && q->max_price >= -1 &&
         q->max_price <= MC_CATALOG_PRICE_MAX && q->low_stock >= -1;
}
