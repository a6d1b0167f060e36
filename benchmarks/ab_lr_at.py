"""Same-process A/B: main's ``lr_at`` (plain programs only) against today's, in a user's loop.

Usage: ``python benchmarks/ab_lr_at.py`` (from the repository root).  Prints
the fastest of 7 interleaved rounds summing 10**7 steps, per program, for the
``lr_at`` of main before composite programs (``before``) and the package's
(``now``).  See ``benchmarks/results/combinators-2026-12-02.md``.
"""

import time

import numba

import lrjit
from lrjit._jit import jit
from lrjit.kernels.dispatch import lr_at, piece_at


@jit(inline="always")
def lr_at_before(kinds, params, starts, step):
    # main's lr_at, verbatim, for the comparison
    i = kinds.shape[0] - 1
    if i == 0:
        return piece_at(kinds[0], params, 0, step - starts[0])
    while i > 0 and step < starts[i]:
        i -= 1
    return piece_at(kinds[i], params, i, step - starts[i])


@numba.njit
def sum_before(n, kinds, params, starts):
    acc = 0.0
    for i in range(n):
        acc += lr_at_before(kinds, params, starts, float(i))
    return acc


@numba.njit
def sum_now(n, kinds, params, starts):
    acc = 0.0
    for i in range(n):
        acc += lr_at(kinds, params, starts, float(i))
    return acc


def main(n=10**7, repeat=7):
    programs = {
        "join (linear warmup + cosine)": lrjit.join(
            [lrjit.linear(0.0, 1.0, n // 20), lrjit.cosine(1.0, n)], [n // 20]
        ),
        "linear (one piece)": lrjit.linear(1.0, 0.0, n),
        "cosine (one piece)": lrjit.cosine(1.0, n),
    }
    loops = {"before": sum_before, "now": sum_now}
    print("| program | before | now | now / before |\n|---|---:|---:|---:|")
    for name, s in programs.items():
        sums = {k: f(n, *s.program) for k, f in loops.items()}
        assert sums["before"] == sums["now"], sums
        best = dict.fromkeys(loops, float("inf"))
        for _ in range(repeat):
            for k, f in loops.items():
                t = time.perf_counter()
                f(n, *s.program)
                best[k] = min(best[k], time.perf_counter() - t)
        b, w = best["before"] * 1e3, best["now"] * 1e3
        print(f"| {name} | {b:.1f} ms | {w:.1f} ms | {w / b:.2f} |")


if __name__ == "__main__":
    main()
