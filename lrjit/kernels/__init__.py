"""Compiled scalar kernels, callable from Python and from your own ``@njit`` code.

Tier 1 (:mod:`.families`): one closed-form kernel per family,
``name(step, *params) -> float``.  Tier 2 (:mod:`.dispatch`): :func:`lr_at`,
which evaluates any :class:`lrjit.Schedule`, composed ones included, from its
public arrays.

>>> import numba, lrjit
>>> from lrjit.kernels import cosine, lr_at
>>> s = lrjit.cosine(0.1, decay_steps=100)
>>> @numba.njit
... def total(kinds, params, starts, n):
...     acc = 0.0
...     for i in range(n):
...         acc += lr_at(kinds, params, starts, float(i)) - cosine(float(i), 0.1, 100.0, 0.0, 0)
...     return acc
>>> total(s.kinds, s.params, s.starts, 200)
0.0
"""

from .cyclical import (
    ANNEAL_COS,
    ANNEAL_LINEAR,
    SCALE_BY_CYCLE,
    SCALE_BY_ITERATION,
    SCALE_EXP_RANGE,
    SCALE_TRIANGULAR,
    SCALE_TRIANGULAR2,
    anneal,
    cosine_restarts,
    cyclic,
    cyclic_position,
    cyclic_scale,
    one_cycle,
    one_cycle_phases,
)
from .dispatch import MAX_PARAMS, lr_at, piece_at
from .families import (
    constant,
    cosine,
    exponential,
    linear,
    multistep,
    polynomial,
    step_decay,
    warmup_cosine,
)

__all__ = [
    "MAX_PARAMS",
    "lr_at",
    "piece_at",
    "constant",
    "linear",
    "step_decay",
    "multistep",
    "exponential",
    "polynomial",
    "cosine",
    "warmup_cosine",
    "one_cycle",
    "cyclic",
    "cosine_restarts",
    # shapes the torch front-end shares
    "anneal",
    "one_cycle_phases",
    "cyclic_position",
    "cyclic_scale",
    "ANNEAL_COS",
    "ANNEAL_LINEAR",
    "SCALE_TRIANGULAR",
    "SCALE_TRIANGULAR2",
    "SCALE_EXP_RANGE",
    "SCALE_BY_CYCLE",
    "SCALE_BY_ITERATION",
]
