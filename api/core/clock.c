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

/* Reads n decimal digits at p; -1 unless all n are digits. */
static int get_digits(const char *p, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm:
 * years start in March, so the leap day is the last day of its year). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int mc_time_parse_ms(const char *s, size_t len, int64_t *out) {
  static const int month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year, month, day, hour, minute, second, millis = 0, offset_min = 0;
  size_t i = 19;
  int64_t ms;

  *out = 0;
  /* "YYYY-MM-DDTHH:MM:SS", then an optional fraction, then Z or +HH:MM / -HH:MM. */
  if (s == NULL || len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':')
    return MC_ERR_INVALID;
  year = get_digits(s, 4);
  month = get_digits(s + 5, 2);
  day = get_digits(s + 8, 2);
  hour = get_digits(s + 11, 2);
  minute = get_digits(s + 14, 2);
  second = get_digits(s + 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1] ||
      hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
    return MC_ERR_INVALID;
  if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
    return MC_ERR_INVALID;
  if (s[i] == '.') {
    size_t first = ++i;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
      if (i - first < 3) millis = millis * 10 + (s[i] - '0');
    if (i == first) return MC_ERR_INVALID;
    for (size_t n = i - first; n < 3; n++) millis *= 10;
  }
  if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = get_digits(s + i + 1, 2), om = get_digits(s + i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return MC_ERR_INVALID;
    offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return MC_ERR_INVALID;
  }
  if (i != len) return MC_ERR_INVALID;
  ms = ((days_from_civil(year, month, day) * 24 + hour) * 60 + minute - offset_min) * 60 + second;
  ms = ms * 1000 + millis;
  if (ms < MC_TIME_MS_MIN || ms > MC_TIME_MS_MAX) return MC_ERR_INVALID;
  *out = ms;
  return MC_OK;
}
