/*
 * helm_template: the steps of `helm template` (pkg/cmd/template.go and
 * action.Install in client-only mode) over the library's parts.
 */
#include "render/helm/template.h"

#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/chart.h"
#include "render/helm/engine.h"
#include "render/helm/schema.h"
#include "render/helm/strvals.h"
#include "render/helm/values.h"
#include "render/tmpl/funcs.h"

#include <jansson.h>
#include <string.h>

/* One --set* argument into vals, with Helm's error wording. */
static int S_apply_set(json_t *vals, const struct helm_set *set, struct diag *d)
{
	const char *t = set->arg;
	int error;

	if (set->mode == HELM_STRVALS_JSON) {
		while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
			t++;
		if (*t == '{') {
			/* a whole JSON object merged as MergeMaps does */
			json_error_t je;
			json_t *obj = json_loads(t, JSON_DECODE_INT_AS_REAL, &je);
			if (!json_is_object(obj)) {
				json_decref(obj);
				return diag_set(d, DIAG_EPARSE, "failed parsing --set-json data JSON: %s",
						set->arg);
			}
			error = values_merge(vals, obj);
			json_decref(obj);
			return error < 0 ? diag_set(d, error, "out of memory") : 0;
		}
		error = helm_strvals_parse_into(vals, set->arg, HELM_STRVALS_JSON, d);
		if (error < 0 && error != DIAG_ENOMEM)
			return diag_set(d, error, "failed parsing --set-json data %s", set->arg);
		return error;
	}
	error = helm_strvals_parse_into(vals, set->arg, (enum helm_strvals_mode)set->mode, d);
	if (error < 0)
		diag_prefix(d, set->mode == HELM_STRVALS_STRING ? "failed parsing --set-string data" :
			       set->mode == HELM_STRVALS_FILE ? "failed parsing --set-file data" :
			       set->mode == HELM_STRVALS_LITERAL ? "failed parsing --set-literal data" :
			       "failed parsing --set data");
	return error;
}

/* The user-supplied values as MergeValues layers them: -f files, then
 * --set-json, --set, --set-string, --set-file, --set-literal, each kind in
 * command-line order. */
static int S_user_values(json_t **out, const struct helm_template_opts *o, struct diag *d)
{
	static const int order[] = { HELM_STRVALS_JSON, HELM_STRVALS_TYPED, HELM_STRVALS_STRING,
				     HELM_STRVALS_FILE, HELM_STRVALS_LITERAL };
	json_t *vals = json_object();
	size_t i, k;
	int error = 0;

	if (!vals)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if (o->values_text &&
	    (error = values_merge_text_helm(vals, o->values_text_name ? o->values_text_name : "values",
					    o->values_text, o->values_text_len, d)) < 0)
		goto cleanup;
	for (i = 0; i < o->nvalues_files; i++)
		if ((error = values_merge_file_helm(vals, o->values_files[i], d)) < 0)
			goto cleanup;
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < o->nsets; i++)
			if (o->sets[i].mode == order[k] &&
			    (error = S_apply_set(vals, &o->sets[i], d)) < 0)
				goto cleanup;
cleanup:
	if (error < 0) {
		json_decref(vals);
		return error;
	}
	*out = vals;
	return 0;
}

/* One dot-separated part of a release name: [a-z0-9]([-a-z0-9]*[a-z0-9])? */
static int S_name_part_ok(const char *p, size_t n)
{
	if (n == 0 || p[0] == '-' || p[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
			return 0;
	return 1;
}

/* Install.availableName in client-only mode: chartutil.ValidateReleaseName,
 * with Helm's log line and error. */
static int S_check_release_name(const char *name, struct buf *log, struct diag *d)
{
	static const char invalid[] =
		"invalid release name, must match regex "
		"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the "
		"length must not be longer than 53";
	const char *p = name, *dot;
	struct buf err = BUF_INIT;
	int ok = *name != '\0' && strlen(name) <= 53, error;

	while (ok) {
		dot = strchr(p, '.');
		ok = S_name_part_ok(p, dot ? (size_t)(dot - p) : strlen(p));
		if (!dot)
			break;
		p = dot + 1;
	}
	if (ok)
		return 0;
	buf_adds(&err, "release name \"");
	buf_adds(&err, name);
	buf_addf(&err, "\": %s", *name ? invalid : "no name provided");
	if (log) {
		/* slog's text handler quotes the error as strconv.Quote does */
		buf_adds(log, "level=ERROR msg=\"release name check failed\" error=\"");
		for (size_t i = 0; i < err.len; i++) {
			if (err.ptr[i] == '"' || err.ptr[i] == '\\')
				buf_addch(log, '\\');
			buf_addch(log, err.ptr[i]);
		}
		buf_adds(log, "\"\n");
	}
	error = diag_set(d, DIAG_EINVALID, "release name check failed: %s", err.ptr);
	buf_release(&err);
	return error;
}

int helm_template(struct buf *out, struct buf *log, const struct helm_template_opts *o,
		  int *debug_hint, struct diag *d)
{
	struct helm_release rel = { NULL, NULL, 1, 1, 0 };
	struct helm_rendered res = HELM_RENDERED_INIT;
	struct tmpl_funcs *own_funcs = NULL;
	const struct tmpl_funcs *funcs = o->funcs;
	struct chart *chart = NULL;
	struct buf text = BUF_INIT;
	json_t *vals = NULL, *top = NULL;
	int error;

	if (debug_hint)
		*debug_hint = 0;
	rel.name = o->release_name ? o->release_name : "release-name";
	rel.namespace = o->namespace ? o->namespace : "default";
	rel.is_upgrade = o->is_upgrade != 0;
	rel.is_install = !rel.is_upgrade;

	/* template.go checks --kube-version before anything else */
	if ((error = helm_check_caps(&o->caps, d)) < 0 ||
	    (error = chart_locate(o->chart, d)) < 0 ||
	    (error = S_user_values(&vals, o, d)) < 0 ||
	    (error = chart_load_dir(&chart, o->chart, d)) < 0 ||
	    (error = chart_check_installable(chart, d)) < 0)
		goto cleanup;
	if (log && json_is_true(json_object_get(chart->meta_map, "Deprecated")))
		buf_adds(log, "level=WARN msg=\"this chart is deprecated\"\n");
	if ((error = S_check_release_name(rel.name, log, d)) < 0)
		goto cleanup;
	if ((error = chart_process_deps(chart, vals, d)) < 0) {
		diag_prefix(d, "chart dependencies processing failed");
		goto cleanup;
	}
	if ((error = chart_coalesce(&top, chart, vals, 0, d)) < 0 ||
	    (error = helm_schema_validate_chart(chart, top, d)) < 0)
		goto cleanup;
	if (!funcs) {
		if ((error = helm_engine_funcs(&own_funcs)) < 0) {
			diag_set(d, error, "out of memory");
			goto cleanup;
		}
		funcs = own_funcs;
	}
	if (debug_hint)
		*debug_hint = 1;
	if ((error = helm_render(&res, chart, top, &rel, &o->caps, funcs, d)) < 0 ||
	    (error = helm_manifest(o->nshow_only ? &text : out, &res, chart, o->flags, log, d)) < 0)
		goto cleanup;
	if (o->nshow_only) {
		if (debug_hint)
			*debug_hint = 0;   /* template.go's own error: no --debug hint */
		error = helm_show_only(out, text.ptr, text.len, o->show_only, o->nshow_only, d);
	}
cleanup:
	buf_release(&text);
	helm_rendered_release(&res);
	tmpl_funcs_free(own_funcs);
	chart_free(chart);
	json_decref(vals);
	json_decref(top);
	return error;
}
