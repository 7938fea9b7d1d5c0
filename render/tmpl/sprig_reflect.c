/* Sprig's reflect functions: typeOf, typeIs, typeIsLike, kindOf, kindIs,
 * deepEqual (reflect.DeepEqual). */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_lists_util.h"

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
 * reflect.DeepEqual of two template values: sprigl_equal (same Go type,
 * then equal contents, looking through boxes); a nil slice is not equal to
 * an empty one. NEEDSWORK: nested nil slices compare as their boxes.
 */
static int S_deep_equal(S_ARGS)
{
	int eq = sprigl_equal(call->rt, &argv[0], &argv[1]);

	if (eq && tval_is_array(&argv[0]) && argv[0].nilslice != argv[1].nilslice)
		eq = 0;
	*out = tval_bool(eq);
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
