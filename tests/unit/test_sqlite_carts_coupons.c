/* test_sqlite_carts_coupons.c - SQLite only: what the sqlite adapter's schema guards for carts
 * and coupons, seen past the port on a second handle (rows kept and removed, constraints that
 * hold for any writer). The contract suites (test_store_carts.c, test_store_coupons.c,
 * test_store_coupon_redemptions.c) use the port alone and run against every adapter. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>

#include "mercato/err.h"
#include "store_carts.h"
#include "store_contract.h"
#include "store_coupons.h"

/* Runs a one-integer query (param bound to ?1 when not NULL) on a second handle; -1 for NULL. */
static int64_t raw_int(const store_env *env, const char *sql, const char *param) {
  sqlite3 *db = raw_open(env);
  sqlite3_stmt *stmt = NULL;
  int64_t v;
  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  if (param != NULL) ck_assert_int_eq(sqlite3_bind_text(stmt, 1, param, -1, SQLITE_TRANSIENT), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
  v = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  return v;
}

static mc_store *open_sqlite(store_env *env) {
  return open_fresh(&factories[0], env);
}

START_TEST(sqlite_deleting_a_coupon_takes_it_off_carts) {
  store_env env;
  mc_store *st = open_sqlite(&env);
  char id[MC_ID_MAX], sql[512];

  COUPON_WITH(id, "s:b", "active", 1);
  snprintf(sql, sizeof sql,
           "INSERT INTO carts (id, token_hash, coupon_id, created_at, updated_at, expires_at) VALUES "
           "('cart_1', '%064d', '%s', 0, 0, 1)",
           0, id);
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_OK);
  ck_assert_int_eq(mc_store_coupon_delete(st, id, NULL), MC_OK);
  ck_assert_int_eq(raw_int(&env, "SELECT coupon_id IS NULL FROM carts WHERE id = ?1", "cart_1"), 1);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_times_used_cannot_pass_the_usage_limit_for_any_writer) {
  store_env env;
  mc_store *st = open_sqlite(&env);
  char id[MC_ID_MAX], sql[256];

  COUPON_WITH(id, "s:i", "usage_limit", 1);
  ck_assert_int_eq(redeem(st, id, NULL), MC_COUPON_APPLIES);
  snprintf(sql, sizeof sql, "UPDATE coupons SET times_used = times_used + 1 WHERE id = '%s'", id);
  ck_assert_int_eq(raw_exec(&env, sql), SQLITE_CONSTRAINT);
  ck_assert_int_eq(raw_int(&env, "SELECT times_used FROM coupons WHERE id = ?1", id), 1);
  ck_assert_int_eq(raw_int(&env, "SELECT code = upper(code) FROM coupons WHERE id = ?1", id), 1);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_refused_cart_writes_leave_no_rows) {
  store_env env;
  mc_store *st = open_sqlite(&env);
  hash_buf h = hash_of('e');
  json_t *user = user_create_ok(st, "a@example.com"), *few = stocked(st, "few", 100, 1);
  mc_cart_owner customer = {.user_id = str_of(user, "id")}, guest = {.new_token_hash = h.s};

  ck_assert_int_eq(mc_store_cart_item_add(st, &customer, &LIMITS, "prod_00000000000000000000000000", 1, NULL, NULL),
                   MC_ERR_NOT_FOUND);
  ck_assert_int_eq(mc_store_cart_item_add(st, &guest, &LIMITS, str_of(few, "id"), 2, NULL, NULL), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_store_cart_clear(st, &customer, &LIMITS, NULL), MC_ERR_NOT_FOUND);
  ck_assert_int_eq(raw_int(&env, "SELECT count(*) FROM carts", NULL), 0);
  ck_assert_int_eq(raw_int(&env, "SELECT count(*) FROM cart_items", NULL), 0);
  json_decref(few);
  json_decref(user);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_expired_carts_stay_until_purged_and_take_their_lines) {
  store_env env;
  mc_store *st = open_sqlite(&env);
  hash_buf old = hash_of('6'), fresh = hash_of('7');
  mc_cart_limits brief = {.max_quantity = 99, .max_lines = 100, .guest_ttl_ms = 1};
  json_t *mug = stocked(st, "mug", 100, 10);
  int64_t purged = -1;

  mc_cart_free(add_ok(st, &(mc_cart_owner){.new_token_hash = fresh.s}, mug, 1));
  ck_assert_int_eq(mc_store_cart_item_add(st, &(mc_cart_owner){.new_token_hash = old.s}, &brief, str_of(mug, "id"), 1,
                                          NULL, NULL),
                   MC_OK);
  tick();
  ck_assert_int_eq(raw_int(&env, "SELECT count(*) FROM carts", NULL), 2);
  ck_assert_int_eq(mc_store_cart_purge_expired(st, 100, &purged), MC_OK);
  ck_assert_int_eq(purged, 1);
  ck_assert_int_eq(raw_int(&env, "SELECT count(*) FROM carts WHERE token_hash = ?1", old.s), 0);
  ck_assert_int_eq(raw_int(&env, "SELECT count(*) FROM cart_items", NULL), 1);
  json_decref(mug);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_a_new_guest_cart_is_stored_with_the_first_lifetime) {
  store_env env;
  mc_store *st = open_sqlite(&env);
  hash_buf h = hash_of('9');
  mc_cart_limits two = LIMITS;
  json_t *mug = stocked(st, "mug", 100, 10);
  mc_cart *cart;

  two.guest_first_ttl_ms = 1000;
  ck_assert_int_eq(mc_store_cart_item_add(st, &(mc_cart_owner){.new_token_hash = h.s}, &two, str_of(mug, "id"), 1,
                                          &cart, NULL),
                   MC_OK);
  ck_assert_int_eq(raw_int(&env, "SELECT expires_at - updated_at FROM carts WHERE token_hash = ?1", h.s), 1000);
  mc_cart_free(cart);
  json_decref(mug);
  close_and_drop(st, &env);
}
END_TEST

static Suite *sqlite_suite(void) {
  Suite *s = suite_create("sqlite_carts_coupons");
  TCase *t = tcase_create("sqlite");
  tcase_add_test(t, sqlite_deleting_a_coupon_takes_it_off_carts);
  tcase_add_test(t, sqlite_times_used_cannot_pass_the_usage_limit_for_any_writer);
  tcase_add_test(t, sqlite_refused_cart_writes_leave_no_rows);
  tcase_add_test(t, sqlite_expired_carts_stay_until_purged_and_take_their_lines);
  tcase_add_test(t, sqlite_a_new_guest_cart_is_stored_with_the_first_lifetime);
  suite_add_tcase(s, t);
  return s;
}

int main(void) {
  return store_contract_main(sqlite_suite(), "mercato-sqlite-carts");
}
