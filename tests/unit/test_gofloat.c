/*
 * gofloat_format against Go: the table (gofloat_cases.inc) is what Go's
 * fmt.Sprintf printed in helm v4.1.4 (tests/unit/gen_value_cases.py); fmt
 * hands %e %f %g %b %x to strconv.AppendFloat with the precision below.
 * The hand-written cases are the examples of Go's strconv documentation and
 * the special values ftoa.go spells out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/buf.h"
#include "render/gofloat.h"

struct fcase {
	const char *value; /* as strconv.ParseFloat reads it */
	const char *verb;  /* as printf spelled it */
	char fmt;
	int prec;
	const char *expected;
};

static const struct fcase helm_cases[] = {
#include "gofloat_cases.inc"
};

static void check_format(double v, char fmt, int prec, int bitsize, const char *expected,
		    size_t *failed, const char *what)
{
	struct buf out = BUF_INIT;

	assert_int_equal(gofloat_format(&out, v, fmt, prec, bitsize), 0);
	if (strcmp(out.ptr, expected) != 0) {
		(*failed)++;
		printf("%s: FormatFloat(%.17g, '%c', %d, %d) = \"%s\", want \"%s\"\n", what, v,
		       fmt, prec, bitsize, out.ptr, expected);
	}
	buf_release(&out);
}

static void test_gofloat__matches_go_fmt(void **state)
{
	size_t n = sizeof(helm_cases) / sizeof(helm_cases[0]), failed = 0;

	for (size_t i = 0; i < n; i++) {
		const struct fcase *c = &helm_cases[i];

		check_format(strtod(c->value, NULL), c->fmt, c->prec, 64, c->expected, &failed,
			c->verb);
	}
	printf("%zu/%zu cases pass\n", n - failed, n);
	assert_int_equal(failed, 0);
}

/* strconv's documented examples (pkg.go.dev/strconv#FormatFloat and
 * #AppendFloat) and values whose Go output the spec fixes. */
static void test_gofloat__go_documentation_examples(void **state)
{
	size_t failed = 0;

	check_format(3.1415926535, 'E', -1, 32, "3.1415927E+00", &failed, "doc");
	check_format(3.1415926535, 'E', -1, 64, "3.1415926535E+00", &failed, "doc");
	check_format(3.1415926535, 'e', -1, 32, "3.1415927e+00", &failed, "doc");
	check_format(3.1415926535, 'g', -1, 64, "3.1415926535", &failed, "doc");
	check_format(10.1, 'b', 5, 64, "5685794529555251p-49", &failed, "doc");
	check_format(10.1, 'e', 5, 64, "1.01000e+01", &failed, "doc");
	check_format(10.1, 'E', 5, 64, "1.01000E+01", &failed, "doc");
	check_format(10.1, 'f', 5, 64, "10.10000", &failed, "doc");
	check_format(10.1, 'g', 5, 64, "10.1", &failed, "doc");
	check_format(100000000.1, 'g', 5, 64, "1e+08", &failed, "doc");
	check_format(100000000.1, 'G', 5, 64, "1E+08", &failed, "doc");
	check_format(10.1, 'e', -1, 64, "1.01e+01", &failed, "doc");
	check_format(10.00001, 'e', -1, 64, "1.000001e+01", &failed, "doc");
	assert_int_equal(failed, 0);
}

/* ftoa.go: Inf and NaN whatever the format; float32 rounding. */
static void test_gofloat__special_values_and_float32(void **state)
{
	size_t failed = 0;

	check_format(INFINITY, 'g', -1, 64, "+Inf", &failed, "special");
	check_format(-INFINITY, 'f', 3, 64, "-Inf", &failed, "special");
	check_format(NAN, 'e', -1, 64, "NaN", &failed, "special");
	check_format(NAN, 'g', -1, 32, "NaN", &failed, "special");
	/* float32(1e39) overflows to +Inf; FLT_MAX survives */
	check_format(1e39, 'g', -1, 32, "+Inf", &failed, "float32");
	check_format(-1e39, 'g', -1, 32, "-Inf", &failed, "float32");
	check_format(FLT_MAX, 'g', -1, 32, "3.4028235e+38", &failed, "float32");
	check_format(0.1, 'g', -1, 32, "0.1", &failed, "float32");
	check_format(0.1, 'g', 17, 32, "0.10000000149011612", &failed, "float32");
	check_format(1.0 / 3.0, 'f', -1, 32, "0.33333334", &failed, "float32");
	check_format(16777217.0, 'f', -1, 32, "16777216", &failed, "float32");
	check_format(1e-45, 'e', -1, 32, "1e-45", &failed, "float32");
	check_format(1.5, 'b', -1, 32, "12582912p-23", &failed, "float32");
	assert_int_equal(failed, 0);
}

/* The shortest form where the rounding interval is lopsided (powers of
 * two) and at the edges of the double range. */
static void test_gofloat__shortest_edges(void **state)
{
	size_t failed = 0;

	check_format(9007199254740992.0, 'g', -1, 64, "9.007199254740992e+15", &failed, "edge");
	check_format(0x1p-1022, 'g', -1, 64, "2.2250738585072014e-308", &failed, "edge");
	check_format(0x1p-1074, 'g', -1, 64, "5e-324", &failed, "edge");
	check_format(DBL_MAX, 'g', -1, 64, "1.7976931348623157e+308", &failed, "edge");
	check_format(0x1p63, 'f', -1, 64, "9223372036854776000", &failed, "edge");
	check_format(1e23, 'g', -1, 64, "1e+23", &failed, "edge");
	/* 5e-324 in 'f': the one digit 5 at the 324th decimal place */
	{
		char want[330];

		memset(want, '0', sizeof(want));
		want[1] = '.';
		want[325] = '5';
		want[326] = '\0';
		check_format(5e-324, 'f', -1, 64, want, &failed, "edge");
	}
	assert_int_equal(failed, 0);
}

/* Whole numbers below 2^53 (2^24 in float32) take their own digits as
 * the shortest; with the shortest precision 'g' switches to an exponent
 * from 1e+06 on (ftoa.go: eprec = 6). */
static void test_gofloat__whole_numbers(void **state)
{
	size_t failed = 0;

	check_format(1.0, 'g', -1, 64, "1", &failed, "whole");
	check_format(100.0, 'g', -1, 64, "100", &failed, "whole");
	check_format(8080.0, 'f', -1, 64, "8080", &failed, "whole");
	check_format(-42.0, 'g', -1, 64, "-42", &failed, "whole");
	check_format(999999.0, 'g', -1, 64, "999999", &failed, "whole");
	check_format(1234567.0, 'g', -1, 64, "1.234567e+06", &failed, "whole");
	check_format(1e15, 'g', -1, 64, "1e+15", &failed, "whole");
	check_format(1e15, 'f', -1, 64, "1000000000000000", &failed, "whole");
	check_format(123456789.0, 'e', -1, 64, "1.23456789e+08", &failed, "whole");
	check_format(9007199254740991.0, 'g', -1, 64, "9.007199254740991e+15", &failed, "whole");
	check_format(9007199254740991.0, 'f', -1, 64, "9007199254740991", &failed, "whole");
	check_format(16777215.0, 'g', -1, 32, "1.6777215e+07", &failed, "whole");
	check_format(120.0, 'e', -1, 32, "1.2e+02", &failed, "whole");
	check_format(4503599627370497.0, 'f', -1, 64, "4503599627370497", &failed, "whole");
	assert_int_equal(failed, 0);
}

/* A huge precision pads with zeros past the exact digits, like Go. */
static void test_gofloat__large_precision(void **state)
{
	struct buf out = BUF_INIT;

	assert_int_equal(gofloat_format(&out, 0.5, 'f', 2000, 64), 0);
	assert_int_equal(out.len, 2002);
	assert_memory_equal(out.ptr, "0.50000", 7);
	assert_int_equal(out.ptr[out.len - 1], '0');
	buf_reset(&out);
	assert_int_equal(gofloat_format(&out, 1.0 / 3.0, 'e', 1000, 64), 0);
	assert_int_equal(out.len, 1006);
	assert_memory_equal(out.ptr, "3.33333333333333314829616256247", 31);
	assert_memory_equal(out.ptr + out.len - 6, "00e-01", 6);
	buf_release(&out);
}

/* math.Floor by the spec: the greatest integer <= x; -0.0, NaN, +-Inf as
 * they are; every double from 2^52 up is an integer. Values by hand. */
static void test_gofloat__floor(void **state)
{
	static const struct { double x, want; } cases[] = {
		{ 0.5, 0.0 }, { -0.5, -1.0 }, { 1.0, 1.0 }, { -1.0, -1.0 },
		{ 2.75, 2.0 }, { -2.25, -3.0 }, { 0.9999999999999999, 0.0 },
		{ -0.9999999999999999, -1.0 }, { 4e-324, 0.0 }, { -4e-324, -1.0 },
		{ 4503599627370495.5, 4503599627370495.0 },
		{ -4503599627370495.5, -4503599627370496.0 },
		{ 4503599627370497.0, 4503599627370497.0 },
		{ -9007199254740994.0, -9007199254740994.0 },
		{ 1e300, 1e300 }, { -1e300, -1e300 },
		{ 9.2233720368547758e18, 9.2233720368547758e18 },
	};
	double z;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double got = gofloat_floor(cases[i].x);

		if (got != cases[i].want)
			fail_msg("floor(%.17g) = %.17g, want %.17g", cases[i].x, got, cases[i].want);
	}
	z = gofloat_floor(-0.0);
	assert_true(z == 0.0 && signbit(z));
	z = gofloat_floor(0.25);
	assert_true(z == 0.0 && !signbit(z));
	assert_true(isnan(gofloat_floor(NAN)));
	assert_true(gofloat_floor(INFINITY) == INFINITY);
	assert_true(gofloat_floor(-INFINITY) == -INFINITY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gofloat__matches_go_fmt),
		cmocka_unit_test(test_gofloat__go_documentation_examples),
		cmocka_unit_test(test_gofloat__special_values_and_float32),
		cmocka_unit_test(test_gofloat__shortest_edges),
		cmocka_unit_test(test_gofloat__whole_numbers),
		cmocka_unit_test(test_gofloat__large_precision),
		cmocka_unit_test(test_gofloat__floor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
