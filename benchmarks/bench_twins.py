"""A/B: step() of an lrjit scheduler as a torch twin (lrjit.optim._torch) vs the plain class.

Interleaved in one process, best of 7 x 3 x 1000 steps; a real torch SGD.
Run: python -m benchmarks.bench_twins
"""
import timeit, torch, warnings
warnings.simplefilter("ignore")
from lrjit.optim import lr_scheduler as L, _torch
def make(cls_kw, twin, pre):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(10))], lr=0.1, momentum=0.9)
    cls, kw = cls_kw
    if not twin:
        saved = _torch.torch_base; _torch.torch_base = lambda n: None; _torch._TWINS.clear()
    s = cls(opt, **kw, precompute=pre)
    if not twin:
        _torch.torch_base = saved; _torch._TWINS.clear()
    assert isinstance(s, torch.optim.lr_scheduler.LRScheduler) == twin
    return s
def main():
    rows = {"StepLR": (L.StepLR, {"step_size": 30}), "CosineAnnealingLR": (L.CosineAnnealingLR, {"T_max": 10**6}),
            "OneCycleLR": (L.OneCycleLR, {"max_lr": 0.1, "total_steps": 10**7})}
    for name, ck in rows.items():
        for pre in (None, 10**6):
            best = {True: 9, False: 9}
            for _ in range(7):
                for twin in (False, True):
                    s = make(ck, twin, pre)
                    t = min(timeit.repeat(s.step, number=1000, repeat=3)) / 1000 * 1e6
                    best[twin] = min(best[twin], t)
            print(f"{name:20s} {'table' if pre else 'per-step':8s} plain {best[False]:.2f} us  twin {best[True]:.2f} us  twin/plain {best[True]/best[False]:.2f}")


if __name__ == "__main__":  # not an asv benchmark: asv imports this module
    main()
