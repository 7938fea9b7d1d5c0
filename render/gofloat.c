/*
 * Go's strconv.FormatFloat in C.
 *
 * The decimal digits come from the C library: glibc's printf converts a
 * double exactly and rounds half to even on the exact binary value, which is
 * what Go's multiprecision decimal does, so "%.*e" / "%.*f" give the same
 * digits Go's fixed-precision paths give. The shortest form (prec -1) is
 * searched: the fewest digits whose correctly rounded value reads back as
 * the same float (strtod / strtof), as Go's Ryu and roundShortest produce.
 * Layout (formatDigits, fmtE, fmtF, fmtB, fmtX) follows strconv/ftoa.go.
 * docs/emit.md has the rules.
 */
#include "render/gofloat.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/buf.h"

/* Digits beyond these never differ from '0' for a double (at most 767
 * significant digits, at most 1074 fractional ones), so asking the C library
 * for more only costs time; the formatter pads with zeros as Go does. */
#define MAX_E_DIGITS 800
#define MAX_F_DIGITS 1100
/* Room for "%.*f" of DBL_MAX at MAX_F_DIGITS (309 + 1 + 1100 characters). */
#define TEXT_SIZE (MAX_F_DIGITS + 400)
/* A precision beyond this is refused rather than appended. */
#define MAX_PREC (1 << 24)

/* Go's decimalSlice: nd significant digits d[0..nd), no trailing zeros,
 * value 0.d * 10^dp. Zero has nd == 0, dp == 0. */
struct digits {
	char *d;
	int nd, dp;
};

static void digits_trim(struct digits *ds)
{
	while (ds->nd > 0 && ds->d[ds->nd - 1] == '0')
		ds->nd--;
	if (ds->nd == 0)
		ds->dp = 0;
}

/* Parses the "%e" text of a non-negative finite value into ds (d is
 * allocated by the caller, large enough). */
static void parse_e_text(struct digits *ds, const char *s)
{
	int nd = 0, exp;

	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			ds->d[nd++] = *s;
	exp = *s == 'e' ? atoi(s + 1) : 0;
	ds->nd = nd;
	ds->dp = exp + 1;
	if (nd > 0 && ds->d[0] == '0') { /* zero: "0.000e+00" */
		ds->nd = 0;
		ds->dp = 0;
	}
	digits_trim(ds);
}

/* Parses the "%f" text of a non-negative finite value. The one non-digit
 * is the decimal point, whatever character the locale makes it. */
static void parse_f_text(struct digits *ds, const char *s)
{
	int nd = 0, dp = 0, seen_point = 0, lead = 1;

	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			seen_point = 1;
			continue;
		}
		if (lead && *s == '0') {
			if (seen_point)
				dp--;
			continue;
		}
		lead = 0;
		ds->d[nd++] = *s;
		if (!seen_point)
			dp++;
	}
	ds->nd = nd;
	ds->dp = dp;
	digits_trim(ds);
}

static int reads_back(const char *text, double v, int bitsize)
{
	if (bitsize == 32)
		return strtof(text, NULL) == (float)v;
	return strtod(text, NULL) == v;
}

/* Adds (dir > 0) or subtracts one unit in the last place of the nd-digit
 * string in d (nd >= 1). Returns 0, or -1 if the result has a different
 * length (999 + 1, 100 - 1): then it is not a candidate of this length. */
static int digits_step(char *d, int nd, int dir)
{
	int i;

	for (i = nd - 1; i >= 0; i--) {
		if (dir > 0) {
			if (d[i] != '9') {
				d[i]++;
				return 0;
			}
			d[i] = '0';
		} else {
			if (d[i] != '0') {
				d[i]--;
				return d[0] == '0' ? -1 : 0;
			}
			d[i] = '9';
		}
	}
	return -1;
}

/*
 * The shortest digits that read back as v (v > 0, finite). For each length
 * the correctly rounded candidate is nearest to v, so it is tried first;
 * where the rounding interval is lopsided (v a power of two) the neighbour
 * on the other side of v may fit when the nearest does not, and Go's
 * algorithm takes it then.
 */
static void shortest_digits(struct digits *ds, double v, int bitsize)
{
	char text[64], cand[64];
	int maxp = bitsize == 32 ? 9 : 17;

	/* A whole number below 2^53 (2^24 for float32) is exact, and every
	 * other number of as few digits is at least 1 away, beyond half an
	 * ulp: its own digits are the shortest (values from YAML and JSON
	 * are mostly such). */
	if (v < (bitsize == 32 ? 16777216.0 : 9007199254740992.0) && v == (double)(uint64_t)v) {
		uint64_t u = (uint64_t)v;
		char rev[20];
		int n = 0;

		while (u) {
			rev[n++] = (char)('0' + u % 10);
			u /= 10;
		}
		for (int i = 0; i < n; i++)
			ds->d[i] = rev[n - 1 - i];
		ds->nd = n;
		ds->dp = n;
		digits_trim(ds);
		return;
	}
	for (int p = 1; p <= maxp; p++) {
		double rounded;
		int dir;

		snprintf(text, sizeof(text), "%.*e", p - 1, v);
		if (reads_back(text, v, bitsize) || p == maxp) {
			parse_e_text(ds, text);
			return;
		}
		rounded = strtod(text, NULL);
		dir = rounded < v ? 1 : -1;
		/* text is "d.ddde+XX": rebuild with one step towards v's other side */
		{
			char d[32];
			int nd = 0, exp;
			const char *s = text;

			for (; *s != 'e'; s++)
				if (*s >= '0' && *s <= '9')
					d[nd++] = *s;
			exp = atoi(s + 1);
			if (digits_step(d, nd, dir) < 0)
				continue;
			/* an integer mantissa: no decimal point for the locale to read */
			snprintf(cand, sizeof(cand), "%.*se%d", nd, d, exp - (nd - 1));
			if (reads_back(cand, v, bitsize)) {
				memcpy(ds->d, d, nd);
				ds->nd = nd;
				ds->dp = exp + 1;
				digits_trim(ds);
				return;
			}
		}
	}
}

static void fmt_e(struct buf *out, int neg, const struct digits *ds, int prec, char fmt)
{
	int exp, i;

	if (neg)
		buf_addch(out, '-');
	buf_addch(out, ds->nd ? ds->d[0] : '0');
	if (prec > 0) {
		buf_addch(out, '.');
		i = 1;
		if (ds->nd > 1) {
			int m = ds->nd < prec + 1 ? ds->nd : prec + 1;
			buf_add(out, ds->d + 1, m - 1);
			i = m;
		}
		if (i <= prec)
			buf_addchn(out, '0', prec - i + 1);
	}
	buf_addch(out, fmt);
	exp = ds->nd ? ds->dp - 1 : 0;
	buf_addch(out, exp < 0 ? '-' : '+');
	if (exp < 0)
		exp = -exp;
	buf_addf(out, "%02d", exp);
}

static void fmt_f(struct buf *out, int neg, const struct digits *ds, int prec)
{
	if (neg)
		buf_addch(out, '-');
	if (ds->dp > 0) {
		int m = ds->nd < ds->dp ? ds->nd : ds->dp;
		buf_add(out, ds->d, m);
		buf_addchn(out, '0', ds->dp - m);
	} else {
		buf_addch(out, '0');
	}
	if (prec > 0) {
		buf_addch(out, '.');
		for (int i = 0; i < prec; i++) {
			int j = ds->dp + i;
			buf_addch(out, j >= 0 && j < ds->nd ? ds->d[j] : '0');
		}
	}
}

static void format_digits(struct buf *out, int shortest, int neg, const struct digits *ds,
			    int prec, char fmt)
{
	int eprec, exp;

	switch (fmt) {
	case 'e':
	case 'E':
		fmt_e(out, neg, ds, prec, fmt);
		return;
	case 'f':
		fmt_f(out, neg, ds, prec);
		return;
	default: /* 'g', 'G' */
		eprec = prec;
		if (eprec > ds->nd && ds->nd >= ds->dp)
			eprec = ds->nd;
		if (shortest)
			eprec = 6;
		exp = ds->dp - 1;
		if (exp < -4 || exp >= eprec) {
			if (prec > ds->nd)
				prec = ds->nd;
			fmt_e(out, neg, ds, prec - 1, fmt == 'g' ? 'e' : 'E');
			return;
		}
		if (prec > ds->dp)
			prec = ds->nd;
		fmt_f(out, neg, ds, prec - ds->dp > 0 ? prec - ds->dp : 0);
	}
}

/* float32(v) as Go converts it (round to nearest even, overflow to Inf),
 * without the undefined behaviour of an out-of-range C conversion. */
static float to_float32(double v)
{
	double a = fabs(v);

	if (isnan(v) || a <= FLT_MAX)
		return (float)v;
	/* Halfway between FLT_MAX and 2^128 rounds to even, which is 2^128. */
	if (a < 0x1.ffffffp127)
		return v < 0 ? -FLT_MAX : FLT_MAX;
	return v < 0 ? -INFINITY : INFINITY;
}

/* 'b': mantissa "p" binary exponent, both decimal. */
static void fmt_b(struct buf *out, int neg, uint64_t mant, int exp, int mantbits)
{
	if (neg)
		buf_addch(out, '-');
	buf_addf(out, "%llup", (unsigned long long)mant);
	exp -= mantbits;
	if (exp >= 0)
		buf_addch(out, '+');
	buf_addf(out, "%d", exp);
}

/* 'x' / 'X': hexadecimal fraction and binary exponent. */
static void fmt_x(struct buf *out, int prec, char fmt, int neg, uint64_t mant, int exp,
		    int mantbits)
{
	const char *hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

	if (mant == 0)
		exp = 0;
	mant <<= 60 - mantbits;
	while (mant != 0 && (mant & ((uint64_t)1 << 60)) == 0) {
		mant <<= 1;
		exp--;
	}
	if (prec >= 0 && prec < 15) {
		unsigned shift = (unsigned)prec * 4;
		uint64_t extra = (mant << shift) & (((uint64_t)1 << 60) - 1);

		mant >>= 60 - shift;
		if ((extra | (mant & 1)) > ((uint64_t)1 << 59))
			mant++;
		mant <<= 60 - shift;
		if (mant & ((uint64_t)1 << 61)) {
			mant >>= 1;
			exp++;
		}
	}
	if (neg)
		buf_addch(out, '-');
	buf_addch(out, '0');
	buf_addch(out, fmt);
	buf_addch(out, '0' + (int)((mant >> 60) & 1));
	mant <<= 4;
	if (prec < 0 && mant != 0) {
		buf_addch(out, '.');
		while (mant != 0) {
			buf_addch(out, hex[(mant >> 60) & 15]);
			mant <<= 4;
		}
	} else if (prec > 0) {
		buf_addch(out, '.');
		for (int i = 0; i < prec; i++) {
			buf_addch(out, hex[(mant >> 60) & 15]);
			mant <<= 4;
		}
	}
	buf_addch(out, fmt == 'X' ? 'P' : 'p');
	buf_addch(out, exp < 0 ? '-' : '+');
	if (exp < 0)
		exp = -exp;
	buf_addf(out, "%02d", exp);
}

int gofloat_format(struct buf *out, double v, char fmt, int prec, int bitsize)
{
	struct digits ds = { NULL, 0, 0 };
	char *text = NULL, small[32];
	int neg, shortest = prec < 0, mantbits, error = 0;
	uint64_t mant;
	int exp;

	if (bitsize != 32)
		bitsize = 64;
	if (bitsize == 32)
		v = to_float32(v);
	if (isnan(v))
		return buf_adds(out, "NaN");
	if (isinf(v))
		return buf_adds(out, v < 0 ? "-Inf" : "+Inf");
	if (prec > MAX_PREC)
		return -1;
	neg = signbit(v) != 0;
	v = fabs(v);

	if (fmt == 'b' || fmt == 'x' || fmt == 'X') {
		if (bitsize == 32) {
			float f = (float)v;
			uint32_t bits;

			memcpy(&bits, &f, sizeof(bits));
			mantbits = 23;
			exp = (int)(bits >> 23) & 0xff;
			mant = bits & 0x7fffff;
			if (exp == 0)
				exp++;
			else
				mant |= (uint64_t)1 << 23;
			exp += -127;
		} else {
			uint64_t bits;

			memcpy(&bits, &v, sizeof(bits));
			mantbits = 52;
			exp = (int)(bits >> 52) & 0x7ff;
			mant = bits & (((uint64_t)1 << 52) - 1);
			if (exp == 0)
				exp++;
			else
				mant |= (uint64_t)1 << 52;
			exp += -1023;
		}
		if (fmt == 'b')
			fmt_b(out, neg, mant, exp, mantbits);
		else
			fmt_x(out, prec, fmt, neg, mant, exp, mantbits);
		return buf_oom(out) ? -1 : 0;
	}
	if (fmt != 'e' && fmt != 'E' && fmt != 'f' && fmt != 'g' && fmt != 'G') {
		buf_addch(out, '%');
		buf_addch(out, fmt);
		return buf_oom(out) ? -1 : 0;
	}

	if (shortest) {
		ds.d = small; /* at most 17 digits */
		if (v != 0)
			shortest_digits(&ds, v, bitsize);
		switch (fmt) {
		case 'e':
		case 'E':
			prec = ds.nd - 1 > 0 ? ds.nd - 1 : 0;
			break;
		case 'f':
			prec = ds.nd - ds.dp > 0 ? ds.nd - ds.dp : 0;
			break;
		default:
			prec = ds.nd;
		}
	} else if (!(text = malloc(TEXT_SIZE)) || !(ds.d = malloc(TEXT_SIZE))) {
		error = -1;
		goto done;
	} else if (fmt == 'f') {
		int p = prec < MAX_F_DIGITS ? prec : MAX_F_DIGITS;
		snprintf(text, TEXT_SIZE, "%.*f", p, v);
		parse_f_text(&ds, text);
	} else {
		int digits = prec;

		if (fmt == 'e' || fmt == 'E') {
			digits++;
		} else if (prec == 0) {
			prec = 1;
			digits = 1;
		}
		if (digits > MAX_E_DIGITS)
			digits = MAX_E_DIGITS;
		snprintf(text, TEXT_SIZE, "%.*e", digits - 1, v);
		parse_e_text(&ds, text);
	}
	format_digits(out, shortest, neg, &ds, prec, fmt);
	if (buf_oom(out))
		error = -1;
done:
	free(text);
	if (ds.d != small)
		free(ds.d);
	return error;
}

double gofloat_floor(double x)
{
	double t;

	/* every double of magnitude 2^52 or more is an integer already */
	if (!(fabs(x) < 4503599627370496.0))
		return x;
	t = (double)(int64_t)x; /* toward zero, exact below 2^52 */
	if (t > x)
		t -= 1.0;
	return t == 0.0 ? copysign(0.0, x) : t;
}
