"""torch's schedulers driven by Python callables: LambdaLR and MultiplicativeLR.

An :class:`lrjit.Schedule` works as the callable too, and then table mode is
available: the Schedule's own compiled table (LambdaLR), or a running
product of it in torch's order (MultiplicativeLR).
"""

import numpy as np

from .. import Schedule
from ._base import LRScheduler, _Engine, plain_groups
from ._interop import check_optimizer, check_precompute, plain_function, values
from ._state import incoming, where

__all__ = ["LambdaLR", "MultiplicativeLR"]


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
    state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
    state["lr_lambdas"] = [
        None if plain_function(fn) or isinstance(fn, Schedule) else fn.__dict__.copy()
        for fn in self.lr_lambdas
    ]
    return state


def _validated_lambda_state(self, state_dict):
    state = incoming(state_dict)
    saved = state.pop("lr_lambdas", None)
    if saved is not None:
        if not isinstance(saved, list) or len(saved) != len(self.lr_lambdas):
            raise ValueError(
                f"{where('lr_lambdas')} must be a list of {len(self.lr_lambdas)} entries "
                f"(one per param group: None or a callable object's attributes), got {saved!r}"
            )
        for i, (fn, attrs) in enumerate(zip(self.lr_lambdas, saved)):
            if attrs is None:
                continue
            if not isinstance(attrs, dict) or not all(isinstance(k, str) for k in attrs):
                raise TypeError(f"{where('lr_lambdas')}[{i}] must be None or a dict, got {attrs!r}")
            if not hasattr(fn, "__dict__"):
                raise ValueError(
                    f"{where('lr_lambdas')}[{i}] holds attributes, but lr_lambda {i} "
                    f"({type(fn).__name__}) has none to restore"
                )
    return LRScheduler._validated_state(self, state), saved


def _apply_lambda_state(self, prepared):
    state, saved = prepared
    LRScheduler._apply_state(self, state)
    for fn, attrs in zip(self.lr_lambdas, saved or ()):
        if attrs is not None:
            fn.__dict__.update(attrs)


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

    __slots__ = ()

    def __init__(self, optimizer, lr_lambda, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        _check_table_lambdas(self.lr_lambdas, precompute)
        super().__init__(optimizer, last_epoch)

    state_dict = _lambda_state
    _validated_state = _validated_lambda_state
    _apply_state = _apply_lambda_state

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

    __slots__ = ()
    _stateful = True

    def __init__(self, optimizer, lr_lambda, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        _check_table_lambdas(self.lr_lambdas, precompute)
        super().__init__(optimizer, last_epoch)

    state_dict = _lambda_state
    _validated_state = _validated_lambda_state
    _apply_state = _apply_lambda_state

    def _compute(self):
        if self._is_initial:
            return values(self.optimizer, "lr")
        k = self.last_epoch
        return [
            g["lr"] * fn(k)
            for fn, g in zip(self.lr_lambdas, self.optimizer.param_groups, strict=True)
        ]

    def _fill(self, k, n):
        if k < 0 or not plain_groups(self.optimizer):
            return False
        steps = np.arange(k, k + n, dtype=np.float64)
        lr0 = [float(g["lr"]) for g in self.optimizer.param_groups]
        table = np.empty((len(lr0), n))
        for g, (fn, lr) in enumerate(zip(self.lr_lambdas, lr0)):
            # a running product from the left, as torch's steps multiply
            table[g] = np.cumprod(np.concatenate(([lr], fn(steps))))[1:]
        return self._set_table(k, table, expect=lr0)
