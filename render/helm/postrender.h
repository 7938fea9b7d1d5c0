/*
 * Helm 4 post-renderer plugins (helm v4.1.4 pkg/postrenderer,
 * internal/plugin, pkg/action/action.go renderResources).
 *
 * `--post-renderer NAME` names a plugin: a directory DIR/ENTRY/ holding a
 * plugin.yaml with apiVersion v1, name NAME, type postrenderer/v1 and
 * runtime subprocess, found in the directories of HELM_PLUGINS (':'
 * separated; default HELM_DATA_HOME/plugins, XDG_DATA_HOME/helm/plugins or
 * ~/.local/share/helm/plugins), entries in name order, the first match
 * winning. Legacy (apiVersion-less) plugins are cli/v1 or getter/v1, never
 * post-renderers. A plugin.yaml that does not load is skipped.
 *
 * Running it: the rendered files (partials, empty files and NOTES.txt left
 * out, in name order) are parsed and re-emitted as one YAML stream, each
 * document annotated with postrenderer.helm.sh/postrender-filename; the
 * plugin's runtimeConfig.platformCommand (the entry for this OS/arch,
 * command split on spaces, $VAR expanded, then its args, then every
 * --post-renderer-args value) runs with that stream on stdin,
 * HELM_PLUGIN_NAME and HELM_PLUGIN_DIR added to the environment, in the
 * current directory; its stdout is parsed again, split back into files by
 * the annotation (documents without it become
 * generated-by-postrender-N.yaml) and the annotation removed. Re-emitting
 * keeps key order, scalar styles, anchors and flow collections, normalises
 * indentation to kyaml's (2 spaces, sequences not indented under a key)
 * and, unlike kyaml, drops comments.
 *
 * hydrate's limits (Helm has none): the plugin is killed after
 * HELM_POSTRENDER_TIMEOUT_MS, or when it prints more than
 * HELM_POSTRENDER_MAX_OUTPUT.
 */
#ifndef HYDRATE_HELM_POSTRENDER_H
#define HYDRATE_HELM_POSTRENDER_H

#include <stddef.h>

struct buf;
struct diag;
struct helm_rendered;

#define HELM_POSTRENDER_TIMEOUT_MS 600000UL
#define HELM_POSTRENDER_MAX_OUTPUT ((size_t)256 << 20)

/* A found plugin. Owns its strings. */
struct helm_plugin {
	char *name;
	char *dir;        /* the plugin's directory, as HELM_PLUGIN_DIR */
	char **command;   /* the platform command split on spaces, unexpanded */
	size_t ncommand;
	char **args;      /* its args, unexpanded */
	size_t nargs;
	char *runtime;
};

void helm_plugin_free(struct helm_plugin *p);

/*
 * Finds the postrenderer/v1 plugin named name (FindPlugin). *out is new
 * (free with helm_plugin_free). DIAG_ENOTFOUND "plugin: {Name:NAME
 * Type:postrenderer/v1} not found"; DIAG_EINVALID "two plugins claim the
 * name ..."; DIAG_ENOMEM.
 */
int helm_plugin_find(struct helm_plugin **out, const char *name, struct diag *d);

/*
 * Post-renders files (replaced by the plugin's files, sorted by name) with
 * plugin p and the extra args. debug_log (nullable) gets --debug's lines
 * ("executing plugin command", "plugin execution failed"). On failure d's message is what Helm prints
 * after "Error: " (e.g. "error while running post render on files: failed
 * to invoke post-renderer plugin \"NAME\": plugin \"NAME\" exited with
 * error"); DIAG_EEXEC, DIAG_EPARSE, DIAG_ELIMIT, DIAG_ENOMEM.
 */
int helm_postrender(struct helm_rendered *files, const struct helm_plugin *p,
		    const char *const *args, size_t nargs, struct buf *debug_log, struct diag *d);

#endif
