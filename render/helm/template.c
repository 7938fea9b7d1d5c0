/*
 * helm_template: the steps of `helm template` (pkg/cmd/template.go and
 * action.Install in client-only mode) over the library's parts.
 */
#include "render/helm/template.h"
#include "render/helm/postrender.h"

#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/chart.h"
#include "render/helm/engine.h"
#include "render/helm/helm_int.h"
#include "render/helm/schema.h"
#include "render/helm/strvals.h"
#include "render/helm/values.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/tmpl.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* What helm_template_dir does while the chart directory is read: the
 * user's values (their errors come first, as in Helm) and, unless the
 * caller brought one, the function registry. */
struct S_before_load {
	json_t **vals;
	const struct helm_template_opts *o;
	struct tmpl_funcs **funcs;
	struct diag *d;
};

static int S_before_load(void *arg)
{
	struct S_before_load *bl = arg;
	int error;

	if ((error = S_user_values(bl->vals, bl->o, bl->d)) < 0)
		return error;
	if (bl->funcs && (error = helm_engine_funcs(bl->funcs)) < 0)
		return diag_set(bl->d, error, "out of memory");
	return 0;
}

/* A label of a release name: [a-z0-9]([-a-z0-9]*[a-z0-9])? */
static int S_name_label(const char *s, size_t n)
{
	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int helm_validate_release_name(const char *name, struct diag *d)
{
	const char *p = name;

	if (!*name)
		return diag_set(d, DIAG_EINVALID, "no name provided");
	if (strlen(name) <= 53) {
		for (;;) {
			const char *dot = strchr(p, '.');
			size_t n = dot ? (size_t)(dot - p) : strlen(p);
			if (!S_name_label(p, n))
				break;
			if (!dot)
				return 0;
			p = dot + 1;
		}
	}
	return diag_set(d, DIAG_EINVALID, "invalid release name, must match regex "
			"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ "
			"and the length must not be longer than 53");
}

/* Sprig's own fail, env and expandenv, which Helm's engine replaces or
 * removes but TemplateName's sprig.TxtFuncMap() keeps. */
static int S_sprig_fail(struct tval *out, struct tmpl_call *call, int argc,
			const struct tval *argv)
{
	(void)out;
	(void)argc;
	return tmpl_call_errorf(call, "%s", tval_str_ptr(&argv[0], NULL));
}

static int S_sprig_env(struct tval *out, struct tmpl_call *call, int argc,
		       const struct tval *argv)
{
	const char *v = getenv(tval_str_ptr(&argv[0], NULL));

	(void)argc;
	*out = tval_str(v ? v : "");
	return out->kind == TV_INVALID ? tmpl_call_errorf(call, "out of memory") : 0;
}

static const char *S_getenv(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

/* os.ExpandEnv: $NAME and ${NAME} replaced by the variable's value. */
static int S_sprig_expandenv(struct tval *out, struct tmpl_call *call, int argc,
			     const struct tval *argv)
{
	size_t n;
	const char *s = tval_str_ptr(&argv[0], &n);
	struct buf b = BUF_INIT;

	(void)argc;
	if (helm__os_expand(&b, s, n, S_getenv, NULL) < 0)
		*out = tval_invalid();
	else
		*out = tval_strn(b.ptr ? b.ptr : "", b.len);
	buf_release(&b);
	return out->kind == TV_INVALID ? tmpl_call_errorf(call, "out of memory") : 0;
}

static const struct tmpl_func S_name_funcs[] = {
	{ "fail", S_sprig_fail, "s", 0, NULL },
	{ "env", S_sprig_env, "s", TMPL_FN_NOERR, NULL },
	{ "expandenv", S_sprig_expandenv, "s", TMPL_FN_NOERR, NULL },
};

/* TemplateName: text/template with Sprig's functions only, executed with
 * nil data, as template "name-template". */
static int S_name_template(char **out, size_t *len_out, const char *text, struct diag *d)
{
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	struct tval nil = TVAL_INIT;
	struct buf name = BUF_INIT;
	int error;

	if ((error = tmpl_funcs_new(&funcs)) < 0 || (error = sprig_register(funcs)) < 0 ||
	    (error = tmpl_funcs_add(funcs, S_name_funcs,
				    sizeof(S_name_funcs) / sizeof(S_name_funcs[0]))) < 0 ||
	    (error = tmpl_set_new(&set, funcs)) < 0 ||
	    (error = tmpl_rt_new(&rt, NULL, TMPL_MISSINGKEY_DEFAULT)) < 0) {
		diag_set(d, error, "out of memory");
		goto cleanup;
	}
	if ((error = tmpl_set_parse(set, "name-template", text, strlen(text), d)) < 0 ||
	    (error = tmpl_execute(&name, set, "name-template", &nil, rt, d)) < 0)
		goto cleanup;
	if (buf_oom(&name)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto cleanup;
	}
	*out = buf_detach(&name, len_out);
	if (!*out)
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
cleanup:
	buf_release(&name);
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
	return error;
}

char *helm_path_join(const char *dir, const char *name)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	const char *p;
	size_t keep = 0;   /* bytes of out that ".." may not remove */
	int rooted;

	buf_adds(&in, dir);
	if (*dir && *name)
		buf_addch(&in, '/');
	buf_adds(&in, name);
	if (buf_oom(&in))
		goto fail;
	rooted = in.ptr[0] == '/';
	if (rooted) {
		buf_addch(&out, '/');
		keep = 1;
	}
	for (p = in.ptr; *p;) {
		const char *e = p;
		size_t n;
		while (*e && *e != '/')
			e++;
		n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* empty or "." */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (out.len > keep) {
				size_t l = out.len;
				while (l > keep && out.ptr[l - 1] != '/')
					l--;
				buf_truncate(&out, l > keep ? l - 1 : l);
			} else if (!rooted) {
				if (out.len)
					buf_addch(&out, '/');
				buf_adds(&out, "..");
				keep = out.len;
			}
		} else {
			if (out.len > (size_t)rooted)
				buf_addch(&out, '/');
			buf_add(&out, p, n);
		}
		p = *e ? e + 1 : e;
	}
	if (!out.len)
		buf_addch(&out, '.');
	buf_release(&in);
	if (buf_oom(&out))
		goto fail;
	return buf_detach(&out, NULL);
fail:
	buf_release(&in);
	buf_release(&out);
	return NULL;
}

/* The loader's log.Printf lines (slog's default handler: level=INFO) for
 * c and its subcharts, as loading meets them: a chart, then its subcharts. */
static void S_load_warnings(struct buf *log, const struct chart *c, int depth)
{
	if (!log || depth > 64)
		return;
	if (c->load_warnings & CHART_WARN_REQUIREMENTS_LOCK)
		buf_adds(log, "level=INFO msg=\"Warning: Dependency locking is handled in Chart.lock "
			 "since apiVersion \\\"v2\\\". We recommend migrating to Chart.lock.\"\n");
	if (c->load_warnings & CHART_WARN_REQUIREMENTS_YAML)
		buf_adds(log, "level=INFO msg=\"Warning: Dependencies are handled in Chart.yaml since "
			 "apiVersion \\\"v2\\\". We recommend migrating dependencies to Chart.yaml.\"\n");
	for (size_t i = 0; i < c->ndeps; i++)
		S_load_warnings(log, c->deps[i], depth + 1);
}

/* slog's text form of an ERROR line: level=ERROR msg="MSG" error="ERR". */
static void S_log_error(struct buf *log, const char *msg, const char *err)
{
	if (!log)
		return;
	buf_adds(log, "level=ERROR msg=");
	tmpl_quote(log, msg, strlen(msg));
	buf_adds(log, " error=");
	tmpl_quote(log, err, strlen(err));
	buf_addch(log, '\n');
}

/* ValidateAgainstSchema's DEBUG lines for c and, recursively, each
 * subchart whose values are a table. */
static void S_debug_schema(struct buf *log, const struct chart *c, const json_t *vals,
			   int depth)
{
	struct buf n = BUF_INIT, schema = BUF_INIT;

	if (!log || depth > 64)
		return;
	if (c->schema) {
		const char *kv[2] = { "chart-name", c->name };
		helm__log(log, "DEBUG", "chart name", kv, 2);
		buf_add(&schema, c->schema, c->schema_len);
		kv[0] = "schema";
		kv[1] = schema.ptr;
		helm__log(log, "DEBUG", "unmarshalled JSON schema", kv, 2);
	}
	buf_addf(&n, "%zu", c->ndeps);
	{
		const char *kv[4] = { "chart", c->name, "dependencies", n.ptr };
		helm__log(log, "DEBUG", "number of dependencies in the chart", kv, 4);
	}
	for (size_t i = 0; i < c->ndeps; i++) {
		const json_t *sv = json_object_get(vals, c->deps[i]->name);
		if (json_is_object(sv))
			S_debug_schema(log, c->deps[i], sv, depth + 1);
	}
	buf_release(&n);
	buf_release(&schema);
}

int helm_template_dir(struct helm_outfiles *files, struct buf *out, struct buf *log,
		      const struct helm_template_opts *o, int *debug_hint, struct diag *d)
{
	static const char *const system_labels[] = { "name", "owner", "status", "version",
						     "createdAt", "modifiedAt" };
	struct helm_release rel = { NULL, NULL, 1, 1, 0 };
	struct helm_rendered res = HELM_RENDERED_INIT;
	struct tmpl_funcs *own_funcs = NULL;
	const struct tmpl_funcs *funcs = o->funcs;
	struct chart *chart = NULL;
	struct buf text = BUF_INIT;
	char *tname = NULL, *rel_dir = NULL;
	size_t name_len = 0;
	json_t *vals = NULL, *top = NULL;
	size_t i, k;
	int error;

	if (debug_hint)
		*debug_hint = 0;
	if (o->output_dir && *o->output_dir && !files)
		return diag_set(d, DIAG_EINVALID, "--output-dir needs helm_template_dir's file list");
	rel.namespace = o->namespace ? o->namespace : "default";
	/* only `helm template` (a dry run) honours --is-upgrade */
	rel.is_upgrade = o->is_upgrade != 0;
	rel.is_install = !rel.is_upgrade;

	/* template.go checks --kube-version before anything else, then
	 * NameAndChart picks the name */
	if ((error = helm_check_caps(&o->caps, d)) < 0)
		goto cleanup;
	if (o->debug && log) {
		/* runInstall's first line (--version is always empty here) */
		const char *kv[2] = { "version", "" };
		helm__log(log, "DEBUG", "Original chart version", kv, 2);
	}
	if (o->release_name && o->generate_name) {
		error = diag_set(d, DIAG_EINVALID, "cannot set --generate-name and also specify a name");
		goto cleanup;
	}
	if (o->release_name && o->name_template && *o->name_template) {
		error = diag_set(d, DIAG_EINVALID, "cannot set --name-template and also specify a name");
		goto cleanup;
	}
	if (o->release_name)
		rel.name = o->release_name;
	else if (o->name_template && *o->name_template) {
		if ((error = S_name_template(&tname, &name_len, o->name_template, d)) < 0)
			goto cleanup;
		rel.name = tname;
	} else
		rel.name = "release-name";

	if ((error = chart_locate(o->chart, d)) < 0)
		goto cleanup;
	if (o->debug && log) {
		/* LocateChart's filepath.Abs */
		char *abs = NULL, cwd[4096];
		if (o->chart[0] == '/')
			abs = helm_path_join(o->chart, "");
		else if (getcwd(cwd, sizeof(cwd)))
			abs = helm_path_join(cwd, o->chart);
		if (abs) {
			const char *kv[2] = { "path", abs };
			helm__log(log, "DEBUG", "Chart path", kv, 2);
		}
		free(abs);
	}
	{
		struct S_before_load bl = { &vals, o, funcs ? NULL : &own_funcs, d };
		if ((error = chart_load_dir_beside(&chart, o->chart, S_before_load, &bl, o->threads,
						   d)) < 0)
			goto cleanup;
	}
	S_load_warnings(log, chart, 0);
	if ((error = chart_check_installable(chart, d)) < 0) {
		if (o->dependency_update && error == DIAG_ENOTFOUND && d) {
			/* man.Update() would download them: hydrate never does */
			const char *why = strstr(d->msg.ptr, "missing dependencies: ");
			struct buf m = BUF_INIT;
			buf_adds(&m, why ? why + 22 : d->msg.ptr);
			diag_set(d, error, "--dependency-update: hydrate renders offline and does not "
				 "download chart dependencies: %s", m.ptr);
			buf_release(&m);
		}
		goto cleanup;
	}
	if (log && json_is_true(json_object_get(chart->meta_map, "Deprecated")))
		buf_adds(log, "level=WARN msg=\"this chart is deprecated\"\n");
	if (!name_len)
		name_len = strlen(rel.name);
	/* a name with a NUL (from --name-template) is never valid */
	if ((error = name_len != strlen(rel.name) ?
		     diag_set(d, DIAG_EINVALID, "invalid release name, must match regex "
			      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ "
			      "and the length must not be longer than 53") :
		     helm_validate_release_name(rel.name, d)) < 0) {
		/* availableName's wrapping, logged by action.Install first */
		struct buf m = BUF_INIT;
		buf_adds(&m, "release name ");
		tmpl_quote(&m, rel.name, name_len);
		buf_addf(&m, ": %s", d ? d->msg.ptr : "");
		S_log_error(log, "release name check failed", m.ptr);
		diag_set(d, error, "release name check failed: %s", m.ptr);
		buf_release(&m);
		goto cleanup;
	}
	if ((error = chart_process_deps(chart, vals, log, d)) < 0) {
		diag_prefix(d, "chart dependencies processing failed");
		goto cleanup;
	}
	if ((error = chart_coalesce_log(&top, chart, vals, 0, log, d)) < 0)
		goto cleanup;
	if (o->debug && !o->skip_schema_validation)
		S_debug_schema(log, chart, top, 0);
	if ((!o->skip_schema_validation &&
	     (error = helm_schema_validate_chart(chart, top, d)) < 0))
		goto cleanup;
	for (i = 0; i < o->nlabel_keys; i++)
		for (k = 0; k < sizeof(system_labels) / sizeof(system_labels[0]); k++)
			if (strcmp(o->label_keys[i], system_labels[k]) == 0) {
				error = diag_set(d, DIAG_EINVALID, "user supplied labels contains system "
						 "reserved label name. System labels: [name owner "
						 "status version createdAt modifiedAt]");
				goto cleanup;
			}
	if (!funcs)
		funcs = own_funcs;
	if (debug_hint)
		*debug_hint = 1;
	if ((error = helm_render(&res, chart, top, &rel, &o->caps, funcs, o->threads, d)) < 0)
		goto cleanup;
	if (o->post_renderer && *o->post_renderer) {
		struct helm_plugin *plugin = NULL;
		if ((error = helm_plugin_find(&plugin, o->post_renderer, d)) < 0)
			goto cleanup;
		error = helm_postrender(&res, plugin, o->post_renderer_args,
					o->npost_renderer_args, o->debug ? log : NULL, d);
		helm_plugin_free(plugin);
		if (error < 0)
			goto cleanup;
	}
	if (o->output_dir && *o->output_dir) {
		if (o->use_release_name && !(rel_dir = helm_path_join(o->output_dir, rel.name))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto cleanup;
		}
		if ((error = helm_manifest_dir(files, &res, chart, o->flags, o->output_dir, rel_dir,
					       log, d)) < 0)
			goto cleanup;
		/* rel.Manifest is empty: template.go prints its one newline */
		buf_addch(out, '\n');
		if (o->nshow_only) {
			/* no manifest is left to show: Helm fails after writing the
			 * files, hydrate before writing anything */
			if (debug_hint)
				*debug_hint = 0;
			error = diag_set(d, DIAG_ENOTFOUND, "could not find template %s in chart",
					 o->show_only[0]);
		}
		goto cleanup;
	}
	if ((error = helm_manifest(o->nshow_only ? &text : out, &res, chart, o->flags, log, d)) < 0)
		goto cleanup;
	if (o->nshow_only) {
		if (debug_hint)
			*debug_hint = 0;   /* template.go's own error: no --debug hint */
		error = helm_show_only(out, text.ptr, text.len, o->show_only, o->nshow_only, d);
	}
cleanup:
	if (!error && buf_oom(out))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	free(tname);
	free(rel_dir);
	buf_release(&text);
	helm_rendered_release(&res);
	tmpl_funcs_free(own_funcs);
	chart_free(chart);
	json_decref(vals);
	json_decref(top);
	return error;
}

int helm_template(struct buf *out, struct buf *log, const struct helm_template_opts *o,
		  int *debug_hint, struct diag *d)
{
	return helm_template_dir(NULL, out, log, o, debug_hint, d);
}
