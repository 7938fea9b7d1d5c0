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

/*
 * json.Marshal (flags as value_to_json's) of a template value into b.
 * Returns 0, or -1 with Go's error text in *err, or DIAG_ENOMEM.
 */
static int S_marshal(struct buf *b, struct tmpl_call *call, const struct tval *v,
		     unsigned flags, struct buf *err)
{
	struct diag d = DIAG_INIT;
	json_t *j = NULL, *plain = NULL;
	int error = 0;

	if (v->kind == TV_FLOAT64 && !isfinite(v->u.f)) {
		/* strconv.FormatFloat(f, 'g', -1, 64) */
		buf_adds(err, "json: unsupported value: ");
		buf_adds(err, isnan(v->u.f) ? "NaN" : v->u.f > 0 ? "+Inf" : "-Inf");
		return -1;
	}
	if (v->kind == TV_BYTES) {
		/* Go marshals a []byte as its base64 text */
		size_t len;
		const char *s = tval_str_ptr(v, &len);
		struct buf t = BUF_INIT;

		sprig_enc_b64_encode(&t, s, len);
		if (buf_oom(&t)) {
			buf_release(&t);
			return DIAG_ENOMEM;
		}
		buf_addch(b, '"');
		buf_add(b, t.ptr, t.len);
		buf_addch(b, '"');
		buf_release(&t);
		return buf_oom(b) ? DIAG_ENOMEM : 0;
	}
	j = tval_to_json(call->rt, v);
	if (!j)
		return DIAG_ENOMEM;
	plain = tval_unbox_deep(call->rt, j);
	if (!plain) {
		error = DIAG_ENOMEM;
		goto done;
	}
	error = value_to_json(b, plain, flags, &d);
	if (error == DIAG_EINVALID || error == DIAG_ELIMIT) {
		buf_add(err, d.msg.ptr, d.msg.len);
		error = -1;
	}
done:
	json_decref(j);
	json_decref(plain);
	diag_release(&d);
	return error;
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
