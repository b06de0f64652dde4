/* store_catalog.c - the catalog section of the storage port (mercato/store/catalog.h) for every
 * adapter: the wrappers callers use, which check documents and queries against the catalog's
 * rules before dispatching (as api/kv/kv.c does for the kv adapters), and the typed rows'
 * documents. */
#include "mercato/store/catalog.h"

#include <stdlib.h>

#include "mercato/clock.h"
#include "mercato/err.h"

/* --- wrappers ----------------------------------------------------------------------------------- */

/* Clears *out (may be NULL) so a refused write leaves no stale pointer. */
static void out_clear(json_t **out) {
  if (out != NULL) *out = NULL;
}

int mc_store_category_create(mc_store *st, const json_t *category, json_t **out, mc_refusal *why) {
  out_clear(out);
  int err = mc_rules_category_check(category, MC_SPEC_CREATE, why);
  return err == MC_OK ? st->catalog->category_create(st, category, out, why) : err;
}

int mc_store_category_get(mc_store *st, const char *id, json_t **out) {
  return st->catalog->category_get(st, id, out);
}

int mc_store_category_get_by_slug(mc_store *st, const char *slug, json_t **out) {
  return st->catalog->category_get_by_slug(st, slug, out);
}

int mc_store_category_list(mc_store *st, json_t **out) {
  return st->catalog->category_list(st, out);
}

int mc_store_category_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why) {
  out_clear(out);
  int err = mc_rules_category_check(changes, MC_SPEC_UPDATE, why);
  return err == MC_OK ? st->catalog->category_update(st, id, changes, out, why) : err;
}

int mc_store_category_delete(mc_store *st, const char *id, mc_refusal *why) {
  return st->catalog->category_delete(st, id, why);
}

int mc_store_product_create(mc_store *st, const json_t *product, json_t **out, mc_refusal *why) {
  out_clear(out);
  int err = mc_rules_product_check(product, MC_SPEC_CREATE, why);
  return err == MC_OK ? st->catalog->product_create(st, product, out, why) : err;
}

int mc_store_product_get(mc_store *st, const char *id, json_t **out) {
  return st->catalog->product_get(st, id, out);
}

int mc_store_product_get_by_slug(mc_store *st, const char *slug, json_t **out) {
  return st->catalog->product_get_by_slug(st, slug, out);
}

int mc_store_product_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why) {
  out_clear(out);
  int err = mc_rules_product_check(changes, MC_SPEC_UPDATE, why);
  return err == MC_OK ? st->catalog->product_update(st, id, changes, out, why) : err;
}

int mc_store_product_delete(mc_store *st, const char *id, json_t **out_images, json_t **out_archived) {
  return st->catalog->product_delete(st, id, out_images, out_archived);
}

int mc_store_product_list(mc_store *st, const mc_product_query *query, json_t **out_items, int64_t *out_count) {
  out_clear(out_items);
  if (out_count != NULL) *out_count = 0;
  if (query == NULL || !mc_rules_product_query_ok(query)) return MC_ERR_INVALID;
  return st->catalog->product_list(st, query, out_items, out_count);
}

int mc_store_product_page(mc_store *st, const mc_product_query *query, mc_product_page **out, int64_t *out_count) {
  if (out != NULL) *out = NULL;
  if (out_count != NULL) *out_count = 0;
  if (query == NULL || !mc_rules_product_query_ok(query)) return MC_ERR_INVALID;
  return st->catalog->product_page(st, query, out, out_count);
}

int mc_store_product_page_get(mc_store *st, const char *key, int by_slug, mc_product_page **out) {
  return st->catalog->product_page_get(st, key, by_slug, out);
}

int mc_store_product_image_add(mc_store *st, const char *product_id, const json_t *image, json_t **out,
                               mc_refusal *why) {
  out_clear(out);
  int err = mc_rules_image_check(image, why);
  return err == MC_OK ? st->catalog->product_image_add(st, product_id, image, out, why) : err;
}

int mc_store_product_image_remove(mc_store *st, const char *product_id, const char *image_id, json_t **out_image,
                                  mc_refusal *why) {
  return st->catalog->product_image_remove(st, product_id, image_id, out_image, why);
}

/* --- typed rows --------------------------------------------------------------------------------- */

void mc_product_page_free(mc_product_page *page) {
  if (page == NULL) return;
  for (size_t i = 0; i < page->count; i++) free(page->rows[i].mem);
  free(page->rows);
  free(page);
}

static json_t *time_value(int64_t ms) {
  char t[MC_TIME_STR_MAX];
  return mc_time_format_ms(ms, t) == MC_OK ? json_string(t) : NULL;
}

static json_t *image_doc(const mc_product_image_ref *im) {
  return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "id", im->id, "url", im->url, "content_type",
                   im->content_type, "width", (json_int_t)im->width, "height", (json_int_t)im->height,
                   "bytes", (json_int_t)im->bytes);
}

int mc_product_row_doc(const mc_product_row *r, json_t **out) {
  json_t *cats = json_array(), *images = json_array(), *doc = NULL;
  json_t *created = time_value(r->created_at), *updated = time_value(r->updated_at);
  json_t *archived = r->archived_at > 0 ? time_value(r->archived_at) : json_null();
  int ok = cats != NULL && images != NULL;

  *out = NULL;
  for (size_t i = 0; ok && i < r->category_count; i++)
    ok = json_array_append_new(cats, json_string(r->category_ids[i])) == 0;
  for (size_t i = 0; ok && i < r->image_count; i++) ok = json_array_append_new(images, image_doc(&r->images[i])) == 0;
  /* json_pack fails on a NULL for "o" (a time that could not be written) and then releases
   * every "o" value it was given. */
  if (ok)
    doc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:I, s:b, s:O, s:O, s:o, s:o, s:o}", "id", r->id,
                    "name", r->name, "slug", r->slug, "description", r->description, "price", (json_int_t)r->price,
                    "currency", r->currency, "compare_at_price",
                    r->compare_at_price >= 0 ? json_integer(r->compare_at_price) : json_null(), "sku",
                    r->sku != NULL ? json_string(r->sku) : json_null(), "stock", (json_int_t)r->stock, "active",
                    r->active, "category_ids", cats, "images", images, "created_at", created, "updated_at", updated,
                    "archived_at", archived);
  else {
    json_decref(created);
    json_decref(updated);
    json_decref(archived);
  }
  json_decref(cats);
  json_decref(images);
  *out = doc;
  return doc != NULL ? MC_OK : MC_ERR_INTERNAL;
}

int mc_product_page_docs(const mc_product_page *page, json_t **out) {
  json_t *items = json_array();
  int err = items != NULL ? MC_OK : MC_ERR_INTERNAL;

  *out = NULL;
  for (size_t i = 0; err == MC_OK && i < page->count; i++) {
    json_t *doc = NULL;
    if ((err = mc_product_row_doc(&page->rows[i], &doc)) == MC_OK && json_array_append_new(items, doc) != 0)
      err = MC_ERR_INTERNAL;
  }
  if (err == MC_OK) *out = items;
  else json_decref(items);
  return err;
}
