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

import inspect

from ._jit import ufunc
from .families import REGISTRY
from .families._registry import PROGRAM_OPTIONS

#: The families whose kernel parameters are all numbers.
FAMILIES = tuple(name for name, family in REGISTRY.items() if family.scalar_kernel)

__all__ = list(FAMILIES)


class Defaulted:
    """A kernel's ufunc that fills trailing arguments left out with the kernel's defaults.

    Parameters added to a family later (``cosine``'s ``exponent``) have
    defaults that keep the older, shorter calls working:
    ``lrjit.ufuncs.cosine(steps, 0.1, 100, 0.0, 0)`` is the 7-input ufunc
    with ``exponent = k_decay = 1``.  Everything else (``nin``, ``ufunc``,
    ``outer``, ...) is the ufunc's own.
    """

    def __init__(self, built, defaults):
        self._built = built
        self._defaults = tuple(float(d) for d in defaults)

    def __call__(self, *args, **kwargs):
        missing = self._built.nin - len(args)
        if 0 < missing <= len(self._defaults):
            args = args + self._defaults[len(self._defaults) - missing :]
        return self._built(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._built, name)


def __getattr__(name):
    if name not in FAMILIES:
        raise AttributeError(f"module 'lrjit.ufuncs' has no attribute {name!r}")
    family = REGISTRY[name]
    # A program option (libm_cos) is left to the kernel's default, a core
    # schedule's choice; other defaulted parameters may be left out by a call.
    params = list(inspect.signature(family.kernel.py_func).parameters.values())[1:]
    inputs = [p for p in params if p.name not in PROGRAM_OPTIONS]
    built = ufunc(family.kernel, 1 + len(inputs))
    defaults = [p.default for p in inputs if p.default is not inspect.Parameter.empty]
    if defaults:
        built = Defaulted(built, defaults)
    globals()[name] = built
    return built


def __dir__():
    return sorted(set(globals()) | set(FAMILIES))
