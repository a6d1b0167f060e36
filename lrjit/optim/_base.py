"""The base class of lrjit's torch-compatible schedulers, and its table engine.

:class:`LRScheduler` is torch 2.13's base class (a user's torch-style
subclass with its own ``get_lr`` works unchanged); lrjit's built-in classes
give a compiled ``_compute`` instead, and optionally ``_fill`` for table
mode.  What lrjit keeps beside torch's state lives in an :class:`_Engine` in
a slot, outside ``__dict__``: ``state_dict()`` is exactly torch's, and
torch's invariant "``__dict__`` minus the optimizer equals the state" holds.
"""

import numbers
import warnings

import numpy as np

from ._interop import (
    EPOCH_DEPRECATION_WARNING,
    GET_LR_WARNING,
    NoClosedFormError,
    check_optimizer,
    check_precompute,
    check_step_order,
    copy_value,
    is_tensor,
    patch_optimizer_step,
    values,
)
from ._state import check_common, incoming
from ._torch import instance_class

__all__ = ["LRScheduler", "REBUILDS", "BLOCK", "floats", "plain_groups", "rows"]

# Table rebuilds after an invalidation; beyond this a scheduler stays per-step
# (bounds the cost when something else rewrites group["lr"] every step).
REBUILDS = 16
# Steps of the table turned into Python floats at a time, for the hot path.
BLOCK = 2048

# torch 2.13's wording: user code matches it
_MISSING_INITIAL_LR = (
    "param 'initial_lr' is not specified in param_groups[{i}] when resuming scheduler with "
    "last_epoch >= 0.\n"
    "This typically happens when:\n"
    "1. You're trying to resume training from a checkpoint but haven't properly loaded the "
    "optimizer state\n"
    "2. You're using last_epoch >= 0 for a fresh training run (not recommended)"
)


class _Engine:
    """What an lrjit scheduler keeps beside torch's state: its table and options.

    ``table[g, i]`` is group ``g``'s value at epoch ``t0 + i`` for epochs in
    ``[t0, t1)``; ``extra`` (momentum, SGDR's counters) rides along.  The hot
    path reads ``rows[j]``, a tuple of Python floats for epoch ``h0 + j``,
    from a block ``[h0, h1)`` of the table (empty for tensor learning rates,
    which the slow path writes in place).  ``expect`` holds the learning rates
    a chainable table assumes the groups hold now.  Pickled without the table
    (it is rebuilt from the state).
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

    def __getstate__(self):
        return (self.precompute, self.credits, self.track_order, self.custom, dict(self.info))

    def __setstate__(self, state):
        self.precompute, self.credits, self.track_order, self.custom, self.info = state
        self.clear()
        self.invalid = False


def floats(xs):
    """A list of numbers (or one-element tensors) as a float64 array."""
    return np.array([float(x) for x in xs], dtype=np.float64)


def plain_groups(optimizer):
    """Whether every group's ``lr`` is a plain number (not a tensor)."""
    return all(type(g["lr"]) is float or not is_tensor(g["lr"]) for g in optimizer.param_groups)


def rows(table):
    """A (G, n) array as n tuples of G Python floats."""
    return list(zip(*table.tolist()))


class LRScheduler:
    """Base class of the schedulers: torch's ``LRScheduler``.

    Subclasses implement :meth:`get_lr` as in torch (a user's torch-style
    subclass works unchanged), or lrjit's built-in classes, their compiled
    ``_compute``.  ``precompute=N`` selects table mode (see
    :mod:`lrjit.optim.lr_scheduler`) for the classes that support it.

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

    # the engine lives in a slot, so __dict__ is torch's state and nothing else
    __slots__ = ("_lrjit", "__dict__", "__weakref__")

    _get_lr_called_within_step = False
    _is_initial = False
    _stateful = False  # the table depends on more than the epoch (chain forms, SGDR)
    _torch_base = "LRScheduler"  # the torch class a twin derives from (see _torch)

    def __new__(cls, *args, **kwargs):
        # with torch imported, a real subclass of torch's class (lrjit.optim._torch)
        return object.__new__(instance_class(cls))

    def __init__(self, optimizer, last_epoch=-1, *, precompute=None):
        try:
            e = self._lrjit
        except AttributeError:
            e = self._lrjit = _Engine(check_precompute(precompute))
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
                    raise KeyError(_MISSING_INITIAL_LR.format(i=i))
        self.base_lrs = values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        e.track_order = patch_optimizer_step(optimizer)
        # a torch-style subclass computes with its own get_lr
        e.custom = type(self).get_lr is not LRScheduler.get_lr
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
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict` (this class's or torch's), checked first.

        Every value is checked as the constructor checks it; a state the
        constructor could not have produced raises ``ValueError`` or
        ``TypeError`` naming the key, and the scheduler is left unchanged.
        """
        self._apply_state(self._validated_state(state_dict))

    def _validated_state(self, state_dict):
        """The state to apply: normalised, and checked merged into the current one."""
        state = self._prepare_state(incoming(state_dict))
        self._check_state({**self.__dict__, **state})
        return state

    def _prepare_state(self, state):
        """Normalise a loaded state (JSON's spellings, torch's legacy keys)."""
        return state

    def _check_state(self, state):
        """Raise ValueError/TypeError naming the first key of ``state`` that is not valid."""
        check_common(state, len(self.optimizer.param_groups))

    def _apply_state(self, state):
        self.__dict__.update(state)
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
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self._update_lr(epoch)
            return
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
        if e.precompute is None and not e.custom:
            # per-step mode's hot path
            self.last_epoch = k
            self._set_lrs(self._compute(), fresh=True)
            return
        self._update_lr()

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            vals = None if self._lrjit.precompute is None else self._from_table()
            if vals is None:
                vals = self._values()
        else:
            self.last_epoch = epoch
            if self._stateful:
                self._invalidate()
            if hasattr(self, "_get_closed_form_lr"):
                vals = self._get_closed_form_lr()
            else:
                vals = self._values()
        self._set_lrs(vals)

    def _set_lrs(self, vals, fresh=False):
        """Write ``vals`` into the groups (tensors in place) and record ``_last_lr``.

        ``fresh``: ``vals`` is a new list of this class's own, which may be kept.
        """
        groups = self.optimizer.param_groups
        plain = True
        for group, lr in zip(groups, vals, strict=True):
            current = group["lr"]
            if type(current) is float or not is_tensor(current):
                group["lr"] = lr
            else:
                current.fill_(float(lr))
                plain = False
        # torch reads the groups back; for plain numbers that is vals itself
        if not plain:
            self._last_lr = [copy_value(g["lr"]) for g in groups]
        else:
            self._last_lr = vals if fresh else list(vals)

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
        if plain_groups(self.optimizer):
            # a block of rows for the hot path
            end = min(i + BLOCK, e.t1 - e.t0)
            e.rows = rows(e.table[:, i:end])
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
        return [self._closed_form(i) for i in range(len(self.base_lrs))]

    @property
    def schedule(self):
        """The :class:`lrjit.Schedule` of the first param group (see :attr:`schedules`)."""
        return self._closed_form(0)

    def _closed_form(self, i):
        # AttributeError where there is none, so hasattr/getattr(s, "schedule", None) work
        try:
            return self._schedule_for(i)
        except NoClosedFormError:
            raise
        except ValueError as err:
            raise NoClosedFormError(str(err)) from err

    def _schedule_for(self, i):
        raise NoClosedFormError(f"{type(self).__name__} has no closed form as an lrjit Schedule")
