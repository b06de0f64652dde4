/* money.h - money as an int64 count of minor units plus an ISO 4217 code; never floating point.
 * Every operation checks for overflow and says so instead of wrapping. */
#ifndef MERCATO_MONEY_H
#define MERCATO_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* The largest amount accepted anywhere: 10^15 minor units (10 trillion in a 2-decimal currency),
 * so that sums of many lines and multiplications by quantities stay far from INT64_MAX. */
#define MC_MONEY_MAX INT64_C(1000000000000000)

/* Returns the number of decimal places of an ISO 4217 currency (EUR 2, JPY 0, KWD 3),
 * or -1 when the code is not a known currency. Case-sensitive: codes are upper case. */
int mc_money_exponent(const char *currency);

/* *out = a + b. MC_ERR_INVALID when the result leaves [-MC_MONEY_MAX, MC_MONEY_MAX]. */
int mc_money_add(int64_t a, int64_t b, int64_t *out);

/* *out = unit * qty (qty >= 0). MC_ERR_INVALID on overflow or a negative quantity. */
int mc_money_mul(int64_t unit, int64_t qty, int64_t *out);

/* *out = amount * num / den rounded half away from zero (for percentages: num = basis points,
 * den = 10000). den > 0. MC_ERR_INVALID on overflow or a bad denominator. */
int mc_money_ratio(int64_t amount, int64_t num, int64_t den, int64_t *out);

/* Formats amount in currency as a plain decimal ("12.34", "-0.05", "1000" for JPY) into buf.
 * Returns MC_OK, MC_ERR_INVALID for an unknown currency or a buffer too small. */
int mc_money_format(int64_t amount, const char *currency, char *buf, size_t len);

/* Parses a plain decimal ("12.3", "12.34", "-7") into minor units of currency. Accepted:
 * an optional '-', one or more digits (leading zeros allowed), then optionally '.' and 1 to
 * exponent digits; the result within +-MC_MONEY_MAX. Everything else is MC_ERR_INVALID: more
 * decimals than the currency has, '+', spaces, "1.", ".5", exponents, grouping separators. */
int mc_money_parse(const char *text, const char *currency, int64_t *out);

#endif
