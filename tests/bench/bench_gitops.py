#!/usr/bin/env python3
"""hydrate render / diff / watch on 1,000 (app, environment) jobs.

    tests/bench/bench_gitops.py [--hydrate build/hydrate] [--apps 10] [--envs 100]
                                [--runs 3] [--watch-samples 20]

Generates, in a scratch directory, an application repository with --apps
copies of a mid-size chart (a Deployment, Service, ConfigMap, Ingress and
HorizontalPodAutoscaler; helpers through include, toYaml, tpl) and a
hydrate.yaml with --envs environments (each with its own values file per
app), so --apps x --envs jobs; and a GitOps directory holding an older
render (every replica count changed), so that `hydrate diff` has work.
Then prints, as medians over --runs:

  - `hydrate render -o DIR` with -j 1 and -j 2 (and the speed-up),
  - `hydrate diff --dir GITOPS` with -j 1 and -j 2: diff renders every job and
    compares the tree with the GitOps directory, so one diff run is "rendered and
    diffed" (goal: < 2 s on 2 cores); the sum with a separate render is printed too,
  - peak RSS of each (through build/tests/runrss, as bench_helm.py does),
  - watch latency: `hydrate watch` on the whole plan; one values file is
    rewritten (a new replica count) --watch-samples times; the time from the
    write to the moment the batch's status line is read from watch's
    standard error (after its diff was printed and flushed), median and
    maximum; and hydrate's own figure from that line.

Run by hand; never by make test.
"""
import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import fmt_mib, fmt_ms, run_once  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

CHART_FILES = {
    "Chart.yaml": 'apiVersion: v2\nname: {name}\nversion: 1.2.3\nappVersion: "4.5.6"\n',
    "values.yaml": (
        "replicaCount: 2\n"
        "image:\n  repository: registry.example/app\n  tag: \"\"\n  pullPolicy: IfNotPresent\n"
        "service:\n  type: ClusterIP\n  port: 8080\n"
        "ingress:\n  enabled: true\n  className: nginx\n  host: '{{{{ .Release.Name }}}}.example.test'\n"
        "autoscaling:\n  enabled: true\n  minReplicas: 2\n  maxReplicas: 10\n  cpu: 80\n"
        "resources:\n  requests: {{cpu: 100m, memory: 128Mi}}\n  limits: {{memory: 256Mi}}\n"
        "config:\n  LOG_LEVEL: info\n  GREETING: 'hello from {{{{ .Chart.Name }}}}'\n"
        "podLabels: {{team: platform}}\n"
        "env:\n  - name: MODE\n    value: production\n  - name: REGION\n    value: eu-west-1\n"),
    "templates/_helpers.tpl": (
        '{{{{- define "app.fullname" -}}}}'
        '{{{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}}}'
        '{{{{- end }}}}\n'
        '{{{{- define "app.labels" -}}}}\n'
        'app.kubernetes.io/name: {{{{ .Chart.Name }}}}\n'
        'app.kubernetes.io/instance: {{{{ .Release.Name }}}}\n'
        'helm.sh/chart: {{{{ printf "%s-%s" .Chart.Name .Chart.Version }}}}\n'
        '{{{{- with .Values.podLabels }}}}\n{{{{ toYaml . }}}}\n{{{{- end }}}}\n'
        '{{{{- end }}}}\n'),
    "templates/deployment.yaml": (
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n'
        '  name: {{{{ include "app.fullname" . }}}}\n  labels:\n'
        '    {{{{- include "app.labels" . | nindent 4 }}}}\nspec:\n'
        '  {{{{- if not .Values.autoscaling.enabled }}}}\n'
        '  replicas: {{{{ .Values.replicaCount }}}}\n  {{{{- end }}}}\n'
        '  selector:\n    matchLabels:\n      app.kubernetes.io/name: {{{{ .Chart.Name }}}}\n'
        '  template:\n    metadata:\n      labels:\n'
        '        {{{{- include "app.labels" . | nindent 8 }}}}\n'
        '      annotations:\n'
        '        checksum/config: {{{{ toYaml .Values.config | sha256sum }}}}\n'
        '    spec:\n      containers:\n      - name: app\n'
        '        image: "{{{{ .Values.image.repository }}}}:'
        '{{{{ .Values.image.tag | default .Chart.AppVersion }}}}"\n'
        '        imagePullPolicy: {{{{ .Values.image.pullPolicy }}}}\n'
        '        env:\n          {{{{- toYaml .Values.env | nindent 10 }}}}\n'
        '        envFrom:\n        - configMapRef:\n'
        '            name: {{{{ include "app.fullname" . }}}}\n'
        '        ports:\n        - containerPort: {{{{ .Values.service.port }}}}\n'
        '        resources:\n          {{{{- toYaml .Values.resources | nindent 10 }}}}\n'),
    "templates/service.yaml": (
        'apiVersion: v1\nkind: Service\nmetadata:\n'
        '  name: {{{{ include "app.fullname" . }}}}\n  labels:\n'
        '    {{{{- include "app.labels" . | nindent 4 }}}}\nspec:\n'
        '  type: {{{{ .Values.service.type }}}}\n  ports:\n'
        '  - port: {{{{ .Values.service.port }}}}\n    targetPort: http\n'
        '  selector:\n    app.kubernetes.io/name: {{{{ .Chart.Name }}}}\n'),
    "templates/configmap.yaml": (
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n'
        '  name: {{{{ include "app.fullname" . }}}}\ndata:\n'
        '{{{{- range $k, $v := .Values.config }}}}\n'
        '  {{{{ $k }}}}: {{{{ tpl $v $ | quote }}}}\n{{{{- end }}}}\n'),
    "templates/ingress.yaml": (
        '{{{{- if .Values.ingress.enabled }}}}\n'
        'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n'
        '  name: {{{{ include "app.fullname" . }}}}\nspec:\n'
        '  ingressClassName: {{{{ .Values.ingress.className }}}}\n  rules:\n'
        '  - host: {{{{ tpl .Values.ingress.host . }}}}\n    http:\n      paths:\n'
        '      - path: /\n        pathType: Prefix\n        backend:\n          service:\n'
        '            name: {{{{ include "app.fullname" . }}}}\n'
        '            port:\n              number: {{{{ .Values.service.port }}}}\n'
        '{{{{- end }}}}\n'),
    "templates/hpa.yaml": (
        '{{{{- if .Values.autoscaling.enabled }}}}\n'
        'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n'
        '  name: {{{{ include "app.fullname" . }}}}\nspec:\n'
        '  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n'
        '    name: {{{{ include "app.fullname" . }}}}\n'
        '  minReplicas: {{{{ .Values.autoscaling.minReplicas }}}}\n'
        '  maxReplicas: {{{{ .Values.autoscaling.maxReplicas }}}}\n'
        '  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n'
        '      target:\n        type: Utilization\n'
        '        averageUtilization: {{{{ .Values.autoscaling.cpu }}}}\n'
        '{{{{- end }}}}\n'),
}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def env_values(app, env, bump=0):
    return (f"autoscaling:\n  minReplicas: {2 + (app + env + bump) % 5}\n"
            f"config:\n  LOG_LEVEL: {'debug' if env % 2 else 'info'}\n  ENV: env{env:03d}\n")


def generate(root, napps, nenvs):
    """The application repository: charts/appNN, values/appNN/envNNN.yaml, hydrate.yaml."""
    for a in range(napps):
        name = f"app{a:02d}"
        for rel, text in CHART_FILES.items():
            write(os.path.join(root, "charts", name, rel), text.format(name=name))
        for e in range(nenvs):
            write(os.path.join(root, "values", name, f"env{e:03d}.yaml"), env_values(a, e))
    lines = ["apiVersion: hydrate/v1", "layout:", "  pathTemplate: clusters/{env}/{app}",
             "environments:"]
    lines += [f"  - name: env{e:03d}" for e in range(nenvs)]
    lines.append("apps:")
    for a in range(napps):
        lines += [f"  - name: app{a:02d}", f"    chart: charts/app{a:02d}",
                  f"    namespace: app{a:02d}", "    valuesFiles:",
                  f"      - values/app{a:02d}/{{env}}.yaml"]
    write(os.path.join(root, "hydrate.yaml"), "\n".join(lines) + "\n")


def median_run(argv, runs, cwd):
    times, rss = [], []
    for _ in range(runs):
        t, r, status, _ = run_once(argv, cwd)
        if status not in (0, 1):
            raise SystemExit(f"{' '.join(argv)}: exit {status}")
        times.append(t)
        rss.append(r)
    return statistics.median(times), max(rss)


def watch_latency(hydrate, root, samples):
    """Median and max of (write -> status line read), and hydrate's own figure."""
    vals = os.path.join(root, "values", "app00", "env000.yaml")
    p = subprocess.Popen([hydrate, "watch", "--dir", os.path.join(root, "gitops"),
                          "--no-color"], cwd=root, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    fd = p.stderr.fileno()
    buf = b""

    def read_line(deadline):
        nonlocal buf
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise SystemExit("watch: no status line in time")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise SystemExit("watch: exited")
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        return line.decode()

    try:
        while not read_line(time.monotonic() + 120).startswith("watch: rendered"):
            pass
        lat, own = [], []
        for i in range(samples):
            time.sleep(0.05)
            t0 = time.monotonic()
            with open(vals, "w") as f:
                f.write(env_values(0, 0, bump=i + 1))
            while True:
                line = read_line(time.monotonic() + 30)
                if line.startswith("watch: re-rendered"):
                    break
            lat.append(time.monotonic() - t0)
            own.append(float(line.split(" in ")[-1].split(" ms")[0]) / 1000)
    finally:
        p.terminate()
        p.wait()
    return statistics.median(lat), max(lat), statistics.median(own)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hydrate", default=os.path.join(HERE, "..", "..", "build", "hydrate"))
    ap.add_argument("--apps", type=int, default=10)
    ap.add_argument("--envs", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--watch-samples", type=int, default=20)
    args = ap.parse_args()
    hydrate = os.path.abspath(args.hydrate)
    root = tempfile.mkdtemp(prefix="bench-gitops-")
    try:
        generate(root, args.apps, args.envs)
        njobs = args.apps * args.envs
        # the GitOps side: an older render (other replica counts)
        subprocess.run([hydrate, "render", "-o", os.path.join(root, "gitops"), "-j", "2"],
                       cwd=root, check=True, stdout=subprocess.DEVNULL)
        for a in range(args.apps):
            for e in range(args.envs):
                write(os.path.join(root, "values", f"app{a:02d}", f"env{e:03d}.yaml"),
                      env_values(a, e, bump=1))
        nfiles = sum(len(f) for _, _, f in os.walk(os.path.join(root, "gitops")))
        print(f"{njobs} jobs ({args.apps} apps x {args.envs} environments), "
              f"{nfiles} files in the rendered tree; medians of {args.runs} runs")
        print(f"{'step':<34}{'ms':>9}{'peak MiB':>10}")
        res = {}
        for name, argv in [
                ("render -j 1", [hydrate, "render", "-j", "1", "-o", "out1"]),
                ("render -j 2", [hydrate, "render", "-j", "2", "-o", "out2"]),
                ("diff -j 1 --dir gitops", [hydrate, "diff", "-j", "1", "--color", "never",
                                            "--dir", "gitops"]),
                ("diff -j 2 --dir gitops", [hydrate, "diff", "-j", "2", "--color", "never",
                                            "--dir", "gitops"])]:
            t, r = median_run(argv, args.runs, root)
            res[name] = t
            print(f"{name:<34}{fmt_ms(t)}{fmt_mib(r)}")
        print(f"speed-up -j 1 -> -j 2: render {res['render -j 1'] / res['render -j 2']:.2f}x, "
              f"diff {res['diff -j 1 --dir gitops'] / res['diff -j 2 --dir gitops']:.2f}x")
        print(f"rendered and diffed (one diff run) at -j 2: "
              f"{res['diff -j 2 --dir gitops'] * 1000:.0f} ms (goal < 2000); "
              f"a render plus a diff run: "
              f"{(res['render -j 2'] + res['diff -j 2 --dir gitops']) * 1000:.0f} ms")
        shutil.rmtree(os.path.join(root, "out1"), ignore_errors=True)
        med, worst, own = watch_latency(hydrate, root, args.watch_samples)
        print(f"watch latency, save -> status line read ({args.watch_samples} saves of one values "
              f"file, 1 of {njobs} jobs): median {med * 1000:.1f} ms, max {worst * 1000:.1f} ms; "
              f"hydrate's own figure (first event -> diff printed): median {own * 1000:.1f} ms "
              f"(goal < 20)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
