"""asv suites: whole tables, ``Schedule.table(n)`` against the NumPy closed form.

Each family's compiled table (serial and ``prange``-parallel) sits beside its
NumPy baseline (its record's formula in ``tests/family_records.py``) as a
parameter of the same suite, so ratios come from one run.  Compilation happens
in ``setup`` (from Numba's disk cache when warm), never in a timed call.
"""

import numpy as np

from family_records import RECORDS, build, table

HOWS = ("serial", "parallel", "numpy")


def _prepare(family, n, how):
    schedule = build(family, n)
    if how == "numpy":
        table(schedule, 16)
    else:
        schedule.table(16, parallel=how == "parallel")  # compile or load from cache
    return schedule


class TimeTable:
    """``s.table(n)`` (a fresh float64 array) per family, beside NumPy's ``table``."""

    params = (tuple(RECORDS), [10**6, 10**7], HOWS)
    param_names = ["family", "n", "how"]
    timeout = 300

    def setup(self, family, n, how):
        self.schedule = _prepare(family, n, how)

    def time_table(self, family, n, how):
        if how == "numpy":
            table(self.schedule, n)
        else:
            self.schedule.table(n, parallel=how == "parallel")


class TimeTableInto:
    """``s.table(n, out=buffer)``: no allocation, so no page faults in the timing.

    Separates the fill itself from the first touch of a fresh array; float32
    output halves the memory traffic.
    """

    params = ([10**7], ["serial", "parallel"], ["float64", "float32"])
    param_names = ["n", "how", "dtype"]
    timeout = 300

    def setup(self, n, how, dtype):
        self.schedule = _prepare("cosine", n, how)
        self.out = np.ones(n, dtype=dtype)  # touched, so its pages are mapped
        self.schedule.table(16, out=self.out[:16], parallel=how == "parallel")  # float32 build

    def time_table_into(self, n, how, dtype):
        self.schedule.table(n, out=self.out, parallel=how == "parallel")


class PeakmemTable:
    """Peak memory of a 10**7-step cosine table: compiled (one array) vs NumPy (temporaries)."""

    params = (HOWS,)
    param_names = ["how"]

    def setup(self, how):
        self.schedule = _prepare("cosine", 10**7, how)

    def peakmem_table(self, how):
        if how == "numpy":
            table(self.schedule, 10**7)
        else:
            self.schedule.table(10**7, parallel=how == "parallel")
