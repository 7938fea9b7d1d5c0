#!/usr/bin/env python3
"""hydrate kustomize vs kubectl kustomize (kustomize v5.7.1), whole process,
on overlays made by ../shared/tools/gen-overlay.py.

    tests/bench/bench_kustomize.py --kubectl PATH/kubectl [--hydrate build/hydrate]
        [--sizes 500,1000,2000,4000] [--runs 3] [--hydrate-runs 11] [--no-patches]
        [--kubectl-max SIZE]

A size is the number of resources (gen-overlay.py's N is a quarter of it:
N Deployments, Services, ConfigMaps and ServiceAccounts). For each size it
prints the median time and peak RSS of each tool and the ratios, and whether
hydrate's output equals kubectl's ('!' when not: the figures then measure
unfinished work). kustomize grows quadratically here (about 1.3 s, 4.5 s,
20 s and 80 s on our 2-core machines), so above 2,000 it runs once.
Each size first runs kubectl (--runs times, or once), then hydrate
--hydrate-runs times in a row after one unmeasured run: alternating a
100-second process with a 0.1-second one equalises nothing, and the first
run after kubectl pays for memory the host took back meanwhile (a 4,000-
resource build measured 125 ms right after kubectl, 60-95 ms otherwise).
hydrate's time is the median of its runs, with the slowest printed too;
--kubectl-max skips kubectl above a size (hydrate's columns only, no output
check). "cpu ms" is hydrate's user + system CPU time (median of --runs
runs), which a busy machine inflates less than wall time; "ms/1k" is that per
1,000 resources: flat when hydrate grows linearly. Goal: linear growth and 4,000 resources in under 0.1 s.
Run by hand; kubectl comes from ../shared/tools/get-reference-tools.sh.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import fmt_mib, fmt_ms, run_once  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "..", "..", "shared", "tools", "gen-overlay.py")


def cpu_ms(argv, runs):
    """Median user + system CPU milliseconds of argv (through runrss, which
    waits for it, so it counts among this process's children)."""
    out = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run_once(argv)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubectl", required=True)
    ap.add_argument("--hydrate", default=os.path.join(HERE, "..", "..", "build", "hydrate"))
    ap.add_argument("--sizes", default="500,1000,2000,4000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--hydrate-runs", type=int, default=11)
    ap.add_argument("--gen", default=GEN)
    ap.add_argument("--no-patches", action="store_true")
    ap.add_argument("--kubectl-max", type=int, default=0,
                    help="run kubectl only up to this size (0: always)")
    a = ap.parse_args()
    kubectl = os.path.abspath(a.kubectl)
    hyd = os.path.abspath(a.hydrate)
    scratch = tempfile.mkdtemp(prefix="hydrate-kbench-")
    print(f"{'resources':>9} {'kustomize ms':>12} {'MiB':>7} {'hydrate ms':>10} {'MiB':>7}"
          f" {'time x':>7} {'mem x':>6} {'cpu ms':>7} {'ms/1k':>6}")
    for size in [int(s) for s in a.sizes.split(",")]:
        d = os.path.join(scratch, f"o{size}")
        gen = [sys.executable, a.gen] + (["--no-patches"] if a.no_patches else []) + [d, str(size // 4)]
        subprocess.run(gen, check=True)
        overlay = os.path.join(d, "overlay")
        cpu = cpu_ms([hyd, "kustomize", overlay], a.runs)
        cols = f"{cpu:7.1f} {cpu * 1000 / size:6.1f}"
        if a.kubectl_max and size > a.kubectl_max:
            ts, rs = [], []
            for _ in range(a.hydrate_runs):
                t, r, sh, _ = run_once([hyd, "kustomize", overlay])
                ts.append(t)
                rs.append(r)
            th, rh = sorted(ts)[len(ts) // 2], sorted(rs)[len(rs) // 2]
            mark = " " if sh == 0 else "!"
            print(f"{size:9d}{mark} {'-':>12} {'-':>7} {fmt_ms(th):>10} {fmt_mib(rh):>7}"
                  f" {'-':>7} {'-':>6} {cols}")
            continue
        runs = a.runs if size <= 2000 else 1
        tks, rks, want = [], [], None
        for _ in range(runs):
            t, r, sk, want = run_once([kubectl, "kustomize", overlay])
            tks.append(t)
            rks.append(r)
        tk, rk = statistics.median(tks), statistics.median(rks)
        run_once([hyd, "kustomize", overlay])   # unmeasured
        ths, rhs, got, sh = [], [], None, 0
        for _ in range(a.hydrate_runs):
            t, r, sh, got = run_once([hyd, "kustomize", overlay])
            ths.append(t)
            rhs.append(r)
        th, rh = statistics.median(ths), statistics.median(rhs)
        mark = " " if sh == 0 and got == want else "!"
        print(f"{size:9d}{mark} {fmt_ms(tk):>12} {fmt_mib(rk):>7} {fmt_ms(th):>10} {fmt_mib(rh):>7}"
              f" {tk / th:7.1f} {rk / rh:6.1f} {cols}  (hydrate slowest {max(ths) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
