/* images.h - product images without HTTP: deciding a file's type by its content, reading its
 * dimensions, taking one file out of a multipart/form-data body, and keeping the files under
 * <data_dir>/images/ in step with the store's image records. */
#ifndef MERCATO_IMAGES_H
#define MERCATO_IMAGES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mercato/id.h"
#include "mercato/refusal.h"
#include "mercato/store.h"

/* "img_" + 26 digits + ".webp" + NUL */
#define MC_IMAGE_NAME_MAX (4 + MC_ID_BODY_LEN + 5 + 1)
/* The longest part header section a multipart upload may carry. */
#define MC_MULTIPART_HEADERS_MAX 8192
#define MC_IMAGE_DIR "images"
#define MC_IMAGE_URL_PREFIX "/images/"

typedef enum mc_image_type {
  MC_IMAGE_NONE = 0,
  MC_IMAGE_JPEG,
  MC_IMAGE_PNG,
  MC_IMAGE_WEBP
} mc_image_type;

typedef struct mc_image_info {
  mc_image_type type;
  uint32_t width, height; /* as the header states them; see mc_image_dimensions_ok */
} mc_image_info;

/* Decides the type of buf[0..len) by its leading bytes alone and reads the dimensions from its
 * header: JPEG (FF D8 FF, then markers up to the first SOFn), PNG (signature, then an IHDR of 13
 * bytes whose CRC holds) or WebP (RIFF....WEBP with a VP8, VP8L or VP8X first chunk). Names and
 * declared types play no part. MC_OK with *info filled, or MC_ERR_INVALID (info->type NONE)
 * when buf is not one of these or its header is truncated or corrupt. */
int mc_image_probe(const unsigned char *buf, size_t len, mc_image_info *info);

/* 1 when both dimensions are within 1..MC_IMAGE_DIM_MAX, else 0. */
int mc_image_dimensions_ok(const mc_image_info *info);

/* The media type ("image/png") and file extension ("png") of a type; NULL for NONE. Static. */
const char *mc_image_mime(mc_image_type type);
const char *mc_image_ext(mc_image_type type);

/* Compares a declared media type (a Content-Type value: parameters and letter case ignored,
 * image/jpg taken as image/jpeg) with the type found in the content. MC_OK when they agree or
 * nothing is declared (NULL, empty, application/octet-stream); MC_ERR_CONFLICT otherwise. */
int mc_image_declared_matches(const char *declared, mc_image_type found);

/* 1 when content_type is multipart/form-data (any case, with parameters), else 0. */
int mc_multipart_is(const char *content_type);

/* Finds the one part of a multipart/form-data body (RFC 7578). content_type is the request's
 * Content-Type with its boundary parameter. On MC_OK *data and *data_len point into body
 * (borrowed) and part_type (part_type_len bytes with the NUL, at least 1) holds the part's
 * declared Content-Type, or "" when it has none. MC_ERR_INVALID, with *reason a static
 * sentence, for a missing or malformed boundary, a part header section over
 * MC_MULTIPART_HEADERS_MAX, a part that is not form-data, a missing closing delimiter, no part
 * or more than one part. Reads nothing outside body[0..len). */
int mc_multipart_single(const char *content_type, const unsigned char *body, size_t len,
                        const unsigned char **data, size_t *data_len, char *part_type,
                        size_t part_type_len, const char **reason);

/* 1 when name is an image file name this server serves, img_<26 id digits>.(jpg|png|webp|svg)
 * (svg for generated demo images), else 0. Such a name has no '/' and no "..". */
int mc_image_name_valid(const char *name);

/* The Content-Type to serve a valid image file name with, or NULL when the name is invalid. */
const char *mc_image_name_mime(const char *name);

/* Writes <data_dir>/images/ into out (len bytes). MC_ERR_INVALID when it does not fit. */
int mc_image_dir(const char *data_dir, char *out, size_t len);

/* Writes buf[0..len) to <data_dir>/images/<name> (name valid, see above): into a temporary
 * file in the same directory, fsynced, mode 0644, then renamed into place and the directory
 * fsynced, so the name only ever holds a complete file. Creates the directory (0755) if need
 * be. MC_ERR_INVALID for a bad name; MC_ERR_INTERNAL on I/O errors (logged; nothing is left
 * behind). Names are fresh ids, so an existing file of that name is not expected. */
int mc_image_file_write(const char *data_dir, const char *name, const unsigned char *buf, size_t len);

/* Removes <data_dir>/images/<name>. MC_OK (also when it was already gone), MC_ERR_INVALID for
 * a bad name, MC_ERR_INTERNAL on other errors (logged). */
int mc_image_file_remove(const char *data_dir, const char *name);

/* Takes an image document's file name out of its url ("/images/<name>") into out
 * (MC_IMAGE_NAME_MAX bytes). MC_ERR_INVALID when the url does not name a valid image file. */
int mc_image_url_name(const json_t *image, char out[MC_IMAGE_NAME_MAX]);

/* Adds a probed upload (info from mc_image_probe, dimensions checked by the caller) to a
 * product: writes the file under a new img_ id, then records it with product_image_add, and
 * removes the file again when the store refuses, so a failure leaves nothing behind. On MC_OK
 * *out_image gets the image document and *out_product (may be NULL) the updated product (new
 * references). Refusals fill why (may be NULL) as the store does: MC_ERR_NOT_FOUND for an
 * unknown product, MC_ERR_INVALID too_many_images when the product already has
 * MC_PRODUCT_IMAGES_MAX images (or without why, when info is not a probed image within the
 * bounds), MC_ERR_CONFLICT product_archived (it takes no change); MC_ERR_INTERNAL when the file
 * cannot be written, or the store's other errors. */
int mc_images_add(mc_store *st, const char *data_dir, const char *product_id, const unsigned char *buf,
                  size_t len, const mc_image_info *info, json_t **out_image, json_t **out_product, mc_refusal *why);

/* Removes an image record from a product, then its file. MC_ERR_NOT_FOUND when the product has
 * no such image, MC_ERR_CONFLICT product_archived in why (may be NULL) when the product is
 * archived (its orders still show it). A file that cannot be removed is logged and does not
 * fail the call (the record is gone, and names are never reused). */
int mc_images_remove(mc_store *st, const char *data_dir, const char *product_id, const char *image_id,
                     mc_refusal *why);

/* Removes the files of image documents (borrowed array, as product_delete hands back); errors
 * are logged. For the catalog service when it deletes a product. */
void mc_images_remove_files(const char *data_dir, const json_t *images);

#endif
