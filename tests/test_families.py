"""Each family against its record's reference formula (and torch 2.13 where it has one)."""

import inspect
import math

import pytest
from family_records import RECORDS, assert_cos_close, cos_turns, reference, steps_for, uses_cos

import lrjit

CASES = [(name, i) for name, rec in RECORDS.items() for i in range(len(rec.examples))]


def test_every_family_has_an_example_and_a_reference():
    for name in lrjit.FACTORIES:
        assert name in RECORDS, f"add a record for {name!r} to tests/family_records.py"
        assert RECORDS[name].examples, f"add examples to the record of {name!r}"
        assert callable(RECORDS[name].formula), f"add a reference formula to the record of {name!r}"


def test_reference_formulas_take_the_factory_arguments_and_defaults():
    # the benchmarks call formulas with some arguments left out: a default that
    # drifted from the factory's would compare against another schedule
    for name, rec in RECORDS.items():
        factory = inspect.signature(lrjit.FACTORIES[name]).parameters.values()
        formula = list(inspect.signature(rec.formula).parameters.values())[1:]
        want = [(p.name, p.default) for p in factory]
        assert [(p.name, p.default) for p in formula] == want, name


@pytest.mark.parametrize("name, i", CASES)
def test_example_matches_reference(name, i):
    s = lrjit.FACTORIES[name](**RECORDS[name].examples[i])
    steps = steps_for(s)
    if uses_cos(s):
        # cospi, not libm's cos (issue 13): a few ulps of the values' scale; a
        # periodic cosine's formula also rounds pi * t (turns)
        scale = max(abs(reference(s, t)) for t in steps)
        for t in steps:
            assert_cos_close(s(t), reference(s, t), f"{s!r} at {t}", scale, cos_turns(s, t))
        return
    for t in steps:
        want = reference(s, t)
        got = s(t)
        assert math.isclose(got, want, rel_tol=1e-15, abs_tol=1e-300), (repr(s), t, got, want)


def test_constant():
    s = lrjit.constant(0.1)
    assert [s(t) for t in (0, 0.5, 1e6, 2**53)] == [0.1] * 4


def test_linear_holds_init_before_and_end_after():
    s = lrjit.linear(0.2, 0.05, transition_steps=30, transition_begin=10)
    assert all(s(t) == 0.2 for t in (0, 3.5, 9.999, 10))
    assert all(s(t) == 0.05 for t in (40, 40.5, 1000))
    for t in (10.5, 11, 25, 39.75):
        want = 0.2 + (0.05 - 0.2) * ((t - 10) / 30)
        assert math.isclose(s(t), want, rel_tol=1e-15)
    assert lrjit.linear(0.0, 1.0, 4, transition_begin=2)(3.5) == 0.375  # fractional, exact in binary


def test_step_decay():
    s = lrjit.step_decay(1.0, step_size=10, gamma=0.5)
    assert [s(t) for t in (0, 9.999, 10, 25, 29.5, 30)] == [1.0, 1.0, 0.5, 0.25, 0.25, 0.125]
    s = lrjit.step_decay(0.3, step_size=4, gamma=0.9)
    for t in (0, 3, 4, 7.9, 8, 401.5):
        assert math.isclose(s(t), 0.3 * 0.9 ** math.floor(t / 4), rel_tol=1e-15)


def test_multistep_repeated_milestones_compound():
    s = lrjit.multistep(1.0, milestones=[10, 20, 20], gamma=0.5)
    assert [s(t) for t in (0, 9.5, 10, 19.99, 20, 1e6)] == [1.0, 1.0, 0.5, 0.5, 0.125, 0.125]


def test_multistep_milestone_zero_applies_at_step_zero():
    s = lrjit.multistep(1.0, milestones=[0, 0, 3], gamma=0.5)
    assert [s(0), s(2.5), s(3)] == [0.25, 0.25, 0.125]


def test_multistep_unsorted_milestones():
    s = lrjit.multistep(0.1, milestones=[30, 5, 12], gamma=0.3)
    assert s == lrjit.multistep(0.1, milestones=[5, 12, 30], gamma=0.3)
    for t in (0, 4.5, 5, 12, 29.9, 30, 31):
        passed = sum(m <= t for m in (30, 5, 12))
        assert math.isclose(s(t), 0.1 * 0.3**passed, rel_tol=1e-15)


def test_exponential_fractional_steps():
    assert lrjit.exponential(1.0, gamma=0.25)(0.5) == 0.5
    s = lrjit.exponential(0.1, gamma=0.99)
    for t in (0, 1, 10.3, 1000.75):
        assert math.isclose(s(t), 0.1 * 0.99**t, rel_tol=1e-15)


def test_exponential_kernel_reads_a_zero_transition_steps_as_one():
    # programs saved with torch's two columns hold 0 there; the kernel's bits are then torch's
    from lrjit.kernels import exponential
    for t in (0.0, 1.0, 7.5, 300.0):
        assert exponential(t, 0.1, 0.95, 0.0) == exponential(t, 0.1, 0.95, 1.0) == 0.1 * 0.95**t
    assert exponential(30.0, 0.1, 0.5, 0.25) == 0.1 * 0.5 ** (30.0 / 0.25)


def test_exponential_staircase_settles_at_the_start_of_a_stair():
    s = lrjit.exponential(0.1, 0.5, transition_steps=1000, transition_begin=2000,
                          staircase=True, end_value=0.005)
    # 0.1 * 0.5**4 = 0.00625 > 0.005 >= 0.1 * 0.5**5: the floor from the fifth stair on
    assert s.horizon == 2000 + 5 * 1000
    assert s(s.horizon) == 0.005 < s(s.horizon - 1) == 0.1 * 0.5**4


def test_polynomial_held_at_end_value():
    s = lrjit.polynomial(1.0, 0.1, power=2.0, transition_steps=100)
    assert s(0) == 1.0
    assert s(100) == s(100.5) == s(10**6) == 0.1
    assert math.isclose(s(50), 0.9 * 0.25 + 0.1, rel_tol=1e-15)
    assert math.isclose(s(12.5), 0.9 * (1 - 12.5 / 100) ** 2 + 0.1, rel_tol=1e-15)


def test_cosine_held_after_decay_steps():
    s = lrjit.cosine(1.0, decay_steps=100, end_value=0.1)
    assert s(0) == 1.0
    assert s(100) == s(150) == s(1e9) == 0.1
    assert math.isclose(s(50), 0.55, rel_tol=1e-15)


def test_cosine_periodic_goes_on():
    s = lrjit.cosine(1.0, decay_steps=100, end_value=0.1, periodic=True)
    assert s(100) == 0.1
    for t in (150, 175.5, 200, 250, 1234.5):
        want = 0.1 + 0.9 * (1 + math.cos(math.pi * t / 100)) / 2
        assert_cos_close(s(t), want, t, scale=1.0, turns=t / 100)  # cospi: issue 13
    assert s(200) == pytest.approx(1.0, rel=1e-15)


def test_warmup_cosine_decay_steps_counts_the_warmup():
    init, peak, end, warm, decay = 0.01, 1.0, 0.1, 10, 110
    s = lrjit.warmup_cosine(peak, warm, decay, init_value=init, end_value=end)
    assert s(0) == init and s(10) == peak
    assert s(110) == s(500) == end  # the whole schedule is decay_steps long
    # optax's warmup_cosine_decay_schedule, written in its own form
    for t in (0.5, 5, 9.75, 10, 33.3, 60, 109, 110, 140):
        if t < warm:
            want = init + (peak - init) * t / warm
        else:
            alpha = end / peak
            frac = 0.5 * (1 + math.cos(math.pi * min(t - warm, decay - warm) / (decay - warm)))
            want = peak * ((1 - alpha) * frac + alpha)
        assert math.isclose(s(t), want, rel_tol=1e-13), t


def test_warmup_cosine_without_warmup_is_cosine():
    s = lrjit.warmup_cosine(0.5, warmup_steps=0, decay_steps=40, end_value=0.05)
    c = lrjit.cosine(0.5, decay_steps=40, end_value=0.05)
    assert [s(t) for t in (0, 0.5, 20, 39.5, 40, 99)] == [c(t) for t in (0, 0.5, 20, 39.5, 40, 99)]


def test_join_pieces_run_on_local_steps():
    warm = lrjit.linear(0.0, 1.0, transition_steps=10)
    cos = lrjit.cosine(1.0, decay_steps=100, end_value=0.0)
    s = lrjit.join([warm, cos], boundaries=[10])
    for t in (0, 2.5, 9.99):
        assert s(t) == t / 10 or math.isclose(s(t), t / 10, rel_tol=1e-15)
    for u in (0, 0.5, 50, 99.5, 100, 300):
        assert s(10 + u) == (1 + math.cos(math.pi * min(u, 100) / 100)) / 2


def test_nested_join():
    inner = lrjit.join([lrjit.constant(1.0), lrjit.exponential(1.0, 0.5)], boundaries=[5])
    s = lrjit.join([inner, lrjit.step_decay(0.2, 4, gamma=0.5)], boundaries=[20])
    assert [s(t) for t in (0, 4.5)] == [1.0, 1.0]
    for t in (5, 6.5, 12, 19.5):
        assert s(t) == 0.5 ** (t - 5)
    for t in (20, 23.9, 24, 30.5):
        assert s(t) == 0.2 * 0.5 ** math.floor((t - 20) / 4)
    # the same join one level deeper, as a later piece
    outer = lrjit.join([lrjit.constant(7.0), s], boundaries=[3])
    assert [outer(t + 3) for t in (0, 6.5, 24)] == [s(0), s(6.5), s(24)]


def test_nested_join_cut_off_by_outer_boundary():
    inner = lrjit.join(
        [lrjit.constant(1.0), lrjit.constant(0.5), lrjit.constant(0.25)], boundaries=[5, 40]
    )
    tail = lrjit.multistep(0.2, milestones=[3, 6])
    s = lrjit.join([inner, tail], boundaries=[20])
    assert len(s.kinds) == 2 + 3  # the inner third piece is dropped, not just shadowed
    assert [s(t) for t in (0, 5, 19.5)] == [1.0, 0.5, 0.5]
    assert [s(t) for t in (20, 23, 26, 45)] == [tail(0), tail(3), tail(6), tail(25)]
    assert 0.25 not in set(s.table(100))


# -- torch 2.13's schedulers as an oracle (chainable forms: equal to ~1e-11)


def torch_lrs(make_scheduler, lr, n):
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make_scheduler(torch.optim.lr_scheduler, opt)
    out = []
    for _ in range(n):
        out.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return out


@pytest.mark.parametrize(
    "make_scheduler, schedule",
    [
        (lambda m, o: m.StepLR(o, step_size=7, gamma=0.3), lrjit.step_decay(0.1, 7, gamma=0.3)),
        (
            lambda m, o: m.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.5),
            lrjit.multistep(0.1, [12, 5, 30, 12], gamma=0.5),
        ),
        (lambda m, o: m.ExponentialLR(o, gamma=0.95), lrjit.exponential(0.1, 0.95)),
        (
            lambda m, o: m.CosineAnnealingLR(o, T_max=25, eta_min=0.01),
            lrjit.cosine(0.1, 25, end_value=0.01, periodic=True),
        ),
        (
            lambda m, o: m.PolynomialLR(o, total_iters=20, power=2.0),
            lrjit.polynomial(0.1, 0.0, 2.0, 20),
        ),
        (
            lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=10),
            lrjit.linear(0.025, 0.1, 10),
        ),
    ],
    ids=["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "PolynomialLR", "LinearLR"],
)
def test_matches_torch(make_scheduler, schedule):
    expected = torch_lrs(make_scheduler, 0.1, 80)
    for t, want in enumerate(expected):
        assert math.isclose(schedule(t), want, rel_tol=1e-10, abs_tol=1e-300), (t, want)
