/*
 * Golden cases of the template engine with Sprig's functions, as Helm runs
 * them: DIR/<family>/<case>/ holds
 *
 *   template      the template text, parsed as "CHART/templates/case.yaml"
 *   values.json   .Values (optional; numbers load as float64, as Helm
 *                 reads values files)
 *   expected.out  the exact output (from Helm v4.1.4, see gen-tmpl-cases.sh)
 *   expected.err  or what `helm template` printed on stderr
 *
 * The dot is Helm's: .Values (common.Values), .Release.Name "x",
 * .Release.Namespace "default", .Chart.Name CHART. text/template's builtins
 * and Sprig's functions are registered. Cases listed in DIR/KNOWN_FAILURES
 * or DIR/<family>/KNOWN_FAILURES ("family/case reason...") are run and
 * counted as failed but do not fail the suite. Prints "N passed, M failed"
 * and exits 1 on an unexpected failure.
 *
 * Two suites use this runner: testdata/tmpl (the language, fmt and
 * builtins; gen-tmpl-cases.sh renders them in a chart named "c") and
 * testdata/sprig (Sprig's families; gen-sprig-cases.sh, chart "x"), which
 * is tests/golden/sprig.c: this file with GOLDEN_CHART "x".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/helm_funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/tmpl.h"

/* The chart the cases were rendered in: its name shows in error texts. */
#ifndef GOLDEN_CHART
#define GOLDEN_CHART "c"
#endif

static char *t_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char tmp[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	return buf_detach(&b, len);
}

static int t_cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int t_list_dirs(const char *dir, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*out = realloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), t_cmpstr);
	return 0;
}

static void t_show_diff(const char *want, size_t wl, const char *got, size_t gl)
{
	size_t i = 0;

	while (i < wl && i < gl && want[i] == got[i])
		i++;
	printf("    first difference at byte %zu\n    want: ", i);
	fwrite(want, 1, wl > 400 ? 400 : wl, stdout);
	printf("\n    got:  ");
	fwrite(got, 1, gl > 400 ? 400 : gl, stdout);
	printf("\n");
}

/* Runs one case: 1 pass, 0 fail. */
static int t_run_case(const struct tmpl_funcs *funcs, const char *dir)
{
	char path[8192];
	char *text = NULL, *values = NULL, *want_out = NULL, *want_err = NULL;
	size_t tlen = 0, vlen = 0, wolen = 0, welen = 0;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT, got = BUF_INIT;
	json_t *vals = NULL, *top = NULL, *rel = NULL, *chart = NULL;
	json_error_t jerr;
	struct tval dot = TVAL_INIT, vv = TVAL_INIT;
	int ok = 0, rc;

	snprintf(path, sizeof(path), "%s/template", dir);
	text = t_read(path, &tlen);
	snprintf(path, sizeof(path), "%s/values.json", dir);
	values = t_read(path, &vlen);
	snprintf(path, sizeof(path), "%s/expected.out", dir);
	want_out = t_read(path, &wolen);
	snprintf(path, sizeof(path), "%s/expected.err", dir);
	want_err = t_read(path, &welen);
	if (!text || (!want_out && !want_err)) {
		printf("  missing template or expected file\n");
		goto done;
	}
	vals = values ? json_loadb(values, vlen, JSON_DECODE_INT_AS_REAL | JSON_DECODE_ANY, &jerr)
		      : json_object();
	if (!vals || !json_is_object(vals)) {
		printf("  bad values.json: %s\n", vals ? "not an object" : jerr.text);
		goto done;
	}
	if (tmpl_set_new(&set, funcs) < 0 || tmpl_rt_new(&rt, NULL, TMPL_MISSINGKEY_ZERO) < 0)
		goto done;
	vv = tval_json_new(TV_VALUES, vals);
	vals = NULL;
	top = json_object();
	json_object_set_new(top, "Values", tval_to_json(rt, &vv));
	rel = json_pack("{s:s, s:s}", "Name", "x", "Namespace", "default");
	chart = json_pack("{s:s, s:s}", "Name", GOLDEN_CHART, "Version", "0.1.0");
	json_object_set_new(top, "Release", rel);
	json_object_set_new(top, "Chart", chart);
	dot = tval_json_new(TV_VALUES, top);
	rc = tmpl_set_parse(set, GOLDEN_CHART "/templates/case.yaml", text, tlen, &d);
	if (rc == 0)
		rc = tmpl_execute(&out, set, GOLDEN_CHART "/templates/case.yaml", &dot, rt, &d);
	if (rc < 0) {
		buf_adds(&got, "Error: ");
		tmpl_helm_error(&got, rc, d.msg.ptr);
		buf_adds(&got, "\n\nUse --debug flag to render out invalid YAML\n");
		if (want_err && got.len == welen && memcmp(got.ptr, want_err, welen) == 0) {
			ok = 1;
		} else if (want_err) {
			t_show_diff(want_err, welen, got.ptr, got.len);
		} else {
			printf("    unexpected error: %s\n", d.msg.ptr);
		}
	} else {
		if (want_out && out.len == wolen && memcmp(out.ptr, want_out, wolen) == 0) {
			ok = 1;
		} else if (want_out) {
			t_show_diff(want_out, wolen, out.ptr, out.len);
		} else {
			printf("    expected an error, got output:\n    want: %s    got:  %s\n", want_err,
			       out.ptr);
		}
	}
done:
	tval_release(&dot);
	tval_release(&vv);
	json_decref(vals);
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	diag_release(&d);
	buf_release(&out);
	buf_release(&got);
	free(text);
	free(values);
	free(want_out);
	free(want_err);
	return ok;
}

static int t_is_known(char *known, const char *name)
{
	size_t n = strlen(name);
	char *p = known;

	while (p && *p) {
		if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '\t' || p[n] == '\n' || !p[n]))
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* The root's KNOWN_FAILURES and each family's, concatenated: every line
 * names a case as FAMILY/CASE, a space, the reason. */
static char *t_read_known(const char *root, char **fams, size_t nfam)
{
	struct buf all = BUF_INIT;
	char path[4096], *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/KNOWN_FAILURES", root);
	if ((text = t_read(path, &len)) != NULL) {
		buf_add(&all, text, len);
		buf_addch(&all, '\n');
		free(text);
	}
	for (size_t i = 0; i < nfam; i++) {
		snprintf(path, sizeof(path), "%s/%s/KNOWN_FAILURES", root, fams[i]);
		if ((text = t_read(path, &len)) != NULL) {
			buf_add(&all, text, len);
			buf_addch(&all, '\n');
			free(text);
		}
	}
	return buf_detach(&all, NULL);
}

int main(int argc, char **argv)
{
	struct tmpl_funcs *funcs = NULL;
	char **fams = NULL, path[4096], *known;
	size_t nfam = 0, i, j;
	int passed = 0, failed = 0, known_failed = 0, unexpected = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s TESTDATA_DIR\n", argv[0]);
		return 2;
	}
	/* Helm always runs templates with Sprig's functions and its own over
	 * them (its toJson, fromJson, toYaml, ... replace Sprig's), so the cases
	 * do too. */
	if (tmpl_funcs_new(&funcs) < 0 || sprig_register(funcs) < 0 ||
	    helm_funcs_register(funcs) < 0 ||
	    t_list_dirs(argv[1], &fams, &nfam) < 0) {
		fprintf(stderr, "cannot read %s\n", argv[1]);
		return 2;
	}
	known = t_read_known(argv[1], fams, nfam);
	for (i = 0; i < nfam; i++) {
		char **cases = NULL;
		size_t ncase = 0;
		snprintf(path, sizeof(path), "%s/%s", argv[1], fams[i]);
		t_list_dirs(path, &cases, &ncase);
		for (j = 0; j < ncase; j++) {
			char name[1024], cdir[4096];
			int is_known;
			snprintf(name, sizeof(name), "%s/%s", fams[i], cases[j]);
			snprintf(cdir, sizeof(cdir), "%s/%s", argv[1], name);
			is_known = t_is_known(known, name);
			if (t_run_case(funcs, cdir)) {
				passed++;
				if (is_known)
					printf("PASS %s (listed in KNOWN_FAILURES)\n", name);
			} else {
				failed++;
				if (is_known) {
					known_failed++;
					printf("FAIL %s (known)\n", name);
				} else {
					unexpected++;
					printf("FAIL %s\n", name);
				}
			}
			free(cases[j]);
		}
		free(cases);
		free(fams[i]);
	}
	free(fams);
	free(known);
	tmpl_funcs_free(funcs);
	if (known_failed)
		printf("(%d of the failures are listed in KNOWN_FAILURES)\n", known_failed);
	printf("%d passed, %d failed\n", passed, failed);
	return unexpected ? 1 : 0;
}
