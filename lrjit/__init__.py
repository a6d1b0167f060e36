"""lrjit: learning-rate schedules as closed-form math, compiled with Numba.

>>> import lrjit
>>> s = lrjit.warmup_cosine(3e-4, warmup_steps=500, decay_steps=10_000)
>>> s(500)
0.0003
>>> s.table(10_000).shape
(10000,)

Importing lrjit compiles nothing; each function compiles on first use (from
Numba's on-disk cache when it can), or all at once with :func:`warmup`.
"""

import sys
import time

from . import kernels, ufuncs
from ._jit import CacheWarning
from .families import FACTORIES, REGISTRY
from .schedule import Schedule, from_dict
from .sweeps import sweep

__version__ = "0.1.0"

# Every family's factory is lrjit.<family> (the registry decides which).
globals().update(FACTORIES)

__all__ = [
    "CacheWarning",
    "FACTORIES",
    "REGISTRY",
    "Schedule",
    "from_dict",
    "kernels",
    "ufuncs",
    "warmup",
    "sweep",
    *FACTORIES,
]


_LAZY_SUBMODULES = ("cuda", "optim", "lr_schedule")


def __getattr__(name):
    # Front-ends load on first use; lrjit.cuda imports numba.cuda, never at import lrjit.
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'lrjit' has no attribute {name!r}")


def warmup(verbose=True):
    """Compile every kernel and array driver now rather than on first use.

    Each tier-1 kernel is compiled for float64 arguments, ``lr_at`` and the
    table and sweep drivers for float64 and float32 outputs.  Returns the
    seconds it took, and prints them to stderr if ``verbose``.  From a warm
    on-disk cache this is a few milliseconds per function.

    >>> import lrjit
    >>> seconds = lrjit.warmup(verbose=False)
    """
    import numpy as np
    from numba import float64

    from . import sweeps, tables

    start = time.perf_counter()
    count = 0
    for family in REGISTRY.values():
        if family.kernel is not None:
            array = float64[::1]
            family.kernel.compile(
                (float64,)
                + tuple(array if n in family.sequences else float64 for n in family.layout)
            )
            count += 1
    program = FACTORIES["constant"](0.0).program
    kernels.lr_at(*program, 0.0)
    tables.evaluate(*program, np.zeros(1), np.empty(1))
    stacked = tuple(a[None] for a in program)
    for dtype in (np.float64, np.float32):
        tables.fill_serial(*program, np.empty(1, dtype))
        tables.fill_parallel(*program, np.empty(1, dtype))
        sweeps.fill_serial(*stacked, np.zeros(1), np.empty((1, 1), dtype))
        sweeps.fill_parallel(*stacked, np.zeros(1), np.empty((1, 1), dtype))
    elapsed = time.perf_counter() - start
    if verbose:
        count += 10
        print(f"lrjit: compiled {count} functions in {elapsed:.2f} s", file=sys.stderr)
    return elapsed
