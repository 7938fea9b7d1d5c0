/*
 * hydrate kustomize [DIR]: what `kustomize build DIR` prints, with its flags
 * (kustomize/commands/build at v5.7.1): deprecated flags say so on standard
 * error when given, flag values are checked after the arguments, as
 * build.Validate does, and errors print as "Error: MESSAGE".
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opt.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/jslab.h"
#include "render/kustomize/kustomize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	OPT_REORDER = 1,
	OPT_LOAD_RESTRICTOR,
	OPT_MANAGEDBY,
	OPT_OUTPUT,
	OPT_FS_ROOT,
	OPT_ENABLE_HELM,
	OPT_HELM_KUBE_VERSION,
	OPT_HELM_API_VERSIONS,
	OPT_HELM_COMMAND,
	OPT_HELM_DEBUG,
	OPT_FN_IGNORED,
	OPT_HELP
};

static const struct opt options[] = {
	{ "reorder", 0, 1, OPT_REORDER },
	{ "load-restrictor", 0, 1, OPT_LOAD_RESTRICTOR },
	{ "load_restrictor", 0, 1, OPT_LOAD_RESTRICTOR },
	{ "enable-managedby-label", 0, 0, OPT_MANAGEDBY },
	{ "output", 'o', 1, OPT_OUTPUT },
	{ "fs-root", 0, 1, OPT_FS_ROOT },
	{ "enable-helm", 0, 0, OPT_ENABLE_HELM },
	{ "helm-kube-version", 0, 1, OPT_HELM_KUBE_VERSION },
	{ "helm-api-versions", 0, 1, OPT_HELM_API_VERSIONS },
	{ "helm-command", 0, 1, OPT_HELM_COMMAND },
	{ "helm-debug", 0, 0, OPT_HELM_DEBUG },
	/* plugin and KRM-function flags: accepted, no effect (hydrate runs none) */
	{ "enable-alpha-plugins", 0, 0, OPT_FN_IGNORED },
	{ "as-current-user", 0, 0, OPT_FN_IGNORED },
	{ "network", 0, 0, OPT_FN_IGNORED },
	{ "env", 'e', 1, OPT_FN_IGNORED },
	{ "mount", 0, 1, OPT_FN_IGNORED },
	{ "network-name", 0, 1, OPT_FN_IGNORED },
	{ "help", 'h', 0, OPT_HELP },
	{ NULL, 0, 0, 0 },
};

/*
 * pflag's boolean flags also take "--flag=VALUE" (strconv.ParseBool). Copies
 * argv into out (argc entries at most), turning "--flag=true" into "--flag"
 * and dropping "--flag=false"; -1 after printing pflag's error.
 */
static int S_bool_flags(char **out, int *outc, int argc, char **argv)
{
	static const char *const bools[] = { "enable-helm", "enable-managedby-label", "helm-debug",
					     "enable-alpha-plugins", "as-current-user", "network" };
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	*outc = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		char *eq = strchr(argv[i], '=');
		size_t b, k;

		if (i > 0 && a[0] == '-' && a[1] && strcmp(a, "--") != 0) {
			/* pflag's own errors for unknown flags and missing values */
			const struct opt *o = NULL;
			size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			for (const struct opt *p = options; p->long_name && a[1] == '-'; p++)
				if (strlen(p->long_name) == nlen && !strncmp(a + 2, p->long_name, nlen))
					o = p;
			for (const struct opt *p = options; p->long_name && a[1] != '-'; p++)
				if (p->short_name && p->short_name == a[1])
					o = p;
			if (!o && a[1] == '-') {
				fprintf(stderr, "Error: unknown flag: --%.*s\n", (int)nlen, a + 2);
				return -1;
			}
			if (!o) {
				fprintf(stderr, "Error: unknown shorthand flag: '%c' in %s\n", a[1], a);
				return -1;
			}
			if (o->takes_arg && i + 1 == argc && (a[1] == '-' ? !eq : !a[2])) {
				if (a[1] == '-')
					fprintf(stderr, "Error: flag needs an argument: --%s\n", o->long_name);
				else
					fprintf(stderr, "Error: flag needs an argument: '%c' in %s\n", a[1], a);
				return -1;
			}
		}
		if (i == 0 || strncmp(a, "--", 2) != 0 || !eq || !strcmp(a, "--")) {
			out[(*outc)++] = argv[i];
			if (i > 0 && !strcmp(a, "--")) {
				while (++i < argc)
					out[(*outc)++] = argv[i];
			}
			continue;
		}
		for (b = 0; b < sizeof(bools) / sizeof(bools[0]); b++)
			if (strlen(bools[b]) == (size_t)(eq - a - 2) && !strncmp(a + 2, bools[b], strlen(bools[b])))
				break;
		if (b == sizeof(bools) / sizeof(bools[0])) {
			out[(*outc)++] = argv[i];
			continue;
		}
		for (k = 0; k < 6; k++) {
			if (!strcmp(eq + 1, yes[k])) {
				eq[0] = '\0'; /* "--flag" */
				out[(*outc)++] = argv[i];
				break;
			}
			if (!strcmp(eq + 1, no[k])) {
				/* pflag still notes the deprecated flag's use */
				if (b == 1)
					fprintf(stderr, "Flag --enable-managedby-label has been "
						"deprecated, The flag `enable-managedby-label` has been "
						"deprecated. Use the `managedByLabel` option in the "
						"`buildMetadata` field instead.\n");
				break;
			}
		}
		if (k == 6) {
			fprintf(stderr, "Error: invalid argument \"%s\" for \"--%.*s\" flag: "
				"strconv.ParseBool: parsing \"%s\": invalid syntax\n", eq + 1,
				(int)(eq - a - 2), a + 2, eq + 1);
			return -1;
		}
	}
	out[*outc] = NULL;
	return 0;
}

int cmd_kustomize(int argc, char **argv)
{
	struct kustomize_opts o = KUSTOMIZE_OPTS_INIT;
	struct optstate opts;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT, warnings = BUF_INIT;
	const char *dir = NULL, *output = NULL, *arg;
	const char *reorder = NULL, *restrictor = NULL;
	const char **apis = NULL;
	char **args = NULL;
	size_t napis = 0;
	int id, status = EXIT_USAGE, error, nargs = 0, nargv = 0;
	struct stat st;

	apis = calloc((size_t)argc + 1, sizeof(*apis));
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!apis || !args) {
		fprintf(stderr, "Error: out of memory\n");
		goto done;
	}
	if (S_bool_flags(args, &nargv, argc, argv) < 0)
		goto done;
	opt_init(&opts, "kustomize", options, nargv, args);
	while ((id = opt_next(&opts, &arg)) != -1) {
		switch (id) {
		case -2:
			goto done;
		case OPT_HELP:
			status = cmd_print_usage(cmd_find("kustomize"));
			goto done;
		case OPT_REORDER:
			fprintf(stderr, "Flag --reorder has been deprecated, use the new 'sortOptions' "
				"field in kustomization.yaml instead.\n");
			reorder = arg;
			break;
		case OPT_LOAD_RESTRICTOR:
			restrictor = arg;
			break;
		case OPT_MANAGEDBY:
			fprintf(stderr, "Flag --enable-managedby-label has been deprecated, The flag "
				"`enable-managedby-label` has been deprecated. Use the `managedByLabel` "
				"option in the `buildMetadata` field instead.\n");
			o.add_managedby_label = 1;
			break;
		case OPT_OUTPUT:
			output = arg;
			break;
		case OPT_FS_ROOT:
			o.fs_root = arg;
			break;
		case OPT_ENABLE_HELM:
			o.enable_helm = 1;
			break;
		case OPT_HELM_KUBE_VERSION:
			o.helm_kube_version = arg;
			break;
		case OPT_HELM_API_VERSIONS:
			/* a StringArray flag: one value per use, no comma splitting */
			apis[napis++] = arg;
			break;
		case OPT_HELM_COMMAND:
		case OPT_HELM_DEBUG:
		case OPT_FN_IGNORED:
			/* accepted for kustomize's command lines; hydrate runs no helm
			 * binary (its own engine inflates helmCharts) */
			break;
		case 0:
			if (!dir)
				dir = arg;
			nargs++;
			break;
		}
	}
	/* build.Validate: the arguments, then --load-restrictor, then --reorder. */
	if (nargs > 1) {
		fprintf(stderr, "Error: specify one path to kustomization.yaml\n");
		goto done;
	}
	if (restrictor && *restrictor && strcmp(restrictor, "LoadRestrictionsRootOnly") != 0 &&
	    strcmp(restrictor, "LoadRestrictionsNone") != 0) {
		fprintf(stderr, "Error: illegal flag value --load-restrictor %s; legal values: "
			"[LoadRestrictionsRootOnly LoadRestrictionsNone]\n", restrictor);
		goto done;
	}
	if (restrictor && strcmp(restrictor, "LoadRestrictionsNone") == 0)
		o.load_restrictor = KUSTOMIZE_LOAD_NONE;
	if (reorder) {
		if (strcmp(reorder, "legacy") == 0) {
			o.reorder = KUSTOMIZE_REORDER_LEGACY;
		} else if (strcmp(reorder, "none") == 0) {
			o.reorder = KUSTOMIZE_REORDER_NONE;
		} else {
			fprintf(stderr, "Error: illegal flag value --reorder %s; legal values: "
				"[legacy none]\n", reorder);
			goto done;
		}
	}
	o.helm_api_versions = apis;
	o.nhelm_api_versions = napis;
	o.warnings = &warnings;
	/* no json value yet: jansson may use jslab (thread-safe) */
	jslab_install();
	o.threads = 1;
	if (output && stat(output, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* -o DIR: one file per resource, as kustomize build writes them. */
		struct kustomize_file *files = NULL;
		size_t nfiles = 0;

		error = kustomize_build_files(&files, &nfiles, dir ? dir : ".", &o, &d);
		fwrite(warnings.ptr, 1, warnings.len, stderr);
		if (error < 0) {
			fprintf(stderr, "Error: %s\n", d.msg.len ? d.msg.ptr : diag_code_name(error));
			status = exit_status_for(error);
			goto done;
		}
		status = EXIT_OK;
		for (size_t i = 0; i < nfiles && status == EXIT_OK; i++) {
			struct buf path = BUF_INIT;
			FILE *f;

			buf_addf(&path, "%s/%s", output, files[i].name);
			f = fopen(path.ptr, "wb");
			if (!f || fwrite(files[i].data.ptr, 1, files[i].data.len, f) != files[i].data.len ||
			    fclose(f) != 0) {
				fprintf(stderr, "Error: open %s: %s\n", path.ptr, strerror(errno));
				if (f)
					fclose(f);
				status = EXIT_USAGE;
			}
			buf_release(&path);
		}
		kustomize_files_free(files, nfiles);
		goto done;
	}
	error = kustomize_build(&out, dir ? dir : ".", &o, &d);
	fwrite(warnings.ptr, 1, warnings.len, stderr);
	if (error < 0) {
		fprintf(stderr, "Error: %s\n", d.msg.len ? d.msg.ptr : diag_code_name(error));
		status = exit_status_for(error);
		goto done;
	}
	if (output) {
		FILE *f = fopen(output, "wb");

		if (!f || fwrite(out.ptr, 1, out.len, f) != out.len) {
			fprintf(stderr, "Error: open %s: %s\n", output, strerror(errno));
			if (f)
				fclose(f);
			status = EXIT_USAGE;
			goto done;
		}
		if (fclose(f) != 0) {
			fprintf(stderr, "Error: write %s: %s\n", output, strerror(errno));
			status = EXIT_USAGE;
			goto done;
		}
	} else {
		fwrite(out.ptr, 1, out.len, stdout);
	}
	status = EXIT_OK;
done:
	diag_release(&d);
	buf_release(&out);
	buf_release(&warnings);
	free(apis);
	free(args);
	jslab_release_all();
	return status;
}
