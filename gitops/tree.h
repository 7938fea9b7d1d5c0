/*
 * The rendered tree: { path in the GitOps repository -> bytes }, in memory,
 * kept sorted by path (bytewise) for binary-search lookups and ordered
 * output. It is the one hand-off between rendering and GitOps (DESIGN.md):
 * jobs add their manifests under their path; the tree is then written to a
 * directory, diffed, or turned into git objects.
 *
 * Every path is relative, '/'-separated, with no empty, '.' or '..'
 * component and no '.git' component. A path is in at most one job's root
 * ("managed path"); only managed paths are touched when the tree is written.
 *
 * Ownership: a tree owns copies of every path and byte string added.
 */
#ifndef HYDRATE_TREE_H
#define HYDRATE_TREE_H

#include <stddef.h>

struct diag;
struct manifest_set;

enum tree_flags {
	TREE_SECRET = 1 << 0  /* holds Secret data: diffs and reports mask it */
};

struct tree_entry {
	char *path;
	char *data;       /* NUL-terminated; may hold NULs (use len) */
	size_t len;
	unsigned flags;   /* enum tree_flags */
};

struct tree {
	struct tree_entry *entries; /* sorted by path */
	size_t n, alloc;
	char **roots;               /* managed paths, sorted */
	size_t nroots;
};

#define TREE_INIT { NULL, 0, 0, NULL, 0 }

void tree_release(struct tree *t);

/* 0 if path is acceptable in the tree, else DIAG_EINVALID with a message. */
int tree_check_path(const char *path, struct diag *d);

/* Adds a copy of data at path. DIAG_ECONFLICT if path is already there,
 * DIAG_EINVALID for a bad path. */
int tree_add(struct tree *t, const char *path, const void *data, size_t len,
	     unsigned flags, struct diag *d);

/* Declares root a managed path (stale files under it are pruned when the
 * tree is written). DIAG_ECONFLICT if it is already managed. */
int tree_add_root(struct tree *t, const char *root, struct diag *d);

/*
 * Adds a job's manifests under root (which it also declares managed):
 * split != 0: each document at root/<filename>; split == 0: all documents,
 * in stream order, in root/manifest.yaml, each after a "---" line. Secret
 * documents give TREE_SECRET entries (the joined file is flagged if any is).
 */
int tree_add_manifests(struct tree *t, const char *root, const struct manifest_set *set,
		       int split, struct diag *d);

/* Borrowed; NULL if absent. */
const struct tree_entry *tree_find(const struct tree *t, const char *path);

/* ---- provenance ---- */

#define TREE_PROVENANCE_FILE ".hydrate/provenance.json"

/* sha256 over named inputs, each framed by its name and length so that no
 * two different input lists hash alike. */
struct tree_digest {
	void *ctx;   /* EVP_MD_CTX, owned */
	int error;
};

int tree_digest_init(struct tree_digest *dg);
void tree_digest_add(struct tree_digest *dg, const char *name, const void *data, size_t len);
/* Writes "sha256:<64 hex>" and a NUL into out (at least 72 bytes); frees the
 * context. DIAG_ENOMEM/-1 if anything failed. */
int tree_digest_final(struct tree_digest *dg, char *out, size_t outlen);
void tree_digest_release(struct tree_digest *dg);
/*
 * Adds a file or a whole directory under the name label: a file as
 * (label, its bytes); a directory as each file below it, directory by
 * directory, each level's names in bytewise order (so "a/x" comes before
 * "a.txt"), named "label/relpath" ('.git' skipped); a symbolic link
 * as (name + " -> ", its target text), never followed. DIAG_ENOTFOUND if
 * path does not exist, -1 on a read error; depth is bounded (64).
 */
int tree_digest_path(struct tree_digest *dg, const char *label, const char *path,
		     struct diag *d);

struct tree_provenance {
	const char *app, *env;
	const char *source_repository;  /* may be NULL */
	const char *source_commit;      /* may be NULL */
	const char *hydrate_version;
	const char *inputs_digest;      /* from tree_digest_final */
};

/* Adds root/.hydrate/provenance.json: JSON with sorted keys, two-space
 * indent, a final newline, no timestamps (reruns give the same bytes). */
int tree_add_provenance(struct tree *t, const char *root, const struct tree_provenance *p,
			struct diag *d);

/* ---- writing ---- */

struct tree_write_stats {
	size_t written;    /* files created or changed */
	size_t unchanged;  /* files whose bytes were already right */
	size_t removed;    /* stale files pruned under managed paths */
};

/*
 * Writes t into the directory dir: every entry is first written to a
 * temporary file next to its target, and only when all were written are
 * they renamed into place; then stale files under the managed paths are
 * removed (and directories left empty by that). Files outside managed
 * paths are never touched; files whose bytes are already right are not
 * rewritten. A managed path that is (or passes through) a symbolic link is
 * refused. stats may be NULL.
 */
int tree_write(const struct tree *t, const char *dir, struct tree_write_stats *stats,
	       struct diag *d);

#endif
