"""lrjit's schedulers as torch's own types, and any Schedule driving a torch optimizer.

Oracles: torch's class hierarchy (``isinstance``), torch's ``LambdaLR`` for a
relative :class:`~lrjit.optim.ScheduleLR` (a multiplier written out as a
formula here), formulas written out for the absolute values, and an
uninterrupted run for resumption.
"""

import io
import math
import pickle

import pytest

torch = pytest.importorskip("torch")

import lrjit  # noqa: E402
from lrjit.optim import ScheduleLR, ScheduleParam  # noqa: E402
from lrjit.optim import lr_scheduler as L  # noqa: E402

TL = torch.optim.lr_scheduler

# schedulers stepped without an optimizer step, on purpose
pytestmark = pytest.mark.filterwarnings("ignore::lrjit.optim.lr_scheduler.StepOrderWarning")


def sgd(lr=0.1, groups=1):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr * (i + 1)}
              for i in range(groups)]
    return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=1e-4)


def nine_tenths(epoch):  # module level: picklable
    return 0.9


MAKERS = {
    "StepLR": lambda o: L.StepLR(o, 3),
    "MultiStepLR": lambda o: L.MultiStepLR(o, [2, 5]),
    "ConstantLR": lambda o: L.ConstantLR(o),
    "LinearLR": lambda o: L.LinearLR(o),
    "ExponentialLR": lambda o: L.ExponentialLR(o, 0.9),
    "PolynomialLR": lambda o: L.PolynomialLR(o),
    "CosineAnnealingLR": lambda o: L.CosineAnnealingLR(o, 10),
    "SWALR": lambda o: L.SWALR(o, 0.01),
    "LambdaLR": lambda o: L.LambdaLR(o, nine_tenths),
    "MultiplicativeLR": lambda o: L.MultiplicativeLR(o, nine_tenths),
    "OneCycleLR": lambda o: L.OneCycleLR(o, 0.1, 100),
    "CyclicLR": lambda o: L.CyclicLR(o, 0.01, 0.1),
    "CosineAnnealingWarmRestarts": lambda o: L.CosineAnnealingWarmRestarts(o, 5),
    "SequentialLR": lambda o: L.SequentialLR(o, [L.ConstantLR(o), L.StepLR(o, 2)], [3]),
    "ChainedScheduler": lambda o: L.ChainedScheduler([L.StepLR(o, 2), L.ExponentialLR(o, 0.9)]),
    "ScheduleLR": lambda o: ScheduleLR(o, lrjit.cosine(0.1, decay_steps=10)),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_every_scheduler_is_a_torch_lr_scheduler(name):
    s = MAKERS[name](sgd())
    assert isinstance(s, TL.LRScheduler)
    assert type(s).__name__ == name
    assert not isinstance(s, TL.ReduceLROnPlateau)
    # the twin overrides nothing: every method is lrjit's
    assert type(s).step is type(s).__mro__[1].step
    copy = pickle.loads(pickle.dumps(s))
    assert isinstance(copy, TL.LRScheduler) and copy.get_last_lr() == s.get_last_lr()


def test_plateau_is_torchs_plateau():
    s = L.ReduceLROnPlateau(sgd(), patience=0, factor=0.5)
    assert isinstance(s, TL.ReduceLROnPlateau) and isinstance(s, TL.LRScheduler)
    s.step(1.0)
    s.step(2.0)
    assert s.get_last_lr() == [0.05]
    assert s.in_cooldown is False  # lrjit's property, not shadowed by torch's


def test_a_users_torch_style_subclass_is_a_torch_scheduler_too():
    class Halving(L.LRScheduler):
        def get_lr(self):
            return [b * 0.5**self.last_epoch for b in self.base_lrs]

    s = Halving(sgd(1.0))
    s.step()
    assert isinstance(s, Halving) and isinstance(s, TL.LRScheduler)
    assert s.get_last_lr() == [0.5]


def test_no_closed_form_is_an_attribute_error():
    s = L.CyclicLR(sgd(), 0.01, 0.1, scale_fn=lambda x: 1.0, cycle_momentum=False)
    assert not hasattr(s, "schedule")
    assert getattr(s, "schedule", None) is None
    with pytest.raises(ValueError, match="no closed form"):
        s.schedule  # noqa: B018 - still the ValueError earlier versions raised
    assert hasattr(L.CosineAnnealingLR(sgd(), 10), "schedule")


# -- ScheduleLR


def cosine(k, peak, T, end=0.0):
    return end + (peak - end) * 0.5 * (1.0 + math.cos(math.pi * min(k, T) / T))


@pytest.mark.parametrize("precompute", [None, 7])
def test_absolute_values_follow_the_schedule_per_group(precompute):
    opt = sgd(groups=2)
    schedules = [lrjit.cosine(0.3, decay_steps=20), lrjit.linear(0.0, 0.2, transition_steps=10)]
    s = ScheduleLR(opt, schedules, precompute=precompute)
    for k in range(30):
        want = [cosine(k, 0.3, 20), 0.2 * min(k, 10) / 10]
        for got, w in zip(s.get_last_lr(), want):
            assert math.isclose(got, w, rel_tol=1e-12, abs_tol=1e-15), (k, got, w)
        assert [g["lr"] for g in opt.param_groups] == s.get_last_lr()
        opt.step()
        s.step()


def test_relative_matches_torchs_lambda_lr():
    def lam(k):  # the multiplier written out: half a cosine over 25 steps
        return 0.5 * (1.0 + math.cos(math.pi * min(k, 25) / 25))

    ref_opt, opt = sgd(groups=3), sgd(groups=3)
    ref = TL.LambdaLR(ref_opt, lam)
    s = ScheduleLR(opt, lrjit.cosine(1.0, decay_steps=25), relative=True, precompute=10)
    for _ in range(40):
        for a, b in zip(s.get_last_lr(), ref.get_last_lr()):
            assert math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-18)
        for o in (ref_opt, opt):
            o.step()
        ref.step()
        s.step()


def test_both_modes_give_the_same_bits():
    sch = lrjit.warmup_cosine(1e-3, warmup_steps=13, decay_steps=200, end_value=1e-5)
    a = ScheduleLR(sgd(), sch)
    b = ScheduleLR(sgd(), sch, precompute=32)
    for _ in range(250):
        a.step()
        b.step()
        assert a.get_last_lr() == b.get_last_lr()


@pytest.mark.parametrize("precompute", [None, 16])
def test_state_dict_resumes_through_torch_save(precompute):
    sch = lrjit.warmup_cosine(0.1, warmup_steps=5, decay_steps=50)
    opt = sgd(groups=2)
    s = ScheduleLR(opt, sch, relative=True, precompute=precompute)
    straight = []
    for k in range(50):
        opt.step()
        s.step()
        straight.append(s.get_last_lr())
        if k == 19:
            buf = io.BytesIO()
            torch.save({"opt": opt.state_dict(), "sched": s.state_dict()}, buf)
    buf.seek(0)
    ckpt = torch.load(buf, weights_only=True)  # the state is plain data
    opt2 = sgd(groups=2)
    s2 = ScheduleLR(opt2, lrjit.constant(1.0), relative=True, precompute=precompute)
    opt2.load_state_dict(ckpt["opt"])
    s2.load_state_dict(ckpt["sched"])
    assert s2.lr_schedules == [sch, sch]
    resumed = []
    for _ in range(30):
        opt2.step()
        s2.step()
        resumed.append(s2.get_last_lr())
    assert resumed == straight[20:]


def test_schedule_lr_rejects_bad_input_and_bad_state():
    opt = sgd(groups=2)
    with pytest.raises(TypeError, match="schedule must be an lrjit Schedule"):
        ScheduleLR(opt, lambda k: 0.1)
    with pytest.raises(ValueError, match="one per param group"):
        ScheduleLR(opt, [lrjit.constant(0.1)] * 3)
    s = ScheduleLR(opt, lrjit.constant(0.1))
    before = s.state_dict()
    with pytest.raises(ValueError, match="lr_schedules"):
        s.load_state_dict({**before, "lr_schedules": [{"type": "cosine"}] * 2})
    with pytest.raises(TypeError, match="relative"):
        s.load_state_dict({**before, "relative": "yes"})
    assert s.state_dict() == before


# -- ScheduleParam


def test_adam_betas0_and_weight_decay_follow_schedules():
    p = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.AdamW([p], lr=1e-2, betas=(0.95, 0.999), weight_decay=0.1)
    beta = ScheduleParam(opt, "betas[0]", lrjit.linear(0.85, 0.95, transition_steps=10))
    wd = ScheduleParam(opt, "weight_decay", lrjit.cosine(1.0, decay_steps=20), relative=True,
                       precompute=8)
    for k in range(25):
        g = opt.param_groups[0]
        assert math.isclose(g["betas"][0], 0.85 + 0.1 * min(k, 10) / 10, rel_tol=1e-14)
        assert g["betas"][1] == 0.999
        assert math.isclose(g["weight_decay"], cosine(k, 0.1, 20), rel_tol=1e-12, abs_tol=1e-18)
        p.grad = torch.ones(3)
        opt.step()  # torch's Adam reads the scheduled values
        beta.step()
        wd.step()
    assert opt.param_groups[0]["initial_weight_decay"] == 0.1


def test_sgd_momentum_resumes_from_state():
    sch = lrjit.cosine(0.99, decay_steps=30, end_value=0.85)
    opt = sgd()
    m = ScheduleParam(opt, "momentum", sch)
    for _ in range(10):
        m.step()
    state = m.state_dict()
    rest = []
    for _ in range(10):
        m.step()
        rest.append(opt.param_groups[0]["momentum"])
    opt2 = sgd()
    m2 = ScheduleParam(opt2, "momentum", lrjit.constant(0.5))
    m2.load_state_dict(state)
    again = []
    for _ in range(10):
        m2.step()
        again.append(opt2.param_groups[0]["momentum"])
    assert again == rest
    assert math.isclose(rest[-1], 0.85 + 0.14 * 0.5 * (1 + math.cos(math.pi * 20 / 30)),
                        rel_tol=1e-12)


def test_schedule_param_rejects_bad_fields():
    opt = sgd()
    with pytest.raises(KeyError, match="betas"):
        ScheduleParam(opt, "betas[0]", lrjit.constant(0.9))
    with pytest.raises(ValueError, match="field must be"):
        ScheduleParam(opt, "momentum.0", lrjit.constant(0.9))
    with pytest.raises(ValueError, match="must be a tuple"):
        ScheduleParam(opt, "momentum[0]", lrjit.constant(0.9))
    m = ScheduleParam(opt, "momentum", lrjit.constant(0.9))
    with pytest.raises(ValueError, match="field"):
        m.load_state_dict({**m.state_dict(), "field": "weight_decay"})
