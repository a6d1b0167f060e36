"""asv suites: CPU sweeps of 10**3 configurations x 10**5 steps, against NumPy broadcasting.

The NumPy baseline is the shared reference formula of each family
(its record's ``formula`` in ``tests/family_records.py``) broadcast over a ``(C, 1)`` column of
parameters and a ``(1, N)`` row of steps: what a NumPy user writes.  The
compiled side runs :func:`lrjit.sweeps.fill_serial` / ``fill_parallel`` over
the stacked program of the same configurations, into a fresh array (as NumPy
gets) or into a reused buffer.  Compilation and validation happen in
``setup``; :class:`TimeSweepCall` times the whole ``lrjit.sweep`` call,
validation of every configuration included.

Quick indicative ratios without asv: ``python -m benchmarks.bench_sweeps``.
"""

import numpy as np

import lrjit
from lrjit import sweeps

from family_records import RECORDS

CONFIGS = 10**3
STEPS = 10**5
FAMILIES = ("linear", "step_decay", "cosine")
HOWS = ("serial", "parallel", "numpy")


def family_params(family, configs=CONFIGS, steps=STEPS, seed=0):
    """Per-configuration factory arguments: random base values and horizons ``~steps``."""
    rng = np.random.default_rng(seed)
    init = rng.uniform(0.01, 0.1, configs)
    horizon = rng.integers(max(steps // 2, 1), steps + 1, configs)
    if family == "linear":
        return dict(init_value=init, end_value=1e-4, transition_steps=horizon)
    if family == "step_decay":
        return dict(init_value=init, step_size=np.maximum(horizon // 10, 1), gamma=0.5)
    return dict(init_value=init, decay_steps=horizon, end_value=1e-4)


def mixed_schedules(configs=CONFIGS, steps=STEPS, seed=0):
    """A heterogeneous list: five kinds and compositions, 1 to 4 pieces each."""
    rng = np.random.default_rng(seed)
    out = []
    for c in range(configs):
        lr = float(rng.uniform(0.01, 0.1))
        h = int(rng.integers(max(steps // 2, 2), steps + 2))
        w = max(h // 20, 1)
        kind = c % 5
        if kind == 0:
            out.append(lrjit.warmup_cosine(lr, warmup_steps=w, decay_steps=h, end_value=1e-4))
        elif kind == 1:
            warm = lrjit.linear(0.0, lr, transition_steps=w)
            out.append(lrjit.join([warm, lrjit.cosine(lr, decay_steps=h - w)], boundaries=[w]))
        elif kind == 2:
            out.append(lrjit.multistep(lr, milestones=[h // 4, h // 2, 3 * h // 4], gamma=0.3))
        elif kind == 3:
            out.append(lrjit.exponential(lr, gamma=0.01 ** (1.0 / h)))
        else:
            out.append(lrjit.polynomial(lr, 1e-4, power=2.0, transition_steps=h))
    return out


def numpy_sweep(family, params, steps):
    """NumPy broadcasting of the reference formula: a ``(C, N)`` table."""
    columns = {k: (np.asarray(v)[:, None] if np.ndim(v) else v) for k, v in params.items()}
    return RECORDS[family].formula(steps[None, :], **columns)


def _fill(how):
    return sweeps.fill_parallel if how == "parallel" else sweeps.fill_serial


class TimeSweep:
    """One family, 10**3 configurations x 10**5 steps, float64, into a fresh array."""

    params = (FAMILIES, HOWS)
    param_names = ["family", "how"]
    timeout = 600
    number = 1
    repeat = 3

    def setup(self, family, how):
        self.params_ = family_params(family)
        self.steps = np.arange(STEPS, dtype=np.float64)
        if how == "numpy":
            numpy_sweep(family, self.params_, self.steps[:8])
            return
        self.program = sweeps.stack(sweeps.grid(family, **self.params_).ravel())
        _fill(how)(*self.program, self.steps[:8], np.empty((CONFIGS, 8)))  # compile

    def time_sweep(self, family, how):
        if how == "numpy":
            numpy_sweep(family, self.params_, self.steps)
        else:
            _fill(how)(*self.program, self.steps, np.empty((CONFIGS, STEPS)))


class TimeSweepInto:
    """The compiled sweep into a reused (already touched) buffer: no page faults timed."""

    params = (FAMILIES + ("mixed",), ["serial", "parallel"], ["float64", "float32"])
    param_names = ["family", "how", "dtype"]
    timeout = 600
    number = 1
    repeat = 3

    def setup(self, family, how, dtype):
        if family == "mixed":
            schedules = mixed_schedules()
        else:
            schedules = sweeps.grid(family, **family_params(family)).ravel()
        self.program = sweeps.stack(schedules)
        self.steps = np.arange(STEPS, dtype=np.float64)
        self.out = np.ones((CONFIGS, STEPS), dtype=dtype)
        _fill(how)(*self.program, self.steps[:8], self.out[:, :8])  # compile

    def time_sweep_into(self, family, how, dtype):
        _fill(how)(*self.program, self.steps, self.out)


class TimeSweepCall:
    """``lrjit.sweep(family, 10**5, target='parallel', **arrays)``: validation of every
    configuration by its factory, stacking and the fill, into a fresh array."""

    params = (FAMILIES,)
    param_names = ["family"]
    timeout = 600
    number = 1
    repeat = 3

    def setup(self, family):
        self.params_ = family_params(family)
        lrjit.sweep(family, 8, target="parallel", **self.params_)  # compile

    def time_sweep_call(self, family):
        lrjit.sweep(family, STEPS, target="parallel", **self.params_)


class PeakmemSweep:
    """Peak memory of the cosine sweep: one output array against NumPy's temporaries."""

    params = (HOWS,)
    param_names = ["how"]
    timeout = 600

    def setup(self, how):
        TimeSweep.setup(self, "cosine", how)

    def peakmem_sweep(self, how):
        TimeSweep.time_sweep(self, "cosine", how)


def _quick(repeat=3):
    """Indicative ratios from one process (best of ``repeat``), for a noisy shared machine."""
    import time

    def best(bench, *args):
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            bench.time_sweep(*args)
            times.append(time.perf_counter() - start)
        return min(times)

    print(f"{CONFIGS} configs x {STEPS} steps, float64, fresh output; best of {repeat}")
    for family in FAMILIES:
        seconds = {}
        for how in HOWS:
            bench = TimeSweep()
            bench.setup(family, how)
            seconds[how] = best(bench, family, how)
        line = "  ".join(f"{h} {s:.3f} s" for h, s in seconds.items())
        ratio = seconds["numpy"] / seconds["parallel"]
        print(f"{family:11s} {line}  numpy/parallel {ratio:.2f}x")


if __name__ == "__main__":
    _quick()
