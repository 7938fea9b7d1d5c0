"""Whole-process timing for hydrate's benchmarks: wall time and peak RSS of
one child process, measured with os.wait4 (its own rusage, not the shell's).
Run by hand; never by make test. Ratios matter, not absolute times: each
reference run and hydrate run alternate, so both see the same machine load."""
import os
import statistics
import subprocess
import time


def run_once(argv, cwd=None, env=None, stdin_path=None):
    """Runs argv once; returns (seconds, peak_rss_kib, exit_status, stdout_bytes)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=stdin,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.read()
    p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    if stdin_path:
        stdin.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    return dt, ru.ru_maxrss, p.returncode, out


def measure(argv_a, argv_b, runs, cwd=None, env_a=None, env_b=None):
    """Alternates A and B `runs` times; returns medians
    (time_a, rss_a, time_b, rss_b) and whether each side's output was
    stable and successful."""
    ta, ra, tb, rb = [], [], [], []
    ok_a = ok_b = True
    for _ in range(runs):
        t, r, s, _ = run_once(argv_a, cwd, env_a)
        ta.append(t); ra.append(r); ok_a &= s == 0
        t, r, s, _ = run_once(argv_b, cwd, env_b)
        tb.append(t); rb.append(r); ok_b &= s == 0
    return (statistics.median(ta), statistics.median(ra),
            statistics.median(tb), statistics.median(rb), ok_a, ok_b)


def fmt_ms(s):
    return f"{s * 1000:9.1f}"


def fmt_mib(kib):
    return f"{kib / 1024:8.1f}"
