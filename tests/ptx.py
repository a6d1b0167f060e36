"""PTX of a device function, for the tests marked ``ptx`` (NVVM from the extra 'ptx', no GPU)."""

import os
from types import SimpleNamespace

import pytest


def table_kernel_ptx(device_function, monkeypatch):
    """PTX (sm_75) of a kernel doing ``out[i] = device_function(xs[i])``; skips without NVVM."""
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        pytest.skip("needs numba.cuda outside the simulator")
    cuda = pytest.importorskip("numba.cuda")
    from numba import types
    from numba.cuda import dispatcher

    # no GPU here: the compute capability the compile would ask the device for
    monkeypatch.setattr(
        dispatcher, "get_current_device", lambda: SimpleNamespace(compute_capability=(7, 5))
    )

    def kernel(xs, out):
        i = cuda.grid(1)
        if i < xs.shape[0]:
            out[i] = device_function(xs[i])

    try:
        ptx, _ = cuda.compile_ptx(kernel, (types.float64[::1], types.float64[::1]), cc=(7, 5))
    except Exception as error:  # noqa: BLE001 - missing libnvvm / libnvrtc: several types
        pytest.skip(f"no NVVM for PTX here ({type(error).__name__}: {str(error)[:120]})")
    return ptx
