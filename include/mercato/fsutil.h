/* fsutil.h - small file-system helpers: make a directory tree, read a whole small file. */
#ifndef MERCATO_FSUTIL_H
#define MERCATO_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Creates path and its missing parents with mode (like mkdir -p). MC_OK if it exists already as a
 * directory; MC_ERR_INVALID if something else is in the way; MC_ERR_INTERNAL otherwise. */
int mc_mkdirs(const char *path, mode_t mode);

/* Reads the whole file at path (at most max bytes) into a new NUL-terminated buffer the caller
 * frees; out_len may be NULL. MC_ERR_NOT_FOUND if missing, MC_ERR_INVALID if larger than max or
 * a directory, MC_ERR_INTERNAL on I/O. *out is NULL on failure. */
int mc_read_file(const char *path, size_t max, char **out, size_t *out_len);

#endif
