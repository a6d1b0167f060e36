"""lrjit's benchmarks: asv suites and a one-process comparison script.

Run from the repository root, offline, in the current environment::

    asv machine --yes                 # once per machine
    asv run -E existing --quick       # or: asv run --python=same --quick
    python -m benchmarks.compare      # performance goals as ratios from one process

``reference`` holds the NumPy closed-form formulas the suites compare against.
"""
