"""Hyperbolic-tangent decay (timm's ``TanhLRScheduler``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import check_count, check_real, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 13


@jit
def tanh_kernel(step, init_value, decay_steps, end_value, lower, upper):
    """``end + 0.5 * (init - end) * (1 - tanh(lower * (1 - r) + upper * r))``, ``r = step / T``.

    timm 1.0's ``TanhLRScheduler`` (one cycle) in its operation order; from
    ``T = decay_steps`` on, ``end_value``.

    >>> tanh_kernel(50.0, 1.0, 100.0, 0.0, -1.0, 1.0)
    0.5
    """
    if step >= decay_steps:
        return float(end_value)
    r = step / decay_steps
    return end_value + 0.5 * (init_value - end_value) * (
        1.0 - math.tanh(lower * (1.0 - r) + upper * r)
    )


def tanh(init_value, decay_steps, *, end_value=0.0, lower=-7.0, upper=3.0) -> Schedule:
    """A tanh-shaped decay from about ``init_value`` to ``end_value`` over ``decay_steps``.

    timm 1.0's ``TanhLRScheduler`` (``lb``, ``ub`` = ``lower``, ``upper``;
    ``lr_min`` = ``end_value``; one cycle), bitwise::

        end + 0.5 * (init - end) * (1 - tanh(lower * (1 - t/T) + upper * t/T))   t < T
        end                                                                 t >= T

    The value starts just below ``init_value`` (``(1 - tanh(-7)) / 2`` of
    it).  timm's warmup overlays the first steps: see the warmup combinator.

    >>> import lrjit
    >>> s = lrjit.tanh(1.0, decay_steps=100, lower=-1.0, upper=1.0)
    >>> s(50), s(100)
    (0.5, 0.0)
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
