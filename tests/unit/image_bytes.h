/* image_bytes.h - what the image suites share (test_image_parsing.c, test_image_files.c): small
 * PNG, JPEG and WebP files built byte by byte, and the probe run on them. */
#ifndef MERCATO_TEST_IMAGE_BYTES_H
#define MERCATO_TEST_IMAGE_BYTES_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mercato/images.h"

typedef struct bytes {
  unsigned char b[256];
  size_t n;
} bytes;

static inline void put(bytes *o, const void *p, size_t n) {
  ck_assert_uint_le(o->n + n, sizeof o->b);
  memcpy(o->b + o->n, p, n);
  o->n += n;
}
static inline void put8(bytes *o, unsigned v) {
  unsigned char c = (unsigned char)v;
  put(o, &c, 1);
}
static inline void put_be16(bytes *o, unsigned v) {
  put8(o, v >> 8), put8(o, v);
}
static inline void put_be32(bytes *o, uint32_t v) {
  put8(o, v >> 24), put8(o, v >> 16), put8(o, v >> 8), put8(o, v);
}
static inline void put_le16(bytes *o, unsigned v) {
  put8(o, v), put8(o, v >> 8);
}
static inline void put_le24(bytes *o, uint32_t v) {
  put8(o, v), put8(o, v >> 8), put8(o, v >> 16);
}
static inline void put_le32(bytes *o, uint32_t v) {
  put_le24(o, v), put8(o, v >> 24);
}

/* CRC-32 written out independently of the code under test (table-driven, zlib's layout). */
static inline uint32_t test_crc32(const unsigned char *p, size_t n) {
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
static inline bytes png(uint32_t w, uint32_t h, unsigned depth, unsigned color) {
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
static inline bytes jpeg(unsigned sof, unsigned w, unsigned h) {
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

static inline bytes webp_head(const char *fourcc, uint32_t chunk) {
  bytes o = {.n = 0};
  uint32_t padded = chunk + (chunk & 1);
  put(&o, "RIFF", 4);
  put_le32(&o, 4 + 8 + padded);
  put(&o, "WEBP", 4);
  put(&o, fourcc, 4);
  put_le32(&o, chunk);
  return o;
}

static inline bytes webp_vp8(unsigned w, unsigned h) {
  bytes o = webp_head("VP8 ", 10);
  put8(&o, 0x10), put8(&o, 0), put8(&o, 0); /* key frame, version 0, shown */
  put8(&o, 0x9d), put8(&o, 0x01), put8(&o, 0x2a);
  put_le16(&o, w), put_le16(&o, h);
  return o;
}

static inline bytes webp_vp8l(unsigned w, unsigned h) {
  bytes o = webp_head("VP8L", 5);
  put8(&o, 0x2f);
  put_le32(&o, (uint32_t)(w - 1) | (uint32_t)(h - 1) << 14);
  put8(&o, 0); /* pad to even */
  return o;
}

static inline bytes webp_vp8x(uint32_t w, uint32_t h) {
  bytes o = webp_head("VP8X", 10);
  put8(&o, 0), put8(&o, 0), put8(&o, 0), put8(&o, 0);
  put_le24(&o, w - 1), put_le24(&o, h - 1);
  return o;
}

static inline int probe(const bytes *b, mc_image_info *info) {
  return mc_image_probe(b->b, b->n, info);
}

#endif
