"""Tier 1: ``exp(x)``, accurate, branch-free and vectorizable.

libm's ``exp`` is a scalar call LLVM cannot vectorize (there is no SVML in
this llvmlite), so a table loop over a family that needs ``exp`` (``tanh``)
ran one call per step, slower than NumPy's SIMD ``np.exp``.  :func:`exp`
reduces the argument exactly and evaluates a polynomial with only ``+ - *``,
``min``/``max`` and selects, and scales by ``2**k`` with integer shifts, so a
table loop that calls it is vectorized by LLVM (``fastmath`` stays off: the
bits are the same on every CPU path) and the same source runs as a CUDA
device function.

Method
------
1. ``x`` is clamped to ``[-746, 710]`` (``nan`` to ``-746``, made ``nan``
   again at the end): beyond it ``exp`` is ``0`` or ``inf`` in double
   anyway, and the clamped value still rounds there (``exp(-746) < 2**-1075``,
   ``exp(710) > 2**1024``), so steps 2-4 need no special cases.
2. ``k = rint(x / ln 2)`` (``rint(v) = (v + 1.5*2**52) - 1.5*2**52``), an
   integer in ``[-1076, 1024]``, and ``r = x - k*ln 2`` with ``|r| <= ln(2)/2``
   (plus ~1e-13 where ``x / ln 2`` rounds across a half).  Cody-Waite:
   ``ln 2 = L1 + L2``, ``L1`` with 41 significant bits, so ``k*L1`` is exact
   (11 + 41 bits) and ``hi = x - k*L1`` is exact (Sterbenz: ``x`` and
   ``k*L1`` are within a factor 2 when ``k != 0``).  ``lo = k*L2`` is below
   ``3.1e-10`` and rounds by ``2**-84``; ``L1 + L2`` is ``ln 2`` to
   ``2**-101``.  So ``r = hi - lo`` is known to far below an ulp of the
   result, as the exact head ``hi`` plus the tiny ``-lo``.
3. ``exp(r) = 1 + r + r**2/2 + r**3 * Q(r)``: ``1 + hi`` is captured exactly
   by a fast two-sum (``sh + sl``, ``|hi| < 1``), ``r**2/2`` is
   ``hi*hi/2 - hi*lo`` (``lo*lo/2 < 2**-64``), so the rounding of ``r`` does
   not reach it, and the rest, ``sl - lo - hi*lo + hi*hi/2 + r**3 Q(r)``, is
   at most ~0.07 of the result: its rounding errors (a few ``2**-53`` of
   itself) cost below 0.1 ulp.  ``Q`` has degree 9 (a weighted least-squares
   fit at 256 bits on 160 Chebyshev nodes of ``|r| <= 0.3466``, rounded to
   double coefficient by coefficient, the rest refitted each time; fit error
   below ``2**-63`` of ``exp(r)``), evaluated by Estrin's scheme.  The
   result ``p = sh + tail`` is within 0.62 ulp of ``exp(r)`` (measured).
4. ``2**k`` without ``ldexp`` (a libm call) or a bit cast (which Numba's
   CPU and CUDA targets spell differently): ``2**k = a * b`` with
   ``a = 2**k1``, ``k1 = floor(k/2)`` in ``[-538, 512]``, ``b = a`` or
   ``2a``.  ``a = (2**q)**32 * 2**j`` for ``k1 = 32q + j``, ``0 <= j < 32``:
   ``2**j = float(1 << j)``, ``2**q = float(1 << (q + 17)) * 2**-17`` and
   five squarings, all exact and inside the normal range.  Then ``p * a`` is
   exact and ``(p * a) * b`` rounds once: overflow to ``inf`` and gradual
   underflow to subnormals happen in that one rounding, so a subnormal
   result is within 1 ulp (of the subnormal spacing) too.

All floating-point operations are IEEE ``+ - *`` in float64
round-to-nearest, so the result is the same bits on every CPU.  On CUDA,
NVVM contracts ``a*b + c`` into FMA by default: the reduction's products
(``k*L1``, ``2*k1``, ``0.5*k``) are exact, so only ``rint(x / ln 2)`` (which
may pick the other ``k`` at a half: ``r`` stays in range) and the tail of
step 3 round differently; ``tests/test_exp.py`` compiles the same source
with LLVM's ``contract`` flag and finds it within 1 ulp too.

On x86 CPUs without AVX-512DQ, LLVM has no packed conversion between
float64 and int64 and converts ``k1`` and the two powers lane by lane
inside the otherwise vectorized loop.
"""

import math

from .._jit import jit

__all__ = ["exp"]

_RINT = 6755399441055744.0  # 1.5 * 2**52: rint(v) = (v + _RINT) - _RINT, |v| < 2**51
_LO = -746.0  # exp(-746) < 2**-1075: rounds to 0
_HI = 710.0  # exp(710) > 2**1024: rounds to inf
_INV_LN2 = 1.4426950408889634  # 0x1.71547652b82fep+0
# ln 2 = _L1 + _L2 (to 2**-101); _L1 has 41 significant bits, so k*_L1 is exact for |k| < 2**12.
_L1 = 0.693147180559663  # 0x1.62e42fefa3000p-1
_L2 = 2.8235290563031577e-13  # 0x1.3de6af278ece6p-42
_TWO_M17 = 2.0**-17

# (exp(r) - 1 - r - r**2/2) / r**3 ~ Q0 + Q1*r + ... + Q9*r**9, |r| <= 0.3466
_Q0 = 0.16666666666666685  # 0x1.555555555555cp-3
_Q1 = 0.041666666666666526  # 0x1.5555555555541p-5
_Q2 = 0.008333333333315995  # 0x1.111111110ea06p-7
_Q3 = 0.001388888888896799  # 0x1.6c16c16c1fa96p-10
_Q4 = 0.00019841269898513087  # 0x1.a01a01b43e050p-13
_Q5 = 2.4801587155298254e-05  # 0x1.a01a0176ecc50p-16
_Q6 = 2.7557233040793945e-06  # 0x1.71ddee86b1af0p-19
_Q7 = 2.755741765165109e-07  # 0x1.27e540bab0d59p-22
_Q8 = 2.5112593413361816e-08  # 0x1.af6e5a95ada37p-26
_Q9 = 2.087108069346467e-09  # 0x1.1ed9963f2d110p-29


@jit
def exp(x):
    """``e**x`` for float64 ``x``, within 1 ulp, branch-free (vectorizes in a loop).

    .. math::

        \\exp(x) = 2^k \\, e^r, \\quad k = \\operatorname{rint}(x / \\ln 2),
        \\quad r = x - k \\ln 2

    with ``r`` exact to far below an ulp (Cody-Waite), ``e**r`` a degree-12
    polynomial whose leading ``1 + r`` is kept exactly, and ``2**k`` applied
    in two exact factors so overflow and underflow round once.

    Parameters
    ----------
    x : float
        The exponent (float32 and integers are converted to float64 exactly).

    Returns
    -------
    float
        Within 1 ulp of the correctly rounded ``e**x``: measured against
        mpmath at 200 bits on 4 million arguments across the whole range,
        subnormal results included (``tests/test_exp.py``), at most 1 ulp from
        the correctly rounded value (98.8% of them equal to it) and at most
        0.62 ulp from the exact value where the result is normal.
        ``exp(0) == 1``; ``0.0`` below ``-745.1332191019412`` and ``inf`` above
        ``709.782712893384`` (as libm); ``exp(-inf) == 0``, ``exp(inf) == inf``,
        ``exp(nan)`` is ``nan``.  Never raises.

    Notes
    -----
    No branches: a loop such as ``out[i] = exp(a + b * i)`` in ``@njit`` code
    is vectorized by LLVM.  Bitwise deterministic on the CPU (no fastmath, no
    FMA).  It is ~75 instructions inline: in a loop that does not vectorize
    (a running sum, say) libm's ``math.exp``, a table lookup, is ~2x faster.

    Examples
    --------
    >>> import math
    >>> from lrjit.kernels.exp import exp
    >>> exp(0.0), exp(1.0) == math.e, exp(-1.0)
    (1.0, True, 0.36787944117144233)
    >>> exp(-745.0), exp(-746.0), exp(710.0), exp(-math.inf)
    (5e-324, 0.0, inf, 0.0)

    In a user's ``@njit`` loop (it vectorizes):

    >>> import numba, numpy as np
    >>> @numba.njit
    ... def logistic(n, T):
    ...     out = np.empty(n)
    ...     for t in range(n):
    ...         out[t] = 1.0 / (1.0 + exp(10.0 * (t / T - 0.5)))
    ...     return out
    >>> logistic(5, 4.0)
    array([0.99330715, 0.92414182, 0.5       , 0.07585818, 0.00669285])
    """
    xf = float(x)
    # Python's max and min keep their first argument unless the other compares
    # past it, on both targets: nan becomes _LO here, so int() below is defined.
    xc = min(_HI, max(_LO, xf))
    k = (xc * _INV_LN2 + _RINT) - _RINT  # [-1076, 1024]
    hi = xc - k * _L1  # exact
    lo = k * _L2
    r = hi - lo

    # e**r = [1 + hi] (fast two-sum: sh + sl exactly)
    #      + [sl - lo - hi*lo + hi*hi/2 + r**3 Q(r)]  (r**2/2 from the exact hi: lo*lo/2 < 2**-64)
    sh = 1.0 + hi
    sl = (1.0 - sh) + hi
    # Q(r) by Estrin's scheme: a short dependency chain (a scalar loop overlaps steps)
    r2 = r * r
    r4 = r2 * r2
    q = ((_Q0 + r * _Q1) + r2 * (_Q2 + r * _Q3)) + r4 * ((_Q4 + r * _Q5) + r2 * (_Q6 + r * _Q7))
    q = q + (r4 * r4) * (_Q8 + r * _Q9)
    p = sh + (((sl - lo) - hi * lo) + (0.5 * (hi * hi) + (r2 * r) * q))

    # 2**k = a * b: neither 2**-1076 nor 2**1024 is a double, a = 2**floor(k/2) and b are
    k1 = (0.5 * k - 0.25 + _RINT) - _RINT  # floor(k / 2): k/2 is whole or a half
    n = int(k1)  # [-538, 512] = 32*(n >> 5) + (n & 31)
    a = float(1 << ((n >> 5) + 17)) * _TWO_M17  # 2**(n >> 5), from 2**-17 to 2**16
    a = a * a
    a = a * a
    a = a * a
    a = a * a
    a = a * a  # 2**(32 * (n >> 5)), from 2**-544 to 2**512
    a = a * float(1 << (n & 31))
    b = a * (1.0 + (k - 2.0 * k1))
    v = (p * a) * b  # p * a is exact: one rounding, to inf, a normal or a subnormal
    return xf if math.isnan(xf) else v
