/*
 * The template lexer (internal to render/tmpl). Items point into the
 * input (borrowed); an error item's text lives in the lexer until the
 * next error or lexer__release.
 */
#ifndef HYDRATE_TMPL_LEX_H
#define HYDRATE_TMPL_LEX_H

#include <stdarg.h>
#include <stddef.h>
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

struct item {
	enum item_type type;
	size_t pos;
	const char *val;
	size_t len;
	int line;
};

struct lexer {
	const char *input;
	size_t len, pos, start;
	int at_eof, paren_depth, line, start_line, inside_action;
	int break_ok, continue_ok, failed;
	struct buf errbuf;
};

void lexer__init(struct lexer *l, const char *input, size_t len);
struct item lexer__next(struct lexer *l);
void lexer__release(struct lexer *l);
void lexer__item_string(struct buf *out, const struct item *i);

#endif
