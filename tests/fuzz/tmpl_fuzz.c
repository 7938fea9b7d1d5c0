/*
 * Fuzz target: parse the input as a template and execute it with limits
 * against fixed data. Input: the template text; if it holds a line
 * "\n#values\n", what follows is JSON for .Values.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/tmpl.h"

#define MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n#values\n";
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	struct tmpl_limits lim = { 1 << 20, 200000, 256 << 10 };
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT, herr = BUF_INIT;
	struct tval dot = TVAL_INIT, vv = TVAL_INIT;
	json_t *vals = NULL, *top = NULL;
	char *text;
	size_t tlen = size;
	const char *cut;

	if (size > MAX_INPUT)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cut = NULL;
	for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++) {
		if (memcmp(text + i, sep, sizeof(sep) - 1) == 0) {
			cut = text + i;
			break;
		}
	}
	if (cut) {
		tlen = (size_t)(cut - text);
		vals = json_loads(cut + sizeof(sep) - 1, JSON_DECODE_INT_AS_REAL | JSON_DECODE_ANY, NULL);
	}
	if (!vals || !json_is_object(vals)) {
		json_decref(vals);
		vals = json_pack("{s:s, s:f, s:[s,s], s:{s:f}, s:n, s:b}", "s", "hello", "n", 3.0, "l",
				 "a", "b", "m", "a", 1.0, "nul", "t", 1);
	}
	if (tmpl_funcs_new(&funcs) < 0 || tmpl_set_new(&set, funcs) < 0 ||
	    tmpl_rt_new(&rt, &lim, TMPL_MISSINGKEY_ZERO) < 0)
		goto done;
	vv = tval_json_new(TV_VALUES, vals);
	vals = NULL;
	top = json_object();
	json_object_set_new(top, "Values", tval_to_json(rt, &vv));
	dot = tval_json_new(TV_VALUES, top);
	if (tmpl_set_parse(set, "f", text, tlen, &d) == 0 &&
	    tmpl_execute(&out, set, "f", &dot, rt, &d) == 0)
		tmpl_strip_no_value(&out);
	if (d.code)
		tmpl_helm_error(&herr, d.code, d.msg.ptr);
done:
	tval_release(&dot);
	tval_release(&vv);
	json_decref(vals);
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
	diag_release(&d);
	buf_release(&out);
	buf_release(&herr);
	free(text);
	return 0;
}
