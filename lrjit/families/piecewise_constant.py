"""Values constant between boundaries (optax's ``piecewise_constant_schedule``, keras').

A join of constants, as :mod:`.multistep` is: no kernel or code of its own,
so the structure-aware table fills and the closed-form integral apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._checks import MAX_STEPS, check_choice, check_count, check_real, check_sequence, check_value
from . import constant
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CONVENTIONS = ("optax", "keras")


def check_boundaries_and_scales(boundaries_and_scales):
    """optax's ``{step: scale}`` (or ``(step, scale)`` pairs) as sorted pairs, steps distinct.

    Steps are whole numbers in ``[0, 2**53]``, scales finite and ``>= 0`` (optax
    refuses negative ones too).
    """
    name = "boundaries_and_scales"
    if boundaries_and_scales is None:
        return ()
    items = (boundaries_and_scales.items() if isinstance(boundaries_and_scales, Mapping)
             else check_sequence(name, boundaries_and_scales, "(step, scale) pairs"))
    pairs = []
    for k, item in enumerate(items):
        pair = check_sequence(f"{name}[{k}]", item, "a step and a scale")
        if len(pair) != 2:
            raise ValueError(f"{name}[{k}] must be a (step, scale) pair, got {item!r}")
        pairs.append((check_count(f"{name}[{k}] step", pair[0], minimum=0),
                      check_real(f"{name}[{k}] scale", pair[1], 0.0, 1e300)))
    pairs.sort()
    for (a, _), (b, _) in zip(pairs, pairs[1:]):
        if a == b:
            raise ValueError(f"{name} gives step {a} twice; give each boundary once")
    return tuple(pairs)


def cumulative_values(init_value, pairs):
    """``init`` then ``init * s1``, ``init * s1 * s2``, ...: optax's order of products."""
    values = [init_value]
    for k, (step, scale) in enumerate(pairs):
        v = scale * values[-1]
        if not v <= 1e300:
            raise ValueError(f"boundaries_and_scales takes init_value={init_value!r} past 1e300 "
                             f"at step {step} (boundary {k}); keep every product in [0, 1e300]")
        values.append(v)
    return values


def piecewise_constant(
    init_value=None, boundaries_and_scales=None, *, boundaries=None, values=None,
    convention="optax",
) -> Schedule:
    """A value that changes at boundaries: optax's scales or keras' values.

    Two spellings, one of them:

    * optax 0.2.8's ``piecewise_constant_schedule(init_value,
      boundaries_and_scales)``: ``init_value`` times every scale whose step
      ``b <= t`` (scales multiply: ``{100: 0.1, 200: 0.1}`` gives ``init``,
      ``init / 10``, ``init / 100``), bitwise optax's products;
    * keras 3's ``PiecewiseConstantDecay(boundaries, values)`` by name:
      ``values[k]`` between ``boundaries[k-1]`` and ``boundaries[k]`` (absolute
      values, ``len(values) == len(boundaries) + 1``).

    ``convention`` says on which side of a boundary ``b`` the new value
    starts: ``"optax"`` (default; optax, torch and every lrjit join) at step
    ``b`` itself; ``"keras"`` after it (keras compares ``step > b``): at step
    ``b + 1`` for the whole steps keras counts (at a fractional step between
    ``b`` and ``b + 1`` lrjit keeps the earlier value).

    Examples
    --------
    >>> import lrjit
    >>> s = lrjit.piecewise_constant(1.0, {100: 0.1, 200: 0.5})
    >>> s(99), s(100), s(200)
    (1.0, 0.1, 0.05)
    >>> k = lrjit.piecewise_constant(boundaries=[100], values=[1.0, 0.5], convention="keras")
    >>> k(100), k(101)
    (1.0, 0.5)
    """
    conv = check_choice("convention", convention, CONVENTIONS)
    shift = 1 if conv == "keras" else 0
    if (boundaries is None) != (values is None):
        raise ValueError("give boundaries and values together (keras' spelling)")
    if boundaries is not None:
        if init_value is not None or boundaries_and_scales is not None:
            raise ValueError("give init_value and boundaries_and_scales (optax's spelling) or "
                             "boundaries and values (keras'), not both")
        steps = check_sequence("boundaries", boundaries, "integers >= 0")
        steps = tuple(check_count(f"boundaries[{k}]", b, minimum=0) for k, b in enumerate(steps))
        vals = check_sequence("values", values, "learning rates")
        vals = tuple(check_value(f"values[{k}]", v) for k, v in enumerate(vals))
        if len(vals) != len(steps) + 1:
            raise ValueError(f"values must hold len(boundaries) + 1 = {len(steps) + 1} "
                             f"values, got {len(vals)}")
        for k in range(1, len(steps)):
            if steps[k] <= steps[k - 1]:
                raise ValueError(f"boundaries must be strictly increasing, got boundaries"
                                 f"[{k - 1}]={steps[k - 1]} then boundaries[{k}]={steps[k]}")
        args = {"boundaries": steps, "values": vals}
    else:
        if init_value is None:
            raise TypeError("missing argument 'init_value' (with 'boundaries_and_scales'), or "
                            "'boundaries' and 'values', for type 'piecewise_constant'")
        init = check_value("init_value", init_value)
        pairs = check_boundaries_and_scales(boundaries_and_scales)
        steps = tuple(b for b, _ in pairs)
        vals = tuple(cumulative_values(init, pairs))
        args = {"init_value": init, "boundaries_and_scales": pairs}
    if steps and steps[-1] + shift > MAX_STEPS:
        raise ValueError(f"the last boundary must be <= {MAX_STEPS - shift}, got {steps[-1]}")
    if conv != "optax":
        args["convention"] = conv
    return FAMILY.schedule(args, steps[-1] + shift if steps else 0,
                           constant_pieces(vals, [b + shift for b in steps]))


def constant_pieces(values, starts):
    """Program pieces: ``values[0]`` from 0, ``values[k]`` from ``starts[k-1]`` (a later
    value at the same start wins, so a boundary at 0 starts there)."""
    pieces = [(constant.CODE, [values[0]], 0.0)]
    for value, start in zip(values[1:], starts):
        if start == pieces[-1][2]:
            pieces[-1] = (constant.CODE, [value], float(start))
        else:
            pieces.append((constant.CODE, [value], float(start)))
    return pieces


FAMILY = register("piecewise_constant", piecewise_constant,
                  sequences=("boundaries_and_scales", "boundaries", "values"))
