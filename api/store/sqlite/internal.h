/* internal.h - private to the sqlite storage adapter: what sqlite.c and migrations.c share.
 * Nothing outside api/store/sqlite includes this; the port's contract is mercato/store.h. */
#ifndef MERCATO_STORE_SQLITE_INTERNAL_H
#define MERCATO_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

/* Turns a failed SQLite result code into an mc_err and logs it under "store.sqlite" with what
 * (a short constant naming the operation) and SQLite's message, which names tables and columns
 * but never bound values. BUSY/LOCKED (the busy timeout ran out) and CANTOPEN are
 * MC_ERR_UNAVAILABLE; anything else MC_ERR_INTERNAL. db may be NULL. */
int mc_sqlite_status(sqlite3 *db, int rc, const char *what);

/* Milliseconds since the epoch, for the *_at columns. */
int64_t mc_sqlite_now_ms(void);

/* Brings the database on db (borrowed; no transaction open) to mc_store_sqlite_latest_version(),
 * one BEGIN IMMEDIATE transaction per migration, so that concurrent openers (threads or
 * processes) apply each migration exactly once. MC_ERR_CONFLICT when the database is newer than
 * this build; MC_ERR_UNAVAILABLE if another writer held the lock past the busy timeout. */
int mc_sqlite_migrate(sqlite3 *db);

#endif
