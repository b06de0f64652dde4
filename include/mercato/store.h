/* store.h - the storage port: typed, atomic operations per aggregate, returning documents in one
 * canonical JSON shape whatever the adapter. This header holds the port's core (the store
 * handle, the factory that picks an adapter from configuration, ping, schema version, events,
 * close) and includes each aggregate's header (mercato/store/<aggregate>.h: its ops table and
 * the wrappers callers use). Adapters: sqlite (the embedded default). Every adapter passes the
 * contract suites in tests/unit/test_store*.c, which reach it only through mc_store_open.
 *
 * Every function is thread-safe (the sqlite adapter keeps one connection per calling thread),
 * and returns an mc_err: MC_ERR_UNAVAILABLE when the database is locked or unreachable past its
 * timeout, MC_ERR_INTERNAL for anything unexpected.
 *
 * Product search, as every adapter promises it (whatever its index: FTS5 in sqlite, a text
 * index or another in MongoDB). A query's text is split into words: runs of letters and digits,
 * where any non-ASCII byte counts as a letter; only the first 8 words count, each cut to 64
 * bytes; a text with no word matches nothing. A product matches when its name or description
 * holds every word, case and accents ignored and nothing stemmed ("chairs" is not "chair"),
 * each as a whole word except the last, which also matches as a prefix ("cha" finds "chair").
 * Listings filter and count exactly those matches, whatever the sort. Relevance
 * (MC_SORT_RELEVANCE) orders by how well a product matches, a word in the name counting for
 * much more than one in the description; the exact scores, and whether a large result is
 * ranked in full or in coarser tiers, are the adapter's (sqlite's: at mc_product_sort). Ties
 * are broken by id as for every sort, so pages never overlap. An adapter that cannot keep a
 * point (a text index that stems, or cannot match a prefix) states the difference here, beside
 * this paragraph, and in the README, and keeps every other point. */
#ifndef MERCATO_STORE_H
#define MERCATO_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/id.h"
#include "mercato/refusal.h"
#include "mercato/store/users.h"

#define MC_STORE_EVENT_SOURCE_MAX 32
#define MC_STORE_EVENT_ID_MAX 255

typedef struct mc_store mc_store;
/* Each aggregate's operations: its ops table and the wrappers callers use, in
 * include/mercato/store/<aggregate>.h. */
typedef struct mc_store_catalog_ops mc_store_catalog_ops; /* mercato/store/catalog.h */
typedef struct mc_store_coupon_ops mc_store_coupon_ops;   /* mercato/store/coupons.h */
typedef struct mc_store_cart_ops mc_store_cart_ops;       /* mercato/store/carts.h */

/* The port's core, which each adapter fills. Its entries have the contracts of the wrappers
 * below (mc_store_ping ...), which check arguments first (store.c). */
typedef struct mc_store_ops {
  int (*ping)(mc_store *st);
  int (*schema_version)(mc_store *st, int *out);
  /* source and event_id already checked: 1..MAX bytes. */
  int (*event_record_once)(mc_store *st, const char *source, const char *event_id);

  /* Frees the adapter and its connections. No call may be in flight, and no thread that used
   * the store may be exiting at the same time (join workers first). */
  void (*close)(mc_store *st);
} mc_store_ops;

struct mc_store {
  const mc_store_ops *ops;
  const mc_store_user_ops *users;      /* filled by the adapter; callers use mc_store_user_* */
  const mc_store_catalog_ops *catalog; /* categories, products, images: store/catalog.h */
  const mc_store_coupon_ops *coupons;  /* filled by the adapter; callers use mc_store_coupon_* */
  const mc_store_cart_ops *carts;      /* filled by the adapter; callers use mc_store_cart_* */
  const char *name; /* "sqlite": static */
  void *impl;
};

/* Where the store is, in terms no adapter owns. */
typedef struct mc_store_options {
  const char *data_dir;    /* the data directory (MERCATO_DATA_DIR); must exist */
  const char *url;         /* NULL or "": the embedded SQLite file <data_dir>/mercato.db;
                            * "sqlite:///abs/path.db" or "sqlite:relative/path.db" (relative to
                            * the working directory): that SQLite file */
  int busy_timeout_ms;     /* how long a write waits for a lock another program holds, >= 0 */
} mc_store_options;

/* Opens the adapter opts->url names (the embedded SQLite file without one), which brings its
 * schema up to date, each migration in its own transaction, so a database is always at a
 * version the code knows; a database newer than the code is refused (MC_ERR_CONFLICT).
 * MC_ERR_INVALID for missing options, a negative timeout, a data_dir that is empty when the
 * URL does not name a file, or a URL whose scheme is not supported (the log lists the
 * supported ones, never the URL, which may hold a password); MC_ERR_UNAVAILABLE when the
 * database cannot be created, opened or stays locked (a missing data directory included).
 * *out is the caller's (mc_store_close); it is NULL on failure. */
int mc_store_open(const mc_store_options *opts, mc_store **out);

/* Closes st (NULL is fine). No call may be in flight. */
void mc_store_close(mc_store *st);

/* MC_OK when the database answers a trivial query. */
int mc_store_ping(mc_store *st);
/* Writes the schema version the database is at to *out. */
int mc_store_schema_version(mc_store *st, int *out);
/* Records that the outside event (source, event_id) was processed, exactly once across threads
 * and processes: MC_OK the first time, MC_ERR_CONFLICT if it was already recorded.
 * source is 1..MC_STORE_EVENT_SOURCE_MAX bytes, event_id 1..MC_STORE_EVENT_ID_MAX bytes;
 * MC_ERR_INVALID otherwise. Used to make webhook handling idempotent. */
int mc_store_event_record_once(mc_store *st, const char *source, const char *event_id);

#endif

/* The aggregates' sections, so that every includer of the port sees them. */
#include "mercato/store/catalog.h"
