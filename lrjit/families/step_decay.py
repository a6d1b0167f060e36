"""Step decay: ``init_value * gamma ** floor(t / step_size)`` (torch's ``StepLR``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import check_count, check_real, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 2


@jit
def step_decay_kernel(step, init_value, step_size, gamma):
    """``init_value * gamma ** floor(step / step_size)`` (torch's StepLR).

    >>> step_decay_kernel(25.0, 1.0, 10.0, 0.5)
    0.25
    """
    # A float exponent: Numba's float**int is a multiply loop, libm's pow is
    # what Python (and torch's closed form) computes.
    return init_value * gamma ** float(math.floor(step / step_size))


@jit
def step_decay_run(step, step_size):
    """How many steps from ``step`` on have the kernel's value at ``step``.

    Those up to the next multiple of ``step_size``, when the kernel's own
    ``floor(step / step_size)`` is the same at the last of them (it is
    monotone in the step, so then at every one); else 1.

    >>> step_decay_run(25.0, 10.0)
    5.0
    """
    k = math.floor(step / step_size)
    count = math.ceil((k + 1.0) * step_size - step)
    if math.floor((step + (count - 1.0)) / step_size) != k:
        return 1.0  # beyond 2**53 / step_size the division rounds up early
    return float(count)


def step_decay(init_value, step_size, *, gamma=0.1) -> Schedule:
    """``init_value * gamma ** floor(t / step_size)``: torch's StepLR.

    >>> import lrjit
    >>> lrjit.step_decay(1.0, step_size=10, gamma=0.5)(25)
    0.25
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "step_size": check_count("step_size", step_size),
        "gamma": check_real("gamma", gamma, 0.0, 1.0, low_open=True),
    }
    return FAMILY.schedule(args, args["step_size"])


FAMILY = register("step_decay", step_decay, step_decay_kernel, CODE)
