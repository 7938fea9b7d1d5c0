/*
 * Go's fmt (Sprintf, Sprint, Sprintln) over template values, byte for
 * byte: verbs, flags, width and precision, argument indexes and the
 * %!verb(type=value) error forms. Also strconv.Quote; floats are
 * strconv.FormatFloat through render/gofloat.h.
 */
#include "render/tmpl/tmpl_int.h"

#include "render/gofloat.h"
#include "render/tmpl/sprig_strings_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 and unicode classes */

int32_t tmpl__utf8_decode(const char *s, size_t n, int *width)
{
	const unsigned char *p = (const unsigned char *)s;
	int32_t r;
	int need, i;

	*width = 1;
	if (n == 0)
		return 0xFFFD;
	if (p[0] < 0x80)
		return p[0];
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		need = 1;
		r = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		need = 2;
		r = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		need = 3;
		r = p[0] & 0x07;
	} else {
		return 0xFFFD;
	}
	if (n < (size_t)need + 1)
		return 0xFFFD;
	for (i = 1; i <= need; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0xFFFD;
		r = (r << 6) | (p[i] & 0x3F);
	}
	if ((need == 2 && r < 0x800) || (need == 3 && (r < 0x10000 || r > 0x10FFFF)) ||
	    (r >= 0xD800 && r <= 0xDFFF))
		return 0xFFFD;
	*width = need + 1;
	return r;
}

int tmpl__utf8_encode(struct buf *out, int32_t r)
{
	char b[4];

	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x80)
		return buf_addch(out, (int)r);
	if (r < 0x800) {
		b[0] = (char)(0xC0 | (r >> 6));
		b[1] = (char)(0x80 | (r & 0x3F));
		return buf_add(out, b, 2);
	}
	if (r < 0x10000) {
		b[0] = (char)(0xE0 | (r >> 12));
		b[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		b[2] = (char)(0x80 | (r & 0x3F));
		return buf_add(out, b, 3);
	}
	b[0] = (char)(0xF0 | (r >> 18));
	b[1] = (char)(0x80 | ((r >> 12) & 0x3F));
	b[2] = (char)(0x80 | ((r >> 6) & 0x3F));
	b[3] = (char)(0x80 | (r & 0x3F));
	return buf_add(out, b, 4);
}

/* Go's unicode.IsPrint (Unicode 15.0.0): the table Sprig's string
 * functions use (sprig_strings_util.c). */
int tmpl__is_print(int32_t r)
{
	return sprigu_is_print(r);
}

int tmpl__is_letter(int32_t r)
{
	if (r < 0x80)
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
	if (r == 0xAA || r == 0xB5 || r == 0xBA)
		return 1;
	if (r < 0xC0 || r == 0xD7 || r == 0xF7)
		return 0;
	if ((r >= 0x2000 && r <= 0x2BFF) || (r >= 0x3000 && r <= 0x303F) ||
	    (r >= 0xFF00 && r <= 0xFF20) || (r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000 ||
	    (r >= 0x1F000 && r <= 0x1FAFF) || (r >= 0xFE00 && r <= 0xFE0F) || r == 0xFEFF ||
	    (r >= 0xFFF0 && r <= 0xFFFF) || (r >= 0x0300 && r <= 0x036F))
		return 0;
	return 1;
}

int tmpl__is_digit(int32_t r)
{
	if (r < 0x80)
		return r >= '0' && r <= '9';
	return (r >= 0x660 && r <= 0x669) || (r >= 0x6F0 && r <= 0x6F9) ||
	       (r >= 0x966 && r <= 0x96F) || (r >= 0xFF10 && r <= 0xFF19);
}

static size_t fm_rune_count(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	int w;

	while (i < n) {
		tmpl__utf8_decode(s + i, n - i, &w);
		i += (size_t)w;
		c++;
	}
	return c;
}

/* ---- strconv.Quote */

static int fm_quote_with(struct buf *out, const char *s, size_t n, char q, int ascii)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;
	int w;

	buf_addch(out, q);
	while (i < n) {
		int32_t r;
		size_t run = i;

		/* a run of printable ASCII other than the quote and backslash
		 * stands for itself */
		while (run < n && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x7F &&
		       s[run] != q && s[run] != '\\')
			run++;
		if (run > i) {
			buf_add(out, s + i, run - i);
			i = run;
			continue;
		}
		r = tmpl__utf8_decode(s + i, n - i, &w);
		if (w == 1 && r == 0xFFFD) {
			unsigned char c = (unsigned char)s[i];
			buf_addf(out, "\\x%c%c", hex[c >> 4], hex[c & 15]);
			i++;
			continue;
		}
		i += (size_t)w;
		if (r == q || r == '\\') {
			buf_addch(out, '\\');
			buf_addch(out, (int)r);
			continue;
		}
		if (ascii ? (r < 0x7F && tmpl__is_print(r)) : tmpl__is_print(r)) {
			tmpl__utf8_encode(out, r);
			continue;
		}
		switch (r) {
		case '\a': buf_adds(out, "\\a"); break;
		case '\b': buf_adds(out, "\\b"); break;
		case '\f': buf_adds(out, "\\f"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\r': buf_adds(out, "\\r"); break;
		case '\t': buf_adds(out, "\\t"); break;
		case '\v': buf_adds(out, "\\v"); break;
		default:
			if (r < ' ' || r == 0x7F)
				buf_addf(out, "\\x%c%c", hex[(r >> 4) & 15], hex[r & 15]);
			else if (r < 0x10000)
				buf_addf(out, "\\u%04x", (unsigned)r);
			else
				buf_addf(out, "\\U%08x", (unsigned)r);
		}
	}
	return buf_addch(out, q);
}

int tmpl_quote(struct buf *out, const char *s, size_t len)
{
	return fm_quote_with(out, s, len, '"', 0);
}

static int fm_can_backquote(const char *s, size_t n);

int tmpl_quote_backquote(struct buf *out, const char *s, size_t len)
{
	if (!fm_can_backquote(s, len))
		return tmpl_quote(out, s, len);
	buf_addch(out, '`');
	buf_add(out, s, len);
	return buf_addch(out, '`');
}

int tmpl__quote_rune(struct buf *out, int32_t r)
{
	struct buf tmp = BUF_INIT;
	int rc;

	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	tmpl__utf8_encode(&tmp, r);
	rc = fm_quote_with(out, tmp.ptr, tmp.len, '\'', 0);
	buf_release(&tmp);
	return rc;
}

static int fm_can_backquote(const char *s, size_t n)
{
	size_t i = 0;
	int w;

	while (i < n) {
		int32_t r = tmpl__utf8_decode(s + i, n - i, &w);
		if (w == 1 && r == 0xFFFD && (unsigned char)s[i] >= 0x80)
			return 0;
		i += (size_t)w;
		if (r == '`' || r == 0xFEFF)
			return 0;
		if (r < ' ' && r != '\t')
			return 0;
		if (r == 0x7F)
			return 0;
	}
	return 1;
}

/* ---- the printer (fmt's pp and fmt) */

struct pp {
	struct buf *buf;
	struct tmpl_rt *rt;
	int plus, minus, sharp, space, zero, plusv, sharpv;
	int wid_present, prec_present;
	int wid, prec;
	const struct tval *arg;   /* for badVerb */
	int erroring;
};

static void fm_clearflags(struct pp *p)
{
	p->plus = p->minus = p->sharp = p->space = p->zero = 0;
	p->plusv = p->sharpv = 0;
	p->wid_present = p->prec_present = 0;
	p->wid = p->prec = 0;
}

static void fm_write_padding(struct pp *p, int n)
{
	if (n <= 0)
		return;
	buf_addchn(p->buf, (p->zero && !p->minus) ? '0' : ' ', (size_t)n);
}

static void fm_pad(struct pp *p, const char *s, size_t n)
{
	int width;

	if (!p->wid_present || p->wid == 0) {
		buf_add(p->buf, s, n);
		return;
	}
	width = p->wid - (int)fm_rune_count(s, n);
	if (!p->minus) {
		fm_write_padding(p, width);
		buf_add(p->buf, s, n);
	} else {
		buf_add(p->buf, s, n);
		fm_write_padding(p, width);
	}
}

static void fm_pad_nozero(struct pp *p, const char *s, size_t n)
{
	int z = p->zero;

	p->zero = 0;
	fm_pad(p, s, n);
	p->zero = z;
}

/* truncateString: at most prec runes */
static size_t fm_truncate(struct pp *p, const char *s, size_t n)
{
	size_t i = 0;
	int w, k;

	if (!p->prec_present)
		return n;
	for (k = 0; i < n; k++) {
		if (k == p->prec)
			return i;
		tmpl__utf8_decode(s + i, n - i, &w);
		i += (size_t)w;
	}
	return n;
}

static void fm_fmt_s(struct pp *p, const char *s, size_t n)
{
	fm_pad(p, s, fm_truncate(p, s, n));
}

static void fm_fmt_q(struct pp *p, const char *s, size_t n)
{
	struct buf tmp = BUF_INIT;

	n = fm_truncate(p, s, n);
	if (p->sharp && fm_can_backquote(s, n)) {
		buf_addch(&tmp, '`');
		buf_add(&tmp, s, n);
		buf_addch(&tmp, '`');
	} else {
		fm_quote_with(&tmp, s, n, '"', p->plus);
	}
	fm_pad(p, tmp.ptr, tmp.len);
	buf_release(&tmp);
}

static void fm_fmt_sx(struct pp *p, const char *s, size_t n, const char *digits)
{
	int length = (int)n, width, i;

	if (p->prec_present && p->prec < length)
		length = p->prec;
	width = 2 * length;
	if (width > 0) {
		if (p->space) {
			if (p->sharp)
				width *= 2;
			width += length - 1;
		} else if (p->sharp) {
			width += 2;
		}
	} else {
		if (p->wid_present)
			fm_write_padding(p, p->wid);
		return;
	}
	if (p->wid_present && p->wid > width && !p->minus)
		fm_write_padding(p, p->wid - width);
	if (p->sharp) {
		buf_addch(p->buf, '0');
		buf_addch(p->buf, digits[16]);
	}
	for (i = 0; i < length; i++) {
		unsigned char c = (unsigned char)s[i];
		if (p->space && i > 0) {
			buf_addch(p->buf, ' ');
			if (p->sharp) {
				buf_addch(p->buf, '0');
				buf_addch(p->buf, digits[16]);
			}
		}
		buf_addch(p->buf, digits[c >> 4]);
		buf_addch(p->buf, digits[c & 15]);
	}
	if (p->wid_present && p->wid > width && p->minus)
		fm_write_padding(p, p->wid - width);
}

static const char ldigits[] = "0123456789abcdefx";
static const char udigits[] = "0123456789ABCDEFX";

static void fm_fmt_integer_base(struct pp *p, uint64_t u, int base, int is_signed, int verb,
			       const char *digits)
{
	char small[80];
	char *buf = small;
	size_t size = sizeof(small);
	int negative = is_signed && (int64_t)u < 0;
	int prec = 0;
	size_t i;

	if (negative)
		u = -u;
	if (p->wid_present || p->prec_present) {
		size_t width = 3 + (size_t)p->wid + (size_t)p->prec;
		if (width > size) {
			buf = malloc(width);
			if (!buf) {
				p->buf->oom = 1;
				return;
			}
			size = width;
		}
	}
	if (p->prec_present) {
		prec = p->prec;
		if (prec == 0 && u == 0) {
			int z = p->zero;
			p->zero = 0;
			fm_write_padding(p, p->wid);
			p->zero = z;
			goto done;
		}
	} else if (p->zero && !p->minus && p->wid_present) {
		prec = p->wid;
		if (negative || p->plus || p->space)
			prec--;
	}
	i = size;
	do {
		buf[--i] = digits[u % (uint64_t)base];
		u /= (uint64_t)base;
	} while (u > 0);
	while (i > 0 && prec > (int)(size - i))
		buf[--i] = '0';
	if (p->sharp) {
		switch (base) {
		case 2:
			buf[--i] = 'b';
			buf[--i] = '0';
			break;
		case 8:
			if (buf[i] != '0')
				buf[--i] = '0';
			break;
		case 16:
			buf[--i] = digits[16];
			buf[--i] = '0';
			break;
		}
	}
	if (verb == 'O') {
		buf[--i] = 'o';
		buf[--i] = '0';
	}
	if (negative)
		buf[--i] = '-';
	else if (p->plus)
		buf[--i] = '+';
	else if (p->space)
		buf[--i] = ' ';
	fm_pad_nozero(p, buf + i, size - i);
done:
	if (buf != small)
		free(buf);
}

static void fm_bad_verb(struct pp *p, int verb);
static void fm_print_arg(struct pp *p, const struct tval *v, int verb);
static void fm_print_value(struct pp *p, const struct tval *v, int verb, int depth);

static void fm_fmt_c(struct pp *p, uint64_t c)
{
	struct buf tmp = BUF_INIT;
	int32_t r = c > 0x10FFFF ? 0xFFFD : (int32_t)c;

	tmpl__utf8_encode(&tmp, r);
	fm_pad(p, tmp.ptr, tmp.len);
	buf_release(&tmp);
}

static void fm_fmt_qc(struct pp *p, uint64_t c)
{
	struct buf tmp = BUF_INIT;
	int32_t r = c > 0x10FFFF ? 0xFFFD : (int32_t)c;

	if (r >= 0xD800 && r <= 0xDFFF)
		r = 0xFFFD;
	if (p->sharp && tmpl__is_print(r) && r != '\'') {
		buf_addch(&tmp, '\'');
		tmpl__utf8_encode(&tmp, r);
		buf_addch(&tmp, '\'');
	} else {
		struct buf one = BUF_INIT;
		tmpl__utf8_encode(&one, r);
		fm_quote_with(&tmp, one.ptr, one.len, '\'', p->plus);
		buf_release(&one);
	}
	fm_pad(p, tmp.ptr, tmp.len);
	buf_release(&tmp);
}

static void fm_fmt_unicode(struct pp *p, uint64_t u)
{
	struct buf tmp = BUF_INIT;
	int prec = 4;
	char hex[20];
	int n;

	if (p->prec_present && p->prec > 4)
		prec = p->prec;
	buf_adds(&tmp, "U+");
	n = snprintf(hex, sizeof(hex), "%llX", (unsigned long long)u);
	if (n < prec)
		buf_addchn(&tmp, '0', (size_t)(prec - n));
	buf_add(&tmp, hex, (size_t)n);
	if (p->sharp && u <= 0x10FFFF && tmpl__is_print((int32_t)u)) {
		buf_adds(&tmp, " '");
		tmpl__utf8_encode(&tmp, (int32_t)u);
		buf_addch(&tmp, '\'');
	}
	fm_pad_nozero(p, tmp.ptr, tmp.len);
	buf_release(&tmp);
}

static void fm_fmt_integer(struct pp *p, uint64_t v, int is_signed, int verb)
{
	switch (verb) {
	case 'v':
		if (p->sharpv && !is_signed) {
			int s = p->sharp;
			p->sharp = 1;
			fm_fmt_integer_base(p, v, 16, 0, 'v', ldigits);
			p->sharp = s;
		} else {
			fm_fmt_integer_base(p, v, 10, is_signed, verb, ldigits);
		}
		break;
	case 'd':
		fm_fmt_integer_base(p, v, 10, is_signed, verb, ldigits);
		break;
	case 'b':
		fm_fmt_integer_base(p, v, 2, is_signed, verb, ldigits);
		break;
	case 'o': case 'O':
		fm_fmt_integer_base(p, v, 8, is_signed, verb, ldigits);
		break;
	case 'x':
		fm_fmt_integer_base(p, v, 16, is_signed, verb, ldigits);
		break;
	case 'X':
		fm_fmt_integer_base(p, v, 16, is_signed, verb, udigits);
		break;
	case 'c':
		fm_fmt_c(p, v);
		break;
	case 'q':
		fm_fmt_qc(p, v);
		break;
	case 'U':
		fm_fmt_unicode(p, v);
		break;
	default:
		fm_bad_verb(p, verb);
	}
}

static void fm_fmt_float_verb(struct pp *p, double v, int verb, int prec)
{
	struct buf num = BUF_INIT;
	char *s;
	size_t n;

	if (p->prec_present)
		prec = p->prec;
	buf_addch(&num, '+');
	gofloat_format(&num, v, (char)verb, prec, 64);
	s = num.ptr;
	n = num.len;
	if (n > 1 && (s[1] == '-' || s[1] == '+')) {
		s++;
		n--;
	}
	if (p->space && s[0] == '+' && !p->plus)
		s[0] = ' ';
	if (n > 1 && (s[1] == 'I' || s[1] == 'N')) {
		int z = p->zero;
		p->zero = 0;
		if (s[1] == 'N' && !p->space && !p->plus) {
			s++;
			n--;
		}
		fm_pad(p, s, n);
		p->zero = z;
		goto done;
	}
	if (p->sharp && verb != 'b') {
		/*
		 * Go's fmtFloat: the point is forced; %#g %#v and (only) %#x keep
		 * their precision (6 by default) in significant digits, counted
		 * from the first non-zero character after the sign (for %x the
		 * 'x' of "0x" already counts, and hex digits e/E are digits).
		 */
		struct buf t = BUF_INIT;
		int digits = 0, saw_point = 0, nonzero = 0, i;
		size_t k, tail_at = n;

		if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x') {
			digits = prec;
			if (digits == -1)
				digits = 6;
		}
		for (k = 1; k < n; k++) {
			char c = s[k];

			if (c == '.') {
				saw_point = 1;
				continue;
			}
			if (c == 'p' || c == 'P' ||
			    ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
				tail_at = k;
				break;
			}
			if (c != '0')
				nonzero = 1;
			if (nonzero)
				digits--;
		}
		buf_add(&t, s, tail_at);
		if (!saw_point) {
			if (tail_at == 2 && s[1] == '0')
				digits--;
			buf_addch(&t, '.');
		}
		for (i = 0; i < digits; i++)
			buf_addch(&t, '0');
		buf_add(&t, s + tail_at, n - tail_at);
		buf_release(&num);
		num = t;
		s = num.ptr;
		n = num.len;
	}
	if (p->plus || s[0] != '+') {
		if (p->zero && !p->minus && p->wid_present && p->wid > (int)n) {
			buf_addch(p->buf, s[0]);
			fm_write_padding(p, p->wid - (int)n);
			buf_add(p->buf, s + 1, n - 1);
			goto done;
		}
		fm_pad(p, s, n);
		goto done;
	}
	fm_pad(p, s + 1, n - 1);
done:
	buf_release(&num);
}

static void fm_fmt_float(struct pp *p, double v, int verb)
{
	switch (verb) {
	case 'v':
		fm_fmt_float_verb(p, v, 'g', -1);
		break;
	case 'b': case 'g': case 'G': case 'x': case 'X':
		fm_fmt_float_verb(p, v, verb, -1);
		break;
	case 'f': case 'e': case 'E':
		fm_fmt_float_verb(p, v, verb, 6);
		break;
	case 'F':
		fm_fmt_float_verb(p, v, 'f', 6);
		break;
	default:
		fm_bad_verb(p, verb);
	}
}

static void fm_fmt_bool(struct pp *p, int b, int verb)
{
	if (verb == 't' || verb == 'v')
		fm_pad(p, b ? "true" : "false", b ? 4 : 5);
	else
		fm_bad_verb(p, verb);
}

static void fm_fmt_string(struct pp *p, const char *s, size_t n, int verb)
{
	switch (verb) {
	case 'v':
		if (p->sharpv)
			fm_fmt_q(p, s, n);
		else
			fm_fmt_s(p, s, n);
		break;
	case 's':
		fm_fmt_s(p, s, n);
		break;
	case 'x':
		fm_fmt_sx(p, s, n, ldigits);
		break;
	case 'X':
		fm_fmt_sx(p, s, n, udigits);
		break;
	case 'q':
		fm_fmt_q(p, s, n);
		break;
	default:
		fm_bad_verb(p, verb);
	}
}

static void fm_fmt_bytes(struct pp *p, const char *s, size_t n, int verb, const char *tname)
{
	size_t i;

	switch (verb) {
	case 'v': case 'd':
		if (p->sharpv) {
			buf_adds(p->buf, tname);
			buf_addch(p->buf, '{');
			for (i = 0; i < n; i++) {
				int sh = p->sharp;
				if (i > 0)
					buf_adds(p->buf, ", ");
				p->sharp = 1;
				fm_fmt_integer_base(p, (unsigned char)s[i], 16, 0, 'v', ldigits);
				p->sharp = sh;
			}
			buf_addch(p->buf, '}');
		} else {
			buf_addch(p->buf, '[');
			for (i = 0; i < n; i++) {
				if (i > 0)
					buf_addch(p->buf, ' ');
				fm_fmt_integer_base(p, (unsigned char)s[i], 10, 0, verb, ldigits);
			}
			buf_addch(p->buf, ']');
		}
		break;
	case 's':
		fm_fmt_s(p, s, n);
		break;
	case 'x':
		fm_fmt_sx(p, s, n, ldigits);
		break;
	case 'X':
		fm_fmt_sx(p, s, n, udigits);
		break;
	case 'q':
		fm_fmt_q(p, s, n);
		break;
	default:
		/* printValue of the slice: each byte with the verb */
		buf_addch(p->buf, '[');
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addch(p->buf, ' ');
			fm_fmt_integer(p, (unsigned char)s[i], 0, verb);
		}
		buf_addch(p->buf, ']');
	}
}

static void fm_bad_verb(struct pp *p, int verb)
{
	p->erroring = 1;
	buf_adds(p->buf, "%!");
	tmpl__utf8_encode(p->buf, verb);
	buf_addch(p->buf, '(');
	if (p->arg && p->arg->kind != TV_INVALID && p->arg->kind != TV_NIL) {
		const struct tval *a = p->arg;
		buf_adds(p->buf, tval_type_name(a));
		buf_addch(p->buf, '=');
		fm_print_arg(p, a, 'v');
	} else {
		buf_adds(p->buf, "<nil>");
	}
	buf_addch(p->buf, ')');
	p->erroring = 0;
}

/* Time.String(): Format with Go's default layout (no monotonic reading). */
static void fm_time_string(struct buf *out, const struct tval_time *t)
{
	static const char layout[] = "2006-01-02 15:04:05.999999999 -0700 MST";

	tmpl__time_format(out, t, layout, sizeof(layout) - 1);
}

/* Go time.Duration.String() */
static void fm_duration_string(struct buf *out, int64_t d)
{
	char b[40];
	int w = (int)sizeof(b);
	uint64_t u = (uint64_t)d;
	int neg = d < 0;

	if (neg)
		u = -u;
	if (u < 1000000000ULL) {
		int prec = 0;
		const char *unit;
		if (u == 0) {
			buf_adds(out, "0s");
			return;
		}
		if (u < 1000ULL) {
			buf_addf(out, "%s%lluns", neg ? "-" : "", (unsigned long long)u);
			return;
		} else if (u < 1000000ULL) {
			prec = 3;
			unit = "\xc2\xb5s";
		} else {
			prec = 6;
			unit = "ms";
		}
		{
			char frac[16];
			uint64_t p10 = prec == 3 ? 1000 : 1000000;
			int k;
			snprintf(frac, sizeof(frac), "%0*llu", prec, (unsigned long long)(u % p10));
			for (k = prec - 1; k >= 0 && frac[k] == '0'; k--)
				frac[k] = '\0';
			buf_addf(out, "%s%llu%s%s%s", neg ? "-" : "", (unsigned long long)(u / p10),
				 frac[0] ? "." : "", frac, unit);
		}
		return;
	}
	{
		uint64_t secs = u / 1000000000ULL, ns = u % 1000000000ULL;
		char frac[16] = "";
		int k;
		if (ns) {
			snprintf(frac, sizeof(frac), ".%09llu", (unsigned long long)ns);
			for (k = 9; k > 0 && frac[k] == '0'; k--)
				frac[k] = '\0';
		}
		w = 0;
		if (neg)
			b[w++] = '-';
		b[w] = '\0';
		buf_adds(out, b);
		if (secs >= 3600)
			buf_addf(out, "%lluh", (unsigned long long)(secs / 3600));
		if (secs >= 60)
			buf_addf(out, "%llum", (unsigned long long)(secs / 60 % 60));
		buf_addf(out, "%llu%ss", (unsigned long long)(secs % 60), frac);
	}
}

/* The String() of Stringers (time, duration, semver, objects). */
static int fm_stringer(struct buf *out, struct tmpl_rt *rt, const struct tval *v)
{
	switch (v->kind) {
	case TV_TIME:
		fm_time_string(out, &v->u.t);
		return 1;
	case TV_DURATION:
		fm_duration_string(out, v->u.i);
		return 1;
	case TV_MONTH:
		tmpl__month_string(out, v->u.i);
		return 1;
	case TV_WEEKDAY:
		tmpl__weekday_string(out, v->u.i);
		return 1;
	case TV_SEMVER: case TV_SEMVERVAL: {
		json_t *o = json_object_get(v->u.j, "original");
		json_t *pre = json_object_get(v->u.j, "pre"), *meta = json_object_get(v->u.j, "metadata");
		buf_addf(out, "%llu.%llu.%llu",
			 (unsigned long long)json_integer_value(json_object_get(v->u.j, "major")),
			 (unsigned long long)json_integer_value(json_object_get(v->u.j, "minor")),
			 (unsigned long long)json_integer_value(json_object_get(v->u.j, "patch")));
		if (pre && json_string_length(pre))
			buf_addf(out, "-%s", json_string_value(pre));
		if (meta && json_string_length(meta))
			buf_addf(out, "+%s", json_string_value(meta));
		(void)o;
		return 1;
	}
	case TV_OBJECT:
		/* a named map or slice has no String(): fmt prints its data */
		if (v->u.o->type->format && !v->u.o->type->data) {
			v->u.o->type->format(out, v->u.o);
			return 1;
		}
		return 0;
	default:
		(void)rt;
		return 0;
	}
}

static int fm_handle_methods(struct pp *p, const struct tval *v, int verb)
{
	struct buf tmp = BUF_INIT;

	if (p->erroring)
		return 0;
	if (p->sharpv)
		return 0;
	switch (verb) {
	case 'v': case 's': case 'x': case 'X': case 'q':
		break;
	default:
		return 0;
	}
	if (!fm_stringer(&tmp, p->rt, v)) {
		buf_release(&tmp);
		return 0;
	}
	fm_fmt_string(p, tmp.ptr, tmp.len, verb);
	buf_release(&tmp);
	return 1;
}

/* A map key with its length (a key may hold NUL). */
struct fm_key {
	const char *s;
	size_t n;
	json_t *v;
};

/* Go's string order: bytewise, a prefix first. */
static int fm_key_cmp(const void *a, const void *b)
{
	const struct fm_key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

	if (c)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

static void fm_print_map(struct pp *p, const struct tval *v, int verb, int depth)
{
	struct fm_key *keys;
	size_t n = json_object_size(v->u.j), i = 0, klen;
	const char *k;
	json_t *e;
	void *tmp;

	if (p->sharpv) {
		buf_adds(p->buf, tval_type_name(v));
		buf_addch(p->buf, '{');
	} else {
		buf_adds(p->buf, "map[");
	}
	keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys) {
		p->buf->oom = 1;
		return;
	}
	json_object_keylen_foreach_safe(v->u.j, tmp, k, klen, e) {
		keys[i].s = k;
		keys[i].n = klen;
		keys[i++].v = e;
	}
	qsort(keys, n, sizeof(*keys), fm_key_cmp);
	for (i = 0; i < n; i++) {
		struct tval key = tval_strn(keys[i].s, keys[i].n);
		struct tval el = tval_from_json(p->rt, keys[i].v);
		if (i > 0) {
			if (p->sharpv)
				buf_adds(p->buf, ", ");
			else
				buf_addch(p->buf, ' ');
		}
		fm_print_value(p, &key, verb, depth + 1);
		buf_addch(p->buf, ':');
		if (el.kind == TV_NIL) {
			if (p->sharpv)
				buf_adds(p->buf, "interface {}(nil)");
			else
				buf_adds(p->buf, "<nil>");
		} else {
			fm_print_value(p, &el, verb, depth + 1);
		}
		tval_release(&key);
		tval_release(&el);
	}
	free(keys);
	buf_addch(p->buf, p->sharpv ? '}' : ']');
}

static void fm_print_list(struct pp *p, const struct tval *v, int verb, int depth)
{
	size_t n = json_array_size(v->u.j), i;

	if (p->sharpv && v->nilslice) {
		/* Go's nil slice: []interface {}(nil) */
		buf_adds(p->buf, tval_type_name(v));
		buf_adds(p->buf, "(nil)");
		return;
	}
	if (p->sharpv) {
		buf_adds(p->buf, tval_type_name(v));
		buf_addch(p->buf, '{');
	} else {
		buf_addch(p->buf, '[');
	}
	for (i = 0; i < n; i++) {
		struct tval el = tval_elem(p->rt, v, json_array_get(v->u.j, i));
		if (i > 0) {
			if (p->sharpv)
				buf_adds(p->buf, ", ");
			else
				buf_addch(p->buf, ' ');
		}
		if (el.kind == TV_NIL && v->kind == TV_LIST) {
			if (p->sharpv)
				buf_adds(p->buf, "interface {}(nil)");
			else
				buf_adds(p->buf, "<nil>");
		} else {
			fm_print_value(p, &el, verb, depth + 1);
		}
		tval_release(&el);
	}
	buf_addch(p->buf, p->sharpv ? '}' : ']');
}

/*
 * A time.Time that no method prints: %#v is its GoString()
 * (time.Date(2024, time.March, 5, 0, 0, 0, 0, time.UTC)); other verbs than
 * Stringer's print the struct {wall ext loc}: without a monotonic reading
 * wall is the nanoseconds and ext the seconds since January 1 of year 1;
 * loc is a nil pointer for UTC. NEEDSWORK: the pointer of another
 * location is an address Go prints and we cannot (0 here too).
 */
static void fm_print_time(struct pp *p, const struct tval_time *t, int verb, int depth)
{
	if (p->sharpv) {
		struct buf f = BUF_INIT, g = BUF_INIT;
		static const char layout[] = "2006 1 2 15 4 5";
		long long y = 0;
		int mo = 0, d = 0, h = 0, mi = 0, se = 0;

		tmpl__time_format(&f, t, layout, sizeof(layout) - 1);
		if (f.ptr && sscanf(f.ptr, "%lld %d %d %d %d %d", &y, &mo, &d, &h, &mi, &se) == 6) {
			buf_addf(&g, "time.Date(%lld, time.", y);
			tmpl__month_string(&g, mo);
			buf_addf(&g, ", %d, %d, %d, %d, %d, ", d, h, mi, se, (int)t->nsec);
			if (t->loc == TVT_UTC)
				buf_adds(&g, "time.UTC)");
			else if (t->loc == TVT_LOCAL)
				buf_adds(&g, "time.Local)");
			else
				buf_addf(&g, "time.Location(\"%s\"))", t->zone);
			fm_fmt_s(p, g.ptr, g.len);
		}
		if (buf_oom(&f) || buf_oom(&g))
			p->buf->oom = 1;
		buf_release(&f);
		buf_release(&g);
		return;
	}
	{
		struct tval wall = tval_int(t->nsec), ext = tval_int64(t->sec + INT64_C(62135596800));

		wall.kind = TV_UINT64;
		buf_addch(p->buf, '{');
		fm_print_value(p, &wall, verb, depth + 1);
		buf_addch(p->buf, ' ');
		fm_print_value(p, &ext, verb, depth + 1);
		buf_addch(p->buf, ' ');
		switch (verb) {
		case 'b': case 'o': case 'd': case 'x': case 'X':
			fm_fmt_integer(p, 0, 0, verb);
			break;
		case 'v':
			fm_pad(p, "<nil>", 5);
			break;
		default:
			buf_adds(p->buf, "%!");
			tmpl__utf8_encode(p->buf, verb);
			buf_adds(p->buf, "(*time.Location=");
			fm_pad(p, "<nil>", 5);
			buf_addch(p->buf, ')');
		}
		buf_addch(p->buf, '}');
	}
}

/*
 * A semver.Version (or *semver.Version at depth 0, printed with "&") that
 * no method prints: %#v and the non-Stringer verbs print its struct of
 * unexported fields major minor patch (uint64), pre metadata original.
 */
static void fm_print_semver(struct pp *p, const struct tval *v, int verb, int depth)
{
	static const char *const names[] = { "major", "minor", "patch", "pre", "metadata",
					      "original" };
	size_t i;

	if (v->kind == TV_SEMVER)
		buf_addch(p->buf, '&');
	if (p->sharpv)
		buf_adds(p->buf, "semver.Version");
	buf_addch(p->buf, '{');
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *e = json_object_get(v->u.j, names[i]);
		struct tval f = i < 3 ? tval_int(json_integer_value(e))
				      : tval_strn(json_string_value(e), json_string_length(e));

		if (i < 3)
			f.kind = TV_UINT64;
		if (i > 0)
			buf_adds(p->buf, p->sharpv ? ", " : " ");
		if (p->sharpv) {
			buf_adds(p->buf, names[i]);
			buf_addch(p->buf, ':');
		}
		fm_print_value(p, &f, verb, depth + 1);
		tval_release(&f);
	}
	buf_addch(p->buf, '}');
}

static void fm_print_value(struct pp *p, const struct tval *v, int verb, int depth)
{
	const struct tval *saved = p->arg;

	if (depth > 0 && v->kind != TV_INVALID) {
		p->arg = v;
		if (fm_handle_methods(p, v, verb)) {
			p->arg = saved;
			return;
		}
	}
	p->arg = v;
	switch (v->kind) {
	case TV_INVALID: case TV_NIL:
		if (depth == 0) {
			buf_adds(p->buf, "<invalid reflect.Value>");
		} else if (verb == 'v') {
			buf_adds(p->buf, "<nil>");
		} else {
			p->arg = NULL;
			fm_bad_verb(p, verb);
		}
		break;
	case TV_BOOL:
		fm_fmt_bool(p, v->u.b, verb);
		break;
	case TV_INT: case TV_INT64: case TV_DURATION: case TV_MONTH: case TV_WEEKDAY:
		fm_fmt_integer(p, (uint64_t)v->u.i, 1, verb);
		break;
	case TV_UINT8: case TV_UINT64:
		fm_fmt_integer(p, (uint64_t)v->u.i, 0, verb);
		break;
	case TV_FLOAT64:
		fm_fmt_float(p, v->u.f, verb);
		break;
	case TV_STRING: {
		size_t n;
		const char *s = tval_str_ptr(v, &n);
		fm_fmt_string(p, s, n, verb);
		break;
	}
	case TV_BYTES: {
		size_t n;
		const char *s = tval_str_ptr(v, &n);
		fm_fmt_bytes(p, s, n, verb, "[]uint8");
		break;
	}
	case TV_MAP: case TV_VALUES: case TV_STRMAP:
		fm_print_map(p, v, verb, depth);
		break;
	case TV_LIST: case TV_STRLIST: case TV_INTLIST: case TV_LISTLIST:
		fm_print_list(p, v, verb, depth);
		break;
	case TV_TIME: case TV_SEMVER: case TV_SEMVERVAL: case TV_OBJECT: {
		struct buf tmp = BUF_INIT;
		struct tval data = TVAL_INIT;
		int got = tval_obj_data(&data, p->rt, v);

		if (got) {
			/* engine.files, common.VersionSet: printed as their map or
			 * slice with this verb. NEEDSWORK: %#v names the data's
			 * type, not the object's */
			if (got < 0)
				p->buf->oom = 1;
			else
				fm_print_value(p, &data, verb, depth);
			tval_release(&data);
			break;
		}
		if (v->kind == TV_TIME) {
			fm_print_time(p, &v->u.t, verb, depth);
			break;
		}
		if (v->kind == TV_SEMVERVAL || (v->kind == TV_SEMVER && depth == 0)) {
			fm_print_semver(p, v, verb, depth);
			break;
		}
		if (fm_stringer(&tmp, p->rt, v))
			buf_add(p->buf, tmp.ptr, tmp.len);
		else
			buf_adds(p->buf, "{}");
		buf_release(&tmp);
		break;
	}
	case TV_FUNC:
		buf_adds(p->buf, "0x0");
		break;
	}
	p->arg = saved;
}

static void fm_print_arg(struct pp *p, const struct tval *v, int verb)
{
	const struct tval *saved = p->arg;

	p->arg = v;
	if (v->kind == TV_INVALID || v->kind == TV_NIL) {
		if (verb == 'T' || verb == 'v')
			fm_pad(p, "<nil>", 5);
		else
			fm_bad_verb(p, verb);
		p->arg = saved;
		return;
	}
	if (verb == 'T') {
		fm_fmt_s(p, tval_type_name(v), strlen(tval_type_name(v)));
		p->arg = saved;
		return;
	}
	if (verb == 'p') {
		switch (v->kind) {
		case TV_LIST: case TV_STRLIST: case TV_INTLIST: case TV_LISTLIST: case TV_MAP:
		case TV_VALUES: case TV_STRMAP: case TV_BYTES: case TV_SEMVER: case TV_OBJECT: case TV_FUNC:
			fm_fmt_integer_base(p, (uint64_t)(uintptr_t)v->u.j, 16, 0, 'v', ldigits);
			break;
		default:
			fm_bad_verb(p, verb);
		}
		p->arg = saved;
		return;
	}
	switch (v->kind) {
	case TV_BOOL: case TV_INT: case TV_INT64: case TV_UINT8: case TV_UINT64: case TV_FLOAT64:
	case TV_STRING: case TV_BYTES:
		fm_print_value(p, v, verb, 0);
		break;
	default:
		if (!fm_handle_methods(p, v, verb))
			fm_print_value(p, v, verb, 0);
	}
	p->arg = saved;
}

static int fm_too_large(int x)
{
	return x > 1000000 || x < -1000000;
}

static int fm_parsenum(const char *s, size_t start, size_t end, int *num, size_t *newi)
{
	int isnum = 0;
	size_t i;

	*num = 0;
	if (start >= end) {
		*newi = end;
		return 0;
	}
	for (i = start; i < end && s[i] >= '0' && s[i] <= '9'; i++) {
		if (fm_too_large(*num)) {
			*num = 0;
			*newi = end;
			return 0;
		}
		*num = *num * 10 + (s[i] - '0');
		isnum = 1;
	}
	*newi = i;
	return isnum;
}

struct pstate {
	int reordered, good_arg_num;
};

static int fm_arg_number(struct pstate *st, int argnum, const char *f, size_t *i, size_t end,
			int nargs, int *after_index)
{
	size_t j, k;
	int idx;
	size_t newi;

	*after_index = 0;
	if (*i >= end || f[*i] != '[')
		return argnum;
	st->reordered = 1;
	/* parseArgNumber */
	if (end - *i < 3) {
		*i += 1;
		st->good_arg_num = 0;
		return argnum;
	}
	for (j = *i + 1; j < end; j++) {
		if (f[j] == ']') {
			int ok = fm_parsenum(f, *i + 1, j, &idx, &newi);
			if (!ok || newi != j) {
				*i = j + 1;
				st->good_arg_num = 0;
				return argnum;
			}
			idx--;
			k = j + 1;
			*i = k;
			*after_index = 1;
			if (idx >= 0 && idx < nargs)
				return idx;
			st->good_arg_num = 0;
			return argnum;
		}
	}
	*i += 1;
	st->good_arg_num = 0;
	return argnum;
}

static int fm_int_from_arg(const struct tval *argv, int argc, int *argnum, int *num)
{
	int is_int = 0;

	*num = 0;
	if (*argnum < argc) {
		const struct tval *a = &argv[*argnum];
		if (a->kind == TV_INT || a->kind == TV_INT64 || a->kind == TV_UINT8 ||
		    a->kind == TV_DURATION || a->kind == TV_MONTH || a->kind == TV_WEEKDAY ||
		    (a->kind == TV_UINT64 && a->u.i >= 0)) {
			if (a->u.i >= INT32_MIN * 1000LL && a->u.i <= INT32_MAX * 1000LL) {
				*num = (int)(a->u.i > 2000000 ? 2000000 : a->u.i < -2000000 ? -2000000 : a->u.i);
				is_int = 1;
			}
		}
		*argnum += 1;
		if (fm_too_large(*num)) {
			*num = 0;
			is_int = 0;
		}
	}
	return is_int;
}

int tmpl_sprintf(struct buf *out, struct tmpl_rt *rt, const char *f, size_t end,
		 int argc, const struct tval *argv)
{
	struct pp p;
	struct pstate st = { 0, 1 };
	int argnum = 0, after_index = 0;
	size_t i = 0;

	memset(&p, 0, sizeof(p));
	p.buf = out;
	p.rt = rt;
	while (i < end) {
		size_t lasti = i;
		int verb, w;
		st.good_arg_num = 1;
		while (i < end && f[i] != '%')
			i++;
		if (i > lasti)
			buf_add(out, f + lasti, i - lasti);
		if (i >= end)
			break;
		i++;
		fm_clearflags(&p);
		for (; i < end; i++) {
			char c = f[i];
			if (c == '#') {
				p.sharp = 1;
			} else if (c == '0') {
				p.zero = !p.minus;
			} else if (c == '+') {
				p.plus = 1;
			} else if (c == '-') {
				p.minus = 1;
				p.zero = 0;
			} else if (c == ' ') {
				p.space = 1;
			} else {
				if (c >= 'a' && c <= 'z' && argnum < argc) {
					if (c == 'v') {
						p.sharpv = p.sharp;
						p.sharp = 0;
						p.plusv = p.plus;
						p.plus = 0;
					}
					fm_print_arg(&p, &argv[argnum], c);
					argnum++;
					i++;
					goto next;
				}
				break;
			}
		}
		argnum = fm_arg_number(&st, argnum, f, &i, end, argc, &after_index);
		if (i < end && f[i] == '*') {
			i++;
			p.wid_present = fm_int_from_arg(argv, argc, &argnum, &p.wid);
			if (!p.wid_present)
				buf_adds(out, "%!(BADWIDTH)");
			if (p.wid < 0) {
				p.wid = -p.wid;
				p.minus = 1;
				p.zero = 0;
			}
			after_index = 0;
		} else {
			size_t ni;
			p.wid_present = fm_parsenum(f, i, end, &p.wid, &ni);
			i = ni;
			if (after_index && p.wid_present)
				st.good_arg_num = 0;
		}
		if (i + 1 < end && f[i] == '.') {
			i++;
			if (after_index)
				st.good_arg_num = 0;
			argnum = fm_arg_number(&st, argnum, f, &i, end, argc, &after_index);
			if (i < end && f[i] == '*') {
				i++;
				p.prec_present = fm_int_from_arg(argv, argc, &argnum, &p.prec);
				if (p.prec < 0) {
					p.prec = 0;
					p.prec_present = 0;
				}
				if (!p.prec_present)
					buf_adds(out, "%!(BADPREC)");
				after_index = 0;
			} else {
				size_t ni;
				p.prec_present = fm_parsenum(f, i, end, &p.prec, &ni);
				i = ni;
				if (!p.prec_present) {
					p.prec = 0;
					p.prec_present = 1;
				}
			}
		}
		if (!after_index)
			argnum = fm_arg_number(&st, argnum, f, &i, end, argc, &after_index);
		if (i >= end) {
			buf_adds(out, "%!(NOVERB)");
			break;
		}
		verb = (unsigned char)f[i];
		w = 1;
		if (verb >= 0x80)
			verb = tmpl__utf8_decode(f + i, end - i, &w);
		i += (size_t)w;
		if (verb == '%') {
			buf_addch(out, '%');
		} else if (!st.good_arg_num) {
			buf_adds(out, "%!");
			tmpl__utf8_encode(out, verb);
			buf_adds(out, "(BADINDEX)");
		} else if (argnum >= argc) {
			buf_adds(out, "%!");
			tmpl__utf8_encode(out, verb);
			buf_adds(out, "(MISSING)");
		} else {
			if (verb == 'v') {
				p.sharpv = p.sharp;
				p.sharp = 0;
				p.plusv = p.plus;
				p.plus = 0;
			}
			fm_print_arg(&p, &argv[argnum], verb);
			argnum++;
		}
next:
		;
	}
	if (!st.reordered && argnum < argc) {
		int k;
		fm_clearflags(&p);
		buf_adds(out, "%!(EXTRA ");
		for (k = argnum; k < argc; k++) {
			if (k > argnum)
				buf_adds(out, ", ");
			if (argv[k].kind == TV_INVALID || argv[k].kind == TV_NIL) {
				buf_adds(out, "<nil>");
			} else {
				buf_adds(out, tval_type_name(&argv[k]));
				buf_addch(out, '=');
				fm_print_arg(&p, &argv[k], 'v');
			}
		}
		buf_addch(out, ')');
	}
	return buf_oom(out) ? -1 : 0;
}

int tmpl_sprint(struct buf *out, struct tmpl_rt *rt, int argc, const struct tval *argv)
{
	struct pp p;
	int prev_string = 0, k;

	memset(&p, 0, sizeof(p));
	p.buf = out;
	p.rt = rt;
	for (k = 0; k < argc; k++) {
		int is_string = argv[k].kind == TV_STRING;
		if (k > 0 && !is_string && !prev_string)
			buf_addch(out, ' ');
		fm_print_arg(&p, &argv[k], 'v');
		prev_string = is_string;
	}
	return buf_oom(out) ? -1 : 0;
}

int tmpl_sprintln(struct buf *out, struct tmpl_rt *rt, int argc, const struct tval *argv)
{
	struct pp p;
	int k;

	memset(&p, 0, sizeof(p));
	p.buf = out;
	p.rt = rt;
	for (k = 0; k < argc; k++) {
		if (k > 0)
			buf_addch(out, ' ');
		fm_print_arg(&p, &argv[k], 'v');
	}
	buf_addch(out, '\n');
	return buf_oom(out) ? -1 : 0;
}

int tval_format(struct buf *out, struct tmpl_rt *rt, const struct tval *v)
{
	return tmpl_sprint(out, rt, 1, v);
}

int tmpl__print_value(struct buf *out, struct tmpl_rt *rt, const struct tval *v)
{
	if (v->kind == TV_INVALID)
		return buf_adds(out, "<no value>");
	return tmpl_sprint(out, rt, 1, v);
}
