/* sqlite.h - how the port's factory (store.c) opens the sqlite adapter. Private to api/store/:
 * everything else opens a store with mc_store_open. */
#ifndef MERCATO_STORE_SQLITE_H
#define MERCATO_STORE_SQLITE_H

#include "mercato/store.h"

typedef struct mc_store_sqlite_options {
  const char *path;    /* database file, created owner-only (0600) if missing; ":memory:" and ""
                        * are not allowed (each thread's connection would see its own data) */
  int busy_timeout_ms; /* how long a writer waits for a lock before MC_ERR_UNAVAILABLE */
} mc_store_sqlite_options;

/* Opens the sqlite adapter on opts->path and runs pending migrations (see mc_store_open).
 * The file's directory must exist. MC_ERR_INVALID for a missing/empty/":memory:" path or a
 * negative timeout; MC_ERR_UNAVAILABLE when the file cannot be created or opened or stays
 * locked; MC_ERR_CONFLICT for a database newer than the code. *out is the caller's
 * (mc_store_close); it is NULL on failure. */
int mc_store_sqlite_open(const mc_store_sqlite_options *opts, mc_store **out);

/* The schema version this build migrates to. */
int mc_store_sqlite_latest_version(void);

#endif
