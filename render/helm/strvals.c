/*
 * --set parsing. See strvals.h; the Go original is Helm v4.1.4
 * pkg/strvals/parser.go.
 */
#include "render/helm/strvals.h"
#include "render/helm/helm_int.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/srcfile.h"
#include "render/tmpl/tmpl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STRVALS_MAX_INDEX 65536
#define STRVALS_MAX_NESTED 30

/* A result that is not an error but ends the input (Go's io.EOF). */
#define S_EOF 1

struct sp {
	const char *s;
	size_t pos, n;
	enum helm_strvals_mode mode;
	struct diag *d;
	int failed;              /* S_typed failed with d set */
	struct buf tok;
};

/* runesUntil: tok gets the text, *last the stop char; S_EOF at the end. */
static int S_until(struct sp *p, const char *stop, char *last)
{
	buf_reset(&p->tok);
	*last = 0;
	while (p->pos < p->n) {
		char c = p->s[p->pos++];
		if (strchr(stop, c) && c) {
			*last = c;
			return 0;
		}
		if (c == '\\' && p->mode != HELM_STRVALS_LITERAL) {
			if (p->pos >= p->n)
				return S_EOF;
			c = p->s[p->pos++];
		}
		buf_addch(&p->tok, c);
	}
	return S_EOF;
}

/* "PREFIX \"Q\"SUFFIX" with q quoted as Go's %q does. */
static int S_err(struct sp *p, const char *prefix, const char *q, const char *suffix)
{
	struct buf b = BUF_INIT;

	tmpl_quote(&b, q, strlen(q));
	diag_set(p->d, DIAG_EPARSE, "%s%s%s", prefix, b.ptr, suffix);
	buf_release(&b);
	return DIAG_EPARSE;
}

/* --set-file: the value names a file whose text becomes the string. */
static json_t *S_file_value(struct sp *p, const char *path)
{
	struct srcfile src = SRCFILE_INIT;
	json_t *v;

	if (helm__is_remote(path)) {
		diag_set(p->d, DIAG_EINVALID, "%s: hydrate renders offline and does not download "
			 "--set-file files; fetch it and pass the local file", path);
		p->failed = 1;
		return NULL;
	}
	if (srcfile_read(&src, helm__read_path(path), p->d) < 0) {
		p->failed = 1;
		return NULL;
	}
	v = json_stringn(src.data, src.len);
	srcfile_release(&src);
	return v;
}

static json_t *S_typed(struct sp *p, const char *v, size_t len)
{
	if (p->mode == HELM_STRVALS_FILE)
		return S_file_value(p, v);
	if (p->mode != HELM_STRVALS_TYPED)
		return json_stringn(v, len);
	if (strcasecmp(v, "true") == 0)
		return json_true();
	if (strcasecmp(v, "false") == 0)
		return json_false();
	if (strcasecmp(v, "null") == 0)
		return json_null();
	if (strcmp(v, "0") == 0)
		return json_integer(0);
	if (len && v[0] != '0' && strlen(v) == len) {
		char *end;
		long long i;
		const char *q = v;
		if (*q == '+' || *q == '-')
			q++;
		if (*q >= '0' && *q <= '9') {
			errno = 0;
			i = strtoll(v, &end, 10);
			if (errno == 0 && *end == '\0')
				return json_integer(i);
		}
	}
	return json_stringn(v, len);
}

static int S_set(json_t *data, const char *key, json_t *val)
{
	if (!val)
		return DIAG_ENOMEM;   /* or S_typed failed: see sp.failed */
	if (!*key) {
		json_decref(val);
		return 0;
	}
	return json_object_set_new(data, key, val) < 0 ? DIAG_ENOMEM : 0;
}

/* emptyVal: blanks, then the end or a ',' (consumed): 1; else 0. */
static int S_empty_val(struct sp *p)
{
	while (p->pos < p->n) {
		char c = p->s[p->pos];
		if (c == ',') {
			p->pos++;
			return 1;
		}
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f')
			return 0;
		p->pos++;
	}
	return 1;
}

static int S_reals(json_t *j, int depth)
{
	const char *k;
	json_t *v;
	size_t i;

	if (depth > 1000)
		return DIAG_ELIMIT;
	if (json_is_object(j)) {
		json_object_foreach(j, k, v) {
			if (json_is_integer(v))
				json_object_set_new(j, k, json_real((double)json_integer_value(v)));
			else if (S_reals(v, depth + 1) < 0)
				return DIAG_ELIMIT;
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if (json_is_integer(v))
				json_array_set_new(j, i, json_real((double)json_integer_value(v)));
			else if (S_reals(v, depth + 1) < 0)
				return DIAG_ELIMIT;
		}
	}
	return 0;
}

/* --set-json: one JSON value (numbers are Go float64), or null when empty. */
static int S_json_val(struct sp *p, json_t **out)
{
	json_error_t je;
	json_t *v;

	*out = NULL;
	if (S_empty_val(p)) {
		*out = json_null();
		return 0;
	}
	v = json_loadb(p->s + p->pos, p->n - p->pos, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK |
		       JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
	if (!v) {
		diag_set(p->d, DIAG_EPARSE, "%s", je.text);
		return DIAG_EPARSE;
	}
	if (S_reals(v, 0) < 0) {
		json_decref(v);
		diag_set(p->d, DIAG_ELIMIT, "JSON nested too deeply");
		return DIAG_ELIMIT;
	}
	p->pos += je.position;
	S_empty_val(p);
	*out = v;
	return 0;
}

/* valList: 0 and *out a list; S_EOF; 2 (not a list); or an error. */
static int S_val_list(struct sp *p, json_t **out)
{
	json_t *list;
	char last;
	int r;

	*out = NULL;
	if (p->pos >= p->n)
		return S_EOF;
	if (p->s[p->pos] != '{')
		return 2;
	p->pos++;
	if (!(list = json_array()))
		return DIAG_ENOMEM;
	for (;;) {
		r = S_until(p, ",}", &last);
		if (r == S_EOF) {
			json_decref(list);
			diag_set(p->d, DIAG_EPARSE, "list must terminate with '}'");
			return DIAG_EPARSE;
		}
		if (json_array_append_new(list, S_typed(p, p->tok.ptr, p->tok.len)) < 0) {
			json_decref(list);
			return p->failed ? DIAG_EPARSE : DIAG_ENOMEM;
		}
		if (last == '}') {
			if (p->pos < p->n && p->s[p->pos] == ',')
				p->pos++;
			*out = list;
			return 0;
		}
	}
}

static int S_key_index(struct sp *p, long *out)
{
	char last, *end;
	long i;
	int r = S_until(p, "]", &last);

	if (r == S_EOF) {
		diag_set(p->d, DIAG_EPARSE, "error parsing index: EOF");
		return DIAG_EPARSE;
	}
	errno = 0;
	i = strtol(p->tok.ptr, &end, 10);
	if (p->tok.len == 0 || *end || errno) {
		struct buf q = BUF_INIT;
		tmpl_quote(&q, p->tok.ptr, p->tok.len);
		diag_set(p->d, DIAG_EPARSE, "error parsing index: strconv.Atoi: parsing %s: %s",
			 q.ptr, errno ? "value out of range" : "invalid syntax");
		buf_release(&q);
		return DIAG_EPARSE;
	}
	*out = i;
	return 0;
}

static int S_set_index(struct sp *p, json_t *list, long i, json_t *val)
{
	if (!val)
		return DIAG_ENOMEM;
	if (i < 0) {
		json_decref(val);
		diag_set(p->d, DIAG_EPARSE, "negative %ld index not allowed", i);
		return DIAG_EPARSE;
	}
	if (i > STRVALS_MAX_INDEX) {
		json_decref(val);
		diag_set(p->d, DIAG_EPARSE, "index of %ld is greater than maximum supported index of %d",
			 i, STRVALS_MAX_INDEX);
		return DIAG_EPARSE;
	}
	while (json_array_size(list) <= (size_t)i)
		if (json_array_append_new(list, json_null()) < 0) {
			json_decref(val);
			return DIAG_ENOMEM;
		}
	return json_array_set_new(list, (size_t)i, val) < 0 ? DIAG_ENOMEM : 0;
}

static const char *S_go_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "map[string]interface {}";
	case JSON_ARRAY: return "[]interface {}";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int64";
	case JSON_REAL: return "float64";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	default: return "nil";
	}
}

/* --set-literal: the rest of the input is the value, as it is. */
static json_t *S_literal_rest(struct sp *p)
{
	json_t *v = json_stringn(p->s + p->pos, p->n - p->pos);

	p->pos = p->n;
	return v;
}

static int S_key(struct sp *p, json_t *data, int level);

static int S_list_item(struct sp *p, json_t *list, long i, int level)
{
	char last;
	int r;

	if (i < 0) {
		diag_set(p->d, DIAG_EPARSE, "negative %ld index not allowed", i);
		return DIAG_EPARSE;
	}
	r = S_until(p, "[.=", &last);
	if (p->tok.len > 0)
		return S_err(p, "unexpected data at end of array index: ", p->tok.ptr, "");
	if (r == S_EOF)
		return S_EOF;
	if (last == '=') {
		json_t *vl = NULL;
		if (p->mode == HELM_STRVALS_LITERAL)
			return S_set_index(p, list, i, S_literal_rest(p));
		if (p->mode == HELM_STRVALS_JSON) {
			if ((r = S_json_val(p, &vl)) < 0)
				return r;
			return S_set_index(p, list, i, vl);
		}
		r = S_val_list(p, &vl);
		if (r == 0)
			return S_set_index(p, list, i, vl);
		if (r == S_EOF)
			return S_set_index(p, list, i, json_string(""));
		if (r != 2)
			return r;
		S_until(p, ",", &last);
		{
			json_t *tv = S_typed(p, p->tok.ptr, p->tok.len);
			if (!tv)
				return p->failed ? DIAG_EPARSE : DIAG_ENOMEM;
			return S_set_index(p, list, i, tv);
		}
	}
	if (last == '[') {
		long next;
		json_t *cur = NULL;
		if ((r = S_key_index(p, &next)) < 0)
			return r;
		if (json_array_size(list) > (size_t)i && !json_is_null(json_array_get(list, (size_t)i))) {
			cur = json_array_get(list, (size_t)i);
			if (!json_is_array(cur)) {
				diag_set(p->d, DIAG_EPARSE, "unable to parse key: interface conversion: "
					 "interface {} is %s, not []interface {}", S_go_type(cur));
				return DIAG_EPARSE;
			}
			json_incref(cur);
		} else if (!(cur = json_array())) {
			return DIAG_ENOMEM;
		}
		r = S_list_item(p, cur, next, level);
		if (r < 0) {
			json_decref(cur);
			return r;
		}
		return S_set_index(p, list, i, cur);
	}
	{
		/* '.' */
		json_t *inner = NULL;
		if (json_array_size(list) > (size_t)i &&
		    json_is_object(json_array_get(list, (size_t)i)))
			inner = json_incref(json_array_get(list, (size_t)i));
		else if (!(inner = json_object()))
			return DIAG_ENOMEM;
		r = S_key(p, inner, level);
		if (r != 0) {
			json_decref(inner);
			return r;
		}
		return S_set_index(p, list, i, inner);
	}
}

static int S_key(struct sp *p, json_t *data, int level)
{
	char last;
	int r = S_until(p, p->mode == HELM_STRVALS_LITERAL ? "=[." : "=[,.", &last);
	char *k;

	if (r == S_EOF) {
		if (p->tok.len == 0)
			return S_EOF;
		return S_err(p, "key ", p->tok.ptr, " has no value");
	}
	k = strndup(p->tok.ptr, p->tok.len);
	if (!k)
		return DIAG_ENOMEM;
	if (last == '[') {
		long i;
		json_t *list = json_object_get(data, k);
		if ((r = S_key_index(p, &i)) < 0)
			goto done;
		if (list && !json_is_array(list)) {
			diag_set(p->d, DIAG_EPARSE, "unable to parse key: interface conversion: "
				 "interface {} is %s, not []interface {}", S_go_type(list));
			r = DIAG_EPARSE;
			goto done;
		}
		list = list ? json_incref(list) : json_array();
		if (!list) {
			r = DIAG_ENOMEM;
			goto done;
		}
		r = S_list_item(p, list, i, level);
		if (r >= 0 && S_set(data, k, list) < 0)
			r = DIAG_ENOMEM;
		else if (r < 0)
			json_decref(list);
	} else if (last == '=' && p->mode == HELM_STRVALS_LITERAL) {
		r = S_set(data, k, S_literal_rest(p));
	} else if (last == '=' && p->mode == HELM_STRVALS_JSON) {
		json_t *vl = NULL;
		if ((r = S_json_val(p, &vl)) == 0)
			r = S_set(data, k, vl);
	} else if (last == '=') {
		json_t *vl = NULL;
		r = S_val_list(p, &vl);
		if (r == 0) {
			r = S_set(data, k, vl);
		} else if (r == S_EOF) {
			if (S_set(data, k, json_string("")) < 0)
				r = DIAG_ENOMEM;
		} else if (r == 2) {
			r = S_until(p, ",", &last);
			{
				json_t *tv = S_typed(p, p->tok.ptr, p->tok.len);
				if (!tv)
					r = p->failed ? DIAG_EPARSE : DIAG_ENOMEM;
				else if (S_set(data, k, tv) < 0)
					r = DIAG_ENOMEM;
			}
		}
	} else if (last == ',') {
		S_set(data, k, json_string(""));
		r = S_err(p, "key ", k, " has no value (cannot end with ,)");
	} else {
		json_t *inner = json_object_get(data, k);
		if (++level > STRVALS_MAX_NESTED) {
			diag_set(p->d, DIAG_EPARSE, "value name nested level is greater than maximum "
				 "supported nested level of %d", STRVALS_MAX_NESTED);
			r = DIAG_EPARSE;
			goto done;
		}
		if (inner && !json_is_object(inner)) {
			diag_set(p->d, DIAG_EPARSE, "unable to parse key: interface conversion: "
				 "interface {} is %s, not map[string]interface {}", S_go_type(inner));
			r = DIAG_EPARSE;
			goto done;
		}
		inner = inner ? json_incref(inner) : json_object();
		if (!inner) {
			r = DIAG_ENOMEM;
			goto done;
		}
		r = S_key(p, inner, level);
		if (r == 0 && json_object_size(inner) == 0) {
			json_decref(inner);
			r = S_err(p, "key map ", k, " has no value");
			goto done;
		}
		if (json_object_size(inner) != 0 && r >= 0) {
			if (S_set(data, k, inner) < 0)
				r = DIAG_ENOMEM;
		} else {
			json_decref(inner);
		}
	}
done:
	free(k);
	return r;
}

int helm_strvals_parse_into(json_t *dest, const char *s, enum helm_strvals_mode mode,
			    struct diag *d)
{
	struct sp p = { s, 0, strlen(s), mode, d, 0, BUF_INIT };
	int r;

	for (;;) {
		r = S_key(&p, dest, 0);
		if (r == 0)
			continue;
		break;
	}
	buf_release(&p.tok);
	if (r == S_EOF)
		return 0;
	if (r == DIAG_ENOMEM)
		diag_set(d, r, "out of memory");
	return r;
}
