/*
 * json_t helpers: the emitters that must match Go byte for byte.
 *
 *   value_to_json  Go's encoding/json, as Helm's toJson / toRawJson /
 *                  toPrettyJson print (keys sorted bytewise; <, >, & as
 *                  \u003c \u003e \u0026 unless VALUE_JSON_RAW; U+2028/2029
 *                  escaped; invalid UTF-8 as U+FFFD; floats as Go formats
 *                  float64: 'f' form, 'e' form below 1e-6 or from 1e21).
 *   value_to_yaml  sigs.k8s.io/yaml.Marshal (JSON, then go-yaml v2 Marshal):
 *                  what Helm's toYaml prints (before its TrimSuffix "\n"),
 *                  and what kustomize build prints for each resource.
 *
 * Both append to out. json_integer is Go int64, json_real Go float64.
 */
#ifndef HYDRATE_VALUE_H
#define HYDRATE_VALUE_H

#include <jansson.h>

struct buf;
struct diag;

enum value_json_flags {
	VALUE_JSON_RAW = 1 << 0,    /* don't escape <, >, & (toRawJson) */
	VALUE_JSON_INDENT = 1 << 1, /* MarshalIndent(v, "", "  ") (toPrettyJson) */
};

/*
 * Appends Go's JSON text of v (borrowed; NULL is Go's nil, "null") to out,
 * with no trailing newline. Returns 0, DIAG_ELIMIT (collections nested
 * deeper than 10000), DIAG_EINVALID (a NaN or Inf real: "json: unsupported
 * value: NaN") or DIAG_ENOMEM (out of memory, or out's max reached). On
 * error nothing is appended and d (nullable) says why.
 */
int value_to_json(struct buf *out, const json_t *v, unsigned flags, struct diag *d);

/*
 * Appends sigs.k8s.io/yaml.Marshal(v) to out (v borrowed; NULL is nil).
 * It ends in "\n", except after a literal block whose last line break is
 * U+2028 or U+2029 (go-yaml writes those raw and adds nothing). Returns 0, DIAG_EINVALID when Go's Marshal fails
 * (d's message is Go's, e.g. "error converting JSON to YAML: yaml: control
 * characters are not allowed"; helm's toYaml prints "" then), or
 * DIAG_ENOMEM. On error nothing is appended.
 */
int value_to_yaml(struct buf *out, const json_t *v, struct diag *d);

#endif
