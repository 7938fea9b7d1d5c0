/*
 * hydrate template [NAME] CHART [-f FILE]... [--set K=V]... [--set-string K=V]...
 * [--namespace NS] [--skip-tests]: what `helm template` (Helm v4.1.4) prints.
 * Errors are printed as Helm prints them ("Error: ..." on stderr), with
 * nothing on stdout and exit status 2.
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opt.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/engine.h"
#include "render/helm/strvals.h"
#include "render/helm/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_VALUES = 1, OPT_SET, OPT_SET_STRING, OPT_SET_FILE, OPT_SET_JSON, OPT_SET_LITERAL, OPT_NAMESPACE,
	OPT_SKIP_TESTS, OPT_NO_HOOKS, OPT_SHOW_ONLY, OPT_INCLUDE_CRDS, OPT_KUBE_VERSION, OPT_API_VERSIONS, OPT_HELP };

static const struct opt options[] = {
	{ "values", 'f', 1, OPT_VALUES },
	{ "set", 0, 1, OPT_SET },
	{ "set-string", 0, 1, OPT_SET_STRING },
	{ "set-file", 0, 1, OPT_SET_FILE },
	{ "set-json", 0, 1, OPT_SET_JSON },
	{ "set-literal", 0, 1, OPT_SET_LITERAL },
	{ "include-crds", 0, 0, OPT_INCLUDE_CRDS },
	{ "no-hooks", 0, 0, OPT_NO_HOOKS },
	{ "show-only", 's', 1, OPT_SHOW_ONLY },
	{ "kube-version", 0, 1, OPT_KUBE_VERSION },
	{ "api-versions", 'a', 1, OPT_API_VERSIONS },
	{ "namespace", 'n', 1, OPT_NAMESPACE },
	{ "skip-tests", 0, 0, OPT_SKIP_TESTS },
	{ "help", 'h', 0, OPT_HELP },
	{ NULL, 0, 0, 0 },
};

/* Helm prints its error after "Error: "; render errors get a hint line. */
static int S_helm_error(const struct diag *d, int rendered)
{
	fprintf(stderr, "Error: %s\n", d->msg.len ? d->msg.ptr : diag_code_name(d->code));
	if (rendered)
		fprintf(stderr, "\nUse --debug flag to render out invalid YAML\n");
	return EXIT_USAGE;
}

/* Appends the comma-separated names of arg (copies) to *files. */
static int S_add_files(char ***files, size_t *n, size_t *cap, const char *arg)
{
	const char *p = arg;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 8;
			char **nv = realloc(*files, nc * sizeof(*nv));
			if (!nv)
				return -1;
			*files = nv;
			*cap = nc;
		}
		if (!((*files)[*n] = strndup(p, len)))
			return -1;
		(*n)++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* Appends a copy of arg to *list. */
static int S_add_one(char ***list, size_t *n, size_t *cap, const char *arg)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		char **nv = realloc(*list, nc * sizeof(*nv));
		if (!nv)
			return -1;
		*list = nv;
		*cap = nc;
	}
	if (!((*list)[*n] = strdup(arg)))
		return -1;
	(*n)++;
	return 0;
}

int cmd_template(int argc, char **argv)
{
	struct optstate st;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT, log = BUF_INIT, extra = BUF_INIT;
	struct helm_template_opts o;
	struct helm_set *sets = NULL;
	const char *pos[2] = { NULL, NULL }, *arg;
	char **files = NULL, **apis = NULL, **shows = NULL;
	size_t files_cap = 0, napis = 0, apis_cap = 0, nshows = 0, shows_cap = 0;
	const char *ns = "default";
	size_t nfiles = 0, nsets = 0, npos = 0, i;
	int id, status = EXIT_USAGE, error = 0, rendered = 0;
	unsigned flags = 0;

	memset(&o, 0, sizeof(o));
	sets = calloc((size_t)argc, sizeof(*sets));
	if (!sets) {
		cmd_usage_error("template", "out of memory");
		goto done;
	}
	opt_init(&st, "template", options, argc, argv);
	while ((id = opt_next(&st, &arg)) != -1) {
		switch (id) {
		case -2:
			goto done;
		case OPT_HELP:
			status = cmd_print_usage(cmd_find("template"));
			goto done;
		case OPT_VALUES:
			/* a StringSlice flag: "-f a.yaml,b.yaml" names two files */
			if (S_add_files(&files, &nfiles, &files_cap, arg) < 0) {
				cmd_usage_error("template", "out of memory");
				goto done;
			}
			break;
		case OPT_SET:
			sets[nsets].mode = HELM_STRVALS_TYPED;
			sets[nsets++].arg = arg;
			break;
		case OPT_SET_STRING:
			sets[nsets].mode = HELM_STRVALS_STRING;
			sets[nsets++].arg = arg;
			break;
		case OPT_SET_FILE:
			sets[nsets].mode = HELM_STRVALS_FILE;
			sets[nsets++].arg = arg;
			break;
		case OPT_SET_JSON:
			sets[nsets].mode = HELM_STRVALS_JSON;
			sets[nsets++].arg = arg;
			break;
		case OPT_SET_LITERAL:
			sets[nsets].mode = HELM_STRVALS_LITERAL;
			sets[nsets++].arg = arg;
			break;
		case OPT_INCLUDE_CRDS:
			flags |= HELM_MANIFEST_INCLUDE_CRDS;
			break;
		case OPT_NO_HOOKS:
			flags |= HELM_MANIFEST_NO_HOOKS;
			break;
		case OPT_SHOW_ONLY:
			/* a StringArray flag: one pattern each */
			if (S_add_one(&shows, &nshows, &shows_cap, arg) < 0) {
				cmd_usage_error("template", "out of memory");
				goto done;
			}
			break;
		case OPT_KUBE_VERSION:
			o.caps.kube_version = arg;
			break;
		case OPT_API_VERSIONS:
			/* a StringSlice flag, like -f */
			if (S_add_files(&apis, &napis, &apis_cap, arg) < 0) {
				cmd_usage_error("template", "out of memory");
				goto done;
			}
			break;
		case OPT_NAMESPACE:
			ns = arg;
			break;
		case OPT_SKIP_TESTS:
			flags |= HELM_MANIFEST_SKIP_TESTS;
			break;
		case 0:
			if (npos == 2) {
				/* NameAndChart's words, listing every extra argument */
				if (extra.len)
					buf_adds(&extra, ", ");
				buf_adds(&extra, arg);
				break;
			}
			pos[npos++] = arg;
			break;
		}
	}
	if (extra.len) {
		diag_set(&d, DIAG_EINVALID, "expected at most two arguments, unexpected arguments: %s",
			 extra.ptr);
		goto fail;
	}
	if (npos == 0) {
		cmd_usage_error("template", "a chart directory is required");
		goto done;
	}
	o.chart = pos[npos - 1];
	o.release_name = npos == 2 ? pos[0] : NULL;
	o.namespace = ns;
	o.values_files = (const char *const *)files;
	o.nvalues_files = nfiles;
	o.sets = sets;
	o.nsets = nsets;
	o.caps.api_versions = (const char *const *)apis;
	o.caps.napi_versions = napis;
	o.flags = flags;
	o.show_only = (const char *const *)shows;
	o.nshow_only = nshows;
	if ((error = helm_template(&out, &log, &o, &rendered, &d)) < 0)
		goto fail;
	fwrite(out.ptr, 1, out.len, stdout);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
	goto done;
fail:
	fwrite(log.ptr, 1, log.len, stderr);
	buf_reset(&log);
	status = S_helm_error(&d, rendered);
done:
	/* Helm's log lines (stderr), when the run did not fail */
	fwrite(log.ptr, 1, log.len, stderr);
	buf_release(&log);
	buf_release(&extra);
	buf_release(&out);
	diag_release(&d);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	for (i = 0; i < napis; i++)
		free(apis[i]);
	free(apis);
	for (i = 0; i < nshows; i++)
		free(shows[i]);
	free(shows);
	free(sets);
	return status;
}
