/*
 * render/yaml.c: YAML -> json_t in Helm (go-yaml v2 + sigs.k8s.io/yaml) and
 * Kustomize (go-yaml v3) modes.
 *
 * Expected values were taken from the reference binaries, not from this
 * reader: Helm v4.1.4 (`helm template` of a chart printing
 * `{{ toJson .Values | b64enc }}`, values given with -f) for V cases, and
 * `kubectl kustomize` (kustomize v5.7.1) over a resource whose data: holds
 * the input for K cases. In V mode every number is a Go float64 after the
 * trip through encoding/json, hence the reals ("1.0"); json_equal tells
 * integers from reals, so the tables check that too.
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
#include <time.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/srcfile.h"
#include "render/yaml.h"

enum tmode { V, H, K }; /* ydoc_parse_values; ystream_parse HELM; KUSTOMIZE */

struct ycase {
	enum tmode mode;
	const char *input;
	const char *expect; /* JSON of the (only) document's root; NULL: an error */
	const char *err;    /* substring of the message */
	int line, col;      /* where the message says the error is */
};

#define OK(m, in, out) { m, in, out, NULL, 0, 0 }
#define ERR(m, in, msg, l, c) { m, in, NULL, msg, l, c }

static const struct ycase cases[] = {
	/* ---- Helm values: YAML 1.1 booleans ---- */
	OK(V, "a: y", "{\"a\": true}"),
	OK(V, "a: Y", "{\"a\": true}"),
	OK(V, "a: yes", "{\"a\": true}"),
	OK(V, "a: Yes", "{\"a\": true}"),
	OK(V, "a: YES", "{\"a\": true}"),
	OK(V, "a: on", "{\"a\": true}"),
	OK(V, "a: On", "{\"a\": true}"),
	OK(V, "a: ON", "{\"a\": true}"),
	OK(V, "a: true", "{\"a\": true}"),
	OK(V, "a: True", "{\"a\": true}"),
	OK(V, "a: TRUE", "{\"a\": true}"),
	OK(V, "a: n", "{\"a\": false}"),
	OK(V, "a: N", "{\"a\": false}"),
	OK(V, "a: no", "{\"a\": false}"),
	OK(V, "a: No", "{\"a\": false}"),
	OK(V, "a: NO", "{\"a\": false}"),
	OK(V, "a: off", "{\"a\": false}"),
	OK(V, "a: Off", "{\"a\": false}"),
	OK(V, "a: OFF", "{\"a\": false}"),
	OK(V, "a: false", "{\"a\": false}"),
	OK(V, "a: False", "{\"a\": false}"),
	OK(V, "a: FALSE", "{\"a\": false}"),
	OK(V, "a: tRue", "{\"a\": \"tRue\"}"),
	OK(V, "a: yEs", "{\"a\": \"yEs\"}"),
	/* ---- nulls ---- */
	OK(V, "a: ~", "{\"a\": null}"),
	OK(V, "a: null", "{\"a\": null}"),
	OK(V, "a: Null", "{\"a\": null}"),
	OK(V, "a: NULL", "{\"a\": null}"),
	OK(V, "a:", "{\"a\": null}"),
	OK(V, "a: nUll", "{\"a\": \"nUll\"}"),
	OK(V, "a: \"\"", "{\"a\": \"\"}"),
	/* ---- integers: all become float64 ---- */
	OK(V, "a: 12", "{\"a\": 12.0}"),
	OK(V, "a: 0x1F", "{\"a\": 31.0}"),
	OK(V, "a: 0X1F", "{\"a\": 31.0}"),
	OK(V, "a: 017", "{\"a\": 15.0}"),
	OK(V, "a: 0o17", "{\"a\": 15.0}"),
	OK(V, "a: 0b101", "{\"a\": 5.0}"),
	OK(V, "a: 1_000", "{\"a\": 1000.0}"),
	OK(V, "a: +12", "{\"a\": 12.0}"),
	OK(V, "a: -12", "{\"a\": -12.0}"),
	OK(V, "a: 1:20", "{\"a\": \"1:20\"}"),
	OK(V, "a: 08", "{\"a\": 8.0}"),
	OK(V, "a: 0b", "{\"a\": \"0b\"}"),
	OK(V, "a: 0x", "{\"a\": \"0x\"}"),
	OK(V, "a: -0x10", "{\"a\": -16.0}"),
	OK(V, "a: +0o17", "{\"a\": 15.0}"),
	OK(V, "a: 0b1_0", "{\"a\": 2.0}"),
	OK(V, "a: -0b11", "{\"a\": -3.0}"),
	OK(V, "a: 9223372036854775807", "{\"a\": 9223372036854775807.0}"),
	OK(V, "a: 18446744073709551615", "{\"a\": 18446744073709551615.0}"),
	OK(V, "a: 123456789012345678901234567890", "{\"a\": 1.2345678901234568e29}"),
	OK(V, "a: 0xFFFFFFFFFFFFFFFFFF", "{\"a\": \"0xFFFFFFFFFFFFFFFFFF\"}"),
	OK(V, "a: -9223372036854775809", "{\"a\": -9223372036854775808.0}"),
	OK(V, "a: 9007199254740993", "{\"a\": 9007199254740992.0}"),
	/* ---- floats ---- */
	OK(V, "a: .5", "{\"a\": 0.5}"),
	OK(V, "a: 1.", "{\"a\": 1.0}"),
	OK(V, "a: 1e3", "{\"a\": 1000.0}"),
	OK(V, "a: 1E3", "{\"a\": 1000.0}"),
	OK(V, "a: -1.5e-3", "{\"a\": -0.0015}"),
	OK(V, "a: +.5", "{\"a\": 0.5}"),
	OK(V, "a: 1e400", "{\"a\": \"1e400\"}"),
	OK(V, "a: 1_000.5", "{\"a\": 1000.5}"),
	OK(V, "a: 0x1p3", "{\"a\": \"0x1p3\"}"),
	/* go-yaml's fallbacks after ParseInt(s, 0) (helm 4.1.4) */
	OK(V, "a: 0b-101\nb: 0b+101\nc: 0o+7\nd: -0b-1",
	   "{\"a\": -5.0, \"b\": 5.0, \"c\": \"0o+7\", \"d\": \"-0b-1\"}"),
	/* a '.'-led text goes to ParseFloat as it is (helm 4.1.4) */
	OK(V, "a: .5_0\nb: .1_2e1_0\nc: ._5\nd: .5_",
	   "{\"a\": 0.5, \"b\": 1200000000.0, \"c\": \"._5\", \"d\": \".5_\"}"),
	OK(V, "a: 6.02e+23", "{\"a\": 6.02e23}"),
	OK(V, "a: 1e-7", "{\"a\": 1e-7}"),
	OK(V, "a: -0", "{\"a\": 0.0}"),
	OK(V, "a: .Nan", "{\"a\": \".Nan\"}"),
	OK(V, "a: +inf", "{\"a\": \"+inf\"}"),
	OK(V, "a: inf", "{\"a\": \"inf\"}"),
	OK(V, "a: nan", "{\"a\": \"nan\"}"),
	OK(V, "a: Infinity", "{\"a\": \"Infinity\"}"),
	/* go-yaml rejects "\/" (libyaml 0.2.5 accepts it); helm and kubectl
	 * both fail with "found unknown escape character" */
	ERR(V, "a: \"x\\/y\"", "found unknown escape character", 1, 6),
	ERR(K, "a: \"x\\/y\"", "found unknown escape character", 1, 6),
	OK(V, "a: \"x\\\\/y\"", "{\"a\": \"x\\\\/y\"}"),
	OK(V, "a: 'x\\/y'", "{\"a\": \"x\\\\/y\"}"),
	ERR(V, "a: .inf", "json: unsupported value: +Inf", 1, 4),
	ERR(V, "a: -.Inf", "json: unsupported value: -Inf", 1, 4),
	ERR(V, "a: +.INF", "json: unsupported value: +Inf", 1, 4),
	ERR(V, "b: 1\na: .nan", "json: unsupported value: NaN", 2, 4),
	ERR(V, "a: .NaN", "json: unsupported value: NaN", 1, 4),
	/* ---- timestamps stay text in v2 ---- */
	OK(V, "a: 2001-12-14", "{\"a\": \"2001-12-14\"}"),
	OK(V, "a: 2001-12-14t21:59:43.10-05:00", "{\"a\": \"2001-12-14t21:59:43.10-05:00\"}"),
	OK(V, "a: 2001-12-14 21:59:43.10", "{\"a\": \"2001-12-14 21:59:43.10\"}"),
	OK(V, "a: !!timestamp 2001-12-14", "{\"a\": \"2001-12-14\"}"),
	/* ---- tags ---- */
	OK(V, "a: !!str 1", "{\"a\": \"1\"}"),
	OK(V, "a: !!str yes", "{\"a\": \"yes\"}"),
	OK(V, "a: !!int \"12\"", "{\"a\": 12.0}"),
	OK(V, "a: !!float 1", "{\"a\": 1.0}"),
	OK(V, "a: !!bool yes", "{\"a\": true}"),
	OK(V, "a: !!null ~", "{\"a\": null}"),
	OK(V, "a: !foo 12", "{\"a\": \"12\"}"),
	OK(V, "a: ! 12", "{\"a\": \"12\"}"),
	OK(V, "a: !\nb: ! \nc: ! x", "{\"a\": \"\", \"b\": \"\", \"c\": \"x\"}"),
	OK(V, "a: !!binary aGVsbG8=", "{\"a\": \"hello\"}"),
	OK(V, "a: !!binary |\n  aGVs\n  bG8=\n", "{\"a\": \"hello\"}"),
	OK(V, "a: !!binary /w==", "{\"a\": \"\\ufffd\"}"),
	OK(V, "a: !!str {x: 1}\nb: !!map [1]", "{\"a\": {\"x\": 1.0}, \"b\": [1.0]}"),
	ERR(V, "a: !!int 1.5", "cannot decode !!float `1.5` as a !!int", 1, 4),
	ERR(V, "a: !!bool 1", "cannot decode !!int `1` as a !!bool", 1, 4),
	ERR(V, "a: !!null x", "cannot decode !!str `x` as a !!null", 1, 4),
	ERR(V, "a: !!binary \"@@@\"", "!!binary value contains invalid base64 data", 1, 4),
	ERR(V, "a: !!float 18446744073709551615",
	    "cannot decode !!int `18446744073709551615` as a !!float", 1, 4),
	/* ---- keys: sigs.k8s.io/yaml turns them into strings ---- */
	OK(V, "1: a", "{\"1\": \"a\"}"),
	OK(V, "1.5: b", "{\"1.5\": \"b\"}"),
	OK(V, "yes: c", "{\"true\": \"c\"}"),
	OK(V, "on: a\nno: b\nTrue: c", "{\"true\": \"c\", \"false\": \"b\"}"),
	OK(V, "0x10: d", "{\"16\": \"d\"}"),
	OK(V, "1e6: f", "{\"1e+06\": \"f\"}"),
	OK(V, "0.1: g", "{\"0.1\": \"g\"}"),
	OK(V, "123456789.0: h", "{\"1.2345679e+08\": \"h\"}"),
	OK(V, "-0.0: i", "{\"-0\": \"i\"}"),
	OK(V, ".inf: j", "{\".inf\": \"j\"}"),
	OK(V, "1_000: k", "{\"1000\": \"k\"}"),
	OK(V, "2001-01-01: l", "{\"2001-01-01\": \"l\"}"),
	OK(V, "16777217.0: a", "{\"1.6777216e+07\": \"a\"}"),
	OK(V, "0.3: b", "{\"0.3\": \"b\"}"),
	OK(V, "1e21: c", "{\"1e+21\": \"c\"}"),
	OK(V, "100000.0: d", "{\"100000\": \"d\"}"),
	OK(V, "1000000.0: e", "{\"1e+06\": \"e\"}"),
	OK(V, "0.0001: f", "{\"0.0001\": \"f\"}"),
	OK(V, "0.00001: g", "{\"1e-05\": \"g\"}"),
	OK(V, "99999999999999999999: a", "{\"1e+20\": \"a\"}"),
	OK(V, "x: &n 5\n*n : five", "{\"x\": 5.0, \"5\": \"five\"}"),
	OK(V, "&k foo: bar\n*k : baz", "{\"foo\": \"baz\"}"),
	ERR(V, "~: a", "unsupported map key of type: %!s(<nil>), key: <nil>", 1, 1),
	ERR(V, "? \n: a", "unsupported map key of type: %!s(<nil>)", 1, 2),
	ERR(V, "18446744073709551615: a",
	    "unsupported map key of type: uint64, key: 0xffffffffffffffff", 1, 1),
	ERR(V, "[1, 2]: a", "invalid map key", 1, 1),
	ERR(V, "{a: 1}: b", "invalid map key", 1, 1),
	/* ---- duplicates: last wins in v2 ---- */
	OK(V, "a: 1\na: 2", "{\"a\": 2.0}"),
	/* ---- merge keys (v2: in place, later keys override) ---- */
	OK(V, "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3",
	   "{\"base\": {\"x\": 1.0, \"true\": 2.0}, \"m\": {\"x\": 1.0, \"true\": 3.0}}"),
	OK(V, "m:\n  y: 3\n  <<: {x: 1, y: 2}", "{\"m\": {\"x\": 1.0, \"true\": 2.0}}"),
	OK(V, "a: &a {x: 1}\nb: &b {x: 2, z: 2}\nm:\n  <<: [*a, *b]",
	   "{\"a\": {\"x\": 1.0}, \"b\": {\"x\": 2.0, \"z\": 2.0}, \"m\": {\"x\": 1.0, \"z\": 2.0}}"),
	OK(V, "m:\n  \"<<\": {x: 1}", "{\"m\": {\"<<\": {\"x\": 1.0}}}"),
	OK(V, "m:\n  '<<': {x: 1}", "{\"m\": {\"<<\": {\"x\": 1.0}}}"),
	OK(V, "m:\n  !!merge <<: {x: 1}", "{\"m\": {\"x\": 1.0}}"),
	OK(V, "a: undefined\nb: =\nc: <<", "{\"a\": \"undefined\", \"b\": \"=\", \"c\": \"<<\"}"),
	ERR(V, "m:\n  <<: 1", "map merge requires map or sequence of maps as the value", 2, 7),
	ERR(V, "a: &a [1]\nm:\n  <<: *a", "map merge requires map or sequence of maps", 3, 7),
	ERR(V, "m:\n  <<: [{x: 1}, 2]", "map merge requires map or sequence of maps", 2, 7),
	ERR(V, "n: &n ~\nm:\n  <<: *n", "map merge requires map or sequence of maps", 3, 7),
	/* ---- anchors and aliases ---- */
	OK(V, "a: &x hello\nb: *x\nc: &y [1, *x]\nd: *y",
	   "{\"a\": \"hello\", \"b\": \"hello\", \"c\": [1.0, \"hello\"], \"d\": [1.0, \"hello\"]}"),
	OK(V, "a: &x 1\nb: &x 2\nc: *x", "{\"a\": 1.0, \"b\": 2.0, \"c\": 2.0}"),
	/* redefined inside its own node: the inner one stays (fuzz find, leaked) */
	OK(H, "a: &b [1, &b [2]]\nc: *b", "{\"a\": [1.0, [2.0]], \"c\": [2.0]}"),
	ERR(V, "a: *nope", "unknown anchor 'nope' referenced", 1, 4),
	ERR(V, "a: &a [*a]", "anchor 'a' value contains itself", 1, 8),
	/* ---- block scalars ---- */
	OK(V, "a: |\n  x\n  y\n", "{\"a\": \"x\\ny\\n\"}"),
	OK(V, "a: >\n  x\n  y\n", "{\"a\": \"x y\\n\"}"),
	OK(V, "a: |-\n  x\n", "{\"a\": \"x\"}"),
	OK(V, "a: |+\n  x\n\nb: 1", "{\"a\": \"x\\n\\n\", \"b\": 1.0}"),
	OK(V, "a: >2\n    x\n   y\n", "{\"a\": \"  x\\n y\\n\"}"),
	OK(V, "a: |\n\n  x\n", "{\"a\": \"\\nx\\n\"}"),
	OK(V, "a: |2\n    x\n  y", "{\"a\": \"  x\\ny\\n\"}"),
	OK(V, "a: >+\n  x\n\n\nb: 1", "{\"a\": \"x\\n\\n\\n\", \"b\": 1.0}"),
	OK(V, "a: >\n x", "{\"a\": \"x\\n\"}"),
	OK(V, "a: very long plain\n  continued line\n\n  new para",
	   "{\"a\": \"very long plain continued line\\nnew para\"}"),
	/* ---- quoted scalars are strings ---- */
	OK(V, "a: \"yes\"\nb: '1'", "{\"a\": \"yes\", \"b\": \"1\"}"),
	OK(V, "c: \"\\t\\u00e9\\x41\"\nd: 'it''s'", "{\"c\": \"\\t\\u00e9A\", \"d\": \"it's\"}"),
	OK(V, "e: \"a\\\n  b\"", "{\"e\": \"ab\"}"),
	OK(V, "a: b\tc", "{\"a\": \"b\\tc\"}"),
	OK(V, "a:\tb", "{\"a\": \"b\"}"),
	OK(V, "a: caf\xc3\xa9", "{\"a\": \"caf\\u00e9\"}"),
	/* ---- flow collections ---- */
	OK(V, "a: [1, {b: 2}, \"c\"]\nb: {x, y: 1}\nc: []\nd: {}",
	   "{\"a\": [1.0, {\"b\": 2.0}, \"c\"], \"b\": {\"x\": null, \"true\": 1.0}, \"c\": [], \"d\": {}}"),
	OK(V, "{a: 1, b: [x, y]}", "{\"a\": 1.0, \"b\": [\"x\", true]}"),
	OK(V, "? a\n: 1\n? b\n", "{\"a\": 1.0, \"b\": null}"),
	/* ---- whole files ---- */
	OK(V, "", "{}"),
	OK(V, "# just a comment\n", "{}"),
	OK(V, "---\n", "{}"),
	OK(V, "---\n---\n", "{}"),
	OK(V, "--- \na: 1\n...\n", "{\"a\": 1.0}"),
	OK(V, "--- # c\na: 1\n", "{\"a\": 1.0}"),
	OK(V, "a: 1\n---\nb: 2", "{\"a\": 1.0, \"b\": 2.0}"),
	OK(V, "a: 1\n---\n~\n---\nb: 2", "{\"a\": 1.0, \"b\": 2.0}"),
	OK(V, "a: {x: 1, l: [1]}\nb: 1\n---\na: {y: 2, l: [2]}\nb: {z: 1}",
	   "{\"a\": {\"x\": 1.0, \"true\": 2.0, \"l\": [2.0]}, \"b\": {\"z\": 1.0}}"),
	OK(V, "a: {x: 1}\n---\na: ~", "{\"a\": null}"),
	OK(V, "a: |\n  x\n  ---\nb: 2", "{\"a\": \"x\\n---\\n\", \"b\": 2.0}"),
	OK(V, "\xef\xbb\xbf" "a: 1", "{\"a\": 1.0}"),
	OK(V, "a: 1\r\nb: |\r\n  x\r\n  y\r\n", "{\"a\": 1.0, \"b\": \"x\\ny\\n\"}"),
	ERR(V, "- 1\n- 2", "values must be a mapping, not a sequence (json: cannot unmarshal "
	    "array into Go value of type map[string]interface {})", 1, 1),
	ERR(V, "hello", "json: cannot unmarshal string into Go value", 1, 1),
	ERR(V, "a: 1\n---\nhello", "values must be a mapping, not a scalar", 3, 1),
	ERR(V, "--- {a: 1}\n", "invalid Yaml document separator: {a: 1}", 1, 5),
	ERR(V, "a: 1\n---x\nb: 2\n", "invalid Yaml document separator: x", 2, 4),
	ERR(V, "%YAML 1.1\n---\na: 1", "directives are not supported in values files", 1, 1),
	/* ---- malformed YAML: libyaml's words, position of the problem ---- */
	ERR(V, "a:\n  b: 1\n c: 2", "did not find expected key (while parsing a block mapping at 1:1)", 3, 2),
	ERR(V, "a:\n\tb: 1", "found character that cannot start any token", 2, 1),
	ERR(V, "a: [1, 2", "did not find expected ',' or ']'", 2, 1),
	ERR(V, "a: \"abc", "found unexpected end of stream", 2, 1),
	ERR(V, "a: b: c", "mapping values are not allowed in this context", 1, 5),
	ERR(V, "- a\nb: c", "did not find expected '-' indicator", 2, 1),
	ERR(V, "a: -\nb: - x", "block sequence entries are not allowed in this context", 1, 4),
	ERR(V, "a: 1\n---\n[bad", "did not find expected ',' or ']' (while parsing a flow sequence at 3:1)", 4, 1),
	ERR(V, "a: \"\\ud83d\"", "found invalid Unicode character escape code", 1, 7),
	ERR(V, "a: b\xff", "invalid leading UTF-8 octet", 1, 5),
	ERR(V, "a: \xc3", "invalid trailing UTF-8 octet", 1, 5),
	ERR(H, "a: \xc3", "incomplete UTF-8 octet sequence", 1, 4),

	/* ---- ystream_parse in Helm mode: any document root ---- */
	OK(H, "- 1\n- yes", "[1.0, true]"),
	OK(H, "hello", "\"hello\""),
	OK(H, "", NULL),
	OK(H, "~", "null"),
	OK(H, "%YAML 1.1\n---\na: 1", "{\"a\": 1.0}"),

	/* ---- Kustomize: yaml.v3, YAML 1.2 core schema ---- */
	OK(K, "a: yes\nb: no\nc: on\nd: off\ne: y",
	   "{\"a\": \"yes\", \"b\": \"no\", \"c\": \"on\", \"d\": \"off\", \"e\": \"y\"}"),
	OK(K, "f: True\ng: FALSE\nh: tRUE", "{\"f\": true, \"g\": false, \"h\": \"tRUE\"}"),
	OK(K, "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nUll",
	   "{\"a\": null, \"b\": null, \"c\": null, \"d\": null, \"e\": null, \"f\": \"nUll\"}"),
	OK(K, "a: 0x1F", "{\"a\": 31}"),
	OK(K, "a: 017", "{\"a\": 15}"),
	OK(K, "a: 0o17", "{\"a\": 15}"),
	OK(K, "a: 0b101", "{\"a\": 5}"),
	OK(K, "a: 1_000", "{\"a\": 1000}"),
	OK(K, "a: +12", "{\"a\": 12}"),
	OK(K, "a: -12", "{\"a\": -12}"),
	OK(K, "a: 1:20", "{\"a\": \"1:20\"}"),
	OK(K, "a: 08", "{\"a\": 8.0}"),
	OK(K, "a: 0x", "{\"a\": \"0x\"}"),
	OK(K, "a: -0x10", "{\"a\": -16}"),
	OK(K, "a: -0o17", "{\"a\": -15}"),
	OK(K, "a: 9223372036854775807", "{\"a\": 9223372036854775807}"),
	OK(K, "a: -9223372036854775808", "{\"a\": -9223372036854775808}"),
	OK(K, "a: -9223372036854775809", "{\"a\": -9.223372036854776e18}"),
	OK(K, "a: 12345678901234567890123", "{\"a\": 1.2345678901234568e22}"),
	OK(K, "a: .5", "{\"a\": 0.5}"),
	OK(K, "a: 1.", "{\"a\": 1.0}"),
	OK(K, "a: 1e3", "{\"a\": 1000.0}"),
	OK(K, "a: 1.5", "{\"a\": 1.5}"),
	OK(K, "a: 1e400", "{\"a\": \"1e400\"}"),
	OK(K, "a: 0x1p3", "{\"a\": \"0x1p3\"}"),
	/* v3 adds the signed "0o" fallback (kubectl kustomize 5.7.1 reads these
	 * keys as 7, -7, -5 and 0.5) */
	OK(K, "a: 0o+7\nb: 0o-7\nc: 0b-101\nd: .5_0\ne: -0o-7",
	   "{\"a\": 7, \"b\": -7, \"c\": -5, \"d\": 0.5, \"e\": \"-0o-7\"}"),
	ERR(K, "m:\n  0o+7: a", "json: unsupported type: map[interface {}]interface {}", 2, 3),
	OK(K, "a: !!float 3", "{\"a\": 3.0}"),
	ERR(K, "a: .inf", "json: unsupported value: +Inf", 1, 4),
	ERR(K, "a: .NaN", "json: unsupported value: NaN", 1, 4),
	OK(K, "a: 2001-12-14", "{\"a\": \"2001-12-14T00:00:00Z\"}"),
	OK(K, "a: 2001-12-14t21:59:43.10-05:00", "{\"a\": \"2001-12-14T21:59:43.1-05:00\"}"),
	OK(K, "a: 2001-12-14 21:59:43.10", "{\"a\": \"2001-12-14T21:59:43.1Z\"}"),
	OK(K, "a: 2001-12-14 21:59:43.10 -5", "{\"a\": \"2001-12-14 21:59:43.10 -5\"}"),
	OK(K, "a: 2001-13-01", "{\"a\": \"2001-13-01\"}"),
	OK(K, "a: 2000-02-29", "{\"a\": \"2000-02-29T00:00:00Z\"}"),
	OK(K, "a: 2001-02-29", "{\"a\": \"2001-02-29\"}"),
	OK(K, "a: 2001-01-01T24:00:00Z", "{\"a\": \"2001-01-01T24:00:00Z\"}"),
	OK(K, "a: 2001-01-01T10:00:00+01:30", "{\"a\": \"2001-01-01T10:00:00+01:30\"}"),
	OK(K, "a: 2001-1-1 1:2:3", "{\"a\": \"2001-01-01T01:02:03Z\"}"),
	OK(K, "a: 2001-02-30", "{\"a\": \"2001-02-30\"}"),
	OK(K, "a: 2001-1-2T3:4:5Z", "{\"a\": \"2001-01-02T03:04:05Z\"}"),
	OK(K, "a: 2001-01-01 10:00:00.123456789123", "{\"a\": \"2001-01-01T10:00:00.123456789Z\"}"),
	OK(K, "a: 2001-01-01T10:00:00+00:00", "{\"a\": \"2001-01-01T10:00:00Z\"}"),
	OK(K, "a: 2001-01-01T10:00:00,5Z", "{\"a\": \"2001-01-01T10:00:00.5Z\"}"),
	OK(K, "a: !!str 1\nb: !!int \"12\"\nc: !!float 1\nd: !!bool true\ne: !!null ~",
	   "{\"a\": \"1\", \"b\": 12, \"c\": 1.0, \"d\": true, \"e\": null}"),
	OK(K, "f: !foo 12\ng: !!binary aGVsbG8=\nh: ! 12", "{\"f\": \"12\", \"g\": \"hello\", \"h\": 12}"),
	OK(K, "a: !!binary /w==", "{\"a\": \"\\ufffd\"}"),
	OK(K, "a: !\nb: ! 0x10", "{\"a\": null, \"b\": 16}"),
	OK(K, "a: 2001-12-14  21:59:43", "{\"a\": \"2001-12-14T21:59:43Z\"}"),
	ERR(K, "a: !!int 1.5", "cannot decode !!float `1.5` as a !!int", 1, 4),
	ERR(K, "a: !!bool yes", "cannot decode !!str `yes` as a !!bool", 1, 4),
	ERR(K, "a: 1\nb: 2\na: 3", "mapping key \"a\" already defined at line 1", 3, 1),
	ERR(K, "a: 1\n\"a\": 2", "mapping key \"a\" already defined at line 1", 2, 1),
	OK(K, "base: &b {x: 1, y: 2}\nm:\n  y: 3\n  <<: *b",
	   "{\"base\": {\"x\": 1, \"y\": 2}, \"m\": {\"y\": 3, \"x\": 1}}"),
	OK(K, "a: 1\n<<: {a: 2, z: 3}", "{\"a\": 1, \"z\": 3}"),
	OK(K, "a: &a {x: 1}\nb: &b {x: 2, z: 2}\nm:\n  <<: [*a, *b]",
	   "{\"a\": {\"x\": 1}, \"b\": {\"x\": 2, \"z\": 2}, \"m\": {\"x\": 1, \"z\": 2}}"),
	OK(K, "a: &x {b: 1}\nc: *x\nd:\n  <<: *x\n  e: 2",
	   "{\"a\": {\"b\": 1}, \"c\": {\"b\": 1}, \"d\": {\"e\": 2, \"b\": 1}}"),
	ERR(K, "m:\n  <<: 1", "map merge requires map or sequence of maps as the value", 2, 7),
	OK(K, "m:\n  yes: 1", "{\"m\": {\"yes\": 1}}"),
	OK(K, "m:\n  \"1\": a\n  \"true\": b", "{\"m\": {\"1\": \"a\", \"true\": \"b\"}}"),
	ERR(K, "m:\n  1: a", "json: unsupported type: map[interface {}]interface {}", 2, 3),
	ERR(K, "m:\n  true: a", "mapping key \"true\" is a !!bool, not a string", 2, 3),
	ERR(K, "m:\n  2001-01-01: a", "mapping key \"2001-01-01\" is a !!timestamp", 2, 3),
	OK(K, "a: &x [1, 2]\nb: *x", "{\"a\": [1, 2], \"b\": [1, 2]}"),
	OK(K, "a: |\n  x\n  y\nb: >-\n  x\n  y", "{\"a\": \"x\\ny\\n\", \"b\": \"x y\"}"),
	OK(K, "- 1\n- x", "[1, \"x\"]"),
	OK(K, "%YAML 1.2\n---\na: 1", "{\"a\": 1}"),
};

static int parse_case(const struct ycase *c, json_t **root, struct diag *d, size_t *ndocs)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	int error;

	*root = NULL;
	*ndocs = 0;
	assert_int_equal(srcfile_set(&src, "t.yaml", c->input, strlen(c->input)), 0);
	if (c->mode == V) {
		error = ydoc_parse_values(root, &src, d);
		*ndocs = 1;
	} else {
		error = ystream_parse(&s, &src, c->mode == H ? YDOC_HELM : YDOC_KUSTOMIZE,
				      NULL, d);
		if (error == 0) {
			*ndocs = s.ndocs;
			if (s.ndocs)
				*root = json_incref(s.docs[0].root);
		}
		ystream_release(&s);
	}
	srcfile_release(&src);
	return error;
}

static void test_yaml__table(void **state)
{
	size_t i, failed = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ycase *c = &cases[i];
		struct diag d = DIAG_INIT;
		json_t *root = NULL, *want = NULL;
		json_error_t jerr;
		size_t ndocs;
		int error = parse_case(c, &root, &d, &ndocs);

		if (c->err) {
			char where[64];
			snprintf(where, sizeof(where), "t.yaml:%d:%d: ", c->line, c->col);
			if (error != DIAG_EPARSE || strncmp(d.msg.ptr, where, strlen(where)) != 0 ||
			    !strstr(d.msg.ptr, c->err)) {
				print_error("case %zu %s: want error %s%s, got %d '%s'\n", i,
					    c->input, where, c->err, error, d.msg.ptr);
				failed++;
			}
		} else if (error != 0) {
			print_error("case %zu %s: unexpected error '%s'\n", i, c->input, d.msg.ptr);
			failed++;
		} else if (!c->expect) {
			if (ndocs != 0) {
				print_error("case %zu: want no document, got %zu\n", i, ndocs);
				failed++;
			}
		} else {
			want = json_loads(c->expect, JSON_DECODE_ANY, &jerr);
			assert_non_null(want);
			if (ndocs != 1 || !root || !json_equal(root, want)) {
				char *got = root ? json_dumps(root, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
				print_error("case %zu %s: want %s, got %s (%zu docs)\n", i, c->input,
					    c->expect, got ? got : "(none)", ndocs);
				free(got);
				failed++;
			}
		}
		json_decref(want);
		json_decref(root);
		diag_release(&d);
	}
	print_message("%zu cases, %zu failed\n", sizeof(cases) / sizeof(cases[0]), failed);
	assert_int_equal(failed, 0);
}

static int parse_stream(struct ystream *s, const char *input, size_t len, enum ydoc_mode mode,
			const struct ydoc_limits *lim, struct diag *d, struct srcfile *src)
{
	assert_int_equal(srcfile_set(src, "t.yaml", input, len), 0);
	return ystream_parse(s, src, mode, lim, d);
}

static void assert_pos(const struct ydoc *doc, const char *ptr, int line, int col)
{
	struct ypos pos = { 0, 0 };

	if (ydoc_locate(doc, ptr, &pos) != 0)
		fail_msg("no position for '%s'", ptr);
	if (pos.line != line || pos.col != col)
		fail_msg("'%s' at %d:%d, want %d:%d", ptr, pos.line, pos.col, line, col);
}

static void test_yaml__positions(void **state)
{
	const char *in = "a:\n  b: [1, {c: x}]\n  d: &x hi\ne: *x\n\"x/y~z\": 1\nl:\n- q\n-   r\n";
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	struct ypos pos;

	assert_int_equal(parse_stream(&s, in, strlen(in), YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_int_equal(s.ndocs, 1);
	assert_pos(&s.docs[0], "", 1, 1);
	assert_pos(&s.docs[0], "/a", 2, 3);
	assert_pos(&s.docs[0], "/a/b", 2, 6);
	assert_pos(&s.docs[0], "/a/b/0", 2, 7);
	assert_pos(&s.docs[0], "/a/b/1", 2, 10);
	assert_pos(&s.docs[0], "/a/b/1/c", 2, 14);
	assert_pos(&s.docs[0], "/a/d", 3, 6);
	assert_pos(&s.docs[0], "/e", 4, 4);
	assert_pos(&s.docs[0], "/x~1y~0z", 5, 10);
	assert_pos(&s.docs[0], "/l/0", 7, 3);
	assert_pos(&s.docs[0], "/l/1", 8, 5);
	assert_int_equal(ydoc_locate(&s.docs[0], "/nope", &pos), DIAG_ENOTFOUND);
	assert_int_equal(ydoc_locate(&s.docs[0], "/a/b/2", &pos), DIAG_ENOTFOUND);
	assert_int_equal(s.docs[0].pos.line, 1);
	assert_int_equal(s.docs[0].pos.col, 1);
	ystream_release(&s);
	srcfile_release(&src);
	diag_release(&d);
}

static void test_yaml__positions_of_merged_keys(void **state)
{
	const char *in = "b: &b {x: 1}\nm:\n  <<: *b\n  z: 2\n";
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(parse_stream(&s, in, strlen(in), YDOC_HELM, NULL, &d, &src), 0);
	assert_pos(&s.docs[0], "/m/x", 3, 7); /* the alias that brought it */
	assert_pos(&s.docs[0], "/m/z", 4, 6);
	ystream_release(&s);
	assert_int_equal(parse_stream(&s, in, strlen(in), YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_pos(&s.docs[0], "/m/x", 3, 7);
	assert_pos(&s.docs[0], "/m/z", 4, 6);
	ystream_release(&s);
	srcfile_release(&src);
	diag_release(&d);
}

/* no_positions: the same trees in both modes, nothing to locate, errors still at line:col. */
static void test_yaml__no_positions(void **state)
{
	const char *in = "a:\n  b: [1, {c: x}]\n  d: &x hi\ne: *x\nm: {<<: {k: 1}, z: 2}\n---\n- q\n";
	const char *bad = "a: 1\nb: [1, 2\n";
	struct ydoc_limits lim = YDOC_LIMITS_DEFAULT;
	enum ydoc_mode modes[] = { YDOC_HELM, YDOC_KUSTOMIZE };
	struct srcfile src = SRCFILE_INIT;
	struct ystream with = YSTREAM_INIT, without = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	struct ypos pos;
	size_t m, i;

	lim.no_positions = 1;
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		assert_int_equal(parse_stream(&with, in, strlen(in), modes[m], NULL, &d, &src), 0);
		srcfile_release(&src);
		assert_int_equal(parse_stream(&without, in, strlen(in), modes[m], &lim, &d, &src), 0);
		srcfile_release(&src);
		assert_int_equal(without.ndocs, with.ndocs);
		for (i = 0; i < with.ndocs; i++) {
			assert_true(json_equal(without.docs[i].root, with.docs[i].root));
			assert_null(without.docs[i].positions);
			assert_int_equal(without.docs[i].start, with.docs[i].start);
			assert_int_equal(without.docs[i].end, with.docs[i].end);
			assert_int_equal(without.docs[i].pos.line, with.docs[i].pos.line);
			assert_int_equal(without.docs[i].pos.col, with.docs[i].pos.col);
			assert_int_equal(ydoc_locate(&without.docs[i], "", &pos), DIAG_ENOTFOUND);
		}
		ystream_release(&with);
		ystream_release(&without);
	}
	assert_int_equal(parse_stream(&without, bad, strlen(bad), YDOC_KUSTOMIZE, &lim, &d, &src),
			 DIAG_EPARSE);
	assert_string_equal(d.msg.ptr, "t.yaml:3:1: did not find expected ',' or ']' "
			    "(while parsing a flow sequence at 2:4)");
	assert_int_equal(without.ndocs, 0);
	srcfile_release(&src);
	diag_release(&d);
}

/* The same with long ASCII runs between multi-byte characters (the
 * offsets' fast path steps over eight ASCII bytes at a time): each
 * document starts at its "---" line, found here by a plain search. */
static void test_yaml__document_byte_offsets_long_runs(void **state)
{
	const char *in = "k0: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xC3\xA9yyyyyyyyyyyyyyyyyyyy\n"
			 "---\nk1: \xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
			 "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\xF0\x9F\x98\x80\n"
			 "---\nk2: wwwwwwwww\n";
	const char *first = strstr(in, "---"), *second = strstr(first + 3, "---");
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(parse_stream(&s, in, strlen(in), YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_int_equal(s.ndocs, 3);
	assert_int_equal(s.docs[0].start, 0);
	assert_int_equal(s.docs[0].end, first - in);
	assert_int_equal(s.docs[1].start, first - in);
	assert_int_equal(s.docs[1].end, second - in);
	assert_int_equal(s.docs[2].start, second - in);
	assert_int_equal(s.docs[2].end, strlen(in));
	assert_pos(&s.docs[2], "/k2", 5, 5);
	ystream_release(&s);
	srcfile_release(&src);
	diag_release(&d);
}

/* Byte offsets of documents: libyaml counts characters and skips the BOM. */
static void test_yaml__document_byte_offsets(void **state)
{
	const char *in = "\xEF\xBB\xBF\xC3\xA9: 1\n---\nb: \xE2\x82\xAC\n--- x\n";
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(parse_stream(&s, in, strlen(in), YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_int_equal(s.ndocs, 3);
	assert_int_equal(s.docs[0].start, 3);
	assert_int_equal(s.docs[0].end, 9);
	assert_int_equal(s.docs[1].start, 9);
	assert_int_equal(s.docs[1].end, 20);
	assert_int_equal(s.docs[2].start, 20);
	assert_int_equal(s.docs[2].end, 26);
	assert_memory_equal(in + s.docs[1].start, "---\nb: \xE2\x82\xAC\n", 11);
	assert_int_equal(s.docs[1].pos.line, 3);
	assert_int_equal(s.docs[1].pos.col, 1);
	assert_int_equal(s.docs[2].pos.line, 4);
	assert_int_equal(s.docs[2].pos.col, 5);
	assert_string_equal(json_string_value(s.docs[2].root), "x");
	assert_pos(&s.docs[1], "/b", 3, 4);
	ystream_release(&s);
	srcfile_release(&src);
	diag_release(&d);
}

static void test_yaml__empty_documents_are_kept(void **state)
{
	const char *in = "a: 1\n---\n# only a comment\n---\n---\nb: 2\n";
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(parse_stream(&s, in, strlen(in), YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_int_equal(s.ndocs, 4);
	assert_true(json_is_object(s.docs[0].root));
	assert_true(json_is_null(s.docs[1].root));
	assert_true(json_is_null(s.docs[2].root));
	assert_int_equal(json_integer_value(json_object_get(s.docs[3].root, "b")), 2);
	ystream_release(&s);
	/* no document at all */
	assert_int_equal(parse_stream(&s, "# c\n", 4, YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_int_equal(s.ndocs, 0);
	ystream_release(&s);
	srcfile_release(&src);
	diag_release(&d);
}

static void test_yaml__integer_and_real_are_distinct(void **state)
{
	const char *in = "i: 1\nf: 1.0\nz: -0.0\n";
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	json_t *v = NULL;

	assert_int_equal(parse_stream(&s, in, strlen(in), YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_true(json_is_integer(json_object_get(s.docs[0].root, "i")));
	assert_true(json_is_real(json_object_get(s.docs[0].root, "f")));
	assert_true(signbit(json_real_value(json_object_get(s.docs[0].root, "z"))));
	ystream_release(&s);
	assert_int_equal(ydoc_parse_values(&v, &src, &d), 0);
	assert_true(json_is_real(json_object_get(v, "i")));
	assert_true(json_is_real(json_object_get(v, "f")));
	/* Helm keeps -0.0 (Go's json prints -0) */
	assert_true(signbit(json_real_value(json_object_get(v, "z"))));
	json_decref(v);
	srcfile_release(&src);
	diag_release(&d);
}

static void test_yaml__error_has_caret_context(void **state)
{
	struct srcfile src = SRCFILE_INIT;
	struct diag d = DIAG_INIT;
	json_t *v = NULL;

	assert_int_equal(srcfile_set(&src, "values.yaml", "a: 1\nb: [1, 2\n", 14), 0);
	assert_int_equal(ydoc_parse_values(&v, &src, &d), DIAG_EPARSE);
	assert_null(v);
	assert_string_equal(d.msg.ptr, "values.yaml:3:1: did not find expected ',' or ']' "
			    "(while parsing a flow sequence at 2:4)");
	srcfile_release(&src);
	assert_int_equal(srcfile_set(&src, "values.yaml", "a:\n  b: .inf\n", 13), 0);
	assert_int_equal(ydoc_parse_values(&v, &src, &d), DIAG_EPARSE);
	assert_string_equal(d.msg.ptr, "values.yaml:2:6: json: unsupported value: +Inf");
	assert_string_equal(d.context.ptr, "      b: .inf\n         ^\n");
	srcfile_release(&src);
	diag_release(&d);
}

/* A decode error waits for the end of the document: a later syntax error wins. */
static void test_yaml__syntax_error_wins_over_decode_error(void **state)
{
	struct srcfile src = SRCFILE_INIT;
	struct diag d = DIAG_INIT;
	json_t *v = NULL;

	assert_int_equal(srcfile_set(&src, "t.yaml", "a: .inf\nb: [\n", 13), 0);
	assert_int_equal(ydoc_parse_values(&v, &src, &d), DIAG_EPARSE);
	assert_non_null(strstr(d.msg.ptr, "did not find expected node content"));
	srcfile_release(&src);
	diag_release(&d);
}

static void test_yaml__nul_byte_and_bad_utf8(void **state)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(parse_stream(&s, "a: b\0c", 6, YDOC_HELM, NULL, &d, &src), DIAG_EPARSE);
	assert_non_null(strstr(d.msg.ptr, "t.yaml:1:5: control characters are not allowed"));
	assert_int_equal(s.ndocs, 0);
	assert_int_equal(parse_stream(&s, "a: \xed\xa0\x80", 6, YDOC_KUSTOMIZE, NULL, &d, &src),
			 DIAG_EPARSE);
	assert_non_null(strstr(d.msg.ptr, "invalid Unicode character"));
	/* an escaped NUL is fine */
	assert_int_equal(parse_stream(&s, "a: \"x\\0y\"", 9, YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_int_equal(json_string_length(json_object_get(s.docs[0].root, "a")), 3);
	ystream_release(&s);
	srcfile_release(&src);
	diag_release(&d);
}

/* ---- limits ---- */

static const char lol[] =
	"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";

static void test_yaml__billion_laughs_fails_fast(void **state)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	json_t *v = NULL;
	clock_t t0 = clock();

	assert_int_equal(parse_stream(&s, lol, strlen(lol), YDOC_KUSTOMIZE, NULL, &d, &src),
			 DIAG_ELIMIT);
	assert_non_null(strstr(d.msg.ptr, "excessive aliasing"));
	assert_non_null(strstr(d.msg.ptr, "max_alias_ratio"));
	assert_int_equal(strncmp(d.msg.ptr, "t.yaml:5:", 9), 0);
	assert_int_equal(ydoc_parse_values(&v, &src, &d), DIAG_ELIMIT);
	assert_null(v);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
	srcfile_release(&src);
	diag_release(&d);
}

static void test_yaml__max_nodes(void **state)
{
	const struct ydoc_limits lim = { .max_nodes = 10 };
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(parse_stream(&s, "[1,2,3,4,5,6,7,8,9,10,11]", 25, YDOC_HELM, &lim, &d,
				      &src), DIAG_ELIMIT);
	assert_string_equal(d.msg.ptr, "t.yaml:1:20: document expands to more than 10 nodes "
			    "(limit max_nodes)");
	assert_int_equal(parse_stream(&s, "[1,2,3,4,5,6,7,8]", 17, YDOC_HELM, &lim, &d, &src), 0);
	ystream_release(&s);
	srcfile_release(&src);
	diag_release(&d);
}

/* Nesting within max_depth can still need more stack than a thread has
 * (frames are several times larger in sanitizer and fuzzer builds): the
 * parse measures its own stack and stops cleanly. */
static void test_yaml__stack_limit(void **state)
{
	const struct ydoc_limits small = { .max_stack = 16 << 10 };
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	struct buf deep = BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 500; i++)
		buf_adds(&deep, "{a: ");
	buf_adds(&deep, "1");
	for (i = 0; i < 500; i++)
		buf_adds(&deep, "}");
	assert_int_equal(parse_stream(&s, deep.ptr, deep.len, YDOC_KUSTOMIZE, &small, &d, &src),
			 DIAG_ELIMIT);
	assert_non_null(strstr(d.msg.ptr, "nesting needs more than 16384 bytes of stack "
				   "(limit max_stack)"));
	/* the default leaves room for the same document */
	assert_int_equal(parse_stream(&s, deep.ptr, deep.len, YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	ystream_release(&s);
	buf_release(&deep);
	diag_release(&d);
	srcfile_release(&src);
}

static void test_yaml__deep_nesting(void **state)
{
	const struct ydoc_limits lim = { .max_depth = 3 };
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	char *deep = malloc(200001);
	size_t i;

	for (i = 0; i < 100000; i++) {
		deep[i] = '[';
		deep[200000 - 1 - i] = ']';
	}
	deep[200000] = '\0';
	assert_int_equal(parse_stream(&s, deep, 200000, YDOC_KUSTOMIZE, NULL, &d, &src),
			 DIAG_ELIMIT);
	assert_string_equal(d.msg.ptr, "t.yaml:1:1001: nesting deeper than 1000 levels "
			    "(limit max_depth)");
	free(deep);
	assert_int_equal(parse_stream(&s, "a: {b: {c: 1}}", 14, YDOC_KUSTOMIZE, &lim, &d, &src), 0);
	ystream_release(&s);
	assert_int_equal(parse_stream(&s, "a: {b: {c: {d: 1}}}", 19, YDOC_KUSTOMIZE, &lim, &d,
				      &src), DIAG_ELIMIT);
	assert_int_equal(strncmp(d.msg.ptr, "t.yaml:1:12: nesting deeper than 3", 34), 0);
	/* aliases cannot nest deeper than the limit either */
	assert_int_equal(parse_stream(&s, "a: &a [[1]]\nb: [[*a]]\n", 22, YDOC_KUSTOMIZE, &lim,
				      &d, &src), DIAG_ELIMIT);
	assert_string_equal(d.msg.ptr, "t.yaml:2:6: alias 'a' nests deeper than 3 levels "
			    "(limit max_depth)");
	srcfile_release(&src);
	diag_release(&d);
}

static void test_yaml__max_docs_and_size(void **state)
{
	const struct ydoc_limits docs = { .max_docs = 2 }, size = { .max_size = 8 };
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(parse_stream(&s, "a\n---\nb\n---\nc\n", 14, YDOC_KUSTOMIZE, &docs, &d,
				      &src), DIAG_ELIMIT);
	assert_string_equal(d.msg.ptr, "t.yaml:4:1: more than 2 documents (limit max_docs)");
	assert_int_equal(s.ndocs, 0);
	assert_int_equal(parse_stream(&s, "a: 123456", 9, YDOC_KUSTOMIZE, &size, &d, &src),
			 DIAG_ELIMIT);
	assert_string_equal(d.msg.ptr, "t.yaml:1:1: input is 9 bytes, more than 8 (limit max_size)");
	assert_int_equal(parse_stream(&s, "a: 12345", 8, YDOC_KUSTOMIZE, &size, &d, &src), 0);
	ystream_release(&s);
	srcfile_release(&src);
	diag_release(&d);
}

/* A big stream parses quickly and its positions stay proportionate. */
static void test_yaml__big_stream(void **state)
{
	struct buf b = BUF_INIT;
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	int i;

	for (i = 0; i < 4000; i++)
		buf_addf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n"
			 "  labels: {app: web, tier: \"%d\"}\ndata:\n  a: \"1\"\n  b: |\n    x\n",
			 i, i);
	assert_int_equal(parse_stream(&s, b.ptr, b.len, YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_int_equal(s.ndocs, 4000);
	assert_pos(&s.docs[3999], "/metadata/labels/tier", 39996, 28);
	assert_int_equal(json_object_size(s.docs[0].positions), 11);
	ystream_release(&s);
	srcfile_release(&src);
	buf_release(&b);
	diag_release(&d);
}

/* ydoc.merged tells which documents have a "<<" merge key. */
static void test_yaml__merged_documents_are_marked(void **state)
{
	const char *in = "a: &x {b: 1}\nc: *x\n---\nd: {<<: {e: 1}}\n---\n\"<<\": 1\n";
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(parse_stream(&s, in, strlen(in), YDOC_KUSTOMIZE, NULL, &d, &src), 0);
	assert_int_equal(s.ndocs, 3);
	assert_int_equal(s.docs[0].merged, 0);
	assert_int_equal(s.docs[1].merged, 1);
	assert_int_equal(s.docs[2].merged, 0);
	ystream_release(&s);
	srcfile_release(&src);
	diag_release(&d);
}

/* n small documents (cm-0 ...) with mid inserted before document n / 2,
 * lines ended by nl. */
static void split_input(struct buf *b, int n, const char *mid, const char *nl)
{
	for (int i = 0; i < n; i++) {
		if (i == n / 2)
			buf_adds(b, mid);
		buf_addf(b, "---%skind: ConfigMap%smetadata:%s  name: cm-%d%sdata: {a: \"%d\"}%s",
			 nl, nl, nl, i, nl, i, nl);
	}
}

/* Parses text whole (threads 0) and with threads allowed: the two must
 * agree in all a caller sees. The threaded parse's code and documents. */
static int parse_both_ways(const char *text, size_t len, const struct ydoc_limits *base,
			   size_t *ndocs, struct diag *d)
{
	struct ydoc_limits one = *base, two = *base;
	struct srcfile src1 = SRCFILE_INIT, src2 = SRCFILE_INIT;
	struct ystream s1 = YSTREAM_INIT, s2 = YSTREAM_INIT;
	struct diag d1 = DIAG_INIT;
	int e1, e2;

	one.no_positions = two.no_positions = 1;
	one.threads = 0;
	two.threads = 1;
	e1 = parse_stream(&s1, text, len, YDOC_KUSTOMIZE, &one, &d1, &src1);
	e2 = parse_stream(&s2, text, len, YDOC_KUSTOMIZE, &two, d, &src2);
	assert_int_equal(e1, e2);
	assert_int_equal(d1.code, d->code);
	assert_string_equal(d1.msg.ptr ? d1.msg.ptr : "", d->msg.ptr ? d->msg.ptr : "");
	assert_int_equal(s1.ndocs, s2.ndocs);
	for (size_t i = 0; i < s1.ndocs; i++) {
		assert_true(json_equal(s1.docs[i].root, s2.docs[i].root));
		assert_int_equal(s1.docs[i].start, s2.docs[i].start);
		assert_int_equal(s1.docs[i].end, s2.docs[i].end);
		assert_int_equal(s1.docs[i].pos.line, s2.docs[i].pos.line);
		assert_int_equal(s1.docs[i].pos.col, s2.docs[i].pos.col);
		assert_int_equal(s1.docs[i].merged, s2.docs[i].merged);
		assert_ptr_equal(s2.docs[i].src, &src2);
	}
	*ndocs = s2.ndocs;
	ystream_release(&s1);
	ystream_release(&s2);
	srcfile_release(&src1);
	srcfile_release(&src2);
	diag_release(&d1);
	return e2;
}

/* Whatever sits at the cut, a parse in two halves gives what one whole
 * parse gives, errors included (their lines count from the file's top). */
static void test_yaml__split_parse_is_the_whole_parse(void **state)
{
	static const struct {
		/* err: part of the message; NULL: parses into docs documents;
		 * "?": either way (parse_both_ways compares them) */
		const char *mid, *nl, *err;
		int max_docs, max_nodes, docs;
	} splits[] = {
		{ "", "\n", NULL, 0, 0, 2000 },
		{ "", "\r\n", NULL, 0, 0, 2000 },
		/* a root block scalar, or a plain one, ends at the next "---" line */
		{ "--- |\n  text\n\n", "\n", NULL, 0, 0, 2001 },
		{ "--- >-\n  folded\n  more\n", "\n", NULL, 0, 0, 2001 },
		{ "--- plain\n  goes on\n", "\n", NULL, 0, 0, 2001 },
		{ "---\n---\n", "\n", NULL, 0, 0, 2002 },
		{ "--- x\n...\n", "\n", NULL, 0, 0, 2001 },
		{ "---\t# a tab, then a comment\nk: v\n", "\n", NULL, 0, 0, 2001 },
		/* "---" indented, or followed by more than a blank: no cut there */
		{ "---\nk: |\n  ---\n  x\n", "\n", NULL, 0, 0, 2001 },
		{ "---\nk: v\n---x: 1\n", "\n", "?", 0, 0, 0 },
		/* a quoted scalar or flow collection across a "---" line fails */
		{ "--- \"open\n", "\n", "found unexpected document indicator", 0, 0, 0 },
		{ "--- 'open\n", "\n", "found unexpected document indicator", 0, 0, 0 },
		{ "--- [a,\n", "\n", "did not find expected node content", 0, 0, 0 },
		{ "--- {a: 1,\n", "\n", "?", 0, 0, 0 },
		/* errors name the line in the whole input */
		{ "---\na: 1\na: 2\n", "\n", "already defined", 0, 0, 0 },
		{ "---\n\ta: 1\n", "\n", "found character that cannot start any token", 0, 0, 0 },
		/* the limits count over both halves */
		{ "", "\n", "more than 1999 documents", 1999, 0, 0 },
		{ "", "\n", "(limit max_nodes)", 0, 13000, 0 },
		/* aliases, directives and other than ASCII: one parse */
		{ "--- {x: &a 1, y: *a}\n", "\n", NULL, 0, 0, 2001 },
		{ "--- &a {x: 1}\n--- {y: *a}\n", "\n", "unknown anchor 'a'", 0, 0, 0 },
		{ "%YAML 1.1\n", "\n", "?", 0, 0, 0 },
		{ "--- {k: \"\xc3\xa9\"}\n", "\n", NULL, 0, 0, 2001 },
		{ "--- {<<: {a: 1}, b: 2}\n", "\n", NULL, 0, 0, 2001 },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(splits) / sizeof(splits[0]); k++) {
		struct ydoc_limits lim = { .max_docs = (size_t)splits[k].max_docs,
					   .max_nodes = (size_t)splits[k].max_nodes };
		struct diag d = DIAG_INIT;
		struct buf b = BUF_INIT;
		size_t ndocs = 0;
		int error;

		split_input(&b, 2000, splits[k].mid, splits[k].nl);
		assert_true(b.len > (size_t)64 << 10); /* long enough to be cut */
		error = parse_both_ways(b.ptr, b.len, &lim, &ndocs, &d);
		if (splits[k].err && !strcmp(splits[k].err, "?")) {
			/* compared */
		} else if (splits[k].err) {
			if (error == 0 || !strstr(d.msg.ptr, splits[k].err))
				fail_msg("case %zu: %d %s", k, error, d.msg.ptr ? d.msg.ptr : "");
		} else if (error != 0 || ndocs != (size_t)splits[k].docs) {
			fail_msg("case %zu: %d %zu %s", k, error, ndocs, d.msg.ptr ? d.msg.ptr : "");
		}
		buf_release(&b);
		diag_release(&d);
	}
}

/* A split parse's documents, checked by hand: order, offsets, lines. */
static void test_yaml__split_parse_keeps_order_and_offsets(void **state)
{
	const struct ydoc_limits lim = { .no_positions = 1, .threads = 1 };
	struct srcfile src = SRCFILE_INIT;
	struct ystream s = YSTREAM_INIT;
	struct diag d = DIAG_INIT;
	struct buf b = BUF_INIT;
	json_t *want = json_pack("{s:s, s:{s:s}, s:{s:s}}", "kind", "ConfigMap", "metadata",
				 "name", "cm-2999", "data", "a", "2999");

	(void)state;
	split_input(&b, 3000, "", "\n");
	assert_int_equal(parse_stream(&s, b.ptr, b.len, YDOC_KUSTOMIZE, &lim, &d, &src), 0);
	assert_int_equal(s.ndocs, 3000);
	assert_true(json_equal(s.docs[2999].root, want));
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(s.docs[1500].root, "metadata"), "name")), "cm-1500");
	/* document i is 5 lines, 56 bytes plus twice the digits of i */
	assert_int_equal(s.docs[2999].start, 10 * 58 + 90 * 60 + 900 * 62 + 1999 * 64);
	assert_int_equal(s.docs[2999].pos.line, 2999 * 5 + 2);
	assert_int_equal(s.docs[2999].pos.col, 1);
	assert_ptr_equal(s.docs[2999].src, &src);
	ystream_release(&s);
	srcfile_release(&src);
	buf_release(&b);
	json_decref(want);
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml__table),
		cmocka_unit_test(test_yaml__positions),
		cmocka_unit_test(test_yaml__positions_of_merged_keys),
		cmocka_unit_test(test_yaml__no_positions),
		cmocka_unit_test(test_yaml__document_byte_offsets),
		cmocka_unit_test(test_yaml__document_byte_offsets_long_runs),
		cmocka_unit_test(test_yaml__empty_documents_are_kept),
		cmocka_unit_test(test_yaml__integer_and_real_are_distinct),
		cmocka_unit_test(test_yaml__error_has_caret_context),
		cmocka_unit_test(test_yaml__syntax_error_wins_over_decode_error),
		cmocka_unit_test(test_yaml__nul_byte_and_bad_utf8),
		cmocka_unit_test(test_yaml__billion_laughs_fails_fast),
		cmocka_unit_test(test_yaml__max_nodes),
		cmocka_unit_test(test_yaml__deep_nesting),
		cmocka_unit_test(test_yaml__stack_limit),
		cmocka_unit_test(test_yaml__max_docs_and_size),
		cmocka_unit_test(test_yaml__big_stream),
		cmocka_unit_test(test_yaml__merged_documents_are_marked),
		cmocka_unit_test(test_yaml__split_parse_is_the_whole_parse),
		cmocka_unit_test(test_yaml__split_parse_keeps_order_and_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
