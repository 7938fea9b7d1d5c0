/*
 * Sprig's semver functions (semver.go) on Masterminds/semver v3.4.0, the
 * version Helm 4.1.4 links: semver (NewVersion, which coerces "1.2" and
 * "v1") and semverCompare (NewConstraint + Check).
 *
 * Constraints are read by hand exactly as the library's regular expressions
 * read them (see "constraints" below), so ranges ("1.2 - 1.4"), wildcards,
 * ||, commas and odd spacing split as Go splits them; no state is shared.
 */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"

#include "render/buf.h"
#include "render/diag.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct semver {
	uint64_t major, minor, patch;
	char *pre, *metadata, *original;
};

static void semver_release(struct semver *v)
{
	free(v->pre);
	free(v->metadata);
	free(v->original);
	memset(v, 0, sizeof(*v));
}

#define E_INVALID "invalid semantic version"
#define E_ZERO "version segment starts with 0"
#define E_PRE "invalid prerelease string"
#define E_META "invalid metadata string"

/* The first occurrence of n[0..nl) in h[0..hl), or NULL. */
static const char *find_bytes(const char *h, size_t hl, const char *n, size_t nl)
{
	size_t i;

	if (nl == 0)
		return h;
	for (i = 0; i + nl <= hl; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}

static int is_ident_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-';
}

/* Dot-separated non-empty identifiers of [0-9A-Za-z-]: the end of the run. */
static const char *scan_idents(const char *s, const char *end)
{
	const char *t = s;

	for (;;) {
		const char *start = t;

		while (t < end && is_ident_char(*t))
			t++;
		if (t == start)
			return NULL;
		if (t < end && *t == '.' && t + 1 < end && is_ident_char(t[1])) {
			t++;
			continue;
		}
		return t;
	}
}

/* strconv.ParseUint(s, 10, 64); the Go error text into err. */
static int parse_uint(uint64_t *out, const char *s, size_t len, struct buf *err)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0)
		goto syntax;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			goto syntax;
		d = (unsigned)(s[i] - '0');
		if (n > (UINT64_MAX - d) / 10) {
			if (err)
				buf_addf(err, "strconv.ParseUint: parsing \"%.*s\": value out of range",
					 (int)len, s);
			return -1;
		}
		n = n * 10 + d;
	}
	*out = n;
	return 0;
syntax:
	if (err)
		buf_addf(err, "strconv.ParseUint: parsing \"%.*s\": invalid syntax", (int)len, s);
	return -1;
}

static int all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* validatePrerelease: numeric parts may not start with 0. */
static const char *validate_pre(const char *p)
{
	while (*p) {
		size_t n = strcspn(p, ".");

		if (n == 0)
			return E_PRE;
		if (all_digits(p, n) && n > 1 && p[0] == '0')
			return E_ZERO;
		p += n;
		if (*p == '.')
			p++;
	}
	return NULL;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/*
 * NewVersion with coercion (the library default): the loose expression
 * v?N(.N)?(.N)?(-pre)?(+meta)? over the whole string. 0, or -1 with Go's
 * error text in err.
 */
static int semver_parse(struct semver *v, const char *s, size_t len, struct buf *err)
{
	const char *t = s, *end = s + len, *seg[3] = { NULL, NULL, NULL };
	size_t seglen[3] = { 0, 0, 0 };
	const char *pre = NULL, *meta = NULL, *msg;
	size_t prelen = 0, metalen = 0;
	int i;

	memset(v, 0, sizeof(*v));
	if (t < end && *t == 'v')
		t++;
	for (i = 0; i < 3; i++) {
		const char *d;

		if (i > 0) {
			if (t >= end || *t != '.' || t + 1 >= end || t[1] < '0' || t[1] > '9')
				break;
			t++;
		}
		d = t;
		while (t < end && *t >= '0' && *t <= '9')
			t++;
		if (t == d)
			goto invalid;
		seg[i] = d;
		seglen[i] = (size_t)(t - d);
	}
	if (t < end && *t == '-') {
		const char *e = scan_idents(t + 1, end);

		if (!e)
			goto invalid;
		pre = t + 1;
		prelen = (size_t)(e - pre);
		t = e;
	}
	if (t < end && *t == '+') {
		const char *e = scan_idents(t + 1, end);

		if (!e)
			goto invalid;
		meta = t + 1;
		metalen = (size_t)(e - meta);
		t = e;
	}
	if (t != end)
		goto invalid;

	for (i = 0; i < 3; i++) {
		uint64_t *dst = i == 0 ? &v->major : i == 1 ? &v->minor : &v->patch;

		if (!seg[i])
			continue;
		if (parse_uint(dst, seg[i], seglen[i], NULL) < 0) {
			if (err) {
				buf_adds(err, "error parsing version segment: ");
				parse_uint(dst, seg[i], seglen[i], err);
			}
			return -1;
		}
	}
	v->pre = dupn(pre ? pre : "", prelen);
	v->metadata = dupn(meta ? meta : "", metalen);
	v->original = dupn(s, len);
	if (!v->pre || !v->metadata || !v->original) {
		semver_release(v);
		if (err)
			buf_adds(err, "out of memory");
		return -1;
	}
	if ((msg = validate_pre(v->pre)) != NULL) {
		semver_release(v);
		if (err)
			buf_adds(err, msg);
		return -1;
	}
	return 0;
invalid:
	if (err)
		buf_adds(err, E_INVALID);
	return -1;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

static int compare_pre_part(const char *s, size_t sl, const char *o, size_t ol)
{
	uint64_t si = 0, oi = 0;
	int sn, on;

	if (sl == ol && memcmp(s, o, sl) == 0)
		return 0;
	if (sl == 0)
		return -1;
	if (ol == 0)
		return 1;
	on = parse_uint(&oi, o, ol, NULL) == 0;
	sn = parse_uint(&si, s, sl, NULL) == 0;
	if (!on && !sn) {
		size_t n = sl < ol ? sl : ol;
		int c = memcmp(s, o, n);

		if (c > 0 || (c == 0 && sl > ol))
			return 1;
		return -1;
	}
	if (!on)
		return -1;
	if (!sn)
		return 1;
	return si > oi ? 1 : -1;
}

/* comparePrerelease: part by part over strings.Split(x, "."), a missing
 * part of the shorter list counting as "". */
static int compare_pre(const char *a, const char *b)
{
	int adone = 0, bdone = 0;

	for (;;) {
		size_t al = adone ? 0 : strcspn(a, "."), bl = bdone ? 0 : strcspn(b, ".");
		int d = compare_pre_part(a, al, b, bl);

		if (d != 0)
			return d;
		if (!adone) {
			a += al;
			if (*a == '.')
				a++;
			else
				adone = 1;
		}
		if (!bdone) {
			b += bl;
			if (*b == '.')
				b++;
			else
				bdone = 1;
		}
		if (adone && bdone)
			return 0;
	}
}

static int semver_compare(const struct semver *v, const struct semver *o)
{
	int d;

	if ((d = cmp_u64(v->major, o->major)) || (d = cmp_u64(v->minor, o->minor)) ||
	    (d = cmp_u64(v->patch, o->patch)))
		return d;
	if (!*v->pre && !*o->pre)
		return 0;
	if (!*v->pre)
		return 1;
	if (!*o->pre)
		return -1;
	return compare_pre(v->pre, o->pre);
}

/* ---- constraints ----
 *
 * The library reads constraints with four regular expressions built from
 * one version pattern CV and one operator alternation OPS:
 *
 *   CV  = v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?
 *         (-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?
 *   OPS = =||!=|>|<|>=|=>|<=|=<|~|~>|\^        (note the empty alternative)
 *
 *   one    ^\s*(OPS)\s*(CV)\s*$                 parseConstraint
 *   range  \s*(CV)\s+-\s+(CV)\s*                rewriteRange, FindAll
 *   find   (OPS)\s*(CV)                         FindAll over each || part
 *   valid  ^(\s*(OPS)\s*(CV)\s*)((?:\s+|,\s*)(OPS)\s*(CV)\s*)*$
 *
 * They are matched here by hand, with Go's leftmost-first choices. Two
 * facts make that direct: CV never contains white space or a comma, and
 * every CV is followed in these patterns by white space, a comma, the end
 * or nothing, so only CV's greedy match can lead to a match (a shorter one
 * stops before a character of CV); and at most one alternative of OPS is
 * followed by a CV (no CV starts with = ! < > ~ ^), so the operator is
 * never a choice. \s is Go's: tab, newline, form feed, carriage return,
 * space (not vertical tab). All of it only reads its input: thread-safe.
 */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	return p;
}

/* [0-9|x|X|\*] */
static int is_cv_num(char c)
{
	return (c >= '0' && c <= '9') || c == '|' || c == 'x' || c == 'X' || c == '*';
}

/* One CV match: the parts parseConstraint reads (m[2] .. m[6]); a missing
 * group has length 0. */
struct cv_match {
	const char *whole, *major, *minor, *patch, *pre;
	size_t whole_len, major_len, minor_len, patch_len, pre_len;
};

/* (\.[0-9|x|X|\*]+)? at p: its end (p when absent). */
static const char *cv_dot_num(const char *p, const char *end)
{
	if (p + 1 < end && *p == '.' && is_cv_num(p[1])) {
		p += 2;
		while (p < end && is_cv_num(*p))
			p++;
	}
	return p;
}

/* (<lead>([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))? at p: its end. */
static const char *cv_idents(const char *p, const char *end, char lead)
{
	if (p + 1 < end && *p == lead && is_ident_char(p[1])) {
		const char *e = scan_idents(p + 1, end);

		if (e)
			return e;
	}
	return p;
}

/* CV's greedy match at p, or NULL. */
static const char *cv_match(struct cv_match *m, const char *p, const char *end)
{
	const char *t = p, *u;

	if (t < end && *t == 'v')
		t++;
	if (t >= end || !is_cv_num(*t))
		return NULL;
	m->whole = p;
	m->major = t;
	while (t < end && is_cv_num(*t))
		t++;
	m->major_len = (size_t)(t - m->major);
	m->minor = t;
	t = cv_dot_num(t, end);
	m->minor_len = (size_t)(t - m->minor);
	m->patch = t;
	t = cv_dot_num(t, end);
	m->patch_len = (size_t)(t - m->patch);
	m->pre = t;
	t = cv_idents(t, end, '-');
	m->pre_len = (size_t)(t - m->pre);
	u = cv_idents(t, end, '+');
	m->whole_len = (size_t)(u - p);
	return u;
}

enum cop { OP_TILDE_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_TILDE, OP_CARET };

/* OPS in the library's order, then \s*(CV): the end of the match at p, or
 * NULL; *op the operator. */
static const char *op_cv_match(enum cop *op, struct cv_match *m, const char *p,
			       const char *end)
{
	static const struct {
		char text[3];
		enum cop op;
	} ops[] = {
		{ "=", OP_TILDE_EQ }, { "", OP_TILDE_EQ }, { "!=", OP_NE }, { ">", OP_GT },
		{ "<", OP_LT }, { ">=", OP_GE }, { "=>", OP_GE }, { "<=", OP_LE },
		{ "=<", OP_LE }, { "~", OP_TILDE }, { "~>", OP_TILDE }, { "^", OP_CARET },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);
		const char *e;

		if ((size_t)(end - p) < n || memcmp(p, ops[i].text, n) != 0)
			continue;
		if ((e = cv_match(m, skip_space(p + n, end), end)) != NULL) {
			*op = ops[i].op;
			return e;
		}
	}
	return NULL;
}

/* validConstraintRegex.MatchString */
static int valid_match(const char *p, const char *end)
{
	struct cv_match m;
	enum cop op;

	for (;;) {
		const char *q;

		p = op_cv_match(&op, &m, skip_space(p, end), end);
		if (!p)
			return 0;
		q = skip_space(p, end);
		if (q == end)
			return 1;
		if (*q == ',')
			q++;
		else if (q == p)
			return 0;
		p = q;
	}
}

struct constraint {
	enum cop op;
	struct semver con;
	int dirty, minor_dirty, patch_dirty;
};

struct group {
	struct constraint *c;
	size_t n;
	int has_pre;
};

static int is_x(const char *s, size_t n)
{
	return n == 1 && (*s == 'x' || *s == 'X' || *s == '*');
}

/* parseConstraint. 0, or -1 with Go's error text in err. */
static int parse_constraint(struct constraint *c, const char *s, size_t len, struct buf *err)
{
	struct buf ver = BUF_INIT;
	struct cv_match m;
	const char *end = s + len, *e;

	memset(c, 0, sizeof(*c));
	/* An empty piece is only reachable through FindAll's nil result
	 * with an empty v, which the validity check already refused. */
	e = op_cv_match(&c->op, &m, skip_space(s, end), end);
	if (!e || skip_space(e, end) != end) {
		buf_addf(err, "improper constraint: %.*s", (int)len, s);
		return -1;
	}
	if (is_x(m.major, m.major_len)) {
		buf_addf(&ver, "0.0.0%.*s", (int)m.pre_len, m.pre);
		c->dirty = 1;
	} else if (m.minor_len == 0 || is_x(m.minor + 1, m.minor_len - 1)) {
		buf_addf(&ver, "%.*s.0.0%.*s", (int)m.major_len, m.major, (int)m.pre_len, m.pre);
		c->dirty = c->minor_dirty = 1;
	} else if (m.patch_len == 0 || is_x(m.patch + 1, m.patch_len - 1)) {
		buf_addf(&ver, "%.*s%.*s.0%.*s", (int)m.major_len, m.major, (int)m.minor_len,
			 m.minor, (int)m.pre_len, m.pre);
		c->dirty = c->patch_dirty = 1;
	} else {
		buf_add(&ver, m.whole, m.whole_len);
	}
	if (buf_oom(&ver)) {
		buf_release(&ver);
		buf_adds(err, "out of memory");
		return -1;
	}
	if (semver_parse(&c->con, ver.ptr, ver.len, NULL) < 0) {
		buf_release(&ver);
		buf_adds(err, "constraint parser error");
		return -1;
	}
	buf_release(&ver);
	return 0;
}

/* constraintRangeRegex's next match in [p, end): its start, or NULL; *mend
 * its end, lo and hi the two versions. */
static const char *range_find(const char **mend, struct cv_match *lo, struct cv_match *hi,
			      const char *p, const char *end)
{
	while (p < end) {
		const char *v = skip_space(p, end), *e, *q;

		/* From every position of a run of white space CV starts at
		 * its end: one try stands for all of them. */
		if ((e = cv_match(lo, v, end)) != NULL) {
			q = skip_space(e, end);
			if (q > e && q < end && *q == '-') {
				const char *r = skip_space(q + 1, end);

				if (r > q + 1 && (e = cv_match(hi, r, end)) != NULL) {
					*mend = skip_space(e, end);
					return p;
				}
			}
		}
		p = v > p ? v : p + 1;
	}
	return NULL;
}

/* rewriteRange: "a - b" becomes ">= a, <= b ", each replacing the first
 * occurrence of the matched text, as strings.Replace(o, v[0], t, 1). The
 * matches are found in the original text first, as FindAll does. */
static int rewrite_range(struct buf *out, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *start, *mend;
	struct cv_match lo, hi;
	struct buf t = BUF_INIT, next = BUF_INIT;
	struct range {
		const char *start;
		size_t len;
		struct cv_match lo, hi;
	} *r = NULL;
	size_t n = 0, alloc = 0, i;
	int error = 0;

	buf_set(out, s, len);
	while ((start = range_find(&mend, &lo, &hi, p, end)) != NULL) {
		if (n == alloc) {
			size_t na = alloc ? 2 * alloc : 4;
			struct range *nr = realloc(r, na * sizeof(*nr));

			if (!nr) {
				error = DIAG_ENOMEM;
				goto done;
			}
			r = nr;
			alloc = na;
		}
		r[n].start = start;
		r[n].len = (size_t)(mend - start);
		r[n].lo = lo;
		r[n].hi = hi;
		n++;
		p = mend;
	}
	for (i = 0; i < n; i++) {
		const char *at = find_bytes(out->ptr, out->len, r[i].start, r[i].len);

		if (!at)
			continue;
		buf_reset(&t);
		buf_addf(&t, ">= %.*s, <= %.*s ", (int)r[i].lo.whole_len, r[i].lo.whole,
			 (int)r[i].hi.whole_len, r[i].hi.whole);
		buf_reset(&next);
		buf_add(&next, out->ptr, (size_t)(at - out->ptr));
		buf_add(&next, t.ptr, t.len);
		buf_add(&next, at + r[i].len, out->len - (size_t)(at - out->ptr) - r[i].len);
		buf_set(out, next.ptr, next.len);
	}
	if (buf_oom(out) || buf_oom(&t) || buf_oom(&next))
		error = DIAG_ENOMEM;
done:
	buf_release(&t);
	buf_release(&next);
	free(r);
	return error;
}

static void groups_free(struct group *g, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < g[i].n; j++)
			semver_release(&g[i].c[j].con);
		free(g[i].c);
	}
	free(g);
}

/* One || part: findConstraintRegex.FindAllString, each piece through
 * parseConstraint. 0, or -1 with err set. */
static int parse_group(struct group *g, const char *p, size_t plen, struct buf *err)
{
	const char *end = p + plen, *q = p;
	size_t alloc = 0;

	if (!valid_match(p, end)) {
		buf_addf(err, "improper constraint: %.*s", (int)plen, p);
		return -1;
	}
	while (q < end) {
		struct cv_match m;
		enum cop op;
		const char *v = skip_space(q, end), *e;

		/* Only the empty operator matches at white space, and then
		 * from every position of the run alike. */
		if ((e = op_cv_match(&op, &m, q, end)) == NULL) {
			q = v > q ? v : q + 1;
			continue;
		}
		if (g->n == alloc) {
			size_t na = alloc ? 2 * alloc : 4;
			struct constraint *nc = realloc(g->c, na * sizeof(*nc));

			if (!nc) {
				buf_adds(err, "out of memory");
				return -1;
			}
			g->c = nc;
			alloc = na;
		}
		if (parse_constraint(&g->c[g->n], q, (size_t)(e - q), err) < 0)
			return -1;
		if (*g->c[g->n].con.pre)
			g->has_pre = 1;
		g->n++;
		q = e;
	}
	/* FindAll finds nothing only where the validity check refused */
	return g->n ? 0 : -1;
}

/* NewConstraint: *out groups (OR of ANDs). 0, or -1 with err set. */
static int parse_constraints(struct group **out, size_t *nout, const char *s, size_t len,
			     struct buf *err)
{
	struct buf text = BUF_INIT;
	struct group *g = NULL;
	size_t ng = 0;
	const char *p, *end;
	int error = -1;

	if (rewrite_range(&text, s, len) < 0) {
		buf_adds(err, "out of memory");
		goto done;
	}
	/* strings.Split(c, "||") */
	for (p = text.ptr, end = text.ptr + text.len;;) {
		const char *bar = find_bytes(p, (size_t)(end - p), "||", 2);
		size_t plen = bar ? (size_t)(bar - p) : (size_t)(end - p);
		struct group *ng2;

		error = -1;
		if (!(ng2 = realloc(g, (ng + 1) * sizeof(*g)))) {
			buf_adds(err, "out of memory");
			goto done;
		}
		g = ng2;
		memset(&g[ng], 0, sizeof(g[ng]));
		ng++;
		if (parse_group(&g[ng - 1], p, plen, err) < 0) {
			if (!err->len)
				buf_adds(err, "out of memory");
			goto done;
		}
		if (!bar)
			break;
		p = bar + 2;
	}
	*out = g;
	*nout = ng;
	g = NULL;
	error = 0;
done:
	if (g)
		groups_free(g, ng);
	buf_release(&text);
	return error;
}
static int less_than(const struct semver *v, const struct semver *c)
{
	return semver_compare(v, c) < 0;
}

/* The library's constraint functions, without their error texts (Check
 * drops them). */
static int check(const struct constraint *c, const struct semver *v, int include_pre)
{
	const struct semver *k = &c->con;

	if (*v->pre && !include_pre)
		return 0;
	switch (c->op) {
	case OP_NE:
		if (c->dirty) {
			if (k->major != v->major)
				return 1;
			if (k->minor != v->minor && !c->minor_dirty)
				return 1;
			else if (c->minor_dirty)
				return 0;
			else if (k->patch != v->patch && !c->patch_dirty)
				return 1;
			else if (c->patch_dirty) {
				if (*v->pre || *k->pre)
					return compare_pre(v->pre, k->pre) != 0;
				return 0;
			}
		}
		return semver_compare(v, k) != 0;
	case OP_GT:
		if (!c->dirty)
			return semver_compare(v, k) == 1;
		if (v->major > k->major)
			return 1;
		if (v->major < k->major)
			return 0;
		if (c->minor_dirty)
			return 0;
		if (c->patch_dirty)
			return v->minor > k->minor;
		return semver_compare(v, k) == 1;
	case OP_LT:
		return semver_compare(v, k) < 0;
	case OP_GE:
		return semver_compare(v, k) >= 0;
	case OP_LE:
		if (!c->dirty)
			return semver_compare(v, k) <= 0;
		if (v->major > k->major)
			return 0;
		if (v->major == k->major && v->minor > k->minor && !c->minor_dirty)
			return 0;
		return 1;
	case OP_TILDE_EQ:
		if (!c->dirty)
			return semver_compare(v, k) == 0;
		/* a dirty "=" is a tilde */
		/* fall through */
	case OP_TILDE:
		if (less_than(v, k))
			return 0;
		if (k->major == 0 && k->minor == 0 && k->patch == 0 && !c->minor_dirty &&
		    !c->patch_dirty)
			return 1;
		if (v->major != k->major)
			return 0;
		if (v->minor != k->minor && !c->minor_dirty)
			return 0;
		return 1;
	case OP_CARET:
		if (less_than(v, k))
			return 0;
		if (k->major > 0 || c->minor_dirty)
			return v->major == k->major;
		if (k->major == 0 && v->major > 0)
			return 0;
		if (k->minor > 0 || c->patch_dirty)
			return v->minor == k->minor;
		if (k->minor == 0 && v->minor > 0)
			return 0;
		return k->patch == v->patch;
	}
	return 0;
}

static json_t *semver_json(const struct semver *v)
{
	return json_pack("{sIsIsIssssss}", "major", (json_int_t)v->major, "minor",
			 (json_int_t)v->minor, "patch", (json_int_t)v->patch, "pre", v->pre,
			 "metadata", v->metadata, "original", v->original);
}

static int S_semver(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct semver v;
	struct buf err = BUF_INIT;
	size_t len;
	const char *s = tval_str_ptr(&argv[0], &len);
	json_t *j;
	int error;

	if (semver_parse(&v, s, len, &err) < 0) {
		error = tmpl_call_errorf(call, "%s", err.ptr);
		buf_release(&err);
		return error;
	}
	j = semver_json(&v);
	semver_release(&v);
	if (!j)
		return tmpl_call_errorf(call, "out of memory");
	*out = tval_json_new(TV_SEMVER, j);
	return 0;
}

static int S_semverCompare(struct tval *out, struct tmpl_call *call, int argc,
			   const struct tval *argv)
{
	struct group *g = NULL;
	size_t ng = 0, i, j, clen, vlen;
	const char *cs = tval_str_ptr(&argv[0], &clen);
	const char *vs = tval_str_ptr(&argv[1], &vlen);
	struct semver v;
	struct buf err = BUF_INIT;
	int error, ok = 0;

	memset(&v, 0, sizeof(v));
	if (parse_constraints(&g, &ng, cs, clen, &err) < 0 || semver_parse(&v, vs, vlen, &err) < 0) {
		error = tmpl_call_errorf(call, "%s", err.ptr);
		goto done;
	}
	for (i = 0; i < ng && !ok; i++) {
		int all = 1;

		for (j = 0; j < g[i].n && all; j++)
			all = check(&g[i].c[j], &v, g[i].has_pre);
		ok = all;
	}
	*out = tval_bool(ok);
	error = 0;
done:
	if (g)
		groups_free(g, ng);
	semver_release(&v);
	buf_release(&err);
	return error;
}

static const struct tmpl_func S_funcs[] = {
	{ "semver", S_semver, "s", 0, NULL },
	{ "semverCompare", S_semverCompare, "ss", 0, NULL },
};

int sprig_semver_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
