/*
 * Sprig's regex functions (regex.go): Go's regexp package, on PCRE2 through
 * sprig_regex_util. The plain functions use regexp.MustCompile, whose panic
 * text the engine reports as Go does; regexMatch swallows the error; the
 * must* variants return it.
 */
#include "render/tmpl/funcs.h"
#include "render/tmpl/tmpl.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_regex_util.h"
#include "render/tmpl/tmpl_int.h"

#include "render/buf.h"
#include "render/diag.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* MUST: the plain function panics in regexp.MustCompile. */
enum { RX_MUST_PANIC = 0, RX_MUST_ERROR = 1 };

/*
 * Compiled patterns, kept for the execution (the runtime's regexes):
 * a chart calls the same function with the same constant pattern once per
 * resource, and compiling is most of a call's cost. A compiled pattern is
 * not changed by matching. Failed compiles are not kept.
 */
#define RX_CACHE 32

struct rx_cache {
	size_t n;
	struct {
		char *pat;
		size_t len;
		struct sre *re;
	} e[RX_CACHE];
};

static void S_cache_free(void *arg)
{
	struct rx_cache *c = arg;
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->e[i].pat);
		sre_free(c->e[i].re);
	}
	free(c);
}

/* sre_compile through the runtime's cache; *kept says whether the cache
 * owns *out (else the caller frees it with S_release). */
static int S_compile_kept(struct sre **out, struct tmpl_call *call, const char *s, size_t len,
			  struct buf *err)
{
	struct rx_cache *c = call->rt->regexes;
	size_t i;
	int error;

	if (c) {
		for (i = 0; i < c->n; i++) {
			if (c->e[i].len == len && memcmp(c->e[i].pat, s, len) == 0) {
				*out = c->e[i].re;
				return 0;
			}
		}
	}
	if ((error = sre_compile(out, s, len, err)) < 0)
		return error;
	if (!c) {
		if (!(c = calloc(1, sizeof(*c))))
			return 0;
		if (tmpl_rt_defer(call->rt, S_cache_free, c) < 0) {
			free(c);
			return 0;
		}
		call->rt->regexes = c;
	}
	if (c->n < RX_CACHE && (c->e[c->n].pat = malloc(len + 1)) != NULL) {
		if (len)
			memcpy(c->e[c->n].pat, s, len);
		c->e[c->n].pat[len] = '\0';
		c->e[c->n].len = len;
		c->e[c->n].re = *out;
		c->n++;
	}
	return 0;
}

/* Frees re unless the runtime's cache keeps it. */
static void S_release(struct tmpl_call *call, struct sre *re)
{
	struct rx_cache *c = call->rt->regexes;
	size_t i;

	if (!re)
		return;
	for (i = 0; c && i < c->n; i++)
		if (c->e[i].re == re)
			return;
	sre_free(re);
}

/* Compiles argv pattern; on failure reports as Go does for mode. */
static int S_compile(struct sre **out, struct tmpl_call *call, const struct tval *pat, int mode)
{
	struct buf err = BUF_INIT, msg = BUF_INIT;
	size_t len;
	const char *s = tval_str_ptr(pat, &len);
	int error;

	error = S_compile_kept(out, call, s, len, &err);
	if (error == DIAG_ENOMEM) {
		error = tmpl_call_errorf(call, "out of memory");
	} else if (error < 0) {
		if (mode == RX_MUST_PANIC) {
			buf_adds(&msg, "regexp: Compile(");
			tmpl_quote_backquote(&msg, s, len);
			buf_adds(&msg, "): ");
			buf_add(&msg, err.ptr, err.len);
			error = tmpl_call_errorf(call, "%s", msg.ptr);
		} else {
			error = tmpl_call_errorf(call, "%s", err.ptr);
		}
	}
	buf_release(&err);
	buf_release(&msg);
	return error;
}

static int S_exec_error(struct tmpl_call *call, int error, struct buf *err)
{
	if (error == DIAG_ENOMEM)
		return tmpl_call_errorf(call, "out of memory");
	return tmpl_call_errorf(call, "%s", err->len ? err->ptr : "regexp: match failed");
}

static int S_match(struct tval *out, struct tmpl_call *call, int mode, const struct tval *argv)
{
	struct sre *re = NULL;
	struct buf err = BUF_INIT;
	struct sre_subject sub = { 0 };
	size_t len;
	const char *s = tval_str_ptr(&argv[1], &len);
	int error;

	{
		size_t plen;
		const char *p = tval_str_ptr(&argv[0], &plen);

		error = S_compile_kept(&re, call, p, plen, &err);
	}
	if (error < 0) {
		if (error == DIAG_ENOMEM)
			error = tmpl_call_errorf(call, "out of memory");
		else if (mode == RX_MUST_ERROR)
			error = tmpl_call_errorf(call, "%s", err.ptr);
		else {
			*out = tval_bool(0);
			error = 0;
		}
		goto done;
	}
	if ((error = sre_subject_init(&sub, s, len)) < 0) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
	error = sre_test(re, &sub, &err);
	if (error < 0) {
		error = S_exec_error(call, error, &err);
		goto done;
	}
	*out = tval_bool(error == 1);
	error = 0;
done:
	sre_subject_release(&sub);
	S_release(call, re);
	buf_release(&err);
	return error;
}

static int S_regexMatch(struct tval *out, struct tmpl_call *call, int argc,
			const struct tval *argv)
{
	return S_match(out, call, RX_MUST_PANIC, argv);
}

static int S_mustRegexMatch(struct tval *out, struct tmpl_call *call, int argc,
			    const struct tval *argv)
{
	return S_match(out, call, RX_MUST_ERROR, argv);
}

struct find_all_ctx {
	json_t *list;
	const char *s;
};

static int S_collect(const ssize_t *ovec, void *payload)
{
	struct find_all_ctx *c = payload;

	if (json_array_append_new(c->list, json_stringn_nocheck(c->s + ovec[0],
							 (size_t)(ovec[1] - ovec[0]))) < 0)
		return DIAG_ENOMEM;
	return 0;
}

static int S_find_all(struct tval *out, struct tmpl_call *call, int mode,
		      const struct tval *argv)
{
	struct sre *re = NULL;
	struct buf err = BUF_INIT;
	struct find_all_ctx c;
	size_t len;
	int error;

	c.s = tval_str_ptr(&argv[1], &len);
	c.list = json_array();
	if (!c.list)
		return tmpl_call_errorf(call, "out of memory");
	if ((error = S_compile(&re, call, &argv[0], mode)) < 0)
		goto done;
	error = sre_find_all(re, c.s, len, argv[2].u.i, S_collect, &c, &err);
	if (error < 0) {
		error = S_exec_error(call, error, &err);
		goto done;
	}
	*out = tval_json_new(TV_STRLIST, c.list);
	/* FindAllString returns nil when nothing matches, else appends to
	 * make([]string, 0, 10) */
	out->nilslice = json_array_size(c.list) == 0;
	if (!out->nilslice)
		tval_set_cap(out, tval_go_appended(TV_STRLIST, 10, json_array_size(c.list)));
	c.list = NULL;
done:
	json_decref(c.list);
	S_release(call, re);
	buf_release(&err);
	return error;
}

static int S_regexFindAll(struct tval *out, struct tmpl_call *call, int argc,
			  const struct tval *argv)
{
	return S_find_all(out, call, RX_MUST_PANIC, argv);
}

static int S_mustRegexFindAll(struct tval *out, struct tmpl_call *call, int argc,
			      const struct tval *argv)
{
	return S_find_all(out, call, RX_MUST_ERROR, argv);
}

static int S_find(struct tval *out, struct tmpl_call *call, int mode, const struct tval *argv)
{
	struct sre *re = NULL;
	struct buf err = BUF_INIT;
	ssize_t *ovec = NULL;
	struct sre_subject sub = { 0 };
	size_t len;
	const char *s = tval_str_ptr(&argv[1], &len);
	int error;

	if ((error = S_compile(&re, call, &argv[0], mode)) < 0)
		goto done;
	if (!(ovec = malloc(2 * (sre_ncap(re) + 1) * sizeof(*ovec)))) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
	if ((error = sre_subject_init(&sub, s, len)) < 0) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
	error = sre_exec(re, &sub, 0, ovec, &err);
	if (error < 0) {
		error = S_exec_error(call, error, &err);
		goto done;
	}
	if (error == 1)
		*out = tval_strn(s + ovec[0], (size_t)(ovec[1] - ovec[0]));
	else
		*out = tval_str("");
	error = 0;
done:
	free(ovec);
	sre_subject_release(&sub);
	S_release(call, re);
	buf_release(&err);
	return error;
}

static int S_regexFind(struct tval *out, struct tmpl_call *call, int argc,
		       const struct tval *argv)
{
	return S_find(out, call, RX_MUST_PANIC, argv);
}

static int S_mustRegexFind(struct tval *out, struct tmpl_call *call, int argc,
			   const struct tval *argv)
{
	return S_find(out, call, RX_MUST_ERROR, argv);
}

/* Go's Regexp.replaceAll; expand says whether $ in repl is expanded. */
static int S_replace(struct tval *out, struct tmpl_call *call, int mode, int expand,
		     const struct tval *argv)
{
	struct sre *re = NULL;
	struct buf err = BUF_INIT, res = BUF_INIT;
	ssize_t *ovec = NULL;
	struct sre_subject sub = { 0 };
	size_t len, rlen, last_end = 0, pos = 0;
	const char *s = tval_str_ptr(&argv[1], &len);
	const char *repl = tval_str_ptr(&argv[2], &rlen);
	int error;

	if ((error = S_compile(&re, call, &argv[0], mode)) < 0)
		goto done;
	if (!(ovec = malloc(2 * (sre_ncap(re) + 1) * sizeof(*ovec)))) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
	if (sre_subject_init(&sub, s, len) < 0) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
	while (pos <= len) {
		size_t w;

		error = sre_exec(re, &sub, pos, ovec, &err);
		if (error < 0) {
			error = S_exec_error(call, error, &err);
			goto done;
		}
		if (error == 0)
			break;
		buf_add(&res, s + last_end, (size_t)ovec[0] - last_end);
		if ((size_t)ovec[1] > last_end || ovec[0] == 0) {
			if (expand)
				sre_expand(&res, re, repl, rlen, s, ovec);
			else
				buf_add(&res, repl, rlen);
		}
		last_end = (size_t)ovec[1];
		w = sre_rune_width((const unsigned char *)s + pos, len - pos);
		if (pos + w > (size_t)ovec[1])
			pos += w;
		else if (pos + 1 > (size_t)ovec[1])
			pos++;
		else
			pos = (size_t)ovec[1];
	}
	buf_add(&res, s + last_end, len - last_end);
	if (buf_oom(&res)) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
	*out = tval_strn(res.ptr, res.len);
	error = 0;
done:
	free(ovec);
	sre_subject_release(&sub);
	S_release(call, re);
	buf_release(&err);
	buf_release(&res);
	return error;
}

static int S_regexReplaceAll(struct tval *out, struct tmpl_call *call, int argc,
			     const struct tval *argv)
{
	return S_replace(out, call, RX_MUST_PANIC, 1, argv);
}

static int S_mustRegexReplaceAll(struct tval *out, struct tmpl_call *call, int argc,
				 const struct tval *argv)
{
	return S_replace(out, call, RX_MUST_ERROR, 1, argv);
}

static int S_regexReplaceAllLiteral(struct tval *out, struct tmpl_call *call, int argc,
				    const struct tval *argv)
{
	return S_replace(out, call, RX_MUST_PANIC, 0, argv);
}

static int S_mustRegexReplaceAllLiteral(struct tval *out, struct tmpl_call *call, int argc,
					const struct tval *argv)
{
	return S_replace(out, call, RX_MUST_ERROR, 0, argv);
}

struct split_ctx {
	json_t *list;
	const char *s;
	long long n;
	size_t beg, end;
	size_t nmatch;       /* matches FindAllStringIndex gave */
};

static int S_split_match(const ssize_t *ovec, void *payload)
{
	struct split_ctx *c = payload;

	c->nmatch++;
	if (c->n > 0 && (long long)json_array_size(c->list) >= c->n - 1)
		return 0;
	c->end = (size_t)ovec[0];
	if (ovec[1] != 0 &&
	    json_array_append_new(c->list, json_stringn_nocheck(c->s + c->beg, c->end - c->beg)) < 0)
		return DIAG_ENOMEM;
	c->beg = (size_t)ovec[1];
	return 0;
}

static int S_split(struct tval *out, struct tmpl_call *call, int mode, const struct tval *argv)
{
	struct sre *re = NULL;
	struct buf err = BUF_INIT;
	struct split_ctx c;
	size_t len, plen;
	int error;

	memset(&c, 0, sizeof(c));
	c.s = tval_str_ptr(&argv[1], &len);
	c.n = argv[2].u.i;
	tval_str_ptr(&argv[0], &plen);
	if (!(c.list = json_array()))
		return tmpl_call_errorf(call, "out of memory");
	if ((error = S_compile(&re, call, &argv[0], mode)) < 0)
		goto done;
	if (c.n == 0) {
		/* Regexp.Split returns nil for n == 0 */
		*out = tval_nil_slice(TV_STRLIST);
		error = out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
		goto done;
	}
	if (plen > 0 && len == 0) {
		json_array_append_new(c.list, json_string(""));
		goto ok;
	}
	error = sre_find_all(re, c.s, len, c.n, S_split_match, &c, &err);
	if (error < 0) {
		error = S_exec_error(call, error, &err);
		goto done;
	}
	if (c.end != len)
		json_array_append_new(c.list, json_stringn_nocheck(c.s + c.beg, len - c.beg));
ok:
	*out = tval_json_new(TV_STRLIST, c.list);
	/* make([]string, 0, len(matches)), then appended to */
	tval_set_cap(out, tval_go_appended(TV_STRLIST, c.nmatch, json_array_size(c.list)));
	c.list = NULL;
	error = 0;
done:
	json_decref(c.list);
	S_release(call, re);
	buf_release(&err);
	return error;
}

static int S_regexSplit(struct tval *out, struct tmpl_call *call, int argc,
			const struct tval *argv)
{
	return S_split(out, call, RX_MUST_PANIC, argv);
}

static int S_mustRegexSplit(struct tval *out, struct tmpl_call *call, int argc,
			    const struct tval *argv)
{
	return S_split(out, call, RX_MUST_ERROR, argv);
}

static int S_regexQuoteMeta(struct tval *out, struct tmpl_call *call, int argc,
			    const struct tval *argv)
{
	struct buf b = BUF_INIT;
	size_t len;
	const char *s = tval_str_ptr(&argv[0], &len);

	if (sre_quote_meta(&b, s, len) < 0) {
		buf_release(&b);
		return tmpl_call_errorf(call, "out of memory");
	}
	*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return 0;
}

static const struct tmpl_func S_funcs[] = {
	{ "regexMatch", S_regexMatch, "ss", TMPL_FN_NOERR, NULL },
	{ "mustRegexMatch", S_mustRegexMatch, "ss", 0, NULL },
	{ "regexFindAll", S_regexFindAll, "ssi", TMPL_FN_NOERR, NULL },
	{ "mustRegexFindAll", S_mustRegexFindAll, "ssi", 0, NULL },
	{ "regexFind", S_regexFind, "ss", TMPL_FN_NOERR, NULL },
	{ "mustRegexFind", S_mustRegexFind, "ss", 0, NULL },
	{ "regexReplaceAll", S_regexReplaceAll, "sss", TMPL_FN_NOERR, NULL },
	{ "mustRegexReplaceAll", S_mustRegexReplaceAll, "sss", 0, NULL },
	{ "regexReplaceAllLiteral", S_regexReplaceAllLiteral, "sss", TMPL_FN_NOERR, NULL },
	{ "mustRegexReplaceAllLiteral", S_mustRegexReplaceAllLiteral, "sss", 0, NULL },
	{ "regexSplit", S_regexSplit, "ssi", TMPL_FN_NOERR, NULL },
	{ "mustRegexSplit", S_mustRegexSplit, "ssi", 0, NULL },
	{ "regexQuoteMeta", S_regexQuoteMeta, "s", TMPL_FN_NOERR, NULL },
};

int sprig_regex_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
