"""One registry of test data per schedule family, shared by the test modules.

Adding a family?  Append an entry to each dict below (keyed by the factory's
name in ``lrjit.FACTORIES``); the registry-driven tests fail with "add an
example" / "add a strategy" / "add a reference" until you do.

``EXAMPLES``    a few valid factory kwargs (edge cases welcome)
``REFERENCES``  ``ref(kwargs, t) -> float``: the family's formula written out
                with ``math`` from the documented spec, independent of lrjit
``STRATEGIES``  hypothesis strategy drawing valid factory kwargs
``RANGES``      ``(lo, hi)`` that every value lies in, for families where the
                values stay within the configuration's values (optional)
``NO_KERNEL``   families with no tier-1 kernel of their own (compositions)
"""

import math

from hypothesis import strategies as st

import lrjit

# -- example configurations -------------------------------------------------

EXAMPLES = {
    "constant": [
        dict(value=0.1),
        dict(value=0.0),
        dict(value=1e300),
    ],
    "linear": [
        dict(init_value=0.1, end_value=0.0, transition_steps=100),
        dict(init_value=0.0, end_value=1.0, transition_steps=7, transition_begin=13),
        dict(init_value=0.3, end_value=0.3, transition_steps=1),
    ],
    "step_decay": [
        dict(init_value=1.0, step_size=10, gamma=0.5),
        dict(init_value=0.1, step_size=3),
        dict(init_value=3e-4, step_size=1, gamma=0.9),
    ],
    "multistep": [
        dict(init_value=1.0, milestones=[30, 10, 20, 20], gamma=0.5),
        dict(init_value=0.1, milestones=[0, 5]),
        dict(init_value=0.1, milestones=[]),
        dict(init_value=2.0, milestones=[3], gamma=1.5),
    ],
    "exponential": [
        dict(init_value=1.0, gamma=0.5),
        dict(init_value=0.1, gamma=0.99),
        dict(init_value=0.1, gamma=1.0),
    ],
    "polynomial": [
        dict(init_value=1.0, end_value=0.0, power=2.0, transition_steps=100),
        dict(init_value=0.1, end_value=0.01, power=0.5, transition_steps=30),
        dict(init_value=0.01, end_value=0.1, power=1.0, transition_steps=9),
        dict(init_value=1.0, end_value=0.5, power=0.0, transition_steps=10),
    ],
    "cosine": [
        dict(init_value=1.0, decay_steps=100),
        dict(init_value=0.1, decay_steps=50, end_value=0.01, periodic=True),
        dict(init_value=1.0, decay_steps=1, end_value=0.5),
        dict(init_value=0.01, decay_steps=40, end_value=0.1),
    ],
    "warmup_cosine": [
        dict(peak_value=1.0, warmup_steps=10, decay_steps=110),
        dict(peak_value=0.1, warmup_steps=0, decay_steps=50, end_value=0.001),
        dict(peak_value=1.0, warmup_steps=5, decay_steps=20, init_value=0.1, end_value=0.2),
        dict(peak_value=3e-4, warmup_steps=500, decay_steps=2000),
    ],
    "join": [
        # warmup then cosine, each on its local step
        dict(
            schedules=[lrjit.linear(0.0, 1.0, 10), lrjit.cosine(1.0, 100)],
            boundaries=[10],
        ),
        # a nested join as the first piece
        dict(
            schedules=[
                lrjit.join([lrjit.constant(1.0), lrjit.step_decay(1.0, 5, 0.5)], [7]),
                lrjit.exponential(0.5, 0.9),
            ],
            boundaries=[30],
        ),
        # a nested join cut off by the outer boundary (its last piece never runs)
        dict(
            schedules=[
                lrjit.join(
                    [lrjit.constant(1.0), lrjit.constant(0.5), lrjit.constant(0.25)], [5, 40]
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
                        lrjit.warmup_cosine(1.0, 3, 12, 0.1, 0.05),
                        lrjit.join(
                            [lrjit.polynomial(0.5, 0.0, 2.0, 9), lrjit.cosine(0.2, 8, 0.0, True)],
                            [4],
                        ),
                    ],
                    [15],
                ),
            ],
            boundaries=[4],
        ),
        # a single piece
        dict(schedules=[lrjit.cosine(1.0, 10, 0.1)], boundaries=[]),
    ],
    "one_cycle": [
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
    ],
    "cyclic": [
        dict(init_value=0.01, peak_value=0.1, up_steps=10, down_steps=10),
        dict(init_value=0.1, peak_value=0.5, up_steps=3, down_steps=7, mode="triangular2"),
        dict(init_value=0.0, peak_value=1.0, up_steps=4, down_steps=0, mode="exp_range",
             gamma=0.99),
        # falling below the start, exp_range scaled per cycle
        dict(init_value=0.5, peak_value=0.1, up_steps=5, down_steps=2, mode="exp_range",
             gamma=0.9, scale_mode="cycle"),
        dict(init_value=0.2, peak_value=0.4, up_steps=1, down_steps=1, mode="triangular2",
             scale_mode="iterations"),
    ],
    "cosine_restarts": [
        dict(init_value=1.0, decay_steps=10),
        dict(init_value=0.1, decay_steps=7, end_value=0.001, period_mult=2),
        dict(init_value=0.01, decay_steps=1, end_value=0.1, period_mult=3),
    ],
}

# -- reference formulas (from the docstrings/issue, written with math) ------


def _linear(kw, t):
    init, end = kw["init_value"], kw["end_value"]
    u = t - kw.get("transition_begin", 0)
    if u <= 0:
        return init
    if u >= kw["transition_steps"]:
        return end
    return init + (end - init) * (u / kw["transition_steps"])


def _cosine(kw, t):
    init, end, decay = kw["init_value"], kw.get("end_value", 0.0), kw["decay_steps"]
    if not kw.get("periodic", False):
        t = min(t, decay)
    return end + (init - end) * (1 + math.cos(math.pi * t / decay)) / 2


def _warmup_cosine(kw, t):
    peak, warm = kw["peak_value"], kw["warmup_steps"]
    init, end = kw.get("init_value", 0.0), kw.get("end_value", 0.0)
    if t < warm:
        return init + (peak - init) * (t / warm)
    # optax convention: decay_steps counts the warmup
    cos_kw = dict(init_value=peak, decay_steps=kw["decay_steps"] - warm, end_value=end)
    return _cosine(cos_kw, t - warm)


def _join(kw, t):
    schedules, boundaries = kw["schedules"], list(kw["boundaries"])
    k = sum(1 for b in boundaries if b <= t)
    local = t - (boundaries[k - 1] if k else 0)
    piece = schedules[k]
    return REFERENCES[piece.family](piece.args, local)



def _anneal(start, end, pct, strategy):
    # torch's OneCycleLR._annealing_cos / _annealing_linear
    if strategy == "linear":
        return (end - start) * pct + start
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _one_cycle(kw, t):
    """torch 2.13's OneCycleLR.get_lr at step t, held at step T - 1 after it."""
    total, pct = kw["total_steps"], kw.get("pct_start", 0.3)
    peak = kw["peak_value"]
    init = peak / kw.get("div_factor", 25.0)
    low = init / kw.get("final_div_factor", 1e4)
    if kw.get("three_phase", False):
        phases = [(float(pct * total) - 1, init, peak), (float(2 * pct * total) - 2, peak, init),
                  (total - 1, init, low)]
    else:
        phases = [(float(pct * total) - 1, init, peak), (total - 1, peak, low)]
    t = min(t, total - 1)
    start = 0.0
    for i, (end, a, b) in enumerate(phases):
        if t <= end or i == len(phases) - 1:
            return _anneal(a, b, (t - start) / (end - start), kw.get("anneal_strategy", "cos"))
        start = end


def _cyclic(kw, t):
    """torch 2.13's CyclicLR.get_lr (its built-in scale functions)."""
    up, down = float(kw["up_steps"]), float(kw["down_steps"])
    total = up + down
    ratio = up / total
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    f = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    mode, by = kw.get("mode", "triangular"), kw.get("scale_mode", "auto")
    if by == "auto":
        by = "iterations" if mode == "exp_range" else "cycle"
    n = cycle if by == "cycle" else t
    if mode == "triangular":
        scale = 1.0
    elif mode == "triangular2":
        scale = 2.0 ** (1 - n)  # 1 / 2 ** (n - 1), without overflow for huge n
    else:
        scale = kw.get("gamma", 1.0) ** n
    return kw["init_value"] + (kw["peak_value"] - kw["init_value"]) * f * scale


def _cosine_restarts(kw, t):
    """SGDR: periods T_0 * T_mult ** i, a cosine from init to end within each."""
    init, end = kw["init_value"], kw.get("end_value", 0.0)
    period, mult = float(kw["decay_steps"]), kw.get("period_mult", 1)
    if mult == 1:
        t_cur = t % period
    else:
        start = 0.0
        while t >= start + period:
            start += period
            period *= mult
        t_cur = t - start
    return end + (init - end) * (1 + math.cos(math.pi * t_cur / period)) / 2

def reference(schedule, t):
    """The reference value of any schedule at step ``t``."""
    return REFERENCES[schedule.family](schedule.args, t)


REFERENCES = {
    "constant": lambda kw, t: kw["value"],
    "linear": _linear,
    "step_decay": lambda kw, t: (
        kw["init_value"] * kw.get("gamma", 0.1) ** math.floor(t / kw["step_size"])
    ),
    "multistep": lambda kw, t: (
        kw["init_value"] * kw.get("gamma", 0.1) ** sum(1 for m in kw["milestones"] if m <= t)
    ),
    "exponential": lambda kw, t: kw["init_value"] * kw["gamma"] ** t,
    "polynomial": lambda kw, t: (
        (kw["init_value"] - kw["end_value"])
        * (1 - min(t, kw["transition_steps"]) / kw["transition_steps"]) ** kw["power"]
        + kw["end_value"]
    ),
    "cosine": _cosine,
    "warmup_cosine": _warmup_cosine,
    "join": _join,
    "one_cycle": _one_cycle,
    "cyclic": _cyclic,
    "cosine_restarts": _cosine_restarts,
}

# -- value ranges: every value lies in [lo, hi] (up to rounding) ------------


def _span(*values):
    return min(values), max(values)


def _join_range(kw):
    spans = [RANGES[s.family](s.args) for s in kw["schedules"]]
    return min(lo for lo, _ in spans), max(hi for _, hi in spans)


RANGES = {
    "constant": lambda kw: _span(kw["value"]),
    "linear": lambda kw: _span(kw["init_value"], kw["end_value"]),
    # decays with gamma in (0, 1]: from init_value down towards 0
    "step_decay": lambda kw: _span(0.0, kw["init_value"]),
    "exponential": lambda kw: _span(0.0, kw["init_value"]),
    # gamma may exceed 1 here: the extremes are init and init * gamma**len(milestones)
    "multistep": lambda kw: _span(
        kw["init_value"], kw["init_value"] * kw["gamma"] ** len(kw["milestones"])
    ),
    "polynomial": lambda kw: _span(kw["init_value"], kw["end_value"]),
    "cosine": lambda kw: _span(kw["init_value"], kw["end_value"]),
    "warmup_cosine": lambda kw: _span(kw["init_value"], kw["peak_value"], kw["end_value"]),
    "join": _join_range,
    "one_cycle": lambda kw: _span(
        kw["peak_value"],
        kw["peak_value"] / kw.get("div_factor", 25.0),
        kw["peak_value"] / kw.get("div_factor", 25.0) / kw.get("final_div_factor", 1e4),
    ),
    "cyclic": lambda kw: _span(kw["init_value"], kw["peak_value"]),
    "cosine_restarts": lambda kw: _span(kw["init_value"], kw.get("end_value", 0.0)),
}

NO_KERNEL = {"join"}

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
    leaves = st.sampled_from(sorted(set(STRATEGIES) - NO_KERNEL)).flatmap(
        lambda name: STRATEGIES[name].map(lambda kw: lrjit.FACTORIES[name](**kw))
    )
    return st.recursive(
        leaves, lambda children: _join_kwargs(children).map(lambda kw: lrjit.join(**kw)),
        max_leaves=6,
    )


STRATEGIES = {
    "constant": st.fixed_dictionaries({"value": values}),
    "linear": st.fixed_dictionaries(
        {
            "init_value": values,
            "end_value": values,
            "transition_steps": counts,
            "transition_begin": counts0,
        }
    ),
    "step_decay": st.fixed_dictionaries(
        {"init_value": values, "step_size": counts, "gamma": decays}
    ),
    "multistep": st.fixed_dictionaries(
        {
            "init_value": values,
            "milestones": st.lists(st.integers(0, 1000) | counts0, max_size=6),
            "gamma": decays | st.floats(1.0, 10.0),
        }
    ).filter(lambda kw: kw["init_value"] * kw["gamma"] ** len(kw["milestones"]) <= 1e300),
    "exponential": st.fixed_dictionaries({"init_value": values, "gamma": decays}),
    "polynomial": st.fixed_dictionaries(
        {
            "init_value": values,
            "end_value": values,
            "power": st.floats(0.0, 5.0) | st.sampled_from([0.0, 1.0, 1e6]),
            "transition_steps": counts,
        }
    ),
    "cosine": st.fixed_dictionaries(
        {
            "init_value": values,
            "decay_steps": counts,
            "end_value": values,
            "periodic": st.booleans(),
        }
    ),
    "warmup_cosine": st.tuples(values, counts0, counts, values, values).map(
        _warmup_cosine_kwargs
    ),
    "join": st.deferred(lambda: _join_kwargs(schedules())),
    "one_cycle": st.fixed_dictionaries(
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
    "cyclic": st.fixed_dictionaries(
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
    "cosine_restarts": st.fixed_dictionaries(
        {
            "init_value": values,
            "decay_steps": counts,
            "end_value": values,
            "period_mult": st.integers(1, 4) | st.integers(1, MAX_STEPS),
        }
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
