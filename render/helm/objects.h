/*
 * Helm's built-in objects that are not plain data, as template host objects
 * (struct tobj, render/tmpl/tval.h): .Capabilities and .Files.
 *
 *   *common.Capabilities  fields KubeVersion, APIVersions, HelmVersion
 *   common.KubeVersion    fields Version, Major, Minor; methods String, GitVersion
 *   common.VersionSet     method Has
 *   version.BuildInfo     fields Version, GitCommit, GitTreeState, GoVersion,
 *                         KubeClientVersion
 *   engine.files          methods Get, GetBytes, Glob, Lines, AsConfig, AsSecrets
 *
 * The defaults are what Helm v4.1.4 reports without a cluster (docs/helm.md).
 */
#ifndef HYDRATE_HELM_OBJECTS_H
#define HYDRATE_HELM_OBJECTS_H

#include <stddef.h>

struct tobj;
struct chart_file;
struct helm_funcs_state;
struct diag;

/* What `helm template` assumes without a cluster (--kube-version's default). */
#define HELM_DEFAULT_KUBE_VERSION "v1.35.0"

/* Capability options: --kube-version and --api-versions (strings borrowed;
 * they must outlive the object). NULL or zero fields take the defaults. */
struct helm_caps {
	const char *kube_version;
	const char *const *api_versions;   /* added to Helm's built-in list */
	size_t napi_versions;
};

/*
 * A new *common.Capabilities for one render (owned by st, freed with it).
 * The kube version is read as k8s.io/apimachinery's ParseGeneric does;
 * DIAG_EINVALID "invalid kube version 'X': ..." when it does not parse.
 */
int helm_capabilities_new(const struct tobj **out, struct helm_funcs_state *st,
			  const struct helm_caps *opts, struct diag *d);
/* KubeVersion.Version ("v1.30.2") and KubeVersion.String() of caps. Borrowed. */
const char *helm_capabilities_kube_version(const struct tobj *caps);
const char *helm_capabilities_kube_string(const struct tobj *caps);

/* Helm's built-in API version list for Kubernetes v1.35 (static). */
extern const char *const helm_api_versions[];
extern const size_t helm_napi_versions;

/*
 * A new engine.files over files[0..n) (the array is copied, the files are
 * borrowed and must outlive the object). The object belongs to st and is
 * freed with it. 0 or DIAG_ENOMEM.
 */
int helm_files_new(const struct tobj **out, struct helm_funcs_state *st,
		   const struct chart_file *const *files, size_t n);

/*
 * gobwas/glob with '/' as separator: '*' (not across '/'), '**', '?',
 * '[...]', '[!...]', '{a,b}', '\' escapes. Returns 1 on a match, 0 if not,
 * -1 if the pattern does not compile (Glob then uses "**").
 */
int helm_glob_match(const char *pattern, const char *name);

#endif
