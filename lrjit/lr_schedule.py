"""Progress-remaining learning-rate schedules: the ``lr_schedule`` API (tier 4).

A schedule here is a function of ``progress_remaining`` -- 1.0 at the start of
training, 0.0 at the end -- as stable-baselines3 passes it to a
``learning_rate`` callable.  ``BaseLRSchedule.create(cfg)`` builds one from a
config dict (or a bare number, a constant)::

    type            constant | linear | cosine | exponential | cosine_warmup
                    | polynomial (default constant), or any family in
                    lrjit.FACTORIES (see FunctionalLRSchedule)
    initial_value   lr at progress_remaining = 1 (default 0.001)
    final_value     lr at progress_remaining = 0 (default 0.0)
    decay_rate      exponential: lr ends at initial_value * decay_rate, in (0, 1] (0.1)
    warmup_fraction cosine_warmup: share of training spent warming up, in (0, 1) (0.1)
    power           polynomial: exponent, in [0, 1e6] (2.0)

Every value comes from lrjit's compiled kernels: ``progress_remaining = p``
is the step ``1 - p`` of a one-step program.  The values equal the original
``lr_schedule`` formulas bit for bit for constant, cosine and exponential,
and for polynomial wherever ``1 - (1 - p) == p`` (every progress SB3
computes); linear and cosine_warmup are within a few ulps (the kernels'
operation order; each class says so).  ``to_schedule(total_steps)`` gives the same
schedule as an :class:`lrjit.Schedule` over ``total_steps`` steps
(``progress_remaining = 1 - step / total_steps``), for tables, plots and your
own ``@njit`` loops.

Progress outside ``[0, 1]`` is clamped to it: stable-baselines3 itself passes
values below 0 on the last rollout whenever ``total_timesteps`` is not a
multiple of ``n_steps * n_envs``, and clamping holds the final value there
(the original extrapolated: a linear lr went negative).  NaN and inf raise.

>>> from lrjit.lr_schedule import BaseLRSchedule
>>> lr = BaseLRSchedule.create({"type": "cosine", "initial_value": 1e-3, "final_value": 1e-4})
>>> lr(1.0), lr(0.5), lr(0.0)
(0.001, 0.00055, 0.0001)
>>> lr(-0.25)  # clamped
0.0001
>>> import numpy as np
>>> lr(np.array([1.0, 0.0]))
array([0.001 , 0.0001])
"""

import math
import numbers
from collections.abc import Mapping

import numpy as np

from ._checks import check_count, check_real, check_value, is_real
from .families import FACTORIES, REGISTRY
from .kernels.dispatch import driver_lr_at
from .schedule import Schedule, check_depth, program
from .tables import evaluate

__all__ = [
    "BaseLRSchedule",
    "LinearLRSchedule",
    "CosineAnnealingLRSchedule",
    "ExponentialLRSchedule",
    "CosineWarmupLRSchedule",
    "PolynomialLRSchedule",
    "FunctionalLRSchedule",
]

# SB3's progress is 1 - k / total; back on the step axis it misses the whole
# step k by about total * 2**-51, which would put a step function's jump one
# call late.  Steps this close to a whole number are snapped onto it.
_SNAP = 2.0**-44

# Seed key name -> the lrjit factory parameters it stands for, first match wins.
_ALIASES = {"initial_value": ("init_value", "value"), "final_value": ("end_value",)}


def _keys(names):
    return ", ".join(repr(n) for n in names)


def _valid_types():
    seed = ", ".join(_SEED_TYPES)
    steps = ", ".join(sorted(FACTORIES))
    return f"{seed} (progress schedules) or an lrjit family with 'total_steps': {steps}"


class BaseLRSchedule:
    """The constant schedule, and the base of every progress schedule.

    ``lr = initial_value`` for every ``progress_remaining``.

    Parameters
    ----------
    cfg : dict or float
        ``{"initial_value": ...}`` (keys ``type``, ``initial_value``,
        ``final_value``; ``final_value`` is accepted but unused), or a bare
        number, which sets both ``initial_value`` and ``final_value``.  A
        ``type`` other than ``"constant"`` raises: use :meth:`create`.

    Attributes
    ----------
    initial_value, final_value, ... : float
        The config's values (read-only; build a new schedule to change one).

    Examples
    --------
    >>> BaseLRSchedule(3e-4)(0.7)
    0.0003
    >>> BaseLRSchedule.create(1).to_dict()
    {'type': 'constant', 'initial_value': 1.0, 'final_value': 1.0}
    """

    _type = "constant"
    #: The type's own keys after initial_value/final_value: name -> (default, check).
    _extra = {}

    __slots__ = ("_cfg", "_program", "_horizon", "_snap")

    def __init__(self, cfg):
        cfg = self._canonical(cfg)
        family, params = self._piece(cfg)
        record = REGISTRY[family]
        self._setup(cfg, program([(record.code, record.row(params), 0.0)]), 1.0, False)

    def _setup(self, cfg, program, horizon, snap):
        set_ = object.__setattr__
        set_(self, "_cfg", cfg)
        set_(self, "_program", program)
        set_(self, "_horizon", float(horizon))
        set_(self, "_snap", snap)

    @classmethod
    def _seed_keys(cls):
        return ("type", "initial_value", "final_value", *cls._extra)

    @classmethod
    def _canonical(cls, cfg):
        """``cfg`` validated, with every default filled in, as a new dict."""
        if is_real(cfg):
            value = check_value("cfg (a constant learning rate)", cfg)
            given = {"initial_value": value, "final_value": value}
        elif isinstance(cfg, Mapping):
            given = dict(cfg)
            kind = given.pop("type", cls._type)
            if kind != cls._type:
                raise ValueError(
                    f"{cls.__name__} takes type {cls._type!r}, got type {kind!r}; "
                    f"BaseLRSchedule.create(cfg) picks the class from 'type'"
                )
            unknown = sorted(set(given) - set(cls._seed_keys()), key=str)
            if unknown:
                raise ValueError(
                    f"unknown key(s) {_keys(unknown)} for type {cls._type!r}; "
                    f"valid keys: {_keys(cls._seed_keys())}"
                )
        else:
            raise TypeError(
                f"cfg must be a dict of schedule settings or a number (a constant learning "
                f"rate), got {cfg!r} ({type(cfg).__name__})"
            )
        out = {
            "type": cls._type,
            "initial_value": check_value("initial_value", given.get("initial_value", 0.001)),
            "final_value": check_value("final_value", given.get("final_value", 0.0)),
        }
        for name, (default, check) in cls._extra.items():
            out[name] = check(name, given.get(name, default))
        return out

    # -- the seed API

    @classmethod
    def create(cls, cfg, total_steps=None):
        """The schedule ``cfg`` describes: its ``type`` picks the class.

        A bare number is a constant; a schedule is returned as it is; an
        :class:`lrjit.Schedule` needs ``total_steps``, the steps progress
        1 -> 0 spans (:meth:`FunctionalLRSchedule.from_schedule`).  The
        seed's six types take the seed's keys; a ``type`` naming an lrjit
        family (``warmup_cosine``, ``join``, ...), or one of the six names
        with a key only the lrjit family takes (``decay_steps``,
        ``total_steps``, ...), gives a :class:`FunctionalLRSchedule`.

        >>> BaseLRSchedule.create({"type": "linear", "initial_value": 1.0}).func(0.25)
        0.25
        >>> lr = BaseLRSchedule.create({"type": "cosine", "initial_value": 1.0,
        ...                             "decay_steps": 100, "total_steps": 200})
        >>> type(lr).__name__, lr(0.75), lr(0.0)
        ('FunctionalLRSchedule', 0.5, 0.0)
        """
        if isinstance(cfg, BaseLRSchedule):
            return cfg
        if isinstance(cfg, Schedule):
            if total_steps is None:
                raise ValueError(
                    "an lrjit Schedule counts steps, stable-baselines3 passes progress 1 -> 0: "
                    "give total_steps (the run's total_timesteps), "
                    "BaseLRSchedule.create(schedule, total_steps=N), or use schedule.progress(N)"
                )
            return FunctionalLRSchedule.from_schedule(cfg, total_steps)
        if total_steps is not None:
            raise ValueError(
                "total_steps is for an lrjit Schedule; a config dict takes 'total_steps' as a key"
            )
        if not isinstance(cfg, Mapping):
            return BaseLRSchedule(cfg)  # a number, or the TypeError naming cfg
        check_depth(cfg, "cfg")
        kind = cfg.get("type", "constant")
        seed = _SEED_TYPES.get(kind) if isinstance(kind, str) else None
        if seed is None:
            if isinstance(kind, str) and kind in FACTORIES:
                return FunctionalLRSchedule(cfg)
            raise ValueError(f"unknown schedule type {kind!r}; valid types: {_valid_types()}")
        others = set(cfg) - set(seed._seed_keys())
        if not others:
            return seed(cfg)
        if kind in FACTORIES:
            own = set(FunctionalLRSchedule._valid_keys(kind))
            if others <= own:
                try:
                    return FunctionalLRSchedule(cfg)
                except ValueError as err:
                    raise ValueError(
                        f"{err} (lrjit's step-based {kind!r}, chosen by key(s) "
                        f"{_keys(sorted(others, key=str))}; the progress {kind!r} takes only "
                        f"{_keys(seed._seed_keys())})"
                    ) from err
            bad = sorted(others - own, key=str)
            raise ValueError(
                f"unknown key(s) {_keys(bad)} for type {kind!r}; valid keys: "
                f"{_keys(seed._seed_keys())} (the progress schedule) or "
                f"{_keys(FunctionalLRSchedule._valid_keys(kind))} (lrjit's {kind!r} "
                f"over total_steps steps)"
            )
        return seed(cfg)  # raises: unknown keys

    def func(self, progress_remaining):
        """The learning rate at ``progress_remaining`` (1.0 at start, 0.0 at end).

        Parameters
        ----------
        progress_remaining : float or array_like
            Clamped to ``[0, 1]``; NaN and inf raise ``ValueError``.

        Returns
        -------
        float or numpy.ndarray
            A float for a number (NumPy scalars included), a float64 array of
            the same shape for an array, computed by a compiled loop.
        """
        kinds, params, starts = self._program
        p = progress_remaining
        if is_real(p):
            # An int is clamped first: float() of a huge one overflows.
            x = float(min(max(p, 0), 1)) if isinstance(p, numbers.Integral) else float(p)
            if not math.isfinite(x):
                raise ValueError(f"progress_remaining must be finite, got {p!r}")
            step = (1.0 - min(max(x, 0.0), 1.0)) * self._horizon
            if self._snap:
                whole = round(step)
                if abs(step - whole) <= _SNAP * self._horizon:
                    step = float(whole)
            return driver_lr_at(kinds, params, starts, step)
        arr = np.asarray(p)
        if arr.dtype == np.bool_ or not (
            np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
        ):
            raise TypeError(
                f"progress_remaining must be a real number or an array of them, "
                f"got {p!r} ({type(p).__name__})"
            )
        arr = arr.astype(np.float64)
        finite = np.isfinite(arr)
        if not finite.all():
            bad = float(arr[~finite].flat[0])
            raise ValueError(f"progress_remaining must be finite, got {bad!r}")
        steps = (1.0 - np.clip(arr, 0.0, 1.0)) * self._horizon
        if self._snap:
            whole = np.rint(steps)
            steps = np.where(np.abs(steps - whole) <= _SNAP * self._horizon, whole, steps)
        flat = np.ascontiguousarray(steps).reshape(-1)
        out = np.empty(flat.shape, dtype=np.float64)
        evaluate(kinds, params, starts, flat, out)
        return out.reshape(arr.shape)

    def __call__(self, progress_remaining):
        """``self.func(progress_remaining)``: what makes it an SB3 ``learning_rate``."""
        return self.func(progress_remaining)

    # -- lrjit additions

    @staticmethod
    def _piece(v):
        """``(family, kernel parameters by name)`` of the one-piece program on the unit
        step axis, whose step ``1 - p`` gives the lr at ``p``."""
        return "constant", {"value": v["initial_value"]}

    @staticmethod
    def _on_steps(v, n):
        return FACTORIES["constant"](v["initial_value"])

    def to_schedule(self, total_steps):
        """This schedule as an :class:`lrjit.Schedule` over ``total_steps`` steps.

        Step ``t`` has ``progress_remaining = 1 - t / total_steps``; from
        ``total_steps`` on the value stays at the final one.  The result tables,
        plots, and runs in your own ``@njit`` code through its ``program``.

        >>> from lrjit.lr_schedule import LinearLRSchedule
        >>> s = LinearLRSchedule({"initial_value": 1.0}).to_schedule(4)
        >>> s
        lrjit.linear(init_value=1.0, end_value=0.0, transition_steps=4, transition_begin=0)
        >>> s.table(5)
        array([1.  , 0.75, 0.5 , 0.25, 0.  ])
        """
        return self._on_steps(self._cfg, check_count("total_steps", total_steps))

    def to_dict(self):
        """The config with every default filled in; :meth:`create` rebuilds an equal schedule."""
        return dict(self._cfg)

    # -- immutable value semantics

    def __getattr__(self, name):
        try:
            cfg = object.__getattribute__(self, "_cfg")
        except AttributeError:
            cfg = {}
        if name != "type" and name in cfg:
            return cfg[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name, value):
        raise AttributeError(
            f"{type(self).__name__} is immutable; build a new one with "
            f"BaseLRSchedule.create({{**sched.to_dict(), {name!r}: ...}})"
        )

    def __delattr__(self, name):
        self.__setattr__(name, None)

    def __eq__(self, other):
        if not isinstance(other, BaseLRSchedule):
            return NotImplemented
        return type(self) is type(other) and self._cfg == other._cfg

    def __hash__(self):
        return hash((type(self).__name__, repr(self._cfg)))

    def __repr__(self):
        return f"{type(self).__name__}({self._cfg!r})"

    def __reduce__(self):
        return type(self), (self.to_dict(),)


class LinearLRSchedule(BaseLRSchedule):
    """Linear decay from ``initial_value`` to ``final_value``.

    ``lr = p * initial_value + (1 - p) * final_value`` with
    ``p = progress_remaining``; computed as lrjit's ``linear`` kernel
    ``initial + (final - initial) * (1 - p)``, within 2 ulps of that.

    >>> lr = LinearLRSchedule({"initial_value": 1e-3, "final_value": 1e-4})
    >>> lr(1.0), lr(0.0)
    (0.001, 0.0001)
    """

    _type = "linear"
    __slots__ = ()

    @staticmethod
    def _piece(v):
        return "linear", {
            "init_value": v["initial_value"],
            "end_value": v["final_value"],
            "transition_steps": 1.0,
            "transition_begin": 0.0,
        }

    @staticmethod
    def _on_steps(v, n):
        return FACTORIES["linear"](v["initial_value"], v["final_value"], transition_steps=n)


class CosineAnnealingLRSchedule(BaseLRSchedule):
    """Cosine annealing from ``initial_value`` to ``final_value``.

    ``lr = final + 0.5 * (initial - final) * (1 + cos(pi * (1 - p)))`` with
    ``p = progress_remaining`` (the seed's ``progress`` is ``1 - p``, so the lr
    starts at ``initial_value``); bitwise equal to that formula.

    >>> CosineAnnealingLRSchedule({"initial_value": 1.0})(0.5)
    0.5
    """

    _type = "cosine"
    __slots__ = ()

    @staticmethod
    def _piece(v):
        return "cosine", {
            "init_value": v["initial_value"],
            "decay_steps": 1.0,
            "end_value": v["final_value"],
            "periodic": False,
        }

    @staticmethod
    def _on_steps(v, n):
        return FACTORIES["cosine"](v["initial_value"], decay_steps=n, end_value=v["final_value"])


def _decay_rate(name, value):
    return check_real(name, value, 0.0, 1.0, low_open=True)


class ExponentialLRSchedule(BaseLRSchedule):
    """Exponential decay from ``initial_value`` to ``initial_value * decay_rate``.

    ``lr = initial_value * decay_rate ** (1 - p)`` with ``p = progress_remaining``
    and ``decay_rate`` in ``(0, 1]`` (default 0.1); bitwise equal to that
    formula.  ``final_value`` is accepted, as the original read it, but unused.
    ``to_schedule(n)`` is ``exponential`` with ``gamma = decay_rate ** (1 / n)``,
    within about ``n * 2**-53`` relative of it, then a constant.

    >>> ExponentialLRSchedule({"initial_value": 1.0, "decay_rate": 0.25})(0.5)
    0.5
    """

    _type = "exponential"
    _extra = {"decay_rate": (0.1, _decay_rate)}
    __slots__ = ()

    @staticmethod
    def _piece(v):
        return "exponential", {"init_value": v["initial_value"], "gamma": v["decay_rate"]}

    @staticmethod
    def _on_steps(v, n):
        init, rate = v["initial_value"], v["decay_rate"]
        if rate == 1.0:
            return FACTORIES["constant"](init)
        decay = FACTORIES["exponential"](init, gamma=rate ** (1.0 / n))
        return FACTORIES["join"]([decay, FACTORIES["constant"](init * rate)], boundaries=[n])


def _warmup_fraction(name, value):
    return check_real(name, value, 0.0, 1.0, low_open=True, high_open=True)


class CosineWarmupLRSchedule(BaseLRSchedule):
    """Linear warmup from 0 to ``initial_value``, then cosine annealing to ``final_value``.

    With ``q = 1 - progress_remaining`` and ``w = warmup_fraction`` (in
    ``(0, 1)``, default 0.1)::

        initial * q / w                                              q < w
        final + 0.5 * (initial - final) * (1 + cos(pi * (q - w) / (1 - w)))  q >= w

    lrjit's ``warmup_cosine`` kernel; bitwise equal during warmup, within a few
    ulps after.  ``to_schedule(n)`` warms up for ``round(w * n)`` whole steps.

    >>> lr = CosineWarmupLRSchedule({"initial_value": 1.0, "warmup_fraction": 0.5})
    >>> lr(1.0), lr(0.75), lr(0.5), lr(0.0)
    (0.0, 0.5, 1.0, 0.0)
    """

    _type = "cosine_warmup"
    _extra = {"warmup_fraction": (0.1, _warmup_fraction)}
    __slots__ = ()

    @staticmethod
    def _piece(v):
        return "warmup_cosine", {
            "peak_value": v["initial_value"],
            "warmup_steps": v["warmup_fraction"],
            "decay_steps": 1.0,
            "init_value": 0.0,
            "end_value": v["final_value"],
        }

    @staticmethod
    def _on_steps(v, n):
        # Whole warmup steps, at least one when there is room for it.
        warmup = min(max(1, round(v["warmup_fraction"] * n)), n - 1)
        return FACTORIES["warmup_cosine"](
            v["initial_value"], warmup, n, init_value=0.0, end_value=v["final_value"]
        )


def _power(name, value):
    return check_real(name, value, 0.0, 1e6)


class PolynomialLRSchedule(BaseLRSchedule):
    """Polynomial decay from ``initial_value`` to ``final_value``.

    ``lr = (initial - final) * p ** power + final`` with
    ``p = progress_remaining`` and ``power`` in ``[0, 1e6]`` (default 2.0).
    lrjit's ``polynomial`` kernel, which sees ``p`` as ``1 - (1 - p)``: bitwise
    equal to the formula whenever that is ``p`` -- every ``p >= 0.5`` and every
    ``1 - k / total`` that stable-baselines3 passes; other ``p < 0.5`` are read
    to the nearest multiple of ``2**-53``.

    >>> PolynomialLRSchedule({"initial_value": 1.0, "power": 2})(0.5)
    0.25
    """

    _type = "polynomial"
    _extra = {"power": (2.0, _power)}
    __slots__ = ()

    @staticmethod
    def _piece(v):
        return "polynomial", {
            "init_value": v["initial_value"],
            "end_value": v["final_value"],
            "power": v["power"],
            "transition_steps": 1.0,
        }

    @staticmethod
    def _on_steps(v, n):
        return FACTORIES["polynomial"](v["initial_value"], v["final_value"], v["power"], n)


_SEED_TYPES = {
    cls._type: cls
    for cls in (
        BaseLRSchedule,
        LinearLRSchedule,
        CosineAnnealingLRSchedule,
        ExponentialLRSchedule,
        CosineWarmupLRSchedule,
        PolynomialLRSchedule,
    )
}


# The bridge to every lrjit family lives in its own module; it needs BaseLRSchedule.
from ._functional_schedule import FunctionalLRSchedule
