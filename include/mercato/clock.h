/* clock.h - wall-clock time in milliseconds since the epoch, and its one text form: RFC 3339 in
 * UTC with milliseconds ("2026-11-21T15:30:46.233Z"), used by every canonical document. */
#ifndef MERCATO_CLOCK_H
#define MERCATO_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Room for a formatted time and its NUL ("YYYY-MM-DDTHH:MM:SS.mmmZ" is 24 bytes). */
#define MC_TIME_STR_MAX 32

/* The earliest and latest times mc_time_format_ms accepts: 0000-01-01T00:00:00.000Z and
 * 9999-12-31T23:59:59.999Z, the years RFC 3339 can spell with four digits. */
#define MC_TIME_MS_MIN INT64_C(-62167219200000)
#define MC_TIME_MS_MAX INT64_C(253402300799999)

/* Milliseconds since the epoch (CLOCK_REALTIME, so it can step when the system clock is set). */
int64_t mc_now_ms(void);

/* Writes ms (since the epoch) to out as "YYYY-MM-DDTHH:MM:SS.mmmZ". MC_ERR_INVALID, with out
 * set to "", when ms is outside MC_TIME_MS_MIN..MC_TIME_MS_MAX. Thread-safe. */
int mc_time_format_ms(int64_t ms, char out[MC_TIME_STR_MAX]);

/* Parses an RFC 3339 date-time ("2026-11-21T15:30:46.233Z", "2026-11-21T16:30:46+01:00"; 'T'
 * and 'Z' in either case; any number of fraction digits, cut to the millisecond, towards the
 * past) into ms since the epoch. len is the text's length in bytes (it need not be
 * NUL-terminated). MC_ERR_INVALID for anything else, an impossible date or time (Feb 30, 24:00,
 * a leap second), or an instant outside MC_TIME_MS_MIN..MC_TIME_MS_MAX. Thread-safe. */
int mc_time_parse_ms(const char *s, size_t len, int64_t *out);

#endif
