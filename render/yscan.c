/*
 * The fast YAML event source (see render/yscan.h and docs/yaml.md).
 *
 * A line-oriented recognizer with an explicit stack of block collections
 * takes the decisions libyaml's scanner and parser take on the subset it
 * knows (simple keys on one line, indentless sequences, block ends at the
 * next token, empty scalars at the end of the ':' or '-' before them) and
 * bails out wherever it is not sure. Structure only ever depends on
 * columns of lines indented with spaces, so byte columns serve for it;
 * marks are converted to characters when the input is not ASCII.
 */
#include "render/yscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Deeper inputs go to libyaml (yaml.c's own limits then apply). */
#define MAX_FRAMES ((size_t)256)
/* libyaml forgets a simple key 1024 characters after its start. */
#define MAX_KEY ((size_t)1000)

enum { F_MAP, F_SEQ, F_ISEQ };
enum { ST_STREAM, ST_DOC, ST_BODY, ST_DONE };
enum { P_DOC, P_VALUE, P_ENTRY };

struct yscan_frame {
	int kind;
	int indent;
};

struct yscan_qev {
	yaml_event_t ev;
	size_t voff; /* the scalar's value in scratch */
};

/* ---- input check and marks ---- */

/* Whether the UTF-8 sequence at s[i] is one libyaml reads as an ordinary
 * printable character; its length in *len. */
static int S_utf8_ok(const unsigned char *s, size_t n, size_t i, size_t *len)
{
	unsigned c = s[i], v;
	size_t k, l;

	if (c < 0xC2 || c > 0xF4)
		return 0;
	l = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (i + l > n)
		return 0;
	v = c & (l == 2 ? 0x1F : l == 3 ? 0x0F : 0x07);
	for (k = 1; k < l; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i + k] & 0x3F);
	}
	if ((l == 3 && v < 0x800) || (l == 4 && (v < 0x10000 || v > 0x10FFFF)))
		return 0;
	/* libyaml refuses C1 controls and surrogates, reads NEL, LS and PS as
	 * line breaks and skips a BOM at a line start: leave all to it */
	if (v < 0xA0 || (v >= 0xD800 && v <= 0xDFFF) || v == 0x2028 || v == 0x2029 ||
	    v == 0xFEFF || v == 0xFFFE || v == 0xFFFF)
		return 0;
	*len = l;
	return 1;
}

static size_t S_chars(struct yscan *sc, size_t pos)
{
	const unsigned char *s = (const unsigned char *)sc->s;

	/* marks come nearly in order: walk from the last one */
	while (sc->cc_pos > pos) {
		sc->cc_pos--;
		if ((s[sc->cc_pos] & 0xC0) != 0x80)
			sc->cc_chars--;
	}
	while (sc->cc_pos < pos) {
		if ((s[sc->cc_pos] & 0xC0) != 0x80)
			sc->cc_chars++;
		sc->cc_pos++;
	}
	return sc->cc_chars;
}

/* The mark of byte pos on the current line, when the input is not ASCII. */
static yaml_mark_t S_mark_chars(struct yscan *sc, size_t pos)
{
	yaml_mark_t m;

	m.line = sc->line;
	if (sc->lc_pos != sc->lstart) {
		sc->lc_chars = S_chars(sc, sc->lstart);
		sc->lc_pos = sc->lstart;
	}
	m.index = S_chars(sc, pos);
	m.column = m.index - sc->lc_chars;
	return m;
}

/* The mark of byte pos on the current line. */
static inline yaml_mark_t S_mark(struct yscan *sc, size_t pos)
{
	yaml_mark_t m;

	if (!sc->ascii)
		return S_mark_chars(sc, pos);
	m.index = pos;
	m.line = sc->line;
	m.column = pos - sc->lstart;
	return m;
}

/* Where libyaml puts the stream end: a last line without a line break is
 * ended for it. */
static yaml_mark_t S_end_mark(struct yscan *sc)
{
	yaml_mark_t m = S_mark(sc, sc->n);

	if (m.column) {
		m.column = 0;
		m.line++;
	}
	return m;
}

/* ---- the event queue ---- */

/* Appends to the scratch buffer: inline while it has room. */
static inline void S_append(struct yscan *sc, const char *p, size_t len)
{
	struct buf *b = &sc->scratch;

	if (b->alloc - b->len > len) {
		memcpy(b->ptr + b->len, p, len);
		b->len += len;
		b->ptr[b->len] = '\0';
	} else {
		buf_add(b, p, len);
	}
}

static int S_bail_at(struct yscan *sc, int line)
{
	if (!sc->bailed)
		sc->bail_line = line;
	sc->bailed = 1;
	return YSCAN_BAIL;
}
#define S_bail(sc) S_bail_at((sc), __LINE__)

static yaml_event_t *S_push(struct yscan *sc, yaml_event_type_t type, yaml_mark_t start,
			    yaml_mark_t end)
{
	struct yscan_qev *e;

	if (sc->qhead + sc->qlen == sc->qalloc) {
		if (sc->qhead) {
			memmove(sc->q, sc->q + sc->qhead, sc->qlen * sizeof(*sc->q));
			sc->qhead = 0;
		} else {
			size_t na = sc->qalloc ? 2 * sc->qalloc : 16;
			struct yscan_qev *nq = realloc(sc->q, na * sizeof(*nq));
			if (!nq)
				return NULL;
			sc->q = nq;
			sc->qalloc = na;
		}
	}
	e = &sc->q[sc->qhead + sc->qlen++];
	memset(&e->ev.data, 0, sizeof(e->ev.data));
	e->ev.type = type;
	e->ev.start_mark = start;
	e->ev.end_mark = end;
	return &e->ev;
}

/* A scalar event whose value is scratch[voff..]; NUL-terminated there. */
static int S_push_scalar(struct yscan *sc, size_t voff, yaml_scalar_style_t style,
			 yaml_mark_t start, yaml_mark_t end)
{
	yaml_event_t *ev;

	if (buf_addch(&sc->scratch, '\0') < 0 || sc->scratch.oom)
		return S_bail(sc);
	if (!(ev = S_push(sc, YAML_SCALAR_EVENT, start, end)))
		return S_bail(sc);
	sc->q[sc->qhead + sc->qlen - 1].voff = voff;
	ev->data.scalar.length = sc->scratch.len - 1 - voff;
	ev->data.scalar.style = style;
	ev->data.scalar.plain_implicit = style == YAML_PLAIN_SCALAR_STYLE;
	ev->data.scalar.quoted_implicit = style != YAML_PLAIN_SCALAR_STYLE;
	return 0;
}

static int S_push_empty(struct yscan *sc, yaml_mark_t at)
{
	return S_push_scalar(sc, sc->scratch.len, YAML_PLAIN_SCALAR_STYLE, at, at);
}

static int S_push_coll(struct yscan *sc, yaml_event_type_t type, int flow, yaml_mark_t start,
		       yaml_mark_t end)
{
	yaml_event_t *ev = S_push(sc, type, start, end);

	if (!ev)
		return S_bail(sc);
	if (type == YAML_MAPPING_START_EVENT) {
		ev->data.mapping_start.implicit = 1;
		ev->data.mapping_start.style = flow ? YAML_FLOW_MAPPING_STYLE
			: YAML_BLOCK_MAPPING_STYLE;
	} else if (type == YAML_SEQUENCE_START_EVENT) {
		ev->data.sequence_start.implicit = 1;
		ev->data.sequence_start.style = flow ? YAML_FLOW_SEQUENCE_STYLE
			: YAML_BLOCK_SEQUENCE_STYLE;
	}
	return 0;
}

/* ---- lexical helpers ---- */

static int S_blankz(const struct yscan *sc, size_t i)
{
	return i >= sc->n || sc->s[i] == ' ' || sc->s[i] == '\n';
}

static void S_newline(struct yscan *sc)
{
	sc->pos++;
	sc->line++;
	sc->lstart = sc->pos;
}

/* Skips spaces, comments and line breaks; sets sc->nl when a line break
 * was crossed. */
static void S_skip(struct yscan *sc)
{
	const char *s = sc->s;
	size_t n = sc->n;

	for (;;) {
		while (sc->pos < n && s[sc->pos] == ' ')
			sc->pos++;
		if (sc->pos >= n)
			return;
		if (s[sc->pos] == '#') {
			const char *e = memchr(s + sc->pos, '\n', n - sc->pos);
			sc->pos = e ? (size_t)(e - s) : n;
			continue;
		}
		if (s[sc->pos] != '\n')
			return;
		S_newline(sc);
		sc->nl = 1;
	}
}

/* After "---" or "...": only spaces and a comment may follow. */
static int S_rest_of_line(struct yscan *sc)
{
	while (sc->pos < sc->n && sc->s[sc->pos] == ' ')
		sc->pos++;
	if (sc->pos < sc->n && sc->s[sc->pos] == '#') {
		const char *e = memchr(sc->s + sc->pos, '\n', sc->n - sc->pos);
		sc->pos = e ? (size_t)(e - sc->s) : sc->n;
	}
	if (sc->pos < sc->n && sc->s[sc->pos] != '\n')
		return S_bail(sc);
	return 0;
}

/* 1 "---", 2 "...", 0 neither, at the current position. */
static int S_doc_marker(const struct yscan *sc)
{
	const char *s = sc->s + sc->pos;

	if (sc->pos != sc->lstart || sc->n - sc->pos < 3 || !S_blankz(sc, sc->pos + 3))
		return 0;
	if (s[0] == '-' && s[1] == '-' && s[2] == '-')
		return 1;
	if (s[0] == '.' && s[1] == '.' && s[2] == '.')
		return 2;
	return 0;
}

static int S_top_indent(const struct yscan *sc)
{
	return sc->nframes ? sc->frames[sc->nframes - 1].indent : -1;
}

static int S_push_frame(struct yscan *sc, int kind, int indent)
{
	if (sc->nframes == sc->aframes) {
		size_t na = sc->aframes ? 2 * sc->aframes : 16;
		struct yscan_frame *nf;
		if (sc->nframes >= MAX_FRAMES ||
		    !(nf = realloc(sc->frames, na * sizeof(*nf))))
			return S_bail(sc);
		sc->frames = nf;
		sc->aframes = na;
	}
	sc->frames[sc->nframes].kind = kind;
	sc->frames[sc->nframes].indent = indent;
	sc->nframes++;
	return 0;
}

/* ---- scalars ---- */

/*
 * Whether a plain scalar that ended at the line break at nlpos goes on in
 * the next lines: libyaml continues it on any later line indented by at
 * least threshold that does not start a comment or a document marker.
 */
static int S_plain_goes_on(const struct yscan *sc, size_t nlpos, int threshold)
{
	const char *s = sc->s;
	size_t n = sc->n, k = nlpos + 1, ls = k;

	if (nlpos >= n)
		return 0;
	for (;;) {
		while (k < n && s[k] == ' ')
			k++;
		if (k >= n)
			return 0;
		if (s[k] != '\n')
			break;
		k++;
		ls = k;
	}
	if (s[k] == '#')
		return 0;
	if (k == ls && n - k >= 3 && (k + 3 >= n || s[k + 3] == ' ' || s[k + 3] == '\n') &&
	    (memcmp(s + k, "---", 3) == 0 || memcmp(s + k, "...", 3) == 0))
		return 0;
	return (int)(k - ls) >= threshold;
}

static int S_plain_start(const struct yscan *sc)
{
	char c = sc->s[sc->pos];

	switch (c) {
	case '-': case '?': case ':':
		return !S_blankz(sc, sc->pos + 1);
	case ',': case '[': case ']': case '{': case '}': case '#': case '&': case '*':
	case '!': case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
	case ' ': case '\n':
		return 0;
	default:
		return 1;
	}
}

static const unsigned char plain_stop[256] = { [' '] = 1, ['\n'] = 1, [':'] = 1 };

/*
 * The plain scalar at sc->pos into scratch: one line, or several lines
 * folded as libyaml folds them (a single line break becomes a space, n > 1
 * become n - 1 newlines) when inside a collection. Stops before a ": " or
 * " #"; *em_out the mark after its last character, *multi_out whether it
 * took more than one line.
 */
static int S_plain(struct yscan *sc, size_t *voff, yaml_mark_t *em_out, int *multi_out,
		   int threshold)
{
	const char *s = sc->s;
	size_t n = sc->n, i = sc->pos, end = sc->pos, seg = sc->pos, j;
	size_t end_line = sc->line, end_lstart = sc->lstart;
	int multi = 0;

	*voff = sc->scratch.len;
	for (;;) {
		size_t w = i;
		while (i < n) {
			unsigned char c = (unsigned char)s[i];
			if (plain_stop[c] && (c != ':' || S_blankz(sc, i + 1)))
				break;
			i++;
		}
		if (i == w) {
			if (multi && i != end)
				return S_bail(sc); /* ": " after a folded line */
			break;
		}
		end = i;
		end_line = sc->line;
		end_lstart = sc->lstart;
		for (j = i; j < n && s[j] == ' '; j++)
			;
		if (j >= n || s[j] == '\n') {
			size_t breaks = 0;
			if (!S_plain_goes_on(sc, j, threshold))
				break;
			if (threshold < 1)
				return S_bail(sc); /* document markers would matter */
			S_append(sc, s + seg, end - seg);
			while (j < n && s[j] == '\n') {
				sc->pos = j;
				S_newline(sc);
				breaks++;
				for (j = sc->pos; j < n && s[j] == ' '; j++)
					;
			}
			if (breaks == 1)
				buf_addch(&sc->scratch, ' ');
			else
				buf_addchn(&sc->scratch, '\n', breaks - 1);
			multi = 1;
			i = seg = j;
			continue;
		}
		if (s[j] == '#' || (s[j] == ':' && S_blankz(sc, j + 1)))
			break;
		i = j;
	}
	S_append(sc, s + seg, end - seg);
	sc->pos = end;
	{
		size_t line = sc->line, lstart = sc->lstart;
		sc->line = end_line;
		sc->lstart = end_lstart;
		*em_out = S_mark(sc, end);
		sc->line = line;
		sc->lstart = lstart;
	}
	*multi_out = multi;
	return 0;
}

/*
 * A line break inside a quoted scalar, at s[st..i) the text before it on
 * its line: libyaml drops the spaces before the break and at the start of
 * the next lines, and folds one break into a space, n > 1 into n - 1
 * newlines. Returns the position of the next character.
 */
static int S_quoted_break(struct yscan *sc, size_t st, size_t i, size_t *next)
{
	const char *s = sc->s;
	size_t n = sc->n, e = i, breaks = 0, j = i;

	while (e > st && s[e - 1] == ' ')
		e--;
	S_append(sc, s + st, e - st);
	while (j < n && s[j] == '\n') {
		sc->pos = j;
		S_newline(sc);
		breaks++;
		for (j = sc->pos; j < n && s[j] == ' '; j++)
			;
	}
	if (j >= n || (j == sc->lstart && n - j >= 3 && S_blankz(sc, j + 3) &&
		       (memcmp(s + j, "---", 3) == 0 || memcmp(s + j, "...", 3) == 0)))
		return S_bail(sc);
	if (breaks == 1)
		buf_addch(&sc->scratch, ' ');
	else
		buf_addchn(&sc->scratch, '\n', breaks - 1);
	*next = j;
	return 0;
}

static int S_single(struct yscan *sc, size_t *voff, int multi_ok)
{
	const char *s = sc->s;
	size_t n = sc->n, i = sc->pos + 1;

	*voff = sc->scratch.len;
	for (;;) {
		size_t st = i;
		while (i < n && s[i] != '\'' && s[i] != '\n')
			i++;
		if (i < n && s[i] == '\n' && multi_ok) {
			if (S_quoted_break(sc, st, i, &i) < 0)
				return YSCAN_BAIL;
			continue;
		}
		if (i >= n || s[i] == '\n')
			return S_bail(sc);
		S_append(sc, s + st, i - st);
		if (i + 1 < n && s[i + 1] == '\'') {
			buf_addch(&sc->scratch, '\'');
			i += 2;
			continue;
		}
		sc->pos = i + 1;
		return 0;
	}
}

static int S_hex(const char *s, size_t n, size_t i, int digits, unsigned *out)
{
	unsigned v = 0;
	int k;

	if (i + (size_t)digits > n)
		return -1;
	for (k = 0; k < digits; k++) {
		char c = s[i + (size_t)k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void S_add_utf8(struct buf *b, unsigned v)
{
	char u[4];
	size_t l;

	if (v < 0x80) {
		u[0] = (char)v;
		l = 1;
	} else if (v < 0x800) {
		u[0] = (char)(0xC0 | (v >> 6));
		u[1] = (char)(0x80 | (v & 0x3F));
		l = 2;
	} else if (v < 0x10000) {
		u[0] = (char)(0xE0 | (v >> 12));
		u[1] = (char)(0x80 | ((v >> 6) & 0x3F));
		u[2] = (char)(0x80 | (v & 0x3F));
		l = 3;
	} else {
		u[0] = (char)(0xF0 | (v >> 18));
		u[1] = (char)(0x80 | ((v >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((v >> 6) & 0x3F));
		u[3] = (char)(0x80 | (v & 0x3F));
		l = 4;
	}
	buf_add(b, u, l);
}

static int S_double(struct yscan *sc, size_t *voff, int multi_ok)
{
	const char *s = sc->s;
	size_t n = sc->n, i = sc->pos + 1;

	*voff = sc->scratch.len;
	for (;;) {
		size_t st = i;
		unsigned v;
		int digits = 0;

		while (i < n && s[i] != '"' && s[i] != '\\' && s[i] != '\n')
			i++;
		if (i < n && s[i] == '\n' && multi_ok) {
			if (S_quoted_break(sc, st, i, &i) < 0)
				return YSCAN_BAIL;
			continue;
		}
		if (i >= n || s[i] == '\n')
			return S_bail(sc);
		S_append(sc, s + st, i - st);
		if (s[i] == '"') {
			sc->pos = i + 1;
			return 0;
		}
		if (i + 1 >= n)
			return S_bail(sc);
		switch (s[i + 1]) {
		case '0': v = 0; break;
		case 'a': v = 7; break;
		case 'b': v = 8; break;
		case 't': v = 9; break;
		case 'n': v = 10; break;
		case 'v': v = 11; break;
		case 'f': v = 12; break;
		case 'r': v = 13; break;
		case 'e': v = 27; break;
		case ' ': v = ' '; break;
		case '"': v = '"'; break;
		case '\\': v = '\\'; break;
		case 'N': v = 0x85; break;
		case '_': v = 0xA0; break;
		case 'L': v = 0x2028; break;
		case 'P': v = 0x2029; break;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			/* "\/" (an error for go-yaml), escaped line breaks, unknown */
			return S_bail(sc);
		}
		i += 2;
		if (digits) {
			if (S_hex(s, n, i, digits, &v) < 0 || (v >= 0xD800 && v <= 0xDFFF) ||
			    v > 0x10FFFF)
				return S_bail(sc);
			i += (size_t)digits;
		}
		S_add_utf8(&sc->scratch, v);
	}
}

/*
 * What follows a scalar or an empty flow collection on its line: 1 when
 * it is a key (": " follows; sc->pos is then at the ':'), 0 when only
 * spaces and a comment follow (sc->pos at the line break or the end).
 */
static int S_after(struct yscan *sc)
{
	const char *s = sc->s;
	size_t n = sc->n, i = sc->pos;

	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] == ':' && S_blankz(sc, i + 1)) {
		sc->pos = i;
		return 1;
	}
	if (i < n && s[i] == '#') {
		const char *e = memchr(s + i, '\n', n - i);
		i = e ? (size_t)(e - s) : n;
	}
	if (i < n && s[i] != '\n')
		return S_bail(sc);
	sc->pos = i;
	return 0;
}

/* The literal or folded scalar whose indicator is at sc->pos. */
static int S_block(struct yscan *sc)
{
	const char *s = sc->s;
	size_t n = sc->n, voff = sc->scratch.len, lb = 0, tb = 0;
	int literal = s[sc->pos] == '|', chomp = 0, indent = 0, pind = S_top_indent(sc);
	int leading_blank = 0, first = 1;
	yaml_mark_t start = S_mark(sc, sc->pos), end = start;

	sc->pos++;
	if (sc->pos < n && (s[sc->pos] == '+' || s[sc->pos] == '-')) {
		chomp = s[sc->pos] == '+' ? 1 : -1;
		sc->pos++;
	}
	if (S_rest_of_line(sc) < 0)
		return YSCAN_BAIL;
	if (sc->pos < n)
		S_newline(sc);
	for (;;) {
		/* the line breaks (and lines of spaces) before a line */
		int max_indent = 0;
		end = S_mark(sc, sc->pos);
		for (;;) {
			while ((!indent || (int)(sc->pos - sc->lstart) < indent) &&
			       sc->pos < n && s[sc->pos] == ' ')
				sc->pos++;
			if ((int)(sc->pos - sc->lstart) > max_indent)
				max_indent = (int)(sc->pos - sc->lstart);
			if (sc->pos >= n || s[sc->pos] != '\n')
				break;
			S_newline(sc);
			tb++;
			end = S_mark(sc, sc->pos);
		}
		if (first) {
			indent = max_indent;
			if (indent < pind + 1)
				indent = pind + 1;
			if (indent < 1)
				indent = 1;
			first = 0;
		}
		if ((int)(sc->pos - sc->lstart) != indent || sc->pos >= n)
			break;
		/* a line of content */
		{
			int trailing_blank = s[sc->pos] == ' ';
			const char *e;
			size_t st;

			if (!literal && lb && !leading_blank && !trailing_blank) {
				if (!tb)
					buf_addch(&sc->scratch, ' ');
			} else if (lb) {
				buf_addch(&sc->scratch, '\n');
			}
			lb = 0;
			buf_addchn(&sc->scratch, '\n', tb);
			tb = 0;
			leading_blank = trailing_blank;
			st = sc->pos;
			e = memchr(s + st, '\n', n - st);
			sc->pos = e ? (size_t)(e - s) : n;
			S_append(sc, s + st, sc->pos - st);
			if (sc->pos < n) {
				S_newline(sc);
				lb = 1;
			}
		}
	}
	if (chomp != -1 && lb)
		buf_addch(&sc->scratch, '\n');
	if (chomp == 1)
		buf_addchn(&sc->scratch, '\n', tb);
	sc->nl = 1;
	return S_push_scalar(sc, voff, literal ? YAML_LITERAL_SCALAR_STYLE
			     : YAML_FOLDED_SCALAR_STYLE, start, end);
}

/* ---- one-line flow collections of scalars ---- */

static int S_flow_stop(unsigned char c)
{
	return c == ' ' || c == '\n' || c == ',' || c == '[' || c == ']' || c == '{' ||
		c == '}';
}

/* A plain scalar inside a flow collection, on one line. */
static int S_flow_plain(struct yscan *sc, size_t *voff, size_t *end_out)
{
	const char *s = sc->s;
	size_t n = sc->n, i = sc->pos, end = sc->pos;

	for (;;) {
		size_t w = i;
		while (i < n && !S_flow_stop((unsigned char)s[i])) {
			if (s[i] == ':') {
				if (S_blankz(sc, i + 1))
					break;
				if (i + 1 < n && (S_flow_stop((unsigned char)s[i + 1]) ||
						  s[i + 1] == '?'))
					return S_bail(sc); /* libyaml: "found unexpected ':'" */
			}
			i++;
		}
		if (i == w)
			break;
		end = i;
		while (i < n && s[i] == ' ')
			i++;
		if (i >= n || s[i] == '\n' || s[i] == '#')
			return S_bail(sc); /* the collection goes on in later lines */
		if (S_flow_stop((unsigned char)s[i]) || (s[i] == ':' && S_blankz(sc, i + 1)))
			break;
	}
	*voff = sc->scratch.len;
	S_append(sc, s + sc->pos, end - sc->pos);
	*end_out = end;
	sc->pos = end;
	return 0;
}

/* A scalar inside a flow collection at sc->pos; pushes its event. */
static int S_flow_scalar(struct yscan *sc)
{
	const char *s = sc->s;
	size_t voff = 0, start = sc->pos, end;
	yaml_scalar_style_t style;
	char c = s[start];
	int rc;

	if (c == '\'') {
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		rc = S_single(sc, &voff, 0);
		end = sc->pos;
	} else if (c == '"') {
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		rc = S_double(sc, &voff, 0);
		end = sc->pos;
	} else if ((c == '-' && !S_blankz(sc, start + 1)) ||
		   !(S_flow_stop((unsigned char)c) || strchr("-?:#&*!|>'\"%@`", c))) {
		style = YAML_PLAIN_SCALAR_STYLE;
		rc = S_flow_plain(sc, &voff, &end);
	} else {
		return S_bail(sc);
	}
	if (rc < 0)
		return YSCAN_BAIL;
	return S_push_scalar(sc, voff, style, S_mark(sc, start), S_mark(sc, end));
}

static void S_spaces(struct yscan *sc)
{
	while (sc->pos < sc->n && sc->s[sc->pos] == ' ')
		sc->pos++;
}

/*
 * The flow sequence or mapping at sc->pos, all on one line, of scalars
 * only (keys and values of a mapping both present); sc->pos after it.
 */
static int S_flow(struct yscan *sc)
{
	const char *s = sc->s;
	size_t n = sc->n, start = sc->pos;
	int seq = s[start] == '[', first = 1;
	char close = seq ? ']' : '}';

	if (S_push_coll(sc, seq ? YAML_SEQUENCE_START_EVENT : YAML_MAPPING_START_EVENT, 1,
			S_mark(sc, start), S_mark(sc, start + 1)) < 0)
		return YSCAN_BAIL;
	sc->pos++;
	for (;;) {
		S_spaces(sc);
		if (sc->pos >= n)
			return S_bail(sc);
		if (s[sc->pos] == close)
			break;
		if (!first) {
			if (s[sc->pos] != ',')
				return S_bail(sc);
			sc->pos++;
			S_spaces(sc);
			if (sc->pos >= n)
				return S_bail(sc);
			if (s[sc->pos] == close)
				break;
		}
		first = 0;
		if (s[sc->pos] == ',' || s[sc->pos] == '[' || s[sc->pos] == '{')
			return S_bail(sc);
		{
			size_t kstart = sc->pos;
			if (S_flow_scalar(sc) < 0)
				return YSCAN_BAIL;
			S_spaces(sc);
			if (sc->pos >= n)
				return S_bail(sc);
			if (seq) {
				if (s[sc->pos] == ':')
					return S_bail(sc); /* a one-pair mapping */
				continue;
			}
			/* a mapping: the ':' and a value must follow on the line */
			if (s[sc->pos] != ':' || sc->pos - kstart > MAX_KEY)
				return S_bail(sc);
			sc->pos++;
			S_spaces(sc);
			if (sc->pos >= n || s[sc->pos] == ',' || s[sc->pos] == close ||
			    s[sc->pos] == '[' || s[sc->pos] == '{')
				return S_bail(sc);
			if (S_flow_scalar(sc) < 0)
				return YSCAN_BAIL;
		}
	}
	if (S_push_coll(sc, seq ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT, 1,
			S_mark(sc, sc->pos), S_mark(sc, sc->pos + 1)) < 0)
		return YSCAN_BAIL;
	sc->pos++;
	return 0;
}

/* ---- nodes ---- */

/*
 * The scalar (or "[]", "{}") at sc->pos, in a place where it may be a
 * key when allow_key. Pushes the events; for a key also the mapping start
 * when new_map, and leaves a value pending.
 */
static int S_scalar(struct yscan *sc, int allow_key, int new_map)
{
	const char *s = sc->s;
	size_t voff = 0, start = sc->pos, end = start;
	yaml_mark_t sm = S_mark(sc, start), em;
	yaml_scalar_style_t style;
	int rc, multi = 0;

	if (s[start] == '[' || s[start] == '{') {
		if (S_flow(sc) < 0)
			return YSCAN_BAIL;
		if ((rc = S_after(sc)) != 0)
			return S_bail(sc); /* a collection as a key */
		sc->pend = 0;
		return 0;
	}
	if (s[start] == '\'') {
		size_t line = sc->line;
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		rc = S_single(sc, &voff, 1);
		end = sc->pos;
		multi = sc->line != line;
	} else if (s[start] == '"') {
		size_t line = sc->line;
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		rc = S_double(sc, &voff, 1);
		end = sc->pos;
		multi = sc->line != line;
	} else if (S_plain_start(sc)) {
		style = YAML_PLAIN_SCALAR_STYLE;
		rc = S_plain(sc, &voff, &em, &multi, S_top_indent(sc) + 1);
	} else {
		return S_bail(sc);
	}
	if (rc < 0)
		return YSCAN_BAIL;
	if (style != YAML_PLAIN_SCALAR_STYLE)
		em = S_mark(sc, end);
	if ((rc = S_after(sc)) < 0)
		return YSCAN_BAIL;
	if (rc == 1) {
		yaml_mark_t cm;
		if (!allow_key || multi || sc->pos - start > MAX_KEY)
			return S_bail(sc);
		if (new_map) {
			if (S_push_frame(sc, F_MAP, (int)(start - sc->lstart)) < 0 ||
			    S_push_coll(sc, YAML_MAPPING_START_EVENT, 0, sm, sm) < 0)
				return YSCAN_BAIL;
		}
		if (S_push_scalar(sc, voff, style, sm, em) < 0)
			return YSCAN_BAIL;
		sc->pos++;
		cm = S_mark(sc, sc->pos);
		sc->pend = 1;
		sc->pend_kind = P_VALUE;
		sc->pend_mark = cm;
		sc->nl = 0;
		return 0;
	}
	sc->pend = 0;
	return S_push_scalar(sc, voff, style, sm, em);
}

/* A "-" entry at sc->pos: the entry is pending after it. */
static void S_entry(struct yscan *sc)
{
	sc->pos++;
	sc->pend = 1;
	sc->pend_kind = P_ENTRY;
	sc->pend_mark = S_mark(sc, sc->pos);
	sc->nl = 0;
}

/* The pending node starts at the token at sc->pos. */
static int S_node(struct yscan *sc)
{
	const char *s = sc->s;
	size_t pos = sc->pos;
	int col = (int)(pos - sc->lstart), kind = sc->pend_kind;

	if (s[pos] == '-' && S_blankz(sc, pos + 1)) {
		yaml_mark_t m = S_mark(sc, pos);
		if (!sc->nl)
			return S_bail(sc);
		if (kind == P_VALUE && col == S_top_indent(sc)) {
			if (S_push_frame(sc, F_ISEQ, col) < 0 ||
			    S_push_coll(sc, YAML_SEQUENCE_START_EVENT, 0, m, S_mark(sc, pos + 1)) < 0)
				return YSCAN_BAIL;
		} else {
			if (S_push_frame(sc, F_SEQ, col) < 0 ||
			    S_push_coll(sc, YAML_SEQUENCE_START_EVENT, 0, m, m) < 0)
				return YSCAN_BAIL;
		}
		S_entry(sc);
		return 0;
	}
	if (s[pos] == '|' || s[pos] == '>') {
		if (sc->nl || kind == P_DOC)
			return S_bail(sc);
		sc->pend = 0;
		return S_block(sc);
	}
	/* a key may start a mapping on a new line, or after "- " */
	sc->pend = 0;
	return S_scalar(sc, sc->nl || kind == P_ENTRY, 1);
}

/*
 * Ends the document's collections at mark m, or at the end of the input:
 * libyaml first ends those indented deeper than the column there, at that
 * place, then the others where the stream ends.
 */
static int S_close_all(struct yscan *sc, yaml_mark_t m, int eof)
{
	yaml_mark_t here = m;

	if (eof)
		here = S_mark(sc, sc->n);
	while (sc->nframes) {
		size_t i = --sc->nframes;
		int kind = sc->frames[i].kind, indent = sc->frames[i].indent;
		yaml_mark_t at;

		if (kind == F_ISEQ && i > 0)
			indent = sc->frames[i - 1].indent; /* ends with its mapping */
		at = eof && indent > (int)here.column ? here : m;
		if (S_push_coll(sc, kind == F_MAP ? YAML_MAPPING_END_EVENT
				: YAML_SEQUENCE_END_EVENT, 0, at, at) < 0)
			return YSCAN_BAIL;
	}
	return 0;
}

/* One step inside a document: pushes at least one event. */
static int S_body(struct yscan *sc)
{
	size_t pos;
	int col, marker;
	yaml_mark_t m;
	yaml_event_t *ev;

	S_skip(sc);
	pos = sc->pos;
	marker = pos < sc->n ? S_doc_marker(sc) : 0;
	if (pos >= sc->n || marker) {
		m = pos >= sc->n ? S_end_mark(sc) : S_mark(sc, pos);
		if (sc->pend && S_push_empty(sc, sc->pend_kind == P_DOC ? m : sc->pend_mark) < 0)
			return YSCAN_BAIL;
		sc->pend = 0;
		if (S_close_all(sc, m, pos >= sc->n) < 0)
			return YSCAN_BAIL;
		if (marker == 2) {
			if (!(ev = S_push(sc, YAML_DOCUMENT_END_EVENT, m, S_mark(sc, pos + 3))))
				return S_bail(sc);
			sc->pos += 3;
			if (S_rest_of_line(sc) < 0)
				return YSCAN_BAIL;
		} else {
			if (!(ev = S_push(sc, YAML_DOCUMENT_END_EVENT, m, m)))
				return S_bail(sc);
			ev->data.document_end.implicit = 1;
		}
		sc->state = ST_DOC;
		sc->first_doc = 0;
		return 0;
	}
	col = (int)(pos - sc->lstart);
	m = S_mark(sc, pos);
	if (sc->pend) {
		int content;
		if (!sc->nl || sc->pend_kind == P_DOC)
			content = 1;
		else if (sc->pend_kind == P_VALUE)
			content = col > S_top_indent(sc) ||
				(col == S_top_indent(sc) && sc->s[pos] == '-' &&
				 S_blankz(sc, pos + 1));
		else
			content = col > S_top_indent(sc);
		if (content)
			return S_node(sc);
		if (S_push_empty(sc, sc->pend_mark) < 0)
			return YSCAN_BAIL;
		sc->pend = 0;
	}
	if (!sc->nl)
		return S_bail(sc);
	while (sc->nframes) {
		struct yscan_frame *f = &sc->frames[sc->nframes - 1];
		int entry = sc->s[pos] == '-' && S_blankz(sc, pos + 1);

		if (f->kind == F_ISEQ) {
			if (col == f->indent && entry) {
				S_entry(sc);
				return 0;
			}
			if (col > f->indent)
				return S_bail(sc);
		} else if (col == f->indent) {
			if (f->kind == F_SEQ) {
				if (!entry)
					return S_bail(sc);
				S_entry(sc);
				return 0;
			}
			if (entry)
				return S_bail(sc);
			return S_scalar(sc, 1, 0) < 0 ? YSCAN_BAIL
				: sc->pend ? 0 : S_bail(sc);
		} else if (col > f->indent) {
			return S_bail(sc);
		}
		sc->nframes--;
		if (S_push_coll(sc, f->kind == F_MAP ? YAML_MAPPING_END_EVENT
				: YAML_SEQUENCE_END_EVENT, 0, m, m) < 0)
			return YSCAN_BAIL;
	}
	/* a second node at the root */
	return S_bail(sc);
}

/* At the start of a document (or where one may start). */
static int S_doc(struct yscan *sc)
{
	yaml_event_t *ev;
	int marker;

	for (;;) {
		sc->nl = 0;
		S_skip(sc);
		if (sc->pos >= sc->n) {
			yaml_mark_t m = S_end_mark(sc);
			if (!S_push(sc, YAML_STREAM_END_EVENT, m, m))
				return S_bail(sc);
			sc->state = ST_DONE;
			return 0;
		}
		marker = S_doc_marker(sc);
		if (marker != 2)
			break;
		/* extra "..." after a document */
		if (sc->first_doc)
			return S_bail(sc);
		sc->pos += 3;
		if (S_rest_of_line(sc) < 0)
			return YSCAN_BAIL;
	}
	if (marker == 1) {
		yaml_mark_t m = S_mark(sc, sc->pos);
		if (!(ev = S_push(sc, YAML_DOCUMENT_START_EVENT, m, S_mark(sc, sc->pos + 3))))
			return S_bail(sc);
		sc->pos += 3;
		if (S_rest_of_line(sc) < 0)
			return YSCAN_BAIL;
	} else {
		yaml_mark_t m = S_mark(sc, sc->pos);
		if (!sc->first_doc || sc->s[sc->pos] == '%')
			return S_bail(sc);
		if (!(ev = S_push(sc, YAML_DOCUMENT_START_EVENT, m, m)))
			return S_bail(sc);
		ev->data.document_start.implicit = 1;
	}
	sc->first_doc = 0;
	sc->nl = 1;
	sc->pend = 1;
	sc->pend_kind = P_DOC;
	sc->state = ST_BODY;
	return 0;
}

/* ---- the interface ---- */

/* Whether the eight bytes at p are all printable ASCII (0x20-0x7E) or
 * '\n'. Each test below is exact per byte: with every high bit clear no
 * subtraction borrows across a byte. */
static int S_word_plain(const unsigned char *p)
{
	const uint64_t hi = 0x8080808080808080u, one = 0x0101010101010101u;
	uint64_t x, lt, nl, del;

	memcpy(&x, p, 8);
	if (x & hi)
		return 0;
	lt = ~((x | hi) - 0x20 * one) & hi;          /* bytes below 0x20 */
	nl = ~(((x ^ 0x0A * one) | hi) - one) & hi;  /* bytes equal to '\n' */
	del = ~(((x ^ 0x7F * one) | hi) - one) & hi; /* bytes equal to 0x7F */
	return ((lt & ~nl) | del) == 0;
}

int yscan_init(struct yscan *sc, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, l;
	int ascii = 1;

	memset(sc, 0, sizeof(*sc));
	sc->scratch = (struct buf)BUF_INIT;
	sc->s = s;
	sc->n = n;
	sc->first_doc = 1;
	for (i = 0; i < n; i++) {
		unsigned c;

		/* eight bytes at a time while all are printable ASCII or '\n' */
		while (n - i >= 8 && S_word_plain(u + i))
			i += 8;
		if (i >= n)
			break;
		c = u[i];
		if (c - 0x20u < 0x5Fu || c == '\n')
			continue; /* printable ASCII, line feed */
		if (c < 0x80)
			return S_bail(sc);
		if (!S_utf8_ok(u, n, i, &l))
			return S_bail(sc);
		ascii = 0;
		i += l - 1;
	}
	sc->ascii = ascii;
	sc->lc_pos = (size_t)-1;
	return 0;
}

int yscan_next(struct yscan *sc, yaml_event_t *out)
{
	struct yscan_qev *e;

	if (sc->bailed)
		return YSCAN_BAIL;
	if (!sc->qlen) {
		sc->qhead = 0;
		buf_reset(&sc->scratch);
		while (!sc->qlen) {
			int rc = 0;
			yaml_mark_t z = { 0, 0, 0 };
			yaml_event_t *ev;

			switch (sc->state) {
			case ST_STREAM:
				if (!(ev = S_push(sc, YAML_STREAM_START_EVENT, z, z)))
					return S_bail(sc);
				ev->data.stream_start.encoding = YAML_UTF8_ENCODING;
				sc->state = ST_DOC;
				break;
			case ST_DOC:
				rc = S_doc(sc);
				break;
			case ST_BODY:
				rc = S_body(sc);
				break;
			default:
				return S_bail(sc);
			}
			if (rc < 0 || sc->bailed)
				return S_bail(sc);
		}
	}
	e = &sc->q[sc->qhead++];
	sc->qlen--;
	*out = e->ev;
	if (out->type == YAML_SCALAR_EVENT)
		out->data.scalar.value = (yaml_char_t *)sc->scratch.ptr + e->voff;
	return 0;
}

void yscan_release(struct yscan *sc)
{
	if (!sc)
		return;
	free(sc->frames);
	free(sc->q);
	buf_release(&sc->scratch);
	sc->frames = NULL;
	sc->q = NULL;
	sc->nframes = sc->aframes = sc->qlen = sc->qalloc = sc->qhead = 0;
}
