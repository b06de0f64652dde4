/* store_coupons.c - the coupons aggregate's wrappers (mercato/store/coupons.h): the spec of
 * rules/coupons.h checked once here, for every adapter, before the adapter is called. */
#include "mercato/store/coupons.h"

#include <string.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"

int mc_store_coupon_create(mc_store *st, const json_t *coupon, json_t **out, mc_refusal *why) {
  if (out != NULL) *out = NULL;
  if (mc_coupon_check(coupon, 0, NULL, why) != MC_OK) {
    mc_debug("store", "coupon create: the document breaks the coupon spec");
    return MC_ERR_INVALID;
  }
  return st->coupons->create(st, coupon, out, why);
}

int mc_store_coupon_get(mc_store *st, const char *id, json_t **out) {
  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (id == NULL) return MC_ERR_INVALID;
  if (!mc_id_valid(id, "cpn")) return MC_ERR_NOT_FOUND;
  return st->coupons->get(st, id, out);
}

int mc_store_coupon_get_by_code(mc_store *st, const char *code, json_t **out) {
  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (code == NULL) return MC_ERR_INVALID;
  if (!mc_coupon_code_valid(code, strlen(code))) return MC_ERR_NOT_FOUND;
  return st->coupons->get_by_code(st, code, out);
}

int mc_store_coupon_list(mc_store *st, const mc_coupon_query *q, json_t **out_items, int64_t *out_count) {
  const char *part = q != NULL ? q->code_part : NULL;
  if (out_items != NULL) *out_items = NULL;
  if (out_count != NULL) *out_count = 0;
  if (q == NULL || out_items == NULL) return MC_ERR_INVALID;
  if ((part != NULL && part[0] != '\0' && !mc_coupon_code_valid(part, strlen(part))) || q->limit < 1 ||
      q->limit > MC_COUPON_LIST_MAX || q->offset < 0 || q->active < -1 || q->active > 1) {
    mc_debug("store", "coupon list: a query value is out of range");
    return MC_ERR_INVALID;
  }
  return st->coupons->list(st, q, out_items, out_count);
}

int mc_store_coupon_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why) {
  if (out != NULL) *out = NULL;
  if (id == NULL) return MC_ERR_INVALID;
  if (mc_coupon_check(changes, 1, NULL, why) != MC_OK) {
    mc_debug("store", "coupon update: the changes break the coupon spec");
    return MC_ERR_INVALID;
  }
  if (!mc_id_valid(id, "cpn")) return MC_ERR_NOT_FOUND;
  return st->coupons->update(st, id, changes, out, why);
}

int mc_store_coupon_delete(mc_store *st, const char *id, mc_refusal *why) {
  if (id == NULL) return MC_ERR_INVALID;
  if (!mc_id_valid(id, "cpn")) return MC_ERR_NOT_FOUND;
  return st->coupons->remove(st, id, why);
}

int mc_store_coupon_redemption_count(mc_store *st, const char *coupon_id, const char *user_id, int64_t *out) {
  if (out == NULL || coupon_id == NULL) return MC_ERR_INVALID;
  *out = 0;
  if (!mc_id_valid(coupon_id, "cpn") || (user_id != NULL && !mc_id_valid(user_id, "usr"))) return MC_OK;
  return st->coupons->redemption_count(st, coupon_id, user_id, out);
}

int mc_store_coupon_redeem(mc_store *st, const char *coupon_id, const char *order_id, const char *user_id,
                           int64_t now_ms, mc_coupon_refusal *out_refusal, mc_refusal *why) {
  if (out_refusal != NULL) *out_refusal = MC_COUPON_UNKNOWN;
  if (coupon_id == NULL || !mc_id_valid(coupon_id, "cpn") || order_id == NULL || !mc_id_valid(order_id, "ord") ||
      (user_id != NULL && !mc_id_valid(user_id, "usr")))
    return MC_ERR_INVALID;
  return st->coupons->redeem(st, coupon_id, order_id, user_id, now_ms, out_refusal, why);
}
