/* seed_bench.c - `mercato seed --bench N`: synthetic products for benchmarks, their names and
 * descriptions drawn from a fixed vocabulary so that full-text queries range from selective to
 * common, written straight to the store one product per transaction. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mercato/err.h"
#include "mercato/id.h"
#include "mercato/log.h"
#include "mercato/rand.h"
#include "mercato/seed.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Names are "<adjective> <material> <noun>", each drawn uniformly: an adjective is in about
 * 2.5% of the products, a material 3.3%, a noun 1.7%. */
static const char *const adjectives[] = {
  "Rustic", "Modern", "Classic", "Compact", "Deluxe", "Vintage", "Nordic", "Urban", "Coastal", "Alpine",
  "Heritage", "Studio", "Everyday", "Premium", "Essential", "Sturdy", "Slimline", "Foldable", "Portable",
  "Minimal", "Handmade", "Artisan", "Industrial", "Midcentury", "Bohemian", "Scandi", "Tropical", "Royal",
  "Golden", "Midnight", "Ivory", "Crimson", "Emerald", "Sapphire", "Amber", "Driftwood", "Meadow", "Harbour",
  "Summit", "Prairie",
};
static const char *const materials[] = {
  "Oak", "Walnut", "Maple", "Bamboo", "Teak", "Steel", "Brass", "Copper", "Aluminium", "Cast Iron",
  "Ceramic", "Porcelain", "Stoneware", "Glass", "Marble", "Slate", "Concrete", "Leather", "Canvas", "Linen",
  "Cotton", "Wool", "Felt", "Cork", "Rattan", "Wicker", "Silicone", "Granite", "Velvet", "Jute",
};
static const char *const nouns[] = {
  "Table", "Chair", "Stool", "Bench", "Shelf", "Lamp", "Lantern", "Vase", "Bowl", "Plate", "Mug", "Cup",
  "Kettle", "Teapot", "Skillet", "Saucepan", "Tray", "Basket", "Crate", "Box", "Clock", "Mirror", "Frame",
  "Rug", "Blanket", "Pillow", "Cushion", "Towel", "Apron", "Backpack", "Tote", "Wallet", "Belt", "Notebook",
  "Journal", "Pen", "Pencil Case", "Desk Organiser", "Planter", "Watering Can", "Bird Feeder", "Hammock",
  "Cooler", "Bottle", "Flask", "Jar", "Canister", "Cutting Board", "Knife Block", "Spice Rack", "Coat Hook",
  "Doormat", "Bookend", "Candle Holder", "Speaker", "Headphone Stand", "Phone Stand", "Desk Mat", "Footstool",
  "Side Table",
};

/* Descriptions name two features and two occasions, each drawn from three tiers: common 45% of
 * draws, moderate 35%, rare 20%. Per product that makes a common feature word appear in about
 * 11% of the products, a moderate one ("waterproof") in about 2.9%, a rare one in 0.4%; common
 * occasions 15%, moderate ones ("camping") 4.3%, rare ones 0.7%. Each description also ends with
 * a model code ("Model K482"), shared by about four products in 100,000. */
static const char *const features_common[] = {
  "durable", "lightweight", "handcrafted", "versatile", "elegant", "practical", "timeless", "generous",
};
static const char *const features_moderate[] = {
  "waterproof", "stackable", "reversible", "adjustable", "collapsible", "insulated", "washable", "recyclable",
  "biodegradable", "modular", "ergonomic", "breathable", "scratchproof", "rustproof", "heatproof",
  "shatterproof", "compostable", "refillable", "magnetic", "cordless", "rechargeable", "weatherproof",
  "antimicrobial", "hypoallergenic",
};
static const char *const features_rare[] = {
  "hammered", "burnished", "lacquered", "enamelled", "glazed", "speckled", "brushed", "polished", "oiled",
  "waxed", "tumbled", "distressed", "embossed", "engraved", "quilted", "pleated", "braided", "knitted",
  "crocheted", "woven", "stitched", "riveted", "welded", "forged", "carved", "etched", "frosted", "tinted",
  "smoked", "marbled", "terrazzo", "checkered", "striped", "dotted", "herringbone", "chevron", "houndstooth",
  "paisley", "gingham", "tartan", "argyle", "ombre", "iridescent", "matte", "satin", "glossy", "textured",
  "ribbed", "fluted", "scalloped", "bevelled", "chamfered", "tapered", "curved", "angular", "rounded",
  "oversized", "miniature", "nested", "hinged", "lidded", "footed", "handled", "spouted", "vented",
  "perforated", "padded", "tufted", "reinforced", "weighted", "balanced", "calibrated", "graduated",
  "numbered", "labelled", "monogrammed", "personalised", "signed", "seasonal", "heirloom", "reclaimed",
  "upcycled", "salvaged", "organic", "unbleached", "undyed", "sanded", "bleached", "charred", "scorched",
  "blackened", "patinated", "verdigris", "gilded", "silvered", "bronzed", "whitewashed", "pickled",
  "limewashed", "sandblasted",
};
static const char *const occasions_common[] = {
  "kitchens", "gifts", "homes", "offices", "travel", "weekends",
};
static const char *const occasions_moderate[] = {
  "camping", "picnics", "weddings", "birthdays", "students", "families", "balconies", "cabins", "studios",
  "dorms", "hotels", "cafes", "restaurants", "workshops", "classrooms", "gardens",
};
static const char *const occasions_rare[] = {
  "housewarmings", "anniversaries", "graduations", "retirements", "christenings", "festivals", "markets",
  "boats", "caravans", "chalets", "lofts", "terraces", "patios", "verandas", "greenhouses", "allotments",
  "libraries", "galleries", "bakeries", "breweries", "vineyards", "orchards", "farmhouses", "cottages",
  "bungalows", "townhouses", "penthouses", "hostels", "campsites", "marinas", "lighthouses", "observatories",
  "laboratories", "clinics", "salons", "boutiques", "florists", "potters", "painters", "sculptors",
  "musicians", "photographers", "architects", "gardeners", "beekeepers", "anglers", "cyclists", "hikers",
  "climbers", "surfers", "sailors", "skiers", "runners", "swimmers", "readers", "writers", "collectors",
  "tinkerers", "bakers", "brewers",
};

/* Price points in whole units; cheaper ones are drawn more often. */
static const int price_points[] = {
  4, 6, 8, 9, 12, 15, 18, 19, 22, 24, 25, 29, 32, 35, 39, 45, 49, 55, 59, 65, 69, 75, 79, 89, 99, 119, 129,
  149, 179, 199, 249, 299, 349, 399, 499,
};

static const struct {
  const char *slug, *name;
} bench_categories[] = {
  {"bench-hardware", "Bench Hardware"},   {"bench-furniture", "Bench Furniture"},
  {"bench-electronics", "Bench Electronics"}, {"bench-toys", "Bench Toys & Games"},
  {"bench-sports", "Bench Sports"},       {"bench-beauty", "Bench Beauty"},
  {"bench-books", "Bench Books"},         {"bench-pets", "Bench Pet Supplies"},
  {"bench-music", "Bench Music"},         {"bench-outdoors", "Bench Outdoors"},
};
#define BENCH_CATEGORIES N(bench_categories)

/* splitmix64: a fixed sequence, so every run makes the same names and word shares. */
static uint64_t next_u64(uint64_t *state) {
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static size_t below(uint64_t *state, size_t n) {
  return (size_t)(next_u64(state) % n);
}

/* One word of a tiered list, as described above. */
static const char *tiered(uint64_t *state, const char *const *common, size_t nc, const char *const *moderate,
                          size_t nm, const char *const *rare, size_t nr) {
  size_t r = below(state, 100);
  if (r < 45) return common[below(state, nc)];
  if (r < 80) return moderate[below(state, nm)];
  return rare[below(state, nr)];
}

static const char *feature(uint64_t *state) {
  return tiered(state, features_common, N(features_common), features_moderate, N(features_moderate),
                features_rare, N(features_rare));
}

static const char *occasion(uint64_t *state) {
  return tiered(state, occasions_common, N(occasions_common), occasions_moderate, N(occasions_moderate),
                occasions_rare, N(occasions_rare));
}

/* A name lower-cased into out, for use inside a sentence. */
static void lower(const char *in, char *out, size_t len) {
  size_t i = 0;
  for (; in[i] && i + 1 < len; i++) out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] - 'A' + 'a' : in[i]);
  out[i] = '\0';
}

/* Builds the i-th synthetic product document (new reference, NULL without memory). */
static json_t *bench_product(const mc_catalog *cat, uint64_t *state, int64_t i, const char *token,
                             char cat_ids[][MC_ID_MAX]) {
  char name[160], slug[MC_CATALOG_SLUG_MAX + 1], description[400], id[MC_ID_MAX], noun[40], material[40];
  const char *adj = adjectives[below(state, N(adjectives))];
  const char *mat = materials[below(state, N(materials))];
  const char *nn = nouns[below(state, N(nouns))];
  const char *f1 = feature(state), *f2 = feature(state), *o1 = occasion(state), *o2 = occasion(state);
  size_t first = below(state, BENCH_CATEGORIES);
  int64_t price, stock;
  json_t *doc, *cats;
  size_t r;

  while (f2 == f1) f2 = feature(state);
  while (o2 == o1) o2 = occasion(state);
  snprintf(name, sizeof name, "%s %s %s", adj, mat, nn);
  lower(nn, noun, sizeof noun);
  lower(mat, material, sizeof material);
  snprintf(description, sizeof description, "%s %s in %s: %s and %s. Made for %s and %s. Model %c%03u.", adj,
           noun, material, f1, f2, o1, o2, (char)('A' + below(state, 26)), (unsigned)below(state, 1000));
  /* The name's words, then this run's token and the product's number: unique across runs. */
  if (mc_catalog_slugify(name, slug) != MC_OK) return NULL;
  size_t used = strlen(slug);
  snprintf(slug + used, sizeof slug - used, "-%s-%llx", token, (unsigned long long)i);
  if (mc_id_new("prod", id) != MC_OK) return NULL;

  /* Cheaper price points more often: the smaller of two draws. */
  size_t a = below(state, N(price_points)), b = below(state, N(price_points));
  static const int endings[] = {0, 1, 10, 5};
  price = (int64_t)price_points[a < b ? a : b] * 100 - endings[below(state, N(endings))];
  r = below(state, 100);
  stock = r < 8 ? 0 : r < 16 ? 1 + (int64_t)below(state, 5) : 6 + (int64_t)below(state, 495);

  if (!(cats = json_array())) return NULL;
  json_array_append_new(cats, json_string(cat_ids[first]));
  if (below(state, 100) < 20) json_array_append_new(cats, json_string(cat_ids[(first + 1 + below(state, BENCH_CATEGORIES - 1)) % BENCH_CATEGORIES]));
  doc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:b, s:o}", "id", id, "name", name, "slug", slug,
                  "description", description, "price", (json_int_t)mc_seed_price(price, cat->cfg->currency),
                  "currency", cat->cfg->currency, "stock", (json_int_t)stock, "active", below(state, 100) >= 2,
                  "category_ids", cats);
  if (doc && below(state, 100) < 15) {
    int64_t compare = price * (int64_t)(110 + below(state, 41)) / 100;
    json_object_set_new(doc, "compare_at_price", json_integer(mc_seed_price(compare, cat->cfg->currency)));
  }
  return doc;
}

/* Finds or creates the benchmark categories, their ids into ids. */
static int bench_categories_ensure(const mc_catalog *cat, char ids[][MC_ID_MAX]) {
  for (size_t i = 0; i < BENCH_CATEGORIES; i++) {
    json_t *doc = NULL, *body = NULL;
    mc_refusal why = {0};
    int rc = mc_store_category_get_by_slug(cat->store, bench_categories[i].slug, &doc);
    if (rc == MC_ERR_NOT_FOUND) {
      body = json_pack("{s:s, s:s, s:s, s:i}", "name", bench_categories[i].name, "slug", bench_categories[i].slug,
                       "description", "Synthetic products made by mercato seed --bench.", "position", 100 + (int)i);
      rc = body ? mc_catalog_category_create(cat, body, &doc, &why) : MC_ERR_INTERNAL;
      if (rc != MC_OK) mc_error("seed", "could not create the category %s: %s", bench_categories[i].slug, mc_err_name(rc));
    }
    if (rc == MC_OK) snprintf(ids[i], MC_ID_MAX, "%s", json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    mc_refusal_clear(&why);
    json_decref(body);
    if (rc != MC_OK) return rc;
  }
  return MC_OK;
}

/* Speed: the store port has no batch, so each product is its own BEGIN IMMEDIATE ... COMMIT, and
 * each commit writes every page it touched (the row, four listing indexes, the category link)
 * to the WAL and flushes a new full-text segment that later merges rewrite again. On 2 cores
 * that is 30 to 35 s per 100,000 products, mostly kernel time and WAL checkpoints; the same
 * rows and schema in transactions of 1,000 took about 13 s. A bulk-import operation in the
 * store port (many products in one transaction) would bring that gain to every adapter. */
int mc_seed_bench(const mc_catalog *cat, int64_t n, int progress, mc_seed_report *report) {
  char ids[BENCH_CATEGORIES][MC_ID_MAX], token[7];
  uint64_t state = UINT64_C(0x6d657263617430); /* fixed: the same catalog every run */
  struct timespec start, now;
  int64_t step = n / 100 > 0 ? n / 100 : 1;
  int rc;

  memset(report, 0, sizeof *report);
  clock_gettime(CLOCK_MONOTONIC, &start);
  if (n < 1 || n > MC_SEED_BENCH_MAX) return MC_ERR_INVALID;
  if ((rc = mc_seed_product_total(cat, &report->existing)) != MC_OK) return rc;
  if ((rc = mc_rand_hex(token, 3)) != MC_OK) return rc;
  if ((rc = bench_categories_ensure(cat, ids)) != MC_OK) return rc;
  report->categories = BENCH_CATEGORIES;
  for (int64_t i = 0; i < n; i++) {
    json_t *doc = bench_product(cat, &state, i, token, ids);
    if (!doc) {
      rc = MC_ERR_INTERNAL;
      break;
    }
    report->inactive += !json_is_true(json_object_get(doc, "active"));
    rc = mc_store_product_create(cat->store, doc, NULL, NULL);
    json_decref(doc);
    if (rc != MC_OK) {
      mc_error("seed", "benchmark product %lld of %lld was refused: %s", (long long)i + 1, (long long)n,
               mc_err_name(rc));
      break;
    }
    report->products++;
    if (progress && ((i + 1) % step == 0 || i + 1 == n)) {
      fprintf(stderr, "\rseed: %lld/%lld products", (long long)i + 1, (long long)n);
      if (i + 1 == n) fputc('\n', stderr);
    }
  }
  mc_catalog_changed(cat->kv);
  clock_gettime(CLOCK_MONOTONIC, &now);
  report->seconds = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
  return rc;
}
