/*
 * Golden runner for YAML values in Helm mode: testdata/yaml/<case>/.
 *
 *   input.yaml     a values file
 *   expected.yaml  what `{{ toYaml .Values }}` prints in Helm v4.1.4, plus
 *                  one "\n" (toYaml trims one trailing newline; the emitter
 *                  does not)
 *   expected.json  what `{{ toJson .Values }}` prints
 *   expected.err   instead of both: the first line of helm's error for an
 *                  input it rejects
 *
 * Each case reads input.yaml with ydoc_parse_values (shown as "input.yaml"
 * in messages), then:
 *   - with expected.yaml/.json: value_to_yaml and value_to_json must print
 *     exactly those bytes. Helm's toYaml and toJson swallow a marshalling
 *     error and print "" (go-yaml v2 refuses to emit DEL, C1 controls and
 *     U+FFFE, for instance), so an emitter error passes when the expected
 *     text is empty ("\n" for expected.yaml);
 *   - with expected.err: reading (or emitting) must fail, and a reading
 *     error must name input.yaml and a line; on failure both messages are
 *     printed.
 * tests/golden/gen-yaml-cases.sh writes the expected files with the
 * reference helm binary.
 */

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "golden_common.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/srcfile.h"
#include "render/value.h"
#include "render/yaml.h"

#define INPUT_NAME "input.yaml"

/* 1 if the emitter failed in a way Helm shows as empty output. */
static int S_swallowed(int error, const struct buf *expected, const char *empty)
{
	return error < 0 && expected->len == strlen(empty) &&
	       memcmp(expected->ptr, empty, expected->len) == 0;
}

static void S_check_output(struct golden_case *c, const json_t *root)
{
	struct buf expected = BUF_INIT, got = BUF_INIT;
	struct diag d = DIAG_INIT;
	int error, r;

	r = golden_read(&expected, c, "expected.yaml");
	if (r != 0) {
		golden_fail(c, "cannot read expected.yaml");
		goto done;
	}
	error = value_to_yaml(&got, root, &d);
	if (error < 0) {
		if (!S_swallowed(error, &expected, "\n"))
			golden_fail(c, "value_to_yaml failed (%s): %s",
				    diag_code_name(error), d.msg.ptr);
	} else {
		golden_compare(c, "expected.yaml", expected.ptr, expected.len,
			       got.ptr, got.len);
	}

	diag_clear(&d);
	buf_reset(&got);
	r = golden_read(&expected, c, "expected.json");
	if (r != 0) {
		golden_fail(c, "cannot read expected.json");
		goto done;
	}
	error = value_to_json(&got, root, 0, &d);
	if (error < 0) {
		if (!S_swallowed(error, &expected, ""))
			golden_fail(c, "value_to_json failed (%s): %s",
				    diag_code_name(error), d.msg.ptr);
	} else {
		golden_compare(c, "expected.json", expected.ptr, expected.len,
			       got.ptr, got.len);
	}
done:
	diag_release(&d);
	buf_release(&got);
	buf_release(&expected);
}

/* The case expects helm's error: reading or emitting must fail. */
static void S_check_error(struct golden_case *c, const json_t *root, int read_error,
			  const struct diag *rd)
{
	struct buf helm = BUF_INIT, got = BUF_INIT, esc = BUF_INIT;
	struct diag d = DIAG_INIT;
	size_t len;

	if (golden_read(&helm, c, "expected.err") != 0) {
		golden_fail(c, "cannot read expected.err");
		goto done;
	}
	len = helm.len;
	while (len && (helm.ptr[len - 1] == '\n' || helm.ptr[len - 1] == '\r'))
		len--;
	golden_escape(&esc, helm.ptr, len, 400);

	if (read_error < 0) {
		if (!golden_names_file_and_line(rd->msg.ptr, INPUT_NAME))
			golden_fail(c, "error does not name " INPUT_NAME
				    " and a line: ours \"%s\" | helm \"%s\"",
				    rd->msg.ptr, esc.ptr);
		goto done;
	}
	/* Read without error: emitting must fail then. */
	if (value_to_yaml(&got, root, &d) < 0)
		goto done;
	buf_reset(&got);
	diag_clear(&d);
	if (value_to_json(&got, root, 0, &d) < 0)
		goto done;
	golden_fail(c, "read and emitted, but helm fails: \"%s\"", esc.ptr);
done:
	diag_release(&d);
	buf_release(&esc);
	buf_release(&got);
	buf_release(&helm);
}

static void S_run_case(struct golden_case *c, void *payload)
{
	struct srcfile src = SRCFILE_INIT;
	struct diag d = DIAG_INIT;
	json_t *root = NULL;
	char *path = NULL;
	int error, want_error = golden_has(c, "expected.err");

	(void)payload;
	if (!(path = golden_path(c, INPUT_NAME))) {
		golden_fail(c, "out of memory");
		goto done;
	}
	if ((error = srcfile_read_as(&src, path, INPUT_NAME, &d)) < 0) {
		golden_fail(c, "cannot read " INPUT_NAME ": %s", d.msg.ptr);
		goto done;
	}
	error = ydoc_parse_values(&root, &src, &d);
	if (want_error) {
		S_check_error(c, error < 0 ? NULL : root, error, &d);
		goto done;
	}
	if (error < 0) {
		golden_fail(c, "ydoc_parse_values failed (%s): %s",
			    diag_code_name(error), d.msg.ptr);
		goto done;
	}
	S_check_output(c, root);
done:
	json_decref(root);
	diag_release(&d);
	srcfile_release(&src);
	free(path);
}

int main(int argc, char **argv)
{
	return golden_main(argc, argv, S_run_case, NULL);
}

