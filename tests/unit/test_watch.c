/*
 * gitops/watch.c: real files in a temporary directory, real inotify.
 * Expected paths are written by hand from gitops/watch.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitops/config.h"
#include "gitops/plan.h"
#include "gitops/watch.h"
#include "render/buf.h"
#include "render/diag.h"

/* Long enough for a loaded CI machine; a batch that should hold nothing
 * waits this long once. */
#define WAIT_MS 2000
#define QUIET_MS 150

struct fixture {
	char dir[64];
	struct watch *w;
	struct watch_changes ch;
	struct diag d;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct diag d = DIAG_INIT;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/hydrate-watch-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->d = d;
	setenv("WATCH_DIR", f->dir, 1);  /* for the shell commands of some tests */
	if (watch_new(&f->w, NULL, &f->d) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	watch_free(f->w);
	watch_changes_release(&f->ch);
	diag_release(&f->d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A path under the fixture's directory (static buffer, one of four). */
static const char *P(struct fixture *f, const char *rel)
{
	static char bufs[4][256];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, 256, "%s%s%s", f->dir, rel[0] ? "/" : "", rel);
	return b;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* Waits for one batch; returns it joined as "rel1 rel2 ..." relative to the
 * fixture's directory, or "" when nothing came within timeout_ms. */
static const char *batch(struct fixture *f, int timeout_ms)
{
	static char out[2048];
	size_t n = strlen(f->dir), len = 0;

	assert_int_equal(watch_wait(f->w, &f->ch, timeout_ms, -1, &f->d), 0);
	out[0] = '\0';
	for (size_t i = 0; i < f->ch.n; i++) {
		const char *p = f->ch.paths[i];

		assert_true(strncmp(p, f->dir, n) == 0);
		p += n;
		if (*p == '/')
			p++;
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", len ? " " : "",
					*p ? p : ".");
		assert_true(len < sizeof(out));
	}
	return out;
}

static void test_watch__normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/", "/" },
		{ "/a/b", "/a/b" },
		{ "//a///b/", "/a/b" },
		{ "/a/./b/.", "/a/b" },
		{ "/a/b/../c", "/a/c" },
		{ "/a/../../..", "/" },
		{ "/..", "/" },
		{ "/a/.b/..c", "/a/.b/..c" },
	};
	struct buf b = BUF_INIT;
	char cwd[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(watch_path_normalize(&b, cases[i].in, NULL), 0);
		assert_string_equal(b.ptr, cases[i].out);
	}
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(watch_path_normalize(&b, "x/./y/../z", NULL), 0);
	assert_int_equal(strncmp(b.ptr, cwd, strlen(cwd)), 0);
	assert_string_equal(b.ptr + strlen(cwd), strcmp(cwd, "/") ? "/x/z" : "x/z");
	assert_int_equal(watch_path_normalize(&b, ".", NULL), 0);
	assert_string_equal(b.ptr, cwd);
	buf_release(&b);
}

static void test_watch__within(void **state)
{
	(void)state;
	assert_true(watch_path_within("/a/b", "/a/b"));
	assert_true(watch_path_within("/a/b/c", "/a/b"));
	assert_false(watch_path_within("/a/bc", "/a/b"));
	assert_false(watch_path_within("/a", "/a/b"));
	assert_true(watch_path_within("/a", "/"));
	assert_true(watch_path_within("/", "/"));
}

static void test_watch__map_marks_jobs(void **state)
{
	struct watch_map m = WATCH_MAP_INIT;
	unsigned char mark[4];

	(void)state;
	assert_int_equal(watch_map_add(&m, "/repo/hydrate.yaml", 0, NULL), 0);
	assert_int_equal(watch_map_add(&m, "/repo/charts/web", 0, NULL), 0);
	assert_int_equal(watch_map_add(&m, "/repo/values/web/prod.yaml", 0, NULL), 0);
	assert_int_equal(watch_map_add(&m, "/repo/hydrate.yaml", 1, NULL), 0);
	assert_int_equal(watch_map_add(&m, "/repo/./charts/web/", 1, NULL), 0);
	assert_int_equal(watch_map_add(&m, "/repo/values/web/staging.yaml", 1, NULL), 0);
	assert_int_equal(watch_map_add(&m, "/repo/overlays/api/prod", 2, NULL), 0);
	assert_int_equal(watch_map_add(&m, "/repo/x", 9, NULL), 0); /* beyond njobs */

	memset(mark, 0, sizeof(mark));
	assert_int_equal(watch_map_mark(&m, "/repo/charts/web/templates/svc.yaml", mark, 4), 2);
	assert_memory_equal(mark, "\1\1\0\0", 4);
	memset(mark, 0, sizeof(mark));
	assert_int_equal(watch_map_mark(&m, "/repo/values/web/prod.yaml", mark, 4), 1);
	assert_memory_equal(mark, "\1\0\0\0", 4);
	/* already marked: not counted again */
	assert_int_equal(watch_map_mark(&m, "/repo/hydrate.yaml", mark, 4), 1);
	assert_memory_equal(mark, "\1\1\0\0", 4);
	/* a directory above an input (removed or renamed whole) */
	memset(mark, 0, sizeof(mark));
	assert_int_equal(watch_map_mark(&m, "/repo/overlays", mark, 4), 1);
	assert_memory_equal(mark, "\0\0\1\0", 4);
	/* a sibling that only shares a prefix */
	memset(mark, 0, sizeof(mark));
	assert_int_equal(watch_map_mark(&m, "/repo/charts/web2/x", mark, 4), 0);
	assert_int_equal(watch_map_mark(&m, "/repo/x", mark, 4), 0);
	assert_memory_equal(mark, "\0\0\0\0", 4);
	watch_map_release(&m);
	watch_map_release(&m);
}

static void test_watch__file_write_and_delete(void **state)
{
	struct fixture *f = *state;

	write_file(P(f, "values.yaml"), "a: 1\n");
	assert_int_equal(watch_add(f->w, P(f, "values.yaml"), &f->d), 0);
	assert_int_equal(watch_add(f->w, P(f, "values.yaml"), &f->d), 0); /* once */
	assert_int_equal(watch_count(f->w), 1);  /* the parent only */
	assert_string_equal(batch(f, QUIET_MS), "");
	write_file(P(f, "values.yaml"), "a: 2\n");
	assert_string_equal(batch(f, WAIT_MS), "values.yaml");
	/* a sibling nobody watches does not count */
	write_file(P(f, "other.yaml"), "b: 1\n");
	assert_string_equal(batch(f, QUIET_MS), "");
	assert_int_equal(unlink(P(f, "values.yaml")), 0);
	assert_string_equal(batch(f, WAIT_MS), "values.yaml");
	write_file(P(f, "values.yaml"), "a: 3\n");
	assert_string_equal(batch(f, WAIT_MS), "values.yaml");
}

/* vim (backupcopy=no), many IDEs: write a new file, rename it over the old. */
static void test_watch__replace_by_rename(void **state)
{
	struct fixture *f = *state;

	write_file(P(f, "values.yaml"), "a: 1\n");
	assert_int_equal(watch_add(f->w, P(f, "values.yaml"), &f->d), 0);
	for (int i = 0; i < 3; i++) {
		write_file(P(f, ".values.yaml.swp"), "a: 2\n");
		assert_int_equal(rename(P(f, ".values.yaml.swp"), P(f, "values.yaml")), 0);
		assert_string_equal(batch(f, WAIT_MS), "values.yaml");
	}
}

static void test_watch__missing_file_appears(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(watch_add(f->w, P(f, ".env"), &f->d), 0);
	write_file(P(f, ".env"), "TAG=1\n");
	assert_string_equal(batch(f, WAIT_MS), ".env");
}

static void test_watch__directory_recursive(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mkdir(P(f, "chart"), 0777), 0);
	assert_int_equal(mkdir(P(f, "chart/templates"), 0777), 0);
	write_file(P(f, "chart/Chart.yaml"), "name: c\n");
	write_file(P(f, "chart/templates/cm.yaml"), "x\n");
	assert_int_equal(watch_add(f->w, P(f, "chart"), &f->d), 0);
	assert_int_equal(watch_count(f->w), 3);  /* the parent, chart, templates */
	write_file(P(f, "chart/templates/cm.yaml"), "y\n");
	assert_string_equal(batch(f, WAIT_MS), "chart/templates/cm.yaml");
	/* a new subdirectory is watched as it appears */
	assert_int_equal(mkdir(P(f, "chart/charts"), 0777), 0);
	assert_string_equal(batch(f, WAIT_MS), "chart/charts");
	write_file(P(f, "chart/charts/sub.yaml"), "z\n");
	assert_string_equal(batch(f, WAIT_MS), "chart/charts/sub.yaml");
	/* files created in a new directory before its watch existed are found */
	assert_int_equal(system("d=$(mktemp -d) && mkdir -p $d/a/b && echo 1 > $d/a/b/f && "
				"mv $d/a \"$WATCH_DIR\"/chart/a && rmdir $d"), 0);
	assert_string_equal(batch(f, WAIT_MS), "chart/a chart/a/b chart/a/b/f");
	write_file(P(f, "chart/a/b/g"), "2\n");
	assert_string_equal(batch(f, WAIT_MS), "chart/a/b/g");
	/* removal */
	assert_int_equal(system("rm -r \"$WATCH_DIR\"/chart/a"), 0);
	assert_string_equal(batch(f, WAIT_MS), "chart/a chart/a/b chart/a/b/f chart/a/b/g");
}

static void test_watch__directory_replaced(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mkdir(P(f, "chart"), 0777), 0);
	write_file(P(f, "chart/Chart.yaml"), "name: c\n");
	assert_int_equal(watch_add(f->w, P(f, "chart"), &f->d), 0);
	/* the whole directory replaced by a rename (a checkout tool, a generator) */
	assert_int_equal(mkdir(P(f, "new"), 0777), 0);
	write_file(P(f, "new/Chart.yaml"), "name: d\n");
	assert_int_equal(system("rm -r \"$WATCH_DIR\"/chart && mv \"$WATCH_DIR\"/new "
				"\"$WATCH_DIR\"/chart"), 0);
	assert_string_equal(batch(f, WAIT_MS), "chart chart/Chart.yaml");
	/* the new directory is watched */
	write_file(P(f, "chart/Chart.yaml"), "name: e\n");
	assert_string_equal(batch(f, WAIT_MS), "chart/Chart.yaml");
	/* removed, then created again later */
	assert_int_equal(system("rm -r \"$WATCH_DIR\"/chart"), 0);
	assert_string_equal(batch(f, WAIT_MS), "chart chart/Chart.yaml");
	assert_int_equal(mkdir(P(f, "chart"), 0777), 0);
	assert_string_equal(batch(f, WAIT_MS), "chart");
	write_file(P(f, "chart/values.yaml"), "a: 1\n");
	assert_string_equal(batch(f, WAIT_MS), "chart/values.yaml");
}

static void test_watch__debounce_batches(void **state)
{
	struct fixture *f = *state;

	write_file(P(f, "a.yaml"), "1\n");
	write_file(P(f, "b.yaml"), "1\n");
	assert_int_equal(watch_add(f->w, P(f, "a.yaml"), &f->d), 0);
	assert_int_equal(watch_add(f->w, P(f, "b.yaml"), &f->d), 0);
	write_file(P(f, "b.yaml"), "2\n");
	write_file(P(f, "a.yaml"), "2\n");
	write_file(P(f, "b.yaml"), "3\n");
	assert_string_equal(batch(f, WAIT_MS), "a.yaml b.yaml");
	assert_string_equal(batch(f, QUIET_MS), "");
}

static void test_watch__wake_fd(void **state)
{
	struct fixture *f = *state;
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(watch_add(f->w, P(f, "a.yaml"), &f->d), 0);
	assert_int_equal(write(fds[1], "x", 1), 1);
	assert_int_equal(watch_wait(f->w, &f->ch, WAIT_MS, fds[0], &f->d), 0);
	assert_true(f->ch.woken);
	assert_int_equal(f->ch.n, 0);
	close(fds[0]);
	close(fds[1]);
}

static void test_watch__missing_parent(void **state)
{
	struct fixture *f = *state;

	/* not an error: retried after each batch */
	assert_int_equal(watch_add(f->w, P(f, "nope/values.yaml"), &f->d), 0);
	assert_int_equal(watch_add(f->w, P(f, "x.yaml"), &f->d), 0);
	assert_int_equal(mkdir(P(f, "nope"), 0777), 0);
	write_file(P(f, "x.yaml"), "1\n");
	assert_string_equal(batch(f, WAIT_MS), "x.yaml");
	write_file(P(f, "nope/values.yaml"), "1\n");
	assert_string_equal(batch(f, WAIT_MS), "nope/values.yaml");
}

static void test_watch__kustomize_inputs(void **state)
{
	struct fixture *f = *state;
	struct config_list l = CONFIG_LIST_INIT;
	char *joined;
	size_t n = strlen(f->dir);

	assert_int_equal(system("cd \"$WATCH_DIR\" && mkdir -p base comp common overlays/prod/local && "
				"printf 'resources:\\n- deployment.yaml\\n' > base/kustomization.yaml && "
				"printf 'kind: Component\\nresources: [../base]\\n' > comp/kustomization.yml && "
				"touch common/cm.yaml base/deployment.yaml && "
				"printf 'resources:\\n- ../../base\\n- ../../common/cm.yaml\\n- local\\n"
				"- https://github.com/x/y//z\\n- ../../missing\\n- svc.yaml\\n"
				"components: [../../comp]\\nbases: [../prod]\\n' "
				"> overlays/prod/kustomization.yaml && "
				"printf 'resources: [../../../base]\\n' > overlays/prod/local/Kustomization"),
			 0);
	assert_int_equal(watch_kustomize_inputs(&l, P(f, "overlays/prod"), &f->d), 0);
	joined = calloc(1, 4096);
	assert_non_null(joined);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(strncmp(l.items[i], f->dir, n), 0);
		strcat(joined, l.items[i] + n);
		strcat(joined, " ");
		free(l.items[i]);
	}
	free(l.items);
	/* in walk order: base (once), the outside file, local (inside, but a
	 * kustomization: listed; harmless), the component; not the URL, the
	 * missing path, the file inside the overlay, nor the overlay itself */
	assert_string_equal(joined, "/base /common/cm.yaml /overlays/prod/local /comp ");
	free(joined);
	/* no kustomization: nothing */
	memset(&l, 0, sizeof(l));
	assert_int_equal(watch_kustomize_inputs(&l, P(f, "common"), &f->d), 0);
	assert_int_equal(l.n, 0);
	free(l.items);
}

/* --shard 2/2 of (web, api) x (staging, prod): jobs 1 and 3 in plan order,
 * web/prod and api/prod; only their inputs are mapped and watched. */
static void test_watch__shard_watches_only_its_jobs(void **state)
{
	struct fixture *f = *state;
	struct config *cfg = NULL;
	struct plan p = PLAN_INIT;
	struct plan_filter flt;
	struct watch_map m = WATCH_MAP_INIT;
	unsigned char mark[2];

	assert_int_equal(system("cd \"$WATCH_DIR\" && mkdir -p charts/web/templates values base "
				"overlays/staging overlays/prod && "
				"printf 'apiVersion: v2\\nname: web\\nversion: 1.0.0\\n' > charts/web/Chart.yaml && "
				"printf 'resources:\\n- cm.yaml\\n' > base/kustomization.yaml && "
				"touch base/cm.yaml values/staging.yaml values/prod.yaml && "
				"printf 'resources:\\n- ../../base\\n' > overlays/staging/kustomization.yaml && "
				"printf 'resources:\\n- ../../base\\n' > overlays/prod/kustomization.yaml"), 0);
	write_file(P(f, "hydrate.yaml"),
		   "apiVersion: hydrate/v1\n"
		   "environments:\n  - name: staging\n  - name: prod\n"
		   "apps:\n"
		   "  - name: web\n    chart: charts/web\n    valuesFiles:\n      - values/{env}.yaml\n"
		   "  - name: api\n    kustomize: overlays/{env}\n");
	assert_int_equal(config_load(&cfg, P(f, "hydrate.yaml"), &f->d), 0);
	memset(&flt, 0, sizeof(flt));
	flt.shard_index = 2;
	flt.shard_count = 2;
	assert_int_equal(plan_build(&p, cfg, &flt, &f->d), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.jobs[0].app->name, "web");
	assert_string_equal(p.jobs[0].env->name, "prod");
	assert_string_equal(p.jobs[1].app->name, "api");
	assert_string_equal(p.jobs[1].env->name, "prod");
	assert_int_equal(watch_add_plan(f->w, &m, &p, &f->d), 0);
	/* the map: another shard's inputs mark nothing */
	memset(mark, 0, sizeof(mark));
	assert_int_equal(watch_map_mark(&m, P(f, "values/staging.yaml"), mark, 2), 0);
	assert_int_equal(watch_map_mark(&m, P(f, "overlays/staging/kustomization.yaml"), mark, 2), 0);
	assert_memory_equal(mark, "\0\0", 2);
	assert_int_equal(watch_map_mark(&m, P(f, "values/prod.yaml"), mark, 2), 1);
	assert_memory_equal(mark, "\1\0", 2);
	assert_int_equal(watch_map_mark(&m, P(f, "base/cm.yaml"), mark, 2), 1);
	assert_memory_equal(mark, "\1\1", 2);
	/* the watch: a save to another shard's values file is not even seen */
	write_file(P(f, "values/staging.yaml"), "replicas: 2\n");
	write_file(P(f, "overlays/staging/kustomization.yaml"), "resources: []\n");
	assert_string_equal(batch(f, QUIET_MS), "");
	write_file(P(f, "values/prod.yaml"), "replicas: 5\n");
	assert_string_equal(batch(f, WAIT_MS), "values/prod.yaml");
	watch_map_release(&m);
	plan_release(&p);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch__normalize),
		cmocka_unit_test(test_watch__within),
		cmocka_unit_test(test_watch__map_marks_jobs),
		cmocka_unit_test_setup_teardown(test_watch__file_write_and_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch__replace_by_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch__missing_file_appears, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch__directory_recursive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch__directory_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch__debounce_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch__wake_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch__missing_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch__kustomize_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch__shard_watches_only_its_jobs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
