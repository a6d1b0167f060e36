"""Scheduler state is checked on load (issue 12, item 1, and item 6's scheduler half).

``load_state_dict`` restores only a state the constructor could have
produced, or raises ValueError/TypeError naming the key and leaves the
scheduler as it was; compiled fills never see arrays of unchecked lengths.
Expected sequences come from torch 2.13 itself.
"""

import copy
import json
import math
import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch_schedulers import BUILD as COMMON_BUILD
from torch_schedulers import LRJIT, TORCH, sgd

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _decay(epoch):
    # total: a resumed scheduler may sit at any int epoch (torch accepts any last_epoch)
    return 0.9 ** max(0, min(epoch, 10**4))


def _factor(epoch):
    return 0.95


BUILD = {
    **COMMON_BUILD,
    "lambda": lambda L, o, **kw: L.LambdaLR(o, _decay, **kw),
    "multiplicative": lambda L, o, **kw: L.MultiplicativeLR(o, _factor, **kw),
    "plateau": lambda L, o, **kw: L.ReduceLROnPlateau(o, patience=1, **kw),
    "sequential": lambda L, o, **kw: L.SequentialLR(
        o, [L.LinearLR(o, 0.5, 1.0, 3), L.ExponentialLR(o, 0.9)], [3]
    ),
    "chained": lambda L, o, **kw: L.ChainedScheduler([L.StepLR(o, 3), L.ExponentialLR(o, 0.9)]),
}
TABLE = {"plateau", "lambda", "multiplicative", "sequential", "chained"}  # no precompute


def stepped(name, lib=LRJIT, n=6, **kw):
    s = BUILD[name](lib, sgd(), **kw)
    for i in range(n):
        s.optimizer.step()
        s.step(1.0 / (i + 1)) if name == "plateau" else s.step()
    return s


def snapshot(s):
    """The whole state, children's included, and the optimizer's groups."""
    return copy.deepcopy((s.state_dict(), s.optimizer.state_dict()["param_groups"]))


# -- the reproductions from the issue


def test_cyclic_empty_max_lrs_in_table_mode_is_refused_and_changes_nothing():
    t = TORCH.CyclicLR(sgd(), base_lr=0.01, max_lr=0.1, step_size_up=10)
    s = LRJIT.CyclicLR(sgd(), base_lr=0.01, max_lr=0.1, step_size_up=10, precompute=1000)
    sd = s.state_dict()
    sd["max_lrs"] = []
    before = snapshot(s)
    with pytest.raises(ValueError, match="max_lrs"):
        s.load_state_dict(sd)
    assert snapshot(s) == before
    for _ in range(30):  # still torch's sequence, momentum included
        t.step()
        s.step()
        assert s.get_last_lr() == t.get_last_lr()
        assert [g["momentum"] for g in s.optimizer.param_groups] == [
            g["momentum"] for g in t.optimizer.param_groups
        ]


def test_cyclic_fill_refuses_unchecked_lengths_set_behind_its_back(run_python):
    # the allocation that died with "malloc(): invalid size" (exit 134): attributes set
    # directly, bypassing load_state_dict; the compiled fill must still not read past them
    out = run_python(
        "import warnings; warnings.simplefilter('ignore')\n"
        "from types import SimpleNamespace\n"
        "from lrjit.optim import lr_scheduler as L\n"
        "opt = SimpleNamespace(param_groups=[{'lr': 0.1, 'momentum': 0.9} for _ in range(2)])\n"
        "s = L.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=10, precompute=100000)\n"
        "s.base_lrs = []\n"
        "try:\n"
        "    s.step(); s.step()\n"
        "    print('no error', s.get_last_lr())\n"
        "except ValueError as e:\n"
        "    print('ValueError')\n"
    )
    assert out.strip() == "ValueError"  # what torch's strict zip raises per step


def test_cyclic_base_lrs_empty_is_refused_on_load():
    s = LRJIT.CyclicLR(sgd(), base_lr=0.01, max_lr=0.1, step_size_up=10, precompute=100000)
    sd = s.state_dict()
    sd["base_lrs"] = []
    with pytest.raises(ValueError, match="base_lrs"):
        s.load_state_dict(sd)


@pytest.mark.parametrize(
    "name, key, value, error",
    [
        ("exponential", "gamma", math.nan, ValueError),
        ("exponential", "gamma", "0.9", TypeError),
        ("cosine", "T_max", math.inf, ValueError),
        ("restarts", "T_i", -3, ValueError),
        ("linear", "start_factor", 0.0, ValueError),
        ("step", "last_epoch", 2.5, TypeError),
        ("step", "_step_count", -1, ValueError),
        ("multistep", "milestones", None, TypeError),
        ("multistep", "milestones", {"a": 1}, TypeError),
        ("one_cycle", "_schedule_phases", [{"end_step": 3}], TypeError),
        ("one_cycle", "_schedule_phases", None, TypeError),
        ("one_cycle", "total_steps", 0, ValueError),
        ("cyclic", "step_ratio", 1.5, ValueError),
        ("cyclic", "mode", "sawtooth", ValueError),
        ("plateau", "best", math.nan, ValueError),
        ("plateau", "mode_worse", -math.inf, ValueError),
        ("plateau", "patience", True, TypeError),
        ("sequential", "_milestones", [1, 2], ValueError),
        ("chained", "_schedulers", [{}, {"gamma": math.nan}], ValueError),
        ("step", "optimizer", None, ValueError),
    ],
)
def test_garbage_from_the_issue_is_refused_naming_the_key(name, key, value, error):
    s = stepped(name)
    sd = s.state_dict()
    sd[key] = value
    before = snapshot(s)
    with pytest.raises(error, match=key):
        s.load_state_dict(sd)
    assert snapshot(s) == before


@pytest.mark.parametrize("name", sorted(BUILD))
def test_torch_states_load_and_continue_torchs_sequence(name):
    t = stepped(name, TORCH)
    want = []
    t2 = copy.deepcopy(t)
    for i in range(20):
        t2.optimizer.step()
        t2.step(1.0) if name == "plateau" else t2.step()
        want.append(t2.get_last_lr())
    opt = sgd()
    s = BUILD[name](LRJIT, opt)
    opt.load_state_dict(t.optimizer.state_dict())
    s.load_state_dict(t.state_dict())
    got = []
    for i in range(20):
        s.optimizer.step()
        s.step(1.0) if name == "plateau" else s.step()
        got.append(s.get_last_lr())
    assert got == want


def test_legacy_torch_keys_still_load():
    s = stepped("one_cycle")
    sd = s.state_dict()
    del sd["_anneal_func_type"]
    sd["anneal_func"] = TORCH.OneCycleLR._annealing_linear  # torch's old key
    s.load_state_dict(sd)
    assert s._anneal_func_type == "linear" and "anneal_func" not in s.state_dict()
    sd["anneal_func"] = LRJIT.OneCycleLR._annealing_cos  # lrjit has torch's, too
    s.load_state_dict(sd)
    assert s._anneal_func_type == "cos"
    for f in ("_annealing_cos", "_annealing_linear"):
        args = [(25.0, 0.5, k / 7) for k in range(8)]
        assert [getattr(LRJIT.OneCycleLR, f)(*a) for a in args] == [
            getattr(TORCH.OneCycleLR, f)(*a) for a in args
        ]
    c = stepped("cyclic")
    sd = c.state_dict()
    sd["_scale_fn_ref"] = object()  # old torch states carried the bound method
    c.load_state_dict(sd)
    assert "_scale_fn_ref" not in c.__dict__


def test_plateau_state_docstring_says_how_to_save_strict_json():
    s = stepped("plateau")
    assert "allow_nan" in type(s).state_dict.__doc__
    text = json.dumps(s.state_dict())  # Python's default JSON keeps the infinities
    s.load_state_dict(json.loads(text))


# -- fuzzing every scheduler's load_state_dict

GARBAGE = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 5e-324, 1e308, -1, -(2**70), 2**70]),
    st.sampled_from([True, False, None, "", "cos", "0.5", [], [None], {}, {"x": 1}]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.lists(st.floats(allow_nan=True), max_size=4),
)


def _fuzz_case(data, name):
    precompute = None if name in TABLE else data.draw(st.sampled_from([None, 8]))
    kw = {} if precompute is None else {"precompute": precompute}
    s = stepped(name, **kw)
    sd = s.state_dict()
    keys = sorted(sd)
    key = data.draw(st.sampled_from(keys + ["optimizer"]))
    value = data.draw(GARBAGE)
    if key == "_schedulers" and data.draw(st.booleans()):
        # garbage one level down, in a child's state
        sub = copy.deepcopy(sd[key])
        i = data.draw(st.integers(0, len(sub) - 1))
        sub[i][data.draw(st.sampled_from(sorted(sub[i])))] = value
        value = sub
    sd[key] = value
    return s, sd, key


@settings(
    max_examples=int(os.environ.get("LRJIT_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@pytest.mark.parametrize("name", sorted(BUILD))
@given(data=st.data())
def test_load_state_dict_of_garbage_raises_naming_the_key_or_keeps_working(name, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s, sd, key = _fuzz_case(data, name)
        before = snapshot(s)
        try:
            s.load_state_dict(sd)
        except (ValueError, TypeError) as err:
            assert key in str(err), (key, str(err))
            assert snapshot(s) == before
            return
        # accepted: a state the constructor could produce; stepping raises at most
        # what torch raises for such a state (OneCycleLR past total_steps: ValueError)
        for _ in range(3):
            try:
                s.step(1.0) if name == "plateau" else s.step()
            except ValueError:
                break


@pytest.mark.parametrize("garbage", [None, [("gamma", 0.5)], "gamma", 3])
def test_a_state_that_is_no_dict_is_a_type_error(garbage):
    s = stepped("exponential")
    before = snapshot(s)
    with pytest.raises(TypeError, match="state_dict"):
        s.load_state_dict(garbage)
    assert snapshot(s) == before
