/* test_catalog_public.c - the storefront's product views (mc_catalog_list_public and
 * mc_catalog_product_public), written as text from the store's typed rows, checked against the
 * view made from the product document the port reads (test_sqlite_rows.c checks those against
 * the tables with SQL of its own): the same members and values, and the same bytes as jansson
 * writes them. Only the port is used, so any adapter's factory can run it. Every test runs with
 * the catalog cache off and on. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/catalog.h"
#include "mercato/config.h"
#include "mercato/err.h"
#include "mercato/json.h"
#include "mercato/kv.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"

/* ---- the shop ---- */

/* Categories, created in this order (so their ids sort this way): lighting, brass (a child of
 * lighting), outdoor, empty (no products). */
enum { LIGHTING, BRASS, OUTDOOR, EMPTY, CATEGORY_COUNT };
static const char *const category_slugs[CATEGORY_COUNT] = {"lighting", "brass", "outdoor", "empty"};

/* Products, created in this order (newest first is the reverse). Images: how many are added,
 * and which of them (a bit each, by the order added) are removed again. */
enum { FATE_ACTIVE, FATE_INACTIVE, FATE_ARCHIVED };
static const struct {
  const char *slug, *name, *description;
  int64_t price, compare_at; /* -1: none */
  const char *sku;           /* NULL: none */
  int64_t stock;
  int cats[3], cat_count;    /* given in this order */
  int images_added, images_removed;
  int fate;
} shop[] = {
  {"brass-lamp", "Brass Lamp", "A \"brass\" lamp \\ with a shade.\nTwo bulbs:\tE27, 5/7 </script>", 4900, 5900,
   "LAMP-1", 0, {OUTDOOR, BRASS, LIGHTING}, 3, 3, 2 /* the middle one: a gap */, FATE_ACTIVE},
  {"cafe-table", "Café Table ☕", "Crème brûlée — 🛒 東京 \"quoted\" \\ slash\r\n\tend", 12900, -1, NULL, 1,
   {0}, 0, 1, 0, FATE_ACTIVE},
  {"oak-chair", "Oak Chair", "", 8900, 0, "CH-\"OAK\"\\1", 5, {LIGHTING}, 1, 1, 1 /* its only one */, FATE_ACTIVE},
  {"pine-shelf", "Pine Shelf", "Shelf for vases.", 3900, -1, "SH-1", 6, {BRASS}, 1, 4, 1 | 4, FATE_ACTIVE},
  {"steel-lamp", "Steel Lamp", "lamp lamp", 2500, 2600, NULL, 1000000, {LIGHTING, BRASS}, 2, 0, 0, FATE_ACTIVE},
  {"hidden-lamp", "Hidden Lamp", "An unlisted lamp.", 3000, -1, "HID-1", 3, {LIGHTING}, 1, 1, 0, FATE_INACTIVE},
  {"retired-lamp", "Retired Lamp", "A sold lamp.", 3100, -1, "RET-1", 2, {LIGHTING}, 1, 1, 0, FATE_ARCHIVED},
  {"glass-vase", "Glass Vase", "Vase\r\nwith CRLF", 1500, 1400, "V-1", 2, {OUTDOOR}, 1, 0, 0, FATE_ACTIVE},
};
#define SHOP_SIZE ((int)(sizeof shop / sizeof shop[0]))

typedef struct fixture {
  store_env env;
  mc_store *st;
  mc_kv *kv;
  mc_config cfg;
  mc_catalog cat;
  char cats[CATEGORY_COUNT][MC_ID_MAX];
  char ids[SHOP_SIZE][MC_ID_MAX];
} fixture;

static int shop_index(const char *slug) {
  for (int i = 0; i < SHOP_SIZE; i++)
    if (strcmp(shop[i].slug, slug) == 0) return i;
  ck_abort_msg("no product %s in the shop", slug);
  return -1;
}

static void add_images(fixture *f, int i) {
  static const char *const types[] = {"image/png", "image/jpeg", "image/webp", "image/svg+xml"};
  char added[4][MC_ID_MAX];
  for (int k = 0; k < shop[i].images_added; k++) {
    char url[96];
    snprintf(url, sizeof url, "/images/%s-%d.img", shop[i].slug, k);
    json_t *image = DOC("img", "s:s, s:s, s:i, s:i, s:i", "url", url, "content_type", types[k], "width", 100 + k,
                        "height", 50 + 7 * k, "bytes", 1000 * (k + 1));
    snprintf(added[k], MC_ID_MAX, "%s", str_of(image, "id"));
    ck_assert_int_eq(mc_store_product_image_add(f->st, f->ids[i], image, NULL, NULL), MC_OK);
    json_decref(image);
  }
  for (int k = 0; k < shop[i].images_added; k++)
    if (shop[i].images_removed & (1 << k))
      ck_assert_int_eq(mc_store_product_image_remove(f->st, f->ids[i], added[k], NULL, NULL), MC_OK);
}

/* Opens a store, a memory kv and a catalog with the cache on or off, and fills the shop. */
static void shop_open(fixture *f, int cache) {
  memset(f, 0, sizeof *f);
  f->st = open_fresh(&factories[0], &f->env);
  ck_assert_int_eq(mc_kv_memory_open(&f->kv), MC_OK);
  f->cfg.catalog_cache = cache;
  f->cfg.catalog_cache_ttl = 300;
  f->cat = (mc_catalog){&f->cfg, f->st, f->kv};
  mc_catalog_prepare(f->kv);
  for (int c = 0; c < CATEGORY_COUNT; c++) {
    json_t *doc = category_doc(category_slugs[c]);
    if (c == BRASS) set(doc, "parent_id", json_string(f->cats[LIGHTING]));
    snprintf(f->cats[c], MC_ID_MAX, "%s", str_of(doc, "id"));
    json_decref(category_create_ok(f->st, doc));
  }
  for (int i = 0; i < SHOP_SIZE; i++) {
    json_t *doc = product_doc(shop[i].slug, shop[i].name, shop[i].price), *cats = json_array();
    set(doc, "description", json_string(shop[i].description));
    set(doc, "compare_at_price", shop[i].compare_at >= 0 ? json_integer(shop[i].compare_at) : json_null());
    set(doc, "sku", shop[i].sku != NULL ? json_string(shop[i].sku) : json_null());
    set(doc, "stock", json_integer(shop[i].stock));
    set(doc, "active", json_boolean(shop[i].fate == FATE_ACTIVE));
    for (int k = 0; k < shop[i].cat_count; k++) json_array_append_new(cats, json_string(f->cats[shop[i].cats[k]]));
    set(doc, "category_ids", cats);
    snprintf(f->ids[i], MC_ID_MAX, "%s", str_of(doc, "id"));
    json_decref(product_create_ok(f->st, doc));
    add_images(f, i);
    if (shop[i].fate == FATE_ARCHIVED) archive_product(f->st, &f->env, f->ids[i]);
    tick(); /* distinct created_at: newest first is the reverse of the table */
  }
}

static void shop_close(fixture *f) {
  mc_kv_close(f->kv);
  close_and_drop(f->st, &f->env);
}

/* ---- the expected views ---- */

/* The public view of product document doc (borrowed) as customers must see it, members in the
 * order the view promises; a new reference. */
static json_t *public_view(const json_t *doc) {
  static const char *const copied[] = {"id", "name", "slug", "description", "price", "currency",
                                       "compare_at_price", "sku", "category_ids"};
  json_int_t stock = json_integer_value(json_object_get(doc, "stock"));
  json_t *v = json_object(), *images = json_array(), *im;
  size_t k;

  ck_assert(json_is_integer(json_object_get(doc, "stock")));
  for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
    json_t *m = json_object_get(doc, copied[i]);
    ck_assert_msg(m != NULL, "the document lacks %s", copied[i]);
    ck_assert_int_eq(json_object_set(v, copied[i], m), 0);
  }
  json_array_foreach(json_object_get(doc, "images"), k, im) {
    json_t *pub = json_pack("{s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(im, "id"), "url",
                            json_object_get(im, "url"), "content_type", json_object_get(im, "content_type"), "width",
                            json_object_get(im, "width"), "height", json_object_get(im, "height"));
    ck_assert_ptr_nonnull(pub);
    json_array_append_new(images, pub);
  }
  set(v, "images", images);
  set(v, "created_at", json_string(str_of(doc, "created_at")));
  set(v, "updated_at", json_string(str_of(doc, "updated_at")));
  set(v, "in_stock", json_boolean(stock > 0));
  set(v, "only_left", stock >= 1 && stock <= MC_CATALOG_LOW_STOCK ? json_integer(stock) : json_null());
  return v;
}

/* The document of product id as the port reads it (test_sqlite_rows.c checks those against the
 * tables); a new reference. */
static json_t *stored_product(const fixture *f, const char *id) {
  json_t *doc = NULL;
  ck_assert_int_eq(mc_store_product_get(f->st, id, &doc), MC_OK);
  return doc;
}

/* The public view of product id as stored; a new reference. */
static json_t *expected_view(const fixture *f, const char *id) {
  json_t *doc = stored_product(f, id), *v = public_view(doc);
  json_decref(doc);
  return v;
}

/* Parses an answer's body; a new reference. */
static json_t *parse_body(const mc_catalog_answer *a) {
  json_error_t e;
  json_t *v = json_loadb(a->body, a->len, 0, &e);
  ck_assert_msg(v != NULL, "the body is not JSON: %s (%s)", e.text, a->body);
  ck_assert_uint_eq(strlen(a->body), a->len);
  return v;
}

/* Asserts that body is byte for byte mc_json_dump(expected) (borrowed), and that the answer's
 * ETag is the body's. */
static void assert_same_bytes(const mc_catalog_answer *a, const json_t *expected) {
  char *text = NULL, etag[MC_CATALOG_ETAG_LEN + 1];
  size_t len = 0;
  ck_assert_int_eq(mc_json_dump(expected, &text, &len), MC_OK);
  ck_assert_str_eq(a->body, text);
  ck_assert_uint_eq(a->len, len);
  mc_catalog_etag(a->body, a->len, etag);
  ck_assert_str_eq(a->etag, etag);
  free(text);
}

/* ---- listings ---- */

static mc_catalog_listing listing_of(const char *query) {
  mc_catalog_listing l;
  mc_refusal why = {0};
  ck_assert_int_eq(mc_catalog_parse_listing(query, 0, &l, &why), MC_OK);
  ck_assert_ptr_null(why.code);
  return l;
}

/* Writes the slugs of got ("a,b", or one, or none) in byte order into out (as large). */
static void sort_two(char *out, const char *got) {
  const char *comma = strchr(got, ',');
  if (comma == NULL || strcmp(comma + 1, got) > 0) return; /* already in order ("a,b" < "b") */
  ck_assert_ptr_null(strchr(comma + 1, ','));
  sprintf(out, "%s,%.*s", comma + 1, (int)(comma - got), got);
}

/* Lists query (a raw query string) publicly; checks the answer holds, in order, the products
 * named by slugs (comma-separated; sorted first when any_order, for relevance ties) and count,
 * each exactly the view of its stored document, written as jansson writes it. Then lists again
 * (a cache hit when the cache is on) and expects the same answer. Returns the answer. */
static mc_catalog_answer list_ok(const fixture *f, const char *query, int64_t count, const char *slugs,
                                 int any_order) {
  mc_catalog_listing l = listing_of(query);
  mc_catalog_answer a, again;
  mc_refusal why = {0};
  json_t *body, *want, *views = json_array(), *p;
  char got[1024], sorted[1024];
  size_t i, used = 0;

  ck_assert_int_eq(mc_catalog_list_public(&f->cat, &l, &a, &why), MC_OK);
  body = parse_body(&a);
  json_array_foreach(json_object_get(body, "products"), i, p) {
    used += (size_t)snprintf(got + used, sizeof got - used, "%s%s", i > 0 ? "," : "", str_of(p, "slug"));
    json_array_append_new(views, expected_view(f, str_of(p, "id")));
  }
  got[used] = '\0';
  snprintf(sorted, sizeof sorted, "%s", got);
  if (any_order) sort_two(sorted, got);
  ck_assert_msg(strcmp(sorted, slugs) == 0, "%s: got %s, want %s", query, got, slugs);
  want = json_pack("{s:o, s:I, s:i, s:I}", "products", views, "count", (json_int_t)count, "limit", l.limit, "offset",
                   (json_int_t)l.offset);
  ck_assert(json_equal(body, want));
  assert_same_bytes(&a, want);
  ck_assert_int_eq(mc_catalog_list_public(&f->cat, &l, &again, &why), MC_OK);
  ck_assert_str_eq(again.body, a.body);
  ck_assert_str_eq(again.etag, a.etag);
  mc_catalog_answer_free(&again);
  json_decref(want);
  json_decref(body);
  return a;
}

static void list_check(const fixture *f, const char *query, int64_t count, const char *slugs) {
  mc_catalog_answer a = list_ok(f, query, count, slugs, 0);
  mc_catalog_answer_free(&a);
}

START_TEST(public_listings_are_the_views_of_the_stored_products) {
  fixture f;
  shop_open(&f, _i);
  const char *all = "glass-vase,steel-lamp,pine-shelf,oak-chair,cafe-table,brass-lamp";
  list_check(&f, "", 6, all);
  list_check(&f, "limit=2&offset=1", 6, "steel-lamp,pine-shelf");
  list_check(&f, "offset=5&limit=3", 6, "brass-lamp");
  list_check(&f, "offset=6", 6, "");
  list_check(&f, "sort=name", 6, "brass-lamp,cafe-table,glass-vase,oak-chair,pine-shelf,steel-lamp");
  list_check(&f, "sort=price&in_stock=true", 5, "glass-vase,steel-lamp,pine-shelf,oak-chair,cafe-table");
  list_check(&f, "min_price=3000&max_price=9000&sort=-price", 3, "oak-chair,brass-lamp,pine-shelf");
  /* A category takes in its children's products. */
  list_check(&f, "category=lighting", 4, "steel-lamp,pine-shelf,oak-chair,brass-lamp");
  list_check(&f, "category=brass&sort=-price", 3, "brass-lamp,pine-shelf,steel-lamp");
  list_check(&f, "category=outdoor&sort=price", 2, "glass-vase,brass-lamp");
  list_check(&f, "category=empty", 0, "");
  shop_close(&f);
}
END_TEST

START_TEST(public_searches_are_the_views_of_the_stored_products) {
  fixture f;
  shop_open(&f, _i);
  mc_catalog_answer a = list_ok(&f, "q=lamp", 2, "brass-lamp,steel-lamp", 1); /* one word */
  mc_catalog_answer_free(&a);
  list_check(&f, "q=LAMP&sort=price", 2, "steel-lamp,brass-lamp");
  list_check(&f, "q=lam&sort=name", 2, "brass-lamp,steel-lamp"); /* a prefix */
  list_check(&f, "q=brass%20lamp", 1, "brass-lamp");            /* two words */
  list_check(&f, "q=lamp&in_stock=true", 1, "steel-lamp");      /* with a row filter */
  list_check(&f, "q=creme", 1, "cafe-table");                   /* accents folded */
  list_check(&f, "q=vase&sort=-created_at", 2, "glass-vase,pine-shelf");
  list_check(&f, "q=vase&offset=1&limit=1&sort=-created_at", 2, "pine-shelf");
  list_check(&f, "q=unlisted", 0, ""); /* only an inactive product's */
  list_check(&f, "q=sold", 0, "");     /* only an archived product's */
  list_check(&f, "q=nothing", 0, "");
  shop_close(&f);
}
END_TEST

/* ---- one product ---- */

/* Reads product key publicly and checks it is {"product": the view of product id}. */
static void product_check(const fixture *f, const char *key, const char *id) {
  mc_catalog_answer a, again;
  json_t *body, *want;
  ck_assert_int_eq(mc_catalog_product_public(&f->cat, key, &a), MC_OK);
  body = parse_body(&a);
  want = json_pack("{s:o}", "product", expected_view(f, id));
  ck_assert_msg(json_equal(body, want), "%s: %s", key, a.body);
  assert_same_bytes(&a, want);
  ck_assert_int_eq(mc_catalog_product_public(&f->cat, key, &again), MC_OK);
  ck_assert_str_eq(again.body, a.body);
  ck_assert_str_eq(again.etag, a.etag);
  mc_catalog_answer_free(&again);
  mc_catalog_answer_free(&a);
  json_decref(want);
  json_decref(body);
}

START_TEST(a_public_product_is_the_view_of_the_stored_product_by_id_and_by_slug) {
  fixture f;
  shop_open(&f, _i);
  for (int i = 0; i < SHOP_SIZE; i++) {
    if (shop[i].fate != FATE_ACTIVE) continue;
    product_check(&f, f.ids[i], f.ids[i]);
    product_check(&f, shop[i].slug, f.ids[i]);
  }
  shop_close(&f);
}
END_TEST

static void product_absent(const fixture *f, const char *key) {
  mc_catalog_answer a;
  ck_assert_msg(mc_catalog_product_public(&f->cat, key, &a) == MC_ERR_NOT_FOUND, "%s is public", key);
  ck_assert_ptr_null(a.body);
}

START_TEST(inactive_and_archived_products_are_not_public) {
  fixture f;
  json_t *doc;
  shop_open(&f, _i);
  int hidden = shop_index("hidden-lamp"), retired = shop_index("retired-lamp");
  product_absent(&f, f.ids[hidden]);
  product_absent(&f, "hidden-lamp");
  product_absent(&f, f.ids[retired]);
  product_absent(&f, "retired-lamp");
  doc = stored_product(&f, f.ids[retired]);
  product_absent(&f, str_of(doc, "slug")); /* its archived slug */
  json_decref(doc);
  product_absent(&f, "no-such-product");
  product_absent(&f, "prod_01jd3k0000000000000000000a");
  /* Nor in any listing that would otherwise hold them. */
  list_check(&f, "category=lighting&sort=price", 4, "steel-lamp,pine-shelf,brass-lamp,oak-chair");
  list_check(&f, "q=lamp&sort=name", 2, "brass-lamp,steel-lamp");
  list_check(&f, "min_price=3000&max_price=3100", 0, "");
  shop_close(&f);
}
END_TEST

/* ---- the members customers see ---- */

/* The view of slug in a public answer body (borrowed from body). */
static json_t *view_in(json_t *body, const char *slug) {
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(body, "products"), i, p) if (strcmp(str_of(p, "slug"), slug) == 0) return p;
  ck_abort_msg("%s is not listed", slug);
  return NULL;
}

START_TEST(customers_see_stock_as_in_stock_and_only_left_and_nothing_private) {
  static const char *const members[] = {"id", "name", "slug", "description", "price", "currency",
                                        "compare_at_price", "sku", "category_ids", "images",
                                        "created_at", "updated_at", "in_stock", "only_left"};
  static const char *const image_members[] = {"id", "url", "content_type", "width", "height"};
  static const struct {
    const char *slug;
    int in_stock;
    int64_t only_left; /* -1: null */
  } stock[] = {{"brass-lamp", 0, -1}, {"cafe-table", 1, 1}, {"glass-vase", 1, 2},
               {"oak-chair", 1, 5},   {"pine-shelf", 1, -1}, {"steel-lamp", 1, -1}};
  fixture f;
  mc_catalog_answer a;
  shop_open(&f, _i);
  mc_catalog_listing l = listing_of("");
  mc_refusal why = {0};
  json_t *body, *p, *im;
  size_t k;
  ck_assert_int_eq(mc_catalog_list_public(&f.cat, &l, &a, &why), MC_OK);
  body = parse_body(&a);
  for (size_t i = 0; i < sizeof stock / sizeof stock[0]; i++) {
    p = view_in(body, stock[i].slug);
    ck_assert_uint_eq(json_object_size(p), sizeof members / sizeof members[0]);
    for (size_t m = 0; m < sizeof members / sizeof members[0]; m++)
      ck_assert_msg(json_object_get(p, members[m]) != NULL, "%s lacks %s", stock[i].slug, members[m]);
    ck_assert(json_is_boolean(json_object_get(p, "in_stock")));
    ck_assert_int_eq(json_is_true(json_object_get(p, "in_stock")), stock[i].in_stock);
    if (stock[i].only_left < 0) ck_assert(json_is_null(json_object_get(p, "only_left")));
    else ck_assert_int_eq(json_integer_value(json_object_get(p, "only_left")), stock[i].only_left);
    json_array_foreach(json_object_get(p, "images"), k, im) {
      ck_assert_uint_eq(json_object_size(im), sizeof image_members / sizeof image_members[0]);
      for (size_t m = 0; m < sizeof image_members / sizeof image_members[0]; m++)
        ck_assert(json_object_get(im, image_members[m]) != NULL);
    }
  }
  /* Categories in id order, whatever order they were given in; images in the order added,
   * less those removed. */
  p = view_in(body, "brass-lamp");
  ck_assert_uint_eq(json_array_size(json_object_get(p, "category_ids")), 3);
  for (int c = 0; c < 3; c++)
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "category_ids"), (size_t)c)), f.cats[c]);
  ck_assert_uint_eq(json_array_size(json_object_get(p, "images")), 2);
  ck_assert_str_eq(str_of(json_array_get(json_object_get(p, "images"), 0), "url"), "/images/brass-lamp-0.img");
  ck_assert_str_eq(str_of(json_array_get(json_object_get(p, "images"), 1), "url"), "/images/brass-lamp-2.img");
  p = view_in(body, "pine-shelf");
  ck_assert_uint_eq(json_array_size(json_object_get(p, "images")), 2); /* its first went: a new cover */
  ck_assert_str_eq(str_of(json_array_get(json_object_get(p, "images"), 0), "url"), "/images/pine-shelf-1.img");
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(p, "images"), 0), "width")), 101);
  ck_assert_str_eq(str_of(json_array_get(json_object_get(p, "images"), 1), "content_type"), "image/svg+xml");
  ck_assert_uint_eq(json_array_size(json_object_get(view_in(body, "oak-chair"), "images")), 0);
  ck_assert_uint_eq(json_array_size(json_object_get(view_in(body, "cafe-table"), "category_ids")), 0);
  ck_assert(json_is_null(json_object_get(view_in(body, "cafe-table"), "sku")));
  ck_assert(json_is_null(json_object_get(view_in(body, "cafe-table"), "compare_at_price")));
  ck_assert(json_is_integer(json_object_get(view_in(body, "oak-chair"), "compare_at_price")));
  ck_assert_int_eq(json_integer_value(json_object_get(view_in(body, "oak-chair"), "compare_at_price")), 0);
  ck_assert_str_eq(str_of(view_in(body, "cafe-table"), "description"), shop[shop_index("cafe-table")].description);
  ck_assert_str_eq(str_of(view_in(body, "brass-lamp"), "description"), shop[shop_index("brass-lamp")].description);
  json_decref(body);
  mc_catalog_answer_free(&a);
  shop_close(&f);
}
END_TEST

/* ---- the ETag ---- */

START_TEST(the_etag_changes_with_the_body) {
  fixture f;
  shop_open(&f, _i);
  int steel = shop_index("steel-lamp");
  const char *all = "glass-vase,steel-lamp,pine-shelf,oak-chair,cafe-table,brass-lamp";
  mc_catalog_answer list1 = list_ok(&f, "", 6, all, 0), list2, one1, one2, other;
  ck_assert_int_eq(mc_catalog_product_public(&f.cat, "steel-lamp", &one1), MC_OK);
  ck_assert_int_eq(mc_catalog_product_public(&f.cat, "oak-chair", &other), MC_OK);
  ck_assert_str_ne(one1.etag, other.etag);
  /* Stock 1000000 -> 4: the view gains only_left, so both answers change. */
  json_decref(product_update_ok(f.st, f.ids[steel], json_pack("{s:i, s:s}", "stock", 4, "description", "Now \"rare\"")));
  ck_assert_int_eq(mc_catalog_changed(f.kv), MC_OK);
  list2 = list_ok(&f, "", 6, all, 0);
  ck_assert_str_ne(list2.body, list1.body);
  ck_assert_str_ne(list2.etag, list1.etag);
  product_check(&f, "steel-lamp", f.ids[steel]);
  ck_assert_int_eq(mc_catalog_product_public(&f.cat, "steel-lamp", &one2), MC_OK);
  ck_assert_str_ne(one2.body, one1.body);
  ck_assert_str_ne(one2.etag, one1.etag);
  ck_assert_ptr_nonnull(strstr(one2.body, "\"only_left\":4}"));
  mc_catalog_answer_free(&list1);
  mc_catalog_answer_free(&list2);
  mc_catalog_answer_free(&one1);
  mc_catalog_answer_free(&one2);
  mc_catalog_answer_free(&other);
  shop_close(&f);
}
END_TEST

START_TEST(answers_are_cached_when_the_cache_is_on) {
  fixture f;
  mc_kv_memory_stats stats;
  mc_catalog_answer a;
  shop_open(&f, _i);
  list_check(&f, "q=lamp&sort=price", 2, "steel-lamp,brass-lamp");
  product_check(&f, "brass-lamp", f.ids[shop_index("brass-lamp")]);
  ck_assert_int_eq(mc_kv_memory_stats_get(f.kv, &stats), MC_OK);
  ck_assert_uint_eq(stats.cache_entries, _i ? 2 : 0);
  /* A cached answer is served as it was built: the same bytes, the same ETag. */
  ck_assert_int_eq(mc_catalog_product_public(&f.cat, "brass-lamp", &a), MC_OK);
  json_t *want = json_pack("{s:o}", "product", expected_view(&f, f.ids[shop_index("brass-lamp")]));
  assert_same_bytes(&a, want);
  json_decref(want);
  mc_catalog_answer_free(&a);
  shop_close(&f);
}
END_TEST

static Suite *public_suite(void) {
  Suite *s = suite_create("catalog_public");
  TCase *views = tcase_create("views"), *etag = tcase_create("etag");
  /* _i: the catalog cache off (0) or on (1). */
  tcase_add_loop_test(views, public_listings_are_the_views_of_the_stored_products, 0, 2);
  tcase_add_loop_test(views, public_searches_are_the_views_of_the_stored_products, 0, 2);
  tcase_add_loop_test(views, a_public_product_is_the_view_of_the_stored_product_by_id_and_by_slug, 0, 2);
  tcase_add_loop_test(views, inactive_and_archived_products_are_not_public, 0, 2);
  tcase_add_loop_test(views, customers_see_stock_as_in_stock_and_only_left_and_nothing_private, 0, 2);
  tcase_add_loop_test(etag, the_etag_changes_with_the_body, 0, 2);
  tcase_add_loop_test(etag, answers_are_cached_when_the_cache_is_on, 0, 2);
  suite_add_tcase(s, views);
  suite_add_tcase(s, etag);
  return s;
}

int main(void) {
  return store_contract_main(public_suite(), "mercato-catalog-public");
}
