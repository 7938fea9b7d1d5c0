/*
 * Resource ids as kyaml's resid package defines them: group, version, kind,
 * name, namespace; equality through the "effective" namespace; the string
 * form used in kustomize's messages.
 */
#include "render/kustomize/internal.h"

#include <stdlib.h>
#include <string.h>

/* Cluster-scoped types of kustomize's built-in schema (kyaml/openapi). */
static const char *const cluster_scoped[][2] = {
	{ "admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy" },
	{ "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding" },
	{ "apiextensions.k8s.io/v1", "CustomResourceDefinition" },
	{ "apiextensions.k8s.io/v1beta1", "CustomResourceDefinition" },
	{ "apiregistration.k8s.io/v1", "APIService" },
	{ "apiregistration.k8s.io/v1beta1", "APIService" },
	{ "certificates.k8s.io/v1", "CertificateSigningRequest" },
	{ "certificates.k8s.io/v1beta1", "CertificateSigningRequest" },
	{ "flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema" },
	{ "flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration" },
	{ "networking.k8s.io/v1", "IngressClass" },
	{ "networking.k8s.io/v1beta1", "IngressClass" },
	{ "node.k8s.io/v1", "RuntimeClass" },
	{ "node.k8s.io/v1beta1", "RuntimeClass" },
	{ "policy/v1beta1", "PodSecurityPolicy" },
	{ "rbac.authorization.k8s.io/v1", "ClusterRole" },
	{ "rbac.authorization.k8s.io/v1", "ClusterRoleBinding" },
	{ "rbac.authorization.k8s.io/v1beta1", "ClusterRole" },
	{ "rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding" },
	{ "scheduling.k8s.io/v1", "PriorityClass" },
	{ "scheduling.k8s.io/v1beta1", "PriorityClass" },
	{ "storage.k8s.io/v1", "CSIDriver" },
	{ "storage.k8s.io/v1", "CSINode" },
	{ "storage.k8s.io/v1", "StorageClass" },
	{ "storage.k8s.io/v1", "VolumeAttachment" },
	{ "storage.k8s.io/v1beta1", "CSIDriver" },
	{ "storage.k8s.io/v1beta1", "CSINode" },
	{ "storage.k8s.io/v1beta1", "StorageClass" },
	{ "storage.k8s.io/v1beta1", "VolumeAttachment" },
	{ "v1", "ComponentStatus" },
	{ "v1", "Namespace" },
	{ "v1", "Node" },
	{ "v1", "NodeProxyOptions" },
	{ "v1", "PersistentVolume" },
};

#define NCLUSTER_SCOPED (sizeof(cluster_scoped) / sizeof(cluster_scoped[0]))

int kis_cluster_scoped(const char *api_version, const char *kind)
{
	/* Kinds first: most kinds are in no entry, and they differ early. */
	for (size_t i = 0; i < NCLUSTER_SCOPED; i++)
		if (strcmp(cluster_scoped[i][1], kind) == 0 &&
		    strcmp(cluster_scoped[i][0], api_version) == 0)
			return 1;
	return 0;
}

/* kis_cluster_scoped for a split apiVersion, without joining it. */
static int cluster_scoped_gv(const char *group, const char *version, const char *kind)
{
	size_t glen = strlen(group);

	for (size_t i = 0; i < NCLUSTER_SCOPED; i++) {
		const char *av = cluster_scoped[i][0];

		/* the first byte rejects most kinds without a call */
		if (cluster_scoped[i][1][0] != kind[0] || strcmp(cluster_scoped[i][1], kind) != 0)
			continue;
		if (glen ? strncmp(av, group, glen) == 0 && av[glen] == '/' &&
				   strcmp(av + glen + 1, version) == 0
			 : strcmp(av, version) == 0)
			return 1;
	}
	return 0;
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

void kgvk_stable_string(struct buf *b, const char *g, const char *v, const char *k)
{
	buf_addf(b, "%s_%s_%s", *g ? g : "~G", *v ? v : "~V", *k ? k : "~K");
}

int kgvk_less(const char *g1, const char *v1, const char *k1, const char *g2, const char *v2,
	      const char *k2)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int i1 = kgvk_type_order(k1), i2 = kgvk_type_order(k2), r;

	if (i1 != i2)
		return i1 < i2;
	kgvk_stable_string(&a, g1, v1, k1);
	kgvk_stable_string(&b, g2, v2, k2);
	r = strcmp(a.ptr, b.ptr) < 0;
	buf_release(&a);
	buf_release(&b);
	return r;
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
	free(id->group);
	free(id->version);
	free(id->kind);
	free(id->name);
	free(id->ns);
	memset(id, 0, sizeof(*id));
}

int kid_set(struct kid *out, const char *group, const char *version, const char *kind,
	    const char *name, const char *ns)
{
	memset(out, 0, sizeof(*out));
	out->group = strdup(group);
	out->version = strdup(version);
	out->kind = strdup(kind);
	out->name = strdup(name);
	out->ns = strdup(ns);
	if (!out->group || !out->version || !out->kind || !out->name || !out->ns) {
		kid_release(out);
		return DIAG_ENOMEM;
	}
	out->cluster_scoped = cluster_scoped_gv(group, version, kind);
	return 0;
}

int kid_copy(struct kid *out, const struct kid *in)
{
	return kid_set(out, in->group, in->version, in->kind, in->name, in->ns);
}

int kid_from_res(struct kid *out, const json_t *res)
{
	const char *av = kres_str(res, "apiVersion"), *slash = strchr(av, '/');
	const json_t *md = json_object_get(res, "metadata");

	memset(out, 0, sizeof(*out));
	out->group = slash ? strndup(av, (size_t)(slash - av)) : strdup("");
	out->version = strdup(slash ? slash + 1 : av);
	out->kind = strdup(kres_str(res, "kind"));
	out->name = strdup(json_is_object(md) ? kres_str(md, "name") : "");
	out->ns = strdup(json_is_object(md) ? kres_str(md, "namespace") : "");
	if (!out->group || !out->version || !out->kind || !out->name || !out->ns) {
		kid_release(out);
		return DIAG_ENOMEM;
	}
	out->cluster_scoped = cluster_scoped_gv(out->group, out->version, out->kind);
	return 0;
}

void kgvk_string(struct buf *out, const char *group, const char *version, const char *kind)
{
	buf_addf(out, "%s.%s.%s", *kind ? kind : "[noKind]", *version ? version : "[noVer]",
		 *group ? group : "[noGrp]");
}

void kid_string(struct buf *out, const struct kid *id)
{
	kgvk_string(out, id->group, id->version, id->kind);
	buf_addf(out, "/%s.%s", *id->name ? id->name : "[noName]", *id->ns ? id->ns : "[noNs]");
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

void kid_key(struct buf *out, const struct kid *id)
{
	buf_reset(out);
	buf_adds(out, id->group);
	buf_addch(out, '\x1f');
	buf_adds(out, id->version);
	buf_addch(out, '\x1f');
	buf_adds(out, id->kind);
	buf_addch(out, '\x1f');
	buf_adds(out, id->name);
	buf_addch(out, '\x1f');
	buf_adds(out, kid_effective_ns(id));
}
