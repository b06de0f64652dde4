/* test_store.c - the storage port's contract for schema, ping and events: every adapter must
 * pass these tests, run once per factory through the port alone (the factory itself and the
 * SQLite-only checks are in test_store_sqlite.c). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/store.h"
#include "store_contract.h"

/* ---- contract: schema ---- */

START_TEST(contract_fresh_store_is_at_the_latest_version) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  int version = -1;
  ck_assert_int_ge(f->latest_version(), 1);
  ck_assert_int_eq(mc_store_schema_version(st, &version), MC_OK);
  ck_assert_int_eq(version, f->latest_version());
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_reopening_keeps_data_and_version) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  int version = -1;
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_kept"), MC_OK);
  mc_store_close(st);
  st = NULL;
  /* Twice, so migrations that already ran are seen to be no-ops. */
  for (int round = 0; round < 2; round++) {
    ck_assert_int_eq(f->open(&env, 5000, &st), MC_OK);
    ck_assert_int_eq(mc_store_schema_version(st, &version), MC_OK);
    ck_assert_int_eq(version, f->latest_version());
    ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_kept"), MC_ERR_CONFLICT);
    mc_store_close(st);
  }
  rm_tree(env.dir);
}
END_TEST

START_TEST(contract_newer_database_is_refused) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  mc_store_close(st);
  f->force_version(&env, f->latest_version() + 1);
  st = (mc_store *)&env; /* must be reset to NULL by the failed open */
  logs_off();
  ck_assert_int_eq(f->open(&env, 5000, &st), MC_ERR_CONFLICT);
  logs_on();
  ck_assert_ptr_null(st);
  rm_tree(env.dir);
}
END_TEST

typedef struct opener_arg {
  const store_factory *f;
  const store_env *env;
  pthread_barrier_t *start;
  int result;
  int version;
} opener_arg;

static void *open_concurrently(void *p) {
  opener_arg *a = p;
  mc_store *st = NULL;
  pthread_barrier_wait(a->start);
  a->result = a->f->open(a->env, 10000, &st);
  if (a->result == MC_OK) a->result = mc_store_schema_version(st, &a->version);
  mc_store_close(st);
  return NULL;
}

START_TEST(contract_concurrent_first_opens_all_succeed) {
  /* Like several server processes starting at once on an empty database: each must wait for
   * whoever migrates first, then see the finished schema. */
  enum { OPENERS = 6 };
  const store_factory *f = &factories[_i];
  store_env env;
  pthread_t th[OPENERS];
  opener_arg args[OPENERS];
  pthread_barrier_t start;
  env_init(&env);
  pthread_barrier_init(&start, NULL, OPENERS);
  for (int i = 0; i < OPENERS; i++) {
    args[i] = (opener_arg){.f = f, .env = &env, .start = &start, .result = -1, .version = -1};
    ck_assert_int_eq(pthread_create(&th[i], NULL, open_concurrently, &args[i]), 0);
  }
  for (int i = 0; i < OPENERS; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < OPENERS; i++) {
    ck_assert_int_eq(args[i].result, MC_OK);
    ck_assert_int_eq(args[i].version, f->latest_version());
  }
  rm_tree(env.dir);
}
END_TEST

/* ---- contract: ping ---- */

START_TEST(contract_ping_answers) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  ck_assert_int_eq(mc_store_ping(st), MC_OK);
  ck_assert_int_eq(mc_store_ping(st), MC_OK); /* the cached statement is reusable */
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_close_null_is_fine) {
  mc_store_close(NULL);
}
END_TEST

/* ---- contract: events ---- */

START_TEST(contract_event_is_recorded_once) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_1"), MC_OK);
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_1"), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_1"), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_2"), MC_OK);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_same_event_id_from_another_source_is_new) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_1"), MC_OK);
  ck_assert_int_eq(mc_store_event_record_once(st, "paypal", "evt_1"), MC_OK);
  ck_assert_int_eq(mc_store_event_record_once(st, "paypal", "evt_1"), MC_ERR_CONFLICT);
  /* Case matters: ids are compared as the bytes the sender gave. */
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "EVT_1"), MC_OK);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_event_source_and_id_lengths_are_bounded) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  char source[MC_STORE_EVENT_SOURCE_MAX + 2];
  char id[MC_STORE_EVENT_ID_MAX + 2];
  memset(source, 's', sizeof source - 1);
  source[sizeof source - 1] = '\0';
  memset(id, 'e', sizeof id - 1);
  id[sizeof id - 1] = '\0';

  ck_assert_int_eq(mc_store_event_record_once(st, NULL, "evt"), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_event_record_once(st, "", "evt"), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", NULL), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", ""), MC_ERR_INVALID);
  ck_assert_int_eq(mc_store_event_record_once(st, source, "evt"), MC_ERR_INVALID); /* 33 */
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", id), MC_ERR_INVALID);  /* 256 */
  /* The limits themselves are allowed. */
  source[MC_STORE_EVENT_SOURCE_MAX] = '\0';
  id[MC_STORE_EVENT_ID_MAX] = '\0';
  ck_assert_int_eq(mc_store_event_record_once(st, source, id), MC_OK);
  ck_assert_int_eq(mc_store_event_record_once(st, source, id), MC_ERR_CONFLICT);
  close_and_drop(st, &env);
}
END_TEST

enum { RACERS = 16 };

typedef struct racer_arg {
  mc_store *st;
  pthread_barrier_t *start;
  const char *event_id; /* NULL: each racer uses its own id */
  int index;
  int result;
} racer_arg;

static void *race_event(void *p) {
  racer_arg *a = p;
  char own[32];
  const char *id = a->event_id;
  if (id == NULL) {
    snprintf(own, sizeof own, "evt_own_%d", a->index);
    id = own;
  }
  pthread_barrier_wait(a->start);
  a->result = mc_store_event_record_once(a->st, "stripe", id);
  return NULL;
}

/* Starts RACERS threads on st at the same moment, waits for them, and counts their results. */
static void run_racers(mc_store *st, const char *event_id, int *ok, int *conflict) {
  pthread_t th[RACERS];
  racer_arg args[RACERS];
  pthread_barrier_t start;
  *ok = *conflict = 0;
  pthread_barrier_init(&start, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    args[i] = (racer_arg){.st = st, .start = &start, .event_id = event_id, .index = i,
                          .result = -1};
    ck_assert_int_eq(pthread_create(&th[i], NULL, race_event, &args[i]), 0);
  }
  for (int i = 0; i < RACERS; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < RACERS; i++) {
    ck_assert_msg(args[i].result == MC_OK || args[i].result == MC_ERR_CONFLICT,
                  "racer %d got %s", i, mc_err_name(args[i].result));
    if (args[i].result == MC_OK) (*ok)++;
    else (*conflict)++;
  }
}

START_TEST(contract_racing_threads_record_an_event_exactly_once) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  int ok, conflict;
  run_racers(st, "evt_race", &ok, &conflict);
  ck_assert_int_eq(ok, 1);
  ck_assert_int_eq(conflict, RACERS - 1);
  /* The racers' threads have exited; the store still works for this one. */
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_race"), MC_ERR_CONFLICT);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(contract_threads_writing_different_events_all_succeed) {
  const store_factory *f = &factories[_i];
  store_env env;
  mc_store *st = open_fresh(f, &env);
  int ok, conflict;
  run_racers(st, NULL, &ok, &conflict);
  ck_assert_int_eq(ok, RACERS);
  ck_assert_int_eq(conflict, 0);
  ck_assert_int_eq(mc_store_event_record_once(st, "stripe", "evt_own_0"), MC_ERR_CONFLICT);
  close_and_drop(st, &env);
}
END_TEST

static Suite *store_suite(void) {
  Suite *s = suite_create("store");
  TCase *contract = tcase_create("contract");

  /* Loop tests: _i is the index of the factory the test runs against. */
  tcase_add_loop_test(contract, contract_fresh_store_is_at_the_latest_version, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_reopening_keeps_data_and_version, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_newer_database_is_refused, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_concurrent_first_opens_all_succeed, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_ping_answers, 0, FACTORY_COUNT);
  tcase_add_test(contract, contract_close_null_is_fine);
  tcase_add_loop_test(contract, contract_event_is_recorded_once, 0, FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_same_event_id_from_another_source_is_new, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_event_source_and_id_lengths_are_bounded, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_racing_threads_record_an_event_exactly_once, 0,
                      FACTORY_COUNT);
  tcase_add_loop_test(contract, contract_threads_writing_different_events_all_succeed, 0,
                      FACTORY_COUNT);
  suite_add_tcase(s, contract);
  return s;
}

int main(void) {
  return store_contract_main(store_suite(), "mercato-store");
}
