"""The families against the peers that define them, where the peer installs beside torch 2.13.

transformers 5.x schedules are ``LambdaLR`` multipliers of each group's base lr: stepped
here one step at a time on a torch optimizer whose lr is the peak, they give the lr
itself.  Comparisons are bitwise where lrjit follows the peer's operation order
(documented in each family), else within 1e-12 relative.  A missing peer skips.
"""

import math

import numpy as np
import pytest

from family_records import assert_cos_close, libm_twin

import lrjit

torch = pytest.importorskip("torch")


def _hf_lrs(make, peak, n):
    """The lrs of a transformers scheduler over steps 0 .. n-1 (stepped, as in training)."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=peak)
    sched = make(opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out




def _transformers():
    return pytest.importorskip("transformers.optimization")


@pytest.mark.parametrize("warmup, timescale", [(0, None), (1, None), (100, None), (10, 7),
                                               (4000, 10_000)])
def test_inverse_sqrt_is_transformers_bitwise(warmup, timescale):
    hf = _transformers()
    n = 3 * max(warmup, timescale or 0) + 50
    want = _hf_lrs(lambda o: hf.get_inverse_sqrt_schedule(o, warmup, timescale=timescale), 3e-4,
                   n)
    s = lrjit.inverse_sqrt(3e-4, warmup, timescale=timescale)
    assert s.table(n).tolist() == want


@pytest.mark.parametrize("warmup_shape", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("decay_shape", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("rate", [0.0, 0.1])
def test_wsd_is_transformers_bitwise(warmup_shape, decay_shape, rate):
    hf = _transformers()
    total, warmup, decay = 120, 13, 37
    want = _hf_lrs(
        lambda o: hf.get_wsd_schedule(
            o, warmup, decay, num_training_steps=total, warmup_type=warmup_shape,
            decay_type=decay_shape, min_lr_ratio=rate,
        ),
        0.1, total + 20,
    )
    s = lrjit.wsd(0.1, total, warmup_steps=warmup, decay_steps=decay, min_lr_rate=rate,
                  warmup_shape=warmup_shape, decay_shape=decay_shape)
    if rate == 0.0:  # lrjit's end + (peak - end) * f is transformers' peak * f here
        # with libm's cos (libm_cos=1): bitwise; the core's cospi: a few ulps (issue 13)
        assert libm_twin(s).table(total + 20).tolist() == want
        assert_cos_close(s.table(total + 20), want, "wsd")
    else:
        np.testing.assert_allclose(s.table(total + 20), want, rtol=1e-12, atol=0.0)


def test_wsd_stable_steps_is_transformers_num_stable_steps():
    hf = _transformers()
    want = _hf_lrs(lambda o: hf.get_wsd_schedule(o, 5, 10, num_stable_steps=20), 1.0, 50)
    s = lrjit.wsd(1.0, stable_steps=20, warmup_steps=5, decay_steps=10)
    assert libm_twin(s).table(50).tolist() == want  # libm's cos: bitwise
    assert_cos_close(s.table(50), want, "wsd")  # the core's cospi: a few ulps (issue 13)


# -- timm 1.0 (its torchvision pin does not load with torch 2.13's CPU build): its
# WSDLRScheduler._get_lr written out, in its operation order.


def timm_wsd(t, base, t_initial, decay_t, lr_min=0.0, stable_fn="constant",
             stable_timescale=None, decay_fn="1-sqrt", decay_power=0.5, decay_ratio=0.1,
             warmup_t=0, warmup_lr_init=0.0):
    if t < warmup_t:
        return warmup_lr_init + t * ((base - warmup_lr_init) / warmup_t)
    t_s = t - warmup_t
    stable = 1.0 if stable_fn == "constant" else (1.0 + t_s / (stable_timescale or warmup_t)) ** -0.5
    lr = max(base * stable, lr_min)
    t_decay = t_s - (t_initial - decay_t)
    if t_decay <= 0:
        return lr
    frac = min(t_decay / decay_t, 1.0)
    f = {
        "linear": lambda: 1.0 - frac,
        "1-sqrt": lambda: 1.0 - math.sqrt(frac),
        "cosine": lambda: 0.5 * (1.0 + math.cos(math.pi * frac)),
        "power": lambda: 1.0 - frac**decay_power,
        "exp": lambda: (decay_ratio**frac - decay_ratio) / (1.0 - decay_ratio),
    }[decay_fn]()
    return lr_min + (lr - lr_min) * f


@pytest.mark.parametrize(
    "kw",
    [
        dict(decay_fn="1-sqrt"),
        dict(decay_fn="linear", lr_min=0.01),
        dict(decay_fn="cosine", warmup_lr_init=0.02),
        dict(decay_fn="power", decay_power=2.0),
        dict(decay_fn="exp", decay_ratio=0.05, lr_min=0.001),
        dict(decay_fn="linear", stable_fn="rsqrt"),
        dict(decay_fn="1-sqrt", stable_fn="rsqrt", stable_timescale=3, lr_min=0.2),
    ],
)
def test_wsd_is_timm_bitwise(kw):
    base, warmup, t_initial, decay = 0.5, 8, 60, 25
    names = {"decay_fn": "decay_shape", "lr_min": "end_value", "warmup_lr_init": "init_value",
             "decay_power": "decay_power", "decay_ratio": "decay_ratio",
             "stable_fn": "stable_shape", "stable_timescale": "timescale"}
    mine = {names[k]: ("exponential" if v == "exp" else v) for k, v in kw.items()}
    s = lrjit.wsd(base, warmup + t_initial, warmup_steps=warmup, decay_steps=decay,
                  convention="timm", **mine)
    want = [timm_wsd(t, base, t_initial, decay, warmup_t=warmup, **kw) for t in range(90)]
    assert libm_twin(s).table(90).tolist() == want  # libm's cos: bitwise
    assert_cos_close(s.table(90), want, "wsd")  # the core's cospi: a few ulps (issue 13)


def test_inverse_sqrt_timm_is_rsqrt_stable_of_timm_wsd():
    # timm's rsqrt has no scheduler of its own: it is WSD's stable phase, before the decay
    s = lrjit.inverse_sqrt(0.5, 8, convention="timm", init_value=0.01)
    want = [timm_wsd(t, 0.5, 10**6, 1, stable_fn="rsqrt", warmup_t=8, warmup_lr_init=0.01)
            for t in range(200)]
    assert s.table(200).tolist() == want


def test_inverse_sqrt_conventions_agree_to_rounding():
    a = lrjit.inverse_sqrt(1.0, 50, init_value=0.0).table(10_000)
    b = lrjit.inverse_sqrt(1.0, 50, convention="timm").table(10_000)
    np.testing.assert_allclose(a, b, rtol=1e-14, atol=0.0)
