/* store.h - the storage port: typed, atomic operations per aggregate, returning documents in one
 * canonical JSON shape whatever the adapter. Adapters: sqlite (the embedded default). The port
 * is split by aggregate: the catalog's operations are in mercato/store/catalog.h (its own ops
 * table, st->catalog, reached through the mc_store_* wrappers in api/store/store_catalog.c);
 * the rest are still in mc_store_ops below. Every adapter passes the contract suites in
 * tests/unit/test_store*.c.
 *
 * Every function is thread-safe (the sqlite adapter keeps one connection per calling thread),
 * and returns an mc_err: MC_ERR_UNAVAILABLE when the database is locked or unreachable past its
 * timeout, MC_ERR_INTERNAL for anything unexpected. */
#ifndef MERCATO_STORE_H
#define MERCATO_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/id.h"

#define MC_STORE_EVENT_SOURCE_MAX 32
#define MC_STORE_EVENT_ID_MAX 255

typedef struct mc_store mc_store;
/* Each aggregate's operations, in include/mercato/store/<aggregate>.h. */
typedef struct mc_store_catalog_ops mc_store_catalog_ops;

/* Coupons (see the coupons section of mc_store_ops). */
#define MC_COUPON_CODE_MAX 32                   /* bytes of [A-Z0-9_-] */
#define MC_COUPON_LIMIT_MAX INT64_C(1000000000) /* usage_limit and per_customer_limit */
#define MC_COUPON_LIST_MAX 100

/* Why a coupon does not apply, in the order they are checked. Each has a stable code
 * (mc_coupon_refusal_code in coupons.h) that the API returns as "coupon_<code>". */
typedef enum mc_coupon_refusal {
  MC_COUPON_APPLIES = 0,
  MC_COUPON_UNKNOWN,           /* "unknown": no coupon has this code */
  MC_COUPON_INACTIVE,          /* "inactive": switched off by an admin */
  MC_COUPON_NOT_STARTED,       /* "not_started": now < starts_at */
  MC_COUPON_EXPIRED,           /* "expired": now >= expires_at */
  MC_COUPON_SIGN_IN_REQUIRED,  /* "sign_in_required": per_customer_limit set and no customer */
  MC_COUPON_BELOW_MINIMUM,     /* "below_minimum": subtotal < min_subtotal */
  MC_COUPON_EXHAUSTED,         /* "exhausted": times_used >= usage_limit */
  MC_COUPON_ALREADY_USED       /* "already_used_by_you": the customer's redemptions >= per_customer_limit */
} mc_coupon_refusal;

/* A coupon listing query, newest first; the filters are optional. */
typedef struct mc_coupon_query {
  const char *code_part; /* only codes containing it (compared upper-case); NULL or "" for all */
  int active;            /* 1: active only, 0: inactive only, -1: both */
  int limit;             /* 1..MC_COUPON_LIST_MAX */
  int64_t offset;        /* >= 0 */
} mc_coupon_query;

/* Carts (see the carts section of mc_store_ops). A guest cart is named by the SHA-256 of its
 * token, in lower-case hex; the token itself is never stored. */
#define MC_CART_TOKEN_HASH_LEN 64
#define MC_CART_QUANTITY_MAX 10000 /* the schema's bound on a line's quantity */
#define MC_CART_LINES_MAX 1000     /* the largest max_lines a caller may ask for */

/* Whose cart an operation is on: exactly one of user_id and token_hash (writes that may create
 * a guest cart have new_token_hash, and token_hash may then be NULL too). */
typedef struct mc_cart_owner {
  const char *user_id;        /* a customer's cart ("usr_..."), or NULL for a guest */
  const char *token_hash;     /* a guest: the hash of the token presented, or NULL for none */
  const char *new_token_hash; /* a guest write that may create: when no live cart has
                               * token_hash, a new cart is made under this hash (the caller's
                               * fresh token); NULL: never create */
} mc_cart_owner;

/* The limits every cart write enforces, inside its transaction. */
typedef struct mc_cart_limits {
  int64_t max_quantity;  /* 1..MC_CART_QUANTITY_MAX: the most one line may hold */
  int64_t max_lines;     /* 1..MC_CART_LINES_MAX: the most distinct products in a cart */
  int64_t guest_ttl_ms;  /* >= 1: a guest cart lives this long after its last write */
} mc_cart_limits;

/* A cart as the carts operations return it: the cart, then its lines joined to their products
 * as they are now, in the order added (added_at, then product id). One shape for every adapter,
 * typed rather than a JSON document because GET /cart reads it on every request. The strings
 * belong to the cart: free the whole with mc_cart_free. */
typedef struct mc_cart_line {
  const char *product_id;
  const char *name;
  const char *slug;
  const char *currency;
  int64_t quantity;
  int64_t unit_price;   /* the price the customer last saw: set when the line was added or its
                         * quantity last changed */
  int64_t price;        /* the product's price now */
  int64_t stock;
  int active;
  int64_t added_at;     /* ms since the epoch */
  const char *image_url; /* the product's first image, or NULL when it has none */
  int64_t image_width, image_height;
} mc_cart_line;

typedef struct mc_cart {
  char id[MC_ID_MAX];                         /* "crt_..." */
  char user_id[MC_ID_MAX];                    /* "" for a guest's cart */
  char token_hash[MC_CART_TOKEN_HASH_LEN + 1]; /* "" for a customer's cart */
  char coupon_id[MC_ID_MAX];                  /* "" without a coupon */
  int64_t created_at, updated_at;             /* ms since the epoch */
  int64_t expires_at;                         /* ms since the epoch; 0 for a customer's cart */
  size_t count;                               /* lines */
  mc_cart_line *lines;                        /* owned */
  char *text;                                 /* owned: the lines' strings */
} mc_cart;

/* Frees cart and its lines (NULL is fine). */
void mc_cart_free(mc_cart *cart);

/* Why a cart write was refused with MC_ERR_CONFLICT. */
typedef enum mc_cart_refusal {
  MC_CART_REFUSAL_NONE = 0,
  MC_CART_REFUSAL_STOCK,    /* the line would hold more than is in stock (*out_available) */
  MC_CART_REFUSAL_QUANTITY, /* the line would hold more than max_quantity (*out_available) */
  MC_CART_REFUSAL_LINES     /* a new line past max_lines (*out_available: max_lines) */
} mc_cart_refusal;

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
  /* The user with this id without "password_hash": what a request acts as, read on every
   * authenticated request, so the hash never travels with it. MC_ERR_NOT_FOUND if none. */
  int (*user_get_account)(mc_store *st, const char *id, json_t **out);
  /* Applies changes (borrowed object whose members are a subset of name, password_hash, role,
   * status; anything else is MC_ERR_INVALID), sets updated_at, and writes the new document to
   * *out (new reference, may be NULL). MC_ERR_NOT_FOUND if there is no such user. */
  int (*user_update)(mc_store *st, const char *id, const json_t *changes, json_t **out);
  /* Writes the number of users with this role to *out. */
  int (*user_count_by_role)(mc_store *st, const char *role, int64_t *out);


  /* --- coupons ---------------------------------------------------------------------------------
   * {"id": "cpn_...", "code", "kind": "percent"|"fixed", "value": integer,
   *  "min_subtotal": integer | null, "starts_at": RFC 3339 | null, "expires_at": RFC 3339 | null,
   *  "usage_limit": integer | null, "per_customer_limit": integer | null, "times_used": integer,
   *  "active": boolean, "created_at", "updated_at"}. Rules: code 1..MC_COUPON_CODE_MAX bytes of
   * [A-Za-z0-9_-], stored upper-case (the store upper-cases every code it is given, in writes
   * and lookups alike, so codes compare case-insensitively and are unique that way); value
   * 1..100 for percent, 1..MC_MONEY_MAX minor units for fixed; min_subtotal 0..MC_MONEY_MAX;
   * starts_at and expires_at any RFC 3339 time (mc_time_parse_ms), kept to the millisecond and
   * returned in UTC like every time, expires_at after starts_at; usage_limit and
   * per_customer_limit 1..MC_COUPON_LIMIT_MAX, usage_limit never below times_used. times_used
   * counts redemptions and changes only through coupon_redeem (which leaves updated_at alone:
   * that is the time of the last admin change). Breaking a rule is MC_ERR_INVALID, and a write
   * that fails changes nothing. */

  /* Inserts coupon (borrowed: id, code, kind, value required; min_subtotal, starts_at,
   * expires_at, usage_limit, per_customer_limit (all default null) and active (true)
   * optional; anything else, times_used included, is MC_ERR_INVALID) with times_used 0, and
   * writes the stored document to *out (new reference, may be NULL). MC_ERR_CONFLICT when the
   * code (in any case) or the id is taken. */
  int (*coupon_create)(mc_store *st, const json_t *coupon, json_t **out);
  /* Writes the coupon with this id / code (any case) to *out (new reference).
   * MC_ERR_NOT_FOUND if none. */
  int (*coupon_get)(mc_store *st, const char *id, json_t **out);
  int (*coupon_get_by_code)(mc_store *st, const char *code, json_t **out);
  /* Lists coupons matching query, newest first (by id, which sorts by creation time, then
   * descending): *out_items (new array of documents) and *out_count (may be NULL), the number of
   * matches without limit/offset, both read from one snapshot. MC_ERR_INVALID for a query out
   * of range. */
  int (*coupon_list)(mc_store *st, const mc_coupon_query *query, json_t **out_items, int64_t *out_count);
  /* Applies changes (borrowed, a non-empty subset of code, kind, value, min_subtotal,
   * starts_at, expires_at, usage_limit, per_customer_limit, active; null sets a nullable one
   * back to none) atomically, with the rules checked against the document that results, sets
   * updated_at, and writes the new document to *out (new reference, may be NULL).
   * MC_ERR_NOT_FOUND if there is no such coupon, MC_ERR_CONFLICT for a code taken. */
  int (*coupon_update)(mc_store *st, const char *id, const json_t *changes, json_t **out);
  /* Deletes a coupon that was never redeemed (carts holding it lose it). MC_ERR_CONFLICT when
   * it has redemptions (admins deactivate it instead), MC_ERR_NOT_FOUND if there is none. */
  int (*coupon_delete)(mc_store *st, const char *id);
  /* Writes to *out how many times the coupon was redeemed by the customer user_id, or in all
   * when user_id is NULL (guests included). 0 for a coupon that does not exist. */
  int (*coupon_redemption_count)(mc_store *st, const char *coupon_id, const char *user_id, int64_t *out);
  /* Redeems the coupon for the order order_id ("ord_...") of the customer user_id ("usr_...",
   * or NULL for a guest's order) at now_ms, in one transaction: when the coupon is active,
   * starts_at <= now_ms < expires_at, a customer is named if it has a per_customer_limit,
   * times_used < usage_limit and the customer's redemptions < per_customer_limit, it records
   * the redemption, increments times_used and sets *out_refusal to MC_COUPON_APPLIES;
   * otherwise it changes nothing and sets the first refusal that holds, in mc_coupon_refusal
   * order (MC_COUPON_UNKNOWN without such a coupon; never MC_COUPON_BELOW_MINIMUM, which is
   * the caller's to check with the order's subtotal). An order already redeemed for this
   * coupon is MC_COUPON_APPLIES again and counted once, whatever the coupon's state now, so
   * checkout can retry. Returns MC_OK when it decided (refused or not); MC_ERR_INVALID for a
   * malformed id. Limits hold under any concurrency (threads and processes). */
  int (*coupon_redeem)(mc_store *st, const char *coupon_id, const char *order_id, const char *user_id,
                       int64_t now_ms, mc_coupon_refusal *out_refusal);

  /* --- carts -----------------------------------------------------------------------------------
   * One cart per customer (kept until the account goes) and any number of guest carts, each
   * alive until expires_at (pushed to now + guest_ttl_ms by every write); an expired guest cart
   * is treated as absent and purged. Carts come back as mc_cart (above): the lines joined to
   * their products as they are now. Deleting a product removes its lines from every cart;
   * deleting a coupon takes it off every cart. Every write below is one transaction that checks
   * the limits against the rows it changes, so concurrent writers (threads or processes) never
   * take a line past stock or the limits, and a refused write changes nothing (not even a cart
   * it would have created). Every write that succeeds sets updated_at and writes the cart as it
   * committed to *out (the caller's, mc_cart_free; out may be NULL). owner and limits are
   * borrowed; MC_ERR_INVALID for a malformed owner or limits. */

  /* Writes owner's cart to *out (the caller's) in one query: MC_ERR_NOT_FOUND when there is
   * none (or it expired). */
  int (*cart_get)(mc_store *st, const mc_cart_owner *owner, mc_cart **out);
  /* Adds quantity (1..limits->max_quantity) of product_id to the cart, creating the cart if
   * needed (a customer's always; a guest's with owner->new_token_hash) and the line at the
   * current price, or adding to the line's quantity and recording the current price as seen.
   * MC_ERR_NOT_FOUND when the product does not exist or is inactive (or there is no cart and
   * none may be created). MC_ERR_CONFLICT with *out_refusal (may be NULL) and *out_available
   * (may be NULL; the stock for STOCK, what the line may still take for QUANTITY, max_lines
   * for LINES) when the line would pass max_quantity or the stock, or a new line max_lines. */
  int (*cart_item_add)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                       const char *product_id, int64_t quantity, mc_cart_refusal *out_refusal,
                       int64_t *out_available, mc_cart **out);
  /* Sets the line's quantity (1..limits->max_quantity) and records the current price as seen.
   * MC_ERR_NOT_FOUND when the cart has no line for product_id (or there is no cart);
   * MC_ERR_CONFLICT with MC_CART_REFUSAL_STOCK when the quantity is more than in stock (an
   * inactive product has none: *out_available 0). Never creates a cart. */
  int (*cart_item_set)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                       const char *product_id, int64_t quantity, mc_cart_refusal *out_refusal,
                       int64_t *out_available, mc_cart **out);
  /* Removes the line; MC_ERR_NOT_FOUND when there is no such line (or no cart). */
  int (*cart_item_remove)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                          const char *product_id, mc_cart **out);
  /* Removes every line and the coupon; MC_ERR_NOT_FOUND when there is no cart. */
  int (*cart_clear)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                    mc_cart **out);
  /* Puts coupon_id on the cart, replacing any other, creating the cart as cart_item_add does;
   * MC_ERR_NOT_FOUND when there is no such coupon (or no cart and none may be created).
   * coupon_id NULL takes the coupon off instead (MC_ERR_NOT_FOUND when there is no cart; a
   * cart without a coupon is fine). Whether the coupon applies is the caller's to decide. */
  int (*cart_coupon_set)(mc_store *st, const mc_cart_owner *owner, const mc_cart_limits *limits,
                         const char *coupon_id, mc_cart **out);
  /* Moves the live guest cart token_hash into the customer user_id's cart (created if needed)
   * and deletes the guest cart: each guest line adds its quantity to the customer's line,
   * capped by the stock and max_quantity (a merge never lowers a line the customer had), or
   * becomes a new line, keeping the price the guest saw and when it was added, while the cart
   * has fewer than max_lines; lines of inactive or sold-out products are dropped. The guest's
   * coupon carries over when the customer's cart has none. MC_ERR_NOT_FOUND when there is no
   * live guest cart with token_hash (nothing changes). */
  int (*cart_merge)(mc_store *st, const char *token_hash, const char *user_id,
                    const mc_cart_limits *limits, mc_cart **out);
  /* Deletes up to max (1..10000) guest carts that expired, oldest first; *out_count (may be
   * NULL) gets how many. Cheap when there are none (an index range). Creating a guest cart
   * also purges a few, so that a shop without a scheduler does not accumulate them. */
  int (*cart_purge_expired)(mc_store *st, int64_t max, int64_t *out_count);

  /* Frees the adapter and its connections. No call may be in flight, and no thread that used
   * the store may be exiting at the same time (join workers first). */
  void (*close)(mc_store *st);
} mc_store_ops;

struct mc_store {
  const mc_store_ops *ops;
  const mc_store_catalog_ops *catalog; /* categories, products, images: store/catalog.h */
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
static inline int mc_store_user_get_account(mc_store *st, const char *id, json_t **out) {
  return st->ops->user_get_account(st, id, out);
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

/* The aggregates' sections, so that every includer of the port sees them. */
#include "mercato/store/catalog.h"
