"""Command-line options generated from each factory: signature, annotations, docstring.

A family's options are its factory's parameters spelled ``--kebab-case``.  The
type of each (and so how its text is read) comes from the first of: the
annotation, the numpy docstring's Parameters entry, the default, the shared
vocabulary below; its help line from the docstring or the vocabulary.
"""

import argparse
import inspect
import json
import re

from .. import FACTORIES, from_dict  # the public names: they survive moves of the core

__all__ = ["CLIError", "Parser", "family_options", "add_family_arguments", "family_schedule"]

# Options of the command itself: a factory parameter of the same name is --param-NAME.
RESERVED = {"help", "config", "label", "steps", "start", "plot", "log", "csv", "npy", "json"}

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
    "alpha": ("float", "instead of end_value: it as a ratio of the start or peak (optax)"),
    "min_lr_rate": ("float", "instead of end_value: it as a ratio of the start or peak "
                    "(transformers)"),
    "exponent": ("float", "power of the half-cosine (optax)"),
    "k_decay": ("float", "timm's k-decay: steps enter as t**k / T**k"),
    "staircase": ("bool", "decay in whole transitions (floor of the exponent)"),
    "boundaries_and_scales": ("pairs", "steps and the factors the value is multiplied by there"),
    "values": ("list:float", "the value before the first boundary, then after each"),
    "interpolate_type": (("choice", ["linear", "cosine"]), "the shape between two knots"),
}

#: Defaults of None that stand for a value (end_value: 0 unless a ratio is given).
_COMPUTED_DEFAULTS = {"end_value": 0.0}


class CLIError(Exception):
    """A user error: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
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


def to_bool(text):
    """``true/false/1/0/yes/no/on/off`` in any case."""
    word = text.strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise argparse.ArgumentTypeError(f"expected true/false/1/0/yes/no, got {text!r}")


def to_int(text):
    """A whole number, also written as a float (``1e4``, ``10000.0``)."""
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


def _to_pairs(text):
    """``100:0.1,200:0.5`` (or JSON ``[[100, 0.1], ...]``) as ``[(100, 0.1), ...]`` pairs."""
    word = text.strip()
    if word.startswith("["):
        return _to_json(word)
    pairs = []
    for part in filter(None, (p.strip() for p in word.split(","))):
        step, sep, scale = part.partition(":")
        if not sep:
            raise argparse.ArgumentTypeError(f"expected STEP:SCALE pairs, got {part!r}")
        pairs.append((to_int(step.strip()), _to_float(scale.strip())))
    return pairs


_CONVERT = {"bool": to_bool, "int": to_int, "float": _to_float, "str": str, "json": _to_json,
            "pairs": _to_pairs}
_METAVAR = {"bool": "BOOL", "int": "INT", "float": "FLOAT", "str": "TEXT", "json": "JSON",
            "pairs": "STEP:SCALE,..."}


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
    low = low.replace("real", "float")  # numbers.Real
    for word in ("bool", "float", "int", "str"):  # "int | float" reads floats
        if re.search(rf"\b{word}\b", low):
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
                entries[name] = (names[1], plain_text(sentence))

    for line in match.group(1).splitlines():
        if line and not line[0].isspace():
            flush()
            head, _, type_text = line.partition(":")
            names, body = ([n.strip() for n in head.split(",")], type_text.strip()), []
        elif names is not None:
            body.append(line.strip())
    flush()
    return entries


def plain_text(text):
    return text.replace("``", "").replace("`", "")


def first_line(factory):
    return plain_text((inspect.getdoc(factory) or "").strip().splitlines()[0])


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
        if isinstance(annotation, type):  # float, not "<class 'float'>"
            annotation = annotation.__name__
        elif annotation is not param.empty and not isinstance(annotation, str):
            annotation = str(annotation)  # typing.Sequence[int], typing.Literal['a', 'b']
        required = param.default is param.empty
        kind = (
            (None if param.annotation is param.empty else _kind_from_text(annotation))
            or (_kind_from_text(doc_type) if doc_type else None)
            or (None if required else _kind_from_default(param.default))
            or vocab_type
        )
        options.append((name, kind, required, param.default, doc_help or vocab_help))
    return options


def flag(name):
    """The option of factory parameter ``name``: ``init_value`` is ``--init-value``."""
    return "--" + (f"param-{name}" if name in RESERVED else name).replace("_", "-")


def family_usage(prog, family, outputs=True):
    """The usage line of a family: its required options, then the others in brackets."""
    words = []
    for name, kind, required, _, _ in family_options(family):
        metavar = _metavar(kind)
        words.append(f"{flag(name)} {metavar}" if required else f"[{flag(name)} {metavar}]")
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


def add_family_arguments(parser, family):
    """Add a family's options to ``parser``, each with its type, default and meaning."""
    # Required options are checked after parsing (check_family_args), so that an
    # unknown option is reported as such rather than as a missing one.
    group = parser.add_argument_group(f"{family} options")
    for name, kind, required, default, text in family_options(family):
        option = flag(name)
        if default is None and name in _COMPUTED_DEFAULTS:
            default = _COMPUTED_DEFAULTS[name]
        shown = "required" if required else f"default: {show_default(default)}"
        text = (text.rstrip(".") + f" ({shown})" if text else f"({shown})").replace("%", "%%")
        group.add_argument(
            option,
            dest="arg:" + name,
            type=_converter(kind),
            choices=kind[1] if isinstance(kind, tuple) else None,
            metavar=_metavar(kind),
            default=argparse.SUPPRESS,
            help=text,
        )


def show_default(default):
    """A default as it would be typed: ``false``, ``30,80``."""
    if isinstance(default, (list, tuple)):
        return ",".join(map(str, default)) or "none"
    return str(default).lower() if isinstance(default, bool) else str(default)


def positive(text):
    """``--steps``: a whole number in ``[1, 2**53]``."""
    value = to_int(text)
    if not 1 <= value <= 2**53:
        raise argparse.ArgumentTypeError(f"must be a whole number in [1, 2**53], got {text!r}")
    return value


def to_count(text):
    """``--start``: a whole number in ``[0, 2**53]``."""
    value = to_int(text)
    if not 0 <= value <= 2**53:
        raise argparse.ArgumentTypeError(f"must be a whole number in [0, 2**53], got {text!r}")
    return value


def description(family):
    """The first paragraph of a factory's docstring, for its ``--help``."""
    doc = inspect.getdoc(FACTORIES[family]) or ""
    first = plain_text(doc.split("\n\n")[0])
    return f"lrjit.{family}: {first}"


# -- building schedules


def rewrite(message, names):
    """A factory's message with its parameter names spelled as the options the user typed."""
    for name in sorted(names, key=len, reverse=True):
        message = re.sub(rf"(?<![\w-]){re.escape(name)}\b", flag(name), message)
    return message


def _build(family, kwargs):
    """``FACTORIES[family](**kwargs)``; JSON configs in arguments become schedules."""
    for name, value in kwargs.items():
        if isinstance(value, dict):
            kwargs[name] = from_dict(value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            kwargs[name] = [from_dict(v) for v in value]
    return FACTORIES[family](**kwargs)


def check_family_args(family, namespace, extra, usage):
    """Unknown options first, then missing required ones, each as one line."""
    options = family_options(family)
    if extra:
        valid = ", ".join(flag(o[0]) for o in options)
        raise CLIError(f"unrecognized arguments: {' '.join(extra)}; {family} takes {valid} "
                       f"(see {usage} --help)")
    missing = [flag(o[0]) for o in options if o[2] and not hasattr(namespace, "arg:" + o[0])]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise CLIError(f"{' and '.join(missing)} {verb} required (see {usage} --help)")


def family_schedule(family, namespace):
    """The schedule of the ``arg:NAME`` values argparse put in ``namespace``."""
    kwargs = {k[4:]: v for k, v in vars(namespace).items() if k.startswith("arg:")}
    try:
        return _build(family, kwargs)
    except (ValueError, TypeError, OverflowError) as exc:
        names = list(inspect.signature(FACTORIES[family]).parameters)
        raise CLIError(rewrite(str(exc), names)) from None


