/*
 * hydrate kustomize: what `kustomize build DIR` (v5.7.1) prints, byte for
 * byte. docs/kustomize.md describes the design; internal.h the pieces.
 */
#ifndef HYDRATE_KUSTOMIZE_H
#define HYDRATE_KUSTOMIZE_H

#include "render/buf.h"

#include <stddef.h>

struct buf;
struct diag;

enum kustomize_reorder {
	KUSTOMIZE_REORDER_LEGACY, /* kustomize build's default */
	KUSTOMIZE_REORDER_NONE    /* depth-first input order */
};

enum kustomize_load_restrictor {
	KUSTOMIZE_LOAD_ROOT_ONLY, /* files only in or below a kustomization's root */
	KUSTOMIZE_LOAD_NONE
};

struct kustomize_opts {
	/*
	 * NULL: paths are the host's. Otherwise this host directory plays the
	 * file system root "/" (as the krusty tests' in-memory file system
	 * does): the kustomization path and every path in messages are read
	 * as if that directory were "/", relative paths start from "/", and
	 * file errors are worded as kustomize's in-memory file system words
	 * them. Nothing outside it is readable.
	 */
	const char *fs_root;
	enum kustomize_reorder reorder;
	enum kustomize_load_restrictor load_restrictor;
	int add_managedby_label;
	const char *version; /* for app.kubernetes.io/managed-by; NULL: "v5.7.1" */
	/* Borrowed, nullable: kustomize's deprecation warnings ("# Warning: ..."),
	 * one per line, as kustomize build writes them to standard error. */
	struct buf *warnings;
	/* helmCharts (--enable-helm): inflated by hydrate's Helm engine. The
	 * kube version and API versions (borrowed) are --helm-kube-version and
	 * --helm-api-versions; a chart's own kubeVersion / apiVersions win. */
	int enable_helm;
	const char *helm_kube_version;
	const char *const *helm_api_versions;
	size_t nhelm_api_versions;
	/* Nonzero: a long resource or patch file is parsed, and a long
	 * output printed, in two halves at once, the second on a thread of
	 * its own (the same output and errors). jansson's allocator must be
	 * thread-safe: malloc, or jslab. */
	int threads;
};

#define KUSTOMIZE_OPTS_INIT { NULL, KUSTOMIZE_REORDER_LEGACY, KUSTOMIZE_LOAD_ROOT_ONLY, 0, NULL, NULL, \
			      0, NULL, NULL, 0, 0 }

/*
 * Builds the kustomization in directory path and appends the YAML stream
 * kustomize build prints to out. Errors: a negative diag code, with
 * kustomize's wording in d (DIAG_ENOTFOUND for a missing file or directory,
 * DIAG_EPARSE for bad YAML, DIAG_EINVALID for a bad kustomization,
 * DIAG_EEXEC for a failed transformation, DIAG_ELIMIT, DIAG_ENOMEM).
 */
int kustomize_build(struct buf *out, const char *path, const struct kustomize_opts *opts,
		    struct diag *d);

/* One resource as `kustomize build -o DIR` writes it. */
struct kustomize_file {
	char *name;       /* owned: group_version_kind_name.yaml, lower-cased (namespace_ first
			   * when the resources span several namespaces) */
	struct buf data;  /* owned: the resource's YAML */
};

/*
 * As kustomize_build, but one file per resource (kustomize build -o DIR);
 * *files (free with kustomize_files_free) holds *nfiles entries.
 */
int kustomize_build_files(struct kustomize_file **files, size_t *nfiles, const char *path,
			  const struct kustomize_opts *opts, struct diag *d);
void kustomize_files_free(struct kustomize_file *files, size_t n);

#endif
