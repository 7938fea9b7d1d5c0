/*
 * replacements (kustomize's api/filters/replacement): copy a field of one
 * resource (or a literal sourceValue) into fields of the selected targets.
 * Paths are '.'-separated (kyaml's SmarterPathSplitter): field names,
 * list indexes, [key=value] element matchers (a regexp on targets, exact
 * on the source), and * for every element.
 */
#include "render/goscalar.h"
#include "render/kustomize/internal.h"
#include "render/gofloat.h"

#include <stdlib.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* utils.SmarterPathSplitter(path, "."). */
static int split_path(json_t **out, const char *path)
{
	json_t *parts = json_array(), *res = json_array();
	const char *p = path;
	size_t i;

	if (!parts || !res)
		goto oom;
	/* PathSplitter: split on '.', a trailing '\' glues the next part. */
	for (;;) {
		const char *e = strchr(p, '.');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		size_t np = json_array_size(parts);
		const char *prev = np ? json_string_value(json_array_get(parts, np - 1)) : NULL;

		if (prev && *prev && prev[strlen(prev) - 1] == '\\') {
			json_t *j = json_sprintf("%.*s.%.*s", (int)strlen(prev) - 1, prev, (int)n, p);

			if (!j || json_array_set_new(parts, np - 1, j) < 0)
				goto oom;
		} else if (json_array_append_new(parts, json_stringn(p, n)) < 0) {
			goto oom;
		}
		if (!e)
			break;
		p = e + 1;
	}
	for (i = 0; i < json_array_size(parts); i++) {
		const char *el = json_string_value(json_array_get(parts, i));
		size_t len = strlen(el);

		if (el[0] == '[' && (len == 0 || el[len - 1] != ']')) {
			struct buf b = BUF_INIT;

			buf_adds(&b, el);
			while (i + 1 < json_array_size(parts)) {
				const char *nx = json_string_value(json_array_get(parts, ++i));

				buf_addch(&b, '.');
				buf_adds(&b, nx);
				if (*nx && nx[strlen(nx) - 1] == ']')
					break;
			}
			if (strchr(b.ptr, '=')) {
				json_array_append_new(res, json_string(b.ptr));
			} else {
				size_t a = 0, z = b.len;

				while (a < z && (b.ptr[a] == '[' || b.ptr[a] == ']'))
					a++;
				while (z > a && (b.ptr[z - 1] == '[' || b.ptr[z - 1] == ']'))
					z--;
				json_array_append_new(res, json_stringn(b.ptr + a, z - a));
			}
			buf_release(&b);
		} else {
			json_array_append_new(res, json_string(el));
		}
	}
	json_decref(parts);
	*out = res;
	return 0;
oom:
	json_decref(parts);
	json_decref(res);
	return DIAG_ENOMEM;
}

static int is_index(const char *s)
{
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

static int is_matcher(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && s[0] == '[' && s[n - 1] == ']';
}

/* Scalar text as kyaml holds it. */
static int scalar_text(struct buf *b, const json_t *v)
{
	if (json_is_string(v))
		buf_add(b, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		buf_addf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		gofloat_format(b, json_real_value(v), 'g', -1, 64);
	else if (json_is_true(v))
		buf_adds(b, "true");
	else if (json_is_false(v))
		buf_adds(b, "false");
	else if (json_is_null(v))
		buf_adds(b, "null");
	else
		return -1;
	return 0;
}

/* The source lookup (kyaml's PathGetter): exact element matches. */
static json_t *lookup_source(json_t *node, json_t *path)
{
	size_t i;
	json_t *p;

	json_array_foreach(path, i, p) {
		const char *s = json_string_value(p);

		if (!node)
			return NULL;
		if (is_matcher(s) && json_is_array(node)) {
			char *inner = strndup(s + 1, strlen(s) - 2), *eq;
			json_t *found = NULL, *e;
			size_t k;

			if (!inner || !(eq = strchr(inner, '='))) {
				free(inner);
				return NULL;
			}
			*eq = '\0';
			json_array_foreach(node, k, e) {
				struct buf t = BUF_INIT;
				json_t *f = *inner ? json_object_get(e, inner) : e;

				if (f && scalar_text(&t, f) == 0 && !strcmp(t.ptr, eq + 1))
					found = e;
				buf_release(&t);
				if (found)
					break;
			}
			free(inner);
			node = found;
		} else if (is_index(s) && json_is_array(node)) {
			node = json_array_get(node, (size_t)atol(s));
		} else if (json_is_object(node)) {
			node = json_object_get(node, s);
		} else {
			return NULL;
		}
	}
	return node;
}

struct target_ref {
	json_t *parent;
	char *key; /* NULL: index idx of an array */
	size_t idx;
};

struct targets {
	struct target_ref *v;
	size_t len, alloc;
};

static void targets_release(struct targets *t)
{
	for (size_t i = 0; i < t->len; i++)
		free(t->v[i].key);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static int targets_add(struct targets *t, json_t *parent, const char *key, size_t idx)
{
	if (t->len == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 8;
		struct target_ref *nv = realloc(t->v, na * sizeof(*nv));

		if (!nv)
			return DIAG_ENOMEM;
		t->v = nv;
		t->alloc = na;
	}
	t->v[t->len].parent = parent;
	t->v[t->len].key = key ? strdup(key) : NULL;
	t->v[t->len].idx = idx;
	if (key && !t->v[t->len].key)
		return DIAG_ENOMEM;
	t->len++;
	return 0;
}

/* A new empty node of the kind the next path part needs. A scalar made here
 * is the one-byte string "\0" until set_target sets it (is_created). */
static json_t *new_for(json_t *path, size_t i, int create_kind)
{
	const char *next = i + 1 < json_array_size(path) ?
		json_string_value(json_array_get(path, i + 1)) : NULL;

	if (!next)
		return create_kind == JSON_OBJECT ? json_object() :
		       create_kind == JSON_ARRAY ? json_array() : json_stringn("", 1);
	if (is_matcher(next) || is_index(next))
		return json_array();
	return json_object();
}

/* kyaml's PathMatcher over targets; collects the matched nodes' slots. */
static int match_path(struct targets *out, json_t *parent, const char *key, size_t idx,
		      json_t *node, json_t *path, size_t i, int create, int create_kind,
		      struct diag *d)
{
	const char *s;
	int error;

	if (i == json_array_size(path))
		return targets_add(out, parent, key, idx);
	if (!node)
		return 0;
	s = json_string_value(json_array_get(path, i));
	if (is_index(s)) {
		size_t k = (size_t)atol(s);

		if (!json_is_array(node))
			return diag_set(d, DIAG_EEXEC, "wrong node kind: expected SequenceNode");
		if (k == json_array_size(node) && create)
			json_array_append_new(node, new_for(path, i, create_kind));
		if (k >= json_array_size(node))
			return diag_set(d, DIAG_EEXEC, "index %zu specified but only %zu elements found",
					k, json_array_size(node));
		return match_path(out, node, NULL, k, json_array_get(node, k), path, i + 1, create,
				  create_kind, d);
	}
	if (is_matcher(s)) {
		char *inner = strndup(s + 1, strlen(s) - 2), *eq;
		size_t before = out->len, k;
		json_t *e;
		int any = 0;

		if (!inner)
			return DIAG_ENOMEM;
		if (!(eq = strchr(inner, '='))) {
			free(inner);
			return diag_set(d, DIAG_EINVALID,
					"list path element must contain fieldName=fieldValue for element "
					"to match");
		}
		*eq = '\0';
		if (!json_is_array(node)) {
			free(inner);
			return diag_set(d, DIAG_EEXEC, "wrong node kind: expected SequenceNode");
		}
		json_array_foreach(node, k, e) {
			struct buf t = BUF_INIT;
			json_t *f = *inner ? json_object_get(e, inner) : e;
			int hit = 0;

			if (f && scalar_text(&t, f) == 0 &&
			    (error = kregex_match(eq + 1, t.ptr, 0, &hit, d)) < 0) {
				buf_release(&t);
				free(inner);
				return error;
			}
			buf_release(&t);
			if (!hit)
				continue;
			any = 1;
			if ((error = match_path(out, node, NULL, k, e, path, i + 1, create, create_kind,
						d)) < 0) {
				free(inner);
				return error;
			}
		}
		if (!any && create) {
			json_t *el = *inner ? json_pack("{s:s}", inner, eq + 1) : json_string(eq + 1);

			if (!el || json_array_append_new(node, el) < 0) {
				free(inner);
				return DIAG_ENOMEM;
			}
			error = match_path(out, node, NULL, json_array_size(node) - 1, el, path, i + 1,
					   create, create_kind, d);
			free(inner);
			return error;
		}
		(void)before;
		free(inner);
		return 0;
	}
	if (!strcmp(s, "*")) {
		size_t k;
		json_t *e;

		if (!json_is_array(node))
			return 0;
		json_array_foreach(node, k, e)
			if ((error = match_path(out, node, NULL, k, e, path, i + 1, create, create_kind,
						d)) < 0)
				return error;
		return 0;
	}
	if (!json_is_object(node))
		return diag_set(d, DIAG_EEXEC, "wrong node kind: expected MappingNode");
	{
		json_t *child = json_object_get(node, s);

		if (!child && !create)
			return 0;
		if (!child) {
			child = new_for(path, i, create_kind);
			if (!child || json_object_set_new(node, s, child) < 0)
				return DIAG_ENOMEM;
		}
		return match_path(out, node, s, 0, child, path, i + 1, create, create_kind, d);
	}
}

/* A value's text resolved as a YAML 1.2 plain scalar (for fields whose tag was implicit). */
static json_t *resolve_scalar(const char *s)
{
	char *end;

	if (!strcmp(s, "true"))
		return json_true();
	if (!strcmp(s, "false"))
		return json_false();
	if (*s && (*s == '-' || *s == '+' || (*s >= '0' && *s <= '9'))) {
		long long v = strtoll(s, &end, 10);

		if (!*end)
			return json_integer(v);
	}
	return json_string(s);
}

/* An untagged plain scalar with text s, as kyaml prints it (through yaml.v3's
 * decoder and JSON): go-yaml v3's resolution. */
static json_t *resolve_untagged(const char *s)
{
	struct goscalar g;

	if (goscalar_resolve(&g, s, strlen(s), GOSCALAR_V3) < 0)
		return NULL;
	switch (g.kind) {
	case GOSCALAR_TIMESTAMP: {
		/* time.Time's MarshalJSON: RFC 3339 with nanoseconds, zeros trimmed */
		struct buf b = BUF_INIT;
		json_t *r;

		buf_addf(&b, "%04d-%02d-%02dT%02d:%02d:%02d", g.t.year, g.t.mon, g.t.day, g.t.hour,
			 g.t.min, g.t.sec);
		if (g.t.nsec > 0) {
			char frac[16];
			int n = snprintf(frac, sizeof(frac), ".%09ld", g.t.nsec);

			while (n > 1 && frac[n - 1] == '0')
				frac[--n] = '\0';
			buf_adds(&b, frac);
		}
		if (g.t.off == 0)
			buf_addch(&b, 'Z');
		else
			buf_addf(&b, "%c%02d:%02d", g.t.off < 0 ? '-' : '+', abs(g.t.off) / 3600,
				 abs(g.t.off) % 3600 / 60);
		r = buf_oom(&b) ? NULL : json_string(b.ptr);
		buf_release(&b);
		return r;
	}
	case GOSCALAR_NULL:
		return json_null();
	case GOSCALAR_BOOL:
		return json_boolean(g.b);
	case GOSCALAR_INT:
		return json_integer((json_int_t)g.i);
	case GOSCALAR_FLOAT:
		if (g.f == (double)(json_int_t)g.f && g.f > -9.2e18 && g.f < 9.2e18)
			return json_integer((json_int_t)g.f); /* Go's JSON prints 1.0 as 1 */
		if (g.f == g.f && g.f - g.f == 0)
			return json_real(g.f);
		return json_string(s);
	default:
		return json_string(s);
	}
}

/* Whether cur is a scalar new_for made (kyaml: a new untagged scalar node). */
static int is_created(const json_t *cur)
{
	return json_is_string(cur) && json_string_length(cur) == 1 && !json_string_value(cur)[0];
}

static int set_target(struct target_ref *t, const json_t *value, const json_t *opts,
		      struct diag *d)
{
	json_t *cur = t->key ? json_object_get(t->parent, t->key) : json_array_get(t->parent, t->idx);
	json_t *nv = NULL;
	const char *delim = jstr(opts, "delimiter");

	if (*delim) {
		struct buf tv = BUF_INIT, v = BUF_INIT, out = BUF_INIT;
		json_int_t index = json_integer_value(json_object_get(opts, "index"));
		json_t *parts = json_array();
		const char *p;
		size_t n, dl = strlen(delim);

		if (json_is_object(cur) || json_is_array(cur)) {
			json_decref(parts);
			return diag_set(d, DIAG_EEXEC,
					"delimiter option can only be used with scalar nodes");
		}
		if (!is_created(cur))
			scalar_text(&tv, cur);
		scalar_text(&v, value);
		p = tv.ptr;
		for (;;) {
			const char *e = strstr(p, delim);

			json_array_append_new(parts, json_stringn(p, e ? (size_t)(e - p) : strlen(p)));
			if (!e)
				break;
			p = e + dl;
		}
		n = json_array_size(parts);
		if (index < 0)
			json_array_insert_new(parts, 0, json_string(v.ptr));
		else if ((size_t)index >= n)
			json_array_append_new(parts, json_string(v.ptr));
		else
			json_array_set_new(parts, (size_t)index, json_string(v.ptr));
		for (size_t i = 0; i < json_array_size(parts); i++) {
			if (i)
				buf_adds(&out, delim);
			buf_adds(&out, json_string_value(json_array_get(parts, i)));
		}
		nv = is_created(cur) ? resolve_untagged(out.ptr) :
		     json_is_string(cur) ? json_string(out.ptr) : resolve_scalar(out.ptr);
		json_decref(parts);
		buf_release(&tv);
		buf_release(&v);
		buf_release(&out);
	} else if (json_is_object(value) || json_is_array(value)) {
		nv = json_deep_copy(value);
	} else if (json_is_object(cur) || json_is_array(cur) || !cur) {
		nv = json_deep_copy(value);
	} else {
		/* A scalar keeps its own tag and takes the source's text. */
		struct buf v = BUF_INIT;

		scalar_text(&v, value);
		if (is_created(cur) && !json_is_string(value))
			nv = json_deep_copy(value); /* a field we just created */
		else if (is_created(cur))
			/* a field we just created is an untagged scalar: kyaml resolves
			 * its new text when printing ("1.25" prints as a float) */
			nv = resolve_untagged(v.ptr);
		else if (json_is_string(cur))
			nv = json_string(v.ptr);
		else
			nv = resolve_scalar(v.ptr);
		buf_release(&v);
	}
	if (!nv)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if ((t->key ? json_object_set_new(t->parent, t->key, nv) :
	     json_array_set_new(t->parent, t->idx, nv)) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	return 0;
}

/* All ids of a resource: current, then previous ones. */
static int all_ids(struct kid **out, size_t *n, const struct kres *r)
{
	struct kid *prev = NULL, *ids;
	size_t np = 0;
	int error;

	if ((error = kres_prev_ids(&prev, &np, r)) < 0)
		return error;
	if (!(ids = calloc(np + 1, sizeof(*ids)))) {
		kid_array_free(prev, np);
		return DIAG_ENOMEM;
	}
	if ((error = kres_cur_id(&ids[0], r)) < 0) {
		kid_array_free(prev, np);
		free(ids);
		return error;
	}
	for (size_t i = 0; i < np; i++)
		ids[i + 1] = prev[i];
	free(prev);
	*out = ids;
	*n = np + 1;
	return 0;
}

/* ResId.IsSelectedBy with exact fields. */
static int id_selected_by(const struct kid *id, const json_t *sel)
{
	const char *name = jstr(sel, "name"), *ns = jstr(sel, "namespace");

	if (*name && strcmp(name, id->name) != 0)
		return 0;
	if (*ns) {
		struct kid tmp = *id;

		tmp.ns = (char *)ns;
		if (strcmp(kid_effective_ns(&tmp), kid_effective_ns(id)) != 0)
			return 0;
	}
	return kid_gvk_selected(id, jstr(sel, "group"), jstr(sel, "version"), jstr(sel, "kind"));
}

static void selector_string(struct buf *b, const json_t *sel)
{
	struct kid id = KID_INIT;

	if (kid_set(&id, jstr(sel, "group"), jstr(sel, "version"), jstr(sel, "kind"),
		    jstr(sel, "name"), jstr(sel, "namespace")) == 0)
		kid_string(b, &id);
	kid_release(&id);
	if (*jstr(sel, "fieldPath"))
		buf_addf(b, ":%s", jstr(sel, "fieldPath"));
}

static int get_source_value(json_t **out, struct kresmap *m, const json_t *r, struct diag *d)
{
	const json_t *src = json_object_get(r, "source"), *sv = json_object_get(r, "sourceValue");
	struct kres *match = NULL;
	const char *fp;
	json_t *path = NULL, *v;
	int error = 0;

	*out = NULL;
	if (sv && src)
		return diag_set(d, DIAG_EINVALID, "value and resource selectors are mutually exclusive");
	if (sv) {
		struct buf t = BUF_INIT;

		scalar_text(&t, sv);
		*out = json_string(t.ptr);
		buf_release(&t);
		return *out ? 0 : DIAG_ENOMEM;
	}
	for (size_t i = 0; i < m->len; i++) {
		struct kid *ids = NULL;
		size_t n = 0;
		int hit = 0;

		if ((error = all_ids(&ids, &n, m->v[i])) < 0)
			return diag_set(d, error, "out of memory");
		for (size_t k = 0; k < n && !hit; k++)
			hit = id_selected_by(&ids[k], src);
		kid_array_free(ids, n);
		if (!hit)
			continue;
		if (match) {
			struct buf s = BUF_INIT;

			selector_string(&s, src);
			error = diag_set(d, DIAG_EINVALID, "multiple matches for selector %s", s.ptr);
			buf_release(&s);
			return error;
		}
		match = m->v[i];
	}
	if (!match) {
		struct buf s = BUF_INIT;

		selector_string(&s, src);
		error = diag_set(d, DIAG_EINVALID, "nothing selected by %s", s.ptr);
		buf_release(&s);
		return error;
	}
	fp = jstr(src, "fieldPath");
	if (!*fp)
		fp = "metadata.name";
	if (split_path(&path, fp) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	v = lookup_source(match->obj, path);
	json_decref(path);
	if (!v || json_is_null(v) || (json_is_object(v) && !json_object_size(v)) ||
	    (json_is_array(v) && !json_array_size(v)) ||
	    (json_is_string(v) && !json_string_length(v))) {
		struct buf s = BUF_INIT;
		struct kid id = KID_INIT;

		if (kid_set(&id, jstr(src, "group"), jstr(src, "version"), jstr(src, "kind"),
			    jstr(src, "name"), jstr(src, "namespace")) == 0)
			kid_string(&s, &id);
		kid_release(&id);
		error = diag_set(d, DIAG_EINVALID,
				 "fieldPath `%s` is missing for replacement source %s", fp, s.ptr);
		buf_release(&s);
		return error;
	}
	{
		const json_t *opts = json_object_get(src, "options");
		const char *delim = jstr(opts, "delimiter");

		if (*delim) {
			struct buf t = BUF_INIT;
			json_int_t index = json_integer_value(json_object_get(opts, "index"));
			const char *p;
			json_int_t i = 0;

			if (json_is_object(v) || json_is_array(v))
				return diag_set(d, DIAG_EINVALID,
						"delimiter option can only be used with scalar nodes");
			scalar_text(&t, v);
			p = t.ptr;
			for (;;) {
				const char *e = strstr(p, delim);

				if (i == index) {
					*out = json_stringn(p, e ? (size_t)(e - p) : strlen(p));
					break;
				}
				if (!e)
					break;
				p = e + strlen(delim);
				i++;
			}
			if (!*out)
				error = diag_set(d, DIAG_EINVALID,
						 "options.index %lld is out of bounds for value %s",
						 (long long)index, t.ptr);
			buf_release(&t);
			return error;
		}
	}
	*out = json_deep_copy(v);
	return *out ? 0 : DIAG_ENOMEM;
}

static int selector_rx(const json_t *sel, const struct kid *id, int *out, struct diag *d)
{
	int a = 1, error;

	*out = 0;
	if ((error = kregex_match(jstr(sel, "group"), id->group, 1, &a, d)) < 0 || !a ||
	    (error = kregex_match(jstr(sel, "version"), id->version, 1, &a, d)) < 0 || !a ||
	    (error = kregex_match(jstr(sel, "kind"), id->kind, 1, &a, d)) < 0 || !a ||
	    (error = kregex_match(jstr(sel, "name"), id->name, 1, &a, d)) < 0 || !a ||
	    (error = kregex_match(jstr(sel, "namespace"), id->ns, 1, &a, d)) < 0 || !a)
		return error;
	*out = 1;
	return 0;
}

static int apply_targets(struct kresmap *m, const json_t *value, const json_t *targets,
			 struct diag *d)
{
	size_t ti;
	json_t *ts;
	int error;

	json_array_foreach(targets, ti, ts) {
		const json_t *sel = json_object_get(ts, "select"), *rejects = json_object_get(ts, "reject");
		const json_t *opts = json_object_get(ts, "options");
		json_t *fps = json_object_get(ts, "fieldPaths");
		int create = json_is_true(json_object_get(opts, "create"));

		if (!json_is_object(sel))
			return diag_set(d, DIAG_EINVALID, "target must specify resources to select");
		for (size_t i = 0; i < m->len; i++) {
			struct kres *r = m->v[i];
			struct kid *ids = NULL;
			size_t n = 0, rj;
			json_t *rej, *md = json_object_get(r->obj, "metadata");
			int ok = 0, rejected = 0, selected = 0;

			if ((error = kselector_labels_match(sel, md, &ok, d)) < 0)
				return error;
			if (!ok)
				continue;
			json_array_foreach(rejects, rj, rej) {
				if (!*jstr(rej, "labelSelector") && !*jstr(rej, "annotationSelector"))
					continue;
				if ((error = kselector_labels_match(rej, md, &ok, d)) < 0)
					return error;
				if (ok)
					rejected = 1;
			}
			if (rejected)
				continue;
			if ((error = all_ids(&ids, &n, r)) < 0)
				return diag_set(d, error, "out of memory");
			json_array_foreach(rejects, rj, rej) {
				int empty = !*jstr(rej, "group") && !*jstr(rej, "version") &&
					    !*jstr(rej, "kind") && !*jstr(rej, "name") &&
					    !*jstr(rej, "namespace");

				for (size_t k = 0; k < n && !empty && !rejected; k++) {
					if ((error = selector_rx(rej, &ids[k], &ok, d)) < 0) {
						kid_array_free(ids, n);
						return error;
					}
					rejected = ok;
				}
			}
			for (size_t k = 0; k < n && !rejected && !selected; k++) {
				if ((error = selector_rx(sel, &ids[k], &ok, d)) < 0) {
					kid_array_free(ids, n);
					return error;
				}
				selected = ok;
			}
			kid_array_free(ids, n);
			if (rejected || !selected)
				continue;
			for (size_t f = 0; f < (json_array_size(fps) ? json_array_size(fps) : 1); f++) {
				const char *fp = json_array_size(fps) ?
					json_string_value(json_array_get(fps, f)) : "metadata.name";
				struct targets found = { NULL, 0, 0 };
				json_t *path = NULL;
				int kind = json_is_object(value) ? JSON_OBJECT :
					   json_is_array(value) ? JSON_ARRAY : JSON_STRING;

				if (!fp || split_path(&path, fp) < 0)
					return diag_set(d, DIAG_ENOMEM, "out of memory");
				error = match_path(&found, NULL, NULL, 0, r->obj, path, 0, create, kind, d);
				json_decref(path);
				if (error < 0 || found.len == 0) {
					targets_release(&found);
					if (error < 0)
						return diag_prefix(d, create ?
							"unable to find or create field \"%s\" in replacement target" :
							"unable to find field \"%s\" in replacement target", fp);
					return diag_set(d, DIAG_EINVALID, create ?
							"unable to find or create field \"%s\" in replacement target" :
							"unable to find field \"%s\" in replacement target", fp);
				}
				for (size_t k = 0; k < found.len; k++) {
					if (!found.v[k].parent)
						continue;
					if ((error = set_target(&found.v[k], value, opts, d)) < 0) {
						targets_release(&found);
						return error;
					}
				}
				targets_release(&found);
			}
		}
	}
	return 0;
}

int kt_replacements(struct kresmap *m, const json_t *list, struct diag *d)
{
	size_t i;
	json_t *r;
	int error;

	json_array_foreach(list, i, r) {
		json_t *value = NULL;

		if ((!json_object_get(r, "source") && !json_object_get(r, "sourceValue")) ||
		    !json_object_get(r, "targets"))
			return diag_set(d, DIAG_EINVALID,
					"replacements must specify a source and at least one target");
		if ((error = get_source_value(&value, m, r, d)) < 0)
			return error;
		error = apply_targets(m, value, json_object_get(r, "targets"), d);
		json_decref(value);
		if (error < 0)
			return error;
	}
	return 0;
}
