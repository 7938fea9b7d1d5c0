/*
 * YAML streams -> json_t (see render/yaml.h; docs/yaml.md has the rules).
 *
 * libyaml's event parser feeds a recursive builder. Scalars are resolved as
 * go-yaml v2 (YDOC_HELM) or v3 (YDOC_KUSTOMIZE) resolve them into
 * interface{}, then mapped to what encoding/json makes of that value.
 *
 * Errors that go-yaml finds while decoding (not while parsing) are held back
 * until the end of the document, so that a syntax error later in the same
 * document wins, as it does in go-yaml, which parses a whole document first.
 */
#include "render/yaml.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/gofloat.h"
#include "render/goscalar.h"
#include "render/jslab.h"
#include "render/srcfile.h"
#include "render/yscan.h"

#include <yaml.h>

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_DEPTH ((size_t)1000)
#define DEFAULT_MAX_NODES ((size_t)10000000)
#define DEFAULT_ALIAS_RATIO ((size_t)100)
#define DEFAULT_MAX_DOCS ((size_t)100000)
#define DEFAULT_MAX_STACK ((size_t)6 << 20)
#define ALIAS_RATIO_FLOOR ((size_t)10000)
/* Positions are not recorded for nodes whose pointer is longer than this,
 * so that huge keys cannot multiply memory by the number of their children. */
#define MAX_POINTER_LEN ((size_t)4096)

#define TAG_PREFIX "tag:yaml.org,2002:"

enum rkind { R_NULL, R_BOOL, R_INT, R_UINT, R_FLOAT, R_STR, R_TIME };

/* A resolved scalar, as go-yaml hands it to interface{}. */
struct rscalar {
	enum rkind kind;
	int b;
	int64_t i;
	uint64_t u;
	double f;
	struct buf s; /* R_STR, R_TIME: the text (decoded for !!binary) */
	int merge;    /* the merge key "<<" */
};

struct anchor {
	char *name;
	json_t *value;  /* NULL while the anchored node is being built */
	size_t nodes;   /* nodes of value, aliases expanded */
	size_t height;  /* nesting depth of value */
	int is_scalar;
	char *key;      /* the scalar as a mapping key; NULL: keyerr says why */
	size_t keylen;
	char *keyerr;
	unsigned gen;   /* bumped by every (re)definition */
};

struct yparser {
	yaml_parser_t parser;
	yaml_event_t ev;
	int have_ev;           /* ev is libyaml's, to be deleted */
	int fast;              /* events come from ys (render/yscan.c) */
	struct yscan ys;
	struct srcfile *src;
	enum ydoc_mode mode;
	size_t max_depth, max_nodes, alias_ratio, max_docs, max_stack;
	char *stack_base;      /* an address near the top of the parse's stack */
	struct diag *d;
	struct diag sem;       /* first decode error of the document */
	size_t nodes, parsed, depth;
	struct anchor *anchors;
	size_t nanchors, aanchors;
	json_t *anchor_index;  /* name -> index into anchors */
	struct buf ptr;        /* JSON Pointer of the node being built */
	json_t *positions;     /* of the current document */
	int nopos;
	int noptr;             /* no_positions: ptr is never built */
	struct rscalar rs;     /* the scalar being resolved: scratch, never live
				* across a call of build_node */
	size_t cur_char, cur_byte, bom;
	int utf16;             /* 0, 1 little-endian, 2 big-endian */
	int ascii;             /* UTF-8 without a byte >= 0x80: bytes are characters */
	int merged;            /* the document has a "<<" merge key */
	int values;            /* ydoc_parse_values: Helm's document rules */
};

/* What a finished node tells its parent. */
struct ninfo {
	int line, col;
	size_t nodes, height;
};

/* ---- small helpers ---- */

static int oom(struct yparser *p)
{
	return diag_set(p->d, DIAG_ENOMEM, "out of memory");
}

static const char *srcname(const struct yparser *p)
{
	return p->src->name ? p->src->name : "<input>";
}

/* Records the first decode error of a document; parsing goes on. */
static void sem_error(struct yparser *p, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void sem_error(struct yparser *p, int line, int col, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	if (p->sem.code)
		return;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	diag_set_at(&p->sem, DIAG_EPARSE, p->src, line, col, 1, "%s", msg.ptr);
	buf_release(&msg);
}

/* Go's %q-like quoting, for keys named in messages. */
static void add_quoted(struct buf *b, const char *s, size_t len)
{
	size_t i;

	buf_addch(b, '"');
	for (i = 0; i < len && i < 200; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			buf_addf(b, "\\%c", c);
		else if (c == '\n')
			buf_adds(b, "\\n");
		else if (c == '\t')
			buf_adds(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addch(b, (char)c);
	}
	if (i < len)
		buf_adds(b, "...");
	buf_addch(b, '"');
}

/* Whether no byte of s has its high bit set. */
static int all_ascii(const char *s, size_t len)
{
	uint64_t any = 0;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		any |= w;
	}
	for (; i < len; i++)
		any |= (unsigned char)s[i];
	return !(any & 0x8080808080808080ULL);
}

/* Character index (libyaml's mark.index) -> byte offset in src. */
static size_t byte_offset(struct yparser *p, size_t index)
{
	const unsigned char *s = (const unsigned char *)p->src->data;
	size_t len = p->src->len;

	if (p->ascii)
		return p->bom + index < len ? p->bom + index : len;
	if (index < p->cur_char) {
		p->cur_char = 0;
		p->cur_byte = p->bom;
	}
	while (p->cur_char < index && p->cur_byte < len) {
		size_t step;
		if (p->utf16) {
			unsigned hi = p->cur_byte + 1 < len
				? (p->utf16 == 1 ? s[p->cur_byte + 1] : s[p->cur_byte]) : 0;
			step = (hi & 0xFC) == 0xD8 ? 4 : 2;
		} else {
			unsigned char c = s[p->cur_byte];
			uint64_t w;

			/* eight ASCII characters at once */
			if (index - p->cur_char >= 8 && len - p->cur_byte >= 8 &&
			    (memcpy(&w, s + p->cur_byte, 8), !(w & 0x8080808080808080ULL))) {
				p->cur_byte += 8;
				p->cur_char += 8;
				continue;
			}
			step = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		}
		p->cur_byte += step;
		p->cur_char++;
	}
	return p->cur_byte < len ? p->cur_byte : len;
}

/* Appends s to b, replacing invalid UTF-8 with U+FFFD byte by byte, as Go's
 * encoding/json does (only !!binary can produce such strings). */
static void add_utf8(struct buf *b, const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n = 0;
		uint32_t cp = 0, min = 0;

		if (c < 0x80) {
			buf_addch(b, (char)c);
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 2; cp = c & 0x1F; min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3; cp = c & 0x0F; min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4; cp = c & 0x07; min = 0x10000;
		}
		if (n && i + n <= len) {
			size_t k;
			for (k = 1; k < n; k++) {
				if ((s[i + k] & 0xC0) != 0x80)
					break;
				cp = (cp << 6) | (s[i + k] & 0x3F);
			}
			if (k == n && cp >= min && cp <= 0x10FFFF &&
			    !(cp >= 0xD800 && cp <= 0xDFFF)) {
				buf_add(b, s + i, n);
				i += n;
				continue;
			}
		}
		buf_adds(b, "\xEF\xBF\xBD");
		i++;
	}
}

/* ---- timestamps ---- */

/* time.Time.MarshalJSON: RFC 3339 with nanoseconds, trailing zeros cut. */
static void format_rfc3339nano(struct buf *b, const struct goscalar_time *t)
{
	buf_addf(b, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->mon, t->day,
		 t->hour, t->min, t->sec);
	if (t->nsec) {
		char frac[16];
		int n;
		snprintf(frac, sizeof(frac), "%09ld", t->nsec);
		for (n = 9; n > 0 && frac[n - 1] == '0'; n--)
			;
		buf_addch(b, '.');
		buf_add(b, frac, (size_t)n);
	}
	if (t->off == 0) {
		buf_addch(b, 'Z');
	} else {
		int a = t->off < 0 ? -t->off : t->off;
		buf_addf(b, "%c%02d:%02d", t->off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
	}
}

/* ---- base64 (Go's base64.StdEncoding.DecodeString) ---- */

static int b64val(int c)
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

static int b64_decode(struct buf *out, const char *s, size_t len)
{
	unsigned char q[4];
	size_t i, n = 0, pad = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i], v;
		if (c == '\r' || c == '\n')
			continue;
		if (pad && c != '=')
			return -1;
		if (c == '=') {
			if (n < 2)
				return -1;
			pad++;
			q[n++] = 0;
		} else {
			if ((v = b64val(c)) < 0)
				return -1;
			q[n++] = (unsigned char)v;
		}
		if (n == 4) {
			unsigned char o[3];
			o[0] = (unsigned char)(q[0] << 2 | q[1] >> 4);
			o[1] = (unsigned char)(q[1] << 4 | q[2] >> 2);
			o[2] = (unsigned char)(q[2] << 6 | q[3]);
			buf_add(out, o, 3 - pad);
			n = 0;
			if (pad)
				pad = 3; /* nothing may follow; 3 marks "done" */
		}
	}
	if (n != 0)
		return -1;
	return 0;
}

/* ---- scalar resolution (go-yaml resolve.go, v2 and v3) ---- */

static const char *short_tag(const char *tag, char *tmp, size_t tmpsz)
{
	if (tag && strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0) {
		snprintf(tmp, tmpsz, "!!%s", tag + strlen(TAG_PREFIX));
		return tmp;
	}
	return tag ? tag : "";
}

static int eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

static enum rkind rkind_of(enum goscalar_kind k)
{
	switch (k) {
	case GOSCALAR_NULL: return R_NULL;
	case GOSCALAR_BOOL: return R_BOOL;
	case GOSCALAR_INT: return R_INT;
	case GOSCALAR_UINT: return R_UINT;
	case GOSCALAR_FLOAT: return R_FLOAT;
	case GOSCALAR_TIMESTAMP: return R_TIME;
	case GOSCALAR_STR: break;
	}
	return R_STR;
}

static const char *rkind_tag(enum rkind k)
{
	switch (k) {
	case R_NULL: return "!!null";
	case R_BOOL: return "!!bool";
	case R_INT: case R_UINT: return "!!int";
	case R_FLOAT: return "!!float";
	case R_TIME: return "!!timestamp";
	case R_STR: break;
	}
	return "!!str";
}

/*
 * Resolves one scalar event. Returns 0, -1 with *why set (a decode
 * error: the caller records it at the node), or DIAG_ENOMEM. r->s holds
 * the text for R_STR and R_TIME.
 */
static int resolve(struct yparser *p, struct rscalar *r, const yaml_event_t *ev,
		   struct buf *why)
{
	const char *in = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *rawtag = (const char *)ev->data.scalar.tag;
	char tagbuf[128];
	const char *tag;

	r->kind = R_STR;
	r->b = 0;
	r->i = 0;
	r->u = 0;
	r->f = 0;
	r->merge = 0;
	buf_reset(&r->s);
	int implicit = ev->data.scalar.plain_implicit;

	if (rawtag && p->mode == YDOC_KUSTOMIZE && strcmp(rawtag, "!") == 0 &&
	    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		rawtag = NULL; /* yaml.v3 resolves a plain "! x" as if untagged */
		implicit = 1;
	}
	if (!rawtag && !implicit) {
		/* quoted or block scalar, no tag: always a string */
		buf_set(&r->s, in, len);
		return 0;
	}
	tag = short_tag(rawtag, tagbuf, sizeof(tagbuf));
	/* go-yaml's isMerge: a plain "<<" or one tagged !!merge */
	if (eq(in, len, "<<") && (!rawtag || strcmp(tag, "!!merge") == 0 ||
				   (p->mode == YDOC_KUSTOMIZE && strcmp(tag, "!") == 0)))
		r->merge = 1;
	if (strcmp(tag, "!!binary") == 0) {
		struct buf raw = BUF_INIT;
		if (b64_decode(&raw, in, len) < 0) {
			buf_release(&raw);
			buf_adds(why, "!!binary value contains invalid base64 data");
			return -1;
		}
		buf_reset(&r->s);
		add_utf8(&r->s, (const unsigned char *)raw.ptr, raw.len);
		buf_release(&raw);
		return 0;
	}
	if (*tag && strcmp(tag, "!!str") && strcmp(tag, "!!bool") && strcmp(tag, "!!int") &&
	    strcmp(tag, "!!float") && strcmp(tag, "!!null") && strcmp(tag, "!!timestamp")) {
		/* not a tag go-yaml resolves: the text as it is */
		buf_set(&r->s, in, len);
		return 0;
	}

	r->kind = R_STR;
	/* Text starting with a letter resolves only as one of go-yaml's words
	 * (y, off, true, NULL, ...), none longer than 5 bytes: a string. */
	if (len > 5 && ((in[0] | 0x20) >= 'a' && (in[0] | 0x20) <= 'z')) {
		/* as goscalar_resolve would say */
	} else if (strcmp(tag, "!!str") != 0) {
		struct goscalar g;
		unsigned flags = p->mode == YDOC_HELM ? 0 : GOSCALAR_V3;

		if (*tag && strcmp(tag, "!!timestamp") != 0)
			flags |= GOSCALAR_NO_TIMESTAMP;
		if (goscalar_resolve(&g, in, len, flags) < 0)
			return DIAG_ENOMEM;
		r->kind = rkind_of(g.kind);
		r->b = g.b;
		r->i = g.i;
		r->u = g.u;
		r->f = g.f;
		if (r->kind == R_TIME) {
			buf_reset(&r->s);
			if (p->mode == YDOC_HELM)
				buf_add(&r->s, in, len); /* v2 keeps the text */
			else
				format_rfc3339nano(&r->s, &g.t);
			goto check;
		}
	}
	if (r->kind == R_STR)
		buf_set(&r->s, in, len);
check:
	/* An explicit tag must agree with what the text resolves to. */
	if (*tag && strcmp(tag, "!!str") != 0 && strcmp(tag, rkind_tag(r->kind)) != 0) {
		if (strcmp(tag, "!!float") == 0 && r->kind == R_INT) {
			r->kind = R_FLOAT;
			r->f = (double)r->i;
			return 0;
		}
		buf_addf(why, "cannot decode %s `%.*s` as a %s", rkind_tag(r->kind),
			 (int)(len > 200 ? 200 : len), in, tag);
		return -1;
	}
	if (*tag && strcmp(tag, "!!str") == 0 && r->kind != R_STR) {
		r->kind = R_STR;
		buf_set(&r->s, in, len);
	}
	return 0;
}

/* The JSON value of a resolved scalar (NULL + *why for NaN/Inf). */
static json_t *scalar_json(struct yparser *p, const struct rscalar *r, struct buf *why)
{
	switch (r->kind) {
	case R_NULL:
		return json_null();
	case R_BOOL:
		return json_boolean(r->b);
	case R_INT:
		return p->mode == YDOC_HELM ? json_real((double)r->i) : json_integer(r->i);
	case R_UINT:
		return json_real((double)r->u);
	case R_FLOAT:
		if (isnan(r->f) || isinf(r->f)) {
			buf_addf(why, "json: unsupported value: %s",
				 isnan(r->f) ? "NaN" : r->f > 0 ? "+Inf" : "-Inf");
			return NULL;
		}
		return json_real(r->f);
	case R_STR:
	case R_TIME:
		break;
	}
	/* valid UTF-8: libyaml's reader refuses anything else (escapes
	 * included), and add_utf8 sanitizes !!binary */
	return json_stringn_nocheck(r->s.ptr, r->s.len);
}

/*
 * A float mapping key as sigs.k8s.io/yaml spells it:
 * strconv.FormatFloat(v, 'g', -1, 32), with Go's "NaN", "+Inf" and "-Inf"
 * put back into YAML's words. Out of memory leaves key->oom set.
 */
static void float_key(struct buf *key, double v)
{
	size_t start = key->len;
	const char *text;

	if (gofloat_format(key, v, 'g', -1, 32) < 0)
		return;
	text = key->ptr + start;
	if (strcmp(text, "NaN") == 0 || strcmp(text, "+Inf") == 0 ||
	    strcmp(text, "-Inf") == 0) {
		const char *word = text[0] == 'N' ? ".nan" : text[0] == '+' ? ".inf" : "-.inf";

		buf_truncate(key, start);
		buf_adds(key, word);
	}
}

/*
 * The mapping key a resolved scalar becomes: sigs.k8s.io/yaml's
 * convertToJSONableObject for YDOC_HELM; only strings for YDOC_KUSTOMIZE
 * (anything else makes yaml.v3 build a map[interface{}]interface{}, which
 * encoding/json refuses). Returns -1 with *why set.
 */
static int scalar_key(struct yparser *p, struct buf *key, const struct rscalar *r,
		      const char *text, size_t textlen, struct buf *why)
{
	buf_reset(key);
	if (p->mode == YDOC_KUSTOMIZE) {
		if (r->kind == R_STR) {
			buf_add(key, r->s.ptr, r->s.len);
			return 0;
		}
		buf_adds(why, "mapping key ");
		add_quoted(why, text, textlen);
		buf_addf(why, " is a %s, not a string (json: unsupported type: "
			 "map[interface {}]interface {})", rkind_tag(r->kind));
		return -1;
	}
	switch (r->kind) {
	case R_STR:
	case R_TIME:
		buf_add(key, r->s.ptr, r->s.len);
		return 0;
	case R_INT:
		buf_addf(key, "%lld", (long long)r->i);
		return 0;
	case R_FLOAT:
		float_key(key, r->f);
		return 0;
	case R_BOOL:
		buf_adds(key, r->b ? "true" : "false");
		return 0;
	case R_UINT:
		buf_addf(why, "unsupported map key of type: uint64, key: 0x%llx",
			 (unsigned long long)r->u);
		return -1;
	case R_NULL:
		break;
	}
	buf_adds(why, "unsupported map key of type: %!s(<nil>), key: <nil>");
	return -1;
}

/* ---- events, errors, limits ---- */

static int parse_error(struct yparser *p)
{
	yaml_parser_t *y = &p->parser;
	const char *problem = y->problem ? y->problem : "unknown problem parsing YAML content";
	int line, col;

	if (y->error == YAML_MEMORY_ERROR)
		return oom(p);
	if (y->error == YAML_READER_ERROR) {
		srcfile_locate(p->src, y->problem_offset, &line, &col);
		if (y->problem_value != -1)
			return diag_set_at(p->d, DIAG_EPARSE, p->src, line, col, 1,
					   "%s (byte 0x%02X)", problem, (unsigned)y->problem_value & 0xFF);
		return diag_set_at(p->d, DIAG_EPARSE, p->src, line, col, 1, "%s", problem);
	}
	line = (int)y->problem_mark.line + 1;
	col = (int)y->problem_mark.column + 1;
	if (y->context)
		return diag_set_at(p->d, DIAG_EPARSE, p->src, line, col, 1,
				   "%s (%s at %d:%d)", problem, y->context,
				   (int)y->context_mark.line + 1, (int)y->context_mark.column + 1);
	return diag_set_at(p->d, DIAG_EPARSE, p->src, line, col, 1, "%s", problem);
}

/*
 * libyaml 0.2.5 accepts "\/" in a double-quoted scalar (YAML 1.2's JSON
 * escape); go-yaml v2 and v3 stop with "found unknown escape character",
 * and so Helm and kustomize fail on it. Finds such an escape in the raw text
 * of the scalar event ev; its byte offset in *at.
 */
static int has_slash_escape(struct yparser *p, const yaml_event_t *ev, size_t *at)
{
	const char *s = p->src->data;
	size_t i, end;

	if (ev->type != YAML_SCALAR_EVENT ||
	    ev->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE || p->utf16)
		return 0;
	i = byte_offset(p, ev->start_mark.index);
	end = byte_offset(p, ev->end_mark.index);
	for (; i + 1 < end; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == '/') {
			*at = i;
			return 1;
		}
		i++; /* skip the escaped character: "\\/" is a backslash, then "/" */
	}
	return 0;
}

/* Makes p->ev the next event. */
static int next_event(struct yparser *p)
{
	size_t at;
	int line, col;

	if (p->fast)
		/* a bail: stream_parse starts again with libyaml */
		return yscan_next(&p->ys, &p->ev) < 0 ? DIAG_EPARSE : 0;
	if (p->have_ev) {
		yaml_event_delete(&p->ev);
		p->have_ev = 0;
	}
	if (!yaml_parser_parse(&p->parser, &p->ev))
		return parse_error(p);
	p->have_ev = 1;
	if (has_slash_escape(p, &p->ev, &at)) {
		srcfile_locate(p->src, at, &line, &col);
		return diag_set_at(p->d, DIAG_EPARSE, p->src, line, col, 2,
				   "found unknown escape character (while parsing a quoted scalar)");
	}
	return 0;
}

static int limit_error(struct yparser *p, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int limit_error(struct yparser *p, int line, int col, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	int code;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	code = diag_set_at(p->d, DIAG_ELIMIT, p->src, line, col, 1, "%s", msg.ptr);
	buf_release(&msg);
	return code;
}

/* Bytes of stack between the start of the parse and here. */
static size_t stack_used(const struct yparser *p)
{
	char here;
	char *h = &here;

	return (size_t)(p->stack_base > h ? p->stack_base - h : h - p->stack_base);
}

static int count_nodes(struct yparser *p, size_t n, int line, int col)
{
	p->nodes += n;
	if (p->nodes > p->max_nodes)
		return limit_error(p, line, col, "document expands to more than %zu nodes "
				   "(limit max_nodes)", p->max_nodes);
	if (p->nodes > ALIAS_RATIO_FLOOR && p->nodes / p->alias_ratio > p->parsed)
		return limit_error(p, line, col, "excessive aliasing: %zu nodes from %zu "
				   "parsed (limit max_alias_ratio %zu)", p->nodes, p->parsed,
				   p->alias_ratio);
	return 0;
}

static void set_position(struct yparser *p, int line, int col)
{
	json_t *pos;

	if (p->nopos || !p->positions || p->ptr.len > MAX_POINTER_LEN)
		return;
	pos = json_array();
	if (!pos)
		return;
	json_array_append_new(pos, json_integer(line));
	json_array_append_new(pos, json_integer(col));
	json_object_setn_new_nocheck(p->positions, p->ptr.ptr, p->ptr.len, pos);
}

static void push_key(struct yparser *p, const char *key, size_t len)
{
	size_t i;

	if (p->noptr)
		return;
	buf_addch(&p->ptr, '/');
	if (p->ptr.len > MAX_POINTER_LEN)
		return;
	for (i = 0; i < len; i++) {
		if (key[i] == '~')
			buf_adds(&p->ptr, "~0");
		else if (key[i] == '/')
			buf_adds(&p->ptr, "~1");
		else
			buf_addch(&p->ptr, key[i]);
	}
}

/* ---- anchors ---- */

static struct anchor *anchor_find(struct yparser *p, const char *name)
{
	json_t *ix = json_object_get(p->anchor_index, name);
	return ix ? &p->anchors[json_integer_value(ix)] : NULL;
}

/* Starts (or restarts) anchor name: pending until anchor_done. */
static int anchor_begin(struct yparser *p, const char *name, size_t *ix_out)
{
	struct anchor *a = anchor_find(p, name);

	if (!a) {
		if (p->nanchors == p->aanchors) {
			size_t n = p->aanchors ? 2 * p->aanchors : 16;
			struct anchor *na = realloc(p->anchors, n * sizeof(*na));
			if (!na)
				return oom(p);
			p->anchors = na;
			p->aanchors = n;
		}
		a = &p->anchors[p->nanchors];
		memset(a, 0, sizeof(*a));
		if (!(a->name = strdup(name)) ||
		    json_object_set_new(p->anchor_index, name,
					json_integer((json_int_t)p->nanchors)) < 0) {
			free(a->name);
			return oom(p);
		}
		p->nanchors++;
	} else {
		json_decref(a->value);
		free(a->key);
		free(a->keyerr);
		a->value = NULL;
		a->key = a->keyerr = NULL;
	}
	a->gen++;
	*ix_out = (size_t)(a - p->anchors);
	return 0;
}

static void anchors_reset(struct yparser *p)
{
	size_t i;

	for (i = 0; i < p->nanchors; i++) {
		free(p->anchors[i].name);
		json_decref(p->anchors[i].value);
		free(p->anchors[i].key);
		free(p->anchors[i].keyerr);
	}
	p->nanchors = 0;
	json_object_clear(p->anchor_index);
}

/* ---- the builder ---- */

static int build_node(struct yparser *p, json_t **out, struct ninfo *info);

/*
 * The keys of a mapping being built in YDOC_KUSTOMIZE mode, for yaml.v3's
 * duplicate check: (kind, text as written) -> line. Only 64-bit hashes are
 * kept (FNV-1a), in an open-addressing table that starts on the stack, so
 * that small mappings cost no allocation.
 */
#define KEYSET_INLINE 16

struct keyset {
	uint64_t *h;
	int *line;
	size_t n, cap;
	uint64_t h_inline[KEYSET_INLINE];
	int line_inline[KEYSET_INLINE];
};

static void keyset_init(struct keyset *ks)
{
	ks->h = ks->h_inline;
	ks->line = ks->line_inline;
	ks->n = 0;
	ks->cap = KEYSET_INLINE;
	memset(ks->h_inline, 0, sizeof(ks->h_inline));
}

static void keyset_release(struct keyset *ks)
{
	if (ks->h != ks->h_inline) {
		free(ks->h);
		free(ks->line);
	}
}

static uint64_t key_hash(char kind, const char *text, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	h = (h ^ (unsigned char)kind) * 0x100000001b3ull;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 0x100000001b3ull;
	return h ? h : 1; /* 0 marks an empty slot */
}

/* Adds h; returns the line it was first seen at, 0 if new, -1 if out of memory. */
static int keyset_add(struct keyset *ks, uint64_t h, int line)
{
	size_t i;

	if (2 * (ks->n + 1) > ks->cap) {
		size_t cap = 2 * ks->cap, j;
		uint64_t *nh = calloc(cap, sizeof(*nh));
		int *nl = malloc(cap * sizeof(*nl));
		if (!nh || !nl) {
			free(nh);
			free(nl);
			return -1;
		}
		for (j = 0; j < ks->cap; j++) {
			if (!ks->h[j])
				continue;
			for (i = ks->h[j] & (cap - 1); nh[i]; i = (i + 1) & (cap - 1))
				;
			nh[i] = ks->h[j];
			nl[i] = ks->line[j];
		}
		keyset_release(ks);
		ks->h = nh;
		ks->line = nl;
		ks->cap = cap;
	}
	for (i = h & (ks->cap - 1); ks->h[i]; i = (i + 1) & (ks->cap - 1))
		if (ks->h[i] == h)
			return ks->line[i];
	ks->h[i] = h;
	ks->line[i] = line;
	ks->n++;
	return 0;
}

static int check_duplicate(struct yparser *p, struct keyset *seen, char kind,
			   const char *text, size_t len, int line, int col)
{
	int prev = keyset_add(seen, key_hash(kind, text, len), line);

	if (prev < 0)
		return oom(p);
	if (prev > 0) {
		struct buf msg = BUF_INIT;
		buf_adds(&msg, "mapping key ");
		add_quoted(&msg, text, len);
		buf_addf(&msg, " already defined at line %d", prev);
		sem_error(p, line, col, "%s", msg.ptr);
		buf_release(&msg);
	}
	return 0;
}

/* Applies one merge source (an object) to obj. */
static void merge_into(struct yparser *p, json_t *obj, json_t *src, const char *base,
		       size_t baselen, int line, int col)
{
	const char *key;
	size_t klen;
	json_t *v;

	json_object_keylen_foreach(src, key, klen, v) {
		if (p->mode == YDOC_KUSTOMIZE && json_object_getn(obj, key, klen))
			continue; /* v3: explicit keys and earlier merges win */
		json_object_setn(obj, key, klen, v);
		if (!p->nopos && !p->noptr) {
			buf_truncate(&p->ptr, baselen);
			push_key(p, key, klen);
			set_position(p, line, col);
		}
	}
	buf_truncate(&p->ptr, baselen);
	(void)base;
}

static int build_mapping(struct yparser *p, json_t **out, struct ninfo *info)
{
	json_t *obj = json_object(), *merges = NULL, *mpos = NULL, *val = NULL;
	struct keyset seenset, *seen = NULL;
	struct buf key = BUF_INIT, why = BUF_INIT;
	struct rscalar *r = &p->rs;
	size_t base = p->ptr.len;
	int error = 0;

	if (!obj) {
		error = oom(p);
		goto done;
	}
	if (p->mode == YDOC_KUSTOMIZE) {
		keyset_init(&seenset);
		seen = &seenset;
	}
	for (;;) {
		struct ninfo ki = { 0 }, vi = { 0 };
		int is_merge = 0, key_ok = 1, rc;

		if ((error = next_event(p)) < 0)
			goto done;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		ki.line = (int)p->ev.start_mark.line + 1;
		ki.col = (int)p->ev.start_mark.column + 1;
		buf_reset(&key);
		buf_reset(&why);
		if (p->ev.type == YAML_SCALAR_EVENT) {
			const char *text = (const char *)p->ev.data.scalar.value;
			size_t tlen = p->ev.data.scalar.length;
			const char *anchor = (const char *)p->ev.data.scalar.anchor;

			p->parsed++;
			if ((error = count_nodes(p, 1, ki.line, ki.col)) < 0)
				goto done;
			if (seen && (error = check_duplicate(p, seen, 's', text, tlen,
							     ki.line, ki.col)) < 0)
				goto done;
			rc = resolve(p, r, &p->ev, &why);
			if (rc == DIAG_ENOMEM) {
				error = oom(p);
				goto done;
			} else if (rc < 0) {
				sem_error(p, ki.line, ki.col, "%s", why.ptr);
				key_ok = 0;
			} else if (r->merge) {
				is_merge = 1;
			} else if (scalar_key(p, &key, r, text, tlen, &why) < 0) {
				sem_error(p, ki.line, ki.col, "%s", why.ptr);
				key_ok = 0;
			}
			if (anchor) {
				/* An anchored key: keep it for aliases. */
				size_t ix;
				struct anchor *a;
				if ((error = anchor_begin(p, anchor, &ix)) < 0)
					goto done;
				a = &p->anchors[ix];
				a->is_scalar = 1;
				a->nodes = 1;
				a->value = scalar_json(p, r, &why);
				if (key_ok && !is_merge) {
					a->key = malloc(key.len + 1);
					if (a->key) {
						memcpy(a->key, key.ptr, key.len + 1);
						a->keylen = key.len;
					}
				} else {
					a->keyerr = strdup(why.len ? why.ptr : "invalid map key");
				}
				if (!a->value)
					a->value = json_null();
			}
		} else if (p->ev.type == YAML_ALIAS_EVENT) {
			const char *name = (const char *)p->ev.data.alias.anchor;
			struct anchor *a = anchor_find(p, name);

			p->parsed++;
			if (seen && (error = check_duplicate(p, seen, 'a', name, strlen(name),
							     ki.line, ki.col)) < 0)
				goto done;
			if (!a) {
				sem_error(p, ki.line, ki.col, "unknown anchor '%s' referenced", name);
				key_ok = 0;
			} else if (!a->value) {
				sem_error(p, ki.line, ki.col, "anchor '%s' value contains itself", name);
				key_ok = 0;
			} else if (!a->is_scalar) {
				sem_error(p, ki.line, ki.col, "invalid map key: the value of "
					  "anchor '%s' is a %s", name,
					  json_is_array(a->value) ? "sequence" : "mapping");
				key_ok = 0;
			} else if (!a->key) {
				sem_error(p, ki.line, ki.col, "%s", a->keyerr ? a->keyerr : "invalid map key");
				key_ok = 0;
			} else {
				buf_add(&key, a->key, a->keylen);
			}
		} else {
			/* A sequence or mapping as a key: build it, then refuse it. */
			json_t *k = NULL;
			int is_seq = p->ev.type == YAML_SEQUENCE_START_EVENT;
			p->nopos++;
			error = build_node(p, &k, &ki);
			p->nopos--;
			json_decref(k);
			if (error < 0)
				goto done;
			sem_error(p, ki.line, ki.col, "invalid map key: a %s",
				  is_seq ? "sequence" : "mapping");
			key_ok = 0;
		}

		/* the value */
		if ((error = next_event(p)) < 0)
			goto done;
		if (is_merge) {
			p->merged = 1;
			if (!merges && (!(merges = json_array()) || !(mpos = json_array()))) {
				error = oom(p);
				goto done;
			}
			p->nopos++;
			error = build_node(p, &val, &vi);
			p->nopos--;
			if (error < 0)
				goto done;
			if (json_is_object(val)) {
				json_array_append(merges, val);
				json_array_append_new(mpos, json_pack("[ii]", vi.line, vi.col));
			} else if (json_is_array(val)) {
				size_t i;
				json_t *e;
				int ok = 1;
				json_array_foreach(val, i, e)
					if (!json_is_object(e))
						ok = 0;
				if (ok) {
					json_array_append(merges, val);
					json_array_append_new(mpos, json_pack("[ii]", vi.line, vi.col));
				} else
					sem_error(p, vi.line, vi.col, "map merge requires map or "
						  "sequence of maps as the value");
			} else {
				sem_error(p, vi.line, vi.col, "map merge requires map or "
					  "sequence of maps as the value");
			}
			if (p->mode == YDOC_HELM && json_array_size(merges)) {
				/* v2 merges in place: later keys override, earlier
				 * entries of a merge list win over later ones. */
				json_t *m = json_array_get(merges, 0);
				if (json_is_array(m)) {
					size_t i = json_array_size(m);
					while (i-- > 0)
						merge_into(p, obj, json_array_get(m, i), NULL, base,
							   vi.line, vi.col);
				} else {
					merge_into(p, obj, m, NULL, base, vi.line, vi.col);
				}
				json_array_clear(merges);
				json_array_clear(mpos);
			}
		} else {
			push_key(p, key.ptr, key.len);
			error = build_node(p, &val, &vi);
			buf_truncate(&p->ptr, base);
			if (error < 0)
				goto done;
			/* keys are valid UTF-8 as scalar_json's strings are */
			if (key_ok && json_object_setn_new_nocheck(obj, key.ptr, key.len, val) < 0) {
				val = NULL; /* stolen, even on failure */
				error = oom(p);
				goto done;
			}
			if (!key_ok)
				json_decref(val);
			val = NULL;
		}
		json_decref(val);
		val = NULL;
		info->nodes += 1 + vi.nodes;
		if (vi.height + 1 > info->height)
			info->height = vi.height + 1;
	}
	if (p->mode == YDOC_KUSTOMIZE && merges) {
		/* v3 merges after all explicit keys; the first source wins. */
		size_t i, j;
		json_t *m, *e;
		json_array_foreach(merges, i, m) {
			json_t *at = json_array_get(mpos, i);
			int ml = (int)json_integer_value(json_array_get(at, 0));
			int mc = (int)json_integer_value(json_array_get(at, 1));
			if (json_is_array(m)) {
				json_array_foreach(m, j, e)
					merge_into(p, obj, e, NULL, base, ml, mc);
			} else {
				merge_into(p, obj, m, NULL, base, ml, mc);
			}
		}
	}
	*out = obj;
	obj = NULL;
done:
	buf_truncate(&p->ptr, base);
	json_decref(val);
	json_decref(obj);
	if (seen)
		keyset_release(seen);
	json_decref(merges);
	json_decref(mpos);
	buf_release(&key);
	buf_release(&why);
	return error;
}

static int build_sequence(struct yparser *p, json_t **out, struct ninfo *info)
{
	json_t *arr = json_array(), *val = NULL;
	size_t base = p->ptr.len, n = 0;
	int error = 0;

	if (!arr)
		return oom(p);
	for (;;) {
		struct ninfo vi = { 0 };

		if ((error = next_event(p)) < 0)
			goto done;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (!p->noptr)
			buf_addf(&p->ptr, "/%zu", n++);
		error = build_node(p, &val, &vi);
		buf_truncate(&p->ptr, base);
		if (error < 0)
			goto done;
		if (json_array_append_new(arr, val) < 0) {
			val = NULL;
			error = oom(p);
			goto done;
		}
		val = NULL;
		info->nodes += vi.nodes;
		if (vi.height + 1 > info->height)
			info->height = vi.height + 1;
	}
	*out = arr;
	arr = NULL;
done:
	json_decref(arr);
	return error;
}

/* Builds the node whose first event is p->ev. */
static int build_node(struct yparser *p, json_t **out, struct ninfo *info)
{
	const char *anchor = NULL;
	size_t aix = 0;
	unsigned gen = 0;
	int error = 0, line, col, rc;
	struct buf why = BUF_INIT;
	struct rscalar *r = &p->rs;

	*out = NULL;
	line = info->line = (int)p->ev.start_mark.line + 1;
	col = info->col = (int)p->ev.start_mark.column + 1;
	info->nodes = 1;
	info->height = 0;
	set_position(p, line, col);
	p->parsed++;

	switch (p->ev.type) {
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)p->ev.data.alias.anchor;
		struct anchor *a = anchor_find(p, name);

		if (!a) {
			sem_error(p, line, col, "unknown anchor '%s' referenced", name);
		} else if (!a->value) {
			sem_error(p, line, col, "anchor '%s' value contains itself", name);
		} else {
			if (p->depth + a->height > p->max_depth) {
				error = limit_error(p, line, col, "alias '%s' nests deeper than %zu "
						    "levels (limit max_depth)", name, p->max_depth);
				goto done;
			}
			if ((error = count_nodes(p, a->nodes, line, col)) < 0)
				goto done;
			if (!(*out = json_deep_copy(a->value))) {
				error = oom(p);
				goto done;
			}
			info->nodes = a->nodes;
			info->height = a->height;
			goto done;
		}
		*out = json_null();
		goto done;
	}
	case YAML_SCALAR_EVENT:
		anchor = (const char *)p->ev.data.scalar.anchor;
		if ((error = count_nodes(p, 1, line, col)) < 0)
			goto done;
		rc = resolve(p, r, &p->ev, &why);
		if (rc == DIAG_ENOMEM) {
			error = oom(p);
			goto done;
		}
		if (rc < 0 || !(*out = scalar_json(p, r, &why))) {
			if (!why.len)
				buf_adds(&why, "invalid value");
			sem_error(p, line, col, "%s", why.ptr);
			*out = json_null();
		}
		if (anchor) {
			struct anchor *a;
			struct buf key = BUF_INIT, kwhy = BUF_INIT;
			if ((error = anchor_begin(p, anchor, &aix)) < 0)
				goto done;
			a = &p->anchors[aix];
			a->is_scalar = 1;
			a->nodes = 1;
			a->height = 0;
			if (r->merge) {
				a->keyerr = strdup("invalid map key");
			} else if (scalar_key(p, &key, r, (const char *)p->ev.data.scalar.value,
					      p->ev.data.scalar.length, &kwhy) == 0) {
				a->key = buf_detach(&key, &a->keylen);
			} else {
				a->keyerr = strdup(kwhy.ptr);
			}
			buf_release(&key);
			buf_release(&kwhy);
			a->value = json_incref(*out);
		}
		goto done;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int is_map = p->ev.type == YAML_MAPPING_START_EVENT;

		anchor = is_map ? (const char *)p->ev.data.mapping_start.anchor
			: (const char *)p->ev.data.sequence_start.anchor;
		if (++p->depth > p->max_depth) {
			error = limit_error(p, line, col, "nesting deeper than %zu levels "
					    "(limit max_depth)", p->max_depth);
			goto done;
		}
		/* Frames are several times larger in sanitizer and fuzzer builds,
		 * and threads may have smaller stacks: bound the stack itself. */
		if (stack_used(p) > p->max_stack) {
			error = limit_error(p, line, col, "nesting needs more than %zu bytes "
					    "of stack (limit max_stack)", p->max_stack);
			goto done;
		}
		if ((error = count_nodes(p, 1, line, col)) < 0)
			goto done;
		if (anchor && (error = anchor_begin(p, anchor, &aix)) < 0)
			goto done;
		if (anchor)
			gen = p->anchors[aix].gen;
		/* the anchor is pending (value NULL) while its node is built */
		error = is_map ? build_mapping(p, out, info) : build_sequence(p, out, info);
		p->depth--;
		if (error < 0)
			goto done;
		/* Redefined inside its own node? Then, as in go-yaml (which binds
		 * anchors when a node starts), the inner definition stays. */
		if (anchor && p->anchors[aix].gen == gen) {
			struct anchor *a = &p->anchors[aix];
			a->is_scalar = 0;
			a->nodes = info->nodes;
			a->height = info->height;
			a->value = json_incref(*out);
		}
		goto done;
	}
	default:
		error = diag_set_at(p->d, DIAG_EPARSE, p->src, line, col, 1,
				    "unexpected YAML event %d", (int)p->ev.type);
		goto done;
	}
done:
	if (error < 0) {
		json_decref(*out);
		*out = NULL;
	}
	buf_release(&why);
	return error;
}

/* ---- streams ---- */

static void ydoc_release(struct ydoc *doc)
{
	json_decref(doc->root);
	json_decref(doc->positions);
	memset(doc, 0, sizeof(*doc));
}

void ystream_release(struct ystream *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->ndocs; i++)
		ydoc_release(&s->docs[i]);
	free(s->docs);
	s->docs = NULL;
	s->ndocs = 0;
}

static int parse_document(struct yparser *p, struct ydoc *doc)
{
	struct ninfo info = { 0 };
	int error;

	doc->src = p->src;
	doc->start = byte_offset(p, p->ev.start_mark.index);
	if (p->values && (p->ev.data.document_start.version_directive ||
			  p->ev.data.document_start.tag_directives.start !=
			  p->ev.data.document_start.tag_directives.end))
		/* Helm splits the file at "---" lines first, which leaves a
		 * directive in a document of its own: go-yaml then fails. */
		return diag_set_at(p->d, DIAG_EPARSE, p->src,
				   (int)p->ev.start_mark.line + 1, (int)p->ev.start_mark.column + 1, 1,
				   "directives are not supported in values files (did not "
				   "find expected <document start>)");
	if (!p->noptr && !(doc->positions = json_object()))
		return oom(p);
	p->positions = doc->positions;
	buf_reset(&p->ptr);
	anchors_reset(p);
	p->merged = 0;
	diag_clear(&p->sem);
	if ((error = next_event(p)) < 0)
		return error;
	doc->pos.line = (int)p->ev.start_mark.line + 1;
	doc->pos.col = (int)p->ev.start_mark.column + 1;
	if ((error = build_node(p, &doc->root, &info)) < 0)
		return error;
	if ((error = next_event(p)) < 0)
		return error;
	if (p->ev.type != YAML_DOCUMENT_END_EVENT)
		return diag_set(p->d, DIAG_EPARSE, "%s: expected the end of a document",
				srcname(p));
	doc->end = byte_offset(p, p->ev.end_mark.index);
	doc->merged = p->merged;
	if (p->sem.code) {
		/* hand the held-back decode error over */
		if (p->d) {
			diag_clear(p->d);
			p->d->code = p->sem.code;
			buf_add(&p->d->msg, p->sem.msg.ptr, p->sem.msg.len);
			buf_add(&p->d->context, p->sem.context.ptr, p->sem.context.len);
		}
		return p->sem.code;
	}
	return 0;
}

/* *nodes_out (may be NULL): the nodes counted against max_nodes. */
static int stream_parse_with(struct ystream *out, struct srcfile *src, enum ydoc_mode mode,
			     const struct ydoc_limits *limits, int values, struct diag *d,
			     int fast, size_t *nodes_out)
{
	struct yparser p;
	struct ystream s = YSTREAM_INIT;
	size_t alloc = 0, max_size;
	int error = 0, inited = 0;

	memset(&p, 0, sizeof(p));
	p.src = src;
	p.mode = mode;
	p.values = values;
	p.d = d;
	p.ptr = (struct buf)BUF_INIT;
	p.rs.s = (struct buf)BUF_INIT;
	p.ys.scratch = (struct buf)BUF_INIT;
	p.sem = (struct diag)DIAG_INIT;
	p.max_depth = limits && limits->max_depth ? limits->max_depth : DEFAULT_MAX_DEPTH;
	p.max_nodes = limits && limits->max_nodes ? limits->max_nodes : DEFAULT_MAX_NODES;
	p.alias_ratio = limits && limits->max_alias_ratio ? limits->max_alias_ratio
		: DEFAULT_ALIAS_RATIO;
	p.max_docs = limits && limits->max_docs ? limits->max_docs : DEFAULT_MAX_DOCS;
	p.max_stack = limits && limits->max_stack ? limits->max_stack : DEFAULT_MAX_STACK;
	p.noptr = limits && limits->no_positions;
	p.stack_base = (char *)&p;
	p.fast = fast;
	max_size = limits && limits->max_size ? limits->max_size : SRCFILE_MAX_SIZE;
	out->docs = NULL;
	out->ndocs = 0;

	if (src->len > max_size) {
		error = diag_set(d, DIAG_ELIMIT, "%s:1:1: input is %zu bytes, more than %zu "
				 "(limit max_size)", srcname(&p), src->len, max_size);
		goto done;
	}
	if (fast) {
		if (yscan_init(&p.ys, src->data, src->len) < 0) {
			error = DIAG_EPARSE;
			goto done;
		}
		inited = 2;
	}
	if (!(p.anchor_index = json_object()) ||
	    (!fast && !yaml_parser_initialize(&p.parser))) {
		error = oom(&p);
		goto done;
	}
	if (!fast)
		inited = 1;
	if (src->len >= 3 && memcmp(src->data, "\xEF\xBB\xBF", 3) == 0) {
		p.bom = 3;
	} else if (src->len >= 2 && memcmp(src->data, "\xFF\xFE", 2) == 0) {
		p.bom = 2;
		p.utf16 = 1;
	} else if (src->len >= 2 && memcmp(src->data, "\xFE\xFF", 2) == 0) {
		p.bom = 2;
		p.utf16 = 2;
	}
	p.cur_byte = p.bom;
	p.ascii = !p.utf16 && all_ascii(src->data, src->len);
	if (!fast)
		yaml_parser_set_input_string(&p.parser, (const unsigned char *)src->data,
					     src->len);

	for (;;) {
		if ((error = next_event(&p)) < 0)
			goto done;
		if (p.ev.type == YAML_STREAM_END_EVENT)
			break;
		if (p.ev.type != YAML_DOCUMENT_START_EVENT)
			continue;
		if (s.ndocs >= p.max_docs) {
			error = limit_error(&p, (int)p.ev.start_mark.line + 1,
					    (int)p.ev.start_mark.column + 1,
					    "more than %zu documents (limit max_docs)", p.max_docs);
			goto done;
		}
		if (s.ndocs == alloc) {
			size_t n = alloc ? 2 * alloc : 4;
			struct ydoc *nd = realloc(s.docs, n * sizeof(*nd));
			if (!nd) {
				error = oom(&p);
				goto done;
			}
			s.docs = nd;
			alloc = n;
		}
		memset(&s.docs[s.ndocs], 0, sizeof(s.docs[0]));
		s.ndocs++;
		if ((error = parse_document(&p, &s.docs[s.ndocs - 1])) < 0)
			goto done;
	}
	*out = s;
	s = (struct ystream)YSTREAM_INIT;
	if (nodes_out)
		*nodes_out = p.nodes;
done:
	if (p.have_ev)
		yaml_event_delete(&p.ev);
	if (inited == 1)
		yaml_parser_delete(&p.parser);
	if (fast)
		yscan_release(&p.ys);
	anchors_reset(&p);
	free(p.anchors);
	json_decref(p.anchor_index);
	buf_release(&p.ptr);
	buf_release(&p.rs.s);
	diag_release(&p.sem);
	ystream_release(&s);
	return error;
}

/*
 * The fast event source first, quietly; whatever goes wrong there (a bail,
 * or an error of the input, whose message libyaml's run must make), the
 * whole stream again with libyaml.
 */
static int stream_parse(struct ystream *out, struct srcfile *src, enum ydoc_mode mode,
			const struct ydoc_limits *limits, int values, struct diag *d)
{
	if (stream_parse_with(out, src, mode, limits, values, NULL, 1, NULL) == 0)
		return 0;
	return stream_parse_with(out, src, mode, limits, values, d, 0, NULL);
}

/* Inputs at least this long may be parsed in two halves (ydoc_limits.threads),
 * unless ydoc_limits.split_min says otherwise. */
#define SPLIT_MIN_SIZE ((size_t)64 << 10)

/* One half of a split parse: the fast event source only, quietly. */
struct half {
	struct srcfile *src;
	enum ydoc_mode mode;
	const struct ydoc_limits *limits;
	struct ystream out;
	size_t nodes;
	int error;
};

static void parse_half(struct half *h)
{
	h->error = stream_parse_with(&h->out, h->src, h->mode, h->limits, 0, NULL, 1, &h->nodes);
}

static void *parse_half_thread(void *arg)
{
	jslab_thread_large(); /* a half is at least 32 KiB of YAML */
	parse_half(arg);
	jslab_thread_done();
	return NULL;
}

/*
 * Where the input can be cut in two without changing what it parses to:
 * the start of the first "---" line at or after the middle, or 0. Only for
 * an ASCII input (byte offsets are then the scanners' character indexes)
 * without aliases (the alias limits count over the whole stream) and
 * without directives. A "---" at the start of a line ends whatever came
 * before it: a plain or block scalar ends there, and a quoted scalar or a
 * flow collection left open fails in its half, which sends the caller back
 * to one whole parse.
 */
static size_t split_point(const struct srcfile *src, size_t min_size)
{
	const char *s = src->data;
	size_t len = src->len, at = 0;

	if (len < min_size || !len || s[0] == '%' || memchr(s, '*', len) || !all_ascii(s, len))
		return 0;
	for (const char *nl = s; (nl = memchr(nl, '\n', len - (size_t)(nl - s))) != NULL; nl++) {
		size_t k = (size_t)(nl - s) + 1; /* a line's start */

		if (k < len && s[k] == '%')
			return 0;
		if (!at && k >= len / 2 && len - k >= 3 && memcmp(s + k, "---", 3) == 0 &&
		    (k + 3 == len || s[k + 3] == ' ' || s[k + 3] == '\t' || s[k + 3] == '\n' ||
		     s[k + 3] == '\r'))
			at = k;
	}
	return at;
}

/* Line breaks in s[0..len) of an ASCII input ("\r\n" counts once). */
static int count_lines(const char *s, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
			n++;
	return n;
}

/*
 * ystream_parse in two halves cut at `at`, the second on a thread: 1 with
 * *out filled when both halves parsed and together stay within the
 * limits; 0, nothing filled, when the caller must parse the whole input
 * (which then words any error exactly); DIAG_ENOMEM.
 */
static int parse_split(struct ystream *out, struct srcfile *src, enum ydoc_mode mode,
		       const struct ydoc_limits *limits, size_t at)
{
	struct srcfile head = SRCFILE_INIT, tail = SRCFILE_INIT;
	struct half first = { &head, mode, limits, YSTREAM_INIT, 0, 0 };
	struct half second = { &tail, mode, limits, YSTREAM_INIT, 0, 0 };
	size_t max_nodes, max_docs, stack, ndocs;
	struct ydoc *docs;
	pthread_attr_t attr;
	pthread_t thread;
	int failed, ok = 0, lines;

	max_nodes = limits->max_nodes ? limits->max_nodes : DEFAULT_MAX_NODES;
	max_docs = limits->max_docs ? limits->max_docs : DEFAULT_MAX_DOCS;
	/* the parse bounds its stack use by max_stack: room for that and more */
	stack = (limits->max_stack ? limits->max_stack : DEFAULT_MAX_STACK) + ((size_t)2 << 20);
	/* Views of the two parts, not copies: the fast event source reads
	 * no byte past a srcfile's len, so the head needs no NUL at its end. */
	head.name = tail.name = src->name;
	head.data = src->data;
	head.len = at;
	tail.data = src->data + at;
	tail.len = src->len - at;
	if (pthread_attr_init(&attr) != 0)
		goto done;
	failed = pthread_attr_setstacksize(&attr, stack) != 0 ||
		 pthread_create(&thread, &attr, parse_half_thread, &second) != 0;
	pthread_attr_destroy(&attr);
	if (failed)
		goto done;
	parse_half(&first);
	pthread_join(thread, NULL);
	if (first.error < 0 || second.error < 0 || first.nodes + second.nodes > max_nodes ||
	    first.out.ndocs + second.out.ndocs > max_docs)
		goto done;
	ndocs = first.out.ndocs + second.out.ndocs;
	if (!(docs = realloc(first.out.docs, (ndocs ? ndocs : 1) * sizeof(*docs)))) {
		ok = DIAG_ENOMEM;
		goto done;
	}
	first.out.docs = docs;
	lines = count_lines(src->data, at);
	for (size_t i = 0; i < second.out.ndocs; i++) {
		struct ydoc *doc = &docs[first.out.ndocs + i];

		*doc = second.out.docs[i];
		doc->start += at;
		doc->end += at;
		doc->pos.line += lines;
	}
	second.out.ndocs = 0;
	for (size_t i = 0; i < ndocs; i++)
		docs[i].src = src;
	first.out.ndocs = ndocs;
	*out = first.out;
	first.out = (struct ystream)YSTREAM_INIT;
	ok = 1;
done:
	ystream_release(&first.out);
	ystream_release(&second.out);
	free(head.lines);
	free(tail.lines);
	return ok;
}

int ystream_parse(struct ystream *out, struct srcfile *src, enum ydoc_mode mode,
		  const struct ydoc_limits *limits, struct diag *d)
{
	size_t at;
	int rc;

	if (limits && limits->threads && limits->no_positions &&
	    src->len <= (limits->max_size ? limits->max_size : SRCFILE_MAX_SIZE) &&
	    (at = split_point(src, limits->split_min ? limits->split_min : SPLIT_MIN_SIZE)) > 0) {
		if ((rc = parse_split(out, src, mode, limits, at)) == 1)
			return 0;
		if (rc < 0)
			return diag_set(d, rc, "out of memory");
	}
	return stream_parse(out, src, mode, limits, 0, d);
}

/* ---- Helm values ---- */

/*
 * Helm reads values files with apimachinery's YAMLReader, which splits at
 * lines that start with "---" and refuses one followed by anything but a
 * comment. (Its line reader also ends every line, the last one included,
 * with a newline: the caller appends one.)
 */
static int check_separators(struct srcfile *src, struct diag *d)
{
	const char *s = src->data, *end = s + src->len;
	int line = 1;

	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *le = eol ? eol : end, *t;

		if (le - s >= 3 && memcmp(s, "---", 3) == 0) {
			const char *te = le;
			for (t = s + 3; t < te && (*t == ' ' || *t == '\t' || *t == '\r'); t++)
				;
			while (te > t && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r'))
				te--;
			if (t < te && *t != '#')
				return diag_set_at(d, DIAG_EPARSE, src, line, (int)(t - s) + 1, 1,
						   "invalid Yaml document separator: %.*s",
						   (int)(te - t > 200 ? 200 : te - t), t);
		}
		if (!eol)
			break;
		s = eol + 1;
		line++;
	}
	return 0;
}

static const char *json_type_go(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	case JSON_ARRAY: return "array";
	default: return "object";
	}
}

/* Helm's loader.MergeMaps: b's keys win, maps merge recursively. Steals b. */
static int merge_maps(json_t *a, json_t *b)
{
	const char *key;
	size_t klen;
	json_t *v;
	int error = 0;

	json_object_keylen_foreach(b, key, klen, v) {
		json_t *av = json_object_getn(a, key, klen);
		if (json_is_object(v) && json_is_object(av)) {
			if ((error = merge_maps(av, json_incref(v))) < 0)
				break;
		} else if (json_object_setn(a, key, klen, v) < 0) {
			error = DIAG_ENOMEM;
			break;
		}
	}
	json_decref(b);
	return error;
}

int ydoc_parse_values(json_t **out, struct srcfile *src, struct diag *d)
{
	struct ydoc_limits lim = YDOC_LIMITS_DEFAULT;
	struct ystream s = YSTREAM_INIT;
	struct srcfile nl = SRCFILE_INIT;
	json_t *vals = NULL;
	size_t i;
	int error;

	if (src->len && src->data[src->len - 1] != '\n') {
		/* what Helm's line reader hands go-yaml: the same text, ended */
		if (srcfile_set(&nl, src->name ? src->name : "<input>", src->data,
				src->len + 1) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		nl.data[src->len] = '\n';
		src = &nl;
	}
	/* nobody asks where a value was written: no position map */
	lim.no_positions = 1;
	if ((error = check_separators(src, d)) < 0 ||
	    (error = stream_parse(&s, src, YDOC_HELM, &lim, 1, d)) < 0)
		goto done;
	if (!(vals = json_object())) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < s.ndocs; i++) {
		json_t *root = s.docs[i].root;
		if (json_is_null(root))
			continue;
		if (!json_is_object(root)) {
			error = diag_set_at(d, DIAG_EPARSE, src, s.docs[i].pos.line,
					    s.docs[i].pos.col, 1,
					    "values must be a mapping, not a %s (json: cannot "
					    "unmarshal %s into Go value of type "
					    "map[string]interface {})",
					    json_is_array(root) ? "sequence" : "scalar",
					    json_type_go(root));
			goto done;
		}
		if ((error = merge_maps(vals, json_incref(root))) < 0) {
			diag_set(d, error, "out of memory");
			goto done;
		}
	}
	*out = vals;
	vals = NULL;
done:
	json_decref(vals);
	ystream_release(&s);
	srcfile_release(&nl);
	return error;
}

int ydoc_locate(const struct ydoc *doc, const char *pointer, struct ypos *out)
{
	json_t *pos;

	if (!doc || !doc->positions || !pointer)
		return DIAG_ENOTFOUND;
	pos = json_object_get(doc->positions, pointer);
	if (!json_is_array(pos) || json_array_size(pos) != 2)
		return DIAG_ENOTFOUND;
	out->line = (int)json_integer_value(json_array_get(pos, 0));
	out->col = (int)json_integer_value(json_array_get(pos, 1));
	return 0;
}
