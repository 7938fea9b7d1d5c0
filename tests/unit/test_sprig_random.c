/*
 * Properties of Sprig's random functions (render/tmpl/sprig_random.c),
 * whose outputs no golden case can pin: lengths, alphabets, coverage,
 * uniqueness, formats. Exact outputs of the deterministic corners and the
 * errors are golden cases (testdata/sprig/random).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/tmpl.h"

/* Executes text with Sprig's functions; the output (malloc'd), or NULL
 * with the error in err when err is not NULL. */
static char *S_render(const char *text, struct buf *err)
{
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT;
	struct tval dot = tval_json_new(TV_MAP, json_object());
	char *res = NULL;

	if (tmpl_funcs_new(&funcs) < 0 || sprig_register(funcs) < 0 ||
	    tmpl_set_new(&set, funcs) < 0 || tmpl_rt_new(&rt, NULL, TMPL_MISSINGKEY_ZERO) < 0)
		goto done;
	if (tmpl_set_parse(set, "t", text, strlen(text), &d) < 0 ||
	    tmpl_execute(&out, set, "t", &dot, rt, &d) < 0) {
		if (err)
			buf_add(err, d.msg.ptr, d.msg.len);
		goto done;
	}
	res = buf_detach(&out, NULL);
done:
	tval_release(&dot);
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
	buf_release(&out);
	diag_release(&d);
	return res;
}

static char *S_render_ok(const char *text)
{
	char *s = S_render(text, NULL);

	assert_non_null(s);
	return s;
}

/* Every byte of s is in alphabet, and (if all) every alphabet byte occurs. */
static void S_check_alphabet(const char *s, size_t want_len, const char *alphabet, int all)
{
	size_t i;

	assert_int_equal(strlen(s), want_len);
	for (i = 0; s[i]; i++)
		assert_non_null(strchr(alphabet, s[i]));
	if (all)
		for (i = 0; alphabet[i]; i++)
			assert_non_null(strchr(s, alphabet[i]));
}

static const char S_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char S_alnum[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void test_sprig_random__alphabets(void **state)
{
	char *s, ascii[96];
	int c;

	(void)state;
	for (c = 32; c < 127; c++)
		ascii[c - 32] = (char)c;
	ascii[95] = '\0';
	s = S_render_ok("{{ randAlphaNum 5000 }}");
	S_check_alphabet(s, 5000, S_alnum, 1);
	free(s);
	s = S_render_ok("{{ randAlpha 5000 }}");
	S_check_alphabet(s, 5000, S_alpha, 1);
	free(s);
	s = S_render_ok("{{ randNumeric 2000 }}");
	S_check_alphabet(s, 2000, "0123456789", 1);
	free(s);
	/* randAscii: 32..126; the template text must survive printing as is */
	s = S_render_ok("{{ randAscii 8000 }}");
	S_check_alphabet(s, 8000, ascii, 1);
	free(s);
}

static void test_sprig_random__distinct_calls(void **state)
{
	char *s;
	const char *fns[] = { "randAlphaNum 32", "randAlpha 32", "randNumeric 32",
			      "randAscii 32", "randBytes 32", "uuidv4" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		char text[128];

		snprintf(text, sizeof(text), "{{ eq (%s) (%s) }}", fns[i], fns[i]);
		s = S_render_ok(text);
		assert_string_equal(s, "false");
		free(s);
	}
}

static void test_sprig_random__counts(void **state)
{
	char *s;

	(void)state;
	s = S_render_ok("[{{ randAlphaNum 0 }}{{ randAlpha -5 }}{{ randNumeric -1 }}{{ randAscii 0 }}"
			"{{ randBytes 0 }}]");
	assert_string_equal(s, "[]");
	free(s);
	s = S_render_ok("{{ len (b64dec (randBytes 1)) }} {{ len (b64dec (randBytes 47)) }} "
			"{{ len (randBytes 47) }}");
	assert_string_equal(s, "1 47 64");
	free(s);
}

static void test_sprig_random__uuidv4_format(void **state)
{
	struct buf text = BUF_INIT;
	char *s, *line, *nl, *lines[40];
	int n = 0, i, k;

	(void)state;
	for (i = 0; i < 40; i++)
		buf_adds(&text, "{{ uuidv4 }}\n");
	s = S_render_ok(text.ptr);
	for (line = s; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		assert_int_equal(strlen(line), 36);
		for (i = 0; i < 36; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				assert_int_equal(line[i], '-');
			else
				assert_non_null(strchr("0123456789abcdef", line[i]));
		}
		assert_int_equal(line[14], '4');
		assert_non_null(strchr("89ab", line[19]));
		for (k = 0; k < n; k++)
			assert_string_not_equal(lines[k], line);
		lines[n++] = line;
	}
	assert_int_equal(n, 40);
	free(s);
	buf_release(&text);
}

static void test_sprig_random__rand_int_range(void **state)
{
	struct buf text = BUF_INIT;
	char *s, *p;
	int seen[3] = { 0, 0, 0 }, i, neg = 0;

	(void)state;
	for (i = 0; i < 600; i++)
		buf_adds(&text, "{{ randInt 0 3 }}");
	s = S_render_ok(text.ptr);
	assert_int_equal(strlen(s), 600);
	for (p = s; *p; p++) {
		assert_true(*p >= '0' && *p <= '2');
		seen[*p - '0']++;
	}
	assert_true(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
	free(s);
	buf_reset(&text);
	for (i = 0; i < 200; i++)
		buf_adds(&text, "{{ randInt -2 0 }} ");
	s = S_render_ok(text.ptr);
	for (p = strtok(s, " "); p; p = strtok(NULL, " ")) {
		int v = atoi(p);
		assert_true(v == -2 || v == -1);
		neg |= v == -2 ? 1 : 2;
	}
	assert_int_equal(neg, 3);
	free(s);
	buf_release(&text);
}

static int S_cmp_char(const void *a, const void *b)
{
	return *(const char *)a - *(const char *)b;
}

static void test_sprig_random__shuffle_permutes(void **state)
{
	const char *in = "abcdefghijklmnop";
	char sorted[32];
	int i, moved = 0;

	(void)state;
	for (i = 0; i < 20; i++) {
		char *s = S_render_ok("{{ shuffle \"abcdefghijklmnop\" }}");

		assert_int_equal(strlen(s), strlen(in));
		strcpy(sorted, s);
		qsort(sorted, strlen(sorted), 1, S_cmp_char);
		assert_string_equal(sorted, in);
		moved |= strcmp(s, in) != 0;
		free(s);
	}
	assert_true(moved);
}

static void test_sprig_random__shuffle_keeps_runes(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		char *s = S_render_ok("{{ shuffle \"é✓😀a\" }}");

		assert_int_equal(strlen(s), strlen("é✓😀a"));
		assert_non_null(strstr(s, "é"));
		assert_non_null(strstr(s, "✓"));
		assert_non_null(strstr(s, "😀"));
		assert_non_null(strchr(s, 'a'));
		free(s);
	}
}

static void test_sprig_random__errors(void **state)
{
	struct buf err = BUF_INIT;

	(void)state;
	assert_null(S_render("{{ randInt 3 3 }}", &err));
	assert_non_null(strstr(err.ptr, "error calling randInt: invalid argument to Intn"));
	buf_reset(&err);
	assert_null(S_render("{{ randBytes -1 }}", &err));
	assert_non_null(strstr(err.ptr, "error calling randBytes: runtime error: makeslice: len out of range"));
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sprig_random__alphabets),
		cmocka_unit_test(test_sprig_random__distinct_calls),
		cmocka_unit_test(test_sprig_random__counts),
		cmocka_unit_test(test_sprig_random__uuidv4_format),
		cmocka_unit_test(test_sprig_random__rand_int_range),
		cmocka_unit_test(test_sprig_random__shuffle_permutes),
		cmocka_unit_test(test_sprig_random__shuffle_keeps_runes),
		cmocka_unit_test(test_sprig_random__errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
