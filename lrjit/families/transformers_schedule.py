"""transformers 5.x's ``LambdaLR`` multipliers, in transformers' own operation order.

The schedules behind ``transformers.get_scheduler`` are multipliers of each
param group's base lr (``lr = base_lr * lambda(step)``), each lambda written
in an operation order of its own (``max(0.0, float(T - t) / float(max(1, T -
W)))``, ``0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 *
progress))``, ...) that lrjit's core kernels do not follow.  This family
computes those lambdas exactly as transformers 5.24 does, so that
:func:`lrjit.optim.get_scheduler` is bitwise transformers' scheduler.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import MAX_VALUE, check_choice, check_count, check_real, check_value
from .._jit import jit
from ..kernels.power import power as power_of
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 14

# transformers' SchedulerType names that are a LambdaLR multiplier with a lambda of
# this family (inverse_sqrt and warmup_stable_decay: lrjit.inverse_sqrt and lrjit.wsd).
NAMES = {
    "constant": 0.0,
    "constant_with_warmup": 1.0,
    "linear": 2.0,
    "cosine": 3.0,
    "cosine_with_min_lr": 4.0,
    "cosine_with_restarts": 5.0,
    "polynomial": 6.0,
    "cosine_warmup_with_min_lr": 7.0,
}

# per name: the arguments it needs, and its optional ones with transformers' defaults
_STEPS = ("num_warmup_steps", "num_training_steps")
_ARGUMENTS = {
    "constant": ((), {}),
    "constant_with_warmup": (("num_warmup_steps",), {}),
    "linear": (_STEPS, {}),
    "cosine": (_STEPS, {"num_cycles": 0.5}),
    "cosine_with_min_lr": ((*_STEPS, "min_lr_rate"), {"num_cycles": 0.5}),
    "cosine_with_restarts": (_STEPS, {"num_cycles": 1}),
    "polynomial": ((*_STEPS, "lr_init"), {"lr_end": 1e-7, "power": 1.0}),
    "cosine_warmup_with_min_lr": (
        (*_STEPS, "min_lr_rate"), {"num_cycles": 0.5, "warmup_lr_rate": None}
    ),
}
# "no warmup_lr_rate": transformers' (t + 1) / W warmup (a rate is in [0, 1])
NO_WARMUP_RATE = -1.0


@jit
def transformers_schedule_kernel(
    step, name, num_warmup_steps=0.0, num_training_steps=0.0, num_cycles=0.5, min_lr_rate=0.0,
    power=1.0, lr_init=1.0, lr_end=0.0, warmup_lr_rate=NO_WARMUP_RATE,
):
    """transformers 5.24's lambda ``name`` (a code of :data:`NAMES`) at ``step``.

    Each branch is the lambda of ``transformers/optimization.py`` typed out
    in its operation order (``W``/``T`` the warmup and training steps; a
    Python ``max(0, x)`` is ``x if x > 0 else 0``).  The cosines call libm's
    ``math.cos``, as transformers does: lrjit's core cosine families may use
    the vectorizable ``cospi`` (<= 1 ulp), this family must not, or it would
    no longer be bitwise transformers' schedule.

    >>> transformers_schedule_kernel(60.0, 3.0, 10.0, 110.0)  # cosine, halfway down
    0.5
    """
    w = num_warmup_steps
    t_end = num_training_steps
    if name == 0.0:
        return 1.0
    if name == 7.0:  # _get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda
        if step < w:
            if warmup_lr_rate < 0.0:
                return (step + 1.0) / max(1.0, w)
            return warmup_lr_rate + (1.0 - warmup_lr_rate) * step / max(1.0, w - 1.0)
        progress = (step - w + 1.0) / max(1.0, t_end - w)
        factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
        factor = factor * (1.0 - min_lr_rate) + min_lr_rate
        return factor if factor > 0.0 else 0.0
    if step < w:  # every other warmup: float(t) / float(max(1, W))
        return step / max(1.0, w)
    if name == 1.0:
        return 1.0
    if name == 2.0:
        factor = (t_end - step) / max(1.0, t_end - w)
        return factor if factor > 0.0 else 0.0
    if name == 3.0 or name == 4.0:
        # transformers 5.24 defines _get_cosine_schedule_with_warmup_lr_lambda twice; the
        # second one (with min_lr_rate, default 0.0) is what cosine runs too
        progress = (step - w) / max(1.0, t_end - w)
        factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
        factor = factor * (1.0 - min_lr_rate) + min_lr_rate
        return factor if factor > 0.0 else 0.0
    if name == 5.0:
        progress = (step - w) / max(1.0, t_end - w)
        if progress >= 1.0:
            return 0.0
        factor = 0.5 * (1.0 + math.cos(math.pi * ((num_cycles * progress) % 1.0)))
        return factor if factor > 0.0 else 0.0
    if name == 6.0:
        if step > t_end:
            return lr_end / lr_init
        pct_remaining = 1.0 - (step - w) / (t_end - w)
        # libm's pow, as transformers' Python `**` (power 1 is the base itself, the same bits)
        return ((lr_init - lr_end) * power_of(pct_remaining, power, 1.0) + lr_end) / lr_init
    return math.nan


def transformers_schedule(
    name, num_warmup_steps=None, num_training_steps=None, *, num_cycles=None, min_lr_rate=None,
    power=None, lr_init=None, lr_end=None, warmup_lr_rate=None,
) -> Schedule:
    """transformers 5.x's schedule ``name`` as a multiplier of the base lr, bitwise.

    ``lr = base_lr * s(t)`` is what transformers' ``LambdaLR`` computes, with
    ``W = num_warmup_steps`` counted inside ``T = num_training_steps`` and
    the warmup ``t / W`` (transformers' functions, their defaults)::

        constant                    1
        constant_with_warmup        1 after the warmup
        linear                      max(0, (T - t) / max(1, T - W))
        cosine                      max(0, (1 + cos(2 pi num_cycles p)) / 2),
                                    p = (t - W) / max(1, T - W)
                                    (not held after T: it rises again, as transformers')
        cosine_with_min_lr          max(0, f * (1 - min_lr_rate) + min_lr_rate), f the cosine's
        cosine_with_restarts        (1 + cos(pi ((num_cycles p) mod 1))) / 2, 0 from p >= 1
        polynomial                  ((lr_init - lr_end) (1 - p) ** power + lr_end) / lr_init,
                                    lr_end / lr_init after T (lr_init: the optimizer's
                                    defaults["lr"], lr_end absolute)
        cosine_warmup_with_min_lr   warmup (t + 1) / W (or warmup_lr_rate + (1 - warmup_lr_rate)
                                    t / max(1, W - 1)), then cosine_with_min_lr with
                                    p = (t - W + 1) / max(1, T - W)

    Each is computed in transformers' operation order with libm's ``cos``
    (see :func:`transformers_schedule_kernel`).  ``inverse_sqrt`` and
    ``warmup_stable_decay`` are :func:`lrjit.inverse_sqrt` and
    :func:`lrjit.wsd` with ``peak_value=1.0``; :func:`lrjit.optim.get_scheduler`
    picks the right one for each of transformers' names.

    Arguments a name does not use must not be given (``TypeError``, as
    transformers' functions raise).  Unlike transformers, lrjit refuses
    ``num_training_steps < num_warmup_steps``, ``polynomial`` with ``W ==
    T`` (transformers divides by zero at step ``W``), rates outside
    ``[0, 1]`` and ``num_cycles`` outside ``(0, 2**53]``.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    num_warmup_steps, num_training_steps : int
        ``0 <= W <= T``, ``T >= 1``.
    num_cycles : float, optional
        Waves of the cosine (default 0.5: half a wave), restarts (default 1).
    min_lr_rate : float
        The floor as a ratio of the base lr, in ``[0, 1]``.
    power : float, optional
        The polynomial's power (default 1.0), ``> 0``.
    lr_init, lr_end : float
        The polynomial's absolute lrs: the optimizer's ``defaults["lr"]`` and
        the end (default 1e-7), ``lr_init > lr_end >= 0``.
    warmup_lr_rate : float, optional
        The first warmup value of ``cosine_warmup_with_min_lr``, in ``[0, 1]``.

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.transformers_schedule("linear", 10, 110)
    >>> s(5), s(60), s(200)
    (0.5, 0.5, 0.0)
    >>> c = lrjit.transformers_schedule("cosine", 0, 100)
    >>> c(50), c(100), c(200)  # transformers' cosine rises again after T
    (0.5, 0.0, 1.0)
    """
    name = check_choice("name", name, tuple(NAMES))
    given = {"num_warmup_steps": num_warmup_steps, "num_training_steps": num_training_steps,
             "num_cycles": num_cycles, "min_lr_rate": min_lr_rate, "power": power,
             "lr_init": lr_init, "lr_end": lr_end, "warmup_lr_rate": warmup_lr_rate}
    required, optional = _ARGUMENTS[name]
    extra = [k for k, v in given.items() if v is not None and k not in required + tuple(optional)]
    if extra:
        raise TypeError(f"transformers_schedule({name!r}) takes no {', '.join(extra)}; it takes "
                        f"{', '.join(required + tuple(optional)) or 'no other argument'}")
    missing = [k for k in required if given[k] is None]
    if missing:
        raise ValueError(f"transformers_schedule({name!r}) requires {', '.join(missing)}")
    args = {"name": name}
    for key in required + tuple(optional):
        value = given[key] if given[key] is not None else optional[key]
        if value is not None:
            args[key] = _CHECKS[key](key, value)
    w = args.get("num_warmup_steps", 0)
    t_end = args.get("num_training_steps", w)
    if t_end < w:
        raise ValueError(f"num_training_steps counts the warmup and must be >= "
                         f"num_warmup_steps={w}, got {t_end}")
    if name == "polynomial":
        if t_end == w:
            raise ValueError(f"polynomial decays over num_training_steps - num_warmup_steps "
                             f"steps and needs num_training_steps > num_warmup_steps={w}, got "
                             f"{t_end} (transformers divides by zero at step {w})")
        if not args["lr_init"] > args["lr_end"]:
            raise ValueError(f"lr_end ({args['lr_end']}) must be smaller than initial lr "
                             f"({args['lr_init']})")
    return FAMILY.schedule(args, t_end)


def _positive(name, value):
    return check_real(name, value, 0.0, MAX_VALUE, low_open=True)


def _cycles(name, value):
    # bounded so that pi * num_cycles * 2 * progress stays finite for any step
    return check_real(name, value, 0.0, 2.0**53, low_open=True)


def _rate(name, value):
    return check_real(name, value, 0.0, 1.0)


_CHECKS = {
    "num_warmup_steps": lambda n, v: check_count(n, v, minimum=0),
    "num_training_steps": check_count,
    "num_cycles": _cycles,
    "min_lr_rate": _rate,
    "power": _positive,
    "lr_init": _positive,
    "lr_end": check_value,
    "warmup_lr_rate": _rate,
}


FAMILY = register(
    "transformers_schedule", transformers_schedule, transformers_schedule_kernel, CODE,
    choices={"name": NAMES},
)
