/* fts_count.c - mc_match_count, an FTS5 auxiliary function that counts a one-word search's
 * matches inside FTS5 rather than row by row through SQL.
 *
 * A storefront search answers with the number of matches, and counting was most of an uncached
 * search's cost: "SELECT count(*) ... MATCH" steps the virtual table once per match, and each
 * step goes through the SQL engine (next, check, aggregate). Called once, on the first match,
 * mc_match_count walks the same matches with FTS5's own xQueryPhrase, which visits each row
 * without leaving FTS5: about a third less per match. It only knows how to count a query of
 * one phrase (one word, or one word's prefix); product_list.c uses it for those and counts any
 * other query with count(*). */
#include <sqlite3.h>

#include "internal.h"
#include "mercato/err.h"

/* Counts the active products' rows: those with a positive rowid (the full-text indexes keep
 * inactive products under their negated seq). */
static int tally_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg) {
  sqlite3_int64 *n = arg;
  if (api->xRowid(fts) > 0) (*n)++;
  return SQLITE_OK;
}

/* mc_match_count(<fts table>): the number of active products the query's one phrase matches.
 * An error for any other query: the caller counts those another way. */
static void match_count(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int argc,
                        sqlite3_value **argv) {
  sqlite3_int64 n = 0;
  int rc;

  (void)argv;
  if (argc != 0) {
    sqlite3_result_error(ctx, "mc_match_count: wrong number of arguments", -1);
    return;
  }
  if (api->xPhraseCount(fts) != 1) {
    sqlite3_result_error(ctx, "mc_match_count: the query is not one phrase", -1);
    return;
  }
  rc = api->xQueryPhrase(fts, 0, &n, tally_row);
  if (rc != SQLITE_OK) sqlite3_result_error_code(ctx, rc);
  else sqlite3_result_int64(ctx, n);
}

/* The connection's FTS5 entry points, or NULL (SQLite built without FTS5). */
static fts5_api *fts5_of(sqlite3 *db) {
  fts5_api *api = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK) return NULL;
  sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return api;
}

int mc_sqlite_fts_count_register(sqlite3 *db) {
  fts5_api *api = fts5_of(db);
  int rc;

  if (api == NULL || api->iVersion < 2) return mc_sqlite_status(db, SQLITE_ERROR, "fts5 api");
  rc = api->xCreateFunction(api, "mc_match_count", NULL, match_count, NULL);
  return rc == SQLITE_OK ? MC_OK : mc_sqlite_status(db, rc, "register mc_match_count");
}
