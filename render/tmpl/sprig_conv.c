/*
 * Sprig's conv functions: atoi (strconv.Atoi, errors give 0), int, int64
 * and float64 (spf13/cast 1.7.0's ToInt, ToInt64, ToFloat64: what cast
 * cannot convert gives 0), toDecimal (octal text to int64), toString
 * (strval) and toStrings (strslice).
 */
#include "render/buf.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_strings_util.h"

#include <math.h>
#include <string.h>

#define S_ARGS struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv

static int S_atoi(S_ARGS)
{
	size_t len;
	const char *s = tval_str_ptr(&argv[0], &len);
	int64_t v = 0;

	/* Atoi is ParseInt(s, 10, 0): a range error keeps the clamped value,
	 * a syntax error gives 0. */
	if (s && sprigu_parse_int(&v, s, len, 10) == -1)
		v = 0;
	*out = tval_int(v);
	return 0;
}

/* cast's trimZeroDecimal: "12.00" -> "12". */
static size_t S_trim_zero_decimal(const char *s, size_t len)
{
	int zero = 0;

	for (size_t i = len; i > 0; i--) {
		switch (s[i - 1]) {
		case '.':
			if (zero)
				return i - 1;
			break;
		case '0':
			zero = 1;
			break;
		default:
			return len;
		}
	}
	return len;
}

/* Go's int64(f) on amd64: out of range and NaN give the minimum int64. */
static int64_t S_f2i(double f)
{
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

/* cast.ToInt64 (and ToInt: the same on 64-bit). */
static int64_t S_to_int64(const struct tval *v)
{
	size_t len;
	const char *s;
	int64_t n;

	switch (v->kind) {
	case TV_INT:
	case TV_INT64:
	case TV_UINT8:
	case TV_UINT64:
		return v->u.i;
	case TV_FLOAT64:
		return S_f2i(v->u.f);
	case TV_BOOL:
		return v->u.b ? 1 : 0;
	case TV_STRING:
		s = tval_str_ptr(v, &len);
		if (sprigu_parse_int(&n, s, S_trim_zero_decimal(s, len), 0) < 0)
			return 0;
		return n;
	default:
		return 0;
	}
}

static int S_int(S_ARGS)
{
	*out = tval_int(S_to_int64(&argv[0]));
	return 0;
}

static int S_int64(S_ARGS)
{
	*out = tval_int64(S_to_int64(&argv[0]));
	return 0;
}

static int S_float64(S_ARGS)
{
	const struct tval *v = &argv[0];
	size_t len;
	const char *s;
	double f = 0;

	switch (v->kind) {
	case TV_INT:
	case TV_INT64:
	case TV_UINT8:
		f = (double)v->u.i;
		break;
	case TV_UINT64:
		f = (double)(uint64_t)v->u.i;
		break;
	case TV_FLOAT64:
		f = v->u.f;
		break;
	case TV_BOOL:
		f = v->u.b ? 1 : 0;
		break;
	case TV_STRING:
		s = tval_str_ptr(v, &len);
		if (sprigu_parse_float(&f, s, len) < 0)
			f = 0;
		break;
	default:
		break;
	}
	*out = tval_float(f);
	return 0;
}

static int S_to_decimal(S_ARGS)
{
	struct buf b = BUF_INIT;
	int64_t n = 0;

	if (tval_format(&b, call->rt, &argv[0]) < 0 || buf_oom(&b)) {
		buf_release(&b);
		return tmpl_call_errorf(call, "out of memory");
	}
	if (sprigu_parse_int(&n, b.ptr, b.len, 8) < 0)
		n = 0;
	buf_release(&b);
	*out = tval_int64(n);
	return 0;
}

static int S_to_string(S_ARGS)
{
	struct buf b = BUF_INIT;

	if (sprigu_strval(&b, call->rt, &argv[0]) < 0 || buf_oom(&b)) {
		buf_release(&b);
		return tmpl_call_errorf(call, "out of memory");
	}
	*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	if (out->kind == TV_INVALID)
		return tmpl_call_errorf(call, "out of memory");
	return 0;
}

static int S_to_strings(S_ARGS)
{
	json_t *a = sprigu_strslice(call->rt, &argv[0]);

	if (!a)
		return tmpl_call_errorf(call, "out of memory");
	*out = tval_json_new(TV_STRLIST, a);
	if (out->kind == TV_INVALID)
		return tmpl_call_errorf(call, "out of memory");
	tval_set_cap(out, sprigu_strslice_cap(&argv[0], json_array_size(out->u.j)));
	return 0;
}

static const struct tmpl_func S_funcs[] = {
	{ "atoi", S_atoi, "s", TMPL_FN_NOERR, NULL },
	{ "int", S_int, "v", TMPL_FN_NOERR, NULL },
	{ "int64", S_int64, "v", TMPL_FN_NOERR, NULL },
	{ "float64", S_float64, "v", TMPL_FN_NOERR, NULL },
	{ "toDecimal", S_to_decimal, "v", TMPL_FN_NOERR, NULL },
	{ "toString", S_to_string, "v", TMPL_FN_NOERR, NULL },
	{ "toStrings", S_to_strings, "v", TMPL_FN_NOERR, NULL },
};

int sprig_conv_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
