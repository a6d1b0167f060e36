"""torch's schedulers and lrjit's twins, built the same way: shared by the optim tests.

``BUILD[name](L, optimizer, **kw)`` builds scheduler ``name`` from the
namespace ``L`` (:data:`TORCH` or :data:`LRJIT`) with the same arguments, so
a test runs torch 2.13 beside lrjit.  The ``lambda`` family is not here:
each test file chooses its own callables (table mode needs a Schedule).
"""

from types import SimpleNamespace

import torch
from torch.optim import lr_scheduler as torch_sched
from torch.optim.swa_utils import SWALR as TorchSWALR

from lrjit.optim import lr_scheduler as lrjit_sched

TORCH = SimpleNamespace(
    **{n: getattr(torch_sched, n) for n in torch_sched.__all__}, SWALR=TorchSWALR
)
LRJIT = lrjit_sched


def sgd(lrs=(0.1, 0.05)):
    """An SGD optimizer with momentum and one group per lr."""
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)


BUILD = {
    "step": lambda L, o, **kw: L.StepLR(o, 3, 0.5, **kw),
    "multistep": lambda L, o, **kw: L.MultiStepLR(o, [2, 5, 5], 0.5, **kw),
    "constant": lambda L, o, **kw: L.ConstantLR(o, 0.5, 4, **kw),
    "linear": lambda L, o, **kw: L.LinearLR(o, 0.25, 1.0, 6, **kw),
    "exponential": lambda L, o, **kw: L.ExponentialLR(o, 0.9, **kw),
    "polynomial": lambda L, o, **kw: L.PolynomialLR(o, 8, 2.0, **kw),
    "cosine": lambda L, o, **kw: L.CosineAnnealingLR(o, 7, 0.001, **kw),
    "swa": lambda L, o, **kw: L.SWALR(o, 0.01, 5, **kw),
    "restarts": lambda L, o, **kw: L.CosineAnnealingWarmRestarts(o, 3, 2, **kw),
    "cyclic": lambda L, o, **kw: L.CyclicLR(o, 0.01, 0.1, 3, **kw),
    "one_cycle": lambda L, o, **kw: L.OneCycleLR(o, 0.1, 50, **kw),
}
