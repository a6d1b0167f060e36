"""Products, warmup on any schedule, timm's noise, integrals, tables from a step.

References: the family formulas of ``family_records`` (written out, not
lrjit's kernels), timm 1.0's warmup and noise formulas written out below, the
Random123 known-answer vectors for Philox4x32-10, the truncated normal's
moments, and ``math.fsum`` of tables for the integral.
"""

import json
import math
import pickle

import numba
import numpy as np
import pytest

from family_records import assert_cos_close, uses_cos

import lrjit
from lrjit.kernels import lr_at
from lrjit.kernels.compose import philox4x32

from family_records import reference


def _cos(t, base, t_initial, lr_min):
    # timm 1.0 CosineLRScheduler._get_lr, one cycle (cycle_limit=1), t < t_initial:
    # lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(pi * t_curr / t_i)); then lr_min.
    if t >= t_initial:
        return lr_min
    return lr_min + 0.5 * (base - lr_min) * (1 + math.cos(math.pi * t / t_initial))


def timm_cosine_with_warmup(t, base, t_initial, lr_min, warmup_t, warmup_lr_init, prefix):
    """timm 1.0 CosineLRScheduler (scheduler/cosine_lr.py), its warmup written out:

    warmup_steps = (base - warmup_lr_init) / warmup_t
    t < warmup_t:  warmup_lr_init + t * warmup_steps
    else:          the cosine at t - warmup_t (warmup_prefix=True) or at t (False)
    """
    if t < warmup_t:
        inc = (base - warmup_lr_init) / warmup_t
        return warmup_lr_init + t * inc
    return _cos(t - warmup_t if prefix else t, base, t_initial, lr_min)


# -- Philox


def test_philox_known_answers():
    # Random123's kat_vectors for philox4x32_10: counter, key -> output.
    u = np.uint64
    m = u(0xFFFFFFFF)
    assert [int(x) for x in philox4x32(u(0), u(0), u(0), u(0), u(0), u(0))] == [
        0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    assert [int(x) for x in philox4x32(m, m, m, m, m, m)] == [
        0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]
    pi = [u(x) for x in (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344, 0xA4093822, 0x299F31D0)]
    assert [int(x) for x in philox4x32(*pi)] == [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]
    # the Python function (what the CUDA simulator runs) gives the same words
    want = [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]
    assert [int(x) for x in philox4x32.py_func(*pi)] == want


# -- products


PAIRS = [
    (lrjit.cosine(1.0, decay_steps=100), lrjit.linear(0.0, 1.0, 10)),
    (lrjit.multistep(0.5, [5, 20], gamma=0.3), lrjit.exponential(2.0, 0.97)),
    (lrjit.join([lrjit.constant(1.0), lrjit.cosine(0.5, 30)], [10]),
     lrjit.step_decay(1.0, 7, gamma=0.5)),
]


def close(got, want, *schedules):
    """Within 1e-14 relative, or a few ulps of the scale where a piece is a cosine
    family: the core's cospi against the formulas' libm cos (issue 13)."""
    if any(uses_cos(s) for s in schedules):
        assert_cos_close(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


@pytest.mark.parametrize("a, b", PAIRS)
def test_a_product_is_the_product_of_the_formulas(a, b):
    t = np.arange(120.0)
    want = reference(a, t) * reference(b, t)
    for s in (lrjit.multiply(a, b), a * b):
        close(s(t), want, a, b)
        close(s.table(120), want, a, b)


def test_scaling_by_a_constant_both_sides():
    s = lrjit.warmup_cosine(1.0, warmup_steps=5, decay_steps=50)
    t = np.arange(60.0)
    want = 0.3 * reference(s, t)
    close((s * 0.3)(t), want, s)
    close((0.3 * s)(t), want, s)
    close(lrjit.multiply(0.3, s).table(60), want, s)
    close((s * 2 * 3)(7), 6 * reference(s, 7.0), s)


def test_a_composite_with_no_segment_is_its_scale():
    # lr_at tests a one-row program before a composite one: a lone PRODUCT row
    # (scale times nothing) must still reach the composite evaluator.
    from lrjit.kernels.compose import PRODUCT
    from lrjit.kernels.dispatch import MAX_PARAMS, driver_lr_at

    kinds, params, starts = np.array([PRODUCT]), np.zeros((1, MAX_PARAMS)), np.zeros(1)
    params[0, 0] = 0.25

    @numba.njit
    def in_a_loop(kinds, params, starts):
        return [lr_at(kinds, params, starts, float(t)) for t in range(3)]

    assert in_a_loop(kinds, params, starts) == [0.25] * 3
    assert driver_lr_at(kinds, params, starts, 7.0) == 0.25


def test_products_of_products_and_joins_of_products():
    a, b = PAIRS[0]
    c = lrjit.constant(0.5)
    p = (a * b) * (c * 2.0)
    t = np.arange(100.0)
    close(p(t), reference(a, t) * reference(b, t), a, b)
    j = lrjit.join([a * b, lrjit.exponential(1.0, 0.9) * 0.5], [40])
    want = np.where(t < 40, reference(a, t) * reference(b, t), 0.5 * 0.9 ** (t - 40))
    close(j(t), want, a, b)
    # a join of plain schedules stays a plain program
    assert lrjit.join([a, b], [5]).kinds.min() >= 0


def test_product_bad_input():
    s = lrjit.constant(1.0)
    with pytest.raises(TypeError, match="at least one Schedule"):
        lrjit.multiply(1.0, 2.0)
    with pytest.raises(ValueError, match=r"b must be a finite number in \[0, 1e\+300\]"):
        lrjit.multiply(s, -1.0)
    with pytest.raises(TypeError, match="b must be"):
        lrjit.multiply(s, "2")
    with pytest.raises(TypeError):
        s * "2"
    with pytest.raises(ValueError, match="above lrjit's limit"):
        lrjit.constant(1e200) * lrjit.constant(1e200)


# -- warmup


@pytest.mark.parametrize("prefix", [True, False])
def test_warmup_reproduces_timm(prefix):
    # CosineLRScheduler(t_initial=100, lr_min=1e-5, warmup_t=10, warmup_lr_init=1e-6,
    # warmup_prefix=prefix) on a base lr of 0.1.
    base, t_initial, lr_min, w, init = 0.1, 100, 1e-5, 10, 1e-6
    s = lrjit.warmup_then(
        lrjit.cosine(base, decay_steps=t_initial, end_value=lr_min),
        w,
        init_value=init,
        prefix=prefix,
    )
    got = s.table(130)
    for t in range(130):
        want = timm_cosine_with_warmup(t, base, t_initial, lr_min, w, init, prefix)
        if t < w:
            assert got[t] == want, t  # timm's operation order: bitwise
        else:
            assert got[t] == pytest.approx(want, rel=1e-14, abs=0), t


def test_warmup_shapes_and_a_composite_schedule():
    s = lrjit.exponential(1.0, 0.9) * 0.5
    w = 8
    t = np.arange(40.0)
    for shape, ramp in (
        ("cosine", lambda t: 0.1 + (0.5 - 0.1) * (1 - np.cos(np.pi * t / w)) / 2),
        ("constant", lambda t: np.full_like(t, 0.1)),
        ("linear", lambda t: 0.1 + t * ((0.5 - 0.1) / w)),
    ):
        pre = lrjit.warmup_then(s, w, init_value=0.1, shape=shape)
        over = lrjit.warmup_then(s, w, init_value=0.1, shape=shape, prefix=False)
        base = 0.5 * 0.9**t
        after = 0.5 * 0.9 ** (t - w)
        np.testing.assert_allclose(pre(t), np.where(t < w, ramp(t), after), rtol=1e-14)
        np.testing.assert_allclose(over(t), np.where(t < w, ramp(t), base), rtol=1e-14)
    assert lrjit.warmup_then(s, w).horizon == w + s.horizon


def test_warmup_bad_input():
    s = lrjit.constant(1.0)
    with pytest.raises(ValueError, match=r"warmup_steps must be an integer in \[1, 2\*\*53\]"):
        lrjit.warmup_then(s, 0)
    with pytest.raises(ValueError, match="shape must be one of 'linear', 'cosine', 'constant'"):
        lrjit.warmup_then(s, 5, shape="cos")
    with pytest.raises(TypeError, match="prefix must be True or False"):
        lrjit.warmup_then(s, 5, prefix=1)
    with pytest.raises(TypeError, match="schedule must be a Schedule"):
        lrjit.warmup_then(0.1, 5)
    with pytest.raises(TypeError):
        lrjit.warmup_then(s, 5, 0.1)  # init_value is keyword-only


# -- noise


def _noise_of(s, n, **kw):
    return s.with_noise(**kw).table(n) / s.table(n) - 1.0


def test_uniform_noise_is_timms_formula_and_distribution():
    noise = _noise_of(lrjit.constant(1.0), 200_000, pct=0.4, kind="uniform", seed=11)
    # timm: noise = 2 * (u - 0.5) * pct, u uniform in (0, 1)
    assert np.all(np.abs(noise) < 0.4)
    assert abs(noise.mean()) < 0.003
    assert noise.std() == pytest.approx(0.4 / math.sqrt(3), rel=0.01)


@pytest.mark.parametrize("pct, std", [(0.67, 1.0), (0.1, 1.0), (0.5, 0.2)])
def test_normal_noise_is_the_truncated_normal(pct, std):
    noise = _noise_of(lrjit.constant(1.0), 200_000, pct=pct, std=std, seed=5)
    assert np.all(np.abs(noise) < pct)
    # a normal of std ``std`` truncated to (-pct, pct): variance
    # std^2 * (1 - 2 a phi(a) / (2 Phi(a) - 1)) with a = pct / std
    a = pct / std
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(a / math.sqrt(2)))
    var = std**2 * (1 - 2 * a * phi / (2 * big_phi - 1))
    assert noise.std() == pytest.approx(math.sqrt(var), rel=0.01)
    assert abs(noise.mean()) < 0.005 * pct
    # fourth moment too (a truncated normal is not a uniform)
    kurt = np.mean(noise**4) / np.mean(noise**2) ** 2
    fourth = std**4 * (3 - (2 * a**3 + 6 * a) * phi / (2 * big_phi - 1))
    assert kurt == pytest.approx(fourth / var**2, rel=0.03)


def test_noise_is_timms_v_plus_v_noise_in_its_window_only():
    s = lrjit.cosine(0.1, decay_steps=50)
    noisy = s.with_noise(0.3, seed=2, begin=10, end=30)
    t = np.arange(60.0)
    base, got = s(t), noisy(t)
    inside = (t >= 10) & (t < 30)
    assert np.array_equal(got[~inside], base[~inside])
    noise = got[inside] / base[inside] - 1
    assert np.all(noise != 0) and np.all(np.abs(noise) < 0.3 + 1e-12)
    # the same seed draws the same noise for another schedule: v + v * noise
    other = lrjit.constant(2.0).with_noise(0.3, seed=2, begin=10, end=30)(t)[inside]
    noise = other / 2.0 - 1
    np.testing.assert_allclose(got[inside], base[inside] + base[inside] * noise, rtol=1e-15)


def test_seeds_steps_and_fractions():
    c = lrjit.constant(1.0)
    a = c.with_noise(0.5, seed=0).table(1000)
    b = c.with_noise(0.5, seed=1).table(1000)
    big = c.with_noise(0.5, seed=2**40 + 1).table(1000)
    assert np.mean(a == b) < 0.01 and np.mean(a == big) < 0.01
    assert len(np.unique(a)) > 990  # no state: still one draw per step
    s = c.with_noise(0.5, seed=9)
    assert s(7.75) == s(7)  # fractional steps draw with their integer part
    assert s(2**40) == s.table(1, start=2**40)[0]


def test_noise_bad_input():
    s = lrjit.constant(1.0)
    with pytest.raises(ValueError, match=r"pct must be a finite number in \(0, 1\]"):
        s.with_noise(0.0)
    with pytest.raises(ValueError, match=r"pct must be"):
        s.with_noise(1.5)
    with pytest.raises(ValueError, match="std must be"):
        s.with_noise(0.5, std=0)
    with pytest.raises(ValueError, match="kind must be one of 'normal', 'uniform'"):
        s.with_noise(0.5, kind="gauss")
    with pytest.raises(ValueError, match="end must be greater than begin=5, got 5"):
        s.with_noise(0.5, begin=5, end=5)
    with pytest.raises(ValueError, match="seed must be an integer"):
        s.with_noise(0.5, seed=-1)


# -- every path computes the same bits


def _composites():
    cos = lrjit.cosine(0.1, decay_steps=40, end_value=1e-3)
    return [
        cos.with_noise(0.5, seed=3),
        lrjit.warmup_then(cos, 6, prefix=False).with_noise(0.2, kind="uniform", seed=1, begin=3),
        lrjit.warmup_then(cos * lrjit.linear(1.0, 0.5, 30), 5, init_value=0.01),
        lrjit.join([cos.with_noise(0.1, seed=4, end=20), lrjit.constant(0.01) * 2.0], [25]),
        lrjit.multiply(lrjit.multistep(0.2, [5, 15], gamma=0.5), cos),
    ]


@numba.njit
def _user_loop(kinds, params, starts, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = lr_at(kinds, params, starts, float(i))
    return out


@pytest.mark.parametrize("s", _composites(), ids=range(5))
def test_every_cpu_path_agrees_bitwise(s):
    n = 64
    want = np.array([s(t) for t in range(n)])
    assert np.array_equal(s.table(n), want)
    assert np.array_equal(s.table(n, parallel=False), want)
    assert np.array_equal(s(np.arange(n, dtype=np.float64)), want)
    assert np.array_equal(s.table(n - 9, start=9), want[9:])
    assert np.array_equal(s.table(n - 9, start=9, parallel=False), want[9:])
    assert np.array_equal(_user_loop(*s.program, n), want)
    assert np.array_equal(s.table(n, dtype=np.float32), want.astype(np.float32))
    steps = np.arange(n, dtype=np.float64)
    for target in ("cpu", "parallel"):
        rows = lrjit.sweep([s, lrjit.constant(0.5), s * 1.0], steps, target=target)
        assert np.array_equal(rows[0], want) and np.array_equal(rows[2], want)
        assert np.array_equal(rows[1], np.full(n, 0.5))


def test_cuda_simulator_agrees(run_python):
    code = (
        "import numpy as np, lrjit, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_combinators import _composites\n"
        "schedules = _composites()\n"
        "steps = np.arange(24, dtype=np.float64)\n"
        "got = lrjit.sweep(schedules, steps, target='cuda')\n"
        "want = np.array([s.table(24) for s in schedules])\n"
        "scale = np.where(want == 0.0, 1.0, np.abs(want))\n"
        "assert not np.isnan(got).any()\n"
        "err = np.max(np.abs(got - want) / scale)\n"
        "print(repr(float(err)))\n"
    )
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = run_python(code, env={"NUMBA_ENABLE_CUDASIM": "1"}, cwd=root, timeout=600)
    assert float(out) <= 1e-12  # the CUDA contract: within 1e-12 relative


# -- configs, pickling, equality


@pytest.mark.parametrize("s", _composites(), ids=range(5))
def test_round_trips(s):
    again = lrjit.from_dict(json.loads(json.dumps(s.to_dict())))
    assert again == s and hash(again) == hash(s)
    assert np.array_equal(again.table(50), s.table(50))
    assert pickle.loads(pickle.dumps(s)) == s
    assert np.array_equal(again.params, s.params) and np.array_equal(again.kinds, s.kinds)


def test_equality_and_config_shape():
    a = lrjit.cosine(1.0, decay_steps=10)
    assert a * 2.0 == lrjit.multiply(a, 2.0) != 2.0 * a  # arguments in order, like any factory
    assert (a * 2.0).to_dict() == {"type": "multiply", "a": a.to_dict(), "b": 2.0}
    assert lrjit.warmup_then(a, 3).to_dict()["schedule"] == a.to_dict()
    config = {"type": "with_noise", "schedule": a.to_dict(), "pct": 0.1}
    assert lrjit.from_dict(config) == a.with_noise(0.1)
    with pytest.raises(ValueError, match="unknown key"):
        lrjit.from_dict({"type": "with_noise", "schedule": a.to_dict(), "pct": 0.1, "sd": 1})


# -- integral


def _integral_cases():
    return [
        lrjit.constant(0.3),
        lrjit.linear(0.1, 1.0, transition_steps=37, transition_begin=11),
        lrjit.linear(1.0, 0.0, transition_steps=1),
        lrjit.step_decay(0.5, step_size=7, gamma=0.3),
        lrjit.step_decay(0.5, step_size=7, gamma=1.0),
        lrjit.exponential(2.0, gamma=0.999),
        lrjit.exponential(2.0, gamma=1.0),
        lrjit.multistep(1.0, [10, 50, 80], gamma=0.5),
        lrjit.cosine(1.0, decay_steps=90, end_value=0.1),
        lrjit.join([lrjit.linear(0.0, 1.0, 20), lrjit.exponential(1.0, 0.99)], [20]),
        *_composites(),
    ]


@pytest.mark.parametrize("s", _integral_cases(), ids=repr)
def test_integral_is_the_summed_table(s):
    for t in (0, 1, 2, 7, 19, 20, 21, 100, 333):
        want = math.fsum(s.table(t)) if t else 0.0
        assert s.integral(t) == pytest.approx(want, rel=1e-13, abs=1e-300), t


def test_closed_forms_are_o1_and_written_out():
    n = 2**50
    # sum_{k<n} v g^k = v (1 - g^n) / (1 - g)
    assert lrjit.exponential(2.0, 0.999).integral(n) == pytest.approx(2.0 / 0.001, rel=1e-12)
    # a multistep: 10 + 40 * 0.5 + 30 * 0.25 + (n - 80) * 0.125
    got = lrjit.multistep(1.0, [10, 50, 80], gamma=0.5).integral(n)
    assert got == pytest.approx(10 + 20 + 7.5 + (n - 80) * 0.125, rel=1e-15)
    # linear: 11 steps at init, the ramp j = 1..36, then end
    s = lrjit.linear(0.1, 1.0, transition_steps=37, transition_begin=11)
    ramp = sum(0.1 + 0.9 * j / 37 for j in range(1, 37))
    assert s.integral(10**15) == pytest.approx(12 * 0.1 + ramp + (10**15 - 48) * 1.0, rel=1e-15)
    with pytest.raises(ValueError, match=r"t must be an integer in \[0, 2\*\*53\]"):
        s.integral(-1)


# -- tables from a step, summary


def test_table_from_a_step():
    s = lrjit.warmup_cosine(1.0, warmup_steps=10, decay_steps=100)
    full = s.table(150)
    assert np.array_equal(s.table(50, start=100), full[100:])
    out = np.empty(20, np.float32)
    assert s.table(20, out=out, start=5) is out
    np.testing.assert_array_equal(out, full[5:25].astype(np.float32))
    assert s.table(0, start=7).shape == (0,)
    with pytest.raises(ValueError, match=r"start must be an integer in \[0, 2\*\*53\]"):
        s.table(3, start=-1)
    with pytest.raises(ValueError, match="start \\+ n must be at most 2\\*\\*53"):
        s.table(3, start=2**53)


def test_summary_reports_min_and_max():
    s = lrjit.warmup_then(lrjit.cosine(1.0, decay_steps=100, end_value=0.1), 10, init_value=0.05)
    text = s.summary()
    lines = text.splitlines()
    assert "horizon 110" in lines[1]
    assert lines[2] == "  peak     1 at step 10"
    assert "  range    min 0.05 at step 0, max 1 at step 10" in lines
    assert "  settles  at step 110" in text
