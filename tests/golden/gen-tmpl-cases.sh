#!/bin/sh
# Produces the expected files of the template engine's golden cases with the
# reference Helm binary (v4.1.4). Not run by ctest; run it by hand after adding
# or changing a case, and review the diff:
#
#   tests/golden/gen-tmpl-cases.sh [HELM] [CASE_DIR...]
#
# HELM defaults to /work/reftools/helm (or $HELM). With no CASE_DIR, every
# testdata/tmpl/<family>/<case>/ that has a `template` file is regenerated.
#
# For each case, the template goes into a throwaway chart as
# templates/_case.tpl and templates/out.yaml is
#   b64: {{ include "c/templates/_case.tpl" . | b64enc }}
# so the engine's exact bytes come back untouched (Helm would otherwise parse
# the output as YAML and drop "<no value>"). If that render fails, the template
# is rendered directly as templates/case.yaml and helm's stderr is recorded as
# expected.err (the engine's error after Helm's own rewriting). values.json is
# passed with -f (JSON is YAML).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
helm=${HELM:-/work/reftools/helm}
if [ $# -gt 0 ] && [ -x "$1" ] && [ ! -d "$1" ]; then helm=$1; shift; fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home"
mkdir -p "$HOME"

gen_one() {
	dir=$1
	[ -f "$dir/template" ] || return 0
	w=$(mktemp -d "$scratch/c.XXXXXX")
	mkdir -p "$w/c/templates"
	printf 'apiVersion: v2\nname: c\nversion: 0.1.0\n' > "$w/c/Chart.yaml"
	vals="$dir/values.json"
	[ -f "$vals" ] || { vals="$w/empty.json"; echo '{}' > "$vals"; }
	cp "$dir/template" "$w/c/templates/_case.tpl"
	echo 'b64: {{ include "c/templates/_case.tpl" . | b64enc }}' > "$w/c/templates/out.yaml"
	rm -f "$dir/expected.out" "$dir/expected.err"
	if "$helm" template x "$w/c" -f "$vals" > "$w/out" 2> "$w/err"; then
		sed -n 's/^b64: //p' "$w/out" | tr -d "'\"" | base64 -d > "$dir/expected.out"
	else
		rm "$w/c/templates/_case.tpl" "$w/c/templates/out.yaml"
		cp "$dir/template" "$w/c/templates/case.yaml"
		if "$helm" template x "$w/c" -f "$vals" > "$w/out2" 2> "$dir/expected.err"; then
			echo "warning: $dir fails only through include:" >&2
			cat "$w/err" >&2
			cp "$w/err" "$dir/expected.err"
		fi
	fi
	rm -rf "$w"
}

if [ $# -eq 0 ]; then
	for d in "$here"/testdata/tmpl/*/*/; do gen_one "${d%/}"; done
else
	for d in "$@"; do gen_one "${d%/}"; done
fi
