/*
 * hydrate values [-f FILE]... CHART: the values a chart's templates would see
 * as .Values (before subchart scoping), printed as `toYaml .Values` prints.
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opt.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/values.h"
#include "render/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { OPT_VALUES = 1, OPT_OUTPUT, OPT_HELP };

static const struct opt options[] = {
	{ "values", 'f', 1, OPT_VALUES },
	{ "output", 'o', 1, OPT_OUTPUT },
	{ "help", 'h', 0, OPT_HELP },
	{ NULL, 0, 0, 0 },
};

/* CHART is a directory holding values.yaml, or a values file itself. */
static int load_defaults(json_t *out, const char *chart, struct diag *d)
{
	struct buf path = BUF_INIT;
	struct stat st;
	int error;

	if (stat(chart, &st) < 0)
		return diag_set(d, DIAG_ENOTFOUND, "'%s': no such chart directory or file", chart);
	if (!S_ISDIR(st.st_mode))
		return values_merge_file(out, chart, d);
	buf_addf(&path, "%s/values.yaml", chart);
	if (stat(path.ptr, &st) < 0) {
		/* A chart without values.yaml has no defaults, as in Helm. */
		buf_release(&path);
		return 0;
	}
	error = values_merge_file(out, path.ptr, d);
	buf_release(&path);
	return error;
}

int cmd_values(int argc, char **argv)
{
	struct optstate st;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT;
	const char **files = NULL, *chart = NULL, *arg, *format = "yaml";
	json_t *defaults = NULL, *user = NULL;
	size_t nfiles = 0;
	int id, status = EXIT_USAGE, error = 0;

	files = calloc((size_t)argc, sizeof(*files));
	if (!files)
		return cmd_usage_error("values", "out of memory");
	opt_init(&st, "values", options, argc, argv);
	while ((id = opt_next(&st, &arg)) != -1) {
		switch (id) {
		case -2:
			goto done;
		case OPT_HELP:
			status = cmd_print_usage(cmd_find("values"));
			goto done;
		case OPT_VALUES:
			files[nfiles++] = arg;
			break;
		case OPT_OUTPUT:
			if (strcmp(arg, "yaml") != 0 && strcmp(arg, "json") != 0) {
				cmd_usage_error("values", "unknown output format '%s' (yaml or json)", arg);
				goto done;
			}
			format = arg;
			break;
		case 0:
			if (chart) {
				cmd_usage_error("values", "unexpected argument '%s'", arg);
				goto done;
			}
			chart = arg;
			break;
		}
	}
	if (!chart) {
		cmd_usage_error("values", "a chart directory or values file is required");
		goto done;
	}

	defaults = json_object();
	user = json_object();
	if (!defaults || !user) {
		error = diag_set(&d, DIAG_ENOMEM, "out of memory");
		goto fail;
	}
	if ((error = load_defaults(defaults, chart, &d)) < 0)
		goto fail;
	for (size_t i = 0; i < nfiles; i++)
		if ((error = values_merge_file(user, files[i], &d)) < 0)
			goto fail;
	if ((error = values_coalesce(user, defaults)) < 0) {
		diag_set(&d, error, "out of memory");
		goto fail;
	}
	if (strcmp(format, "json") == 0) {
		error = value_to_json(&out, user, 0, &d);
		buf_addch(&out, '\n');
	} else {
		error = value_to_yaml(&out, user, &d);
	}
	if (error < 0)
		goto fail;
	if (buf_oom(&out)) {
		error = diag_set(&d, DIAG_ENOMEM, "out of memory");
		goto fail;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
	goto done;
fail:
	status = cmd_report(&d);
done:
	json_decref(defaults);
	json_decref(user);
	buf_release(&out);
	diag_release(&d);
	free(files);
	return status;
}
