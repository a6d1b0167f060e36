"""Tier 3: the immutable :class:`Schedule` every factory returns, and :func:`from_dict`."""

import inspect
from collections.abc import Mapping

import numpy as np

from ._checks import check_count, check_dtype, check_out, check_step, check_steps
from .families._registry import FACTORIES
from .kernels.dispatch import MAX_PARAMS, lr_at
from .tables import evaluate, fill_parallel, fill_serial, run_parallel

__all__ = ["Schedule", "from_dict", "program"]


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
    def args(self):
        """The factory's arguments, as a new dict."""
        return dict(self._args)

    @property
    def program(self):
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

    def to_dict(self):
        """The factory's name (``"type"``) and arguments, as JSON-ready data.

        >>> import lrjit
        >>> lrjit.exponential(0.1, gamma=0.99).to_dict()
        {'type': 'exponential', 'init_value': 0.1, 'gamma': 0.99}
        """
        return {"type": self.family, **{name: _plain(value) for name, value in self._args}}

    def __reduce__(self):
        return from_dict, (self.to_dict(),)

    # -- evaluation

    def __call__(self, step):
        """The value at ``step``: a float for a scalar, a float64 array for an array.

        Steps must be finite, non-negative and at most 2**62; fractional steps are fine.
        """
        if isinstance(step, (int, float)) and not isinstance(step, bool):
            return lr_at(self.kinds, self.params, self.starts, check_step("step", step))
        steps = check_steps("step", step)
        if steps.ndim == 0 and not isinstance(step, np.ndarray):
            return lr_at(self.kinds, self.params, self.starts, float(steps))
        flat = np.ascontiguousarray(steps).reshape(-1)
        out = np.empty(flat.shape, dtype=np.float64)
        evaluate(self.kinds, self.params, self.starts, flat, out)
        return out.reshape(steps.shape)

    def table(self, n, dtype=None, out=None, parallel=True):
        """Values at steps ``0 .. n-1`` from a compiled loop.

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

        Returns
        -------
        numpy.ndarray
            ``out`` if given, else a new array.
        """
        n = check_count("n", n, minimum=0)
        if out is None:
            out = np.empty(n, dtype=check_dtype(dtype))
        else:
            check_out(out, (n,), check_dtype(dtype, out))
        if parallel:
            run_parallel(fill_parallel, fill_serial, self.kinds, self.params, self.starts, out)
        else:
            fill_serial(self.kinds, self.params, self.starts, out)
        return out

    # -- pictures and text (lrjit.plotting; matplotlib is imported only to draw)

    def plot(self, steps=None, **kwargs):
        """Draw the schedule and return the matplotlib Axes: :func:`lrjit.plotting.plot`."""
        from .plotting import plot

        return plot(self, steps, **kwargs)

    def summary(self, steps=None, **kwargs):
        """Window, peak, final value and samples as text: :func:`lrjit.plotting.summary`."""
        from .plotting import summary

        return summary(self, steps, **kwargs)


def check_arguments(factory, names, owner, noun, error, extra=()):
    """Raise ``error`` naming any of ``names`` that ``factory`` does not take, or
    any argument it needs that ``names`` lacks, with the valid ones."""
    params = inspect.signature(factory).parameters
    valid = ", ".join(map(repr, (*extra, *params)))
    unknown = sorted(set(names) - set(params))
    if unknown:
        raise error(
            f"unknown {noun}(s) {', '.join(map(repr, unknown))} for {owner}; valid {noun}s: {valid}"
        )
    missing = [n for n, p in params.items() if p.default is p.empty and n not in names]
    if missing:
        raise error(
            f"missing {noun}(s) {', '.join(map(repr, missing))} for {owner}; valid {noun}s: {valid}"
        )


def from_dict(config):
    """The schedule a :meth:`Schedule.to_dict` dict describes.

    ``config["type"]`` names a family (:data:`lrjit.FACTORIES`); the other keys
    are its arguments.  Nested schedules (``join``'s ``schedules``) may be
    dicts or :class:`Schedule` objects.

    >>> import json, lrjit
    >>> s = lrjit.warmup_cosine(3e-4, warmup_steps=500, decay_steps=10_000)
    >>> lrjit.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    True
    """
    if isinstance(config, Schedule):
        return config
    if not isinstance(config, Mapping):
        raise TypeError(f"a schedule config must be a dict, got {type(config).__name__}")
    kwargs = dict(config)
    family = kwargs.pop("type", None)
    if not isinstance(family, str) or family not in FACTORIES:
        valid = ", ".join(sorted(FACTORIES))
        raise ValueError(f"unknown schedule type {family!r}; valid types: {valid}")
    factory = FACTORIES[family]
    check_arguments(factory, kwargs, f"type {family!r}", "key", ValueError, ("type",))
    if family == "join" and isinstance(kwargs["schedules"], (list, tuple)):
        kwargs["schedules"] = [from_dict(c) for c in kwargs["schedules"]]
    return factory(**kwargs)
