"""torch's chainable schedulers: each plain step recurses on ``group["lr"]``.

Plain steps run torch's recursion (:mod:`._recurrences`, compiled in torch's
operation order); ``step(epoch)`` runs torch's closed form, which is the
core's kernel of the same family (:mod:`lrjit.kernels`) where one has
torch's operation order, and torch's own two-term expression otherwise
(ConstantLR, LinearLR).
"""

from collections import Counter
from collections.abc import Mapping

import numpy as np

from .. import constant, cosine, exponential, join, linear, multistep, polynomial, step_decay
from .. import kernels as _k
from .._checks import is_real
from ._base import LRScheduler, _Engine, floats, plain_groups
from ._interop import (
    ZeroDivisionConfigError,
    check_optimizer,
    check_precompute,
    format_param,
    integer,
    not_zero,
    real,
    values,
    whole,
)
from ._recurrences import (
    CHAIN_CONSTANT,
    CHAIN_COSINE,
    CHAIN_EXPONENTIAL,
    CHAIN_LINEAR,
    CHAIN_MULTISTEP,
    CHAIN_POLYNOMIAL,
    CHAIN_STEP,
    CHAIN_SWA,
    chain_fill,
    chain_next,
)
from ._state import check_choice, check_int, check_real, where

__all__ = [
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "SWALR",
    "ANNEAL",
]

ANNEAL = {"cos": _k.ANNEAL_COS, "linear": _k.ANNEAL_LINEAR}
_NONE = np.zeros(0)


def _milestones(saved):
    """A saved ``milestones`` Counter (JSON turns its int keys into strings), checked."""
    if not isinstance(saved, Mapping):
        raise TypeError(
            f"{where('milestones')} must be a dict of milestone -> count, got {saved!r}"
        )
    out = Counter()
    for m, c in saved.items():
        if isinstance(m, str) and m.isdigit():
            m = int(m)
        integer(f"{where('milestones')} key", m)
        integer(f"{where('milestones')}[{m!r}]", c, 1)
        out[int(m)] = int(c)
    return out


def _engine(self, precompute):
    self._lrjit = _Engine(check_precompute(precompute))


class _Chainable(LRScheduler):
    """A scheduler whose plain steps recurse on ``group["lr"]`` (torch's chainable form).

    Subclasses set ``_chain`` (a ``CHAIN_*`` code) and give ``_params()``:
    ``(p0, p1, p2, p3)`` of :func:`._recurrences.chain_next`;
    ``_initial_passthrough`` says whether torch's initial step leaves the
    learning rates alone.
    """

    __slots__ = ()
    _stateful = True
    _initial_passthrough = True
    _chain = None

    def _params(self):
        raise NotImplementedError

    def _passthrough(self):
        return self._initial_passthrough

    def _compute(self):
        if self._is_initial and self._passthrough():
            return values(self.optimizer, "lr")
        p0, p1, p2, p3 = self._params()
        k = float(self.last_epoch)
        code = self._chain
        # a loop, not a comprehension: on the hot path its closure cells cost more than the call
        lrs = []
        for g in self.optimizer.param_groups:
            lrs.append(chain_next(code, float(g["lr"]), k, p0, p1, p2, p3))
        return lrs

    def _fill(self, k, n):
        if not plain_groups(self.optimizer):
            return False  # a tensor rounds each written value: the table's guard would fail
        p0, p1, p2, p3 = self._params()
        lr0 = [float(g["lr"]) for g in self.optimizer.param_groups]
        table = np.empty((len(lr0), n))
        ms = self._milestone_array()
        for g, lr in enumerate(lr0):
            chain_fill(self._chain, lr, float(k), p0, p1, p2, p3, ms, table[g])
        return self._set_table(k, table, expect=lr0)

    def _milestone_array(self):
        return _NONE

    def _closed(self, kernel, *params):
        """torch's closed form: the core's ``kernel(epoch, base_lr, *params)`` per group."""
        k = float(self.last_epoch)
        return [kernel(k, float(b), *params) for b in self.base_lrs]


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

    __slots__ = ()
    _chain = CHAIN_STEP
    _initial_passthrough = False

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1, *, precompute=None):
        _engine(self, precompute)
        integer("step_size", step_size)
        not_zero("step_size", step_size, "torch divides the epoch by it")
        real("gamma", gamma, 0.0)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _params(self):
        return float(self.step_size), float(self.gamma), 0.0, 0.0

    def _check_state(self, state):
        super()._check_state(state)
        check_int(state, "step_size", 1)
        check_real(state, "gamma", 0.0)

    def _get_closed_form_lr(self):
        return self._closed(_k.step_decay, float(self.step_size), float(self.gamma))

    def _schedule_for(self, i):
        return step_decay(float(self.base_lrs[i]), self.step_size, gamma=float(self.gamma))


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

    __slots__ = ()
    _chain = CHAIN_MULTISTEP
    _initial_passthrough = False

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1, *, precompute=None):
        _engine(self, precompute)
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise TypeError(f"milestones must be an iterable of integers >= 0, got {milestones!r}")
        milestones = list(milestones)
        for i, m in enumerate(milestones):
            integer(f"milestones[{i}]", m)
        real("gamma", gamma, 0.0)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _prepare_state(self, state):
        if "milestones" in state:
            state["milestones"] = _milestones(state["milestones"])
        return state

    def _check_state(self, state):
        super()._check_state(state)
        check_real(state, "gamma", 0.0)

    def _params(self):
        # torch: gamma ** milestones[epoch], the Counter's count at this epoch
        return float(self.gamma), float(self.milestones.get(self.last_epoch, 0)), 0.0, 0.0

    def _milestone_array(self):
        """The milestones sorted, a repeated one repeated: what the core's multistep counts."""
        return floats(sorted(self.milestones.elements()))

    def _get_closed_form_lr(self):
        return self._closed(_k.multistep, float(self.gamma), self._milestone_array())

    def _schedule_for(self, i):
        return multistep(
            float(self.base_lrs[i]), list(self.milestones.elements()), gamma=float(self.gamma)
        )


class ConstantLR(_Chainable):
    """Multiply by ``factor`` until epoch ``total_iters`` (torch's ConstantLR).

    Closed form ``base_lr * (factor + (epoch >= total_iters) * (1 - factor))``
    (torch's expression: no core family has its operation order).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> s.get_last_lr(), [s.step() or s.get_last_lr()[0] for _ in range(3)]
    ([0.5], [0.5, 1.0, 1.0])
    """

    __slots__ = ()
    _chain = CHAIN_CONSTANT
    _initial_passthrough = False

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1, *, precompute=None):
        _engine(self, precompute)
        if is_real(factor) and (factor > 1.0 or factor < 0):
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

    def _check_state(self, state):
        super()._check_state(state)
        check_real(state, "factor", 0.0, 1.0)
        check_int(state, "total_iters", 0)
        if state.get("total_iters", 0) > 0 and state.get("factor") == 0:
            raise ValueError(
                f"{where('factor')} must not be 0 while total_iters > 0 (torch divides by it)"
            )

    def _get_closed_form_lr(self):
        f = float(self.factor)
        passed = 1.0 if self.last_epoch >= self.total_iters else 0.0
        return [float(b) * (f + passed * (1.0 - f)) for b in self.base_lrs]

    def _schedule_for(self, i):
        base, f, t = float(self.base_lrs[i]), float(self.factor), self.total_iters
        before = constant(base * (f + 0.0 * (1.0 - f)))
        after = constant(base * (f + 1.0 * (1.0 - f)))
        if t == 0:
            return after
        return join([before, after], boundaries=[t])


class LinearLR(_Chainable):
    """Multiply by a factor going linearly from ``start_factor`` to ``end_factor`` (torch's).

    Closed form ``base_lr * (start + (end - start) * min(total_iters, epoch) / total_iters)``
    (torch's expression: the core's :func:`lrjit.linear` groups it differently).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=3)
    >>> s.get_last_lr(), [s.step() or s.get_last_lr()[0] for _ in range(4)]
    ([0.25], [0.5, 0.75, 1.0, 1.0])
    """

    __slots__ = ()
    _chain = CHAIN_LINEAR

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
        _engine(self, precompute)
        if is_real(start_factor) and (start_factor > 1.0 or start_factor <= 0):
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or equal "
                f"to 1, got start_factor={start_factor!r}"
            )
        if is_real(end_factor) and (end_factor > 1.0 or end_factor < 0):
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
        return self.last_epoch != 0

    def _params(self):
        return float(self.start_factor), float(self.end_factor), float(self.total_iters), 0.0

    def _check_state(self, state):
        super()._check_state(state)
        check_real(state, "start_factor", 0.0, 1.0, low_open=True)
        check_real(state, "end_factor", 0.0, 1.0)
        check_int(state, "total_iters", 1)

    def _get_closed_form_lr(self):
        s, e, t = self._params()[:3]
        k = float(self.last_epoch)
        return [float(b) * (s + (e - s) * min(t, k) / t) for b in self.base_lrs]

    def _schedule_for(self, i):
        base, t = float(self.base_lrs[i]), self.total_iters
        return linear(
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

    __slots__ = ()
    _chain = CHAIN_EXPONENTIAL

    def __init__(self, optimizer, gamma, last_epoch=-1, *, precompute=None):
        _engine(self, precompute)
        real("gamma", gamma, 0.0)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _params(self):
        return float(self.gamma), 0.0, 0.0, 0.0

    def _check_state(self, state):
        super()._check_state(state)
        check_real(state, "gamma", 0.0)

    def _get_closed_form_lr(self):
        return self._closed(_k.exponential, float(self.gamma))

    def _schedule_for(self, i):
        return exponential(float(self.base_lrs[i]), float(self.gamma))


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

    __slots__ = ()
    _chain = CHAIN_POLYNOMIAL

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1, *, precompute=None):
        _engine(self, precompute)
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

    def _check_state(self, state):
        super()._check_state(state)
        check_int(state, "total_iters", 1)
        check_real(state, "power", 0.0)

    def _get_closed_form_lr(self):
        # (base - 0) * frac ** power + 0: torch's base * frac ** power, the same float
        # the trailing 1.0: libm's pow (torch's bits), never the core's square
        return self._closed(
            _k.polynomial, 0.0, float(self.power), float(self.total_iters), 0.0, 1.0, 1.0
        )  # begin 0, k_decay 1, libm pow (torch's bits)

    def _schedule_for(self, i):
        return polynomial(float(self.base_lrs[i]), 0.0, float(self.power), self.total_iters)


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

    __slots__ = ()
    _chain = CHAIN_COSINE

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1, *, precompute=None):
        _engine(self, precompute)
        real("T_max", T_max, 0.0)
        not_zero("T_max", T_max, "torch divides by it")
        real("eta_min", eta_min, 0.0)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def _check_state(self, state):
        super()._check_state(state)
        check_real(state, "T_max", 0.0, low_open=True)
        check_real(state, "eta_min", 0.0)

    def _compute(self):
        if self._is_initial:
            return values(self.optimizer, "lr")
        t, eta, count = float(self.T_max), float(self.eta_min), float(self._step_count)
        k = float(self.last_epoch)
        lrs = []
        for g, b in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            lrs.append(chain_next(CHAIN_COSINE, float(g["lr"]), k, t, eta, float(b), count))
        return lrs

    def _fill(self, k, n):
        if not plain_groups(self.optimizer):
            return False
        t, eta = float(self.T_max), float(self.eta_min)
        lr0 = [float(g["lr"]) for g in self.optimizer.param_groups]
        table = np.empty((len(lr0), n))
        for g, (lr, base) in enumerate(zip(lr0, self.base_lrs, strict=True)):
            # plain steps only: _step_count >= 2, never torch's first-step branch
            chain_fill(CHAIN_COSINE, lr, float(k), t, eta, float(base), 2.0, _NONE, table[g])
        return self._set_table(k, table, expect=lr0)

    def _get_closed_form_lr(self):
        # libm_cos=1 (the trailing 1.0): libm cos in torch's order, torch's bits
        return self._closed(
            _k.cosine, float(self.T_max), float(self.eta_min), 1, 1.0, 1.0, 1.0
        )  # exponent 1, k_decay 1, libm cos (torch's bits)

    def _schedule_for(self, i):
        return cosine(
            float(self.base_lrs[i]), whole(self.T_max, "T_max"), end_value=float(self.eta_min),
            periodic=True,
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

    __slots__ = ()
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
        _engine(self, precompute)
        check_optimizer(optimizer)
        swa_lrs = format_param("swa_lr", optimizer, swa_lr)
        for i, lr in enumerate(swa_lrs):
            real(f"swa_lr[{i}]", lr, 0.0)
        if anneal_strategy not in ANNEAL:
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

    def _check_state(self, state):
        super()._check_state(state)
        check_int(state, "anneal_epochs", 0)
        check_choice(state, "_anneal_strategy", ANNEAL)

    def _compute(self):
        epochs, strategy = float(self.anneal_epochs), ANNEAL[self._anneal_strategy]
        k = float(self._step_count - 1)
        lrs = []
        for g in self.optimizer.param_groups:
            swa = float(g["swa_lr"])
            lrs.append(chain_next(CHAIN_SWA, float(g["lr"]), k, swa, epochs, strategy, 0.0))
        return lrs

    def _fill(self, k, n):
        if not plain_groups(self.optimizer):
            return False
        epochs, strategy = float(self.anneal_epochs), ANNEAL[self._anneal_strategy]
        groups = self.optimizer.param_groups
        lr0 = [float(g["lr"]) for g in groups]
        table = np.empty((len(groups), n))
        start = float(self._step_count - 1)
        for g, (lr, group) in enumerate(zip(lr0, groups)):
            swa = float(group["swa_lr"])
            chain_fill(CHAIN_SWA, lr, start, swa, epochs, strategy, 0.0, _NONE, table[g])
        return self._set_table(k, table, expect=lr0)
