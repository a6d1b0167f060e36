"""Any lrjit family as a progress-remaining schedule: :class:`FunctionalLRSchedule`.

Part of :mod:`lrjit.lr_schedule` (import it from there): the seed's six
classes live in that module, the bridge to :data:`lrjit.FACTORIES` here.
"""

import inspect
from collections.abc import Mapping

from ._checks import check_count
from .families import FACTORIES
from .lr_schedule import _ALIASES, BaseLRSchedule, _keys
from .schedule import Schedule, check_depth, from_dict

__all__ = ["FunctionalLRSchedule"]


class FunctionalLRSchedule(BaseLRSchedule):
    """Any lrjit family on the progress axis: ``lr(p) = schedule((1 - p) * total_steps)``.

    ``cfg`` is the family's :meth:`lrjit.Schedule.to_dict` dict (``type`` is a
    name in :data:`lrjit.FACTORIES`; ``join``'s pieces nested dicts) plus
    ``total_steps``, the number of steps that ``progress_remaining`` 1 -> 0
    spans -- for stable-baselines3, ``total_timesteps``, so the schedule's
    step is the environment step.  ``total_steps`` is also passed to a
    factory that takes it.  The seed's names work where lrjit has the
    parameter: ``initial_value`` for ``init_value`` (``value`` for a
    constant), ``final_value`` for ``end_value``.

    A progress that lands within ``total_steps * 2**-44`` of a whole step is
    read as that step, so ``lr(1 - k / total_steps) == schedule(k)`` exactly
    and a step decay switches on the step it should.

    >>> lr = BaseLRSchedule.create({"type": "step_decay", "initial_value": 1.0,
    ...                             "step_size": 100, "gamma": 0.5, "total_steps": 300})
    >>> lr(1.0), lr(1 - 100 / 300), lr(0.0)
    (1.0, 0.5, 0.125)
    >>> lr.to_schedule()
    lrjit.step_decay(init_value=1.0, step_size=100, gamma=0.5)
    """

    __slots__ = ("_schedule",)

    def __init__(self, cfg):
        if not isinstance(cfg, Mapping):
            raise TypeError(
                f"FunctionalLRSchedule takes a dict with 'type' and 'total_steps', "
                f"got {cfg!r} ({type(cfg).__name__})"
            )
        check_depth(cfg, "cfg")
        given = dict(cfg)
        kind = given.get("type")
        if not isinstance(kind, str) or kind not in FACTORIES:
            valid = ", ".join(sorted(FACTORIES))
            raise ValueError(f"unknown lrjit schedule type {kind!r}; valid types: {valid}")
        unknown = sorted(set(given) - set(self._valid_keys(kind)), key=str)
        if unknown:
            raise ValueError(
                f"unknown key(s) {_keys(unknown)} for type {kind!r}; "
                f"valid keys: {_keys(self._valid_keys(kind))}"
            )
        if "total_steps" not in given:
            raise ValueError(
                f"missing key 'total_steps' for type {kind!r}: the number of steps that "
                f"progress_remaining 1 -> 0 spans (stable-baselines3's total_timesteps)"
            )
        total = check_count("total_steps", given["total_steps"])
        config = _translate(given, "")
        params = inspect.signature(FACTORIES[kind]).parameters
        missing = [n for n, p in params.items() if p.default is p.empty and n not in config]
        if missing:
            named = [repr(n) + "".join(f" (or {a!r})" for a, t in _ALIASES.items() if n in t)
                     for n in missing]
            raise ValueError(
                f"missing key(s) {', '.join(named)} for type {kind!r}; "
                f"valid keys: {_keys(self._valid_keys(kind))}"
            )
        if "total_steps" not in params:
            del config["total_steps"]
        schedule = from_dict(config)
        canonical = {**schedule.to_dict(), "total_steps": total}
        self._setup(canonical, schedule.program, total, True)
        object.__setattr__(self, "_schedule", schedule)

    @classmethod
    def from_schedule(cls, schedule, total_steps):
        """``schedule`` (an :class:`lrjit.Schedule`) with progress 1 -> 0 spanning ``total_steps``.

        ``lr(p) == schedule((1 - p) * total_steps)``: progress 1 is step 0,
        progress 0 is step ``total_steps``; beyond either end the value is
        held.  This is :meth:`lrjit.Schedule.progress`.

        >>> import lrjit
        >>> lr = FunctionalLRSchedule.from_schedule(lrjit.cosine(1.0, decay_steps=100), 200)
        >>> lr(1.0), lr(0.75), lr(0.0)
        (1.0, 0.5, 0.0)
        """
        if not isinstance(schedule, Schedule):
            raise TypeError(
                f"schedule must be an lrjit Schedule, got {schedule!r} ({type(schedule).__name__})"
            )
        total = check_count("total_steps", total_steps)
        cfg = schedule.to_dict()
        if "total_steps" in cfg and cfg["total_steps"] != total:
            raise ValueError(
                f"this {cfg['type']} schedule has total_steps={cfg['total_steps']}; its progress "
                f"schedule must span the same steps, got total_steps={total}"
            )
        return cls({**cfg, "total_steps": total})

    @staticmethod
    def _valid_keys(kind):
        params = _params(kind)
        aliases = [a for a, targets in _ALIASES.items() if any(t in params for t in targets)]
        return ("type", *params, *aliases, *(() if "total_steps" in params else ("total_steps",)))

    @property
    def schedule(self):
        """The :class:`lrjit.Schedule` on the step axis."""
        return self._schedule

    def to_schedule(self, total_steps=None):
        """The step-axis :class:`lrjit.Schedule`; ``total_steps`` must match the config's."""
        if total_steps is not None:
            n = check_count("total_steps", total_steps)
            if n != self._horizon:
                raise ValueError(
                    f"this schedule is defined over its config's total_steps="
                    f"{int(self._horizon)} steps; to_schedule(total_steps={n}) would change "
                    f"it: build one with 'total_steps': {n} instead"
                )
        return self._schedule


def _params(kind):
    return tuple(inspect.signature(FACTORIES[kind]).parameters)


def _translate(config, where):
    """A config with the seed's key names replaced by lrjit's, nested schedules built."""
    kind = config.get("type")
    params = _params(kind) if isinstance(kind, str) and kind in FACTORIES else ()
    out = {}
    for key, value in config.items():
        name = key
        for target in _ALIASES.get(key, ()):
            if target in params:
                name = target
                break
        if name in out or (name != key and name in config):
            prefix = f"{where}: " if where else ""
            raise ValueError(f"{prefix}give {key!r} or {name!r}, not both")
        out[name] = _nested(value, f"{where}.{key}" if where else key)
    return out


def _nested(value, where):
    if isinstance(value, Mapping) and "type" in value:
        config = _translate(value, where)  # its own errors name their place
        try:
            return from_dict(config)
        except (TypeError, ValueError) as err:
            raise type(err)(f"{where}: {err}") from err
    if isinstance(value, (list, tuple)):
        return [_nested(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


# Pickles and reprs name the public module.
FunctionalLRSchedule.__module__ = "lrjit.lr_schedule"
