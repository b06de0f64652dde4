/* store.h - the storage port: typed, atomic operations per aggregate, returning documents in one
 * canonical JSON shape whatever the adapter. Adapters: sqlite (the embedded default). Later
 * issues add aggregates (users, products, ...) to this table; every adapter passes the contract
 * suite in tests/unit/test_store.c.
 *
 * Every function is thread-safe (the sqlite adapter keeps one connection per calling thread),
 * and returns an mc_err: MC_ERR_UNAVAILABLE when the database is locked or unreachable past its
 * timeout, MC_ERR_INTERNAL for anything unexpected. */
#ifndef MERCATO_STORE_H
#define MERCATO_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define MC_STORE_EVENT_SOURCE_MAX 32
#define MC_STORE_EVENT_ID_MAX 255

typedef struct mc_store mc_store;

typedef struct mc_store_ops {
  /* MC_OK when the database answers a trivial query. */
  int (*ping)(mc_store *st);
  /* Writes the schema version the database is at to *out. */
  int (*schema_version)(mc_store *st, int *out);
  /* Records that the outside event (source, event_id) was processed, exactly once across threads
   * and processes: MC_OK the first time, MC_ERR_CONFLICT if it was already recorded.
   * source is 1..MC_STORE_EVENT_SOURCE_MAX bytes, event_id 1..MC_STORE_EVENT_ID_MAX bytes;
   * MC_ERR_INVALID otherwise. Used to make webhook handling idempotent. */
  int (*event_record_once)(mc_store *st, const char *source, const char *event_id);

  /* --- users ---------------------------------------------------------------------------------
   * A user document: {"id": "usr_...", "email", "name", "role": "customer"|"admin",
   * "status": "active"|"disabled", "password_hash", "created_at", "updated_at"}; times are
   * RFC 3339 UTC strings with milliseconds ("2026-11-21T15:30:46.233Z") set by the store.
   * Emails arrive normalised (trimmed, lower-case) and are compared exactly. */

  /* Inserts user (borrowed; id, email, name, role, status, password_hash required, any other
   * member is MC_ERR_INVALID) and writes the stored document to *out (new reference, may be
   * NULL). MC_ERR_CONFLICT when the email or id is taken. */
  int (*user_create)(mc_store *st, const json_t *user, json_t **out);
  /* Writes the user with this id / email to *out (new reference). MC_ERR_NOT_FOUND if none. */
  int (*user_get)(mc_store *st, const char *id, json_t **out);
  int (*user_get_by_email)(mc_store *st, const char *email, json_t **out);
  /* Applies changes (borrowed object whose members are a subset of name, password_hash, role,
   * status; anything else is MC_ERR_INVALID), sets updated_at, and writes the new document to
   * *out (new reference, may be NULL). MC_ERR_NOT_FOUND if there is no such user. */
  int (*user_update)(mc_store *st, const char *id, const json_t *changes, json_t **out);
  /* Writes the number of users with this role to *out. */
  int (*user_count_by_role)(mc_store *st, const char *role, int64_t *out);

  /* Frees the adapter and its connections. No call may be in flight, and no thread that used
   * the store may be exiting at the same time (join workers first). */
  void (*close)(mc_store *st);
} mc_store_ops;

struct mc_store {
  const mc_store_ops *ops;
  const char *name; /* "sqlite": static */
  void *impl;
};

typedef struct mc_store_options {
  const char *path;        /* sqlite: database file, created if missing; ":memory:" not allowed */
  int busy_timeout_ms;     /* sqlite: how long a writer waits for a lock before MC_ERR_UNAVAILABLE */
} mc_store_options;

/* Opens the sqlite adapter on opts->path and runs pending migrations, each in its own
 * transaction, so a database is always at a version the code knows. A database newer than
 * the code is refused (MC_ERR_CONFLICT). The file's directory must exist; a missing file is
 * created owner-only (0600). MC_ERR_INVALID for a missing/empty/":memory:" path or a negative
 * timeout; MC_ERR_UNAVAILABLE when the file cannot be created or opened or stays locked.
 * *out is the caller's (mc_store_close); it is NULL on failure. */
int mc_store_sqlite_open(const mc_store_options *opts, mc_store **out);

/* The schema version this build migrates to. */
int mc_store_sqlite_latest_version(void);

/* Closes st (NULL is fine). */
void mc_store_close(mc_store *st);

static inline int mc_store_ping(mc_store *st) {
  return st->ops->ping(st);
}
static inline int mc_store_schema_version(mc_store *st, int *out) {
  return st->ops->schema_version(st, out);
}
static inline int mc_store_event_record_once(mc_store *st, const char *source, const char *event_id) {
  return st->ops->event_record_once(st, source, event_id);
}

static inline int mc_store_user_create(mc_store *st, const json_t *user, json_t **out) {
  return st->ops->user_create(st, user, out);
}
static inline int mc_store_user_get(mc_store *st, const char *id, json_t **out) {
  return st->ops->user_get(st, id, out);
}
static inline int mc_store_user_get_by_email(mc_store *st, const char *email, json_t **out) {
  return st->ops->user_get_by_email(st, email, out);
}
static inline int mc_store_user_update(mc_store *st, const char *id, const json_t *changes, json_t **out) {
  return st->ops->user_update(st, id, changes, out);
}
static inline int mc_store_user_count_by_role(mc_store *st, const char *role, int64_t *out) {
  return st->ops->user_count_by_role(st, role, out);
}

#endif
