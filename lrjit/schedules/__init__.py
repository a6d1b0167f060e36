"""Schedule factories (tier 3) and the :class:`Schedule` they return."""

from ._core import FACTORIES, Schedule, from_dict
from .basic import (
    constant,
    cosine,
    exponential,
    join,
    linear,
    multistep,
    polynomial,
    step_decay,
    warmup_cosine,
)
from .cyclical import cosine_restarts, cyclic, one_cycle

__all__ = [
    "FACTORIES",
    "Schedule",
    "from_dict",
    "constant",
    "linear",
    "step_decay",
    "multistep",
    "exponential",
    "polynomial",
    "cosine",
    "warmup_cosine",
    "join",
    "one_cycle",
    "cyclic",
    "cosine_restarts",
]
