"""Tier 1: cyclical schedules, in torch 2.13's operation order.

One-cycle (torch's ``OneCycleLR``), cyclic (``CyclicLR``) and cosine annealing
with warm restarts (``CosineAnnealingWarmRestarts``, SGDR).  Like every
tier-1 kernel they take a float64 step and positional float parameters,
use ``math`` only and never raise.  String options of the factories become
float codes (the constants below), so a whole configuration fits one row of
a schedule program.

Each formula copies torch's expression term by term: for Python-float
learning rates the values are bitwise equal to torch's ``get_lr()``.
"""

import math

from .._jit import jit

__all__ = [
    "ANNEAL_COS",
    "ANNEAL_LINEAR",
    "SCALE_TRIANGULAR",
    "SCALE_TRIANGULAR2",
    "SCALE_EXP_RANGE",
    "SCALE_BY_CYCLE",
    "SCALE_BY_ITERATION",
    "anneal",
    "one_cycle_phases",
    "one_cycle",
    "cyclic_position",
    "cyclic_scale",
    "cyclic",
    "cosine_restarts",
]

# anneal_strategy codes
ANNEAL_COS = 0.0
ANNEAL_LINEAR = 1.0
# cyclic mode (scale function) codes
SCALE_TRIANGULAR = 0.0
SCALE_TRIANGULAR2 = 1.0
SCALE_EXP_RANGE = 2.0
# what the cyclic scale function is applied to
SCALE_BY_CYCLE = 0.0
SCALE_BY_ITERATION = 1.0


@jit
def anneal(start, end, pct, strategy):
    """From ``start`` (``pct = 0``) to ``end`` (``pct = 1``), torch's one-cycle annealing.

    ``end + (start - end) / 2 * (cos(pi * pct) + 1)`` for :data:`ANNEAL_COS`,
    ``(end - start) * pct + start`` for :data:`ANNEAL_LINEAR`.

    >>> anneal(1.0, 0.0, 0.5, ANNEAL_LINEAR)
    0.5
    """
    if strategy == ANNEAL_LINEAR:
        return (end - start) * pct + start
    cos_out = math.cos(math.pi * pct) + 1.0
    return end + (start - end) / 2.0 * cos_out


@jit
def one_cycle_phases(step, end1, end2, last, strategy, v0, v1, v2, v3):
    """torch's one-cycle phases through the values ``v0 -> v1 -> v2 -> v3``.

    The phases end at steps ``end1 <= end2`` and ``last``: phase 1 runs from
    0 to ``end1``, phase 2 from ``end1`` to ``end2``, phase 3 from ``end2``
    on (every later step: torch extrapolates past ``last``).  Within a phase
    from ``s`` to ``e``, ``pct = (step - s) / (e - s)`` and the value is
    :func:`anneal` between the phase's two values.

    torch's ``OneCycleLR`` has ``end1 = pct_start * T - 1``, ``last = T - 1``
    and, with three phases, ``end2 = 2 * pct_start * T - 2``; two phases are
    ``end2 = end1, v2 = v1`` (an empty middle phase).  Its learning rate goes
    ``(initial, max, initial, min)``, its momentum ``(max, base, max, max)``.
    A step that lands in a phase of zero length gives NaN or inf (torch raises
    ``ZeroDivisionError``); the factories refuse such configurations.

    >>> one_cycle_phases(5.0, 4.0, 4.0, 9.0, ANNEAL_LINEAR, 0.1, 1.0, 1.0, 0.0)
    0.8
    """
    if step <= end1:
        return anneal(v0, v1, step / end1, strategy)
    if step <= end2:
        return anneal(v1, v2, (step - end1) / (end2 - end1), strategy)
    return anneal(v2, v3, (step - end2) / (last - end2), strategy)


@jit
def one_cycle(
    step,
    peak_value,
    total_steps,
    pct_start,
    anneal_strategy,
    div_factor,
    final_div_factor,
    three_phase,
):
    """The 1cycle policy (torch's ``OneCycleLR``), held at its last value after ``total_steps - 1``.

    ``init = peak_value / div_factor`` and ``low = init / final_div_factor``.
    With ``T = total_steps`` and ``p = pct_start``, the value anneals from
    ``init`` to ``peak_value`` over steps ``[0, p*T - 1]``, then to ``low`` by
    step ``T - 1``; with ``three_phase`` (not 0) it goes back to ``init`` by
    step ``2*p*T - 2`` first, then to ``low``.  See :func:`one_cycle_phases`.

    >>> one_cycle(29.0, 1.0, 100.0, 0.3, ANNEAL_COS, 25.0, 1e4, 0.0)
    1.0
    >>> one_cycle(99.0, 1.0, 100.0, 0.3, ANNEAL_COS, 25.0, 1e4, 0.0)
    4e-06
    """
    init = peak_value / div_factor
    low = init / final_div_factor
    end1 = pct_start * total_steps - 1.0
    if three_phase == 0.0:
        end2 = end1
        mid = peak_value
    else:
        end2 = 2.0 * pct_start * total_steps - 2.0
        mid = init
    t = min(step, total_steps - 1.0)
    return one_cycle_phases(
        t, end1, end2, total_steps - 1.0, anneal_strategy, init, peak_value, mid, low
    )


@jit
def cyclic_position(step, total_size, step_ratio):
    """``(cycle, fraction)``: torch's CyclicLR position within a triangle.

    ``cycle = floor(1 + t / total_size)`` counts from 1; ``x = 1 + t /
    total_size - cycle`` is the position within it, and the fraction of the
    way up is ``x / step_ratio`` while rising, ``(x - 1) / (step_ratio - 1)``
    while falling.

    >>> cyclic_position(3.0, 4.0, 0.5)
    (1.0, 0.5)
    """
    q = step / total_size
    cycle = math.floor(1.0 + q)
    x = 1.0 + q - cycle
    if x <= step_ratio:
        return float(cycle), x / step_ratio
    # LLVM may evaluate both branches; with no fall (step_ratio == 1) this one is
    # never taken, and a dummy denominator keeps a NumPy ufunc from warning.
    fall = step_ratio - 1.0 if step_ratio != 1.0 else -1.0
    return float(cycle), (x - 1.0) / fall


@jit
def cyclic_scale(x, mode, gamma):
    """torch's CyclicLR scale functions: 1, ``1 / 2 ** (x - 1)`` or ``gamma ** x``.

    >>> cyclic_scale(3.0, SCALE_TRIANGULAR2, 1.0)
    0.25
    """
    if mode == SCALE_TRIANGULAR2:
        return 1.0 / (2.0 ** (x - 1.0))
    if mode == SCALE_EXP_RANGE:
        return gamma**x
    return 1.0


@jit
def cyclic(step, init_value, peak_value, up_steps, down_steps, mode, gamma, scale_mode):
    """torch's CyclicLR: triangles from ``init_value`` up to ``peak_value`` and back.

    With ``total = up_steps + down_steps``, ``(cycle, f) =
    cyclic_position(step, total, up_steps / total)`` and ``x = cycle``
    (``scale_mode`` :data:`SCALE_BY_CYCLE`) or ``x = step``
    (:data:`SCALE_BY_ITERATION`)::

        init_value + (peak_value - init_value) * f * cyclic_scale(x, mode, gamma)

    >>> cyclic(3.0, 0.0, 1.0, 2.0, 2.0, SCALE_TRIANGULAR, 1.0, SCALE_BY_CYCLE)
    0.5
    >>> cyclic(5.0, 0.0, 1.0, 2.0, 2.0, SCALE_TRIANGULAR2, 1.0, SCALE_BY_CYCLE)
    0.25
    """
    total_size = up_steps + down_steps
    cycle, fraction = cyclic_position(step, total_size, up_steps / total_size)
    x = cycle if scale_mode == SCALE_BY_CYCLE else step
    base_height = (peak_value - init_value) * fraction
    return init_value + base_height * cyclic_scale(x, mode, gamma)


@jit
def cosine_restarts(step, init_value, decay_steps, end_value, period_mult):
    """Cosine annealing with warm restarts (SGDR, torch's CosineAnnealingWarmRestarts).

    Period ``i`` lasts ``T_i = decay_steps * period_mult ** i`` steps; within
    it, with ``t`` steps since its start::

        end_value + (init_value - end_value) * (1 + cos(pi * t / T_i)) / 2

    The period is found exactly (integer arithmetic in float64), for whole
    and fractional steps: this is torch's value when it is stepped one by
    one, not its ``step(epoch)`` closed form, whose ``log`` can round a
    restart into the previous period.

    >>> cosine_restarts(10.0, 1.0, 10.0, 0.0, 2.0)  # a restart
    1.0
    >>> round(cosine_restarts(20.0, 1.0, 10.0, 0.0, 2.0), 12)  # halfway through 20 steps
    0.5
    """
    if period_mult == 1.0:
        t = step % decay_steps
        period = decay_steps
    else:
        start = 0.0
        period = decay_steps
        while step >= start + period:
            start += period
            period *= period_mult
        t = step - start
    return end_value + (init_value - end_value) * (1.0 + math.cos(math.pi * t / period)) / 2.0
