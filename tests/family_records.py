"""One record per schedule family: the reference that the tests and the benchmarks share.

Adding a family?  Add one :class:`Record` to :data:`RECORDS`, keyed by the factory's
name in ``lrjit.FACTORIES``; the registry-driven tests fail with "add a record for
'name'" until you do.  A record holds

``formula``      ``formula(t, **args)``: the family's documented math written with NumPy,
                 independent of lrjit, taking the factory's own argument names and
                 defaults; ``t`` is a float64 scalar or array
``examples``     valid factory kwargs (edge cases welcome), each tested on every path
``strategy``     a hypothesis strategy drawing valid factory kwargs
``bench``        ``bench(n)``: factory kwargs of the representative schedule whose table
                 of ``n`` steps the benchmarks time (its horizon grows with ``n``, so
                 every step exercises the formula rather than a held tail)
``value_range``  ``value_range(args) -> (lo, hi)``: every value lies in ``[lo, hi]``, for
                 families whose values stay within their configuration's (optional)
``kernel``       ``False`` for a family with no tier-1 kernel of its own (a composition)

:func:`reference` evaluates any schedule (``join`` included) at a step or an array of
steps, :func:`table` is the NumPy counterpart of ``schedule.table(n)`` (the benchmarks'
baseline) and :func:`build` makes a family's benchmark schedule.

One formula serves scalars and arrays.  On a scalar step it gives libm's bits, as the
``math`` module would: NumPy's ``cos`` matches libm on this machine on every path, and
its ``**`` on NumPy *scalars* calls libm's ``pow``, but on arrays (0-d ones included) it
runs NumPy's vectorized ``pow``, up to 1 ulp away (AVX-512).  So :func:`reference` hands
a scalar step to a formula as ``np.float64`` and formulas never wrap it into an array
before a ``**``; the tests compare scalars at ``rel_tol=1e-15``.  Array results agree
with lrjit to rounding (about 1e-15 relative), not bitwise.

This module lives beside the tests, which import it as ``family_records`` (pytest puts
``tests/`` on ``sys.path``); ``benchmarks/__init__.py`` appends ``tests/`` to the path
so the suites, ``python -m benchmarks.compare`` and asv import the same module.

>>> import lrjit
>>> s = lrjit.warmup_cosine(1.0, warmup_steps=10, decay_steps=110)
>>> reference(s, np.array([5.0, 10.0, 60.0, 200.0]))
array([0.5, 1. , 0.5, 0. ])
>>> reference(s, 60)
0.5
>>> bool(np.allclose(table(s, 1000), s.table(1000), rtol=1e-13, atol=0.0))
True
>>> build("cosine", 100)
lrjit.cosine(init_value=0.1, decay_steps=100, end_value=0.001, periodic=False)
"""

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from hypothesis import strategies as st

import lrjit

__all__ = [
    "Record", "RECORDS", "record", "reference", "evaluate", "table", "build",
    "schedules", "steps_for", "MAX_STEPS", "COS_ULPS", "COS_FAMILIES", "assert_cos_close",
    "libm_twin", "uses_cos", "cos_turns",
]

#: The families whose kernels evaluate a cosine (``cospi`` in the core, issue 13).
COS_FAMILIES = ("cosine", "warmup_cosine", "one_cycle", "cosine_restarts", "wsd")

#: How far a core cosine family (``cospi``) may be from the same formula with
#: libm's ``cos(pi * t / T)``: the cosines differ by <= ~3e-16 absolute (cospi
#: is within 1 ulp; libm rounds ``pi * t`` first), scaled by the schedule's span.
COS_ULPS = 4


def assert_cos_close(got, want, what="", scale=None, turns=1.0):
    """``|got - want| <= COS_ULPS`` ulps of ``scale`` (default: the largest ``|want|``).

    For core cosine families against a formula or a peer that uses libm's
    ``cos``: not bitwise (issue 13), but a few ulps of the values' scale,
    never a loose relative tolerance.  ``turns`` is the largest ``|t / T|``:
    libm's ``cos(pi * t / T)`` rounds ``pi * t`` first, an error of up to
    ``pi * |t / T|`` half-ulps in its argument, which the bound adds.
    """
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if scale is None:
        scale = float(np.max(np.abs(want), initial=0.0))
    bound = (COS_ULPS + math.pi * max(turns - 1.0, 0.0)) * 2.0**-52 * scale
    err = np.abs(got - want)
    if not np.all(err <= bound):
        k = int(np.argmax(err))
        raise AssertionError(
            f"{what}: {float(err.flat[k])!r} > {COS_ULPS} ulps of {scale!r} at index {k}: "
            f"{float(got.flat[k])!r} vs {float(want.flat[k])!r}"
        )


def uses_cos(schedule):
    """Whether ``schedule`` or one of its pieces is a cosine family (issue 13's cospi)."""
    pieces = schedule.args.get("schedules", ()) if schedule.family == "join" else ()
    return schedule.family in COS_FAMILIES or any(uses_cos(p) for p in pieces)


def cos_turns(schedule, t):
    """The largest ``|t / T|`` a cosine of ``schedule`` sees up to step ``t`` (for
    :func:`assert_cos_close`): beyond 1 only for a periodic ``cosine``."""
    if schedule.family == "join":
        return max([cos_turns(p, t) for p in schedule.args["schedules"]], default=1.0)
    if schedule.family == "cosine":
        args = dict(schedule.args)
        turns = max(t / args["decay_steps"], 1.0) if args["periodic"] else 1.0
        turns **= args.get("k_decay", 1.0)  # the angle is pi * (t / T)**k
        if args.get("exponent", 1.0) < 1.0:
            # h**e amplifies the cosine's rounding near h = 0 (d(h**e)/dh = e * h**(e - 1))
            turns *= 64.0
        return turns
    return 1.0


def libm_twin(schedule):
    """``schedule`` (one piece of a cosine family) with ``libm_cos = 1`` in its row.

    The program the torch front-end's choice gives: libm's ``cos`` in torch's
    operation order, bitwise equal to torch.
    """
    family = lrjit.families.REGISTRY[schedule.family]
    row = schedule.params[0, : len(family.layout)].tolist()
    row[family.layout.index("libm_cos")] = 1.0
    args = {**schedule.args, "libm_cos": 1.0}
    return family.schedule(args, schedule.horizon, pieces=[(family.code, row, 0.0)])


@dataclass(frozen=True)
class Record:
    """Everything the tests and benchmarks know about one family (see the module doc)."""

    formula: Callable
    examples: tuple
    strategy: st.SearchStrategy
    bench: Callable[[int], dict]
    value_range: Optional[Callable[[dict], tuple]] = None
    kernel: bool = True


def record(name):
    """The record of family ``name``; a ``LookupError`` saying what to add if it has none."""
    try:
        return RECORDS[name]
    except KeyError:
        raise LookupError(f"add a record for {name!r} to tests/family_records.py") from None


def evaluate(family, args, t):
    """``family``'s formula with factory arguments ``args`` at ``t``: a float for a scalar
    step, else a float64 array of ``t``'s shape."""
    formula = record(family).formula
    if np.ndim(t) == 0:
        return float(formula(np.float64(t), **args))
    t = np.asarray(t, dtype=np.float64)
    return np.asarray(formula(t, **args), dtype=np.float64)


def reference(schedule, t):
    """The reference value of any schedule at step ``t`` (a scalar or an array of steps)."""
    return evaluate(schedule.family, schedule.args, t)


def table(schedule, n):
    """Steps ``0 .. n-1``: the NumPy counterpart of ``schedule.table(n)``."""
    return reference(schedule, np.arange(n, dtype=np.float64))


def build(family, n):
    """The :class:`lrjit.Schedule` the benchmarks time for ``family`` over ``n`` steps."""
    return lrjit.FACTORIES[family](**record(family).bench(n))


# -- reference formulas: the documented math, whole-array NumPy expressions ---


def constant(t, value):
    """``value`` everywhere."""
    return np.full(np.shape(t), float(value))


def linear(t, init_value, end_value, transition_steps, transition_begin=0):
    """``init + (end - init) * clip((t - begin) / T, 0, 1)``; exactly ``end`` from ``begin + T``."""
    u = t - transition_begin
    ramp = init_value + (end_value - init_value) * np.clip(u / transition_steps, 0.0, 1.0)
    return np.where(u >= transition_steps, end_value, ramp)


def step_decay(t, init_value, step_size, gamma=0.1):
    """``init * gamma ** floor(t / step_size)`` (torch's StepLR)."""
    return init_value * gamma ** np.floor(t / step_size)


def multistep(t, init_value, milestones, gamma=0.1):
    """``init * gamma ** (number of milestones <= t)``, repeats counted (torch's MultiStepLR)."""
    passed = np.searchsorted(np.sort(np.asarray(milestones, dtype=np.float64)), t, "right")
    return init_value * gamma ** passed.astype(np.float64)


def exponential(t, init_value, gamma=None, transition_steps=1, transition_begin=0,
                staircase=False, end_value=None, decay_rate=None):
    """optax 0.2.8's ``exponential_decay``: ``init`` until ``B``, then ``init * gamma ** p``,
    ``p = (t - B) / T`` (floored with staircase), clipped at ``end_value`` (a floor when
    decaying, a cap when ``gamma > 1``); torch's ``init * gamma ** t`` by default."""
    gamma = decay_rate if gamma is None else gamma
    end_value = end_value or 0.0
    u = t - transition_begin
    p = u / transition_steps
    if staircase:
        p = np.floor(p)
    with np.errstate(over="ignore"):  # gamma ** p before the begin is never chosen
        v = np.where(u <= 0, init_value, init_value * gamma**p)
    return np.minimum(v, end_value) if gamma > 1 else np.maximum(v, end_value)


def polynomial(t, init_value, end_value, power, transition_steps, transition_begin=0,
               k_decay=1.0):
    """``(init - end) * (1 - u / T) ** power + end``, ``u = clip(t - B, 0, T)`` (optax), with
    timm's k-decay ``1 - u**k / T**k``."""
    u = np.clip(t - transition_begin, 0.0, transition_steps)
    if k_decay == 1.0:
        frac = 1.0 - u / transition_steps
    else:
        frac = 1.0 - u**k_decay / transition_steps**k_decay
    return (init_value - end_value) * frac**power + end_value


def _end(end_value, alpha, min_lr_rate, reference):
    """The absolute end value: ``end_value``, or a ratio (``alpha``, ``min_lr_rate``) of
    ``reference``."""
    ratio = alpha if alpha is not None else min_lr_rate
    return ratio * reference if ratio is not None else (end_value or 0.0)


def cosine(t, init_value, decay_steps, end_value=None, alpha=None, min_lr_rate=None,
           periodic=False, exponent=1.0, k_decay=1.0):
    """``end + (init - end) * (1 + cos(pi * t / T)) / 2``, ``t`` held at ``T`` unless periodic;
    optax's ``exponent`` on the half-cosine, timm's k-decay angle ``pi * t**k / T**k``."""
    end_value = _end(end_value, alpha, min_lr_rate, init_value)
    if not periodic:
        t = np.minimum(t, decay_steps)
    if k_decay == 1.0:
        angle = np.pi * t / decay_steps
    else:
        angle = np.pi * t**k_decay / decay_steps**k_decay
    if exponent == 1.0:
        return end_value + (init_value - end_value) * (1.0 + np.cos(angle)) / 2.0
    return end_value + (init_value - end_value) * ((1.0 + np.cos(angle)) / 2.0) ** exponent


def warmup_cosine(t, peak_value, warmup_steps, decay_steps, init_value=0.0, end_value=None,
                  alpha=None, min_lr_rate=None):
    """Linear from ``init`` to ``peak`` over ``W`` steps, then a cosine to ``end`` by
    ``decay_steps`` (optax's convention: ``decay_steps`` counts the warmup); ``end`` may be
    a ratio of the peak (keras' ``alpha``, transformers' ``min_lr_rate``)."""
    end_value = _end(end_value, alpha, min_lr_rate, peak_value)
    decay = cosine(t - warmup_steps, peak_value, decay_steps - warmup_steps, end_value)
    # the warmup line past W (t / 0 when W = 0, or beyond the float range) is never chosen
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        warm = init_value + (peak_value - init_value) * (t / warmup_steps)
    return np.where(t < warmup_steps, warm, decay)


def join(t, schedules, boundaries):
    """Piece ``k`` on its local step ``t - boundaries[k-1]`` from ``boundaries[k-1]`` on."""
    starts = np.array([0.0, *boundaries])
    k = np.searchsorted(starts, t, "right") - 1
    if np.ndim(t) == 0:
        return reference(schedules[k], t - starts[k])
    out = np.empty(np.shape(t))
    for i, piece in enumerate(schedules):
        on = k == i
        out[on] = reference(piece, t[on] - starts[i])
    return out


def _anneal(start, end, pct, strategy):
    """torch's OneCycleLR annealing from ``start`` to ``end`` as ``pct`` goes 0 -> 1."""
    if strategy == "linear":
        return (end - start) * pct + start
    return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)


def one_cycle(
    t, peak_value, total_steps, pct_start=0.3, anneal_strategy="cos", div_factor=25.0,
    final_div_factor=1e4, three_phase=False,
):
    """torch 2.13's OneCycleLR.get_lr at step t (warm up, anneal, optionally back down),
    held at step T - 1 after it."""
    init = peak_value / div_factor
    low = init / final_div_factor
    if three_phase:
        ends = (float(pct_start * total_steps) - 1, float(2 * pct_start * total_steps) - 2,
                total_steps - 1)
        pairs = ((init, peak_value), (peak_value, init), (init, low))
    else:
        ends = (float(pct_start * total_steps) - 1, total_steps - 1)
        pairs = ((init, peak_value), (peak_value, low))
    # masks index arrays, so a scalar step becomes 0-d here: safe, as np.cos is libm's
    t = np.asarray(np.minimum(t, total_steps - 1))
    out = np.empty(t.shape)
    done = np.zeros(t.shape, dtype=bool)
    start = 0.0
    for i, (end, (a, b)) in enumerate(zip(ends, pairs)):
        on = ~done & ((t <= end) | (i == len(ends) - 1))
        out[on] = _anneal(a, b, (t[on] - start) / (end - start), anneal_strategy)
        done |= on
        start = end
    return out


def cyclic(
    t, init_value, peak_value, up_steps, down_steps, mode="triangular", gamma=1.0,
    scale_mode="auto",
):
    """torch 2.13's CyclicLR.get_lr (its built-in scale functions): a triangle wave between
    the two values, scaled per cycle or per step."""
    total = float(up_steps) + float(down_steps)
    ratio = up_steps / total
    cycle = np.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    with np.errstate(divide="ignore", invalid="ignore"):  # ratio = 1: the fall is never chosen
        height = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    if scale_mode == "auto":
        scale_mode = "iterations" if mode == "exp_range" else "cycle"
    n = cycle if scale_mode == "cycle" else t
    if mode == "triangular":
        scale = 1.0
    elif mode == "triangular2":
        scale = 2.0 ** (1 - n)  # 1 / 2 ** (n - 1), without overflow for huge n
    else:
        scale = gamma**n
    return init_value + (peak_value - init_value) * height * scale


def _restart_starts(k, decay_steps, period_mult):
    """Cycle starts ``T0 * (m**k - 1) / (m - 1)`` (``T0 * k`` for ``m = 1``), summed as
    ``T0 * (a + (a - 1) / (m - 1))``, ``a = m**(k - 1)``: exact while ``a`` and the start
    are float64s (``m**k`` itself may pass 2**53 first), with libm's ``pow`` on each
    Python float (NumPy's array ``pow`` may be 1 ulp away)."""
    if period_mult == 1:
        return decay_steps * k
    def start(j):
        a = period_mult ** (j - 1.0)
        return 0.0 if j <= 0 else (a + (a - 1.0) / (period_mult - 1.0)) * decay_steps
    return np.array([start(j) for j in np.ravel(k).tolist()],
                    dtype=np.float64).reshape(np.shape(k))


def cosine_restarts(t, init_value, decay_steps, end_value=None, alpha=None, period_mult=1,
                    cycle_decay=1.0, cycle_limit=None, warmup_steps=0, warmup_init_value=0.0,
                    cycle_decay_mode="peak"):
    """SGDR: cycle ``i`` starts at ``S_i = T0 (m**i - 1) / (m - 1)`` (``T0 i`` for
    ``m = 1``) and lasts ``P_i = T0 m**i``; from its peak ``v_i`` (``init d**i``, or
    ``end + (init - end) d**i`` for ``"amplitude"``) a cosine to ``end`` after a linear
    warmup from ``w0`` over ``W`` steps; ``end`` from cycle ``cycle_limit`` on."""
    end = alpha * init_value if alpha is not None else (end_value or 0.0)
    t0, m, w = float(decay_steps), float(period_mult), float(warmup_steps)
    t = np.asarray(t, dtype=np.float64)
    # the cycle: its definition S_i <= t < S_(i+1), from a first guess
    if m == 1.0:
        i = np.floor(t / t0)
    else:
        i = np.maximum(np.floor(np.log1p(t / t0 * (m - 1.0)) / np.log(m)), 0.0)
    if m == 1.0:
        for _ in range(2):
            i = i - (t < _restart_starts(i, t0, m)) + (t >= _restart_starts(i + 1, t0, m))
        period = np.full(t.shape, t0)
        ks, at = np.unique(i, return_inverse=True) if cycle_decay != 1.0 else (i, None)
    else:
        lo, hi = int(np.min(i, initial=0.0)), int(np.max(i, initial=0.0))
        ks = np.arange(max(lo - 2, 0), hi + 4, dtype=np.float64)  # guesses are off by <= 1
        if ks.size > 3 * i.size + 8:
            ks = np.unique(np.concatenate([np.ravel(i) + d for d in (-1, 0, 1, 2)]).clip(0.0))
        at = np.searchsorted(_restart_starts(ks, t0, m), t, "right") - 1
        i = ks[at]
        # per cycle, libm's pow on Python floats
        period = np.array([t0 * (m ** (k - 1) * m) if k else t0
                           for k in ks.tolist()])[at].reshape(t.shape)
    t_cur = t - _restart_starts(i, t0, m)
    if cycle_decay == 1.0:
        peak, amplitude = init_value, init_value - end
    else:
        gain = np.array([cycle_decay**k for k in ks.tolist()])[at].reshape(t.shape)
        if cycle_decay_mode == "peak":  # timm: the peak decays, the floor stays
            peak = init_value * gain
            amplitude = peak - end
        else:  # keras: the height above the floor decays
            amplitude = (init_value - end) * gain
            peak = end + amplitude
    if w > 0:
        ramp = warmup_init_value + (peak - warmup_init_value) * (t_cur / w)
        cos = end + amplitude * (1 + np.cos(np.pi * (t_cur - w) / (period - w))) / 2
        value = np.where(t_cur < w, ramp, cos)
    else:
        value = end + amplitude * (1 + np.cos(np.pi * t_cur / period)) / 2
    if cycle_limit is not None:
        value = np.where(i >= cycle_limit, end, value)
    return value[()] if value.ndim == 0 else value


def inverse_sqrt(t, peak_value, warmup_steps=0, timescale=None, init_value=0.0,
                 convention="transformers"):
    """Linear warmup, then ``peak * sqrt(tau / (t - W + tau))``: transformers 5.x's
    ``get_inverse_sqrt_schedule`` (``tau`` defaults to W, else 10000) or timm's rsqrt."""
    w = np.float64(warmup_steps)  # NumPy division: W = 0 gives inf, not an exception
    tau = timescale or warmup_steps or 10_000
    with np.errstate(divide="ignore", invalid="ignore"):  # the unchosen branch
        if convention == "transformers":
            warm = init_value + (peak_value - init_value) * (t / w)
            decay = peak_value * (1.0 / np.sqrt((t + (tau - w)) / tau))
        else:
            warm = init_value + t * ((peak_value - init_value) / w)
            decay = peak_value * (1.0 + (t - w) / tau) ** -0.5
    return np.where(t < w, warm, decay)


def _wsd_shape(shape, p, power, ratio):
    """The decay factor at progress ``p``, 1 -> 0 (timm 1.0's ``_decay``, transformers')."""
    if shape == "linear":
        return 1.0 - p
    if shape == "cosine":
        return 0.5 * (1.0 + np.cos(np.pi * p))
    if shape == "1-sqrt":
        return 1.0 - np.sqrt(p)
    if shape == "power":
        return 1.0 - p**power
    return (ratio**p - ratio) / (1.0 - ratio)


def wsd(
    t, peak_value, total_steps=None, warmup_steps=0, decay_steps=None, decay_fraction=None,
    stable_steps=None, init_value=None, end_value=None, min_lr_rate=None, alpha=None,
    warmup_shape="linear", decay_shape=None, decay_power=0.5, decay_ratio=0.1,
    stable_shape="constant", timescale=None, convention="transformers",
):
    """Warmup (rising shape f from init), stable ``v = max(peak * stable(t - W), end)``, decay
    ``end + (v - end) * g(min(p, 1))``: timm 1.0's ``WSDLRScheduler._get_lr`` (its linear warmup
    ``init + t * ((peak - init) / W)``), transformers 5.x's ``_get_wsd_scheduler_lambda``."""
    w = warmup_steps
    d = decay_steps if decay_steps is not None else max(1, math.ceil(decay_fraction * total_steps))
    s = stable_steps if stable_steps is not None else total_steps - w - d
    timm = convention == "timm"
    peak = peak_value
    end = _end(end_value, alpha, min_lr_rate, peak)
    init = init_value if init_value is not None else (0.0 if timm else end)
    w = np.float64(w)  # NumPy division: W = 0 gives inf, not an exception
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if timm:
            warm = init + t * ((peak - init) / w)
        else:
            p = t / w
            rise = {"linear": p, "cosine": 0.5 * (1.0 - np.cos(np.pi * p)),
                    "1-sqrt": 1.0 - np.sqrt(1.0 - p)}[warmup_shape]
            warm = init + (peak - init) * rise
        ts = t - w
        v = peak * (1.0 + ts / (timescale or warmup_steps)) ** -0.5 \
            if stable_shape == "rsqrt" else peak
        v = np.maximum(v, end)
        g = _wsd_shape(decay_shape or ("1-sqrt" if timm else "cosine"),
                       np.minimum((ts - s) / d, 1.0), decay_power, decay_ratio)
        return np.where(t < w, warm, np.where(ts - s <= 0, v, end + (v - end) * g))
def inverse_time(t, init_value, decay_steps, decay_rate, staircase=False):
    """keras 3's ``InverseTimeDecay``: ``init / (1 + rate * p)``, ``p = t / T`` (floored)."""
    p = t / decay_steps
    if staircase:
        p = np.floor(p)
    return init_value / (1.0 + decay_rate * p)


def tanh(t, init_value, decay_steps, end_value=0.0, lower=-7.0, upper=3.0):
    """timm 1.0's ``TanhLRScheduler`` (one cycle): ``end + 0.5 (init - end)(1 - tanh(lb (1 - r)
    + ub r))``, ``r = t / T``; ``end`` from ``T`` on.  Written as the same function
    ``end + (init - end) / (1 + exp(2x))``: timm's ``1 - tanh(x)`` cancels where ``tanh(x)``
    is near 1 (~1e-14 relative at its default ``ub = 3``, every bit from ``x = 19.06``)."""
    r = t / decay_steps
    x2 = 2.0 * (lower * (1.0 - r) + upper * r)
    if np.ndim(x2) == 0:
        e = math.exp(x2) if x2 < 710.0 else math.inf  # libm's exp on a scalar, as math's
    else:
        with np.errstate(over="ignore"):
            e = np.exp(x2)
    value = end_value + (init_value - end_value) / (1.0 + e)
    return np.where(t >= decay_steps, end_value, value)


def _knots(init_value, boundaries_and_scales):
    """optax's knots: steps ``0, b1, b2, ...`` and values ``init, init*s1, init*s1*s2, ...``."""
    items = (boundaries_and_scales.items() if isinstance(boundaries_and_scales, dict)
             else boundaries_and_scales or ())
    pairs = sorted((int(b), float(c)) for b, c in items)
    values = [init_value]
    for _, c in pairs:
        values.append(c * values[-1])
    return [0] + [b for b, _ in pairs], values


def piecewise_constant(t, init_value=None, boundaries_and_scales=None, boundaries=None,
                       values=None, convention="optax"):
    """optax's ``init * prod(scales of b <= t)``, or keras' ``values[#(b < t)]`` on whole steps
    (lrjit's keras convention: the new value from ``b + 1`` on)."""
    if boundaries is None:
        steps, vals = _knots(init_value, boundaries_and_scales)
        steps = steps[1:]
    else:
        steps, vals = list(boundaries), list(values)
    starts = np.array(steps, dtype=np.float64) + (1.0 if convention == "keras" else 0.0)
    k = np.searchsorted(starts, t, side="right")  # the number of starts <= t
    return np.asarray(vals, dtype=np.float64)[k][()] if np.ndim(t) else vals[int(k)]


def piecewise_interpolate(t, interpolate_type, init_value, boundaries_and_scales=None):
    """optax's ``piecewise_interpolate_schedule``: from knot ``(b, v)`` to ``(b', v')`` by
    ``u = (t - b) / (b' - b)``: ``v + (v' - v) u`` or ``v' + (v - v') (1 + cos(pi u)) / 2``;
    the last value from the last knot on."""
    steps, vals = _knots(init_value, boundaries_and_scales)
    b = np.array(steps, dtype=np.float64)
    v = np.array(vals)
    k = np.clip(np.searchsorted(b, t, side="right") - 1, 0, len(b) - 1)
    last = k >= len(b) - 1
    k1 = np.minimum(k + 1, len(b) - 1)
    length = np.where(last, 1.0, b[k1] - b[k])
    s, e = v[k], v[k1]
    if interpolate_type == "linear":
        value = s + (e - s) * ((t - b[k]) / length)
    else:
        value = e + (s - e) * (1.0 + np.cos(np.pi * (t - b[k]) / length)) / 2.0
    out = np.where(last, v[-1], value)
    return out[()] if np.ndim(out) == 0 and np.ndim(t) == 0 else out



def transformers_schedule(
    t, name, num_warmup_steps=None, num_training_steps=None, num_cycles=None, min_lr_rate=None,
    power=None, lr_init=None, lr_end=None, warmup_lr_rate=None,
):
    """transformers 5.24's ``LambdaLR`` lambdas (``transformers/optimization.py``), typed out:
    warmup ``t / max(1, W)``, then per ``name`` the multiplier of the base lr (None:
    transformers' defaults)."""
    w = float(num_warmup_steps or 0)
    total = float(num_training_steps if num_training_steps is not None else w)
    span = max(1.0, total - w)
    m = min_lr_rate or 0.0
    if num_cycles is None:
        num_cycles = 1.0 if name == "cosine_with_restarts" else 0.5
    power = 1.0 if power is None else power
    lr_end = 1e-7 if lr_end is None else lr_end
    warm = t / max(1.0, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == "constant":
            return np.full(np.shape(t), 1.0)
        if name == "constant_with_warmup":
            after = np.full(np.shape(t), 1.0)
        elif name == "linear":
            after = np.maximum(0.0, (total - t) / span)
        elif name in ("cosine", "cosine_with_min_lr"):
            p = (t - w) / span
            f = 0.5 * (1.0 + np.cos(np.pi * num_cycles * 2.0 * p))
            after = np.maximum(0.0, f * (1.0 - m) + m)
        elif name == "cosine_with_restarts":
            p = (t - w) / span
            f = 0.5 * (1.0 + np.cos(np.pi * ((num_cycles * p) % 1.0)))
            after = np.where(p >= 1.0, 0.0, np.maximum(0.0, f))
        elif name == "polynomial":
            pct_remaining = np.maximum(1.0 - (t - w) / (total - w), 0.0)
            decay = (lr_init - lr_end) * pct_remaining**power + lr_end
            after = np.where(t > total, lr_end / lr_init, decay / lr_init)
        else:  # cosine_warmup_with_min_lr: counted from step + 1
            if warmup_lr_rate is None:
                warm = (t + 1.0) / max(1.0, w)
            else:
                warm = warmup_lr_rate + (1.0 - warmup_lr_rate) * t / max(1.0, w - 1.0)
            p = (t - w + 1.0) / span
            f = 0.5 * (1.0 + np.cos(np.pi * num_cycles * 2.0 * p))
            after = np.maximum(0.0, f * (1.0 - m) + m)
        return np.where(t < w, warm, after)

# -- value ranges: every value lies in [lo, hi] (up to rounding) ------------


def _span(*values):
    return min(values), max(values)


def _join_range(kw):
    spans = [record(s.family).value_range(s.args) for s in kw["schedules"]]
    return min(lo for lo, _ in spans), max(hi for _, hi in spans)


# -- hypothesis strategies of valid kwargs ----------------------------------

MAX_STEPS = 2**53

# learning rates: realistic ones, extremes and anything in the accepted range
values = st.one_of(
    st.floats(0.0, 10.0),
    st.sampled_from([0.0, 5e-324, 1e-300, 1.0, 1e300]),
    st.floats(0.0, 1e300),
)
# step counts: mostly small (tables stay cheap), sometimes up to 2**53
counts = st.one_of(st.integers(1, 1000), st.integers(1, MAX_STEPS))
counts0 = st.one_of(st.integers(0, 1000), st.integers(0, MAX_STEPS - 1))
decays = st.one_of(
    st.floats(0.0, 1.0, exclude_min=True), st.sampled_from([5e-324, 1.0 - 2**-53, 1.0])
)


def _warmup_cosine_kwargs(a):
    peak, warm, extra, init, end = a
    return dict(
        peak_value=peak,
        warmup_steps=warm,
        decay_steps=min(warm + extra, MAX_STEPS),
        init_value=init,
        end_value=end,
    )


def _join_kwargs(children):
    """kwargs for ``join`` over 1-4 schedules drawn from ``children``."""
    return st.lists(children, min_size=1, max_size=4).flatmap(
        lambda scheds: st.lists(
            st.integers(1, 10_000) | st.integers(1, MAX_STEPS),
            min_size=len(scheds) - 1,
            max_size=len(scheds) - 1,
            unique=True,
        )
        .map(lambda bs: dict(schedules=scheds, boundaries=sorted(bs)))
        # every switch step stays within 2**53 (join refuses the rest)
        .filter(lambda kw: not kw["boundaries"]
                or kw["boundaries"][-1] + int(kw["schedules"][-1].starts[-1]) <= MAX_STEPS)
    )


def schedules():
    """Any valid schedule, nested joins included."""
    leaves = st.sampled_from(sorted(n for n, r in RECORDS.items() if r.kernel)).flatmap(
        lambda name: RECORDS[name].strategy.map(lambda kw: lrjit.FACTORIES[name](**kw))
    )
    return st.recursive(
        leaves, lambda children: _join_kwargs(children).map(lambda kw: lrjit.join(**kw)),
        max_leaves=6,
    )


def _inverse_sqrt_kwargs(a):
    peak, warm, tau, init, conv = a
    if conv == "timm" and warm == 0 and tau is None:
        tau = 1
    return dict(peak_value=peak, warmup_steps=warm, timescale=tau, init_value=init,
                convention=conv)


def _wsd_kwargs(a):
    peak, w, s, d, end, init, shapes, conv, frac = a
    warmup_shape, decay_shape, rsqrt = shapes
    kw = dict(peak_value=peak, warmup_steps=w, convention=conv)
    if frac is None:
        kw.update(stable_steps=s, decay_steps=d)
    else:
        kw.update(total_steps=w + s + d, decay_fraction=frac)
    kw.update(init_value=init, decay_shape=decay_shape, decay_power=2.0, decay_ratio=0.05)
    if rsqrt:
        kw.update(stable_shape="rsqrt", timescale=min(w, 2**50) or 7)  # the kernel row holds tau <= 2**50
    if conv == "timm":
        kw.update(end_value=end)
    else:
        kw.update(warmup_shape=warmup_shape, min_lr_rate=min(end, 1.0))
    return kw


def _wsd_range(kw):
    end = kw.get("end_value") or 0.0
    if kw.get("min_lr_rate") is not None:
        end = kw["min_lr_rate"] * kw["peak_value"]
    return _span(kw.get("init_value") or 0.0, kw["peak_value"], end)


def _transformers_kwargs(a):
    name, w, extra, cycles, rate, wrate, power, lrs = a
    kw = dict(name=name)
    if name == "constant":
        return kw
    kw["num_warmup_steps"] = w
    if name == "constant_with_warmup":
        return kw
    # T >= max(W, 1); the polynomial decays over T - W >= 1 steps
    kw["num_training_steps"] = min(w + max(extra, w == 0) + (name == "polynomial"), MAX_STEPS)
    if name in ("cosine", "cosine_with_min_lr", "cosine_with_restarts",
                "cosine_warmup_with_min_lr"):
        kw["num_cycles"] = cycles
    if name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        kw["min_lr_rate"] = rate
    if name == "cosine_warmup_with_min_lr" and wrate is not None:
        kw["warmup_lr_rate"] = wrate
    if name == "polynomial":
        kw.update(power=power, lr_init=max(lrs), lr_end=min(lrs))
    return kw


def _restarts_kwargs(a):
    init, t0, end, alpha, m, decay, limit, warm, w0, mode = a
    kw = dict(init_value=init, decay_steps=t0, period_mult=m, cycle_decay=decay,
              cycle_limit=limit, warmup_steps=min(warm, math.ceil(t0) - 1),
              warmup_init_value=w0, cycle_decay_mode=mode)
    if alpha is None:
        kw["end_value"] = end
    else:
        kw["alpha"] = alpha
    return kw


def _restarts_range(kw):
    end = kw["alpha"] * kw["init_value"] if kw.get("alpha") is not None \
        else kw.get("end_value") or 0.0
    w0 = kw.get("warmup_init_value", 0.0) if kw.get("warmup_steps") else end
    # timm's decay takes the peaks towards 0, keras' towards the floor
    low = 0.0 if kw.get("cycle_decay", 1.0) < 1.0 and kw.get("cycle_decay_mode", "peak") \
        == "peak" else kw["init_value"]
    return _span(low, kw["init_value"], end, w0)


def _warm(n):
    """The benchmarks' warmup length for a horizon of ``n`` steps."""
    return max(n // 20, 1)


# -- the records -------------------------------------------------------------

RECORDS = {
    "constant": Record(
        formula=constant,
        examples=(
            dict(value=0.1),
            dict(value=0.0),
            dict(value=1e300),
        ),
        strategy=st.fixed_dictionaries({"value": values}),
        bench=lambda n: dict(value=0.1),
        value_range=lambda kw: _span(kw["value"]),
    ),
    "linear": Record(
        formula=linear,
        examples=(
            dict(init_value=0.1, end_value=0.0, transition_steps=100),
            dict(init_value=0.0, end_value=1.0, transition_steps=7, transition_begin=13),
            dict(init_value=0.3, end_value=0.3, transition_steps=1),
        ),
        strategy=st.fixed_dictionaries(
            {
                "init_value": values,
                "end_value": values,
                "transition_steps": counts,
                "transition_begin": counts0,
            }
        ),
        bench=lambda n: dict(init_value=0.0, end_value=0.1, transition_steps=n),
        value_range=lambda kw: _span(kw["init_value"], kw["end_value"]),
    ),
    "step_decay": Record(
        formula=step_decay,
        examples=(
            dict(init_value=1.0, step_size=10, gamma=0.5),
            dict(init_value=0.1, step_size=3),
            dict(init_value=3e-4, step_size=1, gamma=0.9),
        ),
        strategy=st.fixed_dictionaries(
            {"init_value": values, "step_size": counts, "gamma": decays}
        ),
        bench=lambda n: dict(init_value=0.1, step_size=max(n // 10, 1), gamma=0.5),
        # decays with gamma in (0, 1]: from init_value down towards 0
        value_range=lambda kw: _span(0.0, kw["init_value"]),
    ),
    "multistep": Record(
        formula=multistep,
        examples=(
            dict(init_value=1.0, milestones=[30, 10, 20, 20], gamma=0.5),
            dict(init_value=0.1, milestones=[0, 5]),
            dict(init_value=0.1, milestones=[]),
            dict(init_value=2.0, milestones=[3], gamma=1.5),
        ),
        strategy=st.fixed_dictionaries(
            {
                "init_value": values,
                "milestones": st.lists(st.integers(0, 1000) | counts0, max_size=6),
                "gamma": decays | st.floats(1.0, 10.0),
            }
        ).filter(lambda kw: kw["init_value"] * kw["gamma"] ** len(kw["milestones"]) <= 1e300),
        bench=lambda n: dict(init_value=0.1, milestones=[n // 4, n // 2, 3 * n // 4], gamma=0.1),
        # gamma may exceed 1 here: the extremes are init and init * gamma**len(milestones)
        value_range=lambda kw: _span(
            kw["init_value"], kw["init_value"] * kw["gamma"] ** len(kw["milestones"])
        ),
    ),
    "exponential": Record(
        formula=exponential,
        examples=(
            dict(init_value=1.0, gamma=0.5),
            dict(init_value=0.1, gamma=0.99),
            dict(init_value=0.1, gamma=1.0),
            # optax's form: a staircase after a delay, a floor, capped growth (a range test)
            dict(init_value=1.0, gamma=0.5, transition_steps=10, transition_begin=5,
                 staircase=True),
            dict(init_value=0.1, decay_rate=0.9, transition_steps=3, end_value=0.05),
            dict(init_value=1e-6, gamma=10.0, transition_steps=100, end_value=1.0),
            dict(init_value=0.5, gamma=1.5, transition_steps=2, staircase=True, end_value=3.0,
                 transition_begin=4),
        ),
        strategy=st.one_of(
            st.fixed_dictionaries({"init_value": values, "gamma": decays}),
            st.fixed_dictionaries(
                {"init_value": values, "gamma": decays, "transition_steps": counts,
                 "transition_begin": counts0, "staircase": st.booleans(), "end_value": values}),
            st.fixed_dictionaries(
                {"init_value": st.floats(1e-300, 10.0),
                 "gamma": st.floats(1.0, 1e3, exclude_min=True),
                 "transition_steps": counts, "transition_begin": counts0,
                 "staircase": st.booleans(), "end_value": values.filter(lambda v: v > 0)}),
        ),
        bench=lambda n: dict(init_value=0.1, gamma=0.01 ** (1.0 / n)),
        value_range=lambda kw: _span(0.0, kw["init_value"], kw.get("end_value", 0.0)),
    ),
    "polynomial": Record(
        formula=polynomial,
        examples=(
            dict(init_value=1.0, end_value=0.0, power=2.0, transition_steps=100),
            dict(init_value=0.1, end_value=0.01, power=0.5, transition_steps=30),
            dict(init_value=0.01, end_value=0.1, power=1.0, transition_steps=9),
            dict(init_value=1.0, end_value=0.5, power=0.0, transition_steps=10),
            dict(init_value=1.0, end_value=0.0, power=2.0, transition_steps=30,
                 transition_begin=12),
            dict(init_value=0.1, end_value=0.001, power=1.0, transition_steps=50, k_decay=2.0),
        ),
        strategy=st.fixed_dictionaries(
            {
                "init_value": values,
                "end_value": values,
                "power": st.floats(0.0, 5.0) | st.sampled_from([0.0, 1.0, 1e6]),
                "transition_steps": counts,
            },
            optional={"transition_begin": st.integers(0, 1000),
                      "k_decay": st.floats(0.1, 10.0) | st.sampled_from([1.0, 0.5, 2.0])},
        ).filter(lambda kw: kw.get("transition_begin", 0) + kw["transition_steps"] <= MAX_STEPS),
        bench=lambda n: dict(init_value=0.1, end_value=0.001, power=2.0, transition_steps=n),
        value_range=lambda kw: _span(kw["init_value"], kw["end_value"]),
    ),
    "cosine": Record(
        formula=cosine,
        examples=(
            dict(init_value=1.0, decay_steps=100),
            dict(init_value=0.1, decay_steps=50, end_value=0.01, periodic=True),
            dict(init_value=1.0, decay_steps=1, end_value=0.5),
            dict(init_value=0.01, decay_steps=40, end_value=0.1),
            dict(init_value=1.0, decay_steps=100, alpha=0.1, exponent=2.0),
            dict(init_value=0.1, decay_steps=60, end_value=1e-3, k_decay=0.5),
            dict(init_value=0.2, decay_steps=30, min_lr_rate=0.25),
            dict(init_value=0.1, decay_steps=60, k_decay=2.0, exponent=0.5, periodic=True),
        ),
        strategy=st.fixed_dictionaries(
            {
                "init_value": values,
                "decay_steps": counts,
                "end_value": values,
                "periodic": st.booleans(),
            },
            optional={"exponent": st.floats(0.1, 5.0) | st.sampled_from([1.0, 2.0]),
                      "k_decay": st.floats(0.1, 5.0) | st.sampled_from([1.0, 2.0])},
        ),
        bench=lambda n: dict(init_value=0.1, decay_steps=n, end_value=0.001),
        value_range=lambda kw: _span(kw["init_value"], _end(kw.get("end_value"), kw.get("alpha"),
                                                          kw.get("min_lr_rate"), kw["init_value"])),
    ),
    "warmup_cosine": Record(
        formula=warmup_cosine,
        examples=(
            dict(peak_value=1.0, warmup_steps=10, decay_steps=110),
            dict(peak_value=0.1, warmup_steps=0, decay_steps=50, end_value=0.001),
            dict(peak_value=1.0, warmup_steps=5, decay_steps=20, init_value=0.1, end_value=0.2),
            dict(peak_value=3e-4, warmup_steps=500, decay_steps=2000),
            # the end value as a ratio of the peak (keras' alpha, transformers' min_lr_rate)
            dict(peak_value=0.5, warmup_steps=3, decay_steps=40, alpha=0.1),
            dict(peak_value=0.5, warmup_steps=3, decay_steps=40, init_value=0.2, min_lr_rate=0.3),
        ),
        strategy=st.tuples(values, counts0, counts, values, values).map(_warmup_cosine_kwargs),
        bench=lambda n: dict(
            peak_value=0.1, warmup_steps=_warm(n), decay_steps=n, end_value=0.001
        ),
        value_range=lambda kw: _span(
            kw.get("init_value", 0.0), kw["peak_value"],
            _end(kw.get("end_value"), kw.get("alpha"), kw.get("min_lr_rate"), kw["peak_value"])),
    ),
    "join": Record(
        formula=join,
        examples=(
            # warmup then cosine, each on its local step
            dict(
                schedules=[lrjit.linear(0.0, 1.0, 10), lrjit.cosine(1.0, 100)],
                boundaries=[10],
            ),
            # a nested join as the first piece
            dict(
                schedules=[
                    lrjit.join([lrjit.constant(1.0), lrjit.step_decay(1.0, 5, gamma=0.5)], [7]),
                    lrjit.exponential(0.5, 0.9),
                ],
                boundaries=[30],
            ),
            # a nested join cut off by the outer boundary (its last piece never runs)
            dict(
                schedules=[
                    lrjit.join(
                        [lrjit.constant(1.0), lrjit.constant(0.5), lrjit.constant(0.25)],
                        [5, 40],
                    ),
                    lrjit.multistep(0.2, [3, 6]),
                ],
                boundaries=[20],
            ),
            # a nested join as a later piece, two levels deep
            dict(
                schedules=[
                    lrjit.constant(0.3),
                    lrjit.join(
                        [
                            lrjit.warmup_cosine(1.0, 3, 12, init_value=0.1, end_value=0.05),
                            lrjit.join(
                                [
                                    lrjit.polynomial(0.5, 0.0, 2.0, 9),
                                    lrjit.cosine(0.2, 8, end_value=0.0, periodic=True),
                                ],
                                [4],
                            ),
                        ],
                        [15],
                    ),
                ],
                boundaries=[4],
            ),
            # a single piece
            dict(schedules=[lrjit.cosine(1.0, 10, end_value=0.1)], boundaries=[]),
        ),
        strategy=st.deferred(lambda: _join_kwargs(schedules())),
        # a linear warmup joined to a cosine: the composed form of warmup_cosine
        bench=lambda n: dict(
            schedules=[
                lrjit.linear(init_value=0.0, end_value=0.1, transition_steps=_warm(n)),
                lrjit.cosine(init_value=0.1, decay_steps=n - _warm(n), end_value=0.001),
            ],
            boundaries=[_warm(n)],
        ),
        value_range=_join_range,
        kernel=False,
    ),
    "one_cycle": Record(
        formula=one_cycle,
        examples=(
            dict(peak_value=1.0, total_steps=100),
            dict(
                peak_value=0.1, total_steps=37, pct_start=0.25, anneal_strategy="linear",
                div_factor=10.0, final_div_factor=100.0, three_phase=True,
            ),
            # pct_start=0: the rise ends before step 0 (torch's phase 1 is empty)
            dict(peak_value=3e-4, total_steps=10, pct_start=0.0),
            # the fall is empty: torch would divide by zero at step T, lrjit holds from T - 1
            dict(peak_value=1.0, total_steps=7, pct_start=1.0, anneal_strategy="linear"),
            # three phases whose second phase outlasts the cycle
            dict(peak_value=2.0, total_steps=20, pct_start=0.8, three_phase=True),
        ),
        strategy=st.fixed_dictionaries(
            {
                "peak_value": values,
                "total_steps": counts,
                "pct_start": st.floats(0.0, 1.0) | st.sampled_from([0.0, 0.5, 1.0]),
                "anneal_strategy": st.sampled_from(["cos", "linear"]),
                "div_factor": st.floats(1e-3, 1e6) | st.sampled_from([1.0, 25.0]),
                "final_div_factor": st.floats(1e-3, 1e6) | st.sampled_from([1.0, 1e4]),
                "three_phase": st.booleans(),
            }
        ).filter(
            lambda kw: kw["pct_start"] * kw["total_steps"] != 1.0
            and kw["peak_value"] / kw["div_factor"] <= 1e300
            and kw["peak_value"] / kw["div_factor"] / kw["final_div_factor"] <= 1e300
            # torch's cos annealing halves then doubles: below the normal range that
            # rounds past the end points by more than the range check's relative slack
            and (
                kw["peak_value"] == 0.0
                or kw["peak_value"] / kw["div_factor"] / kw["final_div_factor"] >= 2.3e-308
                and kw["peak_value"] >= 2.3e-308
            )
        ),
        bench=lambda n: dict(peak_value=0.1, total_steps=n),
        value_range=lambda kw: _span(
            kw["peak_value"],
            kw["peak_value"] / kw.get("div_factor", 25.0),
            kw["peak_value"] / kw.get("div_factor", 25.0) / kw.get("final_div_factor", 1e4),
        ),
    ),
    "cyclic": Record(
        formula=cyclic,
        examples=(
            dict(init_value=0.01, peak_value=0.1, up_steps=10, down_steps=10),
            dict(init_value=0.1, peak_value=0.5, up_steps=3, down_steps=7, mode="triangular2"),
            dict(init_value=0.0, peak_value=1.0, up_steps=4, down_steps=0, mode="exp_range",
                 gamma=0.99),
            # falling below the start, exp_range scaled per cycle
            dict(init_value=0.5, peak_value=0.1, up_steps=5, down_steps=2, mode="exp_range",
                 gamma=0.9, scale_mode="cycle"),
            dict(init_value=0.2, peak_value=0.4, up_steps=1, down_steps=1, mode="triangular2",
                 scale_mode="iterations"),
        ),
        strategy=st.fixed_dictionaries(
            {
                "init_value": values,
                "peak_value": values,
                "up_steps": counts,
                "down_steps": counts0,
                "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
                "gamma": decays,
                "scale_mode": st.sampled_from(["auto", "cycle", "iterations"]),
            }
        ),
        bench=lambda n: dict(
            init_value=0.001, peak_value=0.1, up_steps=_warm(n), down_steps=_warm(n)
        ),
        value_range=lambda kw: _span(kw["init_value"], kw["peak_value"]),
    ),
    "cosine_restarts": Record(
        formula=cosine_restarts,
        examples=(
            # first, every parameter spelled (test_validation's junk goes into each); the
            # lengths and the multiplier are real here: whole numbers are not required
            dict(init_value=0.1, decay_steps=10.5, period_mult=1.5, cycle_decay=0.5,
                 cycle_limit=4, end_value=0.01, warmup_steps=2, warmup_init_value=0.001,
                 cycle_decay_mode="amplitude"),
            dict(init_value=1.0, decay_steps=10),
            dict(init_value=0.1, decay_steps=7, end_value=0.001, period_mult=2),
            dict(init_value=0.01, decay_steps=1, end_value=0.1, period_mult=3),
            dict(init_value=0.1, decay_steps=10, period_mult=1.5, cycle_decay=0.5,
                 cycle_limit=4, end_value=0.01),  # timm's CosineLRScheduler
            dict(init_value=0.1, decay_steps=8, period_mult=2.0, cycle_decay=0.8, alpha=0.1,
                 cycle_decay_mode="amplitude"),  # keras' CosineDecayRestarts
            dict(init_value=1.0, decay_steps=12, warmup_steps=3, warmup_init_value=0.1,
                 end_value=0.05, cycle_limit=3),  # optax's sgdr_schedule
            dict(init_value=1.0, decay_steps=100 / 3, cycle_limit=3),  # transformers' cycles
            dict(init_value=0.5, decay_steps=1, period_mult=1 + 2**-20, cycle_decay=0.999),
        ),
        strategy=st.tuples(
            values,
            counts | st.floats(1.0, 1000.0) | st.floats(1.0, float(MAX_STEPS)),
            values,
            st.none() | st.floats(0.0, 1.0),
            st.integers(1, 4) | st.integers(1, MAX_STEPS)
            | st.floats(1.0 + 2**-20, 4.0) | st.sampled_from([1.0, 1.5, 1.0 + 2**-20, 2.0**53]),
            decays,
            st.none() | st.integers(1, 50) | st.integers(1, MAX_STEPS),
            st.integers(0, 1000) | st.integers(0, MAX_STEPS),
            values,
            st.sampled_from(["peak", "amplitude"]),
        ).map(_restarts_kwargs),
        bench=lambda n: dict(
            init_value=0.1, decay_steps=max(n // 16, 1), end_value=0.001, period_mult=2
        ),
        value_range=_restarts_range,
    ),
    "inverse_sqrt": Record(
        formula=inverse_sqrt,
        examples=(
            dict(peak_value=1.0, warmup_steps=100),
            dict(peak_value=3e-4, warmup_steps=4000, timescale=10_000, init_value=1e-6),
            dict(peak_value=0.1),
            dict(peak_value=0.5, warmup_steps=10, convention="timm", init_value=0.01),
            dict(peak_value=0.5, warmup_steps=0, timescale=3, convention="timm"),
        ),
        strategy=st.tuples(
            values, counts0, st.none() | counts, values,
            st.sampled_from(["transformers", "timm"]),
        ).map(_inverse_sqrt_kwargs),
        bench=lambda n: dict(peak_value=0.1, warmup_steps=_warm(n)),
        value_range=lambda kw: _span(0.0, kw["peak_value"], kw.get("init_value", 0.0)),
    ),
    "wsd": Record(
        formula=wsd,
        examples=(
            dict(peak_value=1.0, total_steps=200, warmup_steps=10, decay_steps=40),
            dict(peak_value=0.1, total_steps=100, warmup_steps=5, decay_fraction=0.2,
                 warmup_shape="cosine", decay_shape="1-sqrt", min_lr_rate=0.1),
            dict(peak_value=0.1, stable_steps=0, warmup_steps=3, decay_steps=9,
                 warmup_shape="1-sqrt", decay_shape="linear", end_value=0.01),
            dict(peak_value=1.0, total_steps=60, warmup_steps=10, decay_steps=20,
                 convention="timm", init_value=0.1, end_value=0.05),
            dict(peak_value=1.0, total_steps=60, warmup_steps=10, decay_steps=20,
                 convention="timm", decay_shape="power", decay_power=2.0),
            dict(peak_value=1.0, total_steps=60, warmup_steps=0, decay_steps=60,
                 convention="timm", decay_shape="exponential", decay_ratio=0.05),
            dict(peak_value=1.0, total_steps=80, warmup_steps=10, decay_steps=20,
                 convention="timm", stable_shape="rsqrt", decay_shape="linear",
                 end_value=0.01),
        ),
        strategy=st.tuples(
            values, counts0, st.integers(0, 1000) | counts0, st.integers(1, 1000),
            st.floats(0.0, 1.0), values,
            st.tuples(st.sampled_from(["linear", "cosine", "1-sqrt"]),
                      st.sampled_from(["linear", "cosine", "1-sqrt", "power", "exponential"]),
                      st.booleans()),
            st.sampled_from(["transformers", "timm"]),
            st.none() | st.floats(0.01, 1.0),
        ).filter(lambda a: a[1] + a[2] + a[3] <= MAX_STEPS).map(_wsd_kwargs).filter(
            # a decay fraction of the total must leave the warmup its steps
            lambda kw: "decay_fraction" not in kw
            or math.ceil(kw["decay_fraction"] * kw["total_steps"]) + kw["warmup_steps"]
            <= kw["total_steps"]),
        bench=lambda n: dict(peak_value=0.1, total_steps=n, warmup_steps=_warm(n),
                             decay_fraction=0.2),
        value_range=_wsd_range,
    ),
    "transformers_schedule": Record(
        formula=transformers_schedule,
        examples=(
            dict(name="linear", num_warmup_steps=10, num_training_steps=110),
            dict(name="cosine", num_warmup_steps=0, num_training_steps=100),
            dict(name="cosine", num_warmup_steps=5, num_training_steps=5, num_cycles=1.25),
            dict(name="cosine_with_min_lr", num_warmup_steps=3, num_training_steps=40,
                 min_lr_rate=0.1),
            dict(name="cosine_with_restarts", num_warmup_steps=4, num_training_steps=64,
                 num_cycles=3),
            dict(name="polynomial", num_warmup_steps=2, num_training_steps=30, lr_init=1e-3,
                 lr_end=1e-5, power=2.0),
            dict(name="cosine_warmup_with_min_lr", num_warmup_steps=6, num_training_steps=50,
                 min_lr_rate=0.05),
            dict(name="cosine_warmup_with_min_lr", num_warmup_steps=6, num_training_steps=50,
                 min_lr_rate=0.05, warmup_lr_rate=0.1),
            dict(name="constant_with_warmup", num_warmup_steps=7),
            dict(name="constant"),
        ),
        strategy=st.tuples(
            st.sampled_from(["constant", "constant_with_warmup", "linear", "cosine",
                             "cosine_with_min_lr", "cosine_with_restarts", "polynomial",
                             "cosine_warmup_with_min_lr"]),
            counts0, st.integers(0, 1000) | counts0,
            st.floats(0.01, 10.0) | st.integers(1, 5), st.floats(0.0, 1.0),
            st.none() | st.floats(0.0, 1.0), st.floats(0.1, 4.0),
            st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)).filter(lambda ab: ab[0] != ab[1]),
        ).filter(lambda a: a[1] + a[2] + 1 <= MAX_STEPS).map(_transformers_kwargs),
        bench=lambda n: dict(name="cosine", num_warmup_steps=_warm(n), num_training_steps=n),
        # cosine_warmup_with_min_lr's warmup passes 1 between integer steps (t + 1) / W
        value_range=lambda kw: (0.0, 2.0 if kw["name"] == "cosine_warmup_with_min_lr" else 1.0),
    ),
    "inverse_time": Record(
        formula=inverse_time,
        examples=(
            dict(init_value=0.1, decay_steps=100, decay_rate=0.5),
            dict(init_value=1.0, decay_steps=7, decay_rate=2.0, staircase=True),
            dict(init_value=0.3, decay_steps=1, decay_rate=1e300),
        ),
        strategy=st.fixed_dictionaries(
            {"init_value": values, "decay_steps": counts,
             "decay_rate": st.floats(1e-6, 100.0) | st.sampled_from([1e-300, 1e300]),
             "staircase": st.booleans()}
        ),
        bench=lambda n: dict(init_value=0.1, decay_steps=max(n // 10, 1), decay_rate=0.5),
        value_range=lambda kw: _span(0.0, kw["init_value"]),
    ),
    "tanh": Record(
        formula=tanh,
        examples=(
            dict(init_value=0.1, decay_steps=100),
            dict(init_value=1.0, decay_steps=40, end_value=0.01, lower=-1.0, upper=1.0),
            dict(init_value=0.01, decay_steps=1, end_value=0.1),
        ),
        strategy=st.fixed_dictionaries(
            {"init_value": values, "decay_steps": counts, "end_value": values,
             "lower": st.floats(-20.0, -0.5), "upper": st.floats(0.0, 20.0)}
        ),
        bench=lambda n: dict(init_value=0.1, decay_steps=n, end_value=0.001),
        value_range=lambda kw: _span(kw["init_value"], kw.get("end_value", 0.0)),
    ),
    "piecewise_constant": Record(
        formula=piecewise_constant,
        examples=(
            dict(init_value=1.0, boundaries_and_scales={100: 0.1, 200: 0.01}),
            dict(init_value=0.5, boundaries_and_scales=[[0, 0.5], [3, 2.0], [7, 0.0]]),
            dict(init_value=0.3, boundaries_and_scales={}),
            dict(boundaries=[10, 25], values=[1.0, 0.5, 0.1]),
            dict(boundaries=[0, 4], values=[0.2, 0.4, 0.1], convention="keras"),
        ),
        strategy=st.one_of(
            st.fixed_dictionaries({
                "init_value": st.floats(0.0, 10.0),
                "boundaries_and_scales": st.dictionaries(
                    st.integers(0, 1000) | counts0, st.floats(0.0, 10.0), max_size=5),
            }, optional={"convention": st.sampled_from(["optax", "keras"])}),
            st.integers(0, 5).flatmap(lambda n: st.fixed_dictionaries({
                "boundaries": st.lists(st.integers(0, 1000) | counts0, min_size=n, max_size=n,
                                       unique=True).map(sorted),
                "values": st.lists(values, min_size=n + 1, max_size=n + 1),
            }, optional={"convention": st.sampled_from(["optax", "keras"])})),
        ),
        bench=lambda n: dict(init_value=0.1, boundaries_and_scales={n // 4: 0.5, n // 2: 0.2,
                                                                    3 * n // 4: 0.1}),
        value_range=lambda kw: _span(*(kw["values"] if "values" in kw else _knots(
            kw["init_value"], kw["boundaries_and_scales"])[1])),
        kernel=False,
    ),
    "piecewise_interpolate": Record(
        formula=piecewise_interpolate,
        examples=(
            dict(interpolate_type="linear", init_value=1.0,
                 boundaries_and_scales={4: 0.1, 8: 0.01}),
            dict(interpolate_type="cosine", init_value=1.0,
                 boundaries_and_scales={4: 0.1, 8: 0.01}),
            dict(interpolate_type="cosine", init_value=0.1, boundaries_and_scales=[[0, 0.5],
                                                                                   [10, 4.0]]),
            dict(interpolate_type="linear", init_value=0.2),
        ),
        strategy=st.fixed_dictionaries({
            "interpolate_type": st.sampled_from(["linear", "cosine"]),
            "init_value": st.floats(0.0, 10.0),
            "boundaries_and_scales": st.dictionaries(
                st.integers(0, 1000) | counts0, st.floats(0.0, 10.0), max_size=5),
        }),
        bench=lambda n: dict(interpolate_type="cosine", init_value=0.1,
                             boundaries_and_scales={n // 4: 10.0, n: 0.001}),
        value_range=lambda kw: _span(*_knots(kw["init_value"], kw["boundaries_and_scales"])[1]),
        kernel=False,
    ),
}


# -- steps to evaluate a schedule at ----------------------------------------


def steps_for(schedule):
    """A sorted grid of steps: integers around the horizon, every piece start and its
    neighbours, and fractional steps."""
    h = schedule.horizon
    end = 3 * h + 3
    ints = set(range(min(end, 400))) | set(range(0, end, max(1, end // 200)))
    ints |= {h, h + 1, 2 * h, 10 * h, 10 * h + 7}
    grid = {float(i) for i in ints}
    grid |= {i + 0.5 for i in range(0, end, max(1, end // 50))}
    grid |= {1 / 3, 0.25, h + 0.25, 2.5 * h + 0.75}
    for start in schedule.starts:
        grid |= {start, start + 0.5, math.nextafter(start, math.inf)}
        if start > 0:
            grid |= {start - 1, start - 0.5, math.nextafter(start, 0.0)}
    return sorted(grid)
