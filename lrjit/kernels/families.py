"""Tier 1: one closed-form scalar kernel per schedule family.

Each kernel is ``name(step, *params) -> float``: positional arguments in the
order of the matching factory in :mod:`lrjit.schedules`, a float64 step
(fractional steps work), ``math`` only, no validation and no raising (the
factories validate).  Call them from your own ``@numba.njit`` code; the
operation order of each formula is part of its contract (it fixes the bits).
"""

import math

from .._jit import jit

__all__ = [
    "constant",
    "linear",
    "step_decay",
    "multistep",
    "exponential",
    "polynomial",
    "cosine",
    "warmup_cosine",
]


@jit
def constant(step, value):
    """``value`` at every step.

    >>> constant(7.0, 0.1)
    0.1
    """
    return float(value)


@jit
def linear(step, init_value, end_value, transition_steps, transition_begin):
    """Linear ramp from ``init_value`` to ``end_value``.

    With ``u = step - transition_begin`` and ``T = transition_steps``::

        init_value                                  u <= 0
        init_value + (end_value - init_value)*(u/T)  0 < u < T
        end_value                                   u >= T

    >>> linear(150.0, 1.0, 0.0, 100.0, 100.0)
    0.5
    """
    u = step - transition_begin
    if u <= 0.0:
        return float(init_value)
    if u >= transition_steps:
        return float(end_value)
    return init_value + (end_value - init_value) * (u / transition_steps)


@jit
def step_decay(step, init_value, step_size, gamma):
    """``init_value * gamma ** floor(step / step_size)`` (torch's StepLR).

    >>> step_decay(25.0, 1.0, 10.0, 0.5)
    0.25
    """
    # A float exponent: Numba's float**int is a multiply loop, libm's pow is
    # what Python (and torch's closed form) computes.
    return init_value * gamma ** float(math.floor(step / step_size))


@jit
def multistep(step, init_value, gamma, milestones):
    """``init_value * gamma ** (number of milestones <= step)``.

    ``milestones`` is a sorted float64 array; a repeated milestone counts
    twice.

    >>> import numpy as np
    >>> multistep(30.0, 1.0, 0.5, np.array([10.0, 20.0, 20.0, 40.0]))
    0.125
    """
    count = 0
    for m in milestones:
        if m > step:
            break
        count += 1
    return init_value * gamma ** float(count)


@jit
def exponential(step, init_value, gamma):
    """``init_value * gamma ** step`` (torch's ExponentialLR closed form).

    >>> exponential(3.0, 1.0, 0.5)
    0.125
    """
    return init_value * gamma ** float(step)


@jit
def polynomial(step, init_value, end_value, power, transition_steps):
    """``(init - end) * (1 - min(step, T)/T) ** power + end``, ``T = transition_steps``.

    >>> polynomial(50.0, 1.0, 0.0, 2.0, 100.0)
    0.25
    """
    frac = 1.0 - min(step, transition_steps) / transition_steps
    return (init_value - end_value) * frac**power + end_value


@jit
def cosine(step, init_value, decay_steps, end_value, periodic):
    """Cosine annealing from ``init_value`` to ``end_value`` over ``decay_steps``.

    ``end + (init - end) * (1 + cos(pi * t / T)) / 2`` with ``T = decay_steps``
    and ``t = step``, in torch's operation order.  When ``periodic`` is 0 the
    step is held at ``T`` (the value stays at ``end_value``); otherwise the
    cosine goes on, as torch's CosineAnnealingLR does.

    >>> cosine(50.0, 1.0, 100.0, 0.0, 0.0)
    0.5
    """
    t = float(step)
    if periodic == 0 and t > decay_steps:
        t = float(decay_steps)
    return end_value + (init_value - end_value) * (1.0 + math.cos(math.pi * t / decay_steps)) / 2.0


@jit
def warmup_cosine(step, peak_value, warmup_steps, decay_steps, init_value, end_value):
    """Linear warmup from ``init_value`` to ``peak_value``, then cosine to ``end_value``.

    ``decay_steps`` is the whole length, warmup included (optax's convention)::

        init + (peak - init) * (step / W)            step < W
        cosine(step - W, peak, decay_steps - W, end)  step >= W, held at end

    >>> warmup_cosine(5.0, 1.0, 10.0, 110.0, 0.0, 0.0)
    0.5
    """
    if step < warmup_steps:
        return init_value + (peak_value - init_value) * (step / warmup_steps)
    return cosine(step - warmup_steps, peak_value, decay_steps - warmup_steps, end_value, 0)
