"""Cosine annealing with warm restarts, SGDR (torch's ``CosineAnnealingWarmRestarts``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import check_count, check_value
from .._jit import jit
from ..kernels.cospi import cos_turns
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 9


@jit
def cosine_restarts_kernel(step, init_value, decay_steps, end_value, period_mult, libm_cos=0.0):
    """Cosine annealing with warm restarts (SGDR, torch's CosineAnnealingWarmRestarts).

    Period ``i`` lasts ``T_i = decay_steps * period_mult ** i`` steps; within
    it, with ``t`` steps since its start::

        end_value + (init_value - end_value) * (1 + cos(pi * t / T_i)) / 2

    The period is found exactly (integer arithmetic in float64), for whole
    and fractional steps: this is torch's value when it is stepped one by
    one, not its ``step(epoch)`` closed form, whose ``log`` can round a
    restart into the previous period.  The cosine is ``cospi`` (``libm_cos``
    0, core schedules) or libm's in torch's order (1), as in ``cosine_kernel``.

    >>> cosine_restarts_kernel(10.0, 1.0, 10.0, 0.0, 2.0)  # a restart
    1.0
    >>> round(cosine_restarts_kernel(20.0, 1.0, 10.0, 0.0, 2.0), 12)  # halfway through 20 steps
    0.5
    """
    if not period_mult >= 1.0:
        # shrinking periods never cover a late step (the loop below would not end)
        return math.nan
    if period_mult == 1.0:
        t = step % decay_steps
        period = decay_steps
    else:
        start = 0.0
        period = decay_steps
        while step >= start + period:
            start += period
            period *= period_mult
        t = step - start
    return end_value + (init_value - end_value) * (1.0 + cos_turns(t, period, libm_cos)) / 2.0


def cosine_restarts(init_value, decay_steps, end_value=0.0, period_mult=1) -> Schedule:
    """Cosine annealing with warm restarts, SGDR (torch's ``CosineAnnealingWarmRestarts``).

    Period ``i`` lasts ``T_i = decay_steps * period_mult ** i`` steps and
    restarts at ``init_value``; ``t`` steps into it the value is::

        end_value + (init_value - end_value) * (1 + cos(pi * t / T_i)) / 2

    The period is found exactly, for whole and fractional steps: bitwise
    torch's values when it is stepped one epoch at a time (torch's
    ``step(epoch)`` finds the period with a ``log`` that can round a restart
    into the previous period).

    Parameters
    ----------
    init_value : float
        Value at each restart (torch's base learning rate).
    decay_steps : int
        First period, ``>= 1`` (torch's ``T_0``).
    end_value : float
        The minimum (torch's ``eta_min``).
    period_mult : int
        Growth of the period at each restart, ``>= 1`` (torch's ``T_mult``).

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.cosine_restarts(1.0, decay_steps=10, period_mult=2)
    >>> s(0), s(10), s(30), round(s(20), 12)
    (1.0, 1.0, 1.0, 0.5)
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "decay_steps": check_count("decay_steps", decay_steps),
        "end_value": check_value("end_value", end_value),
        "period_mult": check_count("period_mult", period_mult),
    }
    return FAMILY.schedule(args, args["decay_steps"])


FAMILY = register("cosine_restarts", cosine_restarts, cosine_restarts_kernel, CODE)
