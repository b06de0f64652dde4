/* seed.h - `mercato seed`: the demo shop (categories, products and generated SVG images written
 * through the catalog service) and synthetic catalogs of any size for benchmarks. */
#ifndef MERCATO_SEED_H
#define MERCATO_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "mercato/catalog.h"

#define MC_SEED_BENCH_MAX 1000000
/* Generated demo images: square, and at most this many bytes of SVG. */
#define MC_SEED_IMAGE_SIZE 800
#define MC_SEED_SVG_MAX 2048
/* The most categories the demo data may list. */
#define MC_SEED_CATEGORIES_MAX 16

/* What a seed did, for its one-line summary. */
typedef struct mc_seed_report {
  int64_t categories;  /* categories created (or, for --bench, found and reused) */
  int64_t products;    /* products created */
  int64_t inactive;    /* of which inactive */
  int64_t images;      /* image files written and attached */
  int64_t existing;    /* products already in the catalog when the seed started */
  double seconds;      /* wall time of the seed */
} mc_seed_report;

/* --- the demo catalog as data (seed_data.c) ------------------------------------------------- */

/* The outline an image draws for a product (seed.c has one SVG fragment per shape). */
typedef enum mc_seed_shape {
  MC_SEED_MUG = 0, MC_SEED_BOTTLE, MC_SEED_BOX, MC_SEED_PLATE, MC_SEED_POT, MC_SEED_PLANT,
  MC_SEED_JAR, MC_SEED_LAMP, MC_SEED_CANDLE, MC_SEED_BOOK, MC_SEED_PEN, MC_SEED_BAG,
  MC_SEED_FOLDED, MC_SEED_KETTLE, MC_SEED_BOARD, MC_SEED_VASE, MC_SEED_ENVELOPE, MC_SEED_CONE,
  MC_SEED_GLOBE, MC_SEED_KNIFE, MC_SEED_SPOON, MC_SEED_SHEARS, MC_SEED_POUCH, MC_SEED_PACKET,
  MC_SEED_TROWEL, MC_SEED_SHAPE_COUNT
} mc_seed_shape;

typedef struct mc_seed_category {
  const char *slug;
  const char *name;
  const char *description;
  const char *parent;   /* the parent's slug, or NULL for a top-level category */
  int position;
  /* Image colours of its products: "#rrggbb" each. */
  const char *background, *accent, *ink;
} mc_seed_category;

typedef struct mc_seed_product {
  const char *name;
  const char *sku;
  const char *description; /* plain text, 1 to 3 sentences */
  int64_t price;           /* in hundredths of the major unit (cents); see mc_seed_price */
  int64_t compare_at;      /* the same, 0 for none */
  int64_t stock;
  int active;
  const char *categories[2]; /* slugs; the first decides the image colours; [1] may be NULL */
  mc_seed_shape shape;
  const char *label;       /* the short text on its image, at most 16 bytes */
} mc_seed_product;

extern const mc_seed_category mc_seed_categories[];
extern const size_t mc_seed_category_count;
extern const mc_seed_product mc_seed_products[];
extern const size_t mc_seed_product_count;

/* --- seeding --------------------------------------------------------------------------------- */

/* Converts a demo amount in cents into minor units of currency: as is for two-decimal
 * currencies, times 10 for three, and the same digits in whole units for currencies without
 * decimals (24.90 becomes 2490 JPY, a believable price there too). -1 for an unknown currency. */
int64_t mc_seed_price(int64_t cents, const char *currency);

/* Writes the demo image of product p into out (MC_SEED_SVG_MAX bytes; *len gets its length,
 * without the NUL): an 800x800 SVG with the category's colours, the product's shape, its label
 * and its name as the title, all text escaped for XML. The same input always makes the same
 * bytes. MC_ERR_INVALID when p names no known category or the result would not fit. */
int mc_seed_svg(const mc_seed_product *p, char out[MC_SEED_SVG_MAX], size_t *len);

/* Counts the products in the catalog, inactive ones included, into *out. */
int mc_seed_product_total(const mc_catalog *cat, int64_t *out);

/* Creates the demo shop through the catalog service (validation and slugs apply): its
 * categories (a category whose slug already exists is reused), then its products, each with one
 * generated SVG image written under <data_dir>/images/ and attached with the store's
 * product_image_add, then calls mc_catalog_changed. Refuses with MC_ERR_CONFLICT, writing
 * nothing and setting report->existing, when the catalog already has products. On any other
 * failure it removes what it created (best effort, logged) and returns the error. */
int mc_seed_demo(const mc_catalog *cat, mc_seed_report *report);

/* Creates n (1..MC_SEED_BENCH_MAX) synthetic products for benchmarks, beside whatever the
 * catalog holds: in ten "Bench ..." categories (created, or reused when they exist), with names
 * and descriptions drawn from a fixed vocabulary by a fixed pseudo-random sequence, so word
 * frequencies range from very common to rare (see seed.c for the shares), varied prices and
 * stock. Slugs carry a per-run token, so runs never collide. Writes straight to the store, one
 * product per transaction (the port offers no batch), and calls mc_catalog_changed once at the
 * end. When progress is 1, prints the progress to stderr. */
int mc_seed_bench(const mc_catalog *cat, int64_t n, int progress, mc_seed_report *report);

#endif
