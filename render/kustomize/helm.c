/*
 * helmCharts: kustomize's HelmChartInflationGenerator
 * (api/internal/builtins/HelmChartInflationGenerator.go at v5.7.1), with
 * hydrate's own Helm engine (helm_template) where kustomize runs the helm
 * binary. Charts are never pulled: a chart must already sit where kustomize
 * looks for it (chartHome/NAME, or chartHome/NAME-VERSION/NAME when both
 * version and repo are given).
 */
#include "render/helm/engine.h"
#include "render/helm/template.h"
#include "render/kustomize/internal.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/tmpl.h"
#include "render/tmpl/tval.h"
#include "render/srcfile.h"
#include "render/value.h"
#include "render/yaml.h"

#include <stdlib.h>
#include <string.h>

static const char *S_str(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* Go's omitempty: false, 0, "", nil, and empty slices and maps are left out. */
static int S_empty(const json_t *v)
{
	return !v || json_is_null(v) || json_is_false(v) ||
	       (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_integer(v) && json_integer_value(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0) ||
	       (json_is_object(v) && json_object_size(v) == 0);
}

/* The plugin's config as kustomize marshals it (struct{HelmGlobals; HelmChart})
 * for its "trouble configuring" message. */
static void S_config_yaml(struct buf *out, const json_t *globals, const json_t *chart)
{
	static const char *const gfields[] = { "chartHome", "configHome" };
	static const char *const cfields[] = {
		"name", "version", "repo", "releaseName", "namespace", "additionalValuesFiles",
		"valuesFile", "valuesInline", "valuesMerge", "includeCRDs", "skipHooks",
		"apiVersions", "kubeVersion", "nameTemplate", "skipTests", "debug", "devel",
	};
	json_t *c = json_object();

	for (size_t i = 0; c && i < sizeof(gfields) / sizeof(gfields[0]); i++) {
		json_t *v = json_object_get(globals, gfields[i]);

		if (!S_empty(v))
			json_object_set(c, gfields[i], v);
	}
	for (size_t i = 0; c && i < sizeof(cfields) / sizeof(cfields[0]); i++) {
		json_t *v = json_object_get(chart, cfields[i]);

		if (!S_empty(v))
			json_object_set(c, cfields[i], v);
	}
	if (!c || json_object_size(c) == 0 || value_to_yaml(out, c, NULL) < 0)
		buf_adds(out, json_object_size(c) == 0 ? "{}\n" : "");
	json_decref(c);
}

/* Wraps d's message as configureBuiltinPlugin does. */
static int S_config_error(struct diag *d, int code, const json_t *globals, const json_t *chart)
{
	struct buf y = BUF_INIT;

	S_config_yaml(&y, globals, chart);
	diag_prefix(d, "trouble configuring builtin HelmChartInflationGenerator with config: `\n%s`",
		    y.ptr);
	buf_release(&y);
	return code;
}

/* Renders --name-template as Helm's TemplateName does (Sprig, nil data). */
static int S_name_template(struct buf *out, const char *text, struct diag *d)
{
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	struct tval nil = tval_nil();
	int error;

	if ((error = tmpl_funcs_new(&funcs)) < 0 || (error = sprig_register(funcs)) < 0 ||
	    (error = tmpl_set_new(&set, funcs)) < 0 ||
	    (error = tmpl_rt_new(&rt, NULL, TMPL_MISSINGKEY_DEFAULT)) < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = tmpl_set_parse(set, "name-template", text, strlen(text), d)) < 0 ||
	    (error = tmpl_execute(out, set, "name-template", &nil, rt, d)) < 0)
		goto done;
done:
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
	return error;
}

static int S_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *S_node_kind(const json_t *v)
{
	return json_is_object(v) ? "MappingNode" : json_is_array(v) ? "SequenceNode" : "ScalarNode";
}

/*
 * kyaml's walker refuses to merge nodes of different kinds (a map with a
 * scalar, ...): the first non-null of dest, src decides, as Walker.Kind does;
 * maps are walked field by field. Lists are taken whole, as merge2 takes a
 * list without merge keys.
 */
static int S_kinds_agree(const json_t *dest, const json_t *src, struct diag *d)
{
	const char *key;
	json_t *sv;

	if (!dest || json_is_null(dest) || !src || json_is_null(src))
		return 0;
	if (strcmp(S_node_kind(dest), S_node_kind(src)) != 0) {
		struct buf y = BUF_INIT;
		int error;

		if (json_is_string(src))
			buf_addf(&y, "%s\n", json_string_value(src));
		else if (value_to_yaml(&y, src, NULL) < 0)
			buf_reset(&y);
		error = diag_set(d, DIAG_EINVALID, "wrong node kind: expected %s but got %s: node "
				 "contents:\n%s", S_node_kind(dest), S_node_kind(src), y.ptr);
		buf_release(&y);
		return error;
	}
	if (!json_is_object(dest))
		return 0;
	{
		/* walkMap visits the field names sorted */
		size_t n = json_object_size(src), k = 0;
		const char **keys = calloc(n + 1, sizeof(*keys));
		int error = 0;

		if (!keys)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		json_object_foreach((json_t *)src, key, sv)
			keys[k++] = key;
		qsort(keys, n, sizeof(*keys), S_cmp_str);
		for (k = 0; k < n && !error; k++)
			error = S_kinds_agree(json_object_get(dest, keys[k]),
					      json_object_get(src, keys[k]), d);
		free(keys);
		return error;
	}
}

/*
 * The values layered first (kustomize's temporary -f file): the values file
 * as is, or merged with valuesInline as valuesMerge says, through kyaml's
 * merge2 (override: the inline values win; merge: the file's win; replace:
 * the inline values alone) and marshalled by sigs.k8s.io/yaml.
 */
static int S_values(struct buf *out, const struct kldr *l, const char *values_file,
		    const json_t *inline_values, const char *merge, struct diag *d)
{
	struct buf text = BUF_INIT;
	json_t *file = NULL, *result = NULL;
	int error = 0;

	if (!json_is_object(inline_values) || json_object_size(inline_values) == 0) {
		error = kldr_load(l, values_file, out, d);
		goto done;
	}
	if (strcmp(merge, "replace") == 0) {
		result = json_incref((json_t *)inline_values);
	} else {
		struct srcfile src = SRCFILE_INIT;
		struct ystream ys = YSTREAM_INIT;
		const struct ydoc_limits lim = { .no_positions = 1 }; /* none are used */

		if ((error = kldr_load(l, values_file, &text, d)) < 0)
			goto done;
		if (srcfile_set(&src, values_file, text.ptr, text.len) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		error = ystream_parse(&ys, &src, YDOC_KUSTOMIZE, &lim, d);
		if (error < 0) {
			kyaml_syntax_error(d, values_file, 1);
			diag_prefix(d, "could not parse values file into rnode");
		} else {
			for (size_t i = 0; i < ys.ndocs && !file; i++)
				if (!json_is_null(ys.docs[i].root))
					file = json_incref(ys.docs[i].root);
		}
		ystream_release(&ys);
		srcfile_release(&src);
		if (error < 0)
			goto done;
		if (!json_is_object(file)) {
			json_decref(file);
			file = json_object();
		}
		if (strcmp(merge, "merge") == 0) {
			result = json_deep_copy(inline_values);
			if (!result) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
			if ((error = S_kinds_agree(result, file, d)) == 0)
				error = kpatch_smp(&result, file, NULL, 0, d);
		} else {
			result = json_incref(file);
			if ((error = S_kinds_agree(result, inline_values, d)) == 0)
				error = kpatch_smp(&result, inline_values, NULL, 0, d);
		}
		if (error < 0) {
			diag_prefix(d, "could not merge values");
			goto done;
		}
	}
	error = value_to_yaml(out, result, d);
done:
	json_decref(file);
	json_decref(result);
	buf_release(&text);
	return error;
}

int khelm_generate(struct kresmap *out, const struct kldr *l, const json_t *globals,
		   const json_t *chart, const struct kustomize_opts *o, struct diag *d)
{
	const char *name = S_str(chart, "name"), *home = S_str(globals, "chartHome");
	const char *version = S_str(chart, "version"), *repo = S_str(chart, "repo");
	const char *merge = S_str(chart, "valuesMerge"), *kube;
	const json_t *extra = json_object_get(chart, "additionalValuesFiles"), *v;
	const json_t *apis = json_object_get(chart, "apiVersions");
	struct helm_template_opts ho;
	struct buf values = BUF_INIT, rendered = BUF_INIT, host = BUF_INIT, vname = BUF_INIT;
	struct buf release = BUF_INIT, tmp = BUF_INIT, hlog = BUF_INIT;
	char *abs_home = NULL, *values_file = NULL, *chart_dir = NULL;
	char **files = NULL;
	const char **api_list = NULL;
	size_t nfiles = 0, napis = 0, i;
	int error = 0, hint = 0;

	memset(&ho, 0, sizeof(ho));
	/* Config: the flags, then the chart's own fields, then validateArgs. */
	if (!o || !o->enable_helm) {
		error = diag_set(d, DIAG_EINVALID, "must specify --enable-helm");
		S_config_error(d, error, globals, chart);
		goto done;
	}
	if (!*name) {
		error = diag_set(d, DIAG_EINVALID, "chart name cannot be empty");
		S_config_error(d, error, globals, chart);
		goto done;
	}
	if (!*home)
		home = "charts";
	abs_home = home[0] == '/' ? kpath_clean(home) : kpath_join(l->root, home);
	if (abs_home && *version && *repo) {
		char *sub;

		buf_addf(&tmp, "%s-%s", name, version);
		sub = kpath_join(abs_home, tmp.ptr);
		free(abs_home);
		abs_home = sub;
	}
	if (!abs_home || !(chart_dir = kpath_join(abs_home, name))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (*S_str(chart, "valuesFile")) {
		values_file = strdup(S_str(chart, "valuesFile"));
	} else {
		values_file = kpath_join(chart_dir, "values.yaml");
	}
	if (!values_file || !(files = calloc(json_array_size(extra) + 1, sizeof(*files)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	json_array_foreach(extra, i, v) {
		const char *f = json_is_string(v) ? json_string_value(v) : "";
		char *abs;

		buf_reset(&tmp);
		if ((error = kldr_load(l, f, &tmp, d)) < 0) {
			diag_prefix(d, "could not load additionalValuesFile");
			S_config_error(d, error, globals, chart);
			goto done;
		}
		if (!(abs = kpath_join(l->root, f))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		buf_reset(&host);
		buf_adds(&host, l->fs->host_root);
		buf_adds(&host, abs);
		free(abs);
		if (buf_oom(&host) || !(files[nfiles] = strdup(host.ptr))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		nfiles++;
	}
	if (!*merge) {
		merge = "override";
	} else if (strcmp(merge, "merge") != 0 && strcmp(merge, "override") != 0 &&
		   strcmp(merge, "replace") != 0) {
		error = diag_set(d, DIAG_EINVALID, "valuesMerge must be one of [merge override replace]");
		S_config_error(d, error, globals, chart);
		goto done;
	}

	/* Generate: the chart must be local; kustomize would `helm pull` it. */
	if (kfs_stat(l->fs, chart_dir) != KFS_DIR) {
		if (!*repo)
			error = diag_set(d, DIAG_ENOTFOUND,
					 "no repo specified for pull, no chart found at ''");
		else
			error = diag_set(d, DIAG_EINVALID,
					 "hydrate does not pull charts: chart '%s' from repo '%s' is "
					 "not in '%s' (put it there, e.g. with `helm pull --untar "
					 "--untardir %s`)", name, repo, chart_dir, abs_home);
		goto done;
	}
	if ((error = S_values(&values, l, values_file, json_object_get(chart, "valuesInline"),
			      merge, d)) < 0)
		goto done;

	buf_reset(&host);
	buf_adds(&host, l->fs->host_root);
	buf_adds(&host, chart_dir);
	buf_addf(&vname, "%s-kustomize-values.yaml", name);
	if (*S_str(chart, "nameTemplate")) {
		if (*S_str(chart, "releaseName")) {
			error = diag_set(d, DIAG_EINVALID,
					 "cannot set --name-template and also specify a name");
			goto helm_error;
		}
		if ((error = S_name_template(&release, S_str(chart, "nameTemplate"), d)) < 0)
			goto helm_error;
	} else {
		buf_adds(&release, S_str(chart, "releaseName"));
	}
	/* The chart's kubeVersion and apiVersions win over the flags' (Config sets
	 * the flags' first, then unmarshals the chart over them). */
	kube = S_str(chart, "kubeVersion");
	if (!*kube && o->helm_kube_version)
		kube = o->helm_kube_version;
	if (json_array_size(apis)) {
		if (!(api_list = calloc(json_array_size(apis), sizeof(*api_list)))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		json_array_foreach(apis, i, v)
			if (json_is_string(v))
				api_list[napis++] = json_string_value(v);
		ho.caps.api_versions = api_list;
		ho.caps.napi_versions = napis;
	} else {
		ho.caps.api_versions = o->helm_api_versions;
		ho.caps.napi_versions = o->nhelm_api_versions;
	}
	ho.caps.kube_version = *kube ? kube : NULL;
	ho.chart = host.ptr;
	ho.release_name = release.len ? release.ptr : NULL;
	ho.namespace = *S_str(chart, "namespace") ? S_str(chart, "namespace") : NULL;
	ho.values_text = values.ptr;
	ho.values_text_len = values.len;
	ho.values_text_name = vname.ptr;
	ho.values_files = (const char *const *)files;
	ho.nvalues_files = nfiles;
	if (json_is_true(json_object_get(chart, "includeCRDs")))
		ho.flags |= HELM_MANIFEST_INCLUDE_CRDS;
	if (json_is_true(json_object_get(chart, "skipTests")))
		ho.flags |= HELM_MANIFEST_SKIP_TESTS;
	if (json_is_true(json_object_get(chart, "skipHooks")))
		ho.flags |= HELM_MANIFEST_NO_HOOKS;
	if (buf_oom(&host) || buf_oom(&vname) || buf_oom(&release)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = helm_template(&rendered, &hlog, &ho, &hint, d)) < 0)
		goto helm_error;
	/* NewResMapFromBytes, then (on failure) kio.ByteReader and
	 * NewResMapFromRNodeSlice, whose error kustomize reports */
	if ((error = kres_parse_stream(out, "helm output", rendered.ptr, rendered.len, 0, d)) < 0 &&
	    error != DIAG_ENOMEM)
		diag_prefix(d, "could not parse rnode slice into resource map");
	goto done;
helm_error:
	/* kustomize: helm's stderr, then how it ran helm (with temporary paths
	 * that differ on every run); hydrate names its engine instead. */
	if (error != DIAG_ENOMEM) {
		/* helm's standard error: its log lines, then "Error: ..." */
		diag_prefix(d, "%sError", hlog.ptr);
		if (hint)
			buf_adds(&d->msg, "\n\nUse --debug flag to render out invalid YAML");
		buf_addf(&d->msg, "\n: unable to run: 'helm template' for chart '%s' "
			 "(hydrate's Helm engine)", name);
	}
done:
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(api_list);
	free(abs_home);
	free(values_file);
	free(chart_dir);
	buf_release(&values);
	buf_release(&rendered);
	buf_release(&host);
	buf_release(&vname);
	buf_release(&release);
	buf_release(&tmp);
	buf_release(&hlog);
	return error;
}
