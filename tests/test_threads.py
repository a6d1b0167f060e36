"""Parallel fills from many Python threads, on Numba's workqueue threading layer.

workqueue (what users get with neither OpenMP nor TBB) aborts the whole
process when two Python threads enter parallel regions at once, so each
check runs in a fresh interpreter with the layer forced.
"""

import pytest

CHILD = """
import threading
import numpy as np
import numba
import lrjit

s = lrjit.warmup_cosine(0.1, warmup_steps=100, decay_steps=50_000)
cfgs = [lrjit.cosine(0.1 * (k + 1), decay_steps=1000 + k) for k in range(4)]
n = 50_000
expected = s(np.arange(n, dtype=np.float64))
expected_sweep = np.array([c(np.arange(n, dtype=np.float64)) for c in cfgs])
errors = []
barrier = threading.Barrier(8)

def work():
    try:
        barrier.wait()
        for _ in range(30):
            if not np.array_equal(s.table(n), expected):
                errors.append("table")
            got = lrjit.sweep(cfgs, n, target="parallel")
            if not np.array_equal(got, expected_sweep):
                errors.append("sweep")
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(numba.threading_layer(), len(errors), errors[:3])
"""


@pytest.mark.parametrize("layer", ["workqueue"])
def test_parallel_fills_from_eight_threads(run_python, layer):
    out = run_python(CHILD, env={"NUMBA_THREADING_LAYER": layer, "NUMBA_NUM_THREADS": "2"})
    assert out.split() == [layer, "0", "[]"], out


def test_single_thread_still_fills_in_parallel():
    # The lock is only taken under workqueue (or before a layer is chosen), and
    # one thread always gets the region: the parallel driver runs.
    import lrjit
    from lrjit import tables

    calls = []

    def parallel(*args):
        calls.append("parallel")
        tables.fill_parallel(*args)

    def serial(*args):
        calls.append("serial")
        tables.fill_serial(*args)

    s = lrjit.cosine(1.0, decay_steps=10)
    out = __import__("numpy").empty(12)
    tables.run_parallel(parallel, serial, *s.program, out)
    assert calls == ["parallel"]
    assert list(out) == [s(t) for t in range(12)]


def test_busy_region_falls_back_to_serial(monkeypatch):
    import numpy as np

    import lrjit
    from lrjit import tables

    monkeypatch.setattr(tables, "_shareable", False)  # as under workqueue
    s = lrjit.cosine(1.0, decay_steps=10)
    out = np.empty(12)
    calls = []
    with tables._REGION:  # another thread is inside a parallel region
        tables.run_parallel(
            lambda *a: calls.append("parallel"),
            lambda *a: (calls.append("serial"), tables.fill_serial(*a)),
            *s.program,
            out,
        )
    assert calls == ["serial"]
    assert list(out) == [s(t) for t in range(12)]
