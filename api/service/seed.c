/* seed.c - `mercato seed --demo`: the demo shop of seed_data.c written through the catalog
 * service, with a generated SVG image per product. Benchmark catalogs are in seed_bench.c. */
#include "mercato/seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/images.h"
#include "mercato/log.h"
#include "mercato/money.h"

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int64_t mc_seed_price(int64_t cents, const char *currency) {
  switch (mc_money_exponent(currency)) {
  case 0:
  case 2:
    return cents;
  case 3:
    return cents * 10;
  default:
    return -1;
  }
}

int mc_seed_product_total(const mc_catalog *cat, int64_t *out) {
  mc_product_query q = {.min_price = -1, .max_price = -1, .include_inactive = 1, .low_stock = -1,
                        .sort = MC_SORT_NEWEST, .limit = 1};
  json_t *items = NULL;
  int rc = mc_store_product_list(cat->store, &q, &items, out);
  json_decref(items);
  return rc;
}

/* --- images ----------------------------------------------------------------------------------- */

/* One outline per shape, drawn in a group that fills with the category's accent colour and
 * strokes with its ink, around the centre (400, 340) of the 800x800 canvas. */
static const char *const shape_svg[MC_SEED_SHAPE_COUNT] = {
  [MC_SEED_MUG] = "<rect x=\"250\" y=\"190\" width=\"250\" height=\"300\" rx=\"34\"/>"
                  "<path d=\"M500 260h40a60 60 0 0 1 0 120h-40\" fill=\"none\" stroke-width=\"26\"/>",
  [MC_SEED_BOTTLE] = "<path d=\"M355 120h90v70l45 55v285a30 30 0 0 1-30 30H340a30 30 0 0 1-30-30V245l45-55z\"/>"
                     "<rect x=\"310\" y=\"320\" width=\"180\" height=\"110\" fill=\"#fff\" fill-opacity=\".45\"/>",
  [MC_SEED_BOX] = "<path d=\"M220 240l180-80 180 80v220l-180 80-180-80z\"/>"
                  "<path d=\"M220 240l180 80 180-80M400 320v220\" fill=\"none\"/>",
  [MC_SEED_PLATE] = "<circle cx=\"400\" cy=\"340\" r=\"210\"/>"
                    "<circle cx=\"400\" cy=\"340\" r=\"135\" fill=\"#fff\" fill-opacity=\".4\"/>",
  [MC_SEED_POT] = "<path d=\"M235 260h330l-35 260H270z\"/><rect x=\"210\" y=\"215\" width=\"380\" height=\"55\" rx=\"18\"/>",
  [MC_SEED_PLANT] = "<path d=\"M400 370c-10-95-85-160-160-160 0 85 65 160 160 160zM400 370c10-120 95-190 180-190 "
                    "0 110-75 190-180 190z\"/><path d=\"M285 370h230l-28 170H313z\"/>",
  [MC_SEED_JAR] = "<rect x=\"280\" y=\"210\" width=\"240\" height=\"320\" rx=\"44\"/>"
                  "<rect x=\"300\" y=\"155\" width=\"200\" height=\"62\" rx=\"14\"/>",
  [MC_SEED_LAMP] = "<path d=\"M280 160h240l60 175H220z\"/><path d=\"M400 335v170\" fill=\"none\" stroke-width=\"18\"/>"
                   "<rect x=\"300\" y=\"505\" width=\"200\" height=\"36\" rx=\"18\"/>",
  [MC_SEED_CANDLE] = "<rect x=\"320\" y=\"270\" width=\"160\" height=\"270\" rx=\"22\"/>"
                     "<path d=\"M400 150c32 42 42 74 0 105-42-31-32-63 0-105z\" fill=\"#fff\"/>",
  [MC_SEED_BOOK] = "<rect x=\"255\" y=\"150\" width=\"290\" height=\"380\" rx=\"16\"/>"
                   "<path d=\"M305 150v380M345 250h150M345 300h110\" fill=\"none\"/>",
  [MC_SEED_PEN] = "<path d=\"M525 135l70 70-300 300-105 35 35-105z\"/><path d=\"M470 190l70 70\" fill=\"none\"/>",
  [MC_SEED_BAG] = "<rect x=\"210\" y=\"250\" width=\"380\" height=\"285\" rx=\"42\"/>"
                  "<path d=\"M320 250v-45a80 80 0 0 1 160 0v45\" fill=\"none\" stroke-width=\"24\"/>",
  [MC_SEED_FOLDED] = "<rect x=\"210\" y=\"390\" width=\"380\" height=\"95\" rx=\"26\"/>"
                     "<rect x=\"230\" y=\"295\" width=\"340\" height=\"95\" rx=\"26\"/>"
                     "<rect x=\"250\" y=\"200\" width=\"300\" height=\"95\" rx=\"26\"/>",
  [MC_SEED_KETTLE] = "<path d=\"M265 270h260l35 260H230z\"/><path d=\"M525 320l105-95\" fill=\"none\" stroke-width=\"22\"/>"
                     "<path d=\"M330 270a70 70 0 0 1 140 0\" fill=\"none\" stroke-width=\"20\"/>",
  [MC_SEED_BOARD] = "<rect x=\"200\" y=\"205\" width=\"400\" height=\"280\" rx=\"38\"/>"
                    "<circle cx=\"540\" cy=\"260\" r=\"20\" fill=\"#fff\"/>",
  [MC_SEED_VASE] = "<path d=\"M360 150h80v60c60 40 90 110 90 180 0 80-50 140-130 140s-130-60-130-140"
                   "c0-70 30-140 90-180z\"/>",
  [MC_SEED_ENVELOPE] = "<rect x=\"190\" y=\"215\" width=\"420\" height=\"280\" rx=\"22\"/>"
                       "<path d=\"M190 235l210 150 210-150\" fill=\"none\"/>",
  [MC_SEED_CONE] = "<path d=\"M240 190h320l-110 205h-100z\"/><rect x=\"300\" y=\"395\" width=\"200\" height=\"30\" rx=\"12\"/>"
                   "<rect x=\"265\" y=\"425\" width=\"270\" height=\"110\" rx=\"22\"/>",
  [MC_SEED_GLOBE] = "<path d=\"M400 70v110\" fill=\"none\"/><circle cx=\"400\" cy=\"345\" r=\"165\"/>"
                    "<path d=\"M300 300a110 110 0 0 1 60-60\" fill=\"none\" stroke=\"#fff\"/>",
  [MC_SEED_KNIFE] = "<path d=\"M330 255h260c45 0 70 25 70 55-95 60-200 85-330 90z\"/>"
                    "<rect x=\"140\" y=\"275\" width=\"190\" height=\"72\" rx=\"32\"/>"
                    "<circle cx=\"195\" cy=\"311\" r=\"11\" fill=\"#fff\"/><circle cx=\"275\" cy=\"311\" r=\"11\" fill=\"#fff\"/>",
  [MC_SEED_SPOON] = "<ellipse cx=\"400\" cy=\"235\" rx=\"88\" ry=\"112\"/>"
                    "<rect x=\"382\" y=\"340\" width=\"36\" height=\"210\" rx=\"18\"/>",
  [MC_SEED_SHEARS] = "<path d=\"M340 420l120-280 26 12-96 292zM460 420L340 140l-26 12 96 292z\"/>"
                     "<circle cx=\"318\" cy=\"470\" r=\"58\" fill=\"none\" stroke-width=\"26\"/>"
                     "<circle cx=\"482\" cy=\"470\" r=\"58\" fill=\"none\" stroke-width=\"26\"/>"
                     "<circle cx=\"400\" cy=\"335\" r=\"12\" fill=\"#fff\"/>",
  [MC_SEED_POUCH] = "<path d=\"M265 205h270l30 335H235z\"/><rect x=\"255\" y=\"165\" width=\"290\" height=\"48\" rx=\"10\"/>"
                    "<ellipse cx=\"400\" cy=\"380\" rx=\"58\" ry=\"80\" fill=\"#fff\" fill-opacity=\".45\"/>"
                    "<path d=\"M405 305c-38 50 32 95-10 150\" fill=\"none\"/>",
  [MC_SEED_PACKET] = "<rect x=\"250\" y=\"150\" width=\"300\" height=\"390\" rx=\"14\"/>"
                     "<rect x=\"290\" y=\"215\" width=\"220\" height=\"190\" rx=\"12\" fill=\"#fff\" fill-opacity=\".5\"/>"
                     "<path d=\"M400 385v-95M400 320c-15-35-50-45-75-40 5 30 35 50 75 40zM400 300c15-40 55-50 80-45-5 35-40 55-80 45z\"/>",
  [MC_SEED_TROWEL] = "<path d=\"M400 120c95 70 105 200 0 270-105-70-95-200 0-270z\"/>"
                     "<rect x=\"390\" y=\"385\" width=\"20\" height=\"45\"/>"
                     "<rect x=\"365\" y=\"425\" width=\"70\" height=\"125\" rx=\"30\"/>",
};

/* Appends text to out[*n..cap) with &, <, >, " and ' escaped; 0, or -1 when it does not fit. */
static int xml_append(char *out, size_t cap, size_t *n, const char *text) {
  for (const char *p = text; *p; p++) {
    const char *rep = NULL;
    switch (*p) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    default: break;
    }
    size_t len = rep ? strlen(rep) : 1;
    if (*n + len >= cap) return -1;
    memcpy(out + *n, rep ? rep : p, len);
    *n += len;
  }
  out[*n] = '\0';
  return 0;
}

/* Appends constant markup (nothing to escape); 0 or -1 as above. */
static int raw_append(char *out, size_t cap, size_t *n, const char *text) {
  size_t len = strlen(text);
  if (*n + len >= cap) return -1;
  memcpy(out + *n, text, len + 1);
  *n += len;
  return 0;
}

static const mc_seed_category *category_by_slug(const char *slug) {
  for (size_t i = 0; slug && i < mc_seed_category_count; i++)
    if (strcmp(mc_seed_categories[i].slug, slug) == 0) return &mc_seed_categories[i];
  return NULL;
}

int mc_seed_svg(const mc_seed_product *p, char out[MC_SEED_SVG_MAX], size_t *len) {
  const mc_seed_category *c = category_by_slug(p->categories[0]);
  char head[512];
  size_t n = 0;
  *len = 0;
  out[0] = '\0';
  if (!c || (unsigned)p->shape >= MC_SEED_SHAPE_COUNT) return MC_ERR_INVALID;
  /* The colours are our own constants ("#rrggbb"), the only values formatted in unescaped. */
  snprintf(head, sizeof head,
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
           "role=\"img\"><title>",
           MC_SEED_IMAGE_SIZE, MC_SEED_IMAGE_SIZE, MC_SEED_IMAGE_SIZE, MC_SEED_IMAGE_SIZE);
  if (raw_append(out, MC_SEED_SVG_MAX, &n, head) || xml_append(out, MC_SEED_SVG_MAX, &n, p->name))
    return MC_ERR_INVALID;
  snprintf(head, sizeof head,
           "</title><rect width=\"800\" height=\"800\" fill=\"%s\"/>"
           "<circle cx=\"400\" cy=\"340\" r=\"260\" fill=\"#fff\" fill-opacity=\".3\"/>"
           "<g color=\"%s\" fill=\"currentColor\" stroke=\"%s\" stroke-width=\"10\" "
           "stroke-linejoin=\"round\" stroke-linecap=\"round\">",
           c->background, c->accent, c->ink);
  if (raw_append(out, MC_SEED_SVG_MAX, &n, head) || raw_append(out, MC_SEED_SVG_MAX, &n, shape_svg[p->shape]))
    return MC_ERR_INVALID;
  snprintf(head, sizeof head,
           "</g><text x=\"400\" y=\"690\" fill=\"%s\" font-family=\"Helvetica, Arial, sans-serif\" "
           "font-size=\"60\" font-weight=\"700\" text-anchor=\"middle\">",
           c->ink);
  if (raw_append(out, MC_SEED_SVG_MAX, &n, head) || xml_append(out, MC_SEED_SVG_MAX, &n, p->label) ||
      raw_append(out, MC_SEED_SVG_MAX, &n, "</text></svg>\n"))
    return MC_ERR_INVALID;
  *len = n;
  return MC_OK;
}

/* Writes the demo image of p as a new file and attaches it to product_id; the file goes again
 * when the store refuses the record. */
static int attach_image(const mc_catalog *cat, const char *product_id, const mc_seed_product *p) {
  char svg[MC_SEED_SVG_MAX], id[MC_ID_MAX], name[MC_ID_MAX + 8], url[sizeof MC_IMAGE_URL_PREFIX + sizeof name];
  size_t len;
  json_t *image;
  int rc;
  if ((rc = mc_seed_svg(p, svg, &len)) != MC_OK) {
    mc_error("seed", "the image of \"%s\" does not fit in %d bytes (a bug in the demo data)", p->name,
             MC_SEED_SVG_MAX);
    return rc;
  }
  if ((rc = mc_id_new("img", id)) != MC_OK) return rc;
  snprintf(name, sizeof name, "%s.svg", id);
  snprintf(url, sizeof url, "%s%s", MC_IMAGE_URL_PREFIX, name);
  image = json_pack("{s:s, s:s, s:s, s:i, s:i, s:I}", "id", id, "url", url, "content_type", "image/svg+xml",
                    "width", MC_SEED_IMAGE_SIZE, "height", MC_SEED_IMAGE_SIZE, "bytes", (json_int_t)len);
  if (!image) return MC_ERR_INTERNAL;
  rc = mc_image_file_write(cat->cfg->data_dir, name, (const unsigned char *)svg, len);
  if (rc == MC_OK && (rc = mc_store_product_image_add(cat->store, product_id, image, NULL, NULL)) != MC_OK)
    mc_image_file_remove(cat->cfg->data_dir, name);
  json_decref(image);
  return rc;
}

/* --- the demo shop ---------------------------------------------------------------------------- */

/* Logs a refused write with the fields the service named, and clears the refusal. */
static void log_refusal(const char *what, const char *name, int rc, mc_refusal *why) {
  char *detail = why->errors ? json_dumps(why->errors, JSON_COMPACT) : NULL;
  mc_error("seed", "could not create %s \"%s\": %s %s %s", what, name, mc_err_name(rc), why->code ? why->code : "",
           detail ? detail : why->detail);
  free(detail);
  mc_refusal_clear(why);
}

/* The id of the demo category with this slug among ids (parallel to mc_seed_categories). */
static const char *category_id(char ids[][MC_ID_MAX], const char *slug) {
  for (size_t i = 0; slug && i < mc_seed_category_count; i++)
    if (strcmp(mc_seed_categories[i].slug, slug) == 0) return ids[i];
  return NULL;
}

/* Finds the category with this slug, or creates it from body; *created says which. */
static int category_ensure(const mc_catalog *cat, const char *slug, json_t *body, char id[MC_ID_MAX], int *created) {
  json_t *doc = NULL;
  mc_refusal why = {0};
  int rc = mc_store_category_get_by_slug(cat->store, slug, &doc);
  *created = 0;
  if (rc == MC_ERR_NOT_FOUND) {
    rc = mc_catalog_category_create(cat, body, &doc, &why);
    if (rc != MC_OK) log_refusal("the category", slug, rc, &why);
    *created = rc == MC_OK;
  }
  if (rc == MC_OK) snprintf(id, MC_ID_MAX, "%s", json_string_value(json_object_get(doc, "id")));
  json_decref(doc);
  mc_refusal_clear(&why);
  return rc;
}

/* Takes back what a failed demo seed created: products (and their image files), then the
 * categories it made, children first. Failures are logged; the first error is what counts. */
static void demo_undo(const mc_catalog *cat, json_t *products, char category_ids[][MC_ID_MAX], const int *created) {
  size_t i;
  json_t *id;
  json_array_foreach(products, i, id) {
    if (mc_catalog_product_delete(cat, json_string_value(id), NULL, NULL) != MC_OK)
      mc_warn("seed", "could not remove product %s after the failure", json_string_value(id));
  }
  for (i = mc_seed_category_count; i-- > 0;) {
    if (created[i] && mc_catalog_category_delete(cat, category_ids[i], NULL) != MC_OK)
      mc_warn("seed", "could not remove category %s after the failure", category_ids[i]);
  }
}

/* The i-th product to create. Newest come first in listings, so the data's order (category by
 * category) is interleaved with a stride prime to the count: every page shows a mix. */
static const mc_seed_product *demo_product(size_t i) {
  size_t stride = mc_seed_product_count % 7 != 0 ? 7 : 1;
  return &mc_seed_products[(i * stride) % mc_seed_product_count];
}

int mc_seed_demo(const mc_catalog *cat, mc_seed_report *report) {
  char ids[MC_SEED_CATEGORIES_MAX][MC_ID_MAX];
  int created[MC_SEED_CATEGORIES_MAX] = {0};
  json_t *made = json_array(), *body = NULL, *doc = NULL;
  mc_refusal why = {0};
  struct timespec start;
  size_t i;
  int rc;

  memset(report, 0, sizeof *report);
  clock_gettime(CLOCK_MONOTONIC, &start);
  if (!made || mc_seed_category_count > MC_SEED_CATEGORIES_MAX) {
    json_decref(made);
    return MC_ERR_INTERNAL;
  }
  if ((rc = mc_seed_product_total(cat, &report->existing)) != MC_OK) goto done;
  if (report->existing > 0) {
    rc = MC_ERR_CONFLICT;
    goto done;
  }
  for (i = 0; i < mc_seed_category_count; i++) {
    const mc_seed_category *c = &mc_seed_categories[i];
    const char *parent = category_id(ids, c->parent);
    body = json_pack("{s:s, s:s, s:s, s:i}", "name", c->name, "slug", c->slug, "description", c->description,
                     "position", c->position);
    if (!body) {
      rc = MC_ERR_INTERNAL;
      goto fail;
    }
    if (parent) json_object_set_new(body, "parent_id", json_string(parent));
    rc = category_ensure(cat, c->slug, body, ids[i], &created[i]);
    json_decref(body);
    body = NULL;
    if (rc != MC_OK) goto fail;
    report->categories += created[i];
  }
  for (i = 0; i < mc_seed_product_count; i++) {
    const mc_seed_product *p = demo_product(i);
    json_t *cats = json_array();
    for (int k = 0; k < 2 && cats; k++)
      if (p->categories[k]) json_array_append_new(cats, json_string(category_id(ids, p->categories[k])));
    body = json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:o}", "name", p->name, "sku", p->sku, "description",
                     p->description, "price", (json_int_t)mc_seed_price(p->price, cat->cfg->currency), "stock",
                     (json_int_t)p->stock, "active", p->active, "category_ids", cats);
    if (body && p->compare_at)
      json_object_set_new(body, "compare_at_price", json_integer(mc_seed_price(p->compare_at, cat->cfg->currency)));
    if (!body) {
      rc = MC_ERR_INTERNAL;
      goto fail;
    }
    rc = mc_catalog_product_create(cat, body, &doc, &why);
    if (rc != MC_OK) {
      log_refusal("the product", p->name, rc, &why);
      goto fail;
    }
    const char *id = json_string_value(json_object_get(doc, "id"));
    json_array_append_new(made, json_string(id));
    report->products++;
    report->inactive += !p->active;
    if ((rc = attach_image(cat, id, p)) != MC_OK) {
      mc_error("seed", "could not add the image of product %s: %s", id, mc_err_name(rc));
      goto fail;
    }
    report->images++;
    json_decref(body);
    json_decref(doc);
    body = doc = NULL;
  }
  /* Image records went straight to the store: tell the cache once for everything. */
  mc_catalog_changed(cat->kv);
  goto done;
fail:
  mc_refusal_clear(&why);
  demo_undo(cat, made, ids, created);
  report->categories = report->products = report->inactive = report->images = 0;
  mc_catalog_changed(cat->kv);
done:
  json_decref(body);
  json_decref(doc);
  mc_refusal_clear(&why);
  json_decref(made);
  report->seconds = seconds_since(&start);
  return rc;
}
