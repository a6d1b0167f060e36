"""Hypothesis: every accepted configuration gives finite values in its range; bad ones are refused.

Value ranges are checked for every family with an entry in
a ``value_range`` in ``family_records`` (today: all of them; ``step_decay``/``exponential``
lie in ``[0, init_value]``, ``multistep`` between ``init_value`` and
``init_value * gamma ** len(milestones)``, the rest between their
init/peak/end values, ``join`` within the union of its pieces' ranges).
"""

import inspect
import math

import numpy as np
import pytest
from family_records import RECORDS, record, reference, schedules
from hypothesis import given, settings
from hypothesis import strategies as st

import lrjit

FAMILIES = sorted(lrjit.FACTORIES)
ULPS = 8 * 2.0**-52  # slack for rounding when checking ranges


def strategy(name):
    if name not in RECORDS:
        pytest.fail(f"add a record for {name!r} to tests/family_records.py")
    return RECORDS[name].strategy


def steps_within_horizon(data, s):
    """Steps in [0, 10 * max(horizon, 1)]: drawn floats and ints plus the landmarks."""
    top = 10 * max(s.horizon, 1)
    drawn = data.draw(
        st.lists(st.floats(0.0, float(top)) | st.integers(0, top), min_size=1, max_size=30)
    )
    landmarks = [0.0, 0.5, float(s.horizon), s.horizon + 0.5, float(top), *s.starts]
    return np.array([float(t) for t in drawn] + landmarks)


def assert_finite_in_range(s, steps):
    values = s(steps)
    assert np.isfinite(values).all(), (repr(s), steps[~np.isfinite(values)])
    scalar = [s(float(t)) for t in steps[:5]]
    assert np.array_equal(scalar, values[:5])  # the scalar path agrees bitwise
    if s.family in RECORDS and RECORDS[s.family].value_range:
        lo, hi = RECORDS[s.family].value_range(s.args)
        tol = ULPS * max(abs(lo), abs(hi))
        assert ((values >= lo - tol) & (values <= hi + tol)).all(), (repr(s), lo, hi, values)
    return values


def test_every_family_has_a_strategy():
    for name in FAMILIES:
        assert name in RECORDS, f"add a record for {name!r} to tests/family_records.py"


@pytest.mark.parametrize("name", FAMILIES)
@given(data=st.data())
def test_accepted_configurations_give_finite_values(name, data):
    kwargs = data.draw(strategy(name), label="kwargs")
    s = lrjit.FACTORIES[name](**kwargs)
    assert_finite_in_range(s, steps_within_horizon(data, s))
    n = min(10 * max(s.horizon, 1) + 1, 2_000)
    assert np.isfinite(s.table(n)).all()


@settings(max_examples=max(100, settings().max_examples))
@given(s=schedules(), data=st.data())
def test_random_schedules_nested_joins_included(s, data):
    steps = steps_within_horizon(data, s)
    values = assert_finite_in_range(s, steps)
    lo, hi = record(s.family).value_range(s.args)
    scale = max(abs(lo), abs(hi))
    for t, v in zip(steps[:10], values[:10]):
        want = reference(s, float(t))
        assert math.isclose(v, want, rel_tol=1e-13, abs_tol=1e-13 * scale), (repr(s), t, v, want)


@pytest.mark.parametrize("name", FAMILIES)
@given(data=st.data())
def test_huge_steps_are_finite_or_refused(name, data):
    s = lrjit.FACTORIES[name](**data.draw(strategy(name)))
    top = 2.0**62
    assert np.isfinite(s(np.array([top, top / 3, 2.0**53 + 0.5]))).all()
    assert math.isfinite(s(2**62))
    for t in (2**62 + 2**10, 1e308, 10**400):
        with pytest.raises(ValueError, match="step"):
            s(t)


# -- invalid input: refused with a message naming the parameter, never accepted-then-NaN

WILD = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**64), 2**64),
    st.sampled_from([10**400, -(10**400), 2**53 + 1, 0, -1]),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
    st.lists(st.floats(allow_nan=True) | st.integers(-5, 2**60) | st.none(), max_size=4),
)


def signature(name):
    return list(inspect.signature(lrjit.FACTORIES[name]).parameters)


@pytest.mark.parametrize("name", FAMILIES)
@given(data=st.data())
def test_wild_arguments_are_refused_or_give_finite_values(name, data):
    kwargs = dict(data.draw(strategy(name), label="valid"))
    params = signature(name)
    replaced = data.draw(st.sets(st.sampled_from(params), min_size=1), label="replaced")
    for p in replaced:
        kwargs[p] = data.draw(WILD, label=p)
    try:
        s = lrjit.FACTORIES[name](**kwargs)
    except (ValueError, TypeError) as error:
        assert any(p in str(error) for p in replaced), (replaced, str(error))
        return
    assert_finite_in_range(s, steps_within_horizon(data, s))


@pytest.mark.parametrize("name", FAMILIES)
@given(data=st.data())
def test_nan_or_inf_anywhere_is_refused(name, data):
    kwargs = dict(data.draw(strategy(name), label="valid"))
    p = data.draw(st.sampled_from(signature(name)), label="param")
    bad = data.draw(st.sampled_from([math.nan, math.inf, -math.inf]), label="bad")
    kwargs[p] = bad
    with pytest.raises((ValueError, TypeError), match=p):
        lrjit.FACTORIES[name](**kwargs)


@given(steps=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=8))
def test_bad_steps_are_refused_never_nan(steps):
    s = lrjit.warmup_cosine(1.0, 10, 100)
    arr = np.array(steps)
    if (np.isfinite(arr) & (arr >= 0) & (arr <= 2.0**62)).all():
        assert np.isfinite(s(arr)).all()
    else:
        with pytest.raises(ValueError, match="step"):
            s(arr)
