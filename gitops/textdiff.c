/*
 * A unified line diff that prints what `git diff` prints (the hunks after
 * its "diff --git" and "index" lines), indent heuristic included.
 *
 * Lines are interned to small integers; Myers' middle-snake search finds
 * an edit script on them (an explicit stack instead of recursion); the
 * change groups are then slid as git's xdl_change_compact slides them; the
 * hunks are cut and printed as xdl_emit_diff prints them.
 */
#include "gitops/textdiff.h"

#include "render/buf.h"
#include "render/diag.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct S_side {
	const char *data;
	size_t len;
	size_t n;            /* lines */
	size_t *off;         /* n + 1 offsets: line i is [off[i], off[i + 1]) */
	unsigned *ids;       /* n interned ids */
	char *chg_mem;       /* n + 2 bytes */
	char *chg;           /* chg_mem + 1, so chg[-1] and chg[n] are 0 */
};

static void S_side_release(struct S_side *s)
{
	free(s->off);
	free(s->ids);
	free(s->chg_mem);
}

static int S_split_lines(struct S_side *s, const char *data, size_t len)
{
	size_t n = 0, i;

	s->data = data ? data : "";
	s->len = data ? len : 0;
	for (i = 0; i < s->len; i++)
		if (s->data[i] == '\n')
			n++;
	if (s->len && s->data[s->len - 1] != '\n')
		n++;
	s->n = n;
	s->off = malloc((n + 1) * sizeof(*s->off));
	s->ids = malloc((n ? n : 1) * sizeof(*s->ids));
	s->chg_mem = calloc(n + 2, 1);
	if (!s->off || !s->ids || !s->chg_mem)
		return DIAG_ENOMEM;
	s->chg = s->chg_mem + 1;
	n = 0;
	s->off[0] = 0;
	for (i = 0; i < s->len; i++)
		if (s->data[i] == '\n')
			s->off[++n] = i + 1;
	if (n < s->n)
		s->off[++n] = s->len;
	return 0;
}

static uint64_t S_hash(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;  /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Gives equal lines of both sides equal ids (an open-addressing table). */
static int S_intern(struct S_side *a, struct S_side *b, unsigned *nids_out)
{
	size_t total = a->n + b->n, cap = 16;
	struct slot { const char *p; size_t len; uint64_t h; unsigned id; } *tab;
	unsigned next = 1;

	while (cap < total * 2)
		cap *= 2;
	tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return DIAG_ENOMEM;
	for (int side = 0; side < 2; side++) {
		struct S_side *s = side ? b : a;

		for (size_t i = 0; i < s->n; i++) {
			const char *p = s->data + s->off[i];
			size_t len = s->off[i + 1] - s->off[i];
			uint64_t h = S_hash(p, len);
			size_t j = (size_t)h & (cap - 1);

			while (tab[j].id && !(tab[j].h == h && tab[j].len == len &&
					      !memcmp(tab[j].p, p, len)))
				j = (j + 1) & (cap - 1);
			if (!tab[j].id) {
				tab[j].p = p;
				tab[j].len = len;
				tab[j].h = h;
				tab[j].id = next++;
			}
			s->ids[i] = tab[j].id;
		}
	}
	free(tab);
	*nids_out = next - 1;
	return 0;
}

/*
 * Before the search, git sets aside what it can decide cheaply
 * (xdiff/xprepare.c): the common first and last lines, and lines that occur
 * only on one side (changed for sure). A line that occurs many times on
 * the other side is set aside too when it sits in a run of such lines.
 * The search then runs on the lines left (ha[], with rindex[] mapping back).
 */
struct S_reduced {
	unsigned *ha;
	size_t *rindex;
	size_t n;
};

static size_t S_bogosqrt(size_t n)
{
	size_t i = 1;

	for (; n > 0; n >>= 2)
		i <<= 1;
	return i;
}

/* 1 if the many-match line i (dis[i] == 2) sits among lines with no match. */
static int S_clean_mmatch(const char *dis, long i, long s, long e)
{
	long r, rdis0, rpdis0, rdis1, rpdis1;

	if (i - s > 100)
		s = i - 100;
	if (e - i > 100)
		e = i + 100;
	for (r = 1, rdis0 = 0, rpdis0 = 1; i - r >= s; r++) {
		if (!dis[i - r])
			rdis0++;
		else if (dis[i - r] == 2)
			rpdis0++;
		else
			break;
	}
	if (rdis0 == 0)
		return 0;
	for (r = 1, rdis1 = 0, rpdis1 = 1; i + r <= e; r++) {
		if (!dis[i + r])
			rdis1++;
		else if (dis[i + r] == 2)
			rpdis1++;
		else
			break;
	}
	if (rdis1 == 0)
		return 0;
	rdis1 += rdis0;
	rpdis1 += rpdis0;
	return rpdis1 * 4 < rpdis1 + rdis1;
}

static int S_reduce(struct S_reduced *ra, struct S_reduced *rb, struct S_side *a,
		    struct S_side *b, unsigned nids)
{
	size_t *cnt_a = calloc((size_t)nids + 1, sizeof(size_t));
	size_t *cnt_b = calloc((size_t)nids + 1, sizeof(size_t));
	char *dis = calloc(a->n + b->n + 2, 1);
	size_t start = 0, tail = 0, lim;
	int error = DIAG_ENOMEM;

	ra->ha = malloc((a->n ? a->n : 1) * sizeof(unsigned));
	ra->rindex = malloc((a->n ? a->n : 1) * sizeof(size_t));
	rb->ha = malloc((b->n ? b->n : 1) * sizeof(unsigned));
	rb->rindex = malloc((b->n ? b->n : 1) * sizeof(size_t));
	if (!cnt_a || !cnt_b || !dis || !ra->ha || !ra->rindex || !rb->ha || !rb->rindex)
		goto done;
	for (size_t i = 0; i < a->n; i++)
		cnt_a[a->ids[i]]++;
	for (size_t i = 0; i < b->n; i++)
		cnt_b[b->ids[i]]++;
	lim = a->n < b->n ? a->n : b->n;
	while (start < lim && a->ids[start] == b->ids[start])
		start++;
	while (tail < lim - start && a->ids[a->n - 1 - tail] == b->ids[b->n - 1 - tail])
		tail++;
	for (int side = 0; side < 2; side++) {
		struct S_side *s = side ? b : a;
		struct S_reduced *r = side ? rb : ra;
		const size_t *other = side ? cnt_a : cnt_b;
		char *sdis = dis + (side ? a->n + 1 : 0);
		size_t mlim = S_bogosqrt(s->n), end = s->n - tail; /* exclusive */

		if (mlim > 1024)
			mlim = 1024;
		for (size_t i = start; i < end; i++) {
			size_t nm = other[s->ids[i]];

			sdis[i] = nm == 0 ? 0 : nm >= mlim ? 2 : 1;
		}
		r->n = 0;
		for (size_t i = start; i < end; i++) {
			if (sdis[i] == 1 ||
			    (sdis[i] == 2 && !S_clean_mmatch(sdis, (long)i, (long)start,
							     (long)end - 1))) {
				r->rindex[r->n] = i;
				r->ha[r->n] = s->ids[i];
				r->n++;
			} else {
				s->chg[i] = 1;
			}
		}
	}
	error = 0;
done:
	free(cnt_a);
	free(cnt_b);
	free(dis);
	return error;
}

struct S_range {
	long off1, lim1, off2, lim2;
	int need_min;
};

struct S_myers {
	const unsigned *ha1, *ha2;
	const size_t *rindex1, *rindex2;
	char *chg1, *chg2;
	long *kvdf, *kvdb;      /* indexed by diagonal (i1 - i2) */
	long mxcost;
	struct S_range *stack;
	size_t nstack, astack;
};

#define S_LINE_MAX ((long)((~0UL) >> 1))
#define S_SNAKE_CNT 20
#define S_HEUR_MIN_COST 256

static int S_push(struct S_myers *m, long off1, long lim1, long off2, long lim2, int need_min)
{
	if (m->nstack == m->astack) {
		size_t na = m->astack ? m->astack * 2 : 64;
		struct S_range *ns = realloc(m->stack, na * sizeof(*ns));

		if (!ns)
			return DIAG_ENOMEM;
		m->stack = ns;
		m->astack = na;
	}
	m->stack[m->nstack++] = (struct S_range){ off1, lim1, off2, lim2, need_min };
	return 0;
}

struct S_split {
	long i1, i2;
	int min_lo, min_hi;
};

/*
 * The middle snake of the box [off1, lim1) x [off2, lim2), searched from
 * both corners at once (xdiff/xdiffi.c xdl_split): the first overlap of a
 * forward and a backward path, diagonals scanned from the highest down.
 * Unless need_min, a long diagonal run past a cost, or the cost limit
 * itself, ends the search early with a good-enough split.
 */
static void S_split(struct S_myers *m, long off1, long lim1, long off2, long lim2,
		    int need_min, struct S_split *spl)
{
	const unsigned *ha1 = m->ha1, *ha2 = m->ha2;
	long *kvdf = m->kvdf, *kvdb = m->kvdb;
	long dmin = off1 - lim2, dmax = lim1 - off2;
	long fmid = off1 - off2, bmid = lim1 - lim2;
	long odd = (fmid - bmid) & 1;
	long fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
	long ec, d, i1, i2, prev1, best, dd, v, k;

	kvdf[fmid] = off1;
	kvdb[bmid] = lim1;
	for (ec = 1;; ec++) {
		int got_snake = 0;

		if (fmin > dmin)
			kvdf[--fmin - 1] = -1;
		else
			++fmin;
		if (fmax < dmax)
			kvdf[++fmax + 1] = -1;
		else
			--fmax;
		for (d = fmax; d >= fmin; d -= 2) {
			if (kvdf[d - 1] >= kvdf[d + 1])
				i1 = kvdf[d - 1] + 1;
			else
				i1 = kvdf[d + 1];
			prev1 = i1;
			i2 = i1 - d;
			for (; i1 < lim1 && i2 < lim2 && ha1[i1] == ha2[i2]; i1++, i2++)
				;
			if (i1 - prev1 > S_SNAKE_CNT)
				got_snake = 1;
			kvdf[d] = i1;
			if (odd && bmin <= d && d <= bmax && kvdb[d] <= i1) {
				*spl = (struct S_split){ i1, i2, 1, 1 };
				return;
			}
		}
		if (bmin > dmin)
			kvdb[--bmin - 1] = S_LINE_MAX;
		else
			++bmin;
		if (bmax < dmax)
			kvdb[++bmax + 1] = S_LINE_MAX;
		else
			--bmax;
		for (d = bmax; d >= bmin; d -= 2) {
			if (kvdb[d - 1] < kvdb[d + 1])
				i1 = kvdb[d - 1];
			else
				i1 = kvdb[d + 1] - 1;
			prev1 = i1;
			i2 = i1 - d;
			for (; i1 > off1 && i2 > off2 && ha1[i1 - 1] == ha2[i2 - 1]; i1--, i2--)
				;
			if (prev1 - i1 > S_SNAKE_CNT)
				got_snake = 1;
			kvdb[d] = i1;
			if (!odd && fmin <= d && d <= fmax && i1 <= kvdf[d]) {
				*spl = (struct S_split){ i1, i2, 1, 1 };
				return;
			}
		}
		if (need_min)
			continue;
		if (got_snake && ec > S_HEUR_MIN_COST) {
			for (best = 0, d = fmax; d >= fmin; d -= 2) {
				dd = d > fmid ? d - fmid : fmid - d;
				i1 = kvdf[d];
				i2 = i1 - d;
				v = (i1 - off1) + (i2 - off2) - dd;
				if (v > 4 * ec && v > best && off1 + S_SNAKE_CNT <= i1 && i1 < lim1 &&
				    off2 + S_SNAKE_CNT <= i2 && i2 < lim2) {
					for (k = 1; ha1[i1 - k] == ha2[i2 - k]; k++)
						if (k == S_SNAKE_CNT) {
							best = v;
							spl->i1 = i1;
							spl->i2 = i2;
							break;
						}
				}
			}
			if (best > 0) {
				spl->min_lo = 1;
				spl->min_hi = 0;
				return;
			}
			for (best = 0, d = bmax; d >= bmin; d -= 2) {
				dd = d > bmid ? d - bmid : bmid - d;
				i1 = kvdb[d];
				i2 = i1 - d;
				v = (lim1 - i1) + (lim2 - i2) - dd;
				if (v > 4 * ec && v > best && off1 < i1 && i1 <= lim1 - S_SNAKE_CNT &&
				    off2 < i2 && i2 <= lim2 - S_SNAKE_CNT) {
					for (k = 0; ha1[i1 + k] == ha2[i2 + k]; k++)
						if (k == S_SNAKE_CNT - 1) {
							best = v;
							spl->i1 = i1;
							spl->i2 = i2;
							break;
						}
				}
			}
			if (best > 0) {
				spl->min_lo = 0;
				spl->min_hi = 1;
				return;
			}
		}
		if (ec >= m->mxcost) {
			long fbest = -1, fbest1 = -1, bbest = S_LINE_MAX, bbest1 = S_LINE_MAX;

			for (d = fmax; d >= fmin; d -= 2) {
				i1 = kvdf[d] < lim1 ? kvdf[d] : lim1;
				i2 = i1 - d;
				if (lim2 < i2) {
					i1 = lim2 + d;
					i2 = lim2;
				}
				if (fbest < i1 + i2) {
					fbest = i1 + i2;
					fbest1 = i1;
				}
			}
			for (d = bmax; d >= bmin; d -= 2) {
				i1 = kvdb[d] > off1 ? kvdb[d] : off1;
				i2 = i1 - d;
				if (i2 < off2) {
					i1 = off2 + d;
					i2 = off2;
				}
				if (i1 + i2 < bbest) {
					bbest = i1 + i2;
					bbest1 = i1;
				}
			}
			if ((lim1 + lim2) - bbest < fbest - (off1 + off2))
				*spl = (struct S_split){ fbest1, fbest - fbest1, 1, 0 };
			else
				*spl = (struct S_split){ bbest1, bbest - bbest1, 0, 1 };
			return;
		}
	}
}

static int S_myers_run(struct S_myers *m, long n1, long n2)
{
	int error;

	if ((error = S_push(m, 0, n1, 0, n2, 0)) < 0)
		return error;
	while (m->nstack) {
		struct S_range r = m->stack[--m->nstack];
		struct S_split spl;

		while (r.off1 < r.lim1 && r.off2 < r.lim2 && m->ha1[r.off1] == m->ha2[r.off2]) {
			r.off1++;
			r.off2++;
		}
		while (r.off1 < r.lim1 && r.off2 < r.lim2 &&
		       m->ha1[r.lim1 - 1] == m->ha2[r.lim2 - 1]) {
			r.lim1--;
			r.lim2--;
		}
		if (r.off1 == r.lim1) {
			for (long i = r.off2; i < r.lim2; i++)
				m->chg2[m->rindex2[i]] = 1;
			continue;
		}
		if (r.off2 == r.lim2) {
			for (long i = r.off1; i < r.lim1; i++)
				m->chg1[m->rindex1[i]] = 1;
			continue;
		}
		S_split(m, r.off1, r.lim1, r.off2, r.lim2, r.need_min, &spl);
		if ((error = S_push(m, spl.i1, r.lim1, spl.i2, r.lim2, spl.min_hi)) < 0 ||
		    (error = S_push(m, r.off1, spl.i1, r.off2, spl.i2, spl.min_lo)) < 0)
			return error;
	}
	return 0;
}

/* ---- git's change-group sliding (xdiff/xdiffi.c) ---- */

struct S_group {
	size_t start, end;
};

static void S_group_init(const struct S_side *s, struct S_group *g)
{
	g->start = g->end = 0;
	while (s->chg[g->end])
		g->end++;
}

static int S_group_next(const struct S_side *s, struct S_group *g)
{
	if (g->end == s->n)
		return -1;
	g->start = g->end + 1;
	for (g->end = g->start; s->chg[g->end]; g->end++)
		;
	return 0;
}

static int S_group_previous(const struct S_side *s, struct S_group *g)
{
	if (g->start == 0)
		return -1;
	g->end = g->start - 1;
	for (g->start = g->end; s->chg[(long)g->start - 1]; g->start--)
		;
	return 0;
}

static int S_group_slide_down(struct S_side *s, struct S_group *g)
{
	if (g->end < s->n && s->ids[g->start] == s->ids[g->end]) {
		s->chg[g->start++] = 0;
		s->chg[g->end++] = 1;
		while (s->chg[g->end])
			g->end++;
		return 0;
	}
	return -1;
}

static int S_group_slide_up(struct S_side *s, struct S_group *g)
{
	if (g->start > 0 && s->ids[g->start - 1] == s->ids[g->end - 1]) {
		s->chg[--g->start] = 1;
		s->chg[--g->end] = 0;
		while (s->chg[(long)g->start - 1])
			g->start--;
		return 0;
	}
	return -1;
}

/*
 * git's indent heuristic (xdiff/xdiffi.c, on by default since git 2.14):
 * where a group can slide, each position is scored by the blank lines and
 * indentation around its two edges, and the best one wins.
 */
#define S_MAX_INDENT 200
#define S_MAX_BLANKS 20

struct S_split_measure {
	int end_of_file, indent, pre_blank, pre_indent, post_blank, post_indent;
};

struct S_split_score {
	int effective_indent, penalty;
};

/* Columns of leading whitespace (a tab to the next multiple of 8); -1 for
 * a line of whitespace only. */
static int S_indent(const struct S_side *s, size_t line)
{
	const char *p = s->data + s->off[line], *end = s->data + s->off[line + 1];
	int ret = 0;

	for (; p < end; p++) {
		char c = *p;

		if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'))
			return ret;
		if (c == ' ')
			ret += 1;
		else if (c == '\t')
			ret += 8 - ret % 8;
		if (ret >= S_MAX_INDENT)
			return S_MAX_INDENT;
	}
	return -1;
}

static void S_measure_split(const struct S_side *s, long split, struct S_split_measure *m)
{
	long n = (long)s->n;

	if (split >= n) {
		m->end_of_file = 1;
		m->indent = -1;
	} else {
		m->end_of_file = 0;
		m->indent = S_indent(s, (size_t)split);
	}
	m->pre_blank = 0;
	m->pre_indent = -1;
	for (long i = split - 1; i >= 0; i--) {
		m->pre_indent = S_indent(s, (size_t)i);
		if (m->pre_indent != -1)
			break;
		if (++m->pre_blank == S_MAX_BLANKS) {
			m->pre_indent = 0;
			break;
		}
	}
	m->post_blank = 0;
	m->post_indent = -1;
	for (long i = split + 1; i < n; i++) {
		m->post_indent = S_indent(s, (size_t)i);
		if (m->post_indent != -1)
			break;
		if (++m->post_blank == S_MAX_BLANKS) {
			m->post_indent = 0;
			break;
		}
	}
}

static void S_score_add(const struct S_split_measure *m, struct S_split_score *sc)
{
	int post_blank, total_blank, indent, any_blanks;

	if (m->pre_indent == -1 && m->pre_blank == 0)
		sc->penalty += 1;           /* start of file */
	if (m->end_of_file)
		sc->penalty += 21;          /* end of file */
	post_blank = m->indent == -1 ? 1 + m->post_blank : 0;
	total_blank = m->pre_blank + post_blank;
	sc->penalty += -30 * total_blank;
	sc->penalty += 6 * post_blank;
	indent = m->indent != -1 ? m->indent : m->post_indent;
	any_blanks = total_blank != 0;
	sc->effective_indent += indent;
	if (indent == -1 || m->pre_indent == -1 || indent == m->pre_indent)
		return;
	if (indent > m->pre_indent)
		sc->penalty += any_blanks ? 10 : -4;        /* relative indent */
	else if (m->post_indent != -1 && m->post_indent > indent)
		sc->penalty += any_blanks ? 17 : 24;        /* relative outdent */
	else
		sc->penalty += any_blanks ? 17 : 23;        /* relative dedent */
}

static int S_score_cmp(const struct S_split_score *a, const struct S_split_score *b)
{
	int cmp = (a->effective_indent > b->effective_indent) -
		  (a->effective_indent < b->effective_indent);

	return 60 * cmp + (a->penalty - b->penalty);
}

static void S_compact(struct S_side *s, const struct S_side *o, int indent_heuristic)
{
	struct S_group g, go;

	S_group_init(s, &g);
	S_group_init(o, &go);
	for (;;) {
		if (g.end != g.start) {
			size_t groupsize, earliest_end;
			long end_matching_other;

			do {
				groupsize = g.end - g.start;
				end_matching_other = -1;
				while (!S_group_slide_up(s, &g))
					if (S_group_previous(o, &go))
						return; /* cannot happen: the groups are in step */
				earliest_end = g.end;
				if (go.end > go.start)
					end_matching_other = (long)g.end;
				for (;;) {
					if (S_group_slide_down(s, &g))
						break;
					if (S_group_next(o, &go))
						return;
					if (go.end > go.start)
						end_matching_other = (long)g.end;
				}
			} while (groupsize != g.end - g.start);
			if (g.end == earliest_end) {
				/* it could not slide */
			} else if (end_matching_other != -1) {
				while (go.end == go.start) {
					if (S_group_slide_up(s, &g) || S_group_previous(o, &go))
						return;
				}
			} else if (indent_heuristic) {
				long shift = (long)earliest_end, best_shift = -1;
				long end = (long)g.end, size = (long)groupsize;
				struct S_split_score best = { 0, 0 };

				if (end - size - 1 > shift)
					shift = end - size - 1;
				if (end - 100 > shift)
					shift = end - 100;
				for (; shift <= end; shift++) {
					struct S_split_measure m;
					struct S_split_score sc = { 0, 0 };

					S_measure_split(s, shift, &m);
					S_score_add(&m, &sc);
					S_measure_split(s, shift - size, &m);
					S_score_add(&m, &sc);
					if (best_shift == -1 || S_score_cmp(&sc, &best) <= 0) {
						best = sc;
						best_shift = shift;
					}
				}
				while ((long)g.end > best_shift) {
					if (S_group_slide_up(s, &g) || S_group_previous(o, &go))
						return;
				}
			}
		}
		if (S_group_next(s, &g) || S_group_next(o, &go))
			break;
	}
}

/* ---- printing ---- */

struct S_change {
	size_t i1, n1, i2, n2;
};

static int S_is_binary(const char *p, size_t len)
{
	return p && memchr(p, 0, len < 8000 ? len : 8000) != NULL;
}

static void S_emit_line(struct buf *out, char mark, const struct S_side *s, size_t i)
{
	const char *p = s->data + s->off[i];
	size_t len = s->off[i + 1] - s->off[i];

	buf_addch(out, mark);
	buf_add(out, p, len);
	if (!len || p[len - 1] != '\n')
		buf_adds(out, "\n\\ No newline at end of file\n");
}

/* git's default function line: starts with a letter, '_' or '$'. */
static long S_func_line(const struct S_side *a, long start, long limit, size_t *len_out)
{
	for (long l = start; l != limit && l >= 0; l--) {
		const char *p = a->data + a->off[l];
		size_t len = a->off[l + 1] - a->off[l];

		if (len > 0 && (isalpha((unsigned char)p[0]) || p[0] == '_' || p[0] == '$')) {
			if (len > 80)
				len = 80;
			while (len > 0 && isspace((unsigned char)p[len - 1]))
				len--;
			*len_out = len;
			return l;
		}
	}
	return -1;
}

static void S_hunk_range(struct buf *out, size_t start, size_t count)
{
	buf_addf(out, "%zu", count ? start + 1 : start);
	if (count != 1)
		buf_addf(out, ",%zu", count);
}

static int S_emit(struct buf *out, const struct S_side *a, const struct S_side *b,
		  size_t ctx, const char *a_label, const char *b_label,
		  struct textdiff_stats *st)
{
	struct S_change *ch = NULL;
	size_t nch = 0, ach = 0, i = 0, j = 0;
	long funcprev = -1, func = -1;
	size_t funclen = 0;

	while (i < a->n || j < b->n) {
		if ((i < a->n && a->chg[i]) || (j < b->n && b->chg[j])) {
			struct S_change c = { i, 0, j, 0 };

			while (i < a->n && a->chg[i]) {
				i++;
				c.n1++;
			}
			while (j < b->n && b->chg[j]) {
				j++;
				c.n2++;
			}
			if (nch == ach) {
				size_t na = ach ? ach * 2 : 16;
				struct S_change *nc = realloc(ch, na * sizeof(*nc));

				if (!nc) {
					free(ch);
					return DIAG_ENOMEM;
				}
				ch = nc;
				ach = na;
			}
			ch[nch++] = c;
		} else {
			i++;
			j++;
		}
	}
	if (!nch) {
		free(ch);
		return 0;
	}
	buf_addf(out, "--- %s\n+++ %s\n", a_label, b_label);
	for (size_t h = 0; h < nch;) {
		size_t last = h, s1, s2, e1, e2, p1, p2, flen = 0;
		long fl;

		while (last + 1 < nch &&
		       ch[last + 1].i1 - (ch[last].i1 + ch[last].n1) <= 2 * ctx)
			last++;
		s1 = ch[h].i1 > ctx ? ch[h].i1 - ctx : 0;
		s2 = ch[h].i2 > ctx ? ch[h].i2 - ctx : 0;
		e1 = ch[last].i1 + ch[last].n1 + ctx;
		e2 = ch[last].i2 + ch[last].n2 + ctx;
		if (e1 > a->n)
			e1 = a->n;
		if (e2 > b->n)
			e2 = b->n;
		buf_adds(out, "@@ -");
		S_hunk_range(out, s1, e1 - s1);
		buf_adds(out, " +");
		S_hunk_range(out, s2, e2 - s2);
		buf_adds(out, " @@");
		/* Searched back to the previous hunk's start only; when nothing is
		 * found there, the previous hunk's line is kept (as git does). */
		fl = S_func_line(a, (long)s1 - 1, funcprev, &flen);
		funcprev = (long)s1 - 1;
		if (fl >= 0) {
			func = fl;
			funclen = flen;
		}
		if (func >= 0 && funclen) {
			buf_addch(out, ' ');
			buf_add(out, a->data + a->off[func], funclen);
		}
		buf_addch(out, '\n');
		st->hunks++;
		p1 = s1;
		p2 = s2;
		for (size_t c = h; c <= last; c++) {
			while (p1 < ch[c].i1) {
				S_emit_line(out, ' ', a, p1++);
				p2++;
			}
			for (size_t k = 0; k < ch[c].n1; k++)
				S_emit_line(out, '-', a, p1++);
			for (size_t k = 0; k < ch[c].n2; k++)
				S_emit_line(out, '+', b, p2++);
			st->removed += ch[c].n1;
			st->added += ch[c].n2;
		}
		while (p1 < e1) {
			S_emit_line(out, ' ', a, p1++);
			p2++;
		}
		h = last + 1;
	}
	free(ch);
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

int textdiff_unified(struct buf *out, const char *a, size_t alen, const char *b, size_t blen,
		     const char *a_label, const char *b_label, int context,
		     struct textdiff_stats *stats)
{
	struct S_side sa = { 0 }, sb = { 0 };
	struct S_myers m = { 0 };
	struct S_reduced ra = { 0 }, rb = { 0 };
	struct textdiff_stats st = { 0 };
	long *kvd = NULL;
	size_t ndiags;
	unsigned nids = 0;
	int error = 0;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if ((a ? alen : 0) == (b ? blen : 0) && (!alen || !memcmp(a, b, alen)) &&
	    (a != NULL) == (b != NULL))
		return 0;
	if (S_is_binary(a, alen) || S_is_binary(b, blen)) {
		st.binary = 1;
		buf_addf(out, "Binary files %s and %s differ\n", a_label, b_label);
		error = buf_oom(out) ? DIAG_ENOMEM : 0;
		goto done;
	}
	if ((error = S_split_lines(&sa, a, alen)) < 0 ||
	    (error = S_split_lines(&sb, b, blen)) < 0 ||
	    (error = S_intern(&sa, &sb, &nids)) < 0)
		goto done;
	if ((error = S_reduce(&ra, &rb, &sa, &sb, nids)) < 0)
		goto done;
	ndiags = ra.n + rb.n + 3;
	kvd = malloc((2 * ndiags + 2) * sizeof(long));
	if (!kvd) {
		error = DIAG_ENOMEM;
		goto done;
	}
	m.kvdf = kvd + rb.n + 1;
	m.kvdb = kvd + ndiags + rb.n + 1;
	m.ha1 = ra.ha;
	m.ha2 = rb.ha;
	m.rindex1 = ra.rindex;
	m.rindex2 = rb.rindex;
	m.chg1 = sa.chg;
	m.chg2 = sb.chg;
	m.mxcost = (long)S_bogosqrt(ndiags);
	if (m.mxcost < 256)
		m.mxcost = 256;
	if ((error = S_myers_run(&m, (long)ra.n, (long)rb.n)) < 0)
		goto done;
	S_compact(&sa, &sb, 1);
	S_compact(&sb, &sa, 1);
	error = S_emit(out, &sa, &sb, context < 0 ? 3 : (size_t)context, a_label, b_label, &st);
done:
	if (stats)
		*stats = st;
	free(kvd);
	free(ra.ha);
	free(ra.rindex);
	free(rb.ha);
	free(rb.rindex);
	free(m.stack);
	S_side_release(&sa);
	S_side_release(&sb);
	return error;
}
