"""Tier 2: compiled array drivers over schedule programs.

Each driver writes into a caller-supplied array, so the same compiled loop
serves float64 and float32 outputs and reused buffers.  The serial and the
parallel fill are separate functions on purpose: one flag set per function
(see :func:`lrjit._jit.jit`).  Python calls a parallel driver through
:func:`run_parallel`, which keeps Numba's threads safe from Python threads.
"""

import threading

import numba

from ._jit import jit
from .kernels.dispatch import lr_at

__all__ = ["fill_serial", "fill_parallel", "evaluate", "run_parallel"]

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


@jit
def fill_serial(kinds, params, starts, out):
    """``out[i] = lr_at(kinds, params, starts, i)`` for every ``i``, in one thread."""
    for i in range(out.shape[0]):
        out[i] = lr_at(kinds, params, starts, float(i))


@jit(parallel=True)
def fill_parallel(kinds, params, starts, out):
    """``out[i] = lr_at(kinds, params, starts, i)`` for every ``i``, over Numba's threads."""
    for i in numba.prange(out.shape[0]):
        out[i] = lr_at(kinds, params, starts, float(i))


@jit
def evaluate(kinds, params, starts, steps, out):
    """``out[i] = lr_at(kinds, params, starts, steps[i])`` for 1-D ``steps`` and ``out``."""
    for i in range(steps.shape[0]):
        out[i] = lr_at(kinds, params, starts, steps[i])
