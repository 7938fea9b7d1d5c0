/*
 * The executor of Go's text/template (exec.go): walks a tree with a dot
 * value, evaluates pipelines, fields, variables and function calls with
 * Go's reflection rules, and reports errors with Go's texts.
 *
 * Go panics on an error; here every eval function returns 0 or X_ERR (the
 * message is in the shared exec context), and walk returns X_BREAK or
 * X_CONTINUE for {{break}} and {{continue}}.
 */
#include "render/tmpl/tmpl_int.h"

#include "render/gofloat.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define X_ERR (-1)
#define X_BREAK 1
#define X_CONTINUE 2

#define MAX_EXEC_DEPTH 100000

struct tmpl_exec {
	const struct tmpl_set *base;
	struct tmpl_set *overlay;
	struct tmpl_rt *rt;
	struct buf err;
	int code;
	char *stack_base;
	int call_depth;
};

/* A value as evaluated, with whether Go's static type is interface {}
 * (values read out of maps): it only changes error texts. */
struct xval {
	struct tval v;
	int iface;
	int missing;   /* Go's missingVal: no final value in a pipeline */
};

struct xvar {
	const char *name;
	struct tval v;
	int iface;
};

struct xstate {
	struct tmpl_exec *ex;
	const struct ttree *tmpl;
	const struct tnode *node;
	struct xvar *vars;
	size_t nvars, cap;
	int depth;
	struct buf *out;
};

static struct xval ex_xv(struct tval v)
{
	struct xval x;
	x.v = v;
	x.iface = 0;
	x.missing = 0;
	return x;
}

static struct xval ex_missing(void)
{
	struct xval x = ex_xv(tval_invalid());
	x.missing = 1;
	return x;
}

static const struct ttree *ex_lookup(struct tmpl_exec *ex, const char *name)
{
	if (ex->overlay)
		return tmpl__set_lookup(ex->overlay, name);
	return tmpl__set_lookup(ex->base, name);
}

/* ---- errors */

/* Go's ErrorContext: the node lies in t's text (t is the template being
 * executed; its tree came from the same parse as the node). */
static void ex_location(struct buf *out, const struct ttree *t, const struct tnode *n)
{
	size_t pos = n->pos, i, last_nl = (size_t)-1;
	int line = 1;

	if (pos > t->text_len)
		pos = t->text_len;
	for (i = 0; i < pos; i++) {
		if (t->text[i] == '\n') {
			line++;
			last_nl = i;
		}
	}
	buf_addf(out, "%s:%d:%zu", t->parse_name, line,
		 last_nl == (size_t)-1 ? pos : pos - last_nl - 1);
}

static int ex_verrorf(struct xstate *s, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int ex_verrorf(struct xstate *s, int code, const char *fmt, va_list ap)
{
	struct buf *e = &s->ex->err;

	buf_reset(e);
	if (!s->node) {
		buf_addf(e, "template: %s: ", s->tmpl->name);
	} else {
		buf_adds(e, "template: ");
		ex_location(e, s->tmpl, s->node);
		buf_adds(e, ": executing ");
		tmpl_quote(e, s->tmpl->name, strlen(s->tmpl->name));
		buf_adds(e, " at <");
		tmpl__node_string(e, s->node);
		buf_adds(e, ">: ");
	}
	buf_vaddf(e, fmt, ap);
	s->ex->code = code;
	return X_ERR;
}

static int ex_errorf(struct xstate *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ex_errorf(struct xstate *s, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ex_verrorf(s, DIAG_EEXEC, fmt, ap);
	va_end(ap);
	return rc;
}

static int ex_limitf(struct xstate *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ex_limitf(struct xstate *s, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ex_verrorf(s, DIAG_ELIMIT, fmt, ap);
	va_end(ap);
	return rc;
}

static int ex_oom(struct xstate *s)
{
	buf_reset(&s->ex->err);
	buf_adds(&s->ex->err, "out of memory");
	s->ex->code = DIAG_ENOMEM;
	return X_ERR;
}

static int ex_step(struct xstate *s)
{
	char here;
	size_t used;

	if (++s->ex->rt->steps > s->ex->rt->lim.max_steps)
		return ex_limitf(s, "template execution exceeded %llu steps",
				(unsigned long long)s->ex->rt->lim.max_steps);
	used = (size_t)(s->ex->stack_base > &here ? s->ex->stack_base - &here
						    : &here - s->ex->stack_base);
	if (used > s->ex->rt->lim.max_stack)
		return ex_errorf(s, "exceeded maximum template depth (%d)", MAX_EXEC_DEPTH);
	if (s->out->len > s->ex->rt->lim.max_output)
		return ex_limitf(s, "template output exceeded %zu bytes", s->ex->rt->lim.max_output);
	if (buf_oom(s->out))
		return ex_oom(s);
	return 0;
}

/* ---- variables */

static int ex_push(struct xstate *s, const char *name, const struct tval *v, int iface)
{
	if (s->nvars == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct xvar *nv = realloc(s->vars, cap * sizeof(*nv));
		if (!nv)
			return ex_oom(s);
		s->vars = nv;
		s->cap = cap;
	}
	s->vars[s->nvars].name = name;
	s->vars[s->nvars].v = tval_copy(v);
	s->vars[s->nvars].iface = iface;
	s->nvars++;
	return 0;
}

static void ex_pop(struct xstate *s, size_t mark)
{
	while (s->nvars > mark)
		tval_release(&s->vars[--s->nvars].v);
}

static int ex_set_var(struct xstate *s, const char *name, const struct tval *v, int iface)
{
	size_t i;

	for (i = s->nvars; i-- > 0;) {
		if (strcmp(s->vars[i].name, name) == 0) {
			tval_release(&s->vars[i].v);
			s->vars[i].v = tval_copy(v);
			s->vars[i].iface = iface;
			return 0;
		}
	}
	return ex_errorf(s, "undefined variable: %s", name);
}

static void ex_set_top_var(struct xstate *s, size_t n, const struct tval *v, int iface)
{
	tval_release(&s->vars[s->nvars - n].v);
	s->vars[s->nvars - n].v = tval_copy(v);
	s->vars[s->nvars - n].iface = iface;
}

static int ex_var_value(struct xstate *s, const char *name, struct xval *out)
{
	size_t i;

	for (i = s->nvars; i-- > 0;) {
		if (strcmp(s->vars[i].name, name) == 0) {
			*out = ex_xv(tval_copy(&s->vars[i].v));
			out->iface = s->vars[i].iface;
			return 0;
		}
	}
	return ex_errorf(s, "undefined variable: %s", name);
}

/* ---- forward */

static int ex_walk(struct xstate *s, const struct xval *dot, const struct tnode *n);
static int ex_eval_pipeline(struct xstate *s, const struct xval *dot, const struct tnode *pipe,
			   struct tval *out);
static int ex_eval_arg(struct xstate *s, const struct xval *dot, char typ, const struct tnode *n,
		      struct tval *out);
static int ex_eval_field_chain(struct xstate *s, const struct xval *dot, struct xval receiver,
			      const struct tnode *node, const char *const *ids, size_t nids,
			      const struct tnode *const *args, size_t nargs, struct xval *final,
			      struct xval *out);
static int ex_eval_call(struct xstate *s, const struct xval *dot, const struct tmpl_func *fn,
		       const struct tobj *self, const struct tval *recv, const struct tnode *node,
		       const char *name, const struct tnode *const *args, size_t nargs,
		       struct xval *final, struct xval *out);

/* ---- types of parameters */

static const char *ex_param_type_name(char t)
{
	switch (t) {
	case 's': return "string";
	case 'i': return "int";
	case 'I': return "int64";
	case 'f': return "float64";
	case 'b': return "bool";
	case 'l': return "[]interface {}";
	case 'L': return "[]string";
	case 'm': return "map[string]interface {}";
	case 'y': return "[]uint8";
	case 't': return "time.Time";
	case 'D': return "time.Duration";
	case 'u': return "uint32";
	case 'C': return "sprig.certificate";
	case 'V': return "*semver.Version";
	case 'x': return "reflect.Value";
	default: return "interface {}";
	}
}

static int ex_can_be_nil(char t)
{
	switch (t) {
	case 'v': case 'x': case 'l': case 'L': case 'm': case 'y': case 'V':
		return 1;
	default:
		return 0;
	}
}

static int ex_assignable(const struct tval *v, char t)
{
	switch (t) {
	case 'v': case 'x': return 1;
	case 's': return v->kind == TV_STRING;
	case 'i': return v->kind == TV_INT;
	case 'I': return v->kind == TV_INT64;
	case 'f': return v->kind == TV_FLOAT64;
	case 'b': return v->kind == TV_BOOL;
	case 'l': return v->kind == TV_LIST;
	case 'L': return v->kind == TV_STRLIST;
	case 'm': return v->kind == TV_MAP || v->kind == TV_VALUES;
	case 'y': return v->kind == TV_BYTES;
	case 't': return v->kind == TV_TIME;
	case 'D': return v->kind == TV_DURATION;
	case 'V': return v->kind == TV_SEMVER;
	case 'C': return v->kind == TV_OBJECT &&
			 strcmp(v->u.o->type->go_type, "sprig.certificate") == 0;
	}
	return 0;
}

/* validateType: v (owned, consumed) checked against parameter type t. */
static int ex_validate(struct xstate *s, struct xval *v, char t, struct tval *out)
{
	if (v->v.kind == TV_INVALID) {
		if (t == 0) {
			*out = tval_invalid();
			return 0;
		}
		if (ex_can_be_nil(t)) {
			*out = t == 'x' ? tval_invalid() : tval_nil();
			return 0;
		}
		return ex_errorf(s, "invalid value; expected %s", ex_param_type_name(t));
	}
	if (t == 0 || t == 'x') {
		*out = v->v;
		v->v = tval_invalid();
		return 0;
	}
	if (v->v.kind == TV_NIL) {
		if (t == 'v') {
			*out = tval_nil();
			return 0;
		}
		return ex_errorf(s, "wrong type for value; expected %s; got interface {}",
				ex_param_type_name(t));
	}
	if (t == 'L' && v->v.kind == TV_OBJECT && !strcmp(v->v.u.o->type->go_kind, "slice")) {
		/* a named []string (common.VersionSet) is assignable to []string */
		struct tval data;
		int got = tval_obj_data(&data, s->ex->rt, &v->v);

		if (got < 0)
			return ex_oom(s);
		if (got && data.kind == TV_STRLIST) {
			*out = data;
			tval_release(&v->v);
			return 0;
		}
		if (got)
			tval_release(&data);
	}
	if (!ex_assignable(&v->v, t)) {
		int rc = ex_errorf(s, "wrong type for value; expected %s; got %s", ex_param_type_name(t),
				  tval_type_name(&v->v));
		tval_release(&v->v);
		return rc;
	}
	*out = v->v;
	v->v = tval_invalid();
	return 0;
}

/* ---- literals */

static int ex_ideal_constant(struct xstate *s, const struct tnode *c, struct tval *out)
{
	s->node = c;
	if (c->is_complex) {
		/* NEEDSWORK: no complex kind; a complex constant prints as Go's
		 * %v of a complex128 but is a string to everything else */
		struct buf b = BUF_INIT;
		buf_addch(&b, '(');
		gofloat_format(&b, c->f64, 'g', -1, 64);
		if (!(c->imag < 0) && !(c->imag == 0 && signbit(c->imag)))
			buf_addch(&b, '+');
		gofloat_format(&b, c->imag, 'g', -1, 64);
		buf_adds(&b, "i)");
		*out = tval_strn(b.ptr, b.len);
		buf_release(&b);
		return out->kind == TV_INVALID ? ex_oom(s) : 0;
	}
	if (c->is_float && !(c->len > 2 && c->text[0] == '0' && (c->text[1] == 'x' || c->text[1] == 'X') &&
			     !memchr(c->text, 'p', c->len) && !memchr(c->text, 'P', c->len)) &&
	    !(c->len > 0 && c->text[0] == '\'') &&
	    (memchr(c->text, '.', c->len) || memchr(c->text, 'e', c->len) || memchr(c->text, 'E', c->len) ||
	     memchr(c->text, 'p', c->len) || memchr(c->text, 'P', c->len))) {
		*out = tval_float(c->f64);
		return 0;
	}
	if (c->is_int) {
		*out = tval_int(c->i64);
		return 0;
	}
	if (c->is_uint)
		return ex_errorf(s, "%s overflows int", c->text);
	*out = tval_invalid();
	return 0;
}

static int ex_literal_string(struct xstate *s, const struct tnode *n, struct tval *out)
{
	(void)s;
	*out = tval_strn(n->text, n->len);
	return out->kind == TV_INVALID ? ex_oom(s) : 0;
}

static int ex_node_errorf(struct xstate *s, const char *what, const struct tnode *n)
{
	struct buf b = BUF_INIT;
	int rc;

	tmpl__node_string(&b, n);
	rc = ex_errorf(s, "%s%s", what, b.ptr);
	buf_release(&b);
	return rc;
}

/* ---- methods of common.Values (pkg/chart/common/values.go) */

static json_t *ex_table_lookup(json_t *v, const char *key, size_t klen)
{
	json_t *e = json_object_getn(v, key, klen);
	return e && json_is_object(e) ? e : NULL;
}

static int m_values_asmap(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct tval *recv = call->payload;

	(void)argc;
	(void)argv;
	json_incref(recv->u.j);
	*out = tval_json_new(TV_MAP, recv->u.j);
	return 0;
}

static int m_values_table(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct tval *recv = call->payload;
	size_t n, start = 0, i;
	const char *path = tval_str_ptr(&argv[0], &n);
	json_t *t = recv->u.j;

	(void)argc;
	for (i = 0; i <= n; i++) {
		if (i == n || path[i] == '.') {
			json_t *next = ex_table_lookup(t, path + start, i - start);
			if (!next) {
				struct buf q = BUF_INIT;
				int rc;
				tmpl_quote(&q, path + start, i - start);
				rc = tmpl_call_errorf(call, "%s is not a table", q.ptr);
				buf_release(&q);
				return rc;
			}
			t = next;
			start = i + 1;
		}
	}
	json_incref(t);
	*out = tval_json_new(TV_VALUES, t);
	return 0;
}

static int m_values_pathvalue(struct tval *out, struct tmpl_call *call, int argc,
			      const struct tval *argv)
{
	const struct tval *recv = call->payload;
	size_t n, i, last = 0, start = 0;
	const char *path = tval_str_ptr(&argv[0], &n);
	json_t *t = recv->u.j, *e;
	struct buf q = BUF_INIT;
	int rc;

	(void)argc;
	if (n == 0)
		return tmpl_call_errorf(call, "YAML path cannot be empty");
	for (i = 0; i < n; i++)
		if (path[i] == '.')
			last = i + 1;
	for (i = 0; last > 0 && i < last; i++) {
		if (path[i] == '.') {
			t = ex_table_lookup(t, path + start, i - start);
			if (!t)
				break;
			start = i + 1;
		}
	}
	e = t ? json_object_getn(t, path + last, n - last) : NULL;
	if (e && !json_is_object(e)) {
		*out = tval_from_json(call->rt, e);
		return 0;
	}
	tmpl_quote(&q, path + last, n - last);
	rc = tmpl_call_errorf(call, "%s is not a value", q.ptr);
	buf_release(&q);
	return rc;
}

/* NEEDSWORK: YAML and Encode need the YAML emitter (render/value.h). */
static const struct tmpl_func ex_values_methods[] = {
	{ "AsMap", m_values_asmap, "", TMPL_FN__VALUES, NULL },
	{ "Table", m_values_table, "s", TMPL_FN__VALUES, NULL },
	{ "PathValue", m_values_pathvalue, "s", TMPL_FN__VALUES, NULL },
};

/* ---- fields */

static int ex_eval_field(struct xstate *s, const struct xval *dot, const char *field,
			const struct tnode *node, const struct tnode *const *args, size_t nargs,
			struct xval *final, struct xval *receiver, struct xval *out)
{
	const char *typ;
	int has_args;
	struct tval *r = &receiver->v;

	*out = ex_xv(tval_invalid());
	if (r->kind == TV_INVALID) {
		if (s->ex->rt->missingkey == TMPL_MISSINGKEY_ERROR)
			return ex_errorf(s, "nil data; no entry for key \"%s\"", field);
		return 0;
	}
	typ = receiver->iface ? "interface {}" : tval_type_name(r);
	if (r->kind == TV_NIL)
		return ex_errorf(s, "nil pointer evaluating interface {}.%s", field);
	if (r->kind == TV_OBJECT && r->u.o->type->method) {
		const struct tmpl_func *m = r->u.o->type->method(r->u.o, field);
		if (m)
			return ex_eval_call(s, dot, m, r->u.o, NULL, node, field, args, nargs, final, out);
	}
	{
		const struct tmpl_func *m = tmpl__kind_method(r, field);
		if (m)
			return ex_eval_call(s, dot, m, NULL, r, node, field, args, nargs, final, out);
	}
	/* the methods' names begin with A, P or T: most keys are not theirs */
	if (r->kind == TV_VALUES && (field[0] == 'A' || field[0] == 'P' || field[0] == 'T')) {
		size_t k;
		for (k = 0; k < sizeof(ex_values_methods) / sizeof(ex_values_methods[0]); k++) {
			if (strcmp(ex_values_methods[k].name, field) == 0) {
				return ex_eval_call(s, dot, &ex_values_methods[k], NULL, r, node, field, args,
						   nargs, final, out);
			}
		}
	}
	has_args = nargs > 1 || (final && !final->missing);
	if (tval_is_object(r)) {
		json_t *e;
		if (has_args)
			return ex_errorf(s, "%s is not a method but has arguments", field);
		e = json_object_get(r->u.j, field);
		if (!e) {
			switch (s->ex->rt->missingkey) {
			case TMPL_MISSINGKEY_DEFAULT:
				return 0;
			case TMPL_MISSINGKEY_ZERO:
				/* the zero value of the map's element type */
				if (r->kind == TV_STRMAP) {
					out->v = tval_str("");
					return out->v.kind == TV_INVALID ? ex_oom(s) : 0;
				}
				out->v = tval_nil();
				out->iface = 1;
				return 0;
			case TMPL_MISSINGKEY_ERROR:
				return ex_errorf(s, "map has no entry for key \"%s\"", field);
			}
		}
		out->v = tval_from_json(s->ex->rt, e);
		out->iface = r->kind != TV_STRMAP;
		return 0;
	}
	if (r->kind == TV_OBJECT && r->u.o->type->field) {
		int rc = r->u.o->type->field(&out->v, r->u.o, field);
		if (rc == 0) {
			if (has_args) {
				tval_release(&out->v);
				return ex_errorf(s, "%s has arguments but cannot be invoked as function", field);
			}
			return 0;
		}
		if (rc != DIAG_ENOTFOUND)
			return ex_oom(s);
	}
	return ex_errorf(s, "can't evaluate field %s in type %s", field, typ);
}

static int ex_eval_field_chain(struct xstate *s, const struct xval *dot, struct xval receiver,
			      const struct tnode *node, const char *const *ids, size_t nids,
			      const struct tnode *const *args, size_t nargs, struct xval *final,
			      struct xval *out)
{
	size_t i;
	struct xval cur = receiver;
	int rc;

	cur.v = tval_copy(&receiver.v);
	for (i = 0; i + 1 < nids; i++) {
		struct xval next;
		struct xval miss = ex_missing();
		rc = ex_eval_field(s, dot, ids[i], node, NULL, 0, &miss, &cur, &next);
		tval_release(&cur.v);
		if (rc < 0)
			return rc;
		cur = next;
	}
	rc = ex_eval_field(s, dot, ids[nids - 1], node, args, nargs, final, &cur, out);
	tval_release(&cur.v);
	return rc;
}

static int ex_eval_field_node(struct xstate *s, const struct xval *dot, const struct tnode *field,
			     const struct tnode *const *args, size_t nargs, struct xval *final,
			     struct xval *out)
{
	struct xval recv = *dot;

	s->node = field;
	return ex_eval_field_chain(s, dot, recv, field, field->ids, field->nids, args, nargs, final, out);
}

static int ex_eval_chain_node(struct xstate *s, const struct xval *dot, const struct tnode *chain,
			     const struct tnode *const *args, size_t nargs, struct xval *final,
			     struct xval *out)
{
	struct tval pipe;
	struct xval recv;
	int rc;

	s->node = chain;
	if (chain->nids == 0)
		return ex_errorf(s, "internal error: no fields in evalChainNode");
	if (chain->node->type == N_NIL)
		return ex_node_errorf(s, "indirection through explicit nil in ", chain);
	if ((rc = ex_eval_arg(s, dot, 0, chain->node, &pipe)) < 0)
		return rc;
	recv = ex_xv(pipe);
	rc = ex_eval_field_chain(s, dot, recv, chain, chain->ids, chain->nids, args, nargs, final, out);
	tval_release(&pipe);
	return rc;
}

static int ex_not_a_function(struct xstate *s, const struct tnode *const *args, size_t nargs,
			    struct xval *final)
{
	if (nargs > 1 || (final && !final->missing))
		return ex_node_errorf(s, "can't give argument to non-function ", args[0]);
	return 0;
}

static int ex_eval_variable_node(struct xstate *s, const struct xval *dot, const struct tnode *var,
				const struct tnode *const *args, size_t nargs, struct xval *final,
				struct xval *out)
{
	struct xval value;
	int rc;

	s->node = var;
	if ((rc = ex_var_value(s, var->ids[0], &value)) < 0)
		return rc;
	if (var->nids == 1) {
		if (args && (rc = ex_not_a_function(s, args, nargs, final)) < 0) {
			tval_release(&value.v);
			return rc;
		}
		*out = value;
		return 0;
	}
	rc = ex_eval_field_chain(s, dot, value, var, var->ids + 1, var->nids - 1, args, nargs,
				final, out);
	tval_release(&value.v);
	return rc;
}

/* ---- function calls */

struct sig {
	const char *types;  /* the fixed parameters' type letters (in the func's sig) */
	int nfixed;
	int variadic;
	char vtype;
};

static void ex_parse_sig(const char *sig, struct sig *out)
{
	size_t n = sig ? strlen(sig) : 0;

	out->types = sig;
	out->variadic = 0;
	out->vtype = 0;
	if (n > 0 && sig[n - 1] == '*') {
		out->variadic = 1;
		out->vtype = n >= 2 ? sig[n - 2] : 'v';
		n = n >= 2 ? n - 2 : 0;
	}
	out->nfixed = (int)n;
}

int tmpl_call_errorf(struct tmpl_call *call, const char *fmt, ...)
{
	va_list ap;

	buf_reset(call->errmsg);
	va_start(ap, fmt);
	buf_vaddf(call->errmsg, fmt, ap);
	va_end(ap);
	return DIAG_EEXEC;
}

int tmpl_call_charge(struct tmpl_call *call, uint64_t n)
{
	struct tmpl_rt *rt = call->rt;

	if (!rt)
		return 0;
	if (n > rt->lim.max_steps - (rt->steps < rt->lim.max_steps ? rt->steps : rt->lim.max_steps)) {
		rt->steps = rt->lim.max_steps + 1;
		tmpl_call_errorf(call, "template execution exceeded %llu steps",
				 (unsigned long long)rt->lim.max_steps);
		return DIAG_ELIMIT;
	}
	rt->steps += n;
	return 0;
}

int tmpl_call_raw_errorf(struct tmpl_call *call, const char *fmt, ...)
{
	va_list ap;

	buf_reset(call->errmsg);
	va_start(ap, fmt);
	buf_vaddf(call->errmsg, fmt, ap);
	va_end(ap);
	return DIAG_EEXEC - 1000;  /* marker: no "error calling" prefix */
}

static int ex_eval_call(struct xstate *s, const struct xval *dot, const struct tmpl_func *fn,
		       const struct tobj *self, const struct tval *recv, const struct tnode *node,
		       const char *name, const struct tnode *const *args, size_t nargs,
		       struct xval *final, struct xval *out)
{
	struct sig sig;
	struct tval *argv = NULL, small_argv[6];
	struct tmpl_call call;
	struct buf msg = BUF_INIT, callee = BUF_INIT;
	int num_in, nfixed, i = 0, rc = 0, k, has_final = final && !final->missing;
	size_t ai;

	*out = ex_xv(tval_invalid());
	if (args) {
		args++;
		nargs--;
	} else {
		nargs = 0;
	}
	ex_parse_sig(fn->sig, &sig);
	num_in = (int)nargs + (has_final ? 1 : 0);
	nfixed = (int)nargs;
	if (sig.variadic) {
		nfixed = sig.nfixed;
		if (num_in < nfixed)
			return ex_errorf(s, "wrong number of args for %s: want at least %d got %d", name,
					sig.nfixed, (int)nargs);
	} else if (num_in != sig.nfixed) {
		return ex_errorf(s, "wrong number of args for %s: want %d got %d", name, sig.nfixed,
				num_in);
	}
	/* and / or short-circuit and return the deciding value */
	if ((fn->flags & TMPL_FN__ANDOR) && !self &&
	    (strcmp(name, "and") == 0 || strcmp(name, "or") == 0)) {
		int is_or = name[0] == 'o';
		struct tval v = tval_invalid();
		for (ai = 0; ai < nargs; ai++) {
			tval_release(&v);
			if ((rc = ex_eval_arg(s, dot, 'x', args[ai], &v)) < 0)
				return rc;
			if (tval_truth(&v) == is_or) {
				out->v = v;
				return 0;
			}
		}
		if (has_final) {
			tval_release(&v);
			v = tval_copy(&final->v);
		}
		out->v = v;
		return 0;
	}
	/* most calls take a few arguments: those live on the stack */
	if ((size_t)num_in <= sizeof(small_argv) / sizeof(small_argv[0])) {
		for (k = 0; k < num_in; k++)  /* what the release at done reads */
			small_argv[k] = tval_invalid();
		argv = small_argv;
	} else if (!(argv = calloc((size_t)num_in, sizeof(*argv)))) {
		return ex_oom(s);
	}
	for (; i < nfixed && (size_t)i < nargs; i++)
		if ((rc = ex_eval_arg(s, dot, sig.types[i], args[i], &argv[i])) < 0)
			goto done;
	if (sig.variadic)
		for (; (size_t)i < nargs; i++)
			if ((rc = ex_eval_arg(s, dot, sig.vtype, args[i], &argv[i])) < 0)
				goto done;
	if (has_final) {
		char t;
		struct xval fv = *final;
		fv.v = tval_copy(&final->v);
		if (sig.variadic)
			t = num_in - 1 < nfixed ? sig.types[num_in - 1] : sig.vtype;
		else
			t = sig.types[num_in - 1];
		if ((rc = ex_validate(s, &fv, t, &argv[i])) < 0) {
			tval_release(&fv.v);
			goto done;
		}
		tval_release(&fv.v);
		i++;
	}
	memset(&call, 0, sizeof(call));
	call.func = fn;
	call.rt = s->ex->rt;
	call.payload = fn->payload;
	if (fn->flags & TMPL_FN__VALUES)
		call.payload = (void *)recv;
	if (fn->flags & TMPL_FN__CALL) {
		/* Go inserts the callee's name: its node, or the final value's String() */
		if (nargs > 0)
			tmpl__node_string(&callee, args[0]);
		else if (has_final && final->v.kind == TV_STRING)
			buf_adds(&callee, json_string_value(final->v.u.j));
		else if (has_final)
			buf_addf(&callee, "<%s Value>", tval_type_name(&final->v));
		call.payload = callee.ptr;
	}
	call.self = self;
	call.exec = s->ex;
	call.errmsg = &msg;
	{
		struct tval res = tval_invalid();
		rc = fn->fn(&res, &call, num_in, argv);
		if (rc < 0) {
			tval_release(&res);
			s->node = node;
			if (rc == DIAG_EEXEC - 1000) {
				rc = ex_errorf(s, "%s", msg.ptr);
			} else if (rc == DIAG_ENOMEM) {
				rc = ex_oom(s);
			} else {
				struct buf *e = &s->ex->err;
				int code = rc;
				rc = ex_errorf(s, "error calling %s: %s", name, msg.ptr);
				if (code == DIAG_ELIMIT)
					s->ex->code = DIAG_ELIMIT;
				(void)e;
			}
			goto done;
		}
		out->v = res;
		out->iface = !(fn->flags & TMPL_FN__CONCRETE);
	}
	rc = 0;
done:
	for (k = 0; k < num_in; k++)
		tval_release(&argv[k]);
	if (argv != small_argv)
		free(argv);
	buf_release(&msg);
	buf_release(&callee);
	return rc;
}

static int ex_eval_function(struct xstate *s, const struct xval *dot, const struct tnode *ident,
			   const struct tnode *cmd, const struct tnode *const *args, size_t nargs,
			   struct xval *final, struct xval *out)
{
	s->node = ident;
	if (!ident->func)
		return ex_errorf(s, "\"%s\" is not a defined function", ident->text);
	return ex_eval_call(s, dot, ident->func, NULL, NULL, cmd, ident->text, args, nargs, final, out);
}

/* ---- arguments */

static int ex_eval_arg(struct xstate *s, const struct xval *dot, char typ, const struct tnode *n,
		      struct tval *out)
{
	struct xval v;
	struct xval miss = ex_missing();
	int rc;

	*out = tval_invalid();
	s->node = n;
	switch (n->type) {
	case N_DOT:
		v = ex_xv(tval_copy(&dot->v));
		v.iface = dot->iface;
		rc = ex_validate(s, &v, typ, out);
		tval_release(&v.v);
		return rc;
	case N_NIL:
		if (typ == 0)
			return ex_errorf(s, "cannot assign nil to <nil>");
		if (ex_can_be_nil(typ)) {
			*out = typ == 'x' ? tval_invalid() : tval_nil();
			return 0;
		}
		return ex_errorf(s, "cannot assign nil to %s", ex_param_type_name(typ));
	case N_FIELD: {
		const struct tnode *self_args[1];
		self_args[0] = n;
		if ((rc = ex_eval_field_node(s, dot, n, self_args, 1, &miss, &v)) < 0)
			return rc;
		break;
	}
	case N_VARIABLE:
		if ((rc = ex_eval_variable_node(s, dot, n, NULL, 0, &miss, &v)) < 0)
			return rc;
		break;
	case N_PIPE: {
		struct tval pv;
		if ((rc = ex_eval_pipeline(s, dot, n, &pv)) < 0)
			return rc;
		v = ex_xv(pv);
		break;
	}
	case N_IDENT:
		if ((rc = ex_eval_function(s, dot, n, n, NULL, 0, &miss, &v)) < 0)
			return rc;
		break;
	case N_CHAIN:
		if ((rc = ex_eval_chain_node(s, dot, n, NULL, 0, &miss, &v)) < 0)
			return rc;
		break;
	default:
		switch (typ) {
		case 'b':
			if (n->type == N_BOOL) {
				*out = tval_bool(n->b);
				return 0;
			}
			return ex_node_errorf(s, "expected bool; found ", n);
		case 'f':
			if (n->type == N_NUMBER && n->is_float && !n->is_complex) {
				*out = tval_float(n->f64);
				return 0;
			}
			return ex_node_errorf(s, "expected float; found ", n);
		case 'i': case 'I': case 'D':
			if (n->type == N_NUMBER && n->is_int && !n->is_complex) {
				*out = typ == 'i' ? tval_int(n->i64) : tval_int64(n->i64);
				if (typ == 'D')
					out->kind = TV_DURATION;
				return 0;
			}
			return ex_node_errorf(s, "expected integer; found ", n);
		case 'u':
			/* evalUnsignedInteger; SetUint truncates to uint32 */
			if (n->type == N_NUMBER && n->is_uint && !n->is_complex) {
				*out = tval_int((int64_t)(uint32_t)n->u64);
				return 0;
			}
			return ex_node_errorf(s, "expected unsigned integer; found ", n);
		case 's':
			if (n->type == N_STRING)
				return ex_literal_string(s, n, out);
			return ex_node_errorf(s, "expected string; found ", n);
		case 'v': case 'x': case 0:
			switch (n->type) {
			case N_BOOL:
				*out = tval_bool(n->b);
				return 0;
			case N_NUMBER:
				return ex_ideal_constant(s, n, out);
			case N_STRING:
				return ex_literal_string(s, n, out);
			default: {
				struct buf b = BUF_INIT;
				tmpl__node_string(&b, n);
				rc = ex_errorf(s, "can't handle assignment of %s to empty interface argument",
					      b.ptr);
				buf_release(&b);
				return rc;
			}
			}
		default: {
			struct buf b = BUF_INIT;
			tmpl__node_string(&b, n);
			rc = ex_errorf(s, "can't handle %s for arg of type %s", b.ptr, ex_param_type_name(typ));
			buf_release(&b);
			return rc;
		}
		}
	}
	rc = ex_validate(s, &v, typ, out);
	tval_release(&v.v);
	return rc;
}

/* ---- commands and pipelines */

static int ex_eval_command(struct xstate *s, const struct xval *dot, const struct tnode *cmd,
			  struct xval *final, struct xval *out)
{
	const struct tnode *first = cmd->kids[0];
	const struct tnode *const *args = (const struct tnode *const *)cmd->kids;
	size_t nargs = cmd->nkids;
	int rc;

	*out = ex_xv(tval_invalid());
	switch (first->type) {
	case N_FIELD:
		return ex_eval_field_node(s, dot, first, args, nargs, final, out);
	case N_CHAIN:
		return ex_eval_chain_node(s, dot, first, args, nargs, final, out);
	case N_IDENT:
		return ex_eval_function(s, dot, first, cmd, args, nargs, final, out);
	case N_PIPE: {
		struct tval v;
		if ((rc = ex_not_a_function(s, args, nargs, final)) < 0)
			return rc;
		if ((rc = ex_eval_pipeline(s, dot, first, &v)) < 0)
			return rc;
		*out = ex_xv(v);
		return 0;
	}
	case N_VARIABLE:
		return ex_eval_variable_node(s, dot, first, args, nargs, final, out);
	default:
		break;
	}
	s->node = first;
	if ((rc = ex_not_a_function(s, args, nargs, final)) < 0)
		return rc;
	switch (first->type) {
	case N_BOOL:
		out->v = tval_bool(first->b);
		return 0;
	case N_DOT:
		out->v = tval_copy(&dot->v);
		out->iface = dot->iface;
		return 0;
	case N_NIL:
		return ex_errorf(s, "nil is not a command");
	case N_NUMBER:
		return ex_ideal_constant(s, first, &out->v);
	case N_STRING:
		return ex_literal_string(s, first, &out->v);
	default:
		return ex_node_errorf(s, "can't evaluate command ", first);
	}
}

static int ex_eval_pipeline(struct xstate *s, const struct xval *dot, const struct tnode *pipe,
			   struct tval *out)
{
	struct xval value = ex_missing();
	size_t i;
	int rc;

	*out = tval_invalid();
	if (!pipe)
		return 0;
	s->node = pipe;
	if ((rc = ex_step(s)) < 0)
		return rc;
	for (i = 0; i < pipe->nkids; i++) {
		struct xval next;
		rc = ex_eval_command(s, dot, pipe->kids[i], &value, &next);
		tval_release(&value.v);
		if (rc < 0)
			return rc;
		value = next;
		value.missing = 0;
		/* dig down one level into interface {} */
		if (value.v.kind == TV_NIL)
			value.v = tval_invalid();
		value.iface = 0;
	}
	for (i = 0; i < pipe->ndecl; i++) {
		if (pipe->is_assign)
			rc = ex_set_var(s, pipe->decl[i]->ids[0], &value.v, 0);
		else
			rc = ex_push(s, pipe->decl[i]->ids[0], &value.v, 0);
		if (rc < 0) {
			tval_release(&value.v);
			return rc;
		}
	}
	*out = value.v;
	return 0;
}

/* ---- walk */

static int ex_print_value(struct xstate *s, const struct tnode *n, const struct tval *v)
{
	s->node = n;
	if (v->kind == TV_FUNC) {
		struct buf b = BUF_INIT;
		int rc;
		tmpl__node_string(&b, n);
		rc = ex_errorf(s, "can't print %s of type %s", b.ptr, tval_type_name(v));
		buf_release(&b);
		return rc;
	}
	if (tmpl__print_value(s->out, s->ex->rt, v) < 0)
		return ex_oom(s);
	return 0;
}

static int ex_walk_if_or_with(struct xstate *s, int is_with, const struct xval *dot,
			     const struct tnode *n)
{
	size_t mark = s->nvars;
	struct tval val;
	int rc;

	if ((rc = ex_eval_pipeline(s, dot, n->pipe, &val)) < 0)
		goto done;
	if (tval_truth(&val)) {
		struct xval xv = ex_xv(val);
		rc = ex_walk(s, is_with ? &xv : dot, n->list);
	}
	else if (n->elselist)
		rc = ex_walk(s, dot, n->elselist);
	tval_release(&val);
done:
	ex_pop(s, mark);
	return rc;
}

static int ex_one_iteration(struct xstate *s, const struct tnode *r, size_t mark,
			   const struct tval *index, const struct tval *elem, int iface)
{
	struct xval xe;
	const struct tnode *pipe = r->pipe;
	int rc;

	if ((rc = ex_step(s)) < 0)
		return rc;
	if (pipe->ndecl > 0) {
		if (pipe->is_assign) {
			rc = ex_set_var(s, pipe->decl[0]->ids[0], pipe->ndecl > 1 ? index : elem,
				       pipe->ndecl > 1 ? 0 : iface);
			if (rc < 0)
				return rc;
		} else {
			ex_set_top_var(s, 1, elem, iface);
		}
	}
	if (pipe->ndecl > 1) {
		if (pipe->is_assign) {
			if ((rc = ex_set_var(s, pipe->decl[1]->ids[0], elem, iface)) < 0)
				return rc;
		} else {
			ex_set_top_var(s, 2, index, 0);
		}
	}
	xe = ex_xv(*elem);
	xe.iface = iface;
	rc = ex_walk(s, &xe, r->list);
	ex_pop(s, mark);
	if (rc == X_CONTINUE)
		rc = 0;
	return rc;
}

/* A map key with its length (keys may hold NUL). */
struct ex_key {
	const char *s;
	size_t n;
	json_t *v;
};

/* Go's string order: bytewise, a prefix first. */
static int ex_key_cmp(const void *a, const void *b)
{
	const struct ex_key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

	if (c)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

static int ex_walk_range(struct xstate *s, const struct xval *dot, const struct tnode *r)
{
	size_t outer = s->nvars, mark;
	struct tval val;
	int rc, ran = 0, typed = 0;

	s->node = r;
	if ((rc = ex_eval_pipeline(s, dot, r->pipe, &val)) < 0)
		goto done;
	mark = s->nvars;
	{
		/* a host object that is a named map or slice ranges as its data */
		struct tval data;
		int got = tval_obj_data(&data, s->ex->rt, &val);

		if (got < 0) {
			rc = ex_oom(s);
			goto out;
		}
		if (got) {
			tval_release(&val);
			val = data;
			typed = 1;
		}
	}
	switch (val.kind) {
	case TV_INT: case TV_INT64: case TV_UINT8: case TV_DURATION: case TV_MONTH: case TV_WEEKDAY: {
		int64_t i;
		if (r->pipe->ndecl > 1) {
			struct buf b = BUF_INIT;
			tval_format(&b, s->ex->rt, &val);
			rc = ex_errorf(s, "can't use %s to iterate over more than one variable", b.ptr);
			buf_release(&b);
			goto out;
		}
		for (i = 0; i < val.u.i; i++) {
			struct tval e = val, inv = tval_invalid();
			e.u.i = i;
			ran = 1;
			rc = ex_one_iteration(s, r, mark, &inv, &e, 0);
			if (rc == X_BREAK) {
				rc = 0;
				goto out;
			}
			if (rc < 0)
				goto out;
		}
		break;
	}
	case TV_LIST: case TV_STRLIST: case TV_INTLIST: case TV_LISTLIST: {
		size_t i;
		for (i = 0; i < json_array_size(val.u.j); i++) {
			struct tval idx = tval_int((int64_t)i);
			struct tval e = tval_elem(s->ex->rt, &val, json_array_get(val.u.j, i));
			ran = 1;
			rc = ex_one_iteration(s, r, mark, &idx, &e, val.kind == TV_LIST);
			tval_release(&e);
			if (rc == X_BREAK) {
				rc = 0;
				goto out;
			}
			if (rc < 0)
				goto out;
		}
		break;
	}
	case TV_BYTES: {
		size_t n, i;
		const char *p = tval_str_ptr(&val, &n);
		for (i = 0; i < n; i++) {
			struct tval idx = tval_int((int64_t)i), e = tval_invalid();
			e.kind = TV_UINT8;
			e.u.i = (unsigned char)p[i];
			ran = 1;
			rc = ex_one_iteration(s, r, mark, &idx, &e, 0);
			if (rc == X_BREAK) {
				rc = 0;
				goto out;
			}
			if (rc < 0)
				goto out;
		}
		break;
	}
	case TV_MAP: case TV_VALUES: case TV_STRMAP: {
		/* the keys and values, sorted, copied first (Go's fmtsort.Sort):
		 * the body may set or unset keys */
		size_t n = json_object_size(val.u.j), i = 0, klen, total = 0, at = 0;
		struct ex_key *keys;
		char *snap;
		const char *k;
		json_t *e;
		void *it;
		json_object_keylen_foreach_safe(val.u.j, it, k, klen, e)
			total += klen + 1;
		keys = malloc((n ? n : 1) * sizeof(*keys));
		snap = malloc(total ? total : 1);
		if (!keys || !snap) {
			free(keys);
			free(snap);
			rc = ex_oom(s);
			goto out;
		}
		json_object_keylen_foreach_safe(val.u.j, it, k, klen, e) {
			memcpy(snap + at, k, klen + 1);
			keys[i].s = snap + at;
			keys[i].v = json_incref(e);
			keys[i++].n = klen;
			at += klen + 1;
		}
		n = i;
		qsort(keys, n, sizeof(*keys), ex_key_cmp);
		for (i = 0; i < n; i++) {
			struct tval key = tval_strn(keys[i].s, keys[i].n);
			struct tval ev = tval_from_json(s->ex->rt, keys[i].v);
			ran = 1;
			rc = ex_one_iteration(s, r, mark, &key, &ev, !typed);
			tval_release(&key);
			tval_release(&ev);
			if (rc == X_BREAK || rc < 0)
				break;
		}
		for (i = 0; i < n; i++)
			json_decref(keys[i].v);
		free(keys);
		free(snap);
		if (rc == X_BREAK) {
			rc = 0;
			goto out;
		}
		if (rc < 0)
			goto out;
		break;
	}
	case TV_INVALID:
		break;
	default: {
		struct buf b = BUF_INIT;
		tval_format(&b, s->ex->rt, &val);
		rc = ex_errorf(s, "range can't iterate over %s", b.ptr);
		buf_release(&b);
		goto out;
	}
	}
	if (!ran && r->elselist)
		rc = ex_walk(s, dot, r->elselist);
out:
	tval_release(&val);
done:
	ex_pop(s, outer);
	return rc;
}

static int ex_walk_template(struct xstate *s, const struct xval *dot, const struct tnode *t)
{
	const struct ttree *tmpl;
	struct xstate ns;
	struct tval newdot;
	int rc;

	s->node = t;
	tmpl = ex_lookup(s->ex, t->text);
	if (!tmpl || !tmpl->root) {
		struct buf q = BUF_INIT;
		tmpl_quote(&q, t->text, t->len);
		rc = ex_errorf(s, "template %s not defined", q.ptr);
		buf_release(&q);
		return rc;
	}
	{
		char here;
		size_t used = (size_t)(s->ex->stack_base > &here ? s->ex->stack_base - &here
								  : &here - s->ex->stack_base);
		if (s->depth >= MAX_EXEC_DEPTH || used + (64 << 10) > s->ex->rt->lim.max_stack)
			return ex_errorf(s, "exceeded maximum template depth (%d)", MAX_EXEC_DEPTH);
	}
	if ((rc = ex_eval_pipeline(s, dot, t->pipe, &newdot)) < 0)
		return rc;
	memset(&ns, 0, sizeof(ns));
	ns.ex = s->ex;
	ns.tmpl = tmpl;
	ns.depth = s->depth + 1;
	ns.out = s->out;
	if ((rc = ex_push(&ns, "$", &newdot, 0)) == 0) {
		struct xval xd = ex_xv(newdot);
		rc = ex_walk(&ns, &xd, tmpl->root);
	}
	ex_pop(&ns, 0);
	free(ns.vars);
	tval_release(&newdot);
	return rc;
}

static int ex_walk(struct xstate *s, const struct xval *dot, const struct tnode *n)
{
	size_t i;
	int rc;
	struct tval val;

	s->node = n;
	if ((rc = ex_step(s)) < 0)
		return rc;
	switch (n->type) {
	case N_ACTION:
		if ((rc = ex_eval_pipeline(s, dot, n->pipe, &val)) < 0)
			return rc;
		if (n->pipe->ndecl == 0)
			rc = ex_print_value(s, n, &val);
		tval_release(&val);
		return rc;
	case N_BREAK:
		return X_BREAK;
	case N_CONTINUE:
		return X_CONTINUE;
	case N_COMMENT:
		return 0;
	case N_IF:
		return ex_walk_if_or_with(s, 0, dot, n);
	case N_WITH:
		return ex_walk_if_or_with(s, 1, dot, n);
	case N_LIST:
		for (i = 0; i < n->nkids; i++)
			if ((rc = ex_walk(s, dot, n->kids[i])) != 0)
				return rc;
		return 0;
	case N_RANGE:
		return ex_walk_range(s, dot, n);
	case N_TEMPLATE:
		return ex_walk_template(s, dot, n);
	case N_TEXT:
		if (buf_add(s->out, n->text, n->len) < 0)
			return ex_oom(s);
		return 0;
	default:
		return ex_node_errorf(s, "unknown node: ", n);
	}
}

/* ---- entry points */

static int ex_execute(struct tmpl_exec *ex, struct buf *out, const char *name,
		     const struct tval *data, int depth)
{
	const struct ttree *t = ex_lookup(ex, name);
	struct xstate s;
	int rc;

	if (!t) {
		buf_reset(&ex->err);
		buf_adds(&ex->err, "template: no template ");
		tmpl_quote(&ex->err, name, strlen(name));
		buf_adds(&ex->err, " associated with template \"gotpl\"");
		ex->code = DIAG_EEXEC;
		return X_ERR;
	}
	memset(&s, 0, sizeof(s));
	s.ex = ex;
	s.tmpl = t;
	s.out = out;
	s.depth = depth;
	if ((rc = ex_push(&s, "$", data, 0)) == 0) {
		struct xval xd = ex_xv(*data);
		if (!t->root) {
			rc = ex_errorf(&s, "\"%s\" is an incomplete or empty template", name);
		} else {
			rc = ex_walk(&s, &xd, t->root);
			if (rc > 0)
				rc = 0;
		}
	}
	ex_pop(&s, 0);
	free(s.vars);
	return rc;
}

int tmpl_execute(struct buf *out, const struct tmpl_set *set, const char *name,
		 const struct tval *data, struct tmpl_rt *rt, struct diag *d)
{
	struct tmpl_exec ex;
	char base;
	int rc;

	memset(&ex, 0, sizeof(ex));
	buf_init(&ex.err, 0);
	ex.base = set;
	ex.rt = rt;
	ex.stack_base = &base;
	rt->steps = 0;
	rc = ex_execute(&ex, out, name, data, 0);
	if (rc < 0) {
		rc = ex.code ? ex.code : DIAG_EEXEC;
		diag_set(d, rc, "%s", ex.err.ptr);
	} else {
		rc = 0;
	}
	buf_release(&ex.err);
	tmpl_set_free(ex.overlay);
	return rc;
}

int tmpl_call_execute(struct tmpl_call *call, struct buf *out, const char *name,
		      const struct tval *data)
{
	struct tmpl_exec *ex = call->exec;
	int rc;

	if (!ex)
		return tmpl_call_errorf(call, "no template engine in this call");
	ex->call_depth++;
	rc = ex_execute(ex, out, name, data, 0);
	ex->call_depth--;
	if (rc < 0) {
		int code = ex->code ? ex->code : DIAG_EEXEC;
		buf_reset(call->errmsg);
		buf_add(call->errmsg, ex->err.ptr, ex->err.len);
		return code;
	}
	return 0;
}

int tmpl_call_parse(struct tmpl_call *call, const char *name, const char *text, size_t len)
{
	struct tmpl_exec *ex = call->exec;
	int rc;

	if (!ex)
		return tmpl_call_errorf(call, "no template engine in this call");
	if (!ex->overlay) {
		if ((rc = tmpl_set_new(&ex->overlay, ex->base->funcs)) < 0)
			return rc;
		ex->overlay->parent = ex->base;
	}
	buf_reset(call->errmsg);
	rc = tmpl__parse(ex->overlay, name, text, len, 0, call->errmsg);
	return rc;
}

int tmpl_call_depth(const struct tmpl_call *call)
{
	return call->exec ? call->exec->call_depth : 0;
}

void tmpl_strip_no_value(struct buf *out)
{
	static const char nv[] = "<no value>";
	const size_t n = sizeof(nv) - 1;
	size_t r = 0, w = 0;

	/* jump from one '<' to the next: outputs are megabytes of text with
	 * few of them */
	while (r < out->len) {
		const char *lt = memchr(out->ptr + r, '<', out->len - r);
		size_t run = lt ? (size_t)(lt - (out->ptr + r)) : out->len - r;

		memmove(out->ptr + w, out->ptr + r, run);
		w += run;
		r += run;
		if (!lt)
			break;
		if (out->len - r >= n && memcmp(out->ptr + r, nv, n) == 0) {
			r += n;
		} else {
			out->ptr[w++] = out->ptr[r++];
		}
	}
	if (out->alloc)
		out->ptr[w] = '\0';
	out->len = w;
}

/* ---- Helm's error rewriting (pkg/engine/engine.go) */

struct helm_tr {
	const char *loc, *fn, *msg;
	size_t loc_len, fn_len, msg_len;
};

static const char *ex_find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

/* parseTemplateExecErrorString; 0 when s is not a template error */
static int ex_parse_tr(const char *s, size_t n, struct helm_tr *tr)
{
	const char *rem, *idx, *after, *endq, *afterat, *endloc, *cut;
	size_t rn;

	memset(tr, 0, sizeof(*tr));
	if (n < 10 || memcmp(s, "template: ", 10) != 0)
		return 0;
	rem = s + 10;
	rn = n - 10;
	if (rn >= 12 && memcmp(rem, "no template ", 12) == 0) {
		tr->msg = s;
		tr->msg_len = n;
		return 1;
	}
	idx = ex_find(rem, rn, ": executing ");
	if (idx) {
		after = idx + 12;
		if (after < rem + rn && *after == '"') {
			endq = memchr(after + 1, '"', (size_t)(rem + rn - after - 1));
			if (endq && (size_t)(rem + rn - endq - 1) >= 5 && memcmp(endq + 1, " at <", 5) == 0) {
				afterat = endq + 6;
				endloc = ex_find(afterat, (size_t)(rem + rn - afterat), ">: ");
				if (endloc) {
					tr->loc = rem;
					tr->loc_len = (size_t)(idx - rem);
					tr->fn = after + 1;   /* funcName..location, rebuilt below */
					tr->fn_len = (size_t)(endloc - after - 1);
					tr->msg = endloc + 3;
					tr->msg_len = (size_t)(rem + rn - tr->msg);
					cut = ex_find(tr->msg, tr->msg_len, " template:");
					if (cut)
						tr->msg_len = (size_t)(cut - tr->msg);
					return 2;
				}
			}
		}
	}
	/* simple form: LastIndex ": " */
	{
		size_t i;
		for (i = rn; i-- > 1;) {
			if (rem[i - 1] == ':' && rem[i] == ' ') {
				tr->loc = rem;
				tr->loc_len = i - 1;
				tr->msg = rem + i + 1;
				tr->msg_len = rn - i - 1;
				cut = ex_find(tr->msg, tr->msg_len, " template:");
				if (cut)
					tr->msg_len = (size_t)(cut - tr->msg);
				return 3;
			}
		}
	}
	return 0;
}

static int ex_tr_eq(const struct helm_tr *a, const struct helm_tr *b)
{
	return a->loc_len == b->loc_len && a->fn_len == b->fn_len && a->msg_len == b->msg_len &&
	       (!a->loc_len || memcmp(a->loc, b->loc, a->loc_len) == 0) &&
	       (!a->fn_len || memcmp(a->fn, b->fn, a->fn_len) == 0) &&
	       (!a->msg_len || memcmp(a->msg, b->msg, a->msg_len) == 0);
}

static int ex_helm_exec_error(struct buf *out, const char *goerr)
{
	size_t n = strlen(goerr);
	const char *p1, *p2, *ws, *we;
	struct helm_tr trs[64], tr;
	size_t ntr = 0, i;
	const char *cur = goerr;
	size_t curlen = n;
	struct buf b = BUF_INIT;

	/* tokens := SplitN(err, ": ", 3) */
	p1 = ex_find(goerr, n, ": ");
	p2 = p1 ? ex_find(p1 + 2, (size_t)(goerr + n - p1 - 2), ": ") : NULL;
	if (!p1 || !p2)
		return buf_adds(out, goerr);
	ws = ex_find(p2 + 2, (size_t)(goerr + n - p2 - 2), "HELM_ERR_START");
	if (ws) {
		const char *last = NULL, *q = ws + 14;
		while ((we = ex_find(q, (size_t)(goerr + n - q), "HELM_ERR_END")) != NULL) {
			last = we;
			q = we + 1;
		}
		if (last) {
			buf_adds(out, "execution error at (");
			buf_add(out, p1 + 2, (size_t)(p2 - p1 - 2));
			buf_adds(out, "): ");
			return buf_add(out, ws + 14, (size_t)(last - ws - 14));
		}
	}
	for (;;) {
		int kind = ex_parse_tr(cur, curlen, &tr);
		const char *m, *e;
		if (!kind)
			return buf_adds(out, goerr);
		if (ntr == 0 || !ex_tr_eq(&trs[ntr - 1], &tr)) {
			if (ntr == sizeof(trs) / sizeof(trs[0]))
				return buf_adds(out, goerr);
			trs[ntr++] = tr;
		}
		if (kind != 2)
			break;
		/* Unwrap: only "error calling NAME: %w" wraps the function's error */
		m = tr.msg;
		if ((size_t)(cur + curlen - m) < 14 || memcmp(m, "error calling ", 14) != 0)
			break;
		e = ex_find(m + 14, (size_t)(cur + curlen - m - 14), ": ");
		if (!e)
			break;
		cur = e + 2;
		curlen = (size_t)(goerr + n - cur);
	}
	for (i = 0; i < ntr; i++) {
		if (trs[i].loc_len) {
			buf_add(&b, trs[i].loc, trs[i].loc_len);
			buf_adds(&b, "\n  ");
		}
		if (trs[i].fn_len) {
			buf_adds(&b, "executing \"");
			buf_add(&b, trs[i].fn, trs[i].fn_len);
			buf_adds(&b, ">:\n    ");
		}
		if (trs[i].msg_len) {
			buf_add(&b, trs[i].msg, trs[i].msg_len);
			buf_addch(&b, '\n');
		}
	}
	/* strings.TrimSpace */
	{
		size_t s0 = 0, e0 = b.len;
		while (s0 < e0 && (b.ptr[s0] == ' ' || b.ptr[s0] == '\n' || b.ptr[s0] == '\t' || b.ptr[s0] == '\r'))
			s0++;
		while (e0 > s0 && (b.ptr[e0 - 1] == ' ' || b.ptr[e0 - 1] == '\n' || b.ptr[e0 - 1] == '\t' ||
				   b.ptr[e0 - 1] == '\r'))
			e0--;
		buf_add(out, b.ptr + s0, e0 - s0);
	}
	buf_release(&b);
	return buf_oom(out) ? -1 : 0;
}

int tmpl_helm_error(struct buf *out, int code, const char *goerr)
{
	if (code == DIAG_EPARSE) {
		/* cleanupParseError: tokens := Split(err, ": ") */
		const char *p1 = strstr(goerr, ": "), *last, *q;
		if (!p1)
			return buf_addf(out, "parse error in (%s): %s", "", goerr);
		last = p1;
		for (q = p1; (q = strstr(q + 2, ": ")) != NULL;)
			last = q;
		{
			const char *p2 = strstr(p1 + 2, ": ");
			size_t loclen = p2 ? (size_t)(p2 - p1 - 2) : strlen(p1 + 2);
			buf_adds(out, "parse error at (");
			buf_add(out, p1 + 2, loclen);
			buf_adds(out, "): ");
			return buf_adds(out, last + 2);
		}
	}
	return ex_helm_exec_error(out, goerr);
}
