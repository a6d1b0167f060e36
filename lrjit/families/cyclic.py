"""Triangular cycles: torch's ``CyclicLR``, in torch 2.13's operation order.

Its shapes (:func:`cyclic_position`, :func:`cyclic_scale`) are shared with the
torch front-end.  For Python-float learning rates the values are bitwise equal
to torch's ``get_lr()``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import check_choice, check_count, check_real, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

__all__ = [
    "SCALE_TRIANGULAR",
    "SCALE_TRIANGULAR2",
    "SCALE_EXP_RANGE",
    "SCALE_BY_CYCLE",
    "SCALE_BY_ITERATION",
    "cyclic_position",
    "cyclic_scale",
    "cyclic_kernel",
    "cyclic",
]

CODE = 8

# mode (scale function) codes
SCALE_TRIANGULAR = 0.0
SCALE_TRIANGULAR2 = 1.0
SCALE_EXP_RANGE = 2.0
# what the scale function is applied to
SCALE_BY_CYCLE = 0.0
SCALE_BY_ITERATION = 1.0

_MODES = {
    "triangular": SCALE_TRIANGULAR,
    "triangular2": SCALE_TRIANGULAR2,
    "exp_range": SCALE_EXP_RANGE,
}
# torch's choice for each mode when scale_mode is "auto"
_AUTO_SCALE = {"triangular": "cycle", "triangular2": "cycle", "exp_range": "iterations"}
_SCALE_BY = {"cycle": SCALE_BY_CYCLE, "iterations": SCALE_BY_ITERATION}


@jit
def cyclic_position(step, total_size, step_ratio):
    """``(cycle, fraction)``: torch's CyclicLR position within a triangle.

    ``cycle = floor(1 + t / total_size)`` counts from 1; ``x = 1 + t /
    total_size - cycle`` is the position within it, and the fraction of the
    way up is ``x / step_ratio`` while rising, ``(x - 1) / (step_ratio - 1)``
    while falling.

    >>> cyclic_position(3.0, 4.0, 0.5)
    (1.0, 0.5)
    """
    q = step / total_size
    cycle = math.floor(1.0 + q)
    x = 1.0 + q - cycle
    if x <= step_ratio:
        return float(cycle), x / step_ratio
    # LLVM may evaluate both branches; with no fall (step_ratio == 1) this one is
    # never taken, and a dummy denominator keeps a NumPy ufunc from warning.
    fall = step_ratio - 1.0 if step_ratio != 1.0 else -1.0
    return float(cycle), (x - 1.0) / fall


@jit
def cyclic_scale(x, mode, gamma):
    """torch's CyclicLR scale functions: 1, ``1 / 2 ** (x - 1)`` or ``gamma ** x``.

    >>> cyclic_scale(3.0, SCALE_TRIANGULAR2, 1.0)
    0.25
    """
    if mode == SCALE_TRIANGULAR2:
        return 1.0 / (2.0 ** (x - 1.0))
    if mode == SCALE_EXP_RANGE:
        return gamma**x
    return 1.0


@jit
def cyclic_kernel(step, init_value, peak_value, up_steps, down_steps, mode, gamma, scale_mode):
    """torch's CyclicLR: triangles from ``init_value`` up to ``peak_value`` and back.

    With ``total = up_steps + down_steps``, ``(cycle, f) =
    cyclic_position(step, total, up_steps / total)`` and ``x = cycle``
    (``scale_mode`` :data:`SCALE_BY_CYCLE`) or ``x = step``
    (:data:`SCALE_BY_ITERATION`)::

        init_value + (peak_value - init_value) * f * cyclic_scale(x, mode, gamma)

    >>> cyclic_kernel(3.0, 0.0, 1.0, 2.0, 2.0, SCALE_TRIANGULAR, 1.0, SCALE_BY_CYCLE)
    0.5
    >>> cyclic_kernel(5.0, 0.0, 1.0, 2.0, 2.0, SCALE_TRIANGULAR2, 1.0, SCALE_BY_CYCLE)
    0.25
    """
    total_size = up_steps + down_steps
    cycle, fraction = cyclic_position(step, total_size, up_steps / total_size)
    x = cycle if scale_mode == SCALE_BY_CYCLE else step
    base_height = (peak_value - init_value) * fraction
    return init_value + base_height * cyclic_scale(x, mode, gamma)


def cyclic(
    init_value, peak_value, up_steps, down_steps, *, mode="triangular", gamma=1.0,
    scale_mode="auto",
) -> Schedule:
    """Triangular cycles between ``init_value`` and ``peak_value`` (torch's ``CyclicLR``).

    A cycle rises for ``up_steps`` and falls for ``down_steps``.  With
    ``C = up_steps + down_steps``, ``cycle = floor(1 + t / C)`` and
    ``x = 1 + t / C - cycle``, the fraction of the way up is ``f = x / r`` for
    ``x <= r = up_steps / C``, else ``(x - 1) / (r - 1)``, and the value is::

        init_value + (peak_value - init_value) * f * scale

    with ``scale`` ``1`` (``mode="triangular"``), ``1 / 2 ** (n - 1)``
    (``"triangular2"``) or ``gamma ** n`` (``"exp_range"``), where ``n`` is
    the cycle (``scale_mode="cycle"``) or the step (``"iterations"``);
    ``"auto"`` picks torch's choice for the mode: the cycle for the
    triangular modes, the step for ``exp_range``.  Bitwise
    equal to torch's ``CyclicLR`` learning rates.

    Parameters
    ----------
    init_value, peak_value : float
        torch's ``base_lr`` and ``max_lr``.
    up_steps : int
        ``>= 1``.
    down_steps : int
        ``>= 0`` (torch's ``step_size_down``; torch's default is ``up_steps``).
    mode : {"triangular", "triangular2", "exp_range"}
    gamma : float
        ``exp_range``'s factor, in ``(0, 1]``.
    scale_mode : {"auto", "cycle", "iterations"}
        Stored resolved (``"auto"`` becomes ``"cycle"`` or ``"iterations"``).

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.cyclic(0.0, 1.0, up_steps=2, down_steps=2, mode="triangular2")
    >>> [s(t) for t in range(9)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.25, 0.5, 0.25, 0.0]
    """
    mode = check_choice("mode", mode, tuple(_MODES))
    scale_mode = check_choice("scale_mode", scale_mode, ("auto", *_SCALE_BY))
    args = {
        "init_value": check_value("init_value", init_value),
        "peak_value": check_value("peak_value", peak_value),
        "up_steps": check_count("up_steps", up_steps),
        "down_steps": check_count("down_steps", down_steps, minimum=0),
        "mode": mode,
        "gamma": check_real("gamma", gamma, 0.0, 1.0, low_open=True),
        "scale_mode": _AUTO_SCALE[mode] if scale_mode == "auto" else scale_mode,
    }
    horizon = args["up_steps"] + args["down_steps"]
    return FAMILY.schedule(args, horizon)


FAMILY = register(
    "cyclic", cyclic, cyclic_kernel, CODE, choices={"mode": _MODES, "scale_mode": _SCALE_BY}
)
