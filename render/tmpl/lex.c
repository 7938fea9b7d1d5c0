/*
 * The lexer of Go's text/template/parse (lex.go), pull-based: the parser
 * asks for one item at a time. Trim markers, comments, raw strings and
 * the error items are exactly Go's.
 */
#include "render/tmpl/lex.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define RIGHT_DELIM "}}"

/* The keywords (and bools) of an identifier's text, by length first. */
static enum item_type lx_word_type(const char *w, size_t n)
{
	switch (n) {
	case 2:
		return w[0] == 'i' && w[1] == 'f' ? ITEM_IF : ITEM_IDENTIFIER;
	case 3:
		if (memcmp(w, "end", 3) == 0)
			return ITEM_END;
		return memcmp(w, "nil", 3) == 0 ? ITEM_NIL : ITEM_IDENTIFIER;
	case 4:
		if (memcmp(w, "else", 4) == 0)
			return ITEM_ELSE;
		if (memcmp(w, "with", 4) == 0)
			return ITEM_WITH;
		return memcmp(w, "true", 4) == 0 ? ITEM_BOOL : ITEM_IDENTIFIER;
	case 5:
		if (memcmp(w, "range", 5) == 0)
			return ITEM_RANGE;
		if (memcmp(w, "block", 5) == 0)
			return ITEM_BLOCK;
		if (memcmp(w, "break", 5) == 0)
			return ITEM_BREAK;
		return memcmp(w, "false", 5) == 0 ? ITEM_BOOL : ITEM_IDENTIFIER;
	case 6:
		return memcmp(w, "define", 6) == 0 ? ITEM_DEFINE : ITEM_IDENTIFIER;
	case 8:
		if (memcmp(w, "template", 8) == 0)
			return ITEM_TEMPLATE;
		return memcmp(w, "continue", 8) == 0 ? ITEM_CONTINUE : ITEM_IDENTIFIER;
	default:
		return ITEM_IDENTIFIER;
	}
}

/* The first "{{" (or other two-byte needle) in h[0..hl), or NULL: memchr
 * for its first byte, so text between actions is passed at memchr's pace. */
static const char *lx_find2(const char *h, size_t hl, char a, char b)
{
	const char *end = h + hl;

	while (h + 1 < end) {
		const char *x = memchr(h, a, (size_t)(end - h - 1));

		if (!x)
			return NULL;
		if (x[1] == b)
			return x;
		h = x + 1;
	}
	return NULL;
}

void lexer__init(struct lexer *l, const char *input, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->input = input;
	l->len = len;
	l->size = len;
}

int lexer__line(const struct lexer *l, size_t pos)
{
	const char *s = l->input, *end = l->input + (pos < l->size ? pos : l->size);
	size_t n = 1;

	while (s < end && (s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		n++;
		s++;
	}
	return n < INT_MAX ? (int)n : INT_MAX;
}

static int32_t lx_next(struct lexer *l)
{
	int32_t r;
	int w;

	if (l->pos >= l->len) {
		l->at_eof = 1;
		return LEX_EOF;
	}
	if ((unsigned char)l->input[l->pos] < 0x80) {
		/* ASCII, nearly every byte of a template: no decoding */
		return (unsigned char)l->input[l->pos++];
	}
	r = tmpl__utf8_decode(l->input + l->pos, l->len - l->pos, &w);
	l->pos += (size_t)w;
	return r;
}

static void lx_backup(struct lexer *l)
{
	if (!l->at_eof && l->pos > 0) {
		/* step back one rune */
		size_t p = l->pos - 1;

		if ((unsigned char)l->input[p] < 0x80) {
			/* an ASCII byte is a rune of its own */
			l->pos = p;
			return;
		}
		while (p > 0 && ((unsigned char)l->input[p] & 0xC0) == 0x80 && l->pos - p < 4)
			p--;
		{
			int w;
			tmpl__utf8_decode(l->input + p, l->len - p, &w);
			if (p + (size_t)w != l->pos)
				p = l->pos - 1;
		}
		l->pos = p;
	}
}

static int32_t lx_peek(struct lexer *l)
{
	int32_t r = lx_next(l);
	lx_backup(l);
	return r;
}

static struct item lx_this_item(struct lexer *l, enum item_type t)
{
	struct item i;

	i.type = (unsigned char)t;
	i.space = (unsigned char)l->space;
	i.pos = (uint32_t)l->start;
	i.len = (uint32_t)(l->pos - l->start);
	l->start = l->pos;
	l->space = 0;
	return i;
}

static void lx_ignore(struct lexer *l)
{
	l->start = l->pos;
}

static int lx_accept(struct lexer *l, const char *valid)
{
	int32_t r = lx_next(l);

	if (r != LEX_EOF && r < 0x80 && r != 0 && strchr(valid, (int)r))
		return 1;
	lx_backup(l);
	return 0;
}

static void lx_accept_run(struct lexer *l, const char *valid)
{
	int32_t r;

	for (;;) {
		r = lx_next(l);
		if (r == LEX_EOF || r >= 0x80 || r == 0 || !strchr(valid, (int)r))
			break;
	}
	lx_backup(l);
}

static int lx_is_space(int32_t r)
{
	return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

/* Byte classes of the action scanner: [A-Za-z0-9_], and what ends a word
 * in an action (lx_at_terminator's single bytes: space, . , | : ( ) and
 * '}', which may start the right delimiter). */
enum { LX_ALNUM = 1, LX_TERM = 2, LX_QSTOP = 4 };

static const unsigned char lx_class[256] = {
	['_'] = LX_ALNUM,
	['0'] = LX_ALNUM, ['1'] = LX_ALNUM, ['2'] = LX_ALNUM, ['3'] = LX_ALNUM,
	['4'] = LX_ALNUM, ['5'] = LX_ALNUM, ['6'] = LX_ALNUM, ['7'] = LX_ALNUM,
	['8'] = LX_ALNUM, ['9'] = LX_ALNUM,
	['A'] = LX_ALNUM, ['B'] = LX_ALNUM, ['C'] = LX_ALNUM, ['D'] = LX_ALNUM,
	['E'] = LX_ALNUM, ['F'] = LX_ALNUM, ['G'] = LX_ALNUM, ['H'] = LX_ALNUM,
	['I'] = LX_ALNUM, ['J'] = LX_ALNUM, ['K'] = LX_ALNUM, ['L'] = LX_ALNUM,
	['M'] = LX_ALNUM, ['N'] = LX_ALNUM, ['O'] = LX_ALNUM, ['P'] = LX_ALNUM,
	['Q'] = LX_ALNUM, ['R'] = LX_ALNUM, ['S'] = LX_ALNUM, ['T'] = LX_ALNUM,
	['U'] = LX_ALNUM, ['V'] = LX_ALNUM, ['W'] = LX_ALNUM, ['X'] = LX_ALNUM,
	['Y'] = LX_ALNUM, ['Z'] = LX_ALNUM,
	['a'] = LX_ALNUM, ['b'] = LX_ALNUM, ['c'] = LX_ALNUM, ['d'] = LX_ALNUM,
	['e'] = LX_ALNUM, ['f'] = LX_ALNUM, ['g'] = LX_ALNUM, ['h'] = LX_ALNUM,
	['i'] = LX_ALNUM, ['j'] = LX_ALNUM, ['k'] = LX_ALNUM, ['l'] = LX_ALNUM,
	['m'] = LX_ALNUM, ['n'] = LX_ALNUM, ['o'] = LX_ALNUM, ['p'] = LX_ALNUM,
	['q'] = LX_ALNUM, ['r'] = LX_ALNUM, ['s'] = LX_ALNUM, ['t'] = LX_ALNUM,
	['u'] = LX_ALNUM, ['v'] = LX_ALNUM, ['w'] = LX_ALNUM, ['x'] = LX_ALNUM,
	['y'] = LX_ALNUM, ['z'] = LX_ALNUM,
	[' '] = LX_TERM, ['\t'] = LX_TERM, ['\r'] = LX_TERM, ['\n'] = LX_TERM | LX_QSTOP,
	['.'] = LX_TERM, [','] = LX_TERM, ['|'] = LX_TERM, [':'] = LX_TERM,
	['('] = LX_TERM, [')'] = LX_TERM, ['}'] = LX_TERM,
	['"'] = LX_QSTOP, ['\\'] = LX_QSTOP,
};

/* [A-Za-z0-9_] */
static int lx_is_ascii_alnum(char c)
{
	return lx_class[(unsigned char)c] & LX_ALNUM;
}

/* Passes a run of ASCII letters, digits and '_' (what lx_next and
 * lx_is_alnum would accept one by one; no newline among them). */
static void lx_skip_ascii_alnum(struct lexer *l)
{
	const char *s = l->input + l->pos, *end = l->input + l->len;

	while (s < end && lx_is_ascii_alnum(*s))
		s++;
	l->pos = (size_t)(s - l->input);
}

static int lx_is_alnum(int32_t r)
{
	if (r >= 0 && r < 0x80)
		return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
		       (r >= '0' && r <= '9');
	return tmpl__is_letter(r) || tmpl__is_digit(r);
}

static int lx_has_prefix(struct lexer *l, size_t at, const char *p)
{
	size_t n = strlen(p);
	return at <= l->len && l->len - at >= n && memcmp(l->input + at, p, n) == 0;
}

static int lx_has_left_trim(struct lexer *l, size_t at)
{
	return at + 2 <= l->len && l->input[at] == '-' && lx_is_space((unsigned char)l->input[at + 1]);
}

/* At "}}", or at " -}}" (*trim): the bytes compared one by one (the
 * parser asks before every item in an action). */
static inline __attribute__((always_inline)) int lx_at_right_delim(struct lexer *l, int *trim)
{
	const char *s = l->input + l->pos;
	size_t left = l->len - l->pos;

	*trim = 0;
	if (l->pos >= l->len)
		return 0;
	if (s[0] == '}')
		return left >= 2 && s[1] == '}';
	if (left >= 4 && lx_is_space((unsigned char)s[0]) && s[1] == '-' && s[2] == '}' &&
	    s[3] == '}') {
		*trim = 1;
		return 1;
	}
	return 0;
}

static size_t lx_left_trim_len(struct lexer *l, size_t at)
{
	size_t i = at;
	while (i < l->len && lx_is_space((unsigned char)l->input[i]))
		i++;
	return i - at;
}

static int lx_errorf(struct lexer *l, struct item *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lx_errorf(struct lexer *l, struct item *out, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&l->errbuf);
	va_start(ap, fmt);
	buf_vaddf(&l->errbuf, fmt, ap);
	va_end(ap);
	out->type = ITEM_ERROR;
	out->space = (unsigned char)l->space;
	out->pos = (uint32_t)l->start;
	out->len = l->errbuf.len < UINT32_MAX ? (uint32_t)l->errbuf.len : UINT32_MAX;
	l->start = 0;
	l->pos = 0;
	l->len = 0;
	l->failed = 1;
	return 1;
}

/* %#U of Go */
static void lx_sharp_u(struct buf *b, int32_t r)
{
	buf_addf(b, "U+%04X", (unsigned)r);
	if (tmpl__is_print(r)) {
		buf_adds(b, " '");
		tmpl__utf8_encode(b, r);
		buf_addch(b, '\'');
	}
}

static inline __attribute__((always_inline)) int lx_at_terminator(struct lexer *l)
{
	int32_t r;

	if (l->pos < l->len && (unsigned char)l->input[l->pos] < 0x80) {
		/* what lx_peek would see, without stepping there and back */
		unsigned char c = (unsigned char)l->input[l->pos];

		if (!(lx_class[c] & LX_TERM))
			return 0;
		if (c != '}')
			return 1;
		return l->len - l->pos >= 2 && l->input[l->pos + 1] == '}';
	}
	r = lx_peek(l);

	if (lx_is_space(r))
		return 1;
	switch (r) {
	case LEX_EOF: case '.': case ',': case '|': case ':': case ')': case '(':
		return 1;
	}
	return lx_has_prefix(l, l->pos, RIGHT_DELIM);
}

enum lstate { L_TEXT, L_LEFT_DELIM, L_COMMENT, L_RIGHT_DELIM, L_INSIDE, L_SPACE,
	      L_IDENT, L_FIELD, L_VARIABLE, L_CHAR, L_NUMBER, L_QUOTE, L_RAW, L_DONE };

static int lx_scan_number(struct lexer *l)
{
	const char *digits = "0123456789_";
	int kind = 10;

	if (l->pos < l->len && l->input[l->pos] >= '1' && l->input[l->pos] <= '9') {
		/* a plain decimal integer, the common case: its digits, then
		 * anything but what the general scan below would go on with */
		size_t at = l->pos + 1;

		while (at < l->len && l->input[at] >= '0' && l->input[at] <= '9')
			at++;
		if (at >= l->len || (!(lx_class[(unsigned char)l->input[at]] & LX_ALNUM) &&
				     l->input[at] != '.' && (unsigned char)l->input[at] < 0x80)) {
			l->pos = at;
			return 1;
		}
	}
	lx_accept(l, "+-");
	if (lx_accept(l, "0")) {
		if (lx_accept(l, "xX")) {
			digits = "0123456789abcdefABCDEF_";
			kind = 16;
		} else if (lx_accept(l, "oO")) {
			digits = "01234567_";
			kind = 8;
		} else if (lx_accept(l, "bB")) {
			digits = "01_";
			kind = 2;
		}
	}
	lx_accept_run(l, digits);
	if (lx_accept(l, "."))
		lx_accept_run(l, digits);
	if (kind == 10 && lx_accept(l, "eE")) {
		lx_accept(l, "+-");
		lx_accept_run(l, "0123456789_");
	}
	if (kind == 16 && lx_accept(l, "pP")) {
		lx_accept(l, "+-");
		lx_accept_run(l, "0123456789_");
	}
	lx_accept(l, "i");
	if (lx_is_alnum(lx_peek(l))) {
		lx_next(l);
		return 0;
	}
	return 1;
}

static int lx_quoted_err(struct lexer *l, struct item *out)
{
	struct buf q = BUF_INIT;
	int rc;

	tmpl_quote(&q, l->input + l->start, l->pos - l->start);
	rc = lx_errorf(l, out, "bad number syntax: %s", q.ptr);
	buf_release(&q);
	return rc;
}

struct item lexer__next(struct lexer *l)
{
	struct item it;
	enum lstate st = l->inside_action ? L_INSIDE : L_TEXT;
	int trim;
	int32_t r;

	it.type = ITEM_EOF;
	it.space = 0;
	it.pos = (uint32_t)l->pos;
	it.len = 0;
	if (l->failed)
		return it;
	for (;;) {
		switch (st) {
		case L_TEXT: {
			const char *hit = NULL;
			size_t x;
			if (l->pos < l->len)
				hit = lx_find2(l->input + l->pos, l->len - l->pos, '{', '{');
			if (hit) {
				x = (size_t)(hit - (l->input + l->pos));
				if (x > 0) {
					size_t trim_len = 0, delim_end;
					struct item i;
					l->pos += x;
					delim_end = l->pos + 2;
					if (lx_has_left_trim(l, delim_end)) {
						size_t k = l->pos;
						while (k > l->start && lx_is_space((unsigned char)l->input[k - 1]))
							k--;
						trim_len = l->pos - k;
					}
					l->pos -= trim_len;
					i = lx_this_item(l, ITEM_TEXT);
					l->pos += trim_len;
					lx_ignore(l);
					if (i.len > 0)
						return i;
				}
				st = L_LEFT_DELIM;
				continue;
			}
			l->pos = l->len;
			if (l->pos > l->start) {
				return lx_this_item(l, ITEM_TEXT);
			}
			return lx_this_item(l, ITEM_EOF);
		}
		case L_LEFT_DELIM: {
			size_t after = 0;
			struct item i;
			int trim_space;
			l->pos += 2;
			trim_space = lx_has_left_trim(l, l->pos);
			if (trim_space)
				after = 2;
			if (lx_has_prefix(l, l->pos + after, "/*")) {
				l->pos += after;
				lx_ignore(l);
				st = L_COMMENT;
				continue;
			}
			i = lx_this_item(l, ITEM_LEFT_DELIM);
			l->inside_action = 1;
			l->pos += after;
			lx_ignore(l);
			l->paren_depth = 0;
			return i;
		}
		case L_COMMENT: {
			const char *hit;
			l->pos += 2;
			hit = l->pos <= l->len ? lx_find2(l->input + l->pos, l->len - l->pos, '*', '/') : NULL;
			if (!hit) {
				lx_errorf(l, &it, "unclosed comment");
				return it;
			}
			l->pos = (size_t)(hit - l->input) + 2;
			if (!lx_at_right_delim(l, &trim)) {
				lx_errorf(l, &it, "comment ends before closing delimiter");
				return it;
			}
			lx_this_item(l, ITEM_COMMENT);
			if (trim)
				l->pos += 2;
			l->pos += 2;
			if (trim)
				l->pos += lx_left_trim_len(l, l->pos);
			lx_ignore(l);
			st = L_TEXT;
			continue;
		}
		case L_RIGHT_DELIM: {
			struct item i;
			lx_at_right_delim(l, &trim);
			if (trim) {
				l->pos += 2;
				lx_ignore(l);
			}
			l->pos += 2;
			i = lx_this_item(l, ITEM_RIGHT_DELIM);
			if (trim) {
				l->pos += lx_left_trim_len(l, l->pos);
				lx_ignore(l);
			}
			l->inside_action = 0;
			return i;
		}
		case L_INSIDE:
			/* only '}' or a space can begin "}}" or " -}}" */
			if (l->pos < l->len && (l->input[l->pos] == '}' ||
						lx_is_space((unsigned char)l->input[l->pos])) &&
			    lx_at_right_delim(l, &trim)) {
				if (l->paren_depth == 0) {
					st = L_RIGHT_DELIM;
					continue;
				}
				lx_errorf(l, &it, "unclosed left paren");
				return it;
			}
			if (l->pos < l->len) {
				/* what lx_next, a test and lx_backup would decide
				 * for a space or an ASCII letter, without them */
				unsigned char c = (unsigned char)l->input[l->pos];

				if (lx_is_space(c)) {
					st = L_SPACE;
					continue;
				}
				if (c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
					st = L_IDENT;
					continue;
				}
			}
			r = lx_next(l);
			if (r == LEX_EOF) {
				lx_errorf(l, &it, "unclosed action");
				return it;
			}
			if (lx_is_space(r)) {
				lx_backup(l);
				st = L_SPACE;
				continue;
			}
			switch (r) {
			case '=':
				return lx_this_item(l, ITEM_ASSIGN);
			case ':':
				if (lx_next(l) != '=') {
					lx_errorf(l, &it, "expected :=");
					return it;
				}
				return lx_this_item(l, ITEM_DECLARE);
			case '|':
				return lx_this_item(l, ITEM_PIPE);
			case '"':
				st = L_QUOTE;
				continue;
			case '`':
				st = L_RAW;
				continue;
			case '$':
				st = L_VARIABLE;
				continue;
			case '\'':
				st = L_CHAR;
				continue;
			case '(':
				l->paren_depth++;
				return lx_this_item(l, ITEM_LEFT_PAREN);
			case ')':
				l->paren_depth--;
				if (l->paren_depth < 0) {
					lx_errorf(l, &it, "unexpected right paren");
					return it;
				}
				return lx_this_item(l, ITEM_RIGHT_PAREN);
			}
			if (r == '.') {
				if (l->pos < l->len) {
					char c = l->input[l->pos];
					if (c < '0' || c > '9') {
						st = L_FIELD;
						continue;
					}
				}
				lx_backup(l);
				st = L_NUMBER;
				continue;
			}
			if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
				lx_backup(l);
				st = L_NUMBER;
				continue;
			}
			if (lx_is_alnum(r)) {
				lx_backup(l);
				st = L_IDENT;
				continue;
			}
			if (r < 0x80 && r >= 0x20 && r < 0x7F)
				return lx_this_item(l, ITEM_CHAR);
			{
				struct buf u = BUF_INIT;
				lx_sharp_u(&u, r);
				lx_errorf(l, &it, "unrecognized character in action: %s", u.ptr);
				buf_release(&u);
				return it;
			}
		case L_SPACE: {
			int n = 0;
			/* lx_next over ASCII spaces, then the peek that ends the
			 * run (which marks the end of input when it reaches it) */
			while (l->pos < l->len && lx_is_space((unsigned char)l->input[l->pos])) {
				l->pos++;
				n++;
			}
			if (l->pos >= l->len)
				l->at_eof = 1;
			if (l->len - l->pos >= 3 && l->input[l->pos] == '-' &&
			    l->input[l->pos + 1] == '}' && l->input[l->pos + 2] == '}') {
				/* " -}}": the space before the '-' is the trim marker's */
				lx_backup(l);
				if (n == 1) {
					st = L_RIGHT_DELIM;
					continue;
				}
			}
			/* Go's space item: the parser only needs to know that
			 * one came before the next item */
			l->space = 1;
			lx_ignore(l);
			st = L_INSIDE;
			continue;
		}
		case L_IDENT:
			for (;;) {
				lx_skip_ascii_alnum(l);
				if (l->pos < l->len && (unsigned char)l->input[l->pos] < 0x80) {
					/* an ASCII byte after the run: not alphanumeric */
					r = (unsigned char)l->input[l->pos];
				} else {
					r = lx_next(l);
					if (lx_is_alnum(r))
						continue;
					lx_backup(l);
				}
				if (!lx_at_terminator(l)) {
					struct buf u = BUF_INIT;
					lx_sharp_u(&u, r);
					lx_errorf(l, &it, "bad character %s", u.ptr);
					buf_release(&u);
					return it;
				}
				{
					const char *w = l->input + l->start;
					enum item_type t = lx_word_type(w, l->pos - l->start);

					if ((t == ITEM_BREAK && !l->break_ok) ||
					    (t == ITEM_CONTINUE && !l->continue_ok))
						t = ITEM_IDENTIFIER;
					else if (t == ITEM_IDENTIFIER && w[0] == '.')
						t = ITEM_FIELD;
					return lx_this_item(l, t);
				}
			}
		case L_VARIABLE:
			if (lx_at_terminator(l))
				return lx_this_item(l, ITEM_VARIABLE);
			/* fall through */
		case L_FIELD: {
			enum item_type t = st == L_VARIABLE ? ITEM_VARIABLE : ITEM_FIELD;
			if (lx_at_terminator(l))
				return lx_this_item(l, t == ITEM_VARIABLE ? ITEM_VARIABLE : ITEM_DOT);
			for (;;) {
				lx_skip_ascii_alnum(l);
				if (l->pos < l->len && (unsigned char)l->input[l->pos] < 0x80) {
					r = (unsigned char)l->input[l->pos];
					break;
				}
				r = lx_next(l);
				if (!lx_is_alnum(r)) {
					lx_backup(l);
					break;
				}
			}
			if (!lx_at_terminator(l)) {
				struct buf u = BUF_INIT;
				lx_sharp_u(&u, r);
				lx_errorf(l, &it, "bad character %s", u.ptr);
				buf_release(&u);
				return it;
			}
			return lx_this_item(l, t);
		}
		case L_CHAR:
			for (;;) {
				r = lx_next(l);
				if (r == '\\') {
					r = lx_next(l);
					if (r != LEX_EOF && r != '\n')
						continue;
					lx_errorf(l, &it, "unterminated character constant");
					return it;
				}
				if (r == LEX_EOF || r == '\n') {
					lx_errorf(l, &it, "unterminated character constant");
					return it;
				}
				if (r == '\'')
					break;
			}
			return lx_this_item(l, ITEM_CHAR_CONSTANT);
		case L_NUMBER:
			if (!lx_scan_number(l)) {
				lx_quoted_err(l, &it);
				return it;
			}
			r = lx_peek(l);
			if (r == '+' || r == '-') {
				if (!lx_scan_number(l) || l->input[l->pos - 1] != 'i') {
					lx_quoted_err(l, &it);
					return it;
				}
				return lx_this_item(l, ITEM_COMPLEX);
			}
			return lx_this_item(l, ITEM_NUMBER);
		case L_QUOTE:
			for (;;) {
				/* bytes that are none of \\ \n " stand for themselves
				 * (UTF-8 never uses them inside a sequence) */
				const char *q = l->input + l->pos, *qend = l->input + l->len;

				while (q < qend && !(lx_class[(unsigned char)*q] & LX_QSTOP))
					q++;
				l->pos = (size_t)(q - l->input);
				r = lx_next(l);
				if (r == '\\') {
					r = lx_next(l);
					if (r != LEX_EOF && r != '\n')
						continue;
					lx_errorf(l, &it, "unterminated quoted string");
					return it;
				}
				if (r == LEX_EOF || r == '\n') {
					lx_errorf(l, &it, "unterminated quoted string");
					return it;
				}
				if (r == '"')
					break;
			}
			return lx_this_item(l, ITEM_STRING);
		case L_RAW:
			for (;;) {
				r = lx_next(l);
				if (r == LEX_EOF) {
					lx_errorf(l, &it, "unterminated raw quoted string");
					return it;
				}
				if (r == '`')
					break;
			}
			return lx_this_item(l, ITEM_RAW_STRING);
		case L_DONE:
			return it;
		}
	}
}

void lexer__release(struct lexer *l)
{
	buf_release(&l->errbuf);
}

void lexer__item_string(struct buf *out, const struct lexer *l, const struct item *i)
{
	const char *val = lexer__val(l, i);

	if (i->type == ITEM_EOF) {
		buf_adds(out, "EOF");
	} else if (i->type == ITEM_ERROR) {
		buf_add(out, val, i->len);
	} else if (i->type > ITEM_KEYWORD) {
		buf_addch(out, '<');
		buf_add(out, val, i->len);
		buf_addch(out, '>');
	} else if (i->len > 10) {
		/* %.10q: the first ten runes, quoted */
		size_t k = 0;
		int n, w;
		for (n = 0; n < 10 && k < i->len; n++) {
			tmpl__utf8_decode(val + k, i->len - k, &w);
			k += (size_t)w;
		}
		tmpl_quote(out, val, k);
		buf_adds(out, "...");
	} else {
		tmpl_quote(out, val, i->len);
	}
}
