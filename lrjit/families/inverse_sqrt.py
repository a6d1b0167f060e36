"""Warmup then inverse square root decay (transformers' ``get_inverse_sqrt_schedule``, timm's rsqrt)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import check_choice, check_count, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 10

CONVENTION_TRANSFORMERS = 0.0
CONVENTION_TIMM = 1.0
CONVENTIONS = {"transformers": CONVENTION_TRANSFORMERS, "timm": CONVENTION_TIMM}

# transformers' timescale when there is neither a warmup nor a given timescale.
DEFAULT_TIMESCALE = 10_000


@jit
def inverse_sqrt_kernel(step, peak_value, warmup_steps, timescale, init_value, convention):
    """Linear warmup, then ``peak * sqrt(timescale / (step - W + timescale))``.

    With ``W = warmup_steps`` and ``tau = timescale``, in the operation order
    of the peer that ``convention`` names::

        transformers (0):  init + (peak - init) * (step / W)            step < W
                           peak * (1 / sqrt((step + (tau - W)) / tau))  step >= W
        timm (1):          init + step * ((peak - init) / W)            step < W
                           peak * (1 + (step - W) / tau) ** -0.5        step >= W

    >>> inverse_sqrt_kernel(400.0, 1.0, 100.0, 100.0, 0.0, 0.0)
    0.5
    """
    if step < warmup_steps:
        if convention == CONVENTION_TRANSFORMERS:
            return init_value + (peak_value - init_value) * (step / warmup_steps)
        return init_value + step * ((peak_value - init_value) / warmup_steps)
    if convention == CONVENTION_TRANSFORMERS:
        return peak_value * (1.0 / math.sqrt((step + (timescale - warmup_steps)) / timescale))
    return peak_value * (1.0 + (step - warmup_steps) / timescale) ** -0.5


def inverse_sqrt(
    peak_value, warmup_steps=0, *, timescale=None, init_value=0.0, convention="transformers"
) -> Schedule:
    """Linear warmup to ``peak_value``, then ``peak * sqrt(tau / (t - W + tau))``.

    The warmup is counted in the step (``W = warmup_steps``): the decay
    starts at ``peak_value`` at step ``W`` and halves by ``W + 3 * tau``.
    ``tau = timescale`` defaults to the warmup length (to 10000 without a
    warmup), as transformers 5.x's ``get_inverse_sqrt_schedule`` has it::

        init + (peak - init) * t / W          t < W
        peak / sqrt((t + tau - W) / tau)      t >= W

    ``convention="timm"`` computes timm 1.0's rsqrt (the ``stable_fn='rsqrt'``
    of its WSD scheduler, Big Vision's schedule), ``peak * (1 + (t - W) /
    tau) ** -0.5`` after timm's warmup ``init + t * (peak - init) / W``: the
    same numbers up to rounding, each bitwise its peer's (transformers' with
    ``init_value=0``, its warmup starting from 0).  timm has no default
    timescale without a warmup: give one.

    Parameters
    ----------
    peak_value : float
        The value at the end of the warmup (the optimizer's base lr).
    warmup_steps : int
        Warmup length ``W >= 0``.
    timescale : int, optional
        ``tau >= 1``; defaults to ``W`` (10000 when ``W = 0``, transformers only).
    init_value : float
        The value at step 0 (timm's ``warmup_lr_init``).
    convention : {"transformers", "timm"}
        Whose operation order (and default) to follow.

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.inverse_sqrt(1.0, warmup_steps=100)
    >>> s(50), s(100), s(400)
    (0.5, 1.0, 0.5)
    """
    args = {
        "peak_value": check_value("peak_value", peak_value),
        "warmup_steps": check_count("warmup_steps", warmup_steps, minimum=0),
        "timescale": None if timescale is None else check_count("timescale", timescale),
        "init_value": check_value("init_value", init_value),
        "convention": check_choice("convention", convention, tuple(CONVENTIONS)),
    }
    tau = args["timescale"]
    if tau is None:
        tau = args["warmup_steps"]
        if tau == 0 and args["convention"] == "timm":
            raise ValueError("timescale must be given (an integer in [1, 2**53]) "
                             "for convention='timm' without a warmup")
        tau = tau or DEFAULT_TIMESCALE
    args["timescale"] = tau  # canonical: the schedule's dict and repr state it
    row = [args["peak_value"], float(args["warmup_steps"]), float(tau), args["init_value"],
           CONVENTIONS[args["convention"]]]
    # it never settles: the horizon is where it has halved
    horizon = min(args["warmup_steps"] + 3 * tau, 2**53)
    return FAMILY.schedule(args, horizon, [(CODE, row, 0.0)])


FAMILY = register(
    "inverse_sqrt", inverse_sqrt, inverse_sqrt_kernel, CODE, choices={"convention": CONVENTIONS}
)
