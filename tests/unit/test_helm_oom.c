/*
 * Out-of-memory paths of the Helm layer: jansson's allocator fails its
 * n-th allocation, n = 1, 2, ... until a whole run succeeds; every run
 * must end cleanly (an error code or success, no crash, no leak under
 * ASan). DESIGN.md, "Memory".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/chart.h"
#include "render/helm/engine.h"
#include "render/helm/strvals.h"
#include "render/helm/template.h"
#include "render/tmpl/funcs.h"
#include "testutil.h"

static long S_countdown = -1;   /* allocations left before failing; -1: never */
static int S_failed;

static void *S_malloc(size_t n)
{
	if (S_countdown == 0) {
		S_failed = 1;
		return NULL;
	}
	if (S_countdown > 0)
		S_countdown--;
	return malloc(n);
}

/* Loads, processes, coalesces and renders a chart with subcharts. */
static int S_run(const struct tmpl_funcs *funcs, const char *chart_dir)
{
	struct chart *c = NULL;
	struct diag d = DIAG_INIT;
	struct helm_rendered res = HELM_RENDERED_INIT;
	struct helm_release rel = { "r", "ns", 1, 1, 0 };
	struct buf out = BUF_INIT;
	json_t *vals = json_object(), *top = NULL;
	int error = vals ? 0 : DIAG_ENOMEM;

	if (!error)
		error = helm_strvals_parse_into(vals, "sub.own=4,global.x=y,list[1]=z", 0, &d);
	if (!error)
		error = chart_load_dir(&c, chart_dir, &d);
	if (!error)
		error = chart_process_deps(c, vals, NULL, &d);
	if (!error)
		error = chart_coalesce(&top, c, vals, 0, &d);
	if (!error)
		error = helm_render(&res, c, top, &rel, NULL, funcs, 0, &d);
	if (!error)
		error = helm_manifest(&out, &res, c, HELM_MANIFEST_INCLUDE_CRDS, NULL, &d);
	helm_rendered_release(&res);
	chart_free(c);
	json_decref(vals);
	json_decref(top);
	buf_release(&out);
	diag_release(&d);
	return error;
}

/* The whole helm_template_dir run: --name-template, --output-dir with
 * --release-name and CRDs, a log for Helm's warnings. */
static int S_run_template(const struct tmpl_funcs *funcs, const char *chart_dir)
{
	static const char *const keys[] = { "team" };
	struct helm_outfiles files = HELM_OUTFILES_INIT;
	struct helm_template_opts o;
	struct buf out = BUF_INIT, log = BUF_INIT;
	struct diag d = DIAG_INIT;
	int error;

	memset(&o, 0, sizeof(o));
	o.chart = chart_dir;
	o.name_template = "n-{{ \"AB\" | lower }}-{{ list 1 2 | len }}";
	o.output_dir = "out/./x/..";
	o.use_release_name = 1;
	o.flags = HELM_MANIFEST_INCLUDE_CRDS;
	o.label_keys = keys;
	o.nlabel_keys = 1;
	o.funcs = funcs;
	error = helm_template_dir(&files, &out, &log, &o, NULL, &d);
	helm_outfiles_release(&files);
	buf_release(&out);
	buf_release(&log);
	diag_release(&d);
	return error;
}

static void S_loop_with(int (*run)(const struct tmpl_funcs *, const char *), const char *chart_dir)
{
	struct tmpl_funcs *funcs = NULL;
	long n;
	int error;

	assert_int_equal(helm_engine_funcs(&funcs), 0);
	assert_int_equal(run(funcs, chart_dir), 0);
	json_set_alloc_funcs(S_malloc, free);
	for (n = 0; n < 200000; n++) {
		S_countdown = n;
		S_failed = 0;
		error = run(funcs, chart_dir);
		if (!S_failed) {
			assert_int_equal(error, 0);
			break;
		}
		/* a failed allocation must surface as an error, never as success
		 * with missing data: NEEDSWORK for calls whose failure Go cannot
		 * have either (we accept 0 only when nothing failed) */
		(void)error;
	}
	json_set_alloc_funcs(malloc, free);
	S_countdown = -1;
	assert_true(n < 200000);
	tmpl_funcs_free(funcs);
}

static void S_loop(const char *chart_dir)
{
	S_loop_with(S_run, chart_dir);
}

static void test_helm_oom__template_output_dir(void **state)
{
	(void)state;
	S_loop_with(S_run_template, tu_testdata("helm/output-dir/chart"));
	S_loop_with(S_run_template, tu_testdata("helm/tags-conditions/chart"));
}

static void test_helm_oom__subcharts_every_failure_point(void **state)
{
	S_loop(tu_testdata("helm/subcharts/chart"));
}

static void test_helm_oom__aliases_and_imports(void **state)
{
	char dir[4096];

	strncpy(dir, tu_testdata("helm/aliases/chart"), sizeof(dir) - 1);
	dir[sizeof(dir) - 1] = '\0';
	S_loop(dir);
	strncpy(dir, tu_testdata("helm/import-values/chart"), sizeof(dir) - 1);
	S_loop(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helm_oom__subcharts_every_failure_point),
		cmocka_unit_test(test_helm_oom__aliases_and_imports),
		cmocka_unit_test(test_helm_oom__template_output_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
