/*
 * Helm's template functions. See helm_funcs.h; the Go originals are in
 * Helm v4.1.4 pkg/engine/funcs.go (data conversions) and engine.go
 * (include, tpl, required, fail, getHostByName).
 */
#include "render/tmpl/helm_funcs.h"
#include "render/tmpl/sprig_encoding_util.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/gofloat.h"
#include "render/helm/helm_int.h"
#include "render/helm/toml.h"
#include "render/helm/yamlv3.h"
#include "render/srcfile.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/tmpl.h"
#include "render/value.h"
#include "render/yaml.h"

#include <stdlib.h>
#include <string.h>

int helm_funcs_state_own(struct helm_funcs_state *st, void *p)
{
	if (st->nowned == st->owned_cap) {
		size_t cap = st->owned_cap ? st->owned_cap * 2 : 16;
		void **nv = realloc(st->owned, cap * sizeof(*nv));
		if (!nv) {
			free(p);
			return DIAG_ENOMEM;
		}
		st->owned = nv;
		st->owned_cap = cap;
	}
	st->owned[st->nowned++] = p;
	return 0;
}

void helm_funcs_state_release(struct helm_funcs_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nowned; i++)
		free(st->owned[i]);
	free(st->owned);
	json_decref(st->included);
	st->owned = NULL;
	st->nowned = st->owned_cap = 0;
	st->included = NULL;
}

static struct helm_funcs_state *S_state(struct tmpl_call *call)
{
	return call->rt ? tmpl_rt_userdata(call->rt) : NULL;
}

/* What json.Marshal sees in v (Sprig's conversion, shared): 0 with *out
 * new, -1 when Go's marshal fails (NaN, ...), DIAG_ENOMEM. */
static int S_plain(json_t **out, struct tmpl_call *call, const struct tval *v)
{
	struct buf err = BUF_INIT;
	int error = sprig_enc_plain(out, call, v, &err);

	buf_release(&err);
	return error;
}

/* ---- include, tpl */

static int S_include(struct tval *out, struct tmpl_call *call, int argc,
		     const struct tval *argv)
{
	struct helm_funcs_state *st = S_state(call);
	const char *name = tval_str_ptr(&argv[0], NULL);
	struct buf res = BUF_INIT, msg = BUF_INIT;
	json_t *cnt;
	json_int_t n = 0;
	int rc;

	if (!st)
		return tmpl_call_errorf(call, "include needs Helm's rendering state");
	if (!st->included && !(st->included = json_object()))
		return DIAG_ENOMEM;
	/* the count of name's includes under way: one integer per name, kept
	 * (never deleted, so cnt stays valid across the nested execution) */
	cnt = json_object_get(st->included, name);
	if (cnt) {
		n = json_integer_value(cnt);
		if (n > HELM_INCLUDE_MAX)
			return tmpl_call_errorf(call, "rendering template has a nested reference "
					       "name: %s: unable to execute template", name);
		json_integer_set(cnt, n + 1);
	} else if (!(cnt = json_integer(1)) ||
		   json_object_set_new(st->included, name, cnt) < 0) {
		return DIAG_ENOMEM;
	}
	rc = tmpl_call_execute(call, &res, name, &argv[1]);
	json_integer_set(cnt, json_integer_value(cnt) - 1);
	if (rc < 0) {
		if (rc == DIAG_ENOMEM || rc == DIAG_ELIMIT) {
			buf_release(&res);
			return rc;
		}
		buf_add(&msg, call->errmsg->ptr, call->errmsg->len);
		/* Go names the template the call was made on: the root "gotpl" */
		if (msg.len > 11 && memcmp(msg.ptr + msg.len - 11, " associated", 11) == 0)
			buf_adds(&msg, " with template \"gotpl\"");
		rc = tmpl_call_errorf(call, "%s", msg.ptr);
		buf_release(&msg);
		buf_release(&res);
		return rc;
	}
	if (buf_oom(&res)) {
		buf_release(&res);
		return DIAG_ENOMEM;
	}
	*out = tval_strn(res.ptr, res.len);
	buf_release(&res);
	return out->kind == TV_STRING ? 0 : DIAG_ENOMEM;
}

/* What the "gotpl" template holds while a tpl text is parsed (see S_tpl). */
#define S_TPL_SENTINEL "\001hydrate: empty tpl\001"

/* Whether text holds "{{". */
static int S_has_action(const char *text, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '{' && text[i + 1] == '{')
			return 1;
	return 0;
}

static int S_tpl(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	size_t len;
	const char *text = tval_str_ptr(&argv[0], &len);
	struct buf res = BUF_INIT, msg = BUF_INIT, q = BUF_INIT;
	int rc;

	if (!S_state(call))
		return tmpl_call_errorf(call, "tpl needs Helm's rendering state");
	tmpl_quote(&q, text, len);
	/*
	 * Go parses the text into a fresh template named "gotpl" and executes
	 * that one, even when its tree is empty (only space, comments or
	 * defines) and so does not replace an earlier "gotpl" in the common
	 * set. Our set keeps the earlier one then; a sentinel parsed first
	 * makes that case visible instead of re-running an outer tpl.
	 */
	rc = tmpl_call_parse(call, "gotpl", S_TPL_SENTINEL, sizeof(S_TPL_SENTINEL) - 1);
	if (rc < 0) {
		if (rc != DIAG_ENOMEM && rc != DIAG_ELIMIT)
			rc = tmpl_call_errorf(call, "%s", "cannot prepare tpl");
		goto done;
	}
	rc = tmpl_call_parse(call, "gotpl", text, len);
	if (rc < 0) {
		if (rc == DIAG_ENOMEM || rc == DIAG_ELIMIT)
			goto done;
		buf_add(&msg, call->errmsg->ptr, call->errmsg->len);
		rc = tmpl_call_errorf(call, "cannot parse template %s: %s", q.ptr, msg.ptr);
		goto done;
	}
	rc = tmpl_call_execute(call, &res, "gotpl", &argv[1]);
	if (rc < 0) {
		if (rc == DIAG_ENOMEM || rc == DIAG_ELIMIT)
			goto done;
		buf_add(&msg, call->errmsg->ptr, call->errmsg->len);
		rc = tmpl_call_errorf(call, "error during tpl function execution for %s: %s",
				      q.ptr, msg.ptr);
		goto done;
	}
	if (res.len == sizeof(S_TPL_SENTINEL) - 1 &&
	    memcmp(res.ptr, S_TPL_SENTINEL, res.len) == 0) {
		/* an empty tree prints its blank text; actions leave none */
		buf_reset(&res);
		if (!S_has_action(text, len))
			buf_add(&res, text, len);
	}
	tmpl_strip_no_value(&res);
	if (buf_oom(&res) || buf_oom(&q)) {
		rc = DIAG_ENOMEM;
		goto done;
	}
	*out = tval_strn(res.ptr, res.len);
	rc = out->kind == TV_STRING ? 0 : DIAG_ENOMEM;
done:
	buf_release(&res);
	buf_release(&msg);
	buf_release(&q);
	return rc;
}

/* ---- required, fail */

static int S_required(struct tval *out, struct tmpl_call *call, int argc,
		      const struct tval *argv)
{
	const char *warn = tval_str_ptr(&argv[0], NULL);
	const struct tval *v = &argv[1];
	size_t len;

	if (v->kind == TV_NIL || v->kind == TV_INVALID ||
	    (v->kind == TV_STRING && (tval_str_ptr(v, &len), len == 0)))
		return tmpl_call_errorf(call, "HELM_ERR_START%sHELM_ERR_END", warn);
	*out = tval_copy(v);
	return 0;
}

static int S_fail(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return tmpl_call_errorf(call, "HELM_ERR_START%sHELM_ERR_END", tval_str_ptr(&argv[0], NULL));
}

/* ---- YAML */

int helm_to_yaml(struct buf *out, const json_t *v)
{
	struct buf tmp = BUF_INIT;
	int error = value_to_yaml(&tmp, v, NULL);

	if (error == DIAG_ENOMEM) {
		buf_release(&tmp);
		return error;
	}
	if (error == 0) {
		if (tmp.len && tmp.ptr[tmp.len - 1] == '\n')
			tmp.len--;
		buf_add(out, tmp.ptr, tmp.len);
	}
	buf_release(&tmp);
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

static int S_yaml_common(struct tval *out, struct tmpl_call *call, const struct tval *v, int must)
{
	json_t *j = NULL;
	struct buf res = BUF_INIT, err = BUF_INIT;
	struct diag d = DIAG_INIT;
	int error = sprig_enc_plain(&j, call, v, &err);

	if (error == DIAG_ENOMEM) {
		buf_release(&err);
		return error;
	}
	if (error < 0)
		error = diag_set(&d, DIAG_EINVALID, "%s", err.ptr);
	else
		error = value_to_yaml(&res, j, &d);
	buf_release(&err);
	json_decref(j);
	if (error < 0) {
		buf_release(&res);
		if (error == DIAG_ENOMEM) {
			diag_release(&d);
			return error;
		}
		if (must) {
			error = tmpl_call_errorf(call, "%s", d.msg.ptr);
			diag_release(&d);
			return error;
		}
		diag_release(&d);
		*out = tval_str("");
		return 0;
	}
	diag_release(&d);
	if (res.len && res.ptr[res.len - 1] == '\n')
		res.len--;
	*out = tval_strn(res.ptr, res.len);
	buf_release(&res);
	return out->kind == TV_STRING ? 0 : DIAG_ENOMEM;
}

static int S_to_yaml(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_yaml_common(out, call, &argv[0], 0);
}

static int S_must_to_yaml(struct tval *out, struct tmpl_call *call, int argc,
			  const struct tval *argv)
{
	return S_yaml_common(out, call, &argv[0], 1);
}

/* toYAMLPretty: yaml.v3's Encoder with SetIndent(2), one newline trimmed;
 * an encoding error gives "". */
static int S_to_yaml_pretty(struct tval *out, struct tmpl_call *call, int argc,
			    const struct tval *argv)
{
	json_t *j = NULL;
	struct buf res = BUF_INIT;
	int error = S_plain(&j, call, &argv[0]);

	if (error == DIAG_ENOMEM)
		return error;
	if (error == 0)
		error = helm_yaml_v3_encode(&res, j);
	json_decref(j);
	if (error == DIAG_ENOMEM) {
		buf_release(&res);
		return error;
	}
	if (error < 0)
		buf_reset(&res);
	if (res.len && res.ptr[res.len - 1] == '\n')
		res.len--;
	*out = tval_strn(res.ptr, res.len);
	buf_release(&res);
	return out->kind == TV_STRING ? 0 : DIAG_ENOMEM;
}

/* sigs.k8s.io/yaml.Unmarshal of the first document: NULL root for an empty one. */
static int S_parse_yaml(json_t **out, const char *s, size_t len, struct buf *err)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream ys = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	int error;

	*out = NULL;
	if (srcfile_set(&src, "<fromYaml>", s, len) < 0)
		return DIAG_ENOMEM;
	error = ystream_parse(&ys, &src, YDOC_HELM, NULL, &d);
	if (error < 0) {
		if (error != DIAG_ENOMEM) {
			/* go-yaml's "line N: PROBLEM", not our "NAME:L:C: ..." */
			buf_adds(err, "error converting YAML to JSON: yaml: ");
			helm__go_yaml_error(err, d.msg.ptr, "<fromYaml>");
			error = DIAG_EPARSE;
		}
		goto done;
	}
	if (ys.ndocs > 0 && ys.docs[0].root && !json_is_null(ys.docs[0].root))
		*out = json_incref(ys.docs[0].root);
done:
	ystream_release(&ys);
	srcfile_release(&src);
	diag_release(&d);
	return error;
}

static const char *S_go_json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: case JSON_REAL: return "number";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	default: return "null";
	}
}

static int S_from_yaml(struct tval *out, struct tmpl_call *call, int argc,
		       const struct tval *argv)
{
	size_t len;
	const char *s = tval_str_ptr(&argv[0], &len);
	struct buf err = BUF_INIT;
	json_t *root = NULL, *m = NULL;
	int error = S_parse_yaml(&root, s, len, &err);

	if (error == DIAG_ENOMEM)
		goto done;
	if (error == 0 && root && !json_is_object(root)) {
		buf_addf(&err, "error unmarshaling JSON: while decoding JSON: json: cannot "
			       "unmarshal %s into Go value of type map[string]interface {}",
			 S_go_json_kind(root));
		error = DIAG_EPARSE;
	}
	if (error == 0 && root) {
		m = json_incref(root);
	} else {
		m = json_object();
		if (m && error < 0 && json_object_set_new(m, "Error", json_stringn_nocheck(err.ptr, err.len)) < 0) {
			error = DIAG_ENOMEM;
			goto done;
		}
	}
	if (!m) {
		error = DIAG_ENOMEM;
		goto done;
	}
	*out = tval_json_new(TV_MAP, m);
	m = NULL;
	error = 0;
done:
	json_decref(root);
	json_decref(m);
	buf_release(&err);
	return error;
}

static int S_from_yaml_array(struct tval *out, struct tmpl_call *call, int argc,
			     const struct tval *argv)
{
	size_t len;
	const char *s = tval_str_ptr(&argv[0], &len);
	struct buf err = BUF_INIT;
	json_t *root = NULL, *a = NULL;
	int error = S_parse_yaml(&root, s, len, &err);

	if (error == DIAG_ENOMEM)
		goto done;
	if (error == 0 && root && !json_is_array(root)) {
		buf_addf(&err, "error unmarshaling JSON: while decoding JSON: json: cannot "
			       "unmarshal %s into Go value of type []interface {}",
			 S_go_json_kind(root));
		error = DIAG_EPARSE;
	}
	if (error == 0) {
		a = root ? json_incref(root) : json_array();
	} else {
		a = json_array();
		if (a && json_array_append_new(a, json_stringn_nocheck(err.ptr, err.len)) < 0) {
			error = DIAG_ENOMEM;
			goto done;
		}
	}
	if (!a) {
		error = DIAG_ENOMEM;
		goto done;
	}
	*out = tval_json_new(TV_LIST, a);
	/* encoding/json grows the slice one element at a time */
	if (error == 0)
		out->capmode = TVC_DECODED;
	a = NULL;
	error = 0;
done:
	json_decref(root);
	json_decref(a);
	buf_release(&err);
	return error;
}

/* ---- JSON */

static int S_json_common(struct tval *out, struct tmpl_call *call, const struct tval *v, int must)
{
	json_t *j = NULL;
	struct buf res = BUF_INIT, err = BUF_INIT;
	struct diag d = DIAG_INIT;
	int error = sprig_enc_plain(&j, call, v, &err);

	if (error == DIAG_ENOMEM) {
		buf_release(&err);
		return error;
	}
	if (error < 0)
		error = diag_set(&d, DIAG_EINVALID, "%s", err.ptr);
	else
		error = value_to_json(&res, j, 0, &d);
	buf_release(&err);
	json_decref(j);
	if (error < 0) {
		buf_release(&res);
		if (error != DIAG_ENOMEM && must)
			error = tmpl_call_errorf(call, "%s", d.msg.ptr);
		else if (error != DIAG_ENOMEM) {
			*out = tval_str("");
			error = 0;
		}
		diag_release(&d);
		return error;
	}
	diag_release(&d);
	*out = tval_strn(res.ptr, res.len);
	buf_release(&res);
	return out->kind == TV_STRING ? 0 : DIAG_ENOMEM;
}

static int S_to_json(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_json_common(out, call, &argv[0], 0);
}

static int S_must_to_json(struct tval *out, struct tmpl_call *call, int argc,
			  const struct tval *argv)
{
	return S_json_common(out, call, &argv[0], 1);
}

/* json.Unmarshal into an interface {} with Go's error texts (Sprig's
 * decoder, shared): NULL with the text in err on failure. */
static json_t *S_parse_json(const char *s, size_t len, struct buf *err)
{
	json_t *j = NULL;
	int error = sprig_enc_json_decode(&j, s, len, err);

	if (error == DIAG_ENOMEM) {
		buf_adds(err, "out of memory");
		return NULL;
	}
	if (error < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int S_from_json(struct tval *out, struct tmpl_call *call, int argc,
		       const struct tval *argv)
{
	size_t len;
	const char *s = tval_str_ptr(&argv[0], &len);
	struct buf err = BUF_INIT;
	json_t *j = S_parse_json(s, len, &err), *m = NULL;

	if (j && !json_is_object(j) && !json_is_null(j)) {
		buf_addf(&err, "json: cannot unmarshal %s into Go value of type "
			       "map[string]interface {}", S_go_json_kind(j));
		json_decref(j);
		j = NULL;
	}
	if (j && json_is_object(j)) {
		m = j;
	} else {
		json_decref(j);
		m = json_object();
		if (m && err.len && json_object_set_new(m, "Error", json_stringn_nocheck(err.ptr, err.len)) < 0) {
			json_decref(m);
			m = NULL;
		}
	}
	buf_release(&err);
	if (!m)
		return DIAG_ENOMEM;
	*out = tval_json_new(TV_MAP, m);
	return 0;
}

static int S_from_json_array(struct tval *out, struct tmpl_call *call, int argc,
			     const struct tval *argv)
{
	size_t len;
	const char *s = tval_str_ptr(&argv[0], &len);
	struct buf err = BUF_INIT;
	json_t *j = S_parse_json(s, len, &err), *a = NULL;
	int decoded = 0;

	if (j && !json_is_array(j) && !json_is_null(j)) {
		buf_addf(&err, "json: cannot unmarshal %s into Go value of type []interface {}",
			 S_go_json_kind(j));
		json_decref(j);
		j = NULL;
	}
	if (j && json_is_array(j)) {
		a = j;
		decoded = 1;
	} else {
		json_decref(j);
		a = json_array();
		if (a && err.len && json_array_append_new(a, json_stringn_nocheck(err.ptr, err.len)) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	buf_release(&err);
	if (!a)
		return DIAG_ENOMEM;
	*out = tval_json_new(TV_LIST, a);
	/* encoding/json grows the slice one element at a time */
	if (decoded)
		out->capmode = TVC_DECODED;
	return 0;
}

/* ---- TOML: BurntSushi/toml v1.6.0's Encoder (encode.go), Indent "  " */

enum toml_type { TT_NIL, TT_SCALAR, TT_ARRAY, TT_HASH, TT_ARRAY_HASH };

struct tenc {
	struct buf *out;
	int written;
	const char *err;     /* static Go error text once failed */
	const char **key;    /* the current key path */
	size_t nkey, keycap;
	int depth;
};

static void S_toml_write(struct tenc *te, const char *s, size_t n)
{
	buf_add(te->out, s, n);
	te->written = 1;
}

static void S_toml_writes(struct tenc *te, const char *s)
{
	S_toml_write(te, s, strlen(s));
}

static void S_toml_newline(struct tenc *te)
{
	if (te->written)
		S_toml_writes(te, "\n");
}

/* tomlTypeOfGo; an array with a nil element is an error (isTableArray). */
static enum toml_type S_toml_type(struct tenc *te, const json_t *v)
{
	size_t i, n;
	int all_hash = 1;

	switch (json_typeof(v)) {
	case JSON_NULL:
		return TT_NIL;
	case JSON_OBJECT:
		return TT_HASH;
	case JSON_ARRAY:
		n = json_array_size(v);
		if (n == 0)
			return TT_ARRAY;
		for (i = 0; i < n; i++) {
			json_t *e = json_array_get(v, i);
			if (json_is_null(e)) {
				if (!te->err)
					te->err = "toml: cannot encode array with nil element";
				return TT_ARRAY;
			}
			if (!json_is_object(e))
				all_hash = 0;
		}
		return all_hash ? TT_ARRAY_HASH : TT_ARRAY;
	default:
		return TT_SCALAR;
	}
}

static int S_toml_bare(const char *k)
{
	if (!*k)
		return 0;
	for (; *k; k++)
		if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') ||
		      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
			return 0;
	return 1;
}

/* dblQuotedReplacer inside double quotes */
static void S_toml_quoted(struct tenc *te, const char *s, size_t n)
{
	S_toml_writes(te, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': S_toml_writes(te, "\\\""); break;
		case '\\': S_toml_writes(te, "\\\\"); break;
		case '\b': S_toml_writes(te, "\\b"); break;
		case '\t': S_toml_writes(te, "\\t"); break;
		case '\n': S_toml_writes(te, "\\n"); break;
		case '\f': S_toml_writes(te, "\\f"); break;
		case '\r': S_toml_writes(te, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_addf(te->out, "\\u%04x", c);
			else
				buf_addch(te->out, (char)c);
		}
	}
	S_toml_writes(te, "\"");
}

static void S_toml_key_part(struct tenc *te, const char *k)
{
	if (!*k)
		S_toml_writes(te, "\"\"");
	else if (S_toml_bare(k))
		S_toml_writes(te, k);
	else
		S_toml_quoted(te, k, strlen(k));
}

static void S_toml_indent(struct tenc *te)
{
	for (size_t i = 1; i < te->nkey; i++)
		S_toml_writes(te, "  ");
}

static void S_toml_key_string(struct tenc *te)
{
	for (size_t i = 0; i < te->nkey; i++) {
		if (i)
			S_toml_writes(te, ".");
		S_toml_key_part(te, te->key[i]);
	}
}

static int S_toml_push(struct tenc *te, const char *k)
{
	if (te->nkey == te->keycap) {
		size_t cap = te->keycap ? te->keycap * 2 : 8;
		const char **nk = realloc(te->key, cap * sizeof(*nk));
		if (!nk)
			return DIAG_ENOMEM;
		te->key = nk;
		te->keycap = cap;
	}
	te->key[te->nkey++] = k;
	return 0;
}

static void S_toml_map(struct tenc *te, const json_t *obj, int inline_);

static void S_toml_element(struct tenc *te, const json_t *v)
{
	struct buf num = BUF_INIT;

	if (te->err || ++te->depth > 10000) {
		if (!te->err)
			te->err = "toml: nested too deeply";
		te->depth--;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		S_toml_quoted(te, json_string_value(v), json_string_length(v));
		break;
	case JSON_TRUE:
		S_toml_writes(te, "true");
		break;
	case JSON_FALSE:
		S_toml_writes(te, "false");
		break;
	case JSON_INTEGER:
		buf_add_int(te->out, (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		gofloat_format(&num, json_real_value(v), 'g', -1, 64);
		S_toml_write(te, num.ptr, num.len);
		if (!strchr(num.ptr, 'e') && !strchr(num.ptr, '.'))
			S_toml_writes(te, ".0");
		break;
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);
		S_toml_writes(te, "[");
		for (i = 0; i < n; i++) {
			S_toml_element(te, json_array_get(v, i));
			if (i != n - 1)
				S_toml_writes(te, ", ");
		}
		S_toml_writes(te, "]");
		break;
	}
	case JSON_OBJECT:
		S_toml_map(te, v, 1);
		break;
	case JSON_NULL:
		if (!te->err)
			te->err = "toml: cannot encode array with nil element";
		break;
	}
	buf_release(&num);
	te->depth--;
}

static void S_toml_key_value(struct tenc *te, const json_t *v, int inline_)
{
	if (te->nkey == 0) {
		S_toml_element(te, v);
		return;
	}
	S_toml_indent(te);
	S_toml_key_part(te, te->key[te->nkey - 1]);
	S_toml_writes(te, " = ");
	S_toml_element(te, v);
	if (!inline_)
		S_toml_newline(te);
}

static void S_toml_encode(struct tenc *te, const json_t *v);

static void S_toml_table(struct tenc *te, const json_t *v)
{
	if (te->nkey == 1)
		S_toml_newline(te);
	if (te->nkey > 0) {
		S_toml_indent(te);
		S_toml_writes(te, "[");
		S_toml_key_string(te);
		S_toml_writes(te, "]");
		S_toml_newline(te);
	}
	S_toml_map(te, v, 0);
}

static void S_toml_array_of_tables(struct tenc *te, const json_t *v)
{
	size_t i;

	if (te->nkey == 0) {
		te->err = "toml: top-level values must be Go maps or structs";
		return;
	}
	for (i = 0; i < json_array_size(v) && !te->err; i++) {
		S_toml_newline(te);
		S_toml_indent(te);
		S_toml_writes(te, "[[");
		S_toml_key_string(te);
		S_toml_writes(te, "]]");
		S_toml_newline(te);
		S_toml_map(te, json_array_get(v, i), 0);
	}
}

static void S_toml_encode(struct tenc *te, const json_t *v)
{
	enum toml_type t = S_toml_type(te, v);

	if (te->err)
		return;
	switch (t) {
	case TT_NIL:
		break;
	case TT_SCALAR:
		S_toml_key_value(te, v, 0);
		break;
	case TT_ARRAY:
		S_toml_key_value(te, v, 0);
		break;
	case TT_ARRAY_HASH:
		S_toml_array_of_tables(te, v);
		break;
	case TT_HASH:
		S_toml_table(te, v);
		break;
	}
}

static int S_toml_cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void S_toml_write_keys(struct tenc *te, const json_t *obj, const char **keys, size_t n,
			 int inline_, int trail_comma)
{
	size_t i;

	if (n)
		qsort(keys, n, sizeof(*keys), S_toml_cmp_keys);
	for (i = 0; i < n && !te->err; i++) {
		const json_t *val = json_object_get(obj, keys[i]);
		if (json_is_null(val))
			continue;
		if (S_toml_push(te, keys[i]) < 0) {
			te->err = "out of memory";
			return;
		}
		if (inline_) {
			/* writeKeyValue(Key{k}, ...): no indent for one piece */
			size_t saved = te->nkey;
			const char *k = te->key[saved - 1];
			te->key[0] = k;
			te->nkey = 1;
			S_toml_key_value(te, val, 1);
			te->nkey = saved;
			if (trail_comma || i != n - 1)
				S_toml_writes(te, ", ");
		} else {
			S_toml_encode(te, val);
		}
		te->nkey--;
	}
}

static void S_toml_map(struct tenc *te, const json_t *obj, int inline_)
{
	const char **direct = NULL, **sub = NULL, *k;
	size_t nd = 0, ns = 0, n = json_object_size(obj);
	const char **saved_key = NULL;
	size_t saved_n = 0;
	json_t *v;

	if (te->err || ++te->depth > 10000) {
		if (!te->err)
			te->err = "toml: nested too deeply";
		te->depth--;
		return;
	}
	if (n) {
		direct = calloc(n, sizeof(*direct));
		sub = calloc(n, sizeof(*sub));
		if (!direct || !sub) {
			te->err = "out of memory";
			goto done;
		}
	}
	json_object_foreach((json_t *)obj, k, v) {
		enum toml_type t = S_toml_type(te, v);
		if (t == TT_HASH || t == TT_ARRAY_HASH)
			sub[ns++] = k;
		else
			direct[nd++] = k;
	}
	if (te->err)
		goto done;
	if (inline_) {
		/* inline tables restart the key path; keep the outer one */
		saved_n = te->nkey;
		if (saved_n && !(saved_key = malloc(saved_n * sizeof(*saved_key)))) {
			te->err = "out of memory";
			goto done;
		}
		if (saved_n)
			memcpy(saved_key, te->key, saved_n * sizeof(*saved_key));
		te->nkey = 0;
		S_toml_writes(te, "{");
	}
	S_toml_write_keys(te, obj, direct, nd, inline_, ns > 0);
	S_toml_write_keys(te, obj, sub, ns, inline_, 0);
	if (inline_) {
		S_toml_writes(te, "}");
		if (saved_n)
			memcpy(te->key, saved_key, saved_n * sizeof(*saved_key));
		te->nkey = saved_n;
	}
done:
	free(saved_key);
	free(direct);
	free(sub);
	te->depth--;
}

static int S_to_toml(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *j = NULL;
	struct buf res = BUF_INIT;
	struct tenc te = { &res, 0, NULL, NULL, 0, 0, 0 };
	int error = S_plain(&j, call, &argv[0]);

	if (error == DIAG_ENOMEM)
		return error;
	if (error < 0)
		te.err = "json: unsupported value";
	else if (json_is_null(j))
		te.err = "unsupported type for key '': invalid";
	else
		S_toml_encode(&te, j);
	json_decref(j);
	free(te.key);
	if (buf_oom(&res)) {
		buf_release(&res);
		return DIAG_ENOMEM;
	}
	/* Helm's toTOML returns the error's text instead of the document */
	*out = te.err ? tval_str(te.err) : tval_strn(res.ptr, res.len);
	buf_release(&res);
	return out->kind == TV_STRING ? 0 : DIAG_ENOMEM;
}

static int S_from_toml(struct tval *out, struct tmpl_call *call, int argc,
		       const struct tval *argv)
{
	size_t len;
	const char *s = tval_str_ptr(&argv[0], &len);
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	int error = helm_toml_parse(&m, s, len, &err);

	if (error == DIAG_ENOMEM) {
		buf_release(&err);
		return error;
	}
	if (error < 0) {
		/* fromTOML: the error's text under "Error" */
		m = json_object();
		if (!m || json_object_set_new(m, "Error", json_stringn_nocheck(err.ptr, err.len)) < 0) {
			json_decref(m);
			buf_release(&err);
			return DIAG_ENOMEM;
		}
	}
	buf_release(&err);
	*out = tval_json_new(TV_MAP, m);
	return 0;
}

/* ---- no cluster */

static int S_lookup(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *m = json_object();

	if (!m)
		return DIAG_ENOMEM;
	*out = tval_json_new(TV_MAP, m);
	return 0;
}

static int S_get_host_by_name(struct tval *out, struct tmpl_call *call, int argc,
			      const struct tval *argv)
{
	*out = tval_str("");
	return out->kind == TV_STRING ? 0 : DIAG_ENOMEM;
}

static const struct tmpl_func S_funcs[] = {
	{ "include", S_include, "sv", TMPL_FN_CONTEXT, NULL },
	{ "tpl", S_tpl, "sv", TMPL_FN_CONTEXT, NULL },
	{ "required", S_required, "sv", 0, NULL },
	{ "fail", S_fail, "s", 0, NULL },
	{ "toYaml", S_to_yaml, "v", TMPL_FN_NOERR, NULL },
	{ "mustToYaml", S_must_to_yaml, "v", TMPL_FN_NOERR, NULL },
	{ "toYamlPretty", S_to_yaml_pretty, "v", TMPL_FN_NOERR, NULL },
	{ "fromYaml", S_from_yaml, "s", TMPL_FN_NOERR, NULL },
	{ "fromYamlArray", S_from_yaml_array, "s", TMPL_FN_NOERR, NULL },
	{ "toJson", S_to_json, "v", TMPL_FN_NOERR, NULL },
	{ "mustToJson", S_must_to_json, "v", TMPL_FN_NOERR, NULL },
	{ "fromJson", S_from_json, "s", TMPL_FN_NOERR, NULL },
	{ "fromJsonArray", S_from_json_array, "s", TMPL_FN_NOERR, NULL },
	{ "toToml", S_to_toml, "v", TMPL_FN_NOERR, NULL },
	{ "fromToml", S_from_toml, "s", TMPL_FN_NOERR, NULL },
	{ "lookup", S_lookup, "ssss", 0, NULL },
	{ "getHostByName", S_get_host_by_name, "s", TMPL_FN_NOERR, NULL },
};

int helm_funcs_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
