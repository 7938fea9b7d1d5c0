/*
 * Golden cases for `hydrate template`: testdata/helm/<case>/ holds chart/,
 * args (the arguments after `template`, split on whitespace) and the
 * reference helm's expected.yaml (stdout) or expected.err (stderr of a
 * failing run), made by testdata/helm/generate.sh. Each case runs the built
 * binary inside its directory and compares bytes. Cases named in
 * testdata/helm/KNOWN_FAILURES (name, a space, the reason) are reported but
 * do not fail the test. A failing case must print nothing on stdout (or exactly its
 * expected.stdout: --debug's manifest).
 *
 * A case whose args hold --output-dir runs in a scratch copy of its
 * directory, with out.before/ (when present) copied to out/ first; on
 * success out/ must then hold exactly expected.out/, on failure exactly
 * what it held before (nothing written). A case's file stdin is the run's
 * standard input (for "-f -"), its file env NAME=VALUE lines set for it,
 * its directory plugins/ (if any) is HELM_PLUGINS. A successful case with
 * expected.stderr must print exactly that on stderr (Helm's warnings). The
 * absolute path of the directory a case runs in reads @CASEDIR@ in the
 * expected files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
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
		/* a case's stdin file is its standard input ("-f -"), else none */
		if (chdir(dir) != 0 || !freopen(out_path, "w", stdout) ||
		    !freopen(err_path, "w", stderr) ||
		    !freopen(access("stdin", F_OK) == 0 ? "stdin" : "/dev/null", "r", stdin))
			_exit(127);
		/* Helm's environment settings, as generate.sh runs helm */
		unsetenv("HELM_NAMESPACE");
		unsetenv("HELM_DEBUG");
		unsetenv("HELM_DATA_HOME");
		/* a case's plugins/ directory holds its Helm plugins */
		if (access("plugins", F_OK) == 0) {
			char cwd[4096];
			if (!getcwd(cwd, sizeof(cwd) - 16))
				_exit(127);
			strcat(cwd, "/plugins");
			setenv("HELM_PLUGINS", cwd, 1);
		} else {
			setenv("HELM_PLUGINS", "/nonexistent/hydrate-golden-plugins", 1);
		}
		{
			/* a case's env file: NAME=VALUE lines for the run */
			FILE *f = fopen("env", "r");
			char line[1024];
			while (f && fgets(line, sizeof(line), f)) {
				char *eq = strchr(line, '=');
				line[strcspn(line, "\n")] = '\0';
				if (eq) {
					*eq = '\0';
					setenv(line, eq + 1, 1);
				}
			}
			if (f)
				fclose(f);
		}
		execv(HYDRATE_BIN, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Runs argv (a NULL-terminated list) and waits: 0 when it exits 0. */
static int S_run(char *const argv[])
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Whether every file under a (relative path rel) exists under b with the
 * same bytes; directories must match as directories. 1 when so. */
static int S_tree_within(const char *a, const char *b, const char *rel, int depth)
{
	char pa[4200], pb[4200], sub[4200];
	struct dirent *e;
	struct stat sa, sb;
	DIR *d;
	int ok = 1;

	TU_FMT(pa, "%s%s", a, rel);
	d = opendir(pa);
	if (!d || depth > 32) {
		if (d)
			closedir(d);
		return 0;
	}
	while (ok && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		TU_FMT(sub, "%s/%s", rel, e->d_name);
		TU_FMT(pa, "%s%s", a, sub);
		TU_FMT(pb, "%s%s", b, sub);
		if (stat(pa, &sa) != 0 || stat(pb, &sb) != 0) {
			printf("  only in %s: %s\n", a, sub);
			ok = 0;
		} else if (S_ISDIR(sa.st_mode) != S_ISDIR(sb.st_mode)) {
			ok = 0;
		} else if (S_ISDIR(sa.st_mode)) {
			ok = S_tree_within(a, b, sub, depth + 1);
		} else {
			size_t la = 0, lb = 0;
			char *ca = tu_read_file(pa, &la), *cb = tu_read_file(pb, &lb);
			ok = ca && cb && la == lb && memcmp(ca, cb, la) == 0;
			if (!ok)
				printf("  differs: %s\n", sub);
			free(ca);
			free(cb);
		}
	}
	closedir(d);
	return ok;
}

/* Whether the trees a and b hold the same files; a missing tree is empty. */
static int S_tree_equal(const char *a, const char *b)
{
	struct stat st;
	int ha = stat(a, &st) == 0, hb = stat(b, &st) == 0;

	if (!ha || !hb)
		return ha == hb;
	return S_tree_within(a, b, "", 0) && S_tree_within(b, a, "", 0);
}

/* Replaces each occurrence of path in *text (len *len) by "@CASEDIR@". */
static void S_subst_casedir(char **text, size_t *len, const char *path)
{
	size_t pl = strlen(path), n = 0, i = 0;
	char *out;

	if (!pl || !*text)
		return;
	out = malloc(*len * 2 + 16);
	assert_non_null(out);
	while (i < *len) {
		if (i + pl <= *len && memcmp(*text + i, path, pl) == 0) {
			memcpy(out + n, "@CASEDIR@", 9);
			n += 9;
			i += pl;
		} else {
			out[n++] = (*text)[i++];
		}
	}
	out[n] = '\0';
	free(*text);
	*text = out;
	*len = n;
}

/* Runs one case; 1 when it matches. */
static int S_run_case(const char *dir, const char *name)
{
	char out_path[4200], err_path[4200], path[4200], tmp[4200] = "", run[4500], tree[4600];
	char *args = NULL, *want = NULL, *got = NULL;
	size_t want_len = 0, got_len = 0, out_len = 0;
	int status, ok = 0, want_err, outdir;

	if (snprintf(path, sizeof(path), "%s/args", dir) >= (int)sizeof(path)) {
		printf("FAIL %s: path too long\n", name);
		return 0;
	}
	args = tu_read_file(path, NULL);
	if (!args) {
		printf("FAIL %s: no args file\n", name);
		return 0;
	}
	TU_FMT(out_path, "%s/hydrate-golden-%d.out", P_tmpdir, (int)getpid());
	TU_FMT(err_path, "%s/hydrate-golden-%d.err", P_tmpdir, (int)getpid());
	TU_FMT(run, "%s", dir);
	outdir = strstr(args, "--output-dir") != NULL;
	if (outdir) {
		TU_FMT(tmp, "%s/hydrate-golden-XXXXXX", P_tmpdir);
		assert_non_null(mkdtemp(tmp));
		TU_FMT(run, "%s/case", tmp);
		{
			char *cp[] = { (char *)"cp", (char *)"-R", (char *)dir, run, NULL };
			assert_int_equal(S_run(cp), 0);
		}
		TU_FMT(tree, "%s/out.before", run);
		if (access(tree, F_OK) == 0) {
			char outp[4700];
			TU_FMT(outp, "%s/out", run);
			char *cp[] = { (char *)"cp", (char *)"-R", tree, outp, NULL };
			assert_int_equal(S_run(cp), 0);
		}
	}
	status = S_exec(run, args, out_path, err_path);
	want = snprintf(path, sizeof(path), "%s/expected.err", dir) < (int)sizeof(path)
		       ? tu_read_file(path, &want_len) : NULL;
	want_err = want != NULL;
	if (!want && snprintf(path, sizeof(path), "%s/expected.yaml", dir) < (int)sizeof(path))
		want = tu_read_file(path, &want_len);
	got = tu_read_file(want_err ? err_path : out_path, &got_len);
	{
		char real[PATH_MAX];
		S_subst_casedir(&got, &got_len, run);
		if (realpath(run, real))
			S_subst_casedir(&got, &got_len, real);
	}
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
	if (want_err) {
		/* nothing on stdout, or exactly expected.stdout (--debug) */
		char *want_out = NULL;
		size_t want_out_len = 0;
		if (snprintf(path, sizeof(path), "%s/expected.stdout", dir) < (int)sizeof(path))
			want_out = tu_read_file(path, &want_out_len);
		free(got);
		got = tu_read_file(out_path, &out_len);
		if (!got || out_len != want_out_len ||
		    (out_len && memcmp(got, want_out, out_len) != 0)) {
			printf("FAIL %s: a failing run printed on stdout (%s)\n", name, out_path);
			free(want_out);
			goto done;
		}
		free(want_out);
	}
	if (!want_err) {
		/* Helm's warnings of a successful run, when the case records them */
		char *want2 = NULL, *got2 = NULL;
		size_t want2_len = 0, got2_len = 0;
		int same = 1;
		if (snprintf(path, sizeof(path), "%s/expected.stderr", dir) < (int)sizeof(path))
			want2 = tu_read_file(path, &want2_len);
		if (want2) {
			char real[PATH_MAX];
			got2 = tu_read_file(err_path, &got2_len);
			S_subst_casedir(&got2, &got2_len, run);
			if (realpath(run, real))
				S_subst_casedir(&got2, &got2_len, real);
			same = got2 && got2_len == want2_len && memcmp(want2, got2, want2_len) == 0;
			if (!same)
				printf("FAIL %s: stderr differs (diff %s %s)\n", name, path, err_path);
		}
		free(want2);
		free(got2);
		if (!same)
			goto done;
	}
	if (outdir) {
		char outp[4700];
		TU_FMT(outp, "%s/out", run);
		TU_FMT(tree, want_err ? "%s/out.before" : "%s/expected.out",
			 want_err ? run : dir);
		if (!S_tree_equal(tree, outp)) {
			printf("FAIL %s: %s differs from %s\n", name, outp, tree);
			goto done;
		}
	}
	ok = 1;
	unlink(out_path);
	unlink(err_path);
done:
	if (tmp[0] && ok) {
		char *rm[] = { (char *)"rm", (char *)"-rf", tmp, NULL };
		S_run(rm);
	}
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

	TU_FMT(rootbuf, "%s", root);
	TU_FMT(dir, "%s/KNOWN_FAILURES", rootbuf);
	known = tu_read_file(dir, NULL);
	d = opendir(rootbuf);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		TU_FMT(dir, "%s/%s/args", rootbuf, e->d_name);
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
		TU_FMT(dir, "%s/%s", rootbuf, names[i]);
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
