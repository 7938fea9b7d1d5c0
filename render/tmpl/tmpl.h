/*
 * The Go text/template engine, as Helm runs it.
 *
 *   struct tmpl_set   the named templates of every parsed text (Go's
 *                     *template.Template with its common set), plus the
 *                     function registry names are checked against.
 *   struct tmpl_rt    the runtime of one job: boxed values, limits, the
 *                     execution options. One per thread; never shared.
 *
 * A set is filled by tmpl_set_parse (not thread-safe), then only read:
 * many threads may execute the same set at once, each with its own rt.
 *
 * Errors are Go's texts, in d->msg:
 *   parse:  template: NAME:LINE: MESSAGE
 *   exec:   template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE
 * tmpl_helm_error turns them into what Helm 4 prints after "Error: ".
 */
#ifndef HYDRATE_TMPL_TMPL_H
#define HYDRATE_TMPL_TMPL_H

#include <stddef.h>
#include <stdint.h>
#include "render/tmpl/tval.h"
#include "render/tmpl/funcs.h"

struct buf;
struct diag;

struct tmpl_set;

/* A new, empty set whose parses check function names against funcs
 * (borrowed; it must outlive the set). 0 or DIAG_ENOMEM. */
int tmpl_set_new(struct tmpl_set **out, const struct tmpl_funcs *funcs);
void tmpl_set_free(struct tmpl_set *set);

/*
 * Parses text as the template name (Go: t.New(name).Parse(text)): the
 * text's own tree and each {{define}} / {{block}} go into the set. A later
 * definition replaces an earlier one of the same name, unless it is empty
 * (only space and comments) and the earlier one is not; two non-empty
 * definitions of one name in the same text are an error. On error nothing
 * is added. DIAG_EPARSE with Go's message, DIAG_ENOMEM, DIAG_ELIMIT.
 */
int tmpl_set_parse(struct tmpl_set *set, const char *name, const char *text,
		   size_t len, struct diag *d);
/* tmpl_set_parse without copying text: the set's trees point into it, so
 * text must stay unchanged until tmpl_set_free (a chart's file data, which
 * outlives the render). */
int tmpl_set_parse_borrowed(struct tmpl_set *set, const char *name, const char *text,
			    size_t len, struct diag *d);
/* One text for tmpl_set_parse_many. */
struct tmpl_text {
	const char *name;
	const char *text;   /* borrowed, as tmpl_set_parse_borrowed's */
	size_t len;
};
/*
 * tmpl_set_parse_borrowed of v[0], v[1], ... in that order, stopping at the
 * first failure, whose error it returns (later texts are not added). With
 * threads >= 2 and enough text, the texts are parsed on two threads and
 * then added in order: the same set and the same error as one by one,
 * since a text's parse reads only the function registry.
 */
int tmpl_set_parse_many(struct tmpl_set *set, const struct tmpl_text *v, size_t n,
			unsigned threads, struct diag *d);
/* Whether name is defined (has a tree). */
int tmpl_set_has(const struct tmpl_set *set, const char *name);

enum tmpl_missingkey {
	TMPL_MISSINGKEY_ZERO = 0,   /* Helm's default: "missingkey=zero" */
	TMPL_MISSINGKEY_DEFAULT,    /* Go's default ("invalid") */
	TMPL_MISSINGKEY_ERROR,      /* helm --strict: "missingkey=error" */
};

struct tmpl_limits {
	size_t max_output;     /* bytes of one execution's output; 0: 256 MiB */
	uint64_t max_steps;    /* nodes walked + loop iterations; 0: 1e9 */
	size_t max_stack;      /* C stack bytes the engine may use; 0: 4 MiB (run it on
	                          threads with 8 MiB or more) */
};

struct tmpl_rt;

/* A new runtime; limits may be NULL for the defaults. 0 or DIAG_ENOMEM. */
int tmpl_rt_new(struct tmpl_rt **out, const struct tmpl_limits *limits,
		enum tmpl_missingkey missingkey);
/* Frees the runtime and every value boxed in it. NULL is fine. */
void tmpl_rt_free(struct tmpl_rt *rt);
/* Zeroed memory that lives until tmpl_rt_free (for host objects a function
 * creates during the execution, e.g. the result of .Files.Glob): borrowed,
 * never free it. NULL on allocation failure. */
void *tmpl_rt_alloc(struct tmpl_rt *rt, size_t size);
/* Runs fn(arg) when the runtime is freed (last registered runs first), e.g.
 * to drop references such objects hold. 0 or DIAG_ENOMEM (then fn is not
 * registered). */
int tmpl_rt_defer(struct tmpl_rt *rt, void (*fn)(void *arg), void *arg);
/* Host data: what Helm's functions need (payload of this job). */
void tmpl_rt_set_userdata(struct tmpl_rt *rt, void *userdata);
void *tmpl_rt_userdata(const struct tmpl_rt *rt);

/*
 * Executes the template name of set with dot data (borrowed), appending to
 * out (Go: t.ExecuteTemplate). 0, DIAG_EEXEC with Go's message,
 * DIAG_ENOTFOUND ("template: no template %q associated with template %q"
 * is Helm's business: here `template: no template "NAME" associated`),
 * DIAG_ELIMIT, DIAG_ENOMEM.
 */
int tmpl_execute(struct buf *out, const struct tmpl_set *set, const char *name,
		 const struct tval *data, struct tmpl_rt *rt, struct diag *d);

/* Helm's strings.ReplaceAll(out, "<no value>", ""), in place. */
void tmpl_strip_no_value(struct buf *out);

/*
 * What Helm 4.1 prints after "Error: " for an engine error goerr (Go's
 * text), as pkg/engine does: a parse error (code DIAG_EPARSE)
 * "template: NAME:LINE: ... MSG" becomes "parse error at (NAME:LINE): MSG"
 * (the last ": "-separated part only); an exec error is re-laid out one
 * template level per block ("NAME:L:C\n  executing \"T\" at <X>:\n    MSG"),
 * unless its chain holds an error that is not a template error, which is
 * printed unchanged; `required` / `fail` messages become
 * "execution error at (NAME:L:C): MSG". Appends to out.
 */
int tmpl_helm_error(struct buf *out, int code, const char *goerr);

/*
 * Go fmt, exactly (Sprintf, Sprint, Sprintln) over template values: the
 * engine's print/printf/println and what {{ . }} prints. Append to out.
 */
int tmpl_sprintf(struct buf *out, struct tmpl_rt *rt, const char *format, size_t flen,
		 int argc, const struct tval *argv);
int tmpl_sprint(struct buf *out, struct tmpl_rt *rt, int argc, const struct tval *argv);
int tmpl_sprintln(struct buf *out, struct tmpl_rt *rt, int argc, const struct tval *argv);

/* strconv.Quote into out (Go's %q of a string). */
int tmpl_quote(struct buf *out, const char *s, size_t len);
/* Go's regexp quote (MustCompile's panic text): `s` in backquotes when
 * strconv.CanBackquote(s), else strconv.Quote(s). Appends to out. */
int tmpl_quote_backquote(struct buf *out, const char *s, size_t len);

#endif
