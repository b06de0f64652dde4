/* test_store_coupon_redemptions.c - the storage port's coupon redemptions, run once per adapter
 * factory: an order counted once, refusals in their order, and limits that hold however many
 * threads race for them. Coupon documents are in test_store_coupons.c. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"
#include "store_coupons.h"

/* ---- contract: redemptions ---- */

START_TEST(contract_coupon_redeem_counts_an_order_once) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  json_t *doc = coupon_doc("ONCE", "fixed", 100);
  json_t *c;
  char order[MC_ID_MAX], ada[MC_ID_MAX], bob[MC_ID_MAX];
  mc_coupon_refusal r = (mc_coupon_refusal)-1;
  int64_t n = -1;

  set(doc, "usage_limit", json_integer(1));
  c = coupon_create_ok(st, doc);
  new_id("ord", order);
  new_id("usr", ada);
  new_id("usr", bob);
  ck_assert_int_eq(mc_store_coupon_redeem(st, str_of(c, "id"), order, ada, mc_now_ms(), &r, NULL), MC_OK);
  ck_assert_int_eq(r, MC_COUPON_APPLIES);
  /* A retry of the same order applies again and is not counted, although the coupon is now
   * used up; another order is refused. */
  r = (mc_coupon_refusal)-1;
  ck_assert_int_eq(mc_store_coupon_redeem(st, str_of(c, "id"), order, ada, mc_now_ms(), &r, NULL), MC_OK);
  ck_assert_int_eq(r, MC_COUPON_APPLIES);
  ck_assert_int_eq(times_used(st, str_of(c, "id")), 1);
  ck_assert_int_eq(redeem(st, str_of(c, "id"), bob), MC_COUPON_EXHAUSTED);
  ck_assert_int_eq(mc_store_coupon_redemption_count(st, str_of(c, "id"), ada, &n), MC_OK);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(mc_store_coupon_redemption_count(st, str_of(c, "id"), bob, &n), MC_OK);
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(mc_store_coupon_redemption_count(st, str_of(c, "id"), NULL, &n), MC_OK);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(mc_store_coupon_redemption_count(st, "cpn_nope", NULL, &n), MC_OK);
  ck_assert_int_eq(n, 0);
  json_decref(c);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_redeem_refuses_in_order_and_changes_nothing) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char unknown[MC_ID_MAX], user[MC_ID_MAX], other[MC_ID_MAX];
  char off[MC_ID_MAX], later[MC_ID_MAX], past[MC_ID_MAX], personal[MC_ID_MAX], tiny[MC_ID_MAX];
  char everything[MC_ID_MAX];

  new_id("cpn", unknown);
  new_id("usr", user);
  new_id("usr", other);
  COUPON_WITH(off, "s:b", "active", 0);
  COUPON_WITH(later, "s:s", "starts_at", "2026-12-01T00:00:00Z");
  COUPON_WITH(past, "s:s", "expires_at", "2026-12-01T01:00:00Z");
  COUPON_WITH(personal, "s:i", "per_customer_limit", 1);
  COUPON_WITH(tiny, "s:i", "usage_limit", 1);
  /* Every refusal at once: the first in order wins. */
  COUPON_WITH(everything, "s:b, s:s, s:s, s:i, s:i", "active", 0, "starts_at", "2026-12-01T00:00:00Z", "expires_at",
              "2026-12-01T01:00:00Z", "per_customer_limit", 1, "usage_limit", 1);

  ck_assert_int_eq(redeem(st, unknown, user), MC_COUPON_UNKNOWN);
  ck_assert_int_eq(redeem(st, off, user), MC_COUPON_INACTIVE);
  ck_assert_int_eq(redeem_at(st, later, user, DEC_1 - 1), MC_COUPON_NOT_STARTED);
  ck_assert_int_eq(redeem_at(st, past, user, DEC_1 + HOUR), MC_COUPON_EXPIRED);
  ck_assert_int_eq(redeem(st, personal, NULL), MC_COUPON_SIGN_IN_REQUIRED);
  ck_assert_int_eq(redeem(st, tiny, NULL), MC_COUPON_APPLIES);
  ck_assert_int_eq(redeem(st, tiny, user), MC_COUPON_EXHAUSTED);
  ck_assert_int_eq(redeem(st, personal, user), MC_COUPON_APPLIES);
  ck_assert_int_eq(redeem(st, personal, user), MC_COUPON_ALREADY_USED);
  ck_assert_int_eq(redeem(st, personal, other), MC_COUPON_APPLIES);
  ck_assert_int_eq(times_used(st, off), 0);
  ck_assert_int_eq(times_used(st, later), 0);
  ck_assert_int_eq(times_used(st, past), 0);
  ck_assert_int_eq(times_used(st, tiny), 1);
  ck_assert_int_eq(times_used(st, personal), 2);
  /* The boundaries: starts_at is inside, expires_at is outside. */
  ck_assert_int_eq(redeem_at(st, later, user, DEC_1), MC_COUPON_APPLIES);
  ck_assert_int_eq(redeem_at(st, past, user, DEC_1 + HOUR - 1), MC_COUPON_APPLIES);
  /* The order of the checks. */
  ck_assert_int_eq(redeem_at(st, everything, NULL, DEC_1 - 1), MC_COUPON_INACTIVE);
  json_t *changes = json_pack("{s:b}", "active", 1), *out = NULL;
  ck_assert_int_eq(mc_store_coupon_update(st, everything, changes, &out, NULL), MC_OK);
  json_decref(out);
  ck_assert_int_eq(redeem_at(st, everything, NULL, DEC_1 - 1), MC_COUPON_NOT_STARTED);
  ck_assert_int_eq(redeem_at(st, everything, NULL, DEC_1 + HOUR), MC_COUPON_EXPIRED);
  ck_assert_int_eq(redeem_at(st, everything, NULL, DEC_1), MC_COUPON_SIGN_IN_REQUIRED);
  ck_assert_int_eq(redeem_at(st, everything, user, DEC_1), MC_COUPON_APPLIES);
  ck_assert_int_eq(redeem_at(st, everything, user, DEC_1), MC_COUPON_EXHAUSTED);
  json_decref(changes);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_coupon_redeem_rejects_malformed_ids) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char cpn[MC_ID_MAX], ord[MC_ID_MAX], usr[MC_ID_MAX];
  mc_coupon_refusal r;
  int64_t now = mc_now_ms();

  new_id("ord", ord);
  new_id("usr", usr);
  COUPON_WITH(cpn, "s:b", "active", 1);
  ck_assert_int_eq(mc_store_coupon_redeem(st, NULL, ord, usr, now, &r, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_coupon_redeem(st, "cpn_1", ord, usr, now, &r, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_coupon_redeem(st, cpn, NULL, usr, now, &r, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_coupon_redeem(st, cpn, usr, usr, now, &r, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_coupon_redeem(st, cpn, ord, ord, now, &r, NULL), MC_ERR_INVALID);
  ck_assert_int_eq(times_used(st, cpn), 0);
  close_and_drop(st, &env);
}
END_TEST

/* ---- contract: racing redemptions ---- */

#define RACERS 16
#define TRIES 4

typedef struct redeemer {
  mc_store *st;
  pthread_barrier_t *start;
  const char *coupon_id;
  const char *user_id;  /* NULL: a guest */
  const char *order_id; /* NULL: a fresh order per try */
  int applied, refused, failed;
  mc_coupon_refusal last_refusal;
} redeemer;

static void *race_redeem(void *p) {
  redeemer *r = p;
  pthread_barrier_wait(r->start);
  for (int i = 0; i < TRIES; i++) {
    char order[MC_ID_MAX];
    mc_coupon_refusal refusal = MC_COUPON_UNKNOWN;
    int err = mc_id_new("ord", order);
    if (err == MC_OK)
      err = mc_store_coupon_redeem(r->st, r->coupon_id, r->order_id ? r->order_id : order, r->user_id, mc_now_ms(),
                                   &refusal, NULL);
    /* A refusal is MC_ERR_CONFLICT with its reason; anything else failed. */
    if (err != MC_OK && !(err == MC_ERR_CONFLICT && refusal != MC_COUPON_APPLIES)) {
      r->failed++;
    } else if (refusal == MC_COUPON_APPLIES) {
      r->applied++;
    } else {
      r->refused++;
      r->last_refusal = refusal;
    }
  }
  return NULL;
}

/* Runs RACERS threads of TRIES redemptions each and returns how many were counted; every
 * refusal must be expect. */
static int race(mc_store *st, const char *coupon_id, const char *const users[RACERS], const char *order_id,
                mc_coupon_refusal expect) {
  redeemer r[RACERS];
  pthread_t th[RACERS];
  pthread_barrier_t start;
  int applied = 0;

  pthread_barrier_init(&start, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    r[i] = (redeemer){.st = st, .start = &start, .coupon_id = coupon_id, .user_id = users ? users[i] : NULL,
                      .order_id = order_id, .last_refusal = expect};
    ck_assert_int_eq(pthread_create(&th[i], NULL, race_redeem, &r[i]), 0);
  }
  for (int i = 0; i < RACERS; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < RACERS; i++) {
    ck_assert_msg(r[i].failed == 0, "racer %d: %d redemption(s) failed", i, r[i].failed);
    ck_assert_msg(r[i].last_refusal == expect, "racer %d was refused with %d", i, (int)r[i].last_refusal);
    applied += r[i].applied;
  }
  return applied;
}

START_TEST(contract_racing_redemptions_stay_within_the_usage_limit) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char id[MC_ID_MAX];
  int64_t n = -1;

  COUPON_WITH(id, "s:i", "usage_limit", 10);
  ck_assert_int_eq(race(st, id, NULL, NULL, MC_COUPON_EXHAUSTED), 10);
  ck_assert_int_eq(times_used(st, id), 10);
  ck_assert_int_eq(mc_store_coupon_redemption_count(st, id, NULL, &n), MC_OK);
  ck_assert_int_eq(n, 10);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_racing_redemptions_stay_within_the_per_customer_limit) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char id[MC_ID_MAX], ada[MC_ID_MAX], bob[MC_ID_MAX];
  const char *users[RACERS];
  int64_t n = -1;

  new_id("usr", ada);
  new_id("usr", bob);
  for (int i = 0; i < RACERS; i++) users[i] = i % 2 ? ada : bob;
  COUPON_WITH(id, "s:i", "per_customer_limit", 3);
  ck_assert_int_eq(race(st, id, users, NULL, MC_COUPON_ALREADY_USED), 6);
  ck_assert_int_eq(mc_store_coupon_redemption_count(st, id, ada, &n), MC_OK);
  ck_assert_int_eq(n, 3);
  ck_assert_int_eq(mc_store_coupon_redemption_count(st, id, bob, &n), MC_OK);
  ck_assert_int_eq(n, 3);
  ck_assert_int_eq(times_used(st, id), 6);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_racing_retries_of_one_order_count_once) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char id[MC_ID_MAX], order[MC_ID_MAX];

  new_id("ord", order);
  COUPON_WITH(id, "s:i", "usage_limit", 5);
  ck_assert_int_eq(race(st, id, NULL, order, MC_COUPON_APPLIES), RACERS * TRIES);
  ck_assert_int_eq(times_used(st, id), 1);
  close_and_drop(st, &env);
}
END_TEST

/* ---- runner ---- */

static Suite *redemptions_suite(void) {
  Suite *s = suite_create("store_coupon_redemptions");
  TCase *contract = tcase_create("contract");

  tcase_add_loop_test(contract, contract_coupon_redeem_counts_an_order_once, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_redeem_refuses_in_order_and_changes_nothing, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_coupon_redeem_rejects_malformed_ids, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_racing_redemptions_stay_within_the_usage_limit, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_racing_redemptions_stay_within_the_per_customer_limit, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_racing_retries_of_one_order_count_once, 0, FACTORY_COUNT);
  suite_add_tcase(s, contract);
  return s;
}

int main(void) {
  return store_contract_main(redemptions_suite(), "mercato-redemptions");
}
