/*
 * gitops/diff: the rendered tree against what the GitOps repository (or a
 * directory) holds under the managed paths, per file, per resource and per
 * field, and the reports printed from it (docs/diff.md).
 *
 * Files: only paths under the tree's managed roots are compared (a root is
 * a directory, or a single file); a file only in the tree is added, one only
 * in the old set is removed, one whose bytes differ is changed. Unchanged
 * files are counted, not listed.
 *
 * Resources: both sides are parsed as Kustomize reads resources (render/yaml
 * YDOC_KUSTOMIZE); documents are matched by (apiVersion, kind, namespace,
 * name). Fields are compared as values (key order and YAML style do not
 * count) and named by a path such as
 *     spec.template.spec.containers[name=web].image
 *     metadata.labels["app.kubernetes.io/name"]
 *     spec.rules[0].host
 * Sequences whose items are all mappings with a distinct string `name` on
 * both sides are matched by name; others by index. A field present on one
 * side only is added or removed as a whole; a value of another type is
 * changed.
 *
 * Secrets: a file flagged TREE_SECRET in the tree, or holding a v1 Secret on
 * either side (also inside a List), is masked. A value of a Secret's `data`
 * or `stringData`, and its kubectl.kubernetes.io/last-applied-configuration
 * annotation, never reaches a diff_result: each such key is reported added,
 * removed or changed with a salted digest (diff_digest), and the file's text
 * diff is made from a masked rendering of its documents (values replaced by
 * their digests), not from its bytes. A masked file that does not parse
 * gets no text diff at all.
 *
 * Ownership: a struct diff_result owns everything under it; it borrows
 * nothing from the inputs.
 */
#ifndef HYDRATE_GITOPS_DIFF_H
#define HYDRATE_GITOPS_DIFF_H

#include <jansson.h>
#include <stddef.h>

struct buf;
struct diag;
struct repo_files;
struct tree;

enum diff_status {
	DIFF_ADDED = 1,
	DIFF_REMOVED = 2,
	DIFF_CHANGED = 3
};

/* "added", "removed", "changed". */
const char *diff_status_name(enum diff_status s);

#define DIFF_DIGEST_LEN 8  /* hex digits of a masked value's digest */

/* One changed field of a resource. */
struct diff_field {
	char *path;                /* see above; "" for the whole document */
	enum diff_status status;
	json_t *old_value;         /* owned; NULL when absent or masked */
	json_t *new_value;         /* owned; NULL when absent or masked */
	int masked;                /* 1: values withheld, digests below */
	char old_digest[DIFF_DIGEST_LEN + 1]; /* "" when absent or not masked */
	char new_digest[DIFF_DIGEST_LEN + 1];
};

/* One added, removed or changed resource (document) of a file. */
struct diff_resource {
	char *api_version;         /* "" when absent */
	char *kind;                /* "" when absent */
	char *namespace;           /* "" when absent */
	char *name;                /* "" when absent */
	enum diff_status status;
	int secret;                /* a v1 Secret: its data is masked */
	struct diff_field *fields; /* DIFF_CHANGED only; in document order */
	size_t nfields;
};

enum diff_file_flags {
	DIFF_FILE_SECRET = 1 << 0,   /* masked (see above) */
	DIFF_FILE_UNPARSED = 1 << 1, /* a side is not YAML: no resources listed */
	DIFF_FILE_BINARY = 1 << 2    /* a side holds a NUL byte */
};

struct diff_file {
	char *path;                /* in the repository */
	char *root;                /* the managed root it lies under */
	enum diff_status status;
	unsigned flags;            /* enum diff_file_flags */
	struct diff_resource *resources; /* new side's order, then removed ones */
	size_t nresources;
	char *text;                /* unified diff ("--- a/P" ...); "" if none; owned */
	size_t text_len;
	size_t lines_added, lines_removed;
};

struct diff_result {
	struct diff_file *files;   /* sorted by path */
	size_t n;
	char **roots;              /* the managed roots compared, sorted */
	size_t nroots;
	size_t unchanged;          /* files equal on both sides */
};

#define DIFF_RESULT_INIT { NULL, 0, NULL, 0, 0 }

struct diff_opts {
	/* Salt of the digests: NULL means diff_salt_default(). */
	const unsigned char *salt;
	size_t salt_len;
	int context;               /* lines of text-diff context; < 0: 3 */
};

/*
 * Compares new_tree with old (any order; paths outside the tree's managed
 * roots are ignored). *out must be DIFF_RESULT_INIT; on error it is left
 * empty. o may be NULL. Errors: DIAG_ENOMEM, -1 when no salt can be made.
 */
int diff_trees(struct diff_result *out, const struct tree *new_tree,
	       const struct repo_files *old, const struct diff_opts *o, struct diag *d);
void diff_result_release(struct diff_result *r);

/* 1 if r holds any difference. */
int diff_result_differs(const struct diff_result *r);

/*
 * Reads the files under each root (relative to dir) into *out (which the
 * caller initialised), sorted: regular files as REPO_FILE_BLOB (or
 * REPO_FILE_EXECUTABLE), symbolic links as REPO_FILE_SYMLINK with their
 * target (never followed). '.git' is skipped; a missing root gives nothing.
 * Depth is bounded (64), as is a file's size (SRCFILE_MAX_SIZE). Errors:
 * DIAG_ENOTFOUND when dir is missing, DIAG_ELIMIT, -1 on a read error.
 */
int diff_read_dir(struct repo_files *out, const char *dir, char *const *roots,
		  size_t nroots, struct diag *d);

/*
 * The salt for this process: the bytes of $HYDRATE_DIFF_SALT when set and
 * not empty, else 16 random bytes drawn once per process. Borrowed; NULL if
 * no random bytes could be had.
 */
const unsigned char *diff_salt_default(size_t *len_out);

/*
 * The digest of a masked value: the first DIFF_DIGEST_LEN hex digits of
 * sha256(salt_len as 8 bytes big-endian || salt || key_len as 8 bytes ||
 * key || value). Writes DIFF_DIGEST_LEN digits and a NUL into out.
 */
int diff_digest(char out[DIFF_DIGEST_LEN + 1], const unsigned char *salt, size_t salt_len,
		const char *key, const void *value, size_t value_len);

/* ---- reports (gitops/report.c) ---- */

enum diff_format {
	DIFF_FORMAT_TEXT,
	DIFF_FORMAT_MARKDOWN,
	DIFF_FORMAT_JSON
};

/* Parses "text", "markdown" (or "md"), "json"; -1 otherwise. */
int diff_format_parse(enum diff_format *out, const char *name);

/*
 * Appends r as a report to out:
 *   text      per file a status line, its changed resources and fields,
 *             and its unified diff; then a summary line. color != 0 adds
 *             ANSI colours (git's: red removed, green added, cyan hunks,
 *             bold headers).
 *   markdown  for a pull request comment: a summary table per managed
 *             root, then per file a <details> block with the fields and a
 *             ```diff block.
 *   json      docs/diff.md's schema (version 1), keys in a fixed order,
 *             two-space indent, final newline.
 * Every format ends with (or holds) the summary counts. Returns 0 or
 * DIAG_ENOMEM.
 */
int diff_report(struct buf *out, const struct diff_result *r, enum diff_format f, int color,
		struct diag *d);

/* The summary line: "N files differ (A added, R removed, C changed), U
 * unchanged" or "no differences (U files unchanged)"; no newline. */
int diff_summary(struct buf *out, const struct diff_result *r);

#endif
