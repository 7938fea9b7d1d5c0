/*
 * jtree: see jtree.h.
 */
#include "render/jtree.h"

static json_t *S_copy(const json_t *v, int depth)
{
	json_t *out, *kid;
	size_t i, n;

	if (!v || depth > JTREE_MAX_DEPTH)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		void *it;

		if (!(out = json_object()))
			return NULL;
		for (it = json_object_iter((json_t *)v); it;
		     it = json_object_iter_next((json_t *)v, it)) {
			/* keys are valid UTF-8 already: no second check */
			if (!(kid = S_copy(json_object_iter_value(it), depth + 1)) ||
			    json_object_setn_new_nocheck(out, json_object_iter_key(it),
							 json_object_iter_key_len(it), kid) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	case JSON_ARRAY:
		n = json_array_size(v);
		if (!(out = json_array()))
			return NULL;
		for (i = 0; i < n; i++) {
			if (!(kid = S_copy(json_array_get(v, i), depth + 1)) ||
			    json_array_append_new(out, kid) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	case JSON_STRING:
		return json_stringn_nocheck(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return json_integer(json_integer_value(v));
	case JSON_REAL:
		return json_real(json_real_value(v));
	case JSON_TRUE:
		return json_true();
	case JSON_FALSE:
		return json_false();
	case JSON_NULL:
		return json_null();
	}
	return NULL;
}

json_t *jtree_copy(const json_t *v)
{
	return S_copy(v, 0);
}
