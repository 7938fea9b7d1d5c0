/*
 * hydrate render [-c FILE] [--app A]... [--env E]... [--shard I/N] [-j N]
 * [--local] [-o DIR | --stdout]: every (app, environment) job of
 * hydrate.yaml rendered into the GitOps repository's directory (only the
 * managed paths touched) or printed as one stream.
 *
 * Also the options and steps that render, check (and diff, watch) share:
 * struct cmd_plan (cmd.h).
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opt.h"
#include "gitops/config.h"
#include "gitops/plan.h"
#include "gitops/tree.h"
#include "render/buf.h"
#include "render/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- shared plan options ---- */

void cmd_plan_init(struct cmd_plan *cp, const char *name)
{
	memset(cp, 0, sizeof(*cp));
	cp->name = name;
	cp->config = "hydrate.yaml";
	cp->plan = (struct plan)PLAN_INIT;
}

static int S_push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* A copy of url without its userinfo ("https://user:token@host/x" ->
 * "https://host/x"): a token must never reach a provenance file. */
static char *S_strip_userinfo(const char *url)
{
	const char *scheme = strstr(url, "://"), *host, *end, *at = NULL;
	size_t n;
	char *out;

	if (!scheme)
		return strdup(url);
	host = scheme + 3;
	end = host + strcspn(host, "/?#");
	for (const char *p = host; p < end; p++)
		if (*p == '@')
			at = p;   /* the last '@' of the authority ends the userinfo */
	if (!at)
		return strdup(url);
	n = (size_t)(host - url);
	if (!(out = malloc(n + strlen(at + 1) + 1)))
		return NULL;
	memcpy(out, url, n);
	strcpy(out + n, at + 1);
	return out;
}

static int S_is_commit(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return s[n] == '\0' && (n == 40 || n == 64);
}

int cmd_plan_option(struct cmd_plan *cp, int id, const char *arg)
{
	struct diag d = DIAG_INIT;
	char *end;
	long n;

	switch (id) {
	case CMD_PLAN_OPT_CONFIG:
		cp->config = arg;
		return 1;
	case CMD_PLAN_OPT_APP:
		if (S_push(&cp->apps, &cp->napps, arg) < 0) {
			cmd_usage_error(cp->name, "out of memory");
			return -1;
		}
		return 1;
	case CMD_PLAN_OPT_ENV:
		if (S_push(&cp->envs, &cp->nenvs, arg) < 0) {
			cmd_usage_error(cp->name, "out of memory");
			return -1;
		}
		return 1;
	case CMD_PLAN_OPT_SHARD:
		if (plan_parse_shard(&cp->shard_index, &cp->shard_count, arg, &d) < 0) {
			cmd_usage_error(cp->name, "%s", d.msg.ptr);
			diag_release(&d);
			return -1;
		}
		return 1;
	case CMD_PLAN_OPT_JOBS:
		n = strtol(arg, &end, 10);
		if (!*arg || *end || n < 1 || n > 256) {
			cmd_usage_error(cp->name, "invalid -j '%s': want a number of threads from 1 to 256",
					arg);
			return -1;
		}
		cp->threads = (unsigned)n;
		return 1;
	case CMD_PLAN_OPT_LOCAL:
		cp->local = 1;
		return 1;
	case CMD_PLAN_OPT_SOURCE_REPO:
		free(cp->source_repository);
		if (!(cp->source_repository = S_strip_userinfo(arg))) {
			cmd_usage_error(cp->name, "out of memory");
			return -1;
		}
		return 1;
	case CMD_PLAN_OPT_SOURCE_COMMIT:
		if (!S_is_commit(arg)) {
			cmd_usage_error(cp->name, "invalid --source-commit '%s': want a commit id "
					"(40 or 64 hexadecimal digits)", arg);
			return -1;
		}
		cp->source_commit = arg;
		return 1;
	}
	return 0;
}

int cmd_plan_load(struct cmd_plan *cp, struct diag *d)
{
	struct plan_filter f;
	int error;

	if ((error = config_load(&cp->cfg, cp->config, d)) < 0)
		return error;
	memset(&f, 0, sizeof(f));
	f.apps = cp->apps;
	f.napps = cp->napps;
	f.envs = cp->envs;
	f.nenvs = cp->nenvs;
	f.shard_index = cp->shard_index;
	f.shard_count = cp->shard_count;
	f.local = cp->local;
	return plan_build(&cp->plan, cp->cfg, &f, d);
}

/* A progress bar on stderr, only on a terminal and only once a run has
 * taken more than 200 ms (so quick runs and CI logs stay quiet). */
struct progress {
	struct timespec start;
	double last;   /* when the bar was last drawn, seconds after start */
	int tty;
	int shown;
};

static double S_elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void S_progress(void *arg, size_t done, size_t total)
{
	struct progress *p = arg;
	char bar[31];
	size_t fill;
	double now;

	if (!p->tty || total == 0)
		return;
	now = S_elapsed(&p->start);
	if (now < 0.2)
		return;
	/* at most 20 redraws a second, and the last one */
	if (p->shown && done < total && now - p->last < 0.05)
		return;
	p->last = now;
	fill = done * 30 / total;
	memset(bar, '#', fill);
	memset(bar + fill, ' ', 30 - fill);
	bar[30] = 0;
	fprintf(stderr, "\rrendering [%s] %zu/%zu", bar, done, total);
	fflush(stderr);
	p->shown = 1;
}

int cmd_plan_run(struct cmd_plan *cp, struct tree *out, struct diag *d)
{
	struct plan_run_opts o;
	struct progress pr;
	struct buf log = BUF_INIT;
	int error;

	memset(&o, 0, sizeof(o));
	memset(&pr, 0, sizeof(pr));
	clock_gettime(CLOCK_MONOTONIC, &pr.start);
	pr.tty = isatty(STDERR_FILENO);
	o.threads = cp->threads;
	o.source_repository = cp->source_repository;
	o.source_commit = cp->source_commit;
	o.progress = S_progress;
	o.progress_arg = &pr;
	o.log = &log;
	error = plan_run(out, &cp->plan, NULL, 0, &o, d);
	if (pr.shown)
		fputs("\r\033[K", stderr);
	/* the renderers' warnings, as helm and kustomize print them on stderr */
	fwrite(log.ptr, 1, log.len, stderr);
	buf_release(&log);
	return error;
}

void cmd_plan_release(struct cmd_plan *cp)
{
	plan_release(&cp->plan);
	config_free(cp->cfg);
	cp->cfg = NULL;
	free(cp->apps);
	free(cp->envs);
	free(cp->source_repository);
	cp->source_repository = NULL;
	cp->apps = cp->envs = NULL;
	cp->napps = cp->nenvs = 0;
}

const char *cmd_plan_default_dir(const struct cmd_plan *cp)
{
	return cp->cfg && cp->cfg->repo.path ? cp->cfg->repo.path : NULL;
}

/* ---- render ---- */

enum { OPT_OUTPUT = 1, OPT_STDOUT, OPT_HELP };

static const struct opt options[] = {
	{ "output", 'o', 1, OPT_OUTPUT },
	{ "stdout", 0, 0, OPT_STDOUT },
	{ "help", 'h', 0, OPT_HELP },
	CMD_PLAN_OPTIONS,
	{ NULL, 0, 0, 0 },
};

/* mkdir -p dir (the output directory may not exist yet). */
static int S_mkdirs(const char *dir, struct diag *d)
{
	struct buf p = BUF_INIT;
	struct stat st;
	int error = 0;

	buf_adds(&p, dir);
	if (buf_oom(&p))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (size_t i = 1; i <= p.len && !error; i++) {
		if (i < p.len && p.ptr[i] != '/')
			continue;
		p.ptr[i] = 0;
		if (stat(p.ptr, &st) < 0) {
			if (mkdir(p.ptr, 0777) < 0 && errno != EEXIST)
				error = diag_set(d, DIAG_EGENERIC, "cannot create directory '%s': %s",
						 p.ptr, strerror(errno));
		} else if (!S_ISDIR(st.st_mode)) {
			error = diag_set(d, DIAG_EINVALID, "'%s' is not a directory", p.ptr);
		}
		if (i < p.len)
			p.ptr[i] = '/';
	}
	buf_release(&p);
	return error;
}

/* One stream: each file as helm prints a template, "---", "# Source: PATH",
 * its bytes. The provenance files are left out, so the stream can be
 * applied as it is. */
static int S_print_stream(const struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct tree_entry *e = &t->entries[i];
		const char *slash = strstr(e->path, "/" TREE_PROVENANCE_FILE);
		if (slash && slash[1 + strlen(TREE_PROVENANCE_FILE)] == 0)
			continue;
		printf("---\n# Source: %s\n", e->path);
		fwrite(e->data, 1, e->len, stdout);
		if (e->len && e->data[e->len - 1] != '\n')
			putchar('\n');
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
}

int cmd_render(int argc, char **argv)
{
	struct optstate st;
	struct cmd_plan cp;
	struct diag d = DIAG_INIT;
	struct tree t = TREE_INIT;
	struct tree_write_stats stats = { 0, 0, 0 };
	const char *arg, *dir = NULL;
	int id, r, to_stdout = 0, status = EXIT_USAGE;

	cmd_plan_init(&cp, "render");
	opt_init(&st, "render", options, argc, argv);
	while ((id = opt_next(&st, &arg)) != -1) {
		if (id == -2)
			goto done;
		if ((r = cmd_plan_option(&cp, id, arg)) < 0)
			goto done;
		if (r)
			continue;
		switch (id) {
		case OPT_HELP:
			status = cmd_print_usage(cmd_find("render"));
			goto done;
		case OPT_OUTPUT:
			dir = arg;
			break;
		case OPT_STDOUT:
			to_stdout = 1;
			break;
		case 0:
			cmd_usage_error("render", "unexpected argument '%s'", arg);
			goto done;
		}
	}
	if (dir && to_stdout) {
		cmd_usage_error("render", "-o and --stdout cannot be used together");
		goto done;
	}
	if (cmd_plan_load(&cp, &d) < 0) {
		status = cmd_report(&d);
		goto done;
	}
	if (!dir && !to_stdout && !(dir = cmd_plan_default_dir(&cp))) {
		cmd_usage_error("render", "no output directory: hydrate.yaml's repository has no "
					  "'path'; give -o DIR or --stdout");
		goto done;
	}
	if (cmd_plan_run(&cp, &t, &d) < 0) {
		status = cmd_report(&d);
		goto done;
	}
	if (to_stdout) {
		status = S_print_stream(&t);
		goto done;
	}
	if (S_mkdirs(dir, &d) < 0 || tree_write(&t, dir, &stats, &d) < 0) {
		status = cmd_report(&d);
		goto done;
	}
	fprintf(stderr, "rendered %zu job%s into %s: %zu written, %zu unchanged, %zu removed\n",
		cp.plan.n, cp.plan.n == 1 ? "" : "s", dir, stats.written, stats.unchanged,
		stats.removed);
	status = EXIT_OK;
done:
	tree_release(&t);
	cmd_plan_release(&cp);
	diag_release(&d);
	return status;
}

int cmd_cache_dir(struct buf *out)
{
	const char *v;

	if ((v = getenv("HYDRATE_CACHE_DIR")) && v[0])
		buf_adds(out, v);
	else if ((v = getenv("XDG_CACHE_HOME")) && v[0] == '/')
		buf_addf(out, "%s/hydrate", v);   /* the XDG spec ignores relative paths */
	else if ((v = getenv("HOME")) && v[0])
		buf_addf(out, "%s/.cache/hydrate", v);
	else
		return -1;
	return buf_oom(out) ? -1 : 0;
}
