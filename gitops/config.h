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

struct buf;
struct diag;
struct srcfile;

/* An ordered NAME=VALUE pair: vars, set-values, .env entries. */
struct config_kv {
	char *key;
	char *value;
};

struct config_list {
	char **items;
	size_t n;
};

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
	struct config_kv *vars;
	size_t nvars;
	int line;                /* where the entry starts in hydrate.yaml */
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
	char *release_name;
	char *namespace;                /* or NULL */
	char *path;                     /* in the GitOps repository, e.g. "clusters/prod/web" */
	char *branch;
	struct config_list values_files; /* env's, app's, app.env's: resolved, in order */
	struct config_kv *set;          /* app's then app.env's; ${VAR} expanded */
	size_t nset;
};

#define CONFIG_JOB_INIT { NULL, NULL, CONFIG_SOURCE_CHART, NULL, NULL, NULL, NULL, NULL, { NULL, 0 }, NULL, 0 }

/*
 * Resolves app in env. Variables for ${VAR} are layered: top-level vars,
 * then the environment's vars, then dotenv (the .env file, local overrides;
 * may be NULL). DIAG_ENOTFOUND if the app is disabled in env; DIAG_EINVALID
 * for an undefined variable or a path leaving the repository.
 */
int config_job_resolve(struct config_job *out, const struct config *cfg,
		       const struct config_app *app, const struct config_env *env,
		       const struct config_kv *dotenv, size_t ndotenv, struct diag *d);
void config_job_release(struct config_job *job);

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
