/* catalog.c - the catalog's writes: request bodies made into documents (names trimmed, slugs
 * derived, checked against the rules' specs), then categories and products created, changed and
 * deleted through the store, each write bumping the cache generation. Listing queries are in
 * catalog_query.c, reads and the cache in catalog_read.c. */
#include "mercato/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mercato/auth.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/images.h"
#include "mercato/log.h"
#include "mercato/query.h"

/* --- the generation counter -------------------------------------------------------------------- */

void mc_catalog_prepare(mc_kv *kv) {
  struct timespec ts;
  char value[24];
  clock_gettime(CLOCK_REALTIME, &ts);
  int n = snprintf(value, sizeof value, "%lld", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
  int rc = mc_kv_set_nx(kv, MC_CATALOG_GEN_KEY, value, (size_t)n, 0);
  if (rc != MC_OK && rc != MC_ERR_CONFLICT) {
    mc_warn("catalog", "could not seed the cache generation: %s (the cache falls back to the store)", mc_err_name(rc));
    return;
  }
  /* The database may have changed while this process was down (a restore, a migration, a seed):
   * nothing cached before this start is trusted. */
  mc_catalog_changed(kv);
}

int mc_catalog_changed(mc_kv *kv) {
  int64_t gen = 0;
  int rc = mc_kv_incr(kv, MC_CATALOG_GEN_KEY, 1, 0, &gen);
  if (rc != MC_OK)
    mc_error("catalog", "could not bump the cache generation: %s (cached answers may live until their TTL)",
             mc_err_name(rc));
  return rc;
}

/* --- slugs ----------------------------------------------------------------------------------- */

int mc_catalog_slug_valid(const char *s) {
  return s != NULL && mc_rules_slug_valid(s, strnlen(s, MC_CATALOG_SLUG_MAX + 1));
}

/* ASCII spellings of U+00C0..U+00FF, for slugs: "" where there is no letter (×, ÷). */
static const char *const latin1[64] = {
  "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
  "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
  "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
  "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};

int mc_catalog_slugify(const char *name, char out[MC_CATALOG_SLUG_MAX + 1]) {
  char tmp[MC_CATALOG_SLUG_MAX + 2]; /* one byte more than fits tells that the name was longer */
  size_t n = 0;
  int gap = 0;
  for (const unsigned char *p = (const unsigned char *)name; *p && n <= MC_CATALOG_SLUG_MAX; p++) {
    const char *ascii = NULL;
    char one[2] = {0};
    if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) one[0] = (char)*p, ascii = one;
    else if (*p >= 'A' && *p <= 'Z') one[0] = (char)(*p - 'A' + 'a'), ascii = one;
    else if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) ascii = latin1[*++p & 0x3f];
    if (!ascii || !*ascii) {
      gap = 1;
      continue;
    }
    if (gap && n > 0) tmp[n++] = '-';
    gap = 0;
    for (; *ascii && n <= MC_CATALOG_SLUG_MAX; ascii++) tmp[n++] = *ascii;
  }
  if (n > MC_CATALOG_SLUG_MAX) { /* too long: cut after the last whole word that fits */
    size_t cut = MC_CATALOG_SLUG_MAX;
    while (cut > 0 && tmp[cut] != '-') cut--;
    n = cut > 0 ? cut : MC_CATALOG_SLUG_MAX;
  }
  while (n > 0 && tmp[n - 1] == '-') n--;
  memcpy(out, tmp, n);
  out[n] = '\0';
  return n > 0 ? MC_OK : MC_ERR_INVALID;
}

/* --- request bodies ---------------------------------------------------------------------------
 * A body becomes the store document's members: names trimmed, a slug derived when none is given,
 * a null description emptied, the shop's currency. What each value may be is the rules' spec
 * (mc_rules_*_check in MC_SPEC_VALUES mode, collecting every problem); what a body must hold
 * is said here. */

/* Puts the normalised name of body into changes, or adds an error. Returns the name (borrowed
 * from changes) or NULL. */
static const char *name_member(const json_t *body, int creating, json_t *changes, mc_refusal *why) {
  char name[MC_NAME_MAX + 1];
  json_t *v = json_object_get(body, "name"), *errors = NULL;
  const char *raw;
  if (v == NULL || json_is_null(v)) {
    if (v != NULL || creating)
      mc_refusal_add_error(why, "name", "required", creating ? "This field is required." : "The name cannot be removed.");
    return NULL;
  }
  raw = mc_field_string(v, "name", 1024, &errors);
  mc_refusal_take_errors(why, errors);
  if (raw == NULL) return NULL;
  if (mc_user_name_normalize(raw, name) != MC_OK) {
    mc_refusal_add_error(why, "name", "invalid_name", mc_category_spec[MC_CATEGORY_F_NAME].message);
    return NULL;
  }
  json_object_set_new(changes, "name", json_string(name));
  return json_string_value(json_object_get(changes, "name"));
}

/* Puts the slug given into changes, or (creating without one) the slug derived from name. */
static void slug_member(const json_t *body, int creating, const char *name, json_t *changes, mc_refusal *why) {
  char derived[MC_CATALOG_SLUG_MAX + 1];
  json_t *v = json_object_get(body, "slug");
  if (v != NULL && !json_is_null(v)) json_object_set(changes, "slug", v);
  else if (!creating && v != NULL) mc_refusal_add_error(why, "slug", "required", "A slug cannot be removed.");
  else if (creating && name != NULL && mc_catalog_slugify(name, derived) != MC_OK)
    mc_refusal_add_error(why, "slug", "required", "The name has no letters or digits to derive a slug from: give a slug.");
  else if (creating && name != NULL) json_object_set_new(changes, "slug", json_string(derived));
}

/* Copies the members of body named in fields (NULL-terminated) into changes, as given; a null
 * description becomes "" (no description). */
static void copy_members(const json_t *body, const char *const *fields, json_t *changes) {
  for (; *fields; fields++) {
    json_t *v = json_object_get(body, *fields);
    if (v == NULL) continue;
    if (strcmp(*fields, "description") == 0 && json_is_null(v)) json_object_set_new(changes, *fields, json_string(""));
    else json_object_set(changes, *fields, v);
  }
}

/* Adds category_ids/not_found when a valid category_ids names a category that does not exist,
 * so that a body's problems come back together (the store's foreign key decides in the end). */
static int categories_exist(const mc_catalog *cat, const json_t *ids, mc_refusal *why) {
  const mc_spec_field *f = &mc_product_spec[MC_PRODUCT_F_CATEGORY_IDS];
  json_t *all = NULL, *v, *c;
  size_t i, j;
  char msg[96];
  int rc;
  if (ids == NULL || json_array_size(ids) == 0 || !mc_spec_value_ok(f, ids, NULL)) return MC_OK;
  if ((rc = mc_store_category_list(cat->store, &all)) != MC_OK) return rc;
  json_array_foreach(ids, i, v) {
    int found = 0;
    json_array_foreach(all, j, c) found |= json_equal(json_object_get(c, "id"), v);
    if (!found) {
      snprintf(msg, sizeof msg, "There is no category %s.", json_string_value(v));
      mc_refusal_add_error(why, "category_ids", "not_found", msg);
      break;
    }
  }
  json_decref(all);
  return MC_OK;
}

/* MC_ERR_INVALID when why holds validation errors, else MC_OK. */
static int body_result(const mc_refusal *why) {
  return why->errors != NULL ? MC_ERR_INVALID : MC_OK;
}

/* --- category writes ------------------------------------------------------------------------- */

static const char *const category_members[] = {"description", "parent_id", "position", NULL};

/* The document a category body makes (new reference), the problems in why. */
static json_t *category_changes(const json_t *body, int creating, mc_refusal *why) {
  json_t *changes = json_object();
  if (changes == NULL) return NULL;
  slug_member(body, creating, name_member(body, creating, changes, why), changes, why);
  copy_members(body, category_members, changes);
  mc_rules_category_check(changes, MC_SPEC_VALUES, why);
  return changes;
}

/* The refusal of an id that names nothing. */
static int not_found(mc_refusal *why, const char *what) {
  return mc_refuse(why, MC_ERR_NOT_FOUND, "not_found", NULL, "There is no %s with this id.", what);
}

int mc_catalog_category_create(const mc_catalog *cat, const json_t *body, json_t **out, mc_refusal *why) {
  char id[MC_ID_MAX];
  json_t *doc = category_changes(body, 1, why);
  int rc = doc == NULL ? MC_ERR_INTERNAL : body_result(why);
  *out = NULL;
  if (rc == MC_OK) rc = mc_id_new("cat", id);
  if (rc == MC_OK) json_object_set_new(doc, "id", json_string(id));
  if (rc == MC_OK) rc = mc_store_category_create(cat->store, doc, out, why);
  if (rc == MC_OK) {
    mc_info("catalog", "category %s created", id);
    mc_catalog_changed(cat->kv);
  }
  json_decref(doc);
  return rc;
}

int mc_catalog_category_update(const mc_catalog *cat, const char *id, const json_t *body, json_t **out,
                               mc_refusal *why) {
  json_t *changes = NULL;
  int rc = MC_OK;
  *out = NULL;
  if (!mc_id_valid(id, "cat")) return not_found(why, "category");
  changes = category_changes(body, 0, why);
  rc = changes == NULL ? MC_ERR_INTERNAL : body_result(why);
  if (rc == MC_OK && json_object_size(changes) == 0) rc = mc_store_category_get(cat->store, id, out);
  else if (rc == MC_OK) rc = mc_store_category_update(cat->store, id, changes, out, why);
  if (rc == MC_OK && json_object_size(changes) > 0) mc_catalog_changed(cat->kv);
  if (rc == MC_ERR_NOT_FOUND) not_found(why, "category");
  json_decref(changes);
  return rc;
}

int mc_catalog_category_delete(const mc_catalog *cat, const char *id, mc_refusal *why) {
  if (!mc_id_valid(id, "cat")) return not_found(why, "category");
  int rc = mc_store_category_delete(cat->store, id, why);
  if (rc == MC_OK) {
    mc_info("catalog", "category %s deleted", id);
    mc_catalog_changed(cat->kv);
  }
  if (rc == MC_ERR_NOT_FOUND) not_found(why, "category");
  return rc;
}

/* --- product writes -------------------------------------------------------------------------- */

static const char *const product_members[] = {"description", "price", "compare_at_price", "sku", "stock",
                                              "active", "category_ids", NULL};

/* The shop sells in one currency: a product's is the shop's (creating only). */
static void currency_member(const mc_catalog *cat, const json_t *body, json_t *changes, mc_refusal *why) {
  json_t *errors = NULL;
  const char *currency = mc_field_string_member(body, "currency", 0, 16, &errors);
  mc_refusal_take_errors(why, errors);
  if (currency && strcmp(currency, cat->cfg->currency) != 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "This shop sells in %s only.", cat->cfg->currency);
    mc_refusal_add_error(why, "currency", "currency_mismatch", msg);
  }
  json_object_set_new(changes, "currency", json_string(cat->cfg->currency));
}

/* The document a product body makes (new reference), the problems in why; *rc for a store
 * failure while looking categories up. */
static json_t *product_changes(const mc_catalog *cat, const json_t *body, int creating, mc_refusal *why, int *rc) {
  json_t *changes = json_object();
  if (changes == NULL) return NULL;
  slug_member(body, creating, name_member(body, creating, changes, why), changes, why);
  copy_members(body, product_members, changes);
  if (creating && json_object_get(changes, "price") == NULL)
    mc_refusal_add_error(why, "price", "required", "This field is required.");
  if (creating && json_object_get(changes, "description") == NULL)
    mc_refusal_add_error(why, "description", "required", "This field is required.");
  if (creating) currency_member(cat, body, changes, why);
  mc_rules_product_check(changes, MC_SPEC_VALUES, why);
  *rc = categories_exist(cat, json_object_get(changes, "category_ids"), why);
  return changes;
}

int mc_catalog_product_create(const mc_catalog *cat, const json_t *body, json_t **out, mc_refusal *why) {
  char id[MC_ID_MAX];
  int rc = MC_OK;
  json_t *doc = product_changes(cat, body, 1, why, &rc);
  *out = NULL;
  if (rc == MC_OK) rc = doc == NULL ? MC_ERR_INTERNAL : body_result(why);
  if (rc == MC_OK) rc = mc_id_new("prod", id);
  if (rc == MC_OK) json_object_set_new(doc, "id", json_string(id));
  if (rc == MC_OK) rc = mc_store_product_create(cat->store, doc, out, why);
  if (rc == MC_OK) {
    mc_info("catalog", "product %s created", id);
    mc_catalog_changed(cat->kv);
  }
  json_decref(doc);
  return rc;
}

/* An update with nothing to change still refuses an archived product (no change is accepted,
 * not even an empty one): the product as it is, or the refusal. */
static int product_unchanged(const mc_catalog *cat, const char *id, json_t **out, mc_refusal *why) {
  int rc = mc_store_product_get(cat->store, id, out);
  if (rc == MC_OK && !json_is_null(json_object_get(*out, "archived_at"))) {
    json_decref(*out);
    *out = NULL;
    rc = mc_rules_product_writable(1, why);
  }
  return rc;
}

int mc_catalog_product_update(const mc_catalog *cat, const char *id, const json_t *body, json_t **out,
                              mc_refusal *why) {
  json_t *changes = NULL;
  int rc = MC_OK;
  *out = NULL;
  if (!mc_id_valid(id, "prod")) return not_found(why, "product");
  changes = product_changes(cat, body, 0, why, &rc);
  if (rc == MC_OK) rc = changes == NULL ? MC_ERR_INTERNAL : body_result(why);
  if (rc == MC_OK && json_object_size(changes) == 0) rc = product_unchanged(cat, id, out, why);
  else if (rc == MC_OK) rc = mc_store_product_update(cat->store, id, changes, out, why);
  if (rc == MC_OK && json_object_size(changes) > 0) {
    mc_info("catalog", "product %s updated", id);
    mc_catalog_changed(cat->kv);
  }
  if (rc == MC_ERR_NOT_FOUND) not_found(why, "product");
  json_decref(changes);
  return rc;
}

int mc_catalog_product_delete(const mc_catalog *cat, const char *id, json_t **out_archived, mc_refusal *why) {
  json_t *images = NULL, *archived = NULL;
  if (out_archived) *out_archived = NULL;
  if (!mc_id_valid(id, "prod")) return not_found(why, "product");
  int rc = mc_store_product_delete(cat->store, id, &images, &archived);
  if (rc == MC_OK) {
    mc_catalog_changed(cat->kv);
    if (archived) {
      /* Its orders still show its images: the files stay. */
      mc_info("catalog", "product %s is named by orders: archived instead of deleted", id);
    } else {
      mc_info("catalog", "product %s deleted", id);
      mc_images_remove_files(cat->cfg->data_dir, images);
    }
  }
  if (rc == MC_ERR_NOT_FOUND) not_found(why, "product");
  if (out_archived) *out_archived = archived;
  else json_decref(archived);
  json_decref(images);
  return rc;
}
