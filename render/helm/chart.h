/*
 * A Helm chart loaded from a directory (Helm v4.1.4 pkg/chart/v2/loader),
 * with its subcharts, and the values work that depends on the chart tree:
 * dependency conditions and tags (pkg/chart/v2/util/dependencies.go) and
 * coalescing user values with every chart's defaults
 * (pkg/chart/common/util/coalesce.go). docs/helm.md describes the model.
 *
 * Ownership: a struct chart owns everything it points to except parent
 * (borrowed). chart_free frees a whole tree from its root.
 */
#ifndef HYDRATE_HELM_CHART_H
#define HYDRATE_HELM_CHART_H

#include <jansson.h>
#include <stddef.h>

struct buf;
struct diag;

/* One file of a chart: name relative to the chart ("templates/x.yaml"). */
struct chart_file {
	char *name;
	char *data;   /* NUL-terminated, may hold NULs; owned. NULL while a file
		       * the load left on disk (path) is not read yet */
	size_t len;
	char *path;   /* where chart_file_load reads data from, or NULL */
};

/*
 * What a chart's loader leaves on disk: every file but what the load
 * itself parses or the engine always needs (Chart.yaml, values.yaml,
 * values.schema.json, requirements.yaml, Chart.lock, requirements.lock,
 * anything under a templates/ directory, archives) is checked (type,
 * size limit, readability) but read on first use: .Files, and crds/ when
 * they are printed. A big chart's README, CI values, changelogs and CRDs
 * are then never read by a render that does not use them.
 *
 * chart_file_load reads f's data if it is not there yet (the BOM
 * stripped, as the walk strips it): 0, or DIAG_ENOTFOUND / DIAG_ELIMIT /
 * DIAG_ENOMEM with d set ("error reading PATH: ..."). It writes into f
 * through its const pointer: a chart is rendered by one thread at a time.
 */
int chart_file_load(const struct chart_file *f, struct diag *d);

struct chart {
	char *name;              /* Chart.yaml name (or a dependency's alias) */
	json_t *metadata;        /* Chart.yaml as data (lower-case keys) */
	json_t *meta_map;        /* .Chart: Metadata fields, Helm's capitals */
	json_t *values;          /* values.yaml ({} without one) */
	json_t *deps_meta;       /* array: Chart.yaml / requirements.yaml dependencies */
	char *schema;            /* values.schema.json or NULL */
	size_t schema_len;
	struct chart_file *templates;
	size_t ntemplates;
	struct chart_file *files;   /* what .Files sees */
	size_t nfiles;
	struct chart_file *crds;    /* crds/ (never printed without --include-crds) */
	size_t ncrds;
	struct chart **deps;     /* subcharts, owned */
	size_t ndeps;
	struct chart *parent;    /* borrowed; NULL for the root */
	int is_library;          /* type: library */
	unsigned load_warnings;  /* enum chart_load_warning: what LoadFiles logged */
};

/* The log.Printf warnings of Helm's loader, in the order it prints them. */
enum chart_load_warning {
	CHART_WARN_REQUIREMENTS_LOCK = 1 << 0, /* requirements.lock in a v2 chart */
	CHART_WARN_REQUIREMENTS_YAML = 1 << 1, /* requirements.yaml in a v2 chart */
};

/*
 * LocateChart for a local path: 0 if path exists, else DIAG_ENOTFOUND with
 * Helm's text (`path "./x" not found`, or, for a name that is no path,
 * the repository-reference errors).
 */
int chart_locate(const char *path, struct diag *d);

/*
 * checkIfInstallable ("library charts are not installable") and
 * CheckDependencies (every Chart.yaml dependency present under charts/,
 * by name), with Helm's messages. Call before chart_process_deps.
 */
int chart_check_installable(const struct chart *c, struct diag *d);

/*
 * Loads the chart in directory dir (LoadDir: .helmignore of the top
 * directory and the default templates/.?* rule, files in lexical order,
 * UTF-8 BOMs stripped) and its subcharts under charts/. *out is new.
 * Errors use Helm's texts where Helm has one; DIAG_ENOTFOUND, DIAG_EPARSE,
 * DIAG_EINVALID, DIAG_ENOMEM.
 */
int chart_load_dir(struct chart **out, const char *dir, struct diag *d);

/*
 * chart_load_dir, with fn(fn_arg) run on the calling thread meanwhile:
 * with threads >= 2 a second thread (assist_run) reads the directory
 * while this one runs fn and reads and parses the top Chart.yaml and
 * values.yaml ahead. The result and the error are those of fn() followed
 * by chart_load_dir(): a negative fn() is returned as it is (its message
 * is fn's to set), and no chart is loaded. fn may be NULL.
 */
int chart_load_dir_beside(struct chart **out, const char *dir, int (*fn)(void *), void *fn_arg,
			  unsigned threads, struct diag *d);
void chart_free(struct chart *c);

/* Appends ChartFullPath: "root/charts/sub/charts/subsub". */
int chart_full_path(struct buf *out, const struct chart *c);

/*
 * ProcessDependencies: drops the subcharts that conditions or tags disable
 * for the user's values vals (borrowed), renames aliased ones, and, for
 * charts that declare dependencies, replaces the chart's default values by
 * its values merged with its subcharts' (as processImportValues does).
 * Helm's warnings on the way (a non-bool tag or condition, an import-values
 * table that is missing) are appended to log, when not NULL, as slog lines.
 */
int chart_process_deps(struct chart *c, json_t *vals, struct buf *log, struct diag *d);

/*
 * CoalesceValues (merge 0) or MergeValues (merge 1): a new object (*out)
 * holding a deep copy of vals layered over the chart's defaults, recursing
 * into subcharts and copying globals down. vals is borrowed.
 */
int chart_coalesce(json_t **out, const struct chart *c, json_t *vals, int merge,
		   struct diag *d);
/* chart_coalesce with Helm's coalescing warnings (log.Printf through
 * slog: `level=INFO msg="warning: skipped value for CHART.KEY: Not a
 * table."`, "cannot overwrite table with non table for K (V)", "destination
 * for K is a table. Ignoring non-table value (V)", the globals ones)
 * appended to log when it is not NULL. Go prints them in map order, which
 * is random; hydrate in key order. */
int chart_coalesce_log(json_t **out, const struct chart *c, json_t *vals, int merge,
		       struct buf *log, struct diag *d);

#endif
