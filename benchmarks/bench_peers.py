"""Peers: a cosine table of ``n`` steps by lrjit and by the libraries users compare it with.

Every contender computes the same schedule, ``end + (init - end) * (1 + cos(pi t / T)) / 2``
for ``t = 0 .. n-1``, ``T = n``, into a float64 (or torch/jax float64) array:

``lrjit``        ``s.table(n)`` (parallel) and ``s.table(n, parallel=False)``
``numpy``        the closed form in NumPy (the tests' record formula)
``optax``        ``optax.cosine_decay_schedule`` over ``jnp.arange(n)`` under ``jax.jit``,
                 with ``jax_enable_x64`` (float64, like lrjit), blocked until ready
``torch``        ``CosineAnnealingLR`` stepped ``n`` times, as a torch user gets a table
                 (timed on ``n // 100`` steps and scaled: a Python loop)
``fill``         ``np.full(n, init)``: allocating and writing a fresh array, the limit
``lrjit serial (libm cos)``  the same table with ``libm_cos = 1`` in the row: libm's
                 scalar ``cos`` as before issue 13 (the torch front-end's choice)

optax/jax and torch are optional (the ``bench`` extra installs them): a missing
peer is skipped.  ``python -m benchmarks.compare --only peers`` prints the ratios;
asv runs :class:`TimePeers`.
"""

import numpy as np

from family_records import table

import lrjit
from lrjit.families import REGISTRY

INIT, END = 0.1, 0.001
TORCH_SHARE = 100  # torch steps n // TORCH_SHARE times (a Python loop), then scaled


def _optax(n):
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        import optax
    except ImportError:
        return None
    sched = optax.cosine_decay_schedule(INIT, decay_steps=n, alpha=END / INIT)
    run = jax.jit(lambda steps: sched(steps))
    steps = jnp.arange(n, dtype=jnp.float64)
    run(steps).block_until_ready()  # compile
    return lambda: run(steps).block_until_ready()


def _torch(n):
    try:
        import torch
    except ImportError:
        return None
    m = max(n // TORCH_SHARE, 1)
    # One intra-op thread: stepping a scheduler is Python-bound (no speed lost),
    # and torch's OpenMP threads would otherwise spin on the cores that the
    # next contender's threads need (2 cores here).
    torch.set_num_threads(1)

    def call():
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=INIT)
        s = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=n, eta_min=END)
        out = np.empty(m)
        for i in range(m):
            out[i] = s.get_last_lr()[0]
            opt.step()
            s.step()
        return out

    return call


def contenders(n):
    """``{name: (zero-argument call, scale)}``: seconds times ``scale`` is the time for ``n`` steps."""
    s = lrjit.cosine(INIT, decay_steps=n, end_value=END)
    libm = REGISTRY["cosine"].schedule({**s.args, "libm_cos": 1.0}, s.horizon)
    ways = {
        "lrjit parallel": (lambda: s.table(n), 1.0),
        "lrjit serial": (lambda: s.table(n, parallel=False), 1.0),
        "numpy": (lambda: table(s, n), 1.0),
        "fill": (lambda: np.full(n, INIT), 1.0),
        "lrjit serial (libm cos)": (lambda: libm.table(n, parallel=False), 1.0),
    }
    optax_call = _optax(n)
    if optax_call is not None:
        ways["optax (jax.jit, x64)"] = (optax_call, 1.0)
    torch_call = _torch(n)
    if torch_call is not None:
        ways["torch scheduler"] = (torch_call, float(TORCH_SHARE))
    return ways


def check_same_values(n=1000):
    """The peers compute the same schedule: within 1e-12 relative of lrjit's table."""
    s = lrjit.cosine(INIT, decay_steps=n, end_value=END)
    want = s.table(n)
    got = {"numpy": table(s, n)}
    optax_call = _optax(n)
    if optax_call is not None:
        got["optax"] = np.asarray(optax_call())
    for name, values in got.items():
        np.testing.assert_allclose(values, want, rtol=1e-12, err_msg=name)


class TimePeers:
    """A cosine table of ``n`` steps: lrjit, NumPy, optax (jax.jit), torch, a memory fill."""

    params = ([10**6, 10**7], ["lrjit parallel", "lrjit serial", "numpy", "fill",
                               "optax (jax.jit, x64)", "torch scheduler",
                               "lrjit serial (libm cos)"])
    param_names = ["n", "way"]
    timeout = 600

    def setup(self, n, way):
        ways = contenders(n if way != "torch scheduler" else n)
        if way not in ways:
            raise NotImplementedError(f"{way} is not installed")  # asv: skipped
        self.call = ways[way][0]
        self.call()  # compile, touch

    def time_table(self, n, way):
        self.call()
