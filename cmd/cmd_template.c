/*
 * hydrate template [NAME] CHART [-f FILE]... [--set K=V]... [--set-string K=V]...
 * [--namespace NS] [--skip-tests]: what `helm template` (Helm v4.1.4) prints.
 * Errors are printed as Helm prints them ("Error: ..." on stderr), with
 * nothing on stdout and exit status 2.
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opt.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/chart.h"
#include "render/helm/engine.h"
#include "render/helm/objects.h"
#include "render/helm/schema.h"
#include "render/helm/strvals.h"
#include "render/helm/values.h"
#include "render/tmpl/funcs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_VALUES = 1, OPT_SET, OPT_SET_STRING, OPT_SET_FILE, OPT_SET_JSON, OPT_SET_LITERAL, OPT_NAMESPACE,
	OPT_SKIP_TESTS, OPT_NO_HOOKS, OPT_SHOW_ONLY, OPT_INCLUDE_CRDS, OPT_KUBE_VERSION, OPT_API_VERSIONS, OPT_HELP };

static const struct opt options[] = {
	{ "values", 'f', 1, OPT_VALUES },
	{ "set", 0, 1, OPT_SET },
	{ "set-string", 0, 1, OPT_SET_STRING },
	{ "set-file", 0, 1, OPT_SET_FILE },
	{ "set-json", 0, 1, OPT_SET_JSON },
	{ "set-literal", 0, 1, OPT_SET_LITERAL },
	{ "include-crds", 0, 0, OPT_INCLUDE_CRDS },
	{ "no-hooks", 0, 0, OPT_NO_HOOKS },
	{ "show-only", 's', 1, OPT_SHOW_ONLY },
	{ "kube-version", 0, 1, OPT_KUBE_VERSION },
	{ "api-versions", 'a', 1, OPT_API_VERSIONS },
	{ "namespace", 'n', 1, OPT_NAMESPACE },
	{ "skip-tests", 0, 0, OPT_SKIP_TESTS },
	{ "help", 'h', 0, OPT_HELP },
	{ NULL, 0, 0, 0 },
};

/* Helm prints its error after "Error: "; render errors get a hint line. */
static int S_helm_error(const struct diag *d, int rendered)
{
	fprintf(stderr, "Error: %s\n", d->msg.len ? d->msg.ptr : diag_code_name(d->code));
	if (rendered)
		fprintf(stderr, "\nUse --debug flag to render out invalid YAML\n");
	return EXIT_USAGE;
}

/* Appends the comma-separated names of arg (copies) to *files. */
static int S_add_files(char ***files, size_t *n, size_t *cap, const char *arg)
{
	const char *p = arg;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 8;
			char **nv = realloc(*files, nc * sizeof(*nv));
			if (!nv)
				return -1;
			*files = nv;
			*cap = nc;
		}
		if (!((*files)[*n] = strndup(p, len)))
			return -1;
		(*n)++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* Appends a copy of arg to *list. */
static int S_add_one(char ***list, size_t *n, size_t *cap, const char *arg)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		char **nv = realloc(*list, nc * sizeof(*nv));
		if (!nv)
			return -1;
		*list = nv;
		*cap = nc;
	}
	if (!((*list)[*n] = strdup(arg)))
		return -1;
	(*n)++;
	return 0;
}

/* One --set* argument into vals, with Helm's error wording. */
static int S_apply_set(json_t *vals, const char *arg, int mode, struct diag *d)
{
	const char *t = arg;
	int error;

	if (mode == HELM_STRVALS_JSON) {
		while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
			t++;
		if (*t == '{') {
			/* a whole JSON object merged as MergeMaps does */
			json_error_t je;
			json_t *obj = json_loads(t, JSON_DECODE_INT_AS_REAL, &je);
			if (!json_is_object(obj)) {
				json_decref(obj);
				return diag_set(d, DIAG_EPARSE, "failed parsing --set-json data JSON: %s",
						arg);
			}
			error = values_merge(vals, obj);
			json_decref(obj);
			return error < 0 ? diag_set(d, error, "out of memory") : 0;
		}
		error = helm_strvals_parse_into(vals, arg, HELM_STRVALS_JSON, d);
		if (error < 0 && error != DIAG_ENOMEM)
			return diag_set(d, error, "failed parsing --set-json data %s", arg);
		return error;
	}
	error = helm_strvals_parse_into(vals, arg, (enum helm_strvals_mode)mode, d);
	if (error < 0)
		diag_prefix(d, mode == HELM_STRVALS_STRING ? "failed parsing --set-string data" :
			       mode == HELM_STRVALS_FILE ? "failed parsing --set-file data" :
			       mode == HELM_STRVALS_LITERAL ? "failed parsing --set-literal data" :
			       "failed parsing --set data");
	return error;
}

int cmd_template(int argc, char **argv)
{
	struct optstate st;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT, log = BUF_INIT, extra = BUF_INIT;
	const char **sets = NULL, *pos[2] = { NULL, NULL }, *arg;
	char **files = NULL, **apis = NULL, **shows = NULL;
	size_t files_cap = 0, napis = 0, apis_cap = 0, nshows = 0, shows_cap = 0;
	struct helm_caps caps = { NULL, NULL, 0 };
	const char *ns = "default";
	int *set_string = NULL;
	size_t nfiles = 0, nsets = 0, npos = 0, i;
	int id, status = EXIT_USAGE, error = 0, rendered = 0;
	unsigned flags = 0;
	json_t *vals = NULL, *top = NULL;
	struct chart *chart = NULL;
	struct tmpl_funcs *funcs = NULL;
	struct helm_rendered res = HELM_RENDERED_INIT;
	struct helm_release rel = { NULL, NULL, 1, 1, 0 };

	sets = calloc((size_t)argc, sizeof(*sets));
	set_string = calloc((size_t)argc, sizeof(*set_string));
	if (!sets || !set_string) {
		cmd_usage_error("template", "out of memory");
		goto done;
	}
	opt_init(&st, "template", options, argc, argv);
	while ((id = opt_next(&st, &arg)) != -1) {
		switch (id) {
		case -2:
			goto done;
		case OPT_HELP:
			status = cmd_print_usage(cmd_find("template"));
			goto done;
		case OPT_VALUES:
			/* a StringSlice flag: "-f a.yaml,b.yaml" names two files */
			if (S_add_files(&files, &nfiles, &files_cap, arg) < 0) {
				cmd_usage_error("template", "out of memory");
				goto done;
			}
			break;
		case OPT_SET:
			set_string[nsets] = HELM_STRVALS_TYPED;
			sets[nsets++] = arg;
			break;
		case OPT_SET_STRING:
			set_string[nsets] = HELM_STRVALS_STRING;
			sets[nsets++] = arg;
			break;
		case OPT_SET_FILE:
			set_string[nsets] = HELM_STRVALS_FILE;
			sets[nsets++] = arg;
			break;
		case OPT_SET_JSON:
			set_string[nsets] = HELM_STRVALS_JSON;
			sets[nsets++] = arg;
			break;
		case OPT_SET_LITERAL:
			set_string[nsets] = HELM_STRVALS_LITERAL;
			sets[nsets++] = arg;
			break;
		case OPT_INCLUDE_CRDS:
			flags |= HELM_MANIFEST_INCLUDE_CRDS;
			break;
		case OPT_NO_HOOKS:
			flags |= HELM_MANIFEST_NO_HOOKS;
			break;
		case OPT_SHOW_ONLY:
			/* a StringArray flag: one pattern each */
			if (S_add_one(&shows, &nshows, &shows_cap, arg) < 0) {
				cmd_usage_error("template", "out of memory");
				goto done;
			}
			break;
		case OPT_KUBE_VERSION:
			caps.kube_version = arg;
			break;
		case OPT_API_VERSIONS:
			/* a StringSlice flag, like -f */
			if (S_add_files(&apis, &napis, &apis_cap, arg) < 0) {
				cmd_usage_error("template", "out of memory");
				goto done;
			}
			break;
		case OPT_NAMESPACE:
			ns = arg;
			break;
		case OPT_SKIP_TESTS:
			flags |= HELM_MANIFEST_SKIP_TESTS;
			break;
		case 0:
			if (npos == 2) {
				/* NameAndChart's words, listing every extra argument */
				if (extra.len)
					buf_adds(&extra, ", ");
				buf_adds(&extra, arg);
				break;
			}
			pos[npos++] = arg;
			break;
		}
	}
	if (extra.len) {
		diag_set(&d, DIAG_EINVALID, "expected at most two arguments, unexpected arguments: %s",
			 extra.ptr);
		goto fail;
	}
	if (npos == 0) {
		cmd_usage_error("template", "a chart directory is required");
		goto done;
	}
	rel.name = npos == 2 ? pos[0] : "release-name";
	caps.api_versions = (const char *const *)apis;
	caps.napi_versions = napis;
	/* template.go checks --kube-version before anything else */
	if ((error = helm_check_caps(&caps, &d)) < 0)
		goto fail;
	rel.namespace = ns;

	if ((error = chart_locate(pos[npos - 1], &d)) < 0)
		goto fail;
	/* values as MergeValues layers them: -f files, --set-json, --set,
	 * --set-string, --set-file, each kind in command-line order */
	if (!(vals = json_object())) {
		error = diag_set(&d, DIAG_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < nfiles; i++)
		if ((error = values_merge_file_helm(vals, files[i], &d)) < 0)
			goto fail;
	{
		static const int order[] = { HELM_STRVALS_JSON, HELM_STRVALS_TYPED,
					     HELM_STRVALS_STRING, HELM_STRVALS_FILE,
					     HELM_STRVALS_LITERAL };
		for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
			for (i = 0; i < nsets; i++) {
				if (set_string[i] != order[o])
					continue;
				if ((error = S_apply_set(vals, sets[i], order[o], &d)) < 0)
					goto fail;
			}
		}
	}

	if ((error = chart_load_dir(&chart, pos[npos - 1], &d)) < 0 ||
	    (error = chart_check_installable(chart, &d)) < 0)
		goto fail;
	if (json_is_true(json_object_get(chart->meta_map, "Deprecated")))
		buf_adds(&log, "level=WARN msg=\"this chart is deprecated\"\n");
	if ((error = chart_process_deps(chart, vals, &d)) < 0) {
		diag_prefix(&d, "chart dependencies processing failed");
		goto fail;
	}
	if ((error = chart_coalesce(&top, chart, vals, 0, &d)) < 0 ||
	    (error = helm_schema_validate_chart(chart, top, &d)) < 0)
		goto fail;
	if ((error = helm_engine_funcs(&funcs)) < 0) {
		diag_set(&d, error, "out of memory");
		goto fail;
	}
	rendered = 1;
	if ((error = helm_render(&res, chart, top, &rel, &caps, funcs, &d)) < 0 ||
	    (error = helm_manifest(&out, &res, chart, flags, &log, &d)) < 0)
		goto fail;
	if (nshows) {
		struct buf shown = BUF_INIT;
		rendered = 0;   /* template.go's own error: no --debug hint */
		if ((error = helm_show_only(&shown, out.ptr, out.len, (const char *const *)shows,
					    nshows, &d)) < 0) {
			buf_release(&shown);
			goto fail;
		}
		buf_release(&out);
		out = shown;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
	goto done;
fail:
	fwrite(log.ptr, 1, log.len, stderr);
	buf_reset(&log);
	status = S_helm_error(&d, rendered);
done:
	/* Helm's log lines (stderr), when the run did not fail */
	fwrite(log.ptr, 1, log.len, stderr);
	buf_release(&log);
	buf_release(&extra);
	helm_rendered_release(&res);
	tmpl_funcs_free(funcs);
	chart_free(chart);
	json_decref(vals);
	json_decref(top);
	buf_release(&out);
	diag_release(&d);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	for (i = 0; i < napis; i++)
		free(apis[i]);
	free(apis);
	for (i = 0; i < nshows; i++)
		free(shows[i]);
	free(shows);
	free(sets);
	free(set_string);
	return status;
}
