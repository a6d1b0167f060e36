"""Tier 0: the argument vocabulary every front-end checks with.

Reals, learning-rate values, step counts, flags, choices, steps and output
arrays.  Each check returns the canonical value or raises ``TypeError`` (wrong
kind of thing) or ``ValueError`` (right kind, out of range) with a message
that names the parameter, the value and what is allowed.  Factories,
:func:`lrjit.sweep`, :mod:`lrjit.lr_schedule` and :mod:`lrjit.optim` all
call these, so one input gets one answer everywhere.

>>> check_real("gamma", 0.5, 0.0, 1.0, low_open=True)
0.5
>>> check_count("decay_steps", 0)
Traceback (most recent call last):
...
ValueError: decay_steps must be an integer in [1, 2**53], got 0
"""

import math
import numbers
from collections.abc import Mapping

import numpy as np

__all__ = [
    "MAX_VALUE",
    "MAX_STEPS",
    "MAX_STEP",
    "is_real",
    "is_integer",
    "describe_range",
    "in_range",
    "check_real",
    "check_value",
    "check_count",
    "check_flag",
    "check_choice",
    "check_end_value",
    "check_sequence",
    "check_step",
    "check_steps",
    "check_dtype",
    "check_out",
    "check_table_out",
    "check_float32",
    "allocate",
    "too_big",
]

# Learning rates above this would let ``(init - end) * 2`` overflow in a kernel.
MAX_VALUE = 1e300
# Step counts are stored as float64: beyond 2**53 integers are no longer exact.
MAX_STEPS = 2**53
# Kernels take math.floor of a step (an int64 in Numba: wraps from 2**63 on) and pi * step
# overflows near 5e307 (periodic cosine -> NaN): steps stay at or below this.
MAX_STEP = 2.0**62

_STEP_RANGE = "finite, >= 0 and <= 2**62"


def is_real(value):
    """A real number that is not a bool (NumPy scalars included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_integer(value):
    """An integer that is not a bool (NumPy integers included)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def describe_range(low, high, low_open=False, high_open=False):
    """The words for an allowed range, as error messages give it."""
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    return f"a finite number in {lo}{low:g}, {high:g}{hi}"


def in_range(v, low, high, low_open=False, high_open=False):
    """Whether the float ``v`` is finite and within the bounds."""
    above = low < v if low_open else low <= v
    below = v < high if high_open else v <= high
    return math.isfinite(v) and above and below


def check_real(name, value, low=-math.inf, high=math.inf, *, low_open=False, high_open=False):
    """``value`` as a float, finite and within the given bounds."""
    allowed = describe_range(low, high, low_open, high_open)
    if not is_real(value):
        raise TypeError(f"{name} must be {allowed}, got {value!r} ({type(value).__name__})")
    try:
        v = float(value)
    except OverflowError:  # an int beyond float range
        v = math.inf
    if not in_range(v, low, high, low_open, high_open):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def check_value(name, value):
    """A learning-rate value: finite, in ``[0, MAX_VALUE]``."""
    return check_real(name, value, 0.0, MAX_VALUE)


def check_count(name, value, minimum=1):
    """A whole number of steps, as an int in ``[minimum, 2**53]``."""
    allowed = f"an integer in [{minimum}, 2**53]"
    if not is_integer(value):
        raise TypeError(f"{name} must be {allowed}, got {value!r} ({type(value).__name__})")
    v = int(value)
    if not minimum <= v <= MAX_STEPS:
        raise ValueError(f"{name} must be {allowed}, got {v}")
    return v


def check_flag(name, value):
    """``True`` or ``False`` (NumPy bools included); 0 and 1 are not flags."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


def check_choice(name, value, allowed):
    """One of the strings ``allowed``."""
    words = ", ".join(map(repr, allowed))
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {words}, got {value!r} ({type(value).__name__})")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {words}, got {value!r}")
    return value


def check_end_value(end_value, reference, reference_name, *, alpha=None, min_lr_rate=None):
    """The absolute end value, given as ``end_value`` or as a ratio of ``reference``.

    ``alpha`` (optax) and ``min_lr_rate`` (transformers) are the same ratio
    in ``[0, 1]`` under the peers' names: ``end = ratio * reference``.  At most
    one of the three may be given; none means 0.

    >>> check_end_value(None, 0.5, "init_value", alpha=0.1)
    0.05
    """
    given = [n for n, v in (("end_value", end_value), ("alpha", alpha),
                            ("min_lr_rate", min_lr_rate)) if v is not None]
    if len(given) > 1:
        raise ValueError(f"give end_value (absolute), alpha or min_lr_rate (ratios of "
                         f"{reference_name}), not both: got {' and '.join(given)}")
    if not given:
        return 0.0
    if given[0] == "end_value":
        return check_value("end_value", end_value)
    ratio = alpha if alpha is not None else min_lr_rate
    return check_real(given[0], ratio, 0.0, 1.0) * reference


def check_sequence(name, value, what):
    """``value``'s items as a tuple: a list, tuple or 1-D array of ``what``.

    Strings, mappings, scalars and 0-d arrays are refused (iterating a 0-d
    array raises NumPy's own ``TypeError`` that names nothing).
    """
    if (
        isinstance(value, (str, bytes, Mapping))
        or not hasattr(value, "__iter__")
        or (isinstance(value, np.ndarray) and value.ndim != 1)
    ):
        shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
        raise TypeError(f"{name} must be a sequence of {what}, got {value!r}{shape}")
    return tuple(value)


def check_step(name, value):
    """One step as a float: finite, ``>= 0`` and at most ``2**62`` (fractions are fine)."""
    if not is_real(value):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    try:
        t = float(value)
    except OverflowError:
        t = math.inf
    if not 0.0 <= t <= MAX_STEP:
        raise ValueError(f"{name} must be {_STEP_RANGE}, got {value!r}")
    return t


def check_steps(name, steps):
    """Steps as a float64 array of the same shape, every one as :func:`check_step` wants."""
    arr = np.asarray(steps)
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be a real number or an array of them, got {steps!r}")
    arr = arr.astype(np.float64, copy=False)
    bad = ~(np.isfinite(arr) & (arr >= 0.0) & (arr <= MAX_STEP))
    if bad.any():
        where = np.unravel_index(int(np.argmax(bad)), arr.shape) if arr.ndim else ()
        label = f"{name}[{', '.join(map(str, where))}]" if where else name
        raise ValueError(f"{label} must be {_STEP_RANGE}, got {arr[bad].flat[0].item()!r}")
    return arr


def check_dtype(dtype, out=None):
    """A float64 or float32 dtype; ``None`` gives float64, or ``None`` when ``out`` decides."""
    if dtype is None:
        return np.dtype(np.float64) if out is None else None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float64 or float32, got {dtype!r}") from None
    if dt not in (np.float64, np.float32):
        raise TypeError(f"dtype must be float64 or float32, got {dt}")
    return dt


def check_out(out, shape, dtype=None):
    """``out`` if it is a writeable float64/float32 NumPy array of ``shape``.

    Compiled fills index ``out`` without bounds checks: this is what makes
    that safe.
    """
    if not isinstance(out, np.ndarray):
        raise TypeError(
            f"out must be a numpy.ndarray for a CPU target, got {type(out).__name__} "
            "(device arrays need target='cuda')"
        )
    if out.dtype not in (np.float64, np.float32):
        raise TypeError(f"out must have dtype float64 or float32, got {out.dtype}")
    if dtype is not None and np.dtype(dtype) != out.dtype:
        raise TypeError(f"dtype {np.dtype(dtype)} does not match out.dtype {out.dtype}")
    if out.shape != tuple(shape):
        raise ValueError(f"out must have shape {tuple(shape)}, got {out.shape}")
    if not out.flags.writeable:
        raise ValueError("out must be writeable")
    return out


def check_table_out(out, shape, dtype=None):
    """``out`` checked as :func:`check_out` does, viewed as a ``(configs, steps)`` table."""
    check_out(out, shape, dtype)
    table = out.reshape(-1, shape[-1]) if out.ndim != 2 else out
    if table.size and not np.may_share_memory(table, out):
        raise ValueError(
            f"out of shape {out.shape} must be C-contiguous (it is viewed as a "
            f"(configs, steps) table)"
        )
    return table


def check_float32(table, what):
    """Raise ``ValueError`` if a float32 ``table`` of ``what`` holds an overflow (inf).

    Accepted learning rates go up to ``MAX_VALUE`` (1e300), far beyond
    float32's ~3.4e38; rounding such a value to float32 gives inf, which no
    accepted configuration may return.  float64 tables cannot overflow.
    """
    if table.dtype != np.float32 or not table.size:
        return
    bad = np.isinf(table)
    if bad.any():
        where = np.unravel_index(int(np.argmax(bad)), table.shape)
        index = ", ".join(map(str, where))
        raise ValueError(
            f"{what} exceeds float32's largest value {float(np.finfo(np.float32).max):.4g} "
            f"(at [{index}]); use dtype=numpy.float64, or values below 3.4e38"
        )


def too_big(name, shape, dtype):
    """The ``MemoryError`` for an array that cannot be allocated: what was asked, what to do."""
    size = math.prod(shape) * np.dtype(dtype).itemsize
    return MemoryError(
        f"{name} of shape {tuple(shape)} ({np.dtype(dtype)}) needs {size / 2**30:,.1f} GiB, "
        "more than can be allocated here; ask for fewer steps, compute it in chunks "
        "through out= (or evaluate the steps you need with schedule(steps))"
    )


def allocate(name, shape, dtype):
    """``numpy.empty(shape, dtype)``, or :func:`too_big`'s ``MemoryError``."""
    try:
        return np.empty(shape, dtype=dtype)
    except (MemoryError, ValueError):  # ValueError: "array is too big"
        raise too_big(name, shape, dtype) from None
