/*
 * gitops/tree.c: the rendered tree in memory, provenance, writing into a
 * directory.
 *
 * Digests were computed with Python's hashlib over the framing the header
 * documents (big-endian u64 name length, name, u64 data length, data), not
 * with this code; provenance bytes and file layouts are written by hand from
 * gitops/tree.h.
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

#include "gitops/tree.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/manifest.h"
#include "render/srcfile.h"
#include "testutil.h"

static void test_tree__sorted_and_find(void **state)
{
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(tree_add(&t, "b/x.yaml", "1", 1, 0, &d), 0);
	assert_int_equal(tree_add(&t, "a/z.yaml", "22", 2, TREE_SECRET, &d), 0);
	assert_int_equal(tree_add(&t, "a/y.yaml", "", 0, 0, &d), 0);
	assert_int_equal(tree_add(&t, "a-b", "\0x", 2, 0, &d), 0);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.entries[0].path, "a-b");
	assert_string_equal(t.entries[1].path, "a/y.yaml");
	assert_string_equal(t.entries[2].path, "a/z.yaml");
	assert_string_equal(t.entries[3].path, "b/x.yaml");
	assert_int_equal(tree_find(&t, "a/z.yaml")->flags, TREE_SECRET);
	assert_int_equal(tree_find(&t, "a-b")->len, 2);
	assert_null(tree_find(&t, "a"));
	assert_int_equal(tree_add(&t, "a/y.yaml", "", 0, 0, &d), DIAG_ECONFLICT);
	assert_string_equal(d.msg.ptr, "'a/y.yaml' is rendered twice");
	tree_release(&t);
	tree_release(&t);
	diag_release(&d);
}

static void test_tree__bad_paths(void **state)
{
	static const struct {
		const char *path, *msg;
	} cases[] = {
		{ "", "empty path in the rendered tree" },
		{ "/etc/x", "absolute path '/etc/x' in the rendered tree" },
		{ "a/../b", "path 'a/../b' has an empty, '.' or '..' component" },
		{ "a//b", "path 'a//b' has an empty, '.' or '..' component" },
		{ "./a", "path './a' has an empty, '.' or '..' component" },
		{ "..", "path '..' has an empty, '.' or '..' component" },
		{ "a/.git/config", "path 'a/.git/config' enters '.git'" },
		{ "a/", "path 'a/' ends with '/'" },
	};
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(tree_add(&t, cases[i].path, "x", 1, 0, &d), DIAG_EINVALID);
		assert_string_equal(d.msg.ptr, cases[i].msg);
	}
	assert_int_equal(t.n, 0);
	assert_int_equal(tree_check_path("a/..b/.gitx/c..", &d), 0);
	diag_release(&d);
}

static void split(struct manifest_set *set, const char *text)
{
	struct srcfile src = SRCFILE_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(srcfile_set(&src, "s.yaml", text, strlen(text)), 0);
	assert_int_equal(manifest_split(set, &src, YDOC_KUSTOMIZE, &d), 0);
	srcfile_release(&src);
	diag_release(&d);
}

#define STREAM "kind: Service\nmetadata: {name: web}\n---\nkind: Secret\nmetadata: {name: db}\n"

static void test_tree__manifests(void **state)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	const struct tree_entry *e;

	(void)state;
	split(&set, STREAM);
	assert_int_equal(tree_add_manifests(&t, "clusters/prod/web", &set, 1, &d), 0);
	assert_int_equal(tree_add_manifests(&t, "clusters/dev/web", &set, 0, &d), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.entries[0].path, "clusters/dev/web/manifest.yaml");
	assert_string_equal(t.entries[0].data, "---\nkind: Service\nmetadata: {name: web}\n"
			    "---\nkind: Secret\nmetadata: {name: db}\n");
	assert_int_equal(t.entries[0].flags, TREE_SECRET);
	e = tree_find(&t, "clusters/prod/web/secret-db.yaml");
	assert_non_null(e);
	assert_int_equal(e->flags, TREE_SECRET);
	e = tree_find(&t, "clusters/prod/web/service-web.yaml");
	assert_non_null(e);
	assert_int_equal(e->flags, 0);
	assert_string_equal(e->data, "kind: Service\nmetadata: {name: web}\n");
	assert_int_equal(t.nroots, 2);
	assert_string_equal(t.roots[0], "clusters/dev/web");
	assert_int_equal(tree_add_manifests(&t, "clusters/prod/web", &set, 1, &d), DIAG_ECONFLICT);
	assert_string_equal(d.msg.ptr, "path 'clusters/prod/web' is rendered by two jobs");
	assert_int_equal(tree_add_manifests(&t, "../x", &set, 1, &d), DIAG_EINVALID);
	manifest_set_release(&set);
	tree_release(&t);
	diag_release(&d);
}

static void test_tree__digest(void **state)
{
	struct tree_digest dg;
	char out[80];

	(void)state;
	assert_int_equal(tree_digest_init(&dg), 0);
	tree_digest_add(&dg, "values.yaml", "a: 1\n", 5);
	tree_digest_add(&dg, "set", "x=y", 3);
	assert_int_equal(tree_digest_final(&dg, out, sizeof(out)), 0);
	assert_string_equal(out, "sha256:b6c25383d9a883bf785ceecd898b3ccc0cb995881b9d3c6e7fd86376"
			    "6ce73462");
	assert_int_equal(tree_digest_init(&dg), 0);
	assert_int_equal(tree_digest_final(&dg, out, sizeof(out)), 0);
	assert_string_equal(out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
			    "7852b855");
	assert_int_equal(tree_digest_init(&dg), 0);
	tree_digest_add(&dg, "", "", 0);
	assert_int_equal(tree_digest_final(&dg, out, sizeof(out)), 0);
	assert_string_equal(out, "sha256:374708fff7719dd5979ec875d56cd2286f6d3cf7ec317a3b25632aab"
			    "28ec37bb");
	assert_int_equal(tree_digest_init(&dg), 0);
	assert_int_not_equal(tree_digest_final(&dg, out, 10), 0);
}

static void test_tree__provenance(void **state)
{
	const struct tree_provenance p = { "web", "prod", "https://git.example/src.git", NULL,
					   "0.1.0", "sha256:00" };
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	const struct tree_entry *e;

	(void)state;
	assert_int_equal(tree_add_provenance(&t, "clusters/prod/web", &p, &d), 0);
	e = tree_find(&t, "clusters/prod/web/.hydrate/provenance.json");
	assert_non_null(e);
	assert_string_equal(e->data, "{\n"
			    "  \"app\": \"web\",\n"
			    "  \"environment\": \"prod\",\n"
			    "  \"hydrateVersion\": \"0.1.0\",\n"
			    "  \"inputsDigest\": \"sha256:00\",\n"
			    "  \"source\": {\n"
			    "    \"commit\": null,\n"
			    "    \"repository\": \"https://git.example/src.git\"\n"
			    "  }\n"
			    "}\n");
	tree_release(&t);
	diag_release(&d);
}

/* ---- writing ---- */

static char tmpdir[256];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (char *p = path + strlen(tmpdir) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0777);
			*p = '/';
		}
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	return tu_read_file(path, NULL);
}

static int exists(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	return lstat(path, &st) == 0;
}

/* Files under dir (recursively) whose name holds ".hydrate-": temporaries. */
static int count_temps(const char *dir)
{
	struct dirent *ent;
	DIR *dp = opendir(dir);
	int n = 0;

	if (!dp)
		return 0;
	while ((ent = readdir(dp)) != NULL) {
		char sub[1024];
		struct stat st;
		if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, ent->d_name);
		if (strstr(ent->d_name, ".hydrate-"))
			n++;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			n += count_temps(sub);
	}
	closedir(dp);
	return n;
}

static void rm_rf(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hydrate-test-tree-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	rm_rf(tmpdir);
	return 0;
}

static void test_tree__write_prunes_managed_only(void **state)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	struct tree_write_stats st;
	char *text;

	(void)state;
	put("README.md", "keep me\n");
	put("clusters/prod/other/keep.yaml", "other app\n");
	put("clusters/prod/web/old.yaml", "stale\n");
	put("clusters/prod/web/sub/stale.yaml", "stale\n");
	put("clusters/prod/web/service-web.yaml", "kind: Service\nmetadata: {name: web}\n");
	put("clusters/prod/web-extra/keep.yaml", "a sibling with a common prefix\n");
	split(&set, STREAM);
	assert_int_equal(tree_add_manifests(&t, "clusters/prod/web", &set, 1, &d), 0);
	assert_int_equal(tree_add_manifests(&t, "clusters/dev/web", &set, 0, &d), 0);

	assert_int_equal(tree_write(&t, tmpdir, &st, &d), 0);
	assert_int_equal(st.written, 2);   /* secret-db.yaml, dev manifest.yaml */
	assert_int_equal(st.unchanged, 1); /* service-web.yaml */
	assert_int_equal(st.removed, 2);   /* old.yaml, sub/stale.yaml */
	assert_false(exists("clusters/prod/web/old.yaml"));
	assert_false(exists("clusters/prod/web/sub"));
	assert_true(exists("README.md"));
	assert_true(exists("clusters/prod/other/keep.yaml"));
	assert_true(exists("clusters/prod/web-extra/keep.yaml"));
	text = get("clusters/prod/web/secret-db.yaml");
	assert_string_equal(text, "kind: Secret\nmetadata: {name: db}\n");
	free(text);
	text = get("clusters/dev/web/manifest.yaml");
	assert_string_equal(text, "---\nkind: Service\nmetadata: {name: web}\n---\n"
			    "kind: Secret\nmetadata: {name: db}\n");
	free(text);
	assert_int_equal(count_temps(tmpdir), 0);

	/* a rerun changes nothing */
	assert_int_equal(tree_write(&t, tmpdir, &st, &d), 0);
	assert_int_equal(st.written, 0);
	assert_int_equal(st.unchanged, 3);
	assert_int_equal(st.removed, 0);
	manifest_set_release(&set);
	tree_release(&t);
	diag_release(&d);
}

static void test_tree__write_nothing_on_failure(void **state)
{
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	char path[512];

	(void)state;
	put("r/b.yaml/x", "a directory where a file should go\n");
	put("r/stale.yaml", "stale\n");
	assert_int_equal(tree_add_root(&t, "r", &d), 0);
	assert_int_equal(tree_add(&t, "r/a.yaml", "new\n", 4, 0, &d), 0);
	assert_int_equal(tree_add(&t, "r/b.yaml", "new\n", 4, 0, &d), 0);
	assert_int_equal(tree_write(&t, tmpdir, NULL, &d), DIAG_EINVALID);
	snprintf(path, sizeof(path), "'%s/r/b.yaml' exists and is not a regular file", tmpdir);
	assert_string_equal(d.msg.ptr, path);
	assert_false(exists("r/a.yaml"));
	assert_true(exists("r/stale.yaml"));
	assert_int_equal(count_temps(tmpdir), 0);
	tree_release(&t);
	diag_release(&d);
}

static void test_tree__write_refuses_symlinks(void **state)
{
	struct tree t = TREE_INIT;
	struct diag d = DIAG_INIT;
	char target[512], link[512], msg[600];

	(void)state;
	put("outside/precious.yaml", "do not touch\n");
	snprintf(target, sizeof(target), "%s/outside", tmpdir);
	snprintf(link, sizeof(link), "%s/apps", tmpdir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(tree_add_root(&t, "apps/web", &d), 0);
	assert_int_equal(tree_add(&t, "apps/web/a.yaml", "x\n", 2, 0, &d), 0);
	assert_int_equal(tree_write(&t, tmpdir, NULL, &d), DIAG_EINVALID);
	snprintf(msg, sizeof(msg), "refusing to write through the symbolic link '%s'", link);
	assert_string_equal(d.msg.ptr, msg);
	assert_true(exists("outside/precious.yaml"));
	assert_false(exists("outside/web"));
	tree_release(&t);
	diag_release(&d);
}

static void test_tree__digest_path(void **state)
{
	struct tree_digest dg;
	struct diag d = DIAG_INIT;
	char chart[512], values[512], link[512], out[80];

	(void)state;
	put("chart/Chart.yaml", "name: c\n");
	put("chart/templates/a.yaml", "x\n");
	put("chart/.git/config", "not an input\n");
	put("values.yaml", "a: 1\n");
	snprintf(chart, sizeof(chart), "%s/chart", tmpdir);
	snprintf(values, sizeof(values), "%s/values.yaml", tmpdir);
	snprintf(link, sizeof(link), "%s/chart/link", tmpdir);
	assert_int_equal(symlink("Chart.yaml", link), 0);
	assert_int_equal(tree_digest_init(&dg), 0);
	assert_int_equal(tree_digest_path(&dg, "chart", chart, &d), 0);
	assert_int_equal(tree_digest_path(&dg, "values.yaml", values, &d), 0);
	assert_int_equal(tree_digest_final(&dg, out, sizeof(out)), 0);
	assert_string_equal(out, "sha256:8f97c69e99c801415200caef2baa8d390e4e0f92a8fa48d6f6c9eed6"
			    "5673c705");
	assert_int_equal(tree_digest_init(&dg), 0);
	snprintf(values, sizeof(values), "%s/absent", tmpdir);
	assert_int_equal(tree_digest_path(&dg, "x", values, &d), DIAG_ENOTFOUND);
	tree_digest_release(&dg);
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree__sorted_and_find),
		cmocka_unit_test(test_tree__bad_paths),
		cmocka_unit_test(test_tree__manifests),
		cmocka_unit_test(test_tree__digest),
		cmocka_unit_test(test_tree__provenance),
		cmocka_unit_test_setup_teardown(test_tree__write_prunes_managed_only, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_tree__write_nothing_on_failure, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_tree__write_refuses_symlinks, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_tree__digest_path, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
