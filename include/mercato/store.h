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

/* Orders of a product listing. Ties are broken by id in the key's direction (ascending for
 * relevance), so pages never overlap. RELEVANCE needs a full-text query (without one it is
 * NEWEST): best bm25 match first (a match in the name weighs ten in the description) when
 * there are at most a few hundred matches (250 in the sqlite adapter); past that, scoring
 * every match costs too much, and the products whose name holds every word come first, then
 * the others, each group most recently added first. */
typedef enum mc_product_sort {
  MC_SORT_NEWEST = 0, /* -created_at (then -id) */
  MC_SORT_PRICE_ASC,  /* price (then id) */
  MC_SORT_PRICE_DESC, /* -price (then -id) */
  MC_SORT_NAME_ASC,   /* name, compared as bytes (then id) */
  MC_SORT_RELEVANCE
} mc_product_sort;

#define MC_PRODUCT_IMAGES_MAX 20
#define MC_PRODUCT_CATEGORIES_MAX 20
#define MC_PRODUCT_LIST_MAX 100

/* A product listing query; every filter is optional. Out-of-range values are MC_ERR_INVALID.
 * q is split into words (runs of letters and digits; any non-ASCII byte counts as a letter);
 * a product matches when its name or description holds every word (case and accents
 * ignored), the last word as a prefix ("cha" finds "chair"). Only the first 8 words count,
 * each cut to 64 bytes; a q with no word matches nothing. */
typedef struct mc_product_query {
  const char *q;                    /* plain text (never query syntax), NULL or "" for none */
  const char *const *category_ids;  /* NULL-terminated: products in any of them (an empty list
                                     * matches nothing); NULL for all */
  int64_t min_price, max_price;     /* inclusive bounds in minor units; -1 for none */
  int in_stock;                     /* 1: only stock > 0 */
  int include_inactive;             /* 1: inactive products too (admin listings) */
  int archived;                     /* 1: archived products only (all inactive, so
                                     * include_inactive is implied); 0: never archived ones */
  int64_t low_stock;                /* >= 0: only stock <= low_stock; -1 for none */
  mc_product_sort sort;
  int limit;                        /* 1..MC_PRODUCT_LIST_MAX */
  int64_t offset;                   /* >= 0 */
} mc_product_query;

/* A product as the typed reads return it (product_page, product_page_get): the members of the
 * product document, typed, for the storefront's hot reads, which write their JSON views
 * straight from it instead of building and copying jansson values (twenty products a page).
 * One shape for every adapter. The strings belong to the page: free it with
 * mc_product_page_free. */
typedef struct mc_product_image_ref {
  const char *id, *url, *content_type;
  int64_t width, height, bytes;
} mc_product_image_ref;

typedef struct mc_product_row {
  const char *id, *name, *slug, *description, *currency;
  const char *sku;                    /* NULL when it has none */
  int64_t price;
  int64_t compare_at_price;           /* -1 when it has none */
  int64_t stock;
  int active;
  int64_t created_at, updated_at;     /* ms since the epoch */
  int64_t archived_at;                /* ms since the epoch; 0 when not archived */
  size_t category_count;
  const char **category_ids;          /* in id order */
  size_t image_count;
  mc_product_image_ref *images;       /* in display order */
  char *mem;                          /* owned: the row's strings and arrays */
} mc_product_row;

typedef struct mc_product_page {
  size_t count, cap;
  mc_product_row *rows; /* owned */
} mc_product_page;

/* Frees page and its rows (NULL is fine). */
void mc_product_page_free(mc_product_page *page);
/* Writes the product document of row (the shape product_get returns) to *out (new reference).
 * MC_ERR_INTERNAL without memory or for a time that cannot be written. */
int mc_product_row_doc(const mc_product_row *row, json_t **out);
/* Writes the documents of page's rows, in order, to *out (a new array). MC_ERR_INTERNAL as
 * mc_product_row_doc. */
int mc_product_page_docs(const mc_product_page *page, json_t **out);

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

/* The port's core and (until they move to their own headers) the catalog, coupons and carts
 * aggregates, which each adapter fills. The core's entries have the contracts of the wrappers
 * below (mc_store_ping ...), which check arguments first (store.c). */
typedef struct mc_store_ops {
  int (*ping)(mc_store *st);
  int (*schema_version)(mc_store *st, int *out);
  /* source and event_id already checked: 1..MAX bytes. */
  int (*event_record_once)(mc_store *st, const char *source, const char *event_id);

  /* --- categories ------------------------------------------------------------------------------
   * {"id": "cat_...", "name", "slug", "description", "parent_id": null | "cat_...",
   *  "position": integer, "created_at", "updated_at"}. One level of nesting: a parent has no
   * parent itself. Slugs are unique, [a-z0-9-], 1..100 bytes; name 1..200 characters with no
   * control character; description at most 10000 bytes; position 0..10^9. */

  /* Inserts category (borrowed: id, name, slug required; description (default ""), parent_id
   * (default null), position (default 0) optional; other members MC_ERR_INVALID, as is a
   * parent that does not exist, has a parent, or is the category itself) and writes the stored
   * document to *out (new reference, may be NULL). MC_ERR_CONFLICT when the slug or id is
   * taken. */
  int (*category_create)(mc_store *st, const json_t *category, json_t **out);
  /* Writes the category with this id / slug to *out (new reference). MC_ERR_NOT_FOUND if none. */
  int (*category_get)(mc_store *st, const char *id, json_t **out);
  int (*category_get_by_slug)(mc_store *st, const char *slug, json_t **out);
  /* Writes every category to *out (new array) ordered by position, then name, then id. */
  int (*category_list)(mc_store *st, json_t **out);
  /* Applies changes (borrowed, a non-empty subset of name, slug, description, parent_id,
   * position), same rules as create (and a category with children cannot get a parent), sets
   * updated_at, and writes the new document to *out (new reference, may be NULL).
   * MC_ERR_NOT_FOUND if there is no such category; nothing changes on any error. */
  int (*category_update)(mc_store *st, const char *id, const json_t *changes, json_t **out);
  /* Deletes an unused category. MC_ERR_CONFLICT when products are in it (*out_products set to
   * their number, inactive ones included) or it has children (*out_children set); nothing is
   * deleted then. Both outputs may be NULL and are 0 unless the result is MC_ERR_CONFLICT.
   * MC_ERR_NOT_FOUND if there is no such category. */
  int (*category_delete)(mc_store *st, const char *id, int64_t *out_products, int64_t *out_children);

  /* --- products --------------------------------------------------------------------------------
   * {"id": "prod_...", "name", "slug", "description", "price": integer (minor units),
   *  "currency", "compare_at_price": integer | null, "sku": string | null, "stock": integer,
   *  "active": boolean, "category_ids": [...] (in id order), "images": [{"id": "img_...",
   *  "url", "content_type", "width", "height", "bytes"}] (in display order), "created_at",
   *  "updated_at", "archived_at": null | RFC 3339}. Rules: name 1..200 characters with no control character; slug as for
   * categories; description at most 10000 bytes; price and compare_at_price 0..MC_MONEY_MAX;
   * currency three upper-case letters; sku 1..64 bytes with no control character; stock
   * 0..10^9; category_ids at most MC_PRODUCT_CATEGORIES_MAX distinct ids of existing
   * categories. Image: id "img_...", url 1..512 bytes with no control character,
   * content_type image/jpeg, image/png, image/webp or image/svg+xml, width and height
   * 1..20000, bytes >= 0, all required. Breaking a rule is MC_ERR_INVALID, and writes that
   * fail change nothing (a product is never left half-written).
   * A product that orders name is never deleted: product_delete archives it (archived_at set).
   * An archived product stays readable by id for its orders' sake, but it is inactive for
   * good, and product_update, product_image_add and product_image_remove refuse it with
   * MC_ERR_CONFLICT and change nothing (the caller tells this apart from a slug or sku taken
   * by reading the product: archiving is never undone). */

  /* Inserts product (borrowed: id, name, slug, price, currency required; description (""),
   * compare_at_price (null), sku (null), stock (0), active (true), category_ids ([]) optional;
   * images are added with product_image_add) and writes the stored document to *out (new
   * reference, may be NULL). MC_ERR_CONFLICT when the id, slug or sku is taken. */
  int (*product_create)(mc_store *st, const json_t *product, json_t **out);
  /* Writes the product with this id / slug to *out (new reference). MC_ERR_NOT_FOUND if none. */
  int (*product_get)(mc_store *st, const char *id, json_t **out);
  int (*product_get_by_slug)(mc_store *st, const char *slug, json_t **out);
  /* Applies changes (borrowed, a non-empty subset of name, slug, description, price,
   * compare_at_price, sku, stock, active, category_ids (replaces the set); null sets
   * compare_at_price or sku back to none) atomically with the same rules as create, sets
   * updated_at, and writes the new document to *out (new reference, may be NULL).
   * MC_ERR_NOT_FOUND if there is no such product, MC_ERR_CONFLICT for a slug or sku taken or
   * an archived product. */
  int (*product_update)(mc_store *st, const char *id, const json_t *changes, json_t **out);
  /* Deletes the product, or archives it when an order line names it, deciding and writing in
   * one transaction. Deleted: its category links, image records and cart lines go with it;
   * *out_images (may be NULL) gets a new array of the deleted image documents (display order)
   * so the caller can remove their files, and *out_archived (may be NULL) is NULL. Archived:
   * archived_at and updated_at are set, active becomes false, the slug becomes
   * "archived-<id after its prefix>" and the sku null (both free for a new product; the order
   * lines keep their own name and sku), its category links and cart lines are removed, its
   * images are kept (orders may show them: remove no file); *out_images is NULL and
   * *out_archived gets the archived document (new reference). A product already archived is
   * left as it is and answered the same way. MC_ERR_NOT_FOUND if there is no such product. */
  int (*product_delete)(mc_store *st, const char *id, json_t **out_images, json_t **out_archived);
  /* Lists products matching query (archived ones only with query->archived): *out_items (new
   * array of complete product documents) and *out_count (may be NULL), the number of matches without limit/offset, both read from one
   * snapshot. */
  int (*product_list)(mc_store *st, const mc_product_query *query, json_t **out_items, int64_t *out_count);
  /* product_list's typed twin for the storefront: the same matches in the same order as rows
   * of *out (a new page, the caller's). */
  int (*product_page)(mc_store *st, const mc_product_query *query, mc_product_page **out, int64_t *out_count);
  /* The product with this id (by_slug 0) or slug (by_slug 1) as the one row of *out (a new
   * page, the caller's); MC_ERR_NOT_FOUND if none. */
  int (*product_page_get)(mc_store *st, const char *key, int by_slug, mc_product_page **out);
  /* Appends image (borrowed: id, url, content_type, width, height, bytes) to the product's
   * images and sets its updated_at; MC_ERR_INVALID past MC_PRODUCT_IMAGES_MAX,
   * MC_ERR_CONFLICT when the product is archived (or the image id is taken, which fresh ids
   * never are), MC_ERR_NOT_FOUND without such a product.
   * *out (may be NULL): the new product document (new reference). */
  int (*product_image_add)(mc_store *st, const char *product_id, const json_t *image, json_t **out);
  /* Removes an image and sets the product's updated_at; *out_image (may be NULL) gets its
   * document (new reference). MC_ERR_NOT_FOUND if the product has no such image,
   * MC_ERR_CONFLICT when the product is archived. */
  int (*product_image_remove)(mc_store *st, const char *product_id, const char *image_id, json_t **out_image);

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
  const mc_store_user_ops *users;
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

/* Catalog calls read naturally through the ops table: st->ops->product_list(st, &q, &items, &n). */

#endif
