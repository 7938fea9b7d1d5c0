/*
 * Sprig's semver functions (semver.go) on Masterminds/semver v3.4.0, the
 * version Helm 4.1.4 links: semver (NewVersion, which coerces "1.2" and
 * "v1") and semverCompare (NewConstraint + Check).
 *
 * Constraints are parsed with the library's own regular expressions, run
 * through sprig_regex_util, so ranges ("1.2 - 1.4"), wildcards, ||, commas
 * and odd spacing split exactly as Go splits them. The compiled expressions
 * are built once (pthread_once) and only read afterwards.
 */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_regex_util.h"

#include "render/buf.h"
#include "render/diag.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
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

/* ---- constraints ---- */

#define CV "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?" \
	"(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?" \
	"(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"
#define OPS "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^"

static struct sre *re_constraint, *re_range, *re_find, *re_valid;
static pthread_once_t re_once = PTHREAD_ONCE_INIT;

static void compile_regexes(void)
{
	static const char constraint[] = "^\\s*(" OPS ")\\s*(" CV ")\\s*$";
	static const char range[] = "\\s*(" CV ")\\s+-\\s+(" CV ")\\s*";
	static const char find[] = "(" OPS ")\\s*(" CV ")";
	static const char valid[] = "^(\\s*(" OPS ")\\s*(" CV ")\\s*)((?:\\s+|,\\s*)(" OPS
				    ")\\s*(" CV ")\\s*)*$";

	if (sre_compile(&re_constraint, constraint, sizeof(constraint) - 1, NULL) < 0 ||
	    sre_compile(&re_range, range, sizeof(range) - 1, NULL) < 0 ||
	    sre_compile(&re_find, find, sizeof(find) - 1, NULL) < 0 ||
	    sre_compile(&re_valid, valid, sizeof(valid) - 1, NULL) < 0) {
		sre_free(re_constraint);
		sre_free(re_range);
		sre_free(re_find);
		re_constraint = re_range = re_find = NULL;
	}
}

enum cop { OP_TILDE_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_TILDE, OP_CARET };

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

static enum cop op_of(const char *s, size_t n)
{
	static const struct {
		const char *text;
		enum cop op;
	} ops[] = {
		{ "", OP_TILDE_EQ }, { "=", OP_TILDE_EQ }, { "!=", OP_NE }, { ">", OP_GT },
		{ "<", OP_LT }, { ">=", OP_GE }, { "=>", OP_GE }, { "<=", OP_LE },
		{ "=<", OP_LE }, { "~", OP_TILDE }, { "~>", OP_TILDE }, { "^", OP_CARET },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i].text) == n && memcmp(ops[i].text, s, n) == 0)
			return ops[i].op;
	return OP_TILDE_EQ;
}

static int is_x(const char *s, size_t n)
{
	return n == 1 && (*s == 'x' || *s == 'X' || *s == '*');
}

/* Text of group g of a match, or "" (length 0) when unset. */
static size_t grp(const char *s, const ssize_t *ov, int g, const char **p)
{
	if (ov[2 * g] < 0) {
		*p = "";
		return 0;
	}
	*p = s + ov[2 * g];
	return (size_t)(ov[2 * g + 1] - ov[2 * g]);
}

/* parseConstraint. 0, or -1 with Go's error text in err. */
static int parse_constraint(struct constraint *c, const char *s, size_t len, struct buf *err)
{
	struct sre_subject sub;
	struct buf ver = BUF_INIT;
	ssize_t ov[2 * 12];
	const char *op, *m2, *m3, *m4, *m5, *m6;
	size_t oplen, l2, l3, l4, l5, l6;
	int rc;

	memset(c, 0, sizeof(*c));
	/* An empty piece is only reachable through FindAll's nil result
	 * with an empty v, which the validity check already refused. */
	if (sre_subject_init(&sub, s, len) < 0)
		goto oom;
	rc = sre_exec(re_constraint, &sub, 0, ov, NULL);
	sre_subject_release(&sub);
	if (rc <= 0) {
		buf_addf(err, "improper constraint: %.*s", (int)len, s);
		return -1;
	}
	oplen = grp(s, ov, 1, &op);
	l2 = grp(s, ov, 2, &m2);
	l3 = grp(s, ov, 3, &m3);
	l4 = grp(s, ov, 4, &m4);
	l5 = grp(s, ov, 5, &m5);
	l6 = grp(s, ov, 6, &m6);
	c->op = op_of(op, oplen);
	if (is_x(m3, l3) || l3 == 0) {
		buf_addf(&ver, "0.0.0%.*s", (int)l6, m6);
		c->dirty = 1;
	} else if ((l4 && is_x(m4 + 1, l4 - 1)) || l4 == 0) {
		buf_addf(&ver, "%.*s.0.0%.*s", (int)l3, m3, (int)l6, m6);
		c->dirty = c->minor_dirty = 1;
	} else if ((l5 && is_x(m5 + 1, l5 - 1)) || l5 == 0) {
		buf_addf(&ver, "%.*s%.*s.0%.*s", (int)l3, m3, (int)l4, m4, (int)l6, m6);
		c->dirty = c->patch_dirty = 1;
	} else {
		buf_add(&ver, m2, l2);
	}
	if (buf_oom(&ver))
		goto oom;
	if (semver_parse(&c->con, ver.ptr, ver.len, NULL) < 0) {
		buf_release(&ver);
		buf_adds(err, "constraint parser error");
		return -1;
	}
	buf_release(&ver);
	return 0;
oom:
	buf_release(&ver);
	buf_adds(err, "out of memory");
	return -1;
}

struct range_match {
	struct buf whole, lo, hi;
};

struct range_list {
	struct range_match *m;
	size_t n, alloc;
	const char *s;
};

static int S_range_cb(const ssize_t *ov, void *payload)
{
	struct range_list *l = payload;
	struct range_match *m;
	const char *p;
	size_t n;

	if (l->n == l->alloc) {
		size_t na = l->alloc ? 2 * l->alloc : 4;
		struct range_match *nm = realloc(l->m, na * sizeof(*nm));

		if (!nm)
			return DIAG_ENOMEM;
		l->m = nm;
		l->alloc = na;
	}
	m = &l->m[l->n++];
	m->whole = (struct buf)BUF_INIT;
	m->lo = (struct buf)BUF_INIT;
	m->hi = (struct buf)BUF_INIT;
	n = grp(l->s, ov, 0, &p);
	buf_add(&m->whole, p, n);
	n = grp(l->s, ov, 1, &p);
	buf_add(&m->lo, p, n);
	n = grp(l->s, ov, 11, &p);
	buf_add(&m->hi, p, n);
	return 0;
}

/* rewriteRange: "a - b" becomes ">= a, <= b ", each replacing the first
 * occurrence of the matched text, as strings.Replace(o, v[0], t, 1). */
static int rewrite_range(struct buf *out, const char *s, size_t len)
{
	struct range_list l = { NULL, 0, 0, s };
	size_t i;
	int error;

	buf_set(out, s, len);
	error = sre_find_all(re_range, s, len, -1, S_range_cb, &l, NULL);
	for (i = 0; error == 0 && i < l.n; i++) {
		struct range_match *m = &l.m[i];
		struct buf t = BUF_INIT, next = BUF_INIT;
		const char *at = find_bytes(out->ptr, out->len, m->whole.ptr, m->whole.len);

		buf_addf(&t, ">= %s, <= %s ", m->lo.ptr, m->hi.ptr);
		if (at) {
			buf_add(&next, out->ptr, (size_t)(at - out->ptr));
			buf_add(&next, t.ptr, t.len);
			buf_add(&next, at + m->whole.len,
				out->len - (size_t)(at - out->ptr) - m->whole.len);
			buf_set(out, next.ptr, next.len);
		}
		buf_release(&t);
		buf_release(&next);
	}
	for (i = 0; i < l.n; i++) {
		buf_release(&l.m[i].whole);
		buf_release(&l.m[i].lo);
		buf_release(&l.m[i].hi);
	}
	free(l.m);
	return error < 0 ? error : (buf_oom(out) ? DIAG_ENOMEM : 0);
}

struct piece_list {
	struct buf *p;
	size_t n, alloc;
	const char *s;
};

static int S_piece_cb(const ssize_t *ov, void *payload)
{
	struct piece_list *l = payload;

	if (l->n == l->alloc) {
		size_t na = l->alloc ? 2 * l->alloc : 4;
		struct buf *np = realloc(l->p, na * sizeof(*np));

		if (!np)
			return DIAG_ENOMEM;
		l->p = np;
		l->alloc = na;
	}
	l->p[l->n] = (struct buf)BUF_INIT;
	buf_add(&l->p[l->n++], l->s + ov[0], (size_t)(ov[1] - ov[0]));
	return 0;
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

/* NewConstraint: *out groups (OR of ANDs). 0, or -1 with err set. */
static int parse_constraints(struct group **out, size_t *nout, const char *s, size_t len,
			     struct buf *err)
{
	struct buf text = BUF_INIT;
	struct group *g = NULL;
	size_t ng = 0, i;
	const char *p, *end;
	int error = -1;

	if (rewrite_range(&text, s, len) < 0) {
		buf_adds(err, "out of memory");
		goto done;
	}
	/* strings.Split(c, "||") */
	for (p = text.ptr, end = text.ptr + text.len;; ) {
		const char *bar = find_bytes(p, (size_t)(end - p), "||", 2);
		size_t plen = bar ? (size_t)(bar - p) : (size_t)(end - p);
		struct sre_subject sub;
		struct piece_list pl = { NULL, 0, 0, p };
		struct group *ng2;
		ssize_t ov[2 * 40];
		int rc;

		error = -1;
		if (!(ng2 = realloc(g, (ng + 1) * sizeof(*g)))) {
			buf_adds(err, "out of memory");
			goto done;
		}
		g = ng2;
		memset(&g[ng], 0, sizeof(g[ng]));
		ng++;
		if (sre_subject_init(&sub, p, plen) < 0) {
			buf_adds(err, "out of memory");
			goto done;
		}
		rc = sre_exec(re_valid, &sub, 0, ov, NULL);
		sre_subject_release(&sub);
		if (rc <= 0) {
			buf_addf(err, "improper constraint: %.*s", (int)plen, p);
			goto done;
		}
		if (sre_find_all(re_find, p, plen, -1, S_piece_cb, &pl, NULL) < 0) {
			buf_adds(err, "out of memory");
			goto done;
		}
		if (pl.n == 0) {
			pl.p = malloc(sizeof(*pl.p));
			if (pl.p) {
				pl.p[0] = (struct buf)BUF_INIT;
				buf_add(&pl.p[0], p, plen);
				pl.n = 1;
			}
		}
		g[ng - 1].c = calloc(pl.n ? pl.n : 1, sizeof(struct constraint));
		error = g[ng - 1].c ? 0 : -1;
		for (i = 0; error == 0 && i < pl.n; i++) {
			if ((error = parse_constraint(&g[ng - 1].c[i], pl.p[i].ptr, pl.p[i].len, err)) < 0)
				break;
			g[ng - 1].n++;
			if (*g[ng - 1].c[i].con.pre)
				g[ng - 1].has_pre = 1;
		}
		for (i = 0; i < pl.n; i++)
			buf_release(&pl.p[i]);
		free(pl.p);
		if (error < 0) {
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
	pthread_once(&re_once, compile_regexes);
	if (!re_valid) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
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
