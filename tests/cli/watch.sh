#!/bin/sh
# End-to-end checks of `hydrate watch` through the built binary, on a small
# application repository made here (a chart with values outside it, a
# Kustomize base with two overlays): which jobs a save re-renders, that the
# printed diff names the changed file, that saves to files no job reads are
# ignored, render errors keep the watch going, hydrate.yaml and .env changes
# reload, SIGTERM and --max-events stop with status 0, usage errors give 2.
# Expected job lists and paths are written by hand from docs/watch.md and the
# fixture. Under a non-sanitizer build every run goes through valgrind (when
# installed) and must not leak or touch memory wrongly (status 99).
set -u
BIN=$1
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
SANITIZED=${3:-OFF}
T=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

if [ "$SANITIZED" != ON ] && command -v valgrind >/dev/null 2>&1; then
	VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
else
	VG=
fi

# start NAME ARGS...: runs hydrate in the background in $T/app; stdout in
# $T/NAME.out, stderr in $T/NAME.err, pid in $PID.
start() {
	name=$1; shift
	(cd "$T/app" && exec $VG "$BIN" "$@" >"$T/$name.out" 2>"$T/$name.err") &
	PID=$!
}

# wait_for FILE PATTERN COUNT: until FILE has COUNT lines matching PATTERN
# (at most 120 s: valgrind starts slowly).
wait_for() {
	i=0
	while :; do
		n=$(grep -c -- "$2" "$1" 2>/dev/null)
		[ "${n:-0}" -ge "$3" ] && break
		i=$((i + 1))
		if [ $i -gt 1200 ]; then
			echo "timed out waiting for $3 x '$2' in $1:"; cat "$1"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# finish NAME WANT: waits for the background run and checks its status.
finish() {
	wait "$PID"
	got=$?
	PID=
	if [ "$got" -ne "$2" ]; then
		bad "$1: exit $got, want $2"; cat "$T/$1.err"; return 1
	fi
	return 0
}

run() { # run NAME WANT ARGS...: in the foreground
	name=$1; want=$2; shift 2
	(cd "$T/app" && $VG "$BIN" "$@" >"$T/$name.out" 2>"$T/$name.err")
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit $got, want $want"; cat "$T/$name.err"; return 1
	fi
	return 0
}

# ---- the fixture ----
A=$T/app
mkdir -p "$A/charts/web/templates" "$A/values" "$A/base" "$A/overlays/staging" \
	"$A/overlays/prod" "$T/target"
cat >"$A/hydrate.yaml" <<'EOF'
apiVersion: hydrate/v1
vars:
  TAG: "1.0"
layout:
  pathTemplate: clusters/{env}/{app}
environments:
  - name: staging
    envFile: .env
  - name: prod
apps:
  - name: web
    chart: charts/web
    valuesFiles:
      - values/{env}.yaml
    set:
      tag: ${TAG}
  - name: api
    kustomize: overlays/{env}
EOF
printf 'apiVersion: v2\nname: web\nversion: 1.0.0\n' >"$A/charts/web/Chart.yaml"
printf 'replicas: 1\n' >"$A/charts/web/values.yaml"
cat >"$A/charts/web/templates/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
data:
  replicas: {{ .Values.replicas | quote }}
  tag: {{ .Values.tag | quote }}
EOF
printf 'replicas: 2\n' >"$A/values/staging.yaml"
printf 'replicas: 5\n' >"$A/values/prod.yaml"
printf 'resources:\n- cm.yaml\n' >"$A/base/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata:\n  level: info\n' \
	>"$A/base/cm.yaml"
for e in staging prod; do
	printf 'namespace: api-%s\nresources:\n- ../../base\n' "$e" >"$A/overlays/$e/kustomization.yaml"
done
echo "# the app repository" >"$A/README.md"

# ---- saves re-render only the jobs that read them ----
start main watch --dir "$T/target" --max-events 5 -j 2
if wait_for "$T/main.err" '^watch: rendered 4 jobs' 1; then ok; else bad "main: first render"; fi
grep -q 'clusters/prod/api' "$T/main.out" && ok || bad "main: the first diff names the target's paths"

printf 'replicas: 3\n' >"$A/values/staging.yaml"
if wait_for "$T/main.err" '^watch: re-rendered' 1; then
	grep -q '^watch: re-rendered 1 job (web/staging) in ' "$T/main.err" && ok ||
		bad "main: values/staging.yaml re-renders web/staging only"
	grep -q '^# values/staging.yaml: web/staging$' "$T/main.out" && ok ||
		bad "main: the batch header names the saved file and the job"
	grep -q 'clusters/staging/web/configmap-web.yaml' "$T/main.out" && ok ||
		bad "main: the diff names the changed file"
	# the target is empty: 4 jobs x (1 resource + provenance) are all added
	grep -q '^# against .*: 8 files differ (8 added, 0 removed, 0 changed), 0 unchanged;' \
		"$T/main.out" && ok || bad "main: the summary against the target"
fi

# a file no job reads is no event; then a save replacing the file by rename
echo "more" >>"$A/README.md"
printf 'replicas: 6\n' >"$A/values/prod.yaml.tmp"
mv "$A/values/prod.yaml.tmp" "$A/values/prod.yaml"
if wait_for "$T/main.err" '^watch: re-rendered' 2; then
	[ "$(grep -c '^watch: re-rendered' "$T/main.err")" -eq 2 ] && ok || bad "main: README.md is no event"
	grep -q '^watch: re-rendered 1 job (web/prod) in ' "$T/main.err" && ok ||
		bad "main: a rename over values/prod.yaml re-renders web/prod"
fi

# a Kustomize base outside the overlays
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata:\n  level: debug\n' \
	>"$A/base/cm.yaml"
if wait_for "$T/main.err" '^watch: re-rendered' 3; then
	grep -q '^watch: re-rendered 2 jobs (api/staging, api/prod) in ' "$T/main.err" && ok ||
		bad "main: the base re-renders both overlays"
	grep -q 'clusters/prod/api/configmap-api.yaml' "$T/main.out" && ok ||
		bad "main: the base's change shows in prod's diff"
fi

# a render error is printed; watching goes on; the fix renders again
printf 'data: {{ .Values.x.y.z }\n' >"$A/charts/web/templates/broken.yaml"
if wait_for "$T/main.err" 'keeping the last rendered tree' 1; then
	grep -q '^error: web/staging: ' "$T/main.err" && ok ||
		bad "main: the error names the first failing job"
fi
rm "$A/charts/web/templates/broken.yaml"
if finish main 0; then
	grep -q '^watch: re-rendered 2 jobs (web/staging, web/prod) in ' "$T/main.err" && ok ||
		bad "main: the fix re-renders both web jobs"
	[ "$(grep -c '^watch: re-rendered' "$T/main.err")" -eq 4 ] && ok ||
		bad "main: five events: four renders and one error"
fi

# ---- hydrate.yaml and .env reload; SIGTERM stops with 0 ----
start reload watch --local --dir "$T/target"
if wait_for "$T/reload.err" '^watch: rendered 4 jobs' 1; then ok; else bad "reload: first render"; fi
echo "TAG=2.0" >"$A/.env"
if wait_for "$T/reload.err" '^watch: reloaded' 1; then
	grep -q 'clusters/staging/web/configmap-web.yaml' "$T/reload.out" && ok ||
		bad "reload: .env's TAG changes staging's web"
fi
sed 's/^  TAG: "1.0"/  TAG: "1.1"/' "$A/hydrate.yaml" >"$A/hydrate.yaml.new"
mv "$A/hydrate.yaml.new" "$A/hydrate.yaml"
if wait_for "$T/reload.err" '^watch: reloaded' 2; then
	grep -q 'clusters/prod/web/configmap-web.yaml' "$T/reload.out" && ok ||
		bad "reload: hydrate.yaml's TAG changes prod's web"
fi
# a hydrate.yaml broken by a save is reported at its line; the next good
# save reloads
cp "$A/hydrate.yaml" "$T/hydrate.yaml.good"
sed 's/^  - name: prod$/  - name: prod\n    brnach: x/' "$T/hydrate.yaml.good" >"$A/hydrate.yaml.new"
mv "$A/hydrate.yaml.new" "$A/hydrate.yaml"
if wait_for "$T/reload.err" '^watch: waiting for a fix' 1; then
	grep -q "^error: hydrate.yaml:10:5: unknown key 'brnach' in environment 'prod' (did you mean 'branch'?)$" \
		"$T/reload.err" && ok || bad "reload: the broken hydrate.yaml's error"
fi
cp "$T/hydrate.yaml.good" "$A/hydrate.yaml.new" && mv "$A/hydrate.yaml.new" "$A/hydrate.yaml"
if wait_for "$T/reload.err" '^watch: rendered 4 jobs' 2; then ok; else bad "reload: after the fix (a first render again: the last tree went with the broken file)"; fi
# a values file that does not exist yet: an error at hydrate.yaml's line,
# waited out; creating the file renders
sed 's|^      - values/{env}.yaml$|&\n      - values/{env}-extra.yaml|' "$T/hydrate.yaml.good" >"$A/hydrate.yaml.new"
mv "$A/hydrate.yaml.new" "$A/hydrate.yaml"
if wait_for "$T/reload.err" '^watch: waiting for a fix' 2; then
	grep -q "^error: hydrate.yaml:15:9: app 'web' in environment 'staging': values file 'values/staging-extra.yaml' does not exist$" \
		"$T/reload.err" && ok || bad "reload: the missing values file's error: $(tail -5 "$T/reload.err")"
fi
printf 'replicas: 7\n' >"$A/values/staging-extra.yaml"
printf 'replicas: 8\n' >"$A/values/prod-extra.yaml"
if wait_for "$T/reload.err" '^watch: re-rendered\|^watch: reloaded\|^watch: rendered' 4; then
	wait_for "$T/reload.out" 'replicas: "8"' 1 && ok || bad "reload: the created values files render"
fi
kill -TERM "$PID"
finish reload 0 && ok

# ---- Secret data never reaches watch's output, whatever changes ----
cp "$T/hydrate.yaml.good" "$A/hydrate.yaml"
cat >"$A/charts/web/templates/secret.yaml" <<'EOF2'
apiVersion: v1
kind: Secret
metadata:
  name: web
stringData:
  password: {{ .Values.password | default "hunter2-first" }}
data:
  token: {{ .Values.token | default "first-token" | b64enc }}
EOF2
for fmt in text markdown json; do
	start "secret-$fmt" watch --format "$fmt" --dir "$T/target" --max-events 1 --env staging --app web
	if wait_for "$T/secret-$fmt.err" '^watch: rendered 1 job' 1; then
		printf 'replicas: 3\npassword: s3cret-second\ntoken: second-token\n' >"$A/values/staging.yaml"
		if finish "secret-$fmt" 0; then
			if grep -q 'password' "$T/secret-$fmt.out" &&
				! grep -q 'hunter2-first\|s3cret-second\|first-token\|second-token' \
					"$T/secret-$fmt.out" "$T/secret-$fmt.err" &&
				! grep -q "$(printf 'first-token' | base64)\|$(printf 'second-token' | base64)" \
					"$T/secret-$fmt.out" "$T/secret-$fmt.err"; then ok
			else bad "secret-$fmt: a Secret value in watch's output"; cat "$T/secret-$fmt.out"; fi
		fi
	else
		kill "$PID"; finish "secret-$fmt" 0
	fi
	printf 'replicas: 3\n' >"$A/values/staging.yaml"
done
rm "$A/charts/web/templates/secret.yaml"

# ---- a post-render hook's script is an input of every job ----
mkdir -p "$A/hooks"
printf '#!/bin/sh\ncat\n' >"$A/hooks/pass.sh"
cp "$T/hydrate.yaml.good" "$A/hydrate.yaml"
printf 'hooks:\n  postRender:\n    - name: pass\n      command: [sh, hooks/pass.sh]\n' >>"$A/hydrate.yaml"
start hooked watch --dir "$T/target" --max-events 1
if wait_for "$T/hooked.err" '^watch: rendered 4 jobs' 1; then
	printf '#!/bin/sh\nsed "s/level: debug/level: hooked/"\n' >"$A/hooks/pass.sh"
	if finish hooked 0; then
		grep -q '^watch: re-rendered 4 jobs' "$T/hooked.err" && grep -q 'level: hooked' "$T/hooked.out" &&
			ok || bad "hooked: saving the hook's script re-renders every job: $(tail -3 "$T/hooked.err")"
	fi
else
	kill "$PID"; finish hooked 0
fi
cp "$T/hydrate.yaml.good" "$A/hydrate.yaml"

# ---- one-shot and errors ----
if run once 0 watch --once --dir "$T/target" --app api --env prod; then
	grep -q 'clusters/prod/api' "$T/once.out" && ok || bad "once: prints the diff"
	grep -q 'clusters/staging' "$T/once.out" && bad "once: --env prod only" || ok
	grep -q '^watch: rendered 1 job ' "$T/once.err" && ok || bad "once: one job"
fi
# --shard I/N as render takes it: jobs in plan order web/staging, web/prod,
# api/staging, api/prod; 2/2 is web/prod and api/prod
if run shard-once 0 watch --once --dir "$T/target" --shard 2/2; then
	grep -q '^watch: rendered 2 jobs ' "$T/shard-once.err" && ok || bad "shard-once: two jobs"
	grep -q 'clusters/prod/web' "$T/shard-once.out" && grep -q 'clusters/prod/api' "$T/shard-once.out" &&
		ok || bad "shard-once: prod's jobs"
	grep -q 'clusters/staging' "$T/shard-once.out" && bad "shard-once: no staging job" || ok
fi
start shard watch --dir "$T/target" --shard 1/2 --max-events 1
if wait_for "$T/shard.err" '^watch: rendered 2 jobs' 1; then ok; else bad "shard: first render"; fi
printf 'replicas: 7\n' >"$A/values/prod.yaml"       # another shard's input: no event
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata:\n  level: warn\n' \
	>"$A/base/cm.yaml"                            # api/staging's (and api/prod's)
if finish shard 0; then
	[ "$(grep -c '^watch: re-rendered' "$T/shard.err")" -eq 1 ] &&
		grep -q '^watch: re-rendered 1 job (api/staging) in ' "$T/shard.err" && ok ||
		{ bad "shard: only api/staging re-rendered"; cat "$T/shard.err"; }
fi
# --ref against a GitOps repository: a branch, a tag or a commit; a ref that
# names nothing, or no repository at all, is a git error (3)
if command -v git >/dev/null 2>&1; then
	G=$T/gitops
	git init -q -b main "$G" && echo x >"$G/README.md" && git -C "$G" add -A &&
		git -C "$G" -c user.name=t -c user.email=t@e commit -q -m one && git -C "$G" tag v1 ||
		bad "ref: git setup"
	head=$(git -C "$G" rev-parse HEAD)
	{ cat "$A/hydrate.yaml"; printf 'repository:\n  path: %s\n  branch: main\n' "$G"; } \
		>"$A/git.yaml"
	for rev in main v1 "$head" "$(echo "$head" | cut -c1-7)"; do
		if run "ref-$rev" 0 watch --once -c git.yaml --cache-dir "$T/cache" --ref "$rev"; then
			grep -q "^watch: rendered 4 jobs .*, compared with .*@$rev;" "$T/ref-$rev.err" &&
				ok || { bad "ref-$rev: label"; cat "$T/ref-$rev.err"; }
		fi
	done
	if run ref-nope 3 watch --once -c git.yaml --cache-dir "$T/cache" --ref nope; then
		grep -q "no branch, tag or commit 'nope'" "$T/ref-nope.err" && ok || bad "ref-nope: message"
	fi
	sed "s|  path: $G|  path: $T/absent|" "$A/git.yaml" >"$A/absent.yaml"
	if run ref-no-repo 3 watch --once -c absent.yaml --cache-dir "$T/cache" --ref v1; then
		grep -q "no such repository" "$T/ref-no-repo.err" && ok || bad "ref-no-repo: message"
	fi
fi
run shard-bad 2 watch --once --shard 3/2 && ok
run shard-junk 2 watch --once --shard x && ok

if run once-bad-app 2 watch --once --app nope; then
	grep -q "nope" "$T/once-bad-app.err" && ok || bad "once-bad-app: names the app"
fi
if run missing-config 2 watch --once -c "$T/nope.yaml"; then
	grep -q '^error: ' "$T/missing-config.err" && ok || bad "missing-config: message"
fi
run ref-and-dir 2 watch --ref main --dir x && ok
run max-events-0 2 watch --max-events 0 && ok
run bad-format 2 watch --format yaml && ok
run extra-arg 2 watch something && ok
if run help 0 watch --help; then
	grep -q '^usage: hydrate watch' "$T/help.out" && ok || bad "help"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
