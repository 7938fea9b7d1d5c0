/*
 * ValueAddTransformer (api/internal/builtins/ValueAddTransformer.go and
 * api/filters/valueadd at v5.7.1): writes a value into a field of the
 * selected resources, or inserts it into the field's path at a position
 * (kyaml's filesys.InsertPathPart).
 */
#include "render/kustomize/internal.h"
#include "render/srcfile.h"
#include "render/yaml.h"

#include <stdlib.h>
#include <string.h>

/* filesys.PathSplit: "a/b" -> a, b; "/a" -> "", a; "" -> none. Appends to parts. */
static int S_path_split(json_t *parts, const char *path, size_t len)
{
	size_t i = len;

	if (len == 0)
		return 0;
	while (i > 0 && path[i - 1] != '/')
		i--;
	/* filepath.Split: dir = path[:i], file = path[i:] */
	if (i == 1 && path[0] == '/') {
		if (len == 1)
			return json_array_append_new(parts, json_string(""));
		if (json_array_append_new(parts, json_string("")) < 0)
			return -1;
		return json_array_append_new(parts, json_stringn(path + 1, len - 1));
	}
	if (i > 0) {
		/* TrimSuffix(dir, "/") removes one slash */
		if (i - 1 > 0 && S_path_split(parts, path, i - 1) < 0)
			return -1;
	}
	return json_array_append_new(parts, json_stringn(path + i, len - i));
}

/* filesys.InsertPathPart (new string in out). */
static void S_insert_path_part(struct buf *out, const char *path, long pos, const char *part)
{
	json_t *parts = json_array();
	struct buf joined = BUF_INIT;
	size_t n, first = 0;
	char *clean;

	buf_reset(out);
	if (!*part || !parts || S_path_split(parts, path, strlen(path)) < 0) {
		buf_adds(out, path);
		json_decref(parts);
		return;
	}
	n = json_array_size(parts);
	if (pos < 0)
		pos = 0;
	else if ((size_t)pos > n)
		pos = (long)n;
	if (n > 0 && !*json_string_value(json_array_get(parts, 0)) && (size_t)pos < n)
		pos++;
	json_array_insert_new(parts, (size_t)pos, json_string(part));
	n = json_array_size(parts);
	/* PathJoin: a leading "" makes the path absolute; filepath.Join skips empties */
	if (!*json_string_value(json_array_get(parts, 0)))
		first = 1;
	for (size_t i = first; i < n; i++) {
		const char *s = json_string_value(json_array_get(parts, i));

		if (!*s)
			continue;
		if (joined.len)
			buf_addch(&joined, '/');
		buf_adds(&joined, s);
	}
	if (joined.len) {
		clean = kpath_clean(joined.ptr);
		if (first)
			buf_addch(out, '/');
		buf_adds(out, clean ? (first && clean[0] == '/' ? clean + 1 : clean) : "");
		free(clean);
	} else if (first) {
		buf_addch(out, '/');
	}
	buf_release(&joined);
	json_decref(parts);
}

/* kyaml LookupCreate(ScalarNode, fields...) then FieldSetter{StringValue}. */
static int S_set_field(json_t *obj, const char *field_path, const char *value, long position,
		       struct diag *d)
{
	json_t *fields = json_array(), *cur = obj, *leaf;
	const char *p = field_path;
	struct buf part = BUF_INIT, nv = BUF_INIT;
	int error = 0;
	size_t n;

	if (!fields)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	/* split on "/", a field ending in "\" joins the next with a "/" */
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		size_t last = json_array_size(fields);
		const char *prev = last ? json_string_value(json_array_get(fields, last - 1)) : NULL;

		if (prev && *prev && prev[strlen(prev) - 1] == '\\') {
			buf_reset(&part);
			buf_add(&part, prev, strlen(prev) - 1);
			buf_addch(&part, '/');
			buf_add(&part, p, len);
			json_array_set_new(fields, last - 1, json_string(part.ptr));
		} else {
			json_array_append_new(fields, json_stringn(p, len));
		}
		if (!slash)
			break;
		p = slash + 1;
	}
	n = json_array_size(fields);
	for (size_t i = 0; i + 1 < n; i++) {
		const char *f = json_string_value(json_array_get(fields, i));
		json_t *next;

		if (!json_is_object(cur)) {
			error = diag_set(d, DIAG_EINVALID, "wrong node kind: expected MappingNode");
			goto done;
		}
		next = json_object_get(cur, f);
		if (!next || json_is_null(next)) {
			next = json_object();
			json_object_set_new(cur, f, next);
		}
		cur = next;
	}
	if (!json_is_object(cur)) {
		error = diag_set(d, DIAG_EINVALID, "wrong node kind: expected MappingNode");
		goto done;
	}
	leaf = json_object_get(cur, json_string_value(json_array_get(fields, n - 1)));
	if (leaf && (json_is_object(leaf) || json_is_array(leaf))) {
		error = diag_set(d, DIAG_EINVALID, "wrong node kind: expected ScalarNode but got %s",
				 json_is_object(leaf) ? "MappingNode" : "SequenceNode");
		goto done;
	}
	if (position > 0)
		S_insert_path_part(&nv, json_is_string(leaf) ? json_string_value(leaf) : "",
				   position - 1, value);
	else
		buf_adds(&nv, value);
	json_object_set_new(cur, json_string_value(json_array_get(fields, n - 1)),
			    json_string(nv.ptr));
done:
	buf_release(&part);
	buf_release(&nv);
	json_decref(fields);
	return error;
}

int kt_value_add(struct kresmap *m, const struct kldr *l, const json_t *cfg, int *config_failed,
		 struct diag *d)
{
	json_t *targets = json_array(), *t;
	struct buf value = BUF_INIT, text = BUF_INIT;
	const char *v = kres_str(cfg, "value"), *tfp = kres_str(cfg, "targetFilePath");
	size_t i, len;
	int error = 0;

	*config_failed = 1;
	if (!targets)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	/* strings.TrimSpace; empty: the base name of the kustomization root */
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' || *v == '\v' || *v == '\f')
		v++;
	len = strlen(v);
	while (len > 0 && strchr(" \t\n\r\v\f", v[len - 1]))
		len--;
	buf_add(&value, v, len);
	if (!value.len) {
		char *base = kpath_base(l->root);

		buf_adds(&value, base ? base : "");
		free(base);
	}
	if (json_is_array(json_object_get(cfg, "targets")))
		json_array_extend(targets, json_object_get(cfg, "targets"));
	if (*tfp) {
		struct srcfile src = SRCFILE_INIT;
		struct ystream ys = YSTREAM_INIT;
		const struct ydoc_limits lim = { .no_positions = 1 }; /* none are used */

		if ((error = kldr_load(l, tfp, &text, d)) < 0)
			goto done;
		if (srcfile_set(&src, tfp, text.ptr, text.len) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		error = ystream_parse(&ys, &src, YDOC_HELM, &lim, d);
		if (error == 0 && ys.ndocs > 0 &&
		    json_is_array(json_object_get(ys.docs[0].root, "targets")))
			json_array_extend(targets, json_object_get(ys.docs[0].root, "targets"));
		if (error < 0)
			kyaml_syntax_error(d, tfp, 0);
		ystream_release(&ys);
		srcfile_release(&src);
		if (error < 0)
			goto done;
	}
	if (!json_array_size(targets)) {
		error = diag_set(d, DIAG_EINVALID, "must specify at least one target");
		goto done;
	}
	json_array_foreach(targets, i, t) {
		json_t *pos = json_object_get(t, "filePathPosition");

		if (!*kres_str(t, "fieldPath")) {
			error = diag_set(d, DIAG_EINVALID, "fieldPath cannot be empty");
			goto done;
		}
		if (json_is_integer(pos) && json_integer_value(pos) < 0) {
			error = diag_set(d, DIAG_EINVALID,
					 "value of FilePathPosition (%lld) cannot be negative",
					 (long long)json_integer_value(pos));
			goto done;
		}
	}
	*config_failed = 0;
	json_array_foreach(targets, i, t) {
		const json_t *sel = json_object_get(t, "selector");
		const char *fp = kres_str(t, "fieldPath");
		json_t *pos = json_object_get(t, "filePathPosition");
		long position = json_is_integer(pos) ? (long)json_integer_value(pos) : 0;
		struct kres **picked = NULL;
		size_t npicked = 0;

		if (sel && !json_is_null(sel)) {
			if ((error = kselect(&picked, &npicked, m, sel, d)) < 0)
				goto done;
		} else {
			npicked = m->len;
		}
		if (!strcmp(fp, "metadata/namespace")) {
			/* namespace.Filter on the picked resources */
			struct kresmap sub = KRESMAP_INIT;
			struct kfslist fss = { NULL, 0, 0 };

			for (size_t j = 0; j < npicked && !error; j++)
				error = kresmap_push(&sub, picked ? picked[j] : m->v[j]);
			if (!error && (error = kfslist_add(&fss, "", "", "", "metadata/namespace", 1)) == 0)
				error = kt_namespace(&sub, value.ptr, &fss, "", 0, d);
			else if (error < 0)
				diag_set(d, error, "out of memory");
			kfslist_release(&fss);
			for (size_t j = 0; j < sub.len; j++)
				sub.v[j] = NULL; /* borrowed from m */
			kresmap_release(&sub);
		} else {
			for (size_t j = 0; j < npicked && !error; j++)
				error = S_set_field((picked ? picked[j] : m->v[j])->obj, fp, value.ptr,
						    position, d);
		}
		free(picked);
		if (error < 0)
			goto done;
	}
done:
	json_decref(targets);
	buf_release(&value);
	buf_release(&text);
	return error;
}
