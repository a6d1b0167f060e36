"""Sweeps and ufuncs on Dask arrays chunked over configurations, on Dask's local schedulers."""

import math

import numpy as np
import pytest

import lrjit

da = pytest.importorskip("dask.array")

SCHEDULERS = ["synchronous", "threads"]


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_ufuncs_on_dask_arrays(scheduler):
    # The NumPy ufunc protocol: a Dask array in, a lazy Dask array out, same chunks.
    lrs = np.linspace(0.01, 0.1, 10)
    steps = np.arange(0.0, 120.0, 1.5)
    lazy_lrs = da.from_array(lrs, chunks=3)[:, None]
    lazy = lrjit.ufuncs.cosine(steps[None, :], lazy_lrs, 100.0, 0.001, 0.0)
    assert isinstance(lazy, da.Array) and lazy.chunks[0] == (3, 3, 3, 1)
    got = lazy.compute(scheduler=scheduler)
    assert np.array_equal(got, lrjit.ufuncs.cosine(steps[None, :], lrs[:, None], 100.0, 0.001, 0.0))
    want = [
        [0.001 + (lr - 0.001) * (1 + math.cos(math.pi * min(t, 100.0) / 100.0)) / 2 for t in steps]
        for lr in lrs
    ]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def test_ufunc_with_dask_steps_and_params():
    steps = da.arange(0.0, 50.0, chunks=20)
    gamma = da.from_array(np.array([0.5, 0.9]), chunks=1)[:, None]
    got = lrjit.ufuncs.step_decay(steps[None, :], 1.0, 10.0, gamma).compute(scheduler="threads")
    want = [[g ** math.floor(t / 10.0) for t in range(50)] for g in (0.5, 0.9)]
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@pytest.mark.parametrize("target", ["cpu", "parallel"])
def test_sweep_of_dask_parameters_is_lazy_and_blockwise(scheduler, target):
    rng = np.random.default_rng(3)
    lrs = rng.uniform(0.01, 0.1, 11)
    lengths = rng.integers(10, 60, 11)
    lazy = lrjit.sweep(
        "warmup_cosine",
        80,
        target=target,
        peak_value=da.from_array(lrs, chunks=4),
        warmup_steps=5,
        decay_steps=da.from_array(lengths, chunks=5),
        end_value=1e-4,
    )
    assert isinstance(lazy, da.Array)
    assert lazy.shape == (11, 80) and lazy.chunks[1] == (80,)
    assert len(lazy.chunks[0]) > 1  # chunked over configurations
    got = lazy.compute(scheduler=scheduler)
    want = lrjit.sweep(
        "warmup_cosine", 80, peak_value=lrs, warmup_steps=5, decay_steps=lengths, end_value=1e-4
    )
    assert np.array_equal(got, want)


def test_sweep_dask_column_broadcast_against_numpy_row():
    lrs = da.from_array(np.array([0.1, 0.2, 0.3]), chunks=2)[:, None]
    lengths = np.array([4, 8])
    lazy = lrjit.sweep("cosine", 10, init_value=lrs, decay_steps=lengths, dtype=np.float32)
    assert lazy.shape == (3, 2, 10) and lazy.dtype == np.float32
    got = lazy.compute(scheduler="synchronous")
    assert got.dtype == np.float32
    want = lrjit.sweep(
        "cosine", 10, init_value=[[0.1], [0.2], [0.3]], decay_steps=lengths, dtype=np.float32
    )
    assert np.array_equal(got, want)


def test_bad_configuration_names_its_global_index():
    lrs = np.full(9, 0.1)
    lrs[7] = -2.0
    lazy = lrjit.sweep("cosine", 4, init_value=da.from_array(lrs, chunks=3), decay_steps=4)
    with pytest.raises(ValueError, match=r"index 7: init_value must be .* got -2\.0"):
        lazy.compute(scheduler="synchronous")


def test_bad_family_fails_before_compute():
    with pytest.raises(ValueError, match="unknown schedule family 'cosin'"):
        lrjit.sweep("cosin", 4, init_value=da.ones(3, chunks=1), decay_steps=4)


def test_out_is_refused_with_dask():
    with pytest.raises(TypeError, match="out is not supported with Dask"):
        lrjit.sweep(
            "cosine", 4, init_value=da.ones(2, chunks=1), decay_steps=4, out=np.empty((2, 4))
        )
