/*
 * gitops/plan: the (app, environment) jobs of a run, and running them into
 * a rendered tree (DESIGN.md, "Data flow").
 *
 * plan_build resolves every enabled (app, environment) pair of a config
 * that passes the filters, in a stable order (apps in hydrate.yaml order,
 * then environments in hydrate.yaml order), then keeps the shard's share.
 * plan_run renders jobs on a pool of threads (render/helm through
 * helm_template for charts, render/kustomize for overlays), feeds each
 * job's stream through the post-render hooks, splits it into manifests and
 * adds them, with a provenance file, to the tree under the job's path.
 * The bytes of the tree do not depend on the number of threads.
 *
 * A run either fully succeeds or leaves *out empty: any job's failure
 * fails the run (the error of the first failing job in plan order is
 * reported, naming the app and environment).
 *
 * Ownership: a struct plan owns its jobs; it borrows the config, which
 * must outlive it.
 */
#ifndef HYDRATE_GITOPS_PLAN_H
#define HYDRATE_GITOPS_PLAN_H

#include <stddef.h>

#include "gitops/config.h"

struct buf;
struct diag;
struct tree;

struct plan_filter {
	const char *const *apps;   /* names; none: every app */
	size_t napps;
	const char *const *envs;   /* names; none: every environment */
	size_t nenvs;
	unsigned shard_index;      /* --shard I/N: 1 <= I <= N */
	unsigned shard_count;      /* 0: no sharding */
	int local;                 /* read each environment's envFile (.env) */
	int defer_input_check;     /* plan_build leaves plan_check_inputs to the
				    * caller (watch: before each render, so a
				    * missing file is an error it waits out) */
};

struct plan {
	const struct config *cfg;  /* borrowed */
	struct config_job *jobs;   /* owned */
	size_t n;
	int local;                 /* built with the .env files (filter.local) */
};

#define PLAN_INIT { NULL, NULL, 0, 0 }

/*
 * Resolves the jobs of cfg that pass f (NULL: all). Sharding: of the jobs
 * the app and environment filters select, in plan order, the k-th
 * (0-based) belongs to shard (k mod N) + 1, so each of N shards gets every
 * N-th job and the N shards together cover the plan exactly once. An app or environment
 * named by the filter but absent from cfg is DIAG_EINVALID (with a
 * did-you-mean); a bad --shard is DIAG_EINVALID. A filter that selects no
 * job is not an error (n == 0). Then, unless f->defer_input_check,
 * plan_check_inputs over every job, and no two jobs may share a path
 * (DIAG_EINVALID at the second one's path template, both named).
 */
int plan_build(struct plan *out, const struct config *cfg, const struct plan_filter *f,
	       struct diag *d);
void plan_release(struct plan *p);

/* The chart or overlay and the values files of jobs (indexes into p->jobs;
 * NULL: all) exist: DIAG_EINVALID at the value in hydrate.yaml naming the
 * first that does not (config_error_at). */
int plan_check_inputs(const struct plan *p, const size_t *jobs, size_t njobs,
		      struct diag *d);

/* Parses "I/N" (1 <= I <= N <= 10000) for --shard. DIAG_EINVALID otherwise. */
int plan_parse_shard(unsigned *index, unsigned *count, const char *text, struct diag *d);

struct plan_run_opts {
	unsigned threads;          /* -j; 0: the number of online CPUs */
	const char *source_repository;  /* for the provenance file; may be NULL */
	const char *source_commit;      /* may be NULL */
	/* Called from the calling thread as jobs finish (may be NULL). */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
	/* Nullable: the renderers' warnings (Helm's log lines, Kustomize's
	 * "# Warning:" lines), each prefixed "APP/ENV: ", in plan order. */
	struct buf *log;
};

/*
 * Runs the pre-render hooks once (when there is a job to run), then jobs
 * (indexes into p->jobs; NULL: all of them) into *out (which the caller
 * initialised with TREE_INIT). Threads: o->threads workers (-j 1 runs in
 * the calling thread); after a failure no new job starts; the error is the
 * first failing job's in plan order, so neither bytes nor error depend on
 * the thread count. Errors: a job's render error (its Helm or Kustomize
 * text, prefixed "APP/ENV: "; a post-render hook's error with the hook's
 * stderr in d->context), a pre-render hook's failure or timeout,
 * DIAG_EINVALID for two jobs with one path, DIAG_ENOMEM.
 */
int plan_run(struct tree *out, const struct plan *p, const size_t *jobs, size_t njobs,
	     const struct plan_run_opts *o, struct diag *d);

/*
 * The files and directories job reads (hydrate.yaml, the chart or overlay
 * directory, values files, the environment's .env file, and the hooks'
 * scripts: each hook argument naming a regular file, from hydrate.yaml's
 * directory, and the command itself when it is a path), for `watch`:
 * each appended to *out as a new string (free with config_kv_free-like
 * care: the caller frees each item and the array).
 */
int plan_job_inputs(struct config_list *out, const struct plan *p, size_t job,
		    struct diag *d);

#endif
