"""Command line: ``python -m lrjit show FAMILY --param value ... [--steps N] [--plot PATH]``.

Every factory in :data:`lrjit.FACTORIES` is a ``show`` target; its arguments
become ``--kebab-case`` options whose values are Python literals (``3e-4``,
``500``, ``True``, ``100,200``).  ``--config JSON`` takes any
:meth:`Schedule.to_dict` dict instead, joins included.
"""

import argparse
import ast
import inspect
import json
import sys

import numpy as np

from .families import FACTORIES
from .schedule import from_dict

SAMPLES = 11


def _literal(text):
    """A Python literal (number, bool, tuple), or the text itself (e.g. ``cos``)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _parser():
    parser = argparse.ArgumentParser(prog="python -m lrjit", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser(
        "show",
        help="print a schedule's summary and optionally plot it",
        description="Print a compact summary of a schedule (first, peak and last values, "
        "a few sampled steps) and optionally plot it.",
    )
    show.add_argument(
        "family",
        nargs="?",
        choices=sorted(FACTORIES),
        help="the factory to call (omit with --config)",
    )
    show.add_argument("--config", help="a schedule as JSON, as Schedule.to_dict() gives it")
    show.add_argument("--steps", type=int, help="steps to tabulate (default: horizon + 1)")
    show.add_argument("--plot", metavar="PATH", help="write a plot (needs matplotlib)")
    return parser


def _factory_kwargs(family, options):
    """Parse ``--name value`` pairs against the factory's own signature."""
    params = inspect.signature(FACTORIES[family]).parameters
    kwargs = {}
    it = iter(options)
    for option in it:
        name = option[2:].replace("-", "_") if option.startswith("--") else None
        if name not in params:
            valid = ", ".join("--" + p.replace("_", "-") for p in params)
            raise ValueError(f"unknown option {option!r} for {family}; valid options: {valid}")
        value = next(it, None)
        if value is None:
            raise ValueError(f"option {option} needs a value")
        kwargs[name] = _literal(value)
    return kwargs


def _summary(schedule, values):
    steps = np.arange(values.size)
    peak = int(np.argmax(values))
    lines = [
        repr(schedule),
        f"steps 0..{values.size - 1}",
        f"  first  step {0:>10}  {values[0]:.6g}",
        f"  peak   step {peak:>10}  {values[peak]:.6g}",
        f"  last   step {values.size - 1:>10}  {values[-1]:.6g}",
        "  sampled:",
    ]
    for step in np.unique(np.linspace(0, values.size - 1, SAMPLES).round().astype(int)):
        lines.append(f"         step {steps[step]:>10}  {values[step]:.6g}")
    return "\n".join(lines)


def _plot(schedule, values, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise RuntimeError("plotting needs matplotlib: pip install 'lrjit[plot]'") from exc
    fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    ax.plot(np.arange(values.size), values, lw=1.5)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_title(schedule.family)
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    try:
        if args.config is not None:
            if args.family is not None or extra:
                raise ValueError("give either --config or a family with its options, not both")
            schedule = from_dict(json.loads(args.config))
        elif args.family is None:
            raise ValueError("name a family (see --help) or give --config")
        else:
            schedule = FACTORIES[args.family](**_factory_kwargs(args.family, extra))
        n = args.steps if args.steps is not None else max(schedule.horizon, 99) + 1
        values = schedule.table(n)
        print(_summary(schedule, values))
        if args.plot:
            _plot(schedule, values, args.plot)
            print(f"plot written to {args.plot}")
    except (ValueError, TypeError, RuntimeError, json.JSONDecodeError) as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
