#!/usr/bin/env python3
"""Differential fuzzer: `hydrate kustomize` against `kubectl kustomize`.

    tests/difffuzz/kustomize_difffuzz.py --kubectl /work/reftools/kubectl \
        --hydrate build/hydrate --cases N --seed S [--keep DIR] [--jobs 2]

Run by hand, never by the tests. Each case is a random base (a few resources
of the kinds kustomize's transformers and name references know, their names
drawn from a small pool so that references hit) and a random overlay over it
(namePrefix/nameSuffix, namespace, commonLabels or labels, commonAnnotations,
images, replicas, strategic-merge and JSON 6902 patches, configMap and secret
generators with behaviours and options). Both tools build the overlay; the
outputs must be byte-identical, or both must fail with the same message
(kubectl prints "error: ", kustomize build "Error: "; the rest is compared).
Differing cases are kept under --keep DIR/<n>/ with both outputs.
"""

import argparse
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

NAMES = ["app", "web", "db", "cache", "api"]
IMAGES = ["nginx", "redis:7", "registry.example.com/team/api:1.2", "busybox@sha256:" + "a" * 64]


def q(s):
    """A YAML double-quoted string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Gen:
    def __init__(self, rnd):
        self.r = rnd

    def pick(self, xs):
        return self.r.choice(xs)

    def maybe(self, p=0.5):
        return self.r.random() < p

    def labels(self, indent, base):
        out = f"{indent}app: {base}\n"
        if self.maybe(0.3):
            out += f"{indent}tier: {self.pick(['front', 'back'])}\n"
        return out

    def container(self, indent, name):
        img = self.pick(IMAGES)
        s = f"{indent}- name: {name}\n{indent}  image: {q(img)}\n"
        if self.maybe(0.5):
            s += f"{indent}  envFrom:\n{indent}  - configMapRef:\n{indent}      name: {self.pick(NAMES)}-cm\n"
            if self.maybe(0.3):
                s += f"{indent}  - secretRef:\n{indent}      name: {self.pick(NAMES)}-secret\n"
        if self.maybe(0.4):
            s += f"{indent}  env:\n{indent}  - name: MODE\n{indent}    value: {q(self.pick(['a', 'b', '1']))}\n"
            if self.maybe(0.4):
                s += (f"{indent}  - name: KEY\n{indent}    valueFrom:\n{indent}      configMapKeyRef:\n"
                      f"{indent}        name: {self.pick(NAMES)}-cm\n{indent}        key: k\n")
        if self.maybe(0.3):
            s += f"{indent}  ports:\n{indent}  - containerPort: {self.pick([80, 8080, 9090])}\n"
        return s

    def pod_spec(self, indent, base):
        s = f"{indent}containers:\n" + self.container(indent, "main")
        if self.maybe(0.3):
            s += self.container(indent, "side")
        if self.maybe(0.4):
            s += f"{indent}serviceAccountName: {self.pick(NAMES)}-sa\n"
        if self.maybe(0.4):
            s += f"{indent}volumes:\n{indent}- name: cfg\n{indent}  configMap:\n{indent}    name: {self.pick(NAMES)}-cm\n"
            if self.maybe(0.4):
                s += f"{indent}- name: sec\n{indent}  secret:\n{indent}    secretName: {self.pick(NAMES)}-secret\n"
        return s

    def resource(self, kind, name):
        meta = f"metadata:\n  name: {name}\n"
        if self.maybe(0.2):
            meta += f"  namespace: {self.pick(['default', 'team-a'])}\n"
        if self.maybe(0.3):
            meta += "  labels:\n" + self.labels("    ", name)
        if self.maybe(0.2):
            meta += "  annotations:\n    note: " + q(self.pick(["x", "y: z", "1"])) + "\n"
        base = name.split("-")[0]
        if kind == "Deployment":
            sel = self.labels("      ", base)
            return (f"apiVersion: apps/v1\nkind: Deployment\n{meta}spec:\n"
                    f"  replicas: {self.pick([1, 2, 3])}\n  selector:\n    matchLabels:\n{sel}"
                    f"  template:\n    metadata:\n      labels:\n{self.labels('        ', base)}"
                    f"    spec:\n{self.pod_spec('      ', base)}")
        if kind == "StatefulSet":
            return (f"apiVersion: apps/v1\nkind: StatefulSet\n{meta}spec:\n  serviceName: {base}\n"
                    f"  selector:\n    matchLabels:\n{self.labels('      ', base)}"
                    f"  template:\n    metadata:\n      labels:\n{self.labels('        ', base)}"
                    f"    spec:\n{self.pod_spec('      ', base)}"
                    f"  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n"
                    f"      accessModes: [ReadWriteOnce]\n      resources:\n        requests:\n"
                    f"          storage: 1Gi\n")
        if kind == "CronJob":
            return (f"apiVersion: batch/v1\nkind: CronJob\n{meta}spec:\n  schedule: \"*/5 * * * *\"\n"
                    f"  jobTemplate:\n    spec:\n      template:\n        spec:\n"
                    f"{self.pod_spec('          ', base)}          restartPolicy: Never\n")
        if kind == "Service":
            return (f"apiVersion: v1\nkind: Service\n{meta}spec:\n  selector:\n{self.labels('    ', base)}"
                    f"  ports:\n  - port: 80\n    targetPort: {self.pick([80, 8080])}\n")
        if kind == "ConfigMap":
            return f"apiVersion: v1\nkind: ConfigMap\n{meta}data:\n  k: {q(self.pick(['v', '1', 'true']))}\n"
        if kind == "Secret":
            return f"apiVersion: v1\nkind: Secret\n{meta}type: Opaque\nstringData:\n  password: {q('p' + name)}\n"
        if kind == "ServiceAccount":
            return f"apiVersion: v1\nkind: ServiceAccount\n{meta}"
        if kind == "RoleBinding":
            return (f"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n{meta}"
                    f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {base}-role\n"
                    f"subjects:\n- kind: ServiceAccount\n  name: {self.pick(NAMES)}-sa\n")
        if kind == "Role":
            return (f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n{meta}"
                    f"rules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  resourceNames: [{base}-cm]\n"
                    f"  verbs: [get]\n")
        if kind == "Ingress":
            return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\n{meta}spec:\n  rules:\n"
                    f"  - host: {base}.example.com\n    http:\n      paths:\n      - path: /\n"
                    f"        pathType: Prefix\n        backend:\n          service:\n"
                    f"            name: {self.pick(NAMES)}\n            port:\n              number: 80\n")
        if kind == "HorizontalPodAutoscaler":
            return (f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n{meta}spec:\n"
                    f"  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: {base}\n"
                    f"  minReplicas: 1\n  maxReplicas: 3\n")
        if kind == "PersistentVolumeClaim":
            return (f"apiVersion: v1\nkind: PersistentVolumeClaim\n{meta}spec:\n  accessModes: [ReadWriteOnce]\n"
                    f"  resources:\n    requests:\n      storage: 1Gi\n")
        if kind == "ClusterRole":
            return (f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {name}\n"
                    f"rules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  resourceNames: [{base}-secret]\n"
                    f"  verbs: [get]\n")
        if kind == "ClusterRoleBinding":
            return (f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
                    f"  name: {name}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n"
                    f"  name: {base}-cr\nsubjects:\n- kind: ServiceAccount\n  name: {self.pick(NAMES)}-sa\n"
                    f"  namespace: {self.pick(['default', 'team-a'])}\n")
        if kind == "Namespace":
            return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
        return (f"apiVersion: example.com/v1\nkind: Widget\n{meta}spec:\n  size: {self.pick([1, 2])}\n"
                f"  ref: {self.pick(NAMES)}-cm\n")

    KINDS = [("ClusterRoleBinding", "-crb"), ("ClusterRole", "-cr"), ("Deployment", ""), ("Service", ""), ("ConfigMap", "-cm"), ("Secret", "-secret"),
             ("ServiceAccount", "-sa"), ("RoleBinding", "-rb"), ("Role", "-role"), ("Ingress", ""),
             ("HorizontalPodAutoscaler", ""), ("StatefulSet", "-ss"), ("CronJob", "-job"),
             ("PersistentVolumeClaim", "-pvc"), ("Namespace", "-ns"), ("Widget", "")]

    def base(self):
        docs, seen = [], set()
        for _ in range(self.r.randint(1, 7)):
            kind, suffix = self.pick(self.KINDS)
            name = self.pick(NAMES) + suffix
            if (kind, name) in seen:
                continue
            seen.add((kind, name))
            docs.append(self.resource(kind, name))
        return docs, seen

    def smp_patch(self, kind, name):
        api = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Service": "v1", "ConfigMap": "v1"}[kind]
        s = f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n"
        if kind in ("Deployment", "StatefulSet"):
            s += "spec:\n"
            if self.maybe(0.5):
                s += f"  replicas: {self.pick([4, 5])}\n"
            s += "  template:\n    spec:\n      containers:\n"
            c = self.pick(["main", "side", "extra"])
            s += f"      - name: {c}\n"
            if self.maybe(0.2):
                s += "        $patch: delete\n"
            else:
                s += f"        image: {q(self.pick(IMAGES))}\n"
                if self.maybe(0.5):
                    s += "        env:\n        - name: MODE\n          value: patched\n"
                if self.maybe(0.3):
                    s += "        resources:\n          limits: {cpu: 100m}\n"
        elif kind == "Service":
            s += "spec:\n  ports:\n  - port: 80\n    targetPort: 9999\n"
        else:
            s += f"data:\n  extra: {q(self.pick(['1', 'x']))}\n"
            if self.maybe(0.2):
                s += "  k: null\n"
        return s

    def overlay(self, seen):
        k = "resources:\n- ../base\n"
        files = {}
        if self.maybe(0.5):
            k += f"namePrefix: {self.pick(['p-', 'prod-', 'x'])}\n"
        if self.maybe(0.3):
            k += f"nameSuffix: {self.pick(['-s', '-v2'])}\n"
        if self.maybe(0.4):
            k += f"namespace: {self.pick(['prod', 'team-a', 'default'])}\n"
        if self.maybe(0.3):
            k += "commonLabels:\n  env: prod\n"
        elif self.maybe(0.4):
            k += ("labels:\n- pairs:\n    env: prod\n    team: t1\n"
                  f"  includeSelectors: {self.pick(['true', 'false'])}\n")
            # includeTemplates on a StatefulSet: kustomize v5.7.1 labels its
            # volumeClaimTemplates, the corpus's newer kustomize (and hydrate)
            # only with includeVolumeClaimTemplates (docs/kustomize.md)
            if self.maybe(0.5) and not any(kd == "StatefulSet" for (kd, _) in seen):
                k += "  includeTemplates: true\n"
        if self.maybe(0.3):
            k += "commonAnnotations:\n  owner: " + q(self.pick(["me", "a: b", "100"])) + "\n"
        if self.maybe(0.3):
            k += "images:\n- name: nginx\n"
            k += self.pick(["  newTag: \"1.25\"\n", "  newName: mirror/nginx\n",
                            "  newName: mirror/nginx\n  newTag: v2\n", "  digest: sha256:" + "b" * 64 + "\n"])
        deps = sorted(n for (kd, n) in seen if kd == "Deployment")
        if deps and self.maybe(0.3):
            k += f"replicas:\n- name: {self.pick(deps)}\n  count: {self.pick([0, 7])}\n"
        patchable = sorted((kd, n) for (kd, n) in seen if kd in ("Deployment", "StatefulSet", "Service", "ConfigMap"))
        if patchable and self.maybe(0.5):
            pk, pn = self.pick(patchable)
            files["patch.yaml"] = self.smp_patch(pk, pn)
            if self.maybe(0.5):
                k += "patches:\n- path: patch.yaml\n"
            else:
                k += "patchesStrategicMerge:\n- patch.yaml\n"
        if patchable and self.maybe(0.3):
            pk, pn = self.pick(patchable)
            api = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Service": "v1", "ConfigMap": "v1"}[pk]
            op = self.pick([
                "- op: add\n  path: /metadata/labels\n  value:\n    added: \"yes\"\n",
                "- op: replace\n  path: /metadata/name\n  value: renamed\n",
                "- op: add\n  path: /metadata/annotations\n  value: {a: b}\n",
                "- op: remove\n  path: /metadata/labels\n",
            ])
            files["json.yaml"] = op
            k += (f"patches:\n- path: json.yaml\n  target:\n    kind: {pk}\n    name: {pn}\n"
                  if "patches:" not in k else
                  f"- path: json.yaml\n  target:\n    kind: {pk}\n    name: {pn}\n")
            del api
        if self.maybe(0.5):
            gname = self.pick(NAMES) + "-cm"
            k += f"configMapGenerator:\n- name: {gname}\n  literals:\n  - A={self.pick(['1', 'x', 'yes'])}\n"
            if ("ConfigMap", gname) in seen and self.maybe(0.5):
                k += f"  behavior: {self.pick(['merge', 'replace'])}\n"
        if self.maybe(0.3):
            k += f"secretGenerator:\n- name: {self.pick(NAMES)}-secret\n  literals:\n  - pw=s3cret\n"
            if self.maybe(0.3):
                k += "  type: Opaque\n"
        if self.maybe(0.2):
            k += "generatorOptions:\n  disableNameSuffixHash: true\n"
        deps = sorted(n for (kd, n) in seen if kd == "Deployment")
        cms = sorted(n for (kd, n) in seen if kd == "ConfigMap")
        if self.maybe(0.15):
            k += self.pick(["sortOptions:\n  order: fifo\n",
                            "sortOptions:\n  order: legacy\n  legacySortOptions:\n"
                            "    orderFirst: [Service, ConfigMap]\n    orderLast: [Deployment]\n"])
        if self.maybe(0.1):
            k += "buildMetadata: [" + self.pick(["originAnnotations", "transformerAnnotations",
                                                 "originAnnotations, transformerAnnotations",
                                                 "managedByLabel"]) + "]\n"
        svcs = sorted(n for (kd, n) in seen if kd == "Service")
        if deps and svcs and self.maybe(0.2):
            k += (f"vars:\n- name: SVC\n  objref:\n    kind: Service\n    name: {self.pick(svcs)}\n"
                  f"    apiVersion: v1\n  fieldref:\n    fieldpath: metadata.name\n")
            files["uses-var.yaml"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: uses-var\n"
                                      "data:\n  svc: $(SVC)\n")
            k = k.replace("resources:\n- ../base\n", "resources:\n- ../base\n- uses-var.yaml\n", 1)
        if deps and cms and self.maybe(0.25):
            k += (f"replacements:\n- source:\n    kind: ConfigMap\n    name: {self.pick(cms)}\n"
                  f"    fieldPath: metadata.name\n  targets:\n  - select:\n      kind: Deployment\n"
                  f"    fieldPaths:\n    - {self.pick(['metadata.annotations.cm', 'spec.template.spec.containers.0.name', 'spec.template.metadata.labels.cm'])}\n")
            if self.maybe(0.5):
                k += "    options:\n      create: true\n"
        if self.maybe(0.2) and "patches:" not in k:
            k += ("patches:\n- target:\n    kind: Deployment\n  patch: |-\n"
                  "    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n"
                  "    spec:\n      template:\n        spec:\n          tolerations:\n"
                  "          - key: k\n            operator: Exists\n")
        return k, files


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout, p.stderr


def message(err, prefix):
    text = err.decode("utf-8", "replace").strip()
    lines = [ln for ln in text.split("\n") if not ln.startswith("# Warning")]
    text = "\n".join(lines)
    text = text[len(prefix):] if text.startswith(prefix) else text
    # kustomize prints a Go pointer there ("merging from generator &{0xc000... <nil>}: ",
    # the second field a pointer too when origins are kept);
    # hydrate leaves it out
    return re.sub(r"&\{0x[0-9a-f]+ (<nil>|0x[0-9a-f]+)\}", "", text).replace("generator : ", "generator: ")


def one_case(args, i, rnd_seed, work):
    g = Gen(random.Random(rnd_seed))
    d = os.path.join(work, f"c{i}")
    os.makedirs(os.path.join(d, "base"))
    os.makedirs(os.path.join(d, "overlay"))
    docs, seen = g.base()
    with open(os.path.join(d, "base", "resources.yaml"), "w") as f:
        f.write("---\n".join(docs))
    bk = "resources:\n- resources.yaml\n"
    if g.maybe(0.3):
        # a generated ConfigMap in the base, for the overlay to merge into
        gname = g.pick(NAMES) + "-cm"
        if ("ConfigMap", gname) not in seen:
            bk += f"configMapGenerator:\n- name: {gname}\n  literals:\n  - B=base\n"
            seen.add(("ConfigMap", gname))
    with open(os.path.join(d, "base", "kustomization.yaml"), "w") as f:
        f.write(bk)
    k, files = g.overlay(seen)
    with open(os.path.join(d, "overlay", "kustomization.yaml"), "w") as f:
        f.write(k)
    for name, text in files.items():
        with open(os.path.join(d, "overlay", name), "w") as f:
            f.write(text)
    if g.maybe(0.25):
        # a component the overlay takes in
        os.makedirs(os.path.join(d, "comp"))
        ck = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        ck += g.pick(["commonAnnotations:\n  comp: \"on\"\n",
                      "labels:\n- pairs:\n    feature: x\n",
                      "configMapGenerator:\n- name: comp-cm\n  literals:\n  - C=1\n",
                      "namePrefix: c-\n"])
        with open(os.path.join(d, "comp", "kustomization.yaml"), "w") as f:
            f.write(ck)
        with open(os.path.join(d, "overlay", "kustomization.yaml"), "a") as f:
            f.write("components:\n- ../comp\n")
    top = "overlay"
    if g.maybe(0.35):
        # an overlay of the overlay (base -> staging -> prod), its own names
        # and patches over the first's
        os.makedirs(os.path.join(d, "top"))
        k2, files2 = g.overlay(seen)
        with open(os.path.join(d, "top", "kustomization.yaml"), "w") as f:
            f.write(k2.replace("- ../base\n", "- ../overlay\n", 1))
        for name, text in files2.items():
            with open(os.path.join(d, "top", name), "w") as f:
                f.write(text)
        top = "top"
    kr, ko, ke = run([args.kubectl, "kustomize", top], cwd=d)
    hr, ho, he = run([args.hydrate, "kustomize", top], cwd=d)
    if kr == 0 and hr == 0:
        same = ko == ho
    elif kr != 0 and hr != 0:
        same = message(ke, "error: ") == message(he, "Error: ")
    else:
        same = False
    if not same:
        for name, data in (("kubectl.out", ko), ("kubectl.err", ke), ("hydrate.out", ho),
                           ("hydrate.err", he)):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    else:
        shutil.rmtree(d)
    return i, same, kr == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubectl", required=True)
    ap.add_argument("--hydrate", default="build/hydrate")
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep")
    a = ap.parse_args()
    a.hydrate = os.path.abspath(a.hydrate)
    work = a.keep or tempfile.mkdtemp(prefix="hydrate-kfuzz-")
    os.makedirs(work, exist_ok=True)
    rnd = random.Random(a.seed)
    seeds = [rnd.getrandbits(64) for _ in range(a.cases)]
    diffs, ok_builds = [], 0
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for i, same, built in ex.map(lambda t: one_case(a, t[0], t[1], work), enumerate(seeds)):
            ok_builds += built
            if not same:
                diffs.append(i)
    print(f"{a.cases} cases ({ok_builds} built by kubectl, {a.cases - ok_builds} errors), "
          f"{len(diffs)} differences" + (f": kept under {work}: {diffs[:20]}" if diffs else ""))
    if not a.keep and not diffs:
        shutil.rmtree(work)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
