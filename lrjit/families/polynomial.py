"""Polynomial decay to an end value (optax's ``polynomial_schedule``, timm's k-decay)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import check_count, check_real, check_value
from .._jit import jit
from ..kernels.power import power as power_of
from ._registry import register
from .cosine import check_k_decay

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 4


@jit
def polynomial_kernel(
    step, init_value, end_value, power, transition_steps, transition_begin=0.0, k_decay=1.0,
    libm_pow=0.0,
):
    """``(init - end) * (1 - u/T) ** power + end``, ``u = clip(step - begin, 0, T)``.

    optax 0.2.8's ``polynomial_schedule`` in its operation order.
    ``k_decay`` (timm's ``PolyLRScheduler``) makes it ``1 - u**k / T**k``;
    it defaults to 1, and 0 also means 1 (programs saved before it existed).

    Powers are :func:`lrjit.kernels.power.power`: at ``power`` 1 the
    fraction itself, at 2 ``frac * frac`` and at 1/2 ``sqrt(frac)``, both
    correctly rounded, as NumPy's ``x ** p`` shortcuts do; elsewhere libm's
    ``pow``.  ``libm_pow`` 1 (the torch front-end) keeps libm's ``pow`` at 2
    and 1/2 too: torch's bits.

    >>> polynomial_kernel(50.0, 1.0, 0.0, 2.0, 100.0)
    0.25
    """
    u = step - transition_begin
    if u < 0.0:
        u = 0.0
    if k_decay == 0.0 or k_decay == 1.0:
        frac = 1.0 - min(u, transition_steps) / transition_steps
    else:
        frac = 1.0 - (
            power_of(min(u, transition_steps), k_decay, libm_pow)
            / power_of(float(transition_steps), k_decay, libm_pow)
        )
    return (init_value - end_value) * power_of(frac, power, libm_pow) + end_value


@jit(inline="always")
def squares(power, k_decay, libm_pow):
    """True where :func:`polynomial_kernel` squares (power 2, the core's ``pow``, no k-decay).

    The drivers then pass the power as the constant 2.0: the loop calls no
    ``pow`` and vectorizes, with the same bits.
    """
    return power == 2.0 and libm_pow == 0.0 and (k_decay == 0.0 or k_decay == 1.0)


def polynomial(
    init_value, end_value, power, transition_steps, *, transition_begin=0, k_decay=1.0
) -> Schedule:
    """``(init - end) * (1 - u / T) ** power + end``, ``u = clip(t - begin, 0, T)``.

    optax 0.2.8's ``polynomial_schedule`` (bitwise, its operation order),
    ``transition_begin`` included, in optax's positional order (the first
    four; the rest keyword-only).  ``k_decay`` is timm 1.0's k-decay
    (``PolyLRScheduler``): ``1 - u**k / T**k`` inside the power, in
    ``(0, 10]``.  The end value stays absolute (as transformers' ``lr_end``).

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
    begin = check_count("transition_begin", transition_begin, minimum=0)
    k = check_k_decay(k_decay)
    # optional parameters are stored only away from their defaults (older reprs stay)
    if begin:
        args["transition_begin"] = begin
    if k != 1.0:
        args["k_decay"] = k
    horizon = begin + args["transition_steps"]
    if horizon > 2**53:
        raise ValueError(f"transition_begin + transition_steps must be <= 2**53, got {horizon}")
    return FAMILY.schedule(args, horizon)


FAMILY = register("polynomial", polynomial, polynomial_kernel, CODE)
