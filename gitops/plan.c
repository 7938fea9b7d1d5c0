/*
 * The plan: filtering, sharding and resolving (app, environment) jobs, and
 * running them on a pool of threads into a rendered tree.
 *
 * Threads: each worker takes the next job index from a shared counter and
 * renders it into the job's own slot (its stream, manifests, digest and
 * diag); nothing but the counter and the done count is shared, and the
 * function registry, built once, is read-only. The calling thread then
 * adds the slots to the tree in plan order, so the tree's bytes, and which
 * error is reported, never depend on the number of threads.
 */
#include "gitops/plan.h"

#include "gitops/config.h"
#include "gitops/hook.h"
#include "gitops/tree.h"
#include "gitops/watch.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/engine.h"
#include "render/helm/strvals.h"
#include "render/helm/template.h"
#include "render/kustomize/kustomize.h"
#include "render/manifest.h"
#include "render/srcfile.h"
#include "render/tmpl/funcs.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLAN_MAX_SHARDS 10000
#define PLAN_MAX_THREADS 256

/* ---- building ---- */

void plan_release(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		config_job_release(&p->jobs[i]);
	free(p->jobs);
	p->jobs = NULL;
	p->n = 0;
	p->cfg = NULL;
}

int plan_parse_shard(unsigned *index, unsigned *count, const char *text, struct diag *d)
{
	unsigned long i = 0, n = 0;
	const char *p = text;
	int digits = 0;

	while (*p >= '0' && *p <= '9' && i <= PLAN_MAX_SHARDS) {
		i = i * 10 + (unsigned long)(*p++ - '0');
		digits++;
	}
	if (!digits || *p != '/')
		goto bad;
	p++;
	digits = 0;
	while (*p >= '0' && *p <= '9' && n <= PLAN_MAX_SHARDS) {
		n = n * 10 + (unsigned long)(*p++ - '0');
		digits++;
	}
	if (!digits || *p || n == 0 || n > PLAN_MAX_SHARDS || i == 0 || i > n)
		goto bad;
	*index = (unsigned)i;
	*count = (unsigned)n;
	return 0;
bad:
	return diag_set(d, DIAG_EINVALID,
			"invalid shard '%s': want I/N with 1 <= I <= N <= %d (e.g. 1/4)", text,
			PLAN_MAX_SHARDS);
}

/* The closest of names to word, if close enough to suggest (docs/hydrate-yaml.md:
 * distance at most 2, or a third of the word's length). */
static const char *S_suggest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit = strlen(word) / 3;

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < n; i++) {
		size_t dist = config_edit_distance(word, names[i]);
		if (dist < best_d) {
			best_d = dist;
			best = names[i];
		}
	}
	return best && best_d <= limit ? best : NULL;
}

static int S_unknown(struct diag *d, const char *what, const char *word, const char **names,
		     size_t n)
{
	const char *s = S_suggest(word, names, n);

	if (s)
		return diag_set(d, DIAG_EINVALID, "unknown %s '%s' (did you mean '%s'?)", what,
				word, s);
	return diag_set(d, DIAG_EINVALID, "unknown %s '%s'", what, word);
}

static int S_check_names(const struct config *cfg, const struct plan_filter *f, struct diag *d)
{
	const char **names = NULL;
	size_t cap = cfg->napps > cfg->nenvs ? cfg->napps : cfg->nenvs;
	int error = 0;

	if (!(names = calloc(cap ? cap : 1, sizeof(*names))))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (size_t i = 0; i < cfg->napps; i++)
		names[i] = cfg->apps[i].name;
	for (size_t i = 0; i < f->napps && !error; i++)
		if (!config_app_find(cfg, f->apps[i]))
			error = S_unknown(d, "app", f->apps[i], names, cfg->napps);
	for (size_t i = 0; i < cfg->nenvs; i++)
		names[i] = cfg->envs[i].name;
	for (size_t i = 0; i < f->nenvs && !error; i++)
		if (!config_env_find(cfg, f->envs[i]))
			error = S_unknown(d, "environment", f->envs[i], names, cfg->nenvs);
	free(names);
	return error;
}

static int S_named(const char *const *names, size_t n, const char *name)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

static int S_enabled(const struct config_app *app, const struct config_env *env)
{
	for (size_t i = 0; i < app->nenvs; i++)
		if (!strcmp(app->envs[i].env, env->name))
			return app->envs[i].enabled;
	return 1;
}

/* The name an input has in the digest: its path relative to hydrate.yaml's
 * directory when it is under it, so the digest does not depend on where
 * the repository is checked out. */
static const char *S_label(const struct config *cfg, const char *path)
{
	size_t n = strlen(cfg->dir);

	if (strcmp(cfg->dir, ".") && !strncmp(path, cfg->dir, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

/* What is wrong with path as an input of kind want (S_IFDIR, or 0 for a
 * directory or a file), or NULL. */
static const char *S_input_problem(const char *path, mode_t want, int *errnum)
{
	struct stat st;

	*errnum = 0;
	if (stat(path, &st) < 0) {
		*errnum = errno;
		return NULL;
	}
	if (want == S_IFDIR && !S_ISDIR(st.st_mode))
		return "is not a directory";
	if (!want && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return "is neither a directory nor a file";
	return NULL;
}

/*
 * The files a job names exist: its chart (a directory or an archive) or
 * overlay directory, and its values files; an error at the value in
 * hydrate.yaml that names the first one missing.
 */
static int S_check_inputs(const struct config *cfg, const struct config_job *j,
			  struct diag *d)
{
	const char *what = j->kind == CONFIG_SOURCE_CHART ? "chart" : "overlay";
	const char *problem;
	int errnum;

	problem = S_input_problem(j->source, j->kind == CONFIG_SOURCE_CHART ? 0 : S_IFDIR,
				  &errnum);
	if (problem || errnum)
		return config_error_at(d, cfg, &j->source_pos, DIAG_EINVALID,
				       "app '%s' in environment '%s': %s '%s' %s", j->app->name,
				       j->env->name, what, S_label(cfg, j->source),
				       problem ? problem : errnum == ENOENT ? "does not exist"
				       : strerror(errnum));
	for (size_t i = 0; i < j->values_files.n; i++) {
		const char *f = j->values_files.items[i];
		struct stat st;
		int isdir = 0;

		if (stat(f, &st) == 0) {
			if (!(isdir = S_ISDIR(st.st_mode)))
				continue;
			errnum = 0;
		} else {
			errnum = errno;
		}
		return config_error_at(d, cfg, j->values_files.pos ? &j->values_files.pos[i] : NULL,
				       DIAG_EINVALID, "app '%s' in environment '%s': values file "
				       "'%s' %s", j->app->name, j->env->name, S_label(cfg, f),
				       isdir ? "is a directory" : errnum == ENOENT ?
				       "does not exist" : strerror(errnum));
	}
	return 0;
}

int plan_check_inputs(const struct plan *p, const size_t *jobs, size_t njobs,
		      struct diag *d)
{
	size_t n = jobs ? njobs : p->n;
	int error;

	for (size_t i = 0; i < n; i++)
		if ((error = S_check_inputs(p->cfg, &p->jobs[jobs ? jobs[i] : i], d)) < 0)
			return error;
	return 0;
}

/* Jobs by path, then in plan order (they are one array). */
static int S_cmp_path(const void *a, const void *b)
{
	const struct config_job *x = *(const struct config_job *const *)a;
	const struct config_job *y = *(const struct config_job *const *)b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x > y) - (x < y);
}

/*
 * No two jobs render into one path: of the pairs that do, the one whose
 * later job comes first in plan order is reported, at that job's path
 * template.
 */
static int S_check_paths(const struct plan *p, struct diag *d)
{
	const struct config_job **by, *first = NULL, *second = NULL;

	if (p->n < 2)
		return 0;
	if (!(by = malloc(p->n * sizeof(*by))))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->n; i++)
		by[i] = &p->jobs[i];
	qsort(by, p->n, sizeof(*by), S_cmp_path);
	for (size_t i = 1; i < p->n; i++) {
		if (strcmp(by[i - 1]->path, by[i]->path) != 0)
			continue;
		/* by[i] is the second job of a run of equal paths */
		if (!second || by[i] < second) {
			first = by[i - 1];
			second = by[i];
		}
		while (i + 1 < p->n && !strcmp(by[i]->path, by[i + 1]->path))
			i++;
	}
	free(by);
	if (!second)
		return 0;
	return config_error_at(d, p->cfg, &second->path_pos, DIAG_EINVALID,
			       "app '%s' in environment '%s' renders into '%s', as app '%s' in "
			       "environment '%s' does; give them different path templates",
			       second->app->name, second->env->name, second->path,
			       first->app->name, first->env->name);
}

int plan_build(struct plan *out, const struct config *cfg, const struct plan_filter *f,
	       struct diag *d)
{
	static const struct plan_filter none = { NULL, 0, NULL, 0, 0, 0, 0, 0 };
	struct plan p = PLAN_INIT;
	struct config_kv **dotenv = NULL;
	size_t *ndotenv = NULL, k = 0;
	int error = 0;

	if (!f)
		f = &none;
	p.cfg = cfg;
	p.local = f->local;
	if (f->shard_count && (f->shard_index < 1 || f->shard_index > f->shard_count ||
			       f->shard_count > PLAN_MAX_SHARDS)) {
		error = diag_set(d, DIAG_EINVALID, "invalid shard %u/%u", f->shard_index,
				 f->shard_count);
		goto done;
	}
	if ((error = S_check_names(cfg, f, d)) < 0)
		goto done;
	if (cfg->napps && cfg->nenvs &&
	    !(p.jobs = calloc(cfg->napps * cfg->nenvs, sizeof(*p.jobs)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (f->local && (!(dotenv = calloc(cfg->nenvs + 1, sizeof(*dotenv))) ||
			 !(ndotenv = calloc(cfg->nenvs + 1, sizeof(*ndotenv))))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t a = 0; a < cfg->napps; a++) {
		const struct config_app *app = &cfg->apps[a];
		if (!S_named(f->apps, f->napps, app->name))
			continue;
		for (size_t e = 0; e < cfg->nenvs; e++) {
			const struct config_env *env = &cfg->envs[e];
			if (!S_named(f->envs, f->nenvs, env->name) || !S_enabled(app, env))
				continue;
			/* --shard I/N: the k-th selected job (0-based, in plan order)
			 * belongs to shard (k mod N) + 1 */
			if (f->shard_count && k++ % f->shard_count != f->shard_index - 1)
				continue;
			if (f->local && !dotenv[e] && env->env_file &&
			    (error = config_env_dotenv(&dotenv[e], &ndotenv[e], env, d)) < 0)
				goto done;
			if ((error = config_job_resolve(&p.jobs[p.n], cfg, app, env,
							f->local ? dotenv[e] : NULL,
							f->local ? ndotenv[e] : 0, d)) < 0)
				goto done;
			p.n++;
			/* the local layer, last: localValuesFiles that exist */
			if (f->local && (error = config_job_add_local(&p.jobs[p.n - 1], cfg, d)) < 0)
				goto done;
		}
	}
	if (!f->defer_input_check && (error = plan_check_inputs(&p, NULL, 0, d)) < 0)
		goto done;
	if ((error = S_check_paths(&p, d)) < 0)
		goto done;
	*out = p;
	memset(&p, 0, sizeof(p));
done:
	if (dotenv)
		for (size_t e = 0; e < cfg->nenvs; e++)
			config_kv_free(dotenv[e], ndotenv[e]);
	free(dotenv);
	free(ndotenv);
	plan_release(&p);
	return error;
}

/* ---- inputs ---- */

static int S_list_add(struct config_list *l, const char *s)
{
	char **nv = realloc(l->items, (l->n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	l->items = nv;
	if (!(nv[l->n] = strdup(s)))
		return -1;
	l->n++;
	return 0;
}

/*
 * The hooks' scripts, appended to out: every argument of a pre- or
 * post-render hook that names a regular file, and the command itself when
 * it is a path (a bare name is looked up in PATH), from hydrate.yaml's
 * directory, where hooks run.
 */
static int S_hook_scripts(struct config_list *out, const struct config *cfg, struct diag *d)
{
	for (int pre = 0; pre < 2; pre++) {
		const struct config_hook *h = pre ? cfg->pre_render : cfg->post_render;
		size_t nh = pre ? cfg->npre_render : cfg->npost_render;

		for (size_t i = 0; i < nh; i++) {
			for (size_t a = 0; a < h[i].command.n; a++) {
				const char *arg = h[i].command.items[a];
				struct buf path = BUF_INIT;
				struct stat st;
				int oom;

				if (a == 0 && !strchr(arg, '/'))
					continue;
				if (arg[0] != '/' && strcmp(cfg->dir, "."))
					buf_addf(&path, "%s/%s", cfg->dir, arg);
				else
					buf_adds(&path, arg);
				oom = buf_oom(&path) || (stat(path.ptr, &st) == 0 &&
							 S_ISREG(st.st_mode) &&
							 S_list_add(out, path.ptr) < 0);
				buf_release(&path);
				if (oom)
					return diag_set(d, DIAG_ENOMEM, "out of memory");
			}
		}
	}
	return 0;
}

int plan_job_inputs(struct config_list *out, const struct plan *p, size_t job,
		    struct diag *d)
{
	const struct config_job *j = &p->jobs[job];
	int error;

	if (S_list_add(out, p->cfg->file) < 0 || S_list_add(out, j->source) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	/* the bases and components an overlay reaches outside its directory */
	if (j->kind == CONFIG_SOURCE_KUSTOMIZE &&
	    (error = watch_kustomize_inputs(out, j->source, d)) < 0)
		return error;
	for (size_t i = 0; i < j->values_files.n; i++)
		if (S_list_add(out, j->values_files.items[i]) < 0)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
	if (j->env->env_file && S_list_add(out, j->env->env_file) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	return S_hook_scripts(out, p->cfg, d);
}

/* ---- running ---- */

struct slot {
	struct buf stream;          /* the rendered (and post-processed) stream */
	struct buf log;             /* the renderer's warnings */
	struct manifest_set set;
	char digest[80];
	struct diag d;
	int error;
};

struct pool {
	const struct plan *plan;
	const size_t *jobs;
	size_t njobs;
	const struct plan_run_opts *o;
	const struct tmpl_funcs *funcs;
	int local;
	struct slot *slots;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t next, done;
	int stop;                   /* a job failed: start no more */
};


/*
 * An overlay's other inputs, those outside its directory (the bases and
 * components it reaches, found by watch_kustomize_inputs), each as
 * ("input:" + its path relative to hydrate.yaml's directory, or absolute
 * when outside it).
 */
static int S_digest_overlay_inputs(struct tree_digest *dg, const struct config *cfg,
				   const char *source, struct diag *d)
{
	struct config_list in = CONFIG_LIST_INIT;
	struct buf root = BUF_INIT, label = BUF_INIT;
	int error;

	if ((error = watch_path_normalize(&root, cfg->dir, d)) < 0 ||
	    (error = watch_kustomize_inputs(&in, source, d)) < 0)
		goto done;
	for (size_t i = 0; i < in.n; i++) {
		const char *p = in.items[i];

		if (watch_path_within(p, root.ptr) && strcmp(p, root.ptr) != 0)
			p += root.len == 1 ? 1 : root.len + 1;
		buf_reset(&label);
		buf_addf(&label, "input:%s", p);
		if (buf_oom(&label)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if ((error = tree_digest_path(dg, label.ptr, in.items[i], d)) < 0)
			goto done;
	}
done:
	for (size_t i = 0; i < in.n; i++)
		free(in.items[i]);
	free(in.items);
	buf_release(&root);
	buf_release(&label);
	return error;
}

static int S_digest(char *out, const struct config *cfg, const struct config_job *j, int local,
		    struct diag *d)
{
	struct tree_digest dg;
	struct buf name = BUF_INIT, kv = BUF_INIT;
	struct config_list hooks = CONFIG_LIST_INIT;
	int error;

	if ((error = tree_digest_init(&dg)) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if ((error = tree_digest_path(&dg, "hydrate.yaml", cfg->file, d)) < 0)
		goto done;
	if ((error = tree_digest_path(&dg, S_label(cfg, j->source), j->source, d)) < 0)
		goto done;
	if (j->kind == CONFIG_SOURCE_KUSTOMIZE &&
	    (error = S_digest_overlay_inputs(&dg, cfg, j->source, d)) < 0)
		goto done;
	for (size_t i = 0; i < j->values_files.n; i++) {
		buf_reset(&name);
		buf_addf(&name, "values:%s", S_label(cfg, j->values_files.items[i]));
		if ((error = tree_digest_path(&dg, name.ptr, j->values_files.items[i], d)) < 0)
			goto done;
	}
	for (size_t i = 0; i < j->nset; i++) {
		buf_reset(&kv);
		buf_addf(&kv, "%s=%s", j->set[i].key, j->set[i].value);
		tree_digest_add(&dg, "set", kv.ptr, kv.len);
	}
	tree_digest_add(&dg, "releaseName", j->release_name, strlen(j->release_name));
	if (j->namespace)
		tree_digest_add(&dg, "namespace", j->namespace, strlen(j->namespace));
	tree_digest_add(&dg, "path", j->path, strlen(j->path));
	if (local && j->env->env_file) {
		error = tree_digest_path(&dg, "envFile", j->env->env_file, d);
		if (error == DIAG_ENOTFOUND) {
			diag_clear(d);
			error = 0;
		}
		if (error < 0)
			goto done;
	}
	/* the hooks' scripts change the output as much as the chart does */
	if ((error = S_hook_scripts(&hooks, cfg, d)) < 0)
		goto done;
	for (size_t i = 0; i < hooks.n; i++) {
		buf_reset(&name);
		buf_addf(&name, "hook:%s", S_label(cfg, hooks.items[i]));
		if ((error = tree_digest_path(&dg, name.ptr, hooks.items[i], d)) < 0)
			goto done;
	}
	if (buf_oom(&kv) || buf_oom(&name)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	error = tree_digest_final(&dg, out, 80);
	if (error < 0)
		error = diag_set(d, DIAG_ENOMEM, "cannot compute the inputs digest");
done:
	tree_digest_release(&dg);
	buf_release(&name);
	buf_release(&kv);
	for (size_t i = 0; i < hooks.n; i++)
		free(hooks.items[i]);
	free(hooks.items);
	return error;
}

static int S_render_chart(struct slot *s, const struct pool *pl, const struct config_job *j)
{
	struct helm_template_opts ho;
	struct helm_set *sets = NULL;
	char **args = NULL;
	int error = 0;

	memset(&ho, 0, sizeof(ho));
	if (j->nset && (!(sets = calloc(j->nset, sizeof(*sets))) ||
			!(args = calloc(j->nset, sizeof(*args))))) {
		error = diag_set(&s->d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < j->nset; i++) {
		struct buf b = BUF_INIT;
		buf_addf(&b, "%s=%s", j->set[i].key, j->set[i].value);
		if (buf_oom(&b)) {
			error = diag_set(&s->d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		args[i] = buf_detach(&b, NULL);
		sets[i].mode = HELM_STRVALS_TYPED;
		sets[i].arg = args[i];
	}
	ho.chart = j->source;
	ho.release_name = j->release_name;
	ho.namespace = j->namespace ? j->namespace : "default";
	ho.values_files = (const char *const *)j->values_files.items;
	ho.nvalues_files = j->values_files.n;
	ho.sets = sets;
	ho.nsets = j->nset;
	ho.funcs = pl->funcs;
	error = helm_template(&s->stream, &s->log, &ho, NULL, &s->d);
done:
	for (size_t i = 0; args && i < j->nset; i++)
		free(args[i]);
	free(args);
	free(sets);
	return error;
}

static int S_run_job(struct slot *s, const struct pool *pl, size_t job)
{
	const struct config *cfg = pl->plan->cfg;
	const struct config_job *j = &pl->plan->jobs[job];
	struct srcfile src = SRCFILE_INIT;
	struct buf name = BUF_INIT;
	int error;

	if (j->kind == CONFIG_SOURCE_CHART) {
		error = S_render_chart(s, pl, j);
	} else {
		struct kustomize_opts ko = KUSTOMIZE_OPTS_INIT;
		ko.warnings = &s->log;
		error = kustomize_build(&s->stream, j->source, &ko, &s->d);
	}
	if (error < 0)
		goto done;
	for (size_t i = 0; i < cfg->npost_render; i++) {
		struct buf next = BUF_INIT;
		error = hook_run(&next, &cfg->post_render[i], "post-render", cfg->dir,
				 s->stream.ptr, s->stream.len, &s->d);
		buf_release(&s->stream);
		s->stream = next;
		if (error < 0)
			goto done;
	}
	buf_addf(&name, "%s/%s", j->app->name, j->env->name);
	if (buf_oom(&name) || srcfile_set(&src, name.ptr, s->stream.ptr, s->stream.len) < 0) {
		error = diag_set(&s->d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	error = manifest_split(&s->set, &src,
			       j->kind == CONFIG_SOURCE_CHART ? YDOC_HELM : YDOC_KUSTOMIZE, &s->d);
	if (error < 0)
		goto done;
	/* the documents hold copies: drop the stream now, not after every job */
	buf_release(&s->stream);
	if (cfg->layout.provenance)
		error = S_digest(s->digest, cfg, j, pl->local, &s->d);
done:
	srcfile_release(&src);
	buf_release(&name);
	if (error < 0 && !s->d.code)
		s->d.code = error;
	return error;
}

static void *S_worker(void *arg)
{
	struct pool *pl = arg;

	for (;;) {
		size_t i;
		int error;

		pthread_mutex_lock(&pl->lock);
		if (pl->stop || pl->next == pl->njobs) {
			pthread_mutex_unlock(&pl->lock);
			return NULL;
		}
		i = pl->next++;
		pthread_mutex_unlock(&pl->lock);

		error = S_run_job(&pl->slots[i], pl, pl->jobs ? pl->jobs[i] : i);
		pl->slots[i].error = error;

		pthread_mutex_lock(&pl->lock);
		pl->done++;
		if (error < 0)
			pl->stop = 1;
		pthread_cond_signal(&pl->cond);
		pthread_mutex_unlock(&pl->lock);
	}
}

static unsigned S_threads(unsigned want, size_t njobs)
{
	long cpus;

	if (!want) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		want = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (want > PLAN_MAX_THREADS)
		want = PLAN_MAX_THREADS;
	if (want > njobs)
		want = (unsigned)(njobs ? njobs : 1);
	return want;
}

/* Moves the slots into the tree, in plan order. */
static int S_gather(struct tree *out, struct pool *pl, struct diag *d)
{
	const struct config *cfg = pl->plan->cfg;
	int error = 0;

	for (size_t i = 0; i < pl->njobs; i++) {
		const struct config_job *j = &pl->plan->jobs[pl->jobs ? pl->jobs[i] : i];
		struct slot *s = &pl->slots[i];
		struct tree_provenance prov;

		if (pl->o && pl->o->log && s->log.len) {
			const char *p = s->log.ptr, *end = s->log.ptr + s->log.len;
			while (p < end) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
				buf_addf(pl->o->log, "%s/%s: %.*s\n", j->app->name, j->env->name,
					 (int)len, p);
				p += len + 1;
			}
		}
		if ((error = tree_add_manifests(out, j->path, &s->set, cfg->layout.split, d)) < 0) {
			/* two jobs with one path is a mistake in hydrate.yaml */
			if (error == DIAG_ECONFLICT) {
				error = DIAG_EINVALID;
				if (d)
					d->code = error;
			}
			diag_prefix(d, "%s/%s", j->app->name, j->env->name);
			return error;
		}
		if (!cfg->layout.provenance)
			continue;
		prov.app = j->app->name;
		prov.env = j->env->name;
		prov.source_repository = pl->o ? pl->o->source_repository : NULL;
		prov.source_commit = pl->o ? pl->o->source_commit : NULL;
		prov.hydrate_version = HYDRATE_VERSION;
		prov.inputs_digest = s->digest;
		if ((error = tree_add_provenance(out, j->path, &prov, d)) < 0) {
			diag_prefix(d, "%s/%s", j->app->name, j->env->name);
			return error;
		}
	}
	return error;
}

static int S_pre_render(const struct config *cfg, struct diag *d)
{
	int error = 0;

	for (size_t i = 0; i < cfg->npre_render && !error; i++)
		error = hook_run(NULL, &cfg->pre_render[i], "pre-render", cfg->dir, NULL, 0, d);
	return error;
}

int plan_run(struct tree *out, const struct plan *p, const size_t *jobs, size_t njobs,
	     const struct plan_run_opts *o, struct diag *d)
{
	struct pool pl;
	struct tmpl_funcs *funcs = NULL;
	pthread_t *tids = NULL;
	unsigned nthreads, started = 0;
	int error = 0, locks = 0;
	size_t reported = 0;

	memset(&pl, 0, sizeof(pl));
	if (!jobs)
		njobs = p->n;
	for (size_t i = 0; jobs && i < njobs; i++)
		if (jobs[i] >= p->n)
			return diag_set(d, DIAG_EINVALID, "job %zu is not in the plan", jobs[i]);
	if (njobs && (error = S_pre_render(p->cfg, d)) < 0)
		goto done;
	pl.plan = p;
	pl.jobs = jobs;
	pl.njobs = njobs;
	pl.o = o;
	for (size_t i = 0; i < njobs; i++) {
		if (p->jobs[jobs ? jobs[i] : i].kind == CONFIG_SOURCE_CHART) {
			/* one registry for every chart job (and thread) of the run */
			if ((error = helm_engine_funcs(&funcs)) < 0) {
				diag_set(d, error, "out of memory");
				goto done;
			}
			break;
		}
	}
	pl.funcs = funcs;
	/* a plan built with the .env files has them in its digests */
	pl.local = p->local;
	if (njobs && !(pl.slots = calloc(njobs, sizeof(*pl.slots)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < njobs; i++) {
		buf_init(&pl.slots[i].stream, 0);
		buf_init(&pl.slots[i].log, 0);
		pl.slots[i].d = (struct diag)DIAG_INIT;
	}
	nthreads = S_threads(o ? o->threads : 0, njobs);
	if (nthreads <= 1 || njobs <= 1) {
		/* one thread: run in the caller's, without a pool */
		for (size_t i = 0; i < njobs; i++) {
			pl.slots[i].error = S_run_job(&pl.slots[i], &pl, jobs ? jobs[i] : i);
			pl.done++;
			if (o && o->progress)
				o->progress(o->progress_arg, pl.done, njobs);
			if (pl.slots[i].error < 0)
				break;
		}
	} else {
		if (pthread_mutex_init(&pl.lock, NULL) != 0) {
			error = diag_set(d, DIAG_ENOMEM, "cannot create a mutex");
			goto done;
		}
		if (pthread_cond_init(&pl.cond, NULL) != 0) {
			pthread_mutex_destroy(&pl.lock);
			error = diag_set(d, DIAG_ENOMEM, "cannot create a condition variable");
			goto done;
		}
		locks = 1;
		if (!(tids = calloc(nthreads, sizeof(*tids)))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		for (; started < nthreads; started++)
			if (pthread_create(&tids[started], NULL, S_worker, &pl) != 0)
				break;
		if (!started) {
			error = diag_set(d, DIAG_ENOMEM, "cannot start a thread");
			goto done;
		}
		pthread_mutex_lock(&pl.lock);
		for (;;) {
			int finished = pl.done == njobs || (pl.stop && pl.done == pl.next);
			if (pl.done != reported && o && o->progress) {
				size_t now = pl.done;
				pthread_mutex_unlock(&pl.lock);
				o->progress(o->progress_arg, now, njobs);
				reported = now;
				pthread_mutex_lock(&pl.lock);
				continue;
			}
			if (finished)
				break;
			pthread_cond_wait(&pl.cond, &pl.lock);
		}
		pthread_mutex_unlock(&pl.lock);
		for (unsigned t = 0; t < started; t++)
			pthread_join(tids[t], NULL);
	}
	/* the first failing job in plan order */
	for (size_t i = 0; i < njobs; i++) {
		struct slot *s = &pl.slots[i];
		const struct config_job *j = &p->jobs[jobs ? jobs[i] : i];
		if (s->error < 0) {
			error = s->error;
			if (d) {
				diag_set(d, error, "%s/%s: %s", j->app->name, j->env->name,
					 s->d.msg.len ? s->d.msg.ptr : diag_code_name(error));
				buf_set(&d->context, s->d.context.ptr, s->d.context.len);
			}
			goto done;
		}
	}
	if (pl.done != njobs) {
		error = diag_set(d, DIAG_EGENERIC, "not every job ran");
		goto done;
	}
	error = S_gather(out, &pl, d);
done:
	if (error < 0)
		tree_release(out);
	if (locks) {
		pthread_cond_destroy(&pl.cond);
		pthread_mutex_destroy(&pl.lock);
	}
	free(tids);
	for (size_t i = 0; pl.slots && i < njobs; i++) {
		buf_release(&pl.slots[i].stream);
		buf_release(&pl.slots[i].log);
		manifest_set_release(&pl.slots[i].set);
		diag_release(&pl.slots[i].d);
	}
	free(pl.slots);
	tmpl_funcs_free(funcs);
	return error;
}
