/*
 * The template lexer (internal to render/tmpl). Items point into the
 * input (borrowed); an error item's text lives in the lexer until the
 * next error or lexer__release.
 */
#ifndef HYDRATE_TMPL_LEX_H
#define HYDRATE_TMPL_LEX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "render/tmpl/tmpl_int.h"

#define LEX_EOF (-1)

enum item_type {
	ITEM_ERROR, ITEM_BOOL, ITEM_CHAR, ITEM_CHAR_CONSTANT, ITEM_COMMENT,
	ITEM_COMPLEX, ITEM_ASSIGN, ITEM_DECLARE, ITEM_EOF, ITEM_FIELD,
	ITEM_IDENTIFIER, ITEM_LEFT_DELIM, ITEM_LEFT_PAREN, ITEM_NUMBER, ITEM_PIPE,
	ITEM_RAW_STRING, ITEM_RIGHT_DELIM, ITEM_RIGHT_PAREN, ITEM_SPACE,
	ITEM_STRING, ITEM_TEXT, ITEM_VARIABLE,
	ITEM_KEYWORD, ITEM_BLOCK, ITEM_BREAK, ITEM_CONTINUE, ITEM_DOT, ITEM_DEFINE,
	ITEM_ELSE, ITEM_END, ITEM_IF, ITEM_NIL, ITEM_RANGE, ITEM_TEMPLATE, ITEM_WITH
};

/* Twelve bytes, returned in registers: the text is not in the item but
 * at pos in the lexer's input (lexer__val), an error's message in the
 * lexer; the line is counted only when an error needs it (lexer__line).
 * Go's lexer emits spaces inside actions as items of their own; this one
 * marks the item that follows them instead (ITEM_SPACE is never
 * returned). Inputs are below LEX_MAX_INPUT bytes. */
struct item {
	uint32_t pos;      /* byte offset in the input */
	uint32_t len;      /* bytes of text (of the message for ITEM_ERROR) */
	unsigned char type;  /* enum item_type */
	unsigned char space; /* spaces came before it inside the action */
};

#define LEX_MAX_INPUT ((size_t)UINT32_MAX)

struct lexer {
	const char *input;
	size_t len, pos, start;
	size_t size;       /* len as given (an error empties the rest) */
	int at_eof, paren_depth, inside_action, space;
	int break_ok, continue_ok, failed;
	struct buf errbuf;
};

/* len must be below LEX_MAX_INPUT. */
void lexer__init(struct lexer *l, const char *input, size_t len);
struct item lexer__next(struct lexer *l);
/* The line (from 1) of byte pos of the input, as Go's lexer counts:
 * one more than the newlines before it. */
int lexer__line(const struct lexer *l, size_t pos);
void lexer__release(struct lexer *l);
/* item.String() of Go. */
void lexer__item_string(struct buf *out, const struct lexer *l, const struct item *i);

/* The item's text (len bytes): in the input, or the lexer's error message
 * (valid until the next error or lexer__release). */
static inline const char *lexer__val(const struct lexer *l, const struct item *i)
{
	return i->type == ITEM_ERROR ? l->errbuf.ptr : l->input + i->pos;
}

#endif
