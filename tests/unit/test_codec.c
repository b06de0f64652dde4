/* test_codec.c - unit tests for core's codecs: UTF-8, percent-decoding, base64 and hex.
 * Each test states one behaviour; the names read as the specification. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mercato/codec.h"

/* mc_utf8_valid over a string literal of n bytes (NULs inside count). */
#define VALID(lit) mc_utf8_valid(lit, sizeof lit - 1)

/* ---- UTF-8 ---- */

START_TEST(utf8_decode_reads_one_to_four_byte_sequences_and_their_code_points) {
  uint32_t cp = 0;
  ck_assert_uint_eq(mc_utf8_decode("A", 1, &cp), 1);
  ck_assert_uint_eq(cp, 0x41);
  ck_assert_uint_eq(mc_utf8_decode("\xc3\xa9", 2, &cp), 2);
  ck_assert_uint_eq(cp, 0xe9);
  ck_assert_uint_eq(mc_utf8_decode("\xe2\x82\xac", 3, &cp), 3);
  ck_assert_uint_eq(cp, 0x20ac);
  ck_assert_uint_eq(mc_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
  ck_assert_uint_eq(cp, 0x1f600);
  ck_assert_uint_eq(mc_utf8_decode("\xf4\x8f\xbf\xbf", 4, NULL), 4); /* U+10FFFF, the last */
  ck_assert_uint_eq(mc_utf8_decode("\xc2\x80", 2, &cp), 2);          /* U+0080, the first of two bytes */
  ck_assert_uint_eq(cp, 0x80);
  ck_assert_uint_eq(mc_utf8_decode("\xed\x9f\xbf", 3, &cp), 3); /* U+D7FF, just below the surrogates */
  ck_assert_uint_eq(mc_utf8_decode("\xee\x80\x80", 3, &cp), 3); /* U+E000, just above them */
  ck_assert_uint_eq(cp, 0xe000);
}
END_TEST

START_TEST(utf8_refuses_overlong_forms) {
  ck_assert_uint_eq(mc_utf8_decode("\xc0\xaf", 2, NULL), 0);         /* '/' in two bytes */
  ck_assert_uint_eq(mc_utf8_decode("\xc1\xbf", 2, NULL), 0);
  ck_assert_uint_eq(mc_utf8_decode("\xc0\x80", 2, NULL), 0);         /* "modified UTF-8" NUL */
  ck_assert_uint_eq(mc_utf8_decode("\xe0\x80\xaf", 3, NULL), 0);     /* '/' in three */
  ck_assert_uint_eq(mc_utf8_decode("\xe0\x9f\xbf", 3, NULL), 0);     /* U+07FF in three */
  ck_assert_uint_eq(mc_utf8_decode("\xf0\x80\x80\xaf", 4, NULL), 0); /* '/' in four */
  ck_assert_uint_eq(mc_utf8_decode("\xf0\x8f\xbf\xbf", 4, NULL), 0); /* U+FFFF in four */
  ck_assert_int_eq(VALID("a\xc0\xafz"), 0);
}
END_TEST

START_TEST(utf8_refuses_surrogates_and_code_points_past_10ffff) {
  ck_assert_uint_eq(mc_utf8_decode("\xed\xa0\x80", 3, NULL), 0); /* U+D800 */
  ck_assert_uint_eq(mc_utf8_decode("\xed\xbf\xbf", 3, NULL), 0); /* U+DFFF */
  ck_assert_int_eq(VALID("\xed\xa0\xbd\xed\xb8\x80"), 0);       /* CESU-8 for U+1F600 */
  ck_assert_uint_eq(mc_utf8_decode("\xf4\x90\x80\x80", 4, NULL), 0); /* U+110000 */
  ck_assert_uint_eq(mc_utf8_decode("\xf5\x80\x80\x80", 4, NULL), 0);
  ck_assert_uint_eq(mc_utf8_decode("\xf8\x88\x80\x80\x80", 5, NULL), 0); /* old five-byte form */
  ck_assert_uint_eq(mc_utf8_decode("\xff", 1, NULL), 0);
}
END_TEST

START_TEST(utf8_refuses_truncated_sequences_and_stray_continuation_bytes) {
  ck_assert_uint_eq(mc_utf8_decode("\xc3", 1, NULL), 0);
  ck_assert_uint_eq(mc_utf8_decode("\xe2\x82", 2, NULL), 0);
  ck_assert_uint_eq(mc_utf8_decode("\xf0\x9f\x98", 3, NULL), 0);
  ck_assert_uint_eq(mc_utf8_decode("\xe2\x82\xac", 2, NULL), 0); /* n counts, not the bytes after it */
  ck_assert_uint_eq(mc_utf8_decode("\xe2" "A\xac", 3, NULL), 0);  /* a continuation byte missing */
  ck_assert_uint_eq(mc_utf8_decode("\x80", 1, NULL), 0);
  ck_assert_uint_eq(mc_utf8_decode("\xbf", 1, NULL), 0);
  ck_assert_int_eq(VALID("caf\xc3"), 0);
  ck_assert_int_eq(VALID("\xc3\xa9\xa9"), 0);
}
END_TEST

START_TEST(utf8_valid_accepts_empty_ascii_nul_and_mixed_text) {
  ck_assert_int_eq(mc_utf8_valid("", 0), 1);
  ck_assert_int_eq(VALID("plain ascii"), 1);
  ck_assert_int_eq(VALID("a\0b"), 1); /* NUL is U+0000: refusing it is the caller's rule */
  ck_assert_int_eq(VALID("Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80"), 1);
}
END_TEST

START_TEST(utf8_count_counts_characters_not_bytes) {
  ck_assert_uint_eq(mc_utf8_count("", 0), 0);
  ck_assert_uint_eq(mc_utf8_count("abc", 3), 3);
  ck_assert_uint_eq(mc_utf8_count("\xc3\xa9t\xc3\xa9", 5), 3);
  ck_assert_uint_eq(mc_utf8_count("\xf0\x9f\x98\x80\xe2\x82\xac", 7), 2);
}
END_TEST

/* ---- percent ---- */

START_TEST(percent_decodes_escapes_of_either_case_once) {
  char out[8];
  ck_assert_int_eq(mc_percent_decode("a%2Fb", 5, out, sizeof out, 0), 3);
  ck_assert_str_eq(out, "a/b");
  ck_assert_int_eq(mc_percent_decode("%2e%2E", 6, out, sizeof out, 0), 2);
  ck_assert_str_eq(out, "..");
  ck_assert_int_eq(mc_percent_decode("%252e", 5, out, sizeof out, 0), 3);
  ck_assert_str_eq(out, "%2e"); /* decoded once, never twice */
  ck_assert_int_eq(mc_percent_decode("%C3%A9", 6, out, sizeof out, 0), 2);
  ck_assert_str_eq(out, "\xc3\xa9");
  ck_assert_int_eq(mc_percent_decode("", 0, out, sizeof out, 0), 0);
  ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(percent_plus_is_a_space_only_in_form_encoding) {
  char out[8];
  ck_assert_int_eq(mc_percent_decode("a+b%2B", 6, out, sizeof out, MC_PERCENT_FORM), 4);
  ck_assert_str_eq(out, "a b+");
  ck_assert_int_eq(mc_percent_decode("a+b", 3, out, sizeof out, 0), 3);
  ck_assert_str_eq(out, "a+b");
}
END_TEST

START_TEST(percent_refuses_bad_and_truncated_escapes) {
  char out[8];
  ck_assert_int_eq(mc_percent_decode("%zz", 3, out, sizeof out, 0), MC_PERCENT_MALFORMED);
  ck_assert_int_eq(mc_percent_decode("%4g", 3, out, sizeof out, 0), MC_PERCENT_MALFORMED);
  ck_assert_int_eq(mc_percent_decode("%", 1, out, sizeof out, 0), MC_PERCENT_MALFORMED);
  ck_assert_int_eq(mc_percent_decode("%a", 2, out, sizeof out, 0), MC_PERCENT_MALFORMED);
  ck_assert_int_eq(mc_percent_decode("ab%4", 4, out, sizeof out, MC_PERCENT_FORM), MC_PERCENT_MALFORMED);
  ck_assert_int_eq(mc_percent_decode("%41", 2, out, sizeof out, 0), MC_PERCENT_MALFORMED); /* len counts */
  ck_assert_int_eq(mc_percent_decode("%+1", 3, out, sizeof out, MC_PERCENT_FORM), MC_PERCENT_MALFORMED);
}
END_TEST

START_TEST(percent_refuses_nul_encoded_or_raw) {
  char out[8];
  ck_assert_int_eq(mc_percent_decode("%00", 3, out, sizeof out, 0), MC_PERCENT_MALFORMED);
  ck_assert_int_eq(mc_percent_decode("a%00b", 5, out, sizeof out, MC_PERCENT_FORM), MC_PERCENT_MALFORMED);
  ck_assert_int_eq(mc_percent_decode("a\0b", 3, out, sizeof out, 0), MC_PERCENT_MALFORMED);
  ck_assert_int_eq(mc_percent_decode("%01", 3, out, sizeof out, 0), 1); /* other controls are the caller's */
}
END_TEST

START_TEST(percent_reports_a_result_that_does_not_fit_apart_from_a_malformed_one) {
  char out[8];
  ck_assert_int_eq(mc_percent_decode("1234567", 7, out, sizeof out, 0), 7);
  ck_assert_int_eq(mc_percent_decode("12345678", 8, out, sizeof out, 0), MC_PERCENT_TOO_LONG); /* no room for the NUL */
  ck_assert_int_eq(mc_percent_decode("%41%42%43%44%45%46%47", 21, out, sizeof out, 0), 7);
  ck_assert_int_eq(mc_percent_decode("1234567%zz", 10, out, sizeof out, 0), MC_PERCENT_MALFORMED); /* first met */
  ck_assert_int_eq(mc_percent_decode("12345678%zz", 11, out, sizeof out, 0), MC_PERCENT_TOO_LONG);
  ck_assert_int_eq(mc_percent_decode("", 0, out, 0, 0), MC_PERCENT_TOO_LONG);
}
END_TEST

/* ---- base64 ---- */

START_TEST(base64_encodes_the_rfc_4648_vectors_without_padding) {
  static const char *const want[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  char out[16];
  for (size_t n = 0; n <= 6; n++) {
    ck_assert_uint_eq(mc_base64_encode(MC_BASE64_URL, "foobar", n, out), MC_BASE64_LEN(n));
    ck_assert_str_eq(out, want[n]);
  }
}
END_TEST

START_TEST(base64_alphabets_differ_only_in_62_and_63) {
  static const unsigned char b[] = {0xfb, 0xff, 0xbf};
  char out[8];
  mc_base64_encode(MC_BASE64_URL, b, 3, out);
  ck_assert_str_eq(out, "-_-_");
  mc_base64_encode(MC_BASE64_STD, b, 3, out);
  ck_assert_str_eq(out, "+/+/");
  ck_assert_int_eq(mc_base64_value(MC_BASE64_URL, '-'), 62);
  ck_assert_int_eq(mc_base64_value(MC_BASE64_URL, '+'), -1);
  ck_assert_int_eq(mc_base64_value(MC_BASE64_STD, '/'), 63);
  ck_assert_int_eq(mc_base64_value(MC_BASE64_STD, '_'), -1);
  ck_assert_int_eq(mc_base64_value(MC_BASE64_URL, '='), -1);
  ck_assert_int_eq(mc_base64_value(MC_BASE64_URL, 'z'), 51);
}
END_TEST

START_TEST(base64_decodes_unpadded_text_back) {
  unsigned char out[8];
  size_t n = 99;
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm9vYmE", 7, out, sizeof out, &n), 1);
  ck_assert_uint_eq(n, 5);
  ck_assert(memcmp(out, "fooba", 5) == 0);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "", 0, out, sizeof out, &n), 1);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_STD, "+/+/", 4, out, sizeof out, &n), 1);
  ck_assert_uint_eq(n, 3);
  ck_assert_uint_eq(out[0], 0xfb);
}
END_TEST

START_TEST(base64_refuses_padding_and_characters_outside_the_alphabet) {
  unsigned char out[8];
  size_t n = 99;
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zg==", 4, out, sizeof out, &n), 0);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm8=", 4, out, sizeof out, &n), 0);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "+/+/", 4, out, sizeof out, &n), 0);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_STD, "-_-_", 4, out, sizeof out, &n), 0);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm 9v", 5, out, sizeof out, &n), 0);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm\n9v", 5, out, sizeof out, &n), 0);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm\09v", 5, out, sizeof out, &n), 0);
  ck_assert_uint_eq(n, 99); /* untouched on failure */
}
END_TEST

START_TEST(base64_gives_each_byte_string_one_spelling) {
  unsigned char out[8];
  size_t n;
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zh", 2, out, sizeof out, &n), 0);  /* low bits set */
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm9", 3, out, sizeof out, &n), 0); /* low bits set */
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm8", 3, out, sizeof out, &n), 1);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Z", 1, out, sizeof out, &n), 0);     /* 4k+1 */
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm9vY", 5, out, sizeof out, &n), 0); /* 4k+1 */
}
END_TEST

START_TEST(base64_decode_refuses_more_bytes_than_fit) {
  unsigned char out[3];
  size_t n;
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm9v", 4, out, 3, &n), 1);
  ck_assert_int_eq(mc_base64_decode(MC_BASE64_URL, "Zm9vYg", 6, out, 3, &n), 0);
}
END_TEST

/* ---- hex ---- */

START_TEST(hex_encodes_high_nibble_first_in_either_case) {
  static const unsigned char b[] = {0x00, 0x1f, 0xab, 0xff};
  char out[9];
  mc_hex_encode(b, 4, out, 0);
  ck_assert_str_eq(out, "001fabff");
  mc_hex_encode(b, 4, out, MC_HEX_UPPER);
  ck_assert_str_eq(out, "001FABFF");
  mc_hex_encode(b, 0, out, 0);
  ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(hex_u64_writes_sixteen_digits_most_significant_first) {
  char out[17];
  mc_hex_u64(UINT64_C(0x0123456789abcdef), out);
  ck_assert_str_eq(out, "0123456789abcdef");
  mc_hex_u64(0, out);
  ck_assert_str_eq(out, "0000000000000000");
}
END_TEST

START_TEST(hex_decodes_either_case_unless_asked_for_lower_case) {
  unsigned char out[4];
  size_t n = 0;
  ck_assert_int_eq(mc_hex_decode("00aBfF", 6, out, sizeof out, &n, 0), 1);
  ck_assert_uint_eq(n, 3);
  ck_assert_uint_eq(out[1], 0xab);
  ck_assert_uint_eq(out[2], 0xff);
  ck_assert_int_eq(mc_hex_decode("00aBfF", 6, out, sizeof out, &n, MC_HEX_LOWER), 0);
  ck_assert_int_eq(mc_hex_decode("00abff", 6, out, sizeof out, &n, MC_HEX_LOWER), 1);
  ck_assert_int_eq(mc_hex_valid("0123456789abcdef", 16, MC_HEX_LOWER), 1);
  ck_assert_int_eq(mc_hex_valid("0123456789ABCDEF", 16, MC_HEX_LOWER), 0);
  ck_assert_int_eq(mc_hex_valid("0123456789ABCDEF", 16, 0), 1);
  ck_assert_int_eq(mc_hex_value('F'), 15);
  ck_assert_int_eq(mc_hex_value('g'), -1);
}
END_TEST

START_TEST(hex_decode_refuses_odd_lengths_non_digits_and_overflow) {
  unsigned char out[2] = {0x55, 0x55};
  size_t n = 99;
  ck_assert_int_eq(mc_hex_decode("abc", 3, out, sizeof out, &n, 0), 0);
  ck_assert_int_eq(mc_hex_decode("zz", 2, out, sizeof out, &n, 0), 0);
  ck_assert_int_eq(mc_hex_decode("0x", 2, out, sizeof out, &n, 0), 0);
  ck_assert_int_eq(mc_hex_decode("a\0", 2, out, sizeof out, &n, 0), 0);
  ck_assert_int_eq(mc_hex_decode("aabbcc", 6, out, sizeof out, &n, 0), 0);
  ck_assert_uint_eq(n, 99);
  ck_assert_uint_eq(out[0], 0x55); /* untouched on failure */
  ck_assert_int_eq(mc_hex_valid("abc", 3, 0), 1); /* digits, not bytes */
  ck_assert_int_eq(mc_hex_decode("", 0, out, 0, &n, 0), 1);
  ck_assert_uint_eq(n, 0);
}
END_TEST

static Suite *codec_suite(void) {
  Suite *s = suite_create("codec");
  TCase *utf8 = tcase_create("utf8"), *pct = tcase_create("percent"), *b64 = tcase_create("base64"),
        *hex = tcase_create("hex");

  tcase_add_test(utf8, utf8_decode_reads_one_to_four_byte_sequences_and_their_code_points);
  tcase_add_test(utf8, utf8_refuses_overlong_forms);
  tcase_add_test(utf8, utf8_refuses_surrogates_and_code_points_past_10ffff);
  tcase_add_test(utf8, utf8_refuses_truncated_sequences_and_stray_continuation_bytes);
  tcase_add_test(utf8, utf8_valid_accepts_empty_ascii_nul_and_mixed_text);
  tcase_add_test(utf8, utf8_count_counts_characters_not_bytes);
  suite_add_tcase(s, utf8);

  tcase_add_test(pct, percent_decodes_escapes_of_either_case_once);
  tcase_add_test(pct, percent_plus_is_a_space_only_in_form_encoding);
  tcase_add_test(pct, percent_refuses_bad_and_truncated_escapes);
  tcase_add_test(pct, percent_refuses_nul_encoded_or_raw);
  tcase_add_test(pct, percent_reports_a_result_that_does_not_fit_apart_from_a_malformed_one);
  suite_add_tcase(s, pct);

  tcase_add_test(b64, base64_encodes_the_rfc_4648_vectors_without_padding);
  tcase_add_test(b64, base64_alphabets_differ_only_in_62_and_63);
  tcase_add_test(b64, base64_decodes_unpadded_text_back);
  tcase_add_test(b64, base64_refuses_padding_and_characters_outside_the_alphabet);
  tcase_add_test(b64, base64_gives_each_byte_string_one_spelling);
  tcase_add_test(b64, base64_decode_refuses_more_bytes_than_fit);
  suite_add_tcase(s, b64);

  tcase_add_test(hex, hex_encodes_high_nibble_first_in_either_case);
  tcase_add_test(hex, hex_u64_writes_sixteen_digits_most_significant_first);
  tcase_add_test(hex, hex_decodes_either_case_unless_asked_for_lower_case);
  tcase_add_test(hex, hex_decode_refuses_odd_lengths_non_digits_and_overflow);
  suite_add_tcase(s, hex);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(codec_suite());
  int failed;

  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
