/* internal.h - private to the sqlite storage adapter: what sqlite.c, migrations.c and the
 * aggregate files (users.c, ...) share. Nothing outside api/store/sqlite includes this; the
 * port's contract is mercato/store.h. */
#ifndef MERCATO_STORE_SQLITE_INTERNAL_H
#define MERCATO_STORE_SQLITE_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "mercato/store.h"
#include "sqlite.h"

/* Listing shapes (product_list.c): one bit per kind of filter, times the sort orders. */
#define MC_SQLITE_LIST_SHAPES 256
#define MC_SQLITE_LIST_SORTS 8 /* mc_product_sort's, and three more of product_list.c's own */

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
  MC_SQL_USER_GET_ACCOUNT,
  MC_SQL_USER_GET_BY_EMAIL,
  MC_SQL_USER_UPDATE,
  MC_SQL_USER_COUNT_BY_ROLE,
  /* sqlite.c: transactions */
  MC_SQL_BEGIN_WRITE,
  MC_SQL_BEGIN_READ,
  MC_SQL_COMMIT,
  MC_SQL_ROLLBACK,
  /* categories.c */
  MC_SQL_CATEGORY_INSERT,
  MC_SQL_CATEGORY_GET,
  MC_SQL_CATEGORY_GET_BY_SLUG,
  MC_SQL_CATEGORY_LIST,
  MC_SQL_CATEGORY_UPDATE,
  MC_SQL_CATEGORY_USAGE,
  MC_SQL_CATEGORY_DELETE,
  /* products.c */
  MC_SQL_PRODUCT_INSERT,
  MC_SQL_PRODUCT_UPDATE,
  MC_SQL_PRODUCT_TOUCH,
  MC_SQL_PRODUCT_DELETE,
  MC_SQL_PRODUCT_LINK,
  MC_SQL_PRODUCT_UNLINK_ALL,
  MC_SQL_PRODUCT_IMAGES,
  MC_SQL_PRODUCT_IMAGE_SLOT,
  MC_SQL_PRODUCT_IMAGE_INSERT,
  MC_SQL_PRODUCT_IMAGE_DELETE,
  MC_SQL_PRODUCT_STATE,
  MC_SQL_PRODUCT_ARCHIVE,
  MC_SQL_PRODUCT_UNCART,
  MC_SQL_PRODUCT_TERM_AFTER, /* product_list.c: the first indexed word after a search's last */
  MC_SQL_PRODUCT_PHRASE_COUNT,       /* product_list.c: a one-word search's matches */
  MC_SQL_PRODUCT_NAMED_PHRASE_COUNT, /* and its name matches */
  /* product_rows.c */
  MC_SQL_PRODUCT_ROW_GET,
  MC_SQL_PRODUCT_ROW_GET_BY_SLUG,
  /* coupons.c */
  MC_SQL_COUPON_INSERT,
  MC_SQL_COUPON_GET,
  MC_SQL_COUPON_GET_BY_CODE,
  MC_SQL_COUPON_PAGE,
  MC_SQL_COUPON_COUNT,
  MC_SQL_COUPON_UPDATE,
  MC_SQL_COUPON_USAGE,
  MC_SQL_COUPON_DELETE,
  MC_SQL_COUPON_REDEMPTIONS,
  MC_SQL_COUPON_REDEEMED,
  MC_SQL_COUPON_REDEEM_STATE,
  MC_SQL_COUPON_REDEMPTION_INSERT,
  MC_SQL_COUPON_USE,
  /* carts.c */
  MC_SQL_CART_GET_BY_USER,
  MC_SQL_CART_GET_BY_TOKEN,
  MC_SQL_CART_GET_BY_ID,
  MC_SQL_CART_FIND_BY_USER,
  MC_SQL_CART_FIND_BY_TOKEN,
  MC_SQL_CART_INSERT,
  MC_SQL_CART_TOUCH,
  MC_SQL_CART_LINE_STATE,
  MC_SQL_CART_LINE_PUT,
  MC_SQL_CART_LINE_DELETE,
  MC_SQL_CART_LINES_CLEAR,
  MC_SQL_CART_MERGE_LINES,
  MC_SQL_CART_DELETE,
  MC_SQL_CART_PURGE,
  /* product_list.c: statements built from fixed fragments, one per listing shape (the set of
   * filters in use, and the order), prepared when a shape is first used. */
  MC_SQL_PRODUCT_PAGE_FIRST,
  MC_SQL_PRODUCT_COUNT_FIRST =
    MC_SQL_PRODUCT_PAGE_FIRST + MC_SQLITE_LIST_SHAPES * MC_SQLITE_LIST_SORTS,
  /* the counts of name matches (the first tier of relevance) */
  MC_SQL_PRODUCT_NAMED_COUNT_FIRST = MC_SQL_PRODUCT_COUNT_FIRST + MC_SQLITE_LIST_SHAPES,
  MC_SQL_COUNT = MC_SQL_PRODUCT_NAMED_COUNT_FIRST + MC_SQLITE_LIST_SHAPES
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

/* The calling thread's statement for slot id if it was already prepared, else *out = NULL (and
 * MC_OK): for statements whose text is built, so it is built once per connection. */
int mc_sqlite_stmt_cached(mc_store *st, mc_sqlite_sql id, sqlite3 **db, sqlite3_stmt **out);

/* Resets stmt (NULL is fine), which ends its implicit transaction and releases its lock, and
 * unbinds caller memory. */
void mc_sqlite_stmt_done(sqlite3_stmt *stmt);

/* Brings the database on db (borrowed; no transaction open) to mc_store_sqlite_latest_version(),
 * one BEGIN IMMEDIATE transaction per migration, so that concurrent openers (threads or
 * processes) apply each migration exactly once. MC_ERR_CONFLICT when the database is newer than
 * this build; MC_ERR_UNAVAILABLE if another writer held the lock past the busy timeout. */
int mc_sqlite_migrate(sqlite3 *db);

/* After migrating (search_index.c): merges each catalog full-text index that is in many
 * segments (after a bulk load) into one, in its own write transaction. Best effort: a failure
 * is logged and MC_OK returned, since searches stay correct, only slower. */
int mc_sqlite_search_index_tidy(sqlite3 *db);

/* Transactions on the calling thread's connection (*db, borrowed). begin_write is BEGIN
 * IMMEDIATE: it takes the write lock at once (waiting up to the busy timeout, then
 * MC_ERR_UNAVAILABLE), so no transaction fails half-way on a lock upgrade. begin_read is a
 * deferred BEGIN, for reads that must see one snapshot. tx_end commits when err is MC_OK and
 * rolls back otherwise (or when the commit fails); it returns err, or the commit's failure,
 * and always leaves the connection outside any transaction. Every statement used inside must
 * have been reset (mc_sqlite_stmt_done) before tx_end. */
int mc_sqlite_tx_begin_write(mc_store *st, sqlite3 **db);
int mc_sqlite_tx_begin_read(mc_store *st, sqlite3 **db);
int mc_sqlite_tx_end(mc_store *st, int err);

/* Maps a failed write: UNIQUE or PRIMARY KEY -> MC_ERR_CONFLICT; any other constraint (CHECK,
 * NOT NULL, FOREIGN KEY, a trigger's RAISE) -> MC_ERR_INVALID, logged at debug with SQLite's
 * message, which names the rule but no value; anything else as mc_sqlite_status. */
int mc_sqlite_write_status(sqlite3 *db, int rc, const char *what);

/* ---- catalog documents (documents.c, for categories.c and products.c) ----
 * An aggregate describes its input members in a table of mc_sqlite_field; mc_sqlite_doc_read
 * checks a document against it as strictly as users.c does, and mc_sqlite_doc_bind binds
 * what was read. Output documents are built from rows by mc_sqlite_row_doc. */

typedef enum mc_sqlite_kind {
  MC_SQLITE_TEXT, /* a string of min..max bytes with no NUL (and see the flags, max_chars) */
  MC_SQLITE_INT,  /* an integer in min..max */
  MC_SQLITE_BOOL, /* true or false; bound as 1 or 0 */
  MC_SQLITE_ANY   /* checked by the aggregate itself (category_ids); never bound */
} mc_sqlite_kind;

enum {
  MC_SQLITE_REQUIRED = 1,    /* create needs it */
  MC_SQLITE_UPDATABLE = 2,   /* update may change it */
  MC_SQLITE_NULLABLE = 4,    /* null is a value (stored as NULL) */
  MC_SQLITE_SINGLE_LINE = 8  /* TEXT: no control characters (below 0x20, or 0x7f) */
};

typedef struct mc_sqlite_field {
  const char *name;
  mc_sqlite_kind kind;
  unsigned flags;
  int64_t min, max;    /* TEXT: length in bytes; INT: value */
  int max_chars;       /* TEXT: at most this many UTF-8 characters; 0: no such limit */
  int (*valid)(const char *s, size_t len); /* TEXT: a further rule, or NULL */
  int insert_param;    /* its parameter in the insert; 0: none */
  int update_param;    /* its parameter in the update; 0: none */
  int update_flag;     /* NULLABLE: a parameter set to 1 when the update names the member */
} mc_sqlite_field;

/* One member as read: json is NULL when absent (and a JSON null when null). */
typedef struct mc_sqlite_value {
  const json_t *json; /* borrowed from the document */
  const char *s;      /* TEXT: borrowed from the document */
  size_t len;
  int64_t i;          /* INT, BOOL */
} mc_sqlite_value;

#define MC_SQLITE_FIELDS_MAX 16

/* Reads doc (borrowed) against fields[0..n) into v[0..n) (borrowing doc's values) or returns
 * MC_ERR_INVALID: doc must be an object whose every member is a field (for_update: an
 * UPDATABLE one) with a valid value, and, unless for_update, hold every REQUIRED field; for
 * an update, at least one member. The debug line names the field but never echoes a value or
 * an unknown member's name (both come from outside). */
int mc_sqlite_doc_read(const json_t *doc, const mc_sqlite_field *fields, int n, int for_update,
                       const char *what, mc_sqlite_value *v);

/* Binds each present value to its insert (or update) parameter, and sets update flags.
 * SQLITE_STATIC: the values belong to the caller's document, which outlives the step, and
 * mc_sqlite_stmt_done unbinds them. Returns an SQLite result code. */
int mc_sqlite_doc_bind(sqlite3_stmt *stmt, const mc_sqlite_field *fields, int n,
                       const mc_sqlite_value *v, int for_update);

/* 1 when s (len bytes) is a slug: 1..100 of [a-z0-9-]. */
int mc_sqlite_slug_valid(const char *s, size_t len);

/* 1 when key (NUL-terminated) is 1..max bytes; *len gets its length. Keys that fail cannot
 * match anything stored, so lookups answer MC_ERR_NOT_FOUND without asking. */
int mc_sqlite_key_ok(const char *key, size_t max, size_t *len);

/* Steps a write ... RETURNING statement (bound by the caller) to its end. Its change happens at
 * the first step and commits when it finishes, so the row is read in between with from_row;
 * *out (NULL: not wanted) gets the document, a new reference. MC_ERR_NOT_FOUND when no row
 * matched; failures map through mc_sqlite_write_status. Should the document fail to build (out
 * of memory, a row another writer broke), the write stands and from_row's error is returned. */
int mc_sqlite_write_returning(sqlite3 *db, sqlite3_stmt *stmt, int (*from_row)(sqlite3_stmt *stmt, json_t **out),
                              const char *what, json_t **out);
/* Runs the statement id (sql) with key bound to ?1 and hands its first row to read(stmt, arg),
 * returning what read returns. MC_ERR_INVALID for a NULL key, MC_ERR_NOT_FOUND when the key is
 * not 1..key_max bytes or no row matches; what names the lookup in error logs. */
int mc_sqlite_read_one(mc_store *st, mc_sqlite_sql id, const char *sql, const char *key, size_t key_max,
                       int (*read)(sqlite3_stmt *stmt, void *arg), void *arg, const char *what);
/* mc_sqlite_read_one building the row with from_row into *out (new reference); MC_ERR_INVALID
 * for a NULL out too. */
int mc_sqlite_get_one(mc_store *st, mc_sqlite_sql id, const char *sql, const char *key, size_t key_max,
                      int (*from_row)(sqlite3_stmt *stmt, json_t **out), const char *what, json_t **out);

typedef enum mc_sqlite_col_kind {
  MC_SQLITE_COL_TEXT, /* a string, or null for NULL */
  MC_SQLITE_COL_INT,  /* an integer, or null for NULL */
  MC_SQLITE_COL_BOOL, /* 0/1 -> false/true */
  MC_SQLITE_COL_TIME, /* ms since the epoch -> RFC 3339 string */
  MC_SQLITE_COL_JSON  /* JSON text made by the query (json_group_array) -> its value */
} mc_sqlite_col_kind;

typedef struct mc_sqlite_column {
  const char *name;
  mc_sqlite_col_kind kind;
} mc_sqlite_column;

/* Builds a document from the current row of stmt, member i from column first + i; *out is a
 * new reference. MC_ERR_INTERNAL (logged with what) for a row no canonical document can
 * hold: text that is not UTF-8, a time out of range, malformed JSON, or no memory. */
int mc_sqlite_row_doc(sqlite3_stmt *stmt, int first, const mc_sqlite_column *cols, int n,
                      const char *what, json_t **out);

/* Steps stmt (bound, no rows expected) to its end: MC_OK or mc_sqlite_write_status. */
int mc_sqlite_exec_stmt(sqlite3 *db, sqlite3_stmt *stmt, const char *what);

/* The users aggregate (users.c). */
extern const mc_store_user_ops mc_sqlite_user_ops;

/* The categories aggregate (categories.c): the mc_store_ops entries, same contracts. */
int mc_sqlite_category_create(mc_store *st, const json_t *category, json_t **out);
int mc_sqlite_category_get(mc_store *st, const char *id, json_t **out);
int mc_sqlite_category_get_by_slug(mc_store *st, const char *slug, json_t **out);
int mc_sqlite_category_list(mc_store *st, json_t **out);
int mc_sqlite_category_update(mc_store *st, const char *id, const json_t *changes, json_t **out);
int mc_sqlite_category_delete(mc_store *st, const char *id, int64_t *out_products,
                              int64_t *out_children);

/* The products aggregate (products.c, and product_list.c for listings). */
int mc_sqlite_product_create(mc_store *st, const json_t *product, json_t **out);
int mc_sqlite_product_get(mc_store *st, const char *id, json_t **out);
int mc_sqlite_product_get_by_slug(mc_store *st, const char *slug, json_t **out);
int mc_sqlite_product_update(mc_store *st, const char *id, const json_t *changes, json_t **out);
int mc_sqlite_product_delete(mc_store *st, const char *id, json_t **out_images,
                             json_t **out_archived);
int mc_sqlite_product_list(mc_store *st, const mc_product_query *query, json_t **out_items,
                           int64_t *out_count);
int mc_sqlite_product_image_add(mc_store *st, const char *product_id, const json_t *image,
                                json_t **out);
int mc_sqlite_product_image_remove(mc_store *st, const char *product_id, const char *image_id,
                                   json_t **out_image);

/* The coupons aggregate (coupons.c): the mc_store_ops entries, same contracts. */
int mc_sqlite_coupon_create(mc_store *st, const json_t *coupon, json_t **out);
int mc_sqlite_coupon_get(mc_store *st, const char *id, json_t **out);
int mc_sqlite_coupon_get_by_code(mc_store *st, const char *code, json_t **out);
int mc_sqlite_coupon_list(mc_store *st, const mc_coupon_query *query, json_t **out_items,
                          int64_t *out_count);
int mc_sqlite_coupon_update(mc_store *st, const char *id, const json_t *changes, json_t **out);
int mc_sqlite_coupon_delete(mc_store *st, const char *id);
int mc_sqlite_coupon_redemption_count(mc_store *st, const char *coupon_id, const char *user_id,
                                      int64_t *out);
int mc_sqlite_coupon_redeem(mc_store *st, const char *coupon_id, const char *order_id,
                            const char *user_id, int64_t now_ms, mc_coupon_refusal *out_refusal);

/* The carts aggregate (carts.c): the mc_store_ops entries, same contracts. */
int mc_sqlite_cart_get(mc_store *st, const mc_cart_owner *owner, mc_cart **out);
int mc_sqlite_cart_item_add(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                            const char *product_id, int64_t quantity, mc_cart_refusal *out_refusal,
                            int64_t *out_available, mc_cart **out);
int mc_sqlite_cart_item_set(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                            const char *product_id, int64_t quantity, mc_cart_refusal *out_refusal,
                            int64_t *out_available, mc_cart **out);
int mc_sqlite_cart_item_remove(mc_store *st, const mc_cart_owner *owner,
                               const mc_cart_limits *limits, const char *product_id, mc_cart **out);
int mc_sqlite_cart_clear(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                         mc_cart **out);
int mc_sqlite_cart_coupon_set(mc_store *st, const mc_cart_owner *owner,
                              const mc_cart_limits *limits, const char *coupon_id, mc_cart **out);
int mc_sqlite_cart_merge(mc_store *st, const char *token_hash, const char *user_id,
                         const mc_cart_limits *limits, mc_cart **out);
int mc_sqlite_cart_purge_expired(mc_store *st, int64_t max, int64_t *out_count);

/* The columns of a product row (mc_product_row), over the alias p, in the order
 * mc_sqlite_product_row_read reads them. Categories and images come as text the reader splits
 * (cheaper to make and to read than JSON): the category ids ([a-z0-9_]) separated by spaces
 * (products.category_list, kept by triggers: migration 8), and each image's id, url,
 * content_type, width, height and bytes separated by the unit separator (31), images by the
 * record separator (30); no stored image string holds a control character. A product without
 * a cover (products.cover_url, kept by triggers) has no image, so its images are not looked
 * for. */
#define MC_SQLITE_PRODUCT_ROW_COLUMNS                                                             \
  "p.id, p.name, p.slug, p.description, p.price, p.currency, p.compare_at_price, p.sku, "        \
  "p.stock, p.active, "                                                                          \
  "p.category_list, "                                                                           \
  "CASE WHEN p.cover_url IS NULL THEN NULL ELSE (SELECT group_concat(id || char(31) || url || "  \
  "char(31) || content_type || char(31) || width || char(31) || height || char(31) || bytes, "   \
  "char(30)) FROM (SELECT * FROM product_images WHERE product_id = p.id ORDER BY position)) "    \
  "END, p.created_at, p.updated_at, p.archived_at"
/* Registers mc_match_count (fts_count.c), the count of a one-word search's matches, on db. */
int mc_sqlite_fts_count_register(sqlite3 *db);
/* A new empty page; NULL without memory. */
mc_product_page *mc_sqlite_product_page_new(void);
/* Appends the product of the statement's current row (MC_SQLITE_PRODUCT_ROW_COLUMNS from
 * column 0) to page. MC_ERR_INTERNAL without memory or for a row the reader cannot split. */
int mc_sqlite_product_row_read(sqlite3_stmt *stmt, mc_product_page *page);
int mc_sqlite_product_page(mc_store *st, const mc_product_query *query, mc_product_page **out,
                           int64_t *out_count);
int mc_sqlite_product_page_get(mc_store *st, const char *key, int by_slug, mc_product_page **out);

#endif
