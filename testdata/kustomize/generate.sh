#!/bin/sh
# Regenerates the expected files of the kustomize golden cases with the
# reference kubectl (kubectl kustomize = kustomize v5.7.1):
#   testdata/kustomize/generate.sh /path/to/kubectl /path/to/helm [CASE...]
# In each case it runs `kubectl kustomize $(cat args)` inside in/ ("$OUT" in
# args is a fresh empty directory) and writes
#   expected.yaml  stdout, when kubectl succeeded (removed when it failed)
#   expected.err   stderr, when not empty
#   expected.out/  the files left in "$OUT"
# with the case's absolute in/ path written as $IN and the "$OUT" directory as
# $OUT, and kubectl's "error: " prefix written as kustomize build's "Error: "
# (hydrate imitates `kustomize build`; kubectl only changes that prefix), and
# kubectl's "See 'kubectl kustomize --help' for usage." line after a flag
# error left out (kustomize build silences its usage text).
# Cases using --enable-helm get --helm-command pointing at a wrapper of the
# given helm: kustomize v5.7.1 refuses any helm whose `helm version -c --short`
# is not v3 (the reference helm is v4.1.4), so the wrapper answers that one
# question and hands everything else to the real helm.
# A case holding a file `differs` keeps its committed expected.err (hydrate's
# wording differs on purpose; the file says why); kubectl's stderr goes to
# kubectl.err beside it for reference. Not run by ctest: the files are
# committed.
set -u
KUBECTL=$1
HELM=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/helm" <<EOF
#!/bin/sh
if [ "\$1" = version ]; then echo v3.99.0; exit 0; fi
exec "$HELM" "\$@"
EOF
chmod +x "$scratch/helm"
cases=$*
[ -n "$cases" ] || cases=$(cd "$here" && ls -d */ | tr -d /)
for c in $cases; do
	dir=$here/$c
	[ -f "$dir/args" ] || continue
	in=$dir/in
	out=$scratch/out
	rm -rf "$out" "$dir/expected.yaml" "$dir/expected.out" "$dir/kubectl.err"
	[ -f "$dir/differs" ] || rm -f "$dir/expected.err"
	mkdir -p "$out"
	args=$(sed "s|\\\$OUT|$out|g" "$dir/args")
	case " $args " in
	*" --enable-helm "* | *" --enable-helm="*) args="$args --helm-command $scratch/helm" ;;
	esac
	# shellcheck disable=SC2086
	if (cd "$in" && HOME=$scratch "$KUBECTL" kustomize $args >"$scratch/stdout" 2>"$scratch/stderr"); then
		sed -e "s|$out|\$OUT|g" -e "s|$in|\$IN|g" "$scratch/stdout" >"$dir/expected.yaml"
	fi
	sed -e "s|$out|\$OUT|g" -e "s|$in|\$IN|g" -e "s|$scratch/helm|helm|g" \
		-e 's/^error: /Error: /' -e "/^See 'kubectl kustomize --help' for usage.\$/d" \
		"$scratch/stderr" >"$scratch/err"
	if [ -f "$dir/differs" ]; then
		cp "$scratch/err" "$dir/kubectl.err"
	elif [ -s "$scratch/err" ]; then
		cp "$scratch/err" "$dir/expected.err"
	fi
	if grep -q '\$OUT' "$dir/args"; then
		mkdir -p "$dir/expected.out"
		for f in "$out"/*; do
			[ -f "$f" ] || continue
			sed -e "s|$in|\$IN|g" "$f" >"$dir/expected.out/$(basename "$f")"
		done
	fi
	echo "$c: $(cd "$dir" && ls -d expected* kubectl.err 2>/dev/null | tr '\n' ' ')"
done
