/*
 * Unit tests of the helpers behind the strings, conv, defaults and reflect
 * Sprig families (render/tmpl/sprig_strings_util.h). Expected values are
 * Go's documented rules (unicode/utf8, strconv, unicode) or what helm
 * 4.1.4 printed for the same input (testdata/sprig/conv).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "render/buf.h"
#include "render/tmpl/sprig_strings_util.h"
#include "render/tmpl/tval.h"

static void assert_decodes(const char *s, size_t len, int32_t rune, size_t width)
{
	size_t w = 99;

	assert_int_equal(sprigu_decode(s, len, &w), rune);
	assert_int_equal(w, width);
}

static void test_sprig_strings__decode_follows_go_utf8(void **state)
{
	assert_decodes("", 0, SPRIGU_RUNE_ERROR, 0);
	assert_decodes("a", 1, 'a', 1);
	assert_decodes("\xc3\xa9", 2, 0xE9, 2);
	assert_decodes("\xf0\x9f\x98\x80", 4, 0x1F600, 4);
	assert_decodes("\xef\xbf\xbd", 3, 0xFFFD, 3);
	/* surrogates, overlong forms, past U+10FFFF, truncated: one bad byte */
	assert_decodes("\xed\xa0\x80", 3, SPRIGU_RUNE_ERROR, 1);
	assert_decodes("\xc0\x80", 2, SPRIGU_RUNE_ERROR, 1);
	assert_decodes("\xe0\x80\x80", 3, SPRIGU_RUNE_ERROR, 1);
	assert_decodes("\xf4\x90\x80\x80", 4, SPRIGU_RUNE_ERROR, 1);
	assert_decodes("\xc3", 1, SPRIGU_RUNE_ERROR, 1);
	assert_decodes("\xe2\x82", 2, SPRIGU_RUNE_ERROR, 1);
}

static void test_sprig_strings__put_rune_replaces_invalid(void **state)
{
	struct buf b = BUF_INIT;

	sprigu_put_rune(&b, 0xD800);
	sprigu_put_rune(&b, 0x110000);
	sprigu_put_rune(&b, -1);
	sprigu_put_rune(&b, 0x10FFFF);
	assert_int_equal(b.len, 13);
	assert_memory_equal(b.ptr, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xf4\x8f\xbf\xbf", 13);
	buf_release(&b);
}

static void assert_quotes(const char *s, size_t len, const char *want)
{
	struct buf b = BUF_INIT;

	sprigu_quote(&b, s, len);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
}

static void test_sprig_strings__quote_is_strconv_quote(void **state)
{
	assert_quotes("", 0, "\"\"");
	assert_quotes("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	assert_quotes("\a\b\f\n\r\t\v", 7, "\"\\a\\b\\f\\n\\r\\t\\v\"");
	assert_quotes("\x00\x01\x7f", 3, "\"\\x00\\x01\\x7f\"");
	assert_quotes("\xff\xfe", 2, "\"\\xff\\xfe\"");
	assert_quotes("\xc3\xa9\xf0\x9f\x98\x80", 6, "\"\xc3\xa9\xf0\x9f\x98\x80\"");
	/* spaces other than U+0020 and format characters are not printable */
	assert_quotes("\xc2\xa0\xc2\xad\xe2\x80\x8b\xe2\x80\xa8\xef\xbb\xbf", 13,
		      "\"\\u00a0\\u00ad\\u200b\\u2028\\ufeff\"");
	assert_quotes("\xf3\xa0\x80\x81", 4, "\"\\U000e0001\"");
}

static void assert_int_parse(const char *s, int base, int ret, int64_t want)
{
	int64_t v = 42;

	assert_int_equal(sprigu_parse_int(&v, s, strlen(s), base), ret);
	assert_true(v == want);
}

static void test_sprig_strings__parse_int_is_strconv_parseint(void **state)
{
	assert_int_parse("0x1F", 0, 0, 31);
	assert_int_parse("0o17", 0, 0, 15);
	assert_int_parse("017", 0, 0, 15);
	assert_int_parse("0b101", 0, 0, 5);
	assert_int_parse("0", 0, 0, 0);
	assert_int_parse("-0x10", 0, 0, -16);
	assert_int_parse("1_000", 0, 0, 1000);
	assert_int_parse("0x_1F", 0, 0, 31);
	assert_int_parse("_1", 0, -1, 0);
	assert_int_parse("1_", 0, -1, 0);
	assert_int_parse("1__0", 0, -1, 0);
	assert_int_parse("08", 0, -1, 0);
	assert_int_parse("0x", 0, -1, 0);
	assert_int_parse("", 10, -1, 0);
	assert_int_parse("1_000", 10, -1, 0);
	assert_int_parse("+7", 10, 0, 7);
	assert_int_parse("777", 8, 0, 511);
	assert_int_parse("9223372036854775807", 10, 0, INT64_MAX);
	assert_int_parse("-9223372036854775808", 10, 0, INT64_MIN);
	assert_int_parse("9223372036854775808", 10, -2, INT64_MAX);
	assert_int_parse("-99999999999999999999", 10, -2, INT64_MIN);
	/* Go returns the range error as soon as the value overflows (helm:
	 * atoi "99999999999999999999x" is 9223372036854775807) */
	assert_int_parse("99999999999999999999x", 10, -2, INT64_MAX);
	assert_int_parse("1x99999999999999999999", 10, -1, 0);
}

static void assert_float_parse(const char *s, int ret, double want)
{
	double v = 42;

	assert_int_equal(sprigu_parse_float(&v, s, strlen(s)), ret);
	if (isnan(want))
		assert_true(isnan(v));
	else
		assert_true(v == want && signbit(v) == signbit(want));
}

static void test_sprig_strings__parse_float_is_strconv_parsefloat(void **state)
{
	assert_float_parse("1.5", 0, 1.5);
	assert_float_parse(".5", 0, 0.5);
	assert_float_parse("5.", 0, 5);
	assert_float_parse("-0", 0, -0.0);
	assert_float_parse("1_000.5", 0, 1000.5);
	assert_float_parse("1_0e1_0", 0, 1e11);
	assert_float_parse("0x1p-2", 0, 0.25);
	assert_float_parse("0X10P0", 0, 16);
	assert_float_parse("0x10", -1, 0);
	assert_float_parse("0x1.8", -1, 0);
	assert_float_parse("inf", 0, INFINITY);
	assert_float_parse("-Infinity", 0, -INFINITY);
	assert_float_parse("nan", 0, NAN);
	assert_float_parse("+nan", -1, 0);
	assert_float_parse("infinit", -1, 0);
	assert_float_parse("1e400", -2, INFINITY);
	assert_float_parse("1e-400", 0, 0);
	assert_float_parse("1__0", -1, 0);
	assert_float_parse(" 1", -1, 0);
	assert_float_parse("1e", -1, 0);
	assert_float_parse(".", -1, 0);
}

static void test_sprig_strings__unicode_predicates_are_go_categories(void **state)
{
	assert_true(sprigu_is_space(0x85) && sprigu_is_space(0xA0) && sprigu_is_space(0x3000));
	assert_false(sprigu_is_space(0x200B));
	assert_false(sprigu_is_upper(0x1C5)); /* Dž is Lt, not Lu */
	assert_true(sprigu_is_title(0x1C5));
	assert_true(sprigu_is_upper(0x1C4) && sprigu_is_lower(0x1C6));
	assert_false(sprigu_is_lower(0x345)); /* Mn with an upper-case mapping */
	assert_false(sprigu_is_letter(0x2160)); /* Roman numeral: Nl */
	assert_true(sprigu_is_number(0x2160) && sprigu_is_number(0xB2));
	assert_true(sprigu_is_digit(0x660) && !sprigu_is_letter(0x660));
	assert_false(sprigu_is_punct('$') || sprigu_is_punct('+') || sprigu_is_punct('^'));
	assert_true(sprigu_is_punct('-') && sprigu_is_punct('_') && sprigu_is_punct(0xBF));
	assert_true(sprigu_is_print(' ') && !sprigu_is_print(0xA0) && sprigu_is_print(0x1F600));
	assert_true(sprigu_is_letter(0x11F04)); /* Kawi, new in Unicode 15 */
}

static void test_sprig_strings__case_mappings_are_simple(void **state)
{
	assert_int_equal(sprigu_to_upper(0xDF), 0xDF);   /* ß stays ß */
	assert_int_equal(sprigu_to_upper(0xB5), 0x39C);  /* µ -> Μ */
	assert_int_equal(sprigu_to_upper(0xFF), 0x178);  /* ÿ -> Ÿ */
	assert_int_equal(sprigu_to_lower(0x130), 'i');   /* İ -> i */
	assert_int_equal(sprigu_to_upper(0x131), 'I');   /* ı -> I */
	assert_int_equal(sprigu_to_title(0x1C6), 0x1C5); /* dž -> Dž */
	assert_int_equal(sprigu_to_upper(0x1C6), 0x1C4); /* dž -> DŽ */
	assert_int_equal(sprigu_to_lower(0x1E9E), 0xDF); /* ẞ -> ß */
	assert_int_equal(sprigu_to_upper(0x101), 0x100); /* an alternating range */
	assert_int_equal(sprigu_to_lower(0x100), 0x101);
	assert_int_equal(sprigu_to_title(0x101), 0x100);
	assert_int_equal(sprigu_to_upper(0x10428), 0x10400);
	assert_int_equal(sprigu_to_upper(0x4E00), 0x4E00);
}

static void test_sprig_strings__empty_is_the_zero_value(void **state)
{
	struct tval v;

	v = tval_nil();
	assert_true(sprigu_empty(&v));
	v = tval_int(0);
	assert_true(sprigu_empty(&v));
	v = tval_float(-0.0);
	assert_true(sprigu_empty(&v));
	v = tval_bool(1);
	assert_false(sprigu_empty(&v));
	v = tval_str("");
	assert_true(sprigu_empty(&v));
	tval_release(&v);
	v = tval_str(" ");
	assert_false(sprigu_empty(&v));
	tval_release(&v);
	v = tval_json_new(TV_LIST, json_pack("[n]"));
	assert_false(sprigu_empty(&v));
	tval_release(&v);
	v = tval_json_new(TV_MAP, json_object());
	assert_true(sprigu_empty(&v));
	tval_release(&v);
}

static void test_sprig_strings__strslice_drops_nils(void **state)
{
	struct tval v = tval_json_new(TV_LIST, json_pack("[s,n,b,s]", "a", 1, "c"));
	json_t *a = sprigu_strslice(NULL, &v);

	assert_non_null(a);
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "a");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "true");
	assert_string_equal(json_string_value(json_array_get(a, 2)), "c");
	json_decref(a);
	tval_release(&v);
	v = tval_nil();
	a = sprigu_strslice(NULL, &v);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
}

/* Go's utf8.DecodeLastRuneInString: a complete last rune, a stray
 * continuation byte, a truncated 4-byte sequence, and the start bound. */
static void test_sprig_strings__decode_last_rune(void **state)
{
	size_t at;

	(void)state;
	assert_int_equal(sprigu_decode_last("a\xc3\xa9", 0, 3, &at), 0xE9);
	assert_int_equal(at, 1);
	assert_int_equal(sprigu_decode_last("a\xa9", 0, 2, &at), SPRIGU_RUNE_ERROR);
	assert_int_equal(at, 1);
	assert_int_equal(sprigu_decode_last("x\xf0\x9f\x98", 0, 4, &at), SPRIGU_RUNE_ERROR);
	assert_int_equal(at, 3);
	assert_int_equal(sprigu_decode_last("\xf0\x9f\x98\x80", 0, 4, &at), 0x1F600);
	assert_int_equal(at, 0);
	/* a lead byte before start is not seen: the continuation is invalid */
	assert_int_equal(sprigu_decode_last("\xc3\xa9", 1, 2, &at), SPRIGU_RUNE_ERROR);
	assert_int_equal(at, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sprig_strings__decode_last_rune),
		cmocka_unit_test(test_sprig_strings__decode_follows_go_utf8),
		cmocka_unit_test(test_sprig_strings__put_rune_replaces_invalid),
		cmocka_unit_test(test_sprig_strings__quote_is_strconv_quote),
		cmocka_unit_test(test_sprig_strings__parse_int_is_strconv_parseint),
		cmocka_unit_test(test_sprig_strings__parse_float_is_strconv_parsefloat),
		cmocka_unit_test(test_sprig_strings__unicode_predicates_are_go_categories),
		cmocka_unit_test(test_sprig_strings__case_mappings_are_simple),
		cmocka_unit_test(test_sprig_strings__empty_is_the_zero_value),
		cmocka_unit_test(test_sprig_strings__strslice_drops_nils),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
