"""Stateful front-ends for training loops: :mod:`lrjit.optim.lr_scheduler` is torch's API.

>>> from lrjit.optim import lr_scheduler
>>> lr_scheduler.CosineAnnealingLR.__name__
'CosineAnnealingLR'
"""

from . import lr_scheduler

__all__ = ["lr_scheduler"]
