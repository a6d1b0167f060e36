"""Table drivers: piece by piece, run by run, tile by tile, and still bitwise ``s(t)``.

The drivers (``lrjit.tables``) walk a program's pieces and write runs of
equal values once; the parallel one splits the table into tiles of
``TILE`` steps.  Here every shape of program is held against two oracles:
the per-step path ``s(steps)`` (``lr_at`` at each step, a different loop)
and, for the piecewise-constant families, the formula written out in Python.
"""

import math

import numpy as np
import pytest
from family_records import RECORDS
from hypothesis import assume, given
from hypothesis import strategies as st

import lrjit
from lrjit.families.exponential import exponential_kernel, exponential_run
from lrjit.families.step_decay import step_decay_kernel, step_decay_run
from lrjit.tables import NARROW_TILE, TILE

N = 2 * TILE + 3  # three tiles, the last one short
CASES = [(name, i) for name, rec in RECORDS.items() for i in range(len(rec.examples))]


def bits(a):
    return np.asarray(a, dtype=np.float64).view(np.uint64)


def assert_same_table(s, n):
    want = s(np.arange(n, dtype=np.float64))
    for parallel in (False, True):
        got = s.table(n, parallel=parallel)
        diff = np.flatnonzero(bits(got) != bits(want))
        assert diff.size == 0, f"{s!r} parallel={parallel}: first difference at step {diff[:1]}"
        if np.all(np.abs(want) <= np.finfo(np.float32).max):
            got32 = s.table(n, dtype=np.float32, parallel=parallel)
            assert np.array_equal(got32, want.astype(np.float32))
        else:  # beyond float32's range: refused, never inf (issue 12)
            with pytest.raises(ValueError, match="float32"):
                s.table(n, dtype=np.float32, parallel=parallel)


@pytest.mark.parametrize("name,i", CASES)
def test_every_example_over_several_tiles(name, i):
    s = lrjit.FACTORIES[name](**RECORDS[name].examples[i])
    assert_same_table(s, N)


def test_pieces_switching_inside_and_at_tile_edges():
    c = lrjit.constant
    s = lrjit.join(
        [
            c(1.0),
            lrjit.step_decay(0.5, step_size=1000, gamma=0.9),
            lrjit.cosine(0.3, decay_steps=5000),
            c(0.01),
            lrjit.multistep(0.2, milestones=[1, 2, 3, 7000], gamma=0.5),
        ],
        boundaries=[7, TILE, TILE + 1, 2 * TILE - 1],
    )
    assert_same_table(s, N)
    assert_same_table(s, 5)  # fewer steps than pieces
    assert_same_table(s, 0)


@given(
    init=st.floats(1e-6, 10.0),
    step_size=st.integers(1, 3 * TILE),
    gamma=st.floats(1e-3, 1.0, exclude_min=True),
    n=st.integers(0, 3 * TILE),
)
def test_step_decay_table_is_the_formula(init, step_size, gamma, n):
    s = lrjit.step_decay(init, step_size=step_size, gamma=gamma)
    want = np.array([init * gamma ** float(math.floor(t / step_size)) for t in range(n)])
    for parallel in (False, True):
        assert np.array_equal(bits(s.table(n, parallel=parallel)), bits(want))


@given(
    milestones=st.lists(st.integers(0, 3 * TILE), max_size=12),
    gamma=st.floats(0.05, 3.0),
    n=st.integers(0, 3 * TILE),
)
def test_multistep_table_is_the_formula(milestones, gamma, n):
    s = lrjit.multistep(0.1, milestones=milestones, gamma=gamma)
    ms = sorted(milestones)
    want = np.array([0.1 * gamma ** float(sum(m <= t for m in ms)) for t in range(n)])
    for parallel in (False, True):
        assert np.array_equal(bits(s.table(n, parallel=parallel)), bits(want))


@given(
    step=st.integers(0, 2**53 - 1) | st.integers(0, 10**6),
    step_size=st.integers(1, 2**40) | st.integers(1, 100),
)
def test_step_decay_run_never_spans_a_change(step, step_size):
    # The kernel's own value is the same over the whole run and (below 2**53)
    # its stair index floor(t / step_size) changes right after it.
    run = step_decay_run(float(step), float(step_size))
    assert run >= 1.0 and run == int(run)
    last = step + int(run) - 1
    v = step_decay_kernel(float(step), 1.0, float(step_size), 0.5)
    assert step_decay_kernel(float(last), 1.0, float(step_size), 0.5) == v
    if run > 1 and last + 1 < 2**53:
        stair = math.floor(float(step) / float(step_size))
        assert math.floor(float(last + 1) / float(step_size)) == stair + 1


@given(
    step=st.integers(0, 2**53 - 1) | st.integers(0, 10**5),
    transition_steps=st.integers(1, 2**40) | st.integers(1, 100),
    transition_begin=st.integers(0, 2**40) | st.integers(0, 100),
    staircase=st.sampled_from([0.0, 1.0]),
)
def test_exponential_run_never_spans_a_change(step, transition_steps, transition_begin, staircase):
    # The kernel's value is the same over the whole run, and (below 2**53) a
    # staircase's stair index changes right after it.
    layout = (1.0, 0.5, float(transition_steps), float(transition_begin), staircase, 0.0)
    run = exponential_run(float(step), *layout[2:5])
    assert run >= 1.0 and run == int(run)
    last = step + int(run) - 1
    assert exponential_kernel(float(last), *layout) == exponential_kernel(float(step), *layout)
    if run > 1 and last + 1 < 2**53:
        def stair(t):
            return max(math.floor((t - transition_begin) / transition_steps), 0)
        if staircase:
            assert stair(last + 1) == stair(step) + 1
        else:
            assert last == transition_begin  # the constant part ends where the decay begins


@given(
    transition_steps=st.integers(1, 3000),
    transition_begin=st.integers(0, 3 * TILE),
    staircase=st.booleans(),
    start=st.integers(0, 3 * TILE),
)
def test_exponential_tables_by_runs_are_its_values(transition_steps, transition_begin, staircase,
                                                    start):
    s = lrjit.exponential(0.1, 0.7, transition_steps=transition_steps,
                          transition_begin=transition_begin, staircase=staircase, end_value=1e-5)
    want = s(np.arange(start, start + N, dtype=np.float64))
    for parallel in (False, True):
        assert np.array_equal(bits(s.table(N, start=start, parallel=parallel)), bits(want))


@given(
    warmup=st.integers(0, 3 * TILE),
    extra=st.integers(1, 2 * TILE),
    offset=st.integers(0, 40),
    start=st.integers(0, 3 * TILE),
)
def test_warmup_cosine_phases_split_exactly(warmup, extra, offset, start):
    # The table fills warmup_cosine's two phases with separate loops split at
    # the warmup's end: every step must still be on the kernel's side of it,
    # inside a join (a piece starting mid-table) and from any first step.
    body = lrjit.warmup_cosine(1.0, warmup, warmup + extra, init_value=0.25, end_value=0.01)
    assert_split_exactly(body, offset, start)


def assert_split_exactly(body, offset, start):
    """``body``'s tables, alone or joined at ``offset`` and from ``start``, are its values."""
    s = lrjit.join([lrjit.constant(0.5), body], boundaries=[offset]) if offset else body
    n = 2 * TILE + 5
    want = s(np.arange(start, start + n, dtype=np.float64))
    for parallel in (False, True):
        got = s.table(n, start=start, parallel=parallel)
        assert np.array_equal(bits(got), bits(want)), parallel


@given(
    total=st.integers(2, 3 * TILE),
    pct_start=st.sampled_from([0.0, 0.25, 0.3, 0.5, 0.8, 1.0]),
    three_phase=st.booleans(),
    strategy=st.sampled_from(["cos", "linear"]),
    offset=st.integers(0, 40),
    start=st.integers(0, 3 * TILE),
)
def test_one_cycle_phases_split_exactly(total, pct_start, three_phase, strategy, offset, start):
    # The table fills one_cycle's phases with a loop each, split where its
    # phase test changes: every step must be on the kernel's side of it.
    assume(pct_start * total != 1.0)
    body = lrjit.one_cycle(
        2.0, total, pct_start=pct_start, three_phase=three_phase, anneal_strategy=strategy
    )
    assert_split_exactly(body, offset, start)


@pytest.mark.parametrize("start", [0, 5, NARROW_TILE - 1, 3 * TILE + 11])
@pytest.mark.parametrize("parallel", [False, True])
def test_float32_tables_from_any_step_are_the_float64_values_rounded_once(start, parallel):
    # float32 tables are filled through float64 tiles of NARROW_TILE steps
    s = lrjit.join(
        [lrjit.linear(0.0, 1.0, 700), lrjit.cosine(1.0, 3 * NARROW_TILE, end_value=0.01)], [700]
    )
    n = 2 * NARROW_TILE + 9
    want = s(np.arange(start, start + n, dtype=np.float64)).astype(np.float32)
    got = s.table(n, start=start, dtype=np.float32, parallel=parallel)
    assert got.dtype == np.float32 and np.array_equal(bits(got), bits(want))


@given(
    boundary=st.one_of(st.floats(-50, 200), st.sampled_from([math.nan, math.inf, -math.inf])),
    first=st.integers(0, 100).map(float) | st.just(math.nan),
    start=st.floats(0, 100),
    lo=st.integers(0, 60),
    size=st.integers(0, 60),
    three_phase=st.booleans(),
)
def test_first_in_phase_is_where_the_kernel_changes_phase(
    boundary, first, start, lo, size, three_phase
):
    from lrjit.families import one_cycle, warmup_cosine
    from lrjit.kernels.dispatch import first_in_phase

    hi = lo + size
    cases = [
        # warmup_cosine: phase 2 from step >= W = boundary
        (warmup_cosine.phase_at, (1.0, boundary, boundary + 10.0, 0.0, 0.0), 2),
        # one_cycle over 100 steps with its phase ends near the boundary
        (one_cycle.phase_at, (1.0, 100.0, 0.3, 0.0, 25.0, 1e4, float(three_phase)), 2),
        (one_cycle.phase_at, (1.0, 100.0, 0.3, 0.0, 25.0, 1e4, float(three_phase)), 3),
    ]
    for phase_at, args, phase in cases:
        want = next(
            (k for k in range(lo, hi) if phase_at((first + k) - start, *args) >= phase), hi
        )
        assert first_in_phase.py_func(phase_at, args, phase, first, start, lo, hi) == want
