"""Tier 2: compiled array drivers over schedule programs.

Each driver writes into a caller-supplied array, so the same compiled loop
serves float64 and float32 outputs and reused buffers.  The serial and the
parallel fill are separate functions on purpose: one flag set per function
(see :func:`lrjit._jit.jit`).
"""

import numba

from ._jit import jit
from .kernels.dispatch import lr_at

__all__ = ["fill_serial", "fill_parallel", "fill_from_serial", "fill_from_parallel", "evaluate"]


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


@jit
def fill_from_serial(kinds, params, starts, first, out):
    """``out[i] = lr_at(kinds, params, starts, first + i)`` for every ``i``, in one thread."""
    for i in range(out.shape[0]):
        out[i] = lr_at(kinds, params, starts, first + float(i))


@jit(parallel=True)
def fill_from_parallel(kinds, params, starts, first, out):
    """``out[i] = lr_at(kinds, params, starts, first + i)`` for every ``i``, over Numba's threads."""
    for i in numba.prange(out.shape[0]):
        out[i] = lr_at(kinds, params, starts, first + float(i))
