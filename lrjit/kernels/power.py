"""Tier 1: ``x ** p`` for the families that raise to a parameter.

Used by ``polynomial``, ``cosine`` (``k_decay``, ``exponent``), ``wsd``'s power
decay and ``transformers_schedule``'s polynomial (with ``libm_pow`` 1: its
peer's bits).

libm's ``pow`` is a scalar call of ~12 ns here, which LLVM cannot vectorize,
and it is no faster for the exponents recipes use most: torch's
``PolynomialLR`` defaults to ``power=1``, timm's ``PolyLRScheduler`` to
``0.5``, optax's examples square.  NumPy's ``x ** p`` takes exact shortcuts
for those (a copy, ``np.sqrt``, ``np.square``); :func:`power` takes the same,
so a table at those exponents costs a branch, not a call.

>>> power(0.25, 0.5, 0.0), power(3.0, 2.0, 0.0), power(0.1, 1.0, 1.0)
(0.5, 9.0, 0.1)
"""

import math

from .._jit import jit

__all__ = ["power"]


@jit(inline="always")
def power(x, p, libm_pow):
    """``x ** p`` for ``x >= 0``: exact shortcuts at ``p`` 1, 2 and 1/2, libm's ``pow`` elsewhere.

    ``x ** 1`` is ``x`` (libm's bits too).  ``x * x`` and ``sqrt(x)`` are
    correctly rounded, where libm's ``pow`` is within 1 ulp (``pow(x, 2)``
    is 1 ulp off on ~0.1% of ``x`` in ``[0, 1]``).  ``libm_pow`` other than
    0 keeps libm's ``pow`` for those two: the torch front-end's choice, the
    bits of torch's (and Python's) ``**``.
    """
    if p == 1.0:
        return x
    if libm_pow == 0.0:
        if p == 2.0:
            return x * x
        if p == 0.5:
            return math.sqrt(x)
    return x**p
