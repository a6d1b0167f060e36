"""The Schedule object: value semantics, serialization, call and table contracts."""

import copy
import json
import pickle

import cloudpickle
import numpy as np
import pytest
from family_records import RECORDS

import lrjit

CASES = [(name, i) for name, rec in RECORDS.items() for i in range(len(rec.examples))]
STEPS = np.array([0.0, 0.5, 1.0, 7.0, 19.5, 20.0, 33.25, 150.0, 1e4])


def build(name, i):
    return lrjit.FACTORIES[name](**RECORDS[name].examples[i])


def same_values(a, b):
    return np.array_equal(a(STEPS), b(STEPS)) and np.array_equal(a.table(60), b.table(60))


@pytest.mark.parametrize("name, i", CASES)
def test_immutable(name, i):
    s = build(name, i)
    for attr in ("family", "kinds", "params", "starts", "horizon", "new_attribute"):
        with pytest.raises(AttributeError):
            setattr(s, attr, None)
    with pytest.raises(AttributeError):
        del s.params
    for arr in s.program:
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[0] = 1
    s.args.clear()  # a copy: the schedule keeps its arguments
    assert s == build(name, i)


@pytest.mark.parametrize("name, i", CASES)
def test_equal_and_hashable(name, i):
    a, b = build(name, i), build(name, i)
    assert a is not b and a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    others = [build(n, j) for n, j in CASES if (n, j) != (name, i)]
    assert all(a != o for o in others)


def test_equal_for_equal_arguments_spelled_differently():
    assert lrjit.cosine(1, 100) == lrjit.cosine(1.0, np.int64(100), end_value=0.0, periodic=False)
    assert lrjit.multistep(0.1, [20, 10]) == lrjit.multistep(0.1, (10, 20), gamma=0.1)
    assert lrjit.cosine(1.0, 100) != lrjit.cosine(1.0, 100, periodic=True)
    assert lrjit.constant(0.1) != lrjit.linear(0.1, 0.1, 1)
    assert hash(lrjit.constant(1)) == hash(lrjit.constant(1.0))


@pytest.mark.parametrize("name, i", CASES)
@pytest.mark.parametrize("dumps, loads", [(pickle.dumps, pickle.loads),
                                          (cloudpickle.dumps, cloudpickle.loads)])
def test_picklable(name, i, dumps, loads):
    s = build(name, i)
    back = loads(dumps(s))
    assert back == s and back is not s and same_values(back, s)
    assert copy.deepcopy(s) == s


@pytest.mark.parametrize("name, i", CASES)
def test_repr_round_trips_through_eval(name, i):
    s = build(name, i)
    text = repr(s)
    assert text.startswith(f"lrjit.{name}(")
    back = eval(text, {"lrjit": lrjit})
    assert back == s and repr(back) == text and same_values(back, s)


@pytest.mark.parametrize("name, i", CASES)
def test_to_dict_json_from_dict(name, i):
    s = build(name, i)
    d = s.to_dict()
    assert d["type"] == name
    back = lrjit.from_dict(json.loads(json.dumps(d)))
    assert back == s and same_values(back, s)
    assert lrjit.from_dict(s) is s


def test_join_to_dict_nests_dicts():
    s = lrjit.join([lrjit.constant(0.1), lrjit.cosine(0.1, 10)], [5])
    assert s.to_dict() == {
        "type": "join",
        "schedules": [
            {"type": "constant", "value": 0.1},
            {"type": "cosine", "init_value": 0.1, "decay_steps": 10, "end_value": 0.0,
             "periodic": False},
        ],
        "boundaries": [5],
    }


def test_call_returns_python_float_for_scalars():
    s = lrjit.cosine(1.0, 100)
    for t in (3, 3.0, 2.5, np.float64(2.5), np.int64(3), np.float32(2.5), np.uint8(3)):
        assert type(s(t)) is float, type(t)
    assert s(3) == s(3.0) == s(np.int64(3)) == s(np.uint8(3))


def test_call_on_arrays_keeps_shape_float64():
    s = lrjit.warmup_cosine(1.0, 10, 110)
    zero_d = s(np.array(60))
    assert isinstance(zero_d, np.ndarray) and zero_d.shape == () and zero_d.dtype == np.float64
    assert zero_d[()] == s(60)
    grid = np.arange(12, dtype=np.int32).reshape(3, 4) * 10
    out = s(grid)
    assert out.shape == (3, 4) and out.dtype == np.float64
    assert np.array_equal(out, [[s(int(t)) for t in row] for row in grid])
    assert np.array_equal(s([0, 5.5, 60]), [s(0), s(5.5), s(60)])
    assert s(np.empty((0, 2))).shape == (0, 2)
    strided = np.arange(20.0)[::3]
    assert np.array_equal(s(strided), [s(t) for t in strided])


def test_table_dtypes_and_out():
    s = lrjit.cosine(1.0, 10)
    t64 = s.table(16)
    assert t64.dtype == np.float64 and t64.shape == (16,)
    assert np.array_equal(t64, [s(i) for i in range(16)])
    t32 = s.table(16, dtype=np.float32)
    assert t32.dtype == np.float32 and np.array_equal(t32, t64.astype(np.float32))
    for dtype in (np.float64, np.float32):
        out = np.full(16, -1.0, dtype=dtype)
        assert s.table(16, out=out) is out
        assert s.table(16, dtype=dtype, out=out, parallel=False) is out
        assert np.array_equal(out, t64.astype(dtype))
    view = np.zeros(32)[::2]  # a strided out is filled in place
    assert s.table(16, out=view, parallel=False) is view and np.array_equal(view, t64)


def test_table_zero():
    for parallel in (False, True):
        t = lrjit.cosine(1.0, 10).table(0, parallel=parallel)
        assert t.shape == (0,) and t.dtype == np.float64


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(out=np.zeros(9)), ValueError),
        (dict(out=np.zeros((10, 1))), ValueError),
        (dict(out=np.zeros(10, dtype=np.int64)), TypeError),
        (dict(out=np.zeros(10, dtype=np.float16)), TypeError),
        (dict(out=np.zeros(10), dtype=np.float32), TypeError),
        (dict(out=[0.0] * 10), TypeError),
        (dict(dtype=np.int32), TypeError),
        (dict(dtype=np.complex128), TypeError),
    ],
)
def test_table_rejects_bad_out_or_dtype(kwargs, error):
    with pytest.raises(error):
        lrjit.cosine(1.0, 10).table(10, **kwargs)


def test_table_rejects_read_only_out():
    out = np.zeros(10)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        lrjit.cosine(1.0, 10).table(10, out=out)


def test_public_program_and_horizon():
    s = lrjit.join([lrjit.linear(0.0, 1.0, 10), lrjit.cosine(1.0, 100)], [10])
    kinds, params, starts = s.program
    assert kinds.dtype == np.int64 and params.dtype == np.float64 and starts.dtype == np.float64
    assert params.shape == (2, lrjit.kernels.MAX_PARAMS)
    assert list(starts) == [0.0, 10.0]
    assert s.horizon == 110
    assert s.args["boundaries"] == (10,)
