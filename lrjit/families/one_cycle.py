"""The 1cycle policy: torch's ``OneCycleLR``, in torch 2.13's operation order.

Its phase shapes (:func:`anneal`, :func:`one_cycle_phases`) are shared with the
torch front-end.  For Python-float learning rates the values are bitwise equal
to torch's ``get_lr()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import MAX_VALUE, check_choice, check_count, check_flag, check_real, check_value
from .._jit import jit
from ..kernels.cospi import cos_turns
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

__all__ = [
    "ANNEAL_COS",
    "ANNEAL_LINEAR",
    "anneal",
    "one_cycle_phases",
    "one_cycle_kernel",
    "one_cycle",
    "phase_at",
    "in_phase",
]

CODE = 7

# anneal_strategy codes
ANNEAL_COS = 0.0
ANNEAL_LINEAR = 1.0
_ANNEAL = {"cos": ANNEAL_COS, "linear": ANNEAL_LINEAR}


@jit
def anneal(start, end, pct, strategy, libm_cos=0.0):
    """From ``start`` (``pct = 0``) to ``end`` (``pct = 1``), torch's one-cycle annealing.

    ``end + (start - end) / 2 * (cos(pi * pct) + 1)`` for :data:`ANNEAL_COS`,
    ``(end - start) * pct + start`` for :data:`ANNEAL_LINEAR`.  The cosine is
    ``cospi(pct)`` (``libm_cos`` 0, core schedules) or libm's
    ``math.cos(math.pi * pct)`` (1: the torch front-end, torch's bits).

    >>> anneal(1.0, 0.0, 0.5, ANNEAL_LINEAR)
    0.5
    """
    if strategy == ANNEAL_LINEAR:
        return (end - start) * pct + start
    cos_out = cos_turns(pct, 1.0, libm_cos) + 1.0
    return end + (start - end) / 2.0 * cos_out


@jit
def one_cycle_phases(step, end1, end2, last, strategy, v0, v1, v2, v3, libm_cos=0.0):
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
    return phase_value(
        phase_of(step, end1, end2), step, end1, end2, last, strategy, v0, v1, v2, v3, libm_cos
    )


@jit(inline="always")
def phase_of(step, end1, end2):
    """The phase (1, 2 or 3) of :func:`one_cycle_phases` that ``step`` is in."""
    if step <= end1:
        return 1
    if step <= end2:
        return 2
    return 3


@jit(inline="always")
def phase_value(phase, step, end1, end2, last, strategy, v0, v1, v2, v3, libm_cos):
    """:func:`one_cycle_phases` at ``step`` in phase ``phase`` (the table fills pass a constant)."""
    if phase == 1:
        return anneal(v0, v1, step / end1, strategy, libm_cos)
    if phase == 2:
        return anneal(v1, v2, (step - end1) / (end2 - end1), strategy, libm_cos)
    return anneal(v2, v3, (step - end2) / (last - end2), strategy, libm_cos)


@jit
def one_cycle_kernel(
    step,
    peak_value,
    total_steps,
    pct_start,
    anneal_strategy,
    div_factor,
    final_div_factor,
    three_phase,
    libm_cos=0.0,
):
    """The 1cycle policy (torch's ``OneCycleLR``), held at its last value after ``total_steps - 1``.

    ``init = peak_value / div_factor`` and ``low = init / final_div_factor``.
    With ``T = total_steps`` and ``p = pct_start``, the value anneals from
    ``init`` to ``peak_value`` over steps ``[0, p*T - 1]``, then to ``low`` by
    step ``T - 1``; with ``three_phase`` (not 0) it goes back to ``init`` by
    step ``2*p*T - 2`` first, then to ``low``.  See :func:`one_cycle_phases`
    (and :func:`anneal` for ``libm_cos``: ``cospi`` for core schedules).

    >>> one_cycle_kernel(29.0, 1.0, 100.0, 0.3, ANNEAL_COS, 25.0, 1e4, 0.0)
    1.0
    >>> one_cycle_kernel(99.0, 1.0, 100.0, 0.3, ANNEAL_COS, 25.0, 1e4, 0.0)
    4e-06
    """
    t, end1, end2, last, init, mid, low = _landmarks(
        step, peak_value, total_steps, pct_start, div_factor, final_div_factor, three_phase
    )
    return one_cycle_phases(
        t, end1, end2, last, anneal_strategy, init, peak_value, mid, low, libm_cos
    )


@jit(inline="always")
def _landmarks(step, peak_value, total_steps, pct_start, div_factor, final_div_factor, three_phase):
    """The held step ``t``, the phase ends and the values of :func:`one_cycle_kernel`."""
    init = peak_value / div_factor
    low = init / final_div_factor
    end1 = pct_start * total_steps - 1.0
    if three_phase == 0.0:
        end2 = end1
        mid = peak_value
    else:
        end2 = 2.0 * pct_start * total_steps - 2.0
        mid = init
    last = total_steps - 1.0
    return min(step, last), end1, end2, last, init, mid, low


@jit
def phase_at(step, peak_value, total_steps, pct_start, anneal_strategy, div_factor,
             final_div_factor, three_phase):
    """The phase (1, 2 or 3) :func:`one_cycle_kernel` puts ``step`` in: nondecreasing in ``step``.

    The table drivers split a table where it changes
    (:func:`lrjit.kernels.dispatch.first_in_phase`) and fill each phase with
    :func:`in_phase`, a loop LLVM vectorizes.
    """
    t, end1, end2, _, _, _, _ = _landmarks(
        step, peak_value, total_steps, pct_start, div_factor, final_div_factor, three_phase
    )
    return phase_of(t, end1, end2)


@jit
def in_phase(step, phase, peak_value, total_steps, pct_start, anneal_strategy, div_factor,
             final_div_factor, three_phase, libm_cos=0.0):
    """:func:`one_cycle_kernel` at a ``step`` whose :func:`phase_at` is ``phase``: the same bits."""
    t, end1, end2, last, init, mid, low = _landmarks(
        step, peak_value, total_steps, pct_start, div_factor, final_div_factor, three_phase
    )
    return phase_value(
        phase, t, end1, end2, last, anneal_strategy, init, peak_value, mid, low, libm_cos
    )


def one_cycle(
    peak_value,
    total_steps,
    *,
    pct_start=0.3,
    anneal_strategy="cos",
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
) -> Schedule:
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
    return FAMILY.schedule(args, args["total_steps"] - 1)


FAMILY = register(
    "one_cycle", one_cycle, one_cycle_kernel, CODE, choices={"anneal_strategy": _ANNEAL}
)
