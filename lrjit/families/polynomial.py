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
def polynomial_kernel(step, init_value, end_value, power, transition_steps, libm_pow=0.0):
    """``(init - end) * (1 - min(step, T)/T) ** power + end``, ``T = transition_steps``.

    For ``power == 2`` the core (``libm_pow`` 0) squares: ``frac * frac`` is
    correctly rounded (libm's ``pow(x, 2)`` is 1 ulp off on ~0.1% of ``x``
    here) and vectorizes, as NumPy's ``x ** 2`` does; ``libm_pow`` 1 (the
    torch front-end) keeps libm's ``pow``, torch's bits.

    >>> polynomial_kernel(50.0, 1.0, 0.0, 2.0, 100.0)
    0.25
    """
    frac = 1.0 - min(step, transition_steps) / transition_steps
    shape = frac * frac if power == 2.0 and libm_pow == 0.0 else frac**power
    return (init_value - end_value) * shape + end_value


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
