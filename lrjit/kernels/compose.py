"""Tier 2: the operations of composite programs (products, windows, warmups, noise).

A *plain* program (every ``kinds[i] >= 0``) is a join of family pieces, which
:func:`lrjit.kernels.lr_at` evaluates as it always has.  A *composite*
program starts with a row of kind :data:`PRODUCT` and is a product of
one-piece *segments*, two rows each::

    row 0        PRODUCT    params[0, 0] = scale
    row 2j + 1   SEGMENT    params = (lo, hi, shift)
    row 2j + 2   a piece    a family's kind and row, RAMP or NOISE

:func:`lr_at` hands a program whose first kind is negative here; every row
after the first starts at ``inf``, so a scan over the starts ends on row 0.
The value at ``step`` is ``scale`` times, for every segment whose window
``lo <= step < hi`` holds, its piece at the segment's time ``u = step -
shift``; a segment outside its window contributes nothing (a factor 1).  A
family piece is :func:`piece_at`, a warmup :data:`RAMP` is
:func:`ramp_value`, and :data:`NOISE` applies timm's
``v + v * noise`` to the product so far.  Rows padded on by
:func:`lrjit.sweeps.stack` (kind 0) end the program.  Negative kind codes
never reach :func:`piece_at`.

Noise comes from Philox4x32-10 (Salmon et al., SC'11; Random123) keyed by the
seed and counted by the step: no state, the same number on every path.
"""

import math

import numpy as np

from .._jit import jit
from .dispatch import piece_at

__all__ = [
    "PRODUCT",
    "SEGMENT",
    "RAMP",
    "NOISE",
    "RAMP_LINEAR",
    "RAMP_COSINE",
    "RAMP_CONSTANT",
    "NOISE_NORMAL",
    "NOISE_UNIFORM",
    "philox4x32",
    "unit_uniform",
    "noise_value",
    "ramp_value",
    "composite_at",
    "composite_call",
]

PRODUCT = -1
SEGMENT = -2
RAMP = -3
NOISE = -4

RAMP_LINEAR = 0.0
RAMP_COSINE = 1.0
RAMP_CONSTANT = 2.0

NOISE_NORMAL = 0.0
NOISE_UNIFORM = 1.0

# Philox4x32 constants (Random123).  Every product below is of two numbers
# < 2**32, so uint64 arithmetic never wraps: the same bits in Numba, on CUDA
# and in the CUDA simulator (which runs this as NumPy scalars).
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_MASK = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_S21 = np.uint64(21)
_S11 = np.uint64(11)
_ROUNDS = 10
_TWO_M53 = 2.0**-53
# Tries before giving up on one step's truncated normal: each try is accepted
# with probability > 0.6, so 0.4**256 (never) is the chance of reaching it.
_MAX_TRIES = 256


@jit(inline="always")
def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 of the counter ``(c0..c3)`` under the key ``(k0, k1)``: four uint32 words.

    All arguments are ``numpy.uint64`` holding 32-bit words.

    >>> u = np.uint64
    >>> [hex(x) for x in philox4x32(u(0), u(0), u(0), u(0), u(0), u(0))]
    ['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
    """
    for r in range(_ROUNDS):
        if r > 0:
            k0 = (k0 + _W0) & _MASK
            k1 = (k1 + _W1) & _MASK
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = (
            (p1 >> _S32) ^ c1 ^ k0,
            p1 & _MASK,
            (p0 >> _S32) ^ c3 ^ k1,
            p0 & _MASK,
        )
    return c0, c1, c2, c3


@jit(inline="always")
def unit_uniform(hi, lo):
    """A float64 in ``(0, 1)`` from two uint32 words: 53 random bits, centred in their cell."""
    bits = (hi << _S21) | (lo >> _S11)
    return (float(bits) + 0.5) * _TWO_M53


@jit
def noise_value(params, row, step):
    """timm's noise for ``step`` (an integer-valued float) with ``params[row]``.

    ``params[row] = (pct, std, seed_lo, seed_hi, kind)``.  ``kind`` uniform:
    ``2 * (u - 0.5) * pct`` (timm's formula, ``u`` uniform in (0, 1)).  Normal:
    ``std * z`` for a standard normal ``z``, redrawn until ``|std * z| < pct``
    (timm's loop; timm 1.0's torch path ignores ``noise_std``, i.e. ``std = 1``).
    The draws are Philox of the counter ``(step, try)`` under the key ``seed``:
    the same distribution as timm's, not torch's generator's numbers.
    """
    pct = params[row, 0]
    std = params[row, 1]
    k0 = np.uint64(params[row, 2])
    k1 = np.uint64(params[row, 3])
    n = np.uint64(step)
    c0 = n & _MASK
    c1 = n >> _S32
    if params[row, 4] == NOISE_UNIFORM:
        x0, x1, x2, x3 = philox4x32(c0, c1, np.uint64(0), np.uint64(0), k0, k1)
        return 2.0 * (unit_uniform(x0, x1) - 0.5) * pct
    a = pct / std  # the bound on z
    for attempt in range(_MAX_TRIES):
        x0, x1, x2, x3 = philox4x32(c0, c1, np.uint64(attempt), np.uint64(0), k0, k1)
        u1 = unit_uniform(x0, x1)
        u2 = unit_uniform(x2, x3)
        if a < 1.0:
            # Narrow window: propose z uniform on (-a, a), accept with the normal
            # density's ratio exp(-z^2/2) (>= exp(-1/2)): exactly the truncated normal.
            z = (2.0 * u1 - 1.0) * a
            if u2 < math.exp(-0.5 * z * z):
                return std * z
        else:
            # Wide window: a Box-Muller normal, redrawn while |z| >= a (timm's loop).
            z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
            if abs(z) < a:
                return std * z
    return 0.0


@jit(inline="always")
def ramp_value(params, row, step):
    """A warmup ramp at local ``step``; ``params[row] = (init, inc, target, steps, shape)``.

    Linear: ``init + step * inc`` with ``inc = (target - init) / steps``
    (timm's operation order); cosine: ``init + (target - init) * (1 - cos(pi
    step / steps)) / 2``; constant: ``init``.
    """
    init = params[row, 0]
    shape = params[row, 4]
    if shape == RAMP_LINEAR:
        return init + step * params[row, 1]
    if shape == RAMP_COSINE:
        return init + (params[row, 2] - init) * (
            0.5 * (1.0 - math.cos(math.pi * (step / params[row, 3])))
        )
    return float(init)


@jit(inline="always")
def composite_at(kinds, params, starts, step):
    """The value at ``step`` of a composite program (see the module's docstring).

    Inlined into :func:`lrjit.kernels.lr_at`, so a user's loop over a product
    hoists the segments' rows like a plain program's (the product of a cosine
    and a linear ran 1.5x the pieces evaluated by hand when out of line, 0.9x
    inlined).  The library's own drivers call :func:`composite_call`.
    """
    n = kinds.shape[0]
    value = params[0, 0]
    i = 1
    while i + 1 < n and kinds[i] == SEGMENT:
        if params[i, 0] <= step < params[i, 1]:
            u = step - params[i, 2]
            kind = kinds[i + 1]
            if kind == NOISE:
                value = value + value * noise_value(params, i + 1, u)
            elif kind == RAMP:
                value *= ramp_value(params, i + 1, u)
            else:
                value *= piece_at(kind, params, i + 1, u)
        i += 2
    return value


@jit
def composite_call(kinds, params, starts, step):
    """:func:`composite_at`, out of line: what the library's drivers compile.

    Their loops over composite programs gain little from the inlining, and
    it would cost them seconds of compile time each.
    """
    return composite_at(kinds, params, starts, step)
