"""What torch's own test suite and torch users rely on beyond the numbers.

Each expectation is torch 2.13's behaviour, observed by running torch itself
beside lrjit: the scheduler's ``__dict__`` is its state, the step-order
warning goes through :mod:`warnings` for every scheduler, torch's exact error
wording, the private attributes users read, and pickling.
"""

import copy
import pickle
import types
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as torch_sched
from torch_schedulers import BUILD as COMMON_BUILD
from torch_schedulers import LRJIT, TORCH, sgd

import lrjit
from lrjit.optim import lr_scheduler as lrjit_sched


def _decay(epoch):
    return 0.9**epoch


def _factor(epoch):
    return 0.9


# table mode needs a Schedule as lr_lambda; torch's own state_dict cannot save one
# (a Schedule has no __dict__: the core's side of issue 12), so per-step uses functions
BUILD = {
    **COMMON_BUILD,
    "lambda": lambda L, o, **kw: L.LambdaLR(o, lrjit.exponential(1.0, 0.9) if kw else _decay, **kw),
    "multiplicative": lambda L, o, **kw: L.MultiplicativeLR(
        o, lrjit.constant(0.9) if kw else _factor, **kw
    ),
}


@pytest.mark.parametrize("precompute", [None, 4])
@pytest.mark.parametrize("name", sorted(BUILD))
def test_dict_minus_optimizer_is_the_state_after_loading(name, precompute):
    # torch's invariant (its _check_scheduler_state_dict): every attribute but the
    # optimizer compares equal between a scheduler and a copy loaded with its state
    kw = {} if precompute is None else {"precompute": precompute}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = BUILD[name](LRJIT, sgd(), **kw)
        for _ in range(10):
            s.optimizer.step()
            s.step()
        twin = BUILD[name](LRJIT, sgd(), **kw)
        twin.load_state_dict(s.state_dict())
    assert set(s.__dict__) - {"optimizer"} == set(s.state_dict())
    for key in s.__dict__:
        if key != "optimizer":
            assert s.__dict__[key] == twin.__dict__[key], key
    assert s.get_last_lr() == twin.get_last_lr()


@pytest.mark.parametrize("name", sorted(BUILD))
def test_state_keys_are_torchs(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, s = BUILD[name](TORCH, sgd()), BUILD[name](LRJIT, sgd())
    assert set(s.state_dict()) == set(t.state_dict())


def test_resume_without_initial_lr_raises_torchs_key_error():
    messages = []
    for lib in (TORCH, LRJIT):
        with pytest.raises(KeyError) as info:
            lib.StepLR(sgd(), 3, last_epoch=4)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_step_order_warning_comes_again_for_every_scheduler_and_optimizer():
    def run(lib):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            for _ in range(2):
                s = lib.ExponentialLR(sgd(), 0.9)
                for _ in range(3):
                    s.step()  # before optimizer.step()
                    s.optimizer.step()
        return [str(w.message) for w in record if "how-to-adjust" in str(w.message)]

    assert run(LRJIT) == run(TORCH)
    assert len(run(LRJIT)) == 2


def test_overridden_optimizer_step_warns_like_torch():
    def run(lib):
        opt = sgd()
        s = lib.StepLR(opt, 3)
        old = opt.step
        opt.step = types.MethodType(lambda o, *a, **k: old(*a, **k), opt)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            s.step()
        return [str(w.message) for w in record]

    assert run(LRJIT) == run(TORCH) and "overridden" in run(LRJIT)[0]


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_scale_fn_ref_is_torchs(mode):
    t = TORCH.CyclicLR(sgd(), 0.01, 0.1, mode=mode, gamma=0.9)
    s = LRJIT.CyclicLR(sgd(), 0.01, 0.1, mode=mode, gamma=0.9)
    assert type(s._scale_fn_ref) is type(t._scale_fn_ref)
    assert [s._scale_fn_ref(x) for x in range(1, 6)] == [t._scale_fn_ref(x) for x in range(1, 6)]
    assert "_scale_fn_ref" not in s.state_dict() and "_scale_fn_ref" not in s.__dict__
    pickle.dumps(s.state_dict())


def test_module_has_torchs_epoch_warning_text():
    assert lrjit_sched.EPOCH_DEPRECATION_WARNING == torch_sched.EPOCH_DEPRECATION_WARNING


class DuckOptimizer:
    """Not torch: a param_groups list and a step() method."""

    def __init__(self):
        self.param_groups = [{"lr": 0.1, "momentum": 0.9}]
        self.steps = 0

    def step(self):
        self.steps += 1


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda s: pickle.loads(pickle.dumps(s))])
def test_scheduler_with_a_duck_optimizer_that_steps_still_pickles(clone):
    opt = DuckOptimizer()
    s = LRJIT.CyclicLR(opt, 0.01, 0.1, 5, precompute=8)
    assert getattr(opt.step, "_wrapped_by_lr_sched", False)  # the step-order patch
    for _ in range(7):
        opt.step()
        s.step()
    twin = clone(s)
    assert twin.optimizer is not opt and twin.optimizer.steps == 7
    twin.optimizer.step()  # the copy's wrapper steps the copy, not the original
    assert twin.optimizer.steps == 8 and opt.steps == 7 and twin.optimizer._opt_called
    for _ in range(20):
        opt.step()
        s.step()
        twin.optimizer.step()
        twin.step()
        assert twin.get_last_lr() == s.get_last_lr()
        assert twin.optimizer.param_groups == opt.param_groups


# -- the closed forms that now run through the core's kernels, against torch's own


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(1, 10**6),
    power=st.floats(0.0, 8.0),
    base=st.floats(0.0, 10.0),
    epochs=st.lists(st.integers(0, 2 * 10**6), min_size=1, max_size=8),
)
def test_polynomial_closed_form_is_the_core_kernel_and_torchs(total, power, base, epochs):
    # torch's base * (1 - min(T, k) / T) ** power is kernels.polynomial with end_value 0
    t = TORCH.PolynomialLR(sgd((base,)), total, power)
    s = LRJIT.PolynomialLR(sgd((base,)), total, power)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in epochs:
            t.step(k)
            s.step(k)
            assert s.get_last_lr() == t.get_last_lr()


@settings(max_examples=60, deadline=None)
@given(
    up=st.integers(1, 50),
    down=st.integers(1, 50),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.5, 1.0),
    moms=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
)
def test_cyclic_momentum_is_the_core_kernel_swapped_bitwise(up, down, mode, gamma, moms):
    # torch's max - (max - base) * f * s is kernels.cyclic(t, max, base, ...), bit for bit
    def run(lib, **kw):
        opt = sgd((0.1,))
        s = lib.CyclicLR(opt, 0.01, 0.1, up, down, mode, gamma, None, "cycle", True, *moms, **kw)
        out = []
        for _ in range(3 * (up + down)):
            opt.step()
            s.step()
            out.append((s.get_last_lr()[0], opt.param_groups[0]["momentum"]))
        return out

    want = run(TORCH)
    assert run(LRJIT) == want
    assert run(LRJIT, precompute=7) == want
