/*
 * Splitting a rendered stream into files: the reader gives each document's
 * start offset (its `---` when it has one), the bytes are cut there, and
 * only kind, apiVersion, metadata.name and metadata.namespace are read from
 * the parsed document.
 */
#include "render/manifest.h"

#include "render/buf.h"
#include "render/diag.h"
#include "render/srcfile.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void doc_release(struct manifest_doc *m)
{
	free(m->api_version);
	free(m->kind);
	free(m->name);
	free(m->namespace);
	free(m->filename);
	free(m->data);
}

void manifest_set_release(struct manifest_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		doc_release(&set->docs[i]);
	free(set->docs);
	set->docs = NULL;
	set->n = 0;
}

/* The bytes of [start, end) minus a leading `---` marker line, with a final
 * newline. A marker followed by content on its line is kept as written. */
static int doc_bytes(struct manifest_doc *m, const char *s, size_t start, size_t end)
{
	struct buf b = BUF_INIT;
	size_t i = start;

	if (end - start >= 3 && !memcmp(s + start, "---", 3) &&
	    (end - start == 3 || s[start + 3] == '\n' || s[start + 3] == '\r' ||
	     s[start + 3] == ' ' || s[start + 3] == '\t')) {
		size_t j = start + 3;
		while (j < end && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j < end && s[j] == '#')
			while (j < end && s[j] != '\n')
				j++;
		if (j >= end || s[j] == '\n' || s[j] == '\r') {
			if (j < end && s[j] == '\r')
				j++;
			if (j < end && s[j] == '\n')
				j++;
			i = j;
		}
	}
	buf_add(&b, s + i, end - i);
	if (b.len && b.ptr[b.len - 1] != '\n')
		buf_addch(&b, '\n');
	if (buf_oom(&b)) {
		buf_release(&b);
		return DIAG_ENOMEM;
	}
	m->data = buf_detach(&b, &m->len);
	return 0;
}

static int is_list(const char *kind, json_t *root)
{
	size_t n = strlen(kind);

	if (!strcmp(kind, "List"))
		return 1;
	return n > 4 && !strcmp(kind + n - 4, "List") && json_is_array(json_object_get(root, "items"));
}

static int list_has_secret(json_t *root)
{
	json_t *items = json_object_get(root, "items"), *it;
	size_t i;

	json_array_foreach(items, i, it) {
		json_t *k = json_object_get(it, "kind");
		if (json_is_string(k) && !strcmp(json_string_value(k), "Secret"))
			return 1;
	}
	return 0;
}

static int err_doc(struct diag *d, struct srcfile *src, const struct ydoc *doc, size_t n,
		   const char *what)
{
	int line = doc->pos.line > 0 ? doc->pos.line : 1;
	int col = doc->pos.col > 0 ? doc->pos.col : 1;

	return diag_set_at(d, DIAG_EINVALID, src, line, col, 1, "document %zu %s", n, what);
}

/* A string field, or NULL when absent; -1 when present but not a non-empty string. */
static int get_str(json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static void add_clean(struct buf *b, const char *s)
{
	for (; *s; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			c = '_';
		buf_addch(b, c);
	}
}

/* level 0: kind-name; 1: kind-ns-name; 2: kind.group-ns-name */
static char *make_name(const struct manifest_doc *m, int level)
{
	struct buf b = BUF_INIT;

	add_clean(&b, m->kind);
	if (level >= 2) {
		const char *slash = strchr(m->api_version, '/');
		buf_addch(&b, '.');
		if (slash) {
			char *g = strndup(m->api_version, (size_t)(slash - m->api_version));
			if (g)
				add_clean(&b, g);
			else
				b.oom = 1;
			free(g);
		} else {
			buf_adds(&b, "core");
		}
	}
	buf_addch(&b, '-');
	if (level >= 1) {
		if (m->namespace)
			add_clean(&b, m->namespace);
		else
			buf_addch(&b, '_');
		buf_addch(&b, '-');
	}
	if (m->name[0])
		add_clean(&b, m->name);
	else
		buf_addf(&b, "%zu", m->index + 1);
	buf_adds(&b, ".yaml");
	if (buf_oom(&b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static int same_group(const char *a, const char *b)
{
	const char *sa = strchr(a, '/'), *sb = strchr(b, '/');
	size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

	return la == lb && !memcmp(a, b, la);
}

static int cmp_filename(const void *a, const void *b)
{
	const struct manifest_doc *x = a, *y = b;
	int c = strcmp(x->filename, y->filename);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int name_docs(struct manifest_set *set, struct diag *d)
{
	size_t i, j;
	int level;

	for (i = 0; i < set->n; i++)
		if (!(set->docs[i].filename = make_name(&set->docs[i], 0)))
			return diag_set(d, DIAG_ENOMEM, "out of memory");
	/* raise the level of every document in a colliding group, twice */
	for (level = 1; level <= 2; level++) {
		unsigned char *bump = calloc(set->n + 1, 1);
		if (!bump)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		qsort(set->docs, set->n, sizeof(*set->docs), cmp_filename);
		for (i = 0; i + 1 < set->n; i++) {
			if (!strcmp(set->docs[i].filename, set->docs[i + 1].filename))
				bump[i] = bump[i + 1] = 1;
		}
		for (i = 0; i < set->n; i++) {
			char *nm;
			if (!bump[i])
				continue;
			nm = make_name(&set->docs[i], level);
			if (!nm) {
				free(bump);
				return diag_set(d, DIAG_ENOMEM, "out of memory");
			}
			free(set->docs[i].filename);
			set->docs[i].filename = nm;
		}
		free(bump);
	}
	/* the same resource twice is an error; anything else gets a counter */
	qsort(set->docs, set->n, sizeof(*set->docs), cmp_filename);
	for (i = 0; i < set->n; i++) {
		for (j = i + 1; j < set->n && !strcmp(set->docs[i].filename, set->docs[j].filename);
		     j++) {
			const struct manifest_doc *a = &set->docs[i], *b = &set->docs[j];
			if (!strcmp(a->kind, b->kind) && !strcmp(a->name, b->name) && a->name[0] &&
			    same_group(a->api_version, b->api_version) &&
			    ((!a->namespace && !b->namespace) ||
			     (a->namespace && b->namespace && !strcmp(a->namespace, b->namespace))))
				return diag_set(d, DIAG_ECONFLICT, "duplicate resource %s '%s'%s%s%s "
						"(documents %zu and %zu)", a->kind, a->name,
						a->namespace ? " in namespace '" : "",
						a->namespace ? a->namespace : "",
						a->namespace ? "'" : "",
						a->index < b->index ? a->index + 1 : b->index + 1,
						a->index < b->index ? b->index + 1 : a->index + 1);
		}
	}
	for (int round = 0; round < 8; round++) {
		int changed = 0;
		for (i = 0; i + 1 < set->n; i++) {
			size_t k = 2;
			for (j = i + 1; j < set->n &&
			     !strcmp(set->docs[i].filename, set->docs[j].filename); j++) {
				struct buf b = BUF_INIT;
				const char *fn = set->docs[j].filename;
				size_t base = strlen(fn) - 5; /* ".yaml" */
				buf_add(&b, fn, base);
				buf_addf(&b, "-%zu.yaml", k++);
				if (buf_oom(&b)) {
					buf_release(&b);
					return diag_set(d, DIAG_ENOMEM, "out of memory");
				}
				free(set->docs[j].filename);
				set->docs[j].filename = buf_detach(&b, NULL);
				changed = 1;
			}
			i = j - 1;
		}
		qsort(set->docs, set->n, sizeof(*set->docs), cmp_filename);
		if (!changed)
			return 0;
	}
	for (i = 0; i + 1 < set->n; i++)
		if (!strcmp(set->docs[i].filename, set->docs[i + 1].filename))
			return diag_set(d, DIAG_ECONFLICT, "cannot give '%s' a unique file name",
					set->docs[i].filename);
	return 0;
}

int manifest_split(struct manifest_set *out, struct srcfile *src, enum ydoc_mode mode,
		   struct diag *d)
{
	struct ystream s = YSTREAM_INIT;
	struct manifest_set set = MANIFEST_SET_INIT;
	size_t i;
	int error;

	out->docs = NULL;
	out->n = 0;
	if ((error = ystream_parse(&s, src, mode, NULL, d)) < 0)
		goto done;
	set.docs = calloc(s.ndocs + 1, sizeof(*set.docs));
	if (!set.docs) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < s.ndocs; i++) {
		const struct ydoc *doc = &s.docs[i];
		struct manifest_doc *m = &set.docs[set.n];
		size_t start = i == 0 ? 0 : doc->start;
		size_t end = i + 1 < s.ndocs ? s.docs[i + 1].start : src->len;
		const char *kind, *api, *name, *ns;
		json_t *meta;

		if (json_is_null(doc->root))
			continue;
		if (i > 0 && start < s.docs[i - 1].start)
			start = s.docs[i - 1].start;
		if (end < start)
			end = start;
		if (!json_is_object(doc->root)) {
			error = err_doc(d, src, doc, set.n + 1, "is not a mapping");
			goto done;
		}
		if (get_str(doc->root, "kind", &kind) < 0 || !kind) {
			error = err_doc(d, src, doc, set.n + 1,
					json_object_get(doc->root, "kind") ? "has an invalid 'kind'"
					: "has no 'kind' (a string)");
			goto done;
		}
		if (get_str(doc->root, "apiVersion", &api) < 0) {
			error = err_doc(d, src, doc, set.n + 1, "has an invalid 'apiVersion'");
			goto done;
		}
		meta = json_object_get(doc->root, "metadata");
		if (meta && !json_is_object(meta) && !json_is_null(meta)) {
			error = err_doc(d, src, doc, set.n + 1, "has a 'metadata' that is not a "
					"mapping");
			goto done;
		}
		if (get_str(meta, "name", &name) < 0 || get_str(meta, "namespace", &ns) < 0) {
			error = err_doc(d, src, doc, set.n + 1, "has an invalid 'metadata.name' or "
					"'metadata.namespace' (not a string)");
			goto done;
		}
		if (is_list(kind, doc->root))
			m->flags |= MANIFEST_LIST | (list_has_secret(doc->root) ? MANIFEST_SECRET : 0);
		else if (!name) {
			error = err_doc(d, src, doc, set.n + 1, "has no 'metadata.name'");
			goto done;
		}
		if (!strcmp(kind, "Secret") && (!api || !strcmp(api, "v1")))
			m->flags |= MANIFEST_SECRET;
		m->index = set.n;
		m->line = doc->pos.line;
		set.n++;
		m->kind = strdup(kind);
		m->api_version = strdup(api ? api : "");
		m->name = strdup(name ? name : "");
		m->namespace = ns ? strdup(ns) : NULL;
		if (!m->kind || !m->api_version || !m->name || (ns && !m->namespace) ||
		    doc_bytes(m, src->data, start, end) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
	if ((error = name_docs(&set, d)) < 0)
		goto done;
	*out = set;
	set.docs = NULL;
	set.n = 0;
done:
	manifest_set_release(&set);
	ystream_release(&s);
	return error;
}

const struct manifest_doc *manifest_set_find(const struct manifest_set *set,
					     const char *filename)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(set->docs[mid].filename, filename);
		if (c == 0)
			return &set->docs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
