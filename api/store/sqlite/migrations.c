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
  {3, "catalog: categories, products, images, full-text search",
   /* One level of nesting, kept here as well as by the adapter: a parent has no parent, a
    * category with children gets none, and the parent_id foreign key (like the one from
    * product_categories) stops a category in use from being deleted by any writer. */
   "CREATE TABLE categories ("
   "  id TEXT PRIMARY KEY,"
   "  name TEXT NOT NULL,"
   "  slug TEXT NOT NULL UNIQUE"
   "    CHECK (length(slug) BETWEEN 1 AND 100 AND slug NOT GLOB '*[^a-z0-9-]*'),"
   "  description TEXT NOT NULL,"
   "  parent_id TEXT REFERENCES categories (id),"
   "  position INTEGER NOT NULL,"
   "  created_at INTEGER NOT NULL," /* ms since the epoch */
   "  updated_at INTEGER NOT NULL,"
   "  CHECK (parent_id IS NOT id)"
   ") STRICT;"
   "CREATE INDEX categories_parent ON categories (parent_id);"
   "CREATE TRIGGER categories_one_level_insert BEFORE INSERT ON categories"
   "  WHEN new.parent_id IS NOT NULL"
   "   AND (SELECT parent_id FROM categories WHERE id = new.parent_id) IS NOT NULL "
   "BEGIN SELECT RAISE(ABORT, 'a parent category cannot have a parent'); END;"
   "CREATE TRIGGER categories_one_level_update BEFORE UPDATE OF parent_id ON categories"
   "  WHEN new.parent_id IS NOT old.parent_id AND new.parent_id IS NOT NULL"
   "   AND ((SELECT parent_id FROM categories WHERE id = new.parent_id) IS NOT NULL"
   "        OR EXISTS (SELECT 1 FROM categories WHERE parent_id = new.id)) "
   "BEGIN SELECT RAISE(ABORT, 'categories nest one level deep'); END;"
   /* seq is the row's integer key: the full-text index's rowid and the key category links
    * use. Declaring it keeps it stable (VACUUM may renumber an undeclared rowid, which would
    * silently detach the index); id stays the key of every document and outside reference. */
   "CREATE TABLE products ("
   "  seq INTEGER PRIMARY KEY,"
   "  id TEXT NOT NULL UNIQUE,"
   "  name TEXT NOT NULL,"
   "  slug TEXT NOT NULL UNIQUE"
   "    CHECK (length(slug) BETWEEN 1 AND 100 AND slug NOT GLOB '*[^a-z0-9-]*'),"
   "  description TEXT NOT NULL,"
   "  price INTEGER NOT NULL CHECK (price BETWEEN 0 AND 1000000000000000)," /* MC_MONEY_MAX */
   "  currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),"
   "  compare_at_price INTEGER CHECK (compare_at_price BETWEEN 0 AND 1000000000000000),"
   "  sku TEXT UNIQUE,"
   "  stock INTEGER NOT NULL CHECK (stock >= 0),"
   "  active INTEGER NOT NULL CHECK (active IN (0, 1)),"
   "  created_at INTEGER NOT NULL,"
   "  updated_at INTEGER NOT NULL"
   ") STRICT;"
   /* The listing orders, each index holding what the listing filters read (price, stock,
    * id for the tie-break), so that a page is found in the index alone. The storefront
    * lists active products only, hence active first. */
   "CREATE INDEX products_newest ON products (active, created_at, id, price, stock);"
   "CREATE INDEX products_price ON products (active, price, id, stock);"
   "CREATE INDEX products_name ON products (active, name, id, price, stock);"
   "CREATE INDEX products_stock ON products (stock);"
   /* The number of products by active flag and by stock > 0, kept by triggers, so that the
    * listings without other filters (the storefront's front page, with or without in_stock)
    * count in constant time rather than by walking an index. */
   "CREATE TABLE product_counts ("
   "  active INTEGER NOT NULL,"
   "  in_stock INTEGER NOT NULL,"
   "  n INTEGER NOT NULL,"
   "  PRIMARY KEY (active, in_stock)"
   ") STRICT, WITHOUT ROWID;"
   "INSERT INTO product_counts (active, in_stock, n) VALUES (0, 0, 0), (0, 1, 0), (1, 0, 0),"
   "  (1, 1, 0);"
   "CREATE TRIGGER product_counts_insert AFTER INSERT ON products BEGIN"
   "  UPDATE product_counts SET n = n + 1"
   "    WHERE active = new.active AND in_stock = (new.stock > 0);"
   "END;"
   "CREATE TRIGGER product_counts_delete AFTER DELETE ON products BEGIN"
   "  UPDATE product_counts SET n = n - 1"
   "    WHERE active = old.active AND in_stock = (old.stock > 0);"
   "END;"
   "CREATE TRIGGER product_counts_update AFTER UPDATE OF active, stock ON products"
   "  WHEN old.active IS NOT new.active OR (old.stock > 0) IS NOT (new.stock > 0) BEGIN"
   "  UPDATE product_counts SET n = n - 1"
   "    WHERE active = old.active AND in_stock = (old.stock > 0);"
   "  UPDATE product_counts SET n = n + 1"
   "    WHERE active = new.active AND in_stock = (new.stock > 0);"
   "END;"
   /* Keyed by products.seq: listing a category walks its links and reads each product by
    * its integer key, three times faster than through the text id's index. */
   "CREATE TABLE product_categories ("
   "  product_seq INTEGER NOT NULL REFERENCES products (seq) ON DELETE CASCADE,"
   "  category_id TEXT NOT NULL REFERENCES categories (id),"
   "  PRIMARY KEY (product_seq, category_id)"
   ") STRICT, WITHOUT ROWID;"
   "CREATE INDEX product_categories_category ON product_categories (category_id);"
   "CREATE TABLE product_images ("
   "  id TEXT PRIMARY KEY,"
   "  product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,"
   "  position INTEGER NOT NULL,"
   "  url TEXT NOT NULL,"
   "  content_type TEXT NOT NULL"
   "    CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/svg+xml')),"
   "  width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 20000),"
   "  height INTEGER NOT NULL CHECK (height BETWEEN 1 AND 20000),"
   "  bytes INTEGER NOT NULL CHECK (bytes >= 0),"
   "  UNIQUE (product_id, position)"
   ") STRICT;"
   /* Full text over name and description, kept in step by triggers, so every writer and
    * every transaction updates both or neither. Contentless: the index alone answers searches
    * (names and descriptions are read from products). Its rowid is seq for an active product
    * and -seq for an inactive one, so a storefront search keeps to rowid > 0, a range the
    * index seeks, instead of checking each match's row. unicode61 folds case and, with
    * remove_diacritics 2, accents ("cafe" finds "Café"); the prefix indexes make a query's
    * last, still-being-typed word cheap from its second letter. */
   "CREATE VIRTUAL TABLE products_fts USING fts5 ("
   "  name, description, content = '',"
   "  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');"
   "CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN"
   "  INSERT INTO products_fts (rowid, name, description)"
   "    VALUES (iif(new.active, new.seq, -new.seq), new.name, new.description);"
   "END;"
   /* A contentless index forgets a row only when told its exact indexed values. */
   "CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN"
   "  INSERT INTO products_fts (products_fts, rowid, name, description)"
   "    VALUES ('delete', iif(old.active, old.seq, -old.seq), old.name, old.description);"
   "END;"
   /* Updates that leave the indexed values alone (stock, price) leave the index alone. */
   "CREATE TRIGGER products_fts_update AFTER UPDATE OF name, description, active ON products"
   "  WHEN old.name IS NOT new.name OR old.description IS NOT new.description"
   "    OR old.active IS NOT new.active BEGIN"
   "  INSERT INTO products_fts (products_fts, rowid, name, description)"
   "    VALUES ('delete', iif(old.active, old.seq, -old.seq), old.name, old.description);"
   "  INSERT INTO products_fts (rowid, name, description)"
   "    VALUES (iif(new.active, new.seq, -new.seq), new.name, new.description);"
   "END;"},
  {4, "coupons and carts",
   /* Codes are stored upper-case (the adapter normalises), so UNIQUE makes them
    * case-insensitive. times_used counts redemptions (made at checkout); the CHECK makes
    * usage_limit hold for every writer, so a redemption past it fails rather than counts. */
   "CREATE TABLE coupons ("
   "  id TEXT PRIMARY KEY,"
   "  code TEXT NOT NULL UNIQUE"
   "    CHECK (length(code) BETWEEN 1 AND 32 AND code NOT GLOB '*[^A-Z0-9_-]*'),"
   "  kind TEXT NOT NULL CHECK (kind IN ('percent', 'fixed')),"
   "  value INTEGER NOT NULL"
   "    CHECK (value >= 1 AND (kind = 'fixed' OR value <= 100) AND value <= 1000000000000000),"
   "  min_subtotal INTEGER CHECK (min_subtotal BETWEEN 0 AND 1000000000000000),"
   "  starts_at INTEGER," /* ms since the epoch; NULL: no start */
   "  expires_at INTEGER CHECK (expires_at IS NULL OR starts_at IS NULL OR expires_at > starts_at),"
   "  usage_limit INTEGER CHECK (usage_limit >= 1),"
   "  per_customer_limit INTEGER CHECK (per_customer_limit >= 1),"
   "  times_used INTEGER NOT NULL DEFAULT 0"
   "    CHECK (times_used >= 0 AND (usage_limit IS NULL OR times_used <= usage_limit)),"
   "  active INTEGER NOT NULL CHECK (active IN (0, 1)),"
   "  created_at INTEGER NOT NULL,"
   "  updated_at INTEGER NOT NULL"
   ") STRICT;"
   /* One row per redemption, so a customer's uses are counted exactly; order_id makes a
    * redemption for the same order happen once. user_id is NULL for a guest's order. */
   "CREATE TABLE coupon_redemptions ("
   "  coupon_id TEXT NOT NULL REFERENCES coupons (id),"
   "  order_id TEXT NOT NULL,"
   "  user_id TEXT,"
   "  redeemed_at INTEGER NOT NULL,"
   "  PRIMARY KEY (coupon_id, order_id)"
   ") STRICT, WITHOUT ROWID;"
   "CREATE INDEX coupon_redemptions_user ON coupon_redemptions (coupon_id, user_id);"
   /* A cart belongs to a customer (user_id) or to a guest (token_hash: the SHA-256 of the
    * guest's cart token, hex; the token itself is never stored), never both. Guest carts
    * expire (expires_at, pushed forward by every write); a customer's cart does not. */
   "CREATE TABLE carts ("
   "  id TEXT PRIMARY KEY,"
   "  user_id TEXT UNIQUE REFERENCES users (id) ON DELETE CASCADE,"
   "  token_hash TEXT UNIQUE CHECK (token_hash IS NULL OR length(token_hash) = 64),"
   "  coupon_id TEXT REFERENCES coupons (id) ON DELETE SET NULL,"
   "  created_at INTEGER NOT NULL,"
   "  updated_at INTEGER NOT NULL,"
   "  expires_at INTEGER,"
   "  CHECK ((user_id IS NULL) <> (token_hash IS NULL)),"
   "  CHECK ((token_hash IS NULL) = (expires_at IS NULL))"
   ") STRICT;"
   "CREATE INDEX carts_expires ON carts (expires_at) WHERE expires_at IS NOT NULL;"
   /* unit_price is the price the customer last saw for the line (set when it was added or
    * its quantity last changed), so a price change since then can be pointed out. A deleted
    * product leaves every cart. */
   "CREATE TABLE cart_items ("
   "  cart_id TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,"
   "  product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,"
   "  quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10000),"
   "  unit_price INTEGER NOT NULL CHECK (unit_price BETWEEN 0 AND 1000000000000000),"
   "  added_at INTEGER NOT NULL,"
   "  updated_at INTEGER NOT NULL,"
   "  PRIMARY KEY (cart_id, product_id)"
   ") STRICT, WITHOUT ROWID;"
   "CREATE INDEX cart_items_product ON cart_items (product_id);"},
  {5, "catalog: a full-text index of product names",
   /* The names alone, beside products_fts and kept in step the same way (same rowids, same
    * tokenizer). Relevance past a few hundred matches puts the products whose name has every
    * word first: asked of products_fts with a column filter, that reads the position list of
    * every match, however few names match (a common description word costs milliseconds);
    * this index holds only name words, so it reads only the name matches. */
   "CREATE VIRTUAL TABLE products_name_fts USING fts5 ("
   "  name, content = '',"
   "  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');"
   "INSERT INTO products_name_fts (rowid, name) SELECT iif(active, seq, -seq), name FROM products;"
   "CREATE TRIGGER products_name_fts_insert AFTER INSERT ON products BEGIN"
   "  INSERT INTO products_name_fts (rowid, name) VALUES (iif(new.active, new.seq, -new.seq), new.name);"
   "END;"
   "CREATE TRIGGER products_name_fts_delete AFTER DELETE ON products BEGIN"
   "  INSERT INTO products_name_fts (products_name_fts, rowid, name)"
   "    VALUES ('delete', iif(old.active, old.seq, -old.seq), old.name);"
   "END;"
   "CREATE TRIGGER products_name_fts_update AFTER UPDATE OF name, active ON products"
   "  WHEN old.name IS NOT new.name OR old.active IS NOT new.active BEGIN"
   "  INSERT INTO products_name_fts (products_name_fts, rowid, name)"
   "    VALUES ('delete', iif(old.active, old.seq, -old.seq), old.name);"
   "  INSERT INTO products_name_fts (rowid, name) VALUES (iif(new.active, new.seq, -new.seq), new.name);"
   "END;"},
  {6, "products: the cover image (first by position) beside the product",
   /* Every cart read shows each line's first image. Finding it through product_images cost two
    * more index lookups per line on GET /cart, the cart's hot path; here it is part of the
    * product row, kept by triggers on every image write, so no writer can leave it stale.
    * Images are only appended (position max + 1) or removed, so the first by position is the
    * lowest one left. */
   "ALTER TABLE products ADD COLUMN cover_url TEXT;"
   "ALTER TABLE products ADD COLUMN cover_width INTEGER;"
   "ALTER TABLE products ADD COLUMN cover_height INTEGER;"
   "UPDATE products SET (cover_url, cover_width, cover_height) = (SELECT url, width, height"
   "  FROM product_images WHERE product_id = products.id ORDER BY position LIMIT 1);"
   "CREATE TRIGGER products_cover_insert AFTER INSERT ON product_images BEGIN"
   "  UPDATE products SET (cover_url, cover_width, cover_height) = (SELECT url, width, height"
   "    FROM product_images WHERE product_id = new.product_id ORDER BY position LIMIT 1)"
   "  WHERE id = new.product_id;"
   "END;"
   "CREATE TRIGGER products_cover_delete AFTER DELETE ON product_images BEGIN"
   "  UPDATE products SET (cover_url, cover_width, cover_height) = (SELECT url, width, height"
   "    FROM product_images WHERE product_id = old.product_id ORDER BY position LIMIT 1)"
   "  WHERE id = old.product_id;"
   "END;"
   "CREATE TRIGGER products_cover_update AFTER UPDATE ON product_images BEGIN"
   "  UPDATE products SET (cover_url, cover_width, cover_height) = (SELECT url, width, height"
   "    FROM product_images WHERE product_id = new.product_id ORDER BY position LIMIT 1)"
   "  WHERE id IN (old.product_id, new.product_id);"
   "END;"},
  {7, "orders and order lines; archived products",
   /* What checkout (a later issue) writes: an order and a snapshot of each line as sold, so
    * that an order reads the same whatever later happens to the catalog. There are no store
    * operations on them yet. Money is in minor units of the order's currency. user_id is NULL
    * for a guest's order, and becomes NULL when the account goes: the order stays. */
   "CREATE TABLE orders ("
   "  id TEXT PRIMARY KEY,"
   "  user_id TEXT REFERENCES users (id) ON DELETE SET NULL,"
   "  status TEXT NOT NULL,"
   "  currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),"
   "  subtotal INTEGER NOT NULL CHECK (subtotal >= 0),"
   "  discount INTEGER NOT NULL CHECK (discount >= 0),"
   "  shipping INTEGER NOT NULL CHECK (shipping >= 0),"
   "  tax INTEGER NOT NULL CHECK (tax >= 0),"
   "  total INTEGER NOT NULL CHECK (total >= 0),"
   "  coupon_code TEXT,"
   "  created_at INTEGER NOT NULL," /* ms since the epoch */
   "  updated_at INTEGER NOT NULL"
   ") STRICT;"
   /* A customer's orders, newest first; also what deleting a user looks up. */
   "CREATE INDEX orders_user ON orders (user_id, created_at);"
   /* name and sku are the product's as sold. ON DELETE RESTRICT: the database itself refuses
    * to lose a product an order names, whoever deletes it; the adapter archives such a
    * product instead (products.c). */
   "CREATE TABLE order_lines ("
   "  order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,"
   "  line INTEGER NOT NULL,"
   "  product_id TEXT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,"
   "  name TEXT NOT NULL,"
   "  sku TEXT,"
   "  unit_price INTEGER NOT NULL CHECK (unit_price >= 0),"
   "  quantity INTEGER NOT NULL CHECK (quantity > 0),"
   "  PRIMARY KEY (order_id, line)"
   ") STRICT, WITHOUT ROWID;"
   "CREATE INDEX order_lines_product ON order_lines (product_id);"
   /* ms since the epoch when a product that orders name was deleted, which archives it: it
    * stays for its orders, never active again (the CHECK holds it for every writer), out of
    * every listing but the admin's archived one. Archived products are few, so a partial
    * index finds them all at once. */
   "ALTER TABLE products ADD COLUMN archived_at INTEGER CHECK (archived_at IS NULL OR active = 0);"
   "CREATE INDEX products_archived ON products (archived_at) WHERE archived_at IS NOT NULL;"},
  {8, "products: the category ids beside the product",
   /* Every product read shows its category ids. A subquery into product_categories per
    * product was a tenth of an uncached search (twenty of them a page); here they are part of
    * the product row, space-separated in id order (ids are [a-z0-9_]), NULL for none, kept by
    * triggers on every link write (and the cascade when a product goes). */
   "ALTER TABLE products ADD COLUMN category_list TEXT;"
   "UPDATE products SET category_list = (SELECT group_concat(category_id, ' ') FROM"
   "  (SELECT category_id FROM product_categories WHERE product_seq = products.seq"
   "   ORDER BY category_id));"
   "CREATE TRIGGER products_category_list_insert AFTER INSERT ON product_categories BEGIN"
   "  UPDATE products SET category_list = (SELECT group_concat(category_id, ' ') FROM"
   "    (SELECT category_id FROM product_categories WHERE product_seq = new.product_seq"
   "     ORDER BY category_id))"
   "  WHERE seq = new.product_seq;"
   "END;"
   "CREATE TRIGGER products_category_list_delete AFTER DELETE ON product_categories BEGIN"
   "  UPDATE products SET category_list = (SELECT group_concat(category_id, ' ') FROM"
   "    (SELECT category_id FROM product_categories WHERE product_seq = old.product_seq"
   "     ORDER BY category_id))"
   "  WHERE seq = old.product_seq;"
   "END;"
   "CREATE TRIGGER products_category_list_update AFTER UPDATE ON product_categories BEGIN"
   "  UPDATE products SET category_list = (SELECT group_concat(category_id, ' ') FROM"
   "    (SELECT category_id FROM product_categories WHERE product_seq = products.seq"
   "     ORDER BY category_id))"
   "  WHERE seq IN (old.product_seq, new.product_seq);"
   "END;"},
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
