"""The constant schedule: one value at every step (optax's ``constant_schedule``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 0


@jit
def constant_kernel(step, value):
    """``value`` at every step.

    >>> constant_kernel(7.0, 0.1)
    0.1
    """
    return float(value)


def constant(value) -> Schedule:
    """``value`` at every step.

    >>> import lrjit
    >>> lrjit.constant(0.1)(1000)
    0.1
    """
    args = {"value": check_value("value", value)}
    return FAMILY.schedule(args, 0)


FAMILY = register("constant", constant, constant_kernel, CODE)
