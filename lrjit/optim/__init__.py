"""Stateful front-ends for training loops: :mod:`lrjit.optim.lr_scheduler` is torch's API.

:class:`ScheduleLR` drives a torch optimizer's learning rates from any
:class:`lrjit.Schedule`, :class:`ScheduleParam` any other hyperparameter of
its param groups.  :func:`get_scheduler` and the ``get_*_schedule_with_warmup``
functions are transformers' (:mod:`lrjit.optim._transformers`).  None of this
imports torch.

>>> from lrjit.optim import lr_scheduler
>>> lr_scheduler.CosineAnnealingLR.__name__
'CosineAnnealingLR'
"""

from . import lr_scheduler
from ._schedule_lr import ScheduleLR, ScheduleParam
from ._transformers import *  # noqa: F403  (transformers' names: get_scheduler, get_*)
from ._transformers import __all__ as _transformers_all

__all__ = ["lr_scheduler", "ScheduleLR", "ScheduleParam", *_transformers_all]
