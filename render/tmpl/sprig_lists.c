/*
 * Sprig's lists functions (Sprig 3.3.0 list.go, numeric.go's until and
 * untilStep, defaults.go's compact): list, tuple, append/push, prepend,
 * first, rest, last, initial, reverse, compact, uniq, without, has, slice,
 * concat, chunk, until, untilStep, and their must* variants.
 *
 * Sprig works on anything of reflect kind slice; here that is
 * []interface {}, []string, []int, [][]interface {} and []uint8
 * (sprigl_items). A plain function panics where its must* twin returns the
 * error, and text/template prints both as `error calling NAME: TEXT`, so
 * the twins share one C function.
 */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_lists_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/diag.h"
#include "render/gofloat.h"

/* A new []interface {} result from a json array (stolen). */
static int S_ret_list(struct tval *out, json_t *a)
{
	if (!a)
		return DIAG_ENOMEM;
	*out = tval_json_new(TV_LIST, a);
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

/* S_ret_list, but an empty a is Go's nil slice (a nil []interface {} that
 * Sprig returns or appends nothing to). */
static int S_ret_list_or_nil(struct tval *out, json_t *a)
{
	int error = S_ret_list(out, a);

	if (error == 0 && json_array_size(out->u.j) == 0)
		out->nilslice = 1;
	return error;
}

/*
 * The items of a slice-kind v (new), or an error: Sprig's "Cannot WHAT on
 * type KIND" (what is WHAT), or the nil-type panic.
 */
static int S_items(json_t **out, struct tmpl_call *call, const struct tval *v, const char *what)
{
	*out = NULL;
	if (v->kind == TV_NIL || v->kind == TV_INVALID)
		return sprigl_nil_type_error(call);
	if (!sprigl_is_slice(v))
		return tmpl_call_errorf(call, "Cannot %s type %s", what, tval_kind_name(v));
	if (!(*out = sprigl_items(call->rt, v)))
		return DIAG_ENOMEM;
	return 0;
}

static int S_list(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *a = json_array();

	for (int i = 0; a && i < argc; i++) {
		if (json_array_append_new(a, tval_to_json(call->rt, &argv[i])) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return S_ret_list(out, a);
}

static int S_push(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *items, *a;
	int error;

	if ((error = S_items(&items, call, &argv[0], "push on")) < 0)
		return error;
	a = json_array();
	if (a && (json_array_extend(a, items) < 0 ||
		  json_array_append_new(a, tval_to_json(call->rt, &argv[1])) < 0)) {
		json_decref(a);
		a = NULL;
	}
	json_decref(items);
	/* append(make([]interface{}, l), v) grows the copy */
	if ((error = S_ret_list(out, a)) == 0)
		tval_set_cap(out, tval_go_grow(TV_LIST, json_array_size(a) - 1, json_array_size(a)));
	return error;
}

static int S_prepend(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *items, *a;
	int error;

	if ((error = S_items(&items, call, &argv[0], "prepend on")) < 0)
		return error;
	a = json_array();
	if (a && (json_array_append_new(a, tval_to_json(call->rt, &argv[1])) < 0 ||
		  json_array_extend(a, items) < 0)) {
		json_decref(a);
		a = NULL;
	}
	json_decref(items);
	/* append([]interface{}{v}, l...) grows a slice of capacity 1 */
	if ((error = S_ret_list(out, a)) == 0 && json_array_size(a) > 1)
		tval_set_cap(out, tval_go_grow(TV_LIST, 1, json_array_size(a)));
	return error;
}

/* chunk: [][]interface {}. */
static int S_chunk(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	int64_t size = argv[0].u.i;
	json_t *items, *a = NULL;
	int64_t l, cs;
	int error;

	if ((error = S_items(&items, call, &argv[1], "chunk")) < 0)
		return error;
	l = (int64_t)json_array_size(items);
	/*
	 * Go: cs := int(math.Floor(float64(l-1)/float64(size)) + 1). size 0
	 * gives +Inf or NaN, whose int conversion is MinInt64: make() panics.
	 * A negative size gives cs <= 0 or a negative length further on.
	 */
	if (size == 0) {
		error = tmpl_call_errorf(call, "runtime error: makeslice: len out of range");
		goto done;
	}
	cs = sprigl_f2i(gofloat_floor((double)(l - 1) / (double)size) + 1);
	if (cs < 0) {
		error = tmpl_call_errorf(call, "runtime error: makeslice: len out of range");
		goto done;
	}
	if (!(a = json_array())) {
		error = DIAG_ENOMEM;
		goto done;
	}
	for (int64_t i = 0; i < cs; i++) {
		int64_t clen = size, ix;
		json_t *c;

		if (i == cs - 1) {
			/* Go: int(math.Floor(math.Mod(float64(l), float64(size)))):
			 * l is a length (an exact double) and the remainder of
			 * integers is exact, so in integers, the divisor rounded
			 * to a double as Go converts it */
			double ds = fabs((double)size);

			clen = ds > (double)l ? l : l % (int64_t)ds;
			if (clen == 0)
				clen = size;
		}
		if (clen < 0) {
			error = tmpl_call_errorf(call, "runtime error: makeslice: len out of range");
			goto done;
		}
		if (!(c = json_array()) || json_array_append_new(a, c) < 0) {
			error = DIAG_ENOMEM;
			goto done;
		}
		for (int64_t j = 0; j < clen; j++) {
			ix = i * size + j;
			if (ix < 0 || ix >= l) {
				error = tmpl_call_errorf(call, "reflect: slice index out of range");
				goto done;
			}
			if (json_array_append(c, json_array_get(items, (size_t)ix)) < 0) {
				error = DIAG_ENOMEM;
				goto done;
			}
		}
	}
	*out = tval_json_new(TV_LISTLIST, a);
	a = NULL;
	error = out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
done:
	json_decref(a);
	json_decref(items);
	return error;
}

static int S_first_last(struct tval *out, struct tmpl_call *call, const struct tval *v, int last)
{
	json_t *items;
	size_t n;
	int error;

	if ((error = S_items(&items, call, v, last ? "find last on"
						       : "find first on")) < 0)
		return error;
	n = json_array_size(items);
	json_decref(items);
	if (n == 0) {
		*out = tval_nil();
		return 0;
	}
	*out = sprigl_item(call->rt, v, last ? n - 1 : 0);
	return 0;
}

static int S_first(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_first_last(out, call, &argv[0], 0);
}

static int S_last(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_first_last(out, call, &argv[0], 1);
}

/* rest and initial: all but the first / the last element. */
static int S_rest_initial(struct tval *out, struct tmpl_call *call, const struct tval *v, int initial)
{
	json_t *items, *a;
	size_t n;
	int error;

	if ((error = S_items(&items, call, v, initial ? "find initial on"
						      : "find rest on")) < 0)
		return error;
	n = json_array_size(items);
	a = json_array();
	for (size_t i = initial ? 0 : 1; a && n > 0 && i < (initial ? n - 1 : n); i++) {
		if (json_array_append(a, json_array_get(items, i)) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	json_decref(items);
	/* mustRest/mustInitial return nil for an empty list (of one element,
	 * an empty non-nil one) */
	return n == 0 ? S_ret_list_or_nil(out, a) : S_ret_list(out, a);
}

static int S_rest(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_rest_initial(out, call, &argv[0], 0);
}

static int S_initial(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_rest_initial(out, call, &argv[0], 1);
}

static int S_reverse(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *items, *a;
	size_t n;
	int error;

	if ((error = S_items(&items, call, &argv[0], "find reverse on")) < 0)
		return error;
	n = json_array_size(items);
	a = json_array();
	for (size_t i = n; a && i > 0; i--) {
		if (json_array_append(a, json_array_get(items, i - 1)) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	json_decref(items);
	return S_ret_list(out, a);
}

/*
 * Filters v's items: compact keeps the non-empty, uniq the first of equal
 * items, without those not in omit.
 */
enum S_filter { S_COMPACT, S_UNIQ, S_WITHOUT };

static int S_filter(struct tval *out, struct tmpl_call *call, const struct tval *v,
		    enum S_filter how, int nomit, const struct tval *omit, const char *what)
{
	json_t *items, *a = NULL, *e;
	size_t i, n, nkept = 0, *kept = NULL;
	struct tval *vals = NULL;
	int error = 0;

	if ((error = S_items(&items, call, v, what)) < 0)
		return error;
	/* uniq: the indexes of the items kept so far, compared as values read
	 * once (uniq is quadratic, as Sprig's is) */
	n = json_array_size(items);
	if (!(a = json_array()) || !(kept = malloc((n + 1) * sizeof(*kept))) ||
	    !(vals = calloc(n + 1, sizeof(*vals)))) {
		error = DIAG_ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++)
		vals[i] = sprigl_item(call->rt, v, i);
	json_array_foreach(items, i, e) {
		const struct tval *item = &vals[i];
		int keep = 1;

		if (how == S_COMPACT) {
			keep = !sprigl_empty(item);
		} else if (how == S_UNIQ) {
			if ((error = tmpl_call_charge(call, nkept)) < 0)
				goto done;
			for (size_t j = 0; keep && j < nkept; j++)
				keep = !sprigl_equal(call->rt, item, &vals[kept[j]]);
			if (keep)
				kept[nkept++] = i;
		} else {
			if ((error = tmpl_call_charge(call, (uint64_t)nomit)) < 0)
				goto done;
			for (int k = 0; keep && k < nomit; k++)
				if (sprigl_equal(call->rt, item, &omit[k]))
					keep = 0;
		}
		if (keep && json_array_append(a, e) < 0) {
			error = DIAG_ENOMEM;
			goto done;
		}
	}
	/* appended one at a time to []interface{}{} */
	if ((error = S_ret_list(out, a)) == 0)
		tval_set_cap(out, tval_go_appended(TV_LIST, 0, json_array_size(a)));
	a = NULL;
done:
	for (i = 0; vals && i < n; i++)
		tval_release(&vals[i]);
	free(vals);
	free(kept);
	json_decref(a);
	json_decref(items);
	return error;
}

static int S_compact(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_filter(out, call, &argv[0], S_COMPACT, 0, NULL, "compact on");
}

static int S_uniq(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_filter(out, call, &argv[0], S_UNIQ, 0, NULL, "find uniq on");
}

static int S_without(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_filter(out, call, &argv[0], S_WITHOUT, argc - 1, argv + 1,
			"find without on");
}

static int S_has(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct tval *hay = &argv[1];
	json_t *items;
	int error, found = 0;

	if (hay->kind == TV_NIL || hay->kind == TV_INVALID) {
		*out = tval_bool(0);
		return 0;
	}
	if ((error = S_items(&items, call, hay, "find has on")) < 0)
		return error;
	for (size_t i = 0; !found && i < json_array_size(items); i++) {
		struct tval item = sprigl_item(call->rt, hay, i);

		found = sprigl_equal(call->rt, &argv[0], &item);
		tval_release(&item);
	}
	json_decref(items);
	*out = tval_bool(found);
	return 0;
}

/* slice LIST [START [END]]: Go's l[start:end] of the same type. */
static int S_slice_of(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv,
		      const struct tval *v);

static int S_slice(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct tval data = TVAL_INIT;
	int got, error;

	/* a named slice (common.VersionSet): NEEDSWORK: Go's result keeps
	 * the named type; ours is its []string */
	if ((got = tval_obj_data(&data, call->rt, &argv[0])) < 0)
		return got;
	error = S_slice_of(out, call, argc, argv, got && tval_is_array(&data) ? &data : &argv[0]);
	tval_release(&data);
	return error;
}

static int S_slice_of(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv,
		      const struct tval *v)
{
	int64_t start = 0, end;
	size_t n, cap;

	if (v->kind == TV_NIL || v->kind == TV_INVALID)
		return sprigl_nil_type_error(call);
	if (!sprigl_is_slice(v))
		return tmpl_call_errorf(call, "list should be type of slice or array but %s",
					tval_kind_name(v));
	if (v->kind == TV_BYTES) {
		tval_str_ptr(v, &n);
		cap = n;
	} else {
		n = json_array_size(v->u.j);
		cap = tval_cap(v);
	}
	if (n == 0) {
		*out = tval_nil();
		return 0;
	}
	end = (int64_t)n;
	if (argc > 1)
		sprigl_to_int64(&start, &argv[1]);
	if (argc > 2)
		sprigl_to_int64(&end, &argv[2]);
	/* reflect.Value.Slice bounds end by the capacity: past the length
	 * lie what a longer slice sharing the backing array left there, or
	 * zero values */
	if (start < 0 || end < start || (uint64_t)end > (uint64_t)cap)
		return tmpl_call_errorf(call, "reflect.Value.Slice: slice index out of bounds");
	if (v->kind == TV_BYTES) {
		const char *p = tval_str_ptr(v, &n);

		*out = tval_bytes(p + start, (size_t)(end - start));
		return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
	} else {
		json_t *a = json_array(), *tail = json_array();
		/* the backing array: v's elements, then what v saw past its
		 * length, then zero values up to cap */
		size_t seen = n;

		while (seen < cap && tval_past_len(v, seen))
			seen++;
		for (int64_t i = start; a && i < end; i++) {
			json_t *e = (size_t)i < seen ? json_incref(
					(size_t)i < n ? json_array_get(v->u.j, (size_t)i)
						      : tval_past_len(v, (size_t)i))
				  : v->kind == TV_STRLIST ? json_string("")
				  : v->kind == TV_INTLIST ? json_integer(0) : json_null();

			if (json_array_append_new(a, e) < 0) {
				json_decref(a);
				a = NULL;
			}
		}
		for (size_t i = (size_t)end; a && tail && i < seen; i++) {
			json_t *e = i < n ? json_array_get(v->u.j, i) : tval_past_len(v, i);

			if (json_array_append(tail, e) < 0) {
				json_decref(tail);
				tail = NULL;
			}
		}
		if (!a || !tail) {
			json_decref(a);
			json_decref(tail);
			return DIAG_ENOMEM;
		}
		*out = tval_json_new(v->kind, a);
		if (out->kind == TV_INVALID) {
			json_decref(tail);
			return DIAG_ENOMEM;
		}
		tval_set_shared(out, cap - (size_t)start, tail);
		return 0;
	}
}

static int S_concat(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *a = json_array();
	int error;

	if (!a)
		return DIAG_ENOMEM;
	for (int i = 0; i < argc; i++) {
		json_t *items;

		if (argv[i].kind == TV_NIL || argv[i].kind == TV_INVALID) {
			json_decref(a);
			return sprigl_nil_type_error(call);
		}
		if (!sprigl_is_slice(&argv[i])) {
			json_decref(a);
			return tmpl_call_errorf(call, "Cannot concat type %s as list",
						tval_kind_name(&argv[i]));
		}
		items = sprigl_items(call->rt, &argv[i]);
		if (!items || json_array_extend(a, items) < 0) {
			json_decref(items);
			json_decref(a);
			return DIAG_ENOMEM;
		}
		json_decref(items);
	}
	/* Sprig appends to a nil []interface {}: nothing appended stays nil */
	if ((error = S_ret_list_or_nil(out, a)) == 0)
		tval_set_cap(out, tval_go_appended(TV_LIST, 0, json_array_size(a)));
	return error;
}

/* untilStep: a []int (TV_INTLIST), wrapping on overflow as Go's ints do. */
static int S_ret_ints(struct tval *out, json_t *a)
{
	*out = tval_json_new(TV_INTLIST, a);
	if (out->kind == TV_INVALID)
		return DIAG_ENOMEM;
	/* appended one at a time to []int{} */
	tval_set_cap(out, tval_go_appended(TV_INTLIST, 0, json_array_size(a)));
	return 0;
}

static int S_until_step(struct tval *out, struct tmpl_call *call, int64_t start, int64_t stop,
			int64_t step)
{
	json_t *a = json_array();
	size_t n = 0;

	if (!a)
		return DIAG_ENOMEM;
	if (stop < start) {
		if (step >= 0)
			return S_ret_ints(out, a);
		for (int64_t i = start; i > stop; i = (int64_t)((uint64_t)i + (uint64_t)step)) {
			if (++n > SPRIGL_MAX_ITEMS) {
				json_decref(a);
				return sprigl_limit_error(call);
			}
			if (json_array_append_new(a, json_integer(i)) < 0) {
				json_decref(a);
				return DIAG_ENOMEM;
			}
		}
		return S_ret_ints(out, a);
	}
	if (step <= 0)
		return S_ret_ints(out, a);
	for (int64_t i = start; i < stop; i = (int64_t)((uint64_t)i + (uint64_t)step)) {
		if (++n > SPRIGL_MAX_ITEMS) {
			json_decref(a);
			return sprigl_limit_error(call);
		}
		if (json_array_append_new(a, json_integer(i)) < 0) {
			json_decref(a);
			return DIAG_ENOMEM;
		}
	}
	return S_ret_ints(out, a);
}

static int S_until(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_until_step(out, call, 0, argv[0].u.i, argv[0].u.i < 0 ? -1 : 1);
}

static int S_untilStep(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_until_step(out, call, argv[0].u.i, argv[1].u.i, argv[2].u.i);
}

static const struct tmpl_func S_funcs[] = {
	{ "list", S_list, "v*", TMPL_FN_NOERR, NULL },
	{ "tuple", S_list, "v*", TMPL_FN_NOERR, NULL },
	{ "append", S_push, "vv", 0, NULL },
	{ "push", S_push, "vv", 0, NULL },
	{ "mustAppend", S_push, "vv", 0, NULL },
	{ "mustPush", S_push, "vv", 0, NULL },
	{ "prepend", S_prepend, "vv", 0, NULL },
	{ "mustPrepend", S_prepend, "vv", 0, NULL },
	{ "first", S_first, "v", 0, NULL },
	{ "mustFirst", S_first, "v", 0, NULL },
	{ "rest", S_rest, "v", 0, NULL },
	{ "mustRest", S_rest, "v", 0, NULL },
	{ "last", S_last, "v", 0, NULL },
	{ "mustLast", S_last, "v", 0, NULL },
	{ "initial", S_initial, "v", 0, NULL },
	{ "mustInitial", S_initial, "v", 0, NULL },
	{ "reverse", S_reverse, "v", 0, NULL },
	{ "mustReverse", S_reverse, "v", 0, NULL },
	{ "uniq", S_uniq, "v", 0, NULL },
	{ "mustUniq", S_uniq, "v", 0, NULL },
	{ "without", S_without, "vv*", 0, NULL },
	{ "mustWithout", S_without, "vv*", 0, NULL },
	{ "has", S_has, "vv", 0, NULL },
	{ "mustHas", S_has, "vv", 0, NULL },
	{ "slice", S_slice, "vv*", 0, NULL },
	{ "mustSlice", S_slice, "vv*", 0, NULL },
	{ "concat", S_concat, "v*", 0, NULL },
	{ "chunk", S_chunk, "iv", 0, NULL },
	{ "mustChunk", S_chunk, "iv", 0, NULL },
	{ "compact", S_compact, "v", 0, NULL },
	{ "mustCompact", S_compact, "v", 0, NULL },
	{ "until", S_until, "i", TMPL_FN_NOERR, NULL },
	{ "untilStep", S_untilStep, "iii", TMPL_FN_NOERR, NULL },
};

int sprig_lists_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
