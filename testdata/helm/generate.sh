#!/bin/sh
# Regenerates the expected output of each case with the reference helm:
#   testdata/helm/generate.sh /path/to/helm [CASE...]
# In each case directory it runs `helm template $(cat args)` (args split on
# whitespace); exit 0 writes expected.yaml (stdout), otherwise expected.err
# (stderr). Not run by ctest: the expected files are committed.
#
# A case whose args hold `--output-dir out` runs in a scratch copy of its
# directory (with out.before/, if the case has one, copied to out/ first,
# as what a previous run left there); on success the tree helm wrote is
# kept as expected.out/.
#
# A case's file stdin is helm's standard input (for `-f -`); its file env
# holds NAME=VALUE lines (no blanks) set for the run.
#
# A case with a plugins/ directory runs with HELM_PLUGINS set to it (Helm
# 4 post-renderer plugins); other cases with a directory that does not
# exist. A successful run that prints on stderr (Helm's warnings) also
# writes expected.stderr; a failing run that prints on stdout (--debug's
# manifest) writes expected.stdout.
#
# The case directory's absolute path (Helm names charts by it in some
# errors) is written as @CASEDIR@; the runner does the same to its output.
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
	rm -rf "$dir/expected.yaml" "$dir/expected.err" "$dir/expected.out" "$dir/expected.stderr" \
		"$dir/expected.stdout"
	run=$dir
	if grep -q -- '--output-dir' "$dir/args"; then
		run=$scratch/case
		rm -rf "$run"
		cp -R "$dir" "$run"
		rm -rf "$run/out"
		[ -d "$run/out.before" ] && cp -R "$run/out.before" "$run/out"
	fi
	# shellcheck disable=SC2046
	in=/dev/null
	[ -f "$run/stdin" ] && in=$run/stdin
	plugins=/nonexistent/hydrate-golden-plugins
	[ -d "$run/plugins" ] && plugins=$run/plugins
	envs=
	[ -f "$run/env" ] && envs=$(cat "$run/env")
	# shellcheck disable=SC2086
	if (cd "$run" && unset HELM_NAMESPACE HELM_DEBUG HELM_DATA_HOME &&
		env HOME="$scratch" HELM_PLUGINS="$plugins" $envs \
		"$HELM" template $(cat args) <"$in" >"$scratch/out" 2>"$scratch/err"); then
		sed "s|$run|@CASEDIR@|g" "$scratch/out" >"$dir/expected.yaml"
		[ "$run" != "$dir" ] && [ -d "$run/out" ] && cp -R "$run/out" "$dir/expected.out"
		[ -s "$scratch/err" ] && sed "s|$run|@CASEDIR@|g" "$scratch/err" >"$dir/expected.stderr"
	else
		sed "s|$run|@CASEDIR@|g" "$scratch/err" >"$dir/expected.err"
		[ -s "$scratch/out" ] && sed "s|$run|@CASEDIR@|g" "$scratch/out" >"$dir/expected.stdout"
	fi
	echo "$c: $(ls "$dir" | grep expected | tr '\n' ' ')"
done
