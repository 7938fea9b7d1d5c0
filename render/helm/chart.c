/*
 * Chart loading (pkg/chart/v2/loader: directory.go, load.go; pkg/ignore),
 * dependency processing and values coalescing. See chart.h.
 */
#include "render/helm/chart.h"
#include "render/helm/archive.h"
#include "render/assist.h"
#include "render/helm/helm_int.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/gofloat.h"
#include "render/jtree.h"
#include "render/srcfile.h"
#include "render/tmpl/tmpl.h"
#include "render/yaml.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHART_MAX_DEPTH 64           /* directory nesting, subchart nesting */
#define CHART_MAX_FILE ((size_t)5 << 20)   /* archive.MaxDecompressedFileSize */

/* ---- raw files, as LoadFiles receives them */

struct rawlist {
	struct chart_file *v;
	size_t n, cap;
};

static void S_rawlist_release(struct rawlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].data);
		free(l->v[i].path);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Appends a file; name is copied, data and path are stolen (even on
 * failure). path: a file left on disk (data NULL). */
static int S_rawlist_add_file(struct rawlist *l, const char *name, char *data, size_t len,
			      char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct chart_file *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv) {
			free(data);
			free(path);
			return DIAG_ENOMEM;
		}
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].name = strdup(name);
	if (!l->v[l->n].name) {
		free(data);
		free(path);
		return DIAG_ENOMEM;
	}
	l->v[l->n].data = data;
	l->v[l->n].len = len;
	l->v[l->n].path = path;
	l->n++;
	return 0;
}

static int S_rawlist_add(struct rawlist *l, const char *name, char *data, size_t len)
{
	return S_rawlist_add_file(l, name, data, len, NULL);
}

/* ---- .helmignore (pkg/ignore/rules.go) */

enum ignore_mode { IGN_BASE, IGN_PATH };

struct ignore_rule {
	char *pat;
	int negate, must_dir;
	enum ignore_mode mode;
};

struct ignore_rules {
	struct ignore_rule *v;
	size_t n;
};

static void S_ignore_release(struct ignore_rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].pat);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static int S_ignore_add(struct ignore_rules *r, const char *line, size_t len, struct diag *d)
{
	struct ignore_rule rule = { NULL, 0, 0, IGN_BASE };
	struct ignore_rule *nv;
	const char *s = line, *e = line + len;

	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n' ||
			 e[-1] == '\v' || e[-1] == '\f'))
		e--;
	if (s == e || *s == '#')
		return 0;
	for (const char *q = s; q + 1 < e; q++)
		if (q[0] == '*' && q[1] == '*')
			return diag_set(d, DIAG_EPARSE, "double-star (**) syntax is not supported");
	if (*s == '!') {
		rule.negate = 1;
		s++;
	}
	if (e > s && e[-1] == '/') {
		rule.must_dir = 1;
		e--;
	}
	if (s < e && *s == '/') {
		rule.mode = IGN_PATH;
		s++;
	} else if (memchr(s, '/', (size_t)(e - s))) {
		rule.mode = IGN_PATH;
	}
	rule.pat = strndup(s, (size_t)(e - s));
	if (!rule.pat)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	nv = realloc(r->v, (r->n + 1) * sizeof(*nv));
	if (!nv) {
		free(rule.pat);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	r->v = nv;
	r->v[r->n++] = rule;
	return 0;
}

/* fnmatch(pat, s, flags) == 0 for the two common shapes of a rule without
 * fnmatch: a literal, and '*' then a literal ("*.swp"; with FNM_PATHNAME
 * the '*' does not cross a '/'). */
static int S_fnmatch(const char *pat, const char *s, int flags)
{
	const char *lit = pat[0] == '*' ? pat + 1 : pat;

	if (!strpbrk(lit, "*?[\\")) {
		size_t ls = strlen(s), ll = strlen(lit);

		if (lit == pat)
			return strcmp(pat, s) == 0;
		if (ls < ll || memcmp(s + ls - ll, lit, ll) != 0)
			return 0;
		return !(flags & FNM_PATHNAME) || !memchr(s, '/', ls - ll);
	}
	return fnmatch(pat, s, flags) == 0;
}

static int S_ignore_match(const struct ignore_rule *rule, const char *path)
{
	if (rule->mode == IGN_BASE) {
		const char *b = strrchr(path, '/');
		return S_fnmatch(rule->pat, b ? b + 1 : path, 0);
	}
	return S_fnmatch(rule->pat, path, FNM_PATHNAME);
}

/* Rules.Ignore, negation included: a "!x" rule ignores what x does not match. */
static int S_ignored(const struct ignore_rules *r, const char *path, int is_dir)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct ignore_rule *rule = &r->v[i];
		if (rule->negate) {
			if (rule->must_dir && !is_dir)
				return 1;
			if (!S_ignore_match(rule, path))
				return 1;
			continue;
		}
		if (rule->must_dir && !is_dir)
			continue;
		if (S_ignore_match(rule, path))
			return 1;
	}
	return 0;
}

/* ---- reading the directory */

/* 0, or 1 when the file is larger than limit (nothing read, no error
 * worded), or an error. */
static int S_read_file_max(char **data_out, size_t *len_out, const char *path, size_t limit,
			   struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	int error;

	if ((error = srcfile_slurp(path, limit, data_out, len_out)) >= 0)
		return error;
	if ((error = srcfile_read(&src, path, d)) < 0)
		return error;
	*data_out = src.data;
	*len_out = src.len;
	src.data = NULL;
	srcfile_release(&src);
	if (*len_out > limit) {
		free(*data_out);
		*data_out = NULL;
		return 1;
	}
	return 0;
}

/* bytes.TrimPrefix(data, utf8bom), in place (data is NUL-terminated). */
static void S_strip_bom(char *data, size_t *len)
{
	if (*len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		memmove(data, data + 3, *len - 3 + 1);
		*len -= 3;
	}
}

static int S_read_file(char **data_out, size_t *len_out, const char *path, struct diag *d)
{
	return S_read_file_max(data_out, len_out, path, SIZE_MAX, d);
}

/* Whether the walk reads rel now (chart.h: what the load parses, the
 * templates, archives) or leaves it on disk for chart_file_load. */
static int S_read_now(const char *rel)
{
	static const char *const bases[] = { "Chart.yaml", "values.yaml", "values.schema.json",
					     "requirements.yaml", "Chart.lock", "requirements.lock" };
	const char *base = strrchr(rel, '/');
	size_t n = strlen(rel);

	base = base ? base + 1 : rel;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (strcmp(base, bases[i]) == 0)
			return 1;
	if (strncmp(rel, "templates/", 10) == 0 || strstr(rel, "/templates/"))
		return 1;
	return (n > 4 && strcmp(rel + n - 4, ".tgz") == 0) ||
	       (n > 7 && strcmp(rel + n - 7, ".tar.gz") == 0);
}

int chart_file_load(const struct chart_file *cf, struct diag *d)
{
	struct chart_file *f = (struct chart_file *)cf;   /* see chart.h */
	char *data = NULL;
	size_t len = 0;
	struct diag own = DIAG_INIT;
	int error;

	if (f->data || !f->path)
		return 0;
	if ((error = S_read_file_max(&data, &len, f->path, CHART_MAX_FILE, &own)) != 0) {
		if (error > 0)
			error = diag_set(d, DIAG_ELIMIT, "error reading %s: larger than the maximum "
					 "file size %zu", f->path, CHART_MAX_FILE);
		else if (error == DIAG_ENOMEM)
			diag_set(d, error, "out of memory");
		else
			diag_set(d, error, "error reading %s: %s", f->path, own.msg.ptr);
		diag_release(&own);
		return error;
	}
	S_strip_bom(data, &len);
	f->data = data;
	f->len = len;
	return 0;
}

/* names behind their d_type byte (S_walk) */
static int S_namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/* sympath.Walk: lexical order, symlinks followed. rel is "" at the top.
 * readdir's d_type spares a stat for a regular file or a directory; a
 * symbolic link (or a file system without d_type) is stat'ed. Each name
 * is stored behind its d_type byte. */
static int S_walk(struct rawlist *out, const struct ignore_rules *rules, const char *abs,
		  const char *rel, int depth, struct diag *d)
{
	DIR *dir = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct buf p = BUF_INIT, r = BUF_INIT;
	int error = 0;

	if (depth > CHART_MAX_DEPTH)
		return diag_set(d, DIAG_ELIMIT, "%s: directories nested too deeply", abs);
	dir = opendir(abs);
	if (!dir)
		return diag_set(d, DIAG_ENOTFOUND, "open %s: %s", abs, strerror(errno));
	while ((de = readdir(dir)) != NULL) {
		size_t len;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nn = realloc(names, nc * sizeof(*nn));
			if (!nn) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
			names = nn;
			cap = nc;
		}
		len = strlen(de->d_name);
		if (!(names[n] = malloc(len + 2))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		names[n][0] = (char)de->d_type;
		memcpy(names[n] + 1, de->d_name, len + 1);
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), S_namecmp);
	for (i = 0; i < n; i++) {
		const char *name = names[i] + 1;
		unsigned char type = (unsigned char)names[i][0];
		struct stat st;
		char *data = NULL;
		size_t len = 0;

		buf_reset(&p);
		buf_reset(&r);
		/* "%s/%s" without printf: a chart walk joins a path per file */
		buf_adds(&p, abs);
		buf_addch(&p, '/');
		buf_adds(&p, name);
		if (*rel) {
			buf_adds(&r, rel);
			buf_addch(&r, '/');
		}
		buf_adds(&r, name);
		if (buf_oom(&p) || buf_oom(&r)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if (type != DT_REG && type != DT_DIR) {
			if (stat(p.ptr, &st) < 0) {
				error = diag_set(d, DIAG_ENOTFOUND, "stat %s: %s", p.ptr,
						 strerror(errno));
				goto done;
			}
			if (S_ISDIR(st.st_mode))
				type = DT_DIR;
			else if (S_ISREG(st.st_mode))
				type = DT_REG;
			else
				type = DT_UNKNOWN;
		}
		if (type == DT_DIR) {
			if (S_ignored(rules, r.ptr, 1))
				continue;
			if ((error = S_walk(out, rules, p.ptr, r.ptr, depth + 1, d)) < 0)
				goto done;
			continue;
		}
		if (S_ignored(rules, r.ptr, 0))
			continue;
		if (type != DT_REG) {
			error = diag_set(d, DIAG_EINVALID,
					 "cannot load irregular file %s as it has file mode type bits set",
					 p.ptr);
			goto done;
		}
		/* left on disk: its size and readability checked here, where
		 * reading it would have found them; anything odd is read now,
		 * and words its own error */
		if (!S_read_now(r.ptr) && fstatat(dirfd(dir), name, &st, 0) == 0 &&
		    S_ISREG(st.st_mode) && (unsigned long long)st.st_size <= CHART_MAX_FILE &&
		    (geteuid() == 0 || faccessat(dirfd(dir), name, R_OK, AT_EACCESS) == 0)) {
			char *path = strdup(p.ptr);
			if (!path || (error = S_rawlist_add_file(out, r.ptr, NULL, 0, path)) < 0) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
			continue;
		}
		if ((error = S_read_file_max(&data, &len, p.ptr, CHART_MAX_FILE, d)) < 0)
			goto done;
		if (error > 0) {
			error = diag_set(d, DIAG_ELIMIT,
					 "chart file \"%s\" is larger than the maximum file size %zu",
					 name, CHART_MAX_FILE);
			goto done;
		}
		S_strip_bom(data, &len);
		if ((error = S_rawlist_add(out, r.ptr, data, len)) < 0) {
			diag_set(d, error, "out of memory");
			goto done;
		}
	}
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (dir)
		closedir(dir);
	buf_release(&p);
	buf_release(&r);
	return error;
}

/* ---- metadata */

/* sanitizeString: whitespace becomes ' ', unprintable ASCII is dropped. */
static json_t *S_sanitized(json_t *v)
{
	const char *s;
	size_t n, i;
	struct buf b = BUF_INIT;
	json_t *out;

	if (!json_is_string(v))
		return json_string("");
	s = json_string_value(v);
	n = json_string_length(v);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
			buf_addch(&b, ' ');
		else if (c >= 0x20 && c != 0x7f)
			buf_addch(&b, c);
	}
	out = buf_oom(&b) ? NULL : json_stringn(b.ptr, b.len);
	buf_release(&b);
	return out;
}

static json_t *S_str_list(json_t *v)
{
	json_t *out = json_array(), *e;
	size_t i;

	if (!out)
		return NULL;
	json_array_foreach(v, i, e) {
		if (json_array_append_new(out, S_sanitized(e)) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

static int S_set(json_t *o, const char *k, json_t *v)
{
	return v ? json_object_set_new(o, k, v) : -1;
}

static json_t *S_dep_map(json_t *dep)
{
	json_t *m = json_object(), *e;
	json_t *iv = json_object_get(dep, "import-values");
	int err = 0;

	if (!m)
		return NULL;
	err |= S_set(m, "Name", S_sanitized(json_object_get(dep, "name")));
	err |= S_set(m, "Version", S_sanitized(json_object_get(dep, "version")));
	err |= S_set(m, "Repository", S_sanitized(json_object_get(dep, "repository")));
	err |= S_set(m, "Condition", S_sanitized(json_object_get(dep, "condition")));
	err |= S_set(m, "Tags", S_str_list(json_object_get(dep, "tags")));
	e = json_object_get(dep, "enabled");
	err |= S_set(m, "Enabled", json_boolean(json_is_true(e)));
	err |= S_set(m, "ImportValues", json_is_array(iv) ? jtree_copy(iv) : json_array());
	err |= S_set(m, "Alias", S_sanitized(json_object_get(dep, "alias")));
	if (err) {
		json_decref(m);
		return NULL;
	}
	return m;
}

/* structToMap(chart.Metadata) plus IsRoot. */
static json_t *S_meta_map(json_t *md, json_t *deps, int is_root)
{
	json_t *m = json_object(), *l, *e, *ann, *v;
	const char *k;
	size_t i;
	int err = 0;

	if (!m)
		return NULL;
	err |= S_set(m, "Name", S_sanitized(json_object_get(md, "name")));
	err |= S_set(m, "Home", S_sanitized(json_object_get(md, "home")));
	err |= S_set(m, "Sources", S_str_list(json_object_get(md, "sources")));
	err |= S_set(m, "Version", S_sanitized(json_object_get(md, "version")));
	err |= S_set(m, "Description", S_sanitized(json_object_get(md, "description")));
	err |= S_set(m, "Keywords", S_str_list(json_object_get(md, "keywords")));
	l = json_array();
	json_array_foreach(json_object_get(md, "maintainers"), i, e) {
		json_t *mm = json_object();
		if (mm) {
			S_set(mm, "Name", S_sanitized(json_object_get(e, "name")));
			S_set(mm, "Email", S_sanitized(json_object_get(e, "email")));
			S_set(mm, "URL", S_sanitized(json_object_get(e, "url")));
		}
		if (!l || json_array_append_new(l, mm) < 0)
			err = 1;
	}
	err |= S_set(m, "Maintainers", l);
	err |= S_set(m, "Icon", S_sanitized(json_object_get(md, "icon")));
	err |= S_set(m, "APIVersion", S_sanitized(json_object_get(md, "apiVersion")));
	err |= S_set(m, "Condition", S_sanitized(json_object_get(md, "condition")));
	err |= S_set(m, "Tags", S_sanitized(json_object_get(md, "tags")));
	err |= S_set(m, "AppVersion", S_sanitized(json_object_get(md, "appVersion")));
	err |= S_set(m, "Deprecated", json_boolean(json_is_true(json_object_get(md, "deprecated"))));
	/* map[string]string: nil (toJson null) unless Chart.yaml has a map */
	ann = json_is_object(json_object_get(md, "annotations")) ? json_object() : json_null();
	json_object_foreach(json_object_get(md, "annotations"), k, v) {
		if (!ann || json_object_set_new(ann, k, json_is_string(v) ? json_incref(v)
									     : json_string("")) < 0)
			err = 1;
	}
	err |= S_set(m, "Annotations", ann);
	err |= S_set(m, "KubeVersion", S_sanitized(json_object_get(md, "kubeVersion")));
	l = json_array();
	json_array_foreach(deps, i, e) {
		if (!l || json_array_append_new(l, S_dep_map(e)) < 0)
			err = 1;
	}
	err |= S_set(m, "Dependencies", l);
	err |= S_set(m, "Type", S_sanitized(json_object_get(md, "type")));
	err |= S_set(m, "IsRoot", json_boolean(is_root));
	if (err) {
		json_decref(m);
		return NULL;
	}
	return m;
}

/*
 * sigs.k8s.io/yaml decodes a YAML bool or number into a string field of
 * chart.Metadata as its Go text: name: off becomes "false" (YAML 1.1),
 * version: 1.10 becomes "1.1", 3 stays "3".
 */
static json_t *S_scalar_text(const json_t *v)
{
	struct buf b = BUF_INIT;
	json_t *out;
	double f;

	if (json_is_boolean(v))
		return json_string(json_is_true(v) ? "true" : "false");
	f = json_number_value(v);
	if (f == (double)(long long)f && f > -9007199254740992.0 && f < 9007199254740992.0)
		buf_addf(&b, "%lld", (long long)f);
	else
		gofloat_format(&b, f, 'g', -1, 64);
	out = buf_oom(&b) ? NULL : json_stringn(b.ptr, b.len);
	buf_release(&b);
	return out;
}

static void S_fix_one(json_t *container, const char *key, size_t index, struct srcfile *src,
		      const struct ydoc *doc, const char *ptr)
{
	json_t *v = key ? json_object_get(container, key) : json_array_get(container, index);
	json_t *text;

	if (!v || !(json_is_boolean(v) || json_is_number(v)))
		return;
	if (!(text = S_scalar_text(v)))
		return;
	if (key)
		json_object_set_new(container, key, text);
	else
		json_array_set_new(container, index, text);
}

/* RFC 6901 escaping of one key. */
static void S_ptr_key(struct buf *b, const char *k)
{
	for (; *k; k++) {
		if (*k == '~')
			buf_adds(b, "~0");
		else if (*k == '/')
			buf_adds(b, "~1");
		else
			buf_addch(b, *k);
	}
}

static void S_fix_fields(json_t *obj, const char *base, const char *const *fields,
			 struct srcfile *src, const struct ydoc *doc)
{
	struct buf ptr = BUF_INIT;

	if (!json_is_object(obj))
		return;
	for (size_t i = 0; fields[i]; i++) {
		buf_reset(&ptr);
		buf_adds(&ptr, base);
		buf_addch(&ptr, '/');
		buf_adds(&ptr, fields[i]);
		if (!buf_oom(&ptr))
			S_fix_one(obj, fields[i], 0, src, doc, ptr.ptr);
	}
	buf_release(&ptr);
}

static void S_fix_list(json_t *list, const char *base, struct srcfile *src,
		       const struct ydoc *doc)
{
	struct buf ptr = BUF_INIT;
	size_t i;

	for (i = 0; json_is_array(list) && i < json_array_size(list); i++) {
		buf_reset(&ptr);
		buf_addf(&ptr, "%s/%zu", base, i);
		if (!buf_oom(&ptr))
			S_fix_one(list, NULL, i, src, doc, ptr.ptr);
	}
	buf_release(&ptr);
}

static void S_fix_metadata(json_t *md, struct srcfile *src, const struct ydoc *doc)
{
	static const char *const top[] = { "name", "home", "version", "description", "icon",
		"apiVersion", "condition", "tags", "appVersion", "kubeVersion", "type", NULL };
	static const char *const maint[] = { "name", "email", "url", NULL };
	static const char *const dep[] = { "name", "version", "repository", "condition",
		"alias", NULL };
	struct buf ptr = BUF_INIT;
	const char *k;
	json_t *v;
	size_t i;

	S_fix_fields(md, "", top, src, doc);
	S_fix_list(json_object_get(md, "sources"), "/sources", src, doc);
	S_fix_list(json_object_get(md, "keywords"), "/keywords", src, doc);
	json_array_foreach(json_object_get(md, "maintainers"), i, v) {
		buf_reset(&ptr);
		buf_addf(&ptr, "/maintainers/%zu", i);
		S_fix_fields(v, ptr.ptr, maint, src, doc);
	}
	json_array_foreach(json_object_get(md, "dependencies"), i, v) {
		buf_reset(&ptr);
		buf_addf(&ptr, "/dependencies/%zu", i);
		S_fix_fields(v, ptr.ptr, dep, src, doc);
		buf_adds(&ptr, "/tags");
		S_fix_list(json_object_get(v, "tags"), ptr.ptr, src, doc);
	}
	json_object_foreach(json_object_get(md, "annotations"), k, v) {
		buf_reset(&ptr);
		buf_adds(&ptr, "/annotations/");
		S_ptr_key(&ptr, k);
		if (!buf_oom(&ptr))
			S_fix_one(json_object_get(md, "annotations"), k, 0, src, doc, ptr.ptr);
	}
	buf_release(&ptr);
}

static int S_parse_yaml(json_t **out, const char *name, const struct chart_file *f,
			struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream ys = YSTREAM_INIT;
	int error;

	*out = NULL;
	if (srcfile_set(&src, name, f->data, f->len) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if (strcmp(name, "values.yaml") == 0) {
		error = ydoc_parse_values(out, &src, d);
		srcfile_release(&src);
		if (error < 0)
			helm__yaml_diag(d, error, name, "cannot unmarshal yaml document: ");
		return error;
	}
	/* Chart.yaml, requirements.yaml: the first document, as yaml.Unmarshal */
	if ((error = ystream_parse(&ys, &src, YDOC_HELM, NULL, d)) < 0) {
		helm__yaml_diag(d, error, name, "");
		goto done;
	}
	if (ys.ndocs == 0 || json_is_null(ys.docs[0].root)) {
		*out = json_object();
	} else if (!json_is_object(ys.docs[0].root)) {
		error = diag_set(d, DIAG_EPARSE, "error unmarshaling JSON: while decoding JSON: json: "
				 "cannot unmarshal %s into Go value of type chart.Metadata",
				 json_is_array(ys.docs[0].root) ? "array" : "string");
		goto done;
	} else {
		*out = json_incref(ys.docs[0].root);
		S_fix_metadata(*out, &src, &ys.docs[0]);
	}
	if (!*out)
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	ystream_release(&ys);
	srcfile_release(&src);
	return error;
}

/* Masterminds/semver NewVersion (non-strict): v?N(.N(.N)?)?(-PRE)?(+META)?,
 * numeric prerelease identifiers without leading zeros. */
static int S_semver_ok(const char *v)
{
	const char *p = v;
	int parts = 0;

	if (*p == 'v')
		p++;
	while (parts < 3) {
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		parts++;
		if (*p != '.' || parts == 3)
			break;
		p++;
	}
	for (int section = 0; section < 2; section++) {
		char lead = section == 0 ? '-' : '+';
		if (*p != lead)
			continue;
		p++;
		for (;;) {
			const char *id = p;
			int numeric = 1;
			while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
			       (*p >= 'A' && *p <= 'Z') || *p == '-') {
				if (!(*p >= '0' && *p <= '9'))
					numeric = 0;
				p++;
			}
			if (p == id)
				return 0;
			if (section == 0 && numeric && p - id > 1 && id[0] == '0')
				return 0;
			if (*p != '.')
				break;
			p++;
		}
	}
	return *p == '\0';
}

/* chart.Metadata.Validate (after sanitizing), with Helm's messages. */
static int S_validate_metadata(json_t *md, json_t *deps, struct diag *d)
{
	json_t *name = json_object_get(md, "name"), *version = json_object_get(md, "version");
	json_t *type = json_object_get(md, "type"), *e;
	const char *n, *t;
	size_t i;

	if (!json_is_string(name) || json_string_length(name) == 0)
		return diag_set(d, DIAG_EINVALID, "validation: chart.metadata.name is required");
	n = json_string_value(name);
	if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return diag_set(d, DIAG_EINVALID, "validation: chart.metadata.name \"%s\" is not allowed", n);
	if (strchr(n, '/'))
		return diag_set(d, DIAG_EINVALID, "validation: chart.metadata.name \"%s\" is invalid", n);
	if (!json_is_string(version) || json_string_length(version) == 0)
		return diag_set(d, DIAG_EINVALID, "validation: chart.metadata.version is required");
	if (!S_semver_ok(json_string_value(version)))
		return diag_set(d, DIAG_EINVALID, "validation: chart.metadata.version \"%s\" is invalid",
				json_string_value(version));
	t = json_is_string(type) ? json_string_value(type) : "";
	if (*t && strcmp(t, "application") != 0 && strcmp(t, "library") != 0)
		return diag_set(d, DIAG_EINVALID,
				"validation: chart.metadata.type must be application or library");
	json_array_foreach(json_object_get(md, "maintainers"), i, e)
		if (json_is_null(e))
			return diag_set(d, DIAG_EINVALID, "validation: maintainers must not contain "
					"empty or null nodes");
	json_array_foreach(deps, i, e) {
		const char *alias, *key;
		if (json_is_null(e))
			return diag_set(d, DIAG_EINVALID, "validation: dependencies must not contain "
					"empty or null nodes");
		alias = json_string_value(json_object_get(e, "alias"));
		if (alias && *alias) {
			for (const char *q = alias; *q; q++)
				if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
				      (*q >= '0' && *q <= '9') || *q == '-' || *q == '_'))
					return diag_set(d, DIAG_EINVALID, "validation: dependency \"%s\" has "
							"disallowed characters in the alias",
							json_string_value(json_object_get(e, "name")));
		}
		key = alias && *alias ? alias : json_string_value(json_object_get(e, "name"));
		for (size_t k = 0; k < i && key; k++) {
			json_t *o = json_array_get(deps, k);
			const char *oa = json_string_value(json_object_get(o, "alias"));
			const char *ok = oa && *oa ? oa : json_string_value(json_object_get(o, "name"));
			if (ok && strcmp(ok, key) == 0)
				return diag_set(d, DIAG_EINVALID, "validation: more than one dependency with "
						"name or alias \"%s\"", key);
		}
	}
	return 0;
}

/* ---- LoadFiles */

/* A copy of f into *dst (whose pointers are NULL or owned on failure too):
 * its data, or its path when it is still on disk. */
static int S_file_dup(struct chart_file *dst, const struct chart_file *f)
{
	dst->name = strdup(f->name);
	dst->data = f->data ? malloc(f->len + 1) : NULL;
	dst->len = f->len;
	dst->path = f->path ? strdup(f->path) : NULL;
	if (!dst->name || (f->data && !dst->data) || (f->path && !dst->path))
		return -1;
	if (f->data)
		memcpy(dst->data, f->data, f->len + 1);
	return 0;
}

static int S_add_file(struct chart_file **v, size_t *n, struct chart_file *f)
{
	struct chart_file *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return DIAG_ENOMEM;
	*v = nv;
	(*v)[*n] = *f;
	(*n)++;
	f->name = NULL;
	f->data = NULL;
	f->path = NULL;
	return 0;
}

/* The top chart's Chart.yaml and values.yaml as read and parsed while the
 * directory was being walked (chart_load_dir_beside): a file's tree is
 * taken when the walk read the very same bytes. */
struct S_pre_file {
	char *data;
	size_t len;
	json_t *v;           /* NULL: not read, or it did not parse */
};

struct S_pre {
	struct S_pre_file chart, values;
};

static int S_load_files(struct chart **out, struct rawlist *files, struct chart *parent,
			int depth, struct S_pre *pre, struct diag *d);

static int S_load_subchart(struct chart *c, struct rawlist *files, const char *cname,
			   int depth, struct diag *d)
{
	struct rawlist sub = { NULL, 0, 0 };
	struct chart *sc = NULL;
	size_t plen = strlen("charts/") + strlen(cname), i;
	int error = 0;
	struct chart **nd;

	for (i = 0; i < files->n; i++) {
		struct chart_file *f = &files->v[i];
		if (!f->name || strncmp(f->name, "charts/", 7) != 0 ||
		    strncmp(f->name + 7, cname, strlen(cname)) != 0 || f->name[plen] != '/')
			continue;
		error = S_rawlist_add_file(&sub, f->name + plen + 1, f->data, f->len, f->path);
		f->data = NULL;
		f->path = NULL;
		if (error < 0) {
			diag_set(d, error, "out of memory");
			goto done;
		}
		free(f->name);
		f->name = NULL;
	}
	if ((error = S_load_files(&sc, &sub, c, depth + 1, NULL, d)) < 0) {
		diag_prefix(d, "error unpacking subchart %s in %s", cname, c->name);
		goto done;
	}
	nd = realloc(c->deps, (c->ndeps + 1) * sizeof(*nd));
	if (!nd) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	c->deps = nd;
	c->deps[c->ndeps++] = sc;
	sc = NULL;
done:
	chart_free(sc);
	S_rawlist_release(&sub);
	return error;
}

/* The files of a .tgz as LoadFiles gets them. */
static int S_archive_rawlist(struct rawlist *out, const char *data, size_t len, struct diag *d)
{
	struct helm_archive_file *af = NULL;
	size_t n = 0, i;
	int error;

	if ((error = helm_archive_load(&af, &n, (const unsigned char *)data, len, d)) < 0)
		return error;
	for (i = 0; i < n; i++) {
		if ((error = S_rawlist_add(out, af[i].name, af[i].data, af[i].len)) < 0) {
			af[i].data = NULL;
			diag_set(d, error, "out of memory");
			break;
		}
		af[i].data = NULL;   /* stolen */
	}
	helm_archive_files_free(af, n);
	return error;
}

static int S_add_dep(struct chart *c, struct chart *sc, struct diag *d)
{
	struct chart **nd = realloc(c->deps, (c->ndeps + 1) * sizeof(*nd));

	if (!nd) {
		chart_free(sc);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	c->deps = nd;
	c->deps[c->ndeps++] = sc;
	return 0;
}

/* charts/NAME.tgz: LoadArchive, then a subchart of c. Consumes f. */
static int S_load_archive_subchart(struct chart *c, struct chart_file *f, const char *cname,
				   int depth, struct diag *d)
{
	struct rawlist sub = { NULL, 0, 0 };
	struct chart *sc = NULL;
	int error;

	if ((error = S_archive_rawlist(&sub, f->data, f->len, d)) < 0 ||
	    (error = S_load_files(&sc, &sub, c, depth + 1, NULL, d)) < 0) {
		diag_prefix(d, "error unpacking subchart %s in %s", cname, c->name);
		goto done;
	}
	error = S_add_dep(c, sc, d);
done:
	free(f->name);
	f->name = NULL;
	S_rawlist_release(&sub);
	return error;
}

/* The tree pre holds for file f, or NULL (the caller parses f itself). */
static json_t *S_pre_take(struct S_pre_file *pre, const struct chart_file *f)
{
	json_t *v;

	if (!pre || !pre->v || pre->len != f->len || memcmp(pre->data, f->data, f->len) != 0)
		return NULL;
	v = pre->v;
	pre->v = NULL;
	return v;
}

static int S_load_files(struct chart **out, struct rawlist *files, struct chart *parent,
			int depth, struct S_pre *pre, struct diag *d)
{
	struct chart *c = NULL;
	struct chart_file *f, *chartyaml = NULL, *reqs = NULL;
	json_t *md = NULL, *req = NULL;
	size_t i;
	int error = 0;

	if (depth > CHART_MAX_DEPTH)
		return diag_set(d, DIAG_ELIMIT, "subcharts nested too deeply");
	c = calloc(1, sizeof(*c));
	if (!c)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	c->parent = parent;
	for (i = 0; i < files->n; i++) {
		if (strcmp(files->v[i].name, "Chart.yaml") == 0)
			chartyaml = &files->v[i];
		else if (strcmp(files->v[i].name, "requirements.yaml") == 0)
			reqs = &files->v[i];
	}
	if (!chartyaml) {
		error = diag_set(d, DIAG_ENOTFOUND, "Chart.yaml file is missing");
		goto done;
	}
	if (!(md = S_pre_take(pre ? &pre->chart : NULL, chartyaml)) &&
	    (error = S_parse_yaml(&md, "Chart.yaml", chartyaml, d)) < 0) {
		diag_prefix(d, "cannot load Chart.yaml");
		goto done;
	}
	if (!json_is_string(json_object_get(md, "apiVersion")) ||
	    json_string_length(json_object_get(md, "apiVersion")) == 0)
		json_object_set_new(md, "apiVersion", json_string("v1"));
	c->metadata = md;
	md = NULL;
	if (reqs) {
		if ((error = S_parse_yaml(&req, "requirements.yaml", reqs, d)) < 0) {
			diag_prefix(d, "cannot load requirements.yaml");
			goto done;
		}
		if (json_is_array(json_object_get(req, "dependencies")))
			json_object_set(c->metadata, "dependencies",
					json_object_get(req, "dependencies"));
	}
	c->deps_meta = json_object_get(c->metadata, "dependencies");
	c->deps_meta = json_is_array(c->deps_meta) ? jtree_copy(c->deps_meta) : json_array();
	if (!c->deps_meta) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = S_validate_metadata(c->metadata, c->deps_meta, d)) < 0)
		goto done;
	{
		json_t *name = json_object_get(c->metadata, "name");
		json_t *type = json_object_get(c->metadata, "type");
		c->name = strdup(json_string_value(name));
		c->is_library = json_is_string(type) && strcasecmp(json_string_value(type), "library") == 0;
	}
	c->meta_map = S_meta_map(c->metadata, c->deps_meta, parent == NULL);
	if (!c->name || !c->meta_map) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < files->n; i++) {
		f = &files->v[i];
		if (!f->name)
			continue;
		if (strcmp(f->name, "Chart.yaml") == 0 || strcmp(f->name, "Chart.lock") == 0 ||
		    strcmp(f->name, "requirements.lock") == 0) {
			if (strcmp(f->name, "requirements.lock") == 0 &&
			    strcmp(json_string_value(json_object_get(c->metadata, "apiVersion")), "v1") == 0)
				goto as_file;
			if (strcmp(f->name, "requirements.lock") == 0)
				c->load_warnings |= CHART_WARN_REQUIREMENTS_LOCK;
			continue;
		}
		if (strcmp(f->name, "values.yaml") == 0) {
			json_decref(c->values);
			c->values = S_pre_take(pre ? &pre->values : NULL, f);
			if (!c->values && (error = S_parse_yaml(&c->values, "values.yaml", f, d)) < 0) {
				diag_prefix(d, "cannot load values.yaml");
				goto done;
			}
			continue;
		}
		if (strcmp(f->name, "values.schema.json") == 0) {
			free(c->schema);
			c->schema = f->data;
			c->schema_len = f->len;
			f->data = NULL;
			continue;
		}
		if (strcmp(f->name, "requirements.yaml") == 0) {
			if (strcmp(json_string_value(json_object_get(c->metadata, "apiVersion")), "v1") == 0)
				goto as_file;
			c->load_warnings |= CHART_WARN_REQUIREMENTS_YAML;
			continue;
		}
		if (strncmp(f->name, "templates/", 10) == 0) {
			if (S_add_file(&c->templates, &c->ntemplates, f) < 0)
				goto oom;
			continue;
		}
		if (strncmp(f->name, "crds/", 5) == 0) {
			/* crds/ files are also ordinary files (Files) in Helm */
			struct chart_file copy;
			if (S_file_dup(&copy, f) < 0 || S_add_file(&c->crds, &c->ncrds, &copy) < 0) {
				free(copy.name);
				free(copy.data);
				free(copy.path);
				goto oom;
			}
			goto as_file;
		}
		if (strncmp(f->name, "charts/", 7) == 0) {
			size_t nl = strlen(f->name);
			if (nl > 5 && strcmp(f->name + nl - 5, ".prov") == 0)
				goto as_file;
			continue;   /* subcharts, below */
		}
as_file:
		if (S_add_file(&c->files, &c->nfiles, f) < 0)
			goto oom;
	}
	if (!c->values && !(c->values = json_object()))
		goto oom;
	/* subcharts, one per first component under charts/ */
	for (i = 0; i < files->n; i++) {
		char cname[256];
		const char *rest, *slash;
		size_t cl;

		f = &files->v[i];
		if (!f->name || strncmp(f->name, "charts/", 7) != 0)
			continue;
		rest = f->name + 7;
		slash = strchr(rest, '/');
		cl = slash ? (size_t)(slash - rest) : strlen(rest);
		if (cl == 0 || cl >= sizeof(cname))
			continue;
		memcpy(cname, rest, cl);
		cname[cl] = '\0';
		if (cname[0] == '_' || cname[0] == '.') {
			free(f->name);
			f->name = NULL;
			continue;
		}
		if (!slash) {
			if (cl > 4 && strcmp(cname + cl - 4, ".tgz") == 0) {
				if ((error = S_load_archive_subchart(c, f, cname, depth, d)) < 0)
					goto done;
				continue;
			}
			free(f->name);
			f->name = NULL;
			continue;
		}
		if ((error = S_load_subchart(c, files, cname, depth, d)) < 0)
			goto done;
	}
	*out = c;
	c = NULL;
	goto done;
oom:
	error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	json_decref(md);
	json_decref(req);
	chart_free(c);
	return error;
}

int chart_locate(const char *path, struct diag *d)
{
	struct stat st;
	const char *slash = strchr(path, '/');

	if (stat(path, &st) == 0)
		return 0;
	if (helm__is_remote(path))
		return diag_set(d, DIAG_EINVALID, "%s: hydrate renders offline and does not download "
				"charts; fetch it and pass its directory or .tgz", path);
	/* LocateChart: a name that is not a path is a repository reference */
	if (path[0] == '/' || path[0] == '.')
		return diag_set(d, DIAG_ENOTFOUND, "path \"%s\" not found", path);
	if (!slash)
		return diag_set(d, DIAG_ENOTFOUND, "non-absolute URLs should be in form of "
				"repo_name/path_to_chart, got: %s", path);
	return diag_set(d, DIAG_ENOTFOUND, "repo %.*s not found", (int)(slash - path), path);
}

int chart_check_installable(const struct chart *c, struct diag *d)
{
	const char *type = json_string_value(json_object_get(c->meta_map, "Type"));
	json_t *req;
	struct buf missing = BUF_INIT;
	size_t i;
	int error = 0;

	if (type && *type && strcmp(type, "application") != 0)
		return diag_set(d, DIAG_EINVALID, "%s charts are not installable", type);
	json_array_foreach(c->deps_meta, i, req) {
		const char *name = json_string_value(json_object_get(req, "name"));
		int found = 0;
		for (size_t k = 0; name && k < c->ndeps; k++)
			if (strcmp(c->deps[k]->name, name) == 0)
				found = 1;
		if (!found) {
			if (missing.len)
				buf_adds(&missing, ", ");
			buf_adds(&missing, name ? name : "");
		}
	}
	if (missing.len)
		error = diag_set(d, DIAG_ENOTFOUND, "an error occurred while checking for chart "
				 "dependencies. You may need to run `helm dependency build` to fetch "
				 "missing dependencies: found in Chart.yaml, but missing in charts/ "
				 "directory: %s", missing.ptr);
	buf_release(&missing);
	return error;
}

/* LoadFile: a packaged chart (EnsureArchive, then LoadArchive). Messages
 * name the file by its absolute path, as LocateChart hands it over. */
static int S_load_archive_file(struct chart **out, const char *path, struct diag *d)
{
	struct rawlist files = { NULL, 0, 0 };
	char *data = NULL, *abs = realpath(path, NULL);
	const char *name = abs ? abs : path;
	size_t len = 0, i;
	int error, has_chart = 0;

	if ((error = S_read_file(&data, &len, path, d)) < 0)
		goto done;
	if (len < 3 || memcmp(data, "\x1f\x8b\x08", 3) != 0) {
		size_t nl = strlen(path);
		if ((nl > 4 && strcmp(path + nl - 4, ".yml") == 0) ||
		    (nl > 5 && strcmp(path + nl - 5, ".yaml") == 0))
			error = diag_set(d, DIAG_EINVALID, "file '%s' seems to be a YAML file, but "
					 "expected a gzipped archive", name);
		else
			error = diag_set(d, DIAG_EINVALID, "file '%s' does not appear to be a gzipped "
					 "archive; got '%s'", name, memchr(data, 0, len) || len == 0 ?
					 "application/octet-stream" : "text/plain; charset=utf-8");
		goto done;
	}
	if ((error = S_archive_rawlist(&files, data, len, d)) < 0) {
		if (error == DIAG_ENOMEM)
			goto done;
		if (strcmp(d ? d->msg.ptr : "", "gzip: invalid header") == 0)
			error = diag_set(d, DIAG_EINVALID, "file '%s' does not appear to be a valid "
					 "chart file (details: gzip: invalid header)", name);
		else
			error = diag_set(d, DIAG_EINVALID, "unable to load chart archive");
		goto done;
	}
	for (i = 0; i < files.n; i++)
		if (strcmp(files.v[i].name, "Chart.yaml") == 0)
			has_chart = 1;
	if (!has_chart) {
		error = diag_set(d, DIAG_EINVALID, "unable to detect chart version, no Chart.yaml found");
		goto done;
	}
	error = S_load_files(out, &files, NULL, 0, NULL, d);
done:
	free(abs);
	free(data);
	S_rawlist_release(&files);
	return error;
}

/* Moves from's message into d (or drops it); returns its code. */
static int S_diag_take(struct diag *d, struct diag *from)
{
	int code = from->code;

	if (d) {
		diag_release(d);
		*d = *from;
	} else {
		diag_release(from);
	}
	*from = (struct diag)DIAG_INIT;
	return code;
}

/* dir/name read and parsed into pre; any failure leaves pre->v NULL (the
 * load then reads the walk's copy and words the error itself). */
static void S_pre_read(struct S_pre_file *pre, const char *dir, const char *name)
{
	struct diag scratch = DIAG_INIT;
	struct chart_file f;
	struct buf p = BUF_INIT;

	buf_adds(&p, dir);
	buf_addch(&p, '/');
	buf_adds(&p, name);
	if (buf_oom(&p) || S_read_file_max(&pre->data, &pre->len, p.ptr, CHART_MAX_FILE, NULL) != 0)
		goto done;
	S_strip_bom(pre->data, &pre->len);
	f.name = (char *)name;
	f.data = pre->data;
	f.len = pre->len;
	if (S_parse_yaml(&pre->v, name, &f, &scratch) < 0)
		pre->v = NULL;
done:
	diag_release(&scratch);
	buf_release(&p);
}

/* What chart_load_dir_beside's two lanes share. */
struct S_beside {
	const char *dir;
	const struct ignore_rules *rules;
	int (*fn)(void *);
	void *fn_arg;
	int fn_error;
	atomic_int walk_taken;   /* the lane that sets it walks */
	struct rawlist files;
	struct diag walk_diag;
	int walk_error;
	struct S_pre pre;
};

/* Lane 0 (the caller's thread) runs fn, then reads and parses Chart.yaml
 * and values.yaml ahead; the walk is done by whichever lane comes to it
 * first. Only lane 0 touches json values or the caller's diag. */
static void S_beside_lane(void *arg, int lane)
{
	struct S_beside *b = arg;

	if (lane == 0) {
		if (b->fn && (b->fn_error = b->fn(b->fn_arg)) < 0) {
			atomic_store(&b->walk_taken, 1);   /* not wanted any more */
			return;
		}
		S_pre_read(&b->pre.chart, b->dir, "Chart.yaml");
		S_pre_read(&b->pre.values, b->dir, "values.yaml");
	}
	if (atomic_exchange(&b->walk_taken, 1) == 0)
		b->walk_error = S_walk(&b->files, b->rules, b->dir, "", 0, &b->walk_diag);
}

int chart_load_dir_beside(struct chart **out, const char *dir, int (*fn)(void *), void *fn_arg,
			  unsigned threads, struct diag *d)
{
	struct ignore_rules rules = { NULL, 0 };
	struct S_beside b = { .dir = dir, .rules = &rules, .fn = fn, .fn_arg = fn_arg,
			      .walk_diag = DIAG_INIT };
	struct diag own = DIAG_INIT;
	struct buf p = BUF_INIT;
	struct stat st;
	int error, is_dir = 0;

	*out = NULL;
	atomic_init(&b.walk_taken, 0);
	/* LoadDir's checks and .helmignore come first; fn's error, if any,
	 * still wins over theirs */
	if ((error = chart_locate(dir, &own)) < 0)
		goto checked;
	if (stat(dir, &st) < 0) {
		error = diag_set(&own, DIAG_ENOTFOUND, "path \"%s\" not found", dir);
		goto checked;
	}
	if (!(is_dir = S_ISDIR(st.st_mode)))
		goto checked;
	buf_addf(&p, "%s/Chart.yaml", dir);
	if (stat(p.ptr, &st) < 0) {
		char *abs = realpath(dir, NULL);
		error = diag_set(&own, DIAG_ENOTFOUND, "unable to detect chart at %s/Chart.yaml: "
				 "open %s/Chart.yaml: no such file or directory",
				 abs ? abs : dir, abs ? abs : dir);
		free(abs);
		goto checked;
	}
	buf_reset(&p);
	buf_addf(&p, "%s/.helmignore", dir);
	if (buf_oom(&p)) {
		error = diag_set(&own, DIAG_ENOMEM, "out of memory");
		goto checked;
	}
	if (stat(p.ptr, &st) == 0) {
		char *data = NULL;
		size_t len = 0, i, start = 0;
		if ((error = S_read_file(&data, &len, p.ptr, &own)) < 0)
			goto checked;
		if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
			start = 3;
		for (i = start; i <= len; i++) {
			if (i == len || data[i] == '\n') {
				if ((error = S_ignore_add(&rules, data + start, i - start, &own)) < 0) {
					free(data);
					goto checked;
				}
				start = i + 1;
			}
		}
		free(data);
	}
	error = S_ignore_add(&rules, "templates/.?*", 13, &own);
checked:
	if (error < 0 || !is_dir) {
		/* nothing to walk: fn alone, then the check's error or the archive */
		if (fn && (b.fn_error = fn(fn_arg)) < 0)
			error = b.fn_error;
		else if (error < 0)
			error = S_diag_take(d, &own);
		else
			error = S_load_archive_file(out, dir, d);
		goto done;
	}
	if (threads >= 2)
		assist_run(S_beside_lane, &b);
	else
		S_beside_lane(&b, 0);
	if ((error = b.fn_error) < 0)
		goto done;
	if ((error = b.walk_error) < 0) {
		S_diag_take(d, &b.walk_diag);
		goto done;
	}
	error = S_load_files(out, &b.files, NULL, 0, &b.pre, d);
done:
	json_decref(b.pre.chart.v);
	json_decref(b.pre.values.v);
	free(b.pre.chart.data);
	free(b.pre.values.data);
	diag_release(&b.walk_diag);
	diag_release(&own);
	S_ignore_release(&rules);
	S_rawlist_release(&b.files);
	buf_release(&p);
	return error;
}

int chart_load_dir(struct chart **out, const char *dir, struct diag *d)
{
	return chart_load_dir_beside(out, dir, NULL, NULL, 1, d);
}

static void S_files_free(struct chart_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].data);
		free(v[i].path);
	}
	free(v);
}

void chart_free(struct chart *c)
{
	if (!c)
		return;
	free(c->name);
	json_decref(c->metadata);
	json_decref(c->meta_map);
	json_decref(c->values);
	json_decref(c->deps_meta);
	free(c->schema);
	S_files_free(c->templates, c->ntemplates);
	S_files_free(c->files, c->nfiles);
	S_files_free(c->crds, c->ncrds);
	for (size_t i = 0; i < c->ndeps; i++)
		chart_free(c->deps[i]);
	free(c->deps);
	free(c);
}

int chart_full_path(struct buf *out, const struct chart *c)
{
	if (c->parent) {
		chart_full_path(out, c->parent);
		buf_adds(out, "/charts/");
	}
	return buf_adds(out, c->name);
}

/* ---- coalescing (pkg/chart/common/util/coalesce.go) */

static int S_is_dep_name(const struct chart *c, const char *key)
{
	for (size_t i = 0; i < c->ndeps; i++)
		if (strcmp(c->deps[i]->name, key) == 0)
			return 1;
	return 0;
}

static int S_cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go's fmt %v of a value as Helm holds it (numbers are float64). */
static void S_add_govalue(struct buf *out, const json_t *v, int depth)
{
	const char *key;
	json_t *val;
	size_t i, n;

	if (depth > 100) {
		buf_adds(out, "...");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		buf_add(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		gofloat_format(out, (double)json_integer_value(v), 'g', -1, 64);
		break;
	case JSON_REAL:
		gofloat_format(out, json_real_value(v), 'g', -1, 64);
		break;
	case JSON_TRUE:
		buf_adds(out, "true");
		break;
	case JSON_FALSE:
		buf_adds(out, "false");
		break;
	case JSON_NULL:
		buf_adds(out, "<nil>");
		break;
	case JSON_ARRAY:
		buf_addch(out, '[');
		json_array_foreach(v, i, val) {
			if (i)
				buf_addch(out, ' ');
			S_add_govalue(out, val, depth + 1);
		}
		buf_addch(out, ']');
		break;
	case JSON_OBJECT: {
		/* fmt prints a map's keys sorted */
		const char **keys;
		n = json_object_size(v);
		keys = n ? calloc(n, sizeof(*keys)) : NULL;
		buf_adds(out, "map[");
		if (keys) {
			i = 0;
			json_object_foreach((json_t *)v, key, val)
				keys[i++] = key;
			qsort(keys, n, sizeof(*keys), S_cmp_cstr);
			for (i = 0; i < n; i++) {
				if (i)
					buf_addch(out, ' ');
				buf_adds(out, keys[i]);
				buf_addch(out, ':');
				S_add_govalue(out, json_object_get(v, keys[i]), depth + 1);
			}
			free(keys);
		}
		buf_addch(out, ']');
		break;
	}
	}
}

/* log.Printf as Helm 4 routes it through slog's default handler:
 * level=INFO msg="TEXT". */
static void S_warnf(struct buf *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void S_warnf(struct buf *log, const char *fmt, ...)
{
	struct buf m = BUF_INIT;
	va_list ap;

	if (!log)
		return;
	va_start(ap, fmt);
	buf_vaddf(&m, fmt, ap);
	va_end(ap);
	buf_adds(log, "level=INFO msg=");
	tmpl_quote(log, m.ptr, m.len);
	buf_addch(log, '\n');
	buf_release(&m);
}

/* concatPrefix(a, b) into out (reset first). */
static void S_prefix(struct buf *out, const char *a, const char *b)
{
	buf_reset(out);
	if (a && *a) {
		buf_adds(out, a);
		buf_addch(out, '.');
	}
	buf_adds(out, b);
}

/* coalesceTablesFullKey: src's keys fill dst; src is a private copy.
 * Helm's warnings go to log (nullable), keys named from prefix. */
static int S_tables(json_t *dst, json_t *src, int merge, int depth, struct buf *log,
		    const char *prefix)
{
	struct buf full = BUF_INIT, vs = BUF_INIT;
	const char *key;
	json_t *val;
	void *tmp;
	int error = 0;

	if (depth > 10000)
		return DIAG_ELIMIT;
	json_object_foreach_safe(src, tmp, key, val) {
		json_t *dv = json_object_get(dst, key);
		S_prefix(&full, prefix, key);
		if (dv && !merge && json_is_null(dv) && !json_is_null(val)) {
			json_object_del(dst, key);
		} else if (!dv) {
			if (json_object_set(dst, key, val) < 0) {
				error = DIAG_ENOMEM;
				break;
			}
		} else if (json_is_object(val) && json_is_object(dv)) {
			if ((error = S_tables(dv, val, merge, depth + 1, log, full.ptr)) < 0)
				break;
		} else if (json_is_object(val) && !json_is_null(dv)) {
			buf_reset(&vs);
			S_add_govalue(&vs, val, 0);
			S_warnf(log, "warning: cannot overwrite table with non table for %s (%s)",
				full.ptr, vs.ptr);
		} else if (json_is_object(dv) && !json_is_null(val)) {
			buf_reset(&vs);
			S_add_govalue(&vs, val, 0);
			S_warnf(log, "warning: destination for %s is a table. Ignoring non-table "
				"value (%s)", full.ptr, vs.ptr);
		}
	}
	if (!error && (buf_oom(&full) || buf_oom(&vs)))
		error = DIAG_ENOMEM;
	buf_release(&full);
	buf_release(&vs);
	return error;
}

static int S_coalesce(const struct chart *c, json_t *v, int merge, int depth, struct buf *log,
		      const char *prefix, struct diag *d);

/* coalesceGlobals: the parent's globals are copied into the child's table. */
static int S_globals(json_t *dest, json_t *src, struct buf *log, const char *prefix)
{
	json_t *dg = json_object_get(dest, "global"), *sg = json_object_get(src, "global");
	struct buf sub = BUF_INIT;
	const char *key;
	json_t *val;

	if (dg && !json_is_object(dg)) {
		S_warnf(log, "warning: skipping globals because destination global is not a table.");
		return 0;
	}
	if (sg && !json_is_object(sg)) {
		S_warnf(log, "warning: skipping globals because source global is not a table.");
		return 0;
	}
	dg = dg ? json_incref(dg) : json_object();
	if (!dg)
		return DIAG_ENOMEM;
	json_object_foreach(sg, key, val) {
		json_t *dv = json_object_get(dg, key);
		if (json_is_object(val)) {
			json_t *vv = jtree_copy(val);
			if (!vv)
				goto oom;
			if (!dv) {
				json_object_set_new(dg, key, vv);
			} else if (!json_is_object(dv)) {
				struct buf q = BUF_INIT;
				tmpl_quote(&q, key, strlen(key));
				S_warnf(log, "Conflict: cannot merge map onto non-map for %s. Skipping.",
					q.ptr);
				buf_release(&q);
				json_decref(vv);
			} else {
				json_t *dcopy = jtree_copy(dv);
				S_prefix(&sub, prefix, key);
				if (!dcopy || buf_oom(&sub) || S_tables(vv, dcopy, 1, 0, log, sub.ptr) < 0) {
					json_decref(dcopy);
					json_decref(vv);
					goto oom;
				}
				json_decref(dcopy);
				json_object_set_new(dg, key, vv);
			}
		} else if (dv && json_is_object(dv)) {
			S_warnf(log, "key %s is table. Skipping", key);
			continue;
		} else if (json_object_set(dg, key, val) < 0) {
			goto oom;
		}
	}
	buf_release(&sub);
	if (json_object_set_new(dest, "global", dg) < 0)
		return DIAG_ENOMEM;
	return 0;
oom:
	buf_release(&sub);
	json_decref(dg);
	return DIAG_ENOMEM;
}

static int S_coalesce_values(const struct chart *c, json_t *v, int merge, struct buf *log,
			     const char *prefix)
{
	json_t *vc = jtree_copy(c->values), *val;
	struct buf sub = BUF_INIT, full = BUF_INIT;
	const char *key;
	void *tmp;
	int error = 0;

	if (!vc)
		return DIAG_ENOMEM;
	S_prefix(&sub, prefix, c->name);
	json_object_foreach_safe(vc, tmp, key, val) {
		json_t *value = json_object_get(v, key);
		if (value) {
			if (json_is_null(value) && !merge) {
				json_object_del(v, key);
			} else if (json_is_object(value) && json_is_object(val)) {
				int m = merge || S_is_dep_name(c, key);
				S_prefix(&full, sub.ptr, key);
				if ((error = S_tables(value, val, m, 0, log, full.ptr)) < 0)
					break;
			} else if (json_is_object(value) && !json_is_null(val)) {
				S_warnf(log, "warning: skipped value for %s.%s: Not a table.", sub.ptr,
					key);
			}
		} else if (json_object_set(v, key, val) < 0) {
			error = DIAG_ENOMEM;
			break;
		}
	}
	if (!error && (buf_oom(&sub) || buf_oom(&full)))
		error = DIAG_ENOMEM;
	buf_release(&sub);
	buf_release(&full);
	json_decref(vc);
	return error;
}

static int S_coalesce(const struct chart *c, json_t *v, int merge, int depth, struct buf *log,
		      const char *prefix, struct diag *d)
{
	struct buf pre = BUF_INIT;
	int error;

	if (depth > CHART_MAX_DEPTH)
		return diag_set(d, DIAG_ELIMIT, "subcharts nested too deeply");
	if ((error = S_coalesce_values(c, v, merge, log, prefix)) < 0)
		return diag_set(d, error, "out of memory");
	S_prefix(&pre, prefix, c->name);
	if (buf_oom(&pre))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->ndeps; i++) {
		const struct chart *sub = c->deps[i];
		json_t *dv = json_object_get(v, sub->name);
		if (!dv) {
			dv = json_object();
			if (!dv || json_object_set_new(v, sub->name, dv) < 0) {
				buf_release(&pre);
				return diag_set(d, DIAG_ENOMEM, "out of memory");
			}
		} else if (!json_is_object(dv)) {
			buf_release(&pre);
			return diag_set(d, DIAG_EINVALID, "type mismatch on %s: %%!t(%s)", sub->name,
					json_is_string(dv) ? "string" : "float64");
		}
		if ((error = S_globals(dv, v, log, pre.ptr)) < 0) {
			buf_release(&pre);
			return diag_set(d, error, "out of memory");
		}
		if ((error = S_coalesce(c->deps[i], dv, merge, depth + 1, log, pre.ptr, d)) < 0) {
			buf_release(&pre);
			return error;
		}
	}
	buf_release(&pre);
	return 0;
}

int chart_coalesce(json_t **out, const struct chart *c, json_t *vals, int merge,
		   struct diag *d)
{
	return chart_coalesce_log(out, c, vals, merge, NULL, d);
}

int chart_coalesce_log(json_t **out, const struct chart *c, json_t *vals, int merge,
		       struct buf *log, struct diag *d)
{
	json_t *v = vals ? jtree_copy(vals) : json_object();
	int error;

	*out = NULL;
	if (!v)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if ((error = S_coalesce(c, v, merge, 0, log, "", d)) < 0) {
		json_decref(v);
		return error;
	}
	*out = v;
	return 0;
}

/* ---- dependencies (pkg/chart/v2/util/dependencies.go) */

/* Values.PathValue: a dotted path into v; NULL when absent. */
static json_t *S_path_value(json_t *v, const char *path)
{
	char seg[256];
	const char *p = path;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(seg) || !json_is_object(v))
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		v = json_object_get(v, seg);
		if (!v)
			return NULL;
		p = dot ? dot + 1 : p + n;
	}
	return v;
}

/* processDependencyTags and processDependencyConditions for one
 * requirement; their warnings go to tlog and clog (Helm logs every tag
 * warning of a chart before its condition warnings). */
static int S_dep_enabled(json_t *req, json_t *cvals, const char *path, struct buf *tlog,
			 struct buf *clog)
{
	json_t *tags = json_object_get(cvals, "tags"), *t;
	const char *cond = json_string_value(json_object_get(req, "condition"));
	const char *name = json_string_value(json_object_get(req, "name"));
	int enabled = 1, has_true = 0, has_false = 0;
	size_t i;

	if (!name)
		name = "";
	if (json_is_object(tags)) {
		json_array_foreach(json_object_get(req, "tags"), i, t) {
			json_t *b = json_is_string(t) ? json_object_get(tags, json_string_value(t)) : NULL;
			if (json_is_true(b)) {
				has_true = 1;
			} else if (json_is_false(b)) {
				has_false = 1;
			} else if (b) {
				const char *kv[] = { "tag", json_string_value(t), "chart", name };
				helm__log(tlog, "WARN", "returned non-bool value", kv, 4);
			}
		}
		if (!has_true && has_false)
			enabled = 0;
	}
	if (cond) {
		const char *p = cond;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		while (*p) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			struct buf full = BUF_INIT;
			json_t *vv;
			while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n') && !comma)
				n--;
			if (n) {
				buf_addf(&full, "%s%.*s", path, (int)n, p);
				vv = buf_oom(&full) ? NULL : S_path_value(cvals, full.ptr);
				buf_release(&full);
				if (json_is_boolean(vv)) {
					enabled = json_is_true(vv);
					break;
				}
				/* PathValue finds no value at a table; others are warned about */
				if (vv && !json_is_object(vv) && clog) {
					struct buf c = BUF_INIT;
					const char *kv[] = { "path", NULL, "chart", name };
					buf_add(&c, p, n);
					kv[1] = c.ptr;
					helm__log(clog, "WARN", "returned non-bool value", kv, 4);
					buf_release(&c);
				}
			}
			if (!comma)
				break;
			p = comma + 1;
		}
	}
	return enabled;
}

static struct chart *S_chart_copy(const struct chart *c, struct chart *parent, int depth);

static int S_files_copy(struct chart_file **out, size_t *nout, const struct chart_file *v, size_t n)
{
	*out = NULL;
	*nout = 0;
	if (!n)
		return 0;
	if (!(*out = calloc(n, sizeof(**out))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		(*nout)++;
		if (S_file_dup(&(*out)[i], &v[i]) < 0)
			return -1;
	}
	return 0;
}

/* A deep copy of c (getAliasDependency's copy), under parent. */
static struct chart *S_chart_copy(const struct chart *c, struct chart *parent, int depth)
{
	struct chart *n = calloc(1, sizeof(*n));

	if (!n || depth > CHART_MAX_DEPTH)
		goto fail;
	n->parent = parent;
	n->is_library = c->is_library;
	n->name = strdup(c->name);
	n->metadata = jtree_copy(c->metadata);
	n->meta_map = jtree_copy(c->meta_map);
	n->values = jtree_copy(c->values);
	n->deps_meta = jtree_copy(c->deps_meta);
	if (!n->name || !n->metadata || !n->meta_map || !n->values || !n->deps_meta)
		goto fail;
	if (c->schema) {
		if (!(n->schema = malloc(c->schema_len + 1)))
			goto fail;
		memcpy(n->schema, c->schema, c->schema_len + 1);
		n->schema_len = c->schema_len;
	}
	if (S_files_copy(&n->templates, &n->ntemplates, c->templates, c->ntemplates) < 0 ||
	    S_files_copy(&n->files, &n->nfiles, c->files, c->nfiles) < 0 ||
	    S_files_copy(&n->crds, &n->ncrds, c->crds, c->ncrds) < 0)
		goto fail;
	if (c->ndeps && !(n->deps = calloc(c->ndeps, sizeof(*n->deps))))
		goto fail;
	for (size_t i = 0; i < c->ndeps; i++) {
		if (!(n->deps[i] = S_chart_copy(c->deps[i], n, depth + 1)))
			goto fail;
		n->ndeps++;
	}
	return n;
fail:
	chart_free(n);
	return NULL;
}

/* .Chart.Dependencies from the processed requirements. */
static int S_rebuild_meta_deps(struct chart *c)
{
	json_t *l = json_array(), *req;
	size_t i;

	if (!l)
		return DIAG_ENOMEM;
	json_array_foreach(c->deps_meta, i, req) {
		if (json_array_append_new(l, S_dep_map(req)) < 0) {
			json_decref(l);
			return DIAG_ENOMEM;
		}
	}
	return json_object_set_new(c->meta_map, "Dependencies", l) < 0 ? DIAG_ENOMEM : 0;
}

/*
 * processDependencyEnabled: subcharts that no requirement names stay; each
 * requirement gets its own copy of the subchart it names, renamed to its
 * alias; tags then conditions (on the coalesced values) disable some; the
 * disabled ones leave both the subcharts and the requirements.
 */
static int S_process_enabled(struct chart *c, json_t *v, const char *path, int depth,
			     struct buf *log, struct diag *d)
{
	json_t *cvals = NULL, *req, *kept_meta = NULL;
	struct buf tlog = BUF_INIT, clog = BUF_INIT;
	struct chart **nd = NULL;
	size_t i, k, n = 0, cap;
	int error = 0;

	if (depth > CHART_MAX_DEPTH)
		return diag_set(d, DIAG_ELIMIT, "subcharts nested too deeply");
	if (json_array_size(c->deps_meta) == 0)
		return 0;
	cap = c->ndeps + json_array_size(c->deps_meta);
	if (!(nd = calloc(cap ? cap : 1, sizeof(*nd))))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	/* charts in charts/ that no requirement names */
	for (i = 0; i < c->ndeps; i++) {
		int named = 0;
		json_array_foreach(c->deps_meta, k, req) {
			const char *name = json_string_value(json_object_get(req, "name"));
			if (name && strcmp(name, c->deps[i]->name) == 0)
				named = 1;
		}
		if (!named) {
			nd[n++] = c->deps[i];
			c->deps[i] = NULL;
		}
	}
	/* a copy per requirement, renamed to its alias */
	json_array_foreach(c->deps_meta, k, req) {
		const char *name = json_string_value(json_object_get(req, "name"));
		const char *alias = json_string_value(json_object_get(req, "alias"));
		for (i = 0; name && i < c->ndeps; i++) {
			struct chart *cp;
			if (!c->deps[i] || strcmp(c->deps[i]->name, name) != 0)
				continue;
			if (!(cp = S_chart_copy(c->deps[i], c, depth + 1))) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
			nd[n++] = cp;
			if (alias && *alias) {
				char *nn = strdup(alias);
				if (!nn || json_object_set_new(cp->meta_map, "Name", json_string(alias)) < 0) {
					free(nn);
					error = diag_set(d, DIAG_ENOMEM, "out of memory");
					goto done;
				}
				free(cp->name);
				cp->name = nn;
			}
			break;
		}
		if (alias && *alias)
			json_object_set_new(req, "name", json_string(alias));
		json_object_set_new(req, "enabled", json_true());
	}
	for (i = 0; i < c->ndeps; i++)
		chart_free(c->deps[i]);
	free(c->deps);
	c->deps = nd;
	c->ndeps = n;
	nd = NULL;
	if ((error = chart_coalesce_log(&cvals, c, v, 0, log, d)) < 0)
		goto done;
	/* drop what tags and conditions disable */
	if (!(kept_meta = json_array())) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	json_array_foreach(c->deps_meta, k, req) {
		const char *name = json_string_value(json_object_get(req, "name"));
		if (S_dep_enabled(req, cvals, path, log ? &tlog : NULL, log ? &clog : NULL)) {
			json_array_append(kept_meta, req);
			continue;
		}
		json_object_set_new(req, "enabled", json_false());
		for (i = 0; name && i < c->ndeps;) {
			if (strcmp(c->deps[i]->name, name) == 0) {
				chart_free(c->deps[i]);
				memmove(&c->deps[i], &c->deps[i + 1],
					(c->ndeps - i - 1) * sizeof(*c->deps));
				c->ndeps--;
			} else {
				i++;
			}
		}
	}
	if (log) {
		buf_add(log, tlog.ptr, tlog.len);
		buf_add(log, clog.ptr, clog.len);
	}
	json_decref(c->deps_meta);
	c->deps_meta = kept_meta;
	kept_meta = NULL;
	if ((error = S_rebuild_meta_deps(c)) < 0) {
		diag_set(d, error, "out of memory");
		goto done;
	}
	for (i = 0; i < c->ndeps; i++) {
		struct buf sub = BUF_INIT;
		buf_addf(&sub, "%s%s.", path, c->deps[i]->name);
		if (buf_oom(&sub))
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		else
			error = S_process_enabled(c->deps[i], cvals, sub.ptr, depth + 1, log, d);
		buf_release(&sub);
		if (error < 0)
			break;
	}
done:
	if (nd) {
		for (i = 0; i < n; i++)
			chart_free(nd[i]);
		free(nd);
	}
	json_decref(kept_meta);
	json_decref(cvals);
	buf_release(&tlog);
	buf_release(&clog);
	return error;
}

/* Values.Table: the map at a dotted path, or NULL with ErrNoTable's text
 * ("%q is not a table" of the first segment that is no table) in why. */
static json_t *S_table(json_t *v, const char *path, struct buf *why)
{
	const char *p = path;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		json_t *next = json_is_object(v) ? json_object_getn(v, p, n) : NULL;
		if (!json_is_object(next)) {
			buf_reset(why);
			tmpl_quote(why, p, n);
			buf_adds(why, " is not a table");
			return NULL;
		}
		v = next;
		if (!dot)
			return v;
		p = dot + 1;
	}
}

/* pathToMap: data under the dotted path parent ("." is the top). New. */
static json_t *S_path_to_map(const char *parent, json_t *data)
{
	json_t *cur = jtree_copy(data);
	const char *end = parent + strlen(parent);

	if (strcmp(parent, ".") == 0 || !cur)
		return cur;
	while (end > parent) {
		const char *start = end;
		json_t *wrap;
		while (start > parent && start[-1] != '.')
			start--;
		wrap = json_object();
		if (!wrap) {
			json_decref(cur);
			return NULL;
		}
		if (json_object_setn_new(wrap, start, (size_t)(end - start), cur) < 0) {
			json_decref(wrap);   /* cur was stolen */
			return NULL;
		}
		cur = wrap;
		end = start > parent ? start - 1 : parent;
	}
	return cur;
}

static int S_has_dep(const struct chart *c, const char *name)
{
	for (size_t i = 0; i < c->ndeps; i++)
		if (strcmp(c->deps[i]->name, name) == 0)
			return 1;
	return 0;
}

/*
 * processImportValues (merge): the chart's defaults become MergeValues(c,
 * nil) with each dependency's import-values filled in where the chart has
 * no value of its own (MergeTables: the destination wins).
 */
static int S_process_imports(struct chart *c, int depth, struct buf *log, struct diag *d)
{
	json_t *cvals = NULL, *b = NULL, *req, *iv;
	struct buf path = BUF_INIT, why = BUF_INIT;
	size_t i, k;
	int error;

	if (depth > CHART_MAX_DEPTH)
		return diag_set(d, DIAG_ELIMIT, "subcharts nested too deeply");
	for (i = 0; i < c->ndeps; i++)
		if ((error = S_process_imports(c->deps[i], depth + 1, log, d)) < 0)
			return error;
	if (json_array_size(c->deps_meta) == 0)
		return 0;
	if ((error = chart_coalesce_log(&cvals, c, NULL, 1, log, d)) < 0)
		return error;
	if (!(b = json_object()))
		goto oom;
	json_array_foreach(c->deps_meta, i, req) {
		const char *name = json_string_value(json_object_get(req, "name"));
		if (!name || !S_has_dep(c, name))
			continue;
		json_t *outiv = json_array();
		if (!outiv)
			goto oom;
		json_array_foreach(json_object_get(req, "import-values"), k, iv) {
			json_t *src = NULL, *add, *norm = json_object();
			if (!norm || json_array_append_new(outiv, norm) < 0) {
				json_decref(outiv);
				goto oom;
			}
			buf_reset(&path);
			if (json_is_object(iv)) {
				/* fmt.Sprintf("%v") of the fields, as Helm records them */
				json_t *cj = json_object_get(iv, "child"), *pj = json_object_get(iv, "parent");
				const char *child = json_is_string(cj) ? json_string_value(cj) : "<nil>";
				const char *parent = json_is_string(pj) ? json_string_value(pj) : "<nil>";
				json_object_set_new(norm, "child", json_string(child));
				json_object_set_new(norm, "parent", json_string(parent));
				buf_addf(&path, "%s.%s", name, child);
				if (buf_oom(&path)) {
					json_decref(outiv);
					goto oom;
				}
				src = S_table(cvals, path.ptr, &why);
				if (!src) {
					/* Helm only warns */
					const char *kv[] = { "chart", name, "error", why.ptr };
					helm__log(log, "WARN", "ImportValues missing table from chart", kv, 4);
					continue;
				}
				add = S_path_to_map(parent, src);
			} else if (json_is_string(iv)) {
				buf_addf(&path, "exports.%s", json_string_value(iv));
				json_object_set_new(norm, "child", json_string(path.ptr));
				json_object_set_new(norm, "parent", json_string("."));
				buf_reset(&path);
				buf_addf(&path, "%s.exports.%s", name, json_string_value(iv));
				if (buf_oom(&path)) {
					json_decref(outiv);
					goto oom;
				}
				src = S_table(cvals, path.ptr, &why);
				if (!src) {
					const char *kv[] = { "error", why.ptr };
					helm__log(log, "WARN", "ImportValues missing table", kv, 2);
					continue;
				}
				add = jtree_copy(src);
			} else {
				continue;
			}
			if (!add) {
				json_decref(outiv);
				goto oom;
			}
			error = S_tables(b, add, 1, 0, log, "");
			json_decref(add);
			if (error < 0) {
				json_decref(outiv);
				goto oom;
			}
		}
		if (json_object_set_new(req, "import-values", outiv) < 0)
			goto oom;
	}
	if (S_rebuild_meta_deps(c) < 0)
		goto oom;
	if (S_tables(cvals, b, 1, 0, log, "") < 0)
		goto oom;
	json_decref(c->values);
	c->values = cvals;
	json_decref(b);
	buf_release(&path);
	buf_release(&why);
	return 0;
oom:
	json_decref(cvals);
	json_decref(b);
	buf_release(&path);
	buf_release(&why);
	return diag_set(d, DIAG_ENOMEM, "out of memory");
}

int chart_process_deps(struct chart *c, json_t *vals, struct buf *log, struct diag *d)
{
	int error;

	if ((error = S_process_enabled(c, vals, "", 0, log, d)) < 0)
		return error;
	return S_process_imports(c, 0, log, d);
}
