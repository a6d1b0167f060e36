"""Composition: pieces switching at absolute boundaries (optax's ``join_schedules``)."""

import math

from .._checks import MAX_STEPS, check_count, check_sequence
from ..schedule import Schedule
from ._registry import register


def join(schedules, boundaries) -> Schedule:
    """Piece ``k`` runs from ``boundaries[k-1]`` on its local step ``t - boundaries[k-1]``.

    ``boundaries`` are ``len(schedules) - 1`` strictly increasing absolute
    steps (> 0).  Joins nest, and a join of joins is flattened into one join
    (its ``args`` and :meth:`~lrjit.Schedule.to_dict` hold the flat form, and
    it equals the flat join), so schedules never nest: any depth of
    composition pickles, compares and prints in constant stack.

    >>> import lrjit
    >>> warm = lrjit.linear(0.0, 1.0, transition_steps=10)
    >>> s = lrjit.join([warm, lrjit.cosine(1.0, decay_steps=100)], boundaries=[10])
    >>> s(5), s(10), s(60)
    (0.5, 1.0, 0.5)
    """
    if isinstance(schedules, Schedule) or not isinstance(schedules, (list, tuple)):
        raise TypeError(f"schedules must be a list of Schedule objects, got {schedules!r}")
    if not schedules:
        raise ValueError("schedules must hold at least one Schedule, got an empty list")
    for k, s in enumerate(schedules):
        if not isinstance(s, Schedule):
            raise TypeError(
                f"schedules[{k}] must be a Schedule (from lrjit.cosine(...) etc.), "
                f"got {s!r} ({type(s).__name__})"
            )
    boundaries = check_sequence("boundaries", boundaries, "integers")
    boundaries = tuple(
        check_count(f"boundaries[{k}]", b, minimum=1) for k, b in enumerate(boundaries)
    )
    if len(boundaries) != len(schedules) - 1:
        raise ValueError(
            f"boundaries must hold len(schedules) - 1 = {len(schedules) - 1} steps, "
            f"got {len(boundaries)}: {list(boundaries)}"
        )
    for k in range(1, len(boundaries)):
        if boundaries[k] <= boundaries[k - 1]:
            raise ValueError(
                f"boundaries must be strictly increasing, got boundaries[{k - 1}]="
                f"{boundaries[k - 1]} then boundaries[{k}]={boundaries[k]}"
            )
    schedules, boundaries = _flatten(schedules, boundaries)
    args = {"schedules": tuple(schedules), "boundaries": boundaries}
    horizon = (boundaries[-1] if boundaries else 0) + schedules[-1].horizon
    if any(s.kinds[0] < 0 for s in schedules):
        # products, warmups, noise: windowed segments (lrjit.combinators)
        from ..combinators import join_pieces, segments

        pieces = join_pieces([segments(s) for s in schedules], boundaries)
        return FAMILY.schedule(args, horizon, pieces)
    pieces = []
    for k, s in enumerate(schedules):
        offset = boundaries[k - 1] if k else 0
        end = boundaries[k] if k < len(boundaries) else math.inf
        for kind, row, start in zip(s.kinds, s.params, s.starts):
            if offset + start >= end:
                break  # a piece cut off by the next boundary
            if offset + int(start) > MAX_STEPS:
                # beyond 2**53 the float64 start would round onto its neighbour
                raise ValueError(
                    f"boundaries[{k - 1}]={offset} puts step {int(start)} of schedules[{k}] "
                    f"(of the flattened join), where it switches pieces, at "
                    f"{offset + int(start)}; keep every switch step of a join within 2**53"
                )
            pieces.append((int(kind), row, offset + float(start)))
    return FAMILY.schedule(args, horizon, pieces)


def _flatten(schedules, boundaries):
    """``(schedules, boundaries)`` with every nested join replaced by its children.

    A nested join's children start at its offset plus its own boundaries; a
    child that would start at or after the outer join's next boundary is cut
    off, as it would be in the program.  Nested joins are flat already (they
    were built by this factory), so one pass suffices.
    """
    flat, starts = [], []
    for k, s in enumerate(schedules):
        offset = boundaries[k - 1] if k else 0
        end = boundaries[k] if k < len(boundaries) else math.inf
        if s.family != "join":
            flat.append(s)
            starts.append(offset)
            continue
        inner = s.args
        for j, child in enumerate(inner["schedules"]):
            start = offset + (inner["boundaries"][j - 1] if j else 0)
            if start >= end:
                break
            if start > MAX_STEPS:
                raise ValueError(
                    f"boundaries[{k - 1}]={offset} puts boundary {start - offset} of "
                    f"schedules[{k}] at {start}; keep every switch step of a join within 2**53"
                )
            flat.append(child)
            starts.append(start)
    return tuple(flat), tuple(starts[1:])


FAMILY = register("join", join, sequences=("schedules", "boundaries"))
