/*
 * The function registry and text/template's builtins (funcs.go): and, or,
 * not, len, index, slice, print, printf, println, html, js, urlquery,
 * call, eq, ne, lt, le, gt, ge.
 */
#include "render/tmpl/tmpl_int.h"

#include <stdlib.h>
#include <string.h>

struct tmpl_funcs {
	const struct tmpl_func **slots;
	size_t nslots, count;
};

static uint64_t fn_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int fn_put(struct tmpl_funcs *r, const struct tmpl_func *f)
{
	size_t i;

	if ((r->count + 1) * 2 > r->nslots) {
		size_t ns = r->nslots ? r->nslots * 2 : 512, k;  /* Sprig and Helm: ~250 */
		const struct tmpl_func **slots = calloc(ns, sizeof(*slots));
		if (!slots)
			return DIAG_ENOMEM;
		for (k = 0; k < r->nslots; k++) {
			if (r->slots[k]) {
				i = fn_hash(r->slots[k]->name) & (ns - 1);
				while (slots[i])
					i = (i + 1) & (ns - 1);
				slots[i] = r->slots[k];
			}
		}
		free(r->slots);
		r->slots = slots;
		r->nslots = ns;
	}
	i = fn_hash(f->name) & (r->nslots - 1);
	while (r->slots[i]) {
		if (strcmp(r->slots[i]->name, f->name) == 0) {
			r->slots[i] = f;
			return 0;
		}
		i = (i + 1) & (r->nslots - 1);
	}
	r->slots[i] = f;
	r->count++;
	return 0;
}

int tmpl_funcs_add(struct tmpl_funcs *r, const struct tmpl_func *table, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if ((rc = fn_put(r, &table[i])) < 0)
			return rc;
	return 0;
}

const struct tmpl_func *tmpl_funcs_find(const struct tmpl_funcs *r, const char *name)
{
	return tmpl_funcs_findn(r, name, strlen(name));
}

const struct tmpl_func *tmpl_funcs_findn(const struct tmpl_funcs *r, const char *name, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	if (!r || !r->nslots)
		return NULL;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ULL;
	i = h & (r->nslots - 1);
	while (r->slots[i]) {
		const char *k = r->slots[i]->name;

		if (strncmp(k, name, len) == 0 && k[len] == '\0')
			return r->slots[i];
		i = (i + 1) & (r->nslots - 1);
	}
	return NULL;
}

int tmpl_funcs_new(struct tmpl_funcs **out)
{
	struct tmpl_funcs *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return DIAG_ENOMEM;
	if ((rc = tmpl__builtins_add(r)) < 0) {
		tmpl_funcs_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void tmpl_funcs_free(struct tmpl_funcs *r)
{
	if (!r)
		return;
	free(r->slots);
	free(r);
}

/* ---- builtins */

static int fn_is_nilish(const struct tval *v)
{
	return v->kind == TV_INVALID || v->kind == TV_NIL;
}

static int fn_andor(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	/* only reached through call; the engine evaluates and/or lazily */
	int i, is_or = call->func->name[0] == 'o';

	for (i = 0; i < argc; i++) {
		if (tval_truth(&argv[i]) == is_or || i == argc - 1) {
			*out = tval_copy(&argv[i]);
			return 0;
		}
	}
	return 0;
}

static int fn_not(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	(void)call;
	(void)argc;
	*out = tval_bool(!tval_truth(&argv[0]));
	return 0;
}

static int fn_len_of(struct tval *out, struct tmpl_call *call, const struct tval *v);

/* A host object's data in *tmp if it has some (then v points there). */
static int fn_obj_data(struct tmpl_call *call, const struct tval **v, struct tval *tmp)
{
	int got = tval_obj_data(tmp, call->rt, *v);

	if (got < 0)
		return tmpl_call_errorf(call, "out of memory");
	if (got)
		*v = tmp;
	return 0;
}

static int fn_len(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct tval *v = &argv[0];
	struct tval tmp = TVAL_INIT;
	int rc;

	(void)argc;
	if ((rc = fn_obj_data(call, &v, &tmp)) < 0)
		return rc;
	rc = fn_len_of(out, call, v);
	tval_release(&tmp);
	return rc;
}

/* The type of v after Go's indirect() (len and index dereference a
 * pointer first: a *semver.Version is a semver.Version there). */
static const char *fn_indirect_type(const struct tval *v)
{
	const char *t = tval_type_name(v);

	return t[0] == '*' ? t + 1 : t;
}

static int fn_len_of(struct tval *out, struct tmpl_call *call, const struct tval *v)
{
	switch (v->kind) {
	case TV_INVALID:
		return tmpl_call_errorf(call, "reflect: call of reflect.Value.Type on zero Value");
	case TV_NIL:
		return tmpl_call_errorf(call, "len of nil pointer");
	case TV_STRING: case TV_BYTES:
		*out = tval_int((int64_t)json_string_length(v->u.j));
		return 0;
	case TV_LIST: case TV_STRLIST: case TV_INTLIST: case TV_LISTLIST:
		*out = tval_int((int64_t)json_array_size(v->u.j));
		return 0;
	case TV_MAP: case TV_VALUES: case TV_STRMAP:
		*out = tval_int((int64_t)json_object_size(v->u.j));
		return 0;
	default:
		return tmpl_call_errorf(call, "len of type %s", fn_indirect_type(v));
	}
}

static int fn_index_arg(struct tmpl_call *call, const struct tval *index, int64_t cap, int64_t *out)
{
	int64_t x;

	switch (index->kind) {
	case TV_INT: case TV_INT64: case TV_UINT8: case TV_UINT64: case TV_DURATION:
	case TV_MONTH: case TV_WEEKDAY:
		x = index->u.i;
		break;
	case TV_INVALID: case TV_NIL:
		return tmpl_call_errorf(call, "cannot index slice/array with nil");
	default:
		return tmpl_call_errorf(call, "cannot index slice/array with type %s",
					tval_type_name(index));
	}
	if (x < 0 || x > cap)
		return tmpl_call_errorf(call, "index out of range: %lld", (long long)x);
	*out = x;
	return 0;
}

static int fn_index(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct tval v = tval_copy(&argv[0]);
	int i, rc;

	if (fn_is_nilish(&v))
		return tmpl_call_errorf(call, "index of untyped nil");
	for (i = 1; i < argc; i++) {
		const struct tval *index = &argv[i];
		struct tval next, data;
		int64_t x = 0;
		int got = tval_obj_data(&data, call->rt, &v), bytemap = 0;

		if (got < 0) {
			rc = tmpl_call_errorf(call, "out of memory");
			goto fail;
		}
		if (got) {
			/* engine.files is a map[string][]byte: a missing key is a nil []byte */
			bytemap = data.kind == TV_MAP;
			tval_release(&v);
			v = data;
		}
		switch (v.kind) {
		case TV_LIST: case TV_STRLIST: case TV_INTLIST: case TV_LISTLIST:
			if ((rc = fn_index_arg(call, index, (int64_t)json_array_size(v.u.j), &x)) < 0)
				goto fail;
			if (x == (int64_t)json_array_size(v.u.j)) {
				rc = tmpl_call_errorf(call, "reflect: slice index out of range");
				goto fail;
			}
			next = tval_elem(call->rt, &v, json_array_get(v.u.j, (size_t)x));
			break;
		case TV_STRING: case TV_BYTES: {
			size_t n;
			const char *s = tval_str_ptr(&v, &n);
			if ((rc = fn_index_arg(call, index, (int64_t)n, &x)) < 0)
				goto fail;
			if (x == (int64_t)n) {
				rc = tmpl_call_errorf(call, v.kind == TV_STRING ? "reflect: string index out of range"
										 : "reflect: slice index out of range");
				goto fail;
			}
			next = tval_invalid();
			next.kind = TV_UINT8;
			next.u.i = (unsigned char)s[x];
			break;
		}
		case TV_MAP: case TV_VALUES: case TV_STRMAP: {
			json_t *e;
			if (fn_is_nilish(index)) {
				rc = tmpl_call_errorf(call, "value is nil; should be of type string");
				goto fail;
			}
			if (index->kind != TV_STRING) {
				rc = tmpl_call_errorf(call, "value has type %s; should be string",
						      tval_type_name(index));
				goto fail;
			}
			e = json_object_getn(v.u.j, json_string_value(index->u.j),
					     json_string_length(index->u.j));
			if (e)
				next = tval_from_json(call->rt, e);
			else if (v.kind == TV_STRMAP)
				next = tval_str(""); /* the element type's zero value */
			else if (bytemap)
				next = tval_bytes("", 0);
			else
				next = tval_nil();
			if (next.kind == TV_INVALID) {
				rc = DIAG_ENOMEM;
				goto fail;
			}
			break;
		}
		default:
			if (v.kind == TV_NIL) {
				rc = tmpl_call_errorf(call, "index of nil pointer");
				goto fail;
			}
			rc = tmpl_call_errorf(call, "can't index item of type %s", fn_indirect_type(&v));
			goto fail;
		}
		tval_release(&v);
		v = next;
		if (v.kind == TV_NIL && i + 1 < argc) {
			/* Go: the next round's indirect() of a nil interface */
			rc = tmpl_call_errorf(call, "index of nil pointer");
			goto fail;
		}
	}
	*out = v;
	return 0;
fail:
	tval_release(&v);
	return rc;
}

static int fn_slice_of(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv,
		       const struct tval *v);

static int fn_slice(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct tval *v = &argv[0];
	int rc;

	struct tval tmp = TVAL_INIT;

	if (fn_is_nilish(v))
		return tmpl_call_errorf(call, "slice of untyped nil");
	if ((rc = fn_obj_data(call, &v, &tmp)) < 0)
		return rc;
	rc = fn_slice_of(out, call, argc, argv, v);
	tval_release(&tmp);
	return rc;
}

static int fn_slice_of(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv,
		       const struct tval *v)
{
	int64_t cap, len, idx[3];
	int nidx = argc - 1, i, rc;

	if (nidx > 3)
		return tmpl_call_errorf(call, "too many slice indexes: %d", nidx);
	switch (v->kind) {
	case TV_STRING:
		if (nidx == 3)
			return tmpl_call_errorf(call, "cannot 3-index slice a string");
		cap = len = (int64_t)json_string_length(v->u.j);
		break;
	case TV_BYTES:
		cap = len = (int64_t)json_string_length(v->u.j);
		break;
	case TV_LIST: case TV_STRLIST: case TV_INTLIST: case TV_LISTLIST:
		cap = len = (int64_t)json_array_size(v->u.j);
		break;
	default:
		return tmpl_call_errorf(call, "can't slice item of type %s", tval_type_name(v));
	}
	idx[0] = 0;
	idx[1] = len;
	idx[2] = cap;
	for (i = 0; i < nidx; i++)
		if ((rc = fn_index_arg(call, &argv[1 + i], cap, &idx[i])) < 0)
			return rc;
	if (idx[0] > idx[1])
		return tmpl_call_errorf(call, "invalid slice index: %lld > %lld", (long long)idx[0],
					(long long)idx[1]);
	if (nidx == 3 && idx[1] > idx[2])
		return tmpl_call_errorf(call, "invalid slice index: %lld > %lld", (long long)idx[1],
					(long long)idx[2]);
	if (v->kind == TV_STRING || v->kind == TV_BYTES) {
		const char *s = json_string_value(v->u.j);
		*out = v->kind == TV_STRING ? tval_strn(s + idx[0], (size_t)(idx[1] - idx[0]))
					    : tval_bytes(s + idx[0], (size_t)(idx[1] - idx[0]));
	} else {
		json_t *a = json_array();
		int64_t k;
		if (!a)
			return DIAG_ENOMEM;
		for (k = idx[0]; k < idx[1]; k++)
			json_array_append(a, json_array_get(v->u.j, (size_t)k));
		*out = tval_json_new(v->kind, a);
	}
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static int fn_too_big(struct tmpl_call *call, struct buf *b)
{
	size_t max = b->max;

	buf_release(b);
	tmpl_call_errorf(call, "output exceeded %zu bytes", max);
	return DIAG_ELIMIT;
}

static int fn_print(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	b.max = call->rt ? call->rt->lim.max_output : 0;

	if (call->func->name[5] == 'f') {
		size_t n;
		const char *f = tval_str_ptr(&argv[0], &n);
		rc = tmpl_sprintf(&b, call->rt, f, n, argc - 1, argv + 1);
	} else if (call->func->name[5] == 'l') {
		rc = tmpl_sprintln(&b, call->rt, argc, argv);
	} else {
		rc = tmpl_sprint(&b, call->rt, argc, argv);
	}
	if (buf_oom(&b) && b.max)
		return fn_too_big(call, &b);
	if (rc == 0)
		*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return rc < 0 || out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

/* evalArgs: the text of the arguments as the escapers see it */
static int fn_eval_args(struct buf *b, struct tmpl_rt *rt, int argc, const struct tval *argv)
{
	int i, prev_string = 0;

	if (argc == 1 && argv[0].kind == TV_STRING) {
		size_t n;
		const char *s = tval_str_ptr(&argv[0], &n);
		return buf_add(b, s, n);
	}
	for (i = 0; i < argc; i++) {
		int is_string = argv[i].kind == TV_STRING || fn_is_nilish(&argv[i]);
		if (i > 0 && !is_string && !prev_string)
			buf_addch(b, ' ');
		if (fn_is_nilish(&argv[i]))
			buf_adds(b, "<no value>");
		else
			tmpl_sprint(b, rt, 1, &argv[i]);
		prev_string = is_string;
	}
	return 0;
}

static int fn_html(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct buf in = BUF_INIT, b = BUF_INIT;
	size_t i;

	fn_eval_args(&in, call->rt, argc, argv);
	for (i = 0; i < in.len; i++) {
		switch (in.ptr[i]) {
		case '"': buf_adds(&b, "&#34;"); break;
		case '\'': buf_adds(&b, "&#39;"); break;
		case '&': buf_adds(&b, "&amp;"); break;
		case '<': buf_adds(&b, "&lt;"); break;
		case '>': buf_adds(&b, "&gt;"); break;
		case '\0': buf_adds(&b, "\xef\xbf\xbd"); break;
		default: buf_addch(&b, in.ptr[i]);
		}
	}
	*out = tval_strn(b.ptr, b.len);
	buf_release(&in);
	buf_release(&b);
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static int fn_js(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf in = BUF_INIT, b = BUF_INIT;
	size_t i;

	fn_eval_args(&in, call->rt, argc, argv);
	for (i = 0; i < in.len; i++) {
		unsigned char c = (unsigned char)in.ptr[i];
		if (c < 0x80) {
			switch (c) {
			case '\\': buf_adds(&b, "\\\\"); break;
			case '\'': buf_adds(&b, "\\'"); break;
			case '"': buf_adds(&b, "\\\""); break;
			case '<': buf_adds(&b, "\\u003C"); break;
			case '>': buf_adds(&b, "\\u003E"); break;
			case '&': buf_adds(&b, "\\u0026"); break;
			case '=': buf_adds(&b, "\\u003D"); break;
			default:
				if (c < ' ') {
					buf_adds(&b, "\\u00");
					buf_addch(&b, hex[c >> 4]);
					buf_addch(&b, hex[c & 15]);
				} else {
					buf_addch(&b, (char)c);
				}
			}
		} else {
			int w;
			int32_t r = tmpl__utf8_decode(in.ptr + i, in.len - i, &w);
			if (tmpl__is_print(r))
				buf_add(&b, in.ptr + i, (size_t)w);
			else
				buf_addf(&b, "\\u%04X", (unsigned)r);
			i += (size_t)w - 1;
		}
	}
	*out = tval_strn(b.ptr, b.len);
	buf_release(&in);
	buf_release(&b);
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static int fn_urlquery(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf in = BUF_INIT, b = BUF_INIT;
	size_t i;

	fn_eval_args(&in, call->rt, argc, argv);
	for (i = 0; i < in.len; i++) {
		unsigned char c = (unsigned char)in.ptr[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_addch(&b, (char)c);
		} else if (c == ' ') {
			buf_addch(&b, '+');
		} else {
			buf_addch(&b, '%');
			buf_addch(&b, hex[c >> 4]);
			buf_addch(&b, hex[c & 15]);
		}
	}
	*out = tval_strn(b.ptr, b.len);
	buf_release(&in);
	buf_release(&b);
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static int fn_call(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct tval *fn = &argv[0];
	struct tmpl_call sub;

	if (fn_is_nilish(fn))
		return tmpl_call_errorf(call, "call of nil");
	if (fn->kind != TV_FUNC)
		return tmpl_call_errorf(call, "non-function %s of type %s",
					call->payload ? (const char *)call->payload : "",
					tval_type_name(fn));
	sub = *call;
	sub.func = fn->u.fn;
	sub.payload = fn->u.fn->payload;
	return fn->u.fn->fn(out, &sub, argc - 1, argv + 1);
}

/* ---- comparison (Go's basicKind rules) */

enum bkind { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING, K_UINT };

static enum bkind fn_basic_kind(const struct tval *v)
{
	switch (v->kind) {
	case TV_BOOL: return K_BOOL;
	case TV_INT: case TV_INT64: case TV_DURATION: case TV_MONTH: case TV_WEEKDAY: return K_INT;
	case TV_UINT8: case TV_UINT64: return K_UINT;
	case TV_FLOAT64: return K_FLOAT;
	case TV_STRING: return K_STRING;
	default: return K_INVALID;
	}
}

static int fn_str_eq(const struct tval *a, const struct tval *b)
{
	size_t na, nb;
	const char *sa = tval_str_ptr(a, &na), *sb = tval_str_ptr(b, &nb);
	return na == nb && memcmp(sa, sb, na) == 0;
}

static int fn_is_container(const struct tval *v)
{
	return tval_is_array(v) || tval_is_object(v) || v->kind == TV_BYTES ||
	       (v->kind == TV_OBJECT && v->u.o->type->data); /* a named map or slice */
}

static void fn_fmt_s(struct buf *err, struct tmpl_rt *rt, const struct tval *v)
{
	tmpl_sprintf(err, rt, "%s", 2, 1, v);
}

int tmpl__eq(int *res, struct tmpl_rt *rt, const struct tval *a, int n, const struct tval *bs,
	     struct buf *err)
{
	enum bkind k1 = fn_basic_kind(a);
	int i;

	*res = 0;
	if (n == 0) {
		buf_adds(err, "missing argument for comparison");
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct tval *b = &bs[i];
		enum bkind k2 = fn_basic_kind(b);
		int truth = 0;
		if (k1 != k2) {
			if (k1 == K_INT && k2 == K_UINT)
				truth = a->u.i >= 0 && a->u.i == b->u.i;
			else if (k1 == K_UINT && k2 == K_INT)
				truth = b->u.i >= 0 && a->u.i == b->u.i;
			else if (!fn_is_nilish(a) && !fn_is_nilish(b)) {
				buf_addf(err, "incompatible types for comparison: %s and %s", tval_type_name(a),
					 tval_type_name(b));
				return -1;
			}
		} else {
			switch (k1) {
			case K_BOOL: truth = a->u.b == b->u.b; break;
			case K_INT: case K_UINT: truth = a->u.i == b->u.i; break;
			case K_FLOAT: truth = a->u.f == b->u.f; break;
			case K_STRING: truth = fn_str_eq(a, b); break;
			default:
				if (fn_is_nilish(a) || fn_is_nilish(b)) {
					truth = fn_is_nilish(a) == fn_is_nilish(b);
				} else if (strcmp(tval_kind_name(a), tval_kind_name(b)) != 0) {
					/* Go's canCompare looks at reflect kinds */
					fn_fmt_s(err, rt, a);
					buf_addf(err, ": %s, %s: ", tval_type_name(a), tval_type_name(b));
					tmpl_sprintf(err, rt, "%v", 2, 1, b);
					{
						struct buf t = BUF_INIT;
						buf_adds(&t, "non-comparable types ");
						buf_add(&t, err->ptr, err->len);
						buf_reset(err);
						buf_add(err, t.ptr, t.len);
						buf_release(&t);
					}
					return -1;
				} else if (fn_is_container(b)) {
					buf_adds(err, "non-comparable type ");
					fn_fmt_s(err, rt, b);
					buf_addf(err, ": %s", tval_type_name(b));
					return -1;
				} else if (a->kind != b->kind) {
					truth = 0;
				} else if (a->kind == TV_TIME) {
					truth = memcmp(&a->u.t, &b->u.t, sizeof(a->u.t)) == 0;
				} else if (a->kind == TV_OBJECT) {
					truth = a->u.o == b->u.o;
				} else if (a->kind == TV_SEMVERVAL) {
					truth = json_equal(a->u.j, b->u.j); /* a struct: its fields */
				} else {
					truth = a->u.j == b->u.j;
				}
			}
		}
		if (truth) {
			*res = 1;
			return 0;
		}
	}
	return 0;
}

int tmpl__lt(int *res, const struct tval *a, const struct tval *b, struct buf *err)
{
	enum bkind k1 = fn_basic_kind(a), k2 = fn_basic_kind(b);

	*res = 0;
	if (k1 == K_INVALID || k2 == K_INVALID) {
		buf_adds(err, "invalid type for comparison");
		return -1;
	}
	if (k1 != k2) {
		if (k1 == K_INT && k2 == K_UINT)
			*res = a->u.i < 0 || (uint64_t)a->u.i < (uint64_t)b->u.i;
		else if (k1 == K_UINT && k2 == K_INT)
			*res = b->u.i >= 0 && (uint64_t)a->u.i < (uint64_t)b->u.i;
		else {
			buf_addf(err, "incompatible types for comparison: %s and %s", tval_type_name(a),
				 tval_type_name(b));
			return -1;
		}
		return 0;
	}
	switch (k1) {
	case K_BOOL:
		buf_adds(err, "invalid type for comparison");
		return -1;
	case K_FLOAT: *res = a->u.f < b->u.f; break;
	case K_INT: *res = a->u.i < b->u.i; break;
	case K_UINT: *res = (uint64_t)a->u.i < (uint64_t)b->u.i; break;
	case K_STRING: {
		size_t na, nb, m;
		const char *sa = tval_str_ptr(a, &na), *sb = tval_str_ptr(b, &nb);
		int c;
		m = na < nb ? na : nb;
		c = memcmp(sa, sb, m);
		*res = c < 0 || (c == 0 && na < nb);
		break;
	}
	default:
		break;
	}
	return 0;
}

static int fn_cmp(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const char *name = call->func->name;
	int res = 0, rc = 0;

	buf_reset(call->errmsg);
	if (strcmp(name, "eq") == 0) {
		rc = tmpl__eq(&res, call->rt, &argv[0], argc - 1, argv + 1, call->errmsg);
	} else if (strcmp(name, "ne") == 0) {
		rc = tmpl__eq(&res, call->rt, &argv[0], 1, &argv[1], call->errmsg);
		res = !res;
	} else if (strcmp(name, "lt") == 0) {
		rc = tmpl__lt(&res, &argv[0], &argv[1], call->errmsg);
	} else if (strcmp(name, "le") == 0) {
		rc = tmpl__lt(&res, &argv[0], &argv[1], call->errmsg);
		if (rc == 0 && !res)
			rc = tmpl__eq(&res, call->rt, &argv[0], 1, &argv[1], call->errmsg);
	} else if (strcmp(name, "gt") == 0) {
		rc = tmpl__lt(&res, &argv[0], &argv[1], call->errmsg);
		if (rc == 0 && !res)
			rc = tmpl__eq(&res, call->rt, &argv[0], 1, &argv[1], call->errmsg);
		res = !res;
	} else {
		rc = tmpl__lt(&res, &argv[0], &argv[1], call->errmsg);
		res = !res;
	}
	if (rc < 0)
		return DIAG_EEXEC;
	*out = tval_bool(res);
	return 0;
}

static const struct tmpl_func fn_builtins[] = {
	{ "and", fn_andor, "xx*", TMPL_FN__ANDOR, NULL },
	{ "or", fn_andor, "xx*", TMPL_FN__ANDOR, NULL },
	{ "not", fn_not, "x", 0, NULL },
	{ "len", fn_len, "x", 0, NULL },
	{ "index", fn_index, "xx*", 0, NULL },
	{ "slice", fn_slice, "xx*", 0, NULL },
	{ "print", fn_print, "v*", 0, NULL },
	{ "printf", fn_print, "sv*", 0, NULL },
	{ "println", fn_print, "v*", 0, NULL },
	{ "html", fn_html, "v*", 0, NULL },
	{ "js", fn_js, "v*", 0, NULL },
	{ "urlquery", fn_urlquery, "v*", 0, NULL },
	{ "call", fn_call, "xx*", TMPL_FN__CALL, NULL },
	{ "eq", fn_cmp, "xx*", 0, NULL },
	{ "ne", fn_cmp, "xx", 0, NULL },
	{ "lt", fn_cmp, "xx", 0, NULL },
	{ "le", fn_cmp, "xx", 0, NULL },
	{ "gt", fn_cmp, "xx", 0, NULL },
	{ "ge", fn_cmp, "xx", 0, NULL },
};

int tmpl__builtins_add(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, fn_builtins, sizeof(fn_builtins) / sizeof(fn_builtins[0]));
}
