/*
 * hydrate: git-style subcommands from one table (git/git git.c commands[]).
 */
#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "render/diag.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static const struct cmd commands[] = {
	{ "template", "render a Helm chart as `helm template` prints it",
	  "usage: hydrate template [NAME] CHART [-f FILE]... [--set K=V]... [--set-string K=V]...\n"
	  "                        [--set-json K=JSON]... [--set-file K=PATH]... [--set-literal K=V]...\n"
	  "                        [--namespace NS] [--skip-tests] [--no-hooks] [--include-crds]\n"
	  "                        [-s TEMPLATE]... [--output-dir DIR [--release-name]]\n"
	  "                        [--name-template TPL] [--is-upgrade] [--skip-schema-validation]\n"
	  "                        [--kube-version V] [--api-versions G/V]...\n"
	  "\n"
	  "Renders the chart directory CHART exactly as Helm 4.1's `helm template` does\n"
	  "(release NAME, default \"release-name\") and prints the manifests.\n"
	  "\n"
	  "options:\n"
	  "  -f, --values FILE     a values file layered over the chart's values; repeatable\n"
	  "      --set K=V         set values (Helm's syntax: a.b=1,list[0]=x,l={a,b})\n"
	  "      --set-string K=V  set values as strings\n"
	  "      --set-json K=JSON set values given as JSON (or a whole JSON object)\n"
	  "      --set-file K=PATH set values to the text of files\n"
	  "      --set-literal K=V set one value to the literal string V (commas and all)\n"
	  "  -n, --namespace NS    the release namespace (default \"default\")\n"
	  "      --skip-tests      leave out test hooks\n"
	  "      --include-crds    print the charts' crds/ files first\n"
	  "      --no-hooks        leave out hooks\n"
	  "  -s, --show-only PATH  print only the documents of templates matching PATH\n"
	  "                        (e.g. templates/deployment.yaml); repeatable\n"
	  "      --output-dir DIR  write each template's documents to DIR/CHART/templates/...\n"
	  "                        as helm does (\"wrote PATH\" per write) instead of stdout;\n"
	  "                        nothing is written when the render fails\n"
	  "      --release-name    with --output-dir: templates go to DIR/NAME/...\n"
	  "      --name-template TPL  the release name as a Go template (Sprig functions)\n"
	  "  -g, --generate-name   accepted (helm template then names the release\n"
	  "                        \"release-name\"); an error beside NAME\n"
	  "      --is-upgrade      .Release.IsUpgrade true, .Release.IsInstall false\n"
	  "      --skip-schema-validation  do not check values.schema.json\n"
	  "      --kube-version V  the Kubernetes version for .Capabilities (default v1.35.0)\n"
	  "  -a, --api-versions G/V  add API versions to .Capabilities.APIVersions\n"
	  "  -l, --labels K=V,...  release labels (only checked against Helm's reserved names)\n"
	  "      --dry-run[=client]  accepted; =server (and --validate) need a cluster: refused\n"
	  "  -h, --help            show this help\n"
	  "\n"
	  "Helm's other `helm template` flags that change nothing for an offline render\n"
	  "(--description, --version, --devel, --skip-crds, --disable-openapi-validation,\n"
	  "--timeout, --wait, --kube-context, --kubeconfig, --debug, ...) are accepted and\n"
	  "ignored. --post-renderer names a Helm 4 plugin, which hydrate does not run;\n"
	  "--repo, --verify, --enable-dns and --dependency-update (when charts/ lacks a\n"
	  "dependency) are refused: hydrate renders offline. See docs/helm.md.\n",
	  cmd_template },
	{ "values", "print a chart's values layered with values files, as Helm's toYaml prints them",
	  "usage: hydrate values [-f FILE]... CHART\n"
	  "\n"
	  "Reads CHART's values.yaml (CHART is a chart directory or a values file), layers\n"
	  "each -f FILE over it in order as `helm template` does (maps merge, lists and\n"
	  "scalars replace, null deletes a default), and prints the result exactly as\n"
	  "Helm's `toYaml .Values` would.\n"
	  "\n"
	  "options:\n"
	  "  -f, --values FILE   a values file to layer over the defaults ('-' reads stdin);\n"
	  "                      may be given several times\n"
	  "  -o, --output FMT    yaml (default) or json (as Helm's toJson prints)\n"
	  "  -h, --help          show this help\n",
	  cmd_values },
	{ "kustomize", "build a kustomization, as kustomize build prints it",
	  "usage: hydrate kustomize [options] [DIR]\n"
	  "\n"
	  "Builds the kustomization in DIR (default '.') and prints what `kustomize build\n"
	  "DIR` (kustomize v5.7.1) prints, byte for byte.\n"
	  "\n"
	  "options:\n"
	  "  --reorder legacy|none    legacy (default): kustomize's kind order; none: input order\n"
	  "                           (deprecated in kustomize, as is --enable-managedby-label)\n"
	  "  --load-restrictor LoadRestrictionsRootOnly|LoadRestrictionsNone\n"
	  "                           whether files outside a kustomization's root may be read\n"
	  "  --enable-managedby-label add app.kubernetes.io/managed-by: kustomize-v5.7.1\n"
	  "  -o, --output PATH        write the output to the file PATH, or one file per\n"
	  "                           resource when PATH is a directory\n"
	  "  --enable-helm            inflate helmCharts (with hydrate's own Helm engine)\n"
	  "  --helm-kube-version V    Capabilities.KubeVersion for helmCharts\n"
	  "  --helm-api-versions V    add V to Capabilities.APIVersions (repeatable)\n"
	  "  --helm-command CMD, --helm-debug\n"
	  "                           accepted and ignored: no helm binary is run\n"
	  "  --enable-alpha-plugins, --as-current-user, --network, -e/--env VAR,\n"
	  "  --mount SPEC, --network-name NAME\n"
	  "                           accepted and ignored: no plugin or KRM function is run\n"
	  "  --fs-root DIR            read DIR as the file system root '/' (testing)\n"
	  "  -h, --help               show this help\n",
	  cmd_kustomize },
	{ "render", "render every app of hydrate.yaml in every environment into a directory",
	  "usage: hydrate render [-c FILE] [--app A]... [--env E]... [--shard I/N] [-j N]\n"
	  "                      [--local] [-o DIR | --stdout]\n"
	  "\n"
	  "Renders each (app, environment) job of hydrate.yaml (Helm charts as `helm\n"
	  "template`, overlays as `kustomize build`), splits the output into one file per\n"
	  "resource under each job's path, and writes the tree into DIR: only the managed\n"
	  "paths are touched, stale files under them are removed, and nothing is written\n"
	  "when any job fails.\n"
	  "\n"
	  "options:\n"
	  "  -c, --config FILE   the hydrate.yaml to read (default ./hydrate.yaml)\n"
	  "      --app A         only app A; repeatable (default: every app)\n"
	  "      --env E         only environment E; repeatable (default: every one)\n"
	  "      --shard I/N     only the I-th of N shares of the jobs (job k, counted from 0\n"
	  "                      in hydrate.yaml order after --app/--env, is in share k mod N + 1)\n"
	  "  -j, --jobs N        render on N threads (default: the number of CPUs)\n"
	  "      --local         read each environment's envFile (.env) for local overrides\n"
	  "      --source-repository URL, --source-commit SHA\n"
	  "                      the application repository and commit the provenance\n"
	  "                      files name (userinfo is removed from URL)\n"
	  "  -o, --output DIR    write into DIR (default: repository.path of hydrate.yaml)\n"
	  "      --stdout        print one stream instead: each file as '---', '# Source: PATH'\n"
	  "                      and its bytes (provenance files left out)\n"
	  "  -h, --help          show this help\n",
	  cmd_render },
	{ "diff", "compare the rendered manifests with the GitOps repository or a directory",
	  "usage: hydrate diff [-c FILE] [--app A]... [--env E]... [--shard I/N] [-j N]\n"
	  "                    [--local] [--ref REV | --dir DIR] [--cache-dir DIR]\n"
	  "                    [--format text|markdown|json] [--color auto|always|never] [-U N]\n"
	  "\n"
	  "Renders the plan in memory, as `hydrate render` would, and compares it with\n"
	  "what the GitOps repository of hydrate.yaml (repository.url or repository.path)\n"
	  "holds under the managed paths, at each environment's branch: the branch is\n"
	  "fetched into a bare cache and read there, never checked out. With --dir the\n"
	  "comparison is with a directory instead. Prints added, removed and changed files;\n"
	  "per resource the changed fields by path (list items with a name matched by\n"
	  "name); and a unified diff per file. Secret data is never printed: each changed\n"
	  "key is shown with a salted digest (salt: $HYDRATE_DIFF_SALT, else random per run).\n"
	  "Exits 0 when nothing differs, 1 when something does, 2 on input errors, 3 when\n"
	  "the repository cannot be read (or --ref names nothing there). Network waits\n"
	  "are bounded: $HYDRATE_GIT_CONNECT_TIMEOUT (default 30) and $HYDRATE_GIT_TIMEOUT\n"
	  "(default 60) seconds.\n"
	  "\n"
	  "options:\n"
	  "  -c, --config FILE   the hydrate.yaml to read (default ./hydrate.yaml)\n"
	  "      --app A         only app A; repeatable\n"
	  "      --env E         only environment E; repeatable\n"
	  "      --shard I/N     only the I-th of N shares of the jobs (as render)\n"
	  "  -j, --jobs N        render on N threads (default: the number of CPUs)\n"
	  "      --local         read each environment's envFile (.env)\n"
	  "      --source-repository URL, --source-commit SHA\n"
	  "                      the application repository and commit the provenance\n"
	  "                      files name (userinfo is removed from URL)\n"
	  "      --ref REV       compare with REV instead of each environment's branch: a\n"
	  "                      branch, a tag or a commit id (full or abbreviated), as\n"
	  "                      git rev-parse reads it in the remote\n"
	  "      --dir DIR       compare with the directory DIR instead of the repository\n"
	  "      --cache-dir DIR the bare cache's directory (default $HYDRATE_CACHE_DIR,\n"
	  "                      else $XDG_CACHE_HOME/hydrate, else ~/.cache/hydrate)\n"
	  "      --format F      text (default), markdown (for pull request comments) or json\n"
	  "      --color WHEN    colour the text report: auto (on a terminal; default),\n"
	  "                      always or never\n"
	  "  -U, --unified N     lines of context in the unified diffs (default 3)\n"
	  "  -h, --help          show this help\n",
	  cmd_diff },
	{ "check", "check that the rendered manifests in a directory are fresh",
	  "usage: hydrate check [-c FILE] [--app A]... [--env E]... [--shard I/N] [-j N]\n"
	  "                     [--local] [--dir DIR | --git [--cache-dir DIR]]\n"
	  "\n"
	  "Renders the plan in memory, as `hydrate render` would, and compares it with\n"
	  "what DIR holds under the managed paths (with --git: what the GitOps\n"
	  "repository holds on each job's target branch). Prints one line per stale file:\n"
	  "  stale: PATH     the file differs from the render\n"
	  "  missing: PATH   the render has the file, DIR does not\n"
	  "  extra: PATH     a file under a managed path that the render does not produce\n"
	  "Exits 0 when everything is fresh, 1 when anything is stale, 2 on input\n"
	  "errors, 3 on git errors.\n"
	  "Nothing is written.\n"
	  "\n"
	  "options:\n"
	  "  -c, --config FILE   the hydrate.yaml to read (default ./hydrate.yaml)\n"
	  "      --app A         only app A; repeatable\n"
	  "      --env E         only environment E; repeatable\n"
	  "      --shard I/N     only the I-th of N shares of the jobs (as render)\n"
	  "  -j, --jobs N        render on N threads (default: the number of CPUs)\n"
	  "      --local         read each environment's envFile (.env)\n"
	  "      --source-repository URL, --source-commit SHA\n"
	  "                      the application repository and commit the provenance\n"
	  "                      files name (userinfo is removed from URL)\n"
	  "      --dir DIR       the directory to check (default: repository.path of\n"
	  "                      hydrate.yaml)\n"
	  "      --git           compare with hydrate.yaml's repository (url or path), each\n"
	  "                      job at its environment's branch, fetched into a bare cache\n"
	  "                      (never checked out)\n"
	  "      --cache-dir DIR the cache for --git (default $HYDRATE_CACHE_DIR, else\n"
	  "                      $XDG_CACHE_HOME/hydrate, else ~/.cache/hydrate)\n"
	  "  -h, --help          show this help\n",
	  cmd_check },
	{ "watch", "re-render on every save and print the diff",
	  "usage: hydrate watch [-c FILE] [--app APP]... [--env ENV]... [--shard I/N] [--local]\n"
	  "                     [--ref REV | --dir DIR] [--format text|markdown|json] [-j N]\n"
	  "                     [--once] [--max-events N] [--debounce MS] [--no-color]\n"
	  "\n"
	  "Renders every (app, environment) job of hydrate.yaml, prints the diff against\n"
	  "the target (as `hydrate diff` does), then watches every input of the plan\n"
	  "(hydrate.yaml, charts, overlays and their bases, values files, .env files).\n"
	  "On each save it re-renders only the jobs that read the saved file and prints\n"
	  "what the save changed in the rendered tree, then one summary line against the\n"
	  "target. A change to hydrate.yaml (or, with --local, a .env file) reloads the\n"
	  "configuration and re-renders everything. Render errors are printed and\n"
	  "watching goes on. Stops on Ctrl-C or SIGTERM (exit 0).\n"
	  "\n"
	  "options:\n"
	  "  -c, --config FILE     the configuration (default hydrate.yaml)\n"
	  "      --app APP         only this app; repeatable\n"
	  "      --env ENV         only this environment; repeatable\n"
	  "      --local           read each environment's envFile (.env) overrides\n"
	  "      --shard I/N       only the I-th of N shares of the jobs (as render):\n"
	  "                        only their inputs are watched\n"
	  "      --ref REV         compare with this branch, tag or commit of the GitOps\n"
	  "                        repository (default: each environment's branch)\n"
	  "      --dir DIR         compare with the directory DIR instead\n"
	  "      --cache-dir DIR   where the GitOps repository is cached (default\n"
	  "                        $HYDRATE_CACHE_DIR, else $XDG_CACHE_HOME/hydrate)\n"
	  "      --format F        text (default), markdown or json\n"
	  "  -j, --jobs N          render on N threads (default: the number of CPUs)\n"
	  "      --once            render and compare once, then exit\n"
	  "      --max-events N    exit after N batches of saves (tests)\n"
	  "      --debounce MS     quiet time that ends a batch of saves (default 10)\n"
	  "      --no-color        no colours even on a terminal\n"
	  "  -h, --help            show this help\n",
	  cmd_watch },
	{ "version", "print hydrate's version",
	  "usage: hydrate version\n       hydrate --version\n",
	  cmd_version },
	{ "help", "show help for hydrate or one of its commands",
	  "usage: hydrate help [COMMAND]\n",
	  cmd_help },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct cmd *cmd_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int cmd_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hydrate %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee 'hydrate help %s'\n", name);
	return EXIT_USAGE;
}

int cmd_report(const struct diag *d)
{
	fprintf(stderr, "error: %s\n", d->msg.len ? d->msg.ptr : diag_code_name(d->code));
	if (d->context.len)
		fputs(d->context.ptr, stderr);
	return exit_status_for(d->code ? d->code : DIAG_EGENERIC);
}

int cmd_print_usage(const struct cmd *c)
{
	fputs(c->usage, stdout);
	return EXIT_OK;
}

int cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

static void print_overview(FILE *f)
{
	fprintf(f, "usage: hydrate [--version] [--help] COMMAND [ARGS]\n"
		   "\n"
		   "hydrate renders Kubernetes manifests from Helm charts and Kustomize overlays\n"
		   "exactly as helm template and kustomize build do.\n"
		   "\n"
		   "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee 'hydrate help COMMAND' for one command's options.\n");
}

int cmd_help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 2)
		return cmd_usage_error("help", "too many arguments");
	if (argc < 2) {
		print_overview(stdout);
		return EXIT_OK;
	}
	if (!(c = cmd_find(argv[1]))) {
		fprintf(stderr, "hydrate help: '%s' is not a hydrate command\n", argv[1]);
		return EXIT_USAGE;
	}
	return cmd_print_usage(c);
}

int cmd_version(int argc, char **argv)
{
	if (cmd_wants_help(argc, argv))
		return cmd_print_usage(cmd_find("version"));
	if (argc > 1)
		return cmd_usage_error("version", "unexpected argument '%s'", argv[1]);
	printf("hydrate %s\n", HYDRATE_VERSION);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)
		return cmd_version(1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(1, argv + 1);
	if (argv[1][0] == '-') {
		fprintf(stderr, "hydrate: unknown option '%s'\nsee 'hydrate help'\n", argv[1]);
		return EXIT_USAGE;
	}
	if (!(c = cmd_find(argv[1]))) {
		fprintf(stderr, "hydrate: '%s' is not a hydrate command\nsee 'hydrate help'\n",
			argv[1]);
		return EXIT_USAGE;
	}
	{
		/* jansson's hash seed, in one system call rather than its own
		 * open, read and close of /dev/urandom */
		uint32_t seed;

		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed) && seed)
			json_object_seed(seed);
	}
	return c->run(argc - 1, argv + 1);
}
