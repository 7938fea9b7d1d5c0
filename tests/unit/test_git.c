/*
 * gitops/git against real git: repositories made with the git CLI, served
 * by `git daemon` and by git http-backend behind a loopback HTTP server
 * (tests/e2e/gitserver.c), read back with the git CLI. Expected values are
 * what the git CLI reports or written by hand.
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
#include <pthread.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gitops/git.h"
#include "render/buf.h"
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif
#include "render/diag.h"

/* The unit test glob builds tests/unit/test_*.c only: pull the helper in. */
#include "../e2e/gitserver.c"

#define HTTP_USER "x-access-token"
#define HTTP_TOKEN "s3cr3t-t0ken-value"

static char S_tmp[256];            /* everything the tests make */
static char S_base[512];      /* served by both servers */
static char S_work[512];      /* a work clone to make commits with */
static char S_cache[512];
static struct gitserver S_daemon, S_http, S_tls;

static void S_clear_tokens(void)
{
	unsetenv("HYDRATE_TOKEN");
	unsetenv("GITHUB_TOKEN");
	unsetenv("GITLAB_TOKEN");
	unsetenv("GITEA_TOKEN");
	unsetenv("HYDRATE_USERNAME");
}

static int S_teardown(void **state);

/* cmocka skips the group teardown when setup fails: clean up here. */
static int S_setup_failed(void)
{
	S_teardown(NULL);
	return -1;
}

static int S_setup(void **state)
{
	char home[PATH_MAX + 8];

	snprintf(S_tmp, sizeof(S_tmp), "/tmp/hydrate-test-git-XXXXXX");
	if (!mkdtemp(S_tmp))
		return -1;
	snprintf(S_base, sizeof(S_base), "%s/srv", S_tmp);
	snprintf(S_work, sizeof(S_work), "%s/work", S_tmp);
	snprintf(S_cache, sizeof(S_cache), "%s/cache", S_tmp);
	snprintf(home, sizeof(home), "%s/home", S_tmp);
	/* Isolate git and libgit2 from the user's configuration. */
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Tester", 1);
	setenv("GIT_AUTHOR_EMAIL", "tester@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Tester", 1);
	setenv("GIT_COMMITTER_EMAIL", "tester@example.com", 1);
	/* Loopback servers: never through a proxy. */
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	S_clear_tokens();
	if (gitserver_sh(
		"set -e; mkdir -p '%s' '%s'; cd '%s'; git init -q --bare -b main remote.git; "
		"git -C remote.git config receive.denyNonFastForwards true; "
		"git init -q -b main '%s'; cd '%s'; "
		"mkdir -p apps/web/base apps/db; "
		"printf 'kind: Deployment\\n' > apps/web/base/deploy.yaml; "
		"printf 'old\\n' > apps/web/stale.yaml; "
		"printf 'kind: StatefulSet\\n' > apps/db/sts.yaml; "
		": > apps/empty.txt; "
		"printf '\\000\\001\\002\\377binary' > apps/blob.bin; "
		"printf '#!/bin/sh\\n' > run.sh; chmod +x run.sh; "
		"printf 'readme\\n' > README.md; "
		"ln -s apps/db/sts.yaml link.yaml; "
		"git add -A; git commit -q -m first; "
		"git push -q '%s/remote.git' main",
		home, S_base, S_base, S_work, S_work, S_base) != 0)
		return S_setup_failed();
	if (gitserver_start_daemon(&S_daemon, S_base) < 0)
		return S_setup_failed();
	if (gitserver_start_http(&S_http, S_base, HTTP_USER, HTTP_TOKEN) < 0)
		return S_setup_failed();
	return 0;
}

static int S_teardown(void **state)
{
	gitserver_stop(&S_daemon);
	gitserver_stop(&S_http);
	gitserver_stop(&S_tls);
	if (S_tmp[0])
		gitserver_sh("rm -rf '%s'", S_tmp);
	return 0;
}

static char *S_daemon_url(const char *repo)
{
	static char url[256];

	snprintf(url, sizeof(url), "git://127.0.0.1:%d/%s", S_daemon.port, repo);
	return url;
}

static char *S_http_url(const char *userinfo, const char *repo)
{
	static char url[512];

	snprintf(url, sizeof(url), "http://%s%s127.0.0.1:%d/%s", userinfo ? userinfo : "",
		 userinfo ? "@" : "", S_http.port, repo);
	return url;
}

/* The CLI's idea of a rev in the served repository. */
static void S_rev(struct repo_oid *out, const char *repo, const char *rev)
{
	char *hex = gitserver_sh_out("git --git-dir='%s/%s' rev-parse '%s'", S_base, repo, rev);

	assert_non_null(hex);
	assert_int_equal(repo_oid_parse(out, hex), 0);
	free(hex);
}

static void S_open(struct repo_cache **out, const char *url, const struct repo_auth *auth)
{
	struct diag d = DIAG_INIT;
	int error = repo_cache_open(out, url, S_cache, auth, &d);

	if (error)
		fail_msg("repo_cache_open: %s", d.msg.ptr);
	diag_release(&d);
}

static void S_fetch_ok(struct repo_oid *out, struct repo_cache *c, const char *branch)
{
	struct diag d = DIAG_INIT;
	int error = repo_fetch(out, c, branch, &d);

	if (error)
		fail_msg("repo_fetch: %s (%s)", d.msg.ptr, diag_code_name(error));
	diag_release(&d);
}

/* ------------------------------------------------------------------ */

static void test_git__redacts_userinfo_and_tokens(void **state)
{
	const char *secrets[] = { "tok3n-abc", NULL, "ab" };
	struct buf out = BUF_INIT;

	assert_int_equal(repo_redact(&out,
		"failed for 'https://user:tok3n-abc@host.example/x.git' and "
		"http://tok3n-abc@h:8080/y; header tok3n-abc; ssh://git@h/z; ab stays",
		secrets, 3), 0);
	assert_string_equal(out.ptr,
		"failed for 'https://***@host.example/x.git' and "
		"http://***@h:8080/y; header ***; ssh://***@h/z; ab stays");
	buf_release(&out);
}

/* Random text over a small alphabet: never a crash, never a secret left. */
static void test_git__redact_random_text(void **state)
{
	static const char alphabet[] = "abcd:/@ x'";
	const char *secrets[] = { "abcd", "cdab" };
	unsigned long seed = 12345;
	char text[64];

	for (int round = 0; round < 20000; round++) {
		struct buf out = BUF_INIT;
		size_t len;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		len = (size_t)(seed >> 58);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			text[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		text[len] = '\0';
		assert_int_equal(repo_redact(&out, text, secrets, 2), 0);
		assert_null(strstr(out.ptr, "abcd"));
		assert_null(strstr(out.ptr, "cdab"));
		buf_release(&out);
	}
}

static void test_git__odd_urls_open_or_fail_cleanly(void **state)
{
	static const char *const urls[] = {
		"://", "a:", "@", "https://@", "https://:@h", "https://u:p@", "http://%zz@h/x",
		"ssh://git@host/r.git", "git@host:r.git", "rel/path", "file://", "https://h/x?y@z"
	};
	struct repo_cache *c = NULL;
	struct diag d = DIAG_INIT;

	assert_int_equal(repo_cache_open(&c, "", S_cache, NULL, &d), DIAG_EINVALID);
	assert_null(c);
	for (size_t i = 0; i < sizeof(urls) / sizeof(*urls); i++) {
		int error = repo_cache_open(&c, urls[i], S_cache, NULL, &d);

		if (error == 0) {
			assert_null(strstr(repo_cache_url(c), ":p@"));
			repo_cache_free(c);
			c = NULL;
		}
	}
	/* A user name is kept for ssh, dropped for https. */
	assert_int_equal(repo_cache_open(&c, "ssh://git@host/r.git", S_cache, NULL, &d), 0);
	assert_string_equal(repo_cache_url(c), "ssh://git@host/r.git");
	repo_cache_free(c);
	assert_int_equal(repo_cache_open(&c, "https://tok@host/r.git", S_cache, NULL, &d), 0);
	assert_string_equal(repo_cache_url(c), "https://host/r.git");
	repo_cache_free(c);
	diag_release(&d);
}

static void test_git__oid_hex_roundtrip(void **state)
{
	struct repo_oid oid;
	char hex[REPO_OID_HEXSZ + 1];

	assert_int_equal(repo_oid_parse(&oid, "0123456789abcdefABCDEF0123456789abcdef01"), 0);
	repo_oid_fmt(hex, &oid);
	assert_string_equal(hex, "0123456789abcdefabcdef0123456789abcdef01");
	assert_int_equal(repo_oid_parse(&oid, "0123"), DIAG_EINVALID);
	assert_int_equal(repo_oid_parse(&oid, "g123456789abcdefABCDEF0123456789abcdef01"),
			 DIAG_EINVALID);
}

static void test_git__first_fetch_reads_tree(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_files files = REPO_FILES_INIT;
	struct repo_oid head, want;
	struct diag d = DIAG_INIT;
	struct buf b = BUF_INIT;
	static const char *const paths[] = {
		"README.md", "apps/blob.bin", "apps/db/sts.yaml",
		"apps/empty.txt", "apps/web/base/deploy.yaml", "apps/web/stale.yaml",
		"link.yaml", "run.sh"
	};
	const struct repo_file *f;

	S_open(&c, S_daemon_url("remote.git"), NULL);
	S_fetch_ok(&head, c, "main");
	S_rev(&want, "remote.git", "main");
	assert_true(repo_oid_equal(&head, &want));
	assert_string_equal(repo_cache_url(c), S_daemon_url("remote.git"));

	assert_int_equal(repo_read_tree(&files, c, &head, NULL, &d), 0);
	assert_int_equal(files.n, 8);
	for (size_t i = 0; i < files.n; i++)
		assert_string_equal(files.v[i].path, paths[i]);
	f = repo_files_find(&files, "apps/blob.bin");
	assert_non_null(f);
	assert_int_equal(f->len, 10);
	assert_memory_equal(f->data, "\000\001\002\377binary", 10);
	f = repo_files_find(&files, "apps/empty.txt");
	assert_int_equal(f->len, 0);
	assert_int_equal(f->kind, REPO_FILE_BLOB);
	f = repo_files_find(&files, "link.yaml");
	assert_int_equal(f->kind, REPO_FILE_SYMLINK);
	assert_string_equal(f->data, "apps/db/sts.yaml");
	f = repo_files_find(&files, "run.sh");
	assert_int_equal(f->kind, REPO_FILE_EXECUTABLE);
	repo_files_release(&files);

	/* A prefix: only what is under it, with full paths. */
	assert_int_equal(repo_read_tree(&files, c, &head, "apps/web/", &d), 0);
	assert_int_equal(files.n, 2);
	assert_string_equal(files.v[0].path, "apps/web/base/deploy.yaml");
	assert_string_equal(files.v[1].path, "apps/web/stale.yaml");
	assert_string_equal(files.v[1].data, "old\n");
	repo_files_release(&files);
	/* A missing prefix is an empty tree, not an error. */
	assert_int_equal(repo_read_tree(&files, c, &head, "apps/nothing", &d), 0);
	assert_int_equal(files.n, 0);
	repo_files_release(&files);

	assert_int_equal(repo_read_file(&b, c, &head, "apps/db/sts.yaml", &d), 0);
	assert_string_equal(b.ptr, "kind: StatefulSet\n");
	assert_int_equal(repo_read_file(&b, c, &head, "apps/none.yaml", &d), DIAG_ENOTFOUND);
	assert_int_equal(buf_addf(&b, "'apps/none.yaml' not found in '%s'",
				  S_daemon_url("remote.git")), 0);
	assert_string_equal(d.msg.ptr, b.ptr + strlen("kind: StatefulSet\n"));
	buf_reset(&b);
	assert_int_equal(repo_read_file(&b, c, &head, "apps/web", &d), DIAG_EINVALID);
	buf_release(&b);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__incremental_fetch_sees_new_commit(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_oid first, second, want;
	struct diag d = DIAG_INIT;
	struct buf b = BUF_INIT;

	S_open(&c, S_daemon_url("remote.git"), NULL);
	S_fetch_ok(&first, c, "main");
	assert_int_equal(gitserver_sh(
		"set -e; cd '%s'; git pull -q '%s/remote.git' main; "
		"printf 'v2\n' > incr.txt; git add incr.txt; git commit -q -m incr; "
		"git push -q '%s/remote.git' HEAD:main", S_work, S_base, S_base), 0);
	S_fetch_ok(&second, c, "main");
	S_rev(&want, "remote.git", "main");
	assert_true(repo_oid_equal(&second, &want));
	assert_false(repo_oid_equal(&second, &first));
	assert_int_equal(repo_read_file(&b, c, &second, "incr.txt", &d), 0);
	assert_string_equal(b.ptr, "v2\n");
	/* The earlier commit is still there to read. */
	assert_int_equal(repo_read_file(&b, c, &first, "incr.txt", &d), DIAG_ENOTFOUND);
	buf_release(&b);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__missing_branch_is_enotfound(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_oid oid;
	struct diag d = DIAG_INIT;
	struct buf want = BUF_INIT;

	S_open(&c, S_daemon_url("remote.git"), NULL);
	assert_int_equal(repo_fetch(&oid, c, "nope", &d), DIAG_ENOTFOUND);
	buf_addf(&want, "branch 'nope' not found on '%s'", S_daemon_url("remote.git"));
	assert_string_equal(d.msg.ptr, want.ptr);
	assert_int_equal(repo_fetch(&oid, c, "bad..name", &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "invalid branch name 'bad..name'");
	buf_release(&want);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__unreachable_server_is_enet_fast(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_oid oid;
	struct diag d = DIAG_INIT;
	char url[128];
	struct buf want = BUF_INIT;
	time_t start = time(NULL);

	snprintf(url, sizeof(url), "git://127.0.0.1:%d/remote.git", gitserver_free_port());
	S_open(&c, url, NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_ENET);
	buf_addf(&want, "cannot fetch 'main' from '%s': ", url);
	assert_memory_equal(d.msg.ptr, want.ptr, want.len);
	assert_non_null(strstr(d.msg.ptr, "onnection refused"));
	assert_true(time(NULL) - start < 5);
	buf_release(&want);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__local_path_and_file_url(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_oid oid, want;
	char path[PATH_MAX], url[PATH_MAX + 8];

	S_rev(&want, "remote.git", "main");
	snprintf(path, sizeof(path), "%s/remote.git", S_base);
	S_open(&c, path, NULL);
	S_fetch_ok(&oid, c, "main");
	assert_true(repo_oid_equal(&oid, &want));
	repo_cache_free(c);
	snprintf(url, sizeof(url), "file://%s", path);
	S_open(&c, url, NULL);
	S_fetch_ok(&oid, c, "main");
	assert_true(repo_oid_equal(&oid, &want));
	repo_cache_free(c);
}

static void test_git__http_token_from_environment(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_oid oid, want;

	S_rev(&want, "remote.git", "main");
	setenv("GITHUB_TOKEN", HTTP_TOKEN, 1);
	S_open(&c, S_http_url(NULL, "remote.git"), NULL);
	S_fetch_ok(&oid, c, "main");
	assert_true(repo_oid_equal(&oid, &want));
	repo_cache_free(c);
	S_clear_tokens();
	/* The token in the URL works too, and is not kept in the remote URL. */
	S_open(&c, S_http_url(HTTP_USER ":" HTTP_TOKEN, "remote.git"), NULL);
	assert_string_equal(repo_cache_url(c), S_http_url(NULL, "remote.git"));
	S_fetch_ok(&oid, c, "main");
	assert_true(repo_oid_equal(&oid, &want));
	assert_int_equal(gitserver_sh("grep -rq '%s' '%s'", HTTP_TOKEN, repo_cache_path(c)), 1);
	repo_cache_free(c);
}

static void test_git__http_bad_token_is_eauth_redacted(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_oid oid;
	struct diag d = DIAG_INIT;
	struct repo_auth auth = { 0 };
	struct buf want = BUF_INIT;

	/* A wrong token from the environment: refused once, not retried. */
	setenv("GITLAB_TOKEN", "wrong-gitlab-token", 1);
	S_open(&c, S_http_url(NULL, "remote.git"), NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_EAUTH);
	buf_addf(&want, "cannot fetch 'main' from '%s': the server refused the token from "
		 "GITLAB_TOKEN", S_http_url(NULL, "remote.git"));
	assert_string_equal(d.msg.ptr, want.ptr);
	assert_null(strstr(d.msg.ptr, "wrong-gitlab-token"));
	repo_cache_free(c);
	S_clear_tokens();

	/* A wrong token in the URL. */
	S_open(&c, S_http_url("me:url-secret-1234", "remote.git"), NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_EAUTH);
	assert_null(strstr(d.msg.ptr, "url-secret-1234"));
	repo_cache_free(c);

	/* A wrong token given by the caller. */
	auth.token = "caller-secret-5678";
	S_open(&c, S_http_url(NULL, "remote.git"), &auth);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_EAUTH);
	assert_null(strstr(d.msg.ptr, "caller-secret-5678"));
	repo_cache_free(c);

	/* No token at all. */
	S_open(&c, S_http_url(NULL, "remote.git"), NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_EAUTH);
	buf_reset(&want);
	buf_addf(&want, "cannot fetch 'main' from '%s': authentication required but no "
		 "token is set (HYDRATE_TOKEN, GITHUB_TOKEN, GITLAB_TOKEN or GITEA_TOKEN)",
		 S_http_url(NULL, "remote.git"));
	assert_string_equal(d.msg.ptr, want.ptr);
	repo_cache_free(c);
	buf_release(&want);
	diag_release(&d);
}

static const struct repo_signature S_author = {
	"Hydrate Bot", "bot@example.com", 1700000000, 60
};

/* Lists the tree of a commit in the cache with the git CLI. */
static char *S_ls_tree(struct repo_cache *c, const struct repo_oid *oid)
{
	char hex[REPO_OID_HEXSZ + 1];

	repo_oid_fmt(hex, oid);
	return gitserver_sh_out("git --git-dir='%s' ls-tree -r --name-only %s | "
				"tr '\\n' ' '", repo_cache_path(c), hex);
}

static void test_git__commit_tree_prunes_managed_keeps_rest(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_files files = REPO_FILES_INIT;
	struct repo_oid head, commit, again;
	struct diag d = DIAG_INIT;
	const char *managed[] = { "apps/web", "apps/new" };
	char hex[REPO_OID_HEXSZ + 1], *ls, *out;

	S_open(&c, S_daemon_url("remote.git"), NULL);
	S_fetch_ok(&head, c, "main");
	assert_int_equal(repo_files_add(&files, "apps/web/deploy.yaml", "kind: A\n", 8,
					REPO_FILE_BLOB), 0);
	assert_int_equal(repo_files_add(&files, "apps/new/x/y.yaml", "", 0, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&commit, c, &head, managed, 2, &files, "render\n",
					  &S_author, &d), 0);
	ls = S_ls_tree(c, &commit);
	out = gitserver_sh_out("cd '%s' && git ls-tree -r --name-only main | "
			       "grep -v '^apps/web/' | tr '\\n' ' '", S_work);
	assert_non_null(ls);
	assert_non_null(out);
	/* Hand-written: the old apps/web files are gone, the rest is kept. */
	assert_non_null(strstr(ls, "README.md apps/blob.bin apps/db/sts.yaml apps/empty.txt "
				"apps/new/x/y.yaml apps/web/deploy.yaml "));
	assert_null(strstr(ls, "stale.yaml"));
	assert_null(strstr(ls, "apps/web/base"));
	free(ls);
	free(out);
	repo_oid_fmt(hex, &commit);
	out = gitserver_sh_out("git --git-dir='%s' cat-file -p %s | sed -n '2p;3p;4p' | tr '\\n' '|'",
			       repo_cache_path(c), hex);
	assert_non_null(out);
	assert_non_null(strstr(out, "author Hydrate Bot <bot@example.com> 1700000000 +0100|"));
	free(out);
	/* The same files again: nothing changes, no new commit. */
	assert_int_equal(repo_commit_tree(&again, c, &commit, managed, 2, &files, "render\n",
					  &S_author, &d), 0);
	assert_true(repo_oid_equal(&again, &commit));
	repo_files_release(&files);

	/* A managed path with no files left is removed as a whole. */
	assert_int_equal(repo_commit_tree(&again, c, &commit, managed, 1, &files, "prune\n",
					  &S_author, &d), 0);
	ls = S_ls_tree(c, &again);
	assert_non_null(ls);
	assert_null(strstr(ls, "apps/web"));
	assert_non_null(strstr(ls, "apps/new/x/y.yaml"));
	free(ls);

	/* Files outside the managed paths, and unclean paths, are refused. */
	assert_int_equal(repo_files_add(&files, "README.md", "x", 1, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&again, c, &commit, managed, 2, &files, "m",
					  &S_author, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "'README.md' is not under a managed path");
	repo_files_release(&files);
	assert_int_equal(repo_files_add(&files, "apps/web/../x", "x", 1, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&again, c, &commit, managed, 2, &files, "m",
					  &S_author, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "invalid path 'apps/web/../x'");
	repo_files_release(&files);
	assert_int_equal(repo_files_add(&files, "apps/web/.git/config", "x", 1, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&again, c, &commit, managed, 2, &files, "m",
					  &S_author, &d), DIAG_EINVALID);
	repo_files_release(&files);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__root_commit_without_parent(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_files files = REPO_FILES_INIT;
	struct repo_oid commit;
	struct diag d = DIAG_INIT;
	const char *managed[] = { "env" };
	char *ls;

	S_open(&c, S_daemon_url("remote.git"), NULL);
	assert_int_equal(repo_files_add(&files, "env/a.yaml", "a\n", 2, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&commit, c, NULL, managed, 1, &files, "root\n",
					  &S_author, &d), 0);
	ls = S_ls_tree(c, &commit);
	assert_non_null(ls);
	assert_string_equal(ls, "env/a.yaml ");
	free(ls);
	repo_files_release(&files);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__push_accepted(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_files files = REPO_FILES_INIT;
	struct repo_oid head, commit, remote;
	struct diag d = DIAG_INIT;
	const char *managed[] = { "apps/web" };
	int error;

	assert_int_equal(gitserver_sh("git clone -q --bare '%s/remote.git' '%s/push.git'",
				      S_base, S_base), 0);
	S_open(&c, S_daemon_url("push.git"), NULL);
	S_fetch_ok(&head, c, "main");
	assert_int_equal(repo_files_add(&files, "apps/web/pushed.yaml", "p\n", 2,
					REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&commit, c, &head, managed, 1, &files, "push\n",
					  &S_author, &d), 0);
	error = repo_push(c, "main", &commit, &d);
	if (error)
		fail_msg("repo_push: %s", d.msg.ptr);
	S_rev(&remote, "push.git", "main");
	assert_true(repo_oid_equal(&remote, &commit));
	S_rev(&remote, "push.git", "main^");
	assert_true(repo_oid_equal(&remote, &head));
	/* Over HTTP too, with the token. */
	repo_cache_free(c);
	setenv("HYDRATE_TOKEN", HTTP_TOKEN, 1);
	S_open(&c, S_http_url(NULL, "push.git"), NULL);
	S_fetch_ok(&head, c, "main");
	repo_files_release(&files);
	assert_int_equal(repo_files_add(&files, "apps/web/http.yaml", "h\n", 2,
					REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&commit, c, &head, managed, 1, &files, "http\n",
					  &S_author, &d), 0);
	error = repo_push(c, "main", &commit, &d);
	if (error)
		fail_msg("repo_push over http: %s", d.msg.ptr);
	S_rev(&remote, "push.git", "main");
	assert_true(repo_oid_equal(&remote, &commit));
	S_clear_tokens();
	repo_files_release(&files);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__push_rejected_then_rebuilt(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_files files = REPO_FILES_INIT;
	struct repo_oid head, commit, remote, moved;
	struct diag d = DIAG_INIT;
	const char *managed[] = { "apps/web" };
	int attempts = 0, error;

	assert_int_equal(gitserver_sh("git clone -q --bare '%s/remote.git' '%s/race.git' && "
				      "git -C '%s/race.git' config receive.denyNonFastForwards true",
				      S_base, S_base, S_base), 0);
	S_open(&c, S_daemon_url("race.git"), NULL);
	S_fetch_ok(&head, c, "main");
	assert_int_equal(repo_files_add(&files, "apps/web/r.yaml", "r\n", 2, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&commit, c, &head, managed, 1, &files, "race\n",
					  &S_author, &d), 0);
	/* Someone else pushes first: ours is no longer a fast-forward. */
	assert_int_equal(gitserver_sh(
		"set -e; cd '%s/race.git'; t=$(git rev-parse 'main^{tree}'); "
		"n=$(git commit-tree -p main -m other $t); git update-ref refs/heads/main $n",
		S_base), 0);
	S_rev(&moved, "race.git", "main");
	assert_int_equal(repo_push(c, "main", &commit, &d), DIAG_ECONFLICT);
	S_rev(&remote, "race.git", "main");
	assert_true(repo_oid_equal(&remote, &moved));

	/* The loop fetches again and rebuilds on the new head. Make the
	 * branch move once more while the first push is being received, so
	 * the loop needs a second attempt: a pre-receive hook moves it. */
	assert_int_equal(gitserver_sh(
		"set -e; h='%s/race.git/hooks/pre-receive'; "
		"printf '%%s\\n' '#!/bin/sh' "
		"'cat >/dev/null' "
		"'[ -e moved-once ] && exit 0' "
		"': > moved-once' "
		"'unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES' "
		"'t=$(git rev-parse main^{tree}); n=$(git commit-tree -p main -m hook $t)' "
		"'git update-ref refs/heads/main $n; echo $n > hook-commit' > \"$h\"; "
		"chmod +x \"$h\"", S_base), 0);
	error = repo_commit_push(&commit, &attempts, c, "main", managed, 1, &files,
				 "race\n", &S_author, 3, &d);
	if (error)
		fail_msg("repo_commit_push: %s", d.msg.ptr);
	assert_int_equal(attempts, 2);
	S_rev(&remote, "race.git", "main");
	assert_true(repo_oid_equal(&remote, &commit));
	/* Built on top of what the hook committed. */
	{
		char *hook = gitserver_sh_out("cat '%s/race.git/hook-commit'", S_base);
		struct repo_oid hook_oid;

		assert_non_null(hook);
		assert_int_equal(repo_oid_parse(&hook_oid, hook), 0);
		free(hook);
		S_rev(&remote, "race.git", "main^");
		assert_true(repo_oid_equal(&remote, &hook_oid));
	}
	/* Nothing to change: no push at all. */
	error = repo_commit_push(&head, &attempts, c, "main", managed, 1, &files,
				 "race\n", &S_author, 3, &d);
	assert_int_equal(error, 0);
	assert_int_equal(attempts, 0);
	assert_true(repo_oid_equal(&head, &commit));
	repo_files_release(&files);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__tls_verified_unless_turned_off(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_auth auth = { 0 };
	struct repo_oid oid;
	struct diag d = DIAG_INIT;
	char dir[600], url[128];

	/* The openssl CLI is not among the build dependencies: skip without it. */
	if (gitserver_sh("command -v openssl >/dev/null 2>&1") != 0)
		skip();
	snprintf(dir, sizeof(dir), "%s/tls", S_tmp);
	assert_int_equal(gitserver_sh("mkdir -p '%s'", dir), 0);
	assert_int_equal(gitserver_start_tls(&S_tls, dir), 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/remote.git", S_tls.port);
	setenv("HYDRATE_TOKEN", HTTP_TOKEN, 1);
	S_open(&c, url, NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_ENET);
	assert_non_null(strstr(d.msg.ptr, "certificate"));
	repo_cache_free(c);
	/* Turned off by name: the handshake passes, and the fetch fails
	 * later, on what this server (no git) answers. */
	auth.insecure_skip_tls_verify = 1;
	S_open(&c, url, &auth);
	assert_int_not_equal(repo_fetch(&oid, c, "main", &d), 0);
	assert_null(strstr(d.msg.ptr, "certificate"));
	assert_null(strstr(d.msg.ptr, HTTP_TOKEN));
	repo_cache_free(c);
	S_clear_tokens();
	gitserver_stop(&S_tls);
	diag_release(&d);
}

static void test_git__deleted_branch_drops_private_ref(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_oid oid;
	struct diag d = DIAG_INIT;
	char *refs;

	assert_int_equal(gitserver_sh("git --git-dir='%s/remote.git' branch gone main", S_base), 0);
	S_open(&c, S_daemon_url("remote.git"), NULL);
	S_fetch_ok(&oid, c, "gone");
	refs = gitserver_sh_out("git --git-dir='%s' for-each-ref --format='%%(refname)' "
				"refs/hydrate/heads/gone", repo_cache_path(c));
	assert_non_null(refs);
	assert_string_equal(refs, "refs/hydrate/heads/gone");
	free(refs);
	assert_int_equal(gitserver_sh("git --git-dir='%s/remote.git' branch -D gone >/dev/null",
				      S_base), 0);
	assert_int_equal(repo_fetch(&oid, c, "gone", &d), DIAG_ENOTFOUND);
	refs = gitserver_sh_out("git --git-dir='%s' for-each-ref --format='%%(refname)' "
				"refs/hydrate/heads/gone", repo_cache_path(c));
	assert_null(refs);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__cache_named_by_url_without_userinfo(void **state)
{
	struct repo_cache *a = NULL, *b = NULL, *other = NULL;
	char *url;

	S_open(&a, S_http_url(NULL, "remote.git"), NULL);
	S_open(&b, S_http_url("user:pw-1234", "remote.git"), NULL);
	S_open(&other, S_http_url(NULL, "push.git"), NULL);
	assert_string_equal(repo_cache_path(a), repo_cache_path(b));
	assert_string_not_equal(repo_cache_path(a), repo_cache_path(other));
	assert_memory_equal(repo_cache_path(a), S_cache, strlen(S_cache));
	url = gitserver_sh_out("git --git-dir='%s' config remote.origin.url", repo_cache_path(b));
	assert_non_null(url);
	assert_string_equal(url, S_http_url(NULL, "remote.git"));
	free(url);
	repo_cache_free(a);
	repo_cache_free(b);
	repo_cache_free(other);
}

static void test_git__missing_repository(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_oid oid;
	struct diag d = DIAG_INIT;
	int error;

	char path[600];

	S_open(&c, S_daemon_url("absent.git"), NULL);
	error = repo_fetch(&oid, c, "main", &d);
	assert_int_equal(error, REPO_ENOREPO);
	assert_non_null(strstr(d.msg.ptr, "no such repository"));
	repo_cache_free(c);
	setenv("HYDRATE_TOKEN", HTTP_TOKEN, 1);
	S_open(&c, S_http_url(NULL, "absent.git"), NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), REPO_ENOREPO);
	assert_non_null(strstr(d.msg.ptr, "404"));
	repo_cache_free(c);
	S_clear_tokens();
	snprintf(path, sizeof(path), "%s/absent.git", S_base);
	S_open(&c, path, NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), REPO_ENOREPO);
	assert_non_null(strstr(d.msg.ptr, "no such repository"));
	repo_cache_free(c);
	diag_release(&d);
}

struct S_thread_arg {
	struct repo_cache *shared; /* NULL: open one of its own */
	int ok;
};

static void *S_thread(void *p)
{
	struct S_thread_arg *arg = p;
	struct repo_cache *c = arg->shared;
	struct diag d = DIAG_INIT;
	struct repo_oid oid;
	int ok = 1;

	if (!c && repo_cache_open(&c, S_daemon_url("remote.git"), S_cache, NULL, &d) < 0)
		ok = 0;
	for (int i = 0; ok && i < 3; i++) {
		struct repo_files files = REPO_FILES_INIT;

		if (repo_fetch(&oid, c, "main", &d) < 0 ||
		    repo_read_tree(&files, c, &oid, "apps", &d) < 0 || files.n < 5)
			ok = 0;
		repo_files_release(&files);
	}
	if (!ok)
		fprintf(stderr, "thread: %s\n", d.msg.ptr);
	if (!arg->shared)
		repo_cache_free(c);
	diag_release(&d);
	arg->ok = ok;
	return NULL;
}

static void test_git__threads_own_or_share_caches(void **state)
{
	struct repo_cache *shared = NULL;
	struct S_thread_arg args[8];
	pthread_t t[8];

	S_open(&shared, S_daemon_url("remote.git"), NULL);
	for (int i = 0; i < 8; i++) {
		args[i].shared = i % 2 ? shared : NULL;
		args[i].ok = 0;
		assert_int_equal(pthread_create(&t[i], NULL, S_thread, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_true(args[i].ok);
	}
	repo_cache_free(shared);
}

static void test_git__commit_symlink_submodule_executable(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_files files = REPO_FILES_INIT, back = REPO_FILES_INIT;
	struct repo_oid head, commit;
	struct diag d = DIAG_INIT;
	const char *managed[] = { "special", "special/nested" };
	char hex[REPO_OID_HEXSZ + 1], *ls;

	S_open(&c, S_daemon_url("remote.git"), NULL);
	S_fetch_ok(&head, c, "main");
	repo_oid_fmt(hex, &head);
	assert_int_equal(repo_files_add(&files, "special/link", "target", 6, REPO_FILE_SYMLINK), 0);
	assert_int_equal(repo_files_add(&files, "special/sub", hex, 40, REPO_FILE_SUBMODULE), 0);
	assert_int_equal(repo_files_add(&files, "special/nested/run", "#!", 2,
					REPO_FILE_EXECUTABLE), 0);
	assert_int_equal(repo_commit_tree(&commit, c, &head, managed, 2, &files, "special\n",
					  &S_author, &d), 0);
	repo_oid_fmt(hex, &commit);
	ls = gitserver_sh_out("git --git-dir='%s' ls-tree -r %s special | cut -c1-6 | tr '\\n' ' '",
			      repo_cache_path(c), hex);
	assert_non_null(ls);
	/* git sorts: special/link, special/nested/run, special/sub */
	assert_string_equal(ls, "120000 100755 160000 ");
	free(ls);
	assert_int_equal(repo_read_tree(&back, c, &commit, "special", &d), 0);
	assert_int_equal(back.n, 3);
	assert_int_equal(back.v[0].kind, REPO_FILE_SYMLINK);
	assert_int_equal(back.v[1].kind, REPO_FILE_EXECUTABLE);
	assert_int_equal(back.v[2].kind, REPO_FILE_SUBMODULE);
	repo_oid_fmt(hex, &head);
	assert_string_equal(back.v[2].data, hex);
	repo_files_release(&back);
	repo_files_release(&files);
	/* Two files where one would be the other's directory. */
	assert_int_equal(repo_files_add(&files, "special/a", "x", 1, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_files_add(&files, "special/a/b", "y", 1, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&commit, c, &head, managed, 1, &files, "m",
					  &S_author, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "'special/a' and 'special/a/b' collide");
	repo_files_release(&files);
	assert_int_equal(repo_files_add(&files, "special/b", "x", 1, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_files_add(&files, "special/a-b", "x", 1, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_files_add(&files, "special/b", "y", 1, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&commit, c, &head, managed, 1, &files, "m",
					  &S_author, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "'special/b' is given twice");
	repo_files_release(&files);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__fetch_rev_branch_tag_or_commit(void **state)
{
	struct repo_cache *c = NULL;
	struct repo_oid oid, want, mine;
	enum repo_rev_kind kind = 0;
	struct diag d = DIAG_INIT;
	struct repo_files files = REPO_FILES_INIT;
	const char *managed[] = { "x" };
	char *first, hex[REPO_OID_HEXSZ + 1], abbrev[12];

	/* revs.git: main has two commits; a branch, a lightweight and an
	 * annotated tag, and a tag and a branch of the same name. */
	assert_int_equal(gitserver_sh(
		"set -e; cd '%s'; rm -rf revs.git revs; git init -q --bare -b main revs.git; "
		"git init -q -b main revs; cd revs; echo 1 > f; git add f; git commit -q -m one; "
		"echo 2 > f; git commit -q -am two; git push -q ../revs.git main; cd ../revs.git; "
		"git branch side main~1; git tag light main~1; git tag -a -m ann ann main; "
		"git tag same main~1; git branch same main", S_base), 0);
	first = gitserver_sh_out("git --git-dir='%s/revs.git' rev-parse main~1", S_base);
	assert_non_null(first);
	S_open(&c, S_daemon_url("revs.git"), NULL);
	S_rev(&want, "revs.git", "main");
	assert_int_equal(repo_fetch_rev(&oid, &kind, c, "main", &d), 0);
	assert_true(repo_oid_equal(&oid, &want));
	assert_int_equal(kind, REPO_REV_BRANCH);
	assert_int_equal(repo_fetch_rev(&oid, &kind, c, "HEAD", &d), 0);
	assert_true(repo_oid_equal(&oid, &want));
	assert_int_equal(kind, REPO_REV_REF);
	assert_int_equal(repo_fetch_rev(&oid, &kind, c, "ann", &d), 0);
	assert_true(repo_oid_equal(&oid, &want));     /* peeled to its commit */
	assert_int_equal(kind, REPO_REV_TAG);
	assert_int_equal(repo_fetch_rev(&oid, &kind, c, "heads/same", &d), 0);
	assert_true(repo_oid_equal(&oid, &want));
	S_rev(&want, "revs.git", "main~1");
	assert_int_equal(repo_fetch_rev(&oid, &kind, c, "same", &d), 0); /* the tag wins */
	assert_true(repo_oid_equal(&oid, &want));
	assert_int_equal(kind, REPO_REV_TAG);
	assert_int_equal(repo_fetch_rev(&oid, &kind, c, "refs/heads/side", &d), 0);
	assert_true(repo_oid_equal(&oid, &want));
	assert_int_equal(kind, REPO_REV_BRANCH);
	assert_int_equal(repo_fetch_rev(&oid, &kind, c, "light", &d), 0);
	assert_true(repo_oid_equal(&oid, &want));
	/* Commit ids: full and abbreviated; the tree is then readable. */
	assert_int_equal(repo_fetch_rev(&oid, &kind, c, first, &d), 0);
	assert_true(repo_oid_equal(&oid, &want));
	assert_int_equal(kind, REPO_REV_COMMIT);
	snprintf(abbrev, sizeof(abbrev), "%.6s", first);
	assert_int_equal(repo_fetch_rev(&oid, &kind, c, abbrev, &d), 0);
	assert_true(repo_oid_equal(&oid, &want));
	assert_int_equal(repo_read_tree(&files, c, &oid, "f", &d), 0);
	assert_int_equal(files.n, 1);
	assert_memory_equal(files.v[0].data, "1\n", 2);
	repo_files_release(&files);
	/* A commit only the cache holds is nothing in the remote. */
	assert_int_equal(repo_files_add(&files, "x/y", "z", 1, REPO_FILE_BLOB), 0);
	assert_int_equal(repo_commit_tree(&mine, c, &want, managed, 1, &files, "local",
					  &S_author, &d), 0);
	repo_files_release(&files);
	repo_oid_fmt(hex, &mine);
	assert_int_equal(repo_fetch_rev(&oid, NULL, c, hex, &d), DIAG_ENOTFOUND);
	/* Names of nothing; not names at all. */
	assert_int_equal(repo_fetch_rev(&oid, NULL, c, "nope", &d), DIAG_ENOTFOUND);
	assert_non_null(strstr(d.msg.ptr, "no branch, tag or commit 'nope' in 'git://"));
	assert_int_equal(repo_fetch_rev(&oid, NULL, c, "abc", &d), DIAG_ENOTFOUND);
	assert_int_equal(repo_fetch_rev(&oid, NULL, c, "", &d), DIAG_EINVALID);
	assert_int_equal(repo_fetch_rev(&oid, NULL, c, "main~1", &d), DIAG_EINVALID);
	assert_int_equal(repo_fetch_rev(&oid, NULL, c, "a:b", &d), DIAG_EINVALID);
	repo_cache_free(c);
	/* No repository there: another code than a missing revision. */
	S_open(&c, S_daemon_url("absent.git"), NULL);
	assert_int_equal(repo_fetch_rev(&oid, NULL, c, "main", &d), REPO_ENOREPO);
	repo_cache_free(c);
	free(first);
	diag_release(&d);
}

/* A loopback TCP server that accepts and then says nothing (or only what
 * greeting holds), until stopped. */
struct S_silent {
	int fd, port;
	volatile int stop;
	const char *greeting;
	int hang_up;     /* close each connection after the greeting */
	pthread_t thread;
};

static void *S_silent_run(void *p)
{
	struct S_silent *s = p;
	int conns[16], n = 0;

	while (!s->stop) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };

		if (poll(&pfd, 1, 20) == 1 && n < 16) {
			int c = accept(s->fd, NULL, NULL);

			if (c >= 0) {
				conns[n++] = c;
				if (s->greeting && write(c, s->greeting, strlen(s->greeting)) < 0)
					break;
				if (s->hang_up)
					close(conns[--n]);
			}
		}
	}
	while (n)
		close(conns[--n]);
	return NULL;
}

/* backlog 0 and accept: a thread accepts; backlog only: nobody accepts. */
static void S_silent_start(struct S_silent *s, const char *greeting, int accept_them)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->greeting = greeting;
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 0), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	if (accept_them)
		assert_int_equal(pthread_create(&s->thread, NULL, S_silent_run, s), 0);
	else
		s->stop = -1;
}

static void S_silent_stop(struct S_silent *s)
{
	if (s->stop == 0) {
		s->stop = 1;
		pthread_join(s->thread, NULL);
	}
	close(s->fd);
}

static long long S_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Fetches main from url, which must fail with DIAG_ENET saying "timed out"
 * and naming url (shown: as the message should show it) within [lo, hi) ms. */
static void S_fetch_times_out(const char *url, const char *shown, long long lo, long long hi)
{
	struct repo_cache *c = NULL;
	struct repo_oid oid;
	struct diag d = DIAG_INIT;
	struct timespec t0;
	struct buf want = BUF_INIT;
	long long ms;

	S_open(&c, url, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_ENET);
	ms = S_ms_since(&t0);
	buf_addf(&want, "cannot fetch 'main' from '%s': timed out after ", shown);
	if (strncmp(d.msg.ptr, want.ptr, want.len))
		fail_msg("%s: got '%s'", url, d.msg.ptr);
	/* both clocks count whole milliseconds: allow one of rounding */
	if (ms < lo - 1 || ms >= hi)
		fail_msg("%s: failed after %lld ms, want [%lld, %lld)", url, ms, lo - 1, hi);
	assert_null(strstr(d.msg.ptr, "s3cr3t"));
	/* and again through repo_fetch_rev */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(repo_fetch_rev(&oid, NULL, c, "main", &d), DIAG_ENET);
	assert_non_null(strstr(d.msg.ptr, "timed out"));
	assert_true(S_ms_since(&t0) < hi);
	buf_release(&want);
	diag_release(&d);
	repo_cache_free(c);
}

static void test_git__timeouts_bound_a_silent_server(void **state)
{
	struct S_silent s;
	char url[256], shown[256];

	repo_set_timeouts(5000, 400);
	/* git://: accepted, never a byte back */
	S_silent_start(&s, NULL, 1);
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/remote.git", s.port);
	S_fetch_times_out(url, url, 400, 3000);
	/* http:// with a token in the URL: shown without it */
	snprintf(url, sizeof(url), "http://user:s3cr3t-in-url@127.0.0.1:%d/remote.git", s.port);
	snprintf(shown, sizeof(shown), "http://127.0.0.1:%d/remote.git", s.port);
	S_fetch_times_out(url, shown, 400, 3000);
	/* https://: the TLS handshake waits; our words, not mbedTLS's */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/remote.git", s.port);
	S_fetch_times_out(url, url, 400, 3000);
	S_silent_stop(&s);
	/* half an HTTP response, then nothing */
	S_silent_start(&s, "HTTP/1.1 200 OK\r\n"
			   "Content-Type: application/x-git-upload-pack-advertisement\r\n"
			   "Content-Length: 4000\r\n\r\n001e# service=git-upload-pack\n0000", 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/remote.git", s.port);
	setenv("HYDRATE_TOKEN", HTTP_TOKEN, 1);
	S_fetch_times_out(url, url, 400, 3000);
	S_clear_tokens();
	S_silent_stop(&s);
	repo_set_timeouts(-1, -1);
}

static void test_git__connect_timeout(void **state)
{
	struct S_silent s;
	struct sockaddr_in a;
	int fill[4], nfill = 0;
	char url[256];

	/* Nobody accepts and the accept queue (backlog 0) is full: the
	 * kernel drops further SYNs, so connecting hangs. Fill it, and check
	 * that it is full (a connection that does not complete at once). */
	S_silent_start(&s, NULL, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)s.port);
	for (; nfill < 4; nfill++) {
		struct pollfd p;

		fill[nfill] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		assert_true(fill[nfill] >= 0);
		if (connect(fill[nfill], (struct sockaddr *)&a, sizeof(a)) == 0)
			continue;
		p.fd = fill[nfill];
		p.events = POLLOUT;
		p.revents = 0;
		if (poll(&p, 1, 200) == 0) {
			nfill++;
			break;   /* this one hangs: the queue is full */
		}
	}
	if (nfill == 4) {
		while (nfill)
			close(fill[--nfill]);
		S_silent_stop(&s);
		skip();  /* this kernel completes every connection */
	}
	/* from the environment, in seconds; the idle timeout too, so that a
	 * connection the kernel completed after all cannot hang the test */
	repo_set_timeouts(-1, -1);
	setenv("HYDRATE_GIT_CONNECT_TIMEOUT", "0.3", 1);
	setenv("HYDRATE_GIT_TIMEOUT", "0.3", 1);
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/remote.git", s.port);
	{
		struct repo_cache *c = NULL;
		struct repo_oid oid;
		struct diag d = DIAG_INIT;
		struct timespec t0;
		struct buf want = BUF_INIT;
		long long ms;

		S_open(&c, url, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_ENET);
		ms = S_ms_since(&t0);
		buf_addf(&want, "cannot fetch 'main' from '%s': timed out after 0.300 s "
			 "connecting to 127.0.0.1:%d", url, s.port);
		if (strcmp(d.msg.ptr, want.ptr))
			fail_msg("got '%s', want '%s'", d.msg.ptr, want.ptr);
		if (ms < 299 || ms >= 3000)  /* whole milliseconds: 1 of rounding */
			fail_msg("failed after %lld ms, want [299, 3000)", ms);
		buf_release(&want);
		diag_release(&d);
		repo_cache_free(c);
	}
	unsetenv("HYDRATE_GIT_CONNECT_TIMEOUT");
	unsetenv("HYDRATE_GIT_TIMEOUT");
	while (nfill)
		close(fill[--nfill]);
	S_silent_stop(&s);
}

/*
 * ssh:// goes through our stream too: libgit2 1.5's ssh transport casts it
 * to its git_socket_stream and gives the descriptor to libssh2. A server
 * that sends an SSH banner and hangs up: libssh2 must read the banner
 * through that descriptor and fail later, in the key exchange (with a wrong
 * descriptor it could not even read the banner).
 */
static void test_git__ssh_reads_through_our_socket(void **state)
{
	struct S_silent s;
	struct repo_cache *c = NULL;
	struct repo_oid oid;
	struct diag d = DIAG_INIT;
	char url[256];
	int error;

#ifdef __SANITIZE_ADDRESS__
	/* libgit2 1.5.1 itself leaks 96 bytes (2 git_str buffers allocated
	 * under git_remote_connect_ext) when an ssh session fails to start;
	 * LeakSanitizer would fail the whole executable for it. */
	skip();
#endif
	repo_set_timeouts(2000, 2000);
	S_silent_start(&s, "SSH-2.0-OpenSSH_9.2\r\n", 0);
	s.hang_up = 1;
	s.stop = 0;
	assert_int_equal(pthread_create(&s.thread, NULL, S_silent_run, &s), 0);
	snprintf(url, sizeof(url), "ssh://git@127.0.0.1:%d/remote.git", s.port);
	S_open(&c, url, NULL);
	error = repo_fetch(&oid, c, "main", &d);
	assert_int_equal(error, DIAG_ENET);
	assert_null(strstr(d.msg.ptr, "banner"));
	assert_null(strstr(d.msg.ptr, "timed out"));
	repo_cache_free(c);
	diag_release(&d);
	S_silent_stop(&s);
	repo_set_timeouts(-1, -1);
}

/*
 * SSH end to end, against OpenSSH's sshd on loopback (installed by
 * scripts/install-deps.sh; skipped only where there is no sshd): libgit2
 * 1.5 checks no host key, so hydrate checks it against known_hosts
 * (HYDRATE_SSH_KNOWN_HOSTS here), and authenticates with the key
 * HYDRATE_SSH_KEY names. Fingerprints are the ones ssh-keygen prints.
 */
static void test_git__ssh_known_hosts_and_key(void **state)
{
	struct gitserver sshd = { 0, 0 };
	struct repo_cache *c = NULL;
	struct repo_oid oid, want;
	struct diag d = DIAG_INIT;
	char dir[600], url[1024], file[700], *fpr, *user;
	int rc;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/ssh", S_tmp);
	rc = gitserver_start_sshd(&sshd, dir);
	if (rc == 1)
		skip();
	assert_int_equal(rc, 0);
#ifdef __SANITIZE_ADDRESS__
	/* libgit2 1.5.1 and libssh2 1.10 leak inside SSH sessions (libgit2's
	 * own buffers, libssh2_knownhost_init's list): allocations made from
	 * here on in this thread are not reported. Ours on this path are
	 * the same as over https, which the other tests check. */
	__lsan_disable();
#endif
	user = gitserver_sh_out("id -un");
	assert_non_null(user);
	fpr = gitserver_sh_out("ssh-keygen -lf '%s/host_key.pub' | cut -d' ' -f2", dir);
	assert_non_null(fpr);
	snprintf(url, sizeof(url), "ssh://%s@127.0.0.1:%d%s/remote.git", user, sshd.port, S_base);
	snprintf(file, sizeof(file), "%s/user_key", dir);
	setenv("HYDRATE_SSH_KEY", file, 1);
	S_rev(&want, "remote.git", "main");

	/* the host key in known_hosts: fetched */
	snprintf(file, sizeof(file), "%s/known_hosts", dir);
	setenv("HYDRATE_SSH_KNOWN_HOSTS", file, 1);
	S_open(&c, url, NULL);
	S_fetch_ok(&oid, c, "main");
	assert_memory_equal(oid.id, want.id, sizeof(oid.id));
	repo_cache_free(c);

	/* not there: refused, saying how to add it, with ssh-keygen's fingerprint */
	snprintf(file, sizeof(file), "%s/none", dir);
	setenv("HYDRATE_SSH_KNOWN_HOSTS", file, 1);
	S_open(&c, url, NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_ENET);
	{
		struct buf want_msg = BUF_INIT;
		buf_addf(&want_msg, "cannot fetch 'main' from '%s': the SSH host key of "
			 "[127.0.0.1]:%d (ssh-ed25519 %s) is not in %s: check it, then add it, "
			 "e.g. with `ssh-keyscan -p %d 127.0.0.1 >> %s`", url, sshd.port, fpr,
			 file, sshd.port, file);
		assert_string_equal(d.msg.ptr, want_msg.ptr);
		buf_release(&want_msg);
	}
	assert_non_null(strstr(d.msg.ptr, fpr));
	repo_cache_free(c);

	/* another ed25519 key for the host: a changed key, refused */
	assert_int_equal(gitserver_sh("cd '%s' && printf '[127.0.0.1]:%d ' > other && "
				      "cut -d' ' -f1,2 user_key.pub >> other", dir, sshd.port), 0);
	snprintf(file, sizeof(file), "%s/other", dir);
	setenv("HYDRATE_SSH_KNOWN_HOSTS", file, 1);
	S_open(&c, url, NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_ENET);
	assert_non_null(strstr(d.msg.ptr, "is not the one known_hosts holds for it"));
	repo_cache_free(c);

	/* the right key, but also marked @revoked: refused */
	assert_int_equal(gitserver_sh("cd '%s' && cat known_hosts > revoked && printf '@revoked * ' "
				      ">> revoked && cut -d' ' -f1,2 host_key.pub >> revoked", dir), 0);
	snprintf(file, sizeof(file), "%s/revoked", dir);
	setenv("HYDRATE_SSH_KNOWN_HOSTS", file, 1);
	S_open(&c, url, NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_ENET);
	assert_non_null(strstr(d.msg.ptr, "is marked @revoked in known_hosts"));
	repo_cache_free(c);

	/* a client key the server does not authorize: an authentication error */
	snprintf(file, sizeof(file), "%s/known_hosts", dir);
	setenv("HYDRATE_SSH_KNOWN_HOSTS", file, 1);
	snprintf(file, sizeof(file), "%s/host_key", dir);
	setenv("HYDRATE_SSH_KEY", file, 1);
	S_open(&c, url, NULL);
	assert_int_equal(repo_fetch(&oid, c, "main", &d), DIAG_EAUTH);
	assert_non_null(strstr(d.msg.ptr, "the server refused the SSH key of user"));
	repo_cache_free(c);

	unsetenv("HYDRATE_SSH_KEY");
	unsetenv("HYDRATE_SSH_KNOWN_HOSTS");
	diag_release(&d);
	free(user);
	free(fpr);
	gitserver_stop(&sshd);
#ifdef __SANITIZE_ADDRESS__
	__lsan_enable();
#endif
}

static void test_git__timeout_settings(void **state)
{
	int c, i;

	repo_set_timeouts(-1, -1);
	unsetenv("HYDRATE_GIT_CONNECT_TIMEOUT");
	unsetenv("HYDRATE_GIT_TIMEOUT");
	repo_get_timeouts(&c, &i);
	assert_int_equal(c, 30000);
	assert_int_equal(i, 60000);
	setenv("HYDRATE_GIT_CONNECT_TIMEOUT", "1.5", 1);
	setenv("HYDRATE_GIT_TIMEOUT", "0", 1);
	repo_get_timeouts(&c, &i);
	assert_int_equal(c, 1500);
	assert_int_equal(i, 0);
	setenv("HYDRATE_GIT_CONNECT_TIMEOUT", "soon", 1);
	setenv("HYDRATE_GIT_TIMEOUT", "-2", 1);
	repo_get_timeouts(&c, &i);
	assert_int_equal(c, 30000);
	assert_int_equal(i, 60000);
	repo_set_timeouts(250, 0);
	repo_get_timeouts(&c, &i);
	assert_int_equal(c, 250);
	assert_int_equal(i, 0);
	repo_set_timeouts(-1, -1);
	unsetenv("HYDRATE_GIT_CONNECT_TIMEOUT");
	unsetenv("HYDRATE_GIT_TIMEOUT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_git__redacts_userinfo_and_tokens),
		cmocka_unit_test(test_git__redact_random_text),
		cmocka_unit_test(test_git__oid_hex_roundtrip),
		cmocka_unit_test(test_git__odd_urls_open_or_fail_cleanly),
		cmocka_unit_test(test_git__first_fetch_reads_tree),
		cmocka_unit_test(test_git__incremental_fetch_sees_new_commit),
		cmocka_unit_test(test_git__missing_branch_is_enotfound),
		cmocka_unit_test(test_git__unreachable_server_is_enet_fast),
		cmocka_unit_test(test_git__local_path_and_file_url),
		cmocka_unit_test(test_git__http_token_from_environment),
		cmocka_unit_test(test_git__http_bad_token_is_eauth_redacted),
		cmocka_unit_test(test_git__commit_tree_prunes_managed_keeps_rest),
		cmocka_unit_test(test_git__root_commit_without_parent),
		cmocka_unit_test(test_git__push_accepted),
		cmocka_unit_test(test_git__push_rejected_then_rebuilt),
		cmocka_unit_test(test_git__tls_verified_unless_turned_off),
		cmocka_unit_test(test_git__deleted_branch_drops_private_ref),
		cmocka_unit_test(test_git__cache_named_by_url_without_userinfo),
		cmocka_unit_test(test_git__missing_repository),
		cmocka_unit_test(test_git__threads_own_or_share_caches),
		cmocka_unit_test(test_git__commit_symlink_submodule_executable),
		cmocka_unit_test(test_git__fetch_rev_branch_tag_or_commit),
		cmocka_unit_test(test_git__timeout_settings),
		cmocka_unit_test(test_git__timeouts_bound_a_silent_server),
		cmocka_unit_test(test_git__connect_timeout),
		cmocka_unit_test(test_git__ssh_reads_through_our_socket),
		cmocka_unit_test(test_git__ssh_known_hosts_and_key),
	};

	return cmocka_run_group_tests(tests, S_setup, S_teardown);
}
