"""Checks of a state given to ``load_state_dict``: the constructor's checks, naming the key.

A scheduler validates the state it would have after loading (its current
attributes updated with the given ones) before it changes anything, so a
rejected state leaves it as it was.  Each check raises ``TypeError`` (wrong
kind of value) or ``ValueError`` (out of range) with ``state_dict['key']``
in the message.
"""

import math
from collections.abc import Mapping

from .._checks import is_integer
from ._interop import integer, real

__all__ = [
    "where",
    "incoming",
    "check_int",
    "check_real",
    "check_bool",
    "check_choice",
    "check_per_group",
    "check_common",
    "check_one_cycle_phases",
]


def where(key):
    """How a message names a key of the state."""
    return f"state_dict[{key!r}]"


def incoming(state_dict):
    """A copy of ``state_dict`` as a plain dict; TypeError if it is no mapping.

    A scheduler's state never holds its optimizer (torch leaves it out), so an
    ``'optimizer'`` key is refused rather than replacing the scheduler's.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
    state = dict(state_dict)
    if "optimizer" in state:
        raise ValueError(
            "state_dict['optimizer']: a scheduler's state does not hold its optimizer "
            "(load the optimizer's own state with optimizer.load_state_dict)"
        )
    for key in state:
        if not isinstance(key, str):
            raise TypeError(f"state_dict keys must be strings, got {key!r}")
    return state


def check_int(state, key, minimum=0):
    """``state[key]`` is an int ``>= minimum`` (no bool), if present."""
    if key in state:
        integer(where(key), state[key], minimum)


def check_real(state, key, low=-math.inf, high=math.inf, *, low_open=False, high_open=False):
    """``state[key]`` is a finite real within the bounds, if present."""
    if key in state:
        real(where(key), state[key], low, high, low_open=low_open, high_open=high_open)


def check_bool(state, key):
    """``state[key]`` is a bool, if present."""
    if key in state and not isinstance(state[key], bool):
        raise TypeError(f"{where(key)} must be True or False, got {state[key]!r}")


def check_choice(state, key, allowed):
    """``state[key]`` is one of ``allowed`` (strings), if present."""
    if key in state:
        value = state[key]
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"{where(key)} must be one of {sorted(allowed)}, got {value!r}")


def check_per_group(state, key, ngroups, low=-math.inf):
    """``state[key]`` is a list of ``ngroups`` finite reals ``>= low`` (tensors count), if present."""
    if key not in state:
        return
    value = state[key]
    if not isinstance(value, (list, tuple)):
        raise TypeError(
            f"{where(key)} must be a list of {ngroups} numbers (one per param group), "
            f"got {type(value).__name__}"
        )
    if len(value) != ngroups:
        raise ValueError(
            f"{where(key)} must have one value per param group ({ngroups}), got {len(value)}"
        )
    for i, v in enumerate(value):
        real(f"{where(key)}[{i}]", v, low)


def check_common(state, ngroups):
    """The keys every scheduler of torch's base class has."""
    if "last_epoch" in state and not is_integer(state["last_epoch"]):
        raise TypeError(f"{where('last_epoch')} must be an int, got {state['last_epoch']!r}")
    check_int(state, "_step_count", 0)
    check_per_group(state, "base_lrs", ngroups, 0.0)
    check_per_group(state, "_last_lr", ngroups, 0.0)
    check_bool(state, "_get_lr_called_within_step")
    check_bool(state, "_is_initial")


_PHASE_VALUES = {
    "lr": ("initial_lr", "max_lr", "min_lr"),
    "momentum": ("max_momentum", "base_momentum"),
}


def check_one_cycle_phases(state, groups):
    """OneCycleLR's ``_schedule_phases``: two or three phases as the constructor builds them."""
    phases = state.get("_schedule_phases")
    key = where("_schedule_phases")
    if not isinstance(phases, list) or len(phases) not in (2, 3):
        raise TypeError(f"{key} must be a list of 2 or 3 phase dicts, got {phases!r}")
    kinds = ["lr"] + (["momentum"] if state.get("cycle_momentum") else [])
    for j, phase in enumerate(phases):
        if not isinstance(phase, dict):
            raise TypeError(f"{key}[{j}] must be a dict, got {phase!r}")
        real(f"{key}[{j}]['end_step']", phase.get("end_step"))
        for kind in kinds:
            for end in ("start", "end"):
                name = phase.get(f"{end}_{kind}")
                if name not in _PHASE_VALUES[kind]:
                    raise ValueError(
                        f"{key}[{j}]['{end}_{kind}'] must be one of {_PHASE_VALUES[kind]}, "
                        f"got {name!r}"
                    )
                for i, group in enumerate(groups):
                    real(f"param_groups[{i}][{name!r}] (named by {key})", group.get(name))
    if phases[-1]["end_step"] != state["total_steps"] - 1:
        raise ValueError(
            f"{key}[-1]['end_step'] must be total_steps - 1 = {state['total_steps'] - 1}, "
            f"got {phases[-1]['end_step']!r}"
        )
    if phases[0]["end_step"] == 0:
        raise ValueError(f"{key}[0]['end_step'] must not be 0 (a warm-up of zero length)")
