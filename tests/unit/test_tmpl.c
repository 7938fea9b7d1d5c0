/*
 * The template engine's API: function registration and argument checks,
 * context functions (include / tpl built on tmpl_call_execute and
 * tmpl_call_parse), host objects, boxes, limits, the template set's
 * redefinition rules and Helm's error rewriting. Expected Helm texts were
 * produced with the reference helm 4.1.4 (see each test).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <pthread.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/tmpl.h"
#include "render/tmpl/sprig.h"

/* ---- test functions */

static int f_upper(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	size_t n, i;
	const char *s = tval_str_ptr(&argv[0], &n);
	char *t = malloc(n + 1);

	(void)call;
	(void)argc;
	for (i = 0; i < n; i++)
		t[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	*out = tval_strn(t, n);
	free(t);
	return 0;
}

static int f_repeat(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct buf b = BUF_INIT;
	size_t n;
	const char *s = tval_str_ptr(&argv[1], &n);
	int64_t i;

	(void)argc;
	if (argv[0].u.i < 0)
		return tmpl_call_errorf(call, "negative count %lld", (long long)argv[0].u.i);
	for (i = 0; i < argv[0].u.i; i++)
		buf_add(&b, s, n);
	*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return 0;
}

static int f_list(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < argc; i++)
		json_array_append_new(a, tval_to_json(call->rt, &argv[i]));
	*out = tval_json_new(TV_LIST, a);
	return 0;
}

static int f_now(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct tval_time t = { .sec = 1700000000, .nsec = 5000, .offset = 0 };

	(void)call;
	(void)argc;
	(void)argv;
	*out = tval_time(t);
	return 0;
}

static int f_include(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct buf b = BUF_INIT;
	const char *name = tval_str_ptr(&argv[0], NULL);
	int rc;

	(void)argc;
	rc = tmpl_call_execute(call, &b, name, &argv[1]);
	if (rc == 0)
		*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return rc;
}

static int f_tpl(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct buf b = BUF_INIT;
	size_t n;
	const char *text = tval_str_ptr(&argv[0], &n);
	int rc;

	(void)argc;
	rc = tmpl_call_parse(call, "tpl-text", text, n);
	if (rc == 0)
		rc = tmpl_call_execute(call, &b, "tpl-text", &argv[1]);
	if (rc == 0) {
		tmpl_strip_no_value(&b);
		*out = tval_strn(b.ptr, b.len);
	}
	buf_release(&b);
	return rc;
}

static int f_int64(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	(void)call;
	(void)argc;
	*out = tval_int64((int64_t)argv[0].u.f);
	return 0;
}

static const struct tmpl_func t_funcs[] = {
	{ "upper", f_upper, "s", 0, NULL },
	{ "repeat", f_repeat, "is", 0, NULL },
	{ "list", f_list, "v*", 0, NULL },
	{ "now", f_now, "", 0, NULL },
	{ "include", f_include, "sv", TMPL_FN_CONTEXT, NULL },
	{ "tpl", f_tpl, "sv", TMPL_FN_CONTEXT, NULL },
	{ "int64", f_int64, "f", 0, NULL },
};

/* ---- a host object: Files-like, with a field and a method */

static int obj_field(struct tval *out, const struct tobj *o, const char *name)
{
	(void)o;
	if (strcmp(name, "Count") == 0) {
		*out = tval_int(2);
		return 0;
	}
	return DIAG_ENOTFOUND;
}

static int m_get(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const char *name = tval_str_ptr(&argv[0], NULL);

	(void)argc;
	if (strcmp(name, "a.txt") == 0)
		*out = tval_str("content of a");
	else if (call->self == NULL)
		return tmpl_call_errorf(call, "no receiver");
	else
		*out = tval_str("");
	return 0;
}

static const struct tmpl_func t_get = { "Get", m_get, "s", 0, NULL };

static const struct tmpl_func *obj_method(const struct tobj *o, const char *name)
{
	(void)o;
	return strcmp(name, "Get") == 0 ? &t_get : NULL;
}

static int obj_format(struct buf *out, const struct tobj *o)
{
	(void)o;
	return buf_adds(out, "map[a.txt:[99]]");
}

static const struct tobj_type t_files_type = { "engine.files", "map", obj_field, obj_method,
					       obj_format, 1, NULL };
static const struct tobj t_files = { &t_files_type, NULL };

/* ---- harness */

struct run {
	struct buf out;
	struct diag d;
	int rc;
};

static void run_release(struct run *r)
{
	buf_release(&r->out);
	diag_release(&r->d);
}

/* Parses each of the NULL-terminated (name, text) pairs, then executes
 * the first with .Values = values (JSON, numbers as float64). */
static int t_render(struct run *r, const struct tmpl_limits *lim, enum tmpl_missingkey mk,
		    const char *values, ...)
{
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	json_t *vals, *top;
	struct tval vv, dot;
	const char *first = NULL, *name;
	va_list ap;

	memset(r, 0, sizeof(*r));
	buf_init(&r->out, 0);
	buf_init(&r->d.msg, 0);
	buf_init(&r->d.context, 0);
	assert_int_equal(tmpl_funcs_new(&funcs), 0);
	assert_int_equal(tmpl_funcs_add(funcs, t_funcs, sizeof(t_funcs) / sizeof(t_funcs[0])), 0);
	assert_int_equal(tmpl_set_new(&set, funcs), 0);
	assert_int_equal(tmpl_rt_new(&rt, lim, mk), 0);
	vals = json_loads(values ? values : "{}", JSON_DECODE_INT_AS_REAL, NULL);
	assert_non_null(vals);
	vv = tval_json_new(TV_VALUES, vals);
	top = json_object();
	json_object_set_new(top, "Values", tval_to_json(rt, &vv));
	json_object_set_new(top, "Files", tval_to_json(rt, &(struct tval){ .kind = TV_OBJECT, .u = { .o = &t_files } }));
	dot = tval_json_new(TV_VALUES, top);
	va_start(ap, values);
	r->rc = 0;
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *text = va_arg(ap, const char *);
		if (!first)
			first = name;
		if (r->rc == 0)
			r->rc = tmpl_set_parse(set, name, text, strlen(text), &r->d);
	}
	va_end(ap);
	if (r->rc == 0)
		r->rc = tmpl_execute(&r->out, set, first, &dot, rt, &r->d);
	tval_release(&dot);
	tval_release(&vv);
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
	return r->rc;
}

static void t_assert_helm(struct run *r, const char *want)
{
	struct buf b = BUF_INIT;

	tmpl_helm_error(&b, r->rc, r->d.msg.ptr);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
}

/* ---- tests */

static void test_tmpl__calls_registered_function(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(t_render(&r, NULL, 0, "{\"s\":\"abc\"}", "t",
				  "{{ upper .Values.s }}|{{ .Values.s | upper }}|{{ repeat 3 \"ab\" }}", NULL), 0);
	assert_string_equal(r.out.ptr, "ABC|ABC|ababab");
	run_release(&r);
}

static void test_tmpl__unknown_function_is_parse_error(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(t_render(&r, NULL, 0, NULL, "t", "x\n{{ lower 1 }}", NULL), DIAG_EPARSE);
	assert_string_equal(r.d.msg.ptr, "template: t:2: function \"lower\" not defined");
	t_assert_helm(&r, "parse error at (t:2): function \"lower\" not defined");
	run_release(&r);
}

/* Expected texts: helm 4.1.4 (Sprig's repeat is func(int, string) string,
 * int64 returns int64, upper takes a string), after Helm's rewriting. */
static void t_expect_helm(const char *text, const char *values, const char *want)
{
	struct run r;

	t_render(&r, NULL, 0, values, "c/templates/case.yaml", text, NULL);
	assert_int_equal(r.rc, DIAG_EEXEC);
	t_assert_helm(&r, want);
	run_release(&r);
}

static void test_tmpl__checks_argument_count_and_types(void **state)
{
	(void)state;
	t_expect_helm("{{ upper .Values.missing }}", NULL,
		      "c/templates/case.yaml:1:16\n  executing \"c/templates/case.yaml\" at <.Values.missing>:\n"
		      "    wrong type for value; expected string; got interface {}");
	t_expect_helm("{{ $x := .Values.missing }}{{ upper $x }}", NULL,
		      "c/templates/case.yaml:1:36\n  executing \"c/templates/case.yaml\" at <$x>:\n"
		      "    invalid value; expected string");
	t_expect_helm("{{ int64 2.5 | repeat 1 }}", NULL,
		      "c/templates/case.yaml:1:22\n  executing \"c/templates/case.yaml\" at <1>:\n"
		      "    wrong type for value; expected string; got int64");
	t_expect_helm("{{ repeat .Values.n \"x\" }}", "{\"n\":2}",
		      "c/templates/case.yaml:1:17\n  executing \"c/templates/case.yaml\" at <.Values.n>:\n"
		      "    wrong type for value; expected int; got float64");
	t_expect_helm("{{ repeat \"2\" \"x\" }}", NULL,
		      "c/templates/case.yaml:1:10\n  executing \"c/templates/case.yaml\" at <\"2\">:\n"
		      "    expected integer; found \"2\"");
	t_expect_helm("{{ repeat 1 }}", NULL,
		      "c/templates/case.yaml:1:3\n  executing \"c/templates/case.yaml\" at <repeat>:\n"
		      "    wrong number of args for repeat: want 2 got 1");
}

static void test_tmpl__function_error_is_prefixed(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(t_render(&r, NULL, 0, NULL, "t", "a{{ repeat -1 \"x\" }}", NULL), DIAG_EEXEC);
	assert_string_equal(r.d.msg.ptr,
			    "template: t:1:4: executing \"t\" at <repeat -1 \"x\">: error calling repeat: negative count -1");
	/* a plain function error is not a template error: Helm prints Go's text */
	t_assert_helm(&r, r.d.msg.ptr);
	run_release(&r);
}

static void test_tmpl__variadic_and_final_argument(void **state)
{
	struct run r;

	(void)state;
	t_render(&r, NULL, 0, "{\"a\":1}", "t",
		 "{{ list }}{{ list 1 \"a\" .Values.a nil }}{{ \"z\" | list 1 }}{{ printf \"%T\" (list 1) }}", NULL);
	assert_string_equal(r.out.ptr, "[][1 a 1 <nil>][1 z][]interface {}");
	run_release(&r);
}

static void test_tmpl__include_error_is_rewritten_like_helm(void **state)
{
	struct run r;

	(void)state;
	/* helm 4.1.4: {{ define "x" }}\n{{ .a.b }}{{ end }}{{ include "x" .Values.m }} */
	t_render(&r, NULL, 0, "{\"m\":{\"a\":1}}", "c/templates/case.yaml",
		 "{{ define \"x\" }}\n{{ .a.b }}{{ end }}{{ include \"x\" .Values.m }}", NULL);
	assert_int_equal(r.rc, DIAG_EEXEC);
	t_assert_helm(&r, "c/templates/case.yaml:2:22\n"
			  "  executing \"c/templates/case.yaml\" at <include \"x\" .Values.m>:\n"
			  "    error calling include:\n"
			  "c/templates/case.yaml:2:5\n"
			  "  executing \"x\" at <.a.b>:\n"
			  "    can't evaluate field b in type interface {}");
	run_release(&r);
}

static void test_tmpl__include_missing_template(void **state)
{
	struct run r;

	(void)state;
	t_render(&r, NULL, 0, NULL, "c/templates/case.yaml", "{{ include \"nope\" . }}", NULL);
	t_assert_helm(&r, "c/templates/case.yaml:1:3\n"
			  "  executing \"c/templates/case.yaml\" at <include \"nope\" .>:\n"
			  "    error calling include:\n"
			  "template: no template \"nope\" associated with template \"gotpl\"");
	run_release(&r);
}

static void test_tmpl__include_chain_with_function_error_stays_raw(void **state)
{
	struct run r;
	const char *want = "template: c/templates/case.yaml:1:87: executing \"c/templates/case.yaml\" at "
			   "<include \"x\" .Values.m>: error calling include: template: c/templates/case.yaml:1:19: "
			   "executing \"x\" at <include \"y\" .>: error calling include: template: "
			   "c/templates/case.yaml:1:63: executing \"y\" at <index . 5>: error calling index: "
			   "value has type int; should be string";

	(void)state;
	t_render(&r, NULL, 0, "{\"m\":{\"a\":1}}", "c/templates/case.yaml",
		 "{{ define \"x\" }}{{ include \"y\" . }}{{ end }}{{ define \"y\" }}{{ index . 5 }}{{ end }}"
		 "{{ include \"x\" .Values.m }}", NULL);
	assert_string_equal(r.d.msg.ptr, want);
	t_assert_helm(&r, want);
	run_release(&r);
}

static void test_tmpl__required_and_fail_messages(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	tmpl_helm_error(&b, DIAG_EEXEC,
			"template: c/templates/case.yaml:1:45: executing \"c/templates/case.yaml\" at "
			"<include \"x\" .>: error calling include: template: c/templates/case.yaml:1:17: "
			"executing \"x\" at <fail \"boom\">: error calling fail: HELM_ERR_STARTboomHELM_ERR_END");
	assert_string_equal(b.ptr, "execution error at (c/templates/case.yaml:1:45): boom");
	buf_release(&b);
}

static void test_tmpl__tpl_parses_into_overlay(void **state)
{
	struct run r;

	(void)state;
	t_render(&r, NULL, 0, "{\"s\":\"v\",\"t\":\"[{{ .s }}{{ .missing }}]\"}", "t",
		 "{{ define \"d\" }}D{{ end }}{{ tpl .Values.t .Values }}{{ tpl \"{{ template \\\"d\\\" }}\" . }}",
		 NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out.ptr, "[v]D");
	run_release(&r);
	t_render(&r, NULL, 0, NULL, "t", "{{ tpl \"{{ nosuch }}\" . }}", NULL);
	assert_string_equal(r.d.msg.ptr,
			    "template: t:1:3: executing \"t\" at <tpl \"{{ nosuch }}\" .>: error calling tpl: "
			    "template: tpl-text:1: function \"nosuch\" not defined");
	run_release(&r);
}

static void test_tmpl__host_object_fields_and_methods(void **state)
{
	struct run r;

	(void)state;
	t_render(&r, NULL, 0, NULL, "t",
		 "{{ .Files.Get \"a.txt\" }}|{{ .Files.Count }}|{{ printf \"%T\" .Files }}|{{ .Files }}|"
		 "{{ \"a.txt\" | .Files.Get }}",
		 NULL);
	assert_string_equal(r.out.ptr, "content of a|2|engine.files|map[a.txt:[99]]|content of a");
	run_release(&r);
	t_render(&r, NULL, 0, NULL, "t", "{{ .Files.Nope }}", NULL);
	assert_string_equal(r.d.msg.ptr,
			    "template: t:1:9: executing \"t\" at <.Files.Nope>: can't evaluate field Nope in type interface {}");
	run_release(&r);
	t_render(&r, NULL, 0, NULL, "t", "{{ .Files.Count 1 }}", NULL);
	assert_string_equal(r.d.msg.ptr,
			    "template: t:1:9: executing \"t\" at <.Files.Count>: Count has arguments but cannot be invoked as function");
	run_release(&r);
	t_render(&r, NULL, 0, NULL, "t", "{{ .Files.Get }}", NULL);
	assert_string_equal(r.d.msg.ptr,
			    "template: t:1:9: executing \"t\" at <.Files.Get>: wrong number of args for Get: want 1 got 0");
	run_release(&r);
}

static void test_tmpl__boxed_values_survive_containers(void **state)
{
	struct run r;

	(void)state;
	t_render(&r, NULL, 0, NULL, "t",
		 "{{ printf \"%T\" (index (list now) 0) }}|{{ index (list now) 0 }}|{{ list .Files }}", NULL);
	assert_string_equal(r.out.ptr,
			    "time.Time|2023-11-14 22:13:20.000005 +0000 UTC|[map[a.txt:[99]]]");
	run_release(&r);
}

static void test_tmpl__unbox_deep_gives_plain_json(void **state)
{
	struct tmpl_rt *rt = NULL;
	struct tval_time t = { .sec = 0, .nsec = 0, .offset = 0 };
	struct tval tv = tval_time(t), s = tval_str("x");
	json_t *a = json_array(), *plain;
	char *dump;

	(void)state;
	assert_int_equal(tmpl_rt_new(&rt, NULL, 0), 0);
	json_array_append_new(a, tval_to_json(rt, &tv));
	json_array_append_new(a, tval_to_json(rt, &s));
	plain = tval_unbox_deep(rt, a);
	dump = json_dumps(plain, JSON_COMPACT);
	assert_string_equal(dump, "[\"1970-01-01 00:00:00 +0000 UTC\",\"x\"]");
	free(dump);
	json_decref(plain);
	json_decref(a);
	tval_release(&s);
	tmpl_rt_free(rt);
}

static void test_tmpl__step_limit_stops_long_loops(void **state)
{
	struct run r;
	struct tmpl_limits lim = { 0, 10000, 0 };

	(void)state;
	assert_int_equal(t_render(&r, &lim, 0, NULL, "t", "{{ range 1000000000 }}{{ end }}", NULL), DIAG_ELIMIT);
	assert_non_null(strstr(r.d.msg.ptr, "exceeded 10000 steps"));
	run_release(&r);
}

/* Runs text with Sprig's functions and the given step limit. */
static int t_render_sprig(struct buf *out, struct diag *d, uint64_t max_steps, const char *text)
{
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	struct tmpl_limits lim = { 0, max_steps, 0 };
	struct tval dot = tval_nil();
	int rc;

	assert_int_equal(tmpl_funcs_new(&funcs), 0);
	assert_int_equal(sprig_register(funcs), 0);
	assert_int_equal(tmpl_set_new(&set, funcs), 0);
	assert_int_equal(tmpl_rt_new(&rt, &lim, TMPL_MISSINGKEY_ZERO), 0);
	rc = tmpl_set_parse(set, "t", text, strlen(text), d);
	if (rc == 0)
		rc = tmpl_execute(out, set, "t", &dot, rt, d);
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
	return rc;
}

static void test_tmpl__step_limit_counts_quadratic_function_work(void **state)
{
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	/* 300 items: 44850 comparisons, within the limit */
	assert_int_equal(t_render_sprig(&out, &d, 100000, "{{ len (uniq (until 300)) }}"), 0);
	assert_string_equal(out.ptr, "300");
	buf_reset(&out);
	/* 3000 items: ~4.5 million comparisons */
	assert_int_equal(t_render_sprig(&out, &d, 100000, "{{ len (uniq (until 3000)) }}"), DIAG_ELIMIT);
	assert_non_null(strstr(d.msg.ptr, "error calling uniq: template execution exceeded 100000 steps"));
	diag_release(&d);
	buf_release(&out);
}

static void test_tmpl__output_limit(void **state)
{
	struct run r;
	struct tmpl_limits lim = { 1000, 0, 0 };

	(void)state;
	assert_int_equal(t_render(&r, &lim, 0, NULL, "t", "{{ range 100000 }}xxxxxxxxxx{{ end }}", NULL),
			 DIAG_ELIMIT);
	assert_non_null(strstr(r.d.msg.ptr, "output exceeded 1000 bytes"));
	run_release(&r);
	/* one printf with a huge width cannot grow past the limit either */
	assert_int_equal(t_render(&r, &lim, 0, NULL, "t", "{{ printf \"%9999999d\" 1 }}", NULL), DIAG_ELIMIT);
	assert_string_equal(r.d.msg.ptr, "template: t:1:3: executing \"t\" at <printf \"%9999999d\" 1>: "
					 "error calling printf: output exceeded 1000 bytes");
	run_release(&r);
}

static void test_tmpl__recursion_is_bounded(void **state)
{
	struct run r;
	struct tmpl_limits lim = { 0, 0, 256 << 10 };

	(void)state;
	t_render(&r, &lim, 0, NULL, "t", "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
		 NULL);
	assert_int_equal(r.rc, DIAG_EEXEC);
	assert_string_equal(r.d.msg.ptr, "template: t:1:28: executing \"r\" at <{{template \"r\" .}}>: "
					 "exceeded maximum template depth (100000)");
	run_release(&r);
	t_render(&r, &lim, 0, NULL, "t", "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}",
		 NULL);
	assert_int_equal(r.rc, DIAG_EEXEC);
	run_release(&r);
}

static void test_tmpl__later_definition_replaces_earlier(void **state)
{
	struct run r;

	(void)state;
	t_render(&r, NULL, 0, NULL, "main", "{{ template \"a\" }}", "f1", "{{ define \"a\" }}one{{ end }}",
		 "f2", "{{ define \"a\" }}two{{ end }}", "f3", "{{ define \"a\" }}  {{/* empty */}} {{ end }}",
		 NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out.ptr, "two");
	run_release(&r);
}

static void test_tmpl__failed_parse_adds_nothing(void **state)
{
	struct run r;

	(void)state;
	t_render(&r, NULL, 0, NULL, "main", "{{ template \"a\" }}", "f1", "{{ define \"a\" }}one{{ end }}",
		 "f2", "{{ define \"a\" }}two{{ end }}{{ if }}", NULL);
	assert_int_equal(r.rc, DIAG_EPARSE);
	assert_string_equal(r.d.msg.ptr, "template: f2:1: missing value for if");
	run_release(&r);
}

static void test_tmpl__missingkey_modes(void **state)
{
	struct run r;

	(void)state;
	t_render(&r, NULL, TMPL_MISSINGKEY_ERROR, "{\"a\":{}}", "t", "{{ .Values.a.b }}", NULL);
	assert_string_equal(r.d.msg.ptr,
			    "template: t:1:10: executing \"t\" at <.Values.a.b>: map has no entry for key \"b\"");
	run_release(&r);
	t_render(&r, NULL, TMPL_MISSINGKEY_DEFAULT, "{\"a\":{}}", "t", "{{ .Values.a.b.c }}", NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out.ptr, "<no value>");
	run_release(&r);
	/* helm 4.1.4 */
	t_expect_helm("{{ .Values.a.b.c }}", "{\"a\":{}}",
		      "c/templates/case.yaml:1:10\n  executing \"c/templates/case.yaml\" at <.Values.a.b.c>:\n"
		      "    nil pointer evaluating interface {}.c");
}

static void test_tmpl__strip_no_value(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_adds(&b, "a: <no value>\nb: <no value><no value>x<no valu");
	tmpl_strip_no_value(&b);
	assert_string_equal(b.ptr, "a: \nb: x<no valu");
	assert_int_equal(b.len, strlen(b.ptr));
	buf_reset(&b);
	buf_adds(&b, "<<no value>> << <no value");
	tmpl_strip_no_value(&b);
	assert_string_equal(b.ptr, "<> << <no value");
	buf_release(&b);
}

static void test_tmpl__sprintf_on_values(void **state)
{
	struct buf b = BUF_INIT;
	struct tval args[5];
	struct tval_time t = { .sec = 86400 + 3661, .nsec = 0, .offset = 3600 };

	(void)state;
	args[0] = tval_time(t);
	args[1] = tval_int64(1500000000);
	args[1].kind = TV_DURATION;
	args[2] = tval_bytes("hi", 2);
	args[3] = args[2];
	args[4] = tval_float(1e21);
	assert_int_equal(tmpl_sprintf(&b, NULL, "%v|%v|%v %s|%v", 14, 5, args), 0);
	assert_string_equal(b.ptr, "1970-01-02 02:01:01 +0100 +0100|1.5s|[104 105] hi|1e+21");
	tval_release(&args[2]);
	buf_release(&b);
}

static void test_tmpl__type_and_kind_names(void **state)
{
	struct tval v = tval_int(1);

	(void)state;
	assert_string_equal(tval_type_name(&v), "int");
	v = tval_int64(1);
	assert_string_equal(tval_kind_name(&v), "int64");
	v = tval_nil();
	assert_string_equal(tval_type_name(&v), "<nil>");
	assert_string_equal(tval_kind_name(&v), "invalid");
	v = tval_json_new(TV_STRLIST, json_array());
	assert_string_equal(tval_type_name(&v), "[]string");
	assert_string_equal(tval_kind_name(&v), "slice");
	assert_int_equal(tval_truth(&v), 0);
	tval_release(&v);
	assert_int_equal(v.kind, TV_INVALID);
}

static void t_count(void *arg)
{
	(*(int *)arg)++;
}

static void test_tmpl__runtime_memory_and_defers(void **state)
{
	struct tmpl_rt *rt = NULL;
	struct tobj *o;
	int calls = 0;

	(void)state;
	assert_int_equal(tmpl_rt_new(&rt, NULL, 0), 0);
	o = tmpl_rt_alloc(rt, sizeof(*o));
	assert_non_null(o);
	assert_null(o->type);
	assert_int_equal(tmpl_rt_defer(rt, t_count, &calls), 0);
	assert_int_equal(tmpl_rt_defer(rt, t_count, &calls), 0);
	tmpl_rt_free(rt);
	assert_int_equal(calls, 2);
}

static void test_tmpl__box_keeps_go_int(void **state)
{
	struct tmpl_rt *rt = NULL;
	struct tval i = tval_int(7), big = tval_int(100000), i64 = tval_int64(7), back;
	json_t *boxed, *boxed2, *bigbox, *plain, *list, *deep;

	(void)state;
	assert_int_equal(tmpl_rt_new(&rt, NULL, 0), 0);
	boxed = tval_to_json(rt, &i);
	boxed2 = tval_box(rt, &i);
	bigbox = tval_to_json(rt, &big);
	plain = tval_to_json(rt, &i64);
	/* an int64 is plain data; an int is boxed (small ones share a box) */
	assert_true(json_is_integer(plain));
	assert_true(json_is_object(boxed));
	assert_ptr_equal(boxed, boxed2);
	back = tval_from_json(rt, plain);
	assert_string_equal(tval_type_name(&back), "int64");
	back = tval_from_json(rt, boxed);
	assert_string_equal(tval_type_name(&back), "int");
	assert_int_equal(back.u.i, 7);
	back = tval_from_json(rt, bigbox);
	assert_string_equal(tval_type_name(&back), "int");
	assert_int_equal(back.u.i, 100000);
	/* toJson's view: boxes become plain integers */
	list = json_pack("[OOO]", boxed, bigbox, plain);
	assert_non_null(list);
	deep = tval_unbox_deep(rt, list);
	assert_non_null(deep);
	assert_true(json_is_integer(json_array_get(deep, 0)));
	assert_true(json_is_integer(json_array_get(deep, 1)));
	assert_int_equal(json_integer_value(json_array_get(deep, 0)), 7);
	assert_int_equal(json_integer_value(json_array_get(deep, 1)), 100000);
	assert_int_equal(json_integer_value(json_array_get(deep, 2)), 7);
	json_decref(deep);
	json_decref(list);
	json_decref(plain);
	json_decref(boxed);
	json_decref(boxed2);
	json_decref(bigbox);
	tmpl_rt_free(rt);
}

static void test_tmpl__intlist_elements_are_ints(void **state)
{
	struct tmpl_rt *rt = NULL;
	struct tval l = tval_json_new(TV_INTLIST, json_pack("[ii]", 3, 4)), e;

	(void)state;
	assert_int_equal(tmpl_rt_new(&rt, NULL, 0), 0);
	assert_string_equal(tval_type_name(&l), "[]int");
	assert_string_equal(tval_kind_name(&l), "slice");
	assert_true(tval_is_array(&l));
	e = tval_elem(rt, &l, json_array_get(l.u.j, 1));
	assert_int_equal(e.kind, TV_INT);
	assert_int_equal(e.u.i, 4);
	tval_release(&l);
	tmpl_rt_free(rt);
}

struct thread_job {
	const struct tmpl_set *set;
	int id;
	int failures;
};

static void *t_thread(void *arg)
{
	struct thread_job *job = arg;
	int k;

	for (k = 0; k < 200; k++) {
		struct tmpl_rt *rt = NULL;
		struct buf out = BUF_INIT;
		char want[64];
		struct tval dot = tval_int(job->id * 1000 + k);
		if (tmpl_rt_new(&rt, NULL, 0) < 0 || tmpl_execute(&out, job->set, "t", &dot, rt, NULL) < 0)
			job->failures++;
		snprintf(want, sizeof(want), "<%d>", job->id * 1000 + k);
		if (strcmp(out.ptr, want) != 0)
			job->failures++;
		buf_release(&out);
		tmpl_rt_free(rt);
	}
	return NULL;
}

static void test_tmpl__one_set_many_threads(void **state)
{
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	const char *text = "{{ define \"x\" }}<{{ printf \"%d\" . }}>{{ end }}{{ template \"x\" . }}";
	pthread_t th[4];
	struct thread_job jobs[4];
	int i;

	(void)state;
	assert_int_equal(tmpl_funcs_new(&funcs), 0);
	assert_int_equal(tmpl_set_new(&set, funcs), 0);
	assert_int_equal(tmpl_set_parse(set, "t", text, strlen(text), NULL), 0);
	for (i = 0; i < 4; i++) {
		jobs[i].set = set;
		jobs[i].id = i + 1;
		jobs[i].failures = 0;
		assert_int_equal(pthread_create(&th[i], NULL, t_thread, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].failures, 0);
	}
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
}

static void test_tmpl__same_set_runs_twice(void **state)
{
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt1 = NULL, *rt2 = NULL;
	struct buf o1 = BUF_INIT, o2 = BUF_INIT;
	struct tval d1 = tval_str("one"), d2 = tval_str("two");
	const char *text = "{{ define \"x\" }}<{{ . }}>{{ end }}{{ template \"x\" . }}";

	(void)state;
	assert_int_equal(tmpl_funcs_new(&funcs), 0);
	assert_int_equal(tmpl_set_new(&set, funcs), 0);
	assert_int_equal(tmpl_set_parse(set, "t", text, strlen(text), NULL), 0);
	assert_true(tmpl_set_has(set, "x"));
	assert_false(tmpl_set_has(set, "y"));
	assert_int_equal(tmpl_rt_new(&rt1, NULL, 0), 0);
	assert_int_equal(tmpl_rt_new(&rt2, NULL, 0), 0);
	assert_int_equal(tmpl_execute(&o1, set, "t", &d1, rt1, NULL), 0);
	assert_int_equal(tmpl_execute(&o2, set, "t", &d2, rt2, NULL), 0);
	assert_string_equal(o1.ptr, "<one>");
	assert_string_equal(o2.ptr, "<two>");
	tval_release(&d1);
	tval_release(&d2);
	buf_release(&o1);
	buf_release(&o2);
	tmpl_rt_free(rt1);
	tmpl_rt_free(rt2);
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
}

/* ---- tmpl_set_parse_many: the same set and the same first error as one
 * tmpl_set_parse_borrowed after the other, on two threads */

#define MANY_N 48

/* Text i: a define of its own, a define of "shared" in some (an empty one
 * in text 30, which must not replace the earlier ones), and enough action
 * padding that the texts pass the two-thread threshold. Text bad (if >= 0)
 * and bad2 do not parse. */
static void t_many_texts(struct buf *bufs, struct tmpl_text *v, int bad, int bad2)
{
	for (int i = 0; i < MANY_N; i++) {
		struct buf *b = &bufs[i];
		buf_init(b, 0);
		buf_addf(b, "{{ define \"d%d\" }}[d%d {{ len . }}]{{ end }}", i, i);
		if (i == 5 || i == 20)
			buf_addf(b, "{{ define \"shared\" }}shared from %d{{ end }}", i);
		if (i == 30)
			buf_adds(b, "{{ define \"shared\" }} {{/* empty */}} {{ end }}");
		if (i == 41)
			buf_adds(b, "{{ define \"d3\" }}d3 redefined by 41{{ end }}");
		for (int k = 0; k < 16; k++)
			buf_addf(b, "{{- if gt (len .) %d }} line %d of %d {{ else }}{{ template "
				 "\"d%d\" . }}{{ end }}\n", k, k, i, (i + k) % (i + 1));
		buf_adds(b, "{{ template \"shared\" . }}|{{ template \"d3\" . }}");
		if (i == bad || i == bad2)
			buf_addf(b, "{{ if .x }} unclosed in %d", i);
		v[i].text = b->ptr;
		v[i].len = b->len;
	}
}

/* Parses v with parse_many (threads) or one by one; returns the error code
 * and appends the error message and every text's output to out. */
static int t_many_run(struct buf *out, const struct tmpl_text *v, unsigned threads, int many)
{
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	struct diag d = DIAG_INIT;
	int rc = 0;

	assert_int_equal(tmpl_funcs_new(&funcs), 0);
	assert_int_equal(tmpl_funcs_add(funcs, t_funcs, sizeof(t_funcs) / sizeof(t_funcs[0])), 0);
	assert_int_equal(tmpl_set_new(&set, funcs), 0);
	assert_int_equal(tmpl_rt_new(&rt, NULL, TMPL_MISSINGKEY_ZERO), 0);
	if (many)
		rc = tmpl_set_parse_many(set, v, MANY_N, threads, &d);
	else
		for (int i = 0; i < MANY_N && rc == 0; i++)
			rc = tmpl_set_parse_borrowed(set, v[i].name, v[i].text, v[i].len, &d);
	buf_addf(out, "rc=%d msg=%s\n", rc, rc ? d.msg.ptr : "");
	for (int i = 0; i < MANY_N; i++) {
		struct tval dot = tval_str("abcdef");
		buf_addf(out, "%s: has=%d ", v[i].name, tmpl_set_has(set, v[i].name));
		if (tmpl_set_has(set, v[i].name))
			assert_int_equal(tmpl_execute(out, set, v[i].name, &dot, rt, NULL), 0);
		buf_addch(out, '\n');
		tval_release(&dot);
	}
	diag_release(&d);
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
	return rc;
}

static void t_many_case(int bad, int bad2)
{
	struct buf bufs[MANY_N], want = BUF_INIT;
	struct tmpl_text v[MANY_N];
	char names[MANY_N][16];
	size_t total = 0;

	for (int i = 0; i < MANY_N; i++) {
		snprintf(names[i], sizeof(names[i]), "t%02d.yaml", i);
		v[i].name = names[i];
	}
	t_many_texts(bufs, v, bad, bad2);
	for (int i = 0; i < MANY_N; i++)
		total += v[i].len;
	assert_true(total > 48 * 1024);   /* past the two-thread threshold */
	t_many_run(&want, v, 0, 0);
	assert_non_null(strstr(want.ptr, bad >= 0 ? "rc=-" : "rc=0"));
	if (bad < 0) {
		assert_non_null(strstr(want.ptr, "shared from 20|d3 redefined by 41"));
	}
	/* scheduling differs run to run: many rounds, each must agree */
	for (int round = 0; round < 30; round++) {
		struct buf got = BUF_INIT;
		t_many_run(&got, v, 2, 1);
		assert_string_equal(got.ptr, want.ptr);
		buf_release(&got);
	}
	{
		struct buf one = BUF_INIT;
		t_many_run(&one, v, 1, 1);
		assert_string_equal(one.ptr, want.ptr);
		buf_release(&one);
	}
	buf_release(&want);
	for (int i = 0; i < MANY_N; i++)
		buf_release(&bufs[i]);
}

static void test_tmpl__parse_many_is_one_by_one(void **state)
{
	(void)state;
	t_many_case(-1, -1);
}

static void test_tmpl__parse_many_first_error_wins(void **state)
{
	(void)state;
	/* the earlier of two failures, whichever thread reaches it first */
	t_many_case(12, 27);
	t_many_case(47, -1);
	t_many_case(0, 46);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmpl__calls_registered_function),
		cmocka_unit_test(test_tmpl__unknown_function_is_parse_error),
		cmocka_unit_test(test_tmpl__checks_argument_count_and_types),
		cmocka_unit_test(test_tmpl__function_error_is_prefixed),
		cmocka_unit_test(test_tmpl__variadic_and_final_argument),
		cmocka_unit_test(test_tmpl__include_error_is_rewritten_like_helm),
		cmocka_unit_test(test_tmpl__include_missing_template),
		cmocka_unit_test(test_tmpl__include_chain_with_function_error_stays_raw),
		cmocka_unit_test(test_tmpl__required_and_fail_messages),
		cmocka_unit_test(test_tmpl__tpl_parses_into_overlay),
		cmocka_unit_test(test_tmpl__host_object_fields_and_methods),
		cmocka_unit_test(test_tmpl__boxed_values_survive_containers),
		cmocka_unit_test(test_tmpl__unbox_deep_gives_plain_json),
		cmocka_unit_test(test_tmpl__step_limit_stops_long_loops),
		cmocka_unit_test(test_tmpl__step_limit_counts_quadratic_function_work),
		cmocka_unit_test(test_tmpl__output_limit),
		cmocka_unit_test(test_tmpl__recursion_is_bounded),
		cmocka_unit_test(test_tmpl__later_definition_replaces_earlier),
		cmocka_unit_test(test_tmpl__failed_parse_adds_nothing),
		cmocka_unit_test(test_tmpl__missingkey_modes),
		cmocka_unit_test(test_tmpl__strip_no_value),
		cmocka_unit_test(test_tmpl__sprintf_on_values),
		cmocka_unit_test(test_tmpl__type_and_kind_names),
		cmocka_unit_test(test_tmpl__same_set_runs_twice),
		cmocka_unit_test(test_tmpl__box_keeps_go_int),
		cmocka_unit_test(test_tmpl__intlist_elements_are_ints),
		cmocka_unit_test(test_tmpl__runtime_memory_and_defers),
		cmocka_unit_test(test_tmpl__one_set_many_threads),
		cmocka_unit_test(test_tmpl__parse_many_is_one_by_one),
		cmocka_unit_test(test_tmpl__parse_many_first_error_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
