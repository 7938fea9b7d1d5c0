/*
 * Name references (kustomize's nameReferenceTransformer and
 * api/filters/nameref): once names have changed (prefix, suffix, hash,
 * namespace), every field listed as referring to a kind is rewritten to the
 * new name of the one resource it designated.
 */
#include "render/kustomize/internal.h"
#include "render/value.h"

#include <stdlib.h>
#include <string.h>

/* Everything about a candidate the sieves look at, computed once. */
struct cand {
	struct kres *r;
	struct kid cur, org;
	struct kid *prev;
	size_t nprev;
	char **prefixes, **suffixes;
	size_t npre, nsuf;
};

struct nrctx {
	struct kres *referrer;
	struct cand *referrer_info;
	const struct knameref *target;
	const struct kfspec *field;
	struct cand **cands; /* the subset the referrer may refer to */
	size_t ncands;
};

static void cand_release(struct cand *c)
{
	kid_release(&c->cur);
	kid_release(&c->org);
	kid_array_free(c->prev, c->nprev);
	kstrv_free(c->prefixes, c->npre);
	kstrv_free(c->suffixes, c->nsuf);
	memset(c, 0, sizeof(*c));
}

static int cand_init(struct cand *c, struct kres *r)
{
	int error;

	memset(c, 0, sizeof(*c));
	c->r = r;
	if ((error = kres_cur_id(&c->cur, r)) < 0 || (error = kres_org_id(&c->org, r)) < 0 ||
	    (error = kres_prev_ids(&c->prev, &c->nprev, r)) < 0 ||
	    (error = kres_get_csv(&c->prefixes, &c->npre, r, KANNO_PREFIXES)) < 0 ||
	    (error = kres_get_csv(&c->suffixes, &c->nsuf, r, KANNO_SUFFIXES)) < 0)
		cand_release(c);
	return error;
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
		/* kustomize's failureDetails: the referrer and the candidates, as YAML. */
		struct buf ids = BUF_INIT, details = BUF_INIT;
		struct diag ignore = DIAG_INIT;

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

static int record_referral(struct nrctx *x, struct cand *c)
{
	struct buf s = BUF_INIT;
	int error;

	kid_string(&s, &x->referrer_info->cur);
	error = buf_oom(&s) ? DIAG_ENOMEM : kres_append_csv(c->r, KANNO_REFBY, s.ptr);
	buf_release(&s);
	return error;
}

static int set_scalar(struct nrctx *x, json_t *parent, const char *key, size_t idx,
		      json_t *value, struct diag *d)
{
	struct cand *c = NULL;
	int error;

	if (!json_is_string(value))
		return 0;
	if ((error = select_referral(&c, x, json_string_value(value), x->cands, x->ncands, 0, d)) < 0)
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
	struct cand **list = x->cands, **sub = NULL;
	size_t n = x->ncands;
	struct cand *c = NULL;
	int error = 0;

	if (!name)
		return diag_set(d, DIAG_EEXEC, "path config error; no 'name' field in node");
	if (nsn) {
		const char *ns = json_is_string(nsn) ? json_string_value(nsn) : "";
		size_t k = 0;

		if (!(sub = calloc(x->ncands + 1, sizeof(*sub))))
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		/* By original namespace first, then by current namespace. */
		for (size_t i = 0; i < x->ncands; i++)
			if (!x->cands[i]->org.cluster_scoped &&
			    strcmp(kid_effective_ns(&x->cands[i]->org), ns) == 0)
				sub[k++] = x->cands[i];
		if (k == 0)
			for (size_t i = 0; i < x->ncands; i++)
				if (!x->cands[i]->cur.cluster_scoped &&
				    strcmp(kid_effective_ns(&x->cands[i]->cur), ns) == 0)
					sub[k++] = x->cands[i];
		list = sub;
		n = k;
	}
	if (!json_is_string(name))
		goto done;
	if ((error = select_referral(&c, x, json_string_value(name), list, n, 1, d)) < 0 || !c)
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
	free(sub);
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

int kt_nameref(struct kresmap *m, const struct ktconfig *tc, struct diag *d)
{
	struct cand *all = NULL, **sub = NULL;
	int error = 0;
	size_t n = m->len;

	if (n == 0)
		return 0;
	if (!(all = calloc(n, sizeof(*all))) || !(sub = calloc(n, sizeof(*sub)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if ((error = cand_init(&all[i], m->v[i])) < 0) {
			error = diag_set(d, error, "out of memory");
			goto done;
		}
	for (size_t i = 0; i < n; i++) {
		struct cand *rr = &all[i];
		size_t nsub = 0;
		int any = 0;

		/* Does any back reference apply to this resource (by original id)? */
		for (size_t b = 0; b < tc->nnameref && !any; b++)
			for (size_t f = 0; f < tc->nameref[b].referrers.len && !any; f++) {
				const struct kfspec *fs = &tc->nameref[b].referrers.v[f];

				any = kid_gvk_selected(&rr->org, fs->group, fs->version, fs->kind);
			}
		if (!any)
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
		for (size_t j = 0; j < n; j++)
			if (referable(rr, &all[j]))
				sub[nsub++] = &all[j];
		for (size_t b = 0; b < tc->nnameref; b++) {
			for (size_t f = 0; f < tc->nameref[b].referrers.len; f++) {
				const struct kfspec *fs = &tc->nameref[b].referrers.v[f];
				struct kfspec any_gvk = { "", "", "", fs->path, 0 };
				struct nrctx x = { rr->r, rr, &tc->nameref[b], fs, sub, nsub };

				if (!kid_gvk_selected(&rr->org, fs->group, fs->version, fs->kind))
					continue;
				if ((error = kfspec_apply(rr->r->obj, &any_gvk, -1, nr_set, &x, d)) < 0) {
					struct buf s = BUF_INIT;

					kid_string(&s, &rr->cur);
					diag_prefix(d, "updating name reference in '%s' field of '%s'",
						    fs->path, s.ptr);
					buf_release(&s);
					goto done;
				}
			}
		}
	}
done:
	if (all)
		for (size_t i = 0; i < n; i++)
			cand_release(&all[i]);
	free(all);
	free(sub);
	return error;
}
