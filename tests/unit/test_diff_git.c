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

static int S_teardown(void **state)
{
	(void)state;
	gitserver_stop(&S_daemon);
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
	/* --ref: another branch (main does not exist: compared with nothing). */
	snprintf(args, sizeof(args), "--cache-dir '%s' --ref main --format json", S_cache);
	assert_int_equal(S_run(&out, args), 1);
	assert_non_null(strstr(out, "\"files\": {\"added\": 2, \"removed\": 0, \"changed\": 0}"));
	free(out);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_git__against_branch),
		cmocka_unit_test(test_diff_git__no_difference_after_push),
		cmocka_unit_test(test_diff_git__exit_codes),
	};

	return cmocka_run_group_tests(tests, S_setup, S_teardown);
}
