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
from typing import TYPE_CHECKING

from . import kernels, ufuncs
from ._jit import CacheWarning
from .combinators import COMBINATORS, multiply, warmup_then, with_noise
from .families import FACTORIES, REGISTRY
from .schedule import Schedule, from_dict
from .sweeps import sweep

__version__ = "0.1.0"

# Every family's factory is lrjit.<family> (the registry decides which).
globals().update(FACTORIES)
if TYPE_CHECKING:  # the same names, spelled out for type checkers (tests/test_registry.py)
    from .families.constant import constant
    from .families.linear import linear
    from .families.step_decay import step_decay
    from .families.exponential import exponential
    from .families.polynomial import polynomial
    from .families.cosine import cosine
    from .families.warmup_cosine import warmup_cosine
    from .families.one_cycle import one_cycle
    from .families.cyclic import cyclic
    from .families.cosine_restarts import cosine_restarts
    from .families.inverse_sqrt import inverse_sqrt
    from .families.wsd import wsd
    from .families.transformers_schedule import transformers_schedule
    from .families.inverse_time import inverse_time
    from .families.tanh import tanh
    from .families.multistep import multistep
    from .families.piecewise_constant import piecewise_constant
    from .families.piecewise_interpolate import piecewise_interpolate
    from .families.join import join

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
    "COMBINATORS",
    "multiply",
    "warmup_then",
    "with_noise",
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
    seconds it took.  With ``verbose`` it reports its progress on stderr, one
    function at a time (cold, this takes tens of seconds; from a warm on-disk
    cache a few milliseconds per function).

    >>> import lrjit
    >>> seconds = lrjit.warmup(verbose=False)
    """
    start = time.perf_counter()
    tasks = _warmup_tasks()
    for done, (name, compile_) in enumerate(tasks, 1):
        if verbose:
            _progress(f"lrjit: compiling {done}/{len(tasks)} {name}", last=False)
        compile_()
    elapsed = time.perf_counter() - start
    if verbose:
        _progress(f"lrjit: compiled {len(tasks)} functions in {elapsed:.2f} s", last=True)
    return elapsed


def _warmup_tasks():
    """``(name, compile)`` for every kernel and driver :func:`warmup` compiles."""
    import numpy as np
    from numba import float64

    from . import sweeps, tables
    from .kernels.dispatch import driver_lr_at

    tasks = []
    for family in REGISTRY.values():
        if family.kernel is not None:
            types = [float64[::1] if n in family.sequences else float64 for n in family.layout]
            signature = (float64, *types)
            tasks.append((family.kernel.__name__, lambda k=family.kernel, s=signature: k.compile(s)))
    program = FACTORIES["constant"](0.0).program
    stacked = tuple(a[None] for a in program)
    tasks.append(("driver_lr_at", lambda: driver_lr_at(*program, 0.0)))
    tasks.append(("tables.evaluate", lambda: tables.evaluate(*program, np.zeros(1), np.empty(1))))
    for dtype in (np.float64, np.float32):
        suffix = np.dtype(dtype).name
        table, grid = np.empty(1, dtype), np.empty((1, 1), dtype)
        tasks += [
            (f"tables.fill_serial[{suffix}]", lambda t=table: tables.fill_serial(*program, t)),
            (f"tables.fill_parallel[{suffix}]", lambda t=table: tables.fill_parallel(*program, t)),
            (
                f"sweeps.fill_serial[{suffix}]",
                lambda g=grid: sweeps.fill_serial(*stacked, np.zeros(1), g),
            ),
            (
                f"sweeps.fill_parallel[{suffix}]",
                lambda g=grid: sweeps.fill_parallel(*stacked, np.zeros(1), g),
            ),
        ]
    return tasks


def _progress(line, last):
    """One progress line on stderr: rewritten in place on a terminal, else only the last."""
    if sys.stderr.isatty():
        end = "\n" if last else ""
        print(f"\r\033[K{line}", end=end, file=sys.stderr, flush=True)
    elif last:
        print(line, file=sys.stderr)
