"""Bad input: a clear ValueError/TypeError naming the parameter, the value and the range."""

import inspect
import math

import numpy as np
import pytest
from family_records import RECORDS, record

import lrjit

NAN, INF = math.nan, math.inf


def rejects(call, *fragments):
    """``call()`` raises ValueError/TypeError whose message holds every fragment."""
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def full_kwargs(name):
    """Every argument of the family's first example, defaults included, as the user spells them."""
    s = lrjit.FACTORIES[name](**RECORDS[name].examples[0])
    return {k: list(v) if isinstance(v, tuple) else v for k, v in s.args.items()}


def bad_values(example):
    """Bad values for a parameter, by the type of a good one."""
    common = [NAN, INF, -INF, None, "10"]
    if isinstance(example, bool):
        return common + [1, 0.0, "True"]
    if isinstance(example, int):
        return common + [10.5, 10.0, True, -1, 10**400]
    if isinstance(example, float):
        return common + [True, 10**400, 1e301]
    if isinstance(example, list):
        return common + [10, [10.5], [True], ["10"], [None], [NAN], [-1]]
    if isinstance(example, str):  # a choice among names
        return common + ["nope", 1.0, True]
    raise AssertionError(f"no bad values for {example!r}")


def optional(name, param):
    """Whether None is the parameter's default (so a valid value: wsd's decay_steps)."""
    return inspect.signature(lrjit.FACTORIES[name]).parameters[param].default is None


GENERIC = [
    (name, param, value)
    for name in RECORDS
    for param, good in full_kwargs(name).items()
    for value in bad_values(good)
    if not (value is None and optional(name, param))
]


def test_every_family_is_covered():
    for name in lrjit.FACTORIES:
        assert record(name).examples, f"add examples to the record of {name!r}"


@pytest.mark.parametrize("name, param, value", GENERIC, ids=lambda v: repr(v)[:24])
def test_every_parameter_rejects_junk(name, param, value):
    kwargs = {**full_kwargs(name), param: value}
    shown = value[0] if isinstance(value, list) else value
    rejects(lambda: lrjit.FACTORIES[name](**kwargs), param, repr(shown)[:20])


COUNTS = [
    ("linear", "transition_steps", 0, "[1, 2**53]"),
    ("linear", "transition_steps", -5, "[1, 2**53]"),
    ("linear", "transition_begin", -1, "[0, 2**53]"),
    ("linear", "transition_steps", 2**53 + 1, "[1, 2**53]"),
    ("step_decay", "step_size", 0, "[1, 2**53]"),
    ("polynomial", "transition_steps", 0, "[1, 2**53]"),
    ("cosine", "decay_steps", 0, "[1, 2**53]"),
    ("warmup_cosine", "warmup_steps", -1, "[0, 2**53]"),
    ("warmup_cosine", "decay_steps", 0, "[1, 2**53]"),
]


@pytest.mark.parametrize("name, param, value, allowed", COUNTS)
def test_step_counts_out_of_range(name, param, value, allowed):
    kwargs = {**full_kwargs(name), param: value}
    rejects(lambda: lrjit.FACTORIES[name](**kwargs), param, repr(value), allowed)


VALUES = [
    ("constant", "value", -0.1),
    ("linear", "init_value", -1.0),
    ("linear", "end_value", -1e-300),
    ("step_decay", "init_value", -1.0),
    ("multistep", "init_value", -1.0),
    ("exponential", "init_value", -2),
    ("polynomial", "init_value", -1.0),
    ("polynomial", "end_value", -1.0),
    ("cosine", "init_value", -1e-9),
    ("cosine", "end_value", -1.0),
    ("warmup_cosine", "peak_value", -1.0),
    ("warmup_cosine", "init_value", -1.0),
    ("warmup_cosine", "end_value", -1.0),
    ("step_decay", "gamma", 0.0),
    ("step_decay", "gamma", -0.5),
    ("step_decay", "gamma", 1.5),
    ("multistep", "gamma", 0.0),
    ("multistep", "gamma", -0.1),
    ("exponential", "gamma", 0.0),
    ("exponential", "gamma", -1.0),
    ("exponential", "gamma", 1.01),
    ("polynomial", "power", -0.5),
    ("polynomial", "power", 1e7),
]


@pytest.mark.parametrize("name, param, value", VALUES)
def test_values_out_of_range(name, param, value):
    kwargs = {**full_kwargs(name), param: value}
    allowed = "must be a finite number in"
    rejects(lambda: lrjit.FACTORIES[name](**kwargs), param, repr(value), allowed)


def test_gamma_ranges_are_stated():
    rejects(lambda: lrjit.exponential(0.1, 0.0), "gamma", "(0, 1]")
    rejects(lambda: lrjit.step_decay(0.1, 10, gamma=2.0), "gamma", "(0, 1]")


def test_multistep_gamma_above_one_must_not_overflow():
    rejects(lambda: lrjit.multistep(1.0, [1] * 10, gamma=1e40), "gamma", "1e+40", "milestones")
    assert lrjit.multistep(1.0, [1, 2], gamma=2.0)(5) == 4.0  # growth is accepted (torch allows it)


def test_warmup_cosine_decay_steps_must_exceed_warmup_steps():
    for decay in (100, 50):
        rejects(
            lambda: lrjit.warmup_cosine(1.0, warmup_steps=100, decay_steps=decay),
            "decay_steps", "warmup_steps", str(decay), "100",
        )


def test_join_boundaries():
    a, b, c = lrjit.constant(1.0), lrjit.constant(0.5), lrjit.constant(0.1)
    rejects(lambda: lrjit.join([a, b, c], [10, 10]), "strictly increasing", "10")
    rejects(lambda: lrjit.join([a, b, c], [20, 10]), "strictly increasing", "20", "10")
    rejects(lambda: lrjit.join([a, b, c], [10]), "boundaries", "2", "[10]")
    rejects(lambda: lrjit.join([a, b], [10, 20]), "boundaries", "1", "[10, 20]")
    rejects(lambda: lrjit.join([a, b], [0]), "boundaries[0]", "0", "[1, 2**53]")
    rejects(lambda: lrjit.join([a, b], 10), "boundaries", "10")
    rejects(lambda: lrjit.join([a, b], "10"), "boundaries", "'10'")


def test_join_schedules():
    a = lrjit.constant(1.0)
    rejects(lambda: lrjit.join([], []), "schedules", "empty")
    rejects(lambda: lrjit.join(a, []), "schedules", "Schedule")
    rejects(lambda: lrjit.join([a, 0.1], [5]), "schedules[1]", "0.1", "Schedule")
    rejects(lambda: lrjit.join([a, None], [5]), "schedules[1]", "None")
    rejects(lambda: lrjit.join([{"type": "constant", "value": 0.1}, a], [5]), "schedules[0]")
    rejects(lambda: lrjit.join([a, lambda t: 0.1], [5]), "schedules[1]", "function")


def test_numpy_scalars_are_accepted_as_plain_numbers():
    s = lrjit.cosine(np.float32(0.5), np.int64(100), end_value=np.float64(0.0),
                     periodic=np.bool_(True))
    assert s == lrjit.cosine(float(np.float32(0.5)), 100, end_value=0.0, periodic=True)
    assert [type(v) for v in s.to_dict().values()] == [str, float, int, float, bool]


STEP_INPUTS = [-1, -0.5, NAN, INF, -INF, np.array([0, -1]), np.array([0.0, NAN]),
               True, np.bool_(False), np.array([True]), "3", None, [1, "a"], 1 + 2j, 10**400]


@pytest.mark.parametrize("step", STEP_INPUTS, ids=lambda v: repr(v)[:24])
def test_bad_steps_are_rejected(step):
    s = lrjit.join([lrjit.constant(1.0), lrjit.cosine(1.0, 10)], [5])
    rejects(lambda: s(step), "step")


def test_bad_step_message_names_the_value():
    s = lrjit.cosine(1.0, 10)
    rejects(lambda: s(-1), "step", "-1", ">= 0")
    rejects(lambda: s(NAN), "step", "nan", "finite")
    rejects(lambda: s(np.array([0, 3, -1])), "step", "-1")
    rejects(lambda: s("3"), "step", "'3'")


@pytest.mark.parametrize("n", [-1, 2.5, 3.0, True, "3", None, NAN])
def test_bad_table_length(n):
    rejects(lambda: lrjit.cosine(1.0, 10).table(n), "n", repr(n))


def test_from_dict_unknown_type_lists_valid_types():
    message = rejects(lambda: lrjit.from_dict({"type": "cosin", "init_value": 1.0}), "'cosin'")
    assert all(name in message for name in lrjit.FACTORIES)
    rejects(lambda: lrjit.from_dict({"init_value": 1.0}), "type", "None")


def test_from_dict_unknown_key_lists_valid_keys():
    config = {"type": "cosine", "init_value": 1.0, "decay_steps": 10, "T_max": 10}
    rejects(lambda: lrjit.from_dict(config), "'T_max'", "init_value", "decay_steps",
            "end_value", "periodic")


def test_from_dict_missing_key_lists_valid_keys():
    config = {"type": "cosine", "init_value": 1.0}
    rejects(lambda: lrjit.from_dict(config), "'decay_steps'", "init_value", "end_value",
            "periodic")


def test_from_dict_nested_and_non_dict():
    rejects(lambda: lrjit.from_dict([("type", "constant")]), "dict", "list")
    bad_nested = {"type": "join", "schedules": [{"type": "constant", "value": -1.0}],
                  "boundaries": []}
    rejects(lambda: lrjit.from_dict(bad_nested), "value", "-1.0")


def test_join_switch_steps_stay_within_2_53():
    # beyond 2**53 the piece start 2**53 + 1 would round onto 2**53 (found by hypothesis)
    pieces = [lrjit.constant(0.0), lrjit.multistep(1.0, [1], gamma=0.5)]
    rejects(lambda: lrjit.join(pieces, [2**53]), "boundaries[0]", str(2**53), "2**53")
    s = lrjit.join(pieces, [2**53 - 1])
    assert (s(2**53 - 2), s(2**53 - 1), s(2**53)) == (0.0, 1.0, 0.5)
