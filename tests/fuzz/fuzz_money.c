/* fuzz_money.c - the money parser and formatter: a parsed amount stays in range, formats back to
 * a string that parses to the same amount, and the arithmetic helpers never wrap. Input: the first
 * byte picks a currency, the rest is the text (and, as integers, the arithmetic operands). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/err.h"
#include "mercato/money.h"

static const char *const currencies[] = {"EUR", "USD", "JPY", "KWD", "GBP", "CLF", "XXX"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[128], buf[64];
  int64_t amount, again, r, a = 0, b = 0;

  if (size < 1 || size > sizeof text) return 0;
  const char *cur = currencies[data[0] % (sizeof currencies / sizeof currencies[0])];
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  if (mc_money_parse(text, cur, &amount) == MC_OK) {
    if (amount > MC_MONEY_MAX || amount < -MC_MONEY_MAX) abort();
    if (mc_money_format(amount, cur, buf, sizeof buf) != MC_OK) abort();
    if (mc_money_parse(buf, cur, &again) != MC_OK || again != amount) abort();
  }
  if (size >= 17) {
    memcpy(&a, data + 1, sizeof a);
    memcpy(&b, data + 9, sizeof b);
    if (mc_money_add(a, b, &r) == MC_OK && (r > MC_MONEY_MAX || r < -MC_MONEY_MAX)) abort();
    if (mc_money_mul(a, b, &r) == MC_OK && (r > MC_MONEY_MAX || r < -MC_MONEY_MAX || b < 0)) abort();
    if (mc_money_ratio(a, b, 10000, &r) == MC_OK && (r > MC_MONEY_MAX || r < -MC_MONEY_MAX)) abort();
  }
  return 0;
}
