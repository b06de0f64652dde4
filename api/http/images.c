/* images.c - product images over HTTP: POST/DELETE /api/v1/admin/products/{id}/images (raw body
 * or one multipart file, typed by content) and GET/HEAD /images/{file} with year-long caching. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "middleware.h"
#include "mercato/catalog.h"
#include "mercato/err.h"
#include "mercato/http.h"
#include "mercato/id.h"
#include "mercato/images.h"
#include "mercato/log.h"
#include "mercato/refusal.h"

/* Served with every image: an SVG opened on its own runs no script and loads nothing. */
#define IMAGE_CSP "default-src 'none'; style-src 'unsafe-inline'; sandbox"
#define IMAGE_CACHE "public, max-age=31536000, immutable"

static void body_problem(mc_http_ctx *ctx, struct _u_response *resp, int status, const char *code,
                         const char *field_code, const char *message) {
  json_t *errors = NULL;
  mc_http_add_error(&errors, "body", field_code, message);
  mc_http_problem(ctx, resp, status, code, message, errors);
}

/* Finds the file in the request: the whole body, or the one part of a multipart body. *declared
 * gets the type the client claims (borrowed from req or copied into part_type). Writes the
 * problem and returns -1 when there is none. */
static int upload_bytes(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp,
                        const unsigned char **data, size_t *len, const char **declared, char *part_type,
                        size_t part_type_len) {
  const char *ct = u_map_get_case(req->map_header, "Content-Type"), *reason = NULL;
  char detail[200];
  *data = req->binary_body;
  *len = req->binary_body_length;
  *declared = ct;
  if (mc_multipart_is(ct)) {
    if (mc_multipart_single(ct, req->binary_body, req->binary_body_length, data, len, part_type,
                            part_type_len, &reason) != MC_OK) {
      snprintf(detail, sizeof detail, "The multipart/form-data body cannot be read: %s", reason);
      mc_http_problem(ctx, resp, 400, "malformed_multipart", detail, NULL);
      return -1;
    }
    *declared = part_type;
  }
  if (*len == 0) {
    json_t *errors = NULL;
    mc_http_add_error(&errors, "body", "required", "Send the image (JPEG, PNG or WebP) as the request body.");
    mc_http_invalid(ctx, resp, errors);
    return -1;
  }
  if (*len > (size_t)ctx->app->cfg->max_image_bytes) {
    snprintf(detail, sizeof detail, "The image is larger than the %ld bytes allowed (MERCATO_MAX_IMAGE_BYTES).",
             ctx->app->cfg->max_image_bytes);
    mc_http_problem(ctx, resp, 413, "payload_too_large", detail, NULL);
    return -1;
  }
  return 0;
}

static void add_image(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const char *pid = mc_http_param(ctx, "id"), *declared;
  const unsigned char *data;
  size_t len;
  char part_type[128], message[200];
  mc_image_info info;
  json_t *image = NULL, *product = NULL;

  if (!mc_id_valid(pid, "prod")) {
    mc_http_problem(ctx, resp, 404, "not_found", "No product with this id.", NULL);
    return;
  }
  if (upload_bytes(ctx, req, resp, &data, &len, &declared, part_type, sizeof part_type) != 0) return;
  if (mc_image_probe(data, len, &info) != MC_OK) {
    body_problem(ctx, resp, 415, "unsupported_image", "unsupported_image",
                 "The body is not a JPEG, PNG or WebP image (the type is read from the content).");
    return;
  }
  if (mc_image_declared_matches(declared, info.type) != MC_OK) {
    snprintf(message, sizeof message, "The body is %s content but was declared as %.60s.", mc_image_mime(info.type),
             declared);
    body_problem(ctx, resp, 415, "image_type_mismatch", "type_mismatch", message);
    return;
  }
  if (!mc_image_dimensions_ok(&info)) {
    json_t *errors = NULL;
    snprintf(message, sizeof message, "The image is %u x %u pixels; each side must be 1 to %d.", info.width,
             info.height, MC_IMAGE_DIM_MAX);
    mc_http_add_error(&errors, "body", "dimensions_out_of_range", message);
    mc_http_invalid(ctx, resp, errors);
    return;
  }
  mc_refusal why = {0};
  int rc = mc_images_add(ctx->app->store, ctx->app->cfg->data_dir, pid, data, len, &info, &image, &product, &why);
  if (rc == MC_OK) {
    /* Cached product lists and documents hold the images: none may outlive the change. */
    mc_catalog_changed(ctx->app->kv);
    u_map_put(resp->map_header, "Location", json_string_value(json_object_get(image, "url")));
    mc_http_json(ctx, resp, 201, product ? json_pack("{s:o, s:o}", "image", image, "product", product)
                                         : json_pack("{s:o}", "image", image));
  } else {
    if (rc == MC_ERR_NOT_FOUND) mc_refuse(&why, rc, "not_found", NULL, "No product with this id.");
    mc_http_refusal(ctx, resp, rc, &why);
  }
}

static void delete_image(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const char *pid = mc_http_param(ctx, "id"), *iid = mc_http_param(ctx, "image_id");
  mc_refusal why = {0};
  (void)req;
  int rc = mc_id_valid(pid, "prod") && mc_id_valid(iid, "img")
               ? mc_images_remove(ctx->app->store, ctx->app->cfg->data_dir, pid, iid, &why)
               : MC_ERR_NOT_FOUND;
  if (rc == MC_OK) {
    mc_catalog_changed(ctx->app->kv);
    resp->status = 204;
    ctx->done = 1;
  } else {
    if (rc == MC_ERR_NOT_FOUND) mc_refuse(&why, rc, "not_found", NULL, "This product has no image with this id.");
    mc_http_refusal(ctx, resp, rc, &why);
  }
}

/* Only names this server generates are ever opened, so no path can leave the image directory:
 * there is nothing to decode, normalise or resolve. */
static void serve_image(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  const char *name = mc_http_param(ctx, "file"), *mime = mc_image_name_mime(name), *inm;
  char dir[PATH_MAX], path[PATH_MAX], etag[64];
  struct stat st;
  int fd = -1;

  if (mime && mc_image_dir(ctx->app->cfg->data_dir, dir, sizeof dir) == MC_OK &&
      (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) < sizeof path)
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    close(fd);
    fd = -1;
  }
  if (fd < 0) {
    mc_http_problem(ctx, resp, 404, "not_found", "No such image.", NULL);
    return;
  }
  snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
           (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL + (unsigned long long)st.st_mtim.tv_nsec);
  u_map_put(resp->map_header, "Cache-Control", IMAGE_CACHE);
  u_map_put(resp->map_header, "ETag", etag);
  u_map_put(resp->map_header, "Content-Security-Policy", IMAGE_CSP);
  u_map_put(resp->map_header, "X-Content-Type-Options", "nosniff");
  inm = u_map_get_case(req->map_header, "If-None-Match");
  if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
    close(fd);
    resp->status = 304;
    ctx->done = 1;
    return;
  }
  u_map_put(resp->map_header, "Content-Type", mime);
  ctx->file_fd = fd;
  ctx->file_size = (uint64_t)st.st_size;
  resp->status = 200;
  ctx->done = 1;
}

const mc_route mc_image_routes[] = {
  {"POST", "/api/v1/admin/products/:id/images", add_image, MC_ROUTE_ADMIN | MC_ROUTE_IMAGE_BODY, 0},
  {"DELETE", "/api/v1/admin/products/:id/images/:image_id", delete_image, MC_ROUTE_ADMIN, 0},
  {"GET", "/images/:file", serve_image, MC_ROUTE_PUBLIC, 0},
};
const int mc_image_routes_count = sizeof mc_image_routes / sizeof mc_image_routes[0];
