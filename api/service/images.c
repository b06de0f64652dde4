/* images.c - product images without HTTP: type by content (magic bytes) and dimensions from the
 * header, the one file of a multipart/form-data upload, and image files under <data_dir>/images/. */
#include "mercato/images.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mercato/err.h"
#include "mercato/fsutil.h"
#include "mercato/log.h"

/* ---- reading headers --------------------------------------------------------------------- */

static uint32_t be16(const unsigned char *p) {
  return (uint32_t)p[0] << 8 | p[1];
}
static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t le16(const unsigned char *p) {
  return (uint32_t)p[1] << 8 | p[0];
}
static uint32_t le24(const unsigned char *p) {
  return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[3] << 24 | le24(p);
}

/* CRC-32 (ISO-HDLC, as PNG uses it) of n bytes; bitwise, since only IHDR's 17 bytes need it. */
static uint32_t crc32_of(const unsigned char *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

/* SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but not. */
static int jpeg_is_sof(unsigned m) {
  return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* Walks the marker segments after SOI up to the first SOFn. A scan (SOS), EOI, a second SOI,
 * or bytes that are not a marker where one must be, come before any frame header only in
 * files that are not JPEGs or are broken. */
static int probe_jpeg(const unsigned char *b, size_t len, mc_image_info *info) {
  size_t pos = 2;
  if (len < 4 || b[0] != 0xff || b[1] != 0xd8 || b[2] != 0xff) return MC_ERR_INVALID;
  for (;;) {
    if (pos >= len || b[pos] != 0xff) return MC_ERR_INVALID;
    while (pos < len && b[pos] == 0xff) pos++; /* fill bytes */
    if (pos >= len) return MC_ERR_INVALID;
    unsigned m = b[pos++];
    if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; /* TEM, RSTn: no length */
    if (m == 0x00 || m == 0xd8 || m == 0xd9 || m == 0xda) return MC_ERR_INVALID;
    if (len - pos < 2) return MC_ERR_INVALID;
    size_t seglen = be16(b + pos);
    if (seglen < 2) return MC_ERR_INVALID;
    if (jpeg_is_sof(m)) {
      /* length(2) precision(1) height(2) width(2) components(1) */
      if (seglen < 8 || len - pos < 8) return MC_ERR_INVALID;
      info->height = be16(b + pos + 3);
      info->width = be16(b + pos + 5);
      info->type = MC_IMAGE_JPEG;
      return MC_OK;
    }
    if (len - pos < seglen) return MC_ERR_INVALID;
    pos += seglen;
  }
}

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};

/* The bit depths PNG allows for each colour type (a bit set per depth 1, 2, 4, 8, 16). */
static int png_depth_ok(unsigned color, unsigned depth) {
  unsigned bit = depth == 1 ? 1u : depth == 2 ? 2u : depth == 4 ? 4u : depth == 8 ? 8u : depth == 16 ? 16u : 0u;
  static const unsigned allowed[7] = {[0] = 1 | 2 | 4 | 8 | 16, [2] = 8 | 16, [3] = 1 | 2 | 4 | 8,
                                      [4] = 8 | 16, [6] = 8 | 16};
  return color < 7 && (allowed[color] & bit) != 0;
}

/* Signature, then IHDR as the first chunk: length 13, checked fields, CRC. */
static int probe_png(const unsigned char *b, size_t len, mc_image_info *info) {
  if (len < 8 + 8 + 13 + 4 || memcmp(b, png_signature, 8) != 0) return MC_ERR_INVALID;
  if (be32(b + 8) != 13 || memcmp(b + 12, "IHDR", 4) != 0) return MC_ERR_INVALID;
  const unsigned char *d = b + 16;
  if (!png_depth_ok(d[9], d[8]) || d[10] != 0 || d[11] != 0 || d[12] > 1) return MC_ERR_INVALID;
  if (crc32_of(b + 12, 4 + 13) != be32(b + 29)) return MC_ERR_INVALID;
  info->width = be32(d);
  info->height = be32(d + 4);
  info->type = MC_IMAGE_PNG;
  return MC_OK;
}

/* RIFF <size> WEBP, then the first chunk: VP8 (lossy), VP8L (lossless) or VP8X (extended). */
static int probe_webp(const unsigned char *b, size_t len, mc_image_info *info) {
  if (len < 20 || memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WEBP", 4) != 0) return MC_ERR_INVALID;
  uint32_t riff = le32(b + 4), chunk = le32(b + 16);
  /* The RIFF size covers everything after its own 8 bytes; a file shorter than it says is cut. */
  if (riff < 12 || (size_t)riff > len - 8 || chunk > riff - 12) return MC_ERR_INVALID;
  const unsigned char *c = b + 20;
  if (memcmp(b + 12, "VP8 ", 4) == 0) {
    if (chunk < 10 || len < 30) return MC_ERR_INVALID;
    uint32_t tag = le24(c);
    /* a key frame (bit 0 clear), version 0..3, shown, then the start code 9D 01 2A */
    if ((tag & 1) || ((tag >> 1) & 7) > 3 || !((tag >> 4) & 1)) return MC_ERR_INVALID;
    if (c[3] != 0x9d || c[4] != 0x01 || c[5] != 0x2a) return MC_ERR_INVALID;
    info->width = le16(c + 6) & 0x3fff;
    info->height = le16(c + 8) & 0x3fff;
  } else if (memcmp(b + 12, "VP8L", 4) == 0) {
    if (chunk < 5 || len < 25 || c[0] != 0x2f) return MC_ERR_INVALID;
    uint32_t bits = le32(c + 1);
    if (bits >> 29) return MC_ERR_INVALID; /* version must be 0 */
    info->width = (bits & 0x3fff) + 1;
    info->height = ((bits >> 14) & 0x3fff) + 1;
  } else if (memcmp(b + 12, "VP8X", 4) == 0) {
    if (chunk < 10 || len < 30) return MC_ERR_INVALID;
    info->width = le24(c + 4) + 1;
    info->height = le24(c + 7) + 1;
  } else {
    return MC_ERR_INVALID;
  }
  info->type = MC_IMAGE_WEBP;
  return MC_OK;
}

int mc_image_probe(const unsigned char *buf, size_t len, mc_image_info *info) {
  memset(info, 0, sizeof *info);
  if (!buf || len < 4) return MC_ERR_INVALID;
  int rc = buf[0] == 0xff ? probe_jpeg(buf, len, info)
           : buf[0] == 0x89 ? probe_png(buf, len, info)
           : buf[0] == 'R'  ? probe_webp(buf, len, info)
                            : MC_ERR_INVALID;
  if (rc != MC_OK) memset(info, 0, sizeof *info);
  return rc;
}

int mc_image_dimensions_ok(const mc_image_info *info) {
  return info->width >= 1 && info->width <= MC_IMAGE_DIM_MAX && info->height >= 1 &&
         info->height <= MC_IMAGE_DIM_MAX;
}

const char *mc_image_mime(mc_image_type type) {
  switch (type) {
  case MC_IMAGE_JPEG: return "image/jpeg";
  case MC_IMAGE_PNG: return "image/png";
  case MC_IMAGE_WEBP: return "image/webp";
  default: return NULL;
  }
}

const char *mc_image_ext(mc_image_type type) {
  switch (type) {
  case MC_IMAGE_JPEG: return "jpg";
  case MC_IMAGE_PNG: return "png";
  case MC_IMAGE_WEBP: return "webp";
  default: return NULL;
  }
}

/* Length of the media type at the start of a Content-Type value (up to ';' or blank), after
 * leading blanks; *start gets where it begins. */
static size_t media_type(const char *ct, const char **start) {
  while (*ct == ' ' || *ct == '\t') ct++;
  *start = ct;
  size_t n = strcspn(ct, "; \t");
  return n;
}

static int media_is(const char *s, size_t n, const char *want) {
  return n == strlen(want) && strncasecmp(s, want, n) == 0;
}

int mc_image_declared_matches(const char *declared, mc_image_type found) {
  const char *s;
  if (!declared) return MC_OK;
  size_t n = media_type(declared, &s);
  if (n == 0 || media_is(s, n, "application/octet-stream")) return MC_OK;
  if (found == MC_IMAGE_JPEG && media_is(s, n, "image/jpg")) return MC_OK;
  const char *mime = mc_image_mime(found);
  return mime && media_is(s, n, mime) ? MC_OK : MC_ERR_CONFLICT;
}

/* ---- multipart/form-data ----------------------------------------------------------------- */

int mc_multipart_is(const char *content_type) {
  const char *s;
  if (!content_type) return 0;
  size_t n = media_type(content_type, &s);
  return media_is(s, n, "multipart/form-data");
}

/* RFC 2046 bchars: what a boundary may hold (a space, but not at the end). */
static int bchar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         strchr("'()+_,-./:=? ", c) != NULL;
}

/* Copies the boundary parameter of a multipart Content-Type (token or quoted string) into
 * out[71]. MC_ERR_INVALID when there is none or it breaks RFC 2046 (1..70 bchars). */
static int boundary_of(const char *ct, char out[71]) {
  const char *p = strchr(ct, ';');
  while (p && *p == ';') {
    p++;
    while (*p == ' ' || *p == '\t') p++;
    const char *name = p;
    while (*p && *p != '=' && *p != ';') p++;
    size_t namelen = (size_t)(p - name);
    while (namelen && (name[namelen - 1] == ' ' || name[namelen - 1] == '\t')) namelen--;
    if (*p != '=') continue;
    p++;
    while (*p == ' ' || *p == '\t') p++;
    size_t n = 0;
    int quoted = *p == '"';
    if (quoted) {
      for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) p++;
        if (n == 70) return MC_ERR_INVALID;
        out[n++] = *p;
      }
      if (*p != '"') return MC_ERR_INVALID;
      p++;
    } else {
      for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
        if (n == 70) return MC_ERR_INVALID;
        out[n++] = *p;
      }
    }
    out[n] = '\0';
    while (*p && *p != ';') p++;
    if (namelen != 8 || strncasecmp(name, "boundary", 8) != 0) continue;
    if (n == 0 || out[n - 1] == ' ') return MC_ERR_INVALID;
    for (size_t i = 0; i < n; i++)
      if (!bchar((unsigned char)out[i])) return MC_ERR_INVALID;
    return MC_OK;
  }
  return MC_ERR_INVALID;
}

/* After a delimiter at p: "--" closes the body (returns 1), optional blanks then CRLF start a
 * part (returns 0, *next after the CRLF), anything else is malformed (-1). */
static int after_delimiter(const unsigned char *p, const unsigned char *end, const unsigned char **next) {
  *next = p;
  if (end - p >= 2 && p[0] == '-' && p[1] == '-') return 1;
  while (p < end && (*p == ' ' || *p == '\t')) p++;
  if (end - p < 2 || p[0] != '\r' || p[1] != '\n') return -1;
  *next = p + 2;
  return 0;
}

/* Parses the header lines of one part, hdr[0..n) (each line ends with CRLF). Checks
 * Content-Disposition is form-data and copies Content-Type into part_type. */
static int part_headers(const unsigned char *hdr, size_t n, char *part_type, size_t part_type_len,
                        const char **reason) {
  int disposition = 0;
  part_type[0] = '\0';
  while (n > 0) {
    size_t linelen = 0;
    while (linelen < n && !(hdr[linelen] == '\r' && linelen + 1 < n && hdr[linelen + 1] == '\n')) linelen++;
    int eol = linelen < n;
    const unsigned char *colon = memchr(hdr, ':', linelen);
    if (!colon || colon == hdr) {
      *reason = "A part header line is not \"Name: value\".";
      return MC_ERR_INVALID;
    }
    size_t namelen = (size_t)(colon - hdr);
    const unsigned char *v = colon + 1, *vend = hdr + linelen;
    while (v < vend && (*v == ' ' || *v == '\t')) v++;
    while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) vend--;
    size_t vlen = (size_t)(vend - v);
    if (memchr(v, '\0', vlen)) {
      *reason = "A part header contains a NUL byte.";
      return MC_ERR_INVALID;
    }
    if (namelen == 19 && strncasecmp((const char *)hdr, "Content-Disposition", 19) == 0) {
      if (vlen < 9 || strncasecmp((const char *)v, "form-data", 9) != 0 ||
          (vlen > 9 && v[9] != ';' && v[9] != ' ' && v[9] != '\t')) {
        *reason = "The part's Content-Disposition is not form-data.";
        return MC_ERR_INVALID;
      }
      disposition = 1;
    } else if (namelen == 12 && strncasecmp((const char *)hdr, "Content-Type", 12) == 0) {
      if (vlen >= part_type_len) {
        *reason = "The part's Content-Type is too long.";
        return MC_ERR_INVALID;
      }
      memcpy(part_type, v, vlen);
      part_type[vlen] = '\0';
    }
    if (!eol) break;
    n -= linelen + 2;
    hdr += linelen + 2;
  }
  if (!disposition) {
    *reason = "The part has no Content-Disposition: form-data header.";
    return MC_ERR_INVALID;
  }
  return MC_OK;
}

int mc_multipart_single(const char *content_type, const unsigned char *body, size_t len,
                        const unsigned char **data, size_t *data_len, char *part_type,
                        size_t part_type_len, const char **reason) {
  char boundary[71], delim[2 + 2 + 70 + 1]; /* CRLF "--" boundary */
  const unsigned char *end = body + len, *p, *next = NULL;
  static const char *dummy;
  if (!reason) reason = &dummy;
  *data = NULL;
  *data_len = 0;
  if (part_type_len > 0) part_type[0] = '\0';
  if (!mc_multipart_is(content_type) || part_type_len == 0 || boundary_of(content_type, boundary) != MC_OK) {
    *reason = "The Content-Type needs a boundary parameter of 1 to 70 characters.";
    return MC_ERR_INVALID;
  }
  size_t dl = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", boundary);
  if (!body || len == 0) {
    *reason = "The multipart body is empty.";
    return MC_ERR_INVALID;
  }
  /* The first delimiter opens the body or follows a preamble; it has no CRLF before it. */
  if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
    p = body + dl - 2;
  } else {
    const unsigned char *d = memmem(body, len, delim, dl);
    if (!d) {
      *reason = "The body holds no delimiter of the declared boundary.";
      return MC_ERR_INVALID;
    }
    p = d + dl;
  }
  int closing = after_delimiter(p, end, &next);
  if (closing != 0) {
    *reason = closing == 1 ? "The multipart body has no part." : "A boundary delimiter is malformed.";
    return MC_ERR_INVALID;
  }
  /* The part's header section ends at the first empty line; with no headers it is empty. */
  const unsigned char *hdr = next, *content;
  size_t hdrlen;
  if (end - hdr >= 2 && hdr[0] == '\r' && hdr[1] == '\n') {
    hdrlen = 0;
    content = hdr + 2;
  } else {
    size_t window = (size_t)(end - hdr);
    if (window > MC_MULTIPART_HEADERS_MAX + 4) window = MC_MULTIPART_HEADERS_MAX + 4;
    const unsigned char *blank = memmem(hdr, window, "\r\n\r\n", 4);
    if (!blank) {
      *reason = "The part's headers do not end within the allowed size.";
      return MC_ERR_INVALID;
    }
    hdrlen = (size_t)(blank - hdr) + 2;
    content = blank + 4;
  }
  if (part_headers(hdr, hdrlen, part_type, part_type_len, reason) != MC_OK) return MC_ERR_INVALID;
  const unsigned char *close = memmem(content, (size_t)(end - content), delim, dl);
  if (!close) {
    *reason = "The multipart body ends without a closing delimiter.";
    return MC_ERR_INVALID;
  }
  closing = after_delimiter(close + dl, end, &next);
  if (closing != 1) {
    *reason = closing == 0 ? "Send exactly one part: the image file." : "A boundary delimiter is malformed.";
    return MC_ERR_INVALID;
  }
  *data = content;
  *data_len = (size_t)(close - content);
  return MC_OK;
}

/* ---- files ------------------------------------------------------------------------------- */

static int id_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

int mc_image_name_valid(const char *name) {
  return mc_image_name_mime(name) != NULL;
}

const char *mc_image_name_mime(const char *name) {
  static const struct {
    const char *ext, *mime;
  } exts[] = {{"jpg", "image/jpeg"}, {"png", "image/png"}, {"webp", "image/webp"}, {"svg", "image/svg+xml"}};
  if (!name || strncmp(name, "img_", 4) != 0) return NULL;
  for (int i = 0; i < MC_ID_BODY_LEN; i++)
    if (!id_digit(name[4 + i])) return NULL;
  const char *dot = name + 4 + MC_ID_BODY_LEN;
  if (*dot != '.') return NULL;
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
    if (strcmp(dot + 1, exts[i].ext) == 0) return exts[i].mime;
  return NULL;
}

int mc_image_dir(const char *data_dir, char *out, size_t len) {
  if (!data_dir || !data_dir[0]) return MC_ERR_INVALID;
  int n = snprintf(out, len, "%s/%s", data_dir, MC_IMAGE_DIR);
  return n > 0 && (size_t)n < len ? MC_OK : MC_ERR_INVALID;
}

/* Makes the data written before it durable in dir's listing (the rename). */
static void sync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  if (fsync(fd) != 0) mc_warn("images", "fsync of %s failed: %s", dir, strerror(errno));
  close(fd);
}

int mc_image_file_write(const char *data_dir, const char *name, const unsigned char *buf, size_t len) {
  char dir[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX];
  int fd = -1, rc = MC_ERR_INTERNAL;
  if (!mc_image_name_valid(name) || mc_image_dir(data_dir, dir, sizeof dir) != MC_OK) return MC_ERR_INVALID;
  if ((size_t)snprintf(final, sizeof final, "%s/%s", dir, name) >= sizeof final ||
      (size_t)snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name) >= sizeof tmp)
    return MC_ERR_INVALID;
  if (mc_mkdirs(dir, 0755) != MC_OK) {
    mc_error("images", "cannot create the image directory %s", dir);
    return MC_ERR_INTERNAL;
  }
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    mc_error("images", "cannot create %s: %s", tmp, strerror(errno));
    return MC_ERR_INTERNAL;
  }
  /* The umask may have taken bits away; images are public, whoever serves them. */
  if (fchmod(fd, 0644) != 0) goto fail;
  for (size_t off = 0; off < len;) {
    ssize_t n = write(fd, buf + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) goto fail;
    off += (size_t)n;
  }
  if (fsync(fd) != 0) goto fail;
  if (close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  fd = -1;
  if (rename(tmp, final) != 0) goto fail;
  sync_dir(dir);
  return MC_OK;
fail:
  mc_error("images", "cannot write the image %s: %s", name, strerror(errno));
  if (fd >= 0) close(fd);
  unlink(tmp);
  return rc;
}

int mc_image_file_remove(const char *data_dir, const char *name) {
  char dir[PATH_MAX], path[PATH_MAX];
  if (!mc_image_name_valid(name) || mc_image_dir(data_dir, dir, sizeof dir) != MC_OK) return MC_ERR_INVALID;
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return MC_ERR_INVALID;
  if (unlink(path) != 0 && errno != ENOENT) {
    mc_error("images", "cannot remove the image %s: %s", name, strerror(errno));
    return MC_ERR_INTERNAL;
  }
  return MC_OK;
}

int mc_image_url_name(const json_t *image, char out[MC_IMAGE_NAME_MAX]) {
  const char *url = json_string_value(json_object_get(image, "url"));
  size_t plen = strlen(MC_IMAGE_URL_PREFIX);
  out[0] = '\0';
  if (!url || strncmp(url, MC_IMAGE_URL_PREFIX, plen) != 0 || !mc_image_name_valid(url + plen))
    return MC_ERR_INVALID;
  if (strlen(url + plen) >= MC_IMAGE_NAME_MAX) return MC_ERR_INVALID;
  strcpy(out, url + plen);
  return MC_OK;
}

/* ---- images of products ------------------------------------------------------------------- */

int mc_images_add(mc_store *st, const char *data_dir, const char *product_id, const unsigned char *buf,
                  size_t len, const mc_image_info *info, json_t **out_image, json_t **out_product, mc_refusal *why) {
  /* sized for any id (the compiler cannot know that img_ ids are the short ones) */
  char id[MC_ID_MAX], name[MC_ID_MAX + 8], url[sizeof MC_IMAGE_URL_PREFIX + sizeof name];
  const char *mime = mc_image_mime(info->type), *ext = mc_image_ext(info->type);
  json_t *image = NULL;
  int rc;
  *out_image = NULL;
  if (out_product) *out_product = NULL;
  if (!mime || !mc_image_dimensions_ok(info)) return MC_ERR_INVALID;
  if ((rc = mc_id_new("img", id)) != MC_OK) return rc;
  snprintf(name, sizeof name, "%s.%s", id, ext);
  snprintf(url, sizeof url, "%s%s", MC_IMAGE_URL_PREFIX, name);
  image = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "id", id, "url", url, "content_type", mime, "width",
                    (json_int_t)info->width, "height", (json_int_t)info->height, "bytes", (json_int_t)len);
  if (!image) return MC_ERR_INTERNAL;
  /* A file that cannot be written is the server's problem, never the client's input. */
  if (mc_image_file_write(data_dir, name, buf, len) != MC_OK) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  rc = mc_store_product_image_add(st, product_id, image, out_product, why);
  if (rc != MC_OK) {
    /* Nothing half-done: the file goes with the refused record. */
    mc_image_file_remove(data_dir, name);
    goto done;
  }
  mc_info("images", "added image %s (%s, %ux%u, %zu bytes) to product %s", id, mime, info->width,
          info->height, len, product_id);
  *out_image = image;
  image = NULL;
done:
  json_decref(image);
  return rc;
}

int mc_images_remove(mc_store *st, const char *data_dir, const char *product_id, const char *image_id,
                     mc_refusal *why) {
  json_t *image = NULL;
  char name[MC_IMAGE_NAME_MAX];
  int rc = mc_store_product_image_remove(st, product_id, image_id, &image, why);
  if (rc != MC_OK) return rc;
  /* The record goes first: a file without a record is harmless, a record without its file is
   * a broken image on the shop. */
  if (mc_image_url_name(image, name) == MC_OK) mc_image_file_remove(data_dir, name);
  else mc_warn("images", "image %s of product %s has no file name in its url; no file removed", image_id, product_id);
  mc_info("images", "removed image %s from product %s", image_id, product_id);
  json_decref(image);
  return MC_OK;
}

void mc_images_remove_files(const char *data_dir, const json_t *images) {
  size_t i;
  const json_t *image;
  char name[MC_IMAGE_NAME_MAX];
  json_array_foreach(images, i, image) {
    if (mc_image_url_name(image, name) == MC_OK) mc_image_file_remove(data_dir, name);
  }
}
