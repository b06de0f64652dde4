/* test_shop.c - unit tests of the country table (lookup, order, iteration) and of the shop's
 * public description built from the configuration (GET /api/v1/shop's body and ETag). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/config.h"
#include "mercato/err.h"
#include "mercato/rules/countries.h"
#include "mercato/shop.h"

/* ---- helpers ----------------------------------------------------------------------------- */

/* Loads the defaults plus the given flags (NULL-terminated) into cfg. */
static void load(mc_config *cfg, const char *const *flags) {
  char *argv[32] = {"mercato"};
  int argc = 1;
  for (; flags && flags[argc - 1]; argc++) {
    ck_assert_int_lt(argc, 32);
    argv[argc] = (char *)flags[argc - 1];
  }
  ck_assert_int_eq(mc_config_load(cfg, argc, argv, 1, stdout, stderr), MC_OK);
}

static const json_t *shop_member(const json_t *doc, const char *name) {
  const json_t *v = json_object_get(json_object_get(doc, "shop"), name);
  ck_assert_msg(v != NULL, "shop.%s is missing", name);
  return v;
}

static json_int_t int_at(const json_t *obj, const char *name) {
  const json_t *v = json_object_get(obj, name);
  ck_assert_msg(json_is_integer(v), "%s is not an integer", name);
  return json_integer_value(v);
}

/* ---- countries --------------------------------------------------------------------------- */

START_TEST(the_table_holds_every_iso_code_once_as_two_capital_letters) {
  char seen[26][26] = {{0}};
  ck_assert_uint_eq(mc_country_count(), 249);
  for (size_t i = 0; i < mc_country_count(); i++) {
    const mc_country *c = mc_country_at(i);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(strlen(c->code), MC_COUNTRY_CODE_LEN);
    ck_assert(c->code[0] >= 'A' && c->code[0] <= 'Z' && c->code[1] >= 'A' && c->code[1] <= 'Z');
    ck_assert_msg(!seen[c->code[0] - 'A'][c->code[1] - 'A'], "%s twice", c->code);
    seen[c->code[0] - 'A'][c->code[1] - 'A'] = 1;
    ck_assert(strlen(c->name) > 0 && strlen(c->name) <= MC_COUNTRY_NAME_MAX);
  }
  ck_assert_ptr_null(mc_country_at(mc_country_count()));
}
END_TEST

START_TEST(every_code_finds_its_own_entry) {
  for (size_t i = 0; i < mc_country_count(); i++)
    ck_assert_ptr_eq(mc_country_find(mc_country_at(i)->code), mc_country_at(i));
  ck_assert_str_eq(mc_country_find("DE")->name, "Germany");
  ck_assert_str_eq(mc_country_find("CI")->name, "Côte d'Ivoire");
  ck_assert_str_eq(mc_country_find("VN")->name, "Vietnam");
}
END_TEST

START_TEST(anything_but_a_known_upper_case_code_finds_nothing) {
  const char *bad[] = {"", "D", "de", "De", "DEU", "XX", "ZZ", "D1", "1D", " DE", "DE "};
  ck_assert_ptr_null(mc_country_find(NULL));
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) ck_assert_ptr_null(mc_country_find(bad[i]));
}
END_TEST

START_TEST(the_table_is_in_the_order_of_the_english_names) {
  /* Accents aside: Åland Islands sits between Afghanistan and Albania, as a reader expects. */
  ck_assert_str_eq(mc_country_at(0)->code, "AF");
  ck_assert_str_eq(mc_country_at(1)->code, "AX");
  ck_assert_str_eq(mc_country_at(2)->code, "AL");
  ck_assert_str_eq(mc_country_at(mc_country_count() - 1)->code, "ZW");
  for (size_t i = 1; i < mc_country_count(); i++) {
    const char *a = mc_country_at(i - 1)->name, *b = mc_country_at(i)->name;
    if ((unsigned char)a[0] < 0x80 && (unsigned char)b[0] < 0x80)
      ck_assert_msg(a[0] <= b[0], "%s before %s", a, b);
  }
}
END_TEST

/* ---- the shop's description -------------------------------------------------------------- */

START_TEST(the_defaults_describe_a_euro_shop_with_manual_payments) {
  mc_config cfg;
  load(&cfg, NULL);
  json_t *doc = mc_shop_describe(&cfg);
  ck_assert_ptr_nonnull(doc);
  ck_assert_str_eq(json_string_value(shop_member(doc, "name")), "Mercato");
  ck_assert_str_eq(json_string_value(shop_member(doc, "currency")), "EUR");
  ck_assert_int_eq(json_integer_value(shop_member(doc, "currency_exponent")), 2);
  const json_t *limits = shop_member(doc, "limits");
  ck_assert_int_eq(int_at(limits, "cart_max_quantity"), 99);
  ck_assert_int_eq(int_at(limits, "cart_max_lines"), 100);
  ck_assert_int_eq(int_at(limits, "guest_cart_ttl"), 2592000);
  ck_assert_int_eq(int_at(limits, "list_limit_default"), 20);
  ck_assert_int_eq(int_at(limits, "list_limit_max"), 100);
  ck_assert_int_eq(int_at(limits, "list_offset_max"), 10000);
  ck_assert_int_eq(int_at(limits, "search_q_max"), 200);
  ck_assert_int_eq(int_at(limits, "coupon_code_max"), 32);
  ck_assert_int_eq(int_at(shop_member(doc, "tax"), "rate_bp"), 0);
  ck_assert(json_is_false(json_object_get(shop_member(doc, "tax"), "inclusive")));
  ck_assert_int_eq(int_at(shop_member(doc, "shipping"), "flat"), 499);
  ck_assert_int_eq(int_at(shop_member(doc, "shipping"), "free_threshold"), 5000);
  ck_assert(json_is_false(json_object_get(shop_member(doc, "payments"), "stripe")));
  ck_assert(json_is_true(json_object_get(shop_member(doc, "payments"), "manual")));
  ck_assert_uint_eq(json_array_size(shop_member(doc, "countries")), mc_country_count());
  json_t *first = json_array_get(shop_member(doc, "countries"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(first, "code")), "AF");
  ck_assert_str_eq(json_string_value(json_object_get(first, "name")), "Afghanistan");
  json_decref(doc);
  mc_config_free(&cfg);
}
END_TEST

START_TEST(the_settings_are_what_the_description_says) {
  const char *flags[] = {"--shop-name", "Bäckerei Süß", "--currency", "JPY", "--cart-max-quantity", "5",
                         "--cart-max-lines", "7", "--guest-cart-ttl", "3600", "--tax-rate", "8.25", "--tax-inclusive", "1",
                         "--shipping-flat", "700", "--free-shipping-threshold", "0", NULL};
  mc_config cfg;
  load(&cfg, flags);
  json_t *doc = mc_shop_describe(&cfg);
  ck_assert_ptr_nonnull(doc);
  ck_assert_str_eq(json_string_value(shop_member(doc, "name")), "Bäckerei Süß");
  ck_assert_str_eq(json_string_value(shop_member(doc, "currency")), "JPY");
  ck_assert_int_eq(json_integer_value(shop_member(doc, "currency_exponent")), 0);
  ck_assert_int_eq(int_at(shop_member(doc, "limits"), "cart_max_quantity"), 5);
  ck_assert_int_eq(int_at(shop_member(doc, "limits"), "cart_max_lines"), 7);
  ck_assert_int_eq(int_at(shop_member(doc, "limits"), "guest_cart_ttl"), 3600);
  ck_assert_int_eq(int_at(shop_member(doc, "tax"), "rate_bp"), 825);
  ck_assert(json_is_true(json_object_get(shop_member(doc, "tax"), "inclusive")));
  ck_assert_int_eq(int_at(shop_member(doc, "shipping"), "flat"), 700);
  /* 0 means shipping is never free: said as null rather than as a convention. */
  ck_assert(json_is_null(json_object_get(shop_member(doc, "shipping"), "free_threshold")));
  json_decref(doc);
  mc_config_free(&cfg);
}
END_TEST

START_TEST(a_name_with_control_characters_or_broken_utf8_is_refused) {
  const char *names[] = {"tab\there", "line\nbreak", "del\x7f", "broken \xc3", "\xff"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *flags[] = {"--shop-name", names[i], NULL};
    mc_config cfg;
    mc_shop_answer a;
    load(&cfg, flags);
    ck_assert_ptr_null(mc_shop_describe(&cfg));
    ck_assert_int_eq(mc_shop_answer_build(&cfg, &a), MC_ERR_INVALID);
    ck_assert_ptr_null(a.body);
    mc_config_free(&cfg);
  }
}
END_TEST

START_TEST(the_answer_is_the_serialised_description_with_a_stable_strong_etag) {
  const char *other[] = {"--cart-max-quantity", "5", NULL};
  mc_config cfg, cfg5;
  mc_shop_answer a, b, c;
  load(&cfg, NULL);
  load(&cfg5, other);
  ck_assert_int_eq(mc_shop_answer_build(&cfg, &a), MC_OK);
  ck_assert_int_eq(mc_shop_answer_build(&cfg, &b), MC_OK);
  ck_assert_int_eq(mc_shop_answer_build(&cfg5, &c), MC_OK);
  ck_assert_uint_eq(a.len, strlen(a.body));
  json_t *doc = json_loadb(a.body, a.len, 0, NULL), *want = mc_shop_describe(&cfg);
  ck_assert(json_equal(doc, want));
  ck_assert_uint_eq(strlen(a.etag), MC_SHOP_ETAG_LEN);
  ck_assert(a.etag[0] == '"' && a.etag[MC_SHOP_ETAG_LEN - 1] == '"');
  ck_assert_str_eq(a.etag, b.etag);
  ck_assert_str_ne(a.etag, c.etag);
  mc_shop_answer_free(&a);
  ck_assert_ptr_null(a.body);
  mc_shop_answer_free(&a); /* twice is fine */
  mc_shop_answer_free(&b);
  mc_shop_answer_free(&c);
  json_decref(doc);
  json_decref(want);
  mc_config_free(&cfg);
  mc_config_free(&cfg5);
}
END_TEST

static Suite *shop_suite(void) {
  Suite *s = suite_create("shop");
  TCase *tc = tcase_create("countries");
  tcase_add_test(tc, the_table_holds_every_iso_code_once_as_two_capital_letters);
  tcase_add_test(tc, every_code_finds_its_own_entry);
  tcase_add_test(tc, anything_but_a_known_upper_case_code_finds_nothing);
  tcase_add_test(tc, the_table_is_in_the_order_of_the_english_names);
  suite_add_tcase(s, tc);
  tc = tcase_create("description");
  tcase_add_test(tc, the_defaults_describe_a_euro_shop_with_manual_payments);
  tcase_add_test(tc, the_settings_are_what_the_description_says);
  tcase_add_test(tc, a_name_with_control_characters_or_broken_utf8_is_refused);
  tcase_add_test(tc, the_answer_is_the_serialised_description_with_a_stable_strong_etag);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(shop_suite());
  int failed;

  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
