"""Whole-process timing for hydrate's benchmarks: wall time and peak RSS of
one child process. Each run goes through build/tests/runrss (tests/bench/
runrss.c), a small C launcher: Linux keeps a process's peak RSS across exec,
so a child forked from this Python process would report Python's own ~14 MiB
as its floor. Run by hand; never by make test. Ratios matter, not absolute
times: reference and hydrate runs alternate, so both see the same load."""
import os
import statistics
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUNRSS = os.environ.get("RUNRSS", os.path.join(HERE, "..", "..", "build", "tests", "runrss"))


def run_once(argv, cwd=None, env=None):
    """Runs argv once; returns (seconds, peak_rss_kib, exit_status, stdout_bytes)."""
    secs, rss, status, _, out = run_once_cpu(argv, cwd, env)
    return secs, rss, status, out


def run_once_cpu(argv, cwd=None, env=None):
    """Runs argv once; returns (seconds, peak_rss_kib, exit_status,
    cpu_seconds, stdout_bytes); cpu_seconds is user plus system time."""
    if not os.access(RUNRSS, os.X_OK):
        raise SystemExit(f"{RUNRSS}: build it first (cmake --build build --target runrss)")
    with tempfile.NamedTemporaryFile("r", prefix="runrss-") as res:
        p = subprocess.run([os.path.abspath(RUNRSS), res.name] + argv, cwd=cwd, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        secs, rss, status, cpu = res.read().split()
    return float(secs), int(rss), int(status), float(cpu), p.stdout


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


def measure_cpu(argv_a, argv_b, runs, cwd=None, env_a=None, env_b=None):
    """As measure, with the median CPU times too: returns (time_a, rss_a,
    cpu_a, time_b, rss_b, cpu_b, ok_a, ok_b)."""
    a, b = ([], [], []), ([], [], [])
    ok_a = ok_b = True
    for _ in range(runs):
        t, r, s, c, _ = run_once_cpu(argv_a, cwd, env_a)
        a[0].append(t); a[1].append(r); a[2].append(c); ok_a &= s == 0
        t, r, s, c, _ = run_once_cpu(argv_b, cwd, env_b)
        b[0].append(t); b[1].append(r); b[2].append(c); ok_b &= s == 0
    med = statistics.median
    return (med(a[0]), med(a[1]), med(a[2]), med(b[0]), med(b[1]), med(b[2]), ok_a, ok_b)


def fmt_ms(s):
    return f"{s * 1000:9.1f}"


def fmt_mib(kib):
    return f"{kib / 1024:8.1f}"
