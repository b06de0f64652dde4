/* search_index.c - upkeep of the catalog's full-text indexes at open: an index left in many
 * segments (by a bulk load such as `mercato seed --bench`, or by many single writes) is merged
 * into one, since every search pays for each segment and merges their lists as it reads. */
#include <stdio.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/log.h"

/* Above this many segments an index is merged. FTS5's own automerge keeps at most three per
 * level, a handful of levels; a bulk load of 100,000 products leaves 10 to 20. */
#define SEGMENTS_MAX 8

static const char *const indexes[] = {"products_fts", "products_name_fts"};

/* In a write transaction: *out gets the number of segments of index (a name from indexes[]). */
static int segments(sqlite3 *db, const char *index, int *out) {
  char sql[96];
  sqlite3_stmt *stmt = NULL;
  int rc;

  snprintf(sql, sizeof sql, "SELECT count(DISTINCT segid) FROM %s_idx", index);
  rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  return rc == SQLITE_ROW ? MC_OK : mc_sqlite_status(db, rc, "count search index segments");
}

/* Merges index when it has more than SEGMENTS_MAX segments, in one write transaction (a second
 * process opening at the same time waits, then finds it merged). */
static int tidy_one(sqlite3 *db, const char *index) {
  char sql[128];
  int n = 0, err;
  int64_t started = mc_now_ms();
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

  if (rc != SQLITE_OK) return mc_sqlite_status(db, rc, "begin search index upkeep");
  err = segments(db, index, &n);
  if (err == MC_OK && n > SEGMENTS_MAX) {
    snprintf(sql, sizeof sql, "INSERT INTO %s (%s) VALUES ('optimize')", index, index);
    rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, "merge search index");
    else
      mc_info("store.sqlite", "merged the search index %s from %d segments into one in %lld ms", index, n,
              (long long)(mc_now_ms() - started));
  }
  if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  return err;
}

int mc_sqlite_search_index_tidy(sqlite3 *db) {
  for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
    /* Only slower searches come of a failure, so it does not stop the store from opening. */
    if (tidy_one(db, indexes[i]) != MC_OK)
      mc_warn("store.sqlite", "could not merge the search index %s; searches stay correct, only slower",
              indexes[i]);
  }
  return MC_OK;
}
