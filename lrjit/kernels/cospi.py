"""Tier 1: ``cospi(x) = cos(pi * x)``, accurate, branch-free and vectorizable.

Every cosine family's argument is really ``pi * t / T``.  libm's ``cos`` is a
scalar call LLVM cannot vectorize (there is no SVML in this llvmlite) and it
first rounds ``pi * x``, so its error grows with ``x``.  :func:`cospi` takes
the argument in half-turns instead, reduces it exactly and evaluates two
polynomials with only ``+ - *`` and selects, so a table loop that calls it is
vectorized by LLVM (``fastmath`` stays off: the bits are the same on every CPU
path) and the same source runs as a CUDA device function.

Method
------
1. ``a = min(|x|, 2**53)``.  Every double ``>= 2**53`` is an even integer, so
   clamping keeps ``cos(pi*a)``; it also keeps the next step in range.
2. ``y = |a - 2*rint(a/2)|`` in ``[0, 1]``: exact (``a/2``, ``rint``, ``2*k``
   and the subtraction are all exact), so huge steps lose nothing.
   ``rint(v)`` is ``(v + 2**52) - 2**52`` (exact for ``0 <= v <= 2**52``, ties
   to even), which needs no ``floor`` intrinsic on either target.
3. ``n = rint(2*y)`` in ``{0, 1, 2}`` and ``r = y - n/2`` in ``[-1/4, 1/4]``
   (exact), so ``cos(pi*y)`` is ``cos(pi*r)``, ``-sin(pi*r)`` or ``-cos(pi*r)``.
4. Both ``cos(pi*r)`` and ``sin(pi*r)`` are evaluated and one is selected.
   Their leading terms ``1 - (pi**2/2)*r**2`` and ``pi*r`` are computed in
   double-double without FMA: ``r = rh + rl`` (Veltkamp split, ``rh`` has 17
   bits), ``pi`` and ``pi**2/2`` are split into a short head (35 and 19 bits)
   and a tail, so ``PI_HI*rh`` and ``C1_HI*rh*rh`` are exact products and
   ``1 + C1_HI*rh*rh`` is captured by a fast two-sum.  The remaining terms are
   polynomials in ``z = r*r`` (minimax-like weighted fits at 256 bits with
   coefficient-by-coefficient rounding to double and refitting of the rest;
   fit error below ``2**-63`` relative), so the result is the sum of an exact
   head and a tail at most ~0.1 of it: the error is below 0.8 ulp of the exact
   value (measured maximum 0.77 ulp, at ``|r|`` near 1/4 on the sine side).
5. ``+ (x - x)`` turns ``inf``/``nan`` into ``nan`` and the ``-0.0`` of
   ``-sin(pi*0)`` into ``+0.0`` (``x - x`` is ``+0.0`` for finite ``x``).

All operations are IEEE ``+ - *`` and ``|.|`` in float64 round-to-nearest, so
the result is the same bits on every CPU.  On CUDA, NVVM contracts ``a*b + c``
into FMA by default (20 of them in cospi's PTX): the reduction (steps 1-3) has
only exact products and is unchanged; the tails may round differently.  The
same source compiled on the CPU with LLVM's ``contract`` flag (the same 20
FMAs) stays within 1 ulp of the correctly rounded value and differs from the
CPU bits by 1 ulp on ~0.4% of arguments (``tests/test_cospi.py``), far inside
lrjit's 1e-12 CUDA contract.
"""

import math

from .._jit import jit

__all__ = ["cospi", "cos_turns"]

# rint(v) = (v + _RINT) - _RINT for 0 <= v <= 2**52.
_RINT = 4503599627370496.0  # 2**52
_EVEN = 9007199254740992.0  # 2**53: every double >= this is an even integer
_SPLIT = 68719476737.0  # 2**36 + 1: Veltkamp split, the head keeps 17 bits

# pi = _PI_HI + _PI_LO, _PI_HI with 35 significant bits (_PI_HI * 17 bits exact).
_PI_HI = 3.1415926535846666  # 0x1.921fb54440000p+1
_PI_LO = 5.126688303189038e-12  # 0x1.68c234c4c6629p-38
# -pi**2/2 = _C1_HI + _C1_LO, _C1_HI with 19 significant bits (* 34 bits exact).
_C1 = -4.934802200544679  # -0x1.3bd3cc9be45dep+2
_C1_HI = -4.9347991943359375  # -0x1.3bd3c00000000p+2
_C1_LO = -3.0062087418094174e-06  # -0x1.937c8bbcb495cp-19

# (sin(pi*r) - pi*r) / r**3 ~ S3 + S5*z + ... + S15*z**6, z = r*r, |r| <= 1/4.
_S3 = -5.16771278004997  # -0x1.4abbce625be53p+2
_S5 = 2.5501640398774  # 0x1.466bc6775ab5dp+1
_S7 = -0.5992645293254975  # -0x1.32d2cce636314p-1
_S9 = 0.08214588680178973  # 0x1.50783495089f3p-4
_S11 = -0.00737043479556306  # -0x1.e30760677c856p-8
_S13 = 0.0004663371977008666  # 0x1.e8fd7035629fcp-12
_S15 = -2.195660661020972e-05  # -0x1.705ee84640fa2p-16
# (cos(pi*r) - 1 + (pi**2/2)*r**2) / r**4 ~ C4 + C6*z + ... + C14*z**5.
_C4 = 4.058712126416761  # 0x1.03c1f081b5abcp+2
_C6 = -1.3352627688531273  # -0x1.55d3c7e3ca641p+0
_C8 = 0.2353306302417323  # 0x1.e1f50685151cdp-3
_C10 = -0.025806886769177657  # -0x1.a6d1edabda345p-6
_C12 = 0.0019294780526856157  # 0x1.f9cd1489dd9f5p-10
_C14 = -0.0001036213045418667  # -0x1.b29e874ea9951p-14


@jit
def cospi(x):
    """``cos(pi * x)`` for float64 ``x``, correctly reduced, within 1 ulp.

    .. math::

        \\operatorname{cospi}(x) = \\cos(\\pi x)

    computed without forming ``pi * x``: the argument is reduced exactly in
    half-turns (``x`` modulo 2), so ``cospi`` of a huge step is as accurate
    as of a small one, then ``cos(pi r)`` or ``sin(pi r)``, ``|r| <= 1/4``, is
    evaluated by a polynomial with a double-double leading term.

    Parameters
    ----------
    x : float
        The argument in half-turns (float32 and integers are converted to
        float64 exactly).

    Returns
    -------
    float
        Within 1 ulp of the correctly rounded ``cos(pi*x)``: measured against
        mpmath at 160 bits on 8 million arguments (``tests/test_cospi.py``),
        at most 1 ulp from the correctly rounded value (98.7% of them equal
        to it) and at most 0.77 ulp from the exact value.  Exact values:
        ``cospi(n) == (-1)**n`` and ``cospi(n + 0.5) == +0.0`` for every
        integer ``n``; ``cospi(x) == cospi(-x)``; ``|cospi(x)| <= 1``;
        ``nan`` for ``inf`` and ``nan``.  libm's ``math.cos(math.pi * x)``
        differs: it rounds ``pi*x`` first, an absolute error up to
        ``pi*|x|*2**-53`` in the argument (``math.cos(math.pi * 0.5)`` is
        ``6.1e-17``; for ``x`` in [0, 1] the two differ by at most ~3e-16
        absolute, several ulps where the cosine is small).

    Notes
    -----
    No branches: the quadrant is a ``select``, so a loop such as
    ``out[i] = cospi(i / T)`` in ``@njit`` code is vectorized by LLVM.
    Bitwise deterministic on the CPU (no fastmath, no FMA).

    Examples
    --------
    >>> from lrjit.kernels.cospi import cospi
    >>> cospi(0.0), cospi(1.0), cospi(0.5), cospi(2.0**60 + 2048.0)
    (1.0, -1.0, 0.0, 1.0)

    ``1/3`` rounds to a double just below it; ``cospi`` rounds the cosine of
    that double correctly, libm's cosine of the rounded ``pi/3`` does not:

    >>> import math
    >>> cospi(1.0 / 3.0), math.cos(math.pi / 3.0)
    (0.5, 0.5000000000000001)

    In a user's ``@njit`` loop (it vectorizes):

    >>> import numba, numpy as np
    >>> @numba.njit
    ... def factors(n, T):
    ...     out = np.empty(n)
    ...     for t in range(n):
    ...         out[t] = (1.0 + cospi(t / T)) / 2.0
    ...     return out
    >>> factors(5, 4.0)
    array([1.        , 0.85355339, 0.5       , 0.14644661, 0.        ])
    """
    xf = float(x)
    a = abs(xf)
    a = _EVEN if a > _EVEN else a  # nan stays nan
    k = (0.5 * a + _RINT) - _RINT  # rint(a/2), exact
    y = abs(a - 2.0 * k)  # |x| mod 2 folded to [0, 1], exact
    n = (2.0 * y + _RINT) - _RINT  # 0, 1 or 2
    r = y - 0.5 * n  # [-1/4, 1/4], exact

    c = _SPLIT * r
    rh = c - (c - r)  # 17 bits
    rl = r - rh
    z = r * r

    # sin(pi*r) = PI_HI*rh (exact) + [PI_HI*rl + r*(PI_LO + z*P(z))]
    sp = _S13 + z * _S15
    sp = _S11 + z * sp
    sp = _S9 + z * sp
    sp = _S7 + z * sp
    sp = _S5 + z * sp
    sp = _S3 + z * sp
    s = _PI_HI * rh + (_PI_HI * rl + r * (_PI_LO + z * sp))

    # cos(pi*r) = [1 + C1_HI*rh*rh] (two-sum) + [C1_LO*rh*rh + C1*rl*(r+rh) + z*z*Q(z)]
    cq = _C12 + z * _C14
    cq = _C10 + z * cq
    cq = _C8 + z * cq
    cq = _C6 + z * cq
    cq = _C4 + z * cq
    rh2 = rh * rh
    p = _C1_HI * rh2
    hi = 1.0 + p
    lo = (1.0 - hi) + p
    c = hi + (lo + ((_C1_LO * rh2 + _C1 * (rl * (r + rh))) + (z * z) * cq))

    v = s if n == 1.0 else c
    v = v if n == 0.0 else -v
    return v + (xf - xf)


@jit
def cos_turns(t, period, libm_cos):
    """``cos(pi * t / period)``: the cosine every cosine family of lrjit evaluates.

    ``libm_cos`` is a per-piece choice stored in the program row (the trailing
    kernel parameter of every cosine family): ``0`` (the default of every core
    factory) is :func:`cospi` ``(t / period)``, within 1 ulp of the correctly
    rounded cosine of the rounded ratio; any other value is libm's
    ``math.cos(math.pi * t / period)`` in torch's operation order, which the
    torch front-end (:mod:`lrjit.optim`) passes to stay bitwise equal to torch.
    The choice is the same for every step of a piece, so LLVM hoists it out of
    a table loop (loop unswitching) and the cospi loop still vectorizes.

    >>> cos_turns(1.0, 3.0, 0.0), cos_turns(1.0, 3.0, 1.0)
    (0.5, 0.5000000000000001)
    """
    if libm_cos != 0.0:
        return math.cos(math.pi * t / period)
    return cospi(t / period)
