/*
 * What Helm's toYamlPretty prints: a yaml.v3 Encoder with SetIndent(2)
 * encoding Go data directly (sigs.k8s.io/yaml/goyaml.v3, i.e.
 * go.yaml.in/yaml/v3 v3.0.3). Unlike toYaml (sigs.k8s.io/yaml: JSON first, then yaml.v2):
 * sequences under a key are indented, long strings are not folded, map keys
 * sort "naturally" (a2 before a10), floats print as strconv 'g' (1e+06).
 * Scalar styles follow v3's encoder (stringv) and emitter (analyze_scalar,
 * select_scalar_style).
 */
#ifndef HYDRATE_HELM_YAMLV3_H
#define HYDRATE_HELM_YAMLV3_H

#include <jansson.h>

struct buf;

/* Appends the document for v (borrowed; NULL is nil), ending in "\n".
 * 0, DIAG_ELIMIT (nested deeper than 10000) or DIAG_ENOMEM. */
int helm_yaml_v3_encode(struct buf *out, const json_t *v);

#endif
