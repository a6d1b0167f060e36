"""cosine_restarts: exact cycles in O(1), and the peers' restart schedules.

The cycle boundaries are checked against exact rational arithmetic (``fractions``):
cycle ``i`` of ``T0 * m**i`` steps starts at ``T0 * (m**i - 1) / (m - 1)``.  timm 1.0's
``CosineLRScheduler._get_lr`` and keras 3's ``CosineDecayRestarts.__call__`` are written
out below from their sources (timm does not load beside torch 2.13 here; keras is not
installed); optax 0.2.8's ``sgdr_schedule`` and transformers 5.x's hard restarts are
called themselves.  Both timm and keras find the cycle with a ``log`` that can round a
restart down into the previous cycle: those steps are compared with the exact cycle, the
others with the peer.
"""

import math
import random
from fractions import Fraction

import numpy as np
import pytest

import lrjit
from lrjit.families import cosine_restarts as mod
from lrjit.kernels import lr_at
from family_records import assert_cos_close, libm_twin

MAX = 2**53


def exact_start(i, t0, m):
    """``T0 * (m**i - 1) / (m - 1)`` as a Fraction of the floats ``t0`` and ``m``."""
    t0, m = Fraction(t0), Fraction(m)
    return t0 * i if m == 1 else t0 * (m**i - 1) / (m - 1)


def exact_index(step, t0, m):
    """The cycle of ``step`` in exact arithmetic (a search over the exact starts)."""
    step = Fraction(step)
    if Fraction(m) == 1:
        return math.floor(step / Fraction(t0))
    i = 0
    while exact_start(i + 1, t0, m) <= step:
        i += 1
    return i


def boundaries(t0, m, limit=MAX):
    """``(i, exact start)`` for every cycle ``i >= 1`` starting at or below ``limit``."""
    out, i = [], 1
    while (s := exact_start(i, t0, m)) <= limit:
        out.append((i, s))
        i += 1
    return out


def by_starts(step, t0, m, near):
    """The ``j`` with ``cycle_start(j) <= step < cycle_start(j + 1)``, searched from ``near - 3``."""
    j = max(near - 3, 0)
    while mod.cycle_start(j + 1.0, float(t0), float(m)) <= step:
        j += 1
    assert j == 0 or mod.cycle_start(float(j), float(t0), float(m)) <= step
    return j


def index(step, t0, m):
    return mod.cycle_index(float(step), float(t0), float(m))


# -- the cycle index: exact at every boundary, O(1) -----------------------------


@pytest.mark.parametrize("m", [2, 3, 1.5, 1.25, 1.1, 7])
@pytest.mark.parametrize("t0", [1, 3, 10, 64, 1000, 12345, 2**40])
def test_every_boundary_up_to_2_53(t0, m):
    """Every restart up to 2**53 is where the start formula puts it, with no log drift;
    that is the exact restart wherever it is a float64 (always, for whole ``T0``, ``m``)."""
    exact = 0
    bounds = boundaries(t0, m)
    for i, start in bounds:
        f = mod.cycle_start(float(i), float(t0), float(m))
        if Fraction(f) == start:
            exact += 1
            k = math.ceil(start)  # the first whole step of cycle i
            assert index(k - 1, t0, m) == i - 1 and index(k, t0, m) == i, (i, k)
            assert index(math.nextafter(f, 0.0), t0, m) == i - 1
            s = lrjit.cosine_restarts(0.5, t0, period_mult=m, end_value=0.1)
            assert s(f) == 0.5  # the peak: t = 0 in cycle i
        else:
            # not a float64: off by pow's rounding (an ulp of m**i, divided by m - 1),
            # then the division's and the product's
            q = float(m) ** i
            bound = math.ulp(q) * t0 / (m - 1) + 2 * math.ulp(f)
            assert abs(Fraction(f) - start) <= bound, (i, f, float(start))
        for g in (math.nextafter(f, 0.0), f, math.nextafter(f, math.inf),
                  float(math.ceil(f) - 1), float(math.ceil(f)), float(math.ceil(f) + 1)):
            if g <= MAX:
                assert index(g, t0, m) == by_starts(g, t0, m, i), (i, g)
    if m in (2, 3, 7) or (m == 1.5 and t0 == 2**40):
        # whole multipliers, and 1.5 with room for 2**i in T0: every restart exactly
        assert exact == len(bounds) > 0


@pytest.mark.parametrize("t0", [1, 3, 7, 10, 2**26 + 1, 99991])
def test_equal_cycles_near_2_53(t0):
    rng = random.Random(t0)
    steps = [MAX - k for k in range(min(2 * t0 + 3, 5000))]
    steps += [rng.randrange(MAX) for _ in range(2000)]
    steps += [(MAX // t0 - k) * t0 + d for k in range(4) for d in (-1, 0, 1)]
    for step in steps:
        if 0 <= step <= MAX:
            if step == MAX and (MAX // t0 + 1) * t0 == MAX + 1 and t0 > 1:
                # the one exception: a restart at 2**53 + 1 is computed as 2**53
                assert index(step, t0, 1) == step // t0 + 1
                continue
            assert index(step, t0, 1) == step // t0, step


def test_many_cycles_with_multipliers_near_one():
    # 1 + 2**-20 (the smallest growth accepted): about 2.4e7 cycles below 2**53
    m = 1.0 + 2.0**-20
    rng = random.Random(3)
    for i in sorted(rng.sample(range(1, 4000), 300)):
        start = exact_start(i, 1, m)
        below = math.ceil(start) - 1
        assert index(below, 1, m) == i - 1 and index(below + 1, 1, m) == i
    for step in [2.0**40, 2.0**52 + 1, 2.0**53]:
        i = index(step, 1, m)
        # cycle i holds the step: checked with the one start formula
        assert mod.cycle_start(i, 1.0, m) <= step < mod.cycle_start(i + 1.0, 1.0, m)
        # and the closed form in exact arithmetic agrees to within a cycle's rounding
        x = Fraction(step) * (Fraction(m) - 1) + 1
        assert abs(i - math.log(x) / math.log(m)) < 1.0 + 1e-6


def test_the_index_is_a_closed_form_plus_at_most_two_corrections(monkeypatch):
    # the search (cycle_index's and the kernel's) computes each start it compares with once
    calls = []
    start_and_power = mod._start_and_power.py_func

    def start(i, t0, m):
        return start_and_power(i, t0, m)[0]

    def counting(i, t0, m):
        calls.append(i)
        return start_and_power(i, t0, m)

    monkeypatch.setitem(mod._locate.py_func.__globals__, "_start_and_power", counting)
    rng = random.Random(7)
    for _ in range(3000):
        m = rng.choice([1.0, 1.5, 2.0, 3.0, 1.0 + 2**-20, 1.1, 2.0**53])
        t0 = rng.choice([1.0, 7.0, 10.0, 33.3, 2.0**40])
        step = rng.choice([rng.random() * 100, float(rng.randrange(MAX)), 2.0**62 * rng.random()])
        calls.clear()
        i, lo, a = mod._locate.py_func(step, t0, m)
        assert (lo, a) == start_and_power(i, t0, m)
        if step <= MAX:
            # the estimate's start and the next: 2, or 3 with one move
            assert len(calls) <= 3, (step, t0, m, calls)
            assert start(i, t0, m) <= step < start(i + 1.0, t0, m)
        else:  # beyond 2**53 a float index may not move: three moves at most
            assert len(calls) <= 4


def test_a_nan_start_stops_the_search():
    # an invalid row (m = nan): the next start is NaN, the step is not past it, cycle 0
    # stays (the bits a row like this always gave)
    assert mod.cycle_index(682.0, 2.0, math.nan) == 0.0
    assert mod.cosine_restarts_kernel(1.0, 1.0, 2.0, 0.0, math.nan) == 0.5


def test_nonfinite_steps_give_nan_not_a_hang():
    for m in (1.0, 2.0, 1.5):
        assert math.isnan(mod.cosine_restarts_kernel(math.inf, 1.0, 10.0, 0.0, m))
        assert math.isnan(mod.cosine_restarts_kernel(math.nan, 1.0, 10.0, 0.0, m))


# -- the defaults keep the old kernel's bits -------------------------------------


def old_loop(step, init_value, decay_steps, end_value, period_mult):
    """The kernel before cycle controls: periods found by walking them (torch stepped)."""
    if period_mult == 1.0:
        t, period = step % decay_steps, decay_steps
    else:
        start, period = 0.0, decay_steps
        while step >= start + period:
            start += period
            period *= period_mult
        t = step - start
    return end_value + (init_value - end_value) * (1.0 + math.cos(math.pi * t / period)) / 2.0


@pytest.mark.parametrize("m", [1, 2, 3, 5])
@pytest.mark.parametrize("t0", [1, 2, 7, 10, 12345])
def test_defaults_are_the_old_values_bitwise(t0, m):
    rng = random.Random(t0 * 10 + m)
    steps = [float(k) for k in range(2000)] + [rng.random() * 10**6 for _ in range(300)]
    steps += [float(rng.randrange(2**40)) for _ in range(300)]
    s = lrjit.cosine_restarts(0.1, t0, end_value=0.001, period_mult=m)
    want = [old_loop(x, 0.1, float(t0), 0.001, float(m)) for x in steps]
    # libm's cosine (the torch front-end's choice) is the old kernel, bitwise;
    # the core's cospi is within a few ulps of it (issue 13)
    assert libm_twin(s)(np.array(steps)).tolist() == want
    got = s(np.array(steps))
    assert_cos_close(got, want, "cospi")
    # a row from before the cycle controls (zeros in their columns) means the defaults
    old_row = s.params.copy()
    old_row[0, 4:] = 0.0
    assert [lr_at(s.kinds, old_row, s.starts, x) for x in steps[:500]] == got[:500].tolist()
    assert repr(lrjit.cosine_restarts(0.1, t0, end_value=0.001, period_mult=m)) == (
        f"lrjit.cosine_restarts(init_value=0.1, decay_steps={t0}, end_value=0.001, "
        f"period_mult={m})"
    )


# -- timm 1.0 CosineLRScheduler._get_lr, written out --------------------------


def timm_cosine(t, base, t_initial, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0, cycle_limit=1,
                warmup_t=0, warmup_lr_init=0.0, warmup_prefix=False):
    """timm's value at ``t`` and its cycle index (``None`` in the warmup)."""
    if t < warmup_t:
        return warmup_lr_init + t * ((base - warmup_lr_init) / warmup_t), None
    if warmup_prefix:
        t = t - warmup_t
    if cycle_mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul**i * t_initial
        t_curr = t - (1 - cycle_mul**i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    gamma = cycle_decay**i
    lr_max = base * gamma
    if i < cycle_limit:
        return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr / t_i)), i
    return lr_min, i


def compare_with_log_peer(peer, s, n, t0, m, shift=0, scale=1.0):
    """``s`` against ``peer(t) -> (value, i)`` on steps 0..n-1; where the peer's ``log``
    put a step in another cycle than the exact one, the step must be a restart."""
    quirks = 0
    for t in range(n):
        want, i = peer(t)
        got = s(t)
        if i is not None and i != exact_index(t - shift, t0, m):
            quirks += 1
            assert exact_start(exact_index(t - shift, t0, m), t0, m) == t - shift, t
            continue
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12 * scale), (t, got, want)
    return quirks


@pytest.mark.parametrize(
    "kw",
    [
        dict(t_initial=10),
        dict(t_initial=10, lr_min=1e-3, cycle_limit=5),
        dict(t_initial=10, lr_min=1e-3, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=4),
        dict(t_initial=8, lr_min=1e-4, cycle_mul=1.5, cycle_decay=0.8, cycle_limit=6),
        dict(t_initial=7, cycle_mul=3, cycle_limit=4, warmup_t=5, warmup_lr_init=1e-4),
        dict(t_initial=20, lr_min=0.02, cycle_decay=0.3, cycle_limit=3, warmup_t=4,
             warmup_lr_init=0.01, warmup_prefix=True),
        dict(t_initial=12, lr_min=0.01, cycle_mul=1.25, cycle_decay=0.9, cycle_limit=8,
             warmup_t=3, warmup_lr_init=0.0, warmup_prefix=True),
    ],
)
def test_timm_cosine_lr_scheduler(kw):
    base = 0.1
    s = lrjit.cosine_restarts(
        base, kw["t_initial"], end_value=kw.get("lr_min", 0.0),
        period_mult=kw.get("cycle_mul", 1), cycle_decay=kw.get("cycle_decay", 1.0),
        cycle_limit=kw.get("cycle_limit", 1),
    )
    if kw.get("warmup_t"):
        s = lrjit.warmup_then(s, kw["warmup_t"], init_value=kw["warmup_lr_init"],
                              prefix=kw.get("warmup_prefix", False))
    shift = kw.get("warmup_t", 0) if kw.get("warmup_prefix") else 0
    n = s.horizon + 40
    compare_with_log_peer(lambda t: timm_cosine(t, base, **kw), s, n, kw["t_initial"],
                          kw.get("cycle_mul", 1), shift, base)


def test_timm_log_puts_a_restart_at_the_end_of_the_previous_cycle():
    # log(1 + 121 * 2, 3) = 4.999...: timm's cycle 4 ends at step 121, where cycle 5 starts
    want, i = timm_cosine(121, 1.0, 1, cycle_mul=3, cycle_limit=10)
    assert i == 4 and want == 0.0
    assert lrjit.cosine_restarts(1.0, 1, period_mult=3, cycle_limit=10)(121) == 1.0


# -- keras 3 CosineDecayRestarts.__call__, written out (float64) -----------------


def keras_restarts(step, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                   alpha=0.0):
    completed_fraction = step / first_decay_steps
    if t_mul == 1.0:
        i_restart = math.floor(completed_fraction)
        completed_fraction -= i_restart
    else:
        i_restart = math.floor(math.log(1.0 - completed_fraction * (1.0 - t_mul)) / math.log(t_mul))
        sum_r = (1.0 - t_mul**i_restart) / (1.0 - t_mul)
        completed_fraction = (completed_fraction - sum_r) / t_mul**i_restart
    m_fac = m_mul**i_restart
    cosine_decayed = 0.5 * m_fac * (1.0 + math.cos(math.pi * completed_fraction))
    decayed = (1 - alpha) * cosine_decayed + alpha
    return initial_learning_rate * decayed, i_restart


@pytest.mark.parametrize(
    "kw",
    [
        dict(first_decay_steps=10),
        dict(first_decay_steps=10, t_mul=1.0, m_mul=0.5, alpha=0.1),
        dict(first_decay_steps=7, t_mul=2.0, m_mul=0.8, alpha=0.05),
        dict(first_decay_steps=16, t_mul=1.5, m_mul=0.9, alpha=0.2),
        dict(first_decay_steps=12.5, t_mul=3.0, m_mul=0.7),
    ],
)
def test_keras_cosine_decay_restarts(kw):
    init = 0.1
    s = lrjit.cosine_restarts(
        init, kw["first_decay_steps"], period_mult=kw.get("t_mul", 2.0),
        cycle_decay=kw.get("m_mul", 1.0), alpha=kw.get("alpha", 0.0),
        cycle_decay_mode="amplitude",
    )
    compare_with_log_peer(lambda t: keras_restarts(float(t), init, **kw), s, 2000,
                          kw["first_decay_steps"], kw.get("t_mul", 2.0), 0, init)


def test_cycle_decay_modes_agree_without_a_floor():
    a = lrjit.cosine_restarts(1.0, 10, period_mult=1.5, cycle_decay=0.5)
    b = lrjit.cosine_restarts(1.0, 10, period_mult=1.5, cycle_decay=0.5,
                              cycle_decay_mode="amplitude")
    assert np.allclose(a.table(500), b.table(500), rtol=1e-15, atol=0.0)


# -- optax 0.2.8 sgdr_schedule ---------------------------------------------------


@pytest.fixture(scope="module")
def optax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return pytest.importorskip("optax")


@pytest.mark.parametrize(
    "init, peak, warmup, t0, end, m, d, k",
    [
        (0.0, 1.0, 0, 10, 0.0, 1, 1.0, 3),
        (0.01, 1.0, 3, 12, 0.05, 1, 1.0, 4),
        (0.0, 0.1, 5, 20, 1e-3, 2, 0.5, 4),
        (1e-4, 0.3, 2, 8, 1e-3, 1.5, 0.8, 4),
        (0.2, 0.5, 1, 9, 0.0, 3, 0.9, 3),
    ],
)
def test_optax_sgdr_schedule(optax, init, peak, warmup, t0, end, m, d, k):
    cycles = [
        dict(init_value=init, peak_value=peak * d**i, warmup_steps=warmup,
             decay_steps=int(t0 * m**i), end_value=end)
        for i in range(k)
    ]
    assert all(c["decay_steps"] == t0 * m**i for i, c in enumerate(cycles))  # whole lengths
    sched = optax.sgdr_schedule(cycles)
    s = lrjit.cosine_restarts(peak, t0, warmup_steps=warmup, warmup_init_value=init,
                              end_value=end, period_mult=m, cycle_decay=d, cycle_limit=k)
    n = sum(c["decay_steps"] for c in cycles)
    assert s.horizon == n
    steps = np.arange(n + 20)
    want = np.array([float(sched(int(t))) for t in steps])
    np.testing.assert_allclose(s(steps.astype(float)), want, rtol=1e-12, atol=1e-12 * peak)


# -- transformers 5.x cosine_with_hard_restarts ----------------------------------


@pytest.mark.parametrize("warmup, total, cycles", [(10, 100, 3), (0, 50, 1), (7, 117, 4),
                                                   (5, 105, 7)])
def test_transformers_hard_restarts(warmup, total, cycles):
    torch = pytest.importorskip("torch")
    hf = pytest.importorskip("transformers.optimization")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = hf.get_cosine_with_hard_restarts_schedule_with_warmup(opt, warmup, total, cycles)
    want = []
    for _ in range(total + 20):
        want.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    s = lrjit.cosine_restarts(1.0, (total - warmup) / cycles, cycle_limit=cycles)
    if warmup:
        s = lrjit.warmup_then(s, warmup, prefix=True)
    got = s.table(total + 20)
    for t, (g, w) in enumerate(zip(got, want)):
        # transformers' (cycles * progress) % 1 can round a restart to 0.999...: the end
        quirk = t >= warmup and g == 1.0 and w < 1e-12
        assert quirk or math.isclose(g, w, rel_tol=1e-12, abs_tol=1e-12), (t, g, w)


# -- the factory -------------------------------------------------------------------


def test_limit_holds_the_end_value_and_sets_the_horizon():
    s = lrjit.cosine_restarts(1.0, 10, period_mult=1.5, cycle_limit=3, end_value=0.1)
    assert s.horizon == 10 + 15 + 23  # 47.5 steps, rounded up
    assert s(47) != 0.1 and s(47.5) == s(48) == s(10**12) == 0.1
    assert lrjit.cosine_restarts(1.0, 10, cycle_limit=2).horizon == 20
    assert lrjit.cosine_restarts(1.0, 10).horizon == 10  # unlimited: the first cycle
    big = lrjit.cosine_restarts(1.0, 2**52, period_mult=2**50, cycle_limit=40)
    assert big.horizon == MAX


def test_alpha_is_a_ratio_of_init_value():
    a = lrjit.cosine_restarts(0.5, 10, alpha=0.1)
    assert a == lrjit.cosine_restarts(0.5, 10, end_value=0.05)
    assert a.args["end_value"] == 0.05


def test_integral_and_tables_from_a_start():
    s = lrjit.cosine_restarts(0.1, 7.5, period_mult=1.5, cycle_decay=0.7, cycle_limit=5,
                              warmup_steps=2, warmup_init_value=0.01, end_value=0.001)
    full = s.table(400)
    assert math.isclose(s.integral(300), math.fsum(full[:300]), rel_tol=1e-14)
    assert np.array_equal(s.table(100, start=250), full[250:350])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(end_value=0.1, alpha=0.1), "end_value.*alpha"),
        (dict(alpha=1.5), "alpha"),
        (dict(period_mult=0.5), "period_mult"),
        (dict(period_mult=1.0 + 1e-9), "period_mult"),
        (dict(period_mult=math.inf), "period_mult"),
        (dict(cycle_decay=0.0), "cycle_decay"),
        (dict(cycle_decay=1.5), "cycle_decay"),
        (dict(cycle_limit=0), "cycle_limit"),
        (dict(warmup_steps=10), "warmup_steps"),
        (dict(warmup_steps=-1), "warmup_steps"),
        (dict(cycle_decay_mode="valley"), "cycle_decay_mode"),
        (dict(decay_steps=0.5), "decay_steps"),
        (dict(decay_steps=math.nan), "decay_steps"),
        (dict(decay_steps=0), "decay_steps"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, match):
    kw = dict(init_value=1.0, decay_steps=10)
    kw.update(kwargs)
    with pytest.raises(ValueError, match=match):
        lrjit.cosine_restarts(**kw)


def test_parameters_past_the_first_two_are_keyword_only():
    with pytest.raises(TypeError):
        lrjit.cosine_restarts(0.1, 10, 0.001)  # optax's cosine_decay(0.1, 10, alpha): a trap
    with pytest.raises(TypeError, match="cycle_limit"):
        lrjit.cosine_restarts(0.1, 10, cycle_limit=2.5)
