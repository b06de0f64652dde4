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
#include "store_sql.h"

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

/* ---- counting a one-word search ---- */

/* 480 products, c000 first, each named and described with words of vocab (lower case, spaces
 * between) and these: "lamp" in the names of every third and the descriptions of every second
 * (over 250 matches: the relevance tiers run), "zircon" in names only, "quartz" in
 * descriptions only; every seventh (from c004) inactive, with "ghost"; every 37th (from c005)
 * archived, with "relic". */
#define COUNT_N 480
static const char *const vocab[] = {"amber", "ambient", "amble", "birch", "birchwood", "cedar", "copper",
                                    "coral", "dune", "ember", "fern", "lantern", "moss"};
#define VOCAB_N ((int)(sizeof vocab / sizeof vocab[0]))
static int count_inactive(int i) { return i % 7 == 4; }
static int count_archived(int i) { return i % 37 == 5; }

static void count_name(int i, char *out, size_t len) {
  snprintf(out, len, "%s %s%s%s", vocab[i % VOCAB_N], vocab[(i / VOCAB_N + 5 * i) % VOCAB_N],
           i % 10 == 1 ? " zircon" : "", i % 3 == 0 ? " lamp" : "");
}

static void count_description(int i, char *out, size_t len) {
  snprintf(out, len, "%s%s%s%s%s", vocab[(3 * i + 1) % VOCAB_N], i % 2 == 0 ? " lamp" : "",
           i % 10 == 2 ? " quartz" : "", count_inactive(i) && !count_archived(i) ? " ghost" : "",
           count_archived(i) ? " relic" : "");
}

static void count_shop(mc_store *st, const store_env *env) {
  char archived[COUNT_N][MC_ID_MAX];
  const char *ids[COUNT_N];
  int n = 0;
  for (int i = 0; i < COUNT_N; i++) {
    char slug[16], name[96], description[96];
    json_t *doc, *p;
    snprintf(slug, sizeof slug, "c%03d", i);
    count_name(i, name, sizeof name);
    count_description(i, description, sizeof description);
    doc = product_doc(slug, name, 100 + i);
    set(doc, "description", json_string(description));
    set(doc, "active", json_boolean(!count_inactive(i)));
    p = product_create_ok(st, doc);
    if (count_archived(i)) {
      snprintf(archived[n], MC_ID_MAX, "%s", str_of(p, "id"));
      ids[n] = archived[n];
      n++;
    }
    json_decref(p);
  }
  order_naming_ids(env, ids, n);
  for (int k = 0; k < n; k++) {
    json_t *images = NULL, *gone = NULL;
    ck_assert_int_eq(st->ops->product_delete(st, ids[k], &images, &gone), MC_OK);
    ck_assert_ptr_nonnull(gone); /* archived */
    json_decref(gone);
  }
}

/* Whether one of the space-separated words of text starts with prefix (lower case). */
static int has_prefix(const char *text, const char *prefix) {
  size_t n = strlen(prefix);
  for (const char *w = text; w != NULL; w = strchr(w, ' ') ? strchr(w, ' ') + 1 : NULL)
    if (strncmp(w, prefix, n) == 0) return 1;
  return 0;
}

/* Whether the shop's product i is on sale and matches prefix: in its name (in_name 1), or
 * anywhere (in_name 0). */
static int count_matches(int i, const char *prefix, int in_name) {
  char name[96], description[96];
  count_name(i, name, sizeof name);
  count_description(i, description, sizeof description);
  if (count_inactive(i) || count_archived(i)) return 0;
  return has_prefix(name, prefix) || (!in_name && has_prefix(description, prefix));
}

/* The number of active matches of FTS5 query fts in the full-text index, asked directly. */
static int64_t fts_count(const store_env *env, const char *fts) {
  sqlite3 *db = raw_open(env);
  sqlite3_stmt *stmt = NULL;
  int64_t v;
  ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM products_fts WHERE products_fts MATCH ?1 AND rowid > 0",
                                      -1, &stmt, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_bind_text(stmt, 1, fts, -1, SQLITE_STATIC), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
  v = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  return v;
}

/* The storefront count of one-word search text: from product_page as it is, and from
 * product_list with a price filter that keeps everything (counted the other way, row by row). */
static void storefront_counts(mc_store *st, const char *text, int64_t *alone, int64_t *filtered) {
  mc_product_query q = query_all();
  mc_product_page *page = NULL;
  json_t *items = NULL;
  q.q = text;
  q.sort = MC_SORT_RELEVANCE;
  q.limit = 1;
  ck_assert_int_eq(st->ops->product_page(st, &q, &page, alone), MC_OK);
  mc_product_page_free(page);
  q.min_price = 0;
  ck_assert_int_eq(st->ops->product_list(st, &q, &items, filtered), MC_OK);
  json_decref(items);
}

START_TEST(sqlite_one_word_counts_are_the_active_matches) {
  static const struct {
    const char *text, *prefix; /* what is searched; what it matches as the model's prefix */
  } words[] = {
    {"lamp", "lamp"},           {"LAMP", "lamp"},     {"lamp!", "lamp"},   {"la", "la"},
    {"l", "l"},                 {"amb", "amb"},       {"birch", "birch"},  {"birchwood", "birchwood"},
    {"co", "co"},               {"zircon", "zircon"}, {"quartz", "quartz"}, {"Émber", "ember"},
    {"moss", "moss"},           {"ghost", "ghost"},   {"relic", "relic"},  {"xylophone", "xylophone"},
    {"é", "e"},                 {"🛒", "\x01"},      {"—", "\x01"},      {"★ ★", "\x01"}, /* no letter: none */
  };
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  count_shop(st, &env);
  for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
    int64_t want = 0, alone = -1, filtered = -1;
    char fts[64];
    for (int i = 0; i < COUNT_N; i++) want += count_matches(i, words[w].prefix, 0);
    storefront_counts(st, words[w].text, &alone, &filtered);
    snprintf(fts, sizeof fts, "\"%s\"*", words[w].prefix);
    ck_assert_msg(alone == want, "%s: counted %lld, want %lld", words[w].text, (long long)alone, (long long)want);
    ck_assert_msg(filtered == want, "%s: counted %lld with a filter, want %lld", words[w].text, (long long)filtered,
                  (long long)want);
    ck_assert_int_eq(fts_count(&env, fts), want);
  }
  /* The words only inactive or archived products hold are in the index, for them. */
  int64_t ghosts = 0, relics = 0;
  for (int i = 0; i < COUNT_N; i++) {
    ghosts += count_inactive(i) && !count_archived(i);
    relics += count_archived(i);
  }
  ck_assert_int_gt(relics, 10);
  ck_assert_int_eq(raw_int(&env, "SELECT count(*) FROM products_fts WHERE products_fts MATCH 'ghost'"), ghosts);
  ck_assert_int_eq(raw_int(&env, "SELECT count(*) FROM products_fts WHERE products_fts MATCH 'relic'"), relics);
  close_and_drop(st, &env);
}
END_TEST

/* A relevance page past the name matches of a one-word search: where the other matches start
 * depends on how many name matches there are, which is then counted. */
START_TEST(sqlite_relevance_pages_past_the_name_matches_start_where_they_end) {
  static const char *const words[] = {"lamp", "la", "l"};
  store_env env;
  mc_store *st = open_fresh(&factories[0], &env);
  count_shop(st, &env);
  for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
    int order[COUNT_N], n = 0, named = 0;
    mc_product_query q = query_all();
    char want[1024];
    size_t used = 0;
    for (int tier = 1; tier >= 0; tier--)
      for (int i = COUNT_N - 1; i >= 0; i--)
        if (count_matches(i, words[w], 0) && count_matches(i, words[w], 1) == tier) order[n++] = i;
    for (int i = 0; i < COUNT_N; i++) named += count_matches(i, words[w], 1);
    q.q = words[w];
    q.sort = MC_SORT_RELEVANCE;
    q.offset = named + 3;
    q.limit = 6;
    want[0] = '\0';
    for (int k = (int)q.offset; k < n && k < q.offset + q.limit; k++)
      used += (size_t)snprintf(want + used, sizeof want - used, "%sc%03d", k > q.offset ? "," : "", order[k]);
    ck_assert_int_gt(n, 250); /* past the exact bm25 range: the tiers decide */
    ck_assert_int_gt(named, 0);
    assert_list(st, &q, n, want);
  }
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
  mc_store_options opts = {.data_dir = env.dir, .busy_timeout_ms = 5000};
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
  ck_assert_int_eq(mc_store_open(&opts, &st), MC_OK);
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
  TCase *tiers = tcase_create("tiers"), *index = tcase_create("index"), *counts = tcase_create("counts");
  tcase_add_test(tiers, sqlite_tiers_put_active_name_matches_first);
  tcase_add_test(tiers, sqlite_tiers_hold_with_a_row_filter);
  tcase_add_test(tiers, sqlite_tiers_include_inactive_products_for_admins);
  tcase_add_test(counts, sqlite_one_word_counts_are_the_active_matches);
  tcase_add_test(counts, sqlite_relevance_pages_past_the_name_matches_start_where_they_end);
  tcase_add_test(index, sqlite_name_index_follows_every_write);
  tcase_add_test(index, sqlite_fragmented_search_indexes_are_merged_at_open);
  suite_add_tcase(s, tiers);
  suite_add_tcase(s, counts);
  suite_add_tcase(s, index);
  return s;
}

int main(void) {
  return store_contract_main(search_suite(), "mercato-search");
}
