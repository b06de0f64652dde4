/* store.c - the adapter-neutral part of the storage port: what callers use whichever adapter
 * configuration picked. Adapter code lives under api/store/<adapter>/. */
#include "mercato/store.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "sqlite/sqlite.h"

#define SQLITE_SCHEME "sqlite:"
#define EMBEDDED_DB_FILE "mercato.db"

/* The SQLite file a "sqlite:" URL names: "sqlite:///abs/path" is /abs/path and
 * "sqlite:rel/path" is rel/path (from the working directory); NULL for "sqlite:" alone or an
 * authority ("sqlite://host/..."), which a file has not. */
static const char *sqlite_url_path(const char *url) {
  const char *rest = url + strlen(SQLITE_SCHEME);
  if (strncmp(rest, "//", 2) == 0) rest = rest[2] == '/' ? rest + 2 : NULL;
  return rest != NULL && rest[0] != '\0' ? rest : NULL;
}

/* Opens the embedded SQLite file <data_dir>/mercato.db. */
static int open_embedded(const mc_store_options *opts, mc_store **out) {
  char *path = NULL;
  int err;
  if (opts->data_dir == NULL || opts->data_dir[0] == '\0') {
    mc_error("store", "open: the data directory is not set");
    return MC_ERR_INVALID;
  }
  if (asprintf(&path, "%s/%s", opts->data_dir, EMBEDDED_DB_FILE) < 0) return MC_ERR_INTERNAL;
  err = mc_store_sqlite_open(&(mc_store_sqlite_options){.path = path, .busy_timeout_ms = opts->busy_timeout_ms}, out);
  free(path);
  return err;
}

int mc_store_open(const mc_store_options *opts, mc_store **out) {
  const char *url, *path;
  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (opts == NULL || opts->busy_timeout_ms < 0) {
    mc_error("store", "open: options with a busy timeout >= 0 are required");
    return MC_ERR_INVALID;
  }
  url = opts->url != NULL ? opts->url : "";
  if (url[0] == '\0') return open_embedded(opts, out);
  if (strncmp(url, SQLITE_SCHEME, strlen(SQLITE_SCHEME)) == 0 && (path = sqlite_url_path(url)) != NULL)
    return mc_store_sqlite_open(&(mc_store_sqlite_options){.path = path, .busy_timeout_ms = opts->busy_timeout_ms}, out);
  /* The URL may hold a password, so only say what was expected. */
  mc_error("store", "unsupported store URL: expected none (the embedded SQLite file in the data directory), "
                    "sqlite:///absolute/path or sqlite:relative/path");
  return MC_ERR_INVALID;
}

void mc_store_close(mc_store *st) {
  if (st == NULL) return;
  st->ops->close(st);
}

int mc_store_ping(mc_store *st) {
  return st->ops->ping(st);
}

int mc_store_schema_version(mc_store *st, int *out) {
  return out != NULL ? st->ops->schema_version(st, out) : MC_ERR_INVALID;
}

/* 1 when s is 1..max bytes. */
static int text_within(const char *s, size_t max) {
  size_t len = s != NULL ? strnlen(s, max + 1) : 0;
  return len > 0 && len <= max;
}

int mc_store_event_record_once(mc_store *st, const char *source, const char *event_id) {
  if (!text_within(source, MC_STORE_EVENT_SOURCE_MAX) || !text_within(event_id, MC_STORE_EVENT_ID_MAX))
    return MC_ERR_INVALID;
  return st->ops->event_record_once(st, source, event_id);
}

void mc_cart_free(mc_cart *cart) {
  if (cart == NULL) return;
  free(cart->lines);
  free(cart->text);
  free(cart);
}

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
