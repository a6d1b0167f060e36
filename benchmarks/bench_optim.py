"""asv suites: lrjit.optim.lr_scheduler against torch 2.13's own schedulers, in one process.

``TimeStep``   ``scheduler.step()`` with a real ``torch.optim.SGD`` (momentum),
               1000 steps per call, for every torch-compatible class: torch's
               scheduler, lrjit per-step, lrjit table mode (``precompute``,
               where the class has one).  Goals: per-step <= 1x torch, table
               mode <= 0.5x torch.
``TimeTable``  a 10**6-step learning-rate sequence: lrjit's
               ``scheduler.schedule.table(10**6)`` and table-mode
               ``precompute=10**6`` (fill plus the first step), beside torch
               stepping 10**4 times (x100 gives torch's 10**6: stepping is
               linear in the steps).  Goal: >= 500x faster.

Compilation happens in ``setup`` (from Numba's disk cache when warm), never in
a timed call.  ``python -m benchmarks.bench_optim`` prints quick ratios
(indicative only on a busy machine).
"""

import sys
import time
import warnings
from functools import partial
from types import SimpleNamespace

import torch
from torch.optim import lr_scheduler as torch_sched
from torch.optim.swa_utils import SWALR as TorchSWALR

import lrjit
from lrjit.optim import lr_scheduler as lrjit_sched

TORCH = SimpleNamespace(
    **{n: getattr(torch_sched, n) for n in torch_sched.__all__}, SWALR=TorchSWALR
)

STEPS = 1000
BIG = 10**6
TORCH_STEPS = 10**4  # torch's 10**6 steps take ~100 x this


def _lambda(epoch):
    return 1.0 / (1.0 + 1e-4 * epoch)


def _factor(epoch):
    return 0.99999


def _lambda_for(L, kw):
    # table mode needs a Schedule (a compiled multiplier); per-step takes any callable
    return lrjit.exponential(1.0, 0.99999) if kw else _lambda


def _factor_for(L, kw):
    return lrjit.constant(0.99999) if kw else _factor


# name -> build(lib, optimizer, **mode); lengths large enough never to run out
SCHEDULERS = {
    "StepLR": lambda L, o, **kw: L.StepLR(o, 30, 0.9, **kw),
    "MultiStepLR": lambda L, o, **kw: L.MultiStepLR(o, [3000, 6000, 6000, 9000], 0.9, **kw),
    "ConstantLR": lambda L, o, **kw: L.ConstantLR(o, 0.5, 10**8, **kw),
    "LinearLR": lambda L, o, **kw: L.LinearLR(o, 0.5, 1.0, 10**8, **kw),
    "ExponentialLR": lambda L, o, **kw: L.ExponentialLR(o, 0.99999, **kw),
    "PolynomialLR": lambda L, o, **kw: L.PolynomialLR(o, 10**8, 2.0, **kw),
    "CosineAnnealingLR": lambda L, o, **kw: L.CosineAnnealingLR(o, 10**4, 1e-5, **kw),
    "SWALR": lambda L, o, **kw: L.SWALR(o, 0.01, 10**8, **kw),
    "LambdaLR": lambda L, o, **kw: L.LambdaLR(o, _lambda_for(L, kw), **kw),
    "MultiplicativeLR": lambda L, o, **kw: L.MultiplicativeLR(o, _factor_for(L, kw), **kw),
    "OneCycleLR": lambda L, o, **kw: L.OneCycleLR(o, 0.1, total_steps=10**8, **kw),
    "CyclicLR": lambda L, o, **kw: L.CyclicLR(o, 0.01, 0.1, 2000, **kw),
    "CosineAnnealingWarmRestarts": lambda L, o, **kw: L.CosineAnnealingWarmRestarts(
        o, 1000, 2, 1e-5, **kw
    ),
    "SequentialLR": lambda L, o, **kw: L.SequentialLR(
        o, [L.LinearLR(o, 0.5, 1.0, 100, **kw), L.ExponentialLR(o, 0.99999, **kw)], [100]
    ),
    "ChainedScheduler": lambda L, o, **kw: L.ChainedScheduler(
        [L.StepLR(o, 30, 0.9, **kw), L.ExponentialLR(o, 0.99999, **kw)]
    ),
    "ReduceLROnPlateau": lambda L, o, **kw: L.ReduceLROnPlateau(o, patience=10**8, **kw),
}
# no table mode: a metric drives ReduceLROnPlateau; ChainedScheduler has no precompute
# of its own, and its children's tables cannot hold (each rewrites the lr the other reads,
# so they fall back per step by design)
NO_TABLE = {"ReduceLROnPlateau", "ChainedScheduler"}
# the closed-form Schedule bridge (TimeTable)
BRIDGED = ["StepLR", "CosineAnnealingLR", "OneCycleLR", "CyclicLR", "CosineAnnealingWarmRestarts"]
IMPLS = ("torch", "lrjit", "lrjit_table")


def _optimizer():
    params = [torch.nn.Parameter(torch.zeros(10))]
    return torch.optim.SGD(params, lr=0.1, momentum=0.9)


def _scheduler(name, impl, opt, precompute=4096):
    build = SCHEDULERS[name]
    if impl == "torch":
        return build(TORCH, opt)
    if impl == "lrjit":
        return build(lrjit_sched, opt)
    if name in NO_TABLE:
        raise NotImplementedError(f"{name} has no table mode")
    return build(lrjit_sched, opt, precompute=precompute)


def _stepper(name, sched):
    if name == "ReduceLROnPlateau":
        return partial(sched.step, 1.0)
    return sched.step


class TimeStep:
    """1000 calls of ``scheduler.step()`` on a real SGD optimizer."""

    params = (list(SCHEDULERS), list(IMPLS))
    param_names = ["scheduler", "impl"]

    def setup(self, name, impl):
        warnings.simplefilter("ignore")
        self.opt = _optimizer()
        self.sched = _scheduler(name, impl, self.opt)
        self.step = _stepper(name, self.sched)
        self.opt.step()
        for _ in range(2 * STEPS):  # compile, fill the first table, settle
            self.step()

    def time_step(self, name, impl):
        step = self.step
        for _ in range(STEPS):
            step()


class TimeTable:
    """A 10**6-step learning-rate sequence; torch steps 10**4 times (x100 for 10**6)."""

    params = (BRIDGED,)
    param_names = ["scheduler"]
    timeout = 300

    def setup(self, name):
        warnings.simplefilter("ignore")
        self.schedule = _scheduler(name, "lrjit", _optimizer()).schedule
        self.schedule.table(16)  # compile
        s = _scheduler(name, "lrjit_table", _optimizer(), precompute=16)
        s.step()

    def time_schedule_table(self, name):
        self.schedule.table(BIG)

    def time_schedule_table_serial(self, name):
        self.schedule.table(BIG, parallel=False)

    def time_precompute(self, name):
        s = _scheduler(name, "lrjit_table", _optimizer(), precompute=BIG)
        s.step()  # fills the table

    def time_torch_10k_steps(self, name):
        s = _scheduler(name, "torch", _optimizer())
        for _ in range(TORCH_STEPS):
            s.step()


def _best(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(names=None, tables=True):
    """Quick indicative ratios, measured here and now (best of 7, impls interleaved)."""
    names = names or list(SCHEDULERS)
    print(
        f"step(): {STEPS} steps, real torch SGD; ratio = lrjit / torch "
        "(goals: per-step <= 1, table <= 0.5)"
    )
    for name in names:
        benches = {}
        for impl in IMPLS:
            if impl == "lrjit_table" and name in NO_TABLE:
                continue
            benches[impl] = TimeStep()
            benches[impl].setup(name, impl)
        times = {impl: float("inf") for impl in benches}
        for _ in range(7):  # interleaved, so a busy moment hits every impl alike
            for impl, bench in benches.items():
                t = _best(partial(bench.time_step, name, impl), 1) / STEPS
                times[impl] = min(times[impl], t)
        line = (
            f"  {name:28s} torch {times['torch'] * 1e6:6.2f} us  "
            f"lrjit {times['lrjit'] * 1e6:6.2f} us ({times['lrjit'] / times['torch']:.2f}x)"
        )
        if "lrjit_table" in times:
            line += (
                f"  table {times['lrjit_table'] * 1e6:6.2f} us "
                f"({times['lrjit_table'] / times['torch']:.2f}x)"
            )
        print(line, flush=True)
    if not tables:
        return
    print(f"10**6 steps; torch = {TORCH_STEPS} steps x 100; ratio = torch / lrjit (goal >= 500)")
    for name in BRIDGED:
        bench = TimeTable()
        bench.setup(name)
        torch_time = _best(partial(bench.time_torch_10k_steps, name), 3) * (BIG / TORCH_STEPS)
        table = _best(partial(bench.time_schedule_table, name))
        serial = _best(partial(bench.time_schedule_table_serial, name))
        pre = _best(partial(bench.time_precompute, name), 3)
        print(
            f"  {name:28s} torch {torch_time:6.2f} s  schedule.table {table * 1e3:6.2f} ms "
            f"({torch_time / table:5.0f}x)  serial {serial * 1e3:6.2f} ms "
            f"({torch_time / serial:5.0f}x)  precompute {pre * 1e3:6.1f} ms "
            f"({torch_time / pre:5.0f}x)"
        )


if __name__ == "__main__":
    # python -m benchmarks.bench_optim [--steps-only] [Name ...]
    args = sys.argv[1:]
    main([a for a in args if not a.startswith("-")], tables="--steps-only" not in args)
