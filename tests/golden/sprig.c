/*
 * Differential cases for the template engine with Sprig's (and later Helm's)
 * functions: testdata/sprig/<family>/<case>/ holds
 *
 *   template        the template text, executed as "x/templates/case.yaml"
 *                   with Helm's dot: .Values (common.Values), .Release.Name
 *                   "x", .Release.Namespace "default", .Chart.Name "x"
 *   values.json     optional: .Values (numbers read as float64, as Helm's
 *                   values files give them)
 *   expected.out    the engine's output as the official helm binary produced
 *                   it (through include + b64enc, so untouched by Helm's
 *                   post-processing: "<no value>" is still there)
 *   expected.err    or: all that helm printed on stderr ("Error: " + the
 *                   engine's error as Helm words it + "\n\nUse --debug flag
 *                   to render out invalid YAML\n")
 *
 * tests/golden/gen-sprig-cases.sh makes the expected files with helm.
 * Prints one line per failing case and `N passed, M failed`; exits 1 on any
 * failure not listed in a testdata/sprig/<family>/KNOWN_FAILURES file (one
 * case path per line, relative to testdata/sprig, then a space and the
 * reason); those still count as failed in the summary.
 */
#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/tmpl.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int npass, nfail, nknown;
static char *known;

static char *slurp(const char *dir, const char *file, size_t *len_out)
{
	char path[4096];
	FILE *f;
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!(f = fopen(path, "rb")))
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (len_out)
		*len_out = b.len;
	return buf_detach(&b, NULL);
}

/* Helm's values: every JSON number becomes a float64. */
static void reals_everywhere(json_t *v)
{
	size_t i;
	const char *k;
	json_t *e;
	void *tmp;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (json_is_integer(e))
				json_array_set_new(v, i, json_real((double)json_integer_value(e)));
			else
				reals_everywhere(e);
		}
	} else if (json_is_object(v)) {
		json_object_foreach_safe(v, tmp, k, e) {
			if (json_is_integer(e))
				json_object_set_new(v, k, json_real((double)json_integer_value(e)));
			else
				reals_everywhere(e);
		}
	}
}

static int is_known(const char *rel)
{
	size_t n = strlen(rel);
	const char *p = known;

	while (p && (p = strstr(p, rel)) != NULL) {
		if ((p == known || p[-1] == '\n') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

static void first_difference(const char *want, const char *got)
{
	int line = 1;
	const char *w = want, *g = got;

	while (*w && *w == *g) {
		if (*w == '\n')
			line++;
		w++, g++;
	}
	printf("    first difference at line %d\n    want: %.*s\n    got:  %.*s\n", line,
	       (int)strcspn(w, "\n"), w, (int)strcspn(g, "\n"), g);
}

static void run_case(const struct tmpl_funcs *funcs, const char *dir, const char *rel)
{
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	char *text, *vals_text, *want_out, *want_err;
	json_t *vals = NULL, *dot = NULL;
	struct tval dotv = TVAL_INIT, valsv = TVAL_INIT;
	size_t tlen = 0;
	int ok = 0, error;

	text = slurp(dir, "template", &tlen);
	vals_text = slurp(dir, "values.json", NULL);
	want_out = slurp(dir, "expected.out", NULL);
	want_err = slurp(dir, "expected.err", NULL);
	if (!text || (!want_out && !want_err)) {
		printf("FAIL %s: missing template or expected file\n", rel);
		goto done;
	}
	vals = vals_text ? json_loads(vals_text, JSON_DECODE_ANY, NULL) : json_object();
	if (!vals) {
		printf("FAIL %s: bad values.json\n", rel);
		goto done;
	}
	reals_everywhere(vals);
	if (tmpl_set_new(&set, funcs) < 0 || tmpl_rt_new(&rt, NULL, TMPL_MISSINGKEY_ZERO) < 0) {
		printf("FAIL %s: out of memory\n", rel);
		goto done;
	}
	/* Helm's dot: a common.Values whose .Values is a common.Values too
	 * (boxed, so that it reads back with its Go type). */
	valsv = tval_json_new(TV_VALUES, vals);
	vals = NULL;
	dot = json_pack("{s:o, s:{s:s, s:s}, s:{s:s, s:s}}",
			"Values", tval_to_json(rt, &valsv),
			"Release", "Name", "x", "Namespace", "default",
			"Chart", "Name", "x", "Version", "0.1.0");
	dotv = tval_json_new(TV_VALUES, dot);
	dot = NULL;
	error = tmpl_set_parse(set, "x/templates/case.yaml", text, tlen, &d);
	if (error == 0)
		error = tmpl_execute(&out, set, "x/templates/case.yaml", &dotv, rt, &d);
	if (error < 0) {
		buf_adds(&err, "Error: ");
		tmpl_helm_error(&err, error, d.msg.ptr);
		buf_adds(&err, "\n\nUse --debug flag to render out invalid YAML\n");
	}
	if (want_err) {
		if (error < 0 && strcmp(err.ptr, want_err) == 0) {
			ok = 1;
		} else {
			printf("FAIL %s: want error\n    want: %s    got:  %s\n", rel,
			       want_err, error < 0 ? err.ptr : "(no error)\n");
		}
	} else if (error < 0) {
		printf("FAIL %s: unexpected error\n    %s\n", rel, err.ptr);
	} else if (strlen(want_out) != out.len || memcmp(want_out, out.ptr, out.len) != 0) {
		printf("FAIL %s: output differs\n", rel);
		first_difference(want_out, out.ptr);
	} else {
		ok = 1;
	}
done:
	if (ok) {
		npass++;
	} else if (is_known(rel)) {
		nknown++;
	} else {
		nfail++;
	}
	tval_release(&dotv);
	tval_release(&valsv);
	json_decref(vals);
	json_decref(dot);
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	buf_release(&out);
	buf_release(&err);
	diag_release(&d);
	free(text);
	free(vals_text);
	free(want_out);
	free(want_err);
}

/* Every <family>/KNOWN_FAILURES under root, concatenated. */
static char *load_known(const char *root)
{
	struct buf all = BUF_INIT;
	struct dirent *e;
	DIR *dir = opendir(root);

	while (dir && (e = readdir(dir)) != NULL) {
		char sub[4096], *text;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", root, e->d_name);
		if ((text = slurp(sub, "KNOWN_FAILURES", NULL)) != NULL) {
			buf_adds(&all, text);
			buf_addch(&all, '\n');
			free(text);
		}
	}
	if (dir)
		closedir(dir);
	return buf_detach(&all, NULL);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks root/<...>/<case>: a directory holding a "template" file is a case. */
static void walk(const struct tmpl_funcs *funcs, const char *root, const char *rel)
{
	struct buf path = BUF_INIT, sub = BUF_INIT;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	struct stat st;
	DIR *dir;

	buf_addf(&path, "%s%s%s", root, *rel ? "/" : "", rel);
	buf_addf(&sub, "%s/template", path.ptr);
	if (stat(sub.ptr, &st) == 0) {
		run_case(funcs, path.ptr, rel);
		goto done;
	}
	if (!(dir = opendir(path.ptr)))
		goto done;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == alloc)
			names = realloc(names, (alloc = alloc * 2 + 16) * sizeof(*names));
		names[n++] = strdup(e->d_name);
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		buf_reset(&sub);
		buf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
		buf_reset(&path);
		buf_addf(&path, "%s/%s", root, sub.ptr);
		if (stat(path.ptr, &st) == 0 && S_ISDIR(st.st_mode))
			walk(funcs, root, sub.ptr);
		free(names[i]);
	}
	free(names);
done:
	buf_release(&path);
	buf_release(&sub);
}

int main(int argc, char **argv)
{
	struct tmpl_funcs *funcs = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TESTDATA_DIR\n", argv[0]);
		return 2;
	}
	if (tmpl_funcs_new(&funcs) < 0 || sprig_register(funcs) < 0) {
		fprintf(stderr, "cannot build the function registry\n");
		return 1;
	}
	known = load_known(argv[1]);
	walk(funcs, argv[1], "");
	tmpl_funcs_free(funcs);
	free(known);
	if (nknown)
		printf("(%d known failures listed in KNOWN_FAILURES)\n", nknown);
	printf("%d passed, %d failed\n", npass, nfail + nknown);
	return nfail ? 1 : 0;
}
