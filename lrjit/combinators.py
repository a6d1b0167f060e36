"""Tier 3: combinators on schedules: products, warmup on any schedule, noise.

Each returns a :class:`lrjit.Schedule` whose program is still one set of
arrays (:mod:`lrjit.kernels.compose`): ``lr_at``, tables, sweeps and CUDA
evaluate it with no recompilation.  They are configs like the families
(``"type"`` in :func:`lrjit.from_dict`), listed in :data:`COMBINATORS`.
"""

import math

import numpy as np

from ._checks import MAX_VALUE, check_choice, check_count, check_flag, check_real, check_value
from .families import constant as _constant
from .kernels import compose as _op
from .schedule import Schedule

__all__ = ["multiply", "warmup_then", "with_noise", "COMBINATORS", "is_composite"]

_SHAPES = {"linear": _op.RAMP_LINEAR, "cosine": _op.RAMP_COSINE, "constant": _op.RAMP_CONSTANT}
_NOISE_KINDS = {"normal": _op.NOISE_NORMAL, "uniform": _op.NOISE_UNIFORM}
# How far multiply looks for each factor's largest value (to refuse overflow).
_PEAK_STEPS = 1 << 20


def is_composite(schedule):
    """Whether ``schedule``'s program is a product of segments rather than a plain join."""
    return bool(schedule.kinds[0] < 0)


# -- programs as (scale, segments); a segment is (lo, hi, shift, body pieces)


def segments(schedule):
    """``(scale, [(lo, hi, shift, [(kind, row, start), ...]), ...])`` of any schedule.

    A segment's body is a join of pieces on the segment's time ``t - shift``.
    """
    kinds, params, starts = schedule.program
    if kinds[0] != _op.PRODUCT:
        rows = [(int(k), params[i], float(starts[i])) for i, k in enumerate(kinds)]
        return 1.0, [(0.0, math.inf, 0.0, rows)]
    segs = []
    for i in range(1, len(kinds) - 1, 2):
        lo, hi, shift = (float(x) for x in params[i, :3])
        segs.append((lo, hi, shift, [(int(kinds[i + 1]), params[i + 1], 0.0)]))
    return float(params[0, 0]), segs


def _is_flat(scale, segs):
    return scale == 1.0 and len(segs) == 1 and segs[0][:3] == (0.0, math.inf, 0.0)


def pieces_of(scale, segs):
    """The ``(kind, row, start)`` pieces of a program: plain when it can be.

    A composite program gives each body piece a segment of its own, windowed
    to where that piece is active (:mod:`lrjit.kernels.compose`).
    """
    if _is_flat(scale, segs) and all(kind >= 0 for kind, _, _ in segs[0][3]):
        return segs[0][3]
    pieces = [(_op.PRODUCT, [scale], 0.0)]
    for lo, hi, shift, body in segs:
        for j, (kind, row, start) in enumerate(body):
            l = max(lo, shift + start)
            h = min(hi, shift + body[j + 1][2]) if j + 1 < len(body) else hi
            if l < h:
                pieces.append((_op.SEGMENT, [l, h, shift + start], math.inf))
                pieces.append((kind, row, math.inf))
    return pieces


def _windowed(segs, lo, hi, offset):
    """``segs`` of a schedule run from ``offset`` on, seen only on ``[lo, hi)``."""
    out = []
    for l, h, shift, body in segs:
        l, h = max(l + offset, lo), min(h + offset, hi)
        if l < h:
            out.append((l, h, shift + offset, body))
    return out


def join_pieces(parts, boundaries):
    """The pieces of ``parts`` (``(scale, segments)``) joined at ``boundaries``.

    Flat parts merge into one body, like :func:`lrjit.join` does; otherwise
    each part's segments are windowed to its interval, its scale a constant
    segment there.
    """
    edges = [0, *boundaries, math.inf]
    if all(_is_flat(*p) for p in parts):
        body = []
        for k, (_, segs) in enumerate(parts):
            for kind, row, start in segs[0][3]:
                if edges[k] + start >= edges[k + 1]:
                    break
                body.append((kind, row, edges[k] + start))
        return pieces_of(1.0, [(0.0, math.inf, 0.0, body)])
    segs = []
    for k, (scale, inner) in enumerate(parts):
        lo, hi = float(edges[k]), float(edges[k + 1])
        segs += _windowed(inner, lo, hi, lo)
        if scale != 1.0:
            segs.append((lo, hi, 0.0, [(_constant.CODE, [scale], 0.0)]))
    return pieces_of(1.0, segs)


def _peak(schedule):
    """The largest value over the first ``max(horizon + 1, ...)`` steps (capped)."""
    return float(np.max(schedule.table(min(schedule.horizon + 2, _PEAK_STEPS))))


# -- the combinators


def multiply(a, b):
    """The product ``a(t) * b(t)`` of two schedules, or of a schedule and a constant.

    transformers' schedules are multipliers of a base learning rate: ``base *
    lambda``; ``s * c`` and ``c * s`` are this too.  One program: its pieces'
    values multiplied in the compiled loop, ``a``'s first.

    >>> import lrjit
    >>> s = lrjit.multiply(lrjit.cosine(1.0, decay_steps=100), lrjit.linear(0.0, 1.0, 10))
    >>> s(5), s(50)
    (0.49692208514878444, 0.5)
    >>> (lrjit.constant(0.5) * 0.2)(3)
    0.1
    """
    if not isinstance(a, Schedule) and not isinstance(b, Schedule):
        raise TypeError(
            f"multiply needs at least one Schedule, got {type(a).__name__} and {type(b).__name__}"
        )
    args = {
        "a": a if isinstance(a, Schedule) else check_value("a", a),
        "b": b if isinstance(b, Schedule) else check_value("b", b),
    }
    scale, segs, horizon, peak = 1.0, [], 0, 1.0
    for name in ("a", "b"):
        x = args[name]
        if isinstance(x, Schedule):
            sc, sg = segments(x)
            scale *= sc
            segs += sg
            horizon = max(horizon, x.horizon)
            peak *= _peak(x)
        else:
            scale *= x
            peak *= x
    if not peak <= MAX_VALUE:
        raise ValueError(
            f"multiply: the product reaches about {peak:g}, above lrjit's limit on "
            f"learning-rate values ({MAX_VALUE:g}); scale a factor down"
        )
    return Schedule("multiply", args, pieces_of(scale, segs), horizon)


def warmup_then(schedule, warmup_steps, *, init_value=0.0, shape="linear", prefix=True):
    """A warmup of ``warmup_steps`` from ``init_value`` to ``schedule(0)``, then ``schedule``.

    With ``W = warmup_steps``, ``v0 = init_value``, ``v1 = schedule(0)`` and
    ``t < W`` the value is ``v0 + t * ((v1 - v0) / W)`` (``shape="linear"``,
    timm's operation order), ``v0 + (v1 - v0) * (1 - cos(pi t / W)) / 2``
    (``"cosine"``) or ``v0`` (``"constant"``).  From ``t = W`` on:

    - ``prefix=True``: ``schedule(t - W)``, the schedule starts after the
      warmup (a join; timm's ``warmup_prefix=True``);
    - ``prefix=False``: ``schedule(t)``, the warmup replaces the schedule's
      first ``W`` steps (timm's default ``warmup_prefix=False``).

    timm's ``warmup_t``/``warmup_lr_init`` ramp to the base value (the
    schedule's value at 0), never reaching it before switching; this does too.

    >>> import lrjit
    >>> s = lrjit.warmup_then(lrjit.cosine(1.0, decay_steps=100), 10, prefix=False)
    >>> s(5), s(50)
    (0.5, 0.5)
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(
            f"schedule must be a Schedule (from lrjit.cosine(...) etc.), got {schedule!r}"
        )
    args = {
        "schedule": schedule,
        "warmup_steps": check_count("warmup_steps", warmup_steps),
        "init_value": check_value("init_value", init_value),
        "shape": check_choice("shape", shape, tuple(_SHAPES)),
        "prefix": check_flag("prefix", prefix),
    }
    w, v0 = args["warmup_steps"], args["init_value"]
    v1 = schedule(0)
    row = [v0, (v1 - v0) / w, v1, w, _SHAPES[shape]]  # timm's increment, in Python
    ramp = (1.0, [(0.0, math.inf, 0.0, [(_op.RAMP, row, 0.0)])])
    if args["prefix"]:
        pieces = join_pieces([ramp, segments(schedule)], [w])
        horizon = w + schedule.horizon
    else:
        scale, segs = segments(schedule)
        segs = _windowed(ramp[1], 0.0, float(w), 0.0) + _windowed(segs, float(w), math.inf, 0.0)
        if scale != 1.0:
            segs.append((float(w), math.inf, 0.0, [(_constant.CODE, [scale], 0.0)]))
        pieces = pieces_of(1.0, segs)
        horizon = max(w, schedule.horizon)
    return Schedule("warmup_then", args, pieces, horizon)


def with_noise(schedule, pct, *, std=1.0, seed=0, kind="normal", begin=0, end=None):
    """``schedule`` with timm's multiplicative noise on steps ``begin <= t < end``.

    The value at step ``t`` is ``v + v * noise(t)`` with ``v = schedule(t)``
    (timm's ``_add_noise``, ``noise_range_t=(begin, end)``, ``noise_pct=pct``,
    ``noise_type=kind``, ``noise_seed=seed``).  ``kind="uniform"``: ``noise =
    2 * (u - 0.5) * pct`` for ``u`` uniform in (0, 1).  ``kind="normal"``:
    ``noise = std * z``, ``z`` standard normal, redrawn until ``|noise| <
    pct`` (a normal truncated to ``(-pct, pct)``; timm 1.0 ignores its
    ``noise_std``, which is ``std=1``).  The draws come from Philox4x32-10
    keyed by ``seed`` and counted by the step (fractional steps use their
    integer part), so every path gives the same value and nothing is carried
    between steps; they are timm's distribution, not torch's generator's numbers.

    >>> import lrjit
    >>> s = lrjit.with_noise(lrjit.constant(1.0), 0.1, seed=3)
    >>> 0.9 < s(7) < 1.1, bool(s(7) == s.table(8)[7])
    (True, True)
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(
            f"schedule must be a Schedule (from lrjit.cosine(...) etc.), got {schedule!r}"
        )
    args = {
        "schedule": schedule,
        "pct": check_real("pct", pct, 0.0, 1.0, low_open=True),
        "std": check_real("std", std, 0.0, MAX_VALUE, low_open=True),
        "seed": check_count("seed", seed, minimum=0),
        "kind": check_choice("kind", kind, tuple(_NOISE_KINDS)),
        "begin": check_count("begin", begin, minimum=0),
        "end": None if end is None else check_count("end", end),
    }
    if args["end"] is not None and args["end"] <= args["begin"]:
        raise ValueError(f"end must be greater than begin={args['begin']}, got {args['end']}")
    seed = args["seed"]
    row = [args["pct"], args["std"], seed & 0xFFFFFFFF, seed >> 32, _NOISE_KINDS[kind]]
    hi = math.inf if args["end"] is None else float(args["end"])
    scale, segs = segments(schedule)
    segs = [*segs, (float(args["begin"]), hi, 0.0, [(_op.NOISE, row, 0.0)])]
    horizon = max(schedule.horizon, args["begin"], args["end"] or 0)
    return Schedule("with_noise", args, pieces_of(scale, segs), horizon)


#: Every combinator by name: ``"type"`` values :func:`lrjit.from_dict` resolves beside the families.
COMBINATORS = {"multiply": multiply, "warmup_then": warmup_then, "with_noise": with_noise}
