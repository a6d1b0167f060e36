"""lrjit's benchmarks: asv suites and a one-process comparison script.

Run from the repository root, offline, in the current environment::

    asv machine --yes                 # once per machine
    asv run -E existing --quick       # or: asv run --python=same --quick
    python -m benchmarks.compare      # performance goals as ratios from one process

The NumPy baselines are the tests' reference formulas: one record per family in
``tests/family_records.py`` (its ``formula``, and ``bench(n)``: the configuration
timed over ``n`` steps).  ``tests/`` goes on the end of ``sys.path`` here, as pytest
puts it on the front, so both import the same ``family_records`` module; asv imports
this package without the repository root on the path, so the path is found from
this file, not from the working directory.
"""

import os
import sys

_TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
if _TESTS not in sys.path:
    sys.path.append(_TESTS)
