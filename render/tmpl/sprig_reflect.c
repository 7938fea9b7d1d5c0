/* Sprig's reflect functions: typeOf, typeIs, typeIsLike, kindOf, kindIs,
 * deepEqual (reflect.DeepEqual). */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"

#include <string.h>

#define S_ARGS struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv

static int S_ret_str(struct tval *out, struct tmpl_call *call, const char *s)
{
	*out = tval_str(s);
	if (out->kind == TV_INVALID)
		return tmpl_call_errorf(call, "out of memory");
	return 0;
}

static int S_type_of(S_ARGS)
{
	return S_ret_str(out, call, tval_type_name(&argv[0]));
}

static int S_kind_of(S_ARGS)
{
	return S_ret_str(out, call, tval_kind_name(&argv[0]));
}

/* Whether the 's' argument 0 equals text. */
static int S_target_is(const struct tval *argv, const char *prefix, const char *text)
{
	size_t len, plen = strlen(prefix), tlen = strlen(text);
	const char *t = tval_str_ptr(&argv[0], &len);

	return t && len == plen + tlen && memcmp(t, prefix, plen) == 0 &&
	       memcmp(t + plen, text, tlen) == 0;
}

static int S_type_is(S_ARGS)
{
	*out = tval_bool(S_target_is(argv, "", tval_type_name(&argv[1])));
	return 0;
}

/* Sprig compares target with the type and "*" + target with the type. */
static int S_type_is_like(S_ARGS)
{
	const char *t = tval_type_name(&argv[1]);
	int like = S_target_is(argv, "", t);

	if (!like && t[0] == '*')
		like = S_target_is(argv, "", t + 1);
	*out = tval_bool(like);
	return 0;
}

static int S_kind_is(S_ARGS)
{
	*out = tval_bool(S_target_is(argv, "", tval_kind_name(&argv[1])));
	return 0;
}

/*
 * reflect.DeepEqual of two template values: same Go type, then equal
 * contents. Containers compare as json (an int64 element never equals a
 * float64 one, as in Go). NEEDSWORK: Go tells a nil slice or map from an
 * empty one; json cannot.
 */
static int S_deep_equal_vals(const struct tval *a, const struct tval *b)
{
	if (a->kind != b->kind)
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
	case TV_DURATION:
		return a->u.i == b->u.i;
	case TV_FLOAT64:
		return a->u.f == b->u.f;
	case TV_STRING:
	case TV_BYTES:
	case TV_LIST:
	case TV_STRLIST:
	case TV_MAP:
	case TV_VALUES:
	case TV_SEMVER:
		return json_equal(a->u.j, b->u.j);
	case TV_TIME:
		return a->u.t.sec == b->u.t.sec && a->u.t.nsec == b->u.t.nsec &&
		       a->u.t.offset == b->u.t.offset;
	case TV_OBJECT:
		return a->u.o == b->u.o;
	case TV_FUNC:
		return 0; /* Go: funcs are equal only if both are nil */
	}
	return 0;
}

static int S_deep_equal(S_ARGS)
{
	*out = tval_bool(S_deep_equal_vals(&argv[0], &argv[1]));
	return 0;
}

static const struct tmpl_func S_funcs[] = {
	{ "typeOf", S_type_of, "v", TMPL_FN_NOERR, NULL },
	{ "typeIs", S_type_is, "sv", TMPL_FN_NOERR, NULL },
	{ "typeIsLike", S_type_is_like, "sv", TMPL_FN_NOERR, NULL },
	{ "kindOf", S_kind_of, "v", TMPL_FN_NOERR, NULL },
	{ "kindIs", S_kind_is, "sv", TMPL_FN_NOERR, NULL },
	{ "deepEqual", S_deep_equal, "vv", TMPL_FN_NOERR, NULL },
};

int sprig_reflect_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
