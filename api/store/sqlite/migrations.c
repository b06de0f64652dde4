/* migrations.c - the sqlite schema, versioned in code: an ordered list of migrations and the
 * runner that applies the missing ones at open, one transaction each. */
#include <stddef.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/store.h"

typedef struct mc_sqlite_migration {
  int version; /* 1, 2, 3, ... with no gaps: the runner checks */
  const char *name;
  const char *sql; /* constant DDL only; run with sqlite3_exec inside the migration's transaction */
} mc_sqlite_migration;

/* Append only. A migration that shipped is never edited: a fix is a new migration.
 * The schema version is the highest version recorded in schema_migrations (not PRAGMA
 * user_version), so the history of what ran and when lives in the database for operators. */
static const mc_sqlite_migration migrations[] = {
  {1, "schema_migrations and processed_events",
   "CREATE TABLE schema_migrations ("
   "  version INTEGER PRIMARY KEY,"
   "  name TEXT NOT NULL,"
   "  applied_at INTEGER NOT NULL" /* ms since the epoch */
   ") STRICT;"
   /* Outside events (webhooks) already handled, so a redelivery is recognised. */
   "CREATE TABLE processed_events ("
   "  source TEXT NOT NULL,"
   "  event_id TEXT NOT NULL,"
   "  processed_at INTEGER NOT NULL,"
   "  PRIMARY KEY (source, event_id)"
   ") STRICT, WITHOUT ROWID;"},
  {2, "users",
   /* Emails arrive normalised (trimmed, lower-case), so UNIQUE compares them as stored bytes.
    * The CHECKs repeat the adapter's own validation, so that no other writer (an operator's
    * sqlite3 shell, a later migration) can store a role or status the code does not know. */
   "CREATE TABLE users ("
   "  id TEXT PRIMARY KEY,"
   "  email TEXT NOT NULL UNIQUE,"
   "  name TEXT NOT NULL,"
   "  role TEXT NOT NULL CHECK (role IN ('customer', 'admin')),"
   "  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),"
   "  password_hash TEXT NOT NULL,"
   "  created_at INTEGER NOT NULL," /* ms since the epoch */
   "  updated_at INTEGER NOT NULL"
   ") STRICT;"
   "CREATE INDEX users_role ON users (role);"},
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

int mc_store_sqlite_latest_version(void) {
  return migrations[MIGRATION_COUNT - 1].version;
}

/* Runs one statement and expects it to finish without rows. */
static int migrate_exec(sqlite3 *db, const char *sql, const char *what) {
  int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? MC_OK : mc_sqlite_status(db, rc, what);
}

/* Reads the version inside the current transaction. Before migration 1 there is no
 * schema_migrations table, which means version 0. */
static int migrate_read_version(sqlite3 *db, int *out) {
  static const char has_table_sql[] =
    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'";
  static const char version_sql[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
  sqlite3_stmt *stmt = NULL;
  int rc;
  int err = MC_OK;

  *out = 0;
  rc = sqlite3_prepare_v2(db, has_table_sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK) goto fail;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) goto done; /* a fresh database */
  if (rc != SQLITE_ROW) goto fail;
  sqlite3_finalize(stmt);
  rc = sqlite3_prepare_v2(db, version_sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK) goto fail;
  rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) goto fail;
  *out = sqlite3_column_int(stmt, 0);
  goto done;
fail:
  err = mc_sqlite_status(db, rc, "read schema version");
done:
  sqlite3_finalize(stmt);
  return err;
}

static int migrate_record(sqlite3 *db, const mc_sqlite_migration *m) {
  static const char sql[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(stmt, 1, m->version);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(stmt, 2, m->name, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, mc_now_ms());
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? MC_OK : mc_sqlite_status(db, rc, "record migration");
}

/* One step: in a write transaction, look at the version and apply the next migration if one is
 * missing. *applied says whether it did. The version is read after BEGIN IMMEDIATE, so a second
 * opener that waited on the lock sees the first one's work and does nothing. */
static int migrate_step(sqlite3 *db, int *applied) {
  const mc_sqlite_migration *m;
  int latest = mc_store_sqlite_latest_version();
  int version;
  int err;

  *applied = 0;
  err = migrate_exec(db, "BEGIN IMMEDIATE", "begin migration");
  if (err != MC_OK) return err;
  err = migrate_read_version(db, &version);
  if (err != MC_OK) goto done;
  if (version > latest) {
    mc_error("store.sqlite",
             "database schema is at version %d but this build knows only up to %d; refusing "
             "to open it (run a newer mercato, or restore a backup made for this version)",
             version, latest);
    err = MC_ERR_CONFLICT;
    goto done;
  }
  if (version == latest) goto done;
  m = &migrations[version]; /* versions are 1-based and gapless, checked by the caller */
  mc_info("store.sqlite", "applying migration %d (%s)", m->version, m->name);
  err = migrate_exec(db, m->sql, "apply migration");
  if (err != MC_OK) goto done;
  err = migrate_record(db, m);
  if (err != MC_OK) goto done;
  err = migrate_exec(db, "COMMIT", "commit migration");
  if (err != MC_OK) goto done;
  *applied = 1;
done:
  /* After a COMMIT we are back in autocommit; otherwise this ends a failed step, or one that
   * only read because there was nothing to apply. */
  if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  return err;
}

int mc_sqlite_migrate(sqlite3 *db) {
  int applied = 1;
  int err = MC_OK;

  for (int i = 0; i < MIGRATION_COUNT; i++) {
    if (migrations[i].version != i + 1) {
      mc_error("store.sqlite", "migration table is out of order at index %d (a bug)", i);
      return MC_ERR_INTERNAL;
    }
  }
  while (applied && err == MC_OK) err = migrate_step(db, &applied);
  return err;
}
