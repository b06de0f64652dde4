/* test_sqlite_catalog.c - the sqlite adapter's own catalog tests, apart from the port's contract
 * suites (test_store_categories.c, test_store_products.c, test_store_archive.c,
 * test_store_listing.c), which use only the port: what the database itself refuses to other
 * writers, counters and indexes checked against the tables, orderings of sqlite's own
 * (bm25 tiers, equal times), and a writer blocked by another program. */
#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "store_carts.h"
#include "store_catalog.h"
#include "store_contract.h"

/* A second handle onto the test's database with foreign keys on, as every mercato connection. */
static sqlite3 *raw_open_fk(const store_env *env) {
  sqlite3 *db = raw_open(env);
  ck_assert_int_eq(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), SQLITE_OK);
  return db;
}

/* Runs sql with text a bound to ?1 (and b to ?2, may be NULL) on db; returns SQLite's result. */
static int raw_run(sqlite3 *db, const char *sql, const char *a, const char *b) {
  sqlite3_stmt *stmt = NULL;
  int rc;
  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC), SQLITE_OK);
  if (b != NULL) ck_assert_int_eq(sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC), SQLITE_OK);
  rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return rc;
}

/* Deletes product id and expects it archived: returns the archived document (new reference). */
static json_t *archive_ok(mc_store *st, const char *id) {
  json_t *images = (json_t *)st, *archived = NULL;
  ck_assert_int_eq(mc_store_product_delete(st, id, &images, &archived), MC_OK);
  ck_assert_ptr_null(images);
  ck_assert_ptr_nonnull(archived);
  return archived;
}

/* The first column of the one row sql (constant) gives, on a second handle. */
static int64_t raw_int(const store_env *env, const char *sql) {
  sqlite3 *db = raw_open(env);
  sqlite3_stmt *stmt = NULL;
  int64_t v;
  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
  v = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  return v;
}

START_TEST(sqlite_catalog_counters_and_search_index_stay_exact) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  mc_product_query q = query_all();
  json_t *p[12];

  for (int i = 0; i < 12; i++) {
    char slug[16];
    json_t *doc;
    snprintf(slug, sizeof slug, "p%d", i);
    doc = product_doc(slug, "Thing", 100 + i);
    set(doc, "stock", json_integer(i % 3));
    set(doc, "active", json_boolean(i % 4 != 0));
    p[i] = product_create_ok(st, doc);
  }
  /* Stock across zero, active both ways, renames, deletes, a failed update. */
  for (int i = 0; i < 12; i++) {
    json_t *changes = i % 2 ? json_pack("{s:i, s:b}", "stock", (i + 1) % 3, "active", i % 3)
                            : json_pack("{s:s, s:i}", "name", "Renamed thing", "stock", 0);
    json_decref(product_update_ok(st, str_of(p[i], "id"), changes));
    if (i % 5 == 0) ck_assert_int_eq(mc_store_product_delete(st, str_of(p[i], "id"), NULL, NULL), MC_OK);
  }
  {
    json_t *changes = json_pack("{s:b, s:s}", "active", 0, "slug", "p1");
    ck_assert_int_eq(mc_store_product_update(st, str_of(p[3], "id"), changes, NULL, NULL),
                     MC_ERR_CONFLICT);
    json_decref(changes);
  }
  ck_assert_int_eq(raw_int(&env, "SELECT count(*) FROM product_counts c WHERE n != "
                                 "(SELECT count(*) FROM products p WHERE p.active = c.active "
                                 "AND (p.stock > 0) = c.in_stock)"), 0);
  ck_assert_int_eq(raw_int(&env, "SELECT sum(n) FROM product_counts"),
                   raw_int(&env, "SELECT count(*) FROM products"));
  ck_assert_int_eq(raw_exec(&env, "INSERT INTO products_fts (products_fts, rank) "
                                  "VALUES ('integrity-check', 1)"), SQLITE_OK);
  /* The counted listings agree with the real rows. */
  for (int mask = 0; mask < 4; mask++) {
    json_t *items = NULL;
    int64_t n = -1;
    char sql[160];
    q.include_inactive = mask & 1;
    q.in_stock = (mask & 2) != 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM products WHERE %s AND %s",
             q.include_inactive ? "1" : "active = 1", q.in_stock ? "stock > 0" : "1");
    ck_assert_int_eq(mc_store_product_list(st, &q, &items, &n), MC_OK);
    ck_assert_int_eq(n, raw_int(&env, sql));
    json_decref(items);
  }
  for (int i = 0; i < 12; i++) json_decref(p[i]);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_relevance_past_250_matches_puts_name_matches_first) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  mc_product_query q = query_all();
  char expected[1024] = "";
  size_t used = 0;

  /* 300 matches: every twentieth has the word in its name, the others in the description. */
  for (int i = 0; i < 300; i++) {
    char slug[16], name[32];
    json_t *doc;
    snprintf(slug, sizeof slug, "w%03d", i);
    snprintf(name, sizeof name, i % 20 == 0 ? "Widget %d" : "Item %d", i);
    doc = product_doc(slug, name, 100);
    set(doc, "description", json_string(i % 20 == 0 ? "plain" : "a plain widget"));
    json_decref(product_create_ok(st, doc));
  }
  /* Name matches most recently added first, then the others likewise. */
  for (int i = 280; i >= 0; i -= 20) used += (size_t)snprintf(expected + used, 16, "w%03d,", i);
  used += (size_t)snprintf(expected + used, 32, "w299,w298,w297,w296,w295");
  q.q = "widget";
  q.sort = MC_SORT_RELEVANCE;
  assert_list(st, &q, 300, expected);
  q.limit = 3, q.offset = 14;
  assert_list(st, &q, 300, "w000,w299,w298");
  q.offset = 16;
  assert_list(st, &q, 300, "w298,w297,w296");
  q.offset = 299;
  assert_list(st, &q, 300, "w001");
  /* At 250 or fewer matches, bm25 decides: both words in the name first, then equal scores
   * by id. */
  q.q = "widget 28";
  q.offset = 0, q.limit = 20;
  assert_list(st, &q, 11, "w280,w028,w281,w282,w283,w284,w285,w286,w287,w288,w289");
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_newest_first_breaks_equal_times_by_id) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  mc_product_query q = query_all();

  json_decref(product_create_ok(st, product_doc("first", "A", 1)));
  json_decref(product_create_ok(st, product_doc("second", "B", 1)));
  json_decref(product_create_ok(st, product_doc("third", "C", 1)));
  ck_assert_int_eq(raw_exec(&env, "UPDATE products SET created_at = 1795275046233"), SQLITE_OK);
  assert_list(st, &q, 3, "third,second,first");
  ck_assert_int_eq(raw_exec(&env, "UPDATE products SET created_at = 1 WHERE slug = 'third'"),
                   SQLITE_OK);
  assert_list(st, &q, 3, "second,first,third");
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_catalog_tables_refuse_bad_rows) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  static const char *const sets[] = {
    "price = -1", "price = 1000000000000001", "active = 2", "currency = 'eur'",
    "slug = 'Bad Slug'", "stock = -3", "compare_at_price = -1", "price = 'twelve'",
  };
  json_t *parent, *doc, *child, *other, *p;
  char sql[512];

  p = product_create_ok(st, product_doc("raw", "Raw", 100));
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
    snprintf(sql, sizeof sql, "UPDATE products SET %s WHERE id = '%s'", sets[i], str_of(p, "id"));
    ck_assert_msg((raw_exec(&env, sql) & 0xff) == SQLITE_CONSTRAINT, "%s was accepted", sets[i]);
  }
  /* Nesting rules hold for other writers too. */
  parent = category_create_ok(st, category_doc("top"));
  other = category_create_ok(st, category_doc("other"));
  doc = category_doc("mid");
  set(doc, "parent_id", json_string(str_of(parent, "id")));
  child = category_create_ok(st, doc);
  snprintf(sql, sizeof sql, "INSERT INTO categories (id, name, slug, description, parent_id, "
           "position, created_at, updated_at) VALUES ('cat_x', 'X', 'x', '', '%s', 0, 0, 0)",
           str_of(child, "id"));
  ck_assert_int_eq(raw_exec(&env, sql) & 0xff, SQLITE_CONSTRAINT);
  snprintf(sql, sizeof sql, "UPDATE categories SET parent_id = '%s' WHERE id = '%s'",
           str_of(other, "id"), str_of(parent, "id"));
  ck_assert_int_eq(raw_exec(&env, sql) & 0xff, SQLITE_CONSTRAINT);
  /* Foreign keys hold on connections that turn them on, as the adapter's do. */
  snprintf(sql, sizeof sql, "PRAGMA foreign_keys = ON; DELETE FROM categories WHERE id = '%s'",
           str_of(parent, "id"));
  ck_assert_int_eq(raw_exec(&env, sql) & 0xff, SQLITE_CONSTRAINT);
  ck_assert_int_eq(raw_exec(&env, "UPDATE product_images SET content_type = 'image/gif'"),
                   SQLITE_OK); /* no rows: nothing to refuse */
  json_decref(p);
  json_decref(parent);
  json_decref(child);
  json_decref(other);
  close_and_drop(st, &env);
}
END_TEST

/* A write transaction that another program holds off past the busy timeout fails as
 * unavailable and leaves nothing behind: not the product, and not this process's queue of
 * writers (mc_sqlite_tx_begin_write), so the next writes, from other threads racing and then
 * from this one, all go through. */
START_TEST(sqlite_a_write_blocked_past_the_timeout_frees_the_writers_queue) {
  store_env env;
  mc_store *st = NULL;
  product_racer r[RACERS];
  pthread_t th[RACERS];
  pthread_barrier_t start;
  json_t *doc = product_doc("blocked", "Blocked", 100);
  sqlite3 *db;
  char slug[32];

  env_init(&env);
  ck_assert_int_eq(factories[0].open(&env, 100, &st), MC_OK);
  db = raw_open(&env);
  ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
  logs_off();
  ck_assert_int_eq(mc_store_product_create(st, doc, NULL, NULL), MC_ERR_UNAVAILABLE);
  logs_on();
  ck_assert_int_eq(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  /* Other threads first: a queue left held by the failed write would stop them for good. */
  pthread_barrier_init(&start, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    snprintf(slug, sizeof slug, "racer-%d", i);
    r[i] = (product_racer){.st = st, .start = &start, .doc = product_doc(slug, "Racer", 100)};
    ck_assert_int_eq(pthread_create(&th[i], NULL, race_product, &r[i]), 0);
  }
  for (int i = 0; i < RACERS; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < RACERS; i++) {
    ck_assert_msg(r[i].result == MC_OK, "racer %d: %s", i, mc_err_name(r[i].result));
    json_decref(r[i].doc);
  }
  ck_assert_int_eq(mc_store_product_create(st, doc, NULL, NULL), MC_OK);
  json_decref(doc);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_the_database_refuses_to_lose_an_ordered_product) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  json_t *p = stocked(st, "desk", 45000, 5), *archived;
  sqlite3 *db;

  {
    const char *id = str_of(p, "id");
    order_naming_ids(&env, &id, 1);
  }
  db = raw_open_fk(&env);
  ck_assert_int_eq(raw_run(db, "DELETE FROM products WHERE id = ?1", str_of(p, "id"), NULL), SQLITE_CONSTRAINT);
  ck_assert_str_eq(sqlite3_errmsg(db), "FOREIGN KEY constraint failed");
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  archived = archive_ok(st, str_of(p, "id"));
  db = raw_open_fk(&env);
  ck_assert_int_eq(raw_run(db, "DELETE FROM products WHERE id = ?1", str_of(p, "id"), NULL), SQLITE_CONSTRAINT);
  /* Nor can any writer make an archived product active again. */
  ck_assert_int_eq(raw_run(db, "UPDATE products SET active = 1 WHERE id = ?1", str_of(p, "id"), NULL),
                   SQLITE_CONSTRAINT);
  ck_assert_int_eq(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_CHECK);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  json_decref(archived);
  archived = product_get_ok(st, str_of(p, "id"));
  ck_assert(json_is_false(json_object_get(archived, "active")));
  json_decref(archived);
  json_decref(p);
  close_and_drop(st, &env);
}
END_TEST

static Suite *sqlite_catalog_suite(void) {
  Suite *s = suite_create("sqlite_catalog");
  TCase *tables = tcase_create("tables"), *orders = tcase_create("orders"), *writers = tcase_create("writers");

  tcase_add_test(tables, sqlite_catalog_tables_refuse_bad_rows);
  tcase_add_test(tables, sqlite_catalog_counters_and_search_index_stay_exact);
  tcase_add_test(tables, sqlite_the_database_refuses_to_lose_an_ordered_product);
  tcase_add_test(orders, sqlite_relevance_past_250_matches_puts_name_matches_first);
  tcase_add_test(orders, sqlite_newest_first_breaks_equal_times_by_id);
  tcase_add_test(writers, sqlite_a_write_blocked_past_the_timeout_frees_the_writers_queue);
  suite_add_tcase(s, tables);
  suite_add_tcase(s, orders);
  suite_add_tcase(s, writers);
  return s;
}

int main(void) {
  return store_contract_main(sqlite_catalog_suite(), "mercato-sqlite-catalog");
}
