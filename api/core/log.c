/* log.c - one-line log records on stderr with a UTC timestamp, a level and an area.
 * Each record is formatted into a stack buffer and written with one write(2). */
#include "mercato/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_level = MC_LOG_INFO;

void mc_log_set_level(mc_log_level level) {
  atomic_store(&log_level, (int)level);
}

mc_log_level mc_log_get_level(void) {
  return (mc_log_level)atomic_load(&log_level);
}

int mc_log_parse_level(const char *name) {
  static const char *names[] = {"debug", "info", "warn", "error"};
  if (name == NULL) return -1;
  for (int i = 0; i < 4; i++)
    if (strcmp(name, names[i]) == 0) return i;
  return -1;
}

void mc_log(mc_log_level level, const char *area, const char *fmt, ...) {
  static const char *labels[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  char line[2048];
  struct timespec ts;
  struct tm tm;
  size_t n;
  va_list ap;

  if ((int)level < atomic_load(&log_level)) return;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
  int h = snprintf(line + n, sizeof line - n, ".%03ldZ %s %.64s ", ts.tv_nsec / 1000000L,
                   labels[level], area);
  n += h > 0 ? (size_t)h : 0; /* area is capped at 64 bytes, so the header always fits */
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - n, fmt, ap);
  va_end(ap);
  if (m < 0) m = 0;
  n += (size_t)m;
  if (n > sizeof line - 2) n = sizeof line - 2; /* truncated: keep the newline */
  line[n++] = '\n';
  ssize_t w = write(STDERR_FILENO, line, n);
  (void)w;
}
