"""torch's compositions (SequentialLR, ChainedScheduler) and ReduceLROnPlateau.

These step other schedulers or follow a metric, so they have no table mode
and no compiled code of their own.
"""

import math
import warnings
from bisect import bisect_right

from .. import join
from .._checks import is_integer, is_real
from ._base import LRScheduler, _Engine
from ._interop import (
    EPOCH_DEPRECATION_WARNING,
    check_optimizer,
    copy_value,
    integer,
    real,
    set_value,
    values,
)
from ._state import (
    check_choice,
    check_int,
    check_per_group,
    check_real,
    incoming,
    where,
)

__all__ = ["SequentialLR", "ChainedScheduler", "ReduceLROnPlateau"]


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
    state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
    state["_schedulers"] = [s.state_dict() for s in self._schedulers]
    return state


def _validated_children_state(self, state_dict):
    """This scheduler's state and each child's, all checked before anything is applied."""
    state = incoming(state_dict)
    saved = state.pop("_schedulers", None)
    children = []
    if saved is not None:
        if not isinstance(saved, list) or len(saved) != len(self._schedulers):
            raise ValueError(
                f"{where('_schedulers')} must be a list of {len(self._schedulers)} states "
                f"(one per scheduler), got {saved!r}"
            )
        for i, (child, sub) in enumerate(zip(self._schedulers, saved)):
            try:
                if hasattr(child, "_validated_state"):
                    sub = child._validated_state(sub)
                elif not isinstance(sub, dict):
                    raise TypeError(f"must be a dict, got {type(sub).__name__}")
            except (TypeError, ValueError) as err:
                raise type(err)(f"{where('_schedulers')}[{i}]: {err}") from None
            children.append(sub)
    if "_milestones" in state:
        _check_milestones(state["_milestones"], len(self._schedulers))
    check_per_group(state, "_last_lr", len(self.optimizer.param_groups), 0.0)
    if "last_epoch" in state and not is_integer(state["last_epoch"]):
        raise TypeError(f"{where('last_epoch')} must be an int, got {state['last_epoch']!r}")
    return state, children


def _apply_children_state(self, prepared):
    state, children = prepared
    self.__dict__.update(state)
    for child, sub in zip(self._schedulers, children):
        if hasattr(child, "_apply_state"):
            child._apply_state(sub)
        else:
            child.load_state_dict(sub)


def _check_milestones(milestones, n):
    key = where("_milestones")
    if not isinstance(milestones, list) or len(milestones) != n - 1:
        raise ValueError(f"{key} must be a list of {n - 1} epochs, got {milestones!r}")
    for i, m in enumerate(milestones):
        integer(f"{key}[{i}]", m)


class SequentialLR(LRScheduler):
    """Run ``schedulers[i]`` from ``milestones[i - 1]`` on (torch's SequentialLR).

    At a milestone the next scheduler restarts at its epoch 0 from its closed
    form; between milestones it steps as usual (each child keeps its own
    execution mode).  ``schedule`` joins the children's schedules.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from lrjit.optim.lr_scheduler import ExponentialLR, LinearLR
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
    _validated_state = _validated_children_state
    _apply_state = _apply_children_state

    def _schedule_for(self, i):
        return join(
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
    >>> from lrjit.optim.lr_scheduler import ConstantLR, ExponentialLR
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
    _validated_state = _validated_children_state
    _apply_state = _apply_children_state


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

    _torch_base = "ReduceLROnPlateau"  # Lightning and transformers look for it

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
        if is_real(factor) and factor >= 1.0:
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
        if self.cooldown_counter > 0:  # in_cooldown, without the property call
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr(epoch)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        # torch's _param_groups_val_list: tensors cloned, numbers as they are
        last = []
        for group in self.optimizer.param_groups:
            lr = group["lr"]
            last.append(lr if type(lr) is float else copy_value(lr))
        self._last_lr = last

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

    def state_dict(self):
        """torch's state.  ``best`` and ``mode_worse`` start at ``inf`` (``-inf`` for 'max').

        torch loads it as it is (pickle, ``torch.save``); Python's ``json``
        writes the infinities as ``Infinity`` (its default, ``allow_nan=True``)
        and reads them back.  For strict JSON (``allow_nan=False``) replace
        them by strings (``"inf"``) and ``float()`` them back before loading.
        """
        return super().state_dict()

    def _check_state(self, state):
        super()._check_state(state)
        check_real(state, "factor", 0.0, 1.0, high_open=True)
        check_per_group(state, "min_lrs", len(self.optimizer.param_groups), 0.0)
        if state.get("default_min_lr") is not None:
            check_real(state, "default_min_lr", 0.0)
        for key in ("patience", "cooldown", "cooldown_counter", "num_bad_epochs"):
            check_int(state, key, 0)
        check_real(state, "eps", 0.0)
        check_real(state, "threshold", 0.0)
        check_choice(state, "mode", ("min", "max"))
        check_choice(state, "threshold_mode", ("rel", "abs"))
        worse = math.inf if state["mode"] == "min" else -math.inf
        if state.get("mode_worse") != worse:
            raise ValueError(
                f"{where('mode_worse')} must be {worse} for mode={state['mode']!r}, "
                f"got {state.get('mode_worse')!r}"
            )
        best = state.get("best")
        if not is_real(best):
            raise TypeError(f"{where('best')} must be a number, got {best!r}")
        if math.isnan(best):
            raise ValueError(f"{where('best')} must not be NaN")

    def _apply_state(self, state):
        self.__dict__.update(state)
        self._init_is_better(
            mode=self.mode, threshold=self.threshold, threshold_mode=self.threshold_mode
        )
