/* test_store_rows.c - the sqlite adapter's typed product reads (product_page, product_page_get,
 * mc_product_row_doc, and product_get and product_list, which read rows too): a row says what
 * the tables hold, read with the test's own SQL (store_sql.h), categories (kept beside the
 * product by triggers, migration 8) and images (split out of the joined text) included. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"
#include "store_sql.h"

/* ---- a small shop of every kind of product ---- */

#define CATS 4
typedef struct shop {
  store_env env;
  mc_store *st;
  char cats[CATS][MC_ID_MAX]; /* created in order: their ids sort so */
  json_t *full, *bare, *hidden, *archived, *gap;
} shop;

/* Adds an image to product id; returns the image's id into out. */
static void image_add(mc_store *st, const char *id, const char *url, int width, char out[MC_ID_MAX]) {
  json_t *image = DOC("img", "s:s, s:s, s:i, s:i, s:I", "url", url, "content_type", "image/webp", "width", width,
                      "height", width / 2, "bytes", (json_int_t)5000000000LL + width);
  snprintf(out, MC_ID_MAX, "%s", str_of(image, "id"));
  ck_assert_int_eq(st->ops->product_image_add(st, id, image, NULL), MC_OK);
  json_decref(image);
}

/* A product with categories given as the indexes cats (n of them, in this order). */
static json_t *product_in(shop *s, const char *slug, const int *cats, int n) {
  json_t *doc = product_doc(slug, slug, 1000), *ids = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(ids, json_string(s->cats[cats[i]]));
  set(doc, "category_ids", ids);
  return doc;
}

static void shop_open(shop *s) {
  static const int three[] = {3, 0, 2}, one[] = {1};
  char img[4][MC_ID_MAX];
  json_t *doc;
  s->st = open_fresh(&factories[0], &s->env);
  for (int c = 0; c < CATS; c++) {
    char slug[16];
    snprintf(slug, sizeof slug, "cat-%d", c);
    doc = category_doc(slug);
    snprintf(s->cats[c], MC_ID_MAX, "%s", str_of(doc, "id"));
    json_decref(category_create_ok(s->st, doc));
  }
  doc = product_in(s, "full", three, 3);
  set(doc, "description", json_string("Line one\nline \"two\"\t\\ é 🛒"));
  set(doc, "compare_at_price", json_integer(0));
  set(doc, "sku", json_string("FULL-1"));
  set(doc, "stock", json_integer(3));
  doc = product_create_ok(s->st, doc);
  image_add(s->st, str_of(doc, "id"), "/images/full-a.webp", 640, img[0]);
  image_add(s->st, str_of(doc, "id"), "/images/full-b.webp", 320, img[1]);
  s->full = reference_product(&s->env, str_of(doc, "id"));
  json_decref(doc);

  doc = product_create_ok(s->st, product_doc("bare", "Bare", 0));
  s->bare = reference_product(&s->env, str_of(doc, "id"));
  json_decref(doc);

  doc = product_in(s, "hidden", one, 1);
  set(doc, "active", json_false());
  set(doc, "stock", json_integer(9));
  doc = product_create_ok(s->st, doc);
  image_add(s->st, str_of(doc, "id"), "/images/hidden.webp", 100, img[0]);
  s->hidden = reference_product(&s->env, str_of(doc, "id"));
  json_decref(doc);

  doc = product_in(s, "archived", three, 3);
  set(doc, "sku", json_string("ARCH-1"));
  doc = product_create_ok(s->st, doc);
  image_add(s->st, str_of(doc, "id"), "/images/archived.webp", 200, img[0]);
  archive_product(s->st, &s->env, str_of(doc, "id"));
  s->archived = reference_product(&s->env, str_of(doc, "id"));
  json_decref(doc);

  /* Four images, the first and the third removed: positions 1 and 3 are left. */
  doc = product_create_ok(s->st, product_in(s, "gap", one, 1));
  for (int k = 0; k < 4; k++) {
    char url[64];
    snprintf(url, sizeof url, "/images/gap-%d.webp", k);
    image_add(s->st, str_of(doc, "id"), url, 10 + k, img[k]);
  }
  ck_assert_int_eq(s->st->ops->product_image_remove(s->st, str_of(doc, "id"), img[0], NULL), MC_OK);
  ck_assert_int_eq(s->st->ops->product_image_remove(s->st, str_of(doc, "id"), img[2], NULL), MC_OK);
  s->gap = reference_product(&s->env, str_of(doc, "id"));
  json_decref(doc);
}

static void shop_close(shop *s) {
  json_decref(s->full);
  json_decref(s->bare);
  json_decref(s->hidden);
  json_decref(s->archived);
  json_decref(s->gap);
  close_and_drop(s->st, &s->env);
}

/* The document of product key read as a row (by id or slug); a new reference. */
static json_t *row_doc_of(mc_store *st, const char *key, int by_slug) {
  mc_product_page *page = NULL;
  json_t *doc = NULL;
  ck_assert_int_eq(st->ops->product_page_get(st, key, by_slug, &page), MC_OK);
  ck_assert_uint_eq(page->count, 1);
  ck_assert_int_eq(mc_product_row_doc(&page->rows[0], &doc), MC_OK);
  mc_product_page_free(page);
  return doc;
}

/* Asserts that the listing of q holds doc (borrowed) exactly as product_get writes it. */
static void listed_as_stored(mc_store *st, const mc_product_query *q, const json_t *doc) {
  json_t *items = NULL, *item;
  size_t i;
  int found = 0;
  ck_assert_int_eq(st->ops->product_list(st, q, &items, NULL), MC_OK);
  json_array_foreach(items, i, item) {
    if (strcmp(str_of(item, "id"), str_of(doc, "id")) != 0) continue;
    found = 1;
    ck_assert_msg(json_equal(item, doc), "%s listed differs from its document", str_of(doc, "slug"));
  }
  ck_assert_msg(found, "%s is not listed", str_of(doc, "slug"));
  json_decref(items);
}

/* ---- tests ---- */

START_TEST(sqlite_listed_documents_are_the_stored_products) {
  shop s;
  mc_product_query q = query_all();
  shop_open(&s);
  q.include_inactive = 1;
  listed_as_stored(s.st, &q, s.full);
  listed_as_stored(s.st, &q, s.bare);
  listed_as_stored(s.st, &q, s.hidden);
  listed_as_stored(s.st, &q, s.gap);
  q.archived = 1;
  listed_as_stored(s.st, &q, s.archived);
  /* Through every statement shape: a search, a category, a relevance page. */
  q = query_all();
  q.q = "line";
  listed_as_stored(s.st, &q, s.full);
  q = query_all();
  q.category_ids = (const char *[]){s.cats[3], NULL};
  q.sort = MC_SORT_PRICE_DESC;
  listed_as_stored(s.st, &q, s.full);
  shop_close(&s);
}
END_TEST

START_TEST(sqlite_a_product_by_id_or_slug_is_the_stored_product) {
  shop s;
  json_t *docs[5], *got;
  shop_open(&s);
  docs[0] = s.full, docs[1] = s.bare, docs[2] = s.hidden, docs[3] = s.archived, docs[4] = s.gap;
  for (int i = 0; i < 5; i++) {
    got = product_get_ok(s.st, str_of(docs[i], "id"));
    ck_assert_msg(json_equal(got, docs[i]), "%s by product_get", str_of(docs[i], "slug"));
    json_decref(got);
    ck_assert_int_eq(s.st->ops->product_get_by_slug(s.st, str_of(docs[i], "slug"), &got), MC_OK);
    ck_assert_msg(json_equal(got, docs[i]), "%s by product_get_by_slug", str_of(docs[i], "slug"));
    json_decref(got);
    got = row_doc_of(s.st, str_of(docs[i], "id"), 0);
    ck_assert_msg(json_equal(got, docs[i]), "%s by id", str_of(docs[i], "slug"));
    json_decref(got);
    got = row_doc_of(s.st, str_of(docs[i], "slug"), 1);
    ck_assert_msg(json_equal(got, docs[i]), "%s by slug", str_of(docs[i], "slug"));
    json_decref(got);
  }
  shop_close(&s);
}
END_TEST

START_TEST(sqlite_a_row_holds_the_typed_members) {
  shop s;
  mc_product_page *page = NULL;
  const mc_product_row *r;
  int64_t ms = 0;
  shop_open(&s);
  ck_assert_int_eq(s.st->ops->product_page_get(s.st, "full", 1, &page), MC_OK);
  r = &page->rows[0];
  ck_assert_str_eq(r->id, str_of(s.full, "id"));
  ck_assert_str_eq(r->description, "Line one\nline \"two\"\t\\ é 🛒");
  ck_assert_int_eq(r->compare_at_price, 0);
  ck_assert_str_eq(r->sku, "FULL-1");
  ck_assert_int_eq(r->stock, 3);
  ck_assert_int_eq(r->active, 1);
  ck_assert_int_eq(r->archived_at, 0);
  /* Given as 3, 0, 2: in id order. */
  ck_assert_uint_eq(r->category_count, 3);
  ck_assert_str_eq(r->category_ids[0], s.cats[0]);
  ck_assert_str_eq(r->category_ids[1], s.cats[2]);
  ck_assert_str_eq(r->category_ids[2], s.cats[3]);
  ck_assert_uint_eq(r->image_count, 2);
  ck_assert_str_eq(r->images[1].url, "/images/full-b.webp");
  ck_assert_str_eq(r->images[1].content_type, "image/webp");
  ck_assert_int_eq(r->images[1].width, 320);
  ck_assert_int_eq(r->images[1].height, 160);
  ck_assert_int_eq(r->images[1].bytes, 5000000320LL); /* past 32 bits */
  ck_assert_int_eq(mc_time_parse_ms(str_of(s.full, "created_at"), strlen(str_of(s.full, "created_at")), &ms), MC_OK);
  ck_assert_int_eq(r->created_at, ms);
  mc_product_page_free(page);
  ck_assert_int_eq(s.st->ops->product_page_get(s.st, str_of(s.bare, "id"), 0, &page), MC_OK);
  r = &page->rows[0];
  ck_assert_int_eq(r->compare_at_price, -1);
  ck_assert_ptr_null(r->sku);
  ck_assert_str_eq(r->description, "");
  ck_assert_uint_eq(r->category_count, 0);
  ck_assert_uint_eq(r->image_count, 0);
  mc_product_page_free(page);
  ck_assert_int_eq(s.st->ops->product_page_get(s.st, str_of(s.archived, "id"), 0, &page), MC_OK);
  r = &page->rows[0];
  ck_assert_int_eq(r->active, 0);
  ck_assert_int_eq(mc_time_parse_ms(str_of(s.archived, "archived_at"), strlen(str_of(s.archived, "archived_at")), &ms), MC_OK);
  ck_assert_int_eq(r->archived_at, ms);
  ck_assert_uint_eq(r->category_count, 0); /* archiving unlinks them */
  ck_assert_uint_eq(r->image_count, 1);
  mc_product_page_free(page);
  shop_close(&s);
}
END_TEST

START_TEST(sqlite_a_row_follows_category_and_image_changes) {
  shop s;
  char img[MC_ID_MAX];
  json_t *got, *now;
  shop_open(&s);
  const char *id = str_of(s.full, "id");
  json_decref(product_update_ok(s.st, id, json_pack("{s:[s, s]}", "category_ids", s.cats[1], s.cats[0])));
  json_decref(product_update_ok(s.st, str_of(s.bare, "id"), json_pack("{s:[s]}", "category_ids", s.cats[1])));
  image_add(s.st, str_of(s.bare, "id"), "/images/bare.webp", 64, img);
  /* The first image goes: the next is the cover, and the images are still found. */
  ck_assert_int_eq(s.st->ops->product_image_remove(s.st, id, str_of(json_array_get(json_object_get(s.full, "images"), 0), "id"), NULL),
                   MC_OK);
  for (int k = 0; k < 2; k++) {
    const json_t *before = k == 0 ? s.full : s.bare;
    now = reference_product(&s.env, str_of(before, "id"));
    got = row_doc_of(s.st, str_of(before, "id"), 0);
    ck_assert(json_equal(got, now));
    json_decref(got);
    json_decref(now);
  }
  now = reference_product(&s.env, id);
  ck_assert_uint_eq(json_array_size(json_object_get(now, "images")), 1);
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(now, "category_ids"), 0)), s.cats[0]);
  json_decref(now);
  /* Every link and every image gone. */
  json_decref(product_update_ok(s.st, str_of(s.bare, "id"), json_pack("{s:[]}", "category_ids")));
  ck_assert_int_eq(s.st->ops->product_image_remove(s.st, str_of(s.bare, "id"), img, NULL), MC_OK);
  got = row_doc_of(s.st, "bare", 1);
  ck_assert_uint_eq(json_array_size(json_object_get(got, "category_ids")), 0);
  ck_assert_uint_eq(json_array_size(json_object_get(got, "images")), 0);
  json_decref(got);
  shop_close(&s);
}
END_TEST

START_TEST(sqlite_a_missing_row_is_not_found) {
  shop s;
  mc_product_page *page = (mc_product_page *)&s;
  char *long_key = repeat('a', 300);
  shop_open(&s);
  ck_assert_int_eq(s.st->ops->product_page_get(s.st, "prod_01jd3k0000000000000000000a", 0, &page),
                   MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(page);
  ck_assert_int_eq(s.st->ops->product_page_get(s.st, "no-such-slug", 1, &page), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(s.st->ops->product_page_get(s.st, "full", 0, &page), MC_ERR_NOT_FOUND); /* a slug as an id */
  ck_assert_int_eq(s.st->ops->product_page_get(s.st, str_of(s.full, "id"), 1, &page), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(s.st->ops->product_page_get(s.st, long_key, 1, &page), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(s.st->ops->product_page_get(s.st, NULL, 1, &page), MC_ERR_INVALID);
  ck_assert_ptr_null(page);
  free(long_key);
  shop_close(&s);
}
END_TEST

/* Migration 8 on a database from before it (its column, triggers and record undone): the
 * category lists are filled in id order. */
START_TEST(sqlite_category_lists_are_filled_for_existing_products) {
  shop s;
  mc_store_options opts;
  json_t *got;
  ck_assert_msg(mc_store_sqlite_latest_version() == 8, "migration 8 is no longer the newest: undo the later ones too");
  shop_open(&s);
  opts = (mc_store_options){.data_dir = s.env.dir, .busy_timeout_ms = 5000};
  mc_store_close(s.st);
  ck_assert_int_eq(raw_exec(&s.env, "DROP TRIGGER products_category_list_insert;"
                                    "DROP TRIGGER products_category_list_delete;"
                                    "DROP TRIGGER products_category_list_update;"
                                    "ALTER TABLE products DROP COLUMN category_list;"
                                    "DELETE FROM schema_migrations WHERE version >= 8"),
                   SQLITE_OK);
  ck_assert_int_eq(mc_store_open(&opts, &s.st), MC_OK);
  got = row_doc_of(s.st, "full", 1);
  ck_assert(json_equal(got, s.full));
  json_decref(got);
  got = row_doc_of(s.st, "bare", 1);
  ck_assert(json_equal(got, s.bare));
  json_decref(got);
  shop_close(&s);
}
END_TEST

static Suite *rows_suite(void) {
  Suite *s = suite_create("store_rows");
  TCase *tc = tcase_create("rows");
  tcase_add_test(tc, sqlite_listed_documents_are_the_stored_products);
  tcase_add_test(tc, sqlite_a_product_by_id_or_slug_is_the_stored_product);
  tcase_add_test(tc, sqlite_a_row_holds_the_typed_members);
  tcase_add_test(tc, sqlite_a_row_follows_category_and_image_changes);
  tcase_add_test(tc, sqlite_a_missing_row_is_not_found);
  tcase_add_test(tc, sqlite_category_lists_are_filled_for_existing_products);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return store_contract_main(rows_suite(), "mercato-rows");
}
