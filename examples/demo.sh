#!/bin/sh
# make demo: the main job as far as it exists today, on the bundled example
# application repository (examples/apps):
#
#   shop  a Helm chart with one values file per environment (env/*.yaml)
#   api   a Kustomize base with one overlay per environment (overlays/*)
#
# For each app and environment, hydrate renders the low-level manifests
# exactly as `helm template` / `kustomize build` print them, and checks the
# bytes against the reference tools' output kept in examples/expected/.
# (Next: hydrate.yaml, render/diff against a GitOps repository, promote.)
set -eu
HYDRATE=${1:-build/hydrate}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0

check() { # check NAME EXPECTED-FILE REFERENCE-TOOL
	if cmp -s "$out/$1" "$here/expected/$2"; then
		echo "# identical to what $3 prints (examples/expected/$2)"
	else
		echo "# DIFFERS from examples/expected/$2 ($3's output)" >&2
		status=1
	fi
}

"$HYDRATE" --version
for env in staging prod; do
	echo
	echo "### shop @ $env, values: hydrate values examples/apps/shop -f env/$env.yaml"
	"$HYDRATE" values "$here/apps/shop" -f "$here/apps/shop/env/$env.yaml" > "$out/values-$env"
	cat "$out/values-$env"
	check "values-$env" "shop-$env.values.yaml" "Helm v4.1.4's toYaml .Values"

	echo
	echo "### shop @ $env: hydrate template shop examples/apps/shop --namespace shop-$env -f env/$env.yaml"
	"$HYDRATE" template shop "$here/apps/shop" --namespace "shop-$env" \
		-f "$here/apps/shop/env/$env.yaml" > "$out/shop-$env"
	cat "$out/shop-$env"
	check "shop-$env" "shop-$env.yaml" "helm template (v4.1.4)"

	echo
	echo "### api @ $env: hydrate kustomize examples/apps/api/overlays/$env"
	"$HYDRATE" kustomize "$here/apps/api/overlays/$env" > "$out/api-$env"
	cat "$out/api-$env"
	check "api-$env" "api-$env.yaml" "kubectl kustomize (v5.7.1)"
done
exit $status
