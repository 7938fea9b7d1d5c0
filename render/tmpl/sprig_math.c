/*
 * Sprig's math functions (Sprig 3.3.0 functions.go and numeric.go): add,
 * add1, sub, div, mod, mul, max/biggest, min (int64, Go's wrapping
 * arithmetic); addf, add1f, subf, divf, mulf (through
 * github.com/shopspring/decimal), maxf, minf, floor, ceil, round (float64);
 * seq (a string).
 *
 * Arguments go through cast.ToInt64 / cast.ToFloat64, which turn anything
 * they cannot convert into 0 (sprigl_to_int64, sprigl_to_float64).
 */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_lists_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/gofloat.h"

static int64_t S_i64(const struct tval *v)
{
	int64_t i;

	sprigl_to_int64(&i, v);
	return i;
}

static double S_f64(const struct tval *v)
{
	double f;

	sprigl_to_float64(&f, v);
	return f;
}

static int S_ret_i64(struct tval *out, int64_t i)
{
	*out = tval_int64(i);
	return 0;
}

static int S_ret_f64(struct tval *out, double f)
{
	*out = tval_float(f);
	return 0;
}

/* Go's int64 arithmetic wraps around. */
static int64_t S_wrap_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t S_wrap_mul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

static int S_add1(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_ret_i64(out, S_wrap_add(S_i64(&argv[0]), 1));
}

static int S_add(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	int64_t a = 0;

	for (int i = 0; i < argc; i++)
		a = S_wrap_add(a, S_i64(&argv[i]));
	return S_ret_i64(out, a);
}

static int S_sub(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_ret_i64(out, (int64_t)((uint64_t)S_i64(&argv[0]) - (uint64_t)S_i64(&argv[1])));
}

static int S_div(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	int64_t a = S_i64(&argv[0]), b = S_i64(&argv[1]);

	if (b == 0)
		return tmpl_call_errorf(call, "runtime error: integer divide by zero");
	if (b == -1)
		return S_ret_i64(out, (int64_t)(0 - (uint64_t)a)); /* MinInt64 / -1 wraps */
	return S_ret_i64(out, a / b);
}

static int S_mod(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	int64_t a = S_i64(&argv[0]), b = S_i64(&argv[1]);

	if (b == 0)
		return tmpl_call_errorf(call, "runtime error: integer divide by zero");
	if (b == -1)
		return S_ret_i64(out, 0);
	return S_ret_i64(out, a % b);
}

static int S_mul(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	int64_t v = S_i64(&argv[0]);

	for (int i = 1; i < argc; i++)
		v = S_wrap_mul(v, S_i64(&argv[i]));
	return S_ret_i64(out, v);
}

static int S_max(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	int64_t a = S_i64(&argv[0]);

	for (int i = 1; i < argc; i++) {
		int64_t b = S_i64(&argv[i]);

		if (b > a)
			a = b;
	}
	return S_ret_i64(out, a);
}

static int S_min(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	int64_t a = S_i64(&argv[0]);

	for (int i = 1; i < argc; i++) {
		int64_t b = S_i64(&argv[i]);

		if (b < a)
			a = b;
	}
	return S_ret_i64(out, a);
}

/* Go's math.Max and math.Min (C's fmax/fmin differ on NaN and zeros). */
static double S_go_max(double x, double y)
{
	if (isinf(x) && x > 0)
		return x;
	if (isinf(y) && y > 0)
		return y;
	if (isnan(x) || isnan(y))
		return NAN;
	if (x == 0 && x == y)
		return signbit(x) ? y : x;
	return x > y ? x : y;
}

static double S_go_min(double x, double y)
{
	if (isinf(x) && x < 0)
		return x;
	if (isinf(y) && y < 0)
		return y;
	if (isnan(x) || isnan(y))
		return NAN;
	if (x == 0 && x == y)
		return signbit(x) ? x : y;
	return x < y ? x : y;
}

static int S_maxf(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	double a = S_f64(&argv[0]);

	for (int i = 1; i < argc; i++)
		a = S_go_max(a, S_f64(&argv[i]));
	return S_ret_f64(out, a);
}

static int S_minf(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	double a = S_f64(&argv[0]);

	for (int i = 1; i < argc; i++)
		a = S_go_min(a, S_f64(&argv[i]));
	return S_ret_f64(out, a);
}

static int S_floor(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_ret_f64(out, gofloat_floor(S_f64(&argv[0])));
}

static int S_ceil(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_ret_f64(out, -gofloat_floor(-S_f64(&argv[0])));
}

/* Go 1.25's math.Pow(10, y) for an integral y, step for step: squarings of
 * frexp's mantissa (not always the correctly rounded result C's pow gives;
 * helm's round 1 -87 0 shows it). */
static double S_pow10(double y)
{
	double x = 10, yi, yf, a1 = 1, x1;
	int ae = 0, xe;

	if (y == 0)
		return 1;
	yf = modf(fabs(y), &yi);
	(void)yf;
	if (yi >= 9223372036854775808.0)
		return y > 0 ? INFINITY : 0;
	x1 = frexp(x, &xe);
	for (int64_t i = (int64_t)yi; i != 0; i >>= 1) {
		if (xe < -(1 << 12) || (1 << 12) < xe) {
			ae += xe;
			break;
		}
		if (i & 1) {
			a1 *= x1;
			ae += xe;
		}
		x1 *= x1;
		xe <<= 1;
		if (x1 < .5) {
			x1 += x1;
			xe--;
		}
	}
	if (y < 0) {
		a1 = 1 / a1;
		ae = -ae;
	}
	return ldexp(a1, ae);
}

static int S_round(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	double round_on = argc > 2 ? argv[2].u.f : .5;
	double val = S_f64(&argv[0]);
	double pow = S_pow10((double)argv[1].u.i);
	double digit = pow * val, ip, frac, r;

	frac = modf(digit, &ip);
	r = frac >= round_on ? -gofloat_floor(-digit) : gofloat_floor(digit);
	return S_ret_f64(out, r / pow);
}

/* --- shopspring/decimal, as far as addf, subf, mulf, divf need it --- */

/* A decimal: value = (-1)^neg * digits * 10^exp; digits are base-10,
 * least significant first, without leading zeros (n == 0 is zero). */
struct S_dec {
	unsigned char *d;
	size_t n;
	int neg;
	int64_t exp;
};

#define S_DEC_INIT { NULL, 0, 0, 0 }
/* Bounds on intermediate results and on the work of one call: Go has
 * none, but we must not run away. Only absurd inputs reach them (thousands
 * of arguments whose exponents are far apart). */
#define S_DEC_MAX_DIGITS 100000
#define S_DEC_MAX_WORK 300000000.0

static void S_dec_release(struct S_dec *a)
{
	free(a->d);
	a->d = NULL;
	a->n = 0;
}

static void S_trim(struct S_dec *a)
{
	while (a->n > 0 && a->d[a->n - 1] == 0)
		a->n--;
	if (a->n == 0)
		a->neg = 0;
}

/* Allocates room for n digits, all zero. 0 or -1. */
static int S_alloc(struct S_dec *a, size_t n)
{
	if (n > S_DEC_MAX_DIGITS)
		return -1;
	free(a->d);
	a->d = calloc(n ? n : 1, 1);
	a->n = n;
	return a->d ? 0 : -1;
}

/*
 * The p significant digits of |f| rounded to nearest, plus delta (-1, 0,
 * +1) in the last digit: digits (NUL-terminated, may gain a digit on a
 * carry or start with 0 on a borrow) and the decimal exponent of the first.
 * Returns 1 if that decimal reads back as |f|.
 */
static int S_try_digits(char *digits, long *ex, double f, int p, int delta)
{
	char tmp[64], *q = tmp, num[80];
	size_t nd = 0;

	snprintf(tmp, sizeof(tmp), "%.*e", p - 1, fabs(f));
	for (; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[nd++] = *q;
	digits[nd] = '\0';
	*ex = strtol(q + 1, NULL, 10);
	if (delta > 0) {
		size_t i = nd;

		while (i > 0 && digits[i - 1] == '9')
			digits[--i] = '0';
		if (i == 0) {
			memmove(digits + 1, digits, nd + 1);
			digits[0] = '1';
			(*ex)++;
			nd++;
		} else {
			digits[i - 1]++;
		}
	} else if (delta < 0) {
		size_t i = nd;

		while (i > 0 && digits[i - 1] == '0')
			digits[--i] = '9';
		if (i == 0)
			return 0;
		digits[i - 1]--;
	}
	/* no decimal point, so that the locale does not matter */
	snprintf(num, sizeof(num), "%se%ld", digits, *ex - (long)(nd - 1));
	return strtod(num, NULL) == fabs(f);
}

/*
 * Go's decimal.NewFromFloat: the shortest digits that read back as f, the
 * nearest of them if several (strconv's shortest formatting). Where f's
 * rounding interval is lopsided (a power of two) the nearest p-digit
 * decimal may miss it while its neighbour on the wide side hits it.
 */
static int S_dec_from_float(struct S_dec *out, double f)
{
	char digits[40];
	long ex = 0;
	size_t nd;
	int p;

	out->neg = 0;
	out->exp = 0;
	if (f == 0)
		return S_alloc(out, 0);
	for (p = 1; p <= 17; p++) {
		if (S_try_digits(digits, &ex, f, p, 0) || S_try_digits(digits, &ex, f, p, +1) ||
		    S_try_digits(digits, &ex, f, p, -1))
			break;
	}
	if (p > 17)
		S_try_digits(digits, &ex, f, 17, 0);
	nd = strlen(digits);
	if (S_alloc(out, nd) < 0)
		return -1;
	for (size_t i = 0; i < nd; i++)
		out->d[i] = (unsigned char)(digits[nd - 1 - i] - '0');
	out->exp = ex - (long)(nd - 1);
	out->neg = f < 0;
	S_trim(out);
	return 0;
}

/* a * 10^k, magnitude only, into out (which must not be a). */
static int S_shift(struct S_dec *out, const struct S_dec *a, int64_t k)
{
	if (a->n == 0)
		return S_alloc(out, 0);
	if (k < 0 || (uint64_t)k > S_DEC_MAX_DIGITS || S_alloc(out, a->n + (size_t)k) < 0)
		return -1;
	memcpy(out->d + k, a->d, a->n);
	return 0;
}

static int S_mag_cmp(const struct S_dec *a, const struct S_dec *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (size_t i = a->n; i > 0; i--)
		if (a->d[i - 1] != b->d[i - 1])
			return a->d[i - 1] < b->d[i - 1] ? -1 : 1;
	return 0;
}

/* out = |a| + |b| */
static int S_mag_add(struct S_dec *out, const struct S_dec *a, const struct S_dec *b)
{
	size_t n = (a->n > b->n ? a->n : b->n) + 1;
	int carry = 0;

	if (S_alloc(out, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int s = carry + (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);

		out->d[i] = (unsigned char)(s % 10);
		carry = s / 10;
	}
	S_trim(out);
	return 0;
}

/* out = |a| - |b|, with |a| >= |b| */
static int S_mag_sub(struct S_dec *out, const struct S_dec *a, const struct S_dec *b)
{
	int borrow = 0;

	if (S_alloc(out, a->n) < 0)
		return -1;
	for (size_t i = 0; i < a->n; i++) {
		int s = a->d[i] - borrow - (i < b->n ? b->d[i] : 0);

		borrow = s < 0;
		out->d[i] = (unsigned char)(s < 0 ? s + 10 : s);
	}
	S_trim(out);
	return 0;
}

/* |a| -= |b|, with |a| >= |b| */
static void S_mag_sub_inplace(struct S_dec *a, const struct S_dec *b)
{
	int borrow = 0;

	for (size_t i = 0; i < a->n && (borrow || i < b->n); i++) {
		int s = a->d[i] - borrow - (i < b->n ? b->d[i] : 0);

		borrow = s < 0;
		a->d[i] = (unsigned char)(s < 0 ? s + 10 : s);
	}
	S_trim(a);
}

/* decimal's Add (sub = 0) and Sub (sub = 1): rescale both to the smaller
 * exponent, then add the signed coefficients. */
static int S_dec_addsub(struct S_dec *out, const struct S_dec *a, const struct S_dec *b, int sub)
{
	struct S_dec ra = S_DEC_INIT, rb = S_DEC_INIT, r = S_DEC_INIT;
	int64_t e = a->exp < b->exp ? a->exp : b->exp;
	int bneg = b->n ? (b->neg ^ sub) : 0, error = -1;

	if (S_shift(&ra, a, a->exp - e) < 0 || S_shift(&rb, b, b->exp - e) < 0)
		goto done;
	if (a->neg == bneg) {
		if (S_mag_add(&r, &ra, &rb) < 0)
			goto done;
		r.neg = a->neg;
	} else if (S_mag_cmp(&ra, &rb) >= 0) {
		if (S_mag_sub(&r, &ra, &rb) < 0)
			goto done;
		r.neg = a->neg;
	} else {
		if (S_mag_sub(&r, &rb, &ra) < 0)
			goto done;
		r.neg = bneg;
	}
	r.exp = e;
	S_trim(&r);
	S_dec_release(out);
	*out = r;
	r.d = NULL;
	error = 0;
done:
	S_dec_release(&ra);
	S_dec_release(&rb);
	S_dec_release(&r);
	return error;
}

static int S_dec_mul(struct S_dec *out, const struct S_dec *a, const struct S_dec *b,
		     struct tmpl_call *call)
{
	struct S_dec r = S_DEC_INIT;
	int64_t e = a->exp + b->exp;

	if (e > INT32_MAX || e < INT32_MIN)
		return tmpl_call_errorf(call, "exponent %lld overflows an int32!", (long long)e);
	if (a->n == 0 || b->n == 0) {
		if (S_alloc(&r, 0) < 0)
			return DIAG_ENOMEM;
	} else {
		unsigned *acc;
		size_t n = a->n + b->n;
		unsigned long long carry = 0;

		if (n > S_DEC_MAX_DIGITS || !(acc = calloc(n, sizeof(*acc))))
			return DIAG_ELIMIT;
		for (size_t i = 0; i < a->n; i++) {
			if (!a->d[i])
				continue;
			for (size_t j = 0; j < b->n; j++)
				acc[i + j] += (unsigned)a->d[i] * b->d[j];
			/* keep the accumulators small */
			if ((i & 0x3ffff) == 0x3ffff) {
				carry = 0;
				for (size_t k = 0; k < n; k++) {
					carry += acc[k];
					acc[k] = (unsigned)(carry % 10);
					carry /= 10;
				}
			}
		}
		if (S_alloc(&r, n) < 0) {
			free(acc);
			return DIAG_ENOMEM;
		}
		carry = 0;
		for (size_t k = 0; k < n; k++) {
			carry += acc[k];
			r.d[k] = (unsigned char)(carry % 10);
			carry /= 10;
		}
		free(acc);
	}
	r.neg = a->neg ^ b->neg;
	r.exp = e;
	S_trim(&r);
	S_dec_release(out);
	*out = r;
	return 0;
}

/* q, rem = |a| quo |b|, |a| rem |b| (b not zero): long division. */
static int S_mag_divmod(struct S_dec *q, struct S_dec *rem, const struct S_dec *a,
			const struct S_dec *b)
{
	struct S_dec r = S_DEC_INIT;

	if (S_alloc(q, a->n) < 0 || S_alloc(&r, b->n + 1) < 0)
		goto fail;
	r.n = 0;
	for (size_t i = a->n; i > 0; i--) {
		int qd = 0;

		/* r = r * 10 + a[i-1] */
		memmove(r.d + 1, r.d, r.n);
		r.d[0] = a->d[i - 1];
		r.n++;
		S_trim(&r);
		while (S_mag_cmp(&r, b) >= 0) {
			S_mag_sub_inplace(&r, b);
			qd++;
		}
		q->d[i - 1] = (unsigned char)qd;
	}
	S_trim(q);
	S_dec_release(rem);
	*rem = r;
	return 0;
fail:
	S_dec_release(&r);
	return -1;
}

/* decimal's Div: DivRound(b, 16), rounding half away from zero. */
static int S_dec_div(struct S_dec *out, const struct S_dec *a, const struct S_dec *b,
		     struct tmpl_call *call)
{
	const int64_t prec = 16;
	struct S_dec aa = S_DEC_INIT, bb = S_DEC_INIT, q = S_DEC_INIT, r = S_DEC_INIT;
	struct S_dec r2 = S_DEC_INIT, one = S_DEC_INIT;
	int64_t e;
	int error = DIAG_ENOMEM;

	if (b->n == 0)
		return tmpl_call_errorf(call, "decimal division by 0");
	e = a->exp - b->exp + prec;
	if (e > INT32_MAX || e < INT32_MIN)
		return tmpl_call_errorf(call, "overflow in decimal QuoRem");
	if (e < 0) {
		if (S_shift(&aa, a, 0) < 0 || S_shift(&bb, b, -e) < 0)
			goto done;
	} else {
		if (S_shift(&aa, a, e) < 0 || S_shift(&bb, b, 0) < 0)
			goto done;
	}
	if (S_mag_divmod(&q, &r, &aa, &bb) < 0)
		goto done;
	/* 2|r| >= |bb|: round the quotient's magnitude up */
	if (S_mag_add(&r2, &r, &r) < 0)
		goto done;
	if (S_mag_cmp(&r2, &bb) >= 0) {
		if (S_alloc(&one, 1) < 0)
			goto done;
		one.d[0] = 1;
		if (S_mag_add(&r2, &q, &one) < 0)
			goto done;
		S_dec_release(&q);
		q = r2;
		r2.d = NULL;
		r2.n = 0;
	}
	q.neg = q.n ? (a->neg ^ b->neg) : 0;
	q.exp = -prec;
	S_dec_release(out);
	*out = q;
	q.d = NULL;
	error = 0;
done:
	S_dec_release(&aa);
	S_dec_release(&bb);
	S_dec_release(&q);
	S_dec_release(&r);
	S_dec_release(&r2);
	S_dec_release(&one);
	return error;
}

/* decimal's Float64: the nearest float64 (strtod rounds correctly too). */
static int S_dec_to_float(double *out, const struct S_dec *a)
{
	struct buf s = BUF_INIT;

	if (a->n == 0) {
		*out = 0;
		return 0;
	}
	if (a->neg)
		buf_addch(&s, '-');
	for (size_t i = a->n; i > 0; i--)
		buf_addch(&s, '0' + a->d[i - 1]);
	buf_addf(&s, "e%lld", (long long)a->exp);
	if (buf_oom(&s)) {
		buf_release(&s);
		return -1;
	}
	*out = strtod(s.ptr, NULL);
	buf_release(&s);
	return 0;
}

enum S_decop { S_ADD, S_SUB, S_MUL, S_DIV };

/* Go's %v of a float64 that decimal refuses (NaN, +Inf, -Inf). */
static const char *S_nonfinite(double f)
{
	return isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf";
}

/* About how many digit steps a op b takes (see S_DEC_MAX_WORK). */
static double S_cost(const struct S_dec *a, const struct S_dec *b, enum S_decop op)
{
	double an = (double)a->n, bn = (double)b->n;
	double de = (double)a->exp - (double)b->exp;

	switch (op) {
	case S_ADD:
	case S_SUB:
		return an + bn + fabs(de);
	case S_MUL:
		return an * bn + 1;
	case S_DIV:
		de += 16;
		return (an + (de > 0 ? de : 0) + 1) * (bn + (de < 0 ? -de : 0) + 1) * 10;
	}
	return 0;
}

/* Sprig's execDecimalOp: a op b[0] op b[1] ... in decimal, then float64. */
static int S_decimal_op(struct tval *out, struct tmpl_call *call, double a, int nb,
			const struct tval *b, int one, enum S_decop op)
{
	struct S_dec acc = S_DEC_INIT, x = S_DEC_INIT;
	double f, work = 0;
	int error = 0;

	if (!isfinite(a))
		return tmpl_call_errorf(call, "Cannot create a Decimal from %s", S_nonfinite(a));
	if (S_dec_from_float(&acc, a) < 0) {
		error = DIAG_ENOMEM;
		goto done;
	}
	for (int i = 0; i < (one ? 1 : nb); i++) {
		double fx = one ? 1 : S_f64(&b[i]);

		if (!isfinite(fx)) {
			error = tmpl_call_errorf(call, "Cannot create a Decimal from %s",
						 S_nonfinite(fx));
			goto done;
		}
		if (S_dec_from_float(&x, fx) < 0) {
			error = DIAG_ENOMEM;
			goto done;
		}
		work += S_cost(&acc, &x, op);
		if (work > S_DEC_MAX_WORK) {
			error = tmpl_call_errorf(call, "decimal too large (hydrate's limit)");
			goto done;
		}
		switch (op) {
		case S_ADD:
		case S_SUB:
			error = S_dec_addsub(&acc, &acc, &x, op == S_SUB) < 0 ? DIAG_ELIMIT : 0;
			break;
		case S_MUL:
			error = S_dec_mul(&acc, &acc, &x, call);
			break;
		case S_DIV:
			error = S_dec_div(&acc, &acc, &x, call);
			break;
		}
		if (error == DIAG_ELIMIT)
			error = tmpl_call_errorf(call, "decimal too large (hydrate's limit)");
		if (error < 0)
			goto done;
	}
	if (S_dec_to_float(&f, &acc) < 0) {
		error = DIAG_ENOMEM;
		goto done;
	}
	S_ret_f64(out, f);
done:
	S_dec_release(&acc);
	S_dec_release(&x);
	return error;
}

static int S_add1f(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_decimal_op(out, call, S_f64(&argv[0]), 0, NULL, 1, S_ADD);
}

static int S_addf(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_decimal_op(out, call, 0, argc, argv, 0, S_ADD);
}

static int S_subf(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_decimal_op(out, call, S_f64(&argv[0]), argc - 1, argv + 1, 0, S_SUB);
}

static int S_mulf(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_decimal_op(out, call, S_f64(&argv[0]), argc - 1, argv + 1, 0, S_MUL);
}

static int S_divf(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_decimal_op(out, call, S_f64(&argv[0]), argc - 1, argv + 1, 0, S_DIV);
}

/* seq: untilStep's numbers joined by spaces. */
static int S_seq_step(struct tval *out, struct tmpl_call *call, int64_t start, int64_t stop,
		      int64_t step)
{
	struct buf b = BUF_INIT;
	size_t n = 0;
	int up = stop >= start;

	if ((up && step > 0) || (!up && step < 0)) {
		for (int64_t i = start; up ? i < stop : i > stop;
		     i = (int64_t)((uint64_t)i + (uint64_t)step)) {
			if (++n > SPRIGL_MAX_ITEMS) {
				buf_release(&b);
				return sprigl_limit_error(call);
			}
			buf_addf(&b, n > 1 ? " %lld" : "%lld", (long long)i);
		}
	}
	if (buf_oom(&b)) {
		buf_release(&b);
		return DIAG_ENOMEM;
	}
	*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static int64_t S_plus(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int S_seq(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	int64_t start, end, step, inc = 1;

	switch (argc) {
	case 1:
		start = 1;
		end = argv[0].u.i;
		if (end < start)
			inc = -1;
		return S_seq_step(out, call, start, S_plus(end, inc), inc);
	case 2:
		start = argv[0].u.i;
		end = argv[1].u.i;
		step = end < start ? -1 : 1;
		return S_seq_step(out, call, start, S_plus(end, step), step);
	case 3:
		start = argv[0].u.i;
		end = argv[2].u.i;
		step = argv[1].u.i;
		if (end < start) {
			inc = -1;
			if (step > 0)
				break;
		}
		return S_seq_step(out, call, start, S_plus(end, inc), step);
	default:
		break;
	}
	*out = tval_str("");
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

static const struct tmpl_func S_funcs[] = {
	{ "add1", S_add1, "v", TMPL_FN_NOERR, NULL },
	{ "add", S_add, "v*", TMPL_FN_NOERR, NULL },
	{ "sub", S_sub, "vv", TMPL_FN_NOERR, NULL },
	{ "div", S_div, "vv", TMPL_FN_NOERR, NULL },
	{ "mod", S_mod, "vv", TMPL_FN_NOERR, NULL },
	{ "mul", S_mul, "vv*", TMPL_FN_NOERR, NULL },
	{ "add1f", S_add1f, "v", TMPL_FN_NOERR, NULL },
	{ "addf", S_addf, "v*", TMPL_FN_NOERR, NULL },
	{ "subf", S_subf, "vv*", TMPL_FN_NOERR, NULL },
	{ "divf", S_divf, "vv*", TMPL_FN_NOERR, NULL },
	{ "mulf", S_mulf, "vv*", TMPL_FN_NOERR, NULL },
	{ "biggest", S_max, "vv*", TMPL_FN_NOERR, NULL },
	{ "max", S_max, "vv*", TMPL_FN_NOERR, NULL },
	{ "min", S_min, "vv*", TMPL_FN_NOERR, NULL },
	{ "maxf", S_maxf, "vv*", TMPL_FN_NOERR, NULL },
	{ "minf", S_minf, "vv*", TMPL_FN_NOERR, NULL },
	{ "ceil", S_ceil, "v", TMPL_FN_NOERR, NULL },
	{ "floor", S_floor, "v", TMPL_FN_NOERR, NULL },
	{ "round", S_round, "vif*", TMPL_FN_NOERR, NULL },
	{ "seq", S_seq, "i*", TMPL_FN_NOERR, NULL },
};

int sprig_math_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
