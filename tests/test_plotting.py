"""lrjit.plotting: Schedule.plot(), Schedule.summary() and compare()."""

import math
import sys
import tracemalloc

import numpy as np
import pytest

import lrjit
from lrjit import plotting

matplotlib = pytest.importorskip("matplotlib")


def main_line(ax):
    """The schedule's line: the first one drawn (marker lines come after it)."""
    return ax.lines[0]


def test_plot_draws_every_step_of_the_window():
    s = lrjit.warmup_cosine(3e-4, warmup_steps=500, decay_steps=10_000)
    ax = s.plot()
    x, y = main_line(ax).get_data()
    np.testing.assert_array_equal(x, np.arange(10_001))
    np.testing.assert_array_equal(y, s.table(10_001))
    assert main_line(ax).get_drawstyle() == "default"  # a smooth curve, not steps
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "learning rate"
    assert "warmup_cosine(peak_value=0.0003" in ax.get_title()
    # the end of the warmup is marked, and the peak annotated where it is
    verticals = [line.get_xdata()[0] for line in ax.lines[1:] if line.get_linestyle() == ":"]
    assert verticals == [500]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["peak 0.0003 at step 500"]
    assert ax.get_ylim()[0] == 0.0


@pytest.mark.parametrize(
    "schedule",
    [lrjit.multistep(0.1, milestones=[30, 80]), lrjit.step_decay(1.0, step_size=7),
     lrjit.join([lrjit.constant(0.1), lrjit.constant(0.01)], boundaries=[50])],
)
def test_piecewise_constant_schedules_are_drawn_as_steps(schedule):
    ax = schedule.plot(100)
    assert main_line(ax).get_drawstyle() == "steps-post"
    x, y = main_line(ax).get_data()
    assert len(x) == 100
    np.testing.assert_array_equal(y, schedule.table(100))


def test_milestones_are_marked():
    ax = lrjit.multistep(0.1, milestones=[30, 80]).plot(100, log=True)
    verticals = [line.get_xdata()[0] for line in ax.lines[1:] if line.get_linestyle() == ":"]
    assert verticals == [30, 80]
    assert ax.get_yscale() == "log"


def test_restarts_are_marked():
    ax = lrjit.cosine_restarts(0.1, decay_steps=100, period_mult=2).plot(1500)
    verticals = [line.get_xdata()[0] for line in ax.lines[1:] if line.get_linestyle() == ":"]
    assert verticals == [100, 300, 700]


def test_huge_horizon_is_sampled_without_a_big_table():
    s = lrjit.cosine(0.1, decay_steps=10**11)
    tracemalloc.start()
    ax = s.plot()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50e6
    x, y = main_line(ax).get_data()
    assert x[0] == 0 and x[-1] == 10**11 and len(x) <= plotting.SAMPLES + 10
    np.testing.assert_allclose(y, 0.05 * (1 + np.cos(np.pi * x / 1e11)), rtol=1e-12, atol=1e-17)


def test_start_and_steps_choose_the_window():
    ax = lrjit.exponential(1.0, gamma=0.5).plot(5, start=10)
    x, y = main_line(ax).get_data()
    np.testing.assert_array_equal(x, [10, 11, 12, 13, 14])
    assert list(y) == [0.5**t for t in range(10, 15)]


def test_figure_size_and_saving(tmp_path):
    ax = lrjit.cosine(0.1, decay_steps=100).plot()
    path = tmp_path / "lr.png"
    ax.figure.savefig(path, dpi=120)
    data = path.read_bytes()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1080, 576)


def test_plot_into_given_axes_with_line_kwargs():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    ax.set_title("mine")
    out = lrjit.constant(0.1).plot(10, ax=ax, color="red", label="c")
    assert out is ax and ax.get_title() == "mine"
    assert main_line(ax).get_color() == "red" and main_line(ax).get_label() == "c"


def test_compare_has_a_legend_and_a_common_window():
    ax = plotting.compare(
        [lrjit.cosine(0.1, decay_steps=1000), lrjit.step_decay(0.1, step_size=300, gamma=0.5)],
    )
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["cosine(init_value=0.1, decay_steps=1000, end_value=0.0, periodic=False)",
                      "step_decay(init_value=0.1, step_size=300, gamma=0.5)"]
    assert [len(line.get_xdata()) for line in ax.lines] == [1001, 1001]
    assert [line.get_drawstyle() for line in ax.lines] == ["default", "steps-post"]
    with pytest.raises(ValueError, match="got 1 labels for 2 schedules"):
        plotting.compare([lrjit.constant(1.0), lrjit.constant(2.0)], labels=["a"])


def test_summary_values_from_the_formula():
    text = lrjit.cosine(0.1, decay_steps=1000, end_value=1e-4).summary(1200)
    lines = text.splitlines()
    assert lines[0] == "lrjit.cosine(init_value=0.1, decay_steps=1000, end_value=0.0001, periodic=False)"
    assert lines[1] == "  steps    0 .. 1199 (1,200 steps, every step evaluated; horizon 1000)"
    assert lines[2] == "  peak     0.1 at step 0"
    assert lines[3] == "  final    0.0001 at step 1199"
    assert lines[4] == "  settles  at step 1000 (unchanged from there to step 1199)"
    first = [float(v) for v in lines[5].split(None, 1)[1].split(", ")]
    want = [1e-4 + (0.1 - 1e-4) * (1 + math.cos(math.pi * t / 1000)) / 2 for t in range(5)]
    assert first == [float(f"{v:.6g}") for v in want]


def test_summary_of_a_huge_horizon_is_sampled_and_settles_exactly():
    s = lrjit.linear(1.0, 0.0, transition_steps=10**11 - 7)
    text = s.summary()
    assert "20,001 sampled steps" in text
    assert f"settles  at step {10**11 - 7}" in text  # bisected between two samples


def test_bad_windows_name_the_argument():
    with pytest.raises(ValueError, match="steps must be an integer in"):
        lrjit.constant(1.0).summary(0)
    with pytest.raises(ValueError, match="start must be an integer in \\[0, 2\\*\\*53\\]"):
        lrjit.constant(1.0).summary(10, start=-1)


def test_matplotlib_is_imported_only_to_draw(run_python):
    out = run_python(
        "import sys, lrjit\n"
        "lrjit.cosine(1.0, decay_steps=10).summary()\n"
        "print('matplotlib' in sys.modules)\n"
    )
    assert out == "False\n"


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "lrjit\[plot\]"'):
        lrjit.constant(1.0).plot()


def test_the_gallery_draws_every_family():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "docs" / "gallery.py"
    spec = importlib.util.spec_from_file_location("gallery", path)
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    assert set(gallery.FAMILIES) == set(lrjit.FACTORIES)
    assert {s.family for s, _, _ in gallery.FAMILIES.values()} == set(lrjit.FACTORIES)
