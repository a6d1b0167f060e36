"""Tier 2: compiled array drivers over schedule programs.

Each driver writes into a caller-supplied array, so the same compiled loop
serves float64 and float32 outputs and reused buffers.  The serial and the
parallel fill are separate functions on purpose: one flag set per function
(see :func:`lrjit._jit.jit`).

The table drivers walk the program piece by piece (no search per step) and
fill runs of equal values once: a piecewise-constant schedule (``multistep``,
``step_decay``, joins of constants) costs one kernel call per run, not per
step.  Every value is still the one :func:`lr_at` gives, bit for bit.
Python calls a parallel driver through
:func:`run_parallel`, which keeps Numba's threads safe from Python threads.
"""

import threading

import numba
import numpy as np
from numba.core import types
from numba.extending import overload

from ._jit import jit
from .kernels.dispatch import driver_lr_at, fill_steps, row_values, run_length

__all__ = [
    "fill_serial",
    "fill_parallel",
    "fill_from_serial",
    "fill_from_parallel",
    "evaluate",
    "rounded_fill",
    "rounded_evaluate",
    "run_parallel",
]

# Numba's workqueue layer (what users get with neither OpenMP nor TBB) aborts
# the process ("Concurrent access has been detected") when two Python threads
# are inside parallel regions at once.  One region at a time, then; a thread
# that finds the region busy runs the serial driver instead of waiting (same
# values, and its own core is otherwise idle).
_REGION = threading.Lock()
_SHAREABLE_LAYERS = ("omp", "tbb")
_shareable = False  # True once the layer in use is known to be one of these


def run_parallel(parallel, serial, *args):
    """``parallel(*args)``, or ``serial(*args)`` while another Python thread is in a region.

    ``parallel`` and ``serial`` are a parallel driver and its serial twin
    (the same values).  Under OpenMP and TBB, any number of Python threads may
    enter parallel regions together, so no lock is taken; under workqueue (or
    before Numba has chosen a layer) one thread at a time runs ``parallel``.
    Parallel code of your own running under workqueue in another thread at the
    same moment is outside lrjit's reach.
    """
    global _shareable
    if _shareable:
        return parallel(*args)
    if not _REGION.acquire(blocking=False):
        return serial(*args)
    try:
        result = parallel(*args)
        try:
            _shareable = numba.threading_layer() in _SHAREABLE_LAYERS
        except ValueError:  # no parallel region has run yet
            pass
        return result
    finally:
        _REGION.release()


# Steps per work item of the parallel fill: enough to amortise a work item and
# the piece search at its start, small enough to spread over every thread.
TILE = 16384


@jit(inline="always")
def fill_piece(kind, params, row, start, first, lo, hi, out):
    """``out[j] = piece_at(kind, params, row, (first + j) - start)`` for ``lo <= j < hi``.

    Run by run: where :func:`run_length` knows that the next steps share a
    value, that value is computed once (the same kernel call, so the same
    bits) and written to all of them; where it does not, the rest of the
    piece is one plain loop over the family's kernel
    (:func:`lrjit.kernels.dispatch.fill_steps`), which LLVM vectorizes.
    """
    # the row as values read once: stores to out cannot change them (see row_values)
    values = row_values(params, row)
    j = lo
    while j < hi:
        run = run_length(kind, params, row, (first + j) - start)
        each = run < 2.0  # nothing known: the rest of the piece step by step
        stop = hi if each or run >= hi - j else j + int(run)
        # A run repeats its first value, already rounded to out's dtype, so
        # float32 tables get the same bits too.
        computed = stop if each else j + 1
        fill_steps(kind, values, first, start, j, computed, out)
        value = out[j]
        rest = out[computed:stop]  # a view from 0: no negative-index test, so it vectorizes
        for k in range(rest.shape[0]):
            rest[k] = value
        j = stop


@jit(inline="always")
def fill_from(kinds, params, starts, first, out):
    """``out[j] = lr_at(kinds, params, starts, first + j)`` for every ``j``, piece by piece.

    Piece ``i`` owns the integer steps in ``[starts[i], starts[i + 1])`` (the
    piece :func:`lr_at` would choose) and sees ``step - starts[i]``, as in
    :func:`lr_at`; padding pieces (start ``inf``) own no step.
    """
    if kinds[0] < 0:
        # A composite program (products, warmups, noise: lrjit.kernels.compose)
        # has no pieces to walk: step by step through lr_at.
        fill_steps_from(kinds, params, starts, first, out)
        return
    end = first + out.shape[0]
    last = kinds.shape[0] - 1
    for i in range(last + 1):
        a = max(np.ceil(starts[i]), first) if i > 0 else first
        b = min(np.ceil(starts[i + 1]), end) if i < last else end
        if a < b:
            fill_piece(kinds[i], params, i, starts[i], first, int(a - first), int(b - first), out)


@jit
def fill_steps_from(kinds, params, starts, first, out):
    """``out[j] = lr_at(kinds, params, starts, first + j)``, step by step.

    Out of line: the table drivers compile ``lr_at`` here once per output
    dtype instead of inside each of them.
    """
    for j in range(out.shape[0]):
        out[j] = driver_lr_at(kinds, params, starts, first + j)


@jit
def fill_from_serial(kinds, params, starts, first, out):
    """``out[i] = lr_at(kinds, params, starts, first + i)`` for every ``i``, in one thread.

    A float32 ``out`` is filled through float64 tiles (:func:`rounded_fill`).
    """
    rounded_fill(kinds, params, starts, first, out)


@jit
def fill_float64(kinds, params, starts, first, out):
    """:func:`fill_from_serial` into a float64 ``out``: the loops every table runs."""
    fill_from(kinds, params, starts, first, out)


# float64 steps per tile of a float32 output: 64 KB, the tile stays in L2
NARROW_TILE = 8192


def rounded_fill(kinds, params, starts, first, out):
    """:func:`fill_float64` into an ``out`` of any float dtype (compiled code only).

    A narrower ``out`` is filled through float64 tiles of :data:`NARROW_TILE`
    steps, each value rounded once, as a direct store would: the table loops
    compile once, for float64 (a float32 copy of them took a third of the
    cold compile).
    """
    raise NotImplementedError("compiled code only")


def rounded_evaluate(kinds, params, starts, steps, out):
    """:func:`evaluate` into an ``out`` of any float dtype (compiled code only), as :func:`rounded_fill`."""
    raise NotImplementedError("compiled code only")


@jit(inline="always")
def through_float64(fill_tile, kinds, params, starts, x, out):
    """A narrower-than-float64 ``out``, tile by tile of :data:`NARROW_TILE` steps.

    ``fill_tile(kinds, params, starts, x, lo, hi, tile)`` writes the float64
    values of ``out[lo:hi]`` into ``tile``; each is then rounded once.
    """
    wide = np.empty(min(out.shape[0], NARROW_TILE), np.float64)
    for lo in range(0, out.shape[0], NARROW_TILE):
        hi = min(lo + NARROW_TILE, out.shape[0])
        tile, part = wide[: hi - lo], out[lo:hi]
        fill_tile(kinds, params, starts, x, lo, hi, tile)
        # a loop from 0: it vectorizes, where a slice assignment compiled for seconds
        for j in range(part.shape[0]):
            part[j] = tile[j]


@jit(inline="always")
def _fill_tile(kinds, params, starts, first, lo, hi, tile):
    fill_float64(kinds, params, starts, first + lo, tile)


@jit(inline="always")
def _evaluate_tile(kinds, params, starts, steps, lo, hi, tile):
    evaluate(kinds, params, starts, steps[lo:hi], tile)


def _rounding(wide, fill_tile):
    """An overload: ``wide(...)`` into a float64 ``out``, else through float64 tiles."""

    def choose(kinds, params, starts, x, out):
        if out.dtype == types.float64:
            return lambda kinds, params, starts, x, out: wide(kinds, params, starts, x, out)
        return lambda kinds, params, starts, x, out: through_float64(
            fill_tile, kinds, params, starts, x, out
        )

    return choose


@jit(parallel=True)
def fill_from_parallel(kinds, params, starts, first, out):
    """:func:`fill_from_serial` over Numba's threads, one work item per ``TILE`` steps.

    Each tile is a call of the serial driver (compiled once, not again inside
    this one: half the compile time; a call per ``TILE`` steps costs nothing).
    """
    n = out.shape[0]
    for tile in numba.prange((n + TILE - 1) // TILE):
        lo = tile * TILE
        hi = min(lo + TILE, n)
        fill_from_serial(kinds, params, starts, first + lo, out[lo:hi])


@jit
def fill_serial(kinds, params, starts, out):
    """``out[i] = lr_at(kinds, params, starts, i)`` for every ``i``, in one thread."""
    fill_from_serial(kinds, params, starts, 0.0, out)


@jit
def fill_parallel(kinds, params, starts, out):
    """``out[i] = lr_at(kinds, params, starts, i)`` for every ``i``, over Numba's threads."""
    fill_from_parallel(kinds, params, starts, 0.0, out)


@jit
def evaluate(kinds, params, starts, steps, out):
    """``out[i] = lr_at(kinds, params, starts, steps[i])`` for 1-D ``steps`` and ``out``."""
    for i in range(steps.shape[0]):
        out[i] = driver_lr_at(kinds, params, starts, steps[i])


# the float64 drivers exist now: the rounded ones choose between them and the tiles
overload(rounded_fill)(_rounding(fill_float64, _fill_tile))
overload(rounded_evaluate)(_rounding(evaluate, _evaluate_tile))
