"""Polynomial decay to an end value (optax's ``polynomial_schedule``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import check_count, check_real, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 4


@jit
def polynomial_kernel(step, init_value, end_value, power, transition_steps):
    """``(init - end) * (1 - min(step, T)/T) ** power + end``, ``T = transition_steps``.

    >>> polynomial_kernel(50.0, 1.0, 0.0, 2.0, 100.0)
    0.25
    """
    frac = 1.0 - min(step, transition_steps) / transition_steps
    return (init_value - end_value) * frac**power + end_value


def polynomial(init_value, end_value, power, transition_steps) -> Schedule:
    """``(init - end) * (1 - min(t, T) / T) ** power + end``, ``T = transition_steps``.

    optax's ``polynomial_schedule`` (without ``transition_begin``).

    >>> import lrjit
    >>> lrjit.polynomial(1.0, 0.0, power=2.0, transition_steps=100)(50)
    0.25
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "end_value": check_value("end_value", end_value),
        "power": check_real("power", power, 0.0, 1e6),
        "transition_steps": check_count("transition_steps", transition_steps),
    }
    return FAMILY.schedule(args, args["transition_steps"])


FAMILY = register("polynomial", polynomial, polynomial_kernel, CODE)
