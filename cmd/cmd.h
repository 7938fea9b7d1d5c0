/*
 * The command table: one entry per subcommand, one file per subcommand
 * (cmd_<name>.c). Only commands that work are in the table.
 */
#ifndef HYDRATE_CMD_H
#define HYDRATE_CMD_H

#include "gitops/plan.h"

struct buf;
struct diag;

struct cmd {
	const char *name;
	const char *summary;  /* one line for `hydrate help` */
	const char *usage;    /* the full text for `hydrate help NAME` */
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

const struct cmd *cmd_find(const char *name);

/* Prints "hydrate NAME: message" and returns EXIT_USAGE. */
int cmd_usage_error(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints a diag as "error: msg" plus its context; returns its exit status. */
int cmd_report(const struct diag *d);
/* Prints a command's usage to stdout; returns 0. */
int cmd_print_usage(const struct cmd *c);
/* True when argv holds -h or --help before any "--". */
int cmd_wants_help(int argc, char **argv);

int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_values(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_kustomize(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);

/*
 * The options and steps that the hydrate.yaml commands share (cmd_render.c):
 * -c/--config FILE, --app A (repeatable), --env E (repeatable), --shard I/N,
 * -j N, --local, --source-repository URL and --source-commit SHA (written
 * into each provenance file). Put CMD_PLAN_OPTIONS in a command's option table and offer
 * each option to cmd_plan_option first.
 */
struct tree;

enum {
	CMD_PLAN_OPT_CONFIG = 1000,
	CMD_PLAN_OPT_APP,
	CMD_PLAN_OPT_ENV,
	CMD_PLAN_OPT_SHARD,
	CMD_PLAN_OPT_JOBS,
	CMD_PLAN_OPT_LOCAL,
	CMD_PLAN_OPT_SOURCE_REPO,
	CMD_PLAN_OPT_SOURCE_COMMIT
};

#define CMD_PLAN_OPTIONS                                     \
	{ "config", 'c', 1, CMD_PLAN_OPT_CONFIG },           \
	{ "app", 0, 1, CMD_PLAN_OPT_APP },                   \
	{ "env", 0, 1, CMD_PLAN_OPT_ENV },                   \
	{ "shard", 0, 1, CMD_PLAN_OPT_SHARD },               \
	{ "jobs", 'j', 1, CMD_PLAN_OPT_JOBS },               \
	{ "local", 0, 0, CMD_PLAN_OPT_LOCAL },               \
	{ "source-repository", 0, 1, CMD_PLAN_OPT_SOURCE_REPO }, \
	{ "source-commit", 0, 1, CMD_PLAN_OPT_SOURCE_COMMIT }

struct cmd_plan {
	const char *name;          /* the command, for messages */
	const char *config;        /* default "hydrate.yaml" */
	const char **apps, **envs; /* borrowed strings; arrays owned */
	size_t napps, nenvs;
	unsigned shard_index, shard_count, threads;
	int local;
	char *source_repository;   /* owned; userinfo removed */
	const char *source_commit; /* borrowed; 40 or 64 hex digits */
	struct config *cfg;        /* owned, after cmd_plan_load */
	struct plan plan;          /* owned, after cmd_plan_load */
};

void cmd_plan_init(struct cmd_plan *cp, const char *name);
/* 1: id was a plan option (taken); 0: not one; -1: bad value (usage error printed). */
int cmd_plan_option(struct cmd_plan *cp, int id, const char *arg);
/* Loads hydrate.yaml and builds the plan. */
int cmd_plan_load(struct cmd_plan *cp, struct diag *d);
/* Runs the plan into *out, with a progress bar on a terminal and the
 * renderers' warnings on stderr. */
int cmd_plan_run(struct cmd_plan *cp, struct tree *out, struct diag *d);
/* The GitOps repository's local path from hydrate.yaml, or NULL. */
const char *cmd_plan_default_dir(const struct cmd_plan *cp);
void cmd_plan_release(struct cmd_plan *cp);

/* The GitOps repository cache's default directory, appended to out:
 * $HYDRATE_CACHE_DIR, else $XDG_CACHE_HOME/hydrate (absolute only), else
 * $HOME/.cache/hydrate. -1 when none applies (or out of memory). */
int cmd_cache_dir(struct buf *out);
int cmd_watch(int argc, char **argv);

#endif
