/* test_store_search.c - the sqlite adapter's full-text search beyond the port's contract: the
 * relevance tiers read from the index of names (with filters, inactive products and deep pages),
 * that index kept in step with every write, and the merge of a fragmented index at open. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/store.h"
#include "store_catalog.h"
#include "store_contract.h"

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

/* ---- the relevance tiers ---- */

/* 600 products matching "widget", created w000 first: every twentieth has the word in its
 * name (the first tier), the others only in the description; every seventh (from w003) is
 * inactive, every third (from w000) out of stock. */
#define TIER_N 600
static int tier_named(int i) { return i % 20 == 0; }
static int tier_active(int i) { return i % 7 != 3; }
static int tier_in_stock(int i) { return i % 3 != 0; }

static void tier_shop(mc_store *st) {
  for (int i = 0; i < TIER_N; i++) {
    char slug[16], name[32];
    json_t *doc;
    snprintf(slug, sizeof slug, "w%03d", i);
    snprintf(name, sizeof name, tier_named(i) ? "Widget %d" : "Item %d", i);
    doc = product_doc(slug, name, 100);
    set(doc, "description", json_string(tier_named(i) ? "plain" : "a plain widget"));
    set(doc, "active", json_boolean(tier_active(i)));
    set(doc, "stock", json_integer(tier_in_stock(i) ? 5 : 0));
    json_decref(product_create_ok(st, doc));
  }
}

/* Which products a listing keeps: all, active ones, active ones in stock. */
typedef enum { KEEP_ALL, KEEP_ACTIVE, KEEP_IN_STOCK } keep_rule;

static int kept(keep_rule rule, int i) {
  if (rule == KEEP_ALL) return 1;
  return tier_active(i) && (rule == KEEP_ACTIVE || tier_in_stock(i));
}

/* The expected page: the kept name matches newest first, then the other kept matches newest
 * first, from offset, limit of them, as comma-separated slugs; *count gets how many are kept. */
static void tier_expect(keep_rule rule, int offset, int limit, char *out, size_t len, int64_t *count) {
  int order[TIER_N], n = 0;
  size_t used = 0;
  for (int tier = 1; tier >= 0; tier--)
    for (int i = TIER_N - 1; i >= 0; i--)
      if (kept(rule, i) && tier_named(i) == tier) order[n++] = i;
  out[0] = '\0';
  for (int k = offset; k < n && k < offset + limit; k++)
    used += (size_t)snprintf(out + used, len - used, "%sw%03d", k > offset ? "," : "", order[k]);
  *count = n;
}

static void assert_tiers(mc_store *st, keep_rule rule, int offset, int limit) {
  mc_product_query q = query_all();
  char want[4096];
  int64_t count;
  q.q = "widget";
  q.sort = MC_SORT_RELEVANCE;
  q.include_inactive = rule == KEEP_ALL;
  q.in_stock = rule == KEEP_IN_STOCK;
  q.offset = offset;
  q.limit = limit;
  tier_expect(rule, offset, limit, want, sizeof want, &count);
  ck_assert_int_gt(count, 250); /* past the exact bm25 range: the tiers decide */
  assert_list(st, &q, count, want);
}

START_TEST(sqlite_tiers_put_active_name_matches_first) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  tier_shop(st);
  assert_tiers(st, KEEP_ACTIVE, 0, 20);  /* 26 name matches, then the rest */
  assert_tiers(st, KEEP_ACTIVE, 20, 20); /* across the tiers */
  assert_tiers(st, KEEP_ACTIVE, 40, 7);  /* past the name matches: they are counted */
  assert_tiers(st, KEEP_ACTIVE, 508, 20);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_tiers_hold_with_a_row_filter) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  tier_shop(st);
  assert_tiers(st, KEEP_IN_STOCK, 0, 20);
  assert_tiers(st, KEEP_IN_STOCK, 15, 10);
  assert_tiers(st, KEEP_IN_STOCK, 100, 3);
  close_and_drop(st, &env);
}
END_TEST

START_TEST(sqlite_tiers_include_inactive_products_for_admins) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  tier_shop(st);
  assert_tiers(st, KEEP_ALL, 0, 40);
  assert_tiers(st, KEEP_ALL, 31, 5);
  assert_tiers(st, KEEP_ALL, 590, 20);
  close_and_drop(st, &env);
}
END_TEST

/* ---- the index of names ---- */

/* The number of active (rowid > 0) or inactive entries of word in the name index. */
static int64_t named(const store_env *env, const char *word, int active) {
  char sql[160];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM products_name_fts WHERE products_name_fts MATCH '%s' AND rowid %s 0",
           word, active ? ">" : "<");
  return raw_int(env, sql);
}

START_TEST(sqlite_name_index_follows_every_write) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  json_t *p[6];
  for (int i = 0; i < 6; i++) {
    char slug[16];
    snprintf(slug, sizeof slug, "lamp-%d", i);
    json_t *doc = product_doc(slug, "Brass Lamp", 100);
    set(doc, "description", json_string("a copper shade"));
    p[i] = product_create_ok(st, doc);
  }
  ck_assert_int_eq(named(&env, "brass", 1), 6);
  ck_assert_int_eq(named(&env, "copper", 1), 0); /* descriptions stay out */
  json_decref(product_update_ok(st, str_of(p[0], "id"), json_pack("{s:s}", "name", "Steel Lamp")));
  json_decref(product_update_ok(st, str_of(p[1], "id"), json_pack("{s:b}", "active", 0)));
  json_decref(product_update_ok(st, str_of(p[2], "id"), json_pack("{s:i}", "stock", 0))); /* no change */
  ck_assert_int_eq(st->ops->product_delete(st, str_of(p[3], "id"), NULL, NULL), MC_OK);
  ck_assert_int_eq(named(&env, "brass", 1), 3);
  ck_assert_int_eq(named(&env, "brass", 0), 1);
  ck_assert_int_eq(named(&env, "steel", 1), 1);
  json_decref(product_update_ok(st, str_of(p[1], "id"), json_pack("{s:b, s:s}", "active", 1, "name", "Oak Lamp")));
  ck_assert_int_eq(named(&env, "brass", 0), 0);
  ck_assert_int_eq(named(&env, "oak", 1), 1);
  ck_assert_int_eq(named(&env, "lamp", 1), 5);
  ck_assert_int_eq(raw_exec(&env, "INSERT INTO products_name_fts (products_name_fts) VALUES ('integrity-check')"),
                   SQLITE_OK);
  for (int i = 0; i < 6; i++) json_decref(p[i]);
  close_and_drop(st, &env);
}
END_TEST

/* ---- the merge at open ---- */

START_TEST(sqlite_fragmented_search_indexes_are_merged_at_open) {
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  mc_store_options opts = {.path = env.path, .busy_timeout_ms = 5000};
  /* Without automerge, each product's transaction leaves a segment of its own in each index. */
  ck_assert_int_eq(raw_exec(&env, "INSERT INTO products_fts (products_fts, rank) VALUES ('automerge', 0);"
                                  "INSERT INTO products_name_fts (products_name_fts, rank) VALUES ('automerge', 0)"),
                   SQLITE_OK);
  for (int i = 0; i < 12; i++) {
    char slug[16];
    snprintf(slug, sizeof slug, "chair-%02d", i);
    json_decref(product_create_ok(st, product_doc(slug, "Oak Chair", 100)));
  }
  ck_assert_int_ge(raw_int(&env, "SELECT count(DISTINCT segid) FROM products_fts_idx"), 12);
  ck_assert_int_ge(raw_int(&env, "SELECT count(DISTINCT segid) FROM products_name_fts_idx"), 12);
  mc_store_close(st);
  ck_assert_int_eq(mc_store_sqlite_open(&opts, &st), MC_OK);
  ck_assert_int_eq(raw_int(&env, "SELECT count(DISTINCT segid) FROM products_fts_idx"), 1);
  ck_assert_int_eq(raw_int(&env, "SELECT count(DISTINCT segid) FROM products_name_fts_idx"), 1);
  /* Equal scores: by id, the order of creation. */
  assert_search(st, "oak chair", 12, "chair-00,chair-01,chair-02,chair-03,chair-04,chair-05,chair-06,chair-07,"
                                     "chair-08,chair-09,chair-10,chair-11");
  close_and_drop(st, &env);
}
END_TEST

static Suite *search_suite(void) {
  Suite *s = suite_create("store_search");
  TCase *tiers = tcase_create("tiers"), *index = tcase_create("index");
  tcase_add_test(tiers, sqlite_tiers_put_active_name_matches_first);
  tcase_add_test(tiers, sqlite_tiers_hold_with_a_row_filter);
  tcase_add_test(tiers, sqlite_tiers_include_inactive_products_for_admins);
  tcase_add_test(index, sqlite_name_index_follows_every_write);
  tcase_add_test(index, sqlite_fragmented_search_indexes_are_merged_at_open);
  suite_add_tcase(s, tiers);
  suite_add_tcase(s, index);
  return s;
}

int main(void) {
  return store_contract_main(search_suite(), "mercato-search");
}
