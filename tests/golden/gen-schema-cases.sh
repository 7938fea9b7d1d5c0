#!/bin/sh
# Regenerates testdata/schema/<case>/expected.err with the official helm
# binary: `helm template x <case>/chart -f <case>/values.yaml`, stderr only.
# Helm lists errors of different properties in Go's random map order, so
# each case runs five times; when the outputs differ the case gets an
# `unordered` marker and the runner compares its lines as a set.
#   usage: tests/golden/gen-schema-cases.sh [HELM] [CASE...]
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
helm=${1:-/work/reftools/helm}
[ $# -gt 0 ] && shift
dir=$here/testdata/schema
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
cases=${*:-$(ls "$dir")}
for c in $cases; do
	d=$dir/$c
	[ -d "$d/chart" ] || continue
	rm -f "$d/unordered"
	HOME=$home "$helm" template x "$d/chart" -f "$d/values.yaml" \
		2>"$d/expected.err" >/dev/null || true
	for i in 2 3 4 5; do
		HOME=$home "$helm" template x "$d/chart" -f "$d/values.yaml" \
			2>"$home/run.err" >/dev/null || true
		cmp -s "$home/run.err" "$d/expected.err" || touch "$d/unordered"
	done
done
