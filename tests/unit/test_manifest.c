/*
 * render/manifest.c: splitting rendered streams into named files.
 *
 * Expected file names and bytes are written by hand from the rules in
 * render/manifest.h (no reference tool splits streams). The real streams
 * in testdata/config/_streams/ are `helm template` output of Helm v4.1.4 and
 * `kustomize build` output of kustomize v5.7.1, copied from the shared
 * corpus; for those the check is that the documents, joined with the "---"
 * lines the tool wrote, give back the stream byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/manifest.h"
#include "render/srcfile.h"
#include "testutil.h"

static int split(struct manifest_set *set, const char *text, enum ydoc_mode mode,
		 struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	int rc;

	assert_int_equal(srcfile_set(&src, "stream.yaml", text, strlen(text)), 0);
	rc = manifest_split(set, &src, mode, d);
	srcfile_release(&src);
	return rc;
}

/* "filename|flags|bytes" per document, in set order. */
static void describe(struct buf *out, const struct manifest_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct manifest_doc *m = &set->docs[i];
		buf_addf(out, "%s|%s%s|%s", m->filename, m->flags & MANIFEST_SECRET ? "S" : "",
			 m->flags & MANIFEST_LIST ? "L" : "", m->data);
	}
}

static void expect_split(const char *text, const char *expected)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct diag d = DIAG_INIT;
	struct buf got = BUF_INIT;

	assert_int_equal(split(&set, text, YDOC_KUSTOMIZE, &d), 0);
	describe(&got, &set);
	assert_string_equal(got.ptr, expected);
	manifest_set_release(&set);
	buf_release(&got);
	diag_release(&d);
}

static void expect_fail(const char *text, int code, const char *msg)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(split(&set, text, YDOC_KUSTOMIZE, &d), code);
	assert_int_equal(set.n, 0);
	assert_null(set.docs);
	assert_string_equal(d.msg.ptr, msg);
	diag_release(&d);
}

static void test_manifest__helm_style_stream(void **state)
{
	(void)state;
	expect_split("---\n# Source: c/templates/svc.yaml\napiVersion: v1\nkind: Service\n"
		     "metadata:\n  name: web\n---\n# Source: c/templates/dep.yaml\n"
		     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
		     "spec:\n  replicas: 1\n",
		     "deployment-web.yaml||# Source: c/templates/dep.yaml\napiVersion: apps/v1\n"
		     "kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
		     "service-web.yaml||# Source: c/templates/svc.yaml\napiVersion: v1\n"
		     "kind: Service\nmetadata:\n  name: web\n");
}

static void test_manifest__kustomize_style_stream(void **state)
{
	(void)state;
	/* no leading marker, no final newline, odd characters in names */
	expect_split("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: My:Config\n---\n"
		     "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  p: eA==",
		     "configmap-my_config.yaml||apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
		     "  name: My:Config\n"
		     "secret-db.yaml|S|apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
		     "data:\n  p: eA==\n");
}

static void test_manifest__empty_documents_dropped(void **state)
{
	(void)state;
	expect_split("---\n# Source: c/templates/empty.yaml\n---\n---\nnull\n---\n"
		     "kind: A\nmetadata: {name: x}\n---\n",
		     "a-x.yaml||kind: A\nmetadata: {name: x}\n");
	expect_split("", "");
	expect_split("# only a comment\n", "");
}

static void test_manifest__marker_with_comment(void **state)
{
	(void)state;
	expect_split("--- # first\nkind: A\nmetadata: {name: x}\n",
		     "a-x.yaml||kind: A\nmetadata: {name: x}\n");
	/* content on the marker line stays as written */
	expect_split("--- {kind: A, metadata: {name: x}}\n",
		     "a-x.yaml||--- {kind: A, metadata: {name: x}}\n");
}

static void test_manifest__collisions(void **state)
{
	(void)state;
	/* same kind and name in two namespaces (and none) */
	expect_split("kind: Role\nmetadata: {name: r, namespace: b}\n---\n"
		     "kind: Role\nmetadata: {name: r, namespace: a}\n---\n"
		     "kind: Role\nmetadata: {name: r}\n---\n"
		     "kind: Role\nmetadata: {name: s, namespace: a}\n",
		     "role-_-r.yaml||kind: Role\nmetadata: {name: r}\n"
		     "role-a-r.yaml||kind: Role\nmetadata: {name: r, namespace: a}\n"
		     "role-b-r.yaml||kind: Role\nmetadata: {name: r, namespace: b}\n"
		     "role-s.yaml||kind: Role\nmetadata: {name: s, namespace: a}\n");
	/* kinds that differ only by group */
	expect_split("apiVersion: x.io/v1\nkind: Ingress\nmetadata: {name: i}\n---\n"
		     "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n",
		     "ingress.networking.k8s.io-_-i.yaml||apiVersion: networking.k8s.io/v1\n"
		     "kind: Ingress\nmetadata: {name: i}\n"
		     "ingress.x.io-_-i.yaml||apiVersion: x.io/v1\nkind: Ingress\n"
		     "metadata: {name: i}\n");
	/* kinds that differ only by case: a counter in stream order; '-' sorts
	 * before '.' */
	expect_split("kind: Foo\nmetadata: {name: n}\n---\nkind: foo\nmetadata: {name: n}\n",
		     "foo.core-_-n-2.yaml||kind: foo\nmetadata: {name: n}\n"
		     "foo.core-_-n.yaml||kind: Foo\nmetadata: {name: n}\n");
}

static void test_manifest__duplicate_resource(void **state)
{
	(void)state;
	expect_fail("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w, namespace: n}\n"
		    "---\napiVersion: apps/v1beta1\nkind: Deployment\n"
		    "metadata: {name: w, namespace: n}\n",
		    DIAG_ECONFLICT,
		    "duplicate resource Deployment 'w' in namespace 'n' (documents 1 and 2)");
}

static void test_manifest__lists(void **state)
{
	(void)state;
	expect_split("apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n  metadata: {name: s}\n",
		     "list-1.yaml|SL|apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n"
		     "  metadata: {name: s}\n");
	expect_split("kind: ConfigMapList\nmetadata: {name: l}\nitems: []\n",
		     "configmaplist-l.yaml|L|kind: ConfigMapList\nmetadata: {name: l}\nitems: []\n");
}

static void test_manifest__secret_flag(void **state)
{
	(void)state;
	expect_split("apiVersion: example.io/v1\nkind: Secret\nmetadata: {name: s}\n",
		     "secret-s.yaml||apiVersion: example.io/v1\nkind: Secret\nmetadata: {name: s}\n");
	expect_split("kind: Secret\nmetadata: {name: s}\n",
		     "secret-s.yaml|S|kind: Secret\nmetadata: {name: s}\n");
}

static void test_manifest__errors(void **state)
{
	(void)state;
	expect_fail("kind: A\nmetadata: {name: a}\n---\n- x\n", DIAG_EINVALID,
		    "stream.yaml:4:1: document 2 is not a mapping");
	expect_fail("apiVersion: v1\nmetadata: {name: a}\n", DIAG_EINVALID,
		    "stream.yaml:1:1: document 1 has no 'kind' (a string)");
	expect_fail("kind: 12\n", DIAG_EINVALID,
		    "stream.yaml:1:1: document 1 has an invalid 'kind'");
	expect_fail("kind: A\nmetadata: {namespace: x}\n", DIAG_EINVALID,
		    "stream.yaml:1:1: document 1 has no 'metadata.name'");
	expect_fail("kind: A\nmetadata: [1]\n", DIAG_EINVALID,
		    "stream.yaml:1:1: document 1 has a 'metadata' that is not a mapping");
	expect_fail("kind: A\nmetadata: {name: 5}\n", DIAG_EINVALID,
		    "stream.yaml:1:1: document 1 has an invalid 'metadata.name' or "
		    "'metadata.namespace' (not a string)");
}

static void test_manifest__find(void **state)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(split(&set, "kind: B\nmetadata: {name: b}\n---\nkind: A\n"
			       "metadata: {name: a}\n---\nkind: C\nmetadata: {name: c}\n",
			       YDOC_HELM, &d), 0);
	assert_int_equal(set.n, 3);
	assert_string_equal(manifest_set_find(&set, "a-a.yaml")->kind, "A");
	assert_int_equal(manifest_set_find(&set, "b-b.yaml")->index, 0);
	assert_int_equal(manifest_set_find(&set, "c-c.yaml")->line, 7);
	assert_null(manifest_set_find(&set, "d-d.yaml"));
	manifest_set_release(&set);
	diag_release(&d);
}

/* names: the expected file names, one a line; NULL: only count them.
 * lead: whether every document starts with a "---" line (Helm) or only
 * documents after the first do (Kustomize). */
static void check_real_stream_mode(const char *rel, const char *names, size_t count, int lead,
				   enum ydoc_mode mode)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct srcfile src = SRCFILE_INIT;
	struct diag d = DIAG_INIT;
	struct buf joined = BUF_INIT, got = BUF_INIT;

	assert_int_equal(srcfile_read(&src, tu_testdata(rel), &d), 0);
	assert_int_equal(manifest_split(&set, &src, mode, &d), 0);
	assert_int_equal(set.n, count);
	for (size_t k = 0; k < set.n; k++) {
		for (size_t i = 0; i < set.n; i++) {
			if (set.docs[i].index != k)
				continue;
			if (lead || k > 0)
				buf_adds(&joined, "---\n");
			buf_add(&joined, set.docs[i].data, set.docs[i].len);
		}
	}
	assert_int_equal(joined.len, src.len);
	assert_memory_equal(joined.ptr, src.data, src.len);
	for (size_t i = 0; i < set.n; i++)
		buf_addf(&got, "%s%s\n", set.docs[i].filename,
			 set.docs[i].flags & MANIFEST_SECRET ? " (secret)" : "");
	if (names)
		assert_string_equal(got.ptr, names);
	manifest_set_release(&set);
	buf_release(&joined);
	buf_release(&got);
	diag_release(&d);
	srcfile_release(&src);
}

static void check_real_stream(const char *rel, const char *names)
{
	size_t count = 0;

	for (const char *p = names; *p; p++)
		count += *p == '\n';
	check_real_stream_mode(rel, names, count, 1, YDOC_HELM);
}

static void test_manifest__real_kustomize_output(void **state)
{
	(void)state;
	/* kustomize v5.7.1's output for its TestNameAndNsTransformation */
	check_real_stream_mode("config/_streams/kustomize-name-and-ns.yaml",
			       "clusterrole-p1-cr1-s1.yaml\n"
			       "clusterrolebinding-p1-crb1-s1.yaml\n"
			       "clusterrolebinding-p1-manager-rolebinding-s1.yaml\n"
			       "configmap-p1-cm1-s1.yaml\n"
			       "configmap-p1-cm2-s1.yaml\n"
			       "customresourcedefinition-crds.my.org.yaml\n"
			       "customresourcedefinition-namespace.crds.my.org.yaml\n"
			       "persistentvolume-p1-pv1-s1.yaml\n"
			       "service-p1-svc1-s1.yaml\n"
			       "service-p1-svc2-s1.yaml\n"
			       "serviceaccount-p1-sa1-s1.yaml\n"
			       "serviceaccount-p1-sa2-s1.yaml\n"
			       "validatingwebhookconfiguration-p1-example-s1.yaml\n",
			       13, 0, YDOC_KUSTOMIZE);
}

static void test_manifest__real_helm_output(void **state)
{
	(void)state;
	check_real_stream("config/_streams/helm-podinfo-default.yaml",
			  "deployment-release-name-podinfo.yaml\n"
			  "service-release-name-podinfo.yaml\n");
	check_real_stream("config/_streams/helm-promtail-default.yaml",
			  "clusterrole-release-name-promtail.yaml\n"
			  "clusterrolebinding-release-name-promtail.yaml\n"
			  "daemonset-release-name-promtail.yaml\n"
			  "secret-release-name-promtail.yaml (secret)\n"
			  "serviceaccount-release-name-promtail.yaml\n");
	/* 44 documents, every one kept, bytes joined back exactly */
	check_real_stream_mode("config/_streams/helm-cert-manager-default.yaml", NULL, 44, 1,
			       YDOC_HELM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest__helm_style_stream),
		cmocka_unit_test(test_manifest__kustomize_style_stream),
		cmocka_unit_test(test_manifest__empty_documents_dropped),
		cmocka_unit_test(test_manifest__marker_with_comment),
		cmocka_unit_test(test_manifest__collisions),
		cmocka_unit_test(test_manifest__duplicate_resource),
		cmocka_unit_test(test_manifest__lists),
		cmocka_unit_test(test_manifest__secret_flag),
		cmocka_unit_test(test_manifest__errors),
		cmocka_unit_test(test_manifest__find),
		cmocka_unit_test(test_manifest__real_helm_output),
		cmocka_unit_test(test_manifest__real_kustomize_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
