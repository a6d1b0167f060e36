"""Exponential decay: ``init_value * gamma ** t`` (torch's ``ExponentialLR`` closed form)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import check_real, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 3


@jit
def exponential_kernel(step, init_value, gamma):
    """``init_value * gamma ** step`` (torch's ExponentialLR closed form).

    >>> exponential_kernel(3.0, 1.0, 0.5)
    0.125
    """
    return init_value * gamma ** float(step)


def exponential(init_value, gamma) -> Schedule:
    """``init_value * gamma ** t``: torch's ExponentialLR, for ``0 < gamma <= 1``.

    >>> import lrjit
    >>> lrjit.exponential(1.0, gamma=0.5)(3)
    0.125
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "gamma": check_real("gamma", gamma, 0.0, 1.0, low_open=True),
    }
    g = args["gamma"]
    horizon = 0 if g == 1.0 else math.ceil(-1.0 / math.log(g))
    return FAMILY.schedule(args, horizon)


FAMILY = register("exponential", exponential, exponential_kernel, CODE)
