/*
 * goscalar against Go. The number cases follow the documentation and
 * examples of Go's strconv (ParseInt, ParseUint, ParseFloat: base prefixes,
 * "underscores permitted only if base == 0", ErrSyntax vs ErrRange), the
 * timestamp cases time.Parse under go-yaml's four layouts, and the
 * resolve cases go-yaml's resolve.go (v2.4.0, v3.0.1). The resolve cases
 * marked "helm" were checked with helm v4.1.4 (`{{ typeOf .Values.x }}`,
 * `{{ toJson .Values.x }}`, `{{ toYaml ... }}` on values.yaml), the ones
 * marked "kustomize" with kubectl kustomize v5.7.1 (a non-string mapping
 * key makes it fail with "json: unsupported type" and print the key).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/diag.h"
#include "render/goscalar.h"

#define OK 0
#define SYN DIAG_EPARSE
#define RNG DIAG_ELIMIT

struct ucase {
	const char *s;
	int base;
	int rc;
	uint64_t v;
};

static void test_goscalar__parse_uint(void **state)
{
	static const struct ucase cases[] = {
		{ "0", 0, OK, 0 },
		{ "42", 0, OK, 42 },
		{ "0x1F", 0, OK, 31 },
		{ "0X1f", 0, OK, 31 },
		{ "0b101", 0, OK, 5 },
		{ "0B101", 0, OK, 5 },
		{ "0o17", 0, OK, 15 },
		{ "017", 0, OK, 15 },  /* a leading 0 alone means octal */
		{ "08", 0, SYN, 0 },
		{ "0x", 0, SYN, 0 },   /* too short for a prefix: octal "x" */
		{ "0b", 0, SYN, 0 },
		{ "0xg", 0, SYN, 0 },
		{ "1_000", 0, OK, 1000 },
		{ "0x_1F", 0, OK, 31 }, /* between the prefix and a digit */
		{ "0_17", 0, OK, 15 },
		{ "1__0", 0, SYN, 0 },
		{ "_1", 0, SYN, 0 },
		{ "1_", 0, SYN, 0 },
		{ "0x_", 0, SYN, 0 },
		{ "1_000", 10, SYN, 0 }, /* underscores only with base 0 */
		{ "0x10", 16, SYN, 0 },  /* prefixes only with base 0 */
		{ "ff", 16, OK, 255 },
		{ "zz", 36, OK, 1295 },
		{ "101", 2, OK, 5 },
		{ "102", 2, SYN, 0 },
		{ "1", 1, SYN, 0 },
		{ "1", 37, SYN, 0 },
		{ "", 0, SYN, 0 },
		{ "+1", 0, SYN, 0 },
		{ "-1", 0, SYN, 0 },
		{ " 1", 0, SYN, 0 },
		{ "18446744073709551615", 0, OK, UINT64_MAX },
		{ "0xFFFFFFFFFFFFFFFF", 0, OK, UINT64_MAX },
		{ "18446744073709551616", 0, RNG, 0 },
		{ "0x10000000000000000", 0, RNG, 0 },
		/* Go reports the overflow as soon as it happens */
		{ "99999999999999999999x", 0, RNG, 0 },
		{ "1x99999999999999999999", 0, SYN, 0 },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct ucase *c = &cases[k];
		uint64_t v = 12345;
		int rc = goscalar_parse_uint(&v, c->s, strlen(c->s), c->base);

		if (rc != c->rc || (rc == OK && v != c->v) || (rc != OK && v != 12345))
			fail_msg("ParseUint(%s, %d): rc %d value %llu, want rc %d value %llu",
				 c->s, c->base, rc, (unsigned long long)v, c->rc,
				 (unsigned long long)c->v);
	}
	assert_int_equal(goscalar_parse_uint(NULL, "7", 1, 0), OK);
	/* len, not the NUL, ends the text */
	assert_int_equal(goscalar_parse_uint(NULL, "12x", 2, 0), OK);
}

struct icase {
	const char *s;
	int base;
	int rc;
	int64_t v;
};

static void test_goscalar__parse_int(void **state)
{
	static const struct icase cases[] = {
		{ "0", 0, OK, 0 },
		{ "-0", 0, OK, 0 },
		{ "+42", 0, OK, 42 },
		{ "-42", 0, OK, -42 },
		{ "-0x10", 0, OK, -16 },
		{ "+0b11", 0, OK, 3 },
		{ "-0o17", 0, OK, -15 },
		{ "-1_000", 0, OK, -1000 },
		{ "-101", 2, OK, -5 },
		{ "+101", 2, OK, 5 },
		{ "9223372036854775807", 0, OK, INT64_MAX },
		{ "-9223372036854775808", 0, OK, INT64_MIN },
		{ "9223372036854775808", 0, RNG, 0 },
		{ "-9223372036854775809", 0, RNG, 0 },
		{ "18446744073709551616", 0, RNG, 0 },
		{ "", 0, SYN, 0 },
		{ "-", 0, SYN, 0 },
		{ "+", 0, SYN, 0 },
		{ "--1", 0, SYN, 0 },
		{ "+-1", 0, SYN, 0 },
		{ "-_1", 0, SYN, 0 },
		{ "1.0", 0, SYN, 0 },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct icase *c = &cases[k];
		int64_t v = 12345;
		int rc = goscalar_parse_int(&v, c->s, strlen(c->s), c->base);

		if (rc != c->rc || (rc == OK && v != c->v) || (rc != OK && v != 12345))
			fail_msg("ParseInt(%s, %d): rc %d value %lld, want rc %d value %lld",
				 c->s, c->base, rc, (long long)v, c->rc, (long long)c->v);
	}
}

struct fcase {
	const char *s;
	int rc;
	double v;
};

static void check_floats(const struct fcase *cases, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		const struct fcase *c = &cases[k];
		double v = 12345;
		int rc = goscalar_parse_float(&v, c->s, strlen(c->s));

		if (rc != c->rc || (rc == OK && (v != c->v || signbit(v) != signbit(c->v))) ||
		    (rc != OK && v != 12345))
			fail_msg("ParseFloat(%s): rc %d value %.17g, want rc %d value %.17g",
				 c->s, rc, v, c->rc, c->v);
	}
}

static void test_goscalar__parse_float(void **state)
{
	static const struct fcase cases[] = {
		{ "1.5", OK, 1.5 },
		{ "0.1", OK, 0.1 },
		{ ".5", OK, 0.5 },
		{ "5.", OK, 5.0 },
		{ "+.5", OK, 0.5 },
		{ "-0", OK, -0.0 },
		{ "-0.0", OK, -0.0 },
		{ "1e3", OK, 1000.0 },
		{ "1E+3", OK, 1000.0 },
		{ "-1.5e-3", OK, -0.0015 },
		{ "007", OK, 7.0 }, /* decimal, not octal */
		{ "1_000.5", OK, 1000.5 },
		{ ".5_0", OK, 0.5 },
		{ "1e1_0", OK, 1e10 },
		{ ".1_2e1_0", OK, 1.2e9 },
		{ "1.7976931348623157e308", OK, 1.7976931348623157e308 },
		{ "4.9e-324", OK, 4.9e-324 },
		{ "1e-400", OK, 0.0 }, /* underflow is no error */
		{ "1e400", RNG, 0 },
		{ "-1e400", RNG, 0 },
		{ "1.8e308", RNG, 0 },
		{ "", SYN, 0 },
		{ ".", SYN, 0 },
		{ "+", SYN, 0 },
		{ "e5", SYN, 0 },
		{ ".e5", SYN, 0 },
		{ "1e", SYN, 0 },
		{ "1e+", SYN, 0 },
		{ "1e_5", SYN, 0 },
		{ "1_e5", SYN, 0 },
		{ "_1", SYN, 0 },
		{ "1_", SYN, 0 },
		{ "1._5", SYN, 0 },
		{ "1_.5", SYN, 0 },
		{ "1__0", SYN, 0 },
		{ "1.2.3", SYN, 0 },
		{ "1e5.0", SYN, 0 },
		{ " 1", SYN, 0 },
		{ "1 ", SYN, 0 },
		{ "--1", SYN, 0 },
		/* outside what this function reads (documented) */
		{ "0x1p3", SYN, 0 },
		{ "inf", SYN, 0 },
		{ "NaN", SYN, 0 },
	};

	(void)state;
	check_floats(cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(goscalar_parse_float(NULL, "2.5", 3), OK);
	assert_int_equal(goscalar_parse_float(NULL, "2.5x", 3), OK);
}

/* Texts longer than the stack copy, and a ',' decimal-point locale. */
static void test_goscalar__parse_float_long_and_locale(void **state)
{
	char text[400];
	double v = 0;
	size_t n;

	(void)state;
	/* 0.(299 zeros)1e300: 1e-300 * 1e300 */
	n = (size_t)snprintf(text, sizeof(text), "0.%0300de300", 1);
	assert_int_equal(n, 306);
	assert_int_equal(goscalar_parse_float(&v, text, n), OK);
	assert_true(v == 1.0);
	memset(text, '9', 350);
	assert_int_equal(goscalar_parse_float(&v, text, 350), RNG);
	memset(text, '1', 350);
	text[0] = '.';
	text[3] = '_';
	assert_int_equal(goscalar_parse_float(&v, text, 350), OK);
	assert_true(v > 0.111 && v < 0.112);
	text[4] = '_';
	assert_int_equal(goscalar_parse_float(&v, text, 350), SYN);

	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
		assert_int_equal(goscalar_parse_float(&v, "1.25", 4), OK);
		assert_true(v == 1.25);
		setlocale(LC_NUMERIC, "C");
	}
}

static void test_goscalar__is_yaml_float(void **state)
{
	static const char *const yes[] = {
		"1", "1.", "1.5", ".5", "+.5", "-1", "-1e5", "1e+5", "1E-5", "1.e1",
		"007", "12345678901234567890",
	};
	static const char *const no[] = {
		"", ".", "+", "-", "e5", ".e1", "1e", "1e+", "1.5.", "1_0", "0x1",
		"1.5e1.0", "..5", "+-1", "1 ", "inf", ".inf",
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(yes) / sizeof(yes[0]); k++)
		if (!goscalar_is_yaml_float(yes[k], strlen(yes[k])))
			fail_msg("yamlStyleFloat should match %s", yes[k]);
	for (k = 0; k < sizeof(no) / sizeof(no[0]); k++)
		if (goscalar_is_yaml_float(no[k], strlen(no[k])))
			fail_msg("yamlStyleFloat should not match %s", no[k]);
}

static void test_goscalar__is_base60_float(void **state)
{
	/* helm: toYaml prints "1:20" quoted and 1:60 plain */
	static const char *const yes[] = {
		"1:20", "1:5", "1:09", "-1:20:30.5", "+190:20:30", "1_000:20", "1:20.",
		"1:20.5_0", "0:0",
	};
	static const char *const no[] = {
		"", "12", "1:60", "1:123", ":20", "1:", "1:2:", "a:1", "1:a", "1.5:20",
		"_1:20", "1:20.5.", "1::20", "-:20",
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(yes) / sizeof(yes[0]); k++)
		if (!goscalar_is_base60_float(yes[k], strlen(yes[k])))
			fail_msg("isBase60Float should match %s", yes[k]);
	for (k = 0; k < sizeof(no) / sizeof(no[0]); k++)
		if (goscalar_is_base60_float(no[k], strlen(no[k])))
			fail_msg("isBase60Float should not match %s", no[k]);
}

struct tcase {
	const char *s;
	int rc;
	int year, mon, day, hour, min, sec;
	long nsec;
	int off;
};

static void test_goscalar__parse_timestamp(void **state)
{
	static const struct tcase cases[] = {
		{ "2001-12-14", OK, 2001, 12, 14, 0, 0, 0, 0, 0 },
		{ "2001-1-2", OK, 2001, 1, 2, 0, 0, 0, 0, 0 },
		{ "2000-02-29", OK, 2000, 2, 29, 0, 0, 0, 0, 0 },
		{ "2004-02-29", OK, 2004, 2, 29, 0, 0, 0, 0, 0 },
		{ "2001-12-14t21:59:43.10-05:00", OK, 2001, 12, 14, 21, 59, 43, 100000000, -18000 },
		{ "2001-12-14T21:59:43Z", OK, 2001, 12, 14, 21, 59, 43, 0, 0 },
		{ "2001-12-14T2:5:4+01:30", OK, 2001, 12, 14, 2, 5, 4, 0, 5400 },
		{ "2001-12-14T21:59:43+24:60", OK, 2001, 12, 14, 21, 59, 43, 0, 90000 },
		{ "2001-12-14 21:59:43.10", OK, 2001, 12, 14, 21, 59, 43, 100000000, 0 },
		{ "2001-12-14   21:59:43", OK, 2001, 12, 14, 21, 59, 43, 0, 0 },
		{ "2001-12-14T21:59:43,5Z", OK, 2001, 12, 14, 21, 59, 43, 500000000, 0 },
		{ "2001-12-14T21:59:43.123456789123Z", OK, 2001, 12, 14, 21, 59, 43, 123456789, 0 },
		{ "0000-01-01", OK, 0, 1, 1, 0, 0, 0, 0, 0 },
		/* helm: a space layout has no zone, a 'T' layout needs one */
		{ "2001-12-14 21:59:43Z", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T21:59:43", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T21:59:43.Z", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T21:59:43+25:00", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T21:59:43+05:61", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T21:59:43+0500", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T21:59:43+5:00", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T24:00:00Z", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T23:60:00Z", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T23:00:60Z", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14T", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-14x", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-02-29", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "1900-02-29", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-13-01", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-00-01", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-04-31", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-012-14", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12-", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001-12", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "01-12-14", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "20011-12-14", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2001", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "", SYN, 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct tcase *c = &cases[k];
		struct goscalar_time t = { 0 };
		int rc = goscalar_parse_timestamp(&t, c->s, strlen(c->s));

		if (rc != c->rc)
			fail_msg("parseTimestamp(%s): rc %d, want %d", c->s, rc, c->rc);
		if (rc != OK)
			continue;
		if (t.year != c->year || t.mon != c->mon || t.day != c->day ||
		    t.hour != c->hour || t.min != c->min || t.sec != c->sec ||
		    t.nsec != c->nsec || t.off != c->off)
			fail_msg("parseTimestamp(%s): %d-%d-%d %d:%d:%d .%ld %+d", c->s, t.year,
				 t.mon, t.day, t.hour, t.min, t.sec, t.nsec, t.off);
	}
}

static void test_goscalar__words(void **state)
{
	static const char *const v2_true[] = { "y", "Y", "yes", "Yes", "YES", "on", "On",
					       "ON", "true", "True", "TRUE" };
	static const char *const v2_false[] = { "n", "N", "no", "No", "NO", "off", "Off",
						"OFF", "false", "False", "FALSE" };
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const none[] = { "tRUE", "yES", "nULL", "NUll", ".Nan", ".nAN",
					    "+.NaN", "-.nan", "<<", "truex", "yes ", "0" };
	struct goscalar g;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(v2_true) / sizeof(v2_true[0]); k++) {
		const char *s = v2_true[k];
		int v3 = strncmp(s, "tr", 2) == 0 || strncmp(s, "Tr", 2) == 0 ||
			 strncmp(s, "TR", 2) == 0;

		memset(&g, 0, sizeof(g));
		assert_int_equal(goscalar_word(&g, s, strlen(s), 0), 1);
		assert_int_equal(g.kind, GOSCALAR_BOOL);
		assert_int_equal(g.b, 1);
		assert_int_equal(goscalar_word(NULL, s, strlen(s), GOSCALAR_V3), v3);
	}
	for (k = 0; k < sizeof(v2_false) / sizeof(v2_false[0]); k++) {
		const char *s = v2_false[k];
		int v3 = strncmp(s, "fa", 2) == 0 || strncmp(s, "Fa", 2) == 0 ||
			 strncmp(s, "FA", 2) == 0;

		g.b = 1;
		assert_int_equal(goscalar_word(&g, s, strlen(s), 0), 1);
		assert_int_equal(g.kind, GOSCALAR_BOOL);
		assert_int_equal(g.b, 0);
		assert_int_equal(goscalar_word(NULL, s, strlen(s), GOSCALAR_V3), v3);
	}
	for (k = 0; k < sizeof(nulls) / sizeof(nulls[0]); k++) {
		assert_int_equal(goscalar_word(&g, nulls[k], strlen(nulls[k]), 0), 1);
		assert_int_equal(g.kind, GOSCALAR_NULL);
		assert_int_equal(goscalar_word(&g, nulls[k], strlen(nulls[k]), GOSCALAR_V3), 1);
		assert_int_equal(g.kind, GOSCALAR_NULL);
	}
	for (k = 0; k < sizeof(none) / sizeof(none[0]); k++) {
		assert_int_equal(goscalar_word(NULL, none[k], strlen(none[k]), 0), 0);
		assert_int_equal(goscalar_word(NULL, none[k], strlen(none[k]), GOSCALAR_V3), 0);
	}
	assert_int_equal(goscalar_word(&g, ".NaN", 4, GOSCALAR_V3), 1);
	assert_true(g.kind == GOSCALAR_FLOAT && isnan(g.f));
	assert_int_equal(goscalar_word(&g, "+.INF", 5, 0), 1);
	assert_true(g.kind == GOSCALAR_FLOAT && isinf(g.f) && g.f > 0);
	assert_int_equal(goscalar_word(&g, ".Inf", 4, 0), 1);
	assert_true(g.kind == GOSCALAR_FLOAT && isinf(g.f) && g.f > 0);
	assert_int_equal(goscalar_word(&g, "-.inf", 5, 0), 1);
	assert_true(g.kind == GOSCALAR_FLOAT && isinf(g.f) && g.f < 0);
	/* a NUL inside the text is part of it */
	assert_int_equal(goscalar_word(NULL, "no\0", 3, 0), 0);
}

struct rcase {
	const char *s;
	unsigned flags;
	enum goscalar_kind kind;
	long long i; /* GOSCALAR_INT, GOSCALAR_BOOL */
	double f;    /* GOSCALAR_FLOAT */
};

#define V2 0
#define V3 GOSCALAR_V3
#define NOTS GOSCALAR_NO_TIMESTAMP

static void test_goscalar__resolve(void **state)
{
	static const struct rcase cases[] = {
		/* helm: typeOf/toJson of the plain scalar */
		{ "0b-101", V2, GOSCALAR_INT, -5, 0 },
		{ "0b+101", V2, GOSCALAR_INT, 5, 0 },
		{ ".5_0", V2, GOSCALAR_FLOAT, 0, 0.5 },
		{ ".1_2e1_0", V2, GOSCALAR_FLOAT, 0, 1.2e9 },
		{ ".5_0e1", V2, GOSCALAR_FLOAT, 0, 5.0 },
		{ "0o+7", V2, GOSCALAR_STR, 0, 0 },
		{ "-0b-1", V2, GOSCALAR_STR, 0, 0 },
		{ "._5", V2, GOSCALAR_STR, 0, 0 },
		{ ".5_", V2, GOSCALAR_STR, 0, 0 },
		{ "0b_101", V2, GOSCALAR_INT, 5, 0 },
		{ "0o17", V2, GOSCALAR_INT, 15, 0 },
		{ "+0b1", V2, GOSCALAR_INT, 1, 0 },
		{ "0b1_0", V2, GOSCALAR_INT, 2, 0 },
		{ "08", V2, GOSCALAR_FLOAT, 0, 8.0 }, /* not octal: ParseFloat */
		{ "1.", V2, GOSCALAR_FLOAT, 0, 1.0 },
		{ "1e400", V2, GOSCALAR_STR, 0, 0 },
		{ "-9223372036854775809", V2, GOSCALAR_FLOAT, 0, -9223372036854775808.0 },
		{ "1:20", V2, GOSCALAR_STR, 0, 0 },
		{ "2001-12-14 21:59:43.10", V2, GOSCALAR_TIMESTAMP, 0, 0 },
		{ "2001-12-14T21:59:43", V2, GOSCALAR_STR, 0, 0 },
		/* the rest from resolve.go */
		{ "1_000", V2, GOSCALAR_INT, 1000, 0 },
		{ "-1_0", V2, GOSCALAR_INT, -10, 0 },
		{ "0x_1F", V2, GOSCALAR_INT, 31, 0 },
		{ "1e3", V2, GOSCALAR_FLOAT, 0, 1000.0 },
		{ "-1.5", V2, GOSCALAR_FLOAT, 0, -1.5 },
		{ "+.5", V2, GOSCALAR_FLOAT, 0, 0.5 },
		{ ".5", V2, GOSCALAR_FLOAT, 0, 0.5 },
		{ "1_0.5", V2, GOSCALAR_FLOAT, 0, 10.5 },
		{ "+", V2, GOSCALAR_STR, 0, 0 },
		{ "-", V2, GOSCALAR_STR, 0, 0 },
		{ ".", V2, GOSCALAR_STR, 0, 0 },
		{ "0x1p3", V2, GOSCALAR_STR, 0, 0 },
		{ "1.2.3", V2, GOSCALAR_STR, 0, 0 },
		{ "123abc", V2, GOSCALAR_STR, 0, 0 },
		{ "9223372036854775807", V2, GOSCALAR_INT, INT64_MAX, 0 },
		{ "-9223372036854775808", V2, GOSCALAR_INT, INT64_MIN, 0 },
		{ "yes", V2, GOSCALAR_BOOL, 1, 0 },
		{ "Off", V2, GOSCALAR_BOOL, 0, 0 },
		{ "y", V2, GOSCALAR_BOOL, 1, 0 },
		{ "TRUE", V2, GOSCALAR_BOOL, 1, 0 },
		{ "~", V2, GOSCALAR_NULL, 0, 0 },
		{ "", V2, GOSCALAR_NULL, 0, 0 },
		{ "Null", V2, GOSCALAR_NULL, 0, 0 },
		{ "Yes!", V2, GOSCALAR_STR, 0, 0 },
		{ "<<", V2, GOSCALAR_STR, 0, 0 },
		{ "abc", V2, GOSCALAR_STR, 0, 0 },
		{ "2001-12-14", V2, GOSCALAR_TIMESTAMP, 0, 0 },
		{ "2001-12-14", V2 | NOTS, GOSCALAR_STR, 0, 0 },
		{ "2001", V2 | NOTS, GOSCALAR_INT, 2001, 0 },
		/* kustomize: the key in the error, or no error for a string */
		{ "0o+7", V3, GOSCALAR_INT, 7, 0 },
		{ "0o-7", V3, GOSCALAR_INT, -7, 0 },
		{ "-0o7", V3, GOSCALAR_INT, -7, 0 },
		{ "-0o-7", V3, GOSCALAR_STR, 0, 0 },
		{ "0o8", V3, GOSCALAR_STR, 0, 0 },
		{ "0b-101", V3, GOSCALAR_INT, -5, 0 },
		{ ".5_0", V3, GOSCALAR_FLOAT, 0, 0.5 },
		{ "0x_1F", V3, GOSCALAR_INT, 31, 0 },
		{ "1", V3, GOSCALAR_INT, 1, 0 },
		{ "yes", V3, GOSCALAR_STR, 0, 0 },
		{ "1:20", V3, GOSCALAR_STR, 0, 0 },
		/* the rest from resolve.go */
		{ "on", V3, GOSCALAR_STR, 0, 0 },
		{ "True", V3, GOSCALAR_BOOL, 1, 0 },
		{ "false", V3, GOSCALAR_BOOL, 0, 0 },
		{ "null", V3, GOSCALAR_NULL, 0, 0 },
		{ "-0o-7", V3 | NOTS, GOSCALAR_STR, 0, 0 },
		{ "2001-12-14T21:59:43Z", V3, GOSCALAR_TIMESTAMP, 0, 0 },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct rcase *c = &cases[k];
		struct goscalar g;
		int bad;

		assert_int_equal(goscalar_resolve(&g, c->s, strlen(c->s), c->flags), 0);
		bad = g.kind != c->kind;
		if (!bad && g.kind == GOSCALAR_INT)
			bad = g.i != c->i;
		if (!bad && g.kind == GOSCALAR_BOOL)
			bad = g.b != c->i;
		if (!bad && g.kind == GOSCALAR_FLOAT)
			bad = g.f != c->f;
		if (bad)
			fail_msg("resolve(%s, flags %u): kind %d i %lld b %d f %.17g, want kind %d",
				 c->s, c->flags, (int)g.kind, (long long)g.i, g.b, g.f,
				 (int)c->kind);
	}
}

static void test_goscalar__resolve_values(void **state)
{
	struct goscalar g;
	char big[300];

	(void)state;
	/* 2^63 .. 2^64-1 are uint64 */
	assert_int_equal(goscalar_resolve(&g, "9223372036854775808", 19, 0), 0);
	assert_int_equal(g.kind, GOSCALAR_UINT);
	assert_true(g.u == (uint64_t)1 << 63);
	assert_int_equal(goscalar_resolve(&g, "0b1111111111111111111111111111111111111111111"
					      "111111111111111111111", 66, 0), 0);
	assert_int_equal(g.kind, GOSCALAR_UINT);
	assert_true(g.u == UINT64_MAX);
	assert_int_equal(goscalar_resolve(&g, "18446744073709551616", 20, 0), 0);
	assert_int_equal(g.kind, GOSCALAR_FLOAT);
	assert_true(g.f == 18446744073709551616.0);
	/* the time of a timestamp */
	assert_int_equal(goscalar_resolve(&g, "2001-12-14t21:59:43.10-05:00", 28, GOSCALAR_V3), 0);
	assert_int_equal(g.kind, GOSCALAR_TIMESTAMP);
	assert_int_equal(g.t.hour, 21);
	assert_int_equal(g.t.nsec, 100000000);
	assert_int_equal(g.t.off, -18000);
	/* .inf and friends come from the word table */
	assert_int_equal(goscalar_resolve(&g, "-.Inf", 5, 0), 0);
	assert_true(g.kind == GOSCALAR_FLOAT && isinf(g.f) && g.f < 0);
	/* long texts take the heap path */
	memset(big, '1', sizeof(big));
	big[5] = '_';
	assert_int_equal(goscalar_resolve(&g, big, sizeof(big), 0), 0);
	assert_int_equal(g.kind, GOSCALAR_FLOAT);
	assert_true(g.f > 1e297 && g.f < 1e299);
	big[0] = '.';
	assert_int_equal(goscalar_resolve(&g, big, sizeof(big), 0), 0);
	assert_int_equal(g.kind, GOSCALAR_FLOAT);
	assert_true(g.f > 0.1 && g.f < 0.2);
	big[0] = 'x';
	assert_int_equal(goscalar_resolve(&g, big, sizeof(big), 0), 0);
	assert_int_equal(g.kind, GOSCALAR_STR);
	/* NUL bytes are text, not terminators */
	assert_int_equal(goscalar_resolve(&g, "1\0", 2, 0), 0);
	assert_int_equal(g.kind, GOSCALAR_STR);
	assert_int_equal(goscalar_resolve(&g, "\0", 1, 0), 0);
	assert_int_equal(g.kind, GOSCALAR_STR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goscalar__parse_uint),
		cmocka_unit_test(test_goscalar__parse_int),
		cmocka_unit_test(test_goscalar__parse_float),
		cmocka_unit_test(test_goscalar__parse_float_long_and_locale),
		cmocka_unit_test(test_goscalar__is_yaml_float),
		cmocka_unit_test(test_goscalar__is_base60_float),
		cmocka_unit_test(test_goscalar__parse_timestamp),
		cmocka_unit_test(test_goscalar__words),
		cmocka_unit_test(test_goscalar__resolve),
		cmocka_unit_test(test_goscalar__resolve_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
