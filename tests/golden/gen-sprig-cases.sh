#!/bin/sh
# Produces expected.out / expected.err for testdata/sprig/<family>/<case>/ with
# the official helm binary (Helm v4.1.4; ../shared/tools/get-reference-tools.sh
# installs it). Not run by the tests; run it after adding a case:
#
#   tests/golden/gen-sprig-cases.sh /path/to/helm [CASE_DIR...]
#
# With no CASE_DIR it fills every case that has neither expected file; with
# -f as first argument after helm it regenerates all (review the diff!).
#
# How: a chart "x" whose templates/_case.tpl is the case's template and whose
# templates/out.yaml is `# {{ include "x/templates/_case.tpl" . | b64enc }}`,
# so the engine's exact output survives Helm's YAML post-processing. If that
# fails, the template is rendered directly as templates/case.yaml and helm's
# whole standard error becomes expected.err.
set -eu
HELM=$1; shift
FORCE=0
if [ "${1:-}" = "-f" ]; then FORCE=1; shift; fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)/testdata/sprig
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export HOME="$W/home"; mkdir -p "$HOME"

gen() {
	c=$1
	rm -rf "$W/x"; mkdir -p "$W/x/templates"
	printf 'apiVersion: v2\nname: x\nversion: 0.1.0\n' > "$W/x/Chart.yaml"
	if [ -f "$c/values.json" ]; then cp "$c/values.json" "$W/values.yaml"; else : > "$W/values.yaml"; fi
	cp "$c/template" "$W/x/templates/_case.tpl"
	printf '# {{ include "x/templates/_case.tpl" . | b64enc }}\n' > "$W/x/templates/out.yaml"
	rm -f "$c/expected.out" "$c/expected.err"
	if "$HELM" template x "$W/x" -f "$W/values.yaml" > "$W/out" 2> "$W/err"; then
		sed -n 3p "$W/out" | cut -c3- | base64 -d > "$c/expected.out"
	else
		rm "$W/x/templates/_case.tpl" "$W/x/templates/out.yaml"
		cp "$c/template" "$W/x/templates/case.yaml"
		if "$HELM" template x "$W/x" -f "$W/values.yaml" > "$W/out" 2> "$W/err"; then
			echo "$c: include failed but direct rendering succeeded:" >&2; cat "$W/err" >&2
			return
		fi
		cp "$W/err" "$c/expected.err"
	fi
}

if [ $# -gt 0 ]; then
	for c in "$@"; do gen "$c"; done
else
	find "$ROOT" -name template -type f | sort | while read -r t; do
		c=$(dirname "$t")
		if [ $FORCE -eq 1 ] || { [ ! -f "$c/expected.out" ] && [ ! -f "$c/expected.err" ]; }; then
			gen "$c"
		fi
	done
fi
