/*
 * Go's scalar syntax as go-yaml and strconv accept it (see render/goscalar.h).
 *
 * Followed: Go's strconv (atoi.go ParseUint, ParseInt, underscoreOK;
 * atof.go readFloat, ParseFloat), time.Parse for go-yaml's timestamp
 * layouts, and go-yaml's resolve.go (v2.4.0 and v3.0.1: resolveTable,
 * resolveMap, yamlStyleFloat, the "0b" and "0o" fallbacks, parseTimestamp;
 * v2's isBase60Float).
 */
#include "render/goscalar.h"
#include "render/diag.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Texts up to this long are copied to the stack, not the heap. */
#define GOSCALAR_STACK_TEXT 128

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return (char)(c | 0x20);
}

/* The value of an alphanumeric digit, 36 for anything else. */
static unsigned digit_value(char c)
{
	if (is_digit(c))
		return (unsigned)(c - '0');
	if (lower(c) >= 'a' && lower(c) <= 'z')
		return (unsigned)(lower(c) - 'a' + 10);
	return 36;
}

int goscalar_underscore_ok(const char *s, size_t len)
{
	char saw = '^'; /* '^' start, '0' digit or prefix, '_', '!' other */
	size_t i = 0;
	int hex = 0;

	if (len >= 1 && (s[0] == '-' || s[0] == '+')) {
		s++;
		len--;
	}
	if (len >= 2 && s[0] == '0' &&
	    (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
		i = 2;
		saw = '0';
		hex = lower(s[1]) == 'x';
	}
	for (; i < len; i++) {
		if (is_digit(s[i]) || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
			saw = '0';
			continue;
		}
		if (s[i] == '_') {
			if (saw != '0')
				return 0;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return 0;
		saw = '!';
	}
	return saw != '_';
}

int goscalar_parse_uint(uint64_t *out, const char *s, size_t len, int base)
{
	int base0 = base == 0, underscores = 0;
	uint64_t n = 0;
	size_t i = 0;

	if (len == 0)
		return DIAG_EPARSE;
	if (base0) {
		base = 10;
		if (s[0] == '0') {
			char c = len >= 3 ? lower(s[1]) : 0;

			base = c == 'b' ? 2 : c == 'x' ? 16 : 8;
			i = c == 'b' || c == 'o' || c == 'x' ? 2 : 1;
		}
	} else if (base < 2 || base > 36) {
		return DIAG_EPARSE;
	}
	for (; i < len; i++) {
		unsigned d;

		if (s[i] == '_' && base0) {
			underscores = 1;
			continue;
		}
		d = digit_value(s[i]);
		if (d >= (unsigned)base)
			return DIAG_EPARSE;
		/* Go reports the overflow at once, whatever follows */
		if (n > (UINT64_MAX - d) / (unsigned)base)
			return DIAG_ELIMIT;
		n = n * (unsigned)base + d;
	}
	if (underscores && !goscalar_underscore_ok(s, len))
		return DIAG_EPARSE;
	if (out)
		*out = n;
	return 0;
}

int goscalar_parse_int(int64_t *out, const char *s, size_t len, int base)
{
	const uint64_t cutoff = (uint64_t)1 << 63;
	uint64_t n;
	int neg = 0, error;

	if (len == 0)
		return DIAG_EPARSE;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		s++;
		len--;
	}
	if ((error = goscalar_parse_uint(&n, s, len, base)) < 0)
		return error;
	if (neg ? n > cutoff : n >= cutoff)
		return DIAG_ELIMIT;
	if (out)
		*out = neg ? (n == cutoff ? INT64_MIN : -(int64_t)n) : (int64_t)n;
	return 0;
}

/* A NUL-terminated copy of a text without its underscores, on the stack
 * when it is short: what strtod and go-yaml's `plain` need. */
struct plain {
	char stack[GOSCALAR_STACK_TEXT];
	char *ptr, *heap;
	size_t len;
};

/* Returns 0 or DIAG_ENOMEM; plain_release is needed either way. */
static int plain_init(struct plain *p, const char *s, size_t len)
{
	size_t i;

	p->ptr = p->stack;
	p->heap = NULL;
	p->len = 0;
	if (len >= sizeof(p->stack)) {
		p->heap = malloc(len + 1);
		if (!p->heap)
			return DIAG_ENOMEM;
		p->ptr = p->heap;
	}
	for (i = 0; i < len; i++)
		if (s[i] != '_')
			p->ptr[p->len++] = s[i];
	p->ptr[p->len] = '\0';
	return 0;
}

static void plain_release(struct plain *p)
{
	free(p->heap);
}

/* strtod in the "C" locale, whatever the thread's locale is (a ',' decimal
 * point would stop strtod at '.'). glibc hands out its static C locale
 * object for this, so nothing is allocated. */
static double c_strtod(const char *s)
{
	locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	locale_t old = c ? uselocale(c) : (locale_t)0;
	double v = strtod(s, NULL);

	if (c) {
		uselocale(old);
		freelocale(c);
	}
	return v;
}

/* Go's readFloat for base 10: the whole text must be consumed. */
static int float_syntax_ok(const char *s, size_t len)
{
	size_t i = 0;
	int sawdot = 0, sawdigits = 0, underscores = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < len; i++) {
		if (s[i] == '_') {
			underscores = 1;
		} else if (s[i] == '.') {
			if (sawdot)
				break;
			sawdot = 1;
		} else if (is_digit(s[i])) {
			sawdigits = 1;
		} else {
			break;
		}
	}
	if (!sawdigits)
		return 0;
	if (i < len && lower(s[i]) == 'e') {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || !is_digit(s[i]))
			return 0;
		for (; i < len && (is_digit(s[i]) || s[i] == '_'); i++)
			if (s[i] == '_')
				underscores = 1;
	}
	if (i != len)
		return 0;
	return !underscores || goscalar_underscore_ok(s, len);
}

int goscalar_parse_float(double *out, const char *s, size_t len)
{
	struct plain text;
	int error;
	double v;

	if (!float_syntax_ok(s, len))
		return DIAG_EPARSE;
	error = plain_init(&text, s, len);
	v = error ? 0 : c_strtod(text.ptr);
	plain_release(&text);
	if (error)
		return error;
	if (isinf(v))
		return DIAG_ELIMIT;
	if (out)
		*out = v;
	return 0;
}

/* Counts a run of ASCII digits at s[*i], moving *i past it. */
static size_t skip_digits(const char *s, size_t len, size_t *i)
{
	size_t start = *i;

	while (*i < len && is_digit(s[*i]))
		(*i)++;
	return *i - start;
}

int goscalar_is_yaml_float(const char *s, size_t len)
{
	size_t i = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < len && s[i] == '.') {
		i++;
		if (!skip_digits(s, len, &i))
			return 0;
	} else {
		if (!skip_digits(s, len, &i))
			return 0;
		if (i < len && s[i] == '.') {
			i++;
			skip_digits(s, len, &i);
		}
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!skip_digits(s, len, &i))
			return 0;
	}
	return i == len;
}

int goscalar_is_base60_float(const char *s, size_t len)
{
	size_t i = 0, groups = 0;

	if (len == 0 || !memchr(s, ':', len))
		return 0;
	if (s[i] == '-' || s[i] == '+')
		i++;
	if (i >= len || !is_digit(s[i]))
		return 0;
	for (i++; i < len && (is_digit(s[i]) || s[i] == '_'); i++)
		;
	while (i < len && s[i] == ':') {
		size_t k = ++i, n = skip_digits(s, len, &i);

		if (n == 0 || n > 2 || (n == 2 && s[k] > '5'))
			return 0;
		groups++;
	}
	if (groups == 0)
		return 0;
	if (i < len && s[i] == '.')
		for (i++; i < len && (is_digit(s[i]) || s[i] == '_'); i++)
			;
	return i == len;
}

/* time.Parse's getnum(value, false): one or two digits. */
static int getnum(const char *s, size_t len, size_t *i, int *out)
{
	if (*i >= len || !is_digit(s[*i]))
		return -1;
	*out = s[(*i)++] - '0';
	if (*i < len && is_digit(s[*i]))
		*out = *out * 10 + (s[(*i)++] - '0');
	return 0;
}

static int days_in(int mon, int year)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mon == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		return 29;
	return days[mon - 1];
}

/* The "Z07:00" part of a layout at s[*i]: "Z", or a sign and hh:mm. */
static int parse_zone(const char *s, size_t len, size_t *i, int *off)
{
	size_t k = *i;
	int hh, mm;

	if (k < len && s[k] == 'Z') {
		*i = k + 1;
		*off = 0;
		return 0;
	}
	if (len - k < 6 || s[k + 3] != ':' || (s[k] != '+' && s[k] != '-'))
		return -1;
	if (!is_digit(s[k + 1]) || !is_digit(s[k + 2]) || !is_digit(s[k + 4]) ||
	    !is_digit(s[k + 5]))
		return -1;
	hh = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
	mm = (s[k + 4] - '0') * 10 + (s[k + 5] - '0');
	if (hh > 24 || mm > 60)
		return -1;
	*off = (s[k] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	*i = k + 6;
	return 0;
}

int goscalar_parse_timestamp(struct goscalar_time *out, const char *s, size_t len)
{
	struct goscalar_time t;
	size_t i = 0;
	int zone;

	memset(&t, 0, sizeof(t));
	if (skip_digits(s, len, &i) != 4 || i == len || s[i] != '-')
		return DIAG_EPARSE;
	t.year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	i = 5;
	if (getnum(s, len, &i, &t.mon) < 0 || t.mon < 1 || t.mon > 12)
		return DIAG_EPARSE;
	if (i >= len || s[i++] != '-' || getnum(s, len, &i, &t.day) < 0 ||
	    t.day < 1 || t.day > days_in(t.mon, t.year))
		return DIAG_EPARSE;
	if (i < len) {
		zone = s[i] == 'T' || s[i] == 't';
		if (!zone && s[i] != ' ')
			return DIAG_EPARSE;
		/* a space in a Go layout matches a run of spaces */
		for (i++; !zone && i < len && s[i] == ' '; i++)
			;
		if (getnum(s, len, &i, &t.hour) < 0 || t.hour > 23 ||
		    i >= len || s[i++] != ':' ||
		    getnum(s, len, &i, &t.min) < 0 || t.min > 59 ||
		    i >= len || s[i++] != ':' ||
		    getnum(s, len, &i, &t.sec) < 0 || t.sec > 59)
			return DIAG_EPARSE;
		/* time.Parse keeps nine digits of the fraction and drops the rest */
		if (i + 1 < len && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
			long scale = 100000000;

			for (i++; i < len && is_digit(s[i]); i++) {
				t.nsec += (s[i] - '0') * scale;
				scale /= 10;
			}
		}
		if (zone && parse_zone(s, len, &i, &t.off) < 0)
			return DIAG_EPARSE;
		if (i != len)
			return DIAG_EPARSE;
	}
	if (out)
		*out = t;
	return 0;
}

/* s (len bytes) is one of three spellings of a word. */
static int one_of(const char *s, size_t len, const char *a, const char *b, const char *c)
{
	return memcmp(s, a, len) == 0 || memcmp(s, b, len) == 0 || memcmp(s, c, len) == 0;
}

/* go-yaml's resolveMap, less "<<" (its first byte has no hint, so the
 * resolver never looks it up), by length and first byte: kind GOSCALAR_STR
 * for no word, value as in fill_word. */
static enum goscalar_kind find_word(const char *s, size_t len, unsigned flags, int *value)
{
	int v2 = !(flags & GOSCALAR_V3);

	*value = 0;
	switch (len) {
	case 0:
		return GOSCALAR_NULL;
	case 1:
		if (s[0] == '~')
			return GOSCALAR_NULL;
		if (v2 && (s[0] == 'y' || s[0] == 'Y' || s[0] == 'n' || s[0] == 'N')) {
			*value = s[0] == 'y' || s[0] == 'Y';
			return GOSCALAR_BOOL;
		}
		break;
	case 2:
		if (v2 && one_of(s, len, "on", "On", "ON")) {
			*value = 1;
			return GOSCALAR_BOOL;
		}
		if (v2 && one_of(s, len, "no", "No", "NO"))
			return GOSCALAR_BOOL;
		break;
	case 3:
		if (v2 && one_of(s, len, "yes", "Yes", "YES")) {
			*value = 1;
			return GOSCALAR_BOOL;
		}
		if (v2 && one_of(s, len, "off", "Off", "OFF"))
			return GOSCALAR_BOOL;
		break;
	case 4:
		switch (s[0]) {
		case 't': case 'T':
			if (one_of(s, len, "true", "True", "TRUE")) {
				*value = 1;
				return GOSCALAR_BOOL;
			}
			break;
		case 'n': case 'N':
			if (one_of(s, len, "null", "Null", "NULL"))
				return GOSCALAR_NULL;
			break;
		case '.':
			if (one_of(s, len, ".nan", ".NaN", ".NAN"))
				return GOSCALAR_FLOAT;
			if (one_of(s, len, ".inf", ".Inf", ".INF")) {
				*value = 1;
				return GOSCALAR_FLOAT;
			}
			break;
		}
		break;
	case 5:
		switch (s[0]) {
		case 'f': case 'F':
			if (one_of(s, len, "false", "False", "FALSE"))
				return GOSCALAR_BOOL;
			break;
		case '+': case '-':
			if (one_of(s + 1, len - 1, ".inf", ".Inf", ".INF")) {
				*value = s[0] == '+' ? 1 : -1;
				return GOSCALAR_FLOAT;
			}
			break;
		}
		break;
	}
	return GOSCALAR_STR;
}

int goscalar_word(struct goscalar *out, const char *s, size_t len, unsigned flags)
{
	int value;
	enum goscalar_kind kind = find_word(s, len, flags, &value);

	if (kind == GOSCALAR_STR)
		return 0;
	if (out) {
		out->kind = kind;
		/* booleans: 1/0; floats: 0 NaN, 1 +Inf, -1 -Inf */
		if (kind == GOSCALAR_BOOL)
			out->b = value;
		else if (kind == GOSCALAR_FLOAT)
			out->f = value == 0 ? NAN : value * INFINITY;
	}
	return 1;
}

/* The signed binary (and, for v3, octal) fallbacks after ParseInt(plain, 0)
 * failed: "0b" + ParseInt/ParseUint(rest, 2), "-0b" + ParseInt("-" + rest,
 * 2). plain is the caller's copy and may be changed. */
static void resolve_prefixed(struct goscalar *out, char *plain, size_t n, char p, int base)
{
	if (n >= 2 && plain[0] == '0' && plain[1] == p) {
		if (goscalar_parse_int(&out->i, plain + 2, n - 2, base) == 0)
			out->kind = GOSCALAR_INT;
		else if (goscalar_parse_uint(&out->u, plain + 2, n - 2, base) == 0)
			out->kind = GOSCALAR_UINT;
	} else if (n >= 3 && plain[0] == '-' && plain[1] == '0' && plain[2] == p) {
		plain[2] = '-';
		if (goscalar_parse_int(&out->i, plain + 2, n - 2, base) == 0)
			out->kind = GOSCALAR_INT;
	}
}

/* The 'D' and 'S' (digit, sign) branch of go-yaml's resolve. */
static int resolve_number(struct goscalar *out, const char *s, size_t len, unsigned flags)
{
	struct plain plain;
	int error;

	if (!(flags & GOSCALAR_NO_TIMESTAMP) && goscalar_parse_timestamp(&out->t, s, len) == 0) {
		out->kind = GOSCALAR_TIMESTAMP;
		return 0;
	}
	if ((error = plain_init(&plain, s, len)) < 0)
		goto done;
	if (goscalar_parse_int(&out->i, plain.ptr, plain.len, 0) == 0) {
		out->kind = GOSCALAR_INT;
	} else if (goscalar_parse_uint(&out->u, plain.ptr, plain.len, 0) == 0) {
		out->kind = GOSCALAR_UINT;
	} else if (goscalar_is_yaml_float(plain.ptr, plain.len)) {
		error = goscalar_parse_float(&out->f, plain.ptr, plain.len);
		if (error == DIAG_ENOMEM)
			goto done;
		if (error == 0)
			out->kind = GOSCALAR_FLOAT;
		error = 0;
	}
	if (out->kind == GOSCALAR_STR) {
		resolve_prefixed(out, plain.ptr, plain.len, 'b', 2);
		if (out->kind == GOSCALAR_STR && (flags & GOSCALAR_V3))
			resolve_prefixed(out, plain.ptr, plain.len, 'o', 8);
	}
done:
	plain_release(&plain);
	return error;
}

int goscalar_resolve(struct goscalar *out, const char *s, size_t len, unsigned flags)
{
	char hint = 0;
	int error;

	memset(out, 0, sizeof(*out));
	out->kind = GOSCALAR_STR;
	if (len == 0)
		hint = 'N';
	else if (s[0] == '+' || s[0] == '-')
		hint = 'S';
	else if (is_digit(s[0]))
		hint = 'D';
	else if (s[0] == '.')
		hint = '.';
	else if (strchr("yYnNtTfFoO~", s[0]) && s[0])
		hint = 'M';
	if (!hint || goscalar_word(out, s, len, flags))
		return 0;
	if (hint == '.') {
		/* go-yaml hands the text to ParseFloat as it is */
		error = goscalar_parse_float(&out->f, s, len);
		if (error == DIAG_ENOMEM)
			return error;
		if (error == 0)
			out->kind = GOSCALAR_FLOAT;
		return 0;
	}
	if (hint == 'D' || hint == 'S')
		return resolve_number(out, s, len, flags);
	return 0;
}
