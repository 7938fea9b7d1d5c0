/*
 * The parser of Go's text/template/parse (parse.go, node.go) and the
 * template set (text/template's common: names -> trees, AddParseTree).
 *
 * A parse error unwinds with longjmp, as Go's parser panics: every node
 * lives in the arena of this Parse call, which is dropped on error, so
 * nothing leaks.
 */
#include "render/assist.h"
#include "render/goscalar.h"
#include "render/tmpl/lex.h"

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAREN_DEPTH 10000
#define MAX_PIPELINE_CMDS 100000

/* The variables in scope: a define's or block's tree sees only its own,
 * names[base..n) (Go gives each tree its own list). */
struct pvars {
	const char **names;
	size_t n, cap, base;
};

struct tree_entry {
	struct ttree *tree;
};

struct parser {
	struct lexer lex;
	struct item token[3];
	int peek_count;
	struct pvars vars;
	struct arena *arena;
	const struct tmpl_funcs *funcs;
	struct ttree *tree;       /* tree being parsed */
	struct ttree **trees;     /* this Parse's treeSet */
	size_t ntrees, tcap;
	size_t action_pos;        /* 1 + the offset of the action being parsed, or 0 */
	int range_depth;
	int stack_depth;
	const char *parse_name;
	const char *text;
	size_t text_len;
	struct buf *err;
	jmp_buf jb;
	char *stack_base;
	size_t max_stack;
	/* kids of the lists, commands and pipelines being parsed, nested:
	 * each parent takes its own off the top, into an array of the size
	 * it ended with */
	struct tnode **kids;
	size_t nkids, kidcap;
};

static void ps_errorf(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void ps_errorf(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	buf_reset(p->err);
	buf_addf(p->err, "template: %s:%d: ", p->parse_name, lexer__line(&p->lex, p->token[0].pos));
	va_start(ap, fmt);
	buf_vaddf(p->err, fmt, ap);
	va_end(ap);
	longjmp(p->jb, 1);
}

static void ps_error_quoted(struct parser *p, const char *msg, const char *s, size_t n)
	__attribute__((noreturn));
static void ps_error_quoted(struct parser *p, const char *msg, const char *s, size_t n)
{
	buf_reset(p->err);
	buf_addf(p->err, "template: %s:%d: %s", p->parse_name, lexer__line(&p->lex, p->token[0].pos),
		 msg);
	tmpl_quote(p->err, s, n);
	longjmp(p->jb, 1);
}

static void ps_oom(struct parser *p) __attribute__((noreturn));
static void ps_oom(struct parser *p)
{
	buf_reset(p->err);
	buf_adds(p->err, "out of memory");
	longjmp(p->jb, 2);
}

static void ps_check_stack(struct parser *p)
{
	char here;

	if (p->stack_base && (size_t)(p->stack_base > &here ? p->stack_base - &here
							  : &here - p->stack_base) > p->max_stack)
		ps_errorf(p, "max expression depth exceeded");
}

static void *ps_alloc(struct parser *p, size_t n)
{
	void *x = arena__alloc(p->arena, n);
	if (!x)
		ps_oom(p);
	return x;
}

/* A tree holds thousands of nodes: their size is a small chart's heap. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct tnode) == 48, "struct tnode grew");

/* The bytes a node of each type uses: its header and the slots up to the
 * last one its members live in (render/tmpl/tmpl_int.h); nothing reads or
 * writes a node past them. */
#define PS_HEAD offsetof(struct tnode, text)
#define PS_TO_B offsetof(struct tnode, list)
static const unsigned char ps_node_size[] = {
	[N_TEXT] = PS_TO_B, [N_COMMENT] = PS_TO_B, [N_ACTION] = PS_TO_B,
	[N_IDENT] = PS_TO_B, [N_TEMPLATE] = PS_TO_B,
	[N_BOOL] = PS_HEAD, [N_DOT] = PS_HEAD, [N_NIL] = PS_HEAD, [N_ELSE] = PS_HEAD,
	[N_END] = PS_HEAD, [N_BREAK] = PS_HEAD, [N_CONTINUE] = PS_HEAD,
	[N_CHAIN] = sizeof(struct tnode), [N_COMMAND] = sizeof(struct tnode),
	[N_FIELD] = sizeof(struct tnode), [N_IF] = sizeof(struct tnode),
	[N_LIST] = sizeof(struct tnode), [N_NUMBER] = sizeof(struct tnode),
	[N_PIPE] = sizeof(struct tnode), [N_RANGE] = sizeof(struct tnode),
	[N_STRING] = sizeof(struct tnode), [N_VARIABLE] = sizeof(struct tnode),
	[N_WITH] = sizeof(struct tnode),
};
_Static_assert(sizeof(ps_node_size) == N_CONTINUE + 1, "a node type without a size");

static struct tnode *ps_node(struct parser *p, enum tnode_type t, size_t pos)
{
	struct tnode *n = ps_alloc(p, ps_node_size[t]);
	n->type = t;
	n->pos = (uint32_t)pos;
	return n;
}

static inline void ps_push_kid(struct parser *p, struct tnode *kid)
{
	if (p->nkids == p->kidcap) {
		size_t cap = p->kidcap ? p->kidcap * 2 : 64;
		struct tnode **nk = realloc(p->kids, cap * sizeof(*nk));

		if (!nk)
			ps_oom(p);
		p->kids = nk;
		p->kidcap = cap;
	}
	p->kids[p->nkids++] = kid;
}

/* The kids pushed since mark become parent's. */
static void ps_take_kids(struct parser *p, struct tnode *parent, size_t mark)
{
	size_t n = p->nkids - mark;

	if (n > UINT32_MAX)
		ps_oom(p);
	if (n == 1) {
		/* most commands and pipelines: the node holds its kid */
		parent->kid1 = p->kids[mark];
		parent->kids = &parent->kid1;
	} else if (n) {
		struct tnode **k = arena__take(p->arena, n * sizeof(*k), sizeof(*k));

		if (!k)
			ps_oom(p);
		size_t i;

		for (i = 0; i < n; i++)  /* mostly one to three: no memcpy call */
			k[i] = p->kids[mark + i];
		parent->kids = k;
	}
	parent->nkids = (uint32_t)n;
	p->nkids = mark;
}

/* parent's one kid */
static void ps_set_kid(struct parser *p, struct tnode *parent, struct tnode *kid)
{
	size_t mark = p->nkids;

	ps_push_kid(p, kid);
	ps_take_kids(p, parent, mark);
}

/* ---- tokens */

static struct item ps_next(struct parser *p)
{
	if (p->peek_count > 0)
		p->peek_count--;
	else
		p->token[0] = lexer__next(&p->lex);
	return p->token[p->peek_count];
}

static void ps_backup(struct parser *p)
{
	p->peek_count++;
}

static void ps_backup2(struct parser *p, struct item t1)
{
	p->token[1] = t1;
	p->peek_count = 2;
}

static struct item ps_peek(struct parser *p)
{
	if (p->peek_count > 0)
		return p->token[p->peek_count - 1];
	p->peek_count = 1;
	p->token[0] = lexer__next(&p->lex);
	return p->token[0];
}

/* Go's parser skips its space items here; the lexer returns none (an
 * item's space flag says one came before it), so these are next and
 * peek, kept under Go's names where Go skips spaces. */
static struct item ps_next_non_space(struct parser *p)
{
	return ps_next(p);
}

static struct item ps_peek_non_space(struct parser *p)
{
	return ps_peek(p);
}

/* A field item that continues the operand before it (no space between). */
static int ps_peek_is_chained_field(struct parser *p)
{
	struct item t = ps_peek(p);

	return t.type == ITEM_FIELD && !t.space;
}

static void ps_unexpected(struct parser *p, struct item tok, const char *context)
	__attribute__((noreturn));

static void ps_unexpected(struct parser *p, struct item tok, const char *context)
{
	struct buf s = BUF_INIT;

	lexer__item_string(&s, &p->lex, &tok);
	if (tok.type == ITEM_ERROR) {
		struct buf extra = BUF_INIT;
		int action_line = p->action_pos ? lexer__line(&p->lex, p->action_pos - 1) : 0;

		if (action_line != 0 && action_line != lexer__line(&p->lex, tok.pos)) {
			const char *msg = lexer__val(&p->lex, &tok);

			if (tok.len >= 7 && memcmp(msg + tok.len - 7, " action", 7) == 0)
				buf_addf(&extra, " started at %s:%d", p->parse_name, action_line);
			else
				buf_addf(&extra, " in action started at %s:%d", p->parse_name,
					 action_line);
		}
		buf_reset(p->err);
		buf_addf(p->err, "template: %s:%d: %s%s", p->parse_name,
			 lexer__line(&p->lex, p->token[0].pos), s.ptr, extra.ptr);
		buf_release(&extra);
		buf_release(&s);
		longjmp(p->jb, 1);
	}
	buf_reset(p->err);
	buf_addf(p->err, "template: %s:%d: unexpected %s in %s", p->parse_name,
		 lexer__line(&p->lex, p->token[0].pos), s.ptr, context);
	buf_release(&s);
	longjmp(p->jb, 1);
}

static struct item ps_expect(struct parser *p, enum item_type t, const char *context)
{
	struct item tok = ps_next_non_space(p);
	if (tok.type != t)
		ps_unexpected(p, tok, context);
	return tok;
}

/* ---- strconv */

static int ps_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* strconv.UnquoteChar: one (possibly escaped) character of s with quote q.
 * Returns 0 ok (*r, *multibyte, *used), -1 syntax error. */
static int ps_unquote_char(const char *s, size_t n, char q, int32_t *r, int *multibyte,
			  size_t *used)
{
	unsigned char c;
	int w, k, len;
	uint32_t v;

	*multibyte = 0;
	if (n == 0)
		return -1;
	c = (unsigned char)s[0];
	if (c == (unsigned char)q && (q == '\'' || q == '"'))
		return -1;
	if (c >= 0x80) {
		*r = tmpl__utf8_decode(s, n, &w);
		*multibyte = 1;
		*used = (size_t)w;
		return 0;
	}
	if (c != '\\') {
		*r = c;
		*used = 1;
		return 0;
	}
	if (n <= 1)
		return -1;
	c = (unsigned char)s[1];
	*used = 2;
	switch (c) {
	case 'a': *r = '\a'; return 0;
	case 'b': *r = '\b'; return 0;
	case 'f': *r = '\f'; return 0;
	case 'n': *r = '\n'; return 0;
	case 'r': *r = '\r'; return 0;
	case 't': *r = '\t'; return 0;
	case 'v': *r = '\v'; return 0;
	case 'x': case 'u': case 'U':
		len = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		if (n < (size_t)(2 + len))
			return -1;
		v = 0;
		for (k = 0; k < len; k++) {
			int h = ps_hexval((unsigned char)s[2 + k]);
			if (h < 0)
				return -1;
			v = (v << 4) | (uint32_t)h;
		}
		*used = (size_t)(2 + len);
		if (c == 'x') {
			*r = (int32_t)v;
			return 0;
		}
		if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return -1;
		*r = (int32_t)v;
		*multibyte = 1;
		return 0;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		if (n < 4)
			return -1;
		v = 0;
		for (k = 0; k < 3; k++) {
			int d = (unsigned char)s[1 + k] - '0';
			if (d < 0 || d > 7)
				return -1;
			v = (v << 3) | (uint32_t)d;
		}
		if (v > 255)
			return -1;
		*r = (int32_t)v;
		*used = 4;
		return 0;
	case '\\':
		*r = '\\';
		return 0;
	case '\'': case '"':
		if (c != (unsigned char)q)
			return -1;
		*r = c;
		return 0;
	default:
		return -1;
	}
}

/* strconv.Unquote of a "..." or `...` token into the arena. */
/* Bytes that end ps_unquote's plain run: 1 always (non-ASCII, \\, CR,
 * LF), 2 when they are the quote. */
static const unsigned char ps_unquote_stop[256] = {
	['\\'] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 2, ['`'] = 2,
	[0x80] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int ps_unquote(struct parser *p, const char *s, size_t n, const char **out, size_t *outlen)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (n < 2 || s[0] != s[n - 1])
		return -1;
	/* nearly every literal: ASCII with nothing to unescape, the text as is */
	for (i = 1; i < n - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (ps_unquote_stop[c] && (ps_unquote_stop[c] == 1 || c == (unsigned char)s[0]))
			break;
	}
	if (i == n - 1 && (s[0] == '"' || s[0] == '`')) {
		if (!(*out = arena__strndup(p->arena, s + 1, n - 2)))
			ps_oom(p);
		*outlen = n - 2;
		return 0;
	}
	if (s[0] == '`') {
		for (i = 1; i < n - 1; i++) {
			if (s[i] == '`')
				goto fail;
			if (s[i] != '\r')
				buf_addch(&b, s[i]);
		}
	} else if (s[0] == '"') {
		i = 1;
		while (i < n - 1) {
			int32_t r;
			int mb;
			size_t used;
			if (s[i] == '\n')
				goto fail;
			if (ps_unquote_char(s + i, n - 1 - i, '"', &r, &mb, &used) < 0)
				goto fail;
			i += used;
			if (r < 0x80 || !mb)
				buf_addch(&b, (int)r);
			else
				tmpl__utf8_encode(&b, r);
		}
	} else {
		goto fail;
	}
	if (buf_oom(&b)) {
		buf_release(&b);
		ps_oom(p);
	}
	*out = arena__strndup(p->arena, b.ptr, b.len);
	*outlen = b.len;
	buf_release(&b);
	if (!*out)
		ps_oom(p);
	return 0;
fail:
	buf_release(&b);
	return -1;
}

static int ps_lower(int c)
{
	return c | 0x20;
}

/* strconv.ParseFloat(s, 64) for Go literal syntax (no inf/nan needed here). */
static int ps_parse_float(const char *s, size_t n, double *out)
{
	char tmp[512];
	size_t i = 0, k = 0;
	int hex = 0, digits = 0, underscores = 0, saw_p = 0;
	char *end;
	double v;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	if (s[i] == '+' || s[i] == '-')
		tmp[k++] = s[i++];
	if (n - i >= 2 && s[i] == '0' && ps_lower(s[i + 1]) == 'x') {
		hex = 1;
		tmp[k++] = '0';
		tmp[k++] = 'x';
		i += 2;
	}
	for (; i < n; i++) {
		char c = s[i];
		if (c == '_') {
			underscores = 1;
			continue;
		}
		if ((c >= '0' && c <= '9') || (hex && ps_hexval((unsigned char)c) >= 0 && !saw_p)) {
			digits = 1;
			tmp[k++] = c;
			continue;
		}
		if (c == '.') {
			tmp[k++] = c;
			continue;
		}
		if ((!hex && ps_lower(c) == 'e') || (hex && ps_lower(c) == 'p')) {
			saw_p = 1;
			tmp[k++] = c;
			if (i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-'))
				tmp[k++] = s[++i];
			continue;
		}
		return -1;
	}
	tmp[k] = '\0';
	if (!digits || (hex && !saw_p))
		return -1;
	if (underscores && !goscalar_underscore_ok(s, n))
		return -1;
	/* the syntax must be complete: strtod must eat all of it */
	errno = 0;
	v = strtod(tmp, &end);
	if (*end != '\0')
		return -1;
	if (isinf(v))
		return -2;
	*out = v;
	return 0;
}

static struct tnode *ps_new_number(struct parser *p, struct item tok)
{
	struct tnode *n = ps_node(p, N_NUMBER, tok.pos);
	const char *text = lexer__val(&p->lex, &tok);
	size_t len = tok.len;
	uint64_t u = 0;
	int64_t i;
	double f;

	n->text = arena__strndup(p->arena, lexer__val(&p->lex, &tok), tok.len);
	n->len = tok.len;
	if (!n->text)
		ps_oom(p);
	if (tok.type == ITEM_CHAR_CONSTANT) {
		int32_t r;
		int mb;
		size_t used;
		if (ps_unquote_char(text + 1, len - 1, '\'', &r, &mb, &used) < 0)
			ps_errorf(p, "invalid syntax");
		if (!(len - 1 - used == 1 && text[len - 1] == '\''))
			ps_errorf(p, "malformed character constant: %.*s", (int)len, text);
		n->i64 = r;
		n->is_int = 1;
		n->u64 = (uint64_t)r;
		n->is_uint = 1;
		n->f64 = (double)r;
		n->is_float = 1;
		return n;
	}
	if (tok.type == ITEM_COMPLEX) {
		/* "re+imi": split at the sign that does not follow an exponent mark */
		size_t k;
		double re, im;
		for (k = len - 1; k > 0; k--) {
			char pc = text[k - 1] | 0x20;
			if ((text[k] == '+' || text[k] == '-') && pc != 'e' && pc != 'p')
				break;
		}
		if (k == 0 || ps_parse_float(text, k, &re) < 0 ||
		    ps_parse_float(text + k, len - k - 1, &im) < 0)
			ps_errorf(p, "expected integer");
		n->is_complex = 1;
		n->f64 = re;
		n->imag = im;
		return n;
	}
	if (len > 0 && text[len - 1] == 'i') {
		if (ps_parse_float(text, len - 1, &f) == 0) {
			n->is_complex = 1;
			n->f64 = 0;
			n->imag = f;
			if (f == 0) {
				n->is_float = 1;
				n->is_int = 1;
				n->is_uint = 1;
			}
			return n;
		}
	}
	/* strconv.ParseUint(text, 0, 64) and ParseInt(text, 0, 64) */
	if (goscalar_parse_uint(&u, text, len, 0) == 0) {
		n->is_uint = 1;
		n->u64 = u;
	}
	if (goscalar_parse_int(&i, text, len, 0) == 0) {
		n->is_int = 1;
		n->i64 = i;
		if (i == 0) {
			n->is_uint = 1;
			n->u64 = u;
		}
	}
	if (n->is_int) {
		n->is_float = 1;
		n->f64 = (double)n->i64;
	} else if (n->is_uint) {
		n->is_float = 1;
		n->f64 = (double)n->u64;
	} else if (ps_parse_float(text, len, &f) == 0) {
		if (!memchr(text, '.', len) && !memchr(text, 'e', len) && !memchr(text, 'E', len) &&
		    !memchr(text, 'p', len) && !memchr(text, 'P', len)) {
			ps_error_quoted(p, "integer overflow: ", text, len);
		}
		n->is_float = 1;
		n->f64 = f;
		if (f >= -9223372036854775808.0 && f < 9223372036854775808.0 && (double)(int64_t)f == f) {
			n->is_int = 1;
			n->i64 = (int64_t)f;
		}
		if (f >= 0 && f < 18446744073709551616.0 && (double)(uint64_t)f == f) {
			n->is_uint = 1;
			n->u64 = (uint64_t)f;
		}
	}
	if (!n->is_int && !n->is_uint && !n->is_float)
		ps_error_quoted(p, "illegal number syntax: ", text, len);
	return n;
}

/* ---- variables */

static void ps_push_var(struct parser *p, const char *name)
{
	if (p->vars.n == p->vars.cap) {
		size_t cap = p->vars.cap ? p->vars.cap * 2 : 8;
		const char **nv = realloc(p->vars.names, cap * sizeof(*nv));
		if (!nv)
			ps_oom(p);
		p->vars.names = nv;
		p->vars.cap = cap;
	}
	p->vars.names[p->vars.n++] = name;
}

static void ps_split_ids(struct parser *p, struct tnode *n, const char *s, size_t len, int skip_dot)
{
	const char *few[8], **ids = few;
	size_t count = 0, cap = sizeof(few) / sizeof(few[0]);
	char *copy, *at, *end;

	if (skip_dot) {
		s++;
		len--;
	}
	/* one copy, cut at the dots: the ids point into it */
	if (!(copy = arena__strndup(p->arena, s, len)))
		ps_oom(p);
	for (at = copy, end = copy + len;;) {
		char *dot = memchr(at, '.', (size_t)(end - at));

		if (count == cap) {
			const char **more = ps_alloc(p, cap * 2 * sizeof(*more));
			memcpy(more, ids, count * sizeof(*more));
			ids = more;
			cap *= 2;
		}
		ids[count++] = at;
		if (!dot)
			break;
		*dot = '\0';
		at = dot + 1;
	}
	if (ids == few) {
		ids = ps_alloc(p, count * sizeof(*ids));
		memcpy(ids, few, count * sizeof(*ids));
	}
	n->ids = ids;
	n->nids = count;
}

static struct tnode *ps_new_variable(struct parser *p, size_t pos, const char *s, size_t len)
{
	struct tnode *n = ps_node(p, N_VARIABLE, pos);
	ps_split_ids(p, n, s, len, 0);
	return n;
}

static struct tnode *ps_new_field(struct parser *p, size_t pos, const char *s, size_t len)
{
	struct tnode *n = ps_node(p, N_FIELD, pos);
	ps_split_ids(p, n, s, len, 1);
	return n;
}

static struct tnode *ps_use_var(struct parser *p, size_t pos, const char *s, size_t len)
{
	struct tnode *v = ps_new_variable(p, pos, s, len);
	size_t i;

	for (i = p->vars.base; i < p->vars.n; i++)
		if (strcmp(p->vars.names[i], v->ids[0]) == 0)
			return v;
	ps_errorf(p, "undefined variable \"%s\"", v->ids[0]);
}

/* ---- grammar */

static struct tnode *ps_pipeline(struct parser *p, const char *context, enum item_type end);
static struct tnode *ps_item_list(struct parser *p, struct tnode **next);
static struct tnode *ps_if_control(struct parser *p);
static struct tnode *ps_with_control(struct parser *p);

static struct tnode *ps_term(struct parser *p)
{
	struct item tok = ps_next_non_space(p);
	struct tnode *n;

	switch (tok.type) {
	case ITEM_IDENTIFIER: {
		const char *name = lexer__val(&p->lex, &tok);
		const struct tmpl_func *fn = tmpl_funcs_findn(p->funcs, name, tok.len);

		if (!fn)
			ps_errorf(p, "function \"%.*s\" not defined",
				  (int)(tok.len < INT_MAX ? tok.len : INT_MAX), name);
		n = ps_node(p, N_IDENT, tok.pos);
		n->text = fn->name;  /* the same bytes, NUL-terminated, as long-lived */
		n->len = tok.len;
		n->func = fn;
		return n;
	}
	case ITEM_DOT:
		return ps_node(p, N_DOT, tok.pos);
	case ITEM_NIL:
		return ps_node(p, N_NIL, tok.pos);
	case ITEM_VARIABLE:
		return ps_use_var(p, tok.pos, lexer__val(&p->lex, &tok), tok.len);
	case ITEM_FIELD:
		return ps_new_field(p, tok.pos, lexer__val(&p->lex, &tok), tok.len);
	case ITEM_BOOL:
		n = ps_node(p, N_BOOL, tok.pos);
		n->b = tok.len == 4;
		return n;
	case ITEM_CHAR_CONSTANT: case ITEM_COMPLEX: case ITEM_NUMBER:
		return ps_new_number(p, tok);
	case ITEM_LEFT_PAREN:
		if (p->stack_depth >= MAX_PAREN_DEPTH)
			ps_errorf(p, "max expression depth exceeded");
		ps_check_stack(p);
		p->stack_depth++;
		n = ps_pipeline(p, "parenthesized pipeline", ITEM_RIGHT_PAREN);
		p->stack_depth--;
		return n;
	case ITEM_STRING: case ITEM_RAW_STRING: {
		size_t ulen;

		n = ps_node(p, N_STRING, tok.pos);
		if (ps_unquote(p, lexer__val(&p->lex, &tok), tok.len, &n->text, &ulen) < 0)
			ps_errorf(p, "invalid syntax");
		n->len = (uint32_t)ulen;  /* no longer than the token */
		/* the token lies in the tree's own copy of the text */
		n->quoted = lexer__val(&p->lex, &tok);
		n->qlen = tok.len;
		return n;
	}
	default:
		ps_backup(p);
		return NULL;
	}
}

static struct tnode *ps_operand(struct parser *p)
{
	struct tnode *node = ps_term(p), *chain;
	struct buf s = BUF_INIT;

	if (!node)
		return NULL;
	if ((node->type == N_FIELD || node->type == N_VARIABLE) && ps_peek_is_chained_field(p)) {
		/* Go chains the fields and then makes a field (or variable)
		 * of the chain's text, at the first field's position. That
		 * text is the source from the term to the last field (the
		 * items touch): split it in place of the term's. */
		size_t start = node->pos, first = ps_peek(p).pos, end = first;

		while (ps_peek_is_chained_field(p)) {
			struct item f = ps_next(p);
			end = (size_t)f.pos + f.len;
		}
		ps_split_ids(p, node, p->text + start, end - start, node->type == N_FIELD);
		node->pos = (uint32_t)first;
		return node;
	}
	if (ps_peek_is_chained_field(p)) {
		size_t nf = 0, cap = 4;
		chain = ps_node(p, N_CHAIN, ps_peek(p).pos);
		chain->node = node;
		chain->ids = ps_alloc(p, cap * sizeof(*chain->ids));
		while (ps_peek_is_chained_field(p)) {
			struct item f = ps_next(p);
			if (nf == cap) {
				const char **ni = ps_alloc(p, cap * 2 * sizeof(*ni));
				memcpy(ni, chain->ids, nf * sizeof(*ni));
				chain->ids = ni;
				cap *= 2;
			}
			chain->ids[nf] = arena__strndup(p->arena, lexer__val(&p->lex, &f) + 1,
							f.len - 1);
			if (!chain->ids[nf])
				ps_oom(p);
			nf++;
		}
		chain->nids = nf;
		switch (node->type) {
		case N_BOOL: case N_STRING: case N_NUMBER: case N_NIL: case N_DOT: {
			struct buf q = BUF_INIT;
			tmpl__node_string(&s, node);
			tmpl_quote(&q, s.ptr, s.len);
			buf_release(&s);
			buf_reset(p->err);
			{
				char *qs = arena__strndup(p->arena, q.ptr, q.len);
				buf_release(&q);
				if (!qs)
					ps_oom(p);
				ps_errorf(p, "unexpected . after term %s", qs);
			}
		}
		default:
			node = chain;
		}
	}
	return node;
}

static struct tnode *ps_command(struct parser *p)
{
	struct tnode *cmd = ps_node(p, N_COMMAND, ps_peek_non_space(p).pos);
	size_t mark = p->nkids;
	uint32_t spaced = UINT32_MAX;  /* the item whose space was Go's space item */

	for (;;) {
		struct tnode *op;
		struct item tok;
		op = ps_operand(p);
		if (op)
			ps_push_kid(p, op);
		tok = ps_next(p);
		switch (tok.type) {
		case ITEM_RIGHT_DELIM: case ITEM_RIGHT_PAREN:
			ps_backup(p);
			break;
		case ITEM_PIPE:
			break;
		default:
			/* Go reads the space item and goes on to the next
			 * operand: the item after it, once */
			if (tok.space && tok.pos != spaced) {
				spaced = tok.pos;
				ps_backup(p);
				continue;
			}
			ps_unexpected(p, tok, "operand");
		}
		break;
	}
	if (p->nkids == mark)
		ps_errorf(p, "empty command");
	ps_take_kids(p, cmd, mark);
	return cmd;
}

static void ps_check_pipeline(struct parser *p, struct tnode *pipe, const char *context)
{
	size_t i;

	if (pipe->nkids == 0)
		ps_errorf(p, "missing value for %s", context);
	for (i = 1; i < pipe->nkids; i++) {
		switch (pipe->kids[i]->kids[0]->type) {
		case N_BOOL: case N_DOT: case N_NIL: case N_NUMBER: case N_STRING:
			ps_errorf(p, "non executable command in pipeline stage %zu", i + 1);
		default:
			break;
		}
	}
}

static void ps_add_decl(struct parser *p, struct tnode *pipe, struct item v)
{
	struct tnode **nd = ps_alloc(p, (pipe->ndecl + 1) * sizeof(*nd));
	struct tnode *var = ps_new_variable(p, v.pos, lexer__val(&p->lex, &v), v.len);

	if (pipe->ndecl)
		memcpy(nd, pipe->decl, pipe->ndecl * sizeof(*nd));
	nd[pipe->ndecl++] = var;
	pipe->decl = nd;
	ps_push_var(p, var->ids[0]);
}

static struct tnode *ps_pipeline(struct parser *p, const char *context, enum item_type end)
{
	struct item tok = ps_peek_non_space(p), v;
	struct tnode *pipe = ps_node(p, N_PIPE, tok.pos);
	size_t mark;

decls:
	v = ps_peek_non_space(p);
	if (v.type == ITEM_VARIABLE) {
		struct item next;
		ps_next(p);
		next = ps_peek(p);
		if (next.type == ITEM_ASSIGN || next.type == ITEM_DECLARE) {
			pipe->is_assign = next.type == ITEM_ASSIGN;
			ps_next_non_space(p);
			ps_add_decl(p, pipe, v);
		} else if (next.type == ITEM_CHAR && next.len == 1 &&
			   lexer__val(&p->lex, &next)[0] == ',') {
			ps_next_non_space(p);
			ps_add_decl(p, pipe, v);
			if (strcmp(context, "range") == 0 && pipe->ndecl < 2) {
				switch (ps_peek_non_space(p).type) {
				case ITEM_VARIABLE: case ITEM_RIGHT_DELIM: case ITEM_RIGHT_PAREN:
					goto decls;
				default:
					ps_errorf(p, "range can only initialize variables");
				}
			}
			ps_errorf(p, "too many declarations in %s", context);
		} else {
			/* Go puts back the variable and the item after it
			 * (a space item, or the item after that) */
			ps_backup2(p, v);
		}
	}
	mark = p->nkids;
	for (;;) {
		tok = ps_next_non_space(p);
		if (tok.type == end) {
			ps_take_kids(p, pipe, mark);
			ps_check_pipeline(p, pipe, context);
			return pipe;
		}
		switch (tok.type) {
		case ITEM_BOOL: case ITEM_CHAR_CONSTANT: case ITEM_COMPLEX: case ITEM_DOT:
		case ITEM_FIELD: case ITEM_IDENTIFIER: case ITEM_NUMBER: case ITEM_NIL:
		case ITEM_RAW_STRING: case ITEM_STRING: case ITEM_VARIABLE: case ITEM_LEFT_PAREN:
			ps_backup(p);
			ps_push_kid(p, ps_command(p));
			if (p->nkids - mark > MAX_PIPELINE_CMDS)
				ps_errorf(p, "pipeline too long");
			break;
		default:
			ps_unexpected(p, tok, context);
		}
	}
}

static struct tnode *ps_parse_control(struct parser *p, enum tnode_type type, const char *context)
{
	size_t mark = p->vars.n;
	struct tnode *n = NULL, *pipe, *list, *next = NULL, *elselist = NULL;

	ps_check_stack(p);
	pipe = ps_pipeline(p, context, ITEM_RIGHT_DELIM);
	if (type == N_RANGE)
		p->range_depth++;
	list = ps_item_list(p, &next);
	if (type == N_RANGE)
		p->range_depth--;
	if (next->type == N_ELSE) {
		if (type == N_IF && ps_peek(p).type == ITEM_IF) {
			ps_next(p);
			elselist = ps_node(p, N_LIST, next->pos);
			ps_set_kid(p, elselist, ps_if_control(p));
		} else if (type == N_WITH && ps_peek(p).type == ITEM_WITH) {
			ps_next(p);
			elselist = ps_node(p, N_LIST, next->pos);
			ps_set_kid(p, elselist, ps_with_control(p));
		} else {
			elselist = ps_item_list(p, &next);
			if (next->type != N_END) {
				struct buf s = BUF_INIT;
				tmpl__node_string(&s, next);
				buf_reset(p->err);
				{
					char *ss = arena__strndup(p->arena, s.ptr, s.len);
					buf_release(&s);
					if (!ss)
						ps_oom(p);
					ps_errorf(p, "expected end; found %s", ss);
				}
			}
		}
	}
	p->vars.n = mark;
	n = ps_node(p, type, pipe->pos);
	n->pipe = pipe;
	n->list = list;
	n->elselist = elselist;
	return n;
}

static struct tnode *ps_if_control(struct parser *p)
{
	return ps_parse_control(p, N_IF, "if");
}

static struct tnode *ps_with_control(struct parser *p)
{
	return ps_parse_control(p, N_WITH, "with");
}

static const char *ps_template_name(struct parser *p, struct item tok, const char *context, size_t *len)
{
	const char *name;

	if (tok.type != ITEM_STRING && tok.type != ITEM_RAW_STRING)
		ps_unexpected(p, tok, context);
	if (ps_unquote(p, lexer__val(&p->lex, &tok), tok.len, &name, len) < 0)
		ps_errorf(p, "invalid syntax");
	return name;
}

static void ps_add_tree(struct parser *p, struct ttree *t);
static int ps_is_empty_tree(const struct tnode *n);

static struct tnode *ps_new_tree_list(struct parser *p, struct ttree *t, struct tnode **end);

static struct tnode *ps_block_control(struct parser *p)
{
	const char *context = "block clause";
	struct item tok = ps_next_non_space(p);
	size_t nlen;
	const char *name = ps_template_name(p, tok, context, &nlen);
	struct tnode *pipe = ps_pipeline(p, context, ITEM_RIGHT_DELIM);
	struct ttree *block = ps_alloc(p, sizeof(*block));
	struct tnode *end = NULL, *n;

	block->name = name;
	block->parse_name = p->parse_name;
	block->text = p->text;
	block->text_len = p->text_len;
	block->root = ps_new_tree_list(p, block, &end);
	if (end->type != N_END) {
		struct buf s = BUF_INIT;
		tmpl__node_string(&s, end);
		{
			char *ss = arena__strndup(p->arena, s.ptr, s.len);
			buf_release(&s);
			if (!ss)
				ps_oom(p);
			ps_errorf(p, "unexpected %s in %s", ss, context);
		}
	}
	ps_add_tree(p, block);
	n = ps_node(p, N_TEMPLATE, tok.pos);
	n->text = name;
	n->len = nlen;
	n->pipe = pipe;
	return n;
}

static struct tnode *ps_template_control(struct parser *p)
{
	const char *context = "template clause";
	struct item tok = ps_next_non_space(p);
	size_t nlen;
	const char *name = ps_template_name(p, tok, context, &nlen);
	struct tnode *pipe = NULL, *n;

	if (ps_next_non_space(p).type != ITEM_RIGHT_DELIM) {
		ps_backup(p);
		pipe = ps_pipeline(p, context, ITEM_RIGHT_DELIM);
	}
	n = ps_node(p, N_TEMPLATE, tok.pos);
	n->text = name;
	n->len = nlen;
	n->pipe = pipe;
	return n;
}

static struct tnode *ps_action(struct parser *p)
{
	struct item tok = ps_next_non_space(p);
	struct tnode *n;

	switch (tok.type) {
	case ITEM_BLOCK:
		return ps_block_control(p);
	case ITEM_BREAK: case ITEM_CONTINUE: {
		int is_break = tok.type == ITEM_BREAK;
		struct item t2 = ps_next_non_space(p);
		if (t2.type != ITEM_RIGHT_DELIM)
			ps_unexpected(p, t2, is_break ? "{{break}}" : "{{continue}}");
		if (p->range_depth == 0)
			ps_errorf(p, is_break ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}");
		n = ps_node(p, is_break ? N_BREAK : N_CONTINUE, tok.pos);
			return n;
	}
	case ITEM_ELSE: {
		struct item pk = ps_peek_non_space(p);
		if (pk.type == ITEM_IF || pk.type == ITEM_WITH) {
			n = ps_node(p, N_ELSE, pk.pos);
			return n;
		}
		pk = ps_expect(p, ITEM_RIGHT_DELIM, "else");
		n = ps_node(p, N_ELSE, pk.pos);
		return n;
	}
	case ITEM_END: {
		struct item e = ps_expect(p, ITEM_RIGHT_DELIM, "end");
		return ps_node(p, N_END, e.pos);
	}
	case ITEM_IF:
		return ps_if_control(p);
	case ITEM_RANGE:
		return ps_parse_control(p, N_RANGE, "range");
	case ITEM_TEMPLATE:
		return ps_template_control(p);
	case ITEM_WITH:
		return ps_with_control(p);
	default:
		break;
	}
	ps_backup(p);
	tok = ps_peek(p);
	n = ps_node(p, N_ACTION, tok.pos);
	n->pipe = ps_pipeline(p, "command", ITEM_RIGHT_DELIM);
	return n;
}

static struct tnode *ps_text_or_action(struct parser *p)
{
	struct item tok = ps_next_non_space(p);
	struct tnode *n;

	switch (tok.type) {
	case ITEM_TEXT:
		n = ps_node(p, N_TEXT, tok.pos);
		n->text = lexer__val(&p->lex, &tok);  /* points into the arena copy of the text */
		n->len = tok.len;
		return n;
	case ITEM_LEFT_DELIM: {
		size_t saved = p->action_pos;
		(void)saved;
		p->action_pos = (size_t)tok.pos + 1;
		n = ps_action(p);
		p->action_pos = 0;
		return n;
	}
	case ITEM_COMMENT:
		n = ps_node(p, N_COMMENT, tok.pos);
		n->text = lexer__val(&p->lex, &tok);
		n->len = tok.len;
		return n;
	default:
		ps_unexpected(p, tok, "input");
	}
}

static struct tnode *ps_item_list(struct parser *p, struct tnode **next)
{
	struct tnode *list = ps_node(p, N_LIST, ps_peek_non_space(p).pos);
	size_t mark = p->nkids;

	while (ps_peek_non_space(p).type != ITEM_EOF) {
		struct tnode *n = ps_text_or_action(p);
		if (n->type == N_END || n->type == N_ELSE) {
			ps_take_kids(p, list, mark);
			*next = n;
			return list;
		}
		ps_push_kid(p, n);
	}
	ps_errorf(p, "unexpected EOF");
}

/* itemList for a new tree (define/block body) with its own parse state. */
static struct tnode *ps_new_tree_list(struct parser *p, struct ttree *t, struct tnode **end)
{
	struct ttree *saved_tree = p->tree;
	size_t saved_vars = p->vars.n, saved_base = p->vars.base;
	int saved_range = p->range_depth;
	size_t saved_action = p->action_pos;
	int saved_stack = p->stack_depth;
	struct tnode *list;

	p->tree = t;
	p->vars.base = p->vars.n;  /* the enclosing tree's stay as they are */
	ps_push_var(p, "$");
	p->range_depth = 0;
	p->stack_depth = 0;
	list = ps_item_list(p, end);
	p->tree = saved_tree;
	p->vars.n = saved_vars;
	p->vars.base = saved_base;
	p->range_depth = saved_range;
	p->action_pos = saved_action;
	p->stack_depth = saved_stack;
	return list;
}

static int ps_is_empty_tree(const struct tnode *n)
{
	size_t i, k;

	if (!n)
		return 1;
	switch (n->type) {
	case N_COMMENT:
		return 1;
	case N_LIST:
		for (i = 0; i < n->nkids; i++)
			if (!ps_is_empty_tree(n->kids[i]))
				return 0;
		return 1;
	case N_TEXT:
		for (k = 0; k < n->len; k++) {
			unsigned char c = (unsigned char)n->text[k];
			/* bytes.TrimSpace: ASCII space plus U+0085, U+00A0 */
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
				continue;
			if (c == 0xC2 && k + 1 < n->len &&
			    ((unsigned char)n->text[k + 1] == 0x85 || (unsigned char)n->text[k + 1] == 0xA0)) {
				k++;
				continue;
			}
			return 0;
		}
		return 1;
	default:
		return 0;
	}
}

static void ps_add_tree(struct parser *p, struct ttree *t)
{
	size_t i;

	for (i = 0; i < p->ntrees; i++) {
		if (strcmp(p->trees[i]->name, t->name) == 0) {
			if (ps_is_empty_tree(p->trees[i]->root)) {
				p->trees[i] = t;
				return;
			}
			if (!ps_is_empty_tree(t->root))
				ps_errorf(p, "template: multiple definition of template \"%s\"", t->name);
			return;
		}
	}
	if (p->ntrees == p->tcap) {
		size_t cap = p->tcap ? p->tcap * 2 : 8;
		struct ttree **nt = ps_alloc(p, cap * sizeof(*nt));
		if (p->ntrees)
			memcpy(nt, p->trees, p->ntrees * sizeof(*nt));
		p->trees = nt;
		p->tcap = cap;
	}
	p->trees[p->ntrees++] = t;
}

static void ps_parse_definition(struct parser *p)
{
	const char *context = "define clause";
	struct item name = ps_next_non_space(p);
	struct ttree *t = ps_alloc(p, sizeof(*t));
	struct tnode *end = NULL;
	struct ttree *saved = p->tree;
	size_t nlen;

	if (name.type != ITEM_STRING && name.type != ITEM_RAW_STRING)
		ps_unexpected(p, name, context);
	t->parse_name = p->parse_name;
	t->text = p->text;
	t->text_len = p->text_len;
	p->tree = t;
	if (ps_unquote(p, lexer__val(&p->lex, &name), name.len, &t->name, &nlen) < 0)
		ps_errorf(p, "invalid syntax");
	ps_expect(p, ITEM_RIGHT_DELIM, context);
	p->tree = saved;
	t->root = ps_new_tree_list(p, t, &end);
	if (end->type != N_END) {
		struct buf s = BUF_INIT;
		tmpl__node_string(&s, end);
		{
			char *ss = arena__strndup(p->arena, s.ptr, s.len);
			buf_release(&s);
			if (!ss)
				ps_oom(p);
			ps_errorf(p, "unexpected %s in %s", ss, context);
		}
	}
	ps_add_tree(p, t);
}

static void ps_parse_top(struct parser *p, struct ttree *top)
{
	size_t mark = p->nkids;

	top->root = ps_node(p, N_LIST, ps_peek(p).pos);
	while (ps_peek(p).type != ITEM_EOF) {
		struct tnode *n;
		if (ps_peek(p).type == ITEM_LEFT_DELIM) {
			struct item delim = ps_next(p);
			if (ps_next_non_space(p).type == ITEM_DEFINE) {
				ps_parse_definition(p);
				continue;
			}
			ps_backup2(p, delim);
		}
		n = ps_text_or_action(p);
		if (n->type == N_END || n->type == N_ELSE) {
			struct buf s = BUF_INIT;
			tmpl__node_string(&s, n);
			{
				char *ss = arena__strndup(p->arena, s.ptr, s.len);
				buf_release(&s);
				if (!ss)
					ps_oom(p);
				ps_errorf(p, "unexpected %s", ss);
			}
		}
		ps_push_kid(p, n);
	}
	ps_take_kids(p, top->root, mark);
}

/* ---- node.String() */

void tmpl__node_string(struct buf *out, const struct tnode *n)
{
	size_t i;

	switch (n->type) {
	case N_TEXT:
		buf_add(out, n->text, n->len);
		break;
	case N_COMMENT:
		buf_adds(out, "{{");
		buf_add(out, n->text, n->len);
		buf_adds(out, "}}");
		break;
	case N_LIST:
		for (i = 0; i < n->nkids; i++)
			tmpl__node_string(out, n->kids[i]);
		break;
	case N_PIPE:
		for (i = 0; i < n->ndecl; i++) {
			if (i > 0)
				buf_adds(out, ", ");
			tmpl__node_string(out, n->decl[i]);
		}
		if (n->ndecl)
			buf_adds(out, n->is_assign ? " = " : " := ");
		for (i = 0; i < n->nkids; i++) {
			if (i > 0)
				buf_adds(out, " | ");
			tmpl__node_string(out, n->kids[i]);
		}
		break;
	case N_ACTION:
		buf_adds(out, "{{");
		tmpl__node_string(out, n->pipe);
		buf_adds(out, "}}");
		break;
	case N_COMMAND:
		for (i = 0; i < n->nkids; i++) {
			if (i > 0)
				buf_addch(out, ' ');
			if (n->kids[i]->type == N_PIPE) {
				buf_addch(out, '(');
				tmpl__node_string(out, n->kids[i]);
				buf_addch(out, ')');
			} else {
				tmpl__node_string(out, n->kids[i]);
			}
		}
		break;
	case N_IDENT:
		buf_add(out, n->text, n->len);
		break;
	case N_VARIABLE:
		for (i = 0; i < n->nids; i++) {
			if (i > 0)
				buf_addch(out, '.');
			buf_adds(out, n->ids[i]);
		}
		break;
	case N_DOT:
		buf_addch(out, '.');
		break;
	case N_NIL:
		buf_adds(out, "nil");
		break;
	case N_FIELD:
		for (i = 0; i < n->nids; i++) {
			buf_addch(out, '.');
			buf_adds(out, n->ids[i]);
		}
		break;
	case N_CHAIN:
		if (n->node->type == N_PIPE) {
			buf_addch(out, '(');
			tmpl__node_string(out, n->node);
			buf_addch(out, ')');
		} else {
			tmpl__node_string(out, n->node);
		}
		for (i = 0; i < n->nids; i++) {
			buf_addch(out, '.');
			buf_adds(out, n->ids[i]);
		}
		break;
	case N_BOOL:
		buf_adds(out, n->b ? "true" : "false");
		break;
	case N_NUMBER:
		buf_add(out, n->text, n->len);
		break;
	case N_STRING:
		buf_add(out, n->quoted, n->qlen);
		break;
	case N_END:
		buf_adds(out, "{{end}}");
		break;
	case N_ELSE:
		buf_adds(out, "{{else}}");
		break;
	case N_IF: case N_RANGE: case N_WITH:
		buf_adds(out, n->type == N_IF ? "{{if " : n->type == N_RANGE ? "{{range " : "{{with ");
		tmpl__node_string(out, n->pipe);
		buf_adds(out, "}}");
		tmpl__node_string(out, n->list);
		if (n->elselist) {
			buf_adds(out, "{{else}}");
			tmpl__node_string(out, n->elselist);
		}
		buf_adds(out, "{{end}}");
		break;
	case N_TEMPLATE:
		buf_adds(out, "{{template ");
		tmpl_quote(out, n->text, n->len);
		if (n->pipe) {
			buf_addch(out, ' ');
			tmpl__node_string(out, n->pipe);
		}
		buf_adds(out, "}}");
		break;
	case N_BREAK:
		buf_adds(out, "{{break}}");
		break;
	case N_CONTINUE:
		buf_adds(out, "{{continue}}");
		break;
	}
}

/* ---- the set */

static uint64_t ps_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

const struct ttree *tmpl__set_lookup(const struct tmpl_set *set, const char *name)
{
	for (; set; set = set->parent) {
		size_t i;
		if (!set->nslots)
			continue;
		i = ps_hash(name) & (set->nslots - 1);
		while (set->slots[i]) {
			if (strcmp(set->slots[i]->name, name) == 0)
				return set->slots[i];
			i = (i + 1) & (set->nslots - 1);
		}
	}
	return NULL;
}

static int ps_set_put(struct tmpl_set *set, struct ttree *t)
{
	size_t i;

	if ((set->count + 1) * 2 > set->nslots) {
		size_t ns = set->nslots ? set->nslots * 2 : 64, k;
		struct ttree **slots = calloc(ns, sizeof(*slots));
		if (!slots)
			return DIAG_ENOMEM;
		for (k = 0; k < set->nslots; k++) {
			if (set->slots[k]) {
				i = ps_hash(set->slots[k]->name) & (ns - 1);
				while (slots[i])
					i = (i + 1) & (ns - 1);
				slots[i] = set->slots[k];
			}
		}
		free(set->slots);
		set->slots = slots;
		set->nslots = ns;
	}
	i = ps_hash(t->name) & (set->nslots - 1);
	while (set->slots[i]) {
		if (strcmp(set->slots[i]->name, t->name) == 0) {
			set->slots[i] = t;
			return 0;
		}
		i = (i + 1) & (set->nslots - 1);
	}
	set->slots[i] = t;
	set->count++;
	return 0;
}

int tmpl_set_new(struct tmpl_set **out, const struct tmpl_funcs *funcs)
{
	struct tmpl_set *s = calloc(1, sizeof(*s));

	if (!s)
		return DIAG_ENOMEM;
	s->funcs = funcs;
	*out = s;
	return 0;
}

void tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->narenas; i++)
		arena__release(&set->arenas[i]);
	free(set->arenas);
	free(set->slots);
	free(set);
}

int tmpl_set_has(const struct tmpl_set *set, const char *name)
{
	const struct ttree *t = tmpl__set_lookup(set, name);
	return t != NULL && t->root != NULL;
}

static int ps_parse_guarded(struct parser *p, struct ttree *top)
{
	if (setjmp(p->jb))
		return -1;
	ps_parse_top(p, top);
	ps_add_tree(p, top);
	return 0;
}

/* One text's parse: its trees, in the arena it was parsed into, not yet
 * in any set. */
struct parsed {
	struct ttree **trees;
	size_t ntrees;
};

/* Go's Parse of one text without AddParseTree: reads only funcs, so texts
 * may be parsed on several threads at once, each into its own arena. 0,
 * DIAG_EPARSE or DIAG_ELIMIT (message in err), DIAG_ENOMEM. On error the
 * arena may hold unreachable nodes. */
static int S_parse_text(const struct tmpl_funcs *funcs, struct arena *arena, const char *name,
			const char *text, size_t len, int borrow, struct parsed *out,
			struct buf *err)
{
	struct parser *p;
	struct ttree *top;
	const char *copy;
	char *pname;
	char base;
	int rc = 0;

	out->trees = NULL;
	out->ntrees = 0;
	if (len >= LEX_MAX_INPUT) {
		buf_reset(err);
		buf_addf(err, "template: %s: text of %zu bytes is too large", name, len);
		return DIAG_ELIMIT;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return DIAG_ENOMEM;
	/* the lexer and the trees point into the text: a copy, unless the
	 * caller keeps it alive as long as the set */
	copy = borrow ? text : arena__strndup(arena, text, len);
	pname = arena__strndup(arena, name, strlen(name));
	top = arena__alloc(arena, sizeof(*top));
	if (!copy || !pname || !top) {
		rc = DIAG_ENOMEM;
		goto done;
	}
	lexer__init(&p->lex, copy, len);
	p->lex.break_ok = !(funcs && tmpl_funcs_find(funcs, "break"));
	p->lex.continue_ok = !(funcs && tmpl_funcs_find(funcs, "continue"));
	p->arena = arena;
	p->funcs = funcs;
	p->parse_name = pname;
	p->text = copy;
	p->text_len = len;
	p->err = err;
	p->stack_base = &base;
	p->max_stack = (size_t)1 << 20;
	top->name = pname;
	top->parse_name = pname;
	top->text = copy;
	top->text_len = len;
	p->tree = top;
	ps_push_var(p, "$");
	if (ps_parse_guarded(p, top) < 0) {
		rc = strcmp(err->ptr, "out of memory") == 0 ? DIAG_ENOMEM : DIAG_EPARSE;
		goto done;
	}
	out->trees = p->trees;
	out->ntrees = p->ntrees;
done:
	lexer__release(&p->lex);
	free(p->vars.names);
	free(p->kids);
	free(p);
	return rc;
}

/* AddParseTree for each of pd's trees: an empty tree does not replace a
 * defined one. 0 or DIAG_ENOMEM (then some may have been added). */
static int S_add_parsed(struct tmpl_set *set, const struct parsed *pd)
{
	for (size_t i = 0; i < pd->ntrees; i++) {
		const struct ttree *old = NULL;
		int rc;
		if (set->nslots) {
			size_t k = ps_hash(pd->trees[i]->name) & (set->nslots - 1);
			while (set->slots[k]) {
				if (strcmp(set->slots[k]->name, pd->trees[i]->name) == 0) {
					old = set->slots[k];
					break;
				}
				k = (k + 1) & (set->nslots - 1);
			}
		}
		if (old && ps_is_empty_tree(pd->trees[i]->root))
			continue;
		if ((rc = ps_set_put(set, pd->trees[i])) < 0)
			return rc;
	}
	return 0;
}

/* Room in set->arenas for n more. 0 or DIAG_ENOMEM. */
static int S_reserve_arenas(struct tmpl_set *set, size_t n)
{
	size_t cap = set->arenacap ? set->arenacap : 8;
	struct arena *na;

	if (set->arenacap - set->narenas >= n)
		return 0;
	while (cap - set->narenas < n)
		cap *= 2;
	if (!(na = realloc(set->arenas, cap * sizeof(*na))))
		return DIAG_ENOMEM;
	set->arenas = na;
	set->arenacap = cap;
	return 0;
}

/* The set's last arena, to go on filling (each file of a chart would
 * otherwise hold a mostly empty 16 KiB chunk of its own), or a new one. */
static struct arena S_take_arena(struct tmpl_set *set)
{
	struct arena a = ARENA_INIT;

	if (set->narenas > 0)
		a = set->arenas[--set->narenas];
	return a;
}

/* Gives a back to the set (room reserved): the set's trees may point
 * into it. */
static void S_keep_arena(struct tmpl_set *set, struct arena *a)
{
	if (a->chunks) {
		set->arenas[set->narenas++] = *a;
		a->chunks = NULL;
	}
	a->cur = a->end = NULL;
}

int tmpl__parse(struct tmpl_set *set, const char *name, const char *text, size_t len,
		int borrow, struct buf *err)
{
	struct parsed pd;
	struct arena arena;
	int rc, reused;

	if ((rc = S_reserve_arenas(set, 1)) < 0)
		return rc;
	reused = set->narenas > 0;
	arena = S_take_arena(set);
	rc = S_parse_text(set->funcs, &arena, name, text, len, borrow, &pd, err);
	if (rc < 0 && !reused) {
		/* nothing in the set points into a new arena of a failed parse */
		arena__release(&arena);
		return rc;
	}
	if (rc == 0)
		rc = S_add_parsed(set, &pd);
	/* an arena taken from the set holds earlier parses, and a failed
	 * add may have put some of this one's trees in: keep it */
	S_keep_arena(set, &arena);
	return rc;
}

/* ---- many texts, parsed on up to two threads, added in order */

/* Below this many bytes of text in all, the helper's lane costs about
 * what it saves (its cold caches, and a wake-up when it has gone to
 * sleep). With the helper already started and spinning for `hydrate
 * template` (it read the chart directory), 19-30 KiB of templates parse
 * in ~140 us instead of ~200 us (docs/architecture.md, "Performance");
 * when this thread had to start one for the parse alone, 40 KiB was
 * the break-even. */
#define MANY_MIN_BYTES (8 * 1024)

struct many_result {
	struct parsed pd;
	int rc;
	struct buf err;
};

struct many_job {
	const struct tmpl_funcs *funcs;
	const struct tmpl_text *v;
	struct many_result *res;
	size_t n;
	atomic_size_t next;
	atomic_size_t first_fail;   /* the lowest index that failed, or SIZE_MAX */
	struct arena lane[2];       /* lane 0: the calling thread's */
};

/* Parses the texts this lane takes off the counter, into its arena. Texts
 * after the first one that failed are not needed: the set never gets them. */
static void S_many_lane(void *arg, int lane)
{
	struct many_job *j = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1), f;
		struct many_result *r;
		if (i >= j->n || i > atomic_load(&j->first_fail))
			return;
		r = &j->res[i];
		r->rc = S_parse_text(j->funcs, &j->lane[lane], j->v[i].name, j->v[i].text,
				     j->v[i].len, 1, &r->pd, &r->err);
		if (r->rc == 0)
			continue;
		f = atomic_load(&j->first_fail);
		while (i < f && !atomic_compare_exchange_weak(&j->first_fail, &f, i))
			;
	}
}

int tmpl_set_parse_many(struct tmpl_set *set, const struct tmpl_text *v, size_t n,
			unsigned threads, struct diag *d)
{
	struct many_job *j;
	size_t i, bytes = 0;
	int rc = 0;

	for (i = 0; i < n; i++)
		bytes += v[i].len;
	if (threads < 2 || n < 2 || bytes < MANY_MIN_BYTES) {
		for (i = 0; i < n; i++)
			if ((rc = tmpl_set_parse_borrowed(set, v[i].name, v[i].text, v[i].len, d)) < 0)
				return rc;
		return 0;
	}
	if (!(j = calloc(1, sizeof(*j))) || !(j->res = calloc(n, sizeof(*j->res))) ||
	    S_reserve_arenas(set, 2) < 0) {
		if (j)
			free(j->res);
		free(j);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	j->funcs = set->funcs;
	j->v = v;
	j->n = n;
	atomic_init(&j->next, 0);
	atomic_init(&j->first_fail, SIZE_MAX);
	j->lane[0] = S_take_arena(set);
	j->lane[1] = (struct arena)ARENA_INIT;
	assist_run(S_many_lane, j);
	S_keep_arena(set, &j->lane[0]);
	S_keep_arena(set, &j->lane[1]);
	/* as one tmpl_set_parse after the other: the first failure wins */
	for (i = 0; i < n && rc == 0; i++) {
		struct many_result *r = &j->res[i];
		if (r->rc < 0)
			rc = diag_set(d, r->rc, "%s", r->rc == DIAG_ENOMEM ? "out of memory"
									  : r->err.ptr);
		else if ((rc = S_add_parsed(set, &r->pd)) < 0)
			diag_set(d, rc, "out of memory");
	}
	for (i = 0; i < n; i++)
		buf_release(&j->res[i].err);
	free(j->res);
	free(j);
	return rc;
}

static int S_set_parse(struct tmpl_set *set, const char *name, const char *text, size_t len,
		       int borrow, struct diag *d)
{
	struct buf err = BUF_INIT;
	int rc = tmpl__parse(set, name, text, len, borrow, &err);

	if (rc < 0)
		diag_set(d, rc, "%s", rc == DIAG_ENOMEM ? "out of memory" : err.ptr);
	buf_release(&err);
	return rc;
}

int tmpl_set_parse(struct tmpl_set *set, const char *name, const char *text, size_t len,
		   struct diag *d)
{
	return S_set_parse(set, name, text, len, 0, d);
}

int tmpl_set_parse_borrowed(struct tmpl_set *set, const char *name, const char *text,
			    size_t len, struct diag *d)
{
	return S_set_parse(set, name, text, len, 1, d);
}
