#!/bin/sh
# Runs ../shared/corpus/helm through `hydrate template` as its README says:
# inside each case directory, `hydrate <cmd>`; a passing case prints exactly
# expected.yaml, or, for a case with expected.err, exits non-zero and prints
# exactly expected.err on stderr (strict). Prints each failing case and the
# closing line `N passed, M failed`.
#
#   tests/helm-corpus.sh HYDRATE_BIN [CORPUS_DIR] [--report-only] [--only SUBSTR]
#
# CORPUS_DIR defaults to ../shared/corpus/helm beside the checkout; when it is
# absent the script says so and exits 0. Exit 1 if any case failed that is not
# listed in tests/helm-corpus.known-failures (case name, a space, the reason);
# --report-only always exits 0.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
here=$(cd "$(dirname "$0")" && pwd)
CORPUS=$here/../../shared/corpus/helm
case "${1:-}" in -*|"") ;; *) CORPUS=$1; shift ;; esac
REPORT_ONLY=0
ONLY=
while [ $# -gt 0 ]; do
	case "$1" in
	--report-only) REPORT_ONLY=1 ;;
	--only) ONLY=$2; shift ;;
	esac
	shift
done
if [ ! -d "$CORPUS/cases" ]; then
	echo "helm corpus not found at $CORPUS: skipped"
	exit 0
fi
KNOWN=$here/helm-corpus.known-failures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 unexpected=0

for dir in "$CORPUS"/cases/*/; do
	name=$(basename "$dir")
	case "$name" in *"$ONLY"*) ;; *) continue ;; esac
	# shellcheck disable=SC2046
	(cd "$dir" && exec "$BIN" $(cat cmd)) >"$T/out" 2>"$T/err"
	status=$?
	ok=0
	if [ -f "$dir/expected.err" ]; then
		[ $status -ne 0 ] && cmp -s "$T/err" "$dir/expected.err" && ok=1
	else
		[ $status -eq 0 ] && cmp -s "$T/out" "$dir/expected.yaml" && ok=1
	fi
	if [ $ok -eq 1 ]; then
		pass=$((pass + 1))
		continue
	fi
	fail=$((fail + 1))
	if [ -f "$KNOWN" ] && grep -q "^$name " "$KNOWN"; then
		echo "FAIL $name (known: $(grep "^$name " "$KNOWN" | cut -d' ' -f2-))"
	else
		unexpected=$((unexpected + 1))
		echo "FAIL $name (exit $status)"
		if [ -f "$dir/expected.err" ]; then
			diff "$dir/expected.err" "$T/err" | head -5 | sed 's/^/    /'
		else
			diff "$dir/expected.yaml" "$T/out" | head -8 | sed 's/^/    /'
			head -3 "$T/err" | sed 's/^/    stderr: /'
		fi
	fi
done

echo "$pass passed, $fail failed"
[ $REPORT_ONLY -eq 1 ] || [ $unexpected -eq 0 ]
