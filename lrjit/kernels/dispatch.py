"""Tier 2: evaluate any schedule from plain arrays, choosing the family at run time.

A schedule is a *program* of three arrays:

``kinds``  (int64, ``(P,)``)      the family code of each piece (the constants below)
``params`` (float64, ``(P, MAX_PARAMS)``)  each piece's kernel parameters, zero-padded
``starts`` (float64, ``(P,)``)    the absolute step at which each piece starts;
                                   ``starts[0] == 0``, strictly increasing

Piece ``i`` is active on ``[starts[i], starts[i + 1])`` and sees the local step
``step - starts[i]``.  Padding a program with pieces whose start is ``inf``
leaves it unchanged, so programs of different lengths stack into one array.
Because the program is data, a compiled loop that calls :func:`lr_at` is not
recompiled when the schedule changes.
"""

import math

from .._jit import jit
from .cyclical import cosine_restarts, cyclic, one_cycle
from .families import constant, cosine, exponential, linear, polynomial, step_decay, warmup_cosine

__all__ = ["MAX_PARAMS", "lr_at", "piece_at"]

MAX_PARAMS = 8

# Family codes.  Stable: they appear in saved programs.
CONSTANT = 0
LINEAR = 1
STEP_DECAY = 2
EXPONENTIAL = 3
POLYNOMIAL = 4
COSINE = 5
WARMUP_COSINE = 6
ONE_CYCLE = 7
CYCLIC = 8
COSINE_RESTARTS = 9


@jit(inline="always")
def piece_at(kind, params, row, step):
    """The value of family ``kind`` with parameters ``params[row]`` at ``step``.

    An unknown ``kind`` gives NaN (kernels never raise).
    """
    p = params
    if kind == CONSTANT:
        return constant(step, p[row, 0])
    elif kind == LINEAR:
        return linear(step, p[row, 0], p[row, 1], p[row, 2], p[row, 3])
    elif kind == STEP_DECAY:
        return step_decay(step, p[row, 0], p[row, 1], p[row, 2])
    elif kind == EXPONENTIAL:
        return exponential(step, p[row, 0], p[row, 1])
    elif kind == POLYNOMIAL:
        return polynomial(step, p[row, 0], p[row, 1], p[row, 2], p[row, 3])
    elif kind == COSINE:
        return cosine(step, p[row, 0], p[row, 1], p[row, 2], p[row, 3])
    elif kind == WARMUP_COSINE:
        return warmup_cosine(step, p[row, 0], p[row, 1], p[row, 2], p[row, 3], p[row, 4])
    elif kind == ONE_CYCLE:
        return one_cycle(
            step, p[row, 0], p[row, 1], p[row, 2], p[row, 3], p[row, 4], p[row, 5], p[row, 6]
        )
    elif kind == CYCLIC:
        return cyclic(
            step, p[row, 0], p[row, 1], p[row, 2], p[row, 3], p[row, 4], p[row, 5], p[row, 6]
        )
    elif kind == COSINE_RESTARTS:
        return cosine_restarts(step, p[row, 0], p[row, 1], p[row, 2], p[row, 3])
    return math.nan


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
    return piece_at(kinds[i], params, i, step - starts[i])
