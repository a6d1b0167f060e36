"""torch interop of the front-end: optimizer duck typing, tensors, checks, the step-order warning.

Nothing here imports torch: an optimizer is anything whose ``param_groups``
is a list of dicts with an ``'lr'``, and a tensor is recognised by its type's
module and its ``fill_``/``clone`` methods.
"""

import math
import numbers
import types
import warnings
from collections.abc import Mapping
from weakref import ref

import numpy as np

from .._checks import describe_range, in_range

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)

GET_LR_WARNING = (
    "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
)


class StepOrderWarning(UserWarning):
    """``lr_scheduler.step()`` was called before ``optimizer.step()`` (torch's check).

    Emitted through :mod:`warnings` as torch emits it, at the first step of
    each scheduler whose optimizer has not stepped yet; the standard filters
    decide whether it is shown.  Turn it off with
    ``warnings.filterwarnings("ignore", category=StepOrderWarning)``.
    """


class ZeroDivisionConfigError(ValueError, ZeroDivisionError):
    """A configuration torch would divide by zero with, sooner or later.

    lrjit refuses it at construction with a message naming the parameter; it
    is a ``ValueError`` and also the ``ZeroDivisionError`` torch raises, so
    code written against either keeps working.
    """


class NoClosedFormError(AttributeError, ValueError):
    """``scheduler.schedule`` of a configuration with no closed form as a Schedule.

    An ``AttributeError``, so ``hasattr(s, "schedule")`` is False and
    ``getattr(s, "schedule", None)`` is None; also the ``ValueError`` earlier
    versions raised.
    """


# -- optimizers and tensors


def is_tensor(x):
    return type(x).__module__.startswith("torch") and hasattr(x, "fill_") and hasattr(x, "clone")


def copy_value(x):
    """A learning rate as torch keeps a copy of it: tensors cloned, numbers as they are."""
    if type(x) is float or not is_tensor(x):
        return x
    return x.clone()


def set_value(group, key, value):
    """``group[key] = value``, or in place (``fill_``) when ``group[key]`` is a tensor."""
    current = group[key]
    if type(current) is float or not is_tensor(current):
        group[key] = value
    else:
        current.fill_(float(value))


def values(optimizer, key):
    """``group[key]`` of each param group, tensors cloned (torch's ``_param_groups_val_list``)."""
    return [copy_value(group[key]) for group in optimizer.param_groups]


def check_optimizer(optimizer):
    """The optimizer's ``param_groups`` if it looks like an optimizer; TypeError otherwise."""
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not groups:
        raise TypeError(
            f"{type(optimizer).__name__} is not an Optimizer: an optimizer needs a non-empty "
            f"list `param_groups` of dicts with an 'lr' (a torch.optim optimizer works), "
            f"got param_groups={groups!r}"
        )
    for i, group in enumerate(groups):
        if not isinstance(group, Mapping) or "lr" not in group:
            raise TypeError(
                f"{type(optimizer).__name__} is not an Optimizer: param_groups[{i}] must be a "
                f"dict with an 'lr', got {group!r}"
            )
        lr = group["lr"]
        v = _number(lr)
        if v is None:
            raise TypeError(
                f"param_groups[{i}]['lr'] must be a number or a one-element tensor, got {lr!r}"
            )
        if not (math.isfinite(v) and v >= 0.0):
            raise ValueError(f"param_groups[{i}]['lr'] must be finite and >= 0, got {lr!r}")
    return groups


def _number(x):
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    if is_tensor(x):
        try:
            return float(x)
        except (TypeError, ValueError, RuntimeError):
            return None
    return None


def optimizer_defaults(optimizer):
    """``optimizer.defaults``, or for a duck-typed optimizer the keys its groups share."""
    defaults = getattr(optimizer, "defaults", None)
    if isinstance(defaults, Mapping):
        return defaults
    groups = optimizer.param_groups
    return {key: None for key in set.intersection(*(set(g) for g in groups))}


def format_param(name, optimizer, param):
    """One value per param group: torch's ``_format_param`` (tensors cloned)."""
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(param)} values, param_groups has "
                f"{len(optimizer.param_groups)}."
            )
    else:
        param = [param] * len(optimizer.param_groups)
    return [copy_value(p) for p in param]


# -- argument checks (torch front-end: torch's names, lrjit's messages)


def real(name, value, low=-math.inf, high=math.inf, *, low_open=False, high_open=False):
    """``value`` if it is a finite real within the bounds (tensors count as numbers)."""
    allowed = describe_range(low, high, low_open, high_open)
    v = _number(value)
    if v is None:
        raise TypeError(f"{name} must be {allowed}, got {value!r} ({type(value).__name__})")
    if not in_range(v, low, high, low_open, high_open):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def integer(name, value, minimum=0):
    """``value`` if it is an int ``>= minimum``."""
    if not isinstance(value, (numbers.Integral, np.integer)) or isinstance(value, bool):
        raise TypeError(
            f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__})"
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def not_zero(name, value, why):
    """Refuse ``value == 0``: torch would raise ZeroDivisionError later on."""
    if value == 0:
        raise ZeroDivisionConfigError(f"{name} must not be 0 ({why}), got {value!r}")


def check_precompute(precompute):
    if precompute is None:
        return None
    if not isinstance(precompute, (numbers.Integral, np.integer)) or isinstance(precompute, bool):
        raise TypeError(
            f"precompute must be None (per-step mode) or a number of steps >= 1 (table mode), "
            f"got {precompute!r} ({type(precompute).__name__})"
        )
    if precompute < 1:
        raise ValueError(f"precompute must be None or a number of steps >= 1, got {precompute}")
    return int(precompute)


def plain_function(fn):
    """torch saves a callable object's ``__dict__`` in the state, not a plain function's."""
    return isinstance(fn, types.FunctionType)


# -- torch's "scheduler.step() before optimizer.step()" check

OVERRIDDEN_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before "
    "`lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)

ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)


class StepRecorder:
    """``optimizer.step`` wrapped to record that it ran: torch's patch, but picklable.

    torch wraps the step in a closure, which a duck-typed optimizer (whose
    ``__dict__`` pickle saves) cannot be pickled with; this object pickles as
    "the same wrapper around the same method".  It carries torch's marker
    ``_wrapped_by_lr_sched``, so torch's and lrjit's schedulers never wrap twice.
    """

    _wrapped_by_lr_sched = True
    __slots__ = ("_opt", "__func__", "__weakref__")

    def __init__(self, optimizer, func):
        self._opt = ref(optimizer)
        self.__func__ = func

    def __call__(self, *args, **kwargs):
        opt = self._opt()
        opt._opt_called = True
        return self.__func__.__get__(opt, opt.__class__)(*args, **kwargs)

    @property
    def __wrapped__(self):
        return self.__func__

    @property
    def __name__(self):
        return getattr(self.__func__, "__name__", "step")

    def __reduce__(self):
        return StepRecorder, (self._opt(), self.__func__)


def patch_optimizer_step(optimizer):
    """Wrap ``optimizer.step`` so it records that it ran (torch's own patch, same attributes).

    A duck-typed optimizer without a bound ``step`` method is left alone.
    Returns whether ``optimizer.step`` is (now) wrapped, i.e. whether to check.
    """
    step = getattr(optimizer, "step", None)
    if hasattr(step, "_wrapped_by_lr_sched"):
        return True
    if step is None or not hasattr(step, "__func__"):
        return False
    optimizer.step = StepRecorder(optimizer, step.__func__)
    return True


def check_step_order(optimizer):
    """torch's warnings at a scheduler's first ``step()``, through :mod:`warnings` as torch's."""
    step = getattr(optimizer, "step", None)
    if step is None:
        return
    if not hasattr(step, "_wrapped_by_lr_sched"):
        warnings.warn(OVERRIDDEN_WARNING, StepOrderWarning, stacklevel=3)
    elif not getattr(optimizer, "_opt_called", False):
        warnings.warn(ORDER_WARNING, StepOrderWarning, stacklevel=3)


def whole(x, name):
    """``x`` as an int for a Schedule argument, or a clear error."""
    if float(x) != int(x):
        raise ValueError(f"{name}={x!r} is not a whole number of steps: no Schedule for it")
    return int(x)
