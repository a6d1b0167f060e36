"""Config round-trip for every schedule: ``to_dict`` -> JSON -> ``from_dict`` / ``create``.

A round-tripped schedule must be equal, build the identical program and give
identical values; a bad dict must raise an error naming the bad key and the
valid ones.  Families come from the registry (``lrjit.FACTORIES``) and the
shared family records (``family_records``), so a new family is covered by
adding its record there.
"""

import inspect
import json

import numpy as np
import pytest
from family_records import RECORDS, record, schedules, steps_for
from hypothesis import given
from hypothesis import strategies as st

import lrjit
from lrjit.lr_schedule import BaseLRSchedule

FAMILIES = sorted(lrjit.FACTORIES)


def json_round_trip(config):
    text = json.dumps(config, allow_nan=False)  # JSON proper: no NaN/inf tokens
    return text, json.loads(text)


def assert_plain(data):
    """Only JSON types, all the way down."""
    if isinstance(data, dict):
        assert all(type(k) is str for k in data)
        for v in data.values():
            assert_plain(v)
    elif isinstance(data, list):
        for v in data:
            assert_plain(v)
    else:
        assert type(data) in (str, int, float, bool), (data, type(data))


def assert_round_trips(s):
    d = s.to_dict()
    assert_plain(d)
    text, loaded = json_round_trip(d)
    back = lrjit.from_dict(loaded)
    assert back == s and hash(back) == hash(s) and back.family == s.family
    assert json.dumps(back.to_dict(), allow_nan=False) == text
    for mine, theirs in zip(back.program, s.program):
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
    assert back.horizon == s.horizon
    steps = np.array(steps_for(s))
    assert np.array_equal(back(steps), s(steps))  # bitwise, NaN-free
    return back


def test_every_family_is_in_the_registry():
    missing = set(lrjit.FACTORIES) - set(RECORDS)
    assert not missing, f"add a record for each of {sorted(missing)} to tests/family_records.py"
    assert all(RECORDS[name].examples and RECORDS[name].strategy is not None
               for name in lrjit.FACTORIES)


@pytest.mark.parametrize("name", FAMILIES)
def test_examples_round_trip(name):
    for kwargs in record(name).examples:
        assert_round_trips(lrjit.FACTORIES[name](**kwargs))


@pytest.mark.parametrize("name", FAMILIES)
@given(data=st.data())
def test_drawn_configs_round_trip(name, data):
    kwargs = data.draw(record(name).strategy)
    assert_round_trips(lrjit.FACTORIES[name](**kwargs))


@given(schedules())
def test_nested_compositions_round_trip(s):
    assert_round_trips(s)


def test_dict_and_schedule_pieces_mix():
    inner = lrjit.cosine(1.0, 10)
    mixed = {"type": "join", "schedules": [inner.to_dict(), lrjit.constant(0.1)],
             "boundaries": [10]}
    assert lrjit.from_dict(mixed) == lrjit.join([inner, lrjit.constant(0.1)], [10])


# -- bad dicts name the bad key and the valid ones ---------------------------


def rejects(config, error, *fragments):
    with pytest.raises(error) as info:
        lrjit.from_dict(config)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize("name", FAMILIES)
def test_unknown_key_is_named_with_every_valid_key(name):
    config = lrjit.FACTORIES[name](**record(name).examples[0]).to_dict()
    params = inspect.signature(lrjit.FACTORIES[name]).parameters
    rejects({**config, "learning_rate": 0.1}, ValueError, "'learning_rate'",
            *(repr(p) for p in params))


@pytest.mark.parametrize("name", FAMILIES)
def test_missing_key_is_named(name):
    config = lrjit.FACTORIES[name](**record(name).examples[0]).to_dict()
    params = inspect.signature(lrjit.FACTORIES[name]).parameters
    for key, param in params.items():
        if param.default is param.empty:
            rejects({k: v for k, v in config.items() if k != key}, ValueError, repr(key))


@pytest.mark.parametrize("name", FAMILIES)
def test_bad_value_is_named(name):
    config = lrjit.FACTORIES[name](**record(name).examples[0]).to_dict()
    key = next(k for k in config if k != "type")
    rejects({**config, key: "junk"}, (TypeError, ValueError), key, "'junk'")


def test_unknown_or_missing_type_lists_every_type():
    for config in ({"type": "cosine_annealing"}, {"init_value": 0.1}, {"type": 5}):
        rejects(config, ValueError, "type", *FAMILIES)
    rejects([("type", "constant")], TypeError, "dict", "list")
    rejects('{"type": "constant", "value": 0.1}', TypeError, "dict", "str")


def test_bad_nested_key_is_named():
    config = lrjit.join([lrjit.linear(0.0, 1.0, 10), lrjit.cosine(1.0, 5)], [10]).to_dict()
    config["schedules"][1]["T_max"] = 5
    rejects(config, ValueError, "'T_max'", "'decay_steps'", "'periodic'")


# -- lr_schedule configs -----------------------------------------------------

SEED = {"constant": (), "linear": (), "cosine": (), "exponential": ("decay_rate",),
        "cosine_warmup": ("warmup_fraction",), "polynomial": ("power",)}

seed_configs = st.sampled_from(sorted(SEED)).flatmap(lambda kind: st.fixed_dictionaries(
    {"type": st.just(kind)},
    optional={
        "initial_value": st.floats(0.0, 1e300),
        "final_value": st.floats(0.0, 1.0) | st.integers(0, 3),
        **{key: st.floats(0.01, 0.99) for key in SEED[kind]},
    },
))
def _total_steps_is_free(schedule):
    # A family that takes total_steps and stores it (one_cycle) is rebuilt over the
    # run's length; one that stores its phases instead (wsd: stable_steps) fixes its
    # own length, so "total_steps" beside its stored form is a contradiction.
    d = schedule.to_dict()
    takes = "total_steps" in inspect.signature(lrjit.FACTORIES[d["type"]]).parameters
    return not takes or "total_steps" in d


functional_configs = (
    st.tuples(schedules(), st.integers(1, 10**6))
    .filter(lambda sn: _total_steps_is_free(sn[0]))
    # a stored total_steps (one_cycle, wsd) is the run's: wsd's stable_steps must agree with it
    .map(lambda sn: {"total_steps": sn[1], **sn[0].to_dict()})
)
progress = np.array([1.0, 0.9, 2 / 3, 0.5, 0.1, 1e-6, 0.0, -0.3])


@given(seed_configs | functional_configs | st.floats(0.0, 1e300) | st.integers(0, 10))
def test_lr_schedule_configs_round_trip(cfg):
    lr = BaseLRSchedule.create(cfg)
    d = lr.to_dict()
    assert_plain(d)
    text, loaded = json_round_trip(d)
    back = BaseLRSchedule.create(loaded)
    assert back == lr and type(back) is type(lr) and hash(back) == hash(lr)
    assert json.dumps(back.to_dict(), allow_nan=False) == text
    values = lr(progress)
    assert np.isfinite(values).all() and np.array_equal(back(progress), values)
    if isinstance(cfg, dict):  # the canonical dict keeps every given setting
        assert all(d[key] == value for key, value in cfg.items())


@pytest.mark.parametrize("kind", sorted(SEED))
def test_bad_lr_schedule_keys(kind):
    with pytest.raises(ValueError) as info:
        BaseLRSchedule.create({"type": kind, "learning_rate": 0.1})
    message = str(info.value)
    for key in ("'learning_rate'", "'initial_value'", "'final_value'",
                *(repr(k) for k in SEED[kind])):
        assert key in message, message
