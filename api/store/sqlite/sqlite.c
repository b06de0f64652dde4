/* sqlite.c - the embedded storage adapter: one SQLite connection per calling thread, each with
 * its own cache of prepared statements, over one WAL-mode database file; transactions. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/store.h"

/* The texts of this file's statements (the ids are in internal.h, with every other file's). */
static const char *const sql_text[MC_SQL_COUNT] = {
  /* Reads the file (SELECT 1 alone would not), yet never waits: WAL readers take no lock. */
  [MC_SQL_PING] = "SELECT count(*) FROM sqlite_schema",
  [MC_SQL_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
  [MC_SQL_EVENT_INSERT] = "INSERT INTO processed_events (source, event_id, processed_at) "
                          "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
  [MC_SQL_BEGIN_WRITE] = "BEGIN IMMEDIATE",
  [MC_SQL_BEGIN_READ] = "BEGIN",
  [MC_SQL_COMMIT] = "COMMIT",
  [MC_SQL_ROLLBACK] = "ROLLBACK",
};

typedef struct mc_sqlite mc_sqlite;

/* One thread's connection. Used only by that thread, except that mc_sqlite's close (with no
 * call in flight) closes every connection from whichever thread calls it. */
typedef struct mc_sqlite_conn {
  sqlite3 *db;
  sqlite3_stmt *stmts[MC_SQL_COUNT];
  mc_sqlite *owner;
  struct mc_sqlite_conn *prev, *next;
  int writing; /* holds the store's write_mu: inside a write transaction */
} mc_sqlite_conn;

struct mc_sqlite {
  mc_store base; /* first, so the port's mc_store * and this struct are one allocation */
  char *path;
  int busy_timeout_ms;
  pthread_key_t key; /* this store's connection for the calling thread */
  int key_created;
  /* Guards conns: threads add their connection on first use and remove it when they exit. */
  pthread_mutex_t mu;
  mc_sqlite_conn *conns;
  /* Taken by mc_sqlite_tx_begin_write and released by mc_sqlite_tx_end: this process's write
   * transactions queue here, handed over the moment one ends, rather than in SQLite's busy
   * handler, which sleeps 1, 2, 5, 10 ... 100 ms between tries: POST /cart/items had a p99 of
   * 78 ms at 32 connections, 20 ms with the queue (at 15% fewer writes a second when
   * saturated: the hand-over wakes a thread, where a sleeper left the lock to whoever came
   * next). SQLite still has one writer at a time; other processes on the file still meet the
   * busy timeout. */
  pthread_mutex_t write_mu;
};

int mc_sqlite_status(sqlite3 *db, int rc, const char *what) {
  int primary = rc & 0xff;
  const char *msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN) {
    mc_warn("store.sqlite", "%s: database unavailable: %s (code %d)", what, msg, rc);
    return MC_ERR_UNAVAILABLE;
  }
  mc_error("store.sqlite", "%s failed: %s (code %d)", what, msg, rc);
  return MC_ERR_INTERNAL;
}

/* Finalizes the statements and closes the handle; conn must already be off the owner's list. */
static void conn_free(mc_sqlite_conn *conn) {
  if (conn == NULL) return;
  for (int i = 0; i < MC_SQL_COUNT; i++) sqlite3_finalize(conn->stmts[i]);
  if (conn->db != NULL && sqlite3_close(conn->db) != SQLITE_OK)
    mc_error("store.sqlite", "close connection failed: %s", sqlite3_errmsg(conn->db));
  free(conn);
}

static void conn_unlink(mc_sqlite_conn *conn) {
  mc_sqlite *s = conn->owner;
  if (conn->prev != NULL) conn->prev->next = conn->next;
  else s->conns = conn->next;
  if (conn->next != NULL) conn->next->prev = conn->prev;
  conn->prev = conn->next = NULL;
}

/* Runs at the exit of a thread that used the store. The store must outlive its threads (the
 * server joins its workers before closing ports); close deletes the key first, after which no
 * destructor runs. */
static void conn_destructor(void *p) {
  mc_sqlite_conn *conn = p;
  mc_sqlite *s = conn->owner;

  pthread_mutex_lock(&s->mu);
  conn_unlink(conn);
  pthread_mutex_unlock(&s->mu);
  conn_free(conn);
}

/* Opens and configures a new connection. *out is the caller's (conn_free). */
static int conn_open(mc_sqlite *s, mc_sqlite_conn **out) {
  /* Pragmas that hold per connection rather than per file. synchronous=NORMAL is durable
   * across application crashes in WAL mode and only risks the last commits on power loss.
   * mmap_size: connections read the file through a memory map (the first GiB) rather than
   * read() calls into each connection's private 2 MB page cache, which listings and searches
   * over a large catalog would otherwise keep refilling, once per worker thread.
   * products_fts_terms: the full-text index's words, which product_list.c reads to learn
   * whether a search's last word is the start of any other word (a temp table, so no
   * migration; it only looks for products_fts when read). */
  static const char setup_sql[] = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                                  "PRAGMA mmap_size = 1073741824; "
                                  "CREATE VIRTUAL TABLE IF NOT EXISTS temp.products_fts_terms "
                                  "USING fts5vocab(main, products_fts, 'instance');";
  mc_sqlite_conn *conn;
  int rc;
  int err = MC_OK;

  *out = NULL;
  conn = calloc(1, sizeof *conn);
  if (conn == NULL) return MC_ERR_INTERNAL;
  conn->owner = s;
  /* NOMUTEX: a connection never has two users at once, so SQLite's own locking is wasted.
   * No CREATE flag: the file exists since open, and a vanished one should fail loudly rather
   * than come back empty. */
  rc = sqlite3_open_v2(s->path, &conn->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    err = mc_sqlite_status(conn->db, rc, "open connection");
    goto done;
  }
  sqlite3_extended_result_codes(conn->db, 1);
  sqlite3_busy_timeout(conn->db, s->busy_timeout_ms);
  /* Defensive mode stops SQL from corrupting the file by writing to shadow tables or the
   * schema. trusted_schema stays on: FTS5 content tables are kept in sync by triggers, which
   * SQLite refuses ("unsafe use of virtual table") on an untrusted schema. */
  sqlite3_db_config(conn->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
  rc = sqlite3_exec(conn->db, setup_sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    err = mc_sqlite_status(conn->db, rc, "configure connection");
    goto done;
  }
  err = mc_sqlite_fts_count_register(conn->db);
done:
  if (err != MC_OK) conn_free(conn);
  else *out = conn;
  return err;
}

/* The calling thread's connection, opened on first use and kept until the thread exits or the
 * store closes. *out is borrowed. */
static int conn_get(mc_sqlite *s, mc_sqlite_conn **out) {
  mc_sqlite_conn *conn = pthread_getspecific(s->key);
  int err;

  if (conn != NULL) {
    *out = conn;
    return MC_OK;
  }
  err = conn_open(s, &conn);
  if (err != MC_OK) return err;
  if (pthread_setspecific(s->key, conn) != 0) {
    conn_free(conn);
    return MC_ERR_INTERNAL;
  }
  pthread_mutex_lock(&s->mu);
  conn->next = s->conns;
  if (s->conns != NULL) s->conns->prev = conn;
  s->conns = conn;
  pthread_mutex_unlock(&s->mu);
  *out = conn;
  return MC_OK;
}

/* Cached statements come back reset and unbound, ready to bind: every user ends with
 * mc_sqlite_stmt_done. */
int mc_sqlite_stmt_get(mc_store *st, mc_sqlite_sql id, const char *sql, sqlite3 **db,
                       sqlite3_stmt **out) {
  mc_sqlite_conn *conn;
  int err;
  int rc;

  if ((unsigned)id >= MC_SQL_COUNT || sql == NULL) return MC_ERR_INTERNAL;
  err = conn_get(st->impl, &conn);
  if (err != MC_OK) return err;
  if (conn->stmts[id] == NULL) {
    rc = sqlite3_prepare_v3(conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &conn->stmts[id],
                            NULL);
    if (rc != SQLITE_OK) return mc_sqlite_status(conn->db, rc, "prepare statement");
  }
  *db = conn->db;
  *out = conn->stmts[id];
  return MC_OK;
}

int mc_sqlite_stmt_cached(mc_store *st, mc_sqlite_sql id, sqlite3 **db, sqlite3_stmt **out) {
  mc_sqlite_conn *conn;
  int err;

  *out = NULL;
  if ((unsigned)id >= MC_SQL_COUNT) return MC_ERR_INTERNAL;
  err = conn_get(st->impl, &conn);
  if (err != MC_OK) return err;
  *db = conn->db;
  *out = conn->stmts[id];
  return MC_OK;
}

void mc_sqlite_stmt_done(sqlite3_stmt *stmt) {
  if (stmt == NULL) return;
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

/* One of this file's own statements (their texts are in sql_text above). */
static int stmt_get(mc_store *st, mc_sqlite_sql id, sqlite3 **db, sqlite3_stmt **out) {
  return mc_sqlite_stmt_get(st, id, sql_text[id], db, out);
}

/* Runs one of the transaction statements. */
static int tx_run(mc_store *st, mc_sqlite_sql id, sqlite3 **db, const char *what) {
  sqlite3_stmt *stmt = NULL;
  int err = stmt_get(st, id, db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) err = mc_sqlite_status(*db, rc, what);
  mc_sqlite_stmt_done(stmt);
  return err;
}

int mc_sqlite_tx_begin_write(mc_store *st, sqlite3 **db) {
  mc_sqlite *s = st->impl;
  mc_sqlite_conn *conn;
  int err = conn_get(s, &conn);
  int nested;

  if (err != MC_OK) return err;
  /* A write begun inside another fails at BEGIN, as it always did, and must not wait for the
   * lock its own thread holds. */
  nested = conn->writing;
  if (!nested) {
    pthread_mutex_lock(&s->write_mu);
    conn->writing = 1;
  }
  err = tx_run(st, MC_SQL_BEGIN_WRITE, db, "begin write transaction");
  if (err != MC_OK && !nested) {
    conn->writing = 0;
    pthread_mutex_unlock(&s->write_mu);
  }
  return err;
}

int mc_sqlite_tx_begin_read(mc_store *st, sqlite3 **db) {
  return tx_run(st, MC_SQL_BEGIN_READ, db, "begin read transaction");
}

int mc_sqlite_tx_end(mc_store *st, int err) {
  mc_sqlite_conn *conn;
  sqlite3 *db;

  /* The transaction's connection exists: begin opened it. */
  if (conn_get(st->impl, &conn) != MC_OK) return err != MC_OK ? err : MC_ERR_INTERNAL;
  if (err == MC_OK) err = tx_run(st, MC_SQL_COMMIT, &db, "commit");
  /* Some failures (out of memory, I/O errors) already rolled the transaction back. */
  if (!sqlite3_get_autocommit(conn->db) &&
      tx_run(st, MC_SQL_ROLLBACK, &db, "rollback") != MC_OK &&
      !sqlite3_get_autocommit(conn->db)) {
    /* A connection stuck in a transaction would keep its snapshot or the write lock and fail
     * every later BEGIN; nothing can repair that here, so say it loudly. */
    mc_error("store.sqlite", "rollback failed; the connection is left in a transaction");
  }
  /* Released even then: other writers then meet SQLite's lock and its busy timeout, which
   * beats waiting here for good. */
  if (conn->writing) {
    conn->writing = 0;
    pthread_mutex_unlock(&conn->owner->write_mu);
  }
  return err;
}

int mc_sqlite_write_status(sqlite3 *db, int rc, const char *what) {
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    mc_debug("store.sqlite", "%s: %s", what, sqlite3_errmsg(db)); /* names the column */
    return MC_ERR_CONFLICT;
  }
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    mc_debug("store.sqlite", "%s: constraint failed: %s", what, sqlite3_errmsg(db));
    return MC_ERR_INVALID;
  }
  return mc_sqlite_status(db, rc, what);
}

int mc_sqlite_exec_stmt(sqlite3 *db, sqlite3_stmt *stmt, const char *what) {
  int rc = sqlite3_step(stmt);
  return rc == SQLITE_DONE ? MC_OK : mc_sqlite_write_status(db, rc, what);
}

static int sqlite_ping(mc_store *st) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_PING, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) err = mc_sqlite_status(db, rc, "ping");
  mc_sqlite_stmt_done(stmt);
  return err;
}

static int sqlite_schema_version(mc_store *st, int *out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_SCHEMA_VERSION, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int(stmt, 0);
  else err = mc_sqlite_status(db, rc, "read schema version");
  mc_sqlite_stmt_done(stmt);
  return err;
}

static int sqlite_event_record_once(mc_store *st, const char *source, const char *event_id) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  size_t source_len = strlen(source), id_len = strlen(event_id); /* checked by store.c */
  int err;
  int rc;

  err = stmt_get(st, MC_SQL_EVENT_INSERT, &db, &stmt);
  if (err != MC_OK) return err;
  /* SQLITE_STATIC: the caller's strings outlive the step, and mc_sqlite_stmt_done unbinds
   * them. */
  rc = sqlite3_bind_text(stmt, 1, source, (int)source_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(stmt, 2, event_id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, mc_now_ms());
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    err = mc_sqlite_status(db, rc, "record event");
    goto done;
  }
  /* ON CONFLICT DO NOTHING turns the uniqueness race into a row count: one writer inserts,
   * every other one (thread or process) changes nothing. */
  err = sqlite3_changes(db) == 1 ? MC_OK : MC_ERR_CONFLICT;
done:
  mc_sqlite_stmt_done(stmt);
  return err;
}

static void sqlite_close(mc_store *st) {
  mc_sqlite *s = st != NULL ? st->impl : NULL;
  mc_sqlite_conn *conn;

  if (s == NULL) return;
  /* Deleting the key first means no thread-exit destructor starts on this store from now on. */
  if (s->key_created) pthread_key_delete(s->key);
  pthread_mutex_lock(&s->mu);
  while ((conn = s->conns) != NULL) {
    conn_unlink(conn);
    conn_free(conn);
  }
  pthread_mutex_unlock(&s->mu);
  pthread_mutex_destroy(&s->mu);
  pthread_mutex_destroy(&s->write_mu);
  free(s->path);
  free(s);
}

static const mc_store_ops sqlite_ops = {
  .ping = sqlite_ping,
  .schema_version = sqlite_schema_version,
  .event_record_once = sqlite_event_record_once,
  .category_create = mc_sqlite_category_create,
  .category_get = mc_sqlite_category_get,
  .category_get_by_slug = mc_sqlite_category_get_by_slug,
  .category_list = mc_sqlite_category_list,
  .category_update = mc_sqlite_category_update,
  .category_delete = mc_sqlite_category_delete,
  .product_create = mc_sqlite_product_create,
  .product_get = mc_sqlite_product_get,
  .product_get_by_slug = mc_sqlite_product_get_by_slug,
  .product_update = mc_sqlite_product_update,
  .product_delete = mc_sqlite_product_delete,
  .product_list = mc_sqlite_product_list,
  .product_page = mc_sqlite_product_page,
  .product_page_get = mc_sqlite_product_page_get,
  .product_image_add = mc_sqlite_product_image_add,
  .product_image_remove = mc_sqlite_product_image_remove,
  .coupon_create = mc_sqlite_coupon_create,
  .coupon_get = mc_sqlite_coupon_get,
  .coupon_get_by_code = mc_sqlite_coupon_get_by_code,
  .coupon_list = mc_sqlite_coupon_list,
  .coupon_update = mc_sqlite_coupon_update,
  .coupon_delete = mc_sqlite_coupon_delete,
  .coupon_redemption_count = mc_sqlite_coupon_redemption_count,
  .coupon_redeem = mc_sqlite_coupon_redeem,
  .cart_get = mc_sqlite_cart_get,
  .cart_item_add = mc_sqlite_cart_item_add,
  .cart_item_set = mc_sqlite_cart_item_set,
  .cart_item_remove = mc_sqlite_cart_item_remove,
  .cart_clear = mc_sqlite_cart_clear,
  .cart_coupon_set = mc_sqlite_cart_coupon_set,
  .cart_merge = mc_sqlite_cart_merge,
  .cart_purge_expired = mc_sqlite_cart_purge_expired,
  .close = sqlite_close,
};

/* Creates the database file owner-only if it is missing, before SQLite sees it: SQLite would
 * create it with 0644 less the umask, and it holds customers' data. SQLite gives the -wal and
 * -shm files the main file's mode. An existing file keeps the mode its operator chose. */
static int create_db_file(const char *path) {
  int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  int err = MC_OK;

  if (fd < 0) {
    if (errno == EEXIST) return MC_OK;
    mc_error("store.sqlite", "cannot create database %s: %s (its directory must exist)", path,
             strerror(errno));
    return MC_ERR_UNAVAILABLE;
  }
  if (fchmod(fd, 0600) != 0) {
    mc_error("store.sqlite", "cannot chmod database %s: %s", path, strerror(errno));
    err = MC_ERR_INTERNAL;
  }
  close(fd);
  return err;
}

/* Switches the file to WAL (persistent, so once per file would do; repeating it is a no-op)
 * and checks it took: some file systems cannot do WAL, and readers would then block writers.
 * Leaving rollback mode needs an exclusive lock, and SQLite answers BUSY at once, without the
 * busy handler, when another opener holds a shared lock at that moment (waiting could deadlock
 * the two); so we retry ourselves, within the same busy timeout. */
static int enable_wal(sqlite3 *db, int busy_timeout_ms) {
  sqlite3_stmt *stmt = NULL;
  const unsigned char *mode;
  int waited_ms = 0;
  int rc;
  int err = MC_OK;

  rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  while (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
    if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= busy_timeout_ms) break;
    sqlite3_reset(stmt);
    waited_ms += sqlite3_sleep(5);
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_ROW) {
    err = mc_sqlite_status(db, rc, "enable WAL");
    goto done;
  }
  mode = sqlite3_column_text(stmt, 0);
  if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
    mc_error("store.sqlite", "the database refused WAL mode (journal mode is %s)",
             mode != NULL ? (const char *)mode : "unknown");
    err = MC_ERR_INTERNAL;
  }
done:
  sqlite3_finalize(stmt);
  return err;
}

/* SQLite's memory statistics take one global mutex on every allocation of every connection,
 * which serialises the worker threads; nothing here reads those statistics. Must run before
 * SQLite initialises, hence once, before the first open. */
static pthread_once_t sqlite_configured = PTHREAD_ONCE_INIT;
static void configure_sqlite(void) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int mc_store_sqlite_open(const mc_store_sqlite_options *opts, mc_store **out) {
  mc_sqlite *s = NULL;
  mc_sqlite_conn *conn;
  int version = 0;
  int err;

  pthread_once(&sqlite_configured, configure_sqlite);
  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  /* An empty path is a private temporary database and ":memory:" one per connection: with a
   * connection per thread, each thread would see its own empty data. */
  if (opts == NULL || opts->path == NULL || opts->path[0] == '\0' ||
      strcmp(opts->path, ":memory:") == 0 || opts->busy_timeout_ms < 0) {
    mc_error("store.sqlite", "open: a database file path and a busy timeout >= 0 are required");
    return MC_ERR_INVALID;
  }
  s = calloc(1, sizeof *s);
  if (s == NULL) return MC_ERR_INTERNAL;
  s->base.ops = &sqlite_ops;
  s->base.users = &mc_sqlite_user_ops;
  s->base.name = "sqlite";
  s->base.impl = s;
  s->busy_timeout_ms = opts->busy_timeout_ms;
  if (pthread_mutex_init(&s->mu, NULL) != 0) {
    free(s);
    return MC_ERR_INTERNAL;
  }
  if (pthread_mutex_init(&s->write_mu, NULL) != 0) {
    pthread_mutex_destroy(&s->mu);
    free(s);
    return MC_ERR_INTERNAL;
  }
  err = MC_ERR_INTERNAL;
  s->path = strdup(opts->path);
  if (s->path == NULL) goto done;
  if (pthread_key_create(&s->key, conn_destructor) != 0) goto done;
  s->key_created = 1;
  err = create_db_file(s->path);
  if (err != MC_OK) goto done;
  /* The opening thread's connection does the one-time work and then stays as its cache. */
  err = conn_get(s, &conn);
  if (err != MC_OK) goto done;
  err = enable_wal(conn->db, s->busy_timeout_ms);
  if (err != MC_OK) goto done;
  err = mc_sqlite_migrate(conn->db);
  if (err != MC_OK) goto done;
  mc_sqlite_search_index_tidy(conn->db);
  err = sqlite_schema_version(&s->base, &version);
  if (err != MC_OK) goto done;
  mc_info("store.sqlite", "opened %s at schema version %d", s->path, version);
done:
  if (err != MC_OK) sqlite_close(&s->base);
  else *out = &s->base;
  return err;
}
