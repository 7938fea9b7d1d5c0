/* Go conversions and reflect-like helpers for Sprig's lists, dicts, math. */
#include "render/goscalar.h"
#include "render/tmpl/sprig_lists_util.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/buf.h"
#include "render/tmpl/funcs.h"

int64_t sprigl_f2i(double f)
{
	/* CVTTSD2SI gives the "integer indefinite" value for NaN and out of
	 * range; Go's conversion is that instruction. */
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

static int S_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive length of the common prefix of s and word. */
static size_t S_prefix_nocase(const char *s, size_t len, const char *word)
{
	size_t i = 0;

	while (i < len && word[i] && S_lower((unsigned char)s[i]) == word[i])
		i++;
	return i;
}

int sprigl_parse_float(double *out, const char *s, size_t len)
{
	struct buf clean = BUF_INIT;
	size_t i = 0, n;
	int hex = 0, sawdigits = 0, sawdot = 0, underscores = 0, neg = 0;
	double v;

	*out = 0;
	if (len == 0)
		return -1;
	/* Go's special(): [+-]inf, [+-]infinity, nan (no sign). */
	if (s[0] == '+' || s[0] == '-' || S_lower((unsigned char)s[0]) == 'i') {
		size_t sgn = (s[0] == '+' || s[0] == '-');

		neg = s[0] == '-';
		n = S_prefix_nocase(s + sgn, len - sgn, "infinity");
		if (n > 3 && n < 8)
			n = 3;
		if ((n == 3 || n == 8) && sgn + n == len) {
			*out = neg ? -INFINITY : INFINITY;
			return 0;
		}
	} else if (S_lower((unsigned char)s[0]) == 'n') {
		if (len == 3 && S_prefix_nocase(s, len, "nan") == 3) {
			*out = NAN;
			return 0;
		}
		return -1;
	}
	if (s[i] == '+' || s[i] == '-')
		i++;
	if (i + 2 < len && s[i] == '0' && S_lower((unsigned char)s[i + 1]) == 'x') {
		hex = 1;
		i += 2;
	}
	for (; i < len; i++) {
		int c = S_lower((unsigned char)s[i]);

		if (c == '_') {
			underscores = 1;
		} else if (c == '.') {
			if (sawdot)
				break;
			sawdot = 1;
		} else if ((c >= '0' && c <= '9') || (hex && c >= 'a' && c <= 'f')) {
			sawdigits = 1;
		} else {
			break;
		}
	}
	if (!sawdigits)
		return -1;
	if (i < len && S_lower((unsigned char)s[i]) == (hex ? 'p' : 'e')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return -1;
		for (; i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++)
			if (s[i] == '_')
				underscores = 1;
	} else if (hex) {
		return -1;
	}
	if (i != len)
		return -1;
	if (underscores && !goscalar_underscore_ok(s, len))
		return -1;
	/* strtod wants the locale's decimal point; Go's is always '.' */
	for (i = 0; i < len; i++) {
		if (s[i] == '.')
			buf_adds(&clean, localeconv()->decimal_point);
		else if (s[i] != '_')
			buf_addch(&clean, s[i]);
	}
	if (buf_oom(&clean)) {
		buf_release(&clean);
		return -1;
	}
	/* the syntax is Go's and checked above; strtod reads it the same
	 * (hex floats too) and rounds correctly */
	v = strtod(clean.ptr, NULL);
	buf_release(&clean);
	if (isinf(v))
		return -1; /* Go: ErrRange */
	*out = v;
	return 0;
}

/* cast's trimZeroDecimal: "12.000" -> "12", anything else unchanged. */
static size_t S_trim_zero_decimal(const char *s, size_t len)
{
	int found_zero = 0;

	for (size_t i = len; i > 0; i--) {
		if (s[i - 1] == '.') {
			if (found_zero)
				return i - 1;
		} else if (s[i - 1] == '0') {
			found_zero = 1;
		} else {
			return len;
		}
	}
	return len;
}

int sprigl_to_int64(int64_t *out, const struct tval *v)
{
	const char *s;
	size_t len;

	*out = 0;
	switch (v->kind) {
	case TV_INT:
	case TV_INT64:
	case TV_UINT8:
	case TV_UINT64:
		*out = v->u.i;
		return 0;
	case TV_FLOAT64:
		*out = sprigl_f2i(v->u.f);
		return 0;
	case TV_BOOL:
		*out = v->u.b ? 1 : 0;
		return 0;
	case TV_NIL:
	case TV_INVALID:
		return 0;
	case TV_STRING:
		s = tval_str_ptr(v, &len);
		if (goscalar_parse_int(out, s, S_trim_zero_decimal(s, len), 0) < 0) {
			*out = 0;
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

int sprigl_to_float64(double *out, const struct tval *v)
{
	const char *s;
	size_t len;

	*out = 0;
	switch (v->kind) {
	case TV_INT:
	case TV_INT64:
	case TV_UINT8:
		*out = (double)v->u.i;
		return 0;
	case TV_UINT64:
		*out = (double)(uint64_t)v->u.i;
		return 0;
	case TV_FLOAT64:
		*out = v->u.f;
		return 0;
	case TV_BOOL:
		*out = v->u.b ? 1 : 0;
		return 0;
	case TV_NIL:
	case TV_INVALID:
		return 0;
	case TV_STRING:
		s = tval_str_ptr(v, &len);
		return sprigl_parse_float(out, s, len);
	default:
		return -1;
	}
}

int sprigl_empty(const struct tval *v)
{
	size_t len;

	switch (v->kind) {
	case TV_INVALID:
	case TV_NIL:
		return 1;
	case TV_BOOL:
		return !v->u.b;
	case TV_INT:
	case TV_INT64:
	case TV_UINT8:
	case TV_UINT64:
	case TV_DURATION:
	case TV_MONTH:
	case TV_WEEKDAY:
		return v->u.i == 0;
	case TV_FLOAT64:
		return v->u.f == 0;
	case TV_STRING:
	case TV_BYTES:
		tval_str_ptr(v, &len);
		return len == 0;
	case TV_LIST:
	case TV_STRLIST:
	case TV_INTLIST:
	case TV_LISTLIST:
		return json_array_size(v->u.j) == 0;
	case TV_MAP:
	case TV_VALUES:
	case TV_STRMAP:
		return json_object_size(v->u.j) == 0;
	case TV_OBJECT:
		/* a named map or slice (engine.files) is empty when it has no
		 * elements, which is its truth; structs and pointers are not */
		return !v->u.o->type->truth;
	default:
		return 0; /* structs and non-nil pointers */
	}
}

/* A named slice type of a host object (common.VersionSet). */
static int S_obj_slice(const struct tval *v)
{
	return v->kind == TV_OBJECT && v->u.o->type->data && !strcmp(v->u.o->type->go_kind, "slice");
}

int sprigl_is_slice(const struct tval *v)
{
	return tval_is_array(v) || v->kind == TV_BYTES || S_obj_slice(v);
}

json_t *sprigl_items(struct tmpl_rt *rt, const struct tval *v)
{
	size_t len;
	json_t *a;

	if (S_obj_slice(v)) {
		struct tval data = TVAL_INIT;

		if (tval_obj_data(&data, rt, v) <= 0)
			return NULL;
		a = sprigl_items(rt, &data);
		tval_release(&data);
		return a;
	}

	if (v->kind == TV_LIST || v->kind == TV_STRLIST || v->kind == TV_LISTLIST)
		return json_incref(v->u.j);
	if (v->kind != TV_BYTES && v->kind != TV_INTLIST)
		return NULL;
	len = v->kind == TV_BYTES ? json_string_length(v->u.j) : json_array_size(v->u.j);
	if (!(a = json_array()))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		struct tval e = sprigl_item(rt, v, i);

		if (json_array_append_new(a, tval_to_json(rt, &e)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

struct tval sprigl_item(struct tmpl_rt *rt, const struct tval *v, size_t i)
{
	struct tval r = TVAL_INIT;
	size_t len;

	if (S_obj_slice(v)) {
		struct tval data = TVAL_INIT;

		if (tval_obj_data(&data, rt, v) > 0)
			r = sprigl_item(rt, &data, i);
		tval_release(&data);
		return r;
	}
	if (v->kind == TV_BYTES) {
		const char *p = tval_str_ptr(v, &len);

		if (i < len) {
			r.kind = TV_UINT8;
			r.u.i = (unsigned char)p[i];
		}
		return r;
	}
	if (tval_is_array(v)) {
		json_t *e = json_array_get(v->u.j, i);

		if (e)
			return tval_elem(rt, v, e);
	}
	return r;
}

/* Kinds whose tval carries a json container (u.j). */
static int S_has_container(const struct tval *v)
{
	return tval_is_array(v) || tval_is_object(v);
}

static int S_equal_depth(struct tmpl_rt *rt, const struct tval *a, const struct tval *b, int depth)
{
	int ka = a->kind == TV_INVALID ? TV_NIL : (int)a->kind;
	int kb = b->kind == TV_INVALID ? TV_NIL : (int)b->kind;
	const char *sa, *sb;
	size_t la, lb;

	if (depth > SPRIGL_MAX_DEPTH)
		return 0;
	if (ka != kb)
		return 0;
	switch (a->kind) {
	case TV_INVALID:
	case TV_NIL:
		return 1;
	case TV_BOOL:
		return !a->u.b == !b->u.b;
	case TV_INT:
	case TV_INT64:
	case TV_UINT8:
	case TV_UINT64:
	case TV_DURATION:
	case TV_MONTH:
	case TV_WEEKDAY:
		return a->u.i == b->u.i;
	case TV_FLOAT64:
		return a->u.f == b->u.f;
	case TV_STRING:
	case TV_BYTES:
		sa = tval_str_ptr(a, &la);
		sb = tval_str_ptr(b, &lb);
		return la == lb && memcmp(sa, sb, la) == 0;
	case TV_TIME:
		return a->u.t.sec == b->u.t.sec && a->u.t.nsec == b->u.t.nsec &&
		       a->u.t.offset == b->u.t.offset;
	case TV_LIST:
	case TV_STRLIST:
	case TV_INTLIST:
	case TV_LISTLIST:
		if (a->u.j == b->u.j)
			return 1;
		if (json_array_size(a->u.j) != json_array_size(b->u.j))
			return 0;
		for (size_t i = 0; i < json_array_size(a->u.j); i++) {
			struct tval ea = tval_elem(rt, a, json_array_get(a->u.j, i));
			struct tval eb = tval_elem(rt, b, json_array_get(b->u.j, i));
			int eq = S_equal_depth(rt, &ea, &eb, depth + 1);

			tval_release(&ea);
			tval_release(&eb);
			if (!eq)
				return 0;
		}
		return 1;
	case TV_MAP:
	case TV_VALUES:
	case TV_STRMAP: {
		const char *k;
		size_t klen;
		json_t *e;
		void *tmp;

		if (a->u.j == b->u.j)
			return 1;
		if (json_object_size(a->u.j) != json_object_size(b->u.j))
			return 0;
		json_object_keylen_foreach_safe(a->u.j, tmp, k, klen, e) {
			json_t *f = json_object_getn(b->u.j, k, klen);
			struct tval ea, eb;
			int eq;

			if (!f)
				return 0;
			ea = tval_from_json(rt, e);
			eb = tval_from_json(rt, f);
			eq = S_equal_depth(rt, &ea, &eb, depth + 1);
			tval_release(&ea);
			tval_release(&eb);
			if (!eq)
				return 0;
		}
		return 1;
	}
	case TV_SEMVER:
	case TV_SEMVERVAL:
		return json_equal(a->u.j, b->u.j);
	case TV_OBJECT:
		return a->u.o == b->u.o;
	case TV_FUNC:
		return 0; /* Go: funcs are equal only if both are nil */
	}
	return 0;
}

int sprigl_equal(struct tmpl_rt *rt, const struct tval *a, const struct tval *b)
{
	return S_equal_depth(rt, a, b, 0);
}

int sprigl_equal_json(struct tmpl_rt *rt, const struct tval *a, json_t *b)
{
	struct tval tb = tval_from_json(rt, b);
	int eq = S_equal_depth(rt, a, &tb, 0);

	tval_release(&tb);
	return eq;
}

int sprigl_strval(struct buf *out, struct tmpl_rt *rt, const struct tval *v)
{
	const char *s;
	size_t len;

	if (v->kind == TV_STRING || v->kind == TV_BYTES) {
		s = tval_str_ptr(v, &len);
		return buf_add(out, s, len);
	}
	return tval_format(out, rt, v);
}

static int S_reaches(struct tmpl_rt *rt, json_t *container, json_t *value, int depth)
{
	struct tval v;
	size_t i;
	const char *k;
	json_t *e;
	int found = 0;

	if (value == container || depth > SPRIGL_MAX_DEPTH)
		return 1;
	if (json_is_array(value)) {
		json_array_foreach(value, i, e)
			if (S_reaches(rt, container, e, depth + 1))
				return 1;
		return 0;
	}
	if (!json_is_object(value))
		return 0;
	/* a box stands for a value kept by the runtime: look inside it */
	v = tval_from_json(rt, value);
	if (S_has_container(&v) && v.u.j != value) {
		found = S_reaches(rt, container, v.u.j, depth + 1);
	} else {
		json_object_foreach(value, k, e) {
			if (S_reaches(rt, container, e, depth + 1)) {
				found = 1;
				break;
			}
		}
	}
	tval_release(&v);
	return found;
}

int sprigl_would_cycle(struct tmpl_rt *rt, json_t *container, json_t *value)
{
	return S_reaches(rt, container, value, 0);
}

int sprigl_nil_type_error(struct tmpl_call *call)
{
	return tmpl_call_errorf(call, "runtime error: invalid memory address or nil pointer dereference");
}

int sprigl_limit_error(struct tmpl_call *call)
{
	return tmpl_call_errorf(call, "too many elements (hydrate's limit is %d)", SPRIGL_MAX_ITEMS);
}
