"""lrjit.optim.get_scheduler and the get_*_schedule_with_warmup functions against transformers 5.x.

Both schedulers drive a torch optimizer with two param groups of Python-float lrs
for three times the training length; the learning rates at every step must be
bitwise equal.  transformers is the oracle (skipped where it is not installed).
"""

import json
import pickle
import warnings

import pytest

torch = pytest.importorskip("torch")
hf = pytest.importorskip("transformers.optimization")

import lrjit  # noqa: E402
import lrjit.optim as lo  # noqa: E402

STEP_PAIRS = [(0, 1), (0, 37), (5, 37), (1, 2), (3, 100), (37, 37), (10, 11)]
CASES = {
    "linear": [{}],
    "cosine": [{}, {"num_cycles": 1.3}, {"num_cycles": 2}],
    "cosine_with_restarts": [{}, {"num_cycles": 3}, {"num_cycles": 2.5}],
    "polynomial": [{}, {"power": 2.0, "lr_end": 1e-5}, {"power": 0.5}, {"power": 3}],
    "constant": [{}],
    "constant_with_warmup": [{}],
    "inverse_sqrt": [{}, {"timescale": 7}],
    "cosine_with_min_lr": [{"min_lr_rate": 0.1}, {"min_lr": 1e-5, "num_cycles": 0.7}],
    "cosine_warmup_with_min_lr": [{"min_lr_rate": 0.1}, {"min_lr": 1e-5},
                                  {"min_lr_rate": 0.05, "warmup_lr_rate": 0.1}],
    "warmup_stable_decay": [
        {"num_decay_steps": 1},
        {"num_decay_steps": 13, "warmup_type": "cosine", "decay_type": "1-sqrt",
         "min_lr_ratio": 0.3},
        {"num_decay_steps": 5, "decay_type": "linear", "min_lr_ratio": 0.7,
         "warmup_type": "1-sqrt"},
        {"num_decay_steps": 2, "num_stable_steps": 4},
    ],
}


def optimizer(lr=3e-4):
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(2)]
    return torch.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 7e-3}], lr=lr)


def run(make, n):
    opt = optimizer()
    sched = make(opt)
    out = []
    for _ in range(n):
        out.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    return out, sched


def cases():
    for name, kws in CASES.items():
        for kw in kws:
            for w, total in STEP_PAIRS:
                if name == "warmup_stable_decay" and w + kw["num_decay_steps"] > total:
                    continue
                if name == "polynomial" and w == total:
                    continue  # transformers divides by zero at step W (see below)
                yield pytest.param(name, w, total, kw, id=f"{name}-{w}-{total}-{kw}")


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name, w, total, kw", list(cases()))
def test_get_scheduler_is_transformers_bitwise(name, w, total, kw):
    n = 3 * total + 10  # well past the end
    want, _ = run(lambda o: hf.get_scheduler(name, o, w, total, dict(kw)), n)
    got, sched = run(lambda o: lo.get_scheduler(name, o, w, total, dict(kw)), n)
    assert got == want
    # the Schedule behind it gives the same bits, group by group
    for g in range(2):
        assert sched.schedules[g].table(n).tolist() == [row[g] for row in want]
    assert isinstance(sched, torch.optim.lr_scheduler.LRScheduler)


def test_scheduler_type_members_and_every_name():
    from transformers import SchedulerType

    assert set(lo.SCHEDULER_TYPES) == {t.value for t in SchedulerType}
    opt = optimizer()
    s = lo.get_scheduler(SchedulerType.COSINE, opt, 2, 10)
    assert s.lr_schedules[0] == lrjit.transformers_schedule("cosine", 2, 10)


def test_polynomial_with_warmup_equal_to_total_is_refused_where_transformers_divides_by_zero():
    sched = hf.get_scheduler("polynomial", optimizer(), 5, 5)
    with pytest.raises(ZeroDivisionError):
        for _ in range(6):
            sched.step()
    with pytest.raises(ValueError, match="num_training_steps > num_warmup_steps"):
        lo.get_scheduler("polynomial", optimizer(), 5, 5)


@pytest.mark.parametrize("func, args, kw", [
    ("get_linear_schedule_with_warmup", (3, 20), {}),
    ("get_cosine_schedule_with_warmup", (3, 20), {"num_cycles": 0.75}),
    ("get_cosine_with_hard_restarts_schedule_with_warmup", (3, 20), {"num_cycles": 2}),
    ("get_polynomial_decay_schedule_with_warmup", (3, 20), {"lr_end": 1e-6, "power": 2.0}),
    ("get_polynomial_decay_schedule_with_warmup", (3, 20), {"lr_end": 1e-6}),  # power 1
    ("get_constant_schedule", (), {}),
    ("get_constant_schedule_with_warmup", (4,), {}),
    ("get_inverse_sqrt_schedule", (4,), {"timescale": 9}),
    ("get_cosine_with_min_lr_schedule_with_warmup", (3, 20), {"min_lr": 1e-5}),
    ("get_cosine_with_min_lr_schedule_with_warmup_lr_rate", (3, 20),
     {"min_lr_rate": 0.1, "warmup_lr_rate": 0.2}),
    ("get_wsd_schedule", (3, 5), {"num_training_steps": 20, "warmup_type": "cosine"}),
])
def test_the_get_functions_by_name(func, args, kw):
    want, _ = run(lambda o: getattr(hf, func)(o, *args, **kw), 50)
    got, sched = run(lambda o: getattr(lo, func)(o, *args, **kw), 50)
    assert got == want
    assert type(sched).__name__ == "TransformersLR"


def test_last_epoch_and_state_dict_resume_the_same_sequence():
    n, cut = 40, 17
    want, _ = run(lambda o: lo.get_cosine_schedule_with_warmup(o, 5, 30), n)
    opt = optimizer()
    sched = lo.get_cosine_schedule_with_warmup(opt, 5, 30)
    for _ in range(cut):
        opt.step()
        sched.step()
    state = json.loads(json.dumps(sched.state_dict()))
    opt2 = optimizer()
    opt2.load_state_dict(opt.state_dict())
    resumed = lo.get_cosine_schedule_with_warmup(opt2, 5, 30, last_epoch=cut - 1)
    resumed.load_state_dict(state)
    got = [[g["lr"] for g in opt2.param_groups]]
    for _ in range(n - cut - 1):
        opt2.step()
        resumed.step()
        got.append([g["lr"] for g in opt2.param_groups])
    assert got == want[cut:]
    # and transformers' own resumption (last_epoch) gives the same as lrjit's
    opt3 = optimizer()
    opt3.load_state_dict(opt.state_dict())
    theirs = hf.get_cosine_schedule_with_warmup(opt3, 5, 30, last_epoch=cut - 1)
    assert theirs.get_last_lr() == lo.get_cosine_schedule_with_warmup(
        optimizer_with(opt), 5, 30, last_epoch=cut - 1).get_last_lr()
    assert pickle.loads(pickle.dumps(sched)).get_last_lr() == sched.get_last_lr()


def optimizer_with(opt):
    o = optimizer()
    o.load_state_dict(opt.state_dict())
    return o


def test_precompute_gives_the_same_bits():
    def make(precompute):
        def f(o):
            s = lrjit.transformers_schedule("cosine_with_restarts", 4, 50, num_cycles=3)
            return lo.TransformersLR(o, s, precompute=precompute)
        return f

    assert run(make(None), 80)[0] == run(make(16), 80)[0]


def test_reduce_lr_on_plateau_is_lrjits_with_transformers_kwargs():
    kw = {"mode": "min", "factor": 0.5, "patience": 2}
    metrics = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.5, 0.6, 0.7, 0.8, 0.9]

    def lrs(make):
        opt = optimizer()
        sched = make(opt)
        out = []
        for m in metrics:
            opt.step()
            sched.step(m)
            out.append([g["lr"] for g in opt.param_groups])
        return out, sched

    want, _ = lrs(lambda o: hf.get_scheduler("reduce_lr_on_plateau", o,
                                             scheduler_specific_kwargs=kw))
    got, sched = lrs(lambda o: lo.get_scheduler("reduce_lr_on_plateau", o,
                                                scheduler_specific_kwargs=kw))
    assert got == want
    assert isinstance(sched, lo.lr_scheduler.ReduceLROnPlateau)
    assert isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau)


def test_argument_errors_are_transformers():
    opt = optimizer()
    for name in ("linear", "cosine", "inverse_sqrt", "constant_with_warmup",
                 "warmup_stable_decay", "polynomial"):
        with pytest.raises(ValueError, match="requires `num_warmup_steps`"):
            lo.get_scheduler(name, opt, num_training_steps=10)
        with pytest.raises(ValueError, match="requires `num_warmup_steps`"):
            hf.get_scheduler(name, opt, num_training_steps=10)
    for name in ("linear", "cosine", "cosine_with_restarts", "polynomial", "cosine_with_min_lr",
                 "cosine_warmup_with_min_lr"):
        with pytest.raises(ValueError, match="requires `num_training_steps`"):
            lo.get_scheduler(name, opt, num_warmup_steps=2)
    for name, kw in [("cosine", {"nope": 1}), ("linear", {"num_cycles": 2}),
                     ("inverse_sqrt", {"num_cycles": 2}), ("polynomial", {"min_lr": 0.1}),
                     ("warmup_stable_decay", {"num_decay_steps": 2, "lr_end": 0.1}),
                     ("reduce_lr_on_plateau", {"num_cycles": 2})]:
        with pytest.raises(TypeError):
            hf.get_scheduler(name, opt, 2, 10, kw)
        with pytest.raises(TypeError):
            lo.get_scheduler(name, opt, 2, 10, kw)
    with pytest.raises(ValueError, match="not a valid SchedulerType"):
        lo.get_scheduler("cosine_annealing", opt, 2, 10)
    with pytest.raises(ValueError, match="min_lr or min_lr_rate"):
        lo.get_scheduler("cosine_with_min_lr", opt, 2, 10)
    with pytest.raises(ValueError, match="Only one of min_lr or min_lr_rate"):
        lo.get_scheduler("cosine_with_min_lr", opt, 2, 10, {"min_lr": 1e-5, "min_lr_rate": 0.1})
    with pytest.raises(ValueError, match="must be smaller than initial lr"):
        lo.get_scheduler("polynomial", opt, 2, 10, {"lr_end": 1.0})
    with pytest.raises(ValueError, match="num_training_steps or num_stable_steps"):
        lo.get_scheduler("warmup_stable_decay", opt, 2, None, {"num_decay_steps": 2})
    with pytest.raises(ValueError, match="num_cycles"):
        lo.get_scheduler("warmup_stable_decay", opt, 2, 10, {"num_decay_steps": 2,
                                                            "num_cycles": 1.0})
    with pytest.raises(ValueError, match="num_training_steps counts the warmup"):
        lo.get_scheduler("linear", opt, 20, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="num_stable_steps will be used"):
            lo.get_scheduler("warmup_stable_decay", opt, 2, 10,
                             {"num_decay_steps": 2, "num_stable_steps": 3})


def test_constant_ignores_everything_else_as_transformers_does():
    got, _ = run(lambda o: lo.get_scheduler("constant", o, 5, 7, {"anything": 1}), 5)
    want, _ = run(lambda o: hf.get_scheduler("constant", o, 5, 7, {"anything": 1}), 5)
    assert got == want == [[3e-4, 7e-3]] * 5


def test_greedy_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="metric.*get_greedy_schedule"):
        lo.get_scheduler("greedy", optimizer())


def test_the_schedule_is_the_lr_and_the_multiplier_is_kept():
    opt = optimizer()
    s = lo.get_scheduler("linear", opt, 2, 10)
    assert s.lr_schedules[0] == lrjit.transformers_schedule("linear", 2, 10)
    assert s.schedule(6) == 3e-4 * s.lr_schedules[0](6)
    assert s.schedules[1](1) == 7e-3 * 0.5
