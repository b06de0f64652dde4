/* clock.c - wall-clock milliseconds and their RFC 3339 UTC form, shared by the stores so that
 * every adapter writes the same text for the same instant. */
#include "mercato/clock.h"

#include <time.h>

#include "mercato/err.h"

int64_t mc_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes v (0 <= v < 10^n, which the range check guarantees) as exactly n decimal digits. */
static void put_digits(char *p, int v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    p[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

int mc_time_format_ms(int64_t ms, char out[MC_TIME_STR_MAX]) {
  /* Floor division, so that a time before 1970 still has a millisecond part in 0..999. */
  int64_t sec = ms / 1000;
  int millis = (int)(ms % 1000);
  time_t t;
  struct tm tm;

  out[0] = '\0';
  if (ms < MC_TIME_MS_MIN || ms > MC_TIME_MS_MAX) return MC_ERR_INVALID;
  if (millis < 0) {
    millis += 1000;
    sec -= 1;
  }
  t = (time_t)sec;
  if ((int64_t)t != sec || gmtime_r(&t, &tm) == NULL) return MC_ERR_INVALID;
  put_digits(out, tm.tm_year + 1900, 4);
  out[4] = '-';
  put_digits(out + 5, tm.tm_mon + 1, 2);
  out[7] = '-';
  put_digits(out + 8, tm.tm_mday, 2);
  out[10] = 'T';
  put_digits(out + 11, tm.tm_hour, 2);
  out[13] = ':';
  put_digits(out + 14, tm.tm_min, 2);
  out[16] = ':';
  put_digits(out + 17, tm.tm_sec, 2); /* 60 for a leap second, which CLOCK_REALTIME never shows */
  out[19] = '.';
  put_digits(out + 20, millis, 3);
  out[23] = 'Z';
  out[24] = '\0';
  return MC_OK;
}
