"""Momentum (or Adam's beta1) cycling, shared by CyclicLR and OneCycleLR.

torch moves ``group["momentum"]``, or ``group["betas"][0]`` when the
optimizer has ``betas``, inversely to the learning rate.
"""

from ._base import rows
from ._interop import optimizer_defaults
from ._state import check_bool, where

__all__ = ["momentum_support", "set_momentum", "MomentumRows", "check_momentum_state"]


def momentum_support(optimizer):
    defaults = optimizer_defaults(optimizer)
    if "momentum" not in defaults and "betas" not in defaults:
        raise ValueError(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled "
            "(its defaults need a 'momentum' or 'betas'); pass cycle_momentum=False otherwise"
        )
    return "betas" in defaults


def set_momentum(group, momentum, use_beta1):
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class MomentumRows:
    """Table mode's momentum (or beta1) per group and step, written beside the rates."""

    __slots__ = ("table", "use_beta1")

    def __init__(self, table, use_beta1):
        self.table = table
        self.use_beta1 = use_beta1

    def rows(self, a, b):
        return rows(self.table[:, a:b])

    def __call__(self, scheduler, row):
        for group, momentum in zip(scheduler.optimizer.param_groups, row):
            set_momentum(group, momentum, self.use_beta1)


def check_momentum_state(state, groups):
    """``cycle_momentum`` and ``use_beta1`` as the constructor sets them."""
    check_bool(state, "cycle_momentum")
    if state.get("cycle_momentum"):
        if "use_beta1" not in state:
            raise ValueError(f"{where('use_beta1')} is missing while cycle_momentum is True")
        check_bool(state, "use_beta1")
        key = "betas" if state["use_beta1"] else "momentum"
        for i, group in enumerate(groups):
            if key not in group:
                raise ValueError(
                    f"{where('use_beta1')}={state['use_beta1']} needs {key!r} in every param "
                    f"group; param_groups[{i}] has none"
                )
