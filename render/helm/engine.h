/*
 * Helm's rendering engine (Helm v4.1.4 pkg/engine/engine.go) and what
 * `helm template` prints (pkg/release/v1/util, pkg/cmd/template.go).
 * docs/helm.md describes the steps.
 */
#ifndef HYDRATE_HELM_ENGINE_H
#define HYDRATE_HELM_ENGINE_H

#include <jansson.h>
#include <stddef.h>
#include "render/buf.h"

struct chart;
struct diag;
struct tmpl_funcs;
struct helm_caps;

/* Release options (common.ReleaseOptions): strings borrowed. */
struct helm_release {
	const char *name;
	const char *namespace;
	int revision;
	int is_install, is_upgrade;
};

/* One rendered template, by its full name ("chart/templates/x.yaml"). */
struct helm_rendered_file {
	char *name;
	struct buf text;
};

/* The rendered templates, sorted by name. Owns its files. */
struct helm_rendered {
	struct helm_rendered_file *v;
	size_t n;
};

#define HELM_RENDERED_INIT { NULL, 0 }

void helm_rendered_release(struct helm_rendered *r);

/*
 * A new function registry with text/template's builtins, Sprig and Helm's
 * functions, in Helm's precedence. Free with tmpl_funcs_free. Build it once;
 * it may serve many renders (and threads) at once.
 */
int helm_engine_funcs(struct tmpl_funcs **out);

/*
 * Renders every template of chart c (and its subcharts) with the coalesced
 * values vals (borrowed; chart_coalesce's result), release rel and
 * capabilities caps (NULL: Helm's defaults), after checking the root
 * chart's kubeVersion constraint against them, as renderResources does. On
 * success *out holds each non-partial template's text, "<no value>"
 * removed. On failure d's message is what Helm prints after "Error: ".
 * threads >= 2 lets the templates be parsed on a second thread (the
 * result is the same). Returns 0, DIAG_EPARSE, DIAG_EEXEC, DIAG_ELIMIT or
 * DIAG_ENOMEM.
 */
int helm_render(struct helm_rendered *out, const struct chart *c, json_t *vals,
		const struct helm_release *rel, const struct helm_caps *caps,
		const struct tmpl_funcs *funcs, unsigned threads, struct diag *d);

/* Whether caps' --kube-version parses: 0, or DIAG_EINVALID with Helm's
 * "invalid kube version 'X': ..." message. */
int helm_check_caps(const struct helm_caps *caps, struct diag *d);

enum helm_manifest_flags {
	HELM_MANIFEST_SKIP_TESTS = 1 << 0,   /* --skip-tests: drop test hooks */
	HELM_MANIFEST_INCLUDE_CRDS = 1 << 1, /* --include-crds: crds/ files of c first */
	HELM_MANIFEST_NO_HOOKS = 1 << 2,     /* --no-hooks: leave hooks out */
};

/*
 * What `helm template` prints for the rendered files: manifests in install
 * order, then hooks, each as "---\n# Source: NAME\nDOC\n". NOTES.txt files
 * and partials are left out; with HELM_MANIFEST_INCLUDE_CRDS the crds/
 * files (.yaml, .yml, .json) of chart c and its subcharts come first, as
 * they are. Appends to out. Helm's log lines (slog's text form, e.g.
 * `level=INFO msg="skipping unknown hooks" hookTypes=x`) go to log when it
 * is not NULL; `helm template` prints them on stderr as they happen. DIAG_EPARSE ("YAML parse
 * error on NAME: ...") when a document is not YAML.
 */
int helm_manifest(struct buf *out, const struct helm_rendered *files, const struct chart *c,
		  unsigned flags, struct buf *log, struct diag *d);

/* How --output-dir writes one file (writeToFile's appendData). */
enum helm_outfile_mode {
	HELM_OUTFILE_CREATE,           /* create or truncate */
	HELM_OUTFILE_APPEND,           /* append: written earlier in this run */
	HELM_OUTFILE_APPEND_IF_EXISTS, /* a hook: append if the file exists when it is
	                                  written (even from an earlier run), else create */
};

/* One file write of --output-dir, in the order Helm writes: path is
 * "DIR/NAME" as Helm prints it in "wrote PATH"; data is
 * "---\n# Source: NAME\nDOC\n". */
struct helm_outfile {
	char *path;
	struct buf data;
	enum helm_outfile_mode mode;
};

/* The writes of one --output-dir run. Owns its entries. */
struct helm_outfiles {
	struct helm_outfile *v;
	size_t n, cap;
};
#define HELM_OUTFILES_INIT { NULL, 0, 0 }
void helm_outfiles_release(struct helm_outfiles *f);

/*
 * What `helm template --output-dir DIR` writes instead of printing, as
 * helm_manifest's documents: with HELM_MANIFEST_INCLUDE_CRDS the crds/ files
 * into dir, then the manifests in install order, then the hooks (as
 * template.go writes them), these two into rel_dir (dir joined with the
 * release name for --release-name; NULL: dir). Appends to out; nothing is
 * written to disk here. Errors as helm_manifest's.
 */
int helm_manifest_dir(struct helm_outfiles *out, const struct helm_rendered *files,
		      const struct chart *c, unsigned flags, const char *dir, const char *rel_dir,
		      struct buf *log, struct diag *d);

/*
 * --show-only: from the printed output text, the documents whose "# Source:"
 * path after the chart name matches each pattern (filepath.Match), in
 * pattern order, each as "---\nDOC\n". DIAG_ENOTFOUND "could not find
 * template PATTERN in chart" when a pattern matches nothing.
 */
int helm_show_only(struct buf *out, const char *text, size_t len,
		   const char *const *patterns, size_t npatterns, struct diag *d);

/* Helm's kind install order index, or -1 for a kind it does not know. */
int helm_kind_order(const char *kind);

#endif
