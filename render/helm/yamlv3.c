/*
 * A yaml.v3 encoder for toYamlPretty (see yamlv3.h): go.yaml.in/yaml/v3 v3.0.3's
 * encode.go (stringv, floatv, sorter.go's key order, resolve.go) and the
 * parts of emitterc.go that block documents of maps, lists and scalars
 * reach, with best_indent 2 and unlimited width.
 */
#include "render/helm/yamlv3.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/gofloat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define V3_INDENT 2
#define V3_MAX_DEPTH 10000

enum v3_state { ST_NONE, ST_SEQ_ITEM, ST_MAP_KEY, ST_MAP_SIMPLE_VALUE };
enum v3_style { SC_PLAIN, SC_SINGLE, SC_DOUBLE, SC_LITERAL };

struct v3 {
	struct buf *out;
	int column;
	int indent;
	int *indents;
	size_t nindents, cap;
	int whitespace, indention;
	int flow_level;
	int depth;
	int oom;
};

static void S_put(struct v3 *e, char c)
{
	buf_addch(e->out, c);
	e->column++;
}

/* Writes one UTF-8 character at s (n bytes left); returns its width. */
static size_t S_width(unsigned char c)
{
	return c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
}

static size_t S_write_char(struct v3 *e, const char *s, size_t n)
{
	size_t w = S_width((unsigned char)s[0]);

	if (w > n)
		w = n;
	buf_add(e->out, s, w);
	e->column++;
	return w;
}

static void S_put_break(struct v3 *e)
{
	buf_addch(e->out, '\n');
	e->column = 0;
	e->indention = 1;
}

static void S_write_indent(struct v3 *e)
{
	int indent = e->indent < 0 ? 0 : e->indent;

	if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace))
		S_put_break(e);
	while (e->column < indent)
		S_put(e, ' ');
	e->whitespace = 1;
}

static void S_indicator(struct v3 *e, const char *ind, int need_ws, int is_ws, int is_indention)
{
	if (need_ws && !e->whitespace)
		S_put(e, ' ');
	for (; *ind; ind++)
		S_put(e, *ind);
	e->whitespace = is_ws;
	e->indention = e->indention && is_indention;
}

static void S_increase_indent(struct v3 *e, int flow, int indentless, enum v3_state top)
{
	if (e->nindents == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 32;
		int *n = realloc(e->indents, cap * sizeof(*n));
		if (!n) {
			e->oom = 1;
			return;
		}
		e->indents = n;
		e->cap = cap;
	}
	e->indents[e->nindents++] = e->indent;
	if (e->indent < 0)
		e->indent = flow ? V3_INDENT : 0;
	else if (!indentless) {
		if (top == ST_SEQ_ITEM)
			e->indent += 2;
		else
			e->indent = V3_INDENT * ((e->indent + V3_INDENT) / V3_INDENT);
	}
}

static void S_pop_indent(struct v3 *e)
{
	if (e->nindents)
		e->indent = e->indents[--e->nindents];
}

/* ---- character classes (yamlprivateh.go) */

static int S_is_break(const unsigned char *s, size_t n)
{
	return s[0] == '\r' || s[0] == '\n' ||
	       (n >= 2 && s[0] == 0xC2 && s[1] == 0x85) ||
	       (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9));
}

static int S_is_printable(const unsigned char *s, size_t n)
{
	unsigned char b1 = n > 1 ? s[1] : 0, b2 = n > 2 ? s[2] : 0;

	return s[0] == 0x0A || (s[0] >= 0x20 && s[0] <= 0x7E) ||
	       (s[0] == 0xC2 && b1 >= 0xA0) || (s[0] > 0xC2 && s[0] < 0xED) ||
	       (s[0] == 0xED && b1 < 0xA0) || s[0] == 0xEE ||
	       (s[0] == 0xEF && !(b1 == 0xBB && b2 == 0xBF) && !(b1 == 0xBF && (b2 == 0xBE || b2 == 0xBF)));
}

static int S_is_blankz(const unsigned char *s, size_t n)
{
	return n == 0 || s[0] == ' ' || s[0] == '\t' || s[0] == 0 || S_is_break(s, n);
}

/* ---- resolve (resolve.go): would the plain text read back as a string? */

static int S_all(const char *s, const char *set)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr(set, *s))
			return 0;
	return 1;
}

/* strconv.ParseInt(s, 0, 64) / ParseUint syntax (range ignored) */
static int S_go_int(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return S_all(s + 2, "0123456789abcdefABCDEF");
	if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		return S_all(s + 2, "01234567");
	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		return S_all(s + 2, "01");
	if (s[0] == '0' && s[1])
		return S_all(s + 1, "01234567");
	return S_all(s, "0123456789");
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ and a finite value */
static int S_yaml_float(const char *s)
{
	const char *p = s;
	int digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
		if (!digits)
			return 0;
	} else {
		while (*p >= '0' && *p <= '9')
			p++, digits++;
		if (!digits)
			return 0;
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (*p == 'e' || *p == 'E') {
		int ed = 0;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		while (*p >= '0' && *p <= '9')
			p++, ed++;
		if (!ed)
			return 0;
	}
	return *p == '\0' && isfinite(strtod(s, NULL));
}

/* digits (1 or 2) at *p into *v; advances. */
static int S_num12(const char **p, int *v)
{
	if (!(**p >= '0' && **p <= '9'))
		return 0;
	*v = **p - '0';
	(*p)++;
	if (**p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
	}
	return 1;
}

/* parseTimestamp's four layouts, as time.Parse accepts them. */
static int S_timestamp(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s + 5;
	int y, m, d, h, mi, sec;
	char sep;

	if (strlen(s) < 5 || !S_all((char[]){ s[0], s[1], s[2], s[3], 0 }, "0123456789") || s[4] != '-')
		return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	if (!S_num12(&p, &m) || *p++ != '-' || !S_num12(&p, &d) || m < 1 || m > 12 || d < 1)
		return 0;
	if (d > mdays[m - 1] || (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
		return 0;
	if (!*p)
		return 1;
	sep = *p++;
	if (sep != 'T' && sep != 't' && sep != ' ')
		return 0;
	if (!S_num12(&p, &h) || *p++ != ':' || !S_num12(&p, &mi) || *p++ != ':' ||
	    !S_num12(&p, &sec) || h > 23 || mi > 59 || sec > 59)
		return 0;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (sep == ' ')
		return *p == '\0';
	if (*p == 'Z')
		return p[1] == '\0';
	if ((*p == '+' || *p == '-') && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
	    p[3] == ':' && p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9' && p[6] == '\0')
		return 1;
	return 0;
}

/* isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static int S_base60(const char *s)
{
	const char *p = s;
	int groups = 0;

	if (*p == '+' || *p == '-')
		p++;
	if (!(*p >= '0' && *p <= '9'))
		return 0;
	while ((*p >= '0' && *p <= '9') || *p == '_')
		p++;
	while (*p == ':') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		if (*p <= '5' && p[1] >= '0' && p[1] <= '9')
			p += 2;
		else
			p++;
		groups++;
	}
	if (!groups)
		return 0;
	if (*p == '.') {
		p++;
		while ((*p >= '0' && *p <= '9') || *p == '_')
			p++;
	}
	return *p == '\0';
}

static int S_plain_is_string(const char *s, size_t len)
{
	static const char *const special[] = { "true", "True", "TRUE", "false", "False", "FALSE",
		"", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
		"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<" };
	static const char *const oldbool[] = { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "off", "Off", "OFF" };
	char *plain;
	size_t i, k;
	int str = 1;

	if (strlen(s) != len)
		return 1;   /* holds NUL: never plain anyway */
	/* resolve's table: only these first characters can be anything else */
	if (len == 0 || strchr("+-0123456789.yYnNtTfFoO~", s[0]))
		for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
			if (strcmp(s, special[i]) == 0)
				return 0;
	for (i = 0; i < sizeof(oldbool) / sizeof(oldbool[0]); i++)
		if (strcmp(s, oldbool[i]) == 0)
			return 0;
	if (S_base60(s))
		return 0;
	if (s[0] == '.')
		return !(isfinite(strtod(s, NULL)) && S_yaml_float(s));
	if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-'))
		return 1;
	if (S_timestamp(s))
		return 0;
	plain = malloc(len + 1);
	if (!plain)
		return 1;
	for (i = 0, k = 0; i < len; i++)
		if (s[i] != '_')
			plain[k++] = s[i];
	plain[k] = '\0';
	if (S_go_int(plain) || S_yaml_float(plain))
		str = 0;
	free(plain);
	return str;
}

/* ---- scalar analysis and writers (emitterc.go) */

struct v3_analysis {
	int multiline, block_plain_allowed, single_quoted_allowed, block_allowed;
};

static void S_analyze(struct v3_analysis *a, const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;
	int block_ind = 0, line_breaks = 0, special = 0, tabs = 0, lead_space = 0, lead_break = 0;
	int trail_space = 0, trail_break = 0, break_space = 0, space_break = 0;
	int preceded_ws = 1, followed_ws, prev_space = 0, prev_break = 0;
	size_t i, w;

	if (len == 0) {
		a->multiline = 0;
		a->block_plain_allowed = 1;
		a->single_quoted_allowed = 1;
		a->block_allowed = 0;
		return;
	}
	if (len >= 3 && (memcmp(v, "---", 3) == 0 || memcmp(v, "...", 3) == 0))
		block_ind = 1;
	for (i = 0; i < len; i += w) {
		w = S_width(s[i]);
		if (i + w > len)
			w = len - i;
		followed_ws = i + w >= len || s[i + w] == ' ' || s[i + w] == '\t';
		if (i == 0) {
			switch (s[i]) {
			case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*':
			case '!': case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
				block_ind = 1;
				break;
			case '?': case ':':
				if (followed_ws)
					block_ind = 1;
				break;
			case '-':
				if (followed_ws)
					block_ind = 1;
				break;
			}
		} else {
			if (s[i] == ':' && followed_ws)
				block_ind = 1;
			if (s[i] == '#' && preceded_ws)
				block_ind = 1;
		}
		if (s[i] == '\t')
			tabs = 1;
		else if (!S_is_printable(s + i, len - i))
			special = 1;
		if (s[i] == ' ') {
			if (i == 0)
				lead_space = 1;
			if (i + w == len)
				trail_space = 1;
			if (prev_break)
				break_space = 1;
			prev_space = 1;
			prev_break = 0;
		} else if (S_is_break(s + i, len - i)) {
			line_breaks = 1;
			if (i == 0)
				lead_break = 1;
			if (i + w == len)
				trail_break = 1;
			if (prev_space)
				space_break = 1;
			prev_space = 0;
			prev_break = 1;
		} else {
			prev_space = 0;
			prev_break = 0;
		}
		preceded_ws = S_is_blankz(s + i, len - i);
	}
	a->multiline = line_breaks;
	a->block_plain_allowed = a->single_quoted_allowed = a->block_allowed = 1;
	if (lead_space || lead_break || trail_space || trail_break)
		a->block_plain_allowed = 0;
	if (trail_space)
		a->block_allowed = 0;
	if (break_space)
		a->block_plain_allowed = a->single_quoted_allowed = 0;
	if (space_break || tabs || special)
		a->block_plain_allowed = a->single_quoted_allowed = 0;
	if (space_break || special)
		a->block_allowed = 0;
	if (line_breaks)
		a->block_plain_allowed = 0;
	if (block_ind)
		a->block_plain_allowed = 0;
}

static void S_write_plain(struct v3 *e, const char *v, size_t len)
{
	size_t i = 0;
	int breaks = 0;

	if (len && !e->whitespace)
		S_put(e, ' ');
	while (i < len) {
		if (S_is_break((const unsigned char *)v + i, len - i)) {
			if (!breaks && v[i] == '\n')
				S_put_break(e);
			if (v[i] == '\n') {
				S_put_break(e);
				i++;
			} else {
				i += S_write_char(e, v + i, len - i);
				e->column = 0;
				e->indention = 1;
			}
			breaks = 1;
		} else {
			if (breaks)
				S_write_indent(e);
			i += S_write_char(e, v + i, len - i);
			e->indention = 0;
			breaks = 0;
		}
	}
	if (len)
		e->whitespace = 0;
	e->indention = 0;
}

static void S_write_single(struct v3 *e, const char *v, size_t len)
{
	size_t i = 0;
	int breaks = 0;

	S_indicator(e, "'", 1, 0, 0);
	while (i < len) {
		if (S_is_break((const unsigned char *)v + i, len - i)) {
			if (!breaks && v[i] == '\n')
				S_put_break(e);
			if (v[i] == '\n') {
				S_put_break(e);
				i++;
			} else {
				i += S_write_char(e, v + i, len - i);
				e->column = 0;
				e->indention = 1;
			}
			breaks = 1;
		} else {
			if (breaks)
				S_write_indent(e);
			if (v[i] == '\'')
				S_put(e, '\'');
			i += S_write_char(e, v + i, len - i);
			e->indention = 0;
			breaks = 0;
		}
	}
	S_indicator(e, "'", 0, 0, 0);
	e->whitespace = 0;
	e->indention = 0;
}

static void S_write_double(struct v3 *e, const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0;

	S_indicator(e, "\"", 1, 0, 0);
	while (i < len) {
		int bom = len - i >= 3 && s[i] == 0xEF && s[i + 1] == 0xBB && s[i + 2] == 0xBF;
		if (!S_is_printable(s + i, len - i) || bom || S_is_break(s + i, len - i) ||
		    s[i] == '"' || s[i] == '\\') {
			size_t w = S_width(s[i]), k;
			unsigned long c;
			if (w > len - i)
				w = len - i;
			c = w == 1 ? s[i] : (unsigned long)(s[i] & (0xFF >> (w + 1)));
			for (k = 1; k < w; k++)
				c = (c << 6) | (s[i + k] & 0x3F);
			i += w;
			S_put(e, '\\');
			switch (c) {
			case 0x00: S_put(e, '0'); break;
			case 0x07: S_put(e, 'a'); break;
			case 0x08: S_put(e, 'b'); break;
			case 0x09: S_put(e, 't'); break;
			case 0x0A: S_put(e, 'n'); break;
			case 0x0B: S_put(e, 'v'); break;
			case 0x0C: S_put(e, 'f'); break;
			case 0x0D: S_put(e, 'r'); break;
			case 0x1B: S_put(e, 'e'); break;
			case 0x22: S_put(e, '"'); break;
			case 0x5C: S_put(e, '\\'); break;
			case 0x85: S_put(e, 'N'); break;
			case 0xA0: S_put(e, '_'); break;
			case 0x2028: S_put(e, 'L'); break;
			case 0x2029: S_put(e, 'P'); break;
			default: {
				int digits = c <= 0xFF ? 2 : c <= 0xFFFF ? 4 : 8;
				S_put(e, c <= 0xFF ? 'x' : c <= 0xFFFF ? 'u' : 'U');
				for (int sh = (digits - 1) * 4; sh >= 0; sh -= 4)
					S_put(e, "0123456789ABCDEF"[(c >> sh) & 0xF]);
			}
			}
		} else {
			i += S_write_char(e, v + i, len - i);
		}
	}
	S_indicator(e, "\"", 0, 0, 0);
	e->whitespace = 0;
	e->indention = 0;
}

static void S_write_literal(struct v3 *e, const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0;
	int breaks = 1;

	S_indicator(e, "|", 1, 0, 0);
	if (len && (s[0] == ' ' || S_is_break(s, len))) {
		char hint[2] = { (char)('0' + V3_INDENT), 0 };
		S_indicator(e, hint, 0, 0, 0);
	}
	if (len == 0) {
		S_indicator(e, "-", 0, 0, 0);
	} else {
		size_t last = len - 1;
		while (last > 0 && (s[last] & 0xC0) == 0x80)
			last--;
		if (!S_is_break(s + last, len - last)) {
			S_indicator(e, "-", 0, 0, 0);
		} else if (last == 0) {
			S_indicator(e, "+", 0, 0, 0);
		} else {
			size_t prev = last - 1;
			while (prev > 0 && (s[prev] & 0xC0) == 0x80)
				prev--;
			if (S_is_break(s + prev, len - prev))
				S_indicator(e, "+", 0, 0, 0);
		}
	}
	/* v3.0.3: the header line always ends here (process_line_comment_linebreak) */
	S_put_break(e);
	e->whitespace = 1;
	while (i < len) {
		if (S_is_break(s + i, len - i)) {
			if (s[i] == '\n') {
				S_put_break(e);
				i++;
			} else {
				i += S_write_char(e, v + i, len - i);
				e->column = 0;
				e->indention = 1;
			}
			breaks = 1;
		} else {
			if (breaks)
				S_write_indent(e);
			i += S_write_char(e, v + i, len - i);
			e->indention = 0;
			breaks = 0;
		}
	}
}

/* emitScalar + emit_scalar: style selection, then the writer. */
static void S_scalar(struct v3 *e, const char *v, size_t len, enum v3_style style, int simple_key,
		     enum v3_state top)
{
	struct v3_analysis a;

	S_analyze(&a, v, len);
	if (simple_key && a.multiline)
		style = SC_DOUBLE;
	if (style == SC_PLAIN) {
		if ((e->flow_level > 0) || !a.block_plain_allowed)
			style = SC_SINGLE;
		if (len == 0 && (e->flow_level > 0 || simple_key))
			style = SC_SINGLE;
	}
	if (style == SC_SINGLE && !a.single_quoted_allowed)
		style = SC_DOUBLE;
	if (style == SC_LITERAL && (!a.block_allowed || e->flow_level > 0 || simple_key))
		style = SC_DOUBLE;
	S_increase_indent(e, 1, 0, top);
	switch (style) {
	case SC_PLAIN: S_write_plain(e, v, len); break;
	case SC_SINGLE: S_write_single(e, v, len); break;
	case SC_DOUBLE: S_write_double(e, v, len); break;
	case SC_LITERAL: S_write_literal(e, v, len); break;
	}
	S_pop_indent(e);
}

static void S_string(struct v3 *e, const char *s, size_t len, int simple_key, enum v3_state top)
{
	enum v3_style style;

	if (memchr(s, '\n', len))
		style = e->flow_level ? SC_DOUBLE : SC_LITERAL;
	else if (S_plain_is_string(s, len))
		style = SC_PLAIN;
	else
		style = SC_DOUBLE;
	S_scalar(e, s, len, style, simple_key, top);
}

/* ---- sorter.go: keyList.Less for string keys */

static int S_rune(const char *s, size_t *i, size_t n)
{
	unsigned char c = (unsigned char)s[*i];
	size_t w = S_width(c), k;
	int r;

	if (*i + w > n)
		w = n - *i;
	r = w == 1 ? c : (c & (0xFF >> (w + 1)));
	for (k = 1; k < w; k++)
		r = (r << 6) | (s[*i + k] & 0x3F);
	*i += w;
	return r;
}

static int S_is_digit(int r)
{
	return r >= '0' && r <= '9';
}

static int S_is_letter(int r)
{
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r >= 0xC0;
}

static int S_key_less(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), ia = 0, ib = 0, ra_n = 0, rb_n = 0, i;
	int *ar = malloc((na + 1) * sizeof(int)), *br = malloc((nb + 1) * sizeof(int));
	int digits = 0, res = -1;

	if (!ar || !br) {
		free(ar);
		free(br);
		return strcmp(a, b) < 0;
	}
	while (ia < na)
		ar[ra_n++] = S_rune(a, &ia, na);
	while (ib < nb)
		br[rb_n++] = S_rune(b, &ib, nb);
	for (i = 0; i < ra_n && i < rb_n; i++) {
		int al, bl;
		size_t ai, bi;
		long long an = 0, bn = 0;
		if (ar[i] == br[i]) {
			digits = S_is_digit(ar[i]);
			continue;
		}
		al = S_is_letter(ar[i]);
		bl = S_is_letter(br[i]);
		if (al && bl) {
			res = ar[i] < br[i];
			break;
		}
		if (al || bl) {
			res = digits ? al : bl;
			break;
		}
		if (ar[i] == '0' || br[i] == '0') {
			for (size_t j = i; j-- > 0 && S_is_digit(ar[j]);) {
				if (ar[j] != '0') {
					an = 1;
					bn = 1;
					break;
				}
			}
		}
		for (ai = i; ai < ra_n && S_is_digit(ar[ai]); ai++)
			an = an * 10 + (ar[ai] - '0');
		for (bi = i; bi < rb_n && S_is_digit(br[bi]); bi++)
			bn = bn * 10 + (br[bi] - '0');
		if (an != bn)
			res = an < bn;
		else if (ai != bi)
			res = ai < bi;
		else
			res = ar[i] < br[i];
		break;
	}
	if (res < 0)
		res = ra_n < rb_n;
	free(ar);
	free(br);
	return res;
}

static int S_has_break(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (S_is_break((const unsigned char *)s + i, len - i))
			return 1;
	return 0;
}

static int S_cmp_keys(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;

	if (S_key_less(a, b))
		return -1;
	if (S_key_less(b, a))
		return 1;
	return 0;
}

/* ---- nodes */

static void S_node(struct v3 *e, const json_t *v, enum v3_state top);

static void S_empty_flow(struct v3 *e, const char *open, const char *close, enum v3_state top)
{
	S_indicator(e, open, 1, 1, 0);
	S_increase_indent(e, 1, 0, top);
	e->flow_level++;
	e->flow_level--;
	S_pop_indent(e);
	S_indicator(e, close, 0, 0, 0);
}

static void S_mapping(struct v3 *e, const json_t *obj, enum v3_state top)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys, *k;
	json_t *val;

	if (n == 0) {
		S_empty_flow(e, "{", "}", top);
		return;
	}
	if (!(keys = calloc(n, sizeof(*keys)))) {
		e->oom = 1;
		return;
	}
	json_object_foreach((json_t *)obj, k, val)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), S_cmp_keys);
	S_increase_indent(e, 0, 0, top);
	for (i = 0; i < n && !e->oom; i++) {
		size_t klen = strlen(keys[i]);
		S_write_indent(e);
		if (klen <= 128 && !memchr(keys[i], '\n', klen) && !S_has_break(keys[i], klen)) {
			S_string(e, keys[i], klen, 1, ST_MAP_SIMPLE_VALUE);
			S_indicator(e, ":", 0, 0, 0);
		} else {
			/* check_simple_key fails: "? KEY" then ": VALUE" */
			S_indicator(e, "?", 1, 0, 1);
			S_string(e, keys[i], klen, 0, ST_MAP_KEY);
			S_write_indent(e);
			S_indicator(e, ":", 1, 0, 1);
		}
		S_node(e, json_object_get(obj, keys[i]), ST_MAP_KEY);
	}
	S_pop_indent(e);
	free(keys);
}

static void S_sequence(struct v3 *e, const json_t *arr, enum v3_state top)
{
	size_t i;

	if (json_array_size(arr) == 0) {
		S_empty_flow(e, "[", "]", top);
		return;
	}
	S_increase_indent(e, 0, 0, top);
	for (i = 0; i < json_array_size(arr) && !e->oom; i++) {
		S_write_indent(e);
		S_indicator(e, "-", 1, 0, 1);
		S_node(e, json_array_get(arr, i), ST_SEQ_ITEM);
	}
	S_pop_indent(e);
}

static void S_node(struct v3 *e, const json_t *v, enum v3_state top)
{
	struct buf num = BUF_INIT;

	if (e->oom)
		return;
	if (++e->depth > V3_MAX_DEPTH) {
		e->oom = 2;
		e->depth--;
		return;
	}
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT:
		S_mapping(e, v, top);
		break;
	case JSON_ARRAY:
		S_sequence(e, v, top);
		break;
	case JSON_STRING:
		S_string(e, json_string_value(v), json_string_length(v), 0, top);
		break;
	case JSON_INTEGER:
		buf_addf(&num, "%lld", (long long)json_integer_value(v));
		S_scalar(e, num.ptr, num.len, SC_PLAIN, 0, top);
		break;
	case JSON_REAL: {
		double f = json_real_value(v);
		if (isinf(f))
			buf_adds(&num, f > 0 ? ".inf" : "-.inf");
		else if (isnan(f))
			buf_adds(&num, ".nan");
		else
			gofloat_format(&num, f, 'g', -1, 64);
		S_scalar(e, num.ptr, num.len, SC_PLAIN, 0, top);
		break;
	}
	case JSON_TRUE:
		S_scalar(e, "true", 4, SC_PLAIN, 0, top);
		break;
	case JSON_FALSE:
		S_scalar(e, "false", 5, SC_PLAIN, 0, top);
		break;
	default:
		S_scalar(e, "null", 4, SC_PLAIN, 0, top);
	}
	if (buf_oom(&num))
		e->oom = 1;
	buf_release(&num);
	e->depth--;
}

int helm_yaml_v3_encode(struct buf *out, const json_t *v)
{
	struct v3 e;

	memset(&e, 0, sizeof(e));
	e.out = out;
	e.indent = -1;
	e.whitespace = 1;
	e.indention = 1;
	S_node(&e, v, ST_NONE);
	/* the document end: a newline after the last line */
	if (e.column > 0 || !e.indention)
		S_put_break(&e);
	free(e.indents);
	if (e.oom == 2)
		return DIAG_ELIMIT;
	if (e.oom || buf_oom(out))
		return DIAG_ENOMEM;
	return 0;
}
