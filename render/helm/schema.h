/*
 * values.schema.json over a chart tree, as Helm v4.1.4's
 * ValidateAgainstSchema walks it (pkg/chart/common/util/jsonschema.go): the
 * chart's schema checks its coalesced values, then each subchart that has a
 * table of values, recursively; each chart's check is render/jsonschema.h's
 * (santhosh-tekuri/jsonschema v6), and the failures are gathered under
 *
 *     values don't meet the specifications of the schema(s) in the following chart(s):
 *     traefik:
 *     - at '': additional properties 'logs' not allowed
 */
#ifndef HYDRATE_HELM_SCHEMA_H
#define HYDRATE_HELM_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

struct buf;
struct chart;
struct diag;

/*
 * ValidateAgainstSchema over chart c and its subcharts with the coalesced
 * values. 0, or DIAG_EINVALID with Helm's whole message in d.
 */
int helm_schema_validate_chart(const struct chart *c, json_t *values, struct diag *d);

#endif
