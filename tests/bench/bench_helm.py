#!/usr/bin/env python3
"""hydrate template vs helm template, whole process, over the Helm corpus.

    tests/bench/bench_helm.py --helm PATH/helm [--hydrate build/hydrate]
                              [--corpus ../shared/corpus/helm] [--runs 5]
                              [--umbrella 100]

For every corpus case that renders (no expected.err), runs `helm <cmd>` and
`hydrate <cmd>` alternately --runs times inside the case directory and
prints each median time and peak RSS, then the median over cases of the
ratios helm/hydrate (goal: >= 20x time, >= 10x memory), and of the CPU-time
ratios (user + system), which a loaded machine disturbs less. With --umbrella N
it also generates an umbrella chart with N subcharts (each a Deployment,
Service, ConfigMap and helpers, all using include/toYaml/tpl) and times both
on it (goal: hydrate < 1 s for N = 100). Cases whose hydrate output differs
from expected.yaml are marked '!': their times measure unfinished work.
Run by hand; the official helm binary comes from
../shared/tools/get-reference-tools.sh.
"""
import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import fmt_mib, fmt_ms, measure_cpu, run_once  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def umbrella(root, n):
    """Writes an umbrella chart with n subcharts under root; returns its path."""
    top = os.path.join(root, "umbrella")
    os.makedirs(os.path.join(top, "charts"))
    deps = []
    for i in range(n):
        name = f"svc{i:03d}"
        sub = os.path.join(top, "charts", name)
        os.makedirs(os.path.join(sub, "templates"))
        with open(os.path.join(sub, "Chart.yaml"), "w") as f:
            f.write(f"apiVersion: v2\nname: {name}\nversion: 1.0.{i}\nappVersion: \"2.{i}\"\n")
        with open(os.path.join(sub, "values.yaml"), "w") as f:
            f.write("replicaCount: 2\nimage:\n  repository: registry.example/app\n  tag: \"\"\n"
                    "service:\n  port: 8080\nresources:\n  limits: {cpu: 500m, memory: 256Mi}\n"
                    "config:\n  greeting: 'hello from {{ .Chart.Name }}'\n  level: info\n"
                    "podLabels: {team: platform}\n")
        with open(os.path.join(sub, "templates", "_helpers.tpl"), "w") as f:
            f.write('{{- define "app.fullname" -}}{{ printf "%s-%s" .Release.Name .Chart.Name'
                    ' | trunc 63 | trimSuffix "-" }}{{- end }}\n'
                    '{{- define "app.labels" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\n'
                    'app.kubernetes.io/instance: {{ .Release.Name }}\n'
                    'helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}\n'
                    '{{- with .Values.podLabels }}\n{{ toYaml . }}\n{{- end }}\n{{- end }}\n')
        with open(os.path.join(sub, "templates", "deployment.yaml"), "w") as f:
            f.write('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n'
                    '  name: {{ include "app.fullname" . }}\n  labels:\n'
                    '    {{- include "app.labels" . | nindent 4 }}\nspec:\n'
                    '  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n'
                    '      containers:\n      - name: app\n'
                    '        image: "{{ .Values.image.repository }}:{{ .Values.image.tag'
                    ' | default .Chart.AppVersion }}"\n'
                    '        resources:\n          {{- toYaml .Values.resources | nindent 10 }}\n')
        with open(os.path.join(sub, "templates", "service.yaml"), "w") as f:
            f.write('apiVersion: v1\nkind: Service\nmetadata:\n'
                    '  name: {{ include "app.fullname" . }}\n  labels:\n'
                    '    {{- include "app.labels" . | nindent 4 }}\nspec:\n  ports:\n'
                    '  - port: {{ .Values.service.port }}\n')
        with open(os.path.join(sub, "templates", "configmap.yaml"), "w") as f:
            f.write('apiVersion: v1\nkind: ConfigMap\nmetadata:\n'
                    '  name: {{ include "app.fullname" . }}\ndata:\n'
                    '  greeting: {{ tpl .Values.config.greeting . | quote }}\n'
                    '  level: {{ .Values.config.level | upper | quote }}\n'
                    '  checksum: {{ toYaml .Values | sha256sum }}\n')
        deps.append(f"- name: {name}\n  version: 1.0.{i}\n")
    with open(os.path.join(top, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n" + "".join(deps))
    with open(os.path.join(top, "values.yaml"), "w") as f:
        f.write("global: {env: prod}\n")
    return top


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helm", required=True)
    ap.add_argument("--hydrate", default=os.path.join(HERE, "..", "..", "build", "hydrate"))
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "..", "shared", "corpus", "helm"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--umbrella", type=int, default=0)
    a = ap.parse_args()
    helm = os.path.abspath(a.helm)
    hyd = os.path.abspath(a.hydrate)
    scratch = tempfile.mkdtemp(prefix="hydrate-bench-")
    env = dict(os.environ, HOME=scratch)

    print(f"{'case':32} {'helm ms':>9} {'helm MiB':>8} {'hyd ms':>9} {'hyd MiB':>8}"
          f" {'time x':>7} {'mem x':>6} {'cpu x':>6}")
    tr, mr, cr = [], [], []
    cases = os.path.join(a.corpus, "cases")
    for name in sorted(os.listdir(cases)):
        d = os.path.join(cases, name)
        if os.path.exists(os.path.join(d, "expected.err")):
            continue
        args = open(os.path.join(d, "cmd")).read().split()
        th, rh, ch, ty, ry, cy, okh, oky = measure_cpu([helm] + args, [hyd] + args, a.runs,
                                                       cwd=d, env_a=env, env_b=env)
        _, _, st, out = run_once([hyd] + args, cwd=d, env=env)
        exact = st == 0 and out == open(os.path.join(d, "expected.yaml"), "rb").read()
        mark = " " if exact else "!"
        print(f"{name:31}{mark} {fmt_ms(th)} {fmt_mib(rh)} {fmt_ms(ty)} {fmt_mib(ry)}"
              f" {th / ty:7.1f} {rh / ry:6.1f} {ch / max(cy, 1e-6):6.1f}")
        if exact:
            tr.append(th / ty)
            mr.append(rh / ry)
            cr.append(ch / max(cy, 1e-6))
    if tr:
        print(f"median over {len(tr)} exact cases: {statistics.median(tr):.1f}x faster, "
              f"{statistics.median(mr):.1f}x less peak memory, "
              f"{statistics.median(cr):.1f}x less CPU time")
    else:
        print("no case rendered exactly: no ratio")
    if a.umbrella:
        top = umbrella(scratch, a.umbrella)
        argv = ["template", "rel", top]
        th, rh, ch, ty, ry, cy, okh, oky = measure_cpu([helm] + argv, [hyd] + argv,
                                                       max(1, a.runs // 2), env_a=env, env_b=env)
        print(f"umbrella chart, {a.umbrella} subcharts: helm {fmt_ms(th).strip()} ms "
              f"({fmt_ms(ch).strip()} ms CPU) {fmt_mib(rh).strip()} MiB"
              f"{'' if okh else ' (failed)'}; hydrate {fmt_ms(ty).strip()} ms "
              f"({fmt_ms(cy).strip()} ms CPU) {fmt_mib(ry).strip()} MiB"
              f"{'' if oky else ' (failed)'}")


if __name__ == "__main__":
    main()
