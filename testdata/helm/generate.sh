#!/bin/sh
# Regenerates the expected output of each case with the reference helm:
#   testdata/helm/generate.sh /path/to/helm [CASE...]
# In each case directory it runs `helm template $(cat args)` (args split on
# whitespace); exit 0 writes expected.yaml (stdout), otherwise expected.err
# (stderr). Not run by ctest: the expected files are committed.
set -u
HELM=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cases=$*
[ -n "$cases" ] || cases=$(cd "$here" && ls -d */ | tr -d /)
for c in $cases; do
	dir=$here/$c
	rm -f "$dir/expected.yaml" "$dir/expected.err"
	# shellcheck disable=SC2046
	if (cd "$dir" && HOME=$scratch "$HELM" template $(cat args) >"$scratch/out" 2>"$scratch/err"); then
		cp "$scratch/out" "$dir/expected.yaml"
	else
		cp "$scratch/err" "$dir/expected.err"
	fi
	echo "$c: $(ls "$dir" | grep expected)"
done
