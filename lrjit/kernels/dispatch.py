"""Tier 2: evaluate any schedule from plain arrays, choosing the family at run time.

A schedule is a *program* of three arrays:

``kinds``  (int64, ``(P,)``)      the family code of each piece (``lrjit.families.REGISTRY``)
``params`` (float64, ``(P, MAX_PARAMS)``)  each piece's kernel parameters, zero-padded
``starts`` (float64, ``(P,)``)    the absolute step at which each piece starts;
                                   ``starts[0] == 0``, strictly increasing

Piece ``i`` is active on ``[starts[i], starts[i + 1])`` and sees the local step
``step - starts[i]``.  Padding a program with pieces whose start is ``inf``
leaves it unchanged, so programs of different lengths stack into one array.
Because the program is data, a compiled loop that calls :func:`lr_at` is not
recompiled when the schedule changes.  Products, warmups overlaid on a
schedule and noise are *composite* programs (first kind negative, the other
rows starting at ``inf``), evaluated by :func:`lrjit.kernels.compose.composite_at`.
"""

import math

from .._jit import borrowed, jit
from ..families import (
    constant,
    cosine,
    cosine_restarts,
    cyclic,
    exponential,
    inverse_sqrt,
    inverse_time,
    linear,
    one_cycle,
    polynomial,
    step_decay,
    tanh,
    transformers_schedule,
    warmup_cosine,
    wsd,
)

__all__ = [
    "MAX_PARAMS",
    "fill_steps",
    "driver_lr_at",
    "lr_at",
    "program_at",
    "piece_at",
    "piece_of",
    "row_values",
    "run_length",
]

# Room for the widest kernel (wsd, restarts with their cycle controls) and a
# flag or two; a row costs 8 bytes a column, per piece, in a sweep.
MAX_PARAMS = 12


@jit(inline="always")
def row_values(params, row):
    """``params[row]`` as a tuple of :data:`MAX_PARAMS` floats.

    Values, not memory: a table driver reads them once before its loop, so
    LLVM knows the stores to the table cannot change them and hoists every
    test on them (the family, ``libm_cos``) out of the loop, which it then
    vectorizes.  ``params`` has :data:`MAX_PARAMS` columns (a program's).
    """
    return (
        params[row, 0], params[row, 1], params[row, 2], params[row, 3], params[row, 4],
        params[row, 5], params[row, 6], params[row, 7], params[row, 8], params[row, 9],
        params[row, 10], params[row, 11],
    )


@jit(inline="always")
def piece_at(kind, params, row, step):
    """The value of family ``kind`` with parameters ``params[row]`` at ``step``.

    One branch per family code of :data:`lrjit.families.REGISTRY`, written out
    in :func:`piece_of` (what Numba compiles best; a test holds it against the
    registry).  An unknown ``kind`` gives NaN (kernels never raise).
    """
    return piece_of(kind, row_values(params, row), step)


@jit(inline="always")
def piece_of(kind, p, step):
    """The value of family ``kind`` with parameters ``p`` (:func:`row_values`) at ``step``.

    One branch per family code of :data:`lrjit.families.REGISTRY`, written out
    (what Numba compiles best; a test holds it against the registry).  An
    unknown ``kind`` gives NaN (kernels never raise).
    """
    if kind == constant.CODE:
        return constant.constant_kernel(step, p[0])
    elif kind == linear.CODE:
        return linear.linear_kernel(step, p[0], p[1], p[2], p[3])
    elif kind == step_decay.CODE:
        return step_decay.step_decay_kernel(step, p[0], p[1], p[2])
    elif kind == exponential.CODE:
        return exponential.exponential_kernel(step, p[0], p[1], p[2], p[3], p[4], p[5])
    elif kind == polynomial.CODE:
        return polynomial.polynomial_kernel(step, p[0], p[1], p[2], p[3], p[4], p[5], p[6])
    elif kind == cosine.CODE:
        if cosine.at_defaults(p[4], p[5], p[6]):
            # the kernel's defaults as constants: a user's loop over lr_at ran
            # 2.4x its inlined formula with them as values, 1.1x without
            return cosine.cosine_kernel(step, p[0], p[1], p[2], p[3])
        return cosine.cosine_kernel(step, p[0], p[1], p[2], p[3], p[4], p[5], p[6])
    elif kind == warmup_cosine.CODE:
        return warmup_cosine.warmup_cosine_kernel(
            step, p[0], p[1], p[2], p[3], p[4], p[5]
        )
    elif kind == one_cycle.CODE:
        return one_cycle.one_cycle_kernel(
            step, p[0], p[1], p[2], p[3], p[4], p[5], p[6],
            p[7],
        )
    elif kind == cyclic.CODE:
        return cyclic.cyclic_kernel(
            step, p[0], p[1], p[2], p[3], p[4], p[5], p[6]
        )
    elif kind == cosine_restarts.CODE:
        return cosine_restarts.cosine_restarts_kernel(
            step, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]
        )
    elif kind == inverse_sqrt.CODE:
        return inverse_sqrt.inverse_sqrt_kernel(step, p[0], p[1], p[2], p[3], p[4])
    elif kind == wsd.CODE:
        return wsd.wsd_kernel(step, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8])
    elif kind == transformers_schedule.CODE:
        return transformers_schedule.transformers_schedule_kernel(
            step, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]
        )
    elif kind == inverse_time.CODE:
        return inverse_time.inverse_time_kernel(step, p[0], p[1], p[2], p[3])
    elif kind == tanh.CODE:
        return tanh.tanh_kernel(step, p[0], p[1], p[2], p[3], p[4])
    return math.nan


@jit(inline="always")
def steps(kernel, args, first, start, lo, hi, out):
    """``out[k] = kernel((first + k) - start, *args)`` for ``lo <= k < hi``: a plain loop."""
    # A view indexed from 0: out[k] with k from lo would be checked for a
    # negative index on each step, which cost the vectorized cosine loop 25%.
    view = out[lo:hi]
    for j in range(view.shape[0]):
        view[j] = kernel((first + (lo + j)) - start, *args)


@jit(inline="always")
def first_in_phase(phase_at, args, phase, first, start, lo, hi):
    """The least ``k`` in ``[lo, hi]`` whose step ``(first + k) - start`` is in ``phase`` or later.

    ``phase_at(step, *args)`` is a kernel's own phase test, nondecreasing in
    the step (as ``(first + k) - start`` is in ``k``), so the table drivers
    split a table exactly where the kernel changes phase, by bisection
    (``hi`` if no step gets there).
    """
    while lo < hi:
        mid = (lo + hi) // 2
        if phase_at((first + mid) - start, *args) >= phase:
            hi = mid
        else:
            lo = mid + 1
    return lo


@jit(inline="always")
def cos_steps(kernel, args, libm_cos, first, start, lo, hi, out):
    """:func:`steps` of a cosine family; ``args`` without its trailing ``libm_cos``.

    The choice is made here, once: with ``libm_cos`` 0 the kernel takes its
    default (a constant), so the loop has no branch on it and vectorizes.
    """
    if libm_cos == 0.0:
        steps(kernel, args, first, start, lo, hi, out)
    else:
        steps(kernel, (*args, libm_cos), first, start, lo, hi, out)


@jit(inline="always")
def fill_steps(kind, p, first, start, lo, hi, out):
    """``out[k] = piece_of(kind, p, (first + k) - start)`` for ``lo <= k < hi``, the same bits.

    The family switch of :func:`piece_of` taken once, outside the loop (LLVM
    does not unswitch a loop over a switch this size): each family's loop is
    a plain loop over its kernel, which LLVM vectorizes where the kernel
    allows.  ``p`` is :func:`row_values`; a test holds the switch against
    the registry, like :func:`piece_of`'s.
    """
    if kind == constant.CODE:
        steps(constant.constant_kernel, p[:1], first, start, lo, hi, out)
    elif kind == linear.CODE:
        steps(linear.linear_kernel, p[:4], first, start, lo, hi, out)
    elif kind == step_decay.CODE:
        steps(step_decay.step_decay_kernel, p[:3], first, start, lo, hi, out)
    elif kind == exponential.CODE:
        steps(exponential.exponential_kernel, p[:6], first, start, lo, hi, out)
    elif kind == polynomial.CODE:
        if polynomial.squares(p[2], p[5], p[6]):
            # a literal power and the default k_decay: the square, vectorized
            args = (p[0], p[1], 2.0, p[3], p[4])
            steps(polynomial.polynomial_kernel, args, first, start, lo, hi, out)
        else:
            steps(polynomial.polynomial_kernel, p[:7], first, start, lo, hi, out)
    elif kind == cosine.CODE:
        if cosine.at_defaults(p[4], p[5], p[6]):
            # cospi and the default exponent and k_decay (constants): the loop vectorizes
            steps(cosine.cosine_kernel, p[:4], first, start, lo, hi, out)
        else:
            steps(cosine.cosine_kernel, p[:7], first, start, lo, hi, out)
    elif kind == warmup_cosine.CODE:
        # each phase its own loop: the cosine's vectorizes (5x faster)
        split = first_in_phase(warmup_cosine.phase_at, p[:5], 2, first, start, lo, hi)
        steps(warmup_cosine.warmup_phase, p[:5], first, start, lo, split, out)
        cos_steps(warmup_cosine.decay_phase, p[:5], p[5], first, start, split, hi, out)
    elif kind == one_cycle.CODE:
        if p[7] != 0.0:
            # libm's cos (torch's bits): a scalar call, nothing to vectorize
            steps(one_cycle.one_cycle_kernel, p[:8], first, start, lo, hi, out)
        elif p[3] == one_cycle.ANNEAL_LINEAR:
            # the strategy a constant, each phase its own loop: the loops vectorize
            args = (p[0], p[1], p[2], one_cycle.ANNEAL_LINEAR, p[4], p[5], p[6])
            one_cycle_steps(args, first, start, lo, hi, out)
        else:
            args = (p[0], p[1], p[2], one_cycle.ANNEAL_COS, p[4], p[5], p[6])
            one_cycle_steps(args, first, start, lo, hi, out)
    elif kind == cyclic.CODE:
        steps(cyclic.cyclic_kernel, p[:7], first, start, lo, hi, out)
    elif kind == cosine_restarts.CODE:
        cos_steps(
            cosine_restarts.cosine_restarts_kernel, p[:9], p[9], first, start, lo, hi, out
        )
    elif kind == inverse_sqrt.CODE:
        steps(inverse_sqrt.inverse_sqrt_kernel, p[:5], first, start, lo, hi, out)
    elif kind == wsd.CODE:
        cos_steps(wsd.wsd_kernel, p[:8], p[8], first, start, lo, hi, out)
    elif kind == transformers_schedule.CODE:
        steps(transformers_schedule.transformers_schedule_kernel, p[:9], first, start, lo, hi, out)
    elif kind == inverse_time.CODE:
        steps(inverse_time.inverse_time_kernel, p[:4], first, start, lo, hi, out)
    elif kind == tanh.CODE:
        steps(tanh.tanh_kernel, p[:5], first, start, lo, hi, out)
    else:
        for k in range(lo, hi):
            out[k] = math.nan


@jit(inline="always")
def one_cycle_steps(args, first, start, lo, hi, out):
    """:func:`steps` of ``one_cycle`` (cospi), each of its three phases a loop of its own."""
    phase2 = first_in_phase(one_cycle.phase_at, args, 2, first, start, lo, hi)
    phase3 = first_in_phase(one_cycle.phase_at, args, 3, first, start, phase2, hi)
    steps(one_cycle.in_phase, (1, *args), first, start, lo, phase2, out)
    steps(one_cycle.in_phase, (2, *args), first, start, phase2, phase3, out)
    steps(one_cycle.in_phase, (3, *args), first, start, phase3, hi, out)


@jit(inline="always")
def run_length(kind, params, row, step):
    """How many steps from ``step`` on (``step``, ``step + 1``, ...) share its value.

    For the table drivers: ``inf`` for a constant piece, the rest of the
    current stair for ``step_decay`` and for ``exponential`` before its
    ``transition_begin`` or with ``staircase``; 1 (nothing known) otherwise,
    and the drivers then evaluate step by step.
    """
    if kind == constant.CODE:
        return math.inf
    elif kind == step_decay.CODE:
        return step_decay.step_decay_run(step, params[row, 1])
    elif kind == exponential.CODE:
        return exponential.exponential_run(step, params[row, 2], params[row, 3], params[row, 4])
    return 1.0


@jit(inline="always")
def program_at(kinds, params, starts, step, composite):
    """:func:`lr_at` with the composite evaluator ``composite`` (inlined or out of line).

    The arrays are :func:`lrjit._jit.borrowed`: with their reference counts,
    a join's ``lr_at`` ran 2.5x its inlined formula in a user's loop (two
    atomic operations per array per step), and a product 1.9x.
    """
    kinds, params, starts = borrowed(kinds), borrowed(params), borrowed(starts)
    i = kinds.shape[0] - 1
    first = kinds[0]
    if i == 0 and first >= 0:
        # One piece: constant indices, so LLVM can hoist the kind and the
        # parameter loads out of the caller's loop.  Tested before the
        # composite case: the other order cost a linear loop 30%.
        return piece_at(first, params, 0, step - starts[0])
    if first < 0:
        # A composite program (products, warmups, noise: lrjit.kernels.compose)
        return composite(kinds, params, starts, step)
    while i > 0 and step < starts[i]:
        i -= 1
    return piece_of(kinds[i], row_values(params, i), step - starts[i])


@jit(inline="always")
def lr_at(kinds, params, starts, step):
    """The value at ``step`` of the schedule whose program is ``(kinds, params, starts)``.

    >>> import lrjit
    >>> s = lrjit.join([lrjit.constant(1.0), lrjit.constant(0.5)], boundaries=[10])
    >>> lr_at(s.kinds, s.params, s.starts, 12.0)
    0.5
    """
    return program_at(kinds, params, starts, step, composite_at)


@jit(inline="always")
def driver_lr_at(kinds, params, starts, step):
    """:func:`lr_at` for the library's drivers: the same values, composites out of line."""
    return program_at(kinds, params, starts, step, composite_call)


# compose builds on piece_at: imported once piece_at exists (Numba binds the
# global when lr_at compiles, not now).
from .compose import composite_at, composite_call  # noqa: E402
