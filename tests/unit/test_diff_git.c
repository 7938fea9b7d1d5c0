/*
 * `hydrate diff` end to end against a real git repository: made with the
 * git CLI, served by `git daemon` on loopback (tests/e2e/gitserver.c), read
 * by the built binary through its bare cache. Expected reports and exit
 * statuses were written by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "gitops/diff.h"
#include "gitops/git.h"
#include "gitops/tree.h"
#include "render/buf.h"
#include "render/diag.h"
#include "testutil.h"

/* The unit test glob builds tests/unit/test_*.c only: pull the helper in. */
#include "../e2e/gitserver.c"

static char S_tmp[256];
static char S_base[512];   /* served */
static char S_app[512];    /* the application repository: hydrate.yaml */
static char S_cache[512];
static struct gitserver S_daemon;
static struct gitserver S_http;  /* test_diff_git__http_token's */

static int S_teardown(void **state)
{
	(void)state;
	gitserver_stop(&S_daemon);
	gitserver_stop(&S_http);
	if (S_tmp[0])
		gitserver_sh("rm -rf '%s'", S_tmp);
	return 0;
}

static int S_setup(void **state)
{
	char home[PATH_MAX + 8];

	(void)state;
	snprintf(S_tmp, sizeof(S_tmp), "/tmp/hydrate-test-diffgit-XXXXXX");
	if (!mkdtemp(S_tmp))
		return -1;
	snprintf(S_base, sizeof(S_base), "%s/srv", S_tmp);
	snprintf(S_app, sizeof(S_app), "%s/app", S_tmp);
	snprintf(S_cache, sizeof(S_cache), "%s/cache", S_tmp);
	snprintf(home, sizeof(home), "%s/home", S_tmp);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Tester", 1);
	setenv("GIT_AUTHOR_EMAIL", "tester@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Tester", 1);
	setenv("GIT_COMMITTER_EMAIL", "tester@example.com", 1);
	unsetenv("HYDRATE_TOKEN");
	unsetenv("GITHUB_TOKEN");
	setenv("HYDRATE_DIFF_SALT", "e2e", 1);
	/* The GitOps repository: env/dev holds an older render of the app. */
	if (gitserver_sh(
		"set -e; mkdir -p '%s' '%s' '%s/overlay'; cd '%s'; git init -q --bare -b main gitops.git; "
		"git init -q -b env/dev work; cd work; mkdir -p dev/web other; "
		"printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: cfg\\n"
		"data:\\n  color: blue\\n  size: small\\n' > dev/web/configmap-cfg.yaml; "
		"printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: gone\\n' "
		"> dev/web/configmap-gone.yaml; "
		"printf 'kept\\n' > other/unmanaged.yaml; "
		"git add -A; git commit -q -m render; git push -q '%s/gitops.git' env/dev",
		home, S_base, S_app, S_base, S_base) != 0)
		goto failed;
	if (gitserver_start_daemon(&S_daemon, S_base) < 0)
		goto failed;
	/* The application: one overlay, environment dev on branch env/dev. */
	if (gitserver_sh(
		"set -e; cd '%s'; "
		"printf 'apiVersion: hydrate/v1\\nrepository:\\n"
		"  url: git://127.0.0.1:%d/gitops.git\\n"
		"layout:\\n  provenance: false\\n"
		"environments:\\n  - name: dev\\n    branch: env/dev\\n"
		"apps:\\n  - name: web\\n    kustomize: overlay\\n' > hydrate.yaml; "
		"printf 'resources:\\n  - cm.yaml\\n  - secret.yaml\\n' > overlay/kustomization.yaml; "
		"printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: cfg\\n"
		"data:\\n  color: green\\n  size: small\\n' > overlay/cm.yaml; "
		"printf 'apiVersion: v1\\nkind: Secret\\nmetadata:\\n  name: creds\\n"
		"stringData:\\n  password: e2e-secret-password\\n' > overlay/secret.yaml",
		S_app, S_daemon.port) != 0)
		goto failed;
	return 0;
failed:
	S_teardown(NULL);
	return -1;
}

/* Runs the built binary; stdout in *out (malloc'd), returns the exit status. */
static int S_run(char **out, const char *args)
{
	char cmd[4096], path[600];
	int status;

	snprintf(path, sizeof(path), "%s/out.txt", S_tmp);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' diff %s > '%s' 2> '%s.err'", S_app,
		 HYDRATE_BIN, args, path, path);
	status = system(cmd);
	*out = tu_read_file(path, NULL);
	assert_non_null(*out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The last run's standard error must contain text. */
static void S_err_contains(const char *text)
{
	char path[600], *err;

	snprintf(path, sizeof(path), "%s/out.txt.err", S_tmp);
	err = tu_read_file(path, NULL);
	assert_non_null(err);
	if (!strstr(err, text))
		fail_msg("stderr has no '%s': %s", text, err);
	free(err);
}

static void test_diff_git__against_branch(void **state)
{
	char args[1024], *out = NULL;

	(void)state;
	snprintf(args, sizeof(args), "--cache-dir '%s' --color never", S_cache);
	assert_int_equal(S_run(&out, args), 1);
	assert_string_equal(out,
		"changed  dev/web/configmap-cfg.yaml\n"
		"  ~ v1 ConfigMap cfg\n"
		"      ~ data.color: \"blue\" -> \"green\"\n"
		"--- a/dev/web/configmap-cfg.yaml\n"
		"+++ b/dev/web/configmap-cfg.yaml\n"
		/* git diff --no-index's hunk for these bytes (kustomize sorts keys) */
		"@@ -1,7 +1,7 @@\n"
		" apiVersion: v1\n"
		"+data:\n"
		"+  color: green\n"
		"+  size: small\n"
		" kind: ConfigMap\n"
		" metadata:\n"
		"   name: cfg\n"
		"-data:\n"
		"-  color: blue\n"
		"-  size: small\n"
		"\n"
		"removed  dev/web/configmap-gone.yaml\n"
		"  - v1 ConfigMap gone\n"
		"--- a/dev/web/configmap-gone.yaml\n"
		"+++ /dev/null\n"
		"@@ -1,4 +0,0 @@\n"
		"-apiVersion: v1\n"
		"-kind: ConfigMap\n"
		"-metadata:\n"
		"-  name: gone\n"
		"\n"
		"added    dev/web/secret-creds.yaml (Secret data masked)\n"
		"  + v1 Secret creds\n"
		"--- /dev/null\n"
		"+++ b/dev/web/secret-creds.yaml\n"
		"@@ -0,0 +1,6 @@\n"
		"+apiVersion: v1\n"
		"+kind: Secret\n"
		"+metadata:\n"
		"+  name: creds\n"
		"+stringData:\n"
		"+  password: <masked 8f151998>\n"
		"\n"
		"3 files differ (1 added, 1 removed, 1 changed), 0 unchanged; "
		"resources: 1 added, 1 removed, 1 changed\n");
	free(out);
	/* The cache is bare: no work tree was checked out. */
	assert_int_equal(gitserver_sh("test -z \"$(find '%s' -name configmap-cfg.yaml)\"",
				      S_cache), 0);
	/* json: the same counts; no Secret value in any format. */
	snprintf(args, sizeof(args), "--cache-dir '%s' --format json", S_cache);
	assert_int_equal(S_run(&out, args), 1);
	assert_non_null(strstr(out, "\"files\": {\"added\": 1, \"removed\": 1, \"changed\": 1}"));
	assert_null(strstr(out, "e2e-secret-password"));
	free(out);
	snprintf(args, sizeof(args), "--cache-dir '%s' --format markdown --color always",
		 S_cache);
	assert_int_equal(S_run(&out, args), 1);
	assert_non_null(strstr(out, "| <code>dev/web</code> | 1 | 1 | 1 | 3 |\n"));
	assert_null(strstr(out, "e2e-secret-password"));
	free(out);
}

static void test_diff_git__no_difference_after_push(void **state)
{
	char args[1024], *out = NULL;

	(void)state;
	/* Render into the work clone, commit, push: then nothing differs. */
	assert_int_equal(gitserver_sh("cd '%s' && '%s' render -o '%s/srv-work' >/dev/null 2>&1",
				      S_app, HYDRATE_BIN, S_tmp), 0);
	assert_int_equal(gitserver_sh(
		"set -e; cd '%s'; git clone -q -b env/dev '%s/gitops.git' w2; "
		"rm -rf w2/dev/web; cp -r srv-work/dev w2/; cd w2; git add -A; "
		"git commit -q -m rerender; git push -q origin env/dev", S_tmp, S_base), 0);
	snprintf(args, sizeof(args), "--cache-dir '%s'", S_cache);
	assert_int_equal(S_run(&out, args), 0);
	assert_string_equal(out, "no differences (2 files unchanged)\n");
	free(out);
	/* --ref must name something: main does not exist, a git error. */
	snprintf(args, sizeof(args), "--cache-dir '%s' --ref main --format json", S_cache);
	assert_int_equal(S_run(&out, args), 3);
	assert_string_equal(out, "");
	free(out);
	S_err_contains("error: no branch, tag or commit 'main' in 'git://127.0.0.1:");
}

/* Runs diff --ref rev --format json; checks the exit status and the counts. */
static void S_ref_case(const char *rev, int status, const char *counts)
{
	char args[1024], *out = NULL;

	snprintf(args, sizeof(args), "--cache-dir '%s' --ref '%s' --format json", S_cache, rev);
	assert_int_equal(S_run(&out, args), status);
	if (counts && !strstr(out, counts))
		fail_msg("--ref %s: no '%s' in %s", rev, counts, out);
	free(out);
}

#define S_OLD_COUNTS "\"files\": {\"added\": 1, \"removed\": 1, \"changed\": 1}"
#define S_SAME_COUNTS "\"files\": {\"added\": 0, \"removed\": 0, \"changed\": 0}"

static void test_diff_git__ref_branch_tag_or_commit(void **state)
{
	char *old_hex, *new_hex, short_old[8], short_new[8];

	(void)state;
	/* env/dev: the first render (differs), then the re-render (same). */
	old_hex = gitserver_sh_out("git --git-dir='%s/gitops.git' rev-parse env/dev~1", S_base);
	new_hex = gitserver_sh_out("git --git-dir='%s/gitops.git' rev-parse env/dev", S_base);
	assert_non_null(old_hex);
	assert_non_null(new_hex);
	snprintf(short_old, sizeof(short_old), "%.7s", old_hex);
	snprintf(short_new, sizeof(short_new), "%.7s", new_hex);
	assert_int_equal(gitserver_sh(
		"set -e; cd '%s/gitops.git'; git tag old env/dev~1; "
		"git tag -a -m current current env/dev; git branch older env/dev~1; "
		/* a tag and a branch of one name: the tag wins, as in git */
		"git tag both env/dev~1; git branch both env/dev", S_base), 0);
	S_ref_case("env/dev", 0, S_SAME_COUNTS);
	S_ref_case("refs/heads/env/dev", 0, S_SAME_COUNTS);
	S_ref_case("heads/older", 1, S_OLD_COUNTS);
	S_ref_case("older", 1, S_OLD_COUNTS);
	S_ref_case("old", 1, S_OLD_COUNTS);
	S_ref_case("current", 0, S_SAME_COUNTS);   /* annotated: peeled */
	S_ref_case("tags/current", 0, S_SAME_COUNTS);
	S_ref_case("both", 1, S_OLD_COUNTS);
	S_ref_case("heads/both", 0, S_SAME_COUNTS);
	S_ref_case(old_hex, 1, S_OLD_COUNTS);
	S_ref_case(new_hex, 0, S_SAME_COUNTS);
	S_ref_case(short_old, 1, S_OLD_COUNTS);
	S_ref_case(short_new, 0, S_SAME_COUNTS);
	/* Names of nothing there: a git error (3), saying so. */
	S_ref_case("nope", 3, NULL);
	S_err_contains("error: no branch, tag or commit 'nope' in 'git://127.0.0.1:");
	S_ref_case("0000000", 3, NULL);
	S_err_contains("error: no branch, tag or commit '0000000' in 'git://127.0.0.1:");
	S_ref_case("0000000000000000000000000000000000000001", 3, NULL);
	S_err_contains("error: no branch, tag or commit "
		       "'0000000000000000000000000000000000000001' in 'git://");
	/* Not a revision at all: the user's error (2). */
	S_ref_case("env/dev~1", 2, NULL);
	S_err_contains("error: invalid revision 'env/dev~1'");
	free(old_hex);
	free(new_hex);
}

static void test_diff_git__missing_repository_is_not_a_missing_branch(void **state)
{
	char args[1024], *out = NULL;

	(void)state;
	assert_int_equal(gitserver_sh(
		"cd '%s' && sed 's|/gitops.git|/absent.git|' hydrate.yaml > absent.yaml && "
		"sed 's|branch: env/dev|branch: env/none|' hydrate.yaml > nobranch.yaml",
		S_app), 0);
	/* No repository: a git error, 3, whatever the branch. */
	snprintf(args, sizeof(args), "-c absent.yaml --cache-dir '%s'", S_cache);
	assert_int_equal(S_run(&out, args), 3);
	free(out);
	S_err_contains("no such repository");
	/* The environment's branch missing: compared with nothing, 1. */
	snprintf(args, sizeof(args), "-c nobranch.yaml --cache-dir '%s' --format json", S_cache);
	assert_int_equal(S_run(&out, args), 1);
	assert_non_null(strstr(out, "\"files\": {\"added\": 2, \"removed\": 0, \"changed\": 0}"));
	free(out);
	S_err_contains("hydrate diff: branch 'env/none' not found in git://127.0.0.1:");
}

static void test_diff_git__timeout_is_a_git_error(void **state)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	char args[1024], *out = NULL;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	time_t t0;

	(void)state;
	/* Listening, never accepting: the kernel completes the handshake and
	 * the client waits for an answer that never comes. */
	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(gitserver_sh(
		"cd '%s' && sed 's|git://127.0.0.1:[0-9]*|http://user:url-s3cret-token@127.0.0.1:%d|' "
		"hydrate.yaml > silent.yaml", S_app, ntohs(a.sin_port)), 0);
	setenv("HYDRATE_GIT_TIMEOUT", "0.5", 1);
	t0 = time(NULL);
	snprintf(args, sizeof(args), "-c silent.yaml --cache-dir '%s'", S_cache);
	assert_int_equal(S_run(&out, args), 3);
	assert_true(time(NULL) - t0 < 10);
	free(out);
	S_err_contains("timed out after 0.500 s waiting for data from 127.0.0.1:");
	S_err_contains("from 'http://127.0.0.1:");
	snprintf(args, sizeof(args), "-c silent.yaml --cache-dir '%s' --ref v1", S_cache);
	assert_int_equal(S_run(&out, args), 3);
	free(out);
	S_err_contains("timed out");
	{
		char path[600], *err;

		snprintf(path, sizeof(path), "%s/out.txt.err", S_tmp);
		err = tu_read_file(path, NULL);
		assert_non_null(err);
		assert_null(strstr(err, "url-s3cret-token"));
		free(err);
	}
	unsetenv("HYDRATE_GIT_TIMEOUT");
	close(fd);
}

static void test_diff_git__exit_codes(void **state)
{
	char args[1024], *out = NULL;

	(void)state;
	/* A server that is not there: a git error, 3. */
	assert_int_equal(gitserver_sh(
		"cd '%s' && sed 's/127.0.0.1:[0-9]*/127.0.0.1:%d/' hydrate.yaml > down.yaml",
		S_app, gitserver_free_port()), 0);
	snprintf(args, sizeof(args), "-c down.yaml --cache-dir '%s'", S_cache);
	assert_int_equal(S_run(&out, args), 3);
	free(out);
	/* Credentials in the URL or the environment never reach the output. */
	assert_int_equal(gitserver_sh(
		"cd '%s' && sed 's|git://127.0.0.1:[0-9]*|http://tok-user:url-s3cret-token@127.0.0.1:%d|' "
		"hydrate.yaml > token.yaml", S_app, gitserver_free_port()), 0);
	setenv("HYDRATE_TOKEN", "env-s3cret-token", 1);
	snprintf(args, sizeof(args), "-c token.yaml --cache-dir '%s'", S_cache);
	assert_int_equal(S_run(&out, args), 3);
	free(out);
	unsetenv("HYDRATE_TOKEN");
	{
		char errpath[600], *err;

		snprintf(errpath, sizeof(errpath), "%s/out.txt.err", S_tmp);
		err = tu_read_file(errpath, NULL);
		assert_non_null(err);
		assert_non_null(strstr(err, "error: "));
		assert_null(strstr(err, "url-s3cret-token"));
		assert_null(strstr(err, "env-s3cret-token"));
		free(err);
	}
	/* A bad hydrate.yaml, an unknown format, an unknown app: 2. */
	assert_int_equal(S_run(&out, "-c nope.yaml"), 2);
	free(out);
	assert_int_equal(S_run(&out, "--format yaml"), 2);
	free(out);
	assert_int_equal(S_run(&out, "--app nope"), 2);
	free(out);
	assert_int_equal(S_run(&out, "--color sometimes"), 2);
	free(out);
}

/* Over HTTP with a token (git http-backend behind Basic auth, as the forges
 * take a token): the token from the environment fetches; a wrong or missing
 * one is a git error (3) that names where the token came from, never it.
 * (After test_diff_git__no_difference_after_push: env/dev holds the render.) */
static void test_diff_git__http_token(void **state)
{
	char args[1024], errpath[600], *out = NULL, *err;

	(void)state;
	assert_int_equal(gitserver_start_http(&S_http, S_base, "x-access-token",
					      "e2e-http-token-42"), 0);
	assert_int_equal(gitserver_sh(
		"cd '%s' && sed 's|git://127.0.0.1:[0-9]*|http://127.0.0.1:%d|' hydrate.yaml "
		"> http.yaml", S_app, S_http.port), 0);
	snprintf(errpath, sizeof(errpath), "%s/out.txt.err", S_tmp);
	snprintf(args, sizeof(args), "-c http.yaml --cache-dir '%s/http-cache' --color never",
		 S_tmp);

	setenv("HYDRATE_TOKEN", "e2e-http-token-42", 1);
	assert_int_equal(S_run(&out, args), 0);
	assert_string_equal(out, "no differences (2 files unchanged)\n");
	free(out);
	err = tu_read_file(errpath, NULL);
	assert_non_null(err);
	assert_null(strstr(err, "e2e-http-token-42"));
	free(err);

	setenv("HYDRATE_TOKEN", "e2e-wrong-token-7", 1);
	snprintf(args, sizeof(args), "-c http.yaml --cache-dir '%s/http-cache2'", S_tmp);
	assert_int_equal(S_run(&out, args), 3);
	assert_string_equal(out, "");
	free(out);
	S_err_contains("the server refused the token from HYDRATE_TOKEN");
	err = tu_read_file(errpath, NULL);
	assert_non_null(err);
	assert_null(strstr(err, "e2e-wrong-token-7"));
	free(err);

	unsetenv("HYDRATE_TOKEN");
	assert_int_equal(S_run(&out, args), 3);
	free(out);
	S_err_contains("authentication required but no token is set");
	gitserver_stop(&S_http);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_git__against_branch),
		cmocka_unit_test(test_diff_git__no_difference_after_push),
		cmocka_unit_test(test_diff_git__ref_branch_tag_or_commit),
		cmocka_unit_test(test_diff_git__missing_repository_is_not_a_missing_branch),
		cmocka_unit_test(test_diff_git__timeout_is_a_git_error),
		cmocka_unit_test(test_diff_git__exit_codes),
		cmocka_unit_test(test_diff_git__http_token),
	};

	return cmocka_run_group_tests(tests, S_setup, S_teardown);
}
