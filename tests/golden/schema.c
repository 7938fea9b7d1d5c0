/*
 * Golden cases of values.schema.json validation (testdata/schema/<case>/,
 * made by gen-schema-cases.sh with the official helm binary):
 *
 *   chart/Chart.yaml          the chart's name
 *   chart/values.schema.json  the schema
 *   chart/values.yaml         the chart's defaults (optional)
 *   chart/charts/<sub>/       subcharts, each with the same files (optional)
 *   values.yaml               the user's values (-f)
 *   expected.err              what `helm template x chart -f values.yaml`
 *                             printed on stderr (empty: the values are valid)
 *   unordered                 (optional) helm lists these errors in Go's
 *                             random map order: compare the lines as a set
 *
 * The values are coalesced as Helm does before it validates them (chart
 * defaults, subchart defaults under the subchart's name, the parent's
 * "global" copied into each subchart's values), then each
 * chart's schema (its text, through jschema_validate_text) is checked as
 * ValidateAgainstSchema does: the chart, then
 * each subchart that has values, with the subchart's part of the values.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "golden_common.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/values.h"
#include "render/jsonschema.h"

static json_t *S_load_yaml(const char *path, int *missing)
{
	json_t *v = json_object();
	struct diag d = DIAG_INIT;
	FILE *f = fopen(path, "rb");

	*missing = f == NULL;
	if (f)
		fclose(f);
	if (v && !*missing && values_merge_file(v, path, &d) < 0) {
		json_decref(v);
		v = NULL;
	}
	diag_release(&d);
	return v;
}

/* The bytes of path; 0, or -1 if it cannot be read. */
static int S_read(struct buf *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char tmp[8192];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(out, tmp, n);
	fclose(f);
	return buf_oom(out) ? -1 : 0;
}

static char *S_join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 2);

	if (!s)
		return NULL;
	memcpy(s, a, na);
	s[na] = '/';
	memcpy(s + na + 1, b, nb + 1);
	return s;
}

static int S_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Coalesces chart defaults (and subcharts' defaults under their names) into
 * vals; 0 or -1. */
static int S_coalesce(json_t *vals, const char *chartdir)
{
	char *p = S_join(chartdir, "values.yaml"), *subs = S_join(chartdir, "charts");
	int missing, err = 0;
	json_t *defs = p ? S_load_yaml(p, &missing) : NULL;
	char **names = NULL;
	size_t n = 0, i;

	if (!defs || values_coalesce(vals, defs) < 0)
		err = -1;
	json_decref(defs);
	if (!err && subs && golden_list_cases(&names, &n, subs) == 0) {
		for (i = 0; i < n && !err; i++) {
			char *sd = S_join(subs, names[i]);
			json_t *sv = json_object_get(vals, names[i]);
			if (!sv) {
				json_object_set_new(vals, names[i], json_object());
				sv = json_object_get(vals, names[i]);
			}
			if (!sd || !json_is_object(sv) || S_coalesce(sv, sd) < 0)
				err = json_is_object(sv) ? -1 : 0;
			if (!err && json_is_object(sv)) {
				/* Helm hands every subchart the parent's globals
				 * (an empty "global" at least); the parent's win */
				json_t *pg = json_object_get(vals, "global");
				json_t *g = json_is_object(pg) ? json_deep_copy(pg) : json_object();
				json_t *sg = json_object_get(sv, "global");
				if (g && json_is_object(sg))
					values_coalesce(g, sg);
				json_object_set_new(sv, "global", g);
			}
			free(sd);
		}
		golden_names_free(names, n);
	}
	free(p);
	free(subs);
	return err;
}

/* ValidateAgainstSchema: appends the failing charts' blocks to out. */
static int S_validate(struct buf *out, const char *chartdir, json_t *vals)
{
	char *cy = S_join(chartdir, "Chart.yaml"), *sp = S_join(chartdir, "values.schema.json");
	char *subs = S_join(chartdir, "charts");
	int missing, rc = 0;
	json_t *chart = cy ? S_load_yaml(cy, &missing) : NULL;
	const char *name = json_string_value(json_object_get(chart, "name"));
	struct buf schema = BUF_INIT;
	int has_schema = sp && S_read(&schema, sp) == 0;
	char **names = NULL;
	size_t n = 0, i;

	if (has_schema && name) {
		struct diag d = DIAG_INIT;
		int r = jschema_validate_text(out, schema.ptr, schema.len, vals, name, &d);
		if (r < 0 && r != DIAG_EINVALID && r != DIAG_EPARSE)
			rc = -1;
		diag_release(&d);
	}
	if (rc == 0 && subs && golden_list_cases(&names, &n, subs) == 0) {
		for (i = 0; i < n && rc == 0; i++) {
			char *sd = S_join(subs, names[i]);
			json_t *sv = json_object_get(vals, names[i]);
			if (sd && json_is_object(sv))
				rc = S_validate(out, sd, sv);
			free(sd);
		}
		golden_names_free(names, n);
	}
	buf_release(&schema);
	json_decref(chart);
	free(cy);
	free(sp);
	free(subs);
	return rc;
}

/* The lines of s, sorted, joined again. */
static void S_sorted_lines(struct buf *out, const char *s, size_t len)
{
	char *copy = strndup(s, len), *save = NULL, *tok;
	char **lines = NULL;
	size_t n = 0, i;

	for (tok = copy ? strtok_r(copy, "\n", &save) : NULL; tok;
	     tok = strtok_r(NULL, "\n", &save)) {
		char **nl = realloc(lines, (n + 1) * sizeof(*nl));
		if (!nl)
			break;
		lines = nl;
		lines[n++] = tok;
	}
	if (n)
		qsort(lines, n, sizeof(*lines), S_cmp);
	for (i = 0; i < n; i++) {
		buf_adds(out, lines[i]);
		buf_addch(out, '\n');
	}
	free(lines);
	free(copy);
}

static void S_run_case(struct golden_case *c, void *payload)
{
	struct buf expected = BUF_INIT, got = BUF_INIT, blocks = BUF_INIT;
	struct buf e2 = BUF_INIT, g2 = BUF_INIT;
	char *chartdir = golden_path(c, "chart"), *vp = golden_path(c, "values.yaml");
	int missing;
	json_t *vals = vp ? S_load_yaml(vp, &missing) : NULL;

	(void)payload;
	if (golden_read(&expected, c, "expected.err") != 0) {
		golden_fail(c, "no expected.err");
		goto done;
	}
	if (!vals || !chartdir || S_coalesce(vals, chartdir) < 0) {
		golden_fail(c, "cannot load the values");
		goto done;
	}
	if (S_validate(&blocks, chartdir, vals) < 0) {
		golden_fail(c, "validation failed unexpectedly");
		goto done;
	}
	if (blocks.len)
		buf_addf(&got, "Error: %s%s\n", JSCHEMA_MSG_PREFIX, blocks.ptr);
	if (golden_has(c, "unordered")) {
		S_sorted_lines(&e2, expected.ptr, expected.len);
		S_sorted_lines(&g2, got.ptr, got.len);
		golden_compare(c, "expected.err (as a set of lines)", e2.ptr, e2.len, g2.ptr,
			       g2.len);
	} else {
		golden_compare(c, "expected.err", expected.ptr, expected.len, got.ptr, got.len);
	}
done:
	json_decref(vals);
	free(chartdir);
	free(vp);
	buf_release(&expected);
	buf_release(&got);
	buf_release(&blocks);
	buf_release(&e2);
	buf_release(&g2);
}

int main(int argc, char **argv)
{
	return golden_main(argc, argv, S_run_case, NULL);
}
