/* coupons.c - the coupons aggregate of the sqlite adapter: coupon documents stored and read,
 * codes kept upper-case, guarded deletes, and redemptions counted within the coupon's limits in
 * one BEGIN IMMEDIATE transaction. The rules (the spec, the refusal order) are
 * rules/coupons.c's, applied here to the rows each transaction read. */
#include <string.h>

#include "internal.h"
#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/money.h"
#include "mercato/rules/coupons.h"
#include "mercato/store/coupons.h"

#define COUPON_ID_MAX (MC_ID_MAX - 1)

/* The columns of the canonical document, in the order of coupon_columns below. */
#define COUPON_COLUMNS                                                                           \
  "id, code, kind, value, min_subtotal, starts_at, expires_at, usage_limit, "                   \
  "per_customer_limit, times_used, active, created_at, updated_at"
#define COUPON_FILTER "(?1 IS NULL OR instr(code, ?1) > 0) AND (?2 IS NULL OR active = ?2)"

static const char *const sql_text[MC_SQL_COUNT] = {
  [MC_SQL_COUPON_INSERT] =
    "INSERT INTO coupons (id, code, kind, value, min_subtotal, starts_at, expires_at, "
    "usage_limit, per_customer_limit, times_used, active, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, coalesce(?10, 1), ?16, ?16) "
    "RETURNING " COUPON_COLUMNS,
  [MC_SQL_COUPON_GET] = "SELECT " COUPON_COLUMNS " FROM coupons WHERE id = ?1",
  [MC_SQL_COUPON_GET_BY_CODE] = "SELECT " COUPON_COLUMNS " FROM coupons WHERE code = ?1",
  /* Ids sort by creation time, and the primary key's index walks them newest first. */
  [MC_SQL_COUPON_PAGE] = "SELECT " COUPON_COLUMNS " FROM coupons WHERE " COUPON_FILTER
                         " ORDER BY id DESC LIMIT ?3 OFFSET ?4",
  [MC_SQL_COUPON_COUNT] = "SELECT count(*) FROM coupons WHERE " COUPON_FILTER,
  /* Unbound parameters are NULL: coalesce keeps the column, and the nullable members change
   * only when their flag (?11..?15) is bound. One statement, so the schema's CHECKs (percent
   * at most 100, expires_at after starts_at, usage_limit not below times_used) judge the row
   * that results, atomically. max() keeps updated_at from going back with the wall clock. */
  [MC_SQL_COUPON_UPDATE] =
    "UPDATE coupons SET code = coalesce(?2, code), kind = coalesce(?3, kind), "
    "value = coalesce(?4, value), "
    "min_subtotal = CASE WHEN ?11 THEN ?5 ELSE min_subtotal END, "
    "starts_at = CASE WHEN ?12 THEN ?6 ELSE starts_at END, "
    "expires_at = CASE WHEN ?13 THEN ?7 ELSE expires_at END, "
    "usage_limit = CASE WHEN ?14 THEN ?8 ELSE usage_limit END, "
    "per_customer_limit = CASE WHEN ?15 THEN ?9 ELSE per_customer_limit END, "
    "active = coalesce(?10, active), updated_at = max(?16, updated_at) "
    "WHERE id = ?1 RETURNING " COUPON_COLUMNS,
  [MC_SQL_COUPON_USAGE] =
    "SELECT (SELECT count(*) FROM coupon_redemptions WHERE coupon_id = ?1) FROM coupons "
    "WHERE id = ?1",
  /* Carts holding the coupon lose it (ON DELETE SET NULL). */
  [MC_SQL_COUPON_DELETE] = "DELETE FROM coupons WHERE id = ?1",
  [MC_SQL_COUPON_REDEMPTIONS] = "SELECT count(*) FROM coupon_redemptions "
                                "WHERE coupon_id = ?1 AND (?2 IS NULL OR user_id = ?2)",
  [MC_SQL_COUPON_REDEEMED] =
    "SELECT 1 FROM coupon_redemptions WHERE coupon_id = ?1 AND order_id = ?2",
  [MC_SQL_COUPON_REDEEM_STATE] =
    "SELECT active, starts_at, expires_at, usage_limit, per_customer_limit, times_used, "
    "(SELECT count(*) FROM coupon_redemptions WHERE coupon_id = ?1 AND user_id = ?2) "
    "FROM coupons WHERE id = ?1",
  [MC_SQL_COUPON_REDEMPTION_INSERT] =
    "INSERT INTO coupon_redemptions (coupon_id, order_id, user_id, redeemed_at) "
    "VALUES (?1, ?2, ?3, ?4)",
  [MC_SQL_COUPON_USE] = "UPDATE coupons SET times_used = times_used + 1 WHERE id = ?1",
};

static int stmt_get(mc_store *st, mc_sqlite_sql id, sqlite3 **db, sqlite3_stmt **out) {
  return mc_sqlite_stmt_get(st, id, sql_text[id], db, out);
}

static int coupon_id_valid(const char *s, size_t len) {
  (void)len;
  return mc_id_valid(s, "cpn");
}

/* The wrappers checked every document against rules/coupons.h already; the field table below
 * only tells mc_sqlite_doc_read what to bind, with the rules' limits. */
static int code_valid(const char *s, size_t len) {
  return mc_coupon_code_valid(s, len);
}

static int kind_valid(const char *s, size_t len) {
  (void)len;
  return mc_coupon_kind_of(s) != MC_COUPON_NONE;
}

/* The members of a coupon document. Insert parameters ?1..?10; the update binds the id as ?1,
 * the same numbers for the members, the null flags ?11..?15; both take the time as ?16. The
 * code (bound upper-cased) and the two times (bound as ms) are bound by this file, not by
 * mc_sqlite_doc_bind. */
enum { C_ID, C_CODE, C_KIND, C_VALUE, C_MIN_SUBTOTAL, C_STARTS_AT, C_EXPIRES_AT, C_USAGE_LIMIT,
       C_PER_CUSTOMER, C_ACTIVE, C_COUNT };
enum { P_CODE = 2, P_STARTS_AT = 6, P_EXPIRES_AT = 7, F_STARTS_AT = 12, F_EXPIRES_AT = 13, P_TIME = 16 };

#define REQ MC_SQLITE_REQUIRED
#define UPD MC_SQLITE_UPDATABLE
#define NUL MC_SQLITE_NULLABLE
static const mc_sqlite_field coupon_fields[C_COUNT] = {
  [C_ID] = {.name = "id", .kind = MC_SQLITE_TEXT, .flags = REQ, .min = 1, .max = COUPON_ID_MAX,
            .valid = coupon_id_valid, .insert_param = 1},
  [C_CODE] = {.name = "code", .kind = MC_SQLITE_TEXT, .flags = REQ | UPD, .min = 1,
              .max = MC_COUPON_CODE_MAX, .valid = code_valid},
  [C_KIND] = {.name = "kind", .kind = MC_SQLITE_TEXT, .flags = REQ | UPD, .min = 5, .max = 7,
              .valid = kind_valid, .insert_param = 3, .update_param = 3},
  [C_VALUE] = {.name = "value", .kind = MC_SQLITE_INT, .flags = REQ | UPD, .min = 1,
               .max = MC_COUPON_FIXED_MAX, .insert_param = 4, .update_param = 4},
  [C_MIN_SUBTOTAL] = {.name = "min_subtotal", .kind = MC_SQLITE_INT, .flags = UPD | NUL, .min = 0,
                      .max = MC_COUPON_MIN_SUBTOTAL_MAX, .insert_param = 5, .update_param = 5, .update_flag = 11},
  [C_STARTS_AT] = {.name = "starts_at", .kind = MC_SQLITE_ANY, .flags = UPD | NUL},
  [C_EXPIRES_AT] = {.name = "expires_at", .kind = MC_SQLITE_ANY, .flags = UPD | NUL},
  [C_USAGE_LIMIT] = {.name = "usage_limit", .kind = MC_SQLITE_INT, .flags = UPD | NUL, .min = 1,
                     .max = MC_COUPON_LIMIT_MAX, .insert_param = 8, .update_param = 8,
                     .update_flag = 14},
  [C_PER_CUSTOMER] = {.name = "per_customer_limit", .kind = MC_SQLITE_INT, .flags = UPD | NUL,
                      .min = 1, .max = MC_COUPON_LIMIT_MAX, .insert_param = 9, .update_param = 9,
                      .update_flag = 15},
  [C_ACTIVE] = {.name = "active", .kind = MC_SQLITE_BOOL, .flags = UPD, .insert_param = 10,
                .update_param = 10},
};
#undef REQ
#undef UPD
#undef NUL

static const mc_sqlite_column coupon_columns[] = {
  {"id", MC_SQLITE_COL_TEXT},
  {"code", MC_SQLITE_COL_TEXT},
  {"kind", MC_SQLITE_COL_TEXT},
  {"value", MC_SQLITE_COL_INT},
  {"min_subtotal", MC_SQLITE_COL_INT},
  {"starts_at", MC_SQLITE_COL_INT},  /* ms or NULL; made a time by coupon_from_row */
  {"expires_at", MC_SQLITE_COL_INT}, /* likewise */
  {"usage_limit", MC_SQLITE_COL_INT},
  {"per_customer_limit", MC_SQLITE_COL_INT},
  {"times_used", MC_SQLITE_COL_INT},
  {"active", MC_SQLITE_COL_BOOL},
  {"created_at", MC_SQLITE_COL_TIME},
  {"updated_at", MC_SQLITE_COL_TIME},
};
#define COUPON_COLUMN_COUNT ((int)(sizeof coupon_columns / sizeof coupon_columns[0]))

/* Replaces the ms value of member name (if not null) with its RFC 3339 text, in place, so the
 * member keeps its position in the document. 0 when it cannot be a time. */
static int member_to_time(json_t *doc, const char *name) {
  json_t *v = json_object_get(doc, name);
  char when[MC_TIME_STR_MAX];

  if (json_is_null(v)) return 1;
  if (!json_is_integer(v) || mc_time_format_ms(json_integer_value(v), when) != MC_OK) return 0;
  return json_object_set_new(doc, name, json_string(when)) == 0;
}

/* Builds the canonical document from a row of COUPON_COLUMNS; *out is a new reference. */
static int coupon_from_row(sqlite3_stmt *stmt, json_t **out) {
  int err = mc_sqlite_row_doc(stmt, 0, coupon_columns, COUPON_COLUMN_COUNT, "read coupon", out);

  if (err == MC_OK && !(member_to_time(*out, "starts_at") && member_to_time(*out, "expires_at"))) {
    mc_error("store.sqlite", "read coupon: a start or expiry time could not be read");
    json_decref(*out);
    *out = NULL;
    err = MC_ERR_INTERNAL;
  }
  return err;
}

/* What a document's code and times bind to, once read and checked. */
typedef struct coupon_extra {
  char code[MC_COUPON_CODE_MAX + 1]; /* upper-cased; "" when absent */
  int64_t starts_at, expires_at;     /* ms, when present and not null */
} coupon_extra;

/* Reads one time member (already known to be a string or, when nullable, null). */
static int time_read(const mc_sqlite_value *v, const char *name, const char *what, int64_t *out) {
  const char *s = json_string_value(v->json);
  size_t len = json_string_length(v->json);

  if (v->json == NULL || json_is_null(v->json)) return MC_OK;
  if (s == NULL || len > MC_COUPON_TIME_TEXT_MAX || mc_time_parse_ms(s, len, out) != MC_OK) {
    mc_debug("store.sqlite", "%s: %s is not an RFC 3339 time", what, name);
    return MC_ERR_INVALID;
  }
  return MC_OK;
}

/* Reads doc against coupon_fields into v and *x; MC_ERR_INVALID as mc_sqlite_doc_read. */
static int coupon_read(const json_t *doc, int for_update, const char *what, mc_sqlite_value *v,
                       coupon_extra *x) {
  int err = mc_sqlite_doc_read(doc, coupon_fields, C_COUNT, for_update, what, v);

  memset(x, 0, sizeof *x);
  if (err != MC_OK) return err;
  if (v[C_CODE].json != NULL && mc_coupon_normalise_code(v[C_CODE].s, x->code) != MC_OK) return MC_ERR_INVALID;
  err = time_read(&v[C_STARTS_AT], "starts_at", what, &x->starts_at);
  if (err == MC_OK) err = time_read(&v[C_EXPIRES_AT], "expires_at", what, &x->expires_at);
  return err;
}

/* Binds the members read (for an insert or an update), and the time now. */
static int coupon_bind(sqlite3_stmt *stmt, const mc_sqlite_value *v, const coupon_extra *x,
                       int for_update) {
  const struct {
    int member, param, flag;
    int64_t ms;
  } times[] = {{C_STARTS_AT, P_STARTS_AT, F_STARTS_AT, x->starts_at},
               {C_EXPIRES_AT, P_EXPIRES_AT, F_EXPIRES_AT, x->expires_at}};
  int rc = mc_sqlite_doc_bind(stmt, coupon_fields, C_COUNT, v, for_update);

  if (rc == SQLITE_OK && x->code[0] != '\0')
    rc = sqlite3_bind_text(stmt, P_CODE, x->code, -1, SQLITE_STATIC);
  for (size_t i = 0; i < sizeof times / sizeof times[0] && rc == SQLITE_OK; i++) {
    const json_t *t = v[times[i].member].json;
    if (t == NULL) continue;
    if (for_update) rc = sqlite3_bind_int(stmt, times[i].flag, 1);
    if (rc == SQLITE_OK && !json_is_null(t)) rc = sqlite3_bind_int64(stmt, times[i].param, times[i].ms);
  }
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, P_TIME, mc_now_ms());
  return rc;
}

int mc_sqlite_coupon_create(mc_store *st, const json_t *coupon, json_t **out, mc_refusal *why) {
  mc_sqlite_value v[C_COUNT];
  coupon_extra x;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err;
  int rc;

  if (out != NULL) *out = NULL;
  err = coupon_read(coupon, 0, "coupon create", v, &x);
  if (err != MC_OK) return err;
  err = stmt_get(st, MC_SQL_COUPON_INSERT, &db, &stmt);
  if (err != MC_OK) return err;
  rc = coupon_bind(stmt, v, &x, 0);
  if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, "coupon create: bind");
  else err = mc_sqlite_write_returning(db, stmt, coupon_from_row, "coupon create", out);
  if (err == MC_ERR_NOT_FOUND) err = MC_ERR_INTERNAL; /* an insert returns its row */
  if (err == MC_ERR_CONFLICT) mc_coupon_refuse_code_taken(why);
  mc_sqlite_stmt_done(stmt);
  return err;
}

int mc_sqlite_coupon_get(mc_store *st, const char *id, json_t **out) {
  return mc_sqlite_get_one(st, MC_SQL_COUPON_GET, sql_text[MC_SQL_COUPON_GET], id, COUPON_ID_MAX,
                           coupon_from_row, "coupon get", out);
}

int mc_sqlite_coupon_get_by_code(mc_store *st, const char *code, json_t **out) {
  char upper[MC_COUPON_CODE_MAX + 1];

  /* A text that cannot be a code matches none. */
  if (mc_coupon_normalise_code(code, upper) != MC_OK) return MC_ERR_NOT_FOUND;
  return mc_sqlite_get_one(st, MC_SQL_COUPON_GET_BY_CODE, sql_text[MC_SQL_COUPON_GET_BY_CODE], upper,
                           MC_COUPON_CODE_MAX, coupon_from_row, "coupon get by code", out);
}

/* Binds a listing's filters (?1 the code part, ?2 the active flag) to stmt. */
static int list_bind(sqlite3_stmt *stmt, const char *part, int active) {
  int rc = SQLITE_OK;
  if (part[0] != '\0') rc = sqlite3_bind_text(stmt, 1, part, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && active >= 0) rc = sqlite3_bind_int(stmt, 2, active);
  return rc;
}

/* Reads one page of the listing into items (an array). */
static int list_page(mc_store *st, const char *part, const mc_coupon_query *q, json_t *items) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_COUPON_PAGE, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = list_bind(stmt, part, q->active);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(stmt, 3, q->limit);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, q->offset);
  while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    json_t *doc;
    err = coupon_from_row(stmt, &doc);
    if (err != MC_OK) goto done;
    if (json_array_append_new(items, doc) != 0) {
      err = MC_ERR_INTERNAL;
      goto done;
    }
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_DONE) err = mc_sqlite_status(db, rc, "coupon list");
done:
  mc_sqlite_stmt_done(stmt);
  return err;
}

static int list_count(mc_store *st, const char *part, int active, int64_t *out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_COUPON_COUNT, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = list_bind(stmt, part, active);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 0);
  else err = mc_sqlite_status(db, rc, "coupon count");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* The count and the page come from one read transaction, so they agree with each other. */
int mc_sqlite_coupon_list(mc_store *st, const mc_coupon_query *query, json_t **out_items,
                          int64_t *out_count) {
  char part[MC_COUPON_CODE_MAX + 1] = "";
  json_t *items = NULL;
  sqlite3 *db = NULL;
  int64_t count = 0;
  int err;

  /* The wrapper checked the query. */
  if (query->code_part != NULL && query->code_part[0] != '\0' &&
      mc_coupon_normalise_code(query->code_part, part) != MC_OK)
    return MC_ERR_INVALID;
  items = json_array();
  if (items == NULL) return MC_ERR_INTERNAL;
  err = mc_sqlite_tx_begin_read(st, &db);
  if (err != MC_OK) goto done;
  err = list_count(st, part, query->active, &count);
  if (err == MC_OK && query->offset < count) err = list_page(st, part, query, items);
  err = mc_sqlite_tx_end(st, err);
done:
  if (err != MC_OK) {
    json_decref(items);
    return err;
  }
  *out_items = items;
  if (out_count != NULL) *out_count = count;
  return MC_OK;
}

/* Runs the update (bound from changes, read into v and x) on the coupon id. */
static int update_run(mc_store *st, const char *id, const mc_sqlite_value *v, const coupon_extra *x, json_t **out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_COUPON_UPDATE, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = coupon_bind(stmt, v, x, 1);
  if (rc != SQLITE_OK) err = mc_sqlite_status(db, rc, "coupon update: bind");
  else err = mc_sqlite_write_returning(db, stmt, coupon_from_row, "coupon update", out);
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* The coupon is read and the changes judged against it (mc_coupon_check) inside the write
 * transaction, so the rules across members (usage_limit not below times_used, expires_at after
 * starts_at) hold for the row that results, and a refusal names the member at fault. */
int mc_sqlite_coupon_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why) {
  mc_sqlite_value v[C_COUNT];
  coupon_extra x;
  json_t *stored = NULL;
  sqlite3 *db = NULL;
  int err;

  if (out != NULL) *out = NULL;
  err = coupon_read(changes, 1, "coupon update", v, &x);
  if (err != MC_OK) return err;
  if ((err = mc_sqlite_tx_begin_write(st, &db)) != MC_OK) return err;
  err = mc_sqlite_coupon_get(st, id, &stored);
  if (err == MC_OK) err = mc_coupon_check(changes, 1, stored, why);
  if (err == MC_OK) err = update_run(st, id, v, &x, out);
  if (err == MC_ERR_CONFLICT) mc_coupon_refuse_code_taken(why);
  json_decref(stored);
  err = mc_sqlite_tx_end(st, err);
  if (err != MC_OK && out != NULL) {
    json_decref(*out);
    *out = NULL;
  }
  return err;
}

/* Counts the redemptions and deletes in one write transaction, so that no redemption can
 * arrive between the check and the delete. */
int mc_sqlite_coupon_delete(mc_store *st, const char *id, mc_refusal *why) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int64_t redemptions = 0;
  size_t id_len;
  int err;
  int rc;

  if (id == NULL) return MC_ERR_INVALID;
  if (!mc_sqlite_key_ok(id, COUPON_ID_MAX, &id_len)) return MC_ERR_NOT_FOUND;
  err = mc_sqlite_tx_begin_write(st, &db);
  if (err != MC_OK) return err;
  err = stmt_get(st, MC_SQL_COUPON_USAGE, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) {
    err = rc == SQLITE_DONE ? MC_ERR_NOT_FOUND : mc_sqlite_status(db, rc, "coupon usage");
    goto done;
  }
  redemptions = sqlite3_column_int64(stmt, 0);
  mc_sqlite_stmt_done(stmt);
  stmt = NULL;
  if (redemptions > 0) {
    mc_debug("store.sqlite", "coupon delete: %s has %lld redemption(s)", id, (long long)redemptions);
    err = mc_coupon_refuse_redeemed(why, redemptions);
    goto done;
  }
  err = stmt_get(st, MC_SQL_COUPON_DELETE, &db, &stmt);
  if (err != MC_OK) goto done;
  rc = sqlite3_bind_text(stmt, 1, id, (int)id_len, SQLITE_STATIC);
  err = rc == SQLITE_OK ? mc_sqlite_exec_stmt(db, stmt, "coupon delete")
                        : mc_sqlite_status(db, rc, "coupon delete: bind");
done:
  mc_sqlite_stmt_done(stmt);
  return mc_sqlite_tx_end(st, err);
}

/* Binds an optional id (NULL binds NULL) of at most COUPON_ID_MAX bytes. */
static int bind_opt_id(sqlite3_stmt *stmt, int param, const char *id) {
  return id != NULL ? sqlite3_bind_text(stmt, param, id, -1, SQLITE_STATIC) : sqlite3_bind_null(stmt, param);
}

int mc_sqlite_coupon_redemption_count(mc_store *st, const char *coupon_id, const char *user_id,
                                      int64_t *out) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  size_t len;
  int err;
  int rc;

  if (out == NULL || coupon_id == NULL) return MC_ERR_INVALID;
  *out = 0;
  if (!mc_sqlite_key_ok(coupon_id, COUPON_ID_MAX, &len)) return MC_OK;
  if (user_id != NULL && !mc_sqlite_key_ok(user_id, COUPON_ID_MAX, &len)) return MC_OK;
  err = stmt_get(st, MC_SQL_COUPON_REDEMPTIONS, &db, &stmt);
  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, coupon_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = bind_opt_id(stmt, 2, user_id);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 0);
  else err = mc_sqlite_status(db, rc, "coupon redemption count");
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* 1 when column col of stmt is not NULL, its value then in *out. */
static int column_opt(sqlite3_stmt *stmt, int col, int64_t *out) {
  if (sqlite3_column_type(stmt, col) == SQLITE_NULL) return 0;
  *out = sqlite3_column_int64(stmt, col);
  return 1;
}

/* Inside the redemption's transaction: *out gets mc_coupon_decide's answer for the coupon's
 * stored state and the customer's redemptions (MC_COUPON_UNKNOWN without such a coupon). */
static int redeem_decide(mc_store *st, const char *coupon_id, const char *user_id, int64_t now_ms,
                         mc_coupon_refusal *out) {
  mc_coupon_terms t = {0};
  mc_coupon_use use = {.now_ms = now_ms, .signed_in = user_id != NULL};
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int err = stmt_get(st, MC_SQL_COUPON_REDEEM_STATE, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  rc = sqlite3_bind_text(stmt, 1, coupon_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = bind_opt_id(stmt, 2, user_id);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) {
    *out = MC_COUPON_UNKNOWN;
  } else if (rc != SQLITE_ROW) {
    err = mc_sqlite_status(db, rc, "coupon redeem: read");
  } else {
    t.active = sqlite3_column_int(stmt, 0) != 0;
    t.has_starts = column_opt(stmt, 1, &t.starts_at);
    t.has_expires = column_opt(stmt, 2, &t.expires_at);
    t.has_usage_limit = column_opt(stmt, 3, &t.usage_limit);
    t.has_per_customer = column_opt(stmt, 4, &t.per_customer_limit);
    t.times_used = sqlite3_column_int64(stmt, 5);
    use.redemptions = sqlite3_column_int64(stmt, 6);
    *out = mc_coupon_decide(&t, &use);
  }
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* Runs one of the redemption's statements with the coupon id as ?1 and, for those that take
 * them, the order as ?2, the user as ?3 and the time as ?4. *found (may be NULL) says whether
 * a row came back. */
static int redeem_run(mc_store *st, mc_sqlite_sql id, const char *coupon_id, const char *order_id,
                      const char *user_id, int64_t now_ms, int *found, const char *what) {
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int params;
  int err = stmt_get(st, id, &db, &stmt);
  int rc;

  if (err != MC_OK) return err;
  params = sqlite3_bind_parameter_count(stmt);
  rc = sqlite3_bind_text(stmt, 1, coupon_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && params >= 2) rc = sqlite3_bind_text(stmt, 2, order_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && params >= 3) rc = bind_opt_id(stmt, 3, user_id);
  if (rc == SQLITE_OK && params >= 4) rc = sqlite3_bind_int64(stmt, 4, now_ms);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (found != NULL) *found = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) err = mc_sqlite_write_status(db, rc, what);
  mc_sqlite_stmt_done(stmt);
  return err;
}

/* BEGIN IMMEDIATE takes the write lock before the coupon is read, so no other redemption (from
 * any thread or process) can come between the checks and the count: the limits hold. The
 * schema's CHECK on times_used would refuse an overrun even from another writer. */
int mc_sqlite_coupon_redeem(mc_store *st, const char *coupon_id, const char *order_id, const char *user_id,
                            int64_t now_ms, mc_coupon_refusal *out_refusal, mc_refusal *why) {
  mc_coupon_refusal refusal = MC_COUPON_UNKNOWN;
  sqlite3 *db = NULL;
  int found = 0;
  int err;

  err = mc_sqlite_tx_begin_write(st, &db);
  if (err != MC_OK) return err;
  err = redeem_run(st, MC_SQL_COUPON_REDEEMED, coupon_id, order_id, NULL, 0, &found,
                   "coupon redeem: look up the order");
  if (err != MC_OK) goto done;
  if (found) { /* a retry of a redemption that was counted */
    refusal = MC_COUPON_APPLIES;
    goto done;
  }
  err = redeem_decide(st, coupon_id, user_id, now_ms, &refusal);
  if (err != MC_OK || refusal != MC_COUPON_APPLIES) goto done;
  err = redeem_run(st, MC_SQL_COUPON_REDEMPTION_INSERT, coupon_id, order_id, user_id, now_ms, NULL,
                   "coupon redeem: record");
  if (err == MC_OK)
    err = redeem_run(st, MC_SQL_COUPON_USE, coupon_id, NULL, NULL, 0, NULL, "coupon redeem: count");
done:
  /* A refusal changes nothing: the transaction ends as a read. */
  err = mc_sqlite_tx_end(st, err);
  if (err != MC_OK) return err;
  if (out_refusal != NULL) *out_refusal = refusal;
  if (refusal == MC_COUPON_APPLIES) return MC_OK;
  mc_coupon_refuse(why, refusal, 0, NULL);
  return refusal == MC_COUPON_UNKNOWN ? MC_ERR_NOT_FOUND : MC_ERR_CONFLICT;
}
