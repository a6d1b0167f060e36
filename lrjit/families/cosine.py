"""Cosine annealing (optax's ``cosine_decay_schedule``, torch's ``CosineAnnealingLR``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._checks import check_count, check_flag, check_value
from .._jit import jit
from ..kernels.cospi import cos_turns
from ._registry import register

if TYPE_CHECKING:
    from ..schedule import Schedule

CODE = 5


@jit
def cosine_kernel(step, init_value, decay_steps, end_value, periodic, libm_cos=0.0):
    """Cosine annealing from ``init_value`` to ``end_value`` over ``decay_steps``.

    ``end + (init - end) * (1 + cos(pi * t / T)) / 2`` with ``T = decay_steps``
    and ``t = step``, in torch's operation order.  When ``periodic`` is 0 the
    step is held at ``T`` (the value stays at ``end_value``); otherwise the
    cosine goes on, as torch's CosineAnnealingLR does.  The cosine is
    :func:`lrjit.kernels.cospi.cospi` ``(t / T)`` (``libm_cos`` 0, every core
    schedule) or libm's ``math.cos(math.pi * t / T)`` (``libm_cos`` 1, the
    torch front-end's choice): see :func:`lrjit.kernels.cospi.cos_turns`.

    >>> cosine_kernel(50.0, 1.0, 100.0, 0.0, 0.0)
    0.5
    """
    t = float(step)
    if periodic == 0 and t > decay_steps:
        t = float(decay_steps)
    return end_value + (init_value - end_value) * (1.0 + cos_turns(t, decay_steps, libm_cos)) / 2.0


def cosine(init_value, decay_steps, end_value=0.0, periodic=False) -> Schedule:
    """Cosine annealing: ``end + (init - end) * (1 + cos(pi * t / T)) / 2``, ``T = decay_steps``.

    After ``T`` the value is held at ``end_value``; with ``periodic=True`` the
    cosine goes on (back up to ``init_value`` at ``2T``), as torch's
    CosineAnnealingLR does.

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
    >>> s(50)  # cospi(1/2) is 0 exactly; math.cos(math.pi / 2) is 6.1e-17
    0.55
    """
    args = {
        "init_value": check_value("init_value", init_value),
        "decay_steps": check_count("decay_steps", decay_steps),
        "end_value": check_value("end_value", end_value),
        "periodic": check_flag("periodic", periodic),
    }
    return FAMILY.schedule(args, args["decay_steps"])


FAMILY = register("cosine", cosine, cosine_kernel, CODE)
