/*
 * hydrate watch: render once and print the diff against the target, then on
 * every save re-render only the jobs that read the saved file and print
 * what that save changed (docs/watch.md).
 *
 * Reports go to standard output; one status line per batch ("watch: ...")
 * and errors go to standard error, so `hydrate watch > log` keeps only the
 * diffs. A render error is printed and watching goes on with the last tree
 * that rendered.
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opt.h"
#include "gitops/config.h"
#include "gitops/diff.h"
#include "gitops/git.h"
#include "gitops/plan.h"
#include "gitops/tree.h"
#include "gitops/watch.h"
#include "render/buf.h"
#include "render/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_CONFIG = 1,
	OPT_APP,
	OPT_ENV,
	OPT_LOCAL,
	OPT_REF,
	OPT_DIR,
	OPT_FORMAT,
	OPT_JOBS,
	OPT_ONCE,
	OPT_MAX_EVENTS,
	OPT_DEBOUNCE,
	OPT_CACHE_DIR,
	OPT_NO_COLOR,
	OPT_SHARD,
	OPT_HELP
};

static const struct opt options[] = {
	{ "config", 'c', 1, OPT_CONFIG },
	{ "app", 0, 1, OPT_APP },
	{ "env", 0, 1, OPT_ENV },
	{ "local", 0, 0, OPT_LOCAL },
	{ "ref", 0, 1, OPT_REF },
	{ "dir", 0, 1, OPT_DIR },
	{ "format", 0, 1, OPT_FORMAT },
	{ "jobs", 'j', 1, OPT_JOBS },
	{ "once", 0, 0, OPT_ONCE },
	{ "max-events", 0, 1, OPT_MAX_EVENTS },
	{ "debounce", 0, 1, OPT_DEBOUNCE },
	{ "cache-dir", 0, 1, OPT_CACHE_DIR },
	{ "no-color", 0, 0, OPT_NO_COLOR },
	{ "shard", 0, 1, OPT_SHARD },
	{ "help", 'h', 0, OPT_HELP },
	{ NULL, 0, 0, 0 },
};

struct watch_args {
	const char *config;
	const char **apps, **envs;
	size_t napps, nenvs;
	int local;
	unsigned shard_index, shard_count; /* --shard I/N; count 0: none */
	const char *ref, *dir, *cache_dir;
	enum diff_format format;
	unsigned threads;
	int once;
	unsigned long max_events;   /* 0: no limit */
	unsigned debounce_ms;
	int color;
};

/* What differs from the target under one managed root: the summary line
 * after each save is the sum, so that only the re-rendered roots are
 * compared again. */
struct root_stat {
	size_t files_added, files_removed, files_changed, files_unchanged;
	size_t res_added, res_removed, res_changed;
};

/* Everything that a reload of hydrate.yaml replaces. */
struct session {
	struct config *cfg;
	struct plan plan;
	struct watch *w;
	struct watch_map map;
	char **config_paths;        /* hydrate.yaml and the .env files: reload */
	size_t nconfig_paths;
	struct tree tree;           /* the last tree that rendered */
	int rendered;               /* tree holds a render of the whole plan */
	struct repo_files target;   /* the target's files under the tree's roots */
	int have_target;
	char *target_label;
	struct root_stat *stats;    /* against the target, one per tree root */
};

static int wake_pipe[2] = { -1, -1 };

/* The last target_load failed reading the GitOps repository: whatever the
 * code (a missing repository, a --ref that names nothing, the network), a
 * git error, exit 3, as diff gives. */
static int target_git_failed;

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (write(wake_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a wake-up is already pending */
	}
	errno = saved;
}

static int add_name(const char ***list, size_t *n, const char *name)
{
	const char **p = realloc(*list, (*n + 1) * sizeof(*p));

	if (!p)
		return -1;
	p[(*n)++] = name;
	*list = p;
	return 0;
}

static int parse_uint(unsigned long *out, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	if (!s[0] || s[0] == '-' || s[0] == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A path as the user would type it: relative to the current directory
 * when it is below it. */
static const char *shown(const char *path)
{
	static char cwd[PATH_MAX];
	static size_t n;

	if (!n) {
		if (!getcwd(cwd, sizeof(cwd)))
			return path;
		n = strlen(cwd);
	}
	if (n > 1 && strncmp(path, cwd, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

static void session_release(struct session *s)
{
	watch_free(s->w);
	s->w = NULL;
	watch_map_release(&s->map);
	for (size_t i = 0; i < s->nconfig_paths; i++)
		free(s->config_paths[i]);
	free(s->config_paths);
	s->config_paths = NULL;
	s->nconfig_paths = 0;
	plan_release(&s->plan);
	config_free(s->cfg);
	s->cfg = NULL;
	tree_release(&s->tree);
	s->rendered = 0;
	repo_files_release(&s->target);
	s->have_target = 0;
	free(s->target_label);
	s->target_label = NULL;
	free(s->stats);
	s->stats = NULL;
}

static int add_config_path(struct session *s, const char *path, struct diag *d)
{
	struct buf norm = BUF_INIT;
	char **p;
	int error;

	if ((error = watch_path_normalize(&norm, path, d)) < 0)
		goto done;
	if (!(p = realloc(s->config_paths, (s->nconfig_paths + 1) * sizeof(*p)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	s->config_paths = p;
	p[s->nconfig_paths++] = buf_detach(&norm, NULL);
done:
	buf_release(&norm);
	return error;
}

/* Loads hydrate.yaml, builds the plan and puts every input under watch. */
static int session_open(struct session *s, const struct watch_args *a, struct diag *d)
{
	struct plan_filter f;
	struct watch_opts wo = { a->debounce_ms, 0 };
	int error;

	memset(&f, 0, sizeof(f));
	f.apps = a->apps;
	f.napps = a->napps;
	f.envs = a->envs;
	f.nenvs = a->nenvs;
	f.local = a->local;
	f.shard_index = a->shard_index;
	f.shard_count = a->shard_count;
	f.defer_input_check = 1;
	if ((error = watch_new(&s->w, &wo, d)) < 0)
		return error;
	/* hydrate.yaml is watched before it is parsed: a broken file is
	 * reported and its next save retried. */
	if ((error = add_config_path(s, a->config, d)) < 0 ||
	    (error = watch_add(s->w, a->config, d)) < 0)
		return error;
	if ((error = config_load(&s->cfg, a->config, d)) < 0)
		return error;
	for (size_t i = 0; a->local && i < s->cfg->nenvs; i++) {
		const char *env_file = s->cfg->envs[i].env_file;

		if (env_file && ((error = add_config_path(s, env_file, d)) < 0 ||
				 (error = watch_add(s->w, env_file, d)) < 0))
			return error;
	}
	if ((error = plan_build(&s->plan, s->cfg, &f, d)) < 0)
		return error;
	/* only the inputs of the plan's jobs (after --app, --env, --shard) */
	return watch_add_plan(s->w, &s->map, &s->plan, d);
}

/*
 * Reads what the target holds under the tree's roots: a directory (--dir),
 * or the GitOps repository of hydrate.yaml at each job's branch (--ref
 * names one branch for all). No repository and no --dir: no target.
 */
static int target_load(struct session *s, const struct watch_args *a, struct diag *d)
{
	struct repo_cache *cache = NULL;
	struct buf tmp = BUF_INIT, label = BUF_INIT;
	const char *remote;
	int error = 0, from_git = 0;

	target_git_failed = 0;
	repo_files_release(&s->target);
	s->have_target = 0;
	free(s->target_label);
	s->target_label = NULL;
	if (a->dir) {
		if ((error = diff_read_dir(&s->target, a->dir, s->tree.roots, s->tree.nroots, d)) < 0)
			goto done;
		buf_adds(&label, a->dir);
		goto found;
	}
	remote = s->cfg->repo.url ? s->cfg->repo.url : s->cfg->repo.path;
	if (!remote)
		goto done;
	if (!a->cache_dir && cmd_cache_dir(&tmp) < 0) {
		error = diag_set(d, DIAG_EINVALID, "no cache directory: set HYDRATE_CACHE_DIR, "
				 "XDG_CACHE_HOME or HOME, or give --cache-dir");
		goto done;
	}
	from_git = 1;
	if ((error = repo_cache_open(&cache, remote, a->cache_dir ? a->cache_dir : tmp.ptr,
				     NULL, d)) < 0)
		goto done;
	/* One fetch per branch; each job's root read from its branch. */
	for (size_t j = 0; j < s->plan.n; j++) {
		const char *branch = a->ref ? a->ref : s->plan.jobs[j].branch;
		struct repo_oid oid;
		size_t k;

		for (k = 0; k < j; k++)
			if (strcmp(a->ref ? a->ref : s->plan.jobs[k].branch, branch) == 0)
				break;
		if (k < j)
			continue;
		/* --ref (a branch, tag or commit) must exist; a job's own
		 * branch that does not exist yet holds nothing. */
		if (a->ref)
			error = repo_fetch_rev(&oid, NULL, cache, branch, d);
		else if ((error = repo_fetch(&oid, cache, branch, d)) == DIAG_ENOTFOUND) {
			error = 0;
			continue;
		}
		if (error < 0)
			goto done;
		for (size_t i = j; i < s->plan.n; i++) {
			if (strcmp(a->ref ? a->ref : s->plan.jobs[i].branch, branch) != 0)
				continue;
			if ((error = repo_read_tree(&s->target, cache, &oid, s->plan.jobs[i].path,
						    d)) < 0)
				goto done;
		}
		buf_addf(&label, "%s%s@%s", label.len ? ", " : "", shown(remote), branch);
	}
	repo_files_sort(&s->target);
found:
	if (buf_oom(&label)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	s->target_label = buf_detach(&label, NULL);
	s->have_target = 1;
done:
	if (error < 0 && from_git && error != DIAG_ENOMEM && error != DIAG_EINVALID)
		target_git_failed = 1;
	repo_cache_free(cache);
	buf_release(&tmp);
	buf_release(&label);
	return error;
}

static int print_buf(const struct buf *b)
{
	if (b->len && fwrite(b->ptr, 1, b->len, stdout) != b->len)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}

/* The tree's files under the given roots (all: roots NULL), for the old
 * side of a diff. */
static int tree_files(struct repo_files *out, const struct tree *t, char *const *roots,
		      size_t nroots)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct tree_entry *e = &t->entries[i];
		int keep = !roots;

		for (size_t r = 0; !keep && r < nroots; r++) {
			size_t n = strlen(roots[r]);

			keep = strncmp(e->path, roots[r], n) == 0 &&
			       (e->path[n] == '\0' || e->path[n] == '/');
		}
		if (keep && repo_files_add(out, e->path, e->data, e->len, REPO_FILE_BLOB) < 0)
			return DIAG_ENOMEM;
	}
	repo_files_sort(out);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct tree_entry *)a)->path, ((const struct tree_entry *)b)->path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int under_roots(const char *path, char *const *roots, size_t nroots)
{
	for (size_t r = 0; r < nroots; r++) {
		size_t n = strlen(roots[r]);

		if (strncmp(path, roots[r], n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return 1;
	}
	return 0;
}

/*
 * Replaces, in *t, everything under part's roots by part's entries. Both
 * trees are consumed into *t (entries are moved, not copied); part is left
 * empty.
 */
static int tree_splice(struct tree *t, struct tree *part, struct diag *d)
{
	size_t keep = 0, need;

	for (size_t i = 0; i < t->n; i++) {
		if (under_roots(t->entries[i].path, part->roots, part->nroots)) {
			free(t->entries[i].path);
			free(t->entries[i].data);
		} else {
			t->entries[keep++] = t->entries[i];
		}
	}
	t->n = keep;
	need = t->n + part->n;
	if (need > t->alloc) {
		struct tree_entry *p = realloc(t->entries, need * sizeof(*p));

		if (!p)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		t->entries = p;
		t->alloc = need;
	}
	memcpy(t->entries + t->n, part->entries, part->n * sizeof(*part->entries));
	t->n = need;
	free(part->entries);
	part->entries = NULL;
	part->n = part->alloc = 0;
	qsort(t->entries, t->n, sizeof(*t->entries), cmp_entry);
	/* The roots: part's are the same jobs' roots, normally in t already. */
	for (size_t r = 0; r < part->nroots; r++) {
		char **p;

		if (bsearch(&part->roots[r], t->roots, t->nroots, sizeof(*t->roots), cmp_str))
			continue;
		if (!(p = realloc(t->roots, (t->nroots + 1) * sizeof(*p))))
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		t->roots = p;
		t->roots[t->nroots++] = part->roots[r];
		part->roots[r] = NULL;
		qsort(t->roots, t->nroots, sizeof(*t->roots), cmp_str);
	}
	for (size_t r = 0; r < part->nroots; r++)
		free(part->roots[r]);
	free(part->roots);
	part->roots = NULL;
	part->nroots = 0;
	return 0;
}

static int is_input(const struct session *s, const char *path)
{
	for (size_t i = 0; i < s->map.n; i++)
		if (watch_path_within(path, s->map.entries[i].path) ||
		    watch_path_within(s->map.entries[i].path, path))
			return 1;
	return 0;
}

/* Renders jobs (NULL: all) into *out, with the plan's options. */
static int render(struct tree *out, const struct session *s, const struct watch_args *a,
		  const size_t *jobs, size_t njobs, struct diag *d)
{
	struct plan_run_opts o;
	struct buf log = BUF_INIT;
	int error;

	memset(&o, 0, sizeof(o));
	o.threads = a->threads;
	o.log = &log;
	/* a file a job names may come and go while watching: checked here,
	 * each time, so that its absence is an error watch waits out */
	if ((error = plan_check_inputs(&s->plan, jobs, njobs, d)) < 0)
		return error;
	error = plan_run(out, &s->plan, jobs, njobs, &o, d);
	if (log.len)
		fwrite(log.ptr, 1, log.len, stderr);
	buf_release(&log);
	return error;
}

/* Prints the report of new against old (files); summary_only: one line. */
static int report(const struct tree *new_tree, const struct repo_files *old,
		  const struct watch_args *a, const char *prefix, int summary_only,
		  struct diff_result *keep, struct diag *d)
{
	struct diff_result r = DIFF_RESULT_INIT;
	struct buf out = BUF_INIT;
	int error;

	if ((error = diff_trees(&r, new_tree, old, NULL, d)) < 0)
		goto done;
	if (summary_only) {
		buf_adds(&out, prefix);
		error = diff_summary(&out, &r);
		buf_addch(&out, '\n');
	} else {
		error = diff_report(&out, &r, a->format, a->color, d);
	}
	if (!error && buf_oom(&out))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	if (!error && print_buf(&out) < 0)
		error = diag_set(d, DIAG_EGENERIC, "cannot write the report: %s", strerror(errno));
done:
	if (keep && !error) {
		*keep = r;
		memset(&r, 0, sizeof(r));
	}
	diff_result_release(&r);
	buf_release(&out);
	return error;
}

static size_t root_index(const struct tree *t, const char *root)
{
	char *const *hit = bsearch(&root, t->roots, t->nroots, sizeof(*t->roots), cmp_str);

	return hit ? (size_t)(hit - t->roots) : t->nroots;
}

/*
 * Sets the target stats of the roots of part (NULL: every root of
 * s->tree) from r, part's (or the whole tree's) diff against the target.
 */
static int stats_update(struct session *s, const struct tree *part, const struct diff_result *r,
			struct diag *d)
{
	const struct tree *t = &s->tree;

	if (!s->stats && !(s->stats = calloc(t->nroots ? t->nroots : 1, sizeof(*s->stats))))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (size_t k = 0; k < (part ? part->nroots : t->nroots); k++) {
		size_t i = part ? root_index(t, part->roots[k]) : k;

		if (i < t->nroots)
			memset(&s->stats[i], 0, sizeof(s->stats[i]));
	}
	for (size_t f = 0; f < r->n; f++) {
		const struct diff_file *file = &r->files[f];
		size_t i = root_index(t, file->root);
		struct root_stat *st;

		if (i >= t->nroots)
			continue;
		st = &s->stats[i];
		if (file->status == DIFF_ADDED)
			st->files_added++;
		else if (file->status == DIFF_REMOVED)
			st->files_removed++;
		else
			st->files_changed++;
		for (size_t k = 0; k < file->nresources; k++) {
			if (file->resources[k].status == DIFF_ADDED)
				st->res_added++;
			else if (file->resources[k].status == DIFF_REMOVED)
				st->res_removed++;
			else
				st->res_changed++;
		}
	}
	/* unchanged: the tree's files under the root that are not added or changed */
	for (size_t e = 0; e < t->n; e++) {
		const char *path = t->entries[e].path;
		const char *slash = path;

		if (part && !under_roots(path, part->roots, part->nroots))
			continue;
		/* the root is a prefix of path ending at a '/': try each one */
		while ((slash = strchr(slash, '/'))) {
			char *prefix = strndup(path, (size_t)(slash - path));
			size_t i;

			if (!prefix)
				return diag_set(d, DIAG_ENOMEM, "out of memory");
			i = root_index(t, prefix);
			free(prefix);
			if (i < t->nroots) {
				s->stats[i].files_unchanged++;
				break;
			}
			slash++;
		}
	}
	for (size_t k = 0; k < (part ? part->nroots : t->nroots); k++) {
		size_t i = part ? root_index(t, part->roots[k]) : k;
		struct root_stat *st;

		if (i >= t->nroots)
			continue;
		st = &s->stats[i];
		st->files_unchanged -= st->files_unchanged < st->files_added + st->files_changed
				       ? st->files_unchanged : st->files_added + st->files_changed;
	}
	return 0;
}

/* The summary line against the target, worded as diff_summary words it. */
static void stats_print(const struct session *s, const struct watch_args *a)
{
	struct root_stat t;
	size_t n;

	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < s->tree.nroots; i++) {
		t.files_added += s->stats[i].files_added;
		t.files_removed += s->stats[i].files_removed;
		t.files_changed += s->stats[i].files_changed;
		t.files_unchanged += s->stats[i].files_unchanged;
		t.res_added += s->stats[i].res_added;
		t.res_removed += s->stats[i].res_removed;
		t.res_changed += s->stats[i].res_changed;
	}
	n = t.files_added + t.files_removed + t.files_changed;
	printf("%s against %s: ", a->format == DIFF_FORMAT_MARKDOWN ? ">" : "#", s->target_label);
	if (!n)
		printf("no differences (%zu file%s unchanged)\n", t.files_unchanged,
		       t.files_unchanged == 1 ? "" : "s");
	else
		printf("%zu file%s differ%s (%zu added, %zu removed, %zu changed), %zu unchanged; "
		       "resources: %zu added, %zu removed, %zu changed\n", n, n == 1 ? "" : "s",
		       n == 1 ? "s" : "", t.files_added, t.files_removed, t.files_changed,
		       t.files_unchanged, t.res_added, t.res_removed, t.res_changed);
	fflush(stdout);
}

static void print_error(const struct diag *d, int error)
{
	fprintf(stderr, "error: %s\n", d->msg.len ? d->msg.ptr : diag_code_name(error));
	if (d->context.len)
		fputs(d->context.ptr, stderr);
}

/* The first render of a session, and its diff against the target. */
static int first_render(struct session *s, const struct watch_args *a, struct diag *d)
{
	long long t0 = watch_now_us();
	int error;

	if ((error = render(&s->tree, s, a, NULL, 0, d)) < 0)
		return error;
	s->rendered = 1;
	if ((error = target_load(s, a, d)) < 0)
		return error;
	if (s->have_target) {
		struct diff_result r = DIFF_RESULT_INIT;

		if ((error = report(&s->tree, &s->target, a, "", 0, &r, d)) < 0)
			return error;
		error = stats_update(s, NULL, &r, d);
		diff_result_release(&r);
		if (error < 0)
			return error;
	}
	fprintf(stderr, "watch: rendered %zu job%s (%zu files) in %.1f ms%s%s; watching %zu "
		"director%s\n", s->plan.n, s->plan.n == 1 ? "" : "s", s->tree.n,
		(double)(watch_now_us() - t0) / 1000.0, s->have_target ? ", compared with " : "",
		s->have_target ? s->target_label : "", watch_count(s->w),
		watch_count(s->w) == 1 ? "y" : "ies");
	return 0;
}

/*
 * One batch of saves that touched jobs (mark): re-render them, print the
 * diff against the last tree, and a summary against the target.
 */
static int rerender(struct session *s, const struct watch_args *a, const unsigned char *mark,
		    const struct watch_changes *ch, struct diag *d)
{
	struct tree part = TREE_INIT, roots = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result vs_target = DIFF_RESULT_INIT;
	struct buf names = BUF_INIT;
	size_t *jobs = NULL, n = 0;
	int error;

	if (!(jobs = calloc(s->plan.n ? s->plan.n : 1, sizeof(*jobs)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t j = 0; j < s->plan.n; j++) {
		if (!mark[j])
			continue;
		jobs[n++] = j;
		buf_addf(&names, "%s%s/%s", names.len ? ", " : "", s->plan.jobs[j].app->name,
			 s->plan.jobs[j].env->name);
	}
	if ((error = render(&part, s, a, jobs, n, d)) < 0)
		goto done;
	if ((error = tree_files(&old, &s->tree, part.roots, part.nroots)) < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (a->format == DIFF_FORMAT_TEXT) {
		size_t more = 0;
		const char *first = NULL;

		for (size_t i = 0; i < ch->n; i++) {
			/* the saved files that are inputs (not an editor's temporary) */
			if (!is_input(s, ch->paths[i]))
				continue;
			if (!first)
				first = ch->paths[i];
			else
				more++;
		}
		if (more)
			printf("# %s (and %zu more): %s\n", shown(first ? first : ch->paths[0]), more,
			       names.ptr);
		else
			printf("# %s: %s\n", shown(first ? first : ch->paths[0]), names.ptr);
		fflush(stdout);
	}
	if ((error = report(&part, &old, a, "", 0, NULL, d)) < 0)
		goto done;
	/* Against the target: only the re-rendered roots are compared again. */
	if (s->have_target && (error = diff_trees(&vs_target, &part, &s->target, NULL, d)) < 0)
		goto done;
	for (size_t r = 0; r < part.nroots; r++) {
		char **p = realloc(roots.roots, (roots.nroots + 1) * sizeof(*p));

		if (!p || !(p[roots.nroots] = strdup(part.roots[r]))) {
			if (p)
				roots.roots = p;
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		roots.roots = p;
		roots.nroots++;
	}
	if ((error = tree_splice(&s->tree, &part, d)) < 0)
		goto done;
	if (s->have_target) {
		if ((error = stats_update(s, &roots, &vs_target, d)) < 0)
			goto done;
		if (a->format != DIFF_FORMAT_JSON)
			stats_print(s, a);
	}
	fprintf(stderr, "watch: re-rendered %zu job%s (%s) in %.1f ms after the save\n", n,
		n == 1 ? "" : "s", names.ptr, (double)(watch_now_us() - ch->first_us) / 1000.0);
done:
	tree_release(&part);
	tree_release(&roots);
	diff_result_release(&vs_target);
	repo_files_release(&old);
	buf_release(&names);
	free(jobs);
	return error;
}

static int is_config_path(const struct session *s, const char *path)
{
	for (size_t i = 0; i < s->nconfig_paths; i++)
		if (strcmp(s->config_paths[i], path) == 0)
			return 1;
	return 0;
}

/*
 * (Re)starts a session: loads hydrate.yaml, plans, watches, renders. An
 * error while loading keeps a minimal session (hydrate.yaml under watch),
 * so that the next save tries again. Returns the error for --once and the
 * start-up exit status.
 */
static int restart(struct session *s, const struct watch_args *a, struct diag *d)
{
	struct tree previous = TREE_INIT;
	int had = s->rendered, error;

	if (had) {
		previous = s->tree;
		memset(&s->tree, 0, sizeof(s->tree));
	}
	session_release(s);
	error = session_open(s, a, d);
	if (!error && had) {
		/* after a reload: what the new configuration changed */
		long long t0 = watch_now_us();
		struct repo_files old = REPO_FILES_INIT;

		if ((error = render(&s->tree, s, a, NULL, 0, d)) < 0)
			goto done;
		s->rendered = 1;
		if ((error = target_load(s, a, d)) < 0)
			goto done;
		if (a->format == DIFF_FORMAT_TEXT)
			printf("# %s changed: every job re-rendered\n", shown(s->config_paths[0]));
		if (tree_files(&old, &previous, NULL, 0) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		error = report(&s->tree, &old, a, "", 0, NULL, d);
		repo_files_release(&old);
		if (error < 0)
			goto done;
		if (s->have_target) {
			struct diff_result r = DIFF_RESULT_INIT;

			if ((error = diff_trees(&r, &s->tree, &s->target, NULL, d)) == 0)
				error = stats_update(s, NULL, &r, d);
			diff_result_release(&r);
			if (error < 0)
				goto done;
			if (a->format != DIFF_FORMAT_JSON)
				stats_print(s, a);
		}
		fprintf(stderr, "watch: reloaded %s; rendered %zu jobs in %.1f ms\n",
			shown(s->config_paths[0]), s->plan.n, (double)(watch_now_us() - t0) / 1000.0);
	} else if (!error) {
		error = first_render(s, a, d);
	}
done:
	tree_release(&previous);
	return error;
}

static int run_watch(const struct watch_args *a)
{
	struct session s;
	struct watch_changes ch = WATCH_CHANGES_INIT;
	struct diag d = DIAG_INIT;
	unsigned char *mark = NULL;
	unsigned long events = 0;
	int status = EXIT_OK, error;
	struct sigaction sa;

	memset(&s, 0, sizeof(s));
	if (pipe(wake_pipe) < 0) {
		fprintf(stderr, "error: pipe: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	fcntl(wake_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(wake_pipe[1], F_SETFD, FD_CLOEXEC);
	fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	error = restart(&s, a, &d);
	if (error < 0) {
		print_error(&d, error);
		/* Nothing to watch, or a one-shot run: stop with the error's status. */
		if (a->once || !s.w || s.nconfig_paths == 0 || error == DIAG_ENOMEM ||
		    error == DIAG_ELIMIT || exit_status_for(error) == EXIT_REMOTE ||
		    target_git_failed) {
			status = target_git_failed ? EXIT_REMOTE : exit_status_for(error);
			goto done;
		}
		fprintf(stderr, "watch: waiting for a fix\n");
	}
	if (a->once)
		goto done;
	for (;;) {
		int reload = 0;
		size_t touched = 0;

		diag_clear(&d);
		if ((error = watch_wait(s.w, &ch, -1, wake_pipe[0], &d)) < 0) {
			print_error(&d, error);
			status = exit_status_for(error);
			goto done;
		}
		if (ch.woken)
			break;
		if (!ch.n && !ch.overflow)
			continue;
		for (size_t i = 0; i < ch.n && !reload; i++)
			reload = is_config_path(&s, ch.paths[i]);
		if (reload || ch.overflow || !s.rendered) {
			if ((error = restart(&s, a, &d)) < 0) {
				print_error(&d, error);
				if (!s.w) {
					status = exit_status_for(error);
					goto done;
				}
				fprintf(stderr, "watch: waiting for a fix\n");
			}
			events++;
		} else {
			free(mark);
			if (!(mark = calloc(s.plan.n ? s.plan.n : 1, 1))) {
				fprintf(stderr, "error: out of memory\n");
				status = EXIT_USAGE;
				goto done;
			}
			for (size_t i = 0; i < ch.n; i++)
				touched += watch_map_mark(&s.map, ch.paths[i], mark, s.plan.n);
			if (!touched)
				continue;  /* nothing of the plan's inputs: not an event */
			if ((error = rerender(&s, a, mark, &ch, &d)) < 0) {
				print_error(&d, error);
				fprintf(stderr, "watch: keeping the last rendered tree; watching on\n");
			}
			events++;
		}
		if (a->max_events && events >= a->max_events)
			break;
	}
done:
	watch_changes_release(&ch);
	session_release(&s);
	diag_release(&d);
	free(mark);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
	return status;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_args a;
	struct optstate opts;
	const char *arg, *color = NULL;
	unsigned long v;
	int id, status = EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	a.config = "hydrate.yaml";
	a.format = DIFF_FORMAT_TEXT;
	a.color = -1;
	opt_init(&opts, "watch", options, argc, argv);
	while ((id = opt_next(&opts, &arg)) != -1) {
		switch (id) {
		case -2:
			goto done;
		case OPT_HELP:
			status = cmd_print_usage(cmd_find("watch"));
			goto done;
		case OPT_CONFIG:
			a.config = arg;
			break;
		case OPT_APP:
		case OPT_ENV:
			if (add_name(id == OPT_APP ? &a.apps : &a.envs,
				     id == OPT_APP ? &a.napps : &a.nenvs, arg) < 0) {
				fprintf(stderr, "error: out of memory\n");
				goto done;
			}
			break;
		case OPT_LOCAL:
			a.local = 1;
			break;
		case OPT_REF:
			a.ref = arg;
			break;
		case OPT_DIR:
			a.dir = arg;
			break;
		case OPT_CACHE_DIR:
			a.cache_dir = arg;
			break;
		case OPT_FORMAT:
			if (diff_format_parse(&a.format, arg) < 0) {
				cmd_usage_error("watch", "unknown format '%s' (text, markdown or json)",
						arg);
				goto done;
			}
			break;
		case OPT_JOBS:
			if (parse_uint(&v, arg, 1024) < 0) {
				cmd_usage_error("watch", "-j wants a number of threads, not '%s'", arg);
				goto done;
			}
			a.threads = (unsigned)v;
			break;
		case OPT_ONCE:
			a.once = 1;
			break;
		case OPT_MAX_EVENTS:
			if (parse_uint(&v, arg, 1000000000UL) < 0 || v == 0) {
				cmd_usage_error("watch", "--max-events wants a positive number, not '%s'",
						arg);
				goto done;
			}
			a.max_events = v;
			break;
		case OPT_DEBOUNCE:
			if (parse_uint(&v, arg, 10000) < 0 || v == 0) {
				cmd_usage_error("watch", "--debounce wants milliseconds (1 to 10000), "
						"not '%s'", arg);
				goto done;
			}
			a.debounce_ms = (unsigned)v;
			break;
		case OPT_NO_COLOR:
			color = "never";
			break;
		case OPT_SHARD: {
			struct diag d = DIAG_INIT;

			if (plan_parse_shard(&a.shard_index, &a.shard_count, arg, &d) < 0) {
				cmd_usage_error("watch", "%s", d.msg.ptr);
				diag_release(&d);
				goto done;
			}
			break;
		}
		case 0:
			cmd_usage_error("watch", "unexpected argument '%s'", arg);
			goto done;
		}
	}
	if (a.ref && a.dir) {
		cmd_usage_error("watch", "--ref and --dir exclude each other");
		goto done;
	}
	a.color = !color && a.format == DIFF_FORMAT_TEXT && isatty(STDOUT_FILENO) &&
		  !getenv("NO_COLOR");
	status = run_watch(&a);
done:
	free(a.apps);
	free(a.envs);
	return status;
}
