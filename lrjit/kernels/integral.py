"""Tier 2: the cumulative learning rate ``sum(lr(k) for k < n)`` of a program.

Pieces of a plain program with a closed-form sum (constant, linear, step
decay, exponential; a multistep is a join of constants) cost O(1); other
pieces, and composite programs (products, warmups, noise), are summed step by
step in compiled code with Neumaier's compensated summation, so the result is
within a few ulps of ``math.fsum`` of the table either way.
"""

import math

from .._jit import jit
from ..families import constant, exponential, linear, step_decay
from .dispatch import driver_lr_at, piece_at

__all__ = ["geometric_sum", "piece_sum", "integral"]


@jit(inline="always")
def _add(total, comp, x):
    # Neumaier: the running sum and the low-order bits it lost.
    t = total + x
    if abs(total) >= abs(x):
        comp += (total - t) + x
    else:
        comp += (x - t) + total
    return t, comp


@jit
def geometric_sum(gamma, q):
    """``sum(gamma**j for j < q)`` for ``0 < gamma <= 1``: ``(gamma**q - 1) / (gamma - 1)``.

    >>> geometric_sum(0.5, 3.0)
    1.75
    """
    if gamma == 1.0:
        return q
    lg = math.log(gamma)
    return math.expm1(q * lg) / math.expm1(lg)


@jit
def piece_sum(kind, params, row, n):
    """``sum(piece_at(kind, params, row, u) for u < n)`` for a whole number ``n >= 0``."""
    p = params
    if kind == constant.CODE:
        return p[row, 0] * n
    if kind == exponential.CODE and p[row, 1] <= 1.0 and p[row, 2] <= 1.0 and p[row, 3] == 0.0:
        # torch's form (transition_steps 1, or 0 in older rows; no begin; a floor
        # of 0 never binds; a staircase of whole steps is no staircase): optax's
        # other forms are summed below
        if p[row, 5] == 0.0:
            return p[row, 0] * geometric_sum(p[row, 1], n)
    if kind == step_decay.CODE:
        size = p[row, 1]
        q = math.floor(n / size)
        r = n - q * size
        gamma = p[row, 2]
        return p[row, 0] * (size * geometric_sum(gamma, q) + r * gamma ** float(q))
    if kind == linear.CODE:
        init, end, steps, begin = p[row, 0], p[row, 1], p[row, 2], p[row, 3]
        # init up to u = begin, then init + (end - init) * j / steps for
        # j = 1 .. steps - 1, then end.
        flat = min(n, begin + 1.0)
        m = max(0.0, min(n, begin + steps) - (begin + 1.0))
        rest = max(0.0, n - (begin + steps))
        ramp = init * m + (end - init) / steps * (m * (m + 1.0) * 0.5)
        return init * flat + ramp + end * rest
    total = 0.0
    comp = 0.0
    for u in range(int(n)):
        total, comp = _add(total, comp, piece_at(kind, params, row, float(u)))
    return total + comp


@jit
def integral(kinds, params, starts, n):
    """``sum(lr_at(kinds, params, starts, k) for k < n)`` for a whole number ``n >= 0``."""
    total = 0.0
    comp = 0.0
    if kinds[0] < 0:
        for k in range(int(n)):
            total, comp = _add(total, comp, driver_lr_at(kinds, params, starts, float(k)))
        return total + comp
    count = kinds.shape[0]
    for i in range(count):
        a = math.ceil(starts[i])
        if a >= n:
            break
        b = n
        if i + 1 < count:
            b = min(n, math.ceil(starts[i + 1]))
        if b > a:
            # the piece sees local steps k - starts[i] for whole k in [a, b)
            if a == starts[i]:
                part = piece_sum(kinds[i], params, i, b - a)
            else:
                part = 0.0
                for k in range(int(a), int(b)):
                    part += piece_at(kinds[i], params, i, k - starts[i])
            total, comp = _add(total, comp, part)
    return total + comp
