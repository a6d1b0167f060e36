"""Pictures and text summaries of schedules: what ``lrjit show`` prints and draws.

matplotlib (the ``plot`` extra: ``pip install "lrjit[plot]"``) is imported
only inside :func:`plot` and :func:`compare`.  A window of at most
:data:`DENSE_LIMIT` steps is evaluated at every step; a longer one (a
horizon of 10**11 steps, say) at :data:`SAMPLES` evenly spaced steps plus the
schedule's own switch points, so no table larger than what is drawn or
printed is ever allocated.

>>> import lrjit
>>> print(lrjit.multistep(0.1, milestones=[30, 80]).summary(100))
lrjit.multistep(init_value=0.1, milestones=[30, 80], gamma=0.1)
  steps    0 .. 99 (100 steps, every step evaluated; horizon 80)
  peak     0.1 at step 0
  final    0.001 at step 99
  settles  at step 80 (unchanged from there to step 99)
  first    0.1, 0.1, 0.1, 0.1, 0.1
  range    min 0.001 at step 80, max 0.1 at step 0
  sampled  step  value
              0  0.1
             10  0.1
             20  0.1
             30  0.01
             40  0.01
             50  0.01
             59  0.01
             69  0.01
             79  0.01
             89  0.001
             99  0.001
"""

import sys
import textwrap

import numpy as np

from ._checks import MAX_STEP, MAX_STEPS, check_count

__all__ = ["DENSE_LIMIT", "SAMPLES", "window", "sample_steps", "summary", "plot", "compare"]

#: Windows up to this many steps are evaluated at every step.
DENSE_LIMIT = 100_000
#: Longer windows are evaluated at this many evenly spaced steps (plus switch points).
SAMPLES = 20_001
#: Plots and summaries show at least this many steps by default.
MIN_STEPS = 100

_FIGSIZE = (9.0, 4.8)


def window(schedule, steps=None, start=0):
    """``(start, n)``: the steps ``start .. start + n - 1`` to show.

    By default ``n`` reaches the schedule's horizon (at least
    :data:`MIN_STEPS` steps), so the whole transition is in view.

    >>> import lrjit
    >>> window(lrjit.cosine(1.0, decay_steps=1000))
    (0, 1001)
    >>> window(lrjit.constant(0.1), start=50)
    (50, 100)
    """
    start = check_count("start", start, minimum=0)
    if steps is None:
        # at most 2**53 steps, what --steps allows (a horizon of 2**53 has 2**53 + 1)
        n = min(max(schedule.horizon + 1 - start, MIN_STEPS), MAX_STEPS)
    else:
        n = check_count("steps", steps, minimum=1)
    return start, n  # both <= 2**53: the last step is within the kernels' 2**62


def _switch_points(schedule, lo, hi):
    """Steps in ``[lo, hi]`` where something may happen: piece starts and step-count arguments."""
    points = [float(s) for s in schedule.starts[1:]]
    # Integer arguments are step counts (warmup_steps, milestones, boundaries, ...);
    # sampling them exactly puts peaks and corners where they are.
    for value in schedule.args.values():
        values = value if isinstance(value, tuple) else (value,)
        points += [float(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return [p for p in points if lo <= p <= hi]


def sample_steps(schedule, steps=None, start=0):
    """The float64 steps a plot or summary evaluates, and whether that is every step.

    >>> import lrjit
    >>> grid, dense = sample_steps(lrjit.cosine(1.0, decay_steps=10**11))
    >>> dense, grid.size < 30_000, int(grid[-1])
    (False, True, 100000000000)
    """
    start, n = window(schedule, steps, start)
    last = start + n - 1
    if n <= DENSE_LIMIT:
        return np.arange(start, last + 1, dtype=np.float64), True
    grid = np.linspace(start, last, SAMPLES).round()
    grid = np.union1d(grid, _switch_points(schedule, start, last))
    return grid, False


def _is_stepwise(schedule, grid):
    """Whether the schedule is constant between whole steps (step decay, milestones)."""
    probe = grid[np.linspace(0, grid.size - 1, min(grid.size, 256)).astype(np.int64)]
    probe = probe[probe + 0.5 <= MAX_STEP]
    return bool(np.array_equal(schedule(probe), schedule(probe + 0.5)))


def _fmt(value):
    return f"{value:.6g}"


def _settles(schedule, grid, values, dense):
    """The step from which the value stays at its last value in the window, or None."""
    differs = np.flatnonzero(values != values[-1])
    if differs.size == 0:
        return int(grid[0])
    j = int(differs[-1])
    if j == grid.size - 2 and (grid[-1] + 1 > MAX_STEP or schedule(grid[-1] + 1) != values[-1]):
        return None  # still changing at the last step shown
    lo, hi = int(grid[j]), int(grid[j + 1])
    if not dense:  # the change ends between two samples: bisect on whole steps
        final = values[-1]
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if schedule(float(mid)) == final:
                hi = mid
            else:
                lo = mid
    return hi


def summary(schedule, steps=None, *, start=0, samples=11):
    """What ``lrjit show`` prints: window and horizon, peak, final value, where it
    settles, the first values, min and max, samples.

    Parameters
    ----------
    schedule : lrjit.Schedule
    steps : int, optional
        Number of steps shown (default: up to the horizon, at least 100).
    start : int
        First step shown.
    samples : int
        Number of evenly spaced steps listed.

    Returns
    -------
    str
        Lines of text; the peak, min and max are exact when every step is evaluated
        (windows up to :data:`DENSE_LIMIT` steps), else over the sampled steps.

    Examples
    --------
    >>> import lrjit
    >>> text = lrjit.warmup_cosine(3e-4, warmup_steps=500, decay_steps=10_000).summary()
    >>> print(text.splitlines()[2])
      peak     0.0003 at step 500
    """
    samples = check_count("samples", samples, minimum=2)
    grid, dense = sample_steps(schedule, steps, start)
    values = schedule(grid)
    first, last = int(grid[0]), int(grid[-1])
    peak = int(np.argmax(values))
    how = "every step evaluated" if dense else f"{grid.size:,} sampled steps"
    lines = [
        repr(schedule),
        f"  steps    {first} .. {last} ({last - first + 1:,} steps, {how}; "
        f"horizon {schedule.horizon})",
        f"  peak     {_fmt(values[peak])} at step {int(grid[peak])}",
        f"  final    {_fmt(values[-1])} at step {last}",
    ]
    settles = _settles(schedule, grid, values, dense)
    if settles is None:
        lines.append(f"  settles  not yet: still changing at step {last}")
    elif settles == first:
        lines.append("  settles  constant over the whole window")
    else:
        rest = f" (unchanged from there to step {last})" if settles < last else ""
        lines.append(f"  settles  at step {settles}{rest}")
    head = schedule(np.arange(first, min(first + 5, last + 1), dtype=np.float64))
    lines.append("  first    " + ", ".join(_fmt(v) for v in head))
    low = int(np.argmin(values))
    lines.append(
        f"  range    min {_fmt(values[low])} at step {int(grid[low])}, "
        f"max {_fmt(values[peak])} at step {int(grid[peak])}"
    )
    picks = np.unique(np.linspace(first, last, samples).round())
    width = max(len(f"{last:,}"), 4)
    lines.append(f"  sampled  {'step':>{width}}  value")
    for t, v in zip(picks, schedule(picks)):
        lines.append(f"           {int(t):>{width},}  {_fmt(v)}")
    return "\n".join(lines)


# -- pictures


def _axes(ax):
    """``ax``, or the Axes of a new figure: pyplot's when the caller uses pyplot (so it
    shows in a notebook), else a bare Figure (no GUI backend, no global state)."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError('plotting needs matplotlib: pip install "lrjit[plot]"') from None
    if ax is not None:
        return ax
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        return plt.subplots(figsize=_FIGSIZE, layout="constrained")[1]
    from matplotlib.figure import Figure

    del matplotlib
    return Figure(figsize=_FIGSIZE, layout="constrained").subplots()


def _title(text, width=100, max_lines=3):
    lines = textwrap.wrap(text, width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return "\n".join(lines)


def _label(schedule, width=90):
    text = repr(schedule).removeprefix("lrjit.")
    return text if len(text) <= width else text[: width - 1] + "…"


def _step_label(step, _pos=None):
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(step) >= scale:
            return f"{step / scale:g}{suffix}"
    return f"{step:g}"


def _style_axes(ax, log, last_step):
    from matplotlib.ticker import FuncFormatter

    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.3)
    if last_step >= 100_000:  # 250k, 10M, 100B rather than a 1e11 offset
        ax.xaxis.set_major_formatter(FuncFormatter(_step_label))
    if log:
        ax.set_yscale("log")
    else:
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)


def _draw(ax, schedule, grid, values, log, **line_kwargs):
    stepwise = _is_stepwise(schedule, grid)
    line_kwargs.setdefault("lw", 1.6)
    if stepwise:
        line_kwargs.setdefault("drawstyle", "steps-post")
    (line,) = ax.plot(grid, values, **line_kwargs)
    if not log:  # learning rates are >= 0: a linear axis starts at zero, with no margin below
        ax.update_datalim([(grid[0], 0.0)])
        line.sticky_edges.y.append(0.0)
        ax.autoscale_view()
    return line, stepwise


def _phase_marks(schedule, grid, values, stepwise, limit=40):
    """Steps where a phase ends: piece starts (joins, milestones), the end of a warmup,
    and jumps in the value (restarts, step decays); none if there are too many to read."""
    lo, hi = grid[0], grid[-1]
    marks = {float(s) for s in schedule.starts[1:] if lo < s <= hi}
    warm = schedule.args.get("warmup_steps")
    if isinstance(warm, int) and lo < warm <= hi:
        marks.add(float(warm))
    jumps = np.abs(np.diff(values))
    if jumps.size:
        if stepwise:
            big = jumps > 0
        else:
            span = float(values.max() - values.min())
            big = (jumps > 20 * np.median(jumps)) & (jumps > 0.05 * span)
        marks.update(float(t) for t in grid[1:][big])
    return sorted(marks) if len(marks) <= limit else []


def plot(schedule, steps=None, *, start=0, ax=None, log=False, markers=True, title=None,
         **line_kwargs):
    """Draw a schedule over ``steps`` steps and return the matplotlib Axes.

    Piecewise-constant schedules are drawn as steps; dotted lines mark the
    phase boundaries (the end of a warmup, a join's boundaries, milestones,
    restarts) and the peak is annotated.

    Parameters
    ----------
    schedule : lrjit.Schedule
    steps : int, optional
        Number of steps drawn (default: up to the horizon, at least 100).
    start : int
        First step drawn.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; by default a new 9 x 4.8 inch figure.
    log : bool
        A logarithmic y axis (for decays over orders of magnitude).
    markers : bool
        Mark phase boundaries and annotate the peak.
    title : str, optional
        Default: the schedule's repr, wrapped.
    **line_kwargs
        Passed to ``Axes.plot`` (``color``, ``lw``, ``label``, ...).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import lrjit
    >>> ax = lrjit.multistep(0.1, milestones=[30, 80]).plot(100, log=True)
    >>> ax.lines[0].get_drawstyle(), len(ax.lines[0].get_xdata())
    ('steps-post', 100)
    >>> ax.figure.savefig("multistep.png")       # doctest: +SKIP
    """
    ax = _axes(ax)
    grid, _ = sample_steps(schedule, steps, start)
    values = schedule(grid)
    line, stepwise = _draw(ax, schedule, grid, values, log, **line_kwargs)
    i = int(np.argmax(values))
    if markers:
        for t in _phase_marks(schedule, grid, values, stepwise):
            ax.axvline(t, color="0.55", lw=0.8, ls=":", zorder=0)
    if markers and i > 0:  # a peak at the first step is plain from the curve
        # A legend entry rather than a text by the point: loc="best" keeps it off the curve.
        ax.plot([grid[i]], [values[i]], "o", ms=5, color=line.get_color(),
                label=f"peak {_fmt(values[i])} at step {int(grid[i]):,}")
        ax.legend(loc="best", fontsize=9)
    _style_axes(ax, log, grid[-1])
    if title is None and not ax.get_title():
        title = _title(repr(schedule))
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def compare(schedules, labels=None, steps=None, *, start=0, ax=None, log=False, title=None):
    """Draw several schedules on one Axes, with a legend; returns the Axes.

    The default window reaches the longest horizon.  Labels default to each
    schedule's repr.

    Examples
    --------
    >>> import lrjit
    >>> ax = compare([lrjit.cosine(0.1, decay_steps=1000),
    ...               lrjit.step_decay(0.1, step_size=300, gamma=0.5)], labels=["cos", "step"])
    >>> [line.get_label() for line in ax.lines], len(ax.lines[0].get_xdata())
    (['cos', 'step'], 1001)
    """
    schedules = list(schedules)
    if not schedules:
        raise ValueError("compare needs at least one schedule, got none")
    if labels is None:
        labels = [_label(s) for s in schedules]
    labels = list(labels)
    if len(labels) != len(schedules):
        raise ValueError(f"got {len(labels)} labels for {len(schedules)} schedules")
    if steps is None:
        steps = max(window(s, None, start)[1] for s in schedules)
    ax = _axes(ax)
    last = 0.0
    for schedule, label in zip(schedules, labels):
        grid, _ = sample_steps(schedule, steps, start)
        _draw(ax, schedule, grid, schedule(grid), log, label=label)
        last = grid[-1]
    _style_axes(ax, log, last)
    # Below the axes: a legend of long labels inside would hide the curves.
    ncols = min(len(labels), 4) if max(map(len, labels)) <= 30 else 1
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False,
              ncols=ncols)
    if title is None and not ax.get_title():
        title = f"{len(schedules)} schedules"
    if title:
        ax.set_title(title, fontsize=10)
    return ax
