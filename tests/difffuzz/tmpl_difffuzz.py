#!/usr/bin/env python3
"""Differential fuzzer: hydrate's template engine + Sprig against helm.

    tests/difffuzz/tmpl_difffuzz.py --helm /work/reftools/helm \
        --runner build/tests/golden_sprig --cases N --seed S [--batch 200] [--keep DIR]

Run by hand, never by the tests. Each batch of random cases (tmpl_gen.py)
becomes case directories the golden runner understands (tests/golden/sprig.c:
template, values.json, expected.out / expected.err); the expected files come
from the official helm binary:

  1. the runner first runs every case against a dummy expectation, which only
     predicts which cases fail (a cheap filter: it decides the cost, never the
     verdict);
  2. the predicted-good cases go into ONE chart, templates/_cN.tpl plus
     templates/oN.yaml = `# {{ include "x/templates/_cN.tpl" . | b64enc }}`,
     rendered by one helm run; when helm fails, the case its error names is
     taken out and the chart rendered again;
  3. every case that fails (or was predicted to) is rendered alone, directly
     as templates/case.yaml, to capture helm's error text, as
     tests/golden/gen-sprig-cases.sh does; if that succeeds after all, it is
     rendered alone through include.

Then the runner runs the real comparison. Differences are grouped by the tag
of the first statement whose output differs (statements are separated by
marker lines) and by the kind of difference; the smallest examples of each
group are shrunk (to the one statement, values cut to the keys it names,
expectations made again with helm, the difference checked to remain) and
kept under --keep DIR/<group>/<case>/, with DIR/report.md.
"""

import argparse
import base64
import collections
import concurrent.futures
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tmpl_gen  # noqa: E402

CHART_YAML = "apiVersion: v2\nname: x\nversion: 0.1.0\n"
HELM_TIMEOUT = 30
RUNNER_TIMEOUT = 60


class Helm:
    def __init__(self, helm, work):
        self.helm = helm
        self.work = work
        self.home = os.path.join(work, "home")
        os.makedirs(self.home, exist_ok=True)
        self.runs = 0
        self.seconds = 0.0

    def run(self, chart, values_path):
        env = dict(os.environ, HOME=self.home)
        t = time.time()
        try:
            p = subprocess.run([self.helm, "template", "x", chart, "-f", values_path],
                               capture_output=True, env=env, timeout=HELM_TIMEOUT)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            rc, out, err = -1, b"", b"helm timed out"
        self.runs += 1
        self.seconds += time.time() - t
        return rc, out, err

    @staticmethod
    def new_chart(path):
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(os.path.join(path, "templates"))
        with open(os.path.join(path, "Chart.yaml"), "w") as f:
            f.write(CHART_YAML)

    def batch(self, cases, values_text, slot, last=None):
        """Renders cases {id: text} in one chart; returns ({id: bytes}, failed_id or None, stderr).
        Helm executes a chart's templates in reverse lexical order of their
        names, sharing one .Values: case `last` (one that may change .Values)
        is named oN.yaml so it runs after all others, named pN.yaml."""
        chart = os.path.join(self.work, "chart-%s" % slot)
        self.new_chart(chart)
        vpath = os.path.join(self.work, "values-%s.yaml" % slot)
        with open(vpath, "w") as f:
            f.write(values_text)
        for cid, text in cases.items():
            with open(os.path.join(chart, "templates", "_c%d.tpl" % cid), "wb") as f:
                f.write(text.encode())
            with open(os.path.join(chart, "templates", "%s%d.yaml" % ("o" if cid == last else "p", cid)),
                      "w") as f:
                f.write('# {{ include "x/templates/_c%d.tpl" . | b64enc }}\n' % cid)
        rc, out, err = self.run(chart, vpath)
        if rc != 0:
            m = re.search(rb"x/templates/(?:_c|o|p)(\d+)\.", err)
            return None, (int(m.group(1)) if m else None), err
        res = {}
        lines = out.split(b"\n")
        for i, line in enumerate(lines):
            m = re.match(rb"# Source: x/templates/[op](\d+)\.yaml$", line)
            if m and i + 1 < len(lines) and lines[i + 1].startswith(b"# "):
                res[int(m.group(1))] = base64.b64decode(lines[i + 1][2:])
            elif m and i + 1 < len(lines) and lines[i + 1] == b"#":
                res[int(m.group(1))] = b""  # Helm trims the space after an empty comment
        return res, None, err

    def single(self, text, values_text, slot):
        """One case as gen-sprig-cases.sh does it: ('out', bytes) or ('err', bytes).
        Rendered directly first (the case is expected to fail); only if that
        succeeds, or fails in Helm's YAML parse, through include."""
        chart = os.path.join(self.work, "chart-%s" % slot)
        self.new_chart(chart)
        vpath = os.path.join(self.work, "values-%s.yaml" % slot)
        with open(vpath, "w") as f:
            f.write(values_text)
        with open(os.path.join(chart, "templates", "case.yaml"), "wb") as f:
            f.write(text.encode())
        rc, out, err = self.run(chart, vpath)
        if rc != 0 and b"YAML parse error" not in err and b"helm timed out" not in err:
            return "err", err
        res, bad, err2 = self.batch({0: text}, values_text, slot)
        if res is not None and 0 in res:
            return "out", res[0]
        return "weird", err + err2


def write_case(d, text, values_text, kind=None, data=None):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "template"), "wb") as f:
        f.write(text.encode())
    with open(os.path.join(d, "values.json"), "w") as f:
        f.write(values_text)
    for n in ("expected.out", "expected.err"):
        if os.path.exists(os.path.join(d, n)):
            os.unlink(os.path.join(d, n))
    if kind is not None:
        with open(os.path.join(d, "expected." + kind), "wb") as f:
            f.write(data)


def run_runner(runner, root, timeout=RUNNER_TIMEOUT):
    """{case: failure text} for every failing case; None on a crash or hang.

    root is a batch directory of case directories (or one case directory).
    The runner reads SUITE/<family>/<case>/ and prints a failure's details
    (indented) before its "FAIL <family>/<case>" line, so root becomes family
    "f" of a suite of its own (symbolic links)."""
    root = os.path.abspath(root.rstrip("/"))
    suite = root + ".suite"
    shutil.rmtree(suite, ignore_errors=True)
    os.makedirs(suite)
    if os.path.exists(os.path.join(root, "template")):
        os.makedirs(os.path.join(suite, "f"))
        os.symlink(root, os.path.join(suite, "f", os.path.basename(root)))
    else:
        os.symlink(root, os.path.join(suite, "f"))
    try:
        p = subprocess.run([runner, suite], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    finally:
        shutil.rmtree(suite, ignore_errors=True)
    if p.returncode not in (0, 1):
        return None, "exit %d" % p.returncode
    fails = {}
    pending = []
    for line in p.stdout.decode("utf-8", "replace").split("\n"):
        m = re.match(r"FAIL f/(\S+)( \(known\))?$", line)
        if m:
            fails[m.group(1)] = "\n".join(pending) if pending else "failed"
            pending = []
        elif line.startswith("PASS ") or re.match(r"\d+ passed, \d+ failed$", line):
            pending = []
        elif line.strip():
            pending.append(line.strip())
    return fails, None


def run_runner_each(runner, root, names):
    """Case by case, for a batch that crashed or hung the runner."""
    fails, crashes = {}, {}
    tmp = tempfile.mkdtemp(dir=os.path.dirname(root))
    try:
        for n in names:
            one = os.path.join(tmp, "one")
            shutil.rmtree(one, ignore_errors=True)
            os.makedirs(one)
            shutil.copytree(os.path.join(root, n), os.path.join(one, n))
            f, why = run_runner(runner, one, 10)
            if f is None:
                crashes[n] = why
            elif n in f:
                fails[n] = f[n]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return fails, crashes


def stmt_at_line(text, line):
    """Index of the statement (between markers) holding 1-based line."""
    k = 0
    for i, l in enumerate(text.split("\n"), 1):
        m = re.match(r"@@(\d+)@@", l)
        if m:
            k = int(m.group(1))
        if i >= line:
            return k
    return k


def err_line(msg):
    m = re.search(r"case\.yaml:(\d+)", msg or "")
    return int(m.group(1)) if m else 1


def segments(b):
    return re.split(rb"@@\d+@@", b)


def classify(text, tags, want_kind, want, got_fail):
    """(group name, statement index) of one difference."""
    if got_fail.startswith("output differs"):
        kind = "output"
    elif got_fail.startswith("want error"):
        kind = "error-text" if "got:  (no error)" not in got_fail else "missing-error"
    elif got_fail.startswith("unexpected error"):
        kind = "unexpected-error"
    else:
        kind = "other"
    k = 0
    if kind == "output":
        got = got_fail  # the runner prints only the first differing line; recompute below
        k = None
    elif kind in ("error-text", "missing-error"):
        k = stmt_at_line(text, err_line(want.decode("utf-8", "replace")))
    elif kind == "unexpected-error":
        k = stmt_at_line(text, err_line(got_fail))
    return kind, k


def tag_group(tag, kind, detail=""):
    t = re.sub(r"[^A-Za-z0-9_.-]", "_", tag)
    return "%s--%s%s" % (t, kind, detail)


def first_diff_stmt(want, got_out):
    ws, gs = segments(want), segments(got_out)
    for i in range(max(len(ws), len(gs))):
        if i >= len(ws) or i >= len(gs) or ws[i] != gs[i]:
            return i
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--helm", required=True)
    ap.add_argument("--runner", required=True)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--keep", default=None)
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--wrong", type=float, default=0.15,
                    help="share of cases that may hold wrong argument kinds, arities and syntax")
    ap.add_argument("--max-errors", type=int, default=40,
                    help="predicted-error cases rendered alone per batch (one helm run each); the rest are skipped")
    ap.add_argument("--slow", type=float, default=5.0,
                    help="seconds after which the engine is too slow on one case")
    ap.add_argument("--examples", type=int, default=3, help="examples kept per group")
    ap.add_argument("--work", default=None, help="scratch directory (default: a new temp dir)")
    args = ap.parse_args()

    runner = os.path.abspath(args.runner)
    work = args.work or tempfile.mkdtemp(prefix="difffuzz-")
    os.makedirs(work, exist_ok=True)
    helm = Helm(os.path.abspath(args.helm), work)
    r = random.Random(args.seed)
    stats = collections.Counter()
    groups = collections.defaultdict(list)    # group -> [(len, case info)], the shortest
    gcount = collections.Counter()
    t0 = time.time()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    slots = collections.deque("s%d" % i for i in range(args.jobs * 2))

    def single_job(text, vtext):
        slot = slots.popleft()
        try:
            return helm.single(text, vtext, slot)
        finally:
            slots.append(slot)

    done = 0
    bno = 0
    while done < args.cases:
        n = min(args.batch, args.cases - done)
        bno += 1
        vals = tmpl_gen.gen_values(r)
        vtext = json.dumps(vals, ensure_ascii=False, indent=r.choice([None, 1]))
        cases = {}
        tags = {}
        for i in range(n):
            cid = done + i
            text, tg = tmpl_gen.gen_case(r, vals, cid, r.random() < args.wrong)
            cases[cid] = text
            tags[cid] = tg
        root = os.path.join(work, "b%d" % bno)
        shutil.rmtree(root, ignore_errors=True)
        for cid, text in cases.items():
            write_case(os.path.join(root, "c%d" % cid), text, vtext, "out", b"\x00dummy")
        t1 = time.time()
        pred, why = run_runner(runner, root)
        stats["runner_s"] += time.time() - t1
        slow = set()
        if time.time() - t1 > args.slow * 2:
            # something took long: time each case alone; the slow ones are a
            # difference of their own (helm renders them at once), not compared
            for c in cases:
                t2 = time.time()
                run_runner(runner, os.path.join(root, "c%d" % c), args.slow * 2)
                if time.time() - t2 > args.slow:
                    slow.add(c)
                    stats["slow"] += 1
                    g = tag_group(tags[c][0], "slow")
                    gcount[g] += 1
                    groups[g].append((len(cases[c]), c, cases[c], vtext, None, None, "slow: %.1f s" % (
                        time.time() - t2), 0, tags[c]))
                    groups[g].sort(key=lambda e: e[0])
        crashes = {}
        if pred is None:
            pred, crashes = run_runner_each(runner, root, ["c%d" % c for c in cases])
        predicted_err = {c for c in cases if pred.get("c%d" % c, "").startswith("unexpected error")}
        predicted_err |= {int(x[1:]) for x in crashes}
        predicted_err -= slow
        good = {c: t for c, t in cases.items() if c not in predicted_err and c not in slow}
        expected = {}
        pe = sorted(predicted_err)
        r.shuffle(pe)
        singles = set(pe[:args.max_errors])
        stats["skipped"] += len(pe[args.max_errors:])
        # at most one case that may change .Values per helm run, rendered last
        mut = [c for c in good if re.search(r"\b(%s)\b" % "|".join(tmpl_gen.MUTATORS), good[c])]
        last = mut[0] if mut else None
        for c in mut[1:]:
            singles.add(c)
            del good[c]
        todo = [good]
        while todo:
            part = todo.pop()
            while part:
                res, bad, err = helm.batch(part, vtext, "batch", last)
                if res is not None:
                    for c in part:
                        if c in res:
                            expected[c] = ("out", res[c])
                        else:
                            singles.add(c)
                    break
                if bad is None or bad not in part:
                    # helm's error names no case (a timeout, say): bisect
                    with open(os.path.join(work, "oddities.txt"), "ab") as f:
                        f.write(b"=== batch of %d failed without naming a case\n" % len(part) + err[:2000] + b"\n")
                    if len(part) == 1:
                        singles |= set(part)
                    else:
                        ks = sorted(part)
                        todo.append({c: part[c] for c in ks[:len(ks) // 2]})
                        todo.append({c: part[c] for c in ks[len(ks) // 2:]})
                    break
                singles.add(bad)
                del part[bad]
                stats["mispredicted_ok"] += 1
        futs = {c: pool.submit(single_job, cases[c], vtext) for c in singles}
        for c, fu in futs.items():
            kind, data = fu.result()
            if kind == "weird":
                stats["helm_weird"] += 1
                with open(os.path.join(work, "oddities.txt"), "ab") as f:
                    f.write(b"=== " + cases[c].encode() + b"\n" + data + b"\n")
                continue
            expected[c] = (kind, data)
        for c in cases:
            d = os.path.join(root, "c%d" % c)
            if c not in expected:
                shutil.rmtree(d)
                continue
            write_case(d, cases[c], vtext, *expected[c])
            stats["helm_" + expected[c][0]] += 1
        t1 = time.time()
        fails, why = run_runner(runner, root)
        stats["runner_s"] += time.time() - t1
        if fails is None:
            fails, crashes2 = run_runner_each(runner, root, ["c%d" % c for c in cases if c in expected])
            crashes.update(crashes2)
        for name, why2 in crashes.items():
            c = int(name[1:])
            fails[name] = "crash (%s)" % why2
        for name, msg in fails.items():
            c = int(name[1:])
            if c not in expected:
                continue
            kind, data = expected[c]
            text = cases[c]
            if msg.startswith("crash"):
                gkind, k = "crash", 0
            else:
                gkind, k = classify(text, tags[c], kind, data, msg)
            if k is None:
                # the runner shows the first differing line; find the statement
                # by the line number it reports
                m = re.search(r"first difference at line (\d+)", msg)
                line = int(m.group(1)) if m else 1
                outl = data.split(b"\n")
                seg = b"\n".join(outl[:line])
                k = len(re.findall(rb"@@\d+@@", seg))
            tg = tags[c][min(k, len(tags[c]) - 1)]
            g = tag_group(tg, gkind)
            stats["differ"] += 1
            gcount[g] += 1
            groups[g].append((len(text), c, text, vtext, kind, data, msg, k, tags[c]))
            groups[g].sort(key=lambda e: e[0])
            del groups[g][args.examples * 4:]
        stats["cases"] += len(cases)
        stats["compared"] += len(expected)
        shutil.rmtree(root, ignore_errors=True)
        done += n
        el = time.time() - t0
        print("[%6d/%d] %.0fs helm %d runs %.0fs, compared %d, differ %d, groups %d, helm errors %d, skipped %d, runner %.0fs" % (
            done, args.cases, el, helm.runs, helm.seconds, stats["compared"], stats["differ"], len(groups),
            stats["helm_err"], stats["skipped"], stats["runner_s"]), file=sys.stderr, flush=True)

    report = ["# difffuzz run: seed %d, %d cases" % (args.seed, stats["cases"]), "",
              "compared %d (helm output %d, helm error %d), differ %d, groups %d, helm runs %d (%.0f s); "
              "skipped %d predicted errors beyond --max-errors, %d helm oddities; %d mispredicted as good" % (
                  stats["compared"], stats["helm_out"], stats["helm_err"], stats["differ"], len(groups),
                  helm.runs, helm.seconds, stats["skipped"], stats["helm_weird"], stats["mispredicted_ok"]), ""]
    for g in sorted(groups):
        ex = groups[g]
        report.append("## %s (%d cases)" % (g, gcount[g]))
        e = ex[0]
        report.append("```\n%s\n```" % e[2])
        report.append("helm: %s %r" % (e[4], (e[5] or b"")[:300]))
        report.append("runner: %s" % e[6][:600])
        report.append("")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        for g, ex in groups.items():
            for (ln, c, text, vt, kind, data, msg, k, tg) in ex[:args.examples]:
                d = os.path.join(args.keep, g, "c%d" % c)
                if kind is None:
                    kind, data = helm.single(text, vt, "keep")
                write_case(d, text, vt, kind, data)
                with open(os.path.join(d, "runner.txt"), "w") as f:
                    f.write(msg + "\n")
        with open(os.path.join(args.keep, "report.md"), "w") as f:
            f.write("\n".join(report) + "\n")
    print("\n".join(report[:3]))
    for g in sorted(groups):
        print("%-45s %6d %s" % (g, gcount[g], groups[g][0][2].replace("\n", "\\n")[:150]))
    pool.shutdown()
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
