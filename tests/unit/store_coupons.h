/* store_coupons.h - what the coupon contract suites share (test_store_coupons.c,
 * test_store_coupon_redemptions.c): coupon documents, lookups, redemptions, a raw sqlite read. */
#ifndef MERCATO_TEST_STORE_COUPONS_H
#define MERCATO_TEST_STORE_COUPONS_H

#include <check.h>
#include <stdio.h>

#include "mercato/clock.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/store.h"
#include "mercato/store/carts.h"
#include "mercato/store/coupons.h"
#include "store_catalog.h"
#include "store_contract.h"

/* 2026-12-01T00:00:00.000Z and an hour later, in ms: fixed instants for the date rules. */
#define DEC_1 INT64_C(1796083200000)
#define HOUR INT64_C(3600000)

/* A coupon document with a fresh id; a new reference. */
static inline json_t *coupon_doc(const char *code, const char *kind, int64_t value) {
  return DOC("cpn", "s:s, s:s, s:I", "code", code, "kind", kind, "value", (json_int_t)value);
}

/* Creates doc (consumed) and returns the stored document (a new reference). */
static inline json_t *coupon_create_ok(mc_store *st, json_t *doc) {
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_coupon_create(st, doc, &out, NULL), MC_OK);
  ck_assert_ptr_nonnull(out);
  json_decref(doc);
  return out;
}

static inline json_t *coupon_get_ok(mc_store *st, const char *id) {
  json_t *out = NULL;
  ck_assert_int_eq(mc_store_coupon_get(st, id, &out), MC_OK);
  return out;
}

static inline int64_t int_of(const json_t *doc, const char *key) {
  json_t *v = json_object_get(doc, key);
  ck_assert_msg(json_is_integer(v), "member %s is missing or not an integer", key);
  return json_integer_value(v);
}

static inline int64_t times_used(mc_store *st, const char *id) {
  json_t *doc = coupon_get_ok(st, id);
  int64_t n = int_of(doc, "times_used");
  json_decref(doc);
  return n;
}

static inline void new_id(const char *prefix, char out[MC_ID_MAX]) {
  ck_assert_int_eq(mc_id_new(prefix, out), MC_OK);
}

/* Redeems for a fresh order and returns the refusal (MC_COUPON_APPLIES when counted), checking
 * that a refusal comes back as MC_ERR_NOT_FOUND (unknown) or MC_ERR_CONFLICT with its code. */
static inline mc_coupon_refusal redeem_at(mc_store *st, const char *id, const char *user, int64_t now) {
  mc_coupon_refusal r = (mc_coupon_refusal)-1;
  mc_refusal why = {0};
  char order[MC_ID_MAX];
  int err;
  new_id("ord", order);
  err = mc_store_coupon_redeem(st, id, order, user, now, &r, &why);
  if (r == MC_COUPON_APPLIES) {
    ck_assert_int_eq(err, MC_OK);
    ck_assert_ptr_null(why.code);
  } else {
    ck_assert_int_eq(err, r == MC_COUPON_UNKNOWN ? MC_ERR_NOT_FOUND : MC_ERR_CONFLICT);
    ck_assert_str_eq(why.code, mc_coupon_problem_code(r));
  }
  mc_refusal_clear(&why);
  return r;
}

static inline mc_coupon_refusal redeem(mc_store *st, const char *id, const char *user) {
  return redeem_at(st, id, user, mc_now_ms());
}

/* Creates a coupon in the caller's st with the members of fmt (a json_pack object body) and
 * returns its id in out. */
#define COUPON_WITH(out, fmt, ...)                                                                              \
  do {                                                                                                          \
    json_t *d_ = coupon_doc("C" #out, "fixed", 100), *m_ = json_pack("{" fmt "}", ##__VA_ARGS__);             \
    ck_assert_ptr_nonnull(m_);                                                                                  \
    ck_assert_int_eq(json_object_update(d_, m_), 0);                                                            \
    json_decref(m_);                                                                                            \
    snprintf(out, sizeof out, "%s", str_of(d_, "id"));                                                          \
    json_decref(coupon_create_ok(st, d_));                                                                      \
  } while (0)

#endif
