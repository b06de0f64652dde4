/* log.h - one-line log records to stderr, each starting with a time, a level and an area.
 * Never log a password, token, secret or a full card-like number. */
#ifndef MERCATO_LOG_H
#define MERCATO_LOG_H

typedef enum mc_log_level {
  MC_LOG_DEBUG = 0,
  MC_LOG_INFO,
  MC_LOG_WARN,
  MC_LOG_ERROR
} mc_log_level;

/* Sets the lowest level written; thread-safe (an atomic store). */
void mc_log_set_level(mc_log_level level);
mc_log_level mc_log_get_level(void);

/* Parses "debug", "info", "warn" or "error"; returns -1 for anything else. */
int mc_log_parse_level(const char *name);

/* Writes one line: "<UTC time> <LEVEL> <area> <message>". area is e.g. "http", "store.sqlite".
 * The line is written with a single write(2), so lines from several threads never interleave. */
void mc_log(mc_log_level level, const char *area, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

#define mc_debug(area, ...) mc_log(MC_LOG_DEBUG, area, __VA_ARGS__)
#define mc_info(area, ...) mc_log(MC_LOG_INFO, area, __VA_ARGS__)
#define mc_warn(area, ...) mc_log(MC_LOG_WARN, area, __VA_ARGS__)
#define mc_error(area, ...) mc_log(MC_LOG_ERROR, area, __VA_ARGS__)

#endif
