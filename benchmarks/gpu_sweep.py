"""GPU sweep benchmark: the sweep's write bandwidth as a fraction of a plain device fill's.

In one run, on one device: a plain ``cuda.jit`` fill of a ``(configs, steps)``
float32 array (the same grid-stride launch shape as lrjit's kernel, storing a
constant), then :func:`lrjit.cuda.fill` of the same array for the linear,
step_decay and cosine families and a heterogeneous list (five kinds and
compositions).  Both write ``configs * steps * itemsize`` bytes, so the
sweep's bandwidth as a fraction of the fill's is ``t_fill / t_sweep``
(goal >= 0.5 for linear and step_decay).  The stacked programs are moved to
the device first: the timings are kernels only (CUDA events, median of
``--repeat``); the whole ``lrjit.sweep(..., target='cuda', out=...)`` call,
host-side validation included, is reported beside them.  Sampled rows are
checked against the CPU sweep (1e-6 relative in float32).

Usage (needs a CUDA GPU and ``pip install "lrjit[cuda]"``)::

    python benchmarks/gpu_sweep.py                  # 10**4 x 10**5 float32
    python benchmarks/gpu_sweep.py --tiny           # seconds; also under NUMBA_ENABLE_CUDASIM=1

The result is printed and written to ``benchmarks/results/gpu-<device>.md``
(``--output`` to choose; ``--tiny`` writes only with ``--output``).
"""

import argparse
import datetime
import os
import platform
import re
import statistics
import sys
import time

import numpy as np

try:  # module level, so the CUDA simulator can swap it inside the fill kernel
    from numba import cuda
except ImportError:
    cuda = None

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.bench_sweeps import family_params, mixed_schedules  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
CASES = ("linear", "step_decay", "cosine", "mixed")
GOALS = {"linear": 0.5, "step_decay": 0.5}


def parse_args(argv=None):
    """Command-line options; ``--tiny`` shrinks everything for a smoke run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", type=int, default=10**4, help="configurations (rows)")
    parser.add_argument("--steps", type=int, default=10**5, help="steps (columns)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--repeat", type=int, default=20, help="timed launches per case")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--tiny", action="store_true", help="8 configs x 64 steps, 1 repeat")
    parser.add_argument("--output", help="markdown result file (default: results/gpu-<device>.md)")
    args = parser.parse_args(argv)
    if args.tiny:
        args.configs, args.steps, args.repeat = 8, 64, 1
    for name in ("configs", "steps", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    return args


def _fill_constant(out, value):
    j0, c0 = cuda.grid(2)
    sj, sc = cuda.gridsize(2)
    for c in range(c0, out.shape[0], sc):
        for j in range(j0, out.shape[1], sj):
            out[c, j] = value


def _timer(simulated):
    """``time(launch, repeat) -> (median ms, min ms)``: CUDA events (wall time if simulated)."""

    def once(launch):
        if simulated:  # the simulator's events return -1
            start = time.perf_counter()
            launch()
            return (time.perf_counter() - start) * 1e3
        start, end = cuda.event(), cuda.event()
        start.record()
        launch()
        end.record()
        end.synchronize()
        return cuda.event_elapsed_time(start, end)

    def run(launch, repeat):
        launch()  # compile / warm up
        cuda.synchronize()
        times = [once(launch) for _ in range(repeat)]
        return statistics.median(times), min(times)

    return run


def _device_name(simulated):
    if simulated:
        return "CUDA simulator"
    name = cuda.get_current_device().name
    return name.decode() if isinstance(name, bytes) else str(name)


def _row(case, ms, min_ms, nbytes, fill_ms, call_ms=None, max_rel=None):
    return {
        "case": case,
        "ms": ms,
        "min_ms": min_ms,
        "gbs": nbytes / ms / 1e6,
        "fraction": fill_ms / ms,
        "call_ms": call_ms,
        "max_rel": max_rel,
    }


def _run_case(case, out, steps, timer, repeat, rng):
    """Kernel time of one case, the whole ``lrjit.sweep`` call, and a check of sampled rows."""
    import lrjit
    import lrjit.cuda
    from lrjit import sweeps

    configs, n = out.shape
    if case == "mixed":
        schedules = mixed_schedules(configs, n)
        params = None
    else:
        params = family_params(case, configs, n)
        schedules = sweeps.grid(case, **params).ravel()
    program = [cuda.to_device(a) for a in sweeps.stack(schedules)]
    ms, min_ms = timer(lambda: lrjit.cuda.fill(*program, steps, out), repeat)

    start = time.perf_counter()
    if params is None:
        lrjit.sweep(schedules, n, target="cuda", out=out)
    else:
        lrjit.sweep(case, n, target="cuda", out=out, **params)
    cuda.synchronize()
    call_ms = (time.perf_counter() - start) * 1e3

    # Sampled rows against the CPU sweep (float64 math, rounded once to out's dtype).
    sample = np.unique(rng.integers(0, configs, min(configs, 16)))
    got = np.array([out[int(i)].copy_to_host() for i in sample], dtype=np.float64)
    want = lrjit.sweep([schedules[i] for i in sample], n, dtype=out.dtype).astype(np.float64)
    tol = 1e-6 if out.dtype == np.float32 else 1e-12
    max_rel = float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)))
    if max_rel > tol:
        raise AssertionError(f"{case}: GPU sweep differs from the CPU sweep by {max_rel:.3g}")
    return ms, min_ms, call_ms, max_rel


def main(argv=None):
    """Run the benchmark; returns the result rows (and writes the markdown file)."""
    args = parse_args(argv)
    import lrjit.cuda
    from lrjit.cuda._kernels import launch_shape

    if not lrjit.cuda.is_available():
        print(
            "gpu_sweep: no CUDA GPU here (lrjit.cuda.is_available() is False); "
            "run it where there is one, or with NUMBA_ENABLE_CUDASIM=1 --tiny",
            file=sys.stderr,
        )
        return None
    simulated = lrjit.cuda.SIMULATOR
    dtype = np.dtype(args.dtype)
    configs, n = args.configs, args.steps
    device = _device_name(simulated)
    timer = _timer(simulated)
    nbytes = configs * n * dtype.itemsize

    out = cuda.device_array((configs, n), dtype=dtype)
    steps = cuda.to_device(np.arange(n, dtype=np.float64))
    blocks, threads = launch_shape(configs, n)
    fill_kernel = cuda.jit(_fill_constant)
    fill_ms, fill_min = timer(
        lambda: fill_kernel[blocks, threads](out, dtype.type(0.5)), args.repeat
    )
    rows = [_row("plain fill", fill_ms, fill_min, nbytes, fill_ms)]
    rng = np.random.default_rng(1)
    for case in args.cases:
        ms, min_ms, call_ms, max_rel = _run_case(case, out, steps, timer, args.repeat, rng)
        rows.append(_row(case, ms, min_ms, nbytes, fill_ms, call_ms, max_rel))

    text = report(rows, args, device, argv, simulated)
    print(text)
    path = args.output
    if path is None and not args.tiny:
        slug = re.sub(r"[^a-z0-9]+", "-", device.lower()).strip("-")
        path = os.path.join(RESULTS, f"gpu-{slug}.md")
    if path:
        with open(path, "w") as f:
            f.write(text)
        print(f"wrote {path}", file=sys.stderr)
    return rows


def report(rows, args, device, argv, simulated=False):
    """The markdown result: device, command, versions, one row per case."""
    import numba

    try:
        from importlib.metadata import version

        numba_cuda = version("numba-cuda")
    except Exception:
        numba_cuda = "not installed"
    command = "python benchmarks/gpu_sweep.py " + " ".join(sys.argv[1:] if argv is None else argv)
    gigabytes = args.configs * args.steps * np.dtype(args.dtype).itemsize / 1e9
    lines = [
        f"# GPU sweep: {device}",
        "",
        f"- command: `{command.strip()}`",
        f"- date: {datetime.date.today().isoformat()}; host {platform.node() or '?'}",
        f"- numba {numba.__version__}, numba-cuda {numba_cuda}, numpy {np.__version__}",
        f"- table: {args.configs} configurations x {args.steps} steps, {args.dtype} "
        f"({gigabytes:.3f} GB written per launch)",
        f"- kernel times: {'wall clock (simulator: meaningless)' if simulated else 'CUDA events'}, "
        f"median of {args.repeat} launches (min in brackets); "
        "fraction = fill time / sweep time = sweep bandwidth / fill bandwidth",
        "- `lrjit.sweep` call: one whole call with `out=` on the device "
        "(factory validation of every configuration, stacking, transfer, kernel)",
        "",
        "| case | kernel ms | GB/s | fraction of fill | goal | `lrjit.sweep` call ms "
        "| max rel. error vs CPU |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        goal = GOALS.get(r["case"])
        if goal is None:
            goal_text = ""
        elif simulated:
            goal_text = f">= {goal} (n/a: simulator)"
        else:
            goal_text = f">= {goal} ({'met' if r['fraction'] >= goal else 'not met'})"
        call = "" if r["call_ms"] is None else f"{r['call_ms']:.1f}"
        err = "" if r["max_rel"] is None else f"{r['max_rel']:.2g}"
        lines.append(
            f"| {r['case']} | {r['ms']:.3f} ({r['min_ms']:.3f}) | {r['gbs']:.1f} | "
            f"{r['fraction']:.2f} | {goal_text} | {call} | {err} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(0 if main() is not None else 2)
