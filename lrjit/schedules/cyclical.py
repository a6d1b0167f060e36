"""Tier 3 factories of the cyclical families: one-cycle, cyclic, cosine with warm restarts.

Each is torch's scheduler of the same shape as a closed-form
:class:`Schedule` (``OneCycleLR``, ``CyclicLR``, ``CosineAnnealingWarmRestarts``),
bitwise equal to torch's values for the same configuration; string options
become float codes in the program row (see :mod:`lrjit.kernels.cyclical`).
"""

from ..kernels import cyclical as codes
from ..kernels import dispatch
from .._checks import MAX_VALUE, check_choice, check_count, check_flag, check_real, check_value
from ._core import Schedule, register

__all__ = ["one_cycle", "cyclic", "cosine_restarts"]

_ANNEAL = {"cos": codes.ANNEAL_COS, "linear": codes.ANNEAL_LINEAR}
_MODES = {
    "triangular": (codes.SCALE_TRIANGULAR, "cycle"),
    "triangular2": (codes.SCALE_TRIANGULAR2, "cycle"),
    "exp_range": (codes.SCALE_EXP_RANGE, "iterations"),
}
_SCALE_BY = {"cycle": codes.SCALE_BY_CYCLE, "iterations": codes.SCALE_BY_ITERATION}


@register
def one_cycle(
    peak_value,
    total_steps,
    pct_start=0.3,
    anneal_strategy="cos",
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
):
    """The 1cycle policy (torch's ``OneCycleLR``): up to ``peak_value``, then far below the start.

    With ``T = total_steps``, ``init = peak_value / div_factor`` and
    ``low = init / final_div_factor``, the phases end at steps
    ``e1 = pct_start * T - 1`` and ``T - 1`` (three-phase: ``e1``,
    ``e2 = 2 * pct_start * T - 2``, ``T - 1``)::

        anneal(init, peak_value, t / e1)                    t <= e1
        anneal(peak_value, low, (t - e1) / (T - 1 - e1))    e1 < t      (two phases)
        anneal(peak_value, init, (t - e1) / (e2 - e1))      e1 < t <= e2 (three phases)
        anneal(init, low, (t - e2) / (T - 1 - e2))          e2 < t      (three phases)

    held at the value of step ``T - 1`` afterwards, where ``anneal`` is
    ``end + (start - end) / 2 * (cos(pi * pct) + 1)`` (``anneal_strategy="cos"``)
    or ``(end - start) * pct + start`` (``"linear"``).  Bitwise equal to
    torch's ``OneCycleLR`` learning rates for steps ``0 .. T - 1``.

    Parameters
    ----------
    peak_value : float
        The maximum learning rate (torch's ``max_lr``).
    total_steps : int
        Length of the cycle, ``>= 1``.
    pct_start : float
        Fraction of the cycle spent rising, in ``[0, 1]``;
        ``pct_start * total_steps`` must not be 1 (an empty rise).
    anneal_strategy : {"cos", "linear"}
    div_factor, final_div_factor : float
        ``> 0``; ``init`` and ``low`` must stay within ``[0, 1e300]``.
    three_phase : bool

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.one_cycle(1.0, total_steps=100)
    >>> s(29), s(99), s(500)
    (1.0, 4e-06, 4e-06)
    """
    args = {
        "peak_value": check_value("peak_value", peak_value),
        "total_steps": check_count("total_steps", total_steps),
        "pct_start": check_real("pct_start", pct_start, 0.0, 1.0),
        "anneal_strategy": check_choice("anneal_strategy", anneal_strategy, tuple(_ANNEAL)),
        "div_factor": check_real("div_factor", div_factor, 0.0, MAX_VALUE, low_open=True),
        "final_div_factor": check_real(
            "final_div_factor", final_div_factor, 0.0, MAX_VALUE, low_open=True
        ),
        "three_phase": check_flag("three_phase", three_phase),
    }
    init = args["peak_value"] / args["div_factor"]
    if not init <= MAX_VALUE:
        raise ValueError(
            f"peak_value / div_factor = {init!r} must be <= 1e300; raise div_factor="
            f"{args['div_factor']!r}"
        )
    if not init / args["final_div_factor"] <= MAX_VALUE:
        raise ValueError(
            f"peak_value / div_factor / final_div_factor must be <= 1e300; raise "
            f"final_div_factor={args['final_div_factor']!r}"
        )
    if args["pct_start"] * args["total_steps"] - 1.0 == 0.0:
        raise ValueError(
            f"pct_start * total_steps must not be 1 (the rise would last zero steps), got "
            f"pct_start={args['pct_start']!r}, total_steps={args['total_steps']}"
        )
    row = [
        args["peak_value"],
        args["total_steps"],
        args["pct_start"],
        _ANNEAL[args["anneal_strategy"]],
        args["div_factor"],
        args["final_div_factor"],
        1.0 if args["three_phase"] else 0.0,
    ]
    return Schedule("one_cycle", args, [(dispatch.ONE_CYCLE, row, 0.0)], args["total_steps"] - 1)


@register
def cyclic(
    init_value, peak_value, up_steps, down_steps, mode="triangular", gamma=1.0, scale_mode="auto"
):
    """Triangular cycles between ``init_value`` and ``peak_value`` (torch's ``CyclicLR``).

    A cycle rises for ``up_steps`` and falls for ``down_steps``.  With
    ``C = up_steps + down_steps``, ``cycle = floor(1 + t / C)`` and
    ``x = 1 + t / C - cycle``, the fraction of the way up is ``f = x / r`` for
    ``x <= r = up_steps / C``, else ``(x - 1) / (r - 1)``, and the value is::

        init_value + (peak_value - init_value) * f * scale

    with ``scale`` ``1`` (``mode="triangular"``), ``1 / 2 ** (n - 1)``
    (``"triangular2"``) or ``gamma ** n`` (``"exp_range"``), where ``n`` is
    the cycle (``scale_mode="cycle"``) or the step (``"iterations"``);
    ``"auto"`` picks torch's choice for the mode: the cycle for the
    triangular modes, the step for ``exp_range``.  Bitwise
    equal to torch's ``CyclicLR`` learning rates.

    Parameters
    ----------
    init_value, peak_value : float
        torch's ``base_lr`` and ``max_lr``.
    up_steps : int
        ``>= 1``.
    down_steps : int
        ``>= 0`` (torch's ``step_size_down``; torch's default is ``up_steps``).
    mode : {"triangular", "triangular2", "exp_range"}
    gamma : float
        ``exp_range``'s factor, in ``(0, 1]``.
    scale_mode : {"auto", "cycle", "iterations"}
        Stored resolved (``"auto"`` becomes ``"cycle"`` or ``"iterations"``).

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.cyclic(0.0, 1.0, up_steps=2, down_steps=2, mode="triangular2")
    >>> [s(t) for t in range(9)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.25, 0.5, 0.25, 0.0]
    """
    mode = check_choice("mode", mode, tuple(_MODES))
    scale_mode = check_choice("scale_mode", scale_mode, ("auto", *_SCALE_BY))
    args = {
        "init_value": check_value("init_value", init_value),
        "peak_value": check_value("peak_value", peak_value),
        "up_steps": check_count("up_steps", up_steps),
        "down_steps": check_count("down_steps", down_steps, minimum=0),
        "mode": mode,
        "gamma": check_real("gamma", gamma, 0.0, 1.0, low_open=True),
        "scale_mode": _MODES[mode][1] if scale_mode == "auto" else scale_mode,
    }
    row = [
        args["init_value"],
        args["peak_value"],
        args["up_steps"],
        args["down_steps"],
        _MODES[args["mode"]][0],
        args["gamma"],
        _SCALE_BY[args["scale_mode"]],
    ]
    horizon = args["up_steps"] + args["down_steps"]
    return Schedule("cyclic", args, [(dispatch.CYCLIC, row, 0.0)], horizon)


@register
def cosine_restarts(init_value, decay_steps, end_value=0.0, period_mult=1):
    """Cosine annealing with warm restarts, SGDR (torch's ``CosineAnnealingWarmRestarts``).

    Period ``i`` lasts ``T_i = decay_steps * period_mult ** i`` steps and
    restarts at ``init_value``; ``t`` steps into it the value is::

        end_value + (init_value - end_value) * (1 + cos(pi * t / T_i)) / 2

    The period is found exactly, for whole and fractional steps: bitwise
    torch's values when it is stepped one epoch at a time (torch's
    ``step(epoch)`` finds the period with a ``log`` that can round a restart
    into the previous period).

    Parameters
    ----------
    init_value : float
        Value at each restart (torch's base learning rate).
    decay_steps : int
        First period, ``>= 1`` (torch's ``T_0``).
    end_value : float
        The minimum (torch's ``eta_min``).
    period_mult : int
        Growth of the period at each restart, ``>= 1`` (torch's ``T_mult``).

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.cosine_restarts(1.0, decay_steps=10, period_mult=2)
    >>> s(0), s(10), s(30), round(s(20), 12)
    (1.0, 1.0, 1.0, 0.5)
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "decay_steps": check_count("decay_steps", decay_steps),
        "end_value": check_value("end_value", end_value),
        "period_mult": check_count("period_mult", period_mult),
    }
    return Schedule.single("cosine_restarts", dispatch.COSINE_RESTARTS, args, args["decay_steps"])
