/*
 * Patches: strategic merge as kyaml's merge2 walker performs it (the patch
 * is the "origin", the resource the "dest"; lists with a merge key in the
 * Kubernetes schema merge element by element, patch elements first, other
 * lists are replaced), and RFC 6902 JSON patches.
 *
 * The schema knowledge is a small model of the Kubernetes types whose
 * lists carry x-kubernetes-patch-merge-key (pod specs, containers,
 * services, service accounts, object metadata); other lists are replaced,
 * as kyaml does for fields without a merge strategy.
 */
#include "render/kustomize/internal.h"

#include <stdlib.h>
#include <string.h>

/* Where in a known Kubernetes type a node sits. */
enum stype {
	ST_NONE,      /* no schema: maps merge, lists are replaced */
	ST_OBJECT,    /* a schema'd object we don't model further */
	ST_WORKLOAD,  /* top of a Deployment, StatefulSet, ... */
	ST_WSPEC,     /* their spec */
	ST_CRONJOB,
	ST_CJSPEC,
	ST_JOBTEMPLATE,
	ST_POD,
	ST_PODTEMPLATE_RES, /* kind PodTemplate */
	ST_PODTEMPLATE,     /* a PodTemplateSpec */
	ST_PODSPEC,
	ST_CONTAINER,
	ST_SERVICE,
	ST_SVCSPEC,
	ST_SA,
	ST_META
};

/* A position in the schema: the built-in model, or a node of a custom OpenAPI document. */
struct sctx {
	enum stype t;
	const json_t *s;    /* custom schema node (resolved), or NULL */
	const json_t *defs; /* the custom document's "definitions" */
	int builtin;        /* the built-in Kubernetes schema is loaded too */
};

/* Built-in definitions a custom document may refer to, in our model. */
static int builtin_def(const char *name, enum stype *out)
{
	static const struct {
		const char *name;
		enum stype t;
	} map[] = {
		{ "io.k8s.api.core.v1.PodTemplateSpec", ST_PODTEMPLATE },
		{ "io.k8s.api.core.v1.PodSpec", ST_PODSPEC },
		{ "io.k8s.api.core.v1.Container", ST_CONTAINER },
		{ "io.k8s.api.core.v1.EphemeralContainer", ST_CONTAINER },
		{ "io.k8s.api.core.v1.ServiceSpec", ST_SVCSPEC },
		{ "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", ST_META },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, name)) {
			*out = map[i].t;
			return 1;
		}
	if (!strncmp(name, "io.k8s.", 7)) {
		*out = ST_OBJECT;
		return 1;
	}
	return 0;
}

static const char *ref_name(const json_t *s)
{
	const json_t *ref = json_object_get(s, "$ref");
	const char *r;

	if (!json_is_string(ref))
		return NULL;
	r = json_string_value(ref);
	return strncmp(r, "#/definitions/", 14) == 0 ? r + 14 : r;
}

/* A (possibly $ref) schema node as a context: built-in definitions win when loaded. */
static struct sctx ctx_of(const json_t *node, const json_t *defs, int builtin);

static struct sctx ctx_field(struct sctx c, const char *f);
static const char *ctx_merge_key(struct sctx c, const char *f);

static const char *const builtin_groups[] = {
	"", "apps", "extensions", "batch", "policy", "networking.k8s.io", "autoscaling",
	"rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io",
	"apiextensions.k8s.io", "apiregistration.k8s.io", "certificates.k8s.io",
	"coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "node.k8s.io",
	"scheduling.k8s.io", "flowcontrol.apiserver.k8s.io",
};

int kpatch_builtin_group(const char *api_version)
{
	const char *slash = strchr(api_version, '/');
	size_t glen = slash ? (size_t)(slash - api_version) : 0;

	for (size_t i = 0; i < sizeof(builtin_groups) / sizeof(builtin_groups[0]); i++)
		if (strlen(builtin_groups[i]) == glen && !strncmp(builtin_groups[i], api_version, glen))
			return 1;
	return 0;
}

static enum stype root_type(const json_t *res)
{
	const char *kind = kres_str(res, "kind"), *av = kres_str(res, "apiVersion");
	const char *slash = strchr(av, '/');
	size_t glen = slash ? (size_t)(slash - av) : 0;
	int builtin = 0;

	for (size_t i = 0; i < sizeof(builtin_groups) / sizeof(builtin_groups[0]); i++)
		if (strlen(builtin_groups[i]) == glen && strncmp(builtin_groups[i], av, glen) == 0)
			builtin = 1;
	if (!builtin || !*kind)
		return ST_NONE;
	if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") ||
	    !strcmp(kind, "DaemonSet") || !strcmp(kind, "ReplicaSet") || !strcmp(kind, "Job") ||
	    !strcmp(kind, "ReplicationController"))
		return ST_WORKLOAD;
	if (!strcmp(kind, "CronJob"))
		return ST_CRONJOB;
	if (!strcmp(kind, "Pod"))
		return ST_POD;
	if (!strcmp(kind, "PodTemplate"))
		return ST_PODTEMPLATE_RES;
	if (!strcmp(kind, "Service"))
		return ST_SERVICE;
	if (!strcmp(kind, "ServiceAccount"))
		return ST_SA;
	return ST_OBJECT;
}

static enum stype field_type(enum stype t, const char *f)
{
	if (t == ST_NONE)
		return ST_NONE;
	if (!strcmp(f, "metadata") && t != ST_PODSPEC && t != ST_CONTAINER)
		return ST_META;
	switch (t) {
	case ST_WORKLOAD:
		return !strcmp(f, "spec") ? ST_WSPEC : ST_OBJECT;
	case ST_WSPEC:
		return !strcmp(f, "template") ? ST_PODTEMPLATE : ST_OBJECT;
	case ST_CRONJOB:
		return !strcmp(f, "spec") ? ST_CJSPEC : ST_OBJECT;
	case ST_CJSPEC:
		return !strcmp(f, "jobTemplate") ? ST_JOBTEMPLATE : ST_OBJECT;
	case ST_JOBTEMPLATE:
		return !strcmp(f, "spec") ? ST_WSPEC : ST_OBJECT;
	case ST_POD:
		return !strcmp(f, "spec") ? ST_PODSPEC : ST_OBJECT;
	case ST_PODTEMPLATE_RES:
		return !strcmp(f, "template") ? ST_PODTEMPLATE : ST_OBJECT;
	case ST_PODTEMPLATE:
		return !strcmp(f, "spec") ? ST_PODSPEC : ST_OBJECT;
	case ST_PODSPEC:
		if (!strcmp(f, "containers") || !strcmp(f, "initContainers") ||
		    !strcmp(f, "ephemeralContainers"))
			return ST_CONTAINER;
		return ST_OBJECT;
	case ST_SERVICE:
		return !strcmp(f, "spec") ? ST_SVCSPEC : ST_OBJECT;
	default:
		return ST_OBJECT;
	}
}

/* The merge key of list field f inside a node of type t: "" when the list merges as a set
 * of scalars, NULL when it is replaced. */
static const char *merge_key(enum stype t, const char *f)
{
	switch (t) {
	case ST_PODSPEC:
		if (!strcmp(f, "containers") || !strcmp(f, "initContainers") ||
		    !strcmp(f, "ephemeralContainers") || !strcmp(f, "volumes") ||
		    !strcmp(f, "imagePullSecrets") || !strcmp(f, "schedulingGates") ||
		    !strcmp(f, "resourceClaims"))
			return "name";
		if (!strcmp(f, "hostAliases"))
			return "ip";
		if (!strcmp(f, "topologySpreadConstraints"))
			return "topologyKey";
		return NULL;
	case ST_CONTAINER:
		if (!strcmp(f, "env"))
			return "name";
		if (!strcmp(f, "ports"))
			return "containerPort";
		if (!strcmp(f, "volumeMounts"))
			return "mountPath";
		if (!strcmp(f, "volumeDevices"))
			return "devicePath";
		return NULL;
	case ST_SVCSPEC:
		return !strcmp(f, "ports") ? "port" : NULL;
	case ST_SA:
		return !strcmp(f, "secrets") || !strcmp(f, "imagePullSecrets") ? "name" : NULL;
	case ST_META:
		if (!strcmp(f, "finalizers"))
			return "";
		if (!strcmp(f, "ownerReferences"))
			return "uid";
		return NULL;
	default:
		return NULL;
	}
}

static struct sctx ctx_of(const json_t *node, const json_t *defs, int builtin)
{
	struct sctx r = { ST_NONE, NULL, defs, builtin };
	enum stype bt;

	for (int i = 0; i < 64 && json_is_object(node); i++) {
		const char *name = ref_name(node);

		if (!name) {
			r.s = node;
			return r;
		}
		if (builtin && builtin_def(name, &bt)) {
			r.t = bt;
			return r;
		}
		node = json_object_get(defs, name);
	}
	return r;
}

static struct sctx ctx_field(struct sctx c, const char *f)
{
	struct sctx r = { ST_NONE, NULL, c.defs, c.builtin };
	const json_t *props, *fs;

	if (!c.s) {
		r.t = field_type(c.t, f);
		return r;
	}
	props = json_object_get(c.s, "properties");
	fs = json_object_get(props, f);
	if (!fs) {
		const json_t *ap = json_object_get(c.s, "additionalProperties");

		fs = json_is_object(ap) ? ap : NULL;
	}
	return fs ? ctx_of(fs, c.defs, c.builtin) : r;
}

/* The element schema of a list field's schema. */
static struct sctx ctx_elements(struct sctx list)
{
	struct sctx r = { ST_NONE, NULL, list.defs, list.builtin };
	const json_t *type;

	if (!list.s)
		return list; /* the built-in model types a list by its elements */
	type = json_object_get(list.s, "type");
	if (!json_is_string(type) || strcmp(json_string_value(type), "array") != 0)
		return r;
	return ctx_of(json_object_get(list.s, "items"), list.defs, list.builtin);
}

static const char *ctx_merge_key(struct sctx c, const char *f)
{
	struct sctx fc;
	const json_t *ps, *keys, *mk;

	if (!c.s)
		return c.t == ST_NONE ? NULL : merge_key(c.t, f);
	fc = ctx_field(c, f);
	if (!fc.s || !json_is_string(ps = json_object_get(fc.s, "x-kubernetes-patch-strategy")))
		return NULL;
	{
		const char *p = json_string_value(ps);
		int merge = 0;

		while (*p) {
			const char *e = strchr(p, ',');
			size_t n = e ? (size_t)(e - p) : strlen(p);

			if (n == 5 && strncmp(p, "merge", 5) == 0)
				merge = 1;
			p += n + (e ? 1 : 0);
		}
		if (!merge)
			return NULL;
	}
	keys = json_object_get(fc.s, "x-kubernetes-list-map-keys");
	if (json_is_array(keys) && json_is_string(json_array_get(keys, 0)))
		return json_string_value(json_array_get(keys, 0));
	mk = json_object_get(fc.s, "x-kubernetes-patch-merge-key");
	return json_is_string(mk) ? json_string_value(mk) : "";
}

enum directive { D_MERGE, D_REPLACE, D_DELETE };

/* Reads and removes a map's "$patch" directive. */
static int map_directive(json_t *patch, enum directive *out, struct diag *d)
{
	json_t *v = json_object_get(patch, "$patch");
	const char *s;

	*out = D_MERGE;
	if (!v)
		return 0;
	s = json_is_string(v) ? json_string_value(v) : "";
	if (!strcmp(s, "delete"))
		*out = D_DELETE;
	else if (!strcmp(s, "replace"))
		*out = D_REPLACE;
	else if (strcmp(s, "merge") != 0)
		return diag_set(d, DIAG_EINVALID, "unknown patch strategy '%s'", s);
	json_object_del(patch, "$patch");
	return 0;
}

/* A list's directive: an element {"$patch": X} (alone). */
static int list_directive(json_t *patch, enum directive *out, struct diag *d)
{
	size_t i;
	json_t *e;

	*out = D_MERGE;
	json_array_foreach(patch, i, e) {
		json_t *v;
		const char *s;

		if (!json_is_object(e) || !(v = json_object_get(e, "$patch")) ||
		    json_object_size(e) > 1)
			continue;
		s = json_is_string(v) ? json_string_value(v) : "";
		if (!strcmp(s, "delete"))
			*out = D_DELETE;
		else if (!strcmp(s, "replace"))
			*out = D_REPLACE;
		else if (strcmp(s, "merge") != 0)
			return diag_set(d, DIAG_EINVALID, "unknown patch strategy '%s'", s);
		json_array_remove(patch, i);
		return 0;
	}
	return 0;
}

static json_t *merge(json_t *dest, json_t *patch, struct sctx t, int depth, int *err,
		     struct diag *d);

/* Text of a key's value in an element, as kyaml compares them; NULL if absent. */
static int elem_key(struct buf *out, const json_t *e, const char *key)
{
	json_t *v;

	buf_reset(out);
	if (!*key) {
		if (json_is_string(e))
			buf_adds(out, json_string_value(e));
		else if (json_is_integer(e))
			buf_addf(out, "%lld", (long long)json_integer_value(e));
		else if (json_is_true(e))
			buf_adds(out, "true");
		else if (json_is_false(e))
			buf_adds(out, "false");
		else
			return 0;
		return 1;
	}
	if (!json_is_object(e) || !(v = json_object_get(e, key)))
		return 0;
	if (json_is_string(v))
		buf_adds(out, json_string_value(v));
	else if (json_is_integer(v))
		buf_addf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		buf_addf(out, "%g", json_real_value(v));
	else if (json_is_true(v))
		buf_adds(out, "true");
	else if (json_is_false(v))
		buf_adds(out, "false");
	else
		return 0;
	return 1;
}

static int find_elem(const json_t *list, const char *key, const char *value)
{
	struct buf k = BUF_INIT;
	size_t i;
	json_t *e;
	int r = -1;

	json_array_foreach(list, i, e) {
		if (elem_key(&k, e, key) && strcmp(k.ptr, value) == 0) {
			r = (int)i;
			break;
		}
	}
	buf_release(&k);
	return r;
}

/* An associative list: patch elements first, then the rest of dest, each merged by key. */
static json_t *merge_assoc(json_t *dest, json_t *patch, const char *key, struct sctx et,
			   int depth, int *err, struct diag *d)
{
	json_t *values = json_array(), *result = json_array();
	struct buf k = BUF_INIT;
	json_t *srcs[2] = { patch, dest };
	size_t i;
	json_t *e;

	if (!values || !result)
		goto oom;
	/* The distinct key values, patch first. */
	for (int s = 0; s < 2; s++) {
		json_array_foreach(srcs[s], i, e) {
			size_t j;
			json_t *v;
			int seen = 0;

			if (!elem_key(&k, e, key))
				continue;
			json_array_foreach(values, j, v)
				if (!strcmp(json_string_value(v), k.ptr))
					seen = 1;
			if (!seen && json_array_append_new(values, json_string(k.ptr)) < 0)
				goto oom;
		}
	}
	json_array_foreach(values, i, e) {
		const char *v = json_string_value(e);
		int di = find_elem(dest, key, v), pi = find_elem(patch, key, v);
		json_t *de = di >= 0 ? json_incref(json_array_get(dest, (size_t)di)) : NULL;
		json_t *pe = pi >= 0 ? json_incref(json_array_get(patch, (size_t)pi)) : NULL;
		json_t *m;

		if (!*key) {
			/* Scalars: the value itself. */
			m = pe ? pe : de;
			if (m == pe)
				json_decref(de);
			else
				json_decref(pe);
		} else {
			m = merge(de, pe, et, depth + 1, err, d);
		}
		if (*err < 0) {
			json_decref(m);
			goto fail;
		}
		if (!m || json_is_null(m) || (json_is_object(m) && json_object_size(m) == 0)) {
			json_decref(m);
			continue;
		}
		if (*key && json_is_object(m) && !json_object_get(m, key))
			json_object_set_new(m, key, json_string(v));
		if (json_array_append_new(result, m) < 0)
			goto oom;
	}
	/* Elements without the key keep their place after the keyed ones. */
	json_array_foreach(dest, i, e)
		if (!elem_key(&k, e, key) && json_array_append(result, e) < 0)
			goto oom;
	json_decref(values);
	buf_release(&k);
	return result;
oom:
	*err = diag_set(d, DIAG_ENOMEM, "out of memory");
fail:
	json_decref(values);
	json_decref(result);
	buf_release(&k);
	return NULL;
}

/*
 * Merges patch into dest (both new references, consumed); returns the new
 * value (a new reference), or NULL for "clear this field".
 */
static json_t *merge(json_t *dest, json_t *patch, struct sctx t, int depth, int *err,
		     struct diag *d)
{
	enum directive dir = D_MERGE;

	if (depth > 500) {
		*err = diag_set(d, DIAG_ELIMIT, "patch nested too deeply");
		goto fail;
	}
	if (!patch) {
		/* Not in the patch: the resource's value stays. */
		return dest;
	}
	if (json_is_object(patch) || (!json_is_array(patch) && json_is_object(dest))) {
		json_t *out;
		const char *key;
		json_t *v;

		if (!json_is_object(patch)) {
			/* null (or a scalar) over a map clears / replaces it */
			json_decref(dest);
			if (json_is_null(patch)) {
				json_decref(patch);
				return NULL;
			}
			return patch;
		}
		if (json_object_get(patch, "$patch")) {
			json_t *copy = json_deep_copy(patch);

			json_decref(patch);
			patch = copy;
			if (!patch || (*err = map_directive(patch, &dir, d)) < 0)
				goto fail;
		}
		if (dir == D_DELETE) {
			json_decref(dest);
			json_decref(patch);
			return NULL;
		}
		if (dir == D_REPLACE || !json_is_object(dest)) {
			/* The patch, with its own nulls and directives resolved. */
			json_decref(dest);
			dest = json_object();
			if (!dest)
				goto oom;
		} else {
			json_t *copy = json_copy(dest);

			json_decref(dest);
			dest = copy;
			if (!dest)
				goto oom;
		}
		out = dest;
		json_object_foreach(patch, key, v) {
			json_t *dv = json_object_get(out, key), *m;
			struct sctx ft = ctx_field(t, key);

			if (json_is_null(v)) {
				json_object_del(out, key);
				continue;
			}
			if (json_is_array(v)) {
				const char *mk = ctx_merge_key(t, key);
				json_t *pv = json_deep_copy(v), *base;
				enum directive ld = D_MERGE;

				if (!pv)
					goto oom;
				if ((*err = list_directive(pv, &ld, d)) < 0) {
					json_decref(pv);
					goto fail;
				}
				if (ld == D_DELETE) {
					json_decref(pv);
					json_object_del(out, key);
					continue;
				}
				base = json_is_array(dv) && ld != D_REPLACE ? dv : pv;
				m = mk ? merge_assoc(base, pv, mk, ctx_elements(ft), depth, err, d) :
					 json_incref(pv);
				json_decref(pv);
				if (*err < 0) {
					json_decref(m);
					goto fail;
				}
				if (!m || json_object_set_new(out, key, m) < 0)
					goto oom;
				continue;
			}
			m = merge(dv ? json_incref(dv) : NULL, json_incref(v), ft, depth + 1, err, d);
			if (*err < 0) {
				json_decref(m);
				goto fail;
			}
			if (!m || json_is_null(m)) {
				json_decref(m);
				json_object_del(out, key);
			} else if (json_object_set_new(out, key, m) < 0) {
				goto oom;
			}
		}
		json_decref(patch);
		return out;
	}
	if (json_is_null(patch)) {
		json_decref(dest);
		json_decref(patch);
		return NULL;
	}
	/* Scalars and lists met outside a map: the patch wins. */
	json_decref(dest);
	return patch;
oom:
	*err = diag_set(d, DIAG_ENOMEM, "out of memory");
fail:
	json_decref(dest);
	json_decref(patch);
	return NULL;
}

/* The definition of a custom schema whose x-kubernetes-group-version-kind names res's type. */
static const json_t *custom_root(const json_t *defs, const json_t *res)
{
	const char *av = kres_str(res, "apiVersion"), *kind = kres_str(res, "kind");
	const char *slash = strchr(av, '/');
	size_t glen = slash ? (size_t)(slash - av) : 0;
	const char *version = slash ? slash + 1 : av;
	const char *name;
	json_t *def;

	json_object_foreach((json_t *)defs, name, def) {
		json_t *gvks = json_object_get(def, "x-kubernetes-group-version-kind"), *g;
		size_t i;

		json_array_foreach(gvks, i, g) {
			const char *gg = kres_str(g, "group");

			if (!strcmp(kres_str(g, "kind"), kind) && !strcmp(kres_str(g, "version"), version) &&
			    strlen(gg) == glen && !strncmp(gg, av, glen))
				return def;
		}
	}
	return NULL;
}

int kpatch_smp(json_t **target, const json_t *patch, const json_t *schema, int with_builtin,
	       struct diag *d)
{
	struct sctx t = { ST_NONE, NULL, NULL, 1 };
	json_t *p = json_deep_copy(patch), *r;
	int err = 0;

	if (!p)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if (schema) {
		/* A custom schema replaces the built-in one, unless kyaml had already been
		 * asked about a type it doesn't know (then it loads both). */
		const json_t *root;

		t.defs = json_object_get(schema, "definitions");
		t.builtin = with_builtin;
		root = custom_root(t.defs, *target);
		if (root)
			t = ctx_of(root, t.defs, with_builtin);
		else if (with_builtin)
			t.t = root_type(*target);
	} else {
		t.t = root_type(*target);
	}
	r = merge(*target, p, t, 0, &err, d);
	*target = NULL;
	if (err < 0) {
		json_decref(r);
		*target = json_object();
		return err;
	}
	*target = r ? r : json_object();
	return 0;
}

/* ---- RFC 6902 ---- */

static int unescape_token(struct buf *out, const char *s, size_t n)
{
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~' && i + 1 < n && s[i + 1] == '0') {
			buf_addch(out, '~');
			i++;
		} else if (s[i] == '~' && i + 1 < n && s[i + 1] == '1') {
			buf_addch(out, '/');
			i++;
		} else {
			buf_addch(out, s[i]);
		}
	}
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

static int parse_index(const char *s, size_t max, size_t *out)
{
	char *end;
	long v;

	if (!*s || (s[0] == '0' && s[1]) || s[0] == '-' || s[0] == '+')
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || (size_t)v > max)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Finds the parent of pointer's last token; *last gets that token (unescaped). */
static int resolve_parent(json_t **parent, struct buf *last, json_t *doc, const char *ptr)
{
	json_t *cur = doc;
	struct buf tok = BUF_INIT;
	const char *p = ptr;

	if (*p != '/') {
		buf_release(&tok);
		return -1;
	}
	for (;;) {
		const char *s = p + 1, *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (unescape_token(&tok, s, n) < 0)
			break;
		if (!e) {
			buf_set(last, tok.ptr, tok.len);
			*parent = cur;
			buf_release(&tok);
			return 0;
		}
		if (json_is_object(cur)) {
			cur = json_object_get(cur, tok.ptr);
		} else if (json_is_array(cur)) {
			size_t idx;

			if (parse_index(tok.ptr, json_array_size(cur) - 1, &idx) < 0 ||
			    json_array_size(cur) == 0)
				cur = NULL;
			else
				cur = json_array_get(cur, idx);
		} else {
			cur = NULL;
		}
		if (!cur)
			break;
		p = e;
	}
	buf_release(&tok);
	return -1;
}

static json_t *get_ptr(json_t *doc, const char *ptr)
{
	json_t *parent;
	struct buf last = BUF_INIT;
	json_t *r = NULL;

	if (!*ptr)
		return doc;
	if (resolve_parent(&parent, &last, doc, ptr) == 0) {
		if (json_is_object(parent)) {
			r = json_object_get(parent, last.ptr);
		} else if (json_is_array(parent)) {
			size_t idx;

			if (json_array_size(parent) && parse_index(last.ptr, json_array_size(parent) - 1, &idx) == 0)
				r = json_array_get(parent, idx);
		}
	}
	buf_release(&last);
	return r;
}

static int op_remove(json_t *doc, const char *path, json_t **removed)
{
	json_t *parent;
	struct buf last = BUF_INIT;
	int error = -1;

	if (resolve_parent(&parent, &last, doc, path) == 0) {
		if (json_is_object(parent) && json_object_get(parent, last.ptr)) {
			if (removed)
				*removed = json_incref(json_object_get(parent, last.ptr));
			error = json_object_del(parent, last.ptr);
		} else if (json_is_array(parent) && json_array_size(parent)) {
			size_t idx;

			if (parse_index(last.ptr, json_array_size(parent) - 1, &idx) == 0) {
				if (removed)
					*removed = json_incref(json_array_get(parent, idx));
				error = json_array_remove(parent, idx);
			}
		}
	}
	buf_release(&last);
	return error;
}

static int op_add(json_t *doc, const char *path, json_t *value, int replace)
{
	json_t *parent;
	struct buf last = BUF_INIT;
	int error = -1;

	if (resolve_parent(&parent, &last, doc, path) == 0) {
		if (json_is_object(parent)) {
			if (!replace || json_object_get(parent, last.ptr))
				error = json_object_set(parent, last.ptr, value);
		} else if (json_is_array(parent)) {
			size_t idx, n = json_array_size(parent);

			if (!replace && strcmp(last.ptr, "-") == 0)
				error = json_array_append(parent, value);
			else if (replace && n && parse_index(last.ptr, n - 1, &idx) == 0)
				error = json_array_set(parent, idx, value);
			else if (!replace && parse_index(last.ptr, n, &idx) == 0)
				error = json_array_insert(parent, idx, value);
		}
	}
	buf_release(&last);
	return error;
}

int kpatch_json6902(json_t **target, const json_t *ops, struct diag *d)
{
	size_t i;
	json_t *op;

	json_array_foreach(ops, i, op) {
		const char *name = kres_str(op, "op"), *path = kres_str(op, "path");
		json_t *value = json_object_get(op, "value");
		int rc = 0;

		if (!json_is_object(op))
			return diag_set(d, DIAG_EINVALID, "invalid JSON patch operation");
		if (!strcmp(name, "add") || !strcmp(name, "replace")) {
			if (!value)
				return diag_set(d, DIAG_EINVALID, "missing value for '%s' operation", name);
			if (!*path) {
				json_decref(*target);
				*target = json_deep_copy(value);
				continue;
			}
			rc = op_add(*target, path, value, !strcmp(name, "replace"));
			if (rc < 0)
				return diag_set(d, DIAG_EEXEC,
						"%s operation does not apply: doc is missing path: \"%s\": "
						"missing value", name, path);
			/* Each use of a value gets its own copy. */
			{
				json_t *copy = json_deep_copy(value);
				op_add(*target, path, copy, 1);
				json_decref(copy);
			}
		} else if (!strcmp(name, "remove")) {
			if (op_remove(*target, path, NULL) < 0)
				return diag_set(d, DIAG_EEXEC,
						"remove operation does not apply: doc is missing path: \"%s\": "
						"missing value", path);
		} else if (!strcmp(name, "move") || !strcmp(name, "copy")) {
			const char *from = kres_str(op, "from");
			json_t *v = NULL;

			if (!strcmp(name, "move")) {
				if (op_remove(*target, from, &v) < 0)
					return diag_set(d, DIAG_EEXEC,
							"move operation does not apply: doc is missing from "
							"path: \"%s\": missing value", from);
			} else {
				json_t *src = get_ptr(*target, from);

				if (!src)
					return diag_set(d, DIAG_EEXEC,
							"copy operation does not apply: doc is missing from "
							"path: \"%s\": missing value", from);
				v = json_deep_copy(src);
			}
			rc = op_add(*target, path, v, 0);
			json_decref(v);
			if (rc < 0)
				return diag_set(d, DIAG_EEXEC,
						"%s operation does not apply: doc is missing path: \"%s\": "
						"missing value", name, path);
		} else if (!strcmp(name, "test")) {
			json_t *cur = get_ptr(*target, path);

			if (!cur || !value || !json_equal(cur, value))
				return diag_set(d, DIAG_EEXEC, "testing value %s failed: test failed", path);
		} else {
			return diag_set(d, DIAG_EINVALID, "Unexpected kind: %s", name);
		}
	}
	return 0;
}
