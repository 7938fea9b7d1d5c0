/*
 * gitops/textdiff: a line-based unified diff as `git diff` prints it.
 *
 * The edit script is git's: Myers' O(ND) difference (the linear-space,
 * middle-snake form) after git's setting aside of lines, then git's
 * post-processing of ambiguous change groups (slid down as far as they go,
 * lined up with a change on the other side when they can be, else placed by
 * the indent heuristic that `git diff` uses by default). Hunks carry 3 lines
 * of context by default, changes closer than twice the context share a hunk,
 * and the hunk header names the nearest line above the hunk (back to the
 * previous hunk, else the previous hunk's) that starts with a letter, '_' or
 * '$' (git's default "function" line, at most 80 bytes).
 * A last line without '\n' is followed by "\ No newline at end of file".
 * Input holding a NUL byte is binary: "Binary files A and B differ".
 *
 * The work is bounded: past a cost the search settles for a diff that is
 * correct but may not be minimal (as git's heuristic does).
 */
#ifndef HYDRATE_GITOPS_TEXTDIFF_H
#define HYDRATE_GITOPS_TEXTDIFF_H

#include <stddef.h>

struct buf;

struct textdiff_stats {
	size_t added;    /* '+' lines */
	size_t removed;  /* '-' lines */
	size_t hunks;
	int binary;      /* 1: the inputs were compared as binary */
};

/*
 * Appends to out the unified diff of a (alen bytes; NULL for an absent file)
 * against b: "--- A_LABEL\n+++ B_LABEL\n" then the hunks, as git prints
 * them after its "diff --git" and "index" lines. Labels are printed as
 * given ("a/path", "b/path", "/dev/null"). Equal inputs append nothing.
 * context < 0 means 3. stats (nullable) is filled in. Returns 0, or
 * DIAG_ENOMEM (out may then hold part of the diff).
 */
int textdiff_unified(struct buf *out, const char *a, size_t alen, const char *b, size_t blen,
		     const char *a_label, const char *b_label, int context,
		     struct textdiff_stats *stats);

#endif
