/*
 * Fuzz target for render/yscan.c: on every input the fast event source
 * either bails out or gives libyaml's very event sequence, every field of
 * every event compared (tests/unit/yscan_diff.h); a mismatch traps. Then
 * the input goes through ystream_parse, which takes the fast path first.
 */
#include "fuzz.h"

#include "render/diag.h"
#include "render/srcfile.h"
#include "render/yaml.h"
#include "../unit/yscan_diff.h"

#include <string.h>

#define MAX_INPUT ((size_t)1 << 18)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ydoc_limits lim = { .max_depth = 200, .max_nodes = 200000, .max_docs = 1000 };
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;

	if (size > MAX_INPUT)
		return 0;
	if (yscan_diff((const char *)data, size, NULL, 0) == YSCAN_DIFF_MISMATCH)
		__builtin_trap();
	if (srcfile_set(&src, "fuzz.yaml", data, size) == 0) {
		ystream_parse(&s, &src, YDOC_KUSTOMIZE, &lim, &d);
		ystream_release(&s);
	}
	diag_release(&d);
	srcfile_release(&src);
	return 0;
}
