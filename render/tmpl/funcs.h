/*
 * The function registry: how a function family (the engine's builtins,
 * Sprig, Helm) registers functions that templates call by name, and how a
 * function receives its arguments and returns a value or an error.
 *
 * A family defines a static table and adds it to a registry:
 *
 *     static int sprig_trunc(struct tval *out, struct tmpl_call *call,
 *                        int argc, const struct tval *argv)
 *     {
 *             int64_t n = argv[0].u.i;          // "i": already a Go int
 *             size_t len;
 *             const char *s = tval_str_ptr(&argv[1], &len);  // "s"
 *             ...
 *             *out = tval_strn(s, len);
 *             return 0;
 *     }
 *     static const struct tmpl_func strings_funcs[] = {
 *             { "trunc", sprig_trunc, "is", 0 },
 *             { "list", sprig_list, "v*", 0 },
 *             { "include", helm_include, "sv", TMPL_FN_CONTEXT },
 *     };
 *     int sprig_strings_register(struct tmpl_funcs *r)
 *     {
 *             return tmpl_funcs_add(r, strings_funcs, sizeof(strings_funcs) / sizeof(strings_funcs[0]));
 *     }
 *
 * Names are looked up when a template is parsed: an unknown name is Go's
 * parse error `function "foo" not defined`. A registry is filled once, then
 * only read, so one registry may serve many threads at once.
 *
 * Parameters (the sig string, one letter per Go parameter type; a trailing
 * '*' makes the last one variadic, "...T"): the engine converts and checks
 * each argument as Go's reflect-based call does and fails with Go's text
 * ("wrong number of args for trunc: want 2 got 1", "wrong type for value;
 * expected string; got int") before the function runs, so a function may
 * trust the kinds of its arguments:
 *
 *   'v' interface {}     any kind (see below for a missing value)
 *   's' string           TV_STRING
 *   'i' int              TV_INT        'I' int64     TV_INT64
 *   'f' float64          TV_FLOAT64    'b' bool      TV_BOOL
 *   'l' []interface {}   TV_LIST       'L' []string  TV_STRLIST
 *   'm' map[string]interface {}        TV_MAP or TV_VALUES
 *   'y' []byte           TV_BYTES      't' time.Time TV_TIME
 *   'D' time.Duration    TV_DURATION   'V' *semver.Version TV_SEMVER
 *   'C' sprig.certificate: a host object of that Go type (TV_OBJECT)
 *   'u' uint32: only an unsigned number literal (Go's "expected unsigned
 *       integer"), arriving as TV_INT truncated to 32 bits; no template
 *       value has that type, so any other argument is "wrong type"
 *   'x' reflect.Value: any kind, TV_INVALID kept as it is (index, len, ...)
 *
 * Number literals in the template take the parameter's type as Go's ideal
 * constants do ('f' gets 1 as 1.0). For 'v', an invalid value (a missing
 * key) arrives as TV_NIL, as Go passes the zero interface {}.
 *
 * Returning: put the result in *out (the engine releases it) and return 0.
 * A function that has no result value leaves *out TV_INVALID.
 * To fail, return tmpl_call_errorf(call, "..."): the engine reports Go's
 * `error calling NAME: MESSAGE` at the action. A Go panic inside a
 * function is reported by text/template the same way, so use it for those
 * too. argv is borrowed; tval_copy what you keep.
 */
#ifndef HYDRATE_TMPL_FUNCS_H
#define HYDRATE_TMPL_FUNCS_H

#include <stddef.h>
#include "render/tmpl/tval.h"

struct buf;
struct diag;
struct tmpl_set;
struct tmpl_call;
struct tmpl_rt;
struct tmpl_exec;

typedef int (*tmpl_fn)(struct tval *out, struct tmpl_call *call,
		       int argc, const struct tval *argv);

enum tmpl_func_flags {
	/* The function uses call's engine access (include, tpl, ...). */
	TMPL_FN_CONTEXT = 1 << 0,
	/* Go's function has a single result, no error (informational). */
	TMPL_FN_NOERR = 1 << 1,
};

struct tmpl_func {
	const char *name;
	tmpl_fn fn;
	const char *sig;      /* parameter types, see above */
	unsigned flags;       /* enum tmpl_func_flags */
	void *payload;        /* passed through as call->payload */
};

/* A registry: name -> function. Opaque. */
struct tmpl_funcs;

/* A new registry holding text/template's builtins (and, or, not, len,
 * index, slice, print, printf, println, html, js, urlquery, call, eq, ne,
 * lt, le, gt, ge). Free with tmpl_funcs_free. 0 or DIAG_ENOMEM. */
int tmpl_funcs_new(struct tmpl_funcs **out);
void tmpl_funcs_free(struct tmpl_funcs *r);
/* Adds n functions; the table is borrowed and must outlive the registry
 * (use static tables). A name added later replaces an earlier one, as Go's
 * Funcs does. 0 or DIAG_ENOMEM. */
int tmpl_funcs_add(struct tmpl_funcs *r, const struct tmpl_func *table, size_t n);
/* The entry for name, or NULL. Borrowed. */
const struct tmpl_func *tmpl_funcs_find(const struct tmpl_funcs *r, const char *name);
/* The same for name[0..len), which need not be NUL-terminated (a NUL in
 * it matches no function). */
const struct tmpl_func *tmpl_funcs_findn(const struct tmpl_funcs *r, const char *name, size_t len);

/*
 * What a called function sees. Members are read-only for it.
 */
struct tmpl_call {
	const struct tmpl_func *func;
	struct tmpl_rt *rt;       /* the execution's runtime (boxes, limits) */
	void *payload;            /* func->payload */
	const struct tobj *self;  /* the receiver, for methods of host objects */
	struct tmpl_exec *exec;   /* engine access, for TMPL_FN_CONTEXT */
	struct buf *errmsg;       /* where tmpl_call_errorf writes */
};

/* Sets the error message of a failing call and returns DIAG_EEXEC. The
 * engine prefixes "error calling NAME: " as Go does. */
int tmpl_call_errorf(struct tmpl_call *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As tmpl_call_errorf, but the engine reports the message at the command
 * as is, without "error calling NAME: " (for errors Go's engine raises
 * itself). Return its result from the function unchanged. */
int tmpl_call_raw_errorf(struct tmpl_call *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Counts n units of work against the execution's step limit (struct
 * tmpl_limits.max_steps), for functions whose work grows faster than their
 * input (uniq compares every pair). 0, or DIAG_ELIMIT with call's message
 * set ("template execution exceeded N steps"): return that code.
 */
int tmpl_call_charge(struct tmpl_call *call, uint64_t n);

/*
 * Engine access for TMPL_FN_CONTEXT functions (Helm's include, tpl, ...).
 *
 * tmpl_call_execute runs the named template with dot data and appends its
 * output to out (Go: t.ExecuteTemplate; a new variable scope). On failure
 * the nested execution's whole Go error text is put in call's message and
 * its code is returned: return that code from the function, and the engine
 * reports `error calling NAME: <nested text>` as Go's %w wrapping does
 * (what Helm's include gives). An unknown name gives Go's
 * `template: no template "NAME" associated with template "gotpl"`.
 * tmpl_call_parse parses text as template name into a per-execution
 * overlay on top of the executing set (Go: t.New(name).Parse(text)), so
 * tmpl_call_execute can run it next (tpl); the shared set is not changed.
 * A parse error's Go text is in call's message. tmpl_call_depth gives how
 * deeply tmpl_call_execute calls are nested (Helm counts include depth
 * itself, per name).
 */
int tmpl_call_execute(struct tmpl_call *call, struct buf *out, const char *name,
		      const struct tval *data);
int tmpl_call_parse(struct tmpl_call *call, const char *name, const char *text,
		    size_t len);
int tmpl_call_depth(const struct tmpl_call *call);

#endif
