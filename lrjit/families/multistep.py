"""Multi-step decay: torch's ``MultiStepLR``.

Its kernel takes the milestones as an array; its programs are joins of
constants (one piece per distinct milestone), so it needs no code of its own.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING

from .._checks import check_count, check_real, check_sequence, check_value
from .._jit import jit
from . import constant
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule


@jit
def multistep_kernel(step, init_value, gamma, milestones):
    """``init_value * gamma ** (number of milestones <= step)``.

    ``milestones`` is a sorted float64 array; a repeated milestone counts
    twice.

    >>> import numpy as np
    >>> multistep_kernel(30.0, 1.0, 0.5, np.array([10.0, 20.0, 20.0, 40.0]))
    0.125
    """
    count = 0
    for m in milestones:
        if m > step:
            break
        count += 1
    return init_value * gamma ** float(count)


def multistep(init_value, milestones, *, gamma=0.1) -> Schedule:
    """``init_value * gamma ** (number of milestones <= t)``: torch's MultiStepLR.

    ``milestones`` are steps in any order; a repeated milestone compounds.
    The program is a :func:`join` of constants, one per distinct milestone.

    >>> import lrjit
    >>> s = lrjit.multistep(1.0, milestones=[10, 20, 20], gamma=0.5)
    >>> s(9), s(10), s(20)
    (1.0, 0.5, 0.125)
    """
    init_value = check_value("init_value", init_value)
    gamma = check_real("gamma", gamma, 0.0, math.inf, low_open=True)
    milestones = check_sequence("milestones", milestones, "integers >= 0")
    milestones = tuple(
        sorted(check_count(f"milestones[{i}]", m, minimum=0) for i, m in enumerate(milestones))
    )
    try:
        lowest = init_value * gamma ** float(len(milestones))
    except OverflowError:  # Python's float ** raises where the kernel would give inf
        lowest = math.inf
    if not math.isfinite(lowest) or lowest > 1e300:
        raise ValueError(
            f"gamma={gamma!r} over {len(milestones)} milestones takes init_value={init_value!r} "
            f"past 1e300; keep init_value * gamma ** len(milestones) in [0, 1e300]"
        )
    args = {"init_value": init_value, "milestones": milestones, "gamma": gamma}
    starts = sorted({0, *milestones})
    pieces = []
    for start in starts:
        passed = bisect_right(milestones, start)
        # The same expression as the kernel, so every path agrees bitwise.
        value = init_value * gamma ** float(passed)
        pieces.append((constant.CODE, [value], float(start)))
    horizon = milestones[-1] if milestones else 0
    return FAMILY.schedule(args, horizon, pieces)


FAMILY = register("multistep", multistep, multistep_kernel, sequences=("milestones",))
