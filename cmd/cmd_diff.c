/*
 * hydrate diff [-c FILE] [--app A]... [--env E]... [--shard I/N] [-j N]
 * [--local] [--ref REV | --dir DIR] [--cache-dir DIR] [--format F]
 * [--color WHEN] [-U N]: renders the plan in memory and compares it with
 * the GitOps repository of hydrate.yaml (repository.url or .path), read
 * from a bare cache at each job's branch (or at --ref: a branch, a tag or a
 * commit id, full or abbreviated) — never checked out —
 * or with a directory (--dir). Prints the report on stdout.
 *
 * Exit 0 no difference, 1 differences, 2 usage or input error, 3 git error.
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opt.h"
#include "gitops/diff.h"
#include "gitops/git.h"
#include "gitops/tree.h"
#include "render/buf.h"
#include "render/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_REF = 1, OPT_DIR, OPT_FORMAT, OPT_COLOR, OPT_CACHE_DIR, OPT_CONTEXT, OPT_HELP };

static const struct opt options[] = {
	{ "ref", 0, 1, OPT_REF },
	{ "dir", 0, 1, OPT_DIR },
	{ "format", 0, 1, OPT_FORMAT },
	{ "color", 0, 1, OPT_COLOR },
	{ "cache-dir", 0, 1, OPT_CACHE_DIR },
	{ "unified", 'U', 1, OPT_CONTEXT },
	{ "help", 'h', 0, OPT_HELP },
	CMD_PLAN_OPTIONS,
	{ NULL, 0, 0, 0 },
};

/* The branch a managed root is compared at: --ref, else its job's branch. */
static const char *S_branch_of(const struct cmd_plan *cp, const char *root, const char *ref)
{
	if (ref)
		return ref;
	for (size_t i = 0; i < cp->plan.n; i++)
		if (cp->plan.jobs[i].path && !strcmp(cp->plan.jobs[i].path, root))
			return cp->plan.jobs[i].branch;
	return cp->cfg->repo.branch;
}

/* 1 if root lies strictly under another of t's roots (read with it). */
static int S_nested(const struct tree *t, const char *root)
{
	for (size_t i = 0; i < t->nroots; i++) {
		size_t n = strlen(t->roots[i]);

		if (!strncmp(root, t->roots[i], n) && root[n] == '/')
			return 1;
	}
	return 0;
}

/*
 * Reads the old files under t's roots from the GitOps repository: one fetch
 * per branch. A job's branch the remote does not have yet reads as empty;
 * --ref (a branch, tag or commit) must name something (DIAG_ENOTFOUND).
 */
static int S_read_git(struct repo_files *old, const struct cmd_plan *cp, const struct tree *t,
		      const char *ref, const char *cache_dir, struct diag *d)
{
	const char *src = cp->cfg->repo.url ? cp->cfg->repo.url : cp->cfg->repo.path;
	struct repo_cache *cache = NULL;
	char *done = NULL;
	int error = 0;

	if ((error = repo_cache_open(&cache, src, cache_dir, NULL, d)) < 0)
		goto out;
	if (!(done = calloc(t->nroots + 1, 1))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->nroots; i++) {
		const char *branch = S_branch_of(cp, t->roots[i], ref);
		struct repo_oid oid;

		if (done[i])
			continue;
		/* --ref names a branch, a tag or a commit that must exist; a
		 * job's own branch may not exist yet and then holds nothing. */
		if (ref) {
			error = repo_fetch_rev(&oid, NULL, cache, ref, d);
		} else if ((error = repo_fetch(&oid, cache, branch, d)) == DIAG_ENOTFOUND) {
			fprintf(stderr, "hydrate diff: branch '%s' not found in %s: "
					"comparing with an empty tree\n",
				branch, repo_cache_url(cache));
			diag_clear(d);
			error = 0;
			for (size_t k = i; k < t->nroots; k++)
				if (!strcmp(S_branch_of(cp, t->roots[k], ref), branch))
					done[k] = 1;
			continue;
		}
		if (error < 0)
			goto out;
		for (size_t k = i; k < t->nroots; k++) {
			if (done[k] || strcmp(S_branch_of(cp, t->roots[k], ref), branch))
				continue;
			done[k] = 1;
			if (S_nested(t, t->roots[k]))
				continue;
			if ((error = repo_read_tree(old, cache, &oid, t->roots[k], d)) < 0)
				goto out;
		}
	}
	repo_files_sort(old);
out:
	free(done);
	repo_cache_free(cache);
	return error;
}

static int S_color_wanted(const char *when, int *out)
{
	if (!when || !strcmp(when, "auto")) {
		const char *term = getenv("TERM"), *no = getenv("NO_COLOR");

		*out = isatty(STDOUT_FILENO) && !(term && !strcmp(term, "dumb")) && !(no && *no);
	} else if (!strcmp(when, "always")) {
		*out = 1;
	} else if (!strcmp(when, "never")) {
		*out = 0;
	} else {
		return -1;
	}
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct optstate st;
	struct cmd_plan cp;
	struct diag d = DIAG_INIT;
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	struct diff_opts dopts = { NULL, 0, -1 };
	struct buf out = BUF_INIT, cache = BUF_INIT;
	enum diff_format format = DIFF_FORMAT_TEXT;
	const char *arg, *ref = NULL, *dir = NULL, *color_when = NULL, *cache_dir = NULL;
	int id, rc, color = 0, status = EXIT_USAGE;

	cmd_plan_init(&cp, "diff");
	opt_init(&st, "diff", options, argc, argv);
	while ((id = opt_next(&st, &arg)) != -1) {
		if (id == -2)
			goto done;
		if ((rc = cmd_plan_option(&cp, id, arg)) < 0)
			goto done;
		if (rc)
			continue;
		switch (id) {
		case OPT_HELP:
			status = cmd_print_usage(cmd_find("diff"));
			goto done;
		case OPT_REF:
			ref = arg;
			break;
		case OPT_DIR:
			dir = arg;
			break;
		case OPT_FORMAT:
			if (diff_format_parse(&format, arg) < 0) {
				cmd_usage_error("diff", "unknown format '%s' (text, markdown or json)",
						arg);
				goto done;
			}
			break;
		case OPT_COLOR:
			color_when = arg;
			break;
		case OPT_CACHE_DIR:
			cache_dir = arg;
			break;
		case OPT_CONTEXT: {
			char *end;
			long n = strtol(arg, &end, 10);

			if (!*arg || *end || n < 0 || n > 1000000) {
				cmd_usage_error("diff", "bad number of context lines '%s'", arg);
				goto done;
			}
			dopts.context = (int)n;
			break;
		}
		case 0:
			cmd_usage_error("diff", "unexpected argument '%s'", arg);
			goto done;
		}
	}
	if (S_color_wanted(color_when, &color) < 0) {
		cmd_usage_error("diff", "--color takes auto, always or never, not '%s'", color_when);
		goto done;
	}
	if (dir && ref) {
		cmd_usage_error("diff", "--dir and --ref cannot be used together");
		goto done;
	}
	if (cmd_plan_load(&cp, &d) < 0) {
		status = cmd_report(&d);
		goto done;
	}
	if (!dir && !cp.cfg->repo.url && !cp.cfg->repo.path) {
		cmd_usage_error("diff", "nothing to compare with: hydrate.yaml has no repository; "
					"give --dir DIR");
		goto done;
	}
	if (!dir && !cache_dir) {
		if (cmd_cache_dir(&cache) < 0) {
			cmd_usage_error("diff", "no cache directory: set HYDRATE_CACHE_DIR, XDG_CACHE_HOME or HOME, "
						"or give --cache-dir DIR");
			goto done;
		}
		cache_dir = cache.ptr;
	}
	if (cmd_plan_run(&cp, &t, &d) < 0) {
		status = cmd_report(&d);
		goto done;
	}
	if (dir) {
		if (diff_read_dir(&old, dir, t.roots, t.nroots, &d) < 0) {
			status = cmd_report(&d);
			goto done;
		}
	} else if (S_read_git(&old, &cp, &t, ref, cache_dir, &d) < 0) {
		/* Any failure to read the GitOps repository is a git error (3),
		 * except a bad branch name or path, which is the user's (2). */
		status = cmd_report(&d);
		if (d.code != DIAG_EINVALID && d.code != DIAG_ENOMEM)
			status = EXIT_REMOTE;
		goto done;
	}
	if (diff_trees(&r, &t, &old, &dopts, &d) < 0 ||
	    diff_report(&out, &r, format, format == DIFF_FORMAT_TEXT && color, &d) < 0) {
		status = cmd_report(&d);
		goto done;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "hydrate diff: cannot write the report\n");
		goto done;
	}
	status = diff_result_differs(&r) ? EXIT_DIFFERENT : EXIT_OK;
done:
	diff_result_release(&r);
	repo_files_release(&old);
	tree_release(&t);
	cmd_plan_release(&cp);
	buf_release(&out);
	buf_release(&cache);
	diag_release(&d);
	return status;
}
