/*
 * The builtin transformers driven by field specs: name prefix/suffix,
 * labels, annotations, namespace, replicas, images; the hash suffix of
 * generated ConfigMaps/Secrets; and the name-reference fix-up that follows
 * renames (kustomize's api/internal/builtins and api/filters).
 */
#include "render/kustomize/internal.h"
#include "render/gofloat.h"
#include "render/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scalars as kustomize's map[string]string reads them. */
static int scalar_text(struct buf *out, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		buf_add(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		buf_addf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		gofloat_format(out, json_real_value(v), 'g', -1, 64);
		break;
	case JSON_TRUE:
		buf_adds(out, "true");
		break;
	case JSON_FALSE:
		buf_adds(out, "false");
		break;
	case JSON_NULL:
		break;
	default:
		return -1;
	}
	return 0;
}

/* ---- prefix / suffix ---- */

struct affix {
	const char *prefix, *suffix;
};

static int set_affix(json_t *parent, const char *key, size_t idx, json_t *value, void *payload,
		     struct diag *d)
{
	struct affix *a = payload;
	struct buf b = BUF_INIT;
	int error;

	if (!parent)
		return 0;
	if (json_is_object(value) || json_is_array(value))
		return diag_set(d, DIAG_EEXEC, "expected scalar node");
	buf_adds(&b, a->prefix);
	if (scalar_text(&b, value) < 0) {
		buf_release(&b);
		return 0;
	}
	buf_adds(&b, a->suffix);
	if (buf_oom(&b))
		error = DIAG_ENOMEM;
	else if (key) /* keys and texts of json already: valid UTF-8 */
		error = json_object_set_new_nocheck(parent, key, json_stringn_nocheck(b.ptr, b.len));
	else
		error = json_array_set_new(parent, idx, json_stringn_nocheck(b.ptr, b.len));
	buf_release(&b);
	return error < 0 ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
}

static int should_skip_affix(const struct kidview *id)
{
	return kidview_gvk_selected(id, "", "", "CustomResourceDefinition") ||
	       kidview_gvk_selected(id, "apiregistration.k8s.io", "", "APIService") ||
	       kidview_gvk_selected(id, "", "", "Namespace");
}

int kt_prefix_suffix(struct kresmap *m, const char *prefix, const char *suffix,
		     const struct kfslist *fss, struct diag *d)
{
	struct affix a = { prefix ? prefix : "", suffix ? suffix : "" };
	int error = 0;

	for (size_t i = 0; i < m->len; i++) {
		struct kres *r = m->v[i];
		struct kidview id;
		char small[256], *gvk = small;
		size_t need;

		if ((error = kres_org_gvk(&id, r)) < 0)
			return diag_set(d, error, "out of memory");
		if (should_skip_affix(&id))
			continue;
		/* the view points into r, which the loop changes: its gvk is copied */
		need = id.glen + id.vlen + id.klen;
		if (need > sizeof(small) && !(gvk = malloc(need)))
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		memcpy(gvk, id.group, id.glen);
		memcpy(gvk + id.glen, id.version, id.vlen);
		memcpy(gvk + id.glen + id.vlen, id.kind, id.klen);
		id.group = gvk;
		id.version = gvk + id.glen;
		id.kind = gvk + id.glen + id.vlen;
		id.name = id.ns = NULL;
		for (size_t j = 0; j < fss->len && !error; j++) {
			const struct kfspec *fs = &fss->v[j];

			if (!kidview_gvk_selected(&id, fs->group, fs->version, fs->kind))
				continue;
			if (strcmp(fs->path, "metadata/name") == 0) {
				if (*a.prefix)
					error = kres_append_csv(r, KANNO_PREFIXES, a.prefix);
				if (!error && *a.suffix)
					error = kres_append_csv(r, KANNO_SUFFIXES, a.suffix);
				if (!error && (*a.prefix || *a.suffix))
					error = kres_store_previous_id(r);
				if (error < 0) {
					error = diag_set(d, error, "out of memory");
					break;
				}
			}
			error = kfspec_apply(r->obj, fs, JSON_STRING, set_affix, &a, d);
		}
		if (gvk != small)
			free(gvk);
		if (error < 0)
			return error;
	}
	return 0;
}

/* ---- labels / annotations ---- */

struct entries {
	const json_t *map; /* the entries to set */
	int only_if_unset;
};

static int set_entries(json_t *parent, const char *key, size_t idx, json_t *value,
		       void *payload, struct diag *d)
{
	struct entries *e = payload;
	struct buf b = BUF_INIT;
	const char *k;
	json_t *v;

	(void)parent;
	(void)key;
	(void)idx;
	if (json_is_null(value))
		return 0;
	if (!json_is_object(value))
		return diag_set(d, DIAG_EEXEC, "wrong node kind: expected MappingNode");
	json_object_foreach((json_t *)e->map, k, v) {
		buf_reset(&b);
		if (scalar_text(&b, v) < 0 || buf_oom(&b))
			continue;
		if (json_object_set_new_nocheck(value, k, json_stringn_nocheck(b.ptr, b.len)) < 0) {
			buf_release(&b);
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		}
	}
	buf_release(&b);
	return 0;
}

static int apply_entries(struct kresmap *m, const json_t *map, const struct kfslist *fss,
			 struct diag *d)
{
	struct entries e = { map, 0 };
	int error;

	if (!json_is_object(map) || json_object_size(map) == 0)
		return 0;
	for (size_t i = 0; i < m->len; i++)
		for (size_t j = 0; j < fss->len; j++)
			if ((error = kfspec_apply(m->v[i]->obj, &fss->v[j], JSON_OBJECT, set_entries,
						  &e, d)) < 0)
				return error;
	return 0;
}

int kt_labels(struct kresmap *m, const json_t *labels, const struct kfslist *fss,
	      struct diag *d)
{
	return apply_entries(m, labels, fss, d);
}

int kt_annotations(struct kresmap *m, const json_t *annos, const struct kfslist *fss,
		   struct diag *d)
{
	return apply_entries(m, annos, fss, d);
}

/* ---- namespace ---- */

struct nsset {
	const char *ns;
	int unset_only;
};

static int set_ns(json_t *parent, const char *key, size_t idx, json_t *value, void *payload,
		  struct diag *d)
{
	struct nsset *s = payload;
	int error;

	if (!parent)
		return 0;
	if (json_is_object(value) || json_is_array(value))
		return diag_set(d, DIAG_EEXEC,
				"namespace field specs must target scalar nodes");
	if (s->unset_only && json_is_string(value) && json_string_length(value) > 0)
		return 0;
	if (key)
		error = json_object_set_new(parent, key, json_string(s->ns));
	else
		error = json_array_set_new(parent, idx, json_string(s->ns));
	return error < 0 ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
}

int kt_namespace(struct kresmap *m, const char *ns, const struct kfslist *fss,
		 const char *mode, int unset_only, struct diag *d)
{
	struct nsset s = { ns, unset_only };
	struct kfspec meta = { "", "", "", "metadata/namespace", 1, NULL };
	int error;

	json_t *counts = NULL;
	struct buf key = BUF_INIT;

	if (!*ns)
		return 0;
	if (!mode || !*mode)
		mode = "defaultOnly";
	/* How many resources hold each current id, kept up to date as we go, so the
	 * conflict check after each resource is not a scan of all of them. */
	if (!(counts = json_object()))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->len; i++)
		if (kid_key_of_res(&key, m->v[i]->obj) == 0)
			json_object_set_new(counts, key.ptr,
					    json_integer(json_integer_value(json_object_get(counts, key.ptr)) + 1));
	for (size_t i = 0; i < m->len; i++) {
		struct kres *r = m->v[i];
		struct kid id = KID_INIT;
		const char *helm = kres_annotation(r, "kustomize.config.k8s.io/helm-generated");
		int is_rb;

		if (helm && strcmp(helm, "true") == 0)
			continue;
		if (kid_key_of_res(&key, r->obj) == 0)
			json_object_set_new(counts, key.ptr,
					    json_integer(json_integer_value(json_object_get(counts, key.ptr)) - 1));
		if ((error = kres_store_previous_id(r)) < 0 || (error = kres_cur_id(&id, r)) < 0) {
			error = diag_set(d, error, "out of memory");
			goto fail;
		}
		if (!id.cluster_scoped &&
		    (error = kfspec_apply(r->obj, &meta, JSON_STRING, set_ns, &s, d)) < 0) {
			kid_release(&id);
			goto fail;
		}
		is_rb = strcmp(id.kind, "RoleBinding") == 0 ||
			strcmp(id.kind, "ClusterRoleBinding") == 0;
		if (is_rb && strcmp(mode, "none") != 0) {
			json_t *subjects = json_object_get(r->obj, "subjects"), *sub;
			size_t k;

			json_array_foreach(subjects, k, sub) {
				const char *want = strcmp(mode, "allServiceAccounts") == 0 ? "kind" : "name";
				const char *match = strcmp(mode, "allServiceAccounts") == 0 ?
					"ServiceAccount" : "default";

				if (!json_is_object(sub) || strcmp(kres_str(sub, want), match) != 0)
					continue;
				if (unset_only && *kres_str(sub, "namespace"))
					continue;
				if (json_object_set_new(sub, "namespace", json_string(ns)) < 0) {
					kid_release(&id);
					error = diag_set(d, DIAG_ENOMEM, "out of memory");
					goto fail;
				}
			}
		}
		for (size_t j = 0; j < fss->len; j++) {
			const struct kfspec *fs = &fss->v[j];

			if (strcmp(fs->path, "metadata/namespace") == 0)
				continue;
			if (strcmp(fs->path, "metadata/name") == 0 &&
			    strcmp(kres_api_version(r), "v1") != 0)
				continue;
			if (is_rb && strcmp(fs->path, "subjects/namespace") == 0 &&
			    (strcmp(fs->kind, "RoleBinding") == 0 ||
			     strcmp(fs->kind, "ClusterRoleBinding") == 0))
				continue;
			if ((error = kfspec_apply(r->obj, fs, JSON_STRING, set_ns, &s, d)) < 0) {
				kid_release(&id);
				diag_prefix(d, "namespace transformation failed");
				goto fail;
			}
		}
		kid_release(&id);
		/* The new id must not collide with another resource's. */
		{
			struct kid cur = KID_INIT, other = KID_INIT;
			json_int_t matches;

			if ((error = kres_cur_id(&cur, r)) < 0) {
				error = diag_set(d, error, "out of memory");
				goto fail;
			}
			kid_key(&key, &cur);
			matches = json_integer_value(json_object_get(counts, key.ptr)) + 1;
			json_object_set_new(counts, key.ptr, json_integer(matches));
			if (matches != 1) {
				/* Go's %+v of the clashing resources: their JSON, space-separated. */
				struct buf sb = BUF_INIT;
				int first = 1;

				buf_addch(&sb, '[');
				for (size_t k = 0; k < m->len; k++) {
					if (kres_cur_id(&other, m->v[k]) == 0 && kid_equals(&cur, &other)) {
						if (!first)
							buf_addch(&sb, ' ');
						first = 0;
						value_to_json(&sb, m->v[k]->obj, 0, NULL);
					}
					kid_release(&other);
				}
				buf_addch(&sb, ']');
				error = diag_set(d, DIAG_EINVALID,
						 "namespace transformation produces ID conflict: %s",
						 sb.ptr);
				buf_release(&sb);
				kid_release(&cur);
				goto fail;
			}
			kid_release(&cur);
		}
	}
	error = 0;
fail:
	json_decref(counts);
	buf_release(&key);
	return error;
}

/* ---- replicas ---- */

static int set_count(json_t *parent, const char *key, size_t idx, json_t *value, void *payload,
		     struct diag *d)
{
	json_t *count = payload;

	(void)value;
	if (!parent)
		return 0;
	if ((key ? json_object_set(parent, key, count) : json_array_set(parent, idx, count)) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	return 0;
}

int kt_replicas(struct kresmap *m, const json_t *replica, const struct kfslist *fss,
		struct diag *d)
{
	const char *name = kres_str(replica, "name");
	json_t *count = json_object_get(replica, "count");
	int error;

	if (!json_is_integer(count))
		count = json_integer(0);
	else
		json_incref(count);
	for (size_t i = 0; i < m->len; i++) {
		struct kres *r = m->v[i];
		struct kid org = KID_INIT, cur = KID_INIT;
		int hit;

		if ((error = kres_org_id(&org, r)) < 0 || (error = kres_cur_id(&cur, r)) < 0) {
			kid_release(&org);
			json_decref(count);
			return diag_set(d, error, "out of memory");
		}
		hit = strcmp(org.name, name) == 0 || strcmp(cur.name, name) == 0;
		kid_release(&org);
		kid_release(&cur);
		if (!hit)
			continue;
		for (size_t j = 0; j < fss->len; j++) {
			if ((error = kfspec_apply(r->obj, &fss->v[j], JSON_OBJECT, set_count, count,
						  d)) < 0) {
				json_decref(count);
				return error;
			}
		}
	}
	json_decref(count);
	return 0;
}

/* ---- hash suffixes ---- */

int kt_hash(struct kresmap *m, struct diag *d)
{
	for (size_t i = 0; i < m->len; i++) {
		struct kres *r = m->v[i];
		const char *need = kres_annotation(r, KANNO_NEEDS_HASH);
		struct buf name = BUF_INIT;
		char h[11];
		int error;

		if (!need || strcmp(need, "enabled") != 0)
			continue;
		if ((error = kgen_hash(h, r->obj, d)) < 0)
			return error;
		if ((error = kres_store_previous_id(r)) < 0)
			return diag_set(d, error, "out of memory");
		buf_addf(&name, "%s-%s", kres_name(r), h);
		error = buf_oom(&name) ? DIAG_ENOMEM : kres_set_name(r, name.ptr);
		buf_release(&name);
		if (error < 0)
			return diag_set(d, error, "out of memory");
	}
	return 0;
}

/* ---- images ---- */

struct imagetag {
	const char *name, *new_name, *new_tag, *digest, *tag_suffix;
};

static int image_matched(const char *s, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	/* ^NAME(:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$
	 * with NAME taken literally (names hold no regexp syntax in practice). */
	if (strncmp(s, name, n) != 0)
		return 0;
	p = s + n;
	if (*p == ':') {
		p++;
		while (*p && (strchr("_.{}-", *p) || (*p >= 'a' && *p <= 'z') ||
			      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			p++;
	}
	if (*p == '@') {
		const char *colon = strchr(p, ':');

		if (!colon)
			return 0;
		p = colon + 1;
		while (*p && (strchr("_.{}-", *p) || (*p >= 'a' && *p <= 'z') ||
			      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			p++;
	}
	return *p == '\0';
}

static int update_image(struct imagetag *it, json_t *parent, const char *key, size_t idx,
			json_t *value, struct diag *d)
{
	const char *v, *search, *at, *colon;
	struct buf name = BUF_INIT, tag = BUF_INIT, digest = BUF_INIT, out = BUF_INIT;
	size_t off = 0;
	int error = 0;

	if (!json_is_string(value))
		return 0;
	v = json_string_value(value);
	if (!image_matched(v, it->name))
		return 0;
	search = v;
	if (strchr(v, '/') && strchr(v, '/') != v) {
		search = strchr(v, '/');
		off = (size_t)(search - v);
	}
	at = strchr(search, '@');
	colon = strchr(search, ':');
	if (!at && !colon) {
		buf_adds(&name, v);
	} else if (at && (!colon || at < colon)) {
		buf_add(&name, v, off + (size_t)(at - search));
		buf_adds(&digest, at + 1);
	} else if (at && colon) {
		buf_add(&name, v, off + (size_t)(colon - search));
		buf_add(&tag, colon + 1, (size_t)(at - colon - 1));
		buf_adds(&digest, at + 1);
	} else {
		buf_add(&name, v, off + (size_t)(colon - search));
		buf_adds(&tag, colon + 1);
	}
	if (*it->new_name)
		buf_set(&name, it->new_name, strlen(it->new_name));
	if (*it->new_tag && *it->digest) {
		buf_set(&tag, it->new_tag, strlen(it->new_tag));
		buf_set(&digest, it->digest, strlen(it->digest));
	} else if (*it->new_tag) {
		buf_set(&tag, it->new_tag, strlen(it->new_tag));
		buf_reset(&digest);
	} else if (*it->digest) {
		buf_reset(&tag);
		buf_set(&digest, it->digest, strlen(it->digest));
	} else if (*it->tag_suffix) {
		buf_adds(&tag, it->tag_suffix);
		buf_reset(&digest);
	}
	buf_add(&out, name.ptr, name.len);
	if (tag.len)
		buf_addf(&out, ":%s", tag.ptr);
	if (digest.len)
		buf_addf(&out, "@%s", digest.ptr);
	if (buf_oom(&out))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	else if ((key ? json_object_set_new(parent, key, json_string(out.ptr)) :
		  json_array_set_new(parent, idx, json_string(out.ptr))) < 0)
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	buf_release(&name);
	buf_release(&tag);
	buf_release(&digest);
	buf_release(&out);
	return error;
}

static int set_image(json_t *parent, const char *key, size_t idx, json_t *value, void *payload,
		     struct diag *d)
{
	if (!parent)
		return 0;
	return update_image(payload, parent, key, idx, value, d);
}

/* The legacy filter: every containers / initContainers list anywhere. */
static int legacy_images(struct imagetag *it, json_t *node, int depth, struct diag *d)
{
	const char *k;
	json_t *v;
	size_t i;
	int error;

	if (depth > 200)
		return 0;
	if (json_is_object(node)) {
		json_object_foreach(node, k, v) {
			if ((error = legacy_images(it, v, depth + 1, d)) < 0)
				return error;
			if ((!strcmp(k, "containers") || !strcmp(k, "initContainers")) &&
			    json_is_array(v)) {
				json_t *c;

				json_array_foreach(v, i, c) {
					json_t *img = json_object_get(c, "image");

					if (img && (error = update_image(it, c, "image", 0, img, d)) < 0)
						return error;
				}
			}
		}
	} else if (json_is_array(node)) {
		json_array_foreach(node, i, v)
			if ((error = legacy_images(it, v, depth + 1, d)) < 0)
				return error;
	}
	return 0;
}

int kt_images(struct kresmap *m, const json_t *image, const struct kfslist *fss,
	      struct diag *d)
{
	struct imagetag it = {
		kres_str(image, "name"), kres_str(image, "newName"), kres_str(image, "newTag"),
		kres_str(image, "digest"), kres_str(image, "tagSuffix"),
	};
	int error;

	for (size_t i = 0; i < m->len; i++) {
		json_t *obj = m->v[i]->obj;

		if (!strcmp(kres_str(obj, "kind"), "CustomResourceDefinition"))
			continue;
		if ((error = legacy_images(&it, obj, 0, d)) < 0)
			return error;
		for (size_t j = 0; j < fss->len; j++)
			if ((error = kfspec_apply(obj, &fss->v[j], -1, set_image, &it, d)) < 0)
				return error;
	}
	return 0;
}
