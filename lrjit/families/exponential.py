"""Exponential decay or capped growth (torch's ``ExponentialLR``, optax's ``exponential_decay``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._checks import MAX_VALUE, check_count, check_flag, check_real, check_value, is_real
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 3


@jit
def exponential_kernel(
    step, init_value, gamma, transition_steps=1.0, transition_begin=0.0, staircase=0.0,
    end_value=0.0,
):
    """``init_value * gamma ** p``, ``p = (step - transition_begin) / transition_steps``.

    optax 0.2.8's ``exponential_decay`` in its operation order: ``init_value``
    until ``transition_begin``, ``p`` floored when ``staircase`` is 1, then
    clipped at ``end_value``: a floor when decaying (``gamma <= 1``), a cap
    when growing (``gamma > 1``).  The trailing parameters default to torch's
    ``ExponentialLR`` (``init * gamma ** step``, bitwise), and a
    ``transition_steps`` of 0 means 1, so programs saved with the two-column
    layout compute the same bits.  ``gamma ** p`` is libm's ``pow`` on every
    path: it does not vectorize, but a branch-free ``pow`` within 1 ulp costs
    a double-double ``log(gamma)`` per call that only an inlined loop hoists
    (``benchmarks/results/speed-2026-12-02-close.md``).

    >>> exponential_kernel(3.0, 1.0, 0.5)
    0.125
    >>> exponential_kernel(25.0, 1.0, 0.5, 10.0, 5.0, 1.0)  # two whole transitions
    0.25
    """
    u = step - transition_begin
    if u <= 0.0:
        value = float(init_value)
    else:
        # the divisor, not the quotient, is chosen: a test on parameters alone leaves the loop
        p = u / transition_divisor(transition_steps)
        if staircase != 0.0:
            p = math.floor(p)
        value = init_value * gamma**p
    # comparisons, not min/max: a zero floor leaves every value's bits alone
    if gamma > 1.0:
        if value > end_value:
            return float(end_value)
    elif value < end_value:
        return float(end_value)
    return value


@jit
def exponential_run(step, transition_steps, transition_begin, staircase):
    """How many steps from ``step`` on have :func:`exponential_kernel`'s value at ``step``.

    Up to ``transition_begin`` the value is ``init_value``; with ``staircase``
    it changes only where ``floor((step - B) / T)`` does, and its first stair
    is ``init_value`` too (``gamma ** 0.0``).  The count is checked at its
    last step with the kernel's own operations (the stair index is monotone
    in the step, so it holds in between); 1 where nothing is known (no
    staircase, or a rounding beyond ``2**53 / T``).

    >>> exponential_run(3.0, 10.0, 5.0, 0.0), exponential_run(25.0, 10.0, 5.0, 1.0)
    (3.0, 10.0)
    >>> exponential_run(0.0, 10.0, 5.0, 1.0)  # before B, then the first stair
    15.0
    """
    u = step - transition_begin
    if staircase == 0.0:
        if u > 0.0:
            return 1.0
        count = math.floor(-u) + 1.0
        return count if (step + (count - 1.0)) - transition_begin <= 0.0 else 1.0
    t = transition_divisor(transition_steps)
    k = max(math.floor(u / t), 0.0)
    count = math.ceil((k + 1.0) * t - u)
    last = max(math.floor(((step + (count - 1.0)) - transition_begin) / t), 0.0)
    return count if count >= 1.0 and last == k else 1.0


@jit
def transition_divisor(transition_steps):
    """``transition_steps``, or 1 where it is 0 (rows saved with torch's two columns).

    The one place the kernel and its runs read it, so their stairs agree.
    """
    return transition_steps if transition_steps > 0.0 else 1.0


def exponential(
    init_value, gamma=None, *, transition_steps=1, transition_begin=0, staircase=False,
    end_value=None, decay_rate=None,
) -> Schedule:
    """``init_value * gamma ** ((t - B) / T)``, clipped at ``end_value`` (torch's, optax's).

    With the defaults this is torch's ``ExponentialLR``, ``init * gamma **
    t``.  With ``transition_steps`` (``T``), ``transition_begin`` (``B``),
    ``staircase`` and ``end_value`` it is optax 0.2.8's
    ``exponential_decay`` (``decay_rate`` is accepted by name for
    ``gamma``, never both)::

        init                                          t <= B
        init * gamma ** p,  p = (t - B) / T           (floor(p) with staircase)

    clipped below at ``end_value`` when ``gamma <= 1`` (a floor, 0 by
    default) and above when ``gamma > 1``: growth (an LR range test) needs
    ``end_value`` as its cap, so the value never reaches inf.  Unlike optax,
    ``transition_steps`` of 0 or a rate of 0 are errors, not a constant.

    Examples
    --------
    >>> import lrjit
    >>> lrjit.exponential(1.0, gamma=0.5)(3)
    0.125
    >>> s = lrjit.exponential(1e-6, 10.0, transition_steps=100, end_value=1.0)  # range test
    >>> s(0), round(s(300), 12), s(10**6)
    (1e-06, 0.001, 1.0)
    """
    if gamma is not None and decay_rate is not None:
        raise ValueError("give gamma or decay_rate (optax's name for it), not both")
    name, rate = ("decay_rate", decay_rate) if decay_rate is not None else ("gamma", gamma)
    if rate is None:
        raise TypeError("missing argument 'gamma' (or 'decay_rate', optax's name) for type "
                        "'exponential'")
    # growth needs a positive cap (NaN compares False)
    growth = is_real(rate) and rate > 1 and is_real(end_value) and end_value > 0
    if growth:
        rate = check_real(name, rate, 1.0, MAX_VALUE, low_open=True)
    else:
        try:
            rate = check_real(name, rate, 0.0, 1.0, low_open=True)
        except ValueError as error:
            raise ValueError(f"{error} (or > 1 with a positive end_value as its cap)") from None
    full = {
        "init_value": check_value("init_value", init_value),
        "gamma": rate,
        "transition_steps": check_count("transition_steps", transition_steps),
        "transition_begin": check_count("transition_begin", transition_begin, minimum=0),
        "staircase": check_flag("staircase", staircase),
        "end_value": 0.0 if end_value is None else check_value("end_value", end_value),
    }
    if growth and full["init_value"] == 0.0:
        raise ValueError("init_value must be > 0 when gamma > 1 (growth from 0 stays 0)")
    # optional parameters are stored only away from the kernel's defaults, so
    # torch's form keeps its repr, to_dict and equality
    defaults = FAMILY.defaults
    args = {k: v for k, v in full.items() if k not in defaults or v != defaults[k]}
    return FAMILY.schedule(args, _horizon(**full))


def _horizon(init_value, gamma, transition_steps, transition_begin, staircase, end_value):
    """Where the value settles: at the cap (growth) or the floor, else at a factor e down."""
    if gamma == 1.0 or init_value == 0.0:
        return transition_begin
    if gamma > 1.0 or end_value > 0.0:
        target = min(max(end_value / init_value, 1e-300), 1e300)
        n = max(math.log(target) / math.log(gamma), 0.0)
    else:
        n = -1.0 / math.log(gamma)
    if staircase:
        n = math.ceil(n)  # a staircase gets there at the start of a stair
    return min(transition_begin + math.ceil(transition_steps * n), 2**53)


FAMILY = register("exponential", exponential, exponential_kernel, CODE)
