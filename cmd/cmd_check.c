/*
 * hydrate check [-c FILE] [--app A]... [--env E]... [--shard I/N] [-j N]
 * [--local] [--dir DIR | --git [--cache-dir DIR]]: renders the plan in
 * memory and compares it with what DIR holds under the managed paths (or,
 * with --git, what the GitOps repository holds on each job's target
 * branch, fetched into a bare cache with gitops/git). One line per stale
 * file on stdout, in path order:
 *
 *   stale: PATH     the file's bytes differ from the render
 *   missing: PATH   the render has it, DIR does not
 *   extra: PATH     DIR has it under a managed path, the render does not
 *
 * Exit 0 when fresh, 1 when anything is stale, 2 for input errors, 3 for
 * git errors. Nothing is written. For pre-commit hooks and CI.
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opt.h"
#include "gitops/git.h"
#include "gitops/tree.h"
#include "render/buf.h"
#include "render/diag.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_DIR = 1, OPT_GIT, OPT_CACHE_DIR, OPT_HELP };

static const struct opt options[] = {
	{ "dir", 0, 1, OPT_DIR },
	{ "git", 0, 0, OPT_GIT },
	{ "cache-dir", 0, 1, OPT_CACHE_DIR },
	{ "help", 'h', 0, OPT_HELP },
	CMD_PLAN_OPTIONS,
	{ NULL, 0, 0, 0 },
};

enum finding { F_STALE, F_MISSING, F_EXTRA };

struct findings {
	struct { char *path; enum finding kind; } *v;
	size_t n, alloc;
};

static int S_add(struct findings *f, const char *path, enum finding kind, struct diag *d)
{
	if (f->n == f->alloc) {
		size_t na = f->alloc ? f->alloc * 2 : 16;
		void *nv = realloc(f->v, na * sizeof(*f->v));
		if (!nv)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		f->v = nv;
		f->alloc = na;
	}
	if (!(f->v[f->n].path = strdup(path)))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	f->v[f->n++].kind = kind;
	return 0;
}

static int S_cmp(const void *a, const void *b)
{
	/* an entry starts with its path */
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads dir/path into b; 1 if it is a regular file, 0 if absent (or not a
 * regular file), negative on a read error. */
static int S_read(struct buf *b, const char *full, struct diag *d)
{
	char chunk[65536];
	struct stat st;
	int fd;

	buf_reset(b);
	if (lstat(full, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return diag_set(d, DIAG_EGENERIC, "cannot inspect '%s': %s", full, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	if ((fd = open(full, O_RDONLY)) < 0)
		return diag_set(d, DIAG_EGENERIC, "cannot read '%s': %s", full, strerror(errno));
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return diag_set(d, DIAG_EGENERIC, "cannot read '%s': %s", full,
					strerror(errno));
		}
		if (n == 0)
			break;
		buf_add(b, chunk, (size_t)n);
	}
	close(fd);
	if (buf_oom(b))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	return 1;
}

/* Files (and other non-directories) under dir/rel that t does not hold. */
static int S_extras(struct findings *f, const struct tree *t, const char *dir, const char *rel,
		    int depth, struct diag *d)
{
	struct buf full = BUF_INIT, sub = BUF_INIT;
	struct dirent *e;
	struct stat st;
	DIR *dp = NULL;
	int error = 0;

	buf_addf(&full, "%s/%s", dir, rel);
	if (buf_oom(&full)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (lstat(full.ptr, &st) < 0) {
		/* a missing root has no extras */
		if (errno != ENOENT && errno != ENOTDIR)
			error = diag_set(d, DIAG_EGENERIC, "cannot inspect '%s': %s", full.ptr,
					 strerror(errno));
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* a file (or a link) where a managed directory should be */
		error = S_add(f, rel, F_EXTRA, d);
		goto done;
	}
	if (depth > 64) {
		error = diag_set(d, DIAG_ELIMIT, "'%s' is nested too deeply", full.ptr);
		goto done;
	}
	if (!(dp = opendir(full.ptr))) {
		error = diag_set(d, DIAG_EGENERIC, "cannot read directory '%s': %s", full.ptr,
				 strerror(errno));
		goto done;
	}
	while (!error && (e = readdir(dp)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		buf_reset(&sub);
		buf_addf(&sub, "%s/%s", rel, e->d_name);
		buf_reset(&full);
		buf_addf(&full, "%s/%s", dir, sub.ptr);
		if (buf_oom(&sub) || buf_oom(&full)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			break;
		}
		if (lstat(full.ptr, &st) == 0 && S_ISDIR(st.st_mode))
			error = S_extras(f, t, dir, sub.ptr, depth + 1, d);
		else if (!tree_find(t, sub.ptr))
			error = S_add(f, sub.ptr, F_EXTRA, d);
	}
done:
	if (dp)
		closedir(dp);
	buf_release(&full);
	buf_release(&sub);
	return error;
}

static int S_compare(struct findings *f, const struct tree *t, const char *dir, struct diag *d)
{
	struct buf full = BUF_INIT, have = BUF_INIT;
	int error = 0;

	for (size_t i = 0; i < t->n && !error; i++) {
		const struct tree_entry *e = &t->entries[i];
		int r;
		buf_reset(&full);
		buf_addf(&full, "%s/%s", dir, e->path);
		if (buf_oom(&full)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			break;
		}
		if ((r = S_read(&have, full.ptr, d)) < 0)
			error = r;
		else if (r == 0)
			error = S_add(f, e->path, F_MISSING, d);
		else if (have.len != e->len || memcmp(have.ptr, e->data, e->len))
			error = S_add(f, e->path, F_STALE, d);
	}
	for (size_t i = 0; i < t->nroots && !error; i++)
		error = S_extras(f, t, dir, t->roots[i], 0, d);
	buf_release(&full);
	buf_release(&have);
	return error;
}

/*
 * Compares t with the GitOps repository: each job's root on the job's
 * target branch (each branch fetched once). A branch the remote does not
 * have yet holds nothing, so every file of its jobs is missing (as diff
 * compares it with an empty tree). Git errors keep their codes.
 */
static int S_compare_git(struct findings *f, const struct tree *t, const struct plan *p,
			 const char *cache_dir, struct diag *d)
{
	const struct config *cfg = p->cfg;
	struct repo_cache *cache = NULL;
	struct repo_files files = REPO_FILES_INIT;
	struct buf prefix = BUF_INIT;
	const char **branches = NULL;
	struct repo_oid *heads = NULL;
	unsigned char *absent = NULL; /* per branch: not in the remote */
	size_t nbranches = 0;
	int error = 0;

	if (!cfg->repo.url && !cfg->repo.path)
		return diag_set(d, DIAG_EINVALID, "hydrate.yaml names no repository (url or path) "
						  "to check against");
	if ((error = repo_cache_open(&cache, cfg->repo.url ? cfg->repo.url : cfg->repo.path,
				     cache_dir, NULL, d)) < 0)
		goto done;
	if (p->n && (!(branches = calloc(p->n, sizeof(*branches))) ||
		     !(heads = calloc(p->n, sizeof(*heads))) ||
		     !(absent = calloc(p->n, sizeof(*absent))))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t j = 0; j < p->n && !error; j++) {
		const struct config_job *job = &p->jobs[j];
		size_t b;
		for (b = 0; b < nbranches; b++)
			if (!strcmp(branches[b], job->branch))
				break;
		if (b == nbranches) {
			error = repo_fetch(&heads[b], cache, job->branch, d);
			if (error == DIAG_ENOTFOUND) {
				fprintf(stderr, "hydrate check: branch '%s' not found in %s: "
						"every file of its jobs is missing\n",
					job->branch, repo_cache_url(cache));
				diag_clear(d);
				error = 0;
				absent[b] = 1;
			}
			if (error < 0)
				break;
			branches[nbranches++] = job->branch;
		}
		repo_files_release(&files);
		buf_reset(&prefix);
		buf_addf(&prefix, "%s/", job->path);
		if (buf_oom(&prefix)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			break;
		}
		if (!absent[b] &&
		    (error = repo_read_tree(&files, cache, &heads[b], prefix.ptr, d)) < 0)
			break;
		/* what the render has under this root */
		for (size_t i = 0; i < t->n && !error; i++) {
			const struct tree_entry *e = &t->entries[i];
			const struct repo_file *rf;
			if (strncmp(e->path, prefix.ptr, prefix.len))
				continue;
			rf = repo_files_find(&files, e->path);
			if (!rf)
				error = S_add(f, e->path, F_MISSING, d);
			else if ((rf->kind != REPO_FILE_BLOB && rf->kind != REPO_FILE_EXECUTABLE) ||
				 rf->len != e->len || memcmp(rf->data, e->data, e->len))
				error = S_add(f, e->path, F_STALE, d);
		}
		for (size_t i = 0; i < files.n && !error; i++)
			if (!tree_find(t, files.v[i].path))
				error = S_add(f, files.v[i].path, F_EXTRA, d);
	}
done:
	repo_files_release(&files);
	repo_cache_free(cache);
	buf_release(&prefix);
	free(branches);
	free(heads);
	free(absent);
	return error;
}

int cmd_check(int argc, char **argv)
{
	static const char *const words[] = { "stale", "missing", "extra" };
	struct optstate st;
	struct cmd_plan cp;
	struct diag d = DIAG_INIT;
	struct tree t = TREE_INIT;
	struct findings f = { NULL, 0, 0 };
	const char *arg, *dir = NULL, *cache_dir = NULL;
	struct buf cache_buf = BUF_INIT;
	struct stat sb;
	int id, r, git = 0, status = EXIT_USAGE;

	cmd_plan_init(&cp, "check");
	opt_init(&st, "check", options, argc, argv);
	while ((id = opt_next(&st, &arg)) != -1) {
		if (id == -2)
			goto done;
		if ((r = cmd_plan_option(&cp, id, arg)) < 0)
			goto done;
		if (r)
			continue;
		switch (id) {
		case OPT_HELP:
			status = cmd_print_usage(cmd_find("check"));
			goto done;
		case OPT_DIR:
			dir = arg;
			break;
		case OPT_GIT:
			git = 1;
			break;
		case OPT_CACHE_DIR:
			cache_dir = arg;
			break;
		case 0:
			cmd_usage_error("check", "unexpected argument '%s'", arg);
			goto done;
		}
	}
	if (git && dir) {
		cmd_usage_error("check", "--dir and --git cannot be used together");
		goto done;
	}
	if (cache_dir && !git) {
		cmd_usage_error("check", "--cache-dir needs --git");
		goto done;
	}
	if (git && !cache_dir) {
		if (cmd_cache_dir(&cache_buf) < 0) {
			cmd_usage_error("check", "no cache directory: set HYDRATE_CACHE_DIR, XDG_CACHE_HOME or HOME, or give --cache-dir DIR");
			goto done;
		}
		cache_dir = cache_buf.ptr;
	}
	if (cmd_plan_load(&cp, &d) < 0) {
		status = cmd_report(&d);
		goto done;
	}
	if (git) {
		if (cmd_plan_run(&cp, &t, &d) < 0) {
			status = cmd_report(&d);
			goto done;
		}
		if (S_compare_git(&f, &t, &cp.plan, cache_dir, &d) < 0) {
			cmd_report(&d);
			/* a git failure, whatever libgit2's code */
			status = d.code == DIAG_EINVALID || d.code == DIAG_ENOMEM ? EXIT_USAGE
										 : EXIT_REMOTE;
			goto done;
		}
		/* never the URL: it may carry a token */
		dir = "the GitOps repository";
		goto report;
	}
	if (!dir && !(dir = cmd_plan_default_dir(&cp))) {
		cmd_usage_error("check", "no directory to check: hydrate.yaml's repository has no "
					 "'path'; give --dir DIR");
		goto done;
	}
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		diag_set(&d, DIAG_ENOTFOUND, "'%s' is not a directory", dir);
		status = cmd_report(&d);
		goto done;
	}
	if (cmd_plan_run(&cp, &t, &d) < 0 || S_compare(&f, &t, dir, &d) < 0) {
		status = cmd_report(&d);
		goto done;
	}
report:
	if (f.n)
		qsort(f.v, f.n, sizeof(*f.v), S_cmp);
	for (size_t i = 0; i < f.n; i++)
		printf("%s: %s\n", words[f.v[i].kind], f.v[i].path);
	if (fflush(stdout) != 0)
		goto done;
	if (f.n) {
		fprintf(stderr, "%zu file%s out of date in %s; run 'hydrate render' to update\n", f.n,
			f.n == 1 ? " is" : "s are", dir);
		status = EXIT_DIFFERENT;
	} else {
		status = EXIT_OK;
	}
done:
	for (size_t i = 0; i < f.n; i++)
		free(f.v[i].path);
	free(f.v);
	buf_release(&cache_buf);
	tree_release(&t);
	cmd_plan_release(&cp);
	diag_release(&d);
	return status;
}
