#!/bin/sh
# End-to-end checks of the bundled example through the built binary: `values`,
# `template`, `kustomize`, `help` and `version`. Expected outputs under
# examples/expected/ came from Helm v4.1.4 (`toYaml .Values`, `helm template`)
# and kubectl v1.35 (`kubectl kustomize`) on the same inputs. Under a non-sanitizer build
# every run goes through valgrind (when installed) and must not leak.
set -u
BIN=$1
SRC=$2
SANITIZED=${3:-OFF}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

run() {
	# run NAME EXPECTED_STATUS ARGS... : stdout in $T/out, stderr in $T/err
	name=$1; want=$2; shift 2
	if [ "$SANITIZED" != ON ] && command -v valgrind >/dev/null 2>&1; then
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 "$BIN" "$@" >"$T/out" 2>"$T/err"
	else
		"$BIN" "$@" >"$T/out" 2>"$T/err"
	fi
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL $name: exit $got, want $want"; cat "$T/err"; fail=$((fail + 1)); return 1
	fi
	return 0
}

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

for env in staging prod; do
	if run "values-$env" 0 values "$SRC/examples/apps/shop" -f "$SRC/examples/apps/shop/env/$env.yaml"; then
		if cmp -s "$T/out" "$SRC/examples/expected/shop-$env.values.yaml"; then ok
		else bad "values-$env: output differs"; diff "$SRC/examples/expected/shop-$env.values.yaml" "$T/out" | head -20; fi
	fi
done

for env in staging prod; do
	if run "template-$env" 0 template shop "$SRC/examples/apps/shop" --namespace "shop-$env" \
		-f "$SRC/examples/apps/shop/env/$env.yaml"; then
		if cmp -s "$T/out" "$SRC/examples/expected/shop-$env.yaml"; then ok
		else bad "template-$env: output differs"; diff "$SRC/examples/expected/shop-$env.yaml" "$T/out" | head -20; fi
	fi
	if run "kustomize-$env" 0 kustomize "$SRC/examples/apps/api/overlays/$env"; then
		if cmp -s "$T/out" "$SRC/examples/expected/api-$env.yaml"; then ok
		else bad "kustomize-$env: output differs"; diff "$SRC/examples/expected/api-$env.yaml" "$T/out" | head -20; fi
	fi
done

if run version 0 --version; then
	grep -q '^hydrate [0-9]' "$T/out" && ok || bad "version: $(cat "$T/out")"
fi
if run help 0 help; then
	grep -q '^  values ' "$T/out" && ok || bad "help lists values"
fi
if run help-values 0 values --help; then
	grep -q '^usage: hydrate values' "$T/out" && ok || bad "values --help"
fi
if run unknown-command 2 frobnicate; then
	grep -q "'frobnicate' is not a hydrate command" "$T/err" && ok || bad "unknown command message"
fi
if run unknown-flag 2 values --frob x; then
	grep -q "unknown option '--frob'" "$T/err" && ok || bad "unknown flag message"
fi
if run missing-chart 2 values "$T/nope"; then
	grep -q "no such chart" "$T/err" && ok || bad "missing chart message"
fi
printf 'a: [1, 2\nb: 3\n' > "$T/bad.yaml"
if run bad-yaml 2 values "$SRC/examples/apps/shop" -f "$T/bad.yaml"; then
	if grep -q "bad.yaml:[0-9]*:[0-9]*: " "$T/err" && [ ! -s "$T/out" ]; then ok
	else bad "bad yaml: want file:line:col and no output"; cat "$T/err"; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
