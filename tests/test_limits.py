"""Deep and huge inputs, float32 overflow, and clear errors where NumPy or Python spoke before."""

import copy
import json
import math
import pickle

import numpy as np
import pytest

import lrjit
from lrjit.lr_schedule import BaseLRSchedule
from lrjit.schedule import MAX_DEPTH

FLOAT32_MAX = float(np.finfo(np.float32).max)


def rejects(call, error, *words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    return str(info.value)


# -- deep compositions


def _nested_join(depth):
    """join(join(join(c0, c1), c2), ...): piece k starts at step k and holds value k."""
    s = lrjit.constant(0.0)
    for k in range(1, depth + 1):
        s = lrjit.join([s, lrjit.constant(float(k))], [k])
    return s


def _nested_config(depth):
    d = {"type": "constant", "value": 0.0}
    for k in range(1, depth + 1):
        d = {"type": "join", "schedules": [d, {"type": "constant", "value": float(k)}],
             "boundaries": [k]}
    return d


def test_a_join_nested_1000_deep_is_a_value():
    s = _nested_join(1000)
    # the oracle: piece k holds k from step k on
    assert [s(k) for k in (0, 1, 500, 999, 1000, 5000)] == [0.0, 1.0, 500.0, 999.0, 1000.0, 1000.0]
    assert np.array_equal(s.table(1001), np.arange(1001.0))
    assert pickle.loads(pickle.dumps(s)) == s
    assert copy.deepcopy(s) == s and hash(copy.deepcopy(s)) == hash(s)
    assert repr(s).startswith("lrjit.join(") and repr(s).count("lrjit.join") == 1
    d = s.to_dict()
    assert lrjit.from_dict(json.loads(json.dumps(d))) == s


def test_a_join_of_joins_equals_the_flat_join():
    warm, cos, tail = lrjit.linear(0.0, 1.0, 10), lrjit.cosine(1.0, 100), lrjit.constant(0.5)
    nested = lrjit.join([lrjit.join([warm, cos], [10]), tail], [50])
    flat = lrjit.join([warm, cos, tail], [10, 50])
    assert nested == flat and nested.to_dict() == flat.to_dict()
    steps = np.arange(80.0)
    want = np.where(steps < 10, steps / 10, np.where(
        steps < 50, 0.5 * (1 + np.cos(np.pi * (steps - 10) / 100)), 0.5))
    assert np.allclose(nested(steps), want, rtol=1e-15, atol=0)
    # an inner boundary past the outer one cuts the inner child off
    cut = lrjit.join([lrjit.join([warm, cos], [60]), tail], [50])
    assert cut == lrjit.join([warm, tail], [50]) and cut(55) == 0.5 and cut(5) == 0.5
    # a nested join that is the last piece keeps its horizon
    last = lrjit.join([tail, lrjit.join([warm, cos], [10])], [5])
    assert last.horizon == 5 + 10 + 100
    assert lrjit.join([lrjit.join([warm, cos], [10])], []) == lrjit.join([warm, cos], [10])


def test_nested_configs_within_the_limit_load_and_beyond_it_are_refused():
    s = lrjit.from_dict(_nested_config(MAX_DEPTH - 1))
    assert s(MAX_DEPTH - 1) == MAX_DEPTH - 1 and s(0.5) == 0.0
    for depth in (MAX_DEPTH, 495, 5000):
        rejects(lambda: lrjit.from_dict(_nested_config(depth)), ValueError, "config",
                str(MAX_DEPTH), "deep")
    cyclic = {"type": "join", "boundaries": []}
    cyclic["schedules"] = [cyclic]
    rejects(lambda: lrjit.from_dict(cyclic), ValueError, "deep")


def test_lr_schedule_create_deep_configs():
    ok = {**_nested_config(MAX_DEPTH - 2), "total_steps": 100}
    lr = BaseLRSchedule.create(ok)
    assert lr(0.0) == MAX_DEPTH - 2 and lr(1.0) == 0.0
    assert BaseLRSchedule.create(lr.to_dict()) == lr
    for depth in (MAX_DEPTH + 1, 199, 1000):
        bad = {**_nested_config(depth), "total_steps": 100}
        rejects(lambda: BaseLRSchedule.create(bad), ValueError, "cfg", "deep")


# -- huge tables


@pytest.mark.parametrize("n", [2**53, 2**50])
def test_a_table_too_big_for_memory_says_what_was_asked(n):
    s = lrjit.cosine(1.0, 10)
    message = rejects(lambda: s.table(n), MemoryError, f"table({n})", "GiB", "out=")
    assert f"{n * 8 / 2**30:,.1f}" in message
    rejects(lambda: lrjit.sweep([s, s], n), MemoryError, "steps", "GiB")


def test_cli_default_window_of_a_2_53_horizon_is_within_the_step_limit(capsys):
    from lrjit.cli import main

    assert main(["show", "cosine", "--init-value", "1", "--decay-steps", str(2**53)]) == 0
    out = capsys.readouterr().out
    assert f"{2**53:,} steps" in out and f"horizon {2**53}" in out


# -- float32 overflow


@pytest.mark.parametrize("value", [1e300, 1e39, 2 * FLOAT32_MAX])
def test_float32_table_beyond_float32_range_is_refused(value):
    s = lrjit.constant(value)
    for parallel in (True, False):
        rejects(lambda: s.table(3, dtype=np.float32, parallel=parallel), ValueError,
                "float32", "float64")
    rejects(lambda: s.table(3, out=np.empty(3, np.float32)), ValueError, "float32")
    rejects(lambda: lrjit.sweep("constant", 3, value=[1.0, value], dtype=np.float32),
            ValueError, "float32", "[1, 0]")
    rejects(lambda: lrjit.sweep([lrjit.constant(1.0), s], 3, dtype=np.float32,
                                target="parallel"), ValueError, "float32")
    # float64 holds it
    assert s.table(2).tolist() == [value, value]


def test_float32_tables_within_range_are_finite():
    s = lrjit.join([lrjit.constant(1e38), lrjit.cosine(3e38, 10)], [2])
    t = s.table(20, dtype=np.float32)
    assert np.isfinite(t).all() and t[0] == np.float32(1e38) and t[2] == np.float32(3e38)
    assert np.array_equal(lrjit.sweep([s], 20, dtype=np.float32)[0], t)


# -- clear errors


def test_zero_d_arrays_are_not_sequences():
    rejects(lambda: lrjit.multistep(0.1, np.array(5)), TypeError, "milestones", "sequence",
            "shape ()")
    pieces = [lrjit.constant(1.0), lrjit.constant(2.0)]
    rejects(lambda: lrjit.join(pieces, boundaries=np.array(0.1)), TypeError, "boundaries",
            "sequence")
    rejects(lambda: lrjit.join(pieces, boundaries=np.array([[3]])), TypeError, "boundaries")
    assert lrjit.join(pieces, boundaries=np.array([3])) == lrjit.join(pieces, [3])
    assert lrjit.multistep(1.0, np.array([2, 1]), gamma=0.5)(2) == 0.25


def test_from_dict_names_the_bad_entry_and_bad_keys():
    bad_child = {"type": "join", "schedules": [{"type": "constant", "value": 1.0}, 3],
                 "boundaries": [3]}
    rejects(lambda: lrjit.from_dict(bad_child), TypeError, "['schedules'][1]", "dict", "int")
    rejects(lambda: lrjit.from_dict({"type": "constant", "value": 1.0, 1: 2, "zz": 3}),
            TypeError, "keys must be strings", "1", "int")
    rejects(lambda: lrjit.from_dict({"type": ["x"]}), ValueError, "type", "['x']", "cosine")
    rejects(lambda: BaseLRSchedule.create({"type": ["x"]}), ValueError, "type", "['x']")


def test_sweep_accepts_what_the_factory_accepts():
    assert lrjit.sweep("constant", 2, value=10**30).tolist() == [1e30, 1e30]
    assert lrjit.sweep("constant", 1, value=[10**30, 2]).tolist() == [[1e30], [2.0]]
    rejects(lambda: lrjit.sweep("constant", 1, value=10**301), ValueError, "value", "1e+300")
    rejects(lambda: lrjit.sweep("constant", 1, value=[None]), TypeError, "value")


def test_torch_lambda_lr_saves_and_loads_with_a_schedule():
    torch = pytest.importorskip("torch")
    from torch.optim.lr_scheduler import LambdaLR

    def run(steps, state=None):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        sched = LambdaLR(opt, lrjit.cosine(1.0, 10))
        if state is not None:
            sched.load_state_dict(state)
        for _ in range(steps):
            opt.step()
            sched.step()
        return sched

    first = run(3)
    state = first.state_dict()
    assert state["lr_lambdas"] == [{}]
    json.dumps(state)
    resumed = run(2, state)
    assert resumed.get_last_lr() == [0.5 * (1 + math.cos(math.pi * 5 / 10))]
