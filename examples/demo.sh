#!/bin/sh
# make demo: the main job as far as it exists today, on the bundled example.
# The example application repository holds one Helm chart (examples/apps/shop)
# and one values file per environment (env/staging.yaml, env/prod.yaml).
# Today's job: layer each environment's values over the chart's defaults as
# `helm template` does and print them as Helm's `toYaml .Values` prints them.
set -eu
HYDRATE=${1:-build/hydrate}
here=$(cd "$(dirname "$0")" && pwd)

"$HYDRATE" --version
for env in staging prod; do
	echo
	echo "### shop @ $env: hydrate values examples/apps/shop -f examples/apps/shop/env/$env.yaml"
	"$HYDRATE" values "$here/apps/shop" -f "$here/apps/shop/env/$env.yaml" > "${TMPDIR:-/tmp}/hydrate-demo-$env.yaml"
	cat "${TMPDIR:-/tmp}/hydrate-demo-$env.yaml"
	if cmp -s "${TMPDIR:-/tmp}/hydrate-demo-$env.yaml" "$here/expected/shop-$env.values.yaml"; then
		echo "# identical to what Helm v4.1.4 prints (examples/expected/shop-$env.values.yaml)"
	else
		echo "# DIFFERS from examples/expected/shop-$env.values.yaml (Helm v4.1.4's output)" >&2
		exit 1
	fi
	rm -f "${TMPDIR:-/tmp}/hydrate-demo-$env.yaml"
done
