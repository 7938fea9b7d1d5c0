/*
 * YAML streams -> json_t, with positions (libyaml).
 *
 * Two scalar-typing modes, because the tools hydrate replaces disagree:
 *
 *   YDOC_HELM       what Helm does to values files: sigs.k8s.io/yaml, i.e.
 *                   go-yaml v2 (YAML 1.1 resolution: yes/no/on/off/y/n are
 *                   booleans, also as keys; 0777 octal; 1_000; base 60 ...),
 *                   then through JSON: every number becomes a json_real
 *                   (Go float64), every key a string.
 *   YDOC_KUSTOMIZE  go-yaml v3 (YAML 1.2 core schema) as kyaml reads
 *                   resources: ints stay json_integer, floats json_real,
 *                   yes/no/on/off stay strings.
 *
 * docs/yaml.md lists the exact rules of each mode.
 *
 * Positions: unless the limits ask for no_positions, every node's start is
 * recorded under its JSON Pointer (RFC 6901, "" for the root,
 * "/spec/containers/0/image"), so later stages can point an error at
 * file:line:col. true/false/null are shared singletons in jansson, so
 * positions are never keyed by json_t pointer.
 */
#ifndef HYDRATE_YAML_H
#define HYDRATE_YAML_H

#include <jansson.h>
#include <stddef.h>

struct diag;
struct srcfile;

enum ydoc_mode {
	YDOC_HELM,
	YDOC_KUSTOMIZE
};

/* Limits for untrusted input. Zero fields take the defaults below. */
struct ydoc_limits {
	size_t max_depth;       /* nesting of collections (default 1000) */
	size_t max_nodes;       /* nodes after alias expansion, per stream (default 10,000,000) */
	size_t max_alias_ratio; /* expanded nodes per parsed node once past 10,000 (default 100) */
	size_t max_docs;        /* documents per stream (default 100,000) */
	size_t max_size;        /* bytes of input (default SRCFILE_MAX_SIZE) */
	size_t max_stack;       /* bytes of C stack the parse may use (default 6 MiB:
				 * parse on a thread with at least 8 MiB of stack) */
	int no_positions;       /* nonzero: record no node positions (ydoc.positions
				 * stays NULL, ydoc_locate finds nothing); errors
				 * still name file:line:col. Saves a JSON Pointer and
				 * an object entry per node for callers that never
				 * ask for positions. */
	int threads;            /* nonzero, with no_positions: ystream_parse may
				 * parse a long input in two halves, cut at a
				 * "---" line, the second on a thread of its own;
				 * the result, errors included, is the same. The
				 * caller's json allocator must be thread-safe
				 * (malloc, or jslab). */
	size_t split_min;       /* with threads: the shortest input that may be
				 * split (default 64 KiB; the fuzz target lowers
				 * it to compare split and whole parses) */
};

#define YDOC_LIMITS_DEFAULT { 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/* A 1-based position in a srcfile; col counts characters, as libyaml's marks. */
struct ypos {
	int line, col;
};

struct ydoc {
	json_t *root;           /* owned; null (json_null()) for an empty document */
	struct srcfile *src;    /* borrowed: the stream's source */
	size_t start, end;      /* byte offsets of the document's text in src */
	struct ypos pos;        /* where the document's root node starts */
	json_t *positions;      /* owned; object: JSON Pointer -> [line, col] (json_integer);
				 * NULL when parsed with no_positions */
	int merged;             /* nonzero: the document has a "<<" merge key, whose
				 * values may be held twice in root (aliases are
				 * copied: without a merge no node is held twice) */
};

struct ystream {
	struct ydoc *docs;
	size_t ndocs;
};

#define YSTREAM_INIT { NULL, 0 }

/*
 * Parses every document of src. Empty documents (a lone "---", or a document
 * holding only comments) are kept, with a null root, because Helm and
 * Kustomize treat them differently; callers drop what they must.
 * A duplicate key in one mapping is an error in YDOC_KUSTOMIZE mode (yaml.v3
 * rejects it) and last-wins in YDOC_HELM mode (yaml.v2 into a map).
 * Errors: DIAG_EPARSE (message "NAME:LINE:COL: ..." naming what was expected),
 * DIAG_ELIMIT (a limit was hit; the message names it), DIAG_ENOMEM.
 * On error *out is left empty.
 */
int ystream_parse(struct ystream *out, struct srcfile *src, enum ydoc_mode mode,
		  const struct ydoc_limits *limits, struct diag *d);
void ystream_release(struct ystream *s);

/*
 * Parses src as Helm 4.1 loads a values file: the text is split at `---`
 * lines, each document is parsed on its own and the documents are merged
 * recursively; an empty file (or only comments) is {}; a top-level value
 * that is not a mapping is an error. *out is new.
 */
int ydoc_parse_values(json_t **out, struct srcfile *src, struct diag *d);

/* Where the node at pointer starts: 0, or DIAG_ENOTFOUND. */
int ydoc_locate(const struct ydoc *doc, const char *pointer, struct ypos *out);

#endif
