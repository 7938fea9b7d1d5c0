/*
 * The differential check of render/yscan.c against libyaml, shared by
 * tests/unit/test_yscan.c and tests/fuzz/yscan_fuzz.c.
 *
 * yscan_diff runs both over s[0..n) and returns YSCAN_DIFF_SAME when the
 * fast source gives libyaml's very event sequence up to the stream end,
 * YSCAN_DIFF_BAIL when it bails (before or after any number of equal
 * events), and YSCAN_DIFF_MISMATCH otherwise: an event differs in any
 * field, or the fast source reaches the stream end where libyaml fails.
 * why (may be NULL, size whylen) then says where.
 */
#ifndef HYDRATE_YSCAN_DIFF_H
#define HYDRATE_YSCAN_DIFF_H

#include "render/yscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum { YSCAN_DIFF_SAME, YSCAN_DIFF_BAIL, YSCAN_DIFF_MISMATCH };

/* The line of render/yscan.c where the last bail happened (for stats). */
static int yscan_diff_bail_line;

static int yscan_diff_str(const yaml_char_t *a, const yaml_char_t *b)
{
	if (!a || !b)
		return a == b;
	return strcmp((const char *)a, (const char *)b) == 0;
}

static int yscan_diff_mark(yaml_mark_t a, yaml_mark_t b)
{
	return a.index == b.index && a.line == b.line && a.column == b.column;
}

/* Whether the fast event f equals libyaml's event y in every field. */
static int yscan_diff_equal(const yaml_event_t *f, const yaml_event_t *y)
{
	if (f->type != y->type || !yscan_diff_mark(f->start_mark, y->start_mark) ||
	    !yscan_diff_mark(f->end_mark, y->end_mark))
		return 0;
	switch (y->type) {
	case YAML_STREAM_START_EVENT:
		return f->data.stream_start.encoding == y->data.stream_start.encoding;
	case YAML_DOCUMENT_START_EVENT:
		return f->data.document_start.implicit == y->data.document_start.implicit &&
			!f->data.document_start.version_directive &&
			!y->data.document_start.version_directive &&
			f->data.document_start.tag_directives.start ==
			f->data.document_start.tag_directives.end &&
			y->data.document_start.tag_directives.start ==
			y->data.document_start.tag_directives.end;
	case YAML_DOCUMENT_END_EVENT:
		return f->data.document_end.implicit == y->data.document_end.implicit;
	case YAML_ALIAS_EVENT:
		return yscan_diff_str(f->data.alias.anchor, y->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return yscan_diff_str(f->data.scalar.anchor, y->data.scalar.anchor) &&
			yscan_diff_str(f->data.scalar.tag, y->data.scalar.tag) &&
			f->data.scalar.length == y->data.scalar.length &&
			memcmp(f->data.scalar.value, y->data.scalar.value,
			       y->data.scalar.length + 1) == 0 &&
			f->data.scalar.plain_implicit == y->data.scalar.plain_implicit &&
			f->data.scalar.quoted_implicit == y->data.scalar.quoted_implicit &&
			f->data.scalar.style == y->data.scalar.style;
	case YAML_SEQUENCE_START_EVENT:
		return yscan_diff_str(f->data.sequence_start.anchor,
				      y->data.sequence_start.anchor) &&
			yscan_diff_str(f->data.sequence_start.tag, y->data.sequence_start.tag) &&
			f->data.sequence_start.implicit == y->data.sequence_start.implicit &&
			f->data.sequence_start.style == y->data.sequence_start.style;
	case YAML_MAPPING_START_EVENT:
		return yscan_diff_str(f->data.mapping_start.anchor,
				      y->data.mapping_start.anchor) &&
			yscan_diff_str(f->data.mapping_start.tag, y->data.mapping_start.tag) &&
			f->data.mapping_start.implicit == y->data.mapping_start.implicit &&
			f->data.mapping_start.style == y->data.mapping_start.style;
	default:
		return 1;
	}
}

/*
 * libyaml's events first (all of them, up to its stream end or its error),
 * then the fast source's, compared one by one. Where libyaml failed, the
 * fast source must bail before its stream end.
 */
static int yscan_diff(const char *s, size_t n, char *why, size_t whylen)
{
	yaml_parser_t yp;
	struct yscan sc;
	yaml_event_t *ye = NULL, fe;
	size_t ny = 0, ay = 0, k;
	int result = YSCAN_DIFF_BAIL, yfail = 0;

	if (why && whylen)
		why[0] = '\0';
	memset(&sc, 0, sizeof(sc));
	if (!yaml_parser_initialize(&yp))
		return YSCAN_DIFF_BAIL;
	yaml_parser_set_input_string(&yp, (const unsigned char *)s, n);
	for (;;) {
		if (ny == ay) {
			size_t na = ay ? 2 * ay : 64;
			yaml_event_t *ne = realloc(ye, na * sizeof(*ne));
			if (!ne)
				goto out;
			ye = ne;
			ay = na;
		}
		if (!yaml_parser_parse(&yp, &ye[ny])) {
			yfail = 1;
			break;
		}
		if (ye[ny++].type == YAML_STREAM_END_EVENT)
			break;
	}
	if (yscan_init(&sc, s, n) < 0)
		goto out;
	for (k = 0;; k++) {
		if (yscan_next(&sc, &fe) < 0)
			goto out;
		if (k >= ny) {
			/* libyaml failed here: the fast source must bail later */
			if (fe.type != YAML_STREAM_END_EVENT)
				continue;
			if (why)
				snprintf(why, whylen, "event %zu: libyaml fails (%s at %zu:%zu), "
					 "yscan reaches the stream end", ny,
					 yp.problem ? yp.problem : "?",
					 yp.problem_mark.line + 1, yp.problem_mark.column + 1);
			result = YSCAN_DIFF_MISMATCH;
			goto out;
		}
		if (!yscan_diff_equal(&fe, &ye[k])) {
			const yaml_event_t *y = &ye[k];
			if (why)
				snprintf(why, whylen, "event %zu: type %d/%d, start %zu:%zu:%zu/"
					 "%zu:%zu:%zu, end %zu:%zu:%zu/%zu:%zu:%zu, value '%.40s'/'%.40s'",
					 k, (int)fe.type, (int)y->type,
					 fe.start_mark.index, fe.start_mark.line, fe.start_mark.column,
					 y->start_mark.index, y->start_mark.line, y->start_mark.column,
					 fe.end_mark.index, fe.end_mark.line, fe.end_mark.column,
					 y->end_mark.index, y->end_mark.line, y->end_mark.column,
					 fe.type == YAML_SCALAR_EVENT ? (char *)fe.data.scalar.value : "",
					 y->type == YAML_SCALAR_EVENT ? (char *)y->data.scalar.value : "");
			result = YSCAN_DIFF_MISMATCH;
			goto out;
		}
		if (fe.type == YAML_STREAM_END_EVENT)
			break;
	}
	result = yfail ? YSCAN_DIFF_MISMATCH : YSCAN_DIFF_SAME;
out:
	yscan_diff_bail_line = result == YSCAN_DIFF_BAIL ? sc.bail_line : 0;
	yscan_release(&sc);
	for (k = 0; k < ny; k++)
		yaml_event_delete(&ye[k]);
	free(ye);
	yaml_parser_delete(&yp);
	return result;
}

#endif
