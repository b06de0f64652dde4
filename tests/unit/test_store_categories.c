/* test_store_categories.c - the storage port's contract for categories (create, nesting, order,
 * update, delete while in use), run once per adapter factory. Products are in
 * test_store_products.c; listings, search and sqlite-only catalog checks in
 * test_store_listing.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"

START_TEST(contract_category_round_trips_with_defaults) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = category_doc("chairs");
  json_t *created = NULL, *got = NULL;
  char id[MC_ID_MAX];

  snprintf(id, sizeof id, "%s", str_of(doc, "id"));
  created = category_create_ok(st, doc);
  ck_assert_uint_eq(json_object_size(created), 8);
  ck_assert_str_eq(str_of(created, "id"), id);
  ck_assert_str_eq(str_of(created, "name"), "Cat chairs");
  ck_assert_str_eq(str_of(created, "slug"), "chairs");
  ck_assert_str_eq(str_of(created, "description"), "");
  ck_assert(json_is_null(json_object_get(created, "parent_id")));
  ck_assert(json_integer_value(json_object_get(created, "position")) == 0);
  assert_rfc3339_ms(str_of(created, "created_at"));
  ck_assert_str_eq(str_of(created, "updated_at"), str_of(created, "created_at"));
  ck_assert_int_eq(mc_store_category_get(st, id, &got), MC_OK);
  ck_assert(json_equal(got, created));
  json_decref(got);
  ck_assert_int_eq(mc_store_category_get_by_slug(st, "chairs", &got), MC_OK);
  ck_assert(json_equal(got, created));
  json_decref(got);
  got = (json_t *)st;
  ck_assert_int_eq(mc_store_category_get_by_slug(st, "tables", &got), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(got);
  ck_assert_int_eq(mc_store_category_get(st, "cat_nope", &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_category_get(st, NULL, &got), MC_ERR_INVALID);
  /* Every member given is kept. */
  doc = category_doc("stools");
  set(doc, "description", json_string("Three legs, no back. Zoë's favourite."));
  set(doc, "parent_id", json_string(id));
  set(doc, "position", json_integer(7));
  got = category_create_ok(st, json_deep_copy(doc));
  set(doc, "created_at", json_string(str_of(got, "created_at")));
  set(doc, "updated_at", json_string(str_of(got, "updated_at")));
  ck_assert(json_equal(got, doc));
  json_decref(got);
  json_decref(doc);
  json_decref(created);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_category_duplicate_slug_or_id_is_a_conflict) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *first = category_create_ok(st, category_doc("lamps"));
  json_t *same_slug = category_doc("lamps");
  json_t *same_id = category_doc("lights");
  json_t *out = (json_t *)st;
  json_t *list = NULL;

  set(same_id, "id", json_string(str_of(first, "id")));
  ck_assert_int_eq(mc_store_category_create(st, same_slug, &out, NULL), MC_ERR_CONFLICT);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_store_category_create(st, same_id, &out, NULL), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_store_category_list(st, &list), MC_OK);
  ck_assert_uint_eq(json_array_size(list), 1);
  ck_assert(json_equal(json_array_get(list, 0), first));
  json_decref(list);
  json_decref(first);
  json_decref(same_slug);
  json_decref(same_id);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_category_create_rejects_bad_documents) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char *long_name = repeat_str("é", 402);  /* 201 characters */
  char *long_desc = repeat_str("d", 10001);
  char *long_slug = repeat_str("s", 101);
  char unknown_parent[MC_ID_MAX], product_id[MC_ID_MAX];
  json_t *bad[32];
  json_t *list = NULL;
  int n = 0;

  ck_assert_int_eq(mc_id_new("cat", unknown_parent), MC_OK);
  ck_assert_int_eq(mc_id_new("prod", product_id), MC_OK);
#define BAD_WITH(key, value)                                                                     \
  do {                                                                                           \
    bad[n] = category_doc("victim");                                                             \
    set(bad[n], key, value);                                                                     \
    n++;                                                                                         \
  } while (0)
  BAD_WITH("colour", json_string("red"));
  BAD_WITH("created_at", json_string("2020-01-01T00:00:00.000Z"));
  BAD_WITH("id", json_string(product_id));
  BAD_WITH("id", json_string("cat_123"));
  BAD_WITH("name", json_string(""));
  BAD_WITH("name", json_string(long_name));
  BAD_WITH("name", json_string("Tab\there"));
  BAD_WITH("name", json_integer(5));
  BAD_WITH("slug", json_string("Chairs"));
  BAD_WITH("slug", json_string("two words"));
  BAD_WITH("slug", json_string("under_score"));
  BAD_WITH("slug", json_string(""));
  BAD_WITH("slug", json_string(long_slug));
  BAD_WITH("description", json_string(long_desc));
  BAD_WITH("description", json_null());
  BAD_WITH("parent_id", json_string("cat_nope"));
  BAD_WITH("parent_id", json_string(unknown_parent)); /* well-formed, but no such category */
  BAD_WITH("parent_id", json_integer(1));
  BAD_WITH("position", json_integer(-MC_CATALOG_POSITION_MAX - 1));
  BAD_WITH("position", json_integer(MC_CATALOG_POSITION_MAX + 1));
  BAD_WITH("position", json_string("1"));
  BAD_WITH("position", json_real(1.5));
#undef BAD_WITH
  for (int i = 0; i < 3; i++) {
    static const char *const required[] = {"id", "name", "slug"};
    bad[n] = category_doc("victim");
    ck_assert_int_eq(json_object_del(bad[n], required[i]), 0);
    n++;
  }
  bad[n++] = json_array();
  for (int i = 0; i < n; i++) {
    json_t *out = (json_t *)st;
    ck_assert_msg(mc_store_category_create(st, bad[i], &out, NULL) == MC_ERR_INVALID, "doc %d", i);
    ck_assert_ptr_null(out);
    json_decref(bad[i]);
  }
  ck_assert_int_eq(mc_store_category_create(st, NULL, NULL, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_category_list(st, &list), MC_OK);
  ck_assert_uint_eq(json_array_size(list), 0);
  json_decref(list);
  /* The limits themselves are fine: 200 two-byte characters, 10000 bytes, 100-byte slug. */
  {
    json_t *doc = category_doc("ok");
    long_name[400] = '\0';
    long_desc[10000] = '\0';
    long_slug[100] = '\0';
    set(doc, "name", json_string(long_name));
    set(doc, "description", json_string(long_desc));
    set(doc, "slug", json_string(long_slug));
    set(doc, "position", json_integer(MC_CATALOG_POSITION_MAX));
    json_decref(category_create_ok(st, doc));
    doc = category_doc("low");
    set(doc, "position", json_integer(-MC_CATALOG_POSITION_MAX));
    json_decref(category_create_ok(st, doc));
  }
  free(long_name);
  free(long_desc);
  free(long_slug);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_category_nesting_is_one_level_deep) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *home = category_create_ok(st, category_doc("home"));
  json_t *garden = category_create_ok(st, category_doc("garden"));
  json_t *doc = category_doc("chairs");
  json_t *chairs, *grandchild, *after = NULL;
  const char *home_id = str_of(home, "id");

  set(doc, "parent_id", json_string(home_id));
  chairs = category_create_ok(st, doc);
  ck_assert_str_eq(str_of(chairs, "parent_id"), home_id);
  /* No grandchildren, no parent for a parent, no category its own parent. */
  grandchild = category_doc("armchairs");
  set(grandchild, "parent_id", json_string(str_of(chairs, "id")));
  ck_assert_int_eq(mc_store_category_create(st, grandchild, NULL, NULL), MC_ERR_INVALID);
  set(grandchild, "parent_id", json_string(str_of(grandchild, "id")));
  ck_assert_int_eq(mc_store_category_create(st, grandchild, NULL, NULL), MC_ERR_INVALID);
  category_update_fails(st, home, json_pack("{s:s}", "parent_id", str_of(garden, "id")),
                        MC_ERR_INVALID);
  category_update_fails(st, garden, json_pack("{s:s}", "parent_id", str_of(chairs, "id")),
                        MC_ERR_INVALID);
  category_update_fails(st, chairs, json_pack("{s:s}", "parent_id", str_of(chairs, "id")),
                        MC_ERR_INVALID);
  /* Moving a child to another parent, or to the top, is fine. */
  tick();
  after = category_update_ok(st, str_of(chairs, "id"),
                             json_pack("{s:s}", "parent_id", str_of(garden, "id")));
  ck_assert_str_eq(str_of(after, "parent_id"), str_of(garden, "id"));
  ck_assert_int_gt(strcmp(str_of(after, "updated_at"), str_of(chairs, "updated_at")), 0);
  json_decref(after);
  after = category_update_ok(st, str_of(chairs, "id"), json_pack("{s:n}", "parent_id"));
  ck_assert(json_is_null(json_object_get(after, "parent_id")));
  json_decref(after);
  /* Now childless, home may become a child. */
  json_decref(category_update_ok(st, home_id, json_pack("{s:s}", "parent_id",
                                                        str_of(garden, "id"))));
  json_decref(grandchild);
  json_decref(chairs);
  json_decref(garden);
  json_decref(home);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_category_list_orders_by_position_then_name) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  static const struct { const char *slug, *name; int position; } cats[] = {
    {"c", "Beta", 2}, {"a", "Zeta", 1}, {"d", "Alpha", 2}, {"b", "Same", 3}, {"e", "Same", 3},
  };
  char order[64] = "";
  json_t *list = NULL, *item;
  size_t i;

  for (i = 0; i < sizeof cats / sizeof cats[0]; i++) {
    json_t *doc = category_doc(cats[i].slug);
    set(doc, "name", json_string(cats[i].name));
    set(doc, "position", json_integer(cats[i].position));
    json_decref(category_create_ok(st, doc));
  }
  ck_assert_int_eq(mc_store_category_list(st, &list), MC_OK);
  json_array_foreach(list, i, item) strcat(order, str_of(item, "slug"));
  ck_assert_str_eq(order, "adcbe"); /* b and e tie on both: b was created first */
  json_decref(list);
  ck_assert_int_eq(mc_store_category_list(st, NULL), MC_ERR_INVALID);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_category_update_changes_members_and_refuses_others) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *cat = category_create_ok(st, category_doc("rugs"));
  json_t *other = category_create_ok(st, category_doc("mats"));
  json_t *changes = json_pack("{s:s, s:s, s:s, s:i}", "name", "Carpets", "slug", "carpets",
                              "description", "Soft floors", "position", 4);
  json_t *after = NULL;
  char unused[MC_ID_MAX];

  tick();
  ck_assert_int_eq(mc_store_category_update(st, str_of(cat, "id"), changes, &after, NULL), MC_OK);
  ck_assert_int_eq(json_object_update(cat, changes), 0);
  set(cat, "updated_at", json_string(str_of(after, "updated_at")));
  ck_assert(json_equal(after, cat));
  json_decref(after);
  json_decref(changes);
  category_update_fails(st, cat, json_pack("{s:s}", "slug", "mats"), MC_ERR_CONFLICT);
  category_update_fails(st, cat, json_pack("{s:s}", "id", str_of(other, "id")), MC_ERR_INVALID);
  category_update_fails(st, cat, json_pack("{s:s}", "created_at", "2020-01-01T00:00:00.000Z"),
                        MC_ERR_INVALID);
  category_update_fails(st, cat, json_pack("{s:s, s:s}", "name", "X", "slug", "Bad Slug"),
                        MC_ERR_INVALID);
  category_update_fails(st, cat, json_object(), MC_ERR_INVALID);
  ck_assert_int_eq(mc_id_new("cat", unused), MC_OK);
  changes = json_pack("{s:s}", "name", "Ghost");
  ck_assert_int_eq(mc_store_category_update(st, unused, changes, NULL, NULL), MC_ERR_NOT_FOUND);
  json_decref(changes);
  json_decref(other);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

/* why says category_in_use with both numbers, then is cleared for the next call. */
static void assert_in_use(mc_refusal *why, int64_t products, int64_t children) {
  ck_assert_str_eq(why->code, "category_in_use");
  ck_assert_int_eq(mc_refusal_number_get(why, MC_CATALOG_N_PRODUCTS, -1), products);
  ck_assert_int_eq(mc_refusal_number_get(why, MC_CATALOG_N_CHILDREN, -1), children);
  mc_refusal_clear(why);
}

/* The first validation error of why is {field, code}; why is cleared for the next call. */
static void assert_error(mc_refusal *why, const char *field, const char *code) {
  json_t *e = json_array_get(why->errors, 0);
  ck_assert_str_eq(why->code, "validation_failed");
  ck_assert_str_eq(str_of(e, "field"), field);
  ck_assert_str_eq(str_of(e, "code"), code);
  mc_refusal_clear(why);
}

/* The position bug: the service allowed -1000000..1000000, the store 0 and more, and the
 * refusal came back as a parent race. One spec now states the range for both. */
START_TEST(contract_category_positions_are_the_specs_range_and_a_refusal_names_position) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = category_doc("below-zero");
  json_t *cat, *after;
  mc_refusal why = {0};

  set(doc, "position", json_integer(-5));
  cat = category_create_ok(st, doc);
  ck_assert_int_eq(json_integer_value(json_object_get(cat, "position")), -5);
  after = category_update_ok(st, str_of(cat, "id"), json_pack("{s:i}", "position", -MC_CATALOG_POSITION_MAX));
  ck_assert_int_eq(json_integer_value(json_object_get(after, "position")), -MC_CATALOG_POSITION_MAX);
  json_decref(after);
  doc = json_pack("{s:I}", "position", (json_int_t)MC_CATALOG_POSITION_MAX + 1);
  ck_assert_int_eq(mc_store_category_update(st, str_of(cat, "id"), doc, NULL, &why), MC_ERR_INVALID);
  assert_error(&why, "position", "out_of_range");
  json_decref(doc);
  json_decref(cat);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_category_refusals_name_the_field_and_the_reason) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *top = category_create_ok(st, category_doc("top"));
  json_t *doc = category_doc("child");
  json_t *child;
  char unknown[MC_ID_MAX];
  mc_refusal why = {0};

  set(doc, "parent_id", json_string(str_of(top, "id")));
  child = category_create_ok(st, doc);
  doc = category_doc("top");
  ck_assert_int_eq(mc_store_category_create(st, doc, NULL, &why), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "slug_taken");
  ck_assert_str_eq(why.field, "slug");
  mc_refusal_clear(&why);
  json_decref(doc);
  ck_assert_int_eq(mc_id_new("cat", unknown), MC_OK);
  doc = category_doc("orphan");
  set(doc, "parent_id", json_string(unknown));
  ck_assert_int_eq(mc_store_category_create(st, doc, NULL, &why), MC_ERR_INVALID);
  assert_error(&why, "parent_id", "not_found");
  set(doc, "parent_id", json_string(str_of(child, "id")));
  ck_assert_int_eq(mc_store_category_create(st, doc, NULL, &why), MC_ERR_INVALID);
  assert_error(&why, "parent_id", "not_top_level");
  json_decref(doc);
  doc = json_pack("{s:s}", "parent_id", str_of(top, "id"));
  ck_assert_int_eq(mc_store_category_update(st, str_of(top, "id"), doc, NULL, &why), MC_ERR_INVALID);
  assert_error(&why, "parent_id", "invalid_parent");
  json_decref(doc);
  doc = category_create_ok(st, category_doc("other"));
  json_t *changes = json_pack("{s:s}", "parent_id", str_of(doc, "id"));
  ck_assert_int_eq(mc_store_category_update(st, str_of(top, "id"), changes, NULL, &why), MC_ERR_INVALID);
  assert_error(&why, "parent_id", "has_children");
  json_decref(changes);
  json_decref(doc);
  json_decref(child);
  json_decref(top);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_category_delete_refuses_a_category_in_use) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *parent = category_create_ok(st, category_doc("kitchen"));
  json_t *doc = category_doc("pans");
  json_t *child, *unused, *p1, *p2, *got = NULL;
  mc_refusal why = {0};

  set(doc, "parent_id", json_string(str_of(parent, "id")));
  child = category_create_ok(st, doc);
  unused = category_create_ok(st, category_doc("unused"));
  doc = product_doc("pan", "Pan", 2500);
  set(doc, "category_ids", json_pack("[s]", str_of(child, "id")));
  p1 = product_create_ok(st, doc);
  doc = product_doc("wok", "Wok", 3500);
  set(doc, "category_ids", json_pack("[s]", str_of(child, "id")));
  set(doc, "active", json_false()); /* inactive products count too */
  p2 = product_create_ok(st, doc);

  ck_assert_int_eq(mc_store_category_delete(st, str_of(child, "id"), &why), MC_ERR_CONFLICT);
  assert_in_use(&why, 2, 0);
  ck_assert_int_eq(mc_store_category_delete(st, str_of(parent, "id"), &why), MC_ERR_CONFLICT);
  assert_in_use(&why, 0, 1);
  ck_assert_int_eq(mc_store_category_get(st, str_of(child, "id"), &got), MC_OK);
  ck_assert(json_equal(got, child));
  json_decref(got);
  ck_assert_int_eq(mc_store_category_get(st, str_of(parent, "id"), &got), MC_OK);
  json_decref(got);
  /* Unused: gone. Then missing. */
  ck_assert_int_eq(mc_store_category_delete(st, str_of(unused, "id"), &why), MC_OK);
  ck_assert_ptr_null(why.code);
  ck_assert_int_eq(mc_store_category_get(st, str_of(unused, "id"), &got), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_category_delete(st, str_of(unused, "id"), NULL),
                   MC_ERR_NOT_FOUND);
  /* Emptied, the child goes, and then its parent. */
  ck_assert_int_eq(mc_store_product_delete(st, str_of(p1, "id"), NULL, NULL), MC_OK);
  json_decref(product_update_ok(st, str_of(p2, "id"), json_pack("{s:[]}", "category_ids")));
  ck_assert_int_eq(mc_store_category_delete(st, str_of(child, "id"), NULL), MC_OK);
  ck_assert_int_eq(mc_store_category_delete(st, str_of(parent, "id"), NULL), MC_OK);
  json_decref(p1);
  json_decref(p2);
  json_decref(unused);
  json_decref(child);
  json_decref(parent);
  close_and_drop(st, &env);
}
END_TEST

static Suite *categories_suite(void) {
  Suite *s = suite_create("store_categories");
  TCase *contract = tcase_create("contract");

  /* Loop tests: _i is the index of the factory the test runs against. */
  tcase_add_loop_test(contract, contract_category_round_trips_with_defaults, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_category_duplicate_slug_or_id_is_a_conflict, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_category_create_rejects_bad_documents, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_category_nesting_is_one_level_deep, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_category_list_orders_by_position_then_name, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_category_update_changes_members_and_refuses_others, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_category_positions_are_the_specs_range_and_a_refusal_names_position, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_category_refusals_name_the_field_and_the_reason, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_category_delete_refuses_a_category_in_use, 0,
                      FACTORY_COUNT);
  suite_add_tcase(s, contract);
  return s;
}

int main(void) {
  return store_contract_main(categories_suite(), "mercato-categories");
}
