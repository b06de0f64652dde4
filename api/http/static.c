/* static.c - serves the built web app: files under the web root with their content types and
 * cache lifetimes, index.html for client-side routes, the build's gzip twin of a file (x.js.gz)
 * to clients that accept gzip, and no way out of the web root. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mercato/codec.h"
#include "middleware.h"
#include "router.h"

typedef struct mime {
  const char *ext;
  const char *type;
} mime;

static const mime mimes[] = {
  {"html", "text/html; charset=utf-8"}, {"js", "text/javascript; charset=utf-8"},
  {"mjs", "text/javascript; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
  {"json", "application/json"}, {"map", "application/json"},
  {"webmanifest", "application/manifest+json"}, {"svg", "image/svg+xml"}, {"png", "image/png"},
  {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"webp", "image/webp"}, {"avif", "image/avif"},
  {"gif", "image/gif"}, {"ico", "image/x-icon"}, {"woff2", "font/woff2"}, {"woff", "font/woff"},
  {"txt", "text/plain; charset=utf-8"}, {"xml", "application/xml"}, {"wasm", "application/wasm"},
};

static const char *content_type(const char *path) {
  const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
  if (!dot || (slash && dot < slash)) return "application/octet-stream";
  for (size_t i = 0; i < sizeof mimes / sizeof mimes[0]; i++)
    if (strcasecmp(dot + 1, mimes[i].ext) == 0) return mimes[i].type;
  return "application/octet-stream";
}

/* Rejects "." and ".." segments, empty segments and backslashes in a decoded path. */
static int safe_path(const char *p) {
  if (p[0] != '/' || strchr(p, '\\')) return 0;
  while (*p == '/') {
    const char *seg = ++p;
    while (*p && *p != '/') p++;
    size_t len = (size_t)(p - seg);
    if (len == 0 && *p == '/') return 0;
    if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.')) return 0;
  }
  return 1;
}

/* Opens web_root + rel if it resolves to a regular file inside web_root. Returns an fd or -1. */
static int open_inside(const char *web_root, const char *rel, struct stat *st) {
  char joined[PATH_MAX], real[PATH_MAX];
  size_t rootlen = strlen(web_root);
  int fd;
  if ((size_t)snprintf(joined, sizeof joined, "%s%s", web_root, rel) >= sizeof joined) return -1;
  if (!realpath(joined, real)) return -1;
  if (strncmp(real, web_root, rootlen) != 0 || real[rootlen] != '/') return -1;
  fd = open(real, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Whether the request's Accept-Encoding lists gzip without refusing it (q=0). */
static int accepts_gzip(const struct _u_request *req) {
  const char *ae = u_map_get_case(req->map_header, "Accept-Encoding");
  while (ae && *ae) {
    while (*ae == ' ' || *ae == ',') ae++;
    size_t n = strcspn(ae, ",");
    if (n >= 4 && strncasecmp(ae, "gzip", 4) == 0 && (n == 4 || ae[4] == ';' || ae[4] == ' ')) {
      const char *q = memchr(ae, '=', n);
      /* "gzip;q=0", "gzip;q=0.0" refuse it; any other weight accepts. */
      if (!q) return 1;
      for (q++; q < ae + n && (*q == '0' || *q == '.' || *q == ' '); q++) {}
      return q < ae + n;
    }
    ae += n;
  }
  return 0;
}

/* Opens the gzip twin of path (path + ".gz") when there is one. Returns an fd or -1. */
static int open_gzip_twin(const char *web_root, const char *path, struct stat *st) {
  char gz[1100];
  if ((size_t)snprintf(gz, sizeof gz, "%s.gz", path) >= sizeof gz) return -1;
  return open_inside(web_root, gz, st);
}

/* A client route looks like /products/blue-mug: no dot in its last segment. */
static int is_client_route(const char *path) {
  const char *last = strrchr(path, '/');
  return strchr(last ? last : path, '.') == NULL;
}

void mc_static_serve(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const char *root = ctx->app->web_root;
  char path[1024], etag[64];
  const char *cache, *inm;
  struct stat st, gst;
  int fd, gfd;

  if (strcmp(req->http_verb, "GET") != 0 && strcmp(req->http_verb, "HEAD") != 0) {
    u_map_put(resp->map_header, "Allow", "GET, HEAD");
    mc_http_problem(ctx, resp, 405, "method_not_allowed", "Files of the web app are read-only.", NULL);
    return;
  }
  if (!root) {
    mc_http_problem(ctx, resp, 404, "not_found",
                    "No web app is installed here (build web/ or set MERCATO_WEB_DIR).", NULL);
    return;
  }
  if (mc_percent_decode(req->url_path, strlen(req->url_path), path, sizeof path, 0) < 0 || !safe_path(path)) {
    mc_http_problem(ctx, resp, 400, "bad_path", "The path is not a valid file path.", NULL);
    return;
  }
  if (strcmp(path, "/") == 0) strcpy(path, "/index.html");
  fd = open_inside(root, path, &st);
  if (fd < 0 && is_client_route(path)) {
    strcpy(path, "/index.html");
    fd = open_inside(root, path, &st);
  }
  if (fd < 0) {
    mc_http_problem(ctx, resp, 404, "not_found", "No such file.", NULL);
    return;
  }
  /* The build writes x.gz beside x for text files; the twin is the same bytes, compressed. One
   * older than its file is left over from another build and ignored. */
  gfd = open_gzip_twin(root, path, &gst);
  if (gfd >= 0 && gst.st_mtime < st.st_mtime) {
    close(gfd);
    gfd = -1;
  }
  if (gfd >= 0) {
    u_map_put(resp->map_header, "Vary", "Accept-Encoding");
    if (accepts_gzip(req)) {
      close(fd);
      fd = gfd;
      st = gst;
      u_map_put(resp->map_header, "Content-Encoding", "gzip");
    } else {
      close(gfd);
      gfd = -1;
    }
  }
  if (strcmp(path, "/index.html") == 0) cache = "no-cache";
  else if (strncmp(path, "/assets/", 8) == 0) cache = "public, max-age=31536000, immutable";
  else cache = "public, max-age=3600";
  snprintf(etag, sizeof etag, "\"%llx-%llx%s\"", (unsigned long long)st.st_size,
           (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL + (unsigned long long)st.st_mtim.tv_nsec,
           gfd >= 0 ? "-gz" : "");
  u_map_put(resp->map_header, "Cache-Control", cache);
  u_map_put(resp->map_header, "ETag", etag);
  inm = u_map_get_case(req->map_header, "If-None-Match");
  if (inm && strstr(inm, etag)) {
    close(fd);
    resp->status = 304;
    ctx->done = 1;
    return;
  }
  u_map_put(resp->map_header, "Content-Type", content_type(path));
  ctx->file_fd = fd;
  ctx->file_size = (uint64_t)st.st_size;
  resp->status = 200;
  ctx->done = 1;
}
