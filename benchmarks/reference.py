"""NumPy closed-form reference implementations of every lrjit family.

Written from the formulas of the issue (not from :mod:`lrjit.kernels`), as a
NumPy user would write them: whole-array expressions, no Python loop over
steps.  They serve two purposes:

* the NumPy baseline beside every compiled table in the benchmarks, and
* a registry of reference formulas: ``REFERENCES[family](steps, **args)``
  takes the factory's own argument names, so :func:`reference` evaluates any
  :class:`lrjit.Schedule` (``join`` included) for comparison.  Values agree
  with lrjit to rounding (about 1e-15 relative), not bitwise: NumPy's
  vectorized ``cos`` and ``power`` may differ from libm in the last bit.

:func:`configs` gives one representative configuration per family whose
horizon scales with the table length, so every step exercises the formula
rather than its held tail.

>>> import numpy as np, lrjit
>>> s = lrjit.warmup_cosine(1.0, warmup_steps=10, decay_steps=110)
>>> reference(s, np.array([5.0, 10.0, 60.0, 200.0]))
array([0.5, 1. , 0.5, 0. ])
>>> bool(np.allclose(table(s, 1000), s.table(1000), rtol=1e-13, atol=0.0))
True
"""

import numpy as np

__all__ = ["REFERENCES", "FAMILIES", "reference", "table", "configs", "build"]


def constant(steps, value):
    """``value`` everywhere."""
    return np.full(np.shape(steps), float(value))


def linear(steps, init_value, end_value, transition_steps, transition_begin=0):
    """``init + (end - init) * clip((t - begin) / T, 0, 1)``."""
    frac = np.clip((steps - transition_begin) / transition_steps, 0.0, 1.0)
    return init_value + (end_value - init_value) * frac


def step_decay(steps, init_value, step_size, gamma=0.1):
    """``init * gamma ** floor(t / step_size)``."""
    return init_value * gamma ** np.floor(steps / step_size)


def multistep(steps, init_value, milestones, gamma=0.1):
    """``init * gamma ** (number of milestones <= t)``, repeats counted."""
    passed = np.searchsorted(np.sort(np.asarray(milestones, dtype=np.float64)), steps, "right")
    return init_value * gamma ** passed.astype(np.float64)


def exponential(steps, init_value, gamma):
    """``init * gamma ** t``."""
    return init_value * gamma**steps


def polynomial(steps, init_value, end_value, power, transition_steps):
    """``(init - end) * (1 - min(t, T) / T) ** power + end``."""
    frac = 1.0 - np.minimum(steps, transition_steps) / transition_steps
    return (init_value - end_value) * frac**power + end_value


def cosine(steps, init_value, decay_steps, end_value=0.0, periodic=False):
    """``end + (init - end) * (1 + cos(pi * t / T)) / 2``, ``t`` held at ``T`` unless periodic."""
    t = steps if periodic else np.minimum(steps, decay_steps)
    return end_value + (init_value - end_value) * (1.0 + np.cos(np.pi * t / decay_steps)) / 2.0


def warmup_cosine(steps, peak_value, warmup_steps, decay_steps, init_value=0.0, end_value=0.0):
    """Linear from ``init`` to ``peak`` over ``W`` steps, then cosine to ``end`` by ``decay_steps``."""
    steps = np.asarray(steps, dtype=np.float64)
    decay = cosine(steps - warmup_steps, peak_value, decay_steps - warmup_steps, end_value)
    if warmup_steps == 0:
        return decay
    warm = init_value + (peak_value - init_value) * (steps / warmup_steps)
    return np.where(steps < warmup_steps, warm, decay)


def join(steps, schedules, boundaries):
    """Piece ``k`` on its local step ``t - boundaries[k-1]`` from ``boundaries[k-1]`` on."""
    steps = np.asarray(steps, dtype=np.float64)
    out = reference(schedules[0], steps)
    for schedule, start in zip(schedules[1:], boundaries):
        on = steps >= start
        out[on] = reference(schedule, steps[on] - start)
    return out



def _anneal(start, end, pct, strategy):
    """torch's OneCycleLR annealing from ``start`` to ``end`` as ``pct`` goes 0 -> 1."""
    if strategy == "linear":
        return (end - start) * pct + start
    return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)


def one_cycle(
    steps,
    peak_value,
    total_steps,
    pct_start=0.3,
    anneal_strategy="cos",
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
):
    """torch's OneCycleLR phases (warm up, anneal, optionally back down), held after T - 1."""
    init = peak_value / div_factor
    low = init / final_div_factor
    total = total_steps
    if three_phase:
        ends = (float(pct_start * total) - 1, float(2 * pct_start * total) - 2, total - 1)
        pairs = ((init, peak_value), (peak_value, init), (init, low))
    else:
        ends = (float(pct_start * total) - 1, total - 1)
        pairs = ((init, peak_value), (peak_value, low))
    t = np.minimum(steps, total - 1)
    out = np.empty(np.shape(t))
    done = np.zeros(np.shape(t), dtype=bool)
    start = 0.0
    for i, (end, (a, b)) in enumerate(zip(ends, pairs)):
        on = ~done & ((t <= end) | (i == len(ends) - 1))
        out[on] = _anneal(a, b, (t[on] - start) / (end - start), anneal_strategy)
        done |= on
        start = end
    return out


def cyclic(
    steps, init_value, peak_value, up_steps, down_steps, mode="triangular", gamma=1.0,
    scale_mode="auto",
):
    """torch's CyclicLR: a triangle wave between the two values, scaled per cycle or step."""
    total = float(up_steps + down_steps)
    ratio = up_steps / total
    cycle = np.floor(1 + steps / total)
    x = 1.0 + steps / total - cycle
    height = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    if scale_mode == "auto":
        scale_mode = "iterations" if mode == "exp_range" else "cycle"
    n = cycle if scale_mode == "cycle" else steps
    if mode == "triangular":
        scale = 1.0
    elif mode == "triangular2":
        scale = 2.0 ** (1 - n)
    else:
        scale = gamma**n
    return init_value + (peak_value - init_value) * height * scale


def cosine_restarts(steps, init_value, decay_steps, end_value=0.0, period_mult=1):
    """SGDR: periods ``decay_steps * period_mult ** i``, a cosine from init to end in each."""
    steps = np.asarray(steps, dtype=np.float64)
    if period_mult == 1:
        period = float(decay_steps)
        t_cur = steps % period
    else:
        m = float(period_mult)
        i = np.floor(np.log1p(steps * (m - 1) / decay_steps) / np.log(m))
        start = decay_steps * (m**i - 1) / (m - 1)
        i -= steps < start  # the logarithm may round across a restart either way
        i += steps >= decay_steps * (m ** (i + 1) - 1) / (m - 1)
        start = decay_steps * (m**i - 1) / (m - 1)
        period = decay_steps * m**i
        t_cur = steps - start
    return end_value + (init_value - end_value) * (1 + np.cos(np.pi * t_cur / period)) / 2

#: Reference formula of each factory, by its name: ``f(steps, **schedule.args)``.
REFERENCES = {
    f.__name__: f
    for f in (
        constant,
        linear,
        step_decay,
        multistep,
        exponential,
        polynomial,
        cosine,
        warmup_cosine,
        join,
        one_cycle,
        cyclic,
        cosine_restarts,
    )
}

FAMILIES = tuple(REFERENCES)


def reference(schedule, steps):
    """``schedule`` at ``steps`` (a float64 array) from its NumPy reference formula."""
    steps = np.asarray(steps, dtype=np.float64)
    return np.asarray(REFERENCES[schedule.family](steps, **schedule.args), dtype=np.float64)


def table(schedule, n):
    """Steps ``0 .. n-1``: the NumPy counterpart of ``schedule.table(n)``."""
    return reference(schedule, np.arange(n, dtype=np.float64))


def configs(n):
    """Factory arguments of a representative schedule per family, horizon ``~n`` steps.

    ``join`` is a linear warmup joined to a cosine (the composed form of
    ``warmup_cosine``); its ``schedules`` are configs, built by :func:`build`.
    """
    warm = max(n // 20, 1)
    return {
        "constant": dict(value=0.1),
        "linear": dict(init_value=0.0, end_value=0.1, transition_steps=n),
        "step_decay": dict(init_value=0.1, step_size=max(n // 10, 1), gamma=0.5),
        "multistep": dict(init_value=0.1, milestones=[n // 4, n // 2, 3 * n // 4], gamma=0.1),
        "exponential": dict(init_value=0.1, gamma=0.01 ** (1.0 / n)),
        "polynomial": dict(init_value=0.1, end_value=0.001, power=2.0, transition_steps=n),
        "cosine": dict(init_value=0.1, decay_steps=n, end_value=0.001),
        "warmup_cosine": dict(peak_value=0.1, warmup_steps=warm, decay_steps=n, end_value=0.001),
        "join": dict(
            schedules=[
                ("linear", dict(init_value=0.0, end_value=0.1, transition_steps=warm)),
                ("cosine", dict(init_value=0.1, decay_steps=n - warm, end_value=0.001)),
            ],
            boundaries=[warm],
        ),
        "one_cycle": dict(peak_value=0.1, total_steps=n),
        "cyclic": dict(init_value=0.001, peak_value=0.1, up_steps=warm, down_steps=warm),
        "cosine_restarts": dict(
            init_value=0.1, decay_steps=max(n // 16, 1), end_value=0.001, period_mult=2
        ),
    }


def build(family, n):
    """The :class:`lrjit.Schedule` of :func:`configs` ``(n)[family]``.

    >>> build("cosine", 100)
    lrjit.cosine(init_value=0.1, decay_steps=100, end_value=0.001, periodic=False)
    """
    import lrjit

    args = dict(configs(n)[family])
    if family == "join":
        args["schedules"] = [getattr(lrjit, f)(**a) for f, a in args["schedules"]]
    return getattr(lrjit, family)(**args)
