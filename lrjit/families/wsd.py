"""Warmup-stable-decay (transformers' ``get_wsd_schedule``, timm's ``WSDLRScheduler``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import check_choice, check_count, check_end_value, check_real, check_value
from .._jit import jit
from ..kernels.cospi import cos_turns
from ..kernels.power import power
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 11

# Warmup codes; 3 is timm's linear warmup, in its operation order.
WARMUP_SHAPES = {"linear": 0, "cosine": 1, "1-sqrt": 2}
WARMUP_TIMM = 3
DECAY_SHAPES = ("linear", "cosine", "1-sqrt", "power", "exponential")
STABLE_SHAPES = ("constant", "rsqrt")
CONVENTIONS = ("transformers", "timm")
# the rsqrt timescale is packed with the warmup code: 4 * tau + warmup stays exact
MAX_TIMESCALE = 2**50


@jit
def wsd_kernel(
    step, peak_value, warmup_steps, stable_steps, decay_steps, init_value, end_value,
    decay_shape, stable_shape, libm_cos=0.0,
):
    """Warmup over ``W`` steps, stable over ``S``, decay over ``D`` to ``end_value``, then held.

    Two columns carry the shapes as codes.  ``decay_shape``: ``0`` cosine,
    ``q > 0`` the power ``1 - p ** q`` (:func:`lrjit.kernels.power.power`:
    ``q = 1`` linear, ``q = 0.5`` ``1 - sqrt(p)``, ``q = 2`` a square), ``-r``
    timm's exponential ``(r ** p - r) / (1 - r)``.
    ``stable_shape``: ``4 * tau + w`` with ``tau`` the rsqrt timescale (0: a
    constant stable phase) and ``w`` the warmup (0 linear, 1 cosine, 2 1-sqrt,
    rising from ``init_value`` as transformers computes them; 3 linear in
    timm's order ``init + t * ((peak - init) / W)``).  With ``f`` the decay
    shape::

        v = max(peak * (1 + (t - W) / tau) ** -0.5, end)    (v = max(peak, end) without rsqrt)
        v                                                 W <= t <= W + S
        end + (v - end) * f(min((t - W - S) / D, 1))        after

    The cosine shapes use ``cospi`` (``libm_cos`` 0, core schedules) or libm's
    ``math.cos(math.pi * p)`` (1), as in ``cosine_kernel``.

    >>> wsd_kernel(130.0, 1.0, 10.0, 100.0, 40.0, 0.0, 0.0, 1.0, 0.0)  # halfway down, linear
    0.5
    """
    code = int(stable_shape)
    warmup = code % 4
    if step < warmup_steps:
        if warmup == WARMUP_TIMM:
            return init_value + step * ((peak_value - init_value) / warmup_steps)
        p = step / warmup_steps
        if warmup == 0:
            f = p
        elif warmup == 1:
            f = 0.5 * (1.0 - cos_turns(p, 1.0, libm_cos))
        else:
            f = 1.0 - math.sqrt(1.0 - p)
        return init_value + (peak_value - init_value) * f
    t_s = step - warmup_steps
    stable = peak_value
    tau = float(code // 4)
    if tau > 0.0:
        stable = peak_value * (1.0 + t_s / tau) ** -0.5
    stable = max(stable, end_value)
    t_decay = t_s - stable_steps
    if t_decay <= 0.0:
        return stable
    p = min(t_decay / decay_steps, 1.0)
    q = decay_shape
    if q == 0.0:
        f = 0.5 * (1.0 + cos_turns(p, 1.0, libm_cos))
    elif q > 0.0:
        f = 1.0 - power(p, q, 0.0)
    else:
        f = (math.pow(-q, p) + q) / (1.0 + q)
    return end_value + (stable - end_value) * f


def wsd(
    peak_value, total_steps=None, *, warmup_steps=0, decay_steps=None, decay_fraction=None,
    stable_steps=None, init_value=None, end_value=None, min_lr_rate=None, alpha=None,
    warmup_shape="linear",
    decay_shape=None, decay_power=0.5, decay_ratio=0.1, stable_shape="constant", timescale=None,
    convention="transformers",
) -> Schedule:
    """Warmup-stable-decay: rise to ``peak_value``, hold it, decay to the end value, hold that.

    Phases of ``W = warmup_steps``, ``S`` and ``D`` steps.  ``total_steps``
    is the whole length, warmup included (``S = total - W - D``;
    transformers' ``num_training_steps``; timm's ``t_initial`` is
    ``total_steps - warmup_steps``), or give ``stable_steps``.  ``D`` is
    ``decay_steps`` or ``ceil(decay_fraction * total_steps)``.  The end value
    is ``end_value`` (absolute) or ``min_lr_rate * peak_value``
    (transformers' ``min_lr_ratio``; ``alpha``, optax's name for the ratio,
    is accepted too), at most one of them; 0 by default.  With ``f``
    the warmup's rising shape and ``g`` the decay's falling one, ``p`` each
    phase's progress::

        init + (peak - init) * f(t / W)                t < W
        v = max(peak * stable(t - W), end)            W <= t <= W + S
        end + (v - end) * g(min((t - W - S) / D, 1))     after

    Shapes: warmup ``linear``, ``cosine`` (``(1 - cos(pi p)) / 2``),
    ``1-sqrt`` (``1 - sqrt(1 - p)``); stable ``constant`` or ``rsqrt``
    (``(1 + (t - W) / timescale) ** -0.5``, timescale defaulting to ``W``,
    at most 2**50); decay ``linear``, ``cosine``, ``1-sqrt``, ``power``
    (``1 - p ** decay_power``), ``exponential`` (``(r ** p - r) / (1 - r)``,
    ``r = decay_ratio``).

    ``convention="transformers"`` (default): transformers 5.x's
    ``get_wsd_schedule`` times ``peak_value`` -- the warmup rises from the
    end value (``init_value`` defaults to it), the decay defaults to cosine.
    Bitwise transformers' values with a zero end value; its ``peak * (f * (1
    - m) + m)`` otherwise differs in the last bits (lrjit keeps the end value
    absolute).  ``convention="timm"``: timm 1.0's ``WSDLRScheduler``, bitwise
    -- a linear warmup in its operation order from ``init_value`` (default
    0), the decay defaulting to ``1-sqrt``.

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.wsd(1.0, 200, warmup_steps=10, decay_steps=40, decay_shape="linear")
    >>> s(5), s(100), s(180), s(300)
    (0.5, 1.0, 0.5, 0.0)
    """
    conv = check_choice("convention", convention, CONVENTIONS)
    timm = conv == "timm"
    a = {
        "peak_value": check_value("peak_value", peak_value),
        "total_steps": None if total_steps is None else check_count("total_steps", total_steps),
        "warmup_steps": check_count("warmup_steps", warmup_steps, minimum=0),
        "decay_steps": None if decay_steps is None else check_count("decay_steps", decay_steps),
        "decay_fraction": None if decay_fraction is None else check_real(
            "decay_fraction", decay_fraction, 0.0, 1.0, low_open=True),
        "stable_steps": None if stable_steps is None else check_count(
            "stable_steps", stable_steps, minimum=0),
        "init_value": None if init_value is None else check_value("init_value", init_value),
        "warmup_shape": check_choice("warmup_shape", warmup_shape, tuple(WARMUP_SHAPES)),
        "decay_shape": check_choice(
            "decay_shape", ("1-sqrt" if timm else "cosine") if decay_shape is None
            else decay_shape, DECAY_SHAPES),
        "decay_power": check_real("decay_power", decay_power, 0.0, 1e6, low_open=True),
        "decay_ratio": check_real("decay_ratio", decay_ratio, 0.0, 1.0, low_open=True,
                                  high_open=True),
        "stable_shape": check_choice("stable_shape", stable_shape, STABLE_SHAPES),
        "timescale": None if timescale is None else check_count(
            "timescale", timescale, minimum=1),
        "convention": conv,
    }
    end = check_end_value(end_value, a["peak_value"], "peak_value", alpha=alpha,
                          min_lr_rate=min_lr_rate)
    if (a["decay_steps"] is None) == (a["decay_fraction"] is None):
        raise ValueError("give exactly one of decay_steps and decay_fraction")
    if a["total_steps"] is None and a["stable_steps"] is None:
        raise ValueError("give total_steps or stable_steps (or both, if they agree)")
    w = a["warmup_steps"]
    if a["decay_fraction"] is not None:
        if a["total_steps"] is None:
            raise ValueError("decay_fraction is a fraction of total_steps: give total_steps")
        d = max(1, math.ceil(a["decay_fraction"] * a["total_steps"]))
    else:
        d = a["decay_steps"]
    if a["total_steps"] is not None:
        s = a["total_steps"] - w - d
        if s < 0:
            raise ValueError(f"total_steps counts the warmup and the decay and must be >= "
                             f"warmup_steps + decay steps = {w + d}, got {a['total_steps']}")
        if a["stable_steps"] is not None and a["stable_steps"] != s:
            raise ValueError(f"stable_steps={a['stable_steps']} disagrees with total_steps - "
                             f"warmup_steps - decay steps = {s}; give one of them")
    else:
        s = a["stable_steps"]
        if w + s + d > 2**53:
            raise ValueError(f"warmup_steps + stable_steps + decay steps must be <= 2**53, "
                             f"got {w + s + d}")
    init = a["init_value"] if a["init_value"] is not None else (0.0 if timm else end)
    if timm and a["warmup_shape"] != "linear":
        raise ValueError(f"warmup_shape must be 'linear' with convention='timm' (timm's warmup), "
                         f"got {a['warmup_shape']!r}")
    tau = 0
    if a["stable_shape"] == "rsqrt":
        tau = a["timescale"] or w
        if not 1 <= tau <= MAX_TIMESCALE:
            raise ValueError(f"timescale must be an integer in [1, 2**50] with "
                             f"stable_shape='rsqrt' (it defaults to warmup_steps), got {tau}")
    shape = a["decay_shape"]
    decay_code = {"linear": 1.0, "cosine": 0.0, "1-sqrt": 0.5, "power": a["decay_power"],
                  "exponential": -a["decay_ratio"]}[shape]
    warm_code = WARMUP_TIMM if timm else WARMUP_SHAPES[a["warmup_shape"]]
    row = [a["peak_value"], float(w), float(s), float(d), init, end, decay_code,
           float(4 * tau + warm_code)]
    # canonical arguments (phases resolved, nothing unused): what to_dict and repr give
    # total_steps beside stable_steps (they agree): a progress schedule
    # (lrjit.lr_schedule) rebuilds the family over its run's length through that key.
    args = {"peak_value": a["peak_value"], "total_steps": w + s + d, "warmup_steps": w,
            "stable_steps": s, "decay_steps": d, "init_value": init}
    args["end_value"] = end  # absolute, whichever way it was given
    if not timm:
        args["warmup_shape"] = a["warmup_shape"]
    args["decay_shape"] = shape
    if shape == "power":
        args["decay_power"] = a["decay_power"]
    elif shape == "exponential":
        args["decay_ratio"] = a["decay_ratio"]
    args["stable_shape"] = a["stable_shape"]
    if tau:
        args["timescale"] = tau
    args["convention"] = conv
    return FAMILY.schedule(args, w + s + d, [(CODE, row, 0.0)])


FAMILY = register("wsd", wsd, wsd_kernel, CODE)
