"""In-loop use: a user's own @njit SGD loop calling a kernel or lr_at, against a Python loop."""

import re
import sys

import numba
import numpy as np
import pytest

import lrjit
from lrjit.kernels import cosine, lr_at

EPOCHS = 8  # 512 steps


@pytest.fixture(scope="module")
def problem():
    """A small least-squares problem: y = X w + noise."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4))
    w_true = np.array([1.5, -2.0, 0.5, 3.0])
    y = X @ w_true + 0.01 * rng.normal(size=64)
    return X, y, w_true


@numba.njit
def sgd_with_kernel(X, y, epochs, init_value, decay_steps, end_value):
    n, d = X.shape
    w = np.zeros(d)
    t = 0
    for _ in range(epochs):
        for i in range(n):
            lr = cosine(float(t), init_value, decay_steps, end_value, 0)
            err = -y[i]
            for j in range(d):
                err += X[i, j] * w[j]
            for j in range(d):
                w[j] -= lr * err * X[i, j]
            t += 1
    return w


@numba.njit
def sgd_with_lr_at(X, y, epochs, kinds, params, starts):
    n, d = X.shape
    w = np.zeros(d)
    t = 0
    for _ in range(epochs):
        for i in range(n):
            lr = lr_at(kinds, params, starts, float(t))
            err = -y[i]
            for j in range(d):
                err += X[i, j] * w[j]
            for j in range(d):
                w[j] -= lr * err * X[i, j]
            t += 1
    return w


def sgd_python(X, y, epochs, schedule):
    """The same loop in plain Python, asking the schedule object for each step's lr."""
    X, y = X.tolist(), y.tolist()
    w = [0.0] * len(X[0])
    t = 0
    for _ in range(epochs):
        for xi, yi in zip(X, y):
            lr = schedule(t)
            err = -yi
            for j in range(len(w)):
                err += xi[j] * w[j]
            for j in range(len(w)):
                w[j] -= lr * err * xi[j]
            t += 1
    return np.array(w)


SCHEDULES = [
    lrjit.cosine(0.05, decay_steps=500, end_value=0.001),
    lrjit.join([lrjit.linear(0.0, 0.05, 20), lrjit.step_decay(0.05, 150, gamma=0.5)], [20]),
    lrjit.warmup_cosine(0.05, warmup_steps=10, decay_steps=400),
    lrjit.multistep(0.05, [200, 400, 400]),
    lrjit.join(
        [lrjit.join([lrjit.constant(0.02), lrjit.exponential(0.05, 0.995)], [10]),
         lrjit.polynomial(0.02, 0.0, 2.0, 200)],
        [300],
    ),
]


def test_kernel_in_user_loop_matches_python_loop(problem):
    X, y, w_true = problem
    for init, decay, end in [(0.05, 500, 0.001), (0.03, 400, 0.0)]:
        got = sgd_with_kernel(X, y, EPOCHS, init, float(decay), end)
        want = sgd_python(X, y, EPOCHS, lrjit.cosine(init, decay, end_value=end))
        assert np.array_equal(got, want), (got, want)
        assert np.allclose(got, w_true, atol=0.05)  # it did train
    # new parameters are new arguments, not a new compilation
    assert len(sgd_with_kernel.signatures) == 1


def test_lr_at_in_user_loop_matches_python_loop_without_recompiling(problem):
    X, y, w_true = problem
    results = []
    for s in SCHEDULES:
        got = sgd_with_lr_at(X, y, EPOCHS, s.kinds, s.params, s.starts)
        want = sgd_python(X, y, EPOCHS, s)
        assert np.array_equal(got, want), (repr(s), got, want)
        results.append(got)
    assert np.allclose(results[0], w_true, atol=0.05)
    assert len({r.tobytes() for r in results}) == len(SCHEDULES)  # the schedule mattered
    assert len(sgd_with_lr_at.signatures) == 1, sgd_with_lr_at.signatures


@numba.njit
def sum_lr_at(n, kinds, params, starts):
    acc = 0.0
    for i in range(n):
        acc += lr_at(kinds, params, starts, float(i))
    return acc


def test_lr_at_takes_no_reference_count_inside_a_user_loop():
    # Each NRT_incref/NRT_decref left in the loop is an atomic operation per
    # step (a join's lr_at ran 2.5x its inlined formula).  What may remain is
    # the loop function's own hold on its three array arguments, once per call.
    join = lrjit.join([lrjit.linear(0.0, 1.0, 10), lrjit.cosine(1.0, 90)], boundaries=[10])
    product = lrjit.multiply(lrjit.cosine(1.0, decay_steps=100), lrjit.linear(1.0, 0.5, 100))
    for s in (join, product):
        assert sum_lr_at(100, *s.program) == sum(s(t) for t in range(100))
    (signature,) = sum_lr_at.signatures
    module = sum_lr_at.inspect_llvm(signature)
    loop = next(
        f for f in module.split("\ndefine ")[1:]
        if re.search(r"@\S*sum_lr_at", f.split("\n")[0]) and "cpython" not in f.split("\n")[0]
    )
    assert loop.count("@NRT_incref(") <= 3, "lr_at's arrays are reference-counted in the loop"


def test_borrowed_views_read_the_data_and_leave_reference_counts_alone():
    from lrjit._jit import borrowed

    @numba.njit
    def through_views(a, n):
        total = 0.0
        for _ in range(n):
            view = borrowed(a)
            total += view[view.shape[0] - 1] + view.sum()
        return total

    a = np.arange(5.0)
    before = sys.getrefcount(a)
    assert through_views(a, 1000) == 1000 * (4.0 + 10.0)
    assert sys.getrefcount(a) == before
