/*
 * Field specs: "apply this to the field at path P of resources of gvk G"
 * (kustomize's api/filters/fieldspec). Paths are '/'-separated object keys;
 * "\/" escapes a slash inside a key; a key ending in "[]" names a list;
 * lists met on the way are walked element by element with the same
 * remaining path.
 */
#include "render/kustomize/internal.h"

#include <stdlib.h>
#include <string.h>

static struct kfpath *kfpath_new(const char *path);

void kfslist_release(struct kfslist *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->v[i].group);
		free(l->v[i].version);
		free(l->v[i].kind);
		free(l->v[i].path);
		free(l->v[i].split);
	}
	free(l->v);
	l->v = NULL;
	l->len = l->alloc = 0;
}

int kfslist_add(struct kfslist *l, const char *group, const char *version, const char *kind,
		const char *path, int create)
{
	struct kfspec *s;

	if (l->len == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 8;
		struct kfspec *nv = realloc(l->v, na * sizeof(*nv));

		if (!nv)
			return DIAG_ENOMEM;
		l->v = nv;
		l->alloc = na;
	}
	s = &l->v[l->len];
	s->group = strdup(group ? group : "");
	s->version = strdup(version ? version : "");
	s->kind = strdup(kind ? kind : "");
	s->path = strdup(path ? path : "");
	s->create = create;
	s->split = s->path ? kfpath_new(s->path) : NULL;
	if (!s->group || !s->version || !s->kind || !s->path || !s->split) {
		free(s->group);
		free(s->version);
		free(s->kind);
		free(s->path);
		free(s->split);
		return DIAG_ENOMEM;
	}
	l->len++;
	return 0;
}

/* FieldSpec.effectivelyEquals: x's gvk is selected by y's, same path. */
static int effectively_equals(const struct kfspec *x, const struct kfspec *y)
{
	return (!*y->group || strcmp(x->group, y->group) == 0) &&
	       (!*y->version || strcmp(x->version, y->version) == 0) &&
	       (!*y->kind || strcmp(x->kind, y->kind) == 0) && strcmp(x->path, y->path) == 0;
}

int kfslist_merge(struct kfslist *l, const struct kfslist *in, struct diag *d)
{
	int error;

	for (size_t i = 0; i < in->len; i++) {
		const struct kfspec *x = &in->v[i];
		size_t j;

		for (j = 0; j < l->len; j++)
			if (effectively_equals(&l->v[j], x))
				break;
		if (j < l->len) {
			if (l->v[j].create != x->create)
				return diag_set(d, DIAG_EINVALID, "conflicting fieldspecs");
			continue;
		}
		if ((error = kfslist_add(l, x->group, x->version, x->kind, x->path, x->create)) < 0)
			return diag_set(d, error, "out of memory");
	}
	return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

int kfslist_from_json(struct kfslist *out, const json_t *arr, struct diag *d)
{
	size_t i;
	json_t *e;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return diag_set(d, DIAG_EINVALID, "fieldSpecs must be a list");
	json_array_foreach(arr, i, e) {
		if (!json_is_object(e))
			return diag_set(d, DIAG_EINVALID, "a fieldSpec must be a map");
		if (kfslist_add(out, jstr(e, "group"), jstr(e, "version"), jstr(e, "kind"),
				jstr(e, "path"), json_is_true(json_object_get(e, "create"))) < 0)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	return 0;
}

int kfspec_matches(const json_t *res, const struct kfspec *fs)
{
	const char *av, *slash, *version;
	size_t glen;

	if (*fs->kind) {
		const json_t *k = kjson_getn(res, "kind", 4);

		if (strcmp(fs->kind, json_is_string(k) ? json_string_value(k) : "") != 0)
			return 0;
	}
	/* a spec for any group and version (most): no apiVersion lookup */
	if (!*fs->group && !*fs->version)
		return 1;
	av = kres_str(res, "apiVersion");
	slash = strchr(av, '/');
	glen = slash ? (size_t)(slash - av) : 0;
	version = slash ? slash + 1 : av;
	if (*fs->group && (strlen(fs->group) != glen || strncmp(fs->group, av, glen) != 0))
		return 0;
	if (*fs->version && strcmp(fs->version, version) != 0)
		return 0;
	return 1;
}

/*
 * utils.PathSplitter: split on '/', a trailing '\' glues the next part.
 * buf holds a copy of the path and is changed in place: v (room for
 * strlen(buf) + 1 entries) gets pointers to its segments. No allocation:
 * field specs are applied to every resource, several times.
 */
static size_t split_path(char *buf, char **v)
{
	char *r = buf, *w = buf;
	size_t cnt = 0;

	if (r[0] == '/' && r[1])
		r++;
	for (;;) {
		char *e = strchr(r, '/');
		size_t len = e ? (size_t)(e - r) : strlen(r);
		size_t plen = cnt > 0 ? strlen(v[cnt - 1]) : 0;

		if (plen > 0 && v[cnt - 1][plen - 1] == '\\') {
			/* The previous segment ends at w - 1: its backslash becomes '/'. */
			w -= 2;
			*w++ = '/';
		} else {
			v[cnt++] = w;
		}
		memmove(w, r, len);
		w += len;
		*w++ = '\0';
		if (!e)
			break;
		r = e + 1;
	}
	return cnt;
}

/* The path's segments (split_path), each key without its "[]", in one
 * allocation; NULL on ENOMEM. */
static struct kfpath *kfpath_new(const char *path)
{
	size_t len = strlen(path), n;
	char *tmp, **v;
	struct kfpath *p = NULL;

	if (!(tmp = malloc(len + 1)) || !(v = malloc((len + 1) * sizeof(*v)))) {
		free(tmp);
		return NULL;
	}
	memcpy(tmp, path, len + 1);
	n = split_path(tmp, v);
	/* the segments, then their keys: no more bytes than path's plus NULs */
	if ((p = malloc(sizeof(*p) + n * sizeof(p->seg[0]) + len + n + 1)) != NULL) {
		char *text = (char *)&p->seg[n];

		p->n = n;
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(v[i]);
			int is_seq = l >= 2 && v[i][l - 2] == '[' && v[i][l - 1] == ']';

			if (is_seq)
				l -= 2;
			memcpy(text, v[i], l);
			text[l] = '\0';
			p->seg[i].key = text;
			p->seg[i].len = l;
			p->seg[i].is_seq = is_seq;
			text += l + 1;
		}
	}
	free(tmp);
	free(v);
	return p;
}

struct walk {
	const struct kfspec *fs;
	int create_kind; /* JSON_OBJECT, JSON_STRING, or -1 for none */
	kfs_setfn fn;
	void *payload;
	struct kwalk_memo *memo; /* NULL, or containers found (no create) */
	struct diag *d;
};

/* node's member key[0..len), through w's memo when it has one. */
static json_t *walk_get(struct walk *w, json_t *node, const char *key, size_t len, int depth)
{
	json_t *child;

	if (w->memo && depth < KWALK_MEMO) {
		const size_t i = (size_t)depth;

		if (w->memo->at[i].parent == node && w->memo->at[i].len == len &&
		    memcmp(w->memo->at[i].key, key, len) == 0)
			return w->memo->at[i].child;
		child = kjson_getn(node, key, len);
		if (json_is_object(child) || json_is_array(child)) {
			w->memo->at[i].parent = node;
			w->memo->at[i].key = key;
			w->memo->at[i].len = len;
			w->memo->at[i].child = child;
		}
		return child;
	}
	return kjson_getn(node, key, len);
}

/* kustomize's handleSequence wraps an element's error with the path left
 * to walk, as Go's %v prints a []string: "visit traversal on path: [a b[]]". */
static void traversal_error(struct diag *d, const struct kfseg *path, size_t n)
{
	struct buf list = BUF_INIT;

	buf_addch(&list, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addch(&list, ' ');
		buf_add(&list, path[i].key, path[i].len);
		if (path[i].is_seq)
			buf_adds(&list, "[]");
	}
	buf_addch(&list, ']');
	if (!buf_oom(&list))
		diag_prefix(d, "visit traversal on path: %s", list.ptr);
	buf_release(&list);
}

static int walk(struct walk *w, json_t *parent, const char *key, size_t idx, json_t *node,
		const struct kfseg *path, size_t n, int depth)
{
	if (depth > 200)
		return diag_set(w->d, DIAG_ELIMIT, "field path too deep");
	if (n == 0)
		return w->fn(parent, key, idx, node, w->payload, w->d);
	if (json_is_null(node))
		return 0;
	if (json_is_array(node)) {
		for (size_t i = 0; i < json_array_size(node); i++) {
			int error = walk(w, node, NULL, i, json_array_get(node, i), path, n, depth + 1);

			if (error < 0) {
				if (error != DIAG_ENOMEM)
					traversal_error(w->d, path, n);
				return error;
			}
		}
		return 0;
	}
	if (json_is_object(node)) {
		const char *field = path[0].key;
		json_t *child;
		int kind = -1;

		if (path[0].len == 0)
			return diag_set(w->d, DIAG_EINVALID,
					"cannot set or create an empty field name");
		if (path[0].len >= 1024)
			return diag_set(w->d, DIAG_ELIMIT, "field name too long");
		if (w->fs->create && w->create_kind >= 0 && !path[0].is_seq)
			kind = n <= 1 ? w->create_kind : JSON_OBJECT;
		child = walk_get(w, node, field, path[0].len, depth);
		if (!child) {
			if (kind < 0)
				return 0;
			child = kind == JSON_OBJECT ? json_object() : json_string("");
			if (json_object_set_new(node, field, child) < 0)
				return diag_set(w->d, DIAG_ENOMEM, "out of memory");
		} else if (json_is_null(child) && kind >= 0) {
			child = kind == JSON_OBJECT ? json_object() : json_string("");
			if (json_object_set_new(node, field, child) < 0)
				return diag_set(w->d, DIAG_ENOMEM, "out of memory");
		}
		/* child is what the field holds now (found or just made) */
		return walk(w, node, field, 0, child, path + 1, n - 1, depth + 1);
	}
	return diag_set(w->d, DIAG_EEXEC, "expected sequence or mapping node");
}

static int apply(json_t *res, const struct kfspec *fs, int create_kind, kfs_setfn fn,
		 void *payload, struct kwalk_memo *memo, struct diag *d)
{
	struct walk w = { fs, create_kind, fn, payload, memo, d };
	struct kfpath *own = NULL;
	const struct kfpath *p = fs->split;
	int error;

	if (!kfspec_matches(res, fs))
		return 0;
	if (!p && !(p = own = kfpath_new(fs->path)))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	error = walk(&w, NULL, NULL, 0, res, p->seg, p->n, 0);
	if (error < 0 && error != DIAG_ENOMEM) {
		struct kid id = KID_INIT;
		struct buf s = BUF_INIT;

		if (kid_from_res(&id, res) == 0) {
			kid_string(&s, &id);
			diag_prefix(d, "considering field '%s' of object %s", fs->path, s.ptr);
		}
		kid_release(&id);
		buf_release(&s);
	}
	free(own);
	return error;
}

int kfspec_apply(json_t *res, const struct kfspec *fs, int create_kind, kfs_setfn fn,
		 void *payload, struct diag *d)
{
	return apply(res, fs, create_kind, fn, payload, NULL, d);
}

int kfspec_apply_memo(json_t *res, const struct kfspec *fs, kfs_setfn fn, void *payload,
		      struct kwalk_memo *memo, struct diag *d)
{
	return apply(res, fs, -1, fn, payload, memo, d);
}
