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

int kregex_match(const char *pattern, const char *s, int anchored, int *out, struct diag *d)
{
	struct buf rx = BUF_INIT;
	pcre2_code *re;
	pcre2_match_data *md;
	int errcode, rc;
	PCRE2_SIZE erroff;

	*out = 1;
	if (!*pattern)
		return 0;
	if (anchored)
		buf_addf(&rx, "^(?:%s)$", pattern);
	else
		buf_adds(&rx, pattern);
	re = pcre2_compile((PCRE2_SPTR)rx.ptr, rx.len, PCRE2_UTF | PCRE2_NO_UTF_CHECK,
			   &errcode, &erroff, NULL);
	buf_release(&rx);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return diag_set(d, DIAG_EINVALID, "error parsing regexp: %s: `%s`", (char *)msg,
				pattern);
	}
	md = pcre2_match_data_create_from_pattern(re, NULL);
	rc = md ? pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) : -1;
	*out = rc >= 0;
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return 0;
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
	struct kres **sel;
	size_t k = 0;
	int error = 0;

	*out = NULL;
	*n = 0;
	if (!(sel = calloc(m->len + 1, sizeof(*sel))))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->len; i++) {
		struct kres *r = m->v[i];
		struct kid cur = KID_INIT, org = KID_INIT;
		int a = 1, b = 1;

		if ((error = kres_cur_id(&cur, r)) < 0 || (error = kres_org_id(&org, r)) < 0) {
			kid_release(&cur);
			error = diag_set(d, error, "out of memory");
			goto fail;
		}
		if (*jstr(target, "namespace")) {
			if ((error = kregex_match(jstr(target, "namespace"), kid_effective_ns(&org), 1, &a, d)) < 0 ||
			    (error = kregex_match(jstr(target, "namespace"), kid_effective_ns(&cur), 1, &b, d)) < 0)
				goto next;
			if (!a && !b)
				goto next;
		}
		if (*jstr(target, "name")) {
			if ((error = kregex_match(jstr(target, "name"), org.name, 1, &a, d)) < 0 ||
			    (error = kregex_match(jstr(target, "name"), cur.name, 1, &b, d)) < 0)
				goto next;
			if (!a && !b)
				goto next;
		}
		if ((error = kregex_match(jstr(target, "group"), cur.group, 1, &a, d)) < 0 || !a ||
		    (error = kregex_match(jstr(target, "version"), cur.version, 1, &a, d)) < 0 || !a ||
		    (error = kregex_match(jstr(target, "kind"), cur.kind, 1, &a, d)) < 0 || !a)
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
	return 0;
fail:
	free(sel);
	return error;
}
