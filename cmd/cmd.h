/*
 * The command table: one entry per subcommand, one file per subcommand
 * (cmd_<name>.c). Only commands that work are in the table.
 */
#ifndef HYDRATE_CMD_H
#define HYDRATE_CMD_H

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
int cmd_watch(int argc, char **argv);

#endif
