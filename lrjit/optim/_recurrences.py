"""torch's recurrences, compiled: the chainable forms and SGDR's counters.

torch's schedulers mostly *recurse*: each ``step()`` turns the optimizer's
current learning rate into the next one (the "chainable form").  The result
differs from the closed form in the last bits, so to match torch bitwise
these functions copy torch's expressions term by term.  The same
:func:`chain_next` serves both execution modes: called once per ``step()``,
or looped over by :func:`chain_fill` to precompute a table.

Closed forms are not here: they are the core's kernels (:mod:`lrjit.kernels`).
The recursion codes below are named ``CHAIN_*`` and belong to this module
only; they are not family codes of :func:`lrjit.kernels.lr_at` programs.
"""

import math

from .._jit import jit
from ..kernels import ANNEAL_LINEAR, cosine

__all__ = [
    "CHAIN_STEP",
    "CHAIN_MULTISTEP",
    "CHAIN_CONSTANT",
    "CHAIN_LINEAR",
    "CHAIN_EXPONENTIAL",
    "CHAIN_POLYNOMIAL",
    "CHAIN_COSINE",
    "CHAIN_SWA",
    "chain_next",
    "chain_fill",
    "restarts_fill",
]

# Which torch scheduler's recursion chain_next applies, and its parameters.
CHAIN_STEP = 0  # p0 = step_size, p1 = gamma
CHAIN_MULTISTEP = 1  # p0 = gamma, p1 = the number of milestones equal to the epoch
CHAIN_CONSTANT = 2  # p0 = factor, p1 = total_iters
CHAIN_LINEAR = 3  # p0 = start_factor, p1 = end_factor, p2 = total_iters
CHAIN_EXPONENTIAL = 4  # p0 = gamma
CHAIN_POLYNOMIAL = 5  # p0 = total_iters, p1 = power
CHAIN_COSINE = 6  # p0 = T_max, p1 = eta_min, p2 = base_lr, p3 = _step_count
CHAIN_SWA = 7  # p0 = swa_lr, p1 = anneal_epochs, p2 = anneal strategy code; k = _step_count - 1


@jit(inline="always")
def _swa_alpha(t, strategy):
    if strategy == ANNEAL_LINEAR:
        return t
    return (1.0 - math.cos(math.pi * t)) / 2.0


@jit(inline="always")
def _cosine_chain(lr, k, t_max, eta_min, base, cos_k, cos_prev):
    """torch's chainable cosine step, given ``cos(pi k / T)`` and ``cos(pi (k - 1) / T)``.

    At each minimum (``(k - 1 - T) % 2T == 0``) torch adds a fixed bump
    instead of the ratio.
    """
    if (k - 1.0 - t_max) % (2.0 * t_max) == 0.0:
        return lr + (base - eta_min) * (1.0 - math.cos(math.pi / t_max)) / 2.0
    return (1.0 + cos_k) / (1.0 + cos_prev) * (lr - eta_min) + eta_min


@jit(inline="always")
def chain_next(code, lr, k, p0, p1, p2, p3):
    """The learning rate torch's scheduler ``code`` sets at epoch ``k`` from the current ``lr``.

    Mirrors each scheduler's ``get_lr()`` outside its initial step (the
    initial step leaves ``lr`` as it is, except for the ``k == 0`` branches
    kept here).  An unknown code gives NaN.
    """
    if code == CHAIN_STEP:
        if k == 0.0 or k % p0 != 0.0:
            return lr
        return lr * p1
    elif code == CHAIN_MULTISTEP:
        if p1 == 0.0:
            return lr
        return lr * p0**p1
    elif code == CHAIN_CONSTANT:
        if k == 0.0:
            return lr * p0
        if k != p1:
            return lr
        return lr * (1.0 / p0)
    elif code == CHAIN_LINEAR:
        if k == 0.0:
            return lr * p0
        if k > p2:
            return lr
        return lr * (1.0 + (p1 - p0) / (p2 * p0 + (k - 1.0) * (p1 - p0)))
    elif code == CHAIN_EXPONENTIAL:
        return lr * p0
    elif code == CHAIN_POLYNOMIAL:
        if k > p0:
            return lr
        return lr * ((1.0 - k / p0) / (1.0 - (k - 1.0) / p0)) ** p1
    elif code == CHAIN_COSINE:
        if p3 == 1.0 and k > 0.0:
            # torch's first plain step after construction: the closed form
            return cosine(k, p2, p0, p1, 1, 1.0, 1.0, 1.0)  # last 1.0: libm cos (torch's bits)
        return _cosine_chain(
            lr, k, p0, p1, p2, math.cos(math.pi * k / p0), math.cos(math.pi * (k - 1.0) / p0)
        )
    elif code == CHAIN_SWA:
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


@jit(inline="always")
def _count_equal(sorted_values, x):
    """How many entries of the sorted array equal ``x`` (binary search, then a run)."""
    lo, hi = 0, sorted_values.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    n = 0
    while lo + n < sorted_values.shape[0] and sorted_values[lo + n] == x:
        n += 1
    return n


@jit
def chain_fill(code, lr, k0, p0, p1, p2, p3, milestones, out):
    """``out[i]``: the learning rate after ``i + 1`` plain steps from ``lr``, epoch ``k0 + i``.

    ``milestones`` (CHAIN_MULTISTEP only) is the sorted milestones, a
    repeated one repeated; ``p1`` is then their count at each epoch.
    """
    if code == CHAIN_COSINE and p3 != 1.0 and k0 == math.floor(k0):
        # Whole epochs: step k's denominator cos(pi (k-1) / T) is step k-1's
        # numerator, the same float, so each cosine is computed once.
        prev = math.cos(math.pi * (k0 - 1.0) / p0)
        for i in range(out.shape[0]):
            k = k0 + i
            cur = math.cos(math.pi * k / p0)
            lr = _cosine_chain(lr, k, p0, p1, p2, cur, prev)
            prev = cur
            out[i] = lr
        return
    if code == CHAIN_STEP and k0 == math.floor(k0) and p0 == math.floor(p0):
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
        if code == CHAIN_MULTISTEP:
            q1 = float(_count_equal(milestones, k))
        lr = chain_next(code, lr, k, p0, q1, p2, p3)
        out[i] = lr


@jit
def restarts_fill(t_cur, t_i, t_mult, eta_min, bases, out, out_cur, out_i):
    """SGDR's plain steps from state ``(t_cur, t_i)``: ``out[g, j]`` for base ``bases[g]``.

    torch: ``T_cur += 1``; at the end of a period ``T_cur %= T_i`` and
    ``T_i *= T_mult``; then the core's cosine of ``T_cur / T_i``.
    ``out`` is ``(len(bases), n)``, ``out_cur`` and ``out_i`` are ``(n,)``.
    """
    for j in range(out.shape[1]):
        t_cur = t_cur + 1.0
        if t_cur >= t_i:
            t_cur = t_cur % t_i
            t_i = t_i * t_mult
        out_cur[j] = t_cur
        out_i[j] = t_i
        for g in range(bases.shape[0]):
            out[g, j] = cosine(t_cur, bases[g], t_i, eta_min, 1, 1.0, 1.0, 1.0)  # libm cos
