"""lrjit.optim.lr_scheduler's surface: errors as torch's, warnings, tensors, duck typing, modes.

Bad input is compared with torch 2.13 itself: for each case torch is run
(construction, a few steps, a ``step(epoch)``) and whatever it raises, lrjit
must raise an instance of the same type, naming the parameter, at
construction where torch fails only later.
"""

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as torch_sched
from torch.optim.swa_utils import SWALR as TorchSWALR

import lrjit
from lrjit.optim import lr_scheduler as lrjit_sched

TORCH = SimpleNamespace(
    **{n: getattr(torch_sched, n) for n in torch_sched.__all__}, SWALR=TorchSWALR
)
LRJIT = lrjit_sched


def sgd(lrs=(0.1, 0.05), **kw):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9, **kw)


def adagrad():
    return torch.optim.Adagrad([torch.nn.Parameter(torch.zeros(1))], lr=0.1)


# -- bad input: torch's exception type, raised at construction by lrjit

BAD = [
    # (id, build(L, opt), optimizer factory, words in lrjit's message, lrjit raises late)
    ("not an optimizer", lambda L, o: L.StepLR(object(), 3), sgd, ["not an Optimizer"], False),
    ("step_size 0", lambda L, o: L.StepLR(o, 0), sgd, ["step_size", "0"], False),
    ("lambda count", lambda L, o: L.LambdaLR(o, [lambda e: 1.0]), sgd, ["2 lr_lambdas"], False),
    ("lambda not callable", lambda L, o: L.LambdaLR(o, 0.5), sgd, ["lr_lambda", "float"], False),
    (
        "multiplicative not callable",
        lambda L, o: L.MultiplicativeLR(o, 0.5),
        sgd,
        ["lr_lambda"],
        False,
    ),
    ("constant factor > 1", lambda L, o: L.ConstantLR(o, 1.5), sgd, ["factor=1.5"], False),
    ("constant factor < 0", lambda L, o: L.ConstantLR(o, -0.1), sgd, ["factor=-0.1"], False),
    ("constant factor 0", lambda L, o: L.ConstantLR(o, 0.0, 5), sgd, ["factor", "0"], False),
    ("linear start 0", lambda L, o: L.LinearLR(o, 0.0), sgd, ["start_factor=0.0"], False),
    ("linear end > 1", lambda L, o: L.LinearLR(o, 0.5, 1.5), sgd, ["end_factor=1.5"], False),
    ("linear total 0", lambda L, o: L.LinearLR(o, 0.5, 1.0, 0), sgd, ["total_iters"], False),
    ("polynomial total 0", lambda L, o: L.PolynomialLR(o, 0), sgd, ["total_iters"], False),
    ("polynomial power < 0", lambda L, o: L.PolynomialLR(o, 5, -1.0), sgd, ["power"], False),
    ("cosine T_max 0", lambda L, o: L.CosineAnnealingLR(o, 0), sgd, ["T_max"], False),
    (
        "cyclic empty cycle",
        lambda L, o: L.CyclicLR(o, 0.1, 0.2, 0, 0),
        sgd,
        ["step_size_up"],
        False,
    ),
    ("cyclic no rise", lambda L, o: L.CyclicLR(o, 0.1, 0.2, 0, 5), sgd, ["step_size_up"], False),
    ("cyclic mode", lambda L, o: L.CyclicLR(o, 0.1, 0.2, mode="square"), sgd, ["'square'"], False),
    ("cyclic base_lr count", lambda L, o: L.CyclicLR(o, [0.1], 0.2), sgd, ["base_lr"], False),
    ("cyclic no momentum", lambda L, o: L.CyclicLR(o, 0.1, 0.2), adagrad, ["momentum"], False),
    ("sgdr T_0 0", lambda L, o: L.CosineAnnealingWarmRestarts(o, 0), sgd, ["T_0"], False),
    ("sgdr T_0 float", lambda L, o: L.CosineAnnealingWarmRestarts(o, 2.5), sgd, ["T_0"], False),
    ("sgdr T_mult 0", lambda L, o: L.CosineAnnealingWarmRestarts(o, 5, 0), sgd, ["T_mult"], False),
    (
        "sgdr T_mult float",
        lambda L, o: L.CosineAnnealingWarmRestarts(o, 5, 1.5),
        sgd,
        ["T_mult"],
        False,
    ),
    (
        "sgdr eta_min str",
        lambda L, o: L.CosineAnnealingWarmRestarts(o, 5, 1, "0"),
        sgd,
        ["eta_min"],
        False,
    ),
    ("onecycle total 0", lambda L, o: L.OneCycleLR(o, 0.1, 0), sgd, ["total_steps"], False),
    ("onecycle no length", lambda L, o: L.OneCycleLR(o, 0.1), sgd, ["total_steps"], False),
    (
        "onecycle epochs 0",
        lambda L, o: L.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=3),
        sgd,
        ["epochs"],
        False,
    ),
    (
        "onecycle pct int",
        lambda L, o: L.OneCycleLR(o, 0.1, 10, pct_start=1),
        sgd,
        ["pct_start"],
        False,
    ),
    (
        "onecycle pct > 1",
        lambda L, o: L.OneCycleLR(o, 0.1, 10, pct_start=1.5),
        sgd,
        ["pct_start"],
        False,
    ),
    (
        "onecycle anneal",
        lambda L, o: L.OneCycleLR(o, 0.1, 10, anneal_strategy="exp"),
        sgd,
        ["'exp'"],
        False,
    ),
    (
        "onecycle max_lr count",
        lambda L, o: L.OneCycleLR(o, [0.1, 0.2, 0.3], 10),
        sgd,
        ["max_lr"],
        False,
    ),
    ("onecycle no momentum", lambda L, o: L.OneCycleLR(o, 0.1, 10), adagrad, ["momentum"], False),
    (
        "onecycle empty rise",
        lambda L, o: L.OneCycleLR(o, 0.1, 10, pct_start=0.1),
        sgd,
        ["pct_start"],
        False,
    ),
    (
        "onecycle div 0",
        lambda L, o: L.OneCycleLR(o, 0.1, 10, div_factor=0.0),
        sgd,
        ["div_factor"],
        False,
    ),
    ("swa strategy", lambda L, o: L.SWALR(o, 0.1, anneal_strategy="exp"), sgd, ["'exp'"], False),
    ("swa epochs < 0", lambda L, o: L.SWALR(o, 0.1, -1), sgd, ["anneal_epochs"], False),
    ("swa epochs float", lambda L, o: L.SWALR(o, 0.1, 2.5), sgd, ["anneal_epochs"], False),
    ("swa lr count", lambda L, o: L.SWALR(o, [0.1, 0.2, 0.3]), sgd, ["swa_lr"], False),
    ("plateau factor", lambda L, o: L.ReduceLROnPlateau(o, factor=1.0), sgd, ["factor"], False),
    ("plateau mode", lambda L, o: L.ReduceLROnPlateau(o, mode="up"), sgd, ["'up'"], False),
    (
        "plateau threshold mode",
        lambda L, o: L.ReduceLROnPlateau(o, threshold_mode="x"),
        sgd,
        ["'x'"],
        False,
    ),
    (
        "plateau min_lr count",
        lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1]),
        sgd,
        ["min_lrs"],
        False,
    ),
    (
        "plateau not an optimizer",
        lambda L, o: L.ReduceLROnPlateau([]),
        sgd,
        ["not an Optimizer"],
        False,
    ),
    (
        "resume without initial_lr",
        lambda L, o: L.StepLR(o, 3, last_epoch=5),
        sgd,
        ["initial_lr"],
        False,
    ),
    ("sequential empty", lambda L, o: L.SequentialLR(o, [], []), sgd, ["at least one"], False),
    (
        "sequential milestones",
        lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2)], [3]),
        sgd,
        ["milestone"],
        False,
    ),
    (
        "sequential other optimizer",
        lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.StepLR(sgd(), 2)], [3]),
        sgd,
        ["same optimizer"],
        False,
    ),
    (
        "sequential plateau",
        lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.ReduceLROnPlateau(o)], [3]),
        sgd,
        ["ReduceLROnPlateau"],
        False,
    ),
    (
        "sequential not a scheduler",
        lambda L, o: L.SequentialLR(o, [3], []),
        sgd,
        ["optimizer"],
        False,
    ),
    ("chained empty", lambda L, o: L.ChainedScheduler([]), sgd, ["at least one"], False),
    (
        "chained other optimizer",
        lambda L, o: L.ChainedScheduler([L.StepLR(o, 2), L.StepLR(sgd(), 2)]),
        sgd,
        ["same optimizer"],
        False,
    ),
    # torch fails while stepping; so does lrjit, with the same type
    (
        "onecycle past total_steps",
        lambda L, o: L.OneCycleLR(o, 0.1, 4),
        sgd,
        ["Tried to step 5 times"],
        True,
    ),
    (
        "onecycle empty fall",
        lambda L, o: L.OneCycleLR(o, 0.1, 4, pct_start=1.0),
        sgd,
        ["zero length"],
        True,
    ),
    (
        "sgdr negative epoch",
        lambda L, o: L.CosineAnnealingWarmRestarts(o, 5),
        sgd,
        ["non-negative epoch"],
        True,
    ),
]


def drive(s):
    """What the torch side runs: a few steps, then step(epoch) (a negative one for SGDR)."""
    if isinstance(s, (torch_sched.ReduceLROnPlateau, lrjit_sched.ReduceLROnPlateau)):
        s.step(1.0)
        return
    for _ in range(6):
        s.step()
    if hasattr(s, "T_0"):
        s.step(-1)
    elif not hasattr(s, "_schedulers"):
        s.step(2)


def torch_error(build, make_opt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            drive(build(TORCH, make_opt()))
        except Exception as error:  # noqa: BLE001 - any type torch raises is the oracle
            return type(error)
    pytest.fail("torch accepted this input; the case is not bad input")


@pytest.mark.parametrize("case, build, make_opt, words, late", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_torchs_type(case, build, make_opt, words, late):
    expected = torch_error(build, make_opt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(expected) as info:
            s = build(LRJIT, make_opt())
            assert late, f"{case}: lrjit accepted it at construction; torch raises {expected}"
            drive(s)
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    if isinstance(info.value, ZeroDivisionError) and not late:
        # refused at construction: also a ValueError, as every lrjit bad-input error
        assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "build",
    [
        lambda o, **kw: LRJIT.StepLR(o, 3, gamma=-0.5, **kw),
        lambda o, **kw: LRJIT.ExponentialLR(o, math.nan, **kw),
        lambda o, **kw: LRJIT.CosineAnnealingLR(o, 10, eta_min=-1.0, **kw),
        lambda o, **kw: LRJIT.CyclicLR(o, -0.1, 0.2, **kw),
        lambda o, **kw: LRJIT.MultiStepLR(o, [1, 2.5], **kw),
        lambda o, **kw: LRJIT.StepLR(o, 3, precompute=0),
        lambda o, **kw: LRJIT.StepLR(o, 3, precompute=2.5),
        lambda o, **kw: LRJIT.LambdaLR(o, lambda e: 1.0, precompute=10),
        lambda o, **kw: LRJIT.CyclicLR(o, 0.1, 0.2, scale_fn=lambda x: 1.0, precompute=10),
        lambda o, **kw: LRJIT.StepLR(SimpleNamespace(param_groups=[{"lr": -0.1}]), 3),
        lambda o, **kw: LRJIT.StepLR(SimpleNamespace(param_groups=[{"rate": 0.1}]), 3),
    ],
)
def test_lrjit_refuses_what_would_give_nonsense(build):
    with pytest.raises((ValueError, TypeError)):
        build(sgd())


# -- warnings


@pytest.fixture
def fresh_warnings():
    # lrjit keeps no record of its own: the standard filters decide, as for torch
    with warnings.catch_warnings():
        yield


def step_order_warnings(record):
    return [w for w in record if issubclass(w.category, lrjit_sched.StepOrderWarning)]


def test_step_before_optimizer_step_warns_for_each_scheduler_like_torch(fresh_warnings):
    counts = {}
    for name, lib in (("torch", TORCH), ("lrjit", LRJIT)):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            for _ in range(3):
                opt = sgd()
                s = lib.StepLR(opt, 3)
                s.step()  # before opt.step(): torch warns here
                s.step()
        found = [w for w in record if "before `optimizer.step()`" in str(w.message)]
        counts[name] = len(found)
        assert all(issubclass(w.category, UserWarning) for w in found)
    assert counts["lrjit"] == counts["torch"] == 3
    assert all(issubclass(w.category, lrjit_sched.StepOrderWarning) for w in found)


def test_step_order_warning_follows_the_default_filters(fresh_warnings):
    # no once-per-process record: after one warning, a later one still comes through
    # whenever the filters let it (here "always"; torch's test suite relies on it)
    for _ in range(2):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            s = LRJIT.StepLR(sgd(), 3)
            s.step()
        assert len(step_order_warnings(record)) == 1


def test_step_order_warning_can_be_turned_off(fresh_warnings):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=lrjit_sched.StepOrderWarning)
        s = LRJIT.StepLR(sgd(), 3)
        s.step()
    assert not step_order_warnings(record)


def test_no_warning_in_the_right_order(fresh_warnings):
    opt = sgd()
    s = LRJIT.CosineAnnealingLR(opt, 10, precompute=5)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(20):
            opt.step()
            s.step()
    assert not record


def test_overridden_optimizer_step_warns(fresh_warnings):
    opt = sgd()
    s = LRJIT.StepLR(opt, 3)
    opt.step = lambda: None  # replaced after the scheduler wrapped it
    with pytest.warns(lrjit_sched.StepOrderWarning, match="overridden"):
        s.step()


def test_torch_and_lrjit_share_the_optimizer_patch(fresh_warnings):
    opt = sgd()
    t = torch_sched.StepLR(opt, 3)
    s = LRJIT.StepLR(opt, 3)  # sees torch's wrapper, does not wrap twice
    assert getattr(opt.step, "_wrapped_by_lr_sched", False)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        opt.step()
        t.step()
        s.step()
    assert not record


def test_step_epoch_and_get_lr_warn_as_torch():
    for lib in (TORCH, LRJIT):
        opt = sgd()
        s = lib.StepLR(opt, 3)
        opt.step()
        with pytest.warns(UserWarning) as record:
            s.step(4)
        assert str(record[0].message) == torch_sched.EPOCH_DEPRECATION_WARNING
        with pytest.warns(UserWarning, match="get_last_lr"):
            s.get_lr()
        opt = sgd()
        r = lib.CosineAnnealingWarmRestarts(opt, 5)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            r.step(2.5)  # torch's SGDR takes float epochs without a warning


# -- optimizers: duck typing, tensors


def test_any_object_with_param_groups_is_an_optimizer():
    lrs = (0.1, 0.05)
    for make, precompute in [
        (lambda L, o, **kw: L.CosineAnnealingLR(o, 30, 0.001, **kw), 16),
        (lambda L, o, **kw: L.OneCycleLR(o, 0.1, 200, **kw), None),
        (lambda L, o, **kw: L.CyclicLR(o, 0.01, 0.1, 7, **kw), 16),
    ]:
        duck = SimpleNamespace(param_groups=[{"lr": lr, "momentum": 0.9} for lr in lrs])
        opt = sgd(lrs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = make(TORCH, opt)
            s = make(LRJIT, duck, precompute=precompute)
            for _ in range(200):
                t.step()
                s.step()
                assert t.get_last_lr() == s.get_last_lr() == [g["lr"] for g in duck.param_groups]
                assert [g["momentum"] for g in opt.param_groups] == [
                    g["momentum"] for g in duck.param_groups
                ]


def test_lrjit_never_imports_torch(run_python):
    out = run_python(
        "import sys\n"
        "from lrjit.optim import lr_scheduler as L\n"
        "opt = type('Opt', (), {})()\n"
        "opt.param_groups = [{'lr': 0.1}, {'lr': 0.2}]\n"
        "s = L.OneCycleLR(opt, 0.1, 100, cycle_momentum=False, precompute=50)\n"
        "for _ in range(100): s.step()\n"
        "p = L.ReduceLROnPlateau(opt)\n"
        "p.step(1.0)\n"
        "print('torch' in sys.modules, s.get_last_lr())\n"
    )
    assert out.startswith("False [")


def test_import_compiles_nothing(run_python):
    out = run_python(
        "from lrjit.optim import _recurrences as R, _fills as F, lr_scheduler\n"
        "from lrjit import kernels\n"
        "ds = [R.chain_next, R.chain_fill, R.restarts_fill, F.cyclic_fill,\n"
        "      F.one_cycle_fill, kernels.one_cycle, kernels.cyclic, kernels.cosine_restarts]\n"
        "print(sum(len(d.signatures) for d in ds))\n"
    )
    assert out.strip() == "0"


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("precompute", [None, 32])
@pytest.mark.parametrize(
    "make",
    [
        lambda L, o, **kw: L.CosineAnnealingLR(o, 20, 0.001, **kw),
        lambda L, o, **kw: L.StepLR(o, 5, 0.5, **kw),
        lambda L, o, **kw: L.OneCycleLR(o, 0.1, 100, **kw),
        lambda L, o, **kw: L.CosineAnnealingWarmRestarts(o, 7, 2, **kw),
    ],
)
def test_tensor_lr_updated_in_place(make, precompute, dtype):
    def opt():
        p = torch.nn.Parameter(torch.zeros(1))
        return torch.optim.SGD([p], lr=torch.tensor(0.1, dtype=dtype), momentum=0.9)

    t_opt, o_opt = opt(), opt()
    lr_tensor = o_opt.param_groups[0]["lr"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = make(TORCH, t_opt)
        s = make(LRJIT, o_opt, **({} if precompute is None else {"precompute": precompute}))
        for _ in range(100):
            t.step()
            s.step()
            assert o_opt.param_groups[0]["lr"] is lr_tensor  # identity kept
            got, want = s.get_last_lr()[0], t.get_last_lr()[0]
            assert isinstance(got, torch.Tensor) and got is not lr_tensor  # a copy
            if dtype == torch.float64:
                assert got.item() == want.item()
            else:
                assert math.isclose(got.item(), want.item(), rel_tol=1e-6)


# -- table mode


def test_table_mode_reads_a_precomputed_table():
    opt = SimpleNamespace(param_groups=[{"lr": 0.1}])
    s = LRJIT.CosineAnnealingLR(opt, 100, precompute=1000)
    s.step()
    engine = s._lrjit
    table = engine.table
    assert table.shape == (1, 1000) and (engine.t0, engine.t1) == (1, 1001)
    before = table.copy()
    for _ in range(999):
        s.step()
    assert engine.table is table and np.array_equal(table, before)  # read, not recomputed
    assert s.get_last_lr() == [table[0, -1]]
    s.step()  # past the end: the next 1000 steps are computed
    assert (engine.t0, engine.t1) == (1001, 2001)


def test_chained_scheduler_children_in_table_mode_fall_back_per_step():
    opt_t, opt_o = sgd(), sgd()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = TORCH.ChainedScheduler([TORCH.ExponentialLR(opt_t, 0.99), TORCH.StepLR(opt_t, 3)])
        kids = [
            LRJIT.ExponentialLR(opt_o, 0.99, precompute=100),
            LRJIT.StepLR(opt_o, 3, precompute=100),
        ]
        s = LRJIT.ChainedScheduler(kids)
        for _ in range(300):
            t.step()
            s.step()
            assert t.get_last_lr() == s.get_last_lr()
    assert kids[0]._lrjit.credits == 0  # gave up rebuilding: per-step from then on


def test_reduce_on_plateau_api():
    opt = SimpleNamespace(param_groups=[{"lr": 1.0}, {"lr": 0.5}])
    s = LRJIT.ReduceLROnPlateau(opt, mode="max", patience=1, cooldown=2, factor=0.5)
    assert s.is_better(2.0, 1.0) and not s.is_better(1.0, 1.0) and s._is_better(3.0, 2.0)
    for m in [1.0, 1.0, 1.0]:
        s.step(m)
    assert s.get_last_lr() == [0.5, 0.25] and s.in_cooldown
    s._reset()
    assert s.best == -math.inf and s.num_bad_epochs == 0 and not s.in_cooldown
    with pytest.raises(TypeError):
        LRJIT.ReduceLROnPlateau(opt, precompute=10)


def test_custom_subclass_with_get_lr_works_like_torchs():
    class Halve:
        def get_lr(self):
            return [base * 0.5**self.last_epoch for base in self.base_lrs]

    TorchHalve = type("TorchHalve", (Halve, torch_sched.LRScheduler), {})
    LrjitHalve = type("LrjitHalve", (Halve, LRJIT.LRScheduler), {})
    opt_t, opt_o = sgd(), sgd()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, s = TorchHalve(opt_t), LrjitHalve(opt_o)
        for _ in range(10):
            t.step()
            s.step()
            assert t.get_last_lr() == s.get_last_lr()
    assert t.state_dict() == s.state_dict()


def test_momentum_and_betas_cycle_with_adam():
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1}]
    opt = torch.optim.Adam(groups, betas=(0.9, 0.98))
    s = LRJIT.OneCycleLR(opt, 0.1, 100, precompute=30)
    seen = set()
    for _ in range(100):
        s.step()
        beta1, beta2 = opt.param_groups[0]["betas"]
        seen.add(beta1)
        assert beta2 == 0.98 and 0.85 <= beta1 <= 0.95
    assert len(seen) > 50


def test_scheduler_table_bridge_agrees_with_kernel_loop():
    import numba

    from lrjit.kernels import lr_at

    @numba.njit
    def loop(kinds, params, starts, n):
        out = np.empty(n)
        for i in range(n):
            out[i] = lr_at(kinds, params, starts, float(i))
        return out

    opt = SimpleNamespace(param_groups=[{"lr": 0.2}, {"lr": 0.1}])
    s = LRJIT.OneCycleLR(opt, [0.2, 0.1], 500, cycle_momentum=False)
    for sched in s.schedules:
        assert np.array_equal(loop(*sched.program, 500), sched.table(500))
    assert s.schedule == s.schedules[0] == lrjit.one_cycle(0.2, 500)


@pytest.mark.parametrize("k0", [0.0, 1.0, 37.0, 2.5])
@pytest.mark.parametrize(
    "code, p",
    [
        ("STEP", (7.0, 0.5, 0.0, 2.0)),
        ("CONSTANT", (0.25, 9.0, 0.0, 2.0)),
        ("LINEAR", (0.1, 0.9, 30.0, 2.0)),
        ("EXPONENTIAL", (0.99, 0.0, 0.0, 2.0)),
        ("POLYNOMIAL", (40.0, 1.7, 0.0, 2.0)),
        ("COSINE", (33.0, 0.001, 0.2, 2.0)),
        ("COSINE", (7.5, 0.0, 0.2, 2.0)),
        ("SWA", (0.01, 17.0, 0.0, 0.0)),
    ],
)
def test_compiled_recursion_is_the_per_step_kernel_looped(code, p, k0):
    # chain_fill's shortcuts (a counter for StepLR, one cosine per step) change no bit
    from lrjit.optim import _recurrences as R

    c = getattr(R, "CHAIN_" + code)
    out = np.empty(500)
    R.chain_fill(c, 0.2, k0, *p, np.zeros(0), out)
    lr, want = 0.2, []
    for i in range(500):
        lr = R.chain_next(c, lr, k0 + i, *p)
        want.append(lr)
    assert out.tolist() == want


def test_deepcopy_and_pickle_make_independent_schedulers():
    import copy
    import pickle

    for clone in (copy.deepcopy, lambda s: pickle.loads(pickle.dumps(s))):
        opt = SimpleNamespace(param_groups=[{"lr": 0.1, "momentum": 0.9}])
        s = LRJIT.OneCycleLR(opt, 0.1, 300, precompute=100)
        for _ in range(50):
            s.step()
        twin = clone(s)
        assert twin.optimizer is not opt
        before = dict(opt.param_groups[0])
        for _ in range(100):
            twin.step()
        assert opt.param_groups[0] == before  # the original optimizer is untouched
        for _ in range(100):
            s.step()
        assert twin.get_last_lr() == s.get_last_lr()
        assert twin.optimizer.param_groups[0] == opt.param_groups[0]
