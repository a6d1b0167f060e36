"""Any :class:`lrjit.Schedule` driving any torch optimizer: ScheduleLR and ScheduleParam.

:class:`ScheduleLR` sets each param group's learning rate from a Schedule
(absolute values, or a multiplier of the group's ``initial_lr``), one
Schedule for all groups or one per group, per step or from a table
(``precompute=N``), and is a torch scheduler in every other respect (a real
``torch.optim.lr_scheduler.LRScheduler`` when torch is imported, torch's
``state_dict`` keys).  :class:`ScheduleParam` does the same for any other
hyperparameter of a group -- ``weight_decay``, ``momentum``, Adam's
``betas[0]`` -- as timm's ``param_group_field`` and optax's
``inject_hyperparams`` do.

Both evaluate the Schedule's compiled program (``lrjit.kernels.lr_at``) at
the integer epoch, so ``get_last_lr()`` after ``k`` steps is ``schedule(k)``
exactly (times ``initial_lr`` when relative).
"""

import re

import numpy as np

from .. import Schedule, from_dict
from .._checks import check_flag
from ..kernels.dispatch import driver_lr_at
from ..tables import evaluate
from ._base import LRScheduler, _Engine
from ._interop import check_optimizer, check_precompute, copy_value, set_value
from ._state import check_common, incoming, where

__all__ = ["ScheduleLR", "ScheduleParam"]


def _per_group(schedule, ngroups, name="schedule"):
    """One Schedule per param group, from one Schedule or a list of them."""
    items = list(schedule) if isinstance(schedule, (list, tuple)) else [schedule] * ngroups
    if len(items) != ngroups:
        raise ValueError(
            f"{name} must be one lrjit Schedule or a list of one per param group "
            f"({ngroups}), got a list of {len(items)}"
        )
    for i, s in enumerate(items):
        if not isinstance(s, Schedule):
            raise TypeError(
                f"{name} must be an lrjit Schedule (lrjit.cosine(...), lrjit.join(...), ...) or a "
                f"list of them, got {type(s).__name__} for param group {i}"
            )
    return items


def _loaded_schedules(saved, ngroups, key):
    """Schedules from a state: ``Schedule.to_dict()`` dicts (or Schedules), one per group."""
    if not isinstance(saved, list) or len(saved) != ngroups:
        raise ValueError(
            f"{where(key)} must be a list of {ngroups} schedules (Schedule.to_dict() dicts), "
            f"got {saved!r}"
        )
    out = []
    for i, s in enumerate(saved):
        if isinstance(s, Schedule):
            out.append(s)
            continue
        try:
            out.append(from_dict(s))
        except (TypeError, ValueError) as err:
            raise type(err)(f"{where(key)}[{i}]: {err}") from None
    return out


def _epoch_values(schedules, bases, k, relative):
    """Each group's value at epoch ``k`` (an int >= 0)."""
    t = float(k)
    vals = []
    # a loop, not a comprehension: cheaper on the hot path (see _recursive)
    if relative:
        for s, b in zip(schedules, bases):
            vals.append(b * driver_lr_at(s.kinds, s.params, s.starts, t))
    else:
        for s in schedules:
            vals.append(driver_lr_at(s.kinds, s.params, s.starts, t))
    return vals


def _epoch_table(schedules, bases, k, n, relative):
    """A (groups, n) float64 table of the values at epochs ``k .. k+n-1``."""
    steps = np.arange(k, k + n, dtype=np.float64)
    table = np.empty((len(schedules), n))
    for g, s in enumerate(schedules):
        evaluate(s.kinds, s.params, s.starts, steps, table[g])
        if relative:
            table[g] *= float(bases[g])
    return table


def _check_epoch(k):
    if k < 0:
        raise ValueError(f"a Schedule has no value at epoch {k}: epochs must be >= 0")


class ScheduleLR(LRScheduler):
    """Set each param group's learning rate from an :class:`lrjit.Schedule`.

    After ``k`` calls of :meth:`step` a group's learning rate is
    ``schedule(k)`` (``relative=False``, the default), or
    ``initial_lr * schedule(k)`` (``relative=True``: the Schedule is a
    multiplier, as torch's ``LambdaLR``; each group keeps its own base).

    Parameters
    ----------
    optimizer : torch.optim.Optimizer or any object with ``param_groups``
    schedule : Schedule or list of Schedule
        One Schedule for every group, or one per group.
    last_epoch : int
        ``-1`` starts afresh; anything else resumes (torch's convention).
    relative : bool
        Multiply each group's ``initial_lr`` by the Schedule's value.
    precompute : int, optional
        Table mode: compute the next ``precompute`` values at once (same bits).

    ``state_dict()`` holds torch's keys plus ``lr_schedules`` (each
    Schedule's :meth:`~lrjit.Schedule.to_dict`) and ``relative``, all plain
    data (``torch.load(weights_only=True)`` reads it).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import lrjit
    >>> opt = SimpleNamespace(param_groups=[{"lr": 0.0}])
    >>> s = ScheduleLR(opt, lrjit.warmup_cosine(1.0, warmup_steps=2, decay_steps=6))
    >>> [s.get_last_lr()[0]] + [s.step() or s.get_last_lr()[0] for _ in range(6)]
    [0.0, 0.5, 1.0, 0.8535533905932737, 0.5, 0.1464466094067262, 0.0]
    """

    __slots__ = ()

    def __init__(self, optimizer, schedule, last_epoch=-1, *, relative=False, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        groups = check_optimizer(optimizer)
        self.optimizer = optimizer
        self.lr_schedules = _per_group(schedule, len(groups))
        self.relative = check_flag("relative", relative)
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        state = LRScheduler.state_dict(self)
        state["lr_schedules"] = [s.to_dict() for s in self.lr_schedules]
        return state

    def _prepare_state(self, state):
        if "lr_schedules" in state:
            state["lr_schedules"] = _loaded_schedules(
                state["lr_schedules"], len(self.optimizer.param_groups), "lr_schedules"
            )
        if "relative" in state and not isinstance(state["relative"], bool):
            raise TypeError(f"{where('relative')} must be True or False, got {state['relative']!r}")
        return state

    def _check_state(self, state):
        check_common(state, len(self.optimizer.param_groups))

    def _compute(self):
        k = self.last_epoch
        _check_epoch(k)
        return _epoch_values(self.lr_schedules, self.base_lrs, k, self.relative)

    def _fill(self, k, n):
        if k < 0:
            return False
        return self._set_table(k, _epoch_table(self.lr_schedules, self.base_lrs, k, n,
                                               self.relative))

    def _schedule_for(self, i):
        if self.relative and float(self.base_lrs[i]) != 1.0:
            raise ValueError(
                "a relative ScheduleLR's learning rate is initial_lr * schedule, not a Schedule: "
                "see lr_schedules"
            )
        return self.lr_schedules[i]


_FIELD = re.compile(r"^([A-Za-z_][A-Za-z_0-9]*)(?:\[(\d+)\])?$")


def _parse_field(field):
    """``'momentum'`` -> ('momentum', None); ``'betas[0]'`` -> ('betas', 0)."""
    m = _FIELD.match(field) if isinstance(field, str) else None
    if m is None:
        raise ValueError(
            f"field must be a param-group key ('weight_decay', 'momentum') or an element of a "
            f"tuple-valued key ('betas[0]'), got {field!r}"
        )
    return m.group(1), None if m.group(2) is None else int(m.group(2))


class ScheduleParam:
    """Set a hyperparameter of each param group (not the lr) from an :class:`lrjit.Schedule`.

    timm's ``param_group_field`` and optax's ``inject_hyperparams``, for torch
    optimizers: after ``k`` calls of :meth:`step`, ``group[field]`` is
    ``schedule(k)`` (or ``initial * schedule(k)`` with ``relative=True``,
    where ``initial`` is the group's value at construction, kept in the group
    as ``'initial_' + field`` like torch's ``initial_lr``).  ``field`` names a
    group key (``'weight_decay'``, ``'momentum'``) or one element of a tuple
    (``'betas[0]'``: Adam's first-moment decay).  A tensor value is updated
    in place.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer or any object with ``param_groups``
    field : str
    schedule : Schedule or list of Schedule
    last_epoch : int
        ``-1`` starts afresh; anything else resumes (needs ``'initial_' + field``).
    relative : bool
    precompute : int, optional
        Table mode: the next ``precompute`` values computed at once (same bits).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import lrjit
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1e-3, "betas": (0.9, 0.999)}])
    >>> s = ScheduleParam(opt, "betas[0]", lrjit.linear(0.85, 0.95, transition_steps=2))
    >>> opt.param_groups[0]["betas"]
    (0.85, 0.999)
    >>> s.step(); s.step()
    >>> opt.param_groups[0]["betas"]
    (0.95, 0.999)
    """

    def __init__(self, optimizer, field, schedule, last_epoch=-1, *, relative=False,
                 precompute=None):
        groups = check_optimizer(optimizer)
        self._key, self._index = _parse_field(field)
        for i, g in enumerate(groups):
            self._read(g, i)
        if not isinstance(last_epoch, int) or isinstance(last_epoch, bool):
            raise TypeError(f"last_epoch must be an int >= -1 (-1 to start), got {last_epoch!r}")
        if last_epoch < -1:
            raise ValueError(f"last_epoch must be an int >= -1 (-1 to start), got {last_epoch}")
        self.optimizer = optimizer
        self.field = field
        self.schedules = _per_group(schedule, len(groups))
        self.relative = check_flag("relative", relative)
        self._precompute = check_precompute(precompute)
        self._table = None
        self._t0 = 0
        init = "initial_" + field
        if last_epoch == -1:
            for i, g in enumerate(groups):
                g.setdefault(init, copy_value(self._read(g, i)))
        else:
            for i, g in enumerate(groups):
                if init not in g:
                    raise KeyError(f"param_groups[{i}] has no {init!r} to resume from")
        self.base_values = [float(g[init]) for g in groups]
        self.last_epoch = last_epoch
        self.step()

    def _read(self, group, i):
        key, index = self._key, self._index
        if key not in group:
            raise KeyError(f"param_groups[{i}] has no key {key!r} to schedule")
        value = group[key]
        if index is None:
            return value
        if not isinstance(value, (tuple, list)) or index >= len(value):
            raise ValueError(
                f"param_groups[{i}][{key!r}] must be a tuple with an element {index}, got {value!r}"
            )
        return value[index]

    def _write(self, group, value):
        key, index = self._key, self._index
        if index is None:
            set_value(group, key, value)
        else:
            old = group[key]
            new = list(old)
            new[index] = value
            group[key] = type(old)(new)

    def step(self):
        """Advance one epoch and write each group's value."""
        k = self.last_epoch + 1
        _check_epoch(k)
        if self._precompute is None:
            vals = _epoch_values(self.schedules, self.base_values, k, self.relative)
        else:
            table = self._table
            if table is None or not self._t0 <= k < self._t0 + table.shape[1]:
                table = self._table = _epoch_table(
                    self.schedules, self.base_values, k, self._precompute, self.relative
                )
                self._t0 = k
            vals = table[:, k - self._t0].tolist()
        self.last_epoch = k
        for g, v in zip(self.optimizer.param_groups, vals):
            self._write(g, v)
        self._last = vals

    def get_last_value(self):
        """The values the last step wrote, one per param group."""
        return list(self._last)

    def state_dict(self):
        """``field``, ``last_epoch``, ``relative``, ``base_values`` and ``schedules`` (dicts)."""
        return {
            "field": self.field,
            "last_epoch": self.last_epoch,
            "relative": self.relative,
            "base_values": list(self.base_values),
            "schedules": [s.to_dict() for s in self.schedules],
        }

    def load_state_dict(self, state_dict):
        """Load a :meth:`state_dict`, checked first (the object is unchanged on error)."""
        state = incoming(state_dict)
        ngroups = len(self.optimizer.param_groups)
        if state.get("field", self.field) != self.field:
            raise ValueError(f"{where('field')} is {state['field']!r}, this one schedules "
                             f"{self.field!r}")
        last = state.get("last_epoch", self.last_epoch)
        if not isinstance(last, int) or isinstance(last, bool) or last < 0:
            raise TypeError(f"{where('last_epoch')} must be an int >= 0, got {last!r}")
        relative = state.get("relative", self.relative)
        if not isinstance(relative, bool):
            raise TypeError(f"{where('relative')} must be True or False, got {relative!r}")
        bases = state.get("base_values", self.base_values)
        if not isinstance(bases, list) or len(bases) != ngroups:
            raise ValueError(f"{where('base_values')} must be a list of {ngroups} numbers, "
                             f"got {bases!r}")
        bases = [float(b) for b in bases]
        schedules = _loaded_schedules(state.get("schedules", self.schedules), ngroups,
                                      "schedules")
        self.last_epoch, self.relative, self.base_values = last, relative, bases
        self.schedules = schedules
        self._table = None
        self._last = _epoch_values(schedules, bases, last, relative)
