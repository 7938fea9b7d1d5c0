/*
 * Golden cases for `hydrate template`: testdata/helm/<case>/ holds chart/,
 * args (the arguments after `template`, split on whitespace) and the
 * reference helm's expected.yaml (stdout) or expected.err (stderr of a
 * failing run), made by testdata/helm/generate.sh. Each case runs the built
 * binary inside its directory and compares bytes. Cases named in
 * testdata/helm/KNOWN_FAILURES (name, a space, the reason) are reported but
 * do not fail the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static int S_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int S_known(const char *known, const char *name)
{
	size_t n = strlen(name);
	const char *p = known;

	while (p && *p) {
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* Runs HYDRATE_BIN template ARGS... inside dir (args split on blanks, no
 * shell), stdout and stderr to files; the exit status, or -1. */
static int S_exec(const char *dir, char *args, const char *out_path, const char *err_path)
{
	char *argv[256];
	int argc = 0, status;
	pid_t pid;

	argv[argc++] = (char *)HYDRATE_BIN;
	argv[argc++] = (char *)"template";
	for (char *tok = strtok(args, " \t\n"); tok && argc < 255; tok = strtok(NULL, " \t\n"))
		argv[argc++] = tok;
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (chdir(dir) != 0 || !freopen(out_path, "w", stdout) ||
		    !freopen(err_path, "w", stderr))
			_exit(127);
		execv(HYDRATE_BIN, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Runs one case; 1 when it matches. */
static int S_run_case(const char *dir, const char *name)
{
	char out_path[4200], err_path[4200], path[4200];
	char *args = NULL, *want = NULL, *got = NULL;
	size_t want_len = 0, got_len = 0;
	int status, ok = 0, want_err;

	if (snprintf(path, sizeof(path), "%s/args", dir) >= (int)sizeof(path)) {
		printf("FAIL %s: path too long\n", name);
		return 0;
	}
	args = tu_read_file(path, NULL);
	if (!args) {
		printf("FAIL %s: no args file\n", name);
		return 0;
	}
	snprintf(out_path, sizeof(out_path), "%s/hydrate-golden-%d.out", P_tmpdir, (int)getpid());
	snprintf(err_path, sizeof(err_path), "%s/hydrate-golden-%d.err", P_tmpdir, (int)getpid());
	status = S_exec(dir, args, out_path, err_path);
	want = snprintf(path, sizeof(path), "%s/expected.err", dir) < (int)sizeof(path)
		       ? tu_read_file(path, &want_len) : NULL;
	want_err = want != NULL;
	if (!want && snprintf(path, sizeof(path), "%s/expected.yaml", dir) < (int)sizeof(path))
		want = tu_read_file(path, &want_len);
	got = tu_read_file(want_err ? err_path : out_path, &got_len);
	if (!want || !got) {
		printf("FAIL %s: missing expected or output file\n", name);
		goto done;
	}
	if (status != (want_err ? 2 : 0)) {
		printf("FAIL %s: exit status %d, want %d\n", name, status, want_err ? 2 : 0);
		goto done;
	}
	if (want_len != got_len || memcmp(want, got, want_len) != 0) {
		printf("FAIL %s: output differs (diff %s/expected.%s %s)\n", name, dir,
		       want_err ? "err" : "yaml", want_err ? err_path : out_path);
		goto done;
	}
	ok = 1;
	unlink(out_path);
	unlink(err_path);
done:
	free(args);
	free(want);
	free(got);
	return ok;
}

static void test_helm_golden__cases(void **state)
{
	const char *root = tu_testdata("helm");
	char rootbuf[4096], dir[4400];
	char *known, **names = NULL;
	size_t n = 0, cap = 0, i;
	int passed = 0, failed = 0, unexpected = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;

	snprintf(rootbuf, sizeof(rootbuf), "%s", root);
	snprintf(dir, sizeof(dir), "%s/KNOWN_FAILURES", rootbuf);
	known = tu_read_file(dir, NULL);
	d = opendir(rootbuf);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s/args", rootbuf, e->d_name);
		if (stat(dir, &st) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = realloc(names, cap * sizeof(*names));
			assert_non_null(names);
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), S_cmp_names);
	for (i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", rootbuf, names[i]);
		if (S_run_case(dir, names[i])) {
			passed++;
		} else {
			failed++;
			if (!S_known(known, names[i]))
				unexpected++;
			else
				printf("  (known failure: %s)\n", names[i]);
		}
		free(names[i]);
	}
	free(names);
	free(known);
	printf("%d passed, %d failed\n", passed, failed);
	assert_true(n > 0);
	assert_int_equal(unexpected, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helm_golden__cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
