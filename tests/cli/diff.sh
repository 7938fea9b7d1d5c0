#!/bin/sh
# End-to-end checks of `hydrate diff` on testdata/gitops/basic through the
# built binary: against a directory (--dir) and against a local GitOps
# repository (repository.path) made here with git. The directory starts as
# testdata/gitops/basic/expected (made from helm's and kubectl's output, not
# by hydrate), so "no difference" is checked against the references; the
# expected lines below were written by hand. Under a non-sanitizer build every
# run goes through valgrind (when installed) and must not leak.
set -u
BIN=$1
SRC=$2
SANITIZED=${3:-OFF}
CASE=$SRC/testdata/gitops/basic
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
export HYDRATE_DIFF_SALT=cli

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

cp -r "$CASE/expected" "$T/g"
if run dir-same 0 diff -c "$CASE/hydrate.yaml" --dir "$T/g" -j 2; then
	[ "$(cat "$T/out")" = "no differences (16 files unchanged)" ] && ok || bad "dir-same: $(cat "$T/out")"
fi

# one field changed, one file gone, one extra file under a managed path, one
# file outside the managed paths (ignored)
sed -i 's/^  replicas: 1$/  replicas: 5/' "$T/g/clusters/dev/web/deployment-web.yaml"
rm "$T/g/clusters/prod/api/service-api.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n' >"$T/g/clusters/dev/api/configmap-old.yaml"
mkdir -p "$T/g/clusters/dev/other" && echo 'kind: X' >"$T/g/clusters/dev/other/x.yaml"
if run dir-text 1 diff -c "$CASE/hydrate.yaml" --dir "$T/g" --color never; then
	grep -q '^changed  clusters/dev/web/deployment-web.yaml$' "$T/out" &&
	grep -q '^      ~ spec.replicas: 5 -> 1$' "$T/out" &&
	grep -q '^-  replicas: 5$' "$T/out" && grep -q '^+  replicas: 1$' "$T/out" &&
	grep -q '^removed  clusters/dev/api/configmap-old.yaml$' "$T/out" &&
	grep -q '^added    clusters/prod/api/service-api.yaml$' "$T/out" &&
	! grep -q 'other/x.yaml' "$T/out" &&
	[ "$(tail -n 1 "$T/out")" = "3 files differ (1 added, 1 removed, 1 changed), 14 unchanged; resources: 1 added, 1 removed, 1 changed" ] &&
	! grep -q "$(printf '\033')" "$T/out" && ok || { bad "dir-text"; cat "$T/out"; }
fi
if run dir-color 1 diff -c "$CASE/hydrate.yaml" --dir "$T/g" --color always; then
	grep -q "$(printf '\033\\[31m-  replicas: 5')" "$T/out" && ok || bad "dir-color"
fi
# --color auto (the default): colour only on a terminal, and not with
# NO_COLOR set or TERM=dumb. script(1) gives the run a terminal.
if command -v script >/dev/null 2>&1; then
	tty_diff() {
		# tty_diff ENV...: the diff's terminal output in $T/tty
		env "$@" script -qec "'$BIN' diff -c '$CASE/hydrate.yaml' --dir '$T/g'" /dev/null >"$T/tty" 2>&1
	}
	tty_diff TERM=xterm
	grep -q "$(printf '\033\\[31m-  replicas: 5')" "$T/tty" && ok || bad "tty-color: $(head -5 "$T/tty")"
	tty_diff TERM=xterm NO_COLOR=1
	grep -q '^-  replicas: 5' "$T/tty" && ! grep -q "$(printf '\033')" "$T/tty" && ok ||
		bad "tty-no-color: $(head -5 "$T/tty")"
	tty_diff TERM=dumb
	grep -q '^-  replicas: 5' "$T/tty" && ! grep -q "$(printf '\033')" "$T/tty" && ok ||
		bad "tty-dumb: $(head -5 "$T/tty")"
fi
if run dir-markdown 1 diff -c "$CASE/hydrate.yaml" --dir "$T/g" --format markdown; then
	grep -q '^| <code>clusters/dev/web</code> | 0 | 0 | 1 | 1 |$' "$T/out" &&
	grep -q '^<summary><code>clusters/dev/web/deployment-web.yaml</code> changed (+1 -1)</summary>$' "$T/out" &&
	grep -q '^```diff$' "$T/out" && ok || { bad "dir-markdown"; cat "$T/out"; }
fi
if run dir-json 1 diff -c "$CASE/hydrate.yaml" --dir "$T/g" --format json --app web --env dev; then
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"] == 1; assert [f["path"] for f in d["files"]] == ["clusters/dev/web/deployment-web.yaml"]; f=d["files"][0]["resources"][0]["fields"][0]; assert (f["path"], f["old"], f["new"]) == ("spec.replicas", 5, 1)' "$T/out" && ok || bad "dir-json"
	else
		grep -q '"path": "spec.replicas"' "$T/out" && ok || bad "dir-json"
	fi
fi

# against a local GitOps repository (repository.path), read through git (only
# commits count, never the work tree); it holds what `hydrate render` wrote
mkdir -p "$T/app"
cp -r "$CASE/charts" "$CASE/overlays" "$CASE/values" "$CASE/dev.env" "$T/app/"
sed 's/^layout:/repository:\n  path: ..\/gitops\n  branch: main\nlayout:/' "$CASE/hydrate.yaml" >"$T/app/hydrate.yaml"
(
	export GIT_CONFIG_NOSYSTEM=1 HOME="$T" GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e
	git init -q -b main "$T/gitops" && "$BIN" render -c "$T/app/hydrate.yaml" 2>/dev/null &&
	cd "$T/gitops" && git add -A && git commit -q -m render
) || bad "git setup"
if run git-same 0 diff -c "$T/app/hydrate.yaml" --cache-dir "$T/cache"; then
	[ "$(cat "$T/out")" = "no differences (16 files unchanged)" ] && ok || bad "git-same: $(cat "$T/out")"
fi
sed -i 's/^  replicas: 1$/  replicas: 2/' "$T/gitops/clusters/dev/web/deployment-web.yaml"
if run git-uncommitted 0 diff -c "$T/app/hydrate.yaml" --cache-dir "$T/cache"; then
	ok  # the work tree is not read: only commits are
fi
(cd "$T/gitops" && HOME="$T" GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@e commit -q -am edit) || bad "git commit"
if run git-changed 1 diff -c "$T/app/hydrate.yaml" --cache-dir "$T/cache" --color never; then
	grep -q '^      ~ spec.replicas: 2 -> 1$' "$T/out" && ok || { bad "git-changed"; cat "$T/out"; }
fi
# --ref: a branch, a tag or a commit id (full or abbreviated); the first
# commit (tag r1) holds what the render writes, the second the edit
first=$(git -C "$T/gitops" rev-parse HEAD~1)
git -C "$T/gitops" tag r1 HEAD~1 && git -C "$T/gitops" branch first HEAD~1 || bad "git tag"
for rev in r1 first "$first" "$(echo "$first" | cut -c1-8)"; do
	if run "git-ref-$rev" 0 diff -c "$T/app/hydrate.yaml" --cache-dir "$T/cache" --ref "$rev"; then
		[ "$(cat "$T/out")" = "no differences (16 files unchanged)" ] && ok ||
			bad "git-ref-$rev: $(cat "$T/out")"
	fi
done
if run git-ref-main 1 diff -c "$T/app/hydrate.yaml" --cache-dir "$T/cache" --ref main --color never; then
	grep -q '^      ~ spec.replicas: 2 -> 1$' "$T/out" && ok || { bad "git-ref-main"; cat "$T/out"; }
fi
# a --ref that names nothing is a git error (3), not an empty tree
if run git-bad-ref 3 diff -c "$T/app/hydrate.yaml" --cache-dir "$T/cache" --ref nope; then
	grep -q "^error: no branch, tag or commit 'nope' in '" "$T/err" && [ ! -s "$T/out" ] &&
		ok || bad "git-bad-ref: $(cat "$T/err")"
fi
# the environment's own branch missing: compared with nothing (1), with a note
sed 's/^  branch: main$/  branch: none/' "$T/app/hydrate.yaml" >"$T/app/none.yaml"
if run git-no-branch 1 diff -c "$T/app/none.yaml" --cache-dir "$T/cache"; then
	grep -q "branch 'none' not found in .*: comparing with an empty tree" "$T/err" &&
		ok || bad "git-no-branch: $(cat "$T/err")"
fi
rm -rf "$T/gitops/.git"
if run git-not-a-repo 3 diff -c "$T/app/hydrate.yaml" --cache-dir "$T/cache2"; then ok; fi
rm -rf "$T/gitops"
if run git-no-repo 3 diff -c "$T/app/hydrate.yaml" --cache-dir "$T/cache2" --ref r1; then
	grep -q "no such repository" "$T/err" && ok || bad "git-no-repo: $(cat "$T/err")"
fi

# usage and input errors: 2
if run bad-format 2 diff -c "$CASE/hydrate.yaml" --dir "$T/g" --format yaml; then ok; fi
if run bad-color 2 diff -c "$CASE/hydrate.yaml" --dir "$T/g" --color sometimes; then ok; fi
if run no-dir 2 diff -c "$CASE/hydrate.yaml" --dir "$T/nope"; then ok; fi
if run no-repo 2 diff -c "$CASE/hydrate.yaml"; then ok; fi
if run dir-and-ref 2 diff -c "$CASE/hydrate.yaml" --dir "$T/g" --ref main; then ok; fi
if run help-diff 0 diff --help; then
	grep -q '^usage: hydrate diff' "$T/out" && ok || bad "diff --help"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
