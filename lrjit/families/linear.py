"""Linear ramp between two values (optax's ``linear_schedule``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import check_count, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 1


@jit
def linear_kernel(step, init_value, end_value, transition_steps, transition_begin):
    """Linear ramp from ``init_value`` to ``end_value``.

    With ``u = step - transition_begin`` and ``T = transition_steps``::

        init_value                                  u <= 0
        init_value + (end_value - init_value)*(u/T)  0 < u < T
        end_value                                   u >= T

    >>> linear_kernel(150.0, 1.0, 0.0, 100.0, 100.0)
    0.5
    """
    u = step - transition_begin
    if u <= 0.0:
        return float(init_value)
    if u >= transition_steps:
        return float(end_value)
    return init_value + (end_value - init_value) * (u / transition_steps)


def linear(init_value, end_value, transition_steps, *, transition_begin=0) -> Schedule:
    """Linear ramp from ``init_value`` to ``end_value``.

    With ``u = t - transition_begin`` and ``T = transition_steps``, the value is
    ``init_value`` for ``u <= 0``, ``init_value + (end_value - init_value) * u / T``
    for ``0 < u < T`` and ``end_value`` for ``u >= T``.

    >>> import lrjit
    >>> s = lrjit.linear(0.0, 1.0, transition_steps=100, transition_begin=50)
    >>> s(0), s(100), s(1000)
    (0.0, 0.5, 1.0)
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "end_value": check_value("end_value", end_value),
        "transition_steps": check_count("transition_steps", transition_steps),
        "transition_begin": check_count("transition_begin", transition_begin, minimum=0),
    }
    horizon = args["transition_begin"] + args["transition_steps"]
    return FAMILY.schedule(args, horizon)


FAMILY = register("linear", linear, linear_kernel, CODE)
