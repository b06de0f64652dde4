/* test_image_files.c - unit tests of product image files without HTTP: generated names, files on
 * disk written whole, and the images service keeping them in step with a (fake) store. Parsing
 * an upload is in test_image_parsing.c. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mercato/err.h"
#include "mercato/images.h"
#include "image_bytes.h"

/* ---- names and files --------------------------------------------------------------------- */

#define GOOD_ID "img_01jd3k5x7q8r9s0t1v2w3y4z5a"

START_TEST(test_image_names_are_only_generated_ones) {
  ck_assert_int_eq(mc_image_name_valid(GOOD_ID ".png"), 1);
  ck_assert_int_eq(mc_image_name_valid(GOOD_ID ".jpg"), 1);
  ck_assert_int_eq(mc_image_name_valid(GOOD_ID ".webp"), 1);
  ck_assert_int_eq(mc_image_name_valid(GOOD_ID ".svg"), 1);
  ck_assert_str_eq(mc_image_name_mime(GOOD_ID ".svg"), "image/svg+xml");
  ck_assert_str_eq(mc_image_name_mime(GOOD_ID ".jpg"), "image/jpeg");
  const char *bad[] = {
    GOOD_ID ".jpeg", GOOD_ID ".PNG", GOOD_ID ".png.tmp", "." GOOD_ID ".png.tmp", GOOD_ID ".png/",
    GOOD_ID, "img_01JD3K5X7Q8R9S0T1V2W3Y4Z5A.png", "img_01jd3k5x7q8r9s0t1v2w3y4z5.png",
    "img_01jd3k5x7q8r9s0t1v2w3y4z5ab.png", "img_../../../../etc/passwd.png", "../" GOOD_ID ".png",
    "img_01jd3k5x7q8r9s0t1v2w3y4z5%2e.png", "prod_01jd3k5x7q8r9s0t1v2w3y4z5a.png", "", "img_",
    GOOD_ID ".", GOOD_ID ".html", GOOD_ID ".svg\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(!mc_image_name_valid(bad[i]), "accepted %s", bad[i]);
  ck_assert_int_eq(mc_image_name_valid(NULL), 0);
}
END_TEST

static void make_tmpdir(char *buf, size_t len) {
  const char *tmp = getenv("TMPDIR");
  snprintf(buf, len, "%s/mercato-images-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(buf));
}

/* Number of entries in <data>/images other than . and .. (-1 when the directory is missing). */
static int count_files(const char *data) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/images", data);
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(d);
  return n;
}

static void rm_tree(const char *data) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", data);
  ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_files_are_written_whole_with_mode_0644) {
  char data[256], path[512];
  struct stat st;
  make_tmpdir(data, sizeof data);
  mode_t old = umask(077);
  ck_assert_int_eq(mc_image_file_write(data, GOOD_ID ".png", (const unsigned char *)"abc", 3), MC_OK);
  umask(old);
  snprintf(path, sizeof path, "%s/images/%s", data, GOOD_ID ".png");
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0644);
  ck_assert_int_eq(st.st_size, 3);
  ck_assert_int_eq(count_files(data), 1); /* no temporary file left */
  ck_assert_int_eq(mc_image_file_write(data, "../evil.png", (const unsigned char *)"x", 1), MC_ERR_INVALID);
  ck_assert_int_eq(mc_image_file_remove(data, GOOD_ID ".png"), MC_OK);
  ck_assert_int_eq(count_files(data), 0);
  ck_assert_int_eq(mc_image_file_remove(data, GOOD_ID ".png"), MC_OK); /* already gone */
  ck_assert_int_eq(mc_image_file_remove(data, "../mercato.db"), MC_ERR_INVALID);
  rm_tree(data);
}
END_TEST

START_TEST(test_url_names_are_checked) {
  char name[MC_IMAGE_NAME_MAX];
  json_t *ok = json_pack("{s:s}", "url", "/images/" GOOD_ID ".webp");
  json_t *bad = json_pack("{s:s}", "url", "/images/../" GOOD_ID ".webp");
  json_t *other = json_pack("{s:s}", "url", "https://cdn.example/" GOOD_ID ".webp");
  ck_assert_int_eq(mc_image_url_name(ok, name), MC_OK);
  ck_assert_str_eq(name, GOOD_ID ".webp");
  ck_assert_int_eq(mc_image_url_name(bad, name), MC_ERR_INVALID);
  ck_assert_int_eq(mc_image_url_name(other, name), MC_ERR_INVALID);
  ck_assert_int_eq(mc_image_url_name(NULL, name), MC_ERR_INVALID);
  json_decref(ok), json_decref(bad), json_decref(other);
}
END_TEST

/* ---- a fake store: one product, images held in a JSON array -------------------------------- */

typedef struct fake {
  mc_store st;
  json_t *images;
  int refuse; /* mc_err to answer product_image_add with, or 0 */
  int add_calls;
  char seen_file[600]; /* the image's file existed when the store was called */
} fake;

static const char *fake_data;

static int fake_add(mc_store *st, const char *pid, const json_t *image, json_t **out, mc_refusal *why) {
  (void)why;
  fake *f = (fake *)st;
  char name[MC_IMAGE_NAME_MAX], path[600];
  struct stat sb;
  f->add_calls++;
  ck_assert_int_eq(mc_image_url_name(image, name), MC_OK);
  snprintf(path, sizeof path, "%s/images/%s", fake_data, name);
  if (stat(path, &sb) == 0) snprintf(f->seen_file, sizeof f->seen_file, "%s", path);
  if (strcmp(pid, "prod_1") != 0) return MC_ERR_NOT_FOUND;
  if (f->refuse) return f->refuse;
  json_array_append_new(f->images, json_deep_copy(image));
  if (out) *out = json_pack("{s:s, s:O}", "id", pid, "images", f->images);
  return MC_OK;
}

static int fake_remove(mc_store *st, const char *pid, const char *iid, json_t **out, mc_refusal *why) {
  (void)why;
  fake *f = (fake *)st;
  size_t i;
  json_t *img;
  if (strcmp(pid, "prod_1") != 0) return MC_ERR_NOT_FOUND;
  json_array_foreach(f->images, i, img) {
    if (strcmp(json_string_value(json_object_get(img, "id")), iid) == 0) {
      if (out) *out = json_incref(img);
      json_array_remove(f->images, i);
      return MC_OK;
    }
  }
  return MC_ERR_NOT_FOUND;
}

static const mc_store_catalog_ops fake_catalog = {.product_image_add = fake_add, .product_image_remove = fake_remove};

static void fake_init(fake *f) {
  memset(f, 0, sizeof *f);
  f->st.catalog = &fake_catalog;
  f->st.name = "fake";
  f->images = json_array();
}

START_TEST(test_add_writes_the_file_before_the_record_and_returns_the_image) {
  char data[256], path[600];
  fake f;
  fake_init(&f);
  make_tmpdir(data, sizeof data);
  fake_data = data;
  bytes b = png(64, 32, 8, 6);
  mc_image_info info;
  ck_assert_int_eq(probe(&b, &info), MC_OK);
  json_t *image = NULL, *product = NULL;
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", b.b, b.n, &info, &image, &product, NULL), MC_OK);
  ck_assert_str_ne(f.seen_file, "");
  const char *id = json_string_value(json_object_get(image, "id"));
  ck_assert_int_eq(mc_id_valid(id, "img"), 1);
  char want_url[128];
  snprintf(want_url, sizeof want_url, "/images/%s.png", id);
  ck_assert_str_eq(json_string_value(json_object_get(image, "url")), want_url);
  ck_assert_str_eq(json_string_value(json_object_get(image, "content_type")), "image/png");
  ck_assert_int_eq(json_integer_value(json_object_get(image, "width")), 64);
  ck_assert_int_eq(json_integer_value(json_object_get(image, "height")), 32);
  ck_assert_int_eq(json_integer_value(json_object_get(image, "bytes")), (json_int_t)b.n);
  ck_assert_int_eq(json_array_size(json_object_get(product, "images")), 1);
  snprintf(path, sizeof path, "%s/images/%s.png", data, id);
  FILE *fp = fopen(path, "rb");
  ck_assert_ptr_nonnull(fp);
  unsigned char back[256];
  ck_assert_uint_eq(fread(back, 1, sizeof back, fp), b.n);
  ck_assert_int_eq(memcmp(back, b.b, b.n), 0);
  fclose(fp);

  /* removing: the record, then the file */
  char iid[64];
  snprintf(iid, sizeof iid, "%s", id);
  json_decref(image), json_decref(product);
  ck_assert_int_eq(mc_images_remove(&f.st, data, "prod_1", iid, NULL), MC_OK);
  ck_assert_int_eq(json_array_size(f.images), 0);
  ck_assert_int_ne(access(path, F_OK), 0);
  ck_assert_int_eq(mc_images_remove(&f.st, data, "prod_1", iid, NULL), MC_ERR_NOT_FOUND);
  json_decref(f.images);
  rm_tree(data);
}
END_TEST

START_TEST(test_a_refused_record_leaves_no_file) {
  char data[256];
  fake f;
  fake_init(&f);
  make_tmpdir(data, sizeof data);
  fake_data = data;
  bytes b = jpeg(0xc0, 10, 10);
  mc_image_info info;
  ck_assert_int_eq(probe(&b, &info), MC_OK);
  json_t *image = (json_t *)1, *product = (json_t *)1;
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_unknown", b.b, b.n, &info, &image, &product, NULL), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(image);
  ck_assert_ptr_null(product);
  ck_assert_str_ne(f.seen_file, ""); /* it was there while the store decided */
  ck_assert_int_eq(count_files(data), 0);
  f.refuse = MC_ERR_INVALID; /* too many images */
  f.seen_file[0] = '\0';
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", b.b, b.n, &info, &image, NULL, NULL), MC_ERR_INVALID);
  ck_assert_str_ne(f.seen_file, "");
  ck_assert_int_eq(count_files(data), 0);
  f.refuse = MC_ERR_UNAVAILABLE;
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", b.b, b.n, &info, &image, NULL, NULL), MC_ERR_UNAVAILABLE);
  ck_assert_int_eq(count_files(data), 0);
  json_decref(f.images);
  rm_tree(data);
}
END_TEST

START_TEST(test_add_refuses_unprobed_or_oversized_images_before_writing) {
  char data[256];
  fake f;
  fake_init(&f);
  make_tmpdir(data, sizeof data);
  fake_data = data;
  json_t *image, *product;
  mc_image_info none = {MC_IMAGE_NONE, 10, 10}, huge = {MC_IMAGE_PNG, 20001, 10};
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", (const unsigned char *)"x", 1, &none, &image, &product, NULL),
                   MC_ERR_INVALID);
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", (const unsigned char *)"x", 1, &huge, &image, &product, NULL),
                   MC_ERR_INVALID);
  ck_assert_int_eq(f.add_calls, 0);
  ck_assert_int_le(count_files(data), 0);
  json_decref(f.images);
  rm_tree(data);
}
END_TEST

START_TEST(test_a_file_that_cannot_be_written_is_internal_and_never_reaches_the_store) {
  char data[256], blocker[300];
  fake f;
  fake_init(&f);
  make_tmpdir(data, sizeof data);
  fake_data = data;
  snprintf(blocker, sizeof blocker, "%s/images", data);
  FILE *fp = fopen(blocker, "w"); /* a file where the directory should be */
  ck_assert_ptr_nonnull(fp);
  fclose(fp);
  bytes b = png(4, 4, 8, 2);
  mc_image_info info;
  ck_assert_int_eq(probe(&b, &info), MC_OK);
  json_t *image, *product;
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", b.b, b.n, &info, &image, &product, NULL), MC_ERR_INTERNAL);
  ck_assert_int_eq(f.add_calls, 0);
  json_decref(f.images);
  rm_tree(data);
}
END_TEST

START_TEST(test_remove_files_of_a_deleted_product) {
  char data[256];
  make_tmpdir(data, sizeof data);
  ck_assert_int_eq(mc_image_file_write(data, GOOD_ID ".png", (const unsigned char *)"a", 1), MC_OK);
  const char *other = "img_01jd3k5x7q8r9s0t1v2w3y4z5b.jpg";
  ck_assert_int_eq(mc_image_file_write(data, other, (const unsigned char *)"b", 1), MC_OK);
  json_t *images = json_pack("[{s:s}, {s:s}, {s:s}]", "url", "/images/" GOOD_ID ".png", "url",
                             "/images/img_01jd3k5x7q8r9s0t1v2w3y4z5b.jpg", "url", "/images/../../mercato.db");
  mc_images_remove_files(data, images);
  ck_assert_int_eq(count_files(data), 0);
  json_decref(images);
  rm_tree(data);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("image_files");
  TCase *f = tcase_create("files");
  tcase_add_test(f, test_image_names_are_only_generated_ones);
  tcase_add_test(f, test_files_are_written_whole_with_mode_0644);
  tcase_add_test(f, test_url_names_are_checked);
  tcase_add_test(f, test_add_writes_the_file_before_the_record_and_returns_the_image);
  tcase_add_test(f, test_a_refused_record_leaves_no_file);
  tcase_add_test(f, test_add_refuses_unprobed_or_oversized_images_before_writing);
  tcase_add_test(f, test_a_file_that_cannot_be_written_is_internal_and_never_reaches_the_store);
  tcase_add_test(f, test_remove_files_of_a_deleted_product);
  suite_add_tcase(s, f);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
