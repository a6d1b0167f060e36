"""The ``lrjit`` command line (also ``python -m lrjit``).

Every family in :data:`lrjit.FACTORIES` is a ``show`` target and a
``compare`` spec; its options come from the factory itself (signature,
annotations, numpy docstring), so a new family needs no edit here.  Every
error is one line on stderr and exit status 2.
"""

import argparse
import contextlib
import csv
import importlib.util
import io
import json
import os
import shlex
import sys
import threading

import numpy as np

from .. import FACTORIES, __version__, from_dict  # public names: they survive moves of the core
from ..plotting import DENSE_LIMIT, compare, plot, summary, window
from .options import (
    CLIError,
    Parser,
    add_family_arguments,
    check_family_args,
    description,
    family_options,
    family_schedule,
    family_usage,
    first_line,
    positive,
    show_default,
    to_count,
)

__all__ = ["main", "build_parser", "family_options", "EXPORT_LIMIT"]

#: Exports (--csv/--npy/--json) hold every step; longer windows need --steps.
EXPORT_LIMIT = 10_000_000

_PLOT_FORMATS = (".png", ".svg", ".pdf")
_EXPORTS = ("csv", "npy", "json")


def _add_output_arguments(parser, inherited=False):
    """--steps/--start/--plot/--log and the exports; ``inherited`` copies leave the
    value given before the family name (``lrjit show --steps 10 cosine ...``) alone."""
    keep = {"default": argparse.SUPPRESS} if inherited else {}
    group = parser.add_argument_group("output")
    group.add_argument("--steps", type=positive, metavar="N", **keep,
                       help="steps shown: START .. START+N-1 (default: up to the horizon, "
                       f"at least 100; above {DENSE_LIMIT:,} the summary and plot are sampled)")
    group.add_argument("--start", type=to_count, metavar="S", **(keep or {"default": 0}),
                       help="first step shown (default: 0)")
    group.add_argument("--plot", metavar="PATH", **keep,
                       help="write a figure: .png, .svg or .pdf (needs matplotlib)")
    group.add_argument("--log", action="store_true", **keep, help="logarithmic y axis")
    group.add_argument("--csv", metavar="PATH", **keep,
                       help="write step,value rows (- for stdout)")
    group.add_argument("--npy", metavar="PATH", **keep,
                       help="write the values as a NumPy .npy array (- for stdout)")
    group.add_argument("--json", metavar="PATH", **keep,
                       help="write the config and values as JSON (- for stdout)")


_EPILOG = """\
examples:
  lrjit list
  lrjit show cosine --init-value 0.1 --decay-steps 1000 --plot lr.png
  lrjit show multistep --init-value 0.1 --milestones 30,80 --steps 100 --log --csv lr.csv
  lrjit show --config schedule.json            (a Schedule.to_dict() as JSON; - reads stdin)
  lrjit compare "cosine --init-value 0.1 --decay-steps 1000" \\
                "step_decay --init-value 0.1 --step-size 300 --gamma 0.5" --plot cmp.png

option values: numbers (1e-3; whole numbers may be written 1e4), booleans
true/false/1/0/yes/no, lists 30,80; --name value and --name=value both work."""


def build_parser():
    """The argparse parser of the ``lrjit`` command, with one sub-parser per family."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = Parser(prog="lrjit", description="Learning-rate schedules compiled with Numba: "
                     "print, plot, export and compare them.", epilog=_EPILOG, formatter_class=raw)
    parser.add_argument("--version", action="version", version=f"lrjit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                     parser_class=Parser)
    commands.add_parser("list", help="the schedule families, one a line",
                        description="List the schedule families with their first docstring line.")
    show = commands.add_parser(
        "show", help="print a schedule's summary; plot or export it",
        description="Print a schedule's summary (window, peak, final value, where it settles, "
        "sampled values) and optionally plot or export it.  Name a FAMILY with its options "
        "(lrjit show FAMILY --help lists them) or give --config.",
    )
    show.add_argument("--config", metavar="FILE|-|JSON",
                      help="a Schedule.to_dict() config (or a --json export): a JSON file, - for "
                      "stdin, or inline JSON")
    _add_output_arguments(show)
    families = show.add_subparsers(dest="family", metavar="FAMILY", parser_class=Parser)
    for name, factory in FACTORIES.items():
        sub = families.add_parser(name, help=first_line(factory), description=description(name),
                                  usage=family_usage(f"lrjit show {name}", name))
        add_family_arguments(sub, name)
        _add_output_arguments(sub, inherited=True)
    cmp = commands.add_parser(
        "compare", help="several schedules in one summary, figure or export",
        formatter_class=raw,
        description='Compare schedules.  Each SPEC is a family with its options, quoted as one '
        'argument\n("cosine --init-value 0.1 --decay-steps 1000"), a JSON config file, or '
        "inline JSON.",
    )
    cmp.add_argument("specs", nargs="+", metavar="SPEC", help="a schedule (see above)")
    cmp.add_argument("--label", action="append", metavar="TEXT",
                     help="legend label, once per SPEC in order (default: the spec)")
    _add_output_arguments(cmp)
    return parser


def _read_config(text, option="--config"):
    """The JSON data of ``FILE``, ``-`` (stdin) or inline JSON."""
    if text == "-":
        raw, source = sys.stdin.read(), " on stdin"
    elif text.lstrip().startswith(("{", "[")):
        raw, source = text, ""
    else:
        try:
            with open(text, encoding="utf-8") as f:
                raw = f.read()
        except OSError as exc:
            raise CLIError(f"{option}: cannot read {text!r}: {exc.strerror}") from None
        source = f" in {text!r}"
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CLIError(
            f"{option}: invalid JSON{source} at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def _config_schedule(data, option="--config"):
    if isinstance(data, dict) and "type" not in data and isinstance(data.get("schedule"), dict):
        data = data["schedule"]  # a --json export names its schedule
    try:
        return from_dict(data)
    except (ValueError, TypeError, OverflowError) as exc:
        raise CLIError(f"{option}: {exc}") from None


def _spec_schedules(spec):
    """``[(schedule, label)]`` of one ``compare`` SPEC."""
    words = shlex.split(spec) if spec.strip() and spec.strip()[0] not in "{[" else [spec]
    if words and words[0] in FACTORIES:
        family = words[0]
        sub = Parser(prog="lrjit compare", description=description(family))
        sub.help_prog = f"lrjit show {family}"  # the same options
        sub.context = f"SPEC {spec!r}: "
        add_family_arguments(sub, family)
        namespace, extra = sub.parse_known_args(words[1:])
        try:
            check_family_args(family, namespace, extra, sub.help_prog)
            schedule = family_schedule(family, namespace)
        except CLIError as exc:
            raise CLIError(f"SPEC {spec!r}: {exc}") from None
        given = [f"{k[4:]}={show_default(v)}" for k, v in vars(namespace).items()]
        return [(schedule, f"{family}({', '.join(given)})")]
    if not (spec.strip()[:1] in "{[" or spec == "-" or os.path.exists(spec)):
        raise CLIError(
            f"SPEC {spec!r} is neither a family (lrjit list), inline JSON nor a config file; "
            'quote a family with its options: "cosine --init-value 0.1 --decay-steps 1000"'
        )
    data = _read_config(spec, "SPEC")
    configs = data if isinstance(data, list) else [data]
    schedules = [_config_schedule(c, f"SPEC {spec!r}") for c in configs]
    return [(s, repr(s).removeprefix("lrjit.")) for s in schedules]


# -- outputs


def _check_path(option, path, formats=None):
    """Fail before any work if ``path`` cannot be written."""
    if path == "-":
        if formats:
            raise CLIError(f"{option} needs a file name ending in {', '.join(formats)}, got -")
        return
    if formats and not path.lower().endswith(formats):
        raise CLIError(f"{option} {path}: the file name must end in {', '.join(formats)}")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CLIError(f"{option} {path}: is a directory; give a file name")
    if not os.path.isdir(folder):
        raise CLIError(f"{option} {path}: no such directory {folder}")
    if not os.access(folder, os.W_OK):
        raise CLIError(f"{option} {path}: directory {folder} is not writable")


@contextlib.contextmanager
def _compile_notice(delay=2.5):
    """Say so on stderr when the first evaluation is slow: Numba is compiling."""
    timer = threading.Timer(delay, lambda: print(
        "lrjit: compiling on first use (cached for later runs) ...", file=sys.stderr, flush=True))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _write(option, path, data):
    """Write text or bytes to ``path`` or stdout (``-``)."""
    try:
        _write_or_raise(path, data)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        raise CLIError(f"{option} {path}: {exc.strerror or exc}") from None


def _write_or_raise(path, data):
    if path == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data)
            sys.stdout.flush()
        return
    if isinstance(data, bytes):
        with open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(data)


def _csv_text(steps, table, labels):
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(["step", *labels])
    rows = zip(steps.astype(np.int64).tolist(), *(row.tolist() for row in table))
    # repr() of a Python float is the shortest text that reads back to the same float.
    return head.getvalue() + "".join(",".join(map(repr, row)) + "\n" for row in rows)


def _export(args, schedules, labels, start, n):
    steps = np.arange(start, start + n, dtype=np.float64)
    table = np.stack([s(steps) for s in schedules])
    single = len(schedules) == 1
    if args.csv:
        _write("--csv", args.csv, _csv_text(steps, table, ["lr"] if single else labels))
    if args.npy:
        buffer = io.BytesIO()
        np.save(buffer, table[0] if single else table)
        _write("--npy", args.npy, buffer.getvalue())
    if args.json:
        entries = [
            {"label": label, "schedule": s.to_dict(), "values": row.tolist()}
            for s, label, row in zip(schedules, labels, table)
        ]
        data = {"start": start, "steps": n}
        data.update(entries[0] if single else {"schedules": entries})
        _write("--json", args.json, json.dumps(data) + "\n")


def _run(args, schedules, labels):
    exports = [(f"--{kind}", getattr(args, kind)) for kind in _EXPORTS if getattr(args, kind)]
    to_stdout = [option for option, path in exports if path == "-"]
    if len(to_stdout) > 1:
        raise CLIError(f"only one output can go to stdout, got {' and '.join(to_stdout)} -")
    for option, path in exports:
        _check_path(option, path)
    if args.plot:
        _check_path("--plot", args.plot, _PLOT_FORMATS)
        if importlib.util.find_spec("matplotlib") is None:
            raise CLIError('--plot needs matplotlib: pip install "lrjit[plot]"')
    windows = [window(s, args.steps, args.start) for s in schedules]  # checked by argparse
    start, n = max(windows, key=lambda w: w[1])
    if exports and n > EXPORT_LIMIT:
        raise CLIError(
            f"{exports[0][0]}: the window holds {n:,} steps, more than the export limit of "
            f"{EXPORT_LIMIT:,}; pass --steps N (at most {EXPORT_LIMIT:,}) and --start S "
            "to export part of it"
        )
    quiet = bool(to_stdout)  # stdout carries the export: no summary there
    with _compile_notice():
        texts = [summary(s, n, start=start) for s in schedules]
    if not quiet:
        print("\n\n".join(texts), flush=True)
    if exports:
        _export(args, schedules, labels, start, n)
    if args.plot:
        if len(schedules) == 1:
            ax = plot(schedules[0], n, start=start, log=args.log)
        else:
            ax = compare(schedules, labels, n, start=start, log=args.log)
        try:
            ax.figure.savefig(args.plot, dpi=120)
        except OSError as exc:
            raise CLIError(f"--plot {args.plot}: {exc.strerror or exc}") from None
        if not quiet:
            print(f"plot written to {args.plot}")


def _main(argv):
    args, extra = build_parser().parse_known_args(argv)
    prog = f"lrjit {args.command}"
    if args.command == "show" and args.family:
        prog += f" {args.family}"
    try:
        return _command(args, extra, prog)
    except CLIError as exc:
        if len(exc.args) > 1:
            raise
        raise CLIError(exc.args[0], prog) from None


def _command(args, extra, prog):
    if args.command == "show" and args.family:
        if args.config is not None:
            raise CLIError("give a FAMILY with its options or --config, not both", prog)
        check_family_args(args.family, args, extra, prog)
    elif extra:
        hint = "quote each SPEC as one argument; " if args.command == "compare" else ""
        raise CLIError(f"unrecognized arguments: {' '.join(extra)}; {hint}see {prog} --help", prog)
    if args.command == "list":
        width = max(map(len, FACTORIES))
        for name, factory in FACTORIES.items():
            print(f"{name:<{width}}  {first_line(factory)}")
        return 0
    if args.command == "show":
        if args.family:
            schedules = [family_schedule(args.family, args)]
        elif args.config is not None:
            data = _read_config(args.config)
            if not isinstance(data, dict):
                raise CLIError("--config must hold one schedule (a JSON object), got "
                               f"{type(data).__name__}; use lrjit compare for several", prog)
            schedules = [_config_schedule(data)]
        else:
            raise CLIError("name a FAMILY (lrjit list shows them) or give --config", prog)
        labels = [repr(schedules[0]).removeprefix("lrjit.")]
    else:
        pairs = [pair for spec in args.specs for pair in _spec_schedules(spec)]
        schedules = [s for s, _ in pairs]
        labels = args.label or [label for _, label in pairs]
        if len(labels) != len(schedules):
            raise CLIError(f"got {len(labels)} --label for {len(schedules)} schedules", prog)
    _run(args, schedules, labels)
    return 0


def main(argv=None):
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); returns the exit status.

    Errors raise ``SystemExit(2)`` after one line on stderr.
    """
    try:
        return _main(argv)
    except CLIError as exc:
        prog = exc.args[1] if len(exc.args) > 1 else "lrjit"
        sys.stderr.write(f"{prog}: error: {exc.args[0]}\n")
        raise SystemExit(2) from None
    except BrokenPipeError:
        # The reader (head, less) left: stop quietly, and keep Python's exit-time
        # flush of stdout from complaining about the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("lrjit: interrupted\n")
        return 130
    except MemoryError:
        sys.stderr.write("lrjit: error: out of memory; pass a smaller --steps\n")
        raise SystemExit(2) from None
    except Exception as exc:  # a bug, not a usage error: still one line, status 1
        if os.environ.get("LRJIT_DEBUG"):
            raise
        sys.stderr.write(f"lrjit: internal error: {type(exc).__name__}: {exc} (please report "
                         "it; LRJIT_DEBUG=1 shows the traceback)\n")
        raise SystemExit(1) from None
