"""Inverse time decay (keras' ``InverseTimeDecay``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import check_count, check_flag, check_real, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 12


@jit
def inverse_time_kernel(step, init_value, decay_steps, decay_rate, staircase):
    """``init / (1 + rate * p)``, ``p = step / decay_steps`` (floored when ``staircase`` is 1).

    keras 3's ``InverseTimeDecay`` in its operation order.

    >>> inverse_time_kernel(10.0, 1.0, 10.0, 1.0, 0.0)
    0.5
    """
    p = step / decay_steps
    if staircase != 0.0:
        p = math.floor(p)
    return init_value / (1.0 + decay_rate * p)


def inverse_time(init_value, decay_steps, decay_rate, *, staircase=False) -> Schedule:
    """``init_value / (1 + decay_rate * t / decay_steps)``: keras 3's ``InverseTimeDecay``.

    With ``staircase=True`` the ratio ``t / decay_steps`` is floored (the value
    drops once every ``decay_steps``).  keras 3's positional order; bitwise
    its float64 values (its operation order).  A ``decay_rate`` of 0 is an
    error (a constant is :func:`lrjit.constant`), as are zero lengths.

    >>> import lrjit
    >>> s = lrjit.inverse_time(0.1, decay_steps=100, decay_rate=0.5)
    >>> s(0), s(200)
    (0.1, 0.05)
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "decay_steps": check_count("decay_steps", decay_steps),
        "decay_rate": check_real("decay_rate", decay_rate, 0.0, 1e300, low_open=True),
        "staircase": check_flag("staircase", staircase),
    }
    # it never settles: the horizon is where the value has halved
    half = args["decay_steps"] / args["decay_rate"]  # inf for a tiny rate
    horizon = math.ceil(half) if half < 2**53 else 2**53
    return FAMILY.schedule(args, horizon)


FAMILY = register("inverse_time", inverse_time, inverse_time_kernel, CODE)
