"""Side-by-side check of lrjit's performance goals, as ratios from one process.

Usage (from the repository root)::

    python -m benchmarks.compare              # goals, 7 interleaved repetitions
    python -m benchmarks.compare --repeat 15  # steadier on a busy machine
    python -m benchmarks.compare --all        # also every family's table vs NumPy
    python -m benchmarks.compare --family tanh --only loop --only tables   # some families
    python -m benchmarks.compare --quick      # n = 10**6 and 3 repetitions: a smoke run
    python -m benchmarks.compare --only tables --repeat 15   # one section: loop, tables, peers, startup
    python -m benchmarks.compare --only peers    # lrjit vs NumPy, optax (jax.jit), torch, a fill
    python -m benchmarks.compare --only powers   # tables of configurations with a power

Every contender of a comparison is compiled first, then the contenders run in
turn, ``--repeat`` times, and each keeps its fastest time (the minimum is the
estimate least disturbed by other processes).  Start-up figures come from
fresh interpreters (median, since a process start is noisier than a loop).
It prints a markdown table with PASS or MISS per goal and always exits 0:
the figures are for reading, not for gating CI.  The load average is printed
before and after: a parallel ratio means little while other processes hold
the cores.

Goals (issue 2):

* kernel in a user's njit loop <= 1.05x the hand-inlined formula; ``lr_at`` <= 1.15x
* cosine ``table(10**7)``: parallel >= 1.7x serial, and >= 2x the NumPy closed form
* ``import lrjit`` <= 0.15 s over ``import numba``
* first ``s.table(1000)`` in a fresh process with a warm cache <= 0.3 s

Goals (issue 13): cosine ``table(10**7)`` >= 2.5x faster than optax under
``jax.jit``, <= 2.5x a plain memory fill, and serial >= 3x faster than the
serial table with libm's ``cos`` (the same row with ``libm_cos = 1``: the
table before issue 13) (the ``peers`` section, :mod:`benchmarks.bench_peers`).
"""

import argparse
import os
import platform
import statistics
import sys
import time

import numba
import numpy as np

import lrjit
from family_records import RECORDS, build, table

from . import bench_loop, bench_peers, bench_startup


def fastest(contenders, repeat):
    """``{name: min seconds}`` over ``repeat`` interleaved rounds of zero-argument calls.

    Each round starts one contender later, so none always follows the same one.
    A contender's time depends on the one before it: right after torch's Python
    loop, the first touch of a fresh 80 MB table often costs the kernel 0.07-0.11 s
    of system time (the same 625 page faults, slower), 5x a cosine table's own time.
    """
    for call in contenders.values():
        call()  # compile, load from cache, touch memory
    names = list(contenders)
    best = dict.fromkeys(names, float("inf"))
    for round_ in range(repeat):
        k = round_ % len(names)
        for name in names[k:] + names[:k]:
            start = time.perf_counter()
            contenders[name]()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def ms(seconds):
    return f"{seconds * 1e3:.1f} ms"


def size(n):
    """``10**7`` for a power of ten, else the number."""
    e = len(str(n)) - 1
    return f"10**{e}" if n == 10**e else str(n)


def load():
    try:
        return "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())
    except OSError:
        return "unknown"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def loop_rows(n, repeat, families=bench_loop.FAMILIES):
    """Kernel and ``lr_at`` against the hand-inlined formula, per family."""
    rows = []
    for family in families:
        ways = bench_loop.WAYS + (("lr_at_join",) if family == "warmup_cosine" else ())
        bench_loop.check_same_sum(family, ways)
        calls = {}
        for way in ways:
            loop, args = bench_loop.loop_args(family, way, n)
            calls[way] = lambda loop=loop, args=args: loop(*args)
        t = fastest(calls, repeat)
        base = t["inlined"]
        for way, label, goal in (
            ("kernel", f"{family}: kernel / inlined", 1.05),
            ("lr_at", f"{family}: lr_at / inlined", 1.15),
            ("lr_at_join", "join (same bits as warmup_cosine): lr_at / inlined", 1.15),
        ):
            if way in t:
                rows.append((label, t[way] / base, "<=", goal, f"{ms(t[way])} / {ms(base)}"))
    return rows


def combinator_rows(n, repeat):
    """A product and a warmed schedule through ``lr_at``, against their pieces by hand."""
    rows = []
    for name, (composite, by_hand) in bench_loop.combinator_loops(n).items():
        a, b = composite[0](*composite[1]), by_hand[0](*by_hand[1])
        if abs(a - b) > 1e-9 * abs(b):
            raise AssertionError(f"{name}: the two loops disagree: {a} != {b}")
        t = fastest(
            {
                "composite": lambda c=composite: c[0](*c[1]),
                "by_hand": lambda h=by_hand: h[0](*h[1]),
            },
            repeat,
        )
        ratio = t["composite"] / t["by_hand"]
        rows.append((f"{name}: lr_at / pieces by hand", ratio, "<=", 1.10,
                     f"{ms(t['composite'])} / {ms(t['by_hand'])}"))
    return rows


def table_rows(n, repeat, families):
    """Parallel table against the serial one and NumPy's closed form, per family."""
    rows = []
    for family in families:
        s = build(family, n)
        t = fastest(
            {
                "serial": lambda: s.table(n, parallel=False),
                "parallel": lambda: s.table(n, parallel=True),
                "numpy": lambda: table(s, n),
            },
            repeat,
        )
        goal = family == "cosine"
        par = t["parallel"]
        # issue 9: every family's table at least as fast as its NumPy closed form
        rows.append(
            (f"{family} table({size(n)}): NumPy / serial", t["numpy"] / t["serial"], ">=",
             1.0, f"{ms(t['numpy'])} / {ms(t['serial'])}")
        )
        rows.append(
            (f"{family} table({size(n)}): serial / parallel", t["serial"] / par, ">=",
             1.7 if goal else None, f"{ms(t['serial'])} / {ms(par)}")
        )
        rows.append(
            (f"{family} table({size(n)}): NumPy / parallel", t["numpy"] / par, ">=",
             2.0 if goal else None, f"{ms(t['numpy'])} / {ms(par)}")
        )
        if goal:
            # The same fill into a reused buffer: no page faults of a fresh array.
            out = np.empty(n)
            into = fastest(
                {
                    "serial": lambda: s.table(n, out=out, parallel=False),
                    "parallel": lambda: s.table(n, out=out, parallel=True),
                },
                repeat,
            )
            rows.append(
                (f"cosine table({size(n)}, out=buffer): serial / parallel",
                 into["serial"] / into["parallel"], ">=", None,
                 f"{ms(into['serial'])} / {ms(into['parallel'])}")
            )
    return rows


def peer_rows(n, repeat):
    """A cosine table of ``n`` steps: lrjit against NumPy, optax, torch and a memory fill."""
    bench_peers.check_same_values()
    ways = bench_peers.contenders(n)
    scale = {name: factor for name, (_, factor) in ways.items()}
    t = fastest({name: call for name, (call, _) in ways.items()}, repeat)
    t = {name: seconds * scale[name] for name, seconds in t.items()}
    par, ser = t["lrjit parallel"], t["lrjit serial"]
    rows = []
    for name, goal in (("optax (jax.jit, x64)", 2.5), ("numpy", None), ("torch scheduler", None)):
        if name in t:
            rows.append((f"cosine table({size(n)}): {name} / lrjit parallel", t[name] / par, ">=",
                         goal, f"{ms(t[name])} / {ms(par)}"))
    rows.append((f"cosine table({size(n)}): lrjit parallel / fill", par / t["fill"], "<=", 2.5,
                 f"{ms(par)} / {ms(t['fill'])}"))
    rows.append((f"cosine table({size(n)}): lrjit serial / fill", ser / t["fill"], "<=", None,
                 f"{ms(ser)} / {ms(t['fill'])}"))
    libm = t["lrjit serial (libm cos)"]  # the serial table before issue 13: libm's cos
    rows.append((f"cosine table({size(n)}): serial libm cos / serial cospi", libm / ser, ">=", 3.0,
                 f"{ms(libm)} / {ms(ser)}"))
    for name in t:
        rows.append((f"{name}: ns/step", t[name] / n * 1e9, "<=", None, ms(t[name])))
    return rows


#: Configurations whose formula raises to a power, beside the records' (which
#: square or run by stairs): issue 9 and 13's "every table at least as fast as
#: its NumPy closed form" where libm's ``pow`` may run on every step.
POWERS = {
    "exponential, staircase": lambda n: lrjit.exponential(
        0.1, 0.5, transition_steps=max(n // 10**4, 1), staircase=True
    ),
    "exponential, transition_begin=n/2": lambda n: lrjit.exponential(
        0.1, 0.9999995, transition_begin=n // 2
    ),
    "polynomial, power=1 (torch's default)": lambda n: lrjit.polynomial(
        0.1, 0.0, power=1.0, transition_steps=n
    ),
    "polynomial, power=0.5 (timm's default)": lambda n: lrjit.polynomial(
        0.1, 0.0, power=0.5, transition_steps=n
    ),
    "polynomial, power=3": lambda n: lrjit.polynomial(0.1, 0.0, power=3.0, transition_steps=n),
    "polynomial, power=0.9": lambda n: lrjit.polynomial(0.1, 0.0, power=0.9, transition_steps=n),
    "transformers_schedule, polynomial (power=1)": lambda n: lrjit.transformers_schedule(
        "polynomial", n // 100, n, lr_init=0.1, lr_end=1e-7
    ),
    "wsd, decay_shape=power, decay_power=2": lambda n: lrjit.wsd(
        0.1, n, warmup_steps=n // 100, decay_steps=n - n // 100, decay_shape="power",
        decay_power=2.0, convention="timm",
    ),
    "cosine, k_decay=2": lambda n: lrjit.cosine(0.1, n, k_decay=2.0),
    "cosine, exponent=2": lambda n: lrjit.cosine(0.1, n, exponent=2.0),
}


def power_rows(n, repeat):
    """Tables of :data:`POWERS`, serial and the default, against their NumPy closed forms."""
    rows = []
    for name, make in POWERS.items():
        s = make(n)
        t = fastest({"serial": lambda: s.table(n, parallel=False), "default": lambda: s.table(n),
                     "numpy": lambda: table(s, n)}, repeat)
        for kind in ("serial", "default"):
            rows.append((f"{name} table({size(n)}): NumPy / {kind}", t["numpy"] / t[kind], ">=",
                         1.0, f"{ms(t['numpy'])} / {ms(t[kind])}"))
    return rows


def startup_rows(repeat):
    """Import overhead and the first table, each from fresh interpreters."""
    overhead, lrjit_s, numba_s = bench_startup.import_overhead(repeat)
    bench_startup.warm_cache()
    first = [
        bench_startup.fresh_seconds(bench_startup.TABLE_SETUP, "s.table(1000)")
        for _ in range(repeat)
    ]
    med = statistics.median
    return [
        ("import lrjit - import numba (s)", overhead, "<=", 0.15,
         f"{ms(med(lrjit_s))} - {ms(med(numba_s))}"),
        ("first s.table(1000), fresh process, warm cache (s)", med(first), "<=", 0.3,
         f"min {ms(min(first))}"),
    ]


def verdict(value, op, goal):
    if goal is None:
        return "info"
    ok = value <= goal if op == "<=" else value >= goal
    return "PASS" if ok else "MISS"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds (min kept)")
    parser.add_argument("--n", type=int, default=10**7, help="steps per loop and table")
    parser.add_argument("--quick", action="store_true", help="n=10**6, 3 rounds")
    parser.add_argument("--all", action="store_true", help="every family's table, not just cosine")
    parser.add_argument("--family", action="append", choices=sorted(RECORDS),
                        help="these families' tables (and loops, where bench_loop has them)")
    parser.add_argument(
        "--only",
        action="append",
        choices=["loop", "combinators", "tables", "powers", "peers", "startup"],
        help="run these sections",
    )
    args = parser.parse_args(argv)
    n, repeat = (10**6, 3) if args.quick else (args.n, max(args.repeat, 1))
    families = tuple(RECORDS) if args.all else tuple(args.family or ("cosine",))
    loops = tuple(f for f in bench_loop.FAMILIES if not args.family or f in args.family)

    print(
        f"# lrjit performance goals\n\n{cpu_name()}, {os.cpu_count()} CPUs, "
        f"{numba.config.NUMBA_NUM_THREADS} Numba threads, numba {numba.__version__}, "
        f"numpy {np.__version__}, python {platform.python_version()}; n={size(n)}, "
        f"min of {repeat} interleaved rounds; start-up: median of {repeat} fresh processes; "
        f"load average {load()} at start\n"
    )
    print("| measure | value | goal | verdict | times |")
    print("|---|---:|---:|---|---|")
    sections = (
        ("loop", lambda: loop_rows(n, repeat, loops)),
        ("combinators", lambda: combinator_rows(n, repeat)),
        ("tables", lambda: table_rows(n, repeat, families)),
        ("powers", lambda: power_rows(n, repeat)),
        ("peers", lambda: peer_rows(n, repeat)),
        ("startup", lambda: startup_rows(repeat)),
    )
    for section, rows in sections:
        if args.only and section not in args.only:
            continue
        try:
            rows = rows()
        except Exception as exc:  # report and go on: the other figures still count
            print(f"| {section} | | | ERROR | {type(exc).__name__}: {exc} |")
            continue
        for name, value, op, goal, times in rows:
            target = "" if goal is None else f"{op} {goal:g}"
            print(f"| {name} | {value:.3f} | {target} | {verdict(value, op, goal)} | {times} |")
    print(f"\nload average {load()} at end")
    try:
        print(f"threading layer: {numba.threading_layer()}")
    except ValueError:  # no parallel function ran
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
