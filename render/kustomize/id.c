/*
 * Resource ids as kyaml's resid package defines them: group, version, kind,
 * name, namespace; equality through the "effective" namespace; the string
 * form used in kustomize's messages.
 */
#include "render/kustomize/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Cluster-scoped types of kustomize's built-in schema (kyaml/openapi). */
#define CLUSTER_SCOPED_TYPES(X) \
	X("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration") \
	X("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration") \
	X("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration") \
	X("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration") \
	X("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy") \
	X("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding") \
	X("apiextensions.k8s.io/v1", "CustomResourceDefinition") \
	X("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition") \
	X("apiregistration.k8s.io/v1", "APIService") \
	X("apiregistration.k8s.io/v1beta1", "APIService") \
	X("certificates.k8s.io/v1", "CertificateSigningRequest") \
	X("certificates.k8s.io/v1beta1", "CertificateSigningRequest") \
	X("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema") \
	X("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration") \
	X("networking.k8s.io/v1", "IngressClass") \
	X("networking.k8s.io/v1beta1", "IngressClass") \
	X("node.k8s.io/v1", "RuntimeClass") \
	X("node.k8s.io/v1beta1", "RuntimeClass") \
	X("policy/v1beta1", "PodSecurityPolicy") \
	X("rbac.authorization.k8s.io/v1", "ClusterRole") \
	X("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") \
	X("rbac.authorization.k8s.io/v1beta1", "ClusterRole") \
	X("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding") \
	X("scheduling.k8s.io/v1", "PriorityClass") \
	X("scheduling.k8s.io/v1beta1", "PriorityClass") \
	X("storage.k8s.io/v1", "CSIDriver") \
	X("storage.k8s.io/v1", "CSINode") \
	X("storage.k8s.io/v1", "StorageClass") \
	X("storage.k8s.io/v1", "VolumeAttachment") \
	X("storage.k8s.io/v1beta1", "CSIDriver") \
	X("storage.k8s.io/v1beta1", "CSINode") \
	X("storage.k8s.io/v1beta1", "StorageClass") \
	X("storage.k8s.io/v1beta1", "VolumeAttachment") \
	X("v1", "ComponentStatus") \
	X("v1", "Namespace") \
	X("v1", "Node") \
	X("v1", "NodeProxyOptions") \
	X("v1", "PersistentVolume")

/* A type and its kind's length. */
struct scoped_type {
	const char *api_version, *kind;
	size_t kind_len;
};

#define SCOPED(av, kind) { av, kind, sizeof(kind) - 1 },

static const struct scoped_type cluster_scoped[] = { CLUSTER_SCOPED_TYPES(SCOPED) };

/* A bit for a kind's first byte and length: a kind whose bit is not in
 * scoped_bits is in no entry (common kinds other than ConfigMap and CronJob
 * share no bit with the table's). */
#define KIND_BIT(first, len) \
	(1ULL << (((unsigned)(unsigned char)(first) * 55u + (unsigned)(len)) & 63u))
#define SCOPED_BIT(av, kind) | KIND_BIT((kind)[0], sizeof(kind) - 1)

static const uint64_t scoped_bits = 0 CLUSTER_SCOPED_TYPES(SCOPED_BIT);

#define NCLUSTER_SCOPED (sizeof(cluster_scoped) / sizeof(cluster_scoped[0]))

int kis_cluster_scoped(const char *api_version, const char *kind)
{
	/* Kinds first: most kinds are in no entry, and they differ early. */
	for (size_t i = 0; i < NCLUSTER_SCOPED; i++)
		if (strcmp(cluster_scoped[i].kind, kind) == 0 &&
		    strcmp(cluster_scoped[i].api_version, api_version) == 0)
			return 1;
	return 0;
}

/* kis_cluster_scoped for a split apiVersion, without joining it. */
static int cluster_scoped_gv(const char *group, size_t glen, const char *version,
			     const char *kind, size_t klen)
{
	if (!(scoped_bits & KIND_BIT(kind[0], klen)))
		return 0;
	for (size_t i = 0; i < NCLUSTER_SCOPED; i++) {
		const char *av = cluster_scoped[i].api_version;

		/* length and first byte reject most kinds without a call */
		if (cluster_scoped[i].kind_len != klen || cluster_scoped[i].kind[0] != kind[0] ||
		    memcmp(cluster_scoped[i].kind, kind, klen) != 0)
			continue;
		if (glen ? strncmp(av, group, glen) == 0 && av[glen] == '/' &&
				   strcmp(av + glen + 1, version) == 0
			 : strcmp(av, version) == 0)
			return 1;
	}
	return 0;
}

int kid_cluster_scoped_n(const char *group, size_t glen, const char *version, const char *kind,
			 size_t klen)
{
	return cluster_scoped_gv(group, glen, version, kind, klen);
}

void kid_view_effective_ns(const struct kidview *v, const char **ns, size_t *nslen)
{
	if (cluster_scoped_gv(v->group, v->glen, v->version, v->kind, v->klen)) {
		*ns = "_non_namespaceable_";
		*nslen = 19;
	} else if (!v->nslen || (v->nslen == 7 && memcmp(v->ns, "default", 7) == 0)) {
		*ns = "default";
		*nslen = 7;
	} else {
		*ns = v->ns;
		*nslen = v->nslen;
	}
}

/* The kinds kustomize's legacy order puts first, then last. */
static const char *const order_first[] = {
	"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
	"ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
	"ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
	"PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
	"StatefulSet", "CronJob", "PodDisruptionBudget",
};
static const char *const order_last[] = {
	"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
};

int kgvk_type_order(const char *kind)
{
	const int nfirst = (int)(sizeof(order_first) / sizeof(order_first[0]));

	for (int i = 0; i < nfirst; i++)
		if (strcmp(order_first[i], kind) == 0)
			return -nfirst + i;
	for (int i = 0; i < (int)(sizeof(order_last) / sizeof(order_last[0])); i++)
		if (strcmp(order_last[i], kind) == 0)
			return 1 + i;
	return 0;
}

/* The three parts of a gvk's stable string, "~G", "~V", "~K" for empty ones. */
static void stable_parts(const char *part[3], const char *g, const char *v, const char *k)
{
	part[0] = *g ? g : "~G";
	part[1] = *v ? v : "~V";
	part[2] = *k ? k : "~K";
}

void kgvk_stable_string(struct buf *b, const char *g, const char *v, const char *k)
{
	const char *part[3];

	stable_parts(part, g, v, k);
	buf_adds(b, part[0]);
	buf_addch(b, '_');
	buf_adds(b, part[1]);
	buf_addch(b, '_');
	buf_adds(b, part[2]);
}

/* The next byte of the stable string whose parts are part[*i..2] from
 * *p on, 0 at its end. */
static unsigned char stable_next(const char *const part[3], int *i, const char **p)
{
	if (!**p) {
		if (*i == 2)
			return 0;
		*p = part[++*i];
		return '_';
	}
	return (unsigned char)*(*p)++;
}

int kgvk_less(const char *g1, const char *v1, const char *k1, const char *g2, const char *v2,
	      const char *k2)
{
	return kgvk_less_ordered(kgvk_type_order(k1), g1, v1, k1, kgvk_type_order(k2), g2, v2, k2);
}

int kgvk_less_ordered(int i1, const char *g1, const char *v1, const char *k1, int i2,
		      const char *g2, const char *v2, const char *k2)
{
	const char *a[3], *b[3], *pa, *pb;
	int ia = 0, ib = 0;

	if (i1 != i2)
		return i1 < i2;
	/* strcmp of the two stable strings, without writing them */
	stable_parts(a, g1, v1, k1);
	stable_parts(b, g2, v2, k2);
	pa = a[0];
	pb = b[0];
	for (;;) {
		unsigned char ca = stable_next(a, &ia, &pa), cb = stable_next(b, &ib, &pb);

		if (ca != cb)
			return ca < cb;
		if (!ca)
			return 0;
	}
}

int kapi_split(const char *api_version, char **group, char **version)
{
	const char *slash = strchr(api_version, '/');

	if (slash) {
		*group = strndup(api_version, (size_t)(slash - api_version));
		*version = strdup(slash + 1);
	} else {
		*group = strdup("");
		*version = strdup(api_version);
	}
	if (!*group || !*version) {
		free(*group);
		free(*version);
		*group = *version = NULL;
		return DIAG_ENOMEM;
	}
	return 0;
}

void kid_release(struct kid *id)
{
	free(id->group); /* the one block holding all five */
	memset(id, 0, sizeof(*id));
}

/* Copies len bytes of s to *p with a NUL, advances *p past it; returns
 * where the copy starts. */
static char *kid_put(char **p, const char *s, size_t len)
{
	char *at = *p;

	memcpy(at, s, len);
	at[len] = '\0';
	*p = at + len + 1;
	return at;
}

/* Fills out with copies of the five fields in one block (group points at
 * its start); lengths given. */
static int kid_fill(struct kid *out, const char *group, size_t glen, const char *version,
		    size_t vlen, const char *kind, size_t klen, const char *name, size_t nlen,
		    const char *ns, size_t nslen)
{
	char *p = malloc(glen + vlen + klen + nlen + nslen + 5);

	memset(out, 0, sizeof(*out));
	if (!p)
		return DIAG_ENOMEM;
	out->group = kid_put(&p, group, glen);
	out->version = kid_put(&p, version, vlen);
	out->kind = kid_put(&p, kind, klen);
	out->name = kid_put(&p, name, nlen);
	out->ns = kid_put(&p, ns, nslen);
	out->cluster_scoped = cluster_scoped_gv(group, glen, version, kind, klen);
	return 0;
}

int kid_set(struct kid *out, const char *group, const char *version, const char *kind,
	    const char *name, const char *ns)
{
	return kid_fill(out, group, strlen(group), version, strlen(version), kind, strlen(kind),
			name, strlen(name), ns, strlen(ns));
}

int kid_copy(struct kid *out, const struct kid *in)
{
	return kid_set(out, in->group, in->version, in->kind, in->name, in->ns);
}

/* A string value's text and C string length (up to a NUL it may hold),
 * "" when v is not a string. */
static const char *str_of(const json_t *v, size_t *len)
{
	if (!json_is_string(v)) {
		*len = 0;
		return "";
	}
	*len = strlen(json_string_value(v));
	return json_string_value(v);
}

/* A member name and its length, for members3. */
struct mkey {
	const char *s;
	size_t len;
};

/* The values of up to three members of o named by keys (NULL when absent;
 * an empty key never matches), found in one pass over o's members instead
 * of one hashed lookup each: an id is taken ~9 times per resource and its
 * objects hold a handful of keys. */
static void members3(const json_t *o, const struct mkey keys[3], const json_t *vals[3])
{
	int want = 0;

	for (int k = 0; k < 3; k++) {
		vals[k] = NULL;
		want += keys[k].len != 0;
	}
	for (void *it = json_object_iter((json_t *)o); it && want;
	     it = json_object_iter_next((json_t *)o, it)) {
		size_t klen = json_object_iter_key_len(it);

		for (int k = 0; k < 3; k++)
			if (keys[k].len == klen && !vals[k] &&
			    memcmp(json_object_iter_key(it), keys[k].s, klen) == 0) {
				vals[k] = json_object_iter_value(it);
				want--;
				break;
			}
	}
}

void kid_view_of_res(struct kidview *f, const json_t *res)
{
	static const struct mkey top_keys[3] = { { "apiVersion", 10 }, { "kind", 4 },
						  { "metadata", 8 } };
	static const struct mkey md_keys[3] = { { "name", 4 }, { "namespace", 9 }, { "", 0 } };
	const json_t *top[3], *mdv[3] = { NULL, NULL, NULL };
	size_t alen;
	const char *av, *slash;

	members3(res, top_keys, top);
	av = str_of(top[0], &alen);
	f->kind = str_of(top[1], &f->klen);
	f->name = f->ns = "";
	f->nlen = f->nslen = 0;
	if (json_is_object(top[2])) {
		members3(top[2], md_keys, mdv);
		f->name = str_of(mdv[0], &f->nlen);
		f->ns = str_of(mdv[1], &f->nslen);
	}
	slash = memchr(av, '/', alen);
	if (slash) {
		f->group = av;
		f->glen = (size_t)(slash - av);
		f->version = slash + 1;
		f->vlen = alen - f->glen - 1;
	} else {
		f->group = "";
		f->glen = 0;
		f->version = av;
		f->vlen = alen;
	}
}

int kid_from_res(struct kid *out, const json_t *res)
{
	struct kidview f;

	kid_view_of_res(&f, res);
	return kid_fill(out, f.group, f.glen, f.version, f.vlen, f.kind, f.klen, f.name, f.nlen,
			f.ns, f.nslen);
}

int kid_key_of_res(struct buf *out, const json_t *res)
{
	struct kidview f;
	const char *ns;
	size_t nslen, len;
	char *p;

	kid_view_of_res(&f, res);
	/* version runs to the end of the apiVersion string */
	kid_view_effective_ns(&f, &ns, &nslen);
	/* the five fields joined by 0x1f, written in place after one grow */
	len = f.glen + f.vlen + f.klen + f.nlen + nslen + 4;
	buf_reset(out);
	if (buf_grow(out, len) < 0)
		return DIAG_ENOMEM;
	p = out->ptr;
	memcpy(p, f.group, f.glen);
	p += f.glen;
	*p++ = '\x1f';
	memcpy(p, f.version, f.vlen);
	p += f.vlen;
	*p++ = '\x1f';
	memcpy(p, f.kind, f.klen);
	p += f.klen;
	*p++ = '\x1f';
	memcpy(p, f.name, f.nlen);
	p += f.nlen;
	*p++ = '\x1f';
	memcpy(p, ns, nslen);
	p[nslen] = '\0';
	out->len = len;
	return 0;
}

void kgvk_string(struct buf *out, const char *group, const char *version, const char *kind)
{
	buf_adds(out, *kind ? kind : "[noKind]");
	buf_addch(out, '.');
	buf_adds(out, *version ? version : "[noVer]");
	buf_addch(out, '.');
	buf_adds(out, *group ? group : "[noGrp]");
}

void kid_string(struct buf *out, const struct kid *id)
{
	kgvk_string(out, id->group, id->version, id->kind);
	buf_addch(out, '/');
	buf_adds(out, *id->name ? id->name : "[noName]");
	buf_addch(out, '.');
	buf_adds(out, *id->ns ? id->ns : "[noNs]");
}

const char *kid_effective_ns(const struct kid *id)
{
	if (id->cluster_scoped)
		return "_non_namespaceable_";
	if (!*id->ns || strcmp(id->ns, "default") == 0)
		return "default";
	return id->ns;
}

int kid_gvkn_equals(const struct kid *a, const struct kid *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->group, b->group) == 0 &&
	       strcmp(a->version, b->version) == 0 && strcmp(a->kind, b->kind) == 0;
}

int kid_equals(const struct kid *a, const struct kid *b)
{
	return strcmp(kid_effective_ns(a), kid_effective_ns(b)) == 0 && kid_gvkn_equals(a, b);
}

int kid_gvk_selected(const struct kid *id, const char *group, const char *version,
		     const char *kind)
{
	if (group && *group && strcmp(group, id->group) != 0)
		return 0;
	if (version && *version && strcmp(version, id->version) != 0)
		return 0;
	if (kind && *kind && strcmp(kind, id->kind) != 0)
		return 0;
	return 1;
}

/* s (NUL-terminated) equals v[0..vlen). */
static int eq_n(const char *s, const char *v, size_t vlen)
{
	return strncmp(s, v, vlen) == 0 && s[vlen] == '\0';
}

int kidview_gvk_selected(const struct kidview *v, const char *group, const char *version,
			 const char *kind)
{
	if (group && *group && !eq_n(group, v->group, v->glen))
		return 0;
	if (version && *version && !eq_n(version, v->version, v->vlen))
		return 0;
	if (kind && *kind && !eq_n(kind, v->kind, v->klen))
		return 0;
	return 1;
}

void kid_gvk_key(struct buf *out, const struct kid *id)
{
	buf_reset(out);
	buf_adds(out, id->group);
	buf_addch(out, '\x1f');
	buf_adds(out, id->version);
	buf_addch(out, '\x1f');
	buf_adds(out, id->kind);
}

void kid_key(struct buf *out, const struct kid *id)
{
	kid_gvk_key(out, id);
	buf_addch(out, '\x1f');
	buf_adds(out, id->name);
	buf_addch(out, '\x1f');
	buf_adds(out, kid_effective_ns(id));
}
