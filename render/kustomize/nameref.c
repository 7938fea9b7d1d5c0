/*
 * Name references (kustomize's nameReferenceTransformer and
 * api/filters/nameref): once names have changed (prefix, suffix, hash,
 * namespace), every field listed as referring to a kind is rewritten to the
 * new name of the one resource it designated.
 */
#include "render/kustomize/internal.h"
#include "render/value.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Everything about a candidate the sieves look at, computed once. */
struct cand {
	struct kres *r;
	/* cur's strings, prev and its strings, prefixes and suffixes live in
	 * kt_nameref's arena (cand_init) */
	struct kid cur;
	const struct kid *org; /* prev[0], else &cur (kres_org_id), not a copy */
	struct kid *prev;
	size_t nprev;
	char **prefixes, **suffixes;
	size_t npre, nsuf;
	/* The refBy annotation, written back by flush_refby: appending to the
	 * annotation itself copied it whole each time, quadratic in referrers. */
	struct buf refby;
	int refby_loaded, refby_set, refby_dirty;
};

struct nrctx {
	struct kres *referrer;
	struct cand *referrer_info;
	const struct knameref *target;
	const struct kfspec *field;
	struct cand *all;
	size_t nall;
	const struct kidx *by_name;   /* previous name -> candidates */
	const struct kidx *by_org_ns; /* effective original namespace -> namespaced candidates */
	struct cand **scratch;        /* nall entries */
};

static int referable(const struct cand *referrer, const struct cand *target);
static int flush_refby(struct cand *all, size_t n);

/* The candidates' strings and arrays, in blocks that never move, freed
 * together: a malloc per id field and per list cost more than the rest of
 * a candidate's set-up. */
#define ARENA_BLOCK ((size_t)64 << 10)

struct arena {
	char *cur, *end;
	void *blocks; /* linked through their first word */
};

static void arena_release(struct arena *a)
{
	while (a->blocks) {
		void *next = *(void **)a->blocks;

		free(a->blocks);
		a->blocks = next;
	}
	a->cur = a->end = NULL;
}

/* n bytes aligned for any pointer or struct kid; NULL on ENOMEM. */
static void *arena_take(struct arena *a, size_t n)
{
	const size_t align = _Alignof(struct kid), head = sizeof(max_align_t);
	char *p;

	n = (n + align - 1) & ~(align - 1);
	if ((size_t)(a->end - a->cur) < n) {
		size_t size = n + head > ARENA_BLOCK ? n + head : ARENA_BLOCK;
		char *b = malloc(size);

		if (!b)
			return NULL;
		*(void **)b = a->blocks;
		a->blocks = b;
		a->cur = b + head;
		a->end = b + size;
	}
	p = a->cur;
	a->cur += n;
	return p;
}

/* A copy of s[0..len) with a NUL. */
static char *arena_str(struct arena *a, const char *s, size_t len)
{
	char *p = arena_take(a, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* id from the five fields (version runs to its NUL), as kid_set fills one,
 * its strings in a. */
static int arena_kid(struct kid *id, struct arena *a, const char *g, size_t glen,
		     const char *v, size_t vlen, const char *k, size_t klen, const char *n,
		     size_t nlen, const char *ns, size_t nslen)
{
	if (!(id->group = arena_str(a, g, glen)) || !(id->version = arena_str(a, v, vlen)) ||
	    !(id->kind = arena_str(a, k, klen)) || !(id->name = arena_str(a, n, nlen)) ||
	    !(id->ns = arena_str(a, ns, nslen)))
		return DIAG_ENOMEM;
	id->cluster_scoped = kid_cluster_scoped_n(g, glen, v, k, klen);
	return 0;
}

/* s up to the next comma (or its end): the piece's length. */
static size_t piece_len(const char *s)
{
	const char *e = strchr(s, ',');

	return e ? (size_t)(e - s) : strlen(s);
}

/* kres_get_csv of the annotation value v (NULL or not a string: none). */
static int arena_csv(char ***out, size_t *n, struct arena *a, const json_t *v)
{
	const char *s;
	size_t count = 1;

	*out = NULL;
	*n = 0;
	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	for (const char *p = s; *p; p++)
		count += *p == ',';
	if (!(*out = arena_take(a, count * sizeof(char *))))
		return DIAG_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		size_t len = piece_len(s);

		if (!((*out)[i] = arena_str(a, s, len)))
			return DIAG_ENOMEM;
		s += len + (s[len] == ',');
	}
	*n = count;
	return 0;
}

static void cand_release(struct cand *c)
{
	buf_release(&c->refby);
	memset(c, 0, sizeof(*c));
}

/* c for r, its ids and affixes read once (kres_cur_id, kres_prev_ids,
 * kres_get_csv of the prefixes and suffixes) into a. */
static int cand_init(struct cand *c, struct kres *r, struct arena *a)
{
	const json_t *an = kres_annotations(r);
	const char *vals[3] = { NULL, NULL, NULL };
	struct kidview v;
	int error;

	memset(c, 0, sizeof(*c));
	buf_init(&c->refby, 0);
	c->r = r;
	kid_view_of_res(&v, r->obj);
	if ((error = arena_kid(&c->cur, a, v.group, v.glen, v.version, v.vlen, v.kind, v.klen,
			       v.name, v.nlen, v.ns, v.nslen)) < 0)
		return error;
	c->org = &c->cur;
	if (!an)
		return 0;
	if ((error = kres_prev_annotations(an, vals, &c->nprev)) < 0)
		return error;
	if (c->nprev) {
		/* each previous id: the current group and version, the i-th
		 * name, namespace and kind */
		if (!(c->prev = arena_take(a, c->nprev * sizeof(*c->prev))))
			return DIAG_ENOMEM;
		for (size_t i = 0; i < c->nprev; i++) {
			size_t nl = piece_len(vals[0]), nsl = piece_len(vals[1]), kl = piece_len(vals[2]);

			if ((error = arena_kid(&c->prev[i], a, v.group, v.glen, v.version, v.vlen,
					       vals[2], kl, vals[0], nl, vals[1], nsl)) < 0)
				return error;
			vals[0] += nl + (vals[0][nl] == ',');
			vals[1] += nsl + (vals[1][nsl] == ',');
			vals[2] += kl + (vals[2][kl] == ',');
		}
		c->org = &c->prev[0];
	}
	if ((error = arena_csv(&c->prefixes, &c->npre, a, kjson_get(an, KANNO_PREFIXES))) < 0 ||
	    (error = arena_csv(&c->suffixes, &c->nsuf, a, kjson_get(an, KANNO_SUFFIXES))) < 0)
		return error;
	return 0;
}

static int same_ending(char **a, size_t na, char **b, size_t nb)
{
	char **shortest = a, **longest = b;
	size_t ns = na, nl = nb;

	if (ns > nl) {
		shortest = b;
		longest = a;
		ns = nb;
		nl = na;
	}
	if (ns == 0)
		return nl == 0;
	for (size_t i = ns; i-- > 0;)
		if (strcmp(longest[i + nl - ns], shortest[i]) != 0)
			return 0;
	return 1;
}

static int affix_equals(const struct cand *r, const struct cand *o, int allow_empty)
{
	if (allow_empty) {
		int pe = r->npre == 0 || o->npre == 0, se = r->nsuf == 0 || o->nsuf == 0;

		return (pe || same_ending(r->prefixes, r->npre, o->prefixes, o->npre)) &&
		       (se || same_ending(r->suffixes, r->nsuf, o->suffixes, o->nsuf));
	}
	return same_ending(r->prefixes, r->npre, o->prefixes, o->npre) &&
	       same_ending(r->suffixes, r->nsuf, o->suffixes, o->nsuf);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* selectReferral: the one resource old_name designates, or NULL. */
static int select_referral(struct cand **out, struct nrctx *x, const char *old_name,
			   struct cand **list, size_t n, int same_ns_too, struct diag *d)
{
	struct cand **s = NULL;
	size_t k = 0;
	const char *rr_group = NULL, *rr_kind = NULL;
	int roleref = ends_with(x->field->path, "roleRef/name");
	int error = 0;

	*out = NULL;
	if (roleref) {
		json_t *rr = json_object_get(x->referrer->obj, "roleRef");

		if (json_is_object(rr) && json_object_get(rr, "apiGroup") &&
		    json_object_get(rr, "kind")) {
			rr_group = kres_str(rr, "apiGroup");
			rr_kind = kres_str(rr, "kind");
		} else {
			roleref = 0;
		}
	}
	if (n == 0)
		return 0;
	if (!(s = calloc(n, sizeof(*s))))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct cand *c = list[i];
		int name_hit = 0, gvk_hit = 0, rr_hit = !roleref, ns_hit;

		for (size_t j = 0; j < c->nprev; j++) {
			if (strcmp(c->prev[j].name, old_name) == 0)
				name_hit = 1;
			if (kid_gvk_selected(&c->prev[j], x->target->group, x->target->version,
					     x->target->kind))
				gvk_hit = 1;
			if (roleref && kid_gvk_selected(&c->prev[j], rr_group, "", rr_kind))
				rr_hit = 1;
		}
		if (!name_hit || !gvk_hit || !rr_hit)
			continue;
		/* sameCurrentNamespaceAsReferrer */
		ns_hit = x->referrer_info->cur.cluster_scoped || c->cur.cluster_scoped ||
			 strcmp(kres_kind(c->r), "ServiceAccount") == 0 ||
			 strcmp(kid_effective_ns(&x->referrer_info->cur),
				kid_effective_ns(&c->cur)) == 0;
		if (!ns_hit)
			continue;
		s[k++] = c;
	}
	if (k == 1) {
		*out = s[0];
		goto done;
	}
	{
		size_t k2 = 0;

		for (size_t i = 0; i < k; i++)
			if (affix_equals(s[i], x->referrer_info, 1))
				s[k2++] = s[i];
		k = k2;
		if (k > 1) {
			k2 = 0;
			for (size_t i = 0; i < k; i++)
				if (affix_equals(s[i], x->referrer_info, 0))
					s[k2++] = s[i];
			k = k2;
		}
	}
	if (k == 1) {
		*out = s[0];
		goto done;
	}
	if (k == 0)
		goto done;
	{
		int same = 1;

		for (size_t i = 1; i < k && same; i++) {
			if (strcmp(kres_name(s[i]->r), kres_name(s[0]->r)) != 0)
				same = 0;
			if (same_ns_too &&
			    strcmp(kres_namespace(s[i]->r), kres_namespace(s[0]->r)) != 0)
				same = 0;
		}
		if (same) {
			*out = s[0];
			goto done;
		}
	}
	{
		/* kustomize's failureDetails: the referrer and the candidates, as YAML
		 * (with the referrals recorded so far). */
		struct buf ids = BUF_INIT, details = BUF_INIT;
		struct diag ignore = DIAG_INIT;

		if (flush_refby(x->all, x->nall) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}

		for (size_t i = 0; i < k; i++) {
			if (i)
				buf_adds(&ids, ", ");
			kid_string(&ids, &s[i]->cur);
		}
		buf_adds(&details, "\n**** Too many possible referral targets to referrer:\n");
		value_to_yaml(&details, x->referrer->obj, &ignore);
		buf_addch(&details, '\n');
		for (size_t i = 0; i < k; i++) {
			buf_addf(&details, "--- possible referral %zu:\n", i);
			value_to_yaml(&details, s[i]->r->obj, &ignore);
			buf_addch(&details, '\n');
		}
		error = diag_set(d, DIAG_EEXEC, "found multiple possible referrals: %s\n%s", ids.ptr,
				 details.ptr);
		buf_release(&ids);
		buf_release(&details);
		diag_release(&ignore);
	}
done:
	free(s);
	return error;
}

/* kres_append_csv(KANNO_REFBY) on c, deferred to flush_refby. */
static int record_referral(struct nrctx *x, struct cand *c)
{
	if (!c->refby_loaded) {
		const char *cur = kres_annotation(c->r, KANNO_REFBY);

		if (cur) {
			buf_adds(&c->refby, cur);
			c->refby_set = 1;
		}
		c->refby_loaded = 1;
	}
	if (c->refby_set)
		buf_addch(&c->refby, ',');
	kid_string(&c->refby, &x->referrer_info->cur);
	c->refby_set = c->refby_dirty = 1;
	return buf_oom(&c->refby) ? DIAG_ENOMEM : 0;
}

/* Writes the recorded referrals into the candidates' refBy annotations. */
static int flush_refby(struct cand *all, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!all[i].refby_dirty)
			continue;
		if (kres_set_annotation(all[i].r, KANNO_REFBY, all[i].refby.ptr) < 0)
			return DIAG_ENOMEM;
		all[i].refby_dirty = 0;
	}
	return 0;
}

/* The candidates the referrer may refer to whose previous names include
 * name, in resource order, passing keep (when given); into x->scratch. */
static size_t candidates_named(struct nrctx *x, const char *name,
			       int (*keep)(const struct cand *, const char *), const char *arg)
{
	size_t n = 0, k = 0;
	const size_t *at = kidx_get(x->by_name, name, &n);

	for (size_t i = 0; i < n; i++) {
		struct cand *c = &x->all[at[i]];

		if (referable(x->referrer_info, c) && (!keep || keep(c, arg)))
			x->scratch[k++] = c;
	}
	return k;
}

static int in_org_ns(const struct cand *c, const char *ns)
{
	return !c->org->cluster_scoped && strcmp(kid_effective_ns(c->org), ns) == 0;
}

static int in_cur_ns(const struct cand *c, const char *ns)
{
	return !c->cur.cluster_scoped && strcmp(kid_effective_ns(&c->cur), ns) == 0;
}

static int set_scalar(struct nrctx *x, json_t *parent, const char *key, size_t idx,
		      json_t *value, struct diag *d)
{
	struct cand *c = NULL;
	size_t n;
	int error;

	if (!json_is_string(value))
		return 0;
	n = candidates_named(x, json_string_value(value), NULL, NULL);
	if ((error = select_referral(&c, x, json_string_value(value), x->scratch, n, 0, d)) < 0)
		return error;
	if (!c)
		return 0;
	if ((error = record_referral(x, c)) < 0)
		return diag_set(d, error, "out of memory");
	if (strcmp(kres_name(c->r), json_string_value(value)) == 0)
		return 0;
	if (key)
		error = json_object_set_new(parent, key, json_string(kres_name(c->r)));
	else
		error = json_array_set_new(parent, idx, json_string(kres_name(c->r)));
	return error < 0 ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
}

static int set_mapping(struct nrctx *x, json_t *node, struct diag *d)
{
	json_t *name = json_object_get(node, "name"), *nsn = json_object_get(node, "namespace");
	int (*keep)(const struct cand *, const char *) = NULL;
	const char *ns = NULL;
	struct cand *c = NULL;
	size_t n;
	int error = 0;

	if (!name)
		return diag_set(d, DIAG_EEXEC, "path config error; no 'name' field in node");
	if (nsn) {
		const size_t *at;
		size_t norg = 0;

		ns = json_is_string(nsn) ? json_string_value(nsn) : "";
		/* By original namespace when any candidate has it, else by current namespace. */
		keep = in_cur_ns;
		at = kidx_get(x->by_org_ns, ns, &norg);
		for (size_t i = 0; i < norg; i++)
			if (referable(x->referrer_info, &x->all[at[i]])) {
				keep = in_org_ns;
				break;
			}
	}
	if (!json_is_string(name))
		goto done;
	n = candidates_named(x, json_string_value(name), keep, ns);
	if ((error = select_referral(&c, x, json_string_value(name), x->scratch, n, 1, d)) < 0 ||
	    !c)
		goto done;
	if ((error = record_referral(x, c)) < 0) {
		error = diag_set(d, error, "out of memory");
		goto done;
	}
	if (strcmp(kres_name(c->r), json_string_value(name)) == 0 && !*kres_namespace(c->r))
		goto done;
	if (json_object_set_new(node, "name", json_string(kres_name(c->r))) < 0 ||
	    (*kres_namespace(c->r) &&
	     json_object_set_new(node, "namespace", json_string(kres_namespace(c->r))) < 0))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	return error;
}

static int nr_set(json_t *parent, const char *key, size_t idx, json_t *value, void *payload,
		  struct diag *d)
{
	struct nrctx *x = payload;
	int error;

	if (!value || json_is_null(value))
		return 0;
	if (json_is_object(value))
		return set_mapping(x, value, d);
	if (json_is_array(value)) {
		for (size_t i = 0; i < json_array_size(value); i++) {
			json_t *e = json_array_get(value, i);

			if (json_is_null(e))
				continue;
			if (json_is_object(e))
				error = set_mapping(x, e, d);
			else if (json_is_array(e))
				error = diag_set(d, DIAG_EEXEC,
						 "node is expected to be either a string or a map of string");
			else
				error = set_scalar(x, value, NULL, i, e, d);
			if (error < 0)
				return error;
		}
		return 0;
	}
	if (!parent)
		return 0;
	return set_scalar(x, parent, key, idx, value, d);
}

/* SubsetThatCouldBeReferencedByResource */
static int referable(const struct cand *referrer, const struct cand *target)
{
	json_t *subjects, *s;
	size_t i;

	if (referrer->cur.cluster_scoped || target->cur.cluster_scoped)
		return 1;
	if (strcmp(kid_effective_ns(&referrer->cur), kid_effective_ns(&target->cur)) == 0)
		return 1;
	if (strcmp(kres_kind(referrer->r), "RoleBinding") != 0)
		return 0;
	subjects = json_object_get(referrer->r->obj, "subjects");
	json_array_foreach(subjects, i, s) {
		if (json_is_object(s) && strcmp(kres_str(s, "kind"), "ServiceAccount") == 0 &&
		    json_is_string(json_object_get(s, "namespace")) &&
		    strcmp(kres_str(s, "namespace"), kres_namespace(target->r)) == 0)
			return 1;
	}
	return 0;
}

/* The referrer field specs of tc that select one gvk, in tc's order. */
struct gvkspecs {
	const struct kfspec **fs;
	const struct knameref **target;
	size_t n;
};

struct speccache {
	struct kidx by_gvk; /* "group\x1fversion\x1fkind" -> entry */
	struct gvkspecs *v;
	size_t len, alloc;
	struct buf key; /* scratch for by_gvk's keys, kept between calls */
};

static void speccache_release(struct speccache *c)
{
	for (size_t i = 0; i < c->len; i++) {
		free(c->v[i].fs);
		free(c->v[i].target);
	}
	free(c->v);
	kidx_release(&c->by_gvk);
	buf_release(&c->key);
}

/* The specs selecting id's gvk, computed once per gvk (borrowed from c). */
static int specs_for(const struct gvkspecs **out, struct speccache *c, const struct ktconfig *tc,
		     const struct kid *id)
{
	struct buf *key = &c->key;
	struct gvkspecs *e;
	const size_t *at;
	size_t n = 0, total = 0;
	int error = 0;

	kid_gvk_key(key, id);
	if (buf_oom(key)) {
		error = DIAG_ENOMEM;
		goto done;
	}
	if ((at = kidx_get(&c->by_gvk, key->ptr, &n)) != NULL && n > 0) {
		*out = &c->v[at[0]];
		goto done;
	}
	if (c->len == c->alloc) {
		size_t na = c->alloc ? c->alloc * 2 : 8;
		struct gvkspecs *nv = realloc(c->v, na * sizeof(*nv));

		if (!nv) {
			error = DIAG_ENOMEM;
			goto done;
		}
		c->v = nv;
		c->alloc = na;
	}
	for (size_t b = 0; b < tc->nnameref; b++)
		total += tc->nameref[b].referrers.len;
	e = &c->v[c->len];
	memset(e, 0, sizeof(*e));
	if (!(e->fs = calloc(total + 1, sizeof(*e->fs))) ||
	    !(e->target = calloc(total + 1, sizeof(*e->target)))) {
		free(e->fs);
		free(e->target);
		error = DIAG_ENOMEM;
		goto done;
	}
	for (size_t b = 0; b < tc->nnameref; b++)
		for (size_t f = 0; f < tc->nameref[b].referrers.len; f++) {
			const struct kfspec *fs = &tc->nameref[b].referrers.v[f];

			if (!kid_gvk_selected(id, fs->group, fs->version, fs->kind))
				continue;
			e->fs[e->n] = fs;
			e->target[e->n++] = &tc->nameref[b];
		}
	c->len++;
	if ((error = kidx_add(&c->by_gvk, key->ptr, c->len - 1)) < 0)
		goto done;
	*out = e;
done:
	return error;
}

int kt_nameref(struct kresmap *m, const struct ktconfig *tc, struct diag *d)
{
	struct speccache specs = { KIDX_INIT, NULL, 0, 0, BUF_INIT };
	struct cand *all = NULL, **scratch = NULL;
	struct kidx by_name = KIDX_INIT, by_org_ns = KIDX_INIT;
	struct arena strings = { NULL, NULL, NULL };
	int error = 0;
	size_t n = m->len;

	if (n == 0)
		return 0;
	if (!(all = calloc(n, sizeof(*all))) || !(scratch = calloc(n, sizeof(*scratch)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if ((error = cand_init(&all[i], m->v[i], &strings)) < 0) {
			error = diag_set(d, error, "out of memory");
			goto done;
		}
	/* Candidates by previous name and by original namespace, in resource order,
	 * instead of a scan of every resource per referrer and per reference. */
	if (kidx_reserve(&by_name, n) < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < all[i].nprev && !error; j++)
			error = kidx_add(&by_name, all[i].prev[j].name, i);
		if (!error && !all[i].org->cluster_scoped)
			error = kidx_add(&by_org_ns, kid_effective_ns(all[i].org), i);
		if (error < 0) {
			error = diag_set(d, error, "out of memory");
			goto done;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct cand *rr = &all[i];
		const struct gvkspecs *sp = NULL;
		struct kwalk_memo memo;

		/* Does any back reference apply to this resource (by original id)? */
		if ((error = specs_for(&sp, &specs, tc, rr->org)) < 0) {
			error = diag_set(d, error, "out of memory");
			goto done;
		}
		if (sp->n == 0)
			continue;
		/* Names and namespaces don't change during the fix-up: the candidates'
		 * ids computed once stay valid (only refBy bookkeeping grows). */
		/* getNamespacesForRoleBinding refuses a ServiceAccount subject whose
		 * namespace is present but not a string. */
		if (!rr->cur.cluster_scoped && strcmp(kres_kind(rr->r), "RoleBinding") == 0) {
			json_t *subjects = json_object_get(rr->r->obj, "subjects"), *sj;
			size_t k;

			json_array_foreach(subjects, k, sj) {
				json_t *ns = json_object_get(sj, "namespace"), *kind = json_object_get(sj, "kind");

				if (ns && json_is_string(kind) &&
				    strcmp(json_string_value(kind), "ServiceAccount") == 0 &&
				    !json_is_string(ns)) {
					struct buf s = BUF_INIT;

					kid_string(&s, &rr->cur);
					error = diag_set(d, DIAG_EINVALID,
							 "Invalid Input: namespace is blank for resource \"%s\"\n",
							 s.ptr);
					buf_release(&s);
					goto done;
				}
			}
		}
		/* nr_set changes strings only: the walks over this referrer
		 * share the containers they found */
		memset(&memo, 0, sizeof(memo));
		for (size_t k = 0; k < sp->n; k++) {
			const struct kfspec *fs = sp->fs[k];
			struct kfspec any_gvk = { "", "", "", fs->path, 0, fs->split };
			struct nrctx x = { rr->r, rr, sp->target[k], fs, all, n,
					   &by_name, &by_org_ns, scratch };

			if ((error = kfspec_apply_memo(rr->r->obj, &any_gvk, nr_set, &x, &memo, d)) < 0) {
				struct buf s = BUF_INIT;

				kid_string(&s, &rr->cur);
				diag_prefix(d, "updating name reference in '%s' field of '%s'",
					    fs->path, s.ptr);
				buf_release(&s);
				goto done;
			}
		}
	}
done:
	if (all && flush_refby(all, n) < 0 && !error)
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	if (all)
		for (size_t i = 0; i < n; i++)
			cand_release(&all[i]);
	free(all);
	free(scratch);
	kidx_release(&by_name);
	kidx_release(&by_org_ns);
	speccache_release(&specs);
	arena_release(&strings);
	return error;
}
