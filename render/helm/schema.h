/*
 * values.schema.json validation as Helm v4.1.4 does it
 * (pkg/chart/common/util/jsonschema.go over santhosh-tekuri/jsonschema v6):
 * each chart's schema checks its own values, subcharts recursively, and the
 * failures read as that library prints them:
 *
 *     values don't meet the specifications of the schema(s) in the following chart(s):
 *     traefik:
 *     - at '': additional properties 'logs' not allowed
 *
 * Supported keywords: type, const, enum, $ref (local "#..." pointers,
 * $defs / definitions), required, properties, additionalProperties,
 * patternProperties, minProperties, maxProperties, items, prefixItems,
 * additionalItems, minItems, maxItems, minLength, maxLength, pattern (Go
 * RE2 syntax), minimum, maximum, exclusiveMinimum, exclusiveMaximum,
 * multipleOf, allOf, anyOf, oneOf, not, if/then/else. Others (format,
 * uniqueItems, contains, unevaluated*, remote $ref) are accepted without
 * being checked. NEEDSWORK: Go iterates a value's keys in random order;
 * hydrate reports several failures of one object sorted by key.
 */
#ifndef HYDRATE_HELM_SCHEMA_H
#define HYDRATE_HELM_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

struct buf;
struct chart;
struct diag;

/*
 * Validates values (borrowed) against the JSON schema text. 0 when valid;
 * 1 when not, with the library's error lines ("- at '...': ...\n") appended
 * to out; DIAG_EPARSE when the schema is not JSON (message in d);
 * DIAG_ENOMEM.
 */
int helm_schema_validate(struct buf *out, const char *schema, size_t len, json_t *values,
			 struct diag *d);

/*
 * ValidateAgainstSchema over chart c and its subcharts with the coalesced
 * values. 0, or DIAG_EINVALID with Helm's whole message in d.
 */
int helm_schema_validate_chart(const struct chart *c, json_t *values, struct diag *d);

#endif
