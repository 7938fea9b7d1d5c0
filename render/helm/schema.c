/*
 * Helm's ValidateAgainstSchema over a chart tree; each chart's schema is
 * checked by render/jsonschema.c (santhosh-tekuri/jsonschema v6's rules and
 * texts). See schema.h.
 */
#include "render/helm/schema.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/chart.h"
#include "render/jsonschema.h"

#include <string.h>

static int S_validate_chart(struct buf *sb, const struct chart *c, json_t *values, int depth,
			    struct diag *d)
{
	int error;

	if (depth > 64)
		return diag_set(d, DIAG_ELIMIT, "subcharts nested too deeply");
	if (c->schema) {
		/* render/jsonschema.c appends "NAME:\n- at ...\n" for a failure */
		error = jschema_validate_text(sb, c->schema, c->schema_len, values, c->name, d);
		if (error < 0 && error != DIAG_EINVALID && error != DIAG_EPARSE)
			return error;
	}
	for (size_t i = 0; i < c->ndeps; i++) {
		json_t *raw = json_object_get(values, c->deps[i]->name);
		if (!raw || json_is_null(raw))
			continue;
		if (!json_is_object(raw)) {
			buf_addf(sb, "%s:\ninvalid type for values: expected object (map), got %s\n",
				 c->deps[i]->name, json_is_string(raw) ? "string" :
				 json_is_boolean(raw) ? "bool" : json_is_array(raw) ?
				 "[]interface {}" : "float64");
			continue;
		}
		if ((error = S_validate_chart(sb, c->deps[i], raw, depth + 1, d)) < 0)
			return error;
	}
	return 0;
}

int helm_schema_validate_chart(const struct chart *c, json_t *values, struct diag *d)
{
	struct buf sb = BUF_INIT;
	int error = S_validate_chart(&sb, c, values, 0, d);

	if (error == 0 && sb.len)
		error = diag_set(d, DIAG_EINVALID, "%s%s", JSCHEMA_MSG_PREFIX, sb.ptr);
	else if (error == 0 && buf_oom(&sb))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	buf_release(&sb);
	return error;
}
