/* internal.h - private to the sqlite storage adapter: what sqlite.c, migrations.c and the
 * aggregate files (users.c, ...) share. Nothing outside api/store/sqlite includes this; the
 * port's contract is mercato/store.h. */
#ifndef MERCATO_STORE_SQLITE_INTERNAL_H
#define MERCATO_STORE_SQLITE_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "mercato/store.h"

/* Every statement the adapter runs: a slot in each connection's cache, prepared once per
 * connection on first use. The file that runs a statement holds its text, in a table indexed
 * by these ids. Values are only ever bound, never formatted into the texts. */
typedef enum mc_sqlite_sql {
  /* sqlite.c */
  MC_SQL_PING,
  MC_SQL_SCHEMA_VERSION,
  MC_SQL_EVENT_INSERT,
  /* users.c */
  MC_SQL_USER_INSERT,
  MC_SQL_USER_GET,
  MC_SQL_USER_GET_BY_EMAIL,
  MC_SQL_USER_UPDATE,
  MC_SQL_USER_COUNT_BY_ROLE,
  MC_SQL_COUNT
} mc_sqlite_sql;

/* Turns a failed SQLite result code into an mc_err and logs it under "store.sqlite" with what
 * (a short constant naming the operation) and SQLite's message, which names tables and columns
 * but never bound values. BUSY/LOCKED (the busy timeout ran out) and CANTOPEN are
 * MC_ERR_UNAVAILABLE; anything else MC_ERR_INTERNAL. db may be NULL. */
int mc_sqlite_status(sqlite3 *db, int rc, const char *what);

/* The calling thread's cached statement for slot id of the sqlite store st, prepared from sql
 * (a constant, always the same text for one id) on first use; *db is that thread's connection.
 * Both are borrowed and belong to the calling thread: the caller binds, steps, and then calls
 * mc_sqlite_stmt_done before returning. */
int mc_sqlite_stmt_get(mc_store *st, mc_sqlite_sql id, const char *sql, sqlite3 **db,
                       sqlite3_stmt **out);

/* Resets stmt (NULL is fine), which ends its implicit transaction and releases its lock, and
 * unbinds caller memory. */
void mc_sqlite_stmt_done(sqlite3_stmt *stmt);

/* Brings the database on db (borrowed; no transaction open) to mc_store_sqlite_latest_version(),
 * one BEGIN IMMEDIATE transaction per migration, so that concurrent openers (threads or
 * processes) apply each migration exactly once. MC_ERR_CONFLICT when the database is newer than
 * this build; MC_ERR_UNAVAILABLE if another writer held the lock past the busy timeout. */
int mc_sqlite_migrate(sqlite3 *db);

/* The users aggregate (users.c): the mc_store_ops entries of the same names, same contracts. */
int mc_sqlite_user_create(mc_store *st, const json_t *user, json_t **out);
int mc_sqlite_user_get(mc_store *st, const char *id, json_t **out);
int mc_sqlite_user_get_by_email(mc_store *st, const char *email, json_t **out);
int mc_sqlite_user_update(mc_store *st, const char *id, const json_t *changes, json_t **out);
int mc_sqlite_user_count_by_role(mc_store *st, const char *role, int64_t *out);

#endif
