/*
 * Fuzz target for render/yaml.c: every input goes through ystream_parse in
 * both modes and through ydoc_parse_values. Inputs are capped at 1 MiB, and
 * the limits are lowered so that a run stays fast; nothing may crash, leak
 * or read out of bounds, whatever the input.
 */
#include "fuzz.h"

#include "render/diag.h"
#include "render/srcfile.h"
#include "render/yaml.h"

#include <string.h>

#define MAX_INPUT ((size_t)1 << 20)

static void check_stream(const struct ystream *s)
{
	size_t i;
	struct ypos pos;

	for (i = 0; i < s->ndocs; i++) {
		const struct ydoc *doc = &s->docs[i];
		/* offsets lie inside the text and are ordered */
		if (doc->start > doc->end || doc->end > doc->src->len)
			__builtin_trap();
		if (doc->root && ydoc_locate(doc, "", &pos) == 0 &&
		    (pos.line < 1 || pos.col < 1))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ydoc_limits lim = { .max_depth = 200, .max_nodes = 200000, .max_docs = 1000 };
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	json_t *vals = NULL;

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	if (srcfile_set(&src, "fuzz.yaml", data, size) < 0)
		return 0;
	if (ystream_parse(&s, &src, YDOC_HELM, &lim, &d) == 0)
		check_stream(&s);
	ystream_release(&s);
	if (ystream_parse(&s, &src, YDOC_KUSTOMIZE, &lim, &d) == 0)
		check_stream(&s);
	ystream_release(&s);
	if (ydoc_parse_values(&vals, &src, &d) == 0 && !json_is_object(vals))
		__builtin_trap();
	json_decref(vals);
	diag_release(&d);
	srcfile_release(&src);
	return 0;
}
