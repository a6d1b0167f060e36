"""The ``cuda.jit`` kernels behind :mod:`lrjit.cuda`.

``from numba import cuda`` stays at module level: the CUDA simulator swaps
exactly that global while a kernel runs.  ``cuda.jit`` without a signature
compiles on first launch, so importing this module compiles nothing.
"""

import math

try:
    from numba import cuda
except ImportError:  # no numba-cuda: lrjit.cuda.is_available() is False
    cuda = None

from . import lr_at

__all__ = ["sweep_kernel", "inf_kernel", "launch_shape"]

# Threads per block along the steps axis, and the cap on blocks along it: with
# the cap, each thread does a few steps of its configuration, so the
# configuration's program is loaded once for several stores.
THREADS = 256
MAX_STEP_BLOCKS = 128
# CUDA's limit on gridDim.y.
MAX_CONFIG_BLOCKS = 65535


def launch_shape(configs, steps):
    """``(blocks, threads)`` for a ``configs x steps`` grid-stride launch.

    x runs over steps (adjacent threads store adjacent elements of a row:
    coalesced), y over configurations.  Small tables get one warp along x,
    which keeps the simulator fast.

    >>> launch_shape(10_000, 100_000)
    ((128, 10000), (256, 1))
    >>> launch_shape(3, 20)
    ((1, 3), (32, 1))
    """
    threads = min(THREADS, max(32, 1 << max(steps - 1, 0).bit_length()))
    blocks_x = min(max(1, -(-steps // threads)), MAX_STEP_BLOCKS)
    blocks_y = min(max(1, configs), MAX_CONFIG_BLOCKS)
    return (blocks_x, blocks_y), (threads, 1)


def _sweep(kinds, params, starts, steps, out):
    # Grid-stride in both axes: any launch shape covers the whole table.
    j0, c0 = cuda.grid(2)
    sj, sc = cuda.gridsize(2)
    for c in range(c0, out.shape[0], sc):
        k = kinds[c]
        p = params[c]
        s = starts[c]
        for j in range(j0, out.shape[1], sj):
            out[c, j] = lr_at(k, p, s, steps[j])


def _any_inf(out, flag):
    # flag[0] = 1 if any element is +-inf (a float32 overflow); every writer writes 1.
    j0, c0 = cuda.grid(2)
    sj, sc = cuda.gridsize(2)
    for c in range(c0, out.shape[0], sc):
        for j in range(j0, out.shape[1], sj):
            if math.isinf(out[c, j]):
                flag[0] = 1


sweep_kernel = cuda.jit(_sweep) if cuda is not None else None
inf_kernel = cuda.jit(_any_inf) if cuda is not None else None
