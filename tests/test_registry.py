"""The family registry against everything that lists families, the dispatch switch included."""

import inspect
import math

import numpy as np
import pytest
from family_records import RECORDS

import lrjit
from lrjit.families import REGISTRY
from lrjit.families._registry import PROGRAM_OPTIONS
from lrjit.kernels import piece_at

# Stable: these codes are stored in saved programs (``Schedule.kinds``).
CODES = {
    "constant": 0,
    "linear": 1,
    "step_decay": 2,
    "exponential": 3,
    "polynomial": 4,
    "cosine": 5,
    "warmup_cosine": 6,
    "one_cycle": 7,
    "cyclic": 8,
    "cosine_restarts": 9,
    "inverse_sqrt": 10,
    "wsd": 11,
    "transformers_schedule": 14,
    "inverse_time": 12,
    "tanh": 13,
}

KERNEL_FAMILIES = [f for f in REGISTRY.values() if f.code is not None]


def test_codes_are_stable_and_unique():
    assert {f.name: f.code for f in KERNEL_FAMILIES} == CODES
    assert len(set(CODES.values())) == len(CODES)


@pytest.mark.parametrize("family", KERNEL_FAMILIES, ids=lambda f: f.name)
def test_dispatch_switch_calls_the_registered_kernel(family):
    # The switch must route each code to this family's kernel with the layout's
    # columns in order: rows of the family's own example configurations.
    n = len(family.layout)
    rows = [s.params for s in map(lambda kw: family.factory(**kw), RECORDS[family.name].examples)]
    assert rows, f"add an example for {family.name!r} to tests/family_records.py"
    for params in rows:
        for step in (0.0, 0.25, 1.0, 2.5, 7.0, 100.0, 12345.5):
            want = family.kernel(step, *params[0, :n])
            assert piece_at(family.code, params, 0, step) == want, (family.name, step)


def test_an_unregistered_code_gives_nan():
    params = np.ones((1, lrjit.kernels.MAX_PARAMS))
    for code in (-1, max(CODES.values()) + 1, 99):
        assert math.isnan(piece_at(code, params, 0, 1.0))


@pytest.mark.parametrize("family", REGISTRY.values(), ids=lambda f: f.name)
def test_every_consumer_lists_the_family(family):
    name = family.name
    assert getattr(lrjit, name) is family.factory
    assert name in lrjit.__all__
    assert lrjit.FACTORIES[name] is family.factory
    factory_params = inspect.signature(family.factory).parameters
    # but the front-ends' program options (libm_cos, issue 13)
    assert set(family.layout) - set(PROGRAM_OPTIONS) <= set(factory_params)
    assert set(family.sequences) <= set(factory_params)
    assert set(family.choices) <= set(family.layout)
    if family.kernel is not None:
        assert getattr(lrjit.kernels, name) is family.kernel
        assert name in lrjit.kernels.__all__
    assert (name in lrjit.ufuncs.FAMILIES) == family.scalar_kernel


def test_sweep_refuses_families_with_sequence_arguments():
    for family in REGISTRY.values():
        if family.sequences:
            with pytest.raises(TypeError, match="cannot be broadcast"):
                lrjit.sweep(family.name, 3)


def test_a_factorys_program_row_follows_the_kernel_layout():
    s = lrjit.one_cycle(1.0, total_steps=100, anneal_strategy="linear", three_phase=True)
    family = REGISTRY["one_cycle"]
    assert s.kinds.tolist() == [family.code]
    # the trailing 0.0: libm_cos, the core's cospi (issue 13)
    assert s.params[0, : len(family.layout)].tolist() == [1.0, 100.0, 0.3, 1.0, 25.0, 1e4, 1.0, 0.0]
    assert family.kernel(37.0, *s.params[0, : len(family.layout)]) == s(37)


def test_the_core_has_no_import_cycle_with_cuda():
    # lrjit.sweeps imports lrjit.cuda on demand; lrjit.cuda never imports lrjit.sweeps.
    import ast
    import pathlib

    root = pathlib.Path(lrjit.__file__).parent / "cuda"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "sweeps" not in (node.module or ""), path


def test_type_checkers_see_every_factory():
    # lrjit/__init__.py exports the registry's factories at run time and spells
    # them out under TYPE_CHECKING for type checkers: the two lists agree.
    import ast
    import pathlib

    tree = ast.parse(pathlib.Path(lrjit.__file__).read_text())
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING"
    )
    spelled = {alias.name for stmt in block.body for alias in stmt.names}
    assert spelled == set(REGISTRY)


@pytest.mark.parametrize("family", KERNEL_FAMILIES, ids=lambda f: f.name)
def test_table_switch_calls_the_registered_kernel(family):
    # fill_steps, the table drivers' loop per family, must route each code like
    # piece_at: the same kernel, the same columns, the same bits (issue 13)
    from lrjit.kernels.dispatch import fill_steps, row_values

    for kw in RECORDS[family.name].examples:
        params = family.factory(**kw).params
        for first, start in ((0.0, 0.0), (12340.0, 3.0)):
            out = np.full(40, -1.0)
            fill_steps(family.code, row_values(params, 0), first, start, 0, 40, out)
            want = [piece_at(family.code, params, 0, first + k - start) for k in range(40)]
            assert out.tolist() == want, (family.name, first)
    out = np.zeros(2)
    fill_steps(99, row_values(params, 0), 0.0, 0.0, 0, 2, out)
    assert np.isnan(out).all()
