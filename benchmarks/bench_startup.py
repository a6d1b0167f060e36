"""asv suites: start-up costs, each measured in a fresh Python process.

``timeraw_*`` benchmarks time their statement in a new interpreter (asv runs
it there), so nothing is imported or compiled beforehand:

* ``import numba`` and ``import lrjit`` side by side (their difference is the
  goal: lrjit costs <= 0.15 s over numba);
* the first ``s.table(1000)`` after ``import lrjit`` with a warm Numba cache
  (goal <= 0.3 s): ``setup`` fills the cache from this process first.

``track_import_overhead`` reports the difference itself, as the median over
interleaved fresh processes.
"""

import os
import statistics
import subprocess
import sys

TABLE_SETUP = "import lrjit; s = lrjit.cosine(0.1, decay_steps=1000)"


def fresh_seconds(setup, stmt):
    """Seconds ``stmt`` takes after ``setup`` in a new interpreter (startup not counted)."""
    code = (
        f"import time\n{setup}\nt0 = time.perf_counter()\n{stmt}\n"
        "print(repr(time.perf_counter() - t0))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=os.environ
    )
    return float(out.stdout.strip().splitlines()[-1])


def import_overhead(repeat=7):
    """Median ``import lrjit`` minus median ``import numba``, interleaved fresh processes.

    Both medians include importing NumPy.  One unrecorded round first warms
    the ``.pyc`` files.
    """
    lrjit_s, numba_s = [], []
    for i in range(repeat + 1):
        a = fresh_seconds("", "import numba")
        b = fresh_seconds("", "import lrjit")
        if i:
            numba_s.append(a)
            lrjit_s.append(b)
    return statistics.median(lrjit_s) - statistics.median(numba_s), lrjit_s, numba_s


def warm_cache():
    """Fill Numba's disk cache for the table drivers, as a previous run would."""
    import lrjit

    for parallel in (True, False):
        lrjit.cosine(0.1, decay_steps=1000).table(1000, parallel=parallel)


def timeraw_import_numba():
    return "import numba"


def timeraw_import_lrjit():
    return "import lrjit"


class TimerawFirstTable:
    """The first ``s.table(1000)`` in a fresh process, after ``import lrjit``, warm cache."""

    params = (["parallel", "serial"],)
    param_names = ["how"]

    def setup(self, how):
        warm_cache()

    def timeraw_first_table(self, how):
        return f"s.table(1000, parallel={how == 'parallel'})", TABLE_SETUP


def track_import_overhead():
    return import_overhead(repeat=5)[0]


track_import_overhead.unit = "seconds"
