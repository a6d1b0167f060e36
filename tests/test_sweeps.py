"""lrjit.sweep on the CPU targets: values against the math oracles, every path, errors."""

import inspect
import math

import numpy as np
import pytest
from family_records import (
    COS_FAMILIES, RECORDS, assert_cos_close, cos_turns, evaluate, reference, schedules, uses_cos,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import lrjit
from lrjit import sweeps
from lrjit.tables import NARROW_TILE

# families with a sequence argument (multistep, join, piecewise_*) cannot be broadcast
BROADCASTABLE = sorted(f for f in RECORDS if not lrjit.REGISTRY[f].sequences)


def oracle_table(family, kwargs_grid, steps):
    """The math reference of every configuration: ``shape + (len(steps),)``."""
    out = np.empty(kwargs_grid.shape + (len(steps),))
    for index in np.ndindex(kwargs_grid.shape):
        out[index] = [evaluate(family, kwargs_grid[index], float(t)) for t in steps]
    return out


def kwargs_grid(examples):
    """The examples of a family as a 1-D object array of kwargs dicts."""
    grid = np.empty(len(examples), dtype=object)
    grid[:] = examples
    return grid


@pytest.mark.parametrize("family", BROADCASTABLE)
@pytest.mark.parametrize("target", ["cpu", "parallel"])
def test_family_form_matches_math_reference(family, target):
    # One configuration per example, all given as broadcast arrays of the same length.
    examples = RECORDS[family].examples
    signature = inspect.signature(lrjit.FACTORIES[family]).parameters
    full = [{n: kw.get(n, p.default) for n, p in signature.items()} for kw in examples]
    params = {n: np.array([kw[n] for kw in full]) for n in signature}
    steps = np.array([0, 0.5, 1, 2, 3, 7, 9.75, 10, 13, 20, 50, 99, 100, 101, 150, 499, 2500.0])
    got = lrjit.sweep(family, steps, target=target, **params)
    want = oracle_table(family, kwargs_grid(full), steps)
    assert got.shape == (len(examples), len(steps)) and got.dtype == np.float64
    if family in COS_FAMILIES:  # cospi against the oracle's libm cos: a few ulps of each row
        for row, (g, w) in enumerate(zip(got, want)):
            turns = cos_turns(lrjit.FACTORIES[family](**examples[row]), steps[-1])
            assert_cos_close(g, w, f"{family} example {row}", turns=turns)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


def test_broadcast_grid_shape_and_values():
    # 3 base rates x 2 lengths: each cell is the cosine of its own (init, T).
    lrs = np.array([0.1, 0.2, 0.4])
    lengths = np.array([10, 40])
    steps = np.arange(60)
    got = lrjit.sweep("cosine", 60, init_value=lrs[:, None], decay_steps=lengths, end_value=0.01)
    assert got.shape == (3, 2, 60)
    for i, lr in enumerate(lrs):
        for k, T in enumerate(lengths):
            want = [0.01 + (lr - 0.01) * (1 + math.cos(math.pi * min(t, T) / T)) / 2 for t in steps]
            np.testing.assert_allclose(got[i, k], want, rtol=1e-14, atol=0)


def test_factory_accepted_as_family():
    a = lrjit.sweep(lrjit.linear, 30, init_value=[1.0, 2.0], end_value=0.0, transition_steps=20)
    b = lrjit.sweep("linear", 30, init_value=[1.0, 2.0], end_value=0.0, transition_steps=20)
    assert np.array_equal(a, b)
    assert a[1, 10] == 1.0  # halfway from 2.0 to 0.0


@given(st.lists(schedules(), min_size=1, max_size=5), st.sampled_from(["cpu", "parallel"]))
@settings(max_examples=25, deadline=None)
def test_mixed_list_rows_equal_each_schedule_bitwise(scheds, target):
    # One value, every path: row c is schedules[c] at each step, bit for bit,
    # although the programs are padded to a common number of pieces.
    steps = np.array([0.0, 0.5, 1.0, 3.0, 9.0, 10.0, 11.5, 40.0, 1e3, 2.5e4, 1e7, 2.0**52])
    got = lrjit.sweep(scheds, steps, target=target)
    assert got.shape == (len(scheds), len(steps))
    for c, s in enumerate(scheds):
        assert np.array_equal(got[c], s(steps)), c


def test_mixed_list_against_math_reference():
    scheds = [lrjit.FACTORIES[f](**kw) for f, rec in RECORDS.items() for kw in rec.examples]
    steps = np.arange(0, 260, 0.5)
    got = lrjit.sweep(scheds, steps, target="parallel")
    for c, s in enumerate(scheds):
        want = [reference(s, float(t)) for t in steps]
        if uses_cos(s):  # cospi, not libm's cos (issue 13): a few ulps
            assert_cos_close(got[c], want, repr(s), turns=cos_turns(s, steps[-1]))
        else:
            np.testing.assert_allclose(got[c], want, rtol=1e-13, atol=0, err_msg=repr(s))


def test_count_equals_arange_and_table():
    scheds = [lrjit.warmup_cosine(0.1, 5, 50), lrjit.multistep(1.0, [3, 7, 7], gamma=0.5)]
    by_count = lrjit.sweep(scheds, 64)
    assert np.array_equal(by_count, lrjit.sweep(scheds, np.arange(64)))
    for c, s in enumerate(scheds):
        assert np.array_equal(by_count[c], s.table(64))


def test_parallel_tiles_cover_every_element():
    # More steps than one tile, and fewer configurations than threads.
    n = sweeps.TILE * 2 + 17
    got = lrjit.sweep(
        "linear", n, init_value=[1.0], end_value=0.0, transition_steps=n - 1, target="parallel"
    )
    want = np.array([1.0 - t / (n - 1) for t in range(n)])
    np.testing.assert_allclose(got[0], want, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("target", ["cpu", "parallel"])
def test_float32_is_the_float64_table_rounded_once(target):
    scheds = [lrjit.cosine(0.1, 100, end_value=1e-4), lrjit.exponential(3e-4, 0.99)]
    n = 2 * NARROW_TILE + 7  # float32 rows are filled through float64 tiles of this size
    t64 = lrjit.sweep(scheds, n, target=target)
    t32 = lrjit.sweep(scheds, n, target=target, dtype=np.float32)
    assert t32.dtype == np.float32
    assert np.array_equal(t32, t64.astype(np.float32))


def test_out_is_filled_and_returned():
    out = np.full((2, 3, 10), np.nan, dtype=np.float32)
    got = lrjit.sweep("constant", 10, value=np.arange(6.0).reshape(2, 3) / 10, out=out)
    assert got is out
    assert out[1, 2, 9] == np.float32(0.5) and not np.isnan(out).any()


def test_out_two_dimensional_may_be_strided():
    big = np.zeros((2, 20))
    view = big[:, ::2]
    lrjit.sweep([lrjit.constant(1.0), lrjit.constant(2.0)], 10, out=view)
    assert (big[:, ::2] == [[1.0], [2.0]]).all() and (big[:, 1::2] == 0).all()


def test_grid_result_sweeps_with_its_shape():
    g = sweeps.grid("step_decay", init_value=[[1.0], [2.0]], step_size=[1, 2, 4], gamma=0.5)
    assert g.shape == (2, 3) and g[1, 2] == lrjit.step_decay(2.0, 4, gamma=0.5)
    table = lrjit.sweep(g, 9)
    assert table.shape == (2, 3, 9)
    assert table[1, 2, 8] == 2.0 * 0.5**2


def test_dicts_are_read_with_from_dict():
    s = lrjit.join([lrjit.linear(0.0, 1.0, 10), lrjit.cosine(1.0, 100)], boundaries=[10])
    assert np.array_equal(lrjit.sweep([s.to_dict()], 120), lrjit.sweep([s], 120))


def test_stack_pads_with_inert_pieces():
    short, long = lrjit.constant(0.5), lrjit.multistep(1.0, [2, 4, 6], gamma=0.5)
    kinds, params, starts = sweeps.stack([short, long])
    assert kinds.shape == (2, 4) and params.shape == (2, 4, lrjit.kernels.MAX_PARAMS)
    assert np.isinf(starts[0, 1:]).all() and list(starts[1]) == [0, 2, 4, 6]
    assert lrjit.kernels.lr_at(kinds[0], params[0], starts[0], 1e15) == 0.5


@pytest.mark.parametrize(
    "shape_params, steps, shape",
    [
        (dict(init_value=np.array([]), decay_steps=10), 5, (0, 5)),
        (dict(init_value=[0.1, 0.2], decay_steps=10), 0, (2, 0)),
        (dict(init_value=0.1, decay_steps=10), 3, (3,)),
    ],
)
def test_empty_and_scalar_shapes(shape_params, steps, shape):
    assert lrjit.sweep("cosine", steps, **shape_params).shape == shape


def test_empty_list():
    assert lrjit.sweep([], 4).shape == (0, 4)


# -- errors: clear, at the call, naming the parameter, the value and where


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (
            dict(init_value=[0.1, -1.0], decay_steps=10),
            ValueError,
            ["index 1", "init_value", "-1.0"],
        ),
        (
            dict(init_value=[[0.1], [0.2]], decay_steps=[5, 0]),
            ValueError,
            ["index (0, 1)", "decay_steps", "got 0"],
        ),
        (dict(init_value=0.1, decay_steps=[10.5]), TypeError, ["decay_steps", "10.5", "integer"]),
        (dict(init_value=[math.nan], decay_steps=10), ValueError, ["init_value", "nan"]),
        (dict(init_value=0.1, decay_steps=10, periodic=[1]), TypeError, ["periodic"]),
        (dict(init_value=0.1), TypeError, ["missing", "decay_steps"]),
        (dict(init_value=0.1, decay_steps=1, gamma=0.5), TypeError, ["unknown", "gamma"]),
        (dict(init_value=["a"], decay_steps=1), TypeError, ["init_value", "numbers"]),
        (
            dict(init_value=[0.1, 0.2], decay_steps=[1, 2, 3]),
            ValueError,
            ["broadcast", "(2,)", "(3,)"],
        ),
    ],
)
def test_family_form_errors(kwargs, error, words):
    with pytest.raises(error) as info:
        lrjit.sweep("cosine", 10, **kwargs)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_cross_parameter_rule_is_the_factorys():
    with pytest.raises(ValueError, match=r"index 1: decay_steps counts the warmup"):
        lrjit.sweep("warmup_cosine", 5, peak_value=1.0, warmup_steps=[5, 50], decay_steps=20)


@pytest.mark.parametrize(
    "first, kwargs, error, match",
    [
        ("cosinus", {}, ValueError, "unknown schedule family 'cosinus'"),
        (print, {}, TypeError, "family must be"),
        ("multistep", dict(init_value=1.0, milestones=[1]), TypeError, "list of lrjit.multistep"),
        ("join", dict(schedules=[], boundaries=[]), TypeError, "list of lrjit.join"),
        (
            [lrjit.constant(1.0)],
            dict(value=2.0),
            TypeError,
            "parameter.*'value'.*list of schedules",
        ),
        ([lrjit.constant(1.0), 0.1], {}, TypeError, r"schedules\[1\] must be a Schedule"),
        (lrjit.constant(1.0), {}, TypeError, "list of schedules"),
        (np.array([1.0, 2.0]), {}, TypeError, r"schedules\[0\] must be a Schedule"),
    ],
)
def test_family_and_list_errors(first, kwargs, error, match):
    with pytest.raises(error, match=match):
        lrjit.sweep(first, 5, **kwargs)


@pytest.mark.parametrize(
    "steps, error, match",
    [
        (-1, ValueError, r"steps must be an integer in \[0, 2\*\*53\], got -1"),
        (2.0, TypeError, "steps must be a count"),
        (True, TypeError, "steps must be a count"),
        ([0.0, -0.5], ValueError, r"steps\[1\] must be finite, >= 0 .*got -0.5"),
        ([0.0, 1.0, math.inf], ValueError, r"steps\[2\] must be finite.*got inf"),
        ([2.0**70], ValueError, r"steps\[0\] must be finite, >= 0 and <= 2\*\*6\d"),
        (np.zeros((2, 2)), ValueError, r"1-D array, got an array of shape \(2, 2\)"),
        (["a"], TypeError, "1-D array of real steps"),
        ([True], TypeError, "1-D array of real steps"),
    ],
)
def test_steps_errors(steps, error, match):
    with pytest.raises(error, match=match):
        lrjit.sweep([lrjit.constant(1.0)], steps)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            dict(target="gpu"),
            ValueError,
            "target must be one of 'cpu', 'parallel', 'cuda', got 'gpu'",
        ),
        (dict(dtype=np.float16), TypeError, "dtype must be float64 or float32, got float16"),
        (dict(dtype="int"), TypeError, "dtype must be float64 or float32"),
        (dict(out=np.empty((1, 4))), ValueError, r"out must have shape \(2, 4\), got \(1, 4\)"),
        (dict(out=np.empty((2, 4), dtype=np.int64)), TypeError, "out must have dtype"),
        (dict(out=np.empty((2, 4)), dtype=np.float32), TypeError, "does not match out.dtype"),
        (dict(out=[[0.0] * 4] * 2), TypeError, "out must be a numpy.ndarray"),
    ],
)
def test_option_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        lrjit.sweep([lrjit.constant(1.0), lrjit.constant(2.0)], 4, **kwargs)


def test_out_read_only_and_non_contiguous_rejected():
    ro = np.empty((2, 4))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        lrjit.sweep([lrjit.constant(1.0)] * 2, 4, out=ro)
    fortran = np.asfortranarray(np.empty((2, 2, 4)))
    with pytest.raises(ValueError, match="C-contiguous"):
        lrjit.sweep("constant", 4, value=np.ones((2, 2)), out=fortran)


def test_out_strided_view_that_reshapes_in_place_is_filled():
    big = np.zeros((2, 2, 8))
    lrjit.sweep("constant", 4, value=[[1.0, 2.0], [3.0, 4.0]], out=big[:, :, ::2])
    assert (big[:, :, ::2] == np.array([[1.0, 2.0], [3.0, 4.0]])[:, :, None]).all()
    assert (big[:, :, 1::2] == 0).all()
