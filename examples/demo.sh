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
#
# Then the GitOps loop on examples/hydrate.yaml (both apps, staging and
# prod): examples/gitops-repo/ (an older render, as plain files) becomes a
# real git repository in a scratch directory; `hydrate render` renders the
# four jobs into a directory, `hydrate diff` compares them with the
# repository's main branch (read through libgit2, never checked out);
# rendering into the repository and committing makes the diff empty.
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

echo
echo "### the GitOps loop: examples/hydrate.yaml (shop, api) x (staging, prod)"
work=$out/demo
mkdir -p "$work"
cp -R "$here/hydrate.yaml" "$here/apps" "$work/"
cp -R "$here/gitops-repo" "$work/gitops-repo"
git -C "$work/gitops-repo" init -q -b main
git -C "$work/gitops-repo" add -A
git -C "$work/gitops-repo" -c user.name=demo -c user.email=demo@example.invalid \
	commit -q -m "clusters: an older render"
export XDG_CACHE_HOME="$work/cache"   # the bare cache of the GitOps repository

echo
echo "### hydrate render -c hydrate.yaml -o rendered"
"$HYDRATE" render -c "$work/hydrate.yaml" -o "$work/rendered"
(cd "$work/rendered" && find . -type f | sed 's|^\./||' | sort)
# The split files hold exactly the reference tools' documents.
for env in staging prod; do
	sed '/^---$/d' "$here/expected/shop-$env.yaml" >"$out/shop-$env.doc"
	if cmp -s "$out/shop-$env.doc" "$work/rendered/clusters/$env/shop/deployment-shop.yaml"; then
		echo "# clusters/$env/shop/deployment-shop.yaml: identical to helm template's document"
	else
		echo "# clusters/$env/shop/deployment-shop.yaml DIFFERS from examples/expected/shop-$env.yaml" >&2
		status=1
	fi
done

echo
echo "### hydrate diff -c hydrate.yaml: against gitops-repo@main (exit 1: differences)"
set +e
"$HYDRATE" diff -c "$work/hydrate.yaml" --color never
rc=$?
set -e
if [ $rc -ne 1 ]; then
	echo "# hydrate diff exited $rc, want 1" >&2
	status=1
fi

echo
echo "### hydrate render -c hydrate.yaml (into gitops-repo), git commit, hydrate diff again"
"$HYDRATE" render -c "$work/hydrate.yaml"
git -C "$work/gitops-repo" add -A
git -C "$work/gitops-repo" -c user.name=demo -c user.email=demo@example.invalid \
	commit -q -m "clusters: render of the current sources"
git -C "$work/gitops-repo" show --stat --format='%s' HEAD | cat
if "$HYDRATE" diff -c "$work/hydrate.yaml" --color never; then
	echo "# up to date; the ingress-nginx directory no app manages was left alone:"
	git -C "$work/gitops-repo" ls-files clusters/prod/ingress-nginx
else
	echo "# hydrate diff still finds differences after the render" >&2
	status=1
fi
exit $status
