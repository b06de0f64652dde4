/* catalog.c - the catalog's input rules (slugs, names, plain-text descriptions, money) and its
 * writes: categories and products created, changed and deleted through the store, each write
 * bumping the cache generation. Listing queries are in catalog_query.c, reads and the cache in
 * catalog_read.c. */
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
#include "mercato/money.h"
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
  size_t n = 0;
  if (!s) return 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (n == MC_CATALOG_SLUG_MAX) return 0;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) continue;
    if (c != '-' || n == 0 || s[n - 1] == '-') return 0;
  }
  return n > 0 && s[n - 1] != '-';
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

/* --- field rules ------------------------------------------------------------------------------ */

/* Reads an integer member within [min, max] into *out. Returns 1 when present and valid, 0 when
 * absent (or null and nullable: *out untouched), -1 after adding an error. */
static int integer_member(const json_t *body, const char *field, int nullable, int64_t min, int64_t max,
                          int64_t *out, json_t **errors) {
  json_t *v = json_object_get(body, field);
  char msg[120];
  if (!v) return 0;
  if (json_is_null(v) && nullable) return 0;
  if (!json_is_integer(v)) {
    mc_errors_add(errors, field, "not_an_integer",
              nullable ? "This field must be a whole number (minor units for money) or null."
                       : "This field must be a whole number (minor units for money).");
    return -1;
  }
  json_int_t i = json_integer_value(v);
  if (i < min || i > max) {
    snprintf(msg, sizeof msg, "This field must be between %lld and %lld.", (long long)min, (long long)max);
    mc_errors_add(errors, field, "out_of_range", msg);
    return -1;
  }
  *out = i;
  return 1;
}

/* Checks a display name (trimmed, 1..200 characters, no control characters) into out. */
static const char *name_member(const json_t *body, int required, char out[MC_NAME_MAX + 1], json_t **errors) {
  const char *raw = mc_field_string_member(body, "name", required, 1024, errors);
  if (!required && json_is_null(json_object_get(body, "name")))
    mc_errors_add(errors, "name", "required", "The name cannot be removed.");
  if (raw && mc_user_name_normalize(raw, out) != MC_OK) {
    mc_errors_add(errors, "name", "invalid_name", "Give a name of 1 to 200 characters without control characters.");
    return NULL;
  }
  return raw ? out : NULL;
}

/* Plain text: any characters but controls other than tab, line feed and carriage return. It is
 * stored and returned as is, never interpreted as markup. */
static const char *description_member(const json_t *body, int required, json_t **errors) {
  const char *d = mc_field_string_member(body, "description", required, MC_CATALOG_DESCRIPTION_MAX, errors);
  for (const unsigned char *p = (const unsigned char *)d; p && *p; p++) {
    if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f) {
      mc_errors_add(errors, "description", "invalid_character",
                "Descriptions are plain text: no control characters other than tab and line breaks.");
      return NULL;
    }
  }
  return d;
}

static const char *slug_member(const json_t *body, json_t **errors) {
  const char *s = mc_field_string_member(body, "slug", 0, 1024, errors);
  if (s && !mc_catalog_slug_valid(s)) {
    mc_errors_add(errors, "slug", "invalid_slug",
              "A slug is 1 to 100 of a-z and 0-9, words joined by single hyphens (\"blue-mug-2\").");
    return NULL;
  }
  return s;
}

/* The slug given, else one derived from name into buf. */
static const char *slug_or_derived(const json_t *body, const char *name, char buf[MC_CATALOG_SLUG_MAX + 1],
                                   json_t **errors) {
  json_t *v = json_object_get(body, "slug");
  if (v && !json_is_null(v)) return slug_member(body, errors);
  if (!name) return NULL;
  if (mc_catalog_slugify(name, buf) != MC_OK) {
    mc_errors_add(errors, "slug", "required", "The name has no letters or digits to derive a slug from: give a slug.");
    return NULL;
  }
  return buf;
}

/* sku: null, or 1..64 bytes of printable ASCII without spaces. Returns 1 when a string was
 * given (into *out), 0 when absent or null, -1 after an error. */
static int sku_member(const json_t *body, const char **out, json_t **errors) {
  json_t *v = json_object_get(body, "sku");
  if (!v || json_is_null(v)) return 0;
  const char *s = mc_field_string_member(body, "sku", 0, MC_CATALOG_SKU_MAX, errors);
  if (!s) return -1;
  int ok = *s != '\0';
  for (const char *p = s; *p && ok; p++) ok = *p > 0x20 && *p < 0x7f;
  if (!ok) {
    mc_errors_add(errors, "sku", "invalid_sku", "A SKU is 1 to 64 printable ASCII characters without spaces.");
    return -1;
  }
  *out = s;
  return 1;
}

/* Checks category_ids: an array of at most MC_PRODUCT_CATEGORIES_MAX distinct ids of existing
 * categories. Returns 1 when present and valid, 0 when absent, -1 after errors or when the
 * store failed (*rc set). */
static int category_ids_member(const mc_catalog *cat, const json_t *body, json_t **errors, int *rc) {
  json_t *ids = json_object_get(body, "category_ids"), *all = NULL, *v, *c;
  size_t i, j;
  char msg[160];
  if (!ids) return 0;
  if (!json_is_array(ids)) {
    mc_errors_add(errors, "category_ids", "not_an_array", "This field must be an array of category ids.");
    return -1;
  }
  if (json_array_size(ids) > MC_PRODUCT_CATEGORIES_MAX) {
    snprintf(msg, sizeof msg, "A product is in at most %d categories.", MC_PRODUCT_CATEGORIES_MAX);
    mc_errors_add(errors, "category_ids", "too_many", msg);
    return -1;
  }
  json_array_foreach(ids, i, v) {
    const char *id = json_string_value(v);
    if (!id || !mc_id_valid(id, "cat")) {
      mc_errors_add(errors, "category_ids", "invalid_id", "Every member must be a category id (cat_...).");
      return -1;
    }
    for (j = 0; j < i; j++)
      if (strcmp(id, json_string_value(json_array_get(ids, j))) == 0) {
        mc_errors_add(errors, "category_ids", "duplicate", "A category is listed twice.");
        return -1;
      }
  }
  if (json_array_size(ids) == 0) return 1;
  if ((*rc = cat->store->ops->category_list(cat->store, &all)) != MC_OK) return -1;
  int bad = 0;
  json_array_foreach(ids, i, v) {
    int found = 0;
    json_array_foreach(all, j, c) found |= json_equal(json_object_get(c, "id"), v);
    if (!found && !bad++) {
      snprintf(msg, sizeof msg, "There is no category %s.", json_string_value(v));
      mc_errors_add(errors, "category_ids", "not_found", msg);
    }
  }
  json_decref(all);
  return bad ? -1 : 1;
}

/* --- category writes ------------------------------------------------------------------------- */

/* Reports a store conflict on create/update as the slug or the sku being taken: the slug when
 * another document holds it, else the sku (ids are random and never collide in practice). */
static void conflict_error(const mc_catalog *cat, int product, const char *self_id, const char *slug,
                           json_t **errors) {
  json_t *other = NULL;
  int slug_taken = 1;
  if (product) {
    slug_taken = slug && cat->store->ops->product_get_by_slug(cat->store, slug, &other) == MC_OK &&
                 (!self_id || strcmp(json_string_value(json_object_get(other, "id")) ?: "", self_id) != 0);
  }
  json_decref(other);
  if (slug_taken) mc_errors_add(errors, "slug", "taken", "This slug is taken; choose another.");
  else mc_errors_add(errors, "sku", "taken", "Another product already has this SKU.");
}

/* Checks that parent_id names a top-level category other than self_id. */
static int check_parent(const mc_catalog *cat, const char *parent_id, const char *self_id, json_t **errors) {
  json_t *parent = NULL;
  if (self_id && strcmp(parent_id, self_id) == 0) {
    mc_errors_add(errors, "parent_id", "invalid_parent", "A category cannot be its own parent.");
    return MC_ERR_INVALID;
  }
  int rc = cat->store->ops->category_get(cat->store, parent_id, &parent);
  if (rc == MC_ERR_NOT_FOUND) {
    mc_errors_add(errors, "parent_id", "not_found", "There is no category with this id.");
    rc = MC_ERR_INVALID;
  } else if (rc == MC_OK && !json_is_null(json_object_get(parent, "parent_id"))) {
    mc_errors_add(errors, "parent_id", "not_top_level", "Categories nest one level deep: the parent must be top-level.");
    rc = MC_ERR_INVALID;
  }
  json_decref(parent);
  return rc;
}

/* Reads the category members of body into changes (new members); adds errors. *parent_out is
 * the parent id given, if any. */
static void category_fields(const json_t *body, int creating, json_t *changes, const char **parent_out,
                            json_t **errors) {
  char name[MC_NAME_MAX + 1], derived[MC_CATALOG_SLUG_MAX + 1];
  int64_t position = 0;
  const char *n = name_member(body, creating, name, errors);
  const char *slug = creating ? slug_or_derived(body, n, derived, errors) : slug_member(body, errors);
  const char *description = description_member(body, 0, errors);
  json_t *parent = json_object_get(body, "parent_id");

  if (n) json_object_set_new(changes, "name", json_string(n));
  if (slug) json_object_set_new(changes, "slug", json_string(slug));
  if (description) json_object_set_new(changes, "description", json_string(description));
  if (!creating && json_is_null(json_object_get(body, "slug")))
    mc_errors_add(errors, "slug", "required", "A category always has a slug.");
  if (!creating && json_is_null(json_object_get(body, "description")))
    json_object_set_new(changes, "description", json_string(""));
  if (integer_member(body, "position", 0, -MC_CATALOG_POSITION_MAX, MC_CATALOG_POSITION_MAX, &position, errors) > 0)
    json_object_set_new(changes, "position", json_integer(position));
  if (parent && json_is_null(parent)) {
    json_object_set_new(changes, "parent_id", json_null());
  } else if (parent && (!json_is_string(parent) || !mc_id_valid(json_string_value(parent), "cat"))) {
    mc_errors_add(errors, "parent_id", "invalid_id", "parent_id is a category id (cat_...) or null.");
  } else if (parent) {
    *parent_out = json_string_value(parent);
    json_object_set(changes, "parent_id", parent);
  }
}

int mc_catalog_category_create(const mc_catalog *cat, const json_t *body, json_t **out, json_t **errors) {
  char id[MC_ID_MAX];
  const char *parent = NULL;
  json_t *doc = json_object();
  int rc = MC_ERR_INTERNAL;
  *out = NULL;
  if (!doc) return MC_ERR_INTERNAL;
  category_fields(body, 1, doc, &parent, errors);
  if (*errors) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  if (parent && (rc = check_parent(cat, parent, NULL, errors)) != MC_OK) goto done;
  if ((rc = mc_id_new("cat", id)) != MC_OK) goto done;
  json_object_set_new(doc, "id", json_string(id));
  rc = cat->store->ops->category_create(cat->store, doc, out);
  if (rc == MC_ERR_CONFLICT) conflict_error(cat, 0, NULL, NULL, errors);
  if (rc == MC_ERR_INVALID) mc_errors_add(errors, "parent_id", "invalid_parent", "The parent category changed meanwhile.");
  if (rc == MC_OK) {
    mc_info("catalog", "category %s created", id);
    mc_catalog_changed(cat->kv);
  }
done:
  json_decref(doc);
  return rc;
}

/* Counts the categories whose parent is id. */
static int count_children(const mc_catalog *cat, const char *id, int64_t *out) {
  json_t *all = NULL, *c;
  size_t i;
  int rc = cat->store->ops->category_list(cat->store, &all);
  *out = 0;
  if (rc == MC_OK)
    json_array_foreach(all, i, c) *out += strcmp(json_string_value(json_object_get(c, "parent_id")) ?: "", id) == 0;
  json_decref(all);
  return rc;
}

int mc_catalog_category_update(const mc_catalog *cat, const char *id, const json_t *body, json_t **out,
                               json_t **errors) {
  const char *parent = NULL;
  json_t *changes = json_object();
  int64_t children = 0;
  int rc = MC_ERR_INTERNAL;
  *out = NULL;
  if (!changes) return MC_ERR_INTERNAL;
  if (!mc_id_valid(id, "cat")) {
    rc = MC_ERR_NOT_FOUND;
    goto done;
  }
  category_fields(body, 0, changes, &parent, errors);
  if (*errors) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  if (parent) {
    if ((rc = check_parent(cat, parent, id, errors)) != MC_OK) goto done;
    if ((rc = count_children(cat, id, &children)) != MC_OK) goto done;
    if (children > 0) {
      mc_errors_add(errors, "parent_id", "has_children", "A category with subcategories cannot get a parent.");
      rc = MC_ERR_INVALID;
      goto done;
    }
  }
  if (json_object_size(changes) == 0) {
    rc = cat->store->ops->category_get(cat->store, id, out);
    goto done;
  }
  rc = cat->store->ops->category_update(cat->store, id, changes, out);
  if (rc == MC_ERR_CONFLICT) conflict_error(cat, 0, id, NULL, errors);
  if (rc == MC_ERR_INVALID) mc_errors_add(errors, "parent_id", "invalid_parent", "The parent category changed meanwhile.");
  if (rc == MC_OK) mc_catalog_changed(cat->kv);
done:
  json_decref(changes);
  return rc;
}

int mc_catalog_category_delete(const mc_catalog *cat, const char *id, int64_t *products, int64_t *children) {
  *products = *children = 0;
  if (!mc_id_valid(id, "cat")) return MC_ERR_NOT_FOUND;
  int rc = cat->store->ops->category_delete(cat->store, id, products, children);
  if (rc == MC_OK) {
    mc_info("catalog", "category %s deleted", id);
    mc_catalog_changed(cat->kv);
  }
  return rc;
}

/* --- product writes -------------------------------------------------------------------------- */

/* 1 when slug has the form the store gives an archived product: "archived-" and a product id's
 * 26 characters after its prefix. New slugs of that form are refused, so that archiving never
 * finds its slug taken. */
static int archive_slug(const char *slug) {
  static const char prefix[] = "archived-";
  char id[MC_ID_MAX];
  if (strncmp(slug, prefix, sizeof prefix - 1) != 0) return 0;
  snprintf(id, sizeof id, "prod_%.*s", MC_ID_BODY_LEN + 1, slug + sizeof prefix - 1);
  return mc_id_valid(id, "prod");
}

/* Reads the product members of body into changes; adds errors. */
static int product_fields(const mc_catalog *cat, const json_t *body, int creating, json_t *changes, json_t **errors) {
  char name[MC_NAME_MAX + 1], derived[MC_CATALOG_SLUG_MAX + 1];
  int64_t price = 0, compare = 0, stock = 0;
  const char *sku = NULL;
  int rc = MC_OK;
  const char *n = name_member(body, creating, name, errors);
  const char *slug = creating ? slug_or_derived(body, n, derived, errors) : slug_member(body, errors);
  const char *description = description_member(body, creating, errors);
  json_t *active = json_object_get(body, "active");

  if (n) json_object_set_new(changes, "name", json_string(n));
  if (slug && archive_slug(slug))
    mc_errors_add(errors, "slug", "reserved", "Slugs of the form archived-<product id> are kept for archived products.");
  else if (slug) json_object_set_new(changes, "slug", json_string(slug));
  if (!creating && json_is_null(json_object_get(body, "slug")))
    mc_errors_add(errors, "slug", "required", "A product always has a slug.");
  if (description) json_object_set_new(changes, "description", json_string(description));
  if (!creating && json_is_null(json_object_get(body, "description")))
    json_object_set_new(changes, "description", json_string(""));

  int got = integer_member(body, "price", 0, 0, MC_MONEY_MAX, &price, errors);
  if (got > 0) json_object_set_new(changes, "price", json_integer(price));
  else if (got == 0 && creating) mc_errors_add(errors, "price", "required", "This field is required.");
  if (json_object_get(body, "compare_at_price")) {
    got = integer_member(body, "compare_at_price", 1, 0, MC_MONEY_MAX, &compare, errors);
    if (got > 0) json_object_set_new(changes, "compare_at_price", json_integer(compare));
    else if (got == 0) json_object_set_new(changes, "compare_at_price", json_null());
  }
  got = sku_member(body, &sku, errors);
  if (got > 0) json_object_set_new(changes, "sku", json_string(sku));
  else if (got == 0 && json_object_get(body, "sku")) json_object_set_new(changes, "sku", json_null());
  if (integer_member(body, "stock", 0, 0, MC_CATALOG_STOCK_MAX, &stock, errors) > 0)
    json_object_set_new(changes, "stock", json_integer(stock));
  if (active && !json_is_boolean(active)) mc_errors_add(errors, "active", "not_a_boolean", "This field must be true or false.");
  else if (active) json_object_set(changes, "active", active);

  if (creating) {
    const char *currency = mc_field_string_member(body, "currency", 0, 16, errors);
    if (currency && strcmp(currency, cat->cfg->currency) != 0) {
      char msg[96];
      snprintf(msg, sizeof msg, "This shop sells in %s only.", cat->cfg->currency);
      mc_errors_add(errors, "currency", "currency_mismatch", msg);
    }
    json_object_set_new(changes, "currency", json_string(cat->cfg->currency));
  }
  if (category_ids_member(cat, body, errors, &rc) > 0) json_object_set(changes, "category_ids", json_object_get(body, "category_ids"));
  return rc;
}

int mc_catalog_product_create(const mc_catalog *cat, const json_t *body, json_t **out, json_t **errors) {
  char id[MC_ID_MAX];
  json_t *doc = json_object();
  int rc;
  *out = NULL;
  if (!doc) return MC_ERR_INTERNAL;
  if ((rc = product_fields(cat, body, 1, doc, errors)) != MC_OK) goto done;
  if (*errors) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  if ((rc = mc_id_new("prod", id)) != MC_OK) goto done;
  json_object_set_new(doc, "id", json_string(id));
  rc = cat->store->ops->product_create(cat->store, doc, out);
  if (rc == MC_ERR_CONFLICT) conflict_error(cat, 1, NULL, json_string_value(json_object_get(doc, "slug")), errors);
  if (rc == MC_ERR_INVALID) mc_errors_add(errors, "category_ids", "not_found", "A category was deleted meanwhile.");
  if (rc == MC_OK) {
    mc_info("catalog", "product %s created", id);
    mc_catalog_changed(cat->kv);
  }
done:
  json_decref(doc);
  return rc;
}

/* 1 when id names an archived product. Archiving is never undone, so a refusal the store
 * explains as MC_ERR_CONFLICT is told apart by reading the product afterwards. */
static int product_archived(const mc_catalog *cat, const char *id) {
  json_t *doc = NULL;
  int archived = mc_id_valid(id, "prod") && cat->store->ops->product_get(cat->store, id, &doc) == MC_OK &&
                 !json_is_null(json_object_get(doc, "archived_at"));
  json_decref(doc);
  return archived;
}

int mc_catalog_product_update(const mc_catalog *cat, const char *id, const json_t *body, json_t **out,
                              json_t **errors) {
  json_t *changes = json_object();
  int rc;
  *out = NULL;
  if (!changes) return MC_ERR_INTERNAL;
  if (!mc_id_valid(id, "prod")) {
    rc = MC_ERR_NOT_FOUND;
    goto done;
  }
  if ((rc = product_fields(cat, body, 0, changes, errors)) != MC_OK) goto done;
  if (*errors) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  if (json_object_size(changes) == 0) {
    rc = cat->store->ops->product_get(cat->store, id, out);
    if (rc == MC_OK && !json_is_null(json_object_get(*out, "archived_at"))) {
      json_decref(*out);
      *out = NULL;
      rc = MC_ERR_CONFLICT; /* archived: no change is accepted, not even an empty one */
    }
    goto done;
  }
  rc = cat->store->ops->product_update(cat->store, id, changes, out);
  if (rc == MC_ERR_CONFLICT && !product_archived(cat, id))
    conflict_error(cat, 1, id, json_string_value(json_object_get(changes, "slug")), errors);
  if (rc == MC_ERR_INVALID) mc_errors_add(errors, "category_ids", "not_found", "A category was deleted meanwhile.");
  if (rc == MC_OK) {
    mc_info("catalog", "product %s updated", id);
    mc_catalog_changed(cat->kv);
  }
done:
  json_decref(changes);
  return rc;
}

int mc_catalog_product_delete(const mc_catalog *cat, const char *id, json_t **out_archived) {
  json_t *images = NULL, *archived = NULL;
  if (out_archived) *out_archived = NULL;
  if (!mc_id_valid(id, "prod")) return MC_ERR_NOT_FOUND;
  int rc = cat->store->ops->product_delete(cat->store, id, &images, &archived);
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
  if (out_archived) *out_archived = archived;
  else json_decref(archived);
  json_decref(images);
  return rc;
}
