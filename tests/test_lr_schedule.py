"""lrjit.lr_schedule: the seed's progress-remaining API, its fixes, and its mapping onto Schedules.

The oracle is the seed's formulas, written out below with ``math`` from the
seed's documentation (``progress = 1 - progress_remaining``).
"""

import copy
import math
import pickle

import cloudpickle
import numba
import numpy as np
import pytest
from family_records import COS_ULPS, RECORDS, reference
from hypothesis import given
from hypothesis import strategies as st

import lrjit
from lrjit.kernels import lr_at
from lrjit.lr_schedule import (
    BaseLRSchedule,
    CosineAnnealingLRSchedule,
    CosineWarmupLRSchedule,
    ExponentialLRSchedule,
    FunctionalLRSchedule,
    LinearLRSchedule,
    PolynomialLRSchedule,
)

EPS = 2.0**-52
SEED_TYPES = ["constant", "linear", "cosine", "exponential", "cosine_warmup", "polynomial"]
# Types whose lrjit kernel does the seed's arithmetic in the seed's order.
# "cosine": the core's cospi against the seed's libm cos, within COS_ULPS (issue 13)
BITWISE = {"constant", "exponential"}


def seed_lr(cfg, p):
    """The seed's lr at ``progress_remaining = p``, clamped to [0, 1] as lrjit documents."""
    kind = cfg.get("type", "constant")
    i, f = cfg.get("initial_value", 0.001), cfg.get("final_value", 0.0)
    p = min(max(p, 0.0), 1.0)
    q = 1.0 - p  # the seed's "progress"
    if kind == "constant":
        return i
    if kind == "linear":
        return p * i + (1.0 - p) * f
    if kind == "cosine":
        return f + 0.5 * (i - f) * (1.0 + math.cos(math.pi * q))
    if kind == "exponential":
        return i * cfg.get("decay_rate", 0.1) ** q
    if kind == "cosine_warmup":
        w = cfg.get("warmup_fraction", 0.1)
        if q < w:
            return i * (q / w)
        return f + 0.5 * (i - f) * (1.0 + math.cos(math.pi * ((q - w) / (1.0 - w))))
    if kind == "polynomial":
        return (i - f) * p ** cfg.get("power", 2.0) + f
    raise AssertionError(kind)


def close(got, want, scale, ulps=16):
    """Within ``ulps`` ulps of the config's largest value (plus a subnormal's worth)."""
    return abs(got - want) <= ulps * EPS * scale + 4 * 5e-324


GRID = [1.0, 0.999, 0.9, 0.75, 0.6, 0.5, 0.4, 1 / 3, 0.25, 0.1, 0.05, 1e-3, 1e-9, 0.0]


# -- the seed's API, defaults and formulas ---------------------------------


def test_seed_defaults():
    assert BaseLRSchedule.create({}).to_dict() == {
        "type": "constant", "initial_value": 0.001, "final_value": 0.0}
    assert ExponentialLRSchedule({}).decay_rate == 0.1
    assert CosineWarmupLRSchedule({}).warmup_fraction == 0.1
    assert PolynomialLRSchedule({}).power == 2.0
    for kind in SEED_TYPES:
        lr = BaseLRSchedule.create({"type": kind})
        assert lr.initial_value == 0.001 and lr.final_value == 0.0
        for p in GRID:
            assert close(lr(p), seed_lr({"type": kind}, p), 0.001)


def test_create_picks_the_seed_class():
    classes = {
        "constant": BaseLRSchedule,
        "linear": LinearLRSchedule,
        "cosine": CosineAnnealingLRSchedule,
        "exponential": ExponentialLRSchedule,
        "cosine_warmup": CosineWarmupLRSchedule,
        "polynomial": PolynomialLRSchedule,
    }
    for kind, cls in classes.items():
        assert type(BaseLRSchedule.create({"type": kind})) is cls
        assert cls({}) == BaseLRSchedule.create({"type": kind})
    assert type(BaseLRSchedule.create(0.1)) is BaseLRSchedule


@pytest.mark.parametrize("kind", SEED_TYPES)
def test_func_call_and_seed_formula(kind):
    cfg = {"type": kind, "initial_value": 3e-4, "final_value": 2e-5, "decay_rate": 0.3,
           "warmup_fraction": 0.2, "power": 1.5}
    cfg = {k: v for k, v in cfg.items() if k in BaseLRSchedule.create({"type": kind}).to_dict()}
    lr = BaseLRSchedule.create(cfg)
    for p in GRID:
        got = lr.func(p)
        assert type(got) is float and lr(p) == got
        want = seed_lr(cfg, p)
        ulps = COS_ULPS if kind == "cosine" else 16
        assert got == want if kind in BITWISE else close(got, want, 3e-4, ulps), (p, got, want)


def test_known_values():
    # Hand-checkable points of each formula.
    assert LinearLRSchedule({"initial_value": 1.0, "final_value": 0.5})(0.5) == 0.75
    assert CosineAnnealingLRSchedule({"initial_value": 1.0, "final_value": 0.0})(0.5) == 0.5
    assert ExponentialLRSchedule({"initial_value": 8.0, "decay_rate": 0.25})(0.5) == 4.0
    assert ExponentialLRSchedule({"initial_value": 8.0, "decay_rate": 0.25})(0.0) == 2.0
    lr = CosineWarmupLRSchedule({"initial_value": 1.0, "final_value": 0.0,
                                 "warmup_fraction": 0.25})
    assert [lr(p) for p in (1.0, 0.875, 0.75, 0.375, 0.0)] == [0.0, 0.5, 1.0, 0.5, 0.0]
    assert PolynomialLRSchedule({"initial_value": 1.0, "power": 3})(0.5) == 0.125
    assert PolynomialLRSchedule({"initial_value": 1.0, "final_value": 0.5, "power": 0})(0.0) == 1.0


def test_polynomial_is_bitwise_where_the_kernel_sees_p():
    cfg = {"type": "polynomial", "initial_value": 0.3, "final_value": 0.01, "power": 0.7}
    lr = BaseLRSchedule.create(cfg)
    for p in [1.0, 0.9, 0.7, 0.5, 0.0] + [1 - k / 3000 for k in range(1500, 3001, 7)]:
        assert 1.0 - (1.0 - p) == p
        assert lr(p) == seed_lr(cfg, p)
    # p = 0.1 is not a multiple of 2**-53: the kernel reads it as 1 - (1 - 0.1).
    assert lr(0.1) == seed_lr(cfg, 1.0 - (1.0 - 0.1))


# -- hypothesis: every accepted cfg is finite, and follows the seed ---------

values = st.one_of(st.floats(0.0, 10.0), st.sampled_from([0.0, 5e-324, 1e-300, 1e300]),
                   st.floats(0.0, 1e300))
realistic = st.one_of(st.just(0.0), st.floats(1e-12, 10.0))


def configs(value):
    return st.fixed_dictionaries(
        {"type": st.sampled_from(SEED_TYPES), "initial_value": value, "final_value": value},
        optional={
            "decay_rate": st.floats(0.0, 1.0, exclude_min=True) | st.just(5e-324),
            "warmup_fraction": st.floats(0.0, 1.0, exclude_min=True, exclude_max=True),
            "power": st.floats(0.0, 1e6) | st.floats(0.0, 4.0),
        },
    ).map(lambda d: {k: v for k, v in d.items()
                     if k in ("type", "initial_value", "final_value")
                     or k == {"exponential": "decay_rate", "cosine_warmup": "warmup_fraction",
                              "polynomial": "power"}.get(d["type"])})


progress = st.one_of(st.floats(0.0, 1.0), st.floats(-2.0, 3.0),
                     st.sampled_from([0.0, 1.0, 5e-324, 0.5, 1 - 2**-53]))


@given(configs(values), st.lists(progress, min_size=1, max_size=8))
def test_every_accepted_config_is_finite_and_follows_the_seed(cfg, ps):
    lr = BaseLRSchedule.create(cfg)
    scale = max(cfg["initial_value"], cfg["final_value"])
    got = lr(np.array(ps))
    for p, g in zip(ps, got):
        assert math.isfinite(g) and g >= 0.0
        assert lr(p) == g  # the scalar and the array paths agree bitwise
        want = seed_lr(cfg, 1.0 - (1.0 - p) if cfg["type"] == "polynomial" else p)
        assert close(g, want, scale), (p, g, want)
    grid = lr(np.linspace(0.0, 1.0, 257))
    assert np.isfinite(grid).all() and (grid >= 0).all()


@given(configs(realistic), progress)
def test_bitwise_types_equal_the_seed(cfg, p):
    if cfg["type"] in BITWISE:
        assert BaseLRSchedule.create(cfg)(p) == seed_lr(cfg, p)


# -- the fixes -------------------------------------------------------------


def test_int_cfg_is_a_constant_and_a_number_sets_final_value():
    assert BaseLRSchedule.create(1) == BaseLRSchedule.create(1.0)
    assert BaseLRSchedule.create(1)(0.3) == 1.0
    assert BaseLRSchedule.create(np.float32(0.5))(0.0) == 0.5
    lr = BaseLRSchedule.create(0.1)
    assert (lr.initial_value, lr.final_value) == (0.1, 0.1)
    # a bare number makes the seed's Linear/Cosine/Polynomial a constant (the seed
    # raised AttributeError: final_value was never set)
    for cls in (LinearLRSchedule, CosineAnnealingLRSchedule, PolynomialLRSchedule):
        assert [cls(0.1)(p) for p in (1.0, 0.5, 0.0)] == [0.1, 0.1, 0.1]
    assert ExponentialLRSchedule(1.0)(0.0) == 0.1  # decay_rate keeps its default


def rejects(call, error, *fragments):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_unknown_type_lists_every_valid_one():
    message = rejects(lambda: BaseLRSchedule.create({"type": "cosine_warmpu"}), ValueError,
                      "'cosine_warmpu'")
    for name in SEED_TYPES + sorted(lrjit.FACTORIES):
        assert name in message
    rejects(lambda: BaseLRSchedule.create({"type": None}), ValueError, "None", "linear")


def test_unknown_key_lists_the_valid_ones():
    rejects(lambda: BaseLRSchedule.create({"type": "exponential", "decay": 0.5}), ValueError,
            "'decay'", "'initial_value'", "'final_value'", "'decay_rate'", "'gamma'")
    rejects(lambda: CosineWarmupLRSchedule({"warmup_steps": 5}), ValueError,
            "'warmup_steps'", "'warmup_fraction'")
    rejects(lambda: LinearLRSchedule({"transition_steps": 5}), ValueError,
            "'transition_steps'", "'initial_value'")


def test_a_class_rejects_another_type():
    rejects(lambda: BaseLRSchedule({"type": "linear"}), ValueError, "'linear'", "create")
    rejects(lambda: LinearLRSchedule({"type": "cosine"}), ValueError, "'cosine'", "create")
    assert LinearLRSchedule({"type": "linear"}) == LinearLRSchedule({})


@pytest.mark.parametrize("bad", [True, None, "0.1", b"1", [0.1], np.array(0.1), 1j])
def test_bad_cfg_types(bad):
    rejects(lambda: BaseLRSchedule.create(bad), TypeError, "cfg", repr(bad))


@pytest.mark.parametrize("key", ["initial_value", "final_value"])
@pytest.mark.parametrize("bad, error", [
    (True, TypeError), (None, TypeError), ("1e-3", TypeError), (float("nan"), ValueError),
    (float("inf"), ValueError), (-1e-3, ValueError), (1e301, ValueError),
])
def test_bad_values_name_the_key(key, bad, error):
    rejects(lambda: BaseLRSchedule.create({"type": "linear", key: bad}), error,
            key, repr(bad), "[0, 1e+300]")
    rejects(lambda: BaseLRSchedule.create(bad), (TypeError, ValueError), repr(bad))


@pytest.mark.parametrize("cfg, fragments", [
    ({"type": "exponential", "decay_rate": 0.0}, ("decay_rate", "(0, 1]")),
    ({"type": "exponential", "decay_rate": 1.5}, ("decay_rate", "(0, 1]")),
    ({"type": "exponential", "decay_rate": float("nan")}, ("decay_rate", "nan")),
    ({"type": "cosine_warmup", "warmup_fraction": 0.0}, ("warmup_fraction", "(0, 1)")),
    ({"type": "cosine_warmup", "warmup_fraction": 1.0}, ("warmup_fraction", "(0, 1)")),
    ({"type": "polynomial", "power": -1.0}, ("power", "[0, 1e+06]")),
    ({"type": "polynomial", "power": "2"}, ("power", "'2'")),
    ({"type": "polynomial", "power": True}, ("power", "True")),
])
def test_type_parameters_are_checked(cfg, fragments):
    with pytest.raises((TypeError, ValueError)) as info:
        BaseLRSchedule.create(cfg)
    assert all(f in str(info.value) for f in fragments), str(info.value)


def test_decay_rate_one_and_edges_are_accepted():
    assert ExponentialLRSchedule({"initial_value": 0.2, "decay_rate": 1})(0.0) == 0.2
    assert CosineWarmupLRSchedule({"warmup_fraction": 1 - 2**-53})(0.5) >= 0.0


def test_progress_outside_unit_interval_is_clamped():
    # SB3 passes 1 - 128/100 = -0.28 after the last rollout of learn(100) with n_steps=64.
    for kind in SEED_TYPES:
        lr = BaseLRSchedule.create({"type": kind, "initial_value": 0.1, "final_value": 0.01})
        assert lr(-0.28) == lr(0.0) == lr(-1e300) == lr(-(10**400))
        assert lr(1.5) == lr(1.0) == lr(10**400)
        assert list(lr(np.array([-0.28, 1.5]))) == [lr(0.0), lr(1.0)]
    # the seed extrapolated: its linear lr went negative
    assert LinearLRSchedule({"initial_value": 0.1})(-0.5) == 0.0


@pytest.mark.parametrize("bad, error", [
    (float("nan"), ValueError), (float("inf"), ValueError), (-math.inf, ValueError),
    (np.array([0.5, np.nan]), ValueError), (True, TypeError), (np.bool_(True), TypeError),
    ("0.5", TypeError), (None, TypeError), (1j, TypeError), (np.array(["a"]), TypeError),
])
def test_bad_progress(bad, error):
    lr = BaseLRSchedule.create({"type": "linear"})
    rejects(lambda: lr(bad), error, "progress_remaining")


def test_numpy_scalars_and_arrays():
    lr = BaseLRSchedule.create({"type": "cosine", "initial_value": 0.1, "final_value": 0.0})
    for p in (np.float64(0.3), np.float32(0.25), np.int64(1), np.int8(0), 0, 1):
        got = lr(p)
        assert type(got) is float and got == lr(float(p))
    ps = np.linspace(-0.5, 1.5, 24).reshape(2, 3, 4)
    out = lr(ps)
    assert out.shape == (2, 3, 4) and out.dtype == np.float64
    assert [lr(float(p)) for p in ps.ravel()] == list(out.ravel())
    assert list(lr([1.0, 0.5])) == [lr(1.0), lr(0.5)]
    assert lr(np.array(0.5)).shape == ()
    assert lr(np.array([], dtype=np.float32)).shape == (0,)
    assert list(lr(np.array([0.25, 0.5], dtype=np.float32))) == [lr(0.25), lr(0.5)]
    assert lr(ps[:, ::2, 1]).shape == (2, 2)  # non-contiguous input


def test_arrays_go_through_the_compiled_driver(monkeypatch):
    # One call of the compiled lrjit.tables.evaluate for the whole array: no Python loop.
    import lrjit.lr_schedule as module

    assert isinstance(module.evaluate, numba.core.registry.CPUDispatcher)
    calls = []

    def spy(kinds, params, starts, steps, out):
        calls.append(steps.shape)
        lrjit.tables.evaluate(kinds, params, starts, steps, out)

    monkeypatch.setattr(module, "evaluate", spy)
    out = BaseLRSchedule.create({"type": "linear"})(np.linspace(0, 1, 1000).reshape(10, 100))
    assert calls == [(1000,)]
    assert out.shape == (10, 100) and out[0, 0] == 0.0 and out[-1, -1] == 0.001


# -- value semantics -------------------------------------------------------


def test_immutable_equal_hashable_repr():
    lr = BaseLRSchedule.create({"type": "polynomial", "power": 3})
    with pytest.raises(AttributeError, match="immutable"):
        lr.power = 1.0
    with pytest.raises(AttributeError, match="immutable"):
        del lr.initial_value
    with pytest.raises(AttributeError, match="no attribute 'type'"):
        lr.type  # noqa: B018
    assert lr == PolynomialLRSchedule({"power": 3.0}) != PolynomialLRSchedule({"power": 2})
    assert lr != LinearLRSchedule({}) and lr != "polynomial"
    assert len({lr, PolynomialLRSchedule({"power": 3.0})}) == 1
    assert eval(repr(lr)) == lr
    assert BaseLRSchedule.create(lr) is lr


@pytest.mark.parametrize("dumps, loads", [(pickle.dumps, pickle.loads),
                                          (cloudpickle.dumps, cloudpickle.loads)])
def test_pickle_and_cloudpickle(dumps, loads):
    configs_ = [{"type": kind, "initial_value": 0.2, "final_value": 0.02} for kind in SEED_TYPES]
    configs_.append({"type": "warmup_cosine", "peak_value": 1.0, "warmup_steps": 10,
                     "decay_steps": 100, "total_steps": 150})
    for cfg in configs_:
        lr = BaseLRSchedule.create(cfg)
        back = loads(dumps(lr))
        assert back == lr and type(back) is type(lr)
        assert list(back(np.linspace(0, 1, 11))) == list(lr(np.linspace(0, 1, 11)))
        assert copy.deepcopy(lr) == lr


def test_import_compiles_nothing(run_python):
    out = run_python(
        "import lrjit.lr_schedule as m, lrjit.kernels.dispatch as d, lrjit.tables as t\n"
        "m.BaseLRSchedule.create({'type': 'cosine'})\n"
        "print(len(d.lr_at.signatures), len(t.evaluate.signatures))"
    )
    assert out.split() == ["0", "0"]


# -- onto the step axis: to_schedule ---------------------------------------


@pytest.mark.parametrize("kind", SEED_TYPES)
@pytest.mark.parametrize("n", [1, 4, 100, 1000])
def test_to_schedule_follows_progress(kind, n):
    cfg = {"type": kind, "initial_value": 0.3, "final_value": 0.03, "decay_rate": 0.2,
           "warmup_fraction": 0.25, "power": 2.5}
    cfg = {k: v for k, v in cfg.items() if k in BaseLRSchedule.create({"type": kind}).to_dict()}
    s = BaseLRSchedule.create(cfg).to_schedule(n)
    assert isinstance(s, lrjit.Schedule)
    table = s.table(n + 3)
    for t in range(n + 3):
        want = seed_lr(cfg, 1.0 - t / n)
        if kind == "cosine_warmup" and n == 1:
            want = seed_lr(cfg, 1.0 - t) if t else 0.3  # no room for a warmup step
        if kind == "polynomial":
            assert table[t] == want  # the kernel's frac is the seed's p, 1 - t/n
        elif kind == "exponential":
            assert abs(table[t] - want) <= (n + 8) * EPS * want
        else:
            assert close(table[t], want, 0.3), (t, table[t], want)
        assert s(t) == table[t]


def test_to_schedule_warmup_rounds_to_whole_steps():
    lr = CosineWarmupLRSchedule({"initial_value": 1.0, "warmup_fraction": 0.1})
    assert lr.to_schedule(1234).args["warmup_steps"] == 123
    assert lr.to_schedule(5).args["warmup_steps"] == 1  # at least one step of warmup
    assert lr.to_schedule(1).args["warmup_steps"] == 0
    lr = CosineWarmupLRSchedule({"warmup_fraction": 0.999})
    assert lr.to_schedule(100).args["warmup_steps"] == 99


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10", None, True])
def test_to_schedule_rejects_bad_total_steps(bad):
    with pytest.raises((TypeError, ValueError), match="total_steps"):
        LinearLRSchedule({}).to_schedule(bad)


def test_to_schedule_from_user_njit_code():
    s = CosineWarmupLRSchedule({"initial_value": 1e-3, "final_value": 1e-5}).to_schedule(500)

    @numba.njit
    def lrs(kinds, params, starts, n):
        out = np.empty(n)
        for i in range(n):
            out[i] = lr_at(kinds, params, starts, float(i))
        return out

    assert np.array_equal(lrs(*s.program, 600), s.table(600))
    assert s.table(600)[0] == 0.0 and s.table(600)[50] == 1e-3


# -- every lrjit family through create() -------------------------------------


def test_every_family_has_examples():
    missing = sorted(set(lrjit.FACTORIES) - set(RECORDS))
    assert set(lrjit.FACTORIES) <= set(RECORDS), f"add records for {missing} to family_records.py"


@pytest.mark.parametrize("name, i", [(n, i) for n in sorted(RECORDS)
                                     for i in range(len(RECORDS[n].examples))])
def test_create_takes_every_family(name, i):
    s = lrjit.FACTORIES[name](**RECORDS[name].examples[i])
    # a family that takes total_steps (one_cycle) shares the key with the progress axis
    n = s.args.get("total_steps", 3 * max(s.horizon, 1) + 7)
    lr = BaseLRSchedule.create({**s.to_dict(), "total_steps": n})
    assert type(lr) is FunctionalLRSchedule and lr.to_schedule() is lr.schedule == s
    ks = np.arange(n + 1)
    progress = 1.0 - ks / n  # as SB3 computes it
    # a whole step is hit exactly, so jumps land on their step
    assert [lr(float(p)) for p in progress] == list(s(ks.astype(float)))
    assert np.array_equal(lr(progress), s(ks.astype(float)))
    for k in ks[:: max(1, n // 25)]:
        want = reference(s, int(k))
        assert abs(lr(1.0 - k / n) - want) <= 1e-12 * abs(want) + 1e-300
    assert lr(-0.5) == s(float(n)) and lr(2.0) == s(0.0)


def test_seed_key_names_work_for_lrjit_families():
    lr = BaseLRSchedule.create({"type": "warmup_cosine", "initial_value": 1e-4,
                                "peak_value": 1e-3, "final_value": 1e-5,
                                "warmup_steps": 100, "decay_steps": 1000, "total_steps": 1000})
    assert lr.schedule == lrjit.warmup_cosine(1e-3, 100, 1000, init_value=1e-4, end_value=1e-5)
    assert (lr(1.0), lr(0.9), lr(0.0)) == (1e-4, 1e-3, 1e-5)
    nested = BaseLRSchedule.create({
        "type": "join", "total_steps": 30, "boundaries": [10],
        "schedules": [
            {"type": "linear", "initial_value": 0.0, "final_value": 1.0, "transition_steps": 10},
            {"type": "join", "boundaries": [5], "schedules": [
                {"type": "constant", "initial_value": 1.0},
                {"type": "exponential", "initial_value": 1.0, "gamma": 0.5}]},
        ],
    })
    want = lrjit.join([lrjit.linear(0.0, 1.0, 10), lrjit.join(
        [lrjit.constant(1.0), lrjit.exponential(1.0, 0.5)], [5])], [10])
    assert nested.schedule == want
    assert nested(1 - 17 / 30) == 0.25
    rejects(lambda: BaseLRSchedule.create({"type": "linear", "init_value": 1.0,
                                           "initial_value": 1.0, "end_value": 0.0,
                                           "transition_steps": 5, "total_steps": 5}),
            ValueError, "'initial_value'", "'init_value'", "not both")


def test_seed_names_with_step_keys_are_the_lrjit_family():
    lr = BaseLRSchedule.create({"type": "cosine", "initial_value": 1.0, "decay_steps": 100,
                                "total_steps": 200})
    assert lr.schedule == lrjit.cosine(1.0, 100) and lr(0.5) == 0.0
    lr = BaseLRSchedule.create({"type": "exponential", "init_value": 1.0, "gamma": 0.5,
                                "total_steps": 4})
    assert lr(0.0) == 0.0625
    assert type(BaseLRSchedule.create({"type": "cosine", "initial_value": 1.0})) is \
        CosineAnnealingLRSchedule
    rejects(lambda: BaseLRSchedule.create({"type": "cosine", "total_steps": 10}), ValueError,
            "'decay_steps'", "'total_steps'", "progress")


def test_total_steps_is_required_and_checked():
    base = {"type": "step_decay", "init_value": 1.0, "step_size": 10}
    rejects(lambda: BaseLRSchedule.create(base), ValueError, "'total_steps'", "total_timesteps")
    for bad in (0, 2.5, "10", True):
        with pytest.raises((TypeError, ValueError), match="total_steps"):
            BaseLRSchedule.create({**base, "total_steps": bad})
    rejects(lambda: BaseLRSchedule.create({**base, "total_steps": 10, "stepsize": 3}),
            ValueError, "'stepsize'", "'step_size'", "'total_steps'")
    rejects(lambda: BaseLRSchedule.create({**base, "total_steps": 10, "gamma": 2.0}),
            ValueError, "gamma", "2.0")
    lr = BaseLRSchedule.create({**base, "total_steps": 40})
    assert lr.to_schedule(40) is lr.schedule
    rejects(lambda: lr.to_schedule(80), ValueError, "40", "80")
    with pytest.raises(TypeError, match="total_steps"):
        FunctionalLRSchedule(0.1)
    rejects(lambda: FunctionalLRSchedule({"type": "cosine_warmup", "total_steps": 3}),
            ValueError, "'cosine_warmup'", "warmup_cosine")


def test_step_function_switches_on_its_step():
    # 1 - (1 - k/n) != k/n in floating point; the jump must still land on step k.
    lr = BaseLRSchedule.create({"type": "multistep", "initial_value": 1.0,
                                "milestones": [1, 4, 7, 10], "gamma": 0.5, "total_steps": 300})
    for k in range(12):
        assert lr(1.0 - k / 300) == 0.5 ** sum(m <= k for m in (1, 4, 7, 10))
    # a progress between whole steps is not moved
    assert lr(1.0 - 0.999 / 300) == 1.0


def test_families_are_discovered_at_call_time(monkeypatch):
    # A family registered after import (as other modules do) is reachable, and one
    # that takes total_steps itself (like a one-cycle schedule) receives it.
    seen = {}

    def ramp_down(init_value, total_steps):
        seen["total_steps"] = total_steps
        return lrjit.linear(init_value, 0.0, total_steps)

    monkeypatch.setitem(lrjit.FACTORIES, "ramp_down", ramp_down)
    lr = BaseLRSchedule.create({"type": "ramp_down", "initial_value": 1.0, "total_steps": 8})
    assert seen == {"total_steps": 8}
    assert (lr(1.0), lr(0.5), lr(0.0)) == (1.0, 0.5, 0.0)
    rejects(lambda: BaseLRSchedule.create({"type": "ramp_down", "init_value": 1.0}),
            ValueError, "'total_steps'")
    assert "ramp_down" in rejects(lambda: BaseLRSchedule.create({"type": "ramp"}), ValueError)
