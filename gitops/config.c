/*
 * hydrate.yaml -> struct config, validated strictly (docs/hydrate-yaml.md).
 *
 * The YAML reader records where each value starts (a JSON Pointer -> line,
 * col map) but not where keys start; errors about a key (unknown, duplicate
 * names) want the caret under the key, so pos_key() finds the key's text in
 * the source just before its value.
 */
#include "gitops/config.h"

#include "render/buf.h"
#include "render/diag.h"
#include "render/srcfile.h"
#include "render/yaml.h"

#include <jansson.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define PTR_MAX 4200
#define NAME_MAX_LEN 63
#define API_VERSION "hydrate/v1"
#define DEFAULT_TIMEOUT_MS 60000UL
#define MAX_TIMEOUT_MS (24UL * 3600 * 1000)

struct ld {
	struct srcfile *src;
	struct ydoc *doc;
	struct diag *d;
	const char *dir;
	struct config *cfg;
};

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void list_free(struct config_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	free(l->pos);
	l->items = NULL;
	l->pos = NULL;
	l->n = 0;
}

/* Appends a copy of s; at (nullable) says where it is written. Positions
 * are kept only once some item has one; earlier items get none. */
static int list_push_at(struct config_list *l, const char *s, const struct config_pos *at)
{
	char **p;
	char *c;

	if ((at && at->line) || l->pos) {
		struct config_pos *np = realloc(l->pos, (l->n + 1) * sizeof(*np));
		if (!np)
			return DIAG_ENOMEM;
		if (!l->pos)
			memset(np, 0, l->n * sizeof(*np));
		l->pos = np;
		memset(&np[l->n], 0, sizeof(*np));
		if (at)
			np[l->n] = *at;
	}
	if (!(p = realloc(l->items, (l->n + 1) * sizeof(*p))))
		return DIAG_ENOMEM;
	l->items = p;
	c = strdup(s);
	if (!c)
		return DIAG_ENOMEM;
	l->items[l->n++] = c;
	return 0;
}

static const struct config_pos *list_pos(const struct config_list *l, size_t i)
{
	return l->pos ? &l->pos[i] : NULL;
}

void config_kv_free(struct config_kv *kv, size_t n)
{
	if (!kv)
		return;
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

/* Appends key=value, or replaces the value of an existing key (in place);
 * at (nullable) says where the value is written. */
static int kv_put(struct config_kv **kv, size_t *n, const char *key, size_t keylen,
		  const char *value, size_t vlen, int replace, const struct config_pos *at)
{
	struct config_kv *p;
	char *k, *v;

	if (replace) {
		for (size_t i = 0; i < *n; i++) {
			if (strlen((*kv)[i].key) == keylen && !memcmp((*kv)[i].key, key, keylen)) {
				v = strndup(value, vlen);
				if (!v)
					return DIAG_ENOMEM;
				free((*kv)[i].value);
				(*kv)[i].value = v;
				if (at)
					(*kv)[i].pos = *at;
				else
					memset(&(*kv)[i].pos, 0, sizeof((*kv)[i].pos));
				return 0;
			}
		}
	}
	p = realloc(*kv, (*n + 1) * sizeof(*p));
	if (!p)
		return DIAG_ENOMEM;
	*kv = p;
	k = strndup(key, keylen);
	v = strndup(value, vlen);
	if (!k || !v) {
		free(k);
		free(v);
		return DIAG_ENOMEM;
	}
	p[*n].key = k;
	p[*n].value = v;
	if (at)
		p[*n].pos = *at;
	else
		memset(&p[*n].pos, 0, sizeof(p[*n].pos));
	(*n)++;
	return 0;
}

static char *path_resolve(const char *dir, const char *p)
{
	struct buf b = BUF_INIT;

	if (p[0] == '/' || !dir || !strcmp(dir, ".") || !dir[0])
		buf_adds(&b, p);
	else {
		buf_adds(&b, dir);
		if (b.len && b.ptr[b.len - 1] != '/')
			buf_addch(&b, '/');
		buf_adds(&b, p);
	}
	if (buf_oom(&b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

size_t config_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, r;
	size_t *d;

	if (la > 256 || lb > 256)
		return (size_t)-1;
	d = calloc((la + 1) * (lb + 1), sizeof(*d));
	if (!d)
		return (size_t)-1;
#define D(x, y) d[(x) * (lb + 1) + (y)]
	for (i = 0; i <= la; i++)
		D(i, 0) = i;
	for (j = 0; j <= lb; j++)
		D(0, j) = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + cost < v)
				v = D(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

/* The closest candidate within reach, or NULL. */
static const char *did_you_mean(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, len = strlen(word);
	size_t reach = len / 3 > 2 ? len / 3 : 2;

	for (size_t i = 0; i < n; i++) {
		size_t dist = config_edit_distance(word, cands[i]);
		if (dist < bestd) {
			bestd = dist;
			best = cands[i];
		}
	}
	return bestd <= reach ? best : NULL;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a sequence";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/*
 * Lexical clean-up of a path, in place, as Go's filepath.Clean: repeated
 * '/' and "." components go, "x/.." pairs cancel, ".." at the root of an
 * absolute path goes; an empty result is ".". For messages and for the
 * repository path only: a symbolic link followed by ".." is not resolved.
 */
static void path_clean(char *p)
{
	size_t abs = p[0] == '/', n = strlen(p), w = abs, depth = 0, up = 0;
	size_t *starts = malloc((n / 2 + 2) * sizeof(*starts));
	const char *r = p;

	if (!starts)
		return;  /* left as it is: only messages lose */
	while (*r) {
		const char *end = strchr(r, '/');
		size_t len;

		if (!end)
			end = r + strlen(r);
		len = (size_t)(end - r);
		if (len == 0 || (len == 1 && r[0] == '.')) {
			/* nothing */
		} else if (len == 2 && r[0] == '.' && r[1] == '.') {
			if (depth > up) {
				/* the last component goes, with the '/' before it */
				w = starts[--depth];
				if (w > abs)
					w--;
			} else if (!abs) {
				/* a leading ".." of a relative path stays */
				if (w > 0)
					p[w++] = '/';
				starts[depth++] = w;
				p[w++] = '.';
				p[w++] = '.';
				up++;
			}
		} else {
			if (w > abs)
				p[w++] = '/';
			starts[depth++] = w;
			memmove(p + w, r, len);
			w += len;
		}
		r = *end ? end + 1 : end;
	}
	if (w == 0)
		p[w++] = '.';
	p[w] = '\0';
	free(starts);
}

/* ---- positions ---- */

static void ptr_join(char *out, const char *parent, const char *seg)
{
	size_t n = strlen(parent);

	if (n >= PTR_MAX - 1) {
		memcpy(out, parent, PTR_MAX - 1);
		out[PTR_MAX - 1] = '\0';
		return;
	}
	memcpy(out, parent, n);
	out[n++] = '/';
	for (; *seg && n < PTR_MAX - 3; seg++) {
		if (*seg == '~') {
			out[n++] = '~';
			out[n++] = '0';
		} else if (*seg == '/') {
			out[n++] = '~';
			out[n++] = '1';
		} else {
			out[n++] = *seg;
		}
	}
	out[n] = '\0';
}

static void ptr_index(char *out, const char *parent, size_t i)
{
	char seg[32];

	snprintf(seg, sizeof(seg), "%zu", i);
	ptr_join(out, parent, seg);
}

/* Where the value at ptr starts; the nearest ancestor that has a position
 * if it has none (e.g. a truncated pointer). */
static void pos_value(struct ld *L, const char *ptr, int *line, int *col)
{
	char tmp[PTR_MAX];
	struct ypos p;
	char *slash;

	snprintf(tmp, sizeof(tmp), "%s", ptr);
	for (;;) {
		if (ydoc_locate(L->doc, tmp, &p) == 0) {
			*line = p.line;
			*col = p.col;
			return;
		}
		slash = strrchr(tmp, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	*line = L->doc->pos.line > 0 ? L->doc->pos.line : 1;
	*col = L->doc->pos.col > 0 ? L->doc->pos.col : 1;
}

/* Byte offset of a 1-based line and character column. */
static size_t pos_offset(struct srcfile *src, int line, int col)
{
	size_t len, off, i;
	const char *text = srcfile_line(src, line, &len);

	if (!text)
		return src->len;
	off = (size_t)(text - src->data);
	for (i = 0; col > 1 && i < len; col--) {
		i++;
		while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
	}
	return off + i;
}

/* A byte column as a character column, as the YAML reader counts. */
static int char_col(struct srcfile *src, int line, int bytecol)
{
	size_t len, i;
	const char *text = srcfile_line(src, line, &len);
	int chars = 1;

	if (!text)
		return bytecol;
	for (i = 0; i + 1 < (size_t)bytecol && i < len; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			chars++;
	return chars;
}

/* Where key of the mapping at parent is written: searched backwards from its
 * value for the key's text followed by optional quote, blanks and ':'. */
static void pos_key(struct ld *L, const char *parent, const char *key, int *line, int *col)
{
	char ptr[PTR_MAX];
	int pl, pc, vl, vc;
	size_t start, end, klen = strlen(key), i;
	const char *s = L->src->data;

	ptr_join(ptr, parent, key);
	pos_value(L, parent, &pl, &pc);
	pos_value(L, ptr, &vl, &vc);
	*line = vl;
	*col = vc;
	start = pos_offset(L->src, pl, pc);
	end = pos_offset(L->src, vl, vc);
	if (end > L->src->len)
		end = L->src->len;
	for (i = end + 1; i-- > start + klen;) {
		size_t at = i - klen, j = i;
		if (memcmp(s + at, key, klen) != 0)
			continue;
		/* an empty key is written "" or '': i is past its opening quote */
		if (!klen && !(at > start && j < L->src->len &&
			       (s[at - 1] == '"' || s[at - 1] == '\'') && s[j] == s[at - 1]))
			continue;
		if (j < L->src->len && (s[j] == '"' || s[j] == '\''))
			j++;
		while (j < L->src->len && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j < L->src->len && s[j] == ':') {
			if (at > 0 && (s[at - 1] == '"' || s[at - 1] == '\''))
				at--;
			srcfile_locate(L->src, at, line, col);
			*col = char_col(L->src, *line, *col);
			return;
		}
	}
}

static int ld_err(struct ld *L, int line, int col, int width, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int ld_err(struct ld *L, int line, int col, int width, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (buf_oom(&msg)) {
		buf_release(&msg);
		return diag_set(L->d, DIAG_ENOMEM, "out of memory");
	}
	diag_set_at(L->d, DIAG_EINVALID, L->src, line, col, width, "%s", msg.ptr);
	buf_release(&msg);
	return DIAG_EINVALID;
}

/* Width of the caret under a value: its text when it is a one-line scalar. */
static int value_width(struct ld *L, const json_t *v, int line, int col)
{
	size_t off = pos_offset(L->src, line, col), n = 0;
	const char *s = L->src->data + off;

	if (json_is_object(v) || json_is_array(v))
		return 1;
	if (json_is_string(v)) {
		/* a one-line string written as it reads, plain or quoted */
		size_t sl = json_string_length(v), avail = L->src->len - off;
		const char *sv = json_string_value(v);
		if (sl > 0 && sl <= avail && !memcmp(s, sv, sl) && !memchr(sv, '\n', sl))
			return (int)sl;
		if ((s[0] == '"' || s[0] == '\'') && sl + 2 <= avail && !memcmp(s + 1, sv, sl) &&
		    s[sl + 1] == s[0] && !memchr(sv, '\n', sl))
			return (int)sl + 2;
	}
	while (off + n < L->src->len && s[n] != '\n' && s[n] != '\r' && n < 200) {
		if (n > 0 && s[n] == '#' && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			break;
		if (s[n] == ',' || s[n] == '}' || s[n] == ']')
			break;
		n++;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n ? (int)n : 1;
}

/* Where the value v at ptr is written, with its caret's width. */
static void pos_of(struct ld *L, const char *ptr, const json_t *v, struct config_pos *out)
{
	pos_value(L, ptr, &out->line, &out->col);
	out->width = value_width(L, v, out->line, out->col);
}

static int err_value(struct ld *L, const char *ptr, const json_t *v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int err_value(struct ld *L, const char *ptr, const json_t *v, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	int line, col, rc;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	pos_value(L, ptr, &line, &col);
	rc = ld_err(L, line, col, value_width(L, v, line, col), "%s", msg.ptr);
	buf_release(&msg);
	return rc;
}

/* The key's width, quotes included when it is written quoted. */
static int key_width(struct ld *L, const char *key, int line, int col)
{
	size_t off = pos_offset(L->src, line, col), klen = strlen(key);
	const char *s = L->src->data + off;

	if (off < L->src->len && (s[0] == '"' || s[0] == '\'') && klen + 2 <= L->src->len - off &&
	    !memcmp(s + 1, key, klen) && s[klen + 1] == s[0])
		return (int)klen + 2;
	return klen ? (int)klen : 1;
}

static int err_key(struct ld *L, const char *parent, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int err_key(struct ld *L, const char *parent, const char *key, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	int line, col, rc;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	pos_key(L, parent, key, &line, &col);
	rc = ld_err(L, line, col, key_width(L, key, line, col), "%s", msg.ptr);
	buf_release(&msg);
	return rc;
}

/* ---- typed access ---- */

static int check_keys(struct ld *L, json_t *obj, const char *ptr, const char *what,
		      const char *const *allowed, size_t nallowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		const char *best;
		size_t i;

		for (i = 0; i < nallowed; i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (i < nallowed)
			continue;
		best = did_you_mean(key, allowed, nallowed);
		if (best)
			return err_key(L, ptr, key, "unknown key '%s' in %s (did you mean '%s'?)",
				       key, what, best);
		return err_key(L, ptr, key, "unknown key '%s' in %s", key, what);
	}
	return 0;
}

static int need_mapping(struct ld *L, const json_t *v, const char *ptr, const char *what)
{
	if (json_is_object(v))
		return 0;
	return err_value(L, ptr, v, "%s must be a mapping, not %s", what, type_name(v));
}

static int missing(struct ld *L, const char *ptr, const char *key, const char *what)
{
	int line, col;

	pos_value(L, ptr, &line, &col);
	return ld_err(L, line, col, 1, "missing '%s' in %s", key, what);
}

/* A non-empty string, or NULL when absent (an error when required). */
static int get_string(struct ld *L, json_t *obj, const char *ptr, const char *key,
		      const char *what, int required, char **out)
{
	char vptr[PTR_MAX];
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v) {
		if (required)
			return missing(L, ptr, key, what);
		return 0;
	}
	ptr_join(vptr, ptr, key);
	if (!json_is_string(v))
		return err_value(L, vptr, v, "'%s' in %s must be a string, not %s", key, what,
				 type_name(v));
	if (json_string_length(v) == 0)
		return err_value(L, vptr, v, "'%s' in %s must not be empty", key, what);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return err_value(L, vptr, v, "'%s' in %s must not hold a NUL character", key,
				 what);
	*out = strdup(json_string_value(v));
	return *out ? 0 : diag_set(L->d, DIAG_ENOMEM, "out of memory");
}

static int get_bool(struct ld *L, json_t *obj, const char *ptr, const char *key,
		    const char *what, int *out)
{
	char vptr[PTR_MAX];
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	ptr_join(vptr, ptr, key);
	if (!json_is_boolean(v))
		return err_value(L, vptr, v, "'%s' in %s must be a boolean, not %s", key,
				 what, type_name(v));
	*out = json_is_true(v);
	return 0;
}

static int get_list(struct ld *L, json_t *obj, const char *ptr, const char *key,
		    const char *what, struct config_list *out)
{
	char vptr[PTR_MAX], iptr[PTR_MAX];
	struct config_pos at;
	json_t *v = json_object_get(obj, key), *item;
	size_t i;

	if (!v)
		return 0;
	ptr_join(vptr, ptr, key);
	if (!json_is_array(v))
		return err_value(L, vptr, v, "'%s' in %s must be a sequence of strings, not %s",
				 key, what, type_name(v));
	json_array_foreach(v, i, item) {
		ptr_index(iptr, vptr, i);
		if (!json_is_string(item) || json_string_length(item) == 0 ||
		    strlen(json_string_value(item)) != json_string_length(item))
			return err_value(L, iptr, item, "'%s' in %s must hold non-empty strings, "
					 "not %s", key, what,
					 json_is_string(item) ? "an empty string" : type_name(item));
		pos_of(L, iptr, item, &at);
		if (list_push_at(out, json_string_value(item), &at) < 0)
			return diag_set(L->d, DIAG_ENOMEM, "out of memory");
	}
	return 0;
}

/* The text of a scalar as written, for numbers whose spelling matters. */
static int scalar_text(struct ld *L, const char *ptr, const json_t *v, struct buf *out)
{
	int line, col, w;

	buf_reset(out);
	if (json_is_string(v))
		return buf_add(out, json_string_value(v), json_string_length(v));
	if (json_is_true(v))
		return buf_adds(out, "true");
	if (json_is_false(v))
		return buf_adds(out, "false");
	if (json_is_null(v))
		return buf_adds(out, "null");
	if (json_is_integer(v))
		return buf_addf(out, "%lld", (long long)json_integer_value(v));
	pos_value(L, ptr, &line, &col);
	w = value_width(L, v, line, col);
	return buf_add(out, L->src->data + pos_offset(L->src, line, col), (size_t)w);
}

static int is_var_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* A mapping of scalars -> ordered pairs. vars: keys must be variable names. */
static int get_kv(struct ld *L, json_t *obj, const char *ptr, const char *key,
		  const char *what, int vars, struct config_kv **out, size_t *n)
{
	char vptr[PTR_MAX], iptr[PTR_MAX];
	struct buf text = BUF_INIT;
	struct config_pos at;
	json_t *v = json_object_get(obj, key), *item;
	const char *k;
	int error = 0;

	if (!v)
		return 0;
	ptr_join(vptr, ptr, key);
	if (!json_is_object(v))
		return err_value(L, vptr, v, "'%s' in %s must be a mapping, not %s", key, what,
				 type_name(v));
	json_object_foreach(v, k, item) {
		ptr_join(iptr, vptr, k);
		if (vars && !is_var_name(k)) {
			error = err_key(L, vptr, k, "invalid variable name '%s' in %s (letters, "
					"digits and '_', not starting with a digit)", k, what);
			goto done;
		}
		if (!vars && !k[0]) {
			error = err_key(L, vptr, k, "empty key in '%s' of %s", key, what);
			goto done;
		}
		if (json_is_object(item) || json_is_array(item)) {
			error = err_value(L, iptr, item, "'%s' in '%s' of %s must be a scalar, "
					  "not %s", k, key, what, type_name(item));
			goto done;
		}
		scalar_text(L, iptr, item, &text);
		pos_of(L, iptr, item, &at);
		if (buf_oom(&text) || kv_put(out, n, k, strlen(k), text.ptr, text.len, 0, &at) < 0) {
			error = diag_set(L->d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	buf_release(&text);
	return error;
}

static int is_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static int get_name(struct ld *L, json_t *obj, const char *ptr, const char *what,
		    char **out)
{
	char vptr[PTR_MAX];
	int error;

	if ((error = get_string(L, obj, ptr, "name", what, 1, out)) < 0)
		return error;
	if (!is_name(*out)) {
		ptr_join(vptr, ptr, "name");
		error = err_value(L, vptr, json_object_get(obj, "name"),
				  "invalid name '%s' in %s: use at most %d lowercase letters, "
				  "digits and '-', starting and ending with a letter or digit",
				  *out, what, NAME_MAX_LEN);
		free(*out);
		*out = NULL;
	}
	return error;
}

/* ---- templates ---- */

static int expand_placeholders(struct buf *out, const char *tmpl, const char *const *names,
			       const char *const *values, size_t n, struct diag *d)
{
	const char *p = tmpl, *close;

	while (*p) {
		size_t i, len;

		if (*p != '{') {
			if (*p == '}')
				return diag_set(d, DIAG_EINVALID, "unmatched '}' in '%s'", tmpl);
			buf_addch(out, *p++);
			continue;
		}
		close = strchr(p, '}');
		if (!close)
			return diag_set(d, DIAG_EINVALID, "unclosed '{' in '%s'", tmpl);
		len = (size_t)(close - p - 1);
		for (i = 0; i < n; i++)
			if (strlen(names[i]) == len && !memcmp(names[i], p + 1, len))
				break;
		if (i == n) {
			const char *best;
			char *word = strndup(p + 1, len);
			if (!word)
				return diag_set(d, DIAG_ENOMEM, "out of memory");
			best = did_you_mean(word, names, n);
			if (best)
				diag_set(d, DIAG_EINVALID, "unknown placeholder '{%s}' in '%s' (did "
					 "you mean '{%s}'?)", word, tmpl, best);
			else
				diag_set(d, DIAG_EINVALID, "unknown placeholder '{%s}' in '%s'",
					 word, tmpl);
			free(word);
			return DIAG_EINVALID;
		}
		buf_adds(out, values[i] ? values[i] : "");
		p = close + 1;
	}
	return buf_oom(out) ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
}

static int check_repo_path(const char *path, const char *tmpl, struct diag *d)
{
	const char *p = path;

	if (path[0] == '/')
		return diag_set(d, DIAG_EINVALID, "path '%s' from '%s' is absolute; paths in the "
				"GitOps repository are relative", path, tmpl);
	if (!path[0])
		return diag_set(d, DIAG_EINVALID, "path template '%s' gives an empty path", tmpl);
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return diag_set(d, DIAG_EINVALID, "path '%s' from '%s' leaves the "
					"repository ('..')", path, tmpl);
		if (len == 0 || (len == 1 && p[0] == '.'))
			return diag_set(d, DIAG_EINVALID, "path '%s' from '%s' has an empty or "
					"'.' component", path, tmpl);
		if (len == 4 && !memcmp(p, ".git", 4))
			return diag_set(d, DIAG_EINVALID, "path '%s' from '%s' enters '.git'",
					path, tmpl);
		p += len;
		if (*p == '/')
			p++;
		if (slash && !*p)
			return diag_set(d, DIAG_EINVALID, "path '%s' from '%s' ends with '/'",
					path, tmpl);
	}
	return 0;
}

int config_path_expand(struct buf *out, const char *tmpl, const char *env,
		       const char *app, const char *ns, const char *release,
		       struct diag *d)
{
	static const char *const names[] = { "env", "app", "namespace", "release" };
	const char *values[] = { env, app, ns, release };
	size_t start = out->len;
	int error;

	if ((error = expand_placeholders(out, tmpl, names, values, 4, d)) < 0)
		return error;
	return check_repo_path(out->ptr + start, tmpl, d);
}

int config_vars_expand(struct buf *out, const char *text, const struct config_kv *vars,
		       size_t nvars, struct diag *d)
{
	const char *p = text;

	while (*p) {
		const char *close, *def = NULL;
		size_t namelen, i;
		const char *found = NULL;

		if (*p != '$') {
			buf_addch(out, *p++);
			continue;
		}
		if (p[1] == '$') {
			buf_addch(out, '$');
			p += 2;
			continue;
		}
		if (p[1] != '{') {
			buf_addch(out, *p++);
			continue;
		}
		close = strchr(p + 2, '}');
		if (!close)
			return diag_set(d, DIAG_EINVALID, "unclosed '${' in '%s'", text);
		namelen = (size_t)(close - p - 2);
		for (i = 0; i + 1 < namelen; i++) {
			if (p[2 + i] == ':' && p[3 + i] == '-') {
				def = p + 4 + i;
				namelen = i;
				break;
			}
		}
		for (i = 0; i < namelen; i++) {
			char c = p[2 + i];
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
			      (i > 0 && c >= '0' && c <= '9')))
				break;
		}
		if (namelen == 0 || i < namelen)
			return diag_set(d, DIAG_EINVALID, "invalid variable reference '%.*s' in '%s'",
					(int)(close - p + 1), p, text);
		for (i = nvars; i-- > 0;) {
			if (strlen(vars[i].key) == namelen && !memcmp(vars[i].key, p + 2, namelen)) {
				found = vars[i].value;
				break;
			}
		}
		if (found && (found[0] || !def))
			buf_adds(out, found);
		else if (def)
			buf_add(out, def, (size_t)(close - def));
		else
			return diag_set(d, DIAG_EINVALID, "undefined variable '%.*s' in '%s'",
					(int)namelen, p + 2, text);
		p = close + 1;
	}
	return buf_oom(out) ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
}

/* Checks a template at load time: known placeholders, a relative result. */
static int check_template(struct ld *L, json_t *obj, const char *ptr, const char *key,
			  const char *tmpl, int repo_path)
{
	static const char *const src_names[] = { "env", "app" };
	static const char *const src_values[] = { "env", "app" };
	struct diag sub = DIAG_INIT;
	struct buf b = BUF_INIT;
	char vptr[PTR_MAX];
	int error;

	if (repo_path)
		error = config_path_expand(&b, tmpl, "env", "app", "namespace", "release", &sub);
	else
		error = expand_placeholders(&b, tmpl, src_names, src_values, 2, &sub);
	if (error == DIAG_ENOMEM)
		diag_set(L->d, DIAG_ENOMEM, "out of memory");
	else if (error < 0) {
		ptr_join(vptr, ptr, key);
		error = err_value(L, vptr, json_object_get(obj, key), "%s", sub.msg.ptr);
	}
	buf_release(&b);
	diag_release(&sub);
	return error;
}

/* ---- sections ---- */

static int parse_duration(const char *s, unsigned long *ms_out)
{
	unsigned long long total = 0;
	int any = 0;

	while (*s) {
		unsigned long long n = 0, mult;
		int digits = 0;

		while (*s >= '0' && *s <= '9') {
			n = n * 10 + (unsigned)(*s++ - '0');
			digits++;
			if (n > MAX_TIMEOUT_MS)
				return -1;
		}
		if (!digits)
			return -1;
		if (s[0] == 'm' && s[1] == 's') {
			mult = 1;
			s += 2;
		} else if (*s == 'h') {
			mult = 3600000;
			s++;
		} else if (*s == 'm') {
			mult = 60000;
			s++;
		} else if (*s == 's') {
			mult = 1000;
			s++;
		} else {
			return -1;
		}
		total += n * mult;
		if (total > MAX_TIMEOUT_MS)
			return -1;
		any = 1;
	}
	if (!any || total == 0)
		return -1;
	*ms_out = (unsigned long)total;
	return 0;
}

/* The items of list key of obj use only {env} and {app}: an error at the
 * first that does not. */
static int check_file_templates(struct ld *L, json_t *obj, const char *ptr, const char *key,
				const struct config_list *l)
{
	static const char *const names[] = { "env", "app" };
	json_t *arr = json_object_get(obj, key);
	char lptr[PTR_MAX], iptr[PTR_MAX];
	int error = 0;

	ptr_join(lptr, ptr, key);
	for (size_t k = 0; k < l->n && !error; k++) {
		struct buf b = BUF_INIT;
		struct diag sub = DIAG_INIT;

		if (expand_placeholders(&b, l->items[k], names, names, 2, &sub) < 0) {
			ptr_index(iptr, lptr, k);
			error = sub.code == DIAG_ENOMEM ? diag_set(L->d, DIAG_ENOMEM, "out of memory")
				: err_value(L, iptr, json_array_get(arr, k), "%s", sub.msg.ptr);
		}
		buf_release(&b);
		diag_release(&sub);
	}
	return error;
}

static int load_repo(struct ld *L, json_t *root)
{
	static const char *const keys[] = { "url", "path", "branch" };
	const char *what = "repository";
	json_t *obj = json_object_get(root, "repository");
	char *path = NULL;
	int error;

	if (!obj)
		goto defaults;
	if ((error = need_mapping(L, obj, "/repository", "'repository'")) < 0 ||
	    (error = check_keys(L, obj, "/repository", what, keys, 3)) < 0 ||
	    (error = get_string(L, obj, "/repository", "url", what, 0, &L->cfg->repo.url)) < 0 ||
	    (error = get_string(L, obj, "/repository", "path", what, 0, &path)) < 0 ||
	    (error = get_string(L, obj, "/repository", "branch", what, 0,
				&L->cfg->repo.branch)) < 0)
		goto done;
	if (L->cfg->repo.url && path) {
		error = err_key(L, "/repository", "path", "repository takes 'url' or 'path', "
				"not both");
		goto done;
	}
	if (path && !(L->cfg->repo.path = path_resolve(L->dir, path))) {
		error = diag_set(L->d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (L->cfg->repo.path)
		path_clean(L->cfg->repo.path);
defaults:
	error = 0;
	if (!L->cfg->repo.branch && !(L->cfg->repo.branch = strdup("main")))
		error = diag_set(L->d, DIAG_ENOMEM, "out of memory");
done:
	free(path);
	return error;
}

static int load_layout(struct ld *L, json_t *root)
{
	static const char *const keys[] = { "pathTemplate", "split", "provenance" };
	const char *what = "layout";
	struct config_layout *lay = &L->cfg->layout;
	json_t *obj = json_object_get(root, "layout");
	int error = 0;

	lay->split = 1;
	lay->provenance = 1;
	if (obj) {
		if ((error = need_mapping(L, obj, "/layout", "'layout'")) < 0 ||
		    (error = check_keys(L, obj, "/layout", what, keys, 3)) < 0 ||
		    (error = get_string(L, obj, "/layout", "pathTemplate", what, 0,
					&lay->path_template)) < 0 ||
		    (error = get_bool(L, obj, "/layout", "split", what, &lay->split)) < 0 ||
		    (error = get_bool(L, obj, "/layout", "provenance", what,
				      &lay->provenance)) < 0)
			return error;
		if (lay->path_template &&
		    (error = check_template(L, obj, "/layout", "pathTemplate",
					    lay->path_template, 1)) < 0)
			return error;
		if (lay->path_template)
			pos_of(L, "/layout/pathTemplate", json_object_get(obj, "pathTemplate"),
			       &lay->path_pos);
	}
	if (!lay->path_template && !(lay->path_template = strdup("{env}/{app}")))
		return diag_set(L->d, DIAG_ENOMEM, "out of memory");
	return 0;
}

static int resolve_list(struct ld *L, struct config_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		char *r = path_resolve(L->dir, l->items[i]);
		if (!r)
			return diag_set(L->d, DIAG_ENOMEM, "out of memory");
		free(l->items[i]);
		l->items[i] = r;
	}
	return 0;
}

static int load_envs(struct ld *L, json_t *root)
{
	static const char *const keys[] = { "name", "branch", "pathTemplate", "envFile",
					    "valuesFiles", "localValuesFiles", "vars" };
	json_t *arr = json_object_get(root, "environments"), *obj;
	char ptr[PTR_MAX], what[128];
	size_t i;
	int error = 0;

	if (!arr)
		return missing(L, "", "environments", "hydrate.yaml");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return err_value(L, "/environments", arr, "'environments' must be a non-empty "
				 "sequence, not %s", json_is_array(arr) ? "an empty one" :
				 type_name(arr));
	L->cfg->envs = calloc(json_array_size(arr), sizeof(*L->cfg->envs));
	if (!L->cfg->envs)
		return diag_set(L->d, DIAG_ENOMEM, "out of memory");
	json_array_foreach(arr, i, obj) {
		struct config_env *e = &L->cfg->envs[i];
		char *file = NULL;
		int line, col;

		ptr_index(ptr, "/environments", i);
		snprintf(what, sizeof(what), "environment #%zu", i + 1);
		L->cfg->nenvs = i + 1;
		if ((error = need_mapping(L, obj, ptr, what)) < 0 ||
		    (error = get_name(L, obj, ptr, what, &e->name)) < 0)
			return error;
		snprintf(what, sizeof(what), "environment '%s'", e->name);
		pos_value(L, ptr, &line, &col);
		e->line = line;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(L->cfg->envs[j].name, e->name)) {
				char nptr[PTR_MAX];
				ptr_join(nptr, ptr, "name");
				return err_value(L, nptr, json_object_get(obj, "name"),
						 "duplicate environment '%s' (first defined on "
						 "line %d)", e->name, L->cfg->envs[j].line);
			}
		}
		if ((error = check_keys(L, obj, ptr, what, keys, 7)) < 0 ||
		    (error = get_string(L, obj, ptr, "branch", what, 0, &e->branch)) < 0 ||
		    (error = get_string(L, obj, ptr, "pathTemplate", what, 0,
					&e->path_template)) < 0 ||
		    (error = get_string(L, obj, ptr, "envFile", what, 0, &file)) < 0 ||
		    (error = get_list(L, obj, ptr, "valuesFiles", what, &e->values_files)) < 0 ||
		    (error = get_list(L, obj, ptr, "localValuesFiles", what,
				      &e->local_values_files)) < 0 ||
		    (error = check_file_templates(L, obj, ptr, "localValuesFiles",
						  &e->local_values_files)) < 0 ||
		    (error = get_kv(L, obj, ptr, "vars", what, 1, &e->vars, &e->nvars)) < 0) {
			free(file);
			return error;
		}
		if (file) {
			e->env_file = path_resolve(L->dir, file);
			free(file);
			if (!e->env_file)
				return diag_set(L->d, DIAG_ENOMEM, "out of memory");
		}
		if (e->path_template) {
			char tptr[PTR_MAX];
			if ((error = check_template(L, obj, ptr, "pathTemplate", e->path_template,
						    1)) < 0)
				return error;
			ptr_join(tptr, ptr, "pathTemplate");
			pos_of(L, tptr, json_object_get(obj, "pathTemplate"), &e->path_pos);
		} else {
			e->path_pos = L->cfg->layout.path_pos;
		}
		if ((error = resolve_list(L, &e->values_files)) < 0)
			return error;
		if (!e->branch && !(e->branch = xstrdup(L->cfg->repo.branch)))
			return diag_set(L->d, DIAG_ENOMEM, "out of memory");
		if (!e->path_template && !(e->path_template = xstrdup(L->cfg->layout.path_template)))
			return diag_set(L->d, DIAG_ENOMEM, "out of memory");
	}
	return error;
}

static int load_app_env(struct ld *L, struct config_app *app, json_t *obj, const char *ptr,
			const char *envname, struct config_app_env *ae)
{
	static const char *const keys[] = { "enabled", "releaseName", "namespace",
					    "valuesFiles", "set" };
	char what[256];
	int error;

	snprintf(what, sizeof(what), "app '%s' environment '%s'", app->name, envname);
	ae->enabled = 1;
	if (!(ae->env = strdup(envname)))
		return diag_set(L->d, DIAG_ENOMEM, "out of memory");
	if (json_is_null(obj))
		return 0; /* "prod:" alone: enabled, nothing overridden */
	if ((error = need_mapping(L, obj, ptr, what)) < 0 ||
	    (error = check_keys(L, obj, ptr, what, keys, 5)) < 0 ||
	    (error = get_bool(L, obj, ptr, "enabled", what, &ae->enabled)) < 0 ||
	    (error = get_string(L, obj, ptr, "releaseName", what, 0, &ae->release_name)) < 0 ||
	    (error = get_string(L, obj, ptr, "namespace", what, 0, &ae->namespace)) < 0 ||
	    (error = get_list(L, obj, ptr, "valuesFiles", what, &ae->values_files)) < 0 ||
	    (error = get_kv(L, obj, ptr, "set", what, 0, &ae->set, &ae->nset)) < 0)
		return error;
	return 0;
}

static int load_apps(struct ld *L, json_t *root)
{
	static const char *const keys[] = { "name", "chart", "kustomize", "releaseName",
					    "namespace", "valuesFiles", "set", "environments" };
	json_t *arr = json_object_get(root, "apps"), *obj;
	char ptr[PTR_MAX], what[128];
	size_t i;
	int error = 0;

	if (!arr)
		return missing(L, "", "apps", "hydrate.yaml");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return err_value(L, "/apps", arr, "'apps' must be a non-empty sequence, not %s",
				 json_is_array(arr) ? "an empty one" : type_name(arr));
	L->cfg->apps = calloc(json_array_size(arr), sizeof(*L->cfg->apps));
	if (!L->cfg->apps)
		return diag_set(L->d, DIAG_ENOMEM, "out of memory");
	json_array_foreach(arr, i, obj) {
		struct config_app *a = &L->cfg->apps[i];
		char *chart = NULL, *kust = NULL, eptr[PTR_MAX], aeptr[PTR_MAX];
		json_t *envs, *ev;
		const char *envname;
		int line, col;

		ptr_index(ptr, "/apps", i);
		snprintf(what, sizeof(what), "app #%zu", i + 1);
		L->cfg->napps = i + 1;
		if ((error = need_mapping(L, obj, ptr, what)) < 0 ||
		    (error = get_name(L, obj, ptr, what, &a->name)) < 0)
			return error;
		snprintf(what, sizeof(what), "app '%s'", a->name);
		pos_value(L, ptr, &line, &col);
		a->line = line;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(L->cfg->apps[j].name, a->name)) {
				char nptr[PTR_MAX];
				ptr_join(nptr, ptr, "name");
				return err_value(L, nptr, json_object_get(obj, "name"),
						 "duplicate app '%s' (first defined on line %d)",
						 a->name, L->cfg->apps[j].line);
			}
		}
		if ((error = check_keys(L, obj, ptr, what, keys, 8)) < 0 ||
		    (error = get_string(L, obj, ptr, "chart", what, 0, &chart)) < 0 ||
		    (error = get_string(L, obj, ptr, "kustomize", what, 0, &kust)) < 0) {
			free(chart);
			free(kust);
			return error;
		}
		if (chart && kust) {
			free(chart);
			free(kust);
			return err_key(L, ptr, "kustomize", "app '%s' takes 'chart' or "
				       "'kustomize', not both", a->name);
		}
		if (!chart && !kust) {
			pos_value(L, ptr, &line, &col);
			return ld_err(L, line, col, 1, "app '%s' needs 'chart' (a Helm chart) or "
				      "'kustomize' (an overlay)", a->name);
		}
		a->kind = chart ? CONFIG_SOURCE_CHART : CONFIG_SOURCE_KUSTOMIZE;
		a->source = chart ? chart : kust;
		{
			char sptr[PTR_MAX];
			const char *key = chart ? "chart" : "kustomize";
			ptr_join(sptr, ptr, key);
			pos_of(L, sptr, json_object_get(obj, key), &a->source_pos);
		}
		if ((error = check_template(L, obj, ptr, chart ? "chart" : "kustomize",
					    a->source, 0)) < 0 ||
		    (error = get_string(L, obj, ptr, "releaseName", what, 0, &a->release_name)) < 0 ||
		    (error = get_string(L, obj, ptr, "namespace", what, 0, &a->namespace)) < 0 ||
		    (error = get_list(L, obj, ptr, "valuesFiles", what, &a->values_files)) < 0 ||
		    (error = get_kv(L, obj, ptr, "set", what, 0, &a->set, &a->nset)) < 0)
			return error;
		if (a->kind == CONFIG_SOURCE_KUSTOMIZE && (a->values_files.n || a->nset)) {
			return err_key(L, ptr, a->values_files.n ? "valuesFiles" : "set",
				       "'%s' in app '%s' needs a Helm chart; a Kustomize overlay "
				       "takes no values", a->values_files.n ? "valuesFiles" : "set",
				       a->name);
		}
		if ((error = check_file_templates(L, obj, ptr, "valuesFiles", &a->values_files)) < 0)
			return error;
		if (!a->release_name && !(a->release_name = strdup(a->name)))
			return diag_set(L->d, DIAG_ENOMEM, "out of memory");
		envs = json_object_get(obj, "environments");
		if (!envs)
			continue;
		ptr_join(eptr, ptr, "environments");
		if ((error = need_mapping(L, envs, eptr, "'environments' of an app")) < 0)
			return error;
		a->envs = calloc(json_object_size(envs) + 1, sizeof(*a->envs));
		if (!a->envs)
			return diag_set(L->d, DIAG_ENOMEM, "out of memory");
		json_object_foreach(envs, envname, ev) {
			if (!config_env_find(L->cfg, envname)) {
				const char **names = calloc(L->cfg->nenvs + 1, sizeof(*names));
				const char *best;
				if (!names)
					return diag_set(L->d, DIAG_ENOMEM, "out of memory");
				for (size_t k = 0; k < L->cfg->nenvs; k++)
					names[k] = L->cfg->envs[k].name;
				best = did_you_mean(envname, names, L->cfg->nenvs);
				if (best)
					error = err_key(L, eptr, envname, "unknown environment '%s' in "
							"app '%s' (did you mean '%s'?)", envname,
							a->name, best);
				else
					error = err_key(L, eptr, envname, "unknown environment '%s' in "
							"app '%s'", envname, a->name);
				free(names);
				return error;
			}
			ptr_join(aeptr, eptr, envname);
			a->nenvs++;
			if ((error = load_app_env(L, a, ev, aeptr, envname,
						  &a->envs[a->nenvs - 1])) < 0)
				return error;
		}
	}
	return error;
}

static int load_hooks(struct ld *L, json_t *root)
{
	static const char *const keys[] = { "preRender", "postRender" };
	static const char *const hkeys[] = { "name", "command", "timeout" };
	json_t *obj = json_object_get(root, "hooks");
	int error;

	if (!obj)
		return 0;
	if ((error = need_mapping(L, obj, "/hooks", "'hooks'")) < 0 ||
	    (error = check_keys(L, obj, "/hooks", "hooks", keys, 2)) < 0)
		return error;
	for (int which = 0; which < 2; which++) {
		struct config_hook **hooks = which ? &L->cfg->post_render : &L->cfg->pre_render;
		size_t *nhooks = which ? &L->cfg->npost_render : &L->cfg->npre_render;
		char lptr[PTR_MAX], ptr[PTR_MAX], what[128], tptr[PTR_MAX];
		json_t *arr = json_object_get(obj, keys[which]), *h, *t;
		size_t i;

		if (!arr)
			continue;
		ptr_join(lptr, "/hooks", keys[which]);
		if (!json_is_array(arr))
			return err_value(L, lptr, arr, "'%s' in hooks must be a sequence, not %s",
					 keys[which], type_name(arr));
		*hooks = calloc(json_array_size(arr) + 1, sizeof(**hooks));
		if (!*hooks)
			return diag_set(L->d, DIAG_ENOMEM, "out of memory");
		json_array_foreach(arr, i, h) {
			struct config_hook *hk = &(*hooks)[i];

			ptr_index(ptr, lptr, i);
			snprintf(what, sizeof(what), "%s hook #%zu", keys[which], i + 1);
			*nhooks = i + 1;
			hk->timeout_ms = DEFAULT_TIMEOUT_MS;
			if ((error = need_mapping(L, h, ptr, what)) < 0 ||
			    (error = get_name(L, h, ptr, what, &hk->name)) < 0)
				return error;
			snprintf(what, sizeof(what), "hook '%s'", hk->name);
			if ((error = check_keys(L, h, ptr, what, hkeys, 3)) < 0 ||
			    (error = get_list(L, h, ptr, "command", what, &hk->command)) < 0)
				return error;
			if (hk->command.n == 0) {
				if (!json_object_get(h, "command"))
					return missing(L, ptr, "command", what);
				ptr_join(tptr, ptr, "command");
				return err_value(L, tptr, json_object_get(h, "command"),
						 "'command' in %s must not be empty", what);
			}
			t = json_object_get(h, "timeout");
			if (!t)
				continue;
			ptr_join(tptr, ptr, "timeout");
			if (json_is_integer(t) && json_integer_value(t) > 0 &&
			    json_integer_value(t) <= (json_int_t)(MAX_TIMEOUT_MS / 1000))
				hk->timeout_ms = (unsigned long)json_integer_value(t) * 1000;
			else if (!json_is_string(t) ||
				 parse_duration(json_string_value(t), &hk->timeout_ms) < 0)
				return err_value(L, tptr, t, "invalid 'timeout' in %s: use a duration "
						 "such as 30s, 2m or 1m30s (at most 24h), or seconds",
						 what);
		}
	}
	return 0;
}

static int load_root(struct ld *L, json_t *root)
{
	static const char *const keys[] = { "apiVersion", "repository", "vars", "layout",
					    "environments", "apps", "hooks" };
	char *api = NULL;
	int error;

	if (!json_is_object(root))
		return err_value(L, "", root, "hydrate.yaml must be a mapping, not %s",
				 type_name(root));
	if ((error = check_keys(L, root, "", "hydrate.yaml", keys, 7)) < 0 ||
	    (error = get_string(L, root, "", "apiVersion", "hydrate.yaml", 1, &api)) < 0)
		goto done;
	if (strcmp(api, API_VERSION) != 0) {
		error = err_value(L, "/apiVersion", json_object_get(root, "apiVersion"),
				  "unsupported apiVersion '%s' (this hydrate reads '%s')", api,
				  API_VERSION);
		goto done;
	}
	if ((error = load_repo(L, root)) < 0 ||
	    (error = get_kv(L, root, "", "vars", "hydrate.yaml", 1, &L->cfg->vars,
			    &L->cfg->nvars)) < 0 ||
	    (error = load_layout(L, root)) < 0 ||
	    (error = load_envs(L, root)) < 0 ||
	    (error = load_apps(L, root)) < 0 ||
	    (error = load_hooks(L, root)) < 0)
		goto done;
done:
	free(api);
	return error;
}

static void env_release(struct config_env *e)
{
	free(e->name);
	free(e->branch);
	free(e->path_template);
	free(e->env_file);
	list_free(&e->values_files);
	list_free(&e->local_values_files);
	config_kv_free(e->vars, e->nvars);
}

static void app_release(struct config_app *a)
{
	free(a->name);
	free(a->source);
	free(a->release_name);
	free(a->namespace);
	list_free(&a->values_files);
	config_kv_free(a->set, a->nset);
	for (size_t i = 0; i < a->nenvs; i++) {
		struct config_app_env *ae = &a->envs[i];
		free(ae->env);
		free(ae->release_name);
		free(ae->namespace);
		list_free(&ae->values_files);
		config_kv_free(ae->set, ae->nset);
	}
	free(a->envs);
}

static void hooks_free(struct config_hook *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		list_free(&h[i].command);
	}
	free(h);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->file);
	free(cfg->dir);
	free(cfg->repo.url);
	free(cfg->repo.path);
	free(cfg->repo.branch);
	for (size_t i = 0; i < cfg->nenvs; i++)
		env_release(&cfg->envs[i]);
	free(cfg->envs);
	for (size_t i = 0; i < cfg->napps; i++)
		app_release(&cfg->apps[i]);
	free(cfg->apps);
	config_kv_free(cfg->vars, cfg->nvars);
	hooks_free(cfg->pre_render, cfg->npre_render);
	hooks_free(cfg->post_render, cfg->npost_render);
	free(cfg->layout.path_template);
	srcfile_release(&cfg->src);
	free(cfg);
}

int config_parse(struct config **out, struct srcfile *src, const char *dir, struct diag *d)
{
	const struct ydoc_limits lim = { .max_depth = 64, .max_nodes = 100000, .max_docs = 16,
					  .max_size = (size_t)4 << 20 };
	struct ystream s = YSTREAM_INIT;
	struct config *cfg = NULL;
	struct ld L = { 0 };
	size_t i, ndocs = 0, which = 0;
	int error;

	*out = NULL;
	if ((error = ystream_parse(&s, src, YDOC_KUSTOMIZE, &lim, d)) < 0)
		goto done;
	for (i = 0; i < s.ndocs; i++) {
		if (!json_is_null(s.docs[i].root)) {
			if (ndocs++ == 0)
				which = i;
		}
	}
	if (ndocs == 0) {
		error = diag_set(d, DIAG_EINVALID, "%s: empty configuration (expected "
				 "'apiVersion: %s', 'environments' and 'apps')",
				 src->name ? src->name : "<input>", API_VERSION);
		goto done;
	}
	if (ndocs > 1) {
		for (i = which + 1; json_is_null(s.docs[i].root); i++)
			;
		error = diag_set_at(d, DIAG_EINVALID, src, s.docs[i].pos.line, s.docs[i].pos.col,
				    1, "hydrate.yaml holds one document, found a second one");
		goto done;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	cfg->file = xstrdup(src->name ? src->name : "<input>");
	cfg->dir = xstrdup(dir ? dir : ".");
	if (!cfg->file || !cfg->dir ||
	    srcfile_set(&cfg->src, cfg->file, src->data, src->len) < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	{
		/* build the line map now: config_error_at only reads it, from
		 * any thread */
		size_t n;
		srcfile_line(&cfg->src, 1, &n);
	}
	L.src = src;
	L.doc = &s.docs[which];
	L.d = d;
	L.dir = cfg->dir;
	L.cfg = cfg;
	if ((error = load_root(&L, s.docs[which].root)) < 0)
		goto done;
	*out = cfg;
	cfg = NULL;
done:
	config_free(cfg);
	ystream_release(&s);
	return error;
}

int config_load(struct config **out, const char *path, struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	char *dir = NULL, *slash;
	int error;

	*out = NULL;
	if ((error = srcfile_read(&src, path, d)) < 0)
		goto done;
	if (!(dir = strdup(path))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	error = config_parse(out, &src, dir, d);
done:
	free(dir);
	srcfile_release(&src);
	return error;
}

const struct config_env *config_env_find(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nenvs; i++)
		if (cfg->envs[i].name && !strcmp(cfg->envs[i].name, name))
			return &cfg->envs[i];
	return NULL;
}

const struct config_app *config_app_find(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->napps; i++)
		if (cfg->apps[i].name && !strcmp(cfg->apps[i].name, name))
			return &cfg->apps[i];
	return NULL;
}

/* ---- dump ---- */

static void dump_str(struct buf *out, const char *s)
{
	if (!s) {
		buf_adds(out, "null");
		return;
	}
	buf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_addf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			buf_addf(out, "\\x%02x", (unsigned char)*s);
		else
			buf_addch(out, *s);
	}
	buf_addch(out, '"');
}

static void dump_field(struct buf *out, int indent, const char *name, const char *s)
{
	buf_addchn(out, ' ', (size_t)indent);
	buf_addf(out, "%s: ", name);
	dump_str(out, s);
	buf_addch(out, '\n');
}

static void dump_list(struct buf *out, int indent, const char *name,
		      const struct config_list *l)
{
	if (!l->n)
		return;
	buf_addchn(out, ' ', (size_t)indent);
	buf_addf(out, "%s:\n", name);
	for (size_t i = 0; i < l->n; i++) {
		buf_addchn(out, ' ', (size_t)indent + 2);
		buf_adds(out, "- ");
		dump_str(out, l->items[i]);
		buf_addch(out, '\n');
	}
}

static void dump_kv(struct buf *out, int indent, const char *name,
		    const struct config_kv *kv, size_t n)
{
	if (!n)
		return;
	buf_addchn(out, ' ', (size_t)indent);
	buf_addf(out, "%s:\n", name);
	for (size_t i = 0; i < n; i++) {
		buf_addchn(out, ' ', (size_t)indent + 2);
		dump_str(out, kv[i].key);
		buf_adds(out, " = ");
		dump_str(out, kv[i].value);
		buf_addch(out, '\n');
	}
}

int config_dump(struct buf *out, const struct config *cfg)
{
	dump_field(out, 0, "dir", cfg->dir);
	buf_adds(out, "repository:\n");
	dump_field(out, 2, "url", cfg->repo.url);
	dump_field(out, 2, "path", cfg->repo.path);
	dump_field(out, 2, "branch", cfg->repo.branch);
	buf_adds(out, "layout:\n");
	dump_field(out, 2, "pathTemplate", cfg->layout.path_template);
	buf_addf(out, "  split: %s\n  provenance: %s\n", cfg->layout.split ? "true" : "false",
		 cfg->layout.provenance ? "true" : "false");
	dump_kv(out, 0, "vars", cfg->vars, cfg->nvars);
	for (size_t i = 0; i < cfg->nenvs; i++) {
		const struct config_env *e = &cfg->envs[i];
		buf_addf(out, "environment %s (line %d):\n", e->name, e->line);
		dump_field(out, 2, "branch", e->branch);
		dump_field(out, 2, "pathTemplate", e->path_template);
		dump_field(out, 2, "envFile", e->env_file);
		dump_list(out, 2, "valuesFiles", &e->values_files);
		dump_list(out, 2, "localValuesFiles", &e->local_values_files);
		dump_kv(out, 2, "vars", e->vars, e->nvars);
	}
	for (size_t i = 0; i < cfg->napps; i++) {
		const struct config_app *a = &cfg->apps[i];
		buf_addf(out, "app %s (line %d):\n", a->name, a->line);
		dump_field(out, 2, a->kind == CONFIG_SOURCE_CHART ? "chart" : "kustomize",
			   a->source);
		dump_field(out, 2, "releaseName", a->release_name);
		dump_field(out, 2, "namespace", a->namespace);
		dump_list(out, 2, "valuesFiles", &a->values_files);
		dump_kv(out, 2, "set", a->set, a->nset);
		for (size_t j = 0; j < a->nenvs; j++) {
			const struct config_app_env *ae = &a->envs[j];
			buf_addf(out, "  in %s:%s\n", ae->env, ae->enabled ? "" : " disabled");
			if (ae->release_name)
				dump_field(out, 4, "releaseName", ae->release_name);
			if (ae->namespace)
				dump_field(out, 4, "namespace", ae->namespace);
			dump_list(out, 4, "valuesFiles", &ae->values_files);
			dump_kv(out, 4, "set", ae->set, ae->nset);
		}
	}
	for (int which = 0; which < 2; which++) {
		const struct config_hook *h = which ? cfg->post_render : cfg->pre_render;
		size_t n = which ? cfg->npost_render : cfg->npre_render;
		for (size_t i = 0; i < n; i++) {
			buf_addf(out, "%s hook %s (timeout %lums):\n",
				 which ? "postRender" : "preRender", h[i].name, h[i].timeout_ms);
			dump_list(out, 2, "command", &h[i].command);
		}
	}
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

/* ---- .env ---- */

static int dotenv_err(struct srcfile *src, size_t off, struct diag *d, const char *msg)
{
	int line, col;

	srcfile_locate(src, off, &line, &col);
	return diag_set_at(d, DIAG_EINVALID, src, line, col, 1, "%s", msg);
}

int config_dotenv_parse(struct config_kv **out, size_t *n_out, struct srcfile *src,
			struct diag *d)
{
	struct config_kv *kv = NULL;
	struct buf val = BUF_INIT;
	const char *s = src->data;
	size_t len = src->len, i = 0, n = 0;
	int error = 0;

	*out = NULL;
	*n_out = 0;
	while (i < len) {
		size_t kstart, kend;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			break;
		if (s[i] == '\n' || s[i] == '\r') {
			i++;
			continue;
		}
		if (s[i] == '#') {
			while (i < len && s[i] != '\n')
				i++;
			continue;
		}
		if (len - i > 7 && !memcmp(s + i, "export", 6) && (s[i + 6] == ' ' || s[i + 6] == '\t')) {
			i += 6;
			while (i < len && (s[i] == ' ' || s[i] == '\t'))
				i++;
		}
		kstart = i;
		while (i < len && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
				   s[i] == '_' || (i > kstart && s[i] >= '0' && s[i] <= '9')))
			i++;
		kend = i;
		if (kend == kstart) {
			error = dotenv_err(src, i, d, "expected a variable name (letters, digits "
					   "and '_')");
			goto done;
		}
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len || s[i] != '=') {
			error = dotenv_err(src, i, d, "expected '=' after the variable name");
			goto done;
		}
		i++;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		buf_reset(&val);
		if (i < len && (s[i] == '\'' || s[i] == '"')) {
			char q = s[i];
			size_t open = i++;
			while (i < len && s[i] != q) {
				if (q == '"' && s[i] == '\\' && i + 1 < len) {
					char c = s[i + 1];
					switch (c) {
					case 'n': buf_addch(&val, '\n'); break;
					case 't': buf_addch(&val, '\t'); break;
					case 'r': buf_addch(&val, '\r'); break;
					case '\\': case '"': case '$': buf_addch(&val, c); break;
					default: buf_addch(&val, '\\'); buf_addch(&val, c); break;
					}
					i += 2;
					continue;
				}
				buf_addch(&val, s[i++]);
			}
			if (i >= len) {
				error = dotenv_err(src, open, d, "unterminated quoted value");
				goto done;
			}
			i++;
			while (i < len && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < len && s[i] == '#')
				while (i < len && s[i] != '\n')
					i++;
			if (i < len && s[i] == '\r')
				i++;
			if (i < len && s[i] != '\n') {
				error = dotenv_err(src, i, d, "unexpected text after the closing quote");
				goto done;
			}
		} else {
			size_t vstart = i, vend;
			while (i < len && s[i] != '\n') {
				if (s[i] == '#' && i > vstart && (s[i - 1] == ' ' || s[i - 1] == '\t'))
					break;
				i++;
			}
			vend = i;
			while (vend > vstart && (s[vend - 1] == ' ' || s[vend - 1] == '\t' ||
						 s[vend - 1] == '\r'))
				vend--;
			buf_add(&val, s + vstart, vend - vstart);
			while (i < len && s[i] != '\n')
				i++;
		}
		if (buf_oom(&val) || memchr(val.ptr, '\0', val.len)) {
			error = buf_oom(&val) ? diag_set(d, DIAG_ENOMEM, "out of memory")
					      : dotenv_err(src, kstart, d, "value holds a NUL byte");
			goto done;
		}
		if (kv_put(&kv, &n, s + kstart, kend - kstart, val.ptr, val.len, 1, NULL) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
	*out = kv;
	*n_out = n;
	kv = NULL;
	n = 0;
done:
	config_kv_free(kv, n);
	buf_release(&val);
	return error;
}

int config_env_dotenv(struct config_kv **out, size_t *n_out, const struct config_env *env,
		      struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	int error;

	*out = NULL;
	*n_out = 0;
	if (!env->env_file)
		return 0;
	error = srcfile_read(&src, env->env_file, d);
	if (error == DIAG_ENOTFOUND) {
		diag_clear(d);
		return 0;
	}
	if (!error)
		error = config_dotenv_parse(out, n_out, &src, d);
	srcfile_release(&src);
	return error;
}

/* ---- jobs ---- */

int config_error_at(struct diag *d, const struct config *cfg, const struct config_pos *at,
		    int code, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (buf_oom(&msg))
		code = diag_set(d, DIAG_ENOMEM, "out of memory");
	else if (at && at->line > 0)
		/* the line map was built by config_parse: nothing is written */
		diag_set_at(d, code, (struct srcfile *)&cfg->src, at->line, at->col, at->width,
			    "%s", msg.ptr);
	else
		diag_set(d, code, "%s", msg.ptr);
	buf_release(&msg);
	return code;
}

void config_job_release(struct config_job *job)
{
	if (!job)
		return;
	free(job->source);
	free(job->release_name);
	free(job->namespace);
	free(job->path);
	free(job->branch);
	list_free(&job->values_files);
	config_kv_free(job->set, job->nset);
	memset(job, 0, sizeof(*job));
}

/* Appends in's items, {env} and {app} expanded (resolved against the
 * config's directory when resolve), with their positions; on error *at is
 * where the failing item is written. */
static int add_values(struct config_list *out, const struct config *cfg,
		      const struct config_list *in, const char *env, const char *app,
		      int resolve, const struct config_pos **at, struct diag *d)
{
	static const char *const names[] = { "env", "app" };
	const char *values[] = { env, app };
	struct buf b = BUF_INIT;
	int error = 0;

	for (size_t i = 0; i < in->n && !error; i++) {
		char *r;
		buf_reset(&b);
		*at = list_pos(in, i);
		if ((error = expand_placeholders(&b, in->items[i], names, values, 2, d)) < 0)
			break;
		r = resolve ? path_resolve(cfg->dir, b.ptr) : strdup(b.ptr);
		if (!r || list_push_at(out, r, list_pos(in, i)) < 0)
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		free(r);
	}
	buf_release(&b);
	return error;
}

static int add_set(struct config_job *job, const struct config_kv *set, size_t n,
		   const struct config_kv *vars, size_t nvars, const struct config_pos **at,
		   struct diag *d)
{
	struct buf b = BUF_INIT;
	int error = 0;

	for (size_t i = 0; i < n && !error; i++) {
		buf_reset(&b);
		*at = &set[i].pos;
		if ((error = config_vars_expand(&b, set[i].value, vars, nvars, d)) < 0) {
			diag_prefix(d, "set '%s'", set[i].key);
			break;
		}
		if (kv_put(&job->set, &job->nset, set[i].key, strlen(set[i].key), b.ptr, b.len,
			   1, &set[i].pos) < 0)
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	buf_release(&b);
	return error;
}

int config_job_add_local(struct config_job *job, const struct config *cfg, struct diag *d)
{
	struct config_list all = CONFIG_LIST_INIT;
	const struct config_pos *at = NULL;
	int error;

	if (job->kind != CONFIG_SOURCE_CHART || !job->env->local_values_files.n)
		return 0;
	if ((error = add_values(&all, cfg, &job->env->local_values_files, job->env->name,
				job->app->name, 1, &at, d)) < 0)
		goto done;
	for (size_t i = 0; i < all.n; i++) {
		struct stat st;

		if (stat(all.items[i], &st) != 0 || S_ISDIR(st.st_mode))
			continue;
		if (list_push_at(&job->values_files, all.items[i], list_pos(&all, i)) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	list_free(&all);
	return error;
}

/* Does the path template use {namespace}? */
static int uses_namespace(const char *tmpl)
{
	return strstr(tmpl, "{namespace}") != NULL;
}

int config_job_resolve(struct config_job *out, const struct config *cfg,
		       const struct config_app *app, const struct config_env *env,
		       const struct config_kv *dotenv, size_t ndotenv, struct diag *d)
{
	const struct config_app_env *ae = NULL;
	const struct config_pos *at = NULL;
	struct config_job job = CONFIG_JOB_INIT;
	struct config_kv *vars = NULL;
	struct config_list src = CONFIG_LIST_INIT, one = CONFIG_LIST_INIT;
	struct buf b = BUF_INIT;
	size_t nvars = 0;
	int error = 0;

	for (size_t i = 0; i < app->nenvs; i++)
		if (!strcmp(app->envs[i].env, env->name))
			ae = &app->envs[i];
	if (ae && !ae->enabled) {
		error = diag_set(d, DIAG_ENOTFOUND, "app '%s' is disabled in environment '%s'",
				 app->name, env->name);
		goto done;
	}
	/* vars: common -> environment -> local (.env) */
	for (size_t i = 0; i < cfg->nvars; i++)
		if (kv_put(&vars, &nvars, cfg->vars[i].key, strlen(cfg->vars[i].key),
			   cfg->vars[i].value, strlen(cfg->vars[i].value), 1, NULL) < 0)
			goto oom;
	for (size_t i = 0; i < env->nvars; i++)
		if (kv_put(&vars, &nvars, env->vars[i].key, strlen(env->vars[i].key),
			   env->vars[i].value, strlen(env->vars[i].value), 1, NULL) < 0)
			goto oom;
	for (size_t i = 0; i < ndotenv; i++)
		if (kv_put(&vars, &nvars, dotenv[i].key, strlen(dotenv[i].key), dotenv[i].value,
			   strlen(dotenv[i].value), 1, NULL) < 0)
			goto oom;

	job.app = app;
	job.env = env;
	job.kind = app->kind;
	job.source_pos = app->source_pos;
	job.path_pos = env->path_pos;
	if (list_push_at(&one, app->source, &app->source_pos) < 0)
		goto oom;
	if ((error = add_values(&src, cfg, &one, env->name, app->name, 1, &at, d)) < 0)
		goto fail;
	job.source = src.items[0];
	src.items[0] = NULL;
	job.release_name = strdup(ae && ae->release_name ? ae->release_name : app->release_name);
	if (!job.release_name)
		goto oom;
	if ((ae && ae->namespace) || app->namespace) {
		job.namespace = strdup(ae && ae->namespace ? ae->namespace : app->namespace);
		if (!job.namespace)
			goto oom;
	}
	if (!(job.branch = strdup(env->branch)))
		goto oom;
	at = &env->path_pos;
	if (!job.namespace && uses_namespace(env->path_template)) {
		error = diag_set(d, DIAG_EINVALID, "path template '%s' uses {namespace}, but the "
				 "app has no namespace here (set 'namespace' in the app or in its "
				 "environment)", env->path_template);
		goto fail;
	}
	if ((error = config_path_expand(&b, env->path_template, env->name, app->name,
					job.namespace, job.release_name, d)) < 0)
		goto fail;
	if (!(job.path = strdup(b.ptr)))
		goto oom;
	/* values files: the environment's (already resolved), the app's, the
	 * app's for this environment */
	for (size_t i = 0; app->kind == CONFIG_SOURCE_CHART && i < env->values_files.n; i++)
		if (list_push_at(&job.values_files, env->values_files.items[i],
				 list_pos(&env->values_files, i)) < 0)
			goto oom;
	if ((error = add_values(&job.values_files, cfg, &app->values_files, env->name,
				app->name, 1, &at, d)) < 0 ||
	    (ae && (error = add_values(&job.values_files, cfg, &ae->values_files, env->name,
				       app->name, 1, &at, d)) < 0))
		goto fail;
	if ((error = add_set(&job, app->set, app->nset, vars, nvars, &at, d)) < 0 ||
	    (ae && (error = add_set(&job, ae->set, ae->nset, vars, nvars, &at, d)) < 0))
		goto fail;
	*out = job;
	memset(&job, 0, sizeof(job));
	goto done;
oom:
	error = diag_set(d, DIAG_ENOMEM, "out of memory");
	at = NULL;
fail:
	if (error != DIAG_ENOMEM && d) {
		char *msg = buf_detach(&d->msg, NULL);
		config_error_at(d, cfg, at, error, "app '%s' in environment '%s': %s", app->name,
				env->name, msg ? msg : "");
		free(msg);
	} else {
		diag_prefix(d, "app '%s' in environment '%s'", app->name, env->name);
	}
done:
	config_job_release(&job);
	config_kv_free(vars, nvars);
	list_free(&src);
	list_free(&one);
	buf_release(&b);
	return error;
}
