#include "render/helm/values.h"
#include "render/buf.h"
#include "render/helm/helm_int.h"
#include "render/diag.h"
#include "render/jtree.h"
#include "render/srcfile.h"
#include "render/yaml.h"

int values_merge(json_t *dst, json_t *src)
{
	const char *key;
	json_t *v;

	json_object_foreach(src, key, v) {
		json_t *cur = json_object_get(dst, key);

		if (json_is_object(v) && json_is_object(cur)) {
			if (values_merge(cur, v) < 0)
				return DIAG_ENOMEM;
		} else {
			/* deep copy: dst must never share children with src,
			 * or a later merge into dst would change src. */
			if (json_object_set_new(dst, key, jtree_copy(v)) < 0)
				return DIAG_ENOMEM;
		}
	}
	return 0;
}

int values_coalesce(json_t *user, json_t *defaults)
{
	const char *key;
	json_t *def;

	json_object_foreach(defaults, key, def) {
		json_t *cur = json_object_get(user, key);

		if (!cur) {
			if (json_object_set_new(user, key, jtree_copy(def)) < 0)
				return DIAG_ENOMEM;
		} else if (json_is_null(cur)) {
			json_object_del(user, key);
		} else if (json_is_object(cur) && json_is_object(def)) {
			if (values_coalesce(cur, def) < 0)
				return DIAG_ENOMEM;
		}
	}
	return 0;
}

int values_merge_file(json_t *dst, const char *path, struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	json_t *vals = NULL;
	int error;

	if ((error = srcfile_read(&src, path, d)) < 0 ||
	    (error = ydoc_parse_values(&vals, &src, d)) < 0)
		goto done;
	error = values_merge(dst, vals);
	if (error < 0)
		diag_set(d, error, "out of memory");
done:
	json_decref(vals);
	srcfile_release(&src);
	return error;
}

/* Parses src as a -f file named path and merges it into dst, with Helm's words. */
static int S_merge_src_helm(json_t *dst, struct srcfile *src, const char *path, struct diag *d)
{
	json_t *vals = NULL;
	int error;

	if ((error = ydoc_parse_values(&vals, src, d)) < 0) {
		struct buf prefix = BUF_INIT;
		buf_addf(&prefix, "failed to parse %s: cannot unmarshal yaml document: ", path);
		helm__yaml_diag(d, error, src->name ? src->name : path,
				buf_oom(&prefix) ? "" : prefix.ptr);
		buf_release(&prefix);
		return error;
	}
	error = values_merge(dst, vals);
	if (error < 0)
		diag_set(d, error, "out of memory");
	json_decref(vals);
	return error;
}

int values_merge_file_helm(json_t *dst, const char *path, struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	int error;

	if (helm__is_remote(path))
		return diag_set(d, DIAG_EINVALID, "%s: hydrate renders offline and does not download "
				"values files; fetch it and pass the local file", path);
	if ((error = srcfile_read(&src, helm__read_path(path), d)) == 0)
		error = S_merge_src_helm(dst, &src, path, d);
	srcfile_release(&src);
	return error;
}

int values_merge_text_helm(json_t *dst, const char *name, const char *text, size_t len,
			   struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	int error;

	if (srcfile_set(&src, name, text, len) < 0)
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	else
		error = S_merge_src_helm(dst, &src, name, d);
	srcfile_release(&src);
	return error;
}
