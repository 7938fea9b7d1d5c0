#!/bin/sh
# `make demo` as a test: runs examples/demo.sh (from a scratch copy of
# examples/, so nothing in the source tree is touched) with the built binary.
# demo.sh itself compares every render with the reference tools' output in
# examples/expected/, checks that `hydrate diff` finds the bundled GitOps
# repository out of date (exit 1) and up to date after `hydrate render` and a
# commit (exit 0); it exits non-zero otherwise. Here we check its status and
# a few lines of what it shows.
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

cp -R "$SRC/examples" "$T/examples"
if sh "$T/examples/demo.sh" "$BIN" >"$T/out" 2>"$T/err"; then ok; else
	bad "demo.sh failed"; cat "$T/err"; tail -40 "$T/out"
fi
[ "$(grep -c '^# identical to what' "$T/out")" -eq 6 ] && ok || bad "six renders identical to the references"
[ "$(grep -c "identical to helm template's document" "$T/out")" -eq 2 ] && ok ||
	bad "split shop deployments identical to helm template's documents"
cat "$T/out" "$T/err" | grep -q '^rendered 4 jobs into ' && ok || bad "hydrate render rendered 4 jobs"
grep -q '^removed  clusters/staging/shop/service-shop.yaml' "$T/out" && ok ||
	bad "the diff shows the stale Service removed"
grep -q '^no differences (12 files unchanged)' "$T/out" && ok || bad "up to date after the commit"
grep -q '^clusters/prod/ingress-nginx/namespace-ingress-nginx.yaml' "$T/out" && ok ||
	bad "unmanaged files kept"
if diff -r "$SRC/examples" "$T/examples" >/dev/null; then ok; else bad "demo.sh changed its examples/"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
