/*
 * A JSON Schema validator for values.schema.json: the keywords and error
 * texts of santhosh-tekuri/jsonschema v6 (validator.go, kind/kind.go,
 * output.go) that Helm 4.1.4 uses. See schema.h.
 */
#include "render/helm/schema.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/gofloat.h"
#include "render/helm/chart.h"
#include "render/tmpl/sprig_regex_util.h"
#include "render/tmpl/tmpl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_MAX_DEPTH 200

/* One error of the tree output.go prints. */
struct snode {
	char *iloc;              /* JSON pointer of the instance */
	char *msg;
	int is_ref;              /* kind.Reference: skipped when it has one cause */
	struct snode **kids;
	size_t nkids;
};

struct sctx {
	json_t *root;            /* the schema document */
	int draft;               /* 4, 6, 7, 2019, 2020 */
	int oom;
	int depth;
};

static void S_node_free(struct snode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		S_node_free(n->kids[i]);
	free(n->kids);
	free(n->iloc);
	free(n->msg);
	free(n);
}

static struct snode *S_node(struct sctx *cx, const char *iloc, struct buf *msg)
{
	struct snode *n = calloc(1, sizeof(*n));

	if (!n || buf_oom(msg) || !(n->iloc = strdup(iloc)) ||
	    !(n->msg = strndup(msg->ptr, msg->len))) {
		cx->oom = 1;
		S_node_free(n);
		buf_release(msg);
		return NULL;
	}
	buf_release(msg);
	return n;
}

static struct snode *S_node_s(struct sctx *cx, const char *iloc, const char *text)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, text);
	return S_node(cx, iloc, &b);
}

static void S_add_kid(struct sctx *cx, struct snode *parent, struct snode *kid)
{
	struct snode **nk;

	if (!kid)
		return;
	nk = realloc(parent->kids, (parent->nkids + 1) * sizeof(*nk));
	if (!nk) {
		cx->oom = 1;
		S_node_free(kid);
		return;
	}
	parent->kids = nk;
	parent->kids[parent->nkids++] = kid;
}

/* errors collected by one validator */
struct serrs {
	struct snode **v;
	size_t n;
};

static void S_errs_add(struct sctx *cx, struct serrs *e, struct snode *n)
{
	struct snode **nv;

	if (!n)
		return;
	nv = realloc(e->v, (e->n + 1) * sizeof(*nv));
	if (!nv) {
		cx->oom = 1;
		S_node_free(n);
		return;
	}
	e->v = nv;
	e->v[e->n++] = n;
}

static void S_errs_free(struct serrs *e)
{
	for (size_t i = 0; i < e->n; i++)
		S_node_free(e->v[i]);
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* kind.go quote(): Go's %q, then \" -> ", ' -> \', in single quotes. */
static void S_quote(struct buf *out, const char *s, size_t len)
{
	struct buf q = BUF_INIT;

	tmpl_quote(&q, s, len);
	buf_addch(out, '\'');
	for (size_t i = 1; i + 1 < q.len; i++) {
		if (q.ptr[i] == '\\' && q.ptr[i + 1] == '"' && i + 2 < q.len) {
			buf_addch(out, '"');
			i++;
		} else if (q.ptr[i] == '\\') {
			buf_addch(out, '\\');
			buf_addch(out, q.ptr[++i]);
		} else if (q.ptr[i] == '\'') {
			buf_adds(out, "\\'");
		} else {
			buf_addch(out, q.ptr[i]);
		}
	}
	buf_addch(out, '\'');
	buf_release(&q);
}

static void S_float(struct buf *out, double f)
{
	gofloat_format(out, f, 'g', -1, 64);
}

/* kind.go display(): a primitive as %v, strings quoted. */
static void S_display(struct buf *out, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		S_quote(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		buf_addf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		S_float(out, json_real_value(v));
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
	default:
		buf_adds(out, "value");
	}
}

static const char *S_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL: return "null";
	case JSON_TRUE: case JSON_FALSE: return "boolean";
	case JSON_INTEGER: case JSON_REAL: return "number";
	case JSON_STRING: return "string";
	case JSON_ARRAY: return "array";
	default: return "object";
	}
}

static int S_is_integer(const json_t *v)
{
	double f;

	if (json_is_integer(v))
		return 1;
	if (!json_is_real(v))
		return 0;
	f = json_real_value(v);
	return isfinite(f) && f == floor(f);
}

/* jsonschema's equals(): numbers by value, objects and arrays deeply. */
static int S_equal(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!S_equal(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)a, k, v) {
			json_t *w = json_object_get(b, k);
			if (!w || !S_equal(v, w))
				return 0;
		}
		return 1;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

/* Resolves a local "#/a/b" reference (JSON pointer, %-escapes); NULL if not. */
static json_t *S_resolve(struct sctx *cx, const char *ref)
{
	json_t *cur = cx->root;
	const char *p;
	struct buf tok = BUF_INIT;

	if (ref[0] != '#')
		return NULL;
	p = ref + 1;
	if (*p == '\0')
		return cx->root;
	if (*p != '/')
		return NULL;
	while (*p == '/' && cur) {
		p++;
		buf_reset(&tok);
		while (*p && *p != '/') {
			if (*p == '~' && p[1] == '0') {
				buf_addch(&tok, '~');
				p += 2;
			} else if (*p == '~' && p[1] == '1') {
				buf_addch(&tok, '/');
				p += 2;
			} else if (*p == '%' && p[1] && p[2]) {
				char hex[3] = { p[1], p[2], 0 };
				buf_addch(&tok, (char)strtol(hex, NULL, 16));
				p += 3;
			} else {
				buf_addch(&tok, *p++);
			}
		}
		if (json_is_object(cur)) {
			cur = json_object_get(cur, tok.ptr);
		} else if (json_is_array(cur)) {
			char *end;
			long i = strtol(tok.ptr, &end, 10);
			cur = (*end || i < 0) ? NULL : json_array_get(cur, (size_t)i);
		} else {
			cur = NULL;
		}
	}
	buf_release(&tok);
	return cur;
}

static struct snode *S_validate(struct sctx *cx, json_t *s, json_t *v, const char *iloc);

/* A child instance location: iloc + "/" + escaped token. */
static char *S_child_loc(const char *iloc, const char *tok)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, iloc);
	buf_addch(&b, '/');
	for (; *tok; tok++) {
		if (*tok == '~')
			buf_adds(&b, "~0");
		else if (*tok == '/')
			buf_adds(&b, "~1");
		else
			buf_addch(&b, *tok);
	}
	if (buf_oom(&b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static struct snode *S_validate_at(struct sctx *cx, json_t *s, json_t *v, const char *iloc,
				   const char *tok)
{
	char *loc = S_child_loc(iloc, tok);
	struct snode *n;

	if (!loc) {
		cx->oom = 1;
		return NULL;
	}
	n = S_validate(cx, s, v, loc);
	free(loc);
	return n;
}

static int S_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void S_obj(struct sctx *cx, struct serrs *errs, json_t *s, json_t *obj, const char *iloc)
{
	json_t *req = json_object_get(s, "required"), *props = json_object_get(s, "properties");
	json_t *pprops = json_object_get(s, "patternProperties");
	json_t *addl = json_object_get(s, "additionalProperties"), *e, *mn, *mx;
	const char **keys = NULL, *k;
	size_t nk = 0, i;
	struct buf extra = BUF_INIT;
	size_t nextra = 0;

	mn = json_object_get(s, "minProperties");
	mx = json_object_get(s, "maxProperties");
	if (json_is_number(mn) && json_object_size(obj) < (size_t)json_number_value(mn)) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "minProperties: got %zu, want %lld", json_object_size(obj),
			 (long long)json_number_value(mn));
		S_errs_add(cx, errs, S_node(cx, iloc, &m));
	}
	if (json_is_number(mx) && json_object_size(obj) > (size_t)json_number_value(mx)) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "maxProperties: got %zu, want %lld", json_object_size(obj),
			 (long long)json_number_value(mx));
		S_errs_add(cx, errs, S_node(cx, iloc, &m));
	}
	if (json_is_array(req)) {
		struct buf m = BUF_INIT;
		size_t missing = 0;
		json_array_foreach(req, i, e) {
			if (!json_is_string(e) || json_object_get(obj, json_string_value(e)))
				continue;
			if (missing++)
				buf_adds(&m, ", ");
			S_quote(&m, json_string_value(e), json_string_length(e));
		}
		if (missing) {
			struct buf full = BUF_INIT;
			buf_addf(&full, "missing propert%s %s", missing == 1 ? "y" : "ies", m.ptr);
			S_errs_add(cx, errs, S_node(cx, iloc, &full));
		}
		buf_release(&m);
	}
	if (json_object_size(obj) && !(keys = calloc(json_object_size(obj), sizeof(*keys)))) {
		cx->oom = 1;
		return;
	}
	json_object_foreach(obj, k, e)
		keys[nk++] = k;
	if (nk)
		qsort(keys, nk, sizeof(*keys), S_cmp_str);
	for (i = 0; i < nk; i++) {
		json_t *pv = json_object_get(obj, keys[i]), *ps;
		int evaluated = 0;
		const char *re;
		json_t *rs;

		ps = json_is_object(props) ? json_object_get(props, keys[i]) : NULL;
		if (ps) {
			evaluated = 1;
			S_errs_add(cx, errs, S_validate_at(cx, ps, pv, iloc, keys[i]));
		}
		json_object_foreach(pprops, re, rs) {
			struct sre *rx = NULL;
			struct sre_subject sub;
			ssize_t ovec[64];
			int m = 0;
			if (sre_compile(&rx, re, strlen(re), NULL) < 0)
				continue;
			if (sre_ncap(rx) < 31 && sre_subject_init(&sub, keys[i], strlen(keys[i])) == 0) {
				m = sre_exec(rx, &sub, 0, ovec, NULL) == 1;
				sre_subject_release(&sub);
			}
			sre_free(rx);
			if (m) {
				evaluated = 1;
				S_errs_add(cx, errs, S_validate_at(cx, rs, pv, iloc, keys[i]));
			}
		}
		if (!evaluated && addl) {
			if (json_is_false(addl)) {
				if (nextra++)
					buf_adds(&extra, ", ");
				S_quote(&extra, keys[i], strlen(keys[i]));
			} else if (json_is_object(addl)) {
				S_errs_add(cx, errs, S_validate_at(cx, addl, pv, iloc, keys[i]));
			}
		}
	}
	if (nextra) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "additional properties %s not allowed", extra.ptr);
		S_errs_add(cx, errs, S_node(cx, iloc, &m));
	}
	buf_release(&extra);
	free(keys);
}

static void S_arr(struct sctx *cx, struct serrs *errs, json_t *s, json_t *arr, const char *iloc)
{
	json_t *mn = json_object_get(s, "minItems"), *mx = json_object_get(s, "maxItems");
	json_t *items = json_object_get(s, "items"), *prefix = json_object_get(s, "prefixItems");
	json_t *addl = json_object_get(s, "additionalItems");
	size_t n = json_array_size(arr), i, evaluated = 0;
	char tok[32];

	if (json_is_number(mn) && n < (size_t)json_number_value(mn)) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "minItems: got %zu, want %lld", n, (long long)json_number_value(mn));
		S_errs_add(cx, errs, S_node(cx, iloc, &m));
	}
	if (json_is_number(mx) && n > (size_t)json_number_value(mx)) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "maxItems: got %zu, want %lld", n, (long long)json_number_value(mx));
		S_errs_add(cx, errs, S_node(cx, iloc, &m));
	}
	if (cx->draft < 2020) {
		if (json_is_array(items)) {
			evaluated = n < json_array_size(items) ? n : json_array_size(items);
			for (i = 0; i < evaluated; i++) {
				snprintf(tok, sizeof(tok), "%zu", i);
				S_errs_add(cx, errs, S_validate_at(cx, json_array_get(items, i),
								   json_array_get(arr, i), iloc, tok));
			}
		} else if (items) {
			for (i = 0; i < n; i++) {
				snprintf(tok, sizeof(tok), "%zu", i);
				S_errs_add(cx, errs, S_validate_at(cx, items, json_array_get(arr, i),
								   iloc, tok));
			}
			evaluated = n;
		}
		if (json_is_false(addl) && evaluated != n) {
			struct buf m = BUF_INIT;
			buf_addf(&m, "last %zu additionalItem(s) not allowed", n - evaluated);
			S_errs_add(cx, errs, S_node(cx, iloc, &m));
		} else if (json_is_object(addl)) {
			/* jsonschema numbers these from 0 again */
			for (i = evaluated; i < n; i++) {
				snprintf(tok, sizeof(tok), "%zu", i - evaluated);
				S_errs_add(cx, errs, S_validate_at(cx, addl, json_array_get(arr, i),
								   iloc, tok));
			}
		}
	} else {
		evaluated = json_is_array(prefix) ? json_array_size(prefix) : 0;
		if (evaluated > n)
			evaluated = n;
		for (i = 0; i < evaluated; i++) {
			snprintf(tok, sizeof(tok), "%zu", i);
			S_errs_add(cx, errs, S_validate_at(cx, json_array_get(prefix, i),
							   json_array_get(arr, i), iloc, tok));
		}
		if (items && !json_is_array(items)) {
			for (i = evaluated; i < n; i++) {
				snprintf(tok, sizeof(tok), "%zu", i - evaluated);
				S_errs_add(cx, errs, S_validate_at(cx, items, json_array_get(arr, i),
								   iloc, tok));
			}
		}
	}
}

static size_t S_rune_count(const char *s, size_t len)
{
	size_t n = 0, i = 0, w;

	while (i < len) {
		w = sre_rune_width((const unsigned char *)s + i, len - i);
		i += w ? w : 1;
		n++;
	}
	return n;
}

static void S_str(struct sctx *cx, struct serrs *errs, json_t *s, json_t *str, const char *iloc)
{
	json_t *mn = json_object_get(s, "minLength"), *mx = json_object_get(s, "maxLength");
	json_t *pat = json_object_get(s, "pattern");
	size_t len = json_string_length(str), runes = S_rune_count(json_string_value(str), len);

	if (json_is_number(mn) && runes < (size_t)json_number_value(mn)) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "minLength: got %zu, want %lld", runes, (long long)json_number_value(mn));
		S_errs_add(cx, errs, S_node(cx, iloc, &m));
	}
	if (json_is_number(mx) && runes > (size_t)json_number_value(mx)) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "maxLength: got %zu, want %lld", runes, (long long)json_number_value(mx));
		S_errs_add(cx, errs, S_node(cx, iloc, &m));
	}
	if (json_is_string(pat)) {
		struct sre *rx = NULL;
		struct sre_subject sub;
		ssize_t ovec[64];
		int m = 1;
		if (sre_compile(&rx, json_string_value(pat), json_string_length(pat), NULL) == 0) {
			if (sre_ncap(rx) < 31 &&
			    sre_subject_init(&sub, json_string_value(str), len) == 0) {
				m = sre_exec(rx, &sub, 0, ovec, NULL) == 1;
				sre_subject_release(&sub);
			}
			sre_free(rx);
		}
		if (!m) {
			struct buf b = BUF_INIT;
			S_quote(&b, json_string_value(str), len);
			buf_adds(&b, " does not match pattern ");
			S_quote(&b, json_string_value(pat), json_string_length(pat));
			S_errs_add(cx, errs, S_node(cx, iloc, &b));
		}
	}
}

static void S_num_err(struct sctx *cx, struct serrs *errs, const char *iloc, const char *what,
		      double got, double want)
{
	struct buf m = BUF_INIT;

	buf_addf(&m, "%s: got ", what);
	S_float(&m, got);
	buf_adds(&m, ", want ");
	S_float(&m, want);
	S_errs_add(cx, errs, S_node(cx, iloc, &m));
}

static void S_num(struct sctx *cx, struct serrs *errs, json_t *s, json_t *num, const char *iloc)
{
	double v = json_number_value(num);
	json_t *k;

	if (json_is_number(k = json_object_get(s, "minimum")) && v < json_number_value(k))
		S_num_err(cx, errs, iloc, "minimum", v, json_number_value(k));
	if (json_is_number(k = json_object_get(s, "maximum")) && v > json_number_value(k))
		S_num_err(cx, errs, iloc, "maximum", v, json_number_value(k));
	if (json_is_number(k = json_object_get(s, "exclusiveMinimum")) && v <= json_number_value(k))
		S_num_err(cx, errs, iloc, "exclusiveMinimum", v, json_number_value(k));
	if (json_is_number(k = json_object_get(s, "exclusiveMaximum")) && v >= json_number_value(k))
		S_num_err(cx, errs, iloc, "exclusiveMaximum", v, json_number_value(k));
	if (json_is_number(k = json_object_get(s, "multipleOf")) && json_number_value(k) > 0) {
		double q = v / json_number_value(k);
		if (q != floor(q))
			S_num_err(cx, errs, iloc, "multipleOf", v, json_number_value(k));
	}
}

/* A group node holding errs (taken), or the single error. */
static struct snode *S_group(struct sctx *cx, struct serrs *errs, const char *iloc,
			     const char *msg)
{
	struct snode *g;

	if (errs->n == 0)
		return NULL;
	if (!msg && errs->n == 1) {
		g = errs->v[0];
		free(errs->v);
		errs->v = NULL;
		errs->n = 0;
		return g;
	}
	g = S_node_s(cx, iloc, msg ? msg : "validation failed");
	if (!g) {
		S_errs_free(errs);
		return NULL;
	}
	g->kids = errs->v;
	g->nkids = errs->n;
	errs->v = NULL;
	errs->n = 0;
	return g;
}

static void S_cond(struct sctx *cx, struct serrs *errs, json_t *s, json_t *v, const char *iloc)
{
	json_t *k, *sub;
	size_t i;

	if ((k = json_object_get(s, "not")) != NULL) {
		struct snode *n = S_validate(cx, k, v, iloc);
		if (!n)
			S_errs_add(cx, errs, S_node_s(cx, iloc, "not failed"));
		S_node_free(n);
	}
	if (json_array_size(k = json_object_get(s, "allOf")) > 0) {
		struct serrs sub_errs = { NULL, 0 };
		json_array_foreach(k, i, sub)
			S_errs_add(cx, &sub_errs, S_validate(cx, sub, v, iloc));
		S_errs_add(cx, errs, S_group(cx, &sub_errs, iloc, "allOf failed"));
	}
	if (json_array_size(k = json_object_get(s, "anyOf")) > 0) {
		struct serrs sub_errs = { NULL, 0 };
		int matched = 0;
		json_array_foreach(k, i, sub) {
			struct snode *n = S_validate(cx, sub, v, iloc);
			if (!n) {
				matched = 1;
				break;
			}
			S_errs_add(cx, &sub_errs, n);
		}
		if (matched)
			S_errs_free(&sub_errs);
		else
			S_errs_add(cx, errs, S_group(cx, &sub_errs, iloc, "anyOf failed"));
	}
	if (json_array_size(k = json_object_get(s, "oneOf")) > 0) {
		struct serrs sub_errs = { NULL, 0 };
		long matched = -1;
		json_array_foreach(k, i, sub) {
			struct snode *n = S_validate(cx, sub, v, iloc);
			if (n) {
				if (matched == -1)
					S_errs_add(cx, &sub_errs, n);
				else
					S_node_free(n);
			} else if (matched == -1) {
				matched = (long)i;
			} else {
				struct buf m = BUF_INIT;
				buf_addf(&m, "oneOf failed, subschemas %ld, %zu matched", matched, i);
				S_errs_add(cx, errs, S_node(cx, iloc, &m));
				break;
			}
		}
		if (matched == -1)
			S_errs_add(cx, errs, S_group(cx, &sub_errs, iloc, "oneOf failed, none matched"));
		else
			S_errs_free(&sub_errs);
	}
	if ((k = json_object_get(s, "if")) != NULL) {
		struct snode *n = S_validate(cx, k, v, iloc);
		json_t *branch = json_object_get(s, n ? "else" : "then");
		S_node_free(n);
		if (branch)
			S_errs_add(cx, errs, S_validate(cx, branch, v, iloc));
	}
}

static struct snode *S_validate(struct sctx *cx, json_t *s, json_t *v, const char *iloc)
{
	struct serrs errs = { NULL, 0 };
	struct snode *res = NULL;
	json_t *t, *k;

	if (cx->oom)
		return NULL;
	if (json_is_true(s))
		return NULL;
	if (json_is_false(s))
		return S_node_s(cx, iloc, "false schema");
	if (!json_is_object(s))
		return NULL;
	if (++cx->depth > SCHEMA_MAX_DEPTH) {
		cx->depth--;
		return S_node_s(cx, iloc, "schema nested too deeply");
	}
	/* type */
	t = json_object_get(s, "type");
	if (t) {
		static const char *const order[] = { "null", "boolean", "number", "integer",
			"string", "array", "object" };
		const char *got = S_type_name(v);
		int has[7] = { 0 }, any = 0, ok = 0;
		size_t i;
		json_t *e;
		if (json_is_string(t)) {
			for (i = 0; i < 7; i++)
				if (strcmp(json_string_value(t), order[i]) == 0)
					has[i] = any = 1;
		} else {
			json_array_foreach(t, i, e) {
				for (size_t j = 0; j < 7; j++)
					if (json_is_string(e) && strcmp(json_string_value(e), order[j]) == 0)
						has[j] = any = 1;
			}
		}
		for (i = 0; i < 7; i++)
			if (has[i] && strcmp(order[i], got) == 0)
				ok = 1;
		if (has[3] && json_is_number(v) && S_is_integer(v))
			ok = 1;
		if (any && !ok) {
			struct buf m = BUF_INIT;
			int first = 1;
			buf_addf(&m, "got %s, want ", got);
			for (i = 0; i < 7; i++) {
				if (!has[i])
					continue;
				if (!first)
					buf_adds(&m, " or ");
				buf_adds(&m, order[i]);
				first = 0;
			}
			res = S_node(cx, iloc, &m);
			goto done;
		}
	}
	/* const */
	if ((k = json_object_get(s, "const")) != NULL && !S_equal(v, k)) {
		struct buf m = BUF_INIT;
		if (json_is_array(k) || json_is_object(k)) {
			buf_adds(&m, "const failed");
		} else {
			buf_adds(&m, "value must be ");
			S_display(&m, k);
		}
		res = S_node(cx, iloc, &m);
		goto done;
	}
	/* enum */
	if (json_is_array(k = json_object_get(s, "enum"))) {
		size_t i;
		json_t *e;
		int matched = 0, prim = 1;
		json_array_foreach(k, i, e) {
			if (S_equal(v, e))
				matched = 1;
			if (json_is_array(e) || json_is_object(e))
				prim = 0;
		}
		if (!matched) {
			struct buf m = BUF_INIT;
			if (!prim) {
				buf_adds(&m, "enum failed");
			} else if (json_array_size(k) == 1) {
				buf_adds(&m, "value must be ");
				S_display(&m, json_array_get(k, 0));
			} else {
				buf_adds(&m, "value must be one of ");
				json_array_foreach(k, i, e) {
					if (i)
						buf_adds(&m, ", ");
					S_display(&m, e);
				}
			}
			res = S_node(cx, iloc, &m);
			goto done;
		}
	}
	/* $ref */
	if (json_is_string(k = json_object_get(s, "$ref"))) {
		json_t *target = S_resolve(cx, json_string_value(k));
		struct snode *n = target ? S_validate(cx, target, v, iloc) : NULL;
		if (n) {
			struct snode *r = S_node_s(cx, iloc, "validation failed");
			if (r) {
				r->is_ref = 1;
				if (n->nkids && strcmp(n->msg, "validation failed") == 0 && !n->is_ref) {
					r->kids = n->kids;
					r->nkids = n->nkids;
					n->kids = NULL;
					n->nkids = 0;
					S_node_free(n);
				} else {
					S_add_kid(cx, r, n);
				}
			} else {
				S_node_free(n);
			}
			n = r;
		}
		if (cx->draft < 2019) {
			res = n;
			goto done;
		}
		S_errs_add(cx, &errs, n);
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		S_obj(cx, &errs, s, v, iloc);
		break;
	case JSON_ARRAY:
		S_arr(cx, &errs, s, v, iloc);
		break;
	case JSON_STRING:
		S_str(cx, &errs, s, v, iloc);
		break;
	case JSON_INTEGER: case JSON_REAL:
		S_num(cx, &errs, s, v, iloc);
		break;
	default:
		break;
	}
	S_cond(cx, &errs, s, v, iloc);
	res = S_group(cx, &errs, iloc, NULL);
done:
	S_errs_free(&errs);
	cx->depth--;
	return res;
}

/* output.go display() */
static void S_print(struct buf *out, const struct snode *n, int indent)
{
	if (!(n->is_ref && n->nkids == 1)) {
		if (indent > 0) {
			buf_addch(out, '\n');
			for (int i = 0; i < indent - 1; i++)
				buf_adds(out, "  ");
			buf_adds(out, "- ");
		}
		indent++;
		buf_adds(out, "at ");
		S_quote(out, n->iloc, strlen(n->iloc));
		buf_adds(out, ": ");
		buf_adds(out, n->msg);
	}
	for (size_t i = 0; i < n->nkids; i++)
		S_print(out, n->kids[i], indent);
}

static int S_draft(json_t *schema)
{
	const char *s = json_string_value(json_object_get(schema, "$schema"));

	if (!s)
		return 2020;
	if (strstr(s, "draft-04"))
		return 4;
	if (strstr(s, "draft-06"))
		return 6;
	if (strstr(s, "draft-07"))
		return 7;
	if (strstr(s, "2019-09"))
		return 2019;
	return 2020;
}

int helm_schema_validate(struct buf *out, const char *schema, size_t len, json_t *values,
			 struct diag *d)
{
	json_error_t je;
	json_t *root = json_loadb(schema, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	struct sctx cx = { root, 0, 0, 0 };
	struct snode *n;
	struct buf tmp = BUF_INIT;

	if (!root)
		return diag_set(d, DIAG_EPARSE, "%s", je.text);
	cx.draft = S_draft(root);
	n = S_validate(&cx, root, values, "");
	json_decref(root);
	if (cx.oom) {
		S_node_free(n);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	if (!n)
		return 0;
	/* the root Schema error with the causes (a group's kids, flattened) */
	if (strcmp(n->msg, "validation failed") == 0 && !n->is_ref && n->nkids) {
		for (size_t i = 0; i < n->nkids; i++)
			S_print(&tmp, n->kids[i], 1);
	} else {
		S_print(&tmp, n, 1);
	}
	S_node_free(n);
	/* Helm trims "jsonschema validation failed with '...'\n" and adds "\n" */
	if (tmp.len && tmp.ptr[0] == '\n')
		buf_add(out, tmp.ptr + 1, tmp.len - 1);
	else
		buf_add(out, tmp.ptr, tmp.len);
	buf_addch(out, '\n');
	buf_release(&tmp);
	return buf_oom(out) ? diag_set(d, DIAG_ENOMEM, "out of memory") : 1;
}

static int S_validate_chart(struct buf *sb, const struct chart *c, json_t *values, int depth,
			    struct diag *d)
{
	int error;

	if (depth > 64)
		return diag_set(d, DIAG_ELIMIT, "subcharts nested too deeply");
	if (c->schema) {
		struct buf e = BUF_INIT;
		error = helm_schema_validate(&e, c->schema, c->schema_len, values, d);
		if (error < 0) {
			buf_release(&e);
			return error;
		}
		if (error == 1)
			buf_addf(sb, "%s:\n%s", c->name, e.ptr);
		buf_release(&e);
	}
	for (size_t i = 0; i < c->ndeps; i++) {
		json_t *raw = json_object_get(values, c->deps[i]->name);
		if (!raw || json_is_null(raw))
			continue;
		if (!json_is_object(raw)) {
			buf_addf(sb, "%s:\ninvalid type for values: expected object (map), got %s\n",
				 c->deps[i]->name, json_is_string(raw) ? "string" :
				 json_is_boolean(raw) ? "bool" : json_is_array(raw) ?
				 "[]interface {}" : "float64");
			continue;
		}
		if ((error = S_validate_chart(sb, c->deps[i], raw, depth + 1, d)) < 0)
			return error;
	}
	return 0;
}

int helm_schema_validate_chart(const struct chart *c, json_t *values, struct diag *d)
{
	struct buf sb = BUF_INIT;
	int error = S_validate_chart(&sb, c, values, 0, d);

	if (error == 0 && sb.len)
		error = diag_set(d, DIAG_EINVALID, "values don't meet the specifications of the "
				 "schema(s) in the following chart(s):\n%s", sb.ptr);
	else if (error == 0 && buf_oom(&sb))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	buf_release(&sb);
	return error;
}
