#include "cmd/opt.h"
#include "cmd/cmd.h"

#include <string.h>

void opt_init(struct optstate *s, const char *cmd, const struct opt *opts,
	      int argc, char **argv)
{
	s->cmd = cmd;
	s->opts = opts;
	s->argc = argc;
	s->argv = argv;
	s->i = 1;
	s->only_positional = 0;
}

static const struct opt *find_long(const struct opt *o, const char *name, size_t len)
{
	for (; o->id; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    strncmp(o->long_name, name, len) == 0)
			return o;
	return NULL;
}

static const struct opt *find_short(const struct opt *o, char c)
{
	for (; o->id; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

int opt_next(struct optstate *s, const char **arg_out)
{
	const struct opt *o;
	const char *a, *eq;

	*arg_out = NULL;
	if (s->i >= s->argc)
		return -1;
	a = s->argv[s->i++];
	if (s->only_positional || a[0] != '-' || a[1] == '\0') {
		*arg_out = a;
		return 0;
	}
	if (strcmp(a, "--") == 0) {
		s->only_positional = 1;
		return opt_next(s, arg_out);
	}
	if (a[1] == '-') {
		eq = strchr(a + 2, '=');
		o = find_long(s->opts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!o) {
			cmd_usage_error(s->cmd, "unknown option '%.*s'",
					eq ? (int)(eq - a) : (int)strlen(a), a);
			return -2;
		}
		if (!o->takes_arg) {
			if (eq) {
				cmd_usage_error(s->cmd, "option '--%s' takes no value", o->long_name);
				return -2;
			}
			return o->id;
		}
		if (eq) {
			*arg_out = eq + 1;
			return o->id;
		}
	} else {
		o = find_short(s->opts, a[1]);
		if (!o) {
			cmd_usage_error(s->cmd, "unknown option '-%c'", a[1]);
			return -2;
		}
		if (!o->takes_arg) {
			if (a[2]) {
				cmd_usage_error(s->cmd, "option '-%c' takes no value", a[1]);
				return -2;
			}
			return o->id;
		}
		if (a[2]) {
			*arg_out = a + 2;
			return o->id;
		}
	}
	if (s->i >= s->argc) {
		if (o->long_name)
			cmd_usage_error(s->cmd, "option '--%s' needs a value", o->long_name);
		else
			cmd_usage_error(s->cmd, "option '-%c' needs a value", o->short_name);
		return -2;
	}
	*arg_out = s->argv[s->i++];
	return o->id;
}
