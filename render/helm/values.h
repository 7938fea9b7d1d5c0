/*
 * Helm's values: reading values files and layering them as `helm template`
 * does (pkg/chart/common/util: MergeValues for user files, CoalesceValues
 * against the chart's defaults).
 */
#ifndef HYDRATE_HELM_VALUES_H
#define HYDRATE_HELM_VALUES_H

#include <jansson.h>

struct diag;

/*
 * Merges src into dst as Helm merges successive -f files: a key of src
 * replaces dst's, except that two objects merge recursively. Nulls are kept
 * (they delete chart defaults later, in values_coalesce). dst is modified;
 * src is borrowed.
 */
int values_merge(json_t *dst, json_t *src);

/*
 * Layers the user's values over a chart's defaults, in place on user:
 * a default whose key the user set to null is deleted (the null too); two
 * objects coalesce recursively; otherwise the user's value wins; keys only
 * in the defaults are copied in. defaults is borrowed.
 */
int values_coalesce(json_t *user, json_t *defaults);

/* Reads a values file (Helm typing, see render/yaml.h) and merges it into dst. */
int values_merge_file(json_t *dst, const char *path, struct diag *d);

/*
 * As values_merge_file, with the errors `helm template -f FILE` prints
 * ("failed to parse FILE: cannot unmarshal yaml document: error converting
 * YAML to JSON: yaml: line N: ...", "open FILE: no such file or directory").
 */
int values_merge_file_helm(json_t *dst, const char *path, struct diag *d);
/* As values_merge_file_helm for a document already in memory (text borrowed),
 * named name in messages. */
int values_merge_text_helm(json_t *dst, const char *name, const char *text, size_t len,
			   struct diag *d);

#endif
