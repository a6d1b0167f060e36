"""The cosine families' two cosines: the core's ``cospi`` and the torch front-end's libm.

Every cosine family's kernel takes a trailing ``libm_cos`` (issue 13): 0, the
default of every core factory, evaluates ``cospi(t / T)``
(:mod:`lrjit.kernels.cospi`); 1, what :mod:`lrjit.optim` passes, evaluates
libm's ``math.cos(math.pi * t / T)`` in torch's operation order.  Each choice
must give the same bits on every CPU path (``s(t)``, arrays, serial and
parallel tables, ``lr_at`` in a user's loop, ufuncs, sweeps); the two choices
differ by a few ulps of the cosine, scaled by the schedule's span.  The oracle
for the libm rows is the formula written out here with ``math.cos``; for the
core rows, ``cospi`` of the same ratio, and the bound below against the libm
formula.
"""

import math

import numba
import numpy as np
import pytest
from family_records import libm_twin

import lrjit
from lrjit.families import REGISTRY
from lrjit.kernels import lr_at
from lrjit.kernels.cospi import cos_turns, cospi

EPS = 2.0**-52

# (family, factory arguments); every cosine family, the cosine shapes of wsd too.
CASES = [
    ("cosine", dict(init_value=0.1, decay_steps=100, end_value=1e-3)),
    ("cosine", dict(init_value=1.0, decay_steps=37, end_value=0.0, periodic=True)),
    ("warmup_cosine", dict(peak_value=0.3, warmup_steps=10, decay_steps=110, end_value=1e-4)),
    ("one_cycle", dict(peak_value=0.1, total_steps=120, pct_start=0.3)),
    ("one_cycle", dict(peak_value=0.5, total_steps=90, pct_start=0.25, three_phase=True)),
    ("cosine_restarts", dict(init_value=0.2, decay_steps=7, end_value=0.001, period_mult=2)),
    ("cosine_restarts", dict(init_value=1.0, decay_steps=10, end_value=0.0)),
    ("wsd", dict(peak_value=0.1, warmup_steps=10, stable_steps=40, decay_steps=50,
                 warmup_shape="cosine", decay_shape="cosine")),
]  # fmt: skip
IDS = [f"{family}-{i}" for i, (family, _) in enumerate(CASES)]


def steps_of(s):
    n = int(min(s.horizon, 1000)) + 25
    return n, np.concatenate([np.arange(n, dtype=np.float64), [0.5, 3.25, n / 3.0, n - 0.75]])


@numba.njit
def user_loop(kinds, params, starts, steps):
    out = np.empty(steps.size)
    for i in range(steps.size):
        out[i] = lr_at(kinds, params, starts, steps[i])
    return out


def every_cpu_path(s, n, steps):
    """The values of ``s`` at ``steps`` (and at ``0 .. n-1``) by every CPU path; all must agree."""
    family = REGISTRY[s.family]
    row = s.params[0, : len(family.layout)]
    ints = steps[:n]
    paths = {
        "s(t)": np.array([s(float(t)) for t in steps]),
        "s(array)": s(steps),
        "lr_at in a user loop": user_loop(*s.program, steps),
        "kernel": np.array([family.kernel(float(t), *row) for t in steps]),
        "table serial": s.table(n, parallel=False),
        "table parallel": s.table(n, parallel=True),
        "sweep cpu": lrjit.sweep([s], ints, target="cpu")[0],
        "sweep parallel": lrjit.sweep([s], ints, target="parallel")[0],
    }
    if row[-1] == 0.0:  # ufuncs are the core's: the kernel's default libm_cos (libm_pow)
        paths["ufunc"] = getattr(lrjit.ufuncs, s.family)(steps, *row[:-1])
    return paths


def assert_one_set_of_bits(paths, n, label):
    full = paths.pop("s(t)")
    for name, values in paths.items():
        want = full[: values.size] if values.size == n else full
        assert np.array_equal(values, want), (label, name)


@pytest.mark.parametrize("family, kwargs", CASES, ids=IDS)
def test_each_choice_is_bitwise_consistent_on_every_cpu_path(family, kwargs):
    core = lrjit.FACTORIES[family](**kwargs)
    assert core.params[0, len(REGISTRY[family].layout) - 1] == 0.0  # core: cospi
    torch_like = libm_twin(core)
    for s, label in ((core, "cospi"), (torch_like, "libm")):
        n, steps = steps_of(s)
        assert_one_set_of_bits(every_cpu_path(s, n, steps), n, label)


@pytest.mark.parametrize("family, kwargs", CASES, ids=IDS)
def test_cospi_and_libm_differ_by_a_few_ulps(family, kwargs):
    core = lrjit.FACTORIES[family](**kwargs)
    torch_like = libm_twin(core)
    _, steps = steps_of(core)
    a, b = core(steps), torch_like(steps)
    # the cosines differ by <= ~3e-16 absolute (cospi: <= 1 ulp; libm rounds pi*t/T
    # first); the value scales them by at most the schedule's span
    span = float(np.max(np.abs(b)))
    assert np.all(np.abs(a - b) <= 4 * EPS * span), float(np.max(np.abs(a - b)) / span / EPS)
    assert np.any(a != b) or family == "wsd"  # the choice is really in the row


def test_the_libm_row_is_torchs_formula_and_the_core_row_is_cospis():
    s = lrjit.cosine(0.1, decay_steps=100, end_value=1e-3)
    t = np.arange(150.0)
    tt = np.minimum(t, 100.0)
    libm = [1e-3 + (0.1 - 1e-3) * (1.0 + math.cos(math.pi * u / 100.0)) / 2.0 for u in tt]
    core = [1e-3 + (0.1 - 1e-3) * (1.0 + cospi(u / 100.0)) / 2.0 for u in tt]
    assert np.array_equal(libm_twin(s)(t), libm)
    assert np.array_equal(s(t), core)
    # the per-piece choice itself: cospi(1/2) is exactly 0; libm's cos(pi/2) is 6.1e-17
    assert cos_turns(50.0, 100.0, 0.0) == 0.0
    assert cos_turns(50.0, 100.0, 1.0) == math.cos(math.pi * 50.0 / 100.0) != 0.0


def test_torch_front_end_keeps_libm():
    from types import SimpleNamespace

    from lrjit.optim import lr_scheduler as L

    o = L.CosineAnnealingLR(SimpleNamespace(param_groups=[{"lr": 0.1}]), T_max=100)
    o.last_epoch = 33
    want = 0.0 + (0.1 - 0.0) * (1.0 + math.cos(math.pi * 33 / 100)) / 2.0
    assert o._get_closed_form_lr() == [want]
    o = L.OneCycleLR(SimpleNamespace(param_groups=[{"lr": 0.1}]), 1.0, 100, cycle_momentum=False)
    o.step()
    pct = 1.0 / (0.3 * 100 - 1.0)
    want = 1.0 + (1.0 / 25.0 - 1.0) / 2.0 * (math.cos(math.pi * pct) + 1.0)
    assert o.get_last_lr() == [want]


# power's shortcuts, written out: the core's x ** p at p = 1, 2, 1/2
SHORTCUTS = {1.0: lambda f: f, 2.0: lambda f: f * f, 0.5: math.sqrt}


@pytest.mark.parametrize("power", sorted(SHORTCUTS))
def test_polynomial_powers_take_shortcuts_and_its_libm_row_is_pow(power):
    # issue 13: at power 1, 2 and 1/2 the core's polynomial is the fraction, its
    # square, its square root (correctly rounded, and no pow call per step);
    # libm_pow = 1, the torch front-end's row, is libm's pow
    import mpmath

    n = 5000  # 4999 fractions: pow(f, 2) and pow(f, 0.5) are 1 ulp off on 7 and 3 of them
    s = lrjit.polynomial(0.3, 0.001, power=power, transition_steps=n - 1)
    family = REGISTRY["polynomial"]
    row = s.params[0, : len(family.layout)].tolist()
    assert row[-1] == 0.0
    row[-1] = 1.0
    twin = family.schedule({**s.args, "libm_pow": 1.0}, s.horizon, [(family.code, row, 0.0)])
    t = np.arange(float(n))
    frac = [1.0 - min(u, n - 1.0) / (n - 1.0) for u in t]
    core = [(0.3 - 0.001) * SHORTCUTS[power](f) + 0.001 for f in frac]
    libm = [(0.3 - 0.001) * math.pow(f, power) + 0.001 for f in frac]
    assert (core != libm) == (power != 1.0)  # the two rows can be told apart
    for label, sched, want in (("core", s, core), ("libm", twin, libm)):
        for name, got in every_cpu_path(sched, n, t).items():
            assert np.array_equal(got, want), (label, name)
    # the shortcut is the correctly rounded power (mpmath at 200 bits)
    with mpmath.workprec(200):
        assert all(SHORTCUTS[power](f) == float(mpmath.mpf(f) ** power) for f in frac)


@pytest.mark.parametrize("k_decay", [1.0, 2.0, 0.5, 1.5])
@pytest.mark.parametrize("exponent", [1.0, 2.0, 0.5, 3.0])
def test_cosine_shapes_raise_through_power(k_decay, exponent):
    # timm's k-decay and optax's exponent raise through power: a square, a square
    # root, or libm's pow, on every path (9973 steps: pow(c, 2) and pow(c, 0.5)
    # are 1 ulp off on 10 and 5 of the half-cosines c)
    def raised(x, p):
        return SHORTCUTS[p](x) if p in SHORTCUTS else math.pow(x, p)

    n = 9974
    s = lrjit.cosine(0.3, n - 1, end_value=0.001, k_decay=k_decay, exponent=exponent)
    t = np.arange(float(n))
    want = []
    for u in t:
        h = 1.0 + cospi(raised(min(u, n - 1.0), k_decay) / raised(n - 1.0, k_decay))
        if exponent == 1.0:
            want.append(0.001 + (0.3 - 0.001) * h / 2.0)  # the default's operation order
        else:
            want.append(0.001 + (0.3 - 0.001) * raised(h / 2.0, exponent))
    for name, got in every_cpu_path(s, n, t).items():
        assert np.array_equal(got, want), name
