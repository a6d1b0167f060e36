"""The families against the peers that define them, where the peer installs beside torch 2.13.

transformers 5.x schedules are ``LambdaLR`` multipliers of each group's base lr: stepped
here one step at a time on a torch optimizer whose lr is the peak, they give the lr
itself.  Comparisons are bitwise where lrjit follows the peer's operation order
(documented in each family), else within 1e-12 relative.  A missing peer skips.
"""

import math

import numpy as np
import pytest

from family_records import assert_cos_close, libm_twin

import lrjit

torch = pytest.importorskip("torch")


def _hf_lrs(make, peak, n):
    """The lrs of a transformers scheduler over steps 0 .. n-1 (stepped, as in training)."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=peak)
    sched = make(opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out




def _transformers():
    return pytest.importorskip("transformers.optimization")


@pytest.mark.parametrize("warmup, timescale", [(0, None), (1, None), (100, None), (10, 7),
                                               (4000, 10_000)])
def test_inverse_sqrt_is_transformers_bitwise(warmup, timescale):
    hf = _transformers()
    n = 3 * max(warmup, timescale or 0) + 50
    want = _hf_lrs(lambda o: hf.get_inverse_sqrt_schedule(o, warmup, timescale=timescale), 3e-4,
                   n)
    s = lrjit.inverse_sqrt(3e-4, warmup, timescale=timescale)
    assert s.table(n).tolist() == want


@pytest.mark.parametrize("warmup_shape", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("decay_shape", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("rate", [0.0, 0.1])
def test_wsd_is_transformers_bitwise(warmup_shape, decay_shape, rate):
    hf = _transformers()
    total, warmup, decay = 120, 13, 37
    want = _hf_lrs(
        lambda o: hf.get_wsd_schedule(
            o, warmup, decay, num_training_steps=total, warmup_type=warmup_shape,
            decay_type=decay_shape, min_lr_ratio=rate,
        ),
        0.1, total + 20,
    )
    s = lrjit.wsd(0.1, total, warmup_steps=warmup, decay_steps=decay, min_lr_rate=rate,
                  warmup_shape=warmup_shape, decay_shape=decay_shape)
    if rate == 0.0:  # lrjit's end + (peak - end) * f is transformers' peak * f here
        # with libm's cos (libm_cos=1): bitwise; the core's cospi: a few ulps (issue 13)
        assert libm_twin(s).table(total + 20).tolist() == want
        assert_cos_close(s.table(total + 20), want, "wsd")
    else:
        np.testing.assert_allclose(s.table(total + 20), want, rtol=1e-12, atol=0.0)


def test_wsd_stable_steps_is_transformers_num_stable_steps():
    hf = _transformers()
    want = _hf_lrs(lambda o: hf.get_wsd_schedule(o, 5, 10, num_stable_steps=20), 1.0, 50)
    s = lrjit.wsd(1.0, stable_steps=20, warmup_steps=5, decay_steps=10)
    assert libm_twin(s).table(50).tolist() == want  # libm's cos: bitwise
    assert_cos_close(s.table(50), want, "wsd")  # the core's cospi: a few ulps (issue 13)


# -- timm 1.0 (its torchvision pin does not load with torch 2.13's CPU build): its
# WSDLRScheduler._get_lr written out, in its operation order.


def timm_wsd(t, base, t_initial, decay_t, lr_min=0.0, stable_fn="constant",
             stable_timescale=None, decay_fn="1-sqrt", decay_power=0.5, decay_ratio=0.1,
             warmup_t=0, warmup_lr_init=0.0):
    if t < warmup_t:
        return warmup_lr_init + t * ((base - warmup_lr_init) / warmup_t)
    t_s = t - warmup_t
    stable = 1.0 if stable_fn == "constant" else (1.0 + t_s / (stable_timescale or warmup_t)) ** -0.5
    lr = max(base * stable, lr_min)
    t_decay = t_s - (t_initial - decay_t)
    if t_decay <= 0:
        return lr
    frac = min(t_decay / decay_t, 1.0)
    f = {
        "linear": lambda: 1.0 - frac,
        "1-sqrt": lambda: 1.0 - math.sqrt(frac),
        "cosine": lambda: 0.5 * (1.0 + math.cos(math.pi * frac)),
        "power": lambda: 1.0 - frac**decay_power,
        "exp": lambda: (decay_ratio**frac - decay_ratio) / (1.0 - decay_ratio),
    }[decay_fn]()
    return lr_min + (lr - lr_min) * f


@pytest.mark.parametrize(
    "kw",
    [
        dict(decay_fn="1-sqrt"),
        dict(decay_fn="linear", lr_min=0.01),
        dict(decay_fn="cosine", warmup_lr_init=0.02),
        dict(decay_fn="power", decay_power=2.0),
        dict(decay_fn="exp", decay_ratio=0.05, lr_min=0.001),
        dict(decay_fn="linear", stable_fn="rsqrt"),
        dict(decay_fn="1-sqrt", stable_fn="rsqrt", stable_timescale=3, lr_min=0.2),
    ],
)
def test_wsd_is_timm_bitwise(kw):
    base, warmup, t_initial, decay = 0.5, 8, 60, 25
    names = {"decay_fn": "decay_shape", "lr_min": "end_value", "warmup_lr_init": "init_value",
             "decay_power": "decay_power", "decay_ratio": "decay_ratio",
             "stable_fn": "stable_shape", "stable_timescale": "timescale"}
    mine = {names[k]: ("exponential" if v == "exp" else v) for k, v in kw.items()}
    s = lrjit.wsd(base, warmup + t_initial, warmup_steps=warmup, decay_steps=decay,
                  convention="timm", **mine)
    want = [timm_wsd(t, base, t_initial, decay, warmup_t=warmup, **kw) for t in range(90)]
    assert libm_twin(s).table(90).tolist() == want  # libm's cos: bitwise
    assert_cos_close(s.table(90), want, "wsd")  # the core's cospi: a few ulps (issue 13)


def test_inverse_sqrt_timm_is_rsqrt_stable_of_timm_wsd():
    # timm's rsqrt has no scheduler of its own: it is WSD's stable phase, before the decay
    s = lrjit.inverse_sqrt(0.5, 8, convention="timm", init_value=0.01)
    want = [timm_wsd(t, 0.5, 10**6, 1, stable_fn="rsqrt", warmup_t=8, warmup_lr_init=0.01)
            for t in range(200)]
    assert s.table(200).tolist() == want


def test_inverse_sqrt_conventions_agree_to_rounding():
    a = lrjit.inverse_sqrt(1.0, 50, init_value=0.0).table(10_000)
    b = lrjit.inverse_sqrt(1.0, 50, convention="timm").table(10_000)
    np.testing.assert_allclose(a, b, rtol=1e-14, atol=0.0)


# -- optax 0.2.8 (jax on CPU, float64)


@pytest.fixture
def optax():
    optax = pytest.importorskip("optax")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return optax


def _optax_values(schedule, n):
    import jax.numpy as jnp

    return np.asarray(schedule(jnp.arange(n, dtype=jnp.float64)), dtype=np.float64)


@pytest.mark.parametrize(
    "kw",
    [
        dict(init_value=0.1, transition_steps=1, decay_rate=0.9),
        dict(init_value=1.0, transition_steps=10, decay_rate=0.5, transition_begin=5,
             staircase=True),
        dict(init_value=0.1, transition_steps=3, decay_rate=0.9, end_value=0.05),
        dict(init_value=1e-6, transition_steps=100, decay_rate=10.0, end_value=1.0),
    ],
)
def test_exponential_is_optax(optax, kw):
    want = _optax_values(optax.exponential_decay(**kw), 2000)
    s = lrjit.exponential(**kw)
    np.testing.assert_allclose(s.table(2000), want, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize(
    "kw",
    [
        dict(init_value=1.0, end_value=0.0, power=2.0, transition_steps=100),
        dict(init_value=0.1, end_value=0.01, power=0.5, transition_steps=30,
             transition_begin=20),
    ],
)
def test_polynomial_is_optax(optax, kw):
    want = _optax_values(optax.polynomial_schedule(**kw), 300)
    np.testing.assert_allclose(lrjit.polynomial(**kw).table(300), want, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("alpha, exponent", [(0.0, 1.0), (0.1, 1.0), (0.0, 2.0), (0.05, 0.5)])
def test_cosine_is_optax(optax, alpha, exponent):
    want = _optax_values(optax.cosine_decay_schedule(0.3, 150, alpha=alpha, exponent=exponent),
                         300)
    s = lrjit.cosine(0.3, 150, alpha=alpha, exponent=exponent)
    np.testing.assert_allclose(s.table(300), want, rtol=1e-12, atol=1e-300)


def test_optax_alpha_is_not_end_value_positionally():
    # optax's cosine_decay_schedule(0.1, 1000, 0.1) means alpha=0.1: lrjit refuses the guess
    with pytest.raises(TypeError):
        lrjit.cosine(0.1, 1000, 0.1)
    with pytest.raises(ValueError, match="not both"):
        lrjit.cosine(0.1, 1000, end_value=0.01, alpha=0.1)


# -- timm 1.0's k-decay (CosineLRScheduler, PolyLRScheduler one cycle), written out


def timm_cosine(t, lr_max, t_initial, lr_min=0.0, k=1.0):
    t = min(t, t_initial)
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t**k / t_initial**k))


def timm_poly(t, lr_max, t_initial, power, lr_min=0.0, k=1.0):
    t = min(t, t_initial)
    return lr_min + (lr_max - lr_min) * (1 - t**k / t_initial**k) ** power


@pytest.mark.parametrize("k", [0.5, 1.0, 2.0])
def test_cosine_k_decay_is_timm(k):
    s = lrjit.cosine(0.5, 80, end_value=0.01, k_decay=k)
    want = [timm_cosine(t, 0.5, 80, 0.01, k) for t in range(100)]
    np.testing.assert_allclose(s.table(100), want, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("k", [0.5, 1.0, 2.0])
def test_polynomial_k_decay_is_timm_bitwise(k):
    s = lrjit.polynomial(0.5, 0.01, 2.0, 80, k_decay=k)
    assert s.table(100).tolist() == [timm_poly(t, 0.5, 80, 2.0, 0.01, k) for t in range(100)]


def test_optax_positional_orders_are_type_errors_not_other_schedules():
    # optax's warmup_cosine_decay_schedule(init, peak, warmup, decay) and
    # exponential_decay(init, transition_steps, decay_rate): keyword-only past the
    # first arguments, so a positional port fails instead of meaning something else
    with pytest.raises(TypeError):
        lrjit.warmup_cosine(0.0, 1.0, 100, 1000)
    with pytest.raises(TypeError):
        lrjit.exponential(0.1, 1000, 0.5)
    with pytest.raises(ValueError, match="gamma"):  # optax's transition_steps as gamma
        lrjit.exponential(0.1, 1000)


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5])
def test_warmup_cosine_min_lr_rate_is_transformers(rate):
    hf = _transformers()
    make = lambda o: hf.get_cosine_with_min_lr_schedule_with_warmup(  # noqa: E731
        o, num_warmup_steps=20, num_training_steps=300, min_lr_rate=rate)
    want = _hf_lrs(make, 0.1, 301)  # transformers rises again after its end: compare to it
    got = lrjit.warmup_cosine(0.1, 20, 300, min_lr_rate=rate).table(301)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-18)


def test_cosine_ratio_names_are_one_end_value():
    a = lrjit.cosine(0.4, 100, alpha=0.25)
    assert a == lrjit.cosine(0.4, 100, min_lr_rate=0.25) == lrjit.cosine(0.4, 100, end_value=0.1)
    assert lrjit.warmup_cosine(0.4, 5, 50, alpha=0.25) == lrjit.warmup_cosine(
        0.4, 5, 50, end_value=0.1)
    for make in (lambda **k: lrjit.cosine(0.4, 100, **k),
                 lambda **k: lrjit.warmup_cosine(0.4, 5, 50, **k),
                 lambda **k: lrjit.wsd(0.4, 100, decay_steps=10, **k)):
        with pytest.raises(ValueError, match="not both"):
            make(alpha=0.1, min_lr_rate=0.1)
        with pytest.raises(ValueError, match="alpha must be"):
            make(alpha=1.5)


# -- optax's exponential, torch's bits at the defaults


def test_exponential_defaults_are_torch_closed_form_bitwise():
    s = lrjit.exponential(0.1, 0.95)
    assert s.table(3000).tolist() == [0.1 * 0.95**t for t in range(3000)]
    assert repr(s) == "lrjit.exponential(init_value=0.1, gamma=0.95)"
    assert s == lrjit.exponential(0.1, decay_rate=0.95, transition_steps=1, end_value=0.0)


def test_exponential_growth_is_capped_and_degenerate_input_named():
    s = lrjit.exponential(1e-7, 10.0, transition_steps=50, end_value=1.0)  # an LR range test
    t = s.table(2000)
    assert np.isfinite(t).all() and t.max() == 1.0 and t[-1] == 1.0
    with pytest.raises(ValueError, match="gamma"):  # growth without a cap
        lrjit.exponential(1e-7, 10.0, transition_steps=50)
    with pytest.raises(ValueError, match="decay_rate"):
        lrjit.exponential(0.1, decay_rate=0.0, transition_steps=10)
    with pytest.raises(ValueError, match="transition_steps"):
        lrjit.exponential(0.1, 0.5, transition_steps=0)
    with pytest.raises(ValueError, match="not both"):
        lrjit.exponential(0.1, 0.5, decay_rate=0.5)


def test_cosine_and_polynomial_defaults_keep_their_bits():
    base = lrjit.cosine(0.3, 70, end_value=0.01, periodic=True)
    same = lrjit.cosine(0.3, 70, end_value=0.01, periodic=True, exponent=1.0, k_decay=1.0)
    assert same == base and repr(same) == repr(base)
    t = np.arange(300.0)
    # torch's CosineAnnealingLR closed form, its operation order
    want = [0.01 + (0.3 - 0.01) * (1 + math.cos(math.pi * x / 70)) / 2 for x in t]
    # bitwise with libm's cosine (the torch front-end's choice); the core's cospi
    # within a few ulps (issue 13)
    assert libm_twin(base).table(300).tolist() == want
    assert_cos_close(base.table(300), want, "cospi", turns=300 / 70)
    p = lrjit.polynomial(0.3, 0.01, 2.0, 70, transition_begin=0, k_decay=1.0)
    assert repr(p) == "lrjit.polynomial(init_value=0.3, end_value=0.01, power=2.0, " \
        "transition_steps=70)"


# -- keras 3's InverseTimeDecay (keras is not installed: its formula written out)


def keras_inverse_time(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate / (1 + decay_rate * p)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_is_keras_bitwise(staircase):
    s = lrjit.inverse_time(0.1, 30, 0.7, staircase=staircase)
    want = [keras_inverse_time(float(t), 0.1, 30.0, 0.7, staircase) for t in range(500)]
    assert s.table(500).tolist() == want
    with pytest.raises(ValueError, match="decay_rate"):
        lrjit.inverse_time(0.1, 30, 0.0)


# -- timm 1.0's TanhLRScheduler (one cycle, no warmup), written out from its _get_lr


def timm_tanh(t, base_lr, t_initial, lb=-7.0, ub=3.0, lr_min=0.0):
    if t >= t_initial:  # cycle 1 of cycle_limit 1: lr_min
        return lr_min
    tr = t / t_initial
    return lr_min + 0.5 * (base_lr - lr_min) * (1 - math.tanh(lb * (1.0 - tr) + ub * tr))


def exact_tanh(t, base_lr, t_initial, lb=-7.0, ub=3.0, lr_min=0.0):
    """timm's schedule at 200 bits from the doubles that timm and lrjit both round alike
    (``tr``, ``x``, ``base_lr - lr_min``); ``(1 - tanh x) / 2 = 1 / (1 + e**2x)``."""
    mp = pytest.importorskip("mpmath")
    if t >= t_initial:
        return mp.mpf(lr_min)
    tr = t / t_initial
    x = lb * (1.0 - tr) + ub * tr
    with mp.workprec(200):
        return mp.mpf(lr_min) + mp.mpf(base_lr - lr_min) / (1 + mp.exp(2 * mp.mpf(x)))


def ulps_from(value, exact):
    """``|value - exact|`` in ulps of ``exact``'s binade (inf for a value where exact is 0)."""
    mp = pytest.importorskip("mpmath")
    if exact == 0:
        return 0.0 if value == 0 else math.inf
    return float(abs(mp.mpf(value) - exact) / mp.ldexp(1, mp.frexp(exact)[1] - 53))


def _tanh(kw, n):
    names = dict(lb="lower", ub="upper", lr_min="end_value")
    return lrjit.tanh(0.05, 90, **{names[k]: v for k, v in kw.items()}).table(n)


@pytest.mark.parametrize("kw", [dict(), dict(lb=-3.0, ub=5.0, lr_min=0.002), dict(lb=-1.0, ub=1.0)])
def test_tanh_is_timm_within_1e_12(kw):
    """Not bitwise: lrjit computes ``1 - tanh(x)`` as ``2 / (1 + exp(2x))`` (its own
    vectorizable ``exp``).  timm's ``1 - tanh(x)`` is itself good to 1e-12 for ``x`` up to
    ~4.9 (its rounding of ``tanh``, ``2**-53``, over ``1 - tanh x ~ 2 e**-2x``), so there the
    two agree to 1e-12 (measured: 8.6e-15 at timm's defaults, where ``x`` reaches 3)."""
    got = _tanh(kw, 200)
    want = np.array([timm_tanh(float(t), 0.05, 90, **kw) for t in range(200)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert np.array_equal(got[90:], want[90:])  # lr_min from t_initial on, exactly


@pytest.mark.parametrize("kw", [dict(), dict(lb=-7.0, ub=12.0), dict(lb=-7.0, ub=20.0),
                                dict(lb=-20.0, ub=20.0, lr_min=1e-4)])
def test_tanh_is_more_accurate_than_timms_formula(kw):
    """Against the exact value (mpmath): lrjit within 2 ulps everywhere; timm's ``1 - tanh(x)``
    cancels as ``x`` grows (50 ulps at its defaults, all bits from ``x = 19.06``, where
    ``tanh(x)`` rounds to 1 and timm's lr is exactly ``lr_min``)."""
    got = _tanh(kw, 90)
    exact = [exact_tanh(float(t), 0.05, 90, **kw) for t in range(90)]
    timm = [timm_tanh(float(t), 0.05, 90, **kw) for t in range(90)]
    ours = max(ulps_from(g, e) for g, e in zip(got.tolist(), exact))
    theirs = max(ulps_from(g, e) for g, e in zip(timm, exact))
    assert ours <= 2.0, ours  # measured 1.59
    assert theirs > 10 * ours, (theirs, ours)  # measured 3.4 ulps at ub=5, 50 at ub=3
    if kw.get("ub") == 20.0 and "lr_min" not in kw:
        assert timm[-1] == 0.0 and 0.0 < got[-1] < 1e-18  # x = 19.7: 1 - tanh(x) is 0.0


# -- optax's piecewise schedules (boundary sides checked against optax itself)


@pytest.mark.parametrize("bands", [{100: 0.1, 200: 0.01}, {0: 0.5, 3: 2.0, 7: 0.0},
                                   {5: 0.3, 6: 0.3, 50: 1.5}, {}])
def test_piecewise_constant_is_optax_bitwise(optax, bands):
    want = np.broadcast_to(_optax_values(optax.piecewise_constant_schedule(0.7, bands), 260),
                           (260,))  # optax's is a constant without boundaries
    assert lrjit.piecewise_constant(0.7, bands).table(260).tolist() == want.tolist()


@pytest.mark.parametrize("kind", ["linear", "cosine"])
@pytest.mark.parametrize("bands", [{4: 0.1, 8: 0.01}, {0: 0.5, 10: 4.0, 40: 0.25}, {30: 2.0}])
def test_piecewise_interpolate_is_optax(optax, kind, bands):
    import jax

    # optax's piecewise_interpolate takes one step at a time: vmapped over the steps
    want = _optax_values(jax.vmap(optax.piecewise_interpolate_schedule(kind, 0.3, bands)), 120)
    got = lrjit.piecewise_interpolate(kind, 0.3, bands).table(120)
    # optax's operation order for linear, but XLA fuses its multiply-add: to rounding
    np.testing.assert_allclose(got, want, rtol=1e-14 if kind == "linear" else 1e-12, atol=1e-300)


def keras_piecewise_constant(step, boundaries, values):
    """keras 3's PiecewiseConstantDecay: values[0] while step <= boundaries[0], ...,
    values[k] while boundaries[k-1] < step <= boundaries[k], the last value after."""
    for b, v in zip(boundaries, values):
        if step <= b:
            return v
    return values[-1]


@pytest.mark.parametrize("boundaries, values", [([10, 25], [1.0, 0.5, 0.1]),
                                                ([0, 4], [0.2, 0.4, 0.1])])
def test_piecewise_constant_keras_convention(boundaries, values):
    s = lrjit.piecewise_constant(boundaries=boundaries, values=values, convention="keras")
    want = [keras_piecewise_constant(t, boundaries, values) for t in range(40)]
    assert s.table(40).tolist() == want
    # the default (optax's side): the new value at the boundary itself
    d = lrjit.piecewise_constant(boundaries=boundaries, values=values)
    assert [d(b) for b in boundaries] == values[1:]


def test_piecewise_constant_refuses_mixed_or_broken_spellings():
    with pytest.raises(ValueError, match="not both"):
        lrjit.piecewise_constant(1.0, {3: 0.5}, boundaries=[3], values=[1.0, 0.5])
    with pytest.raises(ValueError, match="values must hold"):
        lrjit.piecewise_constant(boundaries=[3], values=[1.0])
    with pytest.raises(ValueError, match="scale"):
        lrjit.piecewise_constant(1.0, {3: -0.5})
    with pytest.raises(ValueError, match="twice"):
        lrjit.piecewise_constant(1.0, [[3, 0.5], [3, 0.5]])
    with pytest.raises(ValueError, match="interpolate_type"):
        lrjit.piecewise_interpolate("cubic", 1.0, {3: 0.5})
