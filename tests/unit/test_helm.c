/*
 * Unit tests of the Helm layer's pieces: .Files.Glob patterns (gobwas/glob
 * semantics, written from its documentation), --set typing (pkg/strvals
 * typedVal), manifest splitting and install-order sorting
 * (pkg/release/v1/util, by hand from the Go regexp and InstallOrder), chart
 * loading with .helmignore and values coalescing. Whole-output behaviour is
 * covered by the golden cases (test_helm_golden.c) from the reference helm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/chart.h"
#include "render/helm/engine.h"
#include "render/helm/objects.h"
#include "render/helm/strvals.h"
#include "render/helm/template.h"
#include "render/value.h"
#include "testutil.h"

static void test_helm__glob_star_stops_at_slash(void **state)
{
	assert_int_equal(helm_glob_match("files/*", "files/a.txt"), 1);
	assert_int_equal(helm_glob_match("files/*", "files/conf/a.txt"), 0);
	assert_int_equal(helm_glob_match("files/**", "files/conf/a.txt"), 1);
	assert_int_equal(helm_glob_match("**.json", "dashboards/x/y.json"), 1);
	assert_int_equal(helm_glob_match("*.json", "dashboards/y.json"), 0);
}

static void test_helm__glob_classes_braces_escapes(void **state)
{
	assert_int_equal(helm_glob_match("f?le", "file"), 1);
	assert_int_equal(helm_glob_match("f?le", "f/le"), 0);
	assert_int_equal(helm_glob_match("[a-c]x", "bx"), 1);
	assert_int_equal(helm_glob_match("[!a-c]x", "bx"), 0);
	assert_int_equal(helm_glob_match("[!a-c]x", "dx"), 1);
	assert_int_equal(helm_glob_match("{a,b/c}.txt", "b/c.txt"), 1);
	assert_int_equal(helm_glob_match("{a,b/c}.txt", "c.txt"), 0);
	assert_int_equal(helm_glob_match("a\\*", "a*"), 1);
	assert_int_equal(helm_glob_match("a\\*", "ab"), 0);
	/* patterns that do not compile: Glob falls back to "**" */
	assert_int_equal(helm_glob_match("{a,b", "a"), -1);
	assert_int_equal(helm_glob_match("[ab", "a"), -1);
}

static json_t *S_set(const char *s, int as_string, int *rc, struct diag *d)
{
	json_t *v = json_object();

	assert_non_null(v);
	*rc = helm_strvals_parse_into(v, s, as_string, d);
	return v;
}

static void test_helm__strvals_typed_values(void **state)
{
	struct diag d = DIAG_INIT;
	int rc;
	json_t *v = S_set("a=1,b=TRUE,c=Null,d=007,e=-12,f=1.5,g=0,h=,i={x,2}", 0, &rc, &d);

	assert_int_equal(rc, 0);
	assert_true(json_is_integer(json_object_get(v, "a")));
	assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
	assert_true(json_is_true(json_object_get(v, "b")));
	assert_true(json_is_null(json_object_get(v, "c")));
	assert_string_equal(json_string_value(json_object_get(v, "d")), "007");
	assert_int_equal(json_integer_value(json_object_get(v, "e")), -12);
	assert_string_equal(json_string_value(json_object_get(v, "f")), "1.5");
	assert_int_equal(json_integer_value(json_object_get(v, "g")), 0);
	assert_string_equal(json_string_value(json_object_get(v, "h")), "");
	assert_int_equal(json_array_size(json_object_get(v, "i")), 2);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(v, "i"), 1)), 2);
	json_decref(v);
	diag_release(&d);
}

static void test_helm__strvals_nesting_lists_escapes(void **state)
{
	struct diag d = DIAG_INIT;
	int rc;
	json_t *v = S_set("a.b.c=x,l[2]=z,m[0].k=v,e=p\\,q\\.r", 0, &rc, &d);
	json_t *l;

	assert_int_equal(rc, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
				    v, "a"), "b"), "c")), "x");
	l = json_object_get(v, "l");
	assert_int_equal(json_array_size(l), 3);
	assert_true(json_is_null(json_array_get(l, 0)));
	assert_string_equal(json_string_value(json_array_get(l, 2)), "z");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
				    v, "m"), 0), "k")), "v");
	assert_string_equal(json_string_value(json_object_get(v, "e")), "p,q.r");
	json_decref(v);
	/* --set-string keeps everything a string */
	v = S_set("n=12,t=true", 1, &rc, &d);
	assert_int_equal(rc, 0);
	assert_string_equal(json_string_value(json_object_get(v, "n")), "12");
	assert_string_equal(json_string_value(json_object_get(v, "t")), "true");
	json_decref(v);
	diag_release(&d);
}

static void test_helm__strvals_errors(void **state)
{
	struct diag d = DIAG_INIT;
	int rc;
	json_t *v = S_set("a.b", 0, &rc, &d);

	assert_int_equal(rc, DIAG_EPARSE);
	assert_string_equal(d.msg.ptr, "key \"b\" has no value");
	json_decref(v);
	v = S_set("a[-1]=x", 0, &rc, &d);
	assert_int_equal(rc, DIAG_EPARSE);
	assert_string_equal(d.msg.ptr, "negative -1 index not allowed");
	json_decref(v);
	v = S_set("a[1]x=1", 0, &rc, &d);
	assert_int_equal(rc, DIAG_EPARSE);
	assert_string_equal(d.msg.ptr, "unexpected data at end of array index: \"x\"");
	json_decref(v);
	diag_release(&d);
}

/* Renders the manifest output for files given as name, text pairs. */
static char *S_manifest(unsigned flags, int *rc, const char *const *pairs, size_t n)
{
	struct helm_rendered r = HELM_RENDERED_INIT;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	char *s;

	r.v = calloc(n, sizeof(*r.v));
	assert_non_null(r.v);
	for (size_t i = 0; i < n; i++) {
		r.v[i].name = strdup(pairs[2 * i]);
		buf_init(&r.v[i].text, 0);
		buf_adds(&r.v[i].text, pairs[2 * i + 1]);
	}
	r.n = n;
	*rc = helm_manifest(&out, &r, NULL, flags, NULL, &d);
	s = buf_detach(&out, NULL);
	helm_rendered_release(&r);
	diag_release(&d);
	return s;
}

static void test_helm__manifest_split_on_separators(void **state)
{
	const char *const files[] = {
		"c/templates/a.yaml",
		"---\nkind: Service\n  \n---   \nkind: Pod\n---x: 1\n\n\n---\n\n",
	};
	int rc;
	char *s = S_manifest(0, &rc, files, 1);

	assert_int_equal(rc, 0);
	/* "---x: 1" after a newline is a separator too: Go's (?:^|\s*\n)---\s* */
	assert_string_equal(s, "---\n# Source: c/templates/a.yaml\nkind: Service\n"
			       "---\n# Source: c/templates/a.yaml\nkind: Pod\n"
			       "---\n# Source: c/templates/a.yaml\nx: 1\n");
	free(s);
}

static void test_helm__manifest_install_order_and_hooks(void **state)
{
	const char *const files[] = {
		"c/templates/_partial.yaml", "kind: Secret\n",
		"c/templates/NOTES.txt", "notes\n",
		"c/templates/a.yaml",
		("kind: Deployment\n---\nkind: Zed\n---\nkind: Namespace\n---\n"
		 "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: test\n---\n"
		 "kind: Alpha\n---\nkind: Pod\nmetadata:\n  annotations:\n"
		 "    helm.sh/hook: Pre-Install\n"),
		"c/templates/b.yaml", ("kind: ConfigMap\nmetadata:\n  annotations:\n"
				       "    helm.sh/hook: nonsense\n"),
	};
	int rc;
	char *s = S_manifest(0, &rc, files, 4);

	assert_int_equal(rc, 0);
	assert_string_equal(s, "---\n# Source: c/templates/a.yaml\nkind: Namespace\n"
			       "---\n# Source: c/templates/a.yaml\nkind: Deployment\n"
			       "---\n# Source: c/templates/a.yaml\nkind: Alpha\n"
			       "---\n# Source: c/templates/a.yaml\nkind: Zed\n"
			       "---\n# Source: c/templates/a.yaml\nkind: Pod\nmetadata:\n"
			       "  annotations:\n    helm.sh/hook: Pre-Install\n"
			       "---\n# Source: c/templates/a.yaml\nkind: Job\nmetadata:\n"
			       "  annotations:\n    helm.sh/hook: test\n");
	free(s);
	s = S_manifest(HELM_MANIFEST_SKIP_TESTS, &rc, files, 4);
	assert_int_equal(rc, 0);
	assert_null(strstr(s, "kind: Job"));
	free(s);
}

static void test_helm__manifest_yaml_error_names_the_file(void **state)
{
	const char *const files[] = { "c/templates/bad.yaml", "a: [x\n" };
	struct helm_rendered r = HELM_RENDERED_INIT;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;

	r.v = calloc(1, sizeof(*r.v));
	assert_non_null(r.v);
	r.v[0].name = strdup(files[0]);
	buf_init(&r.v[0].text, 0);
	buf_adds(&r.v[0].text, files[1]);
	r.n = 1;
	assert_int_equal(helm_manifest(&out, &r, NULL, 0, NULL, &d), DIAG_EPARSE);
	assert_string_equal(d.msg.ptr, "YAML parse error on c/templates/bad.yaml: error converting "
				       "YAML to JSON: yaml: line 1: did not find expected ',' or ']'");
	helm_rendered_release(&r);
	buf_release(&out);
	diag_release(&d);
}

static void test_helm__load_applies_helmignore(void **state)
{
	struct chart *c = NULL;
	struct diag d = DIAG_INIT;
	int seen_keep = 0;

	assert_int_equal(chart_load_dir(&c, tu_testdata("helm/helmignore/chart"), &d), 0);
	assert_string_equal(c->name, "ign");
	for (size_t i = 0; i < c->nfiles; i++) {
		assert_string_not_equal(c->files[i].name, "README.md");
		assert_string_not_equal(c->files[i].name, "docs/a.txt");
		assert_string_not_equal(c->files[i].name, "secret.txt");
		assert_string_not_equal(c->files[i].name, "keep/k.md");
		if (strcmp(c->files[i].name, "keep/k.txt") == 0)
			seen_keep = 1;
	}
	assert_true(seen_keep);
	/* the default rule templates/.?* drops hidden templates */
	assert_int_equal(c->ntemplates, 1);
	chart_free(c);
	diag_release(&d);
}

/* chart_load_dir_beside, with and without the helper thread, loads what
 * chart_load_dir loads: the same files in the same order, the same
 * Chart.yaml and values (the early parse of values.yaml is not used when
 * .helmignore drops the file, and a BOM is stripped as the walk strips it). */
static void S_same_chart(const struct chart *a, const struct chart *b)
{
	assert_string_equal(a->name, b->name);
	assert_true(json_equal(a->metadata, b->metadata));
	assert_true(json_equal(a->values, b->values));
	assert_int_equal(a->nfiles, b->nfiles);
	for (size_t i = 0; i < a->nfiles; i++) {
		assert_string_equal(a->files[i].name, b->files[i].name);
		assert_int_equal(a->files[i].len, b->files[i].len);
		assert_memory_equal(a->files[i].data, b->files[i].data, a->files[i].len);
	}
	assert_int_equal(a->ntemplates, b->ntemplates);
	for (size_t i = 0; i < a->ntemplates; i++)
		assert_string_equal(a->templates[i].name, b->templates[i].name);
	assert_int_equal(a->ndeps, b->ndeps);
}

static int S_count_calls(void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void test_helm__load_beside_same_as_alone(void **state)
{
	static const char *const charts[] = { "helm/helmignore/chart", "helm/beside/ignored-values",
					      "helm/beside/bom", "helm/aliases/chart" };
	(void)state;
	for (size_t k = 0; k < sizeof(charts) / sizeof(charts[0]); k++) {
		char dir[4200];
		struct chart *alone = NULL;
		struct diag d = DIAG_INIT;

		snprintf(dir, sizeof(dir), "%s", tu_testdata(charts[k]));
		assert_int_equal(chart_load_dir(&alone, dir, &d), 0);
		for (unsigned threads = 1; threads <= 2; threads++) {
			struct chart *c = NULL;
			int calls = 0;
			assert_int_equal(chart_load_dir_beside(&c, dir, S_count_calls, &calls, threads,
							       &d), 0);
			assert_int_equal(calls, 1);
			S_same_chart(alone, c);
			chart_free(c);
		}
		if (k == 1)
			assert_int_equal(json_object_size(alone->values), 0);
		if (k == 2)
			assert_true(json_number_value(json_object_get(alone->values, "b")) == 2.0);
		chart_free(alone);
		diag_release(&d);
	}
}

static int S_fail_values(void *arg)
{
	return diag_set(arg, DIAG_EPARSE, "values failed");
}

/* fn's error comes first, as the user's values come before the chart in
 * Helm; the chart's own errors are chart_load_dir's, whichever thread
 * read the directory. */
static void test_helm__load_beside_error_order(void **state)
{
	char dir[4200];
	struct chart *c = NULL;
	struct diag d = DIAG_INIT, alone = DIAG_INIT;

	(void)state;
	for (unsigned threads = 1; threads <= 2; threads++) {
		snprintf(dir, sizeof(dir), "%s", tu_testdata("helm/err-bad-chartyaml/chart"));
		assert_int_equal(chart_load_dir_beside(&c, dir, S_fail_values, &d, threads, &d),
				 DIAG_EPARSE);
		assert_string_equal(d.msg.ptr, "values failed");
		assert_null(c);
		assert_true(chart_load_dir(&c, dir, &alone) < 0);
		assert_int_equal(chart_load_dir_beside(&c, dir, NULL, NULL, threads, &d),
				 alone.code);
		assert_string_equal(d.msg.ptr, alone.msg.ptr);
		assert_null(c);
		/* no such directory: fn first, then the path's error */
		assert_int_equal(chart_load_dir_beside(&c, "/nonexistent/chart", S_fail_values, &d,
						       threads, &d), DIAG_EPARSE);
		assert_true(chart_load_dir(&c, "/nonexistent/chart", &alone) < 0);
		assert_int_equal(chart_load_dir_beside(&c, "/nonexistent/chart", NULL, NULL, threads,
						       &d), alone.code);
		assert_string_equal(d.msg.ptr, alone.msg.ptr);
	}
	diag_release(&d);
	diag_release(&alone);
}

/* Files the load does not parse stay on disk until used: their type and
 * size are checked at load, their data read (the BOM stripped) by
 * chart_file_load; one gone by then is that call's error. */
static void S_put(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void test_helm__load_leaves_files_on_disk(void **state)
{
	char dir[] = "/tmp/hydrate-helm-lazy-XXXXXX";
	char path[512];
	struct chart *c = NULL;
	struct diag d = DIAG_INIT;
	const struct chart_file *readme = NULL, *bom = NULL, *crd = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/templates", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/crds", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	S_put(dir, "Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n", 37);
	S_put(dir, "values.yaml", "a: 1\n", 5);
	S_put(dir, "templates/cm.yaml", "a: {{ .Values.a }}\n", 19);
	S_put(dir, "README.md", "# c\n", 4);
	S_put(dir, "bom.txt", "\xEF\xBB\xBFtext", 7);
	S_put(dir, "crds/crd.yaml", "kind: CustomResourceDefinition\n", 31);
	assert_int_equal(chart_load_dir(&c, dir, &d), 0);
	assert_int_equal(c->ntemplates, 1);
	assert_non_null(c->templates[0].data);
	assert_null(c->templates[0].path);
	for (size_t i = 0; i < c->nfiles; i++) {
		if (strcmp(c->files[i].name, "README.md") == 0)
			readme = &c->files[i];
		if (strcmp(c->files[i].name, "bom.txt") == 0)
			bom = &c->files[i];
	}
	assert_int_equal(c->ncrds, 1);
	crd = &c->crds[0];
	assert_non_null(readme);
	assert_non_null(bom);
	assert_null(readme->data);
	assert_non_null(readme->path);
	assert_null(crd->data);
	assert_int_equal(chart_file_load(bom, &d), 0);
	assert_int_equal(bom->len, 4);
	assert_string_equal(bom->data, "text");
	assert_int_equal(chart_file_load(crd, &d), 0);
	assert_string_equal(crd->data, "kind: CustomResourceDefinition\n");
	assert_int_equal(chart_file_load(crd, &d), 0);   /* once read, kept */
	snprintf(path, sizeof(path), "%s/README.md", dir);
	assert_int_equal(remove(path), 0);
	assert_int_equal(chart_file_load(readme, &d), DIAG_ENOTFOUND);
	assert_non_null(strstr(d.msg.ptr, "error reading "));
	assert_non_null(strstr(d.msg.ptr, "/README.md: "));
	assert_null(readme->data);
	chart_free(c);
	diag_release(&d);
	{
		static const char *const names[] = { "Chart.yaml", "values.yaml", "templates/cm.yaml",
						      "bom.txt", "crds/crd.yaml" };
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			remove(path);
		}
		snprintf(path, sizeof(path), "%s/templates", dir);
		rmdir(path);
		snprintf(path, sizeof(path), "%s/crds", dir);
		rmdir(path);
		rmdir(dir);
	}
}

static void test_helm__coalesce_subchart_values_and_globals(void **state)
{
	struct chart *c = NULL;
	struct diag d = DIAG_INIT;
	json_t *user = json_pack("{s:{s:n}}", "sub", "greeting"), *out = NULL, *sub;

	assert_int_equal(chart_load_dir(&c, tu_testdata("helm/subcharts/chart"), &d), 0);
	assert_int_equal(chart_coalesce(&out, c, user, 0, &d), 0);
	sub = json_object_get(out, "sub");
	/* a user null deletes the default; parent values win over the subchart's */
	assert_null(json_object_get(sub, "greeting"));
	assert_null(json_object_get(sub, "removed"));
	assert_int_equal((int)json_number_value(json_object_get(sub, "own")), 3);
	/* globals: the parent's scalars replace the subchart's, maps merge */
	assert_string_equal(json_string_value(json_object_get(json_object_get(sub, "global"),
								 "region")), "eu");
	assert_string_equal(json_string_value(json_object_get(json_object_get(sub, "global"),
								 "zone")), "z1");
	json_decref(out);
	json_decref(user);
	chart_free(c);
	diag_release(&d);
}

/* Directory charts refuse files past archive.MaxDecompressedFileSize (5 MiB). */
static void test_helm__load_refuses_big_files(void **state)
{
	char dir[] = "/tmp/hydrate-helm-big-XXXXXX";
	char path[512];
	struct chart *c = NULL;
	struct diag d = DIAG_INIT;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Chart.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("apiVersion: v2\nname: c\nversion: 0.1.0\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/big.bin", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fseek(f, 5 * 1024 * 1024, SEEK_SET), 0);   /* 5 MiB + 1 byte */
	fputc('x', f);
	fclose(f);
	assert_int_equal(chart_load_dir(&c, dir, &d), DIAG_ELIMIT);
	assert_string_equal(d.msg.ptr, "chart file \"big.bin\" is larger than the maximum file "
				       "size 5242880");
	/* the same from the helper thread's walk */
	diag_clear(&d);
	assert_int_equal(chart_load_dir_beside(&c, dir, NULL, NULL, 2, &d), DIAG_ELIMIT);
	assert_string_equal(d.msg.ptr, "chart file \"big.bin\" is larger than the maximum file "
				       "size 5242880");
	assert_null(c);
	remove(path);
	snprintf(path, sizeof(path), "%s/Chart.yaml", dir);
	remove(path);
	rmdir(dir);
	diag_release(&d);
}


/* chartutil.ValidateReleaseName: DNS-1123 labels joined by dots, at most
 * 53 bytes, full match (expected values from its regexp, by hand) */
static void test_helm__release_name_validation(void **state)
{
	static const char *const good[] = { "a", "release-name", "my.rel-1.x0", "0", "a.b.c",
		"a1234567890123456789012345678901234567890123456789012" };
	static const char *const bad[] = { "Bad", "a_b", "-a", "a-", "a..b", ".a", "a.", "a b",
		"a\n", "a12345678901234567890123456789012345678901234567890123" };
	struct diag d = DIAG_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(helm_validate_release_name(good[i], &d), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(helm_validate_release_name(bad[i], &d), DIAG_EINVALID);
		assert_string_equal(d.msg.ptr, "invalid release name, must match regex "
				    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ "
				    "and the length must not be longer than 53");
	}
	assert_int_equal(helm_validate_release_name("", &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "no name provided");
	diag_release(&d);
}

/* -g never makes a random name in `helm template`: template.go sets
 * ReleaseName to "release-name" before NameAndChart, which only uses the
 * random "<chart>-<unix time>" form when no name is set at all. */
static void test_helm__template_generate_name_shape(void **state)
{
	struct helm_template_opts o;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	char chart[4200];

	(void)state;
	snprintf(chart, sizeof(chart), "%s/helm/generate-name/chart", tu_testdata(""));
	memset(&o, 0, sizeof(o));
	o.chart = chart;
	o.generate_name = 1;
	assert_int_equal(helm_template(&out, NULL, &o, NULL, &d), 0);
	assert_non_null(strstr(out.ptr, "  name: release-name-cm\n"));
	/* a NAME beside -g is NameAndChart's error */
	buf_reset(&out);
	o.release_name = "x";
	assert_int_equal(helm_template(&out, NULL, &o, NULL, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "cannot set --generate-name and also specify a name");
	buf_release(&out);
	diag_release(&d);
}

/* --dependency-update would download what charts/ lacks: refused offline */
static void test_helm__template_dependency_update_refused(void **state)
{
	struct helm_template_opts o;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	char chart[4200];

	(void)state;
	snprintf(chart, sizeof(chart), "%s/helm/err-missing-dep/chart", tu_testdata(""));
	memset(&o, 0, sizeof(o));
	o.chart = chart;
	o.dependency_update = 1;
	assert_int_equal(helm_template(&out, NULL, &o, NULL, &d), DIAG_ENOTFOUND);
	assert_string_equal(d.msg.ptr, "--dependency-update: hydrate renders offline and does not "
			    "download chart dependencies: found in Chart.yaml, but missing in charts/ "
			    "directory: one, two");
	buf_release(&out);
	diag_release(&d);
}

/* The --output-dir plan: CRDs into DIR (joined by "/" as given), templates
 * into filepath.Join(DIR, NAME) with --release-name; a file's second
 * document appends; hooks append to whatever exists when written. */
static void test_helm__template_output_dir_plan(void **state)
{
	static const struct {
		const char *path;
		enum helm_outfile_mode mode;
	} want[] = {
		{ "o/./x/..//od/crds/c.yaml", HELM_OUTFILE_CREATE },
		{ "o/./x/..//od/charts/sub/crds/s.yaml", HELM_OUTFILE_CREATE },
		{ "o/r/od/templates/many.yaml", HELM_OUTFILE_CREATE },
		{ "o/r/od/charts/sub/templates/cm.yaml", HELM_OUTFILE_CREATE },
		{ "o/r/od/templates/many.yaml", HELM_OUTFILE_APPEND },
		{ "o/r/od/templates/deploy.yaml", HELM_OUTFILE_CREATE },
		{ "o/r/od/templates/hooks.yaml", HELM_OUTFILE_APPEND_IF_EXISTS },
		{ "o/r/od/templates/hooks.yaml", HELM_OUTFILE_APPEND_IF_EXISTS },
		{ "o/r/od/templates/tests/t.yaml", HELM_OUTFILE_APPEND_IF_EXISTS },
		{ "o/r/od/templates/many.yaml", HELM_OUTFILE_APPEND_IF_EXISTS },
		{ "o/r/od/templates/many.yaml", HELM_OUTFILE_APPEND_IF_EXISTS },
	};
	struct helm_outfiles files = HELM_OUTFILES_INIT;
	struct helm_template_opts o;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	char chart[4200];

	(void)state;
	snprintf(chart, sizeof(chart), "%s/helm/output-dir/chart", tu_testdata(""));
	memset(&o, 0, sizeof(o));
	o.chart = chart;
	o.release_name = "r";
	o.output_dir = "o/./x/../";
	o.use_release_name = 1;
	o.flags = HELM_MANIFEST_INCLUDE_CRDS;
	assert_int_equal(helm_template_dir(&files, &out, NULL, &o, NULL, &d), 0);
	assert_string_equal(out.ptr, "\n");
	assert_int_equal(files.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < files.n; i++) {
		assert_string_equal(files.v[i].path, want[i].path);
		assert_int_equal(files.v[i].mode, want[i].mode);
	}
	assert_string_equal(files.v[5].data.ptr, "---\n# Source: od/templates/deploy.yaml\n"
			    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: r\n");
	helm_outfiles_release(&files);
	/* helm_template has no file list to fill */
	buf_reset(&out);
	assert_int_equal(helm_template(&out, NULL, &o, NULL, &d), DIAG_EINVALID);
	buf_release(&out);
	diag_release(&d);
}

/* helm_path_join is filepath.Join: Clean's rules, as Go's path.Clean
 * documentation states them (examples written by hand from it) */
static void test_helm__path_join_cleans(void **state)
{
	static const struct {
		const char *a, *b, *want;
	} cases[] = {
		{ "a/c", "", "a/c" }, { "a//c", "", "a/c" }, { "a/c/.", "", "a/c" },
		{ "a/c/b/..", "", "a/c" }, { "/../a/c", "", "/a/c" },
		{ "/../a/b/../././/c", "", "/a/c" }, { "", "", "." }, { "..", "", ".." },
		{ "../../a", "", "../../a" }, { "a/../..", "", ".." }, { "a/..", "", "." },
		{ "/", "", "/" }, { "out/x/..", "rel", "out/rel" }, { "./out//", "r", "out/r" },
		{ "out/", "../../r", "../r" }, { "", "r", "r" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = helm_path_join(cases[i].a, cases[i].b);
		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* What Helm would download (readFile / LocateChart with an http, https or
 * oci URL) is refused: hydrate renders offline */
static void test_helm__template_remote_inputs_refused(void **state)
{
	static const char *const files[] = { "https://example.com/v.yaml" };
	static const struct helm_set set = { HELM_STRVALS_FILE, "a=OCI://reg/x" };
	struct helm_template_opts o;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	char chart[4200];

	(void)state;
	snprintf(chart, sizeof(chart), "%s/helm/generate-name/chart", tu_testdata(""));
	memset(&o, 0, sizeof(o));
	o.chart = chart;
	o.values_files = files;
	o.nvalues_files = 1;
	assert_int_equal(helm_template(&out, NULL, &o, NULL, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "https://example.com/v.yaml: hydrate renders offline and does "
			    "not download values files; fetch it and pass the local file");
	o.nvalues_files = 0;
	o.sets = &set;
	o.nsets = 1;
	/* --set-file failures are parse errors of the --set-file argument */
	assert_int_equal(helm_template(&out, NULL, &o, NULL, &d), DIAG_EPARSE);
	assert_string_equal(d.msg.ptr, "failed parsing --set-file data: OCI://reg/x: hydrate renders "
			    "offline and does not download --set-file files; fetch it and pass the "
			    "local file");
	o.nsets = 0;
	o.chart = "oci://registry.example.com/charts/app";
	assert_int_equal(helm_template(&out, NULL, &o, NULL, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "oci://registry.example.com/charts/app: hydrate renders "
			    "offline and does not download charts; fetch it and pass its directory or .tgz");
	buf_release(&out);
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helm__glob_star_stops_at_slash),
		cmocka_unit_test(test_helm__glob_classes_braces_escapes),
		cmocka_unit_test(test_helm__strvals_typed_values),
		cmocka_unit_test(test_helm__strvals_nesting_lists_escapes),
		cmocka_unit_test(test_helm__strvals_errors),
		cmocka_unit_test(test_helm__manifest_split_on_separators),
		cmocka_unit_test(test_helm__manifest_install_order_and_hooks),
		cmocka_unit_test(test_helm__manifest_yaml_error_names_the_file),
		cmocka_unit_test(test_helm__load_applies_helmignore),
		cmocka_unit_test(test_helm__load_beside_same_as_alone),
		cmocka_unit_test(test_helm__load_beside_error_order),
		cmocka_unit_test(test_helm__load_leaves_files_on_disk),
		cmocka_unit_test(test_helm__coalesce_subchart_values_and_globals),
		cmocka_unit_test(test_helm__load_refuses_big_files),
		cmocka_unit_test(test_helm__release_name_validation),
		cmocka_unit_test(test_helm__template_generate_name_shape),
		cmocka_unit_test(test_helm__template_dependency_update_refused),
		cmocka_unit_test(test_helm__template_output_dir_plan),
		cmocka_unit_test(test_helm__path_join_cleans),
		cmocka_unit_test(test_helm__template_remote_inputs_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
