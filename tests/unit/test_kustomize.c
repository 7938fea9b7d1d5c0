/*
 * Unit tests of render/kustomize. Expected values come from kustomize
 * v5.7.1 (`kubectl kustomize`) or, for paths, from Go's filepath.Clean
 * documentation. The golden cases under testdata/kustomize/ are run by
 * test_kustomize_golden.c.
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

#include "render/buf.h"
#include "render/diag.h"
#include "render/kustomize/internal.h"
#include "render/kustomize/kustomize.h"
#include "testutil.h"

static void check_clean(const char *in, const char *want)
{
	char *got = kpath_clean(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_kustomize__paths_clean_as_go(void **state)
{
	(void)state;
	check_clean("", ".");
	check_clean("a/b/../c", "a/c");
	check_clean("/../x", "/x");
	check_clean("../../a/./b/", "../../a/b");
	check_clean("a/../..", "..");
	check_clean("//a//b/", "/a/b");
	check_clean("/", "/");
	check_clean("./", ".");
	assert_true(kpath_has_prefix("/app/base/x.yaml", "/app/base"));
	assert_false(kpath_has_prefix("/app/baseline", "/app/base"));
	assert_true(kpath_has_prefix("/anything", "/"));
}

static void test_kustomize__ids_print_and_compare_as_kustomize(void **state)
{
	struct kid a = KID_INIT, b = KID_INIT, c = KID_INIT;
	struct buf s = BUF_INIT;

	(void)state;
	assert_int_equal(kid_set(&a, "", "v1", "Deployment", "proxy", ""), 0);
	assert_int_equal(kid_set(&b, "", "v1", "Deployment", "proxy", "default"), 0);
	assert_int_equal(kid_set(&c, "", "v1", "Namespace", "ns", "x"), 0);
	kid_string(&s, &a);
	assert_string_equal(s.ptr, "Deployment.v1.[noGrp]/proxy.[noNs]");
	assert_true(kid_equals(&a, &b));
	assert_true(c.cluster_scoped);
	assert_string_equal(kid_effective_ns(&c), "_non_namespaceable_");
	assert_true(kgvk_type_order("Namespace") < kgvk_type_order("Deployment"));
	assert_true(kgvk_type_order("ValidatingWebhookConfiguration") > 0);
	buf_release(&s);
	kid_release(&a);
	kid_release(&b);
	kid_release(&c);
}

static void test_kustomize__hash_matches_kustomize(void **state)
{
	json_t *cm = json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:s}}", "apiVersion", "v1", "kind",
			       "ConfigMap", "metadata", "name", "cm", "data", "a", "b", "html",
			       "<x & y>");
	json_t *sec = json_pack("{s:s, s:s, s:{s:s}, s:s, s:{s:s}}", "apiVersion", "v1", "kind",
				"Secret", "metadata", "name", "sec", "type", "Opaque", "data",
				"password", "aHVudGVyMg==");
	struct diag d = DIAG_INIT;
	char h[11];

	(void)state;
	/* kubectl kustomize: cm-k84tb4t922, sec-cf85kd65mm */
	assert_int_equal(kgen_hash(h, cm, &d), 0);
	assert_string_equal(h, "k84tb4t922");
	assert_int_equal(kgen_hash(h, sec, &d), 0);
	assert_string_equal(h, "cf85kd65mm");
	json_decref(cm);
	json_decref(sec);
	diag_release(&d);
}

static int set_x(json_t *parent, const char *key, size_t idx, json_t *value, void *payload,
		 struct diag *d)
{
	(void)value;
	(void)payload;
	(void)d;
	if (key)
		return json_object_set_new(parent, key, json_string("x"));
	return json_array_set_new(parent, idx, json_string("x"));
}

static void test_kustomize__fieldspec_walks_lists_and_creates(void **state)
{
	json_t *res = json_loads("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
				 "\"spec\":{\"template\":{\"spec\":{\"containers\":"
				 "[{\"image\":\"a\"},{\"image\":\"b\"},{}]}}}}", 0, NULL);
	struct kfspec walk = { "", "", "Deployment", "spec/template/spec/containers[]/image", 1, NULL };
	struct kfspec other = { "", "", "Service", "spec/x", 1, NULL };
	struct kfspec create = { "apps", "", "", "metadata/annotations", 1, NULL };
	struct diag d = DIAG_INIT;
	char *dump;

	(void)state;
	assert_non_null(res);
	assert_int_equal(kfspec_apply(res, &walk, JSON_STRING, set_x, NULL, &d), 0);
	assert_int_equal(kfspec_apply(res, &other, JSON_STRING, set_x, NULL, &d), 0);
	assert_int_equal(kfspec_apply(res, &create, JSON_OBJECT, set_x, NULL, &d), 0);
	dump = json_dumps(res, JSON_SORT_KEYS | JSON_COMPACT);
	/* Lists are walked with the same path (the created-but-unset third image too);
	 * a missing map is created when create is set. */
	assert_string_equal(dump,
			    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
			    "\"metadata\":{\"annotations\":\"x\"},\"spec\":{\"template\":{\"spec\":"
			    "{\"containers\":[{\"image\":\"x\"},{\"image\":\"x\"},{\"image\":\"x\"}]}}}}");
	free(dump);
	json_decref(res);
	diag_release(&d);
}

/* Specs of a list have their paths split once, when added: the same walk,
 * "\/" inside a key and a leading "/" included. */
static void test_kustomize__listed_fieldspecs_walk_as_made_ones(void **state)
{
	json_t *res = json_loads("{\"kind\":\"Deployment\",\"metadata\":{\"annotations\":"
				 "{\"a.io/b\":\"1\"}},\"spec\":{\"l\":[{\"n\":\"a\"},{\"n\":\"b\"}]}}",
				 0, NULL);
	struct kfslist l = { NULL, 0, 0 };
	struct diag d = DIAG_INIT;
	char *dump;

	(void)state;
	assert_int_equal(kfslist_add(&l, "", "", "Deployment", "spec/l[]/n", 0), 0);
	assert_int_equal(kfslist_add(&l, "", "", "", "/metadata/annotations/a.io\\/b", 0), 0);
	assert_int_equal(kfslist_add(&l, "", "", "", "spec/new/x", 1), 0);
	assert_int_equal(l.v[0].split->n, 3);
	assert_string_equal(l.v[0].split->seg[1].key, "l");
	assert_true(l.v[0].split->seg[1].is_seq);
	assert_int_equal(l.v[1].split->n, 3);
	assert_string_equal(l.v[1].split->seg[2].key, "a.io/b");
	for (size_t i = 0; i < l.len; i++)
		assert_int_equal(kfspec_apply(res, &l.v[i], JSON_STRING, set_x, NULL, &d), 0);
	dump = json_dumps(res, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(dump, "{\"kind\":\"Deployment\",\"metadata\":{\"annotations\":"
			    "{\"a.io/b\":\"x\"}},\"spec\":{\"l\":[{\"n\":\"x\"},{\"n\":\"x\"}],"
			    "\"new\":{\"x\":\"x\"}}}");
	free(dump);
	kfslist_release(&l);
	json_decref(res);
	diag_release(&d);
}

/* Walks with a memo find what walks without one find: the second spec
 * reuses the containers the first found (spec, template, ...), and a
 * resource the memo does not describe is looked up afresh. */
static void test_kustomize__memo_walks_find_the_same(void **state)
{
	const char *text = "{\"kind\":\"Deployment\",\"spec\":{\"template\":{\"spec\":{"
			   "\"containers\":[{\"image\":\"a\",\"name\":\"n\"},{\"image\":\"b\"}],"
			   "\"volumes\":[{\"name\":\"v\"}]}}}}";
	json_t *plain = json_loads(text, 0, NULL), *memod = json_loads(text, 0, NULL);
	json_t *other = json_loads(text, 0, NULL);
	struct kfslist l = { NULL, 0, 0 };
	struct kwalk_memo memo;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(kfslist_add(&l, "", "", "", "spec/template/spec/containers[]/image", 0), 0);
	assert_int_equal(kfslist_add(&l, "", "", "", "spec/template/spec/volumes[]/name", 0), 0);
	assert_int_equal(kfslist_add(&l, "", "", "", "spec/template/spec/containers[]/name", 0), 0);
	memset(&memo, 0, sizeof(memo));
	for (size_t i = 0; i < l.len; i++) {
		assert_int_equal(kfspec_apply(plain, &l.v[i], -1, set_x, NULL, &d), 0);
		assert_int_equal(kfspec_apply_memo(memod, &l.v[i], set_x, NULL, &memo, &d), 0);
	}
	assert_true(json_equal(plain, memod));
	assert_ptr_equal(memo.at[0].parent, memod);
	assert_string_equal(memo.at[0].key, "spec");
	/* the memo names memod's containers: other's are its own */
	for (size_t i = 0; i < l.len; i++)
		assert_int_equal(kfspec_apply_memo(other, &l.v[i], set_x, NULL, &memo, &d), 0);
	assert_true(json_equal(other, plain));
	assert_ptr_equal(memo.at[0].parent, other);
	kfslist_release(&l);
	json_decref(plain);
	json_decref(memod);
	json_decref(other);
	diag_release(&d);
}

static void test_kustomize__smp_merges_containers_by_name_patch_first(void **state)
{
	/* kubectl kustomize puts the patch's elements first (testdata/kustomize/patches). */
	json_t *dep = json_loads("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
				 "\"metadata\":{\"name\":\"app\"},\"spec\":{\"template\":{\"spec\":"
				 "{\"containers\":[{\"name\":\"a\",\"image\":\"a:1\"},"
				 "{\"name\":\"b\",\"image\":\"b:1\"}],\"tolerations\":[{\"key\":\"k\"}]}}}}",
				 0, NULL);
	json_t *patch = json_loads("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
				   "\"metadata\":{\"name\":\"app\"},\"spec\":{\"template\":{\"spec\":"
				   "{\"containers\":[{\"name\":\"b\",\"image\":\"b:2\"}],"
				   "\"tolerations\":[{\"key\":\"j\"}]}}}}", 0, NULL);
	struct diag d = DIAG_INIT;
	char *dump;

	(void)state;
	assert_int_equal(kpatch_smp(&dep, patch, NULL, 0, &d), 0);
	dump = json_dumps(json_object_get(json_object_get(json_object_get(dep, "spec"), "template"),
					  "spec"), JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(dump, "{\"containers\":[{\"image\":\"b:2\",\"name\":\"b\"},"
				  "{\"image\":\"a:1\",\"name\":\"a\"}],\"tolerations\":[{\"key\":\"j\"}]}");
	free(dump);
	json_decref(dep);
	json_decref(patch);
	diag_release(&d);
}

/* A map the target alone holds is merged in place, keeping its fields'
 * order; a map someone else also holds is copied first and stays as it
 * was for them. */
static void test_kustomize__smp_changes_only_unshared_maps(void **state)
{
	const char *doc = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
			  "\"metadata\":{\"name\":\"app\"},"
			  "\"spec\":{\"x\":1,\"replicas\":1,\"y\":{\"z\":2}}}";
	json_t *dep = json_loads(doc, 0, NULL), *spec = NULL, *root = NULL;
	json_t *patch = json_loads("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
				   "\"metadata\":{\"name\":\"app\"},"
				   "\"spec\":{\"replicas\":3,\"y\":{\"w\":4}}}", 0, NULL);
	struct diag d = DIAG_INIT;
	char *dump;

	(void)state;
	assert_int_equal(kpatch_smp(&dep, patch, NULL, 0, &d), 0);
	dump = json_dumps(json_object_get(dep, "spec"), JSON_COMPACT);
	assert_string_equal(dump, "{\"x\":1,\"replicas\":3,\"y\":{\"z\":2,\"w\":4}}");
	free(dump);
	json_decref(dep);
	for (int shared = 0; shared < 2; shared++) {
		dep = json_loads(doc, 0, NULL);
		if (shared)
			spec = json_incref(json_object_get(dep, "spec"));
		else
			root = json_incref(dep);
		assert_int_equal(kpatch_smp(&dep, patch, NULL, 0, &d), 0);
		dump = json_dumps(json_object_get(dep, "spec"), JSON_COMPACT);
		assert_string_equal(dump, "{\"x\":1,\"replicas\":3,\"y\":{\"z\":2,\"w\":4}}");
		free(dump);
		dump = json_dumps(shared ? spec : json_object_get(root, "spec"), JSON_COMPACT);
		assert_string_equal(dump, "{\"x\":1,\"replicas\":1,\"y\":{\"z\":2}}");
		free(dump);
		json_decref(dep);
		json_decref(shared ? spec : root);
	}
	json_decref(patch);
	diag_release(&d);
}

static void test_kustomize__smp_delete_directive_removes_target(void **state)
{
	json_t *cm = json_loads("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
				"\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\"}}", 0, NULL);
	json_t *patch = json_loads("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
				   "\"metadata\":{\"name\":\"c\"},\"$patch\":\"delete\"}", 0, NULL);
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(kpatch_smp(&cm, patch, NULL, 0, &d), 0);
	assert_int_equal(json_object_size(cm), 0);
	json_decref(cm);
	json_decref(patch);
	diag_release(&d);
}

static void test_kustomize__json6902_ops_and_errors(void **state)
{
	json_t *doc = json_loads("{\"a\":[1,2],\"b\":{\"c\":1}}", 0, NULL);
	json_t *ops = json_loads("[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":3},"
				 "{\"op\":\"remove\",\"path\":\"/b/c\"},"
				 "{\"op\":\"copy\",\"from\":\"/a/0\",\"path\":\"/b/d\"},"
				 "{\"op\":\"replace\",\"path\":\"/a/1\",\"value\":\"x\"}]", 0, NULL);
	json_t *bad = json_loads("[{\"op\":\"replace\",\"path\":\"/nope/x\",\"value\":1}]", 0, NULL);
	struct diag d = DIAG_INIT;
	char *dump;

	(void)state;
	assert_int_equal(kpatch_json6902(&doc, ops, &d), 0);
	dump = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(dump, "{\"a\":[1,\"x\",3],\"b\":{\"d\":1}}");
	free(dump);
	assert_int_equal(kpatch_json6902(&doc, bad, &d), DIAG_EEXEC);
	/* kubectl kustomize: "replace operation does not apply: doc is missing path:
	 * /spec/nothing/here: missing value" (testdata/kustomize/err-json-patch-bad-path) */
	assert_string_equal(d.msg.ptr,
			    "replace operation does not apply: doc is missing path: /nope/x: missing value");
	json_decref(doc);
	json_decref(ops);
	json_decref(bad);
	diag_release(&d);
}

static void test_kustomize__errors_use_kustomize_words(void **state)
{
	struct kustomize_opts o = KUSTOMIZE_OPTS_INIT;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	char root[4096];

	(void)state;
	snprintf(root, sizeof(root), "%s", tu_testdata("kustomize/patches/in"));
	o.fs_root = root;
	assert_int_equal(kustomize_build(&out, "noSuchThing", &o, &d), DIAG_ENOTFOUND);
	assert_string_equal(d.msg.ptr,
			    "must build at directory: not a valid directory: 'noSuchThing' doesn't exist");
	buf_release(&out);
	diag_release(&d);
}

static void test_kustomize__yaml_errors_read_as_go_yaml(void **state)
{
	/* kubectl kustomize: "yaml: line 5: did not find expected node content",
	 * "yaml: line 2: mapping values are not allowed in this context",
	 * "yaml: found character that cannot start any token" */
	static const char *const cases[][2] = {
		{ "f.yaml:6:1: did not find expected node content (while parsing a flow node at 6:1)",
		  "yaml: line 5: did not find expected node content" },
		{ "f.yaml:2:3: mapping values are not allowed in this context",
		  "yaml: line 2: mapping values are not allowed in this context" },
		{ "f.yaml:2:1: found unexpected end of stream (while scanning a quoted scalar at 1:4)",
		  "yaml: line 2: found unexpected end of stream" },
		{ "f.yaml:2:1: did not find expected key (while parsing a block mapping at 1:1)",
		  "yaml: line 1: did not find expected key" },
		{ "f.yaml:1:4: found character that cannot start any token (while scanning for the "
		  "next token at 1:4)", "yaml: found character that cannot start any token" },
	};
	struct diag d = DIAG_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		diag_set(&d, DIAG_EPARSE, "%s", cases[i][0]);
		assert_int_equal(kyaml_syntax_error(&d, "f.yaml", 1), DIAG_EPARSE);
		assert_string_equal(d.msg.ptr, cases[i][1]);
	}
	diag_release(&d);
}

static void test_kustomize__deprecation_warnings(void **state)
{
	struct kustomize_opts o = KUSTOMIZE_OPTS_INIT;
	struct buf out = BUF_INIT, warnings = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	o.warnings = &warnings;
	assert_int_equal(kustomize_build(&out, tu_testdata("kustomize/overlay-prefix-configmap/in/overlay"),
					 &o, &d), 0);
	/* kubectl kustomize's standard error for this overlay */
	assert_string_equal(warnings.ptr,
			    "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. "
			    "Run 'kustomize edit fix' to update your Kustomization automatically.\n");
	buf_release(&out);
	buf_release(&warnings);
	diag_release(&d);
}

/*
 * Lookups through indexes (duplicate ids across files and directories, patch
 * targets after a deletion or with two candidates, a generator's repeated
 * key): kubectl kustomize's
 * messages for testdata/kustomize/errors-ids/in/<case>, built in place, with
 * that directory read as the file system root ("/").
 */
static void test_kustomize__id_lookups_fail_as_kustomize(void **state)
{
	static const char *const cases[][2] = {
		{ "dup-dir",
		  "accumulating resources: accumulation err='accumulating resources from 'sub': "
		  "'/dup-dir/sub' must resolve to a file': recursed merging from path "
		  "'/dup-dir/sub': may not add resource with an already registered id: "
		  "ConfigMap.v1.[noGrp]/one.default" },
		{ "dup-file",
		  "accumulating resources: accumulation err='merging resources from 'b.yaml': "
		  "may not add resource with an already registered id: "
		  "ConfigMap.v1.[noGrp]/two.[noNs]': must build at directory: "
		  "'/dup-file/b.yaml': file is not directory" },
		{ "patch-multi",
		  "no resource matches strategic merge patch \"ConfigMap.v1.[noGrp]/one.[noNs]\": "
		  "multiple matches for Id ConfigMap.v1.[noGrp]/one.[noNs]; failed to find unique "
		  "target for patch ConfigMap.v1.[noGrp]/one.[noNs]" },
		{ "gen-dup-key", "configmap x illegally repeats the key `B`" },
		{ "patch-none",
		  "no matches for Id ConfigMap.v1.[noGrp]/one.[noNs]; failed to find unique target "
		  "for patch ConfigMap.v1.[noGrp]/one.[noNs]" },
	};
	char root[4096];

	(void)state;
	TU_FMT(root, "%s", tu_testdata("kustomize/errors-ids/in"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kustomize_opts o = KUSTOMIZE_OPTS_INIT;
		struct buf out = BUF_INIT, warnings = BUF_INIT;
		struct diag d = DIAG_INIT;

		o.fs_root = root;
		o.warnings = &warnings;
		assert_true(kustomize_build(&out, cases[i][0], &o, &d) < 0);
		if (strcmp(d.msg.ptr, cases[i][1]) != 0)
			fail_msg("%s: got %s", cases[i][0], d.msg.ptr);
		buf_release(&out);
		buf_release(&warnings);
		diag_release(&d);
	}
}

/* Every type of kyaml's cluster-scoped list, and kinds next to them. */
static void test_kustomize__cluster_scoped_kinds(void **state)
{
	static const char *const scoped[][3] = {
		{ "admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration" },
		{ "admissionregistration.k8s.io", "v1beta1", "ValidatingWebhookConfiguration" },
		{ "admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding" },
		{ "apiextensions.k8s.io", "v1", "CustomResourceDefinition" },
		{ "apiregistration.k8s.io", "v1", "APIService" },
		{ "certificates.k8s.io", "v1", "CertificateSigningRequest" },
		{ "flowcontrol.apiserver.k8s.io", "v1beta1", "FlowSchema" },
		{ "flowcontrol.apiserver.k8s.io", "v1beta1", "PriorityLevelConfiguration" },
		{ "networking.k8s.io", "v1", "IngressClass" },
		{ "node.k8s.io", "v1", "RuntimeClass" },
		{ "policy", "v1beta1", "PodSecurityPolicy" },
		{ "rbac.authorization.k8s.io", "v1", "ClusterRole" },
		{ "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding" },
		{ "scheduling.k8s.io", "v1", "PriorityClass" },
		{ "storage.k8s.io", "v1", "CSIDriver" },
		{ "storage.k8s.io", "v1beta1", "CSINode" },
		{ "storage.k8s.io", "v1", "StorageClass" },
		{ "storage.k8s.io", "v1", "VolumeAttachment" },
		{ "", "v1", "ComponentStatus" },
		{ "", "v1", "Namespace" },
		{ "", "v1", "Node" },
		{ "", "v1", "NodeProxyOptions" },
		{ "", "v1", "PersistentVolume" },
	};
	static const char *const namespaced[][3] = {
		{ "", "v1", "ConfigMap" }, { "", "v1", "Service" }, { "apps", "v1", "Deployment" },
		{ "", "v1", "PersistentVolumeClaim" }, { "rbac.authorization.k8s.io", "v1", "Role" },
		{ "batch", "v1", "CronJob" }, { "storage.k8s.io", "v2", "StorageClass" },
		{ "", "v1", "namespace" }, { "", "v1", "" }, { "apps", "v1", "Namespace" },
	};
	struct kid id = KID_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++) {
		assert_int_equal(kid_set(&id, scoped[i][0], scoped[i][1], scoped[i][2], "x", ""), 0);
		if (!id.cluster_scoped)
			fail_msg("%s not cluster-scoped", scoped[i][2]);
		kid_release(&id);
	}
	for (size_t i = 0; i < sizeof(namespaced) / sizeof(namespaced[0]); i++) {
		assert_int_equal(kid_set(&id, namespaced[i][0], namespaced[i][1], namespaced[i][2],
					 "x", ""), 0);
		if (id.cluster_scoped)
			fail_msg("%s/%s cluster-scoped", namespaced[i][1], namespaced[i][2]);
		kid_release(&id);
	}
}

/* The index's contract (internal.h): each key's positions in insertion
 * order, a position repeated at once kept once, deleted positions gone,
 * unknown keys empty; over enough keys to grow its table and arrays. */
static void test_kustomize__index_keeps_positions_per_key(void **state)
{
	struct kidx x = KIDX_INIT;
	const size_t *at;
	size_t n = 7;
	char key[32];

	(void)state;
	assert_null(kidx_get(&x, "a", &n));
	assert_int_equal(n, 0);
	assert_int_equal(kidx_add(&x, "a", 3), 0);
	assert_int_equal(kidx_add(&x, "a", 3), 0); /* repeated at once: kept once */
	at = kidx_get(&x, "a", &n);
	assert_int_equal(n, 1);
	assert_int_equal(at[0], 3);
	assert_int_equal(kidx_add(&x, "a", 5), 0);
	assert_int_equal(kidx_add(&x, "a", 1), 0);
	assert_int_equal(kidx_add(&x, "a", 5), 0); /* not at once: kept again */
	at = kidx_get(&x, "a", &n);
	assert_int_equal(n, 4);
	assert_int_equal(at[0], 3);
	assert_int_equal(at[1], 5);
	assert_int_equal(at[2], 1);
	assert_int_equal(at[3], 5);
	kidx_del(&x, "a", 5);
	at = kidx_get(&x, "a", &n);
	assert_int_equal(n, 2);
	assert_int_equal(at[0], 3);
	assert_int_equal(at[1], 1);
	/* a one-position key emptied and refilled */
	assert_int_equal(kidx_add(&x, "b", 9), 0);
	kidx_del(&x, "b", 9);
	kidx_get(&x, "b", &n);
	assert_int_equal(n, 0);
	kidx_del(&x, "nope", 1);
	assert_int_equal(kidx_add(&x, "b", 2), 0);
	at = kidx_get(&x, "b", &n);
	assert_int_equal(n, 1);
	assert_int_equal(at[0], 2);
	/* room made for 1,000 after the keys above (they stay), then keys
	 * that share prefixes and lengths, past it and several table sizes */
	assert_int_equal(kidx_reserve(&x, 1000), 0);
	assert_true(x.cap >= 2000);
	at = kidx_get(&x, "a", &n);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		assert_int_equal(kidx_add(&x, key, i), 0);
		if (i % 3 == 0)
			assert_int_equal(kidx_add(&x, key, i + 1), 0);
	}
	for (size_t i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		at = kidx_get(&x, key, &n);
		assert_int_equal(n, i % 3 == 0 ? 2 : 1);
		assert_int_equal(at[0], i);
		if (i % 3 == 0)
			assert_int_equal(at[1], i + 1);
	}
	kidx_get(&x, "k3000", &n);
	assert_int_equal(n, 0);
	at = kidx_get(&x, "a", &n);
	assert_int_equal(n, 2);
	assert_int_equal(at[1], 1);
	kidx_release(&x);
	kidx_release(&x); /* released twice: harmless */
}

/* kid_key_of_res writes kid_key's text (group, version, kind, name and
 * effective namespace joined by 0x1f) straight from a resource; expected
 * keys written by hand from kid_key's definition and kustomize's
 * effective namespaces ("default" for none, "_non_namespaceable_" for
 * cluster-scoped kinds). */
static void test_kustomize__id_key_read_from_resource(void **state)
{
	static const char *const cases[][2] = {
		{ "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"a\"}}",
		  "apps\x1fv1\x1f" "Deployment\x1f" "a\x1f" "default" },
		{ "{\"metadata\":{\"namespace\":\"ns1\",\"name\":\"b\"},\"kind\":\"Service\",\"apiVersion\":\"v1\"}",
		  "\x1fv1\x1fService\x1f" "b\x1fns1" },
		{ "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"namespace\":\"default\"}}",
		  "\x1fv1\x1f" "ConfigMap\x1f" "c\x1f" "default" },
		{ "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\",\"namespace\":\"x\"}}",
		  "\x1fv1\x1fNamespace\x1fn\x1f_non_namespaceable_" },
		{ "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"r\"}}",
		  "rbac.authorization.k8s.io\x1fv1\x1f" "ClusterRole\x1fr\x1f_non_namespaceable_" },
		/* not cluster-scoped under another group */
		{ "{\"apiVersion\":\"example.com/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"r\"}}",
		  "example.com\x1fv1\x1f" "ClusterRole\x1fr\x1f" "default" },
		/* absent or non-string fields read as "" */
		{ "{\"kind\":7,\"metadata\":[]}", "\x1f\x1f\x1f\x1f" "default" },
		{ "{}", "\x1f\x1f\x1f\x1f" "default" },
	};
	struct buf key = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *o = json_loads(cases[i][0], 0, NULL);

		assert_non_null(o);
		assert_int_equal(kid_key_of_res(&key, o), 0);
		assert_string_equal(key.ptr, cases[i][1]);
		json_decref(o);
	}
	buf_release(&key);
}

/* n ConfigMaps cm-0 ... in m. */
static void push_configmaps(struct kresmap *m, int n)
{
	for (int i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "cm-%d", i);
		assert_int_equal(kresmap_push(m, kres_new(json_pack("{s:s, s:s, s:{s:s}}",
			"kind", "ConfigMap", "apiVersion", "v1", "metadata", "name", name))), 0);
	}
}

/* A long map printed in two halves at once reads as one print: the same
 * text, in order, and of two faults the earlier resource's. */
static void test_kustomize__long_maps_print_in_order_first_error_wins(void **state)
{
	struct kresmap m = KRESMAP_INIT;
	struct buf out = BUF_INIT, one = BUF_INIT, want = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	push_configmaps(&m, 600);
	for (int i = 0; i < 600; i++)
		buf_addf(&want, "%sapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n",
			 i ? "---\n" : "", i);
	assert_int_equal(kresmap_print(&out, &m, KPRINT_THREADS, NULL, NULL, &d), 0);
	assert_string_equal(out.ptr, want.ptr);
	assert_int_equal(kresmap_print(&one, &m, 0, NULL, NULL, &d), 0);
	assert_string_equal(one.ptr, want.ptr);
	/* printed and freed, on one thread or two: the same text, no
	 * resource left */
	for (int flags = KPRINT_CONSUME; flags <= (KPRINT_CONSUME | KPRINT_THREADS); flags++) {
		struct kresmap c = KRESMAP_INIT;

		push_configmaps(&c, 600);
		buf_reset(&one);
		assert_int_equal(kresmap_print(&one, &c, flags & (KPRINT_CONSUME | KPRINT_THREADS),
					       NULL, NULL, &d), 0);
		assert_string_equal(one.ptr, want.ptr);
		for (size_t i = 0; i < c.len; i++)
			assert_null(c.v[i]);
		kresmap_release(&c);
	}
	/* a fault in the second half only, then one in each */
	json_object_set_new(m.v[450]->obj, "k\xc2\x85", json_string("x"));
	buf_reset(&out);
	assert_int_equal(kresmap_print(&out, &m, KPRINT_THREADS, NULL, NULL, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "error converting JSON to YAML: yaml: did not find "
			    "expected ',' or '}'");
	json_object_set_new(m.v[100]->obj, "data", json_string("a\x7f"));
	buf_reset(&out);
	assert_int_equal(kresmap_print(&out, &m, KPRINT_THREADS, NULL, NULL, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "error converting JSON to YAML: yaml: control "
			    "characters are not allowed");
	kresmap_release(&m);
	buf_release(&out);
	buf_release(&one);
	buf_release(&want);
	diag_release(&d);
}

/* An index holds a resource under its current id and each previous one
 * (from the build annotations, oldest first), namespaces as
 * kid_effective_ns gives them; counts that disagree are refused. */
static void test_kustomize__index_holds_previous_ids(void **state)
{
	static const char *const keys[] = {
		"rbac.authorization.k8s.io\x1fv1\x1f" "ClusterRole\x1fp-cr\x1f_non_namespaceable_",
		"rbac.authorization.k8s.io\x1fv1\x1f" "ClusterRole\x1f" "cr\x1f_non_namespaceable_",
		"rbac.authorization.k8s.io\x1fv1\x1fRole\x1fold\x1fns1",
		"rbac.authorization.k8s.io\x1fv1\x1fRole\x1f" "older\x1f" "default",
	};
	struct kres *r = kres_new(json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s, s:s}}}",
		"apiVersion", "rbac.authorization.k8s.io/v1", "kind", "ClusterRole", "metadata",
		"name", "p-cr", "annotations",
		KANNO_PREV_NAMES, "cr,old,older", KANNO_PREV_NS, ",ns1,default",
		KANNO_PREV_KINDS, "ClusterRole,Role,Role"));
	struct kidx x = KIDX_INIT;
	size_t n;

	(void)state;
	assert_int_equal(kidx_add_res(&x, r, 7), 0);
	assert_int_equal(x.n, 4);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const size_t *at = kidx_get(&x, keys[i], &n);

		if (!at || n != 1 || at[0] != 7)
			fail_msg("key %zu not held", i);
	}
	assert_int_equal(kidx_del_res(&x, r, 7), 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		kidx_get(&x, keys[i], &n);
		assert_int_equal(n, 0);
	}
	kres_set_annotation(r, KANNO_PREV_NS, "a,b");
	assert_int_equal(kidx_add_res(&x, r, 8), DIAG_EEXEC);
	kidx_release(&x);
	kres_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kustomize__paths_clean_as_go),
		cmocka_unit_test(test_kustomize__ids_print_and_compare_as_kustomize),
		cmocka_unit_test(test_kustomize__hash_matches_kustomize),
		cmocka_unit_test(test_kustomize__fieldspec_walks_lists_and_creates),
		cmocka_unit_test(test_kustomize__listed_fieldspecs_walk_as_made_ones),
		cmocka_unit_test(test_kustomize__memo_walks_find_the_same),
		cmocka_unit_test(test_kustomize__smp_merges_containers_by_name_patch_first),
		cmocka_unit_test(test_kustomize__smp_changes_only_unshared_maps),
		cmocka_unit_test(test_kustomize__smp_delete_directive_removes_target),
		cmocka_unit_test(test_kustomize__json6902_ops_and_errors),
		cmocka_unit_test(test_kustomize__errors_use_kustomize_words),
		cmocka_unit_test(test_kustomize__yaml_errors_read_as_go_yaml),
		cmocka_unit_test(test_kustomize__deprecation_warnings),
		cmocka_unit_test(test_kustomize__id_lookups_fail_as_kustomize),
		cmocka_unit_test(test_kustomize__cluster_scoped_kinds),
		cmocka_unit_test(test_kustomize__index_keeps_positions_per_key),
		cmocka_unit_test(test_kustomize__id_key_read_from_resource),
		cmocka_unit_test(test_kustomize__index_holds_previous_ids),
		cmocka_unit_test(test_kustomize__long_maps_print_in_order_first_error_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
