"""Tier 3: the immutable :class:`Schedule` every factory returns, and :func:`from_dict`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import (
    MAX_STEPS,
    allocate,
    check_count,
    check_dtype,
    check_float32,
    check_out,
    check_step,
    check_steps,
    is_real,
)
from .families._registry import FACTORIES, PROGRAM_OPTIONS, REGISTRY
from .kernels.dispatch import MAX_PARAMS, driver_lr_at
from .kernels.integral import integral as _integral
from .tables import (
    evaluate,
    fill_from_parallel,
    fill_from_serial,
    fill_parallel,
    fill_serial,
    run_parallel,
)

__all__ = ["Schedule", "from_dict", "program", "MAX_DEPTH"]

#: How deeply configs may nest (a join's schedules holding joins ...).  A built
#: join is flat whatever its depth (see :func:`lrjit.join`); this bounds only the
#: dicts that :func:`from_dict` and :mod:`lrjit.lr_schedule` walk recursively.
MAX_DEPTH = 64


def _is_number(value):
    return is_real(value)


def _plain(value):
    """``value`` as JSON-ready data: schedules become dicts, tuples lists."""
    if isinstance(value, Schedule):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def program(pieces):
    """The read-only arrays ``(kinds, params, starts)`` of ``(kind, values, start)`` pieces."""
    kinds = np.array([kind for kind, _, _ in pieces], dtype=np.int64)
    params = np.zeros((len(pieces), MAX_PARAMS), dtype=np.float64)
    for row, (_, values, _) in enumerate(pieces):
        params[row, : len(values)] = values
    starts = np.array([start for _, _, start in pieces], dtype=np.float64)
    for arr in (kinds, params, starts):
        arr.flags.writeable = False
    return kinds, params, starts


class Schedule:
    """A learning-rate schedule: a closed-form function of the step, compiled.

    Build one with a factory (:func:`lrjit.cosine`, :func:`lrjit.join`, ...),
    not with this class.  A schedule is immutable, hashable, picklable, and
    equal to another built from the same arguments.

    Attributes
    ----------
    family : str
        The factory that built it.
    kinds, params, starts : numpy.ndarray
        Its program (read-only), for :func:`lrjit.kernels.lr_at` in your own
        ``@njit`` code: piece ``i`` is family ``kinds[i]`` with kernel
        parameters ``params[i]``, active from step ``starts[i]`` on.
    horizon : int
        The step beyond which nothing new happens: where the last transition
        ends (the time scale for a schedule that decays forever).

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.cosine(1.0, decay_steps=100)
    >>> s(50)
    0.5
    >>> s.table(3)
    array([1.        , 0.99975328, 0.99901336])
    """

    __slots__ = ("family", "_args", "kinds", "params", "starts", "horizon")

    def __init__(self, family, args, pieces, horizon):
        kinds, params, starts = program(pieces)
        set_ = object.__setattr__
        set_(self, "family", family)
        set_(self, "_args", tuple(args.items()))
        set_(self, "kinds", kinds)
        set_(self, "params", params)
        set_(self, "starts", starts)
        set_(self, "horizon", int(horizon))

    # -- immutable value semantics

    def __setattr__(self, name, value):
        raise AttributeError(
            f"Schedule is immutable; build a new one with lrjit.{self.family}(...)"
        )

    def __delattr__(self, name):
        self.__setattr__(name, None)

    @property
    def args(self) -> dict[str, Any]:
        """The factory's arguments, as a new dict."""
        return dict(self._args)

    @property
    def program(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(kinds, params, starts)``: what :func:`lrjit.kernels.lr_at` takes before the step."""
        return self.kinds, self.params, self.starts

    def __eq__(self, other):
        if not isinstance(other, Schedule):
            return NotImplemented
        return self.family == other.family and self._args == other._args

    def __hash__(self):
        return hash((self.family, self._args))

    def __repr__(self):
        def show(value):
            if isinstance(value, tuple):
                return "[" + ", ".join(show(v) for v in value) + "]"
            return repr(value)

        inner = ", ".join(f"{name}={show(value)}" for name, value in self._args)
        return f"lrjit.{self.family}({inner})"

    def to_dict(self) -> dict[str, Any]:
        """The factory's name (``"type"``) and arguments, as JSON-ready data.

        >>> import lrjit
        >>> lrjit.exponential(0.1, gamma=0.99).to_dict()
        {'type': 'exponential', 'init_value': 0.1, 'gamma': 0.99}
        """
        return {"type": self.family, **{name: _plain(value) for name, value in self._args}}

    def __reduce__(self):
        return from_dict, (self.to_dict(),)

    @property
    def __dict__(self):
        """An empty dict, new each time: a schedule has no mutable attributes.

        torch's ``LambdaLR.state_dict()`` saves ``fn.__dict__`` of a callable
        that is not a function (and ``load_state_dict`` updates it); a
        ``__slots__`` class has none, so a Schedule as ``lr_lambda`` broke it.
        """
        return {}

    # -- evaluation

    def __call__(self, step: float | ArrayLike) -> float | np.ndarray:
        """The value at ``step``: a float for a scalar, a float64 array for an array.

        Steps must be finite, non-negative and at most 2**62; fractional steps are fine.
        """
        if isinstance(step, (int, float)) and not isinstance(step, bool):
            return driver_lr_at(self.kinds, self.params, self.starts, check_step("step", step))
        steps = check_steps("step", step)
        if steps.ndim == 0 and not isinstance(step, np.ndarray):
            return driver_lr_at(self.kinds, self.params, self.starts, float(steps))
        flat = np.ascontiguousarray(steps).reshape(-1)
        out = np.empty(flat.shape, dtype=np.float64)
        evaluate(self.kinds, self.params, self.starts, flat, out)
        return out.reshape(steps.shape)

    def table(
        self,
        n: int,
        dtype: DTypeLike | None = None,
        out: np.ndarray | None = None,
        parallel: bool = True,
        *,
        start: int = 0,
    ) -> np.ndarray:
        """Values at steps ``start .. start+n-1`` from a compiled loop.

        Parameters
        ----------
        n : int
            Number of steps, ``>= 0``.
        dtype : numpy.float64 or numpy.float32, optional
            Element type of a new table (default float64).  With ``out``, it
            must match ``out.dtype`` if given.
        out : numpy.ndarray, optional
            A writeable 1-D float64 or float32 array of length ``n`` to fill.
        parallel : bool
            Fill with Numba's threads (``prange``); the values are the same.
            Safe from any number of Python threads: under Numba's workqueue
            layer, a thread that finds another one filling in parallel fills
            serially.
        start : int
            The first step (resuming a run at step ``start``); ``start + n``
            at most 2**53.

        Returns
        -------
        numpy.ndarray
            ``out`` if given, else a new array.

        Raises
        ------
        MemoryError
            A table of ``n`` steps does not fit in memory (the message says
            how much was asked; fill it in chunks through ``out``).
        ValueError
            A float32 table of a schedule whose values pass float32's range
            (~3.4e38) would hold inf (``out`` is then partly written).

        Examples
        --------
        >>> import lrjit
        >>> lrjit.linear(0.0, 1.0, transition_steps=10).table(3, start=4)
        array([0.4, 0.5, 0.6])
        """
        n = check_count("n", n, minimum=0)
        start = check_count("start", start, minimum=0)
        if start + n > MAX_STEPS:
            raise ValueError(f"start + n must be at most 2**53, got {start} + {n}")
        if out is None:
            out = allocate(f"table({n})", (n,), check_dtype(dtype))
        else:
            check_out(out, (n,), check_dtype(dtype, out))
        program = (self.kinds, self.params, self.starts)
        if start:
            serial, parallel_, args = fill_from_serial, fill_from_parallel, (float(start), out)
        else:
            serial, parallel_, args = fill_serial, fill_parallel, (out,)
        if parallel:
            run_parallel(parallel_, serial, *program, *args)
        else:
            serial(*program, *args)
        check_float32(out, f"table of {self!r}")
        return out

    def integral(self, t: int) -> float:
        """The cumulative learning rate ``sum(self(k) for k in range(t))``.

        O(1) for constant, linear, step-decay and exponential pieces (and joins
        of them: multistep, ...); other pieces, products, warmups and noise are
        summed in compiled code, O(t).  Compensated sums: within a few ulps of
        ``math.fsum(self.table(t))``.

        >>> import lrjit
        >>> lrjit.step_decay(1.0, step_size=10, gamma=0.5).integral(25)  # 10 + 10 / 2 + 5 / 4
        16.25
        """
        t = check_count("t", t, minimum=0)
        return float(_integral(self.kinds, self.params, self.starts, float(t)))

    # -- combinators (lrjit.combinators)

    def __mul__(self, other: Schedule | float) -> Schedule:
        from .combinators import multiply

        if isinstance(other, Schedule) or _is_number(other):
            return multiply(self, other)
        return NotImplemented

    def __rmul__(self, other: float) -> Schedule:
        from .combinators import multiply

        if _is_number(other):
            return multiply(other, self)
        return NotImplemented

    def with_noise(
        self,
        pct: float,
        *,
        std: float = 1.0,
        seed: int = 0,
        kind: str = "normal",
        begin: int = 0,
        end: int | None = None,
    ) -> Schedule:
        """This schedule with timm's noise: :func:`lrjit.with_noise`."""
        from .combinators import with_noise

        return with_noise(self, pct, std=std, seed=seed, kind=kind, begin=begin, end=end)

    def progress(self, total_steps: int) -> Callable[[Any], Any]:
        """This schedule as a stable-baselines3 ``learning_rate``: a function of progress.

        SB3 calls ``learning_rate(progress_remaining)`` with progress going
        from 1 (start) to 0 (end), not with a step; passing a Schedule itself
        would read progress 1 as step 1.  The returned callable maps progress
        ``p`` to ``self((1 - p) * total_steps)`` -- give ``total_steps`` the
        run's ``total_timesteps`` -- clamps the progress SB3 passes below 0 on
        a last partial rollout, and pickles (SB3's ``save``/``load``).  See
        :class:`lrjit.lr_schedule.FunctionalLRSchedule`.

        >>> import lrjit
        >>> lr = lrjit.cosine(1.0, decay_steps=1000).progress(1000)
        >>> lr(1.0), lr(0.5), lr(0.0), lr(-0.02)
        (1.0, 0.5, 0.0, 0.0)
        """
        from .lr_schedule import FunctionalLRSchedule  # the SB3 front-end loads on use

        return FunctionalLRSchedule.from_schedule(self, total_steps)

    def to_optax(self, num_steps: int, *, dtype: Any = None) -> Callable[[Any], Any]:
        """This schedule as an optax schedule, ``count -> table[min(count, num_steps - 1)]``.

        A lookup in a table lrjit computes once, traceable by ``jax.jit`` and
        ``jax.vmap`` (float32 unless ``jax_enable_x64``): see
        :class:`lrjit.optax_schedule.OptaxSchedule`.
        """
        from .optax_schedule import OptaxSchedule  # jax is imported here, not by lrjit

        return OptaxSchedule(self, num_steps, dtype=dtype)

    # -- pictures and text (lrjit.plotting; matplotlib is imported only to draw)

    def plot(self, steps: int | None = None, **kwargs: Any) -> Any:
        """Draw the schedule and return the matplotlib Axes: :func:`lrjit.plotting.plot`."""
        from .plotting import plot

        return plot(self, steps, **kwargs)

    def summary(self, steps: int | None = None, **kwargs: Any) -> str:
        """Window, peak, final value and samples as text: :func:`lrjit.plotting.summary`."""
        from .plotting import summary

        return summary(self, steps, **kwargs)


def check_arguments(factory, names, owner, noun, error, extra=()):
    """Raise ``error`` naming any of ``names`` that ``factory`` does not take, or
    any argument it needs that ``names`` lacks, with the valid ones."""
    params = inspect.signature(factory).parameters
    valid = ", ".join(map(repr, (*extra, *params)))
    unknown = sorted(set(names) - set(params), key=repr)
    if unknown:
        raise error(
            f"unknown {noun}(s) {', '.join(map(repr, unknown))} for {owner}; valid {noun}s: {valid}"
        )
    missing = [n for n, p in params.items() if p.default is p.empty and n not in names]
    if missing:
        raise error(
            f"missing {noun}(s) {', '.join(map(repr, missing))} for {owner}; valid {noun}s: {valid}"
        )


def from_dict(config: Mapping[str, Any] | Schedule) -> Schedule:
    """The schedule a :meth:`Schedule.to_dict` dict describes.

    ``config["type"]`` names a family (:data:`lrjit.FACTORIES`); the other keys
    are its arguments.  Nested schedules (``join``'s ``schedules``) may be
    dicts or :class:`Schedule` objects.

    >>> import json, lrjit
    >>> s = lrjit.warmup_cosine(3e-4, warmup_steps=500, decay_steps=10_000)
    >>> lrjit.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    True
    """
    check_depth(config)
    return _from_dict(config, "config")


def check_depth(config, name="config"):
    """Raise ``ValueError`` if ``config`` nests dicts more than :data:`MAX_DEPTH` deep.

    An iterative walk, so a config of any depth (or a dict that contains
    itself) gets this error, not a ``RecursionError``.
    """
    todo = [(config, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, Mapping):
            if depth > MAX_DEPTH:
                raise ValueError(
                    f"{name} nests schedules more than {MAX_DEPTH} deep; a join of joins "
                    "is one join: list the pieces in one join's schedules and boundaries"
                )
            todo.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, (list, tuple)):
            todo.extend((v, depth) for v in value)


def _from_dict(config, where):
    """:func:`from_dict` of a config whose depth was checked; ``where`` names it in errors."""
    if isinstance(config, Schedule):
        return config
    if not isinstance(config, Mapping):
        raise TypeError(
            f"{where}: a schedule config must be a dict, got {config!r} "
            f"({type(config).__name__})"
        )
    for key in config:
        if not isinstance(key, str):
            raise TypeError(
                f"{where}: config keys must be strings, got key {key!r} ({type(key).__name__})"
            )
    from .combinators import COMBINATORS

    kwargs = dict(config)
    family = kwargs.pop("type", None)
    types = {**FACTORIES, **COMBINATORS}
    if not isinstance(family, str) or family not in types:
        valid = ", ".join(sorted(types))
        raise ValueError(f"unknown schedule type {family!r}; valid types: {valid}")
    factory = types[family]
    # program options (libm_cos) ride along in a front-end's config: set after the factory
    options = {k: kwargs.pop(k) for k in PROGRAM_OPTIONS if k in kwargs and family in FACTORIES
               and k in REGISTRY[family].layout}
    if options:
        return REGISTRY[family].with_options(_from_dict(kwargs | {"type": family}, where), **options)
    check_arguments(factory, kwargs, f"type {family!r}", "key", ValueError, ("type",))
    if family == "join" and isinstance(kwargs["schedules"], (list, tuple)):
        kwargs["schedules"] = [
            _from_dict(c, f"{where}['schedules'][{k}]") for k, c in enumerate(kwargs["schedules"])
        ]
    if family in COMBINATORS:
        # a combinator's schedule arguments are nested configs
        kwargs = {
            k: _from_dict(v, f"{where}[{k!r}]") if isinstance(v, Mapping) else v
            for k, v in kwargs.items()
        }
    return factory(**kwargs)
