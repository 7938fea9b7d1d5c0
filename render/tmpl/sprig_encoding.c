/*
 * Sprig's encoding functions (Sprig 3.3.0 strings.go and defaults.go):
 * b64enc, b64dec, b32enc, b32dec with Go's encoding/base64 and base32,
 * and the JSON functions with Go's encoding/json.
 *
 * Helm 4.1 replaces toJson, mustToJson and fromJson with its own (same
 * output for toJson and mustToJson; fromJson returns a map); these are
 * Sprig's, which Helm's registry overrides.
 */
#include "render/buf.h"
#include "render/diag.h"
#include "render/value.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_encoding_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S_ARGS struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv

static const char *S_str(const struct tval *argv, int i, size_t *len)
{
	const char *s = tval_str_ptr(&argv[i], len);

	if (!s) {
		*len = 0;
		return "";
	}
	return s;
}

/* Finishes a call whose string result was built in b. */
static int S_done_str(struct tval *out, struct tmpl_call *call, struct buf *b)
{
	if (buf_oom(b)) {
		buf_release(b);
		return tmpl_call_errorf(call, "out of memory");
	}
	*out = tval_strn(b->ptr, b->len);
	buf_release(b);
	if (out->kind == TV_INVALID)
		return tmpl_call_errorf(call, "out of memory");
	return 0;
}

static int S_b64enc(S_ARGS)
{
	struct buf b = BUF_INIT;
	size_t len;
	const char *s = S_str(argv, 0, &len);

	(void)argc;
	sprig_enc_b64_encode(&b, s, len);
	return S_done_str(out, call, &b);
}

/* Sprig returns the error's text as the result. */
static int S_b64dec(S_ARGS)
{
	struct buf b = BUF_INIT;
	size_t len;
	const char *s = S_str(argv, 0, &len);
	int64_t bad;

	(void)argc;
	if (sprig_enc_b64_decode(&b, s, len, &bad) < 0) {
		buf_reset(&b);
		buf_addf(&b, "illegal base64 data at input byte %lld", (long long)bad);
	}
	return S_done_str(out, call, &b);
}

static int S_b32enc(S_ARGS)
{
	struct buf b = BUF_INIT;
	size_t len;
	const char *s = S_str(argv, 0, &len);

	(void)argc;
	sprig_enc_b32_encode(&b, s, len);
	return S_done_str(out, call, &b);
}

static int S_b32dec(S_ARGS)
{
	struct buf b = BUF_INIT;
	size_t len;
	const char *s = S_str(argv, 0, &len);
	int64_t bad;

	(void)argc;
	if (sprig_enc_b32_decode(&b, s, len, &bad) < 0) {
		buf_reset(&b);
		buf_addf(&b, "illegal base32 data at input byte %lld", (long long)bad);
	}
	return S_done_str(out, call, &b);
}

/* Bounds the walk as value_to_json bounds its own. */
#define S_MAX_DEPTH 10000

/* time.Time's MarshalJSON: RFC 3339 with nanoseconds, trailing zeros cut. */
static int S_time_json(json_t **out, const struct tval_time *t, struct buf *err)
{
	int64_t local = t->sec + t->offset;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t secs = local - days * 86400, y, m, d, era, doe, yoe, doy, mp;
	struct buf b = BUF_INIT;
	int digits = 9;
	int32_t ns = t->nsec;

	/* civil date from days since 1970-01-01 (proleptic Gregorian) */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	if (y < 0 || y > 9999) {
		buf_adds(err, "json: error calling MarshalJSON for type time.Time: "
			      "Time.MarshalJSON: year outside of range [0,9999]");
		return -1;
	}
	buf_addf(&b, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)y, (long long)m,
		 (long long)d, (long long)(secs / 3600), (long long)(secs / 60 % 60),
		 (long long)(secs % 60));
	if (ns) {
		while (ns % 10 == 0) {
			ns /= 10;
			digits--;
		}
		buf_addf(&b, ".%0*d", digits, (int)ns);
	}
	if (t->offset == 0)
		buf_addch(&b, 'Z');
	else
		buf_addf(&b, "%c%02d:%02d", t->offset < 0 ? '-' : '+', abs(t->offset) / 3600,
			 abs(t->offset) / 60 % 60);
	*out = buf_oom(&b) ? NULL : json_stringn_nocheck(b.ptr, b.len);
	buf_release(&b);
	return *out ? 0 : DIAG_ENOMEM;
}

/*
 * The plain data json.Marshal would see in v: boxed values (what json
 * cannot hold) as Go marshals their types. Returns 0 with *out (new), -1
 * with Go's error text in err, or DIAG_ENOMEM.
 */
static int S_plain(json_t **out, struct tmpl_call *call, const struct tval *v, int depth,
		   struct buf *err);

static int S_plain_json(json_t **out, struct tmpl_call *call, json_t *j, int depth,
			struct buf *err)
{
	struct tval v;
	int error;

	*out = NULL;
	if (depth > S_MAX_DEPTH) {
		buf_adds(err, "json: unsupported value: nesting too deep");
		return -1;
	}
	if (json_is_array(j)) {
		size_t i;
		json_t *a = json_array();

		if (!a)
			return DIAG_ENOMEM;
		for (i = 0; i < json_array_size(j); i++) {
			json_t *e = NULL;

			if ((error = S_plain_json(&e, call, json_array_get(j, i), depth + 1, err)) < 0 ||
			    (error = json_array_append_new(a, e) < 0 ? DIAG_ENOMEM : 0) < 0) {
				json_decref(a);
				return error;
			}
		}
		*out = a;
		return 0;
	}
	if (!json_is_object(j)) {
		*out = json_incref(j);
		return 0;
	}
	v = tval_from_json(call->rt, j);
	if (v.kind == TV_MAP && v.u.j == j) {
		const char *k;
		size_t klen;
		json_t *e, *o = json_object();

		tval_release(&v);
		if (!o)
			return DIAG_ENOMEM;
		json_object_keylen_foreach(j, k, klen, e) {
			json_t *pe = NULL;

			if ((error = S_plain_json(&pe, call, e, depth + 1, err)) < 0 ||
			    (error = json_object_setn_new_nocheck(o, k, klen, pe) < 0 ? DIAG_ENOMEM
										      : 0) < 0) {
				json_decref(o);
				return error;
			}
		}
		*out = o;
		return 0;
	}
	/* a boxed value */
	error = S_plain(out, call, &v, depth + 1, err);
	tval_release(&v);
	return error;
}

static int S_plain(json_t **out, struct tmpl_call *call, const struct tval *v, int depth,
		   struct buf *err)
{
	*out = NULL;
	switch (v->kind) {
	case TV_FLOAT64:
		if (!isfinite(v->u.f)) {
			/* strconv.FormatFloat(f, 'g', -1, 64) */
			buf_adds(err, "json: unsupported value: ");
			buf_adds(err, isnan(v->u.f) ? "NaN" : v->u.f > 0 ? "+Inf" : "-Inf");
			return -1;
		}
		*out = json_real(v->u.f);
		break;
	case TV_BYTES: {
		/* a []byte marshals as its base64 text */
		size_t len;
		const char *s = tval_str_ptr(v, &len);
		struct buf t = BUF_INIT;

		sprig_enc_b64_encode(&t, s, len);
		*out = buf_oom(&t) ? NULL : json_stringn_nocheck(t.ptr, t.len);
		buf_release(&t);
		break;
	}
	case TV_TIME:
		return S_time_json(out, &v->u.t, err);
	case TV_DURATION:
		*out = json_integer(v->u.i);
		break;
	case TV_STRLIST: case TV_LIST: case TV_MAP: case TV_VALUES:
		if (v->nilslice) {
			/* a nil slice marshals as null */
			*out = json_null();
			break;
		}
		return S_plain_json(out, call, v->u.j, depth, err);
	case TV_OBJECT:
		if (v->u.o->type->data) {
			/* a named map or slice marshals as its data
			 * (engine.files: its []byte values as base64) */
			struct tval data = TVAL_INIT;
			int got = tval_obj_data(&data, call->rt, v), error;

			if (got < 0)
				return got;
			error = S_plain(out, call, &data, depth + 1, err);
			tval_release(&data);
			return error;
		}
		if (strcmp(v->u.o->type->go_type, "sprig.certificate") == 0 && v->u.o->type->field) {
			/* certificate{Cert, Key string}: its exported fields */
			struct tval c = TVAL_INIT, k = TVAL_INIT;

			if (v->u.o->type->field(&c, v->u.o, "Cert") == 0 &&
			    v->u.o->type->field(&k, v->u.o, "Key") == 0)
				*out = json_pack("{sOsO}", "Cert", c.u.j, "Key", k.u.j);
			tval_release(&c);
			tval_release(&k);
			break;
		}
		/* fall through */
	default: {
		json_t *j = tval_to_json(call->rt, v);

		if (j && json_is_object(j) && v->kind != TV_MAP) {
			/* boxed: what the engine makes of it (%v text) */
			*out = tval_unbox_deep(call->rt, j);
			json_decref(j);
		} else {
			*out = j;
		}
		break;
	}
	}
	return *out ? 0 : DIAG_ENOMEM;
}

/*
 * json.Marshal (flags as value_to_json's) of a template value into b.
 * Returns 0, or -1 with Go's error text in *err, or DIAG_ENOMEM.
 */
static int S_marshal(struct buf *b, struct tmpl_call *call, const struct tval *v,
		     unsigned flags, struct buf *err)
{
	struct diag d = DIAG_INIT;
	json_t *plain = NULL;
	int error;

	if ((error = S_plain(&plain, call, v, 0, err)) < 0)
		return error;
	error = value_to_json(b, plain, flags, &d);
	if (error == DIAG_EINVALID || error == DIAG_ELIMIT) {
		buf_add(err, d.msg.ptr, d.msg.len);
		error = -1;
	}
	json_decref(plain);
	diag_release(&d);
	return error;
}

int sprig_enc_plain(json_t **out, struct tmpl_call *call, const struct tval *v, struct buf *err)
{
	return S_plain(out, call, v, 0, err);
}

/* The JSON functions: payload flags; must (swallows or returns the
 * error) and panic (toRawJson panics) in the table's flags below. */
enum { S_J_MUST = 1, S_J_PANIC = 2 };
struct S_jmode {
	unsigned flags;
	int mode;
};

static int S_tojson(S_ARGS)
{
	const struct S_jmode *m = call->payload;
	struct buf b = BUF_INIT, err = BUF_INIT;
	int error;

	(void)argc;
	error = S_marshal(&b, call, &argv[0], m->flags, &err);
	if (error == -1 && (m->mode & (S_J_MUST | S_J_PANIC))) {
		error = tmpl_call_errorf(call, "%s", err.ptr);
		buf_release(&b);
		buf_release(&err);
		return error;
	}
	buf_release(&err);
	if (error == DIAG_ENOMEM) {
		buf_release(&b);
		return tmpl_call_errorf(call, "out of memory");
	}
	if (error < 0)
		buf_reset(&b);
	return S_done_str(out, call, &b);
}

static const struct S_jmode S_json_plain = { 0, 0 };
static const struct S_jmode S_json_must = { 0, S_J_MUST };
static const struct S_jmode S_json_pretty = { VALUE_JSON_INDENT, 0 };
static const struct S_jmode S_json_must_pretty = { VALUE_JSON_INDENT, S_J_MUST };
static const struct S_jmode S_json_raw = { VALUE_JSON_RAW, S_J_PANIC };
static const struct S_jmode S_json_must_raw = { VALUE_JSON_RAW, S_J_MUST };

/* json.Unmarshal into an interface {}: float64 numbers, maps, lists. */
static int S_fromjson(S_ARGS)
{
	struct buf err = BUF_INIT;
	json_t *j = NULL;
	size_t len;
	const char *s = S_str(argv, 0, &len);
	int error, must = call->payload != NULL;

	(void)argc;
	error = sprig_enc_json_decode(&j, s, len, &err);
	if (error == DIAG_ENOMEM) {
		buf_release(&err);
		return tmpl_call_errorf(call, "out of memory");
	}
	if (error < 0 && must) {
		json_decref(j);
		error = tmpl_call_errorf(call, "%s", err.ptr);
		buf_release(&err);
		return error;
	}
	buf_release(&err);
	*out = j ? tval_from_json(call->rt, j) : tval_nil();
	json_decref(j);
	return 0;
}

static const int S_must_marker = 1;

static const struct tmpl_func S_funcs[] = {
	{ "b64enc", S_b64enc, "s", TMPL_FN_NOERR, NULL },
	{ "b64dec", S_b64dec, "s", TMPL_FN_NOERR, NULL },
	{ "b32enc", S_b32enc, "s", TMPL_FN_NOERR, NULL },
	{ "b32dec", S_b32dec, "s", TMPL_FN_NOERR, NULL },
	{ "toJson", S_tojson, "v", TMPL_FN_NOERR, (void *)&S_json_plain },
	{ "mustToJson", S_tojson, "v", 0, (void *)&S_json_must },
	{ "toPrettyJson", S_tojson, "v", TMPL_FN_NOERR, (void *)&S_json_pretty },
	{ "mustToPrettyJson", S_tojson, "v", 0, (void *)&S_json_must_pretty },
	{ "toRawJson", S_tojson, "v", TMPL_FN_NOERR, (void *)&S_json_raw },
	{ "mustToRawJson", S_tojson, "v", 0, (void *)&S_json_must_raw },
	{ "fromJson", S_fromjson, "s", TMPL_FN_NOERR, NULL },
	{ "mustFromJson", S_fromjson, "s", 0, (void *)&S_must_marker },
};

int sprig_encoding_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
