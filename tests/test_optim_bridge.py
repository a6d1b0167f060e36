"""The cyclical factories against torch 2.13, and ``scheduler.schedule``: the bridge to Schedules.

``lrjit.one_cycle``, ``lrjit.cyclic`` and ``lrjit.cosine_restarts`` are
torch's OneCycleLR, CyclicLR and CosineAnnealingWarmRestarts as closed forms:
their values must equal torch's learning rates bitwise.  ``scheduler.schedule``
of every class with a closed form must equal torch's closed form.
"""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from family_records import assert_cos_close, libm_twin
from torch.optim import lr_scheduler as torch_sched

import lrjit
from lrjit.optim import lr_scheduler as lrjit_sched

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def sgd(lrs=(0.1,)):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def torch_lrs(scheduler, n):
    """torch's learning rate of the first group after construction and each of n - 1 steps."""
    out = [scheduler.get_last_lr()[0]]
    for _ in range(n - 1):
        scheduler.step()
        out.append(scheduler.get_last_lr()[0])
    return out


def assert_bitwise(want, got, what):
    want, got = np.asarray(want, dtype=np.float64), np.asarray(got, dtype=np.float64)
    bad = want.view(np.uint64) != got.view(np.uint64)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        pytest.fail(f"{what}: step {k}: torch {want[k]!r}, lrjit {got[k]!r}")


ONE_CYCLE = [
    dict(peak_value=0.1, total_steps=1000),
    dict(peak_value=1.0, total_steps=997, pct_start=0.17, anneal_strategy="linear"),
    dict(
        peak_value=0.3,
        total_steps=500,
        pct_start=0.4,
        three_phase=True,
        div_factor=7.0,
        final_div_factor=33.0,
    ),
    dict(peak_value=2e-3, total_steps=3, pct_start=0.5),
    dict(peak_value=0.5, total_steps=100, pct_start=0.0),
    dict(peak_value=0.5, total_steps=100, pct_start=1.0, three_phase=True),
    dict(
        peak_value=0.5, total_steps=100, pct_start=0.8, three_phase=True, anneal_strategy="linear"
    ),
]


@pytest.mark.parametrize("kw", ONE_CYCLE, ids=str)
def test_one_cycle_is_torchs_one_cycle(kw):
    s = lrjit.one_cycle(**kw)
    args = {("max_lr" if k == "peak_value" else k): v for k, v in kw.items()}
    t = torch_sched.OneCycleLR(sgd(), **args)
    n = kw["total_steps"]
    want = torch_lrs(t, n)
    # the core's cosine is cospi (issue 13): the same row with libm's cos is torch's bits
    assert_bitwise(want, libm_twin(s).table(n), f"one_cycle({kw}), libm_cos=1")
    assert_cos_close(s.table(n), want, f"one_cycle({kw})")
    if kw.get("anneal_strategy") == "linear":
        assert_bitwise(want, s.table(n), f"one_cycle({kw})")
    # held afterwards at the last value
    assert s(n - 1) == s(n) == s(10 * n + 0.5)


CYCLIC = [
    dict(init_value=0.01, peak_value=0.1, up_steps=13, down_steps=7),
    dict(init_value=0.01, peak_value=0.1, up_steps=5, down_steps=5, mode="triangular2"),
    dict(init_value=0.001, peak_value=0.3, up_steps=9, down_steps=4, mode="exp_range", gamma=0.997),
    dict(init_value=0.2, peak_value=0.05, up_steps=3, down_steps=0),
    dict(init_value=0.0, peak_value=1.0, up_steps=1, down_steps=1),
]


@pytest.mark.parametrize("kw", CYCLIC, ids=str)
def test_cyclic_is_torchs_cyclic(kw):
    s = lrjit.cyclic(**kw)
    t = torch_sched.CyclicLR(
        sgd(),
        kw["init_value"],
        kw["peak_value"],
        kw["up_steps"],
        kw["down_steps"],
        kw.get("mode", "triangular"),
        kw.get("gamma", 1.0),
    )
    assert_bitwise(torch_lrs(t, 2000), s.table(2000), f"cyclic({kw})")


def test_cyclic_scale_mode_against_torchs_custom_scale_fn():
    # torch fixes the scale mode of its built-in modes; a custom scale_fn frees it
    s = lrjit.cyclic(0.01, 0.1, 4, 6, mode="exp_range", gamma=0.9, scale_mode="cycle")
    t = torch_sched.CyclicLR(sgd(), 0.01, 0.1, 4, 6, scale_fn=lambda x: 0.9**x, scale_mode="cycle")
    assert_bitwise(torch_lrs(t, 500), s.table(500), "exp_range per cycle")
    s = lrjit.cyclic(0.01, 0.1, 4, 6, mode="triangular2", scale_mode="iterations")
    t = torch_sched.CyclicLR(
        sgd(), 0.01, 0.1, 4, 6, scale_fn=lambda x: 1 / (2.0 ** (x - 1)), scale_mode="iterations"
    )
    assert_bitwise(torch_lrs(t, 500), s.table(500), "triangular2 per iteration")


@pytest.mark.parametrize(
    "T_0, T_mult, eta_min", [(10, 1, 0.0), (7, 2, 0.001), (1, 3, 0.05), (3, 5, 0.0)]
)
def test_cosine_restarts_is_torchs_sgdr_stepped(T_0, T_mult, eta_min):
    s = lrjit.cosine_restarts(0.1, T_0, end_value=eta_min, period_mult=T_mult)
    t = torch_sched.CosineAnnealingWarmRestarts(sgd(), T_0, T_mult, eta_min)
    want = torch_lrs(t, 3000)
    # the core's cosine is cospi (issue 13): the same row with libm's cos is torch's bits
    assert_bitwise(want, libm_twin(s).table(3000), f"cosine_restarts({T_0}, {T_mult}), libm")
    assert_cos_close(s.table(3000), want, f"cosine_restarts({T_0}, {T_mult})")


def test_cosine_restarts_fractional_steps_and_torchs_log_quirk():
    # Fractional epochs: torch's step(epoch) closed form agrees with the kernel...
    s = lrjit.cosine_restarts(0.1, 10, end_value=0.001, period_mult=2)
    t = torch_sched.CosineAnnealingWarmRestarts(sgd(), 10, 2, 0.001)
    for epoch in [0.5, 3.25, 9.99, 10.5, 29.75, 31.0, 69.5, 150.125]:
        t.step(epoch)
        assert t.get_last_lr()[0] == s(epoch), epoch
    # ...except where its log rounds a restart into the previous period:
    # log(243, 3) = 4.999..., so epoch 121 (= 1 + 3 + ... + 81) ends period 4 in torch
    q = torch_sched.CosineAnnealingWarmRestarts(sgd((1.0,)), 1, 3, 0.0)
    q.step(121)
    assert q.get_last_lr()[0] == 0.0  # torch: the end of the previous period
    assert lrjit.cosine_restarts(1.0, 1, end_value=0.0, period_mult=3)(121) == 1.0  # lrjit: the restart
    o = lrjit_sched.CosineAnnealingWarmRestarts(SimpleNamespace(param_groups=[{"lr": 1.0}]), 1, 3)
    o.step(121)
    assert o.get_last_lr()[0] == 0.0  # the front-end keeps torch's quirk, for parity
    stepped = torch_sched.CosineAnnealingWarmRestarts(sgd((1.0,)), 1, 3, 0.0)
    assert torch_lrs(stepped, 122)[121] == 1.0  # torch stepped one by one: the restart


# -- scheduler.schedule


def closed_forms(t, n):
    """torch's ``_get_closed_form_lr()`` at epochs 0 .. n-1, per group."""
    out = []
    for k in range(n):
        t.last_epoch = k
        out.append(t._get_closed_form_lr())
    return np.array(out).T


BRIDGED = {
    "StepLR": (lambda L, o: L.StepLR(o, 7, 0.5), True),
    "MultiStepLR": (lambda L, o: L.MultiStepLR(o, [3, 10, 10, 50], 0.3), True),
    "ConstantLR": (lambda L, o: L.ConstantLR(o, 1.0 / 3, 20), True),
    "ExponentialLR": (lambda L, o: L.ExponentialLR(o, 0.99), True),
    "PolynomialLR": (lambda L, o: L.PolynomialLR(o, 40, 1.7), True),
    "CosineAnnealingLR": (lambda L, o: L.CosineAnnealingLR(o, 33, 0.001), True),
    # torch's closed form multiplies base_lr last; lrjit.linear interpolates between the
    # scaled end points: equal up to rounding
    "LinearLR": (lambda L, o: L.LinearLR(o, 0.1, 0.9, 37), False),
}


@pytest.mark.parametrize("cls", sorted(BRIDGED))
def test_schedule_is_torchs_closed_form(cls):
    make, bitwise = BRIDGED[cls]
    lrs = (0.1, 0.05, 0.3)
    t = make(torch_sched, sgd(lrs))
    o = make(lrjit_sched, SimpleNamespace(param_groups=[{"lr": lr} for lr in lrs]))
    want = closed_forms(t, 200)
    got = np.array([s.table(200) for s in o.schedules])
    if o.schedule.family == "cosine":
        # a core Schedule: cospi (issue 13); its libm twin is torch's closed form, bitwise
        twins = np.array([libm_twin(s).table(200) for s in o.schedules])
        assert_bitwise(want.ravel(), twins.ravel(), f"{cls}, libm_cos=1")
        for g in range(len(lrs)):  # periodic: up to 200 / T_max turns
            assert_cos_close(got[g], want[g], cls, turns=200 / o.T_max)
    elif bitwise:
        assert_bitwise(want.ravel(), got.ravel(), cls)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
    assert o.schedule == o.schedules[0]


def test_cyclical_schedules_are_torchs_sequences():
    for make in [
        lambda L, o: L.OneCycleLR(o, 0.1, 300, pct_start=0.2, three_phase=True),
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, 7, 3, "triangular2"),
        lambda L, o: L.CosineAnnealingWarmRestarts(o, 5, 2, 0.001),
    ]:
        t = make(torch_sched, sgd())
        o = make(lrjit_sched, SimpleNamespace(param_groups=[{"lr": 0.1, "momentum": 0.9}]))
        want, s = torch_lrs(t, 300), o.schedule
        if s.family == "cyclic":
            assert_bitwise(want, s.table(300), type(t).__name__)
        else:  # a core cosine family (cospi, issue 13); its libm twin is torch's bits
            assert_bitwise(want, libm_twin(s).table(300), type(t).__name__)
            assert_cos_close(s.table(300), want, type(t).__name__)


def test_sequential_schedule_joins_the_children():
    def make(L, o):
        return L.SequentialLR(o, [L.LinearLR(o, 0.1, 1.0, 10), L.CosineAnnealingLR(o, 90)], [10])

    t = make(torch_sched, sgd())
    o = make(lrjit_sched, SimpleNamespace(param_groups=[{"lr": 0.1}]))
    s = o.schedule
    assert s.family == "join" and s.args["boundaries"] == (10,)
    # torch steps the chainable forms: equal to the closed forms up to rounding
    np.testing.assert_allclose(s.table(300), torch_lrs(t, 300), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lrjit_sched.LambdaLR(o, lambda e: 0.9),
        lambda o: lrjit_sched.MultiplicativeLR(o, lambda e: 0.9),
        lambda o: lrjit_sched.SWALR(o, 0.01),
        lambda o: lrjit_sched.CyclicLR(o, 0.01, 0.1, scale_fn=lambda x: 1.0, cycle_momentum=False),
        lambda o: lrjit_sched.ChainedScheduler([lrjit_sched.StepLR(o, 3)]),
        lambda o: lrjit_sched.ReduceLROnPlateau(o),
        lambda o: lrjit_sched.CosineAnnealingLR(o, 7.5),
    ],
)
def test_no_closed_form_no_schedule(make):
    s = make(SimpleNamespace(param_groups=[{"lr": 0.1}]))
    with pytest.raises(ValueError):
        s.schedule  # noqa: B018 - the property raises


def test_schedule_can_be_tabled_plotted_and_serialized():
    o = lrjit_sched.OneCycleLR(
        SimpleNamespace(param_groups=[{"lr": 0.1}]), 0.1, 1000, cycle_momentum=False
    )
    s = o.schedule
    assert lrjit.from_dict(s.to_dict()) == s
    table = s.table(1000, dtype=np.float32)
    assert table.dtype == np.float32 and math.isclose(float(table.max()), 0.1, rel_tol=1e-7)
