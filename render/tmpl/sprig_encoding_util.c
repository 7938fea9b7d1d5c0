/*
 * Go's base64 / base32 / JSON decoding and x/crypto/bcrypt for the
 * encoding, crypto and random Sprig families (see the header).
 */
#include "render/tmpl/sprig_encoding_util.h"
#include "render/buf.h"
#include "render/diag.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- base64 (encoding/base64, StdEncoding: padded, not strict) */

static const char S_b64_std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char S_b64_bcrypt[] =
	"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static void S_b64_encode_with(struct buf *out, const char *alpha, int pad,
			      const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		char q[4] = { alpha[v >> 18], alpha[v >> 12 & 63], alpha[v >> 6 & 63],
			      alpha[v & 63] };
		buf_add(out, q, 4);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		buf_addch(out, alpha[v >> 18]);
		buf_addch(out, alpha[v >> 12 & 63]);
		if (pad)
			buf_adds(out, "==");
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		buf_addch(out, alpha[v >> 18]);
		buf_addch(out, alpha[v >> 12 & 63]);
		buf_addch(out, alpha[v >> 6 & 63]);
		if (pad)
			buf_addch(out, '=');
	}
}

void sprig_enc_b64_encode(struct buf *out, const void *p, size_t n)
{
	S_b64_encode_with(out, S_b64_std, 1, p, n);
}

void sprig_enc_bcrypt_b64(struct buf *out, const unsigned char *p, size_t n)
{
	S_b64_encode_with(out, S_b64_bcrypt, 0, p, n);
}

static int S_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * One quantum of up to four symbols from s[*si], as Go's decodeQuantum:
 * newlines are skipped anywhere, '=' ends the data and must be followed
 * by nothing but newlines. Returns 1 to go on, 0 at the end, -1 on error.
 */
static int S_b64_quantum(struct buf *out, const unsigned char *s, size_t n, size_t *si,
			 int64_t *bad)
{
	unsigned char d[4] = { 0, 0, 0, 0 };
	int j, dlen = 4, last = 0;

	for (j = 0; j < 4; j++) {
		unsigned char c;
		int v;

		if (*si == n) {
			if (j == 0)
				return 0;
			*bad = (int64_t)*si - j;
			return -1;
		}
		c = s[(*si)++];
		v = S_b64_value(c);
		if (v >= 0) {
			d[j] = (unsigned char)v;
			continue;
		}
		if (c == '\n' || c == '\r') {
			j--;
			continue;
		}
		if (c != '=') {
			*bad = (int64_t)*si - 1;
			return -1;
		}
		/* padding */
		if (j < 2) {
			*bad = (int64_t)*si - 1;
			return -1;
		}
		if (j == 2) {
			while (*si < n && (s[*si] == '\n' || s[*si] == '\r'))
				(*si)++;
			if (*si == n) {
				*bad = (int64_t)n;
				return -1;
			}
			if (s[*si] != '=') {
				*bad = (int64_t)*si - 1;
				return -1;
			}
			(*si)++;
		}
		while (*si < n && (s[*si] == '\n' || s[*si] == '\r'))
			(*si)++;
		if (*si < n) {
			*bad = (int64_t)*si;
			return -1;
		}
		dlen = j;
		last = 1;
		break;
	}
	{
		uint32_t v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 | (uint32_t)d[2] << 6 | d[3];
		unsigned char b[3] = { (unsigned char)(v >> 16), (unsigned char)(v >> 8),
				       (unsigned char)v };
		buf_add(out, b, (size_t)dlen - 1);
	}
	return last ? 0 : 1;
}

int sprig_enc_b64_decode(struct buf *out, const char *s, size_t n, int64_t *bad_out)
{
	size_t si = 0;
	int r;

	while ((r = S_b64_quantum(out, (const unsigned char *)s, n, &si, bad_out)) > 0)
		;
	return r < 0 ? -1 : 0;
}

/* ---- base32 (encoding/base32, StdEncoding) */

static const char S_b32_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void sprig_enc_b32_encode(struct buf *out, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i += 5) {
		unsigned char blk[5] = { 0, 0, 0, 0, 0 };
		size_t k, take = n - i < 5 ? n - i : 5;
		uint64_t v = 0;
		char q[8];
		/* symbols carrying data for 1..5 bytes */
		static const int nsym[6] = { 0, 2, 4, 5, 7, 8 };

		memcpy(blk, b + i, take);
		for (k = 0; k < 5; k++)
			v = v << 8 | blk[k];
		for (k = 0; k < 8; k++)
			q[k] = S_b32_std[(v >> (35 - 5 * k)) & 31];
		for (k = (size_t)nsym[take]; k < 8; k++)
			q[k] = '=';
		buf_add(out, q, 8);
	}
}

static int S_b32_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* Go strips '\r' and '\n' from the whole input first, then decodes in
 * quanta of eight symbols; offsets count the stripped input. */
int sprig_enc_b32_decode(struct buf *out, const char *s, size_t n, int64_t *bad_out)
{
	unsigned char *src = malloc(n ? n : 1);
	size_t len = 0, olen, pos = 0, i;
	int end = 0, ret = 0;

	if (!src) {
		out->oom = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (s[i] != '\r' && s[i] != '\n')
			src[len++] = (unsigned char)s[i];
	olen = len;
	while (pos < len && !end) {
		unsigned char d[8] = { 0 };
		int j = 0, dlen = 8;

		while (j < 8) {
			unsigned char c;
			size_t rest;
			int v;

			if (pos == len) {
				*bad_out = (int64_t)olen - (int64_t)(len - pos) - j;
				ret = -1;
				goto done;
			}
			c = src[pos++];
			rest = len - pos;
			if (c == '=' && j >= 2 && rest < 8) {
				size_t k;

				if (rest + (size_t)j < 7) {
					*bad_out = (int64_t)olen;
					ret = -1;
					goto done;
				}
				for (k = 0; k + 1 + (size_t)j < 8; k++) {
					if (rest > k && src[pos + k] != '=') {
						*bad_out = (int64_t)olen - (int64_t)rest + (int64_t)k - 1;
						ret = -1;
						goto done;
					}
				}
				dlen = j;
				end = 1;
				if (dlen == 1 || dlen == 3 || dlen == 6) {
					*bad_out = (int64_t)olen - (int64_t)rest - 1;
					ret = -1;
					goto done;
				}
				break;
			}
			v = S_b32_value(c);
			if (v < 0) {
				*bad_out = (int64_t)olen - (int64_t)rest - 1;
				ret = -1;
				goto done;
			}
			d[j++] = (unsigned char)v;
		}
		{
			uint64_t v = 0;
			unsigned char b[5];
			static const int nbytes[9] = { 0, 0, 1, 0, 2, 3, 0, 4, 5 };
			int k;

			for (k = 0; k < 8; k++)
				v = v << 5 | d[k];
			for (k = 0; k < 5; k++)
				b[k] = (unsigned char)(v >> (32 - 8 * k));
			buf_add(out, b, (size_t)nbytes[dlen]);
		}
	}
done:
	free(src);
	return ret;
}

/* ---- JSON (encoding/json Unmarshal into interface {}) */

/* Go's scanner nests at most this deep (maxNestingDepth). */
#define S_JSON_MAX_DEPTH 10000

struct S_jdec {
	const unsigned char *s;
	size_t n, pos;
	struct buf *err;
	int syntax;      /* a syntax error was reported */
	int typeerr;     /* a number did not fit a float64 (first one in err) */
	int oom;
};

/* quoteChar of Go's scanner: 'c' with strconv.Quote's escapes. */
static void S_quote_char(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\'') {
		buf_adds(b, "'\\''");
		return;
	}
	if (c == '"') {
		buf_adds(b, "'\"'");
		return;
	}
	buf_addch(b, '\'');
	switch (c) {
	case '\a': buf_adds(b, "\\a"); break;
	case '\b': buf_adds(b, "\\b"); break;
	case '\f': buf_adds(b, "\\f"); break;
	case '\n': buf_adds(b, "\\n"); break;
	case '\r': buf_adds(b, "\\r"); break;
	case '\t': buf_adds(b, "\\t"); break;
	case '\v': buf_adds(b, "\\v"); break;
	case '\\': buf_adds(b, "\\\\"); break;
	default:
		if (c < 0x20 || c == 0x7f) {
			buf_adds(b, "\\x");
			buf_addch(b, hex[c >> 4]);
			buf_addch(b, hex[c & 15]);
		} else if (c < 0x80) {
			buf_addch(b, c);
		} else if (c < 0xa0) {
			/* string(byte) is U+0080..U+009F: not printable */
			buf_adds(b, "\\u00");
			buf_addch(b, hex[c >> 4]);
			buf_addch(b, hex[c & 15]);
		} else if (c == 0xad) {
			buf_adds(b, "\\u00ad"); /* soft hyphen: format, not graphic */
		} else {
			buf_addch(b, 0xc0 | c >> 6);
			buf_addch(b, 0x80 | (c & 0x3f));
		}
		break;
	}
	buf_addch(b, '\'');
}

/* A syntax error at the current byte (at the end: Go's eof feeds ' '). */
static int S_jerr(struct S_jdec *d, const char *context)
{
	unsigned char c = d->pos < d->n ? d->s[d->pos] : ' ';

	buf_reset(d->err);
	buf_adds(d->err, "invalid character ");
	S_quote_char(d->err, c);
	buf_addch(d->err, ' ');
	buf_adds(d->err, context);
	d->syntax = 1;
	return -1;
}

static int S_jeof(struct S_jdec *d)
{
	buf_reset(d->err);
	buf_adds(d->err, "unexpected end of JSON input");
	d->syntax = 1;
	return -1;
}

static void S_jskip(struct S_jdec *d)
{
	while (d->pos < d->n && (d->s[d->pos] == ' ' || d->s[d->pos] == '\t' ||
				 d->s[d->pos] == '\r' || d->s[d->pos] == '\n'))
		d->pos++;
}

static int S_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* utf8.DecodeRune: the rune at p (n > 0 bytes), or -1 (width 1) if invalid. */
static int32_t S_utf8_rune(const unsigned char *p, size_t n, int *w)
{
	unsigned char c = p[0];
	int32_t r;
	int need, i;

	*w = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		r = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		r = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		r = c & 0x07;
	} else {
		return -1;
	}
	if ((size_t)need >= n)
		return -1;
	for (i = 1; i <= need; i++) {
		unsigned char k = p[i];
		unsigned char lo = 0x80, hi = 0xbf;

		if (i == 1) {
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
			else if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		}
		if (k < lo || k > hi)
			return -1;
		r = r << 6 | (k & 0x3f);
	}
	*w = need + 1;
	return r;
}

static void S_utf8_put(struct buf *b, int32_t r)
{
	if (r < 0x80) {
		buf_addch(b, (int)r);
	} else if (r < 0x800) {
		buf_addch(b, 0xc0 | (int)(r >> 6));
		buf_addch(b, 0x80 | (int)(r & 0x3f));
	} else if (r < 0x10000) {
		buf_addch(b, 0xe0 | (int)(r >> 12));
		buf_addch(b, 0x80 | (int)(r >> 6 & 0x3f));
		buf_addch(b, 0x80 | (int)(r & 0x3f));
	} else {
		buf_addch(b, 0xf0 | (int)(r >> 18));
		buf_addch(b, 0x80 | (int)(r >> 12 & 0x3f));
		buf_addch(b, 0x80 | (int)(r >> 6 & 0x3f));
		buf_addch(b, 0x80 | (int)(r & 0x3f));
	}
}

/* The four hex digits at p (n bytes left), or -1. */
static int32_t S_u4(const unsigned char *p, size_t n)
{
	int32_t r = 0;
	int i;

	if (n < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		int v = S_hexval(p[i]);
		if (v < 0)
			return -1;
		r = r << 4 | v;
	}
	return r;
}

/* A string whose opening quote is at d->pos: its decoded bytes into b. */
static int S_jstring(struct S_jdec *d, struct buf *b)
{
	size_t start, end;

	d->pos++;
	start = d->pos;
	/* scan: Go's scanner rules */
	for (;;) {
		unsigned char c;

		if (d->pos >= d->n)
			return S_jeof(d);
		c = d->s[d->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return S_jerr(d, "in string literal");
		if (c == '\\') {
			d->pos++;
			if (d->pos >= d->n)
				return S_jerr(d, "in string escape code");
			c = d->s[d->pos];
			if (c == 'u') {
				int i;
				for (i = 0; i < 4; i++) {
					d->pos++;
					if (d->pos >= d->n || S_hexval(d->s[d->pos]) < 0)
						return S_jerr(d, "in \\u hexadecimal character escape");
				}
			} else if (!strchr("bfnrt\\/\"", c) || c == 0) {
				return S_jerr(d, "in string escape code");
			}
		}
		d->pos++;
	}
	end = d->pos;
	d->pos++;
	/* unquote */
	{
		const unsigned char *p = d->s + start;
		size_t n = end - start, r = 0;

		while (r < n) {
			unsigned char c = p[r];

			if (c == '\\') {
				c = p[r + 1];
				switch (c) {
				case 'b': buf_addch(b, '\b'); r += 2; break;
				case 'f': buf_addch(b, '\f'); r += 2; break;
				case 'n': buf_addch(b, '\n'); r += 2; break;
				case 'r': buf_addch(b, '\r'); r += 2; break;
				case 't': buf_addch(b, '\t'); r += 2; break;
				case 'u': {
					int32_t rr = S_u4(p + r, n - r);

					r += 6;
					if (rr >= 0xd800 && rr < 0xe000) {
						int32_t rr1 = S_u4(p + r, n - r);

						if (rr < 0xdc00 && rr1 >= 0xdc00 && rr1 < 0xe000) {
							r += 6;
							S_utf8_put(b, 0x10000 + ((rr - 0xd800) << 10) +
									      (rr1 - 0xdc00));
							break;
						}
						rr = 0xfffd;
					}
					S_utf8_put(b, rr);
					break;
				}
				default: /* " \ / */
					buf_addch(b, c);
					r += 2;
					break;
				}
			} else if (c < 0x80) {
				buf_addch(b, c);
				r++;
			} else {
				int w;
				int32_t rr = S_utf8_rune(p + r, n - r, &w);

				if (rr < 0)
					S_utf8_put(b, 0xfffd);
				else
					buf_add(b, p + r, (size_t)w);
				r += (size_t)w;
			}
		}
	}
	return 0;
}

static int S_isdigit(const struct S_jdec *d)
{
	return d->pos < d->n && d->s[d->pos] >= '0' && d->s[d->pos] <= '9';
}

static json_t *S_jnumber(struct S_jdec *d)
{
	size_t start = d->pos;
	char small[64], *text = small;
	double v;
	json_t *j;

	if (d->s[d->pos] == '-') {
		d->pos++;
		if (!S_isdigit(d)) {
			S_jerr(d, "in numeric literal");
			return NULL;
		}
	}
	if (d->s[d->pos] == '0') {
		d->pos++;
	} else {
		while (S_isdigit(d))
			d->pos++;
	}
	if (d->pos < d->n && d->s[d->pos] == '.') {
		d->pos++;
		if (!S_isdigit(d)) {
			S_jerr(d, "after decimal point in numeric literal");
			return NULL;
		}
		while (S_isdigit(d))
			d->pos++;
	}
	if (d->pos < d->n && (d->s[d->pos] == 'e' || d->s[d->pos] == 'E')) {
		d->pos++;
		if (d->pos < d->n && (d->s[d->pos] == '+' || d->s[d->pos] == '-'))
			d->pos++;
		if (!S_isdigit(d)) {
			S_jerr(d, "in exponent of numeric literal");
			return NULL;
		}
		while (S_isdigit(d))
			d->pos++;
	}
	if (d->pos - start >= sizeof(small)) {
		text = malloc(d->pos - start + 1);
		if (!text) {
			d->oom = 1;
			return NULL;
		}
	}
	memcpy(text, d->s + start, d->pos - start);
	text[d->pos - start] = '\0';
	errno = 0;
	v = strtod(text, NULL);
	if (isinf(v)) {
		/* strconv.ParseFloat's range error */
		if (!d->typeerr) {
			buf_reset(d->err);
			buf_adds(d->err, "json: cannot unmarshal number ");
			buf_adds(d->err, text);
			buf_adds(d->err, " into Go value of type float64");
			d->typeerr = 1;
		}
		j = json_null();
	} else {
		j = json_real(v);
	}
	if (text != small)
		free(text);
	if (!j)
		d->oom = 1;
	return j;
}

static json_t *S_jliteral(struct S_jdec *d, const char *word, json_t *v)
{
	size_t i;

	for (i = 1; word[i]; i++) {
		d->pos++;
		if (d->pos >= d->n || d->s[d->pos] != (unsigned char)word[i]) {
			char ctx[64];

			snprintf(ctx, sizeof(ctx), "in literal %s (expecting '%c')", word, word[i]);
			S_jerr(d, ctx);
			return NULL;
		}
	}
	d->pos++;
	return v;
}

struct S_jframe {
	json_t *c;
	char *key;      /* objects: the pending key */
	size_t keylen;
};

int sprig_enc_json_decode(json_t **out, const char *s, size_t n, struct buf *err)
{
	struct S_jdec d = { (const unsigned char *)s, n, 0, err, 0, 0, 0 };
	struct S_jframe *st = NULL;
	size_t depth = 0, cap = 0, i;
	struct buf key = BUF_INIT;
	json_t *v = NULL;
	int ret = -1;

	*out = NULL;
	for (;;) {
		unsigned char c;

		/* a value begins */
		S_jskip(&d);
		if (d.pos >= d.n) {
			S_jeof(&d);
			goto done;
		}
		c = d.s[d.pos];
		if (c == '{' || c == '[') {
			if (depth == cap) {
				size_t nc = cap ? cap * 2 : 16;
				struct S_jframe *ns = realloc(st, nc * sizeof(*ns));
				if (!ns) {
					d.oom = 1;
					goto done;
				}
				st = ns;
				cap = nc;
			}
			if (depth + 1 > S_JSON_MAX_DEPTH) {
				S_jerr(&d, "exceeded max depth");
				goto done;
			}
			st[depth].c = c == '{' ? json_object() : json_array();
			st[depth].key = NULL;
			st[depth].keylen = 0;
			if (!st[depth].c) {
				d.oom = 1;
				goto done;
			}
			depth++;
			d.pos++;
			S_jskip(&d);
			if (d.pos < d.n && d.s[d.pos] == (c == '{' ? '}' : ']')) {
				d.pos++;
				v = st[--depth].c;
				goto have_value;
			}
			if (c == '[')
				continue;
			goto object_key;
		} else if (c == '"') {
			buf_reset(&key);
			if (S_jstring(&d, &key) < 0)
				goto done;
			if (buf_oom(&key) || !(v = json_stringn_nocheck(key.ptr, key.len))) {
				d.oom = 1;
				goto done;
			}
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if (!(v = S_jnumber(&d)))
				goto done;
		} else if (c == 't') {
			if (!(v = S_jliteral(&d, "true", json_true())))
				goto done;
		} else if (c == 'f') {
			if (!(v = S_jliteral(&d, "false", json_false())))
				goto done;
		} else if (c == 'n') {
			if (!(v = S_jliteral(&d, "null", json_null())))
				goto done;
		} else {
			S_jerr(&d, "looking for beginning of value");
			goto done;
		}
have_value:
		if (depth == 0) {
			S_jskip(&d);
			if (d.pos < d.n) {
				S_jerr(&d, "after top-level value");
				goto done;
			}
			break;
		}
		{
			struct S_jframe *f = &st[depth - 1];

			if (json_is_array(f->c)) {
				if (json_array_append_new(f->c, v) < 0) {
					v = NULL;
					d.oom = 1;
					goto done;
				}
				v = NULL;
				S_jskip(&d);
				if (d.pos >= d.n) {
					S_jeof(&d);
					goto done;
				}
				if (d.s[d.pos] == ',') {
					d.pos++;
					continue;
				}
				if (d.s[d.pos] == ']') {
					d.pos++;
					v = f->c;
					depth--;
					goto have_value;
				}
				S_jerr(&d, "after array element");
				goto done;
			}
			if (json_object_setn_new_nocheck(f->c, f->key, f->keylen, v) < 0) {
				v = NULL;
				d.oom = 1;
				goto done;
			}
			v = NULL;
			free(f->key);
			f->key = NULL;
			S_jskip(&d);
			if (d.pos >= d.n) {
				S_jeof(&d);
				goto done;
			}
			if (d.s[d.pos] == '}') {
				d.pos++;
				v = f->c;
				depth--;
				goto have_value;
			}
			if (d.s[d.pos] != ',') {
				S_jerr(&d, "after object key:value pair");
				goto done;
			}
			d.pos++;
			S_jskip(&d);
		}
object_key:
		if (d.pos >= d.n) {
			S_jeof(&d);
			goto done;
		}
		if (d.s[d.pos] != '"') {
			S_jerr(&d, "looking for beginning of object key string");
			goto done;
		}
		buf_reset(&key);
		if (S_jstring(&d, &key) < 0)
			goto done;
		if (buf_oom(&key)) {
			d.oom = 1;
			goto done;
		}
		st[depth - 1].keylen = key.len;
		st[depth - 1].key = buf_detach(&key, NULL);
		S_jskip(&d);
		if (d.pos >= d.n) {
			S_jeof(&d);
			goto done;
		}
		if (d.s[d.pos] != ':') {
			S_jerr(&d, "after object key");
			goto done;
		}
		d.pos++;
	}
	/* the whole text is valid */
	*out = v;
	v = NULL;
	ret = d.typeerr ? -1 : 0;
done:
	if (d.syntax) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(v);
	/* the outermost open container holds every inner one that was closed */
	for (i = 0; i < depth; i++) {
		json_decref(st[i].c);
		free(st[i].key);
	}
	free(st);
	buf_release(&key);
	if (d.oom || buf_oom(err)) {
		json_decref(*out);
		*out = NULL;
		return DIAG_ENOMEM;
	}
	return ret;
}

/* ---- bcrypt (golang.org/x/crypto/bcrypt over x/crypto/blowfish) */

/*
 * Blowfish's initial state: the hexadecimal digits of pi's fractional
 * part, 18 words of P then the four S-boxes. Computed, not copied:
 * Machin's pi = 16 atan(1/5) - 4 atan(1/239) in fixed point with Python
 * integers, then 1042 successive 32-bit words of the fraction (checked:
 * P[0] 0x243f6a88, P[17] 0x8979fb1b, S0[0] 0xd1310ba6, S3[255] 0x3ac372e6).
 */
static const uint32_t S_pi_words[18 + 4 * 256] = {
	0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
	0x082efa98, 0xec4e6c89, 0x452821e6, 0x38d01377, 0xbe5466cf, 0x34e90c6c,
	0xc0ac29b7, 0xc97c50dd, 0x3f84d5b5, 0xb5470917, 0x9216d5d9, 0x8979fb1b,
	0xd1310ba6, 0x98dfb5ac, 0x2ffd72db, 0xd01adfb7, 0xb8e1afed, 0x6a267e96,
	0xba7c9045, 0xf12c7f99, 0x24a19947, 0xb3916cf7, 0x0801f2e2, 0x858efc16,
	0x636920d8, 0x71574e69, 0xa458fea3, 0xf4933d7e, 0x0d95748f, 0x728eb658,
	0x718bcd58, 0x82154aee, 0x7b54a41d, 0xc25a59b5, 0x9c30d539, 0x2af26013,
	0xc5d1b023, 0x286085f0, 0xca417918, 0xb8db38ef, 0x8e79dcb0, 0x603a180e,
	0x6c9e0e8b, 0xb01e8a3e, 0xd71577c1, 0xbd314b27, 0x78af2fda, 0x55605c60,
	0xe65525f3, 0xaa55ab94, 0x57489862, 0x63e81440, 0x55ca396a, 0x2aab10b6,
	0xb4cc5c34, 0x1141e8ce, 0xa15486af, 0x7c72e993, 0xb3ee1411, 0x636fbc2a,
	0x2ba9c55d, 0x741831f6, 0xce5c3e16, 0x9b87931e, 0xafd6ba33, 0x6c24cf5c,
	0x7a325381, 0x28958677, 0x3b8f4898, 0x6b4bb9af, 0xc4bfe81b, 0x66282193,
	0x61d809cc, 0xfb21a991, 0x487cac60, 0x5dec8032, 0xef845d5d, 0xe98575b1,
	0xdc262302, 0xeb651b88, 0x23893e81, 0xd396acc5, 0x0f6d6ff3, 0x83f44239,
	0x2e0b4482, 0xa4842004, 0x69c8f04a, 0x9e1f9b5e, 0x21c66842, 0xf6e96c9a,
	0x670c9c61, 0xabd388f0, 0x6a51a0d2, 0xd8542f68, 0x960fa728, 0xab5133a3,
	0x6eef0b6c, 0x137a3be4, 0xba3bf050, 0x7efb2a98, 0xa1f1651d, 0x39af0176,
	0x66ca593e, 0x82430e88, 0x8cee8619, 0x456f9fb4, 0x7d84a5c3, 0x3b8b5ebe,
	0xe06f75d8, 0x85c12073, 0x401a449f, 0x56c16aa6, 0x4ed3aa62, 0x363f7706,
	0x1bfedf72, 0x429b023d, 0x37d0d724, 0xd00a1248, 0xdb0fead3, 0x49f1c09b,
	0x075372c9, 0x80991b7b, 0x25d479d8, 0xf6e8def7, 0xe3fe501a, 0xb6794c3b,
	0x976ce0bd, 0x04c006ba, 0xc1a94fb6, 0x409f60c4, 0x5e5c9ec2, 0x196a2463,
	0x68fb6faf, 0x3e6c53b5, 0x1339b2eb, 0x3b52ec6f, 0x6dfc511f, 0x9b30952c,
	0xcc814544, 0xaf5ebd09, 0xbee3d004, 0xde334afd, 0x660f2807, 0x192e4bb3,
	0xc0cba857, 0x45c8740f, 0xd20b5f39, 0xb9d3fbdb, 0x5579c0bd, 0x1a60320a,
	0xd6a100c6, 0x402c7279, 0x679f25fe, 0xfb1fa3cc, 0x8ea5e9f8, 0xdb3222f8,
	0x3c7516df, 0xfd616b15, 0x2f501ec8, 0xad0552ab, 0x323db5fa, 0xfd238760,
	0x53317b48, 0x3e00df82, 0x9e5c57bb, 0xca6f8ca0, 0x1a87562e, 0xdf1769db,
	0xd542a8f6, 0x287effc3, 0xac6732c6, 0x8c4f5573, 0x695b27b0, 0xbbca58c8,
	0xe1ffa35d, 0xb8f011a0, 0x10fa3d98, 0xfd2183b8, 0x4afcb56c, 0x2dd1d35b,
	0x9a53e479, 0xb6f84565, 0xd28e49bc, 0x4bfb9790, 0xe1ddf2da, 0xa4cb7e33,
	0x62fb1341, 0xcee4c6e8, 0xef20cada, 0x36774c01, 0xd07e9efe, 0x2bf11fb4,
	0x95dbda4d, 0xae909198, 0xeaad8e71, 0x6b93d5a0, 0xd08ed1d0, 0xafc725e0,
	0x8e3c5b2f, 0x8e7594b7, 0x8ff6e2fb, 0xf2122b64, 0x8888b812, 0x900df01c,
	0x4fad5ea0, 0x688fc31c, 0xd1cff191, 0xb3a8c1ad, 0x2f2f2218, 0xbe0e1777,
	0xea752dfe, 0x8b021fa1, 0xe5a0cc0f, 0xb56f74e8, 0x18acf3d6, 0xce89e299,
	0xb4a84fe0, 0xfd13e0b7, 0x7cc43b81, 0xd2ada8d9, 0x165fa266, 0x80957705,
	0x93cc7314, 0x211a1477, 0xe6ad2065, 0x77b5fa86, 0xc75442f5, 0xfb9d35cf,
	0xebcdaf0c, 0x7b3e89a0, 0xd6411bd3, 0xae1e7e49, 0x00250e2d, 0x2071b35e,
	0x226800bb, 0x57b8e0af, 0x2464369b, 0xf009b91e, 0x5563911d, 0x59dfa6aa,
	0x78c14389, 0xd95a537f, 0x207d5ba2, 0x02e5b9c5, 0x83260376, 0x6295cfa9,
	0x11c81968, 0x4e734a41, 0xb3472dca, 0x7b14a94a, 0x1b510052, 0x9a532915,
	0xd60f573f, 0xbc9bc6e4, 0x2b60a476, 0x81e67400, 0x08ba6fb5, 0x571be91f,
	0xf296ec6b, 0x2a0dd915, 0xb6636521, 0xe7b9f9b6, 0xff34052e, 0xc5855664,
	0x53b02d5d, 0xa99f8fa1, 0x08ba4799, 0x6e85076a, 0x4b7a70e9, 0xb5b32944,
	0xdb75092e, 0xc4192623, 0xad6ea6b0, 0x49a7df7d, 0x9cee60b8, 0x8fedb266,
	0xecaa8c71, 0x699a17ff, 0x5664526c, 0xc2b19ee1, 0x193602a5, 0x75094c29,
	0xa0591340, 0xe4183a3e, 0x3f54989a, 0x5b429d65, 0x6b8fe4d6, 0x99f73fd6,
	0xa1d29c07, 0xefe830f5, 0x4d2d38e6, 0xf0255dc1, 0x4cdd2086, 0x8470eb26,
	0x6382e9c6, 0x021ecc5e, 0x09686b3f, 0x3ebaefc9, 0x3c971814, 0x6b6a70a1,
	0x687f3584, 0x52a0e286, 0xb79c5305, 0xaa500737, 0x3e07841c, 0x7fdeae5c,
	0x8e7d44ec, 0x5716f2b8, 0xb03ada37, 0xf0500c0d, 0xf01c1f04, 0x0200b3ff,
	0xae0cf51a, 0x3cb574b2, 0x25837a58, 0xdc0921bd, 0xd19113f9, 0x7ca92ff6,
	0x94324773, 0x22f54701, 0x3ae5e581, 0x37c2dadc, 0xc8b57634, 0x9af3dda7,
	0xa9446146, 0x0fd0030e, 0xecc8c73e, 0xa4751e41, 0xe238cd99, 0x3bea0e2f,
	0x3280bba1, 0x183eb331, 0x4e548b38, 0x4f6db908, 0x6f420d03, 0xf60a04bf,
	0x2cb81290, 0x24977c79, 0x5679b072, 0xbcaf89af, 0xde9a771f, 0xd9930810,
	0xb38bae12, 0xdccf3f2e, 0x5512721f, 0x2e6b7124, 0x501adde6, 0x9f84cd87,
	0x7a584718, 0x7408da17, 0xbc9f9abc, 0xe94b7d8c, 0xec7aec3a, 0xdb851dfa,
	0x63094366, 0xc464c3d2, 0xef1c1847, 0x3215d908, 0xdd433b37, 0x24c2ba16,
	0x12a14d43, 0x2a65c451, 0x50940002, 0x133ae4dd, 0x71dff89e, 0x10314e55,
	0x81ac77d6, 0x5f11199b, 0x043556f1, 0xd7a3c76b, 0x3c11183b, 0x5924a509,
	0xf28fe6ed, 0x97f1fbfa, 0x9ebabf2c, 0x1e153c6e, 0x86e34570, 0xeae96fb1,
	0x860e5e0a, 0x5a3e2ab3, 0x771fe71c, 0x4e3d06fa, 0x2965dcb9, 0x99e71d0f,
	0x803e89d6, 0x5266c825, 0x2e4cc978, 0x9c10b36a, 0xc6150eba, 0x94e2ea78,
	0xa5fc3c53, 0x1e0a2df4, 0xf2f74ea7, 0x361d2b3d, 0x1939260f, 0x19c27960,
	0x5223a708, 0xf71312b6, 0xebadfe6e, 0xeac31f66, 0xe3bc4595, 0xa67bc883,
	0xb17f37d1, 0x018cff28, 0xc332ddef, 0xbe6c5aa5, 0x65582185, 0x68ab9802,
	0xeecea50f, 0xdb2f953b, 0x2aef7dad, 0x5b6e2f84, 0x1521b628, 0x29076170,
	0xecdd4775, 0x619f1510, 0x13cca830, 0xeb61bd96, 0x0334fe1e, 0xaa0363cf,
	0xb5735c90, 0x4c70a239, 0xd59e9e0b, 0xcbaade14, 0xeecc86bc, 0x60622ca7,
	0x9cab5cab, 0xb2f3846e, 0x648b1eaf, 0x19bdf0ca, 0xa02369b9, 0x655abb50,
	0x40685a32, 0x3c2ab4b3, 0x319ee9d5, 0xc021b8f7, 0x9b540b19, 0x875fa099,
	0x95f7997e, 0x623d7da8, 0xf837889a, 0x97e32d77, 0x11ed935f, 0x16681281,
	0x0e358829, 0xc7e61fd6, 0x96dedfa1, 0x7858ba99, 0x57f584a5, 0x1b227263,
	0x9b83c3ff, 0x1ac24696, 0xcdb30aeb, 0x532e3054, 0x8fd948e4, 0x6dbc3128,
	0x58ebf2ef, 0x34c6ffea, 0xfe28ed61, 0xee7c3c73, 0x5d4a14d9, 0xe864b7e3,
	0x42105d14, 0x203e13e0, 0x45eee2b6, 0xa3aaabea, 0xdb6c4f15, 0xfacb4fd0,
	0xc742f442, 0xef6abbb5, 0x654f3b1d, 0x41cd2105, 0xd81e799e, 0x86854dc7,
	0xe44b476a, 0x3d816250, 0xcf62a1f2, 0x5b8d2646, 0xfc8883a0, 0xc1c7b6a3,
	0x7f1524c3, 0x69cb7492, 0x47848a0b, 0x5692b285, 0x095bbf00, 0xad19489d,
	0x1462b174, 0x23820e00, 0x58428d2a, 0x0c55f5ea, 0x1dadf43e, 0x233f7061,
	0x3372f092, 0x8d937e41, 0xd65fecf1, 0x6c223bdb, 0x7cde3759, 0xcbee7460,
	0x4085f2a7, 0xce77326e, 0xa6078084, 0x19f8509e, 0xe8efd855, 0x61d99735,
	0xa969a7aa, 0xc50c06c2, 0x5a04abfc, 0x800bcadc, 0x9e447a2e, 0xc3453484,
	0xfdd56705, 0x0e1e9ec9, 0xdb73dbd3, 0x105588cd, 0x675fda79, 0xe3674340,
	0xc5c43465, 0x713e38d8, 0x3d28f89e, 0xf16dff20, 0x153e21e7, 0x8fb03d4a,
	0xe6e39f2b, 0xdb83adf7, 0xe93d5a68, 0x948140f7, 0xf64c261c, 0x94692934,
	0x411520f7, 0x7602d4f7, 0xbcf46b2e, 0xd4a20068, 0xd4082471, 0x3320f46a,
	0x43b7d4b7, 0x500061af, 0x1e39f62e, 0x97244546, 0x14214f74, 0xbf8b8840,
	0x4d95fc1d, 0x96b591af, 0x70f4ddd3, 0x66a02f45, 0xbfbc09ec, 0x03bd9785,
	0x7fac6dd0, 0x31cb8504, 0x96eb27b3, 0x55fd3941, 0xda2547e6, 0xabca0a9a,
	0x28507825, 0x530429f4, 0x0a2c86da, 0xe9b66dfb, 0x68dc1462, 0xd7486900,
	0x680ec0a4, 0x27a18dee, 0x4f3ffea2, 0xe887ad8c, 0xb58ce006, 0x7af4d6b6,
	0xaace1e7c, 0xd3375fec, 0xce78a399, 0x406b2a42, 0x20fe9e35, 0xd9f385b9,
	0xee39d7ab, 0x3b124e8b, 0x1dc9faf7, 0x4b6d1856, 0x26a36631, 0xeae397b2,
	0x3a6efa74, 0xdd5b4332, 0x6841e7f7, 0xca7820fb, 0xfb0af54e, 0xd8feb397,
	0x454056ac, 0xba489527, 0x55533a3a, 0x20838d87, 0xfe6ba9b7, 0xd096954b,
	0x55a867bc, 0xa1159a58, 0xcca92963, 0x99e1db33, 0xa62a4a56, 0x3f3125f9,
	0x5ef47e1c, 0x9029317c, 0xfdf8e802, 0x04272f70, 0x80bb155c, 0x05282ce3,
	0x95c11548, 0xe4c66d22, 0x48c1133f, 0xc70f86dc, 0x07f9c9ee, 0x41041f0f,
	0x404779a4, 0x5d886e17, 0x325f51eb, 0xd59bc0d1, 0xf2bcc18f, 0x41113564,
	0x257b7834, 0x602a9c60, 0xdff8e8a3, 0x1f636c1b, 0x0e12b4c2, 0x02e1329e,
	0xaf664fd1, 0xcad18115, 0x6b2395e0, 0x333e92e1, 0x3b240b62, 0xeebeb922,
	0x85b2a20e, 0xe6ba0d99, 0xde720c8c, 0x2da2f728, 0xd0127845, 0x95b794fd,
	0x647d0862, 0xe7ccf5f0, 0x5449a36f, 0x877d48fa, 0xc39dfd27, 0xf33e8d1e,
	0x0a476341, 0x992eff74, 0x3a6f6eab, 0xf4f8fd37, 0xa812dc60, 0xa1ebddf8,
	0x991be14c, 0xdb6e6b0d, 0xc67b5510, 0x6d672c37, 0x2765d43b, 0xdcd0e804,
	0xf1290dc7, 0xcc00ffa3, 0xb5390f92, 0x690fed0b, 0x667b9ffb, 0xcedb7d9c,
	0xa091cf0b, 0xd9155ea3, 0xbb132f88, 0x515bad24, 0x7b9479bf, 0x763bd6eb,
	0x37392eb3, 0xcc115979, 0x8026e297, 0xf42e312d, 0x6842ada7, 0xc66a2b3b,
	0x12754ccc, 0x782ef11c, 0x6a124237, 0xb79251e7, 0x06a1bbe6, 0x4bfb6350,
	0x1a6b1018, 0x11caedfa, 0x3d25bdd8, 0xe2e1c3c9, 0x44421659, 0x0a121386,
	0xd90cec6e, 0xd5abea2a, 0x64af674e, 0xda86a85f, 0xbebfe988, 0x64e4c3fe,
	0x9dbc8057, 0xf0f7c086, 0x60787bf8, 0x6003604d, 0xd1fd8346, 0xf6381fb0,
	0x7745ae04, 0xd736fccc, 0x83426b33, 0xf01eab71, 0xb0804187, 0x3c005e5f,
	0x77a057be, 0xbde8ae24, 0x55464299, 0xbf582e61, 0x4e58f48f, 0xf2ddfda2,
	0xf474ef38, 0x8789bdc2, 0x5366f9c3, 0xc8b38e74, 0xb475f255, 0x46fcd9b9,
	0x7aeb2661, 0x8b1ddf84, 0x846a0e79, 0x915f95e2, 0x466e598e, 0x20b45770,
	0x8cd55591, 0xc902de4c, 0xb90bace1, 0xbb8205d0, 0x11a86248, 0x7574a99e,
	0xb77f19b6, 0xe0a9dc09, 0x662d09a1, 0xc4324633, 0xe85a1f02, 0x09f0be8c,
	0x4a99a025, 0x1d6efe10, 0x1ab93d1d, 0x0ba5a4df, 0xa186f20f, 0x2868f169,
	0xdcb7da83, 0x573906fe, 0xa1e2ce9b, 0x4fcd7f52, 0x50115e01, 0xa70683fa,
	0xa002b5c4, 0x0de6d027, 0x9af88c27, 0x773f8641, 0xc3604c06, 0x61a806b5,
	0xf0177a28, 0xc0f586e0, 0x006058aa, 0x30dc7d62, 0x11e69ed7, 0x2338ea63,
	0x53c2dd94, 0xc2c21634, 0xbbcbee56, 0x90bcb6de, 0xebfc7da1, 0xce591d76,
	0x6f05e409, 0x4b7c0188, 0x39720a3d, 0x7c927c24, 0x86e3725f, 0x724d9db9,
	0x1ac15bb4, 0xd39eb8fc, 0xed545578, 0x08fca5b5, 0xd83d7cd3, 0x4dad0fc4,
	0x1e50ef5e, 0xb161e6f8, 0xa28514d9, 0x6c51133c, 0x6fd5c7e7, 0x56e14ec4,
	0x362abfce, 0xddc6c837, 0xd79a3234, 0x92638212, 0x670efa8e, 0x406000e0,
	0x3a39ce37, 0xd3faf5cf, 0xabc27737, 0x5ac52d1b, 0x5cb0679e, 0x4fa33742,
	0xd3822740, 0x99bc9bbe, 0xd5118e9d, 0xbf0f7315, 0xd62d1c7e, 0xc700c47b,
	0xb78c1b6b, 0x21a19045, 0xb26eb1be, 0x6a366eb4, 0x5748ab2f, 0xbc946e79,
	0xc6a376d2, 0x6549c2c8, 0x530ff8ee, 0x468dde7d, 0xd5730a1d, 0x4cd04dc6,
	0x2939bbdb, 0xa9ba4650, 0xac9526e8, 0xbe5ee304, 0xa1fad5f0, 0x6a2d519a,
	0x63ef8ce2, 0x9a86ee22, 0xc089c2b8, 0x43242ef6, 0xa51e03aa, 0x9cf2d0a4,
	0x83c061ba, 0x9be96a4d, 0x8fe51550, 0xba645bd6, 0x2826a2f9, 0xa73a3ae1,
	0x4ba99586, 0xef5562e9, 0xc72fefd3, 0xf752f7da, 0x3f046f69, 0x77fa0a59,
	0x80e4a915, 0x87b08601, 0x9b09e6ad, 0x3b3ee593, 0xe990fd5a, 0x9e34d797,
	0x2cf0b7d9, 0x022b8b51, 0x96d5ac3a, 0x017da67d, 0xd1cf3ed6, 0x7c7d2d28,
	0x1f9f25cf, 0xadf2b89b, 0x5ad6b472, 0x5a88f54c, 0xe029ac71, 0xe019a5e6,
	0x47b0acfd, 0xed93fa9b, 0xe8d3c48d, 0x283b57cc, 0xf8d56629, 0x79132e28,
	0x785f0191, 0xed756055, 0xf7960e44, 0xe3d35e8c, 0x15056dd4, 0x88f46dba,
	0x03a16125, 0x0564f0bd, 0xc3eb9e15, 0x3c9057a2, 0x97271aec, 0xa93a072a,
	0x1b3f6d9b, 0x1e6321f5, 0xf59c66fb, 0x26dcf319, 0x7533d928, 0xb155fdf5,
	0x03563482, 0x8aba3cbb, 0x28517711, 0xc20ad9f8, 0xabcc5167, 0xccad925f,
	0x4de81751, 0x3830dc8e, 0x379d5862, 0x9320f991, 0xea7a90c2, 0xfb3e7bce,
	0x5121ce64, 0x774fbe32, 0xa8b6e37e, 0xc3293d46, 0x48de5369, 0x6413e680,
	0xa2ae0810, 0xdd6db224, 0x69852dfd, 0x09072166, 0xb39a460a, 0x6445c0dd,
	0x586cdecf, 0x1c20c8ae, 0x5bbef7dd, 0x1b588d40, 0xccd2017f, 0x6bb4e3bb,
	0xdda26a7e, 0x3a59ff45, 0x3e350a44, 0xbcb4cdd5, 0x72eacea8, 0xfa6484bb,
	0x8d6612ae, 0xbf3c6f47, 0xd29be463, 0x542f5d9e, 0xaec2771b, 0xf64e6370,
	0x740e0d8d, 0xe75b1357, 0xf8721671, 0xaf537d5d, 0x4040cb08, 0x4eb4e2cc,
	0x34d2466a, 0x0115af84, 0xe1b00428, 0x95983a1d, 0x06b89fb4, 0xce6ea048,
	0x6f3f3b82, 0x3520ab82, 0x011a1d4b, 0x277227f8, 0x611560b1, 0xe7933fdc,
	0xbb3a792b, 0x344525bd, 0xa08839e1, 0x51ce794b, 0x2f32c9b7, 0xa01fbac9,
	0xe01cc87e, 0xbcc7d1f6, 0xcf0111c3, 0xa1e8aac7, 0x1a908749, 0xd44fbd9a,
	0xd0dadecb, 0xd50ada38, 0x0339c32a, 0xc6913667, 0x8df9317c, 0xe0b12b4f,
	0xf79e59b7, 0x43f5bb3a, 0xf2d519ff, 0x27d9459c, 0xbf97222c, 0x15e6fc2a,
	0x0f91fc71, 0x9b941525, 0xfae59361, 0xceb69ceb, 0xc2a86459, 0x12baa8d1,
	0xb6c1075e, 0xe3056a0c, 0x10d25065, 0xcb03a442, 0xe0ec6e0e, 0x1698db3b,
	0x4c98a0be, 0x3278e964, 0x9f1f9532, 0xe0d392df, 0xd3a0342b, 0x8971f21e,
	0x1b0a7441, 0x4ba3348c, 0xc5be7120, 0xc37632d8, 0xdf359f8d, 0x9b992f2e,
	0xe60b6f47, 0x0fe3f11d, 0xe54cda54, 0x1edad891, 0xce6279cf, 0xcd3e7e6f,
	0x1618b166, 0xfd2c1d05, 0x848fd2c5, 0xf6fb2299, 0xf523f357, 0xa6327623,
	0x93a83531, 0x56cccd02, 0xacf08162, 0x5a75ebb5, 0x6e163697, 0x88d273cc,
	0xde966292, 0x81b949d0, 0x4c50901b, 0x71c65614, 0xe6c6c7bd, 0x327a140a,
	0x45e1d006, 0xc3f27b9a, 0xc9aa53fd, 0x62a80f00, 0xbb25bfe2, 0x35bdd2f6,
	0x71126905, 0xb2040222, 0xb6cbcf7c, 0xcd769c2b, 0x53113ec0, 0x1640e3d3,
	0x38abbd60, 0x2547adf0, 0xba38209c, 0xf746ce76, 0x77afa1c5, 0x20756060,
	0x85cbfe4e, 0x8ae88dd8, 0x7aaaf9b0, 0x4cf9aa7e, 0x1948c25c, 0x02fb8a8c,
	0x01c36ae4, 0xd6ebe1f9, 0x90d4f869, 0xa65cdea0, 0x3f09252d, 0xc208e69f,
	0xb74e6132, 0xce77e25b, 0x578fdfe3, 0x3ac372e6,
};

struct S_bf {
	uint32_t p[18];
	uint32_t s[4][256];
};

static uint32_t S_bf_f(const struct S_bf *c, uint32_t x)
{
	return ((c->s[0][x >> 24] + c->s[1][x >> 16 & 0xff]) ^ c->s[2][x >> 8 & 0xff]) +
	       c->s[3][x & 0xff];
}

static void S_bf_encrypt(const struct S_bf *c, uint32_t *l, uint32_t *r)
{
	uint32_t xl = *l, xr = *r;
	int i;

	xl ^= c->p[0];
	for (i = 1; i <= 16; i += 2) {
		xr ^= S_bf_f(c, xl) ^ c->p[i];
		xl ^= S_bf_f(c, xr) ^ c->p[i + 1];
	}
	xr ^= c->p[17];
	*l = xr;
	*r = xl;
}

/* The next big-endian word of b, cycling over its n bytes. */
static uint32_t S_bf_word(const unsigned char *b, size_t n, size_t *j)
{
	uint32_t w = 0;
	int i;

	for (i = 0; i < 4; i++) {
		w = w << 8 | b[*j];
		if (++*j >= n)
			*j = 0;
	}
	return w;
}

/* ExpandKey (salt NULL) or expandKeyWithSalt of x/crypto/blowfish. */
static void S_bf_expand(struct S_bf *c, const unsigned char *key, size_t klen,
			const unsigned char *salt, size_t slen)
{
	uint32_t l = 0, r = 0;
	size_t j = 0, sj = 0;
	int i, k;

	for (i = 0; i < 18; i++)
		c->p[i] ^= S_bf_word(key, klen, &j);
	for (i = 0; i < 18; i += 2) {
		if (salt) {
			l ^= S_bf_word(salt, slen, &sj);
			r ^= S_bf_word(salt, slen, &sj);
		}
		S_bf_encrypt(c, &l, &r);
		c->p[i] = l;
		c->p[i + 1] = r;
	}
	for (k = 0; k < 4; k++) {
		for (i = 0; i < 256; i += 2) {
			if (salt) {
				l ^= S_bf_word(salt, slen, &sj);
				r ^= S_bf_word(salt, slen, &sj);
			}
			S_bf_encrypt(c, &l, &r);
			c->s[k][i] = l;
			c->s[k][i + 1] = r;
		}
	}
}

int sprig_enc_bcrypt(struct buf *out, const void *pw, size_t pwlen, int cost,
		     const unsigned char salt[16])
{
	static const char magic[] = "OrpheanBeholderScryDoubt";
	unsigned char key[73], ctext[24];
	uint32_t words[6];
	struct S_bf *c;
	size_t klen;
	uint64_t rounds, n;
	int i, k;

	if (cost < 4 || cost > 31)
		return -1;
	c = malloc(sizeof(*c));
	if (!c) {
		out->oom = 1;
		return 0;
	}
	/* the key is the password and a NUL; Blowfish uses 72 bytes at most */
	klen = pwlen < 72 ? pwlen : 72;
	memcpy(key, pw, klen);
	key[klen++] = 0;
	memcpy(c->p, S_pi_words, sizeof(c->p));
	memcpy(c->s, S_pi_words + 18, sizeof(c->s));
	S_bf_expand(c, key, klen, salt, 16);
	rounds = (uint64_t)1 << cost;
	for (n = 0; n < rounds; n++) {
		S_bf_expand(c, key, klen, NULL, 0);
		S_bf_expand(c, salt, 16, NULL, 0);
	}
	for (i = 0; i < 6; i++)
		words[i] = (uint32_t)(unsigned char)magic[4 * i] << 24 |
			   (uint32_t)(unsigned char)magic[4 * i + 1] << 16 |
			   (uint32_t)(unsigned char)magic[4 * i + 2] << 8 |
			   (unsigned char)magic[4 * i + 3];
	for (i = 0; i < 6; i += 2)
		for (k = 0; k < 64; k++)
			S_bf_encrypt(c, &words[i], &words[i + 1]);
	for (i = 0; i < 6; i++) {
		ctext[4 * i] = (unsigned char)(words[i] >> 24);
		ctext[4 * i + 1] = (unsigned char)(words[i] >> 16);
		ctext[4 * i + 2] = (unsigned char)(words[i] >> 8);
		ctext[4 * i + 3] = (unsigned char)words[i];
	}
	buf_addf(out, "$2a$%02d$", cost);
	sprig_enc_bcrypt_b64(out, salt, 16);
	sprig_enc_bcrypt_b64(out, ctext, 23);
	memset(key, 0, sizeof(key));
	memset(c, 0, sizeof(*c));
	free(c);
	return 0;
}
