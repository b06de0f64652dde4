/* test_images.c - unit tests of product images without HTTP: type by content, dimensions,
 * truncated and corrupt headers, polyglots, multipart parsing, file names, and files on disk
 * kept in step with a (fake) store. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mercato/err.h"
#include "mercato/images.h"

/* ---- building test images ---------------------------------------------------------------- */

typedef struct bytes {
  unsigned char b[256];
  size_t n;
} bytes;

static void put(bytes *o, const void *p, size_t n) {
  ck_assert_uint_le(o->n + n, sizeof o->b);
  memcpy(o->b + o->n, p, n);
  o->n += n;
}
static void put8(bytes *o, unsigned v) {
  unsigned char c = (unsigned char)v;
  put(o, &c, 1);
}
static void put_be16(bytes *o, unsigned v) {
  put8(o, v >> 8), put8(o, v);
}
static void put_be32(bytes *o, uint32_t v) {
  put8(o, v >> 24), put8(o, v >> 16), put8(o, v >> 8), put8(o, v);
}
static void put_le16(bytes *o, unsigned v) {
  put8(o, v), put8(o, v >> 8);
}
static void put_le24(bytes *o, uint32_t v) {
  put8(o, v), put8(o, v >> 8), put8(o, v >> 16);
}
static void put_le32(bytes *o, uint32_t v) {
  put_le24(o, v), put8(o, v >> 24);
}

/* CRC-32 written out independently of the code under test (table-driven, zlib's layout). */
static uint32_t test_crc32(const unsigned char *p, size_t n) {
  static uint32_t table[256];
  if (!table[1]) {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
  }
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

/* A PNG up to and including IHDR (what the probe reads), then an IEND chunk. */
static bytes png(uint32_t w, uint32_t h, unsigned depth, unsigned color) {
  bytes o = {.n = 0};
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  put(&o, sig, 8);
  put_be32(&o, 13);
  size_t crc_from = o.n;
  put(&o, "IHDR", 4);
  put_be32(&o, w), put_be32(&o, h);
  put8(&o, depth), put8(&o, color), put8(&o, 0), put8(&o, 0), put8(&o, 0);
  put_be32(&o, test_crc32(o.b + crc_from, o.n - crc_from));
  put_be32(&o, 0);
  put(&o, "IEND", 4);
  put_be32(&o, test_crc32((const unsigned char *)"IEND", 4));
  return o;
}

/* SOI, an APP0 (JFIF) segment, a DQT-like filler segment, fill bytes, then SOFn. */
static bytes jpeg(unsigned sof, unsigned w, unsigned h) {
  bytes o = {.n = 0};
  put8(&o, 0xff), put8(&o, 0xd8);
  put8(&o, 0xff), put8(&o, 0xe0), put_be16(&o, 16);
  put(&o, "JFIF\0", 5);
  put8(&o, 1), put8(&o, 1), put8(&o, 0), put_be16(&o, 1), put_be16(&o, 1), put8(&o, 0), put8(&o, 0);
  put8(&o, 0xff), put8(&o, 0xdb), put_be16(&o, 6), put_be32(&o, 0x00010203);
  put8(&o, 0xff), put8(&o, 0xff); /* fill bytes before the next marker are allowed */
  put8(&o, 0xff), put8(&o, sof), put_be16(&o, 17), put8(&o, 8), put_be16(&o, h), put_be16(&o, w), put8(&o, 3);
  for (int i = 0; i < 3; i++) put8(&o, i + 1), put8(&o, 0x11), put8(&o, 0);
  put8(&o, 0xff), put8(&o, 0xd9);
  return o;
}

static bytes webp_head(const char *fourcc, uint32_t chunk) {
  bytes o = {.n = 0};
  uint32_t padded = chunk + (chunk & 1);
  put(&o, "RIFF", 4);
  put_le32(&o, 4 + 8 + padded);
  put(&o, "WEBP", 4);
  put(&o, fourcc, 4);
  put_le32(&o, chunk);
  return o;
}

static bytes webp_vp8(unsigned w, unsigned h) {
  bytes o = webp_head("VP8 ", 10);
  put8(&o, 0x10), put8(&o, 0), put8(&o, 0); /* key frame, version 0, shown */
  put8(&o, 0x9d), put8(&o, 0x01), put8(&o, 0x2a);
  put_le16(&o, w), put_le16(&o, h);
  return o;
}

static bytes webp_vp8l(unsigned w, unsigned h) {
  bytes o = webp_head("VP8L", 5);
  put8(&o, 0x2f);
  put_le32(&o, (uint32_t)(w - 1) | (uint32_t)(h - 1) << 14);
  put8(&o, 0); /* pad to even */
  return o;
}

static bytes webp_vp8x(uint32_t w, uint32_t h) {
  bytes o = webp_head("VP8X", 10);
  put8(&o, 0), put8(&o, 0), put8(&o, 0), put8(&o, 0);
  put_le24(&o, w - 1), put_le24(&o, h - 1);
  return o;
}

static int probe(const bytes *b, mc_image_info *info) {
  return mc_image_probe(b->b, b->n, info);
}

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

static int fake_add(mc_store *st, const char *pid, const json_t *image, json_t **out) {
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

static int fake_remove(mc_store *st, const char *pid, const char *iid, json_t **out) {
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

static const mc_store_ops fake_ops = {.product_image_add = fake_add, .product_image_remove = fake_remove};

static void fake_init(fake *f) {
  memset(f, 0, sizeof *f);
  f->st.ops = &fake_ops;
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
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", b.b, b.n, &info, &image, &product), MC_OK);
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
  ck_assert_int_eq(mc_images_remove(&f.st, data, "prod_1", iid), MC_OK);
  ck_assert_int_eq(json_array_size(f.images), 0);
  ck_assert_int_ne(access(path, F_OK), 0);
  ck_assert_int_eq(mc_images_remove(&f.st, data, "prod_1", iid), MC_ERR_NOT_FOUND);
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
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_unknown", b.b, b.n, &info, &image, &product), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(image);
  ck_assert_ptr_null(product);
  ck_assert_str_ne(f.seen_file, ""); /* it was there while the store decided */
  ck_assert_int_eq(count_files(data), 0);
  f.refuse = MC_ERR_INVALID; /* too many images */
  f.seen_file[0] = '\0';
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", b.b, b.n, &info, &image, NULL), MC_ERR_INVALID);
  ck_assert_str_ne(f.seen_file, "");
  ck_assert_int_eq(count_files(data), 0);
  f.refuse = MC_ERR_UNAVAILABLE;
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", b.b, b.n, &info, &image, NULL), MC_ERR_UNAVAILABLE);
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
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", (const unsigned char *)"x", 1, &none, &image, &product),
                   MC_ERR_INVALID);
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", (const unsigned char *)"x", 1, &huge, &image, &product),
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
  ck_assert_int_eq(mc_images_add(&f.st, data, "prod_1", b.b, b.n, &info, &image, &product), MC_ERR_INTERNAL);
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
  Suite *s = suite_create("images");
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
