/*
 * Kustomize's krusty test cases (../shared/corpus/kustomize beside the
 * checkout, see its README.md) run through kustomize_build, compared as the
 * corpus says: output byte for byte after final-newline normalisation, or
 * each line of expected-error.txt contained in the error. Cases listed in
 * tests/kustomize-corpus.known-failures may fail; any other failure fails
 * this test. Without the corpus the test passes, saying so.
 * (tests/kustomize-corpus.sh does the same through the hydrate binary.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/kustomize/kustomize.h"
#include "testutil.h"

static char *read_in(const char *dir, const char *file)
{
	struct buf path = BUF_INIT;
	char *r;

	buf_addf(&path, "%s/%s", dir, file);
	r = tu_read_file(path.ptr, NULL);
	buf_release(&path);
	return r;
}

/* Drops trailing newlines, then adds one (both sides compare that way). */
static void normalise(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
}

static int listed(const char *known, const char *id)
{
	size_t n = strlen(id);
	const char *p = known;

	while (p && (p = strstr(p, id)) != NULL) {
		if ((p == known || p[-1] == '\n') && (p[n] == '\n' || p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* 1 pass, 0 fail. */
static int run_case(const char *dir, const char *empty_root)
{
	struct kustomize_opts o = KUSTOMIZE_OPTS_INIT;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	char *cmd = read_in(dir, "cmd"), *options = read_in(dir, "options");
	char *assert_kind = read_in(dir, "assert"), *want = NULL;
	struct buf root = BUF_INIT;
	struct stat st;
	int error, ok = 0;

	if (!cmd)
		goto done;
	normalise(cmd);
	buf_addf(&root, "%s/in", dir);
	o.fs_root = stat(root.ptr, &st) == 0 ? root.ptr : empty_root;
	o.reorder = options && strstr(options, "reorder=none") ? KUSTOMIZE_REORDER_NONE :
		    KUSTOMIZE_REORDER_LEGACY;
	if (options && strstr(options, "loadRestrictions=none"))
		o.load_restrictor = KUSTOMIZE_LOAD_NONE;
	if (options && strstr(options, "addManagedbyLabel=true"))
		o.add_managedby_label = 1;
	o.version = "(test)"; /* the krusty tests' build version */
	error = kustomize_build(&out, cmd, &o, &d);
	if (assert_kind && !strncmp(assert_kind, "error", 5)) {
		char *lines = read_in(dir, "expected-error.txt"), *line, *save = NULL;

		ok = error < 0;
		for (line = lines ? strtok_r(lines, "\n", &save) : NULL; ok && line;
		     line = strtok_r(NULL, "\n", &save))
			ok = strstr(d.msg.ptr, line) != NULL;
		free(lines);
	} else if (error == 0 && (want = read_in(dir, "expected.yaml")) != NULL) {
		char *got = buf_detach(&out, NULL);

		normalise(got);
		normalise(want);
		ok = strcmp(got, want) == 0;
		free(got);
	}
done:
	free(cmd);
	free(options);
	free(assert_kind);
	free(want);
	buf_release(&root);
	buf_release(&out);
	diag_release(&d);
	return ok;
}

static void test_kustomize_corpus__cases_pass_unless_listed(void **state)
{
	char cases[4096], known_path[4096], empty[] = "/tmp/hydrate-empty-XXXXXX";
	char *known;
	DIR *dir;
	struct dirent *e;
	int pass = 0, fail = 0, unexpected = 0;

	(void)state;
	snprintf(cases, sizeof(cases), "%s/../shared/corpus/kustomize/cases", SOURCE_DIR);
	if (!(dir = opendir(cases))) {
		printf("corpus not found\n");
		return;
	}
	snprintf(known_path, sizeof(known_path), "%s/tests/kustomize-corpus.known-failures",
		 SOURCE_DIR);
	known = tu_read_file(known_path, NULL);
	assert_non_null(mkdtemp(empty));
	while ((e = readdir(dir)) != NULL) {
		struct buf path = BUF_INIT;
		int ok;

		if (e->d_name[0] == '.')
			continue;
		buf_addf(&path, "%s/%s", cases, e->d_name);
		ok = run_case(path.ptr, empty);
		buf_release(&path);
		if (ok) {
			pass++;
		} else {
			fail++;
			if (!listed(known, e->d_name)) {
				printf("FAIL %s\n", e->d_name);
				unexpected++;
			}
		}
	}
	closedir(dir);
	rmdir(empty);
	free(known);
	printf("%d passed, %d failed\n", pass, fail);
	assert_int_equal(unexpected, 0);
	assert_true(pass > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kustomize_corpus__cases_pass_unless_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
