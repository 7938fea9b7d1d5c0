/*
 * values.schema.json validation as Helm 4.1.4 does it (Helm's
 * pkg/chart/common/util/jsonschema.go over santhosh-tekuri/jsonschema v6).
 *
 * Drafts 4, 6, 7, 2019-09 and 2020-12 are told apart by "$schema"; a schema
 * without one is 2020-12, as in Helm. "format" is asserted only for drafts
 * 4, 6 and 7 (v6's default). Patterns are Go RE2 syntax, run by PCRE2.
 * "$ref" resolves inside the schema (JSON pointers, "$id"/"id", "$anchor",
 * "$dynamicAnchor"); a remote reference (http, https, file) is refused:
 * hydrate never fetches. A "urn:" reference that the schema does not define
 * is the permissive schema true, as in Helm.
 */
#ifndef HYDRATE_JSONSCHEMA_H
#define HYDRATE_JSONSCHEMA_H

#include <jansson.h>

struct buf;
struct diag;

/* What Helm puts before the per-chart blocks of a schema failure. */
#define JSCHEMA_MSG_PREFIX \
	"values don't meet the specifications of the schema(s) in the following chart(s):\n"

/*
 * Validates instance (the coalesced values of one chart, borrowed) against
 * schema (the chart's parsed values.schema.json, borrowed).
 *
 * Returns 0 when the values are valid (errors_out untouched). Otherwise
 * appends to errors_out the block Helm writes for this chart:
 *   "NAME:\n- at '/image/tag': got number, want string\n...\n"
 * (a violation list ends with one extra "\n", as Helm's does; a schema that
 * does not compile gets its error text without it), and returns
 *   DIAG_EINVALID  the values violate the schema (a $ref cycle that
 *                  never reaches a value is one, worded as v6 does);
 *   DIAG_EPARSE    the schema fails the metaschema checks (keyword types,
 *                  regular expression syntax), has a $ref that does not
 *                  resolve or an unknown $schema, or refers to a remote
 *                  document;
 *   DIAG_ELIMIT    the schema is pathological (nesting too deep, too much
 *                  work, a pattern too long or too costly to match):
 *                  nothing is appended, d says why;
 *   DIAG_ENOMEM.
 * A NULL schema validates nothing (0); a NULL instance is JSON null.
 * d (nullable) then holds, for EINVALID and EPARSE, JSCHEMA_MSG_PREFIX
 * followed by the block: the whole text Helm prints after "Error: " when
 * only this chart fails. A chart with subcharts concatenates the blocks of
 * each chart (parent first, then each dependency that has values) after one
 * JSCHEMA_MSG_PREFIX, as Helm's ValidateAgainstSchema does.
 */
int jschema_validate(struct buf *errors_out, const json_t *schema,
		     const json_t *instance, const char *chart_name_or_path,
		     struct diag *d);

/*
 * As jschema_validate, from the text of values.schema.json, read as Helm
 * reads it (Go's encoding/json with json.Number): a text that is not JSON
 * gives DIAG_EPARSE and the block "NAME:\n<Go's message>" ("unexpected
 * EOF", "invalid character '}' looking for beginning of value", "EOF" for
 * an empty file); numbers in enum and const messages print as written. A
 * leading UTF-8 byte order mark is skipped, as Helm's chart loader does.
 * schema_text is borrowed (len bytes, need not be NUL-terminated).
 */
int jschema_validate_text(struct buf *errors_out, const char *schema_text, size_t len,
			  const json_t *instance, const char *chart_name_or_path,
			  struct diag *d);

#endif
