"""Compiled pieces of the torch front-end: torch's recursions and the table fills.

torch's schedulers mostly *recurse*: each ``step()`` turns the optimizer's
current learning rate into the next one (the "chainable form").  The next
value differs from the closed form in the last bits, so to match torch
bitwise these kernels copy torch's expressions term by term.  The same
``chain_next`` serves both execution modes: called once per ``step()``, or
looped over by ``chain_fill`` to precompute a table.

Every function here is torch-specific, which is why it lives beside the
front-end rather than among the general kernels of :mod:`lrjit.kernels`.
"""

import math

from .._jit import jit
from ..kernels import (
    ANNEAL_LINEAR,
    cosine,
    cyclic_position,
    cyclic_scale,
    exponential,
    one_cycle_phases,
    step_decay,
)

# Chain codes: which torch scheduler's recursion ``chain_next`` applies.
STEP = 0  # p0 = step_size, p1 = gamma
MULTISTEP = 1  # p0 = gamma, p1 = the number of milestones equal to the step
CONSTANT = 2  # p0 = factor, p1 = total_iters
LINEAR = 3  # p0 = start_factor, p1 = end_factor, p2 = total_iters
EXPONENTIAL = 4  # p0 = gamma
POLYNOMIAL = 5  # p0 = total_iters, p1 = power
COSINE = 6  # p0 = T_max, p1 = eta_min, p2 = base_lr, p3 = _step_count
SWA = 7  # p0 = swa_lr, p1 = anneal_epochs, p2 = anneal strategy code; k = _step_count - 1


@jit(inline="always")
def _swa_alpha(t, strategy):
    if strategy == ANNEAL_LINEAR:
        return t
    return (1.0 - math.cos(math.pi * t)) / 2.0


@jit(inline="always")
def chain_next(code, lr, k, p0, p1, p2, p3):
    """The learning rate torch's scheduler ``code`` sets at epoch ``k`` from the current ``lr``.

    Mirrors each scheduler's ``get_lr()`` outside its initial step (the
    initial step leaves ``lr`` as it is, except for the ``k == 0`` branches
    kept here).  An unknown code gives NaN.
    """
    if code == STEP:
        if k == 0.0 or k % p0 != 0.0:
            return lr
        return lr * p1
    elif code == MULTISTEP:
        if p1 == 0.0:
            return lr
        return lr * p0**p1
    elif code == CONSTANT:
        if k == 0.0:
            return lr * p0
        if k != p1:
            return lr
        return lr * (1.0 / p0)
    elif code == LINEAR:
        if k == 0.0:
            return lr * p0
        if k > p2:
            return lr
        return lr * (1.0 + (p1 - p0) / (p2 * p0 + (k - 1.0) * (p1 - p0)))
    elif code == EXPONENTIAL:
        return lr * p0
    elif code == POLYNOMIAL:
        if k > p0:
            return lr
        return lr * ((1.0 - k / p0) / (1.0 - (k - 1.0) / p0)) ** p1
    elif code == COSINE:
        if p3 == 1.0 and k > 0.0:
            return cosine(k, p2, p0, p1, 1)
        if (k - 1.0 - p0) % (2.0 * p0) == 0.0:
            return lr + (p2 - p1) * (1.0 - math.cos(math.pi / p0)) / 2.0
        return (1.0 + math.cos(math.pi * k / p0)) / (1.0 + math.cos(math.pi * (k - 1.0) / p0)) * (
            lr - p1
        ) + p1
    elif code == SWA:
        step = k
        if p1 == 0.0:
            step = max(1.0, step)
        prev_alpha = _swa_alpha(max(0.0, min(1.0, (step - 1.0) / max(1.0, p1))), p2)
        if prev_alpha == 1.0:
            prev = p0
        else:
            prev = (lr - prev_alpha * p0) / (1.0 - prev_alpha)
        alpha = _swa_alpha(max(0.0, min(1.0, step / max(1.0, p1))), p2)
        return p0 * alpha + prev * (1.0 - alpha)
    return math.nan


@jit
def chain_fill(code, lr, k0, p0, p1, p2, p3, milestones, counts, out):
    """``out[i]``: the learning rate after ``i + 1`` plain steps from ``lr``, epoch ``k0 + i``.

    ``milestones`` and ``counts`` (MultiStepLR only) are the distinct
    milestones and how often each repeats; for MULTISTEP ``p1`` is ignored.
    """
    if code == COSINE and p3 != 1.0 and k0 == math.floor(k0):
        _cosine_chain_fill(lr, k0, p0, p1, p2, out)
        return
    if code == STEP and k0 == math.floor(k0) and p0 == math.floor(p0):
        # whole epochs and step size: count k % step_size up instead of dividing
        r = k0 % p0
        for i in range(out.shape[0]):
            if r == 0.0 and k0 + i != 0.0:
                lr = lr * p1
            out[i] = lr
            r += 1.0
            if r == p0:
                r = 0.0
        return
    for i in range(out.shape[0]):
        k = k0 + i
        q1 = p1
        if code == MULTISTEP:
            q1 = 0.0
            for m in range(milestones.shape[0]):
                if milestones[m] == k:
                    q1 = counts[m]
                    break
        lr = chain_next(code, lr, k, p0, q1, p2, p3)
        out[i] = lr


@jit(inline="always")
def _cosine_chain_fill(lr, k0, t_max, eta_min, base, out):
    """``chain_fill`` for COSINE from a whole epoch: each cosine is computed once.

    Step ``k`` divides ``1 + cos(pi k / T)`` by ``1 + cos(pi (k - 1) / T)``,
    the numerator of step ``k - 1``: for whole epochs both are the same
    float, so reusing it changes no bit and halves the cosines.
    """
    bump = (base - eta_min) * (1.0 - math.cos(math.pi / t_max)) / 2.0
    prev = math.cos(math.pi * (k0 - 1.0) / t_max)
    for i in range(out.shape[0]):
        k = k0 + i
        cur = math.cos(math.pi * k / t_max)
        if (k - 1.0 - t_max) % (2.0 * t_max) == 0.0:
            lr = lr + bump
        else:
            lr = (1.0 + cur) / (1.0 + prev) * (lr - eta_min) + eta_min
        prev = cur
        out[i] = lr


@jit
def restarts_fill(t_cur, t_i, t_mult, eta_min, bases, out, out_cur, out_i):
    """SGDR's plain steps from state ``(t_cur, t_i)``: ``out[g, j]`` for base ``bases[g]``.

    torch: ``T_cur += 1``; at the end of a period ``T_cur %= T_i`` and
    ``T_i *= T_mult``; then the cosine of ``T_cur / T_i``.
    """
    for j in range(out.shape[1]):
        t_cur = t_cur + 1.0
        if t_cur >= t_i:
            t_cur = t_cur % t_i
            t_i = t_i * t_mult
        out_cur[j] = t_cur
        out_i[j] = t_i
        for g in range(bases.shape[0]):
            out[g, j] = cosine(t_cur, bases[g], t_i, eta_min, 1)


@jit(inline="always")
def cyclic_value(step, low, high, total_size, step_ratio, mode, gamma, scale_by, falling):
    """torch's CyclicLR value: ``low + h`` (learning rate) or ``high - h`` (momentum, ``falling``).

    ``h = (high - low) * fraction * scale`` with torch's grouping.
    """
    cycle, fraction = cyclic_position(step, total_size, step_ratio)
    x = cycle if scale_by == 0.0 else step
    base_height = (high - low) * fraction
    if falling:
        return high - base_height * cyclic_scale(x, mode, gamma)
    return low + base_height * cyclic_scale(x, mode, gamma)


@jit
def cyclic_fill(k0, total_size, step_ratio, mode, gamma, scale_by, lows, highs, falling, out):
    """``out[g, i] = cyclic_value(k0 + i, lows[g], highs[g], ...)``."""
    for i in range(out.shape[1]):
        for g in range(lows.shape[0]):
            out[g, i] = cyclic_value(
                k0 + i, lows[g], highs[g], total_size, step_ratio, mode, gamma, scale_by, falling
            )


@jit
def one_cycle_fill(k0, end1, end2, last, strategy, values, out):
    """``out[g, i] = one_cycle_phases(k0 + i, end1, end2, last, strategy, *values[g])``."""
    for i in range(out.shape[1]):
        for g in range(values.shape[0]):
            v = values[g]
            out[g, i] = one_cycle_phases(k0 + i, end1, end2, last, strategy, v[0], v[1], v[2], v[3])


@jit
def closed_form(code, k, base, p0, p1, p2):
    """torch's ``_get_closed_form_lr`` at epoch ``k`` (``step(epoch)``), for chain ``code``.

    Parameters as for :func:`chain_next`; for MULTISTEP ``p1`` is the number
    of milestones ``<= k``; COSINE's base is ``base``.
    """
    if code == STEP:
        return step_decay(k, base, p0, p1)
    elif code == MULTISTEP:
        return base * p0**p1
    elif code == CONSTANT:
        passed = 1.0 if k >= p1 else 0.0
        return base * (p0 + passed * (1.0 - p0))
    elif code == LINEAR:
        return base * (p0 + (p1 - p0) * min(p2, k) / p2)
    elif code == EXPONENTIAL:
        return exponential(k, base, p0)
    elif code == POLYNOMIAL:
        return base * (1.0 - min(p0, k) / p0) ** p1
    elif code == COSINE:
        return cosine(k, base, p0, p1, 1)
    return math.nan
