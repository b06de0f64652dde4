/* test_store_archive.c - the storage port's contract for deleting a product that orders name:
 * it is archived instead (kept for its orders, out of the shop, its slug and sku freed), the
 * adapter keeps it, and archived products show only in the admin's archived listing. There is
 * no order API before checkout, so orders come through the factory's back door (orders_name);
 * what the sqlite database itself refuses is in test_sqlite_catalog.c. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_carts.h"
#include "store_catalog.h"
#include "store_contract.h"
#include "store_sql.h"

/* Records a placed order with one line naming product (its name and sku as sold), through the
 * factory's back door (the port has no orders yet). */
static void order_naming(const store_env *env, const json_t *product) {
  const char *id = str_of(product, "id");
  order_naming_ids(env, &id, 1);
}

/* Deletes product id and expects it archived: returns the archived document (new reference). */
static json_t *archive_ok(mc_store *st, const char *id) {
  json_t *images = (json_t *)st, *archived = NULL;
  ck_assert_int_eq(mc_store_product_delete(st, id, &images, &archived), MC_OK);
  ck_assert_ptr_null(images);
  ck_assert_ptr_nonnull(archived);
  return archived;
}

/* A product with a sku, a category and an image; a new reference. */
static json_t *full_product(mc_store *st, const char *slug, const char *sku, const json_t *cat) {
  json_t *doc = product_doc(slug, "Walnut Desk", 45000), *p, *with_image = NULL, *image;
  set(doc, "sku", json_string(sku));
  set(doc, "stock", json_integer(7));
  set(doc, "category_ids", json_pack("[O]", json_object_get(cat, "id")));
  p = product_create_ok(st, doc);
  image = image_doc("/images/desk.png");
  ck_assert_int_eq(mc_store_product_image_add(st, str_of(p, "id"), image, &with_image, NULL), MC_OK);
  json_decref(image);
  json_decref(p);
  return with_image;
}

START_TEST(contract_delete_without_orders_deletes) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("desks"));
  json_t *p = full_product(st, "walnut-desk", "DESK-1", cat);
  json_t *images = NULL, *archived = (json_t *)st, *got = (json_t *)st;

  ck_assert(json_is_null(json_object_get(p, "archived_at")));
  ck_assert_int_eq(mc_store_product_delete(st, str_of(p, "id"), &images, &archived), MC_OK);
  ck_assert_ptr_null(archived);
  ck_assert_uint_eq(json_array_size(images), 1);
  ck_assert_str_eq(str_of(json_array_get(images, 0), "url"), "/images/desk.png");
  ck_assert_int_eq(mc_store_product_get(st, str_of(p, "id"), &got), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(got);
  json_decref(images);
  json_decref(p);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_delete_of_an_ordered_product_archives_it) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("desks"));
  json_t *p = full_product(st, "walnut-desk", "DESK-1", cat);
  json_t *archived, *got, *expected;
  char slug[64];

  order_naming(&env, p);
  tick();
  archived = archive_ok(st, str_of(p, "id"));
  snprintf(slug, sizeof slug, "archived-%s", str_of(p, "id") + strlen("prod_"));
  assert_rfc3339_ms(str_of(archived, "archived_at"));
  ck_assert_str_eq(str_of(archived, "updated_at"), str_of(archived, "archived_at"));
  ck_assert_int_gt(strcmp(str_of(archived, "updated_at"), str_of(p, "updated_at")), 0);
  /* Everything else is as it was: name, price, stock, images (orders may show them). */
  expected = json_deep_copy(p);
  set(expected, "active", json_false());
  set(expected, "slug", json_string(slug));
  set(expected, "sku", json_null());
  set(expected, "category_ids", json_array());
  set(expected, "updated_at", json_string(str_of(archived, "updated_at")));
  set(expected, "archived_at", json_string(str_of(archived, "archived_at")));
  ck_assert(json_equal(archived, expected));
  got = product_get_ok(st, str_of(p, "id"));
  ck_assert(json_equal(got, archived));
  json_decref(got);
  ck_assert_int_eq(mc_store_product_get_by_slug(st, "walnut-desk", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_product_get_by_slug(st, slug, &got), MC_OK);
  ck_assert(json_equal(got, archived));
  json_decref(got);
  /* The order line keeps the name and sku it was sold under. */
  ck_assert_int_eq(rows_in(&env, "SELECT count(*) FROM order_lines WHERE name = 'Walnut Desk' AND sku = 'DESK-1'"), 1);
  json_decref(expected);
  json_decref(archived);
  json_decref(p);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_archiving_frees_the_slug_and_sku) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("desks"));
  json_t *p = full_product(st, "walnut-desk", "DESK-1", cat);
  json_t *again, *archived;

  order_naming(&env, p);
  archived = archive_ok(st, str_of(p, "id"));
  again = full_product(st, "walnut-desk", "DESK-1", cat);
  ck_assert_str_ne(str_of(again, "id"), str_of(p, "id"));
  ck_assert_str_eq(str_of(again, "slug"), "walnut-desk");
  ck_assert_str_eq(str_of(again, "sku"), "DESK-1");
  json_decref(again);
  json_decref(archived);
  json_decref(p);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_archiving_lets_its_categories_be_deleted) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("desks"));
  json_t *p = full_product(st, "walnut-desk", "DESK-1", cat);
  json_t *archived, *got = (json_t *)st;
  mc_refusal why = {0};

  order_naming(&env, p);
  ck_assert_int_eq(mc_store_category_delete(st, str_of(cat, "id"), &why), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "category_in_use");
  ck_assert_int_eq(mc_refusal_number_get(&why, MC_CATALOG_N_PRODUCTS, -1), 1);
  mc_refusal_clear(&why);
  archived = archive_ok(st, str_of(p, "id"));
  ck_assert_int_eq(mc_store_category_delete(st, str_of(cat, "id"), NULL), MC_OK);
  ck_assert_int_eq(mc_store_category_get(st, str_of(cat, "id"), &got), MC_ERR_NOT_FOUND);
  json_decref(archived);
  json_decref(p);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_archiving_removes_it_from_every_cart) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *user = user_create_ok(st, "archive-shopper@example.com");
  json_t *desk = stocked(st, "desk", 45000, 5), *lamp = stocked(st, "lamp", 3000, 5), *archived;
  hash_buf guest = hash_of('a');
  mc_cart_owner customer = {.user_id = str_of(user, "id")};
  mc_cart_owner anonymous = {.token_hash = guest.s, .new_token_hash = guest.s};
  mc_cart *cart;

  mc_cart_free(add_ok(st, &customer, desk, 1));
  mc_cart_free(add_ok(st, &customer, lamp, 2));
  mc_cart_free(add_ok(st, &anonymous, desk, 3));
  order_naming(&env, desk);
  archived = archive_ok(st, str_of(desk, "id"));
  cart = get_ok(st, &customer);
  assert_lines(cart, "lamp:2");
  mc_cart_free(cart);
  cart = get_ok(st, &anonymous);
  assert_lines(cart, "");
  mc_cart_free(cart);
  ck_assert_int_eq(rows_in(&env, "SELECT count(*) FROM cart_items"), 1);
  json_decref(archived);
  json_decref(desk);
  json_decref(lamp);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_archiving_twice_changes_nothing) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("desks"));
  json_t *p = full_product(st, "walnut-desk", "DESK-1", cat);
  json_t *first, *second, *got;

  order_naming(&env, p);
  first = archive_ok(st, str_of(p, "id"));
  tick();
  second = archive_ok(st, str_of(p, "id"));
  ck_assert(json_equal(first, second));
  ck_assert_int_eq(mc_store_product_delete(st, str_of(p, "id"), NULL, NULL), MC_OK);
  got = product_get_ok(st, str_of(p, "id"));
  ck_assert(json_equal(got, first));
  json_decref(got);
  json_decref(first);
  json_decref(second);
  json_decref(p);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_an_archived_product_takes_no_change) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("desks"));
  json_t *p = full_product(st, "walnut-desk", "DESK-1", cat);
  json_t *archived, *image, *out = (json_t *)st, *got;
  const char *image_id = str_of(json_array_get(json_object_get(p, "images"), 0), "id");
  char missing[MC_ID_MAX];
  mc_refusal why = {0};

  order_naming(&env, p);
  archived = archive_ok(st, str_of(p, "id"));
  product_update_fails(st, archived, json_pack("{s:I}", "price", (json_int_t)100), MC_ERR_CONFLICT);
  product_update_fails(st, archived, json_pack("{s:b}", "active", 1), MC_ERR_CONFLICT);
  product_update_fails(st, archived, json_pack("{s:s}", "slug", "walnut-desk"), MC_ERR_CONFLICT);
  image = image_doc("/images/other.png");
  ck_assert_int_eq(mc_store_product_image_add(st, str_of(p, "id"), image, &out, &why), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);
  ck_assert_str_eq(why.code, "product_archived");
  mc_refusal_clear(&why);
  json_t *change = json_pack("{s:s}", "name", "Renamed");
  ck_assert_int_eq(mc_store_product_update(st, str_of(p, "id"), change, NULL, &why), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "product_archived");
  mc_refusal_clear(&why);
  json_decref(change);
  out = (json_t *)st;
  ck_assert_int_eq(mc_store_product_image_remove(st, str_of(p, "id"), image_id, &out, NULL), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_id_new("img", missing), MC_OK);
  ck_assert_int_eq(mc_store_product_image_remove(st, str_of(p, "id"), missing, NULL, NULL), MC_ERR_CONFLICT);
  got = product_get_ok(st, str_of(p, "id"));
  ck_assert(json_equal(got, archived));
  json_decref(got);
  /* A product that does not exist is still just not found. */
  ck_assert_int_eq(mc_id_new("prod", missing), MC_OK);
  ck_assert_int_eq(mc_store_product_image_add(st, missing, image, NULL, NULL), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_product_image_remove(st, missing, image_id, NULL, NULL), MC_ERR_NOT_FOUND);
  json_decref(image);
  json_decref(archived);
  json_decref(p);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

/* The catalog of the listing tests: "alpha" active and in stock, "beta" inactive, "gamma" and
 * "delta" archived (gamma in stock, delta not). Every name holds the word "oak". */
static void listing_catalog(mc_store *st, const store_env *env) {
  static const char *const slugs[] = {"alpha", "beta", "gamma", "delta"};
  static const int64_t stock[] = {3, 3, 3, 0};
  json_t *p[4], *archived;
  char name[32];

  for (int i = 0; i < 4; i++) {
    json_t *doc;
    snprintf(name, sizeof name, "Oak %s", slugs[i]);
    doc = product_doc(slugs[i], name, 1000 + i);
    set(doc, "stock", json_integer(stock[i]));
    if (i == 1) set(doc, "active", json_false());
    p[i] = product_create_ok(st, doc);
    tick();
  }
  for (int i = 2; i < 4; i++) {
    order_naming(env, p[i]);
    archived = archive_ok(st, str_of(p[i], "id"));
    json_decref(archived);
  }
  for (int i = 0; i < 4; i++) json_decref(p[i]);
}

/* The slugs of an archived listing: archived-<id tail>, so they are compared by name. */
static void assert_list_names(mc_store *st, const mc_product_query *q, int64_t count, const char *names) {
  json_t *items = NULL, *item;
  int64_t n = -1;
  char buf[256];
  size_t i, used = 0;

  ck_assert_int_eq(mc_store_product_list(st, q, &items, &n), MC_OK);
  buf[0] = '\0';
  json_array_foreach(items, i, item) {
    used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i > 0 ? "," : "", str_of(item, "name"));
    ck_assert(json_is_string(json_object_get(item, "archived_at")) == (q->archived != 0));
  }
  ck_assert_str_eq(buf, names);
  ck_assert_int_eq(n, count);
  json_decref(items);
}

START_TEST(contract_admin_listing_leaves_archived_products_out_unless_asked) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query q = query_all();

  listing_catalog(st, &env);
  q.include_inactive = 1;
  assert_list_names(st, &q, 2, "Oak beta,Oak alpha");
  q.in_stock = 1;
  assert_list_names(st, &q, 2, "Oak beta,Oak alpha");
  q.in_stock = 0;
  q.q = "oak";
  assert_list_names(st, &q, 2, "Oak beta,Oak alpha");
  q.q = NULL;
  q.sort = MC_SORT_PRICE_ASC;
  q.min_price = 1000;
  assert_list_names(st, &q, 2, "Oak alpha,Oak beta");
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_admin_archived_listing_holds_only_archived_products) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query q = query_all();

  listing_catalog(st, &env);
  q.archived = 1;
  assert_list_names(st, &q, 2, "Oak delta,Oak gamma");
  q.include_inactive = 1; /* implied: the same */
  assert_list_names(st, &q, 2, "Oak delta,Oak gamma");
  q.in_stock = 1;
  assert_list_names(st, &q, 1, "Oak gamma");
  q.in_stock = 0;
  q.q = "oak";
  q.sort = MC_SORT_RELEVANCE;
  q.limit = 1; /* equal scores: the older first */
  assert_list_names(st, &q, 2, "Oak gamma");
  q.limit = 20;
  q.q = "gamma";
  assert_list_names(st, &q, 1, "Oak gamma");
  q.q = NULL;
  q.sort = MC_SORT_PRICE_DESC;
  q.low_stock = 0;
  assert_list_names(st, &q, 1, "Oak delta");
  close_and_drop(st, &env);
}
END_TEST

/* Past the exact bm25 range (250 matches) relevance reads the full-text indexes alone: the
 * archived listing and the others still keep to their own products. */
START_TEST(contract_archived_search_past_the_ranked_range) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query q = query_all();
  json_t *kept = product_create_ok(st, product_doc("crate-kept", "Crate kept", 500));
  json_t *p, *archived;
  char slug[32], name[32], ids[260][MC_ID_MAX];
  const char *named[260];

  for (int i = 0; i < 260; i++) {
    snprintf(slug, sizeof slug, "crate-%03d", i);
    snprintf(name, sizeof name, "Crate %03d", i);
    p = product_create_ok(st, product_doc(slug, name, 100 + i));
    snprintf(ids[i], MC_ID_MAX, "%s", str_of(p, "id"));
    named[i] = ids[i];
    json_decref(p);
  }
  order_naming_ids(&env, named, 260);
  for (int i = 0; i < 260; i++) {
    archived = archive_ok(st, ids[i]);
    json_decref(archived);
  }
  q.q = "crate";
  q.sort = MC_SORT_RELEVANCE;
  q.limit = 2;
  q.archived = 1;
  assert_list_names(st, &q, 260, "Crate 259,Crate 258");
  q.offset = 258;
  assert_list_names(st, &q, 260, "Crate 001,Crate 000");
  q.archived = 0;
  q.offset = 0;
  q.include_inactive = 1;
  assert_list_names(st, &q, 1, "Crate kept");
  q.include_inactive = 0;
  assert_list_names(st, &q, 1, "Crate kept");
  json_decref(kept);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_public_listings_never_show_archived_products) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query q = query_all();

  listing_catalog(st, &env);
  assert_list(st, &q, 1, "alpha");
  q.in_stock = 1;
  assert_list(st, &q, 1, "alpha");
  q.in_stock = 0;
  assert_search(st, "oak", 1, "alpha");
  assert_search(st, "gamma", 0, "");
  q.sort = MC_SORT_PRICE_DESC;
  q.max_price = 5000;
  assert_list(st, &q, 1, "alpha");
  close_and_drop(st, &env);
}
END_TEST

static Suite *archive_suite(void) {
  Suite *s = suite_create("store_archive");
  TCase *contract = tcase_create("contract");

  /* Loop tests: _i is the index of the factory the test runs against. */
  tcase_add_loop_test(contract, contract_delete_without_orders_deletes, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_delete_of_an_ordered_product_archives_it, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_archiving_frees_the_slug_and_sku, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_archiving_lets_its_categories_be_deleted, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_archiving_removes_it_from_every_cart, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_archiving_twice_changes_nothing, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_an_archived_product_takes_no_change, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_admin_listing_leaves_archived_products_out_unless_asked, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_admin_archived_listing_holds_only_archived_products, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_public_listings_never_show_archived_products, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_archived_search_past_the_ranked_range, 0, FACTORY_COUNT);
  suite_add_tcase(s, contract);
  return s;
}

int main(void) {
  return store_contract_main(archive_suite(), "mercato-archive");
}
