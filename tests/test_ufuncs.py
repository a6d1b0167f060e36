"""lrjit.ufuncs: lazily built NumPy ufuncs of the tier-1 kernels that broadcast."""

import inspect
import json
import math
import textwrap

import numpy as np
import pytest
from family_records import RECORDS, record

import lrjit
from lrjit import ufuncs
from lrjit.families._registry import PROGRAM_OPTIONS as OPTIONS


def test_broadcast_sweep_over_base_lrs_equals_per_row_schedules():
    steps = np.concatenate([np.arange(0.0, 130.0), [0.5, 33.3, 99.75, 1e4]])
    base_lrs = np.array([1.0, 0.1, 3e-4, 0.0])
    grid = ufuncs.cosine(steps[None, :], base_lrs[:, None], 100, 0.001, 0)
    assert grid.shape == (4, steps.size) and grid.dtype == np.float64
    for row, lr in zip(grid, base_lrs):
        assert np.array_equal(row, lrjit.cosine(lr, 100, end_value=0.001)(steps))


def test_broadcast_over_several_parameters():
    steps = np.arange(0.0, 50.0, 0.5)
    decay = np.array([10, 25, 40])[:, None, None]
    periodic = np.array([0, 1])[None, :, None]
    grid = ufuncs.cosine(steps, 0.5, decay, 0.05, periodic)
    assert grid.shape == (3, 2, steps.size)
    for i, d in enumerate((10, 25, 40)):
        for j, p in enumerate((False, True)):
            want = lrjit.cosine(0.5, d, end_value=0.05, periodic=p)(steps)
            assert np.array_equal(grid[i, j], want)
    t = 30.0  # periodic differs past decay_steps, held does not
    want = 0.05 + 0.45 * (1 + math.cos(math.pi * t / 25)) / 2
    assert grid[1, 0, 60] == 0.05 and math.isclose(grid[1, 1, 60], want, rel_tol=1e-15)


@pytest.mark.parametrize("name", ufuncs.FAMILIES)
def test_every_listed_family_is_a_ufunc_of_its_kernel(name):
    u = getattr(ufuncs, name)
    kernel = getattr(lrjit.kernels, name)
    # the program options (libm_cos) are not inputs: a ufunc is the core's (issue 13)
    nargs = len([p for p in inspect.signature(kernel.py_func).parameters if p not in OPTIONS])
    # numba's vectorize gives a DUFunc wrapping a plain np.ufunc
    assert isinstance(getattr(u, "ufunc", u), np.ufunc) and (u.nin, u.nout) == (nargs, 1)
    assert getattr(ufuncs, name) is u  # built once
    s = lrjit.FACTORIES[name](**record(name).examples[0])
    assert len(s.kinds) == 1
    params = s.params[0, : nargs - 1]  # the kernel's arguments, as lr_at passes them
    steps = np.array([0.0, 0.5, 3.0, 17.25, 1e3], dtype=np.float32)  # inputs are cast up
    out = u(steps, *params)
    assert out.dtype == np.float64
    assert np.array_equal(out, s(steps.astype(np.float64)))


def test_every_scalar_kernel_has_a_ufunc():
    """A family whose kernel takes only numbers belongs in ufuncs.FAMILIES."""
    for name in lrjit.FACTORIES:
        if name not in RECORDS or not RECORDS[name].kernel:
            continue
        args = lrjit.FACTORIES[name](**RECORDS[name].examples[0]).args
        params = list(inspect.signature(getattr(lrjit.kernels, name).py_func).parameters)[1:]
        if all(not isinstance(args.get(p), tuple) for p in params):
            assert name in ufuncs.FAMILIES, f"add {name!r} to lrjit.ufuncs.FAMILIES"


@pytest.mark.parametrize("name", ["join", "multistep", "nope", "__wrapped__"])
def test_unknown_names_raise_attribute_error(name):
    with pytest.raises(AttributeError, match=name):
        getattr(ufuncs, name)
    assert not hasattr(ufuncs, name)


def test_dir_lists_the_families():
    assert set(ufuncs.FAMILIES) <= set(dir(ufuncs))
    assert set(ufuncs.__all__) == set(ufuncs.FAMILIES)


def test_built_lazily(run_python):
    out = run_python(textwrap.dedent("""
        import json
        import lrjit
        from lrjit import ufuncs
        before = [n for n in ufuncs.FAMILIES if n in vars(ufuncs)]
        from lrjit.ufuncs import cosine
        after = [n for n in ufuncs.FAMILIES if n in vars(ufuncs)]
        value = float(cosine(50.0, 1.0, 100, 0, 0))
        print(json.dumps(dict(before=before, after=after, value=value)))
    """))
    result = json.loads(out)
    assert result == {"before": [], "after": ["cosine"], "value": 0.5}
