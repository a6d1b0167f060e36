"""One value, every path: bitwise equality of every CPU route to a schedule's value.

Registry-driven: every family in ``lrjit.FACTORIES`` is evaluated through its
examples in its record in ``family_records``.
"""

import inspect

import numba
import numpy as np
import pytest
from family_records import RECORDS, record, steps_for

import lrjit
from lrjit.kernels import lr_at

CASES = [(name, i) for name, rec in RECORDS.items() for i in range(len(rec.examples))]


def assert_bitwise(got, want, steps, what):
    got = np.asarray(got, dtype=want.dtype)
    assert got.shape == want.shape, what
    diff = got.view(np.uint64 if want.dtype == np.float64 else np.uint32) != want.view(
        np.uint64 if want.dtype == np.float64 else np.uint32
    )
    if diff.any():
        i = int(np.flatnonzero(diff)[0])
        pytest.fail(
            f"{what} differs at step {steps[i]!r}: {float(got[i]).hex()} != {float(want[i]).hex()}"
        )


def kernel_args(name, schedule):
    """The tier-1 kernel's parameters, taken by name from the factory's arguments."""
    kernel = getattr(lrjit.kernels, name)
    args = schedule.args
    out = []
    defaults = lrjit.families.REGISTRY[name].defaults
    for p in list(inspect.signature(kernel.py_func).parameters)[1:]:
        if p not in args and p in defaults:  # an optional parameter left at its default
            out.append(float(defaults[p]))
            continue
        assert p in args, (
            f"lrjit.kernels.{name} parameter {p!r} is not an argument of lrjit.{name}: "
            "name kernel parameters after the factory's"
        )
        v = args[p]
        if isinstance(v, str):  # a string option: the kernel takes its float code from the row
            v = schedule.params[0, len(out)]
        out.append(np.array(sorted(v), dtype=np.float64) if isinstance(v, tuple) else float(v))
    return tuple(out)


@numba.njit
def user_kernel_loop(kernel, steps, args):
    out = np.empty(steps.shape[0])
    for i in range(steps.shape[0]):
        out[i] = kernel(steps[i], *args)
    return out


@numba.njit
def user_lr_at_loop(kinds, params, starts, steps):
    out = np.empty(steps.shape[0])
    for i in range(steps.shape[0]):
        out[i] = lr_at(kinds, params, starts, steps[i])
    return out


@numba.njit
def user_cosine(step):
    # the documented way: a global kernel, parameters as arguments
    return lrjit.kernels.cosine(step, 0.1, 50.0, 0.01, 1)


def test_every_family_has_an_example():
    for name in lrjit.FACTORIES:
        assert record(name).examples, f"add examples to the record of {name!r}"


def test_every_family_has_a_kernel():
    for name in lrjit.FACTORIES:
        if record(name).kernel:
            kernel = getattr(lrjit.kernels, name, None)
            assert isinstance(kernel, numba.core.dispatcher.Dispatcher), (
                f"lrjit.kernels.{name} is missing; add the kernel or mark the record of "
                f"{name!r} in family_records kernel=False"
            )


@pytest.mark.parametrize("name, i", CASES)
def test_one_value_every_path(name, i):
    s = lrjit.FACTORIES[name](**RECORDS[name].examples[i])
    steps = np.array(steps_for(s))
    want = np.array([s(float(t)) for t in steps])
    assert all(type(s(float(t))) is float for t in steps[:3])

    ints = steps == np.floor(steps)
    assert_bitwise([s(int(t)) for t in steps[ints]], want[ints], steps[ints], "s(int)")
    assert_bitwise([s(np.float64(t)) for t in steps], want, steps, "s(np.float64)")
    assert_bitwise(s(steps), want, steps, "s(array)")
    assert_bitwise(s(steps.reshape(1, -1))[0], want, steps, "s(2-d array)")

    n = int(steps[ints].max()) + 1
    index = steps[ints].astype(np.int64)
    for parallel in (False, True):
        table = s.table(n, parallel=parallel)
        assert_bitwise(table[index], want[ints], steps[ints], f"table(parallel={parallel})")
        with np.errstate(over="ignore"):  # 1e300 is inf in float32
            want32 = table.astype(np.float32)
        if np.isfinite(want32).all():
            t32 = s.table(n, dtype=np.float32, parallel=parallel)
            assert_bitwise(t32, want32, np.arange(n), f"float32 table({parallel})")
        else:  # a float32 table would hold inf: refused (issue 12)
            with pytest.raises(ValueError, match="float32"):
                s.table(n, dtype=np.float32, parallel=parallel)
        out = np.full(n, np.nan)
        assert s.table(n, out=out, parallel=parallel) is out
        assert_bitwise(out, table, np.arange(n), "table(out=...)")

    assert_bitwise(user_lr_at_loop(*s.program, steps), want, steps, "lr_at from user njit")

    if not RECORDS[name].kernel:
        return
    args = kernel_args(name, s)
    assert_bitwise(user_kernel_loop(getattr(lrjit.kernels, name), steps, args), want, steps,
                   f"lrjit.kernels.{name} from user njit")
    if name in lrjit.ufuncs.FAMILIES:
        ufunc = getattr(lrjit.ufuncs, name)
        assert_bitwise(ufunc(steps, *args), want, steps, f"lrjit.ufuncs.{name}")


def test_global_kernel_in_user_njit():
    s = lrjit.cosine(0.1, decay_steps=50, end_value=0.01, periodic=True)
    for t in (0.0, 0.5, 25.0, 49.75, 50.0, 77.5, 100.0, 1e6 + 0.5):
        got, want = user_cosine(t), s(t)
        assert got == want and np.signbit(got) == np.signbit(want), t
