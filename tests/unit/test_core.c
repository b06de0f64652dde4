/* test_core.c - unit tests for the core helpers: ids, money, fsutil and rand.
 * Each test states one behaviour; the names read as the specification. */
#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mercato/digest.h"
#include "mercato/err.h"
#include "mercato/fsutil.h"
#include "mercato/id.h"
#include "mercato/money.h"
#include "mercato/rand.h"

static const char body_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp((const char *)a, (const char *)b);
}

/* ---- ids ---- */

START_TEST(id_has_prefix_underscore_and_26_base32_digits) {
  char id[MC_ID_MAX];
  ck_assert_int_eq(mc_id_new("prod", id), MC_OK);
  ck_assert_uint_eq(strlen(id), 4 + 1 + MC_ID_BODY_LEN);
  ck_assert(strncmp(id, "prod_", 5) == 0);
  for (size_t i = 5; id[i] != '\0'; i++) ck_assert_ptr_nonnull(strchr(body_alphabet, id[i]));
  ck_assert(id[5] <= '7'); /* 128 bits in 130: the top digit holds 3 bits */
  ck_assert_int_eq(mc_id_valid(id, "prod"), 1);
  ck_assert_int_eq(mc_id_valid(id, "ord"), 0);
  ck_assert_int_eq(mc_id_valid(id, "pro"), 0);
  ck_assert_int_eq(mc_id_valid(id, "prodx"), 0);
}
END_TEST

START_TEST(id_accepts_prefixes_of_1_to_8_lower_case_letters_only) {
  char id[MC_ID_MAX];
  ck_assert_int_eq(mc_id_new("a", id), MC_OK);
  ck_assert_int_eq(mc_id_new("abcdefgh", id), MC_OK);
  ck_assert_uint_eq(strlen(id), MC_ID_MAX - 1);
  ck_assert_int_eq(mc_id_valid(id, "abcdefgh"), 1);
  ck_assert_int_eq(mc_id_new("", id), MC_ERR_INVALID);
  ck_assert_int_eq(mc_id_new("abcdefghi", id), MC_ERR_INVALID);
  ck_assert_int_eq(mc_id_new("Prod", id), MC_ERR_INVALID);
  ck_assert_int_eq(mc_id_new("pr0d", id), MC_ERR_INVALID);
  ck_assert_int_eq(mc_id_new("pr_d", id), MC_ERR_INVALID);
  ck_assert_int_eq(mc_id_new(NULL, id), MC_ERR_INVALID);
}
END_TEST

START_TEST(id_valid_rejects_malformed_ids) {
  char id[MC_ID_MAX];
  char bad[MC_ID_MAX + 8];
  ck_assert_int_eq(mc_id_new("ord", id), MC_OK);

  ck_assert_int_eq(mc_id_valid(NULL, "ord"), 0);
  ck_assert_int_eq(mc_id_valid(id, NULL), 0);
  ck_assert_int_eq(mc_id_valid("", "ord"), 0);
  ck_assert_int_eq(mc_id_valid("ord_", "ord"), 0);
  ck_assert_int_eq(mc_id_valid(id + 4, ""), 0); /* no prefix at all */
  /* Too short, too long. */
  snprintf(bad, sizeof bad, "%.*s", (int)strlen(id) - 1, id);
  ck_assert_int_eq(mc_id_valid(bad, "ord"), 0);
  snprintf(bad, sizeof bad, "%s0", id);
  ck_assert_int_eq(mc_id_valid(bad, "ord"), 0);
  /* Upper case and the letters Crockford leaves out are not canonical. */
  const char subst[] = {'A', 'i', 'l', 'o', 'u', '-', ' '};
  for (size_t i = 0; i < sizeof subst; i++) {
    strcpy(bad, id);
    bad[10] = subst[i];
    ck_assert_int_eq(mc_id_valid(bad, "ord"), 0);
  }
  /* A first digit above 7 would need 129 or 130 bits. */
  strcpy(bad, id);
  bad[4] = '8';
  ck_assert_int_eq(mc_id_valid(bad, "ord"), 0);
  /* The separator must be there. */
  strcpy(bad, id);
  bad[3] = '-';
  ck_assert_int_eq(mc_id_valid(bad, "ord"), 0);
  int64_t ms;
  ck_assert_int_eq(mc_id_time_ms(bad, &ms), MC_ERR_INVALID);
}
END_TEST

#define MANY_IDS 100000

/* Counts adjacent pairs of ids[0..n) that are not in strictly increasing order. Loops count
 * problems and assert once, because every Check assertion records a mark point and 100k of
 * them would dominate the run time. */
static int count_out_of_order(char (*ids)[MC_ID_MAX], int n) {
  int bad = 0;
  for (int i = 1; i < n; i++)
    if (strcmp(ids[i - 1], ids[i]) >= 0) bad++;
  return bad;
}

START_TEST(id_100k_are_unique_and_sort_in_creation_order) {
  char (*ids)[MC_ID_MAX] = calloc(MANY_IDS, MC_ID_MAX);
  int failures = 0, same_ms_pairs = 0, time_going_back = 0;
  int64_t prev_ms = 0, ms = 0;
  ck_assert_ptr_nonnull(ids);
  for (int i = 0; i < MANY_IDS; i++)
    if (mc_id_new("evt", ids[i]) != MC_OK) failures++;
  ck_assert_int_eq(failures, 0);
  /* Creation order is string order, also within one millisecond. */
  ck_assert_int_eq(count_out_of_order(ids, MANY_IDS), 0);
  for (int i = 0; i < MANY_IDS; i++) {
    if (mc_id_time_ms(ids[i], &ms) != MC_OK) failures++;
    if (i > 0 && ms < prev_ms) time_going_back++;
    if (i > 0 && ms == prev_ms) same_ms_pairs++;
    prev_ms = ms;
  }
  ck_assert_int_eq(failures, 0);
  ck_assert_int_eq(time_going_back, 0);
  /* The burst must really have had many ids per millisecond to prove anything. */
  ck_assert_int_gt(same_ms_pairs, 1000);
  /* Strictly increasing already implies unique; sorting a copy checks it independently. */
  qsort(ids, MANY_IDS, MC_ID_MAX, cmp_str);
  ck_assert_int_eq(count_out_of_order(ids, MANY_IDS), 0);
  free(ids);
}
END_TEST

START_TEST(id_time_is_the_creation_millisecond) {
  char id[MC_ID_MAX];
  int64_t before = now_ms(), after, ms;
  ck_assert_int_eq(mc_id_new("user", id), MC_OK);
  after = now_ms();
  ck_assert_int_eq(mc_id_time_ms(id, &ms), MC_OK);
  ck_assert(ms >= before && ms <= after);
  /* Known encodings: the first 10 digits are the timestamp. */
  ck_assert_int_eq(mc_id_time_ms("x_00000000010000000000000000", &ms), MC_OK);
  ck_assert_int_eq(ms, 1);
  ck_assert_int_eq(mc_id_time_ms("x_7zzzzzzzzzzzzzzzzzzzzzzzzz", &ms), MC_OK);
  ck_assert_int_eq(ms, (INT64_C(1) << 48) - 1);
  ck_assert_int_eq(mc_id_time_ms("x_01", &ms), MC_ERR_INVALID);
  ck_assert_int_eq(mc_id_time_ms(NULL, &ms), MC_ERR_INVALID);
}
END_TEST

#define ID_THREADS 4
#define IDS_PER_THREAD 25000

static void *make_ids(void *arg) {
  char (*ids)[MC_ID_MAX] = arg;
  for (int i = 0; i < IDS_PER_THREAD; i++)
    if (mc_id_new("cart", ids[i]) != MC_OK) return (void *)1;
  return NULL;
}

START_TEST(id_concurrent_generation_has_no_duplicates) {
  char (*ids)[MC_ID_MAX] = calloc(ID_THREADS * IDS_PER_THREAD, MC_ID_MAX);
  pthread_t th[ID_THREADS];
  ck_assert_ptr_nonnull(ids);
  for (int t = 0; t < ID_THREADS; t++)
    ck_assert_int_eq(pthread_create(&th[t], NULL, make_ids, ids + t * IDS_PER_THREAD), 0);
  for (int t = 0; t < ID_THREADS; t++) {
    void *res;
    ck_assert_int_eq(pthread_join(th[t], &res), 0);
    ck_assert_ptr_null(res);
  }
  /* Each thread's ids still come out in order. */
  for (int t = 0; t < ID_THREADS; t++)
    ck_assert_int_eq(count_out_of_order(ids + t * IDS_PER_THREAD, IDS_PER_THREAD), 0);
  qsort(ids, ID_THREADS * IDS_PER_THREAD, MC_ID_MAX, cmp_str);
  ck_assert_int_eq(count_out_of_order(ids, ID_THREADS * IDS_PER_THREAD), 0);
  free(ids);
}
END_TEST

/* ---- money ---- */

START_TEST(money_exponents_follow_iso_4217) {
  ck_assert_int_eq(mc_money_exponent("EUR"), 2);
  ck_assert_int_eq(mc_money_exponent("USD"), 2);
  ck_assert_int_eq(mc_money_exponent("GBP"), 2);
  ck_assert_int_eq(mc_money_exponent("CHF"), 2);
  ck_assert_int_eq(mc_money_exponent("JPY"), 0);
  ck_assert_int_eq(mc_money_exponent("KRW"), 0);
  ck_assert_int_eq(mc_money_exponent("ISK"), 0);
  ck_assert_int_eq(mc_money_exponent("BHD"), 3);
  ck_assert_int_eq(mc_money_exponent("KWD"), 3);
  ck_assert_int_eq(mc_money_exponent("JOD"), 3);
  ck_assert_int_eq(mc_money_exponent("OMR"), 3);
  ck_assert_int_eq(mc_money_exponent("TND"), 3);
}
END_TEST

START_TEST(money_unknown_or_malformed_currency_has_no_exponent) {
  ck_assert_int_eq(mc_money_exponent("eur"), -1);
  ck_assert_int_eq(mc_money_exponent("XXX"), -1);
  ck_assert_int_eq(mc_money_exponent("EURO"), -1);
  ck_assert_int_eq(mc_money_exponent("EU"), -1);
  ck_assert_int_eq(mc_money_exponent(""), -1);
  ck_assert_int_eq(mc_money_exponent(NULL), -1);
}
END_TEST

START_TEST(money_add_checks_the_range) {
  int64_t r = 42;
  ck_assert_int_eq(mc_money_add(1999, 1, &r), MC_OK);
  ck_assert_int_eq(r, 2000);
  ck_assert_int_eq(mc_money_add(-500, 200, &r), MC_OK);
  ck_assert_int_eq(r, -300);
  ck_assert_int_eq(mc_money_add(MC_MONEY_MAX, 0, &r), MC_OK);
  ck_assert_int_eq(mc_money_add(MC_MONEY_MAX, 1, &r), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_add(-MC_MONEY_MAX, -1, &r), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_add(INT64_MAX, 1, &r), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_add(INT64_MIN, -1, &r), MC_ERR_INVALID);
  ck_assert_int_eq(r, MC_MONEY_MAX); /* the failures left the last result alone */
}
END_TEST

START_TEST(money_mul_checks_overflow_and_quantity) {
  int64_t r = 0;
  ck_assert_int_eq(mc_money_mul(1250, 3, &r), MC_OK);
  ck_assert_int_eq(r, 3750);
  ck_assert_int_eq(mc_money_mul(1250, 0, &r), MC_OK);
  ck_assert_int_eq(r, 0);
  ck_assert_int_eq(mc_money_mul(-100, 2, &r), MC_OK);
  ck_assert_int_eq(r, -200);
  ck_assert_int_eq(mc_money_mul(100, -1, &r), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_mul(MC_MONEY_MAX / 2 + 1, 2, &r), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_mul(INT64_MAX, 2, &r), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_mul(INT64_C(1) << 32, INT64_C(1) << 32, &r), MC_ERR_INVALID);
}
END_TEST

START_TEST(money_ratio_rounds_half_away_from_zero) {
  int64_t r = 0;
  ck_assert_int_eq(mc_money_ratio(1000, 1500, 10000, &r), MC_OK); /* 15% of 10.00 */
  ck_assert_int_eq(r, 150);
  ck_assert_int_eq(mc_money_ratio(5, 1, 2, &r), MC_OK); /* 2.5 */
  ck_assert_int_eq(r, 3);
  ck_assert_int_eq(mc_money_ratio(-5, 1, 2, &r), MC_OK); /* -2.5 */
  ck_assert_int_eq(r, -3);
  ck_assert_int_eq(mc_money_ratio(5, -1, 2, &r), MC_OK);
  ck_assert_int_eq(r, -3);
  ck_assert_int_eq(mc_money_ratio(14, 1, 10, &r), MC_OK); /* 1.4 */
  ck_assert_int_eq(r, 1);
  ck_assert_int_eq(mc_money_ratio(-14, 1, 10, &r), MC_OK);
  ck_assert_int_eq(r, -1);
  ck_assert_int_eq(mc_money_ratio(16, 1, 10, &r), MC_OK);
  ck_assert_int_eq(r, 2);
  ck_assert_int_eq(mc_money_ratio(-16, 1, 10, &r), MC_OK);
  ck_assert_int_eq(r, -2);
  ck_assert_int_eq(mc_money_ratio(1, 1, 3, &r), MC_OK);
  ck_assert_int_eq(r, 0);
  ck_assert_int_eq(mc_money_ratio(2, 1, 3, &r), MC_OK);
  ck_assert_int_eq(r, 1);
  ck_assert_int_eq(mc_money_ratio(0, 7, 3, &r), MC_OK);
  ck_assert_int_eq(r, 0);
  /* 1999 * 8.25% = 164.9175 */
  ck_assert_int_eq(mc_money_ratio(1999, 825, 10000, &r), MC_OK);
  ck_assert_int_eq(r, 165);
}
END_TEST

START_TEST(money_ratio_never_overflows_in_between) {
  int64_t r = 0;
  /* amount * num is far beyond int64, the result is not. */
  ck_assert_int_eq(mc_money_ratio(MC_MONEY_MAX, INT64_MAX, INT64_MAX, &r), MC_OK);
  ck_assert_int_eq(r, MC_MONEY_MAX);
  ck_assert_int_eq(mc_money_ratio(-MC_MONEY_MAX, INT64_MAX - 1, INT64_MAX, &r), MC_OK);
  ck_assert_int_eq(r, -MC_MONEY_MAX);
  ck_assert_int_eq(mc_money_ratio(INT64_MIN, INT64_MIN, INT64_MAX, &r), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_ratio(MC_MONEY_MAX, 3, 2, &r), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_ratio(100, 1, 0, &r), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_ratio(100, 1, -2, &r), MC_ERR_INVALID);
}
END_TEST

START_TEST(money_format_writes_plain_decimals) {
  char buf[32];
  ck_assert_int_eq(mc_money_format(1234, "EUR", buf, sizeof buf), MC_OK);
  ck_assert_str_eq(buf, "12.34");
  ck_assert_int_eq(mc_money_format(-5, "EUR", buf, sizeof buf), MC_OK);
  ck_assert_str_eq(buf, "-0.05");
  ck_assert_int_eq(mc_money_format(0, "USD", buf, sizeof buf), MC_OK);
  ck_assert_str_eq(buf, "0.00");
  ck_assert_int_eq(mc_money_format(1000, "JPY", buf, sizeof buf), MC_OK);
  ck_assert_str_eq(buf, "1000");
  ck_assert_int_eq(mc_money_format(-7, "KRW", buf, sizeof buf), MC_OK);
  ck_assert_str_eq(buf, "-7");
  ck_assert_int_eq(mc_money_format(1234, "KWD", buf, sizeof buf), MC_OK);
  ck_assert_str_eq(buf, "1.234");
  ck_assert_int_eq(mc_money_format(1, "BHD", buf, sizeof buf), MC_OK);
  ck_assert_str_eq(buf, "0.001");
  ck_assert_int_eq(mc_money_format(INT64_MIN, "EUR", buf, sizeof buf), MC_OK);
  ck_assert_str_eq(buf, "-92233720368547758.08");
}
END_TEST

START_TEST(money_format_rejects_unknown_currency_and_short_buffer) {
  char buf[6];
  ck_assert_int_eq(mc_money_format(1234, "EUR", buf, sizeof buf), MC_OK); /* "12.34" fits */
  ck_assert_int_eq(mc_money_format(12345, "EUR", buf, sizeof buf), MC_ERR_INVALID);
  ck_assert_str_eq(buf, "");
  ck_assert_int_eq(mc_money_format(1, "XXX", buf, sizeof buf), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_format(1, "EUR", buf, 0), MC_ERR_INVALID);
}
END_TEST

START_TEST(money_parse_reads_plain_decimals) {
  int64_t v = 0;
  ck_assert_int_eq(mc_money_parse("12.34", "EUR", &v), MC_OK);
  ck_assert_int_eq(v, 1234);
  ck_assert_int_eq(mc_money_parse("12.3", "EUR", &v), MC_OK);
  ck_assert_int_eq(v, 1230);
  ck_assert_int_eq(mc_money_parse("12", "EUR", &v), MC_OK);
  ck_assert_int_eq(v, 1200);
  ck_assert_int_eq(mc_money_parse("-7", "EUR", &v), MC_OK);
  ck_assert_int_eq(v, -700);
  ck_assert_int_eq(mc_money_parse("-0.05", "EUR", &v), MC_OK);
  ck_assert_int_eq(v, -5);
  ck_assert_int_eq(mc_money_parse("007", "EUR", &v), MC_OK); /* leading zeros are accepted */
  ck_assert_int_eq(v, 700);
  ck_assert_int_eq(mc_money_parse("-0", "EUR", &v), MC_OK);
  ck_assert_int_eq(v, 0);
  ck_assert_int_eq(mc_money_parse("1000", "JPY", &v), MC_OK);
  ck_assert_int_eq(v, 1000);
  ck_assert_int_eq(mc_money_parse("1.234", "KWD", &v), MC_OK);
  ck_assert_int_eq(v, 1234);
  ck_assert_int_eq(mc_money_parse("10000000000000.00", "EUR", &v), MC_OK);
  ck_assert_int_eq(v, MC_MONEY_MAX);
  ck_assert_int_eq(mc_money_parse("-10000000000000", "EUR", &v), MC_OK);
  ck_assert_int_eq(v, -MC_MONEY_MAX);
}
END_TEST

START_TEST(money_parse_rejects_anything_but_a_plain_decimal) {
  static const char *const bad[] = {
    "1.234", "1e3",   "+-1",     "+1",    " 1",   "1 ",    "",          "1.",
    ".5",    "-",     "--1",     "-.5",   "1,00", "1,000.00", "0x10",  "1.2.3",
    "12a",   "1_000", "\xef\xbc\x91", "10000000000000.01", "99999999999999999999999999",
  };
  int64_t v = 77;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(mc_money_parse(bad[i], "EUR", &v) == MC_ERR_INVALID, "accepted \"%s\"", bad[i]);
  ck_assert_int_eq(v, 77);
  ck_assert_int_eq(mc_money_parse("100.0", "JPY", &v), MC_ERR_INVALID); /* JPY has no decimals */
  ck_assert_int_eq(mc_money_parse("1.2345", "KWD", &v), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_parse("1", "XXX", &v), MC_ERR_INVALID);
  ck_assert_int_eq(mc_money_parse(NULL, "EUR", &v), MC_ERR_INVALID);
}
END_TEST

START_TEST(money_format_and_parse_round_trip) {
  static const char *const currencies[] = {"EUR", "JPY", "KWD", "USD"};
  static const int64_t amounts[] = {0, 1, -1, 9, 10, 99, 100, 101, 12345, -12345, 1000000,
                                    MC_MONEY_MAX, -MC_MONEY_MAX, MC_MONEY_MAX - 1};
  char buf[32];
  for (size_t c = 0; c < sizeof currencies / sizeof currencies[0]; c++) {
    for (size_t a = 0; a < sizeof amounts / sizeof amounts[0]; a++) {
      int64_t back = 0;
      ck_assert_int_eq(mc_money_format(amounts[a], currencies[c], buf, sizeof buf), MC_OK);
      ck_assert_int_eq(mc_money_parse(buf, currencies[c], &back), MC_OK);
      ck_assert_msg(back == amounts[a], "%s %s came back as %lld", buf, currencies[c],
                    (long long)back);
    }
  }
}
END_TEST

/* ---- fsutil ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void make_tmpdir(char *buf, size_t len) {
  const char *tmp = getenv("TMPDIR");
  snprintf(buf, len, "%s/mercato-core-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(buf));
}

static void write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

START_TEST(mkdirs_creates_missing_parents_and_accepts_existing) {
  char base[PATH_MAX], path[PATH_MAX + 32];
  struct stat sb;
  make_tmpdir(base, sizeof base);
  snprintf(path, sizeof path, "%s/a/b//c/", base);
  ck_assert_int_eq(mc_mkdirs(path, 0700), MC_OK);
  snprintf(path, sizeof path, "%s/a/b/c", base);
  ck_assert_int_eq(stat(path, &sb), 0);
  ck_assert(S_ISDIR(sb.st_mode));
  ck_assert_int_eq(sb.st_mode & 0777, 0700);
  ck_assert_int_eq(mc_mkdirs(path, 0700), MC_OK); /* again: already there */
  ck_assert_int_eq(mc_mkdirs(base, 0700), MC_OK);
  ck_assert_int_eq(nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

START_TEST(mkdirs_refuses_a_file_in_the_way) {
  char base[PATH_MAX], path[PATH_MAX + 32];
  make_tmpdir(base, sizeof base);
  snprintf(path, sizeof path, "%s/f", base);
  write_file(path, "x", 1);
  ck_assert_int_eq(mc_mkdirs(path, 0700), MC_ERR_INVALID);
  snprintf(path, sizeof path, "%s/f/sub", base);
  ck_assert_int_eq(mc_mkdirs(path, 0700), MC_ERR_INVALID);
  ck_assert_int_eq(mc_mkdirs("", 0700), MC_ERR_INVALID);
  ck_assert_int_eq(mc_mkdirs(NULL, 0700), MC_ERR_INVALID);
  ck_assert_int_eq(nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

START_TEST(read_file_returns_the_whole_file_nul_terminated) {
  char base[PATH_MAX], path[PATH_MAX + 32];
  char *data = NULL, *big;
  size_t len = 99;
  make_tmpdir(base, sizeof base);
  snprintf(path, sizeof path, "%s/hello", base);
  write_file(path, "hello", 5);
  ck_assert_int_eq(mc_read_file(path, 100, &data, &len), MC_OK);
  ck_assert_uint_eq(len, 5);
  ck_assert_str_eq(data, "hello");
  free(data);
  ck_assert_int_eq(mc_read_file(path, 5, &data, NULL), MC_OK); /* exactly max is fine */
  ck_assert_str_eq(data, "hello");
  free(data);
  /* Larger than the first read buffer, so it has to grow. */
  big = malloc(100000);
  ck_assert_ptr_nonnull(big);
  for (size_t i = 0; i < 100000; i++) big[i] = (char)('a' + i % 26);
  snprintf(path, sizeof path, "%s/big", base);
  write_file(path, big, 100000);
  ck_assert_int_eq(mc_read_file(path, 1 << 20, &data, &len), MC_OK);
  ck_assert_uint_eq(len, 100000);
  ck_assert(memcmp(data, big, len) == 0 && data[len] == '\0');
  free(data);
  free(big);
  /* Empty file. */
  snprintf(path, sizeof path, "%s/empty", base);
  write_file(path, "", 0);
  ck_assert_int_eq(mc_read_file(path, 0, &data, &len), MC_OK);
  ck_assert_uint_eq(len, 0);
  ck_assert_str_eq(data, "");
  free(data);
  ck_assert_int_eq(nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

START_TEST(read_file_reads_files_whose_size_is_unknown) {
  char *data = NULL;
  size_t len = 0;
  /* /proc files report a size of 0 yet have content. */
  ck_assert_int_eq(mc_read_file("/proc/self/status", 1 << 20, &data, &len), MC_OK);
  ck_assert_uint_gt(len, 0);
  ck_assert_uint_eq(strlen(data), len);
  free(data);
  ck_assert_int_eq(mc_read_file("/proc/self/status", 10, &data, &len), MC_ERR_INVALID);
  ck_assert_ptr_null(data);
}
END_TEST

START_TEST(read_file_reports_missing_too_large_and_directories) {
  char base[PATH_MAX], path[PATH_MAX + 32];
  char *data = (char *)1;
  size_t len = 99;
  make_tmpdir(base, sizeof base);
  snprintf(path, sizeof path, "%s/missing", base);
  ck_assert_int_eq(mc_read_file(path, 100, &data, &len), MC_ERR_NOT_FOUND);
  ck_assert_ptr_null(data);
  snprintf(path, sizeof path, "%s/five", base);
  write_file(path, "12345", 5);
  ck_assert_int_eq(mc_read_file(path, 4, &data, &len), MC_ERR_INVALID);
  ck_assert_ptr_null(data);
  ck_assert_int_eq(mc_read_file(base, 100, &data, &len), MC_ERR_INVALID);
  ck_assert_int_eq(nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

/* ---- rand ---- */

START_TEST(rand_hex_writes_2n_hex_digits) {
  char a[65], b[65];
  ck_assert_int_eq(mc_rand_hex(a, 32), MC_OK);
  ck_assert_uint_eq(strlen(a), 64);
  ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 64);
  ck_assert_int_eq(mc_rand_hex(b, 32), MC_OK);
  ck_assert_str_ne(a, b);
  ck_assert_int_eq(mc_rand_hex(a, 0), MC_OK);
  ck_assert_str_eq(a, "");
  /* Longer than rand.c's internal chunk. */
  char *big = malloc(2 * 200 + 1);
  ck_assert_ptr_nonnull(big);
  ck_assert_int_eq(mc_rand_hex(big, 200), MC_OK);
  ck_assert_uint_eq(strlen(big), 400);
  free(big);
}
END_TEST

START_TEST(sha256_hex_matches_the_standard_vectors_and_cuts_where_asked) {
  char out[MC_SHA256_HEX_LEN + 1];

  mc_sha256_hex("abc", 3, out, MC_SHA256_HEX_LEN);
  ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  mc_sha256_hex("", 0, out, MC_SHA256_HEX_LEN);
  ck_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  mc_sha256_hex("abc", 3, out, 16);
  ck_assert_str_eq(out, "ba7816bf8f01cfea");
  mc_sha256_hex("abc", 3, out, 3); /* an odd count ends on the high nibble of a byte */
  ck_assert_str_eq(out, "ba7");
  mc_sha256_hex("abc", 3, out, 1000); /* clamped to the digest */
  ck_assert_uint_eq(strlen(out), MC_SHA256_HEX_LEN);
}
END_TEST

static Suite *core_suite(void) {
  Suite *s = suite_create("core");
  TCase *id = tcase_create("id");
  TCase *money = tcase_create("money");
  TCase *fs = tcase_create("fsutil");
  TCase *rnd = tcase_create("rand");

  tcase_add_test(id, id_has_prefix_underscore_and_26_base32_digits);
  tcase_add_test(id, id_accepts_prefixes_of_1_to_8_lower_case_letters_only);
  tcase_add_test(id, id_valid_rejects_malformed_ids);
  tcase_add_test(id, id_100k_are_unique_and_sort_in_creation_order);
  tcase_add_test(id, id_time_is_the_creation_millisecond);
  tcase_add_test(id, id_concurrent_generation_has_no_duplicates);
  suite_add_tcase(s, id);

  tcase_add_test(money, money_exponents_follow_iso_4217);
  tcase_add_test(money, money_unknown_or_malformed_currency_has_no_exponent);
  tcase_add_test(money, money_add_checks_the_range);
  tcase_add_test(money, money_mul_checks_overflow_and_quantity);
  tcase_add_test(money, money_ratio_rounds_half_away_from_zero);
  tcase_add_test(money, money_ratio_never_overflows_in_between);
  tcase_add_test(money, money_format_writes_plain_decimals);
  tcase_add_test(money, money_format_rejects_unknown_currency_and_short_buffer);
  tcase_add_test(money, money_parse_reads_plain_decimals);
  tcase_add_test(money, money_parse_rejects_anything_but_a_plain_decimal);
  tcase_add_test(money, money_format_and_parse_round_trip);
  suite_add_tcase(s, money);

  tcase_add_test(fs, mkdirs_creates_missing_parents_and_accepts_existing);
  tcase_add_test(fs, mkdirs_refuses_a_file_in_the_way);
  tcase_add_test(fs, read_file_returns_the_whole_file_nul_terminated);
  tcase_add_test(fs, read_file_reads_files_whose_size_is_unknown);
  tcase_add_test(fs, read_file_reports_missing_too_large_and_directories);
  suite_add_tcase(s, fs);

  tcase_add_test(rnd, rand_hex_writes_2n_hex_digits);
  tcase_add_test(rnd, sha256_hex_matches_the_standard_vectors_and_cuts_where_asked);
  suite_add_tcase(s, rnd);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(core_suite());
  int failed;

  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
