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

Warnings
--------
torch's "``lr_scheduler.step()`` before ``optimizer.step()``" check runs as
torch's does, but each of its warnings is emitted at most once per process,
as :class:`StepOrderWarning` (a ``UserWarning``); turn them off with
``warnings.filterwarnings("ignore", category=StepOrderWarning)``.

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

import math
import numbers
import warnings
from bisect import bisect_right
from collections import Counter

import numpy as np

from .. import kernels as _cyc
from ..families import FACTORIES as _FACTORIES
from ..kernels import cosine as _cosine
from ..kernels import cyclic_position, one_cycle_phases
from ..schedule import Schedule
from . import _kernels as K
from ._common import (
    EPOCH_DEPRECATION_WARNING,
    GET_LR_WARNING,
    StepOrderWarning,
    ZeroDivisionConfigError,
    check_optimizer,
    check_precompute,
    check_step_order,
    copy_value,
    format_param,
    integer,
    is_tensor,
    not_zero,
    optimizer_defaults,
    patch_optimizer_step,
    plain_function,
    real,
    set_value,
    values,
)

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
]

# Table rebuilds after an invalidation; beyond this a scheduler stays per-step
# (bounds the cost when something else rewrites group["lr"] every step).
REBUILDS = 16
# Steps of the table turned into Python floats at a time, for the hot path.
BLOCK = 2048

_NO_MILESTONES = np.zeros(0)


class _Engine:
    """What an lrjit scheduler keeps beside torch's state: its table and options.

    ``table[g, i]`` is group ``g``'s value at epoch ``t0 + i`` for epochs in
    ``[t0, t1)``; ``extra`` (momentum, SGDR's counters) rides along.  The hot
    path reads ``rows[j]``, a tuple of Python floats for epoch ``h0 + j``,
    from a block ``[h0, h1)`` of the table (empty for tensor learning rates,
    which the slow path writes in place).  ``expect`` holds the learning rates
    a chainable table assumes the groups hold now.
    """

    __slots__ = (
        "precompute",
        "table",
        "t0",
        "t1",
        "rows",
        "xrows",
        "h0",
        "h1",
        "ngroups",
        "expect",
        "extra",
        "credits",
        "invalid",
        "track_order",
        "custom",
        "info",
    )

    def __init__(self, precompute):
        self.precompute = precompute
        self.credits = REBUILDS
        self.track_order = False
        self.custom = False
        self.info = {}
        self.clear()
        self.invalid = False

    def clear(self):
        self.table = self.rows = self.xrows = self.expect = self.extra = None
        self.t0 = self.t1 = self.h0 = self.h1 = self.ngroups = 0
        self.invalid = True


def _floats(xs):
    return np.array([float(x) for x in xs], dtype=np.float64)


def _plain(optimizer):
    return all(type(g["lr"]) is float or not is_tensor(g["lr"]) for g in optimizer.param_groups)


def _rows(table):
    """A (G, n) array as n tuples of G Python floats."""
    return list(zip(*table.tolist()))


class LRScheduler:
    """Base class of the schedulers: torch's ``LRScheduler``.

    Subclasses implement :meth:`get_lr` as in torch (a user's torch-style
    subclass works unchanged), or lrjit's built-in classes, their compiled
    ``_compute``.  ``precompute=N`` selects table mode (see the module
    docstring) for the classes that support it.

    Parameters
    ----------
    optimizer : object
        Anything whose ``param_groups`` is a list of dicts with an ``'lr'``.
    last_epoch : int
        The index of the last epoch; ``-1`` starts afresh, anything else
        resumes and needs ``'initial_lr'`` in every param group (KeyError).
    precompute : int, optional
        Table mode: how many steps each compiled fill computes ahead.
    """

    _get_lr_called_within_step = False
    _is_initial = False
    _chain = None  # K.<code> when the scheduler recurses on group["lr"]
    _stateful = False  # the table depends on more than the epoch (chain forms, SGDR)

    def __init__(self, optimizer, last_epoch=-1, *, precompute=None):
        if "_lrjit" not in self.__dict__:
            self._lrjit = _Engine(check_precompute(precompute))
        groups = check_optimizer(optimizer)
        self.optimizer = optimizer
        if not isinstance(last_epoch, numbers.Integral) or isinstance(last_epoch, bool):
            raise TypeError(f"last_epoch must be an int (-1 to start), got {last_epoch!r}")
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", copy_value(group["lr"]))
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        f"scheduler with last_epoch={last_epoch} >= 0: load the optimizer's state "
                        "(which holds it) before creating the scheduler, or start with "
                        "last_epoch=-1"
                    )
        self.base_lrs = values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._lrjit.track_order = patch_optimizer_step(self, optimizer)
        # a torch-style subclass computes with its own get_lr
        self._lrjit.custom = type(self).get_lr is not LRScheduler.get_lr
        self._initial_step()

    def _initial_step(self):
        """Initialize step counts and perform a step (torch's)."""
        self._step_count = 0
        self._is_initial = True
        self._get_lr_called_within_step = False
        try:
            self.step()
        finally:
            self._is_initial = False

    # -- torch's public surface

    def state_dict(self):
        """The scheduler's state: torch's keys (every attribute but the optimizer)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_lrjit")}

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict` (this class's or torch's)."""
        self.__dict__.update(state_dict)
        self._invalidate()

    def get_last_lr(self):
        """The learning rates the last step set, one per param group."""
        return self._last_lr

    def get_lr(self):
        """torch's ``get_lr()``: compute the learning rates for the current ``last_epoch``.

        Outside ``step()`` torch warns to use :meth:`get_last_lr` instead; so
        does lrjit.
        """
        if not self._get_lr_called_within_step:
            warnings.warn(GET_LR_WARNING, UserWarning, stacklevel=2)
        return self._compute()

    def _compute(self):
        raise NotImplementedError

    def step(self, epoch=None):
        """Advance one epoch (or, deprecated, jump to ``epoch``) and set the learning rates."""
        e = self._lrjit
        count = self._step_count
        if count == 1 and e.track_order:
            check_step_order(self.optimizer)
        self._step_count = count + 1
        if epoch is None:
            k = self.last_epoch + 1
            if e.h0 <= k < e.h1:
                # table mode's hot path: read the next row
                groups = self.optimizer.param_groups
                ok = len(groups) == e.ngroups
                if ok and e.expect is not None:
                    for g, x in zip(groups, e.expect):
                        if g["lr"] != x:
                            ok = False
                            break
                if ok:
                    j = k - e.h0
                    row = e.rows[j]
                    self.last_epoch = k
                    for g, v in zip(groups, row):
                        g["lr"] = v
                    if e.xrows is not None:
                        e.extra(self, e.xrows[j])
                    self._last_lr = list(row)
                    if e.expect is not None:
                        e.expect = row
                    return
                self._invalidate()
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            vals = None if self._lrjit.precompute is None else self._from_table()
            if vals is None:
                vals = self._values() if self._lrjit.custom else self._compute()
        else:
            self.last_epoch = epoch
            if self._stateful:
                self._invalidate()
            if hasattr(self, "_get_closed_form_lr"):
                vals = self._get_closed_form_lr()
            else:
                vals = self._values()
        groups = self.optimizer.param_groups
        for group, lr in zip(groups, vals, strict=True):
            if type(group["lr"]) is float:
                group["lr"] = lr
            else:
                set_value(group, "lr", lr)
        self._last_lr = [copy_value(g["lr"]) for g in groups]

    def _values(self):
        if self._lrjit.custom:
            self._get_lr_called_within_step = True
            try:
                return self.get_lr()
            finally:
                self._get_lr_called_within_step = False
        return self._compute()

    # -- table mode

    def _invalidate(self):
        """The table no longer applies: rebuild it at the next plain step, if credits last."""
        e = self._lrjit
        if e.table is not None:
            e.clear()

    def _from_table(self):
        """The values for ``last_epoch`` from the table, refilled as needed; None: per-step."""
        e = self._lrjit
        if e.precompute is None or self._is_initial:
            return None
        k = self.last_epoch
        if e.table is None or not e.t0 <= k < e.t1:
            if e.invalid:
                if e.credits <= 0:
                    return None
                e.credits -= 1
            if not self._fill(k, e.precompute):
                return None
            e.invalid = False
        groups = self.optimizer.param_groups
        if len(groups) != e.ngroups:
            return None  # torch's strict zip raises on the per-step path
        if e.expect is not None and not all(float(g["lr"]) == x for g, x in zip(groups, e.expect)):
            self._invalidate()
            return None
        i = k - e.t0
        if _plain(self.optimizer):
            # a block of rows for the hot path
            end = min(i + BLOCK, e.t1 - e.t0)
            e.rows = _rows(e.table[:, i:end])
            e.xrows = None if e.extra is None else e.extra.rows(i, end)
            e.h0, e.h1 = k, k + end - i
            row = e.rows[0]
            xrow = None if e.xrows is None else e.xrows[0]
        else:
            row = tuple(e.table[:, i].tolist())
            xrow = None if e.extra is None else e.extra.rows(i, i + 1)[0]
        if e.extra is not None:
            e.extra(self, xrow)
        if e.expect is not None:
            e.expect = row
        return list(row)

    def _fill(self, k, n):
        """Compute the table for epochs ``k .. k+n-1`` (via :meth:`_set_table`); False: none."""
        return False

    def _set_table(self, k, table, expect=None, extra=None):
        e = self._lrjit
        e.table = table
        e.t0, e.t1 = k, k + table.shape[1]
        e.rows = e.xrows = None
        e.h0 = e.h1 = 0
        e.ngroups = table.shape[0]
        e.expect = None if expect is None else tuple(expect)
        e.extra = extra
        return True

    # -- bridge

    @property
    def schedules(self):
        """One :class:`lrjit.Schedule` per param group: the closed form of this configuration."""
        return [self._schedule_for(i) for i in range(len(self.base_lrs))]

    @property
    def schedule(self):
        """The :class:`lrjit.Schedule` of the first param group (see :attr:`schedules`)."""
        return self._schedule_for(0)

    def _schedule_for(self, i):
        raise ValueError(f"{type(self).__name__} has no closed form as an lrjit Schedule")


# -- the chainable schedulers: torch recurses on group["lr"]


class _Chainable(LRScheduler):
    """A scheduler whose plain steps recurse on ``group["lr"]`` (torch's chainable form).

    Subclasses set ``_chain`` and give ``_params()``: ``(p0, p1, p2, p3)`` of
    :func:`lrjit.optim._kernels.chain_next`; ``_initial_passthrough`` says
    whether torch's initial step leaves the learning rates alone.
    """

    _stateful = True
    _initial_passthrough = True

    def _params(self):
        raise NotImplementedError

    def _passthrough(self):
        return self._is_initial and self._initial_passthrough

    def _compute(self):
        if self._passthrough():
            return values(self.optimizer, "lr")
        p0, p1, p2, p3 = self._params()
        k = float(self.last_epoch)
        code = self._chain
        return [
            K.chain_next(code, float(g["lr"]), k, p0, p1, p2, p3)
            for g in self.optimizer.param_groups
        ]

    def _fill(self, k, n):
        if not _plain(self.optimizer):
            return False  # a tensor rounds each written value: the table's guard would fail
        p0, p1, p2, p3 = self._params()
        lr0 = [float(g["lr"]) for g in self.optimizer.param_groups]
        table = np.empty((len(lr0), n))
        ms, cs = self._milestone_arrays()
        for g, lr in enumerate(lr0):
            K.chain_fill(self._chain, lr, float(k), p0, p1, p2, p3, ms, cs, table[g])
        return self._set_table(k, table, expect=lr0)

    def _milestone_arrays(self):
        return _NO_MILESTONES, _NO_MILESTONES

    def _closed(self, p0, p1, p2):
        k = float(self.last_epoch)
        return [K.closed_form(self._chain, k, float(b), p0, p1, p2) for b in self.base_lrs]


class StepLR(_Chainable):
    """Decay each group's learning rate by ``gamma`` every ``step_size`` epochs (torch's StepLR).

    Closed form ``base_lr * gamma ** (epoch // step_size)``
    (:func:`lrjit.step_decay`); torch's plain steps multiply the current
    learning rate by ``gamma`` at multiples of ``step_size``.

    Parameters
    ----------
    optimizer : object
        See :class:`LRScheduler`.
    step_size : int
        Period of the decay, ``>= 1``.
    gamma : float
        Multiplicative factor, ``>= 0`` (above 1 the rate grows, as in torch).
    last_epoch : int
    precompute : int, optional
        Table mode.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = StepLR(opt, step_size=2, gamma=0.5)
    >>> [s.step() or s.get_last_lr()[0] for _ in range(5)]
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    _chain = K.STEP
    _initial_passthrough = False

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        integer("step_size", step_size)
        not_zero("step_size", step_size, "torch divides the epoch by it")
        real("gamma", gamma, 0.0)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _params(self):
        return float(self.step_size), float(self.gamma), 0.0, 0.0

    def _get_closed_form_lr(self):
        return self._closed(float(self.step_size), float(self.gamma), 0.0)

    def _schedule_for(self, i):
        return _FACTORIES["step_decay"](float(self.base_lrs[i]), self.step_size, float(self.gamma))


class MultiStepLR(_Chainable):
    """Decay by ``gamma`` at each milestone (torch's MultiStepLR); a repeated milestone compounds.

    Closed form ``base_lr * gamma ** bisect_right(sorted(milestones), epoch)``
    (:func:`lrjit.multistep`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = MultiStepLR(opt, milestones=[2, 4, 4], gamma=0.5)
    >>> [s.step() or s.get_last_lr()[0] for _ in range(5)]
    [1.0, 0.5, 0.5, 0.125, 0.125]
    """

    _chain = K.MULTISTEP
    _initial_passthrough = False

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise TypeError(f"milestones must be an iterable of integers >= 0, got {milestones!r}")
        milestones = list(milestones)
        for i, m in enumerate(milestones):
            integer(f"milestones[{i}]", m)
        real("gamma", gamma, 0.0)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        if "milestones" in state:
            # JSON turns the Counter's int keys into strings
            state["milestones"] = Counter({int(m): int(c) for m, c in state["milestones"].items()})
        super().load_state_dict(state)

    def _params(self):
        return float(self.gamma), float(self.milestones.get(self.last_epoch, 0)), 0.0, 0.0

    def _milestone_arrays(self):
        ms = sorted(self.milestones)
        return _floats(ms), _floats([self.milestones[m] for m in ms])

    def _get_closed_form_lr(self):
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return self._closed(float(self.gamma), float(passed), 0.0)

    def _schedule_for(self, i):
        return _FACTORIES["multistep"](
            float(self.base_lrs[i]), list(self.milestones.elements()), float(self.gamma)
        )


class ConstantLR(_Chainable):
    """Multiply by ``factor`` until epoch ``total_iters`` (torch's ConstantLR).

    Closed form ``base_lr * (factor + (epoch >= total_iters) * (1 - factor))``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> s.get_last_lr(), [s.step() or s.get_last_lr()[0] for _ in range(3)]
    ([0.5], [0.5, 1.0, 1.0])
    """

    _chain = K.CONSTANT
    _initial_passthrough = False

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        if _is_number(factor) and (factor > 1.0 or factor < 0):
            raise ValueError(
                "Constant multiplicative factor expected to be between 0 and 1, "
                f"got factor={factor!r}"
            )
        real("factor", factor, 0.0, 1.0)
        integer("total_iters", total_iters)
        if total_iters > 0:
            not_zero("factor", factor, "torch divides by it at epoch total_iters")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _params(self):
        return float(self.factor), float(self.total_iters), 0.0, 0.0

    def _get_closed_form_lr(self):
        return self._closed(float(self.factor), float(self.total_iters), 0.0)

    def _schedule_for(self, i):
        base, f, t = float(self.base_lrs[i]), float(self.factor), self.total_iters
        before = _FACTORIES["constant"](base * (f + 0.0 * (1.0 - f)))
        after = _FACTORIES["constant"](base * (f + 1.0 * (1.0 - f)))
        if t == 0:
            return after
        return _FACTORIES["join"]([before, after], boundaries=[t])


class LinearLR(_Chainable):
    """Multiply by a factor going linearly from ``start_factor`` to ``end_factor`` (torch's).

    Closed form ``base_lr * (start + (end - start) * min(total_iters, epoch) / total_iters)``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=3)
    >>> s.get_last_lr(), [s.step() or s.get_last_lr()[0] for _ in range(4)]
    ([0.25], [0.5, 0.75, 1.0, 1.0])
    """

    _chain = K.LINEAR

    def __init__(
        self,
        optimizer,
        start_factor=1.0 / 3,
        end_factor=1.0,
        total_iters=5,
        last_epoch=-1,
        *,
        precompute=None,
    ):
        self._lrjit = _Engine(check_precompute(precompute))
        if _is_number(start_factor) and (start_factor > 1.0 or start_factor <= 0):
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or equal "
                f"to 1, got start_factor={start_factor!r}"
            )
        if _is_number(end_factor) and (end_factor > 1.0 or end_factor < 0):
            raise ValueError(
                f"Ending multiplicative factor expected to be between 0 and 1, got "
                f"end_factor={end_factor!r}"
            )
        real("start_factor", start_factor, 0.0, 1.0, low_open=True)
        real("end_factor", end_factor, 0.0, 1.0)
        integer("total_iters", total_iters)
        not_zero("total_iters", total_iters, "torch's closed form divides by it")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _passthrough(self):
        return self._is_initial and self.last_epoch != 0

    def _params(self):
        return float(self.start_factor), float(self.end_factor), float(self.total_iters), 0.0

    def _get_closed_form_lr(self):
        return self._closed(*self._params()[:3])

    def _schedule_for(self, i):
        base, t = float(self.base_lrs[i]), self.total_iters
        return _FACTORIES["linear"](
            base * float(self.start_factor), base * float(self.end_factor), transition_steps=t
        )


class ExponentialLR(_Chainable):
    """Multiply by ``gamma`` every epoch (torch's ExponentialLR): ``base_lr * gamma ** epoch``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = ExponentialLR(opt, gamma=0.5)
    >>> [s.step() or s.get_last_lr()[0] for _ in range(3)]
    [0.5, 0.25, 0.125]
    """

    _chain = K.EXPONENTIAL

    def __init__(self, optimizer, gamma, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        real("gamma", gamma, 0.0)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _params(self):
        return float(self.gamma), 0.0, 0.0, 0.0

    def _get_closed_form_lr(self):
        return self._closed(float(self.gamma), 0.0, 0.0)

    def _schedule_for(self, i):
        return _FACTORIES["exponential"](float(self.base_lrs[i]), float(self.gamma))


class PolynomialLR(_Chainable):
    """Polynomial decay to 0 over ``total_iters`` epochs (torch's PolynomialLR).

    Closed form ``base_lr * (1 - min(total_iters, epoch) / total_iters) ** power``
    (:func:`lrjit.polynomial` with ``end_value=0``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = PolynomialLR(opt, total_iters=4, power=1.0)
    >>> [s.step() or s.get_last_lr()[0] for _ in range(5)]
    [0.75, 0.5, 0.25, 0.0, 0.0]
    """

    _chain = K.POLYNOMIAL

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        integer("total_iters", total_iters)
        not_zero("total_iters", total_iters, "torch divides the epoch by it")
        real("power", power)
        if power < 0:
            raise ZeroDivisionConfigError(
                f"power must be >= 0 (torch raises 0.0 to it at epoch total_iters), got {power!r}"
            )
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def _params(self):
        return float(self.total_iters), float(self.power), 0.0, 0.0

    def _get_closed_form_lr(self):
        return self._closed(float(self.total_iters), float(self.power), 0.0)

    def _schedule_for(self, i):
        return _FACTORIES["polynomial"](
            float(self.base_lrs[i]), 0.0, float(self.power), self.total_iters
        )


class CosineAnnealingLR(_Chainable):
    """Cosine annealing from each base lr to ``eta_min`` over ``T_max`` epochs (torch's).

    Closed form ``eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``,
    periodic past ``T_max`` (:func:`lrjit.cosine` with ``periodic=True``).
    torch's plain steps use the chainable form (a ratio of cosines applied to
    the current learning rate, with a special step at each minimum); it
    differs from the closed form by up to ~1e-11 relative, and lrjit matches
    it bitwise.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = CosineAnnealingLR(opt, T_max=2)
    >>> [round(s.step() or s.get_last_lr()[0], 12) for _ in range(4)]
    [0.5, 0.0, 0.5, 1.0]
    """

    _chain = K.COSINE

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        real("T_max", T_max, 0.0)
        not_zero("T_max", T_max, "torch divides by it")
        real("eta_min", eta_min, 0.0)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def _params(self):
        return float(self.T_max), float(self.eta_min), 0.0, float(self._step_count)

    def _compute(self):
        if self._is_initial:
            return values(self.optimizer, "lr")
        t, eta, _, count = self._params()
        k = float(self.last_epoch)
        return [
            K.chain_next(K.COSINE, float(g["lr"]), k, t, eta, float(b), count)
            for g, b in zip(self.optimizer.param_groups, self.base_lrs, strict=True)
        ]

    def _fill(self, k, n):
        if not _plain(self.optimizer):
            return False
        t, eta, _, _ = self._params()
        groups = self.optimizer.param_groups
        lr0 = [float(g["lr"]) for g in groups]
        table = np.empty((len(lr0), n))
        for g, (lr, base) in enumerate(zip(lr0, self.base_lrs, strict=True)):
            # plain steps only: _step_count >= 2, never torch's first-step branch
            K.chain_fill(
                K.COSINE,
                lr,
                float(k),
                t,
                eta,
                float(base),
                2.0,
                _NO_MILESTONES,
                _NO_MILESTONES,
                table[g],
            )
        return self._set_table(k, table, expect=lr0)

    def _get_closed_form_lr(self):
        return self._closed(float(self.T_max), float(self.eta_min), 0.0)

    def _schedule_for(self, i):
        return _FACTORIES["cosine"](
            float(self.base_lrs[i]), _whole(self.T_max, "T_max"), float(self.eta_min), True
        )


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _whole(x, name):
    """An int for a Schedule argument, or a clear error."""
    if float(x) != int(x):
        raise ValueError(f"{name}={x!r} is not a whole number of steps: no Schedule for it")
    return int(x)


# -- schedulers driven by Python callables


def _lambdas(optimizer, lr_lambda):
    groups = check_optimizer(optimizer)
    if not isinstance(lr_lambda, (list, tuple)):
        fns = [lr_lambda] * len(groups)
    else:
        if len(lr_lambda) != len(groups):
            raise ValueError(
                f"Expected {len(groups)} lr_lambdas (one per param group), but got {len(lr_lambda)}"
            )
        fns = list(lr_lambda)
    for i, fn in enumerate(fns):
        if not callable(fn):
            raise TypeError(
                f"lr_lambda should be a function (or an lrjit Schedule), but got "
                f"{type(fn).__name__} for param group {i}"
            )
    return fns


def _lambda_state(self):
    state = {
        k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_lrjit", "lr_lambdas")
    }
    state["lr_lambdas"] = [
        None if plain_function(fn) or isinstance(fn, Schedule) else fn.__dict__.copy()
        for fn in self.lr_lambdas
    ]
    return state


def _load_lambda_state(self, state_dict):
    state = dict(state_dict)
    fns = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
    self.__dict__.update(state)
    for fn, saved in zip(self.lr_lambdas, fns):
        if saved is not None:
            fn.__dict__.update(saved)
    self._invalidate()


def _check_table_lambdas(fns, precompute):
    if precompute is not None and not all(isinstance(fn, Schedule) for fn in fns):
        raise TypeError(
            "precompute (table mode) needs every lr_lambda to be an lrjit Schedule, which a "
            "compiled loop can evaluate; with Python callables use the per-step mode "
            "(precompute=None): tabulating a Python function is no faster than calling it"
        )


class LambdaLR(LRScheduler):
    """Each group's learning rate is ``initial_lr * lr_lambda(epoch)`` (torch's LambdaLR).

    ``lr_lambda`` is a function of the epoch (or one per param group).  An
    :class:`lrjit.Schedule` works too, as a compiled multiplier: with
    Schedules the table mode (``precompute=N``) is available, with Python
    callables only the per-step mode (tabulating a Python function is not
    faster than calling it).  ``state_dict`` saves a callable object's
    ``__dict__``, not a function, as torch does.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import lrjit
    >>> opt = SimpleNamespace(param_groups=[{"lr": 2.0}])
    >>> s = LambdaLR(opt, lrjit.step_decay(1.0, step_size=2, gamma=0.5), precompute=10)
    >>> [s.step() or s.get_last_lr()[0] for _ in range(4)]
    [2.0, 1.0, 1.0, 0.5]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        _check_table_lambdas(self.lr_lambdas, precompute)
        super().__init__(optimizer, last_epoch)

    state_dict = _lambda_state
    load_state_dict = _load_lambda_state

    def _compute(self):
        k = self.last_epoch
        return [base * fn(k) for fn, base in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def _fill(self, k, n):
        steps = np.arange(k, k + n, dtype=np.float64)
        if k < 0:
            return False
        table = np.array([float(b) * fn(steps) for fn, b in zip(self.lr_lambdas, self.base_lrs)])
        return self._set_table(k, table)


class MultiplicativeLR(LRScheduler):
    """Multiply each group's learning rate by ``lr_lambda(epoch)`` every epoch (torch's).

    Like :class:`LambdaLR`, an :class:`lrjit.Schedule` works as the
    multiplier and enables the table mode (a compiled running product, in
    torch's order).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = MultiplicativeLR(opt, lambda epoch: 0.5)
    >>> [s.step() or s.get_last_lr()[0] for _ in range(3)]
    [0.5, 0.25, 0.125]
    """

    _stateful = True

    def __init__(self, optimizer, lr_lambda, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        _check_table_lambdas(self.lr_lambdas, precompute)
        super().__init__(optimizer, last_epoch)

    state_dict = _lambda_state
    load_state_dict = _load_lambda_state

    def _compute(self):
        if self._is_initial:
            return values(self.optimizer, "lr")
        k = self.last_epoch
        return [
            g["lr"] * fn(k)
            for fn, g in zip(self.lr_lambdas, self.optimizer.param_groups, strict=True)
        ]

    def _fill(self, k, n):
        if k < 0 or not _plain(self.optimizer):
            return False
        steps = np.arange(k, k + n, dtype=np.float64)
        lr0 = [float(g["lr"]) for g in self.optimizer.param_groups]
        table = np.empty((len(lr0), n))
        for g, (fn, lr) in enumerate(zip(self.lr_lambdas, lr0)):
            # a running product from the left, as torch's steps multiply
            table[g] = np.cumprod(np.concatenate(([lr], fn(steps))))[1:]
        return self._set_table(k, table, expect=lr0)


# -- compositions


def _check_children(owner, optimizer, schedulers):
    if len(schedulers) < 1:
        raise ValueError(f"{owner} expects at least one scheduler, but got no scheduler.")
    for i, s in enumerate(schedulers):
        if not hasattr(s, "optimizer"):
            raise TypeError(
                f"{owner} at index {i} should have `optimizer` as its attribute, got "
                f"{type(s).__name__}"
            )
        if _is_plateau(s):
            raise ValueError(
                f"{owner} does not support `ReduceLROnPlateau` scheduler as it requires "
                "additional kwargs to be specified when calling `step`, but got one at index "
                f"{i} in the given schedulers sequence."
            )
        if optimizer != s.optimizer:
            raise ValueError(
                f"{owner} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {type(s).__name__} at index {i} has {s.optimizer}, which is "
                f"different from {type(optimizer).__name__}."
            )


def _is_plateau(s):
    return isinstance(s, ReduceLROnPlateau) or type(s).__name__ == "ReduceLROnPlateau"


def _children_state(self):
    state = {
        k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_lrjit", "_schedulers")
    }
    state["_schedulers"] = [s.state_dict() for s in self._schedulers]
    return state


def _load_children_state(self, state_dict):
    state = dict(state_dict)
    children = state.pop("_schedulers")
    self.__dict__.update(state)
    for s, saved in zip(self._schedulers, children):
        s.load_state_dict(saved)


class SequentialLR(LRScheduler):
    """Run ``schedulers[i]`` from ``milestones[i - 1]`` on (torch's SequentialLR).

    At a milestone the next scheduler restarts at its epoch 0 from its closed
    form; between milestones it steps as usual (each child keeps its own
    execution mode).  ``schedule`` joins the children's schedules.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> warm = LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = ExponentialLR(opt, gamma=0.5)
    >>> s = SequentialLR(opt, [warm, decay], milestones=[2])
    >>> s.get_last_lr(), [s.step() or s.get_last_lr()[0] for _ in range(4)]
    ([0.5], [0.75, 1.0, 0.5, 0.25])
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        self._lrjit = _Engine(None)
        _check_children(type(self).__name__, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to "
                f"{len(milestones)}"
            )
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # back to the initial learning rates, and undo the children's initial steps
        for group in self.optimizer.param_groups:
            set_value(group, "lr", group["initial_lr"])
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched=None):
        """Step back every (nested) child by one epoch, as torch does."""
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self):
        """Advance one epoch: restart the next scheduler at its milestone, else step the current."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    state_dict = _children_state
    load_state_dict = _load_children_state

    def _schedule_for(self, i):
        return _FACTORIES["join"](
            [s._schedule_for(i) for s in self._schedulers], boundaries=list(self._milestones)
        )


class ChainedScheduler(LRScheduler):
    """Step every scheduler in ``schedulers`` on each ``step()`` (torch's ChainedScheduler).

    Chainable schedulers compose multiplicatively through ``group["lr"]``; a
    child in table mode notices the others' writes and computes per step
    (see the module docstring).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> parts = [ConstantLR(opt, factor=0.5, total_iters=2), ExponentialLR(opt, gamma=0.5)]
    >>> s = ChainedScheduler(parts)
    >>> [s.step() or s.get_last_lr()[0] for _ in range(3)]
    [0.25, 0.25, 0.125]
    """

    def __init__(self, schedulers, optimizer=None):
        self._lrjit = _Engine(None)
        if len(schedulers) < 1:
            raise ValueError(
                f"{type(self).__name__} expects at least one scheduler to be chained, but got "
                "no scheduler."
            )
        optimizer = optimizer or schedulers[0].optimizer
        _check_children(type(self).__name__, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = values(self._schedulers[-1].optimizer, "lr")

    def step(self):
        """Step each scheduler in turn."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = values(self._schedulers[-1].optimizer, "lr")

    state_dict = _children_state
    load_state_dict = _load_children_state


class ReduceLROnPlateau(LRScheduler):
    """Reduce the learning rates when a metric has stopped improving (torch's ReduceLROnPlateau).

    Metric-driven, so per-step only.  Every parameter of torch 2.13 (and of
    the seed API): ``mode`` ``'min'``/``'max'``, ``factor``, ``patience``,
    ``threshold``, ``threshold_mode`` ``'rel'``/``'abs'``, ``cooldown``,
    ``min_lr`` (one or one per group) and ``eps`` (smaller reductions are
    skipped).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = ReduceLROnPlateau(opt, patience=1, factor=0.5)
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 2.0]:
    ...     s.step(loss)
    >>> s.get_last_lr(), s.num_bad_epochs, s.in_cooldown
    ([0.5], 1, False)
    """

    def __init__(
        self,
        optimizer,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0,
        eps=1e-8,
    ):
        self._lrjit = _Engine(None)
        if _is_number(factor) and factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0, got factor={factor!r}")
        real("factor", factor, 0.0, 1.0, high_open=True)
        self.factor = factor
        groups = check_optimizer(optimizer)
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(groups):
                raise ValueError(f"expected {len(groups)} min_lrs, got {len(min_lr)}")
            for i, m in enumerate(min_lr):
                real(f"min_lr[{i}]", m, 0.0)
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            real("min_lr", min_lr, 0.0)
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(groups)
        integer("patience", patience)
        integer("cooldown", cooldown)
        real("eps", eps, 0.0)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = values(self.optimizer, "lr")
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _reset(self):
        """Reset the best value, the bad-epoch counter and the cooldown counter."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics, epoch=None):
        """Record ``metrics`` (a number or a one-element tensor) and reduce the rates if needed."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr(epoch)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = values(self.optimizer, "lr")

    def _reduce_lr(self, epoch):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), "
                    "usually due to a new param group being added to the optimizer. Please "
                    "modify the `min_lrs` field to match the length of the `optimizer` param "
                    "groups."
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for i, group in enumerate(groups):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, self.min_lrs[i])
            if old_lr - new_lr > self.eps:
                set_value(group, "lr", new_lr)

    @property
    def in_cooldown(self):
        """Whether the scheduler is waiting out ``cooldown`` epochs after a reduction."""
        return self.cooldown_counter > 0

    def is_better(self, a, best):
        """Whether metric ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        elif self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        elif self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    _is_better = is_better  # torch 2.13's name

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in {"min", "max"}:
            raise ValueError(f"mode {mode!r} is unknown! Use 'min' or 'max'.")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError(f"threshold mode {threshold_mode!r} is unknown! Use 'rel' or 'abs'.")
        real("threshold", threshold, 0.0)
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict` (this class's or torch's)."""
        self.__dict__.update(state_dict)
        self._init_is_better(
            mode=self.mode, threshold=self.threshold, threshold_mode=self.threshold_mode
        )


# -- cyclical schedulers: closed forms from the tier-1 kernels of lrjit.kernels.cyclical

_ANNEAL = {"cos": _cyc.ANNEAL_COS, "linear": _cyc.ANNEAL_LINEAR}
_MODES = {
    "triangular": (_cyc.SCALE_TRIANGULAR, "cycle"),
    "triangular2": (_cyc.SCALE_TRIANGULAR2, "cycle"),
    "exp_range": (_cyc.SCALE_EXP_RANGE, "iterations"),
}


def _momentum_support(optimizer):
    defaults = optimizer_defaults(optimizer)
    if "momentum" not in defaults and "betas" not in defaults:
        raise ValueError(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled "
            "(its defaults need a 'momentum' or 'betas'); pass cycle_momentum=False otherwise"
        )
    return "betas" in defaults


def _set_momentum(group, momentum, use_beta1):
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class _MomentumRows:
    """Table mode's momentum (or beta1) per group and step, written beside the rates."""

    __slots__ = ("table", "use_beta1")

    def __init__(self, table, use_beta1):
        self.table = table
        self.use_beta1 = use_beta1

    def rows(self, a, b):
        return _rows(self.table[:, a:b])

    def __call__(self, scheduler, row):
        for group, momentum in zip(scheduler.optimizer.param_groups, row):
            _set_momentum(group, momentum, self.use_beta1)


class CyclicLR(LRScheduler):
    """Cyclical learning rates between ``base_lr`` and ``max_lr`` (torch's CyclicLR).

    ``mode`` ``'triangular'``, ``'triangular2'`` (the height halves every
    cycle) or ``'exp_range'`` (scaled by ``gamma ** iteration``), or a custom
    ``scale_fn`` of the cycle or the iteration (``scale_mode``).  With
    ``cycle_momentum`` the momentum (or Adam's ``beta1``) cycles inversely
    between ``base_momentum`` and ``max_momentum``.  The built-in modes are
    the compiled :func:`lrjit.kernels.cyclic` (tables and the
    :func:`lrjit.cyclic` Schedule); a Python ``scale_fn`` is per-step only.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = CyclicLR(opt, base_lr=0.0, max_lr=1.0, step_size_up=2, cycle_momentum=False)
    >>> s.get_last_lr(), [s.step() or s.get_last_lr()[0] for _ in range(4)]
    ([0.0], [0.5, 1.0, 0.5, 0.0])
    """

    def __init__(
        self,
        optimizer,
        base_lr,
        max_lr,
        step_size_up=2000,
        step_size_down=None,
        mode="triangular",
        gamma=1.0,
        scale_fn=None,
        scale_mode="cycle",
        cycle_momentum=True,
        base_momentum=0.8,
        max_momentum=0.9,
        last_epoch=-1,
        *,
        precompute=None,
    ):
        self._lrjit = _Engine(check_precompute(precompute))
        check_optimizer(optimizer)
        self.optimizer = optimizer
        base_lrs = format_param("base_lr", optimizer, base_lr)
        for i, lr in enumerate(base_lrs):
            real(f"base_lr[{i}]", lr, 0.0)
        max_lrs = format_param("max_lr", optimizer, max_lr)
        for i, lr in enumerate(max_lrs):
            real(f"max_lr[{i}]", lr, 0.0)
        real("step_size_up", step_size_up, 0.0)
        if step_size_down is not None:
            real("step_size_down", step_size_down, 0.0)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        not_zero("step_size_up", up, "torch divides the position in a cycle by it")
        if mode not in _MODES and scale_fn is None:
            raise ValueError(
                f"mode is invalid and scale_fn is None: mode must be one of 'triangular', "
                f"'triangular2', 'exp_range' (or pass a scale_fn), got {mode!r}"
            )
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"scale_fn must be callable or None, got {type(scale_fn).__name__}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        real("gamma", gamma, 0.0)
        if scale_fn is not None and precompute is not None:
            raise TypeError(
                "precompute (table mode) needs a built-in mode; scale_fn is a Python callable, "
                "use the per-step mode (precompute=None)"
            )
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                set_value(group, "lr", lr)
        self.max_lrs = max_lrs
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_support(optimizer)
            self.base_momentums = format_param("base_momentum", optimizer, base_momentum)
            self.max_momentums = format_param("max_momentum", optimizer, max_momentum)
            for name in ("base_momentums", "max_momentums"):
                for i, m in enumerate(getattr(self, name)):
                    real(f"{name[:-1]}[{i}]", m)
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(
                    self.max_momentums, self.base_momentums, optimizer.param_groups, strict=True
                ):
                    _set_momentum(group, m_momentum, self.use_beta1)
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        self._lrjit.info["steps"] = (step_size_up, step_size_down)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self):
        if self._scale_fn_custom is None:
            self.scale_mode = _MODES[self.mode][1]

    def scale_fn(self, x):
        """The scale applied to the cycle's height at ``x`` (a cycle number or an iteration)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return _cyc.cyclic_scale(float(x), _MODES[self.mode][0], float(self.gamma))

    def _codes(self):
        code = _MODES[self.mode][0] if self._scale_fn_custom is None else 0.0
        by = _cyc.SCALE_BY_CYCLE if self.scale_mode == "cycle" else _cyc.SCALE_BY_ITERATION
        return float(self.total_size), float(self.step_ratio), code, float(self.gamma), by

    def _compute(self):
        k = self.last_epoch
        total, ratio, code, gamma, by = self._codes()
        fn = self._scale_fn_custom
        if fn is not None:
            cycle, fraction = cyclic_position(float(k), total, ratio)
            scale = fn(int(cycle) if self.scale_mode == "cycle" else k)
            lrs = [
                b + (m - b) * fraction * scale
                for b, m in zip(self.base_lrs, self.max_lrs, strict=True)
            ]
            if self.cycle_momentum:
                moms = [
                    hi - (hi - lo) * fraction * scale
                    for lo, hi in zip(self.base_momentums, self.max_momentums, strict=True)
                ]
        else:
            t = float(k)
            lrs = [
                K.cyclic_value(t, float(b), float(m), total, ratio, code, gamma, by, False)
                for b, m in zip(self.base_lrs, self.max_lrs, strict=True)
            ]
            if self.cycle_momentum:
                moms = [
                    K.cyclic_value(t, float(lo), float(hi), total, ratio, code, gamma, by, True)
                    for lo, hi in zip(self.base_momentums, self.max_momentums, strict=True)
                ]
        if self.cycle_momentum:
            for group, m in zip(self.optimizer.param_groups, moms, strict=True):
                _set_momentum(group, m, self.use_beta1)
        return lrs

    def _fill(self, k, n):
        if self._scale_fn_custom is not None:
            return False
        total, ratio, code, gamma, by = self._codes()
        table = np.empty((len(self.base_lrs), n))
        K.cyclic_fill(
            float(k),
            total,
            ratio,
            code,
            gamma,
            by,
            _floats(self.base_lrs),
            _floats(self.max_lrs),
            False,
            table,
        )
        extra = None
        if self.cycle_momentum:
            mtable = np.empty_like(table)
            K.cyclic_fill(
                float(k),
                total,
                ratio,
                code,
                gamma,
                by,
                _floats(self.base_momentums),
                _floats(self.max_momentums),
                True,
                mtable,
            )
            extra = _MomentumRows(mtable, self.use_beta1)
        return self._set_table(k, table, extra=extra)

    def state_dict(self):
        """torch's state: a custom ``scale_fn`` is saved as a callable object's ``__dict__``."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not plain_function(fn):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict` (this class's or torch's)."""
        state = dict(state_dict)
        fn = state.pop("_scale_fn_custom", None)
        state.pop("_scale_fn_ref", None)
        super().load_state_dict(state)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()

    def _schedule_for(self, i):
        if self._scale_fn_custom is not None:
            raise ValueError("CyclicLR with a Python scale_fn has no closed form as a Schedule")
        up, down = self._lrjit.info["steps"]
        return _FACTORIES["cyclic"](
            float(self.base_lrs[i]),
            float(self.max_lrs[i]),
            _whole(up, "step_size_up"),
            _whole(up if down is None else down, "step_size_down"),
            self.mode,
            float(self.gamma),
            self.scale_mode,
        )


class _RestartRows:
    """Table mode's SGDR counters (``T_cur``, ``T_i``) per step, typed as torch's are."""

    __slots__ = ("cur", "per", "whole")

    def __init__(self, cur, per, whole):
        self.cur, self.per, self.whole = cur, per, whole

    def rows(self, a, b):
        cur, per = self.cur[a:b], self.per[a:b]
        if self.whole:
            return list(zip(cur.astype(np.int64).tolist(), per.astype(np.int64).tolist()))
        return list(zip(cur.tolist(), per.tolist()))

    def __call__(self, scheduler, row):
        scheduler.T_cur, scheduler.T_i = row


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing with warm restarts, SGDR (torch's CosineAnnealingWarmRestarts).

    Period ``i`` lasts ``T_0 * T_mult ** i`` epochs; within it
    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``.
    ``step()`` advances ``T_cur`` by one; ``step(epoch)`` takes a float epoch
    too (e.g. ``epoch + batch / batches``) and, as torch does, finds the
    period with ``int(log(epoch / T_0 * (T_mult - 1) + 1, T_mult))``, whose
    rounding can put an exact restart at the end of the previous period
    (lrjit keeps that quirk for parity; :func:`lrjit.cosine_restarts` and
    plain steps find the period exactly).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = CosineAnnealingWarmRestarts(opt, T_0=2)
    >>> [round(s.step() or s.get_last_lr()[0], 12) for _ in range(4)]
    [0.5, 1.0, 0.5, 1.0]
    """

    _stateful = True

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        if not _is_number(T_0) or T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0!r}")
        if not _is_number(T_mult) or T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult!r}")
        if not isinstance(eta_min, (float, int)) or isinstance(eta_min, bool):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min!r} of type {type(eta_min)}"
            )
        if not (math.isfinite(eta_min) and eta_min >= 0):
            raise ValueError(f"eta_min must be a finite number >= 0, got {eta_min!r}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def _compute(self):
        t_cur, t_i, eta = float(self.T_cur), float(self.T_i), float(self.eta_min)
        return [_cosine(t_cur, float(b), t_i, eta, 1) for b in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or jump to ``epoch`` (a float works) with torch's closed form."""
        e = self._lrjit
        if epoch is None and self.last_epoch >= 0:
            k = self.last_epoch + 1
            groups = self.optimizer.param_groups
            if e.h0 <= k < e.h1 and len(groups) == e.ngroups:
                j = k - e.h0
                row = e.rows[j]
                self.last_epoch = k
                for g, v in zip(groups, row):
                    g["lr"] = v
                self.T_cur, self.T_i = e.xrows[j]
                self._last_lr = list(row)
                return
            self.last_epoch = k
            vals = self._from_table()
            if vals is None:
                self.T_cur = self.T_cur + 1
                if self.T_cur >= self.T_i:
                    self.T_cur = self.T_cur % self.T_i
                    self.T_i = self.T_i * self.T_mult
                vals = self._compute()
        else:
            if epoch is None:
                epoch = 0
            elif epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            self._invalidate()
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** (n)
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
            self.last_epoch = math.floor(epoch)
            vals = self._compute()
        for group, lr in zip(self.optimizer.param_groups, vals, strict=True):
            set_value(group, "lr", lr)
        self._last_lr = values(self.optimizer, "lr")

    def _fill(self, k, n):
        t_cur, t_i = self.T_cur, self.T_i
        whole = isinstance(t_cur, int) and isinstance(t_i, int)
        table = np.empty((len(self.base_lrs), n))
        cur, per = np.empty(n), np.empty(n)
        K.restarts_fill(
            float(t_cur),
            float(t_i),
            float(self.T_mult),
            float(self.eta_min),
            _floats(self.base_lrs),
            table,
            cur,
            per,
        )
        return self._set_table(k, table, extra=_RestartRows(cur, per, whole))

    def _schedule_for(self, i):
        return _FACTORIES["cosine_restarts"](
            float(self.base_lrs[i]), self.T_0, float(self.eta_min), self.T_mult
        )


class OneCycleLR(LRScheduler):
    """The 1cycle policy (torch's OneCycleLR), with momentum or Adam's ``beta1`` cycling.

    From ``max_lr / div_factor`` up to ``max_lr`` over ``pct_start`` of
    ``total_steps`` (or ``epochs * steps_per_epoch``), then down to
    ``max_lr / div_factor / final_div_factor``; ``three_phase`` comes back to
    the initial rate first.  ``anneal_strategy`` ``'cos'`` or ``'linear'``.
    Stepping past ``total_steps`` raises ValueError, as in torch.  The values
    are :func:`lrjit.kernels.cyclical.one_cycle_phases` (the
    :func:`lrjit.one_cycle` Schedule for steps ``< total_steps``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = OneCycleLR(opt, max_lr=1.0, total_steps=5, pct_start=0.4, anneal_strategy="linear",
    ...                div_factor=2.0, final_div_factor=5.0, cycle_momentum=False)
    >>> s.get_last_lr(), [s.step() or s.get_last_lr()[0] for _ in range(4)]
    ([0.5], [1.0, 0.7, 0.4, 0.09999999999999998])
    """

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        last_epoch=-1,
        *,
        precompute=None,
    ):
        self._lrjit = _Engine(check_precompute(precompute))
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if (
                not isinstance(total_steps, int)
                or isinstance(total_steps, bool)
                or total_steps <= 0
            ):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps!r}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs!r}")
            if (
                not isinstance(steps_per_epoch, int)
                or isinstance(steps_per_epoch, bool)
                or steps_per_epoch <= 0
            ):
                raise ValueError(
                    f"Expected positive integer steps_per_epoch, but got {steps_per_epoch!r}"
                )
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start!r}")
        if anneal_strategy not in _ANNEAL:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy!r}"
            )
        phases = [
            {
                "end_step": float(pct_start * self.total_steps) - 1,
                "start_lr": "initial_lr",
                "end_lr": "max_lr",
                "start_momentum": "max_momentum",
                "end_momentum": "base_momentum",
            }
        ]
        if three_phase:
            phases.append(
                {
                    "end_step": float(2 * pct_start * self.total_steps) - 2,
                    "start_lr": "max_lr",
                    "end_lr": "initial_lr",
                    "start_momentum": "base_momentum",
                    "end_momentum": "max_momentum",
                }
            )
        phases.append(
            {
                "end_step": self.total_steps - 1,
                "start_lr": "initial_lr" if three_phase else "max_lr",
                "end_lr": "min_lr",
                "start_momentum": "max_momentum" if three_phase else "base_momentum",
                "end_momentum": "max_momentum",
            }
        )
        if phases[0]["end_step"] == 0:
            raise ZeroDivisionConfigError(
                f"pct_start * total_steps must not be 1 (the warm-up phase would have zero "
                f"length; torch divides by zero), got pct_start={pct_start!r}, "
                f"total_steps={self.total_steps}"
            )
        real("div_factor", div_factor, 0.0)
        not_zero("div_factor", div_factor, "torch divides max_lr by it")
        real("final_div_factor", final_div_factor, 0.0)
        not_zero("final_div_factor", final_div_factor, "torch divides the initial lr by it")
        self._schedule_phases = phases
        self._anneal_func_type = anneal_strategy
        max_lrs = format_param("max_lr", self.optimizer, max_lr)
        for i, lr in enumerate(max_lrs):
            real(f"max_lr[{i}]", lr, 0.0)
        if last_epoch == -1:
            for idx, group in enumerate(self.optimizer.param_groups):
                group["initial_lr"] = max_lrs[idx] / div_factor
                group["max_lr"] = max_lrs[idx]
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if self.cycle_momentum:
            self.use_beta1 = _momentum_support(optimizer)
            max_momentums = format_param("max_momentum", optimizer, max_momentum)
            base_momentums = format_param("base_momentum", optimizer, base_momentum)
            for i, (a, b) in enumerate(zip(max_momentums, base_momentums)):
                real(f"max_momentum[{i}]", a)
                real(f"base_momentum[{i}]", b)
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(
                    max_momentums, base_momentums, optimizer.param_groups, strict=True
                ):
                    _set_momentum(group, m_momentum, self.use_beta1)
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        self._lrjit.info["args"] = (
            max_lr,
            pct_start,
            anneal_strategy,
            div_factor,
            final_div_factor,
            bool(three_phase),
        )
        super().__init__(optimizer, last_epoch)

    def _phases(self):
        phases = self._schedule_phases
        end1 = float(phases[0]["end_step"])
        end2 = float(phases[1]["end_step"]) if len(phases) == 3 else end1
        return end1, end2, float(phases[-1]["end_step"]), _ANNEAL[self._anneal_func_type]

    def _points(self, group, kind):
        """The four values of :func:`one_cycle_phases` for a group: 'lr' or 'momentum'."""
        cache = self._lrjit.info
        names = cache.get(kind)
        if names is None:
            phases = self._schedule_phases
            names = [p[f"start_{kind}"] for p in phases] + [phases[-1][f"end_{kind}"]]
            if len(names) == 3:  # two phases: an empty middle one
                names.insert(2, names[1])
            cache[kind] = names
        return [float(group[n]) for n in names]

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict` (this class's or torch's)."""
        super().load_state_dict(state_dict)
        self._lrjit.info.pop("lr", None)
        self._lrjit.info.pop("momentum", None)

    def _compute(self):
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(
                f"Tried to step {step_num} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        end1, end2, last, strategy = self._phases()
        t = float(step_num)
        lrs = []
        for group in self.optimizer.param_groups:
            lr = one_cycle_phases(t, end1, end2, last, strategy, *self._points(group, "lr"))
            if not math.isfinite(lr):
                raise ZeroDivisionConfigError(
                    f"step {step_num} lands in a phase of zero length (pct_start gives phase "
                    f"ends {[p['end_step'] for p in self._schedule_phases]}); torch divides by "
                    "zero here too"
                )
            lrs.append(lr)
            if self.cycle_momentum:
                m = one_cycle_phases(
                    t, end1, end2, last, strategy, *self._points(group, "momentum")
                )
                _set_momentum(group, m, self.use_beta1)
        return lrs

    def _fill(self, k, n):
        n = min(n, self.total_steps + 1 - k)
        if n <= 0 or k < 0:
            return False
        end1, end2, last, strategy = self._phases()
        groups = self.optimizer.param_groups
        table = np.empty((len(groups), n))
        K.one_cycle_fill(
            float(k),
            end1,
            end2,
            last,
            strategy,
            np.array([self._points(g, "lr") for g in groups]),
            table,
        )
        # a non-finite value marks a zero-length phase: leave that step to per-step (raises)
        bad = ~np.isfinite(table).all(axis=0)
        if bad.any():
            n = int(np.argmax(bad))
            if n == 0:
                return False
            table = table[:, :n]
        extra = None
        if self.cycle_momentum:
            mtable = np.empty((len(groups), n))
            K.one_cycle_fill(
                float(k),
                end1,
                end2,
                last,
                strategy,
                np.array([self._points(g, "momentum") for g in groups]),
                mtable,
            )
            extra = _MomentumRows(mtable, self.use_beta1)
        return self._set_table(k, table, extra=extra)

    def _schedule_for(self, i):
        max_lr, pct, strategy, div, final_div, three = self._lrjit.info["args"]
        peak = max_lr[i] if isinstance(max_lr, (list, tuple)) else max_lr
        return _FACTORIES["one_cycle"](
            float(peak),
            self.total_steps,
            float(pct),
            strategy,
            float(div),
            float(final_div),
            three,
        )


class SWALR(LRScheduler):
    """Anneal each group's learning rate to ``swa_lr`` over ``anneal_epochs`` (torch's SWALR).

    From torch's ``torch.optim.swa_utils``: ``anneal_strategy`` ``'cos'`` or
    ``'linear'``; the anneal starts from whatever learning rate the group has
    (a chainable form, compiled in torch's operation order).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = SWALR(opt, swa_lr=0.5, anneal_epochs=2, anneal_strategy="linear")
    >>> [s.step() or s.get_last_lr()[0] for _ in range(3)]
    [0.75, 0.5, 0.5]
    """

    _stateful = True

    def __init__(
        self,
        optimizer,
        swa_lr,
        anneal_epochs=10,
        anneal_strategy="cos",
        last_epoch=-1,
        *,
        precompute=None,
    ):
        self._lrjit = _Engine(check_precompute(precompute))
        check_optimizer(optimizer)
        swa_lrs = format_param("swa_lr", optimizer, swa_lr)
        for i, lr in enumerate(swa_lrs):
            real(f"swa_lr[{i}]", lr, 0.0)
        if anneal_strategy not in _ANNEAL:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy!r}"
            )
        if (
            not isinstance(anneal_epochs, int)
            or isinstance(anneal_epochs, bool)
            or anneal_epochs < 0
        ):
            raise ValueError(
                f"anneal_epochs must be equal or greater than 0, got {anneal_epochs!r}"
            )
        for lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        self._anneal_strategy = anneal_strategy
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def _args(self):
        return float(self.anneal_epochs), _ANNEAL[self._anneal_strategy]

    def _compute(self):
        epochs, strategy = self._args()
        k = float(self._step_count - 1)
        return [
            K.chain_next(K.SWA, float(g["lr"]), k, float(g["swa_lr"]), epochs, strategy, 0.0)
            for g in self.optimizer.param_groups
        ]

    def _fill(self, k, n):
        if not _plain(self.optimizer):
            return False
        epochs, strategy = self._args()
        groups = self.optimizer.param_groups
        lr0 = [float(g["lr"]) for g in groups]
        table = np.empty((len(groups), n))
        start = float(self._step_count - 1)
        for g, (lr, group) in enumerate(zip(lr0, groups)):
            K.chain_fill(
                K.SWA,
                lr,
                start,
                float(group["swa_lr"]),
                epochs,
                strategy,
                0.0,
                _NO_MILESTONES,
                _NO_MILESTONES,
                table[g],
            )
        return self._set_table(k, table, expect=lr0)
