"""Cosine annealing with warm restarts, SGDR: torch's ``CosineAnnealingWarmRestarts``, timm's
``CosineLRScheduler``, keras' ``CosineDecayRestarts``, optax's ``sgdr_schedule``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import (
    check_choice,
    check_count,
    check_real,
    check_value,
    is_integer,
    MAX_STEPS,
)
from .._jit import jit
from ..kernels.cospi import cos_turns
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 9

#: How ``cycle_decay`` acts, with its code in a program row (0, the default, is timm's).
DECAY_MODES = {"peak": 0.0, "amplitude": 1.0}
# Closer to 1, the cycle starts (m**i - 1) / (m - 1) lose their order in float64.
MIN_GROWTH = 2.0**-20


@jit(inline="always")
def _start_and_power(i, decay_steps, period_mult):
    """``(cycle_start(i), a)``: the start formula, and its power ``a = m**(i - 1)`` (1.0 if none).

    The one place the formula is written: the kernel reuses ``a`` for the
    cycle's length, so the start and the length take a single ``pow``.

    >>> _start_and_power(3.0, 10.0, 2.0)
    (70.0, 4.0)
    """
    if period_mult == 1.0:
        return decay_steps * i, 1.0
    if i <= 0.0:
        return 0.0, 1.0
    a = period_mult ** (i - 1.0)
    return (a + (a - 1.0) / (period_mult - 1.0)) * decay_steps, a


@jit(inline="always")
def cycle_start(i, decay_steps, period_mult):
    """The step at which cycle ``i`` starts: ``T0 * (m**i - 1) / (m - 1)`` (``T0 * i`` for m = 1).

    THE formula for cycle boundaries: :func:`cycle_index` compares steps with
    it, so every step lies in exactly one cycle whatever the rounding.  It is
    computed as ``T0 * (a + (a - 1) / (m - 1))`` with ``a = m**(i - 1)``, which
    is exact wherever the start is a float64 and ``a`` is (whole ``T0`` and
    ``m``, every start up to 2**53; ``m = 1.5`` while ``3**(i - 1) < 2**53``):
    ``pow`` is exact when the power is representable, and so are ``a - 1``,
    the division (its result is a whole number for whole ``m``), the sum and
    the product.  The plain ``(m**i - 1) / (m - 1)`` is not, once ``m**i``
    passes 2**53 while the start has not.

    >>> cycle_start(3.0, 10.0, 2.0)  # 10 + 20 + 40
    70.0
    """
    return _start_and_power(i, decay_steps, period_mult)[0]


@jit(inline="always")
def _locate(step, decay_steps, period_mult):
    """``(i, cycle_start(i), a)``: :func:`cycle_index`'s search, with the start and power it found.

    ``a`` is ``m**(i - 1)`` as :func:`_start_and_power` gives it.  Each start
    is computed once (a move up reuses the upper start), so the common case
    (no move) costs two ``pow`` and leaves the kernel none to redo.

    >>> _locate(69.0, 10.0, 2.0), _locate(70.0, 10.0, 2.0)
    ((2.0, 30.0, 2.0), (3.0, 70.0, 4.0))
    """
    if not abs(step) < math.inf:
        i = math.nan
        lo, a = _start_and_power(i, decay_steps, period_mult)
        return i, lo, a
    if period_mult == 1.0:
        i = math.floor(step / decay_steps)
    else:
        i = max(math.floor(math.log1p(step / decay_steps * (period_mult - 1.0))
                           / math.log(period_mult)), 0.0)
    lo, a = _start_and_power(i, decay_steps, period_mult)
    # At most three moves (the estimate is off by one at most, in practice): a
    # bound, since beyond 2**53 a float index may not move at all (i + 1 == i).
    for _ in range(3):
        # (cycle 0 reaches back to -inf when m > 1: no cycle starts before it)
        if (i > 0.0 or period_mult == 1.0) and step < lo:
            i -= 1.0
            lo, a = _start_and_power(i, decay_steps, period_mult)
        else:
            hi, b = _start_and_power(i + 1.0, decay_steps, period_mult)
            if step >= hi:  # (not ``step < hi``: a NaN start stops the search)
                i += 1.0
                lo, a = hi, b
            else:
                break
    return i, lo, a


@jit(inline="always")
def cycle_index(step, decay_steps, period_mult):
    """The cycle ``i`` with ``cycle_start(i) <= step < cycle_start(i + 1)``, in O(1).

    Exact (the exact restart, for whole ``T0`` and ``m``) for every step up
    to 2**53 but one: a restart at 2**53 + 1 rounds to 2**53, so step 2**53
    is already in that cycle.

    A closed-form estimate (``floor(log1p(step (m - 1) / T0) / log m)``,
    ``floor(step / T0)`` for m = 1) corrected against :func:`cycle_start`,
    so the ``log``'s rounding never moves a step across a restart (torch's
    ``step(epoch)`` and timm put a restart at the end of the previous cycle
    where the ``log`` rounds down).  The corrections move the estimate by
    one cycle at most (three moves are allowed).  A step that is not finite
    gives NaN.

    >>> cycle_index(69.0, 10.0, 2.0), cycle_index(70.0, 10.0, 2.0)
    (2.0, 3.0)
    """
    return _locate(step, decay_steps, period_mult)[0]


@jit
def cosine_restarts_kernel(
    step, init_value, decay_steps, end_value, period_mult, cycle_decay=1.0, cycle_limit=0.0,
    warmup_steps=0.0, warmup_init_value=0.0, cycle_decay_mode=0.0, libm_cos=0.0,
):
    """Cosine annealing with warm restarts (SGDR), cycle controls and a warmup in each cycle.

    Cycle ``i`` (:func:`cycle_index`) starts at :func:`cycle_start` and lasts
    ``P = decay_steps * period_mult ** i`` steps; with ``t`` steps since its
    start, ``W = warmup_steps``, ``d = cycle_decay`` and the cycle's peak
    ``v = init * d**i`` (``cycle_decay_mode`` 0, timm's) or ``end + (init -
    end) * d**i`` (1, keras')::

        w0 + (v - w0) * t / W                                  t < W
        end + (v - end) * (1 + cos(pi * (t - W) / (P - W))) / 2      t >= W

    and ``end_value`` from cycle ``cycle_limit`` on (0: no limit).  Zeros in
    the optional columns mean their defaults (``cycle_decay`` 0 is 1), so a
    row written before they existed keeps its values: at the defaults this
    is torch's ``eta_min + (base - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``,
    in its operation order, bitwise torch stepped one epoch at a time (with
    ``libm_cos`` 1).
    The cosine is ``cospi`` (``libm_cos`` 0, core schedules) or libm's in
    torch's order (1), as in ``cosine_kernel``.

    >>> cosine_restarts_kernel(10.0, 1.0, 10.0, 0.0, 2.0)  # a restart
    1.0
    >>> round(cosine_restarts_kernel(20.0, 1.0, 10.0, 0.0, 2.0), 12)  # halfway through 20 steps
    0.5
    """
    # the start and a = m**(i - 1) come from the search: no pow is redone here
    i, start, a = _locate(step, decay_steps, period_mult)
    if cycle_limit > 0.0 and i >= cycle_limit:
        return end_value
    t = step - start
    period = decay_steps
    if period_mult != 1.0 and i > 0.0:
        period = decay_steps * (a * period_mult)
    peak = init_value
    amplitude = init_value - end_value
    if cycle_decay != 1.0 and cycle_decay != 0.0:
        g = cycle_decay**i
        if cycle_decay_mode == 0.0:
            peak = init_value * g
            amplitude = peak - end_value
        else:
            amplitude = amplitude * g
            peak = end_value + amplitude
    if warmup_steps > 0.0:
        if t < warmup_steps:
            return warmup_init_value + (peak - warmup_init_value) * (t / warmup_steps)
        t -= warmup_steps
        period -= warmup_steps
    return end_value + amplitude * (1.0 + cos_turns(t, period, libm_cos)) / 2.0


def _check_length(name, value, low):
    """A whole number of steps as an int, or a real one (a float) in ``[low, 2**53]``."""
    if is_integer(value):
        return check_count(name, value, minimum=low)
    return check_real(name, value, low, MAX_STEPS)


def cosine_restarts(
    init_value, decay_steps, *, end_value=None, alpha=None, period_mult=1, cycle_decay=1.0,
    cycle_limit=None, warmup_steps=0, warmup_init_value=0.0, cycle_decay_mode="peak",
) -> Schedule:
    """Cosine annealing with warm restarts, SGDR, with the peers' cycle controls.

    Cycle ``i`` starts at ``S_i = T0 * (m**i - 1) / (m - 1)`` (``T0 * i`` for
    ``m = 1``) and lasts ``P_i = T0 * m**i`` steps, ``T0 = decay_steps``,
    ``m = period_mult``.  With ``t`` steps since its start, the peak
    ``v_i = init_value * cycle_decay**i`` and ``W = warmup_steps``::

        warmup_init_value + (v_i - warmup_init_value) * t / W          t < W
        end_value + (v_i - end_value) * (1 + cos(pi * (t - W) / (P_i - W))) / 2

    until ``cycle_limit`` cycles have run; from then on ``end_value`` is held
    (timm's ``lr_min``, transformers' 0, the end of optax's last cycle).  The
    cycle of a step is found in O(1) and exactly at every restart (a closed
    form corrected against ``S_i``; see :func:`cycle_index`).

    Parameters
    ----------
    init_value : float
        The value at the first restart, the peak of cycle 0.
    decay_steps : int or float
        ``T0``, the first cycle's length, warmup included: ``>= 1``, whole
        or real (transformers' cycles are ``(total - warmup) / num_cycles``).
    end_value : float, optional
        The minimum, absolute (default 0).
    alpha : float, optional
        ``end_value`` as a ratio of ``init_value`` (keras, optax); not both.
    period_mult : int or float
        ``m >= 1``, the growth of the cycle length at each restart; real
        values too (1, or at least ``1 + 2**-20``).
    cycle_decay : float
        ``d`` in ``(0, 1]``: cycle ``i`` peaks at ``init_value * d**i``.
    cycle_limit : int, optional
        Number of cycles, after which ``end_value`` is held (default: no limit).
    warmup_steps : int
        ``W < decay_steps``: a linear rise at the start of *every* cycle
        (optax's ``sgdr_schedule``).  For a warmup before the first cycle
        only (timm's ``warmup_t``), wrap the schedule: ``lrjit.warmup_then``.
    warmup_init_value : float
        Where each cycle's warmup starts.
    cycle_decay_mode : {"peak", "amplitude"}
        ``"peak"`` (timm): the peak decays, ``v_i = init * d**i``, the floor
        stays at ``end_value``.  ``"amplitude"`` (keras): the height above the
        floor decays, ``v_i = end + (init - end) * d**i``.  The same when
        ``end_value`` is 0.

    Peers' spellings
    ----------------
    torch 2.13 ``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)``:
    ``cosine_restarts(base_lr, T_0, period_mult=T_mult, end_value=eta_min)``,
    bitwise torch stepped one epoch at a time (torch's ``step(epoch)`` finds
    the cycle with a ``log`` that can round a restart into the previous
    cycle; :class:`lrjit.optim.lr_scheduler.CosineAnnealingWarmRestarts`
    keeps that quirk).

    timm 1.0 ``CosineLRScheduler(t_initial, lr_min, cycle_mul, cycle_decay,
    cycle_limit=1, warmup_t, warmup_lr_init, warmup_prefix)``:
    ``cosine_restarts(base_lr, t_initial, end_value=lr_min,
    period_mult=cycle_mul, cycle_decay=cycle_decay, cycle_limit=cycle_limit)``
    (timm's default ``cycle_limit`` is 1), then for a warmup
    ``lrjit.warmup_then(s, warmup_t, init_value=warmup_lr_init,
    prefix=warmup_prefix)``, whose ramp is timm's ``warmup_lr_init + t * inc``
    and which overlays the first ``warmup_t`` steps (``warmup_prefix=False``)
    or delays the cycles by them (``True``), as timm does.  timm's
    ``k_decay`` has no spelling here.  Within 1e-12 of timm (its cosine is
    ``lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(...))``; and its ``log``
    can put a restart at the end of the previous cycle, where lrjit restarts).

    keras 3 ``CosineDecayRestarts(initial_learning_rate, first_decay_steps,
    t_mul=2.0, m_mul=1.0, alpha=0.0)``: ``cosine_restarts(initial_learning_rate,
    first_decay_steps, period_mult=t_mul, cycle_decay=m_mul, alpha=alpha,
    cycle_decay_mode="amplitude")``, within 1e-12 (note keras' ``t_mul``
    defaults to 2, lrjit's ``period_mult`` to 1).

    optax 0.2.8 ``sgdr_schedule([dict(init_value=w0, peak_value=v,
    warmup_steps=W, decay_steps=T, end_value=e)] * k)``:
    ``cosine_restarts(v, T, warmup_steps=W, warmup_init_value=w0,
    end_value=e, cycle_limit=k)``, within 1e-12; cycles whose lengths grow
    by ``m`` and peaks decay by ``d`` are ``period_mult=m``,
    ``cycle_decay=d``.

    transformers 5.x ``get_cosine_with_hard_restarts_schedule_with_warmup(
    num_warmup_steps=W, num_training_steps=N, num_cycles=k)``: a multiplier
    of the base lr, ``lrjit.warmup_then(cosine_restarts(1.0, (N - W) / k,
    cycle_limit=k), W, prefix=True)``, within 1e-12.

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.cosine_restarts(1.0, decay_steps=10, period_mult=2)
    >>> s(0), s(10), s(30), round(s(20), 12)
    (1.0, 1.0, 1.0, 0.5)
    >>> s = lrjit.cosine_restarts(1.0, 10, period_mult=1.5, cycle_decay=0.5, cycle_limit=2)
    >>> s(10), s(25), s.horizon  # the second cycle: 15 steps, peak 0.5, then held
    (0.5, 0.0, 25)
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "decay_steps": _check_length("decay_steps", decay_steps, 1),
    }
    if end_value is not None and alpha is not None:
        raise ValueError("give end_value (absolute) or alpha (a ratio of init_value), not both")
    if alpha is not None:
        end = check_real("alpha", alpha, 0.0, 1.0) * args["init_value"]
    else:
        end = 0.0 if end_value is None else check_value("end_value", end_value)
    args["end_value"] = end
    m = _check_length("period_mult", period_mult, 1)
    if 1.0 < m < 1.0 + MIN_GROWTH:
        raise ValueError(f"period_mult must be 1 or in [1 + 2**-20, 2**53], got {period_mult!r}")
    args["period_mult"] = m
    decay = check_real("cycle_decay", cycle_decay, 0.0, 1.0, low_open=True)
    limit = None if cycle_limit is None else check_count("cycle_limit", cycle_limit)
    w = check_count("warmup_steps", warmup_steps, minimum=0)
    if w >= args["decay_steps"]:
        raise ValueError(
            f"warmup_steps is counted inside each cycle and must be < decay_steps="
            f"{args['decay_steps']}, got {w}"
        )
    w0 = check_value("warmup_init_value", warmup_init_value)
    mode = check_choice("cycle_decay_mode", cycle_decay_mode, tuple(DECAY_MODES))
    # optional parameters are stored only away from their defaults (old schedules keep
    # their repr and equality)
    if decay != 1.0:
        args["cycle_decay"] = decay
    if limit is not None:
        args["cycle_limit"] = limit
    if w:
        args["warmup_steps"] = w
    if w and w0:  # (no warmup: nothing starts at w0)
        args["warmup_init_value"] = w0
    if mode != "peak":
        args["cycle_decay_mode"] = mode
    horizon = args["decay_steps"]
    if limit is not None:
        try:  # where the last cycle ends, by the kernel's formula
            horizon = _start_and_power.py_func(
                float(limit), float(args["decay_steps"]), float(m))[0]
        except OverflowError:  # Python's pow: beyond float64, so beyond 2**53 steps
            horizon = math.inf
    return FAMILY.schedule(args, math.ceil(min(horizon, MAX_STEPS)))


FAMILY = register(
    "cosine_restarts", cosine_restarts, cosine_restarts_kernel, CODE,
    choices={"cycle_decay_mode": DECAY_MODES},
)
