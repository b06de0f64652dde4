/* fsutil.c - small file-system helpers: mkdir -p, and reading a whole small file with a cap so
 * that a mistaken path (a log, a device) cannot make the server allocate without bound. */
#include "mercato/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mercato/err.h"

/* Creates one directory; an existing directory counts as success, anything else in the way
 * (a file, a dangling component) is MC_ERR_INVALID. */
static int mkdir_one(const char *path, mode_t mode) {
  struct stat sb;

  if (mkdir(path, mode) == 0) return MC_OK;
  if (errno == ENOTDIR) return MC_ERR_INVALID;
  if (errno != EEXIST) return MC_ERR_INTERNAL;
  /* EEXIST says nothing about what exists; stat follows a symlink to a directory, which is
   * what mkdir -p accepts too. */
  if (stat(path, &sb) != 0) return MC_ERR_INTERNAL;
  return S_ISDIR(sb.st_mode) ? MC_OK : MC_ERR_INVALID;
}

int mc_mkdirs(const char *path, mode_t mode) {
  char *copy = NULL;
  int rc = MC_ERR_INVALID;

  if (path == NULL || path[0] == '\0') goto done;
  copy = strdup(path);
  if (copy == NULL) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  /* Each parent in turn; p starts past the first character so an absolute path does not try
   * to create "" (the root). */
  for (char *p = copy + 1; *p != '\0'; p++) {
    if (*p != '/' || p[-1] == '/') continue;
    *p = '\0';
    rc = mkdir_one(copy, mode);
    *p = '/';
    if (rc != MC_OK) goto done;
  }
  rc = mkdir_one(copy, mode);
done:
  free(copy);
  return rc;
}

int mc_read_file(const char *path, size_t max, char **out, size_t *out_len) {
  struct stat sb;
  char *buf = NULL;
  size_t cap = 0, len = 0;
  int fd = -1;
  int rc = MC_ERR_INTERNAL;

  if (path == NULL || out == NULL) return MC_ERR_INVALID;
  /* A cap nobody could allocate means "no cap"; clamping keeps cap * 2 and max + 1 exact. */
  if (max > SIZE_MAX / 4) max = SIZE_MAX / 4;
  *out = NULL;
  if (out_len != NULL) *out_len = 0;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    rc = errno == ENOENT ? MC_ERR_NOT_FOUND : MC_ERR_INTERNAL;
    goto done;
  }
  if (fstat(fd, &sb) != 0) goto done;
  if (S_ISDIR(sb.st_mode)) {
    rc = MC_ERR_INVALID;
    goto done;
  }
  /* st_size is only a hint (files under /proc say 0), so we read until EOF and stop one byte
   * past max to tell "exactly max" from "too large". */
  cap = sb.st_size > 0 && (size_t)sb.st_size <= max ? (size_t)sb.st_size + 1 : 4096;
  if (cap > max + 1) cap = max + 1;
  buf = malloc(cap);
  if (buf == NULL) goto done;
  for (;;) {
    ssize_t n;
    if (len == cap) {
      size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
      char *nbuf;
      if (ncap == cap) {
        rc = MC_ERR_INVALID; /* more than max bytes */
        goto done;
      }
      nbuf = realloc(buf, ncap);
      if (nbuf == NULL) goto done;
      buf = nbuf;
      cap = ncap;
    }
    n = read(fd, buf + len, cap - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      goto done;
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  /* Room for the NUL: a read only runs with free space left, so at EOF len < cap. */
  buf[len] = '\0';
  *out = buf;
  buf = NULL;
  if (out_len != NULL) *out_len = len;
  rc = MC_OK;
done:
  if (fd >= 0) close(fd);
  free(buf);
  return rc;
}
