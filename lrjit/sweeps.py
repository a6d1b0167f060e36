"""Sweeps: many schedule configurations evaluated at many steps in one compiled call.

A sweep is a ``(configurations, steps)`` table.  Its configurations come
either from one family with broadcast parameter arrays (every configuration
is validated by the family's factory) or from a list of :class:`lrjit.Schedule`
objects of any kinds and compositions.  Either way the schedules are stacked
into one *stacked program* (see :func:`stack`) that the compiled drivers
here, and the CUDA kernels in :mod:`lrjit.cuda`, read through
:func:`lrjit.kernels.lr_at`, so every target runs the same tier-1 kernels.

>>> import numpy as np, lrjit
>>> table = lrjit.sweep("cosine", 5, init_value=[0.1, 0.2], decay_steps=4)
>>> table.shape
(2, 5)
>>> table[1]
array([0.2       , 0.17071068, 0.1       , 0.02928932, 0.        ])
"""

import inspect
from collections.abc import Mapping

import numba
import numpy as np

from ._checks import (
    allocate,
    check_count,
    check_dtype,
    check_float32,
    check_steps,
    check_table_out,
    is_integer,
    is_real,
    too_big,
)
from ._jit import jit
from .families import REGISTRY, constant
from .kernels.dispatch import MAX_PARAMS
from .schedule import Schedule, check_arguments, from_dict
from .tables import rounded_evaluate, run_parallel

__all__ = ["sweep", "grid", "stack", "fill_serial", "fill_parallel", "TARGETS"]

TARGETS = ("cpu", "parallel", "cuda")

# Steps per work item of the parallel driver: enough to amortise a work item,
# small enough that a few configurations with many steps still spread over
# every thread.
TILE = 4096


@jit
def fill_serial(kinds, params, starts, steps, out):
    """``out[c, j] = lr_at(kinds[c], params[c], starts[c], steps[j])``, in one thread.

    ``kinds`` ``(C, P)`` int64, ``params`` ``(C, P, MAX_PARAMS)`` and ``starts``
    ``(C, P)`` float64 are a stacked program (:func:`stack`), ``steps`` ``(N,)``
    float64, ``out`` ``(C, N)`` float64 or float32 (rounded from float64).
    """
    for c in range(out.shape[0]):
        rounded_evaluate(kinds[c], params[c], starts[c], steps, out[c])


@jit(parallel=True)
def fill_parallel(kinds, params, starts, steps, out):
    """:func:`fill_serial` over Numba's threads, in tiles of ``TILE`` steps of one configuration.

    Tiling (rather than ``prange`` over configurations) keeps every thread busy
    for a few configurations with many steps as well as for many with few.
    Each tile is a call of :func:`lrjit.tables.evaluate`, which compiles
    ``lr_at`` once for both drivers.
    """
    n = out.shape[1]
    tiles = (n + TILE - 1) // TILE
    for t in numba.prange(out.shape[0] * tiles):
        c = t // tiles
        first = (t - c * tiles) * TILE
        last = min(first + TILE, n)
        rounded_evaluate(kinds[c], params[c], starts[c], steps[first:last], out[c][first:last])


def _family(family):
    """The registered :class:`~lrjit.families.Family` of a family name or a factory."""
    if isinstance(family, str):
        if family not in REGISTRY:
            valid = ", ".join(sorted(REGISTRY))
            raise ValueError(f"unknown schedule family {family!r}; valid families: {valid}")
        return REGISTRY[family]
    for record in REGISTRY.values():
        if family is record.factory:
            return record
    raise TypeError(
        f"family must be a family name or a factory such as lrjit.cosine, got {family!r}"
    )


def _as_array(name, value, text=False, optional=False):
    arr = np.asarray(value)
    if arr.dtype == object and all(
        is_real(v) or (optional and (v is None or isinstance(v, str))) for v in arr.flat
    ):
        # Python ints beyond int64 (10**30), or None among the values of a parameter
        # defaulting to None (wsd's decay_steps): the factory checks each one, exactly
        # as a scalar call would.
        return arr
    # text: an option named by a string (one_cycle's anneal_strategy, cyclic's mode)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number)
        or arr.dtype == np.bool_
        or (text and arr.dtype.kind == "U")
    ):
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {value!r} (dtype {arr.dtype})"
        )
    return arr


def _item(value):
    """A NumPy scalar as the Python scalar; an object array's element (a big int) as is."""
    return value.item() if isinstance(value, (np.generic, np.ndarray)) else value


def grid(family, /, **params):
    """Schedules of one family over broadcast parameter arrays, as an object array.

    Each argument of the family's factory may be a scalar or an array; they
    broadcast together like NumPy arrays, and every configuration is built
    (so validated) by the factory.  An invalid one raises the factory's error,
    prefixed by the configuration's index.

    Parameters
    ----------
    family : str or callable
        A family name (``"cosine"``) or its factory (``lrjit.cosine``).
        ``multistep`` and ``join`` take sequences: build those schedules
        yourself and pass a list to :func:`sweep`.
    **params
        The factory's arguments, scalars or arrays.

    Returns
    -------
    numpy.ndarray
        An object array of :class:`lrjit.Schedule`, of the broadcast shape.

    Examples
    --------
    >>> import lrjit
    >>> g = lrjit.sweeps.grid("cosine", init_value=[[0.1], [0.2]], decay_steps=[100, 200, 300])
    >>> g.shape
    (2, 3)
    >>> g[1, 2]
    lrjit.cosine(init_value=0.2, decay_steps=300, end_value=0.0, periodic=False)
    """
    return _grid(family, params)


def _grid(family, params, offset=()):
    """:func:`grid`; ``offset`` is added to the index in error messages (a Dask block's)."""
    record = _family(family)
    name, factory = record.name, record.factory
    if record.sequences:
        raise TypeError(
            f"{name} takes a sequence ({record.sequences[0]}), which cannot be broadcast; "
            f"pass a list of lrjit.{name}(...) schedules to lrjit.sweep instead"
        )
    check_arguments(factory, params, name, "parameter", TypeError)
    defaults = {n: p.default for n, p in inspect.signature(factory).parameters.items()}
    arrays = {
        # text: a string option (a choice, or a None default that may name one: wsd's
        # decay_shape); optional: None is a value too.  The factory checks each value.
        n: _as_array(
            n,
            v,
            n in record.choices or isinstance(defaults.get(n), str) or defaults.get(n, 0) is None,
            defaults.get(n, 0) is None,
        )
        for n, v in params.items()
    }
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{n}{a.shape}" for n, a in arrays.items())
        raise ValueError(f"parameter arrays do not broadcast together: {shapes}") from None
    arrays = {n: np.broadcast_to(a, shape) for n, a in arrays.items()}
    schedules = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        # .item(): plain Python scalars, so the factory's checks and messages
        # see exactly what a scalar call would.
        kwargs = {n: _item(a[index]) for n, a in arrays.items()}
        try:
            schedules[index] = factory(**kwargs)
        except (TypeError, ValueError) as error:
            where = tuple(i + o for i, o in zip(index, offset + (0,) * len(index)))
            where = where[0] if len(where) == 1 else where
            raise type(error)(f"{name} configuration at index {where}: {error}") from None
    return schedules


def stack(schedules):
    """The stacked program of a sequence of schedules, for the sweep drivers.

    Programs with fewer pieces are padded with pieces that start at ``+inf``,
    which :func:`lrjit.kernels.lr_at` never reaches, so row ``c`` evaluates
    exactly as ``schedules[c]`` does.

    Parameters
    ----------
    schedules : sequence of Schedule or dict
        Dicts are read with :func:`lrjit.from_dict`.

    Returns
    -------
    kinds : numpy.ndarray
        ``(C, P)`` int64 family codes.
    params : numpy.ndarray
        ``(C, P, MAX_PARAMS)`` float64 kernel parameters.
    starts : numpy.ndarray
        ``(C, P)`` float64 start steps.

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.join([lrjit.constant(1.0), lrjit.constant(0.5)], boundaries=[10])
    >>> kinds, params, starts = stack([lrjit.constant(0.1), s])
    >>> starts
    array([[ 0., inf],
           [ 0., 10.]])
    """
    if isinstance(schedules, (Schedule, str, bytes, Mapping)) or not hasattr(schedules, "__iter__"):
        raise TypeError(f"schedules must be a sequence of Schedule objects, got {schedules!r}")
    checked = []
    for c, s in enumerate(schedules):
        if isinstance(s, Mapping):
            s = from_dict(s)
        elif not isinstance(s, Schedule):
            raise TypeError(
                f"schedules[{c}] must be a Schedule (from lrjit.cosine(...) etc.) or its "
                f"to_dict() dict, got {s!r} ({type(s).__name__})"
            )
        checked.append(s)
    pieces = max((len(s.kinds) for s in checked), default=1)
    kinds = np.full((len(checked), pieces), constant.CODE, dtype=np.int64)
    params = np.zeros((len(checked), pieces, MAX_PARAMS), dtype=np.float64)
    starts = np.full((len(checked), pieces), np.inf, dtype=np.float64)
    for c, s in enumerate(checked):
        p = len(s.kinds)
        kinds[c, :p] = s.kinds
        params[c, :p] = s.params
        starts[c, :p] = s.starts
    return kinds, params, starts


def _steps(steps):
    """Steps as a contiguous 1-D float64 array: ``0 .. n-1`` for a count ``n``."""
    if is_integer(steps):
        n = check_count("steps", steps, minimum=0)
        try:
            return np.arange(n, dtype=np.float64)
        except (MemoryError, ValueError):
            raise too_big("steps", (n,), np.float64) from None
    arr = np.asarray(steps)
    if arr.ndim == 0 or arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(
            f"steps must be a count (an int >= 0) or a 1-D array of real steps, got {steps!r}"
        )
    if arr.ndim != 1:
        raise ValueError(f"steps must be a count or a 1-D array, got an array of shape {arr.shape}")
    return np.ascontiguousarray(check_steps("steps", arr))


def _is_dask(value):
    # Duck typing: dask is never imported unless the caller already uses it.
    return type(value).__module__.startswith("dask.") and hasattr(value, "__dask_graph__")


def sweep(family_or_schedules, steps, /, *, target="cpu", dtype=None, out=None, **params):
    """The values of many schedule configurations at many steps: a ``(configs, steps)`` table.

    ``table[c, j] = schedule_c(steps[j])``, computed by one compiled loop over a
    stacked program (:func:`stack`), so the configurations may be of different
    families and compositions without recompiling.

    Parameters
    ----------
    family_or_schedules : str, callable or sequence of Schedule
        Either a family name or factory (``"cosine"``, ``lrjit.cosine``) whose
        arguments are given as broadcast arrays in ``**params``, or a list of
        :class:`lrjit.Schedule` objects (or their ``to_dict()`` dicts).
    steps : int or array_like
        A count ``n`` (steps ``0 .. n-1``) or a 1-D array of finite steps
        ``>= 0`` (fractional steps are fine).
    target : {'cpu', 'parallel', 'cuda'}
        One thread, Numba's threads, or a CUDA GPU (needs ``lrjit[cuda]``;
        see :mod:`lrjit.cuda`).  The CPU targets agree bitwise with
        :meth:`Schedule.table`; CUDA within 1e-12 relative.
    dtype : numpy.float64 or numpy.float32, optional
        Element type of the table (default float64, or ``out.dtype``).
        float32 tables are computed in float64 and rounded once; a value
        beyond float32's range (~3.4e38) raises ``ValueError`` rather than
        giving inf.
    out : array, optional
        Where to write the table, of shape ``config_shape + (N,)``: a writeable
        NumPy array, or with ``target='cuda'`` any array with
        ``__cuda_array_interface__`` (Numba device array, CuPy array, torch
        CUDA tensor), so the table never leaves the device.
    **params
        The family's factory arguments, scalars or arrays (broadcast); each
        configuration is validated by the factory.  Dask arrays (chunked over
        configurations) give a Dask array, computed block by block.

    Returns
    -------
    array
        ``out`` if given; else a NumPy array (a Numba device array for
        ``target='cuda'``) of shape ``config_shape + (N,)``: the broadcast
        shape of ``params``, or ``(len(schedules),)``.

    Examples
    --------
    A grid of base learning rates and lengths, then a mixed list:

    >>> import numpy as np, lrjit
    >>> t = lrjit.sweep("linear", 4, init_value=[[1.0], [2.0]], end_value=0.0,
    ...                 transition_steps=[2, 4], target="parallel")
    >>> t.shape
    (2, 2, 4)
    >>> t[1, 0]
    array([2., 1., 0., 0.])
    >>> mixed = [lrjit.constant(0.5), lrjit.step_decay(1.0, step_size=2, gamma=0.5)]
    >>> lrjit.sweep(mixed, np.array([0, 2.5, 5]), dtype=np.float32)
    array([[0.5 , 0.5 , 0.5 ],
           [1.  , 0.5 , 0.25]], dtype=float32)
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(map(repr, TARGETS))}, got {target!r}")
    step_array = _steps(steps)
    dt = check_dtype(dtype, out)
    if isinstance(family_or_schedules, Schedule):
        raise TypeError(
            "sweep takes a list of schedules (or a family name); for one schedule use "
            "[schedule] or schedule.table(n)"
        )
    if isinstance(family_or_schedules, str) or callable(family_or_schedules):
        if any(_is_dask(v) for v in params.values()):
            if out is not None:
                raise TypeError("out is not supported with Dask parameters; the result is lazy")
            return _sweep_dask(family_or_schedules, step_array, target, dt, params)
        schedules = _grid(family_or_schedules, params)
        shape = schedules.shape
        schedules = schedules.reshape(-1)
    else:
        if params:
            raise TypeError(
                f"parameter(s) {', '.join(map(repr, sorted(params)))} given with a list of "
                "schedules; parameters go with a family name, e.g. sweep('cosine', n, ...)"
            )
        schedules = family_or_schedules
        if isinstance(schedules, np.ndarray) and schedules.dtype == object:
            shape = schedules.shape  # from grid(): keep its shape
            schedules = schedules.reshape(-1)
        else:
            shape = None
    kinds, params_, starts = stack(schedules)
    if shape is None:
        shape = (kinds.shape[0],)
    full = shape + (step_array.shape[0],)
    if target == "cuda":
        from . import cuda

        return cuda._sweep_into(kinds, params_, starts, step_array, full, dt, out)
    if out is None:
        out = allocate("sweep table", full, dt)
        table = out.reshape(kinds.shape[0], step_array.shape[0])
    else:
        table = check_table_out(out, full, dt)
    if table.size:
        if target == "parallel":
            run_parallel(fill_parallel, fill_serial, kinds, params_, starts, step_array, table)
        else:
            fill_serial(kinds, params_, starts, step_array, table)
    check_float32(out, "the sweep table")
    return out


def _sweep_block(*blocks, names, family, steps, target, dtype, block_info=None):
    """One Dask block of a family sweep (module level, so it pickles to workers)."""
    offset = ()
    if block_info is not None and None in block_info:
        offset = tuple(start for start, _ in block_info[None]["array-location"][:-1])
    schedules = _grid(family, dict(zip(names, blocks)), offset)
    table = sweep(schedules, steps, target=target, dtype=dtype)
    if target == "cuda":
        table = table.copy_to_host()
    return table.reshape(schedules.shape + (steps.shape[0],))


def _sweep_dask(family, steps, target, dtype, params):
    """A lazy Dask sweep: one block of configurations per chunk of the parameters."""
    import functools

    import dask.array as da

    _family(family)  # a bad family name fails now, not at compute time
    names = list(params)
    arrays = da.broadcast_arrays(*(da.asarray(params[n]) for n in names))
    index = tuple(range(arrays[0].ndim))
    _, arrays = da.core.unify_chunks(*(x for a in arrays for x in (a, index)))
    block = functools.partial(
        _sweep_block, names=names, family=family, steps=steps, target=target, dtype=dtype
    )
    return da.map_blocks(
        block,
        *arrays,
        new_axis=len(index),
        chunks=arrays[0].chunks + ((steps.shape[0],),),
        dtype=dtype,
        meta=np.empty((0,) * (len(index) + 1), dtype=dtype),
    )
