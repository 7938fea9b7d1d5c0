/*
 * Patch targets (kustomize's types.Selector and resWrangler.Select): group,
 * version, kind, name and namespace are anchored RE2 patterns; labelSelector
 * and annotationSelector use Kubernetes' label selector syntax.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "render/kustomize/internal.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* An anchored pattern compiled on first use and kept for one selection: a
 * selection tries the same patterns on every resource. */
struct kregex {
	const char *pattern; /* borrowed */
	pcre2_code *re;      /* NULL until compiled */
	pcre2_match_data *md;
};

static int kregex_compile(struct kregex *x, int anchored, struct diag *d)
{
	struct buf rx = BUF_INIT;
	int errcode;
	PCRE2_SIZE erroff;

	if (anchored)
		buf_addf(&rx, "^(?:%s)$", x->pattern);
	else
		buf_adds(&rx, x->pattern);
	x->re = pcre2_compile((PCRE2_SPTR)rx.ptr, rx.len, PCRE2_UTF | PCRE2_NO_UTF_CHECK,
			      &errcode, &erroff, NULL);
	buf_release(&rx);
	if (!x->re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return diag_set(d, DIAG_EINVALID, "error parsing regexp: %s: `%s`", (char *)msg,
				x->pattern);
	}
	x->md = pcre2_match_data_create_from_pattern(x->re, NULL);
	return 0;
}

/* kregex_match through x (compiled when first needed, as kregex_match would fail). */
static int kregex_run(struct kregex *x, const char *s, int anchored, int *out, struct diag *d)
{
	int error, rc;

	*out = 1;
	if (!*x->pattern)
		return 0;
	if (!x->re && (error = kregex_compile(x, anchored, d)) < 0)
		return error;
	rc = x->md ? pcre2_match(x->re, (PCRE2_SPTR)s, strlen(s), 0, 0, x->md, NULL) : -1;
	*out = rc >= 0;
	return 0;
}

static void kregex_release(struct kregex *x)
{
	pcre2_match_data_free(x->md);
	pcre2_code_free(x->re);
	x->md = NULL;
	x->re = NULL;
}

int kregex_match(const char *pattern, const char *s, int anchored, int *out, struct diag *d)
{
	struct kregex x = { pattern, NULL, NULL };
	int error = kregex_run(&x, s, anchored, out, d);

	kregex_release(&x);
	return error;
}

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static int ident(struct buf *out, const char **p)
{
	buf_reset(out);
	skip_ws(p);
	while (**p && !strchr(" \t,=!()", **p))
		buf_addch(out, *(*p)++);
	skip_ws(p);
	return out->len > 0;
}

/* One term of a label selector, against a map of strings (NULL: none). */
static int selector_matches(const char *sel, const json_t *labels, int *out, struct diag *d)
{
	struct buf key = BUF_INIT, val = BUF_INIT;
	const char *p = sel;
	int ok = 1;

	*out = 1;
	skip_ws(&p);
	if (!*p)
		return 0;
	while (*p && ok) {
		int neg = 0;
		json_t *lv;
		const char *have;

		skip_ws(&p);
		if (*p == '!') {
			neg = 1;
			p++;
		}
		if (!ident(&key, &p))
			goto bad;
		lv = labels ? json_object_get(labels, key.ptr) : NULL;
		have = json_is_string(lv) ? json_string_value(lv) : NULL;
		if (neg) {
			ok = have == NULL;
		} else if (*p == '=' || (*p == '!' && p[1] == '=')) {
			int ne = *p == '!';

			p += ne ? 2 : (p[1] == '=' ? 2 : 1);
			skip_ws(&p);
			buf_reset(&val);
			while (*p && !strchr(" \t,", *p))
				buf_addch(&val, *p++);
			skip_ws(&p);
			ok = ne ? (!have || strcmp(have, val.ptr) != 0) : (have && !strcmp(have, val.ptr));
		} else if (!strncmp(p, "in", 2) || !strncmp(p, "notin", 5)) {
			int notin = p[0] == 'n';
			int found = 0;

			p += notin ? 5 : 2;
			skip_ws(&p);
			if (*p != '(')
				goto bad;
			p++;
			for (;;) {
				if (!ident(&val, &p) && *p != ')' && *p != ',')
					goto bad;
				if (have && val.len && !strcmp(have, val.ptr))
					found = 1;
				if (*p == ',') {
					p++;
					continue;
				}
				if (*p == ')') {
					p++;
					break;
				}
				goto bad;
			}
			ok = notin ? !found : (have && found);
		} else {
			ok = have != NULL;
		}
		skip_ws(&p);
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	*out = ok;
	buf_release(&key);
	buf_release(&val);
	return 0;
bad:
	buf_release(&key);
	buf_release(&val);
	return diag_set(d, DIAG_EINVALID, "unable to parse requirement: '%s'", sel);
}

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

int kselector_labels_match(const json_t *sel, const json_t *metadata, int *out, struct diag *d)
{
	int error;

	if ((error = selector_matches(jstr(sel, "labelSelector"),
				      json_object_get(metadata, "labels"), out, d)) < 0 || !*out)
		return error;
	return selector_matches(jstr(sel, "annotationSelector"),
				json_object_get(metadata, "annotations"), out, d);
}

int kselect(struct kres ***out, size_t *n, const struct kresmap *m, const json_t *target,
	    struct diag *d)
{
	static const char *const fields[] = { "namespace", "name", "group", "version", "kind" };
	struct kregex rx[5] = { { "", NULL, NULL } };
	struct kres **sel;
	size_t k = 0;
	int error = 0;

	*out = NULL;
	*n = 0;
	if (!(sel = calloc(m->len + 1, sizeof(*sel))))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (int f = 0; f < 5; f++)
		rx[f].pattern = jstr(target, fields[f]);
	for (size_t i = 0; i < m->len; i++) {
		struct kres *r = m->v[i];
		struct kid cur = KID_INIT, org = KID_INIT;
		int a = 1, b = 1;

		if ((error = kres_cur_id(&cur, r)) < 0 || (error = kres_org_id(&org, r)) < 0) {
			kid_release(&cur);
			error = diag_set(d, error, "out of memory");
			goto fail;
		}
		if (*rx[0].pattern) {
			if ((error = kregex_run(&rx[0], kid_effective_ns(&org), 1, &a, d)) < 0 ||
			    (error = kregex_run(&rx[0], kid_effective_ns(&cur), 1, &b, d)) < 0)
				goto next;
			if (!a && !b)
				goto next;
		}
		if (*rx[1].pattern) {
			if ((error = kregex_run(&rx[1], org.name, 1, &a, d)) < 0 ||
			    (error = kregex_run(&rx[1], cur.name, 1, &b, d)) < 0)
				goto next;
			if (!a && !b)
				goto next;
		}
		if ((error = kregex_run(&rx[2], cur.group, 1, &a, d)) < 0 || !a ||
		    (error = kregex_run(&rx[3], cur.version, 1, &a, d)) < 0 || !a ||
		    (error = kregex_run(&rx[4], cur.kind, 1, &a, d)) < 0 || !a)
			goto next;
		{
			json_t *md = json_object_get(r->obj, "metadata");

			if ((error = selector_matches(jstr(target, "labelSelector"),
						      json_object_get(md, "labels"), &a, d)) < 0 || !a ||
			    (error = selector_matches(jstr(target, "annotationSelector"),
						      json_object_get(md, "annotations"), &a, d)) < 0 || !a)
				goto next;
		}
		sel[k++] = r;
next:
		kid_release(&cur);
		kid_release(&org);
		if (error < 0)
			goto fail;
	}
	*out = sel;
	*n = k;
	sel = NULL;
	error = 0;
fail:
	for (int f = 0; f < 5; f++)
		kregex_release(&rx[f]);
	free(sel);
	return error;
}
