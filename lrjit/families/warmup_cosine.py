"""Linear warmup then cosine decay (optax's ``warmup_cosine_decay_schedule``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import check_count, check_end_value, check_value
from .._jit import jit
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule
from .cosine import cosine_kernel

CODE = 6


@jit
def warmup_cosine_kernel(
    step, peak_value, warmup_steps, decay_steps, init_value, end_value, libm_cos=0.0
):
    """Linear warmup from ``init_value`` to ``peak_value``, then cosine to ``end_value``.

    ``decay_steps`` is the whole length, warmup included (optax's convention)::

        init + (peak - init) * (step / W)            step < W
        cosine(step - W, peak, decay_steps - W, end)  step >= W, held at end

    The cosine is ``cospi`` (``libm_cos`` 0) or libm's (1), as in :func:`cosine_kernel`.

    >>> warmup_cosine_kernel(5.0, 1.0, 10.0, 110.0, 0.0, 0.0)
    0.5
    """
    if phase_at(step, peak_value, warmup_steps, decay_steps, init_value, end_value) == 1:
        return warmup_phase(step, peak_value, warmup_steps, decay_steps, init_value, end_value)
    return decay_phase(
        step, peak_value, warmup_steps, decay_steps, init_value, end_value, libm_cos
    )


@jit
def phase_at(step, peak_value, warmup_steps, decay_steps, init_value, end_value):
    """1 where :func:`warmup_cosine_kernel` warms up (``step < W``), 2 where it decays.

    Nondecreasing in ``step``: the table drivers fill each phase with its own
    loop (:func:`lrjit.kernels.dispatch.first_in_phase`), and the cosine's
    loop, free of the branch, vectorizes.
    """
    return 1 if step < warmup_steps else 2


@jit
def warmup_phase(step, peak_value, warmup_steps, decay_steps, init_value, end_value, libm_cos=0.0):
    """:func:`warmup_cosine_kernel` for ``step < warmup_steps``: the linear warmup."""
    return init_value + (peak_value - init_value) * (step / warmup_steps)


@jit
def decay_phase(step, peak_value, warmup_steps, decay_steps, init_value, end_value, libm_cos=0.0):
    """:func:`warmup_cosine_kernel` for ``step >= warmup_steps``: the cosine."""
    return cosine_kernel(
        step - warmup_steps, peak_value, decay_steps - warmup_steps, end_value, 0, 1.0, 1.0,
        libm_cos,
    )


def warmup_cosine(
    peak_value, warmup_steps, decay_steps, *, init_value=0.0, end_value=None, alpha=None,
    min_lr_rate=None,
) -> Schedule:
    """Linear warmup from ``init_value`` to ``peak_value``, then cosine decay to ``end_value``.

    ``decay_steps`` is the length of the whole schedule, warmup included
    (optax's ``warmup_cosine_decay_schedule`` convention), so the cosine
    lasts ``decay_steps - warmup_steps`` steps.  With ``W = warmup_steps``::

        init + (peak - init) * t / W                                 t < W
        end + (peak - end) * (1 + cos(pi * (t - W) / (decay_steps - W))) / 2   W <= t <= decay_steps
        end                                                          t > decay_steps

    The end value is ``end_value`` (absolute, default 0; optax's and timm's
    spelling), or a ratio of ``peak_value``: ``alpha`` (keras' ``CosineDecay``)
    or ``min_lr_rate`` (transformers 5.x's ``cosine_with_min_lr``), at most
    one of the three.  Everything past ``decay_steps`` is keyword-only
    (optax's ``warmup_cosine_decay_schedule`` starts with ``init_value``).

    >>> import lrjit
    >>> lrjit.warmup_cosine(1.0, 10, 110, min_lr_rate=0.1)(110)
    0.1
    >>> s = lrjit.warmup_cosine(1.0, warmup_steps=10, decay_steps=110)
    >>> s(5), s(10), s(60), s(200)
    (0.5, 1.0, 0.5, 0.0)
    """
    peak = check_value("peak_value", peak_value)
    args = {
        "peak_value": peak,
        "warmup_steps": check_count("warmup_steps", warmup_steps, minimum=0),
        "decay_steps": check_count("decay_steps", decay_steps),
        "init_value": check_value("init_value", init_value),
        "end_value": check_end_value(end_value, peak, "peak_value", alpha=alpha,
                                     min_lr_rate=min_lr_rate),
    }
    if args["decay_steps"] <= args["warmup_steps"]:
        raise ValueError(
            f"decay_steps counts the warmup and must be > warmup_steps={args['warmup_steps']}, "
            f"got {args['decay_steps']}"
        )
    return FAMILY.schedule(args, args["decay_steps"])


FAMILY = register("warmup_cosine", warmup_cosine, warmup_cosine_kernel, CODE)
