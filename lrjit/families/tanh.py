"""Hyperbolic-tangent decay (timm's ``TanhLRScheduler``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import check_count, check_real, check_value
from .._jit import jit
from ..kernels.exp import exp
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 13


@jit
def tanh_kernel(step, init_value, decay_steps, end_value, lower, upper):
    """timm's tanh decay at ``step``: ``end + (init - end) / (1 + exp(2 x))``.

    .. math::

        \\eta(t) = e + \\tfrac12 (i - e)\\bigl(1 - \\tanh x\\bigr)
                  = e + \\frac{i - e}{1 + \\exp(2x)},
        \\qquad x = \\ell\\,(1 - t/T) + u\\,t/T

    for ``t < T = decay_steps``, ``end_value`` from ``T`` on.  The right-hand
    form has no cancellation where ``tanh(x)`` is near 1 (timm's
    ``1 - tanh(x)`` loses ~7 bits at ``x = 3``, all of them from ``x = 19.06``),
    and its ``exp`` is :func:`lrjit.kernels.exp.exp`, so a table loop
    vectorizes.  Within ~1e-15 relative of timm 1.0's ``TanhLRScheduler``
    where timm's own rounding allows (``tests/test_peers.py``), not bitwise.

    >>> tanh_kernel(50.0, 1.0, 100.0, 0.0, -1.0, 1.0)
    0.5
    >>> tanh_kernel(99.0, 1.0, 100.0, 0.0, -7.0, 20.0)  # x = 19.73: timm's 1 - tanh(x) is 0.0
    7.290205055072605e-18
    """
    r = step / decay_steps
    x = lower * (1.0 - r) + upper * r
    # |x| <= 1e6 (the factory's bounds): exp gives inf or 0, the value end or init
    v = end_value + (init_value - end_value) / (1.0 + exp(2.0 * x))
    # a select, not an early return: LLVM inlines a one-block kernel into a table loop
    return float(end_value) if step >= decay_steps else v


def tanh(init_value, decay_steps, *, end_value=0.0, lower=-7.0, upper=3.0) -> Schedule:
    """A tanh-shaped decay from about ``init_value`` to ``end_value`` over ``decay_steps``.

    timm 1.0's ``TanhLRScheduler`` (``lb``, ``ub`` = ``lower``, ``upper``;
    ``lr_min`` = ``end_value``; one cycle)::

        end + 0.5 * (init - end) * (1 - tanh(x))   t < T,  x = lower * (1 - t/T) + upper * t/T
        end                                        t >= T

    computed as ``end + (init - end) / (1 + exp(2 * x))``, the same function
    (:func:`tanh_kernel`): within 1e-12 relative of timm's formula wherever
    that formula is itself good to 1e-12 (``x`` up to ~4.9; at timm's
    defaults the whole schedule, measured 8.6e-15), within 2 ulps of the
    exact value everywhere, where timm's ``1 - tanh(x)`` loses bits as ``x``
    grows (50 ulps at its default ``upper = 3``, every bit from
    ``x = 19.06``).  Not bitwise equal to timm.

    The value starts just below ``init_value`` (``(1 - tanh(-7)) / 2`` of
    it).  timm's warmup overlays the first steps: see the warmup combinator.

    >>> import lrjit
    >>> s = lrjit.tanh(1.0, decay_steps=100, lower=-1.0, upper=1.0)
    >>> s(50), s(100)
    (0.5, 0.0)
    >>> lrjit.tanh(1.0, decay_steps=100, upper=20.0)(99)  # timm's formula gives 0.0
    7.290205055072605e-18
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "decay_steps": check_count("decay_steps", decay_steps),
        "end_value": check_value("end_value", end_value),
        "lower": check_real("lower", lower, -1e6, 1e6),
        "upper": check_real("upper", upper, -1e6, 1e6),
    }
    if not args["lower"] < args["upper"]:
        raise ValueError(f"lower must be < upper={args['upper']}, got {args['lower']}")
    return FAMILY.schedule(args, args["decay_steps"])


FAMILY = register("tanh", tanh, tanh_kernel, CODE)
