#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>
#include <stdlib.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/srcfile.h"

static void test_buf__starts_empty_and_terminated(void **state)
{
	struct buf b = BUF_INIT;

	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void test_buf__appends_and_formats(void **state)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "key");
	buf_addch(&b, ':');
	buf_addf(&b, " %d-%s", 42, "x");
	buf_addchn(&b, '!', 3);
	assert_string_equal(b.ptr, "key: 42-x!!!");
	assert_int_equal(b.len, 12);
	buf_truncate(&b, 3);
	assert_string_equal(b.ptr, "key");
	buf_release(&b);
	assert_int_equal(b.len, 0);
}

static void test_buf__adds_integers_as_printf_does(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_add_int(&b, 0);
	buf_addch(&b, ' ');
	buf_add_int(&b, -7);
	buf_addch(&b, ' ');
	buf_add_int(&b, 1234567890123LL);
	buf_addch(&b, ' ');
	buf_add_int(&b, LLONG_MIN);
	buf_addch(&b, ' ');
	buf_add_int(&b, LLONG_MAX);
	buf_addch(&b, ' ');
	buf_add_uint(&b, ULLONG_MAX);
	buf_addch(&b, ' ');
	buf_add_uint(&b, 10);
	assert_string_equal(b.ptr, "0 -7 1234567890123 -9223372036854775808 "
				   "9223372036854775807 18446744073709551615 10");
	buf_release(&b);
}

static void test_buf__holds_nul_bytes(void **state)
{
	struct buf b = BUF_INIT;

	buf_add(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.ptr, "a\0b", 3);
	assert_int_equal(b.ptr[3], '\0');
	buf_release(&b);
}

static void test_buf__max_sets_sticky_oom(void **state)
{
	struct buf b = BUF_INIT;

	b.max = 8;
	assert_int_equal(buf_adds(&b, "12345678"), 0);
	assert_int_equal(buf_adds(&b, "9"), -1);
	assert_true(buf_oom(&b));
	assert_int_equal(buf_adds(&b, ""), -1);
	assert_string_equal(b.ptr, "12345678");
	buf_release(&b);
}

static void test_buf__detach_hands_over_ownership(void **state)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *s;

	s = buf_detach(&b, &len);
	assert_string_equal(s, "");
	free(s);
	buf_adds(&b, "grown");
	s = buf_detach(&b, &len);
	assert_int_equal(len, 5);
	assert_string_equal(s, "grown");
	assert_int_equal(b.len, 0);
	free(s);
}

static void test_buf__grows_large(void **state)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < 100000; i++)
		buf_addch(&b, 'a' + i % 26);
	assert_int_equal(b.len, 100000);
	assert_int_equal(b.ptr[99999], 'a' + 99999 % 26);
	buf_release(&b);
}

static void test_diag__positions_and_caret(void **state)
{
	struct srcfile src = SRCFILE_INIT;
	struct diag d = DIAG_INIT;
	int line, col;

	assert_int_equal(srcfile_set(&src, "hydrate.yaml", "apps:\n  - name: web\n\tbad: 1\n", 28), 0);
	srcfile_locate(&src, 10, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5);
	assert_int_equal(diag_set_at(&d, DIAG_EPARSE, &src, 2, 5, 4,
				     "unknown key '%s'", "name"), DIAG_EPARSE);
	assert_string_equal(d.msg.ptr, "hydrate.yaml:2:5: unknown key 'name'");
	assert_string_equal(d.context.ptr, "      - name: web\n        ^^^^\n");
	diag_prefix(&d, "loading %s", "config");
	assert_string_equal(d.msg.ptr, "loading config: hydrate.yaml:2:5: unknown key 'name'");
	diag_release(&d);
	srcfile_release(&src);
}

static void test_diag__caret_counts_characters_not_bytes(void **state)
{
	struct srcfile src = SRCFILE_INIT;
	struct diag d = DIAG_INIT;
	const char *text = "name: \xc3\xa9t\xc3\xa9 bad\n";

	assert_int_equal(srcfile_set(&src, "x.yaml", text, strlen(text)), 0);
	/* "bad" starts at character 12 (byte 14): the caret goes under it */
	diag_set_at(&d, DIAG_EPARSE, &src, 1, 12, 3, "bad value");
	assert_string_equal(d.context.ptr, "    name: \xc3\xa9t\xc3\xa9 bad\n               ^^^\n");
	diag_release(&d);
	srcfile_release(&src);
}

static void test_diag__null_diag_still_returns_code(void **state)
{
	assert_int_equal(diag_set(NULL, DIAG_ELIMIT, "x"), DIAG_ELIMIT);
}

static void test_srcfile__missing_file_is_not_found(void **state)
{
	struct srcfile src = SRCFILE_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(srcfile_read(&src, "/nonexistent/values.yaml", &d), DIAG_ENOTFOUND);
	assert_string_equal(d.msg.ptr, "open /nonexistent/values.yaml: no such file or directory");
	diag_release(&d);
	srcfile_release(&src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf__starts_empty_and_terminated),
		cmocka_unit_test(test_buf__appends_and_formats),
		cmocka_unit_test(test_buf__holds_nul_bytes),
		cmocka_unit_test(test_buf__adds_integers_as_printf_does),
		cmocka_unit_test(test_buf__max_sets_sticky_oom),
		cmocka_unit_test(test_buf__detach_hands_over_ownership),
		cmocka_unit_test(test_buf__grows_large),
		cmocka_unit_test(test_diag__positions_and_caret),
		cmocka_unit_test(test_diag__caret_counts_characters_not_bytes),
		cmocka_unit_test(test_diag__null_diag_still_returns_code),
		cmocka_unit_test(test_srcfile__missing_file_is_not_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
