/* store_catalog.h - what the catalog contract suites share (test_store_categories.c,
 * test_store_products.c, test_store_listing.c, test_store_archive.c, test_catalog_public.c):
 * documents with fresh ids, create/update helpers, listing assertions, archiving through the
 * factory's orders back door, racing writers. Port calls only. */
#ifndef MERCATO_TEST_STORE_CATALOG_H
#define MERCATO_TEST_STORE_CATALOG_H

#include <check.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_contract.h"

/* {"id": <new prefix id>} plus the members json_pack makes of fmt and its arguments (an object
 * format without braces, or "" for none); a new reference. */
#define DOC(prefix, fmt, ...) new_doc_pack(prefix, json_pack("{" fmt "}", ##__VA_ARGS__))
static inline json_t *new_doc_pack(const char *prefix, json_t *members) {
  char id[MC_ID_MAX];
  json_t *doc;
  ck_assert_ptr_nonnull(members);
  ck_assert_int_eq(mc_id_new(prefix, id), MC_OK);
  doc = json_pack("{s:s}", "id", id);
  ck_assert_int_eq(json_object_update(doc, members), 0);
  json_decref(members);
  return doc;
}

/* A category document with this slug (and name "Cat <slug>"); a new reference. */
static inline json_t *category_doc(const char *slug) {
  char name[128];
  snprintf(name, sizeof name, "Cat %s", slug);
  return DOC("cat", "s:s, s:s", "name", name, "slug", slug);
}

/* Creates doc (consumed) and returns the stored document (a new reference). */
static inline json_t *category_create_ok(mc_store *st, json_t *doc) {
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_category_create(st, doc, &out, NULL), MC_OK);
  ck_assert_ptr_nonnull(out);
  json_decref(doc);
  return out;
}

/* A minimal product document: slug, name, price in EUR; a new reference. */
static inline json_t *product_doc(const char *slug, const char *name, int64_t price) {
  return DOC("prod", "s:s, s:s, s:I, s:s", "name", name, "slug", slug, "price",
             (json_int_t)price, "currency", "EUR");
}

static inline json_t *product_create_ok(mc_store *st, json_t *doc) {
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_product_create(st, doc, &out, NULL), MC_OK);
  ck_assert_ptr_nonnull(out);
  json_decref(doc);
  return out;
}

/* Applies changes (consumed) and returns the new document (a new reference). */
static inline json_t *category_update_ok(mc_store *st, const char *id, json_t *changes) {
  json_t *out = NULL;
  ck_assert_ptr_nonnull(changes);
  ck_assert_int_eq(mc_store_category_update(st, id, changes, &out, NULL), MC_OK);
  ck_assert_ptr_nonnull(out);
  json_decref(changes);
  return out;
}

static inline json_t *product_update_ok(mc_store *st, const char *id, json_t *changes) {
  json_t *out = NULL;
  ck_assert_ptr_nonnull(changes);
  ck_assert_int_eq(mc_store_product_update(st, id, changes, &out, NULL), MC_OK);
  ck_assert_ptr_nonnull(out);
  json_decref(changes);
  return out;
}

static inline json_t *product_get_ok(mc_store *st, const char *id) {
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_product_get(st, id, &out), MC_OK);
  return out;
}

/* Sets key to value (consumed) in doc. */
static inline void set(json_t *doc, const char *key, json_t *value) {
  ck_assert_ptr_nonnull(value);
  ck_assert_int_eq(json_object_set_new(doc, key, value), 0);
}

static inline json_t *image_doc(const char *url) {
  return DOC("img", "s:s, s:s, s:i, s:i, s:i", "url", url, "content_type", "image/png",
             "width", 640, "height", 480, "bytes", 12345);
}

/* A query for everything active, newest first, 20 a page. */
static inline mc_product_query query_all(void) {
  mc_product_query q = {.min_price = -1, .max_price = -1, .low_stock = -1,
                        .sort = MC_SORT_NEWEST, .limit = 20};
  return q;
}

/* The slugs of items, comma-separated, into buf. */
static inline const char *slugs_of(const json_t *items, char *buf, size_t len) {
  size_t i, used = 0;
  json_t *item;
  buf[0] = '\0';
  json_array_foreach(items, i, item) {
    used += (size_t)snprintf(buf + used, len - used, "%s%s", i > 0 ? "," : "",
                             str_of(item, "slug"));
    ck_assert_uint_lt(used, len);
  }
  return buf;
}

/* Lists q and checks the count and the page's slugs, in order. */
static inline void assert_list(mc_store *st, const mc_product_query *q, int64_t count,
                        const char *slugs) {
  json_t *items = NULL;
  int64_t n = -1;
  char buf[4096];
  ck_assert_int_eq(mc_store_product_list(st, q, &items, &n), MC_OK);
  ck_assert_msg(json_is_array(items), "no array");
  ck_assert_str_eq(slugs_of(items, buf, sizeof buf), slugs);
  ck_assert_int_eq(n, count);
  json_decref(items);
}

/* The listing of full-text query text (everything else default): count and slugs. */
static inline void assert_search(mc_store *st, const char *text, int64_t count, const char *slugs) {
  mc_product_query q = query_all();
  q.q = text;
  q.sort = MC_SORT_RELEVANCE;
  assert_list(st, &q, count, slugs);
}

/* A string of n bytes: copies of the UTF-8 character c (1..4 bytes, n a multiple). */
static inline char *repeat_str(const char *c, size_t n) {
  size_t len = strlen(c);
  char *s = malloc(n + 1);
  ck_assert_ptr_nonnull(s);
  for (size_t i = 0; i < n; i += len) memcpy(s + i, c, len);
  s[n] = '\0';
  return s;
}

/* Expects changes (consumed) to category id to fail with want, leaving it as before. */
static inline void category_update_fails(mc_store *st, const json_t *before, json_t *changes,
                                         int want) {
  json_t *out = (json_t *)st, *got = NULL;
  ck_assert_ptr_nonnull(changes);
  ck_assert_int_eq(mc_store_category_update(st, str_of(before, "id"), changes, &out, NULL), want);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_store_category_get(st, str_of(before, "id"), &got), MC_OK);
  ck_assert(json_equal(got, before));
  json_decref(got);
  json_decref(changes);
}

/* Applies changes (consumed) to before's product and checks the result holds them, keeps the
 * rest, and moved updated_at but not created_at. Returns the new document. */
static inline json_t *product_change(mc_store *st, const json_t *before, json_t *changes) {
  json_t *expected = json_deep_copy(before);
  json_t *after;

  ck_assert_int_eq(json_object_update(expected, changes), 0);
  tick();
  after = product_update_ok(st, str_of(before, "id"), changes);
  set(expected, "updated_at", json_string(str_of(after, "updated_at")));
  ck_assert(json_equal(after, expected));
  ck_assert_int_gt(strcmp(str_of(after, "updated_at"), str_of(before, "updated_at")), 0);
  ck_assert_str_eq(str_of(after, "created_at"), str_of(before, "created_at"));
  json_decref(expected);
  expected = product_get_ok(st, str_of(before, "id"));
  ck_assert(json_equal(expected, after));
  json_decref(expected);
  return after;
}

/* Expects changes (consumed) to before's product to fail with want and change nothing. */
static inline void product_update_fails(mc_store *st, const json_t *before, json_t *changes,
                                        int want) {
  json_t *out = (json_t *)st, *got;
  ck_assert_ptr_nonnull(changes);
  ck_assert_int_eq(mc_store_product_update(st, str_of(before, "id"), changes, &out, NULL), want);
  ck_assert_ptr_null(out);
  got = product_get_ok(st, str_of(before, "id"));
  ck_assert(json_equal(got, before));
  json_decref(got);
  json_decref(changes);
}

/* Orders product id, then deletes it, which archives it. */
static inline void archive_product(mc_store *st, const store_env *env, const char *id) {
  json_t *images = (json_t *)st, *archived = NULL;
  order_naming_ids(env, &id, 1);
  ck_assert_int_eq(mc_store_product_delete(st, id, &images, &archived), MC_OK);
  ck_assert_ptr_null(images);
  ck_assert_ptr_nonnull(archived);
  ck_assert(json_is_false(json_object_get(archived, "active")));
  ck_assert(json_is_string(json_object_get(archived, "archived_at")));
  json_decref(archived);
}

/* A thread creating one product when every racer is ready (the racing tests). */
enum { RACERS = 12 };

typedef struct product_racer {
  mc_store *st;
  pthread_barrier_t *start;
  json_t *doc; /* made before the start: jansson values are not for sharing */
  int result;
} product_racer;

static inline void *race_product(void *p) {
  product_racer *r = p;
  pthread_barrier_wait(r->start);
  r->result = mc_store_product_create(r->st, r->doc, NULL, NULL);
  return NULL;
}

#endif
