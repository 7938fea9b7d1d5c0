/*
 * A fast YAML event source for a conservative subset of YAML.
 *
 * yscan produces the very yaml_event_t sequence that libyaml 0.2.5's
 * yaml_parser_parse produces (types, values, lengths, styles, implicit
 * flags, start and end marks counted in characters) for block mappings and
 * sequences, one-line plain and quoted scalars, literal and folded block
 * scalars, empty flow collections, comments and document markers. For
 * anything else it bails out: yscan_next returns YSCAN_BAIL and the caller
 * parses the whole stream again with libyaml. A bail can come after events
 * were handed out; it is never an error of the input.
 *
 * The scanner never allocates per token: the events it hands out borrow
 * their values from the scanner and stay valid until the next call of
 * yscan_next or yscan_release. They must not be passed to
 * yaml_event_delete.
 */
#ifndef HYDRATE_YSCAN_H
#define HYDRATE_YSCAN_H

#include "render/buf.h"

#include <stddef.h>
#include <yaml.h>

#define YSCAN_BAIL (-1)

struct yscan_frame;
struct yscan_qev;

struct yscan {
	const char *s;             /* borrowed input, n bytes */
	size_t n;
	size_t pos, line, lstart;  /* byte offset, 0-based line, its first byte */
	int ascii;                 /* no byte >= 0x80: bytes are characters */
	size_t cc_pos, cc_chars;   /* characters before byte cc_pos */
	size_t lc_pos, lc_chars;   /* characters before the line start lc_pos */
	int state, first_doc, nl, bailed;
	int bail_line;             /* where in yscan.c it bailed: for tests */
	int pend, pend_kind;       /* a node is expected; where */
	yaml_mark_t pend_mark;     /* where its empty scalar would be */
	struct yscan_frame *frames;
	size_t nframes, aframes;
	struct yscan_qev *q;       /* events made but not handed out */
	size_t qhead, qlen, qalloc;
	struct buf scratch;        /* scalar values of the queued events */
};

/* Prepares sc over s (borrowed until yscan_release). Returns 0, or
 * YSCAN_BAIL when the input has bytes the subset leaves to libyaml (tabs,
 * CR, control characters, NEL, LS, PS, BOM, invalid UTF-8). */
int yscan_init(struct yscan *sc, const char *s, size_t n);

/* The next event into *out (borrowed, see above): 0, or YSCAN_BAIL, after
 * which every further call bails too. */
int yscan_next(struct yscan *sc, yaml_event_t *out);

/* Frees what sc holds; sc may be zeroed or half initialized. */
void yscan_release(struct yscan *sc);

#endif
