"""torch 2.13's ``torch.optim.lr_scheduler``, computed by lrjit's compiled kernels.

Swap the import and get the same numbers::

    from lrjit.optim import lr_scheduler      # instead of torch.optim.lr_scheduler

With Python-float learning rates, ``get_last_lr()`` after every step is
bitwise equal to torch 2.13's, for every class: the chainable (recursive)
forms, ``step(epoch)`` closed forms, ``last_epoch`` resumption,
``state_dict()``/``load_state_dict()`` (torch's keys: a torch scheduler and an
lrjit one load each other's state) and several param groups.  A tensor
learning rate is updated in place (``fill_``), keeping its identity; its
values are computed in float64 and rounded once to the tensor's dtype, so
they match torch to that dtype's precision rather than bitwise.

Any object whose ``param_groups`` is a list of dicts with an ``'lr'`` is an
optimizer; lrjit never imports torch.

Two execution modes
-------------------
*Per-step* (default): each ``step()`` calls a compiled kernel, as torch's
``step()`` calls ``get_lr()``.  *Table mode* (``precompute=N``): the next
``N`` values are computed at once by a compiled loop (for the chainable
forms, a recursion in torch's operation order) and each ``step()`` only reads
the next one; when the table runs out the next ``N`` are computed.  The two
modes give the same bits.  A chainable scheduler in table mode checks, at
each step, that ``group["lr"]`` is still the value it wrote last; if
something else changed it (a :class:`ChainedScheduler`, a manual edit,
``step(epoch)``, ``load_state_dict``) that step is computed per step from the
current value, as torch would, and the table is rebuilt from there at the
next step (at most 16 rebuilds; after that the scheduler stays per-step).
Table mode reads the scheduler's configuration when it fills the table:
change attributes such as ``gamma`` afterwards through ``load_state_dict``.

Bridge
------
Where a closed form exists, ``scheduler.schedule`` is the equivalent
:class:`lrjit.Schedule` for the first param group (``scheduler.schedules``:
one per group), so a torch-style configuration can be tabled, plotted and
used from ``@njit`` code.  It follows torch's closed form (``step(epoch)``),
which equals the chainable sequence up to rounding.

State
-----
``state_dict()`` is torch's (every attribute but the optimizer; lrjit's own
bookkeeping lives outside ``__dict__``).  ``load_state_dict`` accepts torch's
states, legacy keys included, but checks every value as the constructor
would first: a state no constructor could have produced raises
``ValueError``/``TypeError`` naming the key and leaves the scheduler as it was.

Warnings
--------
torch's "``lr_scheduler.step()`` before ``optimizer.step()``" check runs as
torch's does, through :mod:`warnings` at each scheduler's first step, as
:class:`StepOrderWarning` (a ``UserWarning``): the standard filters decide
what is shown; turn it off with
``warnings.filterwarnings("ignore", category=StepOrderWarning)``.

Modules
-------
This module re-exports torch's names from where they live: the base class
and table engine (``_base``); the chainable classes (``_recursive``), with
their compiled recursions (``_recurrences``); the callable-driven ones
(``_lambdas``); the cyclical closed forms (``_cyclical``, ``_restarts``,
their table fills in ``_fills``, momentum cycling in ``_momentum``);
compositions and plateau (``_compose``); torch interop (``_interop``) and the
checks of a loaded state (``_state``).

Examples
--------
>>> from types import SimpleNamespace
>>> from lrjit.optim import lr_scheduler
>>> opt = SimpleNamespace(param_groups=[{"lr": 0.1}])
>>> sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10, precompute=100)
>>> for _ in range(5):
...     sched.step()
>>> sched.get_last_lr()
[0.05000000000000001]
>>> sched.schedule
lrjit.cosine(init_value=0.1, decay_steps=10, end_value=0.0, periodic=True)
"""

from ._base import LRScheduler
from ._compose import ChainedScheduler, ReduceLROnPlateau, SequentialLR
from ._cyclical import CyclicLR, OneCycleLR

# EPOCH_DEPRECATION_WARNING: torch's module has it, and users import it from there
from ._interop import (  # noqa: F401
    EPOCH_DEPRECATION_WARNING,
    NoClosedFormError,
    StepOrderWarning,
    ZeroDivisionConfigError,
)
from ._lambdas import LambdaLR, MultiplicativeLR
from ._recursive import (
    SWALR,
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from ._restarts import CosineAnnealingWarmRestarts

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "PolynomialLR",
    "SWALR",
    "LRScheduler",
    "StepOrderWarning",
    "ZeroDivisionConfigError",
    "NoClosedFormError",
]
