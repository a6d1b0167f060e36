"""asv suite: a cosine table through lrjit's ``cospi`` against libm's ``cos``.

Three serial ``@numba.njit`` loops over ``n = 10**7`` steps into a
preallocated, already touched float64 array (no page faults timed):

``cospi``   ``end + (init - end) * (1 + cospi(t / T)) / 2``  (vectorized by LLVM)
``libm``    ``end + (init - end) * (1 + math.cos(math.pi * t / T)) / 2``  (scalar calls)
``fill``    ``out[t] = init``: a plain memory fill, the limit for any table

Every loop is a plain ``numba.njit`` function with default flags, as a user
writes it; ``setup`` compiles it.  ``python -m benchmarks.bench_cospi`` times
all three in one process and prints ns/step and the ratios.
"""

import math
import time

import numba
import numpy as np

from lrjit.kernels.cospi import cospi

N = 10**7
INIT, END = 0.1, 1e-4
WAYS = ("cospi", "libm", "fill")


@numba.njit
def table_cospi(out, init, end, T):
    for t in range(out.size):
        out[t] = end + (init - end) * (1.0 + cospi(t / T)) / 2.0


@numba.njit
def table_libm(out, init, end, T):
    for t in range(out.size):
        out[t] = end + (init - end) * (1.0 + math.cos(math.pi * t / T)) / 2.0


@numba.njit
def table_fill(out, init, end, T):
    for t in range(out.size):
        out[t] = init


LOOPS = {"cospi": table_cospi, "libm": table_libm, "fill": table_fill}


class TimeCosineTable:
    """A cosine-decay table of ``n`` steps, ``T = n``, three ways."""

    params = ([10**6, N], list(WAYS))
    param_names = ["n", "way"]
    timeout = 300

    def setup(self, n, way):
        self.out = np.ones(n)  # touched: its pages are mapped
        self.loop = LOOPS[way]
        self.loop(self.out[:16], INIT, END, float(n))  # compile

    def time_table(self, n, way):
        self.loop(self.out, INIT, END, float(n))


def measure(n=N, repeat=7, clock=time.perf_counter):
    """Best-of-``repeat`` seconds per step for each way, interleaved in one process.

    ``clock=time.process_time`` counts only the CPU time this process got: on
    a shared machine it is less inflated than wall time (cache and memory
    bandwidth are still shared).
    """
    out = np.ones(n)
    for loop in LOOPS.values():
        loop(out, INIT, END, float(n))  # compile, warm the pages
    best = dict.fromkeys(LOOPS, math.inf)
    for _ in range(repeat):
        for way, loop in LOOPS.items():
            start = clock()
            loop(out, INIT, END, float(n))
            best[way] = min(best[way], clock() - start)
    return {way: seconds / n for way, seconds in best.items()}


def main():
    import argparse
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=N)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"cosine table, serial, n={args.n}, best of {args.repeat} (numba {numba.__version__}),")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for label, clock in (("wall", time.perf_counter), ("cpu", time.process_time)):
        per_step = measure(args.n, args.repeat, clock)
        print(f"[{label} time]")
        for way, seconds in per_step.items():
            print(f"  {way:6s} {seconds * 1e9:7.3f} ns/step")
        print(f"  libm / cospi  {per_step['libm'] / per_step['cospi']:6.2f}x  (cospi speed-up)")
        print(f"  cospi / fill  {per_step['cospi'] / per_step['fill']:6.2f}x  (of a memory fill)")
        print(f"  libm / fill   {per_step['libm'] / per_step['fill']:6.2f}x")


if __name__ == "__main__":
    main()
