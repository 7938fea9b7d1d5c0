/*
 * A TOML 1.0 reader into json_t for fromToml. See toml.h.
 */
#include "render/helm/toml.h"
#include "render/buf.h"
#include "render/diag.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOML_MAX_DEPTH 500

struct tp {
	const char *s;
	size_t pos, len;
	int line;
	int depth;
	struct buf key;      /* the last key read, for messages */
	struct buf *err;
	int failed, oom;
};

static int S_fail(struct tp *p, const char *msg)
{
	if (!p->failed) {
		p->failed = 1;
		if (p->key.len)
			buf_addf(p->err, "toml: line %d (last key \"%s\"): %s", p->line, p->key.ptr, msg);
		else
			buf_addf(p->err, "toml: line %d: %s", p->line, msg);
	}
	return -1;
}

static int S_peek(const struct tp *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

static int S_starts(const struct tp *p, const char *lit)
{
	size_t n = strlen(lit);

	return p->pos + n <= p->len && memcmp(p->s + p->pos, lit, n) == 0;
}

static void S_ws(struct tp *p)
{
	while (S_peek(p, 0) == ' ' || S_peek(p, 0) == '\t')
		p->pos++;
}

static void S_comment(struct tp *p)
{
	if (S_peek(p, 0) == '#')
		while (p->pos < p->len && p->s[p->pos] != '\n')
			p->pos++;
}

/* Skips blanks, comments and newlines. */
static void S_ws_nl(struct tp *p)
{
	for (;;) {
		S_ws(p);
		S_comment(p);
		if (S_peek(p, 0) == '\n') {
			p->pos++;
			p->line++;
		} else if (S_peek(p, 0) == '\r' && S_peek(p, 1) == '\n') {
			p->pos += 2;
			p->line++;
		} else {
			return;
		}
	}
}

/* After a value or header: blanks, a comment, then a newline or the end. */
static int S_eol(struct tp *p)
{
	S_ws(p);
	S_comment(p);
	if (p->pos >= p->len)
		return 0;
	if (S_peek(p, 0) == '\n' || (S_peek(p, 0) == '\r' && S_peek(p, 1) == '\n'))
		return 0;
	return S_fail(p, "expected a top-level item to end with a newline, comment, or EOF");
}

static void S_utf8(struct buf *b, unsigned long c)
{
	if (c < 0x80) {
		buf_addch(b, (char)c);
	} else if (c < 0x800) {
		buf_addch(b, (char)(0xC0 | (c >> 6)));
		buf_addch(b, (char)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		buf_addch(b, (char)(0xE0 | (c >> 12)));
		buf_addch(b, (char)(0x80 | ((c >> 6) & 0x3F)));
		buf_addch(b, (char)(0x80 | (c & 0x3F)));
	} else {
		buf_addch(b, (char)(0xF0 | (c >> 18)));
		buf_addch(b, (char)(0x80 | ((c >> 12) & 0x3F)));
		buf_addch(b, (char)(0x80 | ((c >> 6) & 0x3F)));
		buf_addch(b, (char)(0x80 | (c & 0x3F)));
	}
}

/* A basic string body after its opening quote(s); multi: """ form. */
static int S_basic(struct tp *p, struct buf *out, int multi)
{
	for (;;) {
		int c = S_peek(p, 0);
		if (c < 0)
			return S_fail(p, "unexpected EOF; expected '\"'");
		if (multi && S_starts(p, "\"\"\"")) {
			/* up to two quotes may end the content */
			size_t extra = 0;
			while (extra < 2 && S_peek(p, 3 + extra) == '"')
				extra++;
			buf_addchn(out, '"', extra);
			p->pos += 3 + extra;
			return 0;
		}
		if (!multi && c == '"') {
			p->pos++;
			return 0;
		}
		if (c == '\n') {
			if (!multi)
				return S_fail(p, "strings cannot contain newlines");
			p->line++;
		}
		if (c == '\\') {
			int e = S_peek(p, 1);
			p->pos += 2;
			switch (e) {
			case 'b': buf_addch(out, '\b'); break;
			case 't': buf_addch(out, '\t'); break;
			case 'n': buf_addch(out, '\n'); break;
			case 'f': buf_addch(out, '\f'); break;
			case 'r': buf_addch(out, '\r'); break;
			case 'e': buf_addch(out, 0x1b); break;
			case '"': buf_addch(out, '"'); break;
			case '\\': buf_addch(out, '\\'); break;
			case 'u': case 'U': {
				size_t n = e == 'u' ? 4 : 8, i;
				unsigned long cp = 0;
				for (i = 0; i < n; i++) {
					int h = S_peek(p, 0);
					int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ?
						h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
					if (v < 0)
						return S_fail(p, "invalid escape in string");
					cp = cp * 16 + (unsigned long)v;
					p->pos++;
				}
				if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
					return S_fail(p, "invalid unicode escape in string");
				S_utf8(out, cp);
				break;
			}
			default:
				if (multi && (e == ' ' || e == '\t' || e == '\n' || e == '\r')) {
					/* line-ending backslash: trim through the next non-blank */
					p->pos--;
					while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
								   p->s[p->pos] == '\n' || p->s[p->pos] == '\r')) {
						if (p->s[p->pos] == '\n')
							p->line++;
						p->pos++;
					}
					break;
				}
				return S_fail(p, "invalid escape in string");
			}
			continue;
		}
		buf_addch(out, (char)c);
		p->pos++;
	}
}

static int S_literal(struct tp *p, struct buf *out, int multi)
{
	for (;;) {
		int c = S_peek(p, 0);
		if (c < 0)
			return S_fail(p, "unexpected EOF; expected \"'\"");
		if (multi && S_starts(p, "'''")) {
			size_t extra = 0;
			while (extra < 2 && S_peek(p, 3 + extra) == '\'')
				extra++;
			buf_addchn(out, '\'', extra);
			p->pos += 3 + extra;
			return 0;
		}
		if (!multi && c == '\'') {
			p->pos++;
			return 0;
		}
		if (c == '\n') {
			if (!multi)
				return S_fail(p, "strings cannot contain newlines");
			p->line++;
		}
		buf_addch(out, (char)c);
		p->pos++;
	}
}

/* A string value or key at pos (quote included). */
static int S_string(struct tp *p, struct buf *out)
{
	if (S_starts(p, "\"\"\"") || S_starts(p, "'''")) {
		int basic = p->s[p->pos] == '"';
		p->pos += 3;
		/* a newline right after the opening delimiter is trimmed */
		if (S_peek(p, 0) == '\n') {
			p->pos++;
			p->line++;
		} else if (S_peek(p, 0) == '\r' && S_peek(p, 1) == '\n') {
			p->pos += 2;
			p->line++;
		}
		return basic ? S_basic(p, out, 1) : S_literal(p, out, 1);
	}
	if (S_peek(p, 0) == '"') {
		p->pos++;
		return S_basic(p, out, 0);
	}
	p->pos++;
	return S_literal(p, out, 0);
}

static int S_bare_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* One key part into out. */
static int S_key_part(struct tp *p, struct buf *out)
{
	int c = S_peek(p, 0);

	buf_reset(out);
	if (c == '"' || c == '\'') {
		if (S_starts(p, "\"\"\"") || S_starts(p, "'''"))
			return S_fail(p, "multi-line strings are not allowed as keys");
		return S_string(p, out);
	}
	if (!S_bare_char(c))
		return S_fail(p, c < 0 ? "unexpected EOF; expected key" : "expected key");
	while (S_bare_char(S_peek(p, 0)))
		buf_addch(out, p->s[p->pos++]);
	return 0;
}

/* A dotted key: its parts as a json array of strings (new). */
static json_t *S_key(struct tp *p)
{
	json_t *parts = json_array();
	struct buf part = BUF_INIT;

	if (!parts) {
		p->oom = 1;
		return NULL;
	}
	for (;;) {
		S_ws(p);
		if (S_key_part(p, &part) < 0)
			goto fail;
		if (json_array_append_new(parts, json_stringn(part.ptr, part.len)) < 0) {
			p->oom = 1;
			goto fail;
		}
		buf_reset(&p->key);
		for (size_t i = 0; i < json_array_size(parts); i++) {
			if (i)
				buf_addch(&p->key, '.');
			buf_adds(&p->key, json_string_value(json_array_get(parts, i)));
		}
		S_ws(p);
		if (S_peek(p, 0) != '.')
			break;
		p->pos++;
	}
	buf_release(&part);
	return parts;
fail:
	buf_release(&part);
	json_decref(parts);
	return NULL;
}

static int S_digits_ok(const char *t, size_t n, int (*is_digit)(int))
{
	/* digits with single underscores between them */
	if (n == 0 || t[0] == '_' || t[n - 1] == '_')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '_') {
			if (t[i + 1] == '_')
				return 0;
		} else if (!is_digit((unsigned char)t[i])) {
			return 0;
		}
	}
	return 1;
}

static int S_dec(int c) { return c >= '0' && c <= '9'; }
static int S_hex(int c) { return S_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int S_oct(int c) { return c >= '0' && c <= '7'; }
static int S_bin(int c) { return c == '0' || c == '1'; }

static json_t *S_number(struct tp *p)
{
	size_t start = p->pos, n, i;
	char tok[128], clean[128];
	const char *t;
	size_t k = 0;
	int is_date = 0;

	while (p->pos < p->len) {
		int c = S_peek(p, 0);
		if (S_bare_char(c) || c == '+' || c == '.' || c == ':')
			p->pos++;
		else if (c == ' ' && p->pos - start == 10 && S_dec(S_peek(p, 1)) &&
			 memchr(p->s + start, '-', 10))
			p->pos++;   /* "1979-05-27 07:32:00" */
		else
			break;
	}
	n = p->pos - start;
	if (n == 0 || n >= sizeof(tok)) {
		S_fail(p, n ? "value too long" : "expected value but found invalid character");
		return NULL;
	}
	memcpy(tok, p->s + start, n);
	tok[n] = '\0';
	t = tok;
	if (strcmp(t, "inf") == 0 || strcmp(t, "+inf") == 0 || strcmp(t, "-inf") == 0 ||
	    strcmp(t, "nan") == 0 || strcmp(t, "+nan") == 0 || strcmp(t, "-nan") == 0) {
		S_fail(p, "infinity and NaN cannot be represented in Helm's values");
		return NULL;
	}
	if (n >= 5 && S_dec(tok[0]) && ((n >= 10 && tok[4] == '-') || tok[2] == ':'))
		is_date = 1;
	if (is_date)
		return json_string(tok);   /* NEEDSWORK: time.Time */
	if (*t == '+' || *t == '-')
		t++;
	if (t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b')) {
		int base = t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2;
		int (*ok)(int) = base == 16 ? S_hex : base == 8 ? S_oct : S_bin;
		if (t != tok || !S_digits_ok(t + 2, strlen(t + 2), ok)) {
			S_fail(p, "invalid integer");
			return NULL;
		}
		for (i = 2; t[i]; i++)
			if (t[i] != '_')
				clean[k++] = t[i];
		clean[k] = '\0';
		errno = 0;
		{
			unsigned long long u = strtoull(clean, NULL, base);
			if (errno || u > (unsigned long long)INT64_MAX) {
				S_fail(p, "integer out of range");
				return NULL;
			}
			return json_integer((json_int_t)u);
		}
	}
	for (i = 0; tok[i]; i++)
		if (tok[i] != '_')
			clean[k++] = tok[i];
	clean[k] = '\0';
	if (strpbrk(t, ".eE")) {
		char *end;
		double f;
		/* digits around '.', no leading zeros */
		const char *dot = strchr(t, '.');
		if ((t[0] == '0' && S_dec(t[1])) || (dot && (!S_dec(dot[1]) || dot == t)) ||
		    t[0] == '.' || t[0] == '_') {
			S_fail(p, "invalid float");
			return NULL;
		}
		errno = 0;
		f = strtod(clean, &end);
		if (*end || !isfinite(f)) {
			S_fail(p, "invalid float");
			return NULL;
		}
		return json_real(f);
	}
	if (t[0] == '0' && t[1]) {
		char m[200];
		snprintf(m, sizeof(m), "Invalid integer \"%s\": cannot have leading zeroes", tok);
		S_fail(p, m);
		return NULL;
	}
	if (!S_digits_ok(t, strlen(t), S_dec)) {
		S_fail(p, "invalid integer");
		return NULL;
	}
	{
		char *end;
		long long v;
		errno = 0;
		v = strtoll(clean, &end, 10);
		if (errno || *end) {
			S_fail(p, "integer out of range");
			return NULL;
		}
		return json_integer(v);
	}
}

static json_t *S_value(struct tp *p);

static int S_set_path(struct tp *p, json_t *table, json_t *parts, json_t *val);

static json_t *S_array(struct tp *p)
{
	json_t *a = json_array();

	if (!a) {
		p->oom = 1;
		return NULL;
	}
	p->pos++;   /* [ */
	for (;;) {
		json_t *v;
		S_ws_nl(p);
		if (S_peek(p, 0) == ']') {
			p->pos++;
			return a;
		}
		if (!(v = S_value(p)) || json_array_append_new(a, v) < 0)
			goto fail;
		S_ws_nl(p);
		if (S_peek(p, 0) == ',') {
			p->pos++;
			continue;
		}
		if (S_peek(p, 0) == ']') {
			p->pos++;
			return a;
		}
		S_fail(p, S_peek(p, 0) < 0 ? "unexpected EOF; expected ']'"
					   : "expected a comma (',') or array terminator (']')");
		goto fail;
	}
fail:
	json_decref(a);
	return NULL;
}

static json_t *S_inline_table(struct tp *p)
{
	json_t *t = json_object();

	if (!t) {
		p->oom = 1;
		return NULL;
	}
	p->pos++;   /* { */
	S_ws(p);
	if (S_peek(p, 0) == '}') {
		p->pos++;
		return t;
	}
	for (;;) {
		json_t *parts = S_key(p), *v;
		if (!parts)
			goto fail;
		S_ws(p);
		if (S_peek(p, 0) != '=') {
			json_decref(parts);
			S_fail(p, "expected key separator '='");
			goto fail;
		}
		p->pos++;
		S_ws(p);
		v = S_value(p);
		if (!v || S_set_path(p, t, parts, v) < 0) {
			json_decref(parts);
			goto fail;
		}
		json_decref(parts);
		S_ws(p);
		if (S_peek(p, 0) == ',') {
			p->pos++;
			continue;
		}
		if (S_peek(p, 0) == '}') {
			p->pos++;
			return t;
		}
		S_fail(p, "expected a comma or an inline table terminator '}'");
		goto fail;
	}
fail:
	json_decref(t);
	return NULL;
}

static json_t *S_value(struct tp *p)
{
	int c = S_peek(p, 0);
	json_t *v = NULL;

	if (++p->depth > TOML_MAX_DEPTH) {
		p->depth--;
		S_fail(p, "nested too deeply");
		return NULL;
	}
	if (c < 0) {
		S_fail(p, "unexpected EOF; expected value");
	} else if (c == '"' || c == '\'') {
		struct buf s = BUF_INIT;
		if (S_string(p, &s) == 0 && !(v = json_stringn(s.ptr, s.len)))
			p->oom = 1;
		buf_release(&s);
	} else if (S_starts(p, "true") && !S_bare_char(S_peek(p, 4))) {
		p->pos += 4;
		v = json_true();
	} else if (S_starts(p, "false") && !S_bare_char(S_peek(p, 5))) {
		p->pos += 5;
		v = json_false();
	} else if (c == '[') {
		v = S_array(p);
	} else if (c == '{') {
		v = S_inline_table(p);
	} else if (c == '\n' || c == '\r' || c == '#') {
		S_fail(p, "expected value but found newline");
	} else {
		v = S_number(p);
	}
	p->depth--;
	return v;
}

/* Puts val (stolen) at the dotted path parts below table. */
static int S_set_path(struct tp *p, json_t *table, json_t *parts, json_t *val)
{
	size_t n = json_array_size(parts), i;
	json_t *cur = table;

	for (i = 0; i + 1 < n; i++) {
		const char *k = json_string_value(json_array_get(parts, i));
		json_t *next = json_object_get(cur, k);
		if (!next) {
			next = json_object();
			if (!next || json_object_set_new(cur, k, next) < 0) {
				json_decref(val);
				p->oom = 1;
				return -1;
			}
		} else if (!json_is_object(next)) {
			json_decref(val);
			return S_fail(p, "key is already defined and is not a table");
		}
		cur = next;
	}
	{
		const char *k = json_string_value(json_array_get(parts, n - 1));
		if (json_object_get(cur, k)) {
			struct buf m = BUF_INIT;
			json_decref(val);
			buf_addf(&m, "Key '%s' has already been defined.", p->key.ptr);
			S_fail(p, m.ptr);
			buf_release(&m);
			return -1;
		}
		if (json_object_set_new(cur, k, val) < 0) {
			p->oom = 1;
			return -1;
		}
	}
	return 0;
}

/* [a.b] or [[a.b]]: the table that follows key/values go into. */
static json_t *S_header(struct tp *p, json_t *root)
{
	int array = S_starts(p, "[[");
	json_t *parts, *cur = root, *res = NULL;
	size_t n, i;

	p->pos += array ? 2 : 1;
	if (!(parts = S_key(p)))
		return NULL;
	S_ws(p);
	if (array ? !S_starts(p, "]]") : S_peek(p, 0) != ']') {
		S_fail(p, array ? "expected ']]'" : "expected ']'");
		goto done;
	}
	p->pos += array ? 2 : 1;
	n = json_array_size(parts);
	for (i = 0; i < n; i++) {
		const char *k = json_string_value(json_array_get(parts, i));
		json_t *next = json_object_get(cur, k);
		int last = i + 1 == n;
		if (last && array) {
			json_t *t = json_object();
			if (!next) {
				next = json_array();
				if (!next || json_object_set_new(cur, k, next) < 0) {
					json_decref(t);
					p->oom = 1;
					goto done;
				}
			} else if (!json_is_array(next)) {
				json_decref(t);
				S_fail(p, "key is already defined and is not an array of tables");
				goto done;
			}
			if (!t || json_array_append_new(next, t) < 0) {
				p->oom = 1;
				goto done;
			}
			res = t;
			goto done;
		}
		if (!next) {
			next = json_object();
			if (!next || json_object_set_new(cur, k, next) < 0) {
				p->oom = 1;
				goto done;
			}
		} else if (json_is_array(next) && json_array_size(next) &&
			   json_is_object(json_array_get(next, json_array_size(next) - 1))) {
			next = json_array_get(next, json_array_size(next) - 1);
		} else if (!json_is_object(next)) {
			S_fail(p, "key is already defined and is not a table");
			goto done;
		}
		cur = next;
	}
	res = cur;
done:
	json_decref(parts);
	return res;
}

int helm_toml_parse(json_t **out, const char *s, size_t len, struct buf *err)
{
	struct tp p = { s, 0, len, 1, 0, BUF_INIT, err, 0, 0 };
	json_t *root = json_object(), *cur;

	*out = NULL;
	if (!root)
		return DIAG_ENOMEM;
	cur = root;
	for (;;) {
		S_ws_nl(&p);
		if (p.pos >= p.len || p.failed || p.oom)
			break;
		if (S_peek(&p, 0) == '[') {
			if (!(cur = S_header(&p, root)))
				break;
			S_eol(&p);
			continue;
		}
		{
			json_t *parts = S_key(&p), *v;
			if (!parts)
				break;
			S_ws(&p);
			if (S_peek(&p, 0) != '=') {
				json_decref(parts);
				S_fail(&p, S_peek(&p, 0) < 0 ? "unexpected EOF; expected key separator '='"
							     : "expected key separator '='");
				break;
			}
			p.pos++;
			S_ws(&p);
			v = S_value(&p);
			if (!v || S_set_path(&p, cur, parts, v) < 0) {
				json_decref(parts);
				break;
			}
			json_decref(parts);
			S_eol(&p);
		}
	}
	buf_release(&p.key);
	if (p.oom) {
		json_decref(root);
		return DIAG_ENOMEM;
	}
	if (p.failed) {
		json_decref(root);
		return -1;
	}
	*out = root;
	return 0;
}
