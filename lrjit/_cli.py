"""The ``lrjit`` command line (also ``python -m lrjit``).

Every family in :data:`lrjit.FACTORIES` is a ``show`` target and a
``compare`` spec; its options come from the factory itself (signature,
annotations, numpy docstring), so a new family needs no edit here.  Every
error is one line on stderr and exit status 2.
"""

import argparse
import contextlib
import csv
import inspect
import io
import json
import os
import re
import shlex
import sys
import threading

import numpy as np

from . import __version__
from .plotting import DENSE_LIMIT, compare, plot, summary, window
from .schedules import FACTORIES, from_dict

__all__ = ["main", "build_parser", "family_options", "EXPORT_LIMIT"]

#: Exports (--csv/--npy/--json) hold every step; longer windows need --steps.
EXPORT_LIMIT = 10_000_000

_PLOT_FORMATS = (".png", ".svg", ".pdf")
_EXPORTS = ("csv", "npy", "json")
_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}

# The shared vocabulary (one meaning per name, see DESIGN.md): help and type for
# arguments whose factory docstring has no Parameters entry for them.
_VOCABULARY = {
    "value": ("float", "the learning rate at every step"),
    "init_value": ("float", "the learning rate at step 0"),
    "peak_value": ("float", "the highest learning rate"),
    "end_value": ("float", "the learning rate once the schedule has run its course"),
    "warmup_steps": ("int", "steps of warmup, counted inside the total"),
    "decay_steps": ("int", "length of the decay in steps"),
    "total_steps": ("int", "length of the whole schedule in steps"),
    "transition_steps": ("int", "length of the transition in steps"),
    "transition_begin": ("int", "step at which the transition starts"),
    "step_size": ("int", "steps between two decays"),
    "milestones": ("list:int", "steps at which the value is multiplied by gamma"),
    "boundaries": ("list:int", "absolute steps at which the next schedule takes over"),
    "schedules": ("json", 'the pieces as a JSON list of configs, e.g. [{"type": "constant", '
                  '"value": 0.1}, ...]'),
    "gamma": ("float", "multiplicative decay factor"),
    "power": ("float", "exponent of the decay"),
    "periodic": ("bool", "keep cycling after decay_steps instead of holding end_value"),
}


class CLIError(Exception):
    """A user error: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block) and no abbreviated options."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    #: Where the error line sends the user for help (default: this parser's own --help).
    help_prog = None
    #: Text put before the message (which SPEC of ``compare`` it is about).
    context = ""

    def error(self, message):
        prog = self.help_prog or self.prog
        self.exit(2, f"{self.prog}: error: {self.context}{message} (see {prog} --help)\n")


# -- values of options


def _to_bool(text):
    word = text.strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise argparse.ArgumentTypeError(f"expected true/false/1/0/yes/no, got {text!r}")


def _to_int(text):
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is not None and value.is_integer():  # 1e4 and 10000.0 are whole numbers
        return int(value)
    raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")


def _to_float(text):
    try:
        return float(text)  # nan and inf pass: the factory names the allowed range
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _to_json(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def _to_any(text):
    """A value of unknown type: JSON-looking text, a list, a bool, a number, else the text."""
    word = text.strip()
    if word[:1] in ("[", "{"):
        return _to_json(word)
    if "," in word:
        return [_to_any(part) for part in word.split(",") if part.strip()]
    if word.lower() in ("true", "false"):
        return word.lower() == "true"
    for convert in (int, float):
        try:
            return convert(word)
        except ValueError:
            pass
    return text


def _list_of(convert):
    def to_list(text):
        word = text.strip()
        if word.startswith("["):
            return _to_json(word)
        return [convert(part.strip()) for part in word.split(",") if part.strip()]

    return to_list


_CONVERT = {"bool": _to_bool, "int": _to_int, "float": _to_float, "str": str, "json": _to_json}
_METAVAR = {"bool": "BOOL", "int": "INT", "float": "FLOAT", "str": "TEXT", "json": "JSON"}


def _kind_from_text(text):
    """``"int"``, ``"list:int"``, ``("choice", [...])`` ... from a docstring type or annotation."""
    text = re.sub(r",?\s*optional\s*$", "", text.strip())
    literal = re.search(r"Literal\[(.*)\]", text)
    if text.startswith("{") or literal:
        choices = re.findall(r"['\"]([^'\"]+)['\"]", text)
        if choices:
            return ("choice", choices)
    low = text.lower()
    if "schedule" in low:
        return "json"
    if re.search(r"sequence|list|tuple|iterable|array", low):
        return "list:int" if re.search(r"\bint\b", low) else "list:float"
    for word in ("bool", "int", "float", "str"):
        if re.match(rf"{word}\b", low):
            return word
    return None


def _kind_from_default(default):
    if isinstance(default, bool):
        return "bool"
    for kind in (int, float, str):
        if isinstance(default, kind):
            return kind.__name__
    if isinstance(default, (list, tuple)):
        return "list:int" if all(isinstance(v, int) for v in default) else "list:float"
    return None


def _doc_parameters(factory):
    """``{name: (type_text, first_sentence)}`` from a numpy docstring's Parameters section."""
    doc = inspect.getdoc(factory) or ""
    match = re.search(r"^Parameters\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", doc, flags=re.S | re.M)
    entries = {}
    if not match:
        return entries
    names, body = None, []

    def flush():
        if names:
            sentence = re.split(r"(?<=\.)\s", " ".join(body).strip(), maxsplit=1)[0]
            for name in names[0]:
                entries[name] = (names[1], _plain_text(sentence))

    for line in match.group(1).splitlines():
        if line and not line[0].isspace():
            flush()
            head, _, type_text = line.partition(":")
            names, body = ([n.strip() for n in head.split(",")], type_text.strip()), []
        elif names is not None:
            body.append(line.strip())
    flush()
    return entries


def _plain_text(text):
    return text.replace("``", "").replace("`", "")


def _first_line(factory):
    return _plain_text((inspect.getdoc(factory) or "").strip().splitlines()[0])


def family_options(family):
    """The command-line options of a family: ``[(name, kind, required, default, help)]``.

    ``kind`` is found, in order, from the factory's annotation, its docstring's
    Parameters entry, its default, the shared vocabulary; else values are read
    as JSON, lists, numbers or text.

    >>> [o[:3] for o in family_options("cosine")][:2]
    [('init_value', 'float', True), ('decay_steps', 'int', True)]
    """
    factory = FACTORIES[family]
    documented = _doc_parameters(factory)
    options = []
    for name, param in inspect.signature(factory).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        doc_type, doc_help = documented.get(name, ("", ""))
        vocab_type, vocab_help = _VOCABULARY.get(name, (None, ""))
        annotation = param.annotation
        if annotation is not param.empty and not isinstance(annotation, str):
            annotation = getattr(annotation, "__name__", None) or str(annotation)
        required = param.default is param.empty
        kind = (
            (None if param.annotation is param.empty else _kind_from_text(annotation))
            or (_kind_from_text(doc_type) if doc_type else None)
            or (None if required else _kind_from_default(param.default))
            or vocab_type
        )
        options.append((name, kind, required, param.default, doc_help or vocab_help))
    return options


def _flag(name):
    return "--" + name.replace("_", "-")


def _family_usage(prog, family, outputs=True):
    words = []
    for name, kind, required, _, _ in family_options(family):
        metavar = _metavar(kind)
        words.append(f"{_flag(name)} {metavar}" if required else f"[{_flag(name)} {metavar}]")
    return " ".join([prog, *words, *(["[output options]"] if outputs else [])])


def _converter(kind):
    if isinstance(kind, tuple):
        return str
    if kind and kind.startswith("list:"):
        return _list_of(_CONVERT[kind[5:]])
    return _CONVERT.get(kind, _to_any)


def _metavar(kind):
    if isinstance(kind, tuple):
        return "{" + ",".join(kind[1]) + "}"
    if kind and kind.startswith("list:"):
        return _METAVAR[kind[5:]] + ",..."
    return _METAVAR.get(kind, "VALUE")


def _add_family_arguments(parser, family):
    # Required options are checked after parsing (_missing), so that an unknown
    # option is reported as such rather than as a missing one.
    group = parser.add_argument_group(f"{family} options")
    reserved = {"help", "config", "label", "steps", "start", "plot", "log", *_EXPORTS}
    for name, kind, required, default, text in family_options(family):
        flag = _flag(name) if name not in reserved else _flag("param_" + name)
        shown = "required" if required else f"default: {_show_default(default)}"
        text = (text.rstrip(".") + f" ({shown})" if text else f"({shown})").replace("%", "%%")
        group.add_argument(
            flag,
            dest="arg:" + name,
            type=_converter(kind),
            choices=kind[1] if isinstance(kind, tuple) else None,
            metavar=_metavar(kind),
            default=argparse.SUPPRESS,
            help=text,
        )


def _show_default(default):
    if isinstance(default, (list, tuple)):
        return ",".join(map(str, default)) or "none"
    return str(default).lower() if isinstance(default, bool) else str(default)


def _add_output_arguments(parser, inherited=False):
    """--steps/--start/--plot/--log and the exports; ``inherited`` copies leave the
    value given before the family name (``lrjit show --steps 10 cosine ...``) alone."""
    keep = {"default": argparse.SUPPRESS} if inherited else {}
    group = parser.add_argument_group("output")
    group.add_argument("--steps", type=_positive, metavar="N", **keep,
                       help="steps shown: START .. START+N-1 (default: up to the horizon, "
                       f"at least 100; above {DENSE_LIMIT:,} the summary and plot are sampled)")
    group.add_argument("--start", type=_to_count, metavar="S", **(keep or {"default": 0}),
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


def _positive(text):
    value = _to_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def _to_count(text):
    value = _to_int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}")
    return value


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
    parser = _Parser(prog="lrjit", description="Learning-rate schedules compiled with Numba: "
                     "print, plot, export and compare them.", epilog=_EPILOG, formatter_class=raw)
    parser.add_argument("--version", action="version", version=f"lrjit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                     parser_class=_Parser)
    commands.add_parser("list", help="the schedule families, one a line",
                        description="List the schedule families with their first docstring line.")
    show = commands.add_parser(
        "show", help="print a schedule's summary; plot or export it",
        description="Print a schedule's summary (window, peak, final value, where it settles, "
        "sampled values) and optionally plot or export it.  Name a FAMILY with its options "
        "(lrjit show FAMILY --help lists them) or give --config.",
    )
    show.add_argument("--config", metavar="FILE|-|JSON",
                      help="a Schedule.to_dict() config: a JSON file, - for stdin, or inline JSON")
    _add_output_arguments(show)
    families = show.add_subparsers(dest="family", metavar="FAMILY", parser_class=_Parser)
    for name, factory in FACTORIES.items():
        sub = families.add_parser(name, help=_first_line(factory), description=_description(name),
                                  usage=_family_usage(f"lrjit show {name}", name))
        _add_family_arguments(sub, name)
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


def _description(family):
    doc = inspect.getdoc(FACTORIES[family]) or ""
    first = _plain_text(doc.split("\n\n")[0])
    return f"lrjit.{family}: {first}"


# -- building schedules


def _rewrite(message, names):
    """A factory's message with its parameter names spelled as the options the user typed."""
    for name in sorted(names, key=len, reverse=True):
        message = re.sub(rf"(?<![\w-]){re.escape(name)}\b", _flag(name), message)
    return message


def _build(family, kwargs):
    """``FACTORIES[family](**kwargs)``; JSON configs in arguments become schedules."""
    for name, value in kwargs.items():
        if isinstance(value, dict):
            kwargs[name] = from_dict(value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            kwargs[name] = [from_dict(v) for v in value]
    return FACTORIES[family](**kwargs)


def _check_family_args(family, namespace, extra, usage):
    """Unknown options first, then missing required ones, each as one line."""
    options = family_options(family)
    if extra:
        valid = ", ".join(_flag(o[0]) for o in options)
        raise CLIError(f"unrecognized arguments: {' '.join(extra)}; {family} takes {valid} "
                       f"(see {usage} --help)")
    missing = [_flag(o[0]) for o in options if o[2] and not hasattr(namespace, "arg:" + o[0])]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise CLIError(f"{' and '.join(missing)} {verb} required (see {usage} --help)")


def _family_schedule(family, namespace):
    kwargs = {k[4:]: v for k, v in vars(namespace).items() if k.startswith("arg:")}
    try:
        return _build(family, kwargs)
    except (ValueError, TypeError, OverflowError) as exc:
        names = list(inspect.signature(FACTORIES[family]).parameters)
        raise CLIError(_rewrite(str(exc), names)) from None


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
    try:
        return from_dict(data)
    except (ValueError, TypeError, OverflowError) as exc:
        raise CLIError(f"{option}: {exc}") from None


def _spec_schedules(spec):
    """``[(schedule, label)]`` of one ``compare`` SPEC."""
    words = shlex.split(spec) if spec.strip() and spec.strip()[0] not in "{[" else [spec]
    if words and words[0] in FACTORIES:
        family = words[0]
        sub = _Parser(prog="lrjit compare", description=_description(family))
        sub.help_prog = f"lrjit show {family}"  # the same options
        sub.context = f"SPEC {spec!r}: "
        _add_family_arguments(sub, family)
        namespace, extra = sub.parse_known_args(words[1:])
        try:
            _check_family_args(family, namespace, extra, sub.help_prog)
        except CLIError as exc:
            raise CLIError(f"SPEC {spec!r}: {exc}") from None
        given = [f"{k[4:]}={_show_default(v)}" for k, v in vars(namespace).items()]
        try:
            schedule = _family_schedule(family, namespace)
        except CLIError as exc:
            raise CLIError(f"SPEC {spec!r}: {exc}") from None
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


def _write(path, data):
    """Write text or bytes to ``path`` or stdout (``-``)."""
    if path == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data)
            sys.stdout.flush()
        return
    with open(path, "wb" if isinstance(data, bytes) else "w", encoding=None if
              isinstance(data, bytes) else "utf-8", newline=None if isinstance(data, bytes)
              else "") as f:
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
        _write(args.csv, _csv_text(steps, table, ["lr"] if single else labels))
    if args.npy:
        buffer = io.BytesIO()
        np.save(buffer, table[0] if single else table)
        _write(args.npy, buffer.getvalue())
    if args.json:
        entries = [
            {"label": label, "schedule": s.to_dict(), "values": row.tolist()}
            for s, label, row in zip(schedules, labels, table)
        ]
        data = {"start": start, "steps": n}
        data.update(entries[0] if single else {"schedules": entries})
        _write(args.json, json.dumps(data) + "\n")


def _run(args, schedules, labels):
    exports = [(f"--{kind}", getattr(args, kind)) for kind in _EXPORTS if getattr(args, kind)]
    to_stdout = [option for option, path in exports if path == "-"]
    if len(to_stdout) > 1:
        raise CLIError(f"only one output can go to stdout, got {' and '.join(to_stdout)} -")
    for option, path in exports:
        _check_path(option, path)
    if args.plot:
        _check_path("--plot", args.plot, _PLOT_FORMATS)
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CLIError('--plot needs matplotlib: pip install "lrjit[plot]"') from None
    try:
        windows = [window(s, args.steps, args.start) for s in schedules]
    except ValueError as exc:
        raise CLIError(_rewrite(str(exc), ["steps", "start"])) from None
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
        _check_family_args(args.family, args, extra, prog)
    elif extra:
        hint = "quote each SPEC as one argument; " if args.command == "compare" else ""
        raise CLIError(f"unrecognized arguments: {' '.join(extra)}; {hint}see {prog} --help", prog)
    if args.command == "list":
        width = max(map(len, FACTORIES))
        for name, factory in FACTORIES.items():
            print(f"{name:<{width}}  {_first_line(factory)}")
        return 0
    if args.command == "show":
        if args.family:
            schedules = [_family_schedule(args.family, args)]
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
