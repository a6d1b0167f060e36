"""NumPy ufuncs of the tier-1 kernels, built on first use.

``lrjit.ufuncs.<family>(steps, *params)`` takes the kernel's arguments and
broadcasts them like any ufunc, e.g. a sweep over base learning rates:

>>> import numpy as np, lrjit
>>> steps = np.arange(4.0)
>>> base_lrs = np.array([0.1, 0.2])
>>> lrjit.ufuncs.cosine(steps[None, :], base_lrs[:, None], 4, 0.0, 0).shape
(2, 4)

Like the kernels they compile, ufuncs do not validate their arguments.
``multistep`` (an array argument) and ``join`` (a program) have none: use
``Schedule.__call__`` or :func:`lrjit.kernels.lr_at`.
"""

from ._jit import ufunc
from .families import REGISTRY
from .families._registry import PROGRAM_OPTIONS

#: The families whose kernel parameters are all numbers.
FAMILIES = tuple(name for name, family in REGISTRY.items() if family.scalar_kernel)

__all__ = list(FAMILIES)


def __getattr__(name):
    if name not in FAMILIES:
        raise AttributeError(f"module 'lrjit.ufuncs' has no attribute {name!r}")
    family = REGISTRY[name]
    # the kernel's defaults fill the program options (libm_cos: core schedules use cospi)
    nargs = 1 + len([n for n in family.layout if n not in PROGRAM_OPTIONS])
    built = ufunc(family.kernel, nargs)
    globals()[name] = built
    return built


def __dir__():
    return sorted(set(globals()) | set(FAMILIES))
