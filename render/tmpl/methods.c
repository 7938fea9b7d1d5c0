/*
 * Go's methods on the engine's own value kinds, which text/template finds
 * by name where a field would be (`{{ $v.Major }}`, `{{ now.Year }}`,
 * `{{ $t.Format "2006-01-02" }}`):
 *
 *   time.Time        Year Month Day Hour Minute Second Nanosecond YearDay
 *                    Weekday Unix UnixMilli UnixMicro UnixNano UTC IsZero
 *                    Add AddDate Sub Before After Equal Compare Format
 *                    String
 *   time.Duration    Hours Minutes Seconds Milliseconds Microseconds
 *                    Nanoseconds Round Truncate Abs String
 *   time.Month, time.Weekday   String
 *   *semver.Version  Major Minor Patch Prerelease Metadata Original String
 *                    IncMajor IncMinor IncPatch SetPrerelease SetMetadata
 *                    LessThan LessThanEqual GreaterThan GreaterThanEqual
 *                    Equal Compare
 *   semver.Version   (an IncMajor result, not addressable) the value
 *                    receivers only: Major ... Metadata String Inc* Set*
 *
 * Masterminds/semver v3 gives Original and the comparisons pointer
 * receivers, so `(semver "1.2.3").IncMajor.Original` is Go's
 * "can't evaluate field Original in type semver.Version".
 *
 * A time.Time keeps its offset and zone abbreviation (tval.h): "MST" in a
 * layout prints the abbreviation, or without one "UTC" at offset 0 and
 * "+hhmm" otherwise, as Go does for a zone without a name. Date, Clock, Zone, ZoneBounds and ISOWeek give Go's
 * "bad signature" errors. NEEDSWORK: Local, In, Round and Truncate of
 * time.Time.
 */
#include "render/tmpl/tmpl_int.h"

#include <stdio.h>
#include <string.h>

#define MT_ARGS struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv
#define MT_RECV ((const struct tval *)call->payload)
/* every method here has a concrete Go result type */
#define MT_FLAGS (TMPL_FN__VALUES | TMPL_FN__CONCRETE)

#define NS_PER_SEC INT64_C(1000000000)
/* 0001-01-01 00:00:00 UTC, Go's zero Time, in Unix seconds */
#define ZERO_TIME_SEC INT64_C(-62135596800)

static const char *const mt_months[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};
static const char *const mt_days[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"
};

void tmpl__month_string(struct buf *out, int64_t m)
{
	if (m >= 1 && m <= 12)
		buf_adds(out, mt_months[m - 1]);
	else
		buf_addf(out, "%%!Month(%lld)", (long long)m);
}

void tmpl__weekday_string(struct buf *out, int64_t d)
{
	if (d >= 0 && d <= 6)
		buf_adds(out, mt_days[d]);
	else
		buf_addf(out, "%%!Weekday(%lld)", (long long)d);
}

/* ---- civil time */

static int64_t mt_fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

/* Days since 1970-01-01 of y-m-d (m 1..12, d any: the sum is linear in
 * d). Unsigned arithmetic: absurd years wrap instead of overflowing. */
static int64_t mt_days_from_civil(int64_t y, int m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y = (int64_t)((uint64_t)y - (m <= 2));
	era = mt_fdiv(y, 400);
	yoe = (int64_t)((uint64_t)y - (uint64_t)era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)((uint64_t)era * 146097 + (uint64_t)doe - 719468 + (uint64_t)d - 1);
}

struct mt_civil {
	int64_t year, days;    /* days since the epoch, in the time's zone */
	int month, day, hour, min, sec, yday, wday;
};

static void mt_civil(struct mt_civil *c, const struct tval_time *t)
{
	int64_t days = mt_fdiv(t->sec, 86400), rem = t->sec - days * 86400 + t->offset;
	int64_t z, era, doe, yoe, doy, mp;

	days += mt_fdiv(rem, 86400);
	rem -= mt_fdiv(rem, 86400) * 86400;
	c->days = days;
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
	c->wday = (int)(days - mt_fdiv(days + 4, 7) * 7 + 4); /* 1970-01-01 was a Thursday */
	z = days + 719468;
	era = mt_fdiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = yoe + era * 400 + (c->month <= 2);
	c->yday = (int)(days - mt_days_from_civil(c->year, 1, 1) + 1);
}

/* ---- time.Time.Format (Go's time/format.go layouts) */

enum mt_std {
	STD_NONE, STD_MONTH, STD_LONG_MONTH, STD_NUM_MONTH, STD_ZERO_MONTH,
	STD_WEEKDAY, STD_LONG_WEEKDAY, STD_DAY, STD_UNDER_DAY, STD_ZERO_DAY,
	STD_UNDER_YEARDAY, STD_ZERO_YEARDAY, STD_HOUR, STD_HOUR12, STD_ZERO_HOUR12,
	STD_MINUTE, STD_ZERO_MINUTE, STD_SECOND, STD_ZERO_SECOND, STD_LONG_YEAR,
	STD_YEAR, STD_PM, STD_PM_LOWER, STD_TZ,
	STD_ISO_TZ, STD_ISO_SECONDS_TZ, STD_ISO_SHORT_TZ, STD_ISO_COLON_TZ,
	STD_ISO_COLON_SECONDS_TZ, STD_NUM_TZ, STD_NUM_SECONDS_TZ, STD_NUM_SHORT_TZ,
	STD_NUM_COLON_TZ, STD_NUM_COLON_SECONDS_TZ, STD_FRAC0, STD_FRAC9
};

struct mt_chunk {
	size_t prefix;    /* literal bytes before the element */
	enum mt_std std;
	size_t len;       /* the element's bytes in the layout */
	int digits;       /* STD_FRAC*: how many */
	char sep;         /* STD_FRAC*: '.' or ',' */
};

static int mt_lower_at(const char *l, size_t n, size_t i)
{
	return i < n && l[i] >= 'a' && l[i] <= 'z';
}

static int mt_has(const char *l, size_t n, size_t i, const char *w)
{
	size_t k = strlen(w);

	return i + k <= n && memcmp(l + i, w, k) == 0;
}

/* Go's nextStdChunk: the first element of l[0..n) (STD_NONE: none). */
static struct mt_chunk mt_next_chunk(const char *l, size_t n)
{
	static const enum mt_std zero_x[] = { STD_ZERO_MONTH, STD_ZERO_DAY, STD_ZERO_HOUR12,
					     STD_ZERO_MINUTE, STD_ZERO_SECOND, STD_YEAR };
	static const struct { const char *w; enum mt_std std; } tz[] = {
		{ "Z070000", STD_ISO_SECONDS_TZ }, { "Z07:00:00", STD_ISO_COLON_SECONDS_TZ },
		{ "Z0700", STD_ISO_TZ }, { "Z07:00", STD_ISO_COLON_TZ }, { "Z07", STD_ISO_SHORT_TZ },
		{ "-070000", STD_NUM_SECONDS_TZ }, { "-07:00:00", STD_NUM_COLON_SECONDS_TZ },
		{ "-0700", STD_NUM_TZ }, { "-07:00", STD_NUM_COLON_TZ }, { "-07", STD_NUM_SHORT_TZ },
	};
	struct mt_chunk c = { n, STD_NONE, 0, 0, 0 };
	size_t i, k;

	for (i = 0; i < n; i++) {
		c.prefix = i;
		switch (l[i]) {
		case 'J':
			if (mt_has(l, n, i, "January")) {
				c.std = STD_LONG_MONTH;
				c.len = 7;
				return c;
			}
			if (mt_has(l, n, i, "Jan") && !mt_lower_at(l, n, i + 3)) {
				c.std = STD_MONTH;
				c.len = 3;
				return c;
			}
			break;
		case 'M':
			if (mt_has(l, n, i, "Monday")) {
				c.std = STD_LONG_WEEKDAY;
				c.len = 6;
				return c;
			}
			if (mt_has(l, n, i, "Mon") && !mt_lower_at(l, n, i + 3)) {
				c.std = STD_WEEKDAY;
				c.len = 3;
				return c;
			}
			if (mt_has(l, n, i, "MST")) {
				c.std = STD_TZ;
				c.len = 3;
				return c;
			}
			break;
		case '0':
			if (i + 1 < n && l[i + 1] >= '1' && l[i + 1] <= '6') {
				c.std = zero_x[l[i + 1] - '1'];
				c.len = 2;
				return c;
			}
			if (i + 2 < n && l[i + 1] == '0' && l[i + 2] == '2') {
				c.std = STD_ZERO_YEARDAY;
				c.len = 3;
				return c;
			}
			break;
		case '1':
			c.std = i + 1 < n && l[i + 1] == '5' ? STD_HOUR : STD_NUM_MONTH;
			c.len = c.std == STD_HOUR ? 2 : 1;
			return c;
		case '2':
			if (mt_has(l, n, i, "2006")) {
				c.std = STD_LONG_YEAR;
				c.len = 4;
				return c;
			}
			c.std = STD_DAY;
			c.len = 1;
			return c;
		case '_':
			if (i + 1 < n && l[i + 1] == '2') {
				/* _2006 is a literal _ and then the long year */
				if (mt_has(l, n, i + 1, "2006")) {
					c.prefix = i + 1;
					c.std = STD_LONG_YEAR;
					c.len = 4;
					return c;
				}
				c.std = STD_UNDER_DAY;
				c.len = 2;
				return c;
			}
			if (i + 2 < n && l[i + 1] == '_' && l[i + 2] == '2') {
				c.std = STD_UNDER_YEARDAY;
				c.len = 3;
				return c;
			}
			break;
		case '3': case '4': case '5':
			c.std = l[i] == '3' ? STD_HOUR12 : l[i] == '4' ? STD_MINUTE : STD_SECOND;
			c.len = 1;
			return c;
		case 'P':
			if (i + 1 < n && l[i + 1] == 'M') {
				c.std = STD_PM;
				c.len = 2;
				return c;
			}
			break;
		case 'p':
			if (i + 1 < n && l[i + 1] == 'm') {
				c.std = STD_PM_LOWER;
				c.len = 2;
				return c;
			}
			break;
		case '-': case 'Z':
			for (k = 0; k < sizeof(tz) / sizeof(tz[0]); k++) {
				if (tz[k].w[0] == l[i] && mt_has(l, n, i, tz[k].w)) {
					c.std = tz[k].std;
					c.len = strlen(tz[k].w);
					return c;
				}
			}
			break;
		case '.': case ',':
			if (i + 1 < n && (l[i + 1] == '0' || l[i + 1] == '9')) {
				char ch = l[i + 1];
				size_t j = i + 1;

				while (j < n && l[j] == ch)
					j++;
				/* only a run of one digit that ends here */
				if (!(j < n && l[j] >= '0' && l[j] <= '9')) {
					c.std = ch == '0' ? STD_FRAC0 : STD_FRAC9;
					c.len = j - i;
					c.digits = (int)(j - (i + 1));
					c.sep = l[i];
					return c;
				}
			}
			break;
		}
	}
	c.prefix = n;
	return c;
}

/* Go's appendInt: x in decimal, zero-padded to width digits. */
static void mt_int(struct buf *b, int64_t x, int width)
{
	char d[24];
	int n = 0;
	uint64_t u = (uint64_t)x;

	if (x < 0) {
		buf_addch(b, '-');
		u = 0 - u;
	}
	do {
		d[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	for (; width > n; width--)
		buf_addch(b, '0');
	while (n > 0)
		buf_addch(b, d[--n]);
}

static void mt_nano(struct buf *b, int32_t nsec, const struct mt_chunk *c)
{
	char d[10];
	int n = c->digits < 9 ? c->digits : 9;

	if (c->std == STD_FRAC9 && (c->digits == 0 || nsec == 0))
		return;
	snprintf(d, sizeof(d), "%09d", (int)nsec);
	if (c->std == STD_FRAC9) {
		while (n > 0 && d[n - 1] == '0')
			n--;
		if (n == 0)
			return;
	}
	buf_addch(b, c->sep);
	buf_add(b, d, (size_t)n);
}

static void mt_zone(struct buf *b, enum mt_std std, int32_t offset)
{
	int iso = std >= STD_ISO_TZ && std <= STD_ISO_COLON_SECONDS_TZ;
	int32_t zone, abs_off = offset;

	if (offset == 0 && iso) {
		buf_addch(b, 'Z');
		return;
	}
	zone = offset / 60;
	if (zone < 0) {
		buf_addch(b, '-');
		zone = -zone;
		abs_off = -abs_off;
	} else {
		buf_addch(b, '+');
	}
	mt_int(b, zone / 60, 2);
	if (std == STD_ISO_COLON_TZ || std == STD_NUM_COLON_TZ || std == STD_ISO_COLON_SECONDS_TZ ||
	    std == STD_NUM_COLON_SECONDS_TZ)
		buf_addch(b, ':');
	if (std != STD_NUM_SHORT_TZ && std != STD_ISO_SHORT_TZ)
		mt_int(b, zone % 60, 2);
	if (std == STD_ISO_SECONDS_TZ || std == STD_NUM_SECONDS_TZ || std == STD_NUM_COLON_SECONDS_TZ ||
	    std == STD_ISO_COLON_SECONDS_TZ) {
		if (std == STD_NUM_COLON_SECONDS_TZ || std == STD_ISO_COLON_SECONDS_TZ)
			buf_addch(b, ':');
		mt_int(b, abs_off % 60, 2);
	}
}

int tmpl__time_format(struct buf *out, const struct tval_time *t, const char *l, size_t n)
{
	struct mt_civil c;
	int hr;

	mt_civil(&c, t);
	while (n > 0) {
		struct mt_chunk ch = mt_next_chunk(l, n);

		buf_add(out, l, ch.prefix);
		if (ch.std == STD_NONE)
			break;
		switch (ch.std) {
		case STD_YEAR: /* of |year| */
			mt_int(out, (int64_t)((c.year < 0 ? 0 - (uint64_t)c.year : (uint64_t)c.year) % 100), 2);
			break;
		case STD_LONG_YEAR:
			mt_int(out, c.year, 4);
			break;
		case STD_MONTH:
			buf_add(out, mt_months[c.month - 1], 3);
			break;
		case STD_LONG_MONTH:
			buf_adds(out, mt_months[c.month - 1]);
			break;
		case STD_NUM_MONTH:
			mt_int(out, c.month, 0);
			break;
		case STD_ZERO_MONTH:
			mt_int(out, c.month, 2);
			break;
		case STD_WEEKDAY:
			buf_add(out, mt_days[c.wday], 3);
			break;
		case STD_LONG_WEEKDAY:
			buf_adds(out, mt_days[c.wday]);
			break;
		case STD_DAY:
			mt_int(out, c.day, 0);
			break;
		case STD_UNDER_DAY:
			if (c.day < 10)
				buf_addch(out, ' ');
			mt_int(out, c.day, 0);
			break;
		case STD_ZERO_DAY:
			mt_int(out, c.day, 2);
			break;
		case STD_UNDER_YEARDAY:
			if (c.yday < 100) {
				buf_addch(out, ' ');
				if (c.yday < 10)
					buf_addch(out, ' ');
			}
			mt_int(out, c.yday, 0);
			break;
		case STD_ZERO_YEARDAY:
			mt_int(out, c.yday, 3);
			break;
		case STD_HOUR:
			mt_int(out, c.hour, 2);
			break;
		case STD_HOUR12:
		case STD_ZERO_HOUR12:
			hr = c.hour % 12;
			if (hr == 0)
				hr = 12;
			mt_int(out, hr, ch.std == STD_HOUR12 ? 0 : 2);
			break;
		case STD_MINUTE:
			mt_int(out, c.min, 0);
			break;
		case STD_ZERO_MINUTE:
			mt_int(out, c.min, 2);
			break;
		case STD_SECOND:
			mt_int(out, c.sec, 0);
			break;
		case STD_ZERO_SECOND:
			mt_int(out, c.sec, 2);
			break;
		case STD_PM:
			buf_adds(out, c.hour >= 12 ? "PM" : "AM");
			break;
		case STD_PM_LOWER:
			buf_adds(out, c.hour >= 12 ? "pm" : "am");
			break;
		case STD_TZ:
			if (t->zone[0])
				buf_adds(out, t->zone);
			else if (t->offset == 0 && t->loc != TVT_FIXED)
				buf_adds(out, "UTC");
			else
				mt_zone(out, STD_NUM_TZ, t->offset);
			break;
		case STD_FRAC0:
		case STD_FRAC9:
			mt_nano(out, t->nsec, &ch);
			break;
		default:
			mt_zone(out, ch.std, t->offset);
			break;
		}
		l += ch.prefix + ch.len;
		n -= ch.prefix + ch.len;
	}
	return buf_oom(out) ? -1 : 0;
}

/* ---- time.Time */

static int mt_ret(struct tval *out, struct tval v)
{
	*out = v;
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

#define MT_CIVIL_INT(name, expr)                                 \
	static int name(MT_ARGS)                                 \
	{                                                        \
		struct mt_civil c;                               \
		(void)argc;                                      \
		(void)argv;                                      \
		mt_civil(&c, &MT_RECV->u.t);                     \
		*out = tval_int(expr);                           \
		return 0;                                        \
	}

MT_CIVIL_INT(mt_year, c.year)
MT_CIVIL_INT(mt_day, c.day)
MT_CIVIL_INT(mt_hour, c.hour)
MT_CIVIL_INT(mt_minute, c.min)
MT_CIVIL_INT(mt_second, c.sec)
MT_CIVIL_INT(mt_yearday, c.yday)

static int mt_month(MT_ARGS)
{
	struct mt_civil c;

	(void)argc;
	(void)argv;
	mt_civil(&c, &MT_RECV->u.t);
	*out = tval_int(c.month);
	out->kind = TV_MONTH;
	return 0;
}

static int mt_weekday(MT_ARGS)
{
	struct mt_civil c;

	(void)argc;
	(void)argv;
	mt_civil(&c, &MT_RECV->u.t);
	*out = tval_int(c.wday);
	out->kind = TV_WEEKDAY;
	return 0;
}

static int mt_nanosecond(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_int(MT_RECV->u.t.nsec);
	return 0;
}

/* Unix seconds scaled by unit (1, 1e3, 1e6, 1e9) plus the fraction, with
 * Go's int64 wrap-around. */
static int64_t mt_unix_scaled(const struct tval_time *t, int64_t unit)
{
	return (int64_t)((uint64_t)t->sec * (uint64_t)unit + (uint64_t)(t->nsec / (NS_PER_SEC / unit)));
}

static int mt_unix(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_int64(MT_RECV->u.t.sec);
	return 0;
}

static int mt_unix_milli(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_int64(mt_unix_scaled(&MT_RECV->u.t, 1000));
	return 0;
}

static int mt_unix_micro(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_int64(mt_unix_scaled(&MT_RECV->u.t, 1000000));
	return 0;
}

static int mt_unix_nano(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_int64(mt_unix_scaled(&MT_RECV->u.t, NS_PER_SEC));
	return 0;
}

static int mt_utc(MT_ARGS)
{
	struct tval_time t = MT_RECV->u.t;

	(void)argc;
	(void)argv;
	t.offset = 0;
	tval_time_zone(&t, TVT_UTC, NULL, 0);
	*out = tval_time(t);
	return 0;
}

static int mt_is_zero(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_bool(MT_RECV->u.t.sec == ZERO_TIME_SEC && MT_RECV->u.t.nsec == 0);
	return 0;
}

/* t + d nanoseconds; the seconds saturate as Go's addSec does. */
static struct tval_time mt_add(struct tval_time t, int64_t d)
{
	int64_t dsec = d / NS_PER_SEC, nsec = t.nsec + d % NS_PER_SEC;

	if (nsec >= NS_PER_SEC) {
		dsec++;
		nsec -= NS_PER_SEC;
	} else if (nsec < 0) {
		dsec--;
		nsec += NS_PER_SEC;
	}
	if (__builtin_add_overflow(t.sec, dsec, &t.sec))
		t.sec = dsec > 0 ? INT64_MAX : -INT64_MAX;
	t.nsec = (int32_t)nsec;
	return t;
}

static int mt_time_add(MT_ARGS)
{
	(void)argc;
	*out = tval_time(mt_add(MT_RECV->u.t, argv[0].u.i));
	return 0;
}

static int mt_add_date(MT_ARGS)
{
	const struct tval_time *t = &MT_RECV->u.t;
	struct tval_time r = *t;
	struct mt_civil c;
	int64_t year, m, days;

	(void)argc;
	mt_civil(&c, t);
	year = (int64_t)((uint64_t)c.year + (uint64_t)argv[0].u.i);
	m = c.month - 1 + argv[1].u.i % 12;
	year = (int64_t)((uint64_t)year + (uint64_t)(argv[1].u.i / 12));
	if (m < 0) {
		m += 12;
		year = (int64_t)((uint64_t)year - 1);
	} else if (m >= 12) {
		m -= 12;
		year = (int64_t)((uint64_t)year + 1);
	}
	days = mt_days_from_civil(year, (int)m + 1, (int64_t)((uint64_t)c.day + (uint64_t)argv[2].u.i));
	r.sec = (int64_t)((uint64_t)days * 86400 + (uint64_t)(c.hour * 3600 + c.min * 60 + c.sec) -
			  (uint64_t)(int64_t)t->offset);
	*out = tval_time(r);
	return 0;
}

static int mt_cmp_time(const struct tval_time *a, const struct tval_time *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}

/* Time.Sub: saturates at the Duration range. */
static int mt_sub(MT_ARGS)
{
	const struct tval_time *t = &MT_RECV->u.t, *u = &argv[0].u.t;
	int64_t ds, d;

	(void)argc;
	if (__builtin_sub_overflow(t->sec, u->sec, &ds) ||
	    __builtin_mul_overflow(ds, NS_PER_SEC, &d) ||
	    __builtin_add_overflow(d, (int64_t)t->nsec - u->nsec, &d))
		d = mt_cmp_time(t, u) < 0 ? INT64_MIN : INT64_MAX;
	*out = tval_int64(d);
	out->kind = TV_DURATION;
	return 0;
}

static int mt_before(MT_ARGS)
{
	(void)argc;
	*out = tval_bool(mt_cmp_time(&MT_RECV->u.t, &argv[0].u.t) < 0);
	return 0;
}

static int mt_after(MT_ARGS)
{
	(void)argc;
	*out = tval_bool(mt_cmp_time(&MT_RECV->u.t, &argv[0].u.t) > 0);
	return 0;
}

static int mt_time_equal(MT_ARGS)
{
	(void)argc;
	*out = tval_bool(mt_cmp_time(&MT_RECV->u.t, &argv[0].u.t) == 0);
	return 0;
}

static int mt_time_compare(MT_ARGS)
{
	(void)argc;
	*out = tval_int(mt_cmp_time(&MT_RECV->u.t, &argv[0].u.t));
	return 0;
}

static int mt_format(MT_ARGS)
{
	struct buf b = BUF_INIT;
	size_t n;
	const char *l = tval_str_ptr(&argv[0], &n);
	int rc;

	(void)argc;
	if (call->rt)
		b.max = call->rt->lim.max_output;
	if (tmpl__time_format(&b, &MT_RECV->u.t, l, n) < 0) {
		buf_release(&b);
		return DIAG_ENOMEM;
	}
	rc = mt_ret(out, tval_strn(b.ptr, b.len));
	buf_release(&b);
	return rc;
}

/* String() of any Stringer kind: fmt's %v. */
static int mt_string(MT_ARGS)
{
	struct buf b = BUF_INIT;
	int rc;

	(void)argc;
	(void)argv;
	if (tval_format(&b, call->rt, MT_RECV) < 0) {
		buf_release(&b);
		return DIAG_ENOMEM;
	}
	rc = mt_ret(out, tval_strn(b.ptr, b.len));
	buf_release(&b);
	return rc;
}

/* Methods text/template refuses to call (goodFunc): more than one result,
 * or a second result that is not an error. */
static int mt_bad_signature(MT_ARGS)
{
	const char *name = call->func->name;

	(void)argc;
	(void)argv;
	if (strcmp(name, "Date") == 0 || strcmp(name, "Clock") == 0)
		return tmpl_call_raw_errorf(call, "function %s has 3 return values; should be 1 or 2",
					    name);
	return tmpl_call_raw_errorf(call, "invalid function signature for %s: second return value "
					  "should be error; is %s",
				    name, strcmp(name, "ZoneBounds") == 0 ? "time.Time" : "int");
}

static const struct tmpl_func mt_time_methods[] = {
	{ "Add", mt_time_add, "D", MT_FLAGS, NULL },
	{ "AddDate", mt_add_date, "iii", MT_FLAGS, NULL },
	{ "After", mt_after, "t", MT_FLAGS, NULL },
	{ "Before", mt_before, "t", MT_FLAGS, NULL },
	{ "Clock", mt_bad_signature, "", MT_FLAGS, NULL },
	{ "Compare", mt_time_compare, "t", MT_FLAGS, NULL },
	{ "Date", mt_bad_signature, "", MT_FLAGS, NULL },
	{ "Day", mt_day, "", MT_FLAGS, NULL },
	{ "Equal", mt_time_equal, "t", MT_FLAGS, NULL },
	{ "Format", mt_format, "s", MT_FLAGS, NULL },
	{ "Hour", mt_hour, "", MT_FLAGS, NULL },
	{ "ISOWeek", mt_bad_signature, "", MT_FLAGS, NULL },
	{ "IsZero", mt_is_zero, "", MT_FLAGS, NULL },
	{ "Minute", mt_minute, "", MT_FLAGS, NULL },
	{ "Month", mt_month, "", MT_FLAGS, NULL },
	{ "Nanosecond", mt_nanosecond, "", MT_FLAGS, NULL },
	{ "Second", mt_second, "", MT_FLAGS, NULL },
	{ "String", mt_string, "", MT_FLAGS, NULL },
	{ "Sub", mt_sub, "t", MT_FLAGS, NULL },
	{ "UTC", mt_utc, "", MT_FLAGS, NULL },
	{ "Unix", mt_unix, "", MT_FLAGS, NULL },
	{ "UnixMicro", mt_unix_micro, "", MT_FLAGS, NULL },
	{ "UnixMilli", mt_unix_milli, "", MT_FLAGS, NULL },
	{ "UnixNano", mt_unix_nano, "", MT_FLAGS, NULL },
	{ "Weekday", mt_weekday, "", MT_FLAGS, NULL },
	{ "Year", mt_year, "", MT_FLAGS, NULL },
	{ "YearDay", mt_yearday, "", MT_FLAGS, NULL },
	{ "Zone", mt_bad_signature, "", MT_FLAGS, NULL },
	{ "ZoneBounds", mt_bad_signature, "", MT_FLAGS, NULL },
};

/* ---- time.Duration */

/* Go: whole units plus the remainder's fraction, so big values stay exact. */
static double mt_dur_units(int64_t d, int64_t unit)
{
	return (double)(d / unit) + (double)(d % unit) / (double)unit;
}

static int mt_hours(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_float(mt_dur_units(MT_RECV->u.i, 3600 * NS_PER_SEC));
	return 0;
}

static int mt_minutes(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_float(mt_dur_units(MT_RECV->u.i, 60 * NS_PER_SEC));
	return 0;
}

static int mt_seconds(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_float(mt_dur_units(MT_RECV->u.i, NS_PER_SEC));
	return 0;
}

static int mt_milliseconds(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_int64(MT_RECV->u.i / 1000000);
	return 0;
}

static int mt_microseconds(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_int64(MT_RECV->u.i / 1000);
	return 0;
}

static int mt_nanoseconds(MT_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_int64(MT_RECV->u.i);
	return 0;
}

static struct tval mt_duration(int64_t d)
{
	struct tval v = tval_int64(d);

	v.kind = TV_DURATION;
	return v;
}

static int mt_dur_truncate(MT_ARGS)
{
	int64_t d = MT_RECV->u.i, m = argv[0].u.i;

	(void)argc;
	*out = mt_duration(m <= 0 ? d : d - d % m);
	return 0;
}

static int mt_dur_round(MT_ARGS)
{
	int64_t d = MT_RECV->u.i, m = argv[0].u.i, r, d1;

	(void)argc;
	if (m <= 0) {
		*out = mt_duration(d);
		return 0;
	}
	r = d % m;
	if (d < 0) {
		r = -r;
		if ((uint64_t)r + (uint64_t)r < (uint64_t)m)
			d1 = d + r;
		else if ((d1 = (int64_t)((uint64_t)d - (uint64_t)m + (uint64_t)r)) >= d)
			d1 = INT64_MIN;
	} else {
		if ((uint64_t)r + (uint64_t)r < (uint64_t)m)
			d1 = d - r;
		else if ((d1 = (int64_t)((uint64_t)d + (uint64_t)m - (uint64_t)r)) <= d)
			d1 = INT64_MAX;
	}
	*out = mt_duration(d1);
	return 0;
}

static int mt_dur_abs(MT_ARGS)
{
	int64_t d = MT_RECV->u.i;

	(void)argc;
	(void)argv;
	*out = mt_duration(d >= 0 ? d : d == INT64_MIN ? INT64_MAX : -d);
	return 0;
}

static const struct tmpl_func mt_duration_methods[] = {
	{ "Abs", mt_dur_abs, "", MT_FLAGS, NULL },
	{ "Hours", mt_hours, "", MT_FLAGS, NULL },
	{ "Microseconds", mt_microseconds, "", MT_FLAGS, NULL },
	{ "Milliseconds", mt_milliseconds, "", MT_FLAGS, NULL },
	{ "Minutes", mt_minutes, "", MT_FLAGS, NULL },
	{ "Nanoseconds", mt_nanoseconds, "", MT_FLAGS, NULL },
	{ "Round", mt_dur_round, "D", MT_FLAGS, NULL },
	{ "Seconds", mt_seconds, "", MT_FLAGS, NULL },
	{ "String", mt_string, "", MT_FLAGS, NULL },
	{ "Truncate", mt_dur_truncate, "D", MT_FLAGS, NULL },
};

static const struct tmpl_func mt_stringer_methods[] = {
	{ "String", mt_string, "", MT_FLAGS, NULL },
};

/* ---- semver */

static uint64_t mt_sv_num(const struct tval *v, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(v->u.j, key));
}

static const char *mt_sv_str(const struct tval *v, const char *key, size_t *len)
{
	json_t *s = json_object_get(v->u.j, key);

	*len = json_string_length(s);
	return json_is_string(s) ? json_string_value(s) : "";
}

static int mt_sv_uint(struct tval *out, struct tmpl_call *call, const char *key)
{
	*out = tval_int64((int64_t)mt_sv_num(MT_RECV, key));
	out->kind = TV_UINT64;
	return 0;
}

static int mt_sv_major(MT_ARGS)
{
	(void)argc;
	(void)argv;
	return mt_sv_uint(out, call, "major");
}

static int mt_sv_minor(MT_ARGS)
{
	(void)argc;
	(void)argv;
	return mt_sv_uint(out, call, "minor");
}

static int mt_sv_patch(MT_ARGS)
{
	(void)argc;
	(void)argv;
	return mt_sv_uint(out, call, "patch");
}

static int mt_sv_field(struct tval *out, struct tmpl_call *call, const char *key)
{
	size_t n;
	const char *s = mt_sv_str(MT_RECV, key, &n);

	return mt_ret(out, tval_strn(s, n));
}

static int mt_sv_prerelease(MT_ARGS)
{
	(void)argc;
	(void)argv;
	return mt_sv_field(out, call, "pre");
}

static int mt_sv_metadata(MT_ARGS)
{
	(void)argc;
	(void)argv;
	return mt_sv_field(out, call, "metadata");
}

static int mt_sv_original(MT_ARGS)
{
	(void)argc;
	(void)argv;
	return mt_sv_field(out, call, "original");
}

/* A semver.Version value (TV_SEMVERVAL) with these fields; its original is
 * the receiver's "v" prefix (if any) and the new String(). */
static int mt_sv_make(struct tval *out, struct tmpl_call *call, uint64_t major, uint64_t minor,
		      uint64_t patch, const char *pre, size_t npre, const char *meta, size_t nmeta)
{
	size_t norig;
	const char *orig = mt_sv_str(MT_RECV, "original", &norig);
	struct buf b = BUF_INIT;
	json_t *j;

	buf_addf(&b, "%s%llu.%llu.%llu", norig > 0 && orig[0] == 'v' ? "v" : "",
		 (unsigned long long)major, (unsigned long long)minor, (unsigned long long)patch);
	if (npre) {
		buf_addch(&b, '-');
		buf_add(&b, pre, npre);
	}
	if (nmeta) {
		buf_addch(&b, '+');
		buf_add(&b, meta, nmeta);
	}
	j = json_object();
	if (buf_oom(&b) || !j ||
	    json_object_set_new(j, "major", json_integer((json_int_t)major)) < 0 ||
	    json_object_set_new(j, "minor", json_integer((json_int_t)minor)) < 0 ||
	    json_object_set_new(j, "patch", json_integer((json_int_t)patch)) < 0 ||
	    json_object_set_new(j, "pre", json_stringn_nocheck(pre, npre)) < 0 ||
	    json_object_set_new(j, "metadata", json_stringn_nocheck(meta, nmeta)) < 0 ||
	    json_object_set_new(j, "original", json_stringn_nocheck(b.ptr, b.len)) < 0) {
		json_decref(j);
		buf_release(&b);
		return DIAG_ENOMEM;
	}
	buf_release(&b);
	return mt_ret(out, tval_json_new(TV_SEMVERVAL, j));
}

enum mt_inc { MT_INC_PATCH, MT_INC_MINOR, MT_INC_MAJOR };

/* Version.IncPatch / IncMinor / IncMajor: prerelease and metadata go; an
 * IncPatch of a prerelease keeps the patch number. */
static int mt_sv_inc(struct tval *out, struct tmpl_call *call, enum mt_inc how)
{
	const struct tval *v = MT_RECV;
	uint64_t major = mt_sv_num(v, "major"), minor = mt_sv_num(v, "minor");
	uint64_t patch = mt_sv_num(v, "patch");
	size_t npre;

	mt_sv_str(v, "pre", &npre);
	if (how == MT_INC_MAJOR) {
		major++;
		minor = patch = 0;
	} else if (how == MT_INC_MINOR) {
		minor++;
		patch = 0;
	} else if (npre == 0) {
		patch++;
	}
	return mt_sv_make(out, call, major, minor, patch, "", 0, "", 0);
}

/* The dot-separated identifiers of s are valid: non-empty, [0-9A-Za-z-],
 * and (prerelease) numbers without a leading zero. 0 or Go's message. */
static const char *mt_sv_check_ids(const char *s, size_t n, int pre)
{
	size_t i = 0, k;

	for (;;) {
		int digits = 1;

		for (k = i; k < n && s[k] != '.'; k++) {
			char c = s[k];
			if (!(c >= '0' && c <= '9'))
				digits = 0;
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      c == '-'))
				return pre ? "invalid prerelease string" : "invalid metadata string";
		}
		if (k == i)
			return pre ? "invalid prerelease string" : "invalid metadata string";
		if (pre && digits && k - i > 1 && s[i] == '0')
			return "version segment starts with 0";
		if (k == n)
			return NULL;
		i = k + 1;
	}
}

/* SetPrerelease / SetMetadata: (Version, error). */
static int mt_sv_set(struct tval *out, struct tmpl_call *call, const struct tval *arg, int pre)
{
	const struct tval *v = MT_RECV;
	size_t n, npre, nmeta;
	const char *s = tval_str_ptr(arg, &n), *msg;
	const char *opre = mt_sv_str(v, "pre", &npre), *ometa = mt_sv_str(v, "metadata", &nmeta);

	if (n > 0 && (msg = mt_sv_check_ids(s, n, pre)) != NULL)
		return tmpl_call_errorf(call, "%s", msg);
	return mt_sv_make(out, call, mt_sv_num(v, "major"), mt_sv_num(v, "minor"),
			  mt_sv_num(v, "patch"), pre ? s : opre, pre ? n : npre, pre ? ometa : s,
			  pre ? nmeta : n);
}

static int mt_sv_set_prerelease(MT_ARGS)
{
	(void)argc;
	return mt_sv_set(out, call, &argv[0], 1);
}

static int mt_sv_set_metadata(MT_ARGS)
{
	(void)argc;
	return mt_sv_set(out, call, &argv[0], 0);
}

static int mt_sv_inc_patch(MT_ARGS)
{
	(void)argc;
	(void)argv;
	return mt_sv_inc(out, call, MT_INC_PATCH);
}

static int mt_sv_inc_minor(MT_ARGS)
{
	(void)argc;
	(void)argv;
	return mt_sv_inc(out, call, MT_INC_MINOR);
}

static int mt_sv_inc_major(MT_ARGS)
{
	(void)argc;
	(void)argv;
	return mt_sv_inc(out, call, MT_INC_MAJOR);
}

/* strconv.ParseUint(s, 10, 64) succeeds. */
static int mt_parse_uint(uint64_t *out, const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 1;
}

/* comparePrePart: numbers are below words; an absent part is below any. */
static int mt_cmp_pre_part(const char *s, size_t sn, const char *o, size_t on)
{
	uint64_t si = 0, oi = 0;
	int snum, onum, c;

	if (sn == on && memcmp(s, o, sn) == 0)
		return 0;
	if (sn == 0)
		return -1;
	if (on == 0)
		return 1;
	snum = mt_parse_uint(&si, s, sn);
	onum = mt_parse_uint(&oi, o, on);
	if (!snum && !onum) {
		c = memcmp(s, o, sn < on ? sn : on);
		return c > 0 || (c == 0 && sn > on) ? 1 : -1;
	}
	if (!onum)
		return -1;
	if (!snum)
		return 1;
	return si > oi ? 1 : -1;
}

/* comparePrerelease: part by part, split at '.'; a missing part is "". */
static int mt_cmp_pre(const char *s, size_t sn, const char *o, size_t on)
{
	size_t i = 0, j = 0, sl, ol;
	int s_done = 0, o_done = 0, d;

	while (!s_done || !o_done) {
		sl = ol = 0;
		if (!s_done)
			while (i + sl < sn && s[i + sl] != '.')
				sl++;
		if (!o_done)
			while (j + ol < on && o[j + ol] != '.')
				ol++;
		if ((d = mt_cmp_pre_part(s + i, sl, o + j, ol)) != 0)
			return d;
		if (!s_done) {
			i += sl;
			if (i < sn)
				i++;
			else
				s_done = 1;
		}
		if (!o_done) {
			j += ol;
			if (j < on)
				j++;
			else
				o_done = 1;
		}
	}
	return 0;
}

static int mt_sv_cmp(const struct tval *v, const struct tval *o)
{
	static const char *const keys[] = { "major", "minor", "patch" };
	const char *ps, *po;
	size_t ns, no;
	int k;

	for (k = 0; k < 3; k++) {
		uint64_t a = mt_sv_num(v, keys[k]), b = mt_sv_num(o, keys[k]);
		if (a != b)
			return a < b ? -1 : 1;
	}
	ps = mt_sv_str(v, "pre", &ns);
	po = mt_sv_str(o, "pre", &no);
	if (ns == 0 && no == 0)
		return 0;
	if (ns == 0)
		return 1;
	if (no == 0)
		return -1;
	return mt_cmp_pre(ps, ns, po, no);
}

enum mt_rel { MT_LT, MT_LE, MT_GT, MT_GE, MT_EQ, MT_CMP };

static int mt_sv_relation(struct tval *out, struct tmpl_call *call, const struct tval *o,
			  enum mt_rel rel)
{
	int c;

	if (o->kind != TV_SEMVER) {
		if (rel == MT_EQ) {
			*out = tval_bool(0); /* Equal(nil): v != o and o is nil */
			return 0;
		}
		return tmpl_call_errorf(call, "runtime error: invalid memory address or nil pointer "
					      "dereference");
	}
	c = mt_sv_cmp(MT_RECV, o);
	switch (rel) {
	case MT_LT: *out = tval_bool(c < 0); break;
	case MT_LE: *out = tval_bool(c <= 0); break;
	case MT_GT: *out = tval_bool(c > 0); break;
	case MT_GE: *out = tval_bool(c >= 0); break;
	case MT_EQ: *out = tval_bool(c == 0); break;
	case MT_CMP: *out = tval_int(c); break;
	}
	return 0;
}

#define MT_SV_REL(name, rel)                                     \
	static int name(MT_ARGS)                                 \
	{                                                        \
		(void)argc;                                      \
		return mt_sv_relation(out, call, &argv[0], rel); \
	}

MT_SV_REL(mt_sv_lt, MT_LT)
MT_SV_REL(mt_sv_le, MT_LE)
MT_SV_REL(mt_sv_gt, MT_GT)
MT_SV_REL(mt_sv_ge, MT_GE)
MT_SV_REL(mt_sv_eq, MT_EQ)
MT_SV_REL(mt_sv_compare, MT_CMP)

/* The value receivers come first: semver.Version has only those. */
#define MT_SV_VALUE_METHODS 11
static const struct tmpl_func mt_semver_methods[] = {
	{ "IncMajor", mt_sv_inc_major, "", MT_FLAGS, NULL },
	{ "IncMinor", mt_sv_inc_minor, "", MT_FLAGS, NULL },
	{ "IncPatch", mt_sv_inc_patch, "", MT_FLAGS, NULL },
	{ "Major", mt_sv_major, "", MT_FLAGS, NULL },
	{ "Metadata", mt_sv_metadata, "", MT_FLAGS, NULL },
	{ "Minor", mt_sv_minor, "", MT_FLAGS, NULL },
	{ "Patch", mt_sv_patch, "", MT_FLAGS, NULL },
	{ "Prerelease", mt_sv_prerelease, "", MT_FLAGS, NULL },
	{ "SetMetadata", mt_sv_set_metadata, "s", MT_FLAGS, NULL },
	{ "SetPrerelease", mt_sv_set_prerelease, "s", MT_FLAGS, NULL },
	{ "String", mt_string, "", MT_FLAGS, NULL },
	/* pointer receivers */
	{ "Compare", mt_sv_compare, "V", MT_FLAGS, NULL },
	{ "Equal", mt_sv_eq, "V", MT_FLAGS, NULL },
	{ "GreaterThan", mt_sv_gt, "V", MT_FLAGS, NULL },
	{ "GreaterThanEqual", mt_sv_ge, "V", MT_FLAGS, NULL },
	{ "LessThan", mt_sv_lt, "V", MT_FLAGS, NULL },
	{ "LessThanEqual", mt_sv_le, "V", MT_FLAGS, NULL },
	{ "Original", mt_sv_original, "", MT_FLAGS, NULL },
};

static const struct tmpl_func *mt_find(const struct tmpl_func *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

#define MT_FIND(table, name) mt_find(table, sizeof(table) / sizeof(table[0]), name)

const struct tmpl_func *tmpl__kind_method(const struct tval *recv, const char *name)
{
	switch (recv->kind) {
	case TV_TIME:
		return MT_FIND(mt_time_methods, name);
	case TV_DURATION:
		return MT_FIND(mt_duration_methods, name);
	case TV_MONTH: case TV_WEEKDAY:
		return MT_FIND(mt_stringer_methods, name);
	case TV_SEMVER:
		return MT_FIND(mt_semver_methods, name);
	case TV_SEMVERVAL:
		return mt_find(mt_semver_methods, MT_SV_VALUE_METHODS, name);
	default:
		return NULL;
	}
}
