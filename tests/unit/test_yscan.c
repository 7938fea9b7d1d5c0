/*
 * render/yscan.c against libyaml itself: for every input, the fast event
 * source either bails out or gives libyaml 0.2.5's very event sequence,
 * every field of every event compared (tests/unit/yscan_diff.h). The
 * expected events come from libyaml, never from yscan.
 *
 * Inputs: hand-made edge strings, every YAML file under testdata/, and the
 * shared corpus (/work/shared/corpus) when it is present. The file test
 * prints how many bytes took the fast way.
 */
#define _XOPEN_SOURCE 700
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ftw.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/yscan.h"
#include "testutil.h"
#include "yscan_diff.h"

#define CORPUS_DIR "/work/shared/corpus"

/* Inputs the fast source must take, giving libyaml's events. */
static const char *const fast[] = {
	"",
	"\n",
	"# only a comment\n",
	"a: 1\n",
	"a: 1",
	"a:\n",
	"a:",
	"a: \n",
	"a:   # comment\n",
	"a: b # comment\nc: d\n",
	"a: b#c\n",
	"a:b\n",
	"\n\n  \nkey: value   \n\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    a: b\n",
	"a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
	"a:\n  b:\n    c:\n",
	"a:\n- 1\n- 2\nb: 3\n",
	"a:\n- 1\n-\n- 3\n",
	"a:\n-\n",
	"a:\n  - 1\n  - 2\n",
	"a:\n  -\n  - x\n",
	"- a\n- b\n",
	"- a: 1\n  b: 2\n- c: 3\n",
	"- a:\n  - x\n  - y\n  b: 1\n",
	"- a:\n    - x\n- b\n",
	"-\n  a: 1\n",
	"-\n  - x\n",
	"items:\n- name: a\n  value: \"1\"\n- name: b\n  args:\n  - --x\n  - -y\n",
	"a: 'single'\nb: 'it''s'\nc: ''\n",
	"a: \"double\"\nb: \"esc \\\" \\\\ \\n \\t \\x41 \\u00e9 \\U0001F600 \\0 \\e \\N \\_\"\n",
	"'quoted key': 1\n\"dq key\": 2\n",
	"a : 1\n",
	"a: [ ]\nb: {}\nc: []\n",
	"- []\n- {}\n",
	"a: [1, 2]\nb: {c: d}\n",
	"verbs: [\"get\", \"list\", \"watch\"]\napiGroups: [\"\"]\n",
	"a: [ x y , 'z' ,\"w\", ]\nb: {\"k\": 'v', k2: v 2 }\n",
	"- [a:b, -1, c]\n",
	"a: {x: 1}  # c\n",
	"a: plain   \n  continued  \n\n   and   more\n\n\n  again # c\nb: 1\n",
	"- item\n  continued\n- x\n",
	"a:\n  b: one\n   two\n  c: 3\n",
	"a: x\n\n  y\n",
	"a: 'multi  \n   line''s\n\n\n  end  '\nb: \"d  \n \\t x \n\n y\\ \n z\"\n",
	"- 'x\ny'\n- \"\n\"\n",
	"a: |\n  line1\n  line2\nb: 1\n",
	"a: |-\n  line1\n  line2\n\nb: 1\n",
	"a: |+\n  line1\n\n\nb: 1\n",
	"a: >\n  folded\n  text\n\n  para\n    more\n  back\nb: 1\n",
	"a: >-\n  x\n  y\n",
	"a: >+\n  x\n\n",
	"a: |\n\n  after blank\n",
	"a: |\n    deeper\n    less\nb: 1\n",
	"a: |\n  x\n # not content\nb: 1\n",
	"a: |\n  x\n  # content\n",
	"a: |  # comment\n  x\n",
	"a: |\nb: 1\n",
	"a: |\n",
	"a: |",
	"a: |\n  x",
	"- |\n  x\n- >\n  y\n",
	"---\na: 1\n",
	"--- \na: 1\n---\nb: 2\n",
	"a: 1\n---\nb: 2\n...\n",
	"a: 1\n...\n---\nb: 2\n",
	"---\n---\n",
	"---\n# empty\n---\na: 1\n",
	"--- # comment\na: 1\n... # end\n",
	"a: 1\n...\n...\n",
	"scalar\n",
	"---\nscalar\n",
	"\"quoted root\"\n",
	"a: b\n---\n- x\n",
	"a: caf\xc3\xa9\nb: \xe2\x82\xac uro\n\xc3\xa9: x\n",
	"- \xc3\xa9\xc3\xa9: 1\n  b: \xf0\x9f\x98\x80\n",
	"a: -1\nb: -x\nc: ?x\nd: :x\n",
	"a:\n  b\nc: 1\n",
	"a:\n  - b\n  -  c\n",
	"key: http://example.com:80/x\n",
	"a: 1\n# trailing comment",
	"a:\n  # comment inside\n  b: 1\n",
	"a:\n\n\n  b: 1\n",
};

/* Inputs the fast source must leave to libyaml. */
static const char *const bails[] = {
	"a: &x 1\n",
	"a: *x\n",
	"a: !!str 1\n",
	"%YAML 1.1\n---\na: 1\n",
	"? a\n: b\n",
	"a:\tb\n",
	"a: b\r\n",
	"\xef\xbb\xbf" "a: 1\n",
	"plain\n  continued at the root\n",
	"a: plain\n  b: 1\n",
	"a: 'multi\n---\n  line'\n",
	"'multi\n line': x\n",
	"a: [\"x\n y\"]\n",
	"a: \"esc\\/\"\n",
	"a: \"line\\\n  x\"\n",
	"a: |2\n  x\n",
	"a: [[1]]\n",
	"a: {b: {c: d}}\n",
	"a: [1,\n  2]\n",
	"a: [b: c]\n",
	"- - x\n",
	"a: - x\n",
	"a: x: y\n",
	"a: 1\nb\n",
	"a: 1\n  b: 2\n",
	"- a\nb: 1\n",
	"a\nb\n",
	"\x7f",
	"a: \xc3\n",
	"a: \xc2\x85\n",
	"a: |\n\tx\n",
	"...\n",
	"a: 1\n--- x\n",
	"a: 1\n...\nb: 2\n",
	"[]: x\n",
};

/* Inputs libyaml itself refuses or that are odd: any answer but a
 * mismatch will do. */
static const char *const edges[] = {
	"a: b: c\n", "a:\n b: 1\n c: 2\n  d: 3\n", "- a\n  - b\n", "a: 'x' y\n",
	"a: \"x\"y\n", "'a'#c\n", "\"a\":b\n", "a: |\n  x\n\ty\n", "a: >\n \n  x\n",
	"a: |\n   \n  x\n", "a: |\n     \n  x\n", "a:\n- b\n -c\n", "a: #\n", "a: '#'\n",
	"a:\n  - b: 1\n    c: 2\n  - d\n", "- a:\n  b: 1\n", "--- a\n", "---a\n",
	"...a\n", "a: ---\n", "a:\n---\n", "-\n-\n", "- \n", "-", ":", "?", "- :", "a: :",
	"key:    \n  value\n", "a: b  \n\n\n", "a: 1\n\n# c\n\n", "\n\n\n---\n\n",
	"a:\n  b: |\n    x\n\n\n  c: 1\n", "a: >\n  x\n\n  y\n\n\n", "a: >\n  x\n   y\n  z\n",
	"a: >\n   x\n  y\n", "a: |-\n", "a: |+\n", "a: |+\n\n", "a: >+\n  x\n\n\n",
	"x: '''a'''\n", "x: \"\\u0000\"\n", "x: \"\\ud800\"\n", "x: \"\\xzz\"\n", "x: \"\\",
	"x: \"abc", "x: 'abc", "a:\n- b\n- c\n d\n", "a: b\n  # c\n", "a: b\n #c\nd: e\n",
	"a: b\n#\n  c\n", "a:\n  b\n  #c\n", "- a\n-b\n", "-a\n", "a: -\n", "a: - \n",
	"- - \n", "a: [\n", "a: [ ]x\n", "a: {}: b\n", "a: []# c\n",
	"a:\n  - x\n  y: 1\n", "a: x\n  y: z\n", "a: x\n  #y\n", "a: x\n  y #z\n  w\n",
	"a: x\n  y\n#z\n", "a: x\n  - y\n", "- x\n -y\n", "a: x\n  'y'\n", "a: x\n\n\n",
	"a: x\n  y:z\n", "a: x\n  y :\n", "a:\n  b: 'x\ny'\n", "a:\n  b: \"x\n\n  y\"\n  c: 1\n", "a: 'x\n", "a: 'x\n\n", "a: \"x\n...\n\"",
	"a: 'x\n --- y'\n", "a: \"x\\\n y\"\n", "a: 'x\n  y': z\n", "'x\ny': z\n", "a: [a:]\n", "a: [a:,b]\n", "a: [a, , b]\n", "a: [,]\n",
	"a: {b}\n", "a: {b:}\n", "a: {b: }\n", "a: {b:c}\n", "a: {:b}\n", "a: [-]\n", "a: [- x]\n",
	"a: [?x]\n", "a: [a #c]\n", "a: [a] b\n", "a: [a]]\n", "a: {\"b\":c}\n", "a: [|]\n",
	"a: [a b,c ]\n", "a: ['a''b', \"\\x41\"]\n", "a: [&x a]\n", "[a]\n", "{a: b}\n", "- [a]: b\n", "a: |\n    deeper\n  less\nb: 1\n", "a:\n- x\ny: 1\n", "a:\n- x\n y: 1\n", "x:\n  - a\n - b\n",
};

static void check_no_mismatch(const char *in, size_t n)
{
	char why[512];
	int r = yscan_diff(in, n, why, sizeof(why));

	if (r == YSCAN_DIFF_MISMATCH)
		fail_msg("mismatch on \"%s\": %s", in, why);
}

static void test_yscan__common_forms_take_the_fast_path(void **state)
{
	size_t i;
	char why[512];

	(void)state;
	for (i = 0; i < sizeof(fast) / sizeof(fast[0]); i++) {
		int r = yscan_diff(fast[i], strlen(fast[i]), why, sizeof(why));
		if (r != YSCAN_DIFF_SAME)
			fail_msg("input %zu \"%s\": %s", i, fast[i],
				 r == YSCAN_DIFF_BAIL ? "bailed" : why);
	}
}

static void test_yscan__leaves_the_rest_to_libyaml(void **state)
{
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(bails) / sizeof(bails[0]); i++) {
		r = yscan_diff(bails[i], strlen(bails[i]), NULL, 0);
		if (r != YSCAN_DIFF_BAIL)
			fail_msg("input %zu \"%s\": %s", i, bails[i],
				 r == YSCAN_DIFF_SAME ? "taken" : "mismatch");
	}
	/* a NUL byte */
	assert_int_equal(yscan_diff("a: 1\nb: x\0y\n", 12, NULL, 0), YSCAN_DIFF_BAIL);
}

static void test_yscan__edge_strings(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check_no_mismatch(edges[i], strlen(edges[i]));
	for (i = 0; i < sizeof(fast) / sizeof(fast[0]); i++) {
		/* and every prefix of the forms above */
		size_t n = strlen(fast[i]), k;
		for (k = 0; k < n; k++)
			check_no_mismatch(fast[i], k);
	}
}

/* yscan_init passes printable ASCII and line feeds, eight bytes at a
 * time where it can, and leaves any other lone byte to libyaml: every byte
 * value at every offset (two whole words and the tail after them) but the
 * final line feed. */
static void test_yscan__init_byte_classes(void **state)
{
	static const char plain[] = "k: abcdefghijklmnopqrs\n";
	char in[sizeof(plain)];
	size_t pos;
	unsigned b;

	(void)state;
	for (pos = 0; pos < sizeof(plain) - 2; pos++) {
		for (b = 0; b < 256; b++) {
			struct yscan sc;
			int want = (b >= 0x20 && b <= 0x7E) || b == '\n', got;

			memcpy(in, plain, sizeof(plain));
			in[pos] = (char)b;
			got = yscan_init(&sc, in, sizeof(plain) - 1) == 0;
			yscan_release(&sc);
			if (got != want)
				fail_msg("byte 0x%02x at %zu: %s", b, pos,
					 got ? "taken" : "left to libyaml");
		}
	}
}

/* Every UTF-8 sequence through a scalar, a key and a comment. */
static void test_yscan__utf8(void **state)
{
	static const char *const chars[] = {
		"\xc2\xa0", "\xc3\xa9", "\xdf\xbf", "\xe0\xa0\x80", "\xe2\x80\x93",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd", "\xf0\x90\x80\x80",
		"\xf4\x8f\xbf\xbf", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xef\xbb\xbf", "\xef\xbf\xbe", "\xc2\x80", "\xe2\x80\xa8",
	};
	size_t i;
	char in[128];

	(void)state;
	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
		TU_FMT(in, "%s: a%sb\n- x\n", chars[i], chars[i]);
		check_no_mismatch(in, strlen(in));
		TU_FMT(in, "k%s: |\n  %s\n  x: 'y%s'\nz: \"%s\" # %s\n", chars[i], chars[i],
		       chars[i], chars[i], chars[i]);
		check_no_mismatch(in, strlen(in));
	}
}

/* ---- files ---- */

static size_t files, files_fast, bytes, bytes_fast, mismatches;
static size_t bail_bytes[4096]; /* by line of render/yscan.c */

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *dot = strrchr(path, '.');
	char why[512];
	char *data;
	size_t n;
	int r;

	(void)st;
	(void)ftw;
	if (flag != FTW_F || !dot || (strcmp(dot, ".yaml") && strcmp(dot, ".yml")))
		return 0;
	/* fuzz seeds; chart templates, which are not YAML until rendered */
	if (strstr(path, "/fuzz/") || strstr(path, "/templates/"))
		return 0;
	if (!(data = tu_read_file(path, &n)))
		return 0;
	r = yscan_diff(data, n, why, sizeof(why));
	files++;
	bytes += n;
	if (r == YSCAN_DIFF_SAME) {
		files_fast++;
		bytes_fast += n;
	} else if (r == YSCAN_DIFF_BAIL) {
		if (yscan_diff_bail_line > 0 && yscan_diff_bail_line < 4096)
			bail_bytes[yscan_diff_bail_line] += n;
	} else if (r == YSCAN_DIFF_MISMATCH) {
		print_error("mismatch: %s: %s\n", path, why);
		mismatches++;
	}
	free(data);
	return 0;
}

static void walk(const char *dir, const char *label)
{
	size_t i;

	files = files_fast = bytes = bytes_fast = mismatches = 0;
	memset(bail_bytes, 0, sizeof(bail_bytes));
	if (nftw(dir, visit, 16, FTW_PHYS) != 0)
		return;
	print_message("yscan %s: %zu of %zu files, %zu of %zu bytes (%.1f%%) on the fast "
		      "path\n", label, files_fast, files, bytes_fast, bytes,
		      bytes ? 100.0 * (double)bytes_fast / (double)bytes : 0.0);
	for (i = 0; i < 4096; i++)
		if (bail_bytes[i] * 100 > bytes)
			print_message("  bails at yscan.c:%zu: %zu bytes\n", i, bail_bytes[i]);
	assert_int_equal(mismatches, 0);
}

static void test_yscan__testdata_files(void **state)
{
	(void)state;
	walk(TESTDATA_DIR, "testdata");
	assert_true(files > 100);
}

static void test_yscan__corpus_files(void **state)
{
	struct stat st;

	(void)state;
	if (stat(CORPUS_DIR, &st) != 0)
		skip();
	walk(CORPUS_DIR, "corpus");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yscan__common_forms_take_the_fast_path),
		cmocka_unit_test(test_yscan__leaves_the_rest_to_libyaml),
		cmocka_unit_test(test_yscan__edge_strings),
		cmocka_unit_test(test_yscan__init_byte_classes),
		cmocka_unit_test(test_yscan__utf8),
		cmocka_unit_test(test_yscan__testdata_files),
		cmocka_unit_test(test_yscan__corpus_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
