"""Stateful front-ends for training loops: :mod:`lrjit.optim.lr_scheduler` is torch's API.

:class:`ScheduleLR` drives a torch optimizer's learning rates from any
:class:`lrjit.Schedule`, :class:`ScheduleParam` any other hyperparameter of
its param groups.  None of this imports torch.

>>> from lrjit.optim import lr_scheduler
>>> lr_scheduler.CosineAnnealingLR.__name__
'CosineAnnealingLR'
"""

from . import lr_scheduler
from ._schedule_lr import ScheduleLR, ScheduleParam

__all__ = ["lr_scheduler", "ScheduleLR", "ScheduleParam"]
