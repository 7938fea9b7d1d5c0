/*
 * gitops/diff, gitops/textdiff, the reports. Expected text diffs come from
 * git (testdata/diff/text/gen.sh runs `git diff --no-index`, git 2.39);
 * expected reports (testdata/diff/report/) and field lists were written by
 * hand; digests are checked against sha256sum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitops/diff.h"
#include "gitops/git.h"
#include "gitops/textdiff.h"
#include "gitops/tree.h"
#include "render/buf.h"
#include "render/diag.h"
#include "testutil.h"

static const unsigned char S_salt[] = "test-salt";
#define S_SALT_LEN (sizeof(S_salt) - 1)

/* ---- text diff against git ---- */

static void test_diff__text_matches_git(void **state)
{
	char dir[PATH_MAX];
	DIR *dh;
	struct dirent *de;
	size_t cases = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tu_testdata("diff/text"));
	dh = opendir(dir);
	assert_non_null(dh);
	while ((de = readdir(dh))) {
		char path[PATH_MAX + 300];
		char *a, *b, *want;
		size_t alen = 0, blen = 0, wlen = 0;
		struct buf out = BUF_INIT;
		struct textdiff_stats st;

		if (de->d_name[0] == '.' || strstr(de->d_name, ".sh"))
			continue;
		snprintf(path, sizeof(path), "%s/%s/old", dir, de->d_name);
		a = tu_read_file(path, &alen);
		snprintf(path, sizeof(path), "%s/%s/new", dir, de->d_name);
		b = tu_read_file(path, &blen);
		snprintf(path, sizeof(path), "%s/%s/expected.diff", dir, de->d_name);
		want = tu_read_file(path, &wlen);
		assert_non_null(want);
		assert_int_equal(textdiff_unified(&out, a, alen, b, blen, a ? "a/old" : "/dev/null",
						  b ? "b/new" : "/dev/null", -1, &st), 0);
		if (out.len != wlen || memcmp(out.ptr, want, wlen)) {
			fprintf(stderr, "case %s:\n--- want\n%s--- got\n%s", de->d_name, want,
				out.ptr);
			fail();
		}
		buf_release(&out);
		free(a);
		free(b);
		free(want);
		cases++;
	}
	closedir(dh);
	assert_true(cases >= 17);
}

static void test_diff__text_equal_and_binary(void **state)
{
	struct buf out = BUF_INIT;
	struct textdiff_stats st;

	(void)state;
	assert_int_equal(textdiff_unified(&out, "a\n", 2, "a\n", 2, "a/x", "b/x", -1, &st), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(textdiff_unified(&out, "a\0b", 3, "a\0c", 3, "a/x", "b/x", -1, &st), 0);
	assert_string_equal(out.ptr, "Binary files a/x and b/x differ\n");
	assert_int_equal(st.binary, 1);
	buf_reset(&out);
	/* An empty file is not an absent one. */
	assert_int_equal(textdiff_unified(&out, NULL, 0, "", 0, "/dev/null", "b/x", -1, &st), 0);
	assert_int_equal(out.len, 0);
	/* Context 0 and 1. */
	assert_int_equal(textdiff_unified(&out, "a\nb\nc\n", 6, "a\nB\nc\n", 6, "a/x", "b/x",
					  0, &st), 0);
	assert_string_equal(out.ptr, "--- a/x\n+++ b/x\n@@ -2 +2 @@ a\n-b\n+B\n");
	buf_release(&out);
}

/* ---- helpers ---- */

static void S_tree_add(struct tree *t, const char *path, const char *data, unsigned flags)
{
	assert_int_equal(tree_add(t, path, data, strlen(data), flags, NULL), 0);
}

static void S_old_add(struct repo_files *f, const char *path, const char *data)
{
	assert_int_equal(repo_files_add(f, path, data, strlen(data), REPO_FILE_BLOB), 0);
}

static void S_diff(struct diff_result *r, const struct tree *t, struct repo_files *old)
{
	struct diff_opts o = { S_salt, S_SALT_LEN, -1 };
	struct diag d = DIAG_INIT;

	repo_files_sort(old);
	assert_int_equal(diff_trees(r, t, old, &o, &d), 0);
	diag_release(&d);
}

/* The fields of the one changed resource, one "STATUS PATH" line each. */
static char *S_fields(const struct diff_result *r, size_t file)
{
	struct buf b = BUF_INIT;

	assert_true(file < r->n);
	for (size_t k = 0; k < r->files[file].nresources; k++) {
		const struct diff_resource *res = &r->files[file].resources[k];

		buf_addf(&b, "%s %s/%s\n", diff_status_name(res->status), res->kind, res->name);
		for (size_t m = 0; m < res->nfields; m++)
			buf_addf(&b, "  %s %s\n", diff_status_name(res->fields[m].status),
				 res->fields[m].path);
	}
	return buf_detach(&b, NULL);
}

/* ---- semantic diff ---- */

static void test_diff__lists_by_name(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	char *got;

	(void)state;
	assert_int_equal(tree_add_root(&t, "app", NULL), 0);
	/* The containers are reordered and one changes: matched by name, not
	 * position. env items too; ports have no names: by index. */
	S_old_add(&old, "app/deploy.yaml",
		  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
		  "spec:\n  template:\n    spec:\n      containers:\n"
		  "      - name: web\n        image: web:1\n        env:\n"
		  "        - {name: A, value: '1'}\n        - {name: B, value: '2'}\n"
		  "      - name: side\n        image: side:1\n"
		  "        ports:\n        - containerPort: 80\n        - containerPort: 81\n");
	S_tree_add(&t, "app/deploy.yaml",
		   "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
		   "spec:\n  template:\n    spec:\n      containers:\n"
		   "      - name: side\n        image: side:1\n"
		   "        ports:\n        - containerPort: 80\n        - containerPort: 8081\n"
		   "        - containerPort: 82\n"
		   "      - name: web\n        image: web:2\n        env:\n"
		   "        - {name: B, value: '2'}\n        - {name: C, value: '3'}\n", 0);
	S_diff(&r, &t, &old);
	assert_int_equal(r.n, 1);
	got = S_fields(&r, 0);
	assert_string_equal(got,
		"changed Deployment/web\n"
		"  changed spec.template.spec.containers[name=side].ports[1].containerPort\n"
		"  added spec.template.spec.containers[name=side].ports[2]\n"
		"  changed spec.template.spec.containers[name=web].image\n"
		"  added spec.template.spec.containers[name=web].env[name=C]\n"
		"  removed spec.template.spec.containers[name=web].env[name=A]\n");
	free(got);
	/* The values are kept, with their YAML 1.2 types. */
	assert_int_equal(json_integer_value(r.files[0].resources[0].fields[0].old_value), 81);
	assert_int_equal(json_integer_value(r.files[0].resources[0].fields[0].new_value), 8081);
	diff_result_release(&r);
	repo_files_release(&old);
	tree_release(&t);
}

static void test_diff__nested_maps_types_and_keys(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	char *got;
	const struct diff_field *f;

	(void)state;
	assert_int_equal(tree_add_root(&t, "app", NULL), 0);
	S_old_add(&old, "app/cm.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
		  "  labels:\n    app.kubernetes.io/name: x\n    keep: k\n"
		  "data:\n  port: \"80\"\n  n: 1\n  list: [a, b]\n  deep: {a: {b: {c: 1}}}\n");
	/* Key order does not count; "80" -> 80 and 1 -> 1.5 are type changes;
	 * a sequence becomes a mapping. */
	S_tree_add(&t, "app/cm.yaml",
		   "kind: ConfigMap\napiVersion: v1\nmetadata:\n"
		   "  labels:\n    keep: k\n    app.kubernetes.io/name: y\n  name: cm\n"
		   "data:\n  port: 80\n  n: 1.5\n  list: {a: b}\n  deep: {a: {b: {c: 2, d: 3}}}\n",
		   0);
	S_diff(&r, &t, &old);
	got = S_fields(&r, 0);
	assert_string_equal(got,
		"changed ConfigMap/cm\n"
		"  changed metadata.labels[\"app.kubernetes.io/name\"]\n"
		"  changed data.port\n"
		"  changed data.n\n"
		"  changed data.list\n"
		"  changed data.deep.a.b.c\n"
		"  added data.deep.a.b.d\n");
	free(got);
	f = &r.files[0].resources[0].fields[1];
	assert_true(json_is_string(f->old_value));
	assert_true(json_is_integer(f->new_value));
	f = &r.files[0].resources[0].fields[2];
	assert_true(json_is_integer(f->old_value));
	assert_true(json_is_real(f->new_value));
	diff_result_release(&r);
	repo_files_release(&old);
	tree_release(&t);
}

static void test_diff__resources_added_removed_in_one_file(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	char *got;

	(void)state;
	assert_int_equal(tree_add_root(&t, "a/b", NULL), 0);
	S_old_add(&old, "a/b/manifest.yaml",
		  "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n"
		  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone}\n");
	/* Outside the managed root: never compared. */
	S_old_add(&old, "a/other/x.yaml", "kind: X\n");
	S_old_add(&old, "a/bb/x.yaml", "kind: X\n");
	S_tree_add(&t, "a/b/manifest.yaml",
		   "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n"
		   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new, namespace: ns}\n", 0);
	S_diff(&r, &t, &old);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.files[0].path, "a/b/manifest.yaml");
	assert_string_equal(r.files[0].root, "a/b");
	got = S_fields(&r, 0);
	assert_string_equal(got, "added ConfigMap/new\nremoved ConfigMap/gone\n");
	free(got);
	assert_string_equal(r.files[0].resources[0].namespace, "ns");
	diff_result_release(&r);
	repo_files_release(&old);
	tree_release(&t);
}

static void test_diff__unparsed_and_no_difference(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(tree_add_root(&t, "x", NULL), 0);
	S_old_add(&old, "x/a.yaml", "a: [\n");
	S_tree_add(&t, "x/a.yaml", "a: 1\n", 0);
	S_old_add(&old, "x/same.yaml", "a: 1\n");
	S_tree_add(&t, "x/same.yaml", "a: 1\n", 0);
	S_diff(&r, &t, &old);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.unchanged, 1);
	assert_true(r.files[0].flags & DIFF_FILE_UNPARSED);
	assert_int_equal(r.files[0].nresources, 0);
	assert_string_equal(r.files[0].text, "--- a/x/a.yaml\n+++ b/x/a.yaml\n@@ -1 +1 @@\n"
					     "-a: [\n+a: 1\n");
	diff_result_release(&r);
	/* Nothing differs. */
	repo_files_release(&old);
	S_old_add(&old, "x/a.yaml", "a: 1\n");
	S_old_add(&old, "x/same.yaml", "a: 1\n");
	S_diff(&r, &t, &old);
	assert_false(diff_result_differs(&r));
	assert_int_equal(diff_summary(&out, &r), 0);
	assert_string_equal(out.ptr, "no differences (2 files unchanged)");
	diff_result_release(&r);
	buf_release(&out);
	repo_files_release(&old);
	tree_release(&t);
}

static void test_diff__plain_documents(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	struct buf out = BUF_INIT;
	char *got;

	(void)state;
	assert_int_equal(tree_add_root(&t, "p", NULL), 0);
	/* JSON is YAML: a provenance file's change is a field change of a
	 * document that is no resource; an added one lists no resource. */
	S_old_add(&old, "p/.hydrate/provenance.json", "{\n  \"inputsDigest\": \"sha256:a\"\n}\n");
	S_tree_add(&t, "p/.hydrate/provenance.json", "{\n  \"inputsDigest\": \"sha256:b\"\n}\n", 0);
	S_tree_add(&t, "p/plain.yaml", "a: 1\n", 0);
	S_diff(&r, &t, &old);
	assert_int_equal(r.n, 2);
	got = S_fields(&r, 0);
	assert_string_equal(got, "changed /\n  changed inputsDigest\n");
	free(got);
	assert_int_equal(r.files[1].nresources, 0);
	assert_int_equal(diff_report(&out, &r, DIFF_FORMAT_TEXT, 0, NULL), 0);
	assert_non_null(strstr(out.ptr, "changed  p/.hydrate/provenance.json\n  ~ (document)\n"
				    "      ~ inputsDigest: \"sha256:a\" -> \"sha256:b\"\n"));
	assert_non_null(strstr(out.ptr, "added    p/plain.yaml\n--- /dev/null\n"));
	diff_result_release(&r);
	buf_release(&out);
	repo_files_release(&old);
	tree_release(&t);
}

/* ---- reports ---- */

static void S_report_case(struct diff_result *r, struct tree *t, struct repo_files *old)
{
	assert_int_equal(tree_add_root(t, "prod/web", NULL), 0);
	assert_int_equal(tree_add_root(t, "staging/web", NULL), 0);
	S_old_add(old, "prod/web/configmap-cfg.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: \"1\"\n");
	S_tree_add(t, "prod/web/configmap-cfg.yaml",
		   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: \"2\"\n", 0);
	S_old_add(old, "prod/web/configmap-old.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n");
	S_tree_add(t, "prod/web/service-web.yaml",
		   "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: prod\n", 0);
	S_old_add(old, "prod/web/same.yaml", "kind: X\n");
	S_tree_add(t, "prod/web/same.yaml", "kind: X\n", 0);
	S_old_add(old, "staging/web/same.yaml", "kind: Y\n");
	S_tree_add(t, "staging/web/same.yaml", "kind: Y\n", 0);
	S_old_add(old, "elsewhere/file.yaml", "kind: Z\n");
	S_diff(r, t, old);
}

static void S_check_report(const struct diff_result *r, enum diff_format f, const char *file)
{
	struct buf out = BUF_INIT;
	char *want;

	assert_int_equal(diff_report(&out, r, f, 0, NULL), 0);
	want = tu_read_file(tu_testdata(file), NULL);
	assert_non_null(want);
	if (strcmp(out.ptr, want)) {
		fprintf(stderr, "%s:\n--- want\n%s--- got\n%s", file, want, out.ptr);
		fail();
	}
	free(want);
	buf_release(&out);
}

static void test_diff__report_formats(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	enum diff_format f;

	(void)state;
	S_report_case(&r, &t, &old);
	S_check_report(&r, DIFF_FORMAT_TEXT, "diff/report/expected.txt");
	S_check_report(&r, DIFF_FORMAT_MARKDOWN, "diff/report/expected.md");
	S_check_report(&r, DIFF_FORMAT_JSON, "diff/report/expected.json");
	assert_int_equal(diff_format_parse(&f, "md"), 0);
	assert_int_equal(f, DIFF_FORMAT_MARKDOWN);
	assert_int_equal(diff_format_parse(&f, "yaml"), -1);
	diff_result_release(&r);
	repo_files_release(&old);
	tree_release(&t);
}

static void test_diff__report_color(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	struct buf out = BUF_INIT;

	(void)state;
	S_report_case(&r, &t, &old);
	assert_int_equal(diff_report(&out, &r, DIFF_FORMAT_TEXT, 1, NULL), 0);
	/* git's colours: hunk header cyan with the function line plain. */
	assert_non_null(strstr(out.ptr, "\033[36m@@ -3,4 +3,4 @@\033[m kind: ConfigMap\n"));
	assert_non_null(strstr(out.ptr, "\033[31m-  a: \"1\"\033[m\n"));
	assert_non_null(strstr(out.ptr, "\033[32m+  a: \"2\"\033[m\n"));
	assert_non_null(strstr(out.ptr, "\033[1m--- a/prod/web/configmap-cfg.yaml\033[m\n"));
	diff_result_release(&r);
	buf_release(&out);
	repo_files_release(&old);
	tree_release(&t);
}

static void test_diff__markdown_fits_a_comment(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	struct buf out = BUF_INIT, big = BUF_INIT, path = BUF_INIT;

	(void)state;
	assert_int_equal(tree_add_root(&t, "m", NULL), 0);
	/* One file whose diff alone is over the budget, then 60 of 2 KB each. */
	for (int i = 0; i < 4000; i++)
		buf_addf(&big, "k%d: value-%d\n", i, i);
	S_tree_add(&t, "m/a-huge.yaml", big.ptr, 0);
	buf_reset(&big);
	for (int i = 0; i < 100; i++)
		buf_addf(&big, "key%d: some-longer-value-%d\n", i, i);
	for (int f = 0; f < 60; f++) {
		buf_reset(&path);
		buf_addf(&path, "m/f%02d.yaml", f);
		S_tree_add(&t, path.ptr, big.ptr, 0);
	}
	S_diff(&r, &t, &old);
	assert_int_equal(r.n, 61);
	assert_int_equal(diff_report(&out, &r, DIFF_FORMAT_MARKDOWN, 0, NULL), 0);
	assert_true(out.len < 65536);
	assert_non_null(strstr(out.ptr, "<summary><code>m/a-huge.yaml</code> added (+4000 -0)"
				    "</summary>\n\n"
				    "_The diff (4000 lines) is too long for a comment._\n"));
	assert_non_null(strstr(out.ptr, " more files not shown: the comment would be too long"));
	assert_non_null(strstr(out.ptr, "```diff\n--- /dev/null\n+++ b/m/f00.yaml\n"));
	diff_result_release(&r);
	repo_files_release(&old);
	tree_release(&t);
	buf_release(&out);
	buf_release(&big);
	buf_release(&path);
}

/* ---- Secret masking ---- */

#define S_B64_PLAIN "aHVudGVyMi1wbGFpbi12YWx1ZQ==" /* hunter2-plain-value */

static const char *const S_secret_values[] = {
	"hunter2-plain-value",          /* base64 in data (S_B64_PLAIN) */
	"c3RyaW5nZGF0YS10b3Atc2VjcmV0", /* a data value as written (base64 text) */
	"stringdata-top-secret",        /* its decoded form, also in stringData */
	"line-one-secret",              /* multi-line stringData */
	"line-two-secret",
	"old-removed-secret",
	"annotation-secret-pw",         /* inside last-applied-configuration */
	"new-added-secret-value",
	"list-item-secret",             /* a Secret inside a List */
	"flagged-secret-text",          /* a TREE_SECRET file that does not parse */
	"old-unparsed-secret",
};

/* Base64 of s (standard alphabet, padded). */
static void S_b64(struct buf *out, const char *s)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s);
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		buf_addch(out, tab[v >> 18 & 63]);
		buf_addch(out, tab[v >> 12 & 63]);
		buf_addch(out, i + 1 < n ? tab[v >> 6 & 63] : '=');
		buf_addch(out, i + 2 < n ? tab[v & 63] : '=');
	}
}

static void S_secret_case(struct diff_result *r, struct tree *t, struct repo_files *old)
{
	struct buf nb = BUF_INIT, ob = BUF_INIT;

	assert_int_equal(tree_add_root(t, "sec", NULL), 0);
	buf_adds(&ob, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n"
		      "    kubectl.kubernetes.io/last-applied-configuration: |\n"
		      "      {\"stringData\":{\"pw\":\"annotation-secret-pw\"}}\n"
		      "data:\n  plain: " S_B64_PLAIN "\n  gone: ");
	S_b64(&ob, "old-removed-secret");
	buf_adds(&ob, "\nstringData:\n  multi: |\n    line-one-secret\n    old\n");
	buf_adds(&nb, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n"
		      "    kubectl.kubernetes.io/last-applied-configuration: |\n"
		      "      {\"stringData\":{\"pw\":\"annotation-secret-pw2\"}}\n"
		      "data:\n  plain: c3RyaW5nZGF0YS10b3Atc2VjcmV0\n  added: ");
	S_b64(&nb, "new-added-secret-value");
	buf_adds(&nb, "\nstringData:\n  multi: |\n    line-one-secret\n    line-two-secret\n"
		      "  top: stringdata-top-secret\n");
	S_old_add(old, "sec/secret-s.yaml", ob.ptr);
	S_tree_add(t, "sec/secret-s.yaml", nb.ptr, TREE_SECRET);
	/* A List with a Secret item, unflagged in the tree: found by parsing. */
	S_tree_add(t, "sec/list.yaml",
		   "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n"
		   "  metadata: {name: l}\n  stringData: {k: list-item-secret}\n", 0);
	/* A flagged file that does not parse: no text diff at all. */
	S_tree_add(t, "sec/broken.yaml", "stringData: [flagged-secret-text\n", TREE_SECRET);
	/* An old Secret that does not parse. */
	S_old_add(old, "sec/old-broken.yaml", "kind: Secret\nstringData: {a: old-unparsed-secret\n");
	/* Removed as a whole: its resource is listed, its values are not. */
	S_old_add(old, "sec/secret-gone.yaml",
		  "apiVersion: v1\nkind: Secret\nmetadata: {name: gone}\n"
		  "stringData: {x: old-removed-secret}\n");
	S_diff(r, t, old);
	buf_release(&nb);
	buf_release(&ob);
}

static void test_diff__secret_values_never_printed(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	static const enum diff_format formats[] = { DIFF_FORMAT_TEXT, DIFF_FORMAT_MARKDOWN,
						    DIFF_FORMAT_JSON };
	size_t checked = 0;

	(void)state;
	S_secret_case(&r, &t, &old);
	assert_int_equal(r.n, 5);
	for (size_t fi = 0; fi < 3; fi++) {
		for (int color = 0; color < 2; color++) {
			struct buf out = BUF_INIT;

			assert_int_equal(diff_report(&out, &r, formats[fi], color, NULL), 0);
			assert_true(out.len > 100);
			if (getenv("TEST_DIFF_SHOW") && color == 0)
				fputs(out.ptr, stderr);
			for (size_t v = 0; v < sizeof(S_secret_values) / sizeof(*S_secret_values);
			     v++) {
				struct buf b64 = BUF_INIT;

				S_b64(&b64, S_secret_values[v]);
				if (strstr(out.ptr, S_secret_values[v]) || strstr(out.ptr, b64.ptr)) {
					fprintf(stderr, "format %zu color %d leaks '%s':\n%s\n", fi,
						color, S_secret_values[v], out.ptr);
					fail();
				}
				checked++;
				buf_release(&b64);
			}
			/* Nor a base64 value of the old side as written. */
			assert_null(strstr(out.ptr, S_B64_PLAIN));
			buf_release(&out);
		}
	}
	assert_int_equal(checked, 6 * sizeof(S_secret_values) / sizeof(*S_secret_values));
	diff_result_release(&r);
	repo_files_release(&old);
	tree_release(&t);
}

static void test_diff__secret_keys_reported_with_digests(void **state)
{
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	const struct diff_file *f = NULL;
	char *got;
	char dg[DIFF_DIGEST_LEN + 1];

	(void)state;
	S_secret_case(&r, &t, &old);
	for (size_t i = 0; i < r.n; i++)
		if (!strcmp(r.files[i].path, "sec/secret-s.yaml"))
			f = &r.files[i];
	assert_non_null(f);
	assert_true(f->flags & DIFF_FILE_SECRET);
	got = S_fields(&r, (size_t)(f - r.files));
	assert_string_equal(got,
		"changed Secret/s\n"
		"  changed metadata.annotations[\"kubectl.kubernetes.io/last-applied-configuration\"]\n"
		"  changed data.plain\n"
		"  added data.added\n"
		"  removed data.gone\n"
		"  changed stringData.multi\n"
		"  added stringData.top\n");
	free(got);
	for (size_t m = 0; m < f->resources[0].nfields; m++) {
		const struct diff_field *fd = &f->resources[0].fields[m];

		assert_true(fd->masked);
		assert_null(fd->old_value);
		assert_null(fd->new_value);
	}
	/* data.plain's new digest: the first 8 hex digits of
	 *   printf '\0\0\0\0\0\0\0\011test-salt\0\0\0\0\0\0\0\012data.plain%s' \
	 *     c3RyaW5nZGF0YS10b3Atc2VjcmV0 | sha256sum
	 * (lengths as 8 bytes big-endian). */
	assert_int_equal(diff_digest(dg, S_salt, S_SALT_LEN, "data.plain",
				     "c3RyaW5nZGF0YS10b3Atc2VjcmV0", 28), 0);
	assert_string_equal(f->resources[0].fields[1].new_digest, dg);
	assert_string_equal(dg, "8d75354b");
	/* The List's Secret and the unparsable files are masked too. */
	for (size_t i = 0; i < r.n; i++) {
		if (!strcmp(r.files[i].path, "sec/broken.yaml") ||
		    !strcmp(r.files[i].path, "sec/old-broken.yaml")) {
			assert_true(r.files[i].flags & DIFF_FILE_SECRET);
			assert_int_equal(r.files[i].text_len, 0);
		}
		if (!strcmp(r.files[i].path, "sec/list.yaml"))
			assert_true(r.files[i].flags & DIFF_FILE_SECRET);
	}
	diff_result_release(&r);
	repo_files_release(&old);
	tree_release(&t);
}

static void test_diff__salt_from_environment(void **state)
{
	size_t len = 0;
	const unsigned char *s;

	(void)state;
	setenv("HYDRATE_DIFF_SALT", "fixed", 1);
	s = diff_salt_default(&len);
	assert_int_equal(len, 5);
	assert_memory_equal(s, "fixed", 5);
	unsetenv("HYDRATE_DIFF_SALT");
	s = diff_salt_default(&len);
	assert_non_null(s);
	assert_int_equal(len, 16);
}

/* ---- reading a directory ---- */

static void test_diff__read_dir(void **state)
{
	char tmp[] = "/tmp/hydrate-test-diff-XXXXXX";
	char cmd[512];
	struct repo_files f = REPO_FILES_INIT;
	struct diag d = DIAG_INIT;
	char *roots[] = { "a/b", "a/b/c", "missing" };

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir -p a/b/c a/b/.git a/bb && printf 'x\\n' > a/b/c/f.yaml && "
		 "printf 'y' > a/b/g.yaml && printf z > a/b/.git/h && printf w > a/bb/i && "
		 "ln -s ../bb/i a/b/link", tmp);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(diff_read_dir(&f, tmp, roots, 3, &d), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.v[0].path, "a/b/c/f.yaml");
	assert_string_equal(f.v[0].data, "x\n");
	assert_string_equal(f.v[1].path, "a/b/g.yaml");
	assert_string_equal(f.v[2].path, "a/b/link");
	assert_int_equal(f.v[2].kind, REPO_FILE_SYMLINK);
	assert_string_equal(f.v[2].data, "../bb/i");
	repo_files_release(&f);
	snprintf(cmd, sizeof(cmd), "%s/nope", tmp);
	assert_int_equal(diff_read_dir(&f, cmd, roots, 1, &d), DIAG_ENOTFOUND);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
	diag_release(&d);
}


/* ---- properties over random inputs ---- */

static unsigned long S_rng = 12345;

static unsigned S_rand(unsigned n)
{
	S_rng = S_rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((S_rng >> 33) % n);
}

/* Applies a unified diff (as textdiff_unified prints it) to a. */
static int S_patch(struct buf *out, const char *a, size_t alen, const char *diff)
{
	const char *ap = a, *aend = a + alen, *p = diff;
	size_t aline = 1;

	/* Skip the two header lines. */
	for (int i = 0; i < 2; i++) {
		if (!(p = strchr(p, '\n')))
			return -1;
		p++;
	}
	while (*p) {
		unsigned long s1, c1 = 1;
		const char *nl;

		{
			char *end;

			if (strncmp(p, "@@ -", 4))
				return -1;
			s1 = strtoul(p + 4, &end, 10);
			c1 = *end == ',' ? strtoul(end + 1, NULL, 10) : 1;
		}
		/* c1 == 0: s1 is the line before the change. */
		{
			size_t upto = c1 ? s1 - 1 : s1;

			while (aline <= upto) {
				const char *e = memchr(ap, '\n', (size_t)(aend - ap));
				size_t n = e ? (size_t)(e - ap) + 1 : (size_t)(aend - ap);

				if (ap >= aend)
					return -1;
				buf_add(out, ap, n);
				ap += n;
				aline++;
			}
		}
		p = strchr(p, '\n') + 1;
		while (*p && *p != '@') {
			nl = strchr(p, '\n');
			if (!nl)
				return -1;
			if (*p == ' ' || *p == '-') {
				const char *e = memchr(ap, '\n', (size_t)(aend - ap));
				size_t n = e ? (size_t)(e - ap) + 1 : (size_t)(aend - ap);

				if (ap >= aend)
					return -1;
				if (*p == ' ')
					buf_add(out, p + 1, (size_t)(nl - p));
				ap += n;
				aline++;
			} else if (*p == '+') {
				buf_add(out, p + 1, (size_t)(nl - p));
			} else if (*p == '\\') {
				/* the line before had no newline */
				if (p > diff + 1 && p[-2] != '\n' && (p[-1] == '\n')) {
					/* find the start of the previous diff line */
					const char *q = p - 1;

					while (q > diff && q[-1] != '\n')
						q--;
					if (*q == ' ' || *q == '+')
						buf_truncate(out, out->len - 1);
				}
			} else {
				return -1;
			}
			p = nl + 1;
		}
	}
	buf_add(out, ap, (size_t)(aend - ap));
	return 0;
}

static void S_random_text(struct buf *b, const char *const *alpha, size_t nalpha, size_t maxn)
{
	size_t n = S_rand((unsigned)maxn + 1);

	for (size_t i = 0; i < n; i++)
		buf_adds(b, alpha[S_rand((unsigned)nalpha)]);
	if (b->len && S_rand(5) == 0)
		buf_truncate(b, b->len - 1); /* no newline at the end */
}

static void test_diff__text_patch_roundtrip(void **state)
{
	static const char *const alpha[] = { "a\n", "b\n", "c\n", "  d: 1\n", "e:\n", "\n",
					     "  - f\n", "x1\n", "x2\n", "x3\n", "x4\n" };
	size_t checked = 0;

	(void)state;
	for (int it = 0; it < 3000; it++) {
		struct buf a = BUF_INIT, b = BUF_INIT, d = BUF_INIT, got = BUF_INIT;
		struct textdiff_stats st;
		size_t plus = 0, minus = 0;
		int ctx = (int)S_rand(5);

		S_random_text(&a, alpha, 3 + S_rand(8), 40);
		if (S_rand(2)) {
			S_random_text(&b, alpha, 3 + S_rand(8), 40);
		} else {
			/* a few edits of a */
			buf_set(&b, a.ptr, a.len);
			for (unsigned k = S_rand(4); k > 0 && b.len; k--) {
				size_t at = S_rand((unsigned)b.len);
				struct buf t = BUF_INIT;

				while (at > 0 && b.ptr[at - 1] != '\n')
					at--;
				buf_add(&t, b.ptr, at);
				buf_adds(&t, alpha[S_rand(11)]);
				buf_adds(&t, b.ptr + at + (S_rand(2) ? strcspn(b.ptr + at, "\n") + (b.ptr[at + strcspn(b.ptr + at, "\n")] ? 1 : 0) : 0));
				buf_set(&b, t.ptr, t.len);
				buf_release(&t);
			}
		}
		assert_int_equal(textdiff_unified(&d, a.ptr, a.len, b.ptr, b.len, "a/x", "b/x",
						  ctx, &st), 0);
		if (a.len == b.len && !memcmp(a.ptr, b.ptr, a.len)) {
			assert_int_equal(d.len, 0);
		} else {
			if (S_patch(&got, a.ptr, a.len, d.ptr) < 0 || got.len != b.len ||
			    memcmp(got.ptr, b.ptr, b.len)) {
				fprintf(stderr, "a:\n%s\nb:\n%s\ndiff:\n%s\ngot:\n%s\n", a.ptr,
					b.ptr, d.ptr, got.ptr);
				fail();
			}
			for (const char *p = strchr(strchr(d.ptr, '\n') + 1, '\n') + 1; *p;
			     p = strchr(p, '\n') + 1) {
				plus += *p == '+';
				minus += *p == '-';
			}
			assert_int_equal(st.added, plus);
			assert_int_equal(st.removed, minus);
			checked++;
		}
		buf_release(&a);
		buf_release(&b);
		buf_release(&d);
		buf_release(&got);
	}
	assert_true(checked > 2000);
}

/* Random YAML-ish files on both sides: never a crash, always a result. */
static void test_diff__random_files_never_fail(void **state)
{
	static const char *const frag[] = {
		"apiVersion: v1\n", "kind: Secret\n", "kind: ConfigMap\n", "kind: List\n",
		"metadata:\n  name: a\n", "metadata: {name: b, namespace: n}\n",
		"data:\n  k: dmFsdWU=\n", "stringData: {x: y}\n", "items:\n- kind: Secret\n",
		"- name: a\n  v: 1\n", "- name: a\n", "spec: [1, 2]\n", "---\n", "a: [\n",
		"\"q\": 'x'\n", "&a b: *a\n", "\t\n", "data: 5\n", "- 1\n", "? x\n",
		"list:\n- {name: z, p: 1}\n- {name: z}\n", "\xff\xfe\n", "stringData: [a]\n",
	};
	size_t nfrag = sizeof(frag) / sizeof(*frag);

	(void)state;
	for (int it = 0; it < 400; it++) {
		struct tree t = TREE_INIT;
		struct repo_files old = REPO_FILES_INIT;
		struct diff_result r = DIFF_RESULT_INIT;
		struct buf a = BUF_INIT, b = BUF_INIT, out = BUF_INIT;

		for (unsigned k = S_rand(8); k > 0; k--)
			buf_adds(&a, frag[S_rand((unsigned)nfrag)]);
		for (unsigned k = S_rand(8); k > 0; k--)
			buf_adds(&b, frag[S_rand((unsigned)nfrag)]);
		assert_int_equal(tree_add_root(&t, "r", NULL), 0);
		if (S_rand(4))
			assert_int_equal(tree_add(&t, "r/f.yaml", b.ptr, b.len,
						  S_rand(3) ? 0 : TREE_SECRET, NULL), 0);
		if (S_rand(4))
			S_old_add(&old, "r/f.yaml", a.ptr);
		S_diff(&r, &t, &old);
		for (int f = 0; f < 3; f++) {
			buf_reset(&out);
			assert_int_equal(diff_report(&out, &r, (enum diff_format)f, f == 0, NULL), 0);
			/* The Secret fragment's value never shows. */
			if (r.n && (r.files[0].flags & DIFF_FILE_SECRET))
				assert_null(strstr(out.ptr, "dmFsdWU="));
		}
		diff_result_release(&r);
		repo_files_release(&old);
		tree_release(&t);
		buf_release(&a);
		buf_release(&b);
		buf_release(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff__text_matches_git),
		cmocka_unit_test(test_diff__text_equal_and_binary),
		cmocka_unit_test(test_diff__lists_by_name),
		cmocka_unit_test(test_diff__nested_maps_types_and_keys),
		cmocka_unit_test(test_diff__resources_added_removed_in_one_file),
		cmocka_unit_test(test_diff__unparsed_and_no_difference),
		cmocka_unit_test(test_diff__plain_documents),
		cmocka_unit_test(test_diff__report_formats),
		cmocka_unit_test(test_diff__report_color),
		cmocka_unit_test(test_diff__markdown_fits_a_comment),
		cmocka_unit_test(test_diff__secret_values_never_printed),
		cmocka_unit_test(test_diff__secret_keys_reported_with_digests),
		cmocka_unit_test(test_diff__salt_from_environment),
		cmocka_unit_test(test_diff__read_dir),
		cmocka_unit_test(test_diff__text_patch_roundtrip),
		cmocka_unit_test(test_diff__random_files_never_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
