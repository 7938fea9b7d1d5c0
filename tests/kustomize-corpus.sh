#!/bin/sh
# Runs hydrate kustomize over Kustomize's krusty test cases
# (../shared/corpus/kustomize, see its README.md) and compares as they say.
#
# usage: tests/kustomize-corpus.sh [--report-only] [-v] [HYDRATE_BIN] [CORPUS_DIR]
#
#   HYDRATE_BIN  default: build/hydrate beside this script's checkout
#   CORPUS_DIR   default: $(dirname REPO)/shared/corpus/kustomize; when it is
#                absent the script says "corpus not found" and exits 0.
#
# Each case's in/ directory plays the file system root "/": hydrate is run
# with --fs-root CASE/in, so kustomizations naming /app/base and error
# messages quoting '/overlay' read exactly as in the test's in-memory file
# system. The options file maps onto kustomize build's flags.
#
# Exit status: 0 with --report-only; otherwise 1 when a case fails that is
# not listed in tests/kustomize-corpus.known-failures (a line a case: its
# directory, a space and the reason; '#' comments allowed), else 0. Cases listed there that now pass are
# named, so the list can shrink.
set -u

report_only=0
verbose=0
while [ $# -gt 0 ]; do
	case $1 in
	--report-only) report_only=1; shift ;;
	-v) verbose=1; shift ;;
	*) break ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
bin=${1:-$repo/build/hydrate}
corpus=${2:-$(dirname "$repo")/shared/corpus/kustomize}
known=$here/kustomize-corpus.known-failures

if [ ! -d "$corpus/cases" ]; then
	echo "corpus not found"
	exit 0
fi
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
if [ ! -x "$bin" ]; then
	echo "kustomize-corpus: no hydrate binary at $bin" >&2
	exit 2
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

pass=0
fail=0
unexpected=0
fixed=""

is_known() {
	[ -f "$known" ] && cut -d" " -f1 "$known" | grep -qxF "$1"
}

for dir in "$corpus"/cases/*/; do
	dir=${dir%/}
	id=$(basename "$dir")
	[ -f "$dir/cmd" ] || continue
	target=$(cat "$dir/cmd")
	set --
	if [ -f "$dir/options" ]; then
		while IFS='=' read -r key val; do
			case "$key=$val" in
			reorder=none) set -- "$@" --reorder none ;;
			reorder=legacy) set -- "$@" --reorder legacy ;;
			loadRestrictions=none) set -- "$@" --load-restrictor LoadRestrictionsNone ;;
			loadRestrictions=rootOnly) set -- "$@" --load-restrictor LoadRestrictionsRootOnly ;;
			addManagedbyLabel=true) set -- "$@" --enable-managedby-label ;;
			esac
		done <"$dir/options"
	fi
	root=$dir/in
	# An empty test file system has no in/ (git keeps no empty directories).
	if [ ! -d "$root" ]; then
		root=$T/empty
		mkdir -p "$root"
	fi
	"$bin" kustomize --fs-root "$root" "$@" "$target" >"$T/out" 2>"$T/err"
	status=$?
	ok=1
	why=""
	assert=$(cat "$dir/assert" 2>/dev/null || echo exact)
	case $assert in
	error-*)
		if [ "$status" -eq 0 ]; then
			ok=0; why="succeeded, an error was expected"
		else
			while IFS= read -r want || [ -n "$want" ]; do
				[ -n "$want" ] || continue
				if ! grep -qF -- "$want" "$T/err"; then
					ok=0; why="error lacks: $want"; break
				fi
			done <"$dir/expected-error.txt"
		fi
		;;
	*)
		if [ "$status" -ne 0 ]; then
			ok=0; why="exit $status: $(head -c 300 "$T/err")"
		else
			# At most one trailing newline on both sides.
			printf '%s\n' "$(cat "$T/out")" >"$T/got"
			# Tests built with version "(test)"; a release says v5.7.1.
			printf '%s\n' "$(sed 's/kustomize-(test)/kustomize-v5.7.1/g' "$dir/expected.yaml")" >"$T/want"
			if ! cmp -s "$T/got" "$T/want"; then
				ok=0; why="output differs"
			fi
		fi
		;;
	esac
	if [ $ok -eq 1 ]; then
		pass=$((pass + 1))
		if is_known "$id"; then
			fixed="$fixed $id"
		fi
	else
		fail=$((fail + 1))
		if is_known "$id"; then
			echo "FAIL (known) $id"
		else
			echo "FAIL $id"
			unexpected=$((unexpected + 1))
		fi
		if [ $verbose -eq 1 ]; then
			echo "  $why"
			if [ "$why" = "output differs" ]; then
				diff "$T/want" "$T/got" | head -20 | sed 's/^/  /'
			fi
		fi
	fi
done

for id in $fixed; do
	echo "PASS (listed as known failure) $id"
done
echo "$pass passed, $fail failed"
if [ $report_only -eq 1 ]; then
	exit 0
fi
[ $unexpected -eq 0 ]
