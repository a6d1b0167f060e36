"""Cosine annealing (torch's ``CosineAnnealingLR``, optax's ``cosine_decay_schedule``, timm)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import check_count, check_end_value, check_flag, check_real, check_value
from .._jit import jit
from ..kernels.cospi import cos_turns
from ..kernels.power import power
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 5
# k-decay raises steps to the power k: at most 10 keeps (2**62)**k finite
K_DECAY_MAX = 10.0


@jit
def cosine_kernel(
    step, init_value, decay_steps, end_value, periodic, exponent=1.0, k_decay=1.0, libm_cos=0.0
):
    """Cosine annealing from ``init_value`` to ``end_value`` over ``decay_steps``.

    ``end + (init - end) * (1 + cos(pi * t / T)) / 2`` with ``T = decay_steps``
    and ``t = step``, in torch's operation order.  When ``periodic`` is 0 the
    step is held at ``T`` (the value stays at ``end_value``); otherwise the
    cosine goes on, as torch's CosineAnnealingLR does.  ``k_decay`` (timm)
    makes the angle ``pi * t**k / T**k``; ``exponent`` (optax) raises the
    half-cosine ``(1 + cos) / 2`` to a power.  Both default to 1, and 0 also
    means 1 (rows saved before they existed): those rows keep their bits.
    Their powers are :func:`lrjit.kernels.power.power` (a square or a
    square root where the exponent is 2 or 1/2; torch has neither option).
    The cosine is :func:`lrjit.kernels.cospi.cospi` ``(t / T)`` (``libm_cos``
    0, every core schedule) or libm's ``math.cos(math.pi * t / T)``
    (``libm_cos`` 1, the torch front-end's choice): see
    :func:`lrjit.kernels.cospi.cos_turns`.

    >>> cosine_kernel(50.0, 1.0, 100.0, 0.0, 0.0)
    0.5
    """
    t = float(step)
    if periodic == 0 and t > decay_steps:
        t = float(decay_steps)
    d = float(decay_steps)
    if k_decay != 0.0 and k_decay != 1.0:
        t = power(t, k_decay, 0.0)
        d = power(d, k_decay, 0.0)
    h = 1.0 + cos_turns(t, d, libm_cos)
    if exponent == 0.0 or exponent == 1.0:
        return end_value + (init_value - end_value) * h / 2.0
    return end_value + (init_value - end_value) * power(h / 2.0, exponent, 0.0)


@jit(inline="always")
def at_defaults(exponent, k_decay, libm_cos):
    """True where :func:`cosine_kernel`'s optional columns hold their defaults (0 means 1).

    The drivers then call the kernel without them: constants LLVM folds, so
    the loop has no branch and calls no ``pow`` (a table loop vectorizes).
    """
    return libm_cos == 0.0 and (exponent == 0.0 or exponent == 1.0) and (
        k_decay == 0.0 or k_decay == 1.0
    )


def cosine(
    init_value, decay_steps, *, end_value=None, alpha=None, min_lr_rate=None, periodic=False,
    exponent=1.0, k_decay=1.0,
) -> Schedule:
    """Cosine annealing: ``end + (init - end) * ((1 + cos(pi * t**k / T**k)) / 2) ** exponent``.

    ``T = decay_steps``.  After ``T`` the value is held at the end value; with
    ``periodic=True`` the cosine goes on (back up to ``init_value`` at
    ``2T``), as torch's CosineAnnealingLR does (bitwise: its operation order).

    The end value is ``end_value`` (absolute, default 0), or ``alpha *
    init_value`` (optax 0.2.8's ``cosine_decay_schedule`` ratio) or
    ``min_lr_rate * init_value`` (transformers' name for the same ratio);
    give at most one.  Everything past ``decay_steps`` is keyword-only:
    optax's third positional argument is ``alpha``, so ``cosine(0.1, 1000,
    0.1)`` is a ``TypeError`` rather than a silent constant.

    ``exponent`` is optax's (``init * ((1 - alpha) * c ** exponent + alpha)``
    there, the same to rounding); ``k_decay`` is timm 1.0's k-decay
    (``CosineLRScheduler``: ``pi * t**k / T**k``).  At their default of 1
    the values are bitwise those without them.

    The cosine is :func:`lrjit.kernels.cospi.cospi` ``(t / T)``: within 1 ulp
    of the correctly rounded cosine, and the same bits on every CPU path
    (``s(t)``, tables, ufuncs, ``lr_at``, sweeps).  A formula typed in Python,
    ``math.cos(math.pi * t / T)``, rounds ``pi * t`` first: its cosine differs
    by at most ~3e-16 absolute (a few ulps near the cosine's zeros), so the
    values differ by at most a few ulps of ``init - end``; at ``t = T / 2``
    this gives exactly ``(init + end) / 2``.  The torch front-end
    (:mod:`lrjit.optim`) keeps libm's cosine, bitwise equal to torch.

    >>> import lrjit
    >>> s = lrjit.cosine(1.0, decay_steps=100, end_value=0.1)
    >>> s(0), s(100), s(150)
    (1.0, 0.1, 0.1)
    >>> lrjit.cosine(1.0, 100, alpha=0.5)(100)
    0.5
    >>> s(50)  # cospi(1/2) is 0 exactly; math.cos(math.pi / 2) is 6.1e-17
    0.55
    """
    init = check_value("init_value", init_value)
    args = {
        "init_value": init,
        "decay_steps": check_count("decay_steps", decay_steps),
        "end_value": check_end_value(end_value, init, "init_value", alpha=alpha,
                                     min_lr_rate=min_lr_rate),
        "periodic": check_flag("periodic", periodic),
    }
    _optional(args, exponent, k_decay)
    return FAMILY.schedule(args, args["decay_steps"])


def _optional(args, exponent, k_decay):
    """Store the shape parameters in ``args`` only when they are not their default 1."""
    for name, v in (("exponent", check_real("exponent", exponent, 0.0, 1e6, low_open=True)),
                    ("k_decay", check_k_decay(k_decay))):
        if v != 1.0:
            args[name] = v


def check_k_decay(k_decay):
    """timm's k-decay exponent: in ``(0, 10]``."""
    return check_real("k_decay", k_decay, 0.0, K_DECAY_MAX, low_open=True)


FAMILY = register("cosine", cosine, cosine_kernel, CODE)
