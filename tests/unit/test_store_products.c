/* test_store_products.c - the storage port's contract for products (create, update, images,
 * delete, racing creates), run once per adapter factory. Categories are in
 * test_store_categories.c; listings, search and sqlite-only catalog checks in
 * test_store_listing.c. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/money.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"

START_TEST(contract_product_round_trips_with_defaults) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = product_doc("oak-chair", "Oak Chair", 12900);
  json_t *created, *got = NULL, *expected;

  created = product_create_ok(st, json_deep_copy(doc));
  ck_assert_uint_eq(json_object_size(created), 15);
  expected = json_pack("{s:O, s:s, s:s, s:I, s:s, s:n, s:n, s:i, s:b, s:[], s:[], s:O, s:O, s:n}",
                       "id", json_object_get(doc, "id"), "name", "Oak Chair", "slug",
                       "oak-chair", "price", (json_int_t)12900, "currency", "EUR",
                       "compare_at_price", "sku", "stock", 0, "active", 1, "category_ids",
                       "images", "created_at", json_object_get(created, "created_at"),
                       "updated_at", json_object_get(created, "created_at"), "archived_at");
  set(expected, "description", json_string(""));
  ck_assert(json_equal(created, expected));
  assert_rfc3339_ms(str_of(created, "created_at"));
  got = product_get_ok(st, str_of(doc, "id"));
  ck_assert(json_equal(got, created));
  json_decref(got);
  ck_assert_int_eq(mc_store_product_get_by_slug(st, "oak-chair", &got), MC_OK);
  ck_assert(json_equal(got, created));
  json_decref(got);
  got = (json_t *)st;
  ck_assert_int_eq(mc_store_product_get_by_slug(st, "oak", &got), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(got);
  ck_assert_int_eq(mc_store_product_get(st, "oak-chair", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_product_get(st, NULL, &got), MC_ERR_INVALID);
  json_decref(doc);
  doc = product_doc("x", "X", 1); /* the stored document may be left unread */
  ck_assert_int_eq(mc_store_product_create(st, doc, NULL, NULL), MC_OK);
  json_decref(expected);
  json_decref(created);
  json_decref(doc);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_product_keeps_every_member_given) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *a = category_create_ok(st, category_doc("a"));
  json_t *b = category_create_ok(st, category_doc("b"));
  json_t *doc = product_doc("lamp", "Lamp «Nuit» 李", 4999);
  json_t *created;

  set(doc, "description", json_string("Warm light.\nTwo bulbs; \"E27\" <b>not html</b>."));
  set(doc, "compare_at_price", json_integer(5999));
  set(doc, "sku", json_string("LMP-001"));
  set(doc, "stock", json_integer(12));
  set(doc, "active", json_false());
  /* Given in any order, category ids come back in id order. */
  set(doc, "category_ids", json_pack("[s, s]", str_of(b, "id"), str_of(a, "id")));
  created = product_create_ok(st, json_deep_copy(doc));
  set(doc, "category_ids", json_pack("[s, s]", str_of(a, "id"), str_of(b, "id")));
  set(doc, "images", json_array());
  set(doc, "created_at", json_string(str_of(created, "created_at")));
  set(doc, "updated_at", json_string(str_of(created, "updated_at")));
  set(doc, "archived_at", json_null());
  ck_assert(json_equal(created, doc));
  json_decref(created);
  json_decref(doc);
  json_decref(a);
  json_decref(b);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_product_duplicate_id_slug_or_sku_is_a_conflict) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = product_doc("mug", "Mug", 900);
  json_t *first, *dup;
  json_t *out = (json_t *)st;
  mc_product_query q = query_all();
  mc_refusal why = {0};

  set(doc, "sku", json_string("MUG-1"));
  first = product_create_ok(st, doc);
  dup = product_doc("mug", "Other mug", 100);
  ck_assert_int_eq(mc_store_product_create(st, dup, &out, &why), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);
  ck_assert_str_eq(why.code, "slug_taken"); /* the store says which, never the caller's guess */
  ck_assert_str_eq(why.field, "slug");
  mc_refusal_clear(&why);
  json_decref(dup);
  dup = product_doc("mug-2", "Other mug", 100);
  set(dup, "sku", json_string("MUG-1"));
  ck_assert_int_eq(mc_store_product_create(st, dup, NULL, &why), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "sku_taken");
  ck_assert_str_eq(why.field, "sku");
  mc_refusal_clear(&why);
  set(dup, "sku", json_string("MUG-2"));
  set(dup, "id", json_string(str_of(first, "id")));
  ck_assert_int_eq(mc_store_product_create(st, dup, NULL, NULL), MC_ERR_CONFLICT);
  json_decref(dup);
  assert_list(st, &q, 1, "mug");
  /* Products without a sku do not clash with each other. */
  json_decref(product_create_ok(st, product_doc("cup", "Cup", 100)));
  json_decref(product_create_ok(st, product_doc("bowl", "Bowl", 100)));
  assert_list(st, &q, 3, "bowl,cup,mug");
  json_decref(first);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_product_create_with_an_unknown_category_writes_nothing) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("real"));
  json_t *doc = product_doc("ghost", "Ghost", 100);
  json_t *got = NULL;
  const char *ids[2] = {NULL, NULL};
  char unknown[MC_ID_MAX];
  mc_product_query q = query_all();
  mc_refusal why = {0};

  ck_assert_int_eq(mc_id_new("cat", unknown), MC_OK);
  set(doc, "category_ids", json_pack("[s, s]", str_of(cat, "id"), unknown));
  ck_assert_int_eq(mc_store_product_create(st, doc, &got, &why), MC_ERR_INVALID);
  ck_assert_str_eq(str_of(json_array_get(why.errors, 0), "field"), "category_ids");
  ck_assert_str_eq(str_of(json_array_get(why.errors, 0), "code"), "not_found");
  mc_refusal_clear(&why);
  ck_assert_ptr_null(got);
  ck_assert_int_eq(mc_store_product_get(st, str_of(doc, "id"), &got), MC_ERR_NOT_FOUND);
  assert_list(st, &q, 0, "");
  ids[0] = str_of(cat, "id");
  q.category_ids = ids;
  assert_list(st, &q, 0, "");
  /* No link was left behind: the category can go. */
  ck_assert_int_eq(mc_store_category_delete(st, str_of(cat, "id"), NULL), MC_OK);
  /* And the id and slug are free. */
  set(doc, "category_ids", json_array());
  json_decref(product_create_ok(st, doc));
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_product_create_rejects_bad_documents) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("c"));
  const char *cat_id = str_of(cat, "id");
  char *long_name = repeat_str("€", 603); /* 201 three-byte characters */
  char *long_desc = repeat_str("d", 10001);
  char *long_sku = repeat_str("k", 65);
  json_t *many = json_array();
  json_t *bad[64];
  mc_product_query q = query_all();
  int n = 0;

  for (int i = 0; i <= MC_PRODUCT_CATEGORIES_MAX; i++) {
    char id[MC_ID_MAX];
    ck_assert_int_eq(mc_id_new("cat", id), MC_OK);
    json_array_append_new(many, json_string(id));
  }
#define BAD_WITH(key, value)                                                                     \
  do {                                                                                           \
    bad[n] = product_doc("victim", "Victim", 100);                                               \
    set(bad[n], key, value);                                                                     \
    n++;                                                                                         \
  } while (0)
  BAD_WITH("colour", json_string("red"));
  BAD_WITH("images", json_array()); /* added through product_image_add only */
  BAD_WITH("updated_at", json_string("2020-01-01T00:00:00.000Z"));
  BAD_WITH("id", json_string("prod_123"));
  BAD_WITH("id", json_string(cat_id));
  BAD_WITH("name", json_string(""));
  BAD_WITH("name", json_string(long_name));
  BAD_WITH("name", json_string("Line\nbreak"));
  BAD_WITH("name", json_null());
  BAD_WITH("slug", json_string("Oak-Chair"));
  BAD_WITH("slug", json_string("oak chair"));
  BAD_WITH("description", json_string(long_desc));
  BAD_WITH("description", json_stringn("nul\0inside", 10));
  BAD_WITH("price", json_integer(-1));
  BAD_WITH("price", json_integer(MC_MONEY_MAX + 1));
  BAD_WITH("price", json_string("100"));
  BAD_WITH("price", json_real(9.99));
  BAD_WITH("price", json_null());
  BAD_WITH("currency", json_string("eur"));
  BAD_WITH("currency", json_string("EURO"));
  BAD_WITH("currency", json_string("E1R"));
  BAD_WITH("compare_at_price", json_integer(-5));
  BAD_WITH("compare_at_price", json_integer(MC_MONEY_MAX + 1));
  BAD_WITH("compare_at_price", json_string("5"));
  BAD_WITH("sku", json_string(""));
  BAD_WITH("sku", json_string(long_sku));
  BAD_WITH("sku", json_string("SKU\t1"));
  BAD_WITH("sku", json_integer(1));
  BAD_WITH("stock", json_integer(-1));
  BAD_WITH("stock", json_integer(1000000001));
  BAD_WITH("stock", json_null());
  BAD_WITH("active", json_integer(1));
  BAD_WITH("active", json_string("true"));
  BAD_WITH("category_ids", json_string(cat_id));
  BAD_WITH("category_ids", json_pack("[s, s]", cat_id, cat_id));
  BAD_WITH("category_ids", json_pack("[s]", "cat_nope"));
  BAD_WITH("category_ids", json_pack("[i]", 1));
  BAD_WITH("category_ids", json_null());
  BAD_WITH("category_ids", json_deep_copy(many));
#undef BAD_WITH
  for (int i = 0; i < 5; i++) {
    static const char *const required[] = {"id", "name", "slug", "price", "currency"};
    bad[n] = product_doc("victim", "Victim", 100);
    ck_assert_int_eq(json_object_del(bad[n], required[i]), 0);
    n++;
  }
  bad[n++] = json_string("product");
  ck_assert_int_le(n, 64);
  for (int i = 0; i < n; i++) {
    json_t *out = (json_t *)st;
    ck_assert_msg(mc_store_product_create(st, bad[i], &out, NULL) == MC_ERR_INVALID, "doc %d", i);
    ck_assert_ptr_null(out);
    json_decref(bad[i]);
  }
  ck_assert_int_eq(mc_store_product_create(st, NULL, NULL, NULL), MC_ERR_INVALID);
  q.include_inactive = 1;
  assert_list(st, &q, 0, "");
  /* The limits themselves are fine. */
  {
    json_t *doc = product_doc("limits", "x", MC_MONEY_MAX);
    json_array_remove(many, 0);
    long_name[600] = '\0';
    long_desc[10000] = '\0';
    long_sku[64] = '\0';
    set(doc, "name", json_string(long_name));
    set(doc, "description", json_string(long_desc));
    set(doc, "sku", json_string(long_sku));
    set(doc, "stock", json_integer(1000000000));
    set(doc, "compare_at_price", json_integer(0));
    set(doc, "price", json_integer(0));
    json_decref(product_create_ok(st, doc));
  }
  free(long_name);
  free(long_desc);
  free(long_sku);
  json_decref(many);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_product_update_changes_each_member) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *a = category_create_ok(st, category_doc("a"));
  json_t *b = category_create_ok(st, category_doc("b"));
  json_t *c = category_create_ok(st, category_doc("c"));
  json_t *v[16];
  int n = 0;

  v[n] = product_create_ok(st, product_doc("desk", "Desk", 30000));
  v[n + 1] = product_change(st, v[n], json_pack("{s:s}", "name", "Standing desk")), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:s}", "slug", "standing-desk")), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:s}", "description", "Up and down")), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:i}", "price", 0)), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:i}", "compare_at_price", 35000)), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:n}", "compare_at_price")), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:s}", "sku", "DSK-9")), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:n}", "sku")), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:i}", "stock", 40)), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:b}", "active", 0)), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:[s,s]}", "category_ids", str_of(a, "id"),
                                                str_of(b, "id"))), n++;
  /* The set is replaced, not merged. */
  v[n + 1] = product_change(st, v[n], json_pack("{s:[s]}", "category_ids", str_of(c, "id"))), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:[]}", "category_ids")), n++;
  v[n + 1] = product_change(st, v[n], json_pack("{s:s, s:i, s:b, s:[s]}", "name", "Desk",
                                                "stock", 0, "active", 1, "category_ids",
                                                str_of(b, "id"))), n++;
  /* The result may be left unread. */
  {
    json_t *changes = json_pack("{s:i}", "stock", 3);
    ck_assert_int_eq(mc_store_product_update(st, str_of(v[n], "id"), changes, NULL, NULL), MC_OK);
    json_decref(changes);
  }
  for (int i = 0; i <= n; i++) json_decref(v[i]);
  json_decref(a);
  json_decref(b);
  json_decref(c);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_product_update_failures_change_nothing) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("cat"));
  json_t *doc = product_doc("sofa", "Sofa", 90000);
  json_t *other = product_doc("bed", "Bed", 50000);
  json_t *sofa, *changes;
  char unknown[MC_ID_MAX];

  set(doc, "category_ids", json_pack("[s]", str_of(cat, "id")));
  set(doc, "sku", json_string("SOFA"));
  sofa = product_create_ok(st, doc);
  set(other, "sku", json_string("BED"));
  other = product_create_ok(st, other);
  ck_assert_int_eq(mc_id_new("cat", unknown), MC_OK);
  tick();
  product_update_fails(st, sofa, json_pack("{s:s}", "slug", "bed"), MC_ERR_CONFLICT);
  product_update_fails(st, sofa, json_pack("{s:s, s:s}", "name", "X", "sku", "BED"),
                       MC_ERR_CONFLICT);
  /* The unknown category undoes the name change made in the same transaction. */
  product_update_fails(st, sofa, json_pack("{s:s, s:[s]}", "name", "Renamed", "category_ids",
                                           unknown), MC_ERR_INVALID);
  product_update_fails(st, sofa, json_pack("{s:s}", "id", str_of(other, "id")), MC_ERR_INVALID);
  product_update_fails(st, sofa, json_pack("{s:s}", "currency", "USD"), MC_ERR_INVALID);
  product_update_fails(st, sofa, json_pack("{s:[]}", "images"), MC_ERR_INVALID);
  product_update_fails(st, sofa, json_pack("{s:s}", "created_at", "2020-01-01T00:00:00.000Z"),
                       MC_ERR_INVALID);
  product_update_fails(st, sofa, json_pack("{s:i, s:i}", "stock", 5, "price", -1),
                       MC_ERR_INVALID);
  product_update_fails(st, sofa, json_pack("{s:n}", "name"), MC_ERR_INVALID);
  product_update_fails(st, sofa, json_pack("{s:n}", "stock"), MC_ERR_INVALID);
  product_update_fails(st, sofa, json_pack("{s:b}", "hidden", 1), MC_ERR_INVALID);
  product_update_fails(st, sofa, json_object(), MC_ERR_INVALID);
  product_update_fails(st, sofa, json_pack("[s]", "name"), MC_ERR_INVALID);
  changes = json_pack("{s:i}", "stock", 1);
  ck_assert_int_eq(mc_store_product_update(st, str_of(cat, "id"), changes, NULL, NULL),
                   MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_product_update(st, "", changes, NULL, NULL), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_product_update(st, NULL, changes, NULL, NULL), MC_ERR_INVALID);
  json_decref(changes);
  json_decref(sofa);
  json_decref(other);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_product_images_keep_their_order_and_limit) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *p = product_create_ok(st, product_doc("vase", "Vase", 1500));
  json_t *other = product_create_ok(st, product_doc("jug", "Jug", 1500));
  const char *id = str_of(p, "id");
  json_t *images[MC_PRODUCT_IMAGES_MAX];
  json_t *after = NULL, *removed = NULL, *extra, *bad;
  char *long_url = repeat_str("u", 513);
  char url[64];

  for (int i = 0; i < MC_PRODUCT_IMAGES_MAX; i++) {
    snprintf(url, sizeof url, "/media/vase-%d.png", i);
    images[i] = image_doc(url);
    tick();
    ck_assert_int_eq(mc_store_product_image_add(st, id, images[i], &after, NULL), MC_OK);
    ck_assert_uint_eq(json_array_size(json_object_get(after, "images")), (size_t)i + 1);
    ck_assert(json_equal(json_array_get(json_object_get(after, "images"), (size_t)i),
                         images[i]));
    ck_assert_int_gt(strcmp(str_of(after, "updated_at"), str_of(p, "updated_at")), 0);
    json_decref(after);
  }
  extra = image_doc("/media/one-too-many.png");
  {
    mc_refusal why = {0};
    ck_assert_int_eq(mc_store_product_image_add(st, id, extra, NULL, &why), MC_ERR_INVALID);
    ck_assert_str_eq(why.code, "too_many_images");
    mc_refusal_clear(&why);
  }
  /* Removing from the middle keeps the others' order; a new one goes last. */
  ck_assert_int_eq(mc_store_product_image_remove(st, id, str_of(images[3], "id"), &removed, NULL),
                   MC_OK);
  ck_assert(json_equal(removed, images[3]));
  json_decref(removed);
  ck_assert_int_eq(mc_store_product_image_remove(st, id, str_of(images[3], "id"), &removed, NULL),
                   MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(removed);
  ck_assert_int_eq(mc_store_product_image_remove(st, str_of(other, "id"),
                                                 str_of(images[4], "id"), NULL, NULL),
                   MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_product_image_add(st, id, extra, &after, NULL), MC_OK);
  {
    json_t *list = json_object_get(after, "images");
    ck_assert_uint_eq(json_array_size(list), MC_PRODUCT_IMAGES_MAX);
    for (size_t i = 0; i < 3; i++) ck_assert(json_equal(json_array_get(list, i), images[i]));
    for (size_t i = 3; i < MC_PRODUCT_IMAGES_MAX - 1; i++)
      ck_assert(json_equal(json_array_get(list, i), images[i + 1]));
    ck_assert(json_equal(json_array_get(list, MC_PRODUCT_IMAGES_MAX - 1), extra));
  }
  json_decref(after);
  /* The same image id twice is a conflict, even on another product. */
  ck_assert_int_eq(mc_store_product_image_add(st, str_of(other, "id"), images[0], NULL, NULL),
                   MC_ERR_CONFLICT);
  bad = image_doc("/x.png");
  ck_assert_int_eq(mc_store_product_image_add(st, "prod_nope", bad, NULL, NULL), MC_ERR_NOT_FOUND);
  json_decref(bad);
  /* Bad image documents. */
#define BAD_IMAGE(key, value)                                                                    \
  do {                                                                                           \
    json_t *value_ = value;                                                                      \
    bad = image_doc("/media/bad.png");                                                           \
    if (value_ != NULL) set(bad, key, value_);                                                   \
    else json_object_del(bad, key);                                                              \
    ck_assert_int_eq(mc_store_product_image_add(st, str_of(other, "id"), bad, NULL, NULL),             \
                     MC_ERR_INVALID);                                                            \
    json_decref(bad);                                                                            \
  } while (0)
  BAD_IMAGE("content_type", json_string("image/gif"));
  BAD_IMAGE("content_type", json_string("text/html"));
  BAD_IMAGE("width", json_integer(0));
  BAD_IMAGE("height", json_integer(20001));
  BAD_IMAGE("bytes", json_integer(-1));
  BAD_IMAGE("url", json_string(""));
  BAD_IMAGE("url", json_string(long_url));
  BAD_IMAGE("id", json_string("prod_01aaaaaaaaaaaaaaaaaaaaaaaa"));
  BAD_IMAGE("position", json_integer(0));
  BAD_IMAGE("url", NULL);
  BAD_IMAGE("bytes", NULL);
#undef BAD_IMAGE
  {
    json_t *got = product_get_ok(st, str_of(other, "id"));
    ck_assert_uint_eq(json_array_size(json_object_get(got, "images")), 0);
    json_decref(got);
  }
  for (int i = 0; i < MC_PRODUCT_IMAGES_MAX; i++) json_decref(images[i]);
  free(long_url);
  json_decref(extra);
  json_decref(other);
  json_decref(p);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_product_delete_returns_its_images) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("c"));
  json_t *doc = product_doc("clock", "Clock", 4000);
  json_t *p, *i1 = image_doc("/m/1.webp"), *i2 = image_doc("/m/2.webp"), *gone = NULL;
  json_t *got = (json_t *)st;

  set(doc, "category_ids", json_pack("[s]", str_of(cat, "id")));
  p = product_create_ok(st, doc);
  ck_assert_int_eq(mc_store_product_image_add(st, str_of(p, "id"), i1, NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_product_image_add(st, str_of(p, "id"), i2, NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_product_delete(st, str_of(p, "id"), &gone, NULL), MC_OK);
  ck_assert_uint_eq(json_array_size(gone), 2);
  ck_assert(json_equal(json_array_get(gone, 0), i1));
  ck_assert(json_equal(json_array_get(gone, 1), i2));
  json_decref(gone);
  ck_assert_int_eq(mc_store_product_get(st, str_of(p, "id"), &got), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(got);
  ck_assert_int_eq(mc_store_product_delete(st, str_of(p, "id"), &gone, NULL), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(gone);
  /* Its links and image records went with it: the category is free, the image ids too. */
  ck_assert_int_eq(mc_store_category_delete(st, str_of(cat, "id"), NULL), MC_OK);
  json_decref(p);
  p = product_create_ok(st, product_doc("clock", "Clock", 4000));
  ck_assert_int_eq(mc_store_product_image_add(st, str_of(p, "id"), i1, NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_product_delete(st, str_of(p, "id"), NULL, NULL), MC_OK);
  json_decref(i1);
  json_decref(i2);
  json_decref(p);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_racing_creates_of_one_slug_make_one_product) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("c"));
  product_racer r[RACERS];
  pthread_t th[RACERS];
  pthread_barrier_t start;
  mc_product_query q = query_all();
  int ok = 0;

  /* Each is a transaction of several rows (product, link, index) on its own connection. */
  pthread_barrier_init(&start, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    r[i] = (product_racer){.st = st, .start = &start, .doc = product_doc("same", "Same", 100)};
    set(r[i].doc, "category_ids", json_pack("[s]", str_of(cat, "id")));
    ck_assert_int_eq(pthread_create(&th[i], NULL, race_product, &r[i]), 0);
  }
  for (int i = 0; i < RACERS; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < RACERS; i++) {
    ck_assert_msg(r[i].result == MC_OK || r[i].result == MC_ERR_CONFLICT, "racer %d: %s", i,
                  mc_err_name(r[i].result));
    ok += r[i].result == MC_OK;
    json_decref(r[i].doc);
  }
  ck_assert_int_eq(ok, 1);
  q.q = "same";
  assert_list(st, &q, 1, "same");
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

static Suite *products_suite(void) {
  Suite *s = suite_create("store_products");
  TCase *contract = tcase_create("contract");

  /* Loop tests: _i is the index of the factory the test runs against. */
  tcase_add_loop_test(contract, contract_product_round_trips_with_defaults, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_product_keeps_every_member_given, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_product_duplicate_id_slug_or_sku_is_a_conflict, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_product_create_with_an_unknown_category_writes_nothing, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_product_create_rejects_bad_documents, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_product_update_changes_each_member, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_product_update_failures_change_nothing, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_product_images_keep_their_order_and_limit, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_product_delete_returns_its_images, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_racing_creates_of_one_slug_make_one_product, 0,
                      FACTORY_COUNT);
  suite_add_tcase(s, contract);
  return s;
}

int main(void) {
  return store_contract_main(products_suite(), "mercato-products");
}
