/*
 * Transformer configuration: which fields each builtin transformer touches
 * (kustomize's builtinconfig.TransformerConfig), the built-in defaults
 * (api/internal/konfig/builtinpluginconsts, restated here as tables), and
 * user `configurations:` files merged over them.
 */
#include "render/kustomize/internal.h"

#include <stdlib.h>
#include <string.h>

void ktconfig_release(struct ktconfig *c)
{
	struct kfslist *lists[] = {
		&c->name_prefix, &c->name_suffix, &c->name_space, &c->common_labels, &c->labels,
		&c->template_labels, &c->vct_labels, &c->common_annotations, &c->var_reference,
		&c->images, &c->replicas,
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		kfslist_release(lists[i]);
	for (size_t i = 0; i < c->nnameref; i++) {
		free(c->nameref[i].group);
		free(c->nameref[i].version);
		free(c->nameref[i].kind);
		kfslist_release(&c->nameref[i].referrers);
	}
	free(c->nameref);
	memset(c, 0, sizeof(*c));
}

static struct knameref *nameref_get(struct ktconfig *c, const char *group, const char *version,
				    const char *kind)
{
	struct knameref *nr, *nv;

	for (size_t i = 0; i < c->nnameref; i++) {
		nr = &c->nameref[i];
		if (strcmp(nr->group, group) == 0 && strcmp(nr->version, version) == 0 &&
		    strcmp(nr->kind, kind) == 0)
			return nr;
	}
	if (!(nv = realloc(c->nameref, (c->nnameref + 1) * sizeof(*nv))))
		return NULL;
	c->nameref = nv;
	nr = &c->nameref[c->nnameref];
	memset(nr, 0, sizeof(*nr));
	nr->group = strdup(group);
	nr->version = strdup(version);
	nr->kind = strdup(kind);
	if (!nr->group || !nr->version || !nr->kind) {
		free(nr->group);
		free(nr->version);
		free(nr->kind);
		return NULL;
	}
	c->nnameref++;
	return nr;
}

/* Workloads holding a pod spec, and the path to it. */
struct podholder {
	const char *kind, *version, *spec;
};

static const struct podholder pod_holders[] = {
	{ "Pod", "v1", "spec/" },
	{ "PodTemplate", "", "template/spec/" },
	{ "Deployment", "", "spec/template/spec/" },
	{ "ReplicaSet", "", "spec/template/spec/" },
	{ "DaemonSet", "", "spec/template/spec/" },
	{ "StatefulSet", "", "spec/template/spec/" },
	{ "Job", "", "spec/template/spec/" },
	{ "CronJob", "", "spec/jobTemplate/spec/template/spec/" },
};

/* Workloads named by the ServiceAccount / PVC / PriorityClass references. */
static const struct podholder pod_holders2[] = {
	{ "Pod", "", "spec/" },
	{ "StatefulSet", "", "spec/template/spec/" },
	{ "Deployment", "", "spec/template/spec/" },
	{ "ReplicationController", "", "spec/template/spec/" },
	{ "CronJob", "", "spec/jobTemplate/spec/template/spec/" },
	{ "Job", "", "spec/template/spec/" },
	{ "DaemonSet", "", "spec/template/spec/" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int add_pod_refs(struct kfslist *l, const struct podholder *h, size_t nh,
			const char *const *suffixes, size_t ns)
{
	struct buf p = BUF_INIT;
	int error = 0;

	for (size_t i = 0; i < nh && !error; i++) {
		for (size_t j = 0; j < ns && !error; j++) {
			buf_reset(&p);
			buf_addf(&p, "%s%s", h[i].spec, suffixes[j]);
			error = buf_oom(&p) ? DIAG_ENOMEM :
				kfslist_add(l, "", h[i].version, h[i].kind, p.ptr, 0);
		}
	}
	buf_release(&p);
	return error;
}

/* One field spec: group, version, kind, path, create. */
struct fsrow {
	const char *g, *v, *k, *path;
	int create;
};

static int add_rows(struct kfslist *l, const struct fsrow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (kfslist_add(l, rows[i].g, rows[i].v, rows[i].k, rows[i].path, rows[i].create) < 0)
			return DIAG_ENOMEM;
	return 0;
}

/* Where pod templates keep their metadata, per workload kind. */
static const struct fsrow template_meta[] = {
	{ "", "v1", "ReplicationController", "spec/template/metadata/", 1 },
	{ "", "", "Deployment", "spec/template/metadata/", 1 },
	{ "", "", "ReplicaSet", "spec/template/metadata/", 1 },
	{ "", "", "DaemonSet", "spec/template/metadata/", 1 },
	{ "apps", "", "StatefulSet", "spec/template/metadata/", 1 },
	{ "batch", "", "Job", "spec/template/metadata/", 1 },
	{ "batch", "", "CronJob", "spec/jobTemplate/metadata/", 1 },
	{ "batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/", 1 },
};

static int add_meta(struct kfslist *l, const char *what, int annotations)
{
	struct buf p = BUF_INIT;
	int error = kfslist_add(l, "", "", "", what, 1);

	for (size_t i = 0; i < NELEM(template_meta) && !error; i++) {
		const struct fsrow *r = &template_meta[i];

		buf_reset(&p);
		buf_addf(&p, "%s%s", r->path, annotations ? "annotations" : "labels");
		/* Annotations don't restrict StatefulSet to a group. */
		error = buf_oom(&p) ? DIAG_ENOMEM :
			kfslist_add(l, annotations && strcmp(r->k, "StatefulSet") == 0 ? "" : r->g,
				    r->v, r->k, p.ptr, 1);
	}
	buf_release(&p);
	return error;
}

static const struct fsrow selector_rows[] = {
	{ "", "v1", "Service", "spec/selector", 1 },
	{ "", "v1", "ReplicationController", "spec/selector", 1 },
	{ "", "", "Deployment", "spec/selector/matchLabels", 1 },
	{ "", "", "ReplicaSet", "spec/selector/matchLabels", 1 },
	{ "", "", "DaemonSet", "spec/selector/matchLabels", 1 },
	{ "apps", "", "StatefulSet", "spec/selector/matchLabels", 1 },
	{ "batch", "", "Job", "spec/selector/matchLabels", 0 },
	{ "batch", "", "CronJob", "spec/jobTemplate/spec/selector/matchLabels", 0 },
	{ "policy", "", "PodDisruptionBudget", "spec/selector/matchLabels", 0 },
	{ "networking.k8s.io", "", "NetworkPolicy", "spec/podSelector/matchLabels", 0 },
	{ "networking.k8s.io", "", "NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", 0 },
	{ "networking.k8s.io", "", "NetworkPolicy", "spec/egress/to/podSelector/matchLabels", 0 },
};

static const char *const affinity_paths[] = {
	"spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
	"spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
	"spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
	"spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
	"spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
};

static int default_common_labels(struct kfslist *l)
{
	static const char *const kinds[] = { "Deployment", "StatefulSet" };
	int error;

	if ((error = add_rows(l, selector_rows, NELEM(selector_rows))) < 0)
		return error;
	for (size_t k = 0; k < NELEM(kinds); k++)
		for (size_t i = 0; i < NELEM(affinity_paths); i++)
			if ((error = kfslist_add(l, "apps", "", kinds[k], affinity_paths[i], 0)) < 0)
				return error;
	if ((error = add_meta(l, "metadata/labels", 0)) < 0)
		return error;
	return kfslist_add(l, "apps", "", "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels",
			   1);
}

static const struct fsrow namespace_rows[] = {
	{ "", "", "Namespace", "metadata/name", 1 },
	{ "apiregistration.k8s.io", "", "APIService", "spec/service/namespace", 1 },
	{ "apiextensions.k8s.io", "", "CustomResourceDefinition",
	  "spec/conversion/webhook/clientConfig/service/namespace", 0 },
};

static const char *const image_paths[] = {
	"spec/containers[]/image", "spec/initContainers[]/image", "spec/volumes[]/image/reference",
	"spec/template/spec/containers[]/image", "spec/template/spec/initContainers[]/image",
	"spec/template/spec/volumes[]/image/reference",
};

static const char *const replica_kinds[] = {
	"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet",
};

/* Container-ish fields vars may appear in, per pod holder. */
static const char *const var_container_fields[] = {
	"containers/args", "containers/command", "containers/env/value",
	"containers/volumeMounts/mountPath", "initContainers/args", "initContainers/command",
	"initContainers/env/value", "initContainers/volumeMounts/mountPath",
};

static int default_var_reference(struct kfslist *l)
{
	static const struct podholder holders[] = {
		{ "CronJob", "", "spec/jobTemplate/spec/template/spec/" },
		{ "DaemonSet", "", "spec/template/spec/" },
		{ "Deployment", "", "spec/template/spec/" },
		{ "Job", "", "spec/template/spec/" },
		{ "Pod", "", "spec/" },
		{ "ReplicaSet", "", "spec/template/spec/" },
		{ "StatefulSet", "", "spec/template/spec/" },
	};
	static const struct fsrow rows[] = {
		{ "", "", "CronJob", "spec/jobTemplate/spec/template/volumes/nfs/server", 0 },
		{ "", "", "DaemonSet", "spec/template/spec/volumes/nfs/server", 0 },
		{ "", "", "Deployment", "spec/template/spec/volumes/nfs/server", 0 },
		{ "", "", "Deployment", "spec/template/metadata/annotations", 0 },
		{ "", "", "Ingress", "spec/rules/host", 0 },
		{ "", "", "Ingress", "spec/tls/hosts", 0 },
		{ "", "", "Ingress", "spec/tls/secretName", 0 },
		{ "", "", "Job", "spec/template/spec/volumes/nfs/server", 0 },
		{ "", "", "Pod", "spec/volumes/nfs/server", 0 },
		{ "", "", "ReplicaSet", "spec/template/spec/volumes/nfs/server", 0 },
		{ "", "", "Service", "spec/ports/port", 0 },
		{ "", "", "Service", "spec/ports/targetPort", 0 },
		{ "", "", "StatefulSet", "spec/volumeClaimTemplates/spec/nfs/server", 0 },
		{ "", "", "PersistentVolume", "spec/nfs/server", 0 },
		{ "", "", "", "metadata/labels", 0 },
		{ "", "", "", "metadata/annotations", 0 },
	};
	int error = add_pod_refs(l, holders, NELEM(holders), var_container_fields,
				 NELEM(var_container_fields));

	return error ? error : add_rows(l, rows, NELEM(rows));
}

static int default_nameref(struct ktconfig *c)
{
	static const char *const cm_fields[] = {
		"volumes/configMap/name", "containers/env/valueFrom/configMapKeyRef/name",
		"initContainers/env/valueFrom/configMapKeyRef/name",
		"containers/envFrom/configMapRef/name", "initContainers/envFrom/configMapRef/name",
		"volumes/projected/sources/configMap/name",
	};
	static const char *const secret_fields[] = {
		"volumes/secret/secretName", "containers/env/valueFrom/secretKeyRef/name",
		"initContainers/env/valueFrom/secretKeyRef/name",
		"containers/envFrom/secretRef/name", "initContainers/envFrom/secretRef/name",
		"imagePullSecrets/name", "volumes/projected/sources/secret/name",
	};
	static const struct fsrow cm_extra[] = {
		{ "", "", "Node", "spec/configSource/configMap", 0 },
		{ "", "", "Role", "rules/resourceNames", 0 },
		{ "", "", "ClusterRole", "rules/resourceNames", 0 },
		{ "", "", "Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", 0 },
	};
	static const struct fsrow secret_extra[] = {
		{ "", "", "Ingress", "spec/tls/secretName", 0 },
		{ "", "", "Ingress", "metadata/annotations/ingress.kubernetes.io\\/auth-secret", 0 },
		{ "", "", "Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret", 0 },
		{ "", "", "Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", 0 },
		{ "", "", "ServiceAccount", "imagePullSecrets/name", 0 },
		{ "", "", "StorageClass", "parameters/secretName", 0 },
		{ "", "", "StorageClass", "parameters/adminSecretName", 0 },
		{ "", "", "StorageClass", "parameters/userSecretName", 0 },
		{ "", "", "StorageClass", "parameters/secretRef", 0 },
		{ "", "", "Role", "rules/resourceNames", 0 },
		{ "", "", "ClusterRole", "rules/resourceNames", 0 },
		{ "serving.knative.dev", "v1", "Service", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", 0 },
		{ "", "", "PersistentVolume", "spec/azureFile/secretName", 0 },
	};
	static const struct fsrow service_refs[] = {
		{ "apps", "", "StatefulSet", "spec/serviceName", 0 },
		{ "", "", "Ingress", "spec/rules/http/paths/backend/serviceName", 0 },
		{ "", "", "Ingress", "spec/backend/serviceName", 0 },
		{ "", "", "Ingress", "spec/rules/http/paths/backend/service/name", 0 },
		{ "", "", "Ingress", "spec/defaultBackend/service/name", 0 },
		{ "apiregistration.k8s.io", "", "APIService", "spec/service/name", 0 },
		{ "admissionregistration.k8s.io", "", "ValidatingWebhookConfiguration", "webhooks/clientConfig/service", 0 },
		{ "admissionregistration.k8s.io", "", "MutatingWebhookConfiguration", "webhooks/clientConfig/service", 0 },
	};
	static const struct fsrow role_refs[] = {
		{ "rbac.authorization.k8s.io", "", "RoleBinding", "roleRef/name", 0 },
	};
	static const struct fsrow clusterrole_refs[] = {
		{ "rbac.authorization.k8s.io", "", "RoleBinding", "roleRef/name", 0 },
		{ "rbac.authorization.k8s.io", "", "ClusterRoleBinding", "roleRef/name", 0 },
	};
	static const struct fsrow sa_refs[] = {
		{ "rbac.authorization.k8s.io", "", "RoleBinding", "subjects", 0 },
		{ "rbac.authorization.k8s.io", "", "ClusterRoleBinding", "subjects", 0 },
	};
	static const struct fsrow pv_refs[] = {
		{ "", "", "PersistentVolumeClaim", "spec/volumeName", 0 },
		{ "", "", "ClusterRole", "rules/resourceNames", 0 },
	};
	static const struct fsrow sc_refs[] = {
		{ "", "", "PersistentVolume", "spec/storageClassName", 0 },
		{ "", "", "PersistentVolumeClaim", "spec/storageClassName", 0 },
		{ "", "", "StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName", 0 },
	};
	static const struct fsrow ic_refs[] = {
		{ "", "", "Ingress", "spec/ingressClassName", 0 },
	};
	static const struct fsrow vap_refs[] = {
		{ "admissionregistration.k8s.io", "", "ValidatingAdmissionPolicyBinding", "spec/policyName", 0 },
	};
	static const char *const scale_kinds[] = {
		"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet",
	};
	const char *sa_field = "serviceAccountName", *pvc_field =
		"volumes/persistentVolumeClaim/claimName", *pc_field = "priorityClassName";
	struct knameref *nr;
	int error = 0;

	for (size_t i = 0; i < NELEM(scale_kinds) && !error; i++) {
		if (!(nr = nameref_get(c, "", "", scale_kinds[i])))
			return DIAG_ENOMEM;
		error = kfslist_add(&nr->referrers, "", "", "HorizontalPodAutoscaler",
				    "spec/scaleTargetRef/name", 0);
	}
	if (error || !(nr = nameref_get(c, "", "v1", "ConfigMap")) ||
	    (error = add_pod_refs(&nr->referrers, pod_holders, NELEM(pod_holders), cm_fields,
				  NELEM(cm_fields))) < 0 ||
	    (error = add_rows(&nr->referrers, cm_extra, NELEM(cm_extra))) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "", "v1", "Secret")) ||
	    (error = add_pod_refs(&nr->referrers, pod_holders, NELEM(pod_holders), secret_fields,
				  NELEM(secret_fields))) < 0 ||
	    (error = add_rows(&nr->referrers, secret_extra, NELEM(secret_extra))) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "", "v1", "Service")) ||
	    (error = add_rows(&nr->referrers, service_refs, NELEM(service_refs))) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "rbac.authorization.k8s.io", "", "Role")) ||
	    (error = add_rows(&nr->referrers, role_refs, NELEM(role_refs))) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "rbac.authorization.k8s.io", "", "ClusterRole")) ||
	    (error = add_rows(&nr->referrers, clusterrole_refs, NELEM(clusterrole_refs))) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "", "v1", "ServiceAccount")) ||
	    (error = add_rows(&nr->referrers, sa_refs, NELEM(sa_refs))) < 0 ||
	    (error = add_pod_refs(&nr->referrers, pod_holders2, NELEM(pod_holders2), &sa_field, 1)) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "", "v1", "PersistentVolumeClaim")) ||
	    (error = add_pod_refs(&nr->referrers, pod_holders2, NELEM(pod_holders2), &pvc_field, 1)) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "", "v1", "PersistentVolume")) ||
	    (error = add_rows(&nr->referrers, pv_refs, NELEM(pv_refs))) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "storage.k8s.io", "v1", "StorageClass")) ||
	    (error = add_rows(&nr->referrers, sc_refs, NELEM(sc_refs))) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "scheduling.k8s.io", "v1", "PriorityClass")) ||
	    (error = add_pod_refs(&nr->referrers, pod_holders2, NELEM(pod_holders2), &pc_field, 1)) < 0)
		return error ? error : DIAG_ENOMEM;
	/* Kustomize's table spells this group with its version. */
	if (!(nr = nameref_get(c, "networking.k8s.io/v1", "v1", "IngressClass")) ||
	    (error = add_rows(&nr->referrers, ic_refs, NELEM(ic_refs))) < 0)
		return error ? error : DIAG_ENOMEM;
	if (!(nr = nameref_get(c, "admissionregistration.k8s.io", "", "ValidatingAdmissionPolicy")) ||
	    (error = add_rows(&nr->referrers, vap_refs, NELEM(vap_refs))) < 0)
		return error ? error : DIAG_ENOMEM;
	return 0;
}

/*
 * A stable insertion sort by gvk, as kustomize sorts field specs and name
 * references: n elements of size bytes at base, element i's gvk given by
 * gvk(). Each element's kind order is found once (kgvk_type_order scans a
 * table), not at every comparison.
 */
static int sort_by_gvk(void *base, size_t n, size_t size,
		       void (*gvk)(const void *e, const char *part[3]))
{
	char *v = base, tmp[sizeof(struct knameref) > sizeof(struct kfspec) ?
			       sizeof(struct knameref) : sizeof(struct kfspec)];
	int *order;

	if (n < 2)
		return 0;
	if (size > sizeof(tmp) || !(order = malloc(n * sizeof(*order))))
		return DIAG_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *p[3];

		gvk(v + i * size, p);
		order[i] = kgvk_type_order(p[2]);
	}
	for (size_t i = 1; i < n; i++) {
		const char *x[3], *y[3];
		int xo = order[i];
		size_t j = i;

		memcpy(tmp, v + i * size, size);
		gvk(tmp, x);
		while (j > 0) {
			gvk(v + (j - 1) * size, y);
			if (!kgvk_less_ordered(xo, x[0], x[1], x[2], order[j - 1], y[0], y[1], y[2]))
				break;
			memcpy(v + j * size, v + (j - 1) * size, size);
			order[j] = order[j - 1];
			j--;
		}
		memcpy(v + j * size, tmp, size);
		order[j] = xo;
	}
	free(order);
	return 0;
}

static void fspec_gvk(const void *e, const char *part[3])
{
	const struct kfspec *fs = e;

	part[0] = fs->group;
	part[1] = fs->version;
	part[2] = fs->kind;
}

static void nameref_gvk(const void *e, const char *part[3])
{
	const struct knameref *nr = e;

	part[0] = nr->group;
	part[1] = nr->version;
	part[2] = nr->kind;
}

static int sort_config(struct ktconfig *c)
{
	struct kfslist *lists[] = {
		&c->name_prefix, &c->name_suffix, &c->name_space, &c->common_labels, &c->labels,
		&c->template_labels, &c->vct_labels, &c->common_annotations, &c->var_reference,
		&c->images, &c->replicas,
	};

	for (size_t i = 0; i < NELEM(lists); i++)
		if (sort_by_gvk(lists[i]->v, lists[i]->len, sizeof(struct kfspec), fspec_gvk) < 0)
			return DIAG_ENOMEM;
	return sort_by_gvk(c->nameref, c->nnameref, sizeof(struct knameref), nameref_gvk);
}

int ktconfig_default(struct ktconfig *c, struct diag *d)
{
	int error = 0;

	memset(c, 0, sizeof(*c));
	if ((error = kfslist_add(&c->name_prefix, "", "", "", "metadata/name", 0)) < 0 ||
	    (error = kfslist_add(&c->name_suffix, "", "", "", "metadata/name", 0)) < 0 ||
	    (error = default_common_labels(&c->common_labels)) < 0 ||
	    (error = add_meta(&c->template_labels, "metadata/labels", 0)) < 0 ||
	    (error = kfslist_add(&c->vct_labels, "apps", "", "StatefulSet",
				 "spec/volumeClaimTemplates[]/metadata/labels", 1)) < 0 ||
	    (error = add_meta(&c->common_annotations, "metadata/annotations", 1)) < 0 ||
	    (error = add_rows(&c->name_space, namespace_rows, NELEM(namespace_rows))) < 0 ||
	    (error = default_var_reference(&c->var_reference)) < 0 ||
	    (error = default_nameref(c)) < 0)
		goto fail;
	for (size_t i = 0; i < NELEM(image_paths); i++)
		if ((error = kfslist_add(&c->images, "", "", "", image_paths[i], 1)) < 0)
			goto fail;
	for (size_t i = 0; i < NELEM(replica_kinds); i++)
		if ((error = kfslist_add(&c->replicas, "", "", replica_kinds[i], "spec/replicas", 1)) < 0)
			goto fail;
	if ((error = sort_config(c)) < 0)
		goto fail;
	return 0;
fail:
	ktconfig_release(c);
	return diag_set(d, error, "out of memory");
}

int ktconfig_from_json(struct ktconfig *c, const json_t *doc, struct diag *d)
{
	static const char *const names[] = {
		"namePrefix", "nameSuffix", "namespace", "commonLabels", "labels", "templateLabels",
		"volumeClaimTemplateLabels", "commonAnnotations", "varReference", "images",
		"replicas",
	};
	struct kfslist *lists[] = {
		&c->name_prefix, &c->name_suffix, &c->name_space, &c->common_labels, &c->labels,
		&c->template_labels, &c->vct_labels, &c->common_annotations, &c->var_reference,
		&c->images, &c->replicas,
	};
	const char *key;
	json_t *v;
	int error = 0;

	memset(c, 0, sizeof(*c));
	if (json_is_null(doc))
		return 0;
	if (!json_is_object(doc))
		return diag_set(d, DIAG_EINVALID, "a transformer configuration must be a map");
	json_object_foreach((json_t *)doc, key, v) {
		size_t i;

		for (i = 0; i < NELEM(names); i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (i < NELEM(names)) {
			if ((error = kfslist_from_json(lists[i], v, d)) < 0)
				goto fail;
			continue;
		}
		if (strcmp(key, "nameReference") == 0) {
			size_t j;
			json_t *e;

			if (json_is_null(v))
				continue;
			if (!json_is_array(v)) {
				error = diag_set(d, DIAG_EINVALID, "nameReference must be a list");
				goto fail;
			}
			json_array_foreach(v, j, e) {
				struct knameref *nr;
				struct kfslist tmp = { NULL, 0, 0 };

				if (!json_is_object(e)) {
					error = diag_set(d, DIAG_EINVALID, "a nameReference must be a map");
					goto fail;
				}
				nr = nameref_get(c, kres_str(e, "group"), kres_str(e, "version"),
						 kres_str(e, "kind"));
				if (!nr) {
					error = diag_set(d, DIAG_ENOMEM, "out of memory");
					goto fail;
				}
				if ((error = kfslist_from_json(&tmp, json_object_get(e, "fieldSpecs"), d)) < 0 ||
				    (error = kfslist_merge(&nr->referrers, &tmp, d)) < 0) {
					kfslist_release(&tmp);
					goto fail;
				}
				kfslist_release(&tmp);
			}
			continue;
		}
		error = diag_set(d, DIAG_EINVALID,
				 "error unmarshaling JSON: while decoding JSON: json: unknown field \"%s\"",
				 key);
		goto fail;
	}
	if ((error = sort_config(c)) < 0) {
		error = diag_set(d, error, "out of memory");
		goto fail;
	}
	return 0;
fail:
	ktconfig_release(c);
	return error;
}

int ktconfig_merge(struct ktconfig *into, const struct ktconfig *in, struct diag *d)
{
	struct kfslist *a[] = {
		&into->name_prefix, &into->name_suffix, &into->name_space, &into->common_labels,
		&into->labels, &into->template_labels, &into->vct_labels, &into->common_annotations,
		&into->var_reference, &into->images, &into->replicas,
	};
	const struct kfslist *b[] = {
		&in->name_prefix, &in->name_suffix, &in->name_space, &in->common_labels,
		&in->labels, &in->template_labels, &in->vct_labels, &in->common_annotations,
		&in->var_reference, &in->images, &in->replicas,
	};
	int error;

	for (size_t i = 0; i < NELEM(a); i++)
		if ((error = kfslist_merge(a[i], b[i], d)) < 0)
			return error;
	for (size_t i = 0; i < in->nnameref; i++) {
		const struct knameref *src = &in->nameref[i];
		struct knameref *nr = nameref_get(into, src->group, src->version, src->kind);

		if (!nr)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		if ((error = kfslist_merge(&nr->referrers, &src->referrers, d)) < 0)
			return error;
	}
	return sort_config(into) < 0 ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
}

/* ---- field specs from CRD OpenAPI definitions (`crds:`) ---- */

static const char *ext_string(const json_t *prop, const char *key)
{
	const json_t *v = json_object_get(prop, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int crd_walk(struct ktconfig *c, const char *kind, const json_t *defs, const char *type,
		    struct buf *path, int depth, struct diag *d)
{
	const json_t *api = json_object_get(defs, type), *props, *prop;
	const char *name;
	int error;

	if (!json_is_object(api) || depth > 50)
		return 0;
	props = json_object_get(json_object_get(api, "Schema"), "properties");
	json_object_foreach((json_t *)props, name, prop) {
		size_t mark = path->len;
		const char *ver, *k, *ref;

		if (path->len)
			buf_addch(path, '/');
		buf_adds(path, name);
		if (buf_oom(path))
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		if (ext_string(prop, "x-kubernetes-annotation") &&
		    kfslist_add(&c->common_annotations, "", "", kind, path->ptr, 0) < 0)
			goto oom;
		if (ext_string(prop, "x-kubernetes-label-selector") &&
		    kfslist_add(&c->common_labels, "", "", kind, path->ptr, 0) < 0)
			goto oom;
		if (ext_string(prop, "x-kubernetes-identity") &&
		    kfslist_add(&c->name_prefix, "", "", kind, path->ptr, 0) < 0)
			goto oom;
		ver = ext_string(prop, "x-kubernetes-object-ref-api-version");
		k = ext_string(prop, "x-kubernetes-object-ref-kind");
		if (ver && k) {
			const char *key = ext_string(prop, "x-kubernetes-object-ref-name-key");
			struct knameref *nr = nameref_get(c, "", ver, k);
			struct buf p = BUF_INIT;

			buf_addf(&p, "%s/%s", path->ptr, key ? key : "name");
			error = !nr || buf_oom(&p) ? DIAG_ENOMEM :
				kfslist_add(&nr->referrers, "", "", kind, p.ptr, 0);
			buf_release(&p);
			if (error < 0)
				goto oom;
		}
		ref = ext_string(prop, "$ref");
		if (ref && *ref && (error = crd_walk(c, kind, defs, ref, path, depth + 1, d)) < 0)
			return error;
		buf_truncate(path, mark);
	}
	return 0;
oom:
	return diag_set(d, DIAG_ENOMEM, "out of memory");
}

int ktconfig_from_crd(struct ktconfig *out, const json_t *defs, struct diag *d)
{
	const char *type;
	json_t *api;
	int error;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(defs))
		return diag_set(d, DIAG_EINVALID, "an OpenAPI definition must be a map");
	json_object_foreach((json_t *)defs, type, api) {
		const json_t *props = json_object_get(json_object_get(api, "Schema"), "properties");
		const char *dot = strrchr(type, '.');
		struct buf path = BUF_INIT;

		if (!json_object_get(props, "kind") || !json_object_get(props, "apiVersion") ||
		    !json_object_get(props, "metadata"))
			continue;
		error = crd_walk(out, dot ? dot + 1 : type, defs, type, &path, 0, d);
		buf_release(&path);
		if (error < 0) {
			ktconfig_release(out);
			return error;
		}
	}
	if (sort_config(out) < 0) {
		ktconfig_release(out);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	return 0;
}
