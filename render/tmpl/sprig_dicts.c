/*
 * Sprig's dicts functions (Sprig 3.3.0 dict.go): dict, get, set, unset,
 * hasKey, pluck, keys, pick, omit, merge, mergeOverwrite (and must*),
 * values, deepCopy (and mustDeepCopy), dig.
 *
 * A Go map is a reference: set, unset and merge change the map they are
 * given, and whoever else holds it sees the change. json objects shared by
 * reference count behave the same, so these functions change the object in
 * place. A change that would make an object contain itself is refused (Go
 * allows it, but a reference-counted cycle can be neither freed nor
 * printed).
 *
 * Go's map order is random (keys, values); ours is insertion order.
 */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_lists_util.h"

#include <string.h>

#include "render/buf.h"
#include "render/diag.h"

/* The object of a map argument, or NULL for a nil map. Borrowed. */
static json_t *S_obj(const struct tval *v)
{
	if ((v->kind == TV_MAP || v->kind == TV_VALUES) && json_is_object(v->u.j))
		return v->u.j;
	return NULL;
}

static int S_ret_map(struct tval *out, json_t *o)
{
	if (!o)
		return DIAG_ENOMEM;
	*out = tval_json_new(TV_MAP, o);
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static int S_cycle_error(struct tmpl_call *call)
{
	return tmpl_call_errorf(call, "a map cannot contain itself (hydrate's limit)");
}

static int S_dict(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct buf key = BUF_INIT;
	json_t *o = json_object();
	int error = 0;

	for (int i = 0; o && i < argc; i += 2) {
		json_t *val;

		buf_reset(&key);
		if (sprigl_strval(&key, call->rt, &argv[i]) < 0 || buf_oom(&key)) {
			error = DIAG_ENOMEM;
			break;
		}
		val = i + 1 < argc ? tval_to_json(call->rt, &argv[i + 1]) : json_string("");
		if (!val || json_object_setn_new_nocheck(o, key.ptr, key.len, val) < 0) {
			error = DIAG_ENOMEM;
			break;
		}
	}
	buf_release(&key);
	if (error < 0) {
		json_decref(o);
		return error;
	}
	return S_ret_map(out, o);
}

static int S_get(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *o = S_obj(&argv[0]), *e = NULL;
	size_t len;
	const char *k = tval_str_ptr(&argv[1], &len);

	if (o)
		e = json_object_getn(o, k, len);
	*out = e ? tval_from_json(call->rt, e) : tval_str("");
	return 0;
}

static int S_set(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *o = S_obj(&argv[0]), *val;
	size_t len;
	const char *k = tval_str_ptr(&argv[1], &len);

	if (!o)
		return tmpl_call_errorf(call, "assignment to entry in nil map");
	if (!(val = tval_to_json(call->rt, &argv[2])))
		return DIAG_ENOMEM;
	if (sprigl_would_cycle(call->rt, o, val)) {
		json_decref(val);
		return S_cycle_error(call);
	}
	if (json_object_setn_new_nocheck(o, k, len, val) < 0)
		return DIAG_ENOMEM;
	return S_ret_map(out, json_incref(o));
}

static int S_unset(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *o = S_obj(&argv[0]);
	size_t len;
	const char *k = tval_str_ptr(&argv[1], &len);

	if (!o)
		return S_ret_map(out, json_object());
	json_object_deln(o, k, len);
	return S_ret_map(out, json_incref(o));
}

static int S_hasKey(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *o = S_obj(&argv[0]);
	size_t len;
	const char *k = tval_str_ptr(&argv[1], &len);

	*out = tval_bool(o && json_object_getn(o, k, len) != NULL);
	return 0;
}

static int S_pluck(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	size_t len;
	const char *k = tval_str_ptr(&argv[0], &len);
	json_t *a = json_array();

	if (!a)
		return DIAG_ENOMEM;
	for (int i = 1; i < argc; i++) {
		json_t *o = S_obj(&argv[i]), *e;

		if (o && (e = json_object_getn(o, k, len)) != NULL && json_array_append(a, e) < 0) {
			json_decref(a);
			return DIAG_ENOMEM;
		}
	}
	*out = tval_json_new(TV_LIST, a);
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static int S_keys(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *a = json_array();

	if (!a)
		return DIAG_ENOMEM;
	for (int i = 0; i < argc; i++) {
		json_t *o = S_obj(&argv[i]), *e;
		const char *k;
		size_t klen;
		void *tmp;

		if (!o)
			continue;
		json_object_keylen_foreach_safe(o, tmp, k, klen, e) {
			if (json_array_append_new(a, json_stringn_nocheck(k, klen)) < 0) {
				json_decref(a);
				return DIAG_ENOMEM;
			}
		}
	}
	*out = tval_json_new(TV_STRLIST, a);
	/* Sprig appends each key to []string{}: Go's append growth */
	out->capmode = TVC_DECODED;
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static int S_pick(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *o = S_obj(&argv[0]), *res = json_object();

	for (int i = 1; res && o && i < argc; i++) {
		size_t len;
		const char *k = tval_str_ptr(&argv[i], &len);
		json_t *e = json_object_getn(o, k, len);

		if (e && json_object_setn_nocheck(res, k, len, e) < 0) {
			json_decref(res);
			res = NULL;
		}
	}
	return S_ret_map(out, res);
}

static int S_omit(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *o = S_obj(&argv[0]), *res = json_object(), *e;
	const char *k;
	size_t klen;
	void *tmp;

	if (!res || !o)
		return S_ret_map(out, res);
	json_object_keylen_foreach_safe(o, tmp, k, klen, e) {
		int skip = 0;

		for (int i = 1; !skip && i < argc; i++) {
			size_t len;
			const char *ok = tval_str_ptr(&argv[i], &len);

			skip = len == klen && memcmp(ok, k, len) == 0;
		}
		if (!skip && json_object_setn_nocheck(res, k, klen, e) < 0) {
			json_decref(res);
			return DIAG_ENOMEM;
		}
	}
	return S_ret_map(out, res);
}

static int S_values(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *o = S_obj(&argv[0]), *a = json_array(), *e;
	const char *k;
	void *tmp;

	if (!a)
		return DIAG_ENOMEM;
	if (o) {
		json_object_foreach_safe(o, tmp, k, e) {
			if (json_array_append(a, e) < 0) {
				json_decref(a);
				return DIAG_ENOMEM;
			}
		}
	}
	*out = tval_json_new(TV_LIST, a);
	/* appended one by one to []interface{}{}: Go's append growth */
	out->capmode = TVC_DECODED;
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static int S_is_map(const struct tval *v)
{
	return v->kind == TV_MAP || v->kind == TV_VALUES;
}

static int S_is_slice(const struct tval *v)
{
	return v->kind == TV_LIST || v->kind == TV_STRLIST || v->kind == TV_BYTES;
}

/* dst[k] = s, unless that would make a cycle. */
static int S_merge_set(struct tmpl_call *call, json_t *dst, const char *k, size_t klen, json_t *s)
{
	if (sprigl_would_cycle(call->rt, dst, s))
		return S_cycle_error(call);
	return json_object_setn_nocheck(dst, k, klen, s) < 0 ? DIAG_ENOMEM : 0;
}

/*
 * mergo.Merge (overwrite 0) / mergo.MergeWithOverwrite (1) of src into dst,
 * both map[string]interface {}, as deepMerge does it for maps:
 *
 *  - a nil src value is skipped, or with overwrite set into dst;
 *  - a map src value is merged into a map dst value first (in place);
 *  - a slice src value is set when overwriting;
 *  - then a non-empty dst value is kept if src's is a slice, or both are
 *    maps; otherwise src's value is set when overwriting or when dst's is
 *    missing or empty (false, 0, "", nil, empty list or map).
 *
 * NEEDSWORK: mergo also recurses into pointers and structs (semver, time
 * values inside maps); those are treated as plain values here.
 */
static int S_merge_into(struct tmpl_call *call, json_t *dst, json_t *src, int overwrite, int depth)
{
	const char *k;
	size_t klen;
	json_t *s, *d;
	void *tmp;
	int error = 0;

	if (depth > SPRIGL_MAX_DEPTH)
		return S_cycle_error(call);
	json_object_keylen_foreach_safe(src, tmp, k, klen, s) {
		struct tval sv = tval_from_json(call->rt, s), dv = TVAL_INIT;
		int set;

		d = json_object_getn(dst, k, klen);
		if (d)
			dv = tval_from_json(call->rt, d);
		if (sv.kind == TV_NIL) {
			set = overwrite;
		} else if (S_is_slice(&sv) && overwrite) {
			set = 1; /* mergo sets a slice before it looks at dst's value */
		} else {
			if (S_is_map(&sv) && S_is_map(&dv) && sv.u.j != dv.u.j)
				error = S_merge_into(call, dv.u.j, sv.u.j, overwrite, depth + 1);
			if (d && !sprigl_empty(&dv) && (S_is_slice(&sv) || (S_is_map(&sv) && S_is_map(&dv))))
				set = 0;
			else
				set = overwrite || !d || sprigl_empty(&dv);
		}
		if (error == 0 && set)
			error = S_merge_set(call, dst, k, klen, s);
		tval_release(&sv);
		tval_release(&dv);
		if (error < 0)
			return error;
	}
	return 0;
}

/* merge, mergeOverwrite and their must* twins: payload says which. */
enum S_merge_flags { S_OVERWRITE = 1 << 0, S_MUST = 1 << 1 };

static int S_merge(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	unsigned flags = (unsigned)(uintptr_t)call->payload;
	json_t *dst = S_obj(&argv[0]);
	json_t *fresh = NULL;
	int error;

	for (int i = 1; i < argc; i++) {
		json_t *src = S_obj(&argv[i]);

		if (!src)
			continue;
		if (!dst) {
			/* mergo makes a nil dst map when src is not nil */
			if (!(dst = fresh = json_object()))
				return DIAG_ENOMEM;
		}
		if (src == dst)
			continue; /* merging a map into itself changes nothing */
		if ((error = S_merge_into(call, dst, src, flags & S_OVERWRITE, 0)) < 0) {
			json_decref(fresh);
			return error;
		}
	}
	if (!dst)
		return S_ret_map(out, json_object());
	if (!fresh)
		json_incref(dst);
	return S_ret_map(out, dst);
}

/*
 * A deep copy of v as copystructure makes it: maps and lists are new (a nil
 * slice stays nil), a *semver.Version is a new Version of its exported
 * fields only (it has none: 0.0.0), anything else is shared. 0 and *out
 * (new), or DIAG_ENOMEM.
 */
static int S_deep_copy(struct tval *out, struct tmpl_rt *rt, const struct tval *v, int depth)
{
	json_t *c = NULL, *e;
	const char *k;
	size_t klen, i;
	void *tmp;
	int error = DIAG_ENOMEM;

	if (v->kind == TV_SEMVER || v->kind == TV_SEMVERVAL) {
		*out = tval_json_new(v->kind, json_pack("{sIsIsIssssss}", "major", (json_int_t)0,
							"minor", (json_int_t)0, "patch",
							(json_int_t)0, "pre", "", "metadata", "",
							"original", ""));
		return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
	}
	if (depth > SPRIGL_MAX_DEPTH || !(v->kind == TV_LIST || v->kind == TV_STRLIST || S_is_map(v))) {
		*out = tval_copy(v);
		return 0;
	}
	if (!(c = v->kind == TV_LIST || v->kind == TV_STRLIST ? json_array() : json_object()))
		return DIAG_ENOMEM;
	if (json_is_array(v->u.j)) {
		json_array_foreach(v->u.j, i, e) {
			struct tval ev = tval_from_json(rt, e), cv = TVAL_INIT;

			if (S_deep_copy(&cv, rt, &ev, depth + 1) < 0 ||
			    json_array_append_new(c, tval_to_json(rt, &cv)) < 0) {
				tval_release(&ev);
				tval_release(&cv);
				goto done;
			}
			tval_release(&ev);
			tval_release(&cv);
		}
	} else {
		json_object_keylen_foreach_safe(v->u.j, tmp, k, klen, e) {
			struct tval ev = tval_from_json(rt, e), cv = TVAL_INIT;

			if (S_deep_copy(&cv, rt, &ev, depth + 1) < 0 ||
			    json_object_setn_new_nocheck(c, k, klen, tval_to_json(rt, &cv)) < 0) {
				tval_release(&ev);
				tval_release(&cv);
				goto done;
			}
			tval_release(&ev);
			tval_release(&cv);
		}
	}
	*out = tval_json_new(v->kind, c);
	out->nilslice = v->nilslice;
	c = NULL;
	error = out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
	/* copystructure makes a slice of the same length and capacity (a
	 * new backing array: zero values past the length) */
	if (!error && json_is_array(v->u.j))
		tval_set_cap(out, tval_cap(v));
done:
	json_decref(c);
	return error;
}

static int S_deepCopy(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct tval *v = &argv[0];

	if (v->kind == TV_NIL || v->kind == TV_INVALID) {
		/* copystructure: reflect.ValueOf(nil).Type() panics */
		return tmpl_call_errorf(call, "reflect: call of reflect.Value.Type on zero Value");
	}
	return S_deep_copy(out, call->rt, v, 0);
}

/* Go's panic text for a failed x.(map[string]interface {}) or x.(string). */
static int S_conversion_error(struct tmpl_call *call, const struct tval *v, const char *want)
{
	const char *have = (v->kind == TV_NIL || v->kind == TV_INVALID) ? "nil" : tval_type_name(v);

	return tmpl_call_errorf(call, "interface conversion: interface {} is %s, not %s", have, want);
}

static int S_dig(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct tval *dv;
	json_t *o;
	int nkeys = argc - 2;
	struct tval step = TVAL_INIT;

	if (argc < 3)
		return tmpl_call_errorf(call, "dig needs at least three arguments");
	dv = &argv[argc - 1];
	if (dv->kind != TV_MAP)
		return S_conversion_error(call, dv, "map[string]interface {}");
	for (int i = 0; i < nkeys; i++)
		if (argv[i].kind != TV_STRING)
			return S_conversion_error(call, &argv[i], "string");
	o = dv->u.j;
	for (int i = 0; i < nkeys; i++) {
		size_t len;
		const char *k = tval_str_ptr(&argv[i], &len);
		json_t *e = json_object_getn(o, k, len);

		if (!e) {
			*out = tval_copy(&argv[argc - 2]);
			return 0;
		}
		if (i == nkeys - 1) {
			*out = tval_from_json(call->rt, e);
			return 0;
		}
		step = tval_from_json(call->rt, e);
		if (step.kind != TV_MAP) {
			int error = S_conversion_error(call, &step, "map[string]interface {}");

			tval_release(&step);
			return error;
		}
		tval_release(&step);
		o = e;
	}
	return 0;
}

static const struct tmpl_func S_funcs[] = {
	{ "dict", S_dict, "v*", TMPL_FN_NOERR, NULL },
	{ "get", S_get, "ms", TMPL_FN_NOERR, NULL },
	{ "set", S_set, "msv", TMPL_FN_NOERR, NULL },
	{ "unset", S_unset, "ms", TMPL_FN_NOERR, NULL },
	{ "hasKey", S_hasKey, "ms", TMPL_FN_NOERR, NULL },
	{ "pluck", S_pluck, "sm*", TMPL_FN_NOERR, NULL },
	{ "keys", S_keys, "m*", TMPL_FN_NOERR, NULL },
	{ "pick", S_pick, "ms*", TMPL_FN_NOERR, NULL },
	{ "omit", S_omit, "ms*", TMPL_FN_NOERR, NULL },
	{ "merge", S_merge, "mm*", TMPL_FN_NOERR, (void *)(uintptr_t)0 },
	{ "mergeOverwrite", S_merge, "mm*", TMPL_FN_NOERR, (void *)(uintptr_t)S_OVERWRITE },
	{ "mustMerge", S_merge, "mm*", 0, (void *)(uintptr_t)S_MUST },
	{ "mustMergeOverwrite", S_merge, "mm*", 0, (void *)(uintptr_t)(S_MUST | S_OVERWRITE) },
	{ "values", S_values, "m", TMPL_FN_NOERR, NULL },
	{ "deepCopy", S_deepCopy, "v", 0, NULL },
	{ "mustDeepCopy", S_deepCopy, "v", 0, NULL },
	{ "dig", S_dig, "v*", 0, NULL },
};

int sprig_dicts_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
