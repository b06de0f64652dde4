/* product_list.c - product listings in the sqlite adapter: SQL built from fixed fragments for
 * the filters in use (cached per shape), full-text queries made from plain text, one snapshot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/store.h"

/* The filters of a listing, one bit each: with the order they make its shape, and each shape
 * has its own statements (a page and a count), so every statement is a fixed text. */
enum {
  L_Q = 1,
  L_CATEGORY = 2,
  L_PRICE = 4,
  L_IN_STOCK = 8,
  L_ACTIVE = 16,
  L_LOW_STOCK = 32,
  L_CATEGORIES = 64, /* with L_CATEGORY: more than one, so a product may be linked twice */
  L_ARCHIVED = 128   /* archived products only (admin); other admin shapes leave them out */
};
/* The filters that read product rows; a full-text query with none of them is answered by the
 * full-text index alone (its rowid's sign tells inactive products apart). */
#define L_ROW_FILTERS (L_CATEGORY | L_PRICE | L_IN_STOCK | L_LOW_STOCK)
/* The filters product_counts answers for. */
#define L_COUNTED (L_ACTIVE | L_IN_STOCK)

/* Parameters, the same number in every shape (a shape binds only those it uses). */
enum { P_Q = 1, P_MIN_PRICE, P_MAX_PRICE, P_LOW_STOCK, P_CATEGORIES, P_LIMIT, P_OFFSET };

/* The orders relevance takes past RANKED_MAX matches: products whose name has every word
 * first, then the others, each most recently added first, which is the indexes' own order, so
 * a page stops early instead of scoring every match. Each is a sort of its own (a statement
 * per shape and sort), naming the index it reads:
 * - SORT_TIERED: every match, from products_fts (when no name matches);
 * - SORT_NAMED: the name matches, from products_name_fts (the names alone, migration 5);
 * - SORT_UNNAMED: the matches of products_fts that are not name matches. */
#define SORT_TIERED (MC_SORT_RELEVANCE + 1)
#define SORT_NAMED (MC_SORT_RELEVANCE + 2)
#define SORT_UNNAMED (MC_SORT_RELEVANCE + 3)

/* Up to this many matches are ranked exactly by bm25. bm25 costs one to two microseconds per
 * match (it reads each match's column sizes and sorts them all), which a word found in a tenth
 * of a large catalog turns into tens of milliseconds; past this many matches the tiered order
 * above is used, whose cost is the count's. */
#define RANKED_MAX 250

#define FTS_TOKENS_MAX 8
#define FTS_TOKEN_MAX 64
/* The words as FTS5 strings: each quoted (quotes doubled: at most twice its bytes), a star and
 * a space. */
#define FTS_WORDS_MAX (FTS_TOKENS_MAX * (2 * FTS_TOKEN_MAX + 4) + 2)

/* The seq of every archived product (few; migration 7's partial index holds them all). */
#define ARCHIVED_SEQS \
  "(SELECT seq FROM products INDEXED BY products_archived WHERE archived_at IS NOT NULL)"

/* bm25 with a match in the name worth ten in the description. Lower is better. */
#define RELEVANCE "bm25(products_fts, 10.0, 1.0)"

/* The order of each sort, ties broken by id in the direction of the key, so that pages never
 * overlap or skip. Written over the alias p, in the page and again over its rows. The tiers'
 * are written by sql_build (the index's own order). */
static const char *const order_sql[MC_SORT_RELEVANCE + 1] = {
  [MC_SORT_NEWEST] = "p.created_at DESC, p.id DESC",
  [MC_SORT_PRICE_ASC] = "p.price, p.id",
  [MC_SORT_PRICE_DESC] = "p.price DESC, p.id DESC",
  [MC_SORT_NAME_ASC] = "p.name, p.id",
  [MC_SORT_RELEVANCE] = "score, p.id",
};

static int is_tier(int sort) {
  return sort >= SORT_TIERED;
}

/* The full-text index a statement of this sort reads. */
static const char *fts_table(int sort) {
  return sort == SORT_NAMED ? "products_name_fts" : "products_fts";
}

/* A byte of a word: ASCII letters and digits, and every byte of a multi-byte character (the
 * full-text tokenizer knows which of those are letters; we only keep them together). */
static int word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Writes plain text q as FTS5 strings into buf (FTS_WORDS_MAX bytes): its first
 * FTS_TOKENS_MAX words, each cut to FTS_TOKEN_MAX bytes (at a character boundary), each a
 * string literal, the last (when last_prefix) and any cut one matching as a prefix. No byte of
 * q reaches the query outside a string literal, so q is never query syntax. Returns the number
 * of words; 0 means q can match nothing. */
static int fts_words(const char *q, int last_prefix, char *buf) {
  const unsigned char *p = (const unsigned char *)q;
  size_t n = 0;
  int words = 0;
  int starred = 0;

  buf[0] = '\0';
  while (*p != '\0' && words < FTS_TOKENS_MAX) {
    const unsigned char *start;
    size_t len;
    int cut;

    while (*p != '\0' && !word_byte(*p)) p++;
    start = p;
    while (word_byte(*p)) p++;
    len = (size_t)(p - start);
    if (len == 0) break;
    cut = len > FTS_TOKEN_MAX;
    if (cut) {
      len = FTS_TOKEN_MAX;
      while (len > 0 && (start[len] & 0xc0) == 0x80) len--; /* not inside a character */
      if (len == 0) continue;
    }
    starred = cut;
    if (words > 0) buf[n++] = ' ';
    buf[n++] = '"';
    for (size_t i = 0; i < len; i++) {
      if (start[i] == '"') buf[n++] = '"'; /* cannot happen with word_byte; kept for safety */
      buf[n++] = (char)start[i];
    }
    buf[n++] = '"';
    if (starred) buf[n++] = '*';
    words++;
  }
  if (words > 0 && !starred && last_prefix) buf[n++] = '*';
  buf[n] = '\0';
  return words;
}

/* Writes into term (FTS_TOKEN_MAX + 2 bytes) the last word of q as the index holds it (ASCII
 * letters folded to lower case) followed by byte 1, the smallest string after the word and
 * before every longer word it starts. Returns 0 when that form is not known: the word is not
 * ASCII (the tokenizer folds accents and case beyond ASCII), or it is cut, so a prefix anyway. */
static int fts_last_term(const char *q, char *term) {
  const unsigned char *p = (const unsigned char *)q, *start = NULL;
  size_t len = 0;
  int words = 0;

  while (*p != '\0' && words < FTS_TOKENS_MAX) {
    while (*p != '\0' && !word_byte(*p)) p++;
    if (!word_byte(*p)) break;
    start = p;
    while (word_byte(*p)) p++;
    len = (size_t)(p - start);
    words++;
  }
  if (start == NULL || len > FTS_TOKEN_MAX) return 0;
  for (size_t i = 0; i < len; i++) {
    if (start[i] >= 0x80) return 0;
    term[i] = (char)(start[i] >= 'A' && start[i] <= 'Z' ? start[i] + ('a' - 'A') : start[i]);
  }
  term[len] = '\x01';
  term[len + 1] = '\0';
  return 1;
}

/* The category filter's ids as a JSON array (the ids are [a-z0-9_], so nothing to escape) in
 * *out (malloc'd, the caller's). Ids that are not well-formed cannot match and are left out;
 * *count gets the number kept. */
static int category_json(const char *const *ids, char **out, size_t *count) {
  size_t n = 0, used = 0;
  char *buf;

  *out = NULL;
  *count = 0;
  while (ids[n] != NULL) n++;
  buf = malloc(n * (MC_ID_MAX + 3) + 3);
  if (buf == NULL) return MC_ERR_INTERNAL;
  buf[used++] = '[';
  for (size_t i = 0; i < n; i++) {
    if (!mc_id_valid(ids[i], "cat")) continue;
    used += (size_t)sprintf(buf + used, "%s\"%s\"", *count > 0 ? "," : "", ids[i]);
    (*count)++;
  }
  buf[used++] = ']';
  buf[used] = '\0';
  *out = buf;
  return MC_OK;
}

/* A bounded string builder: a failed append sets overflow and leaves the text unusable. */
typedef struct sql_buf {
  char text[4096];
  size_t len;
  int overflow;
} sql_buf;

static void sql_add(sql_buf *b, const char *s) {
  size_t n = strlen(s);
  if (b->overflow || b->len + n >= sizeof b->text) {
    b->overflow = 1;
    return;
  }
  memcpy(b->text + b->len, s, n + 1);
  b->len += n;
}

/* Appends a, then the name of the full-text index t, then z: "t.rowid > 0" and the like. */
static void sql_fts(sql_buf *b, const char *a, const char *t, const char *z) {
  sql_add(b, a);
  sql_add(b, t);
  sql_add(b, z);
}

/* Appends " FROM ... WHERE ..." for the filters of shape and the index sort reads; fts_only:
 * from the full-text index alone (a query with no row filters). Loop orders are fixed with
 * CROSS JOIN, since the planner cannot see how selective a bound value is: a full-text query
 * drives from the index (matches are found from the words, never by testing each product),
 * and a category from its links. */
static void sql_from_where(sql_buf *b, int shape, int fts_only, int sort) {
  const char *glue = " WHERE ";
  const char *fts = fts_table(sort);

  if (fts_only) {
    sql_fts(b, " FROM ", fts, "");
  } else if (shape & L_Q) {
    sql_fts(b, " FROM ", fts, " CROSS JOIN products p ON p.seq = abs(");
    sql_fts(b, "", fts, ".rowid)");
  } else if (shape & L_CATEGORY) {
    sql_add(b, shape & L_CATEGORIES
                 ? " FROM (SELECT DISTINCT product_seq AS seq FROM product_categories"
                   " WHERE category_id IN (SELECT value FROM json_each(?5))) AS c"
                   " CROSS JOIN products p ON p.seq = c.seq"
                 : " FROM product_categories c CROSS JOIN products p ON p.seq = c.product_seq");
  } else {
    sql_add(b, " FROM products p");
  }
#define WHERE(cond, text) \
  if (cond) {             \
    sql_add(b, glue);     \
    sql_add(b, text);     \
    glue = " AND ";       \
  }
#define WHERE_FTS(cond, a, z) \
  if (cond) {                 \
    sql_add(b, glue);         \
    sql_fts(b, a, fts, z);    \
    glue = " AND ";           \
  }
  /* With a full-text query, the index leaves inactive products (negative rowids) out. */
  WHERE_FTS(shape & L_Q, "", " MATCH ?1")
  WHERE_FTS((shape & L_ACTIVE) && (shape & L_Q), "", ".rowid > 0")
  /* Not a name match: those are the first tier, this is the second. */
  WHERE(sort == SORT_UNNAMED,
        "products_fts.rowid NOT IN (SELECT rowid FROM products_name_fts WHERE products_name_fts MATCH ?1)")
  WHERE((shape & L_ACTIVE) && !(shape & L_Q), "p.active = 1")
  /* Admin listings only (the storefront's active products are never archived): in or out of
   * the few archived products, a list made once per statement from their own index, so that
   * each plan stays the one without it. */
  WHERE(!(shape & (L_ACTIVE | L_ARCHIVED)) && !fts_only, "p.seq NOT IN " ARCHIVED_SEQS)
  WHERE((shape & L_ARCHIVED) && !fts_only, "p.seq IN " ARCHIVED_SEQS)
  WHERE_FTS(!(shape & (L_ACTIVE | L_ARCHIVED)) && fts_only, "abs(", ".rowid) NOT IN " ARCHIVED_SEQS)
  WHERE_FTS((shape & L_ARCHIVED) && fts_only, "abs(", ".rowid) IN " ARCHIVED_SEQS)
  WHERE(shape & L_PRICE, "p.price BETWEEN ?2 AND ?3")
  WHERE(shape & L_IN_STOCK, "p.stock > 0")
  WHERE(shape & L_LOW_STOCK, "p.stock <= ?4")
  WHERE((shape & L_CATEGORY) && !(shape & (L_Q | L_CATEGORIES)), "c.category_id = ?5")
  WHERE((shape & L_CATEGORY) && (shape & L_Q),
        "p.seq IN (SELECT product_seq FROM product_categories"
        " WHERE category_id IN (SELECT value FROM json_each(?5)))")
#undef WHERE
#undef WHERE_FTS
}

/* The count of shape's matches in the index sort names (every match, or with SORT_NAMED the
 * name matches). From an index alone, for the storefront, it is all the index's matches less
 * the inactive ones: counting with "rowid > 0" costs a fifth more per match, and the inactive
 * (negative rowids) come first, so their count stops early. */
static void sql_count(sql_buf *b, int shape, int fts_only, int sort) {
  const char *fts = fts_table(sort);

  if (fts_only && (shape & L_ACTIVE)) {
    sql_fts(b, "SELECT (SELECT count(*) FROM ", fts, " WHERE ");
    sql_fts(b, "", fts, " MATCH ?1) - (SELECT count(*) FROM ");
    sql_fts(b, "", fts, " WHERE ");
    sql_fts(b, "", fts, " MATCH ?1 AND ");
    sql_fts(b, "", fts, ".rowid < 0)");
  } else {
    sql_add(b, "SELECT count(*)");
    sql_from_where(b, shape, fts_only, sort);
  }
}

/* The text of the count (count) or page statement of shape and sort. The page picks the
 * rows' seq from the indexes, then reads only those rows whole. */
static int sql_build(int shape, int sort, int count, sql_buf *b) {
  int fts_only = (shape & L_Q) && !(shape & L_ROW_FILTERS);
  int admin = !(shape & L_ACTIVE);
  const char *fts = fts_table(sort);

  b->len = 0;
  b->overflow = 0;
  b->text[0] = '\0';
  if (count && (shape & ~L_COUNTED) == 0) {
    /* An admin count leaves archived products out: less their number, from their index. */
    if (admin) sql_add(b, "SELECT (");
    sql_add(b, "SELECT coalesce(sum(n), 0) FROM product_counts WHERE 1");
    if (shape & L_ACTIVE) sql_add(b, " AND active = 1");
    if (shape & L_IN_STOCK) sql_add(b, " AND in_stock = 1");
    if (admin) sql_add(b, ") - (SELECT count(*) FROM products INDEXED BY products_archived"
                          " WHERE archived_at IS NOT NULL");
    if (admin && (shape & L_IN_STOCK)) sql_add(b, " AND stock > 0");
    if (admin) sql_add(b, ")");
  } else if (count) {
    sql_count(b, shape, fts_only, sort);
  } else {
    fts_only = fts_only && is_tier(sort);
    sql_add(b, "SELECT " MC_SQLITE_PRODUCT_ROW_COLUMNS " FROM (SELECT ");
    if (fts_only) sql_fts(b, "abs(", fts, ".rowid) AS seq");
    else sql_add(b, "p.seq AS seq");
    if (sort == MC_SORT_RELEVANCE) sql_add(b, ", " RELEVANCE " AS score");
    sql_from_where(b, shape, fts_only, sort);
    sql_add(b, " ORDER BY ");
    /* A tier is the index's own order for active products; inactive ones have negative
     * rowids, so most recently added first is then by abs(). */
    if (is_tier(sort) && (shape & L_ACTIVE)) sql_fts(b, "", fts, ".rowid DESC");
    else if (is_tier(sort)) sql_fts(b, "abs(", fts, ".rowid) DESC");
    else sql_add(b, order_sql[sort]);
    sql_add(b, " LIMIT ?6 OFFSET ?7) AS page CROSS JOIN products p ON p.seq = page.seq ORDER BY ");
    sql_add(b, sort == MC_SORT_RELEVANCE ? "page.score, p.id"
               : is_tier(sort)           ? "p.seq DESC"
                                         : order_sql[sort]);
  }
  return b->overflow ? MC_ERR_INTERNAL : MC_OK;
}

/* The calling thread's statement for this shape, prepared on its first use. A count's sort
 * only says which index it counts (SORT_NAMED: the name matches; any other: every match). */
static int list_stmt(mc_store *st, int shape, int sort, int count, sqlite3 **db,
                     sqlite3_stmt **out) {
  mc_sqlite_sql id = !count             ? MC_SQL_PRODUCT_PAGE_FIRST + shape * MC_SQLITE_LIST_SORTS + sort
                     : sort == SORT_NAMED ? MC_SQL_PRODUCT_NAMED_COUNT_FIRST + shape
                                          : MC_SQL_PRODUCT_COUNT_FIRST + shape;
  sql_buf b;
  int err;

  if (count && sort != SORT_NAMED) sort = MC_SORT_NEWEST; /* the same count for every order */
  err = mc_sqlite_stmt_cached(st, id, db, out);
  if (err != MC_OK || *out != NULL) return err;
  err = sql_build(shape, sort, count, &b);
  if (err != MC_OK) {
    mc_error("store.sqlite", "product list: statement for shape %d is too long (a bug)", shape);
    return err;
  }
  return mc_sqlite_stmt_get(st, id, b.text, db, out);
}

/* What a listing binds, worked out from the query. */
typedef struct list_args {
  int shape;
  int sort;
  char fts[FTS_WORDS_MAX];      /* the full-text query statements bind */
  char *categories;             /* malloc'd JSON array */
  const char *category;         /* the first of them, borrowed from the query */
  int64_t min_price, max_price;
  int64_t low_stock;
  int words;                    /* in the full-text query */
  int matches_nothing;
} list_args;

/* The full-text query of plain text q; 0 when q has no word. */
static int fts_query(const char *q, int last_prefix, list_args *a) {
  a->words = fts_words(q, last_prefix, a->fts);
  return a->words != 0;
}

static int list_args_make(const mc_product_query *q, list_args *a) {
  size_t kept;
  int err;

  memset(a, 0, sizeof *a);
  a->sort = q->sort;
  if (!q->include_inactive && !q->archived) a->shape |= L_ACTIVE;
  if (q->archived) a->shape |= L_ARCHIVED;
  if (q->q != NULL && q->q[0] != '\0') {
    a->shape |= L_Q;
    if (!fts_query(q->q, 1, a)) a->matches_nothing = 1;
  } else if (a->sort == MC_SORT_RELEVANCE) {
    a->sort = MC_SORT_NEWEST; /* nothing to be relevant to */
  }
  if (q->category_ids != NULL) {
    a->shape |= L_CATEGORY;
    err = category_json(q->category_ids, &a->categories, &kept);
    if (err != MC_OK) return err;
    if (kept == 0) a->matches_nothing = 1;
    if (kept > 1) a->shape |= L_CATEGORIES;
    for (size_t i = 0; q->category_ids[i] != NULL && a->category == NULL; i++)
      if (mc_id_valid(q->category_ids[i], "cat")) a->category = q->category_ids[i];
  }
  if (q->min_price >= 0 || q->max_price >= 0) {
    a->shape |= L_PRICE;
    a->min_price = q->min_price >= 0 ? q->min_price : 0;
    a->max_price = q->max_price >= 0 ? q->max_price : MC_CATALOG_PRICE_MAX;
    if (a->min_price > a->max_price) a->matches_nothing = 1;
  }
  if (q->in_stock) a->shape |= L_IN_STOCK;
  if (q->low_stock >= 0) {
    a->shape |= L_LOW_STOCK;
    a->low_stock = q->low_stock;
  }
  return MC_OK;
}

/* Binds the filters' values. SQLITE_STATIC: a outlives the statement's use, and
 * mc_sqlite_stmt_done unbinds it. */
static int list_bind(sqlite3_stmt *stmt, const list_args *a) {
  int rc = SQLITE_OK;

  if (a->shape & L_Q) rc = sqlite3_bind_text(stmt, P_Q, a->fts, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && (a->shape & L_PRICE)) {
    rc = sqlite3_bind_int64(stmt, P_MIN_PRICE, a->min_price);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, P_MAX_PRICE, a->max_price);
  }
  if (rc == SQLITE_OK && (a->shape & L_LOW_STOCK))
    rc = sqlite3_bind_int64(stmt, P_LOW_STOCK, a->low_stock);
  /* One category outside a full-text query is matched by its id, any other set as a JSON
   * array (see sql_from_where). */
  if (rc == SQLITE_OK && (a->shape & L_CATEGORY))
    rc = sqlite3_bind_text(stmt, P_CATEGORIES,
                           a->shape & (L_Q | L_CATEGORIES) ? a->categories : a->category, -1,
                           SQLITE_STATIC);
  return rc;
}

/* The count of a storefront search of one word with no row filter, by mc_match_count
 * (fts_count.c): on the first match, when there is one. Admin shapes count with count(*), as
 * they also leave archived products out. */
static const char *const phrase_count_sql[2] = {
  "SELECT mc_match_count(products_fts) FROM products_fts WHERE products_fts MATCH ?1 LIMIT 1",
  "SELECT mc_match_count(products_name_fts) FROM products_name_fts "
  "WHERE products_name_fts MATCH ?1 LIMIT 1",
};

/* The number of matches of a's shape and full-text query; with sort SORT_NAMED, of the name
 * matches. */
static int list_count(mc_store *st, const list_args *a, int sort, int64_t *out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int phrase = (a->shape & (L_Q | L_ACTIVE)) == (L_Q | L_ACTIVE) && !(a->shape & L_ROW_FILTERS) && a->words == 1;
  int named = sort == SORT_NAMED;
  int err = phrase ? mc_sqlite_stmt_get(st, named ? MC_SQL_PRODUCT_NAMED_PHRASE_COUNT : MC_SQL_PRODUCT_PHRASE_COUNT,
                                        phrase_count_sql[named], &db, &stmt)
                   : list_stmt(st, a->shape, sort, 1, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = phrase ? sqlite3_bind_text(stmt, P_Q, a->fts, -1, SQLITE_STATIC) : list_bind(stmt, a);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 0);
  else if (rc == SQLITE_DONE && phrase) *out = 0; /* no match at all */
  else err = mc_sqlite_status(db, rc, "product count");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Appends the rows of one page (limit rows from offset) in a's order to page. */
static int list_page(mc_store *st, const list_args *a, int limit, int64_t offset,
                     mc_product_page *page) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = list_stmt(st, a->shape, a->sort, 0, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = list_bind(stmt, a);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(stmt, P_LIMIT, limit);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, P_OFFSET, offset);
  while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    err = mc_sqlite_product_row_read(stmt, page);
    if (err != MC_OK) goto done;
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_DONE) err = mc_sqlite_status(db, rc, "product list");
done:
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* A relevance page past RANKED_MAX matches: the name matches, then the rest. The number of
 * name matches is only needed when the page runs past them, and a short page of them tells it
 * without counting, unless the page starts past them all. */
static int list_tiered(mc_store *st, list_args *a, const mc_product_query *q, mc_product_page *page) {
  int64_t named = 0;
  size_t got;
  int err;

  a->sort = SORT_NAMED;
  err = list_page(st, a, q->limit, q->offset, page);
  got = page->count;
  if (err == MC_OK && got < (size_t)q->limit) {
    if (got > 0 || q->offset == 0) named = q->offset + (int64_t)got;
    else err = list_count(st, a, SORT_NAMED, &named);
  }
  if (err == MC_OK && got < (size_t)q->limit) {
    a->sort = named > 0 ? SORT_UNNAMED : SORT_TIERED; /* the same rows, one clause fewer */
    err = list_page(st, a, q->limit - (int)got, q->offset > named ? q->offset - named : 0, page);
  }
  return err;
}

/* Inside the read transaction: when no indexed word starts with q's last word except the word
 * itself, its prefix query matches exactly the word's, which FTS5 answers without first
 * merging the lists of every word with that start (half the time of a search for a common
 * word): the queries are written again without the prefix. Best effort: on any failure the
 * prefix stays, with the same results. The index's words include those of deleted and
 * inactive products, which can only keep the prefix. */
static void fts_drop_prefix(mc_store *st, const char *q, list_args *a) {
  static const char sql[] = "SELECT term FROM temp.products_fts_terms WHERE term >= ?1 LIMIT 1";
  char term[FTS_TOKEN_MAX + 2];
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  size_t len;
  int rc, other = 1;

  if (!fts_last_term(q, term)) return;
  len = strlen(term) - 1;
  if (mc_sqlite_stmt_get(st, MC_SQL_PRODUCT_TERM_AFTER, sql, &db, &stmt) != MC_OK) return;
  rc = sqlite3_bind_text(stmt, 1, term, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) other = 0;
  else if (rc == SQLITE_ROW) {
    const char *next = (const char *)sqlite3_column_text(stmt, 0);
    other = next == NULL || strncmp(next, term, len) == 0;
  }
  mc_sqlite_stmt_done(stmt);
  if (!other) fts_query(q, 0, a);
}

/* The count and the page come from one read transaction, so they agree with each other. */
int mc_sqlite_product_page(mc_store *st, const mc_product_query *query, mc_product_page **out,
                           int64_t *out_count) {
  list_args a;
  mc_product_page *page = NULL;
  sqlite3 *db = NULL;
  int64_t count = -1;
  int err;

  if (out != NULL) *out = NULL;
  if (out_count != NULL) *out_count = 0;
  if (query == NULL || out == NULL) return MC_ERR_INVALID;
  if (!mc_rules_product_query_ok(query)) {
    mc_debug("store.sqlite", "product list: a query value is out of range");
    return MC_ERR_INVALID;
  }
  err = list_args_make(query, &a);
  if (err != MC_OK) goto done;
  page = mc_sqlite_product_page_new();
  if (page == NULL) {
    err = MC_ERR_INTERNAL;
    goto done;
  }
  if (a.matches_nothing) {
    count = 0;
    goto done;
  }
  err = mc_sqlite_tx_begin_read(st, &db);
  if (err != MC_OK) goto done;
  if (a.shape & L_Q) fts_drop_prefix(st, query->q, &a);
  /* Relevance needs the count to choose how to rank. */
  if (out_count != NULL || a.sort == MC_SORT_RELEVANCE) err = list_count(st, &a, a.sort, &count);
  /* Past the last match there is no page to read. */
  if (err == MC_OK && (count < 0 || query->offset < count)) {
    if (a.sort == MC_SORT_RELEVANCE && count > RANKED_MAX) err = list_tiered(st, &a, query, page);
    else err = list_page(st, &a, query->limit, query->offset, page);
  }
  err = mc_sqlite_tx_end(st, err);
done:
  free(a.categories);
  if (err != MC_OK) {
    mc_product_page_free(page);
    return err;
  }
  *out = page;
  if (out_count != NULL) *out_count = count;
  return MC_OK;
}

int mc_sqlite_product_list(mc_store *st, const mc_product_query *query, json_t **out_items,
                           int64_t *out_count) {
  mc_product_page *page = NULL;
  json_t *items = NULL;
  int err;

  if (out_items != NULL) *out_items = NULL;
  if (out_count != NULL) *out_count = 0;
  if (out_items == NULL) return MC_ERR_INVALID;
  err = mc_sqlite_product_page(st, query, &page, out_count);
  if (err == MC_OK) err = mc_product_page_docs(page, &items);
  mc_product_page_free(page);
  if (err != MC_OK) {
    if (out_count != NULL) *out_count = 0;
    return err;
  }
  *out_items = items;
  return MC_OK;
}
