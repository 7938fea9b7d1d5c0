/*
 * Resources and resource maps (kustomize's api/resource and api/resmap):
 * a resource is a json_t object; its build bookkeeping lives in
 * internal.config.kubernetes.io/ annotations, exactly where kustomize keeps
 * it, and is stripped before printing.
 */
#include "render/kustomize/internal.h"
#include "render/gofloat.h"
#include "render/srcfile.h"
#include "render/jslab.h"
#include "render/value.h"
#include "render/yaml.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct kres *kres_new(json_t *obj)
{
	struct kres *r;

	if (!obj)
		return NULL;
	if (!(r = calloc(1, sizeof(*r)))) {
		json_decref(obj);
		return NULL;
	}
	r->obj = obj;
	return r;
}

void kres_free(struct kres *r)
{
	if (!r)
		return;
	json_decref(r->obj);
	kstrv_free(r->refvars, r->nrefvars);
	free(r);
}

struct kres *kres_dup(const struct kres *r)
{
	struct kres *c = kres_new(json_deep_copy(r->obj));

	if (!c)
		return NULL;
	if (r->nrefvars) {
		if (!(c->refvars = calloc(r->nrefvars, sizeof(char *)))) {
			kres_free(c);
			return NULL;
		}
		c->nrefvars = r->nrefvars;
		for (size_t i = 0; i < r->nrefvars; i++)
			if (!(c->refvars[i] = strdup(r->refvars[i]))) {
				kres_free(c);
				return NULL;
			}
	}
	return c;
}

void kstrv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Up to this many members kjson_getn scans instead of hashing the key. */
#define KJSON_SCAN_MAX 8

json_t *kjson_getn(const json_t *o, const char *key, size_t len)
{
	if (json_object_size(o) > KJSON_SCAN_MAX)
		return json_object_getn(o, key, len);
	for (void *it = json_object_iter((json_t *)o); it;
	     it = json_object_iter_next((json_t *)o, it))
		if (json_object_iter_key_len(it) == len &&
		    memcmp(json_object_iter_key(it), key, len) == 0)
			return json_object_iter_value(it);
	return NULL;
}

json_t *kjson_get(const json_t *o, const char *key)
{
	return kjson_getn(o, key, strlen(key));
}

/* Follows a '/'-separated path of object keys; NULL when absent. */
static json_t *lookup(const json_t *obj, const char *path)
{
	const json_t *cur = obj;

	while (cur && *path) {
		const char *e = strchr(path, '/');
		size_t n = e ? (size_t)(e - path) : strlen(path);

		if (!json_is_object(cur))
			return NULL;
		cur = kjson_getn(cur, path, n);
		path += n;
		if (*path == '/')
			path++;
	}
	return (json_t *)cur;
}

const char *kres_str(const json_t *obj, const char *path)
{
	json_t *v = lookup(obj, path);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* A string member's text, "" when absent or not a string. */
static const char *str_or_empty(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

/* The accessors name their keys with lengths: no path to split. */
const char *kres_kind(const struct kres *r) { return str_or_empty(kjson_getn(r->obj, "kind", 4)); }
const char *kres_name(const struct kres *r)
{
	return str_or_empty(kjson_getn(kjson_getn(r->obj, "metadata", 8), "name", 4));
}
const char *kres_namespace(const struct kres *r)
{
	return str_or_empty(kjson_getn(kjson_getn(r->obj, "metadata", 8), "namespace", 9));
}
const char *kres_api_version(const struct kres *r)
{
	return str_or_empty(kjson_getn(r->obj, "apiVersion", 10));
}

static json_t *metadata(struct kres *r, int create)
{
	json_t *md = kjson_getn(r->obj, "metadata", 8);

	if (!json_is_object(md) && create) {
		md = json_object();
		if (json_object_set_new(r->obj, "metadata", md) < 0)
			return NULL;
	}
	return json_is_object(md) ? md : NULL;
}

int kres_set_name(struct kres *r, const char *name)
{
	json_t *md = metadata(r, 1);

	return md && json_object_set_new(md, "name", json_string(name)) == 0 ? 0 : DIAG_ENOMEM;
}

int kres_set_namespace(struct kres *r, const char *ns)
{
	json_t *md = metadata(r, 1);

	if (!md)
		return DIAG_ENOMEM;
	if (!*ns) {
		json_object_del(md, "namespace");
		return 0;
	}
	return json_object_set_new(md, "namespace", json_string(ns)) == 0 ? 0 : DIAG_ENOMEM;
}

json_t *kres_annotations(const struct kres *r)
{
	json_t *a = kjson_getn(kjson_getn(r->obj, "metadata", 8), "annotations", 11);

	return json_is_object(a) ? a : NULL;
}

const char *kres_annotation(const struct kres *r, const char *key)
{
	json_t *a = kres_annotations(r), *v = a ? kjson_get(a, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int kres_set_annotation(struct kres *r, const char *key, const char *value)
{
	json_t *md = metadata(r, 1), *a;

	if (!md)
		return DIAG_ENOMEM;
	a = kjson_getn(md, "annotations", 11);
	if (!json_is_object(a)) {
		a = json_object();
		if (json_object_set_new(md, "annotations", a) < 0)
			return DIAG_ENOMEM;
	}
	/* key and value are UTF-8 already (constants, or read from YAML) */
	if (json_object_set_new_nocheck(a, key, json_stringn_nocheck(value, strlen(value))) < 0)
		return DIAG_ENOMEM;
	return 0;
}

void kres_del_annotation(struct kres *r, const char *key)
{
	json_t *a = kres_annotations(r);

	if (a)
		json_object_del(a, key);
}


int kres_get_csv(char ***out, size_t *n, const struct kres *r, const char *key)
{
	const char *v = kres_annotation(r, key), *p;
	size_t count = 1, i = 0;
	char **vec;

	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	for (p = v; *p; p++)
		if (*p == ',')
			count++;
	if (!(vec = calloc(count, sizeof(char *))))
		return DIAG_ENOMEM;
	p = v;
	for (i = 0; i < count; i++) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (!(vec[i] = strndup(p, len))) {
			kstrv_free(vec, i);
			return DIAG_ENOMEM;
		}
		p += len + (e ? 1 : 0);
	}
	*out = vec;
	*n = count;
	return 0;
}

int kres_cur_id(struct kid *out, const struct kres *r)
{
	return kid_from_res(out, r->obj);
}

void kid_array_free(struct kid *ids, size_t n)
{
	if (!ids)
		return;
	for (size_t i = 0; i < n; i++)
		kid_release(&ids[i]);
	free(ids);
}

/* Commas in s, plus one: kres_get_csv's count. */
static size_t csv_count(const char *s)
{
	size_t count = 1;

	for (; *s; s++)
		if (*s == ',')
			count++;
	return count;
}

/* The string values of the three previous-id annotations of a (NULL each
 * when absent or not a string), in one walk over its (few) members. */
static void prev_annotations(const json_t *a, const char *vals[3])
{
	static const char *const keys[3] = { KANNO_PREV_NAMES, KANNO_PREV_NS,
					     KANNO_PREV_KINDS };
	static const size_t plen = sizeof(KANNO_PREFIX "previous") - 1;
	const json_t *found[3] = { NULL, NULL, NULL };

	for (void *it = json_object_iter((json_t *)a); it;
	     it = json_object_iter_next((json_t *)a, it)) {
		const char *k = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);

		if (klen <= plen || memcmp(k, KANNO_PREFIX "previous", plen) != 0)
			continue;
		for (int i = 0; i < 3; i++)
			if (!found[i] && klen == strlen(keys[i]) &&
			    memcmp(k + plen, keys[i] + plen, klen - plen) == 0) {
				found[i] = json_object_iter_value(it);
				break;
			}
	}
	for (int i = 0; i < 3; i++)
		vals[i] = json_is_string(found[i]) ? json_string_value(found[i]) : NULL;
}

int kres_prev_ids(struct kid **out, size_t *n, const struct kres *r)
{
	json_t *a = kres_annotations(r);
	const char *vals[3], *av, *slash;
	char *p[3], *g, *v;
	size_t nn, alen, glen;
	struct buf text = BUF_INIT;
	struct kid *ids = NULL;
	int error = 0;

	*out = NULL;
	*n = 0;
	if (!a)
		return 0;
	/* kres_get_csv's rules, with one copy of the three values (and of
	 * the apiVersion's group and version) instead of a string per field */
	prev_annotations(a, vals);
	if (!vals[0])
		return 0;
	nn = csv_count(vals[0]);
	if (!vals[1] || !vals[2] || csv_count(vals[1]) != nn || csv_count(vals[2]) != nn)
		return DIAG_EEXEC;
	buf_adds(&text, vals[0]);
	buf_addch(&text, ',');
	buf_adds(&text, vals[1]);
	buf_addch(&text, ',');
	buf_adds(&text, vals[2]);
	if (buf_oom(&text)) {
		error = DIAG_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < text.len; i++)
		if (text.ptr[i] == ',')
			text.ptr[i] = '\0';
	/* then "group\0version\0" (kapi_split's parts) */
	av = kres_api_version(r);
	alen = strlen(av);
	slash = memchr(av, '/', alen);
	glen = slash ? (size_t)(slash - av) : 0;
	buf_addch(&text, '\0');
	buf_add(&text, av, glen);
	buf_addch(&text, '\0');
	if (slash)
		buf_add(&text, slash + 1, alen - glen - 1);
	else
		buf_add(&text, av, alen);
	if (buf_oom(&text) || !(ids = calloc(nn, sizeof(*ids)))) {
		error = DIAG_ENOMEM;
		goto done;
	}
	/* field i of names, namespaces and kinds: the i-th, (nn+i)-th and
	 * (2nn+i)-th NUL-terminated piece of text; the group and version follow */
	p[0] = text.ptr;
	p[1] = p[0];
	for (size_t i = 0; i < nn; i++)
		p[1] += strlen(p[1]) + 1;
	p[2] = p[1];
	for (size_t i = 0; i < nn; i++)
		p[2] += strlen(p[2]) + 1;
	g = p[2];
	for (size_t i = 0; i < nn; i++)
		g += strlen(g) + 1;
	v = g + glen + 1;
	for (size_t i = 0; i < nn; i++) {
		if ((error = kid_set(&ids[i], g, v, p[2], p[0], p[1])) < 0) {
			kid_array_free(ids, i);
			ids = NULL;
			goto done;
		}
		for (size_t k = 0; k < 3; k++)
			p[k] += strlen(p[k]) + 1;
	}
	*out = ids;
	*n = nn;
done:
	buf_release(&text);
	return error;
}

/* s up to the next comma (or its end): the piece's length. */
static size_t csv_piece(const char *s)
{
	const char *e = strchr(s, ',');

	return e ? (size_t)(e - s) : strlen(s);
}

int kres_each_id_key(const struct kres *r, struct buf *key,
		     int (*fn)(const char *key, void *arg), void *arg)
{
	json_t *a;
	const char *vals[3], *p[3], *av, *slash, *version;
	size_t nn, glen;
	int error;

	if ((error = kid_key_of_res(key, r->obj)) < 0 || (error = fn(key->ptr, arg)) < 0)
		return error;
	if (!(a = kres_annotations(r)))
		return 0;
	/* kres_prev_ids's rules, read straight from the three values */
	if ((error = kres_prev_annotations(a, vals, &nn)) < 0 || nn == 0)
		return error;
	av = kres_api_version(r);
	slash = strchr(av, '/');
	glen = slash ? (size_t)(slash - av) : 0;
	version = slash ? slash + 1 : av;
	for (int k = 0; k < 3; k++)
		p[k] = vals[k];
	for (size_t i = 0; i < nn; i++) {
		size_t nlen = csv_piece(p[0]), nslen = csv_piece(p[1]), klen = csv_piece(p[2]);

		buf_reset(key);
		buf_add(key, av, glen);
		buf_addch(key, '\x1f');
		buf_adds(key, version);
		buf_addch(key, '\x1f');
		buf_add(key, p[2], klen);
		buf_addch(key, '\x1f');
		buf_add(key, p[0], nlen);
		buf_addch(key, '\x1f');
		{
			struct kidview v = { av, version, p[2], p[0], p[1],
					     glen, strlen(version), klen, nlen, nslen };
			const char *ns;
			size_t len;
			kid_view_effective_ns(&v, &ns, &len);
			buf_add(key, ns, len);
		}
		if (buf_oom(key))
			return DIAG_ENOMEM;
		if ((error = fn(key->ptr, arg)) < 0)
			return error;
		p[0] += nlen + (p[0][nlen] == ',');
		p[1] += nslen + (p[1][nslen] == ',');
		p[2] += klen + (p[2][klen] == ',');
	}
	return 0;
}

int kres_prev_annotations(const json_t *annotations, const char *vals[3], size_t *n)
{
	*n = 0;
	prev_annotations(annotations, vals);
	if (!vals[0])
		return 0;
	*n = csv_count(vals[0]);
	if (!vals[1] || !vals[2] || csv_count(vals[1]) != *n || csv_count(vals[2]) != *n) {
		*n = 0;
		return DIAG_EEXEC;
	}
	return 0;
}

int kres_org_gvk(struct kidview *out, const struct kres *r)
{
	json_t *a;
	const char *vals[3];
	size_t nn;
	int error;

	kid_view_of_res(out, r->obj);
	if (!(a = kres_annotations(r)))
		return 0;
	/* kres_prev_ids's rules: the first previous kind, when there are any */
	if ((error = kres_prev_annotations(a, vals, &nn)) < 0 || nn == 0)
		return error;
	out->kind = vals[2];
	out->klen = csv_piece(vals[2]);
	return 0;
}

int kres_org_id(struct kid *out, const struct kres *r)
{
	struct kid *ids = NULL;
	size_t n = 0;
	int error;

	if ((error = kres_prev_ids(&ids, &n, r)) < 0)
		return error;
	if (n == 0)
		return kres_cur_id(out, r);
	error = kid_copy(out, &ids[0]);
	kid_array_free(ids, n);
	return error;
}

/* kres_append_csv of value[0..vlen) on annotations *a, found (or made) on
 * first use. */
static int append_csv_at(json_t **a, struct kres *r, const char *key, size_t keylen,
			 const char *value, size_t vlen)
{
	const json_t *cur;
	const char *old = NULL;
	size_t olen = 0, len;
	char small[256], *text = small;
	int error;

	if (!vlen)
		return 0;
	if (!*a) {
		json_t *md = metadata(r, 1);

		if (!md)
			return DIAG_ENOMEM;
		*a = kjson_getn(md, "annotations", 11);
		if (!json_is_object(*a)) {
			*a = json_object();
			if (json_object_set_new(md, "annotations", *a) < 0)
				return DIAG_ENOMEM;
		}
	}
	cur = kjson_getn(*a, key, keylen);
	if (json_is_string(cur)) {
		old = json_string_value(cur);
		olen = strlen(old); /* up to a NUL it may hold, as buf_adds took it */
	}
	len = olen + (old ? 1 : 0) + vlen;
	if (len > sizeof(small) && !(text = malloc(len)))
		return DIAG_ENOMEM;
	if (old) {
		memcpy(text, old, olen);
		text[olen] = ',';
	}
	memcpy(text + len - vlen, value, vlen);
	/* key is one of ours and the text joins json strings' texts (whole
	 * UTF-8 sequences): jansson's UTF-8 checks of both are skipped */
	error = json_object_setn_new_nocheck(*a, key, keylen, json_stringn_nocheck(text, len));
	if (text != small)
		free(text);
	return error < 0 ? DIAG_ENOMEM : 0;
}

int kres_append_csv(struct kres *r, const char *key, const char *value)
{
	json_t *a = NULL;

	return append_csv_at(&a, r, key, strlen(key), value, strlen(value));
}

int kres_store_previous_id(struct kres *r)
{
	struct kidview v;
	json_t *a = NULL;
	const char *ns;
	size_t nslen;
	int error;

	kid_view_of_res(&v, r->obj);
	kid_view_effective_ns(&v, &ns, &nslen);
	/* the annotations are looked up once for the three; a value that
	 * would be "" leaves its annotation as it was */
	if ((error = append_csv_at(&a, r, KANNO_PREV_NAMES, sizeof(KANNO_PREV_NAMES) - 1, v.name,
				   v.nlen)) < 0 ||
	    (error = append_csv_at(&a, r, KANNO_PREV_NS, sizeof(KANNO_PREV_NS) - 1, ns,
				   nslen)) < 0 ||
	    (error = append_csv_at(&a, r, KANNO_PREV_KINDS, sizeof(KANNO_PREV_KINDS) - 1, v.kind,
				   v.klen)) < 0)
		return error;
	return 0;
}

void kres_remove_build_annotations(struct kres *r)
{
	static const char *const keys[] = {
		KANNO_PREV_KINDS, KANNO_PREV_NAMES, KANNO_PREFIXES, KANNO_SUFFIXES,
		KANNO_PREV_NS, KANNO_ALLOW_NAME_CHANGE, KANNO_ALLOW_KIND_CHANGE, KANNO_REFBY,
		KANNO_BEHAVIOR, KANNO_NEEDS_HASH,
		"config.kubernetes.io/path", "config.kubernetes.io/index",
		"internal.config.kubernetes.io/seqindent", "internal.config.kubernetes.io/id",
		"internal.config.kubernetes.io/annotations-migration-resource-id",
		"internal.config.kubernetes.io/path", "internal.config.kubernetes.io/index",
		"config.k8s.io/id", "kustomize.config.k8s.io/helm-generated",
	};
	json_t *a = kres_annotations(r), *md, *v;
	const char *k;
	void *tmp;
	size_t nbuild = 0;

	if (!a || json_object_size(a) == 0)
		return;
	/* one walk over the (few) annotations, not a hashed lookup per key */
	json_object_foreach(a, k, v) {
		size_t i = 0;

		while (i < sizeof(keys) / sizeof(keys[0]) && strcmp(k, keys[i]) != 0)
			i++;
		nbuild += i < sizeof(keys) / sizeof(keys[0]);
	}
	if (nbuild == json_object_size(a)) {
		/* only build annotations (the usual case): the field goes, as
		 * kyaml's SetAnnotations clears an empty map, in one delete
		 * instead of a hashed delete per key */
		if ((md = metadata(r, 0)) != NULL)
			json_object_del(md, "annotations");
		return;
	}
	json_object_foreach_safe(a, tmp, k, v) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (strcmp(k, keys[i]) == 0) {
				json_object_del(a, k);
				break;
			}
		}
	}
	/* kyaml's GetAnnotations/SetAnnotations round trip makes every value a string. */
	{
		struct buf t = BUF_INIT;

		json_object_foreach(a, k, v) {
			if (json_is_string(v))
				continue;
			buf_reset(&t);
			if (json_is_integer(v))
				buf_addf(&t, "%lld", (long long)json_integer_value(v));
			else if (json_is_real(v))
				gofloat_format(&t, json_real_value(v), 'g', -1, 64);
			else if (json_is_boolean(v))
				buf_adds(&t, json_is_true(v) ? "true" : "false");
			else if (json_is_null(v))
				buf_adds(&t, "null");
			json_object_set_new(a, k, json_stringn(t.ptr, t.len));
		}
		buf_release(&t);
	}
	/* kyaml's SetAnnotations clears the field when the map is empty. */
	if (json_object_size(a) == 0 && (md = metadata(r, 0)) != NULL)
		json_object_del(md, "annotations");
}

void kresmap_release(struct kresmap *m)
{
	for (size_t i = 0; i < m->len; i++)
		kres_free(m->v[i]);
	free(m->v);
	m->v = NULL;
	m->len = m->alloc = 0;
}

int kresmap_push(struct kresmap *m, struct kres *r)
{
	if (!r)
		return DIAG_ENOMEM;
	if (m->len == m->alloc) {
		size_t na = m->alloc ? m->alloc * 2 : 16;
		struct kres **nv = realloc(m->v, na * sizeof(*nv));

		if (!nv) {
			kres_free(r);
			return DIAG_ENOMEM;
		}
		m->v = nv;
		m->alloc = na;
	}
	m->v[m->len++] = r;
	return 0;
}

void kresmap_remove_at(struct kresmap *m, size_t i)
{
	kres_free(m->v[i]);
	memmove(&m->v[i], &m->v[i + 1], (m->len - i - 1) * sizeof(m->v[0]));
	m->len--;
}

int kresmap_append(struct kresmap *m, struct kres *r, struct diag *d)
{
	struct kid id = KID_INIT, other = KID_INIT;
	struct buf s = BUF_INIT;
	int error;

	if ((error = kres_cur_id(&id, r)) < 0)
		goto fail;
	for (size_t i = 0; i < m->len; i++) {
		if ((error = kres_cur_id(&other, m->v[i])) < 0)
			goto fail;
		if (kid_equals(&id, &other)) {
			kid_string(&s, &id);
			error = diag_set(d, DIAG_EINVALID,
					 "may not add resource with an already registered id: %s",
					 s.ptr);
			goto fail;
		}
		kid_release(&other);
	}
	kid_release(&id);
	return kresmap_push(m, r);
fail:
	kid_release(&id);
	kid_release(&other);
	buf_release(&s);
	kres_free(r);
	return error;
}

int kresmap_append_all_indexed(struct kresmap *m, struct kresmap *src, struct kidx *idx,
			       struct diag *d)
{
	struct kidx local = KIDX_INIT;
	struct buf key = BUF_INIT;
	int error = 0;
	size_t i = 0;

	/* One index of the current ids instead of a scan per append. */
	if (!idx) {
		idx = &local;
		for (size_t k = 0; k < m->len && !error; k++)
			error = kidx_add_cur(idx, m->v[k], k);
		if (error < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (kidx_reserve(idx, idx->n + src->len) < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < src->len; i++) {
		struct kres *r = src->v[i];
		size_t n = 0;

		src->v[i] = NULL;
		if ((error = kid_key_of_res(&key, r->obj)) < 0) {
			kres_free(r);
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			i++;
			break;
		}
		kidx_get(idx, key.ptr, &n);
		if (n > 0) {
			struct kid id = KID_INIT;
			struct buf s = BUF_INIT;

			if (kres_cur_id(&id, r) < 0)
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
			else {
				kid_string(&s, &id);
				error = diag_set(d, DIAG_EINVALID,
						 "may not add resource with an already registered id: %s",
						 s.ptr);
			}
			buf_release(&s);
			kid_release(&id);
			kres_free(r);
			i++;
			break;
		}
		if (kidx_add(idx, key.ptr, m->len) < 0) {
			kres_free(r);
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			i++;
			break;
		}
		if ((error = kresmap_push(m, r)) < 0) {
			diag_set(d, error, "out of memory");
			i++;
			break;
		}
	}
done:
	kidx_release(&local);
	buf_release(&key);
	for (size_t j = i; j < src->len; j++)
		kres_free(src->v[j]);
	free(src->v);
	src->v = NULL;
	src->len = src->alloc = 0;
	return error;
}

int kresmap_append_all(struct kresmap *m, struct kresmap *src, struct diag *d)
{
	return kresmap_append_all_indexed(m, src, NULL, d);
}

/* Go's %#v of a resid.ResId, as appendReplaceOrMerge prints it. */
static void id_gostring(struct buf *b, const struct kid *id)
{
	buf_addf(b,
		 "resid.ResId{Gvk:resid.Gvk{Group:\"%s\", Version:\"%s\", Kind:\"%s\", "
		 "isClusterScoped:%s}, Name:\"%s\", Namespace:\"%s\"}",
		 id->group, id->version, id->kind, id->cluster_scoped ? "true" : "false", id->name,
		 id->ns);
}

static int merge_string_maps(json_t *into_new, const json_t *old)
{
	const char *k;
	json_t *v;

	/* result = old, then new's entries override. */
	json_object_foreach((json_t *)old, k, v) {
		if (!json_object_get(into_new, k) &&
		    json_object_set(into_new, k, v) < 0)
			return DIAG_ENOMEM;
	}
	return 0;
}

/* Resource.CopyMergeMetaDataFieldsFrom(old) on r. */
static int copy_merge_metadata(struct kres *r, const struct kres *old)
{
	static const char *const build[] = {
		KANNO_PREV_KINDS, KANNO_PREV_NAMES, KANNO_PREFIXES, KANNO_SUFFIXES,
		KANNO_PREV_NS, KANNO_ALLOW_NAME_CHANGE, KANNO_ALLOW_KIND_CHANGE, KANNO_REFBY,
		KANNO_BEHAVIOR, KANNO_NEEDS_HASH,
	};
	json_t *md = metadata(r, 1), *labels, *annos, *olabels, *oannos;
	int had_hash = kres_annotation(r, KANNO_NEEDS_HASH) != NULL;

	if (!md)
		return DIAG_ENOMEM;
	olabels = lookup(old->obj, "metadata/labels");
	labels = json_object_get(md, "labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(md, "labels", labels);
	}
	if (json_is_object(olabels) && merge_string_maps(labels, olabels) < 0)
		return DIAG_ENOMEM;
	if (json_object_size(labels) == 0)
		json_object_del(md, "labels");

	oannos = lookup(old->obj, "metadata/annotations");
	annos = json_object_get(md, "annotations");
	if (!json_is_object(annos)) {
		annos = json_object();
		json_object_set_new(md, "annotations", annos);
	}
	if (json_is_object(oannos) && merge_string_maps(annos, oannos) < 0)
		return DIAG_ENOMEM;
	/* Build annotations come from old only. */
	for (size_t i = 0; i < sizeof(build) / sizeof(build[0]); i++) {
		json_t *ov = json_is_object(oannos) ? json_object_get(oannos, build[i]) : NULL;

		if (ov)
			json_object_set(annos, build[i], ov);
		else
			json_object_del(annos, build[i]);
	}
	if (!had_hash)
		json_object_del(annos, KANNO_NEEDS_HASH);
	if (json_object_size(annos) == 0)
		json_object_del(md, "annotations");
	if (kres_set_name(r, kres_name(old)) < 0 ||
	    kres_set_namespace(r, kres_namespace(old)) < 0)
		return DIAG_ENOMEM;
	return 0;
}

static int merge_data_field(struct kres *r, const struct kres *old, const char *field)
{
	json_t *od = json_object_get(old->obj, field), *nd = json_object_get(r->obj, field);
	json_t *merged = json_object();
	const char *k;
	json_t *v;

	if (!merged)
		return DIAG_ENOMEM;
	if (json_is_object(od))
		json_object_foreach(od, k, v) json_object_set(merged, k, v);
	if (json_is_object(nd))
		json_object_foreach(nd, k, v) json_object_set(merged, k, v);
	if (json_object_size(merged) == 0) {
		json_decref(merged);
		json_object_del(r->obj, field);
		return 0;
	}
	return json_object_set_new(r->obj, field, merged) == 0 ? 0 : DIAG_ENOMEM;
}

int kresmap_absorb_indexed(struct kresmap *m, struct kres *r, struct kidx *idx,
			   struct diag *d)
{
	struct kidx local = KIDX_INIT;
	struct kid id = KID_INIT;
	struct buf s = BUF_INIT;
	const char *behavior = kres_annotation(r, KANNO_BEHAVIOR);
	const size_t *at;
	size_t match = 0, nmatch = 0;
	int error = 0;

	if (!behavior)
		behavior = "unspecified";
	if ((error = kres_cur_id(&id, r)) < 0)
		goto fail;
	/* The resources any of whose ids equals id: an index instead of a scan
	 * of every resource per generated one. */
	if (!idx) {
		idx = &local;
		for (size_t i = 0; i < m->len; i++)
			if ((error = kidx_add_res(idx, m->v[i], i)) < 0)
				goto fail;
	}
	kid_key(&s, &id);
	if (buf_oom(&s)) {
		error = DIAG_ENOMEM;
		goto fail;
	}
	at = kidx_get(idx, s.ptr, &nmatch);
	buf_reset(&s);
	for (size_t i = 0; i < nmatch; i++)
		if (at[i] >= match)
			match = at[i]; /* the last one, as a scan finds it */
	if (nmatch == 0) {
		if (strcmp(behavior, "merge") == 0 || strcmp(behavior, "replace") == 0) {
			id_gostring(&s, &id);
			/* kustomize's runGenerators prefixes every absorb error
			 * ("merging from generator &{0xc... <nil>}: ": a Go pointer,
			 * left out here) */
			error = diag_set(d, DIAG_EINVALID, "merging from generator: id %s does not "
					 "exist; cannot merge or replace", s.ptr);
			goto fail;
		}
		/* No id of any resource equals r's, so no current one does: append. */
		kid_release(&id);
		kidx_release(&local);
		buf_release(&s);
		if ((error = kresmap_push(m, r)) < 0)
			return diag_set(d, error, "out of memory");
		if (idx != &local && kidx_add_res(idx, r, m->len - 1) < 0)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		return 0;
	}
	if (nmatch > 1) {
		kid_string(&s, &id);
		error = diag_set(d, DIAG_EINVALID, "merging from generator: found multiple objects "
				 "that could accept merge of %s", s.ptr);
		goto fail;
	}
	if (strcmp(behavior, "replace") == 0) {
		if ((error = copy_merge_metadata(r, m->v[match])) < 0)
			goto fail;
	} else if (strcmp(behavior, "merge") == 0) {
		const char *origin = kres_annotation(m->v[match], "config.kubernetes.io/origin");

		if ((error = copy_merge_metadata(r, m->v[match])) < 0 ||
		    (error = merge_data_field(r, m->v[match], "data")) < 0 ||
		    (error = merge_data_field(r, m->v[match], "binaryData")) < 0)
			goto fail;
		/* A merged generator keeps the origin of what it merged into. */
		if (origin && (error = kres_set_annotation(r, "config.kubernetes.io/origin", origin)) < 0)
			goto fail;
	} else {
		id_gostring(&s, &id);
		error = diag_set(d, DIAG_EINVALID,
				 "merging from generator: id %s exists; behavior must be merge or "
				 "replace", s.ptr);
		goto fail;
	}
	if (idx != &local && (error = kidx_del_res(idx, m->v[match], match)) < 0) {
		error = diag_set(d, error, "out of memory");
		goto fail;
	}
	/* The kustomize-specific fields (var references) come from the old one. */
	kstrv_free(r->refvars, r->nrefvars);
	r->refvars = m->v[match]->refvars;
	r->nrefvars = m->v[match]->nrefvars;
	m->v[match]->refvars = NULL;
	m->v[match]->nrefvars = 0;
	kres_free(m->v[match]);
	m->v[match] = r;
	kid_release(&id);
	kidx_release(&local);
	buf_release(&s);
	if (idx != &local && kidx_add_res(idx, r, match) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	return 0;
fail:
	kid_release(&id);
	kidx_release(&local);
	buf_release(&s);
	kres_free(r);
	return error;
}

int kresmap_absorb(struct kresmap *m, struct kres *r, struct diag *d)
{
	return kresmap_absorb_indexed(m, r, NULL, d);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* kio's dropBadNodes for one document: 1 keep, 0 drop, < 0 error. */
static int validate_node(const json_t *doc, struct diag *d)
{
	const char *kind, *name;

	if (json_is_null(doc) || (json_is_object(doc) && json_object_size(doc) == 0))
		return 0;
	/* kyaml's GetMeta: a document with none of apiVersion, kind, metadata has none. */
	if (!json_is_object(doc) ||
	    (!kjson_getn(doc, "apiVersion", 10) && !kjson_getn(doc, "kind", 4) &&
	     !kjson_getn(doc, "metadata", 8)))
		return diag_set(d, DIAG_EINVALID, "missing Resource metadata");
	kind = kres_str(doc, "kind");
	name = kres_str(doc, "metadata/name");
	if (!*kind)
		return diag_set(d, DIAG_EINVALID,
				"missing kind in object {{%s %s} {{%s %s} map[] map[]}}",
				kres_str(doc, "apiVersion"), kind, name,
				kres_str(doc, "metadata/namespace"));
	if (!has_suffix(kind, "List") && !*name)
		return diag_set(d, DIAG_EINVALID,
				"missing metadata.name in object {{%s %s} {{%s %s} map[] map[]}}",
				kres_str(doc, "apiVersion"), kind, name,
				kres_str(doc, "metadata/namespace"));
	return 1;
}

static int parser_problem(const char *problem)
{
	return !strncmp(problem, "did not find expected", 21) ||
	       !strncmp(problem, "found undefined tag handle", 26) ||
	       !strncmp(problem, "found duplicate", 15) ||
	       !strncmp(problem, "found incompatible", 18);
}

int kyaml_syntax_error(struct diag *d, const char *name, int v3)
{
	struct buf problem = BUF_INIT;
	const char *m, *open;
	char *end;
	long line, ctx_line = 0;
	int scanner, mark;

	if (!d || d->code != DIAG_EPARSE || !d->msg.len)
		return d ? d->code : DIAG_EPARSE;
	m = d->msg.ptr;
	if (strncmp(m, name, strlen(name)) != 0 || m[strlen(name)] != ':')
		return d->code;
	m += strlen(name) + 1;
	line = strtol(m, &end, 10);
	if (*end != ':')
		return d->code;
	m = strchr(end + 1, ':');
	if (!m || m[1] != ' ')
		return d->code;
	m += 2;
	open = strstr(m, " (while ");
	if (open) {
		const char *at = strstr(open, " at ");

		buf_add(&problem, m, (size_t)(open - m));
		if (at)
			ctx_line = strtol(at + 4, NULL, 10);
		scanner = !strncmp(open + 2, "while scanning", 14);
	} else {
		buf_adds(&problem, m);
		scanner = !parser_problem(problem.ptr);
	}
	/* go-yaml: a 0-based mark line, plus one for scanner errors; none on line 0. */
	mark = (int)((v3 && ctx_line > 1) ? ctx_line - 1 : line - 1);
	diag_clear(d);
	d->code = DIAG_EPARSE;
	if (mark > 0)
		buf_addf(&d->msg, "yaml: line %d: %s", mark + scanner, problem.ptr);
	else
		buf_addf(&d->msg, "yaml: %s", problem.ptr);
	buf_release(&problem);
	return DIAG_EPARSE;
}

/* Whether a node below the root is held twice (a "<<" merge may share values). */
static int has_shared_child(const json_t *v, int depth)
{
	const char *k;
	json_t *c;
	size_t i;

	if (depth > 0 && v->refcount != 1 && v->refcount != (size_t)-1)
		return 1;
	if (depth > 10000)
		return 1;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, c)
			if (has_shared_child(c, depth + 1))
				return 1;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			if (has_shared_child(c, depth + 1))
				return 1;
	}
	return 0;
}

/* A document the new resource may change freely: the parsed tree itself when
 * nothing in it is shared (once the stream is released, the resource is its
 * only holder), else a deep copy. Copying every document cost as much as
 * parsing it. */
static json_t *unshared_copy(json_t *doc, int merged)
{
	return merged && has_shared_child(doc, 0) ? json_deep_copy(doc) : json_incref(doc);
}

/* kres_parse_stream on src (released here); name as given to it. */
static int parse_src(struct kresmap *out, const char *name, struct srcfile *srcp,
		     int threads, struct diag *d)
{
	struct srcfile src = *srcp;
	struct ystream ys = YSTREAM_INIT;
	/* none of the positions are used */
	const struct ydoc_limits lim = { .no_positions = 1, .threads = threads };
	json_t *queue = NULL;
	int error, merged = 0;

	*srcp = (struct srcfile)SRCFILE_INIT;
	if ((error = ystream_parse(&ys, &src, YDOC_KUSTOMIZE, &lim, d)) < 0) {
		if (kyaml_syntax_error(d, name, 1) == DIAG_EPARSE && !strncmp(d->msg.ptr, "yaml: ", 6)) {
			diag_prefix(d, "MalformedYAMLError");
			buf_addf(&d->msg, " in File: %s", name);
		}
		goto done;
	}
	if (!(queue = json_array())) {
		error = DIAG_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < ys.ndocs; i++) {
		merged |= ys.docs[i].merged; /* else no document shares a node */
		if ((error = validate_node(ys.docs[i].root, d)) < 0)
			goto done;
		if (error == 1 && json_array_append(queue, ys.docs[i].root) < 0) {
			error = DIAG_ENOMEM;
			goto done;
		}
	}
	error = 0;
	/* Inline the items of any kind ending in "List"; items go to the end. */
	for (size_t i = 0; i < json_array_size(queue); i++) {
		json_t *doc = json_array_get(queue, i), *items;
		const char *kind = kres_str(doc, "kind");

		if (has_suffix(kind, "List") && (items = json_object_get(doc, "items")) != NULL) {
			if (json_is_null(items))
				continue;
			if (!json_is_array(items)) {
				error = diag_set(d, DIAG_EINVALID,
						 "expected array in %s/items, but found %s", kind,
						 json_is_object(items) ? "map[string]interface {}" :
						 json_is_string(items) ? "string" : "float64");
				goto done;
			}
			for (size_t j = 0; j < json_array_size(items); j++) {
				json_t *it = json_array_get(items, j);

				if ((error = validate_node(it, d)) < 0)
					goto done;
				if (error == 1 && json_array_append(queue, it) < 0) {
					error = DIAG_ENOMEM;
					goto done;
				}
			}
			error = 0;
			continue;
		}
		if ((error = kresmap_push(out, kres_new(unshared_copy(doc, merged)))) < 0) {
			diag_set(d, error, "out of memory");
			goto done;
		}
	}
done:
	json_decref(queue);
	ystream_release(&ys);
	srcfile_release(&src);
	return error;
}

int kres_parse_stream(struct kresmap *out, const char *name, const char *data, size_t len,
		      int threads, struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;

	if (srcfile_set(&src, name, data, len) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	return parse_src(out, name, &src, threads, d);
}

int kres_parse_stream_buf(struct kresmap *out, const char *name, struct buf *text,
			  int threads, struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;

	if (buf_oom(text) || !(src.name = strdup(name))) {
		buf_release(text);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	src.data = buf_detach(text, &src.len);
	return parse_src(out, name, &src, threads, d);
}

struct sortent {
	struct kres *r;
	/* The id's group, version, kind; its gvk's stable string and
	 * "|namespace|name" (what follows the gvk in the id's sort key):
	 * computed once, not per comparison, into one block of text. */
	const char *group, *version, *kind, *stable, *tail;
	int order;
};

static int compare_legacy(const void *pa, const void *pb)
{
	const struct sortent *a = pa, *b = pb;
	int r;

	if (strcmp(a->group, b->group) != 0 || strcmp(a->version, b->version) != 0 ||
	    strcmp(a->kind, b->kind) != 0) {
		if (a->order != b->order)
			return a->order < b->order ? -1 : 1;
		r = strcmp(a->stable, b->stable);
		if (strcmp(a->kind, "Namespace") == 0 && strcmp(b->kind, "Namespace") == 0 &&
		    (!*a->group || !*b->group))
			r = -r;
		return r;
	}
	/* Equal gvks: their strings are equal, so the rest decides. */
	return strcmp(a->tail, b->tail);
}

/* Appends s[0..len) and a NUL to text; returns where it starts. */
static size_t put_text(struct buf *text, const char *s, size_t len)
{
	size_t at = text->len;

	buf_add(text, s, len);
	buf_addch(text, '\0');
	return at;
}

/* s[0..len), or placeholder when it is empty, then end. */
static void add_or(struct buf *text, const char *s, size_t len, const char *placeholder,
		   char end)
{
	if (len)
		buf_add(text, s, len);
	else
		buf_adds(text, placeholder);
	buf_addch(text, end);
}

int kresmap_sort_legacy(struct kresmap *m, json_t *first, json_t *last, struct diag *d)
{
	struct sortent *e;
	struct buf text = BUF_INIT;
	size_t i, *off;
	int error = 0;

	if (m->len == 0)
		return 0;
	e = calloc(m->len, sizeof(*e));
	off = calloc(m->len, 5 * sizeof(*off));
	if (!e || !off) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < m->len; i++) {
		struct kidview v;
		size_t *o = &off[5 * i];

		e[i].r = m->v[i];
		kid_view_of_res(&v, m->v[i]->obj);
		o[0] = put_text(&text, v.group, v.glen);
		o[1] = put_text(&text, v.version, v.vlen);
		o[2] = put_text(&text, v.kind, v.klen);
		/* kgvk_stable_string, then "|ns|name" */
		o[3] = text.len;
		add_or(&text, v.group, v.glen, "~G", '_');
		add_or(&text, v.version, v.vlen, "~V", '_');
		add_or(&text, v.kind, v.klen, "~K", '\0');
		o[4] = text.len;
		buf_addch(&text, '|');
		add_or(&text, v.ns, v.nslen, "~X", '|');
		add_or(&text, v.name, v.nlen, "~N", '\0');
	}
	if (buf_oom(&text)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < m->len; i++) {
		const size_t *o = &off[5 * i];

		e[i].group = text.ptr + o[0];
		e[i].version = text.ptr + o[1];
		e[i].kind = text.ptr + o[2];
		e[i].stable = text.ptr + o[3];
		e[i].tail = text.ptr + o[4];
		if (first || last) {
			int nfirst = (int)json_array_size(first);

			e[i].order = 0;
			for (int k = 0; k < nfirst; k++)
				if (strcmp(json_string_value(json_array_get(first, (size_t)k)) ?
					   json_string_value(json_array_get(first, (size_t)k)) : "",
					   e[i].kind) == 0)
					e[i].order = -nfirst + k;
			for (size_t k = 0; k < json_array_size(last); k++)
				if (strcmp(json_string_value(json_array_get(last, k)) ?
					   json_string_value(json_array_get(last, k)) : "",
					   e[i].kind) == 0)
					e[i].order = 1 + (int)k;
		} else {
			e[i].order = kgvk_type_order(e[i].kind);
		}
	}
	qsort(e, m->len, sizeof(*e), compare_legacy);
	for (i = 0; i < m->len; i++)
		m->v[i] = e[i].r;
done:
	free(e);
	free(off);
	buf_release(&text);
	return error;
}

/* Resources printed on a second thread when a map holds at least this many. */
#define PRINT_SPLIT_MIN 256
/* Resources per piece of a threaded print. */
#define PRINT_PIECE 32
/* The printing thread's stack: value_to_yaml recurses once per level. */
#define PRINT_STACK ((size_t)8 << 20)

/* A run of PRINT_PIECE resources, printed on its own. */
struct print_piece {
	struct buf out;
	struct diag d;
	int error;
};

/*
 * A print shared by two threads: each takes the next piece not yet taken
 * until none is left, so that neither waits for the other at the end
 * (resources differ in size, and the legacy order puts the large kinds
 * together).
 */
struct print_job {
	struct kresmap *m;
	void (*prepare)(struct kres *r, void *arg);
	void *arg;
	int consume;
	struct print_piece *pieces;
	size_t npieces;
	atomic_size_t next;
};

static void print_pieces(struct print_job *job)
{
	size_t k;

	while ((k = atomic_fetch_add(&job->next, 1)) < job->npieces) {
		struct print_piece *pc = &job->pieces[k];
		size_t end = (k + 1) * PRINT_PIECE < job->m->len ? (k + 1) * PRINT_PIECE
			: job->m->len;

		for (size_t i = k * PRINT_PIECE; i < end; i++) {
			if (job->prepare)
				job->prepare(job->m->v[i], job->arg);
			if (i > 0)
				buf_adds(&pc->out, "---\n");
			if ((pc->error = value_to_yaml(&pc->out, job->m->v[i]->obj, &pc->d)) < 0)
				break;
			if (job->consume) {
				kres_free(job->m->v[i]);
				job->m->v[i] = NULL;
			}
		}
	}
}

static void *print_pieces_thread(void *arg)
{
	print_pieces(arg);
	jslab_thread_done(); /* in case the printer ever makes a json value */
	return NULL;
}

/* kresmap_print on two threads (value_to_yaml only reads the trees); the
 * first error in resource order is the one told. 1: not started. */
static int print_threaded(struct buf *out, struct kresmap *m,
			  void (*prepare)(struct kres *r, void *arg), void *arg, int consume,
			  struct diag *d)
{
	struct print_job job = { m, prepare, arg, consume, NULL,
				 (m->len + PRINT_PIECE - 1) / PRINT_PIECE, 0 };
	pthread_attr_t attr;
	pthread_t thread;
	int started = 0, error = 0;

	if (!(job.pieces = calloc(job.npieces, sizeof(*job.pieces))))
		return 1;
	for (size_t k = 0; k < job.npieces; k++) {
		job.pieces[k].out = (struct buf)BUF_INIT;
		job.pieces[k].d = (struct diag)DIAG_INIT;
	}
	if (pthread_attr_init(&attr) == 0) {
		started = pthread_attr_setstacksize(&attr, PRINT_STACK) == 0 &&
			  pthread_create(&thread, &attr, print_pieces_thread, &job) == 0;
		pthread_attr_destroy(&attr);
	}
	if (!started) {
		free(job.pieces);
		return 1;
	}
	print_pieces(&job);
	pthread_join(thread, NULL);
	for (size_t k = 0; k < job.npieces && !error; k++) {
		struct print_piece *pc = &job.pieces[k];

		if (pc->error < 0) {
			error = pc->error;
			if (d) {
				diag_clear(d);
				d->code = pc->d.code;
				buf_add(&d->msg, pc->d.msg.ptr, pc->d.msg.len);
				buf_add(&d->context, pc->d.context.ptr, pc->d.context.len);
			}
		} else if (buf_oom(&pc->out) || buf_add(out, pc->out.ptr, pc->out.len) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		}
	}
	for (size_t k = 0; k < job.npieces; k++) {
		buf_release(&job.pieces[k].out);
		diag_release(&job.pieces[k].d);
	}
	free(job.pieces);
	return error;
}

int kresmap_print(struct buf *out, struct kresmap *m, int flags,
		  void (*prepare)(struct kres *r, void *arg), void *arg, struct diag *d)
{
	int error, consume = (flags & KPRINT_CONSUME) != 0;

	if ((flags & KPRINT_THREADS) && m->len >= PRINT_SPLIT_MIN &&
	    (error = print_threaded(out, m, prepare, arg, consume, d)) != 1)
		return error;
	for (size_t i = 0; i < m->len; i++) {
		if (prepare)
			prepare(m->v[i], arg);
		if (i > 0)
			buf_adds(out, "---\n");
		if ((error = value_to_yaml(out, m->v[i]->obj, d)) < 0)
			return error;
		if (consume) {
			kres_free(m->v[i]);
			m->v[i] = NULL;
		}
	}
	return buf_oom(out) ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
}
