"""Compiled scalar kernels, callable from Python and from your own ``@njit`` code.

Tier 1: one closed-form kernel per family (:data:`lrjit.families.REGISTRY`),
``lrjit.kernels.<family>(step, *params) -> float``, its parameters in the
order of the family's ``layout``.  Tier 2 (:mod:`.dispatch`): :func:`lr_at`,
which evaluates any :class:`lrjit.Schedule`, composed ones included, from its
public arrays.  The shapes the torch front-end shares (``anneal``,
``one_cycle_phases``, ``cyclic_position``, ``cyclic_scale``) and their codes
are here too.

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

from ..families._registry import REGISTRY
from ..families.cyclic import (
    SCALE_BY_CYCLE,
    SCALE_BY_ITERATION,
    SCALE_EXP_RANGE,
    SCALE_TRIANGULAR,
    SCALE_TRIANGULAR2,
    cyclic_position,
    cyclic_scale,
)
from ..families.one_cycle import ANNEAL_COS, ANNEAL_LINEAR, anneal, one_cycle_phases
from .dispatch import MAX_PARAMS, lr_at, piece_at

_FAMILY_KERNELS = [name for name, family in REGISTRY.items() if family.kernel is not None]
globals().update({name: REGISTRY[name].kernel for name in _FAMILY_KERNELS})

__all__ = [
    "MAX_PARAMS",
    "lr_at",
    "piece_at",
    *_FAMILY_KERNELS,
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
