/*
 * jschema_validate: the API contract (what lands in errors_out and in the
 * diag, and which code comes back) and the limits on hostile schemas.
 * Expected texts are Helm 4.1.4's (copied from testdata/schema/<case>/
 * expected.err, which gen-schema-cases.sh made with the helm binary), or,
 * for hydrate's own refusals and limits, written by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/values.h"
#include "render/jsonschema.h"
#include "testutil.h"

static json_t *S_json(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

	assert_non_null(v);
	return v;
}

/* Runs one validation; returns the code, fills out and msg. */
static int S_run(struct buf *out, struct buf *msg, const char *schema, const char *values)
{
	json_t *s = S_json(schema), *v = S_json(values);
	struct diag d = DIAG_INIT;
	int rc = jschema_validate(out, s, v, "c", &d);

	if (msg)
		buf_set(msg, d.msg.ptr, d.msg.len);
	json_decref(s);
	json_decref(v);
	diag_release(&d);
	return rc;
}

static void test_jsonschema__valid_values_leave_everything_untouched(void **state)
{
	struct buf out = BUF_INIT, msg = BUF_INIT;

	(void)state;
	buf_adds(&out, "before");
	assert_int_equal(S_run(&out, &msg, "{\"properties\":{\"a\":{\"type\":\"string\"}}}",
			       "{\"a\":\"x\"}"),
			 0);
	assert_string_equal(out.ptr, "before");
	assert_int_equal(msg.len, 0);
	buf_release(&out);
	buf_release(&msg);
}

/* testdata/schema/type-string-bad/expected.err, after "Error: " */
static void test_jsonschema__violation_appends_helms_block(void **state)
{
	struct buf out = BUF_INIT, msg = BUF_INIT;
	const char *block = "c:\n- at '/a': got number, want string\n";

	(void)state;
	buf_adds(&out, "parent:\n- at '': x\n");
	assert_int_equal(S_run(&out, &msg, "{\"properties\":{\"a\":{\"type\":\"string\"}}}",
			       "{\"a\":1.0}"),
			 DIAG_EINVALID);
	assert_string_equal(out.ptr + strlen("parent:\n- at '': x\n"), block);
	assert_memory_equal(out.ptr, "parent:\n", 8);
	assert_int_equal(msg.len, strlen(JSCHEMA_MSG_PREFIX) + strlen(block));
	assert_memory_equal(msg.ptr, JSCHEMA_MSG_PREFIX, strlen(JSCHEMA_MSG_PREFIX));
	assert_string_equal(msg.ptr + strlen(JSCHEMA_MSG_PREFIX), block);
	buf_release(&out);
	buf_release(&msg);
}

/* testdata/schema/ref-missing/expected.err: a compile error, no extra "\n" */
static void test_jsonschema__unresolvable_ref_is_a_parse_error(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(S_run(&out, NULL,
			       "{\"properties\":{\"a\":{\"$ref\":\"#/definitions/missing\"}}}",
			       "{\"a\":1}"),
			 DIAG_EPARSE);
	assert_string_equal(out.ptr, "c:\njson-pointer in \"file:///values.schema.json"
				     "#/definitions/missing\" not found");
	buf_release(&out);
}

/* testdata/schema/schema-unknown/expected.err */
static void test_jsonschema__unknown_dialect_is_a_parse_error(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(S_run(&out, NULL, "{\"$schema\":\"foo\",\"properties\":{}}", "{}"),
			 DIAG_EPARSE);
	assert_string_equal(out.ptr,
			    "c:\nfailing loading \"foo\": no URLLoader registered for \"foo\"");
	buf_release(&out);
}

/* hydrate never fetches: Helm would GET the url */
static void test_jsonschema__remote_ref_is_refused(void **state)
{
	struct buf out = BUF_INIT, msg = BUF_INIT;

	(void)state;
	assert_int_equal(S_run(&out, &msg,
			       "{\"properties\":{\"a\":{\"$ref\":\"https://example.com/s.json#/x\"}}}",
			       "{\"a\":1}"),
			 DIAG_EPARSE);
	assert_string_equal(out.ptr, "c:\n$ref to https://example.com/s.json refused: "
				     "hydrate does not load remote schemas");
	assert_non_null(strstr(msg.ptr, "refused"));
	buf_release(&out);
	buf_release(&msg);
}

static void test_jsonschema__remote_schema_dialect_is_refused(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(S_run(&out, NULL, "{\"$schema\":\"https://example.com/meta\"}", "{}"),
			 DIAG_EPARSE);
	assert_string_equal(out.ptr, "c:\n$schema https://example.com/meta refused: "
				     "hydrate does not load remote schemas");
	buf_release(&out);
}

static void test_jsonschema__null_diag_is_fine(void **state)
{
	struct buf out = BUF_INIT;
	json_t *s = S_json("{\"required\":[\"a\"]}"), *v = S_json("{}");

	(void)state;
	assert_int_equal(jschema_validate(&out, s, v, "c", NULL), DIAG_EINVALID);
	assert_string_equal(out.ptr, "c:\n- at '': missing property 'a'\n");
	json_decref(s);
	json_decref(v);
	buf_release(&out);
}

static void test_jsonschema__deep_schema_hits_the_limit(void **state)
{
	struct buf out = BUF_INIT;
	json_t *s = json_true(), *v;
	int i;

	(void)state;
	/* built by hand: jansson's parser stops at 2048 levels */
	for (i = 0; i < 2000; i++) {
		json_t *o = json_pack("{s:{s:o}}", "properties", "a", s);
		assert_non_null(o);
		s = o;
	}
	v = S_json("{\"a\":{\"a\":1}}");
	assert_int_equal(jschema_validate(&out, s, v, "c", NULL), DIAG_ELIMIT);
	assert_int_equal(out.len, 0);
	json_decref(s);
	json_decref(v);
	buf_release(&out);
}

/* Each level tries both branches of an anyOf that fails below: 2^40 paths. */
static void test_jsonschema__exponential_schema_hits_the_limit(void **state)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	struct diag d = DIAG_INIT;
	json_t *s, *v;
	json_error_t e;
	int i;

	(void)state;
	buf_adds(&text, "{\"$ref\":\"#/$defs/l0\",\"$defs\":{");
	for (i = 0; i < 40; i++)
		buf_addf(&text, "\"l%d\":{\"anyOf\":[{\"$ref\":\"#/$defs/l%d\"},"
				"{\"$ref\":\"#/$defs/l%d\",\"minimum\":0}]},",
			 i, i + 1, i + 1);
	buf_adds(&text, "\"l40\":false}}");
	s = json_loads(text.ptr, 0, &e);
	assert_non_null(s);
	v = S_json("{}");
	assert_int_equal(jschema_validate(&out, s, v, "c", &d), DIAG_ELIMIT);
	assert_string_equal(d.msg.ptr, "c: values.schema.json needs too much work to validate");
	json_decref(s);
	json_decref(v);
	diag_release(&d);
	buf_release(&text);
	buf_release(&out);
}

static void test_jsonschema__huge_pattern_hits_the_limit(void **state)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	json_t *s, *v;
	int i;

	(void)state;
	for (i = 0; i < 5000; i++)
		buf_addch(&text, 'a');
	s = json_pack("{s:{s:{s:s}}}", "properties", "a", "pattern", text.ptr);
	v = S_json("{\"a\":\"a\"}");
	assert_non_null(s);
	assert_int_equal(jschema_validate(&out, s, v, "c", NULL), DIAG_ELIMIT);
	json_decref(s);
	json_decref(v);
	buf_release(&text);
	buf_release(&out);
}

/* testdata/schema/json-missing-value/expected.err: Go's encoding/json text */
static void test_jsonschema__text_that_is_not_json(void **state)
{
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	json_t *v = S_json("{\"a\":1}");
	const char *text = "{\"a\":}";

	(void)state;
	assert_int_equal(jschema_validate_text(&out, text, strlen(text), v, "c", &d), DIAG_EPARSE);
	assert_string_equal(out.ptr, "c:\ninvalid character '}' looking for beginning of value");
	assert_string_equal(d.msg.ptr, JSCHEMA_MSG_PREFIX
			    "c:\ninvalid character '}' looking for beginning of value");
	buf_reset(&out);
	assert_int_equal(jschema_validate_text(&out, "", 0, v, "c", NULL), DIAG_EPARSE);
	assert_string_equal(out.ptr, "c:\nEOF");
	json_decref(v);
	diag_release(&d);
	buf_release(&out);
}

/* testdata/schema/literal-enum-reals/expected.err: numbers as written */
static void test_jsonschema__text_keeps_number_literals(void **state)
{
	struct buf out = BUF_INIT;
	json_t *v = S_json("{\"a\":7}");
	const char *text = "{\"properties\":{\"a\":{\"enum\":[1.0, 1.50, 1e3, 2E+2, -0]}}}";

	(void)state;
	assert_int_equal(jschema_validate_text(&out, text, strlen(text), v, "c", NULL),
			 DIAG_EINVALID);
	assert_string_equal(out.ptr, "c:\n- at '/a': value must be one of 1.0, 1.50, 1e3, 2E+2, -0\n");
	json_decref(v);
	buf_release(&out);
}

/* The corpus case: Helm 4.1.4's stderr for the traefik chart with a
 * misspelt top-level key (testdata/schema/traefik-schema-error holds the
 * chart's schema and defaults, copied from the corpus, and helm's output). */
static void test_jsonschema__traefik_corpus_case(void **state)
{
	char *schema_text, *expected;
	json_t *schema, *vals, *defaults;
	json_error_t e;
	struct buf got = BUF_INIT, out = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	schema_text = tu_read_file(tu_testdata("schema/traefik-schema-error/chart/values.schema.json"), NULL);
	assert_non_null(schema_text);
	schema = json_loads(schema_text, 0, &e);
	assert_non_null(schema);
	vals = json_object();
	defaults = json_object();
	assert_int_equal(values_merge_file(vals, tu_testdata("schema/traefik-schema-error/values.yaml"), &d), 0);
	assert_int_equal(values_merge_file(defaults, tu_testdata("schema/traefik-schema-error/chart/values.yaml"), &d), 0);
	assert_int_equal(values_coalesce(vals, defaults), 0);
	expected = tu_read_file(tu_testdata("schema/traefik-schema-error/expected.err"), NULL);
	assert_non_null(expected);

	assert_int_equal(jschema_validate(&out, schema, vals, "traefik", &d), DIAG_EINVALID);
	buf_addf(&got, "Error: %s\n", d.msg.ptr);
	assert_string_equal(got.ptr, expected);

	free(schema_text);
	free(expected);
	json_decref(schema);
	json_decref(vals);
	json_decref(defaults);
	diag_release(&d);
	buf_release(&got);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonschema__valid_values_leave_everything_untouched),
		cmocka_unit_test(test_jsonschema__violation_appends_helms_block),
		cmocka_unit_test(test_jsonschema__unresolvable_ref_is_a_parse_error),
		cmocka_unit_test(test_jsonschema__unknown_dialect_is_a_parse_error),
		cmocka_unit_test(test_jsonschema__remote_ref_is_refused),
		cmocka_unit_test(test_jsonschema__remote_schema_dialect_is_refused),
		cmocka_unit_test(test_jsonschema__null_diag_is_fine),
		cmocka_unit_test(test_jsonschema__deep_schema_hits_the_limit),
		cmocka_unit_test(test_jsonschema__exponential_schema_hits_the_limit),
		cmocka_unit_test(test_jsonschema__huge_pattern_hits_the_limit),
		cmocka_unit_test(test_jsonschema__text_that_is_not_json),
		cmocka_unit_test(test_jsonschema__text_keeps_number_literals),
		cmocka_unit_test(test_jsonschema__traefik_corpus_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
