"""Table mode's fills for torch's closed-form cyclical classes: the core's kernels over groups.

Each fill writes ``out[g, i]``, param group ``g`` at epoch ``k0 + i``, by
calling a tier-1 kernel of :mod:`lrjit.kernels`; no formula lives here.
Callers check every array's shape in Python first (Numba checks no bounds).
"""

from .._jit import jit
from ..kernels import cyclic, one_cycle_phases

__all__ = ["cyclic_fill", "one_cycle_fill"]


@jit
def cyclic_fill(k0, up, down, mode, gamma, scale_by, inits, peaks, out):
    """``out[g, i] = kernels.cyclic(k0 + i, inits[g], peaks[g], up, down, mode, gamma, scale_by)``.

    CyclicLR's momentum falls from ``max`` to ``base``: the same kernel with
    the two swapped (``high - h`` and ``high + (low - high) * ...`` are the
    same float).
    """
    for i in range(out.shape[1]):
        t = k0 + i
        for g in range(out.shape[0]):
            out[g, i] = cyclic(t, inits[g], peaks[g], up, down, mode, gamma, scale_by)


@jit
def one_cycle_fill(k0, end1, end2, last, strategy, values, out):
    """``out[g, i] = kernels.one_cycle_phases(k0 + i, end1, end2, last, strategy, *values[g])``.

    ``values`` is ``(G, 4)``: each group's four phase values.
    """
    for i in range(out.shape[1]):
        t = k0 + i
        for g in range(out.shape[0]):
            v = values[g]
            # the trailing 1.0: libm cos in torch's order (torch's bits)
            out[g, i] = one_cycle_phases(
                t, end1, end2, last, strategy, v[0], v[1], v[2], v[3], 1.0
            )
