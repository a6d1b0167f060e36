"""Linear or cosine interpolation between knots (optax's ``piecewise_interpolate_schedule``).

A join of ``linear`` or ``cosine`` pieces and a final constant: no kernel or
code of its own, so fills and the integral work on the pieces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import check_choice, check_value
from . import constant
from ._registry import register
from .cosine import cosine
from .linear import linear
from .piecewise_constant import check_boundaries_and_scales, cumulative_values

if TYPE_CHECKING:
    from ..schedule import Schedule

INTERPOLATE_TYPES = ("linear", "cosine")


def piecewise_interpolate(interpolate_type, init_value, boundaries_and_scales=None) -> Schedule:
    """optax 0.2.8's ``piecewise_interpolate_schedule``, its argument order.

    The knots are ``(0, v0 = init_value)`` and ``(b_k, v_k = v_{k-1} * s_k)``
    for each ``b_k: s_k`` of ``boundaries_and_scales`` (scales multiply, as in
    :func:`piecewise_constant`); between two knots the value goes from one to
    the next, ``v_{k-1} + (v_k - v_{k-1}) * u`` (``"linear"``: optax's
    operation order, which XLA may fuse into a multiply-add) or ``v_k +
    (v_{k-1} - v_k) * (1 + cos(pi u)) / 2`` (``"cosine"``), so optax's values
    to rounding, ``u = (t - b_{k-1}) / (b_k - b_{k-1})``; from the last knot
    on it is held.  The value at a boundary is its knot (optax).

    >>> import lrjit
    >>> s = lrjit.piecewise_interpolate("linear", 1.0, {4: 0.1, 8: 0.01})
    >>> s(2), s(4), round(s(6), 12), s(10)
    (0.55, 0.1, 0.0505, 0.001)
    """
    kind = check_choice("interpolate_type", interpolate_type, INTERPOLATE_TYPES)
    init = check_value("init_value", init_value)
    pairs = check_boundaries_and_scales(boundaries_and_scales)
    values = cumulative_values(init, pairs)
    knots = [0, *(b for b, _ in pairs)]
    pieces = []
    for k in range(1, len(knots)):
        length = knots[k] - knots[k - 1]
        if length == 0:  # a boundary at 0: an empty first interval
            continue
        if kind == "linear":
            piece = linear(values[k - 1], values[k], length)
        else:
            piece = cosine(values[k - 1], length, end_value=values[k])
        pieces.append((int(piece.kinds[0]), piece.params[0], float(knots[k - 1])))
    pieces.append((constant.CODE, [values[-1]], float(knots[-1])))
    args = {"interpolate_type": kind, "init_value": init, "boundaries_and_scales": pairs}
    return FAMILY.schedule(args, knots[-1], pieces)


FAMILY = register("piecewise_interpolate", piecewise_interpolate,
                  sequences=("boundaries_and_scales",))
