#!/bin/sh
# End-to-end checks of `hydrate render` and `hydrate check` on
# testdata/gitops/basic. The expected trees (expected/, expected-local/) were
# made by testdata/gitops/make-expected.py from helm's and kubectl's output
# (reference/), not by hydrate. Under a non-sanitizer build every run goes
# through valgrind (when installed) and must not leak.
set -u
BIN=$1
SRC=$2
SANITIZED=${3:-OFF}
CASE=$SRC/testdata/gitops/basic
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
same_tree() { diff -r "$1" "$2" >"$T/diff" 2>&1; }

# render into a directory: exactly the expected tree
if run render 0 render -c "$CASE/hydrate.yaml" -o "$T/gitops" -j 2; then
	if same_tree "$CASE/expected" "$T/gitops"; then ok
	else bad "render: tree differs"; head -30 "$T/diff"; fi
fi
# files outside the managed paths are kept; a second render changes nothing
mkdir -p "$T/gitops/clusters/dev/other" && echo keep >"$T/gitops/clusters/dev/other/x.yaml"
echo keep >"$T/gitops/README.md"
if run render-again 0 render -c "$CASE/hydrate.yaml" -o "$T/gitops" -j 1; then
	grep -q ': 0 written, 16 unchanged, 0 removed$' "$T/err" && ok || bad "render-again: $(cat "$T/err")"
fi

# check: fresh
if run check-fresh 0 check -c "$CASE/hydrate.yaml" --dir "$T/gitops"; then
	[ ! -s "$T/out" ] && ok || bad "check-fresh printed: $(cat "$T/out")"
fi
# check: one changed, one missing, one extra file (and not the unmanaged ones)
echo "# edited" >>"$T/gitops/clusters/dev/web/service-web.yaml"
rm "$T/gitops/clusters/prod/api/service-api.yaml"
echo "kind: Old" >"$T/gitops/clusters/dev/api/configmap-old.yaml"
if run check-stale 1 check -c "$CASE/hydrate.yaml" --dir "$T/gitops"; then
	printf '%s\n' "extra: clusters/dev/api/configmap-old.yaml" \
		"stale: clusters/dev/web/service-web.yaml" \
		"missing: clusters/prod/api/service-api.yaml" >"$T/want"
	if cmp -s "$T/want" "$T/out" && grep -q '3 files are out of date' "$T/err"; then ok
	else bad "check-stale output"; cat "$T/out" "$T/err"; fi
fi
# filters narrow what check looks at
if run check-filtered 0 check -c "$CASE/hydrate.yaml" --dir "$T/gitops" --env prod --app web; then ok; fi
# render repairs it: 2 written, 1 removed, unmanaged files kept
if run render-repair 0 render -c "$CASE/hydrate.yaml" -o "$T/gitops"; then
	if grep -q ': 2 written, 14 unchanged, 1 removed$' "$T/err" &&
		[ -f "$T/gitops/README.md" ] && [ -f "$T/gitops/clusters/dev/other/x.yaml" ]; then ok
	else bad "render-repair: $(cat "$T/err")"; fi
fi
if run check-repaired 0 check -c "$CASE/hydrate.yaml" --dir "$T/gitops"; then ok; fi

# --local reads dev.env
if run render-local 0 render -c "$CASE/hydrate.yaml" -o "$T/local" --local; then
	if same_tree "$CASE/expected-local" "$T/local"; then ok
	else bad "render-local: tree differs"; head -30 "$T/diff"; fi
fi

# --stdout: every file but the provenance files, in path order, as
# "---", "# Source: PATH", bytes
(cd "$CASE/expected" && find . -type f ! -path '*/.hydrate/*' | sed 's|^\./||' | LC_ALL=C sort |
	while read -r f; do printf -- '---\n# Source: %s\n' "$f"; cat "$f"; done) >"$T/want-stream"
if run stdout 0 render -c "$CASE/hydrate.yaml" --stdout; then
	if cmp -s "$T/want-stream" "$T/out"; then ok
	else bad "stdout stream differs"; diff "$T/want-stream" "$T/out" | head -20; fi
fi

# shards: together they are the whole stream, each job once
: >"$T/shards"
for i in 1 2 3; do
	if run "shard-$i" 0 render -c "$CASE/hydrate.yaml" --stdout --shard "$i/3"; then
		cat "$T/out" >>"$T/shards"; ok
	fi
done
grep '^# Source: clusters/' "$T/shards" | LC_ALL=C sort >"$T/shard-files"
grep '^# Source: clusters/' "$T/want-stream" >"$T/all-files"
cmp -s "$T/all-files" "$T/shard-files" && ok || bad "shards do not cover the plan once"

# errors: exit 2 with a clear message, nothing written
if run unknown-app 2 render -c "$CASE/hydrate.yaml" --app wbe -o "$T/x"; then
	grep -q "^error: unknown app 'wbe' (did you mean 'web'?)$" "$T/err" && [ ! -e "$T/x" ] && ok ||
		bad "unknown-app: $(cat "$T/err")"
fi
if run unknown-env 2 check -c "$CASE/hydrate.yaml" --env prd --dir "$T/gitops"; then
	grep -q "^error: unknown environment 'prd' (did you mean 'prod'?)$" "$T/err" && ok ||
		bad "unknown-env: $(cat "$T/err")"
fi
if run bad-shard 2 render -c "$CASE/hydrate.yaml" --shard 4/3 --stdout; then
	grep -q "invalid shard '4/3'" "$T/err" && ok || bad "bad-shard: $(cat "$T/err")"
fi
if run bad-jobs 2 render -c "$CASE/hydrate.yaml" -j 0 --stdout; then
	grep -q "invalid -j '0'" "$T/err" && ok || bad "bad-jobs: $(cat "$T/err")"
fi
if run both-outputs 2 render -c "$CASE/hydrate.yaml" -o "$T/x" --stdout; then ok; fi
if run no-output 2 render -c "$CASE/hydrate.yaml"; then
	grep -q "no output directory" "$T/err" && ok || bad "no-output: $(cat "$T/err")"
fi
if run no-config 2 render -c "$T/none.yaml" -o "$T/x"; then
	grep -q "none.yaml" "$T/err" && ok || bad "no-config: $(cat "$T/err")"
fi
if run check-no-dir 2 check -c "$CASE/hydrate.yaml" --dir "$T/none"; then
	grep -q "is not a directory" "$T/err" && ok || bad "check-no-dir: $(cat "$T/err")"
fi

# inputs that do not exist: found before anything renders, at the value in
# hydrate.yaml that names them (file:line:col, the line, a caret)
cp -r "$CASE" "$T/inputs"
sed -i 's|^      - values/web-{env}.yaml$|      - values/web-{env}-x.yaml|' "$T/inputs/hydrate.yaml"
if run missing-values 2 render -c "$T/inputs/hydrate.yaml" -o "$T/x"; then
	if grep -q "^error: $T/inputs/hydrate.yaml:16:9: app 'web' in environment 'dev': values file 'values/web-dev-x.yaml' does not exist$" "$T/err" &&
		grep -q '^            \^\^\^\^\^\^\^\^\^\^\^\^\^\^\^\^\^\^\^\^\^\^\^$' "$T/err" &&
		[ ! -e "$T/x" ]; then ok
	else bad "missing-values: $(cat "$T/err")"; fi
fi
cp "$CASE/hydrate.yaml" "$T/inputs/hydrate.yaml"
sed -i 's|^    chart: charts/web$|    chart: charts/wbe|' "$T/inputs/hydrate.yaml"
if run missing-chart 2 render -c "$T/inputs/hydrate.yaml" --stdout; then
	grep -q "^error: $T/inputs/hydrate.yaml:13:12: app 'web' in environment 'dev': chart 'charts/wbe' does not exist$" "$T/err" &&
		[ ! -s "$T/out" ] && ok || bad "missing-chart: $(cat "$T/err")"
fi
cp "$CASE/hydrate.yaml" "$T/inputs/hydrate.yaml"
sed -i 's|^      image.tag: ${TAG}$|      image.tag: ${TAGS}|' "$T/inputs/hydrate.yaml"
if run undefined-var 2 check -c "$T/inputs/hydrate.yaml" --dir "$T/gitops"; then
	grep -q "^error: $T/inputs/hydrate.yaml:18:18: app 'web' in environment 'dev': set 'image.tag': undefined variable 'TAGS' in '\${TAGS}'$" "$T/err" &&
		[ ! -s "$T/out" ] && ok || bad "undefined-var: $(cat "$T/err")"
fi
# a bad .env line with --local: the .env file's line and column
cp "$CASE/hydrate.yaml" "$T/inputs/hydrate.yaml"
printf 'TAG=dev\n9LIVES=x\n' >"$T/inputs/dev.env"
if run bad-dotenv 2 render -c "$T/inputs/hydrate.yaml" -o "$T/x" --local; then
	grep -q "^error: $T/inputs/dev.env:2:1: expected a variable name" "$T/err" && [ ! -e "$T/x" ] &&
		ok || bad "bad-dotenv: $(cat "$T/err")"
fi
# ...and without --local the .env file is not read at all
if run dotenv-not-local 0 render -c "$T/inputs/hydrate.yaml" --stdout --env dev --app web; then ok; fi

# a chart archive (.tgz) renders as its directory does
cp "$CASE/hydrate.yaml" "$T/inputs/hydrate.yaml"
tar -C "$CASE/charts" -czf "$T/inputs/charts/web-0.1.0.tgz" web
sed -i 's|^    chart: charts/web$|    chart: charts/web-0.1.0.tgz|' "$T/inputs/hydrate.yaml"
if run chart-archive 0 render -c "$T/inputs/hydrate.yaml" --stdout; then
	if cmp -s "$T/want-stream" "$T/out"; then ok
	else bad "chart-archive: stream differs"; diff "$T/want-stream" "$T/out" | head -20; fi
fi

# the pre-commit hook shipped in .pre-commit-hooks.yaml: its entry, run as
# pre-commit runs it (no file names) in a repository holding hydrate.yaml
entry=$(sed -n 's/^  entry: //p' "$SRC/.pre-commit-hooks.yaml")
if [ "$entry" = "hydrate check" ]; then
	cp -r "$CASE" "$T/precommit"
	printf 'repository:\n  path: rendered\n' >>"$T/precommit/hydrate.yaml"
	cd "$T/precommit" || exit 1
	# (its hydrate.yaml differs, so only the provenance files differ)
	if run precommit-render 0 render; then
		diff -r -x .hydrate "$CASE/expected" "$T/precommit/rendered" >"$T/diff" 2>&1 && ok ||
			bad "precommit-render: $(head "$T/diff")"
	fi
	# shellcheck disable=SC2086 # the entry is a command line
	if run precommit-fresh 0 ${entry#hydrate }; then ok; fi
	echo "# edited" >>"$T/precommit/rendered/clusters/dev/web/service-web.yaml"
	# shellcheck disable=SC2086
	if run precommit-stale 1 ${entry#hydrate }; then
		grep -q '^stale: clusters/dev/web/service-web.yaml$' "$T/out" && ok ||
			bad "precommit-stale: $(cat "$T/out")"
	fi
	cd - >/dev/null || exit 1
else
	bad ".pre-commit-hooks.yaml: entry is '$entry'"
fi

# a failing job writes nothing, even for the jobs that rendered
mkdir -p "$T/failing" && echo keep >"$T/failing/keep"
if run failing-job 2 render -c "$SRC/testdata/gitops/failing/hydrate.yaml" -o "$T/failing"; then
	if grep -q '^error: bad/dev: execution error at (bad/templates/cm.yaml:4:11): name is required$' "$T/err" &&
		[ "$(ls -A "$T/failing")" = keep ]; then ok
	else bad "failing-job: $(cat "$T/err"; ls -A "$T/failing")"; fi
fi

# hooks: a failing post-render hook names itself, its status and its stderr;
# the default output directory is repository.path
mkdir -p "$T/hooked"
cat >"$T/hooked/hydrate.yaml" <<EOF
apiVersion: hydrate/v1
repository:
  path: gitops
environments: [{name: dev}]
apps:
  - name: api
    kustomize: $CASE/overlays/api/dev
hooks:
  postRender:
    - name: policy
      command: [sh, -c, "echo 'denied: no limits' >&2; exit 4"]
EOF
if run hook-fails 2 render -c "$T/hooked/hydrate.yaml"; then
	if grep -q "^error: api/dev: post-render hook 'policy' exited with status 4$" "$T/err" &&
		grep -q "^    denied: no limits$" "$T/err" && [ ! -e "$T/hooked/gitops" ]; then ok
	else bad "hook-fails: $(cat "$T/err")"; fi
fi
sed -i 's/command: .*/command: [cat]/' "$T/hooked/hydrate.yaml"
if run hook-default-dir 0 render -c "$T/hooked/hydrate.yaml"; then
	if cmp -s "$CASE/expected/clusters/dev/api/service-dev-api.yaml" \
		"$T/hooked/gitops/dev/api/service-dev-api.yaml"; then ok
	else bad "hook-default-dir: $(ls -R "$T/hooked")"; fi
fi

# a progress bar on a terminal once a run takes more than 200 ms (a slow
# hook here), erased at the end; never without a terminal (every run above)
sed -i 's/command: .*/command: [sh, -c, "sleep 0.3; exec cat"]/' "$T/hooked/hydrate.yaml"
if command -v script >/dev/null 2>&1; then
	script -qec "'$BIN' render -c '$T/hooked/hydrate.yaml' -o '$T/tty-out'" /dev/null >"$T/tty" 2>&1
	if grep -q "$(printf '\rrendering \\[#*\\] 1/1')" "$T/tty" &&
		grep -q "$(printf '\r\033\\[K')" "$T/tty" && [ -d "$T/tty-out/dev/api" ]; then ok
	else bad "progress-tty: $(od -c "$T/tty" | head -8)"; fi
fi
if run progress-no-tty 0 render -c "$T/hooked/hydrate.yaml" --stdout; then
	! grep -q 'rendering \[' "$T/err" && ok || bad "progress-no-tty: $(cat "$T/err")"
fi
grep -q "rendering \[" "$T/err" && bad "a progress bar without a terminal"

# check --git: against the GitOps repository's branch, read through a bare cache
if command -v git >/dev/null 2>&1; then
	cp -r "$CASE" "$T/src"
	sed -i 's|^  pathTemplate: clusters/{env}/{app}$|&\n  provenance: false|' "$T/src/hydrate.yaml"
	printf 'repository:\n  path: %s\n  branch: main\n' "$T/repo" >>"$T/src/hydrate.yaml"
	git init -q -b main "$T/repo"
	(cd "$CASE/expected" && find . -type f ! -path '*/.hydrate/*' | while read -r f; do
		mkdir -p "$T/repo/$(dirname "$f")" && cp "$f" "$T/repo/$f"; done)
	echo keep >"$T/repo/README.md"
	commit() { git -C "$T/repo" add -A && git -C "$T/repo" -c user.name=t -c user.email=t@example.com \
		commit -q -m "$1"; }
	commit initial
	if run check-git-fresh 0 check -c "$T/src/hydrate.yaml" --git --cache-dir "$T/cache"; then
		[ ! -s "$T/out" ] && ok || bad "check-git-fresh printed: $(cat "$T/out")"
	fi
	echo "# edited" >>"$T/repo/clusters/prod/web/deployment-web.yaml"
	rm "$T/repo/clusters/dev/api/service-dev-api.yaml"
	echo "kind: Old" >"$T/repo/clusters/prod/api/old.yaml"
	echo "changed" >"$T/repo/README.md"
	commit drift
	if run check-git-stale 1 check -c "$T/src/hydrate.yaml" --git --cache-dir "$T/cache"; then
		printf '%s\n' "missing: clusters/dev/api/service-dev-api.yaml" \
			"extra: clusters/prod/api/old.yaml" \
			"stale: clusters/prod/web/deployment-web.yaml" >"$T/want"
		if cmp -s "$T/want" "$T/out" && grep -q 'out of date in the GitOps repository' "$T/err"; then ok
		else bad "check-git-stale output"; cat "$T/out" "$T/err"; fi
	fi
	sed -i 's/^  branch: main$/  branch: nope/' "$T/src/hydrate.yaml"
	# a branch the remote does not have yet: every rendered file is missing
	if run check-git-no-branch 1 check -c "$T/src/hydrate.yaml" --git --cache-dir "$T/cache"; then
		(cd "$CASE/expected" && find . -type f ! -path '*/.hydrate/*' | sed 's|^\./|missing: |' |
			LC_ALL=C sort) >"$T/want"
		if cmp -s "$T/want" "$T/out" && [ -s "$T/want" ] &&
			grep -q "branch 'nope' not found in .*every file of its jobs is missing" "$T/err"; then ok
		else bad "check-git-no-branch output"; diff "$T/want" "$T/out"; cat "$T/err"; fi
	fi
	# a repository that does not exist is a git error
	sed -i "s|^  path: $T/repo\$|  path: $T/no-such-repo|" "$T/src/hydrate.yaml"
	if run check-git-no-repo 3 check -c "$T/src/hydrate.yaml" --git --cache-dir "$T/cache"; then ok; fi
	if run check-git-and-dir 2 check -c "$T/src/hydrate.yaml" --git --dir "$T/gitops"; then ok; fi
fi

# provenance names the source repository (userinfo removed) and commit given
if run render-source 0 render -c "$CASE/hydrate.yaml" -o "$T/prov" \
	--source-repository https://bob:s3cr3t-tok@example.com/acme/app.git \
	--source-commit 0123456789abcdef0123456789abcdef01234567; then
	p=$T/prov/clusters/prod/api/.hydrate/provenance.json
	if grep -q '"commit": "0123456789abcdef0123456789abcdef01234567",' "$p" &&
		grep -q '"repository": "https://example.com/acme/app.git"' "$p" &&
		! grep -rq 's3cr3t-tok' "$T/prov" "$T/out" "$T/err"; then ok
	else bad "render-source: $(cat "$p")"; fi
fi
if run render-bad-commit 2 render -c "$CASE/hydrate.yaml" -o "$T/prov2" --source-commit 12345; then
	grep -q "invalid --source-commit '12345'" "$T/err" && [ ! -e "$T/prov2" ] && ok ||
		bad "render-bad-commit: $(cat "$T/err")"
fi

if run help-render 0 help render; then
	grep -q '^usage: hydrate render' "$T/out" && ok || bad "help render"
fi
if run help-check 0 check --help; then
	grep -q '^usage: hydrate check' "$T/out" && ok || bad "check --help"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
