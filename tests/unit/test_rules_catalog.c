/* test_rules_catalog.c - unit tests of the catalog's rules (mercato/rules/catalog.h): the field
 * specs of categories, products and images with their limits, the formats, and the decisions a
 * store adapter applies inside its transactions. Pure: no store is opened. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/refusal.h"
#include "mercato/rules/catalog.h"
#include "mercato/store.h"

/* ---- helpers ----------------------------------------------------------------------------- */

/* Checks doc (stolen) with check in mode and expects err; the first error is {field, code}
 * (field NULL: no error, or a refusal of the whole document). */
static void expect(int (*check)(const json_t *, mc_spec_mode, mc_refusal *), json_t *doc, mc_spec_mode mode, int err,
                   const char *field, const char *code) {
  mc_refusal why = {0};
  ck_assert_ptr_nonnull(doc);
  ck_assert_int_eq(check(doc, mode, &why), err);
  if (field != NULL) {
    json_t *e = json_array_get(why.errors, 0);
    ck_assert_str_eq(why.code, "validation_failed");
    ck_assert_str_eq(json_string_value(json_object_get(e, "field")), field);
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), code);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(e, "message")));
  } else if (err != MC_OK) { /* refused as a whole: no field to name */
    ck_assert_str_eq(why.code, "validation_failed");
    ck_assert_ptr_null(why.errors);
  } else {
    ck_assert_ptr_null(why.code);
  }
  mc_refusal_clear(&why);
  json_decref(doc);
}

static json_t *category(void) {
  char id[MC_ID_MAX];
  ck_assert_int_eq(mc_id_new("cat", id), MC_OK);
  return json_pack("{s:s, s:s, s:s}", "id", id, "name", "Chairs", "slug", "chairs");
}

static json_t *product(void) {
  char id[MC_ID_MAX];
  ck_assert_int_eq(mc_id_new("prod", id), MC_OK);
  return json_pack("{s:s, s:s, s:s, s:i, s:s}", "id", id, "name", "Chair", "slug", "chair", "price", 1200, "currency",
                   "EUR");
}

static json_t *with(json_t *doc, const char *key, json_t *value) {
  json_object_set_new(doc, key, value);
  return doc;
}

/* ---- positions: the bug that made one home for the rules ------------------------------- */

START_TEST(a_category_position_is_any_integer_within_minus_and_plus_the_maximum) {
  expect(mc_rules_category_check, with(category(), "position", json_integer(-5)), MC_SPEC_CREATE, MC_OK, NULL, NULL);
  expect(mc_rules_category_check, with(category(), "position", json_integer(-MC_CATALOG_POSITION_MAX)), MC_SPEC_CREATE,
         MC_OK, NULL, NULL);
  expect(mc_rules_category_check, with(category(), "position", json_integer(MC_CATALOG_POSITION_MAX)), MC_SPEC_CREATE,
         MC_OK, NULL, NULL);
  expect(mc_rules_category_check, with(category(), "position", json_integer(-MC_CATALOG_POSITION_MAX - 1)),
         MC_SPEC_CREATE, MC_ERR_INVALID, "position", "out_of_range");
  expect(mc_rules_category_check, with(json_object(), "position", json_integer(MC_CATALOG_POSITION_MAX + 1)),
         MC_SPEC_UPDATE, MC_ERR_INVALID, "position", "out_of_range");
  expect(mc_rules_category_check, with(json_object(), "position", json_real(1.5)), MC_SPEC_VALUES, MC_ERR_INVALID,
         "position", "not_an_integer");
  ck_assert_int_eq(MC_CATALOG_POSITION_MAX, 1000000); /* openapi.yaml states this number */
}
END_TEST

/* ---- category documents ------------------------------------------------------------------ */

START_TEST(a_category_needs_id_name_and_slug_and_takes_nothing_else) {
  expect(mc_rules_category_check, category(), MC_SPEC_CREATE, MC_OK, NULL, NULL);
  json_t *doc = category();
  json_object_del(doc, "slug");
  expect(mc_rules_category_check, doc, MC_SPEC_CREATE, MC_ERR_INVALID, "slug", "required");
  expect(mc_rules_category_check, with(category(), "colour", json_string("red")), MC_SPEC_CREATE, MC_ERR_INVALID,
         "colour", "unknown_field");
  expect(mc_rules_category_check, with(json_object(), "id", json_string("cat_x")), MC_SPEC_UPDATE, MC_ERR_INVALID,
         "id", "read_only");
  expect(mc_rules_category_check, json_object(), MC_SPEC_UPDATE, MC_ERR_INVALID, NULL, NULL);
  expect(mc_rules_category_check, json_object(), MC_SPEC_VALUES, MC_OK, NULL, NULL);
}
END_TEST

START_TEST(names_slugs_descriptions_and_parents_have_their_formats) {
  char long_desc[MC_CATALOG_DESCRIPTION_MAX + 2];
  memset(long_desc, 'd', sizeof long_desc - 1);
  long_desc[sizeof long_desc - 1] = '\0';
  expect(mc_rules_category_check, with(category(), "name", json_string("Tab\there")), MC_SPEC_CREATE, MC_ERR_INVALID,
         "name", "invalid_name");
  expect(mc_rules_category_check, with(category(), "name", json_string("")), MC_SPEC_CREATE, MC_ERR_INVALID, "name",
         "invalid_name");
  expect(mc_rules_category_check, with(category(), "slug", json_string("Bad Slug")), MC_SPEC_CREATE, MC_ERR_INVALID,
         "slug", "invalid_slug");
  expect(mc_rules_category_check, with(category(), "slug", json_integer(3)), MC_SPEC_CREATE, MC_ERR_INVALID, "slug",
         "not_a_string");
  expect(mc_rules_category_check, with(category(), "description", json_string(long_desc)), MC_SPEC_CREATE,
         MC_ERR_INVALID, "description", "too_long");
  expect(mc_rules_category_check, with(category(), "description", json_string("bell \a")), MC_SPEC_CREATE,
         MC_ERR_INVALID, "description", "invalid_character");
  expect(mc_rules_category_check, with(category(), "description", json_string("tab\tand\r\nlines")), MC_SPEC_CREATE,
         MC_OK, NULL, NULL);
  expect(mc_rules_category_check, with(category(), "parent_id", json_string("nope")), MC_SPEC_CREATE, MC_ERR_INVALID,
         "parent_id", "invalid_id");
  expect(mc_rules_category_check, with(category(), "parent_id", json_integer(1)), MC_SPEC_CREATE, MC_ERR_INVALID,
         "parent_id", "invalid_id");
  expect(mc_rules_category_check, with(category(), "parent_id", json_null()), MC_SPEC_CREATE, MC_OK, NULL, NULL);
}
END_TEST

START_TEST(every_problem_of_a_document_is_collected) {
  mc_refusal why = {0};
  json_t *doc = json_pack("{s:s, s:s, s:f, s:s}", "name", "", "slug", "-x-", "position", 1.5, "extra", "x");
  ck_assert_int_eq(mc_rules_category_check(doc, MC_SPEC_VALUES, &why), MC_ERR_INVALID);
  ck_assert_uint_eq(json_array_size(why.errors), 4);
  mc_refusal_clear(&why);
  json_decref(doc);
}
END_TEST

START_TEST(slugs_are_lower_case_words_joined_by_single_hyphens) {
  static const char *const good[] = {"a", "blue-mug-2", "0", "a-b-c"};
  static const char *const bad[] = {"", "-a", "a-", "a--b", "A", "a b", "a_b", "é"};
  char longest[MC_CATALOG_SLUG_MAX + 2];
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) ck_assert(mc_rules_slug_valid(good[i], strlen(good[i])));
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) ck_assert(!mc_rules_slug_valid(bad[i], strlen(bad[i])));
  memset(longest, 'a', sizeof longest);
  ck_assert(mc_rules_slug_valid(longest, MC_CATALOG_SLUG_MAX));
  ck_assert(!mc_rules_slug_valid(longest, MC_CATALOG_SLUG_MAX + 1));
}
END_TEST

/* ---- products and images ----------------------------------------------------------------- */

START_TEST(a_product_has_money_stock_sku_and_categories_within_the_limits) {
  char ids[MC_PRODUCT_CATEGORIES_MAX + 1][MC_ID_MAX];
  json_t *many = json_array();
  for (int i = 0; i <= MC_PRODUCT_CATEGORIES_MAX; i++) {
    ck_assert_int_eq(mc_id_new("cat", ids[i]), MC_OK);
    json_array_append_new(many, json_string(ids[i]));
  }
  expect(mc_rules_product_check, product(), MC_SPEC_CREATE, MC_OK, NULL, NULL);
  expect(mc_rules_product_check, with(product(), "price", json_integer(-1)), MC_SPEC_CREATE, MC_ERR_INVALID, "price",
         "out_of_range");
  expect(mc_rules_product_check, with(product(), "price", json_integer(MC_CATALOG_PRICE_MAX)), MC_SPEC_CREATE, MC_OK,
         NULL, NULL);
  expect(mc_rules_product_check, with(product(), "compare_at_price", json_null()), MC_SPEC_CREATE, MC_OK, NULL, NULL);
  expect(mc_rules_product_check, with(json_object(), "price", json_null()), MC_SPEC_UPDATE, MC_ERR_INVALID, "price",
         "not_an_integer");
  expect(mc_rules_product_check, with(product(), "stock", json_integer(MC_CATALOG_STOCK_MAX + 1)), MC_SPEC_CREATE,
         MC_ERR_INVALID, "stock", "out_of_range");
  expect(mc_rules_product_check, with(product(), "sku", json_string("has space")), MC_SPEC_CREATE, MC_ERR_INVALID,
         "sku", "invalid_sku");
  expect(mc_rules_product_check, with(product(), "sku", json_null()), MC_SPEC_CREATE, MC_OK, NULL, NULL);
  expect(mc_rules_product_check, with(product(), "currency", json_string("eur")), MC_SPEC_CREATE, MC_ERR_INVALID,
         "currency", "invalid_currency");
  expect(mc_rules_product_check, with(json_object(), "currency", json_string("EUR")), MC_SPEC_UPDATE, MC_ERR_INVALID,
         "currency", "read_only");
  expect(mc_rules_product_check, with(product(), "active", json_string("yes")), MC_SPEC_CREATE, MC_ERR_INVALID,
         "active", "not_a_boolean");
  expect(mc_rules_product_check, with(product(), "category_ids", json_string("cat")), MC_SPEC_CREATE, MC_ERR_INVALID,
         "category_ids", "not_an_array");
  expect(mc_rules_product_check, with(product(), "category_ids", json_pack("[s, s]", ids[0], ids[0])), MC_SPEC_CREATE,
         MC_ERR_INVALID, "category_ids", "duplicate");
  expect(mc_rules_product_check, with(product(), "category_ids", json_pack("[s]", "prod_x")), MC_SPEC_CREATE,
         MC_ERR_INVALID, "category_ids", "invalid_id");
  expect(mc_rules_product_check, with(product(), "category_ids", many), MC_SPEC_CREATE, MC_ERR_INVALID, "category_ids",
         "too_many");
}
END_TEST

START_TEST(archived_slugs_are_reserved_and_made_from_the_id) {
  char id[MC_ID_MAX], slug[MC_CATALOG_ARCHIVED_SLUG_LEN + 1];
  ck_assert_int_eq(mc_id_new("prod", id), MC_OK);
  ck_assert_int_eq(mc_rules_archived_slug(id, slug), MC_OK);
  ck_assert_uint_eq(strlen(slug), MC_CATALOG_ARCHIVED_SLUG_LEN);
  ck_assert(mc_rules_slug_valid(slug, strlen(slug)));
  ck_assert(mc_rules_slug_reserved(slug));
  ck_assert(!mc_rules_slug_reserved("archived-lamp"));
  ck_assert_int_eq(mc_rules_archived_slug("cat_x", slug), MC_ERR_INVALID);
  expect(mc_rules_product_check, with(product(), "slug", json_string(slug)), MC_SPEC_CREATE, MC_ERR_INVALID, "slug",
         "reserved");
}
END_TEST

START_TEST(an_image_has_every_member_within_its_bounds) {
  char id[MC_ID_MAX];
  mc_refusal why = {0};
  ck_assert_int_eq(mc_id_new("img", id), MC_OK);
  json_t *ok = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i}", "id", id, "url", "/images/x.png", "content_type",
                         "image/png", "width", MC_IMAGE_DIM_MAX, "height", 1, "bytes", 0);
  ck_assert_int_eq(mc_rules_image_check(ok, &why), MC_OK);
  json_object_set_new(ok, "width", json_integer(MC_IMAGE_DIM_MAX + 1));
  json_object_set_new(ok, "content_type", json_string("image/gif"));
  ck_assert_int_eq(mc_rules_image_check(ok, &why), MC_ERR_INVALID);
  ck_assert_uint_eq(json_array_size(why.errors), 2);
  mc_refusal_clear(&why);
  json_decref(ok);
}
END_TEST

/* ---- decisions ----------------------------------------------------------------------------- */

static void expect_parent(const char *self, const char *parent, int found, const char *grandparent, int64_t children,
                          int err, const char *code) {
  mc_refusal why = {0};
  ck_assert_int_eq(mc_rules_category_parent(self, parent, found, grandparent, children, &why), err);
  if (code == NULL) {
    ck_assert_ptr_null(why.code);
  } else {
    json_t *e = json_array_get(why.errors, 0);
    ck_assert_str_eq(json_string_value(json_object_get(e, "field")), "parent_id");
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), code);
  }
  mc_refusal_clear(&why);
}

START_TEST(a_parent_must_exist_be_top_level_and_not_be_the_category_or_have_grandchildren) {
  expect_parent(NULL, "cat_p", 1, NULL, 0, MC_OK, NULL);
  expect_parent("cat_a", "cat_p", 1, NULL, 0, MC_OK, NULL);
  expect_parent("cat_a", "cat_a", 1, NULL, 0, MC_ERR_INVALID, "invalid_parent");
  expect_parent(NULL, "cat_p", 0, NULL, 0, MC_ERR_INVALID, "not_found");
  expect_parent(NULL, "cat_p", 1, "cat_g", 0, MC_ERR_INVALID, "not_top_level");
  expect_parent("cat_a", "cat_p", 1, NULL, 2, MC_ERR_INVALID, "has_children");
}
END_TEST

START_TEST(a_category_in_use_is_refused_with_its_numbers) {
  mc_refusal why = {0};
  ck_assert_int_eq(mc_rules_category_deletable(0, 0, &why), MC_OK);
  ck_assert_int_eq(mc_rules_category_deletable(2, 1, &why), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "category_in_use");
  ck_assert_int_eq(mc_refusal_number_get(&why, MC_CATALOG_N_PRODUCTS, -1), 2);
  ck_assert_int_eq(mc_refusal_number_get(&why, MC_CATALOG_N_CHILDREN, -1), 1);
  mc_refusal_clear(&why);
}
END_TEST

START_TEST(archived_products_take_no_change_and_images_stop_at_the_maximum) {
  mc_refusal why = {0};
  ck_assert_int_eq(mc_rules_product_writable(0, &why), MC_OK);
  ck_assert_int_eq(mc_rules_product_writable(1, &why), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "product_archived");
  ck_assert_ptr_null(why.errors);
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_rules_image_room(MC_PRODUCT_IMAGES_MAX - 1, &why), MC_OK);
  ck_assert_int_eq(mc_rules_image_room(MC_PRODUCT_IMAGES_MAX, &why), MC_ERR_INVALID);
  ck_assert_str_eq(why.code, "too_many_images");
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_rules_product_removal(0, 0), MC_PRODUCT_DELETE);
  ck_assert_int_eq(mc_rules_product_removal(0, 1), MC_PRODUCT_ARCHIVE);
  ck_assert_int_eq(mc_rules_product_removal(1, 1), MC_PRODUCT_KEEP_ARCHIVED);
}
END_TEST

START_TEST(a_taken_slug_or_sku_is_named_not_guessed) {
  mc_refusal why = {0};
  ck_assert_int_eq(mc_rules_refuse_taken(&why, "sku"), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "sku_taken");
  ck_assert_str_eq(why.field, "sku");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(why.errors, 0), "code")), "taken");
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_rules_refuse_taken(&why, "slug"), MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "slug_taken");
  mc_refusal_clear(&why);
}
END_TEST

START_TEST(a_listing_query_is_within_the_ports_ranges) {
  mc_product_query q = {.min_price = -1, .max_price = -1, .low_stock = -1, .limit = 1};
  ck_assert(mc_rules_product_query_ok(&q));
  q.limit = MC_PRODUCT_LIST_MAX + 1;
  ck_assert(!mc_rules_product_query_ok(&q));
  q.limit = 20;
  q.max_price = MC_CATALOG_PRICE_MAX + 1;
  ck_assert(!mc_rules_product_query_ok(&q));
  q.max_price = -1;
  q.offset = -1;
  ck_assert(!mc_rules_product_query_ok(&q));
}
END_TEST

static Suite *rules_suite(void) {
  Suite *s = suite_create("rules_catalog");
  TCase *tc = tcase_create("specs");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, a_category_position_is_any_integer_within_minus_and_plus_the_maximum);
  tcase_add_test(tc, a_category_needs_id_name_and_slug_and_takes_nothing_else);
  tcase_add_test(tc, names_slugs_descriptions_and_parents_have_their_formats);
  tcase_add_test(tc, every_problem_of_a_document_is_collected);
  tcase_add_test(tc, slugs_are_lower_case_words_joined_by_single_hyphens);
  tcase_add_test(tc, a_product_has_money_stock_sku_and_categories_within_the_limits);
  tcase_add_test(tc, archived_slugs_are_reserved_and_made_from_the_id);
  tcase_add_test(tc, an_image_has_every_member_within_its_bounds);
  tc = tcase_create("decisions");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, a_parent_must_exist_be_top_level_and_not_be_the_category_or_have_grandchildren);
  tcase_add_test(tc, a_category_in_use_is_refused_with_its_numbers);
  tcase_add_test(tc, archived_products_take_no_change_and_images_stop_at_the_maximum);
  tcase_add_test(tc, a_taken_slug_or_sku_is_named_not_guessed);
  tcase_add_test(tc, a_listing_query_is_within_the_ports_ranges);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(rules_suite());
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
