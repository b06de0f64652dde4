/* test_store_listing.c - the storage port's catalog contract for product listings: filters,
 * orders, pagination, counts and full-text search, run once per adapter factory; sqlite-only
 * catalog checks (schema rules, counters, relevance past its exact range) in their own case. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/money.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"

/* ---- contract: listings ---- */

/* A small shop. Categories: home > chairs, home > tables, garden. Products, created in this
 * order (so newest first is the reverse): */
static const struct {
  const char *slug, *name, *description;
  int64_t price, stock;
  int active;
  const char *cats; /* category slugs, space-separated */
} shop[] = {
  {"oak-chair", "Oak Chair", "Solid oak, hand finished.", 12900, 5, 1, "chairs"},
  {"pine-table", "Pine Table", "Seats six; pairs with any chair.", 25900, 0, 1, "tables"},
  {"cafe-lamp", "Café Lamp", "Warm light for the reading corner.", 4900, 12, 1, "home"},
  {"garden-bench", "Garden Bench", "Weatherproof teak.", 12900, 2, 1, "garden home"},
  {"old-stool", "Old Stool", "Discontinued chair model", 1900, 0, 0, "chairs"},
  {"rocking-chair", "Rocking Chair", "Chair for the porch", 19900, 1, 1, "chairs garden"},
};
#define SHOP_SIZE ((int)(sizeof shop / sizeof shop[0]))

typedef struct shop_ids {
  char home[MC_ID_MAX], chairs[MC_ID_MAX], tables[MC_ID_MAX], garden[MC_ID_MAX];
} shop_ids;

static const char *shop_cat(shop_ids *ids, const char *slug) {
  if (strcmp(slug, "home") == 0) return ids->home;
  if (strcmp(slug, "chairs") == 0) return ids->chairs;
  if (strcmp(slug, "tables") == 0) return ids->tables;
  return ids->garden;
}

static void shop_open(mc_store *st, shop_ids *ids) {
  static const char *const slugs[] = {"home", "chairs", "tables", "garden"};
  for (int i = 0; i < 4; i++) {
    json_t *doc = category_doc(slugs[i]);
    if (i == 1 || i == 2) set(doc, "parent_id", json_string(ids->home));
    snprintf((char *)shop_cat(ids, slugs[i]), MC_ID_MAX, "%s", str_of(doc, "id"));
    json_decref(category_create_ok(st, doc));
  }
  for (int i = 0; i < SHOP_SIZE; i++) {
    json_t *doc = product_doc(shop[i].slug, shop[i].name, shop[i].price);
    json_t *cats = json_array();
    char buf[64], *save = NULL;
    snprintf(buf, sizeof buf, "%s", shop[i].cats);
    for (char *c = strtok_r(buf, " ", &save); c != NULL; c = strtok_r(NULL, " ", &save))
      json_array_append_new(cats, json_string(shop_cat(ids, c)));
    set(doc, "description", json_string(shop[i].description));
    set(doc, "stock", json_integer(shop[i].stock));
    set(doc, "active", json_boolean(shop[i].active));
    set(doc, "category_ids", cats);
    tick(); /* distinct creation times */
    json_decref(product_create_ok(st, doc));
  }
}

START_TEST(contract_list_pages_newest_first_with_the_total_count) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query q = query_all();
  json_t *items = NULL, *item;
  int64_t n = -1;
  shop_ids ids;
  size_t i;

  assert_list(st, &q, 0, "");
  shop_open(st, &ids);
  assert_list(st, &q, 5, "rocking-chair,garden-bench,cafe-lamp,pine-table,oak-chair");
  q.limit = 2;
  assert_list(st, &q, 5, "rocking-chair,garden-bench");
  q.offset = 2;
  assert_list(st, &q, 5, "cafe-lamp,pine-table");
  q.offset = 4;
  assert_list(st, &q, 5, "oak-chair");
  q.offset = 5;
  assert_list(st, &q, 5, "");
  q.offset = INT64_C(1000000000000);
  assert_list(st, &q, 5, "");
  /* Inactive products only when asked for. */
  q = query_all();
  q.include_inactive = 1;
  assert_list(st, &q, 6, "rocking-chair,old-stool,garden-bench,cafe-lamp,pine-table,oak-chair");
  /* Each item is the whole document, as get returns it; the count may be left unread. */
  ck_assert_int_eq(mc_store_product_list(st, &q, &items, NULL), MC_OK);
  ck_assert_uint_eq(json_array_size(items), 6);
  json_array_foreach(items, i, item) {
    json_t *got = product_get_ok(st, str_of(item, "id"));
    ck_assert(json_equal(item, got));
    json_decref(got);
  }
  json_decref(items);
  ck_assert_int_eq(mc_store_product_list(st, &q, NULL, &n), MC_ERR_INVALID);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_list_filters_by_categories) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query q = query_all();
  const char *cats[5] = {NULL};
  char unknown[MC_ID_MAX];
  shop_ids ids;

  shop_open(st, &ids);
  ck_assert_int_eq(mc_id_new("cat", unknown), MC_OK);
  q.category_ids = cats;
  cats[0] = ids.chairs;
  assert_list(st, &q, 2, "rocking-chair,oak-chair");
  q.include_inactive = 1;
  assert_list(st, &q, 3, "rocking-chair,old-stool,oak-chair");
  q.include_inactive = 0;
  /* A parent with its children: each product once, even when linked to several. */
  cats[0] = ids.home, cats[1] = ids.chairs, cats[2] = ids.tables;
  assert_list(st, &q, 5, "rocking-chair,garden-bench,cafe-lamp,pine-table,oak-chair");
  cats[0] = ids.garden, cats[1] = ids.home, cats[2] = NULL;
  assert_list(st, &q, 3, "rocking-chair,garden-bench,cafe-lamp");
  q.limit = 1, q.offset = 1;
  assert_list(st, &q, 3, "garden-bench");
  q.limit = 20, q.offset = 0;
  cats[0] = unknown, cats[1] = NULL;
  assert_list(st, &q, 0, "");
  cats[0] = "not-an-id";
  assert_list(st, &q, 0, "");
  cats[0] = NULL; /* an empty set matches nothing */
  assert_list(st, &q, 0, "");
  cats[0] = "not-an-id", cats[1] = ids.tables, cats[2] = NULL;
  assert_list(st, &q, 1, "pine-table");
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_list_filters_by_price_and_stock) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query q = query_all();
  shop_ids ids;

  shop_open(st, &ids);
  q.min_price = 12900; /* bounds are inclusive */
  assert_list(st, &q, 4, "rocking-chair,garden-bench,pine-table,oak-chair");
  q.min_price = -1, q.max_price = 12900;
  assert_list(st, &q, 3, "garden-bench,cafe-lamp,oak-chair");
  q.min_price = 12900;
  assert_list(st, &q, 2, "garden-bench,oak-chair");
  q.min_price = 13000;
  assert_list(st, &q, 0, "");
  q.min_price = 0, q.max_price = 0;
  assert_list(st, &q, 0, "");
  q = query_all();
  q.in_stock = 1;
  assert_list(st, &q, 4, "rocking-chair,garden-bench,cafe-lamp,oak-chair");
  q.min_price = 5000;
  assert_list(st, &q, 3, "rocking-chair,garden-bench,oak-chair");
  /* Admin views: low stock, inactive products included. */
  q = query_all();
  q.include_inactive = 1;
  q.low_stock = 1;
  assert_list(st, &q, 3, "rocking-chair,old-stool,pine-table");
  q.low_stock = 0;
  assert_list(st, &q, 2, "old-stool,pine-table");
  q.include_inactive = 0;
  assert_list(st, &q, 1, "pine-table");
  q.include_inactive = 1, q.in_stock = 1, q.low_stock = 2;
  assert_list(st, &q, 2, "rocking-chair,garden-bench");
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_list_sorts_break_ties_by_id) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query q = query_all();
  shop_ids ids;

  shop_open(st, &ids);
  /* oak-chair and garden-bench cost the same; oak-chair's id is the smaller. */
  q.sort = MC_SORT_PRICE_ASC;
  assert_list(st, &q, 5, "cafe-lamp,oak-chair,garden-bench,rocking-chair,pine-table");
  q.limit = 2, q.offset = 1;
  assert_list(st, &q, 5, "oak-chair,garden-bench");
  q.limit = 20, q.offset = 0;
  q.sort = MC_SORT_PRICE_DESC;
  assert_list(st, &q, 5, "pine-table,rocking-chair,garden-bench,oak-chair,cafe-lamp");
  q.sort = MC_SORT_NAME_ASC;
  assert_list(st, &q, 5, "cafe-lamp,garden-bench,oak-chair,pine-table,rocking-chair");
  json_decref(product_create_ok(st, product_doc("twin-b", "Oak Chair", 1)));
  json_decref(product_create_ok(st, product_doc("twin-a", "Oak Chair", 1)));
  assert_list(st, &q, 7, "cafe-lamp,garden-bench,oak-chair,twin-b,twin-a,pine-table,"
                         "rocking-chair");
  q.sort = MC_SORT_PRICE_ASC, q.max_price = 1;
  assert_list(st, &q, 2, "twin-b,twin-a");
  q.sort = MC_SORT_PRICE_DESC;
  assert_list(st, &q, 2, "twin-a,twin-b");
  /* Relevance without a query is newest first. */
  q.sort = MC_SORT_RELEVANCE;
  assert_list(st, &q, 2, "twin-a,twin-b");
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_search_matches_names_and_descriptions) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query q = query_all();
  const char *cats[2] = {NULL, NULL};
  shop_ids ids;

  shop_open(st, &ids);
  /* Name matches rank above description-only ones; case, accents and prefixes are loose. */
  assert_search(st, "chair", 3, "rocking-chair,oak-chair,pine-table");
  assert_search(st, "CHAIR", 3, "rocking-chair,oak-chair,pine-table");
  assert_search(st, "cha", 3, "rocking-chair,oak-chair,pine-table");
  assert_search(st, "cafe", 1, "cafe-lamp");
  assert_search(st, "Café", 1, "cafe-lamp");
  assert_search(st, "reading corner", 1, "cafe-lamp");
  assert_search(st, "teak", 1, "garden-bench");
  /* Every word must match. */
  assert_search(st, "oak chair", 1, "oak-chair");
  assert_search(st, "chair oak", 1, "oak-chair");
  assert_search(st, "oak sofa", 0, "");
  assert_search(st, "sofa", 0, "");
  /* Only the first eight words count; an overlong one is cut to a prefix. */
  assert_search(st, "oak oak oak oak oak oak oak oak xyzzy", 1, "oak-chair");
  assert_search(st, "chairxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0, "");
  /* An empty q is no filter. */
  assert_search(st, "", 5, "rocking-chair,garden-bench,cafe-lamp,pine-table,oak-chair");
  /* With the other filters and orders. */
  q.q = "chair";
  q.include_inactive = 1;
  q.sort = MC_SORT_NEWEST;
  assert_list(st, &q, 4, "rocking-chair,old-stool,pine-table,oak-chair");
  q.include_inactive = 0;
  q.sort = MC_SORT_PRICE_ASC;
  assert_list(st, &q, 3, "oak-chair,rocking-chair,pine-table");
  q.sort = MC_SORT_RELEVANCE;
  q.in_stock = 1;
  assert_list(st, &q, 2, "rocking-chair,oak-chair");
  q.in_stock = 0;
  q.category_ids = cats;
  cats[0] = ids.tables;
  assert_list(st, &q, 1, "pine-table");
  q.category_ids = NULL;
  q.max_price = 15000;
  assert_list(st, &q, 1, "oak-chair");
  /* Renaming, deactivating and deleting reach the index at once. */
  {
    json_t *oak = NULL, *rocking = NULL, *pine = NULL;
    ck_assert_int_eq(mc_store_product_get_by_slug(st, "oak-chair", &oak), MC_OK);
    ck_assert_int_eq(mc_store_product_get_by_slug(st, "rocking-chair", &rocking), MC_OK);
    ck_assert_int_eq(mc_store_product_get_by_slug(st, "pine-table", &pine), MC_OK);
    json_decref(product_update_ok(st, str_of(oak, "id"), json_pack("{s:s, s:s}", "name",
                                  "Birch Seat", "description", "Solid birch.")));
    json_decref(product_update_ok(st, str_of(rocking, "id"), json_pack("{s:b}", "active", 0)));
    assert_search(st, "oak", 0, "");
    assert_search(st, "birch", 1, "oak-chair");
    /* A whole word still finds the longer words it starts ("Seat", "Seats"). */
    assert_search(st, "seat", 2, "oak-chair,pine-table");
    assert_search(st, "seats", 1, "pine-table");
    assert_search(st, "chair", 1, "pine-table");
    json_decref(product_update_ok(st, str_of(rocking, "id"), json_pack("{s:b}", "active", 1)));
    assert_search(st, "chair", 2, "rocking-chair,pine-table");
    ck_assert_int_eq(mc_store_product_delete(st, str_of(pine, "id"), NULL, NULL), MC_OK);
    assert_search(st, "chair", 1, "rocking-chair");
    json_decref(oak);
    json_decref(rocking);
    json_decref(pine);
  }
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_search_treats_query_syntax_as_text) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  static const char *const like_chair[] = {"-chair", "chair)", "\"chair", "chair*", "^chair",
                                           "(chair", "{chair}", "chair:", "+chair", "chair\"\""};
  json_t *doc;
  shop_ids ids;

  shop_open(st, &ids);
  json_decref(product_create_ok(st, product_doc("name-foo", "Name Foo", 100)));
  json_decref(product_create_ok(st, product_doc("foo-bar", "Foo Bar", 100)));
  doc = product_doc("near-sign", "Near Sign", 100);
  set(doc, "description", json_string("a b c"));
  json_decref(product_create_ok(st, doc));
  /* Operators, column filters and quotes are words like any other. */
  assert_search(st, "\" OR 1=1 --", 0, "");
  assert_search(st, "name:foo", 1, "name-foo");
  assert_search(st, "NEAR(a b)", 1, "near-sign");
  assert_search(st, "chair OR table", 0, "");
  assert_search(st, "NOT chair", 0, "");
  assert_search(st, "chair AND oak", 0, "");
  assert_search(st, "description:teak", 0, "");
  assert_search(st, "'; DROP TABLE products;--", 0, "");
  for (size_t i = 0; i < sizeof like_chair / sizeof like_chair[0]; i++)
    assert_search(st, like_chair[i], 3, "rocking-chair,oak-chair,pine-table");
  /* Nothing but punctuation is no word at all: nothing matches. */
  assert_search(st, "*", 0, "");
  assert_search(st, "\"\"", 0, "");
  assert_search(st, " -- ; ' ", 0, "");
  /* The catalog is intact. */
  {
    mc_product_query q = query_all();
    q.limit = 1;
    assert_list(st, &q, 8, "near-sign");
  }
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_list_rejects_bad_queries) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_product_query bad[9];
  json_t *items = (json_t *)st;
  int64_t n = -1;

  for (int i = 0; i < 9; i++) bad[i] = query_all();
  bad[0].limit = 0;
  bad[1].limit = MC_PRODUCT_LIST_MAX + 1;
  bad[2].offset = -1;
  bad[3].sort = (mc_product_sort)99;
  bad[4].min_price = -2;
  bad[5].max_price = MC_MONEY_MAX + 1;
  bad[6].low_stock = -2;
  bad[7].sort = (mc_product_sort)-1;
  bad[8].min_price = MC_MONEY_MAX + 1;
  for (int i = 0; i < 9; i++) {
    ck_assert_msg(mc_store_product_list(st, &bad[i], &items, &n) == MC_ERR_INVALID, "query %d",
                  i);
    ck_assert_ptr_null(items);
  }
  ck_assert_int_eq(mc_store_product_list(st, NULL, &items, &n), MC_ERR_INVALID);
  {
    mc_product_query q = query_all();
    q.limit = MC_PRODUCT_LIST_MAX;
    q.min_price = MC_MONEY_MAX;
    q.max_price = MC_MONEY_MAX;
    assert_list(st, &q, 0, "");
  }
  close_and_drop(st, &env);
}
END_TEST

static Suite *listing_suite(void) {
  Suite *s = suite_create("store_listing");
  TCase *contract = tcase_create("contract");

  /* Loop tests: _i is the index of the factory the test runs against. */
  tcase_add_loop_test(contract, contract_list_pages_newest_first_with_the_total_count, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_list_filters_by_categories, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_list_filters_by_price_and_stock, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_list_sorts_break_ties_by_id, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_search_matches_names_and_descriptions, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_search_treats_query_syntax_as_text, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_list_rejects_bad_queries, 0, FACTORY_COUNT);
  suite_add_tcase(s, contract);

  return s;
}

int main(void) {
  return store_contract_main(listing_suite(), "mercato-listing");
}
