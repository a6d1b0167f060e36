# ruff: noqa: I001
"""Every schedule family, one module each: its kernel, its factory, its registration.

A family module ``lrjit/families/<name>.py`` defines ``<name>_kernel``
(tier 1: ``kernel(step, *params) -> float``, ``math`` only, never raising),
the factory ``<name>`` (tier 3: checks its arguments, returns a
:class:`lrjit.Schedule`) and ends with ``FAMILY = register(...)``
(:mod:`._registry`).  Importing this package registers them all; everything
else lists families through :data:`REGISTRY`.

>>> from lrjit.families import REGISTRY
>>> REGISTRY["cosine"].code, REGISTRY["cosine"].layout
(5, ('init_value', 'decay_steps', 'end_value', 'periodic', 'exponent', 'k_decay', 'libm_cos'))

Adding a family: a new module here, its import below (kernel families before
the compositions), a branch in :func:`lrjit.kernels.piece_at` for a new code,
a test record, a README row.
"""

# Registration order is the registry's order (codes ascending, then the families
# built from other families' pieces; join last: it imports the Schedule machinery).
from . import constant, linear, step_decay, exponential, polynomial, cosine  # noqa: F401
from . import warmup_cosine, one_cycle, cyclic, cosine_restarts  # noqa: F401
from . import inverse_sqrt, wsd, inverse_time, tanh  # noqa: F401
from . import transformers_schedule  # noqa: F401
from . import multistep, piecewise_constant, piecewise_interpolate, join  # noqa: F401
from ._registry import FACTORIES, REGISTRY, Family, register

__all__ = ["REGISTRY", "Family", "register", "FACTORIES"]
