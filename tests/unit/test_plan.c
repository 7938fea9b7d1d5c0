/*
 * gitops/plan.c: filters, shards, errors, and running the plan into a tree.
 *
 * Expected trees (testdata/gitops/<case>/expected*) were made by
 * testdata/gitops/make-expected.py from helm's and kubectl's output
 * (testdata/gitops/<case>/reference/), not by this code.
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

#include "gitops/config.h"
#include "gitops/plan.h"
#include "gitops/tree.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/srcfile.h"
#include "testutil.h"

static struct config *S_load(const char *rel)
{
	struct config *cfg = NULL;
	struct diag d = DIAG_INIT;
	char path[4096];

	snprintf(path, sizeof(path), "%s/gitops/%s", TESTDATA_DIR, rel);
	if (config_load(&cfg, path, &d) < 0)
		fail_msg("config_load %s: %s", path, d.msg.ptr);
	diag_release(&d);
	return cfg;
}

/* A config from text, with relative paths resolved in testdata/gitops/basic. */
static struct config *S_parse(const char *text)
{
	struct config *cfg = NULL;
	struct srcfile src = SRCFILE_INIT;
	struct diag d = DIAG_INIT;
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/gitops/basic", TESTDATA_DIR);
	assert_int_equal(srcfile_set(&src, "hydrate.yaml", text, strlen(text)), 0);
	if (config_parse(&cfg, &src, dir, &d) < 0)
		fail_msg("config_parse: %s", d.msg.ptr);
	srcfile_release(&src);
	diag_release(&d);
	return cfg;
}

static void S_job_is(const struct plan *p, size_t i, const char *app, const char *env)
{
	assert_true(i < p->n);
	assert_string_equal(p->jobs[i].app->name, app);
	assert_string_equal(p->jobs[i].env->name, env);
}

static void test_plan__all_jobs_in_order(void **state)
{
	struct config *cfg = S_load("basic/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	assert_int_equal(p.n, 4);
	S_job_is(&p, 0, "web", "dev");
	S_job_is(&p, 1, "web", "prod");
	S_job_is(&p, 2, "api", "dev");
	S_job_is(&p, 3, "api", "prod");
	assert_string_equal(p.jobs[0].path, "clusters/dev/web");
	assert_int_equal(p.jobs[0].nset, 1);
	assert_string_equal(p.jobs[0].set[0].value, "1.0"); /* not local: no .env */
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__filters(void **state)
{
	struct config *cfg = S_load("basic/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct diag d = DIAG_INIT;
	const char *apps[] = { "api" }, *envs[] = { "prod" };
	struct plan_filter f = { apps, 1, NULL, 0, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 2);
	S_job_is(&p, 0, "api", "dev");
	S_job_is(&p, 1, "api", "prod");
	plan_release(&p);

	f.envs = envs;
	f.nenvs = 1;
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 1);
	S_job_is(&p, 0, "api", "prod");
	plan_release(&p);

	f.napps = 0;
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 2);
	S_job_is(&p, 0, "web", "prod");
	S_job_is(&p, 1, "api", "prod");
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__local_reads_env_file(void **state)
{
	struct config *cfg = S_load("basic/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct diag d = DIAG_INIT;
	struct plan_filter f = { NULL, 0, NULL, 0, 0, 0, 1, 0 };

	(void)state;
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.jobs[0].set[0].value, "dev-local");
	assert_string_equal(p.jobs[1].set[0].value, "1.0"); /* prod has no envFile */
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__unknown_names_did_you_mean(void **state)
{
	struct config *cfg = S_load("basic/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct diag d = DIAG_INIT;
	const char *apps[] = { "wbe" }, *envs[] = { "prd" }, *far[] = { "database" };
	struct plan_filter f = { apps, 1, NULL, 0, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(plan_build(&p, cfg, &f, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "unknown app 'wbe' (did you mean 'web'?)");
	assert_int_equal(p.n, 0);
	f.napps = 0;
	f.envs = envs;
	f.nenvs = 1;
	assert_int_equal(plan_build(&p, cfg, &f, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "unknown environment 'prd' (did you mean 'prod'?)");
	f.envs = far;
	assert_int_equal(plan_build(&p, cfg, &f, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "unknown environment 'database'");
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__shard(void **state)
{
	struct config *cfg = S_load("basic/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct diag d = DIAG_INIT;
	struct plan_filter f = { NULL, 0, NULL, 0, 1, 3, 0, 0 };

	(void)state;
	/* jobs in plan order: web/dev web/prod api/dev api/prod; k mod 3 */
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 2);
	S_job_is(&p, 0, "web", "dev");
	S_job_is(&p, 1, "api", "prod");
	plan_release(&p);
	f.shard_index = 2;
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 1);
	S_job_is(&p, 0, "web", "prod");
	plan_release(&p);
	f.shard_index = 3;
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 1);
	S_job_is(&p, 0, "api", "dev");
	plan_release(&p);
	/* the share is taken after the filters */
	const char *envs[] = { "prod" };
	f.envs = envs;
	f.nenvs = 1;
	f.shard_index = 2;
	f.shard_count = 2;
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 1);
	S_job_is(&p, 0, "api", "prod");
	plan_release(&p);
	/* more shards than jobs: some shards are empty, not an error */
	f.nenvs = 0;
	f.shard_index = 7;
	f.shard_count = 8;
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 0);
	plan_release(&p);
	f.shard_index = 0;
	assert_int_equal(plan_build(&p, cfg, &f, &d), DIAG_EINVALID);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__parse_shard(void **state)
{
	static const char *bad[] = { "", "1", "0/2", "3/2", "1/0", "a/b", "1/2x", "/2", "1/",
				     "1/10001", "99999999999999999999/2", "-1/2", " 1/2" };
	struct diag d = DIAG_INIT;
	unsigned i = 0, n = 0;

	(void)state;
	assert_int_equal(plan_parse_shard(&i, &n, "2/4", &d), 0);
	assert_int_equal(i, 2);
	assert_int_equal(n, 4);
	assert_int_equal(plan_parse_shard(&i, &n, "10000/10000", &d), 0);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(plan_parse_shard(&i, &n, bad[k], &d), DIAG_EINVALID);
		assert_non_null(strstr(d.msg.ptr, "invalid shard"));
	}
	diag_release(&d);
}

/* Every file under dir/rel is in t with the same bytes; returns how many. */
static size_t S_compare_dir(const struct tree *t, const char *dir, const char *rel)
{
	char path[4096];
	struct dirent *e;
	size_t count = 0;
	DIR *dp;

	snprintf(path, sizeof(path), "%s%s%s", dir, rel[0] ? "/" : "", rel);
	dp = opendir(path);
	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL) {
		char sub[2048], full[8192];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
		snprintf(full, sizeof(full), "%s/%s", dir, sub);
		assert_int_equal(stat(full, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			count += S_compare_dir(t, dir, sub);
		} else {
			size_t len;
			char *want = tu_read_file(full, &len);
			const struct tree_entry *got = tree_find(t, sub);
			if (!got)
				fail_msg("missing from the tree: %s", sub);
			if (got->len != len || memcmp(got->data, want, len))
				fail_msg("%s differs:\n--- want\n%s\n--- got\n%s", sub, want,
					 got->data);
			free(want);
			count++;
		}
	}
	closedir(dp);
	return count;
}

static void S_render_matches(const char *cfgrel, int local, const char *expected,
			     unsigned threads)
{
	struct config *cfg = S_load(cfgrel);
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	struct plan_filter f = { NULL, 0, NULL, 0, 0, 0, local, 0 };
	struct plan_run_opts o = { threads, NULL, NULL, NULL, NULL, NULL };
	char dir[4096];

	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	if (plan_run(&t, &p, NULL, 0, &o, &d) < 0)
		fail_msg("plan_run: %s\n%s", d.msg.ptr, d.context.ptr);
	snprintf(dir, sizeof(dir), "%s/gitops/%s", TESTDATA_DIR, expected);
	assert_int_equal(S_compare_dir(&t, dir, ""), t.n);
	tree_release(&t);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__render_matches_reference(void **state)
{
	(void)state;
	S_render_matches("basic/hydrate.yaml", 0, "basic/expected", 1);
	S_render_matches("basic/hydrate.yaml", 1, "basic/expected-local", 1);
}

static void test_plan__threads_give_the_same_bytes(void **state)
{
	struct config *cfg = S_load("basic/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct tree t1 = TREE_INIT, t4 = TREE_INIT;
	struct diag d = DIAG_INIT;
	struct plan_run_opts o1 = { 1, "https://example.com/src.git", "abc123", NULL, NULL, NULL };
	struct plan_run_opts o4 = o1;

	(void)state;
	o4.threads = 4;
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	for (int round = 0; round < 5; round++) {
		assert_int_equal(plan_run(&t1, &p, NULL, 0, &o1, &d), 0);
		assert_int_equal(plan_run(&t4, &p, NULL, 0, &o4, &d), 0);
		assert_int_equal(t1.n, t4.n);
		assert_int_equal(t1.n, 16);
		for (size_t i = 0; i < t1.n; i++) {
			assert_string_equal(t1.entries[i].path, t4.entries[i].path);
			assert_int_equal(t1.entries[i].len, t4.entries[i].len);
			assert_memory_equal(t1.entries[i].data, t4.entries[i].data, t1.entries[i].len);
			assert_int_equal(t1.entries[i].flags, t4.entries[i].flags);
		}
		assert_int_equal(t1.nroots, 4);
		tree_release(&t1);
		tree_release(&t4);
	}
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

/* Many jobs, many template functions (semver and regex caches, dates, hashes,
 * tpl, YAML and JSON), charts and overlays: -j 1 and -j 4 give the same tree,
 * and each job's output is Helm's. */
static void test_plan__threads_many_functions(void **state)
{
	struct config *cfg = S_load("threads/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct tree t1 = TREE_INIT, t4 = TREE_INIT;
	struct diag d = DIAG_INIT;
	struct plan_run_opts o1 = { 1, NULL, NULL, NULL, NULL, NULL };
	struct plan_run_opts o4 = { 4, NULL, NULL, NULL, NULL, NULL };
	size_t len;
	char *want = tu_read_file(tu_testdata("gitops/threads/reference/funcs.yaml"), &len);

	(void)state;
	assert_non_null(want);
	assert_true(len > 4 && !memcmp(want, "---\n", 4));
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	assert_int_equal(p.n, 24);
	if (plan_run(&t1, &p, NULL, 0, &o1, &d) < 0 || plan_run(&t4, &p, NULL, 0, &o4, &d) < 0)
		fail_msg("plan_run: %s", d.msg.ptr);
	assert_int_equal(t1.n, t4.n);
	for (size_t i = 0; i < t1.n; i++) {
		assert_string_equal(t1.entries[i].path, t4.entries[i].path);
		assert_int_equal(t1.entries[i].len, t4.entries[i].len);
		assert_memory_equal(t1.entries[i].data, t4.entries[i].data, t1.entries[i].len);
	}
	for (int e = 1; e <= 8; e++) {
		char path[64];
		const struct tree_entry *te;
		snprintf(path, sizeof(path), "e%d/funcs/configmap-funcs-default.yaml", e);
		assert_non_null(te = tree_find(&t4, path));
		assert_int_equal(te->len, len - 4);
		assert_memory_equal(te->data, want + 4, len - 4);
	}
	free(want);
	tree_release(&t1);
	tree_release(&t4);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__secret_flagged(void **state)
{
	struct config *cfg = S_load("basic/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	const struct tree_entry *e;

	(void)state;
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	assert_int_equal(plan_run(&t, &p, NULL, 0, NULL, &d), 0);
	assert_non_null(e = tree_find(&t, "clusters/prod/web/secret-web-creds.yaml"));
	assert_true(e->flags & TREE_SECRET);
	assert_non_null(e = tree_find(&t, "clusters/prod/web/service-web.yaml"));
	assert_false(e->flags & TREE_SECRET);
	tree_release(&t);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__subset_of_jobs(void **state)
{
	struct config *cfg = S_load("basic/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	size_t jobs[] = { 3 }, bad[] = { 4 };

	(void)state;
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	assert_int_equal(plan_run(&t, &p, jobs, 1, NULL, &d), 0);
	assert_int_equal(t.nroots, 1);
	assert_string_equal(t.roots[0], "clusters/prod/api");
	assert_int_equal(t.n, 3);
	tree_release(&t);
	assert_int_equal(plan_run(&t, &p, bad, 1, NULL, &d), DIAG_EINVALID);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__failing_job_gives_nothing(void **state)
{
	struct config *cfg = S_load("failing/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	assert_int_equal(p.n, 4);
	for (unsigned threads = 1; threads <= 4; threads += 3) {
		struct plan_run_opts o = { threads, NULL, NULL, NULL, NULL, NULL };
		assert_int_equal(plan_run(&t, &p, NULL, 0, &o, &d), DIAG_EEXEC);
		/* the first failing job in plan order, with Helm's words */
		assert_string_equal(d.msg.ptr, "bad/dev: execution error at (bad/templates/cm.yaml:4:11): "
					       "name is required");
		assert_int_equal(t.n, 0);
		assert_int_equal(t.nroots, 0);
	}
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__post_render_hook(void **state)
{
	struct config *cfg = S_load("hooks/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	const struct tree_entry *e;
	size_t len;
	char *want = tu_read_file(tu_testdata("gitops/hooks/reference/web-dev.yaml"), &len);

	(void)state;
	assert_non_null(want);
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	if (plan_run(&t, &p, NULL, 0, NULL, &d) < 0)
		fail_msg("plan_run: %s", d.msg.ptr);
	assert_int_equal(t.n, 1); /* split: false, provenance: false */
	assert_non_null(e = tree_find(&t, "dev/web/manifest.yaml"));
	assert_int_equal(e->len, len);
	assert_memory_equal(e->data, want, len);
	assert_true(e->flags & TREE_SECRET);
	free(want);
	tree_release(&t);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

/* The digest of a job's provenance file covers its hooks' scripts, and
 * watch's inputs list them: a changed script is a changed input even when
 * the bytes it writes are the same. */
static const char *S_inputs_digest(const char *cfgpath, struct config_list *inputs)
{
	static char digest[128];
	struct config *cfg = NULL;
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	const struct tree_entry *e;
	const char *at;

	if (config_load(&cfg, cfgpath, &d) < 0 || plan_build(&p, cfg, NULL, &d) < 0 ||
	    plan_run(&t, &p, NULL, 0, NULL, &d) < 0)
		fail_msg("%s", d.msg.ptr);
	assert_non_null(e = tree_find(&t, "dev/api/.hydrate/provenance.json"));
	assert_non_null(at = strstr(e->data, "\"inputsDigest\": \""));
	snprintf(digest, sizeof(digest), "%.71s", at + 16);
	if (inputs)
		assert_int_equal(plan_job_inputs(inputs, &p, 0, &d), 0);
	tree_release(&t);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
	return digest;
}

static void S_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_plan__hook_scripts_are_inputs(void **state)
{
	char dir[] = "/tmp/hydrate-test-plan-hook-XXXXXX", cfgpath[300], script[300];
	char hooks[300], text[1024], first[128];
	struct config_list in = CONFIG_LIST_INIT;
	int found = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	TU_FMT(cfgpath, "%s/hydrate.yaml", dir);
	TU_FMT(hooks, "%s/hooks", dir);
	TU_FMT(script, "%s/hooks/pass.sh", dir);
	assert_int_equal(mkdir(hooks, 0755), 0);
	S_write(script, "cat\n");
	TU_FMT(text, "apiVersion: hydrate/v1\nenvironments: [{name: dev}]\n"
	       "apps: [{name: api, kustomize: %s/gitops/basic/overlays/api/dev}]\n"
	       "hooks:\n  postRender:\n    - {name: pass, command: [sh, hooks/pass.sh]}\n",
	       TESTDATA_DIR);
	S_write(cfgpath, text);
	snprintf(first, sizeof(first), "%s", S_inputs_digest(cfgpath, &in));
	for (size_t i = 0; i < in.n; i++) {
		found |= !strcmp(in.items[i], script);
		free(in.items[i]);
	}
	free(in.items);
	assert_true(found);
	assert_string_equal(S_inputs_digest(cfgpath, NULL), first); /* stable */
	S_write(script, "cat # the same bytes out\n");
	assert_string_not_equal(S_inputs_digest(cfgpath, NULL), first);
	unlink(script);
	unlink(cfgpath);
	rmdir(hooks);
	rmdir(dir);
}

/* Renders cfgpath (with --local when local) and checks the job's number of
 * values files and that its Deployment holds want. */
static void S_check_local(const char *cfgpath, int local, size_t nvalues, const char *want)
{
	struct plan_filter f = { .local = local };
	struct config *cfg = NULL;
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	const struct tree_entry *e;

	if (config_load(&cfg, cfgpath, &d) < 0 || plan_build(&p, cfg, &f, &d) < 0 ||
	    plan_run(&t, &p, NULL, 0, NULL, &d) < 0)
		fail_msg("%s", d.msg.ptr);
	assert_int_equal(p.jobs[0].values_files.n, nvalues);
	assert_non_null(e = tree_find(&t, "dev/web/deployment-web.yaml"));
	if (!strstr(e->data, want))
		fail_msg("local=%d: no '%s' in\n%s", local, want, e->data);
	tree_release(&t);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

/* localValuesFiles: layered last, only with --local; a missing one is
 * skipped. */
static void test_plan__local_values_files(void **state)
{
	char dir[] = "/tmp/hydrate-test-plan-local-XXXXXX", cfgpath[300], local[300];
	char file[300], text[1024];

	(void)state;
	assert_non_null(mkdtemp(dir));
	TU_FMT(cfgpath, "%s/hydrate.yaml", dir);
	TU_FMT(local, "%s/local", dir);
	TU_FMT(file, "%s/local/web.yaml", dir);
	assert_int_equal(mkdir(local, 0755), 0);
	S_write(file, "replicaCount: 7\n");
	TU_FMT(text, "apiVersion: hydrate/v1\nenvironments:\n  - name: dev\n"
	       "    localValuesFiles: [\"local/{app}.yaml\", \"local/missing-{env}.yaml\"]\n"
	       "apps:\n  - name: web\n    chart: %s/gitops/basic/charts/web\n"
	       "    set: {replicaCount: 2}\n", TESTDATA_DIR);
	S_write(cfgpath, text);
	/* the local file only with --local, the missing one skipped; --set
	 * beats every values file, the local one too */
	S_check_local(cfgpath, 0, 0, "\n  replicas: 2\n");
	S_check_local(cfgpath, 1, 1, "\n  replicas: 2\n");
	/* without the --set, the local file's value wins over the chart's (1) */
	TU_FMT(text, "apiVersion: hydrate/v1\nenvironments:\n  - name: dev\n"
	       "    localValuesFiles: [\"local/{app}.yaml\"]\n"
	       "apps:\n  - name: web\n    chart: %s/gitops/basic/charts/web\n", TESTDATA_DIR);
	S_write(cfgpath, text);
	S_check_local(cfgpath, 0, 0, "\n  replicas: 1\n");
	S_check_local(cfgpath, 1, 1, "\n  replicas: 7\n");
	unlink(file);
	unlink(cfgpath);
	rmdir(local);
	rmdir(dir);
}

static void test_plan__disabled_and_empty(void **state)
{
	struct config *cfg = S_parse("apiVersion: hydrate/v1\n"
				     "environments: [{name: dev}, {name: prod}]\n"
				     "apps:\n"
				     "  - name: api\n"
				     "    kustomize: overlays/api/{env}\n"
				     "    environments: {dev: {enabled: false}}\n");
	struct plan p = PLAN_INIT;
	struct diag d = DIAG_INIT;
	struct tree t = TREE_INIT;
	const char *envs[] = { "dev" };
	struct plan_filter f = { NULL, 0, envs, 1, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	assert_int_equal(p.n, 1);
	S_job_is(&p, 0, "api", "prod");
	plan_release(&p);
	/* a filter that selects nothing is not an error; running it gives an empty tree */
	assert_int_equal(plan_build(&p, cfg, &f, &d), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(plan_run(&t, &p, NULL, 0, NULL, &d), 0);
	assert_int_equal(t.n, 0);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void test_plan__overlay_error(void **state)
{
	struct config *cfg = S_parse("apiVersion: hydrate/v1\n"
				     "environments: [{name: dev}]\n"
				     "apps: [{name: api, kustomize: overlays/api}]\n");
	struct plan p = PLAN_INIT;
	struct diag d = DIAG_INIT;
	struct tree t = TREE_INIT;

	/* a directory without a kustomization: Kustomize's error, at run time */

	(void)state;
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	assert_true(plan_run(&t, &p, NULL, 0, NULL, &d) < 0);
	assert_true(strncmp(d.msg.ptr, "api/dev: ", 9) == 0);
	assert_int_equal(t.n, 0);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void S_progress_never(void *arg, size_t done, size_t total)
{
	(void)arg;
	(void)done;
	(void)total;
	fail_msg("no job may run after a failed pre-render hook");
}

static void test_plan__two_jobs_one_path(void **state)
{
	struct config *cfg = S_parse("apiVersion: hydrate/v1\n"
				     "layout: {pathTemplate: \"{app}\", provenance: false}\n"
				     "environments: [{name: dev}, {name: prod}]\n"
				     "apps: [{name: api, kustomize: overlays/api/prod}]\n");
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	/* found when the plan is built, at the path template, both jobs named */
	assert_int_equal(plan_build(&p, cfg, NULL, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "hydrate.yaml:2:24: app 'api' in environment 'prod' "
			    "renders into 'api', as app 'api' in environment 'dev' does; give "
			    "them different path templates");
	assert_string_equal(d.context.ptr, "    layout: {pathTemplate: \"{app}\", provenance: "
			    "false}\n                           ^^^^^^^\n");
	assert_int_equal(p.n, 0);
	diag_release(&d);
	/* the tree still refuses a second root, should a plan hold one */
	assert_int_equal(plan_build(&p, cfg, &(struct plan_filter){ .envs = (const char *[]){
		"dev" }, .nenvs = 1 }, &d), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(tree_add_root(&t, "api", &d), 0);
	assert_int_equal(plan_run(&t, &p, NULL, 0, NULL, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "api/dev: path 'api' is rendered by two jobs");
	tree_release(&t);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

/* A chart, overlay or values file that does not exist is an error when the
 * plan is built, at the value in hydrate.yaml naming it; nothing runs. */
static void test_plan__missing_inputs(void **state)
{
	static const struct {
		const char *text, *msg, *caret;
	} cases[] = {
		{ "apps: [{name: web, chart: charts/nope}]\n",
		  "hydrate.yaml:3:27: app 'web' in environment 'dev': chart 'charts/nope' does not "
		  "exist", "                          ^^^^^^^^^^^\n" },
		{ "apps: [{name: api, kustomize: \"overlays/{app}/x{env}\"}]\n",
		  "hydrate.yaml:3:31: app 'api' in environment 'dev': overlay 'overlays/api/xdev' "
		  "does not exist", "                              ^^^^^^^^^^^^^^^^^^^^^^^\n" },
		{ "apps: [{name: api, kustomize: overlays/api/prod/kustomization.yaml}]\n",
		  "hydrate.yaml:3:31: app 'api' in environment 'dev': overlay "
		  "'overlays/api/prod/kustomization.yaml' is not a directory",
		  "                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n" },
		{ "apps:\n  - name: web\n    chart: charts/web\n    valuesFiles:\n"
		  "      - values/web-dev.yaml\n      - values/{env}.yaml\n",
		  "hydrate.yaml:8:9: app 'web' in environment 'dev': values file 'values/dev.yaml' "
		  "does not exist", "\n            ^^^^^^^^^^^^^^^^^\n" },
		{ "apps:\n  - name: web\n    chart: charts/web\n    environments:\n"
		  "      dev: {valuesFiles: [charts]}\n",
		  "hydrate.yaml:7:27: app 'web' in environment 'dev': values file 'charts' is a "
		  "directory", "\n" "                              ^^^^^^\n" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf text = BUF_INIT;
		struct plan p = PLAN_INIT;
		struct diag d = DIAG_INIT;
		struct config *cfg;

		buf_addf(&text, "apiVersion: hydrate/v1\nenvironments: [{name: dev}]\n%s",
			 cases[i].text);
		cfg = S_parse(text.ptr);
		assert_int_equal(plan_build(&p, cfg, NULL, &d), DIAG_EINVALID);
		assert_string_equal(d.msg.ptr, cases[i].msg);
		if (!strstr(d.context.ptr, cases[i].caret))
			fail_msg("case %zu: context\n%s", i, d.context.ptr);
		assert_int_equal(p.n, 0);
		/* deferred (watch): the plan builds; the check gives the same error */
		diag_release(&d);
		assert_int_equal(plan_build(&p, cfg, &(struct plan_filter){ .defer_input_check = 1 },
					    &d), 0);
		assert_int_equal(p.n, 1);
		assert_int_equal(plan_check_inputs(&p, NULL, 0, &d), DIAG_EINVALID);
		assert_string_equal(d.msg.ptr, cases[i].msg);
		plan_release(&p);
		config_free(cfg);
		diag_release(&d);
		buf_release(&text);
	}
}

static void test_plan__pre_render_hook_fails_first(void **state)
{
	struct config *cfg = S_parse("apiVersion: hydrate/v1\n"
				     "environments: [{name: dev}]\n"
				     "apps: [{name: api, kustomize: overlays/api/prod}]\n"
				     "hooks:\n"
				     "  preRender:\n"
				     "    - name: deps\n"
				     "      command: [sh, -c, 'test -f no-such-file || { echo missing >&2; exit 2; }']\n");
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	size_t last = 0;
	struct plan_run_opts o = { 1, NULL, NULL, S_progress_never, &last, NULL };

	(void)state;
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	assert_int_equal(plan_run(&t, &p, NULL, 0, &o, &d), DIAG_EEXEC);
	assert_string_equal(d.msg.ptr, "pre-render hook 'deps' exited with status 2");
	assert_string_equal(d.context.ptr, "    missing\n");
	assert_int_equal(t.n, 0);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

static void S_progress(void *arg, size_t done, size_t total)
{
	size_t *last = arg;

	assert_true(done > *last);
	assert_true(done <= total);
	*last = done;
}

static void test_plan__progress(void **state)
{
	struct config *cfg = S_load("basic/hydrate.yaml");
	struct plan p = PLAN_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	size_t last = 0;
	struct plan_run_opts o = { 2, NULL, NULL, S_progress, &last, NULL };

	(void)state;
	assert_int_equal(plan_build(&p, cfg, NULL, &d), 0);
	assert_int_equal(plan_run(&t, &p, NULL, 0, &o, &d), 0);
	assert_int_equal(last, 4);
	tree_release(&t);
	plan_release(&p);
	config_free(cfg);
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan__all_jobs_in_order),
		cmocka_unit_test(test_plan__filters),
		cmocka_unit_test(test_plan__local_reads_env_file),
		cmocka_unit_test(test_plan__unknown_names_did_you_mean),
		cmocka_unit_test(test_plan__shard),
		cmocka_unit_test(test_plan__parse_shard),
		cmocka_unit_test(test_plan__render_matches_reference),
		cmocka_unit_test(test_plan__threads_give_the_same_bytes),
		cmocka_unit_test(test_plan__threads_many_functions),
		cmocka_unit_test(test_plan__secret_flagged),
		cmocka_unit_test(test_plan__subset_of_jobs),
		cmocka_unit_test(test_plan__failing_job_gives_nothing),
		cmocka_unit_test(test_plan__post_render_hook),
		cmocka_unit_test(test_plan__progress),
		cmocka_unit_test(test_plan__two_jobs_one_path),
		cmocka_unit_test(test_plan__missing_inputs),
		cmocka_unit_test(test_plan__hook_scripts_are_inputs),
		cmocka_unit_test(test_plan__local_values_files),
		cmocka_unit_test(test_plan__disabled_and_empty),
		cmocka_unit_test(test_plan__overlay_error),
		cmocka_unit_test(test_plan__pre_render_hook_fails_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
