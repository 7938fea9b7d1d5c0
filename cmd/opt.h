/*
 * A small option parser shared by the subcommands: -x VALUE, -xVALUE,
 * --long VALUE, --long=VALUE, flags, "--", and positional arguments in any
 * order (as helm's and git's parsers allow). Errors name the option.
 */
#ifndef HYDRATE_OPT_H
#define HYDRATE_OPT_H

struct opt {
	const char *long_name; /* without "--" */
	char short_name;       /* 0 if none */
	int takes_arg;
	int id;                /* returned by opt_next; must be > 0 */
};

struct optstate {
	const char *cmd;       /* for messages */
	const struct opt *opts;
	int argc;
	char **argv;
	int i;                 /* next argument */
	int only_positional;   /* after "--" */
};

void opt_init(struct optstate *s, const char *cmd, const struct opt *opts,
	      int argc, char **argv);
/*
 * Returns an option's id (with its value in *arg_out), 0 for a positional
 * argument (in *arg_out), -1 at the end, or -2 after printing a usage error.
 */
int opt_next(struct optstate *s, const char **arg_out);

#endif
