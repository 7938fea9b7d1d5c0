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
struct helm_outfiles;
struct tmpl_funcs;

/* One --set-style argument; mode is an enum helm_strvals_mode. */
struct helm_set {
	int mode;
	const char *arg;
};

struct helm_template_opts {
	const char *chart;             /* a chart directory or .tgz archive */
	const char *release_name;      /* the NAME argument; NULL: --name-template's
	                                  result, or "release-name" */
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
	/* added with issue 4's remaining flags; zero is Helm's default */
	const char *name_template;     /* --name-template: a Go template (Sprig
	                                  functions, no data) giving the name */
	int generate_name;             /* -g: only an error beside a NAME (helm
	                                  template names the release "release-name") */
	const char *output_dir;        /* --output-dir; helm_template_dir only */
	int use_release_name;          /* --release-name: DIR/NAME/ for templates */
	int skip_schema_validation;    /* --skip-schema-validation */
	int dependency_update;         /* --dependency-update: missing dependencies are
	                                  refused (hydrate never downloads) */
	const char *const *label_keys; /* keys of --labels (only checked against
	                                  Helm's reserved names) */
	size_t nlabel_keys;
	/* A values document layered before values_files, as a -f file named
	 * values_text_name would be (kustomize's helmCharts values); NULL: none. */
	const char *values_text;
	size_t values_text_len;
	const char *values_text_name;
	/* --post-renderer: the name of a postrenderer/v1 plugin (NULL or "":
	 * none) run on the rendered files (render/helm/postrender.h), with
	 * the --post-renderer-args values in order */
	const char *post_renderer;
	const char *const *post_renderer_args;
	size_t npost_renderer_args;
	/* --debug: Helm's DEBUG log lines (slog) go to the log too */
	int debug;
	/* 2 or more: the templates may be parsed on a second thread (`hydrate
	 * template` sets it; renders that already run one per thread do not) */
	unsigned threads;
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

/*
 * helm_template with --output-dir (o->output_dir set): the files Helm would
 * write go to files (in Helm's order, nothing is written to disk; the
 * caller writes them and prints "wrote PATH" for each, in order, then out).
 * Without o->output_dir it is helm_template and files stays empty. On
 * failure files and out may hold partial data the caller must not use.
 */
int helm_template_dir(struct helm_outfiles *files, struct buf *out, struct buf *log,
		      const struct helm_template_opts *o, int *debug_hint, struct diag *d);

/* Go's filepath.Join(dir, name) on Unix: the two joined by '/' (empty ones
 * left out) and cleaned as filepath.Clean does ("a//b/../c" -> "a/c", ""
 * -> "."; Go's Join gives "" when both are empty). A new string (free
 * it), or NULL when out of memory. */
char *helm_path_join(const char *dir, const char *name);

/* chartutil.ValidateReleaseName: 0, or DIAG_EINVALID with its message
 * ("no name provided" / "invalid release name, must match regex ..."). */
int helm_validate_release_name(const char *name, struct diag *d);

#endif
