/*
 * Helm's engine: collect templates, parse them into one set, execute each
 * non-partial (Helm v4.1.4 pkg/engine/engine.go). See engine.h.
 */
#include "render/helm/engine.h"
#include "render/diag.h"
#include "render/helm/chart.h"
#include "render/jtree.h"
#include "render/helm/objects.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/helm_funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/tmpl.h"
#include "render/tmpl/tval.h"

#include <stdlib.h>
#include <string.h>

void helm_rendered_release(struct helm_rendered *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		buf_release(&r->v[i].text);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

int helm_engine_funcs(struct tmpl_funcs **out)
{
	struct tmpl_funcs *r = NULL;
	int error;

	*out = NULL;
	if ((error = tmpl_funcs_new(&r)) < 0)
		return error;
	if ((error = sprig_register(r)) < 0 || (error = helm_funcs_register(r)) < 0) {
		tmpl_funcs_free(r);
		return error;
	}
	*out = r;
	return 0;
}

/* renderResources' check of the root chart's kubeVersion constraint
 * (IsCompatibleRange through Sprig's semverCompare, both Masterminds/semver). */
static int S_check_kube_version(const struct chart *c, const struct tmpl_funcs *funcs,
				const struct tobj *caps, struct diag *d)
{
	const char *want = json_string_value(json_object_get(c->meta_map, "KubeVersion"));
	const struct tmpl_func *cmp = tmpl_funcs_find(funcs, "semverCompare");
	struct tval argv[2] = { TVAL_INIT, TVAL_INIT }, res = TVAL_INIT;
	struct buf msg = BUF_INIT;
	struct tmpl_rt *rt = NULL;
	struct tmpl_call call;
	int ok = 0, error;

	if (!want || !*want)
		return 0;
	if (!cmp)
		return diag_set(d, DIAG_EGENERIC, "semverCompare is not registered");
	if ((error = tmpl_rt_new(&rt, NULL, TMPL_MISSINGKEY_ZERO)) < 0)
		return diag_set(d, error, "out of memory");
	/* a constraint or version that does not parse is incompatible */
	memset(&call, 0, sizeof(call));
	call.func = cmp;
	call.rt = rt;
	call.payload = cmp->payload;
	call.errmsg = &msg;
	argv[0] = tval_str(want);
	argv[1] = tval_str(helm_capabilities_kube_string(caps));
	if (argv[0].kind == TV_STRING && argv[1].kind == TV_STRING &&
	    cmp->fn(&res, &call, 2, argv) == 0 && res.kind == TV_BOOL)
		ok = res.u.b;
	tval_release(&res);
	tval_release(&argv[0]);
	tval_release(&argv[1]);
	buf_release(&msg);
	tmpl_rt_free(rt);
	if (!ok)
		return diag_set(d, DIAG_EINVALID, "chart requires kubeVersion: %s which is "
				"incompatible with Kubernetes %s", want,
				helm_capabilities_kube_version(caps));
	return 0;
}

int helm_check_caps(const struct helm_caps *caps, struct diag *d)
{
	struct helm_funcs_state st = HELM_FUNCS_STATE_INIT;
	const struct tobj *o = NULL;
	int error = helm_capabilities_new(&o, &st, caps, d);

	helm_funcs_state_release(&st);
	return error;
}

static size_t S_slashes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '/';
	return n;
}

/* One template to parse and maybe execute (renderable). */
struct renderable {
	char *name;                 /* full name */
	const struct chart_file *f; /* borrowed */
	json_t *dot;                /* borrowed from the dots list */
	char *base_path;
	size_t slashes;             /* '/' in name, for the parse order */
};

struct collect {
	struct renderable *v;
	size_t n, cap;
	json_t *dots;               /* owns every chart's dot */
	struct tmpl_rt *rt;
	struct helm_funcs_state *st;
	json_t *release;
	json_t *caps_box;
};

static json_t *S_box(struct tmpl_rt *rt, struct tval v)
{
	json_t *j = tval_to_json(rt, &v);

	tval_release(&v);
	return j;
}

/* "a/b" as a new string, or NULL. */
static char *S_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* recAllTpls: the dot of chart c, its templates, and its subcharts' dots. */
static int S_collect(struct collect *cl, const struct chart *c, json_t *values, int depth,
		     json_t **dot_out)
{
	json_t *next = json_object(), *subs = json_object(), *vals;
	struct buf full = BUF_INIT;
	const struct tobj *files = NULL;
	const struct chart_file **fl = NULL;
	int error = DIAG_ENOMEM;
	size_t i;

	*dot_out = NULL;
	if (depth > 64) {
		error = DIAG_ELIMIT;
		goto done;
	}
	if (!next || !subs || json_array_append(cl->dots, next) < 0)
		goto done;
	if (c->nfiles && !(fl = calloc(c->nfiles, sizeof(*fl))))
		goto done;
	for (i = 0; i < c->nfiles; i++)
		fl[i] = &c->files[i];
	if ((error = helm_files_new(&files, cl->st, fl, c->nfiles)) < 0)
		goto done;
	error = DIAG_ENOMEM;
	vals = json_is_object(values) ? values : NULL;
	if (json_object_set_new(next, "Chart", jtree_copy(c->meta_map)) < 0 ||
	    json_object_set_new(next, "Files", S_box(cl->rt, tval_obj(files))) < 0 ||
	    json_object_set(next, "Release", cl->release) < 0 ||
	    json_object_set(next, "Capabilities", cl->caps_box) < 0 ||
	    json_object_set(next, "Subcharts", subs) < 0)
		goto done;
	if (!vals)
		vals = json_object();
	else
		json_incref(vals);
	if (!vals || json_object_set_new(next, "Values",
					 S_box(cl->rt, tval_json_new(TV_VALUES, vals))) < 0)
		goto done;
	for (i = 0; i < c->ndeps; i++) {
		json_t *sub_vals = json_object_get(vals, c->deps[i]->name), *sub_dot;
		if ((error = S_collect(cl, c->deps[i], sub_vals, depth + 1, &sub_dot)) < 0)
			goto done;
		error = DIAG_ENOMEM;
		if (json_object_set(subs, c->deps[i]->name, sub_dot) < 0)
			goto done;
	}
	if (chart_full_path(&full, c) < 0 || buf_oom(&full))
		goto done;
	for (i = 0; i < c->ntemplates; i++) {
		const struct chart_file *t = &c->templates[i];
		const char *base = strrchr(t->name, '/');
		struct renderable *r;
		base = base ? base + 1 : t->name;
		if (c->is_library && base[0] != '_')
			continue;
		if (cl->n == cl->cap) {
			size_t cap = cl->cap ? cl->cap * 2 : 32;
			struct renderable *nv = realloc(cl->v, cap * sizeof(*nv));
			if (!nv)
				goto done;
			cl->v = nv;
			cl->cap = cap;
		}
		r = &cl->v[cl->n];
		memset(r, 0, sizeof(*r));
		r->f = t;
		r->dot = next;
		r->name = S_join(full.ptr, t->name);
		r->base_path = S_join(full.ptr, "templates");
		if (!r->name || !r->base_path) {
			free(r->name);
			free(r->base_path);
			goto done;
		}
		r->slashes = S_slashes(r->name);
		cl->n++;
	}
	*dot_out = next;
	error = 0;
done:
	json_decref(next);
	json_decref(subs);
	free(fl);
	buf_release(&full);
	return error;
}

/* sort.Reverse(byPathLen): more slashes first; same depth, reverse lexical. */
static int S_cmp_parse_order(const void *a, const void *b)
{
	const struct renderable *x = a, *y = b;

	if (x->slashes != y->slashes)
		return x->slashes < y->slashes ? 1 : -1;
	return -strcmp(x->name, y->name);
}

static int S_cmp_rendered(const void *a, const void *b)
{
	const struct helm_rendered_file *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static json_t *S_release_map(struct tmpl_rt *rt, const struct helm_release *rel)
{
	json_t *m = json_object();
	struct tval rev = tval_int(rel->revision);

	if (!m)
		return NULL;
	if (json_object_set_new(m, "Name", json_string(rel->name ? rel->name : "")) < 0 ||
	    json_object_set_new(m, "Namespace",
				json_string(rel->namespace ? rel->namespace : "default")) < 0 ||
	    json_object_set_new(m, "IsUpgrade", json_boolean(rel->is_upgrade)) < 0 ||
	    json_object_set_new(m, "IsInstall", json_boolean(rel->is_install)) < 0 ||
	    /* a Go int: boxed so that typeOf says "int" */
	    json_object_set_new(m, "Revision", tval_to_json(rt, &rev)) < 0 ||
	    json_object_set_new(m, "Service", json_string("Helm")) < 0) {
		json_decref(m);
		return NULL;
	}
	return m;
}

/* Puts Helm's rewrite of an engine error into d. */
static int S_helm_error(struct diag *d, int code)
{
	struct buf m = BUF_INIT;
	int error;

	if (code == DIAG_ENOMEM)
		return diag_set(d, code, "out of memory");
	tmpl_helm_error(&m, code, d->msg.ptr);
	error = buf_oom(&m) ? diag_set(d, DIAG_ENOMEM, "out of memory")
			    : diag_set(d, code, "%s", m.ptr);
	buf_release(&m);
	return error;
}

int helm_render(struct helm_rendered *out, const struct chart *c, json_t *vals,
		const struct helm_release *rel, const struct helm_caps *caps,
		const struct tmpl_funcs *funcs, unsigned threads, struct diag *d)
{
	const struct tobj *caps_obj = NULL;
	struct tmpl_text *texts = NULL;
	struct collect cl = { NULL, 0, 0, NULL, NULL, NULL, NULL, NULL };
	struct helm_funcs_state st = HELM_FUNCS_STATE_INIT;
	struct helm_rendered res = HELM_RENDERED_INIT;
	struct tmpl_set *set = NULL;
	json_t *root_dot = NULL;
	size_t i;
	int error;

	out->v = NULL;
	out->n = 0;
	if ((error = tmpl_rt_new(&cl.rt, NULL, TMPL_MISSINGKEY_ZERO)) < 0 ||
	    (error = tmpl_set_new(&set, funcs)) < 0) {
		diag_set(d, error, "out of memory");
		goto done;
	}
	tmpl_rt_set_userdata(cl.rt, &st);
	cl.st = &st;
	if ((error = helm_capabilities_new(&caps_obj, &st, caps, d)) < 0 ||
	    (error = S_check_kube_version(c, funcs, caps_obj, d)) < 0)
		goto done;
	cl.dots = json_array();
	cl.release = S_release_map(cl.rt, rel);
	cl.caps_box = S_box(cl.rt, tval_obj(caps_obj));
	if (!cl.dots || !cl.release || !cl.caps_box) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = S_collect(&cl, c, vals, 0, &root_dot)) < 0) {
		diag_set(d, error, error == DIAG_ELIMIT ? "subcharts nested too deeply"
							: "out of memory");
		goto done;
	}
	if (cl.n)
		qsort(cl.v, cl.n, sizeof(*cl.v), S_cmp_parse_order);
	if (cl.n && !(texts = calloc(cl.n, sizeof(*texts)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < cl.n; i++) {
		/* the chart (and its files) outlives the set */
		texts[i].name = cl.v[i].name;
		texts[i].text = cl.v[i].f->data;
		texts[i].len = cl.v[i].f->len;
	}
	if ((error = tmpl_set_parse_many(set, texts, cl.n, threads, d)) < 0) {
		S_helm_error(d, error);
		goto done;
	}
	if (cl.n && !(res.v = calloc(cl.n, sizeof(*res.v)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < cl.n; i++) {
		const struct renderable *r = &cl.v[i];
		const char *base = strrchr(r->name, '/');
		struct helm_rendered_file *rf;
		json_t *tmpl_vals;
		struct tval dot;

		base = base ? base + 1 : r->name;
		if (base[0] == '_')
			continue;
		tmpl_vals = json_object();
		if (!tmpl_vals ||
		    json_object_set_new(tmpl_vals, "Name", json_string(r->name)) < 0 ||
		    json_object_set_new(tmpl_vals, "BasePath", json_string(r->base_path)) < 0) {
			json_decref(tmpl_vals);
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		/* tval_json_new steals tmpl_vals, S_box releases the tval */
		if (json_object_set_new(r->dot, "Template",
					S_box(cl.rt, tval_json_new(TV_VALUES, tmpl_vals))) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		rf = &res.v[res.n];
		rf->name = strdup(r->name);
		buf_init(&rf->text, 0);
		res.n++;
		if (!rf->name) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		dot = tval_json_new(TV_VALUES, json_incref(r->dot));
		error = tmpl_execute(&rf->text, set, r->name, &dot, cl.rt, d);
		tval_release(&dot);
		if (error < 0) {
			S_helm_error(d, error);
			goto done;
		}
		tmpl_strip_no_value(&rf->text);
		buf_shrink(&rf->text); /* kept until the manifest is printed */
		if (buf_oom(&rf->text)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (res.n)
		qsort(res.v, res.n, sizeof(*res.v), S_cmp_rendered);
	*out = res;
	res.v = NULL;
	res.n = 0;
	error = 0;
done:
	helm_rendered_release(&res);
	for (i = 0; i < cl.n; i++) {
		free(cl.v[i].name);
		free(cl.v[i].base_path);
	}
	free(cl.v);
	free(texts);
	/* dots hold boxes that refer to each other: break the cycles first */
	if (cl.dots) {
		json_t *dot;
		json_array_foreach(cl.dots, i, dot)
			json_object_clear(dot);
	}
	json_decref(cl.dots);
	json_decref(cl.release);
	json_decref(cl.caps_box);
	tmpl_set_free(set);
	tmpl_rt_free(cl.rt);
	helm_funcs_state_release(&st);
	return error;
}
