"""torch's cyclical closed forms: CyclicLR and OneCycleLR, with momentum or beta1 cycling.

Every value is a tier-1 kernel of :mod:`lrjit.kernels` (``cyclic``,
``one_cycle_phases``), per step or looped over by the table fills of
:mod:`._fills`.
"""

import math
from functools import partial

import numpy as np

from .. import cyclic, one_cycle
from .. import kernels as _k
from ._base import LRScheduler, _Engine, floats
from ._fills import cyclic_fill, one_cycle_fill
from ._interop import (
    ZeroDivisionConfigError,
    check_optimizer,
    check_precompute,
    format_param,
    not_zero,
    plain_function,
    real,
    set_value,
    whole,
)
from ._momentum import MomentumRows, check_momentum_state, momentum_support, set_momentum
from ._recursive import ANNEAL
from ._state import (
    check_choice,
    check_int,
    check_one_cycle_phases,
    check_per_group,
    check_real,
    incoming,
    where,
)

__all__ = ["CyclicLR", "OneCycleLR"]

_MODES = {
    "triangular": (_k.SCALE_TRIANGULAR, "cycle"),
    "triangular2": (_k.SCALE_TRIANGULAR2, "cycle"),
    "exp_range": (_k.SCALE_EXP_RANGE, "iterations"),
}


def _split_steps(total, ratio):
    """``(up, down)`` with ``up + down == total`` and ``up / total == ratio`` bitwise; ValueError."""
    guess = ratio * total
    for up in (guess, math.nextafter(guess, math.inf), math.nextafter(guess, -math.inf)):
        down = total - up
        if up > 0.0 and down >= 0.0 and up + down == total and up / total == ratio:
            return up, down
    raise ValueError(
        f"total_size={total!r} and step_ratio={ratio!r} are not a CyclicLR configuration: "
        "no step_size_up, step_size_down give them"
    )


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
            self.use_beta1 = momentum_support(optimizer)
            self.base_momentums = format_param("base_momentum", optimizer, base_momentum)
            self.max_momentums = format_param("max_momentum", optimizer, max_momentum)
            for name in ("base_momentums", "max_momentums"):
                for i, m in enumerate(getattr(self, name)):
                    real(f"{name[:-1]}[{i}]", m)
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(
                    self.max_momentums, self.base_momentums, optimizer.param_groups, strict=True
                ):
                    set_momentum(group, m_momentum, self.use_beta1)
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        self._lrjit.info["split"] = (self.total_size, self.step_ratio, up, down)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self):
        if self._scale_fn_custom is None:
            self.scale_mode = _MODES[self.mode][1]

    # torch's scale functions, and its private ``_scale_fn_ref`` (read by users' code);
    # a property, so the state holds no function
    @staticmethod
    def _triangular_scale_fn(x):
        return 1.0

    @staticmethod
    def _triangular2_scale_fn(x):
        return 1 / (2.0 ** (x - 1))

    @staticmethod
    def _exp_range_scale_fn(gamma, x):
        return gamma**x

    @property
    def _scale_fn_ref(self):
        if self.mode == "triangular":
            return self._triangular_scale_fn
        if self.mode == "triangular2":
            return self._triangular2_scale_fn
        if self.mode == "exp_range":
            return partial(self._exp_range_scale_fn, self.gamma)
        raise AttributeError("_scale_fn_ref: CyclicLR has a custom scale_fn")

    def scale_fn(self, x):
        """The scale applied to the cycle's height at ``x`` (a cycle number or an iteration)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return _k.cyclic_scale(float(x), _MODES[self.mode][0], float(self.gamma))

    def _steps(self):
        """``(up, down)`` for the core's kernel: ``up + down`` is ``total_size`` and
        ``up / total_size`` is ``step_ratio``, bitwise (torch's state keeps only those two)."""
        total, ratio = float(self.total_size), float(self.step_ratio)
        cached = self._lrjit.info.get("split")
        if cached is None or cached[0] != total or cached[1] != ratio:
            cached = (total, ratio, *_split_steps(total, ratio))
            self._lrjit.info["split"] = cached
        return cached[2], cached[3]

    def _codes(self):
        code = _MODES[self.mode][0] if self._scale_fn_custom is None else 0.0
        by = _k.SCALE_BY_CYCLE if self.scale_mode == "cycle" else _k.SCALE_BY_ITERATION
        return code, float(self.gamma), by

    def _compute(self):
        if self._scale_fn_custom is not None:
            return self._compute_custom()
        t = float(self.last_epoch)
        up, down = self._steps()
        code, gamma, by = self._codes()
        cyclic_at = _k.cyclic
        lrs = []
        for b, m in zip(self.base_lrs, self.max_lrs, strict=True):
            lrs.append(cyclic_at(t, float(b), float(m), up, down, code, gamma, by))
        if self.cycle_momentum:
            use_beta1 = self.use_beta1
            groups = self.optimizer.param_groups
            for group, lo, hi in zip(groups, self.base_momentums, self.max_momentums, strict=True):
                # falls from max to base: the kernel with the two swapped
                m = cyclic_at(t, float(hi), float(lo), up, down, code, gamma, by)
                set_momentum(group, m, use_beta1)
        return lrs

    def _compute_custom(self):
        # a Python scale_fn: torch's arithmetic around it
        k = self.last_epoch
        cycle, fraction = _k.cyclic_position(
            float(k), float(self.total_size), float(self.step_ratio)
        )
        scale = self._scale_fn_custom(int(cycle) if self.scale_mode == "cycle" else k)
        lrs = [
            b + (m - b) * fraction * scale for b, m in zip(self.base_lrs, self.max_lrs, strict=True)
        ]
        if self.cycle_momentum:
            moms = [
                hi - (hi - lo) * fraction * scale
                for lo, hi in zip(self.base_momentums, self.max_momentums, strict=True)
            ]
            for group, m in zip(self.optimizer.param_groups, moms, strict=True):
                set_momentum(group, m, self.use_beta1)
        return lrs

    def _fill(self, k, n):
        if self._scale_fn_custom is not None:
            return False
        up, down = self._steps()
        code, gamma, by = self._codes()
        groups = len(self.optimizer.param_groups)
        lows, highs = floats(self.base_lrs), floats(self.max_lrs)
        if not lows.shape[0] == highs.shape[0] == groups:
            return False  # per-step mode raises torch's error
        table = np.empty((groups, n))
        cyclic_fill(float(k), up, down, code, gamma, by, lows, highs, table)
        extra = None
        if self.cycle_momentum:
            lows, highs = floats(self.max_momentums), floats(self.base_momentums)
            if not lows.shape[0] == highs.shape[0] == groups:
                return False
            mtable = np.empty_like(table)
            cyclic_fill(float(k), up, down, code, gamma, by, lows, highs, mtable)
            extra = MomentumRows(mtable, self.use_beta1)
        return self._set_table(k, table, extra=extra)

    def state_dict(self):
        """torch's state: a custom ``scale_fn`` is saved as a callable object's ``__dict__``."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not plain_function(fn):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def _validated_state(self, state_dict):
        state = incoming(state_dict)
        fn = state.pop("_scale_fn_custom", None)
        state.pop("_scale_fn_ref", None)  # torch's legacy key: a bound method, never restored
        if fn is not None:
            if not isinstance(fn, dict) or not all(isinstance(k, str) for k in fn):
                raise TypeError(
                    f"{where('_scale_fn_custom')} must be None or a dict of attributes, got {fn!r}"
                )
            if not hasattr(self._scale_fn_custom, "__dict__"):
                raise ValueError(
                    f"{where('_scale_fn_custom')} holds attributes of a callable object, but "
                    "this CyclicLR has no scale_fn object to give them to"
                )
        return super()._validated_state(state), fn

    def _check_state(self, state):
        super()._check_state(state)
        n = len(self.optimizer.param_groups)
        check_per_group(state, "max_lrs", n, 0.0)
        check_real(state, "total_size", 0.0, low_open=True)
        check_real(state, "step_ratio", 0.0, 1.0, low_open=True)
        try:
            _split_steps(float(state["total_size"]), float(state["step_ratio"]))
        except ValueError as err:
            raise ValueError(f"{where('step_ratio')}: {err}") from None
        check_real(state, "gamma", 0.0)
        check_choice(state, "scale_mode", ("cycle", "iterations"))
        if state.get("_scale_fn_custom") is None:
            check_choice(state, "mode", _MODES)
        check_momentum_state(state, self.optimizer.param_groups)
        if state.get("cycle_momentum"):
            for key in ("base_momentums", "max_momentums"):
                if key not in state:
                    raise ValueError(f"{where(key)} is missing while cycle_momentum is True")
                check_per_group(state, key, n)

    def _apply_state(self, prepared):
        state, fn = prepared
        super()._apply_state(state)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()

    def _schedule_for(self, i):
        if self._scale_fn_custom is not None:
            raise ValueError("CyclicLR with a Python scale_fn has no closed form as a Schedule")
        up, down = self._steps()
        return cyclic(
            float(self.base_lrs[i]),
            float(self.max_lrs[i]),
            whole(up, "step_size_up"),
            whole(down, "step_size_down"),
            mode=self.mode,
            gamma=float(self.gamma),
            scale_mode=self.scale_mode,
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
        if anneal_strategy not in ANNEAL:
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
            self.use_beta1 = momentum_support(optimizer)
            max_momentums = format_param("max_momentum", optimizer, max_momentum)
            base_momentums = format_param("base_momentum", optimizer, base_momentum)
            for i, (a, b) in enumerate(zip(max_momentums, base_momentums)):
                real(f"max_momentum[{i}]", a)
                real(f"base_momentum[{i}]", b)
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(
                    max_momentums, base_momentums, optimizer.param_groups, strict=True
                ):
                    set_momentum(group, m_momentum, self.use_beta1)
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
        return end1, end2, float(phases[-1]["end_step"]), ANNEAL[self._anneal_func_type]

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
        a, b, c, d = names
        return float(group[a]), float(group[b]), float(group[c]), float(group[d])

    # torch's private anneal functions: legacy states name them as ``anneal_func``
    @staticmethod
    def _annealing_cos(start, end, pct):
        # the trailing 1.0: libm cos (torch's bits), not the core's cospi
        return _k.anneal(float(start), float(end), float(pct), _k.ANNEAL_COS, 1.0)

    @staticmethod
    def _annealing_linear(start, end, pct):
        return _k.anneal(float(start), float(end), float(pct), _k.ANNEAL_LINEAR)

    def _prepare_state(self, state):
        legacy = state.pop("anneal_func", None)  # torch's legacy key: the function itself
        if legacy is not None and "_anneal_func_type" not in state:
            name = getattr(legacy, "__name__", legacy)
            kind = {"_annealing_cos": "cos", "_annealing_linear": "linear"}.get(name)
            if kind is None:
                raise ValueError(
                    f"{where('anneal_func')} must be torch's _annealing_cos or "
                    f"_annealing_linear, got {legacy!r}"
                )
            state["_anneal_func_type"] = kind
        return state

    def _check_state(self, state):
        super()._check_state(state)
        check_int(state, "total_steps", 1)
        check_choice(state, "_anneal_func_type", ANNEAL)
        check_momentum_state(state, self.optimizer.param_groups)
        check_one_cycle_phases(state, self.optimizer.param_groups)

    def _apply_state(self, state):
        super()._apply_state(state)
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
        phases = _k.one_cycle_phases
        lrs = []
        for group in self.optimizer.param_groups:
            v0, v1, v2, v3 = self._points(group, "lr")
            lr = phases(t, end1, end2, last, strategy, v0, v1, v2, v3, 1.0)  # libm cos
            if not math.isfinite(lr):
                raise ZeroDivisionConfigError(
                    f"step {step_num} lands in a phase of zero length (pct_start gives phase "
                    f"ends {[p['end_step'] for p in self._schedule_phases]}); torch divides by "
                    "zero here too"
                )
            lrs.append(lr)
            if self.cycle_momentum:
                v0, v1, v2, v3 = self._points(group, "momentum")
                m = phases(t, end1, end2, last, strategy, v0, v1, v2, v3, 1.0)
                set_momentum(group, m, self.use_beta1)
        return lrs

    def _fill(self, k, n):
        n = min(n, self.total_steps + 1 - k)
        if n <= 0 or k < 0:
            return False
        end1, end2, last, strategy = self._phases()
        groups = self.optimizer.param_groups
        table = np.empty((len(groups), n))
        one_cycle_fill(
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
            one_cycle_fill(
                float(k),
                end1,
                end2,
                last,
                strategy,
                np.array([self._points(g, "momentum") for g in groups]),
                mtable,
            )
            extra = MomentumRows(mtable, self.use_beta1)
        return self._set_table(k, table, extra=extra)

    def _schedule_for(self, i):
        max_lr, pct, strategy, div, final_div, three = self._lrjit.info["args"]
        peak = max_lr[i] if isinstance(max_lr, (list, tuple)) else max_lr
        return one_cycle(
            float(peak),
            self.total_steps,
            pct_start=float(pct),
            anneal_strategy=strategy,
            div_factor=float(div),
            final_div_factor=float(final_div),
            three_phase=three,
        )
