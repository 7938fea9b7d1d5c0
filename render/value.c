/*
 * The Go-exact emitters: encoding/json (value_to_json) and
 * sigs.k8s.io/yaml.Marshal (value_to_yaml). docs/emit.md states the rules
 * and the Go sources each part follows.
 *
 * value_to_yaml reproduces a round trip without performing it: Go marshals
 * the value to JSON, go-yaml v2 reads that JSON back (numbers are resolved
 * again as YAML 1.1 plain scalars, strings arrive as written), and go-yaml
 * v2 marshals the result. The emitter below is a port of the parts of
 * go-yaml v2's emitterc.go (itself a port of libyaml's emitter) that such a
 * document reaches: block mappings and sequences, "{}" and "[]", plain,
 * single-quoted, double-quoted and literal scalars, 2-space indentation,
 * 80-column folding, unicode output.
 */
#include "render/value.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/gofloat.h"
#include "render/goscalar.h"

/* go-yaml v2's scanner refuses flow collections nested deeper than this
 * (scannerc.go, max_flow_level); the JSON text it reads nests like the
 * value. value_to_json uses the same bound to keep the recursion finite. */
#define VALUE_MAX_DEPTH 10000
/* go-yaml's scanner gives up on a simple key when the ':' comes more than
 * 1024 characters after the key's start (scannerc.go,
 * yaml_simple_key_is_valid); in the JSON text the key is quoted. */
#define YAML_MAX_KEY_CHARS 1022
#define YAML_BEST_WIDTH 80
#define YAML_BEST_INDENT 2

/* ------------------------------------------------------------------ */
/* UTF-8 as Go's unicode/utf8 decodes it                                */

#define RUNE_ERROR 0xFFFD

/* Decodes the rune at s (n > 0 bytes left) as utf8.DecodeRune does:
 * returns the size, and U+FFFD with size 1 for an invalid sequence. */
static size_t decode_rune(const unsigned char *s, size_t n, uint32_t *r)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t size;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		size = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		size = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		size = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*r = RUNE_ERROR;
		return 1;
	}
	if (n < size || s[1] < lo || s[1] > hi) {
		*r = RUNE_ERROR;
		return 1;
	}
	for (size_t k = 2; k < size; k++) {
		if (s[k] < 0x80 || s[k] > 0xBF) {
			*r = RUNE_ERROR;
			return 1;
		}
	}
	switch (size) {
	case 2:
		*r = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
		break;
	case 3:
		*r = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		break;
	default:
		*r = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		     ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	}
	return size;
}

/* The string as it comes back from Go's JSON: every invalid byte replaced
 * by U+FFFD. Appends to out. */
static void go_sanitize(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0; /* p[run..i) is valid, not yet appended */

	while (i < len) {
		uint32_t r;
		size_t n;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = decode_rune(p + i, len - i, &r);
		if (r == RUNE_ERROR && n == 1) {
			if (i > run)
				buf_add(out, p + run, i - run);
			buf_add(out, "\xEF\xBF\xBD", 3);
			run = i + n;
		}
		i += n;
	}
	if (run < len)
		buf_add(out, p + run, len - run);
}

/* Whether go_sanitize would change s. */
static int go_needs_sanitize(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t r;
		size_t n;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = decode_rune(p + i, len - i, &r);
		if (r == RUNE_ERROR && n == 1)
			return 1;
		i += n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* encoding/json                                                        */

/* An object member, for sorting. */
struct member {
	const char *key;
	size_t len;
	json_t *value;
	size_t index;
};

static int member_cmp_bytes(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	/* equal keys only after sanitizing: keep JSON order */
	return x->index < y->index ? -1 : x->index > y->index;
}

/* qsort(m, n, sizeof(*m), member_cmp_bytes), by insertion for the few
 * members most objects have: the order is total (the index breaks ties),
 * so any sort gives the same. */
static void sort_members(struct member *m, size_t n)
{
	if (n > 16) {
		qsort(m, n, sizeof(*m), member_cmp_bytes);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct member t = m[i];
		size_t j = i;

		for (; j > 0 && member_cmp_bytes(&t, &m[j - 1]) < 0; j--)
			m[j] = m[j - 1];
		m[j] = t;
	}
}

/* The members of object o in jansson's order. *out is malloc'd (NULL when
 * empty); keys and values are borrowed from o. */
static int object_members(struct member **out, size_t *n_out, const json_t *o)
{
	size_t n = json_object_size(o), i = 0;
	struct member *m = NULL;
	void *it;

	*out = NULL;
	*n_out = 0;
	if (n == 0)
		return 0;
	m = calloc(n, sizeof(*m));
	if (!m)
		return DIAG_ENOMEM;
	for (it = json_object_iter((json_t *)o); it && i < n;
	     it = json_object_iter_next((json_t *)o, it), i++) {
		m[i].key = json_object_iter_key(it);
		m[i].len = json_object_iter_key_len(it);
		m[i].value = json_object_iter_value(it);
		m[i].index = i;
	}
	*out = m;
	*n_out = i;
	return 0;
}

/* encodeState.string: Go's JSON string escaping. */
static void jenc_string(struct buf *out, const char *s, size_t len, int html)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0;

	buf_addch(out, '"');
	while (i < len) {
		unsigned char b = p[i];
		uint32_t r;
		size_t n;

		if (b < 0x80) {
			if (b >= 0x20 && b != '"' && b != '\\' &&
			    (!html || (b != '<' && b != '>' && b != '&'))) {
				i++;
				continue;
			}
			buf_add(out, p + start, i - start);
			buf_addch(out, '\\');
			switch (b) {
			case '\\':
			case '"':
				buf_addch(out, b);
				break;
			case '\b':
				buf_addch(out, 'b');
				break;
			case '\f':
				buf_addch(out, 'f');
				break;
			case '\n':
				buf_addch(out, 'n');
				break;
			case '\r':
				buf_addch(out, 'r');
				break;
			case '\t':
				buf_addch(out, 't');
				break;
			default:
				buf_adds(out, "u00");
				buf_addch(out, hex[b >> 4]);
				buf_addch(out, hex[b & 0xF]);
			}
			i++;
			start = i;
			continue;
		}
		n = decode_rune(p + i, len - i, &r);
		if (r == RUNE_ERROR && n == 1) {
			buf_add(out, p + start, i - start);
			buf_adds(out, "\\ufffd");
			i += n;
			start = i;
			continue;
		}
		if (r == 0x2028 || r == 0x2029) {
			buf_add(out, p + start, i - start);
			buf_adds(out, r == 0x2028 ? "\\u2028" : "\\u2029");
			i += n;
			start = i;
			continue;
		}
		i += n;
	}
	buf_add(out, p + start, len - start);
	buf_addch(out, '"');
}

/* floatEncoder (64 bits): 'f', or 'e' outside [1e-6, 1e21), with the
 * exponent's leading zero dropped ("1e-07" -> "1e-7"). */
static int jenc_float(struct buf *out, double v, struct diag *d)
{
	double a = fabs(v);
	char fmt = 'f';
	size_t start = out->len, n;

	if (isnan(v) || isinf(v)) {
		struct buf s = BUF_INIT;

		gofloat_format(&s, v, 'g', -1, 64);
		diag_set(d, DIAG_EINVALID, "json: unsupported value: %s", s.ptr);
		buf_release(&s);
		return DIAG_EINVALID;
	}
	if (a != 0 && (a < 1e-6 || a >= 1e21))
		fmt = 'e';
	if (gofloat_format(out, v, fmt, -1, 64) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	n = out->len - start;
	if (fmt == 'e' && n >= 4) {
		char *b = out->ptr + start;

		if (b[n - 4] == 'e' && b[n - 3] == '-' && b[n - 2] == '0') {
			b[n - 2] = b[n - 1];
			buf_truncate(out, out->len - 1);
		}
	}
	return 0;
}

static void jenc_newline(struct buf *out, unsigned flags, int level)
{
	if (!(flags & VALUE_JSON_INDENT))
		return;
	buf_addch(out, '\n');
	buf_addchn(out, ' ', (size_t)level * 2);
}

static int jenc_value(struct buf *out, const json_t *v, unsigned flags, int depth,
			struct diag *d)
{
	struct member *m = NULL;
	size_t n = 0;
	int error = 0;

	if (depth > VALUE_MAX_DEPTH && (json_is_array(v) || json_is_object(v)))
		return diag_set(d, DIAG_ELIMIT, "json: value nested deeper than %d levels",
				VALUE_MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_NULL:
		buf_adds(out, "null");
		break;
	case JSON_TRUE:
		buf_adds(out, "true");
		break;
	case JSON_FALSE:
		buf_adds(out, "false");
		break;
	case JSON_INTEGER:
		buf_add_int(out, (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		error = jenc_float(out, json_real_value(v), d);
		break;
	case JSON_STRING:
		jenc_string(out, json_string_value(v), json_string_length(v),
			      !(flags & VALUE_JSON_RAW));
		break;
	case JSON_ARRAY:
		n = json_array_size(v);
		buf_addch(out, '[');
		for (size_t i = 0; i < n && !error; i++) {
			if (i)
				buf_addch(out, ',');
			jenc_newline(out, flags, depth);
			error = jenc_value(out, json_array_get(v, i), flags, depth + 1, d);
		}
		if (n)
			jenc_newline(out, flags, depth - 1);
		buf_addch(out, ']');
		break;
	case JSON_OBJECT:
		if ((error = object_members(&m, &n, v)) < 0) {
			diag_set(d, error, "out of memory");
			break;
		}
		sort_members(m, n);
		buf_addch(out, '{');
		for (size_t i = 0; i < n && !error; i++) {
			if (i)
				buf_addch(out, ',');
			jenc_newline(out, flags, depth);
			jenc_string(out, m[i].key, m[i].len, !(flags & VALUE_JSON_RAW));
			buf_addch(out, ':');
			if (flags & VALUE_JSON_INDENT)
				buf_addch(out, ' ');
			error = jenc_value(out, m[i].value, flags, depth + 1, d);
		}
		if (n)
			jenc_newline(out, flags, depth - 1);
		buf_addch(out, '}');
		break;
	}
	free(m);
	return error;
}

int value_to_json(struct buf *out, const json_t *v, unsigned flags, struct diag *d)
{
	struct buf tmp = BUF_INIT;
	int error;

	if (!v) {
		buf_adds(out, "null");
		return buf_oom(out) ? DIAG_ENOMEM : 0;
	}
	if (out->max)
		tmp.max = out->max > out->len ? out->max - out->len : 1;
	error = jenc_value(&tmp, v, flags, 1, d);
	if (!error && buf_oom(&tmp))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	if (!error && buf_add(out, tmp.ptr, tmp.len) < 0)
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	buf_release(&tmp);
	return error;
}

/* ------------------------------------------------------------------ */
/* go-yaml v2 resolve.go: which plain scalars are not strings          */

/* resolve("", s) gives !!str: a plain s would read back as this string.
 * Returns 1, 0, or DIAG_ENOMEM. */
static int resolves_to_str(const char *s, size_t len)
{
	struct goscalar g;

	/* Text starting with a letter resolves only as one of go-yaml's
	 * words (y, off, true, NULL, ...), none longer than 5 bytes. */
	if (len > 5 && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 1;
	if (goscalar_resolve(&g, s, len, 0) < 0)
		return DIAG_ENOMEM;
	return g.kind == GOSCALAR_STR;
}

/* ------------------------------------------------------------------ */
/* go-yaml v2 sorter.go: the order of mapping keys                      */

/*
 * Go's unicode.IsLetter (category L) and unicode.IsDigit (category Nd)
 * beyond ASCII, as of Unicode 15.0 (Go 1.21 to 1.25). Generated by
 * `tests/unit/gen_value_cases.py --unicode-tables` from ICU 72.
 */
static const uint32_t letter_ranges[][2] = {
	{ 0xaa, 0xaa }, { 0xb5, 0xb5 }, { 0xba, 0xba }, { 0xc0, 0xd6 }, { 0xd8, 0xf6 },
	{ 0xf8, 0x2c1 }, { 0x2c6, 0x2d1 }, { 0x2e0, 0x2e4 }, { 0x2ec, 0x2ec }, { 0x2ee, 0x2ee },
	{ 0x370, 0x374 }, { 0x376, 0x377 }, { 0x37a, 0x37d }, { 0x37f, 0x37f }, { 0x386, 0x386 },
	{ 0x388, 0x38a }, { 0x38c, 0x38c }, { 0x38e, 0x3a1 }, { 0x3a3, 0x3f5 }, { 0x3f7, 0x481 },
	{ 0x48a, 0x52f }, { 0x531, 0x556 }, { 0x559, 0x559 }, { 0x560, 0x588 }, { 0x5d0, 0x5ea },
	{ 0x5ef, 0x5f2 }, { 0x620, 0x64a }, { 0x66e, 0x66f }, { 0x671, 0x6d3 }, { 0x6d5, 0x6d5 },
	{ 0x6e5, 0x6e6 }, { 0x6ee, 0x6ef }, { 0x6fa, 0x6fc }, { 0x6ff, 0x6ff }, { 0x710, 0x710 },
	{ 0x712, 0x72f }, { 0x74d, 0x7a5 }, { 0x7b1, 0x7b1 }, { 0x7ca, 0x7ea }, { 0x7f4, 0x7f5 },
	{ 0x7fa, 0x7fa }, { 0x800, 0x815 }, { 0x81a, 0x81a }, { 0x824, 0x824 }, { 0x828, 0x828 },
	{ 0x840, 0x858 }, { 0x860, 0x86a }, { 0x870, 0x887 }, { 0x889, 0x88e }, { 0x8a0, 0x8c9 },
	{ 0x904, 0x939 }, { 0x93d, 0x93d }, { 0x950, 0x950 }, { 0x958, 0x961 }, { 0x971, 0x980 },
	{ 0x985, 0x98c }, { 0x98f, 0x990 }, { 0x993, 0x9a8 }, { 0x9aa, 0x9b0 }, { 0x9b2, 0x9b2 },
	{ 0x9b6, 0x9b9 }, { 0x9bd, 0x9bd }, { 0x9ce, 0x9ce }, { 0x9dc, 0x9dd }, { 0x9df, 0x9e1 },
	{ 0x9f0, 0x9f1 }, { 0x9fc, 0x9fc }, { 0xa05, 0xa0a }, { 0xa0f, 0xa10 }, { 0xa13, 0xa28 },
	{ 0xa2a, 0xa30 }, { 0xa32, 0xa33 }, { 0xa35, 0xa36 }, { 0xa38, 0xa39 }, { 0xa59, 0xa5c },
	{ 0xa5e, 0xa5e }, { 0xa72, 0xa74 }, { 0xa85, 0xa8d }, { 0xa8f, 0xa91 }, { 0xa93, 0xaa8 },
	{ 0xaaa, 0xab0 }, { 0xab2, 0xab3 }, { 0xab5, 0xab9 }, { 0xabd, 0xabd }, { 0xad0, 0xad0 },
	{ 0xae0, 0xae1 }, { 0xaf9, 0xaf9 }, { 0xb05, 0xb0c }, { 0xb0f, 0xb10 }, { 0xb13, 0xb28 },
	{ 0xb2a, 0xb30 }, { 0xb32, 0xb33 }, { 0xb35, 0xb39 }, { 0xb3d, 0xb3d }, { 0xb5c, 0xb5d },
	{ 0xb5f, 0xb61 }, { 0xb71, 0xb71 }, { 0xb83, 0xb83 }, { 0xb85, 0xb8a }, { 0xb8e, 0xb90 },
	{ 0xb92, 0xb95 }, { 0xb99, 0xb9a }, { 0xb9c, 0xb9c }, { 0xb9e, 0xb9f }, { 0xba3, 0xba4 },
	{ 0xba8, 0xbaa }, { 0xbae, 0xbb9 }, { 0xbd0, 0xbd0 }, { 0xc05, 0xc0c }, { 0xc0e, 0xc10 },
	{ 0xc12, 0xc28 }, { 0xc2a, 0xc39 }, { 0xc3d, 0xc3d }, { 0xc58, 0xc5a }, { 0xc5d, 0xc5d },
	{ 0xc60, 0xc61 }, { 0xc80, 0xc80 }, { 0xc85, 0xc8c }, { 0xc8e, 0xc90 }, { 0xc92, 0xca8 },
	{ 0xcaa, 0xcb3 }, { 0xcb5, 0xcb9 }, { 0xcbd, 0xcbd }, { 0xcdd, 0xcde }, { 0xce0, 0xce1 },
	{ 0xcf1, 0xcf2 }, { 0xd04, 0xd0c }, { 0xd0e, 0xd10 }, { 0xd12, 0xd3a }, { 0xd3d, 0xd3d },
	{ 0xd4e, 0xd4e }, { 0xd54, 0xd56 }, { 0xd5f, 0xd61 }, { 0xd7a, 0xd7f }, { 0xd85, 0xd96 },
	{ 0xd9a, 0xdb1 }, { 0xdb3, 0xdbb }, { 0xdbd, 0xdbd }, { 0xdc0, 0xdc6 }, { 0xe01, 0xe30 },
	{ 0xe32, 0xe33 }, { 0xe40, 0xe46 }, { 0xe81, 0xe82 }, { 0xe84, 0xe84 }, { 0xe86, 0xe8a },
	{ 0xe8c, 0xea3 }, { 0xea5, 0xea5 }, { 0xea7, 0xeb0 }, { 0xeb2, 0xeb3 }, { 0xebd, 0xebd },
	{ 0xec0, 0xec4 }, { 0xec6, 0xec6 }, { 0xedc, 0xedf }, { 0xf00, 0xf00 }, { 0xf40, 0xf47 },
	{ 0xf49, 0xf6c }, { 0xf88, 0xf8c }, { 0x1000, 0x102a }, { 0x103f, 0x103f },
	{ 0x1050, 0x1055 }, { 0x105a, 0x105d }, { 0x1061, 0x1061 }, { 0x1065, 0x1066 },
	{ 0x106e, 0x1070 }, { 0x1075, 0x1081 }, { 0x108e, 0x108e }, { 0x10a0, 0x10c5 },
	{ 0x10c7, 0x10c7 }, { 0x10cd, 0x10cd }, { 0x10d0, 0x10fa }, { 0x10fc, 0x1248 },
	{ 0x124a, 0x124d }, { 0x1250, 0x1256 }, { 0x1258, 0x1258 }, { 0x125a, 0x125d },
	{ 0x1260, 0x1288 }, { 0x128a, 0x128d }, { 0x1290, 0x12b0 }, { 0x12b2, 0x12b5 },
	{ 0x12b8, 0x12be }, { 0x12c0, 0x12c0 }, { 0x12c2, 0x12c5 }, { 0x12c8, 0x12d6 },
	{ 0x12d8, 0x1310 }, { 0x1312, 0x1315 }, { 0x1318, 0x135a }, { 0x1380, 0x138f },
	{ 0x13a0, 0x13f5 }, { 0x13f8, 0x13fd }, { 0x1401, 0x166c }, { 0x166f, 0x167f },
	{ 0x1681, 0x169a }, { 0x16a0, 0x16ea }, { 0x16f1, 0x16f8 }, { 0x1700, 0x1711 },
	{ 0x171f, 0x1731 }, { 0x1740, 0x1751 }, { 0x1760, 0x176c }, { 0x176e, 0x1770 },
	{ 0x1780, 0x17b3 }, { 0x17d7, 0x17d7 }, { 0x17dc, 0x17dc }, { 0x1820, 0x1878 },
	{ 0x1880, 0x1884 }, { 0x1887, 0x18a8 }, { 0x18aa, 0x18aa }, { 0x18b0, 0x18f5 },
	{ 0x1900, 0x191e }, { 0x1950, 0x196d }, { 0x1970, 0x1974 }, { 0x1980, 0x19ab },
	{ 0x19b0, 0x19c9 }, { 0x1a00, 0x1a16 }, { 0x1a20, 0x1a54 }, { 0x1aa7, 0x1aa7 },
	{ 0x1b05, 0x1b33 }, { 0x1b45, 0x1b4c }, { 0x1b83, 0x1ba0 }, { 0x1bae, 0x1baf },
	{ 0x1bba, 0x1be5 }, { 0x1c00, 0x1c23 }, { 0x1c4d, 0x1c4f }, { 0x1c5a, 0x1c7d },
	{ 0x1c80, 0x1c88 }, { 0x1c90, 0x1cba }, { 0x1cbd, 0x1cbf }, { 0x1ce9, 0x1cec },
	{ 0x1cee, 0x1cf3 }, { 0x1cf5, 0x1cf6 }, { 0x1cfa, 0x1cfa }, { 0x1d00, 0x1dbf },
	{ 0x1e00, 0x1f15 }, { 0x1f18, 0x1f1d }, { 0x1f20, 0x1f45 }, { 0x1f48, 0x1f4d },
	{ 0x1f50, 0x1f57 }, { 0x1f59, 0x1f59 }, { 0x1f5b, 0x1f5b }, { 0x1f5d, 0x1f5d },
	{ 0x1f5f, 0x1f7d }, { 0x1f80, 0x1fb4 }, { 0x1fb6, 0x1fbc }, { 0x1fbe, 0x1fbe },
	{ 0x1fc2, 0x1fc4 }, { 0x1fc6, 0x1fcc }, { 0x1fd0, 0x1fd3 }, { 0x1fd6, 0x1fdb },
	{ 0x1fe0, 0x1fec }, { 0x1ff2, 0x1ff4 }, { 0x1ff6, 0x1ffc }, { 0x2071, 0x2071 },
	{ 0x207f, 0x207f }, { 0x2090, 0x209c }, { 0x2102, 0x2102 }, { 0x2107, 0x2107 },
	{ 0x210a, 0x2113 }, { 0x2115, 0x2115 }, { 0x2119, 0x211d }, { 0x2124, 0x2124 },
	{ 0x2126, 0x2126 }, { 0x2128, 0x2128 }, { 0x212a, 0x212d }, { 0x212f, 0x2139 },
	{ 0x213c, 0x213f }, { 0x2145, 0x2149 }, { 0x214e, 0x214e }, { 0x2183, 0x2184 },
	{ 0x2c00, 0x2ce4 }, { 0x2ceb, 0x2cee }, { 0x2cf2, 0x2cf3 }, { 0x2d00, 0x2d25 },
	{ 0x2d27, 0x2d27 }, { 0x2d2d, 0x2d2d }, { 0x2d30, 0x2d67 }, { 0x2d6f, 0x2d6f },
	{ 0x2d80, 0x2d96 }, { 0x2da0, 0x2da6 }, { 0x2da8, 0x2dae }, { 0x2db0, 0x2db6 },
	{ 0x2db8, 0x2dbe }, { 0x2dc0, 0x2dc6 }, { 0x2dc8, 0x2dce }, { 0x2dd0, 0x2dd6 },
	{ 0x2dd8, 0x2dde }, { 0x2e2f, 0x2e2f }, { 0x3005, 0x3006 }, { 0x3031, 0x3035 },
	{ 0x303b, 0x303c }, { 0x3041, 0x3096 }, { 0x309d, 0x309f }, { 0x30a1, 0x30fa },
	{ 0x30fc, 0x30ff }, { 0x3105, 0x312f }, { 0x3131, 0x318e }, { 0x31a0, 0x31bf },
	{ 0x31f0, 0x31ff }, { 0x3400, 0x4dbf }, { 0x4e00, 0xa48c }, { 0xa4d0, 0xa4fd },
	{ 0xa500, 0xa60c }, { 0xa610, 0xa61f }, { 0xa62a, 0xa62b }, { 0xa640, 0xa66e },
	{ 0xa67f, 0xa69d }, { 0xa6a0, 0xa6e5 }, { 0xa717, 0xa71f }, { 0xa722, 0xa788 },
	{ 0xa78b, 0xa7ca }, { 0xa7d0, 0xa7d1 }, { 0xa7d3, 0xa7d3 }, { 0xa7d5, 0xa7d9 },
	{ 0xa7f2, 0xa801 }, { 0xa803, 0xa805 }, { 0xa807, 0xa80a }, { 0xa80c, 0xa822 },
	{ 0xa840, 0xa873 }, { 0xa882, 0xa8b3 }, { 0xa8f2, 0xa8f7 }, { 0xa8fb, 0xa8fb },
	{ 0xa8fd, 0xa8fe }, { 0xa90a, 0xa925 }, { 0xa930, 0xa946 }, { 0xa960, 0xa97c },
	{ 0xa984, 0xa9b2 }, { 0xa9cf, 0xa9cf }, { 0xa9e0, 0xa9e4 }, { 0xa9e6, 0xa9ef },
	{ 0xa9fa, 0xa9fe }, { 0xaa00, 0xaa28 }, { 0xaa40, 0xaa42 }, { 0xaa44, 0xaa4b },
	{ 0xaa60, 0xaa76 }, { 0xaa7a, 0xaa7a }, { 0xaa7e, 0xaaaf }, { 0xaab1, 0xaab1 },
	{ 0xaab5, 0xaab6 }, { 0xaab9, 0xaabd }, { 0xaac0, 0xaac0 }, { 0xaac2, 0xaac2 },
	{ 0xaadb, 0xaadd }, { 0xaae0, 0xaaea }, { 0xaaf2, 0xaaf4 }, { 0xab01, 0xab06 },
	{ 0xab09, 0xab0e }, { 0xab11, 0xab16 }, { 0xab20, 0xab26 }, { 0xab28, 0xab2e },
	{ 0xab30, 0xab5a }, { 0xab5c, 0xab69 }, { 0xab70, 0xabe2 }, { 0xac00, 0xd7a3 },
	{ 0xd7b0, 0xd7c6 }, { 0xd7cb, 0xd7fb }, { 0xf900, 0xfa6d }, { 0xfa70, 0xfad9 },
	{ 0xfb00, 0xfb06 }, { 0xfb13, 0xfb17 }, { 0xfb1d, 0xfb1d }, { 0xfb1f, 0xfb28 },
	{ 0xfb2a, 0xfb36 }, { 0xfb38, 0xfb3c }, { 0xfb3e, 0xfb3e }, { 0xfb40, 0xfb41 },
	{ 0xfb43, 0xfb44 }, { 0xfb46, 0xfbb1 }, { 0xfbd3, 0xfd3d }, { 0xfd50, 0xfd8f },
	{ 0xfd92, 0xfdc7 }, { 0xfdf0, 0xfdfb }, { 0xfe70, 0xfe74 }, { 0xfe76, 0xfefc },
	{ 0xff21, 0xff3a }, { 0xff41, 0xff5a }, { 0xff66, 0xffbe }, { 0xffc2, 0xffc7 },
	{ 0xffca, 0xffcf }, { 0xffd2, 0xffd7 }, { 0xffda, 0xffdc }, { 0x10000, 0x1000b },
	{ 0x1000d, 0x10026 }, { 0x10028, 0x1003a }, { 0x1003c, 0x1003d }, { 0x1003f, 0x1004d },
	{ 0x10050, 0x1005d }, { 0x10080, 0x100fa }, { 0x10280, 0x1029c }, { 0x102a0, 0x102d0 },
	{ 0x10300, 0x1031f }, { 0x1032d, 0x10340 }, { 0x10342, 0x10349 }, { 0x10350, 0x10375 },
	{ 0x10380, 0x1039d }, { 0x103a0, 0x103c3 }, { 0x103c8, 0x103cf }, { 0x10400, 0x1049d },
	{ 0x104b0, 0x104d3 }, { 0x104d8, 0x104fb }, { 0x10500, 0x10527 }, { 0x10530, 0x10563 },
	{ 0x10570, 0x1057a }, { 0x1057c, 0x1058a }, { 0x1058c, 0x10592 }, { 0x10594, 0x10595 },
	{ 0x10597, 0x105a1 }, { 0x105a3, 0x105b1 }, { 0x105b3, 0x105b9 }, { 0x105bb, 0x105bc },
	{ 0x10600, 0x10736 }, { 0x10740, 0x10755 }, { 0x10760, 0x10767 }, { 0x10780, 0x10785 },
	{ 0x10787, 0x107b0 }, { 0x107b2, 0x107ba }, { 0x10800, 0x10805 }, { 0x10808, 0x10808 },
	{ 0x1080a, 0x10835 }, { 0x10837, 0x10838 }, { 0x1083c, 0x1083c }, { 0x1083f, 0x10855 },
	{ 0x10860, 0x10876 }, { 0x10880, 0x1089e }, { 0x108e0, 0x108f2 }, { 0x108f4, 0x108f5 },
	{ 0x10900, 0x10915 }, { 0x10920, 0x10939 }, { 0x10980, 0x109b7 }, { 0x109be, 0x109bf },
	{ 0x10a00, 0x10a00 }, { 0x10a10, 0x10a13 }, { 0x10a15, 0x10a17 }, { 0x10a19, 0x10a35 },
	{ 0x10a60, 0x10a7c }, { 0x10a80, 0x10a9c }, { 0x10ac0, 0x10ac7 }, { 0x10ac9, 0x10ae4 },
	{ 0x10b00, 0x10b35 }, { 0x10b40, 0x10b55 }, { 0x10b60, 0x10b72 }, { 0x10b80, 0x10b91 },
	{ 0x10c00, 0x10c48 }, { 0x10c80, 0x10cb2 }, { 0x10cc0, 0x10cf2 }, { 0x10d00, 0x10d23 },
	{ 0x10e80, 0x10ea9 }, { 0x10eb0, 0x10eb1 }, { 0x10f00, 0x10f1c }, { 0x10f27, 0x10f27 },
	{ 0x10f30, 0x10f45 }, { 0x10f70, 0x10f81 }, { 0x10fb0, 0x10fc4 }, { 0x10fe0, 0x10ff6 },
	{ 0x11003, 0x11037 }, { 0x11071, 0x11072 }, { 0x11075, 0x11075 }, { 0x11083, 0x110af },
	{ 0x110d0, 0x110e8 }, { 0x11103, 0x11126 }, { 0x11144, 0x11144 }, { 0x11147, 0x11147 },
	{ 0x11150, 0x11172 }, { 0x11176, 0x11176 }, { 0x11183, 0x111b2 }, { 0x111c1, 0x111c4 },
	{ 0x111da, 0x111da }, { 0x111dc, 0x111dc }, { 0x11200, 0x11211 }, { 0x11213, 0x1122b },
	{ 0x1123f, 0x11240 }, { 0x11280, 0x11286 }, { 0x11288, 0x11288 }, { 0x1128a, 0x1128d },
	{ 0x1128f, 0x1129d }, { 0x1129f, 0x112a8 }, { 0x112b0, 0x112de }, { 0x11305, 0x1130c },
	{ 0x1130f, 0x11310 }, { 0x11313, 0x11328 }, { 0x1132a, 0x11330 }, { 0x11332, 0x11333 },
	{ 0x11335, 0x11339 }, { 0x1133d, 0x1133d }, { 0x11350, 0x11350 }, { 0x1135d, 0x11361 },
	{ 0x11400, 0x11434 }, { 0x11447, 0x1144a }, { 0x1145f, 0x11461 }, { 0x11480, 0x114af },
	{ 0x114c4, 0x114c5 }, { 0x114c7, 0x114c7 }, { 0x11580, 0x115ae }, { 0x115d8, 0x115db },
	{ 0x11600, 0x1162f }, { 0x11644, 0x11644 }, { 0x11680, 0x116aa }, { 0x116b8, 0x116b8 },
	{ 0x11700, 0x1171a }, { 0x11740, 0x11746 }, { 0x11800, 0x1182b }, { 0x118a0, 0x118df },
	{ 0x118ff, 0x11906 }, { 0x11909, 0x11909 }, { 0x1190c, 0x11913 }, { 0x11915, 0x11916 },
	{ 0x11918, 0x1192f }, { 0x1193f, 0x1193f }, { 0x11941, 0x11941 }, { 0x119a0, 0x119a7 },
	{ 0x119aa, 0x119d0 }, { 0x119e1, 0x119e1 }, { 0x119e3, 0x119e3 }, { 0x11a00, 0x11a00 },
	{ 0x11a0b, 0x11a32 }, { 0x11a3a, 0x11a3a }, { 0x11a50, 0x11a50 }, { 0x11a5c, 0x11a89 },
	{ 0x11a9d, 0x11a9d }, { 0x11ab0, 0x11af8 }, { 0x11c00, 0x11c08 }, { 0x11c0a, 0x11c2e },
	{ 0x11c40, 0x11c40 }, { 0x11c72, 0x11c8f }, { 0x11d00, 0x11d06 }, { 0x11d08, 0x11d09 },
	{ 0x11d0b, 0x11d30 }, { 0x11d46, 0x11d46 }, { 0x11d60, 0x11d65 }, { 0x11d67, 0x11d68 },
	{ 0x11d6a, 0x11d89 }, { 0x11d98, 0x11d98 }, { 0x11ee0, 0x11ef2 }, { 0x11f02, 0x11f02 },
	{ 0x11f04, 0x11f10 }, { 0x11f12, 0x11f33 }, { 0x11fb0, 0x11fb0 }, { 0x12000, 0x12399 },
	{ 0x12480, 0x12543 }, { 0x12f90, 0x12ff0 }, { 0x13000, 0x1342f }, { 0x13441, 0x13446 },
	{ 0x14400, 0x14646 }, { 0x16800, 0x16a38 }, { 0x16a40, 0x16a5e }, { 0x16a70, 0x16abe },
	{ 0x16ad0, 0x16aed }, { 0x16b00, 0x16b2f }, { 0x16b40, 0x16b43 }, { 0x16b63, 0x16b77 },
	{ 0x16b7d, 0x16b8f }, { 0x16e40, 0x16e7f }, { 0x16f00, 0x16f4a }, { 0x16f50, 0x16f50 },
	{ 0x16f93, 0x16f9f }, { 0x16fe0, 0x16fe1 }, { 0x16fe3, 0x16fe3 }, { 0x17000, 0x187f7 },
	{ 0x18800, 0x18cd5 }, { 0x18d00, 0x18d08 }, { 0x1aff0, 0x1aff3 }, { 0x1aff5, 0x1affb },
	{ 0x1affd, 0x1affe }, { 0x1b000, 0x1b122 }, { 0x1b132, 0x1b132 }, { 0x1b150, 0x1b152 },
	{ 0x1b155, 0x1b155 }, { 0x1b164, 0x1b167 }, { 0x1b170, 0x1b2fb }, { 0x1bc00, 0x1bc6a },
	{ 0x1bc70, 0x1bc7c }, { 0x1bc80, 0x1bc88 }, { 0x1bc90, 0x1bc99 }, { 0x1d400, 0x1d454 },
	{ 0x1d456, 0x1d49c }, { 0x1d49e, 0x1d49f }, { 0x1d4a2, 0x1d4a2 }, { 0x1d4a5, 0x1d4a6 },
	{ 0x1d4a9, 0x1d4ac }, { 0x1d4ae, 0x1d4b9 }, { 0x1d4bb, 0x1d4bb }, { 0x1d4bd, 0x1d4c3 },
	{ 0x1d4c5, 0x1d505 }, { 0x1d507, 0x1d50a }, { 0x1d50d, 0x1d514 }, { 0x1d516, 0x1d51c },
	{ 0x1d51e, 0x1d539 }, { 0x1d53b, 0x1d53e }, { 0x1d540, 0x1d544 }, { 0x1d546, 0x1d546 },
	{ 0x1d54a, 0x1d550 }, { 0x1d552, 0x1d6a5 }, { 0x1d6a8, 0x1d6c0 }, { 0x1d6c2, 0x1d6da },
	{ 0x1d6dc, 0x1d6fa }, { 0x1d6fc, 0x1d714 }, { 0x1d716, 0x1d734 }, { 0x1d736, 0x1d74e },
	{ 0x1d750, 0x1d76e }, { 0x1d770, 0x1d788 }, { 0x1d78a, 0x1d7a8 }, { 0x1d7aa, 0x1d7c2 },
	{ 0x1d7c4, 0x1d7cb }, { 0x1df00, 0x1df1e }, { 0x1df25, 0x1df2a }, { 0x1e030, 0x1e06d },
	{ 0x1e100, 0x1e12c }, { 0x1e137, 0x1e13d }, { 0x1e14e, 0x1e14e }, { 0x1e290, 0x1e2ad },
	{ 0x1e2c0, 0x1e2eb }, { 0x1e4d0, 0x1e4eb }, { 0x1e7e0, 0x1e7e6 }, { 0x1e7e8, 0x1e7eb },
	{ 0x1e7ed, 0x1e7ee }, { 0x1e7f0, 0x1e7fe }, { 0x1e800, 0x1e8c4 }, { 0x1e900, 0x1e943 },
	{ 0x1e94b, 0x1e94b }, { 0x1ee00, 0x1ee03 }, { 0x1ee05, 0x1ee1f }, { 0x1ee21, 0x1ee22 },
	{ 0x1ee24, 0x1ee24 }, { 0x1ee27, 0x1ee27 }, { 0x1ee29, 0x1ee32 }, { 0x1ee34, 0x1ee37 },
	{ 0x1ee39, 0x1ee39 }, { 0x1ee3b, 0x1ee3b }, { 0x1ee42, 0x1ee42 }, { 0x1ee47, 0x1ee47 },
	{ 0x1ee49, 0x1ee49 }, { 0x1ee4b, 0x1ee4b }, { 0x1ee4d, 0x1ee4f }, { 0x1ee51, 0x1ee52 },
	{ 0x1ee54, 0x1ee54 }, { 0x1ee57, 0x1ee57 }, { 0x1ee59, 0x1ee59 }, { 0x1ee5b, 0x1ee5b },
	{ 0x1ee5d, 0x1ee5d }, { 0x1ee5f, 0x1ee5f }, { 0x1ee61, 0x1ee62 }, { 0x1ee64, 0x1ee64 },
	{ 0x1ee67, 0x1ee6a }, { 0x1ee6c, 0x1ee72 }, { 0x1ee74, 0x1ee77 }, { 0x1ee79, 0x1ee7c },
	{ 0x1ee7e, 0x1ee7e }, { 0x1ee80, 0x1ee89 }, { 0x1ee8b, 0x1ee9b }, { 0x1eea1, 0x1eea3 },
	{ 0x1eea5, 0x1eea9 }, { 0x1eeab, 0x1eebb }, { 0x20000, 0x2a6df }, { 0x2a700, 0x2b739 },
	{ 0x2b740, 0x2b81d }, { 0x2b820, 0x2cea1 }, { 0x2ceb0, 0x2ebe0 }, { 0x2f800, 0x2fa1d },
	{ 0x30000, 0x3134a }, { 0x31350, 0x323af },
};
static const uint32_t digit_ranges[][2] = {
	{ 0x660, 0x669 }, { 0x6f0, 0x6f9 }, { 0x7c0, 0x7c9 }, { 0x966, 0x96f }, { 0x9e6, 0x9ef },
	{ 0xa66, 0xa6f }, { 0xae6, 0xaef }, { 0xb66, 0xb6f }, { 0xbe6, 0xbef }, { 0xc66, 0xc6f },
	{ 0xce6, 0xcef }, { 0xd66, 0xd6f }, { 0xde6, 0xdef }, { 0xe50, 0xe59 }, { 0xed0, 0xed9 },
	{ 0xf20, 0xf29 }, { 0x1040, 0x1049 }, { 0x1090, 0x1099 }, { 0x17e0, 0x17e9 },
	{ 0x1810, 0x1819 }, { 0x1946, 0x194f }, { 0x19d0, 0x19d9 }, { 0x1a80, 0x1a89 },
	{ 0x1a90, 0x1a99 }, { 0x1b50, 0x1b59 }, { 0x1bb0, 0x1bb9 }, { 0x1c40, 0x1c49 },
	{ 0x1c50, 0x1c59 }, { 0xa620, 0xa629 }, { 0xa8d0, 0xa8d9 }, { 0xa900, 0xa909 },
	{ 0xa9d0, 0xa9d9 }, { 0xa9f0, 0xa9f9 }, { 0xaa50, 0xaa59 }, { 0xabf0, 0xabf9 },
	{ 0xff10, 0xff19 }, { 0x104a0, 0x104a9 }, { 0x10d30, 0x10d39 }, { 0x11066, 0x1106f },
	{ 0x110f0, 0x110f9 }, { 0x11136, 0x1113f }, { 0x111d0, 0x111d9 }, { 0x112f0, 0x112f9 },
	{ 0x11450, 0x11459 }, { 0x114d0, 0x114d9 }, { 0x11650, 0x11659 }, { 0x116c0, 0x116c9 },
	{ 0x11730, 0x11739 }, { 0x118e0, 0x118e9 }, { 0x11950, 0x11959 }, { 0x11c50, 0x11c59 },
	{ 0x11d50, 0x11d59 }, { 0x11da0, 0x11da9 }, { 0x11f50, 0x11f59 }, { 0x16a60, 0x16a69 },
	{ 0x16ac0, 0x16ac9 }, { 0x16b50, 0x16b59 }, { 0x1d7ce, 0x1d7ff }, { 0x1e140, 0x1e149 },
	{ 0x1e2f0, 0x1e2f9 }, { 0x1e4f0, 0x1e4f9 }, { 0x1e950, 0x1e959 }, { 0x1fbf0, 0x1fbf9 },
};

static int in_ranges(const uint32_t (*t)[2], size_t n, uint32_t r)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r < t[mid][0])
			hi = mid;
		else if (r > t[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static int is_letter(uint32_t r)
{
	if (r < 0x80)
		return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
	return in_ranges(letter_ranges, sizeof(letter_ranges) / sizeof(letter_ranges[0]), r);
}

static int is_udigit(uint32_t r)
{
	if (r < 0x80)
		return r >= '0' && r <= '9';
	return in_ranges(digit_ranges, sizeof(digit_ranges) / sizeof(digit_ranges[0]), r);
}

/* A key decoded to runes once, for sorting. */
struct ykey {
	const char *s; /* sanitized UTF-8, borrowed */
	size_t len;
	uint32_t *runes;
	size_t nrunes;
	json_t *value; /* borrowed */
};

/* keyList.Less for two string keys: letters compare as runes, runs of
 * digits compare by value, and non-letters sort before letters. */
static int key_less(const struct ykey *a, const struct ykey *b)
{
	const uint32_t *ar = a->runes, *br = b->runes;
	size_t na = a->nrunes, nb = b->nrunes;

	for (size_t i = 0; i < na && i < nb; i++) {
		int al, bl;
		size_t ai, bi;
		uint64_t an = 0, bn = 0; /* Go's int64, wrapping */

		if (ar[i] == br[i])
			continue;
		al = is_letter(ar[i]);
		bl = is_letter(br[i]);
		if (al && bl)
			return ar[i] < br[i];
		if (al || bl)
			return bl;
		if (ar[i] == '0' || br[i] == '0') {
			for (size_t j = i; j-- > 0 && is_udigit(ar[j]);) {
				if (ar[j] != '0') {
					an = 1;
					bn = 1;
					break;
				}
			}
		}
		for (ai = i; ai < na && is_udigit(ar[ai]); ai++)
			an = an * 10 + (uint64_t)(int64_t)((int32_t)ar[ai] - '0');
		for (bi = i; bi < nb && is_udigit(br[bi]); bi++)
			bn = bn * 10 + (uint64_t)(int64_t)((int32_t)br[bi] - '0');
		if (an != bn)
			return (int64_t)an < (int64_t)bn;
		if (ai != bi)
			return ai < bi;
		return ar[i] < br[i];
	}
	return na < nb;
}

/*
 * Go's sort.Sort, step for step (sort/zsortinterface.go: pdqsort with its
 * insertion sort, heap sort, pivot choice and pattern breaking). For key
 * sets that keyList.Less orders consistently any sort agrees; for the few
 * it does not ("1a" < "01" < "10a" < "1a") Go's own output depends on the
 * random map iteration order, and this gives one of Go's possible orders,
 * always the same one (the keys arrive in bytewise order).
 */
struct keysort {
	struct ykey *k;
};

static int keys_less(struct keysort *d, size_t i, size_t j)
{
	return key_less(&d->k[i], &d->k[j]);
}

static void keys_swap(struct keysort *d, size_t i, size_t j)
{
	struct ykey t = d->k[i];

	d->k[i] = d->k[j];
	d->k[j] = t;
}

static void insertion_sort(struct keysort *d, size_t a, size_t b)
{
	for (size_t i = a + 1; i < b; i++)
		for (size_t j = i; j > a && keys_less(d, j, j - 1); j--)
			keys_swap(d, j, j - 1);
}

static void sift_down(struct keysort *d, size_t lo, size_t hi, size_t first)
{
	size_t root = lo;

	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= hi)
			return;
		if (child + 1 < hi && keys_less(d, first + child, first + child + 1))
			child++;
		if (!keys_less(d, first + root, first + child))
			return;
		keys_swap(d, first + root, first + child);
		root = child;
	}
}

static void heap_sort(struct keysort *d, size_t a, size_t b)
{
	size_t first = a, hi = b - a;

	for (size_t i = (hi - 1) / 2 + 1; i-- > 0;)
		sift_down(d, i, hi, first);
	for (size_t i = hi; i-- > 0;) {
		keys_swap(d, first, first + i);
		sift_down(d, 0, i, first);
	}
}

static int bits_len(size_t n)
{
	int len = 0;

	for (; n; n >>= 1)
		len++;
	return len;
}

static void break_patterns(struct keysort *d, size_t a, size_t b)
{
	size_t length = b - a;
	uint64_t random = length, modulus;

	if (length < 8)
		return;
	modulus = (uint64_t)1 << bits_len(length);
	for (size_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
		size_t other;

		random ^= random << 13;
		random ^= random >> 7;
		random ^= random << 17;
		other = (size_t)(random & (modulus - 1));
		if (other >= length)
			other -= length;
		keys_swap(d, idx, a + other);
	}
}

enum { HINT_UNKNOWN, HINT_INCREASING, HINT_DECREASING };

static void order2(struct keysort *d, size_t *a, size_t *b, int *swaps)
{
	if (keys_less(d, *b, *a)) {
		size_t t = *a;

		(*swaps)++;
		*a = *b;
		*b = t;
	}
}

static size_t median(struct keysort *d, size_t a, size_t b, size_t c, int *swaps)
{
	order2(d, &a, &b, swaps);
	order2(d, &b, &c, swaps);
	order2(d, &a, &b, swaps);
	return b;
}

static size_t choose_pivot(struct keysort *d, size_t a, size_t b, int *hint)
{
	size_t l = b - a, i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
	int swaps = 0;

	if (l >= 8) {
		if (l >= 50) {
			i = median(d, i - 1, i, i + 1, &swaps);
			j = median(d, j - 1, j, j + 1, &swaps);
			k = median(d, k - 1, k, k + 1, &swaps);
		}
		j = median(d, i, j, k, &swaps);
	}
	*hint = swaps == 0 ? HINT_INCREASING : swaps == 12 ? HINT_DECREASING : HINT_UNKNOWN;
	return j;
}

static void reverse_range(struct keysort *d, size_t a, size_t b)
{
	for (size_t i = a, j = b - 1; i < j; i++, j--)
		keys_swap(d, i, j);
}

static int partial_insertion_sort(struct keysort *d, size_t a, size_t b)
{
	size_t i = a + 1;

	for (int step = 0; step < 5; step++) {
		while (i < b && !keys_less(d, i, i - 1))
			i++;
		if (i == b)
			return 1;
		if (b - a < 50)
			return 0;
		keys_swap(d, i, i - 1);
		if (i - a >= 2) {
			for (size_t j = i - 1; j >= 1; j--) {
				if (!keys_less(d, j, j - 1))
					break;
				keys_swap(d, j, j - 1);
			}
		}
		if (b - i >= 2) {
			for (size_t j = i + 1; j < b; j++) {
				if (!keys_less(d, j, j - 1))
					break;
				keys_swap(d, j, j - 1);
			}
		}
	}
	return 0;
}

/* Signed indexes: the partition scans step j below a. */
static size_t partition_equal(struct keysort *d, size_t a, size_t b, size_t pivot)
{
	ptrdiff_t i = (ptrdiff_t)a + 1, j = (ptrdiff_t)b - 1;

	keys_swap(d, a, pivot);
	for (;;) {
		while (i <= j && !keys_less(d, a, (size_t)i))
			i++;
		while (i <= j && keys_less(d, a, (size_t)j))
			j--;
		if (i > j)
			break;
		keys_swap(d, (size_t)i, (size_t)j);
		i++;
		j--;
	}
	return (size_t)i;
}

static size_t partition(struct keysort *d, size_t a, size_t b, size_t pivot, int *already)
{
	ptrdiff_t i = (ptrdiff_t)a + 1, j = (ptrdiff_t)b - 1;

	keys_swap(d, a, pivot);
	while (i <= j && keys_less(d, (size_t)i, a))
		i++;
	while (i <= j && !keys_less(d, (size_t)j, a))
		j--;
	if (i > j) {
		keys_swap(d, (size_t)j, a);
		*already = 1;
		return (size_t)j;
	}
	keys_swap(d, (size_t)i, (size_t)j);
	i++;
	j--;
	for (;;) {
		while (i <= j && keys_less(d, (size_t)i, a))
			i++;
		while (i <= j && !keys_less(d, (size_t)j, a))
			j--;
		if (i > j)
			break;
		keys_swap(d, (size_t)i, (size_t)j);
		i++;
		j--;
	}
	keys_swap(d, (size_t)j, a);
	*already = 0;
	return (size_t)j;
}

static void pdqsort(struct keysort *d, size_t a, size_t b, int limit)
{
	int was_balanced = 1, was_partitioned = 1;

	for (;;) {
		size_t length = b - a, pivot, mid;
		int hint, already;

		if (length <= 12) {
			insertion_sort(d, a, b);
			return;
		}
		if (limit == 0) {
			heap_sort(d, a, b);
			return;
		}
		if (!was_balanced) {
			break_patterns(d, a, b);
			limit--;
		}
		pivot = choose_pivot(d, a, b, &hint);
		if (hint == HINT_DECREASING) {
			reverse_range(d, a, b);
			pivot = (b - 1) - (pivot - a);
			hint = HINT_INCREASING;
		}
		if (was_balanced && was_partitioned && hint == HINT_INCREASING &&
		    partial_insertion_sort(d, a, b))
			return;
		if (a > 0 && !keys_less(d, a - 1, pivot)) {
			a = partition_equal(d, a, b, pivot);
			continue;
		}
		mid = partition(d, a, b, pivot, &already);
		was_partitioned = already;
		if (mid - a < b - mid) {
			was_balanced = mid - a >= length / 8;
			pdqsort(d, a, mid, limit);
			a = mid + 1;
		} else {
			was_balanced = b - mid >= length / 8;
			pdqsort(d, mid + 1, b, limit);
			b = mid;
		}
	}
}

/* sort.Sort(keyList(keys)) */
static void sort_keys(struct ykey *k, size_t n)
{
	struct keysort d = { k };

	if (n > 1)
		pdqsort(&d, 0, n, bits_len(n));
}

/* ------------------------------------------------------------------ */
/* go-yaml v2 emitterc.go, for the events its encoder sends             */

enum ystyle {
	YSTYLE_PLAIN,
	YSTYLE_SINGLE,
	YSTYLE_DOUBLE,
	YSTYLE_LITERAL
};

struct emitter {
	struct buf *out;
	int indent, column;
	int whitespace, indention;
	int flow_level;
	int mapping_context, simple_key_context;
	/* yaml_emitter_analyze_scalar's verdict on the current scalar */
	int multiline, flow_plain_allowed, block_plain_allowed;
	int single_quoted_allowed, block_allowed;
	int one_run;            /* printable ASCII without a space: plain is one write */
	int level;              /* collections open, as yenc_check counts them */
	struct buf text;        /* owned scratch: the scalar being written */
};

/* The scalar being written, with four NUL bytes after it so that the
 * lookahead of the character tests (value[i+1] ...) stays in bounds. */
struct scalar {
	const unsigned char *v;
	size_t len;
};

static size_t char_width(unsigned char b)
{
	if ((b & 0x80) == 0)
		return 1;
	if ((b & 0xE0) == 0xC0)
		return 2;
	if ((b & 0xF0) == 0xE0)
		return 3;
	if ((b & 0xF8) == 0xF0)
		return 4;
	return 1; /* not reached for valid UTF-8 */
}

static int is_printable(const unsigned char *b)
{
	return b[0] == 0x0A || (b[0] >= 0x20 && b[0] <= 0x7E) ||
	       (b[0] == 0xC2 && b[1] >= 0xA0) || (b[0] > 0xC2 && b[0] < 0xED) ||
	       (b[0] == 0xED && b[1] < 0xA0) || b[0] == 0xEE ||
	       (b[0] == 0xEF && !(b[1] == 0xBB && b[2] == 0xBF) &&
		!(b[1] == 0xBF && (b[2] == 0xBE || b[2] == 0xBF)));
}

static int is_space(const unsigned char *b)
{
	return b[0] == ' ';
}

static int is_blank(const unsigned char *b)
{
	return b[0] == ' ' || b[0] == '\t';
}

static int is_break(const unsigned char *b)
{
	return b[0] == '\r' || b[0] == '\n' || (b[0] == 0xC2 && b[1] == 0x85) ||
	       (b[0] == 0xE2 && b[1] == 0x80 && (b[2] == 0xA8 || b[2] == 0xA9));
}

static int is_blankz(const unsigned char *b)
{
	return is_blank(b) || is_break(b) || b[0] == 0;
}

/* buf_add with the common case (room already there) inline: the emitter
 * writes most of its output a character at a time. */
static inline void em_bytes(struct buf *b, const void *data, size_t len)
{
	if (!b->oom && len < b->alloc - b->len && (!b->max || b->len + len <= b->max)) {
		memcpy(b->ptr + b->len, data, len);
		b->len += len;
		b->ptr[b->len] = '\0';
	} else {
		buf_add(b, data, len);
	}
}

static void em_put(struct emitter *e, char c)
{
	em_bytes(e->out, &c, 1);
	e->column++;
}

static void em_put_break(struct emitter *e)
{
	em_bytes(e->out, "\n", 1);
	e->column = 0;
}

static void em_write(struct emitter *e, const struct scalar *s, size_t *i)
{
	size_t w = char_width(s->v[*i]);

	if (w > s->len - *i)
		w = s->len - *i;
	em_bytes(e->out, s->v + *i, w);
	e->column++;
	*i += w;
}

static void em_write_break(struct emitter *e, const struct scalar *s, size_t *i)
{
	if (s->v[*i] == '\n') {
		em_put_break(e);
		(*i)++;
	} else {
		em_write(e, s, i);
		e->column = 0;
	}
}

static void em_write_indent(struct emitter *e)
{
	int indent = e->indent < 0 ? 0 : e->indent;

	static const char spaces[64] = "                                "
				       "                                ";

	if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace))
		em_put_break(e);
	while (e->column < indent) {
		int n = indent - e->column;

		if (n > (int)sizeof(spaces))
			n = (int)sizeof(spaces);
		em_bytes(e->out, spaces, (size_t)n);
		e->column += n;
	}
	e->whitespace = 1;
	e->indention = 1;
}

static void em_write_indicator(struct emitter *e, const char *ind, int need_whitespace,
			      int is_whitespace, int is_indention)
{
	if (need_whitespace && !e->whitespace)
		em_put(e, ' ');
	for (; *ind; ind++)
		em_put(e, *ind);
	e->whitespace = is_whitespace;
	e->indention = e->indention && is_indention;
}

/* Saves the indentation (yaml_emitter_increase_indent); the caller
 * restores the returned value when the node ends. */
static int em_increase_indent(struct emitter *e, int flow, int indentless)
{
	int saved = e->indent;

	if (e->indent < 0)
		e->indent = flow ? YAML_BEST_INDENT : 0;
	else if (!indentless)
		e->indent += YAML_BEST_INDENT;
	return saved;
}

static void em_analyze_scalar(struct emitter *e, const struct scalar *s)
{
	const unsigned char *v = s->v;
	size_t len = s->len;
	int block_indicators = 0, flow_indicators = 0, line_breaks = 0, special = 0;
	int leading_space = 0, leading_break = 0, trailing_space = 0, trailing_break = 0;
	int break_space = 0, space_break = 0, preceded_by_ws = 1, followed_by_ws;
	int previous_space = 0, previous_break = 0;

	e->one_run = 0;
	if (len == 0) {
		e->multiline = 0;
		e->flow_plain_allowed = 0;
		e->block_plain_allowed = 1;
		e->single_quoted_allowed = 1;
		e->block_allowed = 0;
		return;
	}
	if (len >= 3 && ((v[0] == '-' && v[1] == '-' && v[2] == '-') ||
			 (v[0] == '.' && v[1] == '.' && v[2] == '.'))) {
		block_indicators = 1;
		flow_indicators = 1;
	}
	for (size_t i = 0, w; i < len; i += w) {
		unsigned char c = v[i];

		/* after the first, a letter, digit, '-', '.', '/' or '_' is no
		 * indicator, printable, neither blank nor break */
		if (i > 0 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '-' && c <= '9') || c == '_')) {
			w = 1;
			previous_space = 0;
			previous_break = 0;
			preceded_by_ws = 0;
			continue;
		}
		w = char_width(c);
		followed_by_ws = i + w >= len || is_blank(v + i + w);
		if (i == 0) {
			switch (v[i]) {
			case '#': case ',': case '[': case ']': case '{': case '}':
			case '&': case '*': case '!': case '|': case '>': case '\'':
			case '"': case '%': case '@': case '`':
				flow_indicators = 1;
				block_indicators = 1;
				break;
			case '?':
			case ':':
				flow_indicators = 1;
				if (followed_by_ws)
					block_indicators = 1;
				break;
			case '-':
				if (followed_by_ws) {
					flow_indicators = 1;
					block_indicators = 1;
				}
				break;
			}
		} else {
			switch (v[i]) {
			case ',': case '?': case '[': case ']': case '{': case '}':
				flow_indicators = 1;
				break;
			case ':':
				flow_indicators = 1;
				if (followed_by_ws)
					block_indicators = 1;
				break;
			case '#':
				if (preceded_by_ws) {
					flow_indicators = 1;
					block_indicators = 1;
				}
				break;
			}
		}
		/* the emitter is unicode: only unprintable characters are special */
		if (!is_printable(v + i))
			special = 1;
		if (is_space(v + i)) {
			if (i == 0)
				leading_space = 1;
			if (i + w == len)
				trailing_space = 1;
			if (previous_break)
				break_space = 1;
			previous_space = 1;
			previous_break = 0;
		} else if (is_break(v + i)) {
			line_breaks = 1;
			if (i == 0)
				leading_break = 1;
			if (i + w == len)
				trailing_break = 1;
			if (previous_space)
				space_break = 1;
			previous_space = 0;
			previous_break = 1;
		} else {
			previous_space = 0;
			previous_break = 0;
		}
		preceded_by_ws = is_blankz(v + i);
	}
	e->multiline = line_breaks;
	e->flow_plain_allowed = 1;
	e->block_plain_allowed = 1;
	e->single_quoted_allowed = 1;
	e->block_allowed = 1;
	if (leading_space || leading_break || trailing_space || trailing_break) {
		e->flow_plain_allowed = 0;
		e->block_plain_allowed = 0;
	}
	if (trailing_space)
		e->block_allowed = 0;
	if (break_space) {
		e->flow_plain_allowed = 0;
		e->block_plain_allowed = 0;
		e->single_quoted_allowed = 0;
	}
	if (space_break || special) {
		e->flow_plain_allowed = 0;
		e->block_plain_allowed = 0;
		e->single_quoted_allowed = 0;
		e->block_allowed = 0;
	}
	if (line_breaks) {
		e->flow_plain_allowed = 0;
		e->block_plain_allowed = 0;
	}
	if (flow_indicators)
		e->flow_plain_allowed = 0;
	if (block_indicators)
		e->block_plain_allowed = 0;
}

/*
 * em_analyze_scalar for a scalar of printable ASCII (0x20 to 0x7E), the
 * common case, in one pass that also notes a ':' (goscalar_is_base60_float
 * needs one). Returns 0, the verdict unset, when the scalar is empty or
 * holds any other byte. No breaks, tabs or specials can occur, so only
 * the indicators and leading and trailing spaces decide.
 */
static int em_analyze_ascii(struct emitter *e, const unsigned char *v, size_t len, int *colon)
{
	int block_indicators = 0, flow_indicators = 0, has_colon = 0, space_around;
	int preceded_by_ws;
	unsigned char c;

	if (len == 0 || v[0] < 0x20 || v[0] > 0x7E)
		return 0;
	c = v[0];
	switch (c) {
	case '#': case ',': case '[': case ']': case '{': case '}':
	case '&': case '*': case '!': case '|': case '>': case '\'':
	case '"': case '%': case '@': case '`':
		flow_indicators = 1;
		block_indicators = 1;
		break;
	case ':':
		has_colon = 1;
		/* fall through */
	case '?':
		flow_indicators = 1;
		if (len == 1 || v[1] == ' ')
			block_indicators = 1;
		break;
	case '-':
		if (len == 1 || v[1] == ' ') {
			flow_indicators = 1;
			block_indicators = 1;
		} else if (len >= 3 && v[1] == '-' && v[2] == '-') {
			flow_indicators = 1;
			block_indicators = 1;
		}
		break;
	case '.':
		if (len >= 3 && v[1] == '.' && v[2] == '.') {
			flow_indicators = 1;
			block_indicators = 1;
		}
		break;
	}
	preceded_by_ws = c == ' ';
	for (size_t i = 1; i < len; i++) {
		c = v[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '-' && c <= '9') ||
		    c == '_') {
			preceded_by_ws = 0;
			continue;
		}
		if (c < 0x20 || c > 0x7E)
			return 0;
		switch (c) {
		case ',': case '?': case '[': case ']': case '{': case '}':
			flow_indicators = 1;
			break;
		case ':':
			has_colon = 1;
			flow_indicators = 1;
			if (i + 1 == len || v[i + 1] == ' ')
				block_indicators = 1;
			break;
		case '#':
			if (preceded_by_ws) {
				flow_indicators = 1;
				block_indicators = 1;
			}
			break;
		}
		preceded_by_ws = c == ' ';
	}
	space_around = v[0] == ' ' || v[len - 1] == ' ';
	e->multiline = 0;
	e->flow_plain_allowed = !space_around && !flow_indicators;
	e->block_plain_allowed = !space_around && !block_indicators;
	e->single_quoted_allowed = 1;
	e->block_allowed = v[len - 1] != ' ';
	e->one_run = !memchr(v, ' ', len);
	*colon = has_colon;
	return 1;
}

static enum ystyle em_select_style(struct emitter *e, const struct scalar *s, enum ystyle style)
{
	if (e->simple_key_context && e->multiline)
		style = YSTYLE_DOUBLE;
	if (style == YSTYLE_PLAIN) {
		if ((e->flow_level > 0 && !e->flow_plain_allowed) ||
		    (e->flow_level == 0 && !e->block_plain_allowed))
			style = YSTYLE_SINGLE;
		if (s->len == 0 && (e->flow_level > 0 || e->simple_key_context))
			style = YSTYLE_SINGLE;
	}
	if (style == YSTYLE_SINGLE && !e->single_quoted_allowed)
		style = YSTYLE_DOUBLE;
	if (style == YSTYLE_LITERAL &&
	    (!e->block_allowed || e->flow_level > 0 || e->simple_key_context))
		style = YSTYLE_DOUBLE;
	return style;
}

static void em_write_plain(struct emitter *e, const struct scalar *s, int allow_breaks)
{
	int spaces = 0, breaks = 0;

	if (!e->whitespace)
		em_put(e, ' ');
	for (size_t i = 0; i < s->len;) {
		const unsigned char *c = s->v + i;

		if (is_space(c)) {
			if (allow_breaks && !spaces && e->column > YAML_BEST_WIDTH && !is_space(c + 1)) {
				em_write_indent(e);
				i += char_width(*c);
			} else {
				em_write(e, s, &i);
			}
			spaces = 1;
		} else if (is_break(c)) {
			if (!breaks && *c == '\n')
				em_put_break(e);
			em_write_break(e, s, &i);
			e->indention = 1;
			breaks = 1;
		} else {
			size_t j;

			if (breaks)
				em_write_indent(e);
			em_write(e, s, &i);
			/* printable ASCII other than space would take this branch
			 * one byte at a time: write the run at once */
			for (j = i; j < s->len && s->v[j] > 0x20 && s->v[j] < 0x7F; j++)
				;
			if (j > i) {
				em_bytes(e->out, s->v + i, j - i);
				e->column += (int)(j - i);
				i = j;
			}
			e->indention = 0;
			spaces = 0;
			breaks = 0;
		}
	}
	e->whitespace = 0;
	e->indention = 0;
}

static void em_write_single_quoted(struct emitter *e, const struct scalar *s, int allow_breaks)
{
	int spaces = 0, breaks = 0;

	em_write_indicator(e, "'", 1, 0, 0);
	for (size_t i = 0; i < s->len;) {
		const unsigned char *c = s->v + i;

		if (is_space(c)) {
			if (allow_breaks && !spaces && e->column > YAML_BEST_WIDTH && i > 0 &&
			    i < s->len - 1 && !is_space(c + 1)) {
				em_write_indent(e);
				i += char_width(*c);
			} else {
				em_write(e, s, &i);
			}
			spaces = 1;
		} else if (is_break(c)) {
			if (!breaks && *c == '\n')
				em_put_break(e);
			em_write_break(e, s, &i);
			e->indention = 1;
			breaks = 1;
		} else {
			if (breaks)
				em_write_indent(e);
			if (*c == '\'')
				em_put(e, '\'');
			em_write(e, s, &i);
			e->indention = 0;
			spaces = 0;
			breaks = 0;
		}
	}
	em_write_indicator(e, "'", 0, 0, 0);
	e->whitespace = 0;
	e->indention = 0;
}

static void em_write_double_quoted(struct emitter *e, const struct scalar *s, int allow_breaks)
{
	static const char hex[] = "0123456789ABCDEF";
	int spaces = 0;

	em_write_indicator(e, "\"", 1, 0, 0);
	for (size_t i = 0; i < s->len;) {
		const unsigned char *c = s->v + i;

		/* is_bom in emitterc.go looks at the value's first bytes whatever i
		 * is: after a leading BOM every character is escaped */
		if (!is_printable(c) || (s->v[0] == 0xEF && s->v[1] == 0xBB && s->v[2] == 0xBF) ||
		    is_break(c) || *c == '"' || *c == '\\') {
			size_t w = char_width(*c), k;
			uint32_t r;

			if (w > s->len - i)
				w = s->len - i;
			r = w == 1 ? c[0] : w == 2 ? (c[0] & 0x1Fu) : w == 3 ? (c[0] & 0x0Fu) : (c[0] & 0x07u);
			for (k = 1; k < w; k++)
				r = (r << 6) + (c[k] & 0x3Fu);
			i += w;
			em_put(e, '\\');
			switch (r) {
			case 0x00: em_put(e, '0'); break;
			case 0x07: em_put(e, 'a'); break;
			case 0x08: em_put(e, 'b'); break;
			case 0x09: em_put(e, 't'); break;
			case 0x0A: em_put(e, 'n'); break;
			case 0x0B: em_put(e, 'v'); break;
			case 0x0C: em_put(e, 'f'); break;
			case 0x0D: em_put(e, 'r'); break;
			case 0x1B: em_put(e, 'e'); break;
			case 0x22: em_put(e, '"'); break;
			case 0x5C: em_put(e, '\\'); break;
			case 0x85: em_put(e, 'N'); break;
			case 0xA0: em_put(e, '_'); break;
			case 0x2028: em_put(e, 'L'); break;
			case 0x2029: em_put(e, 'P'); break;
			default: {
				int digits;

				if (r <= 0xFF) {
					em_put(e, 'x');
					digits = 2;
				} else if (r <= 0xFFFF) {
					em_put(e, 'u');
					digits = 4;
				} else {
					em_put(e, 'U');
					digits = 8;
				}
				for (int sh = (digits - 1) * 4; sh >= 0; sh -= 4)
					em_put(e, hex[(r >> sh) & 0xF]);
			}
			}
			spaces = 0;
		} else if (is_space(c)) {
			if (allow_breaks && !spaces && e->column > YAML_BEST_WIDTH && i > 0 &&
			    i < s->len - 1) {
				em_write_indent(e);
				if (is_space(c + 1))
					em_put(e, '\\');
				i += char_width(*c);
			} else {
				em_write(e, s, &i);
			}
			spaces = 1;
		} else {
			em_write(e, s, &i);
			spaces = 0;
		}
	}
	em_write_indicator(e, "\"", 0, 0, 0);
	e->whitespace = 0;
	e->indention = 0;
}

static void em_write_block_hints(struct emitter *e, const struct scalar *s)
{
	char chomp[2] = { 0, 0 };

	if (is_space(s->v) || is_break(s->v)) {
		char hint[2] = { (char)('0' + YAML_BEST_INDENT), 0 };

		em_write_indicator(e, hint, 0, 0, 0);
	}
	if (s->len == 0) {
		chomp[0] = '-';
	} else {
		size_t i = s->len - 1;

		while (i > 0 && (s->v[i] & 0xC0) == 0x80)
			i--;
		if (!is_break(s->v + i)) {
			chomp[0] = '-';
		} else if (i == 0) {
			chomp[0] = '+';
		} else {
			i--;
			while (i > 0 && (s->v[i] & 0xC0) == 0x80)
				i--;
			if (is_break(s->v + i))
				chomp[0] = '+';
		}
	}
	if (chomp[0])
		em_write_indicator(e, chomp, 0, 0, 0);
}

static void em_write_literal(struct emitter *e, const struct scalar *s)
{
	int breaks = 1;

	em_write_indicator(e, "|", 1, 0, 0);
	em_write_block_hints(e, s);
	em_put_break(e);
	e->indention = 1;
	e->whitespace = 1;
	for (size_t i = 0; i < s->len;) {
		if (is_break(s->v + i)) {
			em_write_break(e, s, &i);
			e->indention = 1;
			breaks = 1;
		} else {
			if (breaks)
				em_write_indent(e);
			em_write(e, s, &i);
			e->indention = 0;
			breaks = 0;
		}
	}
}

/* yaml_emitter_emit_scalar: the analysis is already in e. */
static void em_emit_scalar(struct emitter *e, const struct scalar *s, enum ystyle requested)
{
	enum ystyle style = em_select_style(e, s, requested);
	int saved;

	if (style == YSTYLE_PLAIN && e->one_run) {
		/* em_write_plain without spaces or breaks to fold at */
		if (!e->whitespace)
			em_put(e, ' ');
		em_bytes(e->out, s->v, s->len);
		e->column += (int)s->len;
		e->whitespace = 0;
		e->indention = 0;
		return;
	}
	saved = em_increase_indent(e, 1, 0);

	switch (style) {
	case YSTYLE_PLAIN:
		em_write_plain(e, s, !e->simple_key_context);
		break;
	case YSTYLE_SINGLE:
		em_write_single_quoted(e, s, !e->simple_key_context);
		break;
	case YSTYLE_DOUBLE:
		em_write_double_quoted(e, s, !e->simple_key_context);
		break;
	case YSTYLE_LITERAL:
		em_write_literal(e, s);
		break;
	}
	e->indent = saved;
}

/* ------------------------------------------------------------------ */
/* sigs.k8s.io/yaml.Marshal                                             */

static int is_nel(const unsigned char *p, size_t i, size_t len)
{
	return p[i] == 0xC2 && i + 1 < len && p[i + 1] == 0x85;
}

/*
 * Why go-yaml cannot read back the JSON text of string s (sanitized UTF-8),
 * or NULL. JSON leaves these characters raw, and YAML objects to them:
 * DEL, the C1 controls other than NEL and U+FFFE/U+FFFF ("control
 * characters", readerc.go); a raw NEL is a line break, so a key holding one
 * spans two lines and stops being a simple key (the flow mapping then
 * lacks its ','), and "---" or "..." right after it is a document marker.
 */
static const char *yenc_unreadable(const char *s, size_t len, int is_key)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == 0x7F)
			return "yaml: control characters are not allowed";
		if (p[i] == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F &&
		    p[i + 1] != 0x85)
			return "yaml: control characters are not allowed";
		if (p[i] == 0xEF && i + 2 < len && p[i + 1] == 0xBF &&
		    (p[i + 2] == 0xBE || p[i + 2] == 0xBF))
			return "yaml: control characters are not allowed";
	}
	for (size_t i = 0; i < len; i++) {
		if (!is_nel(p, i, len))
			continue;
		if (is_key)
			return "yaml: did not find expected ',' or '}'";
		if (i + 5 <= len && (memcmp(p + i + 2, "---", 3) == 0 ||
				     memcmp(p + i + 2, "...", 3) == 0) &&
		    i + 5 < len && (p[i + 5] == ' ' || is_nel(p, i + 5, len)))
			return "yaml: found unexpected document indicator";
	}
	return NULL;
}

/*
 * A raw NEL in the JSON text is a line break inside a double-quoted YAML
 * scalar, so go-yaml folds it (scannerc.go, yaml_parser_scan_flow_scalar):
 * spaces before the first break of a run are dropped, spaces after breaks
 * are dropped, one break becomes a space and n > 1 breaks become n - 1
 * newlines. No other blank or break is raw in Go's JSON. Appends to out.
 */
static void fold_nel(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (!memchr(s, 0x85, len)) {
		buf_add(out, s, len);
		return;
	}
	while (i < len) {
		size_t spaces = 0, breaks = 0;

		if (p[i] != ' ' && !is_nel(p, i, len)) {
			buf_addch(out, p[i++]);
			continue;
		}
		while (i < len && (p[i] == ' ' || is_nel(p, i, len))) {
			if (p[i] == ' ') {
				if (!breaks)
					spaces++;
				i++;
			} else {
				breaks++;
				i += 2;
			}
		}
		if (breaks == 1)
			buf_addch(out, ' ');
		else if (breaks > 1)
			buf_addchn(out, '\n', breaks - 1);
		else
			buf_addchn(out, ' ', spaces);
	}
}

/* Characters the key takes in Go's JSON text (html escaping on). */
static size_t jenc_key_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		unsigned char b = p[i];

		if (b < 0x80) {
			if (b == '"' || b == '\\' || b == '\b' || b == '\f' || b == '\n' ||
			    b == '\r' || b == '\t')
				n += 2;
			else if (b < 0x20 || b == '<' || b == '>' || b == '&')
				n += 6;
			else
				n += 1;
			i++;
		} else {
			uint32_t r;
			size_t w = decode_rune(p + i, len - i, &r);

			n += (r == RUNE_ERROR && w == 1) || r == 0x2028 || r == 0x2029 ? 6 : 1;
			i += w;
		}
	}
	return n;
}

/* yenc_unreadable for string s before sanitizing; scratch (reset here)
 * holds the sanitized copy when one is needed. */
static const char *yenc_string_why(struct buf *scratch, const char *s, size_t len, int is_key)
{
	if (!go_needs_sanitize(s, len))
		return yenc_unreadable(s, len, is_key);
	buf_reset(scratch);
	go_sanitize(scratch, s, len);
	return yenc_unreadable(scratch->ptr, scratch->len, is_key);
}

/*
 * Fails as go-yaml fails to read the JSON text of v back. The emitter
 * checks each node as it writes it (in key order); this walk, in
 * jansson's order, runs only when that found a fault, to tell the same
 * fault as always.
 */
static int yenc_check(const json_t *v, int level, struct diag *d)
{
	struct buf tmp = BUF_INIT;
	const char *why;
	int error = 0;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (!go_needs_sanitize(json_string_value(v), json_string_length(v))) {
			why = yenc_unreadable(json_string_value(v), json_string_length(v), 0);
		} else {
			go_sanitize(&tmp, json_string_value(v), json_string_length(v));
			why = yenc_unreadable(tmp.ptr, tmp.len, 0);
		}
		if (why)
			error = diag_set(d, DIAG_EINVALID, "error converting JSON to YAML: %s", why);
		break;
	case JSON_REAL:
		if (isnan(json_real_value(v)) || isinf(json_real_value(v))) {
			gofloat_format(&tmp, json_real_value(v), 'g', -1, 64);
			error = diag_set(d, DIAG_EINVALID, "error marshaling into JSON: "
					 "json: unsupported value: %s", tmp.ptr);
		}
		break;
	case JSON_ARRAY:
		if (level > VALUE_MAX_DEPTH) {
			error = diag_set(d, DIAG_EINVALID, "error converting JSON to YAML: "
					 "yaml: exceeded max depth of %d", VALUE_MAX_DEPTH);
			break;
		}
		for (size_t i = 0; i < json_array_size(v) && !error; i++)
			error = yenc_check(json_array_get(v, i), level + 1, d);
		break;
	case JSON_OBJECT: {
		void *it;

		if (level > VALUE_MAX_DEPTH) {
			error = diag_set(d, DIAG_EINVALID, "error converting JSON to YAML: "
					 "yaml: exceeded max depth of %d", VALUE_MAX_DEPTH);
			break;
		}
		for (it = json_object_iter((json_t *)v); it && !error;
		     it = json_object_iter_next((json_t *)v, it)) {
			const char *k = json_object_iter_key(it);
			size_t klen = json_object_iter_key_len(it);

			if (!go_needs_sanitize(k, klen)) {
				why = yenc_unreadable(k, klen, 1);
			} else {
				buf_reset(&tmp);
				go_sanitize(&tmp, k, klen);
				why = yenc_unreadable(tmp.ptr, tmp.len, 1);
			}
			if (why)
				error = diag_set(d, DIAG_EINVALID, "error converting JSON to YAML: %s",
						 why);
			else if (jenc_key_chars(k, klen) > YAML_MAX_KEY_CHARS)
				error = diag_set(d, DIAG_EINVALID, "error converting JSON to YAML: "
						 "yaml: did not find expected ',' or '}'");
			else
				error = yenc_check(json_object_iter_value(it), level + 1, d);
		}
		break;
	}
	default:
		break;
	}
	if (!error && buf_oom(&tmp))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	buf_release(&tmp);
	return error;
}

/* wanted_string_style for a string em_analyze_ascii accepted: it holds
 * no newline, and a base-60 float needs a ':'. */
static int ascii_string_style(enum ystyle *style, const char *s, size_t len, int colon)
{
	int r;

	if ((r = resolves_to_str(s, len)) < 0)
		return DIAG_ENOMEM;
	*style = r && !(colon && goscalar_is_base60_float(s, len)) ? YSTYLE_PLAIN : YSTYLE_DOUBLE;
	return 0;
}

/* The style go-yaml's encoder asks for a string (encode.go, stringv):
 * literal when it holds a newline, plain when a plain scalar would read
 * back as this string, double-quoted otherwise. */
static int wanted_string_style(enum ystyle *style, const char *s, size_t len)
{
	int r;

	if (memchr(s, '\n', len)) {
		*style = YSTYLE_LITERAL;
		return 0;
	}
	if ((r = resolves_to_str(s, len)) < 0)
		return DIAG_ENOMEM;
	*style = r && !goscalar_is_base60_float(s, len) ? YSTYLE_PLAIN : YSTYLE_DOUBLE;
	return 0;
}

/* A float64 after the round trip: Go's JSON text of it, read back by
 * go-yaml as a plain scalar (an int when it has neither point nor exponent
 * and fits int64 or uint64), then printed by go-yaml. */
static int yenc_real(struct buf *out, double v)
{
	struct buf json = BUF_INIT;
	int error;

	if ((error = jenc_float(&json, v, NULL)) < 0)
		goto done;
	if (!strpbrk(json.ptr, ".eE")) {
		const char *t = json.ptr;
		char *end;

		errno = 0;
		long long i = strtoll(t, &end, 10);
		if (errno == 0 && *end == '\0') {
			buf_add_int(out, i);
			goto done;
		}
		if (t[0] != '-') {
			errno = 0;
			unsigned long long u = strtoull(t, &end, 10);
			if (errno == 0 && *end == '\0') {
				buf_add_uint(out, u);
				goto done;
			}
		}
	}
	/* the JSON text is v's shortest form: it reads back as v itself */
	if (gofloat_format(out, v, 'g', -1, 64) < 0)
		error = DIAG_ENOMEM;
done:
	buf_release(&json);
	return error;
}

/* Appends the decimal text of n (as printf's %lld writes it). */
static void add_integer(struct buf *out, json_int_t n)
{
	char digits[24];
	size_t at = sizeof(digits);
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;

	do {
		digits[--at] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (n < 0)
		digits[--at] = '-';
	buf_add(out, digits + at, sizeof(digits) - at);
}

/* The text and wanted style of a scalar as go-yaml's encoder sends it
 * (encode.go: stringv, intv, floatv, boolv, nilv). text gets four NUL bytes
 * of padding after the scalar; *len_out is the scalar's length. */
static int yenc_scalar(struct buf *text, size_t *len_out, enum ystyle *style, const json_t *v)
{
	int error = 0;

	*style = YSTYLE_PLAIN;
	switch (json_typeof(v)) {
	case JSON_NULL:
		buf_adds(text, "null");
		break;
	case JSON_TRUE:
		buf_adds(text, "true");
		break;
	case JSON_FALSE:
		buf_adds(text, "false");
		break;
	case JSON_INTEGER:
		add_integer(text, json_integer_value(v));
		break;
	case JSON_REAL:
		error = yenc_real(text, json_real_value(v));
		break;
	case JSON_STRING: {
		struct buf raw = BUF_INIT;

		if (!go_needs_sanitize(json_string_value(v), json_string_length(v))) {
			fold_nel(text, json_string_value(v), json_string_length(v));
		} else {
			go_sanitize(&raw, json_string_value(v), json_string_length(v));
			fold_nel(text, raw.ptr, raw.len);
			if (buf_oom(&raw))
				error = DIAG_ENOMEM;
			buf_release(&raw);
		}
		if (!error)
			error = wanted_string_style(style, text->ptr, text->len);
		break;
	}
	default:
		break;
	}
	*len_out = text->len;
	buf_addchn(text, 0, 4);
	return error;
}

static int emit_node(struct emitter *e, const json_t *v, int mapping, int simple_key);

/* Returns 0, DIAG_EINVALID when go-yaml could not read v's JSON text back
 * (yenc_check tells why), or DIAG_ENOMEM. */
static int emit_scalar_value(struct emitter *e, const json_t *v)
{
	struct scalar s;
	enum ystyle style;
	int error, colon;

	if (json_is_string(v)) {
		s.v = (const unsigned char *)json_string_value(v);
		s.len = json_string_length(v);
		/* printable ASCII: nothing to sanitize, fold or refuse, and the
		 * NUL jansson keeps after the string is all the lookahead the
		 * writers take */
		if (em_analyze_ascii(e, s.v, s.len, &colon)) {
			if ((error = ascii_string_style(&style, (const char *)s.v, s.len, colon)) < 0)
				return error;
			em_emit_scalar(e, &s, style);
			return 0;
		}
		if (yenc_string_why(&e->text, (const char *)s.v, s.len, 0))
			return DIAG_EINVALID;
		if (buf_oom(&e->text))
			return DIAG_ENOMEM;
	} else if (json_is_real(v) && (isnan(json_real_value(v)) || isinf(json_real_value(v)))) {
		return DIAG_EINVALID;
	}
	buf_reset(&e->text);
	if ((error = yenc_scalar(&e->text, &s.len, &style, v)) < 0)
		return error;
	s.v = (const unsigned char *)e->text.ptr;
	em_analyze_scalar(e, &s);
	em_emit_scalar(e, &s, style);
	return 0;
}

static int emit_sequence(struct emitter *e, const json_t *v)
{
	size_t n = json_array_size(v);
	int saved, error = 0;

	if (e->level >= VALUE_MAX_DEPTH)
		return DIAG_EINVALID;
	if (n == 0 || e->flow_level > 0) {
		/* only ever empty here: go-yaml asks for block style */
		em_write_indicator(e, "[", 1, 1, 0);
		em_write_indicator(e, "]", 0, 0, 0);
		return 0;
	}
	e->level++;
	saved = em_increase_indent(e, 0, e->mapping_context && !e->indention);
	for (size_t i = 0; i < n && !error; i++) {
		em_write_indent(e);
		em_write_indicator(e, "-", 1, 0, 1);
		error = emit_node(e, json_array_get(v, i), 0, 0);
	}
	e->indent = saved;
	e->level--;
	return error;
}

/*
 * The mapping's keys as go-yaml holds them: sanitized (two keys that
 * become equal keep the later one's value, as decoding into a Go map
 * does), decoded to runes, in keyList order. *mem_out is the one
 * allocation holding the keys and their runes (free() it; NULL when the
 * mapping is empty); keytext owns the key bytes of a mapping with a key
 * that sanitizing changes, the others are borrowed from o.
 */
static int yenc_keys(struct ykey **out, size_t *n_out, void **mem_out, struct buf *keytext,
		     struct buf *scratch, const json_t *o)
{
	size_t n = json_object_size(o), nm = 0, nk = 0, total = 0, used = 0;
	struct member *m;
	struct ykey *k;
	uint32_t *runes;
	int dirty = 0;
	void *it, *mem;

	*out = NULL;
	*n_out = 0;
	*mem_out = NULL;
	if (n == 0)
		return 0;
	for (it = json_object_iter((json_t *)o); it; it = json_object_iter_next((json_t *)o, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);

		size_t j = 0;

		total += klen;
		/* below DEL and too short to pass the key limit even escaped:
		 * nothing to sanitize or refuse */
		if (klen <= YAML_MAX_KEY_CHARS / 6)
			for (j = 0; j < klen && (unsigned char)key[j] < 0x7F; j++)
				;
		if (j == klen && klen <= YAML_MAX_KEY_CHARS / 6)
			continue;
		if (!dirty && go_needs_sanitize(key, klen))
			dirty = 1;
		if (yenc_string_why(scratch, key, klen, 1) ||
		    jenc_key_chars(key, klen) > YAML_MAX_KEY_CHARS)
			return DIAG_EINVALID;
		if (buf_oom(scratch))
			return DIAG_ENOMEM;
	}
	/* a key never has more runes than bytes, sanitized or not */
	if (total > (SIZE_MAX - n * (sizeof(*m) + sizeof(*k))) / sizeof(*runes) - 1)
		return DIAG_ENOMEM;
	mem = malloc(n * (sizeof(*m) + sizeof(*k)) + (total + 1) * sizeof(*runes));
	if (!mem)
		return DIAG_ENOMEM;
	m = mem;
	k = (struct ykey *)(m + n);
	runes = (uint32_t *)(k + n);
	for (it = json_object_iter((json_t *)o); it && nm < n;
	     it = json_object_iter_next((json_t *)o, it), nm++) {
		m[nm].key = json_object_iter_key(it);
		m[nm].len = json_object_iter_key_len(it);
		m[nm].value = json_object_iter_value(it);
		m[nm].index = nm;
	}
	/* Go's JSON writes keys sorted by their original bytes */
	sort_members(m, nm);
	if (dirty) {
		/* k[i].len holds where key i starts in keytext until all are in */
		for (size_t i = 0; i < nm; i++) {
			k[i].len = keytext->len;
			go_sanitize(keytext, m[i].key, m[i].len);
		}
		if (buf_oom(keytext)) {
			free(mem);
			return DIAG_ENOMEM;
		}
		for (size_t i = 0; i < nm; i++) {
			size_t end = i + 1 < nm ? k[i + 1].len : keytext->len;

			m[i].key = keytext->ptr + k[i].len;
			m[i].len = end - k[i].len;
			m[i].index = i;
		}
		/* sort by sanitized bytes, stably */
		sort_members(m, nm);
	}
	for (size_t i = 0; i < nm; i++) {
		/* keep the last of a run of equal keys */
		if (dirty && i + 1 < nm && m[i].len == m[i + 1].len &&
		    memcmp(m[i].key, m[i + 1].key, m[i].len) == 0)
			continue;
		k[nk].s = m[i].key;
		k[nk].len = m[i].len;
		k[nk].value = m[i].value;
		k[nk].runes = runes + used;
		k[nk].nrunes = 0;
		for (size_t j = 0; j < m[i].len;) {
			const unsigned char *p = (const unsigned char *)m[i].key + j;

			if (*p < 0x80) {
				k[nk].runes[k[nk].nrunes] = *p;
				j++;
			} else {
				j += decode_rune(p, m[i].len - j, &k[nk].runes[k[nk].nrunes]);
			}
			k[nk].nrunes++;
		}
		used += k[nk].nrunes;
		nk++;
	}
	sort_keys(k, nk);
	*out = k;
	*n_out = nk;
	*mem_out = mem;
	return 0;
}

static int emit_key(struct emitter *e, const struct ykey *key)
{
	struct buf *text = &e->text;
	struct scalar s;
	enum ystyle style = YSTYLE_PLAIN;
	int error = 0, colon;

	/* a key followed by a NUL (jansson's, or keytext's last) is padded
	 * enough for printable ASCII: write it where it is */
	s.v = (const unsigned char *)key->s;
	s.len = key->len;
	if (key->s[key->len] == '\0' && em_analyze_ascii(e, s.v, s.len, &colon)) {
		if ((error = ascii_string_style(&style, key->s, key->len, colon)) < 0)
			return error;
		goto emit;
	}
	buf_reset(text);
	buf_add(text, key->s, key->len);
	buf_addchn(text, 0, 4);
	if ((error = wanted_string_style(&style, key->s, key->len)) < 0)
		goto done;
	if (buf_oom(text)) {
		error = DIAG_ENOMEM;
		goto done;
	}
	s.v = (const unsigned char *)text->ptr;
	s.len = key->len;
	em_analyze_scalar(e, &s);
emit:
	/* yaml_emitter_check_simple_key */
	if (!e->multiline && s.len <= 128) {
		e->mapping_context = 1;
		e->simple_key_context = 1;
		em_emit_scalar(e, &s, style);
		em_write_indicator(e, ":", 0, 0, 0);
	} else {
		em_write_indicator(e, "?", 1, 0, 1);
		e->mapping_context = 1;
		e->simple_key_context = 0;
		em_emit_scalar(e, &s, style);
		em_write_indent(e);
		em_write_indicator(e, ":", 1, 0, 1);
	}
done:
	return error;
}

static int emit_mapping(struct emitter *e, const json_t *v)
{
	struct buf keytext = BUF_INIT;
	struct ykey *keys = NULL;
	void *mem = NULL;
	size_t n = 0;
	int saved, error;

	if (e->level >= VALUE_MAX_DEPTH)
		return DIAG_EINVALID;
	if (json_object_size(v) == 0 || e->flow_level > 0) {
		em_write_indicator(e, "{", 1, 1, 0);
		em_write_indicator(e, "}", 0, 0, 0);
		return 0;
	}
	if ((error = yenc_keys(&keys, &n, &mem, &keytext, &e->text, v)) < 0)
		goto done;
	e->level++;
	saved = em_increase_indent(e, 0, 0);
	for (size_t i = 0; i < n && !error; i++) {
		em_write_indent(e);
		if ((error = emit_key(e, &keys[i])) < 0)
			break;
		error = emit_node(e, keys[i].value, 1, 0);
	}
	e->indent = saved;
	e->level--;
done:
	free(mem);
	buf_release(&keytext);
	return error;
}

/* yaml_emitter_emit_node */
static int emit_node(struct emitter *e, const json_t *v, int mapping, int simple_key)
{
	e->mapping_context = mapping;
	e->simple_key_context = simple_key;
	switch (json_typeof(v)) {
	case JSON_ARRAY:
		return emit_sequence(e, v);
	case JSON_OBJECT:
		return emit_mapping(e, v);
	default:
		return emit_scalar_value(e, v);
	}
}

int value_to_yaml(struct buf *out, const json_t *v, struct diag *d)
{
	struct emitter e;
	size_t start = out->len;
	int error;

	memset(&e, 0, sizeof(e));
	e.text = (struct buf)BUF_INIT;
	if (!v)
		v = json_null();
	e.out = out;
	e.indent = -1;
	e.whitespace = 1;
	e.indention = 1;
	error = emit_node(&e, v, 0, 0);
	if (!error) {
		/* yaml_emitter_emit_document_end */
		e.indent = -1;
		em_write_indent(&e);
		if (buf_oom(out))
			error = DIAG_ENOMEM;
	}
	if (error == DIAG_EINVALID) {
		/* tell the fault as a walk in jansson's order finds it first */
		if ((error = yenc_check(v, 1, d)) == 0)
			error = diag_set(d, DIAG_EINVALID, "error converting JSON to YAML");
	} else if (error < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	if (error < 0)
		buf_truncate(out, start);
	buf_release(&e.text);
	return error;
}
