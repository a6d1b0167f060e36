"""CUDA: schedule sweeps on the GPU, and lrjit's kernels inside your own ``cuda.jit`` kernels.

This module is imported only when used: ``import lrjit`` never imports
``numba.cuda``.  It needs an NVIDIA GPU and ``pip install "lrjit[cuda]"``
(numba-cuda); without them :func:`is_available` is ``False`` and nothing here
launches.  With ``NUMBA_ENABLE_CUDASIM=1`` set before ``numba.cuda`` is first
imported, Numba's CUDA simulator runs every kernel on the CPU (slowly: keep
tables small), which is how lrjit tests this module without a GPU.

Sweeps: ``lrjit.sweep(..., target="cuda")`` (see :func:`lrjit.sweep`), or
:func:`fill` for a stacked program already on the device.

Device-side use
---------------
The kernels of :mod:`lrjit.kernels` (the tier-1 families and
:func:`~lrjit.kernels.lr_at`) are exported here under the same names.  On a
GPU they are the very same objects: a CPU ``@njit`` function is compiled as a
device function when a ``cuda.jit`` kernel calls it.  Under the simulator they
are thin wrappers that unwrap the simulator's arrays (which Numba cannot pass
to a compiled function).  Import them from here and your kernel runs in both.

Thread ``i`` trains model ``i`` (SGD on the loss ``w**2``) with schedule ``i``
of a stacked program (:func:`lrjit.sweeps.stack`), then with a tier-1 kernel
called directly:

>>> import numpy as np
>>> from numba import cuda
>>> import lrjit
>>> from lrjit.cuda import cosine, lr_at
>>> schedules = [
...     lrjit.warmup_cosine(0.1, warmup_steps=5, decay_steps=50),
...     lrjit.join([lrjit.constant(0.05), lrjit.cosine(0.05, decay_steps=30)], boundaries=[20]),
... ]
>>> program = lrjit.sweeps.stack(schedules)
>>> @cuda.jit
... def train(kinds, params, starts, weights, n_steps):
...     i = cuda.grid(1)
...     if i < weights.shape[0]:
...         w = weights[i]
...         for t in range(n_steps):
...             w -= lr_at(kinds[i], params[i], starts[i], float(t)) * 2.0 * w
...         weights[i] = w
>>> kinds, params, starts = [cuda.to_device(a) for a in program]  # doctest: +SKIP
>>> weights = cuda.to_device(np.ones(2))  # doctest: +SKIP
>>> train[1, 32](kinds, params, starts, weights, 50)  # doctest: +SKIP
>>> w = np.ones(2)
>>> for t in range(50):
...     w -= np.array([s(t) for s in schedules]) * 2.0 * w
>>> np.allclose(weights.copy_to_host(), w, rtol=1e-12, atol=0)  # doctest: +SKIP
True
>>> @cuda.jit
... def train_cosine(base_lrs, weights, n_steps):
...     i = cuda.grid(1)
...     if i < weights.shape[0]:
...         w = weights[i]
...         for t in range(n_steps):
...             w -= cosine(float(t), base_lrs[i], 50.0, 0.0, 0) * 2.0 * w
...         weights[i] = w
>>> weights = cuda.to_device(np.ones(3))  # doctest: +SKIP
>>> train_cosine[1, 32](cuda.to_device(np.array([0.01, 0.1, 0.2])), weights, 50)  # doctest: +SKIP
>>> w = np.ones(3)
>>> for t in range(50):
...     w -= lrjit.sweep("cosine", [t], init_value=[0.01, 0.1, 0.2], decay_steps=50)[:, 0] * 2.0 * w
>>> np.allclose(weights.copy_to_host(), w, rtol=1e-12, atol=0)  # doctest: +SKIP
True

A sweep that stays on the device (pass ``out=`` a CuPy array or torch CUDA
tensor to fill it in place):

>>> table = lrjit.sweep("cosine", 100, init_value=[0.01, 0.1], decay_steps=100,
...                     target="cuda", dtype=np.float32)  # doctest: +SKIP
>>> table.shape, table.dtype  # doctest: +SKIP
((2, 100), dtype('float32'))
"""

import numpy as np

from .. import kernels as _cpu
from .._checks import check_table_out

try:
    from numba import cuda as _cuda
except ImportError:  # numba-cuda (or numba's own numba.cuda) is not installed
    _cuda = None

#: True when ``numba.cuda`` is Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``).
SIMULATOR = _cuda is not None and _cuda.jit.__module__.startswith("numba.cuda.simulator")


def _unwrapping(kernel):
    """``kernel`` taking the simulator's array wrappers: Numba cannot unbox them."""
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray, FakeWithinKernelCUDAArray

    def host(a):
        if isinstance(a, FakeWithinKernelCUDAArray):
            a = vars(a)["_item"]
        if isinstance(a, FakeCUDAArray):
            a = vars(a)["_ary"]
        return a

    def call(*args):
        return kernel(*[host(a) for a in args])

    call.__name__ = kernel.__name__
    call.__doc__ = f"lrjit.kernels.{kernel.__name__} for simulated kernels (arrays unwrapped)."
    return call


# Every name of lrjit.kernels (every registered family's kernel included); the
# simulator needs its arrays unwrapped before a compiled kernel sees them.
_DEVICE_FUNCTIONS = [name for name in _cpu.__all__ if name != "MAX_PARAMS"]
for _name in _DEVICE_FUNCTIONS:
    _kernel = getattr(_cpu, _name)
    globals()[_name] = _unwrapping(_kernel) if SIMULATOR and callable(_kernel) else _kernel
del _name, _kernel

__all__ = ["is_available", "SIMULATOR", "fill", *_DEVICE_FUNCTIONS]


def is_available():
    """Whether CUDA kernels can run here: a GPU with a working driver, or the simulator.

    ``False`` (never an exception) without numba-cuda, without a driver or
    without a GPU.

    >>> isinstance(is_available(), bool)
    True
    """
    if _cuda is None:
        return False
    try:
        return bool(_cuda.is_available())
    except Exception:  # a broken driver install must not break the question
        return False


def _require():
    if not is_available():
        reason = (
            "numba.cuda is not installed (pip install 'lrjit[cuda]')"
            if _cuda is None
            else "no CUDA GPU or driver was found"
        )
        raise RuntimeError(
            f"target='cuda' needs a CUDA GPU: {reason}; lrjit.cuda.is_available() is False"
        )


def _device(name, value, stream):
    """A Numba device array for a host array or any ``__cuda_array_interface__`` object."""
    if getattr(value, "__cuda_ndarray__", False):  # Numba's device arrays, the simulator's too
        return value
    if hasattr(value, "__cuda_array_interface__"):
        return _cuda.as_cuda_array(value)
    if isinstance(value, np.ndarray):
        return _cuda.to_device(np.ascontiguousarray(value), stream=stream)
    raise TypeError(
        f"{name} must be a NumPy array or a CUDA array (__cuda_array_interface__), "
        f"got {type(value).__name__}"
    )


def _check(name, arr, shape, dtypes):
    if arr.dtype not in dtypes:
        allowed = " or ".join(str(np.dtype(d)) for d in dtypes)
        raise TypeError(f"{name} must have dtype {allowed}, got {arr.dtype}")
    if tuple(arr.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {tuple(arr.shape)}")


def fill(kinds, params, starts, steps, out, *, stream=0):
    """``out[c, j] = lr_at(kinds[c], params[c], starts[c], steps[j])`` on the GPU.

    The device half of :func:`lrjit.sweep`: a grid-stride ``cuda.jit`` kernel
    over a stacked program (:func:`lrjit.sweeps.stack`).  Inputs may be host
    arrays (copied over) or device arrays (used in place): keep the program on
    the device to re-run a sweep without host traffic.

    Parameters
    ----------
    kinds, params, starts : array
        A stacked program: ``(C, P)`` int64, ``(C, P, MAX_PARAMS)`` float64,
        ``(C, P)`` float64.
    steps : array
        ``(N,)`` float64 steps.
    out : array
        A ``(C, N)`` float32 or float64 device array or
        ``__cuda_array_interface__`` object (CuPy, torch CUDA tensor).
    stream : numba.cuda stream or 0
        The stream to launch on, e.g. ``numba.cuda.external_stream(
        torch.cuda.current_stream().cuda_stream)`` to order it with torch's work.

    Returns
    -------
    out
    """
    _require()
    from ._kernels import launch_shape, sweep_kernel

    if isinstance(out, np.ndarray):
        raise TypeError("out must be a device array; lrjit.sweep(..., target='cuda') takes NumPy")
    k, p, s, t, table = (
        _device(name, v, stream)
        for name, v in zip(
            ("kinds", "params", "starts", "steps", "out"), (kinds, params, starts, steps, out)
        )
    )
    if k.ndim != 2:
        raise ValueError(f"kinds must be 2-D (configs, pieces), got shape {tuple(k.shape)}")
    configs, pieces = k.shape
    steps_n = t.shape[0]
    _check("kinds", k, (configs, pieces), (np.int64,))
    _check("params", p, (configs, pieces, _cpu.MAX_PARAMS), (np.float64,))
    _check("starts", s, (configs, pieces), (np.float64,))
    _check("steps", t, (steps_n,), (np.float64,))
    _check("out", table, (configs, steps_n), (np.float64, np.float32))
    if configs and steps_n:
        blocks, threads = launch_shape(configs, steps_n)
        sweep_kernel[blocks, threads, stream](k, p, s, t, table)
    return out


def _check_float32(table):
    """Raise ``ValueError`` if a float32 device table holds inf (a value past ~3.4e38).

    One flag kernel and a 4-byte copy back: the table itself stays on the device.
    """
    if table.dtype != np.float32 or not table.size:
        return
    from ._kernels import inf_kernel, launch_shape

    flag = _cuda.to_device(np.zeros(1, dtype=np.int32))
    blocks, threads = launch_shape(*table.shape)
    inf_kernel[blocks, threads](table, flag)
    if flag.copy_to_host()[0]:
        raise ValueError(
            "the sweep table exceeds float32's largest value 3.403e+38; use "
            "dtype=numpy.float64, or values below 3.4e38"
        )


def _sweep_into(kinds, params, starts, steps, shape, dtype, out):
    """:func:`lrjit.sweep`'s CUDA target: the table of ``shape``, on the device.

    A float32 table whose values overflow float32 raises ``ValueError``.
    """
    _require()
    configs, n = kinds.shape[0], steps.shape[0]
    if out is None:
        result = _cuda.device_array(shape, dtype=dtype or np.float64)
        table = _table(result, configs, n)
        fill(kinds, params, starts, steps, table)
        _check_float32(table)
        return result
    if isinstance(out, np.ndarray):
        host = check_table_out(out, shape, dtype)
        table = _cuda.device_array((configs, n), dtype=out.dtype)
        fill(kinds, params, starts, steps, table)
        _check_float32(table)
        host[...] = table.copy_to_host()
        return out
    device = _device("out", out, 0)
    interface = getattr(out, "__cuda_array_interface__", None)
    if interface is not None and interface["data"][1]:
        raise ValueError("out must be writeable; its __cuda_array_interface__ is read-only")
    if dtype is not None and device.dtype != dtype:
        raise TypeError(f"dtype {dtype} does not match out.dtype {device.dtype}")
    _check("out", device, shape, (np.float64, np.float32))
    if not device.is_c_contiguous():
        raise ValueError("out must be C-contiguous on the device")
    table = _table(device, configs, n)
    fill(kinds, params, starts, steps, table)
    _check_float32(table)
    return out


def _table(device, configs, n):
    """A C-contiguous device array viewed as ``(configs, n)``."""
    if device.ndim == 2:
        return device
    view = device.reshape(configs, n)
    if SIMULATOR and isinstance(view, np.ndarray):
        # The simulator's reshape returns the bare NumPy view: wrap it again.
        from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

        view = FakeCUDAArray(view)
    return view
