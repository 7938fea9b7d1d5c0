/*
 * Fuzz target for gitops/diff and gitops/textdiff: the input is cut at its
 * first NUL (or in half) into an old and a new file. textdiff_unified
 * compares them as text; then each gets a v1 Secret document appended (a
 * different value on each side) and diff_trees compares them as one
 * managed file, and every report format is printed, with and without
 * colour. Nothing may crash, leak or read out of bounds, and the Secret's
 * values (and their base64 text) must never appear in a report.
 */
#define _GNU_SOURCE /* memmem */
#include "fuzz.h"

#include "gitops/diff.h"
#include "gitops/git.h"
#include "gitops/textdiff.h"
#include "gitops/tree.h"
#include "render/buf.h"
#include "render/diag.h"

#include <string.h>

#define MAX_INPUT ((size_t)64 << 10)

/* "hydrate-fuzz-old" and "hydrate-fuzz-new", base64. */
#define S_OLD_B64 "aHlkcmF0ZS1mdXp6LW9sZA=="
#define S_NEW_B64 "aHlkcmF0ZS1mdXp6LW5ldw=="

static void S_secret(struct buf *b, const char *data, size_t len, const char *b64,
		     const char *plain)
{
	buf_add(b, data, len);
	buf_addf(b, "\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: fuzz\n"
		    "data:\n  k: %s\nstringData:\n  p: %s\n", b64, plain);
}

static void S_no_leak(const struct buf *out)
{
	static const char *const secrets[] = { S_OLD_B64, S_NEW_B64, "hydrate-fuzz-old",
					       "hydrate-fuzz-new" };

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (out->ptr && memmem(out->ptr, out->len, secrets[i], strlen(secrets[i])))
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char salt[] = "fuzz";
	const char *s = (const char *)data, *cut;
	struct buf a = BUF_INIT, b = BUF_INIT, out = BUF_INIT;
	struct tree t = TREE_INIT;
	struct repo_files old = REPO_FILES_INIT;
	struct diff_result r = DIFF_RESULT_INIT;
	struct diff_opts o = { salt, sizeof(salt) - 1, 1 };
	struct diag d = DIAG_INIT;
	size_t alen, blen;

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	/* an input that spells the markers itself would be no leak */
	if (memmem(data, size, "hydrate-fuzz", 12) || memmem(data, size, "aHlkcmF0ZS1mdXp6", 16))
		return 0;
	cut = memchr(s, '\0', size);
	alen = cut ? (size_t)(cut - s) : size / 2;
	blen = size - alen - (cut ? 1 : 0);
	textdiff_unified(&out, s, alen, s + size - blen, blen, "a/x", "b/x", size & 7, NULL);

	S_secret(&a, s, alen, S_OLD_B64, "hydrate-fuzz-old");
	S_secret(&b, s + size - blen, blen, S_NEW_B64, "hydrate-fuzz-new");
	if (buf_oom(&a) || buf_oom(&b) ||
	    tree_add_root(&t, "r", &d) < 0 ||
	    tree_add(&t, "r/x.yaml", b.ptr, b.len, 0, &d) < 0 ||
	    repo_files_add(&old, "r/x.yaml", a.ptr, a.len, REPO_FILE_BLOB) < 0)
		goto done;
	if (diff_trees(&r, &t, &old, &o, &d) < 0)
		goto done;
	for (int f = DIFF_FORMAT_TEXT; f <= DIFF_FORMAT_JSON; f++) {
		for (int color = 0; color < 2; color++) {
			buf_reset(&out);
			if (diff_report(&out, &r, (enum diff_format)f, color, &d) == 0)
				S_no_leak(&out);
		}
	}
	buf_reset(&out);
	diff_summary(&out, &r);
done:
	diff_result_release(&r);
	repo_files_release(&old);
	tree_release(&t);
	buf_release(&a);
	buf_release(&b);
	buf_release(&out);
	diag_release(&d);
	return 0;
}
