/*
 * Helm's own template functions (Helm v4.1.4 pkg/engine/funcs.go and the
 * late-bound ones of engine.go): include, tpl, required, fail, toYaml,
 * mustToYaml, toYamlPretty, fromYaml, fromYamlArray, toJson, mustToJson,
 * fromJson, fromJsonArray, toToml, fromToml, lookup, getHostByName.
 *
 * helm_funcs_register adds them to a registry after Sprig's, so Helm's
 * versions replace Sprig's of the same name, as Helm's FuncMap does.
 *
 * include and tpl keep per-execution state: the runtime's userdata
 * (tmpl_rt_set_userdata) must point at a struct helm_funcs_state for the
 * whole execution. Without one they fail cleanly.
 */
#ifndef HYDRATE_TMPL_HELM_FUNCS_H
#define HYDRATE_TMPL_HELM_FUNCS_H

#include <jansson.h>
#include <stddef.h>

struct buf;
struct tmpl_funcs;

/* Helm's include limit: more than this many nested includes of one name fail. */
#define HELM_INCLUDE_MAX 1000

struct helm_funcs_state {
	json_t *included;   /* owned: template name -> nesting count */
	void **owned;       /* blocks freed with the state (host objects made
			     * during the execution, e.g. .Files.Glob results) */
	size_t nowned, owned_cap;
};

#define HELM_FUNCS_STATE_INIT { NULL, NULL, 0, 0 }

/* Takes p (freed with the state, or at once on failure). 0 or DIAG_ENOMEM. */
int helm_funcs_state_own(struct helm_funcs_state *st, void *p);
void helm_funcs_state_release(struct helm_funcs_state *st);

int helm_funcs_register(struct tmpl_funcs *r);

/*
 * Helm's toYAML: sigs.k8s.io/yaml.Marshal(v) without its final newline,
 * appended to out; on a marshal error nothing ("" in Go). v is borrowed and
 * must hold plain data (no boxes). Returns 0 or DIAG_ENOMEM.
 */
int helm_to_yaml(struct buf *out, const json_t *v);

#endif
