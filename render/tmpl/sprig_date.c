/*
 * Sprig's date functions (date.go) over Go's time package: layouts with
 * the reference time "Mon Jan 2 15:04:05 MST 2006" (Format and Parse),
 * time zones from the system's tz database (TZif files under
 * /usr/share/zoneinfo, Local from $TZ or /etc/localtime, as Go loads
 * them), time.ParseDuration and Duration.String.
 *
 * After a zone's last transition its POSIX TZ rule (the TZif footer) gives
 * the offset, as Go's tzset does.
 */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"

#include "render/buf.h"
#include "render/diag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- civil time ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in(int m, int64_t y)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* ---- time zones ---- */

struct tz_type {
	int32_t off;
	int isdst;
	char abbr[16];
};

struct tz {
	int64_t *tx;
	unsigned char *txi;
	size_t ntx;
	struct tz_type *types;
	size_t ntypes;
	char extend[64];        /* the POSIX TZ rule of the file's footer */
	struct tz_type ext;     /* tz_lookup's answer from that rule */
};

static void tz_release(struct tz *z)
{
	free(z->tx);
	free(z->txi);
	free(z->types);
	memset(z, 0, sizeof(*z));
}

static int tz_utc(struct tz *z)
{
	memset(z, 0, sizeof(*z));
	z->types = calloc(1, sizeof(*z->types));
	if (!z->types)
		return -1;
	z->ntypes = 1;
	strcpy(z->types[0].abbr, "UTC");
	return 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Parses a TZif file (the 64-bit block when there is one). */
static int tz_parse(struct tz *z, const unsigned char *d, size_t n)
{
	size_t cnt[6], off, i, skip;
	int v2, tsize = 4;
	const unsigned char *p;

	memset(z, 0, sizeof(*z));
	if (n < 44 || memcmp(d, "TZif", 4) != 0)
		return -1;
	v2 = d[4] >= '2';
	for (i = 0; i < 6; i++)
		cnt[i] = be32(d + 20 + 4 * i);
	off = 44;
	if (v2) {
		/* skip the 32-bit block to the second header */
		skip = cnt[3] * 4 + cnt[3] + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
		if (skip > n || off + skip + 44 > n || memcmp(d + off + skip, "TZif", 4) != 0)
			return -1;
		off += skip;
		for (i = 0; i < 6; i++)
			cnt[i] = be32(d + off + 20 + 4 * i);
		off += 44;
		tsize = 8;
	}
	/* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
	if (cnt[4] == 0 || cnt[3] > 100000 || cnt[4] > 256 || cnt[5] > 4096 ||
	    off + cnt[3] * (size_t)tsize + cnt[3] + cnt[4] * 6 + cnt[5] > n)
		return -1;
	p = d + off;
	z->ntx = cnt[3];
	z->ntypes = cnt[4];
	z->tx = calloc(z->ntx + 1, sizeof(*z->tx));
	z->txi = calloc(z->ntx + 1, 1);
	z->types = calloc(z->ntypes, sizeof(*z->types));
	if (!z->tx || !z->txi || !z->types) {
		tz_release(z);
		return -1;
	}
	for (i = 0; i < z->ntx; i++, p += tsize)
		z->tx[i] = tsize == 8 ? be64(p) : (int32_t)be32(p);
	for (i = 0; i < z->ntx; i++, p++) {
		if (*p >= z->ntypes) {
			tz_release(z);
			return -1;
		}
		z->txi[i] = *p;
	}
	{
		const unsigned char *types = p, *chars = p + z->ntypes * 6;

		for (i = 0; i < z->ntypes; i++) {
			size_t ai = types[6 * i + 5], k;

			z->types[i].off = (int32_t)be32(types + 6 * i);
			z->types[i].isdst = types[6 * i + 4] != 0;
			for (k = 0; ai + k < cnt[5] && chars[ai + k] && k < sizeof(z->types[i].abbr) - 1; k++)
				z->types[i].abbr[k] = (char)chars[ai + k];
		}
	}
	if (v2) {
		/* footer: "\n" TZ-string "\n" after the 64-bit block */
		size_t foot = off + cnt[3] * 8 + cnt[3] + cnt[4] * 6 + cnt[5] + cnt[2] * 12 +
			      cnt[1] + cnt[0];

		if (foot < n && d[foot] == '\n') {
			size_t k = 0;

			foot++;
			while (foot + k < n && d[foot + k] != '\n' && k < sizeof(z->extend) - 1) {
				z->extend[k] = (char)d[foot + k];
				k++;
			}
			if (foot + k >= n || d[foot + k] != '\n')
				k = 0;
			z->extend[k] = '\0';
		}
	}
	return 0;
}

static int tz_load_file(struct tz *z, const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *d = NULL;
	size_t n = 0, cap = 0, r;
	int error;

	if (!f)
		return -1;
	for (;;) {
		if (n == cap) {
			unsigned char *nd;

			cap = cap ? cap * 2 : 8192;
			if (cap > (1 << 20) || !(nd = realloc(d, cap))) {
				free(d);
				fclose(f);
				return -1;
			}
			d = nd;
		}
		r = fread(d + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	error = tz_parse(z, d, n);
	free(d);
	return error;
}

/* time.LoadLocation: 0, or -1 when Go would fail. */
static int tz_load(struct tz *z, const char *name)
{
	char path[512];

	memset(z, 0, sizeof(*z));
	if (!*name || strcmp(name, "UTC") == 0)
		return tz_utc(z);
	if (strcmp(name, "Local") == 0) {
		const char *env = getenv("TZ");

		if (!env)
			return tz_load_file(z, "/etc/localtime") == 0 ? 0 : tz_utc(z);
		if (*env == ':')
			env++;
		if (!*env || strcmp(env, "UTC") == 0)
			return tz_utc(z);
		if (env[0] == '/')
			return tz_load_file(z, env) == 0 ? 0 : tz_utc(z);
		if (strstr(env, "..") == NULL && strlen(env) < 400) {
			snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", env);
			if (tz_load_file(z, path) == 0)
				return 0;
		}
		return tz_utc(z);
	}
	if (strstr(name, "..") || name[0] == '/' || name[0] == '\\' || strlen(name) > 400)
		return -1;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	return tz_load_file(z, path);
}

/* Location.lookupFirstZone */
static size_t tz_first(const struct tz *z)
{
	size_t i;
	int used = 0;

	for (i = 0; i < z->ntx; i++)
		if (z->txi[i] == 0)
			used = 1;
	if (!used)
		return 0;
	if (z->ntx > 0 && z->types[z->txi[0]].isdst) {
		size_t zi;

		for (zi = z->txi[0]; zi-- > 0;)
			if (!z->types[zi].isdst)
				return zi;
	}
	for (i = 0; i < z->ntypes; i++)
		if (!z->types[i].isdst)
			return i;
	return 0;
}

/* ---- POSIX TZ rules (Go's tzset), for instants past the last transition ---- */

static int tzset_name(const char **s, char *name, size_t cap)
{
	const char *p = *s;
	size_t n = 0;

	if (*p == '<') {
		p++;
		while (*p && *p != '>')
			p++;
		if (*p != '>' || p - *s - 1 < 1)
			return -1;
		n = (size_t)(p - *s - 1);
		if (n >= cap)
			return -1;
		memcpy(name, *s + 1, n);
		name[n] = '\0';
		*s = p + 1;
		return 0;
	}
	while (p[n] && !(p[n] >= '0' && p[n] <= '9') && p[n] != ',' && p[n] != '-' && p[n] != '+')
		n++;
	if (n < 3 || n >= cap)
		return -1;
	memcpy(name, p, n);
	name[n] = '\0';
	*s = p + n;
	return 0;
}

/* tzsetNum-based offset: [+-]hh[:mm[:ss]] in seconds. */
static int tzset_offset(const char **s, int *out)
{
	const char *p = *s;
	int neg = 0, v = 0, part, i;

	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (*p != ':')
				break;
			p++;
		}
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		part = 0;
		while (*p >= '0' && *p <= '9') {
			part = part * 10 + (*p - '0');
			if (part > (i == 0 ? 24 * 7 : 59))
				return -1;
			p++;
		}
		v += part * (i == 0 ? 3600 : i == 1 ? 60 : 1);
	}
	*out = neg ? -v : v;
	*s = p;
	return 0;
}

struct tz_rule {
	int kind; /* 'J' julian, 'D' day of year, 'M' month week day */
	int day, week, mon, time;
};

static int tzset_num(const char **s, int min, int max, int *out)
{
	const char *p = *s;
	int v = 0;

	if (!(*p >= '0' && *p <= '9'))
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > max)
			return -1;
		p++;
	}
	if (v < min)
		return -1;
	*out = v;
	*s = p;
	return 0;
}

static int tzset_rule(const char **s, struct tz_rule *r)
{
	const char *p = *s;

	memset(r, 0, sizeof(*r));
	if (*p == 'J') {
		p++;
		r->kind = 'J';
		if (tzset_num(&p, 1, 365, &r->day) < 0)
			return -1;
	} else if (*p == 'M') {
		p++;
		r->kind = 'M';
		if (tzset_num(&p, 1, 12, &r->mon) < 0 || *p++ != '.' ||
		    tzset_num(&p, 1, 5, &r->week) < 0 || *p++ != '.' ||
		    tzset_num(&p, 0, 6, &r->day) < 0)
			return -1;
	} else {
		r->kind = 'D';
		if (tzset_num(&p, 0, 365, &r->day) < 0)
			return -1;
	}
	r->time = 2 * 3600;
	if (*p == '/') {
		p++;
		if (tzset_offset(&p, &r->time) < 0)
			return -1;
	}
	*s = p;
	return 0;
}

static int64_t tz_rule_time(int64_t year, const struct tz_rule *r, int off)
{
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365 };
	int64_t s = 0;

	if (r->kind == 'J') {
		s = (int64_t)(r->day - 1) * 86400;
		if (is_leap(year) && r->day >= 60)
			s += 86400;
	} else if (r->kind == 'D') {
		s = (int64_t)r->day * 86400;
	} else {
		int m1 = (r->mon + 9) % 12 + 1, i;
		int64_t yy0 = year, yy1, yy2, dow, d;

		if (r->mon <= 2)
			yy0--;
		yy1 = yy0 / 100;
		yy2 = yy0 % 100;
		dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
		if (dow < 0)
			dow += 7;
		d = r->day - dow;
		if (d < 0)
			d += 7;
		for (i = 1; i < r->week; i++) {
			if (d + 7 >= days_in(r->mon, year))
				break;
			d += 7;
		}
		d += before[r->mon - 1];
		if (is_leap(year) && r->mon > 2)
			d++;
		s = d * 86400;
	}
	return s + r->time - off;
}

/* Go's tzset: the zone of sec under rule s. 0, or -1 if s is bad. */
static int tz_rule_zone(const char *s, int64_t sec, struct tz_type *out)
{
	char std[16], dst[16];
	int std_off, dst_off;
	struct tz_rule start, end;
	int64_t year, yday, ysec, days, start_sec, end_sec;

	if (tzset_name(&s, std, sizeof(std)) < 0 || tzset_offset(&s, &std_off) < 0)
		return -1;
	std_off = -std_off;
	memset(out, 0, sizeof(*out));
	if (!*s || *s == ',') {
		out->off = std_off;
		strcpy(out->abbr, std);
		return 0;
	}
	if (tzset_name(&s, dst, sizeof(dst)) < 0)
		return -1;
	if (!*s || *s == ',') {
		dst_off = std_off + 3600;
	} else {
		if (tzset_offset(&s, &dst_off) < 0)
			return -1;
		dst_off = -dst_off;
	}
	if (!*s)
		s = ",M3.2.0,M11.1.0";
	if (*s != ',' && *s != ';')
		return -1;
	s++;
	if (tzset_rule(&s, &start) < 0 || *s != ',')
		return -1;
	s++;
	if (tzset_rule(&s, &end) < 0 || *s)
		return -1;

	days = floor_div(sec, 86400);
	{
		int64_t y = 1970, d0;

		/* the UTC year of sec */
		y = 1970 + floor_div(days * 400, 146097);
		while (days_from_civil(y, 1, 1) > days)
			y--;
		while (days_from_civil(y + 1, 1, 1) <= days)
			y++;
		year = y;
		d0 = days_from_civil(y, 1, 1);
		yday = days - d0;
	}
	ysec = yday * 86400 + (sec - days * 86400);
	start_sec = tz_rule_time(year, &start, std_off);
	end_sec = tz_rule_time(year, &end, dst_off);
	if (end_sec < start_sec) {
		int64_t t = start_sec;
		char n[16];
		int o = std_off;

		start_sec = end_sec;
		end_sec = t;
		memcpy(n, std, sizeof(n));
		memcpy(std, dst, sizeof(std));
		memcpy(dst, n, sizeof(dst));
		std_off = dst_off;
		dst_off = o;
	}
	if (ysec < start_sec || ysec >= end_sec) {
		out->off = std_off;
		strcpy(out->abbr, std);
	} else {
		out->off = dst_off;
		strcpy(out->abbr, dst);
	}
	return 0;
}

static const struct tz_type *tz_lookup(struct tz *z, int64_t sec)
{
	size_t lo = 0, hi;

	if (z->ntx == 0 || sec < z->tx[0])
		return &z->types[tz_first(z)];
	hi = z->ntx;
	while (hi - lo > 1) {
		size_t m = lo + (hi - lo) / 2;

		if (sec < z->tx[m])
			hi = m;
		else
			lo = m;
	}
	if (lo == z->ntx - 1 && z->extend[0] && tz_rule_zone(z->extend, sec, &z->ext) == 0)
		return &z->ext;
	return &z->types[z->txi[lo]];
}

/* time.Date's conversion of a civil time in z to Unix seconds. */
static int64_t tz_from_civil(struct tz *z, int64_t civil)
{
	int32_t off = tz_lookup(z, civil)->off;

	if (off != 0) {
		int32_t off2 = tz_lookup(z, civil - off)->off;

		if (off2 != off)
			off = off2;
	}
	return civil - off;
}

/* ---- Go's quote for time errors ---- */

static void time_quote(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	buf_addch(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 || c < ' ') {
			buf_adds(out, "\\x");
			buf_addch(out, hex[c >> 4]);
			buf_addch(out, hex[c & 15]);
		} else {
			if (c == '"' || c == '\\')
				buf_addch(out, '\\');
			buf_addch(out, (char)c);
		}
	}
	buf_addch(out, '"');
}

/* ---- layouts ---- */

enum std {
	STD_NONE = 0, STD_LONG_MONTH, STD_MONTH, STD_NUM_MONTH, STD_ZERO_MONTH,
	STD_LONG_WEEKDAY, STD_WEEKDAY, STD_DAY, STD_UNDER_DAY, STD_ZERO_DAY,
	STD_UNDER_YEARDAY, STD_ZERO_YEARDAY, STD_HOUR, STD_HOUR12, STD_ZERO_HOUR12,
	STD_MINUTE, STD_ZERO_MINUTE, STD_SECOND, STD_ZERO_SECOND, STD_LONG_YEAR,
	STD_YEAR, STD_PM, STD_pm, STD_TZ, STD_ISO_TZ, STD_ISO_SECONDS_TZ,
	STD_ISO_SHORT_TZ, STD_ISO_COLON_TZ, STD_ISO_COLON_SECONDS_TZ, STD_NUM_TZ,
	STD_NUM_SECONDS_TZ, STD_NUM_SHORT_TZ, STD_NUM_COLON_TZ, STD_NUM_COLON_SECONDS_TZ,
	STD_FRAC0, STD_FRAC9,
};

struct chunk {
	size_t prefix;   /* bytes of literal text before the element */
	enum std std;
	size_t len;      /* bytes of the element in the layout */
	int digits;      /* fractional seconds: digits */
	char sep;        /* fractional seconds: '.' or ',' */
};

static int is_lower_at(const char *s, size_t n, size_t i)
{
	return i < n && s[i] >= 'a' && s[i] <= 'z';
}

static int digit_at(const char *s, size_t n, size_t i)
{
	return i < n && s[i] >= '0' && s[i] <= '9';
}

static int has(const char *l, size_t n, size_t i, const char *w)
{
	size_t k = strlen(w);

	return n >= i + k && memcmp(l + i, w, k) == 0;
}

/* time.nextStdChunk */
static struct chunk next_chunk(const char *l, size_t n)
{
	struct chunk c = { 0, STD_NONE, 0, 0, 0 };
	size_t i;

#define RET(s, k) do { c.prefix = i; c.std = (s); c.len = (k); return c; } while (0)
	for (i = 0; i < n; i++) {
		switch (l[i]) {
		case 'J':
			if (has(l, n, i, "Jan")) {
				if (has(l, n, i, "January"))
					RET(STD_LONG_MONTH, 7);
				if (!is_lower_at(l, n, i + 3))
					RET(STD_MONTH, 3);
			}
			break;
		case 'M':
			if (has(l, n, i, "Mon")) {
				if (has(l, n, i, "Monday"))
					RET(STD_LONG_WEEKDAY, 6);
				if (!is_lower_at(l, n, i + 3))
					RET(STD_WEEKDAY, 3);
			}
			if (has(l, n, i, "MST"))
				RET(STD_TZ, 3);
			break;
		case '0':
			if (n >= i + 2 && l[i + 1] >= '1' && l[i + 1] <= '6') {
				static const enum std z[] = { STD_ZERO_MONTH, STD_ZERO_DAY,
							      STD_ZERO_HOUR12, STD_ZERO_MINUTE,
							      STD_ZERO_SECOND, STD_YEAR };
				RET(z[l[i + 1] - '1'], 2);
			}
			if (n >= i + 3 && l[i + 1] == '0' && l[i + 2] == '2')
				RET(STD_ZERO_YEARDAY, 3);
			break;
		case '1':
			if (n >= i + 2 && l[i + 1] == '5')
				RET(STD_HOUR, 2);
			RET(STD_NUM_MONTH, 1);
		case '2':
			if (has(l, n, i, "2006"))
				RET(STD_LONG_YEAR, 4);
			RET(STD_DAY, 1);
		case '_':
			if (n >= i + 2 && l[i + 1] == '2') {
				if (has(l, n, i + 1, "2006")) {
					c.prefix = i + 1;
					c.std = STD_LONG_YEAR;
					c.len = 4;
					return c;
				}
				RET(STD_UNDER_DAY, 2);
			}
			if (n >= i + 3 && l[i + 1] == '_' && l[i + 2] == '2')
				RET(STD_UNDER_YEARDAY, 3);
			break;
		case '3':
			RET(STD_HOUR12, 1);
		case '4':
			RET(STD_MINUTE, 1);
		case '5':
			RET(STD_SECOND, 1);
		case 'P':
			if (n >= i + 2 && l[i + 1] == 'M')
				RET(STD_PM, 2);
			break;
		case 'p':
			if (n >= i + 2 && l[i + 1] == 'm')
				RET(STD_pm, 2);
			break;
		case '-':
			if (has(l, n, i, "-070000"))
				RET(STD_NUM_SECONDS_TZ, 7);
			if (has(l, n, i, "-07:00:00"))
				RET(STD_NUM_COLON_SECONDS_TZ, 9);
			if (has(l, n, i, "-0700"))
				RET(STD_NUM_TZ, 5);
			if (has(l, n, i, "-07:00"))
				RET(STD_NUM_COLON_TZ, 6);
			if (has(l, n, i, "-07"))
				RET(STD_NUM_SHORT_TZ, 3);
			break;
		case 'Z':
			if (has(l, n, i, "Z070000"))
				RET(STD_ISO_SECONDS_TZ, 7);
			if (has(l, n, i, "Z07:00:00"))
				RET(STD_ISO_COLON_SECONDS_TZ, 9);
			if (has(l, n, i, "Z0700"))
				RET(STD_ISO_TZ, 5);
			if (has(l, n, i, "Z07:00"))
				RET(STD_ISO_COLON_TZ, 6);
			if (has(l, n, i, "Z07"))
				RET(STD_ISO_SHORT_TZ, 3);
			break;
		case '.':
		case ',':
			if (i + 1 < n && (l[i + 1] == '0' || l[i + 1] == '9')) {
				char ch = l[i + 1];
				size_t j = i + 1;

				while (j < n && l[j] == ch)
					j++;
				if (!digit_at(l, n, j)) {
					c.prefix = i;
					c.std = ch == '0' ? STD_FRAC0 : STD_FRAC9;
					c.len = j - i;
					c.digits = (int)(j - i - 1);
					c.sep = l[i];
					return c;
				}
			}
			break;
		}
	}
#undef RET
	c.prefix = n;
	return c;
}

static const char *const long_months[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};
static const char *const long_days[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};

static void add_int(struct buf *b, int64_t x, int width)
{
	if (x < 0) {
		buf_addch(b, '-');
		x = -x;
	}
	buf_addf(b, "%0*lld", width, (long long)x);
}

/*
 * Go's absolute time (time.go, Go 1.23 and later): seconds since March 1 of
 * year -292277022399, in uint64, so that out-of-range instants wrap to the
 * dates Go prints for them.
 */
#define UNIX_TO_ABSOLUTE UINT64_C(9223372028741760000)
#define ABSOLUTE_YEARS UINT64_C(292277022400)
#define MARCH_THRU_DECEMBER 306

struct civil {
	int64_t year;
	int month, day, yday, wday, hour, min, sec;
};

static void abs_civil(struct civil *c, int64_t sec, int32_t off)
{
	uint64_t abs = (uint64_t)sec + (uint64_t)(int64_t)off + UNIX_TO_ABSOLUTE;
	uint64_t days = abs / 86400, d, prod;
	uint32_t rem = (uint32_t)(abs % 86400), cd, lo, ayday, md;
	uint64_t century, cyear;
	int janfeb, leap, amonth;

	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
	c->wday = (int)((days + 3) % 7); /* March 1 of year 0 was a Wednesday */
	d = 4 * days + 3;
	century = d / 146097;
	cd = (uint32_t)(d % 146097) | 3;
	prod = (uint64_t)2939745 * cd;
	cyear = prod >> 32;
	lo = (uint32_t)prod;
	ayday = lo / 2939745 / 4;
	md = 2141 * ayday + 197913;
	amonth = (int)(md >> 16);
	c->day = 1 + (int)((md & 0xFFFF) / 2141);
	janfeb = ayday >= MARCH_THRU_DECEMBER;
	c->month = amonth - janfeb * 12;
	c->year = (int64_t)(century * 100 - ABSOLUTE_YEARS + cyear + (uint64_t)janfeb);
	leap = (cyear % 4 == 0) && (cyear != 0 || century % 4 == 0);
	c->yday = 1 + (int)ayday + 31 + 28 + (leap && !janfeb) - 365 * janfeb;
}

/* time.Time.Format for the instant sec.nsec shown at offset off, zone abbr. */
static void time_format(struct buf *b, const char *l, size_t n, int64_t sec, int32_t nsec,
			int32_t off, const char *abbr)
{
	struct civil cv;
	int64_t year;
	int month, day, hour, min, s, wday, yday;

	abs_civil(&cv, sec, off);
	year = cv.year;
	month = cv.month;
	day = cv.day;
	hour = cv.hour;
	min = cv.min;
	s = cv.sec;
	wday = cv.wday;
	yday = cv.yday;
	while (n > 0) {
		struct chunk c = next_chunk(l, n);

		buf_add(b, l, c.prefix);
		if (c.std == STD_NONE)
			break;
		switch (c.std) {
		case STD_YEAR: add_int(b, (year < 0 ? -year : year) % 100, 2); break;
		case STD_LONG_YEAR: add_int(b, year, 4); break;
		case STD_MONTH: buf_add(b, long_months[month - 1], 3); break;
		case STD_LONG_MONTH: buf_adds(b, long_months[month - 1]); break;
		case STD_NUM_MONTH: add_int(b, month, 0); break;
		case STD_ZERO_MONTH: add_int(b, month, 2); break;
		case STD_WEEKDAY: buf_add(b, long_days[wday], 3); break;
		case STD_LONG_WEEKDAY: buf_adds(b, long_days[wday]); break;
		case STD_DAY: add_int(b, day, 0); break;
		case STD_UNDER_DAY:
			if (day < 10)
				buf_addch(b, ' ');
			add_int(b, day, 0);
			break;
		case STD_ZERO_DAY: add_int(b, day, 2); break;
		case STD_UNDER_YEARDAY:
			if (yday < 100) {
				buf_addch(b, ' ');
				if (yday < 10)
					buf_addch(b, ' ');
			}
			add_int(b, yday, 0);
			break;
		case STD_ZERO_YEARDAY: add_int(b, yday, 3); break;
		case STD_HOUR: add_int(b, hour, 2); break;
		case STD_HOUR12: add_int(b, hour % 12 == 0 ? 12 : hour % 12, 0); break;
		case STD_ZERO_HOUR12: add_int(b, hour % 12 == 0 ? 12 : hour % 12, 2); break;
		case STD_MINUTE: add_int(b, min, 0); break;
		case STD_ZERO_MINUTE: add_int(b, min, 2); break;
		case STD_SECOND: add_int(b, s, 0); break;
		case STD_ZERO_SECOND: add_int(b, s, 2); break;
		case STD_PM: buf_adds(b, hour >= 12 ? "PM" : "AM"); break;
		case STD_pm: buf_adds(b, hour >= 12 ? "pm" : "am"); break;
		case STD_ISO_TZ: case STD_ISO_SECONDS_TZ: case STD_ISO_SHORT_TZ:
		case STD_ISO_COLON_TZ: case STD_ISO_COLON_SECONDS_TZ:
		case STD_NUM_TZ: case STD_NUM_SECONDS_TZ: case STD_NUM_SHORT_TZ:
		case STD_NUM_COLON_TZ: case STD_NUM_COLON_SECONDS_TZ: {
			int iso = c.std >= STD_ISO_TZ && c.std <= STD_ISO_COLON_SECONDS_TZ;
			int zone = off / 60, absoff = off;

			if (off == 0 && iso) {
				buf_addch(b, 'Z');
				break;
			}
			if (zone < 0) {
				buf_addch(b, '-');
				zone = -zone;
				absoff = -absoff;
			} else {
				buf_addch(b, '+');
			}
			add_int(b, zone / 60, 2);
			if (c.std == STD_ISO_COLON_TZ || c.std == STD_NUM_COLON_TZ ||
			    c.std == STD_ISO_COLON_SECONDS_TZ || c.std == STD_NUM_COLON_SECONDS_TZ)
				buf_addch(b, ':');
			if (c.std != STD_NUM_SHORT_TZ && c.std != STD_ISO_SHORT_TZ)
				add_int(b, zone % 60, 2);
			if (c.std == STD_ISO_SECONDS_TZ || c.std == STD_NUM_SECONDS_TZ ||
			    c.std == STD_NUM_COLON_SECONDS_TZ || c.std == STD_ISO_COLON_SECONDS_TZ) {
				if (c.std == STD_NUM_COLON_SECONDS_TZ || c.std == STD_ISO_COLON_SECONDS_TZ)
					buf_addch(b, ':');
				add_int(b, absoff % 60, 2);
			}
			break;
		}
		case STD_TZ:
			if (abbr && *abbr) {
				buf_adds(b, abbr);
			} else {
				int zone = off / 60;

				if (zone < 0) {
					buf_addch(b, '-');
					zone = -zone;
				} else {
					buf_addch(b, '+');
				}
				add_int(b, zone / 60, 2);
				add_int(b, zone % 60, 2);
			}
			break;
		case STD_FRAC0:
		case STD_FRAC9: {
			char digits[16];
			int k = c.digits;

			if (c.std == STD_FRAC9 && (k == 0 || nsec == 0))
				break;
			snprintf(digits, sizeof(digits), "%09d", (int)nsec);
			if (k > 9)
				k = 9;
			if (c.std == STD_FRAC9)
				while (k > 0 && digits[k - 1] == '0')
					k--;
			if (c.std == STD_FRAC9 && k == 0)
				break;
			buf_addch(b, c.sep);
			buf_add(b, digits, (size_t)k);
			break;
		}
		default:
			break;
		}
		l += c.prefix + c.len;
		n -= c.prefix + c.len;
	}
}

/* ---- parsing ---- */

static int getnum(const char **v, const char *end, int fixed, int *out)
{
	const char *s = *v;
	size_t n = (size_t)(end - s);

	if (!digit_at(s, n, 0))
		return -1;
	if (!digit_at(s, n, 1)) {
		if (fixed)
			return -1;
		*out = s[0] - '0';
		*v = s + 1;
		return 0;
	}
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	*v = s + 2;
	return 0;
}

static int getnum3(const char **v, const char *end, int fixed, int *out)
{
	const char *s = *v;
	size_t n = (size_t)(end - s), i;
	int x = 0;

	for (i = 0; i < 3 && digit_at(s, n, i); i++)
		x = x * 10 + (s[i] - '0');
	if (i == 0 || (fixed && i != 3))
		return -1;
	*out = x;
	*v = s + i;
	return 0;
}

static int lookup_name(const char *const *tab, int count, int abbrev, const char **v,
		       const char *end, int *out)
{
	int i;

	for (i = 0; i < count; i++) {
		size_t k = abbrev ? 3 : strlen(tab[i]), j;

		if ((size_t)(end - *v) < k)
			continue;
		for (j = 0; j < k; j++) {
			char a = (*v)[j], b = tab[i][j];

			if (a >= 'A' && a <= 'Z')
				a = (char)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (char)(b + 32);
			if (a != b)
				break;
		}
		if (j == k) {
			*out = i;
			*v += k;
			return 0;
		}
	}
	return -1;
}

/* time.atoi over s[0..n): an optional sign and digits only. */
static int go_atoi(const char *s, size_t n, int64_t *out)
{
	int neg = 0;
	size_t i = 0;
	uint64_t x = 0;

	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (x > (UINT64_C(1) << 63) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
		if (x > (UINT64_C(1) << 63))
			return -1;
	}
	*out = neg ? -(int64_t)x : (int64_t)x;
	return 0;
}

static int parse_nanos(const char *v, size_t nbytes, int32_t *ns, const char **range)
{
	int64_t x;
	size_t i;

	if (v[0] != '.' && v[0] != ',')
		return -1;
	if (nbytes > 10)
		nbytes = 10;
	if (go_atoi(v + 1, nbytes - 1, &x) < 0)
		return -1;
	if (x < 0) {
		*range = "fractional second";
		return 0;
	}
	for (i = 0; i < 10 - nbytes; i++)
		x *= 10;
	*ns = (int32_t)x;
	return 0;
}

static size_t parse_signed_offset(const char *v, size_t n)
{
	size_t i = 1;
	uint64_t x = 0;

	if (n == 0 || (v[0] != '-' && v[0] != '+'))
		return 0;
	while (i < n && v[i] >= '0' && v[i] <= '9') {
		x = x * 10 + (uint64_t)(v[i] - '0');
		if (x > 1000)
			x = 1000;
		i++;
	}
	if (i == 1 || x > 12)
		return 0;
	return i;
}

static size_t parse_tz_name(const char *v, size_t n)
{
	size_t up;

	if (n < 3)
		return 0;
	if (n >= 4 && (memcmp(v, "ChST", 4) == 0 || memcmp(v, "MeST", 4) == 0))
		return 4;
	if (memcmp(v, "GMT", 3) == 0)
		return n == 3 ? 3 : 3 + parse_signed_offset(v + 3, n - 3);
	if (v[0] == '+' || v[0] == '-')
		return parse_signed_offset(v, n);
	for (up = 0; up < 6 && up < n && v[up] >= 'A' && v[up] <= 'Z'; up++)
		;
	switch (up) {
	case 5:
		return v[4] == 'T' ? 5 : 0;
	case 4:
		return (v[3] == 'T' || memcmp(v, "WITA", 4) == 0) ? 4 : 0;
	case 3:
		return 3;
	default:
		return 0;
	}
}

static void parse_error(struct buf *err, const char *layout, size_t ln, const char *value,
			size_t vn, const char *lel, size_t leln, const char *vel, size_t veln,
			const char *msg)
{
	buf_adds(err, "parsing time ");
	time_quote(err, value, vn);
	if (msg) {
		buf_adds(err, msg);
		return;
	}
	buf_adds(err, " as ");
	time_quote(err, layout, ln);
	buf_adds(err, ": cannot parse ");
	time_quote(err, vel, veln);
	buf_adds(err, " as ");
	time_quote(err, lel, leln);
}

/* time.ParseInLocation(layout, value, local): 0 with *out, or -1 with err. */
static int time_parse(struct tval_time *out, const char *layout, size_t ln, const char *value,
		      size_t vn, struct tz *local, struct buf *err)
{
	const char *l = layout, *lend = layout + ln, *v = value, *vend = value + vn;
	int64_t year = 0;
	int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0;
	int32_t nsec = 0;
	int am = 0, pm = 0, utc = 0, zone_off = -1;
	const char *zone_name = NULL;
	size_t zone_len = 0;
	int64_t unix_sec;

	for (;;) {
		struct chunk c = next_chunk(l, (size_t)(lend - l));
		const char *p = l, *std = l + c.prefix, *hold;
		const char *range = NULL;
		int bad = 0;

		/* skip the literal prefix */
		while (p < std) {
			if (*p == ' ') {
				if (v < vend && *v != ' ')
					goto prefix_err;
				while (p < std && *p == ' ')
					p++;
				while (v < vend && *v == ' ')
					v++;
				continue;
			}
			if (v >= vend || *v != *p)
				goto prefix_err;
			p++;
			v++;
		}
		if (c.std == STD_NONE) {
			if (v != vend) {
				struct buf m = BUF_INIT;

				buf_adds(&m, ": extra text: ");
				time_quote(&m, v, (size_t)(vend - v));
				parse_error(err, layout, ln, value, vn, NULL, 0, NULL, 0, m.ptr);
				buf_release(&m);
				return -1;
			}
			break;
		}
		l = std + c.len;
		hold = v;
		switch (c.std) {
		case STD_YEAR: {
			int64_t y;

			if (vend - v < 2 || go_atoi(v, 2, &y) < 0) {
				bad = 1;
				break;
			}
			v += 2;
			year = y >= 69 ? y + 1900 : y + 2000;
			break;
		}
		case STD_LONG_YEAR:
			if (vend - v < 4 || !digit_at(v, (size_t)(vend - v), 0) || go_atoi(v, 4, &year) < 0) {
				bad = 1;
				break;
			}
			v += 4;
			break;
		case STD_MONTH:
		case STD_LONG_MONTH:
			if (lookup_name(long_months, 12, c.std == STD_MONTH, &v, vend, &month) < 0)
				bad = 1;
			else
				month++;
			break;
		case STD_NUM_MONTH:
		case STD_ZERO_MONTH:
			if (getnum(&v, vend, c.std == STD_ZERO_MONTH, &month) < 0)
				bad = 1;
			else if (month <= 0 || month > 12)
				range = "month";
			break;
		case STD_WEEKDAY:
		case STD_LONG_WEEKDAY: {
			int w;

			if (lookup_name(long_days, 7, c.std == STD_WEEKDAY, &v, vend, &w) < 0)
				bad = 1;
			break;
		}
		case STD_DAY:
		case STD_UNDER_DAY:
		case STD_ZERO_DAY:
			if (c.std == STD_UNDER_DAY && v < vend && *v == ' ')
				v++;
			if (getnum(&v, vend, c.std == STD_ZERO_DAY, &day) < 0)
				bad = 1;
			break;
		case STD_UNDER_YEARDAY:
		case STD_ZERO_YEARDAY: {
			int i;

			for (i = 0; i < 2; i++)
				if (c.std == STD_UNDER_YEARDAY && v < vend && *v == ' ')
					v++;
			if (getnum3(&v, vend, c.std == STD_ZERO_YEARDAY, &yday) < 0)
				bad = 1;
			break;
		}
		case STD_HOUR:
			if (getnum(&v, vend, 0, &hour) < 0)
				bad = 1;
			else if (hour < 0 || hour >= 24)
				range = "hour";
			break;
		case STD_HOUR12:
		case STD_ZERO_HOUR12:
			if (getnum(&v, vend, c.std == STD_ZERO_HOUR12, &hour) < 0)
				bad = 1;
			else if (hour < 0 || hour > 12)
				range = "hour";
			break;
		case STD_MINUTE:
		case STD_ZERO_MINUTE:
			if (getnum(&v, vend, c.std == STD_ZERO_MINUTE, &min) < 0)
				bad = 1;
			else if (min < 0 || min >= 60)
				range = "minute";
			break;
		case STD_SECOND:
		case STD_ZERO_SECOND:
			if (getnum(&v, vend, c.std == STD_ZERO_SECOND, &sec) < 0) {
				bad = 1;
				break;
			}
			if (sec < 0 || sec >= 60) {
				range = "second";
				break;
			}
			if (vend - v >= 2 && (v[0] == '.' || v[0] == ',') &&
			    digit_at(v, (size_t)(vend - v), 1)) {
				struct chunk nc = next_chunk(l, (size_t)(lend - l));
				size_t k = 2;

				if (nc.std == STD_FRAC0 || nc.std == STD_FRAC9)
					break;
				while (digit_at(v, (size_t)(vend - v), k))
					k++;
				if (parse_nanos(v, k, &nsec, &range) < 0)
					bad = 1;
				v += k;
			}
			break;
		case STD_PM:
		case STD_pm:
			if (vend - v < 2) {
				bad = 1;
				break;
			}
			if (memcmp(v, c.std == STD_PM ? "PM" : "pm", 2) == 0)
				pm = 1;
			else if (memcmp(v, c.std == STD_PM ? "AM" : "am", 2) == 0)
				am = 1;
			else
				bad = 1;
			v += 2;
			break;
		case STD_ISO_TZ: case STD_ISO_SHORT_TZ: case STD_ISO_COLON_TZ:
		case STD_ISO_SECONDS_TZ: case STD_ISO_COLON_SECONDS_TZ:
			if (v < vend && *v == 'Z') {
				v++;
				utc = 1;
				break;
			}
			/* fall through */
		case STD_NUM_TZ: case STD_NUM_SHORT_TZ: case STD_NUM_COLON_TZ:
		case STD_NUM_SECONDS_TZ: case STD_NUM_COLON_SECONDS_TZ: {
			const char *sign, *hh, *mm = "00", *ss = "00";
			size_t len = (size_t)(vend - v);
			int hr, mi, se;
			const char *t;

			if (c.std == STD_ISO_COLON_TZ || c.std == STD_NUM_COLON_TZ) {
				if (len < 6 || v[3] != ':') {
					bad = 1;
					break;
				}
				sign = v, hh = v + 1, mm = v + 4;
				v += 6;
			} else if (c.std == STD_NUM_SHORT_TZ || c.std == STD_ISO_SHORT_TZ) {
				if (len < 3) {
					bad = 1;
					break;
				}
				sign = v, hh = v + 1;
				v += 3;
			} else if (c.std == STD_ISO_COLON_SECONDS_TZ || c.std == STD_NUM_COLON_SECONDS_TZ) {
				if (len < 9 || v[3] != ':' || v[6] != ':') {
					bad = 1;
					break;
				}
				sign = v, hh = v + 1, mm = v + 4, ss = v + 7;
				v += 9;
			} else if (c.std == STD_ISO_SECONDS_TZ || c.std == STD_NUM_SECONDS_TZ) {
				if (len < 7) {
					bad = 1;
					break;
				}
				sign = v, hh = v + 1, mm = v + 3, ss = v + 5;
				v += 7;
			} else {
				if (len < 5) {
					bad = 1;
					break;
				}
				sign = v, hh = v + 1, mm = v + 3;
				v += 5;
			}
			/* Go reads all three, then checks ranges before the
			 * first error, then the sign. */
			hr = mi = se = 0;
			t = hh;
			if (getnum(&t, hh + 2, 1, &hr) < 0) {
				hr = 0;
				bad = 1;
			}
			t = mm;
			if (!bad && getnum(&t, mm + 2, 1, &mi) < 0) {
				mi = 0;
				bad = 1;
			}
			t = ss;
			if (!bad && getnum(&t, ss + 2, 1, &se) < 0) {
				se = 0;
				bad = 1;
			}
			if (hr > 24)
				range = "time zone offset hour";
			if (mi > 60)
				range = "time zone offset minute";
			if (se > 60)
				range = "time zone offset second";
			zone_off = (hr * 60 + mi) * 60 + se;
			if (*sign == '-')
				zone_off = -zone_off;
			else if (*sign != '+')
				bad = 1;
			break;
		}
		case STD_TZ: {
			size_t k;

			if (vend - v >= 3 && memcmp(v, "UTC", 3) == 0) {
				utc = 1;
				v += 3;
				break;
			}
			k = parse_tz_name(v, (size_t)(vend - v));
			if (k == 0) {
				bad = 1;
				break;
			}
			zone_name = v;
			zone_len = k;
			v += k;
			break;
		}
		case STD_FRAC0: {
			size_t nd = 1 + (size_t)c.digits;

			if ((size_t)(vend - v) < nd) {
				bad = 1;
				break;
			}
			if (parse_nanos(v, nd, &nsec, &range) < 0)
				bad = 1;
			v += nd;
			break;
		}
		case STD_FRAC9: {
			size_t i = 0;

			if (vend - v < 2 || (v[0] != '.' && v[0] != ',') || v[1] < '0' || v[1] > '9')
				break;
			while (digit_at(v, (size_t)(vend - v), i + 1))
				i++;
			if (parse_nanos(v, 1 + i, &nsec, &range) < 0)
				bad = 1;
			v += 1 + i;
			break;
		}
		default:
			break;
		}
		if (range) {
			struct buf m = BUF_INIT;

			buf_addf(&m, ": %s out of range", range);
			parse_error(err, layout, ln, value, vn, NULL, 0, NULL, 0, m.ptr);
			buf_release(&m);
			return -1;
		}
		if (bad) {
			parse_error(err, layout, ln, value, vn, std, c.len, hold, (size_t)(vend - hold),
				    NULL);
			return -1;
		}
		continue;
prefix_err:
		parse_error(err, layout, ln, value, vn, l, c.prefix, v, (size_t)(vend - v), NULL);
		return -1;
	}
	if (pm && hour < 12)
		hour += 12;
	else if (am && hour == 12)
		hour = 0;
	if (yday >= 0) {
		static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365 };
		int m = 0, d = 0;

		if (is_leap(year)) {
			if (yday == 31 + 29) {
				m = 2;
				d = 29;
			} else if (yday > 31 + 29) {
				yday--;
			}
		}
		if (yday < 1 || yday > 365) {
			parse_error(err, layout, ln, value, vn, NULL, 0, NULL, 0,
				    ": day-of-year out of range");
			return -1;
		}
		if (m == 0) {
			m = (yday - 1) / 31 + 1;
			if (before[m] < yday)
				m++;
			d = yday - before[m - 1];
		}
		if (month >= 0 && month != m) {
			parse_error(err, layout, ln, value, vn, NULL, 0, NULL, 0,
				    ": day-of-year does not match month");
			return -1;
		}
		month = m;
		if (day >= 0 && day != d) {
			parse_error(err, layout, ln, value, vn, NULL, 0, NULL, 0,
				    ": day-of-year does not match day");
			return -1;
		}
		day = d;
	} else {
		if (month < 0)
			month = 1;
		if (day < 0)
			day = 1;
	}
	if (day < 1 || day > days_in(month, year)) {
		parse_error(err, layout, ln, value, vn, NULL, 0, NULL, 0, ": day out of range");
		return -1;
	}
	unix_sec = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
	out->nsec = nsec;
	if (utc) {
		out->sec = unix_sec;
		out->offset = 0;
		tval_time_zone(out, TVT_UTC, NULL, 0);
		return 0;
	}
	if (zone_off != -1) {
		/* Local if it had that offset (and name) then, else a fixed
		 * zone of that name ("" if none) */
		const struct tz_type *t;

		out->sec = unix_sec - zone_off;
		out->offset = zone_off;
		t = tz_lookup(local, out->sec);
		if (t->off == zone_off &&
		    (!zone_name || (strlen(t->abbr) == zone_len &&
				    memcmp(t->abbr, zone_name, zone_len) == 0)))
			tval_time_zone(out, TVT_LOCAL, t->abbr, strlen(t->abbr));
		else
			tval_time_zone(out, TVT_FIXED, zone_name, zone_name ? zone_len : 0);
		return 0;
	}
	if (zone_name) {
		/* Local's offset for that abbreviation, if it had one then;
		 * else a zone of unknown offset (GMT+h is known). */
		const struct tz_type *t = tz_lookup(local, unix_sec);
		int64_t off = 0;

		if (strlen(t->abbr) == zone_len && memcmp(t->abbr, zone_name, zone_len) == 0) {
			out->sec = unix_sec - t->off;
			out->offset = t->off;
			tval_time_zone(out, TVT_LOCAL, t->abbr, strlen(t->abbr));
			return 0;
		}
		if (zone_len > 3 && memcmp(zone_name, "GMT", 3) == 0 &&
		    go_atoi(zone_name + 3, zone_len - 3, &off) == 0)
			off *= 3600;
		out->sec = unix_sec;
		out->offset = (int32_t)off;
		tval_time_zone(out, TVT_FIXED, zone_name, zone_len);
		return 0;
	}
	out->sec = tz_from_civil(local, unix_sec);
	{
		const struct tz_type *t = tz_lookup(local, out->sec);

		out->offset = t->off;
		tval_time_zone(out, TVT_LOCAL, t->abbr, strlen(t->abbr));
	}
	return 0;
}

/* ---- durations ---- */

/* time.ParseDuration: 0, or -1 with Go's error text in err. */
static int parse_duration(int64_t *out, const char *s, size_t n, struct buf *err)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
		{ "ms", 1000000 }, { "s", 1000000000 }, { "m", UINT64_C(60000000000) },
		{ "h", UINT64_C(3600000000000) },
	};
	const char *orig = s;
	size_t on = n;
	uint64_t d = 0, big = UINT64_C(1) << 63;
	int neg = 0;

	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	if (n == 1 && s[0] == '0') {
		*out = 0;
		return 0;
	}
	if (n == 0)
		goto invalid;
	while (n > 0) {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1;
		size_t i, pl;
		int pre, post = 0, overflow = 0;

		if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9')))
			goto invalid;
		for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (v > big / 10)
				goto invalid;
			v = v * 10 + (uint64_t)(s[i] - '0');
			if (v > big)
				goto invalid;
		}
		pre = i > 0;
		s += i;
		n -= i;
		if (n > 0 && s[0] == '.') {
			s++;
			n--;
			pl = n;
			for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
				uint64_t y;

				if (overflow)
					continue;
				if (f > (big - 1) / 10) {
					overflow = 1;
					continue;
				}
				y = f * 10 + (uint64_t)(s[i] - '0');
				if (y > big) {
					overflow = 1;
					continue;
				}
				f = y;
				scale *= 10;
			}
			s += i;
			n -= i;
			post = pl != n;
		}
		if (!pre && !post)
			goto invalid;
		for (i = 0; i < n && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'); i++)
			;
		if (i == 0) {
			buf_adds(err, "time: missing unit in duration ");
			time_quote(err, orig, on);
			return -1;
		}
		{
			size_t k;

			for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
				if (strlen(units[k].name) == i && memcmp(units[k].name, s, i) == 0)
					unit = units[k].ns;
			if (!unit) {
				buf_adds(err, "time: unknown unit ");
				time_quote(err, s, i);
				buf_adds(err, " in duration ");
				time_quote(err, orig, on);
				return -1;
			}
		}
		s += i;
		n -= i;
		if (v > big / unit)
			goto invalid;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > big)
				goto invalid;
		}
		d += v;
		if (d > big)
			goto invalid;
	}
	if (neg) {
		*out = (int64_t)(0 - d);
		return 0;
	}
	if (d > big - 1)
		goto invalid;
	*out = (int64_t)d;
	return 0;
invalid:
	buf_adds(err, "time: invalid duration ");
	time_quote(err, orig, on);
	return -1;
}

/* time.Duration.String */
static void duration_string(struct buf *out, int64_t d)
{
	char b[32];
	int w = (int)sizeof(b);
	uint64_t u = (uint64_t)d;
	int neg = d < 0;

	if (neg)
		u = 0 - u;
	if (u < 1000000000) {
		int prec = 0;

		w--;
		b[w] = 's';
		w--;
		if (u == 0) {
			buf_adds(out, "0s");
			return;
		} else if (u < 1000) {
			b[w] = 'n';
		} else if (u < 1000000) {
			prec = 3;
			/* U+00B5 'µ' micro sign == 0xC2 0xB5 */
			w--;
			memcpy(b + w, "\xc2\xb5", 2);
		} else {
			prec = 6;
			b[w] = 'm';
		}
		{
			int k, print = 0;

			for (k = 0; k < prec; k++) {
				int digit = (int)(u % 10);

				print = print || digit != 0;
				if (print)
					b[--w] = (char)('0' + digit);
				u /= 10;
			}
			if (print)
				b[--w] = '.';
			if (u == 0)
				b[--w] = '0';
			while (u > 0) {
				b[--w] = (char)('0' + u % 10);
				u /= 10;
			}
		}
	} else {
		int k, print = 0;

		b[--w] = 's';
		for (k = 0; k < 9; k++) {
			int digit = (int)(u % 10);

			print = print || digit != 0;
			if (print)
				b[--w] = (char)('0' + digit);
			u /= 10;
		}
		if (print)
			b[--w] = '.';
		if (u == 0) {
			b[--w] = '0';
		} else {
			uint64_t s = u % 60, m;

			u /= 60;
			do {
				b[--w] = (char)('0' + s % 10);
				s /= 10;
			} while (s > 0);
			if (u > 0) {
				b[--w] = 'm';
				m = u % 60;
				u /= 60;
				do {
					b[--w] = (char)('0' + m % 10);
					m /= 10;
				} while (m > 0);
				if (u > 0) {
					b[--w] = 'h';
					do {
						b[--w] = (char)('0' + u % 10);
						u /= 10;
					} while (u > 0);
				}
			}
		}
	}
	if (neg)
		b[--w] = '-';
	buf_add(out, b + w, sizeof(b) - (size_t)w);
}

/* ---- the current time ---- */

static struct tval_time now_utc(void)
{
	struct timespec ts;
	struct tval_time t = { 0 };

	clock_gettime(CLOCK_REALTIME, &ts);
	t.sec = (int64_t)ts.tv_sec;
	t.nsec = (int32_t)ts.tv_nsec;
	t.offset = 0;
	return t;
}

/* time.Since(t) in nanoseconds, saturating as Time.Sub does. */
static int64_t since(const struct tval_time *t)
{
	struct tval_time n = now_utc();
	int64_t ds;
	int64_t dn = (int64_t)n.nsec - t->nsec;
	const int64_t lim = INT64_MAX / 1000000000;

	int64_t d;

	if (t->sec < 0 && n.sec > INT64_MAX + t->sec)
		return INT64_MAX;
	if (t->sec > 0 && n.sec < INT64_MIN + t->sec)
		return INT64_MIN;
	ds = n.sec - t->sec;
	if (ds > lim)
		return INT64_MAX;
	if (ds < -lim)
		return INT64_MIN;
	d = ds * 1000000000;
	if (dn > 0 && d > INT64_MAX - dn)
		return INT64_MAX;
	if (dn < 0 && d < INT64_MIN - dn)
		return INT64_MIN;
	return d + dn;
}

/* ---- the functions ---- */

#define ZERO_TIME_SEC INT64_C(-62135596800) /* 0001-01-01T00:00:00Z, Go's zero Time */

static int oom(struct tmpl_call *call)
{
	return tmpl_call_errorf(call, "out of memory");
}

/* The instant dateInZone formats: time values, Unix seconds, or now. */
static struct tval_time date_arg(const struct tval *v)
{
	struct tval_time t = { 0 };

	switch (v->kind) {
	case TV_TIME:
		return v->u.t;
	case TV_INT:
	case TV_INT64:
		t.sec = v->u.i;
		return t;
	default:
		return now_utc();
	}
}

static int date_in_zone(struct tval *out, struct tmpl_call *call, const char *fmt, size_t fn,
			const struct tval *date, const char *zone)
{
	struct tz z;
	struct tval_time t = date_arg(date);
	const struct tz_type *ty;
	struct buf b = BUF_INIT;

	if (tz_load(&z, zone) < 0 && tz_utc(&z) < 0)
		return oom(call);
	ty = tz_lookup(&z, t.sec);
	time_format(&b, fmt, fn, t.sec, t.nsec, ty->off, ty->abbr);
	tz_release(&z);
	if (buf_oom(&b)) {
		buf_release(&b);
		return oom(call);
	}
	*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return 0;
}

static int S_date(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	size_t n;
	const char *f = tval_str_ptr(&argv[0], &n);

	return date_in_zone(out, call, f, n, &argv[1], "Local");
}

static int S_htmlDate(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return date_in_zone(out, call, "2006-01-02", 10, &argv[0], "Local");
}

/* A zone name as a C string; one holding NUL names no file Go could open. */
static const char *zone_name(const struct tval *v)
{
	size_t n;
	const char *s = tval_str_ptr(v, &n);

	return strlen(s) == n ? s : "\x01";
}

static int S_htmlDateInZone(struct tval *out, struct tmpl_call *call, int argc,
			    const struct tval *argv)
{
	return date_in_zone(out, call, "2006-01-02", 10, &argv[0], zone_name(&argv[1]));
}

static int S_dateInZone(struct tval *out, struct tmpl_call *call, int argc,
			const struct tval *argv)
{
	size_t n;
	const char *f = tval_str_ptr(&argv[0], &n);

	return date_in_zone(out, call, f, n, &argv[1], zone_name(&argv[2]));
}

static int S_now(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct tz z;
	struct tval_time t = now_utc();
	const struct tz_type *ty;

	if (tz_load(&z, "Local") < 0)
		return oom(call);
	ty = tz_lookup(&z, t.sec);
	t.offset = ty->off;
	tval_time_zone(&t, TVT_LOCAL, ty->abbr, strlen(ty->abbr));
	tz_release(&z);
	*out = tval_time(t);
	return 0;
}

static int date_modify(struct tval *out, struct tmpl_call *call, int must,
		       const struct tval *argv)
{
	struct buf err = BUF_INIT;
	size_t n;
	const char *s = tval_str_ptr(&argv[0], &n);
	struct tval_time t = argv[1].u.t;
	int64_t d, ns;

	if (parse_duration(&d, s, n, &err) < 0) {
		int error = 0;

		if (must) {
			error = tmpl_call_errorf(call, "%s", err.ptr);
		} else {
			*out = tval_time(t);
		}
		buf_release(&err);
		return error;
	}
	buf_release(&err);
	/* Time.Add (wrapping, never undefined) */
	t.sec = (int64_t)((uint64_t)t.sec + (uint64_t)(d / 1000000000));
	ns = (int64_t)t.nsec + d % 1000000000;
	if (ns >= 1000000000) {
		t.sec++;
		ns -= 1000000000;
	} else if (ns < 0) {
		t.sec--;
		ns += 1000000000;
	}
	t.nsec = (int32_t)ns;
	*out = tval_time(t);
	return 0;
}

static int S_dateModify(struct tval *out, struct tmpl_call *call, int argc,
			const struct tval *argv)
{
	return date_modify(out, call, 0, argv);
}

static int S_mustDateModify(struct tval *out, struct tmpl_call *call, int argc,
			    const struct tval *argv)
{
	return date_modify(out, call, 1, argv);
}

static int to_date(struct tval *out, struct tmpl_call *call, int must, const struct tval *argv)
{
	struct tz local;
	struct buf err = BUF_INIT;
	struct tval_time t = { 0 };
	size_t ln, vn;
	const char *l = tval_str_ptr(&argv[0], &ln), *v = tval_str_ptr(&argv[1], &vn);
	int error = 0;

	if (tz_load(&local, "Local") < 0)
		return oom(call);
	if (time_parse(&t, l, ln, v, vn, &local, &err) < 0) {
		if (must) {
			error = tmpl_call_errorf(call, "%s", err.ptr);
			goto done;
		}
		t.sec = ZERO_TIME_SEC;
		t.nsec = 0;
		t.offset = 0;
		tval_time_zone(&t, TVT_UTC, NULL, 0);
	}
	*out = tval_time(t);
done:
	tz_release(&local);
	buf_release(&err);
	return error;
}

static int S_toDate(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return to_date(out, call, 0, argv);
}

static int S_mustToDate(struct tval *out, struct tmpl_call *call, int argc,
			const struct tval *argv)
{
	return to_date(out, call, 1, argv);
}

static int S_unixEpoch(struct tval *out, struct tmpl_call *call, int argc,
		       const struct tval *argv)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", (long long)argv[0].u.t.sec);
	*out = tval_str(b);
	return 0;
}

/* strconv.ParseInt(s, 10, 64) with the error dropped: 0 for bad syntax,
 * the nearest bound when out of range. */
static int64_t parse_int64(const char *s, size_t n)
{
	size_t i = 0;
	int neg = 0;
	uint64_t x = 0, lim;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return 0;
	lim = neg ? UINT64_C(1) << 63 : (UINT64_C(1) << 63) - 1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	for (i = (s[0] == '+' || s[0] == '-'); i < n; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');

		if (x > (lim - d) / 10) {
			x = lim;
			break;
		}
		x = x * 10 + d;
	}
	return neg ? (int64_t)(0 - x) : (int64_t)x;
}

static int S_duration(struct tval *out, struct tmpl_call *call, int argc,
		      const struct tval *argv)
{
	int64_t n = 0;
	struct buf b = BUF_INIT;

	if (argv[0].kind == TV_STRING) {
		size_t len;
		const char *s = tval_str_ptr(&argv[0], &len);
		n = parse_int64(s, len);
	} else if (argv[0].kind == TV_INT64) {
		n = argv[0].u.i;
	}
	/* time.Duration(n) * time.Second, wrapping as Go's int64 does */
	duration_string(&b, (int64_t)((uint64_t)n * UINT64_C(1000000000)));
	*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return 0;
}

static int S_durationRound(struct tval *out, struct tmpl_call *call, int argc,
			   const struct tval *argv)
{
	int64_t d = 0;
	uint64_t u;
	char b[40];
	const uint64_t sec = 1000000000, minute = 60 * sec, hour = 60 * minute, day = 24 * hour,
		       month = 30 * day, year = 365 * day;

	if (argv[0].kind == TV_STRING) {
		struct buf err = BUF_INIT;
		size_t n;
		const char *s = tval_str_ptr(&argv[0], &n);

		if (parse_duration(&d, s, n, &err) < 0)
			d = 0;
		buf_release(&err);
	} else if (argv[0].kind == TV_INT64) {
		d = argv[0].u.i;
	} else if (argv[0].kind == TV_TIME) {
		d = since(&argv[0].u.t);
	}
	u = (uint64_t)d;
	if (d < 0)
		u = 0 - u;
	if (u > year)
		snprintf(b, sizeof(b), "%lluy", (unsigned long long)(u / year));
	else if (u > month)
		snprintf(b, sizeof(b), "%llumo", (unsigned long long)(u / month));
	else if (u > day)
		snprintf(b, sizeof(b), "%llud", (unsigned long long)(u / day));
	else if (u > hour)
		snprintf(b, sizeof(b), "%lluh", (unsigned long long)(u / hour));
	else if (u > minute)
		snprintf(b, sizeof(b), "%llum", (unsigned long long)(u / minute));
	else if (u > sec)
		snprintf(b, sizeof(b), "%llus", (unsigned long long)(u / sec));
	else
		snprintf(b, sizeof(b), "0s");
	*out = tval_str(b);
	return 0;
}

/* Duration.Round(time.Second) */
static int64_t round_second(int64_t d)
{
	const int64_t m = 1000000000;
	int64_t r = d % m;

	if (d < 0) {
		r = -r;
		if ((uint64_t)r + (uint64_t)r < (uint64_t)m)
			return d + r;
		if (d >= INT64_MIN + (m - r))
			return d - (m - r);
		return INT64_MIN;
	}
	if ((uint64_t)r + (uint64_t)r < (uint64_t)m)
		return d - r;
	if (d <= INT64_MAX - (m - r))
		return d + (m - r);
	return INT64_MAX;
}

static int S_ago(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct tval_time t;
	struct buf b = BUF_INIT;

	switch (argv[0].kind) {
	case TV_TIME:
		t = argv[0].u.t;
		break;
	case TV_INT:
	case TV_INT64:
		t.sec = argv[0].u.i;
		t.nsec = 0;
		t.offset = 0;
		tval_time_zone(&t, TVT_UTC, NULL, 0);
		break;
	default:
		t = now_utc();
		break;
	}
	duration_string(&b, round_second(since(&t)));
	*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return 0;
}

static const struct tmpl_func S_funcs[] = {
	{ "ago", S_ago, "v", TMPL_FN_NOERR, NULL },
	{ "date", S_date, "sv", TMPL_FN_NOERR, NULL },
	{ "date_in_zone", S_dateInZone, "svs", TMPL_FN_NOERR, NULL },
	{ "date_modify", S_dateModify, "st", TMPL_FN_NOERR, NULL },
	{ "dateInZone", S_dateInZone, "svs", TMPL_FN_NOERR, NULL },
	{ "dateModify", S_dateModify, "st", TMPL_FN_NOERR, NULL },
	{ "duration", S_duration, "v", TMPL_FN_NOERR, NULL },
	{ "durationRound", S_durationRound, "v", TMPL_FN_NOERR, NULL },
	{ "htmlDate", S_htmlDate, "v", TMPL_FN_NOERR, NULL },
	{ "htmlDateInZone", S_htmlDateInZone, "vs", TMPL_FN_NOERR, NULL },
	{ "must_date_modify", S_mustDateModify, "st", 0, NULL },
	{ "mustDateModify", S_mustDateModify, "st", 0, NULL },
	{ "mustToDate", S_mustToDate, "ss", 0, NULL },
	{ "now", S_now, "", TMPL_FN_NOERR, NULL },
	{ "toDate", S_toDate, "ss", TMPL_FN_NOERR, NULL },
	{ "unixEpoch", S_unixEpoch, "t", TMPL_FN_NOERR, NULL },
};

int sprig_date_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
