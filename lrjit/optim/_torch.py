"""Real torch subclasses, without importing torch: each class's "torch twin".

Frameworks check types: Lightning accepts only an instance of torch's
``LRScheduler`` in ``configure_optimizers``, and Lightning and the
transformers Trainer look for torch's ``ReduceLROnPlateau`` to pass a
metric.  A class cannot inherit from torch without importing it, and
``import lrjit.optim`` must not import torch.  So the class is chosen when a
scheduler is built: if torch is already imported (a torch optimizer means it
is), ``LRScheduler.__new__`` returns an instance of the class's *twin*,
``class Twin(lrjit_class, torch_base)``, made once per class and cached.  The
twin adds nothing and overrides nothing: every attribute resolves to the
lrjit class first (torch's base only answers ``isinstance``), ``type(s).__name__``
is the lrjit class's name and ``isinstance(s, lrjit_class)`` holds.  With a
duck-typed optimizer and torch not imported, nothing changes.

Cost: one ``sys.modules`` lookup per construction; torch is never imported
here.  A twin instance pickles as its lrjit class and becomes a twin again
when unpickled where torch is imported.

>>> import sys
>>> from types import SimpleNamespace
>>> from lrjit.optim import lr_scheduler
>>> s = lr_scheduler.StepLR(SimpleNamespace(param_groups=[{"lr": 1.0}]), 2)
>>> type(s) is lr_scheduler.StepLR or "torch" in sys.modules
True
"""

import sys

__all__ = ["instance_class", "torch_base"]

_TWINS = {}


def torch_base(name):
    """torch's ``torch.optim.lr_scheduler.<name>`` if torch is already imported, else None."""
    torch = sys.modules.get("torch")
    module = getattr(getattr(torch, "optim", None), "lr_scheduler", None)
    base = getattr(module, name, None)
    return base if isinstance(base, type) else None


def rebuild(cls):
    """An empty instance of ``cls`` (its twin where torch is imported), for unpickling."""
    return object.__new__(instance_class(cls))


def _reduce_ex(self, protocol):
    # pickle as the lrjit class: a twin is made at run time and has no importable name
    _, _, *rest = object.__reduce_ex__(self, max(protocol, 2))
    return (rebuild, (_TWINS_BASE[type(self)],), *rest)


_TWINS_BASE = {}


def instance_class(cls):
    """The class to instantiate for ``cls``: its torch twin when torch is imported."""
    twin = _TWINS.get(cls)
    if twin is not None:
        return twin
    base = torch_base(getattr(cls, "_torch_base", "LRScheduler"))
    if base is None or issubclass(cls, base) or cls in _TWINS_BASE:
        return cls
    twin = type(
        cls.__name__,
        (cls, base),
        {
            "__slots__": (),
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
            "__reduce_ex__": _reduce_ex,
        },
    )
    _TWINS_BASE[twin] = cls
    _TWINS[cls] = twin
    return twin
