"""Fuzzing: arbitrary values thrown at every front door.

Every factory (read from :data:`lrjit.families.REGISTRY`, so a new family is
fuzzed without an edit here), :func:`lrjit.from_dict`,
:meth:`lrjit.lr_schedule.BaseLRSchedule.create` and the command line get
valid configurations (the family records' strategies) with one or more
arguments replaced by junk: NaN, inf, -0.0, subnormals, 1e308, huge and
negative ints, bools, strings, None, NumPy scalars and arrays.  The only
outcomes allowed are a valid object or a ``ValueError``/``TypeError`` naming
a parameter; an accepted configuration is finite and agrees bitwise on every
CPU path (scalar, array call, serial and parallel table, sweep).

Every scheduler's ``load_state_dict`` is fuzzed the same way in
``tests/test_optim_state.py`` (``LRJIT_FUZZ_EXAMPLES`` sets its examples).

The default profile keeps this file to well under a minute on 2 cores;
``HYPOTHESIS_PROFILE=thorough pytest tests/test_fuzz.py`` runs 2000 examples
per test (``tests/conftest.py``).
"""

import inspect
import json
import math
import os

import numpy as np
import pytest
from family_records import RECORDS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lrjit
from lrjit.families import REGISTRY
from lrjit.lr_schedule import BaseLRSchedule

# Quick by default (CI: about 30 s on 2 cores); a chosen profile decides otherwise.
EXAMPLES = settings.default.max_examples if os.environ.get("HYPOTHESIS_PROFILE") else 12
FUZZ = settings(
    max_examples=EXAMPLES,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # capsys: read and reset on every example
    ],
)

JUNK_SCALARS = [
    math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324, 2.2250738585072014e-308, 1e308, -1e308,
    1e300, 1e301, 3.5e38, -1.0, 0, 1, -1, 2**53, 2**53 + 1, 2**62, 2**63, 2**64, 10**30,
    -(10**30), 10**400, True, False, None, "", "1", "nan", "cos", b"1", 1j,
    np.float64("nan"), np.float32(1.5), np.float32("inf"), np.int64(3), np.int64(-3),
    np.uint64(2**64 - 1), np.bool_(True), np.float16(0.5),
]
JUNK_CONTAINERS = [
    np.array(5), np.array(0.1), np.array([1, 2]), np.array([[1]]), np.array([]), [], [1, 2],
    [2, 1], [1.5], [None], ["a"], (3,), {}, {"a": 1}, {1, 2}, [math.nan], [10**30], [-1],
]

junk = st.one_of(
    st.sampled_from(JUNK_SCALARS),
    st.sampled_from(JUNK_CONTAINERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=3),
)

FAMILIES = sorted(REGISTRY)


def names_a_parameter(error, names):
    text = str(error)
    return any(name in text for name in names) or "config" in text or "cfg" in text


@st.composite
def mangled(draw, family):
    """A valid kwargs dict of ``family`` with some arguments replaced, dropped or added."""
    kwargs = dict(draw(RECORDS[family].strategy))
    params = list(inspect.signature(REGISTRY[family].factory).parameters)
    for name in draw(st.lists(st.sampled_from(params), max_size=2, unique=True)):
        kwargs[name] = draw(junk)
    if draw(st.integers(0, 9)) == 0 and kwargs:
        kwargs.pop(draw(st.sampled_from(sorted(kwargs))))
    return kwargs


STEPS = np.array([0.0, 0.5, 1.0, 2.0, 3.0, 7.5, 10.0, 99.0, 1000.0, 12345.25, 2.0**40, 2.0**62])


def agrees_everywhere(s):
    """An accepted schedule: finite, and the same bits on every CPU path."""
    n = 64
    serial = s.table(n, parallel=False)
    assert np.isfinite(serial).all(), s
    assert np.array_equal(serial, s.table(n)), s
    assert np.array_equal(serial, s(np.arange(float(n)))), s
    values = s(STEPS)
    assert np.isfinite(values).all(), s
    assert [s(float(t)) for t in STEPS] == values.tolist(), s
    assert np.array_equal(lrjit.sweep([s], STEPS)[0], values), s
    assert np.array_equal(lrjit.sweep([s], STEPS, target="parallel")[0], values), s
    # value semantics
    assert lrjit.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    assert hash(s) == hash(lrjit.from_dict(s.to_dict()))
    repr(s)
    f32 = None
    try:
        f32 = s.table(n, dtype=np.float32)
    except ValueError as error:
        assert "float32" in str(error)
    if f32 is not None:
        assert np.isfinite(f32).all() and np.array_equal(f32, serial.astype(np.float32))


@FUZZ
@pytest.mark.parametrize("family", FAMILIES)
@given(data=st.data())
def test_factories_accept_or_name_the_parameter(family, data):
    kwargs = data.draw(mangled(family))
    factory = REGISTRY[family].factory
    try:
        s = factory(**kwargs)
    except (TypeError, ValueError) as error:
        assert names_a_parameter(error, [*kwargs, *inspect.signature(factory).parameters]), error
        return
    assert isinstance(s, lrjit.Schedule) and s.family == family
    agrees_everywhere(s)


@FUZZ
@pytest.mark.parametrize("family", FAMILIES)
@given(data=st.data())
def test_from_dict_and_create_accept_or_name_the_key(family, data):
    kwargs = data.draw(mangled(family))
    config = {"type": family, **{k: v.to_dict() if isinstance(v, lrjit.Schedule) else v
                                 for k, v in kwargs.items()}}
    if data.draw(st.booleans()):
        config[data.draw(st.sampled_from(["type", "extra", 1, None]))] = data.draw(junk)
    # a missing alternative ("give total_steps or stable_steps") is named though not a key
    parameters = list(inspect.signature(REGISTRY[family].factory).parameters)
    names = [*map(str, config), *parameters, "type", "key"]
    try:
        s = lrjit.from_dict(config)
    except (TypeError, ValueError) as error:
        assert names_a_parameter(error, names), error
    else:
        agrees_everywhere(s)
    total = data.draw(st.one_of(st.integers(1, 10**6), junk))
    try:
        lr = BaseLRSchedule.create({**config, "total_steps": total})
    except (TypeError, ValueError) as error:
        assert names_a_parameter(error, [*names, "total_steps"]), error
        return
    values = lr(np.linspace(0.0, 1.0, 17))
    assert np.isfinite(values).all()
    assert [lr(float(p)) for p in np.linspace(0.0, 1.0, 17)] == values.tolist()
    assert BaseLRSchedule.create(lr.to_dict()) == lr


@FUZZ
@given(cfg=st.one_of(junk, st.dictionaries(st.sampled_from(
    ["type", "initial_value", "final_value", "warmup_fraction", "power", "decay_rate",
     "total_steps", 3]), junk, max_size=4)))
def test_create_of_junk(cfg):
    try:
        lr = BaseLRSchedule.create(cfg)
    except (TypeError, ValueError):
        return
    values = lr(np.linspace(0.0, 1.0, 9))
    assert np.isfinite(values).all()


def _cli_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


CLI_JUNK = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "-0.0", "5e-324", "1e308", "1e400", "9" * 40,
                     "-5", "0", "abc", "", "True", "1,2", "1,,2", "0x10", "1_000", "[1]",
                     "null", str(2**53), str(2**53 + 1), str(2**63), "3.5e38"]),
    st.text(max_size=4),
)


@FUZZ
@pytest.mark.parametrize("family", [f for f in FAMILIES if f != "join"])
@given(data=st.data())
def test_cli_accepts_or_exits_2_with_one_line(family, data, capsys):
    from lrjit.cli import main
    from lrjit.cli.options import flag

    kwargs = data.draw(RECORDS[family].strategy)
    argv = ["show", family, "--steps", "5"]
    for name, value in kwargs.items():
        argv += [flag(name), _cli_value(value)]
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(sorted(kwargs)))
        argv[argv.index(flag(name)) + 1] = data.draw(CLI_JUNK)
    else:
        argv[argv.index("--steps") + 1] = data.draw(CLI_JUNK)
    capsys.readouterr()
    try:
        status = main(argv)
    except SystemExit as exit_:
        err = capsys.readouterr().err
        assert exit_.code == 2, (argv, err)
        assert err.count("\n") == 1 and "error:" in err and "internal" not in err, (argv, err)
        return
    out = capsys.readouterr()
    assert status == 0 and out.err == "", (argv, out.err)
    assert "nan" not in out.out and "inf" not in out.out.replace("info", ""), out.out


@FUZZ
@pytest.mark.parametrize("family", [f for f in FAMILIES if not REGISTRY[f].sequences])
@given(data=st.data())
def test_sweep_accepts_what_the_factory_accepts(family, data):
    kwargs = data.draw(mangled(family))
    factory = REGISTRY[family].factory
    try:
        s = factory(**kwargs)
    except (TypeError, ValueError) as error:
        single = error
    else:
        single = None
    # an array parameter that holds junk fails for NumPy reasons: keep scalars here
    assume(all(not isinstance(v, (list, tuple, dict, set, np.ndarray)) for v in kwargs.values()))
    try:
        table = lrjit.sweep(family, STEPS, **kwargs)
    except (TypeError, ValueError) as error:
        assert single is not None or "sweep" in str(error), (kwargs, error)
        assert names_a_parameter(error, [*kwargs, *inspect.signature(factory).parameters]), error
        return
    assert single is None, (kwargs, single)
    assert np.array_equal(table, s(STEPS))
