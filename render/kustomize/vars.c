/*
 * vars (kustomize's types.Var, ResAccumulator.MergeVars/ResolveVars and
 * api/filters/refvar): a var names a field of one resource; $(NAME) in the
 * varReference fields of every resource is replaced by its value.
 */
#include "render/kustomize/internal.h"
#include "render/gofloat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

static void var_string(struct buf *b, const char *name, const json_t *var, const char *fp);

/* The var's target gvk: apiVersion wins over group/version. */
static void target_gvk(const json_t *objref, char **group, char **version)
{
	const char *av = jstr(objref, "apiVersion");

	if (*av) {
		kapi_split(av, group, version);
	} else {
		*group = strdup(jstr(objref, "group"));
		*version = strdup(jstr(objref, "version"));
	}
}

static int add_refvar(struct kres *r, const char *name)
{
	char **nv = realloc(r->refvars, (r->nrefvars + 1) * sizeof(char *));

	if (!nv)
		return DIAG_ENOMEM;
	r->refvars = nv;
	if (!(r->refvars[r->nrefvars] = strdup(name)))
		return DIAG_ENOMEM;
	r->nrefvars++;
	return 0;
}

/* Adds every id of r under its kid_key to by_id and its group/version/kind/name to by_gvkn. */
static int index_res(struct kidx *by_id, struct kidx *by_gvkn, const struct kres *r, size_t pos)
{
	struct kid cur = KID_INIT, *prev = NULL;
	struct buf key = BUF_INIT;
	size_t np = 0;
	int error;

	if ((error = kres_cur_id(&cur, r)) < 0 || (error = kres_prev_ids(&prev, &np, r)) < 0)
		goto done;
	for (size_t j = 0; j <= np && !error; j++) {
		const struct kid *id = j < np ? &prev[j] : &cur;

		kid_key(&key, id);
		if (buf_oom(&key) || kidx_add(by_id, key.ptr, pos) < 0) {
			error = DIAG_ENOMEM;
			break;
		}
		buf_reset(&key);
		buf_addf(&key, "%s\x1f%s\x1f%s\x1f%s", id->group, id->version, id->kind, id->name);
		if (buf_oom(&key) || kidx_add(by_gvkn, key.ptr, pos) < 0)
			error = DIAG_ENOMEM;
	}
done:
	kid_release(&cur);
	kid_array_free(prev, np);
	buf_release(&key);
	return error;
}

int kvars_merge(json_t *set, const json_t *vars, struct kresmap *rm, struct diag *d)
{
	struct kidx by_id = KIDX_INIT, by_gvkn = KIDX_INIT;
	size_t i;
	json_t *v;
	int error = 0;

	/* The resources each var may name, found through indexes of all their ids
	 * instead of a scan of every resource per var. */
	for (i = 0; i < rm->len && json_array_size(vars) > 0; i++)
		if (index_res(&by_id, &by_gvkn, rm->v[i], i) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	json_array_foreach(vars, i, v) {
		const json_t *objref = json_object_get(v, "objref");
		const char *name = jstr(v, "name");
		char *g = NULL, *ver = NULL;
		struct kid tid = KID_INIT;
		struct kres *match = NULL;
		struct buf key = BUF_INIT;
		const size_t *at;
		size_t nmatch = 0;
		int use_ns;
		json_t *copy;

		if (!json_is_object(v)) {
			error = diag_set(d, DIAG_EINVALID, "a var must be a map");
			goto done;
		}
		target_gvk(objref, &g, &ver);
		if (!g || !ver || kid_set(&tid, g, ver, jstr(objref, "kind"), jstr(objref, "name"),
					  jstr(objref, "namespace")) < 0) {
			free(g);
			free(ver);
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		free(g);
		free(ver);
		use_ns = *tid.ns || tid.cluster_scoped;
		if (use_ns)
			kid_key(&key, &tid);
		else
			buf_addf(&key, "%s\x1f%s\x1f%s\x1f%s", tid.group, tid.version, tid.kind,
				 tid.name);
		if (buf_oom(&key)) {
			buf_release(&key);
			kid_release(&tid);
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		at = kidx_get(use_ns ? &by_id : &by_gvkn, key.ptr, &nmatch);
		buf_release(&key);
		if (nmatch > 0)
			match = rm->v[at[nmatch - 1]];
		kid_release(&tid);
		if (nmatch > 1) {
			struct buf vs = BUF_INIT;

			var_string(&vs, name, v, kres_str(v, "fieldref/fieldPath"));
			error = diag_set(d, DIAG_EINVALID,
					 "found %zu resId matches for var %s (unable to disambiguate)",
					 nmatch, vs.ptr);
			buf_release(&vs);
			goto done;
		}
		if (nmatch == 1 && add_refvar(match, name) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if (json_object_get(set, name)) {
			error = diag_set(d, DIAG_EINVALID, "var '%s' already encountered", name);
			goto done;
		}
		if (!(copy = json_deep_copy(v)) || json_object_set_new(set, name, copy) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	kidx_release(&by_id);
	kidx_release(&by_gvkn);
	return error;
}

int kvars_merge_set(json_t *set, const json_t *other, struct diag *d)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)other, k, v) {
		if (json_object_get(set, k))
			return diag_set(d, DIAG_EINVALID, "var '%s' already encountered", k);
		if (json_object_set(set, k, v) < 0)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	return 0;
}

/* RNode.GetFieldValue: "a.b[0].c" or "a.[name=x].b". */
static json_t *field_value(json_t *obj, const char *path)
{
	struct buf seg = BUF_INIT;
	json_t *cur = obj;
	const char *p = path;

	while (cur && *p) {
		const char *e;
		size_t n;

		if (*p == '[' && strchr(p, ']')) {
			e = strchr(p, ']') + 1;
			n = (size_t)(e - p);
		} else {
			e = p;
			while (*e && *e != '.' && *e != '[')
				e++;
			n = (size_t)(e - p);
		}
		buf_set(&seg, p, n);
		p = e;
		if (*p == '.')
			p++;
		if (seg.len == 0)
			continue;
		if (seg.ptr[0] == '[') {
			char *eq = strchr(seg.ptr, '=');

			seg.ptr[seg.len - 1] = '\0';
			if (eq && json_is_array(cur)) {
				size_t i;
				json_t *el, *found = NULL;

				*eq = '\0';
				json_array_foreach(cur, i, el)
					if (!strcmp(kres_str(el, seg.ptr + 1), eq + 1)) {
						found = el;
						break;
					}
				cur = found;
			} else if (json_is_array(cur)) {
				char *end;
				long idx = strtol(seg.ptr + 1, &end, 10);

				cur = *end || idx < 0 ? NULL : json_array_get(cur, (size_t)idx);
			} else {
				cur = NULL;
			}
		} else if (json_is_array(cur)) {
			char *end;
			long idx = strtol(seg.ptr, &end, 10);

			cur = *end || idx < 0 ? NULL : json_array_get(cur, (size_t)idx);
		} else {
			cur = json_object_get(cur, seg.ptr);
		}
	}
	buf_release(&seg);
	return cur;
}

struct refvar {
	const json_t *values; /* name -> value */
};

/* DoReplacements; returns a new value (the var's own type for "$(X)" alone). */
static json_t *expand(const char *in, const json_t *values)
{
	struct buf out = BUF_INIT;
	size_t n = strlen(in), checkpoint = 0;
	json_t *r;

	for (size_t c = 0; c < n; c++) {
		if (in[c] != '$' || c + 1 >= n)
			continue;
		buf_add(&out, in + checkpoint, c - checkpoint);
		if (in[c + 1] == '$') {
			buf_addch(&out, '$');
			c += 1;
		} else if (in[c + 1] == '(') {
			const char *close = strchr(in + c + 2, ')');

			if (!close) {
				buf_adds(&out, "$(");
				c += 1;
			} else {
				size_t len = (size_t)(close - (in + c + 2));
				char *name = strndup(in + c + 2, len);
				json_t *v = name ? json_object_get(values, name) : NULL;

				if (v && !json_is_object(v) && !json_is_array(v) && c == 0 &&
				    close == in + n - 1) {
					free(name);
					buf_release(&out);
					return json_deep_copy(v);
				}
				if (json_is_string(v))
					buf_adds(&out, json_string_value(v));
				else if (json_is_integer(v))
					buf_addf(&out, "%lld", (long long)json_integer_value(v));
				else if (json_is_real(v))
					gofloat_format(&out, json_real_value(v), 'g', -1, 64);
				else if (json_is_boolean(v))
					buf_adds(&out, json_is_true(v) ? "true" : "false");
				else
					buf_addf(&out, "$(%.*s)", (int)len, in + c + 2);
				free(name);
				c = (size_t)(close - in);
			}
		} else {
			buf_addch(&out, '$');
			buf_addch(&out, in[c + 1]);
			c += 1;
		}
		checkpoint = c + 1;
	}
	buf_add(&out, in + checkpoint, n - checkpoint);
	r = buf_oom(&out) ? NULL : json_stringn(out.ptr, out.len);
	buf_release(&out);
	return r;
}

static int replace_in(json_t *parent, const char *key, size_t idx, json_t *value,
		      const json_t *values, struct diag *d)
{
	json_t *nv;

	if (!json_is_string(value))
		return 0;
	if (!(nv = expand(json_string_value(value), values)))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if ((key ? json_object_set_new(parent, key, nv) : json_array_set_new(parent, idx, nv)) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	return 0;
}

static int set_refvar(json_t *parent, const char *key, size_t idx, json_t *value, void *payload,
		      struct diag *d)
{
	struct refvar *rv = payload;
	const char *k;
	json_t *v;
	size_t i;
	int error;

	if (!value || json_is_null(value))
		return 0;
	if (json_is_object(value)) {
		json_object_foreach(value, k, v)
			if ((error = replace_in(value, k, 0, v, rv->values, d)) < 0)
				return error;
		return 0;
	}
	if (json_is_array(value)) {
		json_array_foreach(value, i, v) {
			if (!json_is_string(v))
				return diag_set(d, DIAG_EEXEC, "invalid value type expect a string");
			if ((error = replace_in(value, NULL, i, v, rv->values, d)) < 0)
				return error;
		}
		return 0;
	}
	if (!parent)
		return 0;
	return replace_in(parent, key, idx, value, rv->values, d);
}

/* Go's %v of a types.Var: {NAME Kind.version.group {fieldPath}} (the embedded Gvk's
 * String method stands for the whole target). */
static void var_string(struct buf *b, const char *name, const json_t *var, const char *fp)
{
	const json_t *objref = json_object_get(var, "objref");
	char *g = NULL, *v = NULL;

	target_gvk(objref, &g, &v);
	buf_addf(b, "{%s ", name);
	kgvk_string(b, g ? g : "", v ? v : "", jstr(objref, "kind"));
	buf_addf(b, " {%s}}", fp);
	free(g);
	free(v);
}

int kvars_resolve(struct kresmap *rm, const json_t *set, const struct kfslist *varref,
		  struct diag *d)
{
	json_t *values = json_object();
	const char *name;
	json_t *var;
	int error = 0;

	if (!values)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	json_object_foreach((json_t *)set, name, var) {
		const char *fp = kres_str(var, "fieldref/fieldPath");
		json_t *val = NULL;
		int found = 0;

		if (!*fp)
			fp = "metadata.name";
		for (size_t i = 0; i < rm->len && !found; i++) {
			for (size_t j = 0; j < rm->v[i]->nrefvars; j++) {
				if (strcmp(rm->v[i]->refvars[j], name) != 0)
					continue;
				found = 1;
				if (!(val = field_value(rm->v[i]->obj, fp))) {
					struct buf vs = BUF_INIT;

					var_string(&vs, name, var, fp);
					error = diag_set(d, DIAG_EINVALID,
							 "field specified in var '%s' not found in "
							 "corresponding resource", vs.ptr);
					buf_release(&vs);
					goto done;
				}
				break;
			}
		}
		if (!found) {
			struct buf vs = BUF_INIT;

			var_string(&vs, name, var, fp);
			error = diag_set(d, DIAG_EINVALID,
					 "var '%s' cannot be mapped to a field in the set of known "
					 "resources", vs.ptr);
			buf_release(&vs);
			goto done;
		}
		json_object_set(values, name, val);
	}
	if (json_object_size(values) == 0)
		goto done;
	{
		struct refvar rv = { values };

		for (size_t i = 0; i < rm->len; i++)
			for (size_t j = 0; j < varref->len; j++) {
				struct kfspec fs = varref->v[j];

				fs.create = 0;
				if ((error = kfspec_apply(rm->v[i]->obj, &fs, -1, set_refvar, &rv, d)) < 0)
					goto done;
			}
	}
done:
	json_decref(values);
	return error;
}

void kvars_list_string(struct buf *b, const json_t *vars)
{
	size_t i;
	json_t *v;

	/* Go's %v of the []Var as the kustomization holds them: the target's own
	 * group/version fields (apiVersion not yet folded in). */
	buf_addch(b, '[');
	json_array_foreach(vars, i, v) {
		const json_t *objref = json_object_get(v, "objref");

		if (i)
			buf_addch(b, ' ');
		buf_addf(b, "{%s ", jstr(v, "name"));
		kgvk_string(b, jstr(objref, "group"), jstr(objref, "version"), jstr(objref, "kind"));
		buf_addf(b, " {%s}}", kres_str(v, "fieldref/fieldPath"));
	}
	buf_addch(b, ']');
}
