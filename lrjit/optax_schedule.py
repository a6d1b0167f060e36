"""Any lrjit Schedule as an optax schedule: a table lookup that ``jax.jit`` and ``jax.vmap`` trace.

``Schedule.to_optax(num_steps)`` (:class:`OptaxSchedule`) computes the first
``num_steps`` values once, with lrjit's compiled table, and returns a callable
``count -> table[min(count, num_steps - 1)]`` written in ``jax.numpy``: optax
calls it with its step count (an integer array, traced under ``jit``), so it
works wherever optax takes a schedule -- ``optax.adam(learning_rate=...)``,
``optax.inject_hyperparams``, a ``jax.vmap`` over counts.  Past the table's
end the last value is held: give ``num_steps`` at least the number of updates
you train for.  jax is imported when an :class:`OptaxSchedule` is built,
never by ``import lrjit``.

Data types: lrjit computes in float64; the table becomes a jax array of
``dtype``, by default jax's default float type -- float32 unless
``jax_enable_x64`` is on, in which case the values are lrjit's float64 bits.
A float32 table holds each value rounded once (``numpy.float32(s(t))``),
which is what optax's own schedules give in float32 up to their own rounding.
The count's type does not matter: optax passes an int32 count, with which
optax 0.2.8's own schedules compute in float32 even under x64; the table's
values keep the table's type.
"""

from __future__ import annotations

from typing import Any

from ._checks import check_count

__all__ = ["OptaxSchedule"]


class OptaxSchedule:
    """An optax schedule reading a table of an lrjit :class:`~lrjit.Schedule`.

    ``self(count)`` is ``values[clip(count, 0, num_steps - 1)]``: a gather
    from a constant array, traceable by ``jax.jit`` and ``jax.vmap``;
    ``count`` is an integer (optax's update count) or an integer array.

    Parameters
    ----------
    schedule : lrjit.Schedule
    num_steps : int
        Table length ``n >= 1``: steps ``0 .. n - 1``; later counts read step ``n - 1``.
    dtype : jax/numpy dtype, optional
        The table's type (default: jax's default float type: float32, or
        float64 under ``jax_enable_x64``).

    Attributes
    ----------
    schedule, num_steps, dtype
        As given (``dtype`` resolved).
    values : jax.Array
        The table.

    Examples
    --------
    >>> import lrjit
    >>> import jax, jax.numpy as jnp
    >>> lr = lrjit.linear(0.0, 1.0, transition_steps=4).to_optax(8)
    >>> jax.jit(lr)(2).item(), jax.vmap(lr)(jnp.arange(0, 12, 3)).tolist()
    (0.5, [0.0, 0.75, 1.0, 1.0])
    """

    def __init__(self, schedule, num_steps, *, dtype=None):
        from .schedule import Schedule

        if not isinstance(schedule, Schedule):
            raise TypeError(
                f"schedule must be an lrjit Schedule (lrjit.cosine(...), ...), got "
                f"{type(schedule).__name__}"
            )
        import jax.numpy as jnp  # the optax front-end needs jax; lrjit's import does not

        n = check_count("num_steps", num_steps)
        table = schedule.table(n)
        if dtype is not None:
            try:
                ok = jnp.issubdtype(jnp.dtype(dtype), jnp.floating)
            except TypeError:
                ok = False
            if not ok:
                raise TypeError(f"dtype must be a floating dtype (jnp.float32, jnp.float64, "
                                f"jnp.bfloat16, ...), got {dtype!r}")
        self.schedule = schedule
        self.num_steps = n
        self.values = jnp.asarray(table, dtype=dtype)
        self.dtype = self.values.dtype

    def __call__(self, count: Any) -> Any:
        import jax.numpy as jnp

        return self.values[jnp.clip(count, 0, self.num_steps - 1)]

    def __repr__(self):
        return f"OptaxSchedule({self.schedule!r}, num_steps={self.num_steps}, dtype={self.dtype})"

    def __reduce__(self):
        return _rebuild, (self.schedule, self.num_steps, str(self.dtype))


def _rebuild(schedule, num_steps, dtype):
    return OptaxSchedule(schedule, num_steps, dtype=dtype)
