/*
 * Sprig's date functions whose results depend on the current time or on
 * the process's zone ($TZ): their properties, checked against the system
 * clock. Everything else of the family is in testdata/sprig/date/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/tval.h"

static struct tmpl_funcs *funcs;

static int setup(void **state)
{
	setenv("TZ", "UTC", 1);
	if (tmpl_funcs_new(&funcs) < 0 || sprig_date_register(funcs) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	tmpl_funcs_free(funcs);
	return 0;
}

/* Calls name with argv; returns its code, *out the result. */
static int call(struct tval *out, const char *name, int argc, const struct tval *argv)
{
	const struct tmpl_func *f = tmpl_funcs_find(funcs, name);
	struct tmpl_call c;
	struct buf err = BUF_INIT;
	int error;

	assert_non_null(f);
	memset(&c, 0, sizeof(c));
	c.func = f;
	c.errmsg = &err;
	*out = tval_invalid();
	error = f->fn(out, &c, argc, argv);
	buf_release(&err);
	return error;
}

/* The clock `now` reads (time() may lag it by a tick: it is the coarse one). */
static int64_t realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

static struct tval time_at(int64_t sec)
{
	struct tval_time t = { .sec = sec, .nsec = 0, .offset = 0 };

	return tval_time(t);
}

static void test_sprig_date__now_is_the_current_time(void **state)
{
	struct tval v;
	int64_t before = realtime(), after;

	assert_int_equal(call(&v, "now", 0, NULL), 0);
	after = realtime();
	assert_int_equal(v.kind, TV_TIME);
	assert_true(v.u.t.sec >= before && v.u.t.sec <= after);
	assert_true(v.u.t.nsec >= 0 && v.u.t.nsec < 1000000000);
	assert_int_equal(v.u.t.offset, 0);
	tval_release(&v);
}

static void test_sprig_date__now_carries_the_local_offset(void **state)
{
	struct tval v, args[2], s;
	const char *abbr;

	setenv("TZ", "Europe/Berlin", 1);
	assert_int_equal(call(&v, "now", 0, NULL), 0);
	assert_true(v.u.t.offset == 3600 || v.u.t.offset == 7200);
	args[0] = tval_str("MST");
	args[1] = v;
	assert_int_equal(call(&s, "date", 2, args), 0);
	abbr = tval_str_ptr(&s, NULL);
	assert_string_equal(abbr, v.u.t.offset == 3600 ? "CET" : "CEST");
	tval_release(&s);
	tval_release(&args[0]);
	tval_release(&v);
	setenv("TZ", "UTC", 1);
}

static void test_sprig_date__date_of_a_non_time_is_now(void **state)
{
	struct tval args[2], s;
	char want[16];
	time_t now = (time_t)realtime();
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(want, sizeof(want), "%Y-%m-%d", &tm);
	args[0] = tval_str("2006-01-02");
	args[1] = tval_float(1700000000.0); /* float64 is not a date to Sprig */
	assert_int_equal(call(&s, "date", 2, args), 0);
	/* the day may roll over between the two readings */
	if (strcmp(tval_str_ptr(&s, NULL), want) != 0) {
		now = (time_t)realtime();
		gmtime_r(&now, &tm);
		strftime(want, sizeof(want), "%Y-%m-%d", &tm);
	}
	assert_string_equal(tval_str_ptr(&s, NULL), want);
	tval_release(&s);
	args[1] = tval_nil();
	assert_int_equal(call(&s, "htmlDate", 1, &args[1]), 0);
	assert_string_equal(tval_str_ptr(&s, NULL), want);
	tval_release(&s);
	tval_release(&args[0]);
}

static void test_sprig_date__ago_counts_whole_seconds(void **state)
{
	struct tval arg, s;
	const char *got;

	arg = time_at(realtime() - 3600);
	assert_int_equal(call(&s, "ago", 1, &arg), 0);
	got = tval_str_ptr(&s, NULL);
	assert_true(strcmp(got, "1h0m0s") == 0 || strcmp(got, "1h0m1s") == 0);
	tval_release(&s);

	arg = tval_int(realtime() - 90);
	assert_int_equal(call(&s, "ago", 1, &arg), 0);
	got = tval_str_ptr(&s, NULL);
	assert_true(strcmp(got, "1m30s") == 0 || strcmp(got, "1m31s") == 0);
	tval_release(&s);

	arg = time_at(realtime() + 7200);
	assert_int_equal(call(&s, "ago", 1, &arg), 0);
	got = tval_str_ptr(&s, NULL);
	assert_true(strcmp(got, "-2h0m0s") == 0 || strcmp(got, "-1h59m59s") == 0);
	tval_release(&s);
}

static void test_sprig_date__durationRound_of_a_time_is_its_age(void **state)
{
	struct tval arg, s;

	arg = time_at(realtime() - 3 * 86400 - 60);
	assert_int_equal(call(&s, "durationRound", 1, &arg), 0);
	assert_string_equal(tval_str_ptr(&s, NULL), "3d");
	tval_release(&s);

	arg = time_at(realtime() - 400 * 86400);
	assert_int_equal(call(&s, "durationRound", 1, &arg), 0);
	assert_string_equal(tval_str_ptr(&s, NULL), "1y");
	tval_release(&s);

	arg = time_at(realtime() + 2 * 3600 + 60);
	assert_int_equal(call(&s, "durationRound", 1, &arg), 0);
	assert_string_equal(tval_str_ptr(&s, NULL), "2h");
	tval_release(&s);
}

static void test_sprig_date__dateModify_keeps_the_offset(void **state)
{
	struct tval args[2], v;
	struct tval_time t = { .sec = 1700000000, .nsec = 5, .offset = 19800 };

	args[0] = tval_str("-30m");
	args[1] = tval_time(t);
	assert_int_equal(call(&v, "dateModify", 2, args), 0);
	assert_int_equal(v.kind, TV_TIME);
	assert_int_equal(v.u.t.sec, 1700000000 - 1800);
	assert_int_equal(v.u.t.nsec, 5);
	assert_int_equal(v.u.t.offset, 19800);
	tval_release(&args[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sprig_date__now_is_the_current_time),
		cmocka_unit_test(test_sprig_date__now_carries_the_local_offset),
		cmocka_unit_test(test_sprig_date__date_of_a_non_time_is_now),
		cmocka_unit_test(test_sprig_date__ago_counts_whole_seconds),
		cmocka_unit_test(test_sprig_date__durationRound_of_a_time_is_its_age),
		cmocka_unit_test(test_sprig_date__dateModify_keeps_the_offset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
