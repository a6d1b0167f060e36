"""Tier 3 factories: validate arguments, return an immutable :class:`Schedule`.

Vocabulary (one meaning per name): ``init_value`` is the value at step 0,
``end_value`` the value once the schedule has run its course, ``*_steps`` are
whole numbers of steps, ``boundaries`` are absolute steps.
"""

import math

from ..kernels import dispatch
from .._checks import MAX_STEPS, check_count, check_flag, check_real, check_value
from ._core import Schedule, register

__all__ = [
    "constant",
    "linear",
    "step_decay",
    "multistep",
    "exponential",
    "polynomial",
    "cosine",
    "warmup_cosine",
    "join",
]


@register
def constant(value):
    """``value`` at every step.

    >>> import lrjit
    >>> lrjit.constant(0.1)(1000)
    0.1
    """
    args = {"value": check_value("value", value)}
    return Schedule.single("constant", dispatch.CONSTANT, args, horizon=0)


@register
def linear(init_value, end_value, transition_steps, transition_begin=0):
    """Linear ramp from ``init_value`` to ``end_value``.

    With ``u = t - transition_begin`` and ``T = transition_steps``, the value is
    ``init_value`` for ``u <= 0``, ``init_value + (end_value - init_value) * u / T``
    for ``0 < u < T`` and ``end_value`` for ``u >= T``.

    >>> import lrjit
    >>> s = lrjit.linear(0.0, 1.0, transition_steps=100, transition_begin=50)
    >>> s(0), s(100), s(1000)
    (0.0, 0.5, 1.0)
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "end_value": check_value("end_value", end_value),
        "transition_steps": check_count("transition_steps", transition_steps),
        "transition_begin": check_count("transition_begin", transition_begin, minimum=0),
    }
    horizon = args["transition_begin"] + args["transition_steps"]
    return Schedule.single("linear", dispatch.LINEAR, args, horizon)


@register
def step_decay(init_value, step_size, gamma=0.1):
    """``init_value * gamma ** floor(t / step_size)``: torch's StepLR.

    >>> import lrjit
    >>> lrjit.step_decay(1.0, step_size=10, gamma=0.5)(25)
    0.25
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "step_size": check_count("step_size", step_size),
        "gamma": check_real("gamma", gamma, 0.0, 1.0, low_open=True),
    }
    return Schedule.single("step_decay", dispatch.STEP_DECAY, args, horizon=args["step_size"])


@register
def multistep(init_value, milestones, gamma=0.1):
    """``init_value * gamma ** (number of milestones <= t)``: torch's MultiStepLR.

    ``milestones`` are steps in any order; a repeated milestone compounds.
    The program is a :func:`join` of constants, one per distinct milestone.

    >>> import lrjit
    >>> s = lrjit.multistep(1.0, milestones=[10, 20, 20], gamma=0.5)
    >>> s(9), s(10), s(20)
    (1.0, 0.5, 0.125)
    """
    init_value = check_value("init_value", init_value)
    gamma = check_real("gamma", gamma, 0.0, math.inf, low_open=True)
    if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
        raise TypeError(f"milestones must be a sequence of integers >= 0, got {milestones!r}")
    milestones = tuple(
        sorted(check_count(f"milestones[{i}]", m, minimum=0) for i, m in enumerate(milestones))
    )
    try:
        lowest = init_value * gamma ** float(len(milestones))
    except OverflowError:  # Python's float ** raises where the kernel would give inf
        lowest = math.inf
    if not math.isfinite(lowest) or lowest > 1e300:
        raise ValueError(
            f"gamma={gamma!r} over {len(milestones)} milestones takes init_value={init_value!r} "
            f"past 1e300; keep init_value * gamma ** len(milestones) in [0, 1e300]"
        )
    args = {"init_value": init_value, "milestones": milestones, "gamma": gamma}
    starts = sorted({0, *milestones})
    pieces = []
    for start in starts:
        passed = sum(1 for m in milestones if m <= start)
        # The same expression as kernels.multistep, so every path agrees bitwise.
        value = init_value * gamma ** float(passed)
        pieces.append((dispatch.CONSTANT, [value], float(start)))
    horizon = milestones[-1] if milestones else 0
    return Schedule("multistep", args, pieces, horizon)


@register
def exponential(init_value, gamma):
    """``init_value * gamma ** t``: torch's ExponentialLR, for ``0 < gamma <= 1``.

    >>> import lrjit
    >>> lrjit.exponential(1.0, gamma=0.5)(3)
    0.125
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "gamma": check_real("gamma", gamma, 0.0, 1.0, low_open=True),
    }
    g = args["gamma"]
    horizon = 0 if g == 1.0 else math.ceil(-1.0 / math.log(g))
    return Schedule.single("exponential", dispatch.EXPONENTIAL, args, horizon)


@register
def polynomial(init_value, end_value, power, transition_steps):
    """``(init - end) * (1 - min(t, T) / T) ** power + end``, ``T = transition_steps``.

    optax's ``polynomial_schedule`` (without ``transition_begin``).

    >>> import lrjit
    >>> lrjit.polynomial(1.0, 0.0, power=2.0, transition_steps=100)(50)
    0.25
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "end_value": check_value("end_value", end_value),
        "power": check_real("power", power, 0.0, 1e6),
        "transition_steps": check_count("transition_steps", transition_steps),
    }
    return Schedule.single("polynomial", dispatch.POLYNOMIAL, args, args["transition_steps"])


@register
def cosine(init_value, decay_steps, end_value=0.0, periodic=False):
    """Cosine annealing: ``end + (init - end) * (1 + cos(pi * t / T)) / 2``, ``T = decay_steps``.

    After ``T`` the value is held at ``end_value``; with ``periodic=True`` the
    cosine goes on (back up to ``init_value`` at ``2T``), as torch's
    CosineAnnealingLR does.

    >>> import lrjit
    >>> s = lrjit.cosine(1.0, decay_steps=100, end_value=0.1)
    >>> s(0), s(100), s(150)
    (1.0, 0.1, 0.1)
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "decay_steps": check_count("decay_steps", decay_steps),
        "end_value": check_value("end_value", end_value),
        "periodic": check_flag("periodic", periodic),
    }
    return Schedule.single("cosine", dispatch.COSINE, args, args["decay_steps"])


@register
def warmup_cosine(peak_value, warmup_steps, decay_steps, init_value=0.0, end_value=0.0):
    """Linear warmup from ``init_value`` to ``peak_value``, then cosine decay to ``end_value``.

    ``decay_steps`` is the length of the whole schedule, warmup included
    (optax's ``warmup_cosine_decay_schedule`` convention), so the cosine
    lasts ``decay_steps - warmup_steps`` steps.  With ``W = warmup_steps``::

        init + (peak - init) * t / W                                 t < W
        end + (peak - end) * (1 + cos(pi * (t - W) / (decay_steps - W))) / 2   W <= t <= decay_steps
        end                                                          t > decay_steps

    >>> import lrjit
    >>> s = lrjit.warmup_cosine(1.0, warmup_steps=10, decay_steps=110)
    >>> s(5), s(10), s(60), s(200)
    (0.5, 1.0, 0.5, 0.0)
    """
    args = {
        "peak_value": check_value("peak_value", peak_value),
        "warmup_steps": check_count("warmup_steps", warmup_steps, minimum=0),
        "decay_steps": check_count("decay_steps", decay_steps),
        "init_value": check_value("init_value", init_value),
        "end_value": check_value("end_value", end_value),
    }
    if args["decay_steps"] <= args["warmup_steps"]:
        raise ValueError(
            f"decay_steps counts the warmup and must be > warmup_steps={args['warmup_steps']}, "
            f"got {args['decay_steps']}"
        )
    return Schedule.single("warmup_cosine", dispatch.WARMUP_COSINE, args, args["decay_steps"])


@register
def join(schedules, boundaries):
    """Piece ``k`` runs from ``boundaries[k-1]`` on its local step ``t - boundaries[k-1]``.

    ``boundaries`` are ``len(schedules) - 1`` strictly increasing absolute
    steps (> 0).  Joins nest; the whole composition is flattened into one
    program, evaluated without Python per step.

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
    if isinstance(boundaries, (str, bytes)) or not hasattr(boundaries, "__iter__"):
        raise TypeError(f"boundaries must be a sequence of integers, got {boundaries!r}")
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
    pieces = []
    for k, s in enumerate(schedules):
        offset = boundaries[k - 1] if k else 0
        end = boundaries[k] if k < len(boundaries) else math.inf
        for kind, row, start in zip(s.kinds, s.params, s.starts):
            if offset + start >= end:
                break  # a nested piece cut off by this join's next boundary
            if offset + int(start) > MAX_STEPS:
                # beyond 2**53 the float64 start would round onto its neighbour
                raise ValueError(
                    f"boundaries[{k - 1}]={offset} puts step {int(start)} of schedules[{k}], "
                    f"where it switches pieces, at {offset + int(start)}; keep every "
                    "switch step of a join within 2**53"
                )
            pieces.append((int(kind), row, offset + float(start)))
    args = {"schedules": tuple(schedules), "boundaries": boundaries}
    horizon = (boundaries[-1] if boundaries else 0) + schedules[-1].horizon
    return Schedule("join", args, pieces, horizon)
