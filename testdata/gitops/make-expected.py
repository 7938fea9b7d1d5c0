#!/usr/bin/env python3
"""Builds testdata/gitops/<case>/expected/ (the tree `hydrate render` must
write) from the reference tools' output committed in <case>/reference/, with
code independent of hydrate's: each reference stream is cut at its `---`
lines, each document named <kind>-<name>.yaml as docs/hydrate-yaml.md says,
and the provenance file written with the digest computed as the docs define
it (sha256 over framed inputs: 8-byte big-endian name length, name, 8-byte
length, data; a directory as each file below it in name order, named
"label/relpath").

The reference streams were made with (HOME=$(mktemp -d)):
  helm template web charts/web --namespace web -f values/common-dev.yaml \
      -f values/web-dev.yaml --set image.tag=1.0        > reference/web-dev.yaml
  (the same with --set image.tag=dev-local)            > reference/web-dev-local.yaml
  helm template web charts/web --namespace web -f values/web-prod.yaml \
      --set image.tag=1.0 --set replicaCount=3          > reference/web-prod.yaml
  kubectl kustomize overlays/api/dev                    > reference/api-dev.yaml
  kubectl kustomize overlays/api/prod                   > reference/api-prod.yaml

usage: make-expected.py CASEDIR   (rewrites CASEDIR/expected and expected-local)
"""
import hashlib
import json
import os
import re
import shutil
import struct
import sys

VERSION = "0.1.0"


def docs(stream):
    out, cur = [], []
    for line in stream.splitlines(keepends=True):
        if line.rstrip("\n") == "---":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(line)
    out.append("".join(cur))
    kept = []
    for d in out:
        body = [l for l in d.splitlines() if l.strip() and not l.startswith("#")]
        if body:
            kept.append(d if d.endswith("\n") else d + "\n")
    return kept


def filename(doc):
    kind = re.search(r"^kind: (\S+)$", doc, re.M).group(1)
    meta = re.search(r"^metadata:\n((?:  .*\n)+)", doc, re.M).group(1)
    name = re.search(r"^  name: (\S+)$", meta, re.M).group(1)
    base = (kind + "-" + name).lower()
    return re.sub(r"[^a-z0-9._-]", "_", base) + ".yaml"


class Digest:
    def __init__(self):
        self.h = hashlib.sha256()

    def add(self, name, data):
        if isinstance(data, str):
            data = data.encode()
        n = name.encode()
        self.h.update(struct.pack(">Q", len(n)) + n + struct.pack(">Q", len(data)) + data)

    def path(self, label, path):
        if os.path.isdir(path):
            for e in sorted(os.listdir(path)):
                if e != ".git":
                    self.path(label + "/" + e, os.path.join(path, e))
        else:
            with open(path, "rb") as f:
                self.add(label, f.read())

    def final(self):
        return "sha256:" + self.h.hexdigest()


def job(case, out, app, env, ref, path, source, values, sets, ns, release, envfile=None,
        extra=()):
    root = os.path.join(out, path)
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(case, "reference", ref)) as f:
        for d in docs(f.read()):
            with open(os.path.join(root, filename(d)), "w") as g:
                g.write(d)
    dg = Digest()
    dg.path("hydrate.yaml", os.path.join(case, "hydrate.yaml"))
    dg.path(source, os.path.join(case, source))
    for e in extra:
        dg.path("input:" + e, os.path.join(case, e))
    for v in values:
        dg.path("values:" + v, os.path.join(case, v))
    for s in sets:
        dg.add("set", s)
    dg.add("releaseName", release)
    if ns is not None:
        dg.add("namespace", ns)
    dg.add("path", path)
    if envfile:
        dg.path("envFile", os.path.join(case, envfile))
    prov = {
        "app": app,
        "environment": env,
        "hydrateVersion": VERSION,
        "inputsDigest": dg.final(),
        "source": {"commit": None, "repository": None},
    }
    os.makedirs(os.path.join(root, ".hydrate"), exist_ok=True)
    with open(os.path.join(root, ".hydrate", "provenance.json"), "w") as g:
        g.write(json.dumps(prov, indent=2, sort_keys=True) + "\n")


def basic(case):
    for local in (False, True):
        out = os.path.join(case, "expected-local" if local else "expected")
        shutil.rmtree(out, ignore_errors=True)
        tag = "dev-local" if local else "1.0"
        env_file = "dev.env" if local else None
        job(case, out, "web", "dev", "web-dev-local.yaml" if local else "web-dev.yaml",
            "clusters/dev/web", "charts/web",
            ["values/common-dev.yaml", "values/web-dev.yaml"], ["image.tag=" + tag],
            "web", "web", env_file)
        job(case, out, "web", "prod", "web-prod.yaml", "clusters/prod/web", "charts/web",
            ["values/web-prod.yaml"], ["image.tag=1.0", "replicaCount=3"], "web", "web")
        job(case, out, "api", "dev", "api-dev.yaml", "clusters/dev/api", "overlays/api/dev",
            [], [], None, "api", env_file, extra=["overlays/api/base"])
        job(case, out, "api", "prod", "api-prod.yaml", "clusters/prod/api", "overlays/api/prod",
            [], [], None, "api", extra=["overlays/api/base"])


if __name__ == "__main__":
    basic(sys.argv[1])
