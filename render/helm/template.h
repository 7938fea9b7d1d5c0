/*
 * `helm template` as a library call: locate and load the chart, layer the
 * values as Helm's MergeValues does, coalesce, validate against
 * values.schema.json, render, and print the manifest stream (optionally
 * filtered by --show-only). cmd/cmd_template.c parses flags into a
 * struct helm_template_opts; gitops' plan calls it for every chart job;
 * render/kustomize calls it for helmCharts.
 *
 * Ownership: every pointer in the options is borrowed for the call.
 */
#ifndef HYDRATE_HELM_TEMPLATE_H
#define HYDRATE_HELM_TEMPLATE_H

#include <stddef.h>

#include "render/helm/objects.h"

struct buf;
struct diag;
struct tmpl_funcs;

/* One --set-style argument; mode is an enum helm_strvals_mode. */
struct helm_set {
	int mode;
	const char *arg;
};

struct helm_template_opts {
	const char *chart;             /* a chart directory or .tgz archive */
	const char *release_name;      /* NULL: "release-name" */
	const char *namespace;         /* NULL: "default" */
	int is_upgrade;                /* .Release.IsUpgrade (IsInstall is its negation) */
	const char *const *values_files; /* -f, in order; "-" is stdin */
	size_t nvalues_files;
	const struct helm_set *sets;   /* --set* in command-line order */
	size_t nsets;
	struct helm_caps caps;         /* --kube-version, --api-versions */
	unsigned flags;                /* enum helm_manifest_flags */
	const char *const *show_only;  /* --show-only patterns, or none */
	size_t nshow_only;
	const struct tmpl_funcs *funcs; /* NULL: built for this call */
	/* A values document layered before values_files, as a -f file named
	 * values_text_name would be (kustomize's helmCharts values); NULL: none. */
	const char *values_text;
	size_t values_text_len;
	const char *values_text_name;
};

/*
 * Appends what `helm template` prints on stdout to out. Helm's log lines
 * (its stderr, e.g. a deprecated chart's warning) are appended to log when
 * it is not NULL. On failure d's message is what Helm prints after
 * "Error: ", and *debug_hint (when not NULL) says whether Helm adds its
 * "Use --debug flag to render out invalid YAML" line (errors from
 * rendering on). Returns 0 or a negative enum diag_code; out may then hold
 * partial output the caller must not print.
 */
int helm_template(struct buf *out, struct buf *log, const struct helm_template_opts *o,
		  int *debug_hint, struct diag *d);

#endif
