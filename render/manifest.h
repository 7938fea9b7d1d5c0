/*
 * render/manifest: a rendered multi-document YAML stream (Helm's or
 * Kustomize's output) split into resources, each keeping its bytes exactly,
 * and named as files (docs/hydrate-yaml.md, "Manifest files").
 *
 * - Documents are cut at the `---` that starts each one (the reader's
 *   document start offsets), so the bytes between two markers belong to the
 *   earlier document; the leading `---` line of each is dropped and a
 *   missing final newline is added. Nothing is re-emitted.
 * - Empty documents (nothing, only comments, or `null`) are dropped.
 * - Each kept document must be a mapping with a non-empty string `kind`;
 *   `metadata.name` is required except for List kinds; apiVersion and
 *   metadata.namespace are optional strings.
 * - A List (kind "List", or a kind ending in "List" with an `items`
 *   sequence) stays one file; it is flagged MANIFEST_LIST, and also
 *   MANIFEST_SECRET if any item is a Secret.
 * - File names: `<kind>-<name>.yaml`, lower-cased, bytes outside
 *   [a-z0-9._-] replaced by '_'; a List without a name is `<kind>-<n>.yaml`
 *   (n its 1-based position among the kept documents). Documents whose names
 *   collide are all renamed `<kind>-<namespace|_>-<name>.yaml`, then
 *   `<kind>.<group|core>-<namespace|_>-<name>.yaml`; two documents of the
 *   same group, kind, namespace and name are DIAG_ECONFLICT. A name that
 *   still collides gets `-2`, `-3`... in stream order.
 * - The set is sorted by file name (bytewise); `index` keeps stream order.
 */
#ifndef HYDRATE_MANIFEST_H
#define HYDRATE_MANIFEST_H

#include "render/yaml.h"

#include <stddef.h>

struct diag;
struct srcfile;

enum manifest_flags {
	MANIFEST_SECRET = 1 << 0, /* a v1 Secret (or a List holding one): mask its data */
	MANIFEST_LIST = 1 << 1    /* a List kind kept whole */
};

struct manifest_doc {
	char *api_version;  /* owned; "" when absent */
	char *kind;         /* owned */
	char *name;         /* owned; "" for an unnamed List */
	char *namespace;    /* owned; NULL when absent */
	char *filename;     /* owned; e.g. "deployment-web.yaml" */
	char *data;         /* owned; the document's bytes, ending in '\n'; NUL-terminated */
	size_t len;
	size_t index;       /* position among kept documents, in stream order */
	int line;           /* where the document starts in the stream (1-based) */
	unsigned flags;     /* enum manifest_flags */
};

struct manifest_set {
	struct manifest_doc *docs; /* owned, sorted by filename */
	size_t n;
};

#define MANIFEST_SET_INIT { NULL, 0 }

/*
 * Splits src (read in mode: YDOC_HELM for Helm's output, YDOC_KUSTOMIZE for
 * Kustomize's). On success *out owns the documents (release with
 * manifest_set_release); on error it is left empty. Errors: the reader's
 * (DIAG_EPARSE, DIAG_ELIMIT), DIAG_EINVALID ("NAME:LINE:COL: document N
 * ..."), DIAG_ECONFLICT for a duplicate resource, DIAG_ENOMEM.
 */
int manifest_split(struct manifest_set *out, struct srcfile *src, enum ydoc_mode mode,
		   struct diag *d);
void manifest_set_release(struct manifest_set *set);

/* Borrowed lookup by file name (binary search); NULL if absent. */
const struct manifest_doc *manifest_set_find(const struct manifest_set *set,
					     const char *filename);

#endif
