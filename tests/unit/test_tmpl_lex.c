/*
 * The template lexer: the item streams of Go's text/template/parse
 * lex_test.go cases (written from the spec of lex.go), item texts and
 * error items.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>

#include "render/tmpl/lex.h"

static const char *t_tname(enum item_type t)
{
	switch (t) {
	case ITEM_ERROR: return "error";
	case ITEM_BOOL: return "bool";
	case ITEM_CHAR: return "char";
	case ITEM_CHAR_CONSTANT: return "charconst";
	case ITEM_COMMENT: return "comment";
	case ITEM_COMPLEX: return "complex";
	case ITEM_ASSIGN: return "=";
	case ITEM_DECLARE: return ":=";
	case ITEM_EOF: return "EOF";
	case ITEM_FIELD: return "field";
	case ITEM_IDENTIFIER: return "ident";
	case ITEM_LEFT_DELIM: return "{{";
	case ITEM_LEFT_PAREN: return "(";
	case ITEM_NUMBER: return "number";
	case ITEM_PIPE: return "|";
	case ITEM_RAW_STRING: return "raw";
	case ITEM_RIGHT_DELIM: return "}}";
	case ITEM_RIGHT_PAREN: return ")";
	case ITEM_SPACE: return "space";
	case ITEM_STRING: return "string";
	case ITEM_TEXT: return "text";
	case ITEM_VARIABLE: return "var";
	case ITEM_KEYWORD: return "keyword";
	case ITEM_BLOCK: return "block";
	case ITEM_BREAK: return "break";
	case ITEM_CONTINUE: return "continue";
	case ITEM_DOT: return "dot";
	case ITEM_DEFINE: return "define";
	case ITEM_ELSE: return "else";
	case ITEM_END: return "end";
	case ITEM_IF: return "if";
	case ITEM_NIL: return "nil";
	case ITEM_RANGE: return "range";
	case ITEM_TEMPLATE: return "template";
	case ITEM_WITH: return "with";
	}
	return "?";
}

/* "type:value" items joined by spaces, up to EOF or an error. */
static char *t_lex(const char *input, int break_ok)
{
	struct lexer l;
	struct buf b = BUF_INIT;
	int guard = 0;

	lexer__init(&l, input, strlen(input));
	l.break_ok = l.continue_ok = break_ok;
	for (;;) {
		struct item it = lexer__next(&l);
		if (b.len)
			buf_addch(&b, ' ');
		if (it.space)
			buf_adds(&b, "space ");  /* where Go's lexer has a space item */
		buf_adds(&b, t_tname(it.type));
		if (it.type != ITEM_EOF) {
			buf_addch(&b, ':');
			buf_add(&b, lexer__val(&l, &it), it.len);
		}
		if (it.type == ITEM_EOF || it.type == ITEM_ERROR || ++guard > 1000)
			break;
	}
	lexer__release(&l);
	return buf_detach(&b, NULL);
}

static void t_check(const char *input, const char *want)
{
	char *got = t_lex(input, 1);
	assert_string_equal(got, want);
	free(got);
}

static void test_tmpl_lex__text_and_empty_action(void **state)
{
	(void)state;
	t_check("", "EOF");
	t_check("now is the time", "text:now is the time EOF");
	t_check("{{}}", "{{:{{ }}:}} EOF");
	t_check("a{{x}}b", "text:a {{:{{ ident:x }}:}} text:b EOF");
}

static void test_tmpl_lex__comments_are_dropped(void **state)
{
	(void)state;
	t_check("hello-{{/* this is a comment */}}-world", "text:hello- text:-world EOF");
	t_check("x {{- /* c */ -}} y", "text:x text:y EOF");
}

static void test_tmpl_lex__punctuation_and_keywords(void **state)
{
	(void)state;
	t_check("{{,@% }}", "{{:{{ char:, char:@ char:% space }}:}} EOF");
	t_check("{{((3))}}", "{{:{{ (:( (:( number:3 ):) ):) }}:}} EOF");
	t_check("{{range if else end with define block template nil}}",
		"{{:{{ range:range space if:if space else:else space end:end space with:with space "
		"define:define space block:block space template:template space nil:nil }}:}} EOF");
	t_check("{{ $x := 1 }}{{ $x = 2 }}",
		"{{:{{ space var:$x space :=::= space number:1 space }}:}} {{:{{ space var:$x space "
		"=:= space number:2 space }}:}} EOF");
}

static void test_tmpl_lex__fields_variables_and_dots(void **state)
{
	(void)state;
	t_check("{{.x . .2 .x.y.z}}",
		"{{:{{ field:.x space dot:. space number:.2 space field:.x field:.y field:.z }}:}} EOF");
	t_check("{{$ $x $x.y}}", "{{:{{ var:$ space var:$x space var:$x field:.y }}:}} EOF");
	t_check("{{ (.a).b }}", "{{:{{ space (:( field:.a ):) field:.b space }}:}} EOF");
}

static void test_tmpl_lex__numbers_and_strings(void **state)
{
	(void)state;
	t_check("{{1 02 0x14 0X14 -7.2i 1e3 1E3 +1.2e-4 4.2i 1+2i 1_2 0x1p-2 0b1_0 0o17}}",
		"{{:{{ number:1 space number:02 space number:0x14 space number:0X14 space "
		"number:-7.2i space number:1e3 space number:1E3 space number:+1.2e-4 space "
		"number:4.2i space complex:1+2i space number:1_2 space number:0x1p-2 space "
		"number:0b1_0 space number:0o17 }}:}} EOF");
	t_check("{{'a' '\\n' '\\'' '\\\\' '\\u00FF' '\\xFF' '本'}}",
		"{{:{{ charconst:'a' space charconst:'\\n' space charconst:'\\'' space charconst:'\\\\' "
		"space charconst:'\\u00FF' space charconst:'\\xFF' space charconst:'本' }}:}} EOF");
	t_check("{{\"abc \\n\\t\\\" \"}}", "{{:{{ string:\"abc \\n\\t\\\" \" }}:}} EOF");
	t_check("{{`abc\\n\nx`}}", "{{:{{ raw:`abc\\n\nx` }}:}} EOF");
	t_check("{{true false}}", "{{:{{ bool:true space bool:false }}:}} EOF");
}

static void test_tmpl_lex__trim_markers(void **state)
{
	(void)state;
	t_check("x \n{{- 3 -}}\n y", "text:x {{:{{ number:3 }}:}} text:y EOF");
	t_check("{{-3}}", "{{:{{ number:-3 }}:}} EOF");
	t_check("{{3 -}}", "{{:{{ number:3 }}:}} EOF");
	t_check("{{3  -}}", "{{:{{ number:3 space }}:}} EOF");
}

static void test_tmpl_lex__newlines_inside_actions(void **state)
{
	(void)state;
	t_check("{{ 1\n| 2 }}", "{{:{{ space number:1 space |:| space number:2 space }}:}} EOF");
}

static void test_tmpl_lex__break_is_an_identifier_when_disabled(void **state)
{
	char *got;

	(void)state;
	got = t_lex("{{break}}", 0);
	assert_string_equal(got, "{{:{{ ident:break }}:}} EOF");
	free(got);
	t_check("{{break}}", "{{:{{ break:break }}:}} EOF");
}

static void test_tmpl_lex__errors(void **state)
{
	(void)state;
	t_check("{{", "{{:{{ error:unclosed action");
	t_check("{{ x", "{{:{{ space ident:x error:unclosed action");
	t_check("{{/* x", "error:unclosed comment");
	t_check("{{/* x */ }}", "error:comment ends before closing delimiter");
	t_check("{{ \"abc }}", "{{:{{ space error:unterminated quoted string");
	t_check("{{ `abc }}", "{{:{{ space error:unterminated raw quoted string");
	t_check("{{ 'a }}", "{{:{{ space error:unterminated character constant");
	t_check("{{ 3k }}", "{{:{{ space error:bad number syntax: \"3k\"");
	t_check("{{ ) }}", "{{:{{ space error:unexpected right paren");
	t_check("{{ ( }}", "{{:{{ space (:( space error:unclosed left paren");
	t_check("{{ : }}", "{{:{{ space error:expected :=");
	t_check("{{ \x01 }}", "{{:{{ space error:unrecognized character in action: U+0001");
	t_check("{{ \xc2\xa7 }}", "{{:{{ space error:unrecognized character in action: U+00A7 '\xc2\xa7'");
	t_check("{{ .a# }}", "{{:{{ space error:bad character U+0023 '#'");
}

/* An item's text is in the lexer's input: one lexer over the three. */
static void test_tmpl_lex__item_strings(void **state)
{
	static const char in[] = "\"a long string value\"end,";
	struct lexer l;
	struct item it;
	struct buf b = BUF_INIT;

	(void)state;
	lexer__init(&l, in, strlen(in));
	it.type = ITEM_STRING;
	it.pos = 0;
	it.len = 21;
	lexer__item_string(&b, &l, &it);
	assert_string_equal(b.ptr, "\"\\\"a long st\"...");
	buf_reset(&b);
	it.type = ITEM_END;
	it.pos = 21;
	it.len = 3;
	lexer__item_string(&b, &l, &it);
	assert_string_equal(b.ptr, "<end>");
	buf_reset(&b);
	it.type = ITEM_CHAR;
	it.pos = 24;
	it.len = 1;
	lexer__item_string(&b, &l, &it);
	assert_string_equal(b.ptr, "\",\"");
	buf_reset(&b);
	it.type = ITEM_EOF;
	it.pos = 25;
	it.len = 0;
	lexer__item_string(&b, &l, &it);
	assert_string_equal(b.ptr, "EOF");
	buf_release(&b);
	lexer__release(&l);
}

static void test_tmpl_lex__line_numbers(void **state)
{
	struct lexer l;
	struct item it;
	const char *in = "a\nb{{ 1\n}}\nc{{ 2 }}";

	(void)state;
	lexer__init(&l, in, strlen(in));
	it = lexer__next(&l);
	assert_int_equal(lexer__line(&l, it.pos), 1); /* text "a\nb" */
	it = lexer__next(&l);
	assert_int_equal(lexer__line(&l, it.pos), 2); /* {{ */
	it = lexer__next(&l);
	assert_int_equal(lexer__line(&l, it.pos), 2); /* 1 */
	it = lexer__next(&l);
	assert_int_equal(lexer__line(&l, it.pos), 3); /* }} */
	it = lexer__next(&l);
	assert_int_equal(lexer__line(&l, it.pos), 3); /* text "\nc" */
	it = lexer__next(&l);
	assert_int_equal(lexer__line(&l, it.pos), 4); /* {{ */
	lexer__release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmpl_lex__text_and_empty_action),
		cmocka_unit_test(test_tmpl_lex__comments_are_dropped),
		cmocka_unit_test(test_tmpl_lex__punctuation_and_keywords),
		cmocka_unit_test(test_tmpl_lex__fields_variables_and_dots),
		cmocka_unit_test(test_tmpl_lex__numbers_and_strings),
		cmocka_unit_test(test_tmpl_lex__trim_markers),
		cmocka_unit_test(test_tmpl_lex__newlines_inside_actions),
		cmocka_unit_test(test_tmpl_lex__break_is_an_identifier_when_disabled),
		cmocka_unit_test(test_tmpl_lex__errors),
		cmocka_unit_test(test_tmpl_lex__item_strings),
		cmocka_unit_test(test_tmpl_lex__line_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
