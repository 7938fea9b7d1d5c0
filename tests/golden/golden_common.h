/*
 * Helpers shared by the golden-suite runners (tests/golden/<suite>.c).
 *
 * A runner is called as `golden_<suite> DIR [CASE...]`: DIR is
 * testdata/<suite>, each subdirectory of DIR is one case, and the runner
 * checks the cases in sorted order (only the named ones when CASE arguments
 * are given). It prints one line per failing case, then the closing line
 * `N passed, M failed` alone on a line, and exits 1 if any case failed
 * that DIR/KNOWN_FAILURES does not list (one line a case: its name, a space,
 * the reason; listed cases still run and still count as failed).
 * GOLDEN_VERBOSE=1 in the environment adds a few lines of context under
 * each failing case.
 *
 * Expected files come from the reference binaries only (the suites'
 * generator scripts say how); there is deliberately no mode that rewrites
 * them from our own output.
 */
#ifndef HYDRATE_GOLDEN_COMMON_H
#define HYDRATE_GOLDEN_COMMON_H

#include <stddef.h>

#include "render/buf.h"

/*
 * One case, as the runner's callback sees it. dir is "DIR/CASE"; name is
 * CASE. The callback reports the outcome with golden_fail() (any number of
 * times; the first call decides the printed line) or not at all (a pass).
 */
struct golden_case {
	const char *dir;
	const char *name;
	int failed;
};

typedef void (*golden_case_fn)(struct golden_case *c, void *payload);

/*
 * The whole runner: parses argv, walks the cases, calls fn for each, prints
 * the closing line. Returns the process exit status (0 all passed, 1 some
 * failed, 2 usage or I/O error).
 */
int golden_main(int argc, char **argv, golden_case_fn fn, void *payload);

/*
 * Sorted names of the subdirectories of dir ("." and ".." excluded).
 * *names_out is new: free it with golden_names_free. 0 or -1 (errno set).
 */
int golden_list_cases(char ***names_out, size_t *n_out, const char *dir);
void golden_names_free(char **names, size_t n);

/*
 * Reads the file "c->dir/file" into out (replacing its contents).
 * 0; 1 if the file does not exist; -1 on any other error.
 */
int golden_read(struct buf *out, const struct golden_case *c, const char *file);
/* Whether "c->dir/file" exists. */
int golden_has(const struct golden_case *c, const char *file);
/* "c->dir/file" in a new malloc'd string (NULL if out of memory). */
char *golden_path(const struct golden_case *c, const char *file);

/*
 * Marks the case failed and, the first time, prints
 * "FAIL <name>: <message>" on one line.
 */
void golden_fail(struct golden_case *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Compares got with the expected text of file; on a difference, fails the
 * case with one line showing the first differing line of each side
 * (escaped, so invisible bytes show), and with GOLDEN_VERBOSE a few lines of
 * context. Returns 0 if equal, 1 if different.
 */
int golden_compare(struct golden_case *c, const char *file,
		   const char *expected, size_t expected_len,
		   const char *got, size_t got_len);

/* Appends s[0..len) to out with C-style escapes for bytes outside 0x20..0x7e,
 * backslash and double quote, at most max input bytes (then "..."). */
void golden_escape(struct buf *out, const char *s, size_t len, size_t max);

/*
 * Whether an error message names the file (file_name, e.g. "input.yaml")
 * and a line: "input.yaml:<digits>" or "line <digits>" anywhere in it.
 */
int golden_names_file_and_line(const char *msg, const char *file_name);

#endif
