#!/bin/sh
# Regenerates the expected outputs of the golden YAML suites from the official
# reference binaries. Not run by ctest (ctest must never need the binaries);
# run it by hand after adding or changing a case, and review the diff.
#
#   tests/golden/gen-yaml-cases.sh [--inputs] [helm|kustomize|all]
#
#   --inputs   first rewrite the input.yaml files: the hand-written cases
#              (yaml-inputs.sh, yaml-kustomize-inputs.sh) and the cases taken
#              from the Helm corpus (yaml-corpus-cases.py, needs python3 +
#              PyYAML and /work/shared/corpus/helm or $HELM_CORPUS).
#
# Helm mode, testdata/yaml/<case>/: a one-template chart (empty values.yaml)
# whose template prints `{{ toYaml .Values | b64enc }}` and
# `{{ toJson .Values | b64enc }}`, rendered with
#   helm template x CHART -f input.yaml      (run inside the case directory)
# The base64 detour keeps helm's output handling away from the bytes. Writes
#   expected.yaml  toYaml's text plus one "\n" (toYaml trims one trailing
#                  newline; value_to_yaml does not)
#   expected.json  toJson's text
#   expected.err   instead of both when helm fails: its first error line
#
# Kustomize mode, testdata/yaml_kustomize/<case>/: a kustomization.yaml that
# lists input.yaml with `sortOptions: {order: fifo}` (input order; kubectl
# kustomize has no --reorder flag), built with `kubectl kustomize DIR`.
# Writes expected.yaml (its standard output) or expected.err (its whole error
# output).
#
# Binaries: $HELM (default /work/reftools/helm, v4.1.4) and $KUBECTL (default
# /work/reftools/kubectl, kustomize v5.7.1). HOME is pointed at a scratch dir.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
HELM=${HELM:-/work/reftools/helm}
KUBECTL=${KUBECTL:-/work/reftools/kubectl}
HELM_CORPUS=${HELM_CORPUS:-/work/shared/corpus/helm}

inputs=0
if [ "${1:-}" = --inputs ]; then
	inputs=1
	shift
fi
which=${1:-all}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home"
mkdir -p "$HOME"

gen_helm() {
	dir=$root/testdata/yaml
	if [ "$inputs" = 1 ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		sh "$here/yaml-inputs.sh" "$dir"
		python3 "$here/yaml-corpus-cases.py" "$HELM_CORPUS" "$dir"
	fi
	chart=$scratch/chart
	mkdir -p "$chart/templates"
	printf 'apiVersion: v2\nname: c\nversion: 0.1.0\n' > "$chart/Chart.yaml"
	: > "$chart/values.yaml"
	printf 'y: {{ toYaml .Values | b64enc }}\nj: {{ toJson .Values | b64enc }}\n' \
		> "$chart/templates/t.yaml"
	n=0
	for c in "$dir"/*/; do
		c=${c%/}
		rm -f "$c/expected.yaml" "$c/expected.json" "$c/expected.err"
		if (cd "$c" && "$HELM" template x "$chart" -f input.yaml) \
			> "$scratch/out" 2> "$scratch/err"; then
			if [ "$(grep -c '^[yj]: ' "$scratch/out")" != 2 ]; then
				echo "$c: unexpected helm output" >&2
				exit 1
			fi
			sed -n 's/^y: //p' "$scratch/out" | base64 -d > "$c/expected.yaml"
			printf '\n' >> "$c/expected.yaml"
			sed -n 's/^j: //p' "$scratch/out" | base64 -d > "$c/expected.json"
		else
			head -n 1 "$scratch/err" > "$c/expected.err"
		fi
		n=$((n + 1))
	done
	echo "helm: $n cases in $dir"
}

gen_kustomize() {
	dir=$root/testdata/yaml_kustomize
	if [ "$inputs" = 1 ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		sh "$here/yaml-kustomize-inputs.sh" "$dir"
	fi
	k=$scratch/k
	mkdir -p "$k"
	printf 'resources:\n- input.yaml\nsortOptions:\n  order: fifo\n' \
		> "$k/kustomization.yaml"
	n=0
	for c in "$dir"/*/; do
		c=${c%/}
		rm -f "$c/expected.yaml" "$c/expected.err"
		cp "$c/input.yaml" "$k/input.yaml"
		if "$KUBECTL" kustomize "$k" > "$scratch/out" 2> "$scratch/err"; then
			cp "$scratch/out" "$c/expected.yaml"
		else
			# Kustomize's whole message (a duplicate key's line is on
			# its second line); the scratch directory is shown as ".".
			sed "s|$k/||g; s|$k|.|g" "$scratch/err" > "$c/expected.err"
		fi
		n=$((n + 1))
	done
	echo "kustomize: $n cases in $dir"
}

case $which in
helm) gen_helm ;;
kustomize) gen_kustomize ;;
all) gen_helm; gen_kustomize ;;
*) echo "usage: $0 [--inputs] [helm|kustomize|all]" >&2; exit 2 ;;
esac
