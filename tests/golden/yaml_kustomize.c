/*
 * Golden runner for YAML resources in Kustomize mode: testdata/yaml_kustomize/.
 *
 *   input.yaml     one or more resources
 *   expected.yaml  what `kubectl kustomize DIR` (kustomize v5.7.1) prints
 *                  for a DIR whose kustomization.yaml lists input.yaml with
 *                  `sortOptions: {order: fifo}` (input order)
 *   expected.err   instead, for inputs kustomize rejects: its error output
 *
 * Each case reads input.yaml with ystream_parse(YDOC_KUSTOMIZE), drops the
 * empty documents (null root), prints each remaining one with value_to_yaml
 * and joins them with "---\n"; the bytes must equal expected.yaml. With
 * expected.err, reading or emitting must fail, and a reading error must name
 * input.yaml and a line. tests/golden/gen-yaml-cases.sh writes the expected
 * files with the reference kubectl binary.
 *
 * How kustomize prints resources (read in kubernetes-sigs/kustomize at tag
 * kustomize/v5.7.1, and checked against the cases here):
 *
 *   kustomize/commands/build: `kustomize build` writes resMap.AsYaml().
 *   api/resmap/reswrangler.go AsYaml: each resource's AsYAML(), joined with
 *     "---\n" (no separator before the first).
 *   api/resource/resource.go AsYAML: r.MarshalJSON(), then
 *     sigs.k8s.io/yaml (v1.5.0) JSONToYAML: go-yaml v2 Unmarshal of the JSON
 *     into interface{}, then go-yaml v2 Marshal: sorted keys, v2 quoting,
 *     80-column folding, "- " items not indented under their key.
 *   kyaml/yaml/rnode.go MarshalJSON: the node is encoded to text (yaml.v3)
 *     and decoded again with yaml.v3 into map[string]interface{}, then
 *     encoding/json Marshal.
 *
 * So no style survives (kyaml's yaml.v3 node styles are lost in the JSON
 * step): the bytes are sigs.k8s.io/yaml.Marshal of the data as yaml.v3
 * decodes it, i.e. value_to_yaml of each document, provided the reader gives
 * the values yaml.v3 gives. The cases show where that takes care:
 *   - yes/no/on/off/y/n stay strings and print quoted ("yes", "y", also as
 *     keys); 1.0 prints 1 and 1e3 prints 1000 (through JSON, v2 reads an
 *     integral number back as an int); 0o17, 017 and 0x1F print 15, 15, 31
 *     (yaml.v3 reads a leading-zero integer as octal), 08 prints 8;
 *   - plain timestamps become time.Time and print as Go's RFC 3339 text:
 *     2001-12-14 -> "2001-12-14T00:00:00Z",
 *     2001-12-14T21:59:43.10-05:00 -> "2001-12-14T21:59:43.1-05:00";
 *   - integers between 2^63 and 2^64-1 are uint64 in yaml.v3 and print
 *     exactly (9223372036854775808), which neither json_integer nor
 *     json_real holds; 2^64 and above are float64 (1.8446744073709552e+19);
 *   - .inf and .nan fail (encoding/json: unsupported value), and so does a
 *     duplicate key (yaml.v3 Unmarshal), both only when printing.
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

/* Prints the stream as kustomize does; 0 or the emitter's error. */
static int S_emit(struct buf *out, const struct ystream *s, struct diag *d)
{
	size_t i;
	int first = 1, error;

	for (i = 0; i < s->ndocs; i++) {
		if (!s->docs[i].root || json_is_null(s->docs[i].root))
			continue;
		if (!first)
			buf_adds(out, "---\n");
		first = 0;
		if ((error = value_to_yaml(out, s->docs[i].root, d)) < 0)
			return error;
	}
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

static void S_run_case(struct golden_case *c, void *payload)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	struct buf expected = BUF_INIT, got = BUF_INIT, esc = BUF_INIT;
	char *path = NULL;
	size_t len;
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
	if (golden_read(&expected, c, want_error ? "expected.err" : "expected.yaml") != 0) {
		golden_fail(c, "cannot read %s", want_error ? "expected.err" : "expected.yaml");
		goto done;
	}
	error = ystream_parse(&s, &src, YDOC_KUSTOMIZE, NULL, &d);

	if (want_error) {
		len = expected.len;
		while (len && (expected.ptr[len - 1] == '\n' || expected.ptr[len - 1] == '\r'))
			len--;
		golden_escape(&esc, expected.ptr, len, 400);
		if (error < 0) {
			if (!golden_names_file_and_line(d.msg.ptr, INPUT_NAME))
				golden_fail(c, "error does not name " INPUT_NAME
					    " and a line: ours \"%s\" | kustomize \"%s\"",
					    d.msg.ptr, esc.ptr);
		} else if (S_emit(&got, &s, &d) >= 0) {
			golden_fail(c, "read and emitted, but kustomize fails: \"%s\"",
				    esc.ptr);
		}
		goto done;
	}
	if (error < 0) {
		golden_fail(c, "ystream_parse failed (%s): %s",
			    diag_code_name(error), d.msg.ptr);
		goto done;
	}
	if ((error = S_emit(&got, &s, &d)) < 0) {
		golden_fail(c, "value_to_yaml failed (%s): %s",
			    diag_code_name(error), d.msg.ptr);
		goto done;
	}
	golden_compare(c, "expected.yaml", expected.ptr, expected.len, got.ptr, got.len);
done:
	ystream_release(&s);
	diag_release(&d);
	srcfile_release(&src);
	buf_release(&esc);
	buf_release(&got);
	buf_release(&expected);
	free(path);
}

int main(int argc, char **argv)
{
	return golden_main(argc, argv, S_run_case, NULL);
}

