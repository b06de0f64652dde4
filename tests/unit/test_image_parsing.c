/* test_image_parsing.c - unit tests of what an uploaded image holds, without HTTP or files: the
 * one part of a multipart body, the type by content and the dimensions, truncated and corrupt
 * headers, polyglots. Names, files and the images service are in test_image_files.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/images.h"
#include "image_bytes.h"

static void assert_probe(const bytes *b, mc_image_type type, uint32_t w, uint32_t h) {
  mc_image_info info;
  ck_assert_int_eq(probe(b, &info), MC_OK);
  ck_assert_int_eq(info.type, type);
  ck_assert_uint_eq(info.width, w);
  ck_assert_uint_eq(info.height, h);
}

static void assert_rejected(const void *p, size_t n) {
  mc_image_info info = {.type = MC_IMAGE_PNG, .width = 7, .height = 7};
  ck_assert_int_eq(mc_image_probe(p, n, &info), MC_ERR_INVALID);
  ck_assert_int_eq(info.type, MC_IMAGE_NONE);
  ck_assert_uint_eq(info.width, 0);
}

/* ---- type and dimensions ----------------------------------------------------------------- */

START_TEST(test_png_is_recognised_with_its_dimensions) {
  bytes b = png(640, 480, 8, 6);
  assert_probe(&b, MC_IMAGE_PNG, 640, 480);
  b = png(1, 1, 1, 0);
  assert_probe(&b, MC_IMAGE_PNG, 1, 1);
  b = png(300, 200, 8, 3);
  assert_probe(&b, MC_IMAGE_PNG, 300, 200);
}
END_TEST

START_TEST(test_jpeg_is_recognised_at_its_frame_header) {
  bytes b = jpeg(0xc0, 1024, 768);
  assert_probe(&b, MC_IMAGE_JPEG, 1024, 768);
  b = jpeg(0xc2, 33, 17); /* progressive */
  assert_probe(&b, MC_IMAGE_JPEG, 33, 17);
  b = jpeg(0xc1, 65535, 2);
  assert_probe(&b, MC_IMAGE_JPEG, 65535, 2);
}
END_TEST

START_TEST(test_webp_lossy_lossless_and_extended_are_recognised) {
  bytes b = webp_vp8(800, 600);
  assert_probe(&b, MC_IMAGE_WEBP, 800, 600);
  b = webp_vp8l(16383, 1);
  assert_probe(&b, MC_IMAGE_WEBP, 16383, 1);
  b = webp_vp8l(1, 1);
  assert_probe(&b, MC_IMAGE_WEBP, 1, 1);
  b = webp_vp8x(4000, 3000);
  assert_probe(&b, MC_IMAGE_WEBP, 4000, 3000);
}
END_TEST

START_TEST(test_dimensions_are_bounded_1_to_20000) {
  mc_image_info ok = {MC_IMAGE_PNG, 20000, 1}, zero = {MC_IMAGE_PNG, 0, 10}, big = {MC_IMAGE_PNG, 10, 20001};
  ck_assert_int_eq(mc_image_dimensions_ok(&ok), 1);
  ck_assert_int_eq(mc_image_dimensions_ok(&zero), 0);
  ck_assert_int_eq(mc_image_dimensions_ok(&big), 0);
  /* headers that parse but state impossible sizes: read as stated, refused by the bound */
  mc_image_info info;
  bytes b = png(0, 5, 8, 2);
  ck_assert_int_eq(probe(&b, &info), MC_OK);
  ck_assert_int_eq(mc_image_dimensions_ok(&info), 0);
  b = png(0xffffffffu, 5, 8, 2);
  ck_assert_int_eq(probe(&b, &info), MC_OK);
  ck_assert_uint_eq(info.width, 0xffffffffu);
  ck_assert_int_eq(mc_image_dimensions_ok(&info), 0);
  b = jpeg(0xc0, 100, 0); /* height 0: defined later by DNL, which we do not follow */
  ck_assert_int_eq(probe(&b, &info), MC_OK);
  ck_assert_int_eq(mc_image_dimensions_ok(&info), 0);
  b = webp_vp8x(1u << 24, 10);
  ck_assert_int_eq(probe(&b, &info), MC_OK);
  ck_assert_uint_eq(info.width, 1u << 24);
  ck_assert_int_eq(mc_image_dimensions_ok(&info), 0);
}
END_TEST

/* Every prefix shorter than what the probe needs is refused, and none reads past its end (the
 * prefix is copied into an exact-size allocation, so ASan sees any over-read). */
static void assert_prefixes_rejected(const bytes *b, size_t needed) {
  for (size_t n = 0; n < needed; n++) {
    unsigned char *copy = malloc(n ? n : 1);
    memcpy(copy, b->b, n);
    mc_image_info info;
    ck_assert_msg(mc_image_probe(copy, n, &info) == MC_ERR_INVALID, "prefix of %zu bytes accepted", n);
    free(copy);
  }
  unsigned char *copy = malloc(needed);
  memcpy(copy, b->b, needed);
  mc_image_info info;
  ck_assert_msg(mc_image_probe(copy, needed, &info) == MC_OK, "%zu bytes should be enough", needed);
  free(copy);
}

START_TEST(test_truncated_headers_are_refused) {
  bytes b = png(10, 10, 8, 2);
  assert_prefixes_rejected(&b, 33);
  b = jpeg(0xc0, 10, 10);
  assert_prefixes_rejected(&b, 2 + 18 + 8 + 2 + 2 + 8); /* through SOF's width and components */
  b = webp_vp8(10, 10);
  assert_prefixes_rejected(&b, b.n); /* the RIFF size says how long the file is */
  b = webp_vp8l(10, 10);
  assert_prefixes_rejected(&b, b.n);
  b = webp_vp8x(10, 10);
  assert_prefixes_rejected(&b, b.n);
}
END_TEST

START_TEST(test_corrupt_png_headers_are_refused) {
  bytes b = png(10, 10, 8, 2);
  b.b[29] ^= 1; /* CRC */
  assert_rejected(b.b, b.n);
  b = png(10, 10, 8, 2);
  b.b[17] ^= 1; /* a width byte, so the CRC no longer holds */
  assert_rejected(b.b, b.n);
  b = png(10, 10, 8, 2);
  b.b[11] = 14; /* IHDR length */
  assert_rejected(b.b, b.n);
  b = png(10, 10, 8, 2);
  memcpy(b.b + 12, "IDAT", 4);
  assert_rejected(b.b, b.n);
  b = png(10, 10, 3, 2); /* depth 3 does not exist */
  assert_rejected(b.b, b.n);
  b = png(10, 10, 16, 3); /* palette images go up to 8 bits */
  assert_rejected(b.b, b.n);
  b = png(10, 10, 8, 5); /* colour type 5 does not exist */
  assert_rejected(b.b, b.n);
}
END_TEST

START_TEST(test_corrupt_jpeg_headers_are_refused) {
  static const unsigned char soi_only[] = {0xff, 0xd8, 0xff, 0xd9};
  assert_rejected(soi_only, sizeof soi_only);
  static const unsigned char scan_first[] = {0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0};
  assert_rejected(scan_first, sizeof scan_first);
  static const unsigned char not_marker[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 1, 2, 0x12, 0x34, 0, 0};
  assert_rejected(not_marker, sizeof not_marker);
  static const unsigned char short_len[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0, 0, 0, 0};
  assert_rejected(short_len, sizeof short_len);
  static const unsigned char long_len[] = {0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0, 0, 0, 0};
  assert_rejected(long_len, sizeof long_len);
  static const unsigned char short_sof[] = {0xff, 0xd8, 0xff, 0xc0, 0x00, 0x05, 8, 0, 10, 0, 10, 3, 0, 0};
  assert_rejected(short_sof, sizeof short_sof);
  static const unsigned char stuffed[] = {0xff, 0xd8, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00};
  assert_rejected(stuffed, sizeof stuffed);
  static const unsigned char fill_to_end[] = {0xff, 0xd8, 0xff, 0xff, 0xff, 0xff};
  assert_rejected(fill_to_end, sizeof fill_to_end);
  /* DHT (C4) sits among the SOF codes but is not a frame header. */
  static const unsigned char dht[] = {0xff, 0xd8, 0xff, 0xc4, 0x00, 0x08, 8, 0, 10, 0, 10, 3};
  assert_rejected(dht, sizeof dht);
}
END_TEST

START_TEST(test_corrupt_webp_headers_are_refused) {
  bytes b = webp_vp8(10, 10);
  b.b[23] = 0x9c; /* start code */
  assert_rejected(b.b, b.n);
  b = webp_vp8(10, 10);
  b.b[20] |= 1; /* an inter frame cannot start a file */
  assert_rejected(b.b, b.n);
  b = webp_vp8l(10, 10);
  b.b[20] = 0x2e; /* signature */
  assert_rejected(b.b, b.n);
  b = webp_vp8l(10, 10);
  b.b[24] |= 0x20; /* version bits */
  assert_rejected(b.b, b.n);
  b = webp_vp8(10, 10);
  memcpy(b.b + 12, "VP9 ", 4);
  assert_rejected(b.b, b.n);
  b = webp_vp8(10, 10);
  memcpy(b.b + 8, "WAVE", 4);
  assert_rejected(b.b, b.n);
  b = webp_vp8(10, 10);
  b.b[16] = 200; /* chunk longer than the RIFF */
  assert_rejected(b.b, b.n);
  b = webp_vp8(10, 10);
  b.b[4] = 3; /* RIFF too short to hold WEBP and a chunk */
  assert_rejected(b.b, b.n);
}
END_TEST

START_TEST(test_polyglots_and_other_formats_are_refused) {
  /* a PNG signature followed by junk, or by HTML */
  static const unsigned char sig_junk[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 'j', 'u', 'n', 'k',
                                           'j', 'u', 'n', 'k', 'j', 'u', 'n', 'k', 'j', 'u', 'n', 'k',
                                           'j', 'u', 'n', 'k', 'j', 'u', 'n', 'k', 'j', 'u', 'n', 'k'};
  assert_rejected(sig_junk, sizeof sig_junk);
  const char *html_after_sig = "\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>";
  assert_rejected(html_after_sig, strlen(html_after_sig));
  const char *texts[] = {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><rect width=\"1\" height=\"1\"/></svg>",
    "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    "<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
    "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04",
    "BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00",
    "RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00",
    "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    "{\"image\": \"png\"}",
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) assert_rejected(texts[i], strlen(texts[i]));
  assert_rejected(NULL, 0);
  assert_rejected("", 0);
  assert_rejected("\xff\xd8\xff", 3);
}
END_TEST

START_TEST(test_declared_type_must_agree_with_the_content) {
  ck_assert_int_eq(mc_image_declared_matches("image/png", MC_IMAGE_PNG), MC_OK);
  ck_assert_int_eq(mc_image_declared_matches(" IMAGE/PNG ; q=1", MC_IMAGE_PNG), MC_OK);
  ck_assert_int_eq(mc_image_declared_matches("image/jpeg", MC_IMAGE_JPEG), MC_OK);
  ck_assert_int_eq(mc_image_declared_matches("image/jpg", MC_IMAGE_JPEG), MC_OK);
  ck_assert_int_eq(mc_image_declared_matches("image/webp", MC_IMAGE_WEBP), MC_OK);
  ck_assert_int_eq(mc_image_declared_matches(NULL, MC_IMAGE_PNG), MC_OK);
  ck_assert_int_eq(mc_image_declared_matches("", MC_IMAGE_PNG), MC_OK);
  ck_assert_int_eq(mc_image_declared_matches("application/octet-stream", MC_IMAGE_WEBP), MC_OK);
  ck_assert_int_eq(mc_image_declared_matches("image/jpeg", MC_IMAGE_PNG), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_image_declared_matches("image/jpg", MC_IMAGE_PNG), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_image_declared_matches("image/pngx", MC_IMAGE_PNG), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_image_declared_matches("text/html", MC_IMAGE_PNG), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_image_declared_matches("image/svg+xml", MC_IMAGE_PNG), MC_ERR_CONFLICT);
  ck_assert_int_eq(mc_image_declared_matches("image/png", MC_IMAGE_NONE), MC_ERR_CONFLICT);
  ck_assert_str_eq(mc_image_mime(MC_IMAGE_JPEG), "image/jpeg");
  ck_assert_str_eq(mc_image_ext(MC_IMAGE_JPEG), "jpg");
  ck_assert_str_eq(mc_image_ext(MC_IMAGE_WEBP), "webp");
  ck_assert_ptr_null(mc_image_mime(MC_IMAGE_NONE));
}
END_TEST

/* ---- multipart ---------------------------------------------------------------------------- */

typedef struct part_result {
  int rc;
  const unsigned char *data;
  size_t len;
  char type[64];
  const char *reason;
} part_result;

/* Parses body from an exact-size copy (so ASan catches over-reads); data points into *copy. */
static part_result parse(const char *ct, const void *body, size_t len, unsigned char **copy) {
  part_result r = {0};
  *copy = malloc(len ? len : 1);
  memcpy(*copy, body, len);
  r.rc = mc_multipart_single(ct, *copy, len, &r.data, &r.len, r.type, sizeof r.type, &r.reason);
  return r;
}

static const char *CT = "multipart/form-data; boundary=----xyz123";

START_TEST(test_multipart_single_file_part_is_found) {
  const char body[] = "------xyz123\r\n"
                      "Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
                      "Content-Type: image/png\r\n"
                      "\r\n"
                      "PNG\0DATA\r\n--not-the-boundary\r\n"
                      "\r\n------xyz123--\r\n";
  unsigned char *copy;
  part_result r = parse(CT, body, sizeof body - 1, &copy);
  ck_assert_msg(r.rc == MC_OK, "%s", r.reason);
  ck_assert_uint_eq(r.len, 30);
  ck_assert_int_eq(memcmp(r.data, "PNG\0DATA\r\n--not-the-boundary\r\n", 30), 0);
  ck_assert_str_eq(r.type, "image/png");
  free(copy);
}
END_TEST

START_TEST(test_multipart_accepts_quoted_boundary_preamble_and_no_part_type) {
  const char body[] = "preamble to ignore\r\n"
                      "--b :q\r\n"
                      "content-disposition: FORM-DATA; name=upload\r\n"
                      "\r\n"
                      "bytes\r\n"
                      "--b :q-- epilogue";
  unsigned char *copy;
  part_result r = parse("Multipart/Form-Data; charset=x; BOUNDARY=\"b \\:q\"", body, sizeof body - 1, &copy);
  ck_assert_msg(r.rc == MC_OK, "%s", r.reason);
  ck_assert_uint_eq(r.len, 5);
  ck_assert_int_eq(memcmp(r.data, "bytes", 5), 0);
  ck_assert_str_eq(r.type, "");
  free(copy);
}
END_TEST

static void assert_multipart_refused(const char *ct, const char *body, const char *why) {
  unsigned char *copy;
  part_result r = parse(ct, body, strlen(body), &copy);
  ck_assert_msg(r.rc == MC_ERR_INVALID, "accepted: %s", why);
  ck_assert_ptr_nonnull(r.reason);
  ck_assert_ptr_null(r.data);
  free(copy);
}

START_TEST(test_multipart_malformed_bodies_are_refused) {
  const char *one = "------xyz123\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nX\r\n------xyz123--";
  assert_multipart_refused("multipart/form-data", one, "no boundary parameter");
  assert_multipart_refused("multipart/form-data; boundary=", one, "empty boundary");
  assert_multipart_refused("multipart/form-data; boundary=\"abc", one, "unterminated quote");
  assert_multipart_refused("multipart/form-data; boundary=\"a \"", one, "boundary ends with a space");
  assert_multipart_refused("multipart/form-data; boundary=a{b}", one, "characters outside bchars");
  char longb[128] = "multipart/form-data; boundary=";
  memset(longb + strlen(longb), 'a', 71);
  assert_multipart_refused(longb, one, "boundary over 70 characters");
  assert_multipart_refused("image/png", one, "not multipart");
  assert_multipart_refused(CT, "", "empty body");
  assert_multipart_refused(CT, "------xyz123--\r\n", "no part");
  assert_multipart_refused(CT, "no delimiter at all", "no delimiter");
  assert_multipart_refused(CT, "------xyz123junk\r\nContent-Disposition: form-data\r\n\r\nX\r\n------xyz123--",
                           "text glued to a delimiter");
  assert_multipart_refused(CT, "------xyz123\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nX",
                           "no closing delimiter");
  assert_multipart_refused(CT, "------xyz123\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nX\r\n------xyz123",
                           "delimiter that neither closes nor opens a part");
  assert_multipart_refused(CT,
                           "------xyz123\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nX\r\n"
                           "------xyz123\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nY\r\n------xyz123--",
                           "two parts");
  assert_multipart_refused(CT, "------xyz123\r\nContent-Type: image/png\r\n\r\nX\r\n------xyz123--",
                           "no Content-Disposition");
  assert_multipart_refused(CT, "------xyz123\r\nContent-Disposition: attachment\r\n\r\nX\r\n------xyz123--",
                           "not form-data");
  assert_multipart_refused(CT, "------xyz123\r\nContent-Disposition: form-datax\r\n\r\nX\r\n------xyz123--",
                           "form-data as a prefix of another word");
  assert_multipart_refused(CT, "------xyz123\r\nno colon here\r\n\r\nX\r\n------xyz123--", "header without colon");
  assert_multipart_refused(CT, "------xyz123\r\nContent-Disposition: form-data\r\nX", "headers never end");
}
END_TEST

START_TEST(test_multipart_header_section_is_bounded) {
  size_t pad = MC_MULTIPART_HEADERS_MAX + 100;
  char *body = malloc(pad + 200);
  ck_assert_ptr_nonnull(body);
  int n = sprintf(body, "------xyz123\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Pad: ");
  memset(body + n, 'p', pad);
  strcpy(body + n + pad, "\r\n\r\nX\r\n------xyz123--");
  assert_multipart_refused(CT, body, "header section over the limit");
  /* within the limit it is fine */
  memset(body + n, 'p', 100);
  strcpy(body + n + 100, "\r\n\r\nX\r\n------xyz123--");
  unsigned char *copy;
  part_result r = parse(CT, body, strlen(body), &copy);
  ck_assert_msg(r.rc == MC_OK, "%s", r.reason);
  free(copy);
  free(body);
}
END_TEST

START_TEST(test_multipart_part_type_that_does_not_fit_is_refused) {
  char body[300];
  snprintf(body, sizeof body,
           "------xyz123\r\nContent-Disposition: form-data\r\nContent-Type: image/%0100d\r\n\r\nX\r\n------xyz123--", 0);
  assert_multipart_refused(CT, body, "part Content-Type longer than the buffer");
}
END_TEST

/* Every truncation of a valid body is refused without reading past its end. */
START_TEST(test_multipart_every_truncation_is_refused) {
  const char body[] = "------xyz123\r\nContent-Disposition: form-data; name=\"file\"\r\n"
                      "Content-Type: image/webp\r\n\r\n"
                      "RIFF\0\0\0\0WEBP\r\n------xyz123--";
  size_t full = sizeof body - 1;
  for (size_t n = 0; n < full; n++) {
    unsigned char *copy;
    part_result r = parse(CT, body, n, &copy);
    ck_assert_msg(r.rc == MC_ERR_INVALID, "prefix of %zu bytes accepted", n);
    free(copy);
  }
  unsigned char *copy;
  part_result r = parse(CT, body, full, &copy);
  ck_assert_int_eq(r.rc, MC_OK);
  ck_assert_uint_eq(r.len, 12);
  free(copy);
}
END_TEST

START_TEST(test_multipart_detection) {
  ck_assert_int_eq(mc_multipart_is("multipart/form-data; boundary=x"), 1);
  ck_assert_int_eq(mc_multipart_is("MULTIPART/FORM-DATA"), 1);
  ck_assert_int_eq(mc_multipart_is("multipart/form-datax"), 0);
  ck_assert_int_eq(mc_multipart_is("multipart/mixed; boundary=x"), 0);
  ck_assert_int_eq(mc_multipart_is("image/png"), 0);
  ck_assert_int_eq(mc_multipart_is(NULL), 0);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("image_parsing");
  TCase *t = tcase_create("probe");
  tcase_add_test(t, test_png_is_recognised_with_its_dimensions);
  tcase_add_test(t, test_jpeg_is_recognised_at_its_frame_header);
  tcase_add_test(t, test_webp_lossy_lossless_and_extended_are_recognised);
  tcase_add_test(t, test_dimensions_are_bounded_1_to_20000);
  tcase_add_test(t, test_truncated_headers_are_refused);
  tcase_add_test(t, test_corrupt_png_headers_are_refused);
  tcase_add_test(t, test_corrupt_jpeg_headers_are_refused);
  tcase_add_test(t, test_corrupt_webp_headers_are_refused);
  tcase_add_test(t, test_polyglots_and_other_formats_are_refused);
  tcase_add_test(t, test_declared_type_must_agree_with_the_content);
  suite_add_tcase(s, t);
  TCase *m = tcase_create("multipart");
  tcase_add_test(m, test_multipart_single_file_part_is_found);
  tcase_add_test(m, test_multipart_accepts_quoted_boundary_preamble_and_no_part_type);
  tcase_add_test(m, test_multipart_malformed_bodies_are_refused);
  tcase_add_test(m, test_multipart_header_section_is_bounded);
  tcase_add_test(m, test_multipart_part_type_that_does_not_fit_is_refused);
  tcase_add_test(m, test_multipart_every_truncation_is_refused);
  tcase_add_test(m, test_multipart_detection);
  suite_add_tcase(s, m);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
