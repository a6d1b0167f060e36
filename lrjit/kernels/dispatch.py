"""Tier 2: evaluate any schedule from plain arrays, choosing the family at run time.

A schedule is a *program* of three arrays:

``kinds``  (int64, ``(P,)``)      the family code of each piece (``lrjit.families.REGISTRY``)
``params`` (float64, ``(P, MAX_PARAMS)``)  each piece's kernel parameters, zero-padded
``starts`` (float64, ``(P,)``)    the absolute step at which each piece starts;
                                   ``starts[0] == 0``, strictly increasing

Piece ``i`` is active on ``[starts[i], starts[i + 1])`` and sees the local step
``step - starts[i]``.  Padding a program with pieces whose start is ``inf``
leaves it unchanged, so programs of different lengths stack into one array.
Because the program is data, a compiled loop that calls :func:`lr_at` is not
recompiled when the schedule changes.  Products, warmups overlaid on a
schedule and noise are *composite* programs (first kind negative, the other
rows starting at ``inf``), evaluated by :func:`lrjit.kernels.compose.composite_at`.
"""

import math

from .._jit import jit
from ..families import (
    constant,
    cosine,
    cosine_restarts,
    cyclic,
    exponential,
    inverse_sqrt,
    linear,
    one_cycle,
    polynomial,
    step_decay,
    warmup_cosine,
    wsd,
)

__all__ = ["MAX_PARAMS", "lr_at", "piece_at", "run_length"]

# Room for the widest kernel (wsd, restarts with their cycle controls) and a
# flag or two; a row costs 8 bytes a column, per piece, in a sweep.
MAX_PARAMS = 12


@jit(inline="always")
def piece_at(kind, params, row, step):
    """The value of family ``kind`` with parameters ``params[row]`` at ``step``.

    One branch per family code of :data:`lrjit.families.REGISTRY`, written out
    (what Numba compiles best; a test holds it against the registry).  An
    unknown ``kind`` gives NaN (kernels never raise).
    """
    p = params
    if kind == constant.CODE:
        return constant.constant_kernel(step, p[row, 0])
    elif kind == linear.CODE:
        return linear.linear_kernel(step, p[row, 0], p[row, 1], p[row, 2], p[row, 3])
    elif kind == step_decay.CODE:
        return step_decay.step_decay_kernel(step, p[row, 0], p[row, 1], p[row, 2])
    elif kind == exponential.CODE:
        return exponential.exponential_kernel(step, p[row, 0], p[row, 1])
    elif kind == polynomial.CODE:
        return polynomial.polynomial_kernel(step, p[row, 0], p[row, 1], p[row, 2], p[row, 3])
    elif kind == cosine.CODE:
        return cosine.cosine_kernel(step, p[row, 0], p[row, 1], p[row, 2], p[row, 3])
    elif kind == warmup_cosine.CODE:
        return warmup_cosine.warmup_cosine_kernel(
            step, p[row, 0], p[row, 1], p[row, 2], p[row, 3], p[row, 4]
        )
    elif kind == one_cycle.CODE:
        return one_cycle.one_cycle_kernel(
            step, p[row, 0], p[row, 1], p[row, 2], p[row, 3], p[row, 4], p[row, 5], p[row, 6]
        )
    elif kind == cyclic.CODE:
        return cyclic.cyclic_kernel(
            step, p[row, 0], p[row, 1], p[row, 2], p[row, 3], p[row, 4], p[row, 5], p[row, 6]
        )
    elif kind == cosine_restarts.CODE:
        return cosine_restarts.cosine_restarts_kernel(
            step, p[row, 0], p[row, 1], p[row, 2], p[row, 3], p[row, 4], p[row, 5], p[row, 6],
            p[row, 7], p[row, 8],
        )
    elif kind == inverse_sqrt.CODE:
        return inverse_sqrt.inverse_sqrt_kernel(
            step, p[row, 0], p[row, 1], p[row, 2], p[row, 3], p[row, 4]
        )
    elif kind == wsd.CODE:
        return wsd.wsd_kernel(
            step, p[row, 0], p[row, 1], p[row, 2], p[row, 3], p[row, 4], p[row, 5], p[row, 6],
            p[row, 7],
        )
    return math.nan


@jit(inline="always")
def run_length(kind, params, row, step):
    """How many steps from ``step`` on (``step``, ``step + 1``, ...) share its value.

    For the table drivers: ``inf`` for a constant piece, the rest of the
    current stair for ``step_decay``; 1 (nothing known) for every other
    family, which the drivers then evaluate step by step.
    """
    if kind == constant.CODE:
        return math.inf
    elif kind == step_decay.CODE:
        return step_decay.step_decay_run(step, params[row, 1])
    return 1.0


@jit(inline="always")
def lr_at(kinds, params, starts, step):
    """The value at ``step`` of the schedule whose program is ``(kinds, params, starts)``.

    >>> import lrjit
    >>> s = lrjit.join([lrjit.constant(1.0), lrjit.constant(0.5)], boundaries=[10])
    >>> lr_at(s.kinds, s.params, s.starts, 12.0)
    0.5
    """
    i = kinds.shape[0] - 1
    if i == 0:
        # One piece: constant indices, so LLVM can hoist the kind and the
        # parameter loads out of the caller's loop.
        return piece_at(kinds[0], params, 0, step - starts[0])
    while i > 0 and step < starts[i]:
        i -= 1
    if i == 0 and kinds[0] < 0:
        # A composite program (its rows after the first start at inf, so the
        # scan ends here): products, warmups, noise (lrjit.kernels.compose).
        # Two call sites on purpose: with one, LLVM inlines the whole composite
        # evaluator into the caller's loop (a single-use function), which then
        # no longer unswitches on the one-piece case: a one-piece linear loop
        # ran 1.3-1.75x slower (benchmarks/ab_lr_at.py).  Both compute the same.
        if step > params[0, 1]:
            return composite_at(kinds, params, starts, step)
        return composite_at(kinds, params, starts, step)
    return piece_at(kinds[i], params, i, step - starts[i])


# compose builds on piece_at: imported once piece_at exists (Numba binds the
# global when lr_at compiles, not now).
from .compose import composite_at  # noqa: E402
