/*
 * Fuzz target for render/yaml.c: every input goes through ystream_parse in
 * both modes and through ydoc_parse_values. Inputs are capped at 1 MiB, and
 * the limits are lowered so that a run stays fast; nothing may crash, leak
 * or read out of bounds, whatever the input. In Kustomize mode the input is
 * also parsed as `hydrate kustomize` parses a long file (ydoc_limits.threads,
 * here from 16 bytes on): split at a "---" line and parsed in two halves at
 * once, the result (documents, offsets, code, message) must be the whole
 * parse's.
 */
#include "fuzz.h"

#include "render/diag.h"
#include "render/srcfile.h"
#include "render/yaml.h"

#include <string.h>

#define MAX_INPUT ((size_t)1 << 20)

/* A split parse of src gives what a whole one gives. */
static void check_split(struct srcfile *src, const struct ydoc_limits *base)
{
	struct ydoc_limits one = *base, two = *base;
	struct ystream s1 = YSTREAM_INIT, s2 = YSTREAM_INIT;
	struct diag d1 = DIAG_INIT, d2 = DIAG_INIT;
	int e1, e2;

	one.no_positions = two.no_positions = 1;
	two.threads = 1;
	two.split_min = 16;
	e1 = ystream_parse(&s1, src, YDOC_KUSTOMIZE, &one, &d1);
	e2 = ystream_parse(&s2, src, YDOC_KUSTOMIZE, &two, &d2);
	if (e1 != e2 || d1.code != d2.code || s1.ndocs != s2.ndocs ||
	    strcmp(d1.msg.ptr ? d1.msg.ptr : "", d2.msg.ptr ? d2.msg.ptr : "") != 0)
		__builtin_trap();
	for (size_t i = 0; i < s1.ndocs; i++) {
		const struct ydoc *a = &s1.docs[i], *b = &s2.docs[i];

		if (!json_equal(a->root, b->root) || a->start != b->start || a->end != b->end ||
		    a->pos.line != b->pos.line || a->pos.col != b->pos.col ||
		    a->merged != b->merged || b->src != src)
			__builtin_trap();
	}
	ystream_release(&s1);
	ystream_release(&s2);
	diag_release(&d1);
	diag_release(&d2);
}

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
	check_split(&src, &lim);
	if (ydoc_parse_values(&vals, &src, &d) == 0 && !json_is_object(vals))
		__builtin_trap();
	json_decref(vals);
	diag_release(&d);
	srcfile_release(&src);
	return 0;
}
