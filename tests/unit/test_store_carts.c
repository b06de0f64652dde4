/* test_store_carts.c - the storage port's carts contract, run once per adapter factory: carts
 * read with their lines joined to the products, create-on-first-write for customers and guests,
 * the limits every write enforces (also under concurrency), coupons on carts, merging a guest
 * cart into a customer's, and guest carts that expire. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_carts.h"
#include "store_catalog.h"
#include "store_contract.h"

/* ---- reading and creating -------------------------------------------------------------------- */

START_TEST(contract_cart_is_absent_until_the_first_write) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  hash_buf h = hash_of('a');
  mc_cart_owner customer = {.user_id = str_of(user, "id")}, guest = {.token_hash = h.s};
  mc_cart *out = (mc_cart *)st;

  assert_no_cart(st, &customer);
  assert_no_cart(st, &guest);
  /* Writes that do not create find nothing to change. */
  ck_assert_int_eq(mc_store_cart_clear(st, &customer, &LIMITS, &out), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &guest, &LIMITS, NULL, &out, NULL), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_cart_item_remove(st, &customer, &LIMITS, "prod_x", &out, NULL), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_cart_item_set(st, &guest, &LIMITS, "prod_x", 1, &out, NULL),
                   MC_ERR_NOT_FOUND);
  assert_no_cart(st, &customer);
  assert_no_cart(st, &guest);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_first_add_creates_a_customer_cart_with_lines_joined_to_products) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  mc_cart_owner customer = {.user_id = str_of(user, "id")};
  json_t *mug = stocked(st, "mug", 1250, 10), *pot = stocked(st, "pot", 3000, 5), *image;
  mc_cart *cart, *got;
  const mc_cart_line *line;
  int64_t before;

  image = image_doc("/images/img_pot_1.png");
  ck_assert_int_eq(mc_store_product_image_add(st, str_of(pot, "id"), image, NULL, NULL), MC_OK);
  json_decref(image);
  cart = add_ok(st, &customer, mug, 2);
  ck_assert(mc_id_valid(cart->id, "crt"));
  ck_assert_str_eq(cart->user_id, str_of(user, "id"));
  ck_assert_str_eq(cart->token_hash, "");
  ck_assert_str_eq(cart->coupon_id, "");
  ck_assert_int_eq(cart->expires_at, 0);
  ck_assert_int_gt(cart->created_at, mc_now_ms() - 60000);
  ck_assert_int_eq(cart->updated_at, cart->created_at);
  before = cart->updated_at;
  mc_cart_free(cart);
  tick();
  cart = add_ok(st, &customer, pot, 1);
  assert_lines(cart, "mug:2,pot:1");
  ck_assert_int_gt(cart->updated_at, before);
  line = line_of(cart, str_of(mug, "id"));
  ck_assert_str_eq(line->name, "mug");
  ck_assert_str_eq(line->slug, "mug");
  ck_assert_int_eq(line->unit_price, 1250);
  ck_assert_int_eq(line->price, 1250);
  ck_assert_str_eq(line->currency, "EUR");
  ck_assert_int_eq(line->stock, 10);
  ck_assert_int_eq(line->active, 1);
  ck_assert_ptr_null(line->image_url);
  ck_assert_int_lt(line->added_at, line_of(cart, str_of(pot, "id"))->added_at);
  line = line_of(cart, str_of(pot, "id"));
  ck_assert_str_eq(line->image_url, "/images/img_pot_1.png");
  ck_assert_int_eq(line->image_width, 640);
  ck_assert_int_eq(line->image_height, 480);
  /* What a write returns is what a read finds. */
  got = get_ok(st, &customer);
  ck_assert(carts_equal(got, cart));
  mc_cart_free(got);
  mc_cart_free(cart);
  json_decref(mug);
  json_decref(pot);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

/* The line's image is the product's first image by position, whatever was added or removed. */
START_TEST(contract_cart_line_image_follows_the_products_first_image) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  mc_cart_owner customer = {.user_id = str_of(user, "id")};
  json_t *pot = stocked(st, "pot", 3000, 5), *first = image_doc("/images/first.png"),
         *second = image_doc("/images/second.png");
  mc_cart *cart = add_ok(st, &customer, pot, 1);

  ck_assert_ptr_null(cart->lines[0].image_url);
  mc_cart_free(cart);
  ck_assert_int_eq(mc_store_product_image_add(st, str_of(pot, "id"), first, NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_product_image_add(st, str_of(pot, "id"), second, NULL, NULL), MC_OK);
  cart = get_ok(st, &customer);
  ck_assert_str_eq(cart->lines[0].image_url, "/images/first.png");
  mc_cart_free(cart);
  ck_assert_int_eq(mc_store_product_image_remove(st, str_of(pot, "id"), str_of(first, "id"), NULL, NULL), MC_OK);
  cart = get_ok(st, &customer);
  ck_assert_str_eq(cart->lines[0].image_url, "/images/second.png");
  ck_assert_int_eq(cart->lines[0].image_width, 640);
  mc_cart_free(cart);
  ck_assert_int_eq(mc_store_product_image_remove(st, str_of(pot, "id"), str_of(second, "id"), NULL, NULL), MC_OK);
  cart = get_ok(st, &customer);
  ck_assert_ptr_null(cart->lines[0].image_url);
  mc_cart_free(cart);
  json_decref(first);
  json_decref(second);
  json_decref(pot);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_adding_to_a_line_adds_quantity_and_records_the_current_price) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  mc_cart_owner customer = {.user_id = str_of(user, "id")};
  json_t *mug = stocked(st, "mug", 1250, 10);
  mc_cart *cart;

  mc_cart_free(add_ok(st, &customer, mug, 2));
  json_decref(product_update_ok(st, str_of(mug, "id"), json_pack("{s:i}", "price", 1400)));
  cart = get_ok(st, &customer);
  ck_assert_int_eq(line_of(cart, str_of(mug, "id"))->unit_price, 1250);
  ck_assert_int_eq(line_of(cart, str_of(mug, "id"))->price, 1400);
  mc_cart_free(cart);
  cart = add_ok(st, &customer, mug, 3);
  assert_lines(cart, "mug:5");
  ck_assert_int_eq(line_of(cart, str_of(mug, "id"))->unit_price, 1400);
  mc_cart_free(cart);
  json_decref(mug);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_guest_cart_is_made_under_the_new_hash_only) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  hash_buf presented = hash_of('b'), fresh = hash_of('c');
  mc_cart_owner unknown = {.token_hash = presented.s, .new_token_hash = fresh.s};
  mc_cart_owner by_fresh = {.token_hash = fresh.s}, by_presented = {.token_hash = presented.s};
  json_t *mug = stocked(st, "mug", 500, 10);
  mc_cart *cart, *again;

  /* A hash nobody has is never adopted: the cart is made under the caller's fresh one. */
  cart = add_ok(st, &unknown, mug, 1);
  ck_assert_str_eq(cart->token_hash, fresh.s);
  ck_assert_str_eq(cart->user_id, "");
  ck_assert_int_eq(cart->expires_at, cart->updated_at + LIMITS.guest_ttl_ms);
  assert_no_cart(st, &by_presented);
  again = get_ok(st, &by_fresh);
  ck_assert(carts_equal(again, cart));
  mc_cart_free(again);
  /* Later writes with the hash find that cart, even when they could create. */
  mc_cart_free(add_ok(st, &(mc_cart_owner){.token_hash = fresh.s, .new_token_hash = presented.s}, mug, 2));
  again = get_ok(st, &by_fresh);
  assert_lines(again, "mug:3");
  ck_assert_str_eq(again->id, cart->id);
  assert_no_cart(st, &by_presented);
  mc_cart_free(again);
  mc_cart_free(cart);
  json_decref(mug);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_rejects_malformed_owners_and_limits) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  hash_buf h = hash_of('d');
  char upper[MC_CART_TOKEN_HASH_LEN + 1];
  mc_cart_limits bad = LIMITS;
  json_t *mug = stocked(st, "mug", 500, 10);
  mc_cart *out = (mc_cart *)st;
  const char *pid = str_of(mug, "id");

  snprintf(upper, sizeof upper, "%s", h.s);
  upper[0] = 'D';
  const mc_cart_owner owners[] = {
    {0},
    {.user_id = str_of(user, "id"), .token_hash = h.s},
    {.user_id = str_of(user, "id"), .new_token_hash = h.s},
    {.token_hash = "abc"},
    {.token_hash = upper},
    {.new_token_hash = "zz"},
  };
  for (size_t i = 0; i < sizeof owners / sizeof owners[0]; i++) {
    ck_assert_int_eq(mc_store_cart_item_add(st, &owners[i], &LIMITS, pid, 1, &out, NULL), MC_ERR_INVALID);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(mc_store_cart_get(st, &owners[i], &out), MC_ERR_INVALID);
  }
  ck_assert_int_eq(mc_store_cart_item_add(st, NULL, &LIMITS, pid, 1, &out, NULL), MC_ERR_INVALID);
  bad.max_quantity = 0;
  ck_assert_int_eq(mc_store_cart_item_add(st, &(mc_cart_owner){.new_token_hash = h.s}, &bad, pid, 1, &out, NULL), MC_ERR_INVALID);
  bad = LIMITS;
  bad.max_lines = MC_CART_LINES_MAX + 1;
  ck_assert_int_eq(mc_store_cart_clear(st, &(mc_cart_owner){.token_hash = h.s}, &bad, &out), MC_ERR_INVALID);
  bad = LIMITS;
  bad.guest_ttl_ms = 0;
  ck_assert_int_eq(mc_store_cart_merge(st, h.s, str_of(user, "id"), &bad, &out), MC_ERR_INVALID);
  /* A quantity outside 1..max_quantity is the caller's mistake. */
  ck_assert_int_eq(mc_store_cart_item_add(st, &(mc_cart_owner){.new_token_hash = h.s}, &LIMITS, pid, 0, &out, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_cart_item_add(st, &(mc_cart_owner){.new_token_hash = h.s}, &LIMITS, pid, 100, &out, NULL), MC_ERR_INVALID);
  assert_no_cart(st, &(mc_cart_owner){.token_hash = h.s});
  assert_no_cart(st, &(mc_cart_owner){.user_id = str_of(user, "id")});
  json_decref(mug);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

/* ---- limits ------------------------------------------------------------------------------------- */

/* Expects an add to fail with err and the refusal code, naming field, with the number (when
 * number is not NULL) at value. */
static void add_fails(mc_store *st, const mc_cart_owner *o, const mc_cart_limits *limits, const char *pid,
                      int64_t q, int err, const char *code, const char *field, const char *number, int64_t value) {
  mc_refusal why = {0};
  mc_cart *out = (mc_cart *)st;
  ck_assert_int_eq(mc_store_cart_item_add(st, o, limits, pid, q, &out, &why), err);
  ck_assert_ptr_null(out);
  ck_assert_str_eq(why.code, code);
  ck_assert_str_eq(why.field, field);
  ck_assert_msg(why.detail[0] != '\0', "the refusal has no detail");
  if (number != NULL) ck_assert_int_eq(mc_refusal_number_get(&why, number, -1), value);
  mc_refusal_clear(&why);
}

START_TEST(contract_cart_add_refuses_unknown_or_inactive_products_and_creates_nothing) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  hash_buf h = hash_of('e');
  mc_cart_owner customer = {.user_id = str_of(user, "id")}, guest = {.new_token_hash = h.s};
  json_t *off = stocked(st, "off", 500, 10);

  json_decref(product_update_ok(st, str_of(off, "id"), json_pack("{s:b}", "active", 0)));
  add_fails(st, &customer, &LIMITS, "prod_00000000000000000000000000", 1, MC_ERR_NOT_FOUND, "unknown_product",
            "product_id", NULL, 0);
  add_fails(st, &customer, &LIMITS, str_of(off, "id"), 1, MC_ERR_NOT_FOUND, "unknown_product", "product_id", NULL, 0);
  add_fails(st, &guest, &LIMITS, str_of(off, "id"), 1, MC_ERR_NOT_FOUND, "unknown_product", "product_id", NULL, 0);
  add_fails(st, &guest, &LIMITS, "not an id at all, and far too long to be one of ours", 1, MC_ERR_NOT_FOUND,
            "unknown_product", "product_id", NULL, 0);
  assert_no_cart(st, &customer);
  assert_no_cart(st, &(mc_cart_owner){.token_hash = h.s});
  json_decref(off);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_add_refuses_more_than_stock_max_quantity_or_max_lines) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  mc_cart_owner customer = {.user_id = str_of(user, "id")};
  mc_cart_limits small = {.max_quantity = 8, .max_lines = 2, .guest_ttl_ms = 1000};
  json_t *a = stocked(st, "a", 100, 5), *b = stocked(st, "b", 100, 50), *c = stocked(st, "c", 100, 50);
  mc_cart *cart;

  /* Stock counts what the line already holds: the answer is how many there are. */
  add_fails(st, &customer, &small, str_of(a, "id"), 6, MC_ERR_CONFLICT, "insufficient_stock", "quantity", "available", 5);
  mc_cart_free(add_ok(st, &customer, a, 3));
  add_fails(st, &customer, &small, str_of(a, "id"), 3, MC_ERR_CONFLICT, "insufficient_stock", "quantity", "available", 5);
  /* The line may hold at most max_quantity: the answer is what it may still take. */
  ck_assert_int_eq(mc_store_cart_item_add(st, &customer, &small, str_of(b, "id"), 6, NULL, NULL), MC_OK);
  add_fails(st, &customer, &small, str_of(b, "id"), 3, MC_ERR_INVALID, "line_limit", "quantity", "available", 2);
  /* A third distinct product does not fit in two lines; more of one already there does. */
  add_fails(st, &customer, &small, str_of(c, "id"), 1, MC_ERR_CONFLICT, "cart_full", "product_id", "limit", 2);
  ck_assert_int_eq(mc_store_cart_item_add(st, &customer, &small, str_of(b, "id"), 2, NULL, NULL), MC_OK);
  cart = get_ok(st, &customer);
  assert_lines(cart, "a:3,b:8");
  mc_cart_free(cart);
  json_decref(a);
  json_decref(b);
  json_decref(c);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_set_changes_a_line_within_stock_and_records_the_price) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  mc_cart_owner customer = {.user_id = str_of(user, "id")};
  json_t *a = stocked(st, "a", 100, 5), *b = stocked(st, "b", 200, 5);
  mc_cart *cart = NULL;
  mc_refusal why = {0};

  mc_cart_free(add_ok(st, &customer, a, 2));
  ck_assert_int_eq(mc_store_cart_item_set(st, &customer, &LIMITS, str_of(b, "id"), 1, &cart, &why),
                   MC_ERR_NOT_FOUND);
  ck_assert_str_eq(why.code, "not_in_cart");
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_store_cart_item_set(st, &customer, &LIMITS, str_of(a, "id"), 6, &cart, &why),
                   MC_ERR_CONFLICT);
  ck_assert_str_eq(why.code, "insufficient_stock");
  ck_assert_int_eq(mc_refusal_number_get(&why, "available", -1), 5);
  mc_refusal_clear(&why);
  json_decref(product_update_ok(st, str_of(a, "id"), json_pack("{s:i}", "price", 90)));
  ck_assert_int_eq(mc_store_cart_item_set(st, &customer, &LIMITS, str_of(a, "id"), 5, &cart, NULL), MC_OK);
  assert_lines(cart, "a:5");
  ck_assert_int_eq(line_of(cart, str_of(a, "id"))->unit_price, 90);
  mc_cart_free(cart);
  /* An inactive product has nothing available; its line can only go. */
  json_decref(product_update_ok(st, str_of(a, "id"), json_pack("{s:b}", "active", 0)));
  ck_assert_int_eq(mc_store_cart_item_set(st, &customer, &LIMITS, str_of(a, "id"), 1, &cart, &why),
                   MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_refusal_number_get(&why, "available", -1), 0);
  mc_refusal_clear(&why);
  cart = get_ok(st, &customer);
  assert_lines(cart, "a:5");
  ck_assert_int_eq(line_of(cart, str_of(a, "id"))->active, 0);
  mc_cart_free(cart);
  json_decref(a);
  json_decref(b);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_remove_and_clear) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  mc_cart_owner customer = {.user_id = str_of(user, "id")};
  json_t *a = stocked(st, "a", 100, 5), *b = stocked(st, "b", 200, 5), *coupon = cart_coupon_create_ok(st, "TEN");
  mc_cart *cart = NULL;

  mc_cart_free(add_ok(st, &customer, a, 1));
  mc_cart_free(add_ok(st, &customer, b, 2));
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &customer, &LIMITS, str_of(coupon, "id"), NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_cart_item_remove(st, &customer, &LIMITS, str_of(a, "id"), &cart, NULL), MC_OK);
  assert_lines(cart, "b:2");
  mc_cart_free(cart);
  ck_assert_int_eq(mc_store_cart_item_remove(st, &customer, &LIMITS, str_of(a, "id"), &cart, NULL), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_cart_clear(st, &customer, &LIMITS, &cart), MC_OK);
  assert_lines(cart, "");
  ck_assert_str_eq(cart->coupon_id, "");
  mc_cart_free(cart);
  /* The cart itself stays: a cleared cart is an empty one. */
  cart = get_ok(st, &customer);
  assert_lines(cart, "");
  mc_cart_free(cart);
  json_decref(coupon);
  json_decref(a);
  json_decref(b);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_coupon_is_set_replaced_removed_and_lost_with_the_coupon) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  hash_buf h = hash_of('f');
  mc_cart_owner creating = {.new_token_hash = h.s}, guest = {.token_hash = h.s};
  json_t *ten = cart_coupon_create_ok(st, "TEN"), *twenty = cart_coupon_create_ok(st, "TWENTY");
  mc_cart *cart = NULL;

  /* Applying a coupon is a first write too: it makes the cart. */
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &creating, &LIMITS, str_of(ten, "id"), &cart, NULL), MC_OK);
  ck_assert_str_eq(cart->coupon_id, str_of(ten, "id"));
  assert_lines(cart, "");
  mc_cart_free(cart);
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &guest, &LIMITS, str_of(twenty, "id"), &cart, NULL), MC_OK);
  ck_assert_str_eq(cart->coupon_id, str_of(twenty, "id"));
  mc_cart_free(cart);
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &guest, &LIMITS, "cpn_00000000000000000000000000", &cart, NULL),
                   MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(cart);
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &guest, &LIMITS, NULL, &cart, NULL), MC_OK);
  ck_assert_str_eq(cart->coupon_id, "");
  mc_cart_free(cart);
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &guest, &LIMITS, str_of(ten, "id"), NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_coupon_delete(st, str_of(ten, "id"), NULL), MC_OK);
  cart = get_ok(st, &guest);
  ck_assert_str_eq(cart->coupon_id, "");
  mc_cart_free(cart);
  json_decref(ten);
  json_decref(twenty);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_deleting_a_product_removes_its_lines_everywhere) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  hash_buf h = hash_of('1');
  mc_cart_owner customer = {.user_id = str_of(user, "id")}, guest = {.token_hash = h.s};
  json_t *a = stocked(st, "a", 100, 5), *b = stocked(st, "b", 200, 5);
  mc_cart *cart;

  mc_cart_free(add_ok(st, &customer, a, 1));
  mc_cart_free(add_ok(st, &customer, b, 1));
  mc_cart_free(add_ok(st, &(mc_cart_owner){.new_token_hash = h.s}, a, 2));
  ck_assert_int_eq(mc_store_product_delete(st, str_of(a, "id"), NULL, NULL), MC_OK);
  cart = get_ok(st, &customer);
  assert_lines(cart, "b:1");
  mc_cart_free(cart);
  cart = get_ok(st, &guest);
  assert_lines(cart, "");
  mc_cart_free(cart);
  json_decref(a);
  json_decref(b);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

/* ---- merge ------------------------------------------------------------------------------------ */

START_TEST(contract_cart_merge_adds_guest_lines_capped_by_stock_and_removes_the_guest_cart) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  hash_buf h = hash_of('2');
  mc_cart_owner customer = {.user_id = str_of(user, "id")}, guest = {.token_hash = h.s};
  mc_cart_owner new_guest = {.new_token_hash = h.s};
  json_t *both = stocked(st, "both", 100, 6), *mine = stocked(st, "mine", 100, 9);
  json_t *theirs = stocked(st, "theirs", 250, 4), *sold = stocked(st, "sold", 100, 3);
  json_t *gone = stocked(st, "gone", 100, 3);
  mc_cart *cart = NULL;
  int64_t purged = -1;
  const mc_cart_line *line;

  mc_cart_free(add_ok(st, &customer, both, 4));
  mc_cart_free(add_ok(st, &customer, mine, 1));
  mc_cart_free(add_ok(st, &new_guest, both, 5));
  mc_cart_free(add_ok(st, &guest, theirs, 4));
  mc_cart_free(add_ok(st, &guest, sold, 2));
  mc_cart_free(add_ok(st, &guest, gone, 1));
  /* Since the guest added them: fewer in stock, one sold out, one switched off, a new price. */
  json_decref(product_update_ok(st, str_of(theirs, "id"), json_pack("{s:i, s:i}", "stock", 3, "price", 300)));
  json_decref(product_update_ok(st, str_of(sold, "id"), json_pack("{s:i}", "stock", 0)));
  json_decref(product_update_ok(st, str_of(gone, "id"), json_pack("{s:b}", "active", 0)));
  ck_assert_int_eq(mc_store_cart_merge(st, h.s, str_of(user, "id"), &LIMITS, &cart), MC_OK);
  /* 4 + 5 capped at the 6 in stock; a new line capped at 3; the price the guest saw is kept. */
  assert_lines(cart, "both:6,mine:1,theirs:3");
  line = line_of(cart, str_of(theirs, "id"));
  ck_assert_int_eq(line->unit_price, 250);
  ck_assert_int_eq(line->price, 300);
  mc_cart_free(cart);
  assert_no_cart(st, &guest);
  /* Deleted, not left to expire: there is nothing for the purge. */
  ck_assert_int_eq(mc_store_cart_purge_expired(st, 100, &purged), MC_OK);
  ck_assert_int_eq(purged, 0);
  ck_assert_int_eq(mc_store_cart_merge(st, h.s, str_of(user, "id"), &LIMITS, &cart), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(cart);
  json_decref(both);
  json_decref(mine);
  json_decref(theirs);
  json_decref(sold);
  json_decref(gone);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_merge_never_lowers_a_line_and_keeps_max_quantity_and_max_lines) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  hash_buf h = hash_of('3');
  /* Finds the guest cart, or makes it under the same hash. */
  mc_cart_owner customer = {.user_id = str_of(user, "id")}, guest = {.token_hash = h.s, .new_token_hash = h.s};
  mc_cart_limits small = {.max_quantity = 5, .max_lines = 2, .guest_ttl_ms = 60000};
  json_t *low = stocked(st, "low", 100, 10), *big = stocked(st, "big", 100, 100);
  json_t *extra = stocked(st, "extra", 100, 100);
  mc_cart *cart = NULL;

  ck_assert_int_eq(mc_store_cart_item_add(st, &customer, &small, str_of(low, "id"), 5, NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_cart_item_add(st, &guest, &small, str_of(low, "id"), 2, NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_cart_item_add(st, &guest, &small, str_of(big, "id"), 4, NULL, NULL), MC_OK);
  /* The customer's line dropped below what they hold since: the merge leaves it as it is. */
  json_decref(product_update_ok(st, str_of(low, "id"), json_pack("{s:i}", "stock", 2)));
  ck_assert_int_eq(mc_store_cart_merge(st, h.s, str_of(user, "id"), &small, &cart), MC_OK);
  assert_lines(cart, "low:5,big:4");
  mc_cart_free(cart);
  /* A second guest cart: more of big passes max_quantity (5), a third line passes max_lines. */
  ck_assert_int_eq(mc_store_cart_item_add(st, &guest, &small, str_of(big, "id"), 3, NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_cart_item_add(st, &guest, &small, str_of(extra, "id"), 1, NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_cart_merge(st, h.s, str_of(user, "id"), &small, &cart), MC_OK);
  assert_lines(cart, "low:5,big:5");
  mc_cart_free(cart);
  json_decref(low);
  json_decref(big);
  json_decref(extra);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_merge_creates_the_customer_cart_and_carries_the_coupon_over) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com"), *other = user_create_ok(st, "b@example.com");
  hash_buf h1 = hash_of('4'), h2 = hash_of('5');
  mc_cart_owner g1 = {.new_token_hash = h1.s}, g2 = {.new_token_hash = h2.s};
  mc_cart_owner customer = {.user_id = str_of(other, "id")};
  json_t *mug = stocked(st, "mug", 100, 10), *ten = cart_coupon_create_ok(st, "TEN");
  json_t *twenty = cart_coupon_create_ok(st, "TWENTY");
  mc_cart *cart = NULL;

  mc_cart_free(add_ok(st, &g1, mug, 1));
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &(mc_cart_owner){.token_hash = h1.s}, &LIMITS, str_of(ten, "id"),
                                            NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_cart_merge(st, h1.s, str_of(user, "id"), &LIMITS, &cart), MC_OK);
  ck_assert_str_eq(cart->user_id, str_of(user, "id"));
  ck_assert_str_eq(cart->coupon_id, str_of(ten, "id"));
  assert_lines(cart, "mug:1");
  mc_cart_free(cart);
  /* A customer who has a coupon keeps theirs. */
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &customer, &LIMITS, str_of(twenty, "id"), NULL, NULL), MC_OK);
  mc_cart_free(add_ok(st, &g2, mug, 2));
  ck_assert_int_eq(mc_store_cart_coupon_set(st, &(mc_cart_owner){.token_hash = h2.s}, &LIMITS, str_of(ten, "id"),
                                            NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_cart_merge(st, h2.s, str_of(other, "id"), &LIMITS, &cart), MC_OK);
  ck_assert_str_eq(cart->coupon_id, str_of(twenty, "id"));
  assert_lines(cart, "mug:2");
  mc_cart_free(cart);
  json_decref(mug);
  json_decref(ten);
  json_decref(twenty);
  json_decref(user);
  json_decref(other);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_refuses_a_line_that_takes_the_cart_past_max_subtotal) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  mc_cart_owner customer = {.user_id = str_of(user, "id")};
  mc_cart_limits capped = LIMITS;
  json_t *a = stocked(st, "a", 400, 50), *b = stocked(st, "b", 300, 50);
  mc_refusal why = {0};
  mc_cart *cart;

  capped.max_subtotal = 1000;
  ck_assert_int_eq(mc_store_cart_item_add(st, &customer, &capped, str_of(a, "id"), 2, NULL, NULL), MC_OK);
  /* 800 + 300 would pass 1000: refused, naming the quantity and the limit. */
  ck_assert_int_eq(mc_store_cart_item_add(st, &customer, &capped, str_of(b, "id"), 1, NULL, &why), MC_ERR_INVALID);
  ck_assert_str_eq(why.code, "total_limit");
  ck_assert_str_eq(why.field, "quantity");
  ck_assert_int_eq(mc_refusal_number_get(&why, "limit", -1), 1000);
  mc_refusal_clear(&why);
  ck_assert_int_eq(mc_store_cart_item_set(st, &customer, &capped, str_of(a, "id"), 3, NULL, &why), MC_ERR_INVALID);
  ck_assert_str_eq(why.code, "total_limit");
  mc_refusal_clear(&why);
  /* Lowering a line is always fine; exactly the cap is too. */
  ck_assert_int_eq(mc_store_cart_item_set(st, &customer, &capped, str_of(a, "id"), 1, NULL, NULL), MC_OK);
  ck_assert_int_eq(mc_store_cart_item_add(st, &customer, &capped, str_of(b, "id"), 2, NULL, NULL), MC_OK);
  cart = get_ok(st, &customer);
  assert_lines(cart, "a:1,b:2");
  mc_cart_free(cart);
  json_decref(a);
  json_decref(b);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_a_new_guest_cart_lives_briefly_until_its_second_write) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  hash_buf h = hash_of('5');
  mc_cart_limits limits = LIMITS;
  json_t *mug = stocked(st, "mug", 100, 10);
  mc_cart *cart = NULL;

  limits.guest_first_ttl_ms = 60 * 1000;
  ck_assert_int_eq(mc_store_cart_item_add(st, &(mc_cart_owner){.new_token_hash = h.s}, &limits, str_of(mug, "id"), 1,
                                          &cart, NULL),
                   MC_OK);
  ck_assert_int_eq(cart->expires_at - cart->updated_at, 60 * 1000);
  mc_cart_free(cart);
  tick();
  ck_assert_int_eq(mc_store_cart_item_add(st, &(mc_cart_owner){.token_hash = h.s}, &limits, str_of(mug, "id"), 1,
                                          &cart, NULL),
                   MC_OK);
  ck_assert_int_eq(cart->expires_at - cart->updated_at, limits.guest_ttl_ms);
  mc_cart_free(cart);
  json_decref(mug);
  close_and_drop(st, &env);
}
END_TEST

/* ---- expiry ----------------------------------------------------------------------------------- */

START_TEST(contract_cart_expired_guest_carts_are_absent_and_purged) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  hash_buf old = hash_of('6'), fresh = hash_of('7'), later = hash_of('8');
  mc_cart_limits brief = {.max_quantity = 99, .max_lines = 100, .guest_ttl_ms = 1};
  json_t *mug = stocked(st, "mug", 100, 10);
  mc_cart *cart = NULL;
  int64_t purged = -1, before;

  /* (Made first: making a guest cart purges expired ones.) */
  mc_cart_free(add_ok(st, &(mc_cart_owner){.new_token_hash = fresh.s}, mug, 1));
  mc_cart_free(add_ok(st, &(mc_cart_owner){.user_id = str_of(user, "id")}, mug, 1));
  ck_assert_int_eq(mc_store_cart_item_add(st, &(mc_cart_owner){.new_token_hash = old.s}, &brief,
                                          str_of(mug, "id"), 1, NULL, NULL), MC_OK);
  tick();
  /* Expired: not readable, not writable, not mergeable, though still stored. */
  assert_no_cart(st, &(mc_cart_owner){.token_hash = old.s});
  ck_assert_int_eq(mc_store_cart_clear(st, &(mc_cart_owner){.token_hash = old.s}, &LIMITS, &cart), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_cart_merge(st, old.s, str_of(user, "id"), &LIMITS, &cart), MC_ERR_NOT_FOUND);
  /* The expired cart is stored until purged: the purge finds it, and only it. */
  ck_assert_int_eq(mc_store_cart_purge_expired(st, 100, &purged), MC_OK);
  ck_assert_int_eq(purged, 1);
  ck_assert_int_eq(mc_store_cart_purge_expired(st, 100, &purged), MC_OK);
  ck_assert_int_eq(purged, 0);
  ck_assert_int_eq(mc_store_cart_purge_expired(st, 0, &purged), MC_ERR_INVALID);
  cart = get_ok(st, &(mc_cart_owner){.token_hash = fresh.s});
  mc_cart_free(cart);
  /* Creating a guest cart purges expired ones on the way: nothing is left for the purge. */
  ck_assert_int_eq(mc_store_cart_item_add(st, &(mc_cart_owner){.new_token_hash = old.s}, &brief,
                                          str_of(mug, "id"), 1, NULL, NULL), MC_OK);
  tick();
  mc_cart_free(add_ok(st, &(mc_cart_owner){.new_token_hash = later.s}, mug, 1));
  ck_assert_int_eq(mc_store_cart_purge_expired(st, 100, &purged), MC_OK);
  ck_assert_int_eq(purged, 0);
  /* Every write pushes a live guest cart's expiry forward. */
  cart = get_ok(st, &(mc_cart_owner){.token_hash = fresh.s});
  before = cart->expires_at;
  mc_cart_free(cart);
  tick();
  mc_cart_free(add_ok(st, &(mc_cart_owner){.token_hash = fresh.s}, mug, 1));
  cart = get_ok(st, &(mc_cart_owner){.token_hash = fresh.s});
  ck_assert_int_gt(cart->expires_at, before);
  mc_cart_free(cart);
  json_decref(mug);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

/* ---- concurrency ------------------------------------------------------------------------------ */

#define RACERS 8

typedef struct cart_racer {
  mc_store *st;
  pthread_barrier_t *start;
  const mc_cart_owner *owner;
  const char *product_id;
  int64_t quantity;
  int once;     /* 1: one add; 0: add until refused */
  int added;    /* adds that succeeded */
  int refused;  /* adds refused for stock */
  int other;    /* any other result */
} cart_racer;

static void *race_add(void *arg) {
  cart_racer *r = arg;
  pthread_barrier_wait(r->start);
  for (;;) {
    mc_refusal why = {0};
    int err = mc_store_cart_item_add(r->st, r->owner, &LIMITS, r->product_id, r->quantity, NULL, &why);
    if (err == MC_OK) r->added++;
    else if (err == MC_ERR_CONFLICT && strcmp(why.code, "insufficient_stock") == 0) r->refused++;
    else r->other++;
    mc_refusal_clear(&why);
    if (r->once || err != MC_OK) break;
  }
  return NULL;
}

static void race(cart_racer *r, int n) {
  pthread_t th[RACERS];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, (unsigned)n);
  for (int i = 0; i < n; i++) {
    r[i].start = &start;
    ck_assert_int_eq(pthread_create(&th[i], NULL, race_add, &r[i]), 0);
  }
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&start);
}

START_TEST(contract_cart_two_adds_of_the_last_units_cannot_both_pass_the_stock) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  mc_cart_owner customer = {.user_id = str_of(user, "id")};

  for (int round = 0; round < 20; round++) {
    char slug[32];
    json_t *p;
    mc_cart *cart;
    cart_racer r[2];
    snprintf(slug, sizeof slug, "last-%d", round);
    p = stocked(st, slug, 100, 10);
    mc_cart_free(add_ok(st, &customer, p, 6));
    for (int i = 0; i < 2; i++)
      r[i] = (cart_racer){.st = st, .owner = &customer, .product_id = str_of(p, "id"), .quantity = 4, .once = 1};
    race(r, 2);
    ck_assert_int_eq(r[0].added + r[1].added, 1);
    ck_assert_int_eq(r[0].refused + r[1].refused, 1);
    ck_assert_int_eq(r[0].other + r[1].other, 0);
    cart = get_ok(st, &customer);
    ck_assert_int_eq(line_of(cart, str_of(p, "id"))->quantity, 10);
    mc_cart_free(cart);
    json_decref(p);
  }
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_cart_racing_adds_fill_a_line_exactly_to_the_stock) {
  store_env env;
  mc_store *st = open_fresh(&factories[_i], &env);
  json_t *user = user_create_ok(st, "a@example.com");
  mc_cart_owner customer = {.user_id = str_of(user, "id")};
  json_t *p = stocked(st, "racy", 100, 60);
  mc_cart *cart;
  cart_racer r[RACERS];
  int added = 0;

  for (int i = 0; i < RACERS; i++)
    r[i] = (cart_racer){.st = st, .owner = &customer, .product_id = str_of(p, "id"), .quantity = 1};
  race(r, RACERS);
  for (int i = 0; i < RACERS; i++) {
    ck_assert_int_eq(r[i].other, 0);
    ck_assert_int_eq(r[i].refused, 1);
    added += r[i].added;
  }
  ck_assert_int_eq(added, 60);
  cart = get_ok(st, &customer);
  assert_lines(cart, "racy:60");
  mc_cart_free(cart);
  json_decref(p);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

static Suite *carts_suite(void) {
  Suite *s = suite_create("store_carts");
  TCase *contract = tcase_create("contract");

  tcase_add_loop_test(contract, contract_cart_is_absent_until_the_first_write, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_first_add_creates_a_customer_cart_with_lines_joined_to_products,
                      0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_line_image_follows_the_products_first_image, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_adding_to_a_line_adds_quantity_and_records_the_current_price, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_guest_cart_is_made_under_the_new_hash_only, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_rejects_malformed_owners_and_limits, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_add_refuses_unknown_or_inactive_products_and_creates_nothing, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_add_refuses_more_than_stock_max_quantity_or_max_lines, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_set_changes_a_line_within_stock_and_records_the_price, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_remove_and_clear, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_coupon_is_set_replaced_removed_and_lost_with_the_coupon, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_deleting_a_product_removes_its_lines_everywhere, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_merge_adds_guest_lines_capped_by_stock_and_removes_the_guest_cart,
                      0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_merge_never_lowers_a_line_and_keeps_max_quantity_and_max_lines, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_merge_creates_the_customer_cart_and_carries_the_coupon_over, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_expired_guest_carts_are_absent_and_purged, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_refuses_a_line_that_takes_the_cart_past_max_subtotal, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_a_new_guest_cart_lives_briefly_until_its_second_write, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_two_adds_of_the_last_units_cannot_both_pass_the_stock, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_cart_racing_adds_fill_a_line_exactly_to_the_stock, 0, FACTORY_COUNT);
  suite_add_tcase(s, contract);
  return s;
}

int main(void) {
  return store_contract_main(carts_suite(), "mercato-carts");
}
