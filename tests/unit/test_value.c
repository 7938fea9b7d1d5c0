/*
 * value_to_json and value_to_yaml against helm v4.1.4's toJson, toRawJson,
 * toPrettyJson and toYaml. The table (value_cases.inc) is helm's output,
 * written by tests/unit/gen_value_cases.py; the few cases helm cannot reach
 * (NaN, depth limits, NULL) are written by hand from Go's sources.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/value.h"

enum vkind { VK_JSON, VK_INT, VK_STR, VK_VAL, VK_KEY };
enum vmode { VM_YAML, VM_JSON, VM_RAW, VM_PRETTY };

struct vcase {
	enum vkind kind;
	enum vmode mode;
	const char *input;
	size_t input_len;
	const char *expected; /* NULL: helm printed nothing, Marshal failed */
	size_t expected_len;
};

static const struct vcase cases[] = {
#include "value_cases.inc"
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static json_t *load_case(const struct vcase *c)
{
	json_error_t je;
	json_t *v, *o;

	switch (c->kind) {
	case VK_JSON:
	case VK_INT:
		v = json_loadb(c->input, c->input_len,
			       JSON_DECODE_ANY | JSON_ALLOW_NUL |
			       (c->kind == VK_JSON ? JSON_DECODE_INT_AS_REAL : 0), &je);
		if (!v)
			fail_msg("case input does not load: %s", je.text);
		return v;
	case VK_STR:
		return json_stringn_nocheck(c->input, c->input_len);
	case VK_VAL:
		o = json_object();
		json_object_set_new_nocheck(o, "v", json_stringn_nocheck(c->input, c->input_len));
		return o;
	default:
		o = json_object();
		json_object_setn_new_nocheck(o, c->input, c->input_len, json_string("v"));
		return o;
	}
}

static int run_mode(struct buf *out, const json_t *v, enum vmode mode, struct diag *d)
{
	switch (mode) {
	case VM_YAML:
		return value_to_yaml(out, v, d);
	case VM_JSON:
		return value_to_json(out, v, 0, d);
	case VM_RAW:
		return value_to_json(out, v, VALUE_JSON_RAW, d);
	default:
		return value_to_json(out, v, VALUE_JSON_INDENT, d);
	}
}

static void print_bytes(const char *label, const char *s, size_t len)
{
	printf("  %s (%zu bytes): \"", label, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			printf("\\n");
		else if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("\"\n");
}

/* Runs every case of one mode; prints each mismatch, then fails if any. */
static void run_table(enum vmode mode)
{
	size_t run = 0, failed = 0;

	for (size_t i = 0; i < NCASES; i++) {
		const struct vcase *c = &cases[i];
		struct buf out = BUF_INIT;
		struct diag d = DIAG_INIT;
		json_t *v;
		int rc, ok;

		if (c->mode != mode)
			continue;
		run++;
		v = load_case(c);
		rc = run_mode(&out, v, mode, &d);
		if (!c->expected)
			ok = rc < 0 && out.len == 0 && d.msg.len > 0;
		else
			ok = rc == 0 && out.len == c->expected_len &&
			     memcmp(out.ptr, c->expected, out.len) == 0;
		if (!ok) {
			failed++;
			printf("case %zu (mode %d, kind %d): rc %d %s\n", i, mode, c->kind, rc,
			       d.msg.ptr);
			print_bytes("input", c->input, c->input_len);
			if (c->expected)
				print_bytes("expected", c->expected, c->expected_len);
			else
				printf("  expected: an error\n");
			print_bytes("got", out.ptr, out.len);
		}
		json_decref(v);
		buf_release(&out);
		diag_release(&d);
	}
	printf("mode %d: %zu/%zu cases pass\n", mode, run - failed, run);
	assert_true(run > 0);
	assert_int_equal(failed, 0);
}

static void test_value__yaml_matches_helm_toYaml(void **state)
{
	run_table(VM_YAML);
}

static void test_value__json_matches_helm_toJson(void **state)
{
	run_table(VM_JSON);
}

static void test_value__raw_json_matches_helm_toRawJson(void **state)
{
	run_table(VM_RAW);
}

static void test_value__pretty_json_matches_helm_toPrettyJson(void **state)
{
	run_table(VM_PRETTY);
}

/* Both emitters append to what out already holds. */
static void test_value__appends_to_buffer(void **state)
{
	struct buf out = BUF_INIT;
	json_t *v = json_pack("{s:i}", "a", 1);

	buf_adds(&out, "pre:");
	assert_int_equal(value_to_json(&out, v, 0, NULL), 0);
	assert_int_equal(value_to_yaml(&out, v, NULL), 0);
	assert_string_equal(out.ptr, "pre:{\"a\":1}a: 1\n");
	json_decref(v);
	buf_release(&out);
}

/* A NULL value marshals as Go's nil: "null". */
static void test_value__null_pointer_is_null(void **state)
{
	struct buf out = BUF_INIT;

	assert_int_equal(value_to_json(&out, NULL, 0, NULL), 0);
	assert_int_equal(value_to_yaml(&out, NULL, NULL), 0);
	assert_string_equal(out.ptr, "nullnull\n");
	buf_release(&out);
}

static json_t *nest_arrays(int depth)
{
	json_t *v = json_string("x");

	for (int i = 0; i < depth; i++) {
		json_t *a = json_array();

		json_array_append_new(a, v);
		v = a;
	}
	return v;
}

/* go-yaml's scanner stops at 10000 nested flow collections (scannerc.go,
 * max_flow_level): the JSON text of a deeper value does not read back, and
 * sigs.k8s.io/yaml reports it. */
static void test_value__yaml_depth_limit(void **state)
{
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	json_t *ok = nest_arrays(10000), *deep = nest_arrays(10001);

	assert_int_equal(value_to_yaml(&out, ok, &d), 0);
	assert_int_equal(out.len, 10000 * 2 + 2); /* "- - ... - x\n" */
	buf_reset(&out);
	assert_int_equal(value_to_yaml(&out, deep, &d), DIAG_EINVALID);
	assert_int_equal(out.len, 0);
	assert_string_equal(d.msg.ptr,
			    "error converting JSON to YAML: yaml: exceeded max depth of 10000");
	json_decref(ok);
	json_decref(deep);
	buf_release(&out);
	diag_release(&d);
}

/* A sequence inside a sequence starts on its parent's line (emitterc.go:
 * the item indicator keeps "indention", so write_indent only pads). */
static void test_value__yaml_nested_sequences_share_a_line(void **state)
{
	struct buf out = BUF_INIT;
	json_t *v = nest_arrays(3);

	assert_int_equal(value_to_yaml(&out, v, NULL), 0);
	assert_string_equal(out.ptr, "- - - x\n");
	json_decref(v);
	buf_release(&out);
}

static void test_value__json_depth_limit(void **state)
{
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	json_t *deep = nest_arrays(10001);

	assert_int_equal(value_to_json(&out, deep, 0, &d), DIAG_ELIMIT);
	assert_int_equal(out.len, 0);
	assert_string_equal(d.msg.ptr, "json: value nested deeper than 10000 levels");
	json_decref(deep);
	buf_release(&out);
	diag_release(&d);
}

/* value_to_yaml's error messages are sigs.k8s.io/yaml's (helm swallows
 * them, but kustomize prints them). */
static void test_value__yaml_error_messages(void **state)
{
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	json_t *v = json_pack("{s:s}", "a", "x\x7fy");

	assert_int_equal(value_to_yaml(&out, v, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "error converting JSON to YAML: "
			    "yaml: control characters are not allowed");
	assert_int_equal(out.len, 0);
	json_decref(v);
	buf_release(&out);
	diag_release(&d);
}

/* A fault found after part of the document was written (the emitter checks
 * each node as it writes it) still leaves out as it was, with Go's
 * message: a value or key go-yaml cannot read back, a key too long for a
 * simple key, a mapping nested too deep. */
static void test_value__yaml_fault_after_output_appends_nothing(void **state)
{
#define YERR "error converting JSON to YAML: yaml: "
	static const struct {
		const char *key, *value, *msg;
	} faults[] = {
		{ "zz", "x\x7fy", YERR "control characters are not allowed" },
		{ "z\xc2\x80", "v", YERR "control characters are not allowed" },
		{ "z\xc2\x85", "v", YERR "did not find expected ',' or '}'" },
		{ "zz", "a\xc2\x85--- b", YERR "found unexpected document indicator" },
	};
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	json_t *v, *deep;
	char longkey[400];

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		v = json_pack("{s:s,s:{s:s}}", "a", "first", "b", faults[i].key, faults[i].value);
		buf_set(&out, "pre", 3);
		assert_int_equal(value_to_yaml(&out, v, &d), DIAG_EINVALID);
		assert_string_equal(out.ptr, "pre");
		assert_string_equal(d.msg.ptr, faults[i].msg);
		json_decref(v);
	}
	/* 1023 characters in the JSON text: '<' is \u003c there */
	memset(longkey, 'k', sizeof(longkey));
	memset(longkey, '<', 125);
	longkey[125 + 273] = '\0';
	v = json_pack("{s:s,s:{s:i}}", "a", "first", "b", longkey, 1);
	buf_set(&out, "pre", 3);
	assert_int_equal(value_to_yaml(&out, v, &d), DIAG_EINVALID);
	assert_string_equal(out.ptr, "pre");
	assert_string_equal(d.msg.ptr, YERR "did not find expected ',' or '}'");
	json_decref(v);
	/* one character fewer reads back: a long key, written as "? key" ('<' is
	 * no indicator) */
	longkey[125 + 272] = '\0';
	v = json_pack("{s:i}", longkey, 1);
	buf_reset(&out);
	assert_int_equal(value_to_yaml(&out, v, &d), 0);
	assert_memory_equal(out.ptr, "? <<", 4);
	json_decref(v);
	deep = json_object();
	json_object_set_new(deep, "x", nest_arrays(10000));
	v = json_pack("{s:s,s:o}", "a", "first", "b", deep);
	buf_set(&out, "pre", 3);
	assert_int_equal(value_to_yaml(&out, v, &d), DIAG_EINVALID);
	assert_string_equal(out.ptr, "pre");
	assert_string_equal(d.msg.ptr, YERR "exceeded max depth of 10000");
	json_decref(v);
	buf_release(&out);
	diag_release(&d);
#undef YERR
}

/* The output buffer's cap is honoured: an emitter that cannot append
 * reports DIAG_ENOMEM and leaves what was there. */
static void test_value__respects_buffer_cap(void **state)
{
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	json_t *v = json_pack("{s:s}", "key", "a long enough value");

	out.max = 8;
	buf_adds(&out, "pre");
	assert_int_equal(value_to_json(&out, v, 0, &d), DIAG_ENOMEM);
	assert_int_equal(value_to_yaml(&out, v, &d), DIAG_ENOMEM);
	json_decref(v);
	buf_release(&out);
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value__yaml_matches_helm_toYaml),
		cmocka_unit_test(test_value__json_matches_helm_toJson),
		cmocka_unit_test(test_value__raw_json_matches_helm_toRawJson),
		cmocka_unit_test(test_value__pretty_json_matches_helm_toPrettyJson),
		cmocka_unit_test(test_value__appends_to_buffer),
		cmocka_unit_test(test_value__null_pointer_is_null),
		cmocka_unit_test(test_value__yaml_depth_limit),
		cmocka_unit_test(test_value__yaml_nested_sequences_share_a_line),
		cmocka_unit_test(test_value__json_depth_limit),
		cmocka_unit_test(test_value__yaml_error_messages),
		cmocka_unit_test(test_value__yaml_fault_after_output_appends_nothing),
		cmocka_unit_test(test_value__respects_buffer_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
