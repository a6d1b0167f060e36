"""Cosine annealing (optax's ``cosine_decay_schedule``, torch's ``CosineAnnealingLR``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import check_count, check_flag, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 5


@jit
def cosine_kernel(step, init_value, decay_steps, end_value, periodic):
    """Cosine annealing from ``init_value`` to ``end_value`` over ``decay_steps``.

    ``end + (init - end) * (1 + cos(pi * t / T)) / 2`` with ``T = decay_steps``
    and ``t = step``, in torch's operation order.  When ``periodic`` is 0 the
    step is held at ``T`` (the value stays at ``end_value``); otherwise the
    cosine goes on, as torch's CosineAnnealingLR does.

    >>> cosine_kernel(50.0, 1.0, 100.0, 0.0, 0.0)
    0.5
    """
    t = float(step)
    if periodic == 0 and t > decay_steps:
        t = float(decay_steps)
    return end_value + (init_value - end_value) * (1.0 + math.cos(math.pi * t / decay_steps)) / 2.0


def cosine(init_value, decay_steps, end_value=0.0, periodic=False) -> Schedule:
    """Cosine annealing: ``end + (init - end) * (1 + cos(pi * t / T)) / 2``, ``T = decay_steps``.

    After ``T`` the value is held at ``end_value``; with ``periodic=True`` the
    cosine goes on (back up to ``init_value`` at ``2T``), as torch's
    CosineAnnealingLR does.

    >>> import lrjit
    >>> s = lrjit.cosine(1.0, decay_steps=100, end_value=0.1)
    >>> s(0), s(100), s(150)
    (1.0, 0.1, 0.1)
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "decay_steps": check_count("decay_steps", decay_steps),
        "end_value": check_value("end_value", end_value),
        "periodic": check_flag("periodic", periodic),
    }
    return FAMILY.schedule(args, args["decay_steps"])


FAMILY = register("cosine", cosine, cosine_kernel, CODE)
