/* money.c - int64 minor-unit arithmetic, the ISO 4217 exponent table, and strict decimal
 * parsing and formatting. Nothing here ever touches floating point. */
#include "mercato/money.h"

#include <stdio.h>
#include <string.h>

#include "mercato/err.h"

typedef struct mc_currency {
  char code[4];
  int exponent;
} mc_currency;

/* Active ISO 4217 currencies (2024 list). Fund codes (BOV, CLF, USN, ...), precious metals and
 * XDR are left out on purpose: a shop never prices goods in them. MGA and MRU are officially
 * non-decimal but ISO gives them exponent 2, and so do payment processors. */
static const mc_currency currencies[] = {
  {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
  {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
  {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
  {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2},
  {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2},
  {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
  {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2},
  {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2},
  {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
  {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2},
  {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2},
  {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
  {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
  {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
  {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
  {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2},
  {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2},
  {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VED", 2},
  {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0},
  {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

static const int64_t pow10_table[] = {1, 10, 100, 1000};

int mc_money_exponent(const char *currency) {
  if (currency == NULL || strnlen(currency, 4) != 3) return -1;
  for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++)
    if (memcmp(currencies[i].code, currency, 3) == 0) return currencies[i].exponent;
  return -1;
}

static int money_in_range(int64_t v) {
  return v >= -MC_MONEY_MAX && v <= MC_MONEY_MAX;
}

int mc_money_add(int64_t a, int64_t b, int64_t *out) {
  int64_t r;
  if (out == NULL || __builtin_add_overflow(a, b, &r) || !money_in_range(r)) return MC_ERR_INVALID;
  *out = r;
  return MC_OK;
}

int mc_money_mul(int64_t unit, int64_t qty, int64_t *out) {
  int64_t r;
  if (out == NULL || qty < 0) return MC_ERR_INVALID;
  if (__builtin_mul_overflow(unit, qty, &r) || !money_in_range(r)) return MC_ERR_INVALID;
  *out = r;
  return MC_OK;
}

int mc_money_ratio(int64_t amount, int64_t num, int64_t den, int64_t *out) {
  /* Two int64 factors never overflow 128 bits, so the product is exact and only the final,
   * rounded quotient has to fit. */
  __int128 p, q, r;

  if (out == NULL || den <= 0) return MC_ERR_INVALID;
  p = (__int128)amount * num;
  q = p / den; /* C truncates toward zero, so the remainder has p's sign */
  r = p % den;
  if (r < 0) r = -r;
  if (2 * r >= den) q += p < 0 ? -1 : 1;
  if (q < -MC_MONEY_MAX || q > MC_MONEY_MAX) return MC_ERR_INVALID;
  *out = (int64_t)q;
  return MC_OK;
}

int mc_money_format(int64_t amount, const char *currency, char *buf, size_t len) {
  int exp = mc_money_exponent(currency);
  /* Negated as unsigned so that INT64_MIN has a magnitude too. */
  uint64_t mag = amount < 0 ? -(uint64_t)amount : (uint64_t)amount;
  const char *sign = amount < 0 ? "-" : "";
  int n;

  if (exp < 0 || buf == NULL || len == 0) return MC_ERR_INVALID;
  if (exp == 0) {
    n = snprintf(buf, len, "%s%llu", sign, (unsigned long long)mag);
  } else {
    uint64_t div = (uint64_t)pow10_table[exp];
    n = snprintf(buf, len, "%s%llu.%0*llu", sign, (unsigned long long)(mag / div), exp,
                 (unsigned long long)(mag % div));
  }
  if (n < 0 || (size_t)n >= len) {
    buf[0] = '\0';
    return MC_ERR_INVALID;
  }
  return MC_OK;
}

/* Accepts exactly: an optional '-', one or more digits, and optionally '.' followed by 1 to
 * exponent digits. Leading zeros are fine ("007" is 7). No '+', no spaces, no exponent, no
 * grouping, no bare "." at either end: anything looser invites two readings of one input. */
int mc_money_parse(const char *text, const char *currency, int64_t *out) {
  int exp = mc_money_exponent(currency);
  const char *p = text;
  int negative = 0;
  int64_t v = 0;
  int frac_digits = 0;

  if (exp < 0 || text == NULL || out == NULL) return MC_ERR_INVALID;
  if (*p == '-') {
    negative = 1;
    p++;
  }
  if (*p < '0' || *p > '9') return MC_ERR_INVALID;
  /* Accumulated as a non-negative number kept within MC_MONEY_MAX, so it cannot overflow. */
  for (; *p >= '0' && *p <= '9'; p++) {
    v = v * 10 + (*p - '0');
    if (v > MC_MONEY_MAX) return MC_ERR_INVALID;
  }
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return MC_ERR_INVALID;
    for (; *p >= '0' && *p <= '9'; p++) {
      if (++frac_digits > exp) return MC_ERR_INVALID;
      v = v * 10 + (*p - '0');
      if (v > MC_MONEY_MAX) return MC_ERR_INVALID;
    }
  }
  if (*p != '\0') return MC_ERR_INVALID;
  /* Scale "12.3" up to the currency's minor units. */
  for (; frac_digits < exp; frac_digits++) {
    v *= 10;
    if (v > MC_MONEY_MAX) return MC_ERR_INVALID;
  }
  *out = negative ? -v : v;
  return MC_OK;
}
