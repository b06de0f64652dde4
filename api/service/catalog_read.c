/* catalog_read.c - catalog reads: the public view of products, the category tree, listings, and
 * the storefront cache. A cached answer is the serialised body followed by its ETag, stored in
 * the kv under "catalog:<generation>:<kind>:<what>"; every write bumps the generation, so an
 * answer from before a write is never looked up again and expires with its TTL. */
#include <gnutls/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/catalog.h"
#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/jtext.h"
#include "mercato/json.h"
#include "mercato/log.h"
#include "mercato/query.h"

static uint64_t rotl64(uint64_t x, int b) {
  return (x << b) | (x >> (64 - b));
}

/* Multiplies and folds so that every input bit reaches every output bit. */
static uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= UINT64_C(0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= UINT64_C(0xc4ceb9fe1a85ec53);
  return h ^ (h >> 33);
}

/* A 64-bit hash of the body, eight bytes a step. Not a cryptographic digest: an ETag only has
 * to change whenever the body does, and nothing trusts it further (a client just hands back
 * the one it was given). SHA-256 cost 8% of an uncached search. */
static uint64_t body_hash(const char *body, size_t len) {
  uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ len, w;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    memcpy(&w, body + i, 8);
    h ^= rotl64(w * UINT64_C(0x87c37b91114253d5), 31) * UINT64_C(0x4cf5ad432745937f);
    h = rotl64(h, 27) * 5 + UINT64_C(0x52dce729);
  }
  w = 0;
  memcpy(&w, body + i, len - i);
  h ^= rotl64(w * UINT64_C(0x87c37b91114253d5), 31) * UINT64_C(0x4cf5ad432745937f);
  return mix64(h);
}

void mc_catalog_etag(const char *body, size_t len, char out[MC_CATALOG_ETAG_LEN + 1]) {
  uint64_t h = body_hash(body, len);
  out[0] = '"';
  mc_hex_u64(h, out + 1);
  out[17] = '"';
  out[18] = '\0';
}

void mc_catalog_answer_free(mc_catalog_answer *a) {
  free(a->body);
  memset(a, 0, sizeof *a);
}

/* Serialises body (stolen; NULL: built without memory) into out's body. */
static int answer_json(json_t *body, mc_catalog_answer *out) {
  int rc = body ? mc_json_dump(body, &out->body, &out->len) : MC_ERR_INTERNAL;
  json_decref(body);
  return rc;
}

/* Hands the text b wrote to out's body, or frees it when b failed. */
static int answer_text(mc_jtext *b, mc_catalog_answer *out) {
  if (b->failed) {
    free(b->p);
    return MC_ERR_INTERNAL;
  }
  out->body = b->p;
  out->len = b->len;
  return MC_OK;
}

/* --- the cache --------------------------------------------------------------------------------- */

/* Reads the generation. The kv only lacks it after a flush or an eviction (it is seeded at
 * start-up): it is seeded again, past every value it can have had, and this request goes
 * uncached (MC_ERR_NOT_FOUND), so an entry written before the loss can never be read. */
static int generation(mc_kv *kv, int64_t *gen) {
  char *v = NULL;
  size_t n = 0;
  int rc = mc_kv_get(kv, MC_CATALOG_GEN_KEY, &v, &n);
  *gen = 0;
  if (rc == MC_OK) rc = mc_kv_parse_int(v, n, gen);
  else if (rc == MC_ERR_NOT_FOUND) mc_catalog_prepare(kv);
  free(v);
  return rc;
}

/* MC_OK and *out filled on a hit. A value is "<body><etag>". */
static int cache_get(mc_kv *kv, const char *key, mc_catalog_answer *out) {
  char *v = NULL;
  size_t n = 0;
  int rc = mc_kv_get(kv, key, &v, &n);
  if (rc == MC_OK && (n <= MC_CATALOG_ETAG_LEN || v[n - MC_CATALOG_ETAG_LEN] != '"' || v[n - 1] != '"')) {
    mc_warn("catalog", "ignoring a malformed cache entry");
    rc = MC_ERR_INVALID;
  }
  if (rc != MC_OK) {
    if (rc != MC_ERR_NOT_FOUND && rc != MC_ERR_INVALID) mc_debug("catalog", "cache read failed: %s", mc_err_name(rc));
    free(v);
    return rc;
  }
  out->len = n - MC_CATALOG_ETAG_LEN;
  memcpy(out->etag, v + out->len, MC_CATALOG_ETAG_LEN);
  out->etag[MC_CATALOG_ETAG_LEN] = '\0';
  v[out->len] = '\0';
  out->body = v;
  return MC_OK;
}

static void cache_put(const mc_catalog *cat, const char *key, const mc_catalog_answer *a) {
  size_t n = a->len + MC_CATALOG_ETAG_LEN;
  char *v = n <= MC_CATALOG_CACHE_ENTRY_MAX ? malloc(n) : NULL;
  if (!v) return;
  memcpy(v, a->body, a->len);
  memcpy(v + a->len, a->etag, MC_CATALOG_ETAG_LEN);
  /* A cache entry: the memory kv may evict it to stay within its byte budget (a later miss
   * only rebuilds it), which it never does to the generation counter or other kv data. */
  int rc = mc_kv_set_cache(cat->kv, key, v, n, (int64_t)cat->cfg->catalog_cache_ttl * 1000);
  if (rc != MC_OK) mc_debug("catalog", "cache write skipped: %s", mc_err_name(rc));
  free(v);
}

/* Builds an answer's body (not its ETag) into out. */
typedef int (*build_fn)(const mc_catalog *cat, const void *arg, mc_catalog_answer *out, json_t **errors);

/* Answers from the cache entry kind:what of the current generation, or builds the body, then
 * caches it. A kv failure only means building it. */
static int cached(const mc_catalog *cat, const char *kind, const char *what, build_fn build, const void *arg,
                  mc_catalog_answer *out, json_t **errors) {
  char key[MC_KV_KEY_MAX + 1];
  int64_t gen = 0;
  int use = cat->cfg->catalog_cache && generation(cat->kv, &gen) == MC_OK &&
            (size_t)snprintf(key, sizeof key, "catalog:%lld:%s:%s", (long long)gen, kind, what) < MC_KV_KEY_MAX;
  memset(out, 0, sizeof *out);
  if (use && cache_get(cat->kv, key, out) == MC_OK) return MC_OK;
  int rc = build(cat, arg, out, errors);
  if (rc != MC_OK) {
    mc_catalog_answer_free(out);
    return rc;
  }
  mc_catalog_etag(out->body, out->len, out->etag);
  if (use) cache_put(cat, key, out);
  return rc;
}

/* --- views ------------------------------------------------------------------------------------- */

static void copy_members(json_t *dst, const json_t *src, const char *const *names) {
  for (; *names; names++) {
    json_t *v = json_object_get(src, *names);
    json_object_set(dst, *names, v ? v : json_null());
  }
}

/* Writes the product as customers see it: no stock level (in_stock, and only_left when stock is
 * 1..MC_CATALOG_LOW_STOCK), no active flag, images without their byte sizes. Written member by
 * member, so a member the store adds later stays private until it is written here. */
static void w_public_product(mc_jtext *b, const mc_product_row *r) {
  mc_jt_lit(b, "{\"id\":");
  mc_jt_str(b, r->id);
  mc_jt_lit(b, ",\"name\":");
  mc_jt_str(b, r->name);
  mc_jt_lit(b, ",\"slug\":");
  mc_jt_str(b, r->slug);
  mc_jt_lit(b, ",\"description\":");
  mc_jt_str(b, r->description);
  mc_jt_lit(b, ",\"price\":");
  mc_jt_int(b, r->price);
  mc_jt_lit(b, ",\"currency\":");
  mc_jt_str(b, r->currency);
  mc_jt_lit(b, ",\"compare_at_price\":");
  if (r->compare_at_price >= 0) mc_jt_int(b, r->compare_at_price);
  else mc_jt_lit(b, "null");
  mc_jt_lit(b, ",\"sku\":");
  mc_jt_str(b, r->sku);
  mc_jt_lit(b, ",\"category_ids\":[");
  for (size_t i = 0; i < r->category_count; i++) {
    if (i > 0) mc_jt_lit(b, ",");
    mc_jt_str(b, r->category_ids[i]);
  }
  mc_jt_lit(b, "],\"images\":[");
  for (size_t i = 0; i < r->image_count; i++) {
    const mc_product_image_ref *im = &r->images[i];
    mc_jt_lit(b, i > 0 ? ",{\"id\":" : "{\"id\":");
    mc_jt_str(b, im->id);
    mc_jt_lit(b, ",\"url\":");
    mc_jt_str(b, im->url);
    mc_jt_lit(b, ",\"content_type\":");
    mc_jt_str(b, im->content_type);
    mc_jt_lit(b, ",\"width\":");
    mc_jt_int(b, im->width);
    mc_jt_lit(b, ",\"height\":");
    mc_jt_int(b, im->height);
    mc_jt_lit(b, "}");
  }
  mc_jt_lit(b, "],\"created_at\":");
  mc_jt_time(b, r->created_at);
  mc_jt_lit(b, ",\"updated_at\":");
  mc_jt_time(b, r->updated_at);
  mc_jt_lit(b, ",\"in_stock\":");
  mc_jt_bool(b, r->stock > 0);
  mc_jt_lit(b, ",\"only_left\":");
  if (r->stock > 0 && r->stock <= MC_CATALOG_LOW_STOCK) mc_jt_int(b, r->stock);
  else mc_jt_lit(b, "null");
  mc_jt_lit(b, "}");
}

static json_t *public_category(const json_t *c) {
  static const char *const members[] = {"id", "name", "slug", "description", "parent_id", "position", NULL};
  json_t *out = json_object();
  if (out) {
    copy_members(out, c, members);
    json_object_set_new(out, "children", json_array());
  }
  return out;
}

/* Appends the public view of every child of parent_id in all (borrowed) to node's children. */
static void add_children(json_t *node, const json_t *all, const char *parent_id) {
  json_t *c, *children = json_object_get(node, "children");
  size_t i;
  json_array_foreach(all, i, c)
    if (strcmp(json_string_value(json_object_get(c, "parent_id")) ?: "", parent_id) == 0)
      json_array_append_new(children, public_category(c));
}

/* --- public reads ------------------------------------------------------------------------------ */

static int build_tree(const mc_catalog *cat, const void *arg, mc_catalog_answer *out, json_t **errors) {
  json_t *all = NULL, *tree, *c;
  size_t i;
  (void)arg, (void)errors;
  int rc = cat->store->ops->category_list(cat->store, &all);
  if (rc != MC_OK) return rc;
  if (!(tree = json_array())) {
    json_decref(all);
    return MC_ERR_INTERNAL;
  }
  json_array_foreach(all, i, c) {
    if (!json_is_null(json_object_get(c, "parent_id"))) continue;
    json_t *node = public_category(c);
    add_children(node, all, json_string_value(json_object_get(c, "id")));
    json_array_append_new(tree, node);
  }
  json_decref(all);
  return answer_json(json_pack("{s:o}", "categories", tree), out);
}

int mc_catalog_tree_public(const mc_catalog *cat, mc_catalog_answer *out) {
  json_t *errors = NULL;
  int rc = cached(cat, "tree", "", build_tree, NULL, out, &errors);
  json_decref(errors);
  return rc;
}

static int build_category(const mc_catalog *cat, const void *arg, mc_catalog_answer *out, json_t **errors) {
  const char *slug = arg;
  json_t *all = NULL, *c, *node = NULL;
  size_t i;
  (void)errors;
  int rc = cat->store->ops->category_list(cat->store, &all);
  if (rc != MC_OK) return rc;
  json_array_foreach(all, i, c) {
    if (strcmp(json_string_value(json_object_get(c, "slug")) ?: "", slug) != 0) continue;
    node = public_category(c);
    add_children(node, all, json_string_value(json_object_get(c, "id")));
    break;
  }
  json_decref(all);
  if (!node) return MC_ERR_NOT_FOUND;
  return answer_json(json_pack("{s:o}", "category", node), out);
}

int mc_catalog_category_public(const mc_catalog *cat, const char *slug, mc_catalog_answer *out) {
  json_t *errors = NULL;
  memset(out, 0, sizeof *out);
  if (!mc_catalog_slug_valid(slug)) return MC_ERR_NOT_FOUND;
  int rc = cached(cat, "cat", slug, build_category, slug, out, &errors);
  json_decref(errors);
  return rc;
}

static int build_product(const mc_catalog *cat, const void *arg, mc_catalog_answer *out, json_t **errors) {
  const char *key = arg;
  mc_product_page *page = NULL;
  mc_jtext b = {0};
  (void)errors;
  int rc = cat->store->ops->product_page_get(cat->store, key, !mc_id_valid(key, "prod"), &page);
  if (rc == MC_OK && !page->rows[0].active) rc = MC_ERR_NOT_FOUND;
  if (rc == MC_OK) {
    mc_jt_lit(&b, "{\"product\":");
    w_public_product(&b, &page->rows[0]);
    mc_jt_lit(&b, "}");
    rc = answer_text(&b, out);
  }
  mc_product_page_free(page);
  return rc;
}

int mc_catalog_product_public(const mc_catalog *cat, const char *id_or_slug, mc_catalog_answer *out) {
  json_t *errors = NULL;
  memset(out, 0, sizeof *out);
  if (!mc_id_valid(id_or_slug, "prod") && !mc_catalog_slug_valid(id_or_slug)) return MC_ERR_NOT_FOUND;
  int rc = cached(cat, "prod", id_or_slug, build_product, id_or_slug, out, &errors);
  json_decref(errors);
  return rc;
}

/* --- listings ---------------------------------------------------------------------------------- */

/* Fills ids (new NULL-terminated array borrowing from *all) with the category named by slug and
 * its children. MC_ERR_INVALID with a category error when there is none. */
static int category_filter(const mc_catalog *cat, const char *slug, json_t **all, const char ***ids, json_t **errors) {
  json_t *c, *found = NULL;
  size_t i, n = 0;
  int rc = cat->store->ops->category_list(cat->store, all);
  if (rc != MC_OK) return rc;
  json_array_foreach(*all, i, c)
    if (strcmp(json_string_value(json_object_get(c, "slug")) ?: "", slug) == 0) found = c;
  if (!found) {
    mc_errors_add(errors, "category", "unknown_category", "There is no category with this slug.");
    return MC_ERR_INVALID;
  }
  if (!(*ids = calloc(json_array_size(*all) + 1, sizeof **ids))) return MC_ERR_INTERNAL;
  const char *id = json_string_value(json_object_get(found, "id"));
  (*ids)[n++] = id;
  json_array_foreach(*all, i, c)
    if (strcmp(json_string_value(json_object_get(c, "parent_id")) ?: "", id) == 0)
      (*ids)[n++] = json_string_value(json_object_get(c, "id"));
  return MC_OK;
}

/* The store query of listing l; ids: the category filter's (NULL for none). */
static mc_product_query listing_query(const mc_catalog_listing *l, int admin, const char **ids) {
  return (mc_product_query){
    .q = l->q[0] ? l->q : NULL,
    .category_ids = ids,
    .min_price = l->min_price,
    .max_price = l->max_price,
    .in_stock = l->in_stock,
    .include_inactive = admin && l->include_inactive,
    .archived = admin && l->archived,
    .low_stock = admin ? l->low_stock : -1,
    .sort = l->sort,
    .limit = l->limit,
    .offset = l->offset,
  };
}

/* The page of listing l (*page, the caller's) and its count. MC_ERR_INVALID with errors for an
 * unknown category. */
static int listing_rows(const mc_catalog *cat, const mc_catalog_listing *l, int admin, mc_product_page **page,
                        int64_t *count, json_t **errors) {
  json_t *all = NULL;
  const char **ids = NULL;
  int rc = MC_OK;
  if (l->category[0]) rc = category_filter(cat, l->category, &all, &ids, errors);
  if (rc == MC_OK) {
    mc_product_query q = listing_query(l, admin, ids);
    rc = cat->store->ops->product_page(cat->store, &q, page, count);
  }
  free(ids);
  json_decref(all);
  return rc;
}

/* The customers' listing, written as text from the store's rows: it is the storefront's
 * uncached hot read, and going through jansson values (build, convert, serialise, free) was
 * more than half its cost. */
static int build_listing(const mc_catalog *cat, const void *arg, mc_catalog_answer *out, json_t **errors) {
  const mc_catalog_listing *l = arg;
  mc_product_page *page = NULL;
  mc_jtext b = {0};
  int64_t count = 0;
  int rc = listing_rows(cat, l, 0, &page, &count, errors);
  if (rc != MC_OK) return rc;
  mc_jt_lit(&b, "{\"products\":[");
  for (size_t i = 0; i < page->count; i++) {
    if (i > 0) mc_jt_lit(&b, ",");
    w_public_product(&b, &page->rows[i]);
  }
  mc_jt_lit(&b, "],\"count\":");
  mc_jt_int(&b, count);
  mc_jt_lit(&b, ",\"limit\":");
  mc_jt_int(&b, l->limit);
  mc_jt_lit(&b, ",\"offset\":");
  mc_jt_int(&b, l->offset);
  mc_jt_lit(&b, "}");
  mc_product_page_free(page);
  return answer_text(&b, out);
}

/* Writes the listing's canonical form, hashed, into key (33 bytes): equal queries however
 * spelled (parameter order, defaults written out, spacing in q) share one cache entry. */
static void listing_key(const mc_catalog_listing *l, char key[33]) {
  char canon[MC_CATALOG_Q_MAX + MC_CATALOG_SLUG_MAX + 200];
  unsigned char digest[32];
  int n = snprintf(canon, sizeof canon, "v1|q=%zu:%s|c=%s|min=%lld|max=%lld|s=%d|o=%d|l=%d|off=%lld", strlen(l->q),
                   l->q, l->category, (long long)l->min_price, (long long)l->max_price, l->in_stock, (int)l->sort,
                   l->limit, (long long)l->offset);
  gnutls_hash_fast(GNUTLS_DIG_SHA256, canon, (size_t)n, digest);
  mc_hex_encode(digest, 16, key, 0);
}

int mc_catalog_list_public(const mc_catalog *cat, const mc_catalog_listing *listing, mc_catalog_answer *out,
                           json_t **errors) {
  char key[33];
  listing_key(listing, key);
  return cached(cat, "list", key, build_listing, listing, out, errors);
}

int mc_catalog_list_admin(const mc_catalog *cat, const mc_catalog_listing *listing, json_t **out, json_t **errors) {
  mc_product_page *page = NULL;
  json_t *items = NULL;
  int64_t count = 0;
  int rc = listing_rows(cat, listing, 1, &page, &count, errors);
  *out = NULL;
  if (rc == MC_OK) rc = mc_product_page_docs(page, &items);
  mc_product_page_free(page);
  if (rc != MC_OK) return rc;
  *out = json_pack("{s:o, s:I, s:i, s:I}", "products", items, "count", (json_int_t)count, "limit", listing->limit,
                   "offset", (json_int_t)listing->offset);
  return *out ? MC_OK : MC_ERR_INTERNAL;
}

int mc_catalog_categories_admin(const mc_catalog *cat, json_t **out) {
  json_t *all = NULL;
  int rc = cat->store->ops->category_list(cat->store, &all);
  *out = NULL;
  if (rc != MC_OK) return rc;
  *out = json_pack("{s:o}", "categories", all);
  return *out ? MC_OK : MC_ERR_INTERNAL;
}

int mc_catalog_product_get(const mc_catalog *cat, const char *id, json_t **out) {
  *out = NULL;
  if (!mc_id_valid(id, "prod")) return MC_ERR_NOT_FOUND;
  return cat->store->ops->product_get(cat->store, id, out);
}

int mc_catalog_category_get(const mc_catalog *cat, const char *id, json_t **out) {
  *out = NULL;
  if (!mc_id_valid(id, "cat")) return MC_ERR_NOT_FOUND;
  return cat->store->ops->category_get(cat->store, id, out);
}
