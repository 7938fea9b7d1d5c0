/* Sprig's defaults functions: default, empty, coalesce, all, any, ternary. */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_strings_util.h"

#define S_ARGS struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv

/*
 * These functions return Go's interface {}: a nil result is the zero
 * interface, which text/template turns into an invalid value (it prints
 * "<no value>", not "<nil>"). TV_INVALID stands for it.
 */
static struct tval S_result(const struct tval *v)
{
	if (v->kind == TV_NIL)
		return tval_invalid();
	return tval_copy(v);
}

/* dfault(d, given...): given[0] unless there is none or it is empty. */
static int S_default(S_ARGS)
{
	const struct tval *pick = &argv[0];

	if (argc > 1 && !sprigu_empty(&argv[1]))
		pick = &argv[1];
	*out = S_result(pick);
	return 0;
}

static int S_empty(S_ARGS)
{
	*out = tval_bool(sprigu_empty(&argv[0]));
	return 0;
}

static int S_coalesce(S_ARGS)
{
	for (int i = 0; i < argc; i++) {
		if (!sprigu_empty(&argv[i])) {
			*out = S_result(&argv[i]);
			return 0;
		}
	}
	*out = tval_invalid();
	return 0;
}

static int S_all(S_ARGS)
{
	for (int i = 0; i < argc; i++) {
		if (sprigu_empty(&argv[i])) {
			*out = tval_bool(0);
			return 0;
		}
	}
	*out = tval_bool(1);
	return 0;
}

static int S_any(S_ARGS)
{
	for (int i = 0; i < argc; i++) {
		if (!sprigu_empty(&argv[i])) {
			*out = tval_bool(1);
			return 0;
		}
	}
	*out = tval_bool(0);
	return 0;
}

static int S_ternary(S_ARGS)
{
	*out = S_result(argv[2].u.b ? &argv[0] : &argv[1]);
	return 0;
}

static const struct tmpl_func S_funcs[] = {
	{ "default", S_default, "vv*", TMPL_FN_NOERR, NULL },
	{ "empty", S_empty, "v", TMPL_FN_NOERR, NULL },
	{ "coalesce", S_coalesce, "v*", TMPL_FN_NOERR, NULL },
	{ "all", S_all, "v*", TMPL_FN_NOERR, NULL },
	{ "any", S_any, "v*", TMPL_FN_NOERR, NULL },
	{ "ternary", S_ternary, "vvb", TMPL_FN_NOERR, NULL },
};

int sprig_defaults_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
