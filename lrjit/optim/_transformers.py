"""transformers' ``get_scheduler`` and ``get_*_schedule_with_warmup``, backed by lrjit Schedules.

Drop-in replacements for ``transformers.optimization`` (5.x): the same names,
arguments, defaults and argument errors, and the same learning rates bitwise
for Python-float lrs at every step -- transformers' conventions included
(the warmup counted inside ``num_training_steps``, ``cosine`` not held after
the end, ``cosine_warmup_with_min_lr`` counting from step + 1, polynomial's
``lr_end / lr_init`` with ``lr_init = optimizer.defaults["lr"]``).  Each is a
:class:`TransformersLR`: a :class:`~lrjit.optim.ScheduleLR` multiplying each
group's base lr by an lrjit Schedule, as transformers' ``LambdaLR`` multiplies
it by a lambda, so ``scheduler.schedule`` is a Schedule (tables, plots, njit
and CUDA access) and ``state_dict()`` resumes.

Which Schedule: :func:`lrjit.transformers_schedule` (transformers' lambdas in
their operation order) for most names; :func:`lrjit.inverse_sqrt` and
:func:`lrjit.wsd` with ``peak_value=1.0`` for ``inverse_sqrt`` and
``warmup_stable_decay`` (bitwise transformers' multipliers).
``reduce_lr_on_plateau`` is lrjit's :class:`ReduceLROnPlateau`.

``greedy`` raises ``ValueError``: transformers' ``GreedyLR`` raises and lowers
the lr from the metric it is given at each step (with its own patience,
cooldown, warmup, smoothing and reset counters), so no Schedule of the step
describes it, and it is not a torch scheduler either (transformers' own class
is a plain object).  Use ``transformers.optimization.get_greedy_schedule``;
it works beside lrjit's schedulers.
"""

import warnings

from ..combinators import multiply
from ..families.inverse_sqrt import inverse_sqrt
from ..families.transformers_schedule import transformers_schedule
from ..families.wsd import FAMILY as WSD
from ..families.wsd import wsd
from ._compose import ReduceLROnPlateau
from ._schedule_lr import ScheduleLR

__all__ = [
    "TransformersLR",
    "SCHEDULER_TYPES",
    "get_scheduler",
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_linear_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_inverse_sqrt_schedule",
    "get_reduce_on_plateau_schedule",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_wsd_schedule",
    "get_greedy_schedule",
]


class TransformersLR(ScheduleLR):
    """A transformers scheduler: a group's lr is ``initial_lr * multiplier(k)`` after ``k`` steps.

    What transformers' ``LambdaLR(optimizer, lr_lambda)`` computes, with an
    lrjit Schedule for the lambda: a :class:`~lrjit.optim.ScheduleLR` with
    ``relative=True`` (same state, same ``precompute`` option).
    ``lr_schedules`` holds the multiplier; :attr:`schedule` is the learning
    rate itself, ``lrjit.multiply(initial_lr, multiplier)``, whose values are
    ``get_last_lr()``'s bits.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import lrjit
    >>> opt = SimpleNamespace(param_groups=[{"lr": 0.1}])
    >>> s = TransformersLR(opt, lrjit.transformers_schedule("linear", 2, 10))
    >>> s.step(); s.get_last_lr()
    [0.05]
    >>> s.schedule(6)
    0.05
    """

    __slots__ = ()

    def __init__(self, optimizer, multiplier, last_epoch=-1, *, precompute=None):
        super().__init__(optimizer, multiplier, last_epoch, relative=True, precompute=precompute)

    def _schedule_for(self, i):
        if not self.relative:  # a loaded state may say so
            return self.lr_schedules[i]
        return multiply(float(self.base_lrs[i]), self.lr_schedules[i])


def _defaults_lr(optimizer, what):
    """``optimizer.defaults["lr"]``: the lr transformers' ``what`` is relative to."""
    try:
        return optimizer.defaults["lr"]
    except (AttributeError, KeyError, TypeError):
        raise TypeError(
            f"{what} reads the optimizer's defaults['lr'] (as transformers does): give a torch "
            f"optimizer, or an object with a defaults dict holding 'lr'"
        ) from None


def _min_lr_rate(optimizer, min_lr, min_lr_rate):
    # transformers' checks and messages
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if min_lr is not None:
        lr = _defaults_lr(optimizer, "min_lr")
        if not lr:
            raise ValueError(f"min_lr is a ratio of the optimizer's defaults['lr'], which is {lr}")
        return min_lr / lr
    if min_lr_rate is None:
        raise ValueError(
            "One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`"
        )
    return min_lr_rate


def get_constant_schedule(optimizer, last_epoch=-1):
    """The base lr throughout (transformers' ``get_constant_schedule``)."""
    return TransformersLR(optimizer, transformers_schedule("constant"), last_epoch)


def get_constant_schedule_with_warmup(optimizer, num_warmup_steps, last_epoch=-1):
    """Linear warmup from 0 over ``num_warmup_steps``, then the base lr."""
    s = transformers_schedule("constant_with_warmup", num_warmup_steps)
    return TransformersLR(optimizer, s, last_epoch)


def get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps,
                                    last_epoch=-1):
    """Linear warmup, then linear decay to 0 at ``num_training_steps`` (warmup included).

    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = get_linear_schedule_with_warmup(opt, 2, 6)
    >>> [s.get_last_lr()[0]] + [s.step() or s.get_last_lr()[0] for _ in range(7)]
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    s = transformers_schedule("linear", num_warmup_steps, num_training_steps)
    return TransformersLR(optimizer, s, last_epoch)


def get_cosine_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps,
                                    num_cycles=0.5, last_epoch=-1):
    """Linear warmup, then ``num_cycles`` waves of a cosine (not held after the end)."""
    s = transformers_schedule("cosine", num_warmup_steps, num_training_steps,
                              num_cycles=num_cycles)
    return TransformersLR(optimizer, s, last_epoch)


def get_cosine_with_hard_restarts_schedule_with_warmup(
    optimizer, num_warmup_steps, num_training_steps, num_cycles=1, last_epoch=-1
):
    """Linear warmup, then ``num_cycles`` cosine decays with hard restarts, 0 after the end."""
    s = transformers_schedule("cosine_with_restarts", num_warmup_steps, num_training_steps,
                              num_cycles=num_cycles)
    return TransformersLR(optimizer, s, last_epoch)


def get_polynomial_decay_schedule_with_warmup(
    optimizer, num_warmup_steps, num_training_steps, lr_end=1e-7, power=1.0, last_epoch=-1
):
    """Linear warmup, then a polynomial decay from ``optimizer.defaults["lr"]`` to ``lr_end``."""
    lr_init = _defaults_lr(optimizer, "polynomial")
    s = transformers_schedule("polynomial", num_warmup_steps, num_training_steps,
                              lr_init=lr_init, lr_end=lr_end, power=power)
    return TransformersLR(optimizer, s, last_epoch)


def get_inverse_sqrt_schedule(optimizer, num_warmup_steps, timescale=None, last_epoch=-1):
    """Linear warmup, then ``1 / sqrt((t + timescale - W) / timescale)`` (lrjit.inverse_sqrt)."""
    s = inverse_sqrt(1.0, num_warmup_steps, timescale=timescale)
    return TransformersLR(optimizer, s, last_epoch)


def get_reduce_on_plateau_schedule(optimizer, **kwargs):
    """lrjit's :class:`~lrjit.optim.lr_scheduler.ReduceLROnPlateau` with torch's ``kwargs``."""
    return ReduceLROnPlateau(optimizer, **kwargs)


def get_cosine_with_min_lr_schedule_with_warmup(
    optimizer, num_warmup_steps, num_training_steps, num_cycles=0.5, last_epoch=-1, min_lr=None,
    min_lr_rate=None,
):
    """The cosine of :func:`get_cosine_schedule_with_warmup` down to ``min_lr`` (or a rate)."""
    s = transformers_schedule(
        "cosine_with_min_lr", num_warmup_steps, num_training_steps, num_cycles=num_cycles,
        min_lr_rate=_min_lr_rate(optimizer, min_lr, min_lr_rate),
    )
    return TransformersLR(optimizer, s, last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
    optimizer, num_warmup_steps, num_training_steps, num_cycles=0.5, last_epoch=-1, min_lr=None,
    min_lr_rate=None, warmup_lr_rate=None,
):
    """``cosine_warmup_with_min_lr``: warmup ``(t + 1) / W`` (or from ``warmup_lr_rate``), a
    cosine counted from step + 1 down to ``min_lr``."""
    s = transformers_schedule(
        "cosine_warmup_with_min_lr", num_warmup_steps, num_training_steps, num_cycles=num_cycles,
        min_lr_rate=_min_lr_rate(optimizer, min_lr, min_lr_rate), warmup_lr_rate=warmup_lr_rate,
    )
    return TransformersLR(optimizer, s, last_epoch)


def get_wsd_schedule(
    optimizer, num_warmup_steps, num_decay_steps, num_training_steps=None, num_stable_steps=None,
    warmup_type="linear", decay_type="cosine", min_lr_ratio=0, num_cycles=0.5, last_epoch=-1,
):
    """Warmup, stable, decay: :func:`lrjit.wsd` with ``peak_value=1.0``.

    As transformers: ``num_stable_steps`` wins (with a warning) when both it
    and ``num_training_steps`` are given.  lrjit's ``wsd`` decays over half a
    cosine: ``num_cycles`` other than 0.5 with ``decay_type="cosine"`` raises
    ``ValueError``.
    """
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    if num_training_steps is not None and num_stable_steps is not None:
        warnings.warn(
            "Both num_training_steps and num_stable_steps are specified. num_stable_steps will "
            "be used.", stacklevel=2,
        )
        num_training_steps = None
    if decay_type == "cosine" and num_cycles != 0.5:
        raise ValueError(
            f"lrjit's warmup_stable_decay decays over half a cosine (num_cycles=0.5); got "
            f"num_cycles={num_cycles!r}"
        )
    s = wsd(
        1.0, num_training_steps, warmup_steps=num_warmup_steps, decay_steps=num_decay_steps,
        stable_steps=num_stable_steps, min_lr_rate=min_lr_ratio, warmup_shape=warmup_type,
        decay_shape=decay_type,
    )
    # libm's cosine, as transformers (the core's wsd uses cospi)
    return TransformersLR(optimizer, WSD.with_options(s, libm_cos=1), last_epoch)


def get_greedy_schedule(optimizer, **kwargs):
    """Not available: transformers' ``GreedyLR`` follows a metric, not the step (ValueError)."""
    raise ValueError(
        "lrjit has no 'greedy' scheduler: transformers' GreedyLR raises and lowers the lr from "
        "the metric passed to each step(metric) (patience, cooldown, warmup, smoothing and reset "
        "counters), so no schedule of the step describes it. Use transformers' own: "
        "transformers.optimization.get_greedy_schedule(optimizer, **kwargs) (or "
        "transformers.get_scheduler('greedy', ...)); it runs beside lrjit's schedulers."
    )


#: transformers 5.24's ``SchedulerType`` values and the function each one calls.
SCHEDULER_TYPES = {
    "linear": get_linear_schedule_with_warmup,
    "cosine": get_cosine_schedule_with_warmup,
    "cosine_with_restarts": get_cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": get_polynomial_decay_schedule_with_warmup,
    "constant": get_constant_schedule,
    "constant_with_warmup": get_constant_schedule_with_warmup,
    "inverse_sqrt": get_inverse_sqrt_schedule,
    "reduce_lr_on_plateau": get_reduce_on_plateau_schedule,
    "cosine_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup,
    "cosine_warmup_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    "warmup_stable_decay": get_wsd_schedule,
    "greedy": get_greedy_schedule,
}


def get_scheduler(name, optimizer, num_warmup_steps=None, num_training_steps=None,
                  scheduler_specific_kwargs=None):
    """transformers' ``get_scheduler``: any ``SchedulerType`` name, lrjit's numbers bitwise its.

    ``name`` is a string or a ``transformers.SchedulerType``.  As in
    transformers 5.24: ``constant`` ignores every other argument;
    ``reduce_lr_on_plateau`` (and ``greedy``) take only
    ``scheduler_specific_kwargs``; the others need ``num_warmup_steps``
    (``ValueError`` without), and all but ``constant_with_warmup``,
    ``inverse_sqrt`` and ``warmup_stable_decay`` need ``num_training_steps``;
    ``scheduler_specific_kwargs`` go to the name's ``get_*`` function, so a key
    it does not take raises ``TypeError``.  (transformers' layer-wise
    ``LayerWiseDummyOptimizer`` is not supported.)

    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1e-3}])
    >>> s = get_scheduler("cosine", opt, num_warmup_steps=10, num_training_steps=110)
    >>> s.lr_schedules[0](60), s.schedule(60)  # the multiplier, the lr
    (0.5, 0.0005)
    """
    key = getattr(name, "value", name)  # a SchedulerType is a str Enum
    if not isinstance(key, str) or key not in SCHEDULER_TYPES:
        raise ValueError(
            f"{name!r} is not a valid SchedulerType, please select one of "
            f"{list(SCHEDULER_TYPES)}"
        )
    func = SCHEDULER_TYPES[key]
    if key == "constant":
        return func(optimizer)
    kwargs = {} if scheduler_specific_kwargs is None else scheduler_specific_kwargs
    if key in ("reduce_lr_on_plateau", "greedy"):
        return func(optimizer, **kwargs)
    if num_warmup_steps is None:
        raise ValueError(f"{key} requires `num_warmup_steps`, please provide that argument.")
    if key == "constant_with_warmup":
        return func(optimizer, num_warmup_steps=num_warmup_steps)
    if key == "inverse_sqrt":
        return func(optimizer, num_warmup_steps=num_warmup_steps, **kwargs)
    if key == "warmup_stable_decay":
        return func(optimizer, num_warmup_steps=num_warmup_steps,
                    num_training_steps=num_training_steps, **kwargs)
    if num_training_steps is None:
        raise ValueError(f"{key} requires `num_training_steps`, please provide that argument.")
    return func(optimizer, num_warmup_steps=num_warmup_steps,
                num_training_steps=num_training_steps, **kwargs)
