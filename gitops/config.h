/*
 * hydrate.yaml: the model of apps, environments, the GitOps repository,
 * hooks and layout, loaded strictly (docs/hydrate-yaml.md is the reference).
 *
 * The file is read with render/yaml.h in YDOC_KUSTOMIZE mode (YAML 1.2
 * typing: `on` stays a string, duplicate keys are errors). Every unknown key,
 * wrong type or bad value is an error "FILE:LINE:COL: message" with the
 * source line and a caret as diag context; unknown keys get a did-you-mean.
 * Codes: DIAG_EPARSE (not YAML), DIAG_EINVALID (valid YAML, wrong content),
 * DIAG_ENOTFOUND (the file is missing), DIAG_ENOMEM.
 *
 * Ownership: a struct config owns every string and array under it
 * (config_free frees them all); pointers into it are borrowed.
 */
#ifndef HYDRATE_CONFIG_H
#define HYDRATE_CONFIG_H

#include <stddef.h>

#include "render/srcfile.h"

struct buf;
struct diag;

/* Where a value is written in hydrate.yaml: 1-based line, column (in
 * characters) and the width of the caret under it. line 0: nowhere (a
 * default, or a value that did not come from the file). */
struct config_pos {
	int line;
	int col;
	int width;
};

/* An ordered NAME=VALUE pair: vars, set-values, .env entries. */
struct config_kv {
	char *key;
	char *value;
	struct config_pos pos;   /* of the value in hydrate.yaml, when from there */
};

struct config_list {
	char **items;
	size_t n;
	struct config_pos *pos;  /* NULL, or where each item is written */
};

#define CONFIG_LIST_INIT { NULL, 0, NULL }

struct config_repo {
	char *url;      /* remote URL; NULL when path is set */
	char *path;     /* local repository, resolved against the config's dir */
	char *branch;   /* default "main" */
};

struct config_env {
	char *name;
	char *branch;            /* target branch; default: the repository's */
	char *path_template;     /* default: layout.path_template */
	char *env_file;          /* resolved path of the .env file, or NULL */
	struct config_list values_files; /* resolved; layered before the app's */
	struct config_list local_values_files; /* as written (may hold {env}, {app});
						* layered last, only with --local */
	struct config_kv *vars;
	size_t nvars;
	int line;                /* where the entry starts in hydrate.yaml */
	struct config_pos path_pos;  /* its pathTemplate, or layout's */
};

enum config_source {
	CONFIG_SOURCE_CHART,     /* a Helm chart directory or .tgz archive */
	CONFIG_SOURCE_KUSTOMIZE  /* a Kustomize overlay directory */
};

/* An app's settings for one environment (apps[].environments.<env>). */
struct config_app_env {
	char *env;               /* an environment's name */
	int enabled;             /* 0: the app is not rendered there */
	char *release_name;      /* or NULL */
	char *namespace;         /* or NULL */
	struct config_list values_files;
	struct config_kv *set;
	size_t nset;
};

struct config_app {
	char *name;
	enum config_source kind;
	char *source;            /* as written (may hold {env}, {app}) */
	struct config_pos source_pos;
	char *release_name;      /* default: name */
	char *namespace;         /* or NULL: the chart's default */
	struct config_list values_files; /* as written, in order */
	struct config_kv *set;   /* Helm --set style, in order */
	size_t nset;
	struct config_app_env *envs;
	size_t nenvs;
	int line;
};

struct config_hook {
	char *name;
	struct config_list command;  /* argv; never empty */
	unsigned long timeout_ms;    /* default 60000 */
};

struct config_layout {
	char *path_template;     /* default "{env}/{app}" */
	struct config_pos path_pos;
	int split;               /* 1: one file per resource (default) */
	int provenance;          /* 1: write the provenance file (default) */
};

struct config {
	char *file;              /* path of hydrate.yaml as given */
	char *dir;               /* its directory: relative paths resolve here */
	struct config_repo repo;
	struct config_env *envs;
	size_t nenvs;
	struct config_app *apps;
	size_t napps;
	struct config_kv *vars;  /* top-level vars, for every environment */
	size_t nvars;
	struct config_hook *pre_render, *post_render;
	size_t npre_render, npost_render;
	struct config_layout layout;
	struct srcfile src;      /* a copy of the text, for errors found later */
};

/* Reads and validates path. *out is new; free it with config_free. */
int config_load(struct config **out, const char *path, struct diag *d);
/* As config_load, from a source already read; dir resolves relative paths
 * ("." when NULL). src must outlive the call only. */
int config_parse(struct config **out, struct srcfile *src, const char *dir,
		 struct diag *d);
void config_free(struct config *cfg);

/* Borrowed lookups by name; NULL if absent. */
const struct config_env *config_env_find(const struct config *cfg, const char *name);
const struct config_app *config_app_find(const struct config *cfg, const char *name);

/*
 * Sets d to "FILE:LINE:COL: message" with hydrate.yaml's line and a caret
 * under the value as context, or to the message alone when at is NULL or
 * has no line; returns code. For errors found after loading (resolving a
 * job, running the plan). Reads cfg only: safe from several threads.
 */
int config_error_at(struct diag *d, const struct config *cfg, const struct config_pos *at,
		    int code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A deterministic, line-oriented dump of the model (golden tests, `hydrate
 * config`); appended to out. */
int config_dump(struct buf *out, const struct config *cfg);

/*
 * Parses a .env file: KEY=VALUE lines, optional `export `, '#' comments
 * (whole lines, or after whitespace in an unquoted value), single quotes
 * (literal) and double quotes (\n \t \\ \" \$ escapes), blank lines. *out and
 * its strings are new (free with config_kv_free); later keys win, keeping
 * the first key's place. DIAG_EINVALID with position on a bad line.
 */
int config_dotenv_parse(struct config_kv **out, size_t *n_out, struct srcfile *src,
			struct diag *d);
void config_kv_free(struct config_kv *kv, size_t n);

/* Reads env's envFile with config_dotenv_parse; no envFile, or a missing
 * file, gives an empty list (the file holds optional local overrides). */
int config_env_dotenv(struct config_kv **out, size_t *n_out, const struct config_env *env,
		      struct diag *d);

/*
 * One (app, environment) pair, resolved: what the renderers and the tree
 * need. Strings are owned by the job (config_job_release).
 */
struct config_job {
	const struct config_app *app;   /* borrowed from the config */
	const struct config_env *env;   /* borrowed */
	enum config_source kind;
	char *source;                   /* resolved path of the chart or overlay */
	struct config_pos source_pos;   /* where hydrate.yaml names it */
	char *release_name;
	char *namespace;                /* or NULL */
	char *path;                     /* in the GitOps repository, e.g. "clusters/prod/web" */
	struct config_pos path_pos;     /* the path template that gave it */
	char *branch;
	struct config_list values_files; /* env's, app's, app.env's: resolved, in order,
					  * with where each is written */
	struct config_kv *set;          /* app's then app.env's; ${VAR} expanded; pos
					 * of the value that won */
	size_t nset;
};

#define CONFIG_JOB_INIT { NULL, NULL, CONFIG_SOURCE_CHART, NULL, { 0, 0, 0 }, NULL, NULL, \
			  NULL, { 0, 0, 0 }, NULL, CONFIG_LIST_INIT, NULL, 0 }

/*
 * Resolves app in env. Variables for ${VAR} are layered: top-level vars,
 * then the environment's vars, then dotenv (the .env file, local overrides;
 * may be NULL). DIAG_ENOTFOUND if the app is disabled in env; DIAG_EINVALID
 * for an undefined variable, a path template using {namespace} for an app
 * with none, or a path leaving the repository: with the position in
 * hydrate.yaml of the value at fault (config_error_at). The files named are
 * not looked at (plan_build checks that they exist).
 */
int config_job_resolve(struct config_job *out, const struct config *cfg,
		       const struct config_app *app, const struct config_env *env,
		       const struct config_kv *dotenv, size_t ndotenv, struct diag *d);
void config_job_release(struct config_job *job);

/*
 * The local layer (--local): appends to job's values files its
 * environment's localValuesFiles, {env} and {app} expanded, resolved
 * against the config's directory, those that exist (a missing one is
 * skipped: local overrides are optional, like the .env file). Charts only.
 */
int config_job_add_local(struct config_job *job, const struct config *cfg, struct diag *d);

/*
 * Expands a path template: {env}, {app}, {namespace} (empty when NULL),
 * {release}. The result must be a relative path without `..`, `.` or empty
 * components (DIAG_EINVALID otherwise; an unknown placeholder too).
 */
int config_path_expand(struct buf *out, const char *tmpl, const char *env,
		       const char *app, const char *ns, const char *release,
		       struct diag *d);

/* Expands ${NAME} and ${NAME:-default} from vars (the last match wins);
 * "$$" is a literal '$'. DIAG_EINVALID for an undefined name or bad syntax. */
int config_vars_expand(struct buf *out, const char *text, const struct config_kv *vars,
		       size_t nvars, struct diag *d);

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), for did-you-mean. */
size_t config_edit_distance(const char *a, const char *b);

#endif
