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
#include "render/gofloat.h"
#include "render/tmpl/tmpl.h"

#include <limits.h>
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
static json_t *ctx_merge_keys(struct sctx c, const char *f);

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

/*
 * The merge keys of list field f in c, as kyaml's PatchStrategyAndKeyList
 * gives them: a new array (empty for a list of scalars merged as a set), or
 * NULL when the list is replaced. The built-in Kubernetes schema lists
 * x-kubernetes-list-map-keys for container and service ports and topology
 * spread constraints, which then take precedence over the merge key.
 */
static json_t *ctx_merge_keys(struct sctx c, const char *f)
{
	struct sctx fc;
	const json_t *ps, *keys, *mk;
	const char *k;

	if (!c.s) {
		if (c.t == ST_NONE || !(k = merge_key(c.t, f)))
			return NULL;
		if (!*k)
			return json_array();
		if (c.t == ST_CONTAINER && !strcmp(f, "ports"))
			return json_pack("[ss]", "containerPort", "protocol");
		if (c.t == ST_SVCSPEC && !strcmp(f, "ports"))
			return json_pack("[ss]", "port", "protocol");
		if (c.t == ST_PODSPEC && !strcmp(f, "topologySpreadConstraints"))
			return json_pack("[ss]", "topologyKey", "whenUnsatisfiable");
		return json_pack("[s]", k);
	}
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
	if (json_is_array(keys))
		return json_deep_copy(keys);
	mk = json_object_get(fc.s, "x-kubernetes-patch-merge-key");
	return json_is_string(mk) ? json_pack("[s]", json_string_value(mk)) : json_array();
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

/* A scalar's text as kyaml holds it (its YNode().Value); 0 for non-scalars. */
static int scalar_text(struct buf *out, const json_t *v)
{
	buf_reset(out);
	switch (json_typeof(v)) {
	case JSON_STRING:
		buf_add(out, json_string_value(v), json_string_length(v));
		return 1;
	case JSON_INTEGER:
		buf_addf(out, "%lld", (long long)json_integer_value(v));
		return 1;
	case JSON_REAL:
		gofloat_format(out, json_real_value(v), 'g', -1, 64);
		return 1;
	case JSON_TRUE:
		buf_adds(out, "true");
		return 1;
	case JSON_FALSE:
		buf_adds(out, "false");
		return 1;
	case JSON_NULL:
		buf_adds(out, "null");
		return 1;
	default:
		return 0;
	}
}

static int is_nil_or_empty(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_object(v) && json_object_size(v) == 0);
}

/* FieldMatcher{Name: key, StringValue: value} on elem: non-zero on a match. */
static int field_matches(const json_t *elem, const char *key, const char *value)
{
	struct buf t = BUF_INIT;
	const json_t *f;
	int r;

	if (!*key) {
		if (json_is_object(elem) || json_is_array(elem) || json_is_null(elem))
			return 0;
		scalar_text(&t, elem);
		r = !strcmp(t.ptr, value);
		buf_release(&t);
		return r;
	}
	if (!json_is_object(elem) || !(f = json_object_get(elem, key)))
		return 0;
	if (!*value)
		return 1;
	r = scalar_text(&t, f) ? !strcmp(t.ptr, value) : !*value;
	buf_release(&t);
	return r;
}

/* kyaml's ElementSetter on list (in place). element NULL deletes. Steals element. */
static int element_setter(json_t *list, json_t *element, const json_t *keys,
			  const json_t *values)
{
	json_t *out = json_array();
	size_t nk = json_array_size(keys), nv = json_array_size(values), i;
	const char *k0 = nk ? json_string_value(json_array_get(keys, 0)) : "";
	const char *v0 = nv ? json_string_value(json_array_get(values, 0)) : "";
	int mapping_setter = nk > 0 && *k0 && nv > 0 && *v0;
	int found_any = 0;
	json_t *e;

	if (!out) {
		json_decref(element);
		return DIAG_ENOMEM;
	}
	json_array_foreach(list, i, e) {
		int found = 1, have = 0;

		if (is_nil_or_empty(e))
			continue;
		if (!json_is_object(e) && mapping_setter) {
			json_array_append(out, e);
			continue;
		}
		/* A key past the values reuses the previous key's verdict, as kyaml's loop does. */
		for (size_t j = 0; j < (nk ? nk : 1); j++) {
			if (j < nv)
				have = field_matches(e, nk ? json_string_value(json_array_get(keys, j)) : "",
						     json_string_value(json_array_get(values, j)));
			if (!have) {
				found = 0;
				break;
			}
		}
		if (!found) {
			if (nv > 0)
				json_array_append(out, e);
			continue;
		}
		found_any = 1;
		if (element)
			json_array_append(out, element);
	}
	if (element && !is_nil_or_empty(element) && !found_any)
		json_array_append(out, element);
	json_decref(element);
	json_array_clear(list);
	json_array_extend(list, out);
	json_decref(out);
	return 0;
}

/* kyaml's ElementMatcher: index of the first element matching keys = values, or -1. */
static int element_match(const json_t *list, const json_t *keys, const json_t *values)
{
	size_t nk = json_array_size(keys), i;
	const char *k0 = nk ? json_string_value(json_array_get(keys, 0)) : "";
	json_t *e;

	if (!json_is_array(list))
		return -1;
	json_array_foreach(list, i, e) {
		int ok = 1;

		if (!*k0) {
			struct buf t = BUF_INIT;
			const char *v0 = json_array_size(values) ?
				json_string_value(json_array_get(values, 0)) : "";

			ok = !json_is_object(e) && !json_is_array(e) && scalar_text(&t, e) &&
			     !strcmp(t.ptr, v0);
			buf_release(&t);
			if (ok)
				return (int)i;
			continue;
		}
		if (!json_is_object(e))
			continue;
		/* MatchField compares the value exactly, "" included (unlike ElementSetter). */
		for (size_t j = 0; j < nk && ok; j++) {
			const json_t *f = json_object_get(e, json_string_value(json_array_get(keys, j)));
			struct buf t = BUF_INIT;

			ok = f && scalar_text(&t, f) &&
			     !strcmp(t.ptr, json_string_value(json_array_get(values, j)));
			buf_release(&t);
		}
		if (ok)
			return (int)i;
	}
	return -1;
}

/* validateKeys: the keys some tuple gives a value, and this tuple's values for them. */
static void validate_keys(json_t **vk, json_t **vv, const json_t *list, const json_t *values,
			  const json_t *keys)
{
	size_t nk = json_array_size(keys), i, t;
	json_t *tuple;
	char *valid = calloc(nk + 1, 1);
	int any = 0;

	*vk = json_array();
	*vv = json_array();
	json_array_foreach(list, t, tuple)
		for (i = 0; i < nk && i < json_array_size(tuple); i++)
			if (*json_string_value(json_array_get(tuple, i)) && valid) {
				valid[i] = 1;
				any = 1;
			}
	if (!any || !valid) {
		json_array_extend(*vk, (json_t *)keys);
		json_array_extend(*vv, (json_t *)values);
		free(valid);
		return;
	}
	for (i = 0; i < nk; i++)
		if (valid[i])
			json_array_append(*vk, json_array_get(keys, i));
	for (i = 0; i < json_array_size(values); i++) {
		const char *v = json_string_value(json_array_get(values, i));

		if (*v || (i < nk && valid[i]))
			json_array_append(*vv, json_array_get(values, i));
	}
	free(valid);
}

/* mergeValues: tuples agreeing on a common value and not contradicting merge. */
static void merge_values(json_t *list)
{
	size_t n = json_array_size(list);

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			json_t *a = json_array_get(list, i), *b = json_array_get(list, j), *res;
			size_t len = json_array_size(a);
			int common = 0, ok = len == json_array_size(b);

			if (!ok)
				continue;
			res = json_array();
			for (size_t k = 0; k < len && ok; k++) {
				const char *x = json_string_value(json_array_get(a, k));
				const char *y = json_string_value(json_array_get(b, k));

				if (!strcmp(x, y)) {
					common = 1;
					json_array_append_new(res, json_string(x));
				} else if (*x && *y) {
					ok = 0;
				} else {
					json_array_append_new(res, json_string(*x ? x : y));
				}
			}
			if (ok && common) {
				json_array_set(list, i, res);
				json_array_set(list, j, res);
			}
			json_decref(res);
		}
	}
}

/* ElementValuesList: each element's text for each key ("" when absent or empty). */
static void element_values(json_t *out, const json_t *list, const json_t *keys)
{
	struct buf t = BUF_INIT;
	size_t i, k;
	json_t *e;

	json_array_foreach(list, i, e) {
		json_t *tuple = json_array();

		for (k = 0; k < json_array_size(keys); k++) {
			json_t *f = json_is_object(e) ?
				json_object_get(e, json_string_value(json_array_get(keys, k))) : NULL;

			if (is_nil_or_empty(f) || !scalar_text(&t, f))
				json_array_append_new(tuple, json_string(""));
			else
				json_array_append_new(tuple, json_string(t.ptr));
		}
		if (json_array_size(tuple) == 0) {
			json_decref(tuple);
			continue;
		}
		/* seen: the same tuple only once */
		{
			size_t j;
			json_t *o;
			int seen = 0;

			json_array_foreach(out, j, o)
				if (json_equal(o, tuple))
					seen = 1;
			if (seen)
				json_decref(tuple);
			else
				json_array_append_new(out, tuple);
		}
	}
	buf_release(&t);
}

static json_t *resolve_key_value(const char *s)
{
	char *end;
	long long v;

	if (*s && (*s == '-' || (*s >= '0' && *s <= '9'))) {
		v = strtoll(s, &end, 10);
		if (!*end)
			return json_integer(v);
	}
	return json_string(s);
}

/* The merge key's text in e, when e is a map holding it as a non-empty
 * string without a NUL; NULL otherwise. */
static const char *simple_key(const json_t *e, const char *key)
{
	const json_t *f = json_is_object(e) ? json_object_get(e, key) : NULL;
	const char *s = json_is_string(f) ? json_string_value(f) : NULL;

	return s && *s && strlen(s) == json_string_length(f) ? s : NULL;
}

/* Whether every element of list is a map whose key is simple_key, each
 * text once. */
static int simple_list(const json_t *list, const char *key)
{
	size_t n = json_array_size(list);

	for (size_t i = 0; i < n; i++) {
		const char *a = simple_key(json_array_get(list, i), key);

		if (!a)
			return 0;
		for (size_t j = 0; j < i; j++)
			if (strcmp(a, simple_key(json_array_get(list, j), key)) == 0)
				return 0;
	}
	return 1;
}

/* The index of the element of list whose key is text, or -1. */
static int simple_find(const json_t *list, const char *key, const char *text)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (strcmp(simple_key(json_array_get(list, i), key), text) == 0)
			return (int)i;
	return -1;
}

/*
 * merge_assoc for the usual list: one merge key, and every element of
 * both lists a map holding it as a non-empty string, no text twice in a
 * list. What merge_assoc's tuples, matchers and setters come to then: for
 * each text, the patch's in order and then the destination's other ones,
 * the merge of the two lists' elements of that text, dropped when nil or
 * empty. *done is 0 (nothing done) when the lists are not of that kind.
 */
static json_t *merge_assoc_simple(json_t *dest, json_t *patch, const char *key, struct sctx et,
				  int depth, int *err, struct diag *d, int *done)
{
	size_t np = json_array_size(patch), nd = json_array_size(dest);
	json_t *out;

	*done = 0;
	if (!json_is_array(dest) || !json_is_array(patch) || !simple_list(patch, key) ||
	    !simple_list(dest, key))
		return NULL;
	*done = 1;
	if (!(out = json_array()))
		goto oom;
	for (size_t i = 0; i < np + nd; i++) {
		const json_t *e = i < np ? json_array_get(patch, i) : json_array_get(dest, i - np);
		const char *text = simple_key(e, key);
		int di, pi;
		json_t *m;

		if (i >= np && simple_find(patch, key, text) >= 0)
			continue; /* merged with the patch's */
		di = i < np ? simple_find(dest, key, text) : (int)(i - np);
		pi = i < np ? (int)i : -1;
		m = merge(di >= 0 ? json_incref(json_array_get(dest, (size_t)di)) : NULL,
			  pi >= 0 ? json_incref(json_array_get(patch, (size_t)pi)) : NULL, et,
			  depth + 1, err, d);
		if (*err < 0) {
			json_decref(m);
			json_decref(out);
			return NULL;
		}
		if (is_nil_or_empty(m)) {
			json_decref(m);
			continue;
		}
		/* a patch-only element that lost its key gets it back (a
		 * destination's is kept as merged, as merge_assoc's last step
		 * puts the destination's element back) */
		if (di < 0 && json_is_object(m) && !json_object_get(m, key)) {
			json_t *copy = json_copy(m);

			json_decref(m);
			if (!(m = copy) || json_object_set_new(m, key, resolve_key_value(text)) < 0) {
				json_decref(m);
				json_decref(out);
				goto oom;
			}
		}
		if (json_array_append_new(out, m) < 0) {
			json_decref(out);
			goto oom;
		}
	}
	return out;
oom:
	*err = diag_set(d, DIAG_ENOMEM, "out of memory");
	return NULL;
}

/*
 * kyaml's walkAssociativeSequence: dest (the resource's list, or a copy of
 * the patch's when the resource had none) merged with patch element by
 * element. keys: the merge keys ([] for a list of scalars). Returns a new
 * list, or NULL on error.
 */
static json_t *merge_assoc(json_t *dest_in, json_t *patch, const json_t *keys_in, struct sctx et,
			   int depth, int *err, struct diag *d)
{
	json_t *dest, *items, *values, *keys, *vk = NULL, *vv = NULL;
	size_t i;
	json_t *tuple;
	int primitive = 0, done;

	if (json_array_size(keys_in) == 1 && json_is_string(json_array_get(keys_in, 0)) &&
	    *json_string_value(json_array_get(keys_in, 0))) {
		json_t *simple = merge_assoc_simple(dest_in, patch,
						    json_string_value(json_array_get(keys_in, 0)),
						    et, depth, err, d, &done);

		if (done)
			return simple;
	}
	/* merge never changes a value it is given (it copies a map before
	 * setting a field), so the list is copied, not its elements */
	dest = json_copy(dest_in);
	items = json_array();
	values = json_array();
	keys = json_deep_copy(keys_in);

	if (!dest || !items || !values || !keys)
		goto oom;
	/* elementValues, patch first; a list of scalars when no tuple has a key. */
	if (json_array_size(keys)) {
		element_values(values, patch, keys);
		element_values(values, dest, keys);
	}
	if (!json_array_size(values) && !json_array_size(keys)) {
		json_t *srcs[2] = { patch, dest };
		struct buf t = BUF_INIT;

		primitive = 1;
		json_decref(keys);
		keys = json_pack("[s]", "");
		for (int s2 = 0; s2 < 2; s2++) {
			json_t *e;

			json_array_foreach(srcs[s2], i, e) {
				json_t *tup;
				size_t j;
				json_t *o;
				int seen = 0;

				if (!scalar_text(&t, e))
					buf_reset(&t);
				tup = json_pack("[s]", t.ptr);
				json_array_foreach(values, j, o)
					if (json_equal(o, tup))
						seen = 1;
				if (seen)
					json_decref(tup);
				else
					json_array_append_new(values, tup);
			}
		}
		buf_release(&t);
	}
	if (json_array_size(keys) > 1)
		merge_values(values);
	json_array_foreach(values, i, tuple) {
		json_t *k2, *v2, *de = NULL, *pe = NULL, *m;
		int di, pi;

		if (!json_array_size(tuple))
			continue;
		json_decref(vk);
		json_decref(vv);
		validate_keys(&vk, &vv, values, tuple, keys);
		{
			/* elementValueList revalidates against this tuple alone */
			json_t *one = json_pack("[O]", vv);

			validate_keys(&k2, &v2, one, vv, vk);
			json_decref(one);
		}
		di = element_match(dest, k2, v2);
		pi = element_match(patch, k2, v2);
		json_decref(k2);
		json_decref(v2);
		if (primitive) {
			m = pi >= 0 ? json_incref(json_array_get(patch, (size_t)pi)) :
			    di >= 0 ? json_incref(json_array_get(dest, (size_t)di)) : NULL;
		} else {
			de = di >= 0 ? json_incref(json_array_get(dest, (size_t)di)) : NULL;
			pe = pi >= 0 ? json_incref(json_array_get(patch, (size_t)pi)) : NULL;
			m = merge(de, pe, et, depth + 1, err, d);
			if (*err < 0) {
				json_decref(m);
				goto fail;
			}
			/* kyaml merged the destination's element in place */
			if (di >= 0 && m)
				json_array_set(dest, (size_t)di, m);
		}
		if (is_nil_or_empty(m)) {
			json_decref(m);
			if (element_setter(dest, NULL, vk, vv) < 0)
				goto oom;
			continue;
		}
		if (!primitive && json_is_object(m)) {
			for (size_t k = 0; k < json_array_size(vk); k++) {
				const char *key = json_string_value(json_array_get(vk, k));
				const char *val = json_string_value(json_array_get(vv, k));

				if (k < json_array_size(vv) && !json_object_get(m, key) && *val) {
					json_t *copy = json_copy(m);

					json_object_set_new(copy, key, resolve_key_value(val));
					json_decref(m);
					m = copy;
				}
			}
		}
		if (element_setter(items, m, vk, vv) < 0)
			goto oom;
	}
	/* appendListNode(items, dest, validKeys): the destination's elements take their
	 * places (prepend order: patch-first items, then the rest). */
	if (json_array_size(values)) {
		json_t *e;
		size_t nk = json_array_size(vk);
		const char *k0 = nk ? json_string_value(json_array_get(vk, 0)) : "";

		json_array_foreach(dest, i, e) {
			struct buf t = BUF_INIT;
			json_t *v = json_array();

			if (!*k0) {
				if (!scalar_text(&t, e))
					buf_reset(&t);
				json_array_append_new(v, json_string(t.ptr));
				element_setter(items, json_incref(e), vk, v);
			} else {
				for (size_t k = 0; k < nk; k++) {
					json_t *f = json_is_object(e) ?
						json_object_get(e, json_string_value(json_array_get(vk, k))) :
						NULL;

					if (!f) {
						json_array_append(items, e);
						continue;
					}
					if (!scalar_text(&t, f))
						buf_reset(&t);
					json_array_append_new(v, json_string(t.ptr));
				}
				if (nk > 1)
					element_setter(items, NULL, vk, v);
				element_setter(items, json_incref(e), vk, v);
			}
			json_decref(v);
			buf_release(&t);
		}
		json_decref(dest);
		dest = items;
		items = NULL;
	}
	json_decref(items);
	json_decref(values);
	json_decref(keys);
	json_decref(vk);
	json_decref(vv);
	return dest;
oom:
	*err = diag_set(d, DIAG_ENOMEM, "out of memory");
fail:
	json_decref(dest);
	json_decref(items);
	json_decref(values);
	json_decref(keys);
	json_decref(vk);
	json_decref(vv);
	return NULL;
}

/*
 * Merges patch into dest (both new references, consumed); returns the new
 * value (a new reference), or NULL for "clear this field". A map dest that
 * nothing else holds (refcount 1) is changed in place and returned; a
 * shared one is copied first.
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
		} else if (dest->refcount != 1) {
			/* shared: merge never changes what others hold */
			json_t *copy = json_copy(dest);

			json_decref(dest);
			dest = copy;
			if (!dest)
				goto oom;
		}
		/* else nothing else holds dest: it is changed in place */
		out = dest;
		json_object_foreach(patch, key, v) {
			json_t *dv = kjson_get(out, key), *m;
			struct sctx ft = ctx_field(t, key);

			if (json_is_null(v)) {
				json_object_del(out, key);
				continue;
			}
			if (json_is_array(v)) {
				json_t *mk = ctx_merge_keys(t, key);
				/* list_directive takes an element out of the list, and
				 * nothing below changes the elements: a copy of the
				 * list itself is enough */
				json_t *pv = json_copy(v), *base;
				enum directive ld = D_MERGE;

				if (!pv) {
					json_decref(mk);
					goto oom;
				}
				/* kyaml's VisitList reads directives only in associative
				 * lists: a list without merge keys is replaced by the
				 * patch's as written, "$patch" elements included */
				if (mk && (*err = list_directive(pv, &ld, d)) < 0) {
					json_decref(pv);
					json_decref(mk);
					goto fail;
				}
				if (ld == D_DELETE) {
					json_decref(pv);
					json_decref(mk);
					json_object_del(out, key);
					continue;
				}
				base = json_is_array(dv) && ld != D_REPLACE ? dv : pv;
				m = mk ? merge_assoc(base, pv, mk, ctx_elements(ft), depth, err, d) :
					 json_incref(pv);
				json_decref(pv);
				json_decref(mk);
				if (*err < 0) {
					json_decref(m);
					goto fail;
				}
				if (!m || json_object_set_new_nocheck(out, key, m) < 0)
					goto oom;
				continue;
			}
			if (dv && dv->refcount == 1 && json_is_object(dv) && json_is_object(v)) {
				/* out (ours alone) is all that holds dv: lend dv to
				 * merge as its only holder, so that it is changed in
				 * place instead of copied; null keeps its slot */
				json_incref(dv);
				if (json_object_set_new_nocheck(out, key, json_null()) < 0) {
					json_decref(dv);
					goto oom;
				}
				m = merge(dv, json_incref(v), ft, depth + 1, err, d);
			} else {
				m = merge(dv ? json_incref(dv) : NULL, json_incref(v), ft, depth + 1, err,
					  d);
			}
			if (*err < 0) {
				json_decref(m);
				goto fail;
			}
			if (!m || json_is_null(m)) {
				json_decref(m);
				json_object_del(out, key);
			} else if (json_object_set_new_nocheck(out, key, m) < 0) {
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
	json_t *p = json_deep_copy(patch);

	if (!p)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	return kpatch_smp_steal(target, p, schema, with_builtin, d);
}

int kpatch_smp_steal(json_t **target, json_t *p, const json_t *schema, int with_builtin,
		     struct diag *d)
{
	struct sctx t = { ST_NONE, NULL, NULL, 1 };
	json_t *r;
	int err = 0;

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

/*
 * JSON 6902 patches as gopkg.in/evanphx/json-patch.v4 (v4.12.0, kustomize
 * v5.7.1's) applies them, its quirks and its error texts included: a
 * container is found by walking all tokens but the last (findObject); a
 * "replace" of a missing member of a map adds it; negative array indexes
 * count from the end; "add" and "replace" without a value set null; a
 * "copy" from a missing member copies null. Errors read as the library's
 * Wrapf gives them ("message: cause", and fmt's "%!w(<nil>)" for the one
 * place it wraps a nil error). testdata/kustomize/json6902-* hold kubectl's
 * answers.
 */

/* strconv.Atoi: 0 and *out, or -1 with its error text in err. */
static int go_atoi(const char *s, long long *out, struct buf *err)
{
	const char *p = s;
	int neg = 0;
	unsigned long long v = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!*p)
		goto syntax;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			goto syntax;
		if (v > (ULLONG_MAX - 9) / 10)
			v = ULLONG_MAX; /* saturates: out of range below */
		else
			v = v * 10 + (unsigned)(*p - '0');
	}
	if (v > (unsigned long long)LLONG_MAX + (unsigned long long)neg) {
		buf_adds(err, "strconv.Atoi: parsing ");
		tmpl_quote(err, s, strlen(s));
		buf_adds(err, ": value out of range");
		return -1;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
syntax:
	buf_adds(err, "strconv.Atoi: parsing ");
	tmpl_quote(err, s, strlen(s));
	buf_adds(err, ": invalid syntax");
	return -1;
}

/* decodePatchKey: "~1" -> "/", "~0" -> "~", left to right. */
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

/* "Unable to access invalid index: N: invalid index referenced" */
static int bad_index(struct buf *err, long long i)
{
	buf_adds(err, "Unable to access invalid index: ");
	buf_add_int(err, i);
	buf_adds(err, ": invalid index referenced");
	return -1;
}

/* partialArray.get's index rule (n elements): 0 and *idx, or -1 with the
 * error text in err. A negative index counts from the end. */
static int array_index(const char *key, size_t n, size_t *idx, struct buf *err)
{
	long long i;

	if (go_atoi(key, &i, err) < 0)
		return -1;
	if (i < 0) {
		if (i < -(long long)n)
			return bad_index(err, i);
		i += (long long)n;
	}
	if (i >= (long long)n)
		return bad_index(err, i);
	*idx = (size_t)i;
	return 0;
}

/* container.get: *out the member (NULL when a map lacks it), or -1 and
 * err for an array's bad index. */
static int cont_get(json_t *c, const char *key, json_t **out, struct buf *err)
{
	size_t idx;

	*out = NULL;
	if (json_is_array(c)) {
		if (array_index(key, json_array_size(c), &idx, err) < 0)
			return -1;
		*out = json_array_get(c, idx);
		return 0;
	}
	*out = json_is_object(c) ? json_object_get(c, key) : NULL;
	return 0;
}

/*
 * findObject: the container that the path's last token names a member of
 * (a borrowed map or array; NULL when some token on the way is missing or
 * not a container), and that token, unescaped, in key.
 */
static json_t *find_object(json_t *doc, const char *path, struct buf *key)
{
	json_t *cur = doc;
	struct buf tok = BUF_INIT, ignore = BUF_INIT;
	const char *p = strchr(path, '/');

	buf_reset(key);
	if (!p)
		return NULL; /* fewer than two pieces */
	for (;;) {
		const char *s = p + 1, *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		json_t *next;

		if (!e) {
			if (unescape_token(key, s, n) < 0)
				cur = NULL;
			break;
		}
		if (unescape_token(&tok, s, n) < 0 || cont_get(cur, tok.ptr, &next, &ignore) < 0 ||
		    !next || !(json_is_object(next) || json_is_array(next) || json_is_null(next))) {
			cur = NULL;
			break;
		}
		cur = next;
		p = e;
	}
	/* the path's first piece (before its first '/') is never looked at */
	buf_release(&tok);
	buf_release(&ignore);
	return cur;
}

/* container.add (steals val): 0, or -1 with the error text in err. */
static int cont_add(json_t *c, const char *key, json_t *val, struct buf *err)
{
	long long i;
	size_t n;

	if (json_is_object(c))
		return json_object_set_new(c, key, val) < 0 ? DIAG_ENOMEM : 0;
	if (!json_is_array(c)) {
		/* a null container: Go's nil map, which panics on a write */
		json_decref(val);
		buf_adds(err, "assignment to entry in nil map");
		return -1;
	}
	if (!strcmp(key, "-"))
		return json_array_append_new(c, val) < 0 ? DIAG_ENOMEM : 0;
	if (go_atoi(key, &i, err) < 0) {
		struct buf t = BUF_INIT;

		buf_adds(&t, "value was not a proper array index: '");
		buf_adds(&t, key);
		buf_adds(&t, "': ");
		buf_add(&t, err->ptr, err->len);
		buf_set(err, t.ptr, t.len);
		buf_release(&t);
		json_decref(val);
		return -1;
	}
	n = json_array_size(c) + 1;
	if (i >= (long long)n || i < -(long long)n) {
		json_decref(val);
		return bad_index(err, i);
	}
	if (i < 0)
		i += (long long)n;
	return json_array_insert_new(c, (size_t)i, val) < 0 ? DIAG_ENOMEM : 0;
}

/* container.remove: 0 (the member in *removed when asked), or -1 with the
 * error text in err. */
static int cont_remove(json_t *c, const char *key, json_t **removed, struct buf *err)
{
	if (json_is_array(c)) {
		size_t n = json_array_size(c), idx;
		long long i;

		if (go_atoi(key, &i, err) < 0)
			return -1;
		if (i >= (long long)n || i < -(long long)n)
			return bad_index(err, i);
		idx = (size_t)(i < 0 ? i + (long long)n : i);
		if (removed)
			*removed = json_incref(json_array_get(c, idx));
		return json_array_remove(c, idx) < 0 ? DIAG_ENOMEM : 0;
	}
	if (!json_is_object(c) || !json_object_get(c, key)) {
		buf_adds(err, "Unable to remove nonexistent key: ");
		buf_adds(err, key);
		buf_adds(err, ": missing value");
		return -1;
	}
	if (removed)
		*removed = json_incref(json_object_get(c, key));
	return json_object_del(c, key) < 0 ? DIAG_ENOMEM : 0;
}

/* An operation's string field: its text, or NULL (absent, null or not a
 * string) with Path()'s / From()'s error in err. */
static const char *op_field(const json_t *op, const char *field, struct buf *err)
{
	const json_t *v = json_object_get(op, field);

	if (json_is_string(v))
		return json_string_value(v);
	if (!v || json_is_null(v)) {
		buf_adds(err, !strcmp(field, "path") ? "operation missing path field: missing value"
						      : "operation, missing from field: missing value");
	} else {
		buf_adds(err, "json: cannot unmarshal ");
		buf_adds(err, json_is_object(v) ? "object" : json_is_array(v) ? "array" :
			      json_is_boolean(v) ? "bool" : "number");
		buf_adds(err, " into Go value of type string");
	}
	return NULL;
}

/* lazyNode.equal, on values read from JSON (numbers by value). */
static int patch_equal(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *v;

		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)a, k, v) {
			const json_t *w = json_object_get(b, k);

			if (!w || !patch_equal(v, w))
				return 0;
		}
		return 1;
	}
	if (json_is_array(a) && json_is_array(b)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!patch_equal(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	return json_equal(a, b);
}

/* One operation on *doc; 0, or an error code with d set. */
static int apply_op(json_t **doc, const json_t *op, struct diag *d)
{
	const json_t *kindv = json_object_get(op, "op"), *value = json_object_get(op, "value");
	const char *kind = json_is_string(kindv) ? json_string_value(kindv) : "unknown";
	const char *path, *from;
	struct buf err = BUF_INIT, key = BUF_INIT;
	json_t *con, *val = NULL;
	int error = 0;

#define FAIL(...) do { error = diag_set(d, DIAG_EEXEC, __VA_ARGS__); goto done; } while (0)
	if (!strcmp(kind, "add")) {
		if (!(path = op_field(op, "path", &err)))
			FAIL("add operation failed to decode path: missing value");
		if (!(con = find_object(*doc, path, &key)))
			FAIL("add operation does not apply: doc is missing path: \"%s\": missing value",
			     path);
		val = value ? json_deep_copy(value) : json_null();
		error = cont_add(con, key.ptr, val, &err);
		val = NULL; /* taken */
		if (error == DIAG_ENOMEM)
			FAIL("out of memory");
		if (error < 0)
			FAIL("error in add for path: '%s': %s", path, err.ptr);
	} else if (!strcmp(kind, "remove")) {
		if (!(path = op_field(op, "path", &err)))
			FAIL("remove operation failed to decode path: missing value");
		if (!(con = find_object(*doc, path, &key)))
			FAIL("remove operation does not apply: doc is missing path: \"%s\": missing value",
			     path);
		if ((error = cont_remove(con, key.ptr, NULL, &err)) < 0)
			FAIL("error in remove for path: '%s': %s", path, err.ptr);
	} else if (!strcmp(kind, "replace")) {
		json_t *cur;

		if (!(path = op_field(op, "path", &err)))
			FAIL("replace operation failed to decode path: %s", err.ptr);
		if (!*path) {
			/* the library wraps a nil error here: fmt's %!w(<nil>) */
			if (!json_is_object(value) && !json_is_array(value))
				FAIL("replace operation value must be object or array: %%!w(<nil>)");
			json_decref(*doc);
			*doc = json_deep_copy(value);
			goto done;
		}
		if (!(con = find_object(*doc, path, &key)))
			FAIL("replace operation does not apply: doc is missing path: %s: missing value",
			     path);
		if (cont_get(con, key.ptr, &cur, &err) < 0)
			FAIL("replace operation does not apply: doc is missing key: %s: missing value",
			     path);
		val = value ? json_deep_copy(value) : json_null();
		if (json_is_array(con)) {
			size_t idx;

			array_index(key.ptr, json_array_size(con), &idx, &err);
			error = json_array_set_new(con, idx, val);
			val = NULL; /* taken */
		} else if (json_is_object(con)) {
			error = json_object_set_new(con, key.ptr, val);
			val = NULL; /* taken */
		} else {
			FAIL("replace operation does not apply: doc is missing path: %s: missing value",
			     path);
		}
		if (error < 0)
			FAIL("out of memory");
	} else if (!strcmp(kind, "move")) {
		struct buf fromkey = BUF_INIT;

		if (!(from = op_field(op, "from", &err)))
			FAIL("move operation failed to decode from: %s", err.ptr);
		if (!(con = find_object(*doc, from, &key)))
			FAIL("move operation does not apply: doc is missing from path: %s: missing value",
			     from);
		buf_set(&fromkey, key.ptr, key.len);
		if (cont_get(con, fromkey.ptr, &val, &err) < 0 ||
		    cont_remove(con, fromkey.ptr, &val, &err) < 0) {
			error = diag_set(d, DIAG_EEXEC, "error in move for path: '%s': %s", fromkey.ptr,
					 err.ptr);
			buf_release(&fromkey);
			val = NULL;
			goto done;
		}
		buf_release(&fromkey);
		buf_reset(&err);
		if (!(path = op_field(op, "path", &err)))
			FAIL("move operation failed to decode path: %s", err.ptr);
		if (!(con = find_object(*doc, path, &key)))
			FAIL("move operation does not apply: doc is missing destination path: %s: "
			     "missing value", path);
		error = cont_add(con, key.ptr, val, &err);
		val = NULL; /* taken */
		if (error == DIAG_ENOMEM)
			FAIL("out of memory");
		if (error < 0)
			FAIL("error in move for path: '%s': %s", path, err.ptr);
	} else if (!strcmp(kind, "test")) {
		json_t *cur;

		if (!(path = op_field(op, "path", &err)))
			FAIL("test operation failed to decode path: %s", err.ptr);
		if (!*path) {
			if (!value || !patch_equal(*doc, value))
				FAIL("testing value %s failed: test failed", path);
			goto done;
		}
		if (!(con = find_object(*doc, path, &key)))
			FAIL("test operation does not apply: is missing path: %s: missing value", path);
		if (cont_get(con, key.ptr, &cur, &err) < 0)
			FAIL("error in test for path: '%s': %s", path, err.ptr);
		/* a missing member passes a test for null */
		if (!cur ? !json_is_null(value) : (!value || !patch_equal(cur, value)))
			FAIL("testing value %s failed: test failed", path);
	} else if (!strcmp(kind, "copy")) {
		json_t *src;

		if (!(from = op_field(op, "from", &err)))
			FAIL("copy operation failed to decode from: %s", err.ptr);
		if (!(con = find_object(*doc, from, &key)))
			FAIL("copy operation does not apply: doc is missing from path: %s: missing value",
			     from);
		if (cont_get(con, key.ptr, &src, &err) < 0)
			FAIL("error in copy for from: '%s': %s", from, err.ptr);
		/* a missing member copies as null */
		val = src ? json_deep_copy(src) : json_null();
		if (!(path = op_field(op, "path", &err)))
			FAIL("copy operation failed to decode path: missing value");
		if (!(con = find_object(*doc, path, &key)))
			FAIL("copy operation does not apply: doc is missing destination path: %s: "
			     "missing value", path);
		error = cont_add(con, key.ptr, val, &err);
		val = NULL; /* taken */
		if (error == DIAG_ENOMEM)
			FAIL("out of memory");
		if (error < 0)
			FAIL("error while adding value during copy: %s", err.ptr);
	} else {
		FAIL("Unexpected kind: %s", kind);
	}
#undef FAIL
done:
	json_decref(val);
	buf_release(&err);
	buf_release(&key);
	return error < 0 ? error : 0;
}

int kpatch_json6902(json_t **target, const json_t *ops, struct diag *d)
{
	size_t i;
	json_t *op;
	int error;

	json_array_foreach(ops, i, op) {
		if (!json_is_object(op))
			return diag_set(d, DIAG_EINVALID, "invalid JSON patch operation");
		if ((error = apply_op(target, op, d)) < 0)
			return error;
	}
	return 0;
}
