/*
 * hydrate template [NAME] CHART [flags]: what `helm template` (Helm v4.1.4)
 * prints, with the flags `helm template --help` lists. Errors are printed
 * as Helm prints them ("Error: ..." on stderr), with nothing on stdout and
 * exit status 2. docs/helm.md lists the flags and what each does here.
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opt.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/engine.h"
#include "render/helm/postrender.h"
#include "render/helm/strvals.h"
#include "render/helm/template.h"
#include "render/jslab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_VALUES = 1, OPT_SET, OPT_SET_STRING, OPT_SET_FILE, OPT_SET_JSON, OPT_SET_LITERAL,
	OPT_NAMESPACE, OPT_SHOW_ONLY, OPT_KUBE_VERSION, OPT_API_VERSIONS, OPT_HELP,
	OPT_OUTPUT_DIR, OPT_NAME_TEMPLATE, OPT_POST_RENDERER, OPT_POST_RENDERER_ARGS,
	OPT_REPO, OPT_LABELS, OPT_IGNORED, OPT_DRY_RUN,
};

/* The value-taking flags. */
static const struct opt options[] = {
	{ "values", 'f', 1, OPT_VALUES },
	{ "set", 0, 1, OPT_SET },
	{ "set-string", 0, 1, OPT_SET_STRING },
	{ "set-file", 0, 1, OPT_SET_FILE },
	{ "set-json", 0, 1, OPT_SET_JSON },
	{ "set-literal", 0, 1, OPT_SET_LITERAL },
	{ "show-only", 's', 1, OPT_SHOW_ONLY },
	{ "kube-version", 0, 1, OPT_KUBE_VERSION },
	{ "api-versions", 'a', 1, OPT_API_VERSIONS },
	{ "namespace", 'n', 1, OPT_NAMESPACE },
	{ "output-dir", 0, 1, OPT_OUTPUT_DIR },
	{ "name-template", 0, 1, OPT_NAME_TEMPLATE },
	{ "post-renderer", 0, 1, OPT_POST_RENDERER },
	{ "post-renderer-args", 0, 1, OPT_POST_RENDERER_ARGS },
	{ "repo", 0, 1, OPT_REPO },
	{ "labels", 'l', 1, OPT_LABELS },
	/* only --dry-run=VALUE reaches opt_next (S_prepass turns a bare
	 * --dry-run into --dry-run=unset, as pflag's NoOptDefVal does) */
	{ "dry-run", 0, 1, OPT_DRY_RUN },
	/* flags that change nothing for an offline render */
	{ "description", 0, 1, OPT_IGNORED },
	{ "version", 0, 1, OPT_IGNORED },
	{ "timeout", 0, 1, OPT_IGNORED },
	{ "ca-file", 0, 1, OPT_IGNORED },
	{ "cert-file", 0, 1, OPT_IGNORED },
	{ "key-file", 0, 1, OPT_IGNORED },
	{ "keyring", 0, 1, OPT_IGNORED },
	{ "username", 0, 1, OPT_IGNORED },
	{ "password", 0, 1, OPT_IGNORED },
	{ "burst-limit", 0, 1, OPT_IGNORED },
	{ "qps", 0, 1, OPT_IGNORED },
	{ "color", 0, 1, OPT_IGNORED },
	{ "colour", 0, 1, OPT_IGNORED },
	{ "content-cache", 0, 1, OPT_IGNORED },
	{ "registry-config", 0, 1, OPT_IGNORED },
	{ "repository-cache", 0, 1, OPT_IGNORED },
	{ "repository-config", 0, 1, OPT_IGNORED },
	{ "kube-apiserver", 0, 1, OPT_IGNORED },
	{ "kube-as-group", 0, 1, OPT_IGNORED },
	{ "kube-as-user", 0, 1, OPT_IGNORED },
	{ "kube-ca-file", 0, 1, OPT_IGNORED },
	{ "kube-context", 0, 1, OPT_IGNORED },
	{ "kube-tls-server-name", 0, 1, OPT_IGNORED },
	{ "kube-token", 0, 1, OPT_IGNORED },
	{ "kubeconfig", 0, 1, OPT_IGNORED },
	{ "help", 'h', 0, OPT_HELP },
	{ NULL, 0, 0, 0 },
};

/* Boolean flags (pflag: --NAME, --NAME=BOOL; -g): read by S_prepass. */
enum {
	B_INCLUDE_CRDS, B_NO_HOOKS, B_SKIP_TESTS, B_IS_UPGRADE, B_RELEASE_NAME, B_GENERATE_NAME,
	B_VALIDATE, B_DEPENDENCY_UPDATE, B_SKIP_SCHEMA_VALIDATION, B_ENABLE_DNS, B_VERIFY,
	B_FORCE_REPLACE, B_FORCE, B_FORCE_CONFLICTS, B_ATOMIC, B_DEBUG, B_IGNORED, NBOOLS
};

static const struct {
	const char *name;
	char short_name;
	int id;
	const char *deprecated; /* cobra's "Flag --X has been deprecated, MSG" */
} bools[] = {
	{ "include-crds", 0, B_INCLUDE_CRDS, NULL },
	{ "no-hooks", 0, B_NO_HOOKS, NULL },
	{ "skip-tests", 0, B_SKIP_TESTS, NULL },
	{ "is-upgrade", 0, B_IS_UPGRADE, NULL },
	{ "release-name", 0, B_RELEASE_NAME, NULL },
	{ "generate-name", 'g', B_GENERATE_NAME, NULL },
	{ "validate", 0, B_VALIDATE, "use '--dry-run=server' instead" },
	{ "dependency-update", 0, B_DEPENDENCY_UPDATE, NULL },
	{ "skip-schema-validation", 0, B_SKIP_SCHEMA_VALIDATION, NULL },
	{ "enable-dns", 0, B_ENABLE_DNS, NULL },
	{ "verify", 0, B_VERIFY, NULL },
	{ "force-replace", 0, B_FORCE_REPLACE, NULL },
	{ "force", 0, B_FORCE, "use --force-replace instead" },
	{ "force-conflicts", 0, B_FORCE_CONFLICTS, NULL },
	{ "atomic", 0, B_ATOMIC, "use --rollback-on-failure instead" },
	{ "debug", 0, B_DEBUG, NULL },
	{ "skip-crds", 0, B_IGNORED, NULL },
	{ "disable-openapi-validation", 0, B_IGNORED, NULL },
	{ "devel", 0, B_IGNORED, NULL },
	{ "create-namespace", 0, B_IGNORED, NULL },
	{ "server-side", 0, B_IGNORED, NULL },
	{ "replace", 0, B_IGNORED, NULL },
	{ "wait-for-jobs", 0, B_IGNORED, NULL },
	{ "rollback-on-failure", 0, B_IGNORED, NULL },
	{ "render-subchart-notes", 0, B_IGNORED, NULL },
	{ "hide-notes", 0, B_IGNORED, NULL },
	{ "take-ownership", 0, B_IGNORED, NULL },
	{ "insecure-skip-tls-verify", 0, B_IGNORED, NULL },
	{ "pass-credentials", 0, B_IGNORED, NULL },
	{ "plain-http", 0, B_IGNORED, NULL },
	{ "kube-insecure-skip-tls-verify", 0, B_IGNORED, NULL },
};

/* Helm prints its error after "Error: "; render errors get a hint line. */
static int S_helm_error(const struct diag *d, int rendered)
{
	fprintf(stderr, "Error: %s\n", d->msg.len ? d->msg.ptr : diag_code_name(d->code));
	if (rendered)
		fprintf(stderr, "\nUse --debug flag to render out invalid YAML\n");
	return EXIT_USAGE;
}

/* strconv.ParseBool: 1 true, 0 false, -1 not a bool. */
static int S_parse_bool(const char *s)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < 6; i++) {
		if (strcmp(s, t[i]) == 0)
			return 1;
		if (strcmp(s, f[i]) == 0)
			return 0;
	}
	return -1;
}

/*
 * pflag's parse of the boolean flags (and the optional value of --dry-run
 * and --wait), which opt_next does not do: sets b[] (1 set true, 0 set
 * false, -1 not given) in order and copies every other argument to *out
 * (argv[0] first; free the array, not its strings). Returns 0, or a
 * negative diag code with pflag's / cobra's error text in d.
 */
static int S_prepass(char ***out, int *argc_out, int b[NBOOLS], int argc, char **argv,
		     struct diag *d)
{
	char **nv = calloc((size_t)argc + 1, sizeof(*nv));
	int n = 0, i, k;

	if (!nv)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (k = 0; k < NBOOLS; k++)
		b[k] = -1;
	nv[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		const char *eq;
		size_t len;
		int found = -1;

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				nv[n++] = argv[i++];
			break;
		}
		if (a[0] == '-' && a[1] && a[1] != '-') {
			/* -g, -g=BOOL; a value-taking short flag swallows the next argument */
			for (k = 0; k < (int)(sizeof(bools) / sizeof(bools[0])); k++)
				if (bools[k].short_name && a[1] == bools[k].short_name &&
				    (!a[2] || a[2] == '='))
					found = k;
			if (found >= 0) {
				int v = a[2] ? S_parse_bool(a + 3) : 1;
				if (v < 0) {
					free(nv);
					return diag_set(d, DIAG_EINVALID, "invalid argument \"%s\" for \"-%c, "
							"--%s\" flag: strconv.ParseBool: parsing \"%s\": "
							"invalid syntax", a + 3, a[1], bools[found].name, a + 3);
				}
				b[bools[found].id] = v;
				continue;
			}
			nv[n++] = a;
			for (const struct opt *o = options; o->id; o++)
				if (o->short_name == a[1] && o->takes_arg && !a[2] && i + 1 < argc)
					nv[n++] = argv[++i];
			continue;
		}
		if (a[0] != '-' || a[1] != '-') {
			nv[n++] = a;
			continue;
		}
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (k = 0; k < (int)(sizeof(bools) / sizeof(bools[0])); k++)
			if (strlen(bools[k].name) == len && strncmp(bools[k].name, a + 2, len) == 0)
				found = k;
		if (found >= 0) {
			int v = eq ? S_parse_bool(eq + 1) : 1;
			if (v < 0) {
				char sh[8] = "";
				if (bools[found].short_name)
					snprintf(sh, sizeof(sh), "-%c, ", bools[found].short_name);
				free(nv);
				return diag_set(d, DIAG_EINVALID, "invalid argument \"%s\" for \"%s--%s\" "
						"flag: strconv.ParseBool: parsing \"%s\": invalid syntax",
						eq + 1, sh, bools[found].name, eq + 1);
			}
			if (bools[found].deprecated)
				fprintf(stderr, "Flag --%s has been deprecated, %s\n", bools[found].name,
					bools[found].deprecated);
			b[bools[found].id] = v;
			continue;
		}
		if (!eq && strcmp(a + 2, "dry-run") == 0) {
			nv[n++] = (char *)"--dry-run=unset";
			continue;
		}
		if (!eq && strcmp(a + 2, "wait") == 0)
			continue;   /* --wait[=watcher]: nothing to wait for */
		if (eq && len == 4 && strncmp(a + 2, "wait", 4) == 0) {
			const char *v = eq + 1;
			if (strcmp(v, "watcher") && strcmp(v, "hookOnly") && strcmp(v, "legacy")) {
				free(nv);
				return diag_set(d, DIAG_EINVALID, "invalid argument \"%s\" for \"--wait\" "
						"flag: invalid wait input \"%s\". Valid inputs are watcher, "
						"hookOnly, and legacy", v, v);
			}
			continue;
		}
		nv[n++] = a;
		if (!eq)
			for (const struct opt *o = options; o->id; o++)
				if (o->long_name && strcmp(o->long_name, a + 2) == 0 && o->takes_arg &&
				    i + 1 < argc)
					nv[n++] = argv[++i];
	}
	nv[n] = NULL;
	*out = nv;
	*argc_out = n;
	return 0;
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

/* --labels (pflag's StringToString: one k=v pair, or with several '='
 * comma-separated pairs): appends the keys; DIAG_EINVALID with pflag's
 * words for a pair without '='. NEEDSWORK: pflag reads the pairs as a CSV
 * record (quoted fields); hydrate splits on every comma. */
static int S_add_labels(char ***keys, size_t *n, size_t *cap, const char *arg, struct diag *d)
{
	const char *p = arg;
	size_t neq = 0;

	for (const char *q = arg; *q; q++)
		neq += *q == '=';
	if (neq == 0)
		return diag_set(d, DIAG_EINVALID, "invalid argument \"%s\" for \"-l, --labels\" "
				"flag: %s must be formatted as key=value", arg, arg);
	while (neq == 1 && *p == '"')
		p++;   /* strings.Trim(val, `"`): only the key's side matters */
	for (;;) {
		const char *comma = neq > 1 ? strchr(p, ',') : NULL;
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		char *key;
		if (!eq)
			return diag_set(d, DIAG_EINVALID, "invalid argument \"%s\" for \"-l, --labels\" "
					"flag: %.*s must be formatted as key=value", arg, (int)len, p);
		if (!(key = strndup(p, (size_t)(eq - p))) || S_add_one(keys, n, cap, key) < 0) {
			free(key);
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		}
		free(key);
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* NewPostRendererPlugin as the flag's Set runs it: the plugin must be found. */
static int S_check_plugin(const char *name, struct diag *d)
{
	struct helm_plugin *p = NULL;
	int error = helm_plugin_find(&p, name, d);

	helm_plugin_free(p);
	if (error < 0)
		diag_prefix(d, "invalid argument \"%s\" for \"--post-renderer\" flag", name);
	return error;
}

/* Go's text of an errno (syscall.Errno.Error: strerror, lower case first). */
static void S_os_error(struct diag *d, const char *op, const char *path, int err)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", strerror(err));
	if (msg[0] >= 'A' && msg[0] <= 'Z' && !(msg[1] >= 'A' && msg[1] <= 'Z'))
		msg[0] = (char)(msg[0] - 'A' + 'a');
	diag_set(d, DIAG_EINVALID, "%s %s: %s", op, path, msg);
}

/* os.MkdirAll(path, 0755). */
static int S_mkdir_all(char *path, struct diag *d)
{
	struct stat st;
	char *slash;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		S_os_error(d, "mkdir", path, ENOTDIR);
		return -1;
	}
	slash = strrchr(path, '/');
	while (slash && slash > path && slash[-1] == '/')
		slash--;
	if (slash && slash > path) {
		*slash = '\0';
		if (S_mkdir_all(path, d) < 0) {
			*slash = '/';
			return -1;
		}
		*slash = '/';
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		S_os_error(d, "mkdir", path, errno);
		return -1;
	}
	return 0;
}

/* writeToFile for each planned write, printing "wrote PATH" after each.
 * On failure *hint says whether Helm adds its --debug hint: it does for the
 * files renderResources writes, not for the hooks template.go writes. */
static int S_write_files(const struct helm_outfiles *files, int *hint, struct diag *d)
{
	for (size_t i = 0; i < files->n; i++) {
		const struct helm_outfile *f = &files->v[i];
		const char *slash = strrchr(f->path, '/');
		char *dir = NULL, *prefix;
		struct stat st;
		int fd, append = f->mode == HELM_OUTFILE_APPEND;
		ssize_t w = 0;
		size_t done = 0;

		*hint = f->mode != HELM_OUTFILE_APPEND_IF_EXISTS;
		/* ensureDirectoryForFile: filepath.Dir (cleaned: "o/x/../f" needs
		 * only "o"; the open below then needs "o/x"), stat, MkdirAll */
		prefix = strndup(f->path, slash ? (size_t)(slash - f->path) + 1 : 0);
		if (!prefix || !(dir = helm_path_join(prefix, ""))) {
			free(prefix);
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		}
		free(prefix);
		if (stat(dir, &st) != 0 && errno != ENOENT) {
			S_os_error(d, "stat", dir, errno);
			free(dir);
			return -1;
		}
		if (S_mkdir_all(dir, d) < 0) {
			free(dir);
			return -1;
		}
		free(dir);
		if (f->mode == HELM_OUTFILE_APPEND_IF_EXISTS)
			append = stat(f->path, &st) == 0;
		fd = append ? open(f->path, O_APPEND | O_WRONLY) :
			      open(f->path, O_CREAT | O_TRUNC | O_WRONLY, 0666);
		if (fd < 0) {
			S_os_error(d, "open", f->path, errno);
			return -1;
		}
		while (done < f->data.len && (w = write(fd, f->data.ptr + done, f->data.len - done)) > 0)
			done += (size_t)w;
		if (done < f->data.len) {
			S_os_error(d, "write", f->path, w < 0 ? errno : EIO);
			close(fd);
			return -1;
		}
		if (close(fd) != 0) {
			S_os_error(d, "close", f->path, errno);
			return -1;
		}
		printf("wrote %s\n", f->path);
	}
	return 0;
}

int cmd_template(int argc, char **argv)
{
	struct optstate st;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT, log = BUF_INIT, extra = BUF_INIT;
	struct helm_outfiles ofiles = HELM_OUTFILES_INIT;
	struct helm_template_opts o;
	struct helm_set *sets = NULL;
	const char *pos[2] = { NULL, NULL }, *arg, *post_renderer = NULL, *dry_run = NULL;
	char **files = NULL, **apis = NULL, **shows = NULL, **labels = NULL, **av = NULL;
	char **prargs = NULL;
	size_t nprargs = 0, prargs_cap = 0;
	size_t files_cap = 0, napis = 0, apis_cap = 0, nshows = 0, shows_cap = 0;
	size_t nlabels = 0, labels_cap = 0;
	const char *ns = getenv("HELM_NAMESPACE");   /* EnvSettings: the -n default */
	size_t nfiles = 0, nsets = 0, npos = 0, i;
	int id, status = EXIT_USAGE, error = 0, rendered = 0, ac = 0;
	int b[NBOOLS];
	unsigned flags = 0;

	/* one thread, and no json value yet: jansson may use jslab (the
	 * post-renderer runs as a child process, not a thread) */
	jslab_install();
	memset(&o, 0, sizeof(o));
	for (i = 0; i < NBOOLS; i++)
		b[i] = -1;
	sets = calloc((size_t)argc, sizeof(*sets));
	if (!sets) {
		cmd_usage_error("template", "out of memory");
		goto done;
	}
	if (S_prepass(&av, &ac, b, argc, argv, &d) < 0)
		goto fail;
	opt_init(&st, "template", options, ac, av);
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
		case OPT_OUTPUT_DIR:
			o.output_dir = arg;
			break;
		case OPT_NAME_TEMPLATE:
			o.name_template = arg;
			break;
		case OPT_POST_RENDERER:
			/* Helm 4: the name of a postrenderer/v1 plugin, looked up as
			 * the flag is parsed; hydrate runs no plugins */
			if (!*arg)
				break;
			if (post_renderer) {
				diag_set(&d, DIAG_EINVALID, "invalid argument \"%s\" for \"--post-renderer\" "
					 "flag: cannot specify --post-renderer flag more than once", arg);
				goto fail;
			}
			if (S_check_plugin(arg, &d) < 0)
				goto fail;
			post_renderer = arg;
			break;
		case OPT_POST_RENDERER_ARGS:
			/* may be empty; a later one re-finds the plugin */
			if (S_add_one(&prargs, &nprargs, &prargs_cap, arg) < 0) {
				cmd_usage_error("template", "out of memory");
				goto done;
			}
			if (post_renderer && S_check_plugin(post_renderer, &d) < 0) {
				/* Set's error names the value given to this flag */
				diag_clear(&d);
				diag_set(&d, DIAG_ENOTFOUND, "invalid argument \"%s\" for "
					 "\"--post-renderer-args\" flag: plugin: {Name:%s "
					 "Type:postrenderer/v1} not found", arg, post_renderer);
				goto fail;
			}
			break;
		case OPT_REPO:
			diag_set(&d, DIAG_EINVALID, "--repo %s: hydrate renders offline and does not "
				 "download charts; fetch the chart and pass its directory or .tgz", arg);
			goto fail;
		case OPT_LABELS:
			if (S_add_labels(&labels, &nlabels, &labels_cap, arg, &d) < 0)
				goto fail;
			break;
		case OPT_DRY_RUN:
			dry_run = arg;
			break;
		case OPT_IGNORED:
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
	/* cobra's checks of mutually exclusive flags, after parsing */
	if (b[B_VALIDATE] >= 0 && dry_run) {
		diag_set(&d, DIAG_EINVALID, "if any flags in the group [validate dry-run] are set none "
			 "of the others can be; [dry-run validate] were all set");
		goto fail;
	}
	if (b[B_FORCE_REPLACE] >= 0 && b[B_FORCE_CONFLICTS] >= 0) {
		diag_set(&d, DIAG_EINVALID, "if any flags in the group [force-replace force-conflicts] "
			 "are set none of the others can be; [force-conflicts force-replace] were all set");
		goto fail;
	}
	if (b[B_FORCE] >= 0 && b[B_FORCE_CONFLICTS] >= 0) {
		diag_set(&d, DIAG_EINVALID, "if any flags in the group [force force-conflicts] are set "
			 "none of the others can be; [force force-conflicts] were all set");
		goto fail;
	}
	if (npos == 0) {
		cmd_usage_error("template", "a chart directory is required");
		goto done;
	}
	/* RunE: --kube-version, then --dry-run, then runInstall */
	o.caps.api_versions = (const char *const *)apis;
	o.caps.napi_versions = napis;
	if ((error = helm_check_caps(&o.caps, &d)) < 0)
		goto fail;
	if (dry_run) {
		int v = S_parse_bool(dry_run);
		if (strcmp(dry_run, "unset") == 0) {
			buf_adds(&log, "level=WARN msg=\"--dry-run is deprecated and should be replaced "
				 "with '--dry-run=client'\"\n");
		} else if (strcmp(dry_run, "server") == 0) {
			b[B_VALIDATE] = 1;
		} else if (strcmp(dry_run, "none") == 0 || v == 0) {
			diag_set(&d, DIAG_EINVALID, "invalid dry-run value (\"%s\"). Must be \"server\" "
				 "or \"client\"", dry_run);
			goto fail;
		} else if (v == 1) {
			buf_addf(&log, "level=WARN msg=\"boolean '--dry-run=%s' flag is deprecated and "
				 "must be replaced with '--dry-run=client'\"\n", dry_run);
		} else if (strcmp(dry_run, "client") != 0) {
			diag_set(&d, DIAG_EINVALID, "invalid dry-run value (\"%s\"). Must be \"none\", "
				 "\"server\", or \"client\"", dry_run);
			goto fail;
		}
	}
	if (b[B_VALIDATE] == 1) {
		diag_set(&d, DIAG_EINVALID, "cluster reachability check failed: hydrate renders "
			 "without a cluster (--dry-run=server / --validate need one)");
		goto fail;
	}
	if (extra.len) {
		const char *env = getenv("HELM_DEBUG");
		if (b[B_DEBUG] >= 0 ? b[B_DEBUG] == 1 : env && S_parse_bool(env) == 1)
			buf_adds(&log, "level=DEBUG msg=\"Original chart version\" version=\"\"\n");
		diag_set(&d, DIAG_EINVALID, "expected at most two arguments, unexpected arguments: %s",
			 extra.ptr);
		goto fail;
	}
	if (b[B_VERIFY] == 1) {
		diag_set(&d, DIAG_EINVALID, "--verify: hydrate does not check chart provenance (.prov) "
			 "files; verify the chart with `helm verify` first");
		goto fail;
	}
	if (b[B_ENABLE_DNS] == 1) {
		diag_set(&d, DIAG_EINVALID, "--enable-dns: hydrate renders offline; getHostByName "
			 "always returns \"\"");
		goto fail;
	}
	if (b[B_INCLUDE_CRDS] == 1)
		flags |= HELM_MANIFEST_INCLUDE_CRDS;
	if (b[B_NO_HOOKS] == 1)
		flags |= HELM_MANIFEST_NO_HOOKS;
	if (b[B_SKIP_TESTS] == 1)
		flags |= HELM_MANIFEST_SKIP_TESTS;
	o.chart = pos[npos - 1];
	o.release_name = npos == 2 ? pos[0] : NULL;
	o.namespace = ns && *ns ? ns : "default";
	o.is_upgrade = b[B_IS_UPGRADE] == 1;
	o.generate_name = b[B_GENERATE_NAME] == 1;
	o.use_release_name = b[B_RELEASE_NAME] == 1;
	o.skip_schema_validation = b[B_SKIP_SCHEMA_VALIDATION] == 1;
	o.dependency_update = b[B_DEPENDENCY_UPDATE] == 1;
	o.label_keys = (const char *const *)labels;
	o.nlabel_keys = nlabels;
	o.values_files = (const char *const *)files;
	o.nvalues_files = nfiles;
	o.sets = sets;
	o.nsets = nsets;
	o.flags = flags;
	o.show_only = (const char *const *)shows;
	o.nshow_only = nshows;
	{
		/* --debug, or HELM_DEBUG (strconv.ParseBool) when the flag is not given */
		const char *env = getenv("HELM_DEBUG");
		o.debug = b[B_DEBUG] >= 0 ? b[B_DEBUG] == 1 : env && S_parse_bool(env) == 1;
	}
	o.threads = 2;
	o.post_renderer = post_renderer;
	o.post_renderer_args = (const char *const *)prargs;
	o.npost_renderer_args = nprargs;
	if ((error = helm_template_dir(&ofiles, &out, &log, &o, &rendered, &d)) < 0)
		goto fail;
	/* Helm's log lines come as they happen: before the files and the output */
	fwrite(log.ptr, 1, log.len, stderr);
	buf_reset(&log);
	if (S_write_files(&ofiles, &rendered, &d) < 0) {
		fflush(stdout);
		goto fail;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
	goto done;
fail:
	fwrite(log.ptr, 1, log.len, stderr);
	buf_reset(&log);
	{
		/* --debug, or HELM_DEBUG (strconv.ParseBool) when the flag is not given */
		const char *env = getenv("HELM_DEBUG");
		int debug = b[B_DEBUG] >= 0 ? b[B_DEBUG] : env && S_parse_bool(env) == 1;
		if (rendered && debug == 1 &&
		    strncmp(d.msg.ptr, "YAML parse error", 16) != 0) {
			/* template.go prints rel.Manifest (trimmed, empty when
			 * rendering failed) before returning the error.
			 * NEEDSWORK: a manifest YAML error (DIAG_EPARSE) makes Helm
			 * print every rendered file here; hydrate prints nothing. */
			fputs("\n", stdout);
			fflush(stdout);
		}
		status = S_helm_error(&d, rendered && !debug);
	}
done:
	/* Helm's log lines (stderr), when the run did not fail */
	fwrite(log.ptr, 1, log.len, stderr);
	buf_release(&log);
	buf_release(&extra);
	buf_release(&out);
	helm_outfiles_release(&ofiles);
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
	for (i = 0; i < nlabels; i++)
		free(labels[i]);
	free(labels);
	for (i = 0; i < nprargs; i++)
		free(prargs[i]);
	free(prargs);
	free(sets);
	free(av);
	jslab_release_all();
	return status;
}
